//! Checks on who a resource policy names: public buckets (E-15) and
//! `NotPrincipal` lists missing the caller's account (E-9).

use super::view::{CondBlock, CondKey, PrincipalView, StatementView};
use super::Ctx;
use crate::eval::public_access;
use crate::policy::{
    parse_aws_principal, parse_other_principal, Effect, PolicyType, PrincipalKind,
};

/// The first entry of a `Principal` element that makes an Allow public
/// (`"*"`, `{"AWS": "*"}`, a web identity provider), as the evaluator
/// reads it.
fn public_principal(p: &PrincipalView) -> Option<PrincipalKind> {
    if p.is_everyone() {
        return Some(PrincipalKind::Everyone);
    }
    p.values.iter().find_map(|v| {
        let kind = match v.kind.as_str() {
            "AWS" => parse_aws_principal(&v.entry.text),
            other => parse_other_principal(other, &v.entry.text),
        };
        kind.ok().filter(public_access::is_public_principal)
    })
}

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    if view.policy_type != PolicyType::Resource {
        return;
    }
    for st in &view.statements {
        let Some(p) = &st.principal else { continue };
        // An Allow with NotPrincipal is public too; ALLOW_WITH_NOT_PRINCIPAL says so.
        if st.effect == Some(Effect::Allow) && !p.is_not && public_principal(p).is_some() {
            public_access(ctx, st, p);
        }
        if st.effect == Some(Effect::Deny) && p.is_not {
            not_principal_accounts(ctx, p);
        }
        cloudfront_oai(ctx, p);
    }
}

/// Whether one condition key pins the caller to fixed values: the
/// evaluator's own rule (`eval::public_access`, spec E-15).
fn limits(block: &CondBlock, key: &CondKey) -> bool {
    let values: Vec<&str> = key.values.iter().map(|v| v.text.as_str()).collect();
    block
        .operator
        .is_some_and(|op| public_access::pins_callers(&op, &key.key, &values))
}

fn public_access(ctx: &mut Ctx<'_>, st: &StatementView<'_>, p: &PrincipalView) {
    if st.condition_keys().any(|(b, k)| limits(b, k)) {
        return;
    }
    let actions: Vec<String> = st
        .action
        .as_ref()
        .map(|a| {
            let names: Vec<String> = a.entries.iter().map(|e| e.text.clone()).collect();
            if a.is_not {
                format!("every action but {}", super::abbreviate(&names))
            } else {
                super::abbreviate(&names)
            }
        })
        .into_iter()
        .collect();
    let what = actions
        .first()
        .cloned()
        .unwrap_or_else(|| "its actions".into());
    let cond = if st.conditions.is_empty() {
        "with no condition"
    } else {
        "with no condition that pins the caller's account, organization, VPC or source"
    };
    let (who, hint) = match anonymous_excluded(st, ctx.view.variables) {
        Some(key) if key.eq_ignore_ascii_case("aws:PrincipalIsAWSService") => (
            "to every AWS service principal, acting for any account (anonymous callers never carry `aws:PrincipalIsAWSService`),".to_string(),
            "add a condition on aws:SourceAccount or aws:SourceArn, so that services act only for your account and resources (the confused deputy problem)",
        ),
        Some(key) => (
            format!("to principals of every AWS account (anonymous callers never carry `{key}`),"),
            "name the principals, or pin aws:PrincipalAccount / aws:PrincipalOrgID to fixed values (with Block Public Access, AWS rejects such a policy)",
        ),
        None => (
            match public_principal(p) {
                Some(PrincipalKind::Federated { provider }) => {
                    format!("to anyone who signs in through `{provider}`,")
                }
                _ => "to everyone, anonymous callers included,".to_string(),
            },
            "name the principals, or add a condition such as StringEquals aws:PrincipalOrgID / aws:SourceVpce (with Block Public Access, AWS rejects such a policy)",
        ),
    };
    ctx.emit(
        "S3GUARD_PUBLIC_ACCESS",
        p.span,
        &p.pointer,
        format!(
            "{} allows {what} {who} {cond}: the bucket is public",
            st.label()
        ),
        Some(hint.into()),
    );
}

