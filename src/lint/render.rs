//! `lint` output for people (text) and programs (JSON). SARIF is in
//! [`super::sarif`].

use serde::Serialize;

use super::{FileReport, Finding, FindingLocation};
use crate::diagnostic::Severity;

/// Counts of findings by type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Files linted.
    pub files: usize,
    /// ERROR findings.
    pub errors: usize,
    /// SECURITY_WARNING findings.
    pub security_warnings: usize,
    /// WARNING findings.
    pub warnings: usize,
    /// SUGGESTION findings.
    pub suggestions: usize,
}

impl Summary {
    /// Counts the findings of some reports.
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for f in reports.iter().flat_map(|r| &r.findings) {
            match f.finding_type {
                Severity::Error => s.errors += 1,
                Severity::SecurityWarning => s.security_warnings += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Suggestion => s.suggestions += 1,
            }
        }
        s
    }

    /// All findings.
    pub fn total(&self) -> usize {
        self.errors + self.security_warnings + self.warnings + self.suggestions
    }
}

fn count(n: usize, one: &str, many: &str) -> Option<String> {
    (n > 0).then(|| super::plural(n, one, many))
}

/// The text report: each finding with its place, pointer and hint, then the
/// notes, then one summary line.
pub fn text(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            out.push_str(&f.to_string());
            out.push_str("\n\n");
        }
    }
    for r in reports {
        for n in &r.notes {
            out.push_str(&format!("{}: note: {n}\n", r.file));
        }
    }
    let s = Summary::of(reports);
    let files = super::plural(s.files, "file", "files");
    if s.total() == 0 {
        out.push_str(&format!("no findings in {files}\n"));
    } else {
        let parts: Vec<String> = [
            count(s.errors, "error", "errors"),
            count(s.security_warnings, "security warning", "security warnings"),
            count(s.warnings, "warning", "warnings"),
            count(s.suggestions, "suggestion", "suggestions"),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.push_str(&format!(
            "{} in {files}: {}\n",
            super::plural(s.total(), "finding", "findings"),
            parts.join(", ")
        ));
    }
    out
}

/// One finding in the JSON report: flat place fields plus Access Analyzer
/// locations.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    file: &'a str,
    #[serde(rename = "type")]
    finding_type: Severity,
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    learn_more_link: Option<&'static str>,
    locations: &'a [FindingLocation],
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> JsonFinding<'a> {
        let l = f.location();
        JsonFinding {
            file: &f.file,
            finding_type: f.finding_type,
            code: f.code,
            message: &f.message,
            hint: f.hint.as_deref(),
            pointer: l.map(|l| l.pointer.as_str()),
            line: l.map(|l| l.span.start.line),
            column: l.map(|l| l.span.start.column),
            end_line: l.map(|l| l.span.end.line),
            end_column: l.map(|l| l.span.end.column),
            learn_more_link: f.learn_more_link,
            locations: &f.locations,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFile<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_type: Option<&'static str>,
    readable: bool,
    notes: &'a [String],
}

#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    version: u32,
    files: Vec<JsonFile<'a>>,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

/// The JSON report (format version 1): files, findings, summary.
pub fn json(reports: &[FileReport]) -> String {
    let report = JsonReport {
        version: 1,
        files: reports
            .iter()
            .map(|r| JsonFile {
                file: &r.file,
                policy_type: r.policy_type.map(|t| t.as_str()),
                resource_type: r.resource_type.map(|t| t.as_str()),
                readable: r.readable,
                notes: &r.notes,
            })
            .collect(),
        findings: reports
            .iter()
            .flat_map(|r| r.findings.iter().map(JsonFinding::from))
            .collect(),
        summary: Summary::of(reports),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}
