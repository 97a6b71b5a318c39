//! Hardening (issue 15): bounded memory and time on every input, output that
//! cannot be forged, safe writes. Each test runs s3guard under an address
//! space limit (`ulimit -v`) and a timeout, and states the bound it must
//! meet; a run killed by either fails the test. The bounds are generous
//! for a debug build on a loaded CI machine: they catch blow-ups (minutes,
//! gigabytes), not slowness.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::tempdir;

/// Exit code, stdout and stderr of one bounded run.
pub(crate) struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

/// Runs s3guard from the repository root with at most `mib` MiB of address
/// space and `secs` seconds, feeding `stdin`. A run killed by a signal (the
/// timeout, an abort on a failed allocation) or that panics fails the test.
pub(crate) fn bounded(args: &[&str], stdin: &[u8], mib: u64, secs: u64) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("s3guard");
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -v "$1" || exit 99; shift; exec "$@""#)
        .arg("sh")
        .arg((mib * 1024).to_string())
        .arg(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .timeout(Duration::from_secs(secs))
        .write_stdin(stdin.to_vec());
    let out = cmd.output().expect("runs");
    let code = out.status.code().unwrap_or(-1);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_ne!(code, 99, "ulimit -v failed: {err}");
    assert_ne!(
        code, -1,
        "s3guard {args:?} was killed: past {secs} s or {mib} MiB ({err})"
    );
    assert_ne!(code, 134, "s3guard {args:?} aborted (memory?): {err}");
    assert_ne!(code, 101, "s3guard {args:?} panicked: {err}");
    Run {
        code,
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err,
    }
}

/// Writes `bytes` to `name` in `dir` and returns the path as a string.
pub(crate) fn write(dir: &tempdir::Dir, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path.to_string_lossy().into_owned()
}

/// Spawns s3guard with piped stdin/stdout (for pipe and stream tests).
pub(crate) fn spawn(args: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("s3guard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns")
}

/// 2 GiB of address space: the bound of issue 15 for every command.
const GIB2: u64 = 2048;

// ---------------------------------------------------------------- prove

/// `*a*a*…*a` with `n` stars, then `tail`.
fn star_a(n: usize, tail: &str) -> String {
    format!("{}{tail}", "*a".repeat(n))
}

/// A policy allowing GetObject when the user agent matches one of eight
/// 10,000-character `*a*a…b<i>` patterns (80 KB), with `deny` statements.
fn eight_star_patterns(deny: &str) -> String {
    let values: Vec<String> = (0..8)
        .map(|i| format!("\"{}\"", star_a(5_000, &format!("b{i}"))))
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{"StringLike":{{"aws:UserAgent":[{}]}}}}}}{deny}]}}"#,
        values.join(",")
    )
}

/// Issue 15, item 1: eight 10,000-character `*a*a…b` condition values (an
/// 80 KB policy) aborted `prove` with a failed 4 GB allocation. Their
/// automata are linear now: a proof and a counterexample, each under 2 GiB
/// and 60 s, with the default budget.
#[test]
fn prove_of_long_star_patterns_is_linear() {
    let dir = tempdir::Dir::new();
    let allowed = write(&dir, "allowed.json", eight_star_patterns(""));
    let r = bounded(
        &[
            "prove",
            "--cannot",
            "s3:GetObject",
            "--on",
            "*",
            "--policy",
            &allowed,
        ],
        b"",
        GIB2,
        60,
    );
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    // the counterexample's user agent matches a pattern: 5,000 `a` then `b<i>`
    assert!(
        r.out.contains(&format!("{}b", "a".repeat(5_000))),
        "{}",
        r.out
    );
    // every such agent contains an `a`: denying `*a*` leaves nothing
    let denied = write(
        &dir,
        "denied.json",
        eight_star_patterns(
            r#",{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:UserAgent":"*a*"}}}"#,
        ),
    );
    let r = bounded(
        &[
            "prove",
            "--cannot",
            "s3:GetObject",
            "--on",
            "*",
            "--policy",
            &denied,
        ],
        b"",
        GIB2,
        60,
    );
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    assert!(r.out.starts_with("proved:"), "{}", r.out);
}

