//! Asking the real evaluator about one request and reading its answer:
//! whether the grant holds unconditionally or only under a condition, and
//! which statements decided. Shared by `actions`, `can-run` and `replay`.

use serde::Serialize;

use crate::eval::authorizer::Applicability;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::explain::{Evaluation, Reason};
use crate::matcher::{Action, Resource};
use crate::policy::Effect;
use crate::request::Request;

/// A copy of `base` (principal, account, context) asking `action` on `resource`.
pub fn probe(base: &Request, action: &Action, resource: Resource) -> Request {
    let mut r = base.clone();
    r.action = action.clone();
    r.resource = resource;
    r
}

/// How firmly a request is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    /// Allowed, and no condition took part.
    Allowed,
    /// Allowed with this context, but a condition decided (or would allow
    /// with another context).
    Conditional,
    /// Denied.
    Denied,
}

/// The evaluator's answer about one request, ready to report.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The full evaluation (decision, traces, notes).
    pub eval: Evaluation,
    /// Allowed, conditional or denied.
    pub grant: Grant,
    /// Condition keys the grant depends on (sorted, as written in the policies).
    pub condition_keys: Vec<String>,
    /// `FILE:LINE:COL (Sid X)` of the determining statements.
    pub statements: Vec<String>,
    /// The Resource entries of the determining Allow statements that matched.
    pub scopes: Vec<String>,
}

impl Verdict {
    /// The decision.
    pub fn decision(&self) -> Decision {
        self.eval.response.decision
    }
}

fn condition_keys_of(reasons: &[Reason], keys: &mut Vec<String>) {
    for r in reasons {
        if let Reason::Condition { key, .. } = r {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                keys.push(key.clone());
            }
        }
    }
}

/// Evaluates a request and classifies the answer. A request is
/// *conditional* when it is allowed but a statement's condition took part
/// (an Allow granted under a condition, or a Deny stayed out because its
/// condition was false), or when it is denied but making one conditional
/// Allow statement apply would allow it (asked of the same evaluator).
pub fn judge(set: &PolicySet, req: &Request) -> Verdict {
    let eval = set.evaluate_relevant(req);
    let resp = &eval.response;
    let mut keys = Vec::new();
    let mut scopes = Vec::new();
    let grant = if resp.decision == Decision::Allowed {
        for t in &eval.traces {
            let determining = resp.determining.contains(&t.statement_ref);
            let conditional_deny = t.effect == Effect::Deny && t.elements_match && !t.applies;
            if determining || conditional_deny {
                condition_keys_of(&t.reasons, &mut keys);
            }
            if determining {
                for r in &t.reasons {
                    if let Reason::Resource {
                        pattern: Some(p), ..
                    } = r
                    {
                        if !scopes.contains(p) {
                            scopes.push(p.clone());
                        }
                    }
                }
            }
        }
        if keys.is_empty() {
            Grant::Allowed
        } else {
            Grant::Conditional
        }
    } else {
        let mut found = Grant::Denied;
        for t in &eval.traces {
            let has_condition = t
                .reasons
                .iter()
                .any(|r| matches!(r, Reason::Condition { .. }));
            if t.effect != Effect::Allow || !t.elements_match || t.applies || !has_condition {
                continue;
            }
            let how = t.reasons.iter().find_map(|r| match r {
                Reason::Principal { how, .. } => *how,
                _ => None,
            });
            let alt = set.authorize_forcing(req, &[(t.statement_ref, Applicability::Applies(how))]);
            if alt.decision == Decision::Allowed {
                condition_keys_of(&t.reasons, &mut keys);
                for r in &t.reasons {
                    if let Reason::Resource {
                        pattern: Some(p), ..
                    } = r
                    {
                        if !scopes.contains(p) {
                            scopes.push(p.clone());
                        }
                    }
                }
                found = Grant::Conditional;
            }
        }
        found
    };
    keys.sort_by_key(|k| k.to_lowercase());
    let statements = resp.determining.iter().map(|r| set.position(*r)).collect();
    Verdict {
        eval,
        grant,
        condition_keys: keys,
        statements,
        scopes,
    }
}

/// Why the evaluator decided (`allowed by FILE:L:C (Sid X): …`, `no identity
/// policy statement allows …`), without the decision headline.
pub fn reason_line(set: &PolicySet, req: &Request, v: &Verdict) -> String {
    // A verdict traces only the statements that may match; a denial's
    // closest near miss may be any statement, so it takes every trace.
    let full;
    let eval = if v.eval.response.decision == Decision::Allowed {
        &v.eval
    } else {
        full = set.evaluate(req);
        &full
    };
    let text = crate::render::text::render_text(set, req, eval, false);
    let mut lines = text.lines();
    let head = lines.next().unwrap_or_default();
    let mut detail: Vec<&str> = head
        .split_once(" — ")
        .map(|(_, rest)| rest)
        .into_iter()
        .collect();
    detail.extend(lines.filter(|l| !l.starts_with("note:")).map(str::trim));
    detail.join("; ")
}
