//! Policy types combined (spec E-4..E-17): the cross-account matrix and
//! invariants of guardrail layers.

use proptest::prelude::*;
use s3guard::{Decision, Policy, PolicySet, PolicyType, Request};

const ME: &str = "arn:aws:iam::111122223333:user/alice";
const EVE: &str = "arn:aws:iam::999988887777:user/eve";
const OBJ: &str = "arn:aws:s3:::prod/x";

fn identity(allow: bool) -> Option<Policy> {
    allow.then(|| {
        Policy::parse(
            "id.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        )
        .unwrap()
    })
}

fn bucket(principal: Option<&str>) -> Option<Policy> {
    principal.map(|p| {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{p},"Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*"}}]}}"#
        );
        Policy::parse_as("bucket.json", &text, s3guard::LoadOptions::new(PolicyType::Resource)).unwrap()
    })
}

fn decide(caller: &str, id: bool, grant: Option<&str>) -> Decision {
    let mut b = PolicySet::builder();
    if let Some(p) = identity(id) {
        b = b.identity(p);
    }
    if let Some(p) = bucket(grant) {
        b = b.resource(p);
    }
    let req = Request::new("s3:GetObject", OBJ)
        .unwrap()
        .with_principal(caller)
        .unwrap()
        .with_resource_account("111122223333");
    b.build().authorize(&req).decision
}

