//! The search: for every action class and resource region, is there a
//! context in which a granting combination of statements applies and no
//! Deny does (E-2, E-17)? A small constraint search over the regions of
//! the condition keys answers it; every answer found is made concrete and
//! checked by the evaluator before it counts.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use super::actions::{self, ActionClass, Targets};
use super::bits::Bits;
use super::constraints::{self, Budget, Clause};
use super::decision::Role;
use super::keys::{self, AtomInput, Conditions, KeyValue};
use super::lang::VarEnv;
use super::ownership::{self, GrantTables, Owned};
use super::resources::{self, ResourceSpace};
use super::statements::{self, fixed_context, Stmt};
use super::through;
use super::variables;
use super::witness::{self, Leaf};
use super::{Coverage, Limit, Proof, Query, Witness};
use crate::eval::policy_set::PolicySet;
use crate::matcher::Resource;
use crate::policy::{Effect, PolicyType};
use crate::request::Principal;

/// Most search steps over condition regions, over the whole proof.
const NODE_BUDGET: usize = 2_000_000;
/// Most candidate requests checked by the evaluator.
const CONFIRM_BUDGET: usize = 400;
/// Most times a combination of statements that yields unconfirmed
/// candidates is tried again with another action or resource.
const RETRIES: usize = 3;

/// A cell's statements as the search sees them: the active ones, those an
/// unconditional Deny cancels, and the keys the class's requests never carry.
/// And which kind of requests the cell holds (object ownership, E-21).
type Memo = (Vec<usize>, Vec<usize>, Vec<String>, Owned);

/// Runs a proof.
pub(crate) fn run(set: &PolicySet, query: &Query) -> Proof {
    let mut scope = Coverage {
        catalog: crate::catalog::catalog().version().to_string(),
        resource_types: !query.any_resource,
        ..Coverage::default()
    };
    match prove_in(set, query, &mut scope) {
        Ok(Some(w)) => Proof::Counterexample(Box::new(w), scope),
        Ok(None) => Proof::Proved(scope),
        Err(Limit(reason)) => {
            // through an access point the bucket must allow too (AP-1): when
            // it allows none of the requests, none is allowed
            if let Some(bucket) = through::bucket_query(set, query) {
                let mut bucket_scope = scope.clone();
                if let Ok(None) = prove_in(set, &bucket, &mut bucket_scope) {
                    return Proof::Proved(scope);
                }
            }
            Proof::Unknown { reason, scope }
        }
    }
}

