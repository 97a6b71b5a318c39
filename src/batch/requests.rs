//! One request per JSONL line (`eval --requests`): parsing a line into a
//! [`Request`] and writing its decision as one JSON line.
//!
//! A line is `{"action": ..., "resource": ..., "principal": ...,
//! "resource_account": ..., "context": {...}, "id": ...}` (the request
//! fields of the case format); only `action` and `resource` are required.

use std::io::Write;

use crate::condition::date::Instant;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::eval::acl::Acl;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Response, StatementRef};
use crate::explain::Evaluation;
use crate::json::{self, pointer, Kind, Location, Value};
use crate::matcher::{Action, Resource};
use crate::request::builder::RequestBuilder;
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
    /// The request: the template's principal, resource account and
    /// service-linked-role flag where the line is silent; the context holds
    /// only the line's own keys ([`Completion::complete`] adds the rest).
    pub request: Request,
    /// The line's `id`, as JSON text, echoed in the output.
    pub id: Option<String>,
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
    // `Some(None)`: not given (the flags' holds)
    let principal = match string("principal", &mut bad) {
        Some(Some(p)) => match Principal::parse(p) {
            Ok(p) => Some(Some(p)),
            Err(e) => {
                bad(root.get("principal"), "/principal", e.to_string());
                None
            }
        },
        Some(None) => Some(None),
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
        Some(None) => Some(None),
        None => None,
    };
    let mut context = crate::request::context::Context::new();
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
            let request = line_request(
                template,
                action,
                resource,
                principal,
                resource_account,
                context,
            );
            if let Some(message) = owner_disagreement(&request, root.get("resource_account")) {
                let at = root
                    .get("resource_account")
                    .or_else(|| root.get("resource"));
                let ptr = if root.get("resource_account").is_some() {
                    "/resource_account"
                } else {
                    "/resource"
                };
                errors.push(
                    invalid(name, line_no, text, at.unwrap_or(root).span.start, ptr, message)
                        .with_hint("an access point ARN names its owner's account: leave out the resource account"),
                );
                return Err(errors);
            }
            // a context key that contradicts the caller, as `can` refuses
            // it (spec E-7, `Principal::context_conflicts`): the line's own
            // keys, then the flags' keys the line does not replace
            for c in request.principal.context_conflicts(&request.context) {
                let ptr = pointer::join("/context", &c.key);
                let at = root
                    .get("context")
                    .and_then(Value::as_object)
                    .and_then(|ms| ms.iter().find(|m| *m.key == *c.key))
                    .map_or(root.span.start, |m| m.value.span.start);
                errors.push(
                    invalid(name, line_no, text, at, &ptr, c.message(&request.principal))
                        .with_hint(
                            "leave the key out: s3guard fills in what AWS sends for the caller",
                        ),
                );
            }
            for c in request.principal.context_conflicts(&template.context) {
                if request.context.get(&c.key).is_some() {
                    continue;
                }
                let at = root.get("principal").unwrap_or(root).span.start;
                errors.push(
                    invalid(name, line_no, text, at, "/principal", format!("--context: {}", c.message(&request.principal)))
                        .with_hint("leave the key out of --context: s3guard fills in what AWS sends for each line's caller"),
                );
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            Ok(RequestLine { request, id })
        }
        _ => Err(errors),
    }
}

/// The request of a line, from its fields read: its principal and resource
/// account when it gives them (`None`: the flags', `template`'s), and the
/// flags' `--service-linked-role`, which holds for every line. The one way
/// both readings of a line ([`parse_line`], [`Requests::parse_common_line`])
/// make it.
fn line_request(
    template: &Request,
    action: Action,
    resource: Resource,
    principal: Option<Principal>,
    resource_account: Option<String>,
    context: crate::request::context::Context,
) -> Request {
    Request {
        principal: principal.unwrap_or_else(|| template.principal.clone()),
        action,
        resource,
        resource_account: resource_account.or_else(|| template.resource_account.clone()),
        is_service_linked_role: template.is_service_linked_role,
        context,
    }
}

