//! The review as markdown, to paste in a pull request.

use super::{grouped, with_access};
use crate::review::matrix::{phrase, Access, Cell};
use crate::review::report::Review;
use crate::review::risk::Risk;

// Every value below (file names, bucket names, ARNs, actions, condition
// values, notes) goes through `md`, `code` or `words`: it cannot inject HTML, format
// text, end a table row or start a heading.
use crate::render::escape::{markdown as md, markdown_code as code, markdown_wording as words};

fn code_list(cells: &[&Cell]) -> String {
    cells
        .iter()
        .map(|c| code(&c.action.iam_action))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders a review as markdown.
pub fn markdown(review: &Review) -> String {
    let m = &review.matrix;
    let mut out = String::from("## s3guard review\n\n");
    let files: Vec<String> = review
        .policies
        .iter()
        .map(|p| format!("{} ({})", code(&p.name), p.policy_type.describe()))
        .collect();
    out.push_str(&format!("**Policies:** {}  \n", files.join(", ")));
    out.push_str(&format!("**Caller:** {}\n\n", words(&review.caller())));
    out.push_str(&format!(
        "**Verdict:** {}\n\n",
        words(&review.verdict.paragraph())
    ));
    out.push_str("| resource | allowed | conditional | denied |\n| --- | ---: | ---: | ---: |\n");
    let mut nothing: Vec<String> = Vec::new();
    for (ci, class) in m.classes.iter().enumerate() {
        let cells: Vec<&Cell> = m.cells_of(ci).collect();
        if cells.is_empty() {
            continue;
        }
        if cells
            .iter()
            .all(|c| c.access == Access::Denied && !c.explicit_deny)
        {
            nothing.push(md(&class.label));
            continue;
        }
        let n = |a: Access| cells.iter().filter(|c| c.access == a).count();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md(&class.label),
            n(Access::Allowed),
            n(Access::Conditional),
            n(Access::Denied)
        ));
    }
    if !nothing.is_empty() {
        out.push_str(&format!("\nNothing allowed on: {}.\n", nothing.join(", ")));
    }
    for (ci, class) in m.classes.iter().enumerate() {
        let cells: Vec<&Cell> = m.cells_of(ci).collect();
        if cells
            .iter()
            .all(|c| c.access == Access::Denied && !c.explicit_deny)
        {
            continue;
        }
        out.push_str(&format!(
            "\n### {}\n\n{}\n\n",
            md(&class.label),
            code(&class.arn)
        ));
        for (group, cs) in grouped(with_access(cells.iter().copied(), Access::Allowed)) {
            out.push_str(&format!("- allowed, {}: {}\n", md(&group), code_list(&cs)));
        }
        for (group, cs) in grouped(with_access(cells.iter().copied(), Access::Conditional)) {
            for c in cs {
                out.push_str(&format!(
                    "- conditional, {}: {} — {}{}\n",
                    md(&group),
                    code(&c.action.iam_action),
                    words(&phrase(&c.requirements)),
                    c.note
                        .as_ref()
                        .map(|n| format!(" ({})", words(n)))
                        .unwrap_or_default()
                ));
            }
        }
        let denied: Vec<&Cell> = with_access(cells.iter().copied(), Access::Denied).collect();
        let mut explicit: Vec<&Cell> = denied.iter().copied().filter(|c| c.explicit_deny).collect();
        explicit.sort_by(|a, b| crate::review::risk::report_order(a.action, b.action));
        if !explicit.is_empty() {
            out.push_str(&format!(
                "- **explicitly denied**: {}\n",
                code_list(&explicit)
            ));
        }
        let mut risky: Vec<&Cell> = denied
            .iter()
            .copied()
            .filter(|c| !c.explicit_deny)
            .filter(|c| {
                let r = Risk::of(c.action);
                r.destructive || r.changes_permissions
            })
            .collect();
        risky.sort_by(|a, b| crate::review::risk::report_order(a.action, b.action));
        let implicit = denied.len() - explicit.len();
        if implicit > 0 {
            out.push_str(&format!("- denied: {implicit} other actions"));
            if !risky.is_empty() {
                out.push_str(&format!(
                    "; destructive or permission-changing among them: {}",
                    code_list(&risky)
                ));
            }
            out.push('\n');
        }
    }
    if !review.notes.is_empty() {
        out.push_str("\n### Notes\n\n");
        for n in &review.notes {
            out.push_str(&format!("- {}\n", words(n)));
        }
    }
    out.trim_end().to_string()
}
