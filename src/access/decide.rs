//! One principal, one question: can it make this request (or any request
//! matching these patterns), and is that so whatever the request context
//! or only for some values of some keys? Shared by `who-can`,
//! `principal-can` and the account review, so that all three answer as
//! `s3guard can` and `s3guard prove` do for the same inputs.
//!
//! For a concrete request the answer starts from [`PolicySet::authorize`]
//! on the request `can` builds ([`RequestBuilder`]: `aws:SecureTransport`
//! true, the caller's keys, the time). Every other key is free, except the
//! keys AWS never sends with the action ([`may_be_sent`]), which are absent:
//!
//! - allowed, and no free key matters to the statements that concern the
//!   request → [`Access::Allowed`];
//! - allowed, but a free key is tested (present, it could change the
//!   answer) → [`Access::Conditional`], with the keys, absent;
//! - not allowed → the prover ([`prove`]) searches the free keys' values;
//!   a confirmed witness → [`Access::Conditional`] with the witness's key
//!   values; a proof → the principal cannot; no decision → [`Access::Undecided`].
//!
//! Patterns (`s3:Delete*`, `arn:aws:s3:::prod*`) go to the prover directly.

use serde::Serialize;

use super::account::PrincipalSet;
use crate::catalog::{self, may_be_sent};
use crate::diagnostic::Diagnostic;
use crate::eval::response::{Decision, LayerDecision, Response, StatementRef};
use crate::matcher::Action;
use crate::policy::{Effect, Policy, PolicyType};
use crate::prove::{self, Proof, Query};
use crate::request::builder::RequestBuilder;
use crate::request::context::{Context, ContextValue};
use crate::request::Request;

/// How a principal can make a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Allowed whatever the values of the free keys.
    Allowed,
    /// Allowed for some values of some keys only (see the keys).
    Conditional,
    /// The prover could not decide (see the note).
    Undecided,
}

impl Access {
    /// `allowed`, `conditional`, `undecided`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allowed => "allowed",
            Access::Conditional => "conditional",
            Access::Undecided => "undecided",
        }
    }
}

/// A key an answer depends on, and its value in the allowed request
/// (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyNote {
    /// The key as the policy spells it.
    pub key: String,
    /// Its value in the allowed request; `None` when allowed while absent.
    pub value: Option<ContextValue>,
}

/// A statement that decided an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deciding {
    /// The policy's name in the data (`policy/S3Admin`, `ARN inline NAME`, a file).
    pub policy: String,
    /// Its layer.
    #[serde(rename = "policyType")]
    pub layer: PolicyType,
    /// Sid, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// 0-based statement index.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// `FILE:LINE:COL` of the statement.
    pub position: String,
}

/// A request that is allowed, with the `s3guard can` arguments that
/// reproduce it (after the subcommand, without policy flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Arguments of `s3guard can`.
    pub args: Vec<String>,
}

/// A principal that can make the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Allowed, conditional or undecided.
    pub access: Access,
    /// The keys the answer depends on (empty when allowed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyNote>,
    /// The statements that grant it.
    pub statements: Vec<Deciding>,
    /// For patterns and conditional access: an allowed request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<Example>,
    /// Why undecided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The answer for one principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessAnswer {
    /// It can.
    Can(Grant),
    /// It cannot; the layers that stopped a grant its identity or bucket
    /// policy gives (empty when nothing grants it).
    Cannot(Vec<PolicyType>),
}

/// A question: an action and a resource, each a literal or a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// `s3:DeleteBucket` or `s3:Delete*`.
    pub action: String,
    /// `arn:aws:s3:::prod` or `arn:aws:s3:::prod*`.
    pub resource: String,
    /// Parsed action, when literal.
    literal: Option<Action>,
    /// Whether the resource is a pattern.
    resource_pattern: bool,
    /// Lower-cased catalog actions the action names or matches.
    actions: Vec<String>,
    /// Whether the action may name actions outside the catalogs.
    other_services: bool,
}

fn is_pattern(s: &str) -> bool {
    s.contains('*') || s.contains('?')
}

