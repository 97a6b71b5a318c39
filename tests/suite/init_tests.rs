//! `s3guard init-tests`: starter test files that pass right away (issue 7).

use s3guard::testfile::TestFile;

use crate::support::{run, temp_file, tempdir};

#[test]
fn init_tests_writes_a_file_that_passes_right_away() {
    let dir = tempdir::Dir::new();
    let out_path = dir.path().join("rails.s3guard.json");
    let out_s = out_path.to_string_lossy().into_owned();
    let (code, out, err) = run(&["init-tests", "policies/rails-app.json", "--output", &out_s]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("wrote {out_s}: 6 allow cases, 22 deny cases\nrun it with: s3guard test {out_s}\n")
    );
    assert_eq!(err, "");
    let f = TestFile::load(&out_s).unwrap();
    let names: Vec<&str> = f.cases.iter().map(|c| c.name.as_str()).collect();
    for want in [
        "allows s3:ListBucket on arn:aws:s3:::another-test-bucket",
        "allows s3:PutObject on arn:aws:s3:::another-test-bucket/example.txt",
        "allows s3:DeleteObject on arn:aws:s3:::another-test-bucket/example.txt",
        "denies s3:DeleteBucket on arn:aws:s3:::another-test-bucket",
        "denies s3:PutBucketPolicy on arn:aws:s3:::another-test-bucket",
        "denies s3:DeleteBucketPolicy on arn:aws:s3:::another-test-bucket",
        "denies s3:PutBucketAcl on arn:aws:s3:::another-test-bucket",
        "denies s3:PutBucketPublicAccessBlock on arn:aws:s3:::another-test-bucket",
        "denies s3:ListAllMyBuckets on *",
        "denies s3:GetObject on arn:aws:s3:::s3guard-other-bucket/example.txt",
    ] {
        assert!(names.contains(&want), "{want}: {names:#?}");
    }
    let (code, out, _) = run(&["test", &out_s]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().last(), Some("28 passed, 0 failed"));
    // never overwrites by accident
    let (code, _, err) = run(&["init-tests", "policies/rails-app.json", "--output", &out_s]);
    assert_eq!(code, 2);
    assert!(
        err.contains("exists; init-tests does not overwrite"),
        "{err}"
    );
    let (code, _, _) = run(&[
        "init-tests",
        "policies/rails-app.json",
        "--output",
        &out_s,
        "--force",
    ]);
    assert_eq!(code, 0);
}

/// AmazonS3FullAccess allows every dangerous request: the starter file says
/// so with `allow` cases on the questions people ask (can it delete
/// buckets? open them to the public? reach other buckets?), on a plain
/// bucket and object rather than an access point, and one warning per
/// allowing statement, not one per request.
#[test]
fn init_tests_writes_no_deny_case_for_what_the_policy_allows_and_says_so() {
    let (code, out, err) = run(&["init-tests", "policies/amazon-s3-full-access.json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["policies"][0]["file"], "amazon-s3-full-access.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.iter().all(|c| c["expect"] == "allow"), "{out}");
    let names: Vec<&str> = cases.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names.first(),
        Some(&"allows s3:GetObject on arn:aws:s3:::example-bucket/example.txt")
    );
    for want in [
        "allows s3:DeleteBucket on arn:aws:s3:::example-bucket (dangerous)",
        "allows s3:PutBucketPolicy on arn:aws:s3:::example-bucket (dangerous)",
        "allows s3:PutBucketPublicAccessBlock on arn:aws:s3:::example-bucket (dangerous)",
        "allows s3:PutAccountPublicAccessBlock on * (dangerous)",
        "allows s3:GetObject on arn:aws:s3:::s3guard-other-bucket/example.txt (dangerous)",
    ] {
        assert!(names.contains(&want), "{want}: {names:#?}");
    }
    // S3 actions are tried on a bucket or an object, not an access point
    assert!(
        !names.iter().any(|n| n.contains("arn:aws:s3:us-east-1:")),
        "{names:#?}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("warning: policies/amazon-s3-full-access.json:4:5 (statement #1) allows 22 dangerous requests: s3:DeleteBucket, "), "{err}");
    assert!(err.contains("s3:DeleteBucket, s3:PutBucketPolicy, s3:CreateBucket on arn:aws:s3:::s3guard-other-bucket"), "{err}");
    assert!(err.trim_end().ends_with("is that intended?"), "{err}");
    // and the file passes as written
    let (_d, path) = temp_file(
        "full.s3guard.json",
        &out.replace(
            "\"amazon-s3-full-access.json\"",
            &format!(
                "{:?}",
                crate::support::repo("policies/amazon-s3-full-access.json").to_string_lossy()
            ),
        ),
    );
    let (code, report, _) = run(&["test", &path.to_string_lossy()]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn init_tests_names_a_user_for_username_variables_spec_v1() {
    let (code, out, err) = run(&["init-tests", "policies/user-home-prefix.json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["defaults"]["principal"],
        "arn:aws:iam::111122223333:user/alice"
    );
    assert_eq!(
        v["cases"][0]["resource"],
        "arn:aws:s3:::team-files/home/alice/example.txt"
    );
    assert!(err.contains("(Sid ListOwnHome): s3:ListBucket on arn:aws:s3:::team-files is not allowed (implicit-deny): its Condition needs context"), "{err}");
}

#[test]
fn init_tests_for_a_bucket_policy_uses_the_principals_it_names() {
    let (_dir, path) = temp_file(
        "bucket.json",
        r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "AppReads", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
             "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": ["arn:aws:s3:::media", "arn:aws:s3:::media/*"]}]}"#,
    );
    let p = path.to_string_lossy().into_owned();
    let (code, out, err) = run(&["init-tests", "--type", "bucket", &p]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["policies"][0]["type"], "bucket");
    let allows: Vec<(String, String)> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["expect"] == "allow")
        .map(|c| {
            (
                c["action"].as_str().unwrap().to_string(),
                c["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        allows,
        [
            (
                "s3:ListBucket".to_string(),
                "arn:aws:s3:::media".to_string()
            ),
            (
                "s3:GetObject".to_string(),
                "arn:aws:s3:::media/example.txt".to_string()
            )
        ]
    );
    assert!(v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["principal"] == "arn:aws:iam::111122223333:role/app"));
}

#[test]
fn init_tests_refuses_what_it_cannot_do() {
    let (code, _, err) = run(&["init-tests", "-"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("init-tests needs a policy file, not stdin"),
        "{err}"
    );
    let (code, _, err) = run(&["init-tests", "tests/fixtures/policies/invalid.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("tests/fixtures/policies/invalid.json:6:17: error[invalid-effect]"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "init-tests",
        "policies/rails-app.json",
        "--principal",
        "bob",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("`bob` is not a principal"), "{err}");
}
