//! One principal, one question: can it make this request (or any request
//! matching these patterns), and is that so whatever the request context
//! or only for some values of some keys? Shared by `who-can`,
//! `principal-can` and the account review, so that all three answer as
//! `s3guard can` and `s3guard prove` do for the same inputs.
//!
//! For a concrete request the answer starts from [`PolicySet::authorize`](crate::eval::policy_set::PolicySet::authorize)
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
use crate::eval::applicability::Applicability;
use crate::eval::response::{Decision, LayerDecision, Response, StatementRef};
use crate::explain::classify::{Access as ClassAccess, Bounds, Unknown};
use crate::matcher::Action;
use crate::policy::{Effect, Policy, PolicyType};
use crate::prove::{self, Proof, Query};
use crate::request::builder::RequestBuilder;
use crate::request::context::{Context, ContextValue, Origin};
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
    /// The keys the answer depends on (empty when allowed). Always
    /// serialized, as the other fields, so that every entry of a JSON
    /// answer has the same shape (`[]`, `null` when there is nothing).
    pub keys: Vec<KeyNote>,
    /// The statements that grant it.
    pub statements: Vec<Deciding>,
    /// For patterns and conditional access: an allowed request.
    pub witness: Option<Example>,
    /// Why undecided.
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
        // Patterns of another service match none of the actions.
        let service = self.action.split(':').next().unwrap_or_default();
        let patterns: Vec<crate::matcher::PatternRef<'_>> = clause
            .patterns()
            .iter()
            .filter(|p| {
                p.service().is_none_or(|s| {
                    is_pattern(service) || is_pattern(s) || s.eq_ignore_ascii_case(service)
                })
            })
            .collect();
        if patterns.is_empty() {
            return clause.is_not() && !self.actions.is_empty();
        }
        self.actions.iter().any(|lower| {
            let hit = patterns.iter().any(|p| p.matches_lower(lower));
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

/// Whether AWS may send `key` with the question's action for this
/// request's caller: a key the action never carries, that the caller
/// never has (an anonymous caller's `aws:PrincipalArn`, spec E-7), or an
/// access point key of a request made directly to a bucket (AP-3) is
/// absent, not free. A concrete question asks the request itself
/// ([`Request::can_carry_key`], the rule every command uses); a pattern
/// asks it of every action and resource the pattern covers.
fn sendable(q: &Question, req: &Request, key: &str) -> bool {
    if user_tag_not_held(req, key) {
        return false;
    }
    if q.is_concrete() {
        return req.can_carry_key(key);
    }
    q.may_send(key)
        && !req
            .principal
            .never_carried_keys()
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
        && (!crate::eval::access_point::is_access_point_key(key)
            || prove::reaches_access_points(&q.resource))
}

/// Whether `key` is an `aws:PrincipalTag/…` key of an IAM user that the
/// request does not carry. An IAM user's tags are all in the account data
/// and a user has no session tags, so AWS sends exactly those
/// ("included in the request context if the principal is using an IAM
/// user with attached tags", IAM global condition keys): a tag the user
/// lacks is absent, not free. A role's sessions may carry session tags, so
/// theirs stay free.
fn user_tag_not_held(req: &Request, key: &str) -> bool {
    const PREFIX: &str = "aws:PrincipalTag/";
    matches!(req.principal, crate::request::Principal::User { .. })
        && key
            .get(..PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
        && req.context.get(key).is_none()
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
    decide_with_refs(ps, builder, caller, resource_account, q).map(|(o, _)| o)
}

/// As [`decide`], with the statements of the grant as references into the
/// set (in the order of [`Grant::statements`]): `who-can` maps them onto
/// other principals that share the answer.
pub(crate) fn decide_with_refs(
    ps: &PrincipalSet,
    builder: &RequestBuilder,
    caller: &str,
    resource_account: Option<&str>,
    q: &Question,
) -> Result<(AccessAnswer, Vec<StatementRef>), Vec<Diagnostic>> {
    // IAM and STS actions are known (catalog::iam_action) though outside
    // the S3 catalog: escalation asks about them.
    let iam = catalog::iam_action(&q.action).is_some()
        || (q.literal.is_none() && q.action.to_ascii_lowercase().starts_with("iam:"))
        || (q.literal.is_none() && q.action.to_ascii_lowercase().starts_with("sts:"));
    let allowing = builder.clone().allow_unknown_action(iam);
    let builder = &allowing;
    if !q.is_concrete() {
        let req = builder.build(action_for_check(&q.action, &q.literal), "*")?;
        return prove_one(ps, &req, caller, resource_account, q, None);
    }
    let req = builder.build(&q.action, &q.resource)?;
    let resp = ps.set.authorize(&req);
    let allowed = |refs: &[StatementRef], access: Access, keys: Vec<KeyNote>| {
        (
            AccessAnswer::Can(Grant {
                access,
                keys,
                statements: deciding(ps, refs),
                witness: None,
                note: None,
            }),
            refs.to_vec(),
        )
    };
    if !depends_on_context(ps, q) {
        return Ok(if resp.decision == Decision::Allowed {
            allowed(&resp.determining, Access::Allowed, Vec::new())
        } else {
            (AccessAnswer::Cannot(limiting(&resp)), Vec::new())
        });
    }
    // The statements whose applicability hangs on a free key, each forced
    // on and off (explain::classify): most answers settle here, without
    // the prover.
    let traces = ps.set.traces(&req, true);
    let Some(unknowns) = unknowns_of(&req, &traces, q) else {
        return prove_one(ps, &req, caller, resource_account, q, Some(&resp));
    };
    if unknowns.is_empty() {
        return Ok(if resp.decision == Decision::Allowed {
            allowed(&resp.determining, Access::Allowed, Vec::new())
        } else {
            (AccessAnswer::Cannot(limiting(&resp)), Vec::new())
        });
    }
    let forced: Vec<Unknown> = unknowns.iter().map(|(u, _)| *u).collect();
    let bounds = Bounds::of(&ps.set, &req, &forced);
    match bounds.settled() {
        Some(ClassAccess::Allowed) => {
            let refs = if resp.decision == Decision::Allowed {
                &resp.determining
            } else {
                &bounds.worst.determining
            };
            return Ok(allowed(refs, Access::Allowed, Vec::new()));
        }
        Some(_) => return Ok((AccessAnswer::Cannot(limiting(&resp)), Vec::new())),
        None => {}
    }
    if resp.decision == Decision::Allowed {
        // Allowed as asked; a free key could take it away (a Deny, a
        // guardrail, or the granting statement's own condition).
        let mut keys: Vec<KeyNote> = Vec::new();
        for (u, free) in &unknowns {
            let matters = u.effect == Effect::Deny
                || resp.determining.contains(&u.r)
                || ps.set.member(u.r).is_some_and(|m| {
                    !matches!(
                        m.layer,
                        PolicyType::Identity | PolicyType::Resource | PolicyType::AccessPoint
                    )
                });
            if !matters {
                continue;
            }
            for k in free {
                if !keys.iter().any(|x| x.key.eq_ignore_ascii_case(k)) {
                    keys.push(KeyNote {
                        key: k.clone(),
                        value: None,
                    });
                }
            }
        }
        return Ok(allowed(
            &resp.determining,
            Access::Conditional,
            canonical(keys),
        ));
    }
    // Denied as asked, allowed with some uncertain Allow on: look for real
    // key values (the review's witness search, exhaustive for the common
    // operators), else ask the prover.
    let mut given = req.clone();
    super::account::defaults_as_facts(&mut given);
    let refs: Vec<StatementRef> = forced.iter().map(|u| u.r).collect();
    let w = crate::review::witness::search(&ps.set, &given, &refs);
    let sends_unsent = w
        .allowed_values
        .iter()
        .any(|(k, v)| v.is_some() && !sendable(q, &req, k));
    match (&w.allowed, sends_unsent, w.exhaustive) {
        (Some((allowing, _)), false, _) => {
            let keys: Vec<KeyNote> = canonical(
                w.allowed_values
                    .iter()
                    .filter(|(k, v)| v.is_some() || sendable(q, &req, k))
                    .map(|(k, v)| KeyNote {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            );
            let example = Example {
                action: catalog_spelling(&q.action),
                resource: q.resource.clone(),
                args: can_args(&req, caller, resource_account, &keys, q),
            };
            let (mut o, refs) = allowed(&allowing.determining, Access::Conditional, keys);
            if let AccessAnswer::Can(g) = &mut o {
                g.witness = Some(example);
            }
            Ok((o, refs))
        }
        (None, _, true) => Ok((AccessAnswer::Cannot(limiting(&resp)), Vec::new())),
        _ => prove_one(ps, &req, caller, resource_account, q, Some(&resp)),
    }
}

/// The keys of an answer in a canonical order (by name, case aside), so
/// that the wording depends on what the statements test, not on the order
/// of the policies that hold them.
fn canonical(mut keys: Vec<KeyNote>) -> Vec<KeyNote> {
    keys.sort_by_cached_key(|k| k.key.to_ascii_lowercase());
    keys
}

/// The action as the catalog spells it (`s3:DeleteBucket` for
/// `s3:deletebucket`); as given when the catalog does not know it.
pub fn catalog_spelling(action: &str) -> String {
    catalog::lookup(action)
        .map(|i| i.iam_action.to_string())
        .or_else(|| catalog::iam_action(action).map(|i| i.iam_action.to_string()))
        .unwrap_or_else(|| action.to_string())
}

/// The arguments of `s3guard can` that reproduce a request with the
/// witness's key values (the facts of the request as `--context`).
fn can_args(
    req: &Request,
    caller: &str,
    resource_account: Option<&str>,
    keys: &[KeyNote],
    q: &Question,
) -> Vec<String> {
    let mut args = vec![catalog_spelling(&q.action), q.resource.clone()];
    args.push("--principal".into());
    args.push(caller.to_string());
    if let Some(a) = resource_account {
        args.push("--resource-account".into());
        args.push(a.to_string());
    }
    let mut derived = Context::new();
    req.principal.derive_context(&mut derived);
    for e in req.context.entries() {
        if e.origin != Origin::Given || derived.get(&e.key).is_some() {
            continue;
        }
        for v in e.value.values() {
            args.push("--context".into());
            args.push(format!("{}={v}", e.key));
        }
    }
    for k in keys {
        if let Some(v) = &k.value {
            for s in v.values() {
                args.push("--context".into());
                args.push(format!("{}={s}", k.key));
            }
        }
    }
    args
}

/// The statements whose principal, action and resource match and whose
/// applicability depends on a free key (a key the request does not carry
/// and AWS may send with the action), with those keys; a statement that a
/// known key already keeps from applying is not among them. `None` when a
/// resource names a policy variable without a value (the prover decides).
fn unknowns_of(
    req: &Request,
    traces: &[crate::explain::StatementTrace],
    q: &Question,
) -> Option<Vec<(Unknown, Vec<String>)>> {
    use crate::explain::Reason;
    let mut out = Vec::new();
    for t in traces {
        let mut free: Vec<String> = Vec::new();
        let mut possible = t.elements_match;
        for r in &t.reasons {
            match r {
                Reason::Resource { unresolved, .. } if !unresolved.is_empty() => return None,
                Reason::Layer { .. } => possible = false,
                Reason::Condition {
                    test: crate::explain::ConditionTest { key, .. },
                    result,
                    ..
                } => {
                    let known = req.context.get(key).is_some() || !sendable(q, req, key);
                    if known {
                        possible &= *result == crate::condition::Outcome::True;
                    } else if !free.iter().any(|f| f.eq_ignore_ascii_case(key)) {
                        free.push(key.clone());
                    }
                }
                _ => {}
            }
        }
        if possible && !free.is_empty() {
            out.push((
                Unknown {
                    r: t.statement_ref,
                    effect: t.effect,
                    applies_as: Applicability::Applies(t.principal_match()),
                },
                free,
            ));
        }
    }
    Some(out)
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
) -> Result<(AccessAnswer, Vec<StatementRef>), Vec<Diagnostic>> {
    let fixed = fixed_entries(req);
    let mut absent: Vec<String> = Vec::new();
    for m in ps.set.members() {
        for st in &m.policy.statements {
            for b in &st.condition.blocks {
                for k in &b.keys {
                    if req.context.get_lower(&k.key_lower).is_none()
                        && !sendable(q, req, &k.key)
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
        Proof::Proved(_) => Ok((AccessAnswer::Cannot(limited()), Vec::new())),
        Proof::Unknown { reason, .. } => Ok((
            AccessAnswer::Can(Grant {
                access: Access::Undecided,
                keys: Vec::new(),
                statements: Vec::new(),
                witness: None,
                note: Some(reason),
            }),
            Vec::new(),
        )),
        Proof::Counterexample(w, _) => {
            let keys: Vec<KeyNote> = canonical(
                w.context
                    .iter()
                    .filter(|(k, _)| req.context.get(k).is_none() && sendable(q, req, k))
                    .map(|(k, v)| KeyNote {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            );
            // The catalog's spelling, not the matcher's lower case.
            let action = catalog_spelling(w.request.action.as_str());
            let mut args = w.args.clone();
            if let Some(first) = args.first_mut() {
                *first = action.clone();
            }
            let example = Example {
                action,
                resource: w.request.resource.as_str().to_string(),
                args,
            };
            // A pattern's witness is one request: ask again as a concrete
            // question whether that request is allowed whatever the context.
            let access = if concrete.is_none() && keys.is_empty() {
                Access::Allowed
            } else {
                Access::Conditional
            };
            Ok((
                AccessAnswer::Can(Grant {
                    access,
                    keys,
                    statements: deciding(ps, &w.response.determining),
                    witness: Some(example),
                    note: None,
                }),
                w.response.determining.to_vec(),
            ))
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
                    m.policy.name,
                    s.location.start().line,
                    s.location.start().column
                ),
            })
        })
        .collect()
}

/// The layers that denied or did not allow, when some grant existed.
fn limiting(resp: &Response) -> Vec<PolicyType> {
    let pt = &resp.per_type;
    let grant = pt.identity == LayerDecision::Allowed
        || pt.resource == LayerDecision::Allowed
        || pt.access_point == LayerDecision::Allowed;
    let mut out = Vec::new();
    for t in PolicyType::ALL {
        let d = pt.get(t);
        if d == LayerDecision::ExplicitDeny
            || (grant
                && d == LayerDecision::ImplicitDeny
                && !matches!(
                    t,
                    PolicyType::Identity | PolicyType::Resource | PolicyType::AccessPoint
                ))
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
