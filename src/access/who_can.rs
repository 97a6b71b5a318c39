//! `who-can`: every principal that can make a request (or any request
//! matching patterns): the users and roles of the data, the principals a
//! bucket policy names that are not in the data, and those that could gain
//! the access by escalation ([`super::escalation`]).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::account::{Analysis, PrincipalKind};
use super::decide::{decide, decide_with_refs, AccessAnswer, Grant, Question};
use super::escalation::{Escalation, Path};
use super::share::{rename, Canonical, Contents, Plan, Relevance, SharedKey, Slot};
use crate::diagnostic::Diagnostic;
use crate::policy::PrincipalKind as Named;
use crate::policy::{Policy, PolicyType};
use crate::sources::NamedPolicy;

/// Who a listed principal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An IAM user of the data.
    User,
    /// An IAM role of the data (its sessions).
    Role,
    /// Any principal of another account whose own policies allow it.
    ExternalAccount,
    /// A user or role of another account, whose own policies allow it.
    ExternalPrincipal,
    /// An AWS service principal.
    Service,
    /// Anyone, anonymous callers included (`*`).
    Anyone,
    /// Any authenticated principal of any account whose own policies
    /// allow it (`*`, where anonymous callers cannot).
    AnyAuthenticated,
}

/// A principal that can, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The user or role ARN, an account root ARN, a service name, or `*`.
    pub principal: String,
    /// What it is.
    pub kind: Kind,
    /// Access, keys, deciding statements, witness.
    #[serde(flatten)]
    pub grant: Grant,
}

/// A principal that a policy grants but another layer stops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limited {
    /// The principal.
    pub principal: String,
    /// The layers that stopped it.
    pub layers: Vec<PolicyType>,
}

/// A principal that cannot, but could gain the access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gain {
    /// The principal.
    pub principal: String,
    /// How: the steps to a principal that can (or that can rewrite its permissions).
    pub path: Path,
}

/// The answer of `who-can`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhoCan {
    /// The action (or pattern).
    pub action: String,
    /// The resource (or pattern).
    pub resource: String,
    /// Principals that can, in data order, then those outside the data.
    pub principals: Vec<Entry>,
    /// Principals that cannot but could gain it.
    #[serde(rename = "couldGain")]
    pub could_gain: Vec<Gain>,
    /// Principals granted by a policy but stopped by another layer.
    pub limited: Vec<Limited>,
    /// Number of users and roles of the data.
    #[serde(rename = "principalsInData")]
    pub principals_in_data: usize,
}

/// `{"Effect": "Allow", "Action": "*", "Resource": "*"}`: the own identity
/// policies of a principal outside the data, assumed to allow.
pub fn assumed_own_policies() -> Option<NamedPolicy> {
    let text =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let name = "(its own policies, assumed to allow)";
    let policy = Policy::parse(name, text).ok()?;
    Some(NamedPolicy {
        name: name.to_string(),
        policy: Arc::new(policy),
    })
}

