//! Finite automata over an [`Alphabet`]: wildcard patterns compile to NFAs,
//! NFAs determinize to DFAs, and DFAs combine by product (intersection,
//! difference), complement, emptiness and shortest-witness search. Every
//! construction is bounded: past [`STATE_LIMIT`] states it gives up with
//! [`TooLarge`] instead of exhausting memory.

use std::collections::{HashMap, VecDeque};

use super::alphabet::{Alphabet, Sym};

/// Most states any automaton may have.
pub(crate) const STATE_LIMIT: usize = 200_000;

/// An automaton grew past [`STATE_LIMIT`] states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge;

/// A set of characters that a wildcard ranges over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    /// Every character.
    Any,
    /// Every character except these.
    Except(Vec<char>),
}

impl Class {
    /// Every character except `:` (ARN segments 1–5).
    pub(crate) fn no_colon() -> Class {
        Class::Except(vec![':'])
    }

    fn chars(&self) -> &[char] {
        match self {
            Class::Any => &[],
            Class::Except(cs) => cs,
        }
    }
}

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Exactly this character.
    Lit(char),
    /// One character of the class (`?`).
    One(Class),
    /// Any run of characters of the class, also empty (`*`).
    Star(Class),
}

/// Characters a token sequence names (they need their own symbols).
pub(crate) fn token_chars(toks: &[Tok]) -> impl Iterator<Item = char> + '_ {
    toks.iter().flat_map(|t| match t {
        Tok::Lit(c) => std::slice::from_ref(c).iter().copied(),
        Tok::One(cl) | Tok::Star(cl) => cl.chars().iter().copied(),
    })
}

/// Which symbols an NFA edge accepts.
#[derive(Debug, Clone)]
enum Label {
    Sym(Sym),
    Set(Vec<bool>),
}

/// A nondeterministic automaton with ε-edges; state 0 is the start.
#[derive(Debug, Clone, Default)]
pub(crate) struct Nfa {
    edges: Vec<Vec<(Label, usize)>>,
    eps: Vec<Vec<usize>>,
    accept: Vec<bool>,
}

impl Nfa {
    fn add_state(&mut self) -> usize {
        self.edges.push(Vec::new());
        self.eps.push(Vec::new());
        self.accept.push(false);
        self.edges.len() - 1
    }

    fn edge(&mut self, from: usize, label: Label, to: usize) {
        if let Some(e) = self.edges.get_mut(from) {
            e.push((label, to));
        }
    }

    fn epsilon(&mut self, from: usize, to: usize) {
        if let Some(e) = self.eps.get_mut(from) {
            e.push(to);
        }
    }

    fn set_accept(&mut self, s: usize) {
        if let Some(a) = self.accept.get_mut(s) {
            *a = true;
        }
    }

    /// The union of token sequences, each matched against the whole string.
    pub(crate) fn from_sequences(alpha: &Alphabet, seqs: &[Vec<Tok>]) -> Nfa {
        let mut nfa = Nfa::default();
        let start = nfa.add_state();
        for seq in seqs {
            let mut cur = nfa.add_state();
            nfa.epsilon(start, cur);
            for tok in seq {
                match tok {
                    Tok::Lit(c) => {
                        debug_assert!(alpha.contains(*c), "{c:?} has no symbol");
                        let next = nfa.add_state();
                        nfa.edge(cur, Label::Sym(alpha.symbol(*c)), next);
                        cur = next;
                    }
                    Tok::One(class) => {
                        let next = nfa.add_state();
                        nfa.edge(cur, Label::Set(class_set(alpha, class)), next);
                        cur = next;
                    }
                    Tok::Star(class) => {
                        // loop on a fresh state so that ε-closures stay exact
                        let lp = nfa.add_state();
                        nfa.epsilon(cur, lp);
                        nfa.edge(lp, Label::Set(class_set(alpha, class)), lp);
                        cur = lp;
                    }
                }
            }
            nfa.set_accept(cur);
        }
        nfa
    }

    /// Strings whose characters, each lower-cased (`char::to_lowercase`),
    /// spell `lower` exactly: `StringEqualsIgnoreCase` (spec C-4).
    pub(crate) fn folded(alpha: &Alphabet, lower: &str) -> Nfa {
        let target: Vec<char> = lower.chars().collect();
        let mut nfa = Nfa::default();
        let states: Vec<usize> = (0..=target.len()).map(|_| nfa.add_state()).collect();
        for &c in alpha.chars() {
            let l: Vec<char> = c.to_lowercase().collect();
            for i in 0..target.len() {
                let end = i + l.len();
                if target.get(i..end) == Some(l.as_slice()) {
                    if let (Some(&from), Some(&to)) = (states.get(i), states.get(end)) {
                        nfa.edge(from, Label::Sym(alpha.symbol(c)), to);
                    }
                }
            }
        }
        if let Some(&last) = states.last() {
            nfa.set_accept(last);
        }
        nfa
    }

