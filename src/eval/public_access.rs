//! S3 Block Public Access: when a bucket policy is "public" (spec E-15;
//! S3 User Guide, "Blocking public access to your Amazon S3 storage", the
//! meaning of "public").
//!
//! A bucket policy is public when some Allow statement grants to everyone
//! (`"*"`, `{"AWS": "*"}`, or `NotPrincipal`) without a condition that fixes
//! one of these keys to values without wildcards or policy variables:
//! `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`,
//! `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
//! `aws:userid`, `s3:x-amz-server-side-encryption-aws-kms-key-id`,
//! `s3:DataAccessPointArn`, `s3:DataAccessPointAccount`, or that limits
//! `aws:SourceIp` to CIDR ranges (`IpAddress`, none of them `/0`).
//!
//! With `RestrictPublicBuckets`, a public bucket policy grants only to
//! principals of the bucket owner's account and to AWS service principals:
//! "public and cross-account access within any public bucket policy,
//! including non-public delegation to specific accounts, is blocked"
//! (S3 API reference, `PublicAccessBlockConfiguration`).

use crate::condition::{Family, SetQualifier, StringOp};
use crate::policy::{Effect, Policy, PrincipalClause, PrincipalKind, Statement};

/// Condition keys whose fixed value makes a grant to everyone non-public
/// (lower-case).
const FIXING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Whether an Allow statement grants to everyone (`"*"`, `{"AWS":"*"}`, `NotPrincipal`).
fn grants_to_everyone(stmt: &Statement) -> bool {
    match &stmt.principal {
        Some(PrincipalClause::Principal(entries)) => {
            entries.iter().any(|e| e.kind == PrincipalKind::Everyone)
        }
        Some(PrincipalClause::NotPrincipal(_)) => true,
        None => false,
    }
}

fn is_fixed(value: &str) -> bool {
    !value.contains('*') && !value.contains('?') && !value.contains("${")
}

/// Whether the statement's condition limits it to fixed values of a key
/// of the list (so that the grant is not public).
fn is_limited(stmt: &Statement) -> bool {
    stmt.condition.blocks.iter().any(|block| {
        let op = block.operator;
        if op.negated || op.if_exists || op.set == Some(SetQualifier::ForAllValues) {
            return false;
        }
        block.keys.iter().any(|k| match op.family {
            Family::IpAddress => {
                k.key_lower == "aws:sourceip"
                    && !k.raw_values.is_empty()
                    && k.raw_values.iter().all(|v| !v.trim().ends_with("/0"))
            }
            Family::String(StringOp::Equals | StringOp::EqualsIgnoreCase | StringOp::Like)
            | Family::Arn { .. } => {
                FIXING_KEYS.contains(&k.key_lower.as_str())
                    && !k.raw_values.is_empty()
                    && k.raw_values.iter().all(|v| is_fixed(v))
            }
            _ => false,
        })
    })
}

/// Whether a bucket-policy statement is a public grant (E-15).
pub fn is_public_statement(stmt: &Statement) -> bool {
    stmt.effect == Effect::Allow && grants_to_everyone(stmt) && !is_limited(stmt)
}

/// Whether a bucket policy is public (E-15): some statement is a public grant.
pub fn is_public_policy(policy: &Policy) -> bool {
    policy.statements.iter().any(is_public_statement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{LoadOptions, PolicyType};

    fn public(statement: &str) -> bool {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        let p = Policy::parse_as("b.json", &text, LoadOptions::new(PolicyType::Resource)).unwrap();
        is_public_policy(&p)
    }

    const GET: &str = r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#;

    #[test]
    fn everyone_without_condition_is_public_e15() {
        assert!(public(&format!(
            r#"{{"Effect":"Allow","Principal":"*",{GET}}}"#
        )));
        assert!(public(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"*"}},{GET}}}"#
        )));
        assert!(!public(&format!(
            r#"{{"Effect":"Deny","Principal":"*",{GET}}}"#
        )));
        assert!(!public(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},{GET}}}"#
        )));
    }

    #[test]
    fn fixed_values_of_listed_keys_make_it_non_public_e15() {
        let with = |cond: &str| {
            public(&format!(
                r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{cond}}}"#
            ))
        };
        assert!(!with(
            r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#
        ));
        assert!(!with(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}"#));
        assert!(!with(
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/E1"}}"#
        ));
        assert!(!with(r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#));
        // the S3 User Guide's own public example: a wildcard value
        assert!(with(r#"{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#));
        assert!(with(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#));
        assert!(with(r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#));
        assert!(with(
            r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#
        ));
        assert!(with(r#"{"StringEquals":{"s3:prefix":"home/"}}"#));
        assert!(with(
            r#"{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"#
        ));
    }
}
