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
    /// The number the `classify` of [`scan`] gave the name.
    pub number: u32,
    /// What the `classify` of [`scan`] said of the name.
    pub flag: bool,
    /// The value is a string or an array of strings that the full parser
    /// accepts, as [`is_plain_value`] tells (found so by the scan, which
    /// reads such values that way first); `false` says nothing.
    pub checked: bool,
}

/// The members of a line; a case has at most one of each known field (a
/// usual case a dozen: more are kept on the heap).
pub type Fields<'a> = SmallVec<[Field<'a>; 16]>;

/// The members of the JSON object `text`, in order, or `None` when the line
/// is not such an object, a key is not one that `classify` knows (`None`
/// for unknown keys; keys written with escapes or control characters are
/// never asked about), or a key comes twice. `classify` numbers each key
/// it knows (below 64, one number per key: the duplicate check compares
/// numbers) and says a flag that each field keeps.
pub fn scan<'a>(
    text: &'a str,
    classify: impl Fn(&str) -> Option<(u32, bool)>,
) -> Option<Fields<'a>> {
    scan_with(text, classify, |_, _| None)
}

/// [`scan`], skipping values whose text is known: `known` is asked, for
/// each member whose value is not a string or an array of strings, with
/// the member's number and the line from the value's first byte on, and
/// answers the length of a known text the line starts with. Such a text
/// must be a whole JSON object, array or string the full parser accepted
/// (a line that starts with it holds that value, which ends where it
/// does: what follows cannot extend it); the scan then takes that length
/// instead of skipping the value by its quotes and brackets. A set of
/// policies seen before is a few memory comparisons, not a walk of its
/// text.
pub fn scan_with<'a>(
    text: &'a str,
    classify: impl Fn(&str) -> Option<(u32, bool)>,
    mut known: impl FnMut(u32, &'a str) -> Option<usize>,
) -> Option<Fields<'a>> {
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
    let mut seen = 0u64;
    loop {
        let (name, close) = plain_at(text, i)?;
        let (number, flag) = classify(name)?;
        let bit = 1u64.checked_shl(number)?;
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        i = ws(b, close);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = ws(b, i + 1);
        // a label's string or array of strings is checked on the way (it
        // ends where `value_end` says, as any valid value does)
        let (end, checked) = match checked_value_end(b, start) {
            Some(end) => (end, true),
            None => {
                let rest = text.get(start..).unwrap_or_default();
                let skip = match rest.as_bytes().first() {
                    Some(b'{' | b'[' | b'"') => known(number, rest).filter(|&n| n <= rest.len()),
                    _ => None,
                };
                match skip {
                    Some(len) => (start + len, false),
                    None => (value_end(b, start)?, false),
                }
            }
        };
        fields.push(Field {
            name,
            start,
            raw: text.get(start..end)?,
            number,
            flag,
            checked,
        });
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b'}') => return (ws(b, i + 1) == b.len()).then_some(fields),
            _ => return None,
        }
    }
}

/// Whether two short texts are equal, told by their length and last byte
/// first (keys of one object mostly differ there; a `memcmp` call per
/// pair cost more than the comparison).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

/// The first offset from `i` that is not JSON white space.
fn ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// Bytes `1` at each of eight places.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);
/// The high bit of each of eight bytes.
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
/// `byte` at each of eight places.
const fn each(byte: u8) -> u64 {
    u64::from_le_bytes([byte; 8])
}