    /// Adds to `set` every state reachable by ε-edges, sorted, without
    /// duplicates; `mark` is scratch space (one slot per state).
    fn closure(&self, set: &mut Vec<usize>, mark: &mut [u32], generation: u32) {
        let mut i = 0;
        set.retain(|&s| match mark.get_mut(s) {
            Some(m) if *m != generation => {
                *m = generation;
                true
            }
            _ => false,
        });
        while let Some(&s) = set.get(i) {
            for &t in self.eps.get(s).map(Vec::as_slice).unwrap_or_default() {
                if let Some(m) = mark.get_mut(t) {
                    if *m != generation {
                        *m = generation;
                        set.push(t);
                    }
                }
            }
            i += 1;
        }
        set.sort_unstable();
    }

    /// The equivalent deterministic automaton (subset construction).
    pub(crate) fn determinize(&self, k: usize) -> Result<Dfa, TooLarge> {
        let n = self.edges.len();
        let mut mark: Vec<u32> = vec![u32::MAX; n];
        let mut generation: u32 = 0;
        let mut start = vec![0usize];
        self.closure(&mut start, &mut mark, generation);
        let mut ids: HashMap<Vec<usize>, u32> = HashMap::new();
        let mut sets: Vec<Vec<usize>> = Vec::new();
        let mut dfa = Dfa::empty_with(k);
        let mut intern = |set: Vec<usize>, dfa: &mut Dfa, sets: &mut Vec<Vec<usize>>| {
            if let Some(&id) = ids.get(&set) {
                return Ok(id);
            }
            if sets.len() >= STATE_LIMIT {
                return Err(TooLarge);
            }
            let id = u32::try_from(sets.len()).map_err(|_| TooLarge)?;
            let acc = set
                .iter()
                .any(|s| self.accept.get(*s).copied().unwrap_or(false));
            dfa.push_state(acc);
            ids.insert(set.clone(), id);
            sets.push(set);
            Ok(id)
        };
        intern(start, &mut dfa, &mut sets)?;
        let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); k];
        let mut i = 0usize;
        while let Some(set) = sets.get(i).cloned() {
            for b in buckets.iter_mut() {
                b.clear();
            }
            for &s in &set {
                for (label, t) in self.edges.get(s).map(Vec::as_slice).unwrap_or_default() {
                    match label {
                        Label::Sym(x) => {
                            if let Some(b) = buckets.get_mut(*x) {
                                b.push(*t);
                            }
                        }
                        Label::Set(v) => {
                            for (sym, b) in buckets.iter_mut().enumerate() {
                                if v.get(sym).copied().unwrap_or(false) {
                                    b.push(*t);
                                }
                            }
                        }
                    }
                }
            }
            for sym in 0..k {
                let mut next = buckets.get(sym).cloned().unwrap_or_default();
                generation = generation.wrapping_add(1);
                if generation == u32::MAX {
                    mark.iter_mut().for_each(|m| *m = u32::MAX);
                    generation = 0;
                }
                self.closure(&mut next, &mut mark, generation);
                let id = intern(next, &mut dfa, &mut sets)?;
                dfa.set(i, sym, id);
            }
            i += 1;
        }
        Ok(dfa)
    }
}

fn class_set(alpha: &Alphabet, class: &Class) -> Vec<bool> {
    let mut set = vec![true; alpha.size()];
    for c in class.chars() {
        if alpha.contains(*c) {
            if let Some(slot) = set.get_mut(alpha.symbol(*c)) {
                *slot = false;
            }
        }
    }
    set
}

/// A complete deterministic automaton; state 0 is the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dfa {
    pub(super) k: usize,
    pub(super) trans: Vec<u32>,
    pub(super) accept: Vec<bool>,
}

impl Dfa {
    pub(super) fn empty_with(k: usize) -> Dfa {
        Dfa {
            k,
            trans: Vec::new(),
            accept: Vec::new(),
        }
    }

    fn push_state(&mut self, accept: bool) {
        self.accept.push(accept);
        self.trans.extend(std::iter::repeat_n(0, self.k));
    }

    fn set(&mut self, state: usize, sym: Sym, to: u32) {
        if let Some(slot) = self.trans.get_mut(state * self.k + sym) {
            *slot = to;
        }
    }

    pub(super) fn next(&self, state: usize, sym: Sym) -> usize {
        self.trans
            .get(state * self.k + sym)
            .map(|&t| t as usize)
            .unwrap_or(0)
    }

    pub(super) fn is_accepting(&self, state: usize) -> bool {
        self.accept.get(state).copied().unwrap_or(false)
    }

