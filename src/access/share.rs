//! Principals that share an answer. In a real account thousands of users
//! and roles have the same few managed policies; asking the evaluator (and
//! the prover, for conditional grants) once per distinct combination of
//! *relevant statements* instead of once per principal is what makes
//! `who-can` and the account review fast.
//!
//! A statement is relevant to a question when its action can cover the
//! question's action and (for a concrete resource) its resource can match
//! the resource: no other statement can take part in the decision. Two
//! principals get the same answer, up to the names of their statements,
//! when they are of the same kind (user or role) and account and their
//! relevant statements have the same content in the same layers, and the
//! keys derived from the caller that those statements (or the guardrails
//! every principal meets: SCPs, RCPs, VPC endpoint policies) test
//! (`aws:username`, `aws:PrincipalTag/…`, `aws:PrincipalArn`, …) have the
//! same values for both; a policy variable makes a principal answer alone.
//! A statement naming principals (a bucket policy's, a VPC endpoint
//! policy's) is shared with how it matches the caller. A shared answer is
//! shown with the principal's own names and keys (`who_can::retag`).
//!
//! Content is compared, not identity: the same statement copied into two
//! policies is one statement here. The [`SharedKey`] lists the statements
//! sorted, so the order of policies does not matter either (the decision
//! never depends on it).

use std::collections::HashMap;
use std::sync::Arc;

use super::account::{AccountPrincipal, Analysis};
use super::decide::{Deciding, Question};
use crate::eval::policy_set::layer_slot;
use crate::matcher::{NoVariables, Resource};
use crate::policy::{Effect, Policy, PolicyType, Statement};
use crate::request::Request;

/// Keys derived from the caller: a statement testing one answers per principal.
const CALLER_KEYS: &[&str] = &[
    "aws:username",
    "aws:userid",
    "aws:principal",
    "aws:sourceidentity",
];

/// One relevant statement of a principal: its layer, its content id, and
/// how its `Principal` element matches the caller (0 without one).
pub(crate) type Slot = (u8, u32, u8);

/// The key under which principals share an answer.
pub(crate) type SharedKey = Vec<u64>;

/// A relevant statement of one principal, to name it in a shared answer.
#[derive(Debug, Clone)]
pub(crate) struct Mine<'a> {
    /// Layer, content, principal match.
    pub slot: Slot,
    /// The layer.
    pub layer: PolicyType,
    /// The member's display name (as [`super::PrincipalSet::names`] has it).
    pub name: String,
    /// The policy.
    pub policy: &'a Arc<Policy>,
    /// The statement.
    pub statement: &'a Statement,
}

/// What the relevant statements say about sharing.
pub(crate) enum Plan<'a> {
    /// No Allow of the identity or resource layer is relevant: it cannot.
    Nothing,
    /// Its answer may depend on who it is: ask for it alone.
    Alone,
    /// Shareable under the key; its relevant statements.
    Shared(SharedKey, Vec<Mine<'a>>),
}

/// Content ids of statements, memoised by policy and position.
#[derive(Default)]
pub(crate) struct Contents {
    ids: HashMap<String, u32>,
    memo: HashMap<(usize, usize), u32>,
}

impl Contents {
    /// The content id of a statement: equal for statements that differ
    /// only in `Sid` and position.
    pub(crate) fn id(&mut self, policy: &Arc<Policy>, st: &Statement) -> u32 {
        let at = (Arc::as_ptr(policy) as usize, st.index);
        if let Some(id) = self.memo.get(&at) {
            return *id;
        }
        let text = fingerprint(policy, st);
        let next = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        let id = *self.ids.entry(text).or_insert(next);
        self.memo.insert(at, id);
        id
    }

    /// For each content id, its rank in the order of the contents' text:
    /// sorting statements by rank sorts them by content, whichever
    /// principal's statement was met first.
    pub(crate) fn ranks(&self) -> Vec<u32> {
        let mut texts: Vec<(&String, u32)> = self.ids.iter().map(|(t, i)| (t, *i)).collect();
        texts.sort_unstable();
        let mut ranks = vec![0u32; texts.len()];
        for (rank, (_, id)) in texts.iter().enumerate() {
            if let Some(r) = ranks.get_mut(*id as usize) {
                *r = u32::try_from(rank).unwrap_or(u32::MAX);
            }
        }
        ranks
    }
}

