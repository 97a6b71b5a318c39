//! The `s3guard` command line: one small function per subcommand over the
//! library API. Answers go to stdout, diagnostics to stderr.

pub mod actions;
pub mod args;
pub mod can;
pub mod can_run;
pub mod completions;
pub mod diff;
pub mod eval;
pub mod from;
pub mod init_tests;
pub mod lint;
pub mod load;
pub mod man;
pub mod principal_can;
pub mod prove;
pub mod replay;
pub mod review;
pub mod test;
pub mod who_can;

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand};

use crate::diagnostic::Diagnostic;

/// Exit code: allowed / all checks passed.
pub const EXIT_OK: i32 = 0;
/// Exit code: denied / a check failed.
pub const EXIT_DENIED: i32 = 1;
/// Exit code: invalid input.
pub const EXIT_INVALID: i32 = 2;
/// Exit code: `prove` could not decide.
pub const EXIT_UNDECIDED: i32 = 3;

const ABOUT: &str = "Offline AWS IAM policy evaluation for Amazon S3: what does a policy allow, exactly as AWS would answer?";

const LONG_ABOUT: &str = "\
s3guard answers, without credentials or network, what AWS would decide for an S3
request under given policies: identity policies, bucket policies, permissions
boundaries, session policies, SCPs and RCPs, with conditions and policy variables.

Exit codes: 0 allowed / passed, 1 denied / failed, 2 invalid input, 3 `prove` could not decide.

Not modelled (say so in your reviews): S3 ACLs (bucket/object ACL grants),
KMS key policies, S3 Access Grants, Object Lambda beyond
the catalog, service-linked-role exemptions, live AWS Organizations membership.";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "s3guard", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Can this request happen? `s3guard can s3:DeleteBucket arn:aws:s3:::prod --policy p.json`
    Can(can::CanArgs),
    /// Run a JSONL file of cases (policies, request, expected decision).
    Eval(eval::EvalArgs),
    /// Catalog actions a pattern matches, or every action policies allow (destructive ones marked).
    Actions(actions::ActionsArgs),
    /// Can this `aws s3 …` command (or Rails upload library, --app) run? Each IAM request it makes, evaluated.
    CanRun(can_run::CanRunArgs),
    /// Replay CloudTrail records under policies: what would be denied, and (--suggest) a policy allowing it all.
    Replay(replay::ReplayArgs),
    /// What do these policies allow? Every S3 action on every bucket they name, with a verdict.
    Review(review::ReviewArgs),
    /// What access does NEW grant that OLD did not (and the reverse)?
    Diff(diff::DiffArgs),
    /// Run policy test files: `s3guard test policies/` (finds *.s3guard.json).
    Test(test::TestArgs),
    /// Write a starter test file for a policy: what it allows, the dangerous requests it denies.
    InitTests(init_tests::InitTestsArgs),
    /// Print a shell completion script: `s3guard completions bash`.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff): `s3guard man | man -l -`.
    Man(man::ManArgs),
    /// Check policies: errors and Access Analyzer-style findings (text, JSON, SARIF).
    ///
    /// Exit codes: with --fail-on LEVEL, 1 when a finding of that type or a more
    /// serious one exists (a file that cannot be read or parsed is an ERROR
    /// finding), else 0; without --fail-on, 0, or 2 when a file cannot be read.
    /// 2 for invalid arguments.
    Lint(lint::LintArgs),
    /// Who can make this request? Every user and role of the accounts, and the principals the bucket policy names.
    WhoCan(who_can::WhoCanArgs),
    /// What can this principal do to S3? Its review matrix over every bucket, and whether it can escalate.
    PrincipalCan(principal_can::PrincipalCanArgs),
    /// Is ANY such request allowed? `s3guard prove --cannot 's3:Delete*' --on 'arn:aws:s3:::*' --policy p.json`
    Prove(prove::ProveArgs),
}

/// Where a command writes: answers to `out`, diagnostics to `err`.
pub struct Io<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

impl<'a> Io<'a> {
    /// Wraps two writers.
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Io<'a> {
        Io { out, err }
    }

    /// Writes a line of the answer (errors such as a closed pipe are ignored).
    pub fn out(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    /// Writes bytes of the answer as they are (already line-terminated).
    pub fn out_bytes(&mut self, bytes: &[u8]) {
        let _ = self.out.write_all(bytes);
    }

    /// Writes a line to stderr.
    pub fn err(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }

    /// Writes diagnostics to stderr: as text, or one JSON object per line.
    pub fn diagnostics(&mut self, diags: &[Diagnostic], json: bool) {
        for d in diags {
            if json {
                let line = serde_json::to_string(d).unwrap_or_default();
                self.err(&line);
            } else {
                self.err(&d.to_string());
            }
        }
    }
}

/// Runs the command line with the given arguments; returns the exit code.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_INVALID
            } else {
                EXIT_OK
            };
            let rendered = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(err, "{rendered}");
            } else {
                let _ = write!(out, "{rendered}");
            }
            return code;
        }
    };
    let mut io = Io::new(out, err);
    match &cli.command {
        Command::Can(a) => can::run(a, &mut io),
        Command::Eval(a) => eval::run(a, &mut io),
        Command::Actions(a) => actions::run(a, &mut io),
        Command::CanRun(a) => can_run::run(a, &mut io),
        Command::Replay(a) => replay::run(a, &mut io),
        Command::Review(a) => review::run(a, &mut io),
        Command::Diff(a) => diff::run(a, &mut io),
        Command::Test(a) => test::run(a, &mut io),
        Command::InitTests(a) => init_tests::run(a, &mut io),
        Command::Completions(a) => completions::run(a, &mut io),
        Command::Man(a) => man::run(a, &mut io),
        Command::Lint(a) => lint::run(a, &mut io),
        Command::Prove(a) => prove::run(a, &mut io),
        Command::WhoCan(a) => who_can::run(a, &mut io),
        Command::PrincipalCan(a) => principal_can::run(a, &mut io),
    }
}

/// The binary's entry point.
pub fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let code = run(std::env::args_os(), &mut out, &mut err);
    let _ = out.flush();
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(2))
}
