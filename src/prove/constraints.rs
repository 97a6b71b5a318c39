//! The constraint search over the regions of condition keys: is there a
//! context in which one statement of each granting role applies (all its
//! conditions hold) and no applicable Deny does (one of its conditions
//! fails)? (spec C-2: blocks and keys are conjunctions; E-2: any Deny wins.)
//!
//! Each key has a domain, a set of its regions. Choosing a statement for a
//! role narrows the domains of its keys to the regions where its conditions
//! hold; avoiding a Deny narrows one of its keys to the regions where its
//! condition fails. Any choice that leaves every domain non-empty is a
//! solution, and every value of the narrowed domains satisfies it.

use std::ops::ControlFlow;

use super::bits::Bits;
use super::keys::Atom;

/// A clause of the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clause {
    /// One of these statements must apply (all its atoms hold).
    OneOf(Vec<usize>),
    /// This Deny must not apply (some atom fails).
    NotAll(usize),
}

/// What the caller does with each solution: the narrowed domains and the
/// statements chosen for the roles.
pub(crate) type OnLeaf<'f, S> = dyn FnMut(&mut S, &[Bits], &[usize]) -> ControlFlow<()> + 'f;

/// A search that counts its steps.
pub(crate) trait Budget {
    /// Counts a step; `false` when the budget is spent (the search stops).
    fn step(&mut self) -> bool;
}

/// Depth-first search over `clauses` from clause `i`; calls `leaf` for
/// every consistent choice. `atoms[s]` are statement `s`'s conditions.
pub(crate) fn solve<S: Budget>(
    state: &mut S,
    atoms: &[Vec<Atom>],
    clauses: &[Clause],
    i: usize,
    domains: &mut Vec<Bits>,
    chosen: &mut Vec<usize>,
    leaf: &mut OnLeaf<'_, S>,
) -> ControlFlow<()> {
    if !state.step() {
        return ControlFlow::Break(());
    }
    let Some(clause) = clauses.get(i) else {
        return leaf(state, domains, chosen);
    };
    let of = |s: usize| -> &[Atom] { atoms.get(s).map(Vec::as_slice).unwrap_or_default() };
    match clause {
        Clause::OneOf(options) => {
            for &s in options {
                let list = of(s);
                let feasible = list.iter().all(|a| {
                    domains
                        .get(a.key)
                        .is_some_and(|d| !d.and(a.holds).is_empty())
                });
                if !feasible {
                    continue;
                }
                let saved: Vec<(usize, Bits)> = list
                    .iter()
                    .filter_map(|a| domains.get(a.key).map(|d| (a.key, *d)))
                    .collect();
                for a in list {
                    if let Some(d) = domains.get_mut(a.key) {
                        *d = d.and(a.holds);
                    }
                }
                chosen.push(s);
                let flow = solve(state, atoms, clauses, i + 1, domains, chosen, leaf);
                chosen.pop();
                for (k, d) in saved.into_iter().rev() {
                    if let Some(slot) = domains.get_mut(k) {
                        *slot = d;
                    }
                }
                flow?;
            }
            ControlFlow::Continue(())
        }
        Clause::NotAll(d) => {
            let list = of(*d);
            let already = list.iter().any(|a| {
                domains
                    .get(a.key)
                    .is_some_and(|dom| dom.and(a.holds).is_empty())
            });
            if already {
                return solve(state, atoms, clauses, i + 1, domains, chosen, leaf);
            }
            // an unconditional Deny has no atom to fail: no solution
            for a in list {
                let Some(&before) = domains.get(a.key) else {
                    continue;
                };
                let narrowed = before.minus(a.holds);
                if narrowed.is_empty() {
                    continue;
                }
                if let Some(slot) = domains.get_mut(a.key) {
                    *slot = narrowed;
                }
                let flow = solve(state, atoms, clauses, i + 1, domains, chosen, leaf);
                if let Some(slot) = domains.get_mut(a.key) {
                    *slot = before;
                }
                flow?;
            }
            ControlFlow::Continue(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Count(usize);
    impl Budget for Count {
        fn step(&mut self) -> bool {
            self.0 += 1;
            self.0 < 1000
        }
    }

    fn bits(items: &[usize]) -> Bits {
        let mut b = Bits::empty();
        for i in items {
            b.insert(*i);
        }
        b
    }

    /// One key with regions {missing, vpce-1, other}: grant 0 needs vpce-1
    /// (StringEquals), Deny 1 applies unless vpce-1 (StringNotEquals, C-3):
    /// the only solution is vpce-1. Deny 2 is unconditional: no solution.
    #[test]
    fn finds_contexts_that_grant_and_avoid_every_deny_spec_c2_e2() {
        let atoms = vec![
            vec![Atom {
                key: 0,
                holds: bits(&[1]),
            }],
            vec![Atom {
                key: 0,
                holds: bits(&[0, 2]),
            }],
            vec![],
        ];
        let run = |clauses: Vec<Clause>| {
            let mut found: Vec<Bits> = Vec::new();
            let mut domains = vec![Bits::full(3)];
            let mut chosen = Vec::new();
            let _ = solve(
                &mut Count(0),
                &atoms,
                &clauses,
                0,
                &mut domains,
                &mut chosen,
                &mut |_, d, _| {
                    found.push(d[0]);
                    ControlFlow::Continue(())
                },
            );
            found
        };
        assert_eq!(
            run(vec![Clause::OneOf(vec![0]), Clause::NotAll(1)]),
            vec![bits(&[1])]
        );
        assert!(run(vec![Clause::OneOf(vec![0]), Clause::NotAll(2)]).is_empty());
        // without the grant's condition the Deny can still be avoided
        assert_eq!(run(vec![Clause::NotAll(1)]), vec![bits(&[1])]);
    }
}
