//! Exact questions about two patterns: do they overlap (with a witness),
//! does one contain the other. Resource patterns follow M-4 (segments 1–5
//! compared one by one, the resource part as one glob, the short-pattern
//! rule); action patterns follow M-1 (case-insensitive globs over
//! `service:Name`). Useful for reviews: `arn:aws:s3:::test*` overlaps
//! `arn:aws:s3:::testing` (a bucket broader than it looks), a statement
//! whose patterns another's contain is redundant.

use super::alphabet::Alphabet;
use super::automaton::{Dfa, TooLarge};
use super::lang::{self, Approx, Lang, VarEnv};
use super::regions;
use super::shapes;

/// The patterns are too complex to compare within s3guard's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the patterns are too complex to compare (automaton limit reached)")]
pub struct TooComplex;

impl From<TooLarge> for TooComplex {
    fn from(_: TooLarge) -> TooComplex {
        TooComplex
    }
}

fn compile_pair(
    a: &Lang,
    b: &Lang,
    extra: &[Lang],
) -> Result<(Alphabet, Dfa, Dfa, Vec<Dfa>), TooComplex> {
    let mut chars = Vec::new();
    for l in [a, b].into_iter().chain(extra) {
        l.chars(&mut chars);
    }
    let alpha = Alphabet::new(chars);
    let da = a.compile(&alpha)?;
    let db = b.compile(&alpha)?;
    let nice = regions::compile_all(&alpha, extra)?;
    Ok((alpha, da, db, nice))
}

fn resource_lang(p: &str) -> Lang {
    lang::resource_pattern(p, false, &VarEnv::default(), Approx::Upper)
}

fn action_lang(p: &str) -> Lang {
    lang::action_pattern(p)
}

/// An ARN that both resource patterns match, or `None` when no ARN does
/// (`*` stands for every ARN here; `${…}` is literal text).
pub fn resource_overlap(a: &str, b: &str) -> Result<Option<String>, TooComplex> {
    let (alpha, da, db, nice) = compile_pair(
        &resource_lang(a),
        &resource_lang(b),
        &shapes::nice_arns(None),
    )?;
    let both = da.intersect(&db)?;
    if both.is_empty() {
        return Ok(None);
    }
    let w = regions::witness(&both, &nice)?;
    Ok(Some(regions::prettify(&alpha, &both, w)))
}

/// Whether every ARN that `inner` matches is matched by `outer`.
pub fn resource_contains(outer: &str, inner: &str) -> Result<bool, TooComplex> {
    let (_, dout, din, _) = compile_pair(&resource_lang(outer), &resource_lang(inner), &[])?;
    Ok(din.minus(&dout)?.is_empty())
}

/// An ARN that `a` matches and `b` does not, or `None` when `b` contains `a`.
pub fn resource_difference(a: &str, b: &str) -> Result<Option<String>, TooComplex> {
    let (alpha, da, db, nice) = compile_pair(
        &resource_lang(a),
        &resource_lang(b),
        &shapes::nice_arns(None),
    )?;
    let only = da.minus(&db)?;
    if only.is_empty() {
        return Ok(None);
    }
    let w = regions::witness(&only, &nice)?;
    Ok(Some(regions::prettify(&alpha, &only, w)))
}

fn valid_actions(a: &Lang, b: &Lang) -> Result<(Alphabet, Dfa, Dfa, Dfa), TooComplex> {
    let mut chars = vec![':'];
    a.chars(&mut chars);
    b.chars(&mut chars);
    let alpha = Alphabet::new(chars);
    let valid = lang::action_valid(&alpha).compile(&alpha)?;
    Ok((alpha.clone(), a.compile(&alpha)?, b.compile(&alpha)?, valid))
}

/// An action (lower-cased) that both action patterns match, or `None`.
pub fn action_overlap(a: &str, b: &str) -> Result<Option<String>, TooComplex> {
    let (alpha, da, db, valid) = valid_actions(&action_lang(a), &action_lang(b))?;
    let both = da.intersect(&db)?.intersect(&valid)?;
    Ok(both.shortest().map(|w| regions::prettify(&alpha, &both, w)))
}

/// Whether every action that `inner` matches is matched by `outer`.
pub fn action_contains(outer: &str, inner: &str) -> Result<bool, TooComplex> {
    let (_, dout, din, valid) = valid_actions(&action_lang(outer), &action_lang(inner))?;
    Ok(din.intersect(&valid)?.minus(&dout)?.is_empty())
}
