//! Entries of one `Action` or `Resource` element that another entry of the
//! same element already covers (REDUNDANT_ACTION, REDUNDANT_RESOURCE).

use super::pattern::{self, Budget};
use super::view::Entry;
use super::Ctx;
use super::MAX_PAIRWISE_ENTRIES;

/// An entry as the pairwise comparison sees it, computed once per entry.
pub(super) trait Compared {
    /// The text by which exact duplicates are found (`entry` is the entry
    /// this value was computed from).
    fn key<'a>(&'a self, entry: &'a Entry) -> &'a str;
    /// Whether the entry takes part in the comparison at all.
    fn compared(&self) -> bool;
    /// Whether everything `self` stands for is also covered by `other`.
    fn covered_by(&self, other: &Self, budget: &Budget) -> bool;
}

/// How a redundant entry of one kind is reported.
pub(super) struct Report {
    /// The finding's code.
    pub(super) code: &'static str,
    /// Whether two entry texts are the same entry listed twice.
    pub(super) same: fn(&str, &str) -> bool,
    /// What the covering entry does, ending the message "… already {covers}".
    pub(super) covers: &'static str,
}

/// Reports each entry of `element` that another entry covers; of two that
/// cover each other, the later one. `compile` computes each entry once.
/// Exact duplicates are still reported when the budget of the pairwise
/// comparisons has run out; more than [`MAX_PAIRWISE_ENTRIES`] entries are
/// not compared at all (and said so).
pub(super) fn report_redundant<T: Compared>(
    ctx: &mut Ctx<'_>,
    entries: &[Entry],
    element: &str,
    compile: impl Fn(&Entry) -> T,
    how: &Report,
) {
    if entries.len() > MAX_PAIRWISE_ENTRIES {
        ctx.skipped_pairwise.push(format!(
            "{} entries of one `{element}` (the limit is {MAX_PAIRWISE_ENTRIES})",
            entries.len()
        ));
        return;
    }
    let compiled: Vec<T> = entries.iter().map(compile).collect();
    let duplicates =
        pattern::earlier_duplicates(entries.iter().zip(&compiled).map(|(e, c)| c.key(e)));
    for (i, (a, ca)) in entries.iter().zip(&compiled).enumerate() {
        if !ca.compared() {
            continue;
        }
        let budget = &ctx.budget;
        let cover = entries
            .iter()
            .zip(&compiled)
            .enumerate()
            .find(|(j, (_, cb))| {
                // of two entries that cover each other, the later one is redundant
                *j != i
                    && cb.compared()
                    && budget.spend(1)
                    && ca.covered_by(cb, budget)
                    && !(*j > i && cb.covered_by(ca, budget))
            })
            .map(|(_, (b, _))| b)
            .or_else(|| {
                // the budget ran out: exact duplicates are still reported
                let j = (*duplicates.get(i)?)?;
                if !budget.is_exhausted() {
                    return None;
                }
                entries.get(j)
            });
        if let Some(b) = cover {
            let msg = if (how.same)(&a.text, &b.text) {
                format!("`{}` is listed twice in `{element}`", a.text)
            } else {
                format!(
                    "`{}` is redundant: `{}` in the same `{element}` already {}",
                    a.text, b.text, how.covers
                )
            };
            let extra = ctx.place(b.span, &b.pointer);
            if let Some(f) = ctx.emit(
                how.code,
                a.span,
                &a.pointer,
                msg,
                Some(format!("remove `{}`", a.text)),
            ) {
                f.locations.push(extra);
            }
        }
    }
}
