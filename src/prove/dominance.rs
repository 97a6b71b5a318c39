//! Grants that a Deny always cancels, whatever the values of their free
//! policy variables (spec E-2, V-2).
//!
//! Free variables are approximated statement by statement, which loses
//! that a grant on `home/${aws:username}/*` and a Deny on the same pattern
//! see the same user. This module recovers the common case exactly: when,
//! with each free variable replaced by a fresh letter that no wildcard
//! matches, the grant's resource language is inside an unconditional
//! Deny's, then for every value of the variables the Deny matches wherever
//! the grant does (substitution maps the one containment onto the other),
//! so the grant can never allow a request the Deny's actions cover.

use std::collections::HashSet;

use super::alphabet::Alphabet;
use super::automaton::{token_chars, Tok};
use super::lang::{self, Lang, Symbolic, VarEnv, VarValue};
use super::statements::Stmt;
use super::Limit;
use crate::matcher::Piece;
use crate::policy::{Effect, ResourceClause};

/// Lower-cased keys of the free variables in a statement's `Resource` entries.
fn free_keys(s: &Stmt<'_>, env: &VarEnv) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if !s.variables {
        return out;
    }
    for p in s.statement.resource.patterns() {
        let parts: Vec<&str> = p.as_str().splitn(6, ':').collect();
        if parts.len() != 6 {
            continue;
        }
        for piece in lang::pieces_of(parts.get(5).copied().unwrap_or_default(), true) {
            if let Piece::Var(v) = piece {
                if env.value(&v) == VarValue::Free && !out.contains(&v.key_lower) {
                    out.push(v.key_lower);
                }
            }
        }
    }
    out
}

/// The statement's resource element as token sequences, or `None` when it
/// cannot be represented exactly (a `NotResource`, a short pattern in a
/// grant). A Deny's unrepresentable entries are left out: that only makes
/// it match less, which keeps the containment sound.
fn symbolic(
    s: &Stmt<'_>,
    env: &VarEnv,
    keys: &[String],
    modes: &[Symbolic],
    grant: bool,
) -> Option<Vec<Vec<Tok>>> {
    let ResourceClause::Resource(patterns) = &s.statement.resource else {
        return None;
    };
    let mut seqs = Vec::new();
    for p in patterns {
        match lang::resource_pattern_symbolic(p.as_str(), s.variables, env, keys, modes, !grant) {
            Ok(Some(t)) => seqs.push(t),
            Ok(None) => {}
            Err(()) if grant => return None,
            Err(()) => {}
        }
    }
    Some(seqs)
}

/// Most free variables per pair (every present/missing combination is checked).
const MAX_VARIABLES: usize = 4;

