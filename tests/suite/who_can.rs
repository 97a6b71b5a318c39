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
    ];
    let condition = prop_oneof![
        Just(""),
        Just(r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#),
        Just(r#","Condition":{"StringEquals":{"s3:prefix":"logs/"}}"#),
        Just(r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#),
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
