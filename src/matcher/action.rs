//! Action names of requests, and the shape of an `Action` entry (what
//! one scan of its bytes finds) that compiling it reads (spec M-1).

use std::fmt;

/// The action of a request: `service:Name`, kept as written and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Action {
    text: String,
    lower: String,
    colon: usize,
    catalog: Option<u32>,
}

/// Why a string is not an action name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an action (expected service:Name, e.g. s3:GetObject)")]
pub struct ActionError(pub String);

impl Action {
    /// Parses `service:Name` (both parts non-empty, no wildcards).
    pub fn parse(text: &str) -> Result<Action, ActionError> {
        let colon = text
            .find(':')
            .ok_or_else(|| ActionError(text.to_string()))?;
        let (svc, name) = (
            text.get(..colon).unwrap_or_default(),
            text.get(colon + 1..).unwrap_or_default(),
        );
        if svc.is_empty()
            || name.is_empty()
            || text.contains(['*', '?'])
            || text.chars().any(char::is_whitespace)
        {
            return Err(ActionError(text.to_string()));
        }
        let lower = text.to_lowercase();
        Ok(Action {
            catalog: crate::catalog::catalog().index_of(&lower),
            text: text.to_string(),
            lower,
            colon,
        })
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Lower-cased `service:name`.
    pub fn lower(&self) -> &str {
        &self.lower
    }

    /// The lower-cased service prefix (`s3`).
    pub fn service(&self) -> &str {
        self.lower.get(..self.colon).unwrap_or_default()
    }

    /// Position of the action in the embedded catalog, when it is a catalog action.
    pub fn catalog_index(&self) -> Option<u32> {
        self.catalog
    }

    /// The action name as written (`GetObject`).
    pub fn name(&self) -> &str {
        self.text.get(self.colon + 1..).unwrap_or_default()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What one pass over the bytes of an `Action` entry finds: what the
/// checks of lowering ask (a service prefix, white space, a policy
/// variable) and how the pattern compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ActionShape {
    /// Offset of the first `:`.
    pub colon: Option<usize>,
    /// Whether the text holds white space (`char::is_whitespace`).
    pub whitespace: bool,
    /// Whether it holds `${` (a policy variable, or text that looks like one).
    pub variable: bool,
    /// Whether it is ASCII.
    pub ascii: bool,
    /// Whether it holds an ASCII upper-case letter.
    pub upper: bool,
    /// Whether one comes before the first `:` (in the service prefix;
    /// `false` without a `:`): a name outside the catalog is kept as
    /// written only when its service is lower-case.
    pub service_upper: bool,
    /// Its length without the trailing stars.
    pub body: usize,
    /// Whether a `*` or `?` comes before the end of the body.
    pub inner_wildcard: bool,
}

impl ActionShape {
    /// The shape of `text`: [`ActionShape::plain`] for the common entry,
    /// else [`ActionShape::of_any`].
    #[inline(always)]
    pub(crate) fn of(text: &str) -> ActionShape {
        let bytes = text.as_bytes();
        // without the trailing stars of `service:Prefix*`
        let body = bytes.iter().rposition(|&b| b != b'*').map_or(0, |i| i + 1);
        match ActionShape::plain(bytes.get(..body).unwrap_or_default()) {
            Some((colon, first_upper)) => ActionShape {
                colon,
                whitespace: false,
                variable: false,
                ascii: true,
                upper: first_upper.is_some(),
                service_upper: matches!((first_upper, colon), (Some(u), Some(c)) if u < c),
                body,
                inner_wildcard: false,
            },
            None => ActionShape::of_any(text),
        }
    }

    /// The first `:` and the first upper-case letter, for a
    /// body (the text without its trailing stars) of at least eight bytes
    /// that holds only ASCII from `-` up and no `?`: no white space, no
    /// `$` (so no `${`), no `*` inside, nothing else to look for
    /// (ReadOnlyAccess's `service:ActionName` entries). `None` for
    /// anything else, which [`ActionShape::of_any`] takes.
    ///
    /// Eight bytes at a time, the last word overlapping the one before
    /// (the flags only gather; the first `:` is taken from the first word
    /// that has one, so a byte seen twice changes nothing): a byte below
    /// `-` by the borrow test `(x - n…) & !x`, `?` and `:` by the
    /// zero-byte test of the word XOR the byte repeated (their lowest set
    /// bit is exact), a byte with its high bit set as itself, an upper-case
    /// letter as `(x + 0x3f…) & !(x + 0x25…)`, exact for ASCII bytes (no
    /// carry leaves a byte below 0x80). About 25 instructions a word
    /// against four a byte for the table of [`ActionShape::of_any`].
    #[inline]
    fn plain(body: &[u8]) -> Option<(Option<usize>, Option<usize>)> {
        const HIGHS: u64 = 0x80 * ONES;
        const fn zero_bytes(x: u64) -> u64 {
            x.wrapping_sub(ONES) & !x
        }
        let last = body.len().checked_sub(WORD)?;
        let mut rare = 0u64;
        let mut upper = None;
        let mut colon = None;
        let mut look = |x: u64, at: usize| {
            rare |= x
                | (x.wrapping_sub(u64::from(b'-') * ONES) & !x)
                | zero_bytes(x ^ (u64::from(b'?') * ONES));
            if upper.is_none() {
                // exact per byte for ASCII (a word with another byte is
                // declined by `rare`): the lowest set bit is the first
                // upper-case letter of the word, and an overlapping last
                // word's first bytes were seen before without one
                let found = x.wrapping_add((0x80 - u64::from(b'A')) * ONES)
                    & !x.wrapping_add((0x80 - u64::from(b'Z') - 1) * ONES)
                    & HIGHS;
                if found != 0 {
                    upper = Some(at + (found.trailing_zeros() / 8) as usize);
                }
            }
            if colon.is_none() {
                let found = zero_bytes(x ^ (u64::from(b':') * ONES)) & HIGHS;
                if found != 0 {
                    colon = Some(at + (found.trailing_zeros() / 8) as usize);
                }
            }
        };
        let mut words = body.chunks_exact(WORD);
        let mut at = 0;
        for word in &mut words {
            look(u64::from_le_bytes(word.try_into().ok()?), at);
            at += WORD;
        }
        if !words.remainder().is_empty() {
            let word = body.get(last..)?;
            look(u64::from_le_bytes(word.try_into().ok()?), last);
        }
        (rare & HIGHS == 0).then_some((colon, upper))
    }

    /// The shape of any `text`: one pass over its bytes gathers which
    /// kinds of byte it holds (a table lookup each, no branch), then only
    /// the kinds present are looked for.
    pub(crate) fn of_any(text: &str) -> ActionShape {
        let bytes = text.as_bytes();
        let kinds = bytes.iter().fold(0u8, |k, &b| {
            k | BYTE_KINDS.get(b as usize).copied().unwrap_or(0)
        });
        let has = |kind: u8| kinds & kind != 0;
        // entries are short and the service prefix shorter: a loop inline
        // costs less than a call to `memchr`
        let stars = match has(STAR) {
            true => bytes.iter().rev().take_while(|&&b| b == b'*').count(),
            false => 0,
        };
        let body = bytes.len() - stars;
        let ascii = !has(NON_ASCII);
        let colon = match has(COLON) {
            true => first_colon(bytes),
            false => None,
        };
        ActionShape {
            colon,
            whitespace: if ascii {
                has(WHITE_SPACE)
            } else {
                text.chars().any(char::is_whitespace)
            },
            variable: has(DOLLAR) && has(BRACE) && text.contains("${"),
            ascii,
            upper: has(UPPER),
            service_upper: has(UPPER)
                && colon.is_some_and(|c| {
                    let service = bytes.get(..c).unwrap_or_default();
                    service.iter().any(u8::is_ascii_uppercase)
                }),
            body,
            inner_wildcard: has(QUESTION)
                || (has(STAR) && bytes.get(..body).unwrap_or_default().contains(&b'*')),
        }
    }
}

/// `0x01` in each byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;

/// Bytes of a word of [`ActionShape::plain`].
const WORD: usize = 8;

/// Offset of the first `:` in `bytes`, eight bytes at a time (the service
/// prefix is a few bytes to a few words long: a byte loop cost five
/// instructions a byte).
fn first_colon(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ (u64::from(b':') * ONES);
        // the high bit of the lowest zero byte of `x` is set (a borrow can
        // set bits above it only)
        let zero = x.wrapping_sub(ONES) & !x & (0x80 * ONES);
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = chunks.remainder();
    rest.iter().position(|&b| b == b':').map(|i| at + i)
}

const STAR: u8 = 1;
const COLON: u8 = 2;
const WHITE_SPACE: u8 = 4;
const DOLLAR: u8 = 8;
const BRACE: u8 = 16;
const QUESTION: u8 = 32;
const NON_ASCII: u8 = 64;
const UPPER: u8 = 128;

/// The kind of each byte, for [`ActionShape::of`] (ASCII white space is
/// that of `char::is_whitespace`: tab to carriage return, and space).
// Evaluated at compile time: an index out of bounds would fail the build.
#[allow(clippy::indexing_slicing)]
const BYTE_KINDS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let kind = match i as u8 {
            b'*' => STAR,
            b':' => COLON,
            b' ' | b'\t'..=b'\r' => WHITE_SPACE,
            b'$' => DOLLAR,
            b'{' => BRACE,
            b'?' => QUESTION,
            b'A'..=b'Z' => UPPER,
            0x80.. => NON_ASCII,
            _ => 0,
        };
        if let Some((_, rest)) = t.split_at_mut_checked(i) {
            if let Some((slot, _)) = rest.split_first_mut() {
                *slot = kind;
            }
        }
        i += 1;
    }
    t
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_shape_is_what_the_str_methods_find() {
        for t in [
            "s3:GetObject",
            "s3:Get*",
            "s3:Get**",
            "*",
            "",
            "s3*:*",
            "s3:Get?bject",
            "s3 :Get",
            "s3:Get\u{a0}Object",
            "s3:\u{b}x",
            "s3:${aws:username}",
            "s3:$ {x}",
            "ſ3:Get*",
            "a:b:c",
        ] {
            let body = t.trim_end_matches('*');
            let shape = ActionShape::of(t);
            assert_eq!(
                shape,
                ActionShape {
                    colon: t.find(':'),
                    whitespace: t.chars().any(char::is_whitespace),
                    variable: t.contains("${"),
                    ascii: t.is_ascii(),
                    upper: t.bytes().any(|b| b.is_ascii_uppercase()),
                    service_upper: t
                        .split_once(':')
                        .is_some_and(|(svc, _)| svc.bytes().any(|b| b.is_ascii_uppercase())),
                    body: body.len(),
                    inner_wildcard: body.contains(['*', '?']),
                },
                "{t:?}"
            );
        }
    }

