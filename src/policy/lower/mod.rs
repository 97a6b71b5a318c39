//! Lowering: from the spanned JSON tree to a validated [`Policy`], with every
//! problem reported at its place (spec G-1..G-13, V-6, C-14 load-time part).

mod condition;
mod patterns;
mod plain;
mod principal;

use std::borrow::Cow;
use std::sync::Arc;

use smallvec::SmallVec;

use super::statement::{Effect, Statement, StatementLocation};
use super::{LoadError, LoadOptions, Policy, PolicyType, Version};
use crate::condition::Condition;
use crate::diagnostic::{did_you_mean, did_you_mean_hint, Diagnostic, Severity};
use crate::json::{pointer, Document, Kind, Member, Span, Value};

const TOP_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Position of a statement element's name in [`STATEMENT_KEYS`]; inlined,
/// so that the look-up of a constant name is a constant.
#[inline(always)]
fn element_index(key: &str) -> Option<usize> {
    Some(match key {
        "Sid" => 0,
        "Effect" => 1,
        "Principal" => 2,
        "NotPrincipal" => 3,
        "Action" => 4,
        "NotAction" => 5,
        "Resource" => 6,
        "NotResource" => 7,
        "Condition" => 8,
        _ => return None,
    })
}

/// The elements of one statement, found in one pass over its members
/// (lowering asks for each several times).
pub(super) struct Elements<'v> {
    /// The statement's span.
    pub(super) span: Span,
    /// The value of each element of [`STATEMENT_KEYS`], when present.
    slots: [Option<&'v Value>; STATEMENT_KEYS.len()],
}

impl<'v> Elements<'v> {
    /// The element named `key` (exact spelling), when the statement has it.
    #[inline(always)]
    pub(super) fn get(&self, key: &str) -> Option<&'v Value> {
        self.slots.get(element_index(key)?).copied().flatten()
    }
}

struct Lowerer<'a> {
    doc: &'a Document,
    options: LoadOptions,
    variables: bool,
    diags: &'a mut Vec<Diagnostic>,
    /// Errors found (kept or not).
    errors: usize,
    /// Diagnostics past [`MAX_PER_POLICY`](crate::diagnostic::MAX_PER_POLICY), counted only.
    dropped: usize,
    /// Wildcard action patterns of catalog services already checked
    /// against the catalog, with the answer (the first few distinct texts:
    /// a policy repeats its patterns from statement to statement).
    wildcards_checked: Vec<(String, bool)>,
    /// The pointer of the `Statement` element the statements' locations
    /// share, when it is not [`STATEMENT_POINTER`].
    statements_pointer: Option<Arc<str>>,
    /// Whether this is the plain reader's lowerer ([`plain`]), whose
    /// diagnostics are never shown (it declines on the first, and the
    /// tree's way reports it): no suggestion is searched for.
    probing: bool,
}

/// Up to this many statements, a repeated `Sid` is found by comparing each
/// with the ones before it (a few comparisons; a hash set cost about 770
/// instructions to make, seed and fill for the two statements of a small
/// policy).
const SIDS_SCANNED: usize = 16;

/// The positions of the items whose key an item before them has, in order
/// (an item without a key repeats nothing): by comparing each key with
/// those before it (`by_scan`) or with a hash set.
fn repeated<'a, T>(
    items: &'a [T],
    key: impl Fn(&'a T) -> Option<&'a str>,
    by_scan: bool,
) -> SmallVec<[usize; 2]> {
    let mut out = SmallVec::new();
    if by_scan {
        for (at, item) in items.iter().enumerate() {
            let Some(k) = key(item) else { continue };
            let before = items.get(..at).unwrap_or_default();
            if before.iter().any(|b| key(b) == Some(k)) {
                out.push(at);
            }
        }
    } else {
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        for (at, item) in items.iter().enumerate() {
            if key(item).is_some_and(|k| !seen.insert(k)) {
                out.push(at);
            }
        }
    }
    out
}

/// Whether `sid` may be the `Sid` of a statement of a `ptype` policy: in
/// IAM policies only ASCII letters and digits (G-5); any string elsewhere.
#[inline]
fn sid_allowed(ptype: PolicyType, sid: &str) -> bool {
    !ptype.is_iam() || crate::matcher::bytes::all_ascii_alphanumeric(sid.as_bytes())
}

