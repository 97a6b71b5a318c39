//! `s3guard eval --requests` (issue 8.2): one JSON decision per request
//! line, in input order, identical to `s3guard can`.

use crate::support::{run, s3guard, temp_file};

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// What `can --format json` decides for the same request.
fn can(action: &str, resource: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "can",
        action,
        resource,
        "--policy",
        "policies/rails-app.json",
        "--format",
        "json",
        // the sample asks about ec2:RunInstances too
        "--allow-unknown-action",
    ];
    args.extend_from_slice(extra);
    let (_, out, err) = run(&args);
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    doc["EvaluationResults"][0]["s3guard"]["decision"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A mix of actions, resources and callers over the Rails policy.
fn sample_requests(n: usize) -> Vec<(String, String, Option<&'static str>)> {
    let actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
        "s3:DeleteBucket",
        "s3:PutBucketPolicy",
        "s3:GetObjectAcl",
        "ec2:RunInstances",
    ];
    let buckets = ["another-test-bucket", "prod"];
    (0..n)
        .map(|i| {
            let a = actions[i % actions.len()];
            let b = buckets[(i / actions.len()) % buckets.len()];
            let r = if a.contains("Bucket") {
                format!("arn:aws:s3:::{b}")
            } else {
                format!("arn:aws:s3:::{b}/uploads/{i}.png")
            };
            let p = (i % 3 == 0).then_some("arn:aws:iam::111122223333:user/app");
            (a.to_string(), r, p)
        })
        .collect()
}

#[test]
fn decisions_are_those_of_can_in_input_order() {
    let reqs = sample_requests(32);
    let text: String = reqs
        .iter()
        .map(|(a, r, p)| match p {
            Some(p) => {
                format!("{{\"action\":\"{a}\",\"resource\":\"{r}\",\"principal\":\"{p}\"}}\n")
            }
            None => format!("{{\"action\":\"{a}\",\"resource\":\"{r}\"}}\n"),
        })
        .collect();
    let (_d, path) = temp_file("r.jsonl", &text);
    let p = path.to_string_lossy().to_string();
    for threads in ["1", "2"] {
        let (code, out, err) = run(&[
            "eval",
            "--requests",
            &p,
            "--policy",
            "policies/rails-app.json",
            "--threads",
            threads,
            "--allow-unknown-action",
        ]);
        assert_eq!(code, 0, "{err}");
        let lines = json_lines(&out);
        assert_eq!(lines.len(), reqs.len());
        for (i, ((a, r, pr), line)) in reqs.iter().zip(&lines).enumerate() {
            assert_eq!(line["line"], i + 1);
            assert_eq!(line["action"], a.as_str());
            assert_eq!(line["resource"], r.as_str());
            let extra: Vec<&str> = pr.map(|p| vec!["--principal", p]).unwrap_or_default();
            assert_eq!(line["decision"], can(a, r, &extra), "line {}", i + 1);
        }
    }
    // The Rails policy allows writes to its bucket and nothing destructive.
    let lines = json_lines(
        &run(&[
            "eval",
            "--requests",
            &p,
            "--policy",
            "policies/rails-app.json",
        ])
        .1,
    );
    assert_eq!(lines[1]["decision"], "Allow");
    assert_eq!(
        lines[1]["matchedStatements"][0]["sid"],
        "ReadWriteAppObjects"
    );
    assert_eq!(lines[4]["decision"], "ImplicitDeny");
}

#[test]
fn a_large_input_streams_in_order_across_threads() {
    // More lines than one chunk holds, so several workers take part.
    let n = 20_000;
    let text: String = (0..n)
        .map(|i| {
            let a = if i % 2 == 0 { "s3:PutObject" } else { "s3:DeleteBucket" };
            format!("{{\"id\":{i},\"action\":\"{a}\",\"resource\":\"arn:aws:s3:::another-test-bucket/{i}\"}}\n")
        })
        .collect();
    let out = s3guard()
        .args([
            "eval",
            "--requests",
            "-",
            "--policy",
            "policies/rails-app.json",
            "--threads",
            "2",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = String::from_utf8(out.stdout).unwrap();
    let lines = json_lines(&out);
    assert_eq!(lines.len(), n);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["id"], i, "order kept");
        let expected = if i % 2 == 0 { "Allow" } else { "ImplicitDeny" };
        assert_eq!(l["decision"], expected);
    }
}