/// Everything about a statement that the evaluator reads.
fn fingerprint(policy: &Policy, st: &Statement) -> String {
    let mut s = format!(
        "{:?}|{:?}|{}|{}|",
        policy.version,
        st.effect,
        st.action.is_not(),
        st.resource.is_not()
    );
    for p in st.action.patterns() {
        s.push_str(p.as_str());
        s.push(',');
    }
    s.push('|');
    for p in st.resource.patterns() {
        s.push_str(p.as_str());
        s.push(',');
    }
    s.push('|');
    if let Some(c) = &st.principal {
        s.push_str(if c.is_not() { "not:" } else { "is:" });
        for e in c.entries() {
            s.push_str(&format!("{:?};", e.kind));
        }
    }
    s.push('|');
    for b in &st.condition.blocks {
        s.push_str(&b.operator_text);
        s.push('{');
        for k in &b.keys {
            s.push_str(&k.key_lower);
            s.push('=');
            for v in &k.raw_values {
                s.push_str(&format!("{v:?},"));
            }
            s.push(';');
        }
        s.push('}');
    }
    s
}

/// Whether a statement's answer may depend on the caller beyond its kind
/// and account: a caller-derived key, or a policy variable anywhere.
pub(crate) fn caller_dependent(st: &Statement) -> bool {
    has_variables(st)
        || st
            .condition
            .blocks
            .iter()
            .any(|b| b.keys.iter().any(|k| is_caller_key(&k.key_lower)))
}

/// Whether a lower-cased condition key is derived from the caller (its
/// ARN, name, account, tags, …): its value differs between principals.
pub(crate) fn is_caller_key(lower: &str) -> bool {
    CALLER_KEYS.iter().any(|c| lower.starts_with(c))
}

/// Whether a statement holds a policy variable (in its resources or its
/// condition values).
fn has_variables(st: &Statement) -> bool {
    st.resource.patterns().iter().any(|p| p.has_variables())
        || st.condition.blocks.iter().any(|b| {
            b.keys
                .iter()
                .any(|k| k.raw_values.iter().any(|v| crate::matcher::has_variable(v)))
        })
}

/// The principal match of a statement whose `Principal` names others than
/// the caller (a match is `1 +` its kind; no `Principal` is 0).
const NOT_NAMED: u8 = 0xff;

/// What a statement's answer takes from the caller, for the sharing key:
/// the values (in `req`, the caller's request) of the caller-derived keys
/// it tests, pushed onto `key` as hashes. Two principals of the same kind
/// and account that push the same values get the same answer from it.
/// `false` when the statement holds a policy variable: the principal
/// answers alone.
pub(crate) fn caller_part(st: &Statement, req: &Request, key: &mut Vec<u64>) -> bool {
    use std::hash::{Hash, Hasher};
    if has_variables(st) {
        return false;
    }
    for b in &st.condition.blocks {
        for k in &b.keys {
            if !is_caller_key(&k.key_lower) {
                continue;
            }
            let mut h = std::collections::hash_map::DefaultHasher::new();
            k.key_lower.hash(&mut h);
            match req.context.get_lower(&k.key_lower) {
                Some(e) => {
                    1u8.hash(&mut h);
                    e.value.values().hash(&mut h);
                }
                None => 0u8.hash(&mut h),
            }
            key.push(h.finish());
        }
    }
    true
}

/// The guardrail layers every principal of the data meets (SCP, RCP, VPC
/// endpoint policies), with their layer: a statement of theirs that tests
/// the caller, or names principals, answers differently per principal.
pub(crate) fn guardrails(a: &Analysis) -> impl Iterator<Item = (PolicyType, &Arc<Policy>)> {
    a.scp_levels
        .iter()
        .flatten()
        .map(|p| (PolicyType::Scp, p))
        .chain(a.rcp_levels.iter().flatten().map(|p| (PolicyType::Rcp, p)))
        .chain(a.vpce.iter().map(|p| (PolicyType::VpcEndpoint, p)))
}

