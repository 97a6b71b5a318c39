//! Requests through S3 access points (spec AP-1 to AP-6), from the examples
//! of the S3 User Guide:
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html>
//! (examples 1, 3, 5, 6, 7),
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html>
//! and
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-restrictions-limitations.html>.

use s3guard::{
    AccessPoint, Decision, EvalOptions, LayerDecision, LoadOptions, Policy, PolicySet, PolicyType,
    RequestBuilder,
};

use crate::support::run;

const DIR: &str = "tests/fixtures/access-points";
const JANE: &str = "arn:aws:iam::123456789012:user/Jane";
const JANE_OBJECT: &str =
    "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Jane/notes.txt";
const BUCKET: &str = "amzn-s3-demo-bucket1";

fn fixture(name: &str) -> String {
    format!("{DIR}/{name}")
}

/// `can` with the access point in front of `amzn-s3-demo-bucket1`.
fn can(action: &str, resource: &str, args: &[&str]) -> (i32, String, String) {
    let ap_policy = fixture("jane-access-point.json");
    let mut all = vec!["can", action, resource, "--access-point-bucket", BUCKET];
    if !args.contains(&"--access-point-policy") {
        all.extend(["--access-point-policy", ap_policy.as_str()]);
    }
    all.extend(args);
    run(&all)
}

fn json(action: &str, resource: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let (code, out, err) = can(action, resource, &[args, &["--format", "json"]].concat());
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v["EvaluationResults"][0]["s3guard"].clone())
}

/// Example 1: the access point policy grants Jane, but "for the access
/// point policy to effectively grant access to Jane, the underlying bucket
/// must also allow the same access to Jane" (AP-1).
#[test]
fn an_access_point_grant_needs_the_bucket_too_ap1() {
    let (code, out, _) = can("s3:GetObject", JANE_OBJECT, &["--principal", JANE]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("DENY (implicit) — the bucket behind the access point does not allow it"),
        "{out}"
    );
    assert!(
        out.contains("on arn:aws:s3:::amzn-s3-demo-bucket1/Jane/notes.txt"),
        "{out}"
    );
    // the bucket policy of the example grants Jane the same on the bucket ARN
    let bucket = fixture("jane-bucket.json");
    let (code, out, _) = can(
        "s3:GetObject",
        JANE_OBJECT,
        &["--principal", JANE, "--bucket-policy", &bucket],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("allowed by tests/fixtures/access-points/jane-access-point.json"),
        "{out}"
    );
    assert!(
        out.contains("allowed by tests/fixtures/access-points/jane-bucket.json"),
        "{out}"
    );
    // outside Jane/, the access point policy does not allow
    let (code, s) = json(
        "s3:GetObject",
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Bob/notes.txt",
        &["--principal", JANE, "--bucket-policy", &bucket],
    );
    assert_eq!(code, 1);
    // same account, as with a bucket policy (E-5): neither side allows
    assert_eq!(s["blockedBy"], serde_json::json!(["identity"]));
    assert_eq!(s["perPolicyType"]["accessPoint"], "implicitDeny");
    assert_eq!(
        s["accessPoint"]["atAccessPoint"]["decision"],
        "ImplicitDeny"
    );
    assert_eq!(
        s["accessPoint"]["atBucket"]["resource"],
        "arn:aws:s3:::amzn-s3-demo-bucket1/Bob/notes.txt"
    );
}