/// Issue 15, item 1: a long literal run after `*` (`*aaaa…ab`) still needs
/// quadratic automata; past the memory budget the answer is exit 3
/// "cannot decide within limits", not an abort; past the time budget too.
#[test]
fn prove_past_its_budget_cannot_decide_with_exit_3() {
    let dir = tempdir::Dir::new();
    let resource = write(
        &dir,
        "run.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*{}b"}}}}"#,
            "a".repeat(20_000)
        ),
    );
    let r = bounded(
        &[
            "prove",
            "--cannot",
            "s3:GetObject",
            "--on",
            "*",
            "--policy",
            &resource,
            "--max-memory",
            "64",
        ],
        b"",
        GIB2,
        60,
    );
    assert_eq!(r.code, 3, "{}\n{}", r.out, r.err);
    assert!(
        r.out.contains(
            "cannot prove: cannot decide within limits: the automata of the patterns need more than 64 MiB"
        ),
        "{}",
        r.out
    );

    // a hundred 60-character `*…*` values: many regions, each cheap
    let values: Vec<String> = (0..100)
        .map(|i| {
            let word: String = (0..60u32)
                .map(|j| char::from(b'a' + u8::try_from((j * 7 + i) % 26).unwrap()))
                .collect();
            format!("\"*{word}*\"")
        })
        .collect();
    let many = write(
        &dir,
        "many.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{"StringLike":{{"aws:UserAgent":[{}]}}}}}}}}"#,
            values.join(",")
        ),
    );
    let r = bounded(
        &[
            "prove",
            "--cannot",
            "s3:GetObject",
            "--on",
            "*",
            "--policy",
            &many,
            "--timeout",
            "1",
        ],
        b"",
        GIB2,
        60,
    );
    assert_eq!(r.code, 3, "{}\n{}", r.out, r.err);
    assert!(
        r.out
            .contains("cannot decide within limits: the proof ran longer than 1 s"),
        "{}",
        r.out
    );
}

/// Issue 15, item 1: `cannot` cases of `s3guard test` use the same prover
/// and budget (`--max-memory`, `--timeout`): the linear patterns pass, the
/// quadratic one is "cannot decide" (a failed case, exit 1), never an abort.
#[test]
fn cannot_cases_of_test_files_stay_within_the_budget() {
    let dir = tempdir::Dir::new();
    write(
        &dir,
        "denied.json",
        eight_star_patterns(
            r#",{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:UserAgent":"*a*"}}}"#,
        ),
    );
    write(
        &dir,
        "run.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*{}b"}}}}"#,
            "a".repeat(20_000)
        ),
    );
    let t = write(
        &dir,
        "star.s3guard.json",
        r#"{"policies": [{"file": "denied.json", "type": "identity"}],
            "cases": [{"name": "no agent reads", "cannot": "s3:GetObject", "on": "*"}]}"#,
    );
    let r = bounded(&["test", &t], b"", GIB2, 60);
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    let t = write(
        &dir,
        "run.s3guard.json",
        r#"{"policies": [{"file": "run.json", "type": "identity"}],
            "cases": [{"name": "nothing is read", "cannot": "s3:GetObject", "on": "*"}]}"#,
    );
    let r = bounded(&["test", &t, "--max-memory", "64"], b"", GIB2, 60);
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    assert!(
        r.out.contains("not proved: s3guard cannot decide (cannot decide within limits: the automata of the patterns need more than 64 MiB"),
        "{}",
        r.out
    );
}

/// Issue 15, item 1: the budget flags are validated.
#[test]
fn prover_budget_flags_are_validated() {
    for (flag, value) in [
        ("--max-memory", "0"),
        ("--timeout", "0"),
        ("--timeout", "x"),
    ] {
        let r = bounded(
            &[
                "prove",
                "--cannot",
                "s3:*",
                "--on",
                "*",
                "--policy",
                "policies/amazon-s3-full-access.json",
                flag,
                value,
            ],
            b"",
            GIB2,
            60,
        );
        assert_eq!(r.code, 2, "{flag} {value}: {}", r.err);
        assert!(r.err.contains(flag), "{}", r.err);
    }
}

