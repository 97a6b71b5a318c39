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