/// A key of the statement's condition that anonymous requests never carry
/// (the prover's table of absent keys) and whose test fails without it:
/// anonymous callers never match the statement.
fn anonymous_excluded(st: &StatementView<'_>, variables: bool) -> Option<String> {
    let absent = crate::request::Principal::Anonymous.never_carried_keys();
    st.condition_keys()
        .find(|(b, k)| {
            absent.iter().any(|a| a.eq_ignore_ascii_case(&k.key))
                && b.operator
                    .and_then(|op| k.holds_when_absent(&op, variables))
                    == Some(false)
        })
        .map(|(_, k)| k.key.clone())
}

/// E-9: a user, role or session in `NotPrincipal` without its account (and
/// a session without its role): AWS may check those too, and deny.
fn not_principal_accounts(ctx: &mut Ctx<'_>, p: &PrincipalView) {
    let parsed: Vec<(PrincipalKind, &super::view::PrincipalValue)> = p
        .values
        .iter()
        .filter(|v| v.kind == "AWS")
        .filter_map(|v| parse_aws_principal(&v.entry.text).ok().map(|k| (k, v)))
        .collect();
    let accounts: Vec<&str> = parsed
        .iter()
        .filter_map(|(k, _)| match k {
            PrincipalKind::Account { account } => Some(account.as_str()),
            _ => None,
        })
        .collect();
    let roles: Vec<(&str, &str)> = parsed
        .iter()
        .filter_map(|(k, _)| match k {
            PrincipalKind::Role { account, name, .. } => Some((account.as_str(), name.as_str())),
            _ => None,
        })
        .collect();
    for (kind, v) in &parsed {
        let (account, role) = match kind {
            PrincipalKind::User { account, .. } | PrincipalKind::FederatedUser { account, .. } => {
                (account, None)
            }
            PrincipalKind::Role { account, .. } => (account, None),
            PrincipalKind::RoleSession { account, role, .. } => (account, Some(role.as_str())),
            _ => continue,
        };
        let mut missing = Vec::new();
        if !accounts.contains(&account.as_str()) {
            missing.push(format!("its account `arn:aws:iam::{account}:root`"));
        }
        if let Some(role) = role {
            if !roles.iter().any(|(a, n)| *a == account && *n == role) {
                missing.push(format!("its role `arn:aws:iam::{account}:role/{role}`"));
            }
        }
        if missing.is_empty() {
            continue;
        }
        ctx.emit(
            "S3GUARD_NOTPRINCIPAL_MISSING_ACCOUNT",
            v.entry.span,
            &v.entry.pointer,
            format!(
                "`NotPrincipal` lists `{}` but not {}: AWS may check those too, and then this Deny applies to `{}` as well (spec E-9)",
                v.entry.text,
                missing.join(" or "),
                v.entry.text
            ),
            Some(format!("add {} to `NotPrincipal`", missing.join(" and "))),
        );
    }
}

/// A CloudFront origin access identity named by its ARN, or a canonical user
/// id (how OAIs are otherwise named): the legacy form; CloudFront's origin
/// access control (the `cloudfront.amazonaws.com` service principal with
/// `aws:SourceArn`) is its successor.
fn cloudfront_oai(ctx: &mut Ctx<'_>, p: &PrincipalView) {
    for v in &p.values {
        let is_oai = v.kind == "AWS" && crate::policy::oai_id(&v.entry.text).is_some();
        if !is_oai && v.kind != "CanonicalUser" {
            continue;
        }
        let what = if is_oai {
            format!(
                "`{}` is a CloudFront origin access identity (OAI)",
                v.entry.text
            )
        } else {
            format!(
                "`CanonicalUser` `{}` is how CloudFront origin access identities (OAI) are named",
                v.entry.text
            )
        };
        ctx.emit(
            "S3GUARD_CLOUDFRONT_OAI",
            v.entry.span,
            &v.entry.pointer,
            format!("{what}: the legacy way for CloudFront to read an S3 origin, succeeded by origin access control (OAC)"),
            Some("allow {\"Service\": \"cloudfront.amazonaws.com\"} with a StringEquals aws:SourceArn condition naming the distribution".into()),
        );
    }
}
