//! Source files and the map from byte offsets to line and column.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::diagnostic::Diagnostic;

/// Largest input s3guard reads as one document (AWS's largest policy is a
/// 20 KB bucket policy; managed policies reach 150 KB). Protects s3guard,
/// not an AWS limit.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// What an input is, for its size cap and for messages about it. A
/// policy, a test file or a context file is small (AWS's largest policy is
/// a 20 KB bucket policy); a Terraform plan, a template or an account dump
/// of a large account, or a CloudTrail file, is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A policy document (also a test file's policy, a `--context-file`).
    Policy,
    /// A `*.s3guard.json` test file.
    TestFile,
    /// A `--context-file`.
    ContextFile,
    /// A `--policy-from` file: Terraform plan, CloudFormation template or
    /// `get-account-authorization-details` dump.
    PolicySource,
    /// A CloudTrail file (`replay`).
    CloudTrail,
}

impl InputKind {
    /// Largest input of this kind s3guard reads (a limit that protects
    /// s3guard, not an AWS one). Inputs are held in memory with their parse
    /// tree, so these bound s3guard's memory too.
    pub const fn max_bytes(self) -> usize {
        match self {
            InputKind::Policy | InputKind::TestFile | InputKind::ContextFile => MAX_INPUT_BYTES,
            InputKind::PolicySource | InputKind::CloudTrail => MAX_LARGE_INPUT_BYTES,
        }
    }

    /// What the input is, in messages.
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Policy => "policy",
            InputKind::TestFile => "test file",
            InputKind::ContextFile => "context file",
            InputKind::PolicySource => {
                "Terraform plan, CloudFormation template or account authorization dump"
            }
            InputKind::CloudTrail => "CloudTrail file",
        }
    }

    fn too_large_hint(self) -> &'static str {
        match self {
            InputKind::Policy => {
                "the largest AWS policy is a 20 KB bucket policy; is this the right file?"
            }
            InputKind::TestFile => "split the cases into several test files",
            InputKind::ContextFile => "a request context is a few keys; is this the right file?",
            InputKind::PolicySource => {
                "plan a smaller part (terraform plan -target, one stack, or get-account-authorization-details --filter)"
            }
            InputKind::CloudTrail => "replay the CloudTrail files one by one (each log file is a few MB)",
        }
    }
}

/// Largest Terraform plan, template, account dump or CloudTrail file.
pub const MAX_LARGE_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// Bytes of a block of the line map: between two character-count
/// checkpoints, and between two counts of line feeds.
const BLOCK_BYTES: usize = 256;

/// A file (or stdin) as the user gave it.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    /// Shared with the strings of its JSON tree (`Str` ranges).
    text: Arc<String>,
    /// Built when a location is first asked for: a load whose diagnostics
    /// need none never scans the text for it.
    map: OnceLock<LineMap>,
    first_line: u32,
}

/// Where lines start and how many characters precede each block of
/// [`BLOCK_BYTES`] bytes, so that a location costs at most one block to
/// scan, never a line (a minified policy is one line of megabytes) nor the
/// text before it.
#[derive(Debug)]
struct LineMap {
    /// `blocks[i]`: the line of byte `i * BLOCK_BYTES`, one entry per block
    /// up to the one holding the end of the text, then one more (the lines
    /// of the whole text): a block holds a line feed when the next entry
    /// counts more lines.
    blocks: Vec<BlockStart>,
    /// `chars[i]`: characters before byte `i * BLOCK_BYTES`. Empty when
    /// the text is ASCII: then a byte is a character.
    chars: Vec<u32>,
}

/// The line in effect at the start of a block.
#[derive(Debug, Clone, Copy, Default)]
struct BlockStart {
    /// Line feeds before the block (its line, 0-based).
    line_feeds: u32,
    /// Offset where that line starts.
    line_start: u32,
}

/// A 1-based line and column (columns count characters), plus the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// 0-based byte offset in the file.
    pub offset: u32,
}