#[test]
fn context_defaults_and_missing_keys_are_reported() {
    let policy = r#"{"Version":"2012-10-17","Statement":[
      {"Sid":"Office","Effect":"Allow","Action":"s3:GetObject","Resource":"*",
       "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;
    let (_p, pol) = temp_file("p.json", policy);
    let reqs = concat!(
        r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
        "\n",
        r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"aws:SourceIp":"203.0.113.7"}}"#,
        "\n",
        r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
        "\n",
    );
    let (_r, req) = temp_file("r.jsonl", reqs);
    let (pol, req) = (
        pol.to_string_lossy().to_string(),
        req.to_string_lossy().to_string(),
    );
    let (code, out, _) = run(&["eval", "--requests", &req, "--policy", &pol]);
    assert_eq!(code, 0);
    let lines = json_lines(&out);
    // O-1: the answer names the context key it lacked.
    assert_eq!(lines[0]["decision"], "ImplicitDeny");
    assert_eq!(lines[0]["missingContext"][0], "aws:SourceIp");
    assert_eq!(lines[1]["decision"], "Allow");
    // A line's own context does not leak into the next line.
    assert_eq!(lines[2]["decision"], "ImplicitDeny");
    // The flags give every line a default; a line's own value wins.
    let (_, out, _) = run(&[
        "eval",
        "--requests",
        &req,
        "--policy",
        &pol,
        "-c",
        "aws:SourceIp=198.51.100.1",
    ]);
    let lines = json_lines(&out);
    assert_eq!(lines[0]["decision"], "ImplicitDeny");
    assert!(lines[0].get("missingContext").is_none());
    assert_eq!(lines[1]["decision"], "Allow");
}

#[test]
fn invalid_lines_are_reported_in_place_and_never_evaluated() {
    let reqs = concat!(
        r#"{"action":"s3:PutObject","resource":"arn:aws:s3:::another-test-bucket/a"}"#,
        "\n",
        r#"{"action":"s3:PutObject","resource":"arn:aws:s3:::another-test-bucket/a","contxt":{}}"#,
        "\n{oops\n",
        r#"{"action":"s3:PutObject","resource":"not-an-arn"}"#,
        "\n\n",
        r#"{"action":"s3:PutObject","resource":"arn:aws:s3:::another-test-bucket/b"}"#,
        "\n",
    );
    let (_d, path) = temp_file("bad.jsonl", reqs);
    let p = path.to_string_lossy().to_string();
    let (code, out, err) = run(&[
        "eval",
        "--requests",
        &p,
        "--policy",
        "policies/rails-app.json",
    ]);
    assert_eq!(code, 2, "invalid input: exit 2");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 5, "blank lines are skipped: {out}");
    assert_eq!(lines[0]["decision"], "Allow");
    let typo = &lines[1]["errors"][0];
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1].get("decision").is_none());
    assert_eq!(typo["pointer"], "/contxt");
    assert_eq!(typo["location"]["line"], 2);
    assert_eq!(typo["location"]["column"], 74, "the column of `\"contxt\"`");
    assert!(
        typo["hint"]
            .as_str()
            .unwrap()
            .contains("did you mean `context`"),
        "{typo}"
    );
    assert_eq!(lines[2]["errors"][0]["code"], "JSON_SYNTAX_ERROR");
    assert_eq!(lines[3]["errors"][0]["pointer"], "/resource");
    assert_eq!(lines[4]["line"], 6);
    assert_eq!(lines[4]["decision"], "Allow");
    assert!(err.contains("3 invalid request line(s)"), "{err}");
}

