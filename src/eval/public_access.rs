//! S3 Block Public Access: when a bucket policy is "public" (spec E-15).
//! The one definition, used by the evaluator (`RestrictPublicBuckets`) and
//! by `lint` (`S3GUARD_PUBLIC_ACCESS`).
//!
//! AWS's rule, from the S3 User Guide, "Blocking public access to your
//! Amazon S3 storage", section "The meaning of "public""
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>):
//! S3 assumes a bucket policy is public, and calls it non-public only when
//! it grants access to fixed values — values without a wildcard or a
//! policy variable — of named principals or of one of these condition
//! keys: `aws:SourceIp` (CIDR ranges), the principal keys
//! (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
//! `aws:PrincipalOrgPaths`, `aws:userid`), `aws:SourceArn`,
//! `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`,
//! `aws:SourceAccount`, `aws:SourceOrgID`, `aws:SourceOrgPaths`,
//! `s3:x-amz-server-side-encryption-aws-kms-key-id`,
//! `s3:DataAccessPointArn`, `s3:DataAccessPointAccount`. Hence:
//!
//! - an Allow to `"*"`, `{"AWS": "*"}`, `NotPrincipal`, or a web identity
//!   provider (the guide's own public example is
//!   `"Principal": {"Federated": "graph.facebook.com"}`) is public unless
//!   a condition pins one of those keys to fixed values with a positive
//!   operator (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`,
//!   `IpAddress`; not `…Not…`, not `…IfExists`, not `ForAllValues:`, which
//!   hold for requests without the key);
//! - an `aws:SourceIp` range broader than `/8` (IPv4) or `/32` (IPv6) does
//!   not pin anything: "very broad IP ranges (for example, 0.0.0.0/1) are
//!   evaluated as public";
//! - `s3:DataAccessPointArn` may name every access point of a fixed
//!   account (`arn:aws:s3:us-west-2:123456789012:accesspoint/*`) "without
//!   rendering the policy public".
//!
//! With `RestrictPublicBuckets`, a public bucket policy grants only to
//! principals of the bucket owner's account and to AWS service principals:
//! "public and cross-account access within any public bucket policy,
//! including non-public delegation to specific accounts, is blocked"
//! (S3 API reference, `PublicAccessBlockConfiguration`).

use crate::condition::{Family, IpRange, Operator, SetQualifier, StringOp};
use crate::policy::{Effect, Policy, PrincipalClause, PrincipalKind, Statement};

/// Condition keys whose fixed value makes a grant non-public (lower-case).
const PINNING_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Whether a grant to this principal entry reaches the public: everyone,
/// or whoever signs in through a web identity provider.
pub(crate) fn is_public_principal(kind: &PrincipalKind) -> bool {
    matches!(
        kind,
        PrincipalKind::Everyone | PrincipalKind::Federated { .. }
    )
}

/// Whether a principal element makes an Allow public: `NotPrincipal`
/// (everyone not listed) or an entry [`is_public_principal`].
pub(crate) fn is_public_principal_element<'a>(
    not_principal: bool,
    mut entries: impl Iterator<Item = &'a PrincipalKind>,
) -> bool {
    not_principal || entries.any(is_public_principal)
}

fn is_fixed(value: &str) -> bool {
    !value.is_empty() && !value.contains(['*', '?']) && !crate::matcher::has_variable(value)
}

/// `arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME` with everything but
/// the access point name fixed: a bucket policy may delegate to every
/// access point of an account without being public.
fn is_fixed_account_access_points(value: &str) -> bool {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    match parts.as_slice() {
        [arn, partition, service, region, account, rest] => {
            [*arn, *partition, *service, *region, *account]
                .iter()
                .all(|p| is_fixed(p))
                && *service == "s3"
                && rest
                    .strip_prefix("accesspoint/")
                    .is_some_and(|name| !name.is_empty() && !name.contains(['/', '$']))
        }
        _ => false,
    }
}

