//! `s3guard can`: stdout, stderr and exit codes of the issue's must-shows.

use crate::support::{run, temp_file};

const RAILS: &str = "policies/rails-app.json";
const FULL: &str = "policies/amazon-s3-full-access.json";

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

#[test]
fn rails_policy_cannot_delete_a_bucket_exit_1() {
    let (code, out, _) = run(&[
        "can",
        "s3:DeleteBucket",
        "arn:aws:s3:::prod",
        "--policy",
        RAILS,
    ]);
    assert_eq!(code, 1);
    assert_eq!(first_line(&out), "DENY (implicit)");
}

#[test]
fn full_access_can_delete_a_bucket_and_names_the_statement() {
    let (code, out, _) = run(&[
        "can",
        "s3:DeleteBucket",
        "arn:aws:s3:::prod",
        "--policy",
        FULL,
    ]);
    assert_eq!(code, 0);
    assert_eq!(first_line(&out), "ALLOW");
    assert!(
        out.contains("policies/amazon-s3-full-access.json:4:5"),
        "{out}"
    );
}

/// Seed walk-through: `aws s3 rb s3://new-test-bucket --force` lists, deletes
/// every object, then deletes the bucket; AmazonS3FullAccess allows each step.
#[test]
fn full_access_allows_every_request_of_rb_force() {
    for (action, resource) in [
        ("s3:ListBucket", "arn:aws:s3:::new-test-bucket"),
        (
            "s3:DeleteObject",
            "arn:aws:s3:::new-test-bucket/uploads/a.png",
        ),
        ("s3:DeleteBucket", "arn:aws:s3:::new-test-bucket"),
    ] {
        let (code, out, _) = run(&["can", action, resource, "--policy", FULL]);
        assert_eq!(
            (code, first_line(&out)),
            (0, "ALLOW"),
            "{action} {resource}"
        );
    }
}

/// Seed walk-through: the Rails app's least-privilege policy.
#[test]
fn rails_policy_allows_the_app_and_nothing_else() {
    let allowed = [
        ("s3:ListBucket", "arn:aws:s3:::another-test-bucket"),
        (
            "s3:PutObject",
            "arn:aws:s3:::another-test-bucket/uploads/a.png",
        ),
        (
            "s3:PutObjectAcl",
            "arn:aws:s3:::another-test-bucket/uploads/a.png",
        ),
        (
            "s3:GetObject",
            "arn:aws:s3:::another-test-bucket/uploads/a.png",
        ),
        (
            "s3:GetObjectAcl",
            "arn:aws:s3:::another-test-bucket/uploads/a.png",
        ),
        (
            "s3:DeleteObject",
            "arn:aws:s3:::another-test-bucket/uploads/a.png",
        ),
    ];
    for (action, resource) in allowed {
        let (code, out, _) = run(&["can", action, resource, "--policy", RAILS]);
        assert_eq!(
            (code, first_line(&out)),
            (0, "ALLOW"),
            "{action} {resource}"
        );
    }
    let denied = [
        ("s3:DeleteBucket", "arn:aws:s3:::another-test-bucket"),
        ("s3:ListAllMyBuckets", "*"),
        ("s3:GetObject", "arn:aws:s3:::other-bucket/uploads/a.png"),
        ("s3:PutObject", "arn:aws:s3:::other-bucket/a"),
        ("s3:ListBucket", "arn:aws:s3:::other-bucket"),
        ("s3:DeleteObject", "arn:aws:s3:::another-test-bucket-2/a"),
        ("s3:PutBucketPolicy", "arn:aws:s3:::another-test-bucket"),
    ];
    for (action, resource) in denied {
        let (code, out, _) = run(&["can", action, resource, "--policy", RAILS]);
        assert_eq!(
            (code, first_line(&out)),
            (1, "DENY (implicit)"),
            "{action} {resource}"
        );
    }
}

#[test]
fn invalid_policies_exit_2_with_file_line_col_for_each_problem() {
    let (_d, path) = temp_file(
        "bad.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"Resourse\": \"x\"},\n    {\"Effect\": \"Deny\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}\n",
    );
    let p = path.to_string_lossy().to_string();
    let (code, out, err) = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert_eq!(code, 2);
    assert!(
        out.is_empty(),
        "answers go to stdout only when there is one: {out}"
    );
    for (pos, code) in [
        ("4:16", "invalid-effect"),
        ("4:68", "invalid-policy-element"),
        ("5:24", "json-syntax-error"),
    ] {
        let needle = format!("{p}:{pos}: error[{code}]");
        assert!(err.contains(&needle), "missing `{needle}` in:\n{err}");
    }
    assert!(
        err.contains("at /Statement/0/Resourse") && err.contains("did you mean `Resource`?"),
        "{err}"
    );
}

