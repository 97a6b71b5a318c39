//! Policy variables made concrete: values for the free variables of the
//! granting statements a solution relies on, so that a candidate request
//! really matches them (spec V-2..V-7).
//!
//! The proof itself never depends on these choices: they only produce
//! candidates, which the evaluator then confirms or rejects.

use super::keys::KeyValue;
use super::lang::{self, VarEnv, VarValue};
use super::statements::Stmt;
use super::witness::Leaf;
use crate::condition::{Family, StringOp, Values};
use crate::matcher::{Arn, Piece};
use crate::policy::ResourceClause;
use crate::request::context::ContextValue;

/// Keys (or variables) and their values.
pub(crate) type Assignment = Vec<(String, String)>;

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

/// Assignments of free variables that make the granting statements match
/// the witness resource and the chosen condition values: the first
/// assignment of every template combined, then each template's other
/// assignments in turn.
pub(crate) fn variable_values(
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
pub(crate) fn instances(
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
pub(crate) fn deny_avoiding_values(
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