/// Whether a CIDR range is narrow enough to pin callers: `/8` or longer
/// for IPv4, `/32` or longer for IPv6.
fn is_narrow_range(value: &str) -> bool {
    IpRange::parse(value).is_some_and(|r| {
        let min = if r.addr().is_ipv4() { 8 } else { 32 };
        r.prefix() >= min
    })
}

/// Whether one condition key pins a grant to fixed callers (so that it is
/// not public): a listed key, a positive operator that fails when the key
/// is absent, and only fixed values.
pub(crate) fn pins_callers(op: &Operator, key: &str, values: &[&str]) -> bool {
    if op.negated || op.if_exists || op.set == Some(SetQualifier::ForAllValues) || values.is_empty()
    {
        return false;
    }
    let lower = key.to_ascii_lowercase();
    match op.family {
        Family::IpAddress => lower == "aws:sourceip" && values.iter().all(|v| is_narrow_range(v)),
        Family::String(StringOp::Equals | StringOp::EqualsIgnoreCase | StringOp::Like)
        | Family::Arn { .. } => {
            PINNING_KEYS.contains(&lower.as_str())
                && values.iter().all(|v| {
                    is_fixed(v)
                        || (lower == "s3:dataaccesspointarn" && is_fixed_account_access_points(v))
                })
        }
        _ => false,
    }
}

/// Whether a bucket-policy statement is a public grant (E-15).
pub fn is_public_statement(stmt: &Statement) -> bool {
    let public_principal = match &stmt.principal {
        Some(PrincipalClause::Principal(entries)) => {
            is_public_principal_element(false, entries.iter().map(|e| &e.kind))
        }
        Some(PrincipalClause::NotPrincipal(_)) => true,
        None => false,
    };
    stmt.effect == Effect::Allow
        && public_principal
        && !stmt.condition.blocks.iter().any(|block| {
            block.keys.iter().any(|k| {
                let values: Vec<&str> = k.raw_values.iter().map(String::as_str).collect();
                pins_callers(&block.operator, &k.key, &values)
            })
        })
}

