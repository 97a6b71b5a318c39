//! `lint` output for people (text) and programs (JSON). SARIF is in
//! [`super::sarif`].

use serde::Serialize;

use super::policy_type::with_article;
use super::{FileReport, Finding, FindingLocation, TypeReason};
use crate::diagnostic::Severity;

/// Counts of findings by type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LintSummary {
    /// Files linted.
    pub files: usize,
    /// Policies linted (more than files when `--policy-from` files hold several).
    pub policies: usize,
    /// ERROR findings.
    pub errors: usize,
    /// SECURITY_WARNING findings.
    pub security_warnings: usize,
    /// WARNING findings.
    pub warnings: usize,
    /// SUGGESTION findings.
    pub suggestions: usize,
}

impl LintSummary {
    /// Counts the findings of some reports.
    pub fn of(reports: &[FileReport]) -> LintSummary {
        let mut files: Vec<&str> = reports.iter().map(|r| r.file.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        let mut s = LintSummary {
            files: files.len(),
            policies: reports.len(),
            ..LintSummary::default()
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
        if let Some(line) = type_line(r) {
            out.push_str(&format!("{}: note: {line}\n", r.file));
        }
        for n in &r.notes {
            out.push_str(&format!("{}: note: {n}\n", r.file));
        }
    }
    let s = LintSummary::of(reports);
    let mut files = super::plural(s.files, "file", "files");
    if s.policies > s.files {
        files.push_str(&format!(" ({} policies)", s.policies));
    }
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

/// `checked as a bucket policy: statement #1 names a Principal (…)`: said
/// in text output unless the type was given with `--type`.
fn type_line(r: &FileReport) -> Option<String> {
    let reason = r.type_reason.as_ref()?;
    if *reason == TypeReason::Given {
        return None;
    }
    let t = r.policy_type?;
    Some(match &r.origin {
        Some(o) => format!("`{o}` checked as {}: {reason}", with_article(t)),
        None => format!("checked as {}: {reason}", with_article(t)),
    })
}

/// The sentence saying which type a report was checked as and why (every
/// format says it; text omits it when the type was given with `--type`).
pub fn type_sentence(r: &FileReport) -> Option<String> {
    let (t, reason) = (r.policy_type?, r.type_reason.as_ref()?);
    Some(format!("checked as {}: {reason}", with_article(t)))
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

/// Why a file was checked as its type: the reason's fields and its text.
#[derive(Debug, Serialize)]
struct JsonReason<'a> {
    #[serde(flatten)]
    reason: &'a TypeReason,
    text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFile<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_type_reason: Option<JsonReason<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_type: Option<&'static str>,
    readable: bool,
    parsed: bool,
    notes: &'a [String],
}

#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    version: u32,
    files: Vec<JsonFile<'a>>,
    findings: Vec<JsonFinding<'a>>,
    summary: LintSummary,
}

/// The JSON report (format version 1): files (with the policy type each
/// was checked as and why), findings, summary.
pub fn json(reports: &[FileReport]) -> String {
    let report = JsonReport {
        version: 1,
        files: reports
            .iter()
            .map(|r| JsonFile {
                file: &r.file,
                origin: r.origin.as_deref(),
                policy_type: r.policy_type.map(|t| t.as_str()),
                policy_type_reason: r.type_reason.as_ref().map(|reason| JsonReason {
                    reason,
                    text: reason.to_string(),
                }),
                resource_type: r.resource_type.map(|t| t.as_str()),
                readable: r.readable,
                parsed: r.parsed,
                notes: &r.notes,
            })
            .collect(),
        findings: reports
            .iter()
            .flat_map(|r| r.findings.iter().map(JsonFinding::from))
            .collect(),
        summary: LintSummary::of(reports),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}