#[test]
fn json_syntax_errors_exit_2_with_position() {
    let (_d, path) = temp_file(
        "syntax.json",
        "{\"Version\": \"2012-10-17\",\n \"Statement\": [}\n",
    );
    let p = path.to_string_lossy().to_string();
    let (code, _, err) = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{p}:2:16: error[json-syntax-error]")),
        "{err}"
    );
}

/// Spec G-10, C-9: unknown operators and impossible values are load errors.
#[test]
fn condition_errors_at_load_time_spec_g10_c9() {
    let (_d, path) = temp_file(
        "cond.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
"Condition":{"StringEqualz":{"aws:username":"a"},"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}}]}"#,
    );
    let p = path.to_string_lossy().to_string();
    let (code, _, err) = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{p}:2:14: error[invalid-condition-operator]")),
        "{err}"
    );
    assert!(err.contains("help: did you mean `StringEquals`?"), "{err}");
    assert!(
        err.contains(&format!("{p}:2:78: error[type-mismatch-ip-range]")),
        "{err}"
    );
    assert!(
        err.contains("at /Statement/0/Condition/IpAddress/aws:SourceIp"),
        "{err}"
    );
}

#[test]
fn reads_policy_from_stdin_and_unwraps_aws_cli_output() {
    let wrapped = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::site/*\"}]}"}"#;
    let out = crate::support::s3guard()
        .args([
            "can",
            "s3:GetObject",
            "arn:aws:s3:::site/index.html",
            "--bucket-policy",
            "-",
            "--principal",
            "anonymous",
        ])
        .write_stdin(wrapped)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let version = r#"{"PolicyVersion":{"Document":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%5D%7D","VersionId":"v3","IsDefaultVersion":true}}"#;
    let out = crate::support::s3guard()
        .args(["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", "-"])
        .write_stdin(version)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// Spec O-1: the AWS simulator shape, and `--format aws` with only AWS fields.
#[test]
fn json_output_has_the_simulator_shape_spec_o1() {
    let (code, out, _) = run(&[
        "can",
        "s3:DeleteBucket",
        "arn:aws:s3:::prod",
        "--policy",
        FULL,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "allowed");
    assert_eq!(r["EvalActionName"], "s3:DeleteBucket");
    assert_eq!(
        r["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    assert_eq!(r["MatchedStatements"][0]["StartPosition"]["Line"], 4);
    assert_eq!(r["s3guard"]["matchedStatements"][0]["policy"], FULL);
    let (_, out, _) = run(&[
        "can",
        "s3:DeleteBucket",
        "arn:aws:s3:::prod",
        "--policy",
        RAILS,
        "--format",
        "aws",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["EvaluationResults"][0]["EvalDecision"], "implicitDeny");
    assert!(v["EvaluationResults"][0].get("s3guard").is_none());
}

const IP_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Office","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;

/// Issue 3 must-show: the answer follows the condition, and a missing key is named.
#[test]
fn context_decides_conditions_and_missing_keys_are_named_spec_c9_o1() {
    let (_d, path) = temp_file("ip.json", IP_POLICY);
    let p = path.to_string_lossy().to_string();
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/x",
        "--policy",
        &p,
        "--context",
        "aws:SourceIp=203.0.113.9",
    ]);
    assert_eq!((code, first_line(&out)), (0, "ALLOW"));
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/x",
        "--policy",
        &p,
        "--context",
        "aws:SourceIp=198.51.100.1",
    ]);
    assert_eq!((code, first_line(&out)), (1, "DENY (implicit)"));
    assert!(!out.contains("missing key"), "{out}");
    let (code, out, _) = run(&["can", "s3:GetObject", "arn:aws:s3:::b/x", "--policy", &p]);
    assert_eq!(code, 1);
    assert!(
        out.contains("note: decision depends on missing key aws:SourceIp (would be ALLOW if it matched 203.0.113.0/24"),
        "{out}"
    );
    let (_, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/x",
        "--policy",
        &p,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["EvaluationResults"][0]["MissingContextValues"][0],
        "aws:SourceIp"
    );
}

/// Issue 3: defaults s3guard fills in are listed, never hidden.
#[test]
fn explain_lists_assumed_context_values() {
    let (_, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::another-test-bucket/a",
        "--policy",
        RAILS,
        "--explain",
        "--principal",
        "arn:aws:iam::111122223333:user/app",
    ]);
    assert!(
        out.contains("aws:SecureTransport = \"true\" (default assumed by s3guard)"),
        "{out}"
    );
    assert!(
        out.contains("aws:username = \"app\" (derived by s3guard)"),
        "{out}"
    );
    assert!(
        out.contains("(Sid ReadWriteAppObjects) Allow [identity]: applies"),
        "{out}"
    );
}

/// Issue 4 must-show: cross-account without a bucket policy.
#[test]
fn cross_account_needs_the_resource_side_spec_e6() {
    let (_d, path) = temp_file(
        "eve.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let p = path.to_string_lossy().to_string();
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::prod/x",
        "--principal",
        "arn:aws:iam::999988887777:user/eve",
        "--resource-account",
        "111122223333",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 1);
    assert!(first_line(&out).starts_with("DENY (implicit)"), "{out}");
    assert!(out.contains("resource account 111122223333"), "{out}");
    assert!(out.contains("cross-account"), "{out}");
}

/// Spec G-9: principals are checked per policy type.
#[test]
fn principal_elements_are_validated_per_policy_type_spec_g9() {
    let (_d1, identity) = temp_file(
        "id.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let (_d2, bucket) = temp_file(
        "b.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let i = identity.to_string_lossy().to_string();
    let b = bucket.to_string_lossy().to_string();
    let (code, _, err) = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &i]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{i}:1:68: error[unsupported-principal]")),
        "{err}"
    );
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--bucket-policy",
        &b,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{b}:1:38: error[missing-principal]")),
        "{err}"
    );
}

#[test]
fn layered_denials_name_the_layer_spec_o3() {
    let (_d1, boundary) = temp_file(
        "boundary.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#,
    );
    let b = boundary.to_string_lossy().to_string();
    let (code, out, _) = run(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::prod/x",
        "--policy",
        FULL,
        "--boundary",
        &b,
        "--principal",
        "arn:aws:iam::111122223333:user/app",
    ]);
    assert_eq!(code, 1);
    assert_eq!(first_line(&out), format!("DENY (implicit) — blocked by permissions boundary {b}: no statement allows s3:PutObject on arn:aws:s3:::prod/x"));
    let (_, out, _) = run(&[
        "can",
        "s3:PutObject",
        "arn:aws:s3:::prod/x",
        "--policy",
        FULL,
        "--boundary",
        &b,
        "--principal",
        "arn:aws:iam::111122223333:user/app",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["EvaluationResults"][0];
    assert_eq!(
        r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );
    assert_eq!(r["s3guard"]["blockedBy"][0], "boundary");
    assert_eq!(r["s3guard"]["perPolicyType"]["boundary"], "implicitDeny");
}

#[test]
fn bad_requests_exit_2() {
    for args in [
        vec!["can", "GetObject", "arn:aws:s3:::b/k", "--policy", RAILS],
        vec!["can", "s3:GetObject", "bucket/k", "--policy", RAILS],
        vec![
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--policy",
            RAILS,
            "--principal",
            "alice",
        ],
        vec![
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--policy",
            RAILS,
            "--context",
            "novalue",
        ],
        vec!["can", "s3:GetObject", "arn:aws:s3:::b/k"],
        vec!["can", "s3:GetObject"],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert!(!err.is_empty());
    }
}

/// Issue 5: resource-type awareness (spec M-7).
#[test]
fn warns_when_the_action_cannot_apply_to_the_resource_spec_m7() {
    let (_, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::bucket",
        "--policy",
        RAILS,
    ]);
    assert!(err.contains("warning: s3:GetObject applies to"), "{err}");
    assert!(err.contains("arn:aws:s3:::bucket/KEY"), "{err}");
}

/// Spec G-11: invalid statements stop evaluation unless `--lenient`, which
/// skips them and says so.
#[test]
fn lenient_skips_invalid_statements_and_says_so_spec_g11() {
    let args = [
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        "tests/fixtures/policies/invalid.json",
        "--policy",
        "policies/amazon-s3-read-only-access.json",
    ];
    let (code, _, _) = run(&args);
    assert_eq!(code, 2);
    let mut lenient = args.to_vec();
    lenient.push("--lenient");
    let (code, out, err) = run(&lenient);
    assert_eq!(code, 0);
    assert!(
        out.contains("2 error(s) tolerated with --lenient (at 6:17, 9:21)"),
        "{out}"
    );
    assert!(err.contains("warning[invalid-effect]"), "{err}");
}

/// Spec E-7: an AWS service principal is not an IAM identity; identity
/// policies given for it do not take part (only the bucket policy decides),
/// and the answer says so instead of ignoring them silently. (iam-simulate
/// applies them: see docs/semantics.md, differential runs.)
#[test]
fn identity_policies_do_not_apply_to_service_principals_spec_e7() {
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        "policies/amazon-s3-full-access.json",
        "--principal",
        "cloudtrail.amazonaws.com",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("DENY (implicit)"), "{out}");
    assert!(
        out.contains(
            "the identity policy does not take part: the caller is an AWS service principal"
        ),
        "{out}"
    );
    let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    let (_d, path) = temp_file("bucket.json", bucket);
    let p = path.to_string_lossy().to_string();
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--bucket-policy",
        &p,
        "--principal",
        "cloudtrail.amazonaws.com",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("ALLOW"), "{out}");
}

/// S3 User Guide, "Examples of Amazon S3 bucket policies", "Grant permission
/// to an Amazon CloudFront OAI"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html)
/// and CloudFront Developer Guide, "Restrict access to an Amazon S3 origin"
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html):
/// an OAI is named by its ARN or by its S3 canonical user id. The grant is
/// for that OAI only: not for anonymous callers, not for another OAI; and,
/// being no IAM identity of the account, the OAI gets nothing from identity policies.
#[test]
fn cloudfront_origin_access_identity_principals_match_the_oai_only() {
    const OAI: &str =
        "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EH1HDMB1FH2TC";
    const OTHER_OAI: &str =
        "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHEXAMPLE";
    const CANONICAL: &str = "b970b42360b81c8ddbd79d2f5df0069ba9033c8a79655752abe380cd6d63ba8bcf23384d568fcf89fc49700b5e11a0fd";
    let by_arn = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AllowOAI","Effect":"Allow",
        "Principal":{{"AWS":"{OAI}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*"}}]}}"#
    );
    let by_id = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AllowOAI","Effect":"Allow",
        "Principal":{{"CanonicalUser":"{CANONICAL}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*"}}]}}"#
    );
    let (_a, arn_path) = temp_file("oai-arn.json", &by_arn);
    let (_b, id_path) = temp_file("oai-id.json", &by_id);
    let arn_path = arn_path.to_string_lossy().to_string();
    let id_path = id_path.to_string_lossy().to_string();
    let mapping = format!("{CANONICAL}={OAI}");
    let rows: &[(&str, &str, &str, &[&str], i32)] = &[
        (&arn_path, "s3:GetObject", OAI, &[], 0),
        (&arn_path, "s3:GetObject", "anonymous", &[], 1),
        (&arn_path, "s3:GetObject", OTHER_OAI, &[], 1),
        (&arn_path, "s3:GetObject", CANONICAL, &[], 1),
        (
            &arn_path,
            "s3:GetObject",
            CANONICAL,
            &["--canonical-id", &mapping],
            0,
        ),
        (
            &arn_path,
            "s3:GetObject",
            "arn:aws:iam::111122223333:user/alice",
            &[],
            1,
        ),
        // identity policies do not apply to the OAI
        (&arn_path, "s3:PutObject", OAI, &["--policy", FULL], 1),
        (&id_path, "s3:GetObject", CANONICAL, &[], 0),
        (&id_path, "s3:GetObject", &CANONICAL.to_uppercase(), &[], 0),
        (&id_path, "s3:GetObject", "anonymous", &[], 1),
        (&id_path, "s3:GetObject", OAI, &[], 1),
        (
            &id_path,
            "s3:GetObject",
            OAI,
            &["--canonical-id", &mapping],
            0,
        ),
    ];
    for (policy, action, principal, extra, want) in rows {
        let mut args = vec![
            "can",
            action,
            "arn:aws:s3:::media/index.html",
            "--bucket-policy",
            policy,
            "--principal",
            principal,
        ];
        args.extend(extra.iter().copied());
        let (code, out, err) = run(&args);
        assert_eq!(code, *want, "{principal} {action} {extra:?}: {out}{err}");
        if *want == 0 {
            assert!(out.contains("AllowOAI"), "{out}");
        }
    }
}

/// The same file given twice to `--policy` (by two spellings of its path)
/// is one policy: evaluated and printed once, with a warning on stderr.
#[test]
fn the_same_policy_file_twice_is_read_once() {
    let (once_code, once, _) = run(&[
        "can",
        "s3:DeleteBucket",
        "arn:aws:s3:::prod",
        "--policy",
        FULL,
    ]);
    let (code, out, err) = run(&[
        "can",
        "s3:DeleteBucket",
        "arn:aws:s3:::prod",
        "--policy",
        FULL,
        "--policy",
        "./policies/amazon-s3-full-access.json",
    ]);
    assert_eq!((code, out.as_str()), (once_code, once.as_str()));
    assert_eq!(out.matches("allowed by").count(), 1, "{out}");
    assert!(err.contains("warning[duplicate-policy-file]"), "{err}");
}

/// Issue "no silent wrong answer", item 6: a typo in the action asked about
/// is invalid input (exit 2, with the closest catalog action), not a DENY
/// that a script would read as "this policy cannot delete buckets".
/// `--allow-unknown-action` evaluates it anyway.
#[test]
fn an_action_missing_from_the_catalog_is_invalid_input_exit_2() {
    let (code, out, err) = run(&[
        "can",
        "s3:DeleteBuckets",
        "arn:aws:s3:::b",
        "--policy",
        FULL,
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "no answer on stdout: {out}");
    assert!(err.contains("error[unknown-action]"), "{err}");
    assert!(err.contains("did you mean `s3:DeleteBucket`?"), "{err}");
    let (code, out, _) = run(&[
        "can",
        "s3:DeleteBuckets",
        "arn:aws:s3:::b",
        "--policy",
        FULL,
        "--allow-unknown-action",
    ]);
    // s3:* matches the string, so AmazonS3FullAccess allows it (M-1)
    assert_eq!((code, first_line(&out)), (0, "ALLOW"));
    let (code, _, err) = run(&["can", "ec2:RunInstances", "*", "--policy", FULL]);
    assert_eq!(code, 2);
    assert!(err.contains("no service `ec2`"), "{err}");
}

/// Spec E-7 and section 0: AWS derives `aws:PrincipalArn`, `aws:username`, …
/// from the caller and never sends `aws:PrincipalArn` or `aws:SourceAccount`
/// with an anonymous request ("only if accessing a resource triggers an AWS
/// service to call another service", IAM global condition keys,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
/// A context that contradicts the caller describes a request AWS never
/// sees: exit 2, not an answer that tests a value AWS never sends.
#[test]
fn a_context_that_contradicts_the_caller_is_invalid_spec_e7() {
    let (_dir, bp) = temp_file(
        "bp.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:root"}}}]}"#,
    );
    let bp = bp.to_str().unwrap();
    let can = |principal: &str, context: &str| {
        run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--bucket-policy",
            bp,
            "--principal",
            principal,
            "--context",
            context,
        ])
    };
    let (code, out, err) = can(
        "anonymous",
        "aws:PrincipalArn=arn:aws:iam::111122223333:root",
    );
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(
        err.contains("AWS never sends aws:PrincipalArn for the caller anonymous"),
        "{err}"
    );
    let (code, _, err) = can("anonymous", "aws:SourceAccount=111122223333");
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = can(
        "arn:aws:iam::222233334444:user/bob",
        "aws:PrincipalArn=arn:aws:iam::111122223333:root",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("for whom AWS sends arn:aws:iam::222233334444:user/bob"),
        "{err}"
    );
    let (code, _, err) = can("arn:aws:iam::222233334444:user/bob", "aws:username=alice");
    assert_eq!(code, 2, "{err}");
    // the same value as AWS's is no contradiction
    let (code, out, err) = can(
        "arn:aws:iam::111122223333:root",
        "aws:PrincipalArn=arn:aws:iam::111122223333:root",
    );
    assert_eq!(code, 0, "{out}{err}");
    // a session ARN drops the role's path: aws:PrincipalArn may give it back
    let (code, out, err) = can(
        "arn:aws:sts::222233334444:assumed-role/deploy/s",
        "aws:PrincipalArn=arn:aws:iam::222233334444:role/app/deploy",
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("role/app/deploy"), "{out}");
    let (code, _, err) = can(
        "arn:aws:sts::222233334444:assumed-role/deploy/s",
        "aws:PrincipalArn=arn:aws:iam::222233334444:role/app/other",
    );
    assert_eq!(code, 2, "{err}");
}
