//! The review as markdown, to paste in a pull request.

use super::blocks;
use crate::review::matrix::{phrase, Access, Cell};
use crate::review::report::Review;

// Every value below (file names, bucket names, ARNs, actions, condition
// values, notes) goes through `md`, `code` or `words`: it cannot inject HTML, format
// text, end a table row or start a heading.
use crate::render::escape::{markdown as md, markdown_code as code, markdown_wording as words};

fn code_list(cells: &[&Cell]) -> String {
    cells
        .iter()
        .map(|c| code(c.action.iam_action))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders a review as markdown.
pub fn markdown(review: &Review) -> String {
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
    let (blocks, nothing) = blocks(&review.matrix);
    for b in &blocks {
        let n = |a: Access| b.cells.iter().filter(|c| c.access == a).count();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md(&b.class.label),
            n(Access::Allowed),
            n(Access::Conditional),
            n(Access::Denied)
        ));
    }
    if !nothing.is_empty() {
        let labels: Vec<String> = nothing.iter().map(|c| md(&c.label)).collect();
        out.push_str(&format!("\nNothing allowed on: {}.\n", labels.join(", ")));
    }
    for b in &blocks {
        out.push_str(&format!(
            "\n### {}\n\n{}\n\n",
            md(&b.class.label),
            code(&b.class.arn)
        ));
        for (group, cs) in &b.allowed {
            out.push_str(&format!("- allowed, {}: {}\n", md(group), code_list(cs)));
        }
        for (group, cs) in &b.conditional {
            for c in cs {
                out.push_str(&format!(
                    "- conditional, {}: {} — {}{}\n",
                    md(group),
                    code(c.action.iam_action),
                    words(&phrase(&c.requirements)),
                    c.note
                        .as_ref()
                        .map(|n| format!(" ({})", words(n)))
                        .unwrap_or_default()
                ));
            }
        }
        if !b.explicit.is_empty() {
            out.push_str(&format!(
                "- **explicitly denied**: {}\n",
                code_list(&b.explicit)
            ));
        }
        if b.implicit > 0 {
            out.push_str(&format!("- denied: {} other actions", b.implicit));
            if !b.risky.is_empty() {
                out.push_str(&format!(
                    "; destructive or permission-changing among them: {}",
                    code_list(&b.risky)
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
