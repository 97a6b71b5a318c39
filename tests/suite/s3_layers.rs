//! VPC endpoint policies and S3 Block Public Access as further layers
//! (spec E-15, E-17 ordering; AWS PrivateLink Guide "Control access to VPC
//! endpoints using endpoint policies"; S3 User Guide "Blocking public
//! access to your Amazon S3 storage").

use proptest::prelude::*;
use s3guard::{
    Decision, EvalOptions, LayerDecision, LoadOptions, Policy, PolicySet, PolicyType, Request,
};

use crate::support::{can_json, run};

const FULL: &str = "tests/fixtures/layers/full-s3.json";
const VPCE: &str = "tests/fixtures/layers/vpce.json";
const PUBLIC: &str = "tests/fixtures/layers/public-bucket.json";
const VPCE_ONLY: &str = "tests/fixtures/layers/vpce-only-bucket.json";

/// An endpoint policy must allow a request that goes through the endpoint.
#[test]
fn vpc_endpoint_policy_must_allow_requests_through_the_endpoint() {
    let via = [
        "--policy",
        FULL,
        "--vpce-policy",
        VPCE,
        "--vpce",
        "vpce-1a2b3c4d",
    ];
    let (code, out, _) = run(&[
        &["can", "s3:GetObject", "arn:aws:s3:::app-uploads/a"][..],
        &via,
    ]
    .concat());
    assert_eq!((code, out.lines().next()), (0, Some("ALLOW")), "{out}");
    let (code, out, _) = run(&[
        &["can", "s3:PutObject", "arn:aws:s3:::app-uploads/a"][..],
        &via,
    ]
    .concat());
    assert_eq!(code, 1);
    assert!(
        out.starts_with(&format!("DENY (implicit) — blocked by VPC endpoint policy {VPCE} (the request comes through endpoint vpce-1a2b3c4d): no statement allows the caller to do s3:PutObject on arn:aws:s3:::app-uploads/a")),
        "{out}"
    );
    let (code, s) = can_json(
        &[
            &["can", "s3:PutObject", "arn:aws:s3:::app-uploads/a"][..],
            &via,
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    assert_eq!(s["blockedBy"], serde_json::json!(["vpce"]));
    assert_eq!(s["perPolicyType"]["vpce"], "implicitDeny");
    assert_eq!(s["perPolicyType"]["identity"], "allowed");
}

/// Spec E-2: any Deny, in the endpoint policy too, denies.
#[test]
fn a_deny_in_the_endpoint_policy_is_an_explicit_deny_e2() {
    let (code, out, _) = run(&[
        "can",
        "s3:DeleteObject",
        "arn:aws:s3:::app-uploads/a",
        "--policy",
        FULL,
        "--vpce-policy",
        VPCE,
        "--vpce",
        "vpce-1a2b3c4d",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        out.lines().next(),
        Some(format!("DENY (explicit) — VPC endpoint policy {VPCE}:11:5 (Sid NoDeletesThroughTheEndpoint)").as_str())
    );
}

#[test]
fn the_endpoint_policy_does_not_bind_requests_that_do_not_go_through_it() {
    let (code, out, _) = run(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::app-uploads/a",
        "--policy",
        FULL,
        "--vpce-policy",
        VPCE,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("note: the VPC endpoint policy does not take part: the request does not come through the VPC endpoint"), "{out}");
    let (_, s) = can_json(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::app-uploads/a",
        "--policy",
        FULL,
        "--vpce-policy",
        VPCE,
    ]);
    assert_eq!(s["perPolicyType"]["vpce"], "notApplicable");
}

/// Spec E-7 with an endpoint: an anonymous request through the endpoint
/// needs both the bucket policy's and the endpoint policy's Allow.
#[test]
fn anonymous_requests_through_the_endpoint_need_its_allow_e7() {
    let base = [
        "--bucket-policy",
        PUBLIC,
        "--principal",
        "anonymous",
        "--vpce-policy",
        VPCE,
        "--vpce",
        "vpce-1a2b3c4d",
    ];
    let (code, out, _) = run(&[
        &["can", "s3:GetObject", "arn:aws:s3:::site/index.html"][..],
        &base,
    ]
    .concat());
    assert_eq!(code, 1, "the endpoint allows only app-uploads: {out}");
    assert!(
        out.starts_with("DENY (implicit) — blocked by VPC endpoint policy"),
        "{out}"
    );
}

/// Spec E-15: RestrictPublicBuckets — a public bucket policy grants nothing
/// to anonymous callers, and the denial is explicit: Block Public Access
/// settings "act as explicit deny policies"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html).
#[test]
fn block_public_access_stops_anonymous_reads_of_a_public_bucket_e15() {
    let args = [
        "can",
        "s3:GetObject",
        "arn:aws:s3:::site/index.html",
        "--bucket-policy",
        PUBLIC,
        "--principal",
        "anonymous",
    ];
    let (code, _, _) = run(&args);
    assert_eq!(code, 0, "public without Block Public Access");
    let (code, out, _) = run(&[&args[..], &["--block-public-access"]].concat());
    assert_eq!(code, 1);
    assert_eq!(
        out.lines().next(),
        Some("DENY (explicit) — blocked by S3 Block Public Access (RestrictPublicBuckets): the bucket policy is public, so it grants only to the bucket's account and to AWS services, not to `anonymous` (spec E-15)")
    );
    let (code, s) = can_json(&[&args[..], &["--block-public-access"]].concat());
    assert_eq!(code, 1);
    assert_eq!(s["decision"], "ExplicitDeny");
    assert_eq!(s["matchedStatements"], serde_json::json!([]));
    assert_eq!(s["blockedBy"], serde_json::json!(["block-public-access"]));
    assert_eq!(s["perPolicyType"]["blockPublicAccess"], "explicitDeny");
    assert_eq!(s["perPolicyType"]["resource"], "allowed");
}

/// Spec E-15: "public and cross-account access within any public bucket
/// policy, including non-public delegation to specific accounts, is blocked".
#[test]
fn block_public_access_stops_cross_account_grants_of_a_public_policy_e15() {
    let args = [
        "can",
        "s3:PutObject",
        "arn:aws:s3:::site/incoming/x",
        "--bucket-policy",
        PUBLIC,
        "--policy",
        FULL,
        "--principal",
        "arn:aws:iam::444455556666:user/partner",
        "--resource-account",
        "111122223333",
    ];
    assert_eq!(
        run(&args).0,
        0,
        "the account grant works without Block Public Access"
    );
    let (code, out, _) = run(&[&args[..], &["--block-public-access"]].concat());
    assert_eq!(code, 1);
    assert!(
        out.starts_with("DENY (explicit) — blocked by S3 Block Public Access"),
        "{out}"
    );
}

/// Block Public Access "act[s] as explicit deny policies"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html):
/// a cross-account caller whose own side does not allow either is still
/// denied explicitly, by Block Public Access, not implicitly by its identity
/// side; a Deny statement that applies stays the reason.
#[test]
fn block_public_access_is_an_explicit_deny_whatever_else_fails() {
    let args = [
        "can",
        "s3:PutObject",
        "arn:aws:s3:::site/incoming/x",
        "--bucket-policy",
        PUBLIC,
        "--principal",
        "arn:aws:iam::444455556666:user/partner",
        "--resource-account",
        "111122223333",
        "--block-public-access",
    ];
    let (code, s) = can_json(&args);
    assert_eq!(code, 1);
    assert_eq!(s["decision"], "ExplicitDeny");
    assert_eq!(s["blockedBy"], serde_json::json!(["block-public-access"]));
    let set = PolicySet::builder()
        .resource(load(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"},
                {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/secret"}]}"#,
            PolicyType::Resource,
        ))
        .options(EvalOptions {
            block_public_access: true.into(),
            ..EvalOptions::default()
        })
        .build();
    let anonymous = |r: &str| {
        Request::new("s3:GetObject", r)
            .unwrap()
            .with_principal("anonymous")
            .unwrap()
            .with_resource_account("111122223333")
    };
    let by_bpa = set.authorize(&anonymous("arn:aws:s3:::site/index.html"));
    assert_eq!(by_bpa.decision, Decision::ExplicitDeny);
    assert!(by_bpa.is_blocked_by_public_access());
    assert_eq!(
        by_bpa.per_type.block_public_access,
        LayerDecision::ExplicitDeny
    );
    let by_statement = set.authorize(&anonymous("arn:aws:s3:::site/secret"));
    assert_eq!(by_statement.decision, Decision::ExplicitDeny);
    assert_eq!(by_statement.determining.len(), 1);
    assert!(!by_statement.is_blocked_by_public_access());
}

/// Spec E-15: same-account principals and AWS services keep their access.
#[test]
fn block_public_access_keeps_the_bucket_account_and_services_e15() {
    for principal in [
        "arn:aws:iam::111122223333:user/web",
        "cloudfront.amazonaws.com",
    ] {
        let (code, out, _) = run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::site/index.html",
            "--bucket-policy",
            PUBLIC,
            "--principal",
            principal,
            "--resource-account",
            "111122223333",
            "--block-public-access",
        ]);
        assert_eq!(code, 0, "{principal}: {out}");
    }
    let (_, s) = can_json(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::site/index.html",
        "--bucket-policy",
        PUBLIC,
        "--principal",
        "arn:aws:iam::111122223333:user/web",
        "--block-public-access",
    ]);
    assert_eq!(s["perPolicyType"]["blockPublicAccess"], "notApplicable");
    assert!(s["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("the bucket policy is public")));
}

/// Spec E-15: a grant to everyone limited to a fixed aws:SourceVpce is not public.
#[test]
fn a_policy_limited_to_an_endpoint_is_not_public_e15() {
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::site/index.html",
        "--bucket-policy",
        VPCE_ONLY,
        "--principal",
        "anonymous",
        "--vpce",
        "vpce-1a2b3c4d",
        "--block-public-access",
    ]);
    assert_eq!(code, 0, "{out}");
}

