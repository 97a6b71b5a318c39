//! `String…` operators (spec C-4): exact, case-folded, and `*`/`?` globs.

use crate::matcher::{Glob, Match, Piece, Resolve};

/// One compiled policy value of a `String…` operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringValue {
    /// `StringEquals`: exact; `*` and `?` are literal characters.
    Exact(Glob),
    /// `StringEqualsIgnoreCase` without variables: the value lower-cased.
    Folded(String),
    /// `StringEqualsIgnoreCase` with variables: resolved, then folded.
    FoldedTemplate(Vec<Piece>),
    /// `StringLike`: a glob.
    Like(Glob),
}

impl StringValue {
    /// Compiles an `Equals` value (wildcards literal).
    pub fn exact(pieces: &[Piece]) -> StringValue {
        StringValue::Exact(Glob::from_pieces(&literalize(pieces)))
    }

    /// Compiles an `Equals` value without variables: the text itself,
    /// as [`StringValue::exact`] of its one text piece compiles it.
    pub fn exact_text(text: &str) -> StringValue {
        StringValue::Exact(Glob::literal(text))
    }

    /// Compiles an `EqualsIgnoreCase` value without variables.
    pub fn folded_text(text: &str) -> StringValue {
        StringValue::Folded(fold(text))
    }

    /// Compiles a `Like` value without variables.
    pub fn like_text(text: &str) -> StringValue {
        StringValue::Like(Glob::new(text))
    }

    /// Compiles an `EqualsIgnoreCase` value.
    pub fn folded(pieces: &[Piece]) -> StringValue {
        if pieces.iter().any(|p| matches!(p, Piece::Var(_))) {
            StringValue::FoldedTemplate(pieces.to_vec())
        } else {
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.clone(),
                    Piece::Literal(c) => c.to_string(),
                    Piece::Var(v) => v.to_string(),
                })
                .collect();
            StringValue::Folded(fold(&text))
        }
    }

    /// Compiles a `Like` value.
    pub fn like(pieces: &[Piece]) -> StringValue {
        StringValue::Like(Glob::from_pieces(pieces))
    }

    /// Whether the request value matches; `None` when a variable is unresolved (V-4).
    pub fn matches(&self, value: &str, vars: &dyn Resolve) -> Option<bool> {
        match self {
            StringValue::Exact(g) | StringValue::Like(g) => match g.matches(value, vars) {
                Match::Yes => Some(true),
                Match::No => Some(false),
                Match::Unresolved => None,
            },
            StringValue::Folded(lower) => Some(eq_folded(value, lower)),
            StringValue::FoldedTemplate(pieces) => {
                let mut text = String::new();
                for p in pieces {
                    match p {
                        Piece::Text(t) => text.push_str(t),
                        Piece::Literal(c) => text.push(*c),
                        Piece::Var(v) => text.push_str(vars.resolve(v).or(v.default.as_deref())?),
                    }
                }
                Some(eq_folded(value, &fold(&text)))
            }
        }
    }
}

/// Turns wildcard characters of text pieces into literals.
fn literalize(pieces: &[Piece]) -> Vec<Piece> {
    let mut out = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(t) if t.contains(['*', '?']) => {
                let mut buf = String::new();
                for c in t.chars() {
                    if c == '*' || c == '?' {
                        if !buf.is_empty() {
                            out.push(Piece::Text(std::mem::take(&mut buf)));
                        }
                        out.push(Piece::Literal(c));
                    } else {
                        buf.push(c);
                    }
                }
                if !buf.is_empty() {
                    out.push(Piece::Text(buf));
                }
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// Lower-cases character by character, exactly as [`eq_folded`] folds the
/// request value (`str::to_lowercase` would treat a final Σ differently).
fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Case-insensitive equality against an already lower-cased value, without allocating.
fn eq_folded(value: &str, lower: &str) -> bool {
    if value.is_ascii() && lower.is_ascii() {
        return value.len() == lower.len()
            && value
                .bytes()
                .zip(lower.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b);
    }
    value.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{parse_template, NoVariables};

    fn pieces(s: &str) -> Vec<Piece> {
        parse_template(s).unwrap()
    }

    #[test]
    fn string_operators_spec_c4() {
        let eq = StringValue::exact(&pieces("a*b"));
        assert_eq!(eq.matches("a*b", &NoVariables), Some(true));
        assert_eq!(eq.matches("aXb", &NoVariables), Some(false));
        let like = StringValue::like(&pieces("a*b"));
        assert_eq!(like.matches("aXYb", &NoVariables), Some(true));
        let empty = StringValue::like(&pieces(""));
        assert_eq!(empty.matches("", &NoVariables), Some(true));
        assert_eq!(empty.matches("x", &NoVariables), Some(false));
        let folded = StringValue::folded(&pieces("HeLLo"));
        assert_eq!(folded.matches("hello", &NoVariables), Some(true));
        assert_eq!(folded.matches("HELLO", &NoVariables), Some(true));
        assert_eq!(folded.matches("hell", &NoVariables), Some(false));
        let unicode = StringValue::folded(&pieces("ÉTÉ"));
        assert_eq!(unicode.matches("été", &NoVariables), Some(true));
        // a word ending in capital sigma matches itself (no final-sigma rule on one side only)
        let sigma = StringValue::folded(&pieces("ΟΔΟΣ"));
        assert_eq!(sigma.matches("ΟΔΟΣ", &NoVariables), Some(true));
        assert_eq!(sigma.matches("οδοσ", &NoVariables), Some(true));
        let var = StringValue::exact(&pieces("${aws:username}"));
        assert_eq!(var.matches("alice", &NoVariables), None);
    }
}