/// Answers `who-can` for the analysis. `escalation` is computed by the
/// caller (it does not depend on the question) or `None` to skip it.
pub fn who_can(
    a: &Analysis,
    q: &Question,
    escalation: Option<&Escalation>,
) -> Result<WhoCan, Vec<Diagnostic>> {
    let bucket = a
        .bucket_of(&q.resource)
        .or_else(|| match a.buckets.as_slice() {
            [only] => Some(only.bucket.clone()),
            _ => None,
        });
    let bucket_policy = bucket.as_deref().and_then(|b| a.bucket_policy(b));
    // Through the access point, its policy is a layer of the question (AP-1).
    let access_points: &[NamedPolicy] = if is_through_access_point(a, q) {
        &a.access_points
    } else {
        &[]
    };
    let account = a.resource_account_of(&q.resource);
    let mut out = WhoCan {
        action: q.action.clone(),
        resource: q.resource.clone(),
        principals: Vec::new(),
        could_gain: Vec::new(),
        limited: Vec::new(),
        principals_in_data: a.model.principals().len(),
    };
    let principals = a.model.principals();
    let mut can = vec![false; principals.len()];
    // 1. Which principals can share an answer (cheap, in order).
    let relevance = Relevance::new(q);
    let mut contents = Contents::default();
    let mut plans: Vec<Plan<'_>> = Vec::with_capacity(principals.len());
    let mut firsts: HashMap<SharedKey, usize> = HashMap::new();
    let mut jobs: Vec<usize> = Vec::new();
    for (i, p) in principals.iter().enumerate() {
        let plan = relevance.plan(a, p, bucket_policy, access_points, &mut contents, || {
            // Principal elements are matched on the caller alone.
            a.builder_for(&p.arn, &p.tags)
                .build("s3:ListAllMyBuckets", "*")
                .ok()
        });
        match &plan {
            Plan::Nothing => {}
            Plan::Alone => jobs.push(i),
            Plan::Shared(key, _) => {
                if !firsts.contains_key(key) {
                    firsts.insert(key.clone(), i);
                    jobs.push(i);
                }
            }
        }
        plans.push(plan);
    }
    // 2. One decision per job, on every core. A shared answer is computed
    // on the key's canonical set, so that it (its witness too) depends on
    // the principal's own inputs only, not on who shares it.
    // Answers differ in cost (the prover's take seconds): one at a time.
    let ranks = contents.ranks();
    let answers = crate::parallel::map_costly(&jobs, |i| {
        let p = principals.get(*i)?;
        let builder = a.builder_on(&p.arn, &p.tags, &q.resource);
        Some(match plans.get(*i) {
            Some(Plan::Shared(_, mine)) => {
                let c = Canonical::new(a, p, bucket.as_deref(), mine, &ranks);
                decide_with_refs(&c.ps, &builder, &p.arn, account, q).map(|(o, refs)| {
                    let slots = refs.iter().map(|r| c.slot_of(*r, mine)).collect();
                    (o, slots)
                })
            }
            _ => {
                let ps = a.principal_set(p, bucket.as_deref());
                decide(&ps, &builder, &p.arn, account, q).map(|o| (o, Vec::new()))
            }
        })
    });
    let mut decided: HashMap<usize, (AccessAnswer, Vec<Option<Slot>>)> = HashMap::new();
    for (i, ans) in jobs.iter().zip(answers) {
        if let Some(ans) = ans {
            decided.insert(*i, ans?);
        }
    }
    // 3. The answers in data order, shared ones named for each principal.
    for (i, p) in principals.iter().enumerate() {
        let job = match plans.get(i) {
            Some(Plan::Shared(key, _)) => firsts.get(key).copied(),
            Some(Plan::Alone) => Some(i),
            _ => None,
        };
        let Some((o, slots)) =
            job.and_then(|f| decided.get(&f).map(|d| (f, d)))
                .map(|(f, (o, s))| {
                    let mut o = o.clone();
                    if let Some(from) = principals.get(f).filter(|_| f != i) {
                        retag(&mut o, a, from, p);
                    }
                    (o, s)
                })
        else {
            continue;
        };
        let mut outcome = o;
        if let (AccessAnswer::Can(g), Some(Plan::Shared(_, mine))) = (&mut outcome, plans.get(i)) {
            g.statements = rename(&g.statements, slots, mine);
        }
        match outcome {
            AccessAnswer::Can(grant) => {
                if let Some(c) = can.get_mut(i) {
                    *c = true;
                }
                out.principals.push(Entry {
                    principal: p.arn.clone(),
                    kind: match p.kind {
                        PrincipalKind::User => Kind::User,
                        PrincipalKind::Role => Kind::Role,
                    },
                    grant,
                });
            }
            AccessAnswer::Cannot(layers) if !layers.is_empty() => out.limited.push(Limited {
                principal: p.arn.clone(),
                layers,
            }),
            AccessAnswer::Cannot(_) => {}
        }
    }
    // Principals outside the data that the bucket policy (or, through the
    // access point, the access point policy) names.
    let naming: Vec<&Policy> = bucket_policy
        .into_iter()
        .chain(access_points)
        .map(|n| &*n.policy)
        .filter(|p| q.granted_by_any([*p]))
        .collect();
    if !naming.is_empty() {
        let own = assumed_own_policies();
        let ask = |caller: &str, own_policy: Option<&NamedPolicy>| {
            let ps = a.external_set(bucket.as_deref(), own_policy);
            let builder = a.builder_on(caller, &[], &q.resource);
            decide(&ps, &builder, caller, account, q).map(|o| match o {
                AccessAnswer::Can(mut grant) => {
                    if let Some(o) = &own {
                        grant.statements.retain(|s| s.policy != o.name);
                    }
                    Some(grant)
                }
                AccessAnswer::Cannot(_) => None,
            })
        };
        let mut asked: Vec<String> = Vec::new();
        for policy in naming {
            for (label, caller, kind) in external_principals(a, q, policy) {
                if asked.contains(&label) {
                    continue;
                }
                asked.push(label.clone());
                let own_policy = own
                    .as_ref()
                    .filter(|_| matches!(kind, Kind::ExternalAccount | Kind::ExternalPrincipal));
                if let Some(grant) = ask(&caller, own_policy)? {
                    out.principals.push(Entry {
                        principal: label,
                        kind,
                        grant,
                    });
                    continue;
                }
                if kind != Kind::Anyone {
                    continue;
                }
                // `*` names every authenticated principal of every account
                // too, not only anonymous callers: one of an account outside
                // the data (or one the conditions name), whose own policies allow.
                for caller in authenticated_callers(a, q, policy) {
                    if let Some(grant) = ask(&caller, own.as_ref())? {
                        out.principals.push(Entry {
                            principal: label.clone(),
                            kind: Kind::AnyAuthenticated,
                            grant,
                        });
                        break;
                    }
                }
            }
        }
    }
    if let Some(esc) = escalation {
        // A principal that rewrites its own permissions gains the access
        // only if its identity policies allowing everything would do:
        // its boundary (unless it can shed it), the guardrails and the
        // bucket policy's Denies still apply.
        let everything = assumed_own_policies();
        let rewrite_gains = |j: usize, bounded: bool| {
            let Some(p) = principals.get(j) else {
                return false;
            };
            let bucket = bucket
                .as_deref()
                .and_then(|bk| a.buckets.iter().find(|b| b.bucket == bk));
            let boundary = p.boundary.as_ref().filter(|_| bounded);
            let ps = a.layered_set(everything.iter(), boundary, bucket, true);
            let builder = a.builder_on(&p.arn, &p.tags, &q.resource);
            // an answer the prover cannot give counts: never false comfort
            !matches!(
                decide(&ps, &builder, &p.arn, account, q),
                Ok(AccessAnswer::Cannot(_))
            )
        };
        out.could_gain = esc
            .gains(&can, rewrite_gains)
            .into_iter()
            .filter_map(|(i, path)| {
                let p = a.model.principals().get(i)?;
                Some(Gain {
                    principal: p.arn.clone(),
                    path,
                })
            })
            .collect();
    }
    Ok(out)
}

