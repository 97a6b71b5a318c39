//! Opening a policy file: JSON parsing, duplicate keys, and unwrapping what
//! the AWS CLI prints around policies, with positions still pointing into
//! the file the user gave.
//!
//! Recognised wrappers: `aws iam get-policy-version`
//! (`{"PolicyVersion":{"Document":…}}`, the document an object, a JSON string
//! or a URL-encoded string), `aws s3api get-bucket-policy`
//! (`{"Policy":"<JSON text>"}`), `aws iam get-role-policy` / `get-user-policy`
//! / `get-group-policy` (`{"PolicyDocument":…}`) and
//! `aws organizations describe-policy` (`{"Policy":{"Content":"<JSON text>"}}`).

use std::sync::Arc;

use super::LoadError;
use crate::diagnostic::Diagnostic;
use crate::json::{self, Document, Kind, SourceFile, Span, Value};

/// The policy's document, its JSON root, the pointer of that root in the
/// document, and diagnostics found so far (duplicate keys).
pub(super) type Opened = (Document, Value, String, Vec<Diagnostic>);

pub(super) fn open(file: Arc<SourceFile>) -> Result<Opened, LoadError> {
    let outer = Document::whole(file.clone());
    let parsed = parse_doc(&outer)?;
    let mut diags = duplicate_diagnostics(&outer, &parsed.duplicates);
    let root = parsed.value;
    if root.get("Statement").is_some() {
        return Ok((outer, root, String::new(), diags));
    }
    let candidates: [(&[&str], &str); 4] = [
        (&["PolicyVersion", "Document"], "/PolicyVersion/Document"),
        (&["Policy", "Content"], "/Policy/Content"),
        (&["Policy"], "/Policy"),
        (&["PolicyDocument"], "/PolicyDocument"),
    ];
    for (path, pointer) in candidates {
        let Some(inner) = path.iter().try_fold(&root, |v, k| v.get(k)) else {
            continue;
        };
        match &inner.kind {
            Kind::Object(_) if inner.get("Statement").is_some() || path.len() == 2 => {
                return Ok((outer, inner.clone(), pointer.to_string(), diags));
            }
            Kind::String(_) => {
                let doc = embedded(&file, inner.span)?;
                let parsed = parse_doc(&doc)?;
                diags.extend(duplicate_diagnostics(&doc, &parsed.duplicates));
                return Ok((doc, parsed.value, String::new(), diags));
            }
            _ => {}
        }
    }
    Ok((outer, root, String::new(), diags))
}

pub(crate) fn parse_doc(doc: &Document) -> Result<json::Parsed, LoadError> {
    let parsed = match doc.shared_text() {
        Some((source, start, end)) => json::parse_shared(source, start, end),
        None => json::parse(doc.text()),
    };
    parsed.map_err(|e| {
        let loc = doc.location(u32::try_from(e.offset).unwrap_or(u32::MAX));
        LoadError {
            diagnostics: vec![Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
                .in_file(doc.name())
                .at(loc)
                .with_hint("the policy must be one JSON object; check quotes, commas and brackets near this place")],
        }
    })
}

pub(crate) fn duplicate_diagnostics(
    doc: &Document,
    dups: &[json::DuplicateKey],
) -> Vec<Diagnostic> {
    if dups.is_empty() {
        // almost every document: no collect over nothing
        return Vec::new();
    }
    dups.iter()
        .map(|d| {
            let first = doc.location(d.first.start);
            Diagnostic::error(
                "JSON_SYNTAX_ERROR",
                format!("duplicate key `{}` in one object", d.key),
            )
            .in_file(doc.name())
            .at(doc.location(d.second.start))
            .with_pointer(json::pointer::join(&d.object_pointer, &d.key))
            .with_hint(format!(
                "JSON parsers keep only one of the two (first at {}:{}); remove one or merge them",
                first.line, first.column
            ))
        })
        .collect()
}

