//! `s3guard test` and `s3guard init-tests` (issue 7: policy tests in CI).

use s3guard::testfile::{Engines, TestFile, TestStatus};

use crate::support::{repo, run, tempdir};

#[test]
fn bundled_test_files_pass() {
    let (code, out, err) = run(&["test", "policies/"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"policies/rails-app.s3guard.json"),
        "{out}"
    );
    let request_cases = 17;
    let ok = lines.iter().filter(|l| l.starts_with("  ok ")).count();
    let not_ok: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("  FAILED") || l.starts_with("  ERROR"))
        .collect();
    for l in &not_ok {
        assert!(
            l.contains("no bucket can ever be deleted") || l.contains("rb --force"),
            "every request case passes: {l}\n{out}"
        );
    }
    assert_eq!(ok + not_ok.len(), request_cases + 2, "{out}");
    assert_eq!(lines.last(), Some(&"19 passed, 0 failed"), "{out}\n{err}");
    assert_eq!(code, 0);
    assert_eq!(ok, request_cases + 2, "{out}");
    assert!(not_ok.is_empty(), "{out}");
}

/// The request cases of the bundled file, in a temporary copy, with its policy.
fn rails_copy(edit: impl Fn(String) -> String) -> (tempdir::Dir, String) {
    let dir = tempdir::Dir::new();
    std::fs::copy(
        repo("policies/rails-app.json"),
        dir.path().join("rails-app.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(repo("policies/rails-app.s3guard.json")).unwrap();
    // keep request cases only: cut from the proof case to the end of `cases`
    let cut = text.find(",\n\n    {\"name\": \"no bucket").unwrap();
    let text = format!("{}\n  ]\n}}\n", &text[..cut]);
    let path = dir.path().join("rails-app.s3guard.json");
    std::fs::write(&path, edit(text)).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

#[test]
fn a_wrong_expectation_fails_with_the_case_position_and_the_deciding_statement() {
    let (_dir, path) = rails_copy(|t| {
        t.replace(
            r#""action": "s3:GetObject", "resource": "arn:aws:s3:::another-test-bucket/uploads/avatar.png", "expect": "allow""#,
            r#""action": "s3:GetObject", "resource": "arn:aws:s3:::another-test-bucket/uploads/avatar.png", "expect": "deny""#,
        )
    });
    let (code, out, _) = run(&["test", &path]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!(
        "  FAILED  the app reads a file\n          {path}:16:5: expected deny, got allow: s3:GetObject on arn:aws:s3:::another-test-bucket/uploads/avatar.png\n            ALLOW\n              allowed by {}:10:5 (Sid ReadWriteAppObjects): Allow s3:PutObject, s3:PutObjectAcl, s3:GetObject … (2 more) on arn:aws:s3:::another-test-bucket/*\n",
        path.replace("rails-app.s3guard.json", "rails-app.json")
    )), "{out}");
    assert_eq!(out.lines().last(), Some("16 passed, 1 failed"));
}

#[test]
fn an_unexpected_deny_explains_that_nothing_allows_it() {
    let (_dir, path) = rails_copy(|t| {
        t.replace(
            r#""action": "s3:DeleteBucket", "resource": "arn:aws:s3:::another-test-bucket", "expect": "deny""#,
            r#""action": "s3:DeleteBucket", "resource": "arn:aws:s3:::another-test-bucket", "expect": "allow""#,
        )
    });
    let (code, out, _) = run(&["test", &path]);
    assert_eq!(code, 1);
    assert!(out.contains(&format!(
        "  FAILED  the app cannot delete its bucket\n          {path}:21:5: expected allow, got implicit-deny: s3:DeleteBucket on arn:aws:s3:::another-test-bucket\n            DENY (implicit)\n              no identity policy statement allows s3:DeleteBucket on arn:aws:s3:::another-test-bucket\n"
    )), "{out}");
}

#[test]
fn every_layer_of_a_test_file_takes_part_spec_e4_e17() {
    let (code, out, err) = run(&["test", "tests/fixtures/ci-tests/layers"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(out.lines().last(), Some("8 passed, 0 failed"));
}

#[test]
fn junit_has_one_testcase_per_case_and_parses_as_xml() {
    let (code, out, _) = run(&[
        "test",
        "policies",
        "tests/fixtures/ci-tests/full-access.s3guard.json",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&out).expect("JUnit output is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2);
    for (suite, file) in suites.iter().zip([
        "policies/rails-app.s3guard.json",
        "tests/fixtures/ci-tests/full-access.s3guard.json",
    ]) {
        assert_eq!(suite.attribute("name"), Some(file));
        let cases = TestFile::load(file).unwrap().cases;
        let testcases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(testcases.len(), cases.len(), "one testcase per case");
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        for (tc, case) in testcases.iter().zip(&cases) {
            assert_eq!(tc.attribute("name"), Some(case.name.as_str()));
            assert_eq!(tc.attribute("classname"), Some(file));
            assert_eq!(
                tc.attribute("line"),
                Some(case.location.line.to_string().as_str())
            );
        }
    }
    let failed: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failed.len(), 1);
    let f = failed[0];
    assert_eq!(
        f.parent().and_then(|p| p.attribute("name")),
        Some("the app cannot delete its bucket")
    );
    assert_eq!(
        f.attribute("message"),
        Some("expected deny, got allow: s3:DeleteBucket on arn:aws:s3:::another-test-bucket")
    );
    assert!(f
        .text()
        .unwrap_or_default()
        .contains("allowed by policies/amazon-s3-full-access.json:4:5 (statement #1)"));
    let errors = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .count();
    assert_eq!(errors, 0, "proof and command cases are wired");
    assert_eq!(root.attribute("failures"), Some("1"));
}

#[test]
fn junit_reports_an_invalid_file_as_an_error() {
    let (code, out, err) = run(&[
        "test",
        "tests/fixtures/ci-tests/invalid",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `expcet`"));
    let doc = roxmltree::Document::parse(&out).unwrap();
    let e = doc.descendants().find(|n| n.has_tag_name("error")).unwrap();
    assert_eq!(e.attribute("type"), Some("invalid-test-file"));
    assert!(e
        .text()
        .unwrap()
        .contains("tests/fixtures/ci-tests/invalid/typo.s3guard.json:7:83: error[unknown-field]"));
}

#[test]
fn json_report_is_stable() {
    let (code, out, _) = run(&[
        "test",
        "tests/fixtures/ci-tests/full-access.s3guard.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({"passed": 1, "failed": 1, "errors": 0, "invalid_files": 0, "line": "1 passed, 1 failed"})
    );
    let file = &v["files"][0];
    assert_eq!(
        file["file"],
        "tests/fixtures/ci-tests/full-access.s3guard.json"
    );
    assert_eq!(file["status"], "ran");
    let failed = &file["cases"][1];
    assert_eq!(failed["name"], "the app cannot delete its bucket");
    assert_eq!(failed["kind"], "request");
    assert_eq!(failed["status"], "fail");
    assert_eq!(failed["expected"], "deny");
    assert_eq!(failed["actual"], "allow");
    assert_eq!(
        (failed["line"].as_u64(), failed["column"].as_u64()),
        (Some(9), Some(5))
    );
    assert_eq!(failed["pointer"], "/cases/1");
    assert_eq!(
        failed["deciding"][0],
        serde_json::json!({"file": "policies/amazon-s3-full-access.json", "line": 4, "column": 5,
                           "index": 0, "effect": "Allow", "policy_type": "identity"})
    );
    assert_eq!(failed["request"]["action"], "s3:DeleteBucket");
    assert_eq!(file["cases"][0]["status"], "pass");
}

#[test]
fn a_typo_makes_the_file_invalid_with_its_position_and_pointer() {
    let (code, out, err) = run(&["test", "tests/fixtures/ci-tests/invalid/typo.s3guard.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "tests/fixtures/ci-tests/invalid/typo.s3guard.json:7:83: error[unknown-field]: unknown field `expcet` in a request case\n  at /cases/0/expcet\n  help: did you mean `expect`?\ntests/fixtures/ci-tests/invalid/typo.s3guard.json:6:5: error[missing-field]: the case has no `expect`\n  at /cases/0/expect\n  help: one of \"allow\", \"deny\", \"explicit-deny\", \"implicit-deny\"\n"
    );
    assert!(
        out.ends_with("0 passed, 0 failed, 1 invalid file\n"),
        "{out}"
    );
}

#[test]
fn defaults_apply_to_every_case_and_cases_override_them() {
    let text = r#"{
      "policies": [{"type": "identity", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "StringEquals": {"aws:username": "app"}}}]}}],
      "defaults": {"principal": "arn:aws:iam::111122223333:user/app", "context": {"aws:SourceIp": "203.0.113.9"}},
      "cases": [
        {"name": "office", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"},
        {"name": "home", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
         "context": {"aws:SourceIp": "198.51.100.7"}, "expect": "implicit-deny"},
        {"name": "other user", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
         "principal": "arn:aws:iam::111122223333:user/eve", "expect": "implicit-deny"},
        {"name": "nothing filled in", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
         "no_defaults": true, "expect": "implicit-deny"}
      ]
    }"#;
    let f = TestFile::parse("t.s3guard.json", text).unwrap();
    let results = f.run(&Engines);
    let statuses: Vec<_> = results
        .iter()
        .map(|r| (r.name.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("office", TestStatus::Pass),
            ("home", TestStatus::Pass),
            ("other user", TestStatus::Pass),
            ("nothing filled in", TestStatus::Pass)
        ]
    );
}

#[test]
fn a_case_can_turn_no_defaults_off_again() {
    // aws:SecureTransport is filled in (true) only without no_defaults
    let text = r#"{
      "policies": [{"type": "identity", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}}],
      "defaults": {"no_defaults": true},
      "cases": [
        {"name": "bare", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "implicit-deny"},
        {"name": "filled", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
         "no_defaults": false, "expect": "allow"}
      ]
    }"#;
    let results = TestFile::parse("t.s3guard.json", text)
        .unwrap()
        .run(&Engines);
    assert!(
        results.iter().all(|r| r.status == TestStatus::Pass),
        "{results:#?}"
    );
}

#[test]
fn a_pass_that_depends_on_missing_context_says_so_issue3() {
    let (code, out, _) = run(&["test", "tests/fixtures/ci-tests/notes.s3guard.json"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("  ok      no reports from outside\n          note: decision depends on missing key aws:SourceIp (would be ALLOW if it matched 203.0.113.0/24"),
        "{out}"
    );
}

#[test]
fn directories_are_searched_recursively_and_sorted() {
    let dir = tempdir::Dir::new();
    let root = dir.path();
    std::fs::create_dir_all(root.join("b/deeper")).unwrap();
    std::fs::create_dir_all(root.join(".hidden")).unwrap();
    let policy = repo("policies/rails-app.json");
    let file = |name: &str| {
        format!(
            r#"{{"policies": [{{"file": "{}", "type": "identity"}}], "cases": [{{"name": "{name}", "action": "s3:DeleteBucket", "resource": "arn:aws:s3:::x", "expect": "deny"}}]}}"#,
            policy.display()
        )
    };
    for (p, n) in [
        ("b/deeper/z.s3guard.json", "z"),
        ("a.s3guard.json", "a"),
        (".hidden/h.s3guard.json", "hidden"),
        ("b/not-a-test.json", "ignored"),
    ] {
        std::fs::write(root.join(p), file(n)).unwrap();
    }
    let (code, out, err) = run(&["test", &root.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let headers: Vec<&str> = out
        .lines()
        .filter(|l| l.ends_with(".s3guard.json"))
        .collect();
    let r = root.to_string_lossy();
    assert_eq!(
        headers,
        [
            format!("{r}/a.s3guard.json"),
            format!("{r}/b/deeper/z.s3guard.json")
        ]
    );
    assert_eq!(out.lines().last(), Some("2 passed, 0 failed"));

    let empty = tempdir::Dir::new();
    let (code, _, err) = run(&["test", &empty.path().to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[no-test-files]: no test file (*.s3guard.json) under"),
        "{err}"
    );
    let (code, _, err) = run(&["test", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read `no/such/dir`"), "{err}");
}

#[test]
fn readme_shows_the_bundled_test_file_verbatim() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let file = std::fs::read_to_string(repo("policies/rails-app.s3guard.json")).unwrap();
    assert!(
        readme.contains(&format!("```json\n{}```", file)),
        "README's test file is policies/rails-app.s3guard.json"
    );
}

/// A failing command case lists its steps with the decision words every
/// other output uses (`DENY (implicit)`), not the simulator's `implicitDeny`.
#[test]
fn failed_command_steps_say_deny_implicit_as_elsewhere() {
    let policy = repo("policies/rails-app.json");
    let text = format!(
        r#"{{"policies": [{{"file": {:?}, "type": "identity"}}],
 "cases": [{{"name": "rb", "run": "aws s3 rb s3://prod --force", "expect": "succeeds"}}]}}"#,
        policy.to_string_lossy()
    );
    let (_dir, path) = crate::support::temp_file("steps.s3guard.json", &text);
    let p = path.to_string_lossy().into_owned();
    let (code, out, _) = run(&["test", &p]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("1. ListObjectsV2 s3:ListBucket on arn:aws:s3:::prod: DENY (implicit)"),
        "{out}"
    );
    assert!(!out.contains("implicitDeny"), "{out}");
}
