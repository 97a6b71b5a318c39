//! The evaluation order across policy types (spec E-1..E-17).
//!
//! [`PolicySet::authorize`] first collects which statements apply, per layer,
//! then decides in one exhaustive match that follows AWS's enforcement logic.
//! It never fails and allocates nothing for the common case.

use smallvec::SmallVec;

use crate::eval::acl::AclGrantRef;
use crate::eval::applicability::{Applicability, Unobserved};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{
    Decision, LayerDecision, PerType, PrincipalMatch, Response, StatementRef,
};
use crate::matcher::Resource;
use crate::policy::{Effect, PolicyType};
use crate::request::{Principal, Request};

/// What the applicable statements of every layer say.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub deny: SmallVec<[StatementRef; 4]>,
    pub deny_layers: u8,
    pub identity_allow: SmallVec<[StatementRef; 4]>,
    pub resource_allow: SmallVec<[(StatementRef, PrincipalMatch); 4]>,
    pub boundary_allow: bool,
    pub session_allow: bool,
    pub vpce_allow: bool,
    pub scp_allowed_levels: u64,
    pub condition_errors: bool,
    /// ACL grants that allow, with how their grantee matched (E-20).
    pub acl_allow: SmallVec<[(AclGrantRef, PrincipalMatch); 2]>,
}

fn bit(t: PolicyType) -> u8 {
    1 << crate::eval::policy_set::layer_slot(t)
}

/// Why organization policies (SCPs or RCPs) do not bind a request (E-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrgExemption {
    /// The caller is a service-linked role or a session of one.
    ServiceLinkedRole,
    /// The caller (SCPs) or the resource (RCPs) is of the management account.
    ManagementAccount,
}

/// Which layers take part for this caller (E-4, E-7, E-12, E-13).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Participation {
    pub identity: bool,
    pub resource: bool,
    pub boundary: bool,
    pub session: bool,
    pub scp: bool,
    pub rcp: bool,
    /// The request comes through a VPC endpoint whose policy was given.
    pub vpce: bool,
    /// The request is asked at the access point (spec AP-1): the access
    /// point policy takes the bucket policy's place.
    pub access_point: bool,
}

impl Participation {
    /// Every layer, in evaluation order, and whether it takes part.
    pub(crate) fn layers(&self) -> [(PolicyType, bool); 8] {
        [
            (PolicyType::Identity, self.identity),
            (PolicyType::Resource, self.resource),
            (PolicyType::AccessPoint, self.access_point),
            (PolicyType::Boundary, self.boundary),
            (PolicyType::Session, self.session),
            (PolicyType::Scp, self.scp),
            (PolicyType::Rcp, self.rcp),
            (PolicyType::VpcEndpoint, self.vpce),
        ]
    }
}

/// The first component of the requested ARN's resource part (an S3
/// bucket), for the index's resource filter.
fn request_bucket(req: &Request) -> Option<&str> {
    match &req.resource {
        Resource::Arn(arn) => {
            let rest = arn.resource();
            // a byte search: `split_once('/')`'s char searcher was left out
            // of line by thin LTO after an unrelated change (130
            // instructions an answer; a `memchr` call costs about 60)
            Some(match crate::matcher::bytes::find(rest.as_bytes(), b'/') {
                Some(slash) => rest.get(..slash).unwrap_or(rest),
                None => rest,
            })
        }
        Resource::Wildcard => None,
    }
}

impl PolicySet {
    /// Why SCPs do not restrict this caller, if they do not (E-4): a
    /// service-linked role, or a principal of the management account.
    pub(crate) fn scp_exemption(&self, req: &Request) -> Option<OrgExemption> {
        if req.is_service_linked_role() {
            Some(OrgExemption::ServiceLinkedRole)
        } else if self.options().principal_in_management_account {
            Some(OrgExemption::ManagementAccount)
        } else {
            None
        }
    }

