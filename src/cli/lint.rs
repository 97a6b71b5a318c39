//! `s3guard lint FILE...`: validation errors and Access Analyzer-style
//! findings (spec ), as text, JSON or SARIF 2.1.0, for policy files
//! and for the policies of `--policy-from` templates, plans and dumps.
//!
//! Exit codes, as every command that checks: 2 for invalid input — a file
//! that cannot be read, or whose text is not a policy document at all (JSON
//! or YAML syntax, an empty file, a `--select` that names nothing) — and for
//! invalid arguments; else 1 when a finding at or above `--fail-on` exists
//! (default: `ERROR`); else 0. `--exit-zero` reports without failing: 0
//! whatever the findings, 2 still for files that cannot be read at all.

use clap::{Args, ValueEnum};

use super::args::PolicyArgs;
use super::{Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::{self, render, sarif, LintOptions, PolicyResourceType};
use crate::policy::PolicyType;
use crate::sources::{Params, Selected, Source};

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// For people: FILE:LINE:COL: type\[code\]: message, pointer, hint.
    Text,
    /// Stable JSON: files, findings (with Access Analyzer locations), summary.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// The policy types `lint --type` takes, by their test-file names.
const LINT_TYPES: [&str; 7] = [
    "identity", "resource", "boundary", "session", "scp", "rcp", "vpce",
];

fn parse_policy_type(s: &str) -> Result<PolicyType, String> {
    LINT_TYPES
        .contains(&s)
        .then(|| PolicyType::parse(s))
        .flatten()
        .ok_or_else(|| {
            format!(
                "unknown policy type `{s}`; expected one of {}",
                LINT_TYPES.join(", ")
            )
        })
}

/// `--fail-on`: the least serious finding type that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// ERROR findings.
    Error,
    /// ERROR and SECURITY_WARNING findings.
    Security,
    /// ERROR, SECURITY_WARNING and WARNING findings.
    Warning,
    /// Any finding.
    Suggestion,
}

impl FailOn {
    fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Security => Severity::SecurityWarning,
            FailOn::Warning => Severity::Warning,
            FailOn::Suggestion => Severity::Suggestion,
        }
    }
}

fn parse_resource_type(s: &str) -> Result<PolicyResourceType, String> {
    PolicyResourceType::parse(s).ok_or_else(|| {
        let all: Vec<&str> = PolicyResourceType::ALL.iter().map(|t| t.as_str()).collect();
        format!(
            "unknown resource type `{s}`; expected one of {}",
            all.join(", ")
        )
    })
}

/// Arguments of `lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files (`-` reads stdin). AWS CLI output is unwrapped.
    #[arg(required_unless_present = "policy_from", value_name = "FILE")]
    pub files: Vec<String>,
    /// Policy type (default: what the AWS CLI output or --policy-from source
    /// says; else resource when a statement has Principal, else identity).
    /// One of identity, resource, boundary, session, scp, rcp, vpce.
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_policy_type)]
    pub policy_type: Option<PolicyType>,
    /// Lint the policies of a Terraform plan (`terraform show -json`), a
    /// CloudFormation or `cdk synth` template, or `aws iam
    /// get-account-authorization-details` output (repeatable).
    #[arg(long = "policy-from", value_name = "FILE")]
    pub policy_from: Vec<String>,
    /// What to lint from --policy-from files (as for `can`; repeatable).
    /// Without it, a file's only policy.
    #[arg(long = "select", value_name = "NAME", requires = "policy_from")]
    pub select: Vec<String>,
    /// A value a template leaves open (as for `can`).
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "policy_from")]
    pub params: Vec<String>,
    /// The resource a resource policy is attached to: AWS::S3::Bucket,
    /// AWS::S3::AccessPoint, AWS::S3::MultiRegionAccessPoint,
    /// AWS::S3ObjectLambda::AccessPoint, AWS::S3Express::DirectoryBucket.
    #[arg(long = "resource-type", value_name = "TYPE", value_parser = parse_resource_type)]
    pub resource_type: Option<PolicyResourceType>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Exit 1 when a finding of this type or a more serious one exists
    /// (default: error).
    #[arg(long = "fail-on", value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Report only: exit 0 whatever the findings (2 still when a file
    /// cannot be read at all).
    #[arg(long = "exit-zero", conflicts_with = "fail_on")]
    pub exit_zero: bool,
}

/// Runs `lint`.
pub fn run(args: &LintArgs, io: &mut Io<'_>) -> i32 {
    let options = LintOptions {
        policy_type: args.policy_type,
        resource_type: args.resource_type,
    };
    let mut reports: Vec<lint::FileReport> = args
        .files
        .iter()
        .map(|f| lint::lint_file(f, options))
        .collect();
    if !args.policy_from.is_empty() {
        reports.extend(lint_sources(args, options));
    }
    match args.format {
        LintFormat::Text => {
            let text = render::text(&reports);
            io.out(text.trim_end_matches('\n'));
        }
        LintFormat::Json => io.out_raw(&render::json(&reports)),
        LintFormat::Sarif => io.out_raw(&sarif::render(&reports)),
    }
    let unreadable: Vec<&str> = reports
        .iter()
        .filter(|r| !r.readable)
        .map(|r| r.file.as_str())
        .collect();
    if !unreadable.is_empty() {
        io.err(&format!(
            "error: cannot read {} (reported as IO_ERROR findings)",
            backticked(&unreadable)
        ));
    }
    let mut unparsed: Vec<&str> = reports
        .iter()
        .filter(|r| r.readable && !r.parsed)
        .map(|r| r.file.as_str())
        .collect();
    unparsed.dedup();
    if !unparsed.is_empty() && !args.exit_zero {
        io.err(&format!(
            "error: {} {} not a policy document (see the error findings)",
            backticked(&unparsed),
            if unparsed.len() == 1 { "is" } else { "are" }
        ));
    }
    exit_code(args, &reports)
}