// ---------------------------------------------------------------- eval --requests

/// A file of `head`, then `zeros` NUL bytes with no newline (a sparse file:
/// nothing large is written), then `tail`.
fn with_long_line(dir: &tempdir::Dir, name: &str, head: &str, zeros: u64, tail: &str) -> String {
    use std::io::{Seek, SeekFrom, Write as _};
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).expect("create");
    f.write_all(head.as_bytes()).expect("write");
    f.seek(SeekFrom::Current(i64::try_from(zeros).unwrap()))
        .expect("seek");
    f.write_all(tail.as_bytes()).expect("write");
    path.to_string_lossy().into_owned()
}

const GET: &str = r#"{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#;

/// Issue 15, item 2: `eval --requests` read a whole line before checking
/// its length (one 300 MB line cost 314 MB; `/dev/zero` aborted after a
/// 4 GB allocation). The line is skipped while it is read: 512 MiB of
/// NUL bytes with no newline run under 256 MiB of address space, the line
/// is reported, and the requests around it are answered.
#[test]
fn an_endless_request_line_costs_no_memory() {
    let dir = tempdir::Dir::new();
    let p = with_long_line(
        &dir,
        "zeros.jsonl",
        &format!("{GET}\n"),
        512 << 20,
        &format!("\n{GET}\n"),
    );
    let r = bounded(
        &[
            "eval",
            "--requests",
            &p,
            "--policy",
            "policies/amazon-s3-full-access.json",
            "--threads",
            "1",
            "--format",
            "text",
        ],
        b"",
        256,
        60,
    );
    assert_eq!(r.code, 2, "{}\n{}", r.out, r.err);
    assert!(
        r.out
            .starts_with("1: ALLOW s3:GetObject on arn:aws:s3:::b/k\n"),
        "{}",
        r.out
    );
    assert!(
        r.out.contains(&format!(
            "2: INVALID error[invalid-request]: {p}:2: the line is longer than 16 MiB (skipped unread)"
        )),
        "{}",
        r.out
    );
    assert!(r.out.contains("3: ALLOW s3:GetObject"), "{}", r.out);
}

// ---------------------------------------------------------------- threads

/// Issue 15, item 3: `--threads 0` was accepted and `--threads 100000`
/// panicked ("failed to spawn thread"). Both are refused with the range;
/// 256 threads where the system cannot start them (a 160 MiB address
/// space) fall back to those it starts, and the answers are the same.
#[test]
fn threads_are_validated_and_spawn_failures_fall_back() {
    let dir = tempdir::Dir::new();
    let lines: String = (0..2000)
        .map(|i| format!("{{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/{i}\"}}\n"))
        .collect();
    let p = write(&dir, "r.jsonl", &lines);
    for bad in ["0", "100000", "x"] {
        let r = bounded(
            &[
                "eval",
                "--requests",
                &p,
                "--policy",
                "policies/amazon-s3-full-access.json",
                "--threads",
                bad,
            ],
            b"",
            GIB2,
            60,
        );
        assert_eq!(r.code, 2, "--threads {bad}: {}", r.err);
        assert!(
            r.err.contains("expected a number of threads from 1 to 256"),
            "{}",
            r.err
        );
        assert_eq!(r.out, "");
    }
    let one = bounded(
        &[
            "eval",
            "--requests",
            &p,
            "--policy",
            "policies/amazon-s3-full-access.json",
            "--threads",
            "1",
        ],
        b"",
        GIB2,
        60,
    );
    assert_eq!(one.code, 0, "{}", one.err);
    assert_eq!(one.out.lines().count(), 2000);
    let many = bounded(
        &[
            "eval",
            "--requests",
            &p,
            "--policy",
            "policies/amazon-s3-full-access.json",
            "--threads",
            "256",
        ],
        b"",
        160,
        60,
    );
    assert_eq!(many.code, 0, "{}", many.err);
    assert_eq!(many.out, one.out);
}

// ---------------------------------------------------------------- --select