/// Why the resource account of a request (the line's, or `--resource-account`'s)
/// cannot be: it is not the account an access point ARN names as its owner,
/// which `can` refuses too ([`RequestBuilder::build`]).
fn owner_disagreement(req: &Request, own: Option<&Value>) -> Option<String> {
    let stated = req.resource_account.as_deref()?;
    let owner = req.arn_account().filter(|o| *o != stated)?;
    let whose = if own.is_some() {
        "`resource_account`"
    } else {
        "--resource-account"
    };
    Some(format!(
        "{whose} `{stated}` disagrees with the resource ARN, which names account `{owner}` as its owner"
    ))
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
        // no early exit: the compiler makes this a vector loop
        if s.bytes().fold(false, |control, c| control | (c < 0x20)) {
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
    /// [`parse_line`] for a line of the common shape (see `flat`) that
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
        self.read_common(&flat(text)?, template, allow_unknown_action)
    }

    /// [`Requests::parse_common_line`] of a line already read.
    fn read_common(
        &mut self,
        f: &Flat<'_>,
        template: &Request,
        allow_unknown_action: bool,
    ) -> Option<RequestLine> {
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
            Some(p) => Some(match self.principals.iter().position(|(t, _)| t == p) {
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
            }),
            None => None,
        };
        let resource_account = match f.resource_account {
            Some(a) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => {
                Some(a.to_string())
            }
            Some(_) => return None,
            None => None,
        };
        let request = line_request(
            template,
            action,
            resource,
            principal,
            resource_account,
            crate::request::context::Context::new(),
        );
        if owner_disagreement(&request, None).is_some()
            || !request
                .principal
                .context_conflicts(&template.context)
                .is_empty()
        {
            return None;
        }
        Some(RequestLine {
            request,
            id: f.id.map(str::to_string),
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
    // no early exit: the compiler makes this a vector loop
    let plain = !s.bytes().fold(false, |bad, b| {
        bad | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// A number in decimal, without `fmt`.
fn write_usize(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
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

/// How many renderings of invalid lines a worker keeps.
const RENDERED: usize = 16;

/// Where a location's line number is in a rendered diagnostic: a `"` in a
/// JSON string is always escaped, so this is only ever the structure.
const LOCATION_LINE: &[u8] = b"{\"line\":0,\"column\":";

/// Invalid lines rendered once: many lines of a file often have the same
/// problem at the same column (an action the catalog lacks), and differ
/// only in their line number.
#[derive(Debug, Default)]
pub struct ErrorLines {
    /// The diagnostics (their line numbers 0) and their JSON, cut where
    /// each line number goes.
    rendered: Vec<(Vec<Diagnostic>, Vec<Vec<u8>>)>,
    /// The entry the next new rendering replaces, once full.
    next: usize,
}

impl ErrorLines {
    /// [`write_error`], rendering the diagnostics once for every line
    /// that has the same ones but for the line number.
    pub fn write(&mut self, out: &mut Vec<u8>, line_no: usize, mut diagnostics: Vec<Diagnostic>) {
        let Ok(line) = u32::try_from(line_no) else {
            return write_error(out, line_no, &diagnostics);
        };
        // every location is on this line, or the rendering is not shared
        let on_line = diagnostics.iter().all(|d| {
            d.location.is_none_or(|l| l.line == line) && d.end.is_none_or(|l| l.line == line)
        });
        if !on_line {
            return write_error(out, line_no, &diagnostics);
        }
        for d in &mut diagnostics {
            for l in [&mut d.location, &mut d.end].into_iter().flatten() {
                l.line = 0;
            }
        }
        let at = match self.rendered.iter().position(|(d, _)| *d == diagnostics) {
            Some(at) => at,
            None => {
                let mut json = Vec::new();
                let _ = serde_json::to_writer(&mut json, &diagnostics);
                let mut pieces = Vec::new();
                let mut rest = json.as_slice();
                while let Some(i) = memchr::memmem::find(rest, LOCATION_LINE) {
                    let cut = i + LOCATION_LINE.len() - b"0,\"column\":".len();
                    pieces.push(rest.get(..cut).unwrap_or_default().to_vec());
                    rest = rest.get(cut + 1..).unwrap_or_default();
                }
                pieces.push(rest.to_vec());
                let entry = (diagnostics, pieces);
                if self.rendered.len() < RENDERED {
                    self.rendered.push(entry);
                    self.rendered.len() - 1
                } else {
                    let at = self.next % RENDERED;
                    self.next = at + 1;
                    if let Some(slot) = self.rendered.get_mut(at) {
                        *slot = entry;
                    }
                    at
                }
            }
        };
        let Some((_, pieces)) = self.rendered.get(at) else {
            return;
        };
        out.extend_from_slice(b"{\"line\":");
        write_usize(out, line_no);
        out.extend_from_slice(b",\"errors\":");
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                write_usize(out, line_no);
            }
            out.extend_from_slice(piece);
        }
        out.extend_from_slice(b"}\n");
    }
}

/// How many completed requests a worker keeps.
const SLOTS: usize = 32;

/// How `eval --requests` completes the request of a line, the way `can`
/// builds one from the same flags ([`RequestBuilder::build`]): the flags'
/// context, then the line's own keys (which win), then the ACL the request
/// carries in its headers (E-20), then what AWS derives and the defaults
/// (`RequestBuilder::apply_defaults`, unless `--no-defaults`).
#[derive(Debug, Clone, Copy)]
pub struct Completion<'a> {
    /// The flags' request: its context is every line's starting point.
    pub template: &'a Request,
    /// The flags, for the derived keys and the defaults.
    pub builder: &'a RequestBuilder,
    /// The object's ACL (`--object-acl`), carried by PutObject and PutObjectAcl.
    pub object_acl: Option<&'a Acl>,
    /// The bucket's ACL (`--bucket-acl`), carried by PutBucketAcl and CreateBucket.
    pub bucket_acl: Option<&'a Acl>,
    /// The instant of every request of the run.
    pub at: Option<Instant>,
}

impl Completion<'_> {
    /// The full request of a line whose context holds only its own keys.
    pub fn complete(&self, mut req: Request) -> Request {
        let mut context = self.template.context.clone();
        for e in req.context.entries() {
            context.insert(&e.key, e.value.clone(), e.origin.clone());
        }
        req.context = context;
        // the ACL a PutObject or PutObjectAcl carries is in its headers (E-20)
        crate::eval::acl::set_header_keys(&mut req, self.object_acl, self.bucket_acl);
        if self.builder.fills_defaults() {
            self.builder.apply_defaults(&mut req, self.at);
        }
        req
    }

    /// Whether completing `line` (a request without context keys of its
    /// own) gives the context `completed` has, `completed` being another
    /// line completed by [`Completion::complete`]: everything `complete`
    /// reads of a request besides its context is the same. That is the
    /// caller (the keys derived from it, `aws:ViaAWSService`), whether it is
    /// a service-linked role, the stated resource account (the line's or the
    /// one an access point ARN names: `aws:ResourceAccount`,
    /// `s3:ResourceAccount`), whether the action is S3's
    /// (`s3:ResourceAccount`) and which ACL the action carries in its
    /// headers (`s3:x-amz-acl`, `s3:x-amz-grant-*`). A new dependency of
    /// `complete` on the request belongs here; the property test
    /// `a_reused_context_is_the_one_completion_gives` holds the two together.
    fn same_completion(completed: &Request, line: &Request) -> bool {
        completed.principal == line.principal
            && completed.is_service_linked_role == line.is_service_linked_role
            && completed.stated_resource_account() == line.stated_resource_account()
            && (completed.action.service() == "s3") == (line.action.service() == "s3")
            && crate::eval::acl::acl_carried(completed.action.lower())
                == crate::eval::acl::acl_carried(line.action.lower())
    }
}

/// A completed request, kept for the lines that differ from the one it was
/// read from only in their resource and `id`.
#[derive(Debug)]
struct Slot {
    /// The texts the request was read from: `principal` (`None`: the
    /// flags'), `action`, `resource_account` (`None`: the flags').
    principal: Option<String>,
    action: String,
    resource_account: Option<String>,
    /// The completed request; its resource is the last line's.
    request: Request,
    /// When it was last used (a worker's line count).
    used: u64,
}

impl Slot {
    fn reads(&self, f: &Flat<'_>) -> bool {
        f.action == Some(self.action.as_str())
            && f.principal == self.principal.as_deref()
            && f.resource_account == self.resource_account.as_deref()
    }
}

/// The account an ARN names (`None` for `*`): a line whose resource names
/// the account the slot's does has the same stated resource account.
fn named_account(resource: &Resource) -> Option<&str> {
    resource.arn().map(crate::matcher::Arn::account)
}

/// A line's request, ready to evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Next<'a> {
    /// The completed request.
    pub request: &'a Request,
    /// The line's `id`, as JSON text.
    pub id: Option<&'a str>,
}

/// The requests of one worker. Completing a request (cloning the flags'
/// context, deriving keys) costs more than evaluating it, and building one
/// allocates: a line of the common shape that differs from a recent one
/// only in its resource (and `id`) takes that line's completed request,
/// its resource set in place, when the resource names the same account
/// (then `Completion::same_completion` holds: same caller, action and
/// stated resource account). Other lines without context of their own take
/// the completed context of a recent line for which `same_completion`
/// holds.
#[derive(Debug, Default)]
pub struct Requests {
    /// Completed requests of recent lines of the common shape.
    slots: Vec<Slot>,
    /// Lines seen (the clock of [`Slot::used`]).
    clock: u64,
    /// The request of the current line when it has no slot.
    other: Option<Request>,
    /// The current line's `id`.
    id: String,
    /// Invalid lines rendered.
    pub errors: ErrorLines,
    /// Actions of recent lines (valid ones only), least recent first.
    actions: Vec<Action>,
    /// Principals of recent lines, with their text, least recent first.
    principals: Vec<(String, Principal)>,
}

impl Requests {
    /// Reads and completes one line: its request, or every problem of the
    /// line ([`parse_line`]'s diagnostics).
    pub fn next(
        &mut self,
        name: &str,
        line_no: usize,
        text: &str,
        template: &Request,
        allow_unknown_action: bool,
        completion: &Completion<'_>,
    ) -> Result<Next<'_>, Vec<Diagnostic>> {
        self.clock += 1;
        let Some(f) = flat(text) else {
            let line = parse_line(name, line_no, text, template, allow_unknown_action)?;
            return Ok(self.other(line, completion));
        };
        if let Some(at) = self.slot_for(&f) {
            self.id.clear();
            self.id.push_str(f.id.unwrap_or_default());
            let slot = self.slots.get_mut(at).ok_or_else(Vec::new)?;
            slot.used = self.clock;
            return Ok(Next {
                request: &slot.request,
                id: f.id.map(|_| self.id.as_str()),
            });
        }
        let Some(line) = self.read_common(&f, template, allow_unknown_action) else {
            let line = parse_line(name, line_no, text, template, allow_unknown_action)?;
            return Ok(self.other(line, completion));
        };
        let request = self.completed(line.request, completion);
        let slot = Slot {
            principal: f.principal.map(str::to_string),
            action: f.action.unwrap_or_default().to_string(),
            resource_account: f.resource_account.map(str::to_string),
            request,
            used: self.clock,
        };
        let at = if self.slots.len() < SLOTS {
            self.slots.push(slot);
            self.slots.len() - 1
        } else {
            let oldest = (0..self.slots.len())
                .min_by_key(|&i| self.slots.get(i).map_or(0, |s| s.used))
                .unwrap_or(0);
            if let Some(s) = self.slots.get_mut(oldest) {
                *s = slot;
            }
            oldest
        };
        self.id.clear();
        self.id.push_str(f.id.unwrap_or_default());
        let slot = self.slots.get(at).ok_or_else(Vec::new)?;
        Ok(Next {
            request: &slot.request,
            id: f.id.map(|_| self.id.as_str()),
        })
    }

    /// The slot whose request this line's is but for the resource, with
    /// the line's resource set in place; `None` when there is none, or
    /// when the resource is invalid or names another account.
    fn slot_for(&mut self, f: &Flat<'_>) -> Option<usize> {
        let text = f.resource?;
        let arn = if text == "*" {
            None
        } else {
            Some(crate::matcher::ArnRef::parse(text)?)
        };
        let account = arn.map(|a| a.account());
        let at = self
            .slots
            .iter()
            .position(|s| s.reads(f) && named_account(&s.request.resource) == account)?;
        // the same kind of resource: both `*`, or both ARNs
        match (&mut self.slots.get_mut(at)?.request.resource, arn) {
            (Resource::Arn(old), Some(new)) => old.assign(new),
            (Resource::Wildcard, None) => {}
            _ => return None,
        }
        Some(at)
    }

    /// A line's request completed, with the context of a slot's request
    /// (never one with context of its own) when the completion is the same
    /// (`Completion::same_completion`).
    fn completed(&self, mut line: Request, completion: &Completion<'_>) -> Request {
        if !line.context.is_empty() {
            return completion.complete(line);
        }
        let same = self
            .slots
            .iter()
            .map(|s| &s.request)
            .find(|r| Completion::same_completion(r, &line));
        match same {
            Some(r) => {
                line.context = r.context.clone();
                line
            }
            None => completion.complete(line),
        }
    }

    /// The request of a line that takes no slot.
    fn other(&mut self, line: RequestLine, completion: &Completion<'_>) -> Next<'_> {
        let request = self.completed(line.request, completion);
        self.id.clear();
        let has_id = line.id.is_some();
        self.id.push_str(line.id.as_deref().unwrap_or_default());
        Next {
            request: self.other.insert(request),
            id: has_id.then_some(self.id.as_str()),
        }
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

    /// What `eval --requests` does with the lines of a file: each line
    /// parsed and completed by one worker in order, or its problems.
    fn run_lines(
        builder: &RequestBuilder,
        object_acl: Option<&Acl>,
        bucket_acl: Option<&Acl>,
        lines: &[String],
    ) -> Vec<(Option<Request>, Option<Request>)> {
        let template = builder
            .clone()
            .no_defaults(true)
            .build("s3:GetObject", "*")
            .unwrap();
        let completion = Completion {
            template: &template,
            builder,
            object_acl,
            bucket_acl,
            at: builder.time().unwrap(),
        };
        let mut requests = Requests::default();
        lines
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let batch = requests
                    .next("f", i + 1, text, &template, true, &completion)
                    .ok()
                    .map(|n| (n.request.clone(), n.id.map(str::to_string)));
                // the same line alone: parsed by the full parser, completed afresh
                let fresh = parse_line("f", i + 1, text, &template, true)
                    .ok()
                    .map(|l| (completion.complete(l.request), l.id));
                let ids = |r: &Option<(Request, Option<String>)>| r.as_ref().map(|r| r.1.clone());
                assert_eq!(ids(&batch), ids(&fresh), "the id of line {}: {text}", i + 1);
                (batch.map(|r| r.0), fresh.map(|r| r.0))
            })
            .collect()
    }

    fn object_acl(canned: &str) -> Acl {
        Acl::parse(&[canned.to_string()]).unwrap()
    }

    /// A line never takes keys that belong to the line before it: the ACL a
    /// PutObject carries in its headers (E-20) is not a GetObject's, and an
    /// access point ARN names its owner, the resource account (AP-1).
    #[test]
    fn a_line_does_not_inherit_the_keys_of_the_line_before() {
        let builder = RequestBuilder::new()
            .principal("arn:aws:iam::111122223333:user/app")
            .at("2025-01-31T12:00:00Z");
        let acl = object_acl("public-read");
        let lines: Vec<String> = [
            r#"{"action":"s3:PutObject","resource":"arn:aws:s3:::b/k"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
            r#"{"action":"s3:PutObject","resource":"arn:aws:s3:::b/k"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:us-east-1:444455556666:accesspoint/ap/object/k"}"#,
            r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
        ]
        .map(String::from)
        .to_vec();
        let out = run_lines(&builder, Some(&acl), None, &lines);
        let key = |i: usize, k: &str| {
            out[i]
                .0
                .as_ref()
                .unwrap()
                .context
                .get(k)
                .map(|e| e.value.values().to_vec())
        };
        let one = |s: &str| Some(vec![s.to_string()]);
        assert_eq!(key(0, "s3:x-amz-acl"), one("public-read"));
        assert_eq!(key(1, "s3:x-amz-acl"), None);
        assert_eq!(key(2, "s3:x-amz-acl"), one("public-read"));
        assert_eq!(key(3, "aws:ResourceAccount"), one("444455556666"));
        assert_eq!(key(3, "s3:ResourceAccount"), one("444455556666"));
        assert_eq!(key(4, "aws:ResourceAccount"), one("111122223333"));
        for (batch, fresh) in out {
            assert_eq!(batch, fresh);
        }
    }

    #[test]
    fn a_resource_account_other_than_the_access_points_owner_is_refused() {
        let t = template();
        let line = r#"{"action":"s3:GetObject","resource":"arn:aws:s3:us-east-1:444455556666:accesspoint/ap","resource_account":"111122223333"}"#;
        assert!(Requests::default()
            .parse_common_line(line, &t, false)
            .is_none());
        let errors = parse_line("f", 1, line, &t, false).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer.as_deref(), Some("/resource_account"));
        assert!(errors[0].message.contains("`444455556666`"), "{errors:?}");
        // the owner itself is fine
        let line = line.replace("111122223333", "444455556666");
        assert!(parse_line("f", 1, &line, &t, false).is_ok());
    }

    /// `--service-linked-role` holds for every line, as for `can` (E-4: SCPs
    /// and RCPs do not restrict such callers).
    #[test]
    fn the_service_linked_role_flag_holds_for_every_line() {
        let t = RequestBuilder::new()
            .service_linked_role(true)
            .no_defaults(true)
            .build("s3:GetObject", "*")
            .unwrap();
        let line = r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#;
        let full = parse_line("f", 1, line, &t, false).unwrap();
        assert!(full.request.is_service_linked_role);
        let fast = Requests::default()
            .parse_common_line(line, &t, false)
            .unwrap();
        assert!(fast.request.is_service_linked_role);
    }

    mod reuse {
        use super::*;
        use proptest::prelude::*;

        const ACTIONS: &[&str] = &[
            "s3:GetObject",
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:PutBucketAcl",
            "s3:CreateBucket",
            "s3:ListBucket",
            "ec2:RunInstances",
        ];
        const RESOURCES: &[&str] = &[
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b",
            "*",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k",
            "arn:aws:s3:us-east-1:444455556666:accesspoint/ap",
            "arn:aws:s3:us-east-1:444455556666:accesspoint/ap/object/k",
        ];
        const PRINCIPALS: &[Option<&str>] = &[
            None,
            Some("arn:aws:iam::111122223333:user/app"),
            Some("arn:aws:sts::444455556666:assumed-role/r/s"),
            Some("anonymous"),
            Some("cloudtrail.amazonaws.com"),
        ];
        const ACCOUNTS: &[Option<&str>] = &[None, Some("111122223333"), Some("444455556666")];
        const CONTEXTS: &[Option<&str>] = &[
            None,
            Some(r#"{"aws:SourceIp":"203.0.113.9"}"#),
            Some(r#"{"s3:x-amz-acl":"private"}"#),
            Some("{}"),
        ];

        fn line((a, r, p, ra, c): (usize, usize, usize, usize, usize)) -> String {
            let mut s = format!(
                r#"{{"action":"{}","resource":"{}""#,
                ACTIONS[a], RESOURCES[r]
            );
            match (a + r + p) % 3 {
                0 => s.push_str(&format!(r#","id":{}"#, a * 100 + r)),
                1 => s.push_str(&format!(r#","id":"l-{a}-{r}""#)),
                _ => {}
            }
            if let Some(p) = PRINCIPALS[p] {
                s.push_str(&format!(r#","principal":"{p}""#));
            }
            if let Some(ra) = ACCOUNTS[ra] {
                s.push_str(&format!(r#","resource_account":"{ra}""#));
            }
            if let Some(c) = CONTEXTS[c] {
                s.push_str(&format!(r#","context":{c}"#));
            }
            s.push('}');
            s
        }

        proptest! {
            /// Whatever the order of the lines, each line's request in a
            /// batch (parsed by the common-shape reader where it can, its
            /// context reused from a recent line where `same_completion`
            /// says so) is the request that line alone gives: parsed by the
            /// full parser and completed afresh.
            #[test]
            fn a_reused_context_is_the_one_completion_gives(
                picks in proptest::collection::vec(
                    (0..ACTIONS.len(), 0..RESOURCES.len(), 0..PRINCIPALS.len(),
                     0..ACCOUNTS.len(), 0..CONTEXTS.len()),
                    1..40,
                ),
                flags_principal in 0..PRINCIPALS.len(),
                flags_account in 0..ACCOUNTS.len(),
                no_defaults in any::<bool>(),
                service_linked in any::<bool>(),
                object in proptest::option::of(0..2usize),
                bucket in proptest::option::of(0..2usize),
            ) {
                let mut builder = RequestBuilder::new()
                    .at("2025-01-31T12:00:00Z")
                    .region("us-east-1")
                    .no_defaults(no_defaults)
                    .service_linked_role(service_linked)
                    .context("aws:SourceVpc", "vpc-1");
                if let Some(p) = PRINCIPALS[flags_principal] {
                    builder = builder.principal(p);
                }
                if let Some(a) = ACCOUNTS[flags_account] {
                    builder = builder.resource_account(a);
                }
                let canned = ["public-read", "bucket-owner-full-control"];
                let object = object.map(|i| object_acl(canned[i]));
                let bucket = bucket.map(|i| object_acl(canned[i]));
                let lines: Vec<String> = picks.into_iter().map(line).collect();
                let out = run_lines(&builder, object.as_ref(), bucket.as_ref(), &lines);
                for (i, (batch, fresh)) in out.into_iter().enumerate() {
                    prop_assert_eq!(batch, fresh, "line {}: {}", i + 1, &lines[i]);
                }
            }
        }
    }

    /// An invalid line rendered from an earlier rendering reads exactly as
    /// one rendered on its own, for the same problems on other lines, for
    /// messages that spell out a location, and for diagnostics elsewhere.
    #[test]
    fn invalid_lines_rendered_once_read_as_rendered_alone() {
        let t = template();
        let mut errors = ErrorLines::default();
        let lines = [
            r#"{"action":"ec2:RunInstances","resource":"arn:aws:s3:::b/k"}"#,
            r#"{"action":"ec2:RunInstances","resource":"arn:aws:s3:::b/other"}"#,
            r#"{"action":"s3:GetObject","resource":"nope {\"line\":0,\"column\":"}"#,
            r#"{"action":"s3:GetObject","resource":"x","principal":"y","contxt":1}"#,
            "{oops",
        ];
        for round in 0..3 {
            for (i, text) in lines.iter().enumerate() {
                let line_no = round * 1000 + i + 1;
                let diags = parse_line("f.jsonl", line_no, text, &t, false).unwrap_err();
                let mut alone = Vec::new();
                write_error(&mut alone, line_no, &diags);
                let mut shared = Vec::new();
                errors.write(&mut shared, line_no, diags);
                assert_eq!(
                    String::from_utf8(shared).unwrap(),
                    String::from_utf8(alone).unwrap()
                );
            }
        }
        assert_eq!(
            errors.rendered.len(),
            4,
            "the two unknown actions share one"
        );
        // a diagnostic on another line is never shared
        let elsewhere = vec![Diagnostic::error("X", "m").at(location(3, "abc", 1))];
        let mut alone = Vec::new();
        write_error(&mut alone, 9, &elsewhere);
        let mut shared = Vec::new();
        errors.write(&mut shared, 9, elsewhere);
        assert_eq!(shared, alone);
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
