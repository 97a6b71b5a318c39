//! The verdict: the matrix in one paragraph of plain words, the questions
//! a reviewer asks first ("can it delete buckets?") answered from the cells.

use serde::Serialize;

use super::classes::ClassKind;
use super::matrix::{phrase, Access, Cell, Matrix};
use super::risk::Risk;

/// The questions, each with the actions that answer it.
const TOPICS: &[(&str, &[&str])] = &[
    ("delete buckets", &["s3:DeleteBucket"]),
    (
        "delete objects",
        &["s3:DeleteObject", "s3:DeleteObjectVersion"],
    ),
    (
        "change bucket policies",
        &["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
    ),
    ("change bucket ACLs", &["s3:PutBucketAcl"]),
    (
        "change object ACLs",
        &["s3:PutObjectAcl", "s3:PutObjectVersionAcl"],
    ),
    (
        "change public access blocks",
        &[
            "s3:PutBucketPublicAccessBlock",
            "s3:PutAccountPublicAccessBlock",
            "s3:PutAccessPointPublicAccessBlock",
        ],
    ),
    ("write objects", &["s3:PutObject"]),
    ("read objects", &["s3:GetObject", "s3:GetObjectVersion"]),
    ("list objects", &["s3:ListBucket", "s3:ListBucketVersions"]),
    ("list all buckets", &["s3:ListAllMyBuckets"]),
];

/// The short answer to one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// Nowhere.
    No,
    /// On resources the policies do not name (so: on any).
    Yes,
    /// Only on resources the policies name.
    Some,
}

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictItem {
    /// `delete buckets`.
    pub topic: String,
    /// No, yes or some.
    pub answer: Answer,
    /// Whether the access depends on conditions somewhere.
    pub conditional: bool,
    /// The answer in words, without the topic: `only in prod (s3:DeleteObject)`.
    pub text: String,
    /// The actions of the topic allowed somewhere (conditionally or not).
    pub actions: Vec<String>,
    /// Ids of the classes where they are.
    pub classes: Vec<String>,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The answers, in a fixed order; the last one sums up the other
    /// destructive and permission-changing actions.
    pub items: Vec<VerdictItem>,
}

/// Whether a question of the verdict is about destroying data or changing
/// who has access (its actions are, by [`Risk`]); the last question,
/// about the other destructive and permission-changing actions, is.
pub fn is_dangerous_topic(topic: &str) -> bool {
    match TOPICS.iter().find(|(t, _)| *t == topic) {
        Some((_, actions)) => actions.iter().any(|a| {
            crate::catalog::lookup(a).is_some_and(|info| {
                let r = Risk::of(info);
                r.destructive || r.changes_permissions
            })
        }),
        None => true,
    }
}

/// Whether an action is one the verdict's questions name (the last
/// question, about every other destructive or permission-changing action,
/// reads all the others too).
pub fn asks_about(info: &crate::catalog::ActionInfo) -> bool {
    TOPICS
        .iter()
        .any(|(_, acts)| acts.contains(&info.iam_action))
}

/// The topic of the last question (the other destructive or
/// permission-changing actions), which [`asks_about`] does not cover.
pub const OTHERS_TOPIC: &str = "run other destructive or permission-changing actions";

impl Verdict {
    /// Answers the questions from a matrix.
    pub fn of(m: &Matrix) -> Verdict {
        let mut items: Vec<VerdictItem> = TOPICS
            .iter()
            .map(|(topic, actions)| {
                let cells: Vec<&Cell> = m
                    .cells
                    .iter()
                    .filter(|c| actions.contains(&c.action.iam_action))
                    .collect();
                answer(m, topic, &cells)
            })
            .collect();
        items.push(others(m));
        Verdict { items }
    }