    /// Why RCPs do not restrict this request, if they do not (E-4): the
    /// caller is a service-linked role, or the resource is of the
    /// management account.
    pub(crate) fn rcp_exemption(&self, req: &Request) -> Option<OrgExemption> {
        if req.is_service_linked_role() {
            Some(OrgExemption::ServiceLinkedRole)
        } else if self.options().resource_in_management_account {
            Some(OrgExemption::ManagementAccount)
        } else {
            None
        }
    }

    pub(crate) fn participation(&self, req: &Request) -> Participation {
        let p = &req.principal;
        let iam = p.is_iam();
        let is_session = matches!(
            p,
            Principal::RoleSession { .. } | Principal::FederatedUser { .. }
        );
        let can_have_boundary = matches!(
            p,
            Principal::User { .. } | Principal::RoleSession { .. } | Principal::Unspecified
        );
        let at_access_point = self.is_access_point_request(req);
        Participation {
            identity: iam && self.has_layer(PolicyType::Identity),
            resource: !at_access_point && self.has_layer(PolicyType::Resource),
            access_point: at_access_point && self.has_layer(PolicyType::AccessPoint),
            boundary: can_have_boundary && self.has_layer(PolicyType::Boundary),
            session: (is_session || matches!(p, Principal::Unspecified))
                && self.has_layer(PolicyType::Session),
            scp: iam && self.scp_levels() > 0 && self.scp_exemption(req).is_none(),
            rcp: self.rcp_levels() > 0 && self.rcp_exemption(req).is_none(),
            vpce: self.has_layer(PolicyType::VpcEndpoint)
                && req.context.present("aws:sourcevpce").is_some(),
        }
    }

    /// Collects applicable statements; `naive` walks every statement instead
    /// of the index (the reference evaluator). `force` overrides whether the
    /// listed statements apply (what-ifs of explanations and reviews).
    pub(crate) fn collect(
        &self,
        req: &Request,
        naive: bool,
        force: &[(StatementRef, Applicability)],
    ) -> Collected {
        let part = self.participation(req);
        let mut c = Collected::default();
        let caller_has_boundary = part.boundary;
        let lockout_exempt = is_bucket_owner_root_policy_action(req);
        let bucket = request_bucket(req);
        for (layer, takes_part) in part.layers() {
            if !takes_part {
                continue;
            }
            let mut visit = |r: StatementRef, exact: bool| {
                let Some(member) = self.member(r) else { return };
                let Some(stmt) = member.policy.statements.get(r.statement as usize) else {
                    return;
                };
                let applicability = match force.iter().find(|(f, _)| *f == r) {
                    Some((_, a)) => *a,
                    None => self.applicability(
                        stmt,
                        layer,
                        req,
                        exact,
                        caller_has_boundary,
                        &mut Unobserved,
                    ),
                };
                match applicability {
                    Applicability::DoesNotApply => {}
                    Applicability::ConditionError => c.condition_errors = true,
                    Applicability::Applies(pm) => match stmt.effect {
                        Effect::Deny => {
                            if layer == PolicyType::Resource && lockout_exempt {
                                return;
                            }
                            c.deny.push(r);
                            c.deny_layers |= bit(layer);
                        }
                        Effect::Allow => match layer {
                            PolicyType::Identity => c.identity_allow.push(r),
                            // at an access point, its policy is the
                            // resource policy (AP-1)
                            PolicyType::Resource | PolicyType::AccessPoint => c
                                .resource_allow
                                .push((r, pm.unwrap_or(PrincipalMatch::Wildcard))),
                            PolicyType::Boundary => c.boundary_allow = true,
                            PolicyType::Session => c.session_allow = true,
                            PolicyType::Scp => {
                                if member.level < 64 {
                                    c.scp_allowed_levels |= 1u64 << member.level;
                                }
                            }
                            PolicyType::Rcp => {}
                            PolicyType::VpcEndpoint => c.vpce_allow = true,
                        },
                    },
                }
            };
            let Some(index) = self.index(layer) else {
                continue;
            };
            if naive {
                for r in &index.statements {
                    visit(*r, false);
                }
            } else {
                index.candidates(&req.action, bucket, &mut visit);
            }
        }
        c.acl_allow = self.acl_grants(req);
        c
    }

