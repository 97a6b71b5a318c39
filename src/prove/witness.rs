//! Turning a solution of the search into a concrete request, and checking
//! it with the evaluator exactly as `s3guard can` would build it.
//!
//! A solution names, for each condition key, a set of regions it may take.
//! The witness takes a realistic value from it (the value `s3guard can`
//! would assume where that fits, else none, else a representative), gives
//! free policy variables the values that make the granting statements
//! match, and is then evaluated. Only a request the evaluator allows is
//! ever returned.

use std::collections::HashSet;

use super::bits::Bits;
use super::keys::{Conditions, KeyValue};
use super::lang::VarEnv;
use super::statements::Stmt;
use super::variables::{deny_avoiding_values, instances, variable_values};
use super::{Query, Witness};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::request::context::ContextValue;

/// A solution of the search for one action and resource.
pub(crate) struct Leaf<'a> {
    /// The action.
    pub action: &'a str,
    /// The resource (`*` or an ARN).
    pub resource: &'a str,
    /// Per key: the regions it may take.
    pub domains: &'a [Bits],
    /// The granting statements the solution relies on.
    pub support: &'a [usize],
    /// Every statement whose action and resource elements apply.
    pub active: &'a [usize],
}

/// A concrete request to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    action: String,
    resource: String,
    /// Keys and values (missing keys are left out).
    values: Vec<(String, KeyValue)>,
    /// The keys worth showing: those the applicable statements test, and
    /// the variables given values.
    shown: Vec<String>,
}

/// Most attempts per solution.
const MAX_ATTEMPTS: usize = 12;

/// The value `s3guard can` assumes for a key, when it assumes one.
fn preferred(lower: &str, account: Option<&str>) -> Option<String> {
    Some(match lower {
        "aws:securetransport" => "true".into(),
        "aws:viaawsservice" | "aws:principalisawsservice" => "false".into(),
        "aws:resourceaccount" | "s3:resourceaccount" => account?.to_string(),
        "aws:requestedregion" => "us-east-1".into(),
        "aws:currenttime" => "2025-01-01T00:00:00Z".into(),
        "aws:epochtime" => "1735689600".into(),
        _ => return None,
    })
}

/// The candidate requests of a solution, most realistic first.
pub(crate) fn attempts(
    leaf: &Leaf<'_>,
    conditions: &Conditions,
    stmts: &[Stmt<'_>],
    env: &VarEnv,
    query: &Query,
) -> Vec<Attempt> {
    let account = query.resource_account.clone().or_else(|| {
        env.fixed
            .get_lower("aws:principalaccount")
            .and_then(|e| match &e.value {
                ContextValue::Single(s) => Some(s.clone()),
                ContextValue::Multi(_) => None,
            })
    });
    // one value per free key; keys left unknown get candidates later
    let mut base: Vec<(String, KeyValue)> = Vec::new();
    let mut unknown: Vec<(usize, Vec<KeyValue>)> = Vec::new();
    for (k, space) in conditions.keys.iter().enumerate() {
        if space.fixed {
            continue;
        }
        let domain = leaf.domains.get(k).copied().unwrap_or_default();
        let in_domain = |v: &KeyValue| {
            space
                .values
                .iter()
                .enumerate()
                .any(|(i, x)| x == v && domain.contains(i))
        };
        let pref = preferred(&space.lower, account.as_deref())
            .filter(|p| space.region_of(p, env).is_some_and(|r| domain.contains(r)))
            .map(KeyValue::Single);
        let reals: Vec<&KeyValue> = domain
            .iter()
            .filter_map(|i| space.values.get(i))
            .filter(|v| **v != KeyValue::Unknown)
            .collect();
        let missing_ok = in_domain(&KeyValue::Missing);
        let choice = match pref {
            Some(p) => p,
            None if missing_ok && !space.always_present => KeyValue::Missing,
            None => match reals.iter().find(|v| ***v != KeyValue::Missing) {
                Some(v) => (*v).clone(),
                None if missing_ok => KeyValue::Missing,
                None => KeyValue::Unknown,
            },
        };
        if choice == KeyValue::Unknown {
            let mut options: Vec<KeyValue> = space
                .candidates
                .iter()
                .map(|c| KeyValue::Single(c.clone()))
                .collect();
            options.push(KeyValue::Missing);
            options.dedup();
            unknown.push((base.len(), options));
        }
        base.push((space.key.clone(), choice));
    }
    let first = |v: &mut Vec<(String, KeyValue)>| {
        for (i, options) in &unknown {
            if let (Some(slot), Some(o)) = (v.get_mut(*i), options.first()) {
                slot.1 = o.clone();
            }
        }
    };
    first(&mut base);
    let condition_keys: HashSet<String> = conditions.keys.iter().map(|k| k.lower.clone()).collect();
    let alternatives = variable_values(leaf, stmts, env, &base);
    let captures: Vec<(String, String)> = alternatives.first().cloned().unwrap_or_default();
    let mut shown: Vec<String> = Vec::new();
    for &s in leaf.active {
        for a in conditions
            .atoms
            .get(s)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(k) = conditions.keys.get(a.key) {
                if !shown.contains(&k.key) {
                    shown.push(k.key.clone());
                }
            }
        }
    }
    for (k, _) in &captures {
        if !shown.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            shown.push(k.clone());
        }
    }
    let with_captures = |values: &[(String, KeyValue)],
                         captures: &[(String, String)],
                         override_conditions: bool| {
        let mut v: Vec<(String, KeyValue)> = values.to_vec();
        for (key, value) in captures {
            let lower = key.to_lowercase();
            if env.is_fixed(&lower) {
                continue;
            }
            let is_condition_key = condition_keys.contains(&lower);
            if is_condition_key && !override_conditions {
                continue;
            }
            v.retain(|(k, _)| k.to_lowercase() != lower);
            v.push((key.clone(), KeyValue::Single(value.clone())));
        }
        Attempt {
            action: leaf.action.to_string(),
            resource: leaf.resource.to_string(),
            values: v,
            shown: shown.clone(),
        }
    };
    let with = |values: &[(String, KeyValue)], override_conditions: bool| {
        with_captures(values, &captures, override_conditions)
    };
    let mut out: Vec<Attempt> = vec![with(&base, false)];
    // a Deny whose negated condition compares a key with a variable
    // (`StringNotEquals s3:ExistingObjectTag/team: ${aws:PrincipalTag/team}`)
    // is avoided by giving the key the variable's value
    let avoid = deny_avoiding_values(leaf, stmts, env, &captures);
    if !avoid.is_empty() {
        let mut v = base.clone();
        for (key, value) in &avoid {
            v.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
            v.push((key.clone(), KeyValue::Single(value.clone())));
        }
        out.push(with(&v, false));
    }
    // a grant comparing a key with a template holding variables
    // (`StringLike s3:prefix: home/${aws:username}/*`): the key takes an
    // instance of the template, consistent with the values captured so far
    let (keys_set, vars_set) = instances(leaf, stmts, env, &captures);
    if !keys_set.is_empty() {
        let mut v = base.clone();
        for (key, value) in &keys_set {
            v.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
            v.push((key.clone(), KeyValue::Single(value.clone())));
        }
        let mut all = captures.clone();
        for (k, val) in &vars_set {
            if !all.iter().any(|(x, _)| x.eq_ignore_ascii_case(k)) {
                all.push((k.clone(), val.clone()));
            }
        }
        out.push(with_captures(&v, &all, false));
    }
    for alt in alternatives.iter().skip(1) {
        out.push(with_captures(&base, alt, false));
    }
    if !captures.is_empty() {
        out.push(with(&base, true));
        out.push(Attempt {
            action: leaf.action.to_string(),
            resource: leaf.resource.to_string(),
            values: base.clone(),
            shown: shown.clone(),
        });
    }
    for (i, options) in &unknown {
        for o in options.iter().skip(1).take(6) {
            let mut v = base.clone();
            if let Some(slot) = v.get_mut(*i) {
                slot.1 = o.clone();
            }
            out.push(with(&v, false));
        }
    }
    out.dedup();
    out.truncate(MAX_ATTEMPTS);
    out
}