/// Example 6: a bucket policy that allows `*` when `s3:DataAccessPointAccount`
/// is the bucket owner's account delegates access control to its access
/// points (AP-2), and grants nothing to direct requests (AP-3).
#[test]
fn a_bucket_delegates_to_its_access_points_ap2() {
    let delegate = fixture("delegate-bucket.json");
    let (code, s) = json(
        "s3:PutObject",
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Jane/new.txt",
        &["--principal", JANE, "--bucket-policy", &delegate],
    );
    assert_eq!(code, 0, "{s}");
    assert_eq!(s["decision"], "Allow");
    assert_eq!(s["perPolicyType"]["accessPoint"], "allowed");
    assert_eq!(s["perPolicyType"]["resource"], "allowed");
    let derived = |key: &str| {
        s["context"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .map(|e| (e["value"].clone(), e["origin"].clone()))
    };
    assert_eq!(
        derived("s3:DataAccessPointArn"),
        Some((
            "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point".into(),
            "derived".into()
        ))
    );
    assert_eq!(
        derived("s3:DataAccessPointAccount").unwrap().0,
        "123456789012"
    );
    assert_eq!(
        derived("s3:AccessPointNetworkOrigin").unwrap().0,
        "Internet"
    );
    // the same bucket policy, asked directly: no access point, no grant
    let (code, out, _) = run(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::amzn-s3-demo-bucket1/Jane/new.txt",
        "--principal",
        JANE,
        "--bucket-policy",
        &delegate,
        "--access-point-policy",
        &fixture("jane-access-point.json"),
        "--access-point-bucket",
        BUCKET,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the access point policy does not take part: the request does not go through the access point"), "{out}");
}

/// Example 3: listing through the access point names the access point ARN
/// in the access point policy; the bucket sees the bucket ARN.
#[test]
fn listing_through_an_access_point_ap1() {
    let (code, s) = json(
        "s3:ListBucket",
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point",
        &[
            "--principal",
            "arn:aws:iam::123456789012:user/Arnav",
            "--access-point-policy",
            &fixture("arnav-listing.json"),
            "--bucket-policy",
            &fixture("delegate-bucket.json"),
        ],
    );
    assert_eq!(code, 0, "{s}");
    assert_eq!(
        s["accessPoint"]["atBucket"]["resource"],
        "arn:aws:s3:::amzn-s3-demo-bucket1"
    );
    assert_eq!(s["accessPoint"]["atBucket"]["decision"], "Allowed");
}

/// Example 5: a bucket policy that denies object operations unless the
/// access point's network origin is VPC; and "Amazon S3 rejects any request
/// made to the access point that doesn't originate from that VPC" (AP-4).
#[test]
fn vpc_access_points_ap4() {
    let reader = fixture("reader.json");
    let vpc_only = fixture("vpc-origin-only-bucket.json");
    let base = [
        "--principal",
        JANE,
        "--policy",
        reader.as_str(),
        "--bucket-policy",
        vpc_only.as_str(),
    ];
    // an Internet access point: the bucket policy's Deny applies
    let (code, s) = json("s3:GetObject", JANE_OBJECT, &base);
    assert_eq!(
        (code, s["decision"].as_str()),
        (1, Some("ExplicitDeny")),
        "{s}"
    );
    assert_eq!(s["matchedStatements"][0]["policyType"], "resource");
    // a VPC access point, asked from its VPC: allowed
    let from_vpc = [
        &base[..],
        &[
            "--access-point-vpc",
            "vpc-1a2b3c",
            "--context",
            "aws:SourceVpc=vpc-1a2b3c",
        ],
    ]
    .concat();
    let (code, s) = json("s3:GetObject", JANE_OBJECT, &from_vpc);
    assert_eq!(code, 0, "{s}");
    // from elsewhere: refused whatever the policies say
    let elsewhere = [
        &base[..],
        &[
            "--access-point-vpc",
            "vpc-1a2b3c",
            "--context",
            "aws:SourceVpc=vpc-9z8y7x",
        ],
    ]
    .concat();
    let (code, out, _) = can("s3:GetObject", JANE_OBJECT, &elsewhere);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("DENY (explicit) — refused by the access point: the access point's network origin is VPC vpc-1a2b3c, and the request comes from vpc-9z8y7x"),
        "{out}"
    );
    let (_, s) = json("s3:GetObject", JANE_OBJECT, &elsewhere);
    assert_eq!(
        s["blockedBy"],
        serde_json::json!(["access-point-restrictions"])
    );
    assert_eq!(
        s["perPolicyType"]["accessPointRestrictions"],
        "explicitDeny"
    );
    assert_eq!(s["accessPoint"]["refusal"]["reason"], "outside-vpc");
    // network origin VPC needs the VPC
    let (code, _, err) = can(
        "s3:GetObject",
        JANE_OBJECT,
        &["--access-point-network-origin", "VPC"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("an access point of network origin VPC needs its VPC id"),
        "{err}"
    );
}

/// "Requests from your VPC to S3 only succeed through an access point if the
/// VPC endpoint policy grants access to both the access point and the
/// underlying bucket" (access-points-vpc page, AP-1, AP-4).
#[test]
fn the_endpoint_policy_must_name_the_access_point_and_the_bucket_ap4() {
    let object = "arn:aws:s3:us-west-2:123456789012:accesspoint/example-vpc-ap/object/report.csv";
    let reader = fixture("reader.json");
    let delegate = fixture("delegate-bucket.json");
    let listing = fixture("arnav-listing.json");
    let with = |endpoint: &str| {
        can(
            "s3:GetObject",
            object,
            &[
                "--principal",
                JANE,
                "--policy",
                &reader,
                "--bucket-policy",
                &delegate,
                "--access-point-policy",
                &listing,
                "--access-point-vpc",
                "vpc-1a2b3c",
                "--context",
                "aws:SourceVpc=vpc-1a2b3c",
                "--vpce",
                "vpce-1a2b3c4d",
                "--vpce-policy",
                endpoint,
            ],
        )
    };
    let (code, out, _) = with(&fixture("vpc-endpoint.json"));
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = with(&fixture("vpc-endpoint-bucket-only.json"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("at the access point, DENY (implicit)"),
        "{out}"
    );
    assert!(
        out.contains("(no VPC endpoint policy statement allows it)"),
        "{out}"
    );
}

/// Example 7 and the restrictions page: "Cross-account access points don't
/// grant you access to data until you are granted permissions from the
/// bucket owner" (AP-6).
#[test]
fn cross_account_access_points_need_the_bucket_owner_ap6() {
    let object = "arn:aws:s3:us-west-2:444455556666:accesspoint/partner-ap/object/data.csv";
    let reader = fixture("reader.json");
    let everyone = fixture("public-access-point.json");
    let base = [
        "--principal",
        "arn:aws:iam::444455556666:role/analyst",
        "--policy",
        reader.as_str(),
        "--access-point-policy",
        everyone.as_str(),
        "--access-point-bucket-account",
        "111122223333",
    ];
    let (code, s) = json("s3:GetObject", object, &base);
    assert_eq!(code, 1, "{s}");
    assert_eq!(s["accessPoint"]["atAccessPoint"]["decision"], "Allowed");
    assert_eq!(s["accessPoint"]["atBucket"]["decision"], "ImplicitDeny");
    assert_eq!(s["blockedBy"], serde_json::json!(["resource"]));
    let cross = fixture("cross-account-bucket.json");
    let granted = [&base[..], &["--bucket-policy", &cross]].concat();
    let (code, s) = json("s3:GetObject", object, &granted);
    assert_eq!(code, 0, "{s}");
    // the bucket owner granted GET and LIST only
    let everything = fixture("everything.json");
    let writer = [&granted[..], &["--policy", &everything]].concat();
    let (code, s) = json("s3:PutObject", object, &writer);
    assert_eq!(code, 1, "{s}");
    assert_eq!(s["accessPoint"]["atAccessPoint"]["decision"], "Allowed");
    assert_eq!(s["blockedBy"], serde_json::json!(["resource"]));
}

/// "Access points don't support anonymous access", and "Access points only
/// support access over HTTPS" (restrictions page, AP-5); a public access
/// point policy is restricted by the access point's Block Public Access,
/// on by default.
#[test]
fn what_access_points_refuse_ap5() {
    let everyone = fixture("public-access-point.json");
    let delegate = fixture("delegate-bucket.json");
    let object = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/a.txt";
    let (code, out, _) = can(
        "s3:GetObject",
        object,
        &[
            "--principal",
            "anonymous",
            "--access-point-policy",
            &everyone,
            "--bucket-policy",
            &delegate,
        ],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("access points don't support anonymous access"),
        "{out}"
    );
    let (code, out, _) = can(
        "s3:GetObject",
        object,
        &[
            "--principal",
            JANE,
            "--policy",
            &fixture("reader.json"),
            "--bucket-policy",
            &delegate,
            "--context",
            "aws:SecureTransport=false",
        ],
    );
    assert_eq!(code, 1);
    assert!(out.contains("only support access over HTTPS"), "{out}");
    // another account, granted only by the public access point policy
    let (code, out, _) = can(
        "s3:GetObject",
        object,
        &[
            "--principal",
            "arn:aws:iam::999988887777:user/mallory",
            "--policy",
            &fixture("reader.json"),
            "--access-point-policy",
            &everyone,
            "--bucket-policy",
            &delegate,
        ],
    );
    assert_eq!(code, 1);
    assert!(out.contains("the access point policy is public"), "{out}");
    // the owner's account still gets the public grant
    let (code, out, _) = can(
        "s3:GetObject",
        object,
        &[
            "--principal",
            JANE,
            "--access-point-policy",
            &everyone,
            "--bucket-policy",
            &delegate,
        ],
    );
    assert_eq!(code, 0, "{out}");
}

/// Access point settings are checked: the bucket is needed.
#[test]
fn an_access_point_policy_needs_its_bucket() {
    let (code, out, err) = run(&[
        "can",
        "s3:GetObject",
        JANE_OBJECT,
        "--access-point-policy",
        &fixture("jane-access-point.json"),
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("an access point needs the bucket behind it"),
        "{err}"
    );
    assert!(err.contains("--access-point-bucket NAME"), "{err}");
}

/// The library: the same answers through `PolicySet`, and the compiled
/// index agrees with the reference walk on both phases.
#[test]
fn the_library_answers_through_access_points() {
    let load =
        |name: &str, t: PolicyType| Policy::load_file(&fixture(name), LoadOptions::new(t)).unwrap();
    let set = PolicySet::builder()
        .access_point(load("jane-access-point.json", PolicyType::AccessPoint))
        .resource(load("delegate-bucket.json", PolicyType::Resource))
        .options(EvalOptions {
            access_point: Some(AccessPoint::new(BUCKET)),
            ..Default::default()
        })
        .build();
    let req = RequestBuilder::new()
        .principal(JANE)
        .build("s3:GetObject", JANE_OBJECT)
        .unwrap();
    assert!(set.is_access_point_request(&req));
    let r = set.authorize(&req);
    assert_eq!(r.decision, Decision::Allowed);
    assert_eq!(r.per_type.access_point, LayerDecision::Allowed);
    assert_eq!(set.authorize_reference(&req), r);
    let phases = set.access_point_phases(&req).unwrap();
    assert_eq!(
        phases.bucket.resource.to_string(),
        "arn:aws:s3:::amzn-s3-demo-bucket1/Jane/notes.txt"
    );
    // another account's caller with an identity grant: the access point
    // policy does not name it (E-6 at the access point)
    let set = PolicySet::builder()
        .identity(load("everything.json", PolicyType::Identity))
        .access_point(load("jane-access-point.json", PolicyType::AccessPoint))
        .resource(load("delegate-bucket.json", PolicyType::Resource))
        .options(EvalOptions {
            access_point: Some(AccessPoint::new(BUCKET)),
            ..Default::default()
        })
        .build();
    let other = RequestBuilder::new()
        .principal("arn:aws:iam::444455556666:user/Bob")
        .build("s3:GetObject", JANE_OBJECT)
        .unwrap();
    assert_eq!(set.authorize(&other).decision, Decision::ImplicitDeny);
    assert_eq!(
        set.authorize(&other).blocked_by,
        Some(PolicyType::AccessPoint)
    );
}

/// The case format (`eval --cases`) describes the access point too.
#[test]
fn cases_describe_access_points() {
    let ap = std::fs::read_to_string(fixture("jane-access-point.json")).unwrap();
    let bucket = std::fs::read_to_string(fixture("delegate-bucket.json")).unwrap();
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let case = |expect: &str, principal: &str, extra: &str| {
        format!(
            r#"{{"id":"c","access_point_policy":{},"resource_policy":{},"access_point":{{"bucket":"{BUCKET}"{extra}}},"principal":"{principal}","action":"s3:GetObject","resource":"{JANE_OBJECT}","expect":"{expect}"}}"#,
            one_line(&ap),
            one_line(&bucket)
        )
    };
    let results = s3guard::batch::cases::run_text(
        "cases.jsonl",
        &[
            case("Allow", JANE, ""),
            case("ImplicitDeny", "arn:aws:iam::123456789012:user/Bob", ""),
            case("ExplicitDeny", JANE, r#","vpc":"vpc-1a2b3c""#),
        ]
        .join("\n"),
    );
    let statuses: Vec<String> = results
        .iter()
        .map(|r| {
            serde_json::to_value(r.status)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(statuses, ["pass", "pass", "pass"], "{results:?}");
    let bad = s3guard::batch::cases::run_text(
        "cases.jsonl",
        r#"{"access_point":{"bucket":"b","origin":"VPC"},"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
    );
    assert_eq!(serde_json::to_value(bad[0].status).unwrap(), "error");
}

/// Test files describe the access point in `options` and its policy as
/// type `access-point` (Example 1 with the delegation of example 6).
#[test]
fn test_files_describe_access_points() {
    let (code, out, err) = run(&["test", &fixture("jane.s3guard.json")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 passed, 0 failed"), "{out}");
    let dir = crate::support::tempdir::Dir::new();
    let path = dir.path().join("t.s3guard.json");
    let policy = std::fs::canonicalize(fixture("jane-access-point.json")).unwrap();
    std::fs::write(
        &path,
        format!(
            r#"{{"policies": [{{"file": "{}", "type": "access-point"}}], "cases": [{{"name": "n", "action": "s3:GetObject", "resource": "{JANE_OBJECT}", "expect": "deny"}}]}}"#,
            policy.display()
        ),
    )
    .unwrap();
    let (code, _, err) = run(&["test", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("an access point policy needs the access point's bucket"),
        "{err}"
    );
}

/// `prove` through an access point answers with both answers (AP-1, AP-6):
/// a cross-account access point of 444455556666 in front of a bucket of
/// 123456789012, a caller of the access point's account whose identity
/// policy allows everything. "Cross-account access points don't grant you
/// access to data until you are granted permissions from the bucket owner"
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html>).
#[test]
fn prove_through_an_access_point_needs_the_bucket_too_ap1_ap6() {
    let on = "arn:aws:s3:us-west-2:444455556666:accesspoint/partner/object/*";
    let carol = "arn:aws:iam::444455556666:user/Carol";
    let identity = fixture("everything.json");
    let prove = |bucket_policy: &str, on: &str| {
        let bucket_policy = fixture(bucket_policy);
        run(&[
            "prove",
            "--cannot",
            "s3:GetObject",
            "--on",
            on,
            "--principal",
            carol,
            "--policy",
            &identity,
            "--bucket-policy",
            &bucket_policy,
            "--access-point-bucket",
            BUCKET,
            "--access-point-bucket-account",
            "123456789012",
        ])
    };
    // the bucket delegates to access points of 444455556666: allowed, and
    // the printed check reproduces it with the access point flags
    let (code, out, err) = prove("cross-account-bucket.json", on);
    assert_eq!(code, 1, "{out}{err}");
    let check = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("check:     s3guard "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        check.contains(
            "--access-point-bucket amzn-s3-demo-bucket1 --access-point-bucket-account 123456789012"
        ),
        "{check}"
    );
    let words: Vec<&str> = check.split_whitespace().collect();
    let (code, again, _) = run(&words);
    assert_eq!(code, 0, "{check}\n{again}");
    assert!(again.starts_with("ALLOW"), "{again}");

    // the bucket delegates only to its own account's access points: the
    // answer at the access point allows, the bucket never does — proved,
    // never a counterexample the evaluator denies
    let (code, out, err) = prove("delegate-bucket.json", on);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("proved: no request"), "{out}");

    // a pattern reaching access point ARNs and other resources is not
    // split: cannot decide, and says how to ask
    let (code, out, err) = prove("cross-account-bucket.json", "*");
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("answered twice (spec AP-1)"), "{out}");
}

/// `review` asks about requests through the access point (issue 19): with
/// the bucket of the guide's example delegating access control to its
/// access points ("Delegating access control to access points") and the
/// access point policy granting Jane `s3:GetObject` on `Jane/*`
/// (example 1), the review shows Jane's read through the access point, and
/// nothing through it elsewhere. Without the delegation the bucket does not
/// allow it, and neither does the review (AP-1).
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html>
#[test]
fn review_shows_reads_through_the_access_point_ap1_ap2() {
    let ap_policy = fixture("jane-access-point.json");
    let delegate = fixture("delegate-bucket.json");
    let review = |bucket_policy: &str, format: &str| {
        run(&[
            "review",
            "--bucket-policy",
            bucket_policy,
            "--access-point-policy",
            &ap_policy,
            "--access-point-bucket",
            BUCKET,
            "--principal",
            JANE,
            "--format",
            format,
        ])
    };
    let (code, out, err) = review(&delegate, "json");
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let class = |id: &str| {
        v["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no class {id}: {out}"))
            .clone()
    };
    let access = |class: &serde_json::Value, action: &str| {
        class["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["action"] == action)
            .map(|a| a["access"].as_str().unwrap().to_string())
            .unwrap()
    };
    let jane = class("through-access-point:my-access-point/object/Jane/*");
    assert_eq!(
        jane["arn"],
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Jane/example"
    );
    assert_eq!(
        jane["throughAccessPoint"],
        serde_json::json!({
            "accessPoint": "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point",
            "bucket": BUCKET
        })
    );
    assert_eq!(access(&jane, "s3:GetObject"), "allowed");
    assert_eq!(access(&jane, "s3:DeleteObject"), "denied");
    let other = class("through-access-point:my-access-point/object/*");
    assert_eq!(access(&other, "s3:GetObject"), "denied");
    // the bucket's own columns carry no access point mark
    assert!(class(&format!("objects:{BUCKET}"))
        .get("throughAccessPoint")
        .is_none());
    let (_, text, _) = review(&delegate, "text");
    assert!(
        text.contains("objects matching Jane/* through access point my-access-point (in bucket amzn-s3-demo-bucket1) (arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Jane/example)\n  allowed:\n    Write: s3:PutObject\n    Read: s3:GetObject\n"),
        "{text}"
    );
    // a bucket that denies requests not from a VPC-only access point
    // ("Restricting access to VPC network origin"): through this Internet
    // access point, the bucket's answer denies Jane's read
    let (code, out, err) = review(&fixture("vpc-origin-only-bucket.json"), "text");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("objects matching Jane/* through access point my-access-point (in bucket amzn-s3-demo-bucket1) (arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Jane/example)\n  explicitly denied: s3:DeleteObject, s3:AbortMultipartUpload, s3:PutObject, s3:GetObject (by\n    tests/fixtures/access-points/vpc-origin-only-bucket.json:4:9 (statement #1))\n"),
        "{out}"
    );
}

/// The S3 guide's delegation example
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html>,
/// "Delegating access control to access points"): the bucket policy allows
/// everyone on the condition `s3:DataAccessPointAccount`, a key AWS sets
/// only on requests made through an access point (spec AP-3). A request
/// made directly to the bucket never carries it: the key is absent, not
/// free, and no command calls direct access "conditional on
/// s3:DataAccessPointAccount" (issue 19).
#[test]
fn direct_requests_never_carry_the_access_point_keys_ap3() {
    let delegate = fixture("delegate-bucket.json");
    let jane = "arn:aws:iam::123456789012:user/Jane";
    // review: the bucket's own columns are denied, not conditional
    let (code, out, err) = run(&[
        "review",
        "--bucket-policy",
        &delegate,
        "--principal",
        jane,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("DataAccessPoint"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for class in v["classes"].as_array().unwrap() {
        if class["arn"].as_str().unwrap().starts_with("arn:aws:s3:::") {
            assert_eq!(class["summary"]["conditional"], 0, "{class}");
            assert_eq!(class["summary"]["allowed"], 0, "{class}");
        }
    }
    // through the access point the key is a fact (AP-3): Jane's access point grants
    let (code, out, err) = run(&[
        "review",
        "--bucket-policy",
        &delegate,
        "--principal",
        jane,
        "--access-point-policy",
        &fixture("jane-access-point.json"),
        "--access-point-bucket",
        BUCKET,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("through access point my-access-point"),
        "{out}"
    );
    assert!(!out.contains("`s3:DataAccessPointAccount`"), "{out}");
    // prove: no direct request is allowed (main once found a "witness"
    // that set the key on a direct request)
    let (code, out, err) = run(&[
        "prove",
        "--can",
        "s3:GetObject",
        "--on",
        &format!("arn:aws:s3:::{BUCKET}/*"),
        "--bucket-policy",
        &delegate,
        "--principal",
        jane,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("s3:DataAccessPointAccount (absent)"), "{out}");
    // ... while through the access point one is
    let (code, out, err) = run(&[
        "prove",
        "--can",
        "s3:GetObject",
        "--on",
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*",
        "--bucket-policy",
        &delegate,
        "--principal",
        jane,
        "--access-point-policy",
        &fixture("jane-access-point.json"),
        "--access-point-bucket",
        BUCKET,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // can --explain: the near miss says the key is never sent directly
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        &format!("arn:aws:s3:::{BUCKET}/k"),
        "--bucket-policy",
        &delegate,
        "--principal",
        jane,
        "--explain",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("which AWS never sends with s3:GetObject made directly to the bucket (not through an access point), so the statement can never allow it"),
        "{out}"
    );
}

/// `actions` on a bucket policy that delegates access control to access
/// points (S3 User Guide, "Delegating access control to access points",
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html#access-points-delegating-control>):
/// a request made directly to the bucket never carries
/// `s3:DataAccessPointAccount` (AP-3), so the delegating grant allows no
/// direct request; the list is empty, and a note says why and what to ask
/// instead. Through the access point (the flags the note names), the
/// access point policy's grants are listed.
#[test]
fn actions_on_a_delegating_bucket_point_to_the_access_point_ap2_ap3() {
    let delegate = fixture("delegate-bucket.json");
    let (code, out, err) = run(&["actions", "--bucket-policy", &delegate, "--principal", JANE]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with(&format!("{delegate} allows 0 catalog actions")),
        "{out}"
    );
    assert!(
        out.contains("note: the bucket policy grants under `s3:DataAccessPointAccount`")
            && out.contains("--access-point-policy FILE --access-point-bucket NAME"),
        "{out}"
    );
    let (_, out, _) = run(&[
        "actions",
        "--bucket-policy",
        &delegate,
        "--principal",
        JANE,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["actions"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(1));
    // with the access point, no note, and the access point's grants
    let ap_policy = fixture("jane-access-point.json");
    let (code, out, err) = run(&[
        "actions",
        "--bucket-policy",
        &delegate,
        "--principal",
        JANE,
        "--access-point-policy",
        &ap_policy,
        "--access-point-bucket",
        BUCKET,
        "--resource",
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Jane/*",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("s3:GetObject"), "{out}");
    // through one access point AWS sets the access point keys (AP-3): the
    // delegation holds, it is not "conditional"
    assert!(!out.contains("conditional"), "{out}");
    assert!(
        !out.contains("note: the bucket policy grants under"),
        "{out}"
    );
}

/// An access point given without a policy grants nothing there (AP-1,
/// S3 User Guide, access point policies: the access point policy and the
/// bucket policy must both permit the request); the answer says no access
/// point policy was given instead of naming none.
#[test]
fn an_access_point_without_a_policy_says_so_ap1() {
    let (code, out, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:us-west-2:444455556666:accesspoint/ap/object/k",
        "--principal",
        "arn:aws:iam::111122223333:user/admin",
        "--policy",
        &fixture("everything.json"),
        "--access-point-bucket",
        BUCKET,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "(no access point policy given; cross-account requests need an Allow on both sides"
        ),
        "{out}"
    );
}
