//! One request per JSONL line (`eval --requests`): parsing a line into a
//! [`Request`] and writing its decision as one JSON line.
//!
//! A line is `{"action": ..., "resource": ..., "principal": ...,
//! "resource_account": ..., "context": {...}, "id": ...}` (the request
//! fields of the case format); only `action` and `resource` are required.

use std::io::Write;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Response, StatementRef};
use crate::explain::Evaluation;
use crate::json::{self, pointer, Kind, Location, Value};
use crate::matcher::{Action, Resource};
use crate::request::context::Origin;
use crate::request::{Principal, Request};

/// The fields a request line may have.
pub const FIELDS: &[&str] = &[
    "action",
    "resource",
    "principal",
    "resource_account",
    "context",
    "id",
];

/// A parsed request line.
#[derive(Debug)]
pub struct RequestLine {
    /// The request: the template's principal and resource account where
    /// the line is silent; the context holds only the line's own keys
    /// (see [`RequestLine::own_context`]).
    pub request: Request,
    /// The line's `id`, as JSON text, echoed in the output.
    pub id: Option<String>,
    /// Whether the line has context keys of its own. Without them its
    /// context is the template's, so a caller may reuse one built earlier.
    pub own_context: bool,
}

/// Where a byte offset of one line is, in the whole file.
fn location(line_no: usize, text: &str, offset: u32) -> Location {
    let offset = offset as usize;
    let column = text.get(..offset).map_or(1, |s| s.chars().count() + 1);
    Location {
        line: u32::try_from(line_no).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
        offset: u32::try_from(offset).unwrap_or(u32::MAX),
    }
}

fn invalid(
    name: &str,
    line_no: usize,
    text: &str,
    offset: u32,
    ptr: &str,
    msg: String,
) -> Diagnostic {
    Diagnostic::error("INVALID_REQUEST", msg)
        .in_file(name)
        .at(location(line_no, text, offset))
        .with_pointer(ptr)
}

