//! Escalation awareness: "role X cannot delete buckets" is false comfort if
//! X can rewrite its own permissions or become a principal that can.
//!
//! Two kinds of edge between principals of the data, each decided by the
//! evaluator like any request (the same [`decide`] as `who-can`):
//!
//! - **becomes**: `P` can assume role `R` (`sts:AssumeRole` on `R`,
//!   allowed by `P`'s policies and admitted by `R`'s trust policy), or can
//!   rewrite `R`'s trust policy (`iam:UpdateAssumeRolePolicy` on `R`);
//! - **rewrites**: `P` can change IAM policies that apply to itself:
//!   inline or attached policies and the boundary of its user or role
//!   ([`SELF_ACTIONS`]), its groups' policies, group membership, or a new
//!   default version of a customer managed policy it has.
//!
//! A principal that cannot do something directly "could gain it" when it
//! becomes, in one or more steps, a principal that can, or a principal
//! (itself included) that can rewrite its own permissions (which grants
//! anything the guardrails allow).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::account::{Analysis, PrincipalKind};
use super::decide::{decide, AccessAnswer, Question};
use crate::matcher::Resource;
use crate::policy::PrincipalKind as Named;

/// Actions on a user's own ARN that change its permissions.
pub const USER_ACTIONS: &[&str] = &[
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
];
/// Actions on a role's own ARN that change its permissions.
pub const ROLE_ACTIONS: &[&str] = &[
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
];
/// Actions on a user's group that change the user's permissions.
pub const GROUP_ACTIONS: &[&str] = &["iam:PutGroupPolicy", "iam:AttachGroupPolicy"];
/// Actions on a customer managed policy that change whoever has it.
pub const POLICY_ACTIONS: &[&str] = &["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"];
/// Every action that rewrites the permissions of the caller itself.
pub const SELF_ACTIONS: &[&[&str]] = &[USER_ACTIONS, ROLE_ACTIONS, GROUP_ACTIONS, POLICY_ACTIONS];
/// Joining a group (`iam:AddUserToGroup` on the group).
pub const JOIN_GROUP: &str = "iam:AddUserToGroup";
/// Assuming a role.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";
/// Rewriting a role's trust policy.
pub const UPDATE_TRUST: &str = "iam:UpdateAssumeRolePolicy";

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// Assumes the role.
    Assumes {
        /// The role ARN.
        role: String,
    },
    /// Rewrites the role's trust policy, then assumes it.
    RewritesTrustOf {
        /// The role ARN.
        role: String,
    },
}

/// How a principal could gain an access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Path {
    /// The principal the path starts from.
    pub from: String,
    /// The steps, in order (empty: the principal itself).
    pub steps: Vec<Step>,
    /// How the path ends.
    pub end: End,
}

/// The end of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "end", rename_all = "kebab-case")]
pub enum End {
    /// The last principal can do it.
    Can,
    /// The last principal can rewrite its own permissions.
    Rewrites {
        /// The IAM action.
        action: String,
        /// On what (the principal, its group, or a managed policy).
        target: String,
    },
}

/// The resources the Allow statements covering the question's action name
/// literally, when every such statement names its resources by literal
/// ARN; `None` when one has a pattern, a variable or `NotResource` (then
/// any resource may be granted).
fn literal_targets<'p>(
    q: &Question,
    policies: impl Iterator<Item = &'p crate::policy::Policy>,
) -> Option<Vec<&'p str>> {
    let mut out = Vec::new();
    for p in policies {
        for st in &p.statements {
            if st.effect != crate::policy::Effect::Allow || !q.covered_by(&st.action) {
                continue;
            }
            if st.resource.is_not() {
                return None;
            }
            for r in st.resource.patterns() {
                let text = r.as_str();
                if text.contains(['*', '?']) || r.has_variables() {
                    return None;
                }
                out.push(text);
            }
        }
    }
    Some(out)
}

fn short(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(short(&self.from))?;
        for s in &self.steps {
            match s {
                Step::Assumes { role } => write!(f, " → assumes {}", short(role))?,
                Step::RewritesTrustOf { role } => write!(
                    f,
                    " → rewrites the trust policy of {} and assumes it",
                    short(role)
                )?,
            }
        }
        match &self.end {
            End::Can => f.write_str(", which can"),
            End::Rewrites { action, target } => {
                write!(f, ", which can {action} on {}", short(target))
            }
        }
    }
}

/// One principal's edges ("becomes"), self-rewrite (action, target), and
/// whether its boundary binds it after the rewrite.
type Edges = (Vec<(usize, Step)>, Option<(String, String)>, bool);

