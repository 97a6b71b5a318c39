//! `s3guard test FILE|DIR...`: run policy test files (`*.s3guard.json`).

use clap::{Args, ValueEnum};

use super::args::LimitArgs;
use super::{Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::testfile::{self, discover, run_path, EnginesWithin, FileOutcome, TestSummary};

/// Output formats of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One line per case, failures explained, `N passed, N failed` last.
    Text,
    /// One JSON document: files, cases, summary (stable; see docs/test-files.md).
    Json,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// Arguments of `test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files, or directories searched recursively for `*.s3guard.json`
    /// (hidden directories and node_modules are skipped).
    #[arg(value_name = "FILE|DIR", default_value = ".")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// The prover's budget for each `cannot` case.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `test`: exit 0 when every case passes, 1 when a case fails or
/// cannot be checked, 2 when a test file is invalid.
pub fn run(args: &TestArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == TestFormat::Json;
    let files = match discover(&args.paths) {
        Ok(f) => f,
        Err(diags) => return io.invalid(&diags, json),
    };
    let reports: Vec<_> = files
        .iter()
        .map(|f| run_path(f, &EnginesWithin(args.limits.limits())))
        .collect();
    for r in &reports {
        match &r.outcome {
            FileOutcome::Ran { warnings, .. } => io.diagnostics(warnings, json),
            FileOutcome::Invalid { diagnostics } => io.diagnostics(diagnostics, json),
        }
    }
    match args.format {
        TestFormat::Text => io.out(&testfile::text(&reports)),
        TestFormat::Json => {
            io.out_raw(&serde_json::to_string_pretty(&testfile::json(&reports)).unwrap_or_default())
        }
        TestFormat::Junit => io.out_raw(testfile::junit(&reports).trim_end()),
    }
    let summary = TestSummary::of(&reports);
    if summary.invalid_files > 0 {
        EXIT_INVALID
    } else if summary.is_success() {
        EXIT_OK
    } else {
        EXIT_DENIED
    }
}