/// The positions of the statements whose `Sid` a statement before them
/// has (G-5), for the tree's report and the plain reader's decline.
fn repeated_sids(statements: &[Statement]) -> SmallVec<[usize; 2]> {
    let by_scan = statements.len() <= SIDS_SCANNED;
    repeated(statements, |s| s.sid.as_deref(), by_scan)
}

/// The pointer of the `Statement` element of a policy at its document's root.
const STATEMENT_POINTER: &str = "/Statement";

/// The pointers of the first statements of a `Statement` array at
/// [`STATEMENT_POINTER`], written out: a policy at its document's root
/// (almost every one) writes none of its statements' pointers.
const STATEMENT_POINTERS: [&str; 16] = [
    "/Statement/0",
    "/Statement/1",
    "/Statement/2",
    "/Statement/3",
    "/Statement/4",
    "/Statement/5",
    "/Statement/6",
    "/Statement/7",
    "/Statement/8",
    "/Statement/9",
    "/Statement/10",
    "/Statement/11",
    "/Statement/12",
    "/Statement/13",
    "/Statement/14",
    "/Statement/15",
];

/// How many distinct wildcard texts [`Lowerer`] remembers.
const WILDCARDS_REMEMBERED: usize = 32;

pub(super) use plain::lower_plain;

pub(super) fn lower(
    doc: Arc<Document>,
    root: &Value,
    base: String,
    options: LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> Result<Policy, LoadError> {
    lower_with(doc, root, base, options, diags)
}

fn lower_with(
    doc: Arc<Document>,
    root: &Value,
    base: String,
    options: LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> Result<Policy, LoadError> {
    let version;
    let mut id = None;
    let mut statements = Vec::new();
    {
        let mut l = Lowerer::new(&doc, options, diags);
        let Some(members) = root.as_object() else {
            l.emit(
                Severity::Error,
                "JSON_SYNTAX_ERROR",
                format!("a policy must be a JSON object, found {}", root.type_name()),
                root.span,
                &base,
                Some("write {\"Version\": \"2012-10-17\", \"Statement\": [...]}".into()),
            );
            l.note_dropped();
            return Err(finish(std::mem::take(l.diags)));
        };
        let [version_value, id_value, statement_value] = l.top_elements(members, &base);
        version = l.version(version_value, root.span, &base);
        l.variables = version.has_variables();
        if let Some(v) = id_value {
            let p = pointer::join(&base, "Id");
            if v.as_str().is_none() {
                l.type_error(v, &p, "a string");
            } else {
                id = v.as_str().map(str::to_string);
                if options.policy_type == PolicyType::Identity {
                    l.emit(
                        Severity::Warning,
                        "ID_IN_IDENTITY_POLICY",
                        "IAM rejects `Id` in identity-based policies".into(),
                        v.span,
                        &p,
                        Some("remove `Id`; it has no effect on evaluation".into()),
                    );
                }
            }
        }
        match statement_value {
            None => l.emit(
                Severity::Error,
                "MISSING_STATEMENT",
                "the policy has no `Statement`".into(),
                root.span,
                &base,
                Some(
                    "add \"Statement\": [{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}]"
                        .into(),
                ),
            ),
            Some(st) => {
                // a policy at the document's root (almost every one) has
                // the pointer its statements' locations assume
                let sp: Cow<'static, str> = match base.is_empty() {
                    true => Cow::Borrowed(STATEMENT_POINTER),
                    false => Cow::Owned(pointer::join(&base, "Statement")),
                };
                l.statements_pointer = match base.is_empty() {
                    true => None,
                    false => Some(Arc::from(&*sp)),
                };
                match &st.kind {
                    Kind::Object(_) => {
                        statements = Vec::with_capacity(1);
                        if let Some(s) = l.statement(st, None, &sp) {
                            statements.push(s);
                        }
                    }
                    Kind::Array(items) => {
                        if items.is_empty() {
                            l.emit(
                                Severity::Suggestion,
                                "EMPTY_ARRAY_STATEMENT",
                                "`Statement` is an empty array: the policy grants and denies nothing".into(),
                                st.span,
                                &sp,
                                None,
                            );
                        }
                        // allocated at once (`reserve_exact` on the empty
                        // vector took the grow path: twice the instructions)
                        statements = Vec::with_capacity(items.len());
                        // each statement's pointer: a constant for the
                        // first statements at the document's root, else
                        // written in one buffer (`pointer::join_index` of
                        // each allocated), made on the first such statement
                        let mut ip = String::new();
                        for (i, item) in items.iter().enumerate() {
                            let written = match STATEMENT_POINTERS.get(i) {
                                Some(&p) if base.is_empty() => p,
                                _ => {
                                    ip.clear();
                                    ip.push_str(&sp);
                                    ip.push('/');
                                    ip.push_str(itoa::Buffer::new().format(i));
                                    &ip
                                }
                            };
                            if item.as_object().is_none() {
                                l.type_error(item, written, "a statement object");
                                continue;
                            }
                            if let Some(s) = l.statement(item, Some(i), written) {
                                statements.push(s);
                            }
                        }
                    }
                    _ => l.type_error(st, &sp, "a statement object or an array of them"),
                }
            }
        }
        l.unique_sids(&statements, root);
        l.note_dropped();
    }
    let mut skipped = Vec::new();
    if diags.iter().any(Diagnostic::is_error) {
        if !options.lenient || root.get("Statement").is_none() {
            return Err(finish(std::mem::take(diags)));
        }
        let (errors, rest): (Vec<_>, Vec<_>) = std::mem::take(diags)
            .into_iter()
            .partition(Diagnostic::is_error);
        skipped = errors;
        *diags = rest;
    }
    Ok(Policy {
        name: doc.name().to_string(),
        policy_type: options.policy_type,
        version,
        id,
        statements,
        warnings: std::mem::take(diags),
        skipped,
        document: doc,
        base_pointer: base,
    })
}

/// The place of an element: its parent's pointer and, for a member, its
/// key. Written out only for a message (most elements never need one).
#[derive(Debug, Clone, Copy)]
pub(super) struct Place<'p> {
    parent: &'p str,
    key: Option<&'p str>,
}

