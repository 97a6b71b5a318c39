//! `s3guard lint FILE...`: validation errors and Access Analyzer-style
//! findings (spec ), as text, JSON or SARIF 2.1.0.
//!
//! Exit codes: with `--fail-on LEVEL`, 1 when a finding at or above LEVEL
//! exists (a file that cannot be read or parsed is an ERROR finding, so it
//! fails every level), else 0. Without `--fail-on`: 0, or 2 when a file
//! cannot be read at all. 2 also for invalid arguments.

use clap::{Args, ValueEnum};

use super::{Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::diagnostic::Severity;
use crate::lint::{self, render, sarif, LintOptions, ResourceType};
use crate::policy::PolicyType;

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// For people: FILE:LINE:COL: type[code]: message, pointer, hint.
    Text,
    /// Stable JSON: files, findings (with Access Analyzer locations), summary.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    /// Identity-based policy (user, group, role).
    Identity,
    /// Resource-based policy (bucket policy, access point policy).
    Resource,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
}

impl From<TypeArg> for PolicyType {
    fn from(t: TypeArg) -> PolicyType {
        match t {
            TypeArg::Identity => PolicyType::Identity,
            TypeArg::Resource => PolicyType::Resource,
            TypeArg::Boundary => PolicyType::Boundary,
            TypeArg::Session => PolicyType::Session,
            TypeArg::Scp => PolicyType::Scp,
            TypeArg::Rcp => PolicyType::Rcp,
        }
    }
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

fn parse_resource_type(s: &str) -> Result<ResourceType, String> {
    ResourceType::parse(s).ok_or_else(|| {
        let all: Vec<&str> = ResourceType::ALL.iter().map(|t| t.as_str()).collect();
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
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Policy type (default: resource when a statement has Principal, else identity).
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub policy_type: Option<TypeArg>,
    /// The resource a resource policy is attached to: AWS::S3::Bucket,
    /// AWS::S3::AccessPoint, AWS::S3::MultiRegionAccessPoint,
    /// AWS::S3ObjectLambda::AccessPoint, AWS::S3Express::DirectoryBucket.
    #[arg(long = "resource-type", value_name = "TYPE", value_parser = parse_resource_type)]
    pub resource_type: Option<ResourceType>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Exit 1 when a finding of this type or a more serious one exists.
    #[arg(long = "fail-on", value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
}

/// Runs `lint`.
pub fn run(args: &LintArgs, io: &mut Io<'_>) -> i32 {
    let options = LintOptions {
        policy_type: args.policy_type.map(PolicyType::from),
        resource_type: args.resource_type,
    };
    let reports: Vec<lint::FileReport> = args
        .files
        .iter()
        .map(|f| lint::lint_file(f, options))
        .collect();
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
            unreadable
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    match args.fail_on {
        Some(level) => {
            let failed = reports
                .iter()
                .filter_map(lint::FileReport::worst)
                .any(|w| w <= level.threshold());
            if failed {
                EXIT_DENIED
            } else {
                EXIT_OK
            }
        }
        None if reports.iter().any(|r| !r.readable) => EXIT_INVALID,
        None => EXIT_OK,
    }
}