/// The escalation graph of an analysis, computed once.
#[derive(Debug, Clone, Default)]
pub struct Escalation {
    /// Principals of the data (by ARN, same order as the model's).
    arns: Vec<String>,
    /// For each principal: the principals it can become, and how.
    becomes: Vec<Vec<(usize, Step)>>,
    /// For each principal: an action by which it rewrites its own
    /// permissions, and the target.
    rewrites: Vec<Option<(String, String)>>,
    /// For each principal that rewrites its permissions: whether its
    /// boundary still binds it afterwards (it has one and cannot put or
    /// delete its own: rewriting identity policies never passes a boundary).
    bounded: Vec<bool>,
}

impl Escalation {
    /// Computes the graph: every `sts:AssumeRole` a trust policy admits and
    /// identity policies allow, every trust-policy rewrite, and every
    /// self-rewrite. Principals whose policies grant no IAM or STS action
    /// are skipped without evaluation.
    pub fn compute(a: &Analysis) -> Escalation {
        let principals = a.model.principals();
        let n = principals.len();
        let mut g = Escalation {
            arns: principals.iter().map(|p| p.arn.clone()).collect(),
            becomes: vec![Vec::new(); n],
            rewrites: vec![None; n],
            bounded: vec![false; n],
        };
        let question = |action: &str, resource: &str| Question::new(action, resource).ok();
        let can = |i: usize, q: &Question, bucketless: &super::account::PrincipalSet| -> bool {
            let Some(p) = principals.get(i) else {
                return false;
            };
            let builder = a.builder_for(&p.arn, &p.tags);
            matches!(
                decide(
                    bucketless,
                    &builder,
                    &p.arn,
                    super::account::account_of(&p.arn),
                    q
                ),
                Ok(AccessAnswer::Can(_))
            )
        };
        let Some(iam_any) = question("iam:*", "*") else {
            return g;
        };
        let Some(assume_any) = question("sts:AssumeRole", "*") else {
            return g;
        };
        // Each role's trust policy, once: whom it names, by ARN or account.
        struct Trust<'a> {
            index: usize,
            arn: &'a str,
            account: &'a str,
            resource: Resource,
            accounts: Vec<String>,
            everyone: bool,
        }
        let mut roles: Vec<Trust<'_>> = Vec::new();
        let mut named: HashMap<&str, Vec<usize>> = HashMap::new();
        for (r, role) in principals.iter().enumerate() {
            if role.kind != PrincipalKind::Role {
                continue;
            }
            let Ok(resource) = Resource::parse(&role.arn) else {
                continue;
            };
            let mut t = Trust {
                index: r,
                arn: &role.arn,
                account: &role.account,
                resource,
                accounts: Vec::new(),
                everyone: false,
            };
            for st in role.trust.iter().flat_map(|x| x.policy.statements.iter()) {
                let Some(clause) = &st.principal else {
                    continue;
                };
                if clause.is_not() {
                    t.everyone = true;
                    continue;
                }
                for e in clause.entries() {
                    match &e.kind {
                        Named::Everyone => t.everyone = true,
                        Named::Account { account } => t.accounts.push(account.clone()),
                        Named::User { arn, .. } | Named::Role { arn, .. } => {
                            named.entry(arn.as_str()).or_default().push(roles.len())
                        }
                        _ => {}
                    }
                }
            }
            roles.push(t);
        }
        let update_any = question(UPDATE_TRUST, "*");
        let by_action: Vec<(&str, Question)> = SELF_ACTIONS
            .iter()
            .flat_map(|list| list.iter())
            .chain(&[JOIN_GROUP])
            .filter_map(|act| Some((*act, question(act, "*")?)))
            .collect();
        // Roles trusting an account (or anyone), by account, once.
        let mut trusting: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut everyone: Vec<usize> = Vec::new();
        for (k, t) in roles.iter().enumerate() {
            if t.everyone {
                everyone.push(k);
            }
            for acct in &t.accounts {
                let list = trusting.entry(acct.as_str()).or_default();
                if list.last() != Some(&k) {
                    list.push(k);
                }
            }
        }
        let role_slot: HashMap<usize, usize> = roles
            .iter()
            .enumerate()
            .map(|(k, t)| (t.index, k))
            .collect();
        // Which IAM and STS actions each distinct policy can grant, once.
        let mut flags: HashMap<usize, u64> = HashMap::new();
        let checks: Vec<&Question> = [Some(&iam_any), Some(&assume_any), update_any.as_ref()]
            .into_iter()
            .flatten()
            .chain(by_action.iter().map(|(_, q)| q))
            .collect();
        for p in principals {
            for x in &p.identity {
                flags
                    .entry(Arc::as_ptr(&x.policy) as usize)
                    .or_insert_with(|| {
                        checks.iter().enumerate().fold(0u64, |acc, (bit, q)| {
                            acc | (u64::from(q.granted_by_any([&*x.policy])) << bit)
                        })
                    });
            }
        }
        let update_bit = if update_any.is_some() { 2 } else { u32::MAX };
        let action_bit = |act: &str| {
            let base = if update_any.is_some() { 3 } else { 2 };
            by_action
                .iter()
                .position(|(x, _)| *x == act)
                .map_or(u32::MAX, |k| base + k as u32)
        };
        // Each principal's edges and self-rewrite, on every core.
        let one = |i: usize| -> Edges {
            let mut becomes: Vec<(usize, Step)> = Vec::new();
            let Some(p) = principals.get(i) else {
                return (becomes, None, false);
            };
            let ident = || p.identity.iter().map(|x| &*x.policy);
            let has = |bit: u32| {
                bit < 64
                    && p.identity.iter().any(|x| {
                        flags
                            .get(&(Arc::as_ptr(&x.policy) as usize))
                            .is_some_and(|f| f >> bit & 1 == 1)
                    })
            };
            let iam = has(0);
            let assume = has(1);
            let mut set: Option<super::account::PrincipalSet> = None;
            // Roles whose trust policy names this principal, and, when its
            // policies grant sts:AssumeRole on them, roles that trust its
            // account or anyone (only those its grants name, when they
            // name roles by ARN).
            let direct: Vec<usize> = named.get(p.arn.as_str()).cloned().unwrap_or_default();
            let mut candidates: Vec<usize> = direct.clone();
            if assume {
                let mut seen: std::collections::HashSet<usize> =
                    candidates.iter().copied().collect();
                let trusts_me = |k: &usize| {
                    roles
                        .get(*k)
                        .is_some_and(|t| t.everyone || t.accounts.contains(&p.account))
                };
                match literal_targets(&assume_any, ident()) {
                    Some(arns) => {
                        for arn in arns {
                            let k = a
                                .model
                                .index_of(arn)
                                .and_then(|r| role_slot.get(&r).copied());
                            if let Some(k) = k.filter(|k| trusts_me(k)) {
                                if seen.insert(k) {
                                    candidates.push(k);
                                }
                            }
                        }
                    }
                    None => {
                        let mine = trusting
                            .get(p.account.as_str())
                            .map(Vec::as_slice)
                            .unwrap_or_default();
                        for k in mine.iter().chain(&everyone) {
                            if seen.insert(*k) {
                                candidates.push(*k);
                            }
                        }
                    }
                }
            }
            for k in candidates {
                let Some(t) = roles.get(k) else { continue };
                let (r, Some(role)) = (t.index, principals.get(t.index)) else {
                    continue;
                };
                if r == i {
                    continue;
                }
                let Some(trust) = &role.trust else { continue };
                let Some(q) = question(ASSUME_ROLE, t.arn) else {
                    continue;
                };
                let directly = direct.contains(&k);
                if !directly && !q.granted_on_by_any(&t.resource, ident()) {
                    continue;
                }
                let mut b = crate::eval::policy_set::PolicySet::builder();
                let mut names = Vec::new();
                for x in &p.identity {
                    names.push(x.name.clone());
                    b = b.identity(x.policy.clone());
                }
                names.push(trust.name.clone());
                b = b.resource(trust.policy.clone());
                if let Some(x) = &p.boundary {
                    names.push(x.name.clone());
                    b = b.boundary(x.policy.clone());
                }
                for level in &a.scp_levels {
                    names.extend(level.iter().map(|x| x.name.clone()));
                    b = b.scp_level(level.clone());
                }
                let ps = super::account::PrincipalSet {
                    set: b.options(a.options.clone()).build(),
                    names,
                };
                let builder = a.builder_for(&p.arn, &p.tags).resource_account(t.account);
                // AssumeRole needs the trust policy's grant even within
                // the account: an identity grant alone is not enough.
                let trusted = |g: &super::decide::Grant| {
                    g.statements
                        .iter()
                        .any(|s| s.layer == crate::policy::PolicyType::Resource)
                };
                if matches!(
                    decide(&ps, &builder, &p.arn, Some(t.account), &q),
                    Ok(AccessAnswer::Can(ref g)) if trusted(g)
                ) {
                    becomes.push((
                        r,
                        Step::Assumes {
                            role: role.arn.clone(),
                        },
                    ));
                }
            }
            if !iam {
                return (becomes, None, false);
            }
            // Rewriting another role's trust policy: that role becomes reachable.
            if has(update_bit) {
                let listed: Option<std::collections::HashSet<&str>> = update_any
                    .as_ref()
                    .and_then(|u| literal_targets(u, ident()))
                    .map(|v| v.into_iter().collect());
                for t in &roles {
                    if t.index == i || listed.as_ref().is_some_and(|l| !l.contains(t.arn)) {
                        continue;
                    }
                    let Some(q) = question(UPDATE_TRUST, t.arn) else {
                        continue;
                    };
                    if q.granted_on_by_any(&t.resource, ident())
                        && can(i, &q, set.get_or_insert_with(|| a.principal_set(p, None)))
                        && !becomes.iter().any(|(j, _)| *j == t.index)
                    {
                        becomes.push((
                            t.index,
                            Step::RewritesTrustOf {
                                role: t.arn.to_string(),
                            },
                        ));
                    }
                }
            }
            // Rewriting its own permissions.
            let own = match p.kind {
                PrincipalKind::User => USER_ACTIONS,
                PrincipalKind::Role => ROLE_ACTIONS,
            };
            // Only the actions some Allow covers (checked once per policy).
            let granted = |act: &str| has(action_bit(act));
            let mut targets: Vec<(&str, &str)> = own
                .iter()
                .filter(|act| granted(act))
                .map(|act| (*act, p.arn.as_str()))
                .collect();
            for act in GROUP_ACTIONS.iter().filter(|act| granted(act)) {
                targets.extend(p.groups.iter().map(|grp| (*act, grp.as_str())));
            }
            if p.kind == PrincipalKind::User && granted(JOIN_GROUP) {
                for grp in a.model.groups().iter().filter(|x| x.account == p.account) {
                    targets.push((JOIN_GROUP, grp.arn.as_str()));
                }
            }
            for act in POLICY_ACTIONS.iter().filter(|act| granted(act)) {
                targets.extend(p.managed.iter().map(|m| (*act, m.as_str())));
            }
            for (act, target) in targets {
                let Some(q) = question(act, target) else {
                    continue;
                };
                let Ok(resource) = Resource::parse(target) else {
                    continue;
                };
                if q.granted_on_by_any(&resource, ident())
                    && can(i, &q, set.get_or_insert_with(|| a.principal_set(p, None)))
                {
                    // Its boundary binds it still, unless it can put or
                    // delete the boundary of its own user or role.
                    let sheds = own
                        .iter()
                        .filter(|x| x.contains("PermissionsBoundary") && granted(x))
                        .filter_map(|x| question(x, &p.arn))
                        .any(|q| can(i, &q, set.get_or_insert_with(|| a.principal_set(p, None))));
                    let bounded = p.boundary.is_some() && !sheds;
                    return (
                        becomes,
                        Some((act.to_string(), target.to_string())),
                        bounded,
                    );
                }
            }
            (becomes, None, false)
        };
        let indices: Vec<usize> = (0..n).collect();
        for (i, (becomes, rewrites, bounded)) in crate::parallel::map(&indices, |i| one(*i))
            .into_iter()
            .enumerate()
        {
            if let Some(slot) = g.becomes.get_mut(i) {
                *slot = becomes;
            }
            if let Some(slot) = g.rewrites.get_mut(i) {
                *slot = rewrites;
            }
            if let Some(slot) = g.bounded.get_mut(i) {
                *slot = bounded;
            }
        }
        g
    }

    /// For each principal that cannot (`can[i]` false): the shortest path
    /// to a principal that can, else to one that rewrites its own
    /// permissions. One breadth-first search backwards from all the goals
    /// at once per kind of goal, so the cost is linear in the graph.
    ///
    /// `rewrite_gains(j, bounded)` says whether principal `j`, which
    /// rewrites its own permissions, would then be allowed the question
    /// (its identity policies allowing everything; `bounded`: its boundary
    /// still applies): the guardrails, a bucket policy's Deny or a boundary
    /// still stop a rewriter.
    pub fn gains(
        &self,
        can: &[bool],
        rewrite_gains: impl Fn(usize, bool) -> bool,
    ) -> Vec<(usize, Path)> {
        let n = self.arns.len();
        let to_can = self.toward(|j| can.get(j).copied().unwrap_or(false));
        let rewriters: Vec<bool> = (0..n)
            .map(|j| {
                self.rewrites.get(j).is_some_and(Option::is_some)
                    && rewrite_gains(j, self.bounded.get(j).copied().unwrap_or(false))
            })
            .collect();
        let to_rewrite = self.toward(|j| rewriters.get(j).copied().unwrap_or(false));
        let mut out = Vec::new();
        for i in 0..n {
            if can.get(i).copied().unwrap_or(false) {
                continue;
            }
            let path = self
                .follow(i, &to_can, |_| Some(End::Can))
                .filter(|p| !p.steps.is_empty())
                .or_else(|| {
                    self.follow(i, &to_rewrite, |j| {
                        self.rewrites
                            .get(j)
                            .and_then(|r| r.clone())
                            .map(|(action, target)| End::Rewrites { action, target })
                    })
                });
            if let Some(p) = path {
                out.push((i, p));
            }
        }
        out
    }

    /// For every principal, the next step on a shortest path to a goal
    /// (`Some(None)`: it is a goal; `None`: no path).
    fn toward(&self, goal: impl Fn(usize) -> bool) -> Vec<Option<Option<(usize, Step)>>> {
        let n = self.arns.len();
        let mut back: Vec<Vec<(usize, &Step)>> = vec![Vec::new(); n];
        for (u, edges) in self.becomes.iter().enumerate() {
            for (v, step) in edges {
                if let Some(list) = back.get_mut(*v) {
                    list.push((u, step));
                }
            }
        }
        let mut next: Vec<Option<Option<(usize, Step)>>> = vec![None; n];
        let mut queue = VecDeque::new();
        for (j, slot) in next.iter_mut().enumerate() {
            if goal(j) {
                *slot = Some(None);
                queue.push_back(j);
            }
        }
        while let Some(v) = queue.pop_front() {
            for (u, step) in back.get(v).map(Vec::as_slice).unwrap_or_default() {
                if let Some(slot) = next.get_mut(*u) {
                    if slot.is_none() {
                        *slot = Some(Some((v, (*step).clone())));
                        queue.push_back(*u);
                    }
                }
            }
        }
        next
    }

    /// The path from `start` along `next` to its goal.
    fn follow(
        &self,
        start: usize,
        next: &[Option<Option<(usize, Step)>>],
        end: impl Fn(usize) -> Option<End>,
    ) -> Option<Path> {
        let from = self.arns.get(start)?.clone();
        let mut steps = Vec::new();
        let mut at = start;
        loop {
            match next.get(at)? {
                None => return None,
                Some(None) => {
                    return Some(Path {
                        from,
                        steps,
                        end: end(at)?,
                    })
                }
                Some(Some((v, step))) => {
                    steps.push(step.clone());
                    at = *v;
                }
            }
            if steps.len() > next.len() {
                return None;
            }
        }
    }

    /// The path by which a principal can rewrite its own permissions or
    /// those of a principal it can become (`None`: it cannot).
    pub fn escalates(&self, i: usize) -> Option<Path> {
        self.search(i, |j| {
            self.rewrites
                .get(j)
                .and_then(|r| r.clone())
                .map(|(action, target)| End::Rewrites { action, target })
        })
    }

    /// Breadth-first from `start` over "becomes" edges to the first
    /// principal where `goal` gives an end.
    fn search(&self, start: usize, goal: impl Fn(usize) -> Option<End>) -> Option<Path> {
        let from = self.arns.get(start)?.clone();
        if let Some(end) = goal(start) {
            // The principal itself: only a rewrite is a gain (it cannot directly).
            if matches!(end, End::Rewrites { .. }) {
                return Some(Path {
                    from,
                    steps: Vec::new(),
                    end,
                });
            }
        }
        let mut prev: Vec<Option<(usize, Step)>> = vec![None; self.arns.len()];
        let mut seen = vec![false; self.arns.len()];
        if let Some(s) = seen.get_mut(start) {
            *s = true;
        }
        let mut queue = VecDeque::from([start]);
        while let Some(u) = queue.pop_front() {
            for (v, step) in self.becomes.get(u).map(Vec::as_slice).unwrap_or_default() {
                if seen.get(*v).copied().unwrap_or(true) {
                    continue;
                }
                if let Some(s) = seen.get_mut(*v) {
                    *s = true;
                }
                if let Some(p) = prev.get_mut(*v) {
                    *p = Some((u, step.clone()));
                }
                if let Some(end) = goal(*v) {
                    let mut steps = Vec::new();
                    let mut at = *v;
                    while at != start {
                        let Some(Some((back, step))) = prev.get(at) else {
                            break;
                        };
                        steps.push(step.clone());
                        at = *back;
                    }
                    steps.reverse();
                    return Some(Path { from, steps, end });
                }
                queue.push_back(*v);
            }
        }
        None
    }

    /// Number of "becomes" edges (for statistics).
    pub fn edges(&self) -> usize {
        self.becomes.iter().map(Vec::len).sum()
    }
}
