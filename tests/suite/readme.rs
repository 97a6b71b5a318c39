//! README examples are real: every `console` block is run and its output compared.
//!
//! Format: a line `$ s3guard ARGS   # exit N` runs s3guard; the lines up to the
//! next `$` line (or the end of the block) are its exact stdout. A `text`
//! block right after a console block holds the stderr of its last example.

use crate::support::{repo, run};

struct Example {
    line: usize,
    args: Vec<String>,
    exit: i32,
    stdout: Vec<String>,
    stderr: Option<Vec<String>>,
}

fn examples(markdown: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut in_stderr = false;
    let mut last_block_was_console = false;
    for (i, line) in markdown.lines().enumerate() {
        if line.starts_with("```") {
            let opening = !in_console && !in_stderr && line.trim() != "```";
            if in_console {
                in_console = false;
                last_block_was_console = true;
            } else if in_stderr {
                in_stderr = false;
                last_block_was_console = false;
            } else if opening && line.trim() == "```console" {
                in_console = true;
            } else if opening && line.trim() == "```text" && last_block_was_console {
                in_stderr = true;
                if let Some(ex) = out.last_mut() {
                    ex.stderr = Some(Vec::new());
                }
            } else {
                last_block_was_console = false;
            }
            continue;
        }
        if in_stderr {
            if let Some(Some(err)) = out.last_mut().map(|e| e.stderr.as_mut()) {
                err.push(line.to_string());
            }
            continue;
        }
        if !in_console {
            if !line.trim().is_empty() {
                last_block_was_console = false;
            }
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ s3guard ") {
            let (cmd, exit) = match cmd.rsplit_once("# exit ") {
                Some((c, e)) => (c.trim(), e.trim().parse().expect("exit code")),
                None => (cmd.trim(), 0),
            };
            out.push(Example {
                line: i + 1,
                args: shell_words(cmd),
                exit,
                stdout: Vec::new(),
                stderr: None,
            });
        } else if let Some(ex) = out.last_mut() {
            ex.stdout.push(line.to_string());
        }
    }
    out
}

/// Splits on spaces, honouring single and double quotes.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, ' ') => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// With `S3GUARD_BLESS=1`, rewrites the stdout of every console example
/// with what s3guard prints now (review the diff before committing).
fn bless(readme: &str, all: &[Example]) {
    let mut lines: Vec<String> = readme.lines().map(str::to_string).collect();
    for ex in all.iter().rev() {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let (_, out, _) = run(&args);
        let start = ex.line; // index of the first stdout line (0-based = line number)
        let end = start + ex.stdout.len();
        lines.splice(start..end, out.lines().map(|l| l.trim_end().to_string()));
    }
    std::fs::write(repo("README.md"), lines.join("\n") + "\n").unwrap();
}

#[test]
fn readme_console_examples_are_real() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let all = examples(&readme);
    assert!(all.len() >= 5, "README has console examples");
    if std::env::var_os("S3GUARD_BLESS").is_some() {
        bless(&readme, &all);
        return;
    }
    for ex in all {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        let got: Vec<&str> = out.lines().map(str::trim_end).collect();
        let want: Vec<&str> = ex.stdout.iter().map(|l| l.trim_end()).collect();
        assert_eq!(
            code, ex.exit,
            "README line {}: exit code\nstderr: {err}",
            ex.line
        );
        assert_eq!(got, want, "README line {}: stdout", ex.line);
        if let Some(want_err) = &ex.stderr {
            let got_err: Vec<&str> = err.lines().map(str::trim_end).collect();
            let want_err: Vec<&str> = want_err.iter().map(|l| l.trim_end()).collect();
            assert_eq!(got_err, want_err, "README line {}: stderr", ex.line);
        }
    }
}
