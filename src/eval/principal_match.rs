//! Matching `Principal` and `NotPrincipal` against the caller (spec E-8, E-9).

use crate::eval::policy_set::{EvalOptions, NotPrincipalMode};
use crate::eval::response::PrincipalMatch;
use crate::policy::{oai_id, PrincipalClause, PrincipalEntry, PrincipalKind};
use crate::request::{Principal, Request};

/// How a statement's principal element treats the caller: `None` when the
/// statement does not concern the caller.
pub(crate) fn match_clause(
    clause: &PrincipalClause,
    req: &Request,
    options: &EvalOptions,
    caller_has_boundary: bool,
) -> Option<PrincipalMatch> {
    match clause {
        PrincipalClause::Principal(entries) => entries
            .iter()
            .filter_map(|e| match_entry(e, req, options))
            .max_by_key(|m| strength(*m)),
        PrincipalClause::NotPrincipal(entries) => {
            if is_excluded(entries, req, options, caller_has_boundary) {
                None
            } else {
                Some(PrincipalMatch::NotPrincipal)
            }
        }
    }
}

/// Ranks match kinds by how little guardrails limit the grant (E-5 table).
fn strength(m: PrincipalMatch) -> u8 {
    match m {
        PrincipalMatch::Direct => 4,
        PrincipalMatch::Parent => 3,
        PrincipalMatch::Wildcard | PrincipalMatch::NotPrincipal => 2,
        PrincipalMatch::Account => 1,
    }
}

/// What `--canonical-id ID=…` maps a canonical user id to: an account id or
/// a CloudFront origin access identity ARN.
fn canonical_target<'a>(id: &str, options: &'a EvalOptions) -> Option<&'a str> {
    options
        .canonical_ids
        .iter()
        .find(|(cid, _)| cid.eq_ignore_ascii_case(id))
        .map(|(_, target)| target.as_str())
}

fn canonical_account<'a>(id: &str, options: &'a EvalOptions) -> Option<&'a str> {
    canonical_target(id, options).filter(|t| oai_id(t).is_none())
}

/// Whether a policy entry names the caller when the caller is a CloudFront
/// origin access identity or is known by its canonical user id: an OAI by
/// its ARN's id, a canonical user by its id, each also through the
/// `--canonical-id` mapping between the two.
fn names_oai_or_canonical(kind: &PrincipalKind, p: &Principal, options: &EvalOptions) -> bool {
    let mapped_oai = |cid: &str| canonical_target(cid, options).and_then(oai_id);
    match (kind, p) {
        (PrincipalKind::CloudFrontOai { id }, Principal::CloudFrontOai { id: caller, .. }) => {
            id == caller
        }
        (PrincipalKind::CloudFrontOai { id }, Principal::CanonicalUser { id: caller }) => {
            mapped_oai(caller) == Some(id.as_str())
        }
        (PrincipalKind::CanonicalUser { id }, Principal::CanonicalUser { id: caller }) => {
            id.eq_ignore_ascii_case(caller)
        }
        (PrincipalKind::CanonicalUser { id }, Principal::CloudFrontOai { id: caller, .. }) => {
            mapped_oai(id) == Some(caller.as_str())
        }
        _ => false,
    }
}

/// The caller's account, taking an unspecified caller to be of the resource's account.
fn caller_account(req: &Request) -> Option<&str> {
    match &req.principal {
        Principal::Unspecified => req.resource_account.as_deref(),
        p => p.account(),
    }
}

/// Whether the caller's role (for sessions) is the role ARN named in a policy.
/// Session ARNs omit the role's path; without `aws:PrincipalArn` the path is
/// unknown and the name and account decide.
pub(crate) fn is_callers_role(req: &Request, role_arn: &str, account: &str, name: &str) -> bool {
    let Principal::RoleSession {
        account: caller_account,
        role_name,
        ..
    } = &req.principal
    else {
        return false;
    };
    match req.role_arn() {
        Some(known) if known == role_arn => true,
        Some(known) if known.ends_with(&format!(":role/{role_name}")) => {
            // path unknown: compare account and name
            caller_account == account && role_name == name
        }
        _ => false,
    }
}

