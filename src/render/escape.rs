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
//! under the values. Each other output language has one function here:
//! Markdown values go through [`markdown`] and [`markdown_code`] (which
//! start from [`value`]), HTML through [`html`], XML (JUnit reports)
//! through [`xml`]; JSON and SARIF are written by serde.

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

/// A value in Markdown text (a paragraph, a list item, a table cell, a
/// heading): control characters and line breaks escaped as by [`value`]
/// (so a value cannot end a table row or start a heading), HTML
/// metacharacters as entities (no raw `<img onerror=…>` or `<script>`),
/// and the Markdown characters that could format, link or split a cell
/// backslash-escaped (`\ ` * _ [ ] | ~ $`, and at the start of the value
/// the ones that would open a heading, a list or a quote).
pub fn markdown(text: &str) -> String {
    let text = value(text);
    let mut out = String::with_capacity(text.len() + 8);
    // digits at the start followed by `.` or `)` would open an ordered list
    let lead_digits = text.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in text.chars().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i == lead_digits && i > 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A value as a Markdown code span: control characters and line breaks
/// escaped as by [`value`], fenced by more backticks than any run in the
/// value (so it cannot close the span early). HTML and Markdown inside a
/// code span are shown literally.
pub fn markdown_code(text: &str) -> String {
    let text = value(text);
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A sentence of s3guard's own wording in Markdown: its `` `…` `` spans
/// (values it quotes: keys, condition values, patterns) become code spans
/// by [`markdown_code`], the rest is text by [`markdown`]. A value holding
/// a backtick of its own only moves a span boundary: every piece is still
/// escaped.
pub fn markdown_wording(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, piece)| match (i % 2 == 1, piece.is_empty()) {
            (true, _) => markdown_code(piece),
            (false, true) => String::new(),
            (false, false) => markdown(piece),
        })
        .collect()
}

/// The character reference of a character that HTML and XML both read as
/// markup: `&`, `<`, `>` and `"` (which would end an attribute value).
fn markup_reference(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        _ => None,
    }
}

/// Text for HTML content and attribute values: the markup characters and
/// `'` as character references.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match (markup_reference(c), c) {
            (Some(r), _) => out.push_str(r),
            (None, '\'') => out.push_str("&#39;"),
            (None, c) => out.push(c),
        }
    }
    out
}

/// Text for XML 1.0 content and attribute values: the markup characters
/// and `'` as references, line breaks and tabs as numeric references (an
/// attribute value keeps them so), and the characters XML 1.0 forbids
/// (most control characters, U+FFFE, U+FFFF) as U+FFFD.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match (markup_reference(c), c) {
            (Some(r), _) => out.push_str(r),
            (None, '\'') => out.push_str("&apos;"),
            (None, '\n') => out.push_str("&#10;"),
            (None, '\t') => out.push_str("&#9;"),
            (None, '\r') => out.push_str("&#13;"),
            (None, c) if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}')
            }
            (None, c) => out.push(c),
        }
    }
    out
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

    #[test]
    fn markdown_values_cannot_format_or_inject() {
        for (raw, want) in [
            ("prod-logs", "prod-logs"),
            (
                "<img src=x onerror=alert(1)>",
                "&lt;img src=x onerror=alert(1)&gt;",
            ),
            ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
            ("a|b\n## owned", "a\\|b\\\\n## owned"),
            ("# heading", "\\# heading"),
            ("- item", "\\- item"),
            ("1. item", "1\\. item"),
            ("[x](javascript:y)", "\\[x\\](javascript:y)"),
            (
                "*bold* _it_ ~s~ `c` $m$",
                "\\*bold\\* \\_it\\_ \\~s\\~ \\`c\\` \\$m\\$",
            ),
            ("a & \"b\"", "a &amp; &quot;b&quot;"),
        ] {
            assert_eq!(markdown(raw), want, "{raw:?}");
        }
        assert_eq!(markdown_code("s3:GetObject"), "`s3:GetObject`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_code("a\nb"), "`a\\nb`");
        assert_eq!(
            markdown_wording("denied if `aws:SecureTransport` is `<b>`"),
            "denied if `aws:SecureTransport` is `<b>`"
        );
        assert_eq!(
            markdown_wording("only if `k` is `a`|b<i>`"),
            "only if `k` is `a`\\|b&lt;i&gt;``"
        );
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<img src=\"x\" alt='a & b'>\n"),
            "&lt;img src=&quot;x&quot; alt=&#39;a &amp; b&#39;&gt;\n"
        );
    }

    #[test]
    fn xml_escapes_markup_and_forbidden_characters() {
        assert_eq!(
            xml("a<b>&\"c'\u{1}\n\t\r\u{FFFE}"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}&#10;&#9;&#13;\u{FFFD}"
        );
    }
}
