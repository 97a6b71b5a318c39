//! Access diffs as text and JSON.

use serde_json::{json, Value};

use super::{group_label, wrap};
use crate::review::diff::{AccessDiff, Change, DiffRow};
use crate::review::risk::Risk;

const WIDTH: usize = 100;

fn heading(change: Change) -> &'static str {
    match change {
        Change::NewAccess => "new access (NEW allows, OLD did not)",
        Change::ChangedCondition => "changed conditions (counted as new access)",
        Change::RemovedAccess => "removed access (OLD allowed, NEW does not)",
    }
}

/// `objects in b (only if …)` for one row.
fn place(d: &AccessDiff, r: &DiffRow) -> String {
    let label = d
        .classes
        .get(r.class)
        .map(|c| c.label.as_str())
        .unwrap_or("?");
    let note = match (r.change, &r.old.conditions, &r.new.conditions) {
        (Change::ChangedCondition, Some(o), Some(n)) => Some(format!("was: {o}; now: {n}")),
        (Change::NewAccess, _, Some(n)) => Some(n.clone()),
        (Change::NewAccess, Some(o), None) => Some(format!("was: {o}")),
        (Change::RemovedAccess, _, Some(n)) => Some(format!("now: {n}")),
        (Change::RemovedAccess, Some(o), None) => Some(format!("was: {o}")),
        _ => None,
    };
    match note {
        Some(n) => format!("{label} ({n})"),
        None => label.to_string(),
    }
}

/// Renders a diff as text; `old` and `new` name the two sides.
pub fn diff_text(d: &AccessDiff, old: &str, new: &str) -> String {
    let mut out = wrap(&format!("access diff: {old} → {new}"), WIDTH, "  ");
    out.push('\n');
    for change in [
        Change::NewAccess,
        Change::ChangedCondition,
        Change::RemovedAccess,
    ] {
        let rows: Vec<&DiffRow> = d.rows_of(change).collect();
        out.push('\n');
        if rows.is_empty() {
            out.push_str(&format!("{}: none\n", heading(change)));
            continue;
        }
        let mut actions: Vec<&str> = Vec::new();
        for r in &rows {
            if !actions.contains(&r.action.iam_action) {
                actions.push(r.action.iam_action);
            }
        }
        out.push_str(&format!(
            "{}: {} action{} on {} (action, resource) pair{}\n",
            heading(change),
            actions.len(),
            if actions.len() == 1 { "" } else { "s" },
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        ));
        let mut group = String::new();
        for action in actions {
            let of_action: Vec<&&DiffRow> = rows
                .iter()
                .filter(|r| r.action.iam_action == action)
                .collect();
            let Some(first) = of_action.first() else {
                continue;
            };
            let g = group_label(first.action);
            if g != group {
                out.push_str(&format!("  {g}:\n"));
                group = g;
            }
            let places: Vec<String> = of_action.iter().map(|r| place(d, r)).collect();
            out.push_str(&format!(
                "    {}\n",
                wrap(
                    &format!("{action:<36} {}", places.join(", ")),
                    WIDTH,
                    "                                         "
                )
            ));
        }
    }
    out.trim_end().to_string()
}

fn row_json(d: &AccessDiff, r: &DiffRow) -> Value {
    let risk = Risk::of(r.action);
    let class = d.classes.get(r.class);
    json!({
        "action": r.action.iam_action,
        "accessLevel": r.action.access_level.as_str(),
        "destructive": risk.destructive,
        "changesPermissions": risk.changes_permissions,
        "class": class.map(|c| c.id.as_str()),
        "classLabel": class.map(|c| c.label.as_str()),
        "arn": class.map(|c| c.arn.as_str()),
        "old": r.old,
        "new": r.new,
    })
}

/// Renders a diff as pretty-printed JSON.
pub fn diff_json(d: &AccessDiff, old: &str, new: &str) -> String {
    let rows = |c: Change| -> Vec<Value> { d.rows_of(c).map(|r| row_json(d, r)).collect() };
    let doc = json!({
        "old": old,
        "new": new,
        "grantsNewAccess": d.grants_new_access(),
        "newAccess": rows(Change::NewAccess),
        "changedConditions": rows(Change::ChangedCondition),
        "removedAccess": rows(Change::RemovedAccess),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
