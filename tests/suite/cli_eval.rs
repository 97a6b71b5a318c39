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

/// A case whose context contradicts its caller (spec E-7) is answered, and
/// each such key is reported on it with the message `can` refuses it with
/// and its place in the case: in text and in JSON, counted in the summary,
/// never failing the run. A case whose context agrees gets no warning.
#[test]
fn contexts_that_contradict_the_caller_are_warned_about() {
    let path = "tests/fixtures/cases/context-conflicts.jsonl";
    let (code, out, _) = run(&["eval", "--cases", path]);
    assert_eq!(code, 0, "{out}");
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("WARNING")).collect();
    assert_eq!(warnings.len(), 2, "{out}");
    assert!(
        warnings[0].starts_with("WARNING anonymous-with-principal-arn (")
            && warnings[0].ends_with(
                ":1) at /context/aws:PrincipalArn: AWS never sends aws:PrincipalArn for the caller anonymous"
            ),
        "{out}"
    );
    assert!(
        warnings[1].contains("at /context/aws:PrincipalAccount: the context's aws:PrincipalAccount contradicts the caller arn:aws:iam::111122223333:user/alice, for whom AWS sends 111122223333"),
        "{out}"
    );
    assert!(!out.contains("principal-account-of-the-caller"), "{out}");
    assert_eq!(
        out.lines().last(),
        Some("3 passed, 0 failed, 2 with warnings")
    );

    let (code, out, _) = run(&["eval", "--cases", path, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines[0]["warnings"],
        serde_json::json!([{
            "pointer": "/context/aws:PrincipalArn",
            "message": "AWS never sends aws:PrincipalArn for the caller anonymous",
        }])
    );
    assert_eq!(lines[0]["status"], "pass");
    assert_eq!(
        lines[1]["warnings"][0]["pointer"],
        "/context/aws:PrincipalAccount"
    );
    assert!(lines[2].get("warnings").is_none(), "{}", lines[2]);
    assert_eq!(lines[3]["warned"], 2);
    assert_eq!(lines[3]["failed"], 0);
}

/// A case with no key a caller decides, and one whose keys all agree with
/// it, get no warning; a failing case with a conflict is a failure and
/// warned about.
#[test]
fn warnings_are_only_for_conflicts() {
    let allow = r#"[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]"#;
    let case = |id: &str, principal: &str, context: &str, expect: &str| {
        format!(
            r#"{{"id":"{id}","identity":{allow},"principal":"{principal}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{context},"expect":"{expect}"}}"#
        )
    };
    let cases = [
        case("plain", "arn:aws:iam::111122223333:user/alice", r#"{"aws:SecureTransport":"true"}"#, "Allow"),
        case("agrees", "arn:aws:sts::111122223333:assumed-role/app/s1", r#"{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/team/app","aws:PrincipalType":"AssumedRole"}"#, "Allow"),
        case("fails-and-conflicts", "arn:aws:iam::111122223333:user/alice", r#"{"aws:username":"bob"}"#, "ImplicitDeny"),
    ]
    .join("\n");
    let (_d, path) = temp_file("c.jsonl", &cases);
    let p = path.to_string_lossy().to_string();
    let (code, out, _) = run(&["eval", "--cases", &p]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("FAIL fails-and-conflicts"), "{out}");
    assert!(
        lines[1].starts_with("WARNING fails-and-conflicts")
            && lines[1]
                .contains("at /context/aws:username: the context's aws:username contradicts"),
        "{out}"
    );
    assert_eq!(lines[2], "2 passed, 1 failed, 1 with warnings");
}