impl SourceFile {
    /// A source from text already in memory; `name` is what messages show.
    /// Takes a `String` without copying it; the line map waits for the
    /// first [`location`](Self::location).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: Arc::new(text.into()),
            map: OnceLock::new(),
            first_line: 1,
        }
    }

    /// A source that is line `first_line` (1-based) onwards of a larger file
    /// (one line of a JSONL stream): locations count from there.
    pub fn at_line(
        name: impl Into<String>,
        text: impl Into<String>,
        first_line: u32,
    ) -> SourceFile {
        let mut f = SourceFile::new(name, text);
        f.first_line = first_line.max(1);
        f
    }

    /// Reads a policy file, or stdin when `path` is `-`. Refuses inputs
    /// over [`MAX_INPUT_BYTES`] and text that is not UTF-8, naming the place.
    pub fn read(path: &str) -> Result<SourceFile, Box<Diagnostic>> {
        Self::read_as(path, InputKind::Policy)
    }

    /// Reads an input of the given kind, or stdin when `path` is `-`.
    /// Refuses inputs over the kind's [cap](InputKind::max_bytes), naming
    /// the kind, and text that is not UTF-8, naming the place.
    pub fn read_as(path: &str, kind: InputKind) -> Result<SourceFile, Box<Diagnostic>> {
        let bytes = if path == "-" {
            read_limited(std::io::stdin().lock(), "<stdin>", kind)?
        } else {
            let file = std::fs::File::open(Path::new(path)).map_err(|e| {
                Box::new(
                    Diagnostic::error("IO_ERROR", format!("cannot read `{path}`: {e}"))
                        .in_file(path),
                )
            })?;
            read_limited(file, path, kind)?
        };
        let name = if path == "-" { "<stdin>" } else { path };
        Self::from_bytes(name, bytes)
    }

    /// Builds a source from raw bytes, refusing invalid UTF-8 with its
    /// position, and a byte order mark by its name.
    ///
    /// A UTF-8 byte order mark is refused, as AWS does: IAM accepts in a
    /// policy document only tab, line feed, carriage return and the
    /// characters U+0020 to U+00FF (U+FEFF is not among them), and S3 says
    /// "the first byte must be '{'"; JSON (RFC 8259, section 8.1) forbids
    /// writing one. See
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<SourceFile, Box<Diagnostic>> {
        let bom = match bytes.get(..3) {
            Some([0xef, 0xbb, 0xbf]) => Some("a UTF-8 byte order mark (EF BB BF)"),
            _ => match bytes.get(..2) {
                Some([0xff, 0xfe]) | Some([0xfe, 0xff]) => {
                    Some("a UTF-16 byte order mark: the file is UTF-16, not UTF-8")
                }
                _ => None,
            },
        };
        if let Some(what) = bom {
            return Err(Box::new(
                Diagnostic::error("BYTE_ORDER_MARK", format!("the file starts with {what}"))
                    .in_file(name)
                    .at(Location {
                        line: 1,
                        column: 1,
                        offset: 0,
                    })
                    .with_hint(
                        "AWS refuses it in policies too: save the file as UTF-8 without a byte order mark",
                    ),
            ));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, text)),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let prefix = String::from_utf8_lossy(e.as_bytes().get(..valid).unwrap_or_default())
                    .into_owned();
                let probe = SourceFile::new(name, prefix);
                let loc = probe.location(u32::try_from(valid).unwrap_or(u32::MAX));
                Err(Box::new(
                    Diagnostic::error("INVALID_UTF8", "the input is not valid UTF-8")
                        .in_file(name)
                        .at(loc)
                        .with_hint("policies are JSON text; save the file as UTF-8"),
                ))
            }
        }
    }

    /// The name messages use for this source.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The whole text, as the shared allocation the strings of its JSON
    /// tree point into.
    pub(crate) fn shared_text(&self) -> &Arc<String> {
        &self.text
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn location(&self, offset: u32) -> Location {
        let offset = offset.min(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        let map = self.map.get_or_init(|| LineMap::new(self.text.as_bytes()));
        let at = offset as usize;
        let block = at / BLOCK_BYTES;
        let here = map.blocks.get(block).copied().unwrap_or_default();
        let (mut line_feeds, mut line_start) = (here.line_feeds, here.line_start);
        let holds_line_feed = map
            .blocks
            .get(block + 1)
            .is_some_and(|next| next.line_feeds != here.line_feeds);
        if holds_line_feed {
            // the line feeds of the block before the offset
            let before = self
                .text
                .as_bytes()
                .get(block * BLOCK_BYTES..at)
                .unwrap_or_default();
            line_feeds = line_feeds.saturating_add(count_line_feeds(before));
            if let Some(i) = memchr::memrchr(b'\n', before) {
                line_start = u32::try_from(block * BLOCK_BYTES + i + 1).unwrap_or(u32::MAX);
            }
        }
        let column = self
            .chars_before(map, at)
            .saturating_sub(self.chars_before(map, line_start as usize));
        Location {
            line: line_feeds.saturating_add(self.first_line),
            column: column.saturating_add(1),
            offset,
        }
    }

    /// Characters in the text before byte `offset` (in constant time: from
    /// the nearest checkpoint, at most one block of bytes is counted).
    fn chars_before(&self, map: &LineMap, offset: usize) -> u32 {
        if map.chars.is_empty() {
            return u32::try_from(offset).unwrap_or(u32::MAX);
        }
        let block = offset / BLOCK_BYTES;
        let base = map.chars.get(block).copied().unwrap_or(0);
        let from = block * BLOCK_BYTES;
        let rest = self
            .text
            .as_bytes()
            .get(from..offset)
            .map(count_chars)
            .unwrap_or(0);
        base.saturating_add(rest)
    }
}

impl LineMap {
    /// The map of `text`: one pass of vectorized counts over its blocks
    /// (a `memchr` call per line cost about 70 instructions a line, most
    /// of a small policy's map), plus a pass for characters when the text
    /// is not ASCII.
    fn new(text: &[u8]) -> LineMap {
        let mut blocks = Vec::with_capacity(text.len() / BLOCK_BYTES + 2);
        let mut line = BlockStart::default();
        for (i, block) in text.chunks(BLOCK_BYTES).enumerate() {
            blocks.push(line);
            let feeds = count_line_feeds(block);
            if feeds > 0 {
                line.line_feeds = line.line_feeds.saturating_add(feeds);
                if let Some(last) = memchr::memrchr(b'\n', block) {
                    line.line_start = u32::try_from(i * BLOCK_BYTES + last + 1).unwrap_or(u32::MAX);
                }
            }
        }
        if text.len() % BLOCK_BYTES == 0 {
            blocks.push(line); // the end of the text starts a block
        }
        blocks.push(line); // the whole text's lines
        let mut chars = Vec::new();
        if !text.is_ascii() {
            chars.reserve(text.len() / BLOCK_BYTES + 1);
            let mut before = 0u32;
            for block in text.chunks(BLOCK_BYTES) {
                chars.push(before);
                before = before.saturating_add(count_chars(block));
            }
            if text.len() % BLOCK_BYTES == 0 {
                chars.push(before);
            }
        }
        LineMap { blocks, chars }
    }
}

/// Line feeds in `bytes`: counted in 8-bit lanes, 128 bytes at a time (a
/// count that fits a byte), which compiles to a compare and a subtract per
/// 16 bytes.
fn count_line_feeds(bytes: &[u8]) -> u32 {
    bytes
        .chunks(128)
        .map(|c| {
            u32::from(
                c.iter()
                    .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\n'))),
            )
        })
        .sum()
}

/// Characters in `bytes`, a run of whole characters or a block's prefix.
fn count_chars(bytes: &[u8]) -> u32 {
    let n = bytes.iter().filter(|&&b| !is_continuation(b)).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether a byte continues a UTF-8 character (is not its first byte).
fn is_continuation(b: u8) -> bool {
    b & 0xc0 == 0x80
}

fn read_limited(
    reader: impl std::io::Read,
    name: &str,
    kind: InputKind,
) -> Result<Vec<u8>, Box<Diagnostic>> {
    use std::io::Read;
    let max = kind.max_bytes();
    let mut buf = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX) + 1;
    reader.take(limit).read_to_end(&mut buf).map_err(|e| {
        Box::new(Diagnostic::error("IO_ERROR", format!("cannot read `{name}`: {e}")).in_file(name))
    })?;
    if buf.len() > max {
        return Err(Box::new(
            Diagnostic::error(
                "INPUT_TOO_LARGE",
                format!(
                    "input is larger than {} MiB, the limit for a {}; s3guard refuses to read it",
                    max / (1024 * 1024),
                    kind.describe()
                ),
            )
            .in_file(name)
            .with_hint(kind.too_large_hint()),
        ));
    }
    Ok(buf)
}

/// The JSON text a policy is parsed from: either a whole source file, or a
/// string inside one (the AWS CLI's `{"Policy": "<JSON text>"}`), with a map
/// so that positions still point into the file the user gave.
#[derive(Debug, Clone)]
pub struct Document {
    file: Arc<SourceFile>,
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    Whole,
    Embedded(String, Vec<u32>),
    /// A text percent-decoded from bytes of the file starting at the
    /// offset, and the positions in the text of the bytes decoded from a
    /// `%XX` escape, in order (see [`Document::percent_decoded`]).
    Decoded(String, u32, Vec<u32>),
    Slice(u32, u32),
}

impl Document {
    /// The whole file is the document.
    pub fn whole(file: Arc<SourceFile>) -> Document {
        Document {
            file,
            inner: Inner::Whole,
        }
    }

    /// The bytes `start..end` of `file` are the document (one line of a JSONL file).
    pub fn slice(file: Arc<SourceFile>, start: usize, end: usize) -> Document {
        Document {
            file,
            inner: Inner::Slice(
                u32::try_from(start).unwrap_or(u32::MAX),
                u32::try_from(end).unwrap_or(u32::MAX),
            ),
        }
    }

    /// `text` is embedded in `file`; `map[i]` is the file offset of byte `i` of `text`.
    pub fn embedded(file: Arc<SourceFile>, text: String, map: Vec<u32>) -> Document {
        Document {
            file,
            inner: Inner::Embedded(text, map),
        }
    }

    /// `text` is percent-decoded from the bytes of `file` from `start` on
    /// (an IAM document, URL-encoded in a JSON string without escapes):
    /// `escapes` holds, in order, the positions in `text` of the bytes
    /// decoded from a `%XX` escape. The file offset of byte `i` of `text`
    /// is `start + i`, plus two for each escape before `i`: the map costs
    /// four bytes an escape instead of four bytes a byte.
    pub fn percent_decoded(
        file: Arc<SourceFile>,
        text: String,
        start: u32,
        escapes: Vec<u32>,
    ) -> Document {
        Document {
            file,
            inner: Inner::Decoded(text, start, escapes),
        }
    }

    /// The text to parse.
    pub fn text(&self) -> &str {
        match &self.inner {
            Inner::Embedded(t, _) | Inner::Decoded(t, ..) => t,
            Inner::Whole => self.file.text(),
            Inner::Slice(a, b) => self
                .file
                .text()
                .get(*a as usize..*b as usize)
                .unwrap_or_default(),
        }
    }

    /// The text to parse as a range of its file's shared text (see
    /// [`parse_shared`](super::parse_shared)); `None` for a document
    /// decoded from a string of the file, which has a text of its own.
    pub(crate) fn shared_text(&self) -> Option<(&Arc<String>, usize, usize)> {
        match &self.inner {
            Inner::Embedded(..) | Inner::Decoded(..) => None,
            Inner::Whole => Some((self.file.shared_text(), 0, self.file.text().len())),
            Inner::Slice(a, b) => Some((self.file.shared_text(), *a as usize, *b as usize)),
        }
    }

    /// The file this document lives in.
    pub fn file(&self) -> &Arc<SourceFile> {
        &self.file
    }

    /// The file's display name.
    pub fn name(&self) -> &str {
        self.file.name()
    }

    /// File offset of a document offset.
    pub fn file_offset(&self, offset: u32) -> u32 {
        match &self.inner {
            Inner::Whole => offset,
            Inner::Slice(a, _) => a.saturating_add(offset),
            Inner::Embedded(_, map) => match map.get(offset as usize) {
                Some(&o) => o,
                None => map.last().map(|&o| o.saturating_add(1)).unwrap_or(0),
            },
            Inner::Decoded(text, start, escapes) => {
                let decoded = |i: u32| {
                    let before = escapes.partition_point(|&p| p < i);
                    let shift = u32::try_from(before).unwrap_or(u32::MAX).saturating_mul(2);
                    start.saturating_add(i).saturating_add(shift)
                };
                // past the end: one past the last byte's place, as a map's
                match u32::try_from(text.len()).unwrap_or(u32::MAX) {
                    0 => 0,
                    len if offset < len => decoded(offset),
                    len => decoded(len - 1).saturating_add(1),
                }
            }
        }
    }

    /// Line and column in the file of a document offset.
    pub fn location(&self, offset: u32) -> Location {
        self.file.location(self.file_offset(offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_offsets_to_lines_and_character_columns() {
        let f = SourceFile::new("p.json", "{\n  \"é\": 1,\n  \"b\": 2\n}");
        assert_eq!(
            f.location(0),
            Location {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        // offset of `1` on line 2: `  "é": ` is 7 chars / 8 bytes
        let off = f.text().find('1').unwrap() as u32;
        assert_eq!(f.location(off).line, 2);
        assert_eq!(f.location(off).column, 8);
        assert_eq!(f.location(10_000).line, 4);
    }

    #[test]
    fn columns_of_long_lines_count_characters_across_checkpoints() {
        // one line of several checkpoint blocks, with multi-byte characters
        // on both sides of block boundaries
        let line = "é".repeat(300) + &"a".repeat(700) + "😀" + "b";
        let text = format!("x\n{line}\n");
        let f = SourceFile::new("p.json", text.as_str());
        for (i, (byte, _)) in line.char_indices().enumerate() {
            let loc = f.location(u32::try_from(2 + byte).unwrap());
            assert_eq!((loc.line, loc.column), (2, i as u32 + 1), "char {i}");
        }
        let end = f.location(u32::try_from(text.len()).unwrap());
        assert_eq!((end.line, end.column), (3, 1));
        // a text whose end is a block boundary
        let f = SourceFile::new("p.json", "é".repeat(256));
        assert_eq!(f.location(512).column, 257);
    }

    /// The location a line map must give: line feeds before the offset,
    /// characters (bytes that start one) since the last of them.
    fn naive_location(text: &str, offset: usize, first_line: u32) -> (u32, u32) {
        let before = &text.as_bytes()[..offset.min(text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u32;
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = before[start..]
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count() as u32;
        (line + first_line, column + 1)
    }

    proptest::proptest! {
        /// Every offset (inside characters and past the end too) of texts
        /// spanning several blocks, lines long and short, ASCII or not.
        #[test]
        fn the_line_map_gives_every_offset_its_line_and_column(
            pieces in proptest::collection::vec("[a\n]{0,40}|é|😀|\n{1,300}|x{200,600}", 0..12),
            first_line in 1u32..4,
        ) {
            let text: String = pieces.concat();
            let f = SourceFile::at_line("p.json", text.as_str(), first_line);
            for offset in 0..=text.len() + 2 {
                let loc = f.location(offset as u32);
                proptest::prop_assert_eq!(
                    (loc.line, loc.column),
                    naive_location(&text, offset, first_line),
                    "offset {}", offset
                );
                proptest::prop_assert_eq!(loc.offset as usize, offset.min(text.len()));
            }
        }
    }

    #[test]
    fn invalid_utf8_is_located() {
        let e = SourceFile::from_bytes("x.json", b"{\n \"a\xff\": 1}".to_vec()).unwrap_err();
        assert_eq!(e.code, "INVALID_UTF8");
        let loc = e.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 4));
    }
}