    /// The statements, in the layers that take part for this caller, whose
    /// action and resource may match the request (a superset of those that
    /// match), sorted.
    pub(crate) fn candidate_statements(&self, req: &Request) -> Vec<StatementRef> {
        let part = self.participation(req);
        let bucket = request_bucket(req);
        let mut out = Vec::new();
        for (layer, takes_part) in part.layers() {
            if let (true, Some(index)) = (takes_part, self.index(layer)) {
                index.candidates(&req.action, bucket, |r, _| out.push(r));
            }
        }
        out.sort_unstable();
        out
    }

    /// Answers one request (E-17; through an access point, AP-1). Never
    /// fails, never panics.
    pub fn authorize(&self, req: &Request) -> Response {
        self.authorize_with(req, false, &[])
    }

    fn authorize_with(
        &self,
        req: &Request,
        naive: bool,
        force: &[(StatementRef, Applicability)],
    ) -> Response {
        if let Some(phases) = self.access_point_phases(req) {
            return self.authorize_through_access_point(&phases, naive, force);
        }
        let collected = self.collect(req, naive, force);
        self.decide(req, &collected)
    }

    /// The answer if the listed statements did (or did not) apply, whatever
    /// their conditions say: the what-ifs of `explain` and `review`.
    pub(crate) fn authorize_forcing(
        &self,
        req: &Request,
        force: &[(StatementRef, Applicability)],
    ) -> Response {
        self.authorize_with(req, false, force)
    }

    /// The same answer computed by walking every statement without the
    /// index: the simple reference the compiled path is tested against.
    pub fn authorize_reference(&self, req: &Request) -> Response {
        self.authorize_with(req, true, &[])
    }

