//! Concrete witnesses for cells the bounds leave open: requests with real
//! values for the unknown context keys (and, when `--principal` was not
//! given, real callers named by the policies), asked of the fast evaluator.
//!
//! Forcing statements on and off ([`super::matrix`]) treats each uncertain
//! statement as independent; an Allow and a Deny on the same condition are
//! not. The candidate values here cover every region the conditions cut a
//! key's values into (equality classes, numeric and date intervals, CIDR
//! blocks, present or missing), so when every condition is of such a kind
//! the search is exhaustive and its answer exact; otherwise it only
//! confirms what it finds and says so.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::catalog::{self, Presence};
use crate::condition::{date, Family, IpRange, Operator, StringOp};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, Response, StatementRef};
use crate::matcher::Resource;
use crate::policy::{PrincipalClause, PrincipalKind, Statement};
use crate::request::context::{ContextValue, Origin};
use crate::request::{Principal, Request};

/// More combinations than this are not all tried (the search is then not exhaustive).
const MAX_COMBINATIONS: usize = 4096;
const OTHER: &str = "s3guard-other-value";

/// What the search found.
#[derive(Debug, Default)]
pub(crate) struct Witnesses {
    /// A request that is allowed: its response and the values that made it.
    pub allowed: Option<(Response, String)>,
    /// A request that is denied: its response.
    pub denied: Option<Response>,
    /// Every region of every unknown was tried.
    pub exhaustive: bool,
    /// The key values of the allowed request (`None`: missing).
    pub allowed_values: Vec<(String, Option<ContextValue>)>,
}

#[derive(Debug)]
struct KeyCandidates {
    key: String,
    values: Vec<Option<ContextValue>>,
}

impl KeyCandidates {
    fn add(&mut self, v: Option<ContextValue>) {
        if !self.values.contains(&v) {
            self.values.push(v);
        }
    }
}

struct Space {
    keys: Vec<KeyCandidates>,
    principals: Vec<Option<Principal>>,
    exhaustive: bool,
}

fn single(s: impl Into<String>) -> Option<ContextValue> {
    Some(ContextValue::Single(s.into()))
}

fn is_known(req: &Request, key: &str) -> bool {
    req.context
        .get(key)
        .is_some_and(|e| matches!(e.origin, Origin::Given | Origin::Derived))
}

/// Candidate values of one condition; returns whether they cover every region.
fn condition_candidates(
    op: &Operator,
    key_lower: &str,
    values: &[String],
    c: &mut KeyCandidates,
) -> bool {
    let variables = values.iter().any(|v| crate::matcher::has_variable(v));
    if op.set.is_some() || catalog::is_multivalued(key_lower) {
        c.add(Some(ContextValue::Multi(Vec::new())));
        for v in values {
            c.add(Some(ContextValue::Multi(vec![v.clone()])));
        }
        c.add(Some(ContextValue::Multi(vec![OTHER.into()])));
        c.add(Some(ContextValue::Multi(values.to_vec())));
        return false;
    }
    match op.family {
        Family::Bool => {
            c.add(single("true"));
            c.add(single("false"));
            !variables
        }
        Family::Null => {
            c.add(single(OTHER));
            true
        }
        Family::String(_) | Family::Binary | Family::Arn { .. } => {
            let wild = matches!(
                op.family,
                Family::String(StringOp::Like) | Family::Arn { .. }
            ) && values.iter().any(|v| v.contains(['*', '?']));
            for v in values {
                if wild {
                    c.add(single(v.replace(['*', '?'], "")));
                    c.add(single(v.replace('*', "s3guard").replace('?', "x")));
                } else {
                    c.add(single(v.clone()));
                }
            }
            c.add(single(OTHER));
            !variables && !wild
        }
        Family::Numeric(_) => {
            let mut nums: Vec<f64> = Vec::new();
            for v in values {
                match v.trim().parse::<f64>() {
                    Ok(n) if n.is_finite() => nums.push(n),
                    _ => return false,
                }
                c.add(single(v.trim().to_string()));
            }
            nums.sort_by(f64::total_cmp);
            for p in interval_points(&nums) {
                c.add(single(format!("{p}")));
            }
            !variables
        }
        Family::Date(_) => {
            let mut instants: Vec<i128> = Vec::new();
            for v in values {
                match date::parse(v) {
                    Some(i) => instants.push(i),
                    None => return false,
                }
                c.add(single(v.clone()));
            }
            instants.sort_unstable();
            const SECOND: i128 = 1_000_000_000;
            let mut points = Vec::new();
            if let (Some(first), Some(last)) = (instants.first(), instants.last()) {
                points.push(first - SECOND);
                points.push(last + SECOND);
            }
            for w in instants.windows(2) {
                if let [a, b] = w {
                    points.push(a + (b - a) / 2);
                }
            }
            for p in points {
                c.add(single(date::format(p)));
            }
            // formatting keeps whole seconds: exact only when values are whole seconds apart
            !variables && instants.iter().all(|i| i % SECOND == 0)
        }
        Family::IpAddress => {
            let ranges: Vec<IpRange> = values.iter().filter_map(|v| IpRange::parse(v)).collect();
            if ranges.len() != values.len() {
                return false;
            }
            for a in ip_points(&ranges) {
                c.add(single(a.to_string()));
            }
            true
        }
    }
}

