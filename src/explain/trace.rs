//! Traces: how each statement fared against a request, element by element,
//! as typed [`Reason`]s that serialize to JSON.
//!
//! A trace is what the one statement matcher
//! ([`PolicySet::applicability`]) saw: [`Tracer`] is the observer
//! that writes each element's fact down, so an explanation can never
//! disagree with the decision it explains.

use std::fmt;

use serde::Serialize;

use super::display_string;
use crate::condition::{Block, KeyCondition, KeyReason, KeyResult, Outcome};
use crate::eval::applicability::{Applicability, Observer};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{PrincipalMatch, StatementRef};
use crate::policy::{ClauseMatch, Effect, PolicyType, PrincipalClause, Statement};
use crate::request::context::{Context, ContextValue};
use crate::request::{Principal, Request};

/// Why a layer does not take part for this caller (E-4, E-7, E-12, E-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerAbsence {
    /// Identity-side layers do not bind anonymous callers.
    AnonymousCaller,
    /// Identity-side layers do not bind AWS service principals.
    ServiceCaller,
    /// Only IAM users and roles have permissions boundaries.
    NoBoundary,
    /// Session policies bind only role and federated-user sessions.
    NoSession,
    /// SCPs do not bind the management account.
    ManagementAccountScp,
    /// SCPs and RCPs do not restrict service-linked roles.
    ServiceLinkedRole,
    /// RCPs do not bind the management account's resources.
    ManagementAccountRcp,
    /// The request does not come through the VPC endpoint.
    NotThroughEndpoint,
    /// The request does not go through the access point (its resource is
    /// not an access point ARN), or the bucket policy at the access point.
    NotThroughAccessPoint,
    /// Any other layer that does not bind this caller.
    NotApplicable,
}

impl LayerAbsence {
    /// Why `layer` does not take part in this request under this set: the
    /// exemptions of SCPs and RCPs are the evaluator's own (E-4), so the
    /// reason given is the one that decided.
    pub fn of(layer: PolicyType, req: &Request, set: &PolicySet) -> LayerAbsence {
        use crate::eval::authorizer::OrgExemption;
        use PolicyType::{AccessPoint, Boundary, Identity, Rcp, Scp, Session, VpcEndpoint};
        let org = |exemption: Option<OrgExemption>, management| match exemption {
            Some(OrgExemption::ServiceLinkedRole) => LayerAbsence::ServiceLinkedRole,
            Some(OrgExemption::ManagementAccount) => management,
            None => LayerAbsence::NotApplicable,
        };
        match (layer, &req.principal) {
            (Identity | Boundary | Session | Scp, Principal::Anonymous) => {
                LayerAbsence::AnonymousCaller
            }
            (Identity | Boundary | Session | Scp, Principal::Service(_)) => {
                LayerAbsence::ServiceCaller
            }
            (Boundary, Principal::Root { .. } | Principal::FederatedUser { .. }) => {
                LayerAbsence::NoBoundary
            }
            (Session, Principal::User { .. } | Principal::Root { .. }) => LayerAbsence::NoSession,
            (Scp, p) if p.is_iam() => {
                org(set.scp_exemption(req), LayerAbsence::ManagementAccountScp)
            }
            (Rcp, _) => org(set.rcp_exemption(req), LayerAbsence::ManagementAccountRcp),
            (VpcEndpoint, _) => LayerAbsence::NotThroughEndpoint,
            (AccessPoint, _) => LayerAbsence::NotThroughAccessPoint,
            _ => LayerAbsence::NotApplicable,
        }
    }
}

impl fmt::Display for LayerAbsence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LayerAbsence::AnonymousCaller => "the caller is anonymous",
            LayerAbsence::ServiceCaller => "the caller is an AWS service principal (SCPs bind only IAM users and roles of member accounts)",
            LayerAbsence::NoBoundary => "only IAM users and roles have permissions boundaries",
            LayerAbsence::NoSession => "session policies apply only to role and federated-user sessions",
            LayerAbsence::ManagementAccountScp => "SCPs do not apply in the organization's management account",
            LayerAbsence::ManagementAccountRcp => "RCPs do not apply to resources of the management account",
            LayerAbsence::ServiceLinkedRole => "the caller is a service-linked role, which SCPs and RCPs do not restrict",
            LayerAbsence::NotThroughEndpoint => "the request does not come through the VPC endpoint (no aws:SourceVpce in the request; pass --vpce ID)",
            LayerAbsence::NotThroughAccessPoint => "the request does not go through the access point (its resource is not an access point ARN)",
            LayerAbsence::NotApplicable => "not applicable to this caller",
        })
    }
}