impl<'p> Place<'p> {
    /// The element whose pointer is `pointer`.
    pub(super) fn at(pointer: &'p str) -> Place<'p> {
        Place {
            parent: pointer,
            key: None,
        }
    }

    /// The member `key` of the object at `parent`.
    pub(super) fn member(parent: &'p str, key: &'p str) -> Place<'p> {
        Place {
            parent,
            key: Some(key),
        }
    }

    /// The element's JSON pointer.
    pub(super) fn pointer(&self) -> String {
        match self.key {
            Some(key) => pointer::join(self.parent, key),
            None => self.parent.to_string(),
        }
    }
}

/// The place of an entry of an element: the element's place and, in an
/// array, the entry's index. The pointer is written out only for a
/// message (most entries never need one).
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'p> {
    element: Place<'p>,
    index: Option<usize>,
}

impl<'p> At<'p> {
    fn new(element: Place<'p>, index: Option<usize>) -> At<'p> {
        At { element, index }
    }

    /// The entry's JSON pointer.
    pub(super) fn pointer(&self) -> String {
        let element = self.element.pointer();
        match self.index {
            Some(i) => pointer::join_index(&element, i),
            None => element,
        }
    }
}

fn finish(mut diags: Vec<Diagnostic>) -> LoadError {
    diags.sort_by_key(|d| (d.severity, d.location.map(|l| l.offset)));
    LoadError { diagnostics: diags }
}

impl<'a> Lowerer<'a> {
    /// A lowerer of `doc` that reports into `diags`.
    fn new(doc: &'a Document, options: LoadOptions, diags: &'a mut Vec<Diagnostic>) -> Lowerer<'a> {
        Lowerer {
            doc,
            options,
            variables: false,
            diags,
            errors: 0,
            dropped: 0,
            wildcards_checked: Vec::new(),
            statements_pointer: None,
            probing: false,
        }
    }
}