    pub(crate) fn decide(&self, req: &Request, c: &Collected) -> Response {
        let part = self.participation(req);
        let p = &req.principal;
        let same_account = self.is_same_account_as_owner(req);
        let per_type = self.per_type(req, c, &part);
        let mut response = Response {
            decision: Decision::ImplicitDeny,
            determining: SmallVec::new(),
            blocked_by: None,
            per_type,
            same_account,
            has_condition_errors: c.condition_errors,
            refused_by: None,
            acl_grants: SmallVec::new(),
        };
        if !c.deny.is_empty() {
            response.decision = Decision::ExplicitDeny;
            response.determining = c.deny.clone();
            return response;
        }
        // E-15, E-19, E-21: a Block Public Access setting, or ACLs disabled
        // by Object Ownership, refuses the request; the settings "act as
        // explicit deny policies" (S3 troubleshooting page): an explicit
        // deny without a Deny statement.
        if let Some(refusal) = self.refusal(req) {
            response.decision = Decision::ExplicitDeny;
            response.refused_by = Some(refusal);
            return response;
        }
        // E-21: the bucket policy grants nothing on an object another
        // account owns (its Deny statements still apply, above).
        let bucket_allow: &[(StatementRef, PrincipalMatch)] =
            if self.foreign_object_owner(req).is_some() {
                &[]
            } else {
                &c.resource_allow
            };
        // A request through a VPC endpoint needs the endpoint policy's Allow.
        let vpce_blocks = part.vpce && !c.vpce_allow;
        // The resource side's grants, bucket policy and ACLs (E-20), that
        // `accept` keeps.
        let resource_grants = |accept: &mut dyn FnMut(PrincipalMatch) -> bool| -> Grants {
            let statements = bucket_allow
                .iter()
                .filter(|(_, m)| accept(*m))
                .map(|(r, _)| *r)
                .collect();
            let acls = c
                .acl_allow
                .iter()
                .filter(|(_, m)| accept(*m))
                .map(|(r, _)| *r)
                .collect();
            Grants { statements, acls }
        };
        if vpce_blocks && (*p == Principal::Anonymous || p.is_outside_iam()) {
            response.blocked_by = Some(PolicyType::VpcEndpoint);
            return response;
        }
        match p {
            Principal::Anonymous => {
                let grants = resource_grants(&mut |m| {
                    matches!(m, PrincipalMatch::Wildcard | PrincipalMatch::NotPrincipal)
                });
                return allow_or(response, grants, PolicyType::Resource);
            }
            // E-7: no identity policy, boundary or SCP takes part; only a
            // grant naming the caller (or everyone) allows
            p if p.is_outside_iam() => {
                let grants = resource_grants(&mut |m| {
                    matches!(
                        m,
                        PrincipalMatch::Direct
                            | PrincipalMatch::Wildcard
                            | PrincipalMatch::NotPrincipal
                    )
                });
                return allow_or(response, grants, PolicyType::Resource);
            }
            _ => {}
        }
        if part.scp {
            let all = if self.scp_levels() >= 64 {
                u64::MAX
            } else {
                (1u64 << self.scp_levels()) - 1
            };
            if c.scp_allowed_levels & all != all {
                response.blocked_by = Some(PolicyType::Scp);
                return response;
            }
        }
        if vpce_blocks {
            response.blocked_by = Some(PolicyType::VpcEndpoint);
            return response;
        }
        let is_root = matches!(p, Principal::Root { .. });
        let is_federated = matches!(p, Principal::FederatedUser { .. });
        // E-11: root has every permission of its own account. E-13: a federated
        // session without a session policy gets nothing from identity policies.
        let id_allows =
            is_root || (!c.identity_allow.is_empty() && (!is_federated || part.session));
        let boundary_ok = !part.boundary || c.boundary_allow;
        let session_ok = !part.session || c.session_allow;
        let is_session = matches!(
            p,
            Principal::RoleSession { .. } | Principal::FederatedUser { .. }
        );
        let trusted = id_allows && boundary_ok && session_ok;
        let first_failing = || {
            if !id_allows {
                PolicyType::Identity
            } else if !boundary_ok {
                PolicyType::Boundary
            } else {
                PolicyType::Session
            }
        };
        if same_account {
            // E-5: a resource-policy grant suffices unless the principal it
            // names leaves it limited by the caller's guardrails.
            let mut limited_by: Option<PolicyType> = None;
            let grants = resource_grants(&mut |m| {
                let by_identity = m == PrincipalMatch::Account;
                // E-5 table: a grant to the role (Parent) or the
                // account is limited by the caller's boundary and
                // session policy; one to `*` (typically narrowed by
                // aws:PrincipalArn) is not, only an explicit Deny bites.
                let by_guardrails = !is_root
                    && match m {
                        PrincipalMatch::Direct | PrincipalMatch::Wildcard => false,
                        PrincipalMatch::Parent | PrincipalMatch::Account => true,
                        PrincipalMatch::NotPrincipal => is_session,
                    };
                let blocked = if by_identity && !id_allows {
                    Some(PolicyType::Identity)
                } else if by_guardrails && !boundary_ok {
                    Some(PolicyType::Boundary)
                } else if by_guardrails && !session_ok {
                    Some(PolicyType::Session)
                } else {
                    None
                };
                if let Some(b) = blocked {
                    limited_by.get_or_insert(b);
                }
                blocked.is_none()
            });
            if !grants.is_empty() {
                response.decision = Decision::Allowed;
                response.determining = grants.statements;
                response.acl_grants = grants.acls;
                response
                    .determining
                    .extend(c.identity_allow.iter().copied().filter(|_| trusted));
                return response;
            }
            if trusted {
                response.decision = Decision::Allowed;
                response.determining = c.identity_allow.clone();
                return response;
            }
            response.blocked_by = Some(match limited_by {
                Some(b) if !id_allows => b,
                _ => first_failing(),
            });
            return response;
        }
        // E-6: cross-account, both sides must allow.
        if !trusted {
            response.blocked_by = Some(first_failing());
            return response;
        }
        if bucket_allow.is_empty() && c.acl_allow.is_empty() {
            response.blocked_by = Some(PolicyType::Resource);
            return response;
        }
        response.decision = Decision::Allowed;
        response.determining = c.identity_allow.clone();
        response
            .determining
            .extend(bucket_allow.iter().map(|(r, _)| *r));
        response.acl_grants = c.acl_allow.iter().map(|(r, _)| *r).collect();
        response
    }