    /// Number of states.
    pub(crate) fn states(&self) -> usize {
        self.accept.len()
    }

    /// Accepts every string over `k` symbols.
    pub(crate) fn all(k: usize) -> Dfa {
        let mut d = Dfa::empty_with(k);
        d.push_state(true);
        d
    }

    /// Accepts nothing.
    pub(crate) fn none(k: usize) -> Dfa {
        let mut d = Dfa::empty_with(k);
        d.push_state(false);
        d
    }

    /// Compiles token sequences (their union) over the alphabet.
    pub(crate) fn from_sequences(alpha: &Alphabet, seqs: &[Vec<Tok>]) -> Result<Dfa, TooLarge> {
        if seqs.is_empty() {
            return Ok(Dfa::none(alpha.size()));
        }
        Nfa::from_sequences(alpha, seqs)
            .determinize(alpha.size())
            .map(|d| d.minimize())
    }

    /// The strings this automaton rejects.
    pub(crate) fn complement(&self) -> Dfa {
        let mut d = self.clone();
        for a in d.accept.iter_mut() {
            *a = !*a;
        }
        d
    }

    /// The product automaton, accepting where `op(self, other)` holds.
    pub(crate) fn product(
        &self,
        other: &Dfa,
        op: impl Fn(bool, bool) -> bool,
    ) -> Result<Dfa, TooLarge> {
        let k = self.k;
        let mut ids: HashMap<(usize, usize), u32> = HashMap::new();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut out = Dfa::empty_with(k);
        let mut intern = |p: (usize, usize), out: &mut Dfa, pairs: &mut Vec<(usize, usize)>| {
            if let Some(&id) = ids.get(&p) {
                return Ok(id);
            }
            if pairs.len() >= STATE_LIMIT {
                return Err(TooLarge);
            }
            let id = u32::try_from(pairs.len()).map_err(|_| TooLarge)?;
            out.push_state(op(self.is_accepting(p.0), other.is_accepting(p.1)));
            ids.insert(p, id);
            pairs.push(p);
            Ok(id)
        };
        intern((0, 0), &mut out, &mut pairs)?;
        let mut i = 0usize;
        while let Some(&(a, b)) = pairs.get(i) {
            for sym in 0..k {
                let id = intern(
                    (self.next(a, sym), other.next(b, sym)),
                    &mut out,
                    &mut pairs,
                )?;
                out.set(i, sym, id);
            }
            i += 1;
        }
        Ok(out.minimize())
    }

    /// Strings accepted by both.
    pub(crate) fn intersect(&self, other: &Dfa) -> Result<Dfa, TooLarge> {
        self.product(other, |a, b| a && b)
    }

    /// Strings accepted by `self` and not by `other`.
    pub(crate) fn minus(&self, other: &Dfa) -> Result<Dfa, TooLarge> {
        self.product(other, |a, b| a && !b)
    }

    /// Strings accepted by either.
    pub(crate) fn union(&self, other: &Dfa) -> Result<Dfa, TooLarge> {
        self.product(other, |a, b| a || b)
    }