// ---- property tests: the new layers only ever take access away ----------

const ACTIONS: &[&str] = &["s3:*", "s3:GetObject", "s3:PutObject", "s3:Get*", "*"];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::c/*",
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::444455556666:user/u"}"#,
    r#"{"Service":"logging.s3.amazonaws.com"}"#,
];
const CONDITIONS: &[&str] = &[
    "",
    r#","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#,
    r#","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#,
];
const CALLERS: &[&str] = &[
    "arn:aws:iam::111122223333:user/me",
    "arn:aws:iam::444455556666:user/u",
    "anonymous",
    "logging.s3.amazonaws.com",
    "arn:aws:sts::111122223333:assumed-role/r/s",
];
const REQS: &[(&str, &str)] = &[
    ("s3:GetObject", "arn:aws:s3:::b/k"),
    ("s3:PutObject", "arn:aws:s3:::b/k"),
    ("s3:ListBucket", "arn:aws:s3:::b"),
    ("s3:GetObject", "arn:aws:s3:::c/k"),
];

fn statements(stmts: &[(bool, usize, usize, usize, usize)], principals: bool) -> String {
    let body: Vec<String> = stmts
        .iter()
        .map(|(deny, a, r, p, c)| {
            let principal = if principals {
                format!(r#""Principal":{},"#, PRINCIPALS[*p])
            } else {
                String::new()
            };
            format!(
                r#"{{"Effect":"{}",{principal}"Action":"{}","Resource":"{}"{}}}"#,
                if *deny { "Deny" } else { "Allow" },
                ACTIONS[*a],
                RESOURCES[*r],
                CONDITIONS[*c]
            )
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        body.join(",")
    )
}

fn stmts() -> impl Strategy<Value = Vec<(bool, usize, usize, usize, usize)>> {
    prop::collection::vec(
        (
            prop::bool::weighted(0.25),
            0..ACTIONS.len(),
            0..RESOURCES.len(),
            0..PRINCIPALS.len(),
            0..CONDITIONS.len(),
        ),
        0..4,
    )
}

fn load(text: &str, t: PolicyType) -> Policy {
    Policy::parse_as("p.json", text, LoadOptions::new(t)).expect("generated policies are valid")
}

fn set(identity: &str, bucket: &str, vpce: Option<&str>, bpa: bool) -> PolicySet {
    let mut b = PolicySet::builder()
        .identity(load(identity, PolicyType::Identity))
        .resource(load(bucket, PolicyType::Resource));
    if let Some(v) = vpce {
        b = b.vpc_endpoint(load(v, PolicyType::VpcEndpoint));
    }
    b.options(EvalOptions {
        block_public_access: bpa.into(),
        ..EvalOptions::default()
    })
    .build()
}

fn request(caller: usize, req: usize, via: u8) -> Request {
    let (a, r) = REQS[req];
    let mut q = Request::new(a, r)
        .unwrap()
        .with_principal(CALLERS[caller])
        .unwrap()
        .with_resource_account("111122223333");
    if via & 1 != 0 {
        q = q.with_context("aws:SourceVpce", "vpce-1");
    }
    if via & 2 != 0 {
        q = q.with_context("aws:SourceVpc", "vpc-9");
    }
    q
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The compiled path agrees with the reference with every layer present.
    #[test]
    fn compiled_agrees_with_the_reference_with_vpce_and_bpa(
        id in stmts(), bucket in stmts(), vpce in stmts(), bpa in any::<bool>(),
        caller in 0..CALLERS.len(), req in 0..REQS.len(), via in 0u8..4,
    ) {
        let s = set(&statements(&id, false), &statements(&bucket, true), Some(&statements(&vpce, true)), bpa);
        let q = request(caller, req, via);
        let (fast, slow) = (s.authorize(&q), s.authorize_reference(&q));
        prop_assert_eq!(fast.decision, slow.decision);
        prop_assert_eq!(fast.blocked_by, slow.blocked_by);
        prop_assert_eq!(fast.per_type, slow.per_type);
    }

    /// An endpoint policy and Block Public Access only take access away:
    /// adding them never turns a denial into an allow.
    #[test]
    fn vpce_and_bpa_never_grant(
        id in stmts(), bucket in stmts(), vpce in stmts(), bpa in any::<bool>(),
        caller in 0..CALLERS.len(), req in 0..REQS.len(), via in 0u8..4,
    ) {
        let (id, bucket) = (statements(&id, false), statements(&bucket, true));
        let q = request(caller, req, via);
        let without = set(&id, &bucket, None, false).authorize(&q).decision;
        let with = set(&id, &bucket, Some(&statements(&vpce, true)), bpa).authorize(&q).decision;
        if without != Decision::Allowed {
            prop_assert_ne!(with, Decision::Allowed);
        }
    }

    /// Without aws:SourceVpce the endpoint policy does not take part.
    #[test]
    fn requests_not_through_the_endpoint_ignore_its_policy(
        id in stmts(), bucket in stmts(), vpce in stmts(),
        caller in 0..CALLERS.len(), req in 0..REQS.len(),
    ) {
        let (id, bucket) = (statements(&id, false), statements(&bucket, true));
        let q = request(caller, req, 2);
        let without = set(&id, &bucket, None, false).authorize(&q);
        let with = set(&id, &bucket, Some(&statements(&vpce, true)), false).authorize(&q);
        prop_assert_eq!(without.decision, with.decision);
        prop_assert_eq!(with.per_type.vpce, LayerDecision::NotApplicable);
    }
}

/// Access point ARNs "encode the access point's AWS Region and the AWS
/// account ID of the access point's owner"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-alias.html):
/// without `--resource-account`, the ARN's account is the resource's.
#[test]
fn an_access_point_arn_names_its_owner() {
    const AP: &str = "arn:aws:s3:us-west-2:444455556666:accesspoint/ap/object/k";
    let (code, s) = can_json(&[
        "can",
        "s3:GetObject",
        AP,
        "--policy",
        FULL,
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
    ]);
    assert_eq!(code, 1, "cross-account: the owner grants nothing");
    assert_eq!(s["sameAccount"], false);
    assert_eq!(s["resourceAccount"], "444455556666");
    assert_eq!(s["blockedBy"], serde_json::json!(["resource"]));
    let account = s["context"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "aws:ResourceAccount")
        .map(|e| e["value"].clone());
    assert_eq!(account, Some(serde_json::json!("444455556666")));
    let (code, s) = can_json(&[
        "can",
        "s3:GetObject",
        AP,
        "--policy",
        FULL,
        "--principal",
        "arn:aws:iam::444455556666:user/owner",
    ]);
    assert_eq!(code, 0, "the owner's own user: same account");
    assert_eq!(s["sameAccount"], true);
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        AP,
        "--policy",
        FULL,
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--resource-account",
        "111122223333",
    ]);
    assert_eq!(code, 2, "a --resource-account contradicting the ARN: {err}");
    assert!(err.contains("names account `444455556666`"), "{err}");
    let q = Request::new("s3:GetObject", AP)
        .unwrap()
        .with_principal("arn:aws:iam::111122223333:user/alice")
        .unwrap();
    assert!(!q.is_same_account());
    assert_eq!(q.effective_resource_account(), Some("444455556666"));
    let bucket = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
        .unwrap()
        .with_principal("arn:aws:iam::111122223333:user/alice")
        .unwrap();
    assert_eq!(
        bucket.stated_resource_account(),
        None,
        "bucket ARNs name no account"
    );
}

/// In a gateway endpoint's policy, `"Principal": {"AWS": "111122223333"}`
/// (or `arn:aws:iam::111122223333:root`) "grants access to the account
/// root user only, and not all IAM users and roles"
/// (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html);
/// in an interface endpoint's policy it names the whole account, as in a
/// bucket policy (the default, `--vpce-type interface`).
#[test]
fn a_gateway_endpoint_policy_account_principal_names_the_root_user_only() {
    let ask = |principal: &str, kind: &str| {
        run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::app-uploads/a",
            "--policy",
            FULL,
            "--vpce-policy",
            "tests/fixtures/layers/vpce-account.json",
            "--vpce",
            "vpce-1a2b3c4d",
            "--vpce-type",
            kind,
            "--principal",
            principal,
        ])
    };
    let user = "arn:aws:iam::111122223333:user/app";
    let root = "arn:aws:iam::111122223333:root";
    assert_eq!(
        ask(user, "interface").0,
        0,
        "interface: the account's users"
    );
    let (code, out, _) = ask(user, "gateway");
    assert_eq!(code, 1, "gateway: not the account's users");
    assert!(
        out.starts_with("DENY (implicit) — blocked by VPC endpoint policy"),
        "{out}"
    );
    assert_eq!(ask(root, "gateway").0, 0, "gateway: the root user");
    let (code, _, err) = ask(user, "tunnel");
    assert_eq!(code, 2, "{err}");
    let text = std::fs::read_to_string(crate::support::repo(
        "tests/fixtures/layers/vpce-account.json",
    ))
    .unwrap()
    .replace("\"111122223333\"", "\"arn:aws:iam::111122223333:root\"");
    let (_dir, path) = crate::support::temp_file("vpce-root-arn.json", &text);
    let path = path.to_string_lossy();
    let with_arn = |principal: &str| {
        run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::app-uploads/a",
            "--policy",
            FULL,
            "--vpce-policy",
            &path,
            "--vpce",
            "vpce-1a2b3c4d",
            "--vpce-type",
            "gateway",
            "--principal",
            principal,
        ])
        .0
    };
    assert_eq!(
        with_arn(user),
        1,
        "the :root ARN form: not the users either"
    );
    assert_eq!(with_arn(root), 0);
}
