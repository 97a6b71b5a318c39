//! Invalid test files are refused, each problem with `FILE:LINE:COL`, JSON
//! pointer and hint, so that a typo never makes a test pass (issue 7); the
//! documented schema lists exactly the fields the parser accepts.

use s3guard::testfile::TestFile;

use crate::support::repo;

const POLICY: &str = r#"{"file": "rails-app.json", "type": "identity"}"#;

/// Parses a test file placed in `policies/` (so `rails-app.json` resolves)
/// and returns its errors as `L:C code pointer message`.
fn errors_of(text: &str) -> Vec<String> {
    match TestFile::parse("policies/t.s3guard.json", text) {
        Ok(_) => vec![],
        Err(e) => e
            .diagnostics
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
            "1:50 INVALID_VALUE /policies/0/type `type` must be one of `identity`, `bucket`, `resource`, `boundary`, `session`, `scp`, `rcp`, `vpce`, `access-point`, found `identiy` | did you mean `identity`?",
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
            "3:85 INVALID_VALUE /cases/0/principal `bob` is not a principal s3guard understands (expected an IAM user, role or assumed-role ARN, an account root ARN, a service such as cloudtrail.amazonaws.com, a CloudFront origin access identity ARN or S3 canonical user id, or `anonymous`) | e.g. \"arn:aws:iam::111122223333:user/app\" or \"anonymous\"",
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
