//! Wildcard patterns as small automata, to compare two patterns without a
//! request: can they match a common string (intersection), does one cover
//! every string of the other (containment)?
//!
//! Used by the checks that reason about patterns rather than requests:
//! an ARN pattern against the catalog's ARN formats (spec M-7, A-2 #11),
//! redundant actions and resources (A-2 #27, #28). A pattern is a list of
//! tokens: a literal character, one character of a class, or any run of
//! characters of a class. ARN patterns keep M-4's segment rule: in the first
//! five fields `*` and `?` cannot cross a colon.

use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};

use crate::matcher::{parse_template, Piece};

/// Which characters a wildcard may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Any character.
    Any,
    /// Any character but `/` (catalog placeholders such as `${BucketName}`).
    NotSlash,
    /// Any character but `:` (wildcards inside the first five ARN fields).
    NotColon,
}

impl Class {
    fn admits(self, c: char) -> bool {
        match self {
            Class::Any => true,
            Class::NotSlash => c != '/',
            Class::NotColon => c != ':',
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Lit(char),
    One(Class),
    Star(Class),
}

impl Token {
    fn admits(self, c: char) -> bool {
        match self {
            Token::Lit(l) => l == c,
            Token::One(k) | Token::Star(k) => k.admits(c),
        }
    }

    fn is_star(self) -> bool {
        matches!(self, Token::Star(_))
    }
}

/// Whether some character is accepted by both tokens.
fn overlap(a: Token, b: Token) -> bool {
    match (a, b) {
        (Token::Lit(x), Token::Lit(y)) => x == y,
        (Token::Lit(x), other) | (other, Token::Lit(x)) => other.admits(x),
        // every class admits `a`
        _ => true,
    }
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
}

/// Most states explored by [`Pattern::contained_in`] before it gives up
/// (answering "not contained", the answer that produces no finding).
const MAX_STATES: usize = 20_000;

/// Most work (positions of `other` visited, summed over states and steps)
/// one [`Pattern::contained_in`] spends before it gives up the same way: two
/// 10,000-character patterns such as `*a*a*…*b` would otherwise take minutes.
const MAX_WORK: usize = 2_000_000;

/// Work left for the pattern comparisons of one lint run, shared by all
/// of them, so that a hostile file of thousands of long patterns cannot make
/// the pairwise checks run for hours. When it runs out, comparisons answer
/// "not covered" (no finding) and the report says so.
#[derive(Debug)]
pub(crate) struct Budget {
    left: Cell<usize>,
    exhausted: Cell<bool>,
}

impl Budget {
    /// A budget of `work` units (one unit: a pattern position visited, or one
    /// pair compared).
    pub(crate) fn new(work: usize) -> Budget {
        Budget {
            left: Cell::new(work),
            exhausted: Cell::new(false),
        }
    }

    /// Takes `n` units; `false` (and exhausted from now on) when there are
    /// not that many left.
    pub(crate) fn spend(&self, n: usize) -> bool {
        match self.left.get().checked_sub(n) {
            Some(rest) if !self.exhausted.get() => {
                self.left.set(rest);
                true
            }
            _ => {
                self.exhausted.set(true);
                false
            }
        }
    }

    /// Whether some comparison was cut short.
    pub(crate) fn is_exhausted(&self) -> bool {
        self.exhausted.get()
    }
}

impl Pattern {
    /// An action pattern (M-1): case-insensitive, `*` and `?` cross colons.
    pub(crate) fn action(text: &str) -> Pattern {
        let tokens = text
            .to_lowercase()
            .chars()
            .map(|c| match c {
                '*' => Token::Star(Class::Any),
                '?' => Token::One(Class::Any),
                c => Token::Lit(c),
            })
            .collect();
        Pattern { tokens }
    }

    /// A `Resource` entry (M-4). `variables`: whether `${…}` is a policy
    /// variable (Version 2012-10-17); a variable may stand for any text.
    pub(crate) fn arn(text: &str, variables: bool) -> Pattern {
        if text == "*" {
            return Pattern {
                tokens: vec![Token::Star(Class::Any)],
            };
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let mut tokens = Vec::new();
        let short = parts.len() < 6;
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                tokens.push(Token::Lit(':'));
            }
            if i == 5 {
                resource_part(part, variables, &mut tokens);
                continue;
            }
            let chars: Vec<char> = part.chars().collect();
            for (j, c) in chars.iter().enumerate() {
                let final_star = short && i == last && j + 1 == chars.len();
                tokens.push(match c {
                    '*' if final_star => Token::Star(Class::Any),
                    '*' => Token::Star(Class::NotColon),
                    '?' => Token::One(Class::NotColon),
                    c => Token::Lit(*c),
                });
            }
        }
        Pattern { tokens }
    }

    /// A catalog ARN format such as `arn:${Partition}:s3:::${BucketName}`:
    /// each placeholder stands for one or more characters (no colon in the
    /// first five fields; `${ObjectName}` may hold `/`, other names not).
    pub(crate) fn catalog_arn(template: &str) -> Pattern {
        let mut tokens = Vec::new();
        let mut colons = 0usize;
        let mut rest = template;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("${") {
                let (name, tail) = after.split_once('}').unwrap_or((after, ""));
                let class = if colons < 5 {
                    Class::NotColon
                } else if name == "ObjectName" {
                    Class::Any
                } else {
                    Class::NotSlash
                };
                tokens.push(Token::One(class));
                tokens.push(Token::Star(class));
                rest = tail;
                continue;
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                if c == ':' {
                    colons += 1;
                }
                tokens.push(Token::Lit(c));
            }
            rest = chars.as_str();
        }
        Pattern { tokens }
    }

