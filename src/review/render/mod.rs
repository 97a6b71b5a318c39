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

use super::classes::ResourceClass;
use super::matrix::{Access, Cell, Matrix};
use super::risk::{level_rank, report_order, Risk};
use crate::catalog::ActionInfo;

/// What the text and markdown reviews show of one resource class: its
/// cells by access, grouped and in report order.
pub(crate) struct Block<'a> {
    /// The class.
    pub(crate) class: &'a ResourceClass,
    /// Every cell of the class.
    pub(crate) cells: Vec<&'a Cell>,
    /// The allowed cells, [`grouped`].
    pub(crate) allowed: Vec<(String, Vec<&'a Cell>)>,
    /// The conditional cells, [`grouped`].
    pub(crate) conditional: Vec<(String, Vec<&'a Cell>)>,
    /// The cells an explicit Deny denies, in report order.
    pub(crate) explicit: Vec<&'a Cell>,
    /// How many cells are denied for want of an Allow.
    pub(crate) implicit: usize,
    /// Those of them that are destructive or change permissions, in report
    /// order.
    pub(crate) risky: Vec<&'a Cell>,
}

/// The classes of a matrix with something to show, as [`Block`]s, and the
/// classes on which nothing is allowed (every cell denied for want of an
/// Allow), in class order. Classes without cells are in neither.
pub(crate) fn blocks(m: &Matrix) -> (Vec<Block<'_>>, Vec<&ResourceClass>) {
    let mut shown = Vec::new();
    let mut nothing = Vec::new();
    for (ci, class) in m.classes.iter().enumerate() {
        let cells: Vec<&Cell> = m.cells_of(ci).collect();
        if cells.is_empty() {
            continue;
        }
        if cells
            .iter()
            .all(|c| c.access == Access::Denied && !c.explicit_deny)
        {
            nothing.push(class);
            continue;
        }
        let denied: Vec<&Cell> = with_access(cells.iter().copied(), Access::Denied).collect();
        let explicit =
            in_report_order(denied.iter().copied().filter(|c| c.explicit_deny).collect());
        let risky = in_report_order(
            denied
                .iter()
                .copied()
                .filter(|c| !c.explicit_deny)
                .filter(|c| {
                    let r = Risk::of(c.action);
                    r.destructive || r.changes_permissions
                })
                .collect(),
        );
        shown.push(Block {
            class,
            allowed: grouped(with_access(cells.iter().copied(), Access::Allowed)),
            conditional: grouped(with_access(cells.iter().copied(), Access::Conditional)),
            implicit: denied.len() - explicit.len(),
            explicit,
            risky,
            cells,
        });
    }
    (shown, nothing)
}

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

/// Where a group stands: destructive, changes permissions, then the access
/// levels in [`level_rank`] order. [`group_label`] is a function of it.
fn group_rank(info: &ActionInfo) -> (u8, u8) {
    match Risk::of(info).rank() {
        2 => (2, level_rank(info.access_level)),
        r => (r, 0),
    }
}

/// Cells grouped under their [`group_label`]: `[(group, cells)]`, the
/// groups in [`group_rank`] order (so each label appears once, whatever
/// services and resource types the cells mix), the cells of a group in
/// report order.
pub(crate) fn grouped<'a>(cells: impl Iterator<Item = &'a Cell>) -> Vec<(String, Vec<&'a Cell>)> {
    let mut sorted: Vec<&Cell> = cells.collect();
    sorted.sort_by(|a, b| {
        group_rank(a.action)
            .cmp(&group_rank(b.action))
            .then(report_order(a.action, b.action))
    });
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

/// Cells sorted in report order.
fn in_report_order(mut cells: Vec<&Cell>) -> Vec<&Cell> {
    cells.sort_by(|a, b| report_order(a.action, b.action));
    cells
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
        .map(|c| c.action.iam_action)
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

    fn cell(action: &str) -> Cell {
        Cell {
            action: crate::catalog::lookup(action).unwrap(),
            class: 0,
            access: Access::Allowed,
            explicit_deny: false,
            requirements: Vec::new(),
            statements: Vec::new(),
            example: None,
            note: None,
        }
    }

    #[test]
    fn each_group_label_appears_once_whatever_the_resource_types_mixed() {
        // On an access point, s3:GetBucketAcl (a bucket action) and
        // s3:GetAccessPointPolicy (an access point action) are both Read:
        // report order puts bucket actions first, so "Read" came twice
        // around the Write and List actions in between (issue 14).
        let cells: Vec<Cell> = [
            "s3:GetAccessPointPolicy",
            "s3:ListBucket",
            "s3:CreateAccessPoint",
            "s3:GetBucketAcl",
            "s3:DeleteAccessPoint",
            "s3:TagResource",
        ]
        .iter()
        .map(|a| cell(a))
        .collect();
        let groups = grouped(cells.iter());
        let labels: Vec<&str> = groups.iter().map(|(g, _)| g.as_str()).collect();
        assert_eq!(labels, ["destructive", "Write", "Tagging", "Read", "List"]);
        let read: Vec<&str> = groups[3].1.iter().map(|c| c.action.iam_action).collect();
        assert_eq!(read, ["s3:GetBucketAcl", "s3:GetAccessPointPolicy"]);
    }

    #[test]
    fn wraps_at_width() {
        assert_eq!(wrap("aa bb cc", 5, "  "), "aa bb\n  cc");
        assert_eq!(wrap("aaaaaaa b", 3, ""), "aaaaaaa\nb");
    }
}
