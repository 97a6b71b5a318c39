//! S3 Block Public Access (all four settings), ACL grants and object
//! ownership (spec E-19, E-20, E-21), from the examples of the S3 User
//! Guide. Each test cites the page that decides it.

use s3guard::{
    Acl, Decision, EvalOptions, LayerDecision, LoadOptions, ObjectOwnership, Policy, PolicySet,
    PolicyType, PublicAccessBlock, Refusal, RequestBuilder,
};

use crate::support::{can_json, run, temp_file};

const FULL: &str = "tests/fixtures/layers/full-s3.json";
const PUBLIC: &str = "tests/fixtures/layers/public-bucket.json";
const PARTNER_ONLY: &str = "tests/fixtures/layers/partner-only-bucket.json";

fn policy(text: &str, t: PolicyType) -> Policy {
    Policy::parse_as("p.json", text, LoadOptions::new(t)).unwrap()
}

fn acl(items: &[&str]) -> Acl {
    Acl::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
}

const ALLOW_S3: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

fn with(options: EvalOptions) -> PolicySet {
    PolicySet::builder()
        .identity(policy(ALLOW_S3, PolicyType::Identity))
        .options(options)
        .build()
}

fn ask(set: &PolicySet, principal: &str, action: &str, resource: &str) -> s3guard::Response {
    let req = RequestBuilder::new()
        .principal(principal)
        .resource_account("111122223333")
        .acls(
            set.options().object_acl.clone(),
            set.options().bucket_acl.clone(),
        )
        .build(action, resource)
        .unwrap();
    set.authorize(&req)
}

/// S3 User Guide, "Access control list (ACL) overview", Canned ACL:
/// `public-read`: "The AllUsers group gets READ access"; "Access permission
/// to this group allows anyone in the world access to the resource".
/// Blocking public access: `IgnorePublicAcls` "causes Amazon S3 to ignore
/// all public ACLs on a bucket and any objects that it contains"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)
/// (E-19, E-20).
#[test]
fn a_public_read_object_acl_is_ignored_with_ignore_public_acls_e19_e20() {
    let mut options = EvalOptions {
        object_acl: Some(acl(&["public-read"])),
        ..EvalOptions::default()
    };
    let read = |set: &PolicySet, who: &str| ask(set, who, "s3:GetObject", "arn:aws:s3:::site/a");
    let open = with(options.clone());
    let r = read(&open, "anonymous");
    assert_eq!(r.decision, Decision::Allowed);
    assert_eq!(r.acl_grants.len(), 1);
    assert!(r.determining.is_empty());
    // READ does not reach the object's ACL or writes
    assert_eq!(
        ask(&open, "anonymous", "s3:GetObjectAcl", "arn:aws:s3:::site/a").decision,
        Decision::ImplicitDeny
    );
    // another account's user: its own side must allow too (E-6)
    assert_eq!(
        read(&open, "arn:aws:iam::444455556666:user/u").decision,
        Decision::Allowed
    );
    options.block_public_access.ignore_public_acls = true;
    let ignoring = with(options);
    let r = read(&ignoring, "anonymous");
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert!(r.acl_grants.is_empty());
    assert_eq!(
        read(&ignoring, "arn:aws:iam::444455556666:user/u").decision,
        Decision::ImplicitDeny
    );
    // IgnorePublicAcls ignores public grants only
    let named = with(EvalOptions {
        object_acl: Some(acl(&["grant-read=id=444455556666"])),
        block_public_access: PublicAccessBlock::ALL,
        ..EvalOptions::default()
    });
    assert_eq!(
        read(&named, "arn:aws:iam::444455556666:user/u").decision,
        Decision::Allowed
    );
}

/// AuthenticatedUsers: "any AWS account to access the resource. However,
/// all requests must be signed" (ACL overview, predefined groups).
#[test]
fn authenticated_users_reach_signed_callers_only_e20() {
    let set = with(EvalOptions {
        object_acl: Some(acl(&["authenticated-read"])),
        ..EvalOptions::default()
    });
    let get = |who| ask(&set, who, "s3:GetObject", "arn:aws:s3:::site/a").decision;
    assert_eq!(get("anonymous"), Decision::ImplicitDeny);
    assert_eq!(get("arn:aws:iam::444455556666:user/u"), Decision::Allowed);
}