fn prove_in(
    set: &PolicySet,
    query: &Query,
    scope: &mut Coverage,
) -> Result<Option<Witness>, Limit> {
    query.check().map_err(|e| Limit(e.to_string()))?;
    let base = query.base_request().map_err(|d| {
        Limit(
            d.iter()
                .map(|x| x.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let (mut env, mut template, mut absent_shown) = fixed_context(base);
    // through an access point, search the answer at the access point (AP-1)
    // (a pattern it cannot split is refused once the actions are known)
    let through = through::access_point_resource(set, query);
    let through_access_point = match &through {
        Ok(Some(resource)) => {
            template.resource = resource.clone();
            true
        }
        _ => false,
    };
    // requests made directly to buckets and objects carry no access point
    // key (AP-3; the rule of `Request::can_carry_key`); a query that fixes
    // one (the bucket's answer to a request through an access point,
    // `through::bucket_query`) is about requests through an access point
    let given_through = crate::eval::access_point::ACCESS_POINT_KEYS
        .iter()
        .any(|k| env.fixed.get(k).is_some());
    let direct: Vec<&str> = if given_through || through::reaches_access_points(&query.resource) {
        Vec::new()
    } else {
        // the keys the policies test, so that the scope names only those
        crate::eval::access_point::ACCESS_POINT_KEYS
            .into_iter()
            .filter(|k| {
                let lower = k.to_ascii_lowercase();
                set.members().iter().any(|m| {
                    m.policy.statements.iter().any(|st| {
                        st.condition
                            .blocks
                            .iter()
                            .any(|b| b.keys.iter().any(|x| x.key_lower == lower))
                    })
                })
            })
            .collect()
    };
    for key in query.absent.iter().map(String::as_str).chain(direct) {
        let lower = key.to_lowercase();
        if env.fixed.get_lower(&lower).is_none() && env.absent.insert(lower) {
            absent_shown.push(format!("{key} (absent)"));
        }
    }
    let stmts = statements::of(set, &template);
    let available: Vec<Role> = stmts.iter().filter_map(|s| s.role).collect();
    let grants = GrantTables::build(set, &template, &available)?;

    let query_rp = query.resource_pattern();
    let mut resource_texts: Vec<&str> = vec![query.resource.as_str()];
    for s in &stmts {
        resource_texts.extend(s.statement.resource.patterns().iter().map(|p| p.as_str()));
    }
    let owner_root =
        matches!(template.principal, Principal::Root { .. }) && template.is_same_account();
    let space = actions::build(
        &query.action,
        &stmts,
        query.any_resource,
        owner_root,
        &actions::service_segments(&resource_texts),
        grants.has_foreign(),
        &|action: &str| ownership::refused_whatever_the_context(set, &template, action),
    )?;
    scope.catalog_actions = space.catalog_actions.clone();
    scope.other_services = space.other_services;
    through?;
    let mut fixed: Vec<String> = env
        .fixed
        .entries()
        .iter()
        .map(|e| e.key.to_string())
        .collect();
    fixed.extend(absent_shown);
    fixed.sort();
    scope.fixed_keys = fixed;
    if space.classes.is_empty() {
        return Err(Limit(format!(
            "the action pattern `{}` matches no action of the catalog and no other service",
            query.action
        )));
    }
    // ACL grants are resource-side allows outside the statements the
    // search combines (E-20): leaving one out that could reach a request
    // of the query could prove wrongly.
    if ownership::acl_grant_reaches(set, &template, &query.resource, &space.catalog_actions) {
        return Err(Limit(
            "an ACL grant (--object-acl, --bucket-acl) may allow some of these requests, and the prover does not search ACL grants; ask `s3guard can` about single requests".into(),
        ));
    }
    if grants.is_empty() {
        return Ok(None);
    }

    let covers = |i: usize, arns: bool| {
        space.classes.iter().any(|c| {
            c.covered.get(i).copied().unwrap_or(false) && (!arns || c.targets != Targets::Wildcard)
        })
    };
    let relevant_arn: Vec<bool> = stmts
        .iter()
        .enumerate()
        .map(|(i, s)| s.eligible && covers(i, true))
        .collect();
    let relevant: Vec<bool> = stmts
        .iter()
        .enumerate()
        .map(|(i, s)| s.eligible && covers(i, false))
        .collect();
    let mut types: Vec<String> = Vec::new();
    for c in &space.classes {
        if let Targets::Typed(names) = &c.targets {
            for n in names {
                if !types.contains(n) {
                    types.push(n.clone());
                }
            }
        }
    }
    let needs_arns = space.classes.iter().any(|c| c.targets != Targets::Wildcard);
    let account = template.effective_resource_account().map(str::to_string);
    let resources = if needs_arns {
        Some(resources::build(
            &query.resource,
            &stmts,
            &relevant_arn,
            &types,
            &env,
            account.as_deref(),
        )?)
    } else {
        None
    };

    let mut inputs: Vec<AtomInput<'_>> = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        if !relevant.get(i).copied().unwrap_or(false) {
            continue;
        }
        for block in &s.statement.condition.blocks {
            for key in &block.keys {
                inputs.push(AtomInput {
                    stmt: i,
                    effect: s.statement.effect,
                    operator: block.operator,
                    key,
                    variables: s.variables,
                });
            }
        }
    }
    let conditions = keys::build(&inputs, stmts.len(), &env)?;
    // a key is free when some action of the query can carry it; the
    // others are absent for every action (spec C-15)
    let carried = |lower: &str| {
        space
            .classes
            .iter()
            .any(|c| !c.absent_keys.iter().any(|a| a == lower))
    };
    for k in conditions.keys.iter().filter(|k| !k.fixed) {
        if carried(&k.lower) {
            scope.free_keys.push(k.key.clone());
        } else {
            scope.absent_keys.push(k.key.clone());
        }
    }
    for k in conditions.keys.iter().filter(|k| k.approximate) {
        scope.approximations.push(format!(
            "the values of `{}` could not be split exactly (compared in several ways, or too many values); candidate values are tried",
            k.key
        ));
    }
    if stmts.iter().enumerate().any(|(i, s)| {
        relevant.get(i).copied().unwrap_or(false) && variables::has_free_variables(s, &env)
    }) {
        scope.approximations.push(
            "policy variables on keys the query leaves free are unknown strings: a grant counts where some value could make it match, a Deny only where it matches for every value".into(),
        );
    }

    let dominated = super::dominance::pairs(&stmts, &env)?;
    let mut search = Search {
        dominated,
        set,
        query,
        env: &env,
        stmts: &stmts,
        grants: &grants,
        conditions: &conditions,
        nodes: 0,
        confirmations: 0,
        dead: HashSet::new(),
        tried: HashMap::new(),
        unconfirmed: None,
        limit: None,
        through_access_point,
    };
    // S3 refuses every request of a refused class (E-19): nothing to search
    for class in space.classes.iter().filter(|c| !c.refused) {
        for (resource, applies, rtype) in cells(class, &query_rp, resources.as_ref(), &stmts, &env)
        {
            let owned = ownership::cell_kind(&grants, class.reads_object, &resource, rtype);
            if let Some(w) = search.cell(class, &resource, &applies, owned) {
                return Ok(Some(w));
            }
            if let Some(l) = search.limit.take() {
                return Err(l);
            }
        }
    }
    match search.unconfirmed {
        Some(reason) => Err(Limit(reason)),
        None => Ok(None),
    }
}

/// The resources of a class: `*` when its requests can carry it and the
/// query's pattern covers it (M-6), and the ARN regions of its types.
/// Each with its resource type when the region has one.
fn cells<'r>(
    class: &ActionClass,
    query_rp: &crate::matcher::ResourcePattern,
    resources: Option<&'r ResourceSpace>,
    stmts: &[Stmt<'_>],
    env: &VarEnv,
) -> Vec<(String, Vec<bool>, Option<&'r str>)> {
    let mut out = Vec::new();
    let wildcard = matches!(class.targets, Targets::Wildcard | Targets::Anything);
    if wildcard && query_rp.matches_wildcard_request(&class.service) {
        let applies = stmts
            .iter()
            .map(|s| {
                s.statement
                    .resource
                    .matches(&Resource::Wildcard, &class.service, &env.fixed)
            })
            .collect();
        out.push(("*".to_string(), applies, None));
    }
    if let Some(space) = resources {
        for region in &space.regions {
            let fits = match &class.targets {
                Targets::Wildcard => false,
                Targets::Anything => true,
                Targets::Typed(names) => region
                    .resource_type
                    .and_then(|t| space.types.get(t))
                    .is_some_and(|t| names.contains(t)),
            };
            if fits {
                let rtype = region
                    .resource_type
                    .and_then(|t| space.types.get(t))
                    .map(String::as_str);
                out.push((region.witness.clone(), region.applies.clone(), rtype));
            }
        }
    }
    out
}

struct Search<'a> {
    /// (grant, Deny) pairs where the Deny always cancels the grant.
    dominated: HashSet<(usize, usize)>,
    set: &'a PolicySet,
    query: &'a Query,
    env: &'a VarEnv,
    stmts: &'a [Stmt<'a>],
    grants: &'a GrantTables,
    conditions: &'a Conditions,
    nodes: usize,
    confirmations: usize,
    /// Combinations of statements (applicable, and grants cancelled) with
    /// no solution at all.
    dead: HashSet<Memo>,
    /// Combinations with unconfirmed solutions, and how often tried.
    tried: HashMap<Memo, usize>,
    unconfirmed: Option<String>,
    limit: Option<Limit>,
    /// Whether the search is over the answer at an access point (AP-1).
    through_access_point: bool,
}