/// Parses one line. `template` gives the principal and resource account
/// that apply where the line does not say. Every problem of the line is
/// returned.
pub fn parse_line(
    name: &str,
    line_no: usize,
    text: &str,
    template: &Request,
    allow_unknown_action: bool,
) -> Result<RequestLine, Vec<Diagnostic>> {
    let parsed = json::parse(text).map_err(|e| {
        vec![Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
            .in_file(name)
            .at(location(
                line_no,
                text,
                u32::try_from(e.offset).unwrap_or(u32::MAX),
            ))]
    })?;
    let mut errors: Vec<Diagnostic> = parsed
        .duplicates
        .iter()
        .map(|d| {
            invalid(
                name,
                line_no,
                text,
                d.second.start,
                &pointer::join(&d.object_pointer, &d.key),
                format!("duplicate key `{}`", d.key),
            )
        })
        .collect();
    let root = &parsed.value;
    let Some(members) = root.as_object() else {
        errors.push(
            invalid(
                name,
                line_no,
                text,
                root.span.start,
                "",
                format!(
                    "a request must be a JSON object, found {}",
                    root.type_name()
                ),
            )
            .with_hint(
                r#"write {"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}"#,
            ),
        );
        return Err(errors);
    };
    for m in members {
        if !FIELDS.contains(&m.key.as_str()) {
            let hint = did_you_mean(&m.key, FIELDS.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("known fields: {}", FIELDS.join(", ")));
            errors.push(
                invalid(
                    name,
                    line_no,
                    text,
                    m.key_span.start,
                    &pointer::join("", &m.key),
                    format!("unknown request field `{}`", m.key),
                )
                .with_hint(hint),
            );
        }
    }
    let mut bad = |v: Option<&Value>, ptr: &str, msg: String| {
        errors.push(invalid(
            name,
            line_no,
            text,
            v.unwrap_or(root).span.start,
            ptr,
            msg,
        ));
    };
    let string =
        |key: &str, bad: &mut dyn FnMut(Option<&Value>, &str, String)| -> Option<Option<&str>> {
            match root.get(key) {
                None => Some(None),
                Some(v) => match v.as_str() {
                    Some(s) => Some(Some(s)),
                    None => {
                        bad(
                            Some(v),
                            &format!("/{key}"),
                            format!("`{key}` must be a string, found {}", v.type_name()),
                        );
                        None
                    }
                },
            }
        };
    // A required field parsed by `parse`; `None` when missing or invalid.
    let required =
        |key: &str, bad: &mut dyn FnMut(Option<&Value>, &str, String)| match string(key, bad) {
            Some(Some(text)) => Some(text),
            Some(None) => {
                bad(
                    None,
                    &format!("/{key}"),
                    format!("the request has no `{key}`"),
                );
                None
            }
            None => None,
        };
    let action = required("action", &mut bad).and_then(|a| {
        let action = Action::parse(a)
            .map_err(|e| bad(root.get("action"), "/action", e.to_string()))
            .ok()?;
        match crate::catalog::unknown_action(&action) {
            Some(u) if !allow_unknown_action => {
                let hint = u.hint(&action);
                bad(
                    root.get("action"),
                    "/action",
                    format!(
                        "{} ({hint}; --allow-unknown-action evaluates it anyway)",
                        u.message(&action)
                    ),
                );
                None
            }
            _ => Some(action),
        }
    });
    let resource = required("resource", &mut bad).and_then(|r| {
        Resource::parse(r)
            .map_err(|e| bad(root.get("resource"), "/resource", e.to_string()))
            .ok()
    });
    let principal = match string("principal", &mut bad) {
        Some(Some(p)) => match Principal::parse(p) {
            Ok(p) => Some(p),
            Err(e) => {
                bad(root.get("principal"), "/principal", e.to_string());
                None
            }
        },
        Some(None) => Some(template.principal.clone()),
        None => None,
    };
    let resource_account = match string("resource_account", &mut bad) {
        Some(Some(a)) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Some(a.to_string()))
        }
        Some(Some(a)) => {
            bad(
                root.get("resource_account"),
                "/resource_account",
                format!("`resource_account` `{a}` is not a 12-digit account id"),
            );
            None
        }
        Some(None) => Some(template.resource_account.clone()),
        None => None,
    };
    let mut context = crate::request::context::Context::new();
    let own_context = root.get("context").is_some_and(|v| v.kind != Kind::Null);
    match root.get("context") {
        None => {}
        Some(v) if v.kind == Kind::Null => {}
        Some(v) => match v.as_object() {
            None => bad(
                Some(v),
                "/context",
                format!("`context` must be an object, found {}", v.type_name()),
            ),
            Some(members) => {
                for m in members {
                    match crate::batch::cases::context_value(&m.value) {
                        Some(cv) => context.insert(&m.key, cv, Origin::Given),
                        None => bad(
                            Some(&m.value),
                            &pointer::join("/context", &m.key),
                            format!(
                                "the value of `{}` must be a string, number, boolean or an array of them",
                                m.key
                            ),
                        ),
                    }
                }
            }
        },
    }
    let id = root.get("id").map(|v| v.to_serde().to_string());
    match (action, resource, principal, resource_account) {
        (Some(action), Some(resource), Some(principal), Some(resource_account))
            if errors.is_empty() =>
        {
            Ok(RequestLine {
                request: Request {
                    principal,
                    action,
                    resource,
                    resource_account,
                    is_service_linked_role: false,
                    context,
                },
                id,
                own_context,
            })
        }
        _ => Err(errors),
    }
}

/// The fields of a line of the common shape, borrowed from its text.
#[derive(Default)]
struct Flat<'a> {
    action: Option<&'a str>,
    resource: Option<&'a str>,
    principal: Option<&'a str>,
    resource_account: Option<&'a str>,
    /// The `id` as JSON text (a string with its quotes, or digits).
    id: Option<&'a str>,
}

