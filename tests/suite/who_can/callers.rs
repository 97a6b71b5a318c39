//! Callers: whom `"Principal": "*"` names (anonymous callers or any
//! authenticated principal), and the keys a caller's request carries (the
//! tags of users and of roles, TLS by default).

use s3guard::access::{self, Access, BucketPolicy, Question};
use s3guard::sources::NamedPolicy;
use s3guard::{Decision, PolicyType};

use super::{analysis_of, item, policy_of, two_teams, ACCOUNT, ACCT};
use crate::support::s3guard;

/// `"Principal": "*"` in a bucket policy names every principal,
/// authenticated or anonymous (IAM User Guide, "AWS JSON policy elements:
/// Principal", anonymous (public) principals:
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous).
/// A grant limited by `aws:PrincipalOrgID` is therefore open to the
/// organization's principals of any account, and never to anonymous
/// callers: the key is present "only if the principal is a member of an
/// organization" (IAM User Guide, global condition keys,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid).
#[test]
fn star_names_any_authenticated_principal_not_only_anonymous_callers() {
    let (code, star) = star_entries(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"OrgRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#,
    );
    assert_eq!(code, Some(0));
    assert_eq!(star.len(), 1, "{star:?}");
    assert_eq!(star[0]["kind"], "any-authenticated");
    assert_eq!(star[0]["access"], "conditional");
    assert_eq!(star[0]["keys"][0]["key"], "aws:PrincipalOrgID");
    assert_eq!(star[0]["keys"][0]["value"], "o-abc123");
    // without the condition, anonymous callers can too
    let (_, star) = star_entries(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*"}]}"#,
    );
    let kinds: Vec<&str> = star.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["anyone"]);
}

/// `who-can s3:GetObject arn:aws:s3:::prod/k` over the account `ACCT`
/// with `bucket_policy`, as JSON: its exit code and the entries of `*`.
fn star_entries(bucket_policy: &str) -> (Option<i32>, Vec<serde_json::Value>) {
    let (_dir, bp) = crate::support::temp_file("bp.json", bucket_policy);
    let out = s3guard()
        .args([
            "who-can",
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            "--account",
            ACCT,
            "--no-escalation",
            "--format",
            "json",
            "--bucket-policy",
        ])
        .arg(&bp)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let star = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["principal"] == "*")
        .cloned()
        .collect();
    (out.status.code(), star)
}

/// A role's sessions may carry session tags, so a tag its data lacks is
/// free for a role (conditional), while an IAM user has exactly its own
/// tags ("It is included for a principal using an IAM role with attached
/// tags or session tags",
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag).
#[test]
fn a_tag_a_user_lacks_is_absent_a_role_s_is_free() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"alpha"}}}]}"#;
    let role = format!(
        r#"{{"RoleName":"worker","Arn":"arn:aws:iam::{ACCOUNT}:role/worker","RolePolicyList":[{{"PolicyName":"i","PolicyDocument":{policy}}}],"AttachedManagedPolicies":[],"Tags":[],"AssumeRolePolicyDocument":{{"Version":"2012-10-17","Statement":[]}}}}"#
    );
    let dump = two_teams(policy).replace(
        r#""RoleDetailList":[]"#,
        &format!(r#""RoleDetailList":[{role}]"#),
    );
    let a = analysis_of(&dump);
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&a, &q, None).unwrap();
    let access_of = |arn: String| {
        answer
            .principals
            .iter()
            .find(|e| e.principal == arn)
            .map(|e| e.grant.access)
    };
    assert_eq!(
        access_of(format!("arn:aws:iam::{ACCOUNT}:user/alpha")),
        Some(Access::Allowed)
    );
    assert_eq!(access_of(format!("arn:aws:iam::{ACCOUNT}:user/beta")), None);
    assert_eq!(
        access_of(format!("arn:aws:iam::{ACCOUNT}:user/gamma")),
        None
    );
    assert_eq!(
        access_of(format!("arn:aws:iam::{ACCOUNT}:role/worker")),
        Some(Access::Conditional)
    );
}

/// A bucket policy that denies requests without TLS: `can` sends
/// `aws:SecureTransport` true (docs/semantics.md, "Defaults of `s3guard
/// can`"), so `can`, `who-can` and `review --account` all answer
/// "allowed", not "conditional".
#[test]
fn secure_transport_is_true_in_can_who_can_and_the_account_review() {
    let dump = two_teams(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let mut a = analysis_of(&dump);
    let tls = std::fs::read_to_string("policies/bucket-policy-tls-only.json").unwrap();
    assert!(tls.contains("aws:SecureTransport"));
    let bucket = tls.replace("example-bucket", "prod");
    a.buckets.push(BucketPolicy {
        bucket: "prod".into(),
        policy: NamedPolicy {
            name: "tls.json".into(),
            policy: policy_of(PolicyType::Resource, &bucket),
        },
    });
    let alpha = format!("arn:aws:iam::{ACCOUNT}:user/alpha");
    // can
    let p = a.model.principal(&alpha).unwrap();
    let ps = a.principal_set(p, Some("prod"));
    let req = a.base_request(&p.arn, &p.tags).unwrap();
    let mut req = req;
    req.action = s3guard::matcher::Action::parse("s3:DeleteBucket").unwrap();
    req.resource = s3guard::matcher::Resource::parse("arn:aws:s3:::prod").unwrap();
    assert_eq!(ps.set.authorize(&req).decision, Decision::Allowed);
    // who-can
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&a, &q, None).unwrap();
    let e = answer
        .principals
        .iter()
        .find(|e| e.principal == alpha)
        .unwrap();
    assert_eq!(e.grant.access, Access::Allowed);
    // who-can with patterns: the prover takes the defaults as facts too
    let q = Question::new("s3:Delete*", "arn:aws:s3:::prod*").unwrap();
    let answer = access::who_can(&a, &q, None).unwrap();
    let e = answer
        .principals
        .iter()
        .find(|e| e.principal == alpha)
        .unwrap();
    assert_eq!(e.grant.access, Access::Allowed, "{e:?}");
    // review --account
    let r = access::account_review(&a, None).unwrap();
    let it = item(&r, &alpha, "delete buckets");
    assert_eq!(it.answer, s3guard::review::Answer::Yes, "{it:?}");
    assert!(!it.conditional, "{it:?}");
}

/// A `*` grant conditioned on `aws:SourceAccount` is for services acting
/// for that account: AWS includes the key "only if accessing a resource
/// triggers an AWS service to call another service on behalf of the
/// resource owner"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount>),
/// so an unsigned request never carries it: `who-can` must not list
/// anonymous callers (spec E-7).
#[test]
fn star_with_source_account_is_not_open_to_anonymous_callers() {
    let (_, star) = star_entries(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}"#,
    );
    assert_eq!(star.len(), 1, "{star:?}");
    assert_eq!(star[0]["kind"], "any-authenticated", "{star:?}");
    assert_eq!(star[0]["keys"][0]["key"], "aws:SourceAccount", "{star:?}");
}