/// The high bit of each zero byte of `v`. Only the lowest set bit is
/// exact (a borrow may mark a byte above a zero one): callers look at the
/// lowest only.
fn zeros(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// The eight bytes at `j` as one word (the first in its lowest byte).
fn word_at(b: &[u8], j: usize) -> Option<u64> {
    let mut eight = [0u8; 8];
    eight.copy_from_slice(b.get(j..j + 8)?);
    Some(u64::from_le_bytes(eight))
}

/// Just past the string literal whose opening quote is at `i`. Eight
/// bytes are looked at a time (most strings of a policy are short: a call
/// to `memchr` per string cost more than the search).
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        while let Some(w) = word_at(b, j) {
            let hit = zeros(w ^ each(b'"')) | zeros(w ^ each(b'\\'));
            if hit != 0 {
                j += (hit.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        match b.get(j)? {
            b'"' => return Some(j + 1),
            // an escape: the byte after the backslash is never the end
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// The first offset from `j` whose byte ends a plain run of a string: a
/// quote, a backslash or a control character (below `0x20`); `None` when
/// the text ends first. Eight bytes at a time, as [`string_end`].
fn string_stop(b: &[u8], mut j: usize) -> Option<usize> {
    while let Some(w) = word_at(b, j) {
        // a byte below 0x20 borrows into its high bit; one of 0x80 or more
        // has it set already and is masked out by `!w`
        let control = w.wrapping_sub(each(0x20)) & !w & HIGHS;
        let hit = zeros(w ^ each(b'"')) | zeros(w ^ each(b'\\')) | control;
        if hit != 0 {
            return Some(j + (hit.trailing_zeros() / 8) as usize);
        }
        j += 8;
    }
    while let Some(&c) = b.get(j) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return Some(j);
        }
        j += 1;
    }
    None
}

/// Just past the string literal at `i` when the full parser accepts it
/// and its escapes are all of one character (`\"`, `\n`, …; a `\u`
/// escape is declined: a surrogate may be lone); `None` otherwise.
fn checked_string_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        j = string_stop(b, j)?;
        match (b.get(j)?, b.get(j + 1)) {
            (b'"', _) => return Some(j + 1),
            (b'\\', Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't')) => j += 2,
            _ => return None,
        }
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

/// The text of the JSON string literal `raw` (quotes included) when it is
/// its own value: no escape and no control character in it. `None`
/// otherwise (the full parser reads it).
pub fn plain_string(raw: &str) -> Option<&str> {
    plain_at(raw, 0)
        .filter(|&(_, end)| end == raw.len())
        .map(|(text, _)| text)
}

/// A value of a flat object ([`flat_members`]): a string, or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plain<'a> {
    /// `"text"`
    One(&'a str),
    /// `["text", …]`
    Many(SmallVec<[&'a str; 4]>),
}

/// Hands each member of the JSON object `raw` to `member`, in order, and
/// answers `Some` when its keys and values need no unescaping (see
/// [`plain_string`]) and every value is a string or an array of strings:
/// then these are exactly the keys and texts the full parser reads from
/// it. `None` for anything else (the members handed over until then are
/// to be dropped). A key may come twice: the caller tells (the full
/// parser calls the object invalid then).
pub fn flat_members<'a>(raw: &'a str, member: impl FnMut(&'a str, Plain<'a>)) -> Option<()> {
    let end = flat_members_len(raw, member)?;
    (ws(raw.as_bytes(), end) == raw.len()).then_some(())
}

/// [`flat_members`] of the object at the start of `raw`, whatever
/// follows it: the length of the object's text (a scan that reads a flat
/// value this way need not skip it first).
pub fn flat_members_len<'a>(raw: &'a str, member: impl FnMut(&'a str, Plain<'a>)) -> Option<usize> {
    object_members_len(
        raw,
        false,
        |i| {
            let b = raw.as_bytes();
            match b.get(i)? {
                b'"' => plain_at(raw, i).map(|(text, end)| (Plain::One(text), end)),
                b'[' => {
                    let mut items = SmallVec::new();
                    let end = array_at(b, i, |j| {
                        let (text, end) = plain_at(raw, j)?;
                        items.push(text);
                        Some(end)
                    })?;
                    Some((Plain::Many(items), end))
                }
                _ => None,
            }
        },
        member,
    )
}

/// The members of the object `raw`, each value read by `value` (its
/// start in, what it read and the offset past it out), each handed to
/// `member`; `Some` when `raw` is one object of plain keys, `distinct`
/// when asked (the check compares keys as written, so they must be
/// unescaped), whose every value `value` read, and nothing after it.
fn object_members<'a, V>(
    raw: &'a str,
    distinct: bool,
    value: impl FnMut(usize) -> Option<(V, usize)>,
    member: impl FnMut(&'a str, V),
) -> Option<()> {
    let end = object_members_len(raw, distinct, value, member)?;
    (ws(raw.as_bytes(), end) == raw.len()).then_some(())
}

/// [`object_members`] of the object at the start of `raw`, whatever
/// follows it: the offset just past its `}`.
fn object_members_len<'a, V>(
    raw: &'a str,
    distinct: bool,
    mut value: impl FnMut(usize) -> Option<(V, usize)>,
    mut member: impl FnMut(&'a str, V),
) -> Option<usize> {
    let b = raw.as_bytes();
    let mut keys: SmallVec<[&str; 32]> = SmallVec::new();
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some(i + 1);
    }
    loop {
        let (key, end) = plain_at(raw, i)?;
        if distinct {
            if keys.iter().any(|k| same(k, key)) {
                return None;
            }
            keys.push(key);
        }
        i = ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let (v, end) = value(ws(b, i + 1))?;
        member(key, v);
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b'}') => return Some(i + 1),
            _ => return None,
        }
    }
}