/// The policy text inside a JSON string of the file, decoded (and
/// URL-decoded when needed), with the map back to file offsets.
pub(crate) fn embedded(file: &Arc<SourceFile>, span: Span) -> Result<Document, LoadError> {
    // A literal without escapes (IAM's URL-encoded documents) is its own
    // text: it is URL-decoded straight from the file, or is a slice of it,
    // without an unescaped copy and its map first.
    let (start, end) = (span.start as usize, span.end as usize);
    let raw = file
        .text()
        .get(start..end)
        .and_then(|lit| lit.strip_prefix('"')?.strip_suffix('"'))
        .filter(|body| {
            memchr::memchr2(b'\\', b'"', body.as_bytes()).is_none()
                && body.bytes().fold(u8::MAX, u8::min) >= 0x20
        });
    if let Some(body) = raw {
        let at = start + 1;
        if !body.trim_start().starts_with('{') && body.contains('%') {
            return Ok(percent_decoded_literal(file, body, at));
        }
        return Ok(Document::slice(file.clone(), at, at + body.len()));
    }
    let mut map = Vec::new();
    let (text, _) =
        json::unescape_at(file.text(), span.start as usize, Some(&mut map)).map_err(|e| {
            LoadError {
                diagnostics: vec![
                    Diagnostic::error("JSON_SYNTAX_ERROR", e.message).in_file(file.name())
                ],
            }
        })?;
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') && text.contains('%') {
        let (decoded, dmap) = percent_decode(&text, |i| map.get(i).copied().unwrap_or(0));
        return Ok(Document::embedded(file.clone(), decoded, dmap));
    }
    Ok(Document::embedded(file.clone(), text, map))
}

/// The value of each ASCII hex digit, `0xFF` for any other byte.
// Evaluated at compile time: an index out of bounds would fail the build.
#[allow(clippy::indexing_slicing)]
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            b @ b'A'..=b'F' => b - b'A' + 10,
            _ => 0xFF,
        };
        i += 1;
    }
    t
};

/// The value of the `%XX` escape at `i` of `bytes`, if one is there.
fn escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let digit = |at: usize| {
        HEX.get(usize::from(*bytes.get(at)?))
            .copied()
            .filter(|&d| d < 16)
    };
    Some(digit(i + 1)? << 4 | digit(i + 2)?)
}

