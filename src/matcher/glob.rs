//! Compiled `*`/`?` patterns, optionally holding policy variables.
//!
//! A pattern is split once, at load time, into literal segments between
//! stars. Matching anchors the first and last segments and finds each middle
//! segment at its leftmost position, which is optimal for `*`-separated
//! patterns: matching is linear in the text for each segment, with no
//! backtracking blow-up on patterns such as `*a*a*a*b`. `?` matches exactly
//! one Unicode character. Text substituted for a variable is literal (V-7).

use std::fmt;

use super::variable::{Piece, Variable};
use crate::json::Str;

/// Supplies values for policy variables while matching.
pub trait Resolve {
    /// The single value of the variable's key, if the request has one.
    fn resolve(&self, var: &Variable) -> Option<&str>;
}

/// A resolver that knows no keys (patterns without variables).
pub struct NoVariables;

impl Resolve for NoVariables {
    fn resolve(&self, _var: &Variable) -> Option<&str> {
        None
    }
}

/// One element of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Lit(Box<str>),
    One,
    Var(Variable),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// Only stars.
    Any,
    /// No wildcard, no variable.
    Exact(Str),
    /// `literal*`.
    Prefix(Str),
    /// Anything else.
    General {
        anchored_start: bool,
        anchored_end: bool,
        /// Whether some segment holds a variable (only this shape can: kept
        /// here, a `Glob` is 32 bytes, and a resource pattern 64).
        has_vars: bool,
        segments: Vec<Vec<Atom>>,
    },
}

/// The shape of a pattern without variables, as [`Glob::new`] compiles
/// it: what a resource pattern needs to keep an exact or prefix resource
/// part as a range of its own text (no copy, no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simple {
    /// No wildcard: the text itself.
    Exact,
    /// Only stars.
    Any,
    /// The first `n` bytes (not empty, no wildcard), then only stars.
    Prefix(usize),
    /// Anything else (a `?`, an inner star).
    General,
}

impl Simple {
    /// The shape of `pattern`.
    pub(crate) fn of(pattern: &str) -> Simple {
        let bytes = pattern.as_bytes();
        // an ARN's fields are short: eight bytes at a time costs less
        // than a call (or a byte loop, seven instructions a byte)
        let first = if bytes.len() <= 64 {
            super::bytes::first_wildcard(bytes)
        } else {
            memchr::memchr2(b'*', b'?', bytes)
        };
        match first {
            None => Simple::Exact,
            Some(i)
                if bytes
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .all(|&b| b == b'*') =>
            {
                // `i` is at an ASCII `*`: a character boundary
                match pattern.get(..i) {
                    Some("") => Simple::Any,
                    Some(_) => Simple::Prefix(i),
                    None => Simple::General,
                }
            }
            Some(_) => Simple::General,
        }
    }
}

/// Whether `a` is `b`: what an exact glob matches.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    same(a, b)
}

/// Outcome of matching a pattern that may hold variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The text matches.
    Yes,
    /// The text does not match.
    No,
    /// A variable had no value and no default: the pattern matches nothing (V-4).
    Unresolved,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    repr: Repr,
}

enum Token {
    Star,
    One,
    Lit(String),
    Var(Variable),
}

impl Glob {
    /// Compiles a pattern where `*` and `?` are wildcards and nothing else is special.
    ///
    /// An exact text or a prefix (the shapes of almost every pattern) is
    /// one allocation of its text, none for a common word (`arn`, `aws`,
    /// `s3`, the empty region and account of an S3 ARN).
    pub fn new(pattern: &str) -> Glob {
        Glob::new_with(pattern, Str::new)
    }

    /// [`Glob::new`] of a text that is seldom a common word (the resource
    /// part of an ARN, `bucket/*`): an exact text or prefix is copied
    /// without the common-word look-up (about 65 instructions), an empty
    /// one allocates nothing either way.
    pub(crate) fn new_uncommon(pattern: &str) -> Glob {
        Glob::new_with(pattern, |text| Str::owned(text.to_string()))
    }