    /// Whether some string matches both patterns.
    pub(crate) fn intersects(&self, other: &Pattern) -> bool {
        let (a, b) = (&self.tokens, &other.tokens);
        let width = b.len() + 1;
        let mut seen = vec![false; (a.len() + 1) * width];
        let mut queue = VecDeque::from([(0usize, 0usize)]);
        while let Some((i, j)) = queue.pop_front() {
            let Some(slot) = seen.get_mut(i * width + j) else {
                continue;
            };
            if *slot {
                continue;
            }
            *slot = true;
            if i == a.len() && j == b.len() {
                return true;
            }
            let ta = a.get(i).copied();
            let tb = b.get(j).copied();
            if ta.is_some_and(Token::is_star) {
                queue.push_back((i + 1, j));
            }
            if tb.is_some_and(Token::is_star) {
                queue.push_back((i, j + 1));
            }
            if let (Some(x), Some(y)) = (ta, tb) {
                if overlap(x, y) {
                    let ni = if x.is_star() { i } else { i + 1 };
                    let nj = if y.is_star() { j } else { j + 1 };
                    if (ni, nj) != (i, j) {
                        queue.push_back((ni, nj));
                    }
                }
            }
        }
        false
    }

    /// Whether every string matching `self` also matches `other`. Gives up
    /// (answers `false`) past [`MAX_STATES`] explored states or [`MAX_WORK`].
    pub(crate) fn contained_in(&self, other: &Pattern) -> bool {
        self.contained_in_within(other, &Budget::new(MAX_WORK))
    }

    /// [`Pattern::contained_in`], spending from a shared budget (and never
    /// more than [`MAX_WORK`]); `false` when the budget runs out.
    pub(crate) fn contained_in_within(&self, other: &Pattern, budget: &Budget) -> bool {
        let reps = self.representatives(other);
        let start = other.closure(vec![0]);
        let mut seen: HashSet<(usize, Vec<usize>)> = HashSet::new();
        let mut queue = VecDeque::from([(0usize, start)]);
        let mut work = 0usize;
        while let Some((i, set)) = queue.pop_front() {
            // hashing the state, then one step per representative
            let cost = set.len().saturating_add(1).saturating_mul(reps.len() + 1);
            work = work.saturating_add(cost);
            if work > MAX_WORK || !budget.spend(cost) {
                return false;
            }
            if !seen.insert((i, set.clone())) {
                continue;
            }
            if seen.len() > MAX_STATES {
                return false;
            }
            if i == self.tokens.len() && !set.contains(&other.tokens.len()) {
                // a string of `self` that `other` rejects
                return false;
            }
            let Some(&t) = self.tokens.get(i) else {
                continue;
            };
            if t.is_star() {
                queue.push_back((i + 1, set.clone()));
            }
            for &c in &reps {
                if !t.admits(c) {
                    continue;
                }
                let next_i = if t.is_star() { i } else { i + 1 };
                let next = other.step(&set, c);
                queue.push_back((next_i, next));
            }
        }
        true
    }

