//! Generates an `aws iam get-account-authorization-details` dump of a
//! synthetic account, for benchmarks and tests of `who-can`:
//!
//! ```text
//! cargo run --release --example gen_account -- \
//!     --users 2000 --roles 5000 --groups 200 --policies 1000 --seed 1 > account.json
//! ```
//!
//! With `--buckets N --bucket-dir DIR`, policies also name N more buckets
//! (`data-0` …) and DIR receives a bucket policy per bucket (`prod.json`,
//! `data-0.json`, …) for `review --account` and `who-can`.
//!
//! Deterministic for a seed. The mix: managed policies granting S3 reads on
//! a few buckets, S3 administration on `prod*` (rare), denies of bucket
//! deletion, grants under conditions (MFA, source IP), IAM rewrites and role
//! assumption (rare), and many statements of other services (the bulk of
//! real accounts). Role trust policies are URL-encoded, as AWS returns them.

use std::fmt::Write as _;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const ACCOUNT: &str = "111122223333";
const BUCKETS: &[&str] = &[
    "prod",
    "prod-logs",
    "staging",
    "media",
    "backups",
    "analytics",
];
const OTHER: &[&str] = &[
    "ec2:Describe*",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "cloudwatch:PutMetricData",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "sqs:SendMessage",
    "sns:Publish",
    "kms:Decrypt",
    "lambda:InvokeFunction",
    "ecr:GetAuthorizationToken",
    "ssm:GetParameter",
];

/// The bucket statements name: mostly the six fixed ones, sometimes one of
/// the `--buckets` generated ones.
fn bucket_name(rng: &mut Rng, extra: usize) -> String {
    if extra > 0 && rng.chance(50) {
        format!("data-{}", rng.below(extra))
    } else {
        BUCKETS[rng.below(BUCKETS.len())].to_string()
    }
}

fn statement(rng: &mut Rng, roles: usize, extra: usize) -> String {
    let bucket = bucket_name(rng, extra);
    match rng.below(100) {
        0..=54 => {
            let n = 2 + rng.below(4);
            let actions: Vec<String> = (0..n)
                .map(|_| format!("\"{}\"", OTHER[rng.below(OTHER.len())]))
                .collect();
            format!(
                r#"{{"Effect":"Allow","Action":[{}],"Resource":"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{}"}}"#,
                actions.join(","),
                rng.below(1000)
            )
        }
        55..=79 => format!(
            r#"{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"]}}"#
        ),
        80..=85 => format!(
            r#"{{"Sid":"Write{0}","Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::{bucket}/*"}}"#,
            rng.below(100)
        ),
        86..=88 => r#"{"Sid":"ProdAdmin","Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::prod*","arn:aws:s3:::prod*/*"]}"#.to_string(),
        89..=90 => r#"{"Sid":"ProdAdminMfa","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::prod","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#.to_string(),
        91..=92 => r#"{"Sid":"NoBucketDeletes","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}"#.to_string(),
        93 => r#"{"Sid":"OfficeOnly","Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#.to_string(),
        94..=95 => format!(
            r#"{{"Sid":"Assume","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{ACCOUNT}:role/role-{}"}}"#,
            rng.below(roles.max(1))
        ),
        96 => format!(
            r#"{{"Sid":"RolePolicies","Effect":"Allow","Action":["iam:PutRolePolicy","iam:AttachRolePolicy"],"Resource":"arn:aws:iam::{ACCOUNT}:role/role-{}"}}"#,
            rng.below(roles.max(1))
        ),
        _ => r#"{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"*"}"#.to_string(),
    }
}

fn document(rng: &mut Rng, roles: usize, extra: usize) -> String {
    let n = 2 + rng.below(5);
    // Sids are unique within a policy: number them.
    let stmts: Vec<String> = (0..n)
        .map(|i| statement(rng, roles, extra).replacen("\"Sid\":\"", &format!("\"Sid\":\"S{i}"), 1))
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        stmts.join(",")
    )
}

/// Writes `data-N.json` bucket policies for the `--buckets` buckets (and
/// the six fixed ones) into `dir`: TLS-only denies, a role of the account
/// reading, sometimes another account writing or deleting, rarely a
/// public read; pass them as `--bucket-policy BUCKET=FILE`.
fn bucket_policies(rng: &mut Rng, dir: &str, extra: usize, roles: usize) {
    let names: Vec<String> = BUCKETS
        .iter()
        .map(|b| b.to_string())
        .chain((0..extra).map(|i| format!("data-{i}")))
        .collect();
    for b in names {
        let mut st = vec![format!(
            r#"{{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{b}","arn:aws:s3:::{b}/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#
        )];
        if rng.chance(60) {
            st.push(format!(
                r#"{{"Sid":"AppRead","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:role/role-{}"}},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{b}","arn:aws:s3:::{b}/*"]}}"#,
                rng.below(roles.max(1))
            ));
        }
        if rng.chance(15) {
            st.push(format!(
                r#"{{"Sid":"PartnerWrite","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:root"}},"Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::{b}/*"}}"#
            ));
        }
        if rng.chance(3) {
            st.push(format!(
                r#"{{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/public/*"}}"#
            ));
        }
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            st.join(",")
        );
        let path = std::path::Path::new(dir).join(format!("{b}.json"));
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(2);
        }
    }
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .iter()
        .position(|a| a == "--bucket-dir")
        .and_then(|i| args.get(i + 1));
    let out = generate_with(
        arg(&args, "--users", 20),
        arg(&args, "--roles", 30),
        arg(&args, "--groups", 5),
        arg(&args, "--policies", 25),
        arg(&args, "--seed", 1) as u64,
        arg(&args, "--buckets", 0),
        dir.map(String::as_str),
    );
    println!("{out}");
}

