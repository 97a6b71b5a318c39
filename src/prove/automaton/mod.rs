//! Finite automata over an [`Alphabet`]: wildcard patterns compile to NFAs,
//! NFAs determinize to DFAs, and DFAs combine by product (intersection,
//! difference), complement, emptiness and shortest-witness search. Every
//! construction is bounded: past [`STATE_LIMIT`] states, past the memory
//! budget or past the deadline of the proof ([`super::budget`]) it gives up
//! with [`TooLarge`] instead of exhausting memory or time.
//!
//! # Linear automata for star patterns
//!
//! The subset construction keeps, for each deterministic state, the set of
//! pattern positions still alive. For `*a*a*a…b` that set would hold every
//! `*` already passed, so n states of up to n positions each: quadratic
//! memory. But a position before a `*` whose class covers everything between
//! them is redundant (whatever the earlier position can still match, the
//! later `*` can match too: `X·C*·R ⊆ C*·R` when `X ⊆ C*`), so each set is
//! pruned to the positions no later `*` absorbs. The language of a state is
//! unchanged, and for patterns whose literal runs between stars are short
//! the sets stay small: `*a*a…b` compiles in linear time and memory. (A
//! long literal run after a `*`, such as `*aaaa…ab`, still needs its
//! partial matches; the budget bounds it.)

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::Duration;

use super::alphabet::{Alphabet, Sym};
use super::budget::{self, Reservation};

/// Most states any automaton may have.
pub(crate) const STATE_LIMIT: usize = 200_000;

/// Why an automaton could not be built within the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TooLarge {
    /// It grew past [`STATE_LIMIT`] states.
    States,
    /// The automata would hold more than this many bytes.
    Memory(usize),
    /// The proof ran longer than this.
    Time(Duration),
}

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
    /// For each state: the lowest state whose language it contains, with
    /// every state between them (the positions a `*` absorbs; itself when
    /// none). Only states of one sequence, numbered consecutively.
    absorbs_from: Vec<usize>,
}

/// Whether every character of `inner` is in `outer`.
fn class_within(inner: &Class, outer: &Class) -> bool {
    match (inner, outer) {
        (_, Class::Any) => true,
        (Class::Any, Class::Except(out)) => out.is_empty(),
        (Class::Except(inn), Class::Except(out)) => out.iter().all(|c| inn.contains(c)),
    }
}

/// Whether every string of the token is a run of `class` characters.
fn token_within(tok: &Tok, class: &Class) -> bool {
    match tok {
        Tok::Lit(c) => match class {
            Class::Any => true,
            Class::Except(cs) => !cs.contains(c),
        },
        Tok::One(inner) | Tok::Star(inner) => class_within(inner, class),
    }
}

