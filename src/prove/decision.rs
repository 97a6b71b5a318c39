//! Which combinations of granting statements the evaluation logic accepts
//! (spec E-4..E-17), learned from the evaluator's own decision function.
//!
//! Without a Deny, whether a request is allowed depends only on which
//! "roles" some applicable Allow fills: an identity policy, the bucket
//! policy (by how its principal matched the caller), the permissions
//! boundary, the session policy, each SCP level. The evaluator decides for
//! every combination of filled roles; the allowed combinations are closed
//! under adding roles (more grants never deny), so the minimal ones say
//! everything: a request is allowed exactly when, with no Deny applying,
//! the filled roles include one of them.

use super::Limit;
use crate::eval::authorizer::Collected;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, PrincipalMatch, StatementRef};
use crate::policy::PolicyType;
use crate::request::Request;

/// A role an Allow statement can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Some identity-based policy allows.
    Identity,
    /// The bucket policy allows, its principal matching the caller this way.
    Resource(PrincipalMatch),
    /// The permissions boundary allows.
    Boundary,
    /// The session policy allows.
    Session,
    /// Some SCP of this organization level allows.
    Scp(usize),
    /// The policy of the VPC endpoint the request goes through allows.
    VpcEndpoint,
}

impl Role {
    /// The role an applicable Allow of a layer fills (RCP grants fill none:
    /// RCPs only restrict, E-4).
    pub(crate) fn of(
        layer: PolicyType,
        level: usize,
        principal: Option<PrincipalMatch>,
    ) -> Option<Role> {
        Some(match layer {
            PolicyType::Identity => Role::Identity,
            PolicyType::Resource | PolicyType::AccessPoint => {
                Role::Resource(principal.unwrap_or(PrincipalMatch::Wildcard))
            }
            PolicyType::Boundary => Role::Boundary,
            PolicyType::Session => Role::Session,
            PolicyType::Scp => Role::Scp(level),
            PolicyType::VpcEndpoint => Role::VpcEndpoint,
            PolicyType::Rcp => return None,
        })
    }
}

/// Most roles whose combinations are enumerated.
const MAX_ROLES: usize = 16;

/// The minimal sets of roles that make the evaluator allow, given the roles
/// that some statement can fill at all.
pub(crate) fn minimal_grants(
    set: &PolicySet,
    template: &Request,
    available: &[Role],
) -> Result<Vec<Vec<Role>>, Limit> {
    let mut roles: Vec<Role> = Vec::new();
    for r in available {
        if !roles.contains(r) {
            roles.push(*r);
        }
    }
    if roles.len() > MAX_ROLES {
        return Err(Limit(format!(
            "the policies grant through {} different layers and organization levels (at most {MAX_ROLES} are combined)",
            roles.len()
        )));
    }
    let n = roles.len();
    let total = 1usize << n;
    let allowed: Vec<bool> = (0..total)
        .map(|mask| allows(set, template, &roles, mask))
        .collect();
    // more grants never deny: check, rather than assume
    for mask in 0..total {
        if allowed.get(mask).copied().unwrap_or(false) {
            for bit in 0..n {
                let more = mask | (1 << bit);
                if !allowed.get(more).copied().unwrap_or(false) {
                    return Err(Limit(
                        "the evaluation logic is not monotone for this caller (an extra grant denies)".into(),
                    ));
                }
            }
        }
    }
    let mut out = Vec::new();
    for mask in 0..total {
        if !allowed.get(mask).copied().unwrap_or(false) {
            continue;
        }
        let minimal = (0..n)
            .filter(|b| mask >> b & 1 == 1)
            .all(|b| !allowed.get(mask & !(1 << b)).copied().unwrap_or(false));
        if minimal {
            out.push(
                (0..n)
                    .filter(|b| mask >> b & 1 == 1)
                    .filter_map(|b| roles.get(b).copied())
                    .collect(),
            );
        }
    }
    Ok(out)
}

fn allows(set: &PolicySet, template: &Request, roles: &[Role], mask: usize) -> bool {
    let r = StatementRef {
        policy: 0,
        statement: 0,
    };
    let mut c = Collected::default();
    for (i, role) in roles.iter().enumerate() {
        if mask >> i & 1 == 0 {
            continue;
        }
        match role {
            Role::Identity => c.identity_allow.push(r),
            Role::Resource(m) => c.resource_allow.push((r, *m)),
            Role::Boundary => c.boundary_allow = true,
            Role::Session => c.session_allow = true,
            Role::Scp(level) => {
                if *level < 64 {
                    c.scp_allowed_levels |= 1u64 << level;
                }
            }
            Role::VpcEndpoint => c.vpce_allow = true,
        }
    }
    set.decide(template, &c).decision == Decision::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{LoadOptions, Policy};

    fn policy(t: PolicyType) -> Policy {
        Policy::parse_as(
            "p.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            LoadOptions::new(t),
        )
        .unwrap()
    }

    #[test]
    fn same_account_identity_or_direct_bucket_grant_spec_e5() {
        let set = PolicySet::builder()
            .identity(policy(PolicyType::Identity))
            .boundary(policy(PolicyType::Boundary))
            .build();
        let req = Request::new("s3:GetObject", "*")
            .unwrap()
            .with_principal("arn:aws:iam::111122223333:user/alice")
            .unwrap();
        let grants = minimal_grants(
            &set,
            &req,
            &[
                Role::Identity,
                Role::Boundary,
                Role::Resource(PrincipalMatch::Direct),
                Role::Resource(PrincipalMatch::Account),
            ],
        )
        .unwrap();
        // identity needs the boundary (E-12); a grant to the user's ARN does not (E-5)
        assert!(grants.contains(&vec![Role::Identity, Role::Boundary]));
        assert!(grants.contains(&vec![Role::Resource(PrincipalMatch::Direct)]));
        // an account grant is a delegation: identity and boundary still needed
        assert!(!grants
            .iter()
            .any(|g| g == &vec![Role::Resource(PrincipalMatch::Account)]));
        assert_eq!(grants.len(), 2);
    }

    #[test]
    fn cross_account_needs_both_sides_spec_e6() {
        let set = PolicySet::builder()
            .identity(policy(PolicyType::Identity))
            .build();
        let req = Request::new("s3:GetObject", "*")
            .unwrap()
            .with_principal("arn:aws:iam::111122223333:user/alice")
            .unwrap()
            .with_resource_account("444455556666");
        let grants = minimal_grants(
            &set,
            &req,
            &[Role::Identity, Role::Resource(PrincipalMatch::Account)],
        )
        .unwrap();
        assert_eq!(
            grants,
            vec![vec![
                Role::Identity,
                Role::Resource(PrincipalMatch::Account)
            ]]
        );
    }

    #[test]
    fn every_scp_level_must_allow_spec_e14() {
        let set = PolicySet::builder()
            .identity(policy(PolicyType::Identity))
            .scp_level(vec![policy(PolicyType::Scp)])
            .scp_level(vec![policy(PolicyType::Scp)])
            .build();
        let req = Request::new("s3:GetObject", "*").unwrap();
        let grants =
            minimal_grants(&set, &req, &[Role::Identity, Role::Scp(0), Role::Scp(1)]).unwrap();
        assert_eq!(
            grants,
            vec![vec![Role::Identity, Role::Scp(0), Role::Scp(1)]]
        );
    }
}