    /// Whether it accepts nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.shortest().is_none()
    }

    /// Whether it accepts the symbols.
    pub(crate) fn accepts(&self, syms: &[Sym]) -> bool {
        let end = syms.iter().fold(0usize, |s, &sym| self.next(s, sym));
        self.is_accepting(end)
    }

    /// A shortest accepted string; among those, the one choosing the
    /// smallest symbol first at every step (so [`OTHER`](super::alphabet::OTHER)
    /// is preferred where the pattern does not care).
    pub(crate) fn shortest(&self) -> Option<Vec<Sym>> {
        let n = self.states();
        let mut parent: Vec<Option<(usize, Sym)>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut queue = VecDeque::new();
        if let Some(s) = seen.get_mut(0) {
            *s = true;
        }
        queue.push_back(0usize);
        while let Some(s) = queue.pop_front() {
            if self.is_accepting(s) {
                let mut path = Vec::new();
                let mut cur = s;
                while let Some(Some((p, sym))) = parent.get(cur) {
                    path.push(*sym);
                    cur = *p;
                }
                path.reverse();
                return Some(path);
            }
            for sym in 0..self.k {
                let t = self.next(s, sym);
                if let Some(flag) = seen.get_mut(t) {
                    if !*flag {
                        *flag = true;
                        if let Some(slot) = parent.get_mut(t) {
                            *slot = Some((s, sym));
                        }
                        queue.push_back(t);
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prove::alphabet::OTHER;

    fn glob(p: &str) -> Vec<Tok> {
        p.chars()
            .map(|c| match c {
                '*' => Tok::Star(Class::Any),
                '?' => Tok::One(Class::Any),
                c => Tok::Lit(c),
            })
            .collect()
    }

    fn space(patterns: &[&str]) -> Alphabet {
        Alphabet::new(
            patterns
                .iter()
                .flat_map(|p| p.chars())
                .filter(|c| *c != '*' && *c != '?'),
        )
    }

    fn dfa(alpha: &Alphabet, p: &str) -> Dfa {
        Dfa::from_sequences(alpha, &[glob(p)]).unwrap()
    }

    #[test]
    fn glob_languages_match_like_the_matcher() {
        let alpha = space(&["a*b", "*ab*", "a?c"]);
        for (p, text, want) in [
            ("a*b", "ab", true),
            ("a*b", "aXYb", true),
            ("a*b", "aba", false),
            ("*ab*", "xxabyy", true),
            ("*ab*", "ba", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
        ] {
            let d = dfa(&alpha, p);
            assert_eq!(d.accepts(&alpha.encode(text)), want, "{p} {text}");
            assert_eq!(crate::matcher::Glob::new(p).is_match(text), want);
        }
    }

    #[test]
    fn intersection_emptiness_and_witnesses() {
        let alpha = space(&["prod/*", "*.log", "prod/tmp/*", "ab"]);
        let prod = dfa(&alpha, "prod/*");
        let logs = dfa(&alpha, "*.log");
        let both = prod.intersect(&logs).unwrap();
        let w = alpha.decode(&both.shortest().unwrap());
        assert_eq!(w, "prod/.log");
        assert!(prod.accepts(&alpha.encode(&w)) && logs.accepts(&alpha.encode(&w)));
        // difference: prod/* minus prod/tmp/* is not empty, witness avoids tmp/
        let tmp = dfa(&alpha, "prod/tmp/*");
        let rest = prod.minus(&tmp).unwrap();
        let w = alpha.decode(&rest.shortest().unwrap());
        assert!(w.starts_with("prod/") && !w.starts_with("prod/tmp/"), "{w}");
        // prod/tmp/* minus prod/* is empty: containment
        assert!(tmp.minus(&prod).unwrap().is_empty());
        // disjoint literals
        let a = dfa(&alpha, "prod/a.log");
        let b = dfa(&alpha, "prod/b.log");
        assert!(a.intersect(&b).unwrap().is_empty());
    }

    #[test]
    fn containment_of_wildcard_patterns() {
        let alpha = space(&["a*", "ab*", "*b", "a?b"]);
        let contains = |outer: &str, inner: &str| {
            dfa(&alpha, inner)
                .minus(&dfa(&alpha, outer))
                .unwrap()
                .is_empty()
        };
        assert!(contains("a*", "ab*"));
        assert!(!contains("ab*", "a*"));
        assert!(contains("a*", "a?b"));
        assert!(contains("*b", "a?b"));
        assert!(!contains("a?b", "a*b"));
        assert!(contains("*", "a*"));
    }

    #[test]
    fn witnesses_prefer_the_other_symbol() {
        let alpha = space(&["k/?*"]);
        let d = dfa(&alpha, "k/?*");
        let w = d.shortest().unwrap();
        assert_eq!(w.last(), Some(&OTHER));
        assert_eq!(alpha.decode(&w), "k/x");
    }

    #[test]
    fn complement_and_classes() {
        let alpha = Alphabet::new([':', 'a']);
        let seg = Dfa::from_sequences(&alpha, &[vec![Tok::Star(Class::no_colon())]]).unwrap();
        assert!(seg.accepts(&alpha.encode("aaxa")));
        assert!(!seg.accepts(&alpha.encode("a:a")));
        let c = seg.complement();
        assert!(c.accepts(&alpha.encode("a:a")));
        assert!(Dfa::all(alpha.size())
            .minus(&Dfa::all(alpha.size()))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn folded_literals_spec_c4() {
        let alpha = Alphabet::new("abAB\u{212a}k".chars());
        let d = Nfa::folded(&alpha, "ab").determinize(alpha.size()).unwrap();
        for (t, want) in [("ab", true), ("AB", true), ("aB", true), ("abb", false)] {
            assert_eq!(d.accepts(&alpha.encode(t)), want, "{t}");
        }
        // the Kelvin sign lower-cases to `k`
        let k = Nfa::folded(&alpha, "k").determinize(alpha.size()).unwrap();
        assert!(k.accepts(&alpha.encode("\u{212a}")));
    }

    #[test]
    fn minimization_keeps_the_language() {
        let alpha = space(&["*a*a*", "*aa*"]);
        let d = dfa(&alpha, "*a*a*");
        let m = d.minimize();
        assert!(m.states() <= d.states());
        for t in ["", "a", "aa", "aba", "bab", "xaxa"] {
            assert_eq!(
                d.accepts(&alpha.encode(t)),
                m.accepts(&alpha.encode(t)),
                "{t}"
            );
        }
    }
}