    fn new_with(pattern: &str, str_of: impl Fn(&str) -> Str) -> Glob {
        let repr = match Simple::of(pattern) {
            Simple::Exact => Repr::Exact(str_of(pattern)),
            Simple::Any => Repr::Any,
            Simple::Prefix(body) => Repr::Prefix(str_of(pattern.get(..body).unwrap_or_default())),
            Simple::General => return Glob::general(pattern),
        };
        Glob { repr }
    }

    /// The glob of a pattern of any shape, by its tokens (what
    /// [`Simple::General`] patterns compile to).
    pub(crate) fn general(pattern: &str) -> Glob {
        Glob::from_pieces(&[Piece::Text(pattern.to_string())])
    }

    /// [`Glob::new`] of a pattern the caller owns: an exact text or a
    /// prefix (the shapes of almost every pattern) keeps its allocation.
    pub fn from_string(mut pattern: String) -> Glob {
        if !pattern.contains('?') {
            let body = pattern.trim_end_matches('*').len();
            if !pattern.get(..body).unwrap_or_default().contains('*') {
                let repr = if body == pattern.len() {
                    Repr::Exact(pattern.into())
                } else if body == 0 {
                    Repr::Any
                } else {
                    // kept in the caller's allocation, no lookup
                    pattern.truncate(body);
                    Repr::Prefix(Str::owned(pattern))
                };
                return Glob { repr };
            }
        }
        Glob::from_pieces(&[Piece::Text(pattern)])
    }

    /// Compiles a literal (no wildcards at all).
    pub fn literal(text: &str) -> Glob {
        Glob {
            repr: Repr::Exact(text.into()),
        }
    }

    /// Compiles a template: wildcards in text pieces, variables and `${*}`-style literals.
    pub fn from_pieces(pieces: &[Piece]) -> Glob {
        let mut tokens: Vec<Token> = Vec::new();
        let push_lit = |tokens: &mut Vec<Token>, text: &str| match tokens.last_mut() {
            Some(Token::Lit(s)) => s.push_str(text),
            _ => tokens.push(Token::Lit(text.to_string())),
        };
        for piece in pieces {
            match piece {
                Piece::Text(t) => {
                    // Runs of literal text are pushed whole.
                    let mut rest = t.as_str();
                    while !rest.is_empty() {
                        let run = rest.find(['*', '?']).unwrap_or(rest.len());
                        if run > 0 {
                            push_lit(&mut tokens, rest.get(..run).unwrap_or_default());
                        }
                        match rest.get(run..run + 1) {
                            Some("*") if !matches!(tokens.last(), Some(Token::Star)) => {
                                tokens.push(Token::Star);
                            }
                            Some("?") => tokens.push(Token::One),
                            _ => {}
                        }
                        rest = rest.get(run + 1..).unwrap_or_default();
                    }
                }
                Piece::Literal(c) => push_lit(&mut tokens, c.encode_utf8(&mut [0u8; 4])),
                Piece::Var(v) => tokens.push(Token::Var(v.clone())),
            }
        }
        Glob::from_tokens(tokens)
    }

    fn from_tokens(tokens: Vec<Token>) -> Glob {
        let has_vars = tokens.iter().any(|t| matches!(t, Token::Var(_)));
        let has_one = tokens.iter().any(|t| matches!(t, Token::One));
        let stars = tokens.iter().filter(|t| matches!(t, Token::Star)).count();
        if !has_vars && !has_one {
            match (tokens.as_slice(), stars) {
                ([], _) => return Glob::literal(""),
                ([Token::Star], _) => return Glob { repr: Repr::Any },
                ([Token::Lit(l)], 0) => return Glob::literal(l),
                ([Token::Lit(l), Token::Star], 1) => {
                    return Glob {
                        repr: Repr::Prefix(l.as_str().into()),
                    }
                }
                _ => {}
            }
        }
        let anchored_start = !matches!(tokens.first(), Some(Token::Star));
        let anchored_end = !matches!(tokens.last(), Some(Token::Star));
        let mut segments: Vec<Vec<Atom>> = Vec::new();
        let mut current: Vec<Atom> = Vec::new();
        for t in tokens {
            match t {
                Token::Star => {
                    if !current.is_empty() {
                        segments.push(std::mem::take(&mut current));
                    }
                }
                Token::One => current.push(Atom::One),
                Token::Lit(l) => current.push(Atom::Lit(l.into())),
                Token::Var(v) => current.push(Atom::Var(v)),
            }
        }
        if !current.is_empty() {
            segments.push(current);
        }
        Glob {
            repr: Repr::General {
                anchored_start,
                anchored_end,
                has_vars,
                segments,
            },
        }
    }