/// Pairs (grant, Deny) of statement indices where the Deny's resource
/// element matches whenever the grant's does, for every value of their
/// free variables (present or missing), and the Deny has no condition.
pub(crate) fn pairs(stmts: &[Stmt<'_>], env: &VarEnv) -> Result<HashSet<(usize, usize)>, Limit> {
    let mut out = HashSet::new();
    let grants: Vec<usize> = (0..stmts.len())
        .filter(|&i| {
            stmts
                .get(i)
                .is_some_and(|s| s.eligible && s.statement.effect == Effect::Allow)
        })
        .collect();
    let denies: Vec<usize> = (0..stmts.len())
        .filter(|&i| {
            stmts.get(i).is_some_and(|s| {
                s.eligible && s.statement.effect == Effect::Deny && s.statement.condition.is_empty()
            })
        })
        .collect();
    for &g in &grants {
        let Some(gs) = stmts.get(g) else { continue };
        let g_keys = free_keys(gs, env);
        if g_keys.is_empty() {
            continue; // without variables, the resource regions are exact
        }
        for &d in &denies {
            let Some(ds) = stmts.get(d) else { continue };
            let mut keys = g_keys.clone();
            for k in free_keys(ds, env) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            if keys.len() > MAX_VARIABLES {
                continue;
            }
            if always_contained(gs, ds, env, &keys)? {
                out.insert((g, d));
            }
        }
    }
    Ok(out)
}

/// Whether, for every present/missing combination of the variables, the
/// grant's language lies inside the Deny's.
fn always_contained(
    g: &Stmt<'_>,
    d: &Stmt<'_>,
    env: &VarEnv,
    keys: &[String],
) -> Result<bool, Limit> {
    for mask in 0..(1usize << keys.len()) {
        let modes: Vec<Symbolic> = (0..keys.len())
            .map(|i| {
                if mask >> i & 1 == 1 {
                    Symbolic::Missing
                } else {
                    Symbolic::Present
                }
            })
            .collect();
        let (Some(lg), Some(ld)) = (
            symbolic(g, env, keys, &modes, true),
            symbolic(d, env, keys, &modes, false),
        ) else {
            return Ok(false);
        };
        let mut chars: Vec<char> = (0..keys.len()).map(lang::fresh_letter).collect();
        chars.push(':');
        for s in lg.iter().chain(&ld) {
            chars.extend(token_chars(s));
        }
        let alpha = Alphabet::new(chars);
        let dg = Lang::Seqs(lg).compile(&alpha)?;
        let dd = Lang::Seqs(ld).compile(&alpha)?;
        if !dg.minus(&dd)?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Policy, PolicyType};
    use crate::prove::decision::Role;

    fn pairs_of(policy: &str) -> HashSet<(usize, usize)> {
        let p = Policy::parse("p.json", policy).unwrap();
        let stmts: Vec<Stmt<'_>> = p
            .statements
            .iter()
            .map(|s| Stmt {
                statement: s,
                layer: PolicyType::Identity,
                variables: true,
                eligible: true,
                role: Some(Role::Identity),
            })
            .collect();
        pairs(&stmts, &VarEnv::default()).unwrap()
    }

    fn doc(grant: &str, deny: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Action":"s3:*","Resource":{grant}}},
            {{"Effect":"Deny","Action":"s3:DeleteObject","Resource":{deny}}}]}}"#
        )
    }

    #[test]
    fn a_deny_on_the_same_variable_pattern_cancels_the_grant_spec_v2() {
        let same = r#""arn:aws:s3:::h/${aws:username}/*""#;
        assert!(pairs_of(&doc(same, same)).contains(&(0, 1)));
        // a broader deny too
        assert!(pairs_of(&doc(same, r#""arn:aws:s3:::h/*""#)).contains(&(0, 1)));
        // not a narrower one, nor one on another variable
        assert!(pairs_of(&doc(same, r#""arn:aws:s3:::h/${aws:username}/x/*""#)).is_empty());
        assert!(pairs_of(&doc(same, r#""arn:aws:s3:::h/${aws:userid}/*""#)).is_empty());
        // `?` in the deny is one character, the variable may be longer
        assert!(pairs_of(&doc(same, r#""arn:aws:s3:::h/?/*""#)).is_empty());
    }

    #[test]
    fn a_missing_variable_with_a_default_is_not_covered_spec_v5() {
        // username missing: the grant falls back to `shared`, the deny matches nothing
        let grant = r#""arn:aws:s3:::h/${aws:username, 'shared'}/*""#;
        let deny = r#""arn:aws:s3:::h/${aws:username}/*""#;
        assert!(pairs_of(&doc(grant, deny)).is_empty());
        let both = r#""arn:aws:s3:::h/${aws:username, 'shared'}/*""#;
        assert!(pairs_of(&doc(both, both)).contains(&(0, 1)));
    }

    #[test]
    fn short_grant_patterns_are_not_compared() {
        let grant = r#"["arn:aws:s3:::h/${aws:username}/*", "arn:aws:s3:*"]"#;
        let deny = r#""arn:aws:s3:::h/${aws:username}/*""#;
        assert!(pairs_of(&doc(grant, deny)).is_empty());
    }
}
