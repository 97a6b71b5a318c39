//! `s3guard diff OLD NEW`: new and removed access, exit codes for CI
//! (issue 6, the offline counterpart of Access Analyzer check-no-new-access).

use crate::review::{snapshot, squash};
use crate::support::{run, temp_file};

const RAILS: &str = "policies/rails-app.json";
const FULL: &str = "policies/amazon-s3-full-access.json";

fn section<'a>(out: &'a str, heading: &str) -> &'a str {
    let start = out
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in {out}"));
    let rest = &out[start..];
    let end = rest[1..].find("\n\n").map(|i| i + 1).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn full_access_lists_delete_bucket_among_the_new_access_issue6() {
    let (code, out, err) = run(&["diff", RAILS, FULL]);
    assert_eq!(code, 0, "{err}");
    let new = section(&out, "new access (NEW allows, OLD did not)");
    let line = new
        .lines()
        .find(|l| l.trim_start().starts_with("s3:DeleteBucket "))
        .unwrap_or_else(|| panic!("{new}"));
    assert!(
        line.contains("bucket another-test-bucket, any other bucket"),
        "{line}"
    );
    // destructive actions come first
    assert_eq!(new.lines().nth(1), Some("  destructive:"));
    assert!(out.contains("removed access (OLD allowed, NEW does not): none"));
}

#[test]
fn fail_on_new_access_exits_1_only_when_new_grants_more() {
    let (code, _, _) = run(&["diff", RAILS, FULL, "--fail-on-new-access"]);
    assert_eq!(code, 1);
    let (code, out, _) = run(&["diff", FULL, RAILS, "--fail-on-new-access"]);
    assert_eq!(code, 0);
    assert!(out.contains("new access (NEW allows, OLD did not): none"));
    let (code, out, _) = run(&["diff", RAILS, RAILS, "--fail-on-new-access"]);
    assert_eq!(code, 0);
    assert!(out.contains("removed access (OLD allowed, NEW does not): none"));
}

#[test]
fn json_rows_are_action_class_condition() {
    let (code, out, _) = run(&["diff", RAILS, FULL, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["grantsNewAccess"], true);
    assert_eq!(v["old"], RAILS);
    let rows = v["newAccess"].as_array().unwrap();
    assert_eq!(rows[0]["destructive"], true);
    let delete = rows
        .iter()
        .find(|r| r["action"] == "s3:DeleteBucket" && r["class"] == "bucket:*")
        .unwrap();
    assert_eq!(delete["old"]["access"], "denied");
    assert_eq!(delete["new"]["access"], "allowed");
    assert_eq!(delete["arn"], "arn:aws:s3:::s3guard-other-bucket");
    assert!(v["removedAccess"].as_array().unwrap().is_empty());
}

#[test]
fn a_weaker_bucket_policy_condition_is_new_access_spec_c9() {
    let policy = |cidr: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*","Condition":{{"IpAddress":{{"aws:SourceIp":"{cidr}"}}}}}}]}}"#
        )
    };
    let (_d1, old) = temp_file("old.json", &policy("203.0.113.0/24"));
    let (_d2, new) = temp_file("new.json", &policy("0.0.0.0/0"));
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let (code, out, err) = run(&["diff", old, new, "--as", "bucket", "--fail-on-new-access"]);
    assert_eq!(code, 1, "{err}");
    let changed = squash(section(&out, "changed conditions (counted as new access)"));
    assert!(
        changed.contains("objects in media (was: only if `aws:SourceIp` is in `203.0.113.0/24`; now: only if `aws:SourceIp` is in `0.0.0.0/0`)"),
        "{out}"
    );
    // the same policy as an identity policy is invalid (Principal), exit 2
    let (code, _, err) = run(&["diff", old, new]);
    assert_eq!(code, 2);
    assert!(err.contains("Principal"), "{err}");
}