    /// The literal text every match starts with, and whether the pattern
    /// is exactly that text (no wildcard, no variable).
    pub fn literal_prefix(&self) -> (&str, bool) {
        match &self.repr {
            Repr::Any => ("", false),
            Repr::Exact(s) => (s, true),
            Repr::Prefix(p) => (p, false),
            Repr::General {
                anchored_start: true,
                segments,
                ..
            } => match segments.first().and_then(|s| s.first()) {
                Some(Atom::Lit(l)) => (l, false),
                _ => ("", false),
            },
            Repr::General { .. } => ("", false),
        }
    }

    /// Whether the pattern holds policy variables.
    pub fn has_variables(&self) -> bool {
        matches!(self.repr, Repr::General { has_vars: true, .. })
    }

    /// Whether the pattern is only stars.
    pub fn is_any(&self) -> bool {
        matches!(self.repr, Repr::Any)
    }

    /// The text when the pattern has no wildcard and no variable.
    pub fn as_literal(&self) -> Option<&str> {
        match &self.repr {
            Repr::Exact(s) => Some(s),
            _ => None,
        }
    }

    /// The variables the pattern references.
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        let segs: &[Vec<Atom>] = match &self.repr {
            Repr::General { segments, .. } => segments,
            _ => &[],
        };
        segs.iter().flatten().filter_map(|a| match a {
            Atom::Var(v) => Some(v),
            _ => None,
        })
    }

    /// Matches text against a pattern without variables.
    pub fn is_match(&self, text: &str) -> bool {
        self.matches(text, &NoVariables) == Match::Yes
    }

    /// Matches text, substituting variables from `vars`.
    pub fn matches(&self, text: &str, vars: &dyn Resolve) -> Match {
        let yes = |b: bool| if b { Match::Yes } else { Match::No };
        match &self.repr {
            Repr::Any => Match::Yes,
            Repr::Exact(s) => yes(same(text, s)),
            Repr::Prefix(p) => yes(text.starts_with(&**p)),
            Repr::General {
                anchored_start,
                anchored_end,
                has_vars,
                segments,
            } => {
                if *has_vars {
                    for atom in segments.iter().flatten() {
                        if let Atom::Var(v) = atom {
                            if resolve(vars, v).is_none() {
                                return Match::Unresolved;
                            }
                        }
                    }
                }
                yes(match_general(
                    text.as_bytes(),
                    *anchored_start,
                    *anchored_end,
                    segments,
                    vars,
                ))
            }
        }
    }
}

/// String equality that never hands an empty string to `memcmp`: an empty
/// `Box<str>` points at a dangling address, and glibc's AVX-512 `memcmp`
/// reads it under an empty mask, which costs a fault-suppression assist of
/// hundreds of cycles (empty ARN region and account parts hit it on every
/// request).
#[inline]
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a.is_empty() || a == b)
}

fn resolve<'a>(vars: &'a dyn Resolve, v: &'a Variable) -> Option<&'a str> {
    vars.resolve(v).or(v.default.as_deref())
}

fn match_general(
    text: &[u8],
    anchored_start: bool,
    anchored_end: bool,
    segments: &[Vec<Atom>],
    vars: &dyn Resolve,
) -> bool {
    let mut segs = segments;
    let mut pos = 0usize;
    let mut end = text.len();
    if anchored_start && anchored_end && segs.len() == 1 {
        return segs
            .first()
            .and_then(|s| match_forward(s, text, 0, vars))
            .is_some_and(|e| e == text.len());
    }
    if anchored_start {
        let Some((first, rest)) = segs.split_first() else {
            return text.is_empty();
        };
        match match_forward(first, text, 0, vars) {
            Some(e) => pos = e,
            None => return false,
        }
        segs = rest;
    }
    if anchored_end {
        let Some((last, rest)) = segs.split_last() else {
            return pos == text.len();
        };
        match match_backward(last, text, end, vars) {
            Some(s) if s >= pos => end = s,
            _ => return false,
        }
        segs = rest;
    }
    for seg in segs {
        match find_leftmost(seg, text, pos, end, vars) {
            Some(e) => pos = e,
            None => return false,
        }
    }
    pos <= end
}