/// PublicAccessBlockConfiguration (S3 API Reference): with
/// `BlockPublicAcls`, "PUT Object calls fail if the request includes a
/// public ACL"; the settings "act as explicit deny policies" (E-19).
#[test]
fn block_public_acls_refuses_a_put_object_with_x_amz_acl_public_read_e19() {
    let (code, s) = can_json(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::site/a",
        "--policy",
        FULL,
        "--principal",
        "arn:aws:iam::111122223333:user/admin",
        "--block-public-acls",
        "--object-acl",
        "public-read",
    ]);
    assert_eq!(code, 1);
    assert_eq!(s["decision"], "ExplicitDeny");
    assert_eq!(s["blockedBy"], serde_json::json!(["block-public-access"]));
    assert_eq!(s["refusedBy"], "BlockPublicAcls");
    assert_eq!(s["perPolicyType"]["blockPublicAccess"], "explicitDeny");
    assert_eq!(s["matchedStatements"], serde_json::json!([]));
    let acl_key = s["context"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "s3:x-amz-acl")
        .cloned();
    assert_eq!(acl_key.unwrap()["value"], "public-read");
    // the header given as a context key is the same request
    let (code, s) = can_json(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::site/a",
        "--policy",
        FULL,
        "--block-public-acls",
        "-c",
        "s3:x-amz-grant-read=uri=http://acs.amazonaws.com/groups/global/AllUsers",
    ]);
    assert_eq!(
        (code, s["refusedBy"].clone()),
        (1, "BlockPublicAcls".into())
    );
    // a private upload, or BlockPublicAcls off: allowed
    for extra in [
        &[
            "--block-public-acls",
            "--object-acl",
            "bucket-owner-full-control",
        ][..],
        &["--object-acl", "public-read"][..],
    ] {
        let (code, out, _) = run(&[
            &[
                "can",
                "s3:PutObject",
                "arn:aws:s3:::site/a",
                "--policy",
                FULL,
            ][..],
            extra,
        ]
        .concat());
        assert_eq!((code, out.lines().next()), (0, Some("ALLOW")), "{extra:?}");
    }
    // "PUT Bucket ACL and PUT Object ACL calls fail if the specified ACL is public"
    let set = with(EvalOptions {
        object_acl: Some(acl(&["grant-read=uri=AuthenticatedUsers"])),
        bucket_acl: Some(acl(&["public-read"])),
        block_public_access: PublicAccessBlock {
            block_public_acls: true,
            ..PublicAccessBlock::default()
        },
        ..EvalOptions::default()
    });
    let me = "arn:aws:iam::111122223333:user/admin";
    for (action, resource) in [
        ("s3:PutObjectAcl", "arn:aws:s3:::site/a"),
        ("s3:PutBucketAcl", "arn:aws:s3:::site"),
        ("s3:CreateBucket", "arn:aws:s3:::site"),
    ] {
        let r = ask(&set, me, action, resource);
        assert_eq!(r.refusal(), Some(Refusal::BlockPublicAcls), "{action}");
    }
    assert_eq!(
        ask(&set, me, "s3:GetObject", "arn:aws:s3:::site/a").decision,
        Decision::Allowed
    );
}