impl Nfa {
    fn add_state(&mut self) -> usize {
        self.edges.push(Vec::new());
        self.eps.push(Vec::new());
        self.accept.push(false);
        let id = self.edges.len() - 1;
        self.absorbs_from.push(id);
        id
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
            // the states of this sequence so far, each with the token that
            // led into it (`None` for the first)
            let mut chain: Vec<(usize, Option<&Tok>)> = vec![(cur, None)];
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
                        nfa.absorb(lp, class, &chain);
                        cur = lp;
                    }
                }
                chain.push((cur, Some(tok)));
            }
            nfa.set_accept(cur);
        }
        nfa
    }

    /// Records which earlier states of `chain` the loop state `lp` of a
    /// `*` over `class` absorbs: going back from the state it is entered
    /// from by ε, every state whose own loop (if any) and whose following
    /// tokens stay within `class`. An earlier loop state over a narrower
    /// class lends its own reach, so `*a*a*a…` takes constant time per `*`.
    fn absorb(&mut self, lp: usize, class: &Class, chain: &[(usize, Option<&Tok>)]) {
        // `chain[j]` is state `first + j`: a sequence's states are consecutive
        let first = chain.first().map_or(lp, |c| c.0);
        let mut low = lp;
        let mut candidate = chain.len().checked_sub(1);
        while let Some(&(state, into)) = candidate.and_then(|c| chain.get(c)) {
            // the candidate's own loop must stay within the class
            low = match into {
                Some(Tok::Star(inner)) if class_within(inner, class) => self
                    .absorbs_from
                    .get(state)
                    .copied()
                    .unwrap_or(state)
                    .min(state),
                Some(Tok::Star(_)) => break,
                _ => state,
            };
            // the state before `low` leads to it by the token into `low`
            let index = low.saturating_sub(first);
            candidate = match chain.get(index) {
                Some(&(_, Some(tok))) if token_within(tok, class) => index.checked_sub(1),
                _ => None,
            };
        }
        if let Some(slot) = self.absorbs_from.get_mut(lp) {
            *slot = low;
        }
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
        self.prune(set);
    }

    /// Drops from a sorted set the states a `*` in it absorbs (see the
    /// module documentation): the set's language stays the same.
    fn prune(&self, set: &mut Vec<usize>) {
        let mut low = usize::MAX;
        let mut keep = set.len();
        for i in (0..set.len()).rev() {
            let Some(&s) = set.get(i) else { continue };
            if s >= low {
                continue; // absorbed by a later state of its sequence
            }
            keep -= 1;
            if let Some(slot) = set.get_mut(keep) {
                *slot = s;
            }
            low = low.min(self.absorbs_from.get(s).copied().unwrap_or(s));
        }
        set.drain(..keep);
    }

    /// The equivalent deterministic automaton (subset construction).
    pub(crate) fn determinize(&self, k: usize) -> Result<Dfa, TooLarge> {
        let n = self.edges.len();
        let mut mark: Vec<u32> = vec![u32::MAX; n];
        let mut generation: u32 = 0;
        let mut start = vec![0usize];
        self.closure(&mut start, &mut mark, generation);
        // each set is stored once, shared by the index and the work list;
        // the work list lets go of a set once its transitions are built
        let mut ids: HashMap<Rc<[usize]>, u32> = HashMap::new();
        let mut sets: Vec<Rc<[usize]>> = Vec::new();
        let mut dfa = Dfa::empty_with(k);
        let mut scratch = Reservation::default();
        let mut intern = |set: Vec<usize>, dfa: &mut Dfa, sets: &mut Vec<Rc<[usize]>>| {
            if let Some(&id) = ids.get(set.as_slice()) {
                return Ok(id);
            }
            if sets.len() >= STATE_LIMIT {
                return Err(TooLarge::States);
            }
            let id = u32::try_from(sets.len()).map_err(|_| TooLarge::States)?;
            // twice its size: the unpruned copies made while computing
            // transitions and the allocator's slack cost about as much again
            scratch.grow(2 * (SET_OVERHEAD + set.len() * std::mem::size_of::<usize>()))?;
            budget::tick()?;
            let acc = set
                .iter()
                .any(|s| self.accept.get(*s).copied().unwrap_or(false));
            dfa.push_state(acc)?;
            let set: Rc<[usize]> = set.into();
            ids.insert(Rc::clone(&set), id);
            sets.push(set);
            Ok(id)
        };
        intern(start, &mut dfa, &mut sets)?;
        let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); k];
        let mut i = 0usize;
        while let Some(set) = sets.get_mut(i).map(|s| std::mem::replace(s, Rc::from([]))) {
            for b in buckets.iter_mut() {
                b.clear();
            }
            for &s in set.iter() {
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

/// Bytes a stored set or table entry costs besides its elements (vector
/// header and hash-table slot), for the budget.
const SET_OVERHEAD: usize = 48;

/// A complete deterministic automaton; state 0 is the start. The bytes of
/// its tables count against the proof's memory budget while it lives.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Dfa {
    pub(super) k: usize,
    pub(super) trans: Vec<u32>,
    pub(super) accept: Vec<bool>,
}

impl Dfa {
    /// Bytes of its tables, as counted by the budget.
    pub(super) fn bytes(&self) -> usize {
        self.trans.len() * std::mem::size_of::<u32>() + self.accept.len()
    }
}

impl Clone for Dfa {
    fn clone(&self) -> Dfa {
        budget::charge_unchecked(self.bytes());
        Dfa {
            k: self.k,
            trans: self.trans.clone(),
            accept: self.accept.clone(),
        }
    }
}

impl Drop for Dfa {
    fn drop(&mut self) {
        budget::release(self.bytes());
    }
}

impl Dfa {
    pub(super) fn empty_with(k: usize) -> Dfa {
        Dfa {
            k,
            trans: Vec::new(),
            accept: Vec::new(),
        }
    }

    fn push_state(&mut self, accept: bool) -> Result<(), TooLarge> {
        budget::charge(self.k * std::mem::size_of::<u32>() + 1)?;
        self.accept.push(accept);
        self.trans.extend(std::iter::repeat_n(0, self.k));
        Ok(())
    }

    /// Adds a state without checking the budget (tiny automata, and
    /// minimized copies no larger than what was checked).
    pub(super) fn push_state_unchecked(&mut self, accept: bool) {
        budget::charge_unchecked(self.k * std::mem::size_of::<u32>() + 1);
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
        d.push_state_unchecked(true);
        d
    }

    /// Accepts nothing.
    pub(crate) fn none(k: usize) -> Dfa {
        let mut d = Dfa::empty_with(k);
        d.push_state_unchecked(false);
        d
    }

    /// Compiles token sequences (their union) over the alphabet.
    pub(crate) fn from_sequences(alpha: &Alphabet, seqs: &[Vec<Tok>]) -> Result<Dfa, TooLarge> {
        if seqs.is_empty() {
            return Ok(Dfa::none(alpha.size()));
        }
        Nfa::from_sequences(alpha, seqs)
            .determinize(alpha.size())?
            .minimize()
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
        let mut scratch = Reservation::default();
        let mut intern = |p: (usize, usize), out: &mut Dfa, pairs: &mut Vec<(usize, usize)>| {
            if let Some(&id) = ids.get(&p) {
                return Ok(id);
            }
            if pairs.len() >= STATE_LIMIT {
                return Err(TooLarge::States);
            }
            let id = u32::try_from(pairs.len()).map_err(|_| TooLarge::States)?;
            // the pair is held in the index and the work list
            scratch.grow(SET_OVERHEAD)?;
            budget::tick()?;
            out.push_state(op(self.is_accepting(p.0), other.is_accepting(p.1)))?;
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
        out.minimize()
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
mod tests;
