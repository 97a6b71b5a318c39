//! `s3guard eval --cases`: summary line, JSON lines, exit codes.

use crate::support::{run, temp_file};

#[test]
fn runs_the_bundled_corpora() {
    for (file, n) in [
        ("oracle-sample.jsonl", 501),
        ("aws-docs.jsonl", 59),
        ("spec-vectors.jsonl", 68),
    ] {
        let path = format!("tests/fixtures/cases/{file}");
        let (code, out, _) = run(&["eval", "--cases", &path]);
        assert_eq!(code, 0, "{out}");
        assert_eq!(
            out.lines().last(),
            Some(format!("{n} passed, 0 failed").as_str())
        );
    }
}

#[test]
fn reports_each_case_and_keeps_going_after_bad_ones() {
    let cases = concat!(
        r#"{"id":"ok","identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}],"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"Allow"}"#,
        "\n",
        r#"{"id":"wrong","identity":[],"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"Allow"}"#,
        "\n{oops\n",
        r#"{"id":"typo","identity":[],"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expcet":"Allow"}"#,
        "\n"
    );
    let (_d, path) = temp_file("c.jsonl", cases);
    let p = path.to_string_lossy().to_string();
    let (code, out, _) = run(&["eval", "--cases", &p]);
    assert_eq!(code, 1);
    assert!(out.contains("FAIL wrong"), "{out}");
    assert!(out.contains("ERROR line 3"), "{out}");
    assert!(
        out.contains("ERROR typo") && out.contains("did you mean `expect`"),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("1 passed, 3 failed"));
    let (_, out, _) = run(&["eval", "--cases", &p, "--format", "json"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["status"], "pass");
    assert_eq!(lines[0]["decision"], "Allow");
    assert_eq!(lines[1]["status"], "fail");
    assert_eq!(lines[1]["decision"], "ImplicitDeny");
    assert_eq!(lines[2]["status"], "error");
    assert!(lines[2]["decision"].is_null());
    assert_eq!(lines[4]["summary"], "1 passed, 3 failed");
}

#[test]
fn unreadable_case_file_exits_2() {
    let (code, _, err) = run(&["eval", "--cases", "no/such/file.jsonl"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.jsonl"));
}
