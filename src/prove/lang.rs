//! Policy patterns as regular languages: action globs (M-1), resource ARN
//! patterns with their per-segment rules (M-4), condition values (C-4,
//! C-7, C-10) and policy variables (V-2..V-5), with a small algebra
//! (and, or, not) compiled to automata over one [`Alphabet`].
//!
//! A variable whose key the query fixes is substituted literally (V-7).
//! A variable whose key is free is an unknown string: its language is
//! over-approximated ([`Approx::Upper`], any text could be substituted) for
//! statements that grant, and under-approximated ([`Approx::Lower`], no
//! text is certain) for statements that deny.

use std::collections::HashSet;

use super::alphabet::Alphabet;
use super::automaton::{token_chars, Class, Dfa, Nfa, Tok, TooLarge};
use crate::matcher::{parse_template, Piece, Variable};
use crate::request::context::{Context, ContextValue};

/// Which side of an unknown value a language stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Approx {
    /// Every string the pattern could match for some value of its free variables.
    Upper,
    /// The strings it matches whatever the values of its free variables.
    Lower,
}

/// What a policy variable stands for in a proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VarValue {
    /// Fixed by the query: substituted literally.
    Text(String),
    /// Fixed as missing (or multi-valued) without a default: the pattern matches nothing (V-4).
    Unresolved,
    /// Not fixed: any value, or missing.
    Free,
}

/// The context keys a query fixes: their values, and keys fixed as absent.
#[derive(Debug, Clone, Default)]
pub(crate) struct VarEnv {
    /// Keys with fixed values (given, or derived from the principal).
    pub fixed: Context,
    /// Lower-cased keys known to be absent (e.g. `aws:username` of a role session).
    pub absent: HashSet<String>,
}

impl VarEnv {
    /// What a variable stands for (mirrors `Context::resolve` and defaults, V-4, V-5).
    pub(crate) fn value(&self, v: &Variable) -> VarValue {
        let given = match self.fixed.get_lower(&v.key_lower).map(|e| &e.value) {
            Some(ContextValue::Single(s)) => return VarValue::Text(s.clone()),
            Some(ContextValue::Multi(_)) => true,
            None => self.absent.contains(&v.key_lower),
        };
        if !given {
            return VarValue::Free;
        }
        match &v.default {
            Some(d) => VarValue::Text(d.clone()),
            None => VarValue::Unresolved,
        }
    }

    /// Whether the key is fixed (present or absent).
    pub(crate) fn is_fixed(&self, key_lower: &str) -> bool {
        self.fixed.get_lower(key_lower).is_some() || self.absent.contains(key_lower)
    }
}

/// A regular language, built from patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lang {
    /// No string.
    Empty,
    /// Every string.
    All,
    /// The union of token sequences.
    Seqs(Vec<Vec<Tok>>),
    /// Strings equal to this lower-cased text after lower-casing each character.
    Folded(String),
    /// Intersection.
    And(Vec<Lang>),
    /// Union.
    Or(Vec<Lang>),
    /// Complement.
    Not(Box<Lang>),
}

impl Lang {
    /// One token sequence.
    pub(crate) fn seq(toks: Vec<Tok>) -> Lang {
        Lang::Seqs(vec![toks])
    }

    /// A literal string.
    #[cfg(test)]
    pub(crate) fn literal(s: &str) -> Lang {
        Lang::seq(s.chars().map(Tok::Lit).collect())
    }

    /// Strings starting with a literal prefix.
    pub(crate) fn prefix(s: &str) -> Lang {
        let mut t: Vec<Tok> = s.chars().map(Tok::Lit).collect();
        t.push(Tok::Star(Class::Any));
        Lang::seq(t)
    }

    /// Strings containing a literal.
    pub(crate) fn contains(s: &str) -> Lang {
        let mut t = vec![Tok::Star(Class::Any)];
        t.extend(s.chars().map(Tok::Lit));
        t.push(Tok::Star(Class::Any));
        Lang::seq(t)
    }