/// A Terraform plan of `n` managed policies `aws_iam_policy.pI`, each
/// allowing GetObject in bucket `bucket-I`, padded to more than 16 MiB.
fn big_plan(n: usize) -> String {
    let pad = "x".repeat(700);
    let mut planned = Vec::with_capacity(n);
    let mut changes = Vec::with_capacity(n);
    for i in 0..n {
        let policy = format!(
            r#"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bucket-{i}/*\"}}]}}"#
        );
        planned.push(format!(
            r#"{{"address":"aws_iam_policy.p{i}","mode":"managed","type":"aws_iam_policy","name":"p{i}","values":{{"name":"policy-{i}","description":"{pad}","policy":"{policy}"}}}}"#
        ));
        changes.push(format!(
            r#"{{"address":"aws_iam_policy.p{i}","mode":"managed","type":"aws_iam_policy","name":"p{i}","change":{{"actions":["create"],"after":{{"name":"policy-{i}"}},"after_unknown":{{}}}}}}"#
        ));
    }
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{{"root_module":{{"resources":[{}]}}}},"resource_changes":[{}]}}"#,
        planned.join(","),
        changes.join(",")
    )
}

/// Issue 15, items 4 and 5: fifty `--select`s on a plan of 20,000
/// resources cost about 1.3 s each; the file is indexed once now. The
/// plan is larger than the 16 MiB cap of one policy: a plan has its own
/// cap. All of it within 60 s and 2 GiB, in a debug build.
#[test]
fn many_selects_on_a_large_plan_are_linear() {
    let dir = tempdir::Dir::new();
    let text = big_plan(20_000);
    assert!(text.len() > 16 << 20, "{} bytes", text.len());
    let plan = write(&dir, "plan.json", &text);
    drop(text);
    let mut args: Vec<String> = [
        "can",
        "s3:GetObject",
        "arn:aws:s3:::bucket-19999/k",
        "--policy-from",
        &plan,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in (0..20_000).step_by(400).chain([19_999]) {
        args.push("--select".into());
        args.push(format!("aws_iam_policy.p{i}"));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = bounded(&argv, b"", GIB2, 60);
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    assert!(r.out.starts_with("ALLOW"), "{}", r.out);
    // a bucket no selected policy names is denied: the selections are exact
    let mut argv = argv;
    argv[2] = "arn:aws:s3:::bucket-1/k";
    let r = bounded(&argv, b"", GIB2, 60);
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
}

/// Issue 15, item 5: each kind of input has its cap, and the message names
/// the kind (the sparse files cost nothing to write).
#[test]
fn size_caps_name_the_kind_of_input() {
    let dir = tempdir::Dir::new();
    let big = with_long_line(&dir, "big.json", "{", 300 << 20, "}");
    let cases: [(&[&str], &str); 3] = [
        (
            &["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy-from", &big],
            "input is larger than 256 MiB, the limit for a Terraform plan, CloudFormation template or account authorization dump",
        ),
        (
            &["replay", &big, "--suggest"],
            "input is larger than 256 MiB, the limit for a CloudTrail file",
        ),
        (
            &["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &big],
            "input is larger than 16 MiB, the limit for a policy",
        ),
    ];
    for (args, want) in cases {
        let r = bounded(args, b"", GIB2, 60);
        assert_eq!(r.code, 2, "{args:?}: {}", r.err);
        assert!(r.err.contains(want), "{args:?}: {}", r.err);
    }
}

// ---------------------------------------------------------------- diagnostics

/// Issue 15, item 6: a template whose `Fn::Split` makes a list of 200,000
/// bad actions printed one identical error line per item (172 MB of stderr
/// for a large one). At most 1,000 are kept per policy and at most ten
/// alike are shown, then "… and N more like this".
#[test]
fn repeated_diagnostics_are_capped() {
    let dir = tempdir::Dir::new();
    let list = vec!["nope"; 200_000].join(",");
    let template = write(
        &dir,
        "split.json",
        format!(
            r#"{{"Resources":{{"P":{{"Type":"AWS::IAM::ManagedPolicy","Properties":{{"PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{{"Fn::Split":[",","{list}"]}},"Resource":"*"}}]}}}}}}}}}}"#
        ),
    );
    let r = bounded(
        &[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--policy-from",
            &template,
        ],
        b"",
        GIB2,
        60,
    );
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(
        r.err.lines().count() < 60,
        "{} lines:\n{}",
        r.err.lines().count(),
        r.err
    );
    assert!(
        r.err.contains("… and 990 more like this: error["),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains("… and 199000 more problems in this policy (s3guard lists the first 1000)"),
        "{}",
        r.err
    );
}

// ---------------------------------------------------------------- forged output

/// Issue 15, item 7: control characters from policies, test files and
/// request strings reached the terminal (`ESC [2J` cleared it) and a
/// newline in a test-case name forged an `ok` line. Text output shows them
/// escaped (`\u{1b}`, `\n`); JSON stays JSON.
#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = tempdir::Dir::new();
    // a bucket policy's Sid may hold any character
    let policy = write(
        &dir,
        "esc.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"a\u001b[2J\u001b]0;owned\u0007b\nok","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let no_escape = |r: &Run, what: &str| {
        assert!(!r.out.contains('\u{1b}'), "{what} stdout: {:?}", r.out);
        assert!(!r.err.contains('\u{1b}'), "{what} stderr: {:?}", r.err);
        assert!(!r.out.contains('\u{7}'), "{what} stdout: {:?}", r.out);
    };
    let r = bounded(
        &[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--bucket-policy",
            &policy,
            "--principal",
            "anonymous",
            "--explain",
        ],
        b"",
        GIB2,
        60,
    );
    no_escape(&r, "can");
    assert!(
        r.out.contains("Sid a\\u{1b}[2J\\u{1b}]0;owned\\u{7}b\\nok"),
        "{}",
        r.out
    );
    let r = bounded(&["lint", &policy, "--type", "bucket"], b"", GIB2, 60);
    no_escape(&r, "lint");
    // JSON keeps the value, escaped the JSON way
    let r = bounded(
        &[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--bucket-policy",
            &policy,
            "--principal",
            "anonymous",
            "--format",
            "json",
        ],
        b"",
        GIB2,
        60,
    );
    no_escape(&r, "can --format json");
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    assert!(v.to_string().contains("a\\u001b[2J"), "{v}");

    // a test case named with a newline and an escape sequence
    write(
        &dir,
        "allow.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
    );
    let t = write(
        &dir,
        "forge.s3guard.json",
        r#"{"policies":[{"file":"allow.json","type":"identity"}],"cases":[{"name":"real\n  ok      forged\u001b[32m","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"deny"}]}"#,
    );
    let r = bounded(&["test", &t], b"", GIB2, 60);
    assert_eq!(r.code, 1, "{}", r.out);
    no_escape(&r, "test");
    assert!(
        !r.out.lines().any(|l| l.trim_start().starts_with("ok")),
        "{}",
        r.out
    );
    assert!(
        r.out.contains("FAILED  real\\n  ok      forged\\u{1b}[32m"),
        "{}",
        r.out
    );

    // request strings of eval --requests, as text
    let requests = write(
        &dir,
        "r.jsonl",
        "{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/\\u001b[2J\\nALLOW\"}\n",
    );
    let r = bounded(
        &[
            "eval",
            "--requests",
            &requests,
            "--policy",
            "policies/amazon-s3-full-access.json",
            "--format",
            "text",
        ],
        b"",
        GIB2,
        60,
    );
    no_escape(&r, "eval --requests");
    assert_eq!(r.out.lines().count(), 1, "{}", r.out);
}

/// Issue 15, item 8: `review --format markdown` passed `<img onerror=…>`
/// and `<script>` from names through, and newlines in values broke table
/// rows and started headings.
#[test]
fn markdown_review_escapes_every_value() {
    let dir = tempdir::Dir::new();
    let policy = write(
        &dir,
        "md.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b<img src=x onerror=alert(1)>|x\n## owned/*"}]}"#,
    );
    let r = bounded(&["review", &policy, "--format", "markdown"], b"", GIB2, 60);
    assert_eq!(r.code, 0, "{}", r.err);
    // no raw HTML outside code spans (inside one, HTML is shown as text)
    for line in r.out.lines() {
        for (i, piece) in line.split('`').enumerate() {
            assert!(i % 2 == 1 || !piece.contains('<'), "raw HTML: {line}");
        }
    }
    assert!(
        !r.out.lines().any(|l| l.starts_with("## owned")),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("&lt;img src=x onerror=alert(1)&gt;\\|x\\\\n"),
        "{}",
        r.out
    );
    // every table row still has its four cells
    for row in r.out.lines().filter(|l| l.starts_with('|')) {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 5, "{row}");
    }
}

