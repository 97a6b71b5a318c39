//! Invariants of the test runner's text handling: JUnit XML stays
//! well-formed whatever the names and messages, and `run` commands split
//! like a POSIX shell.

use proptest::prelude::*;
use s3guard::testfile::{
    junit, shell_words, FileOutcome, TestCaseResult, TestFileReport, TestStatus,
};

fn result(name: String, message: String, status: TestStatus) -> TestCaseResult {
    TestCaseResult {
        name,
        kind: "request",
        line: 3,
        column: 5,
        pointer: "/cases/0".into(),
        status,
        expected: "deny".into(),
        actual: Some("allow".into()),
        message: Some(message),
        details: vec!["ALLOW".into()],
        notes: vec![],
        request: None,
        deciding: vec![],
    }
}

/// What XML 1.0 can carry of a string (s3guard replaces the rest by U+FFFD).
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any case name, file name and message gives well-formed JUnit XML
    /// whose attributes read back as written.
    #[test]
    fn junit_is_well_formed_for_any_text(
        names in proptest::collection::vec(any::<String>(), 1..4),
        message in any::<String>(),
        file in "[a-z/<&\"' ]{1,12}\\.s3guard\\.json",
    ) {
        let cases: Vec<TestCaseResult> = names
            .iter()
            .enumerate()
            .map(|(i, n)| result(n.clone(), message.clone(), if i % 2 == 0 { TestStatus::Fail } else { TestStatus::Pass }))
            .collect();
        let report = TestFileReport {
            path: file.clone(),
            outcome: FileOutcome::Ran { cases, warnings: vec![] },
        };
        let xml = junit(&[report]);
        let doc = roxmltree::Document::parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        let testcases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
        prop_assert_eq!(testcases.len(), names.len());
        for (tc, name) in testcases.iter().zip(&names) {
            let want = xml_safe(name);
            prop_assert_eq!(tc.attribute("name"), Some(want.as_str()));
            prop_assert_eq!(tc.attribute("classname"), Some(file.as_str()));
        }
        let failures: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("failure")).collect();
        prop_assert_eq!(failures.len(), names.len().div_ceil(2));
        for f in failures {
            let want = xml_safe(&message);
            prop_assert_eq!(f.attribute("message"), Some(want.as_str()));
        }
    }

    /// Words quoted as a shell script would quote them split back into the
    /// same words.
    #[test]
    fn shell_words_undo_shell_quoting(words in proptest::collection::vec(any::<String>(), 0..6)) {
        let line: Vec<String> = words
            .iter()
            .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
            .collect();
        prop_assert_eq!(shell_words(&line.join(" ")).unwrap(), words);
    }
}
