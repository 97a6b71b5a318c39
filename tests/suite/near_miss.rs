//! Near misses: an implicit deny names the closest statement and what
//! missed, so that the fix is obvious (issue "explain near misses").

use crate::support::{run, temp_file};

fn policy(statements: &str) -> (crate::support::tempdir::Dir, String) {
    let (d, p) = temp_file(
        "p.json",
        &format!("{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{statements}\n  ]\n}}\n"),
    );
    (d, p.to_string_lossy().into_owned())
}

fn closest_line(out: &str) -> &str {
    out.lines()
        .find(|l| l.trim_start().starts_with("closest: "))
        .unwrap_or_default()
        .trim_start()
}

/// The issue's must-show (spec M-7: bucket ARN for an object action).
#[test]
fn an_object_statement_missed_only_because_the_resource_is_the_bucket_m7() {
    let (_d, p) = policy(
        "    {\n      \"Sid\": \"Objects\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::b/*\"\n    }",
    );
    let (code, out, _) = run(&["can", "s3:GetObject", "arn:aws:s3:::b", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().next(), Some("DENY (implicit)"));
    assert_eq!(
        closest_line(&out),
        format!("closest: {p}:4:5 (Sid Objects) allows s3:GetObject on arn:aws:s3:::b/* — it missed only because the resource is the bucket arn:aws:s3:::b, not an object in it")
    );
}

#[test]
fn a_bucket_statement_missed_because_the_resource_is_an_object_m7() {
    let (_d, p) = policy(
        "    {\"Sid\": \"Bucket\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b\"}",
    );
    let (_, out, _) = run(&["can", "s3:DeleteObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert!(
        closest_line(&out).ends_with("it missed only because the resource arn:aws:s3:::b/k is an object, and the statement names only the bucket arn:aws:s3:::b (objects need arn:aws:s3:::b/*)"),
        "{out}"
    );
}

#[test]
fn the_resource_matched_but_not_the_action() {
    let (_d, p) = policy(
        "    {\"Sid\": \"Read\", \"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:GetObjectVersion\"], \"Resource\": \"arn:aws:s3:::b/*\"}",
    );
    let (_, out, _) = run(&["can", "s3:PutObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert!(
        closest_line(&out).ends_with("(Sid Read) allows s3:GetObject, s3:GetObjectVersion on arn:aws:s3:::b/* — it missed only because the action s3:PutObject is not listed"),
        "{out}"
    );
}

#[test]
fn not_action_exclusions_are_named() {
    let (_d, p) = policy(
        "    {\"Sid\": \"AllButDeletes\", \"Effect\": \"Allow\", \"NotAction\": \"s3:Delete*\", \"Resource\": \"*\"}",
    );
    let (_, out, _) = run(&["can", "s3:DeleteObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert!(
        closest_line(&out).ends_with("it missed only because the action s3:DeleteObject is excluded by NotAction `s3:Delete*`"),
        "{out}"
    );
}

/// A condition that is false for the value given is named with the value
/// (spec C-4); a missing key is left to the missing-key note (issue 3).
#[test]
fn condition_misses_name_the_key_and_the_value() {
    let (_d, p) = policy(
        "    {\"Sid\": \"ThroughVpce\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\",\n     \"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": \"vpce-1a2b3c4d\"}}}",
    );
    let (_, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        &p,
        "--vpce",
        "vpce-99999999",
    ]);
    assert!(
        closest_line(&out).ends_with("it missed only because the condition StringEquals aws:SourceVpce [vpce-1a2b3c4d] is false for aws:SourceVpce = \"vpce-99999999\""),
        "{out}"
    );
    let (_, out, _) = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert_eq!(closest_line(&out), "", "the note says it already: {out}");
    assert!(
        out.contains("note: decision depends on missing key aws:SourceVpce"),
        "{out}"
    );
    let (_, json, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        &p,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let miss = &v["EvaluationResults"][0]["s3guard"]["nearMisses"][0];
    assert_eq!(miss["sid"], "ThroughVpce");
    assert_eq!(miss["misses"][0]["element"], "conditionKeyMissing");
    assert_eq!(miss["misses"][0]["key"], "aws:SourceVpce");
}

/// Spec E-6: cross-account, the bucket policy must name the caller.
#[test]
fn the_principal_differs() {
    let (_d, bucket) = temp_file(
        "bucket.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Reader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let bucket = bucket.to_string_lossy().into_owned();
    let (code, out, _) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        "tests/fixtures/layers/full-s3.json",
        "--bucket-policy",
        &bucket,
        "--principal",
        "arn:aws:iam::444455556666:user/writer",
        "--resource-account",
        "111122223333",
    ]);
    assert_eq!(code, 1);
    assert!(
        closest_line(&out).ends_with("(Sid Reader) allows s3:GetObject on arn:aws:s3:::b/* — it missed only because the caller `arn:aws:iam::444455556666:user/writer` is not named in `Principal`"),
        "{out}"
    );
}

/// Spec E-12: when the boundary blocks, the closest boundary statement is named.
#[test]
fn the_blocking_layer_is_searched() {
    let (code, out, _) = run(&[
        "can",
        "s3:PutBucketPolicy",
        "arn:aws:s3:::app-uploads",
        "--policy",
        "tests/fixtures/layers/full-s3.json",
        "--boundary",
        "tests/fixtures/sources/plain/app.json",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("DENY (implicit) — blocked by permissions boundary"),
        "{out}"
    );
    assert!(
        closest_line(&out).contains("(Sid ListUploads) allows s3:ListBucket on arn:aws:s3:::app-uploads — it missed because the action s3:PutBucketPolicy is not listed; and the condition StringLike s3:prefix [uploads/*] needs s3:prefix"),
        "{out}"
    );
}

#[test]
fn no_near_miss_for_unrelated_statements_or_other_decisions() {
    let (_d, p) = policy(
        "    {\"Sid\": \"Objects\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}",
    );
    for args in [
        ["can", "s3:PutObject", "arn:aws:s3:::other/k"],
        ["can", "s3:GetObject", "arn:aws:s3:::b/k"],
    ] {
        let (_, out, _) = run(&[&args[..], &["--policy", &p]].concat());
        assert_eq!(closest_line(&out), "", "{out}");
    }
}
