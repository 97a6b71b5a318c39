//! A tolerant view of a policy's JSON tree for the checks: every element
//! with its span and pointer, whatever else in the document is wrong (the
//! loader reports what is malformed; checks see what is well-formed).

use crate::condition::{KeyCondition, Operator, Outcome, Values};
use crate::json::{pointer, Kind, Span, Value};
use crate::policy::{Effect, PolicyType};
use crate::request::context::Context;

/// A string of the policy with its place.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) text: String,
    pub(crate) span: Span,
    pub(crate) pointer: String,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub(crate) is_not: bool,
    pub(crate) name: &'static str,
    pub(crate) span: Span,
    pub(crate) pointer: String,
    pub(crate) entries: Vec<Entry>,
}

/// One `"TYPE": value` entry of `Principal`, or the bare `"*"`.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalValue {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for the bare string.
    pub(crate) kind: String,
    pub(crate) entry: Entry,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalView {
    pub(crate) is_not: bool,
    pub(crate) span: Span,
    pub(crate) pointer: String,
    pub(crate) values: Vec<PrincipalValue>,
}

impl PrincipalView {
    /// Whether it names everyone (`"*"` or `{"AWS": "*"}`).
    pub(crate) fn is_everyone(&self) -> bool {
        self.values
            .iter()
            .any(|v| v.entry.text == "*" && (v.kind == "*" || v.kind == "AWS"))
    }
}

/// One key of a condition block with its values.
#[derive(Debug, Clone)]
pub(crate) struct CondKey {
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) pointer: String,
    pub(crate) values: Vec<Entry>,
}

/// One operator block.
#[derive(Debug, Clone)]
pub(crate) struct CondBlock {
    pub(crate) operator_text: String,
    pub(crate) operator: Option<Operator>,
    pub(crate) key_span: Span,
    pub(crate) pointer: String,
    pub(crate) keys: Vec<CondKey>,
}

/// One statement object.
#[derive(Debug, Clone)]
pub(crate) struct StatementView<'a> {
    pub(crate) index: usize,
    pub(crate) pointer: String,
    pub(crate) span: Span,
    pub(crate) value: &'a Value,
    pub(crate) sid: Option<String>,
    pub(crate) effect: Option<Effect>,
    pub(crate) principal: Option<PrincipalView>,
    pub(crate) action: Option<Element>,
    pub(crate) resource: Option<Element>,
    pub(crate) conditions: Vec<CondBlock>,
}

impl CondKey {
    /// Whether this key's test holds when the request does not carry the
    /// key (spec C-3, C-11..C-13), as the evaluator decides it: the values
    /// are compiled and evaluated against an empty context. `None` when
    /// the values do not compile (the loader reports them).
    pub(crate) fn holds_when_absent(&self, op: &Operator, variables: bool) -> Option<bool> {
        let raw: Vec<String> = self.values.iter().map(|v| v.text.clone()).collect();
        let values = Values::compile(op, &raw, variables).ok()?;
        let key = KeyCondition {
            key: self.key.clone(),
            key_lower: self.key.to_lowercase(),
            raw_values: raw,
            values,
        };
        match key.evaluate(op, &Context::new()) {
            Outcome::True => Some(true),
            Outcome::False => Some(false),
            _ => None,
        }
    }
}

impl StatementView<'_> {
    /// `Sid X` or `statement #N`, for messages.
    pub(crate) fn label(&self) -> String {
        match &self.sid {
            Some(s) => format!("statement `{}`", crate::render::escape::value(s)),
            None => format!("statement #{}", self.index + 1),
        }
    }

    /// The action entries when the statement uses `Action` (not `NotAction`).
    pub(crate) fn actions(&self) -> &[Entry] {
        match &self.action {
            Some(e) if !e.is_not => &e.entries,
            _ => &[],
        }
    }

    /// The resource entries when the statement uses `Resource`.
    pub(crate) fn resources(&self) -> &[Entry] {
        match &self.resource {
            Some(e) if !e.is_not => &e.entries,
            _ => &[],
        }
    }

    /// The condition keys with their block, in document order.
    pub(crate) fn condition_keys(&self) -> impl Iterator<Item = (&CondBlock, &CondKey)> {
        self.conditions
            .iter()
            .flat_map(|b| b.keys.iter().map(move |k| (b, k)))
    }
}

/// The whole policy as the checks see it.
#[derive(Debug, Clone)]
pub(crate) struct PolicyView<'a> {
    pub(crate) root: &'a Value,
    pub(crate) base: String,
    pub(crate) policy_type: PolicyType,
    /// Whether `${…}` is a variable (Version 2012-10-17).
    pub(crate) variables: bool,
    pub(crate) statements: Vec<StatementView<'a>>,
}

