//! `s3guard test` and `s3guard init-tests` (issue 7: policy tests in CI).

use s3guard::testfile::{
    Checker, Engines, ProofOutcome, ProofQuery, RunOutcome, RunQuery, Status, TestFile,
};
use s3guard::PolicySet;

use crate::support::{repo, run, temp_file, tempdir};

/// Whether this build has the engines of `cannot` and `run` cases (they
/// are wired into `Engines` when `prove` and `can-run` land).
fn engines() -> (bool, bool) {
    let set = PolicySet::default();
    let proof = ProofQuery {
        actions: "s3:DeleteBucket".into(),
        resources: "arn:aws:s3:::*".into(),
        principal: None,
        resource_account: None,
    };
    let run = RunQuery {
        command: "aws s3 ls".into(),
        words: vec!["aws".into(), "s3".into(), "ls".into()],
        keys: vec![],
        template: Default::default(),
    };
    (
        !matches!(
            Engines.prove_cannot(&set, &proof),
            ProofOutcome::Unavailable { .. }
        ),
        !matches!(
            Engines.run_command(&set, &run),
            RunOutcome::Unavailable { .. }
        ),
    )
}

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
    let (prove, can_run) = engines();
    if prove && can_run {
        assert_eq!(lines.last(), Some(&"19 passed, 0 failed"), "{out}\n{err}");
        assert_eq!(code, 0);
    } else {
        // Without the engines, a proof or command case is an error, never a pass.
        let missing = usize::from(!prove) + usize::from(!can_run);
        let passed = request_cases + 2 - missing;
        assert_eq!(ok, passed, "{out}");
        let want = format!(
            "{passed} passed, 0 failed, {missing} error{}",
            if missing == 1 { "" } else { "s" }
        );
        assert_eq!(lines.last(), Some(&want.as_str()), "{out}");
        assert_eq!(code, 1);
        if !prove {
            assert!(out.contains("  ERROR   no bucket can ever be deleted\n          policies/rails-app.s3guard.json:"));
            assert!(out.contains("no `prove` engine"), "{out}");
        }
        if !can_run {
            assert!(out.contains("  ERROR   rb --force empties the bucket before it fails\n"));
            assert!(out.contains("no `can-run` engine"), "{out}");
        }
    }
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
    let (prove, can_run) = engines();
    assert_eq!(errors, usize::from(!prove) + usize::from(!can_run));
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

const POLICY: &str = r#"{"file": "rails-app.json", "type": "identity"}"#;

/// Parses a test file placed in `policies/` (so `rails-app.json` resolves)
/// and returns its errors as `L:C code pointer message`.
fn errors_of(text: &str) -> Vec<String> {
    match TestFile::parse("policies/t.s3guard.json", text) {
        Ok(_) => vec![],
        Err(diags) => diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let loc = d
                    .location
                    .map(|l| format!("{}:{}", l.line, l.column))
                    .unwrap_or_default();
                format!(
                    "{loc} {} {} {} | {}",
                    d.code,
                    d.pointer.clone().unwrap_or_default(),
                    d.message,
                    d.hint.clone().unwrap_or_default()
                )
            })
            .collect(),
    }
}

fn with_case(case: &str) -> String {
    format!("{{\"policies\": [{POLICY}],\n\"cases\": [\n{case}\n]}}")
}

#[test]
fn invalid_test_files_are_refused_with_the_place_of_each_problem() {
    let table: &[(&str, &str)] = &[
        (
            r#"{"policies": [{"file": "rails-ap.json", "type": "identity"}], "cases": [{"name": "x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "deny"}]}"#,
            "1:24 POLICY_NOT_FOUND /policies/0/file policy file `rails-ap.json` not found (looked for `policies/rails-ap.json`) | did you mean `rails-app.json`? (paths are relative to the test file)",
        ),
        (
            r#"{"policies": [{"file": "rails-app.json", "type": "identiy"}], "cases": []}"#,
            "1:50 INVALID_VALUE /policies/0/type `type` must be one of `identity`, `bucket`, `resource`, `boundary`, `session`, `scp`, `rcp`, found `identiy` | did you mean `identity`?",
        ),
        (
            r#"{"policies": [{"file": "rails-app.json", "type": "identity", "level": 1}], "cases": [{"name": "x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "deny"}]}"#,
            "1:71 INVALID_VALUE /policies/0/level `level` is for SCPs and RCPs, not for policies of type `identity` | remove `level`",
        ),
        (
            r#"{"policies": [{"file": "rails-app.json", "type": "scp", "level": 1}], "cases": [{"name": "x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "deny"}]}"#,
            "1:15 INVALID_VALUE /policies/0/level SCP level 0 has no policy, but level 1 has: levels count from 0 (the root) without gaps | a missing level would block every request (AWS requires an Allow at every level)",
        ),
        (
            r#"{"policies": [{"file": "rails-app.json", "document": {}, "type": "identity"}], "cases": [{"name": "x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "deny"}]}"#,
            "1:54 INVALID_VALUE /policies/0/document a policy entry has either `file` or `document`, not both | ",
        ),
        (
            r#"{"policies": [{"type": "bucket", "document": {"Statement": [{"Effect": "allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}}], "cases": [{"name": "x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "deny"}]}"#,
            "1:72 INVALID_EFFECT /policies/0/document/Statement/0/Effect `Effect` must be `Allow` or `Deny`, found `allow` | `Effect` is case-sensitive: write \"Allow\"",
        ),
        (
            r#"{"policies": [], "cases": []}"#,
            "1:14 INVALID_VALUE /policies `policies` is empty: there is nothing to test | add {\"file\": \"policy.json\", \"type\": \"identity\"}",
        ),
        (
            r#"{"policy": [], "cases": []}"#,
            "1:2 UNKNOWN_FIELD /policy unknown field `policy` in a test file | did you mean `policies`?",
        ),
    ];
    for (text, want) in table {
        let got = errors_of(text);
        assert!(
            got.iter().any(|g| g == want),
            "{text}\nwant: {want}\ngot: {got:#?}"
        );
    }
}

