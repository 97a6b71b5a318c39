//! `s3guard eval --cases FILE.jsonl`: run a corpus of cases (the oracle's
//! JSONL format) and report each.

use std::io::BufRead;

use clap::{Args, ValueEnum};

use super::{Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::cases::{run_line, CaseResult, Status};

/// Output formats of `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// Failures and a summary line.
    Text,
    /// One JSON object per case, then a summary object.
    Json,
}

/// Arguments of `eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A JSONL file of cases (`-` for stdin): one request with its policies and expected decision per line.
    #[arg(long, value_name = "FILE.jsonl")]
    pub cases: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
}

/// Counts of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Cases whose decision was the expected one.
    pub passed: usize,
    /// Cases that failed or could not be evaluated.
    pub failed: usize,
    /// Cases using something s3guard does not model.
    pub skipped: usize,
}

impl Summary {
    fn add(&mut self, r: &CaseResult) {
        match r.status {
            Status::Pass => self.passed += 1,
            Status::Fail | Status::Error => self.failed += 1,
            Status::Unsupported => self.skipped += 1,
            Status::Evaluated => {}
        }
    }

    /// `N passed, N failed[, N skipped]`.
    pub fn line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        s
    }
}

/// Runs `eval --cases`.
pub fn run(args: &EvalArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == EvalFormat::Json;
    let reader: Box<dyn BufRead> = if args.cases == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        match std::fs::File::open(&args.cases) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                io.diagnostics(
                    &[crate::diagnostic::Diagnostic::error(
                        "IO_ERROR",
                        format!("cannot read `{}`: {e}", args.cases),
                    )],
                    json,
                );
                return EXIT_INVALID;
            }
        }
    };
    let name = if args.cases == "-" {
        "<stdin>"
    } else {
        args.cases.as_str()
    };
    let mut summary = Summary::default();
    for (i, line) in reader.split(b'\n').enumerate() {
        let line_no = i + 1;
        let bytes = match line {
            Ok(b) => b,
            Err(e) => {
                io.diagnostics(
                    &[crate::diagnostic::Diagnostic::error(
                        "IO_ERROR",
                        format!("cannot read `{name}`: {e}"),
                    )],
                    json,
                );
                return EXIT_INVALID;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        let result = if std::str::from_utf8(&bytes).is_err() {
            CaseResult {
                id: format!("line {line_no}"),
                line: line_no,
                decision: None,
                expect: None,
                status: Status::Error,
                message: Some(format!("{name}:{line_no}: the line is not valid UTF-8")),
                response: None,
            }
        } else if text.len() > crate::json::MAX_INPUT_BYTES {
            CaseResult {
                id: format!("line {line_no}"),
                line: line_no,
                decision: None,
                expect: None,
                status: Status::Error,
                message: Some(format!("{name}:{line_no}: the case is larger than 16 MiB")),
                response: None,
            }
        } else {
            run_line(name, line_no, text)
        };
        summary.add(&result);
        report(&result, name, json, io);
    }
    if json {
        io.out(
            &serde_json::json!({
                "summary": summary.line(),
                "passed": summary.passed,
                "failed": summary.failed,
                "skipped": summary.skipped,
            })
            .to_string(),
        );
    } else {
        io.out(&summary.line());
    }
    if summary.failed == 0 {
        EXIT_OK
    } else {
        EXIT_DENIED
    }
}

fn report(r: &CaseResult, name: &str, json: bool, io: &mut Io<'_>) {
    if json {
        io.out(&serde_json::to_string(r).unwrap_or_default());
        return;
    }
    let label = match r.status {
        Status::Pass | Status::Evaluated => return,
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::Unsupported => "UNSUPPORTED",
    };
    io.out(&format!(
        "{label} {} ({name}:{}): {}",
        r.id,
        r.line,
        r.message.as_deref().unwrap_or_default()
    ));
}