impl Lowerer<'_> {
    fn emit(
        &mut self,
        severity: Severity,
        code: &'static str,
        message: String,
        span: Span,
        ptr: &str,
        hint: Option<String>,
    ) {
        if severity == Severity::Error {
            self.errors += 1;
        }
        if self.diags.len() >= crate::diagnostic::MAX_PER_POLICY {
            self.dropped += 1;
            return;
        }
        let mut d = Diagnostic::new(severity, code, message)
            .in_file(self.doc.name())
            .at(self.doc.location(span.start))
            .with_pointer(ptr);
        d.end = Some(self.doc.location(span.end));
        d.hint = hint;
        self.diags.push(d);
    }

    fn error(&mut self, code: &'static str, message: String, span: Span, ptr: &str, hint: &str) {
        self.emit(
            Severity::Error,
            code,
            message,
            span,
            ptr,
            Some(hint.to_string()),
        );
    }

    fn type_error(&mut self, v: &Value, ptr: &str, expected: &str) {
        self.error(
            "INVALID_ELEMENT_TYPE",
            format!("expected {expected}, found {}", v.type_name()),
            v.span,
            ptr,
            &format!("write {expected} here"),
        );
    }

    /// The values of `Version`, `Id` and `Statement` (the first member of
    /// each name, as `Value::get` finds it), in one pass over the policy's
    /// members (three `get` searches and a check of every key against
    /// [`TOP_KEYS`] were about 250 instructions); reports the members that
    /// are none of them, in order.
    fn top_elements<'v>(&mut self, members: &'v [Member], base: &str) -> [Option<&'v Value>; 3] {
        let mut found = [None; 3];
        for m in members {
            let slot = match m.key.as_str() {
                "Version" => found.get_mut(0),
                "Id" => found.get_mut(1),
                "Statement" => found.get_mut(2),
                _ => None,
            };
            match slot {
                Some(slot) => {
                    slot.get_or_insert(&m.value);
                }
                None => self.unknown_key(m, TOP_KEYS, base, "top-level element"),
            }
        }
        found
    }

    /// A statement's elements, in one pass over its members; reports the
    /// members that are no statement element.
    fn elements<'v>(&mut self, span: Span, members: &'v [Member], sp: &str) -> Elements<'v> {
        let mut st = Elements {
            span,
            slots: [None; STATEMENT_KEYS.len()],
        };
        for m in members {
            match element_index(&m.key).and_then(|i| st.slots.get_mut(i)) {
                // the parser dropped repeated keys: each slot is set once
                Some(slot) => *slot = Some(&m.value),
                None => self.unknown_key(m, STATEMENT_KEYS, sp, "statement element"),
            }
        }
        st
    }

    /// Reports `m`, a member whose key is not among `allowed`.
    fn unknown_key(&mut self, m: &Member, allowed: &[&str], base: &str, what: &str) {
        let p = pointer::join(base, &m.key);
        let hint = match allowed.iter().find(|a| a.eq_ignore_ascii_case(&m.key)) {
            Some(exact) => format!("element names are case-sensitive: write `{exact}`"),
            None => match did_you_mean(&m.key, allowed.iter().copied()) {
                Some(s) => did_you_mean_hint(&m.key, s),
                None => format!("allowed here: {}", allowed.join(", ")),
            },
        };
        self.error(
            "INVALID_POLICY_ELEMENT",
            format!("unknown {what} `{}`", m.key),
            m.key_span,
            &p,
            &hint,
        );
    }

    /// The policy's `Version` from its value (`value`; `None` when absent,
    /// reported at the policy's span `root`).
    fn version(&mut self, value: Option<&Value>, root: Span, base: &str) -> Version {
        let p = || pointer::join(base, "Version");
        match value {
            None => {
                self.emit(
                    Severity::Warning,
                    "MISSING_VERSION",
                    "no `Version`: policy variables such as ${aws:username} are literal text"
                        .into(),
                    root,
                    base,
                    Some("add \"Version\": \"2012-10-17\"".into()),
                );
                Version::Missing
            }
            Some(v) => match v.as_str().map(|text| (text, Version::from_element(text))) {
                Some((_, Some(version))) => version,
                Some((other, None)) => {
                    self.error(
                        "INVALID_VERSION",
                        format!("unknown policy version `{other}`"),
                        v.span,
                        &p(),
                        "use \"2012-10-17\" (or the legacy \"2008-10-17\")",
                    );
                    Version::V2012_10_17
                }
                None => {
                    self.type_error(v, &p(), "a string such as \"2012-10-17\"");
                    Version::V2012_10_17
                }
            },
        }
    }

    /// The statement `value`: the one `Statement` object (`index` `None`)
    /// or entry `index` of the `Statement` array; `sp` is its pointer.
    fn statement(&mut self, value: &Value, index: Option<usize>, sp: &str) -> Option<Statement> {
        let members = value.as_object()?;
        let errors_before = self.error_count();
        let st = &self.elements(value.span, members, sp);
        let ptype = self.options.policy_type;

        // an element's pointer is written only for a message
        let sid = st.get("Sid").and_then(|v| {
            let p = || pointer::join(sp, "Sid");
            match v.as_str() {
                None => {
                    self.type_error(v, &p(), "a string");
                    None
                }
                Some(s) => {
                    if !sid_allowed(ptype, s) {
                        self.error(
                            "INVALID_SID",
                            format!("`Sid` `{s}` may only contain ASCII letters and digits in IAM policies"),
                            v.span,
                            &p(),
                            "remove spaces, hyphens and other characters",
                        );
                    }
                    Some(s.to_string())
                }
            }
        });

        let effect = match st.get("Effect") {
            None => {
                self.error(
                    "MISSING_EFFECT",
                    "statement has no `Effect`".into(),
                    st.span,
                    sp,
                    "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
                );
                None
            }
            Some(v) => {
                let p = || pointer::join(sp, "Effect");
                match v.as_str().map(|text| (text, Effect::from_element(text))) {
                    Some((_, Some(effect))) => Some(effect),
                    Some((other, None)) => {
                        let hint = if other.eq_ignore_ascii_case("allow") {
                            "`Effect` is case-sensitive: write \"Allow\"".to_string()
                        } else if other.eq_ignore_ascii_case("deny") {
                            "`Effect` is case-sensitive: write \"Deny\"".to_string()
                        } else {
                            "use \"Allow\" or \"Deny\"".to_string()
                        };
                        self.error(
                            "INVALID_EFFECT",
                            format!("`Effect` must be `Allow` or `Deny`, found `{other}`"),
                            v.span,
                            &p(),
                            &hint,
                        );
                        None
                    }
                    None => {
                        self.type_error(v, &p(), "\"Allow\" or \"Deny\"");
                        None
                    }
                }
            }
        };

        if ptype == PolicyType::Rcp {
            self.rcp_limits(st, sp, effect);
        }
        let principal = self.principal(st, sp, effect);
        let action = self.actions(st, sp);
        let resource = self.resources(st, sp);
        let condition = match st.get("Condition") {
            None => Condition::default(),
            Some(c) => self.condition(c, sp),
        };
        if self.error_count() > errors_before {
            return None;
        }
        Some(Statement {
            index: index.unwrap_or(0),
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource: resource?,
            condition,
            // offsets now, lines and columns when shown
            location: StatementLocation::new(
                self.doc.file().clone(),
                (
                    self.doc.file_offset(st.span.start),
                    self.doc.file_offset(st.span.end),
                ),
                self.statements_pointer.clone(),
                index.map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
            ),
        })
    }

    /// AWS Organizations, "RCP syntax": `Allow` is supported only in the AWS
    /// managed `RCPFullAWSAccess` (Allow, Principal `*`, Action `*`, Resource
    /// `*`, no condition), and a customer managed RCP cannot use `*` in its
    /// `Action` (nor `*:*` or another all-wildcard service prefix, which
    /// means the same).
    /// `Principal` (`*` only) and `NotAction`/`NotPrincipal` (absent) are
    /// checked with their elements.
    fn rcp_limits(&mut self, st: &Elements<'_>, sp: &str, effect: Option<Effect>) {
        let is_star = |key: &str| match st.get(key).map(|v| &v.kind) {
            Some(Kind::String(s)) => s == "*",
            Some(Kind::Array(items)) => {
                !items.is_empty() && items.iter().all(|i| i.as_str() == Some("*"))
            }
            _ => false,
        };
        if effect == Some(Effect::Allow)
            && is_star("Principal")
            && is_star("Action")
            && is_star("Resource")
            && st.get("Condition").is_none()
        {
            return; // RCPFullAWSAccess
        }
        if let (Some(Effect::Allow), Some(v)) = (effect, st.get("Effect")) {
            self.error(
                "INVALID_RCP_EFFECT",
                "a customer managed RCP can only deny: `Allow` exists only in the AWS managed RCPFullAWSAccess".into(),
                v.span,
                &pointer::join(sp, "Effect"),
                "write \"Effect\": \"Deny\" with the conditions under which to deny; RCPFullAWSAccess is implicit at every level",
            );
        }
        let Some(action) = st.get("Action") else {
            return;
        };
        let ap = pointer::join(sp, "Action");
        let items: Vec<(&Value, String)> = match &action.kind {
            Kind::String(_) => vec![(action, ap)],
            Kind::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (item, pointer::join(&ap, i.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        for (item, ip) in items {
            let Some(text) = item.as_str() else { continue };
            let service = text.split_once(':').map_or(text, |(svc, _)| svc);
            if service.chars().all(|c| c == '*' || c == '?') {
                self.error(
                    "INVALID_RCP_ACTION",
                    format!("a customer managed RCP cannot use `{text}` in `Action`: it must name the service"),
                    item.span,
                    &ip,
                    "name the service's actions, e.g. \"s3:*\" (RCPs apply to S3, STS, KMS, SQS, Secrets Manager and a few other services)",
                );
            }
        }
    }

    fn error_count(&self) -> usize {
        self.errors
    }

    /// The catalog's did-you-mean for an action, unless the diagnostic it
    /// is for will not be kept (past the cap the search is not worth it:
    /// a list of 200,000 bad actions would search the catalog each time).
    fn suggest_action(&self, text: &str) -> Option<String> {
        if self.probing || self.diags.len() >= crate::diagnostic::MAX_PER_POLICY {
            return None;
        }
        crate::catalog::catalog().suggest(text).map(str::to_string)
    }

    /// One error saying how many diagnostics were past the cap.
    fn note_dropped(&mut self) {
        if self.dropped > 0 {
            self.diags.push(
                Diagnostic::error(
                    "TOO_MANY_DIAGNOSTICS",
                    format!(
                        "… and {} more problems in this policy (s3guard lists the first {})",
                        self.dropped,
                        crate::diagnostic::MAX_PER_POLICY
                    ),
                )
                .in_file(self.doc.name())
                .with_hint("fix the first ones: they are often the same mistake repeated"),
            );
            self.dropped = 0;
        }
    }

    /// The one of the two elements `names` the statement has, with
    /// whether it is the second (`NotAction`, …); reports both present.
    /// Inlined: the names are constants at each call, so each element is
    /// a constant slot (out of line, a call and two look-ups by name cost
    /// about 60 instructions).
    #[inline(always)]
    fn exclusive<'v>(
        &mut self,
        st: &Elements<'v>,
        sp: &str,
        names: (&'static str, &'static str),
    ) -> Option<(bool, &'v Value)> {
        match (st.get(names.0), st.get(names.1)) {
            (Some(_), Some(v)) => {
                self.both_elements(v, sp, names);
                None
            }
            (Some(v), None) => Some((false, v)),
            (None, Some(v)) => Some((true, v)),
            (None, None) => None,
        }
    }

    /// Reports a statement with both elements `names` (`v` the second).
    #[cold]
    #[inline(never)]
    fn both_elements(&mut self, v: &Value, sp: &str, names: (&'static str, &'static str)) {
        self.error(
            "UNSUPPORTED_ELEMENT_COMBINATION",
            format!(
                "a statement cannot have both `{}` and `{}`",
                names.0, names.1
            ),
            v.span,
            &pointer::join(sp, names.1),
            &format!("keep one of `{}` and `{}`", names.0, names.1),
        );
    }

    /// A string or an array of strings, each with its value and place;
    /// reports other shapes.
    fn strings<'v, 'p>(
        &mut self,
        v: &'v Value,
        p: Place<'p>,
        element: &str,
    ) -> Vec<(&'v str, &'v Value, At<'p>)> {
        let items = self.string_items(v, p, element);
        // sized to the entries (a filtered `collect` starts empty)
        let mut out = Vec::with_capacity(items.size_hint().0);
        out.extend(items.filter_map(|(item, at)| item.as_str().map(|s| (s, item, at))));
        out
    }

    /// The entries of a string or an array of strings, each with its
    /// place (those that are not strings too: callers skip them), after
    /// reporting what [`Lowerer::strings`] reports, in the same order;
    /// no list is made (an `Action` element of 2,900 entries made one of
    /// 72-byte tuples).
    fn string_items<'v, 'p>(
        &mut self,
        v: &'v Value,
        p: Place<'p>,
        element: &str,
    ) -> impl Iterator<Item = (&'v Value, At<'p>)> {
        let (items, single): (&'v [Value], bool) = match &v.kind {
            Kind::String(_) => (std::slice::from_ref(v), true),
            Kind::Array(items) => {
                self.check_string_array(v, items, p, element);
                (items.as_slice(), false)
            }
            _ => {
                self.type_error(v, &p.pointer(), "a string or an array of strings");
                (&[], false)
            }
        };
        items
            .iter()
            .enumerate()
            .map(move |(i, item)| (item, At::new(p, (!single).then_some(i))))
    }

    /// Reports an empty array and the entries that are not strings.
    fn check_string_array(&mut self, v: &Value, items: &[Value], p: Place<'_>, element: &str) {
        if items.is_empty() {
            self.emit(
                Severity::Suggestion,
                match element {
                    "Action" | "NotAction" => "EMPTY_ARRAY_ACTION",
                    "Principal" | "NotPrincipal" => "EMPTY_ARRAY_PRINCIPAL",
                    _ => "EMPTY_ARRAY_RESOURCE",
                },
                format!("`{element}` is an empty array: it matches nothing"),
                v.span,
                &p.pointer(),
                None,
            );
        }
        for (i, item) in items.iter().enumerate() {
            if item.as_str().is_none() {
                self.type_error(item, &At::new(p, Some(i)).pointer(), "a string");
            }
        }
    }

    /// The former `strings`, kept for the test that the new one agrees.
    #[cfg(test)]
    fn strings_reference<'v, 'p>(
        &mut self,
        v: &'v Value,
        p: Place<'p>,
        element: &str,
    ) -> Vec<(&'v str, &'v Value, At<'p>)> {
        match &v.kind {
            Kind::String(s) => vec![(s.as_str(), v, At::new(p, None))],
            Kind::Array(items) => {
                if items.is_empty() {
                    self.emit(
                        Severity::Suggestion,
                        match element {
                            "Action" | "NotAction" => "EMPTY_ARRAY_ACTION",
                            "Principal" | "NotPrincipal" => "EMPTY_ARRAY_PRINCIPAL",
                            _ => "EMPTY_ARRAY_RESOURCE",
                        },
                        format!("`{element}` is an empty array: it matches nothing"),
                        v.span,
                        &p.pointer(),
                        None,
                    );
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let at = At::new(p, Some(i));
                    match item.as_str() {
                        Some(s) => out.push((s, item, at)),
                        None => self.type_error(item, &at.pointer(), "a string"),
                    }
                }
                out
            }
            _ => {
                self.type_error(v, &p.pointer(), "a string or an array of strings");
                Vec::new()
            }
        }
    }

    fn unique_sids(&mut self, statements: &[Statement], root: &Value) {
        let ptype = self.options.policy_type;
        for at in repeated_sids(statements) {
            let Some(s) = statements.get(at) else {
                continue;
            };
            let sid = s.sid.as_deref().unwrap_or_default();
            let (severity, code) = if ptype.is_iam() {
                (Severity::Error, "UNIQUE_SIDS_REQUIRED")
            } else {
                (Severity::Warning, "UNIQUE_SIDS_RECOMMENDED")
            };
            let ptr = pointer::join(&s.location.pointer(), "Sid");
            let span = root
                .get("Statement")
                .and_then(|st| match &st.kind {
                    Kind::Array(items) => items.get(s.index),
                    _ => Some(st),
                })
                .and_then(|st| st.get("Sid"))
                .map(|v| v.span)
                .unwrap_or(root.span);
            self.emit(
                severity,
                code,
                format!("`Sid` `{sid}` is used by more than one statement"),
                span,
                &ptr,
                Some("give each statement its own Sid".into()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_pointers_are_written_as_join_index_writes_them() {
        for (i, p) in STATEMENT_POINTERS.iter().enumerate() {
            assert_eq!(*p, pointer::join_index(STATEMENT_POINTER, i));
        }
        // past the constants, and in a wrapped policy, the pointer is
        // written: the same messages either way
        let bad = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Nope":1}"#;
        let good = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
        for at in [0usize, 15, 16, 17] {
            let mut sts = vec![good; 18];
            if let Some(s) = sts.get_mut(at) {
                *s = bad;
            }
            let policy = format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                sts.join(",")
            );
            for (text, prefix) in [
                (policy.clone(), ""),
                (
                    format!(r#"{{"PolicyVersion":{{"Document":{policy}}}}}"#),
                    "/PolicyVersion/Document",
                ),
            ] {
                let e = crate::Policy::parse("p.json", &text).unwrap_err();
                let pointers: Vec<_> = e.diagnostics.iter().map(|d| d.pointer.clone()).collect();
                assert_eq!(
                    pointers,
                    vec![Some(format!("{prefix}/Statement/{at}/Nope"))],
                    "{at} {prefix}"
                );
            }
        }
    }

    #[test]
    fn strings_without_a_list_report_and_find_what_the_list_did() {
        // the same entries, places and diagnostics (in the same order)
        use crate::json::{parse, SourceFile};
        for text in [
            r#""s3:GetObject""#,
            r#"["a", 1, "b", null, ["c"], "d"]"#,
            r#"[]"#,
            r#"[1, 2]"#,
            r#"{"a": "b"}"#,
            r#"17"#,
        ] {
            let doc = Document::whole(Arc::new(SourceFile::new("p.json", text)));
            let v = parse(text).unwrap().value;
            let run = |reference: bool| {
                let mut diags = Vec::new();
                let mut l = Lowerer::new(&doc, LoadOptions::new(PolicyType::Identity), &mut diags);
                l.variables = true;
                let found: Vec<(String, Option<String>)> = match reference {
                    true => l.strings_reference(&v, Place::at("/Action"), "Action"),
                    false => l.strings(&v, Place::at("/Action"), "Action"),
                }
                .into_iter()
                .map(|(s, item, at)| (at.pointer(), item.as_str().map(|i| format!("{s}={i}"))))
                .collect();
                let diags: Vec<String> = diags.iter().map(|d| format!("{d:?}")).collect();
                (found, diags)
            };
            assert_eq!(run(false), run(true), "{text}");
        }
    }

    #[test]
    fn statement_locations_give_the_places_and_pointers_of_the_statements() {
        // (text, where each statement's `{` and `}` are, its pointer): the
        // offsets are found in the text, their lines and columns by the
        // file's map, as the load used to compute them
        use crate::json::SourceFile;
        let root = "{\"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::é/*\"},\n\t{\"Sid\": \"B\", \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}\n";
        let wrapped = "{\"PolicyVersion\": {\"Document\": {\"Version\": \"2012-10-17\", \"Statement\": [\n{\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}}";
        let single = "{\"Statement\": {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}";
        let embedded = "{\"Policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}";
        // per statement: the text its `{` starts, the text its `}` ends, its pointer
        type Expected<'a> = &'a [(&'a str, &'a str, &'a str)];
        let cases: [(&str, Expected<'_>); 4] = [
            (
                root,
                &[
                    ("{\"Sid\": \"A\"", "*\"},", "/Statement/0"),
                    ("{\"Sid\": \"B\"", "*\"}]", "/Statement/1"),
                ],
            ),
            (
                wrapped,
                &[("{\"Sid\"", "*\"}]", "/PolicyVersion/Document/Statement/0")],
            ),
            (single, &[("{\"Sid\"", "*\"}}", "/Statement")]),
            (embedded, &[("{\\\"Effect", "*\\\"}]", "/Statement/0")]),
        ];
        for (text, expected) in cases {
            let file = SourceFile::new("p.json", text);
            let policy = crate::Policy::parse("p.json", text).unwrap();
            assert_eq!(policy.statements.len(), expected.len(), "{text}");
            for (s, (open, close, ptr)) in policy.statements.iter().zip(expected) {
                let start = text.find(open).unwrap();
                let end = text.find(close).unwrap() + close.len() - 1;
                let (start, end) = (
                    file.location(u32::try_from(start).unwrap()),
                    file.location(u32::try_from(end).unwrap()),
                );
                assert_eq!(
                    (s.location.start(), s.location.end()),
                    (start, end),
                    "{text}"
                );
                assert_eq!(s.location.pointer(), *ptr, "{text}");
                // the shapes of the former fields
                assert_eq!(
                    format!("{:?}", s.location),
                    format!(
                        "StatementLocation {{ start: {start:?}, end: {end:?}, pointer: {ptr:?} }}"
                    )
                );
                assert_eq!(
                    serde_json::to_value(&s.location).unwrap(),
                    serde_json::json!({"start": start, "end": end, "pointer": ptr})
                );
            }
        }
    }

    #[test]
    fn repeated_keys_are_found_alike_by_scan_and_by_set() {
        // every list of up to 6 keys drawn from 3 (and none), both ways
        let keys = [None, Some("A"), Some("a"), Some("B")];
        for n in 0..=6u32 {
            for code in 0..4usize.pow(n) {
                let items: Vec<Option<&str>> =
                    (0..n).map(|i| keys[code / 4usize.pow(i) % 4]).collect();
                let scan = repeated(&items, |k| *k, true);
                let set = repeated(&items, |k| *k, false);
                assert_eq!(scan, set, "{items:?}");
                // and what "repeated" means: a key an earlier item has
                let plain: Vec<usize> = (0..items.len())
                    .filter(|&i| items[i].is_some() && items[..i].contains(&items[i]))
                    .collect();
                assert_eq!(scan.to_vec(), plain, "{items:?}");
            }
        }
    }

    #[test]
    fn element_indexes_follow_the_statement_keys() {
        // `Elements::get` finds each element by its position in STATEMENT_KEYS
        for (i, key) in STATEMENT_KEYS.iter().enumerate() {
            assert_eq!(element_index(key), Some(i), "{key}");
        }
        for other in ["sid", "Actions", "", "Statement"] {
            assert_eq!(element_index(other), None, "{other}");
        }
    }
}
