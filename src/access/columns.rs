//! The account review's column cache. A column of a principal's matrix
//! (bucket `data-17`, objects in it, any other bucket, the account) is
//! answered by the statements of its policy set that can concern the
//! column: those covering an asked action that applies to the column and
//! whose resources can match the column's ARN. Thousands of principals
//! meet the same few statements on most columns (a managed policy's
//! `s3:GetObject` on `*`, a bucket's own policy), so each column is
//! computed once per distinct key and its cells reused:
//!
//! - the column itself (its id, ARN, kind, resource type);
//! - the caller's type, account and whether it is a service-linked role,
//!   and which layers its set has (a boundary that covers nothing denies);
//! - the relevant statements' layer, content ([`Contents`]) and how their
//!   `Principal` element matches the caller, in the set's order (the
//!   review words a column's conditions in statement order), and which of
//!   them are the same statement met twice (a policy reached directly and
//!   through a group words its conditions once, two copies twice);
//! - the caller's values of the caller-derived keys those statements test
//!   ([`caller_part`]); a policy variable keys the column on the caller.
//!
//! The cells are computed by the review's own [`Matrix::compute_for`] on
//! the principal's whole set, one column at a time, so a cached column is
//! what that call answers. Columns through an access point are not cached
//! (the request changes on the way, AP-1), nor is anything when the
//! analysis has access point policies.
//!
//! Which columns a row has is `review`'s own choice
//! ([`review_classes_with`]), made for every row: the rows' sets differ
//! (that is why they are rows), but they share most of their resource
//! patterns, and what a pattern names of the other resource types (access
//! points, jobs, …: most of the cost, one glob per pattern and type) is
//! remembered across rows ([`SampleMemo`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use super::account::Analysis;
use super::share::{caller_dependent, caller_part, Contents};
use crate::catalog::ActionInfo;
use crate::eval::policy_set::{layer_slot, PolicySet};
use crate::matcher::{Action, NoVariables, Resource};
use crate::policy::{Policy, Statement};
use crate::request::Request;
use crate::review::{
    applies_to, asks_about, review_classes_with, Cell, Classes, Matrix, ResourceClass, SampleMemo,
};

/// One computed column: its cells (class index 0) and the matrix notes.
type Column = Arc<(Vec<Cell>, Vec<String>)>;

/// The cache, shared by the threads computing the rows.
pub(crate) struct Columns<'a> {
    asked: &'a [(&'static ActionInfo, Action)],
    /// Content id and asked-action mask of every statement that covers an
    /// asked action, by (policy address, statement index).
    statements: HashMap<(usize, usize), (u32, u64)>,
    cache: Mutex<HashMap<Vec<u64>, Column>>,
    enabled: bool,
    /// What each resource pattern names of the other resource types.
    samples: SampleMemo,
}

