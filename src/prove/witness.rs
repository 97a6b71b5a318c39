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
use super::lang::{self, VarEnv, VarValue};
use super::search::Stmt;
use super::{Query, Witness};
use crate::condition::{Family, StringOp, Values};
use crate::context::ContextValue;
use crate::matcher::{Arn, Piece};
use crate::policy::ResourceClause;
use crate::policy_set::PolicySet;
use crate::response::Decision;

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

/// Keys (or variables) and their values.
type Assignment = Vec<(String, String)>;

/// Most attempts per solution.
const MAX_ATTEMPTS: usize = 12;

/// Whether a statement refers to a variable on a key the query leaves free.
pub(crate) fn has_free_variables(s: &Stmt<'_>, env: &VarEnv) -> bool {
    if !s.variables {
        return false;
    }
    let resource = s.statement.resource.patterns().iter().any(|p| {
        let parts: Vec<&str> = p.as_str().splitn(6, ':').collect();
        parts.len() == 6
            && lang::has_free_variable(
                &lang::pieces_of(parts.get(5).copied().unwrap_or_default(), true),
                env,
            )
    });
    resource
        || s.statement
            .condition
            .keys()
            .flat_map(|k| k.raw_values.iter())
            .any(|v| lang::has_free_variable(&lang::pieces_of(v, true), env))
}

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