// ---------------------------------------------------------------- files

/// Issue 15, item 9: `init-tests --output` followed a dangling symbolic
/// link and created its target, `--force` wrote through links, and
/// `review --output` overwrote files without asking. Every `--output`
/// refuses an existing destination without `--force`, never follows a
/// link there, and names the path it wrote.
#[cfg(unix)]
#[test]
fn outputs_never_overwrite_or_follow_links() {
    let dir = tempdir::Dir::new();
    let d = dir.path();
    let at = |n: &str| d.join(n).to_string_lossy().into_owned();
    let policy = "policies/rails-app.json";
    for (what, args) in [
        ("init-tests", vec!["init-tests", policy, "--output"]),
        ("review", vec!["review", policy, "--output"]),
    ] {
        let target = at(&format!("{what}-target"));
        let link = at(&format!("{what}-link.s3guard.json"));
        std::os::unix::fs::symlink(&target, &link).unwrap();
        // a dangling link counts as existing: refused, nothing created
        let mut a = args.clone();
        a.push(&link);
        let r = bounded(&a, b"", GIB2, 60);
        assert_eq!(r.code, 2, "{what}: {}", r.err);
        assert!(
            r.err.contains("exists; s3guard does not overwrite files"),
            "{}",
            r.err
        );
        assert!(
            r.err.contains("help: pass --force to replace it"),
            "{}",
            r.err
        );
        assert!(
            !std::path::Path::new(&target).exists(),
            "{what} created the link's target"
        );
        // --force replaces the link itself; the target stays untouched
        std::fs::write(&target, "keep").unwrap();
        a.push("--force");
        let r = bounded(&a, b"", GIB2, 60);
        assert_eq!(r.code, 0, "{what}: {}", r.err);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(!meta.file_type().is_symlink(), "{what} kept the link");
        assert!(std::fs::read_to_string(&link).unwrap().len() > 100);
        assert!(
            r.out.contains(&link) || r.err.contains(&link),
            "{what} names the path: {}{}",
            r.out,
            r.err
        );
        // an existing file is refused without --force
        let plain = at(&format!("{what}-plain"));
        std::fs::write(&plain, "mine").unwrap();
        let mut a = args.clone();
        a.push(&plain);
        let r = bounded(&a, b"", GIB2, 60);
        assert_eq!(r.code, 2, "{what}: {}", r.err);
        assert_eq!(std::fs::read_to_string(&plain).unwrap(), "mine");
    }
    // no temporary file is left behind
    let left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Runs s3guard with stdout on `/dev/full` (every write fails: no space).
fn to_full_disk(args: &[&str]) -> (i32, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = Command::new(assert_cmd::cargo::cargo_bin("s3guard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Issue 15, item 10: a failed write on stdout was ignored (`replay
/// --suggest > /dev/full` exited 0 with the policy lost). It is exit 2
/// with a message, for every command.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_on_stdout_is_exit_2() {
    let dir = tempdir::Dir::new();
    let requests = write(&dir, "r.jsonl", format!("{GET}\n").repeat(100));
    let cases: [&[&str]; 6] = [
        &[
            "replay",
            "tests/fixtures/cloudtrail/rails-app-week.json",
            "--suggest",
        ],
        &["init-tests", "policies/rails-app.json"],
        &[
            "eval",
            "--requests",
            &requests,
            "--policy",
            "policies/amazon-s3-full-access.json",
        ],
        &["test", "tests/fixtures/ci-tests", "--format", "junit"],
        &["lint", "policies/rails-app.json", "--format", "sarif"],
        &["review", "policies/rails-app.json", "--format", "markdown"],
    ];
    for args in cases {
        let (code, err) = to_full_disk(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(
                "error[write-failed]: cannot write the answer to stdout: No space left on device"
            ),
            "{args:?}: {err}"
        );
    }
}

/// Issue 15, item 10: after `| head -1` closes the pipe, `eval` went on
/// evaluating the rest of its input. It stops reading at once and quietly.
#[test]
fn a_closed_pipe_stops_eval_promptly_and_quietly() {
    use std::io::{BufRead, BufReader, Write as _};
    let mut child = spawn(&[
        "eval",
        "--requests",
        "-",
        "--policy",
        "policies/amazon-s3-full-access.json",
    ]);
    let mut stdin = child.stdin.take().expect("stdin");
    // an endless input: the writer stops only when s3guard stops reading
    let writer = std::thread::spawn(move || {
        let chunk = format!("{GET}\n").repeat(1000);
        let mut written = 0usize;
        while stdin.write_all(chunk.as_bytes()).is_ok() {
            written += 1000;
            if written > 50_000_000 {
                return Err(written);
            }
        }
        Ok(written)
    });
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("a first answer");
    assert!(
        first.contains("\"Allow\"") || first.contains("allow"),
        "{first}"
    );
    drop(out); // `head -1` exits
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "s3guard kept running after its stdout closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let written = writer.join().expect("writer");
    assert!(
        written.is_ok(),
        "s3guard read {written:?} lines after the pipe closed"
    );
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(err, "", "quietly");
    assert_ne!(status.code(), Some(101), "no panic");
}

// ---------------------------------------------------------------- characters

/// Issue 15, item 11: a UTF-8 byte order mark is named as such, and
/// refused as AWS refuses it: IAM accepts only TAB, LF, CR and U+0020 to
/// U+00FF in a policy document
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>),
/// and S3 answers "Policies must be valid JSON and the first byte must be
/// '{'".
#[test]
fn a_byte_order_mark_is_named_and_refused() {
    let dir = tempdir::Dir::new();
    let body =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    let p = write(
        &dir,
        "bom.json",
        [b"\xef\xbb\xbf".as_slice(), body.as_bytes()].concat(),
    );
    let r = bounded(
        &["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p],
        b"",
        GIB2,
        60,
    );
    assert_eq!(r.code, 2, "{}", r.out);
    assert_eq!(r.out, "");
    assert!(
        r.err.contains(&format!("{p}:1:1: error[byte-order-mark]: the file starts with a UTF-8 byte order mark (EF BB BF)")),
        "{}",
        r.err
    );
    let p16 = write(&dir, "utf16.json", b"\xff\xfe{\0}\0");
    let r = bounded(&["lint", &p16], b"", GIB2, 60);
    assert!(r.out.contains("UTF-16 byte order mark"), "{}", r.out);
}

/// Issue 15, item 11: a name that looks right but holds a character
/// outside ASCII (a Cyrillic `е` in `s3:GetObjеct`) gets a did-you-mean
/// that points the character out; without it the two names read the same.
#[test]
fn look_alike_characters_are_pointed_out() {
    let dir = tempdir::Dir::new();
    let p = write(
        &dir,
        "cyrillic.json",
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObj\u{435}ct\",\"Resource\":\"*\"}}",
    );
    let hint = "help: did you mean `s3:GetObject`? `s3:GetObj\u{435}ct` holds `\u{435}` (U+0435) at character 10 — not ASCII, though it may look it";
    // `can` evaluates it (an unknown action of a known service matches
    // nothing) and warns; `lint` reports it as an error
    let r = bounded(
        &["can", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", &p],
        b"",
        GIB2,
        60,
    );
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.err.contains(hint), "{}", r.err);
    let r = bounded(&["lint", &p], b"", GIB2, 60);
    assert!(r.out.contains(hint), "{}", r.out);
}