impl<'a> PolicyView<'a> {
    pub(crate) fn new(root: &'a Value, base: &str, policy_type: PolicyType) -> PolicyView<'a> {
        let variables = root.get("Version").and_then(Value::as_str) == Some("2012-10-17");
        let sp = pointer::join(base, "Statement");
        let statements = match root.get("Statement").map(|s| &s.kind) {
            Some(Kind::Object(_)) => root
                .get("Statement")
                .map(|st| vec![statement(st, 0, sp.clone())])
                .unwrap_or_default(),
            Some(Kind::Array(items)) => items
                .iter()
                .enumerate()
                .filter(|(_, v)| v.as_object().is_some())
                .map(|(i, v)| statement(v, i, pointer::join(&sp, i.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        PolicyView {
            root,
            base: base.to_string(),
            policy_type,
            variables,
            statements,
        }
    }
}

/// The JSON pointer of the innermost value of `root` that contains the
/// document offset `offset` (`base` is the root's pointer).
pub(crate) fn pointer_at(root: &Value, base: &str, offset: u32) -> String {
    let mut ptr = base.to_string();
    let mut node = root;
    loop {
        let inside = |v: &Value| v.span.start <= offset && offset < v.span.end;
        let next = match &node.kind {
            Kind::Array(items) => items
                .iter()
                .enumerate()
                .find(|(_, v)| inside(v))
                .map(|(i, v)| (i.to_string(), v)),
            Kind::Object(members) => members
                .iter()
                .find(|m| inside(&m.value))
                .map(|m| (m.key.to_string(), &m.value)),
            _ => None,
        };
        match next {
            Some((seg, v)) => {
                ptr = pointer::join(&ptr, seg);
                node = v;
            }
            None => return ptr,
        }
    }
}

/// Whether any statement names principals (the default policy type, A-1).
pub(crate) fn names_principals(root: &Value) -> bool {
    let has = |v: &Value| v.get("Principal").is_some() || v.get("NotPrincipal").is_some();
    match root.get("Statement").map(|s| &s.kind) {
        Some(Kind::Array(items)) => items.iter().any(has),
        Some(Kind::Object(_)) => root.get("Statement").is_some_and(has),
        _ => false,
    }
}

fn statement(v: &Value, index: usize, sp: String) -> StatementView<'_> {
    let effect = match v.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Some(Effect::Allow),
        Some("Deny") => Some(Effect::Deny),
        _ => None,
    };
    StatementView {
        index,
        span: v.span,
        value: v,
        sid: v.get("Sid").and_then(Value::as_str).map(str::to_string),
        effect,
        principal: principal(v, &sp),
        action: element(v, &sp, ("Action", "NotAction")),
        resource: element(v, &sp, ("Resource", "NotResource")),
        conditions: v
            .get("Condition")
            .map(|c| conditions(c, &pointer::join(&sp, "Condition")))
            .unwrap_or_default(),
        pointer: sp,
    }
}

fn strings(v: &Value, p: &str) -> Vec<Entry> {
    match &v.kind {
        Kind::String(s) => vec![Entry {
            text: s.to_string(),
            span: v.span,
            pointer: p.to_string(),
        }],
        Kind::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                item.as_str().map(|s| Entry {
                    text: s.to_string(),
                    span: item.span,
                    pointer: pointer::join(p, i.to_string()),
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn element(st: &Value, sp: &str, names: (&'static str, &'static str)) -> Option<Element> {
    let (name, is_not, v) = match (st.get(names.0), st.get(names.1)) {
        (Some(v), _) => (names.0, false, v),
        (None, Some(v)) => (names.1, true, v),
        (None, None) => return None,
    };
    let p = pointer::join(sp, name);
    Some(Element {
        is_not,
        name,
        span: v.span,
        entries: strings(v, &p),
        pointer: p,
    })
}

fn principal(st: &Value, sp: &str) -> Option<PrincipalView> {
    let (name, is_not, v) = match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(v), _) => ("Principal", false, v),
        (None, Some(v)) => ("NotPrincipal", true, v),
        (None, None) => return None,
    };
    let p = pointer::join(sp, name);
    let mut values = Vec::new();
    match &v.kind {
        Kind::String(s) => values.push(PrincipalValue {
            kind: "*".into(),
            entry: Entry {
                text: s.to_string(),
                span: v.span,
                pointer: p.clone(),
            },
        }),
        Kind::Object(members) => {
            for m in members {
                for entry in strings(&m.value, &pointer::join(&p, &m.key)) {
                    values.push(PrincipalValue {
                        kind: m.key.to_string(),
                        entry,
                    });
                }
            }
        }
        _ => {}
    }
    Some(PrincipalView {
        is_not,
        span: v.span,
        pointer: p,
        values,
    })
}

fn conditions(c: &Value, cp: &str) -> Vec<CondBlock> {
    let Some(members) = c.as_object() else {
        return Vec::new();
    };
    members
        .iter()
        .map(|m| {
            let op_ptr = pointer::join(cp, &m.key);
            let keys = m
                .value
                .as_object()
                .unwrap_or_default()
                .iter()
                .map(|k| {
                    let kp = pointer::join(&op_ptr, &k.key);
                    let values = match &k.value.kind {
                        Kind::Array(items) => items
                            .iter()
                            .enumerate()
                            .filter_map(|(i, item)| {
                                item.scalar_text().map(|t| Entry {
                                    text: t,
                                    span: item.span,
                                    pointer: pointer::join(&kp, i.to_string()),
                                })
                            })
                            .collect(),
                        _ => k
                            .value
                            .scalar_text()
                            .map(|t| {
                                vec![Entry {
                                    text: t,
                                    span: k.value.span,
                                    pointer: kp.clone(),
                                }]
                            })
                            .unwrap_or_default(),
                    };
                    CondKey {
                        key: k.key.to_string(),
                        key_span: k.key_span,
                        pointer: kp,
                        values,
                    }
                })
                .collect();
            CondBlock {
                operator_text: m.key.to_string(),
                operator: Operator::parse(&m.key).ok(),
                key_span: m.key_span,
                pointer: op_ptr,
                keys,
            }
        })
        .collect()
}
