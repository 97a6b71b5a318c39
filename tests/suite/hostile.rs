//! Hostile input (issue 8, item 5): huge, deeply nested, malformed and
//! adversarial inputs get a clear error with the file and place, or a
//! correct answer, promptly; never a panic, a stack overflow, a hang, or an
//! "allowed" for input that was not understood. Inputs are generated in
//! temporary directories; nothing large is committed.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::support::{s3guard, tempdir};

/// Exit code, stdout and stderr of one run.
struct Run {
    code: i32,
    out: String,
    err: String,
}

/// Runs s3guard from the repository root, with stdin when given. A run that
/// takes more than a minute is killed and fails the test (a hang).
fn run_with(args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let mut cmd = s3guard();
    cmd.args(args).timeout(Duration::from_secs(60));
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes);
    }
    let out = cmd.output().expect("runs");
    let code = out.status.code().unwrap_or(-1);
    assert_ne!(code, -1, "s3guard {args:?} was killed (a hang or a crash)");
    assert_ne!(
        code,
        101,
        "s3guard {args:?} panicked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        code,
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None)
}

/// Writes `bytes` to `name` in `dir` and returns the path as a string.
fn write(dir: &tempdir::Dir, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path.to_string_lossy().into_owned()
}

/// Asserts the run refused its input: exit 2, nothing on stdout (no answer
/// at all, let alone ALLOW), and `needle` on stderr.
fn assert_refused(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.out, r.err);
    assert_eq!(r.out, "", "no answer for invalid input; stderr: {}", r.err);
    assert!(r.err.contains(needle), "want {needle:?} in:\n{}", r.err);
}

/// AmazonS3FullAccess, bundled.
const FULL_ACCESS: &str = "policies/amazon-s3-full-access.json";

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;

/// A policy that allows everything except what `deny` (a statement) denies.
fn allow_all_but(deny: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}},{deny}]}}"#
    )
}

// ---------------------------------------------------------------- size

/// Issue 8, item 5: a 50 MB policy is refused before it is parsed (a limit
/// that protects s3guard; AWS's largest policy is a 20 KB bucket policy).
#[test]
fn policy_of_50_mb_is_refused_with_exit_2() {
    let dir = tempdir::Dir::new();
    let path = dir.path().join("big.json");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(br#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Sid":""#)
        .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..50 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(br#""}]}"#).unwrap();
    f.flush().unwrap();
    drop(f);
    let p = path.to_string_lossy().into_owned();
    let r = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert_refused(
        &r,
        &format!("{p}: error[input-too-large]: input is larger than 16 MiB"),
    );
}

/// Issue 8, item 5: the same 50 MB on stdin (`--policy -`).
#[test]
fn policy_of_50_mb_on_stdin_is_refused_with_exit_2() {
    let mut big = br#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#.to_vec();
    big.resize(50 << 20, b' ');
    big.extend_from_slice(b"]}");
    let r = run_with(
        &["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", "-"],
        Some(big),
    );
    assert_refused(
        &r,
        "<stdin>: error[input-too-large]: input is larger than 16 MiB",
    );
}

// ---------------------------------------------------------------- nesting

/// Issue 8, item 5: 100,000 `[` in a policy is a syntax error at the 129th
/// level, not a stack overflow.
#[test]
fn deep_nesting_in_a_policy_is_refused_with_its_place() {
    let dir = tempdir::Dir::new();
    for (name, text) in [
        ("arrays.json", "[".repeat(100_000)),
        ("objects.json", r#"{"a":"#.repeat(100_000)),
        (
            "in-condition.json",
            format!(
                r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{}}}}}"#,
                "[".repeat(100_000)
            ),
        ),
    ] {
        let p = write(&dir, name, &text);
        let r = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
        assert_refused(&r, &format!("{p}:1:"));
        assert_refused(
            &r,
            "error[json-syntax-error]: nesting deeper than 128 levels",
        );
        // lint reports the same error as a finding; a file that is not a
        // policy document is invalid input: exit 2 (issue 14 item 9)
        let r = run(&["lint", "--fail-on", "error", &p]);
        assert_eq!(r.code, 2, "{}", r.out);
        assert!(
            r.out.contains("nesting deeper than 128 levels"),
            "{}",
            r.out
        );
    }
}

