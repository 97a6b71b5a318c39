//! Explanations: why each statement did or did not apply, which missing
//! context keys the answer depends on, and what s3guard assumed (spec O-1,
//! O-3; issue "missing context, said out loud").
//!
//! This is the slow, allocating companion of [`PolicySet::authorize`]: it
//! re-walks every statement and keeps typed reasons that serialize to JSON.

pub mod grants;
pub mod near_miss;
pub mod probe;

use serde::Serialize;

use crate::condition::{KeyReason, Operator, Outcome};
use crate::eval::authorizer::Applicability;
use crate::eval::policy_set::PolicySet;
use crate::eval::principal_match::match_clause;
use crate::eval::response::{Decision, PrincipalMatch, Response, StatementRef};
use crate::matcher::{Match, Resource};
use crate::policy::{Effect, PolicyType, Statement};
use crate::request::context::ContextValue;
use crate::request::{Principal, Request};

/// Why an element of a statement matched or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "element", rename_all = "camelCase")]
pub enum Reason {
    /// The policy's layer does not take part for this caller.
    Layer {
        /// Why.
        detail: String,
    },
    /// `Principal` / `NotPrincipal`.
    Principal {
        /// Whether it lets the statement apply.
        matched: bool,
        /// How the caller matched.
        #[serde(skip_serializing_if = "Option::is_none")]
        how: Option<PrincipalMatch>,
        /// Explanation.
        detail: String,
    },
    /// `Action` / `NotAction`.
    Action {
        /// Whether it lets the statement apply.
        matched: bool,
        /// `Action` or `NotAction`.
        name: &'static str,
        /// The entry that matched the request action, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        pattern: Option<String>,
    },
    /// `Resource` / `NotResource`.
    Resource {
        /// Whether it lets the statement apply.
        matched: bool,
        /// `Resource` or `NotResource`.
        name: &'static str,
        /// The entry that matched the request resource, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        pattern: Option<String>,
        /// Variables without a value (their entries match nothing, V-4).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        unresolved: Vec<String>,
    },
    /// One key of a condition block.
    Condition {
        /// The operator as written.
        operator: String,
        /// The key as written.
        key: String,
        /// The policy values.
        values: Vec<String>,
        /// The request's value, if present.
        #[serde(skip_serializing_if = "Option::is_none")]
        context_value: Option<ContextValue>,
        /// True, false or error.
        result: Outcome,
        /// Why.
        why: KeyReason,
    },
}

/// How one statement fared.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementTrace {
    /// The statement.
    #[serde(skip)]
    pub statement_ref: StatementRef,
    /// Policy display name.
    pub policy: String,
    /// Layer.
    pub policy_type: PolicyType,
    /// AWS simulator policy id.
    pub source_id: String,
    /// 0-based statement index.
    pub index: usize,
    /// Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Effect.
    pub effect: Effect,
    /// Line of the statement.
    pub line: u32,
    /// Column of the statement.
    pub column: u32,
    /// Whether the statement applies to the request.
    pub applies: bool,
    /// Principal, action and resource all matched (the condition decides).
    pub elements_match: bool,
    /// The reasons, element by element.
    pub reasons: Vec<Reason>,
}

impl StatementTrace {
    /// `FILE:LINE:COL`.
    pub fn position(&self) -> String {
        format!("{}:{}:{}", self.policy, self.line, self.column)
    }

