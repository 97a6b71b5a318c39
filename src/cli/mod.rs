//! The `s3guard` command line: one small function per subcommand over the
//! library API. Answers go to stdout, diagnostics to stderr.

pub mod account_review;
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
pub mod write;

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
///
/// Text is written through [`escape::lines`](crate::render::escape::lines), so no
/// control character of a policy or a file name reaches the terminal;
/// structured formats (JSON, SARIF, JUnit, HTML, Markdown) go through
/// [`Io::out_raw`]. The first failed write on stdout is kept: the command
/// learns it from the `false` the writers return and stops producing, and
/// [`run`] turns it into exit 2 with a message, or, for a closed pipe
/// (`| head`), into a quiet end.
pub struct Io<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    failed: Option<std::io::Error>,
}

impl<'a> Io<'a> {
    /// Wraps two writers.
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Io<'a> {
        Io {
            out,
            err,
            failed: None,
        }
    }

    /// Writes a line of the answer as text (control characters escaped).
    pub fn out(&mut self, text: &str) {
        let text = crate::render::escape::lines(text);
        self.write_out(text.as_bytes(), true);
    }

    /// Writes a line of the answer in a structured format, as it is.
    pub fn out_raw(&mut self, text: &str) {
        self.write_out(text.as_bytes(), true);
    }

    /// Writes bytes of the answer as they are (already line-terminated,
    /// already escaped). `false` once stdout has failed: stop producing.
    pub fn out_bytes(&mut self, bytes: &[u8]) -> bool {
        self.write_out(bytes, false)
    }

    fn write_out(&mut self, bytes: &[u8], newline: bool) -> bool {
        if self.failed.is_some() {
            return false;
        }
        let mut written = self.out.write_all(bytes);
        if newline && written.is_ok() {
            written = self.out.write_all(b"\n");
        }
        match written {
            Ok(()) => true,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }

    /// Whether writing stdout has failed (the rest of the answer is lost).
    pub fn out_failed(&self) -> bool {
        self.failed.is_some()
    }

    /// Writes a line of text to stderr (control characters escaped; a
    /// failure has nowhere to be reported and is ignored).
    pub fn err(&mut self, text: &str) {
        let _ = writeln!(self.err, "{}", crate::render::escape::lines(text));
    }

    /// Writes a line of a structured format (JSON) to stderr, as it is.
    pub fn err_raw(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }

    /// Writes diagnostics to stderr: as text, or one JSON object per line.
    /// Repeated ones are capped (`diagnostic::condense`).
    pub fn diagnostics(&mut self, diags: &[Diagnostic], json: bool) {
        for d in &crate::diagnostic::condense(diags) {
            if json {
                let line = serde_json::to_string(d).unwrap_or_default();
                let _ = writeln!(self.err, "{line}");
            } else {
                self.err(&d.to_string());
            }
        }
    }

    /// Reports input errors on stderr; returns the exit code for invalid
    /// input (2), which the command returns.
    pub fn invalid(&mut self, diags: &[Diagnostic], json: bool) -> i32 {
        self.diagnostics(diags, json);
        EXIT_INVALID
    }

    /// Loads and compiles the policies the flags name. Their warnings go to
    /// stderr; on errors, they are reported and `None` is returned: the
    /// command then ends with [`EXIT_INVALID`].
    pub fn load_policies(&mut self, args: &args::PolicyArgs, json: bool) -> Option<load::Loaded> {
        match load::load_policies(args) {
            Ok(l) => {
                self.diagnostics(&l.warnings, json);
                Some(l)
            }
            Err(diags) => {
                self.diagnostics(&diags, json);
                None
            }
        }
    }

    /// Flushes stdout and ends the command: its exit code, or 2 with a
    /// message when the answer could not be written. A closed pipe is not
    /// an error: the reader has all it wanted.
    fn finish(mut self, code: i32) -> i32 {
        if self.failed.is_none() {
            if let Err(e) = self.out.flush() {
                self.failed = Some(e);
            }
        }
        match self.failed.take() {
            None => code,
            Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
            Some(e) => {
                self.diagnostics(
                    &[Diagnostic::error(
                        "WRITE_FAILED",
                        format!("cannot write the answer to stdout: {e}"),
                    )
                    .with_hint("check the disk or the pipe stdout goes to")],
                    false,
                );
                EXIT_INVALID
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
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let parsed = match eval_only(&args) {
        Some(eval) => Ok(Cli {
            command: Command::Eval(eval),
        }),
        None => Cli::try_parse_from(args),
    };
    let cli = match parsed {
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
    let code = match &cli.command {
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
    };
    io.finish(code)
}

/// The arguments of `s3guard eval …` parsed by a command line of `eval`
/// alone: building every subcommand's arguments (clap's `augment_args`)
/// was about half of a one-case run's start-up instructions, before the
/// first line is read. `None` for any other command, and whenever this
/// parse fails for any reason (an error, `--help`): the whole command line
/// then parses again and says what it says (help, errors and completions
/// come from the whole tree only). The test
/// `eval_alone_parses_as_the_whole_command_line` keeps it to the full parse.
fn eval_only(args: &[OsString]) -> Option<eval::EvalArgs> {
    if args.get(1).map(OsString::as_os_str) != Some(std::ffi::OsStr::new("eval")) {
        return None;
    }
    let eval = <eval::EvalArgs as clap::Args>::augment_args(clap::Command::new("eval"));
    let mut matches = clap::Command::new("s3guard")
        .subcommand(eval)
        .try_get_matches_from(args)
        .ok()?;
    let (name, mut sub) = matches.remove_subcommand()?;
    if name != "eval" {
        return None;
    }
    <eval::EvalArgs as clap::FromArgMatches>::from_arg_matches_mut(&mut sub).ok()
}

/// The binary's entry point.
pub fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // stderr is locked per write, not for the whole run: a worker thread
    // (or a library's `eprintln!`) that writes to it must not block on the
    // main thread's lock until the run ends
    let mut err = std::io::stderr();
    // `run` flushes and reports a failed write
    let code = run(std::env::args_os(), &mut out, &mut err);
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever `eval_only` answers is what the whole command line
    /// parses to; it declines (`None`) help, version, errors and other
    /// subcommands, which the whole command line then renders.
    #[test]
    fn eval_alone_parses_as_the_whole_command_line() {
        let lines: &[&[&str]] = &[
            &["eval", "--cases", "c.jsonl"],
            &["eval", "--cases", "-", "--threads", "2", "--format", "json"],
            &["eval", "--cases=c.jsonl", "--format=text", "--threads=1"],
            &["eval", "--requests", "r.jsonl", "--policy", "p.json"],
            &[
                "eval",
                "--requests",
                "-",
                "--policy",
                "p.json",
                "--policy",
                "q.json",
                "--allow-unknown-action",
                "--principal",
                "arn:aws:iam::111122223333:user/u",
                "--context",
                "aws:SecureTransport=true",
            ],
            &[
                "eval",
                "--requests",
                "r.jsonl",
                "--bucket-policy",
                "b.json",
                "--format",
                "text",
            ],
            &["eval", "--cases", "c.jsonl", "--", "x"],
            &["eval", "--cases", "c.jsonl", "--requests", "r.jsonl"],
            &["eval"],
            &["eval", "--help"],
            &["eval", "-h"],
            &["eval", "--version"],
            &["eval", "--cases"],
            &["eval", "--cases", "c.jsonl", "--threads", "0"],
            &["eval", "--cases", "c.jsonl", "--threads", "x"],
            &["eval", "--cases", "c.jsonl", "--format", "yaml"],
            &["eval", "--cases", "c.jsonl", "--bogus"],
            &["eval", "--case", "c.jsonl"],
            &["eval", "--cases", "a", "--cases", "b"],
            &[
                "can",
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                "--policy",
                "p.json",
            ],
            &["help", "eval"],
            &["--version"],
            &[],
        ];
        let mut answered = 0;
        for line in lines {
            let args: Vec<OsString> = std::iter::once("s3guard")
                .chain(line.iter().copied())
                .map(OsString::from)
                .collect();
            let full = Cli::try_parse_from(&args);
            match eval_only(&args) {
                Some(alone) => {
                    answered += 1;
                    let Ok(Cli {
                        command: Command::Eval(full),
                    }) = full
                    else {
                        panic!("{line:?}: the whole command line gives {full:?}");
                    };
                    assert_eq!(format!("{alone:?}"), format!("{full:?}"), "{line:?}");
                }
                None => assert!(
                    !matches!(
                        full,
                        Ok(Cli {
                            command: Command::Eval(_)
                        })
                    ),
                    "{line:?}: declined, but the whole command line parses it"
                ),
            }
        }
        assert!(answered >= 6, "{answered}");
    }
}
