//! The review for terminals.

use super::{grouped, names, with_access, wrap};
use crate::review::matrix::{phrase, Access, Cell};
use crate::review::report::Review;
use crate::review::risk::Risk;

const WIDTH: usize = 100;

/// Renders a review as text.
pub fn text(review: &Review) -> String {
    let mut out = String::new();
    out.push_str(&wrap(
        &format!("review of {}", review.policy_list()),
        WIDTH,
        "  ",
    ));
    out.push('\n');
    out.push_str(&format!("caller: {}\n\n", review.caller()));
    verdict(review, &mut out);
    let m = &review.matrix;
    let mut nothing: Vec<&str> = Vec::new();
    for (ci, class) in m.classes.iter().enumerate() {
        let cells: Vec<&Cell> = m.cells_of(ci).collect();
        if cells.is_empty() {
            continue;
        }
        if cells
            .iter()
            .all(|c| c.access == Access::Denied && !c.explicit_deny)
        {
            nothing.push(&class.label);
            continue;
        }
        if class.arn == "*" {
            out.push_str(&format!("\n{} (Resource \"*\")\n", class.label));
        } else {
            out.push_str(&format!("\n{} ({})\n", class.label, class.arn));
        }
        let allowed = grouped(with_access(cells.iter().copied(), Access::Allowed));
        if !allowed.is_empty() {
            out.push_str("  allowed:\n");
            for (group, cs) in &allowed {
                out.push_str(&format!(
                    "    {}\n",
                    wrap(&format!("{group}: {}", names(cs)), WIDTH, "      ")
                ));
            }
        }
        let conditional = grouped(with_access(cells.iter().copied(), Access::Conditional));
        if !conditional.is_empty() {
            out.push_str("  conditional:\n");
            for (group, cs) in &conditional {
                // one line per distinct condition within the group
                let mut by_phrase: Vec<(String, Vec<&Cell>)> = Vec::new();
                for c in cs {
                    let p = match &c.note {
                        Some(n) => format!("{} ({n})", phrase(&c.requirements)),
                        None => phrase(&c.requirements),
                    };
                    match by_phrase.iter_mut().find(|(q, _)| *q == p) {
                        Some((_, v)) => v.push(c),
                        None => by_phrase.push((p, vec![c])),
                    }
                }
                for (p, v) in by_phrase {
                    out.push_str(&format!(
                        "    {}\n",
                        wrap(&format!("{group}: {} — {p}", names(&v)), WIDTH, "      ")
                    ));
                }
            }
        }
        let denied: Vec<&Cell> = with_access(cells.iter().copied(), Access::Denied).collect();
        let mut explicit: Vec<&Cell> = denied.iter().copied().filter(|c| c.explicit_deny).collect();
        explicit.sort_by(|a, b| crate::review::risk::report_order(a.action, b.action));
        if !explicit.is_empty() {
            let mut by: Vec<&str> = Vec::new();
            for c in &explicit {
                for s in &c.statements {
                    if !by.contains(&s.as_str()) {
                        by.push(s);
                    }
                }
            }
            out.push_str(&format!(
                "  {}\n",
                wrap(
                    &format!(
                        "explicitly denied: {} (by {})",
                        names(&explicit),
                        by.join(", ")
                    ),
                    WIDTH,
                    "    "
                )
            ));
        }
        let risky: Vec<&Cell> = denied
            .iter()
            .copied()
            .filter(|c| !c.explicit_deny)
            .filter(|c| {
                let r = Risk::of(c.action);
                r.destructive || r.changes_permissions
            })
            .collect();
        let implicit = denied.len() - explicit.len();
        if implicit > 0 {
            let line = if risky.is_empty() {
                format!("denied: {implicit} other action{}", plural(implicit))
            } else {
                let mut sorted = risky.clone();
                sorted.sort_by(|a, b| crate::review::risk::report_order(a.action, b.action));
                format!(
                    "denied: {implicit} other action{}, destructive or permission-changing among them: {}",
                    plural(implicit),
                    names(&sorted)
                )
            };
            out.push_str(&format!("  {}\n", wrap(&line, WIDTH, "    ")));
        }
    }
    if !nothing.is_empty() {
        out.push('\n');
        out.push_str(&wrap(
            &format!("nothing allowed on: {}", nothing.join(", ")),
            WIDTH,
            "  ",
        ));
        out.push('\n');
    }
    if !review.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &review.notes {
            out.push_str(&format!("  - {}\n", wrap(n, WIDTH, "    ")));
        }
    }
    out.trim_end().to_string()
}

/// The verdict, one line per question, the answers aligned; the last item
/// (the other destructive or permission-changing actions, a sum-up rather
/// than a question) follows on its own line.
fn verdict(review: &Review, out: &mut String) {
    out.push_str("verdict:\n");
    let items = &review.verdict.items;
    let (questions, summary) = match items.split_last() {
        Some((last, rest)) => (rest, Some(last)),
        None => (items.as_slice(), None),
    };
    let label = |topic: &str| format!("can {topic}:");
    let column = questions
        .iter()
        .map(|i| label(&i.topic).chars().count())
        .max()
        .unwrap_or(0);
    let answer_indent = " ".repeat(2 + column + 1);
    for item in questions {
        let line = format!("{:<column$} {}", label(&item.topic), item.text);
        out.push_str(&format!("  {}\n", wrap(&line, WIDTH - 2, &answer_indent)));
    }
    if let Some(item) = summary {
        let line = format!("{} {}", label(&item.topic), item.text);
        out.push_str(&format!("  {}\n", wrap(&line, WIDTH - 2, "    ")));
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