    /// `Sid X` or `statement #N`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) => format!("Sid {s}"),
            None => format!("statement #{}", self.index + 1),
        }
    }

    /// One line saying why the statement did or did not apply.
    pub fn summary(&self) -> String {
        if self.applies {
            return "applies".to_string();
        }
        for r in &self.reasons {
            match r {
                Reason::Layer { detail } => return format!("not evaluated: {detail}"),
                Reason::Principal {
                    matched: false,
                    detail,
                    ..
                } => return format!("does not apply: {detail}"),
                Reason::Action {
                    matched: false,
                    name,
                    pattern,
                    ..
                } => {
                    return match (name, pattern) {
                        (&"NotAction", Some(p)) => {
                            format!("does not apply: the action is excluded by NotAction `{p}`")
                        }
                        _ => "does not apply: the action is not listed".to_string(),
                    }
                }
                Reason::Resource {
                    matched: false,
                    name,
                    pattern,
                    unresolved,
                } => {
                    let mut s = match (name, pattern) {
                        (&"NotResource", Some(p)) => {
                            format!("does not apply: the resource is excluded by NotResource `{p}`")
                        }
                        _ => "does not apply: the resource matches no Resource entry".to_string(),
                    };
                    if !unresolved.is_empty() {
                        s.push_str(&format!(
                            " ({} has no value in this request)",
                            unresolved.join(", ")
                        ));
                    }
                    return s;
                }
                Reason::Condition {
                    operator,
                    key,
                    result: Outcome::False | Outcome::Error,
                    why,
                    context_value,
                    values,
                } => {
                    let shown = values.join(", ");
                    return match (why, context_value) {
                        (KeyReason::Missing, _) => format!("does not apply: condition {operator} {key} [{shown}] is false because {key} is missing from the request"),
                        (KeyReason::WrongType(t), Some(v)) => format!("does not apply: {key} = {v} is not {t} ({operator})"),
                        (KeyReason::MultiValuedWithoutSetOperator, _) => format!("does not apply: {key} has several values but {operator} has no ForAnyValue:/ForAllValues: (false, spec C-13)"),
                        (KeyReason::EmptyValueList, _) => format!("does not apply: {operator} {key} lists no values"),
                        (_, Some(v)) => format!("does not apply: condition {operator} {key} [{shown}] is false for {v}"),
                        (_, None) => format!("does not apply: condition {operator} {key} [{shown}] is false"),
                    };
                }
                _ => {}
            }
        }
        "does not apply".to_string()
    }
}

/// A full answer: the response plus everything people need to trust it.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The decision and determining statements.
    pub response: Response,
    /// Every statement of the set, with reasons.
    pub traces: Vec<StatementTrace>,
    /// Condition keys the answer depended on that the request did not carry (O-1).
    pub missing_context: Vec<String>,
    /// Things the user should know (what-ifs on missing keys, assumptions).
    pub notes: Vec<String>,
    /// Request values that could not be compared (wrong type).
    pub condition_errors: Vec<String>,
}

impl Evaluation {
    /// The trace of a statement.
    pub fn trace(&self, r: StatementRef) -> Option<&StatementTrace> {
        self.traces.iter().find(|t| t.statement_ref == r)
    }
}

impl PolicySet {
    /// Authorizes and explains: traces every statement, lists missing
    /// context keys that matter and what the answer would be with them.
    pub fn evaluate(&self, req: &Request) -> Evaluation {
        self.evaluate_traced(req, false)
    }

    /// As [`PolicySet::evaluate`], but traces only the statements whose
    /// action and resource may match (the compiled index's candidates, in
    /// the layers that take part): the same decision, missing context,
    /// notes and condition errors, without a trace per statement of the
    /// set. For callers that ask many questions of large policies.
    pub fn evaluate_relevant(&self, req: &Request) -> Evaluation {
        self.evaluate_traced(req, true)
    }