/// Keys `s3guard can` fills in unless told `--no-defaults`.
fn defaulted(lower: &str) -> bool {
    matches!(
        lower,
        "aws:securetransport"
            | "aws:currenttime"
            | "aws:epochtime"
            | "aws:viaawsservice"
            | "aws:resourceaccount"
            | "s3:resourceaccount"
    )
}

fn push_value(args: &mut Vec<String>, key: &str, value: &ContextValue) {
    match value {
        ContextValue::Single(s) => args.push(format!("{key}={s}")),
        ContextValue::Multi(v) => {
            for s in v {
                args.push(format!("{key}={s}"));
            }
            if let [only] = v.as_slice() {
                args.push(format!("{key}={only}"));
            }
        }
    }
}

/// Builds the request as `s3guard can` would and keeps it when the
/// evaluator allows it.
pub(crate) fn confirm(
    set: &PolicySet,
    query: &Query,
    env: &VarEnv,
    attempt: &Attempt,
) -> Option<Witness> {
    if attempt.values.iter().any(|(k, _)| k.contains('=')) {
        return None;
    }
    let present = |v: &KeyValue| match v {
        KeyValue::Single(s) => Some(ContextValue::Single(s.clone())),
        KeyValue::Multi(l) => Some(ContextValue::Multi(l.clone())),
        KeyValue::Missing | KeyValue::Unknown => None,
    };
    // a key `can` would fill in must stay missing: ask for no defaults
    let no_defaults = attempt
        .values
        .iter()
        .any(|(k, v)| present(v).is_none() && defaulted(&k.to_lowercase()));
    let mut context: Vec<String> = Vec::new();
    if no_defaults {
        for e in env.fixed.entries() {
            push_value(&mut context, &e.key, &e.value);
        }
    } else {
        context.extend(query.context.iter().cloned());
    }
    for (k, v) in &attempt.values {
        if let Some(v) = present(v) {
            push_value(&mut context, k, &v);
        }
    }
    // an upload carries the ACL given, as `s3guard can` builds it
    let opts = set.options();
    let request = query
        .request_builder(context.clone(), no_defaults)
        .acls(opts.object_acl.clone(), opts.bucket_acl.clone())
        .build(&attempt.action, &attempt.resource)
        .ok()?;
    let response = set.authorize(&request);
    if response.decision != Decision::Allowed {
        return None;
    }
    let mut shown: Vec<(String, Option<ContextValue>)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for key in &attempt.shown {
        let lower = key.to_lowercase();
        if !seen.insert(lower.clone()) {
            continue;
        }
        let value = request.context.get_lower(&lower).map(|e| e.value.clone());
        shown.push((key.clone(), value));
    }
    shown.sort_by_key(|a| a.0.to_lowercase());
    let mut cli = vec![attempt.action.clone(), attempt.resource.clone()];
    if let Some(p) = &query.principal {
        cli.push("--principal".into());
        cli.push(p.clone());
    }
    if let Some(a) = &query.resource_account {
        cli.push("--resource-account".into());
        cli.push(a.clone());
    }
    if no_defaults {
        cli.push("--no-defaults".into());
    }
    for c in context {
        cli.push("--context".into());
        cli.push(c);
    }
    Some(Witness {
        request,
        response,
        context: shown,
        args: cli,
    })
}
