//! Asking the real evaluator about one request and reading its answer:
//! whether the grant holds unconditionally or only under a condition, and
//! which statements decided. Shared by `actions`, `can-run` and `replay`.

use crate::eval::applicability::Applicability;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::explain::classify::{Access, Bounds, Unknown};
use crate::explain::{ConditionTest, Evaluation, Reason, StatementTrace};
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

/// The evaluator's answer about one request, ready to report.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// The full evaluation (decision, traces, notes).
    pub eval: Evaluation,
    /// Allowed, conditional or denied.
    pub grant: Access,
    /// Condition keys the grant depends on (sorted, as written in the policies).
    pub condition_keys: Vec<String>,
    /// `FILE:LINE:COL (Sid X)` of the determining statements.
    pub statements: Vec<String>,
    /// The Resource entries of the determining Allow statements that matched.
    pub scopes: Vec<String>,
}

impl Judgement {
    /// The decision.
    pub fn decision(&self) -> Decision {
        self.eval.response.decision
    }
}

fn condition_keys_of(reasons: &[Reason], keys: &mut Vec<String>) {
    for r in reasons {
        if let Reason::Condition {
            test: ConditionTest { key, .. },
            ..
        } = r
        {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                keys.push(key.clone());
            }
        }
    }
}

fn scopes_of(reasons: &[Reason], scopes: &mut Vec<String>) {
    for r in reasons {
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

/// Evaluates a request and classifies the answer with the one
/// classification ([`classify`](super::classify)), every condition being
/// an unknown: a statement whose principal, action and resource match and
/// that has a condition may apply or not. The request is *allowed* when it
/// is allowed whatever those conditions say, *denied* when it is denied
/// whatever they say, *conditional* otherwise (this context decides). The
/// condition keys named are those of the statements that decide alone
/// (turning one of them the other way changes this context's answer), or
/// of every conditional statement when none does.
pub fn judge(set: &PolicySet, req: &Request) -> Judgement {
    let eval = set.evaluate_relevant(req);
    let resp = &eval.response;
    // a condition on keys this request can never carry (an access point
    // key on a request made directly to a bucket, spec AP-3; a service key
    // the action does not declare, C-15) is settled as evaluated: the key
    // is absent, not unknown. Through one access point, AWS sets the
    // access point keys from its ARN and settings (AP-3): known too.
    let one_access_point = crate::eval::access_point::AccessPointArn::of(&req.resource)
        .is_some_and(|a| {
            [a.partition, a.region, a.account, a.name]
                .iter()
                .all(|p| !p.contains(['*', '?']))
        });
    let varies = |key: &str| {
        req.can_carry_key(key)
            && !(one_access_point && crate::eval::access_point::is_access_point_key(key))
    };
    let can_vary = |t: &StatementTrace| {
        set.statement(t.statement_ref).is_none_or(|st| {
            st.condition
                .blocks
                .iter()
                .flat_map(|b| b.keys.iter())
                .any(|k| varies(&k.key))
        })
    };
    let conditional: Vec<&StatementTrace> = eval
        .traces
        .iter()
        .filter(|t| {
            t.elements_match
                && t.reasons
                    .iter()
                    .any(|r| matches!(r, Reason::Condition { .. }))
                && can_vary(t)
        })
        .collect();
    let unknowns: Vec<Unknown> = conditional
        .iter()
        .map(|t| Unknown {
            r: t.statement_ref,
            effect: t.effect,
            applies_as: Applicability::Applies(t.principal_match()),
        })
        .collect();
    let grant = if unknowns.is_empty() {
        if resp.decision.is_allowed() {
            Access::Allowed
        } else {
            Access::Denied
        }
    } else {
        Bounds::of(set, req, &unknowns)
            .settled()
            .unwrap_or(Access::Conditional)
    };
    let mut keys = Vec::new();
    let mut scopes = Vec::new();
    if resp.decision.is_allowed() {
        for t in eval
            .traces
            .iter()
            .filter(|t| resp.determining.contains(&t.statement_ref))
        {
            scopes_of(&t.reasons, &mut scopes);
        }
    }
    if grant == Access::Conditional {
        // A statement decides alone when turning it the other way (as this
        // context has it) changes the answer.
        let deciding: Vec<&StatementTrace> = conditional
            .iter()
            .copied()
            .filter(|t| {
                let flipped = if t.applies {
                    Applicability::DoesNotApply
                } else {
                    Applicability::Applies(t.principal_match())
                };
                set.authorize_forcing(req, &[(t.statement_ref, flipped)])
                    .decision
                    .is_allowed()
                    != resp.decision.is_allowed()
            })
            .collect();
        let named = if deciding.is_empty() {
            &conditional
        } else {
            &deciding
        };
        for t in named {
            condition_keys_of(&t.reasons, &mut keys);
            if !resp.decision.is_allowed() && t.effect == Effect::Allow {
                scopes_of(&t.reasons, &mut scopes);
            }
        }
    }
    keys.sort_by_key(|k| k.to_lowercase());
    let statements = resp.determining.iter().map(|r| set.position(*r)).collect();
    Judgement {
        eval,
        grant,
        condition_keys: keys,
        statements,
        scopes,
    }
}