/// Points in every interval the sorted values cut the line into, and the values.
fn interval_points(sorted: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    if let (Some(first), Some(last)) = (sorted.first(), sorted.last()) {
        out.push(first - 1.0);
        out.push(last + 1.0);
    }
    for w in sorted.windows(2) {
        if let [a, b] = w {
            out.push(a + (b - a) / 2.0);
        }
    }
    out
}

fn bounds(r: &IpRange) -> (bool, u128, u128) {
    let (v4, bits, width) = match r.addr() {
        IpAddr::V4(a) => (true, u128::from(u32::from(a)), 32u32),
        IpAddr::V6(a) => (false, u128::from(a), 128u32),
    };
    let host = width.saturating_sub(u32::from(r.prefix()));
    let span: u128 = if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    };
    let first = bits & !span;
    (v4, first, first | span)
}

/// Addresses at every block boundary (and just outside): the ranges of a
/// CIDR list are nested or disjoint, so every region of their partition
/// holds one of these points.
fn ip_points(ranges: &[IpRange]) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    let mut push = |v4: bool, x: u128| {
        let a = if v4 {
            match u32::try_from(x) {
                Ok(n) => IpAddr::V4(Ipv4Addr::from(n)),
                Err(_) => return,
            }
        } else {
            IpAddr::V6(Ipv6Addr::from(x))
        };
        if !out.contains(&a) {
            out.push(a);
        }
    };
    for r in ranges {
        let (v4, first, last) = bounds(r);
        let max = if v4 { u128::from(u32::MAX) } else { u128::MAX };
        push(v4, first);
        push(v4, last);
        if first > 0 {
            push(v4, first - 1);
        }
        if last < max {
            push(v4, last + 1);
        }
        push(v4, 0);
        push(v4, max);
    }
    out
}

/// A caller named by a principal entry, for the search.
fn caller_of(kind: &PrincipalKind) -> Option<Principal> {
    match kind {
        PrincipalKind::User { arn, .. }
        | PrincipalKind::Role { arn, .. }
        | PrincipalKind::RoleSession { arn, .. }
        | PrincipalKind::FederatedUser { arn, .. } => Principal::parse(arn).ok(),
        PrincipalKind::Account { account } => {
            Principal::parse(&format!("arn:aws:iam::{account}:user/s3guard-example")).ok()
        }
        PrincipalKind::Service { name } => Some(Principal::Service(name.to_lowercase())),
        PrincipalKind::CloudFrontOai { id } => Principal::parse(&format!(
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {id}"
        ))
        .ok(),
        PrincipalKind::Everyone => None,
        PrincipalKind::CanonicalUser { .. }
        | PrincipalKind::Federated { .. }
        | PrincipalKind::UniqueId { .. } => None,
    }
}

/// Index of the candidates of a key, created on first use (with "missing"
/// unless AWS always sends the key).
fn slot(keys: &mut Vec<KeyCandidates>, key: &str, req: &Request) -> usize {
    let lower = key.to_lowercase();
    if let Some(i) = keys.iter().position(|k| k.key.to_lowercase() == lower) {
        return i;
    }
    let mut c = KeyCandidates {
        key: key.to_string(),
        values: Vec::new(),
    };
    let always = catalog::condition_key(key)
        .and_then(|k| k.presence)
        .is_some_and(|p| {
            p == Presence::Always || (p == Presence::Signed && req.principal.is_iam())
        });
    if !always {
        c.add(None);
    }
    keys.push(c);
    keys.len() - 1
}