impl Question {
    /// Checks the action and the resource: an error says what is wrong.
    pub fn new(action: &str, resource: &str) -> Result<Question, Vec<Diagnostic>> {
        let bad =
            |m: String, hint: &str| vec![Diagnostic::error("INVALID_ARGUMENT", m).with_hint(hint)];
        let literal = if is_pattern(action) {
            if !action.contains(':') && action != "*" {
                return Err(bad(
                    format!("`{action}` is not an action pattern"),
                    "write service:Name, e.g. s3:Delete*",
                ));
            }
            None
        } else {
            Some(Action::parse(action).map_err(|e| {
                bad(
                    e.to_string(),
                    "write the action as service:Name, e.g. s3:DeleteBucket",
                )
            })?)
        };
        let resource_pattern = is_pattern(resource);
        if resource_pattern {
            Query::new(if literal.is_some() { action } else { "s3:*" }, resource)
                .map_err(|e| bad(e.to_string(), "e.g. arn:aws:s3:::prod*"))?;
        } else {
            Request::new(action_for_check(action, &literal), resource).map_err(|e| {
                bad(
                    e.to_string(),
                    "S3 resources look like arn:aws:s3:::bucket or arn:aws:s3:::bucket/key",
                )
            })?;
        }
        let (actions, other_services) = match &literal {
            Some(a) => (vec![a.lower().to_string()], false),
            None => {
                let list: Vec<String> = catalog::expand(action)
                    .iter()
                    .map(|i| i.iam_action.to_lowercase())
                    .chain(
                        catalog::iam_actions()
                            .filter(|i| {
                                crate::matcher::ActionPattern::new(action)
                                    .matches_lower(&i.iam_action.to_lowercase())
                            })
                            .map(|i| i.iam_action.to_lowercase()),
                    )
                    .collect();
                let service = action.split(':').next().unwrap_or("*");
                let known = !is_pattern(service)
                    && (catalog::catalog().knows_service(service)
                        || service == "iam"
                        || service == "sts");
                (list, !known)
            }
        };
        Ok(Question {
            action: action.to_string(),
            resource: resource.to_string(),
            literal,
            resource_pattern,
            actions,
            other_services,
        })
    }

    /// Whether action and resource are both literal (a single request).
    pub fn is_concrete(&self) -> bool {
        self.literal.is_some() && !self.resource_pattern
    }

    /// The bucket the resource names literally (`prod` of
    /// `arn:aws:s3:::prod/*`); `None` for a pattern bucket or `*`.
    pub fn bucket(&self) -> Option<&str> {
        let rest = self.resource.strip_prefix("arn:aws:s3:::")?;
        let b = rest.split('/').next()?;
        (!b.is_empty() && !is_pattern(b)).then_some(b)
    }

    /// Whether an action clause can cover some action of the question.
    pub fn covered_by(&self, clause: &crate::policy::ActionClause) -> bool {
        if let Some(a) = &self.literal {
            return clause.matches(a);
        }
        if self.other_services {
            return true;
        }
        self.actions.iter().any(|lower| {
            let hit = clause.patterns().iter().any(|p| p.matches_lower(lower));
            hit != clause.is_not()
        })
    }

    /// Whether some Allow statement of the policies can cover the question's
    /// action: without one, nothing can be allowed.
    pub fn granted_by_any<'a>(&self, policies: impl IntoIterator<Item = &'a Policy>) -> bool {
        policies.into_iter().any(|p| {
            p.statements
                .iter()
                .any(|s| s.effect == Effect::Allow && self.covered_by(&s.action))
        })
    }

    /// Whether some Allow statement of the policies can cover the question's
    /// action on `resource` (an ARN; statements whose resources hold policy
    /// variables count as covering it). A cheap filter before a decision.
    pub fn granted_on_by_any<'a>(
        &self,
        resource: &crate::matcher::Resource,
        policies: impl IntoIterator<Item = &'a Policy>,
    ) -> bool {
        let service = self.action.split(':').next().unwrap_or_default();
        policies.into_iter().any(|p| {
            p.statements.iter().any(|s| {
                s.effect == Effect::Allow
                    && self.covered_by(&s.action)
                    && (s.resource.patterns().iter().any(|r| r.has_variables())
                        || s.resource
                            .matches(resource, service, &crate::matcher::NoVariables))
            })
        })
    }

    /// Whether AWS may send `key` with some action of the question.
    fn may_send(&self, key: &str) -> bool {
        if self.other_services || self.actions.is_empty() {
            return true;
        }
        self.actions.iter().any(|a| may_be_sent(a, key))
    }
}

fn action_for_check<'a>(action: &'a str, literal: &Option<Action>) -> &'a str {
    match literal {
        Some(_) => action,
        None => "s3:GetObject",
    }
}

