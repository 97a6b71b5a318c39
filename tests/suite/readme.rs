//! The documentation is real: every `console` block of README.md and of
//! every `docs/*.md` is run and its output compared, every rule id cited in
//! the repository has a heading in docs/semantics.md, and every relative
//! link of the documentation points to a file (and heading) that exists.
//!
//! Format of a console block: a line `$ s3guard ARGS   # exit N` runs
//! s3guard from the repository root; the lines up to the next `$` line (or
//! the end of the block) are its exact stdout. A `$` line that does not run
//! s3guard (`$ cargo install …`) is shown, not run, and has no output. A
//! `text` block right after a console block holds the stderr of its last
//! example.

use std::path::PathBuf;

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
    // Whether the lines of a console block belong to the last example (false
    // after a `$` line that is shown but not run).
    let mut collecting = false;
    for (i, line) in markdown.lines().enumerate() {
        if line.starts_with("```") {
            let opening = !in_console && !in_stderr && line.trim() != "```";
            if in_console {
                in_console = false;
                last_block_was_console = collecting;
            } else if in_stderr {
                in_stderr = false;
                last_block_was_console = false;
            } else if opening && line.trim() == "```console" {
                in_console = true;
                collecting = false;
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
            collecting = true;
        } else if line.starts_with("$ ") {
            collecting = false;
        } else if collecting {
            if let Some(ex) = out.last_mut() {
                ex.stdout.push(line.to_string());
            }
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

/// With `S3GUARD_BLESS=1`, rewrites the stdout of every console example of
/// `file` with what s3guard prints now (review the diff before committing).
fn bless(file: &str, markdown: &str, all: &[Example]) {
    let mut lines: Vec<String> = markdown.lines().map(str::to_string).collect();
    for ex in all.iter().rev() {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let (_, out, _) = run(&args);
        let start = ex.line; // index of the first stdout line (0-based = line number)
        let end = start + ex.stdout.len();
        lines.splice(start..end, out.lines().map(|l| l.trim_end().to_string()));
    }
    std::fs::write(repo(file), lines.join("\n") + "\n").unwrap();
}

/// Runs every console example of `file` (relative to the repository) and
/// returns the number of examples and one message per mismatch, each naming
/// `FILE:LINE`.
fn check_file(file: &str) -> (usize, Vec<String>) {
    let markdown = std::fs::read_to_string(repo(file)).unwrap();
    let all = examples(&markdown);
    if std::env::var_os("S3GUARD_BLESS").is_some() {
        bless(file, &markdown, &all);
        return (all.len(), Vec::new());
    }
    let mut failures = Vec::new();
    for ex in &all {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        let got: Vec<&str> = out.lines().map(str::trim_end).collect();
        let want: Vec<&str> = ex.stdout.iter().map(|l| l.trim_end()).collect();
        let place = format!("{file}:{}: s3guard {}", ex.line, ex.args.join(" "));
        if code != ex.exit {
            failures.push(format!(
                "{place}\n  exit code {code}, documented {}\n  stderr: {err}",
                ex.exit
            ));
        }
        if got != want {
            failures.push(format!(
                "{place}\n  stdout differs\n  --- documented\n{}\n  --- printed\n{}",
                want.join("\n"),
                got.join("\n")
            ));
        }
        if let Some(want_err) = &ex.stderr {
            let got_err: Vec<&str> = err.lines().map(str::trim_end).collect();
            let want_err: Vec<&str> = want_err.iter().map(|l| l.trim_end()).collect();
            if got_err != want_err {
                failures.push(format!(
                    "{place}\n  stderr differs\n  --- documented\n{}\n  --- printed\n{}",
                    want_err.join("\n"),
                    got_err.join("\n")
                ));
            }
        }
    }
    (all.len(), failures)
}

/// The markdown files of `docs/`, sorted, as paths relative to the repository.
fn doc_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo("docs"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.ends_with(".md").then(|| format!("docs/{name}"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn readme_console_examples_are_real() {
    let (count, failures) = check_file("README.md");
    assert!(count >= 5, "README has console examples");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn docs_console_examples_are_real() {
    let mut total = 0;
    let mut failures = Vec::new();
    for file in doc_files() {
        let (count, mut f) = check_file(&file);
        total += count;
        failures.append(&mut f);
    }
    // The user guides hold the examples that moved out of the README.
    assert!(total >= 40, "docs/ has {total} console examples");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn console_example_format() {
    let md = "```console\n$ s3guard can a b   # exit 1\nDENY\n$ cargo build\nnoise\n```\n\n```text\nerr\n```\n";
    let all = examples(md);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].line, 2);
    assert_eq!(all[0].args, ["can", "a", "b"]);
    assert_eq!(all[0].exit, 1);
    assert_eq!(all[0].stdout, ["DENY"]);
    // The text block follows a `$` line that is not run: it is not stderr.
    assert_eq!(all[0].stderr, None);
    let md = "```console\n$ s3guard lint 'a b'   # exit 2\n```\n\n```text\nerr\n```\n";
    let all = examples(md);
    assert_eq!(all[0].args, ["lint", "a b"]);
    assert_eq!(all[0].stderr, Some(vec!["err".to_string()]));
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The headings of a markdown file (outside code blocks), as anchors.
fn anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` of a markdown text outside code blocks, with its line.
fn links(markdown: &str) -> Vec<(usize, String)> {
    let mut in_code = false;
    let mut out = Vec::new();
    for (i, line) in markdown.lines().enumerate() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                out.push((i + 1, rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
    }
    out
}

#[test]
fn documentation_links_resolve() {
    let mut files = vec!["README.md".to_string()];
    files.extend(doc_files());
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(repo(file)).unwrap();
        let dir = PathBuf::from(file)
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, fragment) = match target.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (target.as_str(), None),
            };
            let resolved = if path.is_empty() {
                PathBuf::from(file)
            } else {
                dir.join(path)
            };
            let Ok(content) = std::fs::read_to_string(repo(&resolved.to_string_lossy())) else {
                if !repo(&resolved.to_string_lossy()).exists() {
                    broken.push(format!("{file}:{line}: no file `{target}`"));
                }
                continue;
            };
            if let Some(fragment) = fragment {
                if resolved.extension().is_some_and(|e| e == "md")
                    && !anchors(&content).iter().any(|a| a == fragment)
                {
                    broken.push(format!("{file}:{line}: no heading for `{target}`"));
                }
            }
        }
    }
    assert!(checked >= 50, "only {checked} relative links found");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Rule ids (`E-5`, `M-4`, `C-13`, …) in a text.
fn rule_ids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut ids = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        // one letter (E-5), or AP for the access point rules (AP-1)
        let prefix = if bytes[i..].starts_with(b"AP-") { 2 } else { 1 };
        if !starts_word
            || (prefix == 1 && !b"GEMVCOA".contains(&b))
            || bytes.get(i + prefix) != Some(&b'-')
        {
            continue;
        }
        let digits: String = bytes[i + prefix + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .map(|&c| char::from(c))
            .collect();
        let after = bytes.get(i + prefix + 1 + digits.len());
        if digits.is_empty() || after.is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        ids.push(format!(
            "{}-{digits}",
            String::from_utf8_lossy(&bytes[i..i + prefix])
        ));
    }
    ids
}

fn files_under(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "rs" || e == "md" || e == "json" || e == "jsonl")
        {
            out.push(path);
        }
    }
}

/// Every rule id the code, the tests and the documentation cite resolves to
/// a heading `### ID …` of docs/semantics.md, so a reader can look it up.
#[test]
fn every_cited_rule_id_has_a_heading_in_semantics() {
    let semantics = std::fs::read_to_string(repo("docs/semantics.md")).unwrap();
    let headings: Vec<&str> = semantics
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .collect();
    let mut files = Vec::new();
    for dir in ["src", "tests", "docs"] {
        files_under(&repo(dir), &mut files);
    }
    files.push(repo("README.md"));
    let mut missing = Vec::new();
    let mut cited = std::collections::BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for id in rule_ids(&text) {
            cited.insert(id.clone());
            let has = headings.iter().any(|h| {
                h.strip_prefix(id.as_str())
                    .is_some_and(|r| r.starts_with(' '))
            });
            if !has && !missing.iter().any(|(i, _)| *i == id) {
                missing.push((id, file.display().to_string()));
            }
        }
    }
    assert_eq!(
        rule_ids("spec E-5 and M-4 rule 5, not AE-5 or E-5a, AP-1"),
        ["E-5", "M-4", "AP-1"]
    );
    // Every family of rules is cited somewhere.
    assert!(cited.len() >= 60, "only {} rule ids cited", cited.len());
    assert!(
        missing.is_empty(),
        "rule ids without a heading in docs/semantics.md: {missing:?}"
    );
}
