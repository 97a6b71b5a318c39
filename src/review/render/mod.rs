//! Renderers of reviews and diffs: text for terminals, markdown for pull
//! requests, JSON for programs, and one self-contained HTML page.

mod account;
mod diff;
mod html;
mod json;
mod markdown;
mod text;

pub use account::{account_html, account_json, account_markdown, account_text};
pub use diff::{diff_json, diff_text};
pub use html::html;
pub use json::json;
pub use markdown::markdown;
pub use text::text;

use super::matrix::{Access, Cell};
use super::risk::{report_order, Risk};
use crate::catalog::ActionInfo;

/// The group an action is listed under: `destructive`, `changes
/// permissions`, or its access level.
pub(crate) fn group_label(info: &ActionInfo) -> String {
    let r = Risk::of(info);
    if r.destructive {
        "destructive".into()
    } else if r.changes_permissions {
        "changes permissions".into()
    } else {
        info.access_level.as_str().into()
    }
}

/// Cells in report order, grouped: `[(group, cells)]`.
pub(crate) fn grouped<'a>(cells: impl Iterator<Item = &'a Cell>) -> Vec<(String, Vec<&'a Cell>)> {
    let mut sorted: Vec<&Cell> = cells.collect();
    sorted.sort_by(|a, b| report_order(a.action, b.action));
    let mut out: Vec<(String, Vec<&Cell>)> = Vec::new();
    for c in sorted {
        let g = group_label(c.action);
        match out.last_mut() {
            Some((label, v)) if *label == g => v.push(c),
            _ => out.push((g, vec![c])),
        }
    }
    out
}

/// The cells of a class with a given access.
pub(crate) fn with_access<'a>(
    cells: impl Iterator<Item = &'a Cell>,
    access: Access,
) -> impl Iterator<Item = &'a Cell> {
    cells.filter(move |c| c.access == access)
}

/// Action names joined with `, `.
pub(crate) fn names(cells: &[&Cell]) -> String {
    cells
        .iter()
        .map(|c| c.action.iam_action.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Wraps words to `width` columns, continuation lines indented by `indent`.
pub(crate) fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line_len = 0usize;
    for word in text.split(' ') {
        let w = word.chars().count();
        if line_len > 0 && line_len + 1 + w > width {
            out.push('\n');
            out.push_str(indent);
            line_len = indent.chars().count();
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += w;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_width() {
        assert_eq!(wrap("aa bb cc", 5, "  "), "aa bb\n  cc");
        assert_eq!(wrap("aaaaaaa b", 3, ""), "aaaaaaa\nb");
    }
}