    /// The complement.
    pub(crate) fn not(self) -> Lang {
        Lang::Not(Box::new(self))
    }

    /// The characters that must have their own symbol.
    pub(crate) fn chars(&self, out: &mut Vec<char>) {
        match self {
            Lang::Empty | Lang::All => {}
            Lang::Seqs(seqs) => {
                for s in seqs {
                    out.extend(token_chars(s));
                }
            }
            Lang::Folded(s) => out.extend(s.chars()),
            Lang::And(ls) | Lang::Or(ls) => ls.iter().for_each(|l| l.chars(out)),
            Lang::Not(l) => l.chars(out),
        }
    }

    /// Lower-cased texts compared case-insensitively (their alphabets need
    /// every character that lower-cases into them).
    pub(crate) fn folded_texts<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Lang::Folded(s) => out.push(s),
            Lang::And(ls) | Lang::Or(ls) => ls.iter().for_each(|l| l.folded_texts(out)),
            Lang::Not(l) => l.folded_texts(out),
            _ => {}
        }
    }

    /// Compiles to an automaton over the alphabet.
    pub(crate) fn compile(&self, alpha: &Alphabet) -> Result<Dfa, TooLarge> {
        let k = alpha.size();
        match self {
            Lang::Empty => Ok(Dfa::none(k)),
            Lang::All => Ok(Dfa::all(k)),
            Lang::Seqs(seqs) => Dfa::from_sequences(alpha, seqs),
            Lang::Folded(s) => Nfa::folded(alpha, s).determinize(k)?.minimize(),
            Lang::And(ls) => {
                let mut acc = Dfa::all(k);
                for l in ls {
                    acc = acc.intersect(&l.compile(alpha)?)?;
                }
                Ok(acc)
            }
            Lang::Or(ls) => {
                // token sequences go into one automaton: a union of many
                // patterns is determinized once, not merged pairwise
                let mut seqs: Vec<Vec<Tok>> = Vec::new();
                let mut rest: Vec<&Lang> = Vec::new();
                for l in ls {
                    match l {
                        Lang::Seqs(s) => seqs.extend(s.iter().cloned()),
                        other => rest.push(other),
                    }
                }
                let mut acc = Dfa::from_sequences(alpha, &seqs)?;
                for l in rest {
                    acc = acc.union(&l.compile(alpha)?)?;
                }
                Ok(acc)
            }
            Lang::Not(l) => Ok(l.compile(alpha)?.complement()),
        }
    }
}

/// Characters outside `texts` whose lower case is spelled only with
/// characters of `texts` (so that folded comparisons see them, C-4).
pub(crate) fn folding_chars(texts: &[&str]) -> Vec<char> {
    let wanted: HashSet<char> = texts.iter().flat_map(|t| t.chars()).collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    ('\0'..=char::MAX)
        .filter(|c| {
            let mut lower = c.to_lowercase();
            lower.all(|l| wanted.contains(&l))
        })
        .collect()
}

/// A glob: `*` and `?` range over `class`, everything else is literal.
pub(crate) fn glob(text: &str, class: &Class) -> Vec<Tok> {
    text.chars()
        .map(|c| match c {
            '*' => Tok::Star(class.clone()),
            '?' => Tok::One(class.clone()),
            c => Tok::Lit(c),
        })
        .collect()
}

/// A template (text, `${*}`-style literals, variables) as tokens; `None`
/// when it matches nothing. `wildcards` says whether `*`/`?` of its text
/// are wildcards (`StringLike`, resources) or literal (`StringEquals`).
pub(crate) fn template(
    pieces: &[Piece],
    wildcards: bool,
    class: &Class,
    env: &VarEnv,
    approx: Approx,
) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(t) if wildcards => out.extend(glob(t, class)),
            Piece::Text(t) => out.extend(t.chars().map(Tok::Lit)),
            Piece::Literal(c) => out.push(Tok::Lit(*c)),
            Piece::Var(v) => match env.value(v) {
                VarValue::Text(s) => out.extend(s.chars().map(Tok::Lit)),
                VarValue::Unresolved => return None,
                VarValue::Free => match approx {
                    Approx::Upper => out.push(Tok::Star(Class::Any)),
                    Approx::Lower => return None,
                },
            },
        }
    }
    Some(out)
}