    fn evaluate_traced(&self, req: &Request, relevant_only: bool) -> Evaluation {
        let response = self.authorize(req);
        let part = self.participation(req);
        let caller_has_boundary = part.boundary;
        let relevant = relevant_only.then(|| self.candidate_statements(req));
        let mut traces = Vec::new();
        for (pi, member) in self.members().iter().enumerate() {
            let takes_part = match member.layer {
                PolicyType::Identity => part.identity,
                PolicyType::Resource => part.resource,
                PolicyType::Boundary => part.boundary,
                PolicyType::Session => part.session,
                PolicyType::Scp => part.scp,
                PolicyType::Rcp => part.rcp,
                PolicyType::VpcEndpoint => part.vpce,
            };
            for (si, stmt) in member.policy.statements.iter().enumerate() {
                let r = StatementRef {
                    policy: u32::try_from(pi).unwrap_or(u32::MAX),
                    statement: u32::try_from(si).unwrap_or(u32::MAX),
                };
                if relevant
                    .as_ref()
                    .is_some_and(|c| c.binary_search(&r).is_err())
                {
                    continue;
                }
                let mut trace = StatementTrace {
                    statement_ref: r,
                    policy: member.policy.name.clone(),
                    policy_type: member.layer,
                    source_id: member.source_id.clone(),
                    index: si,
                    sid: stmt.sid.clone(),
                    effect: stmt.effect,
                    line: stmt.location.start.line,
                    column: stmt.location.start.column,
                    applies: false,
                    elements_match: false,
                    reasons: Vec::new(),
                };
                if takes_part {
                    trace_statement(
                        self,
                        stmt,
                        member.layer,
                        req,
                        caller_has_boundary,
                        &mut trace,
                    );
                } else {
                    trace.reasons.push(Reason::Layer {
                        detail: layer_absence(member.layer, &req.principal),
                    });
                }
                traces.push(trace);
            }
        }
        let mut eval = Evaluation {
            response,
            traces,
            missing_context: Vec::new(),
            notes: Vec::new(),
            condition_errors: Vec::new(),
        };
        self.missing_and_what_ifs(req, &mut eval);
        self.general_notes(req, &mut eval);
        eval
    }

