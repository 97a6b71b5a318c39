//! JUnit XML, the report format every CI system reads: one `<testsuite>`
//! per test file, one `<testcase>` per case, `<failure>` for a failed case
//! and `<error>` for a case that could not be checked or a file that is
//! invalid. No timestamps or durations: the same run gives the same bytes.

use super::run::{FileOutcome, TestCaseResult, TestFileReport, TestStatus, TestSummary};
use crate::render::escape::xml as escape;

/// Renders the reports as a JUnit XML document.
pub fn junit(reports: &[TestFileReport]) -> String {
    let total = TestSummary::of(reports);
    let tests: usize = reports.iter().map(case_count).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"s3guard test\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\">\n",
        total.failed,
        total.errors + total.invalid_files
    ));
    for r in reports {
        suite(r, &mut out);
    }
    out.push_str("</testsuites>\n");
    out
}

fn case_count(r: &TestFileReport) -> usize {
    match &r.outcome {
        FileOutcome::Ran { cases, .. } => cases.len(),
        FileOutcome::Invalid { .. } => 1,
    }
}

fn suite(r: &TestFileReport, out: &mut String) {
    let file = escape(&r.path);
    match &r.outcome {
        FileOutcome::Ran { cases, .. } => {
            let count = |s: TestStatus| cases.iter().filter(|c| c.status == s).count();
            out.push_str(&format!(
                "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">\n",
                cases.len(),
                count(TestStatus::Fail),
                count(TestStatus::Error)
            ));
            for c in cases {
                case(&r.path, c, out);
            }
        }
        FileOutcome::Invalid { diagnostics } => {
            out.push_str(&format!(
                "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
            ));
            out.push_str(&format!(
                "    <testcase name=\"(test file)\" classname=\"{file}\" file=\"{file}\">\n"
            ));
            let body: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            out.push_str(&format!(
                "      <error message=\"invalid test file\" type=\"invalid-test-file\">{}</error>\n",
                escape(&body.join("\n"))
            ));
            out.push_str("    </testcase>\n");
        }
    }
    out.push_str("  </testsuite>\n");
}

fn case(path: &str, c: &TestCaseResult, out: &mut String) {
    let file = escape(path);
    let open = format!(
        "    <testcase name=\"{}\" classname=\"{file}\" file=\"{file}\" line=\"{}\"",
        escape(&c.name),
        c.line
    );
    let (tag, kind) = match c.status {
        TestStatus::Pass => {
            out.push_str(&open);
            out.push_str("/>\n");
            return;
        }
        TestStatus::Fail => ("failure", format!("{}-failed", c.kind)),
        TestStatus::Error => ("error", "not-checked".to_string()),
    };
    let message = c.message.as_deref().unwrap_or("did not pass");
    let mut body = format!("{path}:{}:{}: {message}", c.line, c.column);
    for d in &c.details {
        body.push('\n');
        body.push_str(d);
    }
    out.push_str(&open);
    out.push_str(">\n");
    out.push_str(&format!(
        "      <{tag} message=\"{}\" type=\"{kind}\">{}</{tag}>\n",
        escape(message),
        escape(&body)
    ));
    out.push_str("    </testcase>\n");
}