/// Issue 8, item 5: deep nesting in a `--context-file`.
#[test]
fn deep_nesting_in_a_context_file_is_refused_with_its_place() {
    let dir = tempdir::Dir::new();
    let ctx = write(
        &dir,
        "ctx.json",
        format!(r#"{{"a": {}"#, "[".repeat(100_000)),
    );
    let r = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        FULL_ACCESS,
        "--context-file",
        &ctx,
    ]);
    assert_refused(
        &r,
        &format!("{ctx}:1:134: error[json-syntax-error]: nesting deeper than 128 levels"),
    );
}

/// Issue 8, item 5: deep nesting in a test file of `s3guard test`: the file
/// is invalid (exit 2), no case runs.
#[test]
fn deep_nesting_in_a_test_file_is_refused_with_its_place() {
    let dir = tempdir::Dir::new();
    write(&dir, "allow.json", ALLOW_ALL);
    let head = r#"{"policies": [{"file": "allow.json", "type": "identity"}], "cases": "#;
    let t = write(
        &dir,
        "deep.s3guard.json",
        format!("{head}{}", "[".repeat(100_000)),
    );
    // the root object is the first level: the 128th `[` is one too many
    let column = head.len() + 128;
    let d = dir.path().to_string_lossy().into_owned();
    let r = run(&["test", &d]);
    assert_eq!(r.code, 2, "{}\n{}", r.out, r.err);
    assert!(
        r.err.contains(&format!(
            "{t}:1:{column}: error[json-syntax-error]: nesting deeper than 128 levels"
        )),
        "{}",
        r.err
    );
    assert!(r.out.contains("no case ran"), "{}", r.out);
    assert!(!r.out.contains("PASS"), "{}", r.out);
}

/// Issue 8, item 5: in `eval --cases`, a malformed line (deeply nested, not
/// JSON, a NUL byte in a string, invalid UTF-8) is that line's error, named
/// by its line number; the other lines still run. A bad line is a failed
/// case (exit 1), as for any other case that cannot run.
#[test]
fn malformed_case_lines_are_reported_by_line_and_the_others_still_run() {
    let ok = |id: &str| {
        format!(
            r#"{{"id":"{id}","identity":[{ALLOW_ALL}],"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"Allow"}}"#
        )
        .into_bytes()
    };
    let lines: Vec<Vec<u8>> = vec![
        ok("first"),
        b"{oops".to_vec(),
        [
            br#"{"id":"deep","identity":"#.to_vec(),
            b"[".repeat(100_000),
        ]
        .concat(),
        [
            br#"{"id":"nul","identity":[],"action":"s3:Get"#.as_slice(),
            b"\0",
            br#"Object","resource":"arn:aws:s3:::b/k","expect":"Allow"}"#,
        ]
        .concat(),
        b"{\"id\":\"utf8\xff\"}".to_vec(),
        ok("last"),
    ];
    let dir = tempdir::Dir::new();
    let p = write(
        &dir,
        "cases.jsonl",
        [lines.join(&b'\n'), b"\n".to_vec()].concat(),
    );
    let r = run(&["eval", "--cases", &p]);
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    for want in [
        format!("ERROR line 2 ({p}:2): {p}:2:2: error[json-syntax-error]: expected a key in double quotes"),
        format!("ERROR line 3 ({p}:3): {p}:3:152: error[json-syntax-error]: nesting deeper than 128 levels"),
        format!("ERROR line 4 ({p}:4): {p}:4:43: error[json-syntax-error]: control character in a string"),
        format!("ERROR line 5 ({p}:5): {p}:5:12: the line is not valid UTF-8"),
    ] {
        assert!(r.out.contains(&want), "want {want:?} in:\n{}", r.out);
    }
    assert_eq!(
        r.out.lines().last(),
        Some("2 passed, 4 failed"),
        "{}",
        r.out
    );
}

// ---------------------------------------------------------------- bytes