/// Reads a line of the common shape: one flat object whose members are
/// `action`, `resource`, `principal`, `resource_account` (strings) and
/// `id` (a string or a small non-negative integer), each at most once,
/// with no escape and no control character in any string. `None` for
/// anything else, which [`parse_line`] then reads (and reports on).
fn flat(text: &str) -> Option<Flat<'_>> {
    let b = text.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while matches!(b.get(*i), Some(b' ' | b'\t')) {
            *i += 1;
        }
    };
    // a string without escapes: its contents, `i` past its closing quote
    let string = |i: &mut usize| -> Option<&str> {
        if b.get(*i) != Some(&b'"') {
            return None;
        }
        let start = *i + 1;
        let len = memchr::memchr2(b'"', b'\\', b.get(start..)?)?;
        let end = start + len;
        if b.get(end) != Some(&b'"') {
            return None;
        }
        let s = text.get(start..end)?;
        if s.bytes().any(|c| c < 0x20) {
            return None;
        }
        *i = end + 1;
        Some(s)
    };
    let mut out = Flat::default();
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        ws(&mut i);
        let key = string(&mut i)?;
        ws(&mut i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        let start = i;
        let slot = match key {
            "action" => &mut out.action,
            "resource" => &mut out.resource,
            "principal" => &mut out.principal,
            "resource_account" => &mut out.resource_account,
            "id" => &mut out.id,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        let value = if key == "id" && b.get(i).is_some_and(u8::is_ascii_digit) {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let digits = text.get(start..i)?;
            if digits.len() > 18 || (digits.len() > 1 && digits.starts_with('0')) {
                return None;
            }
            digits
        } else {
            let s = string(&mut i)?;
            if key == "id" {
                text.get(start..i)?
            } else {
                s
            }
        };
        *slot = Some(value);
        ws(&mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {
                i += 1;
                ws(&mut i);
                return (i == b.len()).then_some(out);
            }
            _ => return None,
        }
    }
}

/// How many actions and principals a worker keeps parsed.
const KNOWN: usize = 16;

/// Marks the item at `i` of a least-recent-first list as used now (moves
/// it to the end).
fn recently_used<T>(list: &mut Vec<T>, i: usize) {
    if let Some(last) = list.len().checked_sub(1) {
        if i < last {
            let item = list.remove(i);
            list.push(item);
        }
    }
}

impl Requests {
    /// [`parse_line`] for a line of the common shape (see [`flat`]) that
    /// is valid: the same request, read without building a JSON tree, its
    /// action and principal cloned from a recent line's when the text is
    /// the same. `None` for any other line, and for any problem, so that
    /// every message comes from [`parse_line`].
    pub fn parse_common_line(
        &mut self,
        text: &str,
        template: &Request,
        allow_unknown_action: bool,
    ) -> Option<RequestLine> {
        let f = flat(text)?;
        let action_text = f.action?;
        let action = match self.actions.iter().position(|a| a.as_str() == action_text) {
            Some(i) => {
                recently_used(&mut self.actions, i);
                self.actions.last()?.clone()
            }
            None => {
                let action = Action::parse(action_text).ok()?;
                if !allow_unknown_action && crate::catalog::unknown_action(&action).is_some() {
                    return None;
                }
                if self.actions.len() >= KNOWN {
                    self.actions.remove(0);
                }
                self.actions.push(action.clone());
                action
            }
        };
        let resource = Resource::parse(f.resource?).ok()?;
        let principal = match f.principal {
            Some(p) => match self.principals.iter().position(|(t, _)| t == p) {
                Some(i) => {
                    recently_used(&mut self.principals, i);
                    self.principals.last()?.1.clone()
                }
                None => {
                    let principal = Principal::parse(p).ok()?;
                    if self.principals.len() >= KNOWN {
                        self.principals.remove(0);
                    }
                    self.principals.push((p.to_string(), principal.clone()));
                    principal
                }
            },
            None => template.principal.clone(),
        };
        let resource_account = match f.resource_account {
            Some(a) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => {
                Some(a.to_string())
            }
            Some(_) => return None,
            None => template.resource_account.clone(),
        };
        Some(RequestLine {
            request: Request {
                principal,
                action,
                resource,
                resource_account,
                is_service_linked_role: false,
                context: crate::request::context::Context::new(),
            },
            id: f.id.map(str::to_string),
            own_context: false,
        })
    }
}