/// Answers the question for one principal: `caller` is the principal as
/// `s3guard can --principal` takes it, `builder` the request settings
/// `can` would use for it (see [`super::Analysis::builder_for`]).
pub fn decide(
    ps: &PrincipalSet,
    builder: &RequestBuilder,
    caller: &str,
    resource_account: Option<&str>,
    q: &Question,
) -> Result<AccessAnswer, Vec<Diagnostic>> {
    // IAM and STS actions are known (catalog::iam_action) though outside
    // the S3 catalog: escalation asks about them.
    let iam = catalog::iam_action(&q.action).is_some()
        || (q.literal.is_none() && q.action.to_ascii_lowercase().starts_with("iam:"))
        || (q.literal.is_none() && q.action.to_ascii_lowercase().starts_with("sts:"));
    let allowing = builder.clone().allow_unknown_action(iam);
    let builder = &allowing;
    if q.is_concrete() {
        let req = builder.build(&q.action, &q.resource)?;
        let resp = ps.set.authorize(&req);
        let context_matters = depends_on_context(ps, q);
        if resp.decision == Decision::Allowed {
            let keys = if context_matters {
                free_keys_of_allow(ps, &req, &resp, q)
            } else {
                Vec::new()
            };
            let access = if keys.is_empty() {
                Access::Allowed
            } else {
                Access::Conditional
            };
            return Ok(AccessAnswer::Can(Grant {
                access,
                keys,
                statements: deciding(ps, &resp.determining),
                witness: None,
                note: None,
            }));
        }
        if !context_matters {
            return Ok(AccessAnswer::Cannot(limiting(&resp)));
        }
        return prove_one(ps, &req, caller, resource_account, q, Some(&resp));
    }
    let req = builder.build(action_for_check(&q.action, &q.literal), "*")?;
    prove_one(ps, &req, caller, resource_account, q, None)
}

/// Whether a statement that can concern the question's action tests the
/// context (a condition, or a policy variable in its resources): if none
/// does, the answer of `authorize` holds whatever the context.
fn depends_on_context(ps: &PrincipalSet, q: &Question) -> bool {
    ps.set.members().iter().any(|m| {
        m.policy.statements.iter().any(|s| {
            (!s.condition.is_empty() || s.resource.patterns().iter().any(|p| p.has_variables()))
                && q.covered_by(&s.action)
        })
    })
}

/// For an allowed request: the free keys that could change the answer if
/// present, as the trace shows them missing: keys of the granting
/// statements, of Deny statements whose other elements match, and of the
/// guardrail layers (boundary, session, SCP, RCP, VPC endpoint), whose
/// Allow must keep holding. Keys of other Allow statements cannot take the
/// access away.
fn free_keys_of_allow(
    ps: &PrincipalSet,
    req: &Request,
    resp: &Response,
    q: &Question,
) -> Vec<KeyNote> {
    let eval = ps.set.evaluate_relevant(req);
    let mut out: Vec<KeyNote> = Vec::new();
    for t in &eval.traces {
        if !t.elements_match {
            continue;
        }
        let matters = t.effect == Effect::Deny
            || resp.determining.contains(&t.statement_ref)
            || !matches!(t.policy_type, PolicyType::Identity | PolicyType::Resource);
        if !matters {
            continue;
        }
        for r in &t.reasons {
            if let crate::explain::Reason::Condition {
                test: crate::explain::ConditionTest { key, .. },
                context_value: None,
                ..
            } = r
            {
                if req.context.get(key).is_none()
                    && q.may_send(key)
                    && !out.iter().any(|k| k.key.eq_ignore_ascii_case(key))
                {
                    out.push(KeyNote {
                        key: key.clone(),
                        value: None,
                    });
                }
            }
        }
    }
    out
}

/// Identifies the statements a shared answer depends on (see [`share_key`]).
pub type ShareKey = Vec<(usize, u8, u32)>;

/// A key under which principals share an answer: the statements of the set
/// that can concern the question (by policy identity and position, with
/// their layer) and the kind of caller. `None` when the answer may depend
/// on who the caller is beyond that: a relevant statement names principals
/// (other than `*`), tests a key derived from the caller (`aws:username`,
/// `aws:PrincipalArn`, `aws:PrincipalTag/…`, …) or has policy variables.
/// Principals with equal keys get the same decision, keys and statements:
/// the evaluator sees the same statements and the same context.
pub fn share_key(
    ps: &PrincipalSet,
    q: &Question,
    caller_kind: u8,
) -> Option<Vec<(usize, u8, u32)>> {
    const CALLER_KEYS: &[&str] = &[
        "aws:username",
        "aws:userid",
        "aws:principal",
        "aws:sourceidentity",
    ];
    // Which layers are present matters even without a relevant statement
    // (a boundary that covers nothing denies).
    let layers = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Boundary,
        PolicyType::Session,
        PolicyType::VpcEndpoint,
    ]
    .iter()
    .enumerate()
    .fold(0u32, |acc, (i, t)| {
        acc | (u32::from(ps.set.has_layer(*t)) << i)
    });
    let mut out = vec![(
        usize::from(caller_kind),
        u8::MAX,
        layers | (u32::try_from(ps.set.scp_levels() + 8 * ps.set.rcp_levels()).unwrap_or(0) << 8),
    )];
    for m in ps.set.members() {
        for st in &m.policy.statements {
            if !q.covered_by(&st.action) {
                continue;
            }
            if st.resource.patterns().iter().any(|p| p.has_variables()) {
                return None;
            }
            if let Some(c) = &st.principal {
                let anyone = !c.is_not()
                    && c.entries()
                        .iter()
                        .all(|e| e.kind == crate::policy::PrincipalKind::Everyone);
                if !anyone {
                    return None;
                }
            }
            for b in &st.condition.blocks {
                if b.keys
                    .iter()
                    .any(|k| CALLER_KEYS.iter().any(|c| k.key_lower.starts_with(c)))
                {
                    return None;
                }
            }
            out.push((
                std::sync::Arc::as_ptr(&m.policy) as usize,
                crate::eval::policy_set::layer_slot(m.layer) as u8,
                u32::try_from(st.index).unwrap_or(u32::MAX),
            ));
        }
    }
    Some(out)
}