/// Whether a template refers to a variable whose key is free.
pub(crate) fn has_free_variable(pieces: &[Piece], env: &VarEnv) -> bool {
    pieces
        .iter()
        .any(|p| matches!(p, Piece::Var(v) if env.value(v) == VarValue::Free))
}

/// The pieces of a condition value or resource part as the policy loader
/// compiled them: variables only under `Version` 2012-10-17 (G-2, V-1).
pub(crate) fn pieces_of(text: &str, variables: bool) -> Vec<Piece> {
    if variables && crate::matcher::has_variable(text) {
        if let Ok(p) = parse_template(text) {
            return p;
        }
    }
    vec![Piece::Text(text.to_string())]
}

fn join_segments(segments: Vec<Vec<Tok>>) -> Vec<Tok> {
    let mut out = Vec::new();
    for (i, s) in segments.into_iter().enumerate() {
        if i > 0 {
            out.push(Tok::Lit(':'));
        }
        out.extend(s);
    }
    out
}

/// Complete ARNs: `arn:` and at least five colons (M-3).
pub(crate) fn arn_valid() -> Lang {
    let nc = || Tok::Star(Class::no_colon());
    let mut t: Vec<Tok> = "arn:".chars().map(Tok::Lit).collect();
    for _ in 0..4 {
        t.push(nc());
        t.push(Tok::Lit(':'));
    }
    t.push(Tok::Star(Class::Any));
    Lang::seq(t)
}

/// The ARNs a `Resource` entry (or a static `Arn…` condition value)
/// matches, per M-4: `*` every ARN; six parts compared segment by segment
/// with the resource part as one glob; fewer parts ending in `*` let the
/// last part swallow the rest; anything else nothing. `variables` says
/// whether `${…}` in the resource part are variables (G-2).
pub(crate) fn resource_pattern(text: &str, variables: bool, env: &VarEnv, approx: Approx) -> Lang {
    if text == "*" {
        return arn_valid();
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let nc = Class::no_colon();
    let lang = if parts.len() == 6 {
        let rest = parts.get(5).copied().unwrap_or_default();
        let pieces = pieces_of(rest, variables);
        let Some(resource) = template(&pieces, true, &Class::Any, env, approx) else {
            return Lang::Empty;
        };
        let mut segs: Vec<Vec<Tok>> = parts.iter().take(5).map(|p| glob(p, &nc)).collect();
        segs.push(resource);
        join_segments(segs)
    } else if let Some((last, init)) = parts.split_last().filter(|(l, _)| l.ends_with('*')) {
        let mut segs: Vec<Vec<Tok>> = init.iter().map(|p| glob(p, &nc)).collect();
        segs.push(glob(last, &Class::Any));
        join_segments(segs)
    } else {
        return Lang::Empty;
    };
    Lang::And(vec![Lang::seq(lang), arn_valid()])
}

/// The ARNs an `Arn…` condition value with variables or `${*}` literals
/// matches (C-10): substituted, split into six components, each compared
/// as a glob within its component.
pub(crate) fn arn_template(pieces: &[Piece], env: &VarEnv, approx: Approx) -> Lang {
    let mut parts: Vec<Vec<Tok>> = vec![Vec::new()];
    let class_of = |n: usize| if n < 6 { Class::no_colon() } else { Class::Any };
    for p in pieces {
        let (text, literal): (String, bool) = match p {
            Piece::Text(t) => (t.clone(), false),
            Piece::Literal(c) => {
                if let Some(cur) = parts.last_mut() {
                    cur.push(Tok::Lit(*c));
                }
                continue;
            }
            Piece::Var(v) => match env.value(v) {
                VarValue::Text(s) => (s, true),
                VarValue::Unresolved => return Lang::Empty,
                VarValue::Free => {
                    return match approx {
                        Approx::Upper => arn_valid(),
                        Approx::Lower => Lang::Empty,
                    }
                }
            },
        };
        for c in text.chars() {
            if c == ':' && parts.len() < 6 {
                parts.push(Vec::new());
                continue;
            }
            let class = class_of(parts.len());
            let tok = match c {
                '*' if !literal => Tok::Star(class),
                '?' if !literal => Tok::One(class),
                c => Tok::Lit(c),
            };
            if let Some(cur) = parts.last_mut() {
                cur.push(tok);
            }
        }
    }
    if parts.len() != 6 {
        return Lang::Empty;
    }
    Lang::And(vec![Lang::seq(join_segments(parts)), arn_valid()])
}

/// A letter standing for the value of a free variable: one per key, outside
/// every alphabet policies use (Unicode private use plane 15).
pub(crate) fn fresh_letter(index: usize) -> char {
    char::from_u32(0xF_0000 + u32::try_from(index).unwrap_or(0) % 0xFFFD).unwrap_or('\u{F0000}')
}

/// How a free variable is taken in [`resource_pattern_symbolic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symbolic {
    /// Present: its value is the fresh letter.
    Present,
    /// Missing (or a list): its default, or the entry matches nothing (V-4, V-5).
    Missing,
}

