//! `who-can` agrees with `can`, principal by principal (issue 16), and its
//! command line: text, JSON, `--only` exit codes, invalid input; with
//! `principal-can` and `review --account`, which answer from the same
//! account model. One file a subject; the generators, fixtures and helpers
//! more than one of them uses are here.

mod access_points;
mod account_review;
mod agreement;
mod callers;
mod cli;
mod escalation;
mod principal_can;
mod witnesses;

use proptest::prelude::*;
use s3guard::access::{AccountModel, Analysis};
use s3guard::sources::Source;
use s3guard::PolicyType;

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

const ACCT: &str = "policies/account/example-account.json";
const BP: &str = "policies/account/prod-bucket-policy.json";

/// `who-can ACTION RESOURCE` over the example account `ACCT` and bucket
/// policy `BP` as JSON, with `extra` arguments: its exit code and its
/// output (`null` when it is not JSON).
fn who_can_json(action: &str, resource: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = crate::support::s3guard()
        .args(["who-can", action, resource, "--account", ACCT])
        .args(["--bucket-policy", BP, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), v)
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

/// The verdict item of a topic in an account review row.
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

/// [`analysis_of`] at a fixed time, so that two answers compare.
fn analysis_at(dump: &str) -> Analysis {
    let mut a = analysis_of(dump);
    a.request = a.request.clone().at("2026-01-01T00:00:00Z");
    a
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