    /// One character of each kind the two patterns tell apart.
    fn representatives(&self, other: &Pattern) -> Vec<char> {
        let mut reps: Vec<char> = self
            .tokens
            .iter()
            .chain(&other.tokens)
            .filter_map(|t| match t {
                Token::Lit(c) => Some(*c),
                _ => None,
            })
            .collect();
        reps.push('/');
        reps.push(':');
        if let Some(fresh) = ['a', 'b', 'c', '0', '\u{e000}']
            .into_iter()
            .find(|c| !reps.contains(c))
        {
            reps.push(fresh);
        }
        reps.sort_unstable();
        reps.dedup();
        reps
    }

    /// Positions reachable from `set` by skipping stars, sorted. Linear in
    /// the sizes of `set` and of the result (`*a*a*…` puts thousands of
    /// positions in a set; a quadratic closure made lint hang).
    fn closure(&self, mut set: Vec<usize>) -> Vec<usize> {
        set.sort_unstable();
        set.dedup();
        let mut out: Vec<usize> = Vec::with_capacity(set.len());
        for p in set {
            // a star at `q` adds `q + 1`: a run of consecutive positions,
            // and a run already pushed holds every later position of it
            let mut q = p;
            while out.last().is_none_or(|&last| last < q) {
                out.push(q);
                if !self.tokens.get(q).is_some_and(|t| t.is_star()) {
                    break;
                }
                q += 1;
            }
        }
        out
    }

    fn step(&self, set: &[usize], c: char) -> Vec<usize> {
        let mut next = Vec::new();
        for &p in set {
            if let Some(&t) = self.tokens.get(p) {
                if t.admits(c) {
                    next.push(if t.is_star() { p } else { p + 1 });
                }
            }
        }
        self.closure(next)
    }
}

/// An `Action` or `Resource` entry compiled once, for the pairwise
/// redundancy checks (a pair costs a comparison of literal prefixes, and the
/// automaton only when they agree).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The text as compared (ASCII-lowercased for actions, M-1).
    text: String,
    pattern: Pattern,
    /// Bytes before the first wildcard.
    prefix: usize,
    /// Whether the text holds `*` or `?`.
    wild: bool,
}

impl Entry {
    /// An action entry (M-1, case-insensitive).
    pub(crate) fn action(text: &str) -> Entry {
        let lower = text.to_ascii_lowercase();
        Entry::new(Pattern::action(text), lower)
    }

    /// A resource entry (M-4).
    pub(crate) fn resource(text: &str, variables: bool) -> Entry {
        Entry::new(Pattern::arn(text, variables), text.to_string())
    }

    fn new(pattern: Pattern, text: String) -> Entry {
        let prefix = text.find(['*', '?']);
        Entry {
            wild: prefix.is_some(),
            prefix: prefix.unwrap_or(text.len()),
            text,
            pattern,
        }
    }

    /// The text as compared.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Whether every action or resource `self` matches is matched by `b`,
    /// cheap answers first; the automaton spends from `budget`.
    pub(crate) fn covered_by(&self, b: &Entry, budget: &Budget) -> bool {
        if self.text == b.text || b.text == "*" {
            return true;
        }
        if !b.wild {
            return false;
        }
        let n = self.prefix.min(b.prefix);
        if self.text.as_bytes().get(..n) != b.text.as_bytes().get(..n) {
            return false;
        }
        self.pattern.contained_in_within(&b.pattern, budget)
    }
}