impl Budget for Search<'_> {
    fn step(&mut self) -> bool {
        self.nodes += 1;
        if let Err(e) = super::budget::tick() {
            if self.limit.is_none() {
                self.limit = Some(Limit::from(e));
            }
            return false;
        }
        if self.nodes > NODE_BUDGET {
            if self.limit.is_none() {
                self.limit = Some(Limit(format!(
                    "the search over condition values passed {NODE_BUDGET} steps"
                )));
            }
            return false;
        }
        true
    }
}

impl Search<'_> {
    /// Searches one (action class, resource) cell.
    fn cell(
        &mut self,
        class: &ActionClass,
        resource: &str,
        applies: &[bool],
        owned: Owned,
    ) -> Option<Witness> {
        // E-11: the owner's root user may manage the bucket policy (an ARN) whatever it says
        let exempt = class.lockout_exempt && resource != "*";
        let active: Vec<usize> = (0..self.stmts.len())
            .filter(|&i| {
                let s = self.stmts.get(i);
                s.is_some_and(|s| s.eligible)
                    && class.covered.get(i).copied().unwrap_or(false)
                    && applies.get(i).copied().unwrap_or(false)
                    && !(exempt
                        && s.is_some_and(|s| {
                            s.layer == PolicyType::Resource && s.statement.effect == Effect::Deny
                        }))
            })
            .collect();
        let cancelled: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&i| self.cancelled(i, class, exempt))
            .collect();
        // the keys a class cannot carry change what its statements can do
        let memo = (active.clone(), cancelled, class.absent_keys.clone(), owned);
        if self.dead.contains(&memo) {
            return None;
        }
        let tries = self.tried.get(&memo).copied().unwrap_or(0);
        if tries >= RETRIES {
            return None;
        }
        let denies: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&i| {
                self.stmt(i)
                    .is_some_and(|s| s.statement.effect == Effect::Deny)
            })
            .collect();
        let mut any_leaf = false;
        for grant in self.grants.of(owned) {
            let mut clauses: Vec<Clause> = Vec::new();
            let mut possible = true;
            for role in grant {
                let fill: Vec<usize> = active
                    .iter()
                    .copied()
                    .filter(|&i| self.stmt(i).and_then(|s| s.role) == Some(*role))
                    .filter(|i| !memo.1.contains(i))
                    .collect();
                if fill.is_empty() {
                    possible = false;
                    break;
                }
                clauses.push(Clause::OneOf(fill));
            }
            if !possible {
                continue;
            }
            clauses.extend(denies.iter().map(|&d| Clause::NotAll(d)));
            // a key no request of the class carries takes only its
            // "missing" region (spec C-15)
            let mut domains: Vec<Bits> = self
                .conditions
                .keys
                .iter()
                .map(|k| {
                    if k.fixed || !class.absent_keys.contains(&k.lower) {
                        return Bits::full(k.values.len());
                    }
                    let mut only_missing = Bits::empty();
                    for (r, v) in k.values.iter().enumerate() {
                        if *v == KeyValue::Missing {
                            only_missing.insert(r);
                        }
                    }
                    only_missing
                })
                .collect();
            let mut chosen: Vec<usize> = Vec::new();
            let mut found: Option<Witness> = None;
            let conditions = self.conditions;
            let flow = constraints::solve(
                self,
                &conditions.atoms,
                &clauses,
                0,
                &mut domains,
                &mut chosen,
                &mut |this, domains, chosen| {
                    any_leaf = true;
                    let leaf = Leaf {
                        action: &class.witness,
                        resource,
                        domains,
                        support: chosen,
                        active: &active,
                    };
                    match this.confirm(&leaf) {
                        Some(w) => {
                            found = Some(w);
                            ControlFlow::Break(())
                        }
                        None if this.limit.is_some() => ControlFlow::Break(()),
                        None => ControlFlow::Continue(()),
                    }
                },
            );
            if found.is_some() {
                return found;
            }
            if flow.is_break() || self.limit.is_some() {
                return None;
            }
        }
        if any_leaf {
            *self.tried.entry(memo).or_insert(0) += 1;
            if self.unconfirmed.is_none() {
                self.unconfirmed = Some(self.unconfirmed_reason(class, resource));
            }
        } else {
            self.dead.insert(memo);
        }
        None
    }

    /// Whether an unconditional Deny that covers the class always cancels the grant.
    fn cancelled(&self, grant: usize, class: &ActionClass, exempt: bool) -> bool {
        self.dominated.iter().any(|&(g, d)| {
            g == grant
                && class.covered.get(d).copied().unwrap_or(false)
                && !(exempt
                    && self
                        .stmt(d)
                        .is_some_and(|s| s.layer == PolicyType::Resource))
        })
    }

    fn unconfirmed_reason(&self, class: &ActionClass, resource: &str) -> String {
        let vars = self
            .stmts
            .iter()
            .any(|s| variables::has_free_variables(s, self.env));
        let approx: Vec<&str> = self
            .conditions
            .keys
            .iter()
            .filter(|k| k.approximate)
            .map(|k| k.key.as_str())
            .collect();
        let mut why: Vec<String> = Vec::new();
        if vars {
            why.push("policy variables whose keys the query leaves free".into());
        }
        if !approx.is_empty() {
            why.push(format!(
                "condition keys whose values could not be split exactly ({})",
                approx.join(", ")
            ));
        }
        let opts = self.set.options();
        let carries_acl = |a: &String| match crate::eval::acl::acl_carried(&a.to_ascii_lowercase())
        {
            Some(crate::eval::acl::AclOf::Object) => opts.object_acl.is_some(),
            Some(crate::eval::acl::AclOf::Bucket) => opts.bucket_acl.is_some(),
            None => false,
        };
        if class.members.iter().any(carries_acl) {
            why.push("the ACL the request carries (--object-acl, --bucket-acl on uploads and ACL writes; s3:x-amz-acl, s3:x-amz-grant-*), which S3 may refuse (BlockPublicAcls, Object Ownership BucketOwnerEnforced; spec E-19, E-21), while a request that sets another ACL in its context may be allowed".into());
        }
        if self.through_access_point {
            why.push("the bucket behind the access point, which must allow too (spec AP-1; s3guard searches the access point's answer and confirms each request with both)".into());
        }
        if why.is_empty() {
            why.push("an internal disagreement with the evaluator (please report it)".into());
        }
        format!(
            "{} on {} might be allowed, but s3guard found no concrete request that the evaluator confirms; the answer depends on {}",
            class.witness,
            resource,
            why.join(" and ")
        )
    }

    fn stmt(&self, i: usize) -> Option<&Stmt<'_>> {
        self.stmts.get(i)
    }

    fn confirm(&mut self, leaf: &Leaf<'_>) -> Option<Witness> {
        for attempt in witness::attempts(leaf, self.conditions, self.stmts, self.env, self.query) {
            if self.confirmations >= CONFIRM_BUDGET {
                self.limit = Some(Limit(format!(
                    "s3guard checked {CONFIRM_BUDGET} candidate requests without confirming one"
                )));
                return None;
            }
            self.confirmations += 1;
            if let Some(w) = witness::confirm(self.set, self.query, self.env, &attempt) {
                return Some(w);
            }
        }
        None
    }
}
