//! The review for terminals.

use super::{blocks, names, wrap};
use crate::review::matrix::{phrase, Cell};
use crate::review::report::Review;

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
    let (blocks, nothing) = blocks(&review.matrix);
    for b in &blocks {
        let class = b.class;
        if class.arn == "*" {
            out.push_str(&format!("\n{} (Resource \"*\")\n", class.label));
        } else {
            out.push_str(&format!("\n{} ({})\n", class.label, class.arn));
        }
        if !b.allowed.is_empty() {
            out.push_str("  allowed:\n");
            for (group, cs) in &b.allowed {
                out.push_str(&format!(
                    "    {}\n",
                    wrap(&format!("{group}: {}", names(cs)), WIDTH, "      ")
                ));
            }
        }
        if !b.conditional.is_empty() {
            out.push_str("  conditional:\n");
            for (group, cs) in &b.conditional {
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
        if !b.explicit.is_empty() {
            let mut by: Vec<&str> = Vec::new();
            for c in &b.explicit {
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
                        names(&b.explicit),
                        by.join(", ")
                    ),
                    WIDTH,
                    "    "
                )
            ));
        }
        let implicit = b.implicit;
        if implicit > 0 {
            let line = if b.risky.is_empty() {
                format!("denied: {implicit} other action{}", plural(implicit))
            } else {
                format!(
                    "denied: {implicit} other action{}, destructive or permission-changing among them: {}",
                    plural(implicit),
                    names(&b.risky)
                )
            };
            out.push_str(&format!("  {}\n", wrap(&line, WIDTH, "    ")));
        }
    }
    if !nothing.is_empty() {
        out.push('\n');
        out.push_str(&wrap(
            &format!(
                "nothing allowed on: {}",
                nothing
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
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
