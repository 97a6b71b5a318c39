//! JSON pointers (RFC 6901), the address of every diagnostic.

/// Appends one pointer segment, escaped (`~` → `~0`, `/` → `~1`).
fn push_escaped(out: &mut String, segment: &str) {
    // segments are short: a byte loop, not a `char` pattern search
    if !segment.bytes().any(|b| b == b'~' || b == b'/') {
        out.push_str(segment);
        return;
    }
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Builds a pointer from raw segments: `["Statement","0"]` → `/Statement/0`.
pub fn from_segments<S: AsRef<str>>(segments: &[S]) -> String {
    // one allocation when no segment needs escaping
    let len = segments.iter().map(|s| 1 + s.as_ref().len()).sum();
    let mut out = String::with_capacity(len);
    for s in segments {
        out.push('/');
        push_escaped(&mut out, s.as_ref());
    }
    out
}

/// Appends a segment to a pointer.
pub fn join(pointer: &str, segment: impl AsRef<str>) -> String {
    let segment = segment.as_ref();
    let mut out = String::with_capacity(pointer.len() + 1 + segment.len());
    out.push_str(pointer);
    out.push('/');
    push_escaped(&mut out, segment);
    out
}

/// Appends an array index to a pointer: `("/Statement", 3)` → `/Statement/3`,
/// in one allocation.
pub fn join_index(pointer: &str, index: usize) -> String {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(index);
    let mut out = String::with_capacity(pointer.len() + 1 + digits.len());
    out.push_str(pointer);
    out.push('/');
    out.push_str(digits);
    out
}

/// Splits a pointer into its unescaped segments.
pub fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_escaped_segments() {
        let p = from_segments(&["Condition", "StringLike", "aws:PrincipalTag/a~b"]);
        assert_eq!(p, "/Condition/StringLike/aws:PrincipalTag~1a~0b");
        assert_eq!(
            segments(&p),
            vec!["Condition", "StringLike", "aws:PrincipalTag/a~b"]
        );
        assert_eq!(join("", "Statement"), "/Statement");
        for i in [0, 7, 10, 99, 1234, usize::MAX] {
            assert_eq!(
                join_index("/Statement", i),
                join("/Statement", i.to_string())
            );
        }
    }
}