/// Assignments of free variables that make the granting statements match
/// the witness resource and the chosen condition values: the first
/// assignment of every template combined, then each template's other
/// assignments in turn.
fn variable_values(
    leaf: &Leaf<'_>,
    stmts: &[Stmt<'_>],
    env: &VarEnv,
    values: &[(String, KeyValue)],
) -> Vec<Vec<(String, String)>> {
    let mut per_template: Vec<Vec<Vec<(String, String)>>> = Vec::new();
    let arn = Arn::parse(leaf.resource).ok();
    for &i in leaf.support {
        let Some(s) = stmts.get(i) else { continue };
        if !s.variables {
            continue;
        }
        if let (ResourceClause::Resource(patterns), Some(arn)) = (&s.statement.resource, &arn) {
            for p in patterns {
                let parts: Vec<&str> = p.as_str().splitn(6, ':').collect();
                if parts.len() != 6 {
                    continue;
                }
                let pieces = lang::pieces_of(parts.get(5).copied().unwrap_or_default(), true);
                if lang::has_free_variable(&pieces, env) {
                    per_template.push(capture(&pieces, true, arn.resource(), env));
                }
            }
        }
        for block in &s.statement.condition.blocks {
            let like = match block.operator.family {
                Family::String(StringOp::Like) => true,
                Family::String(StringOp::Equals) => false,
                _ => continue,
            };
            if block.operator.negated {
                continue;
            }
            for kc in &block.keys {
                if !matches!(kc.values, Values::String(_)) {
                    continue;
                }
                let value = match env.fixed.get_lower(&kc.key_lower).map(|e| &e.value) {
                    Some(ContextValue::Single(v)) => Some(v.clone()),
                    Some(ContextValue::Multi(_)) => None,
                    None => values.iter().find_map(|(k, v)| match v {
                        KeyValue::Single(s) if k.eq_ignore_ascii_case(&kc.key) => Some(s.clone()),
                        _ => None,
                    }),
                };
                let Some(value) = value else { continue };
                for raw in &kc.raw_values {
                    let pieces = lang::pieces_of(raw, true);
                    if lang::has_free_variable(&pieces, env) {
                        per_template.push(capture(&pieces, like, &value, env));
                    }
                }
            }
        }
    }
    let merge = |base: &mut Vec<(String, String)>, more: &[(String, String)]| {
        for (k, v) in more {
            if !base.iter().any(|(x, _)| x.eq_ignore_ascii_case(k)) {
                base.push((k.clone(), v.clone()));
            }
        }
    };
    per_template.retain(|t| !t.is_empty());
    let mut first: Vec<(String, String)> = Vec::new();
    for t in &per_template {
        if let Some(a) = t.first() {
            merge(&mut first, a);
        }
    }
    let mut alternatives = vec![first.clone()];
    for t in &per_template {
        for a in t.iter().skip(1) {
            let mut alt = a.clone();
            merge(&mut alt, &first);
            if !alternatives.contains(&alt) {
                alternatives.push(alt);
            }
        }
    }
    alternatives.retain(|a| !a.is_empty());
    alternatives
}

/// Instances of the templates that granting statements compare keys with
/// (positive `String…`/`Arn…` operators): the key's value, and values for
/// the variables not captured yet (`example`). Wildcards take `example`
/// (`*`) or `x` (`?`).
fn instances(
    leaf: &Leaf<'_>,
    stmts: &[Stmt<'_>],
    env: &VarEnv,
    captures: &[(String, String)],
) -> (Assignment, Assignment) {
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut vars: Vec<(String, String)> = captures.to_vec();
    for &i in leaf.support {
        let Some(s) = stmts.get(i) else { continue };
        if !s.variables {
            continue;
        }
        for block in &s.statement.condition.blocks {
            let op = block.operator;
            let like = match op.family {
                Family::String(StringOp::Like) | Family::Arn { .. } => true,
                Family::String(StringOp::Equals) => false,
                _ => continue,
            };
            if op.negated || op.set.is_some() {
                continue;
            }
            for kc in &block.keys {
                if env.is_fixed(&kc.key_lower)
                    || keys.iter().any(|(k, _)| k.eq_ignore_ascii_case(&kc.key))
                {
                    continue;
                }
                let Some(raw) = kc
                    .raw_values
                    .iter()
                    .find(|r| lang::has_free_variable(&lang::pieces_of(r, true), env))
                else {
                    continue;
                };
                let mut text = String::new();
                for p in lang::pieces_of(raw, true) {
                    match p {
                        Piece::Text(t) => {
                            for c in t.chars() {
                                match c {
                                    '*' if like => text.push_str("example"),
                                    '?' if like => text.push('x'),
                                    c => text.push(c),
                                }
                            }
                        }
                        Piece::Literal(c) => text.push(c),
                        Piece::Var(v) => match env.value(&v) {
                            VarValue::Text(t) => text.push_str(&t),
                            VarValue::Unresolved => {}
                            VarValue::Free => {
                                let value =
                                    match vars.iter().find(|(k, _)| k.eq_ignore_ascii_case(&v.key))
                                    {
                                        Some((_, val)) => val.clone(),
                                        None => {
                                            vars.push((v.key.clone(), "example".into()));
                                            "example".into()
                                        }
                                    };
                                text.push_str(&value);
                            }
                        },
                    }
                }
                keys.push((kc.key.clone(), text));
            }
        }
    }
    vars.retain(|(k, _)| !captures.iter().any(|(c, _)| c.eq_ignore_ascii_case(k)));
    (keys, vars)
}

/// Values for keys that negated `String…` conditions of applicable Denies
/// compare with variables: the variable's value (from `captures` or fixed),
/// so that the Deny's condition is false.
fn deny_avoiding_values(
    leaf: &Leaf<'_>,
    stmts: &[Stmt<'_>],
    env: &VarEnv,
    captures: &[(String, String)],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for &i in leaf.active {
        let Some(s) = stmts.get(i) else { continue };
        if s.statement.effect != crate::policy::Effect::Deny || !s.variables {
            continue;
        }
        for block in &s.statement.condition.blocks {
            let op = block.operator;
            if !op.negated || op.set.is_some() || !matches!(op.family, Family::String(_)) {
                continue;
            }
            for kc in &block.keys {
                if env.is_fixed(&kc.key_lower)
                    || out.iter().any(|(k, _)| k.eq_ignore_ascii_case(&kc.key))
                {
                    continue;
                }
                for raw in &kc.raw_values {
                    let pieces = lang::pieces_of(raw, true);
                    if !lang::has_free_variable(&pieces, env) {
                        continue;
                    }
                    let mut text = String::new();
                    let mut complete = true;
                    for p in &pieces {
                        match p {
                            Piece::Text(t) => text.push_str(t),
                            Piece::Literal(c) => text.push(*c),
                            Piece::Var(v) => match env.value(v) {
                                VarValue::Text(t) => text.push_str(&t),
                                VarValue::Unresolved => complete = false,
                                VarValue::Free => match captures
                                    .iter()
                                    .find(|(k, _)| k.eq_ignore_ascii_case(&v.key))
                                {
                                    Some((_, val)) => text.push_str(val),
                                    None => complete = false,
                                },
                            },
                        }
                    }
                    if complete {
                        out.push((kc.key.clone(), text));
                        break;
                    }
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
enum CTok {
    Lit(char),
    One,
    Star,
    Var(String),
}

/// Most assignments of variables tried per template.
const MAX_CAPTURES: usize = 4;

/// Values for the free variables of a template under which it matches
/// `text`: up to [`MAX_CAPTURES`] assignments, shortest values first.
pub(crate) fn capture(
    pieces: &[Piece],
    wildcards: bool,
    text: &str,
    env: &VarEnv,
) -> Vec<Vec<(String, String)>> {
    let mut toks = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(t) => toks.extend(t.chars().map(|c| match c {
                '*' if wildcards => CTok::Star,
                '?' if wildcards => CTok::One,
                c => CTok::Lit(c),
            })),
            Piece::Literal(c) => toks.push(CTok::Lit(*c)),
            Piece::Var(v) => match env.value(v) {
                VarValue::Text(s) => toks.extend(s.chars().map(CTok::Lit)),
                VarValue::Unresolved => return Vec::new(),
                VarValue::Free => toks.push(CTok::Var(v.key.clone())),
            },
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut found: Vec<Vec<(String, String)>> = Vec::new();
    let mut binds: Vec<(String, String)> = Vec::new();
    let mut steps = 0usize;
    go(&toks, &chars, &mut binds, &mut steps, &mut found);
    found
}

/// Backtracking match; records every complete assignment (until enough).
/// Returns `true` to stop.
fn go(
    toks: &[CTok],
    text: &[char],
    binds: &mut Vec<(String, String)>,
    steps: &mut usize,
    found: &mut Vec<Vec<(String, String)>>,
) -> bool {
    *steps += 1;
    if *steps > 100_000 || found.len() >= MAX_CAPTURES {
        return true;
    }
    let Some((tok, rest)) = toks.split_first() else {
        if text.is_empty() && !found.contains(binds) {
            found.push(binds.clone());
        }
        return found.len() >= MAX_CAPTURES;
    };
    match tok {
        CTok::Lit(c) => match text.split_first() {
            Some((t, tail)) if t == c => go(rest, tail, binds, steps, found),
            _ => false,
        },
        CTok::One => match text.split_first() {
            Some((_, tail)) => go(rest, tail, binds, steps, found),
            None => false,
        },
        CTok::Star => (0..=text.len()).any(|n| {
            text.get(n..)
                .is_some_and(|tail| go(rest, tail, binds, steps, found))
        }),
        CTok::Var(key) => {
            if let Some(bound) = binds
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.chars().collect::<Vec<char>>())
            {
                return text.starts_with(&bound)
                    && text
                        .get(bound.len()..)
                        .is_some_and(|tail| go(rest, tail, binds, steps, found));
            }
            // prefer non-empty values, shortest first
            let lengths = (1..=text.len()).chain(std::iter::once(0));
            for n in lengths {
                let (Some(head), Some(tail)) = (text.get(..n), text.get(n..)) else {
                    continue;
                };
                binds.push((key.clone(), head.iter().collect()));
                let stop = go(rest, tail, binds, steps, found);
                binds.pop();
                if stop {
                    return true;
                }
            }
            false
        }
    }
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
    let args = query.request_args(context.clone(), no_defaults);
    let request =
        crate::cli::load::build_request(&attempt.action, &attempt.resource, &args).ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::parse_template;

    #[test]
    fn captures_variable_values_spec_v2() {
        let pieces = parse_template("home/${aws:username}/*").unwrap();
        let got = capture(&pieces, true, "home/alice/notes.txt", &VarEnv::default());
        assert_eq!(
            got[0],
            vec![("aws:username".to_string(), "alice".to_string())]
        );
        assert!(capture(&pieces, true, "other/alice/x", &VarEnv::default()).is_empty());
        // several assignments: the variable may also span a slash
        let got = capture(&pieces, true, "home/a/b/c", &VarEnv::default());
        assert_eq!(got.len(), 2);
        assert_eq!(got[1][0].1, "a/b");
        // the same variable twice must take the same value
        let twice = parse_template("${aws:username}/${aws:username}").unwrap();
        assert_eq!(
            capture(&twice, true, "bob/bob", &VarEnv::default()),
            vec![vec![("aws:username".to_string(), "bob".to_string())]]
        );
        assert!(capture(&twice, true, "bob/ann", &VarEnv::default()).is_empty());
    }
}