#[test]
fn text_format_and_argument_errors() {
    let (_d, path) = temp_file(
        "r.jsonl",
        "{\"action\":\"s3:DeleteBucket\",\"resource\":\"arn:aws:s3:::prod\"}\n",
    );
    let p = path.to_string_lossy().to_string();
    let (code, out, _) = run(&[
        "eval",
        "--requests",
        &p,
        "--policy",
        "policies/rails-app.json",
        "--format",
        "text",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "1: DENY (implicit) s3:DeleteBucket on arn:aws:s3:::prod\n"
    );
    let (code, _, err) = run(&["eval", "--requests", &p]);
    assert_eq!(code, 2);
    assert!(err.contains("no policy given"), "{err}");
    let (code, _, err) = run(&["eval", "--requests", "-", "--policy", "-"]);
    assert_eq!(code, 2);
    assert!(err.contains("stdin cannot hold both"), "{err}");
    let (code, _, err) = run(&["eval", "--cases", &p, "--policy", "policies/rails-app.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("carry their own policies"), "{err}");
}

/// Issue "no silent wrong answer", item 6, per line: a request whose action
/// is missing from the catalog is an invalid line (exit 2) with the closest
/// catalog action, never a silent "ImplicitDeny"; `--allow-unknown-action`
/// evaluates it.
#[test]
fn a_line_whose_action_is_missing_from_the_catalog_is_invalid() {
    let reqs = concat!(
        r#"{"action":"s3:DeleteBuckets","resource":"arn:aws:s3:::another-test-bucket"}"#,
        "\n",
        r#"{"action":"s3:PutObject","resource":"arn:aws:s3:::another-test-bucket/a"}"#,
        "\n",
    );
    let (_d, path) = temp_file("typo.jsonl", reqs);
    let p = path.to_string_lossy().to_string();
    let args = [
        "eval",
        "--requests",
        &p,
        "--policy",
        "policies/rails-app.json",
    ];
    let (code, out, _) = run(&args);
    assert_eq!(code, 2, "invalid input: exit 2");
    let lines = json_lines(&out);
    assert!(lines[0].get("decision").is_none(), "{out}");
    assert_eq!(lines[0]["errors"][0]["pointer"], "/action");
    let message = lines[0]["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("did you mean `s3:DeleteBucket`?"),
        "{message}"
    );
    assert_eq!(lines[1]["decision"], "Allow");
    let mut allowed = args.to_vec();
    allowed.push("--allow-unknown-action");
    let (code, out, _) = run(&allowed);
    assert_eq!(code, 0, "every line valid");
    assert_eq!(json_lines(&out)[0]["decision"], "ImplicitDeny");
}

/// Each line's answer is `can`'s for the same request, whatever line came
/// before it: the ACL a PutObject carries in its headers (E-20, spec
/// `s3:x-amz-acl`) belongs to that line only, and an access point ARN names
/// the resource's account (AP-1, `aws:ResourceAccount`). A line of the same
/// caller used to take the completed context of the line before, so a
/// PutObject after a GetObject was allowed despite the Deny on its ACL.
#[test]
fn a_line_answers_as_can_whatever_line_came_before() {
    let policy = r#"{"Version":"2012-10-17","Statement":[
      {"Sid":"All","Effect":"Allow","Action":"s3:*","Resource":"*"},
      {"Sid":"NoPublicAcl","Effect":"Deny","Action":"s3:*","Resource":"*",
       "Condition":{"StringEquals":{"s3:x-amz-acl":"public-read"}}},
      {"Sid":"NotTheirs","Effect":"Deny","Action":"s3:*","Resource":"*",
       "Condition":{"StringEquals":{"aws:ResourceAccount":"444455556666"}}}]}"#;
    let (_p, pol) = temp_file("p.json", policy);
    let pol = pol.to_string_lossy().to_string();
    let app = "arn:aws:iam::111122223333:user/app";
    let requests = [
        ("s3:GetObject", "arn:aws:s3:::b/k"),
        ("s3:PutObject", "arn:aws:s3:::b/k"),
        ("s3:GetObject", "arn:aws:s3:::b/k"),
        (
            "s3:GetObject",
            "arn:aws:s3:us-east-1:444455556666:accesspoint/ap/object/k",
        ),
        ("s3:GetObject", "arn:aws:s3:::b/k"),
        (
            "s3:PutObject",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k",
        ),
        ("s3:PutObjectAcl", "arn:aws:s3:::b/k"),
        ("s3:ListBucket", "arn:aws:s3:::b"),
    ];
    let text: String = requests
        .iter()
        .map(|(a, r)| {
            format!("{{\"action\":\"{a}\",\"resource\":\"{r}\",\"principal\":\"{app}\"}}\n")
        })
        .collect();
    let (_r, req) = temp_file("r.jsonl", &text);
    let req = req.to_string_lossy().to_string();
    let flags = ["--policy", &pol, "--object-acl", "public-read"];
    let mut eval = vec!["eval", "--requests", &req, "--threads", "1"];
    eval.extend_from_slice(&flags);
    let (code, out, err) = run(&eval);
    assert_eq!(code, 0, "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), requests.len());
    let mut decisions = Vec::new();
    for ((action, resource), line) in requests.iter().zip(&lines) {
        let mut args = vec![
            "can",
            action,
            resource,
            "--principal",
            app,
            "--format",
            "json",
        ];
        args.extend_from_slice(&flags);
        let (_, out, err) = run(&args);
        let doc: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        let expected = &doc["EvaluationResults"][0]["s3guard"]["decision"];
        assert_eq!(
            &line["decision"], expected,
            "line {}: {action} {resource}",
            line["line"]
        );
        decisions.push(line["decision"].as_str().unwrap().to_string());
    }
    // and those answers are the ones the policy gives
    assert_eq!(
        decisions,
        [
            "Allow",
            "ExplicitDeny",
            "Allow",
            "ExplicitDeny",
            "Allow",
            "ExplicitDeny",
            "ExplicitDeny",
            "Allow"
        ]
    );
}

/// Spec E-7: a line whose context contradicts its caller (a key AWS never
/// sends for it, or a caller-derived key with another value) is invalid,
/// as `can` refuses it (tests/suite/cli_can.rs), and so is a line whose
/// caller the flags' `--context` contradicts; lines that agree are answered.
#[test]
fn a_context_that_contradicts_the_line_s_caller_is_invalid_spec_e7() {
    let reqs = concat!(
        r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","principal":"anonymous","context":{"aws:SourceIp":"203.0.113.5","aws:PrincipalArn":"arn:aws:iam::111122223333:root"}}"#,
        "\n",
        r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","principal":"arn:aws:iam::111122223333:user/bob","context":{"aws:username":"bob"}}"#,
        "\n",
        r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","principal":"arn:aws:iam::111122223333:user/bob"}"#,
        "\n",
        r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","principal":"arn:aws:iam::111122223333:root"}"#,
        "\n",
    );
    let (_d, path) = temp_file("reqs.jsonl", reqs);
    let p = path.to_string_lossy().to_string();
    let eval = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--requests",
            &p,
            "--policy",
            "policies/rails-app.json",
        ];
        args.extend_from_slice(extra);
        let (code, out, _) = run(&args);
        (code, json_lines(&out))
    };
    let (code, lines) = eval(&[]);
    assert_eq!(code, 2);
    let e = &lines[0]["errors"][0];
    assert_eq!(e["pointer"], "/context/aws:PrincipalArn", "{e}");
    assert_eq!(e["location"]["column"], 139, "the column of the value: {e}");
    assert_eq!(
        e["message"],
        "AWS never sends aws:PrincipalArn for the caller anonymous"
    );
    for l in &lines[1..] {
        assert!(l.get("decision").is_some(), "{l}");
    }
    // the flags' key stands for every line: only the root's agrees with it
    let (code, lines) = eval(&[
        "--context",
        "aws:PrincipalArn=arn:aws:iam::111122223333:root",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        lines[2]["errors"][0]["pointer"], "/principal",
        "{}",
        lines[2]
    );
    assert!(lines[1]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("--context: "));
    assert!(lines[3].get("decision").is_some(), "{}", lines[3]);
}