/// Whether a question goes through the analysis's access point: its
/// resource is an access point ARN and the access point is described
/// (`--access-point-bucket`), as `can` decides it (spec AP-1).
pub(crate) fn is_through_access_point(a: &Analysis, q: &Question) -> bool {
    a.options.access_point.is_some()
        && super::account::access_point_account_field(&q.resource).is_some()
}

/// A shared answer for another principal: the witness's `can` arguments
/// name this principal instead of the one whose answer it shares, and
/// carry this principal's own caller-derived keys (`aws:PrincipalTag/…`,
/// `aws:username`, `aws:PrincipalArn`, …) instead of the other's. The
/// sharing key ([`super::share`]) guarantees that the values the
/// statements test are the same; the rest would still be the other
/// principal's and must not show.
fn retag(
    o: &mut AccessAnswer,
    a: &Analysis,
    from: &super::AccountPrincipal,
    to: &super::AccountPrincipal,
) {
    let AccessAnswer::Can(g) = o else {
        return;
    };
    let Some(w) = &mut g.witness else {
        return;
    };
    let entries = |p: &super::AccountPrincipal| -> Vec<(String, String, bool)> {
        let Ok(req) = a
            .builder_for(&p.arn, &p.tags)
            .build("s3:ListAllMyBuckets", "*")
        else {
            return Vec::new();
        };
        req.context
            .entries()
            .iter()
            .filter(|e| super::share::is_caller_key(&e.key.to_ascii_lowercase()))
            .flat_map(|e| {
                let tag = e.origin == crate::request::context::Origin::Given;
                e.value
                    .values()
                    .iter()
                    .map(move |v| (e.key.to_string(), v.clone(), tag))
            })
            .collect()
    };
    let (mine, theirs) = (entries(to), entries(from));
    let mut out: Vec<String> = Vec::with_capacity(w.args.len());
    let mut removed: Vec<String> = Vec::new();
    let mut at: Option<usize> = None;
    let mut after_flags = 0;
    let mut args = w.args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--context" => {
                let Some(entry) = args.next() else {
                    out.push(arg.clone());
                    break;
                };
                let theirs_entry = entry.split_once('=').and_then(|(k, v)| {
                    theirs
                        .iter()
                        .find(|(tk, tv, _)| tk.eq_ignore_ascii_case(k) && tv == v)
                });
                if let Some((k, _, _)) = theirs_entry {
                    at.get_or_insert(out.len());
                    if !removed.iter().any(|r| r.eq_ignore_ascii_case(k)) {
                        removed.push(k.clone());
                    }
                    continue;
                }
                out.push(arg.clone());
                out.push(entry.clone());
            }
            "--principal" | "--resource-account" => {
                out.push(arg.clone());
                if let Some(v) = args.next() {
                    out.push(if arg == "--principal" && *v == from.arn {
                        to.arn.clone()
                    } else {
                        v.clone()
                    });
                }
                after_flags = out.len();
            }
            "--no-defaults" => {
                out.push(arg.clone());
                after_flags = out.len();
            }
            _ => {
                if out.len() < 2 {
                    after_flags = out.len() + 1;
                }
                out.push(arg.clone());
            }
        }
    }
    // This principal's keys: its tags always (`can` takes them as given
    // keys), the derived keys where the other's were written out.
    let put: Vec<String> = mine
        .iter()
        .filter(|(k, _, tag)| *tag || removed.iter().any(|r| r.eq_ignore_ascii_case(k)))
        .flat_map(|(k, v, _)| ["--context".to_string(), format!("{k}={v}")])
        .collect();
    let at = at.unwrap_or(after_flags).min(out.len());
    out.splice(at..at, put);
    w.args = out;
}

