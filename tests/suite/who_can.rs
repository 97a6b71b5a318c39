//! `who-can` agrees with `can`, principal by principal (issue 16), and its
//! command line: text, JSON, `--only` exit codes, invalid input.

use proptest::prelude::*;
use s3guard::access::{self, Access, AccountModel, Analysis, BucketPolicy, Question};
use s3guard::sources::{NamedPolicy, Params, Source};
use s3guard::{Decision, PolicySet, PolicyType, RequestBuilder};

use crate::support::s3guard;

const ACCOUNT: &str = "111122223333";

/// One statement of a generated identity policy.
fn statement() -> impl Strategy<Value = String> {
    let action = prop_oneof![
        Just("s3:DeleteBucket"),
        Just("s3:*"),
        Just("s3:Delete*"),
        Just("s3:GetObject"),
        Just("ec2:*"),
    ];
    let resource = prop_oneof![
        Just("arn:aws:s3:::prod"),
        Just("arn:aws:s3:::prod*"),
        Just("*"),
        Just("arn:aws:s3:::other"),
        Just("arn:aws:s3:::prod/*"),
        Just("arn:aws:s3:us-west-2:111122223333:accesspoint/ap/object/*"),
    ];
    let condition = prop_oneof![
        Just(""),
        Just(r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#),
        Just(r#","Condition":{"StringEquals":{"s3:prefix":"logs/"}}"#),
        Just(r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#),
        Just(r#","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#),
        Just(r#","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-2"}}"#),
    ];
    (any::<bool>(), action, resource, condition).prop_map(|(allow, a, r, c)| {
        let effect = if allow { "Allow" } else { "Deny" };
        format!(r#"{{"Effect":"{effect}","Action":"{a}","Resource":"{r}"{c}}}"#)
    })
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(statement(), 1..3).prop_map(|s| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            s.join(",")
        )
    })
}

/// A small dump: users (inline policy, managed policies, group), roles,
/// one group, managed policies, sometimes a boundary.
fn account() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(document(), 3),
        prop::collection::vec((document(), 0..4usize, any::<bool>(), any::<bool>()), 1..4),
        prop::collection::vec((document(), 0..4usize), 1..3),
    )
        .prop_map(|(managed, users, roles)| {
            let arn = |i: usize| format!("arn:aws:iam::{ACCOUNT}:policy/p{i}");
            let attach = |i: usize| {
                if i < 3 {
                    format!(r#"{{"PolicyName":"p{i}","PolicyArn":"{}"}}"#, arn(i))
                } else {
                    String::new()
                }
            };
            let users: Vec<String> = users
                .iter()
                .enumerate()
                .map(|(u, (doc, m, in_group, bounded))| {
                    let group = if *in_group { r#""g""# } else { "" };
                    let boundary = if *bounded {
                        format!(r#","PermissionsBoundary":{{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"{}"}}"#, arn(2))
                    } else {
                        String::new()
                    };
                    format!(
                        r#"{{"UserName":"u{u}","Arn":"arn:aws:iam::{ACCOUNT}:user/u{u}","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{doc}}}],"GroupList":[{group}],"AttachedManagedPolicies":[{}],"Tags":[{{"Key":"team","Value":"t"}}]{boundary}}}"#,
                        attach(*m)
                    )
                })
                .collect();
            let roles: Vec<String> = roles
                .iter()
                .enumerate()
                .map(|(r, (doc, m))| {
                    format!(
                        r#"{{"RoleName":"r{r}","Arn":"arn:aws:iam::{ACCOUNT}:role/r{r}","AssumeRolePolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}},"RolePolicyList":[{{"PolicyName":"i","PolicyDocument":{doc}}}],"AttachedManagedPolicies":[{}]}}"#,
                        attach(*m)
                    )
                })
                .collect();
            let policies: Vec<String> = managed
                .iter()
                .enumerate()
                .map(|(i, doc)| {
                    format!(
                        r#"{{"PolicyName":"p{i}","Arn":"{}","DefaultVersionId":"v1","PolicyVersionList":[{{"Document":{doc},"VersionId":"v1","IsDefaultVersion":true}}]}}"#,
                        arn(i)
                    )
                })
                .collect();
            format!(
                r#"{{"UserDetailList":[{}],"GroupDetailList":[{{"GroupName":"g","Arn":"arn:aws:iam::{ACCOUNT}:group/g","GroupPolicyList":[],"AttachedManagedPolicies":[{}]}}],"RoleDetailList":[{}],"Policies":[{}]}}"#,
                users.join(","),
                attach(1),
                roles.join(","),
                policies.join(",")
            )
        })
}

const BUCKET_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r0"},"Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod"}]}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Invariant: for every user and role, who-can lists it as `allowed`
    /// only if `can` (the `--policy-from DUMP --select ARN` set, the same
    /// bucket policy, the same request defaults) allows, and lists it at
    /// all whenever `can` allows. Without conditions, listed ⇔ allowed.
    #[test]
    fn who_can_agrees_with_can_principal_by_principal(dump in account(), with_bucket in any::<bool>()) {
        let source = Source::from_text("acct.json", &dump).unwrap();
        let model = AccountModel::from_dumps(&[("acct.json".into(), source.account_dump(false).unwrap())]).unwrap();
        let bucket = s3guard::Policy::parse_as("bucket.json", BUCKET_POLICY, s3guard::LoadOptions::new(PolicyType::Resource)).unwrap();
        let mut analysis = Analysis { model, ..Analysis::default() };
        if with_bucket {
            analysis.buckets.push(BucketPolicy {
                bucket: "prod".into(),
                policy: NamedPolicy { name: "bucket.json".into(), policy: bucket.clone().into() },
            });
        }
        let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
        let answer = access::who_can(&analysis, &q, None).unwrap();
        for p in analysis.model.principals() {
            let mut b = PolicySet::builder();
            for s in source.select(Some(&p.arn), &Params::default(), false).unwrap() {
                b = match s.layer {
                    PolicyType::Boundary => b.boundary(s.policy),
                    _ => b.identity(s.policy),
                };
            }
            if with_bucket {
                b = b.resource(bucket.clone());
            }
            let set = b.build();
            let req = RequestBuilder::new()
                .principal(p.arn.clone())
                .principal_tag("team=t")
                .resource_account(ACCOUNT)
                .build("s3:DeleteBucket", "arn:aws:s3:::prod")
                .unwrap();
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
            // A conditional principal's key values are a request `can`
            // allows: the same set, the same defaults, those values.
            if let Some(e) = listed.filter(|e| e.grant.access == Access::Conditional) {
                let mut b = RequestBuilder::new()
                    .principal(p.arn.clone())
                    .principal_tag("team=t")
                    .resource_account(ACCOUNT);
                for k in &e.grant.keys {
                    if let Some(v) = &k.value {
                        for x in v.values() {
                            b = b.context_entry(format!("{}={x}", k.key));
                        }
                    }
                }
                let req = b.build("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
                prop_assert_eq!(
                    set.authorize(&req).decision,
                    Decision::Allowed,
                    "{} with {:?}",
                    &p.arn,
                    &e.grant.keys
                );
            }
        }
    }
}

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

const ACCT: &str = "policies/account/example-account.json";
const BP: &str = "policies/account/prod-bucket-policy.json";

#[test]
fn who_can_lists_allowed_conditional_external_and_escalation() {
    let out = s3guard()
        .args([
            "who-can",
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let access_of = |p: &str| {
        v["principals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["principal"] == p)
            .map(|e| e["access"].as_str().unwrap().to_string())
    };
    // alice: group admins → S3Admin, s3:* on *
    assert_eq!(
        access_of("arn:aws:iam::111122223333:user/alice").as_deref(),
        Some("allowed")
    );
    // dave: only with MFA
    assert_eq!(
        access_of("arn:aws:iam::111122223333:user/dave").as_deref(),
        Some("conditional")
    );
    // carol: S3Admin, but her boundary denies bucket deletion
    assert_eq!(access_of("arn:aws:iam::111122223333:user/carol"), None);
    assert_eq!(
        v["limited"][0]["principal"],
        "arn:aws:iam::111122223333:user/carol"
    );
    // the bucket policy's partner account, which is not in the data
    assert_eq!(
        access_of("arn:aws:iam::444455556666:root").as_deref(),
        Some("allowed")
    );
    // bob assumes deployer (its trust policy names bob); reader cannot (not trusted)
    let gains: Vec<&str> = v["couldGain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["principal"].as_str().unwrap())
        .collect();
    assert!(
        gains.contains(&"arn:aws:iam::111122223333:user/bob"),
        "{gains:?}"
    );
    assert!(
        gains.contains(&"arn:aws:iam::111122223333:role/ops"),
        "{gains:?}"
    );
    assert!(
        !gains.contains(&"arn:aws:iam::111122223333:role/reader"),
        "{gains:?}"
    );
}

#[test]
fn who_can_only_exits_1_when_anyone_else_can() {
    let base = [
        "who-can",
        "s3:DeleteBucket",
        "arn:aws:s3:::prod",
        "--account",
        ACCT,
        "--bucket-policy",
        BP,
    ];
    s3guard()
        .args(base)
        .args([
            "--only",
            "alice,deployer,dave,arn:aws:iam::444455556666:root",
        ])
        .assert()
        .code(0);
    let out = s3guard()
        .args(base)
        .args(["--only", "alice"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("role/deployer"));
}

#[test]
fn who_can_invalid_input_exits_2_with_the_place() {
    let out = s3guard()
        .args([
            "who-can",
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            "--account",
            BP,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "not a Terraform plan, a CloudFormation template or an account authorization dump"
    ));
    s3guard()
        .args([
            "who-can",
            "DeleteBucket",
            "arn:aws:s3:::prod",
            "--account",
            ACCT,
        ])
        .assert()
        .code(2);
}

#[test]
fn principal_can_marks_escalation() {
    let out = s3guard()
        .args([
            "principal-can",
            "arn:aws:iam::111122223333:role/ops",
            "--account",
            ACCT,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ESCALATION: ops, which can iam:PutRolePolicy on ops"),
        "{text}"
    );
    s3guard()
        .args(["principal-can", "nobody", "--account", ACCT])
        .assert()
        .code(2);
}

/// iam-collect's file layout of the example account (the fixture mirrors
/// policies/account/example-account.json and its prod bucket policy) gives
/// the same answer as the dump: same principals, same access.
#[test]
fn iam_collect_layout_answers_as_the_dump() {
    let ask = |args: &[&str]| -> Vec<(String, String)> {
        let out = s3guard()
            .args([
                "who-can",
                "s3:DeleteBucket",
                "arn:aws:s3:::prod",
                "--format",
                "json",
            ])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["principals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["principal"].to_string(), e["access"].to_string()))
            .collect()
    };
    let collected = ask(&["--account", "tests/fixtures/sources/iam-collect"]);
    let dump = ask(&["--account", ACCT, "--bucket-policy", BP]);
    assert_eq!(collected, dump);
    assert_eq!(collected.len(), 4);
}

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
    let dir = std::env::temp_dir().join(format!("s3guard-star-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bp = dir.join("org-read.json");
    std::fs::write(
        &bp,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"OrgRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#,
    )
    .unwrap();
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
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let star: Vec<&serde_json::Value> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["principal"] == "*")
        .collect();
    assert_eq!(star.len(), 1, "{v}");
    assert_eq!(star[0]["kind"], "any-authenticated");
    assert_eq!(star[0]["access"], "conditional");
    assert_eq!(star[0]["keys"][0]["key"], "aws:PrincipalOrgID");
    assert_eq!(star[0]["keys"][0]["value"], "o-abc123");
    // without the condition, anonymous callers can too
    std::fs::write(
        &bp,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*"}]}"#,
    )
    .unwrap();
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
    let kinds: Vec<&str> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["principal"] == "*")
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["anyone"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Witnesses name the action as the catalog spells it (issue 16).
#[test]
fn witness_actions_keep_the_catalogs_spelling() {
    let out = s3guard()
        .args([
            "who-can",
            "s3:Delete*",
            "arn:aws:s3:::prod",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
            "--no-escalation",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut seen = 0;
    for e in v["principals"].as_array().unwrap() {
        if let Some(a) = e["witness"]["action"].as_str() {
            seen += 1;
            assert!(
                s3guard::catalog::lookup(a).is_some_and(|i| i.iam_action == a),
                "{a}"
            );
            assert_eq!(e["witness"]["args"][0].as_str(), Some(a));
        }
    }
    assert!(seen > 0, "{v}");
}

#[test]
fn principal_can_prints_the_minimal_policy() {
    let out = s3guard()
        .args([
            "principal-can",
            "arn:aws:iam::111122223333:user/bob",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let policy = &v["minimalPolicy"];
    assert_eq!(policy["Version"], "2012-10-17");
    // bob reads prod (policy ReadProd): GetObject on its objects, ListBucket on it
    let text = policy.to_string();
    assert!(text.contains(r#""Action":"s3:GetObject""#), "{text}");
    assert!(text.contains("arn:aws:s3:::prod/*"), "{text}");
    assert!(text.contains(r#""Action":"s3:ListBucket""#), "{text}");
    assert!(!text.contains("s3:PutObject"), "{text}");
    // the minimal policy, reviewed alone, grants what bob has
    let out = s3guard()
        .args([
            "principal-can",
            "arn:aws:iam::111122223333:user/bob",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("minimal policy (grants exactly"));
}

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

/// A dump of two users with the same inline policy and different
/// `team` tags (alpha, beta), and a third (gamma) without tags.
fn two_teams(policy: &str) -> String {
    let user = |name: &str, tags: &str| {
        format!(
            r#"{{"UserName":"{name}","Arn":"arn:aws:iam::{ACCOUNT}:user/{name}","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{policy}}}],"GroupList":[],"AttachedManagedPolicies":[],"Tags":[{tags}]}}"#
        )
    };
    format!(
        r#"{{"UserDetailList":[{},{},{}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#,
        user("alpha", r#"{"Key":"team","Value":"alpha"}"#),
        user("beta", r#"{"Key":"team","Value":"beta"}"#),
        user("gamma", "")
    )
}

fn analysis_of(dump: &str) -> Analysis {
    let source = Source::from_text("acct.json", dump).unwrap();
    let model =
        AccountModel::from_dumps(&[("acct.json".into(), source.account_dump(false).unwrap())])
            .unwrap();
    Analysis {
        model,
        ..Analysis::default()
    }
}

fn policy_of(layer: PolicyType, text: &str) -> std::sync::Arc<s3guard::Policy> {
    std::sync::Arc::new(
        s3guard::Policy::parse_as("layer.json", text, s3guard::LoadOptions::new(layer)).unwrap(),
    )
}

/// Principals with the same policies share one decision; the witness of
/// each must still be its own request: its ARN and its own tags, never
/// the tags of the principal whose answer it shares (spec section 0: the
/// principal keys are derived from the caller; `can --principal-tag`).
#[test]
fn shared_answers_carry_each_principals_own_tags() {
    let dump = two_teams(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
    );
    let a = analysis_of(&dump);
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&a, &q, None).unwrap();
    assert_eq!(answer.principals.len(), 3);
    for (e, own, other) in [
        (&answer.principals[0], Some("alpha"), "beta"),
        (&answer.principals[1], Some("beta"), "alpha"),
        (&answer.principals[2], None, "alpha"),
    ] {
        assert_eq!(e.grant.access, Access::Conditional);
        let args = &e.grant.witness.as_ref().expect("a witness").args;
        let i = args.iter().position(|x| x == "--principal").unwrap();
        assert_eq!(args[i + 1], e.principal);
        let tags: Vec<&String> = args
            .iter()
            .filter(|x| x.starts_with("aws:PrincipalTag/"))
            .collect();
        match own {
            Some(t) => assert_eq!(tags, [&format!("aws:PrincipalTag/team={t}")], "{args:?}"),
            None => assert!(tags.is_empty(), "{args:?}"),
        }
        assert!(!args.iter().any(|x| x.ends_with(other)), "{args:?}");
        // the witness is a request `can` allows for this principal
        let dir = crate::support::tempdir::Dir::new();
        let file = dir.path().join("acct.json");
        std::fs::write(&file, &dump).unwrap();
        let out = s3guard()
            .args(["can"])
            .args(args)
            .arg("--policy-from")
            .arg(&file)
            .args(["--select", &e.principal])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

/// An SCP that tests the caller's tags decides differently for principals
/// whose own policies are the same: they must not share its answer
/// (spec E-14: a Deny at any SCP level denies).
#[test]
fn guardrails_testing_the_caller_are_not_shared() {
    let dump = two_teams(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let mut a = analysis_of(&dump);
    a.scp_levels = vec![vec![policy_of(
        PolicyType::Scp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"alpha"}}}]}"#,
    )]];
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&a, &q, None).unwrap();
    let access_of = |name: &str| {
        answer
            .principals
            .iter()
            .find(|e| e.principal == format!("arn:aws:iam::{ACCOUNT}:user/{name}"))
            .map(|e| e.grant.access)
    };
    assert_eq!(access_of("alpha"), Some(Access::Allowed));
    assert_eq!(access_of("beta"), None);
    // gamma is an IAM user without the tag: AWS sends no aws:PrincipalTag/team
    // for it, so the Deny applies ("included in the request context if the
    // principal is using an IAM user with attached tags",
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag)
    assert_eq!(access_of("gamma"), None);
    let limited: Vec<(&str, &[PolicyType])> = answer
        .limited
        .iter()
        .map(|l| (l.principal.as_str(), l.layers.as_slice()))
        .collect();
    assert!(
        limited.contains(&(
            format!("arn:aws:iam::{ACCOUNT}:user/beta").as_str(),
            &[PolicyType::Scp][..]
        )),
        "{limited:?}"
    );
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

/// The verdict item of a topic in an account review row.
/// The review of one principal of the data alone: its whole set (every
/// bucket's policy) over `can`'s request for it, as `review` gives it.
fn review_alone(a: &Analysis, p: &access::AccountPrincipal) -> s3guard::review::Review {
    let ps = a.principal_set_all_buckets(p);
    let base = a.base_request(&p.arn, &p.tags).unwrap();
    s3guard::review::Review::new(&ps.set, &base, &a.known_buckets())
}

fn item<'a>(
    r: &'a s3guard::review::AccountReview,
    arn: &str,
    topic: &str,
) -> &'a s3guard::review::VerdictItem {
    r.rows
        .iter()
        .find(|row| row.principal == arn)
        .unwrap()
        .verdict
        .items
        .iter()
        .find(|i| i.topic == topic)
        .unwrap()
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Invariant for patterns (principals share an answer when the
    /// statements whose resources can overlap the pattern are the same):
    /// whoever `can` allows `s3:DeleteBucket` or `s3:DeleteObject` on a
    /// bucket the pattern matches is listed, and every listed principal's
    /// witness is a request the pattern covers that `can` allows for it.
    #[test]
    fn who_can_with_patterns_agrees_with_can(dump in account()) {
        let a = analysis_of(&dump);
        let q = Question::new("s3:Delete*", "arn:aws:s3:::prod*").unwrap();
        let answer = access::who_can(&a, &q, None).unwrap();
        for p in a.model.principals() {
            let ps = a.principal_set(p, None);
            let base = a.base_request(&p.arn, &p.tags).unwrap();
            let can = |action: &str, resource: &str, extra: &[(String, String)]| {
                let mut req = base.clone();
                req.action = s3guard::matcher::Action::parse(action).unwrap();
                req.resource = s3guard::matcher::Resource::parse(resource).unwrap();
                for (k, v) in extra {
                    req.context.set(k, v.clone(), s3guard::Origin::Given);
                }
                ps.set.authorize(&req).decision == Decision::Allowed
            };
            let listed = answer.principals.iter().find(|e| e.principal == p.arn);
            if can("s3:DeleteBucket", "arn:aws:s3:::prod", &[]) || can("s3:DeleteObject", "arn:aws:s3:::prod/k", &[]) {
                prop_assert!(listed.is_some(), "{} can delete in prod but is not listed", &p.arn);
            }
            if let Some(w) = listed.and_then(|e| e.grant.witness.as_ref()) {
                prop_assert!(w.resource.starts_with("arn:aws:s3:::prod"), "{:?}", w);
                prop_assert!(w.action.starts_with("s3:Delete"), "{:?}", w);
                let extra: Vec<(String, String)> = w.args.windows(2)
                    .filter(|x| x[0] == "--context")
                    .filter_map(|x| x[1].split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
                    .collect();
                prop_assert!(can(&w.action, &w.resource, &extra), "{}: witness {:?} is not allowed", &p.arn, w);
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
    let a = analysis_of(&dump);
    let r = access::account_review(&a, None).unwrap();
    for p in a.model.principals() {
        let alone = review_alone(&a, p);
        let theirs = alone
            .verdict
            .items
            .iter()
            .find(|i| i.topic == "delete buckets")
            .unwrap();
        let mine = item(&r, &p.arn, "delete buckets");
        assert!(mine.conditional, "{mine:?}");
        assert_eq!(mine.text, theirs.text, "{}", p.arn);
    }
}

/// The spans of the objects of a dump's `UserDetailList` and of its
/// `RoleDetailList` (generated dumps: no braces inside strings).
fn principal_spans(dump: &str) -> Vec<Vec<(usize, usize)>> {
    let mut lists = Vec::new();
    for list in ["\"UserDetailList\":[", "\"RoleDetailList\":["] {
        let mut out = Vec::new();
        let Some(start) = dump.find(list) else {
            continue;
        };
        let bytes = dump.as_bytes();
        let mut i = start + list.len();
        let (mut depth, mut in_string, mut escaped, mut from) = (0usize, false, false, 0usize);
        while let Some(&c) = bytes.get(i) {
            match (in_string, c) {
                (true, b'\\') if !escaped => escaped = true,
                (true, b'"') if !escaped => in_string = false,
                (true, _) => escaped = false,
                (false, b'"') => in_string = true,
                (false, b'{') => {
                    if depth == 0 {
                        from = i;
                    }
                    depth += 1;
                }
                (false, b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        out.push((from, i + 1));
                    }
                }
                (false, b']') if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        lists.push(out);
    }
    lists
}

/// The dump with only the user or role `arn` left: the others and the
/// commas between them become spaces, so that every position (line,
/// column) of the statements left is the same as in the whole dump.
fn alone_in(dump: &str, arn: &str) -> String {
    let mut text = dump.as_bytes().to_vec();
    let mine = format!(r#""Arn":"{arn}""#);
    for spans in principal_spans(dump) {
        for (a, b) in &spans {
            if !dump[*a..*b].contains(&mine) {
                text[*a..*b].fill(b' ');
            }
        }
        // At most one object of the list is kept: no comma is left.
        for w in spans.windows(2) {
            for x in &mut text[w[0].1..w[1].0] {
                if *x == b',' {
                    *x = b' ';
                }
            }
        }
    }
    String::from_utf8(text).unwrap()
}

/// A dump of users that hold the same statements in different orders and
/// split differently between two inline policies: they share answers.
/// Most of them are grants under different values of one key, where the
/// prover's witness takes the first value it meets.
fn shuffled_account() -> impl Strategy<Value = String> {
    let conditional = (1..4u8, prop_oneof![Just("s3:DeleteObject"), Just("s3:Delete*")]).prop_map(
        |(vpc, action)| {
            format!(
                r#"{{"Effect":"Allow","Action":"{action}","Resource":"arn:aws:s3:::prod*","Condition":{{"StringEquals":{{"aws:SourceVpc":"vpc-{vpc}"}}}}}}"#
            )
        },
    );
    prop::collection::vec(prop_oneof![2 => conditional, 1 => statement()], 2..4)
        .prop_flat_map(|sts| {
            let n = sts.len();
            let user = (Just(sts.clone()).prop_shuffle(), 0..=n);
            (Just(n), prop::collection::vec(user, 2..4))
        })
        .prop_map(|(_, users)| {
            let doc = |sts: &[String]| {
                format!(
                    r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                    sts.join(",")
                )
            };
            let users: Vec<String> = users
                .iter()
                .enumerate()
                .map(|(u, (sts, k))| {
                    let (first, second) = sts.split_at(*k);
                    let inline: Vec<String> = [("i", first), ("j", second)]
                        .iter()
                        .filter(|(_, s)| !s.is_empty())
                        .map(|(name, s)| format!(r#"{{"PolicyName":"{name}","PolicyDocument":{}}}"#, doc(s)))
                        .collect();
                    format!(
                        r#"{{"UserName":"u{u}","Arn":"arn:aws:iam::{ACCOUNT}:user/u{u}","UserPolicyList":[{}],"GroupList":[],"AttachedManagedPolicies":[]}}"#,
                        inline.join(",")
                    )
                })
                .collect();
            format!(
                r#"{{"UserDetailList":[{}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#,
                users.join(",")
            )
        })
}

/// [`analysis_of`] at a fixed time, so that two answers compare.
fn analysis_at(dump: &str) -> Analysis {
    let mut a = analysis_of(dump);
    a.request = a.request.clone().at("2026-01-01T00:00:00Z");
    a
}

/// The entry of `arn` in an answer, if listed.
fn entry_of<'a>(w: &'a access::WhoCan, arn: &str) -> Option<&'a access::Entry> {
    w.principals.iter().find(|e| e.principal == arn)
}

/// Two users with the same two statements in opposite orders share one
/// answer; the prover's witness follows the order of the statements it
/// is given, so a shared answer computed on the first user's set gave the
/// second user the first's witness (`aws:SourceVpc=vpc-1`) where, alone
/// in the data, it gets another. Each entry must be the one its principal
/// gets alone (issue 16: a principal's witness depends on its own inputs).
#[test]
fn shared_witnesses_do_not_depend_on_who_shares_them() {
    let st = |vpc: &str| {
        format!(
            r#"{{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::prod/*","Condition":{{"StringEquals":{{"aws:SourceVpc":"{vpc}"}}}}}}"#
        )
    };
    let user = |name: &str, first: &str, second: &str| {
        format!(
            r#"{{"UserName":"{name}","Arn":"arn:aws:iam::{ACCOUNT}:user/{name}","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{{"Version":"2012-10-17","Statement":[{},{}]}}}}],"GroupList":[],"AttachedManagedPolicies":[]}}"#,
            st(first),
            st(second)
        )
    };
    let dump = format!(
        r#"{{"UserDetailList":[{},{}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#,
        user("a", "vpc-1", "vpc-2"),
        user("b", "vpc-2", "vpc-1")
    );
    let q = Question::new("s3:Delete*", "arn:aws:s3:::prod*").unwrap();
    let all = access::who_can(&analysis_at(&dump), &q, None).unwrap();
    assert_eq!(all.principals.len(), 2);
    for name in ["a", "b"] {
        let arn = format!("arn:aws:iam::{ACCOUNT}:user/{name}");
        let alone = access::who_can(&analysis_at(&alone_in(&dump, &arn)), &q, None).unwrap();
        assert_eq!(alone.principals_in_data, 1);
        assert_eq!(entry_of(&all, &arn), entry_of(&alone, &arn), "{arn}");
        // and the witness names the statement the principal has
        let e = entry_of(&all, &arn).unwrap();
        assert_eq!(e.grant.statements.len(), 1, "{e:?}");
    }
    // Both witnesses are the same request: the set they are computed on
    // depends on the content of the statements only.
    let vpc = |e: &access::Entry| {
        e.grant
            .witness
            .as_ref()
            .unwrap()
            .args
            .iter()
            .find(|a| a.starts_with("aws:SourceVpc="))
            .cloned()
    };
    assert_eq!(vpc(&all.principals[0]), vpc(&all.principals[1]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Invariant: a principal's entry (access, keys, statements, witness)
    /// and its `limited` layers are what it gets alone in the data, for a
    /// concrete question and for patterns: sharing an answer never
    /// changes what a principal is told.
    #[test]
    fn each_entry_is_the_principals_own_answer_alone(
        dump in prop_oneof![account(), shuffled_account()],
        pattern in any::<bool>(),
    ) {
        let q = if pattern {
            Question::new("s3:Delete*", "arn:aws:s3:::prod*").unwrap()
        } else {
            Question::new("s3:DeleteObject", "arn:aws:s3:::prod/k").unwrap()
        };
        let a = analysis_at(&dump);
        let all = access::who_can(&a, &q, None).unwrap();
        for p in a.model.principals() {
            let alone_a = analysis_at(&alone_in(&dump, &p.arn));
            prop_assert_eq!(alone_a.model.principals().len(), 1);
            let alone = access::who_can(&alone_a, &q, None).unwrap();
            prop_assert_eq!(entry_of(&all, &p.arn), entry_of(&alone, &p.arn), "{}", &p.arn);
            let limited = |w: &access::WhoCan| w.limited.iter().find(|l| l.principal == p.arn).cloned();
            prop_assert_eq!(limited(&all), limited(&alone), "{}", &p.arn);
        }
    }
}

/// `who-can` prints the same bytes on one thread and on two, with `--at`
/// fixing the time (patterns: the prover's answers are handed out one at
/// a time, in whatever order the threads take them).
#[test]
fn who_can_output_is_the_same_on_one_and_two_threads() {
    let run = |threads: &str| {
        let out = s3guard()
            .env("S3GUARD_THREADS", threads)
            .args(["who-can", "s3:Delete*", "arn:aws:s3:::prod*"])
            .args(["--account", "policies/account/example-account.json"])
            .args([
                "--bucket-policy",
                "policies/account/prod-bucket-policy.json",
            ])
            .args(["--at", "2026-01-01T00:00:00Z", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert!(String::from_utf8_lossy(&one).contains("\"witness\""));
    assert_eq!(one, run("2"));
}

/// A dump of users `a` and `b` whose inline policy holds the same
/// statements, `b`'s in the opposite order.
fn same_statements_reversed(statements: &[&str]) -> String {
    let user = |name: &str, sts: &[&str]| {
        format!(
            r#"{{"UserName":"{name}","Arn":"arn:aws:iam::{ACCOUNT}:user/{name}","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{{"Version":"2012-10-17","Statement":[{}]}}}}],"GroupList":[],"AttachedManagedPolicies":[]}}"#,
            sts.join(",")
        )
    };
    let reversed: Vec<&str> = statements.iter().rev().copied().collect();
    format!(
        r#"{{"UserDetailList":[{},{}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#,
        user("a", statements),
        user("b", &reversed)
    )
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
    let a = analysis_at(&dump);
    let r = access::account_review(&a, None).unwrap();
    let mut texts = Vec::new();
    for p in a.model.principals() {
        let alone = review_alone(&a, p);
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
    assert_eq!(texts[0], texts[1]);
    // sorted by the words: `aws:MultiFactorAuthPresent` before `aws:SourceIp`
    let (mfa, ip) = (
        texts[0].find("MultiFactorAuthPresent").unwrap(),
        texts[0].find("SourceIp").unwrap(),
    );
    assert!(mfa < ip, "{}", texts[0]);
}

/// The keys of a `who-can` answer are listed by name whatever the order
/// of the statements that test them (here two Denies a free key could
/// apply: `b` holds them in the opposite order).
#[test]
fn who_can_keys_are_listed_by_name() {
    let dump = same_statements_reversed(&[
        r#"{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod"}"#,
        r#"{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"StringEquals":{"aws:Referer":"https://bad.example.com/"}}}"#,
        r#"{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#,
    ]);
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&analysis_at(&dump), &q, None).unwrap();
    assert_eq!(answer.principals.len(), 2);
    for e in &answer.principals {
        assert_eq!(e.grant.access, Access::Conditional);
        let keys: Vec<&str> = e.grant.keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["aws:Referer", "aws:SourceIp"], "{}", e.principal);
    }
}

/// `--only NAME` stands for a user or role of the data, never for a
/// principal from outside it that happens to have the same name: another
/// account's `role/deployer`, granted by the bucket policy, is unexpected
/// (exit 1) until its ARN is listed.
#[test]
fn who_can_only_names_do_not_cover_other_accounts_principals() {
    let (_dir, bp) = crate::support::temp_file(
        "bp.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/deployer"},"Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod"}]}"#,
    );
    let run = |only: &str| {
        s3guard()
            .args([
                "who-can",
                "s3:DeleteBucket",
                "arn:aws:s3:::prod",
                "--account",
                ACCT,
            ])
            .arg("--bucket-policy")
            .arg(&bp)
            .args(["--only", only, "--no-escalation"])
            .output()
            .unwrap()
    };
    let out = run("alice,deployer,dave");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let unexpected = text
        .split("not expected (--only):")
        .nth(1)
        .unwrap_or_default();
    assert!(
        unexpected.contains("arn:aws:iam::444455556666:role/deployer"),
        "{text}"
    );
    assert!(!unexpected.contains("111122223333:role/deployer"), "{text}");
    let out = run("alice,deployer,dave,arn:aws:iam::444455556666:role/deployer");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Every entry of `who-can --format json` has the same fields, `[]` or
/// `null` when there is nothing to say, so that a consumer can read them
/// without testing for their presence.
#[test]
fn who_can_json_entries_have_one_shape() {
    let out = s3guard()
        .args([
            "who-can",
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            "--account",
            ACCT,
        ])
        .args(["--bucket-policy", BP, "--format", "json", "--no-escalation"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v["principals"].as_array().unwrap();
    let accesses: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["access"].as_str())
        .collect();
    assert!(
        accesses.contains(&"allowed") && accesses.contains(&"conditional"),
        "{accesses:?}"
    );
    for e in entries {
        let mut fields: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "access",
                "keys",
                "kind",
                "note",
                "principal",
                "statements",
                "witness"
            ],
            "{e}"
        );
    }
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
    let (_dir, bp) = crate::support::temp_file(
        "bp.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod/*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}"#,
    );
    let out = s3guard()
        .args([
            "who-can",
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            "--account",
            ACCT,
        ])
        .arg("--bucket-policy")
        .arg(&bp)
        .args(["--format", "json", "--no-escalation"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let star: Vec<&serde_json::Value> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["principal"] == "*")
        .collect();
    assert_eq!(star.len(), 1, "{v}");
    assert_eq!(star[0]["kind"], "any-authenticated", "{v}");
    assert_eq!(star[0]["keys"][0]["key"], "aws:SourceAccount", "{v}");
}

/// A dump of user carol: her inline policy allows `own` on herself, her
/// boundary allows `s3:GetObject` and `bound`.
fn rewriter(own: &str, bound: &str) -> String {
    format!(
        r#"{{"UserDetailList":[{{"UserName":"carol","Arn":"arn:aws:iam::{ACCOUNT}:user/carol","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{own},"Resource":"arn:aws:iam::{ACCOUNT}:user/carol"}}]}}}}],"GroupList":[],"AttachedManagedPolicies":[],"PermissionsBoundary":{{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::{ACCOUNT}:policy/b"}}}}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[{{"PolicyName":"b","Arn":"arn:aws:iam::{ACCOUNT}:policy/b","DefaultVersionId":"v1","PolicyVersionList":[{{"Document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{bound},"Resource":"*"}}]}},"VersionId":"v1","IsDefaultVersion":true}}]}}]}}"#
    )
}

/// Rewriting one's own identity policies never passes one's permissions
/// boundary: the effective permissions are "the intersection of both
/// policy types"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>).
/// A user whose boundary does not allow `s3:DeleteBucket` could not gain it
/// by `iam:PutUserPolicy`; it could gain what the boundary allows, and
/// anything once it can delete its boundary.
#[test]
fn rewriting_own_policies_gains_only_what_the_boundary_allows() {
    let gains = |dump: &str, action: &str, resource: &str| {
        let a = analysis_of(dump);
        let esc = s3guard::access::Escalation::compute(&a);
        let q = Question::new(action, resource).unwrap();
        let w = access::who_can(&a, &q, Some(&esc)).unwrap();
        assert!(w.principals.is_empty(), "{w:?}");
        w.could_gain.len()
    };
    let put = rewriter(r#""iam:PutUserPolicy""#, r#"["s3:GetObject","iam:*"]"#);
    assert_eq!(gains(&put, "s3:DeleteBucket", "arn:aws:s3:::prod"), 0);
    assert_eq!(gains(&put, "s3:GetObject", "arn:aws:s3:::prod/k"), 1);
    let shed = rewriter(
        r#"["iam:PutUserPolicy","iam:DeleteUserPermissionsBoundary"]"#,
        r#"["s3:GetObject","iam:*"]"#,
    );
    assert_eq!(gains(&shed, "s3:DeleteBucket", "arn:aws:s3:::prod"), 1);
}