/// Length in bytes of the UTF-8 character starting with `lead`.
fn char_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

fn is_boundary(text: &[u8], i: usize) -> bool {
    i == text.len() || text.get(i).is_some_and(|&b| (b & 0xc0) != 0x80)
}

/// Matches a segment starting at `pos`; returns the end offset.
fn match_forward(seg: &[Atom], text: &[u8], pos: usize, vars: &dyn Resolve) -> Option<usize> {
    let mut p = pos;
    for atom in seg {
        match atom {
            Atom::Lit(l) => {
                let l = l.as_bytes();
                if text.get(p..p + l.len())? != l {
                    return None;
                }
                p += l.len();
            }
            Atom::One => {
                let lead = *text.get(p)?;
                p += char_width(lead);
                if p > text.len() {
                    return None;
                }
            }
            Atom::Var(v) => {
                let l = resolve(vars, v)?.as_bytes();
                if text.get(p..p + l.len())? != l {
                    return None;
                }
                p += l.len();
            }
        }
    }
    Some(p)
}

/// Matches a segment ending at `end`; returns the start offset.
fn match_backward(seg: &[Atom], text: &[u8], end: usize, vars: &dyn Resolve) -> Option<usize> {
    let mut p = end;
    for atom in seg.iter().rev() {
        match atom {
            Atom::Lit(l) => {
                let l = l.as_bytes();
                let start = p.checked_sub(l.len())?;
                if text.get(start..p)? != l {
                    return None;
                }
                p = start;
            }
            Atom::One => {
                if p == 0 {
                    return None;
                }
                p -= 1;
                while p > 0 && !is_boundary(text, p) {
                    p -= 1;
                }
            }
            Atom::Var(v) => {
                let l = resolve(vars, v)?.as_bytes();
                let start = p.checked_sub(l.len())?;
                if text.get(start..p)? != l {
                    return None;
                }
                p = start;
            }
        }
    }
    if is_boundary(text, p) {
        Some(p)
    } else {
        None
    }
}