fn space(set: &PolicySet, req: &Request, uncertain: &[StatementRef]) -> Space {
    let mut s = Space {
        keys: Vec::new(),
        principals: vec![None],
        exhaustive: true,
    };
    let mut exhaustive = true;
    let mut principals: Vec<Option<Principal>> = vec![None];
    for r in uncertain {
        let Some(stmt): Option<&Statement> = set.statement(*r) else {
            continue;
        };
        for block in &stmt.condition.blocks {
            for k in &block.keys {
                if is_known(req, &k.key) {
                    continue;
                }
                let i = slot(&mut s.keys, &k.key, req);
                if let Some(c) = s.keys.get_mut(i) {
                    exhaustive &=
                        condition_candidates(&block.operator, &k.key_lower, &k.raw_values, c);
                }
            }
        }
        for p in stmt.resource.patterns() {
            if let Resource::Arn(_) = &req.resource {
                for v in p.resource_variables() {
                    if req.context.get_lower(&v.key_lower).is_some() {
                        continue;
                    }
                    let i = slot(&mut s.keys, &v.key, req);
                    if let Some(c) = s.keys.get_mut(i) {
                        c.add(single(super::sample::placeholder(&v.key)));
                        c.add(single(OTHER));
                    }
                }
            }
        }
        if req.principal == Principal::Unspecified {
            if let Some(clause) = &stmt.principal {
                let entries = match clause {
                    PrincipalClause::Principal(e) | PrincipalClause::NotPrincipal(e) => e,
                };
                for e in entries {
                    match caller_of(&e.kind) {
                        Some(p) => {
                            if !principals.contains(&Some(p.clone())) {
                                principals.push(Some(p));
                            }
                        }
                        None => exhaustive &= e.kind == PrincipalKind::Everyone,
                    }
                }
            }
        }
    }
    s.principals = principals;
    s.exhaustive = exhaustive;
    s
}

fn describe(
    req: &Request,
    chosen: &[(String, Option<ContextValue>)],
    principal: Option<&Principal>,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(p) = principal {
        parts.push(format!("caller {p}"));
    }
    for (k, v) in chosen {
        if req
            .context
            .get(k)
            .is_some_and(|e| e.origin == Origin::Derived)
        {
            continue;
        }
        parts.push(match v {
            Some(v) => format!("{k}={v}"),
            None => format!("{k} missing"),
        });
    }
    parts.join(", ")
}

/// Searches for an allowed and a denied request among the candidates.
pub(crate) fn search(set: &PolicySet, req: &Request, uncertain: &[StatementRef]) -> Witnesses {
    let s = space(set, req, uncertain);
    let sizes: Vec<usize> = s.keys.iter().map(|k| k.values.len().max(1)).collect();
    let total = sizes
        .iter()
        .try_fold(s.principals.len(), |acc, n| acc.checked_mul(*n))
        .unwrap_or(usize::MAX);
    let mut w = Witnesses {
        exhaustive: s.exhaustive && total <= MAX_COMBINATIONS,
        ..Witnesses::default()
    };
    let mut index = vec![0usize; s.keys.len()];
    for n in 0..total.min(MAX_COMBINATIONS) {
        let principal = s
            .principals
            .get(n % s.principals.len().max(1))
            .cloned()
            .flatten();
        if n % s.principals.len().max(1) == 0 && n > 0 {
            // advance the odometer of key values
            for (i, size) in index.iter_mut().zip(&sizes) {
                *i += 1;
                if *i < *size {
                    break;
                }
                *i = 0;
            }
        }
        let mut r = req.clone();
        if let Some(p) = &principal {
            r.principal = p.clone();
            p.derive_context(&mut r.context);
        }
        let mut chosen = Vec::new();
        for (k, i) in s.keys.iter().zip(&index) {
            let v = k.values.get(*i).cloned().flatten();
            if r.context
                .get(&k.key)
                .is_some_and(|e| e.origin == Origin::Derived)
            {
                continue; // the caller decides this key
            }
            match &v {
                Some(v) => r.context.insert(&k.key, v.clone(), Origin::Given),
                None => r.context.remove(&k.key),
            }
            chosen.push((k.key.clone(), v));
        }
        let resp = set.authorize(&r);
        if resp.decision == Decision::Allowed {
            if w.allowed.is_none() {
                w.allowed = Some((resp, describe(&r, &chosen, principal.as_ref())));
                w.allowed_values = chosen;
            }
        } else if w.denied.is_none() {
            w.denied = Some(resp);
        }
        if w.allowed.is_some() && w.denied.is_some() {
            break;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_points_hit_every_region_of_nested_blocks_spec_c9() {
        let ranges: Vec<IpRange> = ["10.0.0.0/8", "10.0.0.0/16", "10.255.0.0/16"]
            .iter()
            .map(|r| IpRange::parse(r).unwrap())
            .collect();
        let points = ip_points(&ranges);
        let region = |a: &IpAddr| -> Vec<bool> { ranges.iter().map(|r| r.contains(*a)).collect() };
        let regions: Vec<Vec<bool>> = points.iter().map(region).collect();
        for want in [
            vec![false, false, false],
            vec![true, true, false],
            vec![true, false, true],
            vec![true, false, false],
        ] {
            assert!(regions.contains(&want), "{want:?} not hit by {points:?}");
        }
    }

    #[test]
    fn numeric_points_fall_between_values_spec_c5() {
        assert_eq!(interval_points(&[1.0, 1.5]), vec![0.0, 2.5, 1.25]);
    }
}