    #[test]
    fn the_word_path_gives_the_shape_of_the_byte_path() {
        // every byte value at every place of bodies of 8 to 24 bytes,
        // with and without trailing stars: the fast path answers as the
        // table, or declines to it
        let base = b"ec2:DescribeInstancesAndMore-x";
        for len in 8..=24 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = base[..len].to_vec();
                    bytes[at] = b;
                    let Ok(text) = String::from_utf8(bytes) else {
                        continue;
                    };
                    for stars in ["", "*", "**"] {
                        let text = format!("{text}{stars}");
                        assert_eq!(
                            ActionShape::of(&text),
                            ActionShape::of_any(&text),
                            "{text:?}"
                        );
                    }
                }
            }
        }
        // the path does answer for ReadOnlyAccess's entries
        for text in [
            "ec2:DescribeInstances",
            "a4b:Search*",
            "access-analyzer:GetFinding",
        ] {
            let body = text.trim_end_matches('*').as_bytes();
            assert_eq!(
                ActionShape::plain(body),
                Some((text.find(':'), text.find(|c: char| c.is_ascii_uppercase()))),
                "{text}"
            );
        }
        assert_eq!(
            ActionShape::plain(b"ec2:describeinstances"),
            Some((Some(3), None))
        );
        // the first upper-case letter, in any word, the last overlapping
        assert_eq!(
            ActionShape::plain(b"EC2:describeinstances"),
            Some((Some(3), Some(0)))
        );
        assert_eq!(
            ActionShape::plain(b"ec2:describeinstanceS"),
            Some((Some(3), Some(20)))
        );
        assert_eq!(
            ActionShape::plain(b"ec2:describeinStanceS"),
            Some((Some(3), Some(14)))
        );
        for declined in [
            "s3:Get*",
            "ec2:Describe Instances",
            "ec2:Desc?ibe",
            "ec2:De*scribe",
            "ec2:Descr\u{e9}be",
            "ec2:${aws:x}",
        ] {
            let body = declined.trim_end_matches('*').as_bytes();
            assert_eq!(ActionShape::plain(body), None, "{declined}");
        }
    }

    #[test]
    fn first_colon_is_that_of_find() {
        // every length up to three words, the colon (or two) anywhere,
        // among bytes that differ from `:` by one bit or a borrow
        for len in 0..24 {
            for at in 0..=len {
                for second in [None, Some(at + 1), Some(at + 9)] {
                    let mut bytes: Vec<u8> =
                        (0..len).map(|i| [b';', b'9', 0xba, b'\0'][i % 4]).collect();
                    for p in [Some(at), second].into_iter().flatten() {
                        if let Some(b) = bytes.get_mut(p) {
                            *b = b':';
                        }
                    }
                    let want = bytes.iter().position(|&b| b == b':');
                    assert_eq!(first_colon(&bytes), want, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn the_shape_finds_white_space_as_char_is_whitespace_does() {
        for c in (0u32..0x3100).filter_map(char::from_u32) {
            let text = format!("s3:Get{c}Object");
            assert_eq!(
                ActionShape::of(&text).whitespace,
                c.is_whitespace(),
                "{c:?}"
            );
        }
    }

    /// Pieces of action entries: services the catalog has and lacks, in
    /// several cases, wildcards, non-ASCII letters that lower-case to
    /// ASCII ones, white space, the start of a variable.
    pub(crate) fn entry() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        let piece = proptest::sample::select(vec![
            "s3",
            "S3",
            "iam",
            "IAM",
            "sts",
            "Sts",
            "s3express",
            "s3-object-lambda",
            "ec2",
            "EC2",
            "a4b",
            ":",
            ":",
            "Get",
            "get",
            "Object",
            "OBJECT",
            "List",
            "Bucket",
            "s",
            "*",
            "**",
            "?",
            "ſ",
            "\u{212a}",
            "é",
            " ",
            "${",
            "Role",
            "Pass",
            "CreateSession",
        ]);
        proptest::collection::vec(piece, 0..8).prop_map(|p| p.concat())
    }

    proptest::proptest! {
        /// The shape of any entry is the byte path's (`of_any`).
        #[test]
        fn the_shape_is_that_of_the_byte_path(text in entry()) {
            proptest::prop_assert_eq!(ActionShape::of(&text), ActionShape::of_any(&text));
        }
    }

    #[test]
    fn parses_request_actions() {
        let a = Action::parse("S3:GetObject").unwrap();
        assert_eq!(
            (a.service(), a.name(), a.lower()),
            ("s3", "GetObject", "s3:getobject")
        );
        assert!(Action::parse("GetObject").is_err());
        assert!(Action::parse("s3:Get*").is_err());
        assert!(Action::parse("s3:").is_err());
    }
}