/// The relevance filter of a question, compiled once.
pub(crate) struct Relevance<'q> {
    q: &'q Question,
    /// The literal resource of the question.
    resource: Option<Resource>,
    /// The resource pattern of the question (`arn:aws:s3:::prod*`).
    pattern: Option<String>,
    /// Whether a statement's resource pattern overlaps `pattern`, by text.
    overlaps: std::cell::RefCell<HashMap<String, bool>>,
    service: String,
}

impl<'q> Relevance<'q> {
    /// For a question.
    pub(crate) fn new(q: &'q Question) -> Relevance<'q> {
        // Through an access point, statements on the bucket behind it
        // decide too (AP-1): every statement of the action is relevant.
        let direct = super::account::access_point_account_field(&q.resource).is_none();
        let is_pattern = q.resource.contains(['*', '?']);
        Relevance {
            q,
            resource: (direct && !is_pattern)
                .then(|| Resource::parse(&q.resource).ok())
                .flatten(),
            pattern: (direct && is_pattern).then(|| q.resource.clone()),
            overlaps: std::cell::RefCell::new(HashMap::new()),
            service: q.action.split(':').next().unwrap_or_default().to_string(),
        }
    }

    /// Whether a statement can take part in the question's decision.
    pub(crate) fn concerns(&self, st: &Statement) -> bool {
        if !self.q.covered_by(&st.action) {
            return false;
        }
        match (&self.resource, &self.pattern) {
            (Some(r), _) => {
                st.resource.patterns().iter().any(|p| p.has_variables())
                    || st.resource.matches(r, &self.service, &NoVariables)
            }
            // A statement none of whose resources can match an ARN the
            // question's pattern matches cannot take part in any request
            // of the question (the prover's requests match the pattern).
            (None, Some(pattern)) => {
                st.resource.is_not()
                    || st
                        .resource
                        .patterns()
                        .iter()
                        .any(|p| p.has_variables() || self.overlaps_pattern(p.as_str(), pattern))
            }
            (None, None) => true,
        }
    }

    /// Whether a resource pattern overlaps the question's (memoised; too
    /// complex to tell counts as overlapping).
    fn overlaps_pattern(&self, p: &str, pattern: &str) -> bool {
        if let Some(hit) = self.overlaps.borrow().get(p) {
            return *hit;
        }
        let hit = !matches!(crate::prove::resource_overlap(p, pattern), Ok(None));
        self.overlaps.borrow_mut().insert(p.to_string(), hit);
        hit
    }

    /// The plan of one principal of the data: its relevant statements
    /// (identity policies, the bucket's policy, the access point's
    /// policies when the question goes through it, boundary) and whether
    /// it can share. `request` builds the caller's request, needed only when
    /// a relevant statement names principals.
    pub(crate) fn plan<'a>(
        &self,
        a: &'a Analysis,
        p: &'a AccountPrincipal,
        bucket: Option<&'a crate::sources::NamedPolicy>,
        access_points: &'a [crate::sources::NamedPolicy],
        contents: &mut Contents,
        mut request: impl FnMut() -> Option<Request>,
    ) -> Plan<'a> {
        let mut mine: Vec<Mine<'a>> = Vec::new();
        // Hashes of the caller's values of the caller-derived keys that
        // relevant statements test (identity, bucket, boundary, guardrails).
        let mut callers: Vec<u64> = Vec::new();
        // Guardrail statements: (layer, content, principal match).
        let mut common: Vec<Slot> = Vec::new();
        let mut grants = false;
        let mut req: Option<Option<Request>> = None;
        // How a relevant statement stands to this caller: 0 without a
        // `Principal`, 1 + the match when it names the caller, NOT_NAMED
        // when it names others; the values of the caller-derived keys it
        // tests go into `callers` (for a statement naming others only when
        // `named_or_not`). `None`: the caller's request cannot be built or
        // its values told, so the principal is answered alone.
        let has_boundary = p.boundary.is_some();
        let mut fit = |st: &'a Statement, layer: PolicyType, named_or_not: bool| -> Option<u8> {
            let mut how = 0u8;
            if let Some(clause) = &st.principal {
                let r = req.get_or_insert_with(&mut request).as_ref()?;
                how = match crate::eval::principal_match::match_clause(
                    clause,
                    layer,
                    r,
                    &a.options,
                    has_boundary,
                ) {
                    None => NOT_NAMED,
                    Some(m) => 1 + m as u8,
                };
            }
            if (how != NOT_NAMED || named_or_not) && caller_dependent(st) {
                let r = req.get_or_insert_with(&mut request).as_ref()?;
                if !caller_part(st, r, &mut callers) {
                    return None;
                }
            }
            Some(how)
        };
        let members = p
            .identity
            .iter()
            .map(|n| (PolicyType::Identity, n.name.clone(), &n.policy))
            .chain(
                bucket
                    .iter()
                    .map(|n| (PolicyType::Resource, n.name.clone(), &n.policy)),
            )
            .chain(
                access_points
                    .iter()
                    .map(|n| (PolicyType::AccessPoint, n.name.clone(), &n.policy)),
            )
            .chain(p.boundary.iter().map(|n| {
                (
                    PolicyType::Boundary,
                    format!("{} (boundary)", n.name),
                    &n.policy,
                )
            }));
        for (layer, name, policy) in members {
            for st in &policy.statements {
                if !self.concerns(st) {
                    continue;
                }
                let Some(how) = fit(st, layer, false) else {
                    return Plan::Alone;
                };
                if how == NOT_NAMED {
                    // It does not concern this caller: as if absent.
                    continue;
                }
                if st.effect == Effect::Allow
                    && matches!(
                        layer,
                        PolicyType::Identity | PolicyType::Resource | PolicyType::AccessPoint
                    )
                {
                    grants = true;
                }
                let slot = (layer_slot(layer) as u8, contents.id(policy, st), how);
                mine.push(Mine {
                    slot,
                    layer,
                    name: name.clone(),
                    policy,
                    statement: st,
                });
            }
        }
        if !grants {
            return Plan::Nothing;
        }
        // The guardrails every principal meets: the same statements, but
        // one that tests the caller (an SCP exempting a tag or an ARN) or
        // names principals (a VPC endpoint policy) answers per principal.
        for (layer, policy) in guardrails(a) {
            for st in &policy.statements {
                if !self.concerns(st) {
                    continue;
                }
                let Some(how) = fit(st, layer, true) else {
                    return Plan::Alone;
                };
                common.push((layer_slot(layer) as u8, contents.id(policy, st), how));
            }
        }
        let account = a
            .model
            .accounts()
            .iter()
            .position(|x| *x == p.account)
            .unwrap_or(usize::MAX);
        // Which layers are present matters without a relevant statement
        // (a boundary that covers nothing denies).
        let layers = u64::from(!p.identity.is_empty())
            | u64::from(bucket.is_some()) << 1
            | u64::from(p.boundary.is_some()) << 2
            | u64::from(!access_points.is_empty()) << 3
            // guardrails do not restrict service-linked roles (E-4)
            | u64::from(p.arn.contains(":role/aws-service-role/")) << 4;
        let mut key: SharedKey = vec![p.kind as u64, account as u64, layers];
        let slot_key = |s: &Slot| u64::from(s.0) << 48 | u64::from(s.2) << 40 | u64::from(s.1);
        let mut slots: Vec<u64> = mine.iter().map(|m| slot_key(&m.slot)).collect();
        slots.sort_unstable();
        key.extend(slots);
        // Separators keep the three lists apart.
        key.push(u64::MAX);
        key.extend(common.iter().map(slot_key));
        key.push(u64::MAX);
        callers.sort_unstable();
        key.extend(callers);
        Plan::Shared(key, mine)
    }
}