/// The JSON of each statement of a set as it appears in `matchedStatements`,
/// rendered once (the same fields as `can --format json`).
#[derive(Debug)]
pub struct StatementJson {
    by_policy: Vec<Vec<String>>,
}

impl StatementJson {
    /// Renders every statement of the set.
    pub fn new(set: &PolicySet) -> StatementJson {
        let by_policy = set
            .members()
            .iter()
            .map(|m| {
                m.policy
                    .statements
                    .iter()
                    .map(|s| crate::render::json::statement_json(m, s).to_string())
                    .collect()
            })
            .collect();
        StatementJson { by_policy }
    }

    fn get(&self, r: StatementRef) -> Option<&str> {
        self.by_policy
            .get(r.policy as usize)?
            .get(r.statement as usize)
            .map(String::as_str)
    }
}

/// A JSON string: as is between quotes when nothing in it needs an escape
/// (the escapes are serde_json's: `"`, `\\` and control characters).
fn json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// A number in decimal, without `fmt`.
fn write_usize(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

fn json_list<T: serde::Serialize>(out: &mut Vec<u8>, key: &str, items: &[T]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, ",\"{key}\":");
    let _ = serde_json::to_writer(&mut *out, items);
}

/// Writes one decision as a JSON line: `line`, `id` (if given), `action`,
/// `resource`, `decision` (`Allow`, `ExplicitDeny`, `ImplicitDeny`),
/// `matchedStatements`, for an implicit deny the layer that did not allow
/// (`blockedBy`, as in `can --format json`), and when not empty `missingContext`, `notes` and
/// `conditionErrors` (the answer depends on what the request did not say).
pub fn write_decision(
    out: &mut Vec<u8>,
    line_no: usize,
    req: &Request,
    id: Option<&str>,
    response: &Response,
    evaluation: Option<&Evaluation>,
    statements: &StatementJson,
) {
    out.extend_from_slice(b"{\"line\":");
    write_usize(out, line_no);
    if let Some(id) = id {
        out.extend_from_slice(b",\"id\":");
        out.extend_from_slice(id.as_bytes());
    }
    out.extend_from_slice(b",\"action\":");
    json_str(out, req.action.as_str());
    out.extend_from_slice(b",\"resource\":");
    json_str(out, req.resource.as_str());
    out.extend_from_slice(b",\"decision\":\"");
    out.extend_from_slice(response.decision.case_name().as_bytes());
    out.extend_from_slice(b"\",\"matchedStatements\":[");
    for (i, r) in response.determining.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(statements.get(*r).unwrap_or("null").as_bytes());
    }
    out.push(b']');
    let layer = if let Some(r) = response.refusal() {
        Some(r.layer_name())
    } else if response.decision == crate::eval::response::Decision::ImplicitDeny {
        response.blocked_by.map(|t| t.as_str())
    } else {
        None
    };
    if let Some(layer) = layer {
        out.extend_from_slice(b",\"blockedBy\":\"");
        out.extend_from_slice(layer.as_bytes());
        out.push(b'"');
    }
    if let Some(e) = evaluation {
        json_list(out, "missingContext", &e.missing_context);
        json_list(out, "notes", &e.notes);
        json_list(out, "conditionErrors", &e.condition_errors);
    }
    out.extend_from_slice(b"}\n");
}

/// Writes an invalid line as `{"line": N, "errors": [<diagnostic>, ...]}`.
pub fn write_error(out: &mut Vec<u8>, line_no: usize, diagnostics: &[Diagnostic]) {
    let _ = write!(out, "{{\"line\":{line_no},\"errors\":");
    let _ = serde_json::to_writer(&mut *out, diagnostics);
    out.extend_from_slice(b"}\n");
}

/// How many callers' contexts a worker keeps.
const RECENT: usize = 8;