/// Finds the leftmost placement of a segment within `[from, end)`; returns its end.
fn find_leftmost(
    seg: &[Atom],
    text: &[u8],
    from: usize,
    end: usize,
    vars: &dyn Resolve,
) -> Option<usize> {
    let first_lit: Option<&[u8]> = match seg.first() {
        Some(Atom::Lit(l)) => Some(l.as_bytes()),
        _ => None,
    };
    let mut p = from;
    while p <= end {
        if let Some(lit) = first_lit {
            let window = text.get(p..end)?;
            p += find_bytes(window, lit)?;
        }
        if let Some(e) = match_forward(seg, text, p, vars) {
            if e <= end {
                return Some(e);
            }
        }
        if p >= end {
            return None;
        }
        p += text.get(p).map(|&b| char_width(b)).unwrap_or(1);
    }
    None
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    let (&first, rest) = needle.split_first()?;
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        let window = haystack.get(i..)?;
        let off = window.iter().position(|&b| b == first)?;
        i += off;
        if haystack.get(i + 1..i + needle.len()) == Some(rest) {
            return Some(i);
        }
        i += 1;
    }
    None
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Any => f.write_str("*"),
            Repr::Exact(s) => f.write_str(s),
            Repr::Prefix(p) => write!(f, "{p}*"),
            Repr::General {
                anchored_start,
                anchored_end,
                segments,
                ..
            } => {
                if !anchored_start {
                    f.write_str("*")?;
                }
                for (i, seg) in segments.iter().enumerate() {
                    if i > 0 {
                        f.write_str("*")?;
                    }
                    for a in seg {
                        match a {
                            Atom::Lit(l) => f.write_str(l)?,
                            Atom::One => f.write_str("?")?,
                            Atom::Var(v) => write!(f, "{v}")?,
                        }
                    }
                }
                if !anchored_end && !segments.is_empty() {
                    f.write_str("*")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::variable::parse_template;

    struct Vars(&'static [(&'static str, &'static str)]);
    impl Resolve for Vars {
        fn resolve(&self, var: &Variable) -> Option<&str> {
            self.0
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&var.key))
                .map(|(_, v)| *v)
        }
    }

    #[test]
    fn matches_wildcards_table() {
        let cases = [
            ("*", "", true),
            ("*", "abc", true),
            ("", "", true),
            ("", "a", false),
            ("abc", "abc", true),
            ("abc", "abcd", false),
            ("ab*", "abc", true),
            ("ab*", "a", false),
            ("*c", "abc", true),
            ("*c", "abd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "acb", false),
            ("*a*a*b", "aaaaaab", true),
            ("*a*a*b", "ab", false),
            ("prod/*/test/*", "prod/1/2/test/3/o.jpg", true),
            ("prod/*/test/*", "prod/test/o.jpg", false),
            ("b/?", "b/😀", true),
            ("b/??", "b/😀", false),
            ("?", "é", true),
            ("*?", "", false),
            ("?*?", "ab", true),
            ("?*?", "a", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("*ab*ab*", "abab", true),
            ("*ab*ab*", "aba", false),
        ];
        for (p, t, want) in cases {
            assert_eq!(Glob::new(p).is_match(t), want, "pattern {p:?} text {t:?}");
        }
    }

    #[test]
    fn variables_substitute_literally_spec_v2_v4_v7() {
        let g = Glob::from_pieces(&parse_template("home/${aws:username}/*").unwrap());
        let alice = Vars(&[("aws:username", "alice")]);
        assert_eq!(g.matches("home/alice/notes.txt", &alice), Match::Yes);
        assert_eq!(g.matches("home/bob/notes.txt", &alice), Match::No);
        assert_eq!(g.matches("home/alice/x", &NoVariables), Match::Unresolved);
        // a value with `*` does not widen the pattern (V-7)
        let star = Vars(&[("aws:username", "*")]);
        assert_eq!(g.matches("home/bob/x", &star), Match::No);
        assert_eq!(g.matches("home/*/x", &star), Match::Yes);
    }

    #[test]
    fn defaults_and_special_variables_spec_v3_v5() {
        let g = Glob::from_pieces(
            &parse_template("corp-${aws:PrincipalTag/team, 'common'}/*").unwrap(),
        );
        assert_eq!(g.matches("corp-common/x", &NoVariables), Match::Yes);
        let yellow = Vars(&[("aws:PrincipalTag/team", "yellow")]);
        assert_eq!(g.matches("corp-yellow/x", &yellow), Match::Yes);
        let lit = Glob::from_pieces(&parse_template("tmp${*}").unwrap());
        assert!(lit.is_match("tmp*"));
        assert!(!lit.is_match("tmp123"));
    }

    #[test]
    fn displays_back() {
        for p in ["*", "abc", "ab*", "*a?b*", "a*b", "?"] {
            assert_eq!(Glob::new(p).to_string(), p);
        }
    }

    #[test]
    fn new_uncommon_compiles_as_new() {
        // the same pattern whether the text is looked up among the common
        // words or not
        for p in [
            "",
            "*",
            "**",
            "s3",
            "aws",
            "arn",
            "bucket",
            "bucket/*",
            "bucket/**",
            "a?b",
            "a*b",
            "*a",
            "prod-bucket/home/${aws:username}/*",
            "ключ*",
        ] {
            let (a, b) = (Glob::new(p), Glob::new_uncommon(p));
            assert_eq!(a, b, "{p:?}");
            assert_eq!(a.literal_prefix(), b.literal_prefix(), "{p:?}");
            for t in ["", "s3", "bucket", "bucket/k", "a-b", "ab", "xa", "ключ"] {
                assert_eq!(a.is_match(t), b.is_match(t), "{p:?} {t:?}");
            }
        }
    }
}
