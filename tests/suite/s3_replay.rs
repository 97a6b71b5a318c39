//! `s3guard replay`: CloudTrail records under policies, the event-name →
//! IAM-action mapping (spec M-7), and the `--suggest` round trip.

use crate::support::{run, run_json, temp_file};
use s3guard::cloudtrail::event_names::{iam_actions, RENAMED};

const WEEK: &str = "tests/fixtures/cloudtrail/rails-app-week.json";
const PUBLIC: &str = "tests/fixtures/cloudtrail/public-reads.jsonl";
const RAILS: &str = "policies/rails-app.json";

#[test]
fn event_names_map_to_the_documented_iam_actions_spec_m7() {
    for (event, action) in [
        ("ListObjects", "ListBucket"),
        ("ListObjectsV2", "ListBucket"),
        ("HeadObject", "GetObject"),
        ("HeadBucket", "ListBucket"),
        ("DeleteObjects", "DeleteObject"),
        ("CreateMultipartUpload", "PutObject"),
        ("UploadPart", "PutObject"),
        ("CompleteMultipartUpload", "PutObject"),
        ("ListParts", "ListMultipartUploadParts"),
        ("ListMultipartUploads", "ListBucketMultipartUploads"),
        ("ListBuckets", "ListAllMyBuckets"),
        ("DeleteBucketCors", "PutBucketCORS"),
        ("GetBucketPolicy", "GetBucketPolicy"),
        ("PutBucketAcl", "PutBucketAcl"),
    ] {
        assert_eq!(iam_actions(event), Some(action), "{event}");
    }
    assert_eq!(iam_actions("NoSuchCall"), None);
    for (_, a) in RENAMED {
        assert!(
            s3guard::catalog::lookup(&format!("s3:{a}")).is_some(),
            "{a} is a catalog action"
        );
    }
}