/// The ARNs a `Resource` entry matches with each free variable `keys[i]`
/// (lower-cased) taken as `modes[i]`: a present variable becomes its own
/// fresh letter ([`fresh_letter`]`(i)`) that no wildcard matches. The
/// language `L(ω)` maps onto the entry's language for a value `v` under
/// `ω ↦ v`, so `L1(ω) ⊆ L2(ω)` means the first entry's ARNs are the
/// second's for every value, provided the second (the `covering` side) lets
/// its `*` over the resource part match `ω` (any value is any text) but
/// never its `?` (a value may be longer than one character). `Ok(None)`:
/// the entry matches nothing; `Err(())`: it cannot be represented (fewer
/// than six parts).
#[allow(clippy::result_unit_err)]
pub(crate) fn resource_pattern_symbolic(
    text: &str,
    variables: bool,
    env: &VarEnv,
    keys: &[String],
    modes: &[Symbolic],
    covering: bool,
) -> Result<Option<Vec<Tok>>, ()> {
    let banned_letters: Vec<char> = (0..keys.len()).map(fresh_letter).collect();
    let star_any = if covering {
        Class::Any
    } else {
        Class::Except(banned_letters.clone())
    };
    if text == "*" {
        return Ok(Some(vec![Tok::Star(star_any)]));
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    if parts.len() != 6 {
        return if parts.last().is_some_and(|l| l.ends_with('*')) {
            Err(())
        } else {
            Ok(None)
        };
    }
    let mut banned = banned_letters.clone();
    let one = Class::Except(banned.clone());
    banned.push(':');
    let nc = Class::Except(banned);
    let mut out: Vec<Vec<Tok>> = parts.iter().take(5).map(|p| glob(p, &nc)).collect();
    let mut rest = Vec::new();
    for piece in pieces_of(parts.get(5).copied().unwrap_or_default(), variables) {
        match piece {
            Piece::Text(t) => rest.extend(t.chars().map(|c| match c {
                '*' => Tok::Star(star_any.clone()),
                '?' => Tok::One(one.clone()),
                c => Tok::Lit(c),
            })),
            Piece::Literal(c) => rest.push(Tok::Lit(c)),
            Piece::Var(v) => match env.value(&v) {
                VarValue::Text(s) => rest.extend(s.chars().map(Tok::Lit)),
                VarValue::Unresolved => return Ok(None),
                VarValue::Free => {
                    let i = keys.iter().position(|k| *k == v.key_lower).ok_or(())?;
                    match modes.get(i) {
                        Some(Symbolic::Present) => rest.push(Tok::Lit(fresh_letter(i))),
                        _ => match &v.default {
                            Some(d) => rest.extend(d.chars().map(Tok::Lit)),
                            None => return Ok(None),
                        },
                    }
                }
            },
        }
    }
    out.push(rest);
    Ok(Some(join_segments(out)))
}

/// Every spelling of `word` in ASCII upper and lower case (`Bool` values, C-7).
pub(crate) fn ascii_any_case(word: &str) -> Lang {
    let mut seqs: Vec<Vec<Tok>> = vec![Vec::new()];
    for c in word.chars() {
        let variants = [c.to_ascii_lowercase(), c.to_ascii_uppercase()];
        let mut next = Vec::new();
        for s in &seqs {
            for (i, v) in variants.iter().enumerate() {
                if i == 1 && variants.first() == Some(v) {
                    continue;
                }
                let mut t = s.clone();
                t.push(Tok::Lit(*v));
                next.push(t);
            }
        }
        seqs = next;
    }
    Lang::Seqs(seqs)
}

/// Lower-cased action strings a pattern matches (M-1).
pub(crate) fn action_pattern(text: &str) -> Lang {
    Lang::seq(glob(&text.to_lowercase(), &Class::Any))
}

/// Lower-cased strings that are actions a request can carry:
/// `service:Name`, both parts non-empty, no wildcard, no white space.
pub(crate) fn action_valid(alpha: &Alphabet) -> Lang {
    let mut bad: Vec<char> = alpha
        .chars()
        .iter()
        .copied()
        .filter(|c| c.is_whitespace() || *c == '*' || *c == '?')
        .collect();
    let name = Class::Except(bad.clone());
    bad.push(':');
    let service = Class::Except(bad);
    Lang::seq(vec![
        Tok::One(service.clone()),
        Tok::Star(service),
        Tok::Lit(':'),
        Tok::One(name.clone()),
        Tok::Star(name),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{ArnRef, Resource, ResourcePattern};

    fn alphabet_of(langs: &[&Lang], extra: &str) -> Alphabet {
        let mut cs: Vec<char> = extra.chars().collect();
        for l in langs {
            l.chars(&mut cs);
        }
        Alphabet::new(cs)
    }

    fn env() -> VarEnv {
        VarEnv::default()
    }

    /// The M-4 table, compared with the evaluator's matcher.
    #[test]
    fn resource_languages_agree_with_the_matcher_spec_m4() {
        let patterns = [
            "arn:aws:s3:::prod/*",
            "arn:aws:s3:::prod*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::*/*",
            "arn:aws:s3:::b/*/test/*",
            "arn:aws:s3:::b/a:b*",
            "arn:aws:s3:::example?bucket/*",
            "arn:aws:s3:*:*:*",
            "arn:aws:s3:*",
            "arn:aws:s3:::PROD/*",
            "arn:aws:s3:us-east-1:111:accesspoint/*",
            "arn:aws:s*:::b",
            "arn:aws:s3:u*:::b",
            "arn:aws:s3",
            "not-an-arn",
            "*",
            "arn:*",
        ];
        let texts = [
            "arn:aws:s3:::prod/a/b/c.txt",
            "arn:aws:s3:::prod",
            "arn:aws:s3:::prod-logs/x",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/1/2/test/3/o.jpg",
            "arn:aws:s3:::b/test/o.jpg",
            "arn:aws:s3:::b/a:b:c",
            "arn:aws:s3:::example1bucket/k",
            "arn:aws:s3:us-east-1:111:accesspoint/ap",
            "arn:aws:s3:us-east-1:111:accesspoint/ap/object/k",
            "arn:aws:s3:us-east-1:x:111:b",
            "arn:aws:s3:us-east-1:::b",
            "arn:aws:s3express:::b",
            "arn:aws:s3:::",
            "arn:aws:s3",
            "s3:::b",
        ];
        for p in patterns {
            let lang = resource_pattern(p, false, &env(), Approx::Upper);
            let alpha = alphabet_of(&[&lang], "arn:aws3");
            let dfa = lang.compile(&alpha).unwrap();
            let matcher = ResourcePattern::new(p, None);
            for t in texts {
                let want = ArnRef::parse(t).is_some_and(|a| {
                    matcher.matches(
                        &Resource::Arn(crate::matcher::Arn::parse(a.as_str()).unwrap()),
                        "s3",
                        &crate::matcher::NoVariables,
                    ) == crate::matcher::Match::Yes
                });
                assert_eq!(dfa.accepts(&alpha.encode(t)), want, "pattern {p} text {t}");
            }
        }
    }

    #[test]
    fn free_variables_widen_grants_and_narrow_denies_spec_v4() {
        let p = "arn:aws:s3:::home/${aws:username}/*";
        let up = resource_pattern(p, true, &env(), Approx::Upper);
        let low = resource_pattern(p, true, &env(), Approx::Lower);
        let alpha = alphabet_of(&[&up], "");
        let up = up.compile(&alpha).unwrap();
        assert!(up.accepts(&alpha.encode("arn:aws:s3:::home/bob/x")));
        assert!(!up.accepts(&alpha.encode("arn:aws:s3:::other/bob/x")));
        assert!(low.compile(&alpha).unwrap().is_empty());
        // a fixed value is substituted literally (V-7)
        let mut fixed = VarEnv::default();
        fixed
            .fixed
            .set("aws:username", "a*", crate::request::context::Origin::Given);
        let l = resource_pattern(p, true, &fixed, Approx::Lower);
        let alpha = alphabet_of(&[&l], "");
        let d = l.compile(&alpha).unwrap();
        assert!(d.accepts(&alpha.encode("arn:aws:s3:::home/a*/k")));
        assert!(!d.accepts(&alpha.encode("arn:aws:s3:::home/ab/k")));
        // fixed as absent, no default: nothing (V-4); with a default: the default (V-5)
        let mut absent = VarEnv::default();
        absent.absent.insert("aws:username".into());
        assert_eq!(
            resource_pattern(p, true, &absent, Approx::Upper),
            Lang::Empty
        );
        let with_default = "arn:aws:s3:::home/${aws:username, 'common'}/*";
        let l = resource_pattern(with_default, true, &absent, Approx::Upper);
        let alpha = alphabet_of(&[&l], "");
        assert!(l
            .compile(&alpha)
            .unwrap()
            .accepts(&alpha.encode("arn:aws:s3:::home/common/k")));
        // variables are literal text under the 2008 version (G-2)
        let old = resource_pattern(p, false, &env(), Approx::Upper);
        let alpha = alphabet_of(&[&old], "");
        assert!(old
            .compile(&alpha)
            .unwrap()
            .accepts(&alpha.encode("arn:aws:s3:::home/${aws:username}/k")));
    }

    #[test]
    fn arn_condition_templates_spec_c10() {
        let pieces = parse_template("arn:aws:iam::111:role/${aws:username}").unwrap();
        let mut fixed = VarEnv::default();
        fixed.fixed.set(
            "aws:username",
            "x:y",
            crate::request::context::Origin::Given,
        );
        let l = arn_template(&pieces, &fixed, Approx::Lower);
        let alpha = alphabet_of(&[&l], "");
        let d = l.compile(&alpha).unwrap();
        assert!(d.accepts(&alpha.encode("arn:aws:iam::111:role/x:y")));
        let free = arn_template(&pieces, &env(), Approx::Upper);
        assert_eq!(free, arn_valid());
    }

    #[test]
    fn actions_and_booleans() {
        let alpha = Alphabet::new("s3:getobjectrufalse".chars().chain(['T', 'R', 'U', 'E']));
        let valid = action_valid(&alpha).compile(&alpha).unwrap();
        for (t, want) in [
            ("s3:x", true),
            ("s3:", false),
            (":x", false),
            ("s3:a:b", true),
        ] {
            assert_eq!(valid.accepts(&alpha.encode(t)), want, "{t}");
        }
        let b = ascii_any_case("true").compile(&alpha).unwrap();
        assert!(b.accepts(&alpha.encode("TrUe")));
        assert!(!b.accepts(&alpha.encode("tru")));
    }
}
