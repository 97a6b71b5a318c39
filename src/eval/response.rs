//! What an authorization answers: the decision, the statements that
//! determined it, and which layer decided (spec O-1, O-3).

use std::fmt;

use serde::Serialize;
use smallvec::SmallVec;

use crate::eval::acl::AclGrantRef;
use crate::eval::block_public_access::Refusal;
use crate::policy::PolicyType;

/// The three-valued decision (E-2, E-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Decision {
    /// Some applicable Allow, no Deny, no guardrail blocking.
    Allowed,
    /// Some applicable Deny.
    ExplicitDeny,
    /// No applicable Allow (or a guardrail without one).
    ImplicitDeny,
}

impl Decision {
    /// Whether the request is allowed.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allowed
    }

    /// AWS simulator spelling (`allowed`, `explicitDeny`, `implicitDeny`).
    pub fn aws_name(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }

    /// Case-file spelling (`Allow`, `ExplicitDeny`, `ImplicitDeny`).
    pub fn case_name(self) -> &'static str {
        match self {
            Decision::Allowed => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }

    /// The first line of `s3guard can` text output.
    pub fn headline(self) -> &'static str {
        match self {
            Decision::Allowed => "ALLOW",
            Decision::ExplicitDeny => "DENY (explicit)",
            Decision::ImplicitDeny => "DENY (implicit)",
        }
    }

    /// Parses the case-file or AWS spelling.
    pub fn parse(s: &str) -> Option<Decision> {
        Some(match s {
            "Allow" | "allowed" | "Allowed" | "allow" => Decision::Allowed,
            "ExplicitDeny" | "explicitDeny" | "explicit-deny" => Decision::ExplicitDeny,
            "ImplicitDeny" | "implicitDeny" | "implicit-deny" => Decision::ImplicitDeny,
            _ => return None,
        })
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.headline())
    }
}

/// A statement of a policy set: policy index (in the set) and statement index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StatementRef {
    /// Index of the policy in the set.
    pub policy: u32,
    /// Index of the statement in the policy.
    pub statement: u32,
}

/// A layer's own verdict (O-3 `perPolicyType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LayerDecision {
    /// The layer allows (for guardrails: does not block).
    Allowed,
    /// The layer has an applicable Deny.
    ExplicitDeny,
    /// The layer has no applicable Allow.
    ImplicitDeny,
    /// No policy of this type was given.
    NotPresent,
    /// Policies of this type do not take part for this caller (SCPs for
    /// anonymous callers, …).
    NotApplicable,
}

/// Verdict of every layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PerType {
    /// Identity-based policies.
    pub identity: LayerDecision,
    /// The bucket (resource-based) policy.
    pub resource: LayerDecision,
    /// The permissions boundary.
    pub boundary: LayerDecision,
    /// Session policies.
    pub session: LayerDecision,
    /// SCPs (every level).
    pub scp: LayerDecision,
    /// RCPs (every level).
    pub rcp: LayerDecision,
    /// The VPC endpoint policy (requests through the endpoint only).
    pub vpce: LayerDecision,
    /// S3 Block Public Access (E-15, E-19): `explicitDeny` when one of its
    /// settings refuses this request (the settings "act as explicit deny
    /// policies"), `notApplicable` when a setting is on but none refuses,
    /// `notPresent` when all four are off.
    pub block_public_access: LayerDecision,
    /// The access point policy (requests through an access point only,
    /// spec AP-1).
    pub access_point: LayerDecision,
    /// The access point's own restrictions (spec AP-4, AP-5): `explicitDeny`
    /// when it refuses the request (from outside its VPC, anonymous, not
    /// over HTTPS, or a public access point policy under its Block Public
    /// Access settings), `notApplicable` when the request does not go
    /// through an access point, `notPresent` without one.
    pub access_point_restrictions: LayerDecision,
}

impl PerType {
    /// The verdict of one layer.
    pub fn get(&self, t: PolicyType) -> LayerDecision {
        match t {
            PolicyType::Identity => self.identity,
            PolicyType::Resource => self.resource,
            PolicyType::Boundary => self.boundary,
            PolicyType::Session => self.session,
            PolicyType::Scp => self.scp,
            PolicyType::Rcp => self.rcp,
            PolicyType::VpcEndpoint => self.vpce,
            PolicyType::AccessPoint => self.access_point,
        }
    }
}

/// How a resource-policy statement's `Principal` matched the caller (E-8),
/// which decides whether guardrails still apply to the grant (E-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalMatch {
    /// The caller's own ARN (user, session, federated user, service).
    Direct,
    /// The caller's parent: the role of a session, the user of a federated session.
    Parent,
    /// The caller's account (a delegation: the identity policy must allow too).
    Account,
    /// `"*"` / `{"AWS":"*"}`.
    Wildcard,
    /// `NotPrincipal` that does not exclude the caller.
    NotPrincipal,
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The decision.
    pub decision: Decision,
    /// The statements that determined it: the Deny statements for an
    /// explicit deny, the Allow statements that granted for an allow, none
    /// for an implicit deny (O-1 `MatchedStatements`).
    pub determining: SmallVec<[StatementRef; 4]>,
    /// For an implicit deny, the layer that did not allow (for the
    /// explicit deny of Block Public Access, see
    /// [`Response::is_blocked_by_public_access`]).
    pub blocked_by: Option<PolicyType>,
    /// Every layer's verdict.
    pub per_type: PerType,
    /// Caller and resource in the same account.
    pub same_account: bool,
    /// A request value had the wrong type for a condition operator (the
    /// statement did not apply); `Evaluation::diagnostics` says which.
    pub has_condition_errors: bool,
    /// The bucket setting that refused the request (Block Public Access,
    /// or ACLs disabled by Object Ownership), when no Deny statement
    /// applies: the decision is then an explicit deny (E-19, E-21).
    pub refused_by: Option<Refusal>,
    /// For an allow, the ACL grants that allowed (besides the statements
    /// of `determining`, E-20).
    pub acl_grants: SmallVec<[AclGrantRef; 2]>,
}

impl Response {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }

    /// Whether the access point refused the request whatever the policies
    /// say (from outside its VPC, anonymous, not over HTTPS, or a public
    /// access point policy under its Block Public Access settings; spec
    /// AP-4, AP-5): an explicit deny with no determining statement.
    pub fn is_refused_by_access_point(&self) -> bool {
        self.decision == Decision::ExplicitDeny
            && self.determining.is_empty()
            && self.per_type.access_point_restrictions == LayerDecision::ExplicitDeny
    }

    /// Whether S3 Block Public Access decided, and no Deny statement
    /// applies (E-15, E-19). The decision is then an explicit deny
    /// with no determining statement: the settings "act as explicit deny
    /// policies" (S3 User Guide, troubleshooting access denied errors).
    pub fn is_blocked_by_public_access(&self) -> bool {
        self.refusal().is_some_and(Refusal::is_block_public_access)
    }

    /// The bucket setting that decided the explicit deny, when no Deny
    /// statement did (E-19, E-21).
    pub fn refusal(&self) -> Option<Refusal> {
        self.refused_by
            .filter(|_| self.decision == Decision::ExplicitDeny && self.determining.is_empty())
    }
}