fn mask_of(asked: &[(&'static ActionInfo, Action)], st: &Statement) -> u64 {
    asked
        .iter()
        .take(64)
        .enumerate()
        .filter(|(_, (_, a))| st.action.matches(a))
        .fold(0u64, |m, (i, _)| m | 1 << i)
}

impl<'a> Columns<'a> {
    /// Indexes the statements of every policy the analysis holds.
    pub(crate) fn new(
        a: &Analysis,
        asked: &'a [(&'static ActionInfo, Action)],
        extra: &[&Arc<Policy>],
    ) -> Columns<'a> {
        let mut contents = Contents::default();
        let mut statements = HashMap::new();
        let mut add = |policy: &Arc<Policy>| {
            for st in &policy.statements {
                let at = (Arc::as_ptr(policy) as usize, st.index);
                if statements.contains_key(&at) {
                    continue;
                }
                let mask = mask_of(asked, st);
                if mask != 0 {
                    statements.insert(at, (contents.id(policy, st), mask));
                }
            }
        };
        for p in a.model.principals() {
            for n in p.identity.iter().chain(&p.boundary) {
                add(&n.policy);
            }
        }
        for b in &a.buckets {
            add(&b.policy.policy);
        }
        for p in a.scp_levels.iter().chain(&a.rcp_levels).flatten() {
            add(p);
        }
        for p in a
            .vpce
            .iter()
            .chain(a.access_points.iter().map(|n| &n.policy))
        {
            add(p);
        }
        for p in extra {
            add(p);
        }
        Columns {
            asked,
            statements,
            cache: Mutex::new(HashMap::new()),
            // more asked actions than a mask holds: no cache
            enabled: a.access_points.is_empty() && asked.len() <= 64,
            samples: SampleMemo::default(),
        }
    }

    /// The columns `review` asks for a set ([`review_classes_with`]) with
    /// the buckets `names`, what each resource pattern names of the other
    /// resource types remembered across rows.
    pub(crate) fn classes(&self, set: &PolicySet, base: &Request, names: &[String]) -> Classes {
        review_classes_with(&[set], base, names, Some(&self.samples))
    }

    /// The matrix of a set over its classes, columns from the cache where
    /// their key was seen: the same matrix as [`Matrix::compute_for`].
    pub(crate) fn matrix(
        &self,
        a: &Analysis,
        set: &PolicySet,
        classes: Vec<ResourceClass>,
        base: &Request,
    ) -> Matrix {
        if !self.enabled {
            return Matrix::compute_for(set, classes, base, asks_about);
        }
        let has_boundary = set
            .members()
            .iter()
            .any(|m| m.layer == crate::policy::PolicyType::Boundary);
        let mut head: Vec<u64> = Vec::new();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        base.principal.principal_type().hash(&mut h);
        base.principal.account().hash(&mut h);
        base.is_service_linked_role().hash(&mut h);
        base.principal.is_outside_iam().hash(&mut h);
        head.push(h.finish());
        head.push(
            set.members()
                .iter()
                .fold(0u64, |m, x| m | 1 << layer_slot(x.layer)),
        );
        let mut cells: Vec<Cell> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for (ci, class) in classes.iter().enumerate() {
            let column = match self.key(a, set, class, base, has_boundary, &head) {
                None => self.compute(set, class, base),
                Some(key) => {
                    let hit = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
                    match hit {
                        Some(c) => c,
                        None => {
                            let c = self.compute(set, class, base);
                            if let Ok(mut cache) = self.cache.lock() {
                                cache.insert(key, c.clone());
                            }
                            c
                        }
                    }
                }
            };
            cells.extend(column.0.iter().cloned().map(|mut c| {
                c.class = ci;
                c
            }));
            for n in &column.1 {
                if !notes.contains(n) {
                    notes.push(n.clone());
                }
            }
        }
        Matrix {
            classes,
            cells,
            notes,
        }
    }

    fn compute(&self, set: &PolicySet, class: &ResourceClass, base: &Request) -> Column {
        let m = Matrix::compute_for(set, vec![class.clone()], base, asks_about);
        Arc::new((m.cells, m.notes))
    }

    /// The key of a column, `None` when it must not be cached.
    fn key(
        &self,
        a: &Analysis,
        set: &PolicySet,
        class: &ResourceClass,
        base: &Request,
        has_boundary: bool,
        head: &[u64],
    ) -> Option<Vec<u64>> {
        if class.through_access_point.is_some() {
            return None;
        }
        let resource = Resource::parse(&class.arn).ok()?;
        let class_mask = self
            .asked
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, (info, _))| applies_to(info, class))
            .fold(0u64, |m, (i, _)| m | 1 << i);
        let mut key: Vec<u64> = head.to_vec();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_string(class).ok()?.hash(&mut h);
        key.push(h.finish());
        let mut slots: Vec<u64> = Vec::new();
        // Where each relevant statement was met before in this set: the
        // same policy reached twice (attached and through a group) words
        // its conditions once, two copies of it twice.
        let mut seen: Vec<(usize, usize)> = Vec::new();
        let mut callers: Vec<u64> = Vec::new();
        for m in set.members() {
            for st in &m.policy.statements {
                let Some((id, mask)) = self
                    .statements
                    .get(&(Arc::as_ptr(&m.policy) as usize, st.index))
                else {
                    continue;
                };
                if mask & class_mask == 0 {
                    continue;
                }
                let service = class.service.as_str();
                let reaches = st.resource.is_not()
                    || st.resource.patterns().iter().any(|p| p.has_variables())
                    || st.resource.matches(&resource, service, &NoVariables);
                if !reaches {
                    continue;
                }
                let how = match &st.principal {
                    None => 0u64,
                    Some(clause) => crate::eval::principal_match::match_clause(
                        clause,
                        m.layer,
                        base,
                        &a.options,
                        has_boundary,
                    )
                    .map_or(0xff, |x| 1 + x as u64),
                };
                if caller_dependent(st) && !caller_part(st, base, &mut callers) {
                    // a policy variable: this column is the caller's own
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    base.principal.to_string().hash(&mut h);
                    for e in base.context.entries() {
                        e.key.hash(&mut h);
                        e.value.values().hash(&mut h);
                    }
                    callers.push(h.finish());
                }
                slots.push(
                    (layer_slot(m.layer) as u64) << 56
                        | (m.level as u64 & 0xff) << 48
                        | how << 32
                        | u64::from(*id),
                );
                let at = (Arc::as_ptr(&m.policy) as usize, st.index);
                slots.push(
                    seen.iter()
                        .position(|x| *x == at)
                        .map_or(u64::MAX, |i| i as u64),
                );
                seen.push(at);
            }
        }
        // In the set's order, not sorted: the review words a column's
        // conditions in statement order ("if A, or if B").
        key.push(u64::MAX);
        key.extend(slots);
        callers.sort_unstable();
        key.push(u64::MAX);
        key.extend(callers);
        Some(key)
    }
}