#[test]
fn invalid_cases_are_refused_so_a_typo_never_passes() {
    let table: &[(&str, &str)] = &[
        (
            r#"{"name": "x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "denied"}"#,
            "3:83 INVALID_VALUE /cases/0/expect `expect` must be one of `allow`, `deny`, `explicit-deny`, `implicit-deny`, found `denied` | did you mean `deny`?",
        ),
        (
            r#"{"name": "x", "action": "s3:DeleteBuckets", "resource": "arn:aws:s3:::b", "expect": "deny"}"#,
            "3:25 INVALID_REQUEST /cases/0/action `s3:DeleteBuckets` is not an action of the `s3` catalog: no real request carries it, so a test of it would pass by accident | did you mean `s3:DeleteBucket`?",
        ),
        (
            r#"{"name": "x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b", "expect": "deny"}"#,
            "3:53 INVALID_REQUEST /cases/0/resource s3:GetObject applies to accesspointobject / object resources, but arn:aws:s3:::b is a bucket (spec M-7): this request never happens; ask about arn:aws:s3:::b/KEY instead | a test of a request AWS never makes would pass for the wrong reason",
        ),
        (
            r#"{"name": "x", "action": "s3:Delete*", "resource": "arn:aws:s3:::b", "expect": "deny"}"#,
            "3:25 INVALID_REQUEST /cases/0/action `s3:Delete*` is a pattern; a request case asks about one action | to check every action of a pattern, write a proof case: {\"cannot\": \"s3:Delete*\", \"on\": \"arn:aws:s3:::bucket*\"}",
        ),
        (
            r#"{"name": "x", "cannot": "s3:Delte*", "on": "arn:aws:s3:::*"}"#,
            "3:25 INVALID_PATTERN /cases/0/cannot `s3:Delte*` matches no action of the catalog: a proof about it would prove nothing | see `s3guard actions 's3:*'`",
        ),
        (
            r#"{"name": "x", "cannot": "s3:Delete*", "on": "prod"}"#,
            "3:45 INVALID_PATTERN /cases/0/on `prod` is not `*` or an ARN pattern | write an ARN pattern such as arn:aws:s3:::prod* or arn:aws:s3:::*",
        ),
        (
            r#"{"name": "x", "cannot": "s3:Delete*", "on": "arn:aws:s3:::*", "expect": "deny"}"#,
            "3:63 UNKNOWN_FIELD /cases/0/expect unknown field `expect` in a `cannot` case | a `cannot` case has the fields `name`, `cannot`, `on`, `principal`, `resource_account`",
        ),
        (
            r#"{"name": "x", "run": "s3 rb s3://prod", "expect": "fails"}"#,
            "3:22 INVALID_COMMAND /cases/0/run `s3 rb s3://prod` is not an `aws s3` command | write a high-level AWS CLI command: aws s3 ls|cp|mv|rm|sync|mb|rb|presign|website …",
        ),
        (
            r#"{"name": "x", "run": "aws s3 rb s3://prod", "expect": "fail"}"#,
            "3:55 INVALID_VALUE /cases/0/expect `expect` must be one of `succeeds`, `fails`, `partial`, found `fail` | did you mean `fails`?",
        ),
        (
            r#"{"name": "x", "run": "aws s3 cp 'a b", "expect": "fails"}"#,
            "3:22 INVALID_COMMAND /cases/0/run unterminated ' quote in `aws s3 cp 'a b` | ",
        ),
        (
            r#"{"name": "x", "action": "s3:ListBucket", "run": "aws s3 ls", "resource": "arn:aws:s3:::b", "expect": "deny"}"#,
            "3:1 INVALID_VALUE /cases/0 the case has `action` and `run`: write one case for each | a case is a request (`action`), a proof (`cannot`) or an AWS CLI command (`run`)",
        ),
        (
            r#"{"name": "x", "actoin": "s3:ListBucket", "resource": "arn:aws:s3:::b", "expect": "deny"}"#,
            "3:15 UNKNOWN_FIELD /cases/0/actoin unknown field `actoin` in a case | did you mean `action`?",
        ),
        (
            r#"{"name": "x", "action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "principal": "bob", "expect": "deny"}"#,
            "3:85 INVALID_VALUE /cases/0/principal `bob` is not a principal s3guard understands (expected an IAM user, role or assumed-role ARN, an account root ARN, a service such as cloudtrail.amazonaws.com, or `anonymous`) | e.g. \"arn:aws:iam::111122223333:user/app\" or \"anonymous\"",
        ),
        (
            r#"{"name": "x", "action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "resource_account": "1234", "expect": "deny"}"#,
            "3:92 INVALID_VALUE /cases/0/resource_account `1234` is not a 12-digit AWS account id | e.g. \"111122223333\"",
        ),
        (
            r#"{"name": "x", "action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "context": {"aws:SourceIp": null}, "expect": "deny"}"#,
            "3:100 INVALID_VALUE /cases/0/context/aws:SourceIp context value of `aws:SourceIp` must be a string, number, boolean or an array of them, found null | e.g. \"aws:SourceIp\": \"203.0.113.5\" or \"aws:TagKeys\": [\"a\", \"b\"]",
        ),
        (
            r#"{"name": "x", "action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "at": "yesterday", "expect": "deny"}"#,
            "3:78 INVALID_VALUE /cases/0/at `at` `yesterday` is not a date | use ISO 8601 (2025-01-31T12:00:00Z) or epoch seconds",
        ),
        (
            "{\"name\": \"x\", \"action\": \"s3:ListBucket\", \"resource\": \"arn:aws:s3:::b\", \"expect\": \"deny\"},\n{\"name\": \"x\", \"action\": \"s3:ListBucket\", \"resource\": \"arn:aws:s3:::c\", \"expect\": \"deny\"}",
            "4:10 DUPLICATE_CASE_NAME /cases/1/name two cases are named `x` (the first at policies/t.s3guard.json:3:1) | case names identify failures in reports: make each unique",
        ),
        (
            r#"{"name": "x", "name": "y", "action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "expect": "deny"}"#,
            "3:15 JSON_SYNTAX_ERROR /cases/0/name duplicate key `name` | a key may appear once per object",
        ),
        (
            r#"{"action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "expect": "deny"}"#,
            "3:1 MISSING_FIELD /cases/0/name the case has no `name` | name it after what it guarantees: \"the app cannot delete the bucket\"",
        ),
    ];
    for (case, want) in table {
        let got = errors_of(&with_case(case));
        assert!(
            got.iter().any(|g| g == want),
            "{case}\nwant: {want}\ngot: {got:#?}"
        );
    }
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
            ("office", Status::Pass),
            ("home", Status::Pass),
            ("other user", Status::Pass),
            ("nothing filled in", Status::Pass)
        ]
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