    fn per_type(&self, req: &Request, c: &Collected, part: &Participation) -> PerType {
        let layer = |t: PolicyType, takes_part: bool, allows: bool| {
            if !self.has_layer(t) {
                LayerDecision::NotPresent
            } else if !takes_part {
                LayerDecision::NotApplicable
            } else if c.deny_layers & bit(t) != 0 {
                LayerDecision::ExplicitDeny
            } else if allows {
                LayerDecision::Allowed
            } else {
                LayerDecision::ImplicitDeny
            }
        };
        let all_scp = if self.scp_levels() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.scp_levels()) - 1
        };
        PerType {
            identity: layer(
                PolicyType::Identity,
                part.identity,
                !c.identity_allow.is_empty(),
            ),
            resource: layer(
                PolicyType::Resource,
                part.resource,
                !c.resource_allow.is_empty() && self.foreign_object_owner(req).is_none(),
            ),
            boundary: layer(PolicyType::Boundary, part.boundary, c.boundary_allow),
            session: layer(PolicyType::Session, part.session, c.session_allow),
            scp: layer(
                PolicyType::Scp,
                part.scp,
                c.scp_allowed_levels & all_scp == all_scp,
            ),
            rcp: layer(PolicyType::Rcp, part.rcp, true),
            vpce: layer(PolicyType::VpcEndpoint, part.vpce, c.vpce_allow),
            access_point: layer(
                PolicyType::AccessPoint,
                part.access_point,
                !c.resource_allow.is_empty(),
            ),
            access_point_restrictions: if self.options().access_point.is_none() {
                LayerDecision::NotPresent
            } else {
                LayerDecision::NotApplicable
            },
            block_public_access: if !self.options().block_public_access.is_any() {
                LayerDecision::NotPresent
            } else if self
                .refusal(req)
                .is_some_and(|r| r.is_block_public_access())
            {
                LayerDecision::ExplicitDeny
            } else {
                LayerDecision::NotApplicable
            },
        }
    }
}

/// The resource side's grants that allow: bucket-policy statements and ACL grants.
struct Grants {
    statements: SmallVec<[StatementRef; 4]>,
    acls: SmallVec<[AclGrantRef; 2]>,
}

impl Grants {
    fn is_empty(&self) -> bool {
        self.statements.is_empty() && self.acls.is_empty()
    }
}

fn allow_or(mut response: Response, grants: Grants, blocker: PolicyType) -> Response {
    if grants.is_empty() {
        response.blocked_by = Some(blocker);
    } else {
        response.decision = Decision::Allowed;
        response.determining = grants.statements;
        response.acl_grants = grants.acls;
    }
    response
}

/// E-11: the bucket owner's root user can always read, change and delete the
/// bucket policy, whatever the bucket policy says (lock-out recovery).
pub(crate) fn is_bucket_owner_root_policy_action(req: &Request) -> bool {
    matches!(req.principal, Principal::Root { .. })
        && req.is_same_account()
        && matches!(req.resource, Resource::Arn(_))
        && matches!(
            req.action.lower(),
            "s3:getbucketpolicy" | "s3:putbucketpolicy" | "s3:deletebucketpolicy"
        )
}