/// Whether `raw` is a JSON value the full parser accepts, told without a
/// tree for the shapes label fields have (a string, an array of strings,
/// an object of strings and arrays of strings, with plain keys; strings
/// may hold one-character escapes such as `\"`); `false` for any other
/// text (the full parser then reads it).
pub fn is_plain_value(raw: &str) -> bool {
    let b = raw.as_bytes();
    if b.first() == Some(&b'{') {
        return object_members(
            raw,
            true,
            |i| checked_value_end(b, i).map(|end| ((), end)),
            |_, ()| {},
        )
        .is_some();
    }
    checked_value_end(b, 0) == Some(raw.len())
}

/// Just past the checked string or array of checked strings at `i` (see
/// [`is_plain_value`]); `None` for any other value.
fn checked_value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => checked_string_end(b, i),
        b'[' => checked_array_end(b, i),
        _ => None,
    }
}

/// Just past the array of checked strings ([`checked_string_end`]) at `i`.
fn checked_array_end(b: &[u8], i: usize) -> Option<usize> {
    array_at(b, i, |j| checked_string_end(b, j))
}

/// The plain string literal at `i` and the offset past it.
fn plain_at(raw: &str, i: usize) -> Option<(&str, usize)> {
    let b = raw.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let close = string_stop(b, i + 1)?;
    if b.get(close) != Some(&b'"') {
        return None;
    }
    Some((raw.get(i + 1..close)?, close + 1))
}