#[test]
fn unchanged_policies_of_other_layers_apply_to_both_sides_spec_e12() {
    // Under a read-only boundary, full access adds no destructive access.
    let (code, out, err) = run(&[
        "diff",
        RAILS,
        FULL,
        "--boundary",
        "policies/amazon-s3-read-only-access.json",
        "--fail-on-new-access",
    ]);
    assert_eq!(code, 1, "{err}");
    let new = section(&out, "new access (NEW allows, OLD did not)");
    assert!(!new.contains("destructive:"), "{new}");
    assert!(!new.contains("s3:DeleteBucket"), "{new}");
    assert!(new.contains("s3:GetObject"), "{new}");
}

#[test]
fn snapshots_of_diff_outputs() {
    let cases: &[(&str, &[&str])] = &[
        ("diff-rails-full.txt", &[RAILS, FULL]),
        ("diff-full-rails.json", &[FULL, RAILS, "--format", "json"]),
        (
            "diff-tls.txt",
            &[
                "policies/bucket-policy-tls-only.json",
                "tests/fixtures/review/bucket-public-read.json",
                "--as",
                "bucket",
                "--principal",
                "anonymous",
            ],
        ),
    ];
    for (name, args) in cases {
        let mut all = vec!["diff"];
        all.extend_from_slice(args);
        let (code, out, err) = run(&all);
        assert!(code == 0 || code == 1, "{err}");
        snapshot(name, &out);
    }
}

#[test]
fn bad_input_exits_2() {
    let (code, out, err) = run(&["diff", RAILS, "tests/fixtures/policies/invalid.json"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("invalid.json:6:17"), "{err}");
    let (code, _, _) = run(&["diff", RAILS]);
    assert_eq!(code, 2);
    let (code, _, err) = run(&["diff", RAILS, FULL, "--bucket", "a/b"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a bucket name"), "{err}");
    let (code, _, err) = run(&["diff", RAILS, FULL, "--boundary", "-"]);
    assert_eq!(code, 2);
    assert!(err.contains("can only be OLD or NEW"), "{err}");
}

const APS: &str = "tests/fixtures/access-points";

/// With the access point flags, `diff` has review's columns through the
/// access point (spec AP-1): delegating the bucket to its access points
/// (the S3 guide's "Delegating access control to access points",
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html>)
/// gives Jane new access through the access point that grants her, and
/// none on the bucket directly (a direct request carries no
/// `s3:DataAccessPointAccount`, AP-3).
#[test]
fn diff_shows_the_access_gained_through_the_access_point_issue19() {
    let (_dir, none) = temp_file(
        "none.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::amzn-s3-demo-bucket1"}]}"#,
    );
    let (code, out, err) = run(&[
        "diff",
        none.to_str().unwrap(),
        &format!("{APS}/delegate-bucket.json"),
        "--as",
        "bucket",
        "--access-point-policy",
        &format!("{APS}/jane-access-point.json"),
        "--access-point-bucket",
        "amzn-s3-demo-bucket1",
        "--principal",
        "arn:aws:iam::123456789012:user/Jane",
        "--fail-on-new-access",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let new = squash(section(&out, "new access (NEW allows, OLD did not)"));
    assert!(new.contains("s3:GetObject"), "{new}");
    assert!(new.contains("s3:PutObject"), "{new}");
    assert!(
        new.contains("objects matching Jane/* through access point my-access-point"),
        "{new}"
    );
    assert!(!new.contains("objects in amzn-s3-demo-bucket1"), "{new}");
    assert!(!out.contains("DataAccessPoint"), "{out}");
    // the access point policy as the changed layer
    let (code, out, err) = run(&[
        "diff",
        &format!("{APS}/jane-access-point.json"),
        &format!("{APS}/public-access-point.json"),
        "--as",
        "access-point",
        "--access-point-bucket",
        "amzn-s3-demo-bucket1",
        "--bucket-policy",
        &format!("{APS}/delegate-bucket.json"),
        "--principal",
        "arn:aws:iam::123456789012:user/Bob",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let new = squash(section(&out, "new access (NEW allows, OLD did not)"));
    assert!(
        new.contains("s3:GetObject objects through access point my-access-point"),
        "{new}"
    );
}