/// Blocking public access: `BlockPublicPolicy` "causes Amazon S3 to reject
/// calls to PUT Bucket policy if the specified bucket policy allows public
/// access" — an explicit deny, even for the bucket owner's root user; a
/// non-public policy ("grants access to account "Account-2"") is put.
#[test]
fn put_bucket_policy_of_a_public_policy_is_refused_under_block_public_policy_e19() {
    let put = |new: &str, principal: &str, extra: &[&str]| {
        can_json(
            &[
                &[
                    "can",
                    "s3:PutBucketPolicy",
                    "arn:aws:s3:::site",
                    "--policy",
                    FULL,
                    "--principal",
                    principal,
                    "--new-bucket-policy",
                    new,
                ][..],
                extra,
            ]
            .concat(),
        )
    };
    let admin = "arn:aws:iam::111122223333:user/admin";
    let root = "arn:aws:iam::111122223333:root";
    for who in [admin, root] {
        let (code, s) = put(PUBLIC, who, &["--block-public-policy"]);
        assert_eq!(code, 1, "{who}");
        assert_eq!(s["decision"], "ExplicitDeny");
        assert_eq!(s["refusedBy"], "BlockPublicPolicy");
        assert_eq!(s["blockedBy"], serde_json::json!(["block-public-access"]));
    }
    // all four on includes it
    assert_eq!(put(PUBLIC, admin, &["--block-public-access"]).0, 1);
    let (code, s) = put(PARTNER_ONLY, admin, &["--block-public-policy"]);
    assert_eq!((code, s["decision"].clone()), (0, "Allow".into()));
    assert_eq!(s["perPolicyType"]["blockPublicAccess"], "notApplicable");
    // the setting off: the public policy is put
    assert_eq!(put(PUBLIC, admin, &["--restrict-public-buckets"]).0, 0);
    // without the new policy, s3guard cannot judge and says so
    let (code, out, _) = run(&[
        "can",
        "s3:PutBucketPolicy",
        "arn:aws:s3:::site",
        "--policy",
        FULL,
        "--block-public-policy",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("--new-bucket-policy"), "{out}");
}

/// Each setting alone: RestrictPublicBuckets does not refuse uploads with a
/// public ACL, BlockPublicAcls does not take a public policy's grants away.
#[test]
fn each_setting_acts_alone_e19() {
    let bucket = std::fs::read_to_string(crate::support::repo(PUBLIC)).unwrap();
    let set = |bpa: PublicAccessBlock| {
        PolicySet::builder()
            .identity(policy(ALLOW_S3, PolicyType::Identity))
            .resource(policy(&bucket, PolicyType::Resource))
            .options(EvalOptions {
                block_public_access: bpa,
                object_acl: Some(acl(&["public-read"])),
                ..EvalOptions::default()
            })
            .build()
    };
    let restrict = set(PublicAccessBlock {
        restrict_public_buckets: true,
        ..PublicAccessBlock::default()
    });
    let acls = set(PublicAccessBlock {
        block_public_acls: true,
        ..PublicAccessBlock::default()
    });
    let me = "arn:aws:iam::111122223333:user/admin";
    assert_eq!(
        ask(&restrict, me, "s3:PutObject", "arn:aws:s3:::site/a").decision,
        Decision::Allowed
    );
    assert_eq!(
        ask(&acls, me, "s3:PutObject", "arn:aws:s3:::site/a").refusal(),
        Some(Refusal::BlockPublicAcls)
    );
    let anon_restrict = ask(
        &restrict,
        "anonymous",
        "s3:GetObjectAcl",
        "arn:aws:s3:::site/a",
    );
    assert_eq!(anon_restrict.decision, Decision::ExplicitDeny);
    assert_eq!(
        anon_restrict.per_type.block_public_access,
        LayerDecision::ExplicitDeny
    );
    // BlockPublicAcls leaves the public policy's grant to anonymous callers
    assert_eq!(
        ask(&acls, "anonymous", "s3:GetObject", "arn:aws:s3:::site/a").decision,
        Decision::Allowed
    );
}

/// S3 User Guide, "Bucket policies": "The permissions attached to the
/// bucket apply to all of the objects in the bucket that are owned by the
/// bucket owner. These permissions don't apply to objects that are owned by
/// other AWS accounts." "How Amazon S3 authorizes a request for an object
/// operation": the bucket context checks for an explicit deny only, and
/// "The requester must have permissions from the object owner"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html)
/// (E-21).
#[test]
fn a_bucket_policy_cannot_grant_an_object_another_account_owns_e21() {
    let bucket = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777788889999:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*"},
        {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::media/secret/*"}]}"#;
    let set = |object_acl: Option<Acl>, owner: Option<&str>| {
        PolicySet::builder()
            .identity(policy(ALLOW_S3, PolicyType::Identity))
            .resource(policy(bucket, PolicyType::Resource))
            .options(EvalOptions {
                object_owner: owner.map(str::to_string),
                object_acl,
                object_ownership: Some(ObjectOwnership::ObjectWriter),
                ..EvalOptions::default()
            })
            .build()
    };
    let partner = "arn:aws:iam::777788889999:user/p";
    let get = |s: &PolicySet, who: &str, key: &str| {
        ask(s, who, "s3:GetObject", &format!("arn:aws:s3:::media/{key}"))
    };
    // the bucket owner's object: the bucket policy grants the partner
    assert_eq!(
        get(&set(None, None), partner, "a").decision,
        Decision::Allowed
    );
    // written by 444455556666: the same grant reaches nothing
    let foreign = set(None, Some("444455556666"));
    let r = get(&foreign, partner, "a");
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert_eq!(r.blocked_by, Some(PolicyType::Resource));
    assert!(!r.same_account);
    // nor the bucket owner's own users, unless the object's ACL grants them
    let admin = "arn:aws:iam::111122223333:user/admin";
    assert_eq!(get(&foreign, admin, "a").decision, Decision::ImplicitDeny);
    let shared = set(
        Some(acl(&["bucket-owner-full-control"])),
        Some("444455556666"),
    );
    assert_eq!(get(&shared, admin, "a").decision, Decision::Allowed);
    assert_eq!(get(&shared, partner, "a").decision, Decision::ImplicitDeny);
    // the object owner's own principals need only their identity policy
    assert_eq!(
        get(&foreign, "arn:aws:iam::444455556666:user/w", "a").decision,
        Decision::Allowed
    );
    // the bucket owner's explicit deny still applies
    assert_eq!(
        get(&foreign, "arn:aws:iam::444455556666:user/w", "secret/x").decision,
        Decision::ExplicitDeny
    );
    // an ACL grant to the partner's account: the object owner's permission
    let granted = set(
        Some(acl(&["grant-read=id=777788889999"])),
        Some("444455556666"),
    );
    assert_eq!(get(&granted, partner, "a").decision, Decision::Allowed);
    // uploads keep the bucket's rules: "Bucket owner can create, overwrite,
    // and delete any object in the bucket"
    assert_eq!(
        ask(&foreign, admin, "s3:DeleteObject", "arn:aws:s3:::media/a").decision,
        Decision::Allowed
    );
}

/// S3 User Guide, "Controlling ownership of objects and disabling ACLs":
/// with Bucket owner enforced, "ACLs are disabled ... ACLs no longer affect
/// permissions", and uploads are accepted only "with bucket owner full
/// control ACLs or uploads that don't specify an ACL"; otherwise
/// `AccessControlListNotSupported`
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html) (E-21).
#[test]
fn bucket_owner_enforced_disables_acls_e21() {
    let set = with(EvalOptions {
        object_acl: Some(acl(&["public-read"])),
        object_ownership: Some(ObjectOwnership::BucketOwnerEnforced),
        ..EvalOptions::default()
    });
    assert_eq!(
        ask(&set, "anonymous", "s3:GetObject", "arn:aws:s3:::site/a").decision,
        Decision::ImplicitDeny
    );
    let me = "arn:aws:iam::111122223333:user/admin";
    let r = ask(&set, me, "s3:PutObject", "arn:aws:s3:::site/a");
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert_eq!(r.refusal(), Some(Refusal::AclsDisabled));
    assert!(!r.is_blocked_by_public_access());
    let ok = with(EvalOptions {
        object_acl: Some(acl(&["bucket-owner-full-control"])),
        object_ownership: Some(ObjectOwnership::BucketOwnerEnforced),
        ..EvalOptions::default()
    });
    assert_eq!(
        ask(&ok, me, "s3:PutObject", "arn:aws:s3:::site/a").decision,
        Decision::Allowed
    );
    // no ACL at all: accepted
    let none = with(EvalOptions {
        object_ownership: Some(ObjectOwnership::BucketOwnerEnforced),
        ..EvalOptions::default()
    });
    assert_eq!(
        ask(&none, me, "s3:PutObject", "arn:aws:s3:::site/a").decision,
        Decision::Allowed
    );
    let (code, s) = can_json(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::site/a",
        "--policy",
        FULL,
        "--object-acl",
        "grant-read=id=444455556666",
        "--object-ownership",
        "BucketOwnerEnforced",
    ]);
    assert_eq!(code, 1);
    assert_eq!(s["blockedBy"], serde_json::json!(["object-ownership"]));
    // --object-owner under BucketOwnerEnforced says two things at once
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::site/a",
        "--policy",
        FULL,
        "--object-owner",
        "444455556666",
        "--object-ownership",
        "BucketOwnerEnforced",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("BucketOwnerEnforced"), "{err}");
}

/// Under Bucket owner enforced "the bucket owner automatically owns and has
/// full control over every object in the bucket" (S3 User Guide,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html;
/// E-21): an object owner with it is invalid input in a case line and a
/// test file as it is in `can` (one rule, `S3Settings::apply`), reported
/// at the `object_owner` field with file, line and column.
#[test]
fn an_object_owner_under_bucket_owner_enforced_is_invalid_in_cases_and_test_files_e21() {
    let case = format!(
        r#"{{"id":"both","identity":[{ALLOW_S3}],"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","object_owner":"444455556666","object_ownership":"BucketOwnerEnforced","expect":"Allow"}}"#
    );
    let col = case.find(r#""444455556666""#).unwrap() + 1;
    let (_d, path) = temp_file("c.jsonl", &format!("{case}\n"));
    let p = path.to_str().unwrap();
    let (code, out, err) = run(&["eval", "--cases", p, "--format", "json"]);
    // an invalid case is an error, never evaluated (docs/eval.md)
    assert_eq!(code, 1, "{out}{err}");
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["status"], "error", "{out}");
    let message = first["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("{p}:1:{col}: error[invalid-case]: `object_owner` contradicts `object_ownership` BucketOwnerEnforced")),
        "{message}"
    );
    assert!(message.contains("at /object_owner"), "{message}");
    // with another Object Ownership setting the case is valid (evaluated)
    let ok = case
        .replace("BucketOwnerEnforced", "BucketOwnerPreferred")
        .replace(r#","expect":"Allow""#, "");
    let (_d2, path) = temp_file("ok.jsonl", &format!("{ok}\n"));
    let (code, out, err) = run(&["eval", "--cases", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");

    let file = format!(
        r#"{{"policies": [{{"type": "identity", "document": {ALLOW_S3}}}],
"options": {{"object_ownership": "BucketOwnerEnforced", "object_owner": "444455556666"}},
"cases": [{{"name": "read", "action": "s3:GetObject", "resource": "arn:aws:s3:::site/a", "principal": "arn:aws:iam::111122223333:user/a", "expect": "allow"}}]}}"#
    );
    let line2 = file.lines().nth(1).unwrap();
    let col = line2.find(r#""444455556666""#).unwrap() + 1;
    let (_d3, path) = temp_file("t.s3guard.json", &file);
    let p = path.to_str().unwrap();
    let (code, out, err) = run(&["test", p]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&format!("{p}:2:{col}: error[invalid-value]: `object_owner` contradicts `object_ownership` BucketOwnerEnforced")),
        "{err}"
    );
    assert!(err.contains("/options/object_owner"), "{err}");
}

/// S3 User Guide, "Amazon S3 condition key examples", Example 1: "Granting
/// s3:PutObject permission with a condition requiring the bucket owner to
/// get full control" — the canned ACL an upload carries is the value of
/// `s3:x-amz-acl`
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html) (E-20).
#[test]
fn the_acl_an_upload_carries_sets_its_condition_keys_e20() {
    let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:PutObject",
        "Resource":"arn:aws:s3:::site/*",
        "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}"#;
    let (_d, path) = temp_file("bucket.json", bucket);
    let put = |acl: &[&str]| {
        run(&[
            &[
                "can",
                "s3:PutObject",
                "arn:aws:s3:::site/a",
                "--policy",
                FULL,
                "--bucket-policy",
                path.to_str().unwrap(),
                "--principal",
                "arn:aws:iam::444455556666:user/u",
                "--resource-account",
                "111122223333",
            ][..],
            acl,
        ]
        .concat())
        .0
    };
    assert_eq!(put(&["--object-acl", "bucket-owner-full-control"]), 0);
    assert_eq!(put(&["--object-acl", "public-read"]), 1);
    assert_eq!(put(&[]), 1);
    // grants become the x-amz-grant-* keys
    let req = RequestBuilder::new()
        .acls(
            Some(acl(&[
                "grant-full-control=id=111122223333",
                "grant-read=uri=AllUsers",
            ])),
            None,
        )
        .build("s3:PutObject", "arn:aws:s3:::site/a")
        .unwrap();
    let value = |k: &str| req.context.get_lower(k).map(|e| e.value.values().to_vec());
    assert_eq!(
        value("s3:x-amz-grant-full-control"),
        Some(vec!["id=111122223333".to_string()])
    );
    assert_eq!(
        value("s3:x-amz-grant-read"),
        Some(vec![
            "uri=http://acs.amazonaws.com/groups/global/AllUsers".to_string()
        ])
    );
    // only requests that set an ACL carry one
    let get = RequestBuilder::new()
        .acls(Some(acl(&["public-read"])), None)
        .build("s3:GetObject", "arn:aws:s3:::site/a")
        .unwrap();
    assert!(get.context.get_lower("s3:x-amz-acl").is_none());
}

/// The case format carries the new fields (docs/eval.md): the four settings,
/// the new bucket policy, ACLs, ownership, the object owner, service-linked
/// roles and the VPC endpoint type and policy.
#[test]
fn the_case_format_carries_the_s3_settings() {
    let public = std::fs::read_to_string(crate::support::repo(PUBLIC)).unwrap();
    let public = public.replace('\n', " ");
    let deny_all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    let gateway = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}]}"#;
    let lines = [
        format!(r#"{{"id":"bpp","identity":[{ALLOW_S3}],"principal":"arn:aws:iam::111122223333:user/a","action":"s3:PutBucketPolicy","resource":"arn:aws:s3:::site","new_bucket_policy":{public},"block_public_access":{{"BlockPublicPolicy":true}},"expect":"ExplicitDeny"}}"#),
        r#"{"id":"ignore","principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","object_acl":"public-read","block_public_access":["IgnorePublicAcls"],"expect":"ImplicitDeny"}"#.to_string(),
        r#"{"id":"acl","principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","object_acl":["grant-read=uri=AllUsers"],"expect":"Allow"}"#.to_string(),
        format!(r#"{{"id":"bpacl","identity":[{ALLOW_S3}],"principal":"arn:aws:iam::111122223333:user/a","action":"s3:PutObject","resource":"arn:aws:s3:::site/a","object_acl":"public-read","block_public_access":true,"expect":"ExplicitDeny"}}"#),
        format!(r#"{{"id":"owner","identity":[{ALLOW_S3}],"principal":"arn:aws:iam::111122223333:user/a","resource_account":"111122223333","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","object_owner":"444455556666","object_ownership":"ObjectWriter","expect":"ImplicitDeny"}}"#),
        format!(r#"{{"id":"slr","identity":[{ALLOW_S3}],"scp":[{deny_all}],"principal":"arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","service_linked_role":true,"expect":"Allow"}}"#),
        format!(r#"{{"id":"gw","identity":[{ALLOW_S3}],"vpce_policy":{gateway},"vpce_type":"gateway","principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","context":{{"aws:SourceVpce":"vpce-1"}},"expect":"ImplicitDeny"}}"#),
        format!(r#"{{"id":"if","identity":[{ALLOW_S3}],"vpce_policy":{gateway},"vpce_type":"interface","principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","context":{{"aws:SourceVpce":"vpce-1"}},"expect":"Allow"}}"#),
        r#"{"id":"bad","action":"s3:GetObject","resource":"arn:aws:s3:::site/a","object_ownership":"Enforced"}"#.to_string(),
    ];
    let results = s3guard::batch::cases::run_text("c.jsonl", &lines.join("\n"));
    let got: Vec<(String, String)> = results
        .iter()
        .map(|r| (r.id.clone(), format!("{:?}", r.status)))
        .collect();
    let want: Vec<(String, String)> = ["bpp", "ignore", "acl", "bpacl", "owner", "slr", "gw", "if"]
        .iter()
        .map(|id| (id.to_string(), "Pass".to_string()))
        .chain([("bad".to_string(), "Error".to_string())])
        .collect();
    assert_eq!(got, want, "{results:#?}");
    assert!(results[8]
        .message
        .as_deref()
        .unwrap()
        .contains("BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter"));
}

/// Test files carry the same (docs/test-files.md).
#[test]
fn test_files_carry_the_s3_settings() {
    let file = format!(
        r#"{{"policies": [
            {{"type": "identity", "document": {ALLOW_S3}}},
            {{"type": "bucket", "new": true, "file": "{public}"}},
            {{"type": "scp", "document": {{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"*","Resource":"*"}}]}}}}
          ],
          "options": {{"block_public_access": ["BlockPublicPolicy", "IgnorePublicAcls"], "object_acl": "public-read", "vpce_type": "gateway"}},
          "cases": [
            {{"name": "public policy refused", "action": "s3:PutBucketPolicy", "resource": "arn:aws:s3:::site", "principal": "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/R", "expect": "explicit-deny"}},
            {{"name": "public acl ignored", "action": "s3:GetObject", "resource": "arn:aws:s3:::site/a", "principal": "anonymous", "expect": "implicit-deny"}},
            {{"name": "slr session", "action": "s3:GetObject", "resource": "arn:aws:s3:::site/a", "principal": "arn:aws:sts::111122223333:assumed-role/R/s", "service_linked_role": true, "expect": "allow"}},
            {{"name": "not slr", "action": "s3:GetObject", "resource": "arn:aws:s3:::site/a", "principal": "arn:aws:sts::111122223333:assumed-role/R/s", "expect": "explicit-deny"}}
          ]}}"#,
        public = crate::support::repo(PUBLIC).display()
    );
    let (_d, path) = temp_file("s3.s3guard.json", &file);
    let (code, out, err) = run(&["test", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    // `new` is for bucket policies only
    let bad = file.replace(
        r#""type": "bucket", "new": true"#,
        r#""type": "identity", "new": true"#,
    );
    let (_d2, path) = temp_file("bad.s3guard.json", &bad);
    let (code, _, err) = run(&["test", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("/policies/1/new"), "{err}");
}

/// Issue 19: a reviewer asks "is this bucket public?" with Block Public
/// Access on: `review` and `prove` take the settings.
#[test]
fn review_and_prove_take_the_block_public_access_settings_e19() {
    let review = |extra: &[&str]| {
        let (code, out, err) = run(&[
            &[
                "review",
                "--bucket-policy",
                PUBLIC,
                "--principal",
                "anonymous",
                "--format",
                "json",
            ][..],
            extra,
        ]
        .concat());
        assert_eq!(code, 0, "{err}");
        out
    };
    let read_objects = |extra: &[&str]| {
        let v: serde_json::Value = serde_json::from_str(&review(extra)).unwrap();
        v["verdict"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["topic"] == "read objects")
            .map(|i| i["answer"].clone())
    };
    assert_eq!(read_objects(&[]), Some("some".into()));
    assert_eq!(
        read_objects(&["--restrict-public-buckets"]),
        Some("no".into())
    );
    assert_eq!(read_objects(&["--block-public-access"]), Some("no".into()));
    assert_eq!(read_objects(&["--block-public-acls"]), Some("some".into()));
    let prove = |extra: &[&str]| {
        run(&[
            &[
                "prove",
                "--cannot",
                "s3:GetObject",
                "--on",
                "arn:aws:s3:::site/*",
                "--bucket-policy",
                PUBLIC,
                "--principal",
                "anonymous",
            ][..],
            extra,
        ]
        .concat())
        .0
    };
    assert_eq!(prove(&[]), 1);
    assert_eq!(prove(&["--block-public-access"]), 0);
    assert_eq!(prove(&["--restrict-public-buckets"]), 0);
    assert_eq!(prove(&["--block-public-acls"]), 1);
    // ACL grants are outside the prover's search: it says it cannot decide
    assert_eq!(prove(&["--object-acl", "public-read"]), 3);
}

/// Issue 19 leftover: the absence note of a service-linked role gives the
/// evaluator's reason (SCPs and RCPs do not restrict service-linked roles,
/// spec E-4), not the management account's.
#[test]
fn a_service_linked_role_is_told_why_scps_do_not_apply_e4() {
    let deny =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    let (_d, scp) = temp_file("scp.json", deny);
    let deny_rcp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    let (_d2, rcp) = temp_file("rcp.json", deny_rcp);
    let ask = |principal: &str, extra: &[&str]| {
        run(&[
            &[
                "can",
                "s3:GetObject",
                "arn:aws:s3:::site/a",
                "--policy",
                FULL,
                "--scp",
                scp.to_str().unwrap(),
                "--rcp",
                rcp.to_str().unwrap(),
                "--principal",
                principal,
            ][..],
            extra,
        ]
        .concat())
    };
    let (code, out, _) = ask(
        "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/R",
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("the service control policy does not take part: the caller is a service-linked role, which SCPs and RCPs do not restrict"),
        "{out}"
    );
    assert!(
        out.contains(
            "the resource control policy does not take part: the caller is a service-linked role"
        ),
        "{out}"
    );
    assert!(!out.contains("management account"), "{out}");
    let (code, out, _) = ask(
        "arn:aws:iam::111122223333:user/u",
        &["--management-account", "--resource-in-management-account"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("SCPs do not apply in the organization's management account"),
        "{out}"
    );
}

/// `prove` and the settings that refuse by action (E-19): "PUT bucket
/// policy calls fail if the specified bucket policy allows public access"
/// under BlockPublicPolicy (S3 User Guide, Blocking public access,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html),
/// whatever the request's context: proved. A private new policy is put.
/// An upload carries the ACL `--object-acl` gives, as `s3guard can` builds
/// it: under BucketOwnerEnforced "a PUT that carries an ACL other than
/// bucket-owner-full-control fails" (S3 User Guide, Object Ownership,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html),
/// so `prove` never prints a counterexample that `can` refuses; a request
/// setting another ACL in its context could be allowed, so it cannot decide.
#[test]
fn prove_takes_the_refusals_of_block_public_policy_and_object_ownership_e19_e21() {
    let (_d1, public) = temp_file(
        "public.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}"#,
    );
    let (_d2, private) = temp_file(
        "private.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}"#,
    );
    let prove = |action: &str, on: &str, extra: &[&str]| {
        run(&[
            &[
                "prove",
                "--cannot",
                action,
                "--on",
                on,
                "--policy",
                FULL,
                "--principal",
                "arn:aws:iam::111122223333:user/admin",
            ][..],
            extra,
        ]
        .concat())
    };
    let public = public.to_string_lossy().to_string();
    let private = private.to_string_lossy().to_string();
    let bpp = |p: &str| {
        prove(
            "s3:PutBucketPolicy",
            "arn:aws:s3:::site",
            &["--block-public-policy", "--new-bucket-policy", p],
        )
    };
    let (code, out, err) = bpp(&public);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("proved"), "{out}");
    assert_eq!(bpp(&private).0, 1);
    // a pattern reaching other actions still finds them
    let (code, out, _) = prove(
        "s3:PutBucket*",
        "arn:aws:s3:::site",
        &["--block-public-policy", "--new-bucket-policy", &public],
    );
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("action:    s3:PutBucketPolicy"), "{out}");
    let (code, out, err) = prove(
        "s3:PutObject",
        "arn:aws:s3:::site/*",
        &[
            "--object-ownership",
            "BucketOwnerEnforced",
            "--object-acl",
            "public-read",
        ],
    );
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("the ACL the request carries"), "{out}");
    let (code, _, _) = prove(
        "s3:PutObject",
        "arn:aws:s3:::site/*",
        &[
            "--object-ownership",
            "BucketOwnerEnforced",
            "--object-acl",
            "bucket-owner-full-control",
        ],
    );
    assert_eq!(code, 1);
}

/// The Rust assertions build an upload as `s3guard can` and test files do:
/// it carries the object ACL given, which Object Ownership
/// `BucketOwnerEnforced` refuses unless it is bucket-owner-full-control
/// (S3 User Guide, Object Ownership,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
#[test]
fn assertions_carry_the_uploads_acl_e21() {
    let set = |items: &[&str]| {
        with(EvalOptions {
            object_acl: Some(acl(items)),
            object_ownership: Some(ObjectOwnership::BucketOwnerEnforced),
            ..EvalOptions::default()
        })
    };
    let admin = "arn:aws:iam::111122223333:user/admin";
    s3guard::assert_decision!(
        set(&["public-read"]),
        Decision::ExplicitDeny,
        "s3:PutObject",
        "arn:aws:s3:::site/k",
        principal = admin
    );
    s3guard::assert_allowed!(
        set(&["bucket-owner-full-control"]),
        "s3:PutObject",
        "arn:aws:s3:::site/k",
        principal = admin
    );
}