/// Decodes `%XX` escapes (IAM returns documents URL-encoded, RFC 3986):
/// the decoded bytes, and the positions among them of the bytes decoded
/// from an escape, in order (a `%` that starts no escape is kept as
/// text). Both are allocated once, at their final length when every `%`
/// starts an escape.
///
/// One pass over the bytes: in an encoded document the runs between
/// escapes are a word or two (`%22Version%22%3A%22`), too short for a
/// vectorized search or a copy per run to pay its set-up (`memchr` per
/// run and per escape, with a map entry a byte, cost ~10.8 k instructions
/// a 212-byte trust policy; runs split at `%` and copied, ~7.7 k).
fn percent_decode_bytes(text: &str) -> (Vec<u8>, Vec<u32>) {
    let bytes = text.as_bytes();
    // a count that vectorizes; a `%` that starts no escape is rare
    let percents = bytes.iter().filter(|&&b| b == b'%').count();
    let mut out = Vec::with_capacity(bytes.len().saturating_sub(2 * percents));
    let mut escapes = Vec::with_capacity(percents);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escape = match b {
            b'%' => escape_at(bytes, i),
            _ => None,
        };
        match escape {
            Some(v) => {
                escapes.push(u32::try_from(out.len()).unwrap_or(u32::MAX));
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    (out, escapes)
}

/// The document percent-decoded from `body`, the text of a JSON string
/// without escapes at file offset `at`: its map is the positions of its
/// escapes ([`Document::percent_decoded`]), or a map a byte when the
/// decoded bytes are not UTF-8 (replaced, as [`percent_decode`] does).
fn percent_decoded_literal(file: &Arc<SourceFile>, body: &str, at: usize) -> Document {
    let (bytes, escapes) = percent_decode_bytes(body);
    match (String::from_utf8(bytes), u32::try_from(at + body.len())) {
        (Ok(text), Ok(_)) => Document::percent_decoded(file.clone(), text, at as u32, escapes),
        _ => {
            let (decoded, map) =
                percent_decode(body, |i| u32::try_from(at + i).unwrap_or(u32::MAX));
            Document::embedded(file.clone(), decoded, map)
        }
    }
}

/// Decodes `%XX` escapes as [`percent_decode_bytes`] does, with a map:
/// `origin(i)` is the file offset of byte `i` of `text`, and the map
/// gives the origin of each decoded byte (that of its `%` for an escape).
/// Decoded bytes that are not UTF-8 are replaced (U+FFFD), the map cut or
/// padded to the new length with the origin of the last byte.
fn percent_decode(text: &str, origin: impl Fn(usize) -> u32) -> (String, Vec<u32>) {
    let bytes = text.as_bytes();
    let (out, escapes) = percent_decode_bytes(text);
    let mut out_map = Vec::with_capacity(out.len());
    let mut next = escapes.iter().peekable();
    let mut src = 0;
    for i in 0..out.len() {
        out_map.push(origin(src));
        src += match next.next_if(|&&p| p as usize == i) {
            Some(_) => 3,
            None => 1,
        };
    }
    match String::from_utf8(out) {
        Ok(s) => (s, out_map),
        Err(e) => {
            let s = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let len = s.len();
            out_map.resize(len, origin(bytes.len().saturating_sub(1)));
            (s, out_map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_text(text: &str) -> Result<Opened, LoadError> {
        open(Arc::new(SourceFile::new("p.json", text)))
    }

    #[test]
    fn unwraps_get_bucket_policy_with_positions_into_the_file() {
        let text = "{\n  \"Policy\": \"{\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\"}}\"\n}";
        let (doc, root, _, _) = open_text(text).unwrap();
        let effect = root.get("Statement").unwrap().get("Effect").unwrap();
        let loc = doc.location(effect.span.start);
        assert_eq!(loc.line, 2);
        // the `\"Allow\"` value starts at the backslash before Allow's quote
        let col = text.lines().nth(1).unwrap().find("\\\"Allow").unwrap() + 1;
        assert_eq!(loc.column as usize, col);
    }

    #[test]
    fn unwraps_url_encoded_policy_version_documents() {
        let text =
            r#"{"PolicyVersion":{"Document":"%7B%22Statement%22%3A%5B%5D%7D","VersionId":"v1"}}"#;
        let (doc, root, _, _) = open_text(text).unwrap();
        assert!(root.get("Statement").is_some());
        assert_eq!(doc.text(), r#"{"Statement":[]}"#);
        let loc = doc.location(root.get("Statement").unwrap().span.start);
        assert_eq!(loc.column as usize, text.find("%5B").unwrap() + 1);
    }

    #[test]
    fn percent_decoding_maps_every_byte_to_its_place() {
        // a valid escape, a bad one (kept as text), and one cut short
        let (text, map) = percent_decode("a%41%zz%4", |i| u32::try_from(10 + i).unwrap());
        assert_eq!(text, "aA%zz%4");
        assert_eq!(map, [10, 11, 14, 15, 16, 17, 18]);
    }

    /// The decoding as RFC 3986 states it, a byte at a time: the
    /// reference [`percent_decode`] is checked against.
    fn percent_decode_reference(text: &str, base: u32) -> (String, Vec<u32>) {
        let bytes = text.as_bytes();
        let (mut out, mut map, mut i) = (Vec::new(), Vec::new(), 0);
        while i < bytes.len() {
            map.push(base + i as u32);
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit())) {
                Some(h) if bytes[i] == b'%' => {
                    out.push(u8::from_str_radix(h, 16).unwrap());
                    i += 3;
                }
                _ => {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
        }
        match String::from_utf8(out) {
            Ok(s) => (s, map),
            Err(e) => {
                let s = String::from_utf8_lossy(e.as_bytes()).into_owned();
                map.resize(s.len(), base + (bytes.len() as u32).saturating_sub(1));
                (s, map)
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn percent_decoding_agrees_with_a_byte_at_a_time_reference(
            text in "([%]|%[0-9a-fA-F]{2}|%[0-9a-gA-G]|[a-z\"{}:]|%E2%82|%AC|é){0,40}"
        ) {
            let (got, map) = percent_decode(&text, |i| 7 + i as u32);
            let (want, want_map) = percent_decode_reference(&text, 7);
            proptest::prop_assert_eq!(&got, &want);
            proptest::prop_assert_eq!(&map, &want_map);
            // the document of a literal, with its map of escapes only,
            // gives every offset (and those past the end) the same place
            let file = Arc::new(SourceFile::new("p.json", ""));
            let doc = percent_decoded_literal(&file, &text, 7);
            proptest::prop_assert_eq!(doc.text(), want.as_str());
            let whole = Document::embedded(file.clone(), want.clone(), want_map);
            for offset in 0..want.len() as u32 + 3 {
                proptest::prop_assert_eq!(doc.file_offset(offset), whole.file_offset(offset));
            }
        }
    }

    #[test]
    fn unwraps_object_documents_with_a_pointer() {
        let (_, root, pointer, _) =
            open_text(r#"{"PolicyVersion":{"Document":{"Statement":[]}}}"#).unwrap();
        assert_eq!(pointer, "/PolicyVersion/Document");
        assert!(root.get("Statement").is_some());
    }

    #[test]
    fn syntax_errors_inside_embedded_text_point_into_the_file() {
        let text = "{\"Policy\": \"{\\\"Statement\\\": [}\"}";
        let e = open_text(text).unwrap_err();
        let loc = e.diagnostics[0].location.unwrap();
        assert_eq!(loc.column as usize, text.find("[}").unwrap() + 2);
    }
}