/// An account outside the data, for "any authenticated principal".
pub const OTHER_ACCOUNT: &str = "999988887777";

/// Callers standing for "any authenticated principal" of a `*` grant: a
/// user of an account outside the data, and of each other account the
/// policy's conditions name (`aws:PrincipalAccount`, `aws:PrincipalArn`).
fn authenticated_callers(a: &Analysis, q: &Question, policy: &Policy) -> Vec<String> {
    let ours = |account: &str| a.model.accounts().iter().any(|x| x == account);
    let mut accounts: Vec<String> = vec![OTHER_ACCOUNT.to_string()];
    let mut named: Vec<String> = Vec::new();
    for st in &policy.statements {
        if st.effect != crate::policy::Effect::Allow || !q.covered_by(&st.action) {
            continue;
        }
        for b in &st.condition.blocks {
            for k in &b.keys {
                for v in &k.raw_values {
                    if k.key_lower == "aws:principalarn"
                        && !v.contains(['*', '?', '$'])
                        && super::account::account_of(v).is_some_and(|x| !ours(x))
                        && !named.contains(v)
                    {
                        named.push(v.clone());
                    }
                    let account = match k.key_lower.as_str() {
                        "aws:principalaccount" => Some(v.as_str()),
                        "aws:principalarn" => super::account::account_of(v),
                        _ => None,
                    };
                    if let Some(acct) = account.filter(|x| {
                        x.len() == 12 && x.bytes().all(|c| c.is_ascii_digit()) && !ours(x)
                    }) {
                        if !accounts.iter().any(|x| x == acct) {
                            accounts.push(acct.to_string());
                        }
                    }
                }
            }
        }
    }
    accounts
        .iter()
        .map(|acct| format!("arn:aws:iam::{acct}:user/any-authenticated-principal"))
        .chain(named)
        .collect()
}

/// The principals a bucket policy's Allow statements for the question name
/// that are not users or roles of the data: (label, caller, kind).
pub(crate) fn external_principals(
    a: &Analysis,
    q: &Question,
    policy: &Policy,
) -> Vec<(String, String, Kind)> {
    let mut out: Vec<(String, String, Kind)> = Vec::new();
    let mut add = |label: String, caller: String, kind: Kind| {
        if !out.iter().any(|(l, _, _)| *l == label) {
            out.push((label, caller, kind));
        }
    };
    let ours = |account: &str| a.model.accounts().iter().any(|x| x == account);
    for st in &policy.statements {
        if st.effect != crate::policy::Effect::Allow || !q.covered_by(&st.action) {
            continue;
        }
        let Some(clause) = &st.principal else {
            continue;
        };
        if clause.is_not() {
            add("*".into(), "anonymous".into(), Kind::Anyone);
            continue;
        }
        for e in clause.entries() {
            match &e.kind {
                Named::Everyone => add("*".into(), "anonymous".into(), Kind::Anyone),
                Named::Account { account } if !ours(account) => {
                    let root = format!("arn:aws:iam::{account}:root");
                    add(root.clone(), root, Kind::ExternalAccount)
                }
                Named::User { arn, account } | Named::Role { arn, account, .. }
                    if !ours(account) =>
                {
                    add(arn.clone(), arn.clone(), Kind::ExternalPrincipal)
                }
                Named::RoleSession { arn, account, .. } | Named::FederatedUser { arn, account }
                    if !ours(account) =>
                {
                    add(arn.clone(), arn.clone(), Kind::ExternalPrincipal)
                }
                Named::Service { name } => add(name.clone(), name.clone(), Kind::Service),
                _ => {}
            }
        }
    }
    out
}
