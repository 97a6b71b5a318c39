//! Diagnostics: errors and findings people can act on.
//!
//! One line with a stable code, the place (`FILE:LINE:COL` and JSON
//! pointer), then a hint. Severities are Access Analyzer's finding types
//! (spec A-1), so the same value serves load errors and `lint` findings.

use std::fmt;

use serde::Serialize;

use crate::json::Location;

/// How serious a diagnostic is (Access Analyzer finding types, in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    /// Part of the policy is not functional; s3guard refuses to evaluate it.
    Error,
    /// The policy allows access considered overly permissive.
    SecurityWarning,
    /// Not following best practice; no security impact.
    Warning,
    /// Stylistic; no effect on access.
    Suggestion,
}

impl Severity {
    /// Access Analyzer's spelling (`SECURITY_WARNING`).
    pub fn finding_type(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::SecurityWarning => "SECURITY_WARNING",
            Severity::Warning => "WARNING",
            Severity::Suggestion => "SUGGESTION",
        }
    }

    /// The word used in text output (`security-warning`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security-warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

/// One problem or finding, with where it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// How serious.
    pub severity: Severity,
    /// Stable code in Access Analyzer's UPPER_SNAKE_CASE (`INVALID_EFFECT`).
    pub code: &'static str,
    /// Lowercase, one line, user input in backticks.
    pub message: String,
    /// The file (or `<stdin>`) it is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Where it starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Where it ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Location>,
    /// JSON pointer into the policy document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of the given severity.
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: None,
            location: None,
            end: None,
            pointer: None,
            hint: None,
        }
    }

    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// Sets the file.
    pub fn in_file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    /// Sets the start location.
    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    /// Sets the JSON pointer.
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Diagnostic {
        self.pointer = Some(pointer.into());
        self
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// The code as shown in text output: `INVALID_EFFECT` → `invalid-effect`.
    pub fn slug(&self) -> String {
        self.code.to_ascii_lowercase().replace('_', "-")
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE:COL: error[code]: message`, then the pointer and the hint
    /// on lines of their own; every part from the input is
    /// [escaped](crate::render::escape::value), so it cannot forge a line or act on
    /// the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::render::escape::value;
        let file = self.file.as_deref().map(value);
        match (&file, &self.location) {
            (Some(file), Some(loc)) => write!(f, "{file}:{}:{}: ", loc.line, loc.column)?,
            (Some(file), None) => write!(f, "{file}: ")?,
            (None, Some(loc)) => write!(f, "{}:{}: ", loc.line, loc.column)?,
            (None, None) => {}
        }
        write!(
            f,
            "{}[{}]: {}",
            self.severity.label(),
            self.slug(),
            value(&self.message)
        )?;
        if let Some(p) = &self.pointer {
            let shown = if p.is_empty() { "(document root)" } else { p };
            write!(f, "\n  at {}", value(shown))?;
        }
        if let Some(h) = &self.hint {
            // a hint may list choices, one per line, each escaped where it is made
            write!(f, "\n  help: {}", crate::render::escape::lines(h))?;
        }
        Ok(())
    }
}

/// Most diagnostics s3guard keeps for one policy; past it they are only
/// counted (one `too-many-diagnostics` error says how many), so that a
/// hostile input (a list of millions of bad values) cannot fill memory.
pub const MAX_PER_POLICY: usize = 1000;

/// Most diagnostics alike (same severity, code and message) shown; the rest
/// are summed up in one line ("… and N more like this").
pub const MAX_ALIKE: usize = 10;

/// The diagnostics to show, in order, with repeated ones capped: the first
/// [`MAX_ALIKE`] of each kind (severity, code, message), then, for each
/// kind with more, one note saying how many more.
pub fn condense(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    use std::collections::HashMap;
    let mut seen: HashMap<(Severity, &str, &str), usize> = HashMap::new();
    let mut shown = Vec::new();
    let mut order: Vec<(Severity, &str, &str)> = Vec::new();
    for d in diags {
        let key = (d.severity, d.code, d.message.as_str());
        let n = seen.entry(key).or_insert(0);
        *n += 1;
        if *n == 1 {
            order.push(key);
        }
        if *n <= MAX_ALIKE {
            shown.push(d.clone());
        }
    }
    for key in order {
        let n = seen.get(&key).copied().unwrap_or(0);
        if n > MAX_ALIKE {
            let (severity, code, message) = key;
            let like = Diagnostic::new(severity, code, message);
            shown.push(Diagnostic::new(
                severity,
                "REPEATED_DIAGNOSTIC",
                format!(
                    "… and {} more like this: {}[{}]: {message}",
                    n - MAX_ALIKE,
                    severity.label(),
                    like.slug()
                ),
            ));
        }
    }
    shown
}

impl std::error::Error for Diagnostic {}

/// The hint "did you mean `SUGGESTION`?", pointing out the characters of
/// `word` outside ASCII: a Cyrillic `е` in `s3:GetObjеct` looks like the
/// Latin `e`, and without the note the two names would read the same.
pub fn did_you_mean_hint(word: &str, suggestion: &str) -> String {
    let mut hint = format!("did you mean `{suggestion}`?");
    let odd: Vec<String> = word
        .chars()
        .enumerate()
        .filter(|(_, c)| !c.is_ascii())
        .take(3)
        .map(|(i, c)| {
            format!(
                "`{}` (U+{:04X}) at character {}",
                crate::render::escape::value(&c.to_string()),
                u32::from(c),
                i + 1
            )
        })
        .collect();
    if !odd.is_empty() {
        let more = word.chars().filter(|c| !c.is_ascii()).count() - odd.len();
        hint.push_str(&format!(
            " `{}` holds {}{} — not ASCII, though it may look it",
            crate::render::escape::value(word),
            odd.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    hint
}

/// Closest candidate to `word` by edit distance (case-insensitive), for
/// "did you mean" hints. Returns `None` when nothing is close.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lw: Vec<char> = word.to_ascii_lowercase().chars().collect();
    let max = (lw.len() / 3).max(2);
    candidates
        .into_iter()
        .filter_map(|c| {
            let lc: Vec<char> = c.to_ascii_lowercase().chars().collect();
            distance_within(&lw, &lc, max).map(|d| (d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters when it is at most `max`, `None`
/// otherwise. Cheap when the strings are far apart: nothing is computed
/// when their lengths differ by more than `max`, and the computation stops
/// as soon as every entry of a row exceeds `max`.
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    distance_within(&a, &b, max)
}

#[cfg(test)]
thread_local! {
    /// Cells of edit-distance tables computed on this thread: see
    /// [`edit_distance_cells`]. Counted in tests only.
    static CELLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many cells of edit-distance tables (one per pair of characters
/// compared) this thread has computed so far, for `did_you_mean` and
/// `edit_distance_within`: the work of a suggestion, which a test bounds
/// (a 16 KB unknown action once cost seconds of it per load) without
/// asserting a time.
#[cfg(test)]
fn edit_distance_cells() -> u64 {
    CELLS.with(std::cell::Cell::get)
}

fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    // The distance is at least the difference in length.
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        #[cfg(test)]
        CELLS.with(|c| c.set(c.get().saturating_add(b.len() as u64)));
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let del = prev
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(cost);
            if let Some(c) = cur.get_mut(j + 1) {
                *c = del.min(ins).min(sub);
            }
        }
        // No entry of a later row is below the smallest of this one.
        if cur.iter().min().is_some_and(|&m| m > max) {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().filter(|&d| d <= max)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_the_documented_shape() {
        let d = Diagnostic::error(
            "INVALID_CONDITION_OPERATOR",
            "unknown condition operator `StringEqualz`",
        )
        .in_file("policies/p.json")
        .at(Location {
            line: 9,
            column: 9,
            offset: 100,
        })
        .with_pointer("/Statement/0/Condition/StringEqualz")
        .with_hint("did you mean `StringEquals`?");
        assert_eq!(
            d.to_string(),
            "policies/p.json:9:9: error[invalid-condition-operator]: unknown condition operator `StringEqualz`\n  at /Statement/0/Condition/StringEqualz\n  help: did you mean `StringEquals`?"
        );
    }

    #[test]
    fn suggests_close_words_only() {
        let ops = ["StringEquals", "StringLike", "NumericEquals"];
        assert_eq!(did_you_mean("StringEqualz", ops), Some("StringEquals"));
        assert_eq!(did_you_mean("stringlike", ops), Some("StringLike"));
        assert_eq!(did_you_mean("Banana", ops), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "kitten",
            "sitting",
            "s3:GetObject",
            "s3:getobjekt",
            "é€x",
        ];
        for a in words {
            for b in words {
                let d = edit_distance(a, b);
                for max in 0..8 {
                    let want = (d <= max).then_some(d);
                    assert_eq!(edit_distance_within(a, b, max), want, "{a:?} {b:?} {max}");
                }
            }
        }
        let long = "x".repeat(100_000);
        assert_eq!(edit_distance_within(&long, "s3:GetObject", 3), None);
        assert_eq!(did_you_mean(&long, ["s3:GetObject"]), None);
    }

    #[test]
    fn did_you_mean_points_out_characters_outside_ascii() {
        assert_eq!(
            did_you_mean_hint("s3:GetObjct", "s3:GetObject"),
            "did you mean `s3:GetObject`?"
        );
        // a Cyrillic `е` (U+0435) in place of the Latin `e`
        assert_eq!(
            did_you_mean_hint("s3:GetObj\u{435}ct", "s3:GetObject"),
            "did you mean `s3:GetObject`? `s3:GetObj\u{435}ct` holds `\u{435}` (U+0435) at character 10 — not ASCII, though it may look it"
        );
    }

    /// A fuzzed policy whose `s3:` action is 16 KB long made the "did you
    /// mean" hint compute a full edit distance against every catalog
    /// action (seconds per load; minutes for larger inputs). Candidates
    /// whose length alone puts them out of reach are skipped (ba90162):
    /// the work is bounded by the cells of edit-distance tables computed,
    /// not by a time. Without the skip, loading it as every policy type
    /// and linting it computes 328 M cells; with it, none.
    #[test]
    fn a_long_unknown_action_computes_no_edit_distance() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/fuzz/policy_load-long-action-timeout.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let before = edit_distance_cells();
        for t in crate::PolicyType::ALL {
            let _ = crate::Policy::parse_as("fuzz.json", &text, crate::LoadOptions::new(t));
        }
        let lint = crate::lint::lint_text("fuzz.json", &text, Default::default());
        assert!(lint.readable);
        let cells = edit_distance_cells() - before;
        assert!(cells <= 10_000, "{cells} cells of edit distance computed");
    }

    /// The counter counts: a suggestion among near words computes cells.
    #[test]
    fn edit_distance_cells_count_the_tables() {
        let before = edit_distance_cells();
        assert_eq!(did_you_mean("Efect", ["Effect", "Action"]), Some("Effect"));
        assert!(edit_distance_cells() - before >= 5 * 6);
    }
}
