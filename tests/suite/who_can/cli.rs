//! `who-can`'s command line on the example account: what it lists, the
//! shape of its JSON, `--only` and its exit codes, invalid input, and
//! iam-collect's file layout loaded as the dump.

use crate::support::s3guard;

use super::{who_can_json, ACCT, BP};

#[test]
fn who_can_lists_allowed_conditional_external_and_escalation() {
    let (code, v) = who_can_json("s3:DeleteBucket", "arn:aws:s3:::prod", &[]);
    assert_eq!(code, Some(0));
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
    let (_, v) = who_can_json("s3:DeleteBucket", "arn:aws:s3:::prod", &["--no-escalation"]);
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
