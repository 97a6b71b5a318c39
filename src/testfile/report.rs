//! The reports of `s3guard test`: text for people, a stable JSON document
//! for tools. (JUnit XML is in `junit.rs`.)

use serde_json::json;

use crate::render::escape::value;

use super::run::{FileOutcome, TestCaseResult, TestFileReport, TestStatus, TestSummary};

/// The text report: per file, one line per case (`ok`, `FAILED`,
/// `ERROR`); under a case that did not pass, `FILE:LINE:COL: why` and the
/// explanation; last line `N passed, N failed`.
pub fn text(reports: &[TestFileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&value(&r.path));
        out.push('\n');
        match &r.outcome {
            FileOutcome::Ran { cases, .. } => {
                for c in cases {
                    case_text(&r.path, c, &mut out);
                }
            }
            FileOutcome::Invalid { diagnostics } => {
                let n = diagnostics.iter().filter(|d| d.is_error()).count();
                out.push_str(&format!(
                    "  INVALID test file: {n} error{} (on stderr); no case ran\n",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
        out.push('\n');
    }
    out.push_str(&TestSummary::of(reports).line());
    out
}

const DETAIL_INDENT: &str = "          ";

fn case_text(path: &str, c: &TestCaseResult, out: &mut String) {
    let label = match c.status {
        TestStatus::Pass => "ok    ",
        TestStatus::Fail => "FAILED",
        TestStatus::Error => "ERROR ",
    };
    // names, messages and details come from the test file: one line each
    out.push_str(&format!("  {label}  {}\n", value(&c.name)));
    if c.status != TestStatus::Pass {
        out.push_str(&format!(
            "{DETAIL_INDENT}{}:{}:{}: {}\n",
            value(path),
            c.line,
            c.column,
            value(c.message.as_deref().unwrap_or("did not pass"))
        ));
        for d in &c.details {
            out.push_str(&format!("{DETAIL_INDENT}  {}\n", value(d)));
        }
    }
    for n in &c.notes {
        out.push_str(&format!("{DETAIL_INDENT}note: {}\n", value(n)));
    }
}

/// The JSON report (stable; documented in `docs/test-files.md`).
pub fn json(reports: &[TestFileReport]) -> serde_json::Value {
    let files: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| match &r.outcome {
            FileOutcome::Ran { cases, warnings } => json!({
                "file": r.path,
                "status": "ran",
                "cases": cases,
                "warnings": warnings,
            }),
            FileOutcome::Invalid { diagnostics } => json!({
                "file": r.path,
                "status": "invalid",
                "diagnostics": diagnostics,
            }),
        })
        .collect();
    let s = TestSummary::of(reports);
    json!({
        "files": files,
        "summary": {
            "passed": s.passed,
            "failed": s.failed,
            "errors": s.errors,
            "invalid_files": s.invalid_files,
            "line": s.line(),
        }
    })
}