/// Spec E-5 (same account: identity OR a direct resource grant) and E-6
/// (cross account: identity AND a resource grant of any kind).
#[test]
fn cross_account_matrix_spec_e5_e6() {
    use Decision::{Allowed as A, ImplicitDeny as I};
    let me_direct = format!(r#"{{"AWS":"{ME}"}}"#);
    let eve_direct = format!(r#"{{"AWS":"{EVE}"}}"#);
    let rows: Vec<(&str, bool, Option<&str>, Decision)> = vec![
        // same account
        (ME, false, None, I),
        (ME, true, None, A),
        (ME, false, Some(me_direct.as_str()), A),
        (ME, true, Some(me_direct.as_str()), A),
        (ME, false, Some(r#"{"AWS":"111122223333"}"#), I), // account grant = delegation
        (ME, true, Some(r#"{"AWS":"111122223333"}"#), A),
        (ME, false, Some(r#""*""#), A),
        // cross account
        (EVE, false, None, I),
        (EVE, true, None, I),
        (EVE, false, Some(eve_direct.as_str()), I),
        (EVE, true, Some(eve_direct.as_str()), A),
        (EVE, true, Some(r#"{"AWS":"999988887777"}"#), A),
        (EVE, true, Some(r#""*""#), A),
        (EVE, false, Some(r#""*""#), I),
        (EVE, true, Some(r#"{"AWS":"111122223333"}"#), I),
    ];
    for (caller, id, grant, want) in rows {
        assert_eq!(
            decide(caller, id, grant),
            want,
            "caller {caller} identity {id} grant {grant:?}"
        );
    }
}

fn layer(t: PolicyType, body: &str) -> Policy {
    let p = match t {
        // RCPs have no NotAction, and a customer managed RCP names its
        // services: no `"Action": "*"` (AWS Organizations RCP syntax)
        PolicyType::Rcp => format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*",{}}}]}}"#,
            body.replace("NotAction", "Action")
                .replace(r#""Action":"*""#, r#""Action":"s3:*""#)
        ),
        _ => format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{body}}}]}}"#),
    };
    Policy::parse_as("layer.json", &p, s3guard::LoadOptions::new(t)).unwrap()
}

const BODIES: &[&str] = &[
    r#""Action":"s3:*","Resource":"*""#,
    r#""Action":"s3:Get*","Resource":"*""#,
    r#""Action":"s3:PutObject","Resource":"arn:aws:s3:::prod/*""#,
    r#""NotAction":"s3:Delete*","Resource":"*""#,
    r#""Action":"*","Resource":"arn:aws:s3:::other/*""#,
];
const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteBucket",
];
const CALLERS: &[&str] = &[
    ME,
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    "arn:aws:iam::111122223333:root",
];

proptest! {
    /// Spec E-3, E-12..E-14: guardrail layers (boundary, session policy, SCP
    /// level, RCP level) never turn a denied request into an allowed one.
    #[test]
    fn guardrails_never_turn_deny_into_allow(
        id in 0..BODIES.len(), g in 0..BODIES.len(), kind in 0usize..4,
        a in 0..ACTIONS.len(), c in 0..CALLERS.len(),
    ) {
        let base = || PolicySet::builder().identity(layer(PolicyType::Identity, BODIES[id]));
        let t = [PolicyType::Boundary, PolicyType::Session, PolicyType::Scp, PolicyType::Rcp][kind];
        let guard = layer(t, BODIES[g]);
        let with = match t {
            PolicyType::Boundary => base().boundary(guard),
            PolicyType::Session => base().session(guard),
            PolicyType::Scp => base().scp_level(vec![guard]),
            _ => base().rcp_level(vec![guard]),
        };
        let resource = if ACTIONS[a] == "s3:DeleteBucket" { "arn:aws:s3:::prod" } else { OBJ };
        let req = Request::new(ACTIONS[a], resource).unwrap().with_principal(CALLERS[c]).unwrap();
        let before = base().build().authorize(&req).decision;
        let after = with.build().authorize(&req).decision;
        if before != Decision::Allowed {
            prop_assert_ne!(after, Decision::Allowed);
        }
    }

    /// With no bucket policy and no guardrail, a same-account caller gets the
    /// identity policies' answer whoever it is (E-5, E-17).
    #[test]
    fn without_other_layers_the_identity_decision_stands(
        id in 0..BODIES.len(), a in 0..ACTIONS.len(), c in 0..2usize,
    ) {
        let set = PolicySet::identity([layer(PolicyType::Identity, BODIES[id])]);
        let resource = if ACTIONS[a] == "s3:DeleteBucket" { "arn:aws:s3:::prod" } else { OBJ };
        let unspecified = Request::new(ACTIONS[a], resource).unwrap();
        let named = unspecified.clone().with_principal(CALLERS[c]).unwrap();
        prop_assert_eq!(set.authorize(&unspecified).decision, set.authorize(&named).decision);
    }
}

/// AWS Organizations User Guide, "RCP syntax"
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html):
/// "You cannot use "*" in the Action element of a customer managed RCP", and
/// "The effect of Allow is only supported for the RCPFullAWSAccess policy".
/// Each is refused when the RCP loads (exit 2, at the element), as AWS
/// Organizations refuses to create such a policy; RCPFullAWSAccess itself loads.
#[test]
fn rcp_grammar_limits_are_load_errors_organizations_rcp_syntax() {
    let rcp = |statement: &str| format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
    let rows: &[(&str, Option<&str>)] = &[
        (
            r#"{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}}"#,
            Some("INVALID_RCP_ACTION"),
        ),
        (
            r#"{"Effect":"Deny","Principal":"*","Action":["s3:GetObject","*:*"],"Resource":"*"}"#,
            Some("INVALID_RCP_ACTION"),
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#,
            Some("INVALID_RCP_EFFECT"),
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#,
            Some("INVALID_RCP_EFFECT"),
        ),
        (
            r#"{"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"*"}"#,
            Some("UNSUPPORTED_ELEMENT"),
        ),
        (
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
            Some("UNSUPPORTED_ELEMENT"),
        ),
        (
            r#"{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
            Some("INVALID_RCP_PRINCIPAL"),
        ),
        (
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#,
            Some("MISSING_PRINCIPAL"),
        ),
        // RCPFullAWSAccess, as AWS attaches it
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#,
            None,
        ),
        (
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::ok/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
            None,
        ),
    ];
    for (statement, code) in rows {
        let (_dir, path) = crate::support::temp_file("rcp.json", &rcp(statement));
        let path = path.to_string_lossy();
        let (exit, _, err) = crate::support::run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--principal",
            ME,
            "--policy",
            "policies/amazon-s3-full-access.json",
            "--rcp",
            &path,
        ]);
        match code {
            Some(code) => {
                assert_eq!(exit, 2, "{statement}: {err}");
                let code = format!("error[{}]", code.to_lowercase().replace('_', "-"));
                assert!(err.contains(&code), "{statement}: {err}");
                assert!(err.contains("rcp.json:1:"), "{statement}: {err}");
            }
            None => assert_eq!(exit, 0, "{statement}: {err}"),
        }
    }
}

/// AWS Organizations User Guide, "SCP syntax"
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html):
/// an SCP has no `Principal` or `NotPrincipal` (it applies to the principals of
/// the accounts it is attached to), while `NotAction`, `NotResource` and
/// `Condition` are supported with both effects in the current syntax.
#[test]
fn scp_grammar_limits_organizations_scp_syntax() {
    let rows: &[(&str, Option<&str>)] = &[
        (
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#,
            Some("error[unsupported-principal]"),
        ),
        (
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
            Some("error[unsupported-principal]"),
        ),
        (
            r#"{"Effect":"Allow","NotAction":"s3:DeleteBucket","NotResource":"arn:aws:s3:::locked/*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}"#,
            None,
        ),
    ];
    for (statement, code) in rows {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        let (_dir, path) = crate::support::temp_file("scp.json", &text);
        let path = path.to_string_lossy();
        let (exit, _, err) = crate::support::run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--principal",
            ME,
            "--policy",
            "policies/amazon-s3-full-access.json",
            "--scp",
            &path,
        ]);
        match code {
            Some(code) => {
                assert_eq!(exit, 2, "{statement}: {err}");
                assert!(err.contains(code), "{statement}: {err}");
            }
            None => assert_ne!(exit, 2, "{statement}: {err}"),
        }
    }
}

/// Issue "no silent wrong answer", item 1. IAM User Guide, Principal element,
/// "IAM role principals"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles):
/// "Identity-based policy types, such as permissions boundaries or session
/// policies, do not limit permissions granted using the aws:PrincipalArn
/// condition key with a wildcard(*) in the Principal element, unless the
/// identity-based policies contain an explicit deny." (spec E-5, the `"*"` row)
#[test]
fn a_wildcard_grant_narrowed_by_principal_arn_is_not_limited_by_guardrails_spec_e5() {
    let bucket = Policy::parse_as(
        "bucket.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*",
            "Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app-role"}}}]}"#,
        s3guard::LoadOptions::new(PolicyType::Resource),
    )
    .unwrap();
    let list_only = r#""Action":"s3:ListBucket","Resource":"*""#;
    let session = "arn:aws:sts::111122223333:assumed-role/app-role/s1";
    let ask = |set: PolicySet| {
        let req = s3guard::RequestBuilder::new()
            .principal(session)
            .resource_account("111122223333")
            .build("s3:GetObject", OBJ)
            .unwrap();
        set.authorize(&req).decision
    };
    let boundary = PolicySet::builder()
        .resource(bucket.clone())
        .boundary(layer(PolicyType::Boundary, list_only));
    assert_eq!(ask(boundary.build()), Decision::Allowed, "boundary");
    let session_policy = PolicySet::builder()
        .resource(bucket.clone())
        .session(layer(PolicyType::Session, list_only));
    assert_eq!(
        ask(session_policy.build()),
        Decision::Allowed,
        "session policy"
    );
    // "unless the identity-based policies contain an explicit deny"
    let deny = Policy::parse_as(
        "boundary.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#,
        s3guard::LoadOptions::new(PolicyType::Boundary),
    )
    .unwrap();
    let denied = PolicySet::builder().resource(bucket).boundary(deny);
    assert_eq!(ask(denied.build()), Decision::ExplicitDeny);
}