/// How the caller fared against a `Principal`/`NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalDetail {
    /// How the caller matched (`None`: it did not).
    pub how: Option<PrincipalMatch>,
    /// The element is `NotPrincipal`.
    pub not_principal: bool,
    /// The caller, as shown (`arn:aws:iam::…`, `anonymous`).
    pub caller: String,
}

impl fmt::Display for PrincipalDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.how, self.not_principal) {
            (Some(PrincipalMatch::NotPrincipal), _) => {
                f.write_str("the caller is not excluded by NotPrincipal")
            }
            (Some(how), _) => write!(
                f,
                "the caller matches `Principal` ({})",
                match how {
                    PrincipalMatch::Direct => "by its own ARN",
                    PrincipalMatch::Parent => "through its role or user",
                    PrincipalMatch::Account =>
                        "through its account: a delegation, the identity policy must allow too",
                    _ => "by `*`",
                }
            ),
            (None, true) => f.write_str("NotPrincipal excludes the caller"),
            (None, false) => write!(
                f,
                "the caller `{}` is not named in `Principal`",
                self.caller
            ),
        }
    }
}

/// One key of a condition block as the policy writes it: `StringEquals
/// s3:prefix ["home/"]`. Traces and near misses show it flattened into
/// their own fields (`operator`, `key`, `values`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionTest {
    /// The operator as written.
    pub operator: String,
    /// The key as written.
    pub key: String,
    /// The policy values.
    pub values: Vec<String>,
}

impl fmt::Display for ConditionTest {
    /// `StringEquals s3:prefix [home/, public/]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} [{}]",
            self.operator,
            self.key,
            self.values.join(", ")
        )
    }
}

/// Why an element of a statement matched or not: the one vocabulary of
/// explanations (traces, near misses, reviews read it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "element", rename_all = "camelCase")]
pub enum Reason {
    /// The policy's layer does not take part for this caller.
    Layer {
        /// Why.
        #[serde(serialize_with = "display_string")]
        detail: LayerAbsence,
    },
    /// `Principal` / `NotPrincipal`.
    Principal {
        /// Whether it lets the statement apply.
        matched: bool,
        /// How the caller matched.
        #[serde(skip_serializing_if = "Option::is_none")]
        how: Option<PrincipalMatch>,
        /// The facts, shown as one sentence.
        #[serde(serialize_with = "display_string")]
        detail: PrincipalDetail,
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
        /// The test.
        #[serde(flatten)]
        test: ConditionTest,
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
    /// The layer of its policy.
    pub policy_type: PolicyType,
    /// AWS simulator policy id.
    pub source_id: String,
    /// 0-based statement index.
    pub index: usize,
    /// The statement's `Sid`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
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
        format!(
            "{}:{}:{}",
            crate::render::escape::value(&self.policy),
            self.line,
            self.column
        )
    }

    /// `Sid X` or `statement #N` (control characters escaped).
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) => format!("Sid {}", crate::render::escape::value(s)),
            None => format!("statement #{}", self.index + 1),
        }
    }

    /// How the caller matched the statement's principal element, if it has
    /// one and it matched.
    pub fn principal_match(&self) -> Option<PrincipalMatch> {
        self.reasons.iter().find_map(|r| match r {
            Reason::Principal { how, .. } => *how,
            _ => None,
        })
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
                    test,
                    result: Outcome::False | Outcome::Error,
                    why,
                    context_value,
                } => {
                    let ConditionTest { operator, key, .. } = test;
                    return match (why, context_value) {
                        (KeyReason::Missing, _) => format!("does not apply: condition {test} is false because {key} is missing from the request"),
                        (KeyReason::WrongType(t), Some(v)) => format!("does not apply: {key} = {v} is not {t} ({operator})"),
                        (KeyReason::MultiValuedWithoutSetOperator, _) => format!("does not apply: {key} has several values but {operator} has no ForAnyValue:/ForAllValues: (false, spec C-13)"),
                        (KeyReason::EmptyValueList, _) => format!("does not apply: {operator} {key} lists no values"),
                        (_, Some(v)) => format!("does not apply: condition {test} is false for {v}"),
                        (_, None) => format!("does not apply: condition {test} is false"),
                    };
                }
                _ => {}
            }
        }
        "does not apply".to_string()
    }
}

/// The observer that writes a trace: a reason per element the matcher saw.
struct Tracer<'a> {
    caller: &'a Principal,
    context: &'a Context,
    reasons: Vec<Reason>,
    elements_match: bool,
}