/// 2 for input that is not a policy at all, then 1 for a finding at or
/// above the threshold, else 0 (see the module docs).
fn exit_code(args: &LintArgs, reports: &[lint::FileReport]) -> i32 {
    if reports.iter().any(|r| !r.readable) {
        return EXIT_INVALID;
    }
    if args.exit_zero {
        return EXIT_OK;
    }
    if reports.iter().any(|r| !r.parsed) {
        return EXIT_INVALID;
    }
    let threshold = args.fail_on.unwrap_or(FailOn::Error).threshold();
    let failed = reports
        .iter()
        .filter_map(lint::FileReport::worst)
        .any(|w| w <= threshold);
    if failed {
        EXIT_DENIED
    } else {
        EXIT_OK
    }
}

fn backticked(files: &[&str]) -> String {
    files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The policies of the `--policy-from` files, each linted as its layer:
/// what `--select` names, or, without `--select`, every policy of every
/// file (a policy that a role, user or group also brings in is linted
/// once). Files that cannot be opened, selections that name nothing and
/// policies that cannot be resolved (a value only known at deployment)
/// become reports of unparsed input.
fn lint_sources(args: &LintArgs, options: LintOptions) -> Vec<lint::FileReport> {
    let mut reports = Vec::new();
    let mut selected = Vec::new();
    if args.select.is_empty() {
        for item in every_policy(args) {
            match item {
                Ok(mut s) => selected.append(&mut s),
                Err((origin, d)) => reports.extend(unparsed_sources(args, origin, options, &d)),
            }
        }
    } else {
        let policy_args = PolicyArgs {
            policy_from: args.policy_from.clone(),
            select: args.select.clone(),
            params: args.params.clone(),
            ..PolicyArgs::default()
        };
        match super::from::load_sources_for_lint(&policy_args) {
            Ok(mut s) => selected.append(&mut s),
            Err(d) => reports.extend(unparsed_sources(args, None, options, &d)),
        }
    }
    let mut seen = Vec::new();
    for s in &selected {
        let doc = &s.policy.document;
        let key = (doc.name().to_string(), doc.file_offset(0));
        if !seen.contains(&key) {
            seen.push(key);
            reports.push(lint::lint_selected(s, options));
        }
    }
    reports
}

/// What one choice of a `--policy-from` file loaded to: its policies, or
/// its place and errors.
type Loaded = Result<Vec<Selected>, (Option<String>, Vec<Diagnostic>)>;

/// Every policy of every `--policy-from` file, choice by choice.
fn every_policy(args: &LintArgs) -> Vec<Loaded> {
    let mut params = Params::default();
    let mut out = Vec::new();
    for item in &args.params {
        if let Err(e) = params.parse_item(item) {
            out.push(Err((None, vec![Diagnostic::error("INVALID_ARGUMENT", e)])));
        }
    }
    for path in &args.policy_from {
        let source = match Source::open(path) {
            Ok(s) => s.lenient(true),
            Err(e) => {
                out.push(Err((None, e.diagnostics)));
                continue;
            }
        };
        let choices = source.choices();
        if choices.is_empty() {
            // the source's own error: it holds nothing to lint
            if let Err(e) = source.resolve(None) {
                out.push(Err((None, e.diagnostics)));
            }
        }
        for choice in &choices {
            out.push(
                source
                    .load(choice, &params, false)
                    .map_err(|e| (Some(choice.name.clone()), e.diagnostics)),
            );
        }
    }
    out
}

/// One unparsed-input report per file the errors are in (errors without a
/// file, such as a bad `--param`, go to the first `--policy-from` file).
fn unparsed_sources(
    args: &LintArgs,
    origin: Option<String>,
    options: LintOptions,
    diagnostics: &[Diagnostic],
) -> Vec<lint::FileReport> {
    let fallback = args.policy_from.first().cloned().unwrap_or_default();
    let file_of = |d: &Diagnostic| d.file.clone().unwrap_or_else(|| fallback.clone());
    let mut files: Vec<String> = Vec::new();
    for d in diagnostics {
        let f = file_of(d);
        if !files.contains(&f) {
            files.push(f);
        }
    }
    files
        .iter()
        .map(|f| {
            let mine: Vec<Diagnostic> = diagnostics
                .iter()
                .filter(|d| file_of(d) == *f)
                .cloned()
                .collect();
            let mut r = lint::unparsed(f, origin.as_deref(), options, &mine);
            r.readable = !mine.iter().any(|d| is_unreadable(d.code));
            r
        })
        .collect()
}

/// Codes of files that cannot be read at all (not their content's fault).
fn is_unreadable(code: &str) -> bool {
    matches!(code, "IO_ERROR" | "INVALID_UTF8" | "INPUT_TOO_LARGE")
}