/// The requests of one worker. The full context of a line without context
/// of its own depends only on the caller, the resource account and whether
/// the action is S3's (`s3:ResourceAccount`): it is built once and reused
/// for the following lines of the same caller, which saves most of the
/// cost of a request.
#[derive(Debug, Default)]
pub struct Requests {
    /// Completed requests of recent callers, least recent first.
    recent: Vec<Request>,
    /// The request in use, and whether its context may be shared.
    current: Option<(Request, bool)>,
    /// Actions of recent lines (valid ones only), least recent first.
    actions: Vec<Action>,
    /// Principals of recent lines, with their text, least recent first.
    principals: Vec<(String, Principal)>,
}

impl Requests {
    /// The request of a line, completed by `complete` (which adds the
    /// template's context and the defaults) unless a request of the same
    /// caller was completed before.
    pub fn request(
        &mut self,
        mut line: Request,
        own_context: bool,
        complete: impl Fn(Request) -> Request,
    ) -> &Request {
        if let Some((previous, true)) = self.current.take() {
            if self.recent.len() >= RECENT {
                self.recent.remove(0);
            }
            self.recent.push(previous);
        }
        if own_context {
            return &self.current.insert((complete(line), false)).0;
        }
        let s3 = line.action.service() == "s3";
        let found = self.recent.iter().position(|r| {
            r.principal == line.principal
                && r.resource_account == line.resource_account
                && (r.action.service() == "s3") == s3
        });
        let request = match found {
            Some(i) => {
                let mut r = self.recent.remove(i);
                std::mem::swap(&mut r.action, &mut line.action);
                std::mem::swap(&mut r.resource, &mut line.resource);
                r
            }
            None => complete(line),
        };
        &self.current.insert((request, true)).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Request {
        crate::request::builder::RequestBuilder::default()
            .no_defaults(true)
            .build("s3:GetObject", "*")
            .unwrap()
    }

    /// The common-shape reader gives exactly what the full parser gives
    /// whenever it answers, and declines every line the full parser
    /// reports on (so each message still comes from `parse_line`).
    #[test]
    fn the_common_shape_reads_like_the_full_parser() {
        let t = template();
        let answered = [
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
            r#" { "resource" : "arn:aws:s3:::b" ,	"action": "s3:ListBucket" } "#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/é/k","principal":"arn:aws:iam::111122223333:user/app","resource_account":"444455556666","id":"a/b"}"#,
            r#"{"id":0,"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
            r#"{"id":12345,"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
        ];
        // twice each, so the second reading takes the cached action and principal
        let mut requests = Requests::default();
        for line in answered.iter().chain(&answered) {
            let fast = requests.parse_common_line(line, &t, false).expect(line);
            let full = parse_line("f", 1, line, &t, false).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{line}");
        }
        let declined = [
            r#"{"action":"s3:GetObject"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","action":"s3:PutObject"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","extra":"x"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"} x"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k""#,
            r#"{"action":"s3:Get\u004fbject","resource":"arn:aws:s3:::b/k"}"#,
            r#"{"action":"s3:NoSuchThing","resource":"arn:aws:s3:::b/k"}"#,
            r#"{"action":"s3:GetObject","resource":"nope"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resource_account":"12"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","principal":"x"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{}}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","id":007}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","id":1.5}"#,
            "{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/\u{1}\"}",
            "[]",
            "{}",
        ];
        for line in declined {
            assert!(
                Requests::default()
                    .parse_common_line(line, &t, false)
                    .is_none(),
                "{line}"
            );
        }
        // an unknown action is read when the flag allows it
        let line = r#"{"action":"s3:NoSuchThing","resource":"arn:aws:s3:::b/k"}"#;
        let fast = Requests::default()
            .parse_common_line(line, &t, true)
            .unwrap();
        let full = parse_line("f", 1, line, &t, true).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{full:?}"));
    }

    #[test]
    fn strings_and_numbers_are_written_as_serde_json_writes_them() {
        for s in ["plain", "a\"b", "back\\slash", "tab\tx", "é\u{7f}", ""] {
            let mut out = Vec::new();
            json_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        for n in [0usize, 7, 10, 1_000_000, usize::MAX] {
            let mut out = Vec::new();
            write_usize(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }
}
