//! Which statements' applicability depends on something unknown: context
//! keys the user did not give (s3guard's defaults included), policy
//! variables without a value, and who the caller is when `--principal` was
//! not given. Read off the evaluation's traces (spec E-1 element by element).

use super::sample::{self, PatternText};
use super::wording::describe_condition;
use crate::condition::Outcome;
use crate::eval::applicability::Applicability;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{PrincipalMatch, StatementRef};
use crate::explain::{ConditionTest, Evaluation, Reason};
use crate::matcher::Resource;
use crate::policy::{Effect, PrincipalClause, PrincipalEntry, PrincipalKind, Statement};
use crate::request::context::Origin;
use crate::request::{Principal, Request};

/// A statement whose applicability depends on an unknown.
#[derive(Debug)]
pub(crate) struct Uncertain {
    pub r: StatementRef,
    pub effect: Effect,
    pub applies_as: Applicability,
    pub words: String,
    pub position: String,
}

fn principal_names(entries: &[PrincipalEntry]) -> String {
    let names: Vec<String> = entries.iter().map(|e| format!("`{}`", e.text)).collect();
    match names.as_slice() {
        [one] => one.clone(),
        many => format!("one of {}", many.join(", ")),
    }
}

/// How a caller named by an entry would match it (spec E-8), strongest first.
fn forced_match(entries: &[PrincipalEntry]) -> Option<PrincipalMatch> {
    let rank = |m: PrincipalMatch| match m {
        PrincipalMatch::Direct => 3,
        PrincipalMatch::Parent => 2,
        _ => 1,
    };
    entries
        .iter()
        .filter_map(|e| match &e.kind {
            PrincipalKind::User { .. }
            | PrincipalKind::RoleSession { .. }
            | PrincipalKind::FederatedUser { .. }
            | PrincipalKind::Service { .. }
            | PrincipalKind::CloudFrontOai { .. } => Some(PrincipalMatch::Direct),
            PrincipalKind::Role { .. } => Some(PrincipalMatch::Parent),
            PrincipalKind::Account { .. } | PrincipalKind::CanonicalUser { .. } => {
                Some(PrincipalMatch::Account)
            }
            PrincipalKind::Everyone => Some(PrincipalMatch::Wildcard),
            PrincipalKind::Federated { .. } | PrincipalKind::UniqueId { .. } => None,
        })
        .max_by_key(|m| rank(*m))
}

/// Resource patterns with variables without a value that could match the
/// request's resource for some value (variables read as `*`).
fn fitting_variable_patterns(stmt: &Statement, req: &Request) -> Vec<String> {
    let Resource::Arn(arn) = &req.resource else {
        return Vec::new();
    };
    stmt.resource
        .patterns()
        .iter()
        .filter(|p| p.has_variables())
        .filter(|p| {
            sample::shape_matches(
                &PatternText {
                    text: p.as_str().to_string(),
                    variables: true,
                },
                arn.as_str(),
            )
        })
        .map(|p| p.as_str().to_string())
        .collect()
}

pub(crate) fn uncertain_statements(
    set: &PolicySet,
    req: &Request,
    eval: &Evaluation,
) -> Vec<Uncertain> {
    let unspecified = req.principal == Principal::Unspecified;
    let mut out = Vec::new();
    for t in &eval.traces {
        let Some(stmt) = set.statement(t.statement_ref) else {
            continue;
        };
        let mut parts: Vec<String> = Vec::new();
        let mut how: Option<PrincipalMatch> = None;
        let mut possible = true;
        for r in &t.reasons {
            match r {
                Reason::Layer { .. } => possible = false,
                Reason::Principal {
                    matched, how: h, ..
                } => match (&stmt.principal, matched) {
                    (Some(PrincipalClause::NotPrincipal(entries)), true) if unspecified => {
                        how = *h;
                        parts.push(format!("the caller is not {}", principal_names(entries)));
                    }
                    (_, true) => how = *h,
                    (Some(PrincipalClause::Principal(entries)), false) if unspecified => {
                        match forced_match(entries) {
                            Some(m) => {
                                how = Some(m);
                                parts.push(format!("the caller is {}", principal_names(entries)));
                            }
                            None => possible = false,
                        }
                    }
                    _ => possible = false,
                },
                Reason::Action { matched, .. } => possible &= *matched,
                Reason::Resource {
                    matched,
                    name,
                    unresolved,
                    ..
                } => {
                    let fits = if unresolved.is_empty() {
                        Vec::new()
                    } else {
                        fitting_variable_patterns(stmt, req)
                    };
                    let vars = unresolved
                        .iter()
                        .map(|v| {
                            let key = v.trim_start_matches("${").trim_end_matches('}');
                            format!("`{}`", key.split(", ").next().unwrap_or(key))
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let shown = fits
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    match (*matched, *name, fits.is_empty()) {
                        (true, "NotResource", false) => parts.push(format!(
                            "{vars} does not make the resource fall under {shown}"
                        )),
                        (true, _, _) => {}
                        (false, "Resource", false) => {
                            parts.push(format!("the caller's {vars} fits {shown}"))
                        }
                        (false, _, _) => possible = false,
                    }
                }
                Reason::Condition { test, result, .. } => {
                    let ConditionTest {
                        operator,
                        key,
                        values,
                    } = test;
                    let known = req
                        .context
                        .get(key)
                        .is_some_and(|e| matches!(e.origin, Origin::Given | Origin::Derived));
                    // a key AWS never sends with this request is known:
                    // absent (C-15, E-7, AP-3)
                    let never_sent = !req.can_carry_key(key);
                    if known || never_sent {
                        possible &= *result == Outcome::True;
                    } else {
                        parts.push(describe_condition(operator, key, values));
                    }
                }
            }
        }
        if possible && !parts.is_empty() {
            out.push(Uncertain {
                r: t.statement_ref,
                effect: t.effect,
                applies_as: Applicability::Applies(how),
                words: parts.join(" and "),
                position: set.position(t.statement_ref),
            });
        }
    }
    out
}
