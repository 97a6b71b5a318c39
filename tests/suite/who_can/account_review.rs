//! `review --account`: the blast radius of every principal, each row the
//! review `review` gives that principal alone, and in agreement with `can`.

use proptest::prelude::*;
use s3guard::access::{self, Analysis, BucketPolicy};
use s3guard::sources::NamedPolicy;
use s3guard::{Decision, PolicyType};

use super::{
    account, analysis_at, analysis_of, item, policy_of, same_statements_reversed, ACCOUNT, ACCT, BP,
};
use crate::support::s3guard;

#[test]
fn review_account_lists_the_blast_radius() {
    let out = s3guard()
        .args([
            "review",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cap = |topic: &str| -> Vec<String> {
        v["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["topic"] == topic)
            .unwrap()["principals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["principal"].as_str().unwrap().to_string())
            .collect()
    };
    // as who-can answers s3:DeleteBucket on prod: alice, deployer, dave, the partner
    let deleters = cap("delete buckets");
    for p in [
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:role/deployer",
        "arn:aws:iam::111122223333:user/dave",
        "arn:aws:iam::444455556666:root",
    ] {
        assert!(deleters.iter().any(|d| d == p), "{p} in {deleters:?}");
    }
    assert!(
        !deleters.iter().any(|d| d.ends_with("user/carol")),
        "her boundary stops her"
    );
    let ops = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["principal"] == "arn:aws:iam::111122223333:role/ops")
        .unwrap();
    assert!(ops["escalation"]
        .as_str()
        .unwrap()
        .contains("iam:PutRolePolicy"));
    // HTML: one page, the table sorts and filters, no external assets
    let out = s3guard()
        .args([
            "review",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    let doc = scraper::Html::parse_document(&page);
    let rows = scraper::Selector::parse("table#principals tbody tr").unwrap();
    assert_eq!(doc.select(&rows).count(), 9);
    assert!(page.contains("id=\"filter\"") && page.contains("aria-sort"));
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    // policies make no sense with --account
    s3guard()
        .args(["review", "--account", ACCT, "policies/rails-app.json"])
        .assert()
        .code(2);
}

/// The review of one principal of the data alone: its whole set (every
/// bucket's policy) over `can`'s request for it, as `review` gives it.
fn review_alone(a: &Analysis, p: &access::AccountPrincipal) -> s3guard::review::Review {
    let ps = a.principal_set_all_buckets(p);
    let base = a.base_request(&p.arn, &p.tags).unwrap();
    s3guard::review::Review::new(&ps.set, &base, &a.known_buckets())
}

/// A permissions boundary that allows one bucket only limits the row of
/// the account review as it limits `can` (spec E-12): the principal can
/// delete that bucket and no other. The row asks the columns `review`
/// asks for the same policies, the boundary's included.
#[test]
fn account_review_rows_ask_the_boundarys_and_guardrails_columns() {
    let dump = format!(
        r#"{{"UserDetailList":[{{"UserName":"u","Arn":"arn:aws:iam::{ACCOUNT}:user/u","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]}}}}],"GroupList":[],"AttachedManagedPolicies":[],"PermissionsBoundary":{{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::{ACCOUNT}:policy/b"}}}},{{"UserName":"v","Arn":"arn:aws:iam::{ACCOUNT}:user/v","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]}}}}],"GroupList":[],"AttachedManagedPolicies":[]}}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[{{"PolicyName":"b","Arn":"arn:aws:iam::{ACCOUNT}:policy/b","DefaultVersionId":"v1","PolicyVersionList":[{{"Document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::scratch"}}]}},"VersionId":"v1","IsDefaultVersion":true}}]}}]}}"#
    );
    let mut a = analysis_of(&dump);
    // an SCP that lets objects be read only in the logs bucket
    a.scp_levels = vec![vec![policy_of(
        PolicyType::Scp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["s3:GetObject","s3:GetObjectVersion"],"Resource":"*"},{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::logs/*"}]}"#,
    )]];
    let r = access::account_review(&a, None).unwrap();
    let u = format!("arn:aws:iam::{ACCOUNT}:user/u");
    let v = format!("arn:aws:iam::{ACCOUNT}:user/v");
    let del = item(&r, &u, "delete buckets");
    assert_eq!(del.answer, s3guard::review::Answer::Some, "{del:?}");
    assert!(del.text.contains("scratch"), "{del:?}");
    assert_eq!(
        item(&r, &u, "read objects").answer,
        s3guard::review::Answer::No
    );
    let read = item(&r, &v, "read objects");
    assert_eq!(read.answer, s3guard::review::Answer::Some, "{read:?}");
    assert!(read.text.contains("logs"), "{read:?}");
    assert_eq!(
        item(&r, &v, "delete buckets").answer,
        s3guard::review::Answer::Yes
    );
}

/// SCP levels of the account review property: none, one that tests the
/// caller's tag, an allow-list that keeps S3 to the prod buckets.
const REVIEW_SCPS: &[&str] = &[
    "",
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:Delete*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"t"}}}]}"#,
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::prod*","arn:aws:s3:::prod*/*"]}]}"#,
];

/// RCPs of the property: none, or one denying object deletion in `other`.
const REVIEW_RCPS: &[&str] = &[
    "",
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject*","Resource":"arn:aws:s3:::other/*"}]}"#,
];

/// The bucket policy of the property: r0 may delete prod; no request
/// without TLS (`can` sends `aws:SecureTransport` true).
const REVIEW_BUCKET_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r0"},"Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod"},
  {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::prod","arn:aws:s3:::prod/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Invariant: every row of the account review is the verdict `review`
    /// gives for that principal alone (its whole policy set: identity
    /// policies, boundary, every bucket policy, SCPs, RCPs; the request
    /// `can` builds for it), and agrees with `can`: a "no" is a denial of
    /// every sampled request, an unconditional "yes" anywhere is an
    /// allowed request on a bucket no policy names.
    #[test]
    fn account_review_rows_are_each_principals_review_and_agree_with_can(
        dump in account(),
        with_bucket in any::<bool>(),
        scp in 0..REVIEW_SCPS.len(),
        rcp in 0..REVIEW_RCPS.len(),
    ) {
        let mut a = analysis_of(&dump);
        if with_bucket {
            a.buckets.push(BucketPolicy {
                bucket: "prod".into(),
                policy: NamedPolicy { name: "bucket.json".into(), policy: policy_of(PolicyType::Resource, REVIEW_BUCKET_POLICY) },
            });
        }
        if !REVIEW_SCPS[scp].is_empty() {
            a.scp_levels = vec![vec![policy_of(PolicyType::Scp, REVIEW_SCPS[scp])]];
        }
        if !REVIEW_RCPS[rcp].is_empty() {
            a.rcp_levels = vec![vec![policy_of(PolicyType::Rcp, REVIEW_RCPS[rcp])]];
        }
        let r = access::account_review(&a, None).unwrap();
        for p in a.model.principals() {
            let row = r.rows.iter().find(|row| row.principal == p.arn).unwrap();
            let base = a.base_request(&p.arn, &p.tags).unwrap();
            let alone = review_alone(&a, p);
            for mine in &row.verdict.items {
                let theirs = alone.verdict.items.iter().find(|i| i.topic == mine.topic).unwrap();
                prop_assert_eq!(mine.answer, theirs.answer, "{} {}: {:?} vs {:?}", &p.arn, &mine.topic, mine, theirs);
                prop_assert_eq!(mine.conditional, theirs.conditional, "{} {}", &p.arn, &mine.topic);
            }
            let can = |action: &str, resource: &str| {
                let mut req = base.clone();
                req.action = s3guard::matcher::Action::parse(action).unwrap();
                req.resource = s3guard::matcher::Resource::parse(resource).unwrap();
                a.principal_set(p, a.bucket_of(resource).as_deref()).set.authorize(&req).decision == Decision::Allowed
            };
            for (topic, actions, objects) in [
                ("delete buckets", &["s3:DeleteBucket"][..], false),
                ("delete objects", &["s3:DeleteObject", "s3:DeleteObjectVersion"][..], true),
                ("write objects", &["s3:PutObject"][..], true),
                ("read objects", &["s3:GetObject", "s3:GetObjectVersion"][..], true),
            ] {
                let it = row.verdict.items.iter().find(|i| i.topic == topic).unwrap();
                let on = |bucket: &str| if objects { format!("arn:aws:s3:::{bucket}/k") } else { format!("arn:aws:s3:::{bucket}") };
                if it.answer == s3guard::review::Answer::No {
                    for b in ["prod", "other", "zz-fresh"] {
                        for act in actions {
                            prop_assert!(!can(act, &on(b)), "{} {}: no, but can allows {} on {}", &p.arn, topic, act, b);
                        }
                    }
                }
                let generic = it.classes.iter().any(|c| c == "bucket:*" || c == "objects:*");
                if it.answer == s3guard::review::Answer::Yes && !it.conditional && generic {
                    prop_assert!(
                        actions.iter().any(|act| can(act, &on("zz-fresh"))),
                        "{} {}: yes, but can denies it on a bucket no policy names", &p.arn, topic
                    );
                }
            }
        }
    }
}

/// The account review computes each column once per distinct key (the
/// column cache): a policy reached twice (attached and through a group)
/// and two copies of one statement must still word their conditions as
/// `review` does for each principal alone (once, twice).
#[test]
fn account_review_columns_shared_between_principals_read_as_their_own_review() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;
    let p = format!(r#"{{"PolicyName":"p","PolicyArn":"arn:aws:iam::{ACCOUNT}:policy/p"}}"#);
    let user = |name: &str, inline: bool, group: bool| {
        format!(
            r#"{{"UserName":"{name}","Arn":"arn:aws:iam::{ACCOUNT}:user/{name}","UserPolicyList":[{}],"GroupList":[{}],"AttachedManagedPolicies":[{p}]}}"#,
            if inline {
                format!(r#"{{"PolicyName":"copy","PolicyDocument":{doc}}}"#)
            } else {
                String::new()
            },
            if group { r#""g""# } else { "" }
        )
    };
    let dump = format!(
        r#"{{"UserDetailList":[{},{},{}],"GroupDetailList":[{{"GroupName":"g","Arn":"arn:aws:iam::{ACCOUNT}:group/g","GroupPolicyList":[],"AttachedManagedPolicies":[{p}]}}],"RoleDetailList":[],"Policies":[{{"PolicyName":"p","Arn":"arn:aws:iam::{ACCOUNT}:policy/p","DefaultVersionId":"v1","PolicyVersionList":[{{"Document":{doc},"VersionId":"v1","IsDefaultVersion":true}}]}}]}}"#,
        user("twice", false, true),
        user("copies", true, false),
        user("once", false, false),
    );
    conditional_deletes_read_as_alone(&analysis_of(&dump));
}

/// Each principal's "delete buckets" cell of the account review is
/// conditional and reads as that principal's own `review` reads it: the
/// cells' texts, principal by principal.
fn conditional_deletes_read_as_alone(a: &Analysis) -> Vec<String> {
    let r = access::account_review(a, None).unwrap();
    let mut texts = Vec::new();
    for p in a.model.principals() {
        let alone = review_alone(a, p);
        let theirs = alone
            .verdict
            .items
            .iter()
            .find(|i| i.topic == "delete buckets")
            .unwrap();
        let mine = item(&r, &p.arn, "delete buckets");
        assert!(mine.conditional, "{mine:?}");
        assert_eq!(mine.text, theirs.text, "{}", p.arn);
        texts.push(mine.text.clone());
    }
    texts
}

/// Two users share an account review row (their statements are the same,
/// in other orders); the row's conditions must read as each one's own
/// `review` reads them, and so the same for both: the conditions of a
/// cell are worded sorted, not in the order of the statements.
#[test]
fn account_review_conditions_are_worded_in_a_canonical_order() {
    let dump = same_statements_reversed(&[
        r#"{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#,
        r#"{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
    ]);
    let texts = conditional_deletes_read_as_alone(&analysis_at(&dump));
    assert_eq!(texts[0], texts[1]);
    // sorted by the words: `aws:MultiFactorAuthPresent` before `aws:SourceIp`
    let (mfa, ip) = (
        texts[0].find("MultiFactorAuthPresent").unwrap(),
        texts[0].find("SourceIp").unwrap(),
    );
    assert!(mfa < ip, "{}", texts[0]);
}