/// Just past the array at `i` whose every item `item` reads (its start
/// in, the offset past it out).
fn array_at(b: &[u8], i: usize, mut item: impl FnMut(usize) -> Option<usize>) -> Option<usize> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut i = ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(i + 1);
    }
    loop {
        i = ws(b, item(i)?);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b']') => return Some(i + 1),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The members [`flat_members`] hands over, when it answers.
    /// (declining a key twice, as the parser's duplicate check does).
    fn flat_object(raw: &str) -> Option<Vec<(&str, Plain<'_>)>> {
        let mut members: Vec<(&str, Plain<'_>)> = Vec::new();
        flat_members(raw, |k, v| members.push((k, v)))?;
        let twice = members
            .iter()
            .enumerate()
            .any(|(i, (k, _))| members.iter().skip(i + 1).any(|(l, _)| k == l));
        (!twice).then_some(members)
    }

    /// Keys of one lower-case letter, numbered by it.
    fn letters(k: &str) -> Option<(u32, bool)> {
        match k.as_bytes() {
            [c @ b'a'..=b'z'] => Some((u32::from(c - b'a'), true)),
            _ => None,
        }
    }

    fn names(text: &str) -> Option<Vec<(&str, &str)>> {
        scan(text, letters).map(|f| f.iter().map(|f| (f.name, f.raw)).collect())
    }

    /// The end of a string is found wherever its quote falls in a word
    /// of eight, after escapes of every kind.
    #[test]
    fn string_ends_are_exact() {
        for body in [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "\\\"",
            "ab\\\\",
            "0123456\\\"89abcdef\\\\",
            "é\\u00e9",
        ] {
            for pad in 0..9 {
                let text = format!("{}\"{body}\"{}", " ".repeat(pad), "\"x\"".repeat(2));
                let end = string_end(text.as_bytes(), pad).unwrap();
                assert_eq!(&text[pad..end], format!("\"{body}\""), "{text}");
            }
        }
        assert_eq!(string_end(b"\"abc", 0), None);
        assert_eq!(string_end(b"\"abcdefghijk\\\"", 0), None);
    }

    /// A known text is taken at its length, and a line that only starts
    /// like it is scanned as before: the fields are those of [`scan`].
    #[test]
    fn known_values_are_skipped_at_their_length() {
        let letters = |k: &str| Some((u32::from(k.as_bytes()[0] - b'a'), false));
        let known = br#"{"x":[1,{"y":"}"}]}"#;
        let with = |line: &'static str| {
            let mut asked = 0;
            let fields = scan_with(line, letters, |_, rest| {
                asked += 1;
                rest.as_bytes().starts_with(known).then_some(known.len())
            })
            .map(|f| f.iter().map(|f| (f.name, f.raw)).collect::<Vec<_>>());
            (fields, asked)
        };
        let without = |line: &'static str| {
            scan(line, letters).map(|f| f.iter().map(|f| (f.name, f.raw)).collect::<Vec<_>>())
        };
        for line in [
            r#"{"a":{"x":[1,{"y":"}"}]},"b":"s"}"#,
            r#"{"a":{"x":[1,{"y":"}"}]}}"#,
            r#"{"b":"s","a":{"x":[1,{"y":"}"}]} }"#,
            r#"{"a":{"x":[1,{"y":"}"}],"z":2},"b":"s"}"#,
            r#"{"a":{"x":[1,{"y":"}"}]}x,"b":"s"}"#,
            r#"{"a":{"x":[1,{"y":"}"}]"#,
            r#"{"a":["s","t"],"b":{"x":[1,{"y":"}"}]}}"#,
        ] {
            let (fields, _) = with(line);
            assert_eq!(fields, without(line), "{line}");
        }
        // the string array is checked, never asked about; the object is
        assert_eq!(with(r#"{"a":["s","t"],"b":{"x":[1,{"y":"}"}]}}"#).1, 1);
        assert_eq!(with(r#"{"a":1,"b":true}"#).1, 0);
    }

    proptest::proptest! {
        /// The word-at-a-time search ends where a byte-at-a-time one does,
        /// on any text of quotes, backslashes and other characters.
        #[test]
        fn string_end_agrees_with_a_byte_loop(
            text in proptest::collection::vec(
                proptest::sample::select(vec!["a", "\"", "\\", "é", " ", "\\\""]),
                0..40,
            )
        ) {
            let text = format!("\"{}", text.concat());
            let b = text.as_bytes();
            let mut j = 1;
            let reference = loop {
                match b.get(j) {
                    None => break None,
                    Some(b'"') => break Some(j + 1),
                    Some(b'\\') => j += 2,
                    Some(_) => j += 1,
                }
            };
            proptest::prop_assert_eq!(string_end(b, 0), reference);
        }

        /// The word-at-a-time stop is the first quote, backslash or
        /// control character, as a byte loop finds it, from any offset.
        #[test]
        fn string_stop_agrees_with_a_byte_loop(
            text in proptest::collection::vec(
                proptest::sample::select(vec!["a", "\"", "\\", "é", " ", "\n", "\u{1f}", "\u{7f}", "\u{80}", "~"]),
                0..40,
            ),
            from in 0usize..8,
        ) {
            let text = text.concat();
            let b = text.as_bytes();
            let reference = (from..b.len())
                .find(|&j| b[j] == b'"' || b[j] == b'\\' || b[j] < 0x20);
            proptest::prop_assert_eq!(string_stop(b, from), reference);
        }

        /// A string the check takes, the parser takes (with the same
        /// span); over quotes, escapes of every kind, control characters.
        #[test]
        fn checked_strings_are_strings_the_parser_reads(
            body in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "é", " ", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
                    "\\t", "\\u0041", "\\x", "\\", "\n", "\t", "\"",
                ]),
                0..12,
            )
        ) {
            let text = format!("\"{}\"", body.concat());
            let parsed = crate::json::parse(&text);
            match checked_string_end(text.as_bytes(), 0) {
                Some(end) if end == text.len() => proptest::prop_assert!(parsed.is_ok(), "{}", text),
                Some(end) => {
                    // a quote inside ends it: what the parser sees is more text
                    let head = crate::json::parse(&text[..end]);
                    proptest::prop_assert!(head.is_ok(), "{}", text);
                }
                None => {
                    // declined: bad text, or a \u escape the parser may take
                    let simple = !text.contains("\\u");
                    if simple {
                        proptest::prop_assert!(parsed.is_err(), "{}", text);
                    }
                }
            }
        }
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
            r#"{"a":["x","y\"z"],"b":"q\/","c":["x",1],"d":"\u0041","e":[],"f":["\t"]}"#,
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
            let got = scan(line, |k| letters(k).map(|(n, _)| (n, n % 2 == 0))).unwrap();
            assert_eq!(
                got.iter().map(|f| (f.name, f.raw)).collect::<Vec<_>>(),
                want,
                "{line}"
            );
            for f in &got {
                assert_eq!(&line[f.start..f.start + f.raw.len()], f.raw);
                assert_eq!(f.flag, (f.name.as_bytes()[0] - b'a') % 2 == 0);
                assert_eq!(f.number, u32::from(f.name.as_bytes()[0] - b'a'));
                if !f.raw.starts_with('{') {
                    assert_eq!(f.checked, is_plain_value(f.raw), "{}", f.raw);
                }
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
            "{\"a\u{1}\":1}",
            r#"{"a":1,"b":2,"a":3}"#,
            r#"{"a":"unterminated}"#,
            r#"{"a":[1,2}"#,
        ] {
            assert_eq!(names(line), None, "{line}");
        }
        assert_eq!(names(r#"{"a":1}"#), Some(vec![("a", "1")]));
    }

    /// The plain readers answer only for text the full parser reads to
    /// the same strings, and decline everything else.
    /// A flat object read at the start of a text, whatever follows: the
    /// members [`flat_members`] reads from the object alone, and the
    /// length the scan would skip ([`value_end`]); nothing for a text
    /// whose start is not such an object.
    #[test]
    fn flat_objects_are_read_in_place() {
        for (object, rest) in [
            (r#"{}"#, ""),
            (r#"{"k":"v"}"#, r#","id":"x"}"#),
            (r#"{ "k" : "v" , "l" : [ "x" , "y" ] , "m" : [ ] }"#, " }"),
            (r#"{"k":"v","k":"w"}"#, "}"),
            (r#"{"a}":"]"}"#, r#"} junk"#),
        ] {
            let text = format!("{object}{rest}");
            let mut members = Vec::new();
            let len = flat_members_len(&text, |k, v| members.push((k, v)));
            assert_eq!(len, Some(object.len()), "{text}");
            assert_eq!(len, value_end(text.as_bytes(), 0), "{text}");
            let mut alone = Vec::new();
            assert!(flat_members(object, |k, v| alone.push((k, v))).is_some());
            assert_eq!(members, alone, "{text}");
        }
        for text in [
            r#"{"k":1},"#,
            r#"{"k":{"a":"b"}}"#,
            r#"{"k":"v""#,
            r#"["k"]"#,
            r#""k""#,
            r#"{"k\u0041":"v"}"#,
        ] {
            assert_eq!(flat_members_len(text, |_, _| {}), None, "{text}");
        }
    }

    #[test]
    fn plain_values_read_as_the_parser_reads_them() {
        use crate::json::Kind;
        let texts = [
            r#""a b:c/é""#,
            r#""a\"b""#,
            "\"tab\there\"",
            r#"[]"#,
            r#"[ "a" , "b" ]"#,
            r#"["a",]"#,
            r#"["a" "b"]"#,
            r#"["a",1]"#,
            r#"{}"#,
            r#"{ "k" : "v" , "l" : [ "x" , "y" ] , "m" : [ ] }"#,
            r#"{"k":"v","k":"w"}"#,
            r#"{"k":"v",}"#,
            r#"{"k":1}"#,
            r#"{"k":null}"#,
            r#"{"k":{"a":"b"}}"#,
            r#"{"k\u0041":"v"}"#,
            r#"{"k":"v"} x"#,
            r#"{"k":"v""#,
            r#"{"k":["v"]]"#,
            r#"{"k":[["v"]]}"#,
        ];
        // label strings with one-character escapes are checked without the
        // parser; a \u escape is left to it
        for (text, plain) in [
            (r#""action [\"s3:Put*\",\"s3:Get*\"]""#, true),
            (r#"["a\\b","\n\t\/"]"#, true),
            (r#"{"k":"a\"b","l":["\r"]}"#, true),
            (r#"{"k\"":"v"}"#, false),
            (r#""a\u0041""#, false),
            (r#""a\x""#, false),
            (r#""a\""#, false),
        ] {
            assert_eq!(is_plain_value(text), plain, "{text}");
            assert!(!plain || crate::json::parse(text).is_ok(), "{text}");
        }
        for text in texts {
            let parsed = crate::json::parse(text)
                .ok()
                .filter(|p| p.duplicates.is_empty());
            let strings = |v: &crate::json::Value| -> Option<Vec<String>> {
                v.as_array()?
                    .iter()
                    .map(|i| i.as_str().map(String::from))
                    .collect()
            };
            if let Some(got) = flat_object(text) {
                let parsed = parsed.as_ref().expect(text);
                let members = parsed.value.as_object().unwrap();
                assert_eq!(got.len(), members.len(), "{text}");
                for ((k, v), m) in got.iter().zip(members) {
                    assert_eq!(*k, m.key.as_str());
                    match v {
                        Plain::One(s) => assert_eq!(Some(*s), m.value.as_str()),
                        Plain::Many(items) => assert_eq!(
                            Some(items.iter().map(|s| s.to_string()).collect()),
                            strings(&m.value)
                        ),
                    }
                }
            }
            if let Some(got) = plain_string(text) {
                assert_eq!(Some(got), parsed.as_ref().and_then(|p| p.value.as_str()));
            }
            if is_plain_value(text) {
                assert!(parsed.is_some(), "{text}");
            }
            // every shape these readers take, they take when the parser does
            if let Some(p) = &parsed {
                let all_strings =
                    |v: &crate::json::Value| v.as_str().is_some() || strings(v).is_some();
                let flat = p
                    .value
                    .as_object()
                    .is_some_and(|ms| ms.iter().all(|m| all_strings(&m.value)));
                let escaped = text.contains('\\') || text.contains('\t');
                if !escaped {
                    assert_eq!(flat_object(text).is_some(), flat, "{text}");
                    assert_eq!(
                        is_plain_value(text),
                        flat || all_strings(&p.value),
                        "{text}"
                    );
                }
                if matches!(p.value.kind, Kind::String(_)) && !escaped {
                    assert!(plain_string(text).is_some(), "{text}");
                }
            }
        }
    }
}