    /// `can delete buckets: no. can delete objects: only in b (s3:DeleteObject). …`
    pub fn paragraph(&self) -> String {
        self.items
            .iter()
            .map(|i| format!("can {}: {}.", i.topic, i.text))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn allowed_actions(cells: &[&Cell]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in cells {
        if c.access != Access::Denied && !out.iter().any(|a| a == c.action.iam_action) {
            out.push(c.action.iam_action.to_string());
        }
    }
    out
}

fn answer(m: &Matrix, topic: &str, cells: &[&Cell]) -> VerdictItem {
    let actions = allowed_actions(cells);
    let mut item = VerdictItem {
        topic: topic.to_string(),
        answer: Answer::No,
        conditional: false,
        text: "no".into(),
        actions: actions.clone(),
        classes: Vec::new(),
    };
    if actions.is_empty() {
        return item;
    }
    // Per class: the best access of the topic's actions, and the conditions.
    let mut per_class: Vec<(usize, Access, Vec<String>)> = Vec::new();
    for c in cells {
        let slot = match per_class.iter_mut().find(|(ci, _, _)| *ci == c.class) {
            Some(s) => s,
            None => {
                per_class.push((c.class, Access::Denied, Vec::new()));
                match per_class.last_mut() {
                    Some(s) => s,
                    None => continue,
                }
            }
        };
        slot.1 = slot.1.min(c.access);
        if c.access == Access::Conditional {
            let p = phrase(&c.requirements);
            if !slot.2.contains(&p) {
                slot.2.push(p);
            }
        }
    }
    per_class.sort_by_key(|(ci, _, _)| *ci);
    let main_kind = |ci: usize| {
        m.classes.get(ci).is_some_and(|c| {
            matches!(
                c.kind,
                ClassKind::Bucket | ClassKind::Objects | ClassKind::Account
            )
        })
    };
    let generic = per_class.iter().find(|(ci, a, _)| {
        *a != Access::Denied && main_kind(*ci) && m.classes.get(*ci).is_some_and(|c| c.generic)
    });
    let shown_actions = format!("({})", actions.join(", "));
    let short = |ci: usize| {
        m.classes
            .get(ci)
            .map(|c| c.short.clone())
            .unwrap_or_default()
    };
    item.classes = per_class
        .iter()
        .filter(|(_, a, _)| *a != Access::Denied)
        .filter_map(|(ci, _, _)| m.classes.get(*ci).map(|c| c.id.clone()))
        .collect();
    item.conditional = per_class.iter().any(|(_, a, _)| *a == Access::Conditional);
    if let Some((_, access, conds)) = generic {
        item.answer = Answer::Yes;
        let except: Vec<String> = per_class
            .iter()
            .filter(|(ci, a, _)| {
                *a == Access::Denied
                    && main_kind(*ci)
                    && m.classes.get(*ci).is_some_and(|c| !c.generic)
            })
            .map(|(ci, _, _)| short(*ci))
            .collect();
        let mut text = String::from("yes");
        if *access == Access::Conditional {
            text.push_str(&format!(", {}", conds.join("; ")));
        }
        if !except.is_empty() {
            text.push_str(&format!(", except in {}", dedup(except).join(", ")));
        }
        item.text = format!("{text} {shown_actions}");
        return item;
    }
    item.answer = Answer::Some;
    let places: Vec<(String, Vec<String>)> = per_class
        .iter()
        .filter(|(_, a, _)| *a != Access::Denied)
        .map(|(ci, _, conds)| (short(*ci), conds.clone()))
        .collect();
    let all_same = places
        .first()
        .is_some_and(|(_, first)| places.iter().all(|(_, c)| c == first));
    let names = dedup(places.iter().map(|(n, _)| n.clone()).collect());
    item.text = match (all_same, places.first()) {
        (true, Some((_, conds))) if !conds.is_empty() => format!(
            "only in {} {shown_actions}, {}",
            names.join(", "),
            conds.join("; ")
        ),
        (true, _) => format!("only in {} {shown_actions}", names.join(", ")),
        (false, _) => {
            let listed: Vec<String> = places
                .iter()
                .map(|(n, c)| {
                    if c.is_empty() {
                        n.clone()
                    } else {
                        format!("{n} ({})", c.join("; "))
                    }
                })
                .collect();
            format!("only in {} {shown_actions}", dedup(listed).join(", "))
        }
    };
    item
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Destructive and permission-changing actions outside the questions.
fn others(m: &Matrix) -> VerdictItem {
    let in_topics = |a: &str| TOPICS.iter().any(|(_, acts)| acts.contains(&a));
    let cells: Vec<&Cell> = m
        .cells
        .iter()
        .filter(|c| {
            let r = Risk::of(c.action);
            (r.destructive || r.changes_permissions) && !in_topics(c.action.iam_action)
        })
        .collect();
    let actions = allowed_actions(&cells);
    let conditional = cells.iter().any(|c| c.access == Access::Conditional);
    let all_conditional = !actions.is_empty()
        && cells
            .iter()
            .filter(|c| c.access != Access::Denied)
            .all(|c| c.access == Access::Conditional);
    let text = match actions.len() {
        0 => "no".to_string(),
        n => {
            let shown: Vec<&str> = actions.iter().take(4).map(String::as_str).collect();
            let more = if n > 4 {
                format!(", and {} more", n - 4)
            } else {
                String::new()
            };
            let cond = if all_conditional {
                ", under conditions"
            } else {
                ""
            };
            format!("{n} ({}{more}){cond}", shown.join(", "))
        }
    };
    let classes = dedup(
        cells
            .iter()
            .filter(|c| c.access != Access::Denied)
            .filter_map(|c| m.classes.get(c.class).map(|k| k.id.clone()))
            .collect(),
    );
    VerdictItem {
        topic: OTHERS_TOPIC.into(),
        answer: if actions.is_empty() {
            Answer::No
        } else if classes.iter().any(|id| id.ends_with(":*")) {
            Answer::Yes
        } else {
            Answer::Some
        },
        conditional,
        text,
        actions,
        classes,
    }
}