/// The dump of an account of `users` users, `roles` roles, `groups` groups
/// and `policies` managed policies, the same for the same `seed` (the load
/// benchmark in benches/load.rs includes this file to make its input).
pub fn generate(users: usize, roles: usize, groups: usize, policies: usize, seed: u64) -> String {
    generate_with(users, roles, groups, policies, seed, 0, None)
}

/// As [`generate`], with `extra` more buckets (`data-0` …) that policies
/// name, and, with `bucket_dir`, a bucket policy per bucket written there.
pub fn generate_with(
    users: usize,
    roles: usize,
    groups: usize,
    policies: usize,
    seed: u64,
    extra: usize,
    bucket_dir: Option<&str>,
) -> String {
    let policies = policies.max(1);
    let mut rng = Rng(seed | 1);
    if let Some(dir) = bucket_dir {
        bucket_policies(&mut rng, dir, extra, roles);
    }
    let policy_arn = |i: usize| format!("arn:aws:iam::{ACCOUNT}:policy/policy-{i}");
    let attached = |rng: &mut Rng, max: usize| -> String {
        let n = rng.below(max + 1);
        let list: Vec<String> = (0..n)
            .map(|_| {
                let i = rng.below(policies);
                format!(
                    r#"{{"PolicyName":"policy-{i}","PolicyArn":"{}"}}"#,
                    policy_arn(i)
                )
            })
            .collect();
        list.join(",")
    };
    let mut out = String::from("{\"UserDetailList\":[");
    for u in 0..users {
        if u > 0 {
            out.push(',');
        }
        let inline = if rng.chance(15) {
            format!(
                r#"{{"PolicyName":"inline-{u}","PolicyDocument":{}}}"#,
                document(&mut rng, roles, extra)
            )
        } else {
            String::new()
        };
        let ng = if groups > 0 { rng.below(3) } else { 0 };
        let gl: Vec<String> = (0..ng)
            .map(|_| format!("\"group-{}\"", rng.below(groups)))
            .collect();
        let boundary = if rng.chance(5) {
            format!(
                r#","PermissionsBoundary":{{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"{}"}}"#,
                policy_arn(rng.below(policies))
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"{{"Path":"/","UserName":"user-{u}","UserId":"AIDA{u:016}","Arn":"arn:aws:iam::{ACCOUNT}:user/user-{u}","CreateDate":"2024-01-01T00:00:00Z","UserPolicyList":[{inline}],"GroupList":[{}],"AttachedManagedPolicies":[{}],"Tags":[{{"Key":"team","Value":"t{}"}}]{boundary}}}"#,
            gl.join(","),
            attached(&mut rng, 3),
            rng.below(10)
        );
    }
    out.push_str("],\"GroupDetailList\":[");
    for g in 0..groups {
        if g > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"Path":"/","GroupName":"group-{g}","GroupId":"AGPA{g:016}","Arn":"arn:aws:iam::{ACCOUNT}:group/group-{g}","CreateDate":"2024-01-01T00:00:00Z","GroupPolicyList":[],"AttachedManagedPolicies":[{}]}}"#,
            attached(&mut rng, 2)
        );
    }
    out.push_str("],\"RoleDetailList\":[");
    for r in 0..roles {
        if r > 0 {
            out.push(',');
        }
        let principal = match rng.below(10) {
            0..=5 => r#"{"Service":"ec2.amazonaws.com"}"#.to_string(),
            6..=7 => format!(r#"{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}}"#),
            8 => format!(
                r#"{{"AWS":"arn:aws:iam::{ACCOUNT}:user/user-{}"}}"#,
                rng.below(users.max(1))
            ),
            _ => r#"{"AWS":"arn:aws:iam::444455556666:root"}"#.to_string(),
        };
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
        );
        let _ = write!(
            out,
            r#"{{"Path":"/","RoleName":"role-{r}","RoleId":"AROA{r:016}","Arn":"arn:aws:iam::{ACCOUNT}:role/role-{r}","CreateDate":"2024-01-01T00:00:00Z","AssumeRolePolicyDocument":"{}","InstanceProfileList":[],"RolePolicyList":[],"AttachedManagedPolicies":[{}],"Tags":[]}}"#,
            url_encode(&trust),
            attached(&mut rng, 3)
        );
    }
    out.push_str("],\"Policies\":[");
    for p in 0..policies {
        if p > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"PolicyName":"policy-{p}","PolicyId":"ANPA{p:016}","Arn":"{}","Path":"/","DefaultVersionId":"v1","AttachmentCount":1,"IsAttachable":true,"CreateDate":"2024-01-01T00:00:00Z","PolicyVersionList":[{{"Document":{},"VersionId":"v1","IsDefaultVersion":true,"CreateDate":"2024-01-01T00:00:00Z"}}]}}"#,
            policy_arn(p),
            document(&mut rng, roles, extra)
        );
    }
    out.push_str("]}");
    out
}