/// Issue 8, item 5: invalid UTF-8 and NUL bytes in a policy, inside a string
/// and outside one: refused (exit 2) with line and column.
#[test]
fn invalid_utf8_and_nul_bytes_are_refused_with_line_and_column() {
    let dir = tempdir::Dir::new();
    let policy = |resource: &[u8], between: &[u8]| -> Vec<u8> {
        [
            br#"{"Version":"2012-10-17","#.as_slice(),
            b"\n",
            br#""Statement":{"Effect":"Allow","#,
            between,
            br#""Action":"s3:*","Resource":""#,
            resource,
            br#""}}"#,
        ]
        .concat()
    };
    let table: [(&str, Vec<u8>, u8, &str); 4] = [
        (
            "utf8-in-string.json",
            policy(b"arn:aws:s3:::b\xff/*", b""),
            0xff,
            "error[invalid-utf8]: the input is not valid UTF-8",
        ),
        (
            "utf8-outside.json",
            policy(b"*", b"\xfe"),
            0xfe,
            "error[invalid-utf8]: the input is not valid UTF-8",
        ),
        (
            "nul-in-string.json",
            policy(b"arn:aws:s3:::b\0/*", b""),
            0,
            "error[json-syntax-error]: control character in a string",
        ),
        (
            "nul-outside.json",
            policy(b"*", b"\0"),
            0,
            "error[json-syntax-error]: expected a key in double quotes, found control character U+0000",
        ),
    ];
    for (name, bytes, bad, want) in table {
        // on line 2, everything before the bad byte is ASCII
        let line_start = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        let column = bytes.iter().position(|&b| b == bad).unwrap() - line_start + 1;
        let p = write(&dir, name, bytes);
        let r = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
        assert_refused(&r, &format!("{p}:2:{column}: {want}"));
    }
}

// ---------------------------------------------------------------- many statements

