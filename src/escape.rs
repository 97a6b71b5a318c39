//! Text that cannot forge the terminal or the log it lands in.
//!
//! Policies, test files, request strings and file names reach s3guard's
//! text output. A control character among them would act on the reader's
//! terminal (`ESC [2J` clears it, `ESC ]0;…BEL` retitles it) and a line
//! break inside a value would forge a line of its own (a fake `ok` in a CI
//! log). So every text line is made of [`escape`]d pieces, as ripgrep and
//! cargo show them: a control character appears as `\u{1b}`, a line break
//! inside a value as `\n`. Unicode bidirectional controls (U+202A–U+202E,
//! U+2066–U+2069), which reorder what the reader sees ("Trojan Source"),
//! are shown the same way.
//!
//! This is the one place that decides what is escaped and how. Two views
//! use it: [`value`] for a value inside a line (line breaks escaped too),
//! and [`lines`] for a whole text answer (its own line breaks and tabs are
//! kept), which the command line applies to every text it prints as a net
//! under the values. JSON, SARIF, JUnit, HTML and Markdown have their own
//! escaping and are written as they are.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` acts on a terminal or reorders text: a C0 or C1 control,
/// DEL, or a bidirectional control.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as an escape: `\n`, `\r`,
/// `\t` for the usual ones, `\u{1b}` for the others. With
/// `keep_line_breaks`, `\n` and `\t` stay as they are (a text of several
/// lines). Borrows when there is nothing to escape.
pub fn escape(text: &str, keep_line_breaks: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_line_breaks && (c == '\n' || c == '\t');
    if !text.chars().any(|c| is_unsafe(c) && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if kept(c) || !is_unsafe(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// A value shown inside a line of text: every control character escaped,
/// line breaks included.
pub fn value(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// A whole text answer: control characters escaped, its line breaks and
/// tabs kept.
pub fn lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_as_escapes() {
        for (raw, want) in [
            ("plain: ünïcode ✓", "plain: ünïcode ✓"),
            ("\u{1b}[2J", "\\u{1b}[2J"),
            ("\u{1b}]0;owned\u{7}", "\\u{1b}]0;owned\\u{7}"),
            ("a\nok 2 - forged", "a\\nok 2 - forged"),
            ("cr\rover", "cr\\rover"),
            ("tab\there", "tab\\there"),
            ("del\u{7f} csi\u{9b}", "del\\u{7f} csi\\u{9b}"),
            ("rtl\u{202e}gnp.exe", "rtl\\u{202e}gnp.exe"),
        ] {
            assert_eq!(value(raw), want, "{raw:?}");
        }
        assert!(matches!(value("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn whole_texts_keep_their_lines() {
        assert_eq!(lines("a\tb\nc\u{1b}[31m\r\n"), "a\tb\nc\\u{1b}[31m\\r\n");
    }
}