/// For each text, the index of the first earlier one equal to it (in
/// linear time): exact duplicates are still reported when the budget of
/// the pairwise comparisons has run out.
pub(crate) fn earlier_duplicates<'a, I>(texts: I) -> Vec<Option<usize>>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut first: HashMap<&str, usize> = HashMap::new();
    texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| match first.get(t) {
            Some(&j) => Some(j),
            None => {
                first.insert(t, i);
                None
            }
        })
        .collect()
}

/// Tokens of an ARN's resource part: a glob, with variables as "any text".
fn resource_part(part: &str, variables: bool, tokens: &mut Vec<Token>) {
    let glob = |text: &str, tokens: &mut Vec<Token>| {
        for c in text.chars() {
            tokens.push(match c {
                '*' => Token::Star(Class::Any),
                '?' => Token::One(Class::Any),
                c => Token::Lit(c),
            });
        }
    };
    if variables && crate::matcher::has_variable(part) {
        if let Ok(pieces) = parse_template(part) {
            for piece in pieces {
                match piece {
                    Piece::Text(t) => glob(&t, tokens),
                    Piece::Literal(c) => tokens.push(Token::Lit(c)),
                    Piece::Var(_) => tokens.push(Token::Star(Class::Any)),
                }
            }
            return;
        }
    }
    glob(part, tokens);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(s: &str) -> Pattern {
        Pattern::arn(s, true)
    }

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";

    #[test]
    fn bucket_and_object_formats_are_told_apart_spec_m7() {
        let bucket = Pattern::catalog_arn(BUCKET);
        let object = Pattern::catalog_arn(OBJECT);
        assert!(arn("arn:aws:s3:::media").intersects(&bucket));
        assert!(!arn("arn:aws:s3:::media").intersects(&object));
        assert!(arn("arn:aws:s3:::media/*").intersects(&object));
        assert!(!arn("arn:aws:s3:::media/*").intersects(&bucket));
        // `*` in the bucket name can stand for a `/`: both kinds
        assert!(arn("arn:aws:s3:::media*").intersects(&bucket));
        assert!(arn("arn:aws:s3:::media*").intersects(&object));
        assert!(arn("arn:aws:s3:*:*:*").intersects(&object));
        // empty bucket name matches no format
        assert!(!arn("arn:aws:s3:::").intersects(&bucket));
        // a region or account makes it no bucket
        assert!(!arn("arn:aws:s3:us-east-1::media").intersects(&bucket));
        // variables stand for any text
        assert!(arn("arn:aws:s3:::home/${aws:username}").intersects(&object));
        assert!(!Pattern::arn("arn:aws:s3:::${aws:username}", false).intersects(&object));
    }

    #[test]
    fn segment_wildcards_do_not_cross_colons_spec_m4() {
        let ap = Pattern::catalog_arn(
            "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}",
        );
        assert!(arn("arn:aws:s3:*:111122223333:accesspoint/*").intersects(&ap));
        // the region wildcard cannot swallow `111122223333:accesspoint`
        assert!(!Pattern::arn("arn:aws:s3:*:job/x", true).intersects(&ap));
        // a short pattern's final `*` swallows the rest
        assert!(arn("arn:aws:s3:*").intersects(&ap));
    }

    #[test]
    fn containment_of_globs() {
        let a = Pattern::action;
        assert!(a("s3:GetObject").contained_in(&a("s3:Get*")));
        assert!(a("s3:getobject").contained_in(&a("S3:GETOBJECT")));
        assert!(a("s3:Get*Tagging").contained_in(&a("s3:Get*")));
        assert!(!a("s3:Get*").contained_in(&a("s3:Get*Tagging")));
        assert!(a("s3:Get?bject").contained_in(&a("s3:*")));
        assert!(!a("s3:*").contained_in(&a("s3:Get*")));
        assert!(a("anything").contained_in(&a("*")));
        assert!(arn("arn:aws:s3:::b/x").contained_in(&arn("arn:aws:s3:::b/*")));
        assert!(arn("arn:aws:s3:::b/x/*").contained_in(&arn("arn:aws:s3:::b/*")));
        assert!(!arn("arn:aws:s3:::b").contained_in(&arn("arn:aws:s3:::b/*")));
        assert!(arn("arn:aws:s3:::b").contained_in(&arn("*")));
        assert!(!arn("arn:aws:s3:*:*:x").contained_in(&arn("arn:aws:s3:::*")));
        assert!(arn("arn:aws:s3:::*").contained_in(&arn("arn:aws:s3:*:*:*")));
    }

    #[test]
    fn intersection_agrees_with_concrete_strings() {
        // a matching concrete string proves the intersection non-empty
        let p = arn("arn:aws:s3:::test*");
        let concrete = arn("arn:aws:s3:::testing");
        assert!(p.intersects(&concrete) && concrete.contained_in(&p));
        let concrete = arn("arn:aws:s3:::tes");
        assert!(!p.intersects(&concrete));
    }
}