/// Issue 8, item 5: 100,000 statements (8 MB on one line, under the 16 MiB
/// limit) load and evaluate: the Deny in the last statement is found, with
/// its column. Regression: every location counted the characters from the
/// start of the line, which took 24 s.
#[test]
fn hundred_thousand_statements_on_one_line_find_the_last_deny() {
    let mut text = String::from(r#"{"Version":"2012-10-17","Statement":["#);
    text.push_str(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    for i in 1..99_999 {
        text.push_str(&format!(
            r#",{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b{i}/*"}}"#
        ));
    }
    let column = text.len() + 2;
    text.push_str(r#",{"Sid":"Last","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::last/*"}]}"#);
    let dir = tempdir::Dir::new();
    let p = write(&dir, "many.json", &text);
    let r = run(&["can", "s3:GetObject", "arn:aws:s3:::last/k", "--policy", &p]);
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    assert!(
        r.out.starts_with(&format!(
            "DENY (explicit)\n  denied by {p}:1:{column} (Sid Last): Deny s3:GetObject"
        )),
        "{}",
        r.out
    );
}

/// Issue 8, item 5: lint on thousands of statements and entries answers
/// promptly; the quadratic redundancy checks skip lists longer than any AWS
/// quota allows and say so. Regression: 2,000 statements took minutes.
#[test]
fn lint_of_thousands_of_statements_and_entries_answers_promptly() {
    let dir = tempdir::Dir::new();
    let statements: Vec<String> = (0..3_000)
        .map(|i| {
            format!(
                r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b{i}/*"}}"#
            )
        })
        .collect();
    let p = write(
        &dir,
        "statements.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        ),
    );
    let started = Instant::now();
    let r = run(&["lint", &p]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out.contains("redundant statements and entries were not looked for in lists this long: 3000 statements (the limit is 1000)"),
        "{}",
        r.out
    );
    let resources: Vec<String> = (0..1_000)
        .map(|i| format!(r#""arn:aws:s3:::b/{}{i}""#, "*a".repeat(40)))
        .collect();
    let p = write(
        &dir,
        "entries.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":[{},"arn:aws:s3:::b/x","arn:aws:s3:::b/x"]}}}}"#,
            resources.join(",")
        ),
    );
    // 1,000 long patterns with a common prefix exhaust the comparison
    // budget; the report says so, and still finds the exact duplicate
    let r = run(&["lint", &p]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out.contains("note: comparing the patterns took too long"),
        "{}",
        r.out
    );
    assert!(
        r.out.contains(
            "suggestion[redundant-resource]: `arn:aws:s3:::b/x` is listed twice in `Resource`"
        ),
        "{}",
        r.out
    );
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "lint took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------- AWS size quotas

/// A policy of exactly `size` characters without white space (bytes and
/// characters agree: ASCII only), padded in the resource of its last
/// statement.
fn policy_of_size(size: usize, principal: bool, effect: &str) -> String {
    let principal = if principal { r#""Principal":"*","# } else { "" };
    let build = |pad: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}",{principal}"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{}"}}]}}"#,
            "a".repeat(pad)
        )
    };
    let base = build(0).len();
    assert!(size >= base, "{size} < {base}");
    build(size - base)
}

/// (--type, owner key of `aws iam get-*-policy` output, quota, with a
/// Principal, Effect, finding code)
type Quota = (
    &'static str,
    Option<&'static str>,
    usize,
    bool,
    &'static str,
    &'static str,
);

/// Issue 8, item 5 (and spec G-14): AWS's policy size quotas are lint
/// findings, never load errors: `can` still answers. Quotas from
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
/// (managed policy 6,144 characters; inline policies of a user 2,048, a
/// group 5,120, a role 10,240, all together; session policy 2,048),
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html
/// (bucket policy 20 KB) and the AWS Organizations quotas (SCP and RCP 5,120).
#[test]
fn aws_size_quotas_are_lint_findings_not_errors() {
    let dir = tempdir::Dir::new();
    let table: &[Quota] = &[
        (
            "identity",
            None,
            6_144,
            false,
            "Allow",
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        ),
        (
            "identity",
            Some("UserName"),
            2_048,
            false,
            "Allow",
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        ),
        (
            "identity",
            Some("GroupName"),
            5_120,
            false,
            "Allow",
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        ),
        (
            "identity",
            Some("RoleName"),
            10_240,
            false,
            "Allow",
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        ),
        (
            "session",
            None,
            2_048,
            false,
            "Allow",
            "POLICY_SIZE_EXCEEDS_SESSION_POLICY_QUOTA",
        ),
        (
            "resource",
            None,
            20_480,
            true,
            "Allow",
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
        ),
        (
            "scp",
            None,
            5_120,
            false,
            "Allow",
            "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        ),
        (
            "rcp",
            None,
            5_120,
            true,
            "Deny",
            "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
        ),
    ];
    for &(t, owner, quota, principal, effect, code) in table {
        for (size, fires) in [(quota, false), (quota + 1, true)] {
            let policy = policy_of_size(size, principal, effect);
            let text = match owner {
                Some(key) => {
                    format!(r#"{{"{key}": "app", "PolicyName": "p", "PolicyDocument": {policy}}}"#)
                }
                None => policy,
            };
            let p = write(
                &dir,
                &format!("{t}-{}-{size}.json", owner.unwrap_or("managed")),
                &text,
            );
            let r = run(&["lint", "--type", t, "--format", "json", &p]);
            let report: serde_json::Value = serde_json::from_str(&r.out).expect("lint json");
            let codes: Vec<&str> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f["code"].as_str())
                .collect();
            assert_eq!(
                codes.contains(&code),
                fires,
                "{t} {owner:?} of {size} characters: {codes:?}"
            );
            if fires {
                let message = report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["code"] == code)
                    .and_then(|f| f["message"].as_str())
                    .unwrap_or_default()
                    .to_string();
                assert!(message.contains(&format!("is {size} ")), "{message}");
            }
            // the evaluator does not care about quotas
            let flag = match t {
                "identity" => "--policy",
                "session" => "--session-policy",
                "resource" => "--bucket-policy",
                "scp" => "--scp",
                _ => "--rcp",
            };
            let mut args = vec!["can", "s3:GetObject", "arn:aws:s3:::b/k", flag, p.as_str()];
            if t != "identity" {
                args.extend(["--policy", FULL_ACCESS]);
            }
            let r = run(&args);
            assert!(
                r.code == 0 || r.code == 1,
                "{t} {size}: {}\n{}",
                r.out,
                r.err
            );
        }
    }
}

/// Issue 8, item 5 (spec G-14): a bucket policy's quota counts bytes, so
/// multi-byte characters count more than once.
#[test]
fn bucket_policy_quota_counts_bytes() {
    let dir = tempdir::Dir::new();
    let ascii = policy_of_size(20_480, true, "Allow");
    // replace two `a` with one `é` (two bytes): same bytes, one character fewer
    let accented = ascii.replacen("aa", "é", 1);
    let over = ascii.replacen("aa", "éa", 1);
    for (name, text, fires) in [
        ("ascii.json", ascii, false),
        ("accented.json", accented, false),
        ("over.json", over, true),
    ] {
        let p = write(&dir, name, text);
        let r = run(&["lint", "--type", "resource", &p]);
        assert_eq!(
            r.out.contains("policy-size-exceeds-resource-policy-quota"),
            fires,
            "{name}: {}",
            r.out
        );
    }
}

// ---------------------------------------------------------------- patterns

fn star_a(n: usize) -> String {
    format!("{}*b", "*a".repeat(n))
}

/// Issue 8, item 5: 10,000-character patterns like `*a*a*…*b` in Resource,
/// in StringLike and in Action, against 10,000-character values, answer
/// promptly and correctly (the matcher places each segment leftmost, with no
/// backtracking blow-up).
#[test]
fn ten_thousand_character_patterns_answer_promptly() {
    let dir = tempdir::Dir::new();
    let pattern = star_a(5_000);
    let long_a = "a".repeat(10_000);
    let started = Instant::now();

    let resource = write(
        &dir,
        "resource.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/{pattern}"}}}}"#
        ),
    );
    for (key, want) in [(long_a.clone(), 1), (format!("{long_a}b"), 0)] {
        let arn = format!("arn:aws:s3:::bucket/{key}");
        let r = run(&["can", "s3:GetObject", &arn, "--policy", &resource]);
        assert_eq!(r.code, want, "{}", r.err);
    }

    let like = write(
        &dir,
        "like.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{{"StringLike":{{"s3:prefix":"{pattern}"}}}}}}}}"#
        ),
    );
    for (prefix, want) in [(long_a.clone(), 1), (format!("{long_a}b"), 0)] {
        let c = format!("s3:prefix={prefix}");
        let r = run(&[
            "can",
            "s3:ListBucket",
            "arn:aws:s3:::b",
            "--policy",
            &like,
            "-c",
            &c,
        ]);
        assert_eq!(r.code, want, "{}", r.err);
    }

    let action = write(
        &dir,
        "action.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:{pattern}","Resource":"*"}}}}"#
        ),
    );
    for (name, want) in [(long_a.clone(), 1), (format!("{long_a}b"), 0)] {
        let a = format!("s3:{name}");
        let r = run(&[
            "can",
            &a,
            "arn:aws:s3:::b/k",
            "--policy",
            &action,
            "--allow-unknown-action",
        ]);
        assert_eq!(r.code, want, "{}", r.err);
    }

    // lint compares patterns with each other; two such patterns must not
    // make it run for minutes (regression: a quadratic closure)
    let two = write(
        &dir,
        "two.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":["s3:{pattern}","s3:{pattern}c"],"Resource":["arn:aws:s3:::b/{pattern}","arn:aws:s3:::b/{pattern}c"]}}}}"#
        ),
    );
    let r = run(&["lint", &two]);
    assert!(r.code <= 1, "{}", r.out);

    assert!(
        started.elapsed() < Duration::from_secs(45),
        "took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------- numbers and dates

fn condition_policy(dir: &tempdir::Dir, name: &str, effect: &str, condition: &str) -> String {
    let statement = format!(
        r#"{{"Effect":"{effect}","Action":"s3:ListBucket","Resource":"*","Condition":{condition}}}"#
    );
    let text = if effect == "Deny" {
        allow_all_but(&statement)
    } else {
        format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
    };
    write(dir, name, text)
}

/// Issue 8, item 5 (spec C-5, C-6): huge numbers in a policy are compared
/// exactly; values that are no number or no date are load errors with
/// their place (exit 2).
#[test]
fn huge_numbers_and_out_of_range_dates_in_a_policy() {
    let dir = tempdir::Dir::new();
    let nines = "9".repeat(400);
    let one_and_zeros = format!("1{}", "0".repeat(400));
    // (operator, policy value as JSON, context value, decision of Deny-if)
    let table: &[(&str, &str, &str, i32)] = &[
        ("NumericLessThan", "1e400", "5", 1),
        ("NumericLessThan", r#""1e400""#, &one_and_zeros, 0),
        (
            "NumericLessThan",
            &format!(r#""{one_and_zeros}""#),
            &nines,
            1,
        ),
        ("NumericLessThan", &nines, &one_and_zeros, 0),
        ("NumericEquals", r#""-0""#, "0", 1),
        ("NumericEquals", "-0", "0.000", 1),
        ("NumericGreaterThan", "-1e400", "-1e399", 1),
        // exact beyond i64 exponents (regression: they saturated and compared equal)
        (
            "NumericEquals",
            r#""1e9223372036854775808""#,
            "1e9223372036854775809",
            0,
        ),
        (
            "NumericEquals",
            r#""10e9223372036854775807""#,
            "1e9223372036854775808",
            1,
        ),
    ];
    for (i, (op, value, context, want)) in table.iter().enumerate() {
        let p = condition_policy(
            &dir,
            &format!("n{i}.json"),
            "Deny",
            &format!(r#"{{"{op}":{{"s3:max-keys":{value}}}}}"#),
        );
        let c = format!("s3:max-keys={context}");
        let r = run(&[
            "can",
            "s3:ListBucket",
            "arn:aws:s3:::b",
            "--policy",
            &p,
            "-c",
            &c,
        ]);
        assert_eq!(
            r.code, *want,
            "{op} {value} vs {context}: {}\n{}",
            r.out, r.err
        );
    }
    for (op, value, code) in [
        ("NumericLessThan", r#""NaN""#, "type-mismatch-number"),
        ("NumericLessThan", r#""Infinity""#, "type-mismatch-number"),
        (
            "DateLessThan",
            r#""99999-01-01T00:00:00Z""#,
            "invalid-date-value",
        ),
        ("DateLessThan", r#""1e30""#, "invalid-date-value"),
        ("DateLessThan", "1e30", "invalid-date-value"),
        (
            "DateLessThan",
            r#""1000000000000000000000000000000""#,
            "invalid-date-value",
        ),
        ("DateGreaterThan", r#""-0001-01-01""#, "invalid-date-value"),
    ] {
        let p = condition_policy(
            &dir,
            "bad.json",
            "Allow",
            &format!(r#"{{"{op}":{{"aws:CurrentTime":{value}}}}}"#),
        );
        let r = run(&["can", "s3:ListBucket", "arn:aws:s3:::b", "--policy", &p]);
        assert_refused(&r, &format!("{p}:1:"));
        assert_refused(&r, &format!("error[{code}]"));
        assert_refused(
            &r,
            &format!("at /Statement/0/Condition/{op}/aws:CurrentTime"),
        );
    }
    // a negative epoch is a date (before 1970): the Deny applies now
    let p = condition_policy(
        &dir,
        "neg.json",
        "Deny",
        r#"{"DateGreaterThan":{"aws:CurrentTime":"-100"}}"#,
    );
    let r = run(&["can", "s3:ListBucket", "arn:aws:s3:::b", "--policy", &p]);
    assert_eq!(r.code, 1, "{}", r.err);
}

/// Issue 8, item 5 (spec C-5, C-6, docs/semantics.md): a request value of
/// the wrong type for its operator (not a number, not a date, a year past
/// 9999) makes the statement not apply and says so on stderr: an Allow does
/// not allow, a Deny does not deny. Huge values that are numbers compare
/// exactly, so a Deny `NumericLessThan` is decided by arithmetic.
#[test]
fn hostile_request_values_never_allow_by_accident() {
    let dir = tempdir::Dir::new();
    let deny_lt = condition_policy(
        &dir,
        "deny.json",
        "Deny",
        r#"{"NumericLessThan":{"s3:max-keys":"100"}}"#,
    );
    let allow_lt = condition_policy(
        &dir,
        "allow.json",
        "Allow",
        r#"{"NumericLessThan":{"s3:max-keys":"100"}}"#,
    );
    let nines = "9".repeat(400);
    // (context value, Deny-if-less-than-100, Allow-if-less-than-100, warning)
    let table: &[(&str, i32, i32, bool)] = &[
        ("1e400", 0, 1, false),
        ("-1e400", 1, 0, false),
        (&nines, 0, 1, false),
        (&format!("-{nines}"), 1, 0, false),
        ("-0", 1, 0, false),
        ("99.999999999999999999999999", 1, 0, false),
        ("NaN", 0, 1, true),
        ("Infinity", 0, 1, true),
        ("1e99999999999999999999999999999999999999999", 0, 1, true),
    ];
    for &(value, deny_code, allow_code, warns) in table {
        let c = format!("s3:max-keys={value}");
        for (policy, want) in [(&deny_lt, deny_code), (&allow_lt, allow_code)] {
            let r = run(&[
                "can",
                "s3:ListBucket",
                "arn:aws:s3:::b",
                "--policy",
                policy,
                "-c",
                &c,
            ]);
            assert_eq!(r.code, want, "{value}: {}\n{}", r.out, r.err);
            assert_eq!(
                r.err
                    .contains("is not a number for `NumericLessThan`; statement #"),
                warns,
                "{value}: {}",
                r.err
            );
        }
    }
    // dates in the context
    let deny_date = condition_policy(
        &dir,
        "deny-date.json",
        "Deny",
        r#"{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}"#,
    );
    for (args, want, warns) in [
        ("-c aws:CurrentTime=99999-01-01T00:00:00Z", 0, true),
        ("-c aws:CurrentTime=1e30", 0, true),
        ("-c aws:CurrentTime=-100", 1, false),
        ("-c aws:CurrentTime=2029-12-31T23:59:59Z", 1, false),
        ("--at=-100", 1, false),
    ] {
        let mut a = vec![
            "can",
            "s3:ListBucket",
            "arn:aws:s3:::b",
            "--policy",
            &deny_date,
        ];
        a.extend(args.split(' '));
        let r = run(&a);
        assert_eq!(r.code, want, "{args:?}: {}\n{}", r.out, r.err);
        assert_eq!(
            r.err.contains("is not a date"),
            warns,
            "{args:?}: {}",
            r.err
        );
    }
    // `--at` outside four-digit years is refused (regression: it produced an
    // aws:CurrentTime that s3guard could not read back)
    for at in ["--at=999999999999999", "--at=-999999999999999"] {
        let r = run(&[
            "can",
            "s3:ListBucket",
            "arn:aws:s3:::b",
            "--policy",
            &deny_date,
            at,
        ]);
        assert_refused(&r, "is outside the years 0000 to 9999");
    }
    let r = run(&[
        "can",
        "s3:ListBucket",
        "arn:aws:s3:::b",
        "--policy",
        &deny_date,
        "--at",
        "1e30",
    ]);
    assert_refused(&r, "--at `1e30` is not a date");
}

// ---------------------------------------------------------------- context

/// Issue 8, item 5: a context file of 10,000 keys evaluates correctly, and
/// one of 100,000 keys in reverse order promptly (regression: duplicate
/// keys were found by a linear search, and every key was inserted at the
/// front of a sorted vector).
#[test]
fn context_files_with_thousands_of_keys() {
    let dir = tempdir::Dir::new();
    let policy = condition_policy(
        &dir,
        "p.json",
        "Deny",
        r#"{"StringEquals":{"aws:PrincipalTag/k9999":"v9999"},"NumericLessThan":{"s3:max-keys":"10"}}"#,
    );
    let context = |n: usize, reverse: bool, max_keys: &str| {
        let mut keys: Vec<String> = (0..n)
            .map(|i| format!(r#""aws:PrincipalTag/k{i}":"v{i}""#))
            .collect();
        if reverse {
            keys.reverse();
        }
        keys.push(format!(r#""s3:max-keys":"{max_keys}""#));
        format!("{{{}}}", keys.join(","))
    };
    let started = Instant::now();
    for (n, reverse, max_keys, want) in [
        (10_000, false, "5", 1),
        (10_000, false, "50", 0),
        (100_000, true, "5", 1),
    ] {
        let c = write(&dir, "ctx.json", context(n, reverse, max_keys));
        let r = run(&[
            "can",
            "s3:ListBucket",
            "arn:aws:s3:::b",
            "--policy",
            &policy,
            "--context-file",
            &c,
        ]);
        assert_eq!(
            r.code, want,
            "{n} keys, max-keys {max_keys}: {}\n{}",
            r.out, r.err
        );
    }
    // a duplicate among 10,000 keys is still found, with its place
    let mut text = context(10_000, false, "5");
    text.insert_str(text.len() - 1, r#","aws:PrincipalTag/k42":"again""#);
    let c = write(&dir, "dup.json", &text);
    let r = run(&[
        "can",
        "s3:ListBucket",
        "arn:aws:s3:::b",
        "--policy",
        &policy,
        "--context-file",
        &c,
    ]);
    assert_refused(
        &r,
        "error[json-syntax-error]: duplicate context key `aws:PrincipalTag/k42`",
    );
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------- never evaluated

/// Issue 8, item 5 (spec G-11): a policy with one invalid statement and one
/// Allow is never evaluated: `can` exits 2 with nothing on stdout, in every
/// layer; only `--lenient` evaluates what is left, and says what it skipped.
#[test]
fn invalid_input_is_never_evaluated() {
    let dir = tempdir::Dir::new();
    let invalid_deny = r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"aws:username":"x"}}}"#;
    let p = write(&dir, "mixed.json", allow_all_but(invalid_deny));
    let r = run(&["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p]);
    assert_refused(&r, &format!("{p}:1:"));
    assert_refused(
        &r,
        "error[invalid-condition-operator]: unknown condition operator `StringEqualz`",
    );
    // in a bucket policy, a boundary, an SCP: the same
    let bucket = write(
        &dir,
        "bucket.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"maybe"}}}]}"#,
    );
    for (flag, file) in [
        ("--bucket-policy", &bucket),
        ("--boundary", &p),
        ("--scp", &p),
    ] {
        let r = run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--policy",
            FULL_ACCESS,
            flag,
            file,
        ]);
        assert_eq!((r.code, r.out.as_str()), (2, ""), "{flag}: {}", r.err);
    }
    // a bad request value is refused too
    let r = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        FULL_ACCESS,
        "-c",
        "novalue",
    ]);
    assert_refused(&r, "--context `novalue` is not KEY=VALUE");
    // --lenient: the invalid statement is skipped, with a warning and a note
    let r = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy",
        &p,
        "--lenient",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    assert!(
        r.out.contains("1 error(s) tolerated with --lenient"),
        "{}",
        r.out
    );
    assert!(
        r.err.contains("(statement skipped: --lenient)"),
        "{}",
        r.err
    );
    // `s3guard test` with the invalid policy: exit 2, no case passes
    write(
        &dir,
        "t.s3guard.json",
        r#"{"policies":[{"file":"mixed.json","type":"identity"}],"cases":[{"name":"x","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"allow"}]}"#,
    );
    let d = dir.path().to_string_lossy().into_owned();
    let r = run(&["test", &d]);
    assert_eq!(r.code, 2, "{}\n{}", r.out, r.err);
    assert!(!r.out.contains("PASS"), "{}", r.out);
    assert!(r.err.contains("StringEqualz"), "{}", r.err);
}

// ---------------------------------------------------------------- many buckets

/// Issue 8: `actions`, `review` and `diff` ask the evaluator about every
/// action on every bucket a policy names; with 400 statements on 400
/// buckets they answer well within the run's minute (in a release build,
/// 1,000 buckets took 43 s for `actions` and 84 s for `review` when every
/// question traced every statement, and `diff` looked cells up one by one;
/// now 0.2 s and 0.5 s), and the answers name the last bucket.
#[test]
fn hundreds_of_buckets_are_reviewed_promptly() {
    let statements: Vec<String> = (0..400)
        .map(|i| {
            format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:List*"],
                "Resource":["arn:aws:s3:::bucket-{i}","arn:aws:s3:::bucket-{i}/*"],
                "Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"team-{i}"}}}}}}"#
            )
        })
        .collect();
    let dir = tempdir::Dir::new();
    let p = write(
        &dir,
        "many.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        ),
    );
    let r = run(&["actions", "--policy", &p]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.out.contains("s3:PutObject"), "{}", r.out);
    let r = run(&["review", &p, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.out.contains("bucket-399"), "review names the last bucket");
    let r = run(&["diff", FULL_ACCESS, &p]);
    assert!(r.code == 0 || r.code == 1, "{}", r.err);
    assert!(r.out.contains("s3:DeleteBucket"), "{}", r.out);
}
