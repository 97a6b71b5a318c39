//! A case line's top-level members, found without building a JSON tree:
//! each member's name and the raw text of its value. `eval --cases` hashes
//! the policy fields' text to find a compiled set in its cache before any
//! policy is parsed (`cases::SetCache`).
//!
//! The scan checks the grammar of the top-level object strictly (white
//! space, quotes, `:`, `,`, one object and nothing after it) but not the
//! values inside: a value is skipped by its quotes and brackets. A line it
//! declines (`None`) is read by the full parser, which says what is wrong;
//! a value's text is trusted only when it equals, byte for byte, the text
//! of a value the full parser accepted before, or after the full parser
//! has read that text on its own.

use smallvec::SmallVec;

/// One top-level member of a case line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The member's name (a key without escapes).
    pub name: &'a str,
    /// Where its value's text starts in the line (byte offset).
    pub start: usize,
    /// The value's text, exactly as written (no white space around it).
    pub raw: &'a str,
}

/// The members of a line; a case has at most one of each known field.
pub type Fields<'a> = SmallVec<[Field<'a>; 32]>;

/// The members of the JSON object `text`, in order, or `None` when the line
/// is not such an object, a key is not one that `known` accepts (unknown
/// keys and keys written with escapes), or a key comes twice.
pub fn scan<'a>(text: &'a str, known: impl Fn(&str) -> bool) -> Option<Fields<'a>> {
    let b = text.as_bytes();
    let mut fields = Fields::new();
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (ws(b, i + 1) == b.len()).then_some(fields);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let close = memchr::memchr2(b'"', b'\\', b.get(i + 1..)?)? + i + 1;
        if b.get(close) != Some(&b'"') {
            return None;
        }
        let name = text.get(i + 1..close)?;
        if !known(name) || fields.iter().any(|f: &Field<'_>| f.name == name) {
            return None;
        }
        i = ws(b, close + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = ws(b, i + 1);
        let end = value_end(b, start)?;
        fields.push(Field {
            name,
            start,
            raw: text.get(start..end)?,
        });
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b'}') => return (ws(b, i + 1) == b.len()).then_some(fields),
            _ => return None,
        }
    }
}

/// The first offset from `i` that is not JSON white space.
fn ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// Just past the string literal whose opening quote is at `i`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let k = memchr::memchr2(b'"', b'\\', b.get(j..)?)? + j;
        if b.get(k) == Some(&b'"') {
            return Some(k + 1);
        }
        // an escape: the byte after the backslash is never the end
        j = k + 2;
    }
}

/// Just past the value that starts at `i`, found by its quotes and
/// brackets only: exact for every valid JSON value, anything for the rest.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Option<Vec<(&str, &str)>> {
        scan(text, |k| k != "bad").map(|f| f.iter().map(|f| (f.name, f.raw)).collect())
    }

    /// Every member value the full parser reads is found with the same
    /// span, whatever its kind, nesting, escapes and white space.
    #[test]
    fn finds_the_spans_the_parser_finds() {
        let lines = [
            r#"{}"#,
            r#" { } "#,
            r#"{"a":1,"b":-2.5e+3,"c":true,"d":null,"e":"x\"}]\\","f":[1,[2,{"g":"]"}]],"h":{}}"#,
            "\t{ \"a\" :\r\n [ ] , \"b\":\"\\u00e9\\\\\" }\n",
            r#"{"a":{"b":{"c":"}}}"}},"z":"é"}"#,
        ];
        for line in lines {
            let parsed = crate::json::parse(line).unwrap().value;
            let want: Vec<(&str, &str)> = parsed
                .as_object()
                .unwrap()
                .iter()
                .map(|m| {
                    let raw = &line[m.value.span.start as usize..m.value.span.end as usize];
                    (m.key.as_str(), raw)
                })
                .collect();
            let got = scan(line, |_| true).unwrap();
            assert_eq!(
                got.iter().map(|f| (f.name, f.raw)).collect::<Vec<_>>(),
                want,
                "{line}"
            );
            for f in &got {
                assert_eq!(&line[f.start..f.start + f.raw.len()], f.raw);
            }
        }
    }

    /// Lines that are not a plain object of known, distinct, unescaped keys
    /// are declined (the full parser reads them).
    #[test]
    fn declines_what_it_does_not_check() {
        for line in [
            "",
            "[]",
            r#"{"a":1,}"#,
            r#"{"a":1"#,
            r#"{"a" 1}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a":1}x"#,
            r#"{"a":1}{}"#,
            r#"{"a":}"#,
            r#"{a:1}"#,
            r#"{"\u0061":1}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"bad":1}"#,
            r#"{"a":"unterminated}"#,
            r#"{"a":[1,2}"#,
        ] {
            assert_eq!(names(line), None, "{line}");
        }
        assert_eq!(names(r#"{"a":1}"#), Some(vec![("a", "1")]));
    }
}