/// Whether a bucket policy is public (E-15): some statement is a public grant.
pub fn is_public_policy(policy: &Policy) -> bool {
    policy.statements.iter().any(is_public_statement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{LoadOptions, PolicyType};

    // Every test here cites the S3 User Guide, "The meaning of "public""
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).

    fn public(statement: &str) -> bool {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        let p = Policy::parse_as("b.json", &text, LoadOptions::new(PolicyType::Resource)).unwrap();
        is_public_policy(&p)
    }

    const GET: &str = r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#;

    fn with(cond: &str) -> bool {
        public(&format!(
            r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{cond}}}"#
        ))
    }

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

    /// The guide's first public example (issue 19 item 2).
    #[test]
    fn a_web_identity_provider_is_public_e15() {
        assert!(public(
            r#"{"Principal":{"Federated":"graph.facebook.com"},"Resource":"*","Action":"s3:PutObject","Effect":"Allow"}"#
        ));
    }

    #[test]
    fn fixed_values_of_listed_keys_make_it_non_public_e15() {
        assert!(!with(
            r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#
        ));
        assert!(!with(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}"#));
        assert!(!with(
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/E1"}}"#
        ));
        assert!(!with(
            r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"}}"#
        ));
        assert!(!with(r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#));
        // the guide's non-public rewrite of its own public example
        assert!(!with(
            r#"{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#
        ));
        // the guide's public example: a wildcard value
        assert!(with(r#"{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#));
        assert!(with(r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#));
        assert!(with(
            r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#
        ));
        assert!(with(r#"{"StringEquals":{"s3:prefix":"home/"}}"#));
        assert!(with(
            r#"{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"#
        ));
    }

    /// "very broad IP ranges (for example, 0.0.0.0/1) are evaluated as
    /// public ... broader than /8 for IPv4 and /32 for IPv6" (issue 19 item 2).
    #[test]
    fn ip_ranges_broader_than_8_or_32_are_public_e15() {
        assert!(with(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#));
        assert!(with(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#));
        assert!(with(r#"{"IpAddress":{"aws:SourceIp":"64.0.0.0/7"}}"#));
        assert!(!with(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#));
        assert!(with(r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/31"}}"#));
        assert!(!with(r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#));
        // one broad range among narrow ones opens it
        assert!(with(
            r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","0.0.0.0/1"]}}"#
        ));
    }

    /// "this value can contain a wildcard for the access point name without
    /// rendering the policy public, as long as the account id is fixed"
    /// (issue 19 item 3).
    #[test]
    fn access_points_of_a_fixed_account_are_not_public_e15() {
        assert!(!with(
            r#"{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}"#
        ));
        assert!(!with(
            r#"{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:123456789012:accesspoint/app-*"}}"#
        ));
        assert!(with(
            r#"{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:*:accesspoint/*"}}"#
        ));
        assert!(!with(
            r#"{"StringEquals":{"s3:DataAccessPointAccount":"123456789012"}}"#
        ));
    }

    /// Block Public Access takes the grant to another account away only
    /// when the policy is public: a delegation to the access points of a
    /// fixed account leaves the policy non-public (issue 19 item 3), a
    /// `0.0.0.0/1` source range makes it public (issue 19 item 2).
    #[test]
    fn restrict_public_buckets_follows_the_meaning_of_public_e15() {
        use crate::eval::policy_set::{EvalOptions, PolicySet};
        use crate::eval::response::Decision;
        use crate::request::Request;
        let decide = |cond: &str| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[
                {{"Effect":"Allow","Principal":"*",{GET},"Condition":{cond}}},
                {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:root"}},{GET}}}]}}"#
            );
            let bucket =
                Policy::parse_as("b.json", &text, LoadOptions::new(PolicyType::Resource)).unwrap();
            let identity = Policy::parse(
                "id.json",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            )
            .unwrap();
            let set = PolicySet::builder()
                .identity(identity)
                .resource(bucket)
                .options(EvalOptions {
                    block_public_access: true.into(),
                    ..EvalOptions::default()
                })
                .build();
            let req = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
                .unwrap()
                .with_principal("arn:aws:iam::444455556666:user/bob")
                .unwrap()
                .with_resource_account("111122223333");
            set.authorize(&req).decision
        };
        assert_eq!(
            decide(
                r#"{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:111122223333:accesspoint/*"}}"#
            ),
            Decision::Allowed
        );
        // a public policy restricted by RestrictPublicBuckets: Block Public
        // Access denies explicitly (E-15, docs/semantics.md)
        assert_eq!(
            decide(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#),
            Decision::ExplicitDeny
        );
    }

    /// `lint` and the evaluator call the same rule, so they agree on every
    /// policy (issue 13 item 4).
    #[test]
    fn lint_and_the_evaluator_agree_on_public_e15() {
        use crate::lint::{lint_text, LintOptions};
        for statement in [
            format!(r#"{{"Effect":"Allow","Principal":"*",{GET}}}"#),
            format!(
                r#"{{"Effect":"Allow","Principal":{{"Federated":"graph.facebook.com"}},{GET}}}"#
            ),
            format!(
                r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{{"IpAddress":{{"aws:SourceIp":"0.0.0.0/1"}}}}}}"#
            ),
            format!(
                r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}"#
            ),
            format!(
                r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{{"StringEquals":{{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/k"}}}}}}"#
            ),
            format!(
                r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{{"StringEquals":{{"aws:SourceOrgID":"o-abc"}}}}}}"#
            ),
            format!(
                r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{{"ArnLike":{{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:111122223333:accesspoint/*"}}}}}}"#
            ),
            format!(
                r#"{{"Effect":"Allow","Principal":"*",{GET},"Condition":{{"StringLike":{{"aws:SourceVpc":"vpc-*"}}}}}}"#
            ),
        ] {
            let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
            let linted = lint_text("b.json", &text, LintOptions::default())
                .findings
                .iter()
                .any(|f| f.code == "S3GUARD_PUBLIC_ACCESS");
            assert_eq!(linted, public(&statement), "{statement}");
        }
    }
}
