//! The review as JSON: a stable shape for programs (fields are only ever added).

use serde_json::{json, Value};

use crate::review::matrix::{phrase, Access, Cell, Matrix};
use crate::review::report::Review;
use crate::review::risk::{report_order, Risk};

/// One cell as JSON (also used by diffs).
pub(crate) fn cell_json(c: &Cell) -> Value {
    let r = Risk::of(c.action);
    let mut v = json!({
        "action": c.action.iam_action,
        "accessLevel": c.action.access_level.as_str(),
        "destructive": r.destructive,
        "changesPermissions": r.changes_permissions,
        "access": c.access.as_str(),
    });
    if let Some(o) = v.as_object_mut() {
        if c.explicit_deny {
            o.insert("explicitDeny".into(), json!(true));
        }
        if c.access == Access::Conditional {
            o.insert("conditions".into(), json!(phrase(&c.requirements)));
            o.insert("requirements".into(), json!(c.requirements));
            if let Some(e) = &c.example {
                o.insert("example".into(), json!(e));
            }
            if let Some(n) = &c.note {
                o.insert("note".into(), json!(n));
            }
        }
        if !c.statements.is_empty() {
            o.insert("statements".into(), json!(c.statements));
        }
    }
    v
}

/// The classes with their cells.
pub(crate) fn classes_json(m: &Matrix) -> Value {
    let classes: Vec<Value> = m
        .classes
        .iter()
        .enumerate()
        .map(|(ci, class)| {
            let mut cells: Vec<&Cell> = m.cells_of(ci).collect();
            cells.sort_by(|a, b| report_order(a.action, b.action));
            let count = |a: Access| cells.iter().filter(|c| c.access == a).count();
            let mut v = json!(class);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "summary".into(),
                    json!({
                        "allowed": count(Access::Allowed),
                        "conditional": count(Access::Conditional),
                        "denied": count(Access::Denied),
                    }),
                );
                o.insert(
                    "actions".into(),
                    Value::Array(cells.iter().map(|c| cell_json(c)).collect()),
                );
            }
            v
        })
        .collect();
    Value::Array(classes)
}

/// Renders a review as pretty-printed JSON.
pub fn json(review: &Review) -> String {
    let doc = json!({
        "policies": review.policies.iter().map(|p| json!({
            "file": p.name,
            "type": p.policy_type.as_str(),
        })).collect::<Vec<_>>(),
        "caller": review.caller(),
        "principal": review.principal.arn().map(str::to_string).or_else(|| match &review.principal {
            crate::request::Principal::Unspecified => None,
            p => Some(p.to_string()),
        }),
        "verdict": {
            "text": review.verdict.paragraph(),
            "items": review.verdict.items,
        },
        "classes": classes_json(&review.matrix),
        "notes": review.notes,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