/// The statements of a shared grant, named for the principal that shares
/// it: the k-th statement of a content in the first principal's answer is
/// this principal's k-th statement of that content. A statement of a
/// layer every principal has (SCP, RCP, VPC endpoint) keeps its name.
pub(crate) fn rename(
    first: &[Deciding],
    first_slots: &[Option<Slot>],
    mine: &[Mine<'_>],
) -> Vec<Deciding> {
    let mut used = vec![false; mine.len()];
    first
        .iter()
        .zip(first_slots)
        .map(|(d, slot)| {
            let Some(slot) = slot else {
                return d.clone();
            };
            let found = mine
                .iter()
                .enumerate()
                .find(|(i, m)| m.slot == *slot && !used.get(*i).copied().unwrap_or(true));
            match found {
                Some((i, m)) => {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                    let s = m.statement;
                    Deciding {
                        policy: m.name.clone(),
                        layer: d.layer,
                        sid: s.sid.clone(),
                        index: s.index,
                        effect: s.effect,
                        position: format!(
                            "{}:{}:{}",
                            m.policy.name,
                            s.location.start().line,
                            s.location.start().column
                        ),
                    }
                }
                None => d.clone(),
            }
        })
        .collect()
}

/// The policy set a shared answer is computed on, the same for every
/// principal of the key: the principal's relevant identity statements,
/// each alone in a policy, and its relevant boundary statements, sorted by
/// content ([`Contents::ranks`]); the bucket policy, the access point's
/// policies and the guardrails as they are (every principal meets the
/// same). The statements that cannot take part are left out, so the
/// answer — and the prover's witness, which can depend on the order and
/// the number of statements — depends only on the key, never on which
/// principal of the key comes first or how its policies group them.
pub(crate) struct Canonical {
    /// The set.
    pub ps: super::PrincipalSet,
    /// The policies made here and the slot of each of their statements.
    made: Vec<(Arc<Policy>, Vec<Slot>)>,
}

impl Canonical {
    /// The canonical set of a principal whose plan is [`Plan::Shared`]
    /// (`mine`, its relevant statements) for requests on `bucket`.
    pub(crate) fn new(
        a: &Analysis,
        p: &AccountPrincipal,
        bucket: Option<&str>,
        mine: &[Mine<'_>],
        ranks: &[u32],
    ) -> Canonical {
        let rank = |m: &&Mine<'_>| ranks.get(m.slot.1 as usize).copied().unwrap_or(u32::MAX);
        let of_layer = |layer: PolicyType| {
            let mut v: Vec<&Mine<'_>> = mine.iter().filter(|m| m.layer == layer).collect();
            v.sort_by_key(rank);
            v
        };
        // A policy of `from`'s kind, version and document holding `statements`.
        let made = |from: &Policy, statements: Vec<Statement>| {
            Arc::new(Policy {
                name: from.name.clone(),
                policy_type: from.policy_type,
                version: from.version,
                id: None,
                statements,
                warnings: Vec::new(),
                skipped: Vec::new(),
                document: from.document.clone(),
                base_pointer: from.base_pointer.clone(),
            })
        };
        let mut out: Vec<(Arc<Policy>, Vec<Slot>)> = Vec::new();
        let mut identity: Vec<crate::sources::NamedPolicy> = Vec::new();
        for m in of_layer(PolicyType::Identity) {
            let policy = made(m.policy, vec![m.statement.clone()]);
            out.push((policy.clone(), vec![m.slot]));
            identity.push(crate::sources::NamedPolicy {
                name: m.name.clone(),
                policy,
            });
        }
        // A layer the principal has counts even when none of its
        // statements is relevant (the sharing key says which it has).
        if identity.is_empty() {
            if let Some(first) = p.identity.first() {
                identity.push(crate::sources::NamedPolicy {
                    name: first.name.clone(),
                    policy: made(&first.policy, Vec::new()),
                });
            }
        }
        let boundary = p.boundary.as_ref().map(|b| {
            let own = of_layer(PolicyType::Boundary);
            let policy = made(&b.policy, own.iter().map(|m| m.statement.clone()).collect());
            out.push((policy.clone(), own.iter().map(|m| m.slot).collect()));
            crate::sources::NamedPolicy {
                name: b.name.clone(),
                policy,
            }
        });
        let bucket = bucket.and_then(|bk| a.buckets.iter().find(|b| b.bucket == bk));
        Canonical {
            ps: a.layered_set(&identity, boundary.as_ref(), bucket, true),
            made: out,
        }
    }

    /// The slot of a statement of the set among `mine` (the relevant
    /// statements of the principal the set was made for).
    pub(crate) fn slot_of(
        &self,
        r: crate::eval::response::StatementRef,
        mine: &[Mine<'_>],
    ) -> Option<Slot> {
        let m = self.ps.set.member(r)?;
        if let Some((_, slots)) = self.made.iter().find(|(p, _)| Arc::ptr_eq(p, &m.policy)) {
            return slots.get(r.statement as usize).copied();
        }
        let st = self.ps.set.statement(r)?;
        mine.iter()
            .find(|x| Arc::ptr_eq(x.policy, &m.policy) && x.statement.index == st.index)
            .map(|x| x.slot)
    }
}
