//! `who-can`, `principal-can` and `review --account` through an access
//! point (spec AP-1, AP-3): they agree with `can`, take the owner from the
//! access point's ARN, and never give a direct request its keys.

use proptest::prelude::*;
use s3guard::access::{self, Access, AccountModel, Analysis, BucketPolicy, Question};
use s3guard::sources::{NamedPolicy, Params, Source};
use s3guard::{Decision, PolicySet, PolicyType, RequestBuilder};

use super::{account, BUCKET_POLICY};

/// The access point policy of the access point property: two principals
/// of the data by name, everyone of the account under a tag condition.
const AP_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/r0","arn:aws:iam::111122223333:user/u1"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:us-west-2:111122223333:accesspoint/ap/object/*"},
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"arn:aws:s3:us-west-2:111122223333:accesspoint/ap/object/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t"}}}]}"#;

/// The S3 guide's delegation example: the bucket lets the access points
/// of its own account decide
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html>).
const DELEGATING: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":["arn:aws:s3:::prod","arn:aws:s3:::prod/*"],"Condition":{"StringEquals":{"s3:DataAccessPointAccount":"111122223333"}}}]}"#;

const AP_OBJECT: &str = "arn:aws:s3:us-west-2:111122223333:accesspoint/ap/object/k";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Invariant (spec AP-1): through an access point too, who-can lists a
    /// principal as `allowed` only if `can` allows (the same identity
    /// policies, access point policy, bucket policy and access point), and
    /// lists it whenever `can` allows; a conditional principal's key values
    /// make a request `can` allows.
    #[test]
    fn who_can_agrees_with_can_through_an_access_point(dump in account(), bucket_policy in 0..3usize) {
        let source = Source::from_text("acct.json", &dump).unwrap();
        let model = AccountModel::from_dumps(&[("acct.json".into(), source.account_dump(false).unwrap())]).unwrap();
        let ap = s3guard::Policy::parse_as("ap.json", AP_POLICY, s3guard::LoadOptions::new(PolicyType::AccessPoint)).unwrap();
        let bucket = match bucket_policy {
            1 => Some(s3guard::Policy::parse_as("bucket.json", DELEGATING, s3guard::LoadOptions::new(PolicyType::Resource)).unwrap()),
            2 => Some(s3guard::Policy::parse_as("bucket.json", BUCKET_POLICY, s3guard::LoadOptions::new(PolicyType::Resource)).unwrap()),
            _ => None,
        };
        let options = s3guard::EvalOptions {
            access_point: Some(s3guard::AccessPoint::new("prod")),
            ..s3guard::EvalOptions::default()
        };
        let mut analysis = Analysis { model, options: options.clone(), ..Analysis::default() };
        analysis.access_points.push(NamedPolicy { name: "ap.json".into(), policy: ap.clone().into() });
        if let Some(b) = &bucket {
            analysis.buckets.push(BucketPolicy {
                bucket: "prod".into(),
                policy: NamedPolicy { name: "bucket.json".into(), policy: b.clone().into() },
            });
        }
        let q = Question::new("s3:GetObject", AP_OBJECT).unwrap();
        let answer = access::who_can(&analysis, &q, None).unwrap();
        for p in analysis.model.principals() {
            let mut b = PolicySet::builder();
            for s in source.select(Some(&p.arn), &Params::default(), false).unwrap() {
                b = match s.layer {
                    PolicyType::Boundary => b.boundary(s.policy),
                    _ => b.identity(s.policy),
                };
            }
            b = b.access_point(ap.clone());
            if let Some(bp) = &bucket {
                b = b.resource(bp.clone());
            }
            let set = b.options(options.clone()).build();
            // as `can` takes it: no --resource-account, the ARN names the owner
            let builder = || RequestBuilder::new().principal(p.arn.clone()).principal_tag("team=t");
            let req = builder().build("s3:GetObject", AP_OBJECT).unwrap();
            let can = set.authorize(&req).decision == Decision::Allowed;
            let listed = answer.principals.iter().find(|e| e.principal == p.arn);
            if can {
                prop_assert!(listed.is_some(), "can allows {} but who-can does not list it", p.arn);
            }
            if let Some(e) = listed {
                if e.grant.access == Access::Allowed {
                    prop_assert!(can, "who-can says {} is allowed, can does not", p.arn);
                }
            }
            if !dump.contains("Condition") {
                prop_assert_eq!(listed.is_some(), can, "{}", p.arn);
            }
            if let Some(e) = listed.filter(|e| e.grant.access == Access::Conditional) {
                let mut b = builder();
                for k in &e.grant.keys {
                    if let Some(v) = &k.value {
                        for x in v.values() {
                            b = b.context_entry(format!("{}={x}", k.key));
                        }
                    }
                }
                let req = b.build("s3:GetObject", AP_OBJECT).unwrap();
                prop_assert_eq!(set.authorize(&req).decision, Decision::Allowed, "{} with {:?}", &p.arn, &e.grant.keys);
            }
        }
    }
}

const APS: &str = "tests/fixtures/access-points";

/// who-can through an access point (spec AP-1), from the S3 guide's
/// examples 1 and 2 of
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html>:
/// the access point grants Jane, the bucket delegates to the access
/// points of its account; Bob's own policy reads anything; Carol's names
/// the bucket only, so the access point does not let her through.
#[test]
fn who_can_answers_through_an_access_point_as_can_does() {
    let object = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/Jane/a.txt";
    let ap_policy = format!("{APS}/jane-access-point.json");
    let delegate = format!("amzn-s3-demo-bucket1={APS}/delegate-bucket.json");
    let account = format!("{APS}/account.json");
    let (code, out, err) = crate::support::run(&[
        "who-can",
        "s3:GetObject",
        object,
        "--account",
        &account,
        "--access-point-policy",
        &ap_policy,
        "--access-point-bucket",
        "amzn-s3-demo-bucket1",
        "--bucket-policy",
        &delegate,
        "--no-escalation",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listed: Vec<(&str, &str)> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["principal"].as_str().unwrap(),
                e["access"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("arn:aws:iam::123456789012:user/Jane", "allowed"),
            ("arn:aws:iam::123456789012:user/Bob", "allowed"),
        ],
        "{out}"
    );
    // Jane's grant names both answers' statements: the access point's and the bucket's
    let jane: Vec<&str> = v["principals"][0]["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["policyType"].as_str().unwrap())
        .collect();
    assert_eq!(jane, ["access-point", "resource"], "{out}");
    // `can` agrees, principal by principal
    for (who, expected) in [("Jane", 0), ("Bob", 0), ("Carol", 1)] {
        let arn = format!("arn:aws:iam::123456789012:user/{who}");
        let mut args = vec![
            "can",
            "s3:GetObject",
            object,
            "--principal",
            &arn,
            "--access-point-policy",
            &ap_policy,
            "--access-point-bucket",
            "amzn-s3-demo-bucket1",
            "--bucket-policy",
            delegate.split_once('=').unwrap().1,
        ];
        let selected;
        if who != "Jane" {
            selected = ["--policy-from", account.as_str(), "--select", arn.as_str()];
            args.extend(selected);
        }
        let (code, out, err) = crate::support::run(&args);
        assert_eq!(code, expected, "{who}: {out}{err}");
    }
}

/// An access point ARN names its owner: the request's resource account is
/// the ARN's (444455556666), not the analysed account's, so the access
/// point policy must grant Bob (cross-account) and the bucket of
/// 123456789012 delegates to the access points of 444455556666 (the S3
/// guide's cross-account access points). A principal only the access point
/// policy names is listed as an outside principal.
#[test]
fn who_can_takes_the_owner_from_the_access_point_arn_and_lists_its_principals() {
    let (_dir, ap) = crate::support::temp_file(
        "ap.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/Bob","arn:aws:iam::777788889999:role/partner"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:us-west-2:444455556666:accesspoint/ap/object/*"}]}"#,
    );
    let bucket = format!("amzn-s3-demo-bucket1={APS}/cross-account-bucket.json");
    let account = format!("{APS}/account.json");
    let (code, out, err) = crate::support::run(&[
        "who-can",
        "s3:GetObject",
        "arn:aws:s3:us-west-2:444455556666:accesspoint/ap/object/k",
        "--account",
        &account,
        "--access-point-policy",
        ap.to_str().unwrap(),
        "--access-point-bucket",
        "amzn-s3-demo-bucket1",
        "--access-point-bucket-account",
        "123456789012",
        "--bucket-policy",
        &bucket,
        "--no-escalation",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 allowed, 0 conditional"), "{out}");
    assert!(
        out.contains("arn:aws:iam::123456789012:user/Bob  (user)"),
        "{out}"
    );
    assert!(
        out.contains("arn:aws:iam::777788889999:role/partner  (another account's principal"),
        "{out}"
    );
}

/// A request made directly to the bucket carries no access point key
/// (spec AP-3): the delegating bucket policy of the S3 guide grants it to
/// nobody, so who-can lists no `*` "conditional on
/// s3:DataAccessPointAccount", only the principals whose own policies allow.
#[test]
fn who_can_direct_requests_never_carry_access_point_keys() {
    let delegate = format!("amzn-s3-demo-bucket1={APS}/delegate-bucket.json");
    let (code, out, err) = crate::support::run(&[
        "who-can",
        "s3:GetObject",
        "arn:aws:s3:::amzn-s3-demo-bucket1/k",
        "--account",
        &format!("{APS}/account.json"),
        "--bucket-policy",
        &delegate,
        "--no-escalation",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 allowed, 0 conditional"), "{out}");
    assert!(!out.contains("DataAccessPoint"), "{out}");
    assert!(!out.contains("  *  ("), "{out}");
}

/// principal-can and review --account take the access point flags too and
/// review each principal through the access point as `review` does (spec
/// AP-1; the S3 guide's example 1 with a delegating bucket, issue 19).
#[test]
fn principal_can_and_account_review_see_through_the_access_point() {
    let account = format!("{APS}/account.json");
    let delegate = format!("amzn-s3-demo-bucket1={APS}/delegate-bucket.json");
    let ap_policy = format!("{APS}/jane-access-point.json");
    let flags = [
        "--account",
        account.as_str(),
        "--bucket-policy",
        delegate.as_str(),
        "--access-point-policy",
        ap_policy.as_str(),
        "--access-point-bucket",
        "amzn-s3-demo-bucket1",
        "--no-escalation",
    ];
    let (code, out, err) = crate::support::run(
        &[
            &["principal-can", "arn:aws:iam::123456789012:user/Jane"],
            &flags[..],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}{err}");
    let out = crate::review::squash(&out);
    assert!(
        out.contains("can read objects: only in objects matching Jane/* through access point my-access-point (in bucket amzn-s3-demo-bucket1) (s3:GetObject)"),
        "{out}"
    );
    let (code, out, err) = crate::support::run(&[&["review"], &flags[..]].concat());
    assert_eq!(code, 0, "{out}{err}");
    let out = crate::review::squash(&out);
    assert!(
        out.contains("arn:aws:iam::123456789012:user/Jane (user) can write objects: only in objects matching Jane/* through access point my-access-point"),
        "{out}"
    );
    // the bucket's own columns say nothing about the access point
    assert!(
        !out.contains("does not go through the access point"),
        "{out}"
    );
    // a bad access point setting is the error `can` reports, exit 2
    let (code, _, err) = crate::support::run(&[
        "who-can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--account",
        &account,
        "--access-point-policy",
        &ap_policy,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("an access point needs the bucket behind it"),
        "{err}"
    );
}