#[test]
fn replay_of_the_fixture_prints_the_summary_and_the_denied_requests_issue5() {
    let (code, out, err) = run(&["replay", WEEK, "--policy", RAILS]);
    assert_eq!(code, 1, "some requests would be denied");
    assert!(err.is_empty(), "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("replayed 17 of 19 events from tests/fixtures/cloudtrail/rails-app-week.json under policies/rails-app.json"));
    assert_eq!(
        lines.next(),
        Some("  22 requests: 18 allowed, 4 denied; 2 events not evaluated")
    );
    assert!(out.contains("1 × s3:GetBucketLocation — DENY (implicit): no identity policy statement allows s3:GetBucketLocation on arn:aws:s3:::another-test-bucket"), "{out}");
    assert!(
        out.contains(
            "DeleteBucket by arn:aws:iam::111122223333:user/deploy [recorded: BucketNotEmpty]"
        ),
        "{out}"
    );
    assert!(
        out.contains("not an S3 event (eventSource `kms.amazonaws.com`)"),
        "{out}"
    );
    assert!(
        out.contains("a principal of account 444455556666 (type AWSAccount)"),
        "{out}"
    );
}

#[test]
fn replay_json_counts_and_groups() {
    let (code, v) = run_json(&["replay", WEEK, "--policy", RAILS]);
    assert_eq!(code, 1);
    assert_eq!(
        (
            v["events"].as_u64(),
            v["requests"].as_u64(),
            v["allowed"].as_u64(),
            v["denied"].as_u64()
        ),
        (Some(19), Some(22), Some(18), Some(4))
    );
    let mut actions: Vec<&str> = v["denied_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["action"].as_str().unwrap())
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "s3:AbortMultipartUpload",
            "s3:DeleteBucket",
            "s3:GetBucketLocation",
            "s3:ListAllMyBuckets"
        ]
    );
    let list = v["denied_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["action"] == "s3:ListAllMyBuckets")
        .unwrap();
    assert_eq!(list["resources"], serde_json::json!(["*"]));
}

#[test]
fn full_access_allows_everything_that_was_replayed() {
    let (code, v) = run_json(&[
        "replay",
        WEEK,
        "--policy",
        "policies/amazon-s3-full-access.json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["denied"], 0);
    assert_eq!(v["allowed"], 22);
}

#[test]
fn suggest_round_trip_replays_fully_allowed() {
    let (_, v) = run_json(&["replay", WEEK, "--policy", RAILS, "--suggest"]);
    let policy = v["suggested_policy"].clone();
    assert!(policy["Statement"].as_array().unwrap().len() >= 3);
    let (_d, path) = temp_file("suggested.json", &serde_json::to_string(&policy).unwrap());
    let p = path.to_str().unwrap();
    let (code, again) = run_json(&["replay", WEEK, "--policy", p]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(again["denied"], 0);
    assert_eq!(again["allowed"], v["requests"]);
    // It is the least privilege the replay needs: nothing beyond the recorded actions.
    let (_, grants) = run_json(&["actions", "--policy", p]);
    let allowed: Vec<&str> = grants["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        allowed,
        [
            "s3:AbortMultipartUpload",
            "s3:DeleteBucket",
            "s3:DeleteObject",
            "s3:GetBucketLocation",
            "s3:GetObject",
            "s3:ListAllMyBuckets",
            "s3:ListBucket",
            "s3:PutObject",
            "s3:PutObjectAcl"
        ]
    );
}

#[test]
fn suggest_text_is_a_valid_policy_and_only_narrows_to_one_caller() {
    let (code, out, _) = run(&["replay", WEEK, "--suggest", "--only", "rails-app"]);
    assert_eq!(code, 0);
    let start = out.find("{\n  \"Version\"").unwrap();
    let policy = &out[start..];
    let parsed = s3guard::Policy::parse("suggested.json", policy).unwrap();
    let actions: Vec<String> = parsed
        .statements
        .iter()
        .flat_map(|s| s.action.patterns().iter().map(|p| p.as_str().to_string()))
        .collect();
    assert!(
        !actions.contains(&"s3:DeleteBucket".to_string()),
        "the deploy user's DeleteBucket is not the app's"
    );
    assert!(
        policy.contains("\"Resource\": \"arn:aws:s3:::another-test-bucket/uploads/*\""),
        "{policy}"
    );
}

#[test]
fn json_lines_anonymous_and_tls_less_events() {
    let (code, out, _) = run(&[
        "replay",
        PUBLIC,
        "--policy",
        RAILS,
        "--bucket-policy",
        "policies/bucket-policy-tls-only.json",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("no bucket policy statement allows `anonymous` to do s3:GetObject"),
        "{out}"
    );
    assert!(
        out.contains("1 event(s) have no tlsDetails: aws:SecureTransport was left missing"),
        "{out}"
    );
}

#[test]
fn lookup_events_output_is_read() {
    let inner = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"aws-cli/2","requestParameters":{"bucketName":"another-test-bucket","policy":"{}"},"resources":[{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::another-test-bucket"}],"tlsDetails":{"tlsVersion":"TLSv1.2"}}"#;
    let doc =
        serde_json::json!({"Events": [{"EventName": "PutBucketPolicy", "CloudTrailEvent": inner}]});
    let (_d, p) = temp_file("lookup.json", &doc.to_string());
    let (code, v) = run_json(&["replay", p.to_str().unwrap(), "--policy", RAILS]);
    assert_eq!(code, 1);
    assert_eq!(v["denied_groups"][0]["action"], "s3:PutBucketPolicy");
}

#[test]
fn versioned_copies_and_deletes_use_the_version_actions() {
    let rec = |name: &str, params: &str| {
        format!(
            r#"{{"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"}},"eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"{name}","requestParameters":{params},"tlsDetails":{{"tlsVersion":"TLSv1.2"}}}}"#
        )
    };
    let text = [
        rec(
            "DeleteObject",
            r#"{"bucketName":"b","key":"k","versionId":"v1"}"#,
        ),
        rec(
            "CopyObject",
            r#"{"bucketName":"b","key":"dst","x-amz-copy-source":"src/a.txt?versionId=v2"}"#,
        ),
        rec("GetObject", r#"{"bucketName":"b","key":"k"}"#),
    ]
    .join("\n");
    let (_d, p) = temp_file("v.jsonl", &text);
    let (_d2, pol) = temp_file(
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let (_, v) = run_json(&[
        "replay",
        p.to_str().unwrap(),
        "--policy",
        pol.to_str().unwrap(),
    ]);
    let mut denied: Vec<String> = v["denied_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{} {}",
                g["action"].as_str().unwrap(),
                g["resources"][0].as_str().unwrap()
            )
        })
        .collect();
    denied.sort();
    assert_eq!(
        denied,
        [
            "s3:DeleteObjectVersion arn:aws:s3:::b/k",
            "s3:GetObjectVersion arn:aws:s3:::src/a.txt",
            "s3:PutObject arn:aws:s3:::b/dst"
        ]
    );
    assert_eq!(v["allowed"], 1);
}

#[test]
fn bad_input_exits_2_with_the_place() {
    let (_d, p) = temp_file(
        "bad.json",
        "{\"Records\": [\n  {\"eventName\": \"GetObject\",}\n]}\n",
    );
    let (code, out, err) = run(&["replay", p.to_str().unwrap(), "--policy", RAILS]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("bad.json:2:"), "{err}");
    let (code, _, err) = run(&["replay", "no/such/file.json", "--policy", RAILS]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read `no/such/file.json`"), "{err}");
    let (code, _, err) = run(&["replay", WEEK]);
    assert_eq!(code, 2);
    assert!(err.contains("no policy given"), "{err}");
    let (_d, p) = temp_file("obj.json", "{\"Foo\": 1}");
    let (code, _, err) = run(&["replay", p.to_str().unwrap(), "--policy", RAILS]);
    assert_eq!(code, 2);
    assert!(err.contains("without `Records`"), "{err}");
}
