//! Installing s3guard: version, shell completions and man page generated
//! from the clap definitions (issue 7, "Install").

use crate::support::run;

const SUBCOMMANDS: &[&str] = &["can", "eval", "test", "init-tests", "completions", "man"];

#[test]
fn version_is_the_crate_version() {
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out, format!("s3guard {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for sub in SUBCOMMANDS {
            assert!(out.contains(sub), "{shell} completion lacks `{sub}`");
        }
    }
    let (_, bash, _) = run(&["completions", "bash"]);
    assert!(bash.contains("complete -F _s3guard"), "{bash}");
    assert!(bash.contains("--format"), "options are completed too");
    let (code, _, err) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn man_page_is_roff_generated_from_the_clap_definitions() {
    let (code, out, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!(
            ".TH s3guard 1  \"s3guard {}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "roff title header"
    );
    assert!(out.contains(".SH NAME"));
    assert!(out.contains("Offline AWS IAM policy evaluation"));
    for sub in SUBCOMMANDS {
        assert!(
            out.contains(&format!("s3guard\\-{}(1)", sub.replace('-', "\\-"))),
            "page lists `{sub}`"
        );
    }
    let (code, page, _) = run(&["man", "test"]);
    assert_eq!(code, 0);
    assert!(
        page.contains(".TH s3guard-test 1  \"test 0.1.0\""),
        "{}",
        &page[..300.min(page.len())]
    );
    assert!(
        page.contains("\\fBs3guard test\\fR"),
        "synopsis names the full command"
    );
    assert!(page.contains("\\-\\-format"));
    let (code, _, err) = run(&["man", "tset"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `test`?"), "{err}");
}