fn match_entry(e: &PrincipalEntry, req: &Request, options: &EvalOptions) -> Option<PrincipalMatch> {
    let p = &req.principal;
    match &e.kind {
        PrincipalKind::Everyone => Some(PrincipalMatch::Wildcard),
        PrincipalKind::Account { account } => (p.is_iam()
            && caller_account(req) == Some(account.as_str()))
        .then_some(PrincipalMatch::Account),
        PrincipalKind::CanonicalUser { .. } | PrincipalKind::CloudFrontOai { .. }
            if names_oai_or_canonical(&e.kind, p, options) =>
        {
            Some(PrincipalMatch::Direct)
        }
        PrincipalKind::CloudFrontOai { .. } => None,
        PrincipalKind::CanonicalUser { id } => {
            let account = canonical_account(id, options)?;
            (p.is_iam() && caller_account(req) == Some(account)).then_some(PrincipalMatch::Account)
        }
        PrincipalKind::User { arn, .. } => match p {
            Principal::User { arn: caller, .. } if caller == arn => Some(PrincipalMatch::Direct),
            _ => None,
        },
        PrincipalKind::Role { arn, account, name } => {
            is_callers_role(req, arn, account, name).then_some(PrincipalMatch::Parent)
        }
        PrincipalKind::RoleSession { arn, .. } => match p {
            Principal::RoleSession { arn: caller, .. } if caller == arn => {
                Some(PrincipalMatch::Direct)
            }
            _ => None,
        },
        PrincipalKind::FederatedUser { arn, .. } => match p {
            Principal::FederatedUser { arn: caller, .. } if caller == arn => {
                Some(PrincipalMatch::Direct)
            }
            _ => None,
        },
        PrincipalKind::Service { name } => match p {
            Principal::Service(caller) if caller.eq_ignore_ascii_case(name) => {
                Some(PrincipalMatch::Direct)
            }
            _ => None,
        },
        PrincipalKind::Federated { .. } | PrincipalKind::UniqueId { .. } => None,
    }
}

/// Whether `NotPrincipal` excludes the caller (E-9).
fn is_excluded(
    entries: &[PrincipalEntry],
    req: &Request,
    options: &EvalOptions,
    caller_has_boundary: bool,
) -> bool {
    if entries.iter().any(|e| e.kind == PrincipalKind::Everyone) {
        return true;
    }
    if caller_has_boundary && req.principal.is_iam() {
        // IAM-UG: NotPrincipal with Deny always denies principals with a boundary.
        return false;
    }
    let account_listed = |acct: &str| {
        entries.iter().any(|e| match &e.kind {
            PrincipalKind::Account { account } => account == acct,
            PrincipalKind::CanonicalUser { id } => canonical_account(id, options) == Some(acct),
            _ => false,
        })
    };
    let arn_listed = |arn: &str| {
        entries.iter().any(|e| match &e.kind {
            PrincipalKind::User { arn: a, .. }
            | PrincipalKind::RoleSession { arn: a, .. }
            | PrincipalKind::FederatedUser { arn: a, .. } => a == arn,
            _ => false,
        })
    };
    let role_listed = || {
        entries.iter().any(|e| match &e.kind {
            PrincipalKind::Role { arn, account, name } => is_callers_role(req, arn, account, name),
            _ => false,
        })
    };
    let strict = options.not_principal == NotPrincipalMode::Strict;
    match &req.principal {
        Principal::Anonymous | Principal::Unspecified => false,
        Principal::CloudFrontOai { .. } | Principal::CanonicalUser { .. } => entries
            .iter()
            .any(|e| names_oai_or_canonical(&e.kind, &req.principal, options)),
        Principal::Service(name) => entries.iter().any(|e| {
            matches!(&e.kind, PrincipalKind::Service { name: n } if n.eq_ignore_ascii_case(name))
        }),
        Principal::Root { account, .. } => account_listed(account),
        Principal::User { arn, account, .. } | Principal::FederatedUser { arn, account, .. } => {
            if strict {
                arn_listed(arn) && account_listed(account)
            } else {
                arn_listed(arn)
            }
        }
        Principal::RoleSession { arn, account, .. } => {
            if strict {
                arn_listed(arn) && role_listed() && account_listed(account)
            } else {
                arn_listed(arn) || role_listed()
            }
        }
    }
}
