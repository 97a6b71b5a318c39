//! SARIF 2.1.0 output, for code-scanning dashboards: one run, the rules
//! that fired, one result per finding with its region in the file.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{rules, FileReport, Finding};
use crate::diagnostic::Severity;

/// The schema the output declares.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

const INFORMATION_URI: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";

/// SARIF `level` of a finding type: errors and security warnings are
/// `error`, warnings `warning`, suggestions `note`.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error | Severity::SecurityWarning => "error",
        Severity::Warning => "warning",
        Severity::Suggestion => "note",
    }
}

/// A relative path as a URI reference (RFC 3986): unreserved characters and
/// `/` as they are, everything else percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a of the finding's code, file and JSON pointer: stable across runs
/// and across edits elsewhere in the file.
fn fingerprint(f: &Finding) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let ptr = f.location().map(|l| l.pointer.as_str()).unwrap_or_default();
    for b in f
        .code
        .bytes()
        .chain([0])
        .chain(f.file.bytes())
        .chain([0])
        .chain(ptr.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn rule_json(code: &'static str, severity: Severity) -> Value {
    let rule = rules::rule_or_default(code, severity);
    let mut r = json!({
        "id": code,
        "name": code.to_ascii_lowercase().replace('_', "-"),
        "shortDescription": {"text": rule.title},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "findingType": rule.severity.finding_type(),
            "tags": if rule.severity == Severity::SecurityWarning { vec!["security"] } else { vec![] },
        },
    });
    if let Some(obj) = r.as_object_mut() {
        if let Some(link) = rule.help {
            obj.insert("helpUri".into(), json!(link));
        }
        if rule.severity == Severity::SecurityWarning {
            if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert("security-severity".into(), json!("7.5"));
            }
        }
    }
    r
}

fn insert(target: &mut Value, key: &str, value: Value) {
    if let Some(obj) = target.as_object_mut() {
        obj.insert(key.to_string(), value);
    }
}

fn result_json(f: &Finding, rule_index: usize) -> Value {
    let mut message = f.message.clone();
    if let Some(h) = &f.hint {
        message.push_str(&format!(" ({h})"));
    }
    let mut physical = json!({"artifactLocation": {"uri": uri(&f.file)}});
    if let Some(l) = f.location() {
        insert(
            &mut physical,
            "region",
            json!({
                "startLine": l.span.start.line,
                "startColumn": l.span.start.column,
                "endLine": l.span.end.line.max(l.span.start.line),
                "endColumn": l.span.end.column.max(1),
            }),
        );
    }
    let mut location = json!({"physicalLocation": physical});
    if let Some(l) = f.location() {
        if !l.pointer.is_empty() {
            insert(
                &mut location,
                "logicalLocations",
                json!([{"fullyQualifiedName": l.pointer, "kind": "element"}]),
            );
        }
    }
    json!({
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": level(f.finding_type),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"s3guardFinding/v1": fingerprint(f)},
        "properties": {"findingType": f.finding_type.finding_type()},
    })
}

/// A report's notes as SARIF notifications: first the policy type it was
/// checked as and why (with the type in `properties`), then what was not
/// checked.
fn notifications(r: &FileReport) -> Vec<Value> {
    let at = json!([{"physicalLocation": {"artifactLocation": {"uri": uri(&r.file)}}}]);
    let mut out = Vec::new();
    if let Some(sentence) = super::render::type_sentence(r) {
        let text = match &r.origin {
            Some(o) => format!("`{o}` {sentence}"),
            None => sentence,
        };
        let mut props = json!({"policyType": r.policy_type.map(|t| t.as_str())});
        if let (Some(reason), Some(obj)) = (&r.type_reason, props.as_object_mut()) {
            obj.insert("policyTypeReason".into(), json!(reason));
            if let Some(o) = &r.origin {
                obj.insert("origin".into(), json!(o));
            }
        }
        out.push(json!({
            "descriptor": {"id": "policy-type"},
            "level": "note",
            "message": {"text": text},
            "locations": at,
            "properties": props,
        }));
    }
    for n in &r.notes {
        out.push(json!({
            "descriptor": {"id": "not-checked"},
            "level": "note",
            "message": {"text": n},
            "locations": at,
        }));
    }
    out
}

/// The SARIF log of some reports.
pub fn log(reports: &[FileReport]) -> Value {
    let findings: Vec<&Finding> = reports.iter().flat_map(|r| &r.findings).collect();
    let mut codes: BTreeMap<&'static str, Severity> = BTreeMap::new();
    for f in &findings {
        codes.entry(f.code).or_insert(f.finding_type);
    }
    let index: BTreeMap<&'static str, usize> =
        codes.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<Value> = codes.iter().map(|(c, s)| rule_json(c, *s)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result_json(f, index.get(f.code).copied().unwrap_or(0)))
        .collect();
    let mut artifacts: Vec<Value> = Vec::new();
    for r in reports {
        let location = json!({"uri": uri(&r.file)});
        if !artifacts.iter().any(|a| a["location"] == location) {
            artifacts.push(json!({"location": location}));
        }
    }
    let notifications: Vec<Value> = reports.iter().flat_map(notifications).collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "s3guard",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
        }],
    })
}

/// The SARIF log as pretty JSON text.
pub fn render(reports: &[FileReport]) -> String {
    serde_json::to_string_pretty(&log(reports)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("policies/a b.json"), "policies/a%20b.json");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("dir\\p.json"), "dir/p.json");
    }
}