impl Observer for Tracer<'_> {
    const EVERY_ELEMENT: bool = true;

    fn principal(&mut self, clause: &PrincipalClause, matched: Option<PrincipalMatch>) {
        self.reasons.push(Reason::Principal {
            matched: matched.is_some(),
            how: matched,
            detail: PrincipalDetail {
                how: matched,
                not_principal: clause.is_not(),
                caller: self.caller.to_string(),
            },
        });
    }

    fn action(&mut self, stmt: &Statement, m: ClauseMatch) {
        self.reasons.push(Reason::Action {
            matched: m.applies,
            name: stmt.action.element(),
            pattern: m
                .entry
                .and_then(|i| stmt.action.patterns().get(i))
                .map(|p| p.as_str().to_string()),
        });
    }

    fn resource(&mut self, stmt: &Statement, m: ClauseMatch) {
        let patterns = stmt.resource.patterns();
        let mut unresolved: Vec<String> = Vec::new();
        for (i, p) in patterns.iter().enumerate().take(64) {
            if m.unresolved & (1u64 << i) == 0 {
                continue;
            }
            for v in p.resource_variables() {
                let shown = v.to_string();
                if !unresolved.contains(&shown) {
                    unresolved.push(shown);
                }
            }
        }
        self.reasons.push(Reason::Resource {
            matched: m.applies,
            name: stmt.resource.element(),
            pattern: m
                .entry
                .and_then(|i| patterns.get(i))
                .map(|p| p.as_str().to_string()),
            unresolved,
        });
    }

    fn elements(&mut self, all_match: bool) {
        self.elements_match = all_match;
    }

    fn condition(&mut self, block: &Block, key: &KeyCondition, result: KeyResult) {
        self.reasons.push(Reason::Condition {
            test: ConditionTest {
                operator: block.operator_text.clone(),
                key: key.key.clone(),
                values: key.raw_values.clone(),
            },
            context_value: self
                .context
                .get_lower(&key.key_lower)
                .map(|e| e.value.clone()),
            result: result.outcome,
            why: result.reason,
        });
    }
}

impl PolicySet {
    /// The traces of the set's statements for a request: every statement,
    /// or with `relevant_only` the compiled index's candidates (statements
    /// whose action and resource may match, in the layers that take part).
    pub(crate) fn traces(&self, req: &Request, relevant_only: bool) -> Vec<StatementTrace> {
        let part = self.participation(req);
        let relevant = relevant_only.then(|| self.candidate_statements(req));
        let mut traces = Vec::new();
        for (pi, member) in self.members().iter().enumerate() {
            let takes_part = part
                .layers()
                .iter()
                .any(|(t, on)| *t == member.layer && *on);
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
                    source_id: member.source_id.to_string(),
                    index: si,
                    sid: stmt.sid.clone(),
                    effect: stmt.effect,
                    line: stmt.location.start().line,
                    column: stmt.location.start().column,
                    applies: false,
                    elements_match: false,
                    reasons: Vec::new(),
                };
                if takes_part {
                    let mut tracer = Tracer {
                        caller: &req.principal,
                        context: &req.context,
                        reasons: Vec::new(),
                        elements_match: false,
                    };
                    let a = self.applicability(
                        stmt,
                        member.layer,
                        req,
                        false,
                        part.boundary,
                        &mut tracer,
                    );
                    trace.applies = matches!(a, Applicability::Applies(_));
                    trace.elements_match = tracer.elements_match;
                    trace.reasons = tracer.reasons;
                } else {
                    trace.reasons.push(Reason::Layer {
                        detail: LayerAbsence::of(member.layer, req, self),
                    });
                }
                traces.push(trace);
            }
        }
        traces
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    #[test]
    fn traces_say_why_statements_did_not_apply() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Office","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;
        let set = PolicySet::identity([Policy::parse("p.json", p).unwrap()]);
        let req = Request::new("s3:GetObject", "arn:aws:s3:::other/x").unwrap();
        let e = set.evaluate(&req);
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
    fn a_trace_agrees_with_the_fast_matcher_on_every_element_spec_e1() {
        // The traced and the fast path are one matcher: a statement the
        // fast path skips because its action fails is still traced in full.
        let p = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":["arn:aws:s3:::b/${aws:username}/*","arn:aws:s3:::b/*"],"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}"#;
        let set = PolicySet::identity([Policy::parse("p.json", p).unwrap()]);
        let req = Request::new("s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        let e = set.evaluate(&req);
        let t = &e.traces[0];
        assert!(!t.applies && !t.elements_match);
        assert!(
            matches!(
                t.reasons.as_slice(),
                [
                    Reason::Action { matched: false, .. },
                    Reason::Resource { matched: true, pattern: Some(p), unresolved, .. },
                    Reason::Condition { why: KeyReason::Missing, .. }
                ] if p == "arn:aws:s3:::b/*" && unresolved == &vec!["${aws:username}".to_string()]
            ),
            "{:?}",
            t.reasons
        );
        let json = serde_json::to_value(&e.traces).unwrap();
        assert_eq!(json[0]["reasons"][1]["unresolved"][0], "${aws:username}");
    }
}
