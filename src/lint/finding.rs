//! Findings in Access Analyzer's shape (spec A-1): a finding type, a stable
//! issue code, details, a link, and locations as JSON paths with spans.

use std::fmt;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::json::{pointer, Document, Kind, Location, Span, Value};

/// One element of a location's path (A-1: `{"index": n}` into an array,
/// `{"value": k}` for the value of key `k`, `{"key": k}` for the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PathElement {
    /// An array index.
    Index(usize),
    /// The value of an object member.
    Value(String),
    /// An object member's key.
    Key(String),
}

/// Where in the file a finding is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingLocation {
    /// JSON pointer (`/Statement/0/Action/1`).
    #[serde(skip)]
    pub pointer: String,
    /// Access Analyzer path.
    pub path: Vec<PathElement>,
    /// Start and end in the file.
    pub span: FindingSpan,
}

/// Start and end positions (line, column in characters, byte offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FindingSpan {
    /// First character.
    pub start: Location,
    /// Just past the last character.
    pub end: Location,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The file (as given on the command line).
    pub file: String,
    /// ERROR, SECURITY_WARNING, WARNING or SUGGESTION.
    #[serde(rename = "type")]
    pub finding_type: Severity,
    /// Stable issue code (`S3GUARD_WRITE_OR_PERMISSIONS_STAR`).
    pub code: &'static str,
    /// What is wrong, one line, lowercase, user input in backticks.
    pub message: String,
    /// What to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Documentation about this kind of finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learn_more_link: Option<&'static str>,
    /// Places, the main one first (empty when the file could not be read).
    pub locations: Vec<FindingLocation>,
}

impl Finding {
    /// The main location.
    pub fn location(&self) -> Option<&FindingLocation> {
        self.locations.first()
    }

    /// The code as shown in text output: `INVALID_EFFECT` → `invalid-effect`.
    pub fn slug(&self) -> String {
        self.code.to_ascii_lowercase().replace('_', "-")
    }

    /// Sort key: file, position, severity, code, message.
    pub(crate) fn sort_key(&self) -> (String, u32, u32, Severity, &'static str, String) {
        let (line, col) = self
            .location()
            .map(|l| (l.span.start.line, l.span.start.column))
            .unwrap_or((0, 0));
        (
            self.file.clone(),
            line,
            col,
            self.finding_type,
            self.code,
            self.message.clone(),
        )
    }
}

impl fmt::Display for Finding {
    /// As a diagnostic: every part from the input escaped
    /// ([`crate::render::escape`]), the hint's own lines kept.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::render::escape::value;
        let file = value(&self.file);
        match self.location() {
            Some(l) => write!(f, "{file}:{}:{}: ", l.span.start.line, l.span.start.column)?,
            None => write!(f, "{file}: ")?,
        }
        write!(
            f,
            "{}[{}]: {}",
            self.finding_type.label(),
            self.slug(),
            value(&self.message)
        )?;
        if let Some(l) = self.location() {
            let shown = if l.pointer.is_empty() {
                "(document root)"
            } else {
                &l.pointer
            };
            write!(f, "\n  at {}", value(shown))?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  help: {}", crate::render::escape::lines(h))?;
        }
        Ok(())
    }
}

/// Builds locations against one document and its JSON tree.
pub(crate) struct Locator<'a> {
    pub(crate) doc: &'a Document,
    pub(crate) root: Option<&'a Value>,
    pub(crate) base: &'a str,
}

impl Locator<'_> {
    /// A location for a span of the document at a pointer.
    pub(crate) fn at(&self, span: Span, ptr: &str) -> FindingLocation {
        let start = self.doc.location(span.start);
        FindingLocation {
            pointer: ptr.to_string(),
            path: self.path(ptr, start.offset),
            span: FindingSpan {
                start,
                end: self.doc.location(span.end),
            },
        }
    }

    /// The Access Analyzer path of a pointer. Segments inside arrays become
    /// indexes; the last segment is `key` when the location starts at that
    /// member's key (an unknown element, operator or principal type).
    pub(crate) fn path(&self, ptr: &str, start_offset: u32) -> Vec<PathElement> {
        let rel = ptr.strip_prefix(self.base).unwrap_or(ptr);
        let segs = pointer::segments(rel);
        let mut out = Vec::with_capacity(segs.len());
        let mut node = self.root;
        let count = segs.len();
        for (i, seg) in segs.into_iter().enumerate() {
            let last = i + 1 == count;
            match node.map(|n| &n.kind) {
                Some(Kind::Array(items)) => {
                    let idx = seg.parse::<usize>().ok();
                    node = idx.and_then(|k| items.get(k));
                    match idx {
                        Some(k) => out.push(PathElement::Index(k)),
                        None => out.push(PathElement::Value(seg)),
                    }
                }
                Some(Kind::Object(members)) => {
                    let member = members.iter().find(|m| m.key == seg);
                    let at_key = member.is_some_and(|m| {
                        self.doc.location(m.key_span.start).offset == start_offset
                    });
                    node = member.map(|m| &m.value);
                    if last && at_key {
                        out.push(PathElement::Key(seg));
                    } else {
                        out.push(PathElement::Value(seg));
                    }
                }
                _ => {
                    node = None;
                    match seg.parse::<usize>() {
                        Ok(k) => out.push(PathElement::Index(k)),
                        Err(_) => out.push(PathElement::Value(seg)),
                    }
                }
            }
        }
        out
    }

    /// A finding from a loader diagnostic, with the lint's finding type.
    pub(crate) fn finding(&self, d: &Diagnostic, file: &str) -> Finding {
        finding_from_diagnostic(d, file, Some(self))
    }
}

/// A finding from a diagnostic; `locator` (when the JSON parsed) gives the path.
pub(crate) fn finding_from_diagnostic(
    d: &Diagnostic,
    file: &str,
    locator: Option<&Locator<'_>>,
) -> Finding {
    let rule = super::rules::rule_or_default(d.code, d.severity);
    let mut locations = Vec::new();
    if let Some(start) = d.location {
        let ptr = d.pointer.clone().unwrap_or_default();
        let path = match (locator, &d.pointer) {
            (Some(l), Some(p)) => l.path(p, start.offset),
            _ => Vec::new(),
        };
        locations.push(FindingLocation {
            pointer: ptr,
            path,
            span: FindingSpan {
                start,
                end: d.end.unwrap_or(start),
            },
        });
    }
    Finding {
        file: d.file.clone().unwrap_or_else(|| file.to_string()),
        finding_type: lint_severity(d),
        code: d.code,
        message: d.message.clone(),
        hint: d.hint.clone(),
        learn_more_link: rule.help,
        locations,
    }
}

/// The finding type of a loader diagnostic. What the loader refuses is an
/// ERROR (so a file without ERROR findings loads in `s3guard can`); two
/// codes the loader only warns about are errors for Access Analyzer:
/// an action that does not exist, a variable without Version 2012-10-17.
fn lint_severity(d: &Diagnostic) -> Severity {
    match d.code {
        "INVALID_ACTION" | "VARIABLE_UNSUPPORTED_IN_VERSION" => Severity::Error,
        _ => d.severity,
    }
}