    fn missing_and_what_ifs(&self, req: &Request, eval: &mut Evaluation) {
        // a service key the action never carries is absent, not missing (C-15)
        let action_info = crate::catalog::info(&req.action);
        let never_sent = |key: &str| action_info.is_some_and(|i| !i.can_carry_key(key));
        let mut missing: Vec<String> = Vec::new();
        let mut notes = Vec::new();
        for t in &eval.traces {
            if !t.elements_match {
                continue;
            }
            let mut keys_missing: Vec<(&str, &str, &[String])> = Vec::new();
            for r in &t.reasons {
                if let Reason::Condition {
                    key,
                    why,
                    operator,
                    values,
                    result,
                    context_value,
                } = r
                {
                    match why {
                        KeyReason::Missing if never_sent(key) => {}
                        KeyReason::Missing => {
                            if !missing.iter().any(|m| m.eq_ignore_ascii_case(key)) {
                                missing.push(key.clone());
                            }
                            keys_missing.push((key.as_str(), operator.as_str(), values.as_slice()));
                        }
                        KeyReason::WrongType(ty) if *result == Outcome::Error => {
                            eval.condition_errors.push(format!(
                                "{}: `{key}` = {} is not {ty} for `{operator}`; {} does not apply",
                                t.position(),
                                context_value
                                    .as_ref()
                                    .map(ToString::to_string)
                                    .unwrap_or_default(),
                                t.label()
                            ));
                        }
                        _ => {}
                    }
                }
            }
            if keys_missing.is_empty() {
                continue;
            }
            let flipped = if t.applies {
                Applicability::DoesNotApply
            } else {
                let how = t.reasons.iter().find_map(|r| match r {
                    Reason::Principal { how, .. } => *how,
                    _ => None,
                });
                Applicability::Applies(how)
            };
            let alt = self.authorize_forcing(req, &[(t.statement_ref, flipped)]);
            if alt.decision == eval.response.decision {
                continue;
            }
            let alt_name = alt.decision.headline();
            let note = match keys_missing.as_slice() {
                [(key, op, values)] => {
                    let negated = Operator::parse(op).map(|o| o.negated).unwrap_or(false);
                    let vals = values.join(" or ");
                    let cond = if t.applies {
                        if negated {
                            format!("if it matched {vals}")
                        } else {
                            format!("if it were supplied and did not match {vals}")
                        }
                    } else if negated {
                        format!("if it matched none of {vals}")
                    } else {
                        format!("if it matched {vals}")
                    };
                    format!(
                        "decision depends on missing key {key} (would be {alt_name} {cond}; {} {})",
                        t.position(),
                        t.label()
                    )
                }
                many => format!(
                    "decision depends on missing keys {} (would be {alt_name} if they were supplied and {} {} {})",
                    many.iter().map(|(k, _, _)| *k).collect::<Vec<_>>().join(", "),
                    t.position(),
                    t.label(),
                    if t.applies { "did not apply" } else { "applied" }
                ),
            };
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        missing.sort_by_key(|k| k.to_lowercase());
        eval.missing_context = missing;
        eval.notes.extend(notes);
    }

    fn general_notes(&self, req: &Request, eval: &mut Evaluation) {
        let notes = &mut eval.notes;
        for m in self.members() {
            if !m.policy.skipped.is_empty() {
                let places: Vec<String> = m
                    .policy
                    .skipped
                    .iter()
                    .filter_map(|d| d.location.map(|l| format!("{}:{}", l.line, l.column)))
                    .collect();
                notes.push(format!(
                    "{}: {} error(s) tolerated with --lenient (at {}); the statements they concern were skipped and this answer ignores them",
                    m.policy.name,
                    m.policy.skipped.len(),
                    places.join(", ")
                ));
            }
        }
        if crate::eval::authorizer::is_bucket_owner_root_policy_action(req)
            && self.has_layer(PolicyType::Resource)
        {
            notes.push("the bucket owner's root user can always read, change and delete the bucket policy; Deny statements of the bucket policy do not apply to it (spec E-11)".into());
        }
        if req.resource == Resource::Wildcard {
            for r in &eval.response.determining {
                let Some(stmt) = self.statement(*r) else {
                    continue;
                };
                if stmt.effect == Effect::Allow
                    && !stmt.resource.is_not()
                    && !stmt.resource.patterns().iter().any(|p| p.is_any())
                {
                    notes.push(format!(
                        "{} grants the wildcard-only action {} through `{}`; AWS documentation disagrees on whether that works: use \"Resource\": \"*\" (spec M-6)",
                        self.position(*r),
                        req.action,
                        stmt.resource.patterns().iter().map(|p| p.as_str()).collect::<Vec<_>>().join("`, `")
                    ));
                }
            }
        }
        if req.principal == Principal::Unspecified && self.has_layer(PolicyType::Resource) {
            let names_principals = eval.traces.iter().any(|t| {
                t.policy_type == PolicyType::Resource
                    && t.reasons
                        .iter()
                        .any(|r| matches!(r, Reason::Principal { matched: false, .. }))
            });
            if names_principals {
                notes.push("no --principal given: bucket policy statements that name specific principals were not matched; pass --principal ARN".into());
            }
        }
        if let Principal::FederatedUser { .. } = req.principal {
            if !self.has_layer(PolicyType::Session) && self.has_layer(PolicyType::Identity) {
                notes.push("a federated-user session without a session policy gets no permissions from identity policies (spec E-13)".into());
            }
        }
        if let Principal::RoleSession { .. } = req.principal {
            if req.context.get_lower("aws:principalarn").is_none()
                && self.members().iter().any(|m| {
                    m.layer == PolicyType::Resource
                        && m.policy.statements.iter().any(|s| {
                            s.principal.as_ref().is_some_and(|p| {
                                p.entries().iter().any(|e| matches!(&e.kind, crate::policy::PrincipalKind::Role { arn, .. } if arn.matches('/').count() > 1))
                            })
                        })
                })
            {
                notes.push("the role's path is unknown (session ARNs omit it): role principals were compared by account and name; pass --context aws:PrincipalArn=ROLE_ARN to be exact".into());
            }
        }
        if self.options().block_public_access
            && self.is_bucket_policy_public()
            && !self.public_access_restricts(req)
        {
            notes.push("the bucket policy is public: with Block Public Access on, it grants only to the bucket's account and to AWS services (spec E-15)".into());
        }
        let part = self.participation(req);
        for (t, takes_part) in [
            (PolicyType::Boundary, part.boundary),
            (PolicyType::Session, part.session),
            (PolicyType::Scp, part.scp),
            (PolicyType::Rcp, part.rcp),
            (PolicyType::VpcEndpoint, part.vpce),
            (PolicyType::Identity, part.identity),
        ] {
            if self.has_layer(t) && !takes_part {
                notes.push(format!(
                    "the {} does not take part: {}",
                    t.describe(),
                    layer_absence(t, &req.principal)
                ));
            }
        }
    }

    /// `FILE:LINE:COL (Sid X)` of a statement.
    pub fn position(&self, r: StatementRef) -> String {
        match (self.member(r), self.statement(r)) {
            (Some(m), Some(s)) => format!("{} ({})", m.policy.statement_position(s), s.label()),
            _ => "?".into(),
        }
    }
}

fn layer_absence(t: PolicyType, p: &Principal) -> String {
    match (t, p) {
        (PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp, Principal::Anonymous) => {
            "the caller is anonymous".into()
        }
        (PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp, Principal::Service(_)) => {
            "the caller is an AWS service principal (SCPs bind only IAM users and roles of member accounts)".into()
        }
        (PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp, Principal::CloudFrontOai { .. } | Principal::CanonicalUser { .. }) => {
            "the caller is a CloudFront origin access identity (or known only by its canonical user id): only the bucket policy can grant it access".into()
        }
        (PolicyType::Boundary, Principal::Root { .. } | Principal::FederatedUser { .. }) => {
            "only IAM users and roles have permissions boundaries".into()
        }
        (PolicyType::Session, Principal::User { .. } | Principal::Root { .. }) => {
            "session policies apply only to role and federated-user sessions".into()
        }
        (PolicyType::Scp, _) => "SCPs do not apply in the organization's management account".into(),
        (PolicyType::Rcp, _) => "RCPs do not apply to resources of the management account".into(),
        (PolicyType::VpcEndpoint, _) => "the request does not come through the VPC endpoint (no aws:SourceVpce in the request; pass --vpce ID)".into(),
        _ => "not applicable to this caller".into(),
    }
}

fn trace_statement(
    set: &PolicySet,
    stmt: &Statement,
    layer: PolicyType,
    req: &Request,
    caller_has_boundary: bool,
    trace: &mut StatementTrace,
) {
    let mut ok = true;
    if let (Some(clause), PolicyType::Resource | PolicyType::Rcp | PolicyType::VpcEndpoint) =
        (&stmt.principal, layer)
    {
        let m = match_clause(clause, layer, req, set.options(), caller_has_boundary);
        let detail = match (m, clause.is_not()) {
            (Some(PrincipalMatch::NotPrincipal), _) => {
                "the caller is not excluded by NotPrincipal".to_string()
            }
            (Some(how), _) => format!(
                "the caller matches `Principal` ({})",
                match how {
                    PrincipalMatch::Direct => "by its own ARN",
                    PrincipalMatch::Parent => "through its role or user",
                    PrincipalMatch::Account =>
                        "through its account: a delegation, the identity policy must allow too",
                    _ => "by `*`",
                }
            ),
            (None, true) => "NotPrincipal excludes the caller".to_string(),
            (None, false) => format!("the caller `{}` is not named in `Principal`", req.principal),
        };
        ok &= m.is_some();
        trace.reasons.push(Reason::Principal {
            matched: m.is_some(),
            how: m,
            detail,
        });
    }
    let action_pattern = stmt
        .action
        .patterns()
        .iter()
        .find(|p| p.matches(&req.action))
        .map(|p| p.as_str().to_string());
    let action_ok = stmt.action.matches(&req.action);
    ok &= action_ok;
    trace.reasons.push(Reason::Action {
        matched: action_ok,
        name: stmt.action.element(),
        pattern: action_pattern,
    });
    let mut matched_pattern = None;
    let mut unresolved = Vec::new();
    for p in stmt.resource.patterns() {
        match p.matches(&req.resource, req.action.service(), &req.context) {
            Match::Yes => {
                if matched_pattern.is_none() {
                    matched_pattern = Some(p.as_str().to_string());
                }
            }
            Match::Unresolved => {
                if let Some(g) = p.resource_glob() {
                    for v in g.variables() {
                        let shown = v.to_string();
                        if !unresolved.contains(&shown) {
                            unresolved.push(shown);
                        }
                    }
                }
            }
            Match::No => {}
        }
    }
    let resource_ok = stmt
        .resource
        .matches(&req.resource, req.action.service(), &req.context);
    ok &= resource_ok;
    trace.reasons.push(Reason::Resource {
        matched: resource_ok,
        name: stmt.resource.element(),
        pattern: matched_pattern,
        unresolved,
    });
    trace.elements_match = ok;
    let mut cond_ok = true;
    for block in &stmt.condition.blocks {
        for key in &block.keys {
            let res = key.evaluate_detailed(&block.operator, &req.context);
            cond_ok &= res.outcome == Outcome::True;
            trace.reasons.push(Reason::Condition {
                operator: block.operator_text.clone(),
                key: key.key.clone(),
                values: key.raw_values.clone(),
                context_value: req
                    .context
                    .get_lower(&key.key_lower)
                    .map(|e| e.value.clone()),
                result: res.outcome,
                why: res.reason,
            });
        }
    }
    trace.applies = ok && cond_ok;
}

/// Whether a decision was reached despite missing context (for exit codes and summaries).
pub fn depends_on_missing(eval: &Evaluation) -> bool {
    eval.notes
        .iter()
        .any(|n| n.starts_with("decision depends on missing key"))
        || (!eval.missing_context.is_empty() && eval.response.decision != Decision::Allowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn eval(policy: &str, action: &str, resource: &str, ctx: &[(&str, &str)]) -> Evaluation {
        let set = PolicySet::identity([Policy::parse("p.json", policy).unwrap()]);
        let mut req = Request::new(action, resource).unwrap();
        for (k, v) in ctx {
            req = req.with_context(k, v);
        }
        set.evaluate(&req)
    }

    const IP: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Office","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;

    #[test]
    fn missing_key_is_said_out_loud_issue3() {
        let e = eval(IP, "s3:GetObject", "arn:aws:s3:::b/x", &[]);
        assert_eq!(e.response.decision, Decision::ImplicitDeny);
        assert_eq!(e.missing_context, vec!["aws:SourceIp"]);
        assert_eq!(e.notes.len(), 1, "{:?}", e.notes);
        assert!(
            e.notes[0].starts_with("decision depends on missing key aws:SourceIp (would be ALLOW if it matched 203.0.113.0/24"),
            "{}",
            e.notes[0]
        );
        let with = eval(
            IP,
            "s3:GetObject",
            "arn:aws:s3:::b/x",
            &[("aws:SourceIp", "203.0.113.9")],
        );
        assert_eq!(with.response.decision, Decision::Allowed);
        assert!(with.missing_context.is_empty() && with.notes.is_empty());
    }

    #[test]
    fn missing_keys_of_unrelated_statements_are_not_reported() {
        let e = eval(IP, "s3:PutObject", "arn:aws:s3:::b/x", &[]);
        assert!(e.missing_context.is_empty());
        assert!(e.notes.is_empty());
    }

    #[test]
    fn traces_say_why_statements_did_not_apply() {
        let e = eval(IP, "s3:GetObject", "arn:aws:s3:::other/x", &[]);
        let t = &e.traces[0];
        assert!(!t.applies);
        assert_eq!(
            t.summary(),
            "does not apply: the resource matches no Resource entry"
        );
        let json = serde_json::to_value(t).unwrap();
        assert_eq!(json["reasons"][1]["element"], "resource");
        assert_eq!(json["reasons"][1]["matched"], false);
    }

    #[test]
    fn condition_type_errors_become_diagnostics() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}]}"#;
        let e = eval(
            p,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            &[("s3:max-keys", "ten")],
        );
        assert_eq!(e.response.decision, Decision::ImplicitDeny);
        assert!(e.response.has_condition_errors);
        assert_eq!(e.condition_errors.len(), 1);
        assert!(
            e.condition_errors[0].contains("is not a number"),
            "{}",
            e.condition_errors[0]
        );
    }
}