#[cfg(test)]
mod properties {
    //! The automata agree with brute force over every short string, and with
    //! the evaluator's own ARN matcher (spec M-1, M-4).
    use super::*;
    use crate::matcher::{Arn, NoVariables, ResourcePattern};
    use proptest::prelude::*;

    const ALPHABET: [char; 4] = ['a', 'b', '/', ':'];

    fn glob(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|k| glob(rest, s.get(k..).unwrap_or(&[]))),
            Some(('?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
        }
    }

    fn all_strings(max: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..max {
            let mut next = Vec::new();
            for s in &frontier {
                for c in ALPHABET {
                    next.push(format!("{s}{c}"));
                }
            }
            out.extend(next.iter().cloned());
            frontier = next;
        }
        out
    }

    fn pattern() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec!['a', 'b', '/', ':', '*', '?']),
            0..5,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn intersection_and_containment_agree_with_brute_force(a in pattern(), b in pattern()) {
            let strings = all_strings(5);
            let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let in_a: Vec<bool> = strings.iter().map(|s| glob(&ca, &s.chars().collect::<Vec<_>>())).collect();
            let in_b: Vec<bool> = strings.iter().map(|s| glob(&cb, &s.chars().collect::<Vec<_>>())).collect();
            let (pa, pb) = (Pattern::action(&a), Pattern::action(&b));
            // a common short string proves the intersection; the automaton must see it
            if in_a.iter().zip(&in_b).any(|(x, y)| *x && *y) {
                prop_assert!(pa.intersects(&pb));
            }
            // containment claimed ⇒ no short string of `a` outside `b`
            if pa.contained_in(&pb) {
                prop_assert!(in_a.iter().zip(&in_b).all(|(x, y)| !*x || *y));
            }
            // containment is exact: every pattern contains itself and is in `*`
            prop_assert!(pa.contained_in(&pa));
            prop_assert!(pa.contained_in(&Pattern::action("*")));
        }

        #[test]
        fn arn_patterns_agree_with_the_resource_matcher(
            region in "[a*?]{0,2}", bucket in "[ab*?]{1,3}", key in "[ab/:*?]{0,3}",
            cr in "(a)?", cb in "[ab]{1,2}", ck in "[ab/:]{0,3}",
        ) {
            let p = format!("arn:aws:s3:{region}::{bucket}{}", if key.is_empty() { String::new() } else { format!("/{key}") });
            let concrete = format!("arn:aws:s3:{cr}::{cb}{}", if ck.is_empty() { String::new() } else { format!("/{ck}") });
            let arn = Arn::parse(&concrete).unwrap();
            let matches = ResourcePattern::new(&p, None).matches_arn(arn.as_ref(), &NoVariables)
                == crate::matcher::Match::Yes;
            prop_assert_eq!(Pattern::arn(&p, false).intersects(&Pattern::arn(&concrete, false)), matches);
            prop_assert_eq!(Pattern::arn(&concrete, false).contained_in(&Pattern::arn(&p, false)), matches);
        }
    }
}