/// The fields the parser accepts in each object, read from its "unknown
/// field" hint (`… has the fields `a`, `b``).
fn accepted_fields(text: &str, what: &str) -> Vec<String> {
    let errors = errors_of(text);
    let hint = errors
        .iter()
        .find_map(|e| e.split(&format!("| {what} has the fields ")).nth(1))
        .unwrap_or_else(|| panic!("no field list for {what}: {errors:#?}"));
    let mut fields: Vec<String> = hint
        .split(", ")
        .map(|f| f.trim_matches('`').to_string())
        .collect();
    fields.sort();
    fields
}

#[test]
fn the_documented_schema_lists_exactly_the_accepted_fields() {
    let doc = std::fs::read_to_string(repo("docs/test-files.md")).unwrap();
    let start = doc.find("```json\n{\n  \"$schema\"").expect("schema block") + 8;
    let end = start + doc[start..].find("\n```").unwrap();
    let schema: serde_json::Value = serde_json::from_str(&doc[start..end]).unwrap();
    let props = |v: &serde_json::Value| {
        let mut keys: Vec<String> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    let defs = &schema["$defs"];
    let case = |fields: &str| with_case(&format!(r#"{{"name": "x", {fields}, "zzzzzzzz": 1}}"#));
    let table = [
        (props(&schema), r#"{"zzzzzzzz": 1}"#.to_string(), "a test file"),
        (
            props(&defs["policy"]),
            r#"{"policies": [{"file": "rails-app.json", "type": "identity", "zzzzzzzz": 1}], "cases": []}"#.to_string(),
            "a policy entry",
        ),
        (props(&defs["defaults"]), r#"{"defaults": {"zzzzzzzz": 1}}"#.to_string(), "`defaults`"),
        (props(&defs["options"]), r#"{"options": {"zzzzzzzz": 1}}"#.to_string(), "`options`"),
        (
            props(&defs["request_case"]),
            case(r#""action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "expect": "deny""#),
            "a request case",
        ),
        (
            props(&defs["cannot_case"]),
            case(r#""cannot": "s3:Delete*", "on": "*""#),
            "a `cannot` case",
        ),
        (
            props(&defs["run_case"]),
            case(r#""run": "aws s3 ls", "expect": "succeeds""#),
            "a `run` case",
        ),
    ];
    for (documented, text, what) in table {
        assert_eq!(accepted_fields(&text, what), documented, "{what}");
    }
}
