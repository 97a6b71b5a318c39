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

/// Cases that share their policies share one compiled set (a cache, see
/// docs/eval.md): the oracle's sample three times over, on one thread and
/// on two, passes every case each time, with the same result per case as
/// the sample alone; a repeated invalid case names its own line each time.
#[test]
fn repeated_policies_answer_as_the_first_time() {
    let sample = std::fs::read_to_string("tests/fixtures/cases/oracle-sample.jsonl").unwrap();
    let bad = r#"{"id":"bad","identity":[{"Statement":{"Effect":"Allow"}}],"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#;
    let once = format!("{}\n{bad}\n", sample.trim_end());
    let thrice = once.repeat(3);
    let (_d, path) = temp_file("c.jsonl", &thrice);
    let p = path.to_string_lossy().to_string();
    let (_o, once_path) = temp_file("o.jsonl", &once);
    let o = once_path.to_string_lossy().to_string();
    let results = |file: &str, threads: &str| -> Vec<serde_json::Value> {
        let (code, out, err) = run(&[
            "eval",
            "--cases",
            file,
            "--format",
            "json",
            "--threads",
            threads,
        ]);
        assert_eq!(code, 1, "the invalid case fails the run: {err}");
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let alone = results(&o, "1");
    let n = alone.len() - 1; // the summary
    for threads in ["1", "2"] {
        let all = results(&p, threads);
        assert_eq!(all.len(), 3 * n + 1);
        assert_eq!(all[3 * n]["passed"], 3 * (n - 1));
        for (i, r) in all[..3 * n].iter().enumerate() {
            let first = &alone[i % n];
            assert_eq!(r["id"], first["id"]);
            assert_eq!(r["decision"], first["decision"], "case {}", r["id"]);
            assert_eq!(r["status"], first["status"], "case {}", r["id"]);
            assert_eq!(r["line"], i + 1);
        }
        // the invalid case is reported at its own line, each time
        for k in 1..=3 {
            let r = &all[k * n - 1];
            assert_eq!(r["status"], "error");
            let line = k * n;
            assert!(
                r["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!(":{line}:")),
                "{r}"
            );
        }
    }
}
