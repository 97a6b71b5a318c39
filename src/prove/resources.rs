//! The resource space of a query (spec M-3..M-7, V-4).
//!
//! The ARNs the query's pattern matches are split into regions by every
//! statement's `Resource`/`NotResource` language and by resource type; in
//! one region every statement's resource element holds or fails alike, so
//! one witness ARN stands for all. Free policy variables are approximated
//! by effect: a grant's entry may match wherever some value would make it
//! match, a Deny's entry only where it matches whatever the value (V-4).

use super::alphabet::Alphabet;
use super::lang::{self, Approx, Lang, VarEnv};
use super::regions;
use super::shapes;
use super::statements::Stmt;
use super::Limit;
use crate::policy::{Effect, ResourceClause};

/// Most resource regions.
const MAX_REGIONS: usize = 5000;

/// ARNs that every statement's resource element treats alike.
#[derive(Debug, Clone)]
pub(crate) struct ResourceRegion {
    /// An ARN of the region.
    pub witness: String,
    /// Per statement: whether its resource element may apply (approximated by effect).
    pub applies: Vec<bool>,
    /// Index of the region's resource type in [`ResourceSpace::types`].
    pub resource_type: Option<usize>,
}

/// The ARN regions of a query.
pub(crate) struct ResourceSpace {
    /// The regions.
    pub regions: Vec<ResourceRegion>,
    /// Resource type names split by.
    pub types: Vec<String>,
}

/// The language of a statement's resource element, approximated by effect.
pub(crate) fn clause_lang(stmt: &Stmt<'_>, env: &VarEnv) -> Lang {
    let clause = &stmt.statement.resource;
    let grants = stmt.statement.effect == Effect::Allow;
    // an entry of NotResource excludes; its approximation is the opposite one
    let approx = match (grants, clause.is_not()) {
        (true, false) | (false, true) => Approx::Upper,
        (true, true) | (false, false) => Approx::Lower,
    };
    let entries = Lang::Or(
        clause
            .patterns()
            .iter()
            .map(|p| lang::resource_pattern(p.as_str(), stmt.variables, env, approx))
            .collect(),
    );
    match clause {
        ResourceClause::Resource(_) => entries,
        ResourceClause::NotResource(_) => Lang::And(vec![lang::arn_valid(), entries.not()]),
    }
}

/// Splits the ARNs of `query` by the statements marked `relevant` and the
/// resource types.
pub(crate) fn build(
    query: &str,
    stmts: &[Stmt<'_>],
    relevant: &[bool],
    types: &[String],
    env: &VarEnv,
    account: Option<&str>,
) -> Result<ResourceSpace, Limit> {
    let base = lang::resource_pattern(query, false, env, Approx::Upper);
    let mut preds: Vec<Lang> = Vec::new();
    let mut pred_of: Vec<Option<usize>> = Vec::new();
    for (s, rel) in stmts.iter().zip(relevant) {
        if !rel {
            pred_of.push(None);
            continue;
        }
        let l = clause_lang(s, env);
        let i = match preds.iter().position(|p| *p == l) {
            Some(i) => i,
            None => {
                preds.push(l);
                preds.len() - 1
            }
        };
        pred_of.push(Some(i));
    }
    let first_type = preds.len();
    preds.extend(types.iter().map(|t| shapes::resource_type(t)));
    let nice = shapes::nice_arns(account);
    let mut chars: Vec<char> = Vec::new();
    base.chars(&mut chars);
    for l in preds.iter().chain(&nice) {
        l.chars(&mut chars);
    }
    lang::arn_valid().chars(&mut chars);
    let alpha = Alphabet::new(chars);
    let base = base.compile(&alpha)?;
    let dfas = regions::compile_all(&alpha, &preds)?;
    let nice = regions::compile_all(&alpha, &nice)?;
    let cells = regions::split(&alpha, base, &dfas, &nice, MAX_REGIONS, "resources")?;
    let regions = cells
        .into_iter()
        .map(|c| ResourceRegion {
            applies: pred_of
                .iter()
                .map(|p| p.and_then(|i| c.inside.get(i).copied()).unwrap_or(false))
                .collect(),
            resource_type: (0..types.len())
                .find(|t| c.inside.get(first_type + t).copied().unwrap_or(false)),
            witness: c.witness,
        })
        .collect();
    Ok(ResourceSpace {
        regions,
        types: types.to_vec(),
    })
}