/// The keys the prover must not vary: every key of `can`'s request except
/// those the prover derives from the caller itself.
fn fixed_entries(req: &Request) -> Vec<String> {
    let mut derived = Context::new();
    req.principal.derive_context(&mut derived);
    let mut out = Vec::new();
    for e in req.context.entries() {
        if derived.get(&e.key).is_some() {
            continue;
        }
        for v in e.value.values() {
            out.push(format!("{}={v}", e.key));
        }
    }
    out
}

fn prove_one(
    ps: &PrincipalSet,
    req: &Request,
    caller: &str,
    resource_account: Option<&str>,
    q: &Question,
    concrete: Option<&Response>,
) -> Result<AccessAnswer, Vec<Diagnostic>> {
    let fixed = fixed_entries(req);
    let mut absent: Vec<String> = Vec::new();
    for m in ps.set.members() {
        for st in &m.policy.statements {
            for b in &st.condition.blocks {
                for k in &b.keys {
                    if req.context.get_lower(&k.key_lower).is_none()
                        && !q.may_send(&k.key)
                        && !absent.contains(&k.key)
                    {
                        absent.push(k.key.clone());
                    }
                }
            }
        }
    }
    let query = Query {
        action: q.action.clone(),
        resource: q.resource.clone(),
        principal: Some(caller.to_string()),
        resource_account: resource_account.map(str::to_string),
        context: fixed,
        absent,
        any_resource: false,
    };
    let limited = || concrete.map(limiting).unwrap_or_default();
    match prove::prove(&ps.set, &query) {
        Proof::Proved(_) => Ok(AccessAnswer::Cannot(limited())),
        Proof::Unknown { reason, .. } => Ok(AccessAnswer::Can(Grant {
            access: Access::Undecided,
            keys: Vec::new(),
            statements: Vec::new(),
            witness: None,
            note: Some(reason),
        })),
        Proof::Counterexample(w, _) => {
            let keys: Vec<KeyNote> = w
                .context
                .iter()
                .filter(|(k, _)| req.context.get(k).is_none() && q.may_send(k))
                .map(|(k, v)| KeyNote {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect();
            let example = Example {
                action: w.request.action.as_str().to_string(),
                resource: w.request.resource.as_str().to_string(),
                args: w.args.clone(),
            };
            // A pattern's witness is one request: ask again as a concrete
            // question whether that request is allowed whatever the context.
            let access = if concrete.is_none() && keys.is_empty() {
                Access::Allowed
            } else {
                Access::Conditional
            };
            Ok(AccessAnswer::Can(Grant {
                access,
                keys,
                statements: deciding(ps, &w.response.determining),
                witness: Some(example),
                note: None,
            }))
        }
    }
}

/// The statements of a response, with their names in the data.
pub fn deciding(ps: &PrincipalSet, refs: &[StatementRef]) -> Vec<Deciding> {
    refs.iter()
        .filter_map(|r| {
            let m = ps.set.member(*r)?;
            let s = ps.set.statement(*r)?;
            Some(Deciding {
                policy: ps.name_of(*r).to_string(),
                layer: m.layer,
                sid: s.sid.clone(),
                index: s.index,
                effect: s.effect,
                position: format!(
                    "{}:{}:{}",
                    m.policy.name, s.location.start.line, s.location.start.column
                ),
            })
        })
        .collect()
}

/// The layers that denied or did not allow, when some grant existed.
fn limiting(resp: &Response) -> Vec<PolicyType> {
    let pt = &resp.per_type;
    let grant = pt.identity == LayerDecision::Allowed || pt.resource == LayerDecision::Allowed;
    let mut out = Vec::new();
    for t in [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Boundary,
        PolicyType::Session,
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::VpcEndpoint,
    ] {
        let d = pt.get(t);
        if d == LayerDecision::ExplicitDeny
            || (grant
                && d == LayerDecision::ImplicitDeny
                && !matches!(t, PolicyType::Identity | PolicyType::Resource))
        {
            out.push(t);
        }
    }
    if grant && out.is_empty() {
        if let Some(t) = resp.blocked_by {
            out.push(t);
        }
    }
    out
}
