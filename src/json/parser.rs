//! A strict JSON parser that keeps spans and reports duplicate keys.
//!
//! serde_json keeps the last of two equal keys without a word; a policy with
//! `"Effect"` twice must be rejected (spec G-1), so s3guard parses policies
//! itself. Nesting is limited (no stack overflow on hostile input).

use std::collections::HashMap;
use std::sync::Arc;

use super::text::Str;
use super::value::{Kind, Member, Span, Value};

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 128;

/// Members of one object from which duplicate keys are found with a hash
/// map rather than a linear search.
const INDEX_FROM: usize = 16;

/// Elements the parser's stacks hold before they first grow, for a
/// document of at least 32 bytes per element (see [`Parser::new`]).
const STACK_ROOM: usize = 16;

/// Documents from this size on make their element stacks with room for
/// one element per [`LARGE_BYTES_PER_ELEMENT`] bytes, up to
/// [`LARGE_STACK_ROOM`]: a stack that grows copies its elements each
/// time (ReadOnlyAccess's grew eight times, 160 KB of copies in all,
/// before its room was reserved).
const LARGE_FROM: usize = 32 << 10;

/// Element stacks a parse makes with a large document's room (an account
/// dump's arrays nest four deep: its lists, a user's policies or a
/// policy's versions, a document's statements, a statement's actions).
const LARGE_STACKS: usize = 4;

/// Bytes of a large document for each element of a new element stack's
/// room: ReadOnlyAccess's `Action` arrays take 78 bytes an element (a
/// pretty-printed action name); at 32 the stack had more than twice the
/// room of its 1,510 elements, so [`close`] copied them out instead of
/// taking the stack.
const LARGE_BYTES_PER_ELEMENT: usize = 48;

/// The most array elements the stack is reserved for at once (160 KB).
const LARGE_STACK_ROOM: usize = 4096;

/// A JSON syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong, lowercase, one line.
    pub message: String,
}

/// A key that appears twice in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key.
    pub key: String,
    /// Span of the first occurrence.
    pub first: Span,
    /// Span of the repeated occurrence.
    pub second: Span,
    /// JSON pointer of the object holding both.
    pub object_pointer: String,
}

/// The result of a successful parse.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document's root value.
    pub value: Value,
    /// Every duplicated key found (the later occurrence is dropped from the tree).
    pub duplicates: Vec<DuplicateKey>,
}

/// Parses one JSON document (exactly one value, surrounded by white space only).
pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    parse_with(text, None)
}

/// Documents from this size on keep their strings as ranges of their
/// source (see [`parse_shared`]). Below it a copy is cheaper: a shared
/// range costs two atomic counts and a longer way to its text, more than
/// the allocator's small copy (ReadOnlyAccess, 91 KB, loaded 7% slower
/// with ranges); above it the copies are what fill memory (an account dump
/// of 50 MB: 1.3 million allocations, 34 MB).
pub const SHARE_FROM: usize = 1 << 20;

/// Parses bytes `start..end` of `source` as [`parse`] does. In a document
/// of [`SHARE_FROM`] bytes or more (an account dump, a Terraform plan),
/// the tree's strings without an escape are ranges of `source` instead of
/// copies. Spans and error offsets count from `start`. A range that is not
/// a character range of `source` is a syntax error at offset 0.
pub fn parse_shared(source: &Arc<String>, start: usize, end: usize) -> Result<Parsed, SyntaxError> {
    let Some(text) = source.get(start..end) else {
        return Err(SyntaxError {
            offset: 0,
            message: "the document is not a character range of its file".into(),
        });
    };
    let shared = (text.len() >= SHARE_FROM).then_some((source, start));
    parse_with(text, shared)
}

/// Parses the value at bytes `start..end` of `text` as [`parse`] parses
/// that range alone (white space around the value, nothing else), with
/// spans and error offsets counted from the start of `text`: a value of a
/// larger document read on its own, in place (the depth limit counts from
/// it). A range that is not a character range of `text` is a syntax error
/// at its start.
pub fn parse_range(text: &str, start: usize, end: usize) -> Result<Parsed, SyntaxError> {
    match text.get(..end).filter(|t| t.is_char_boundary(start)) {
        Some(upto) => parse_with_from(upto, start, None),
        None => Err(SyntaxError {
            offset: start,
            message: "the value is not a character range of its text".into(),
        }),
    }
}

fn parse_with(text: &str, shared: Option<(&Arc<String>, usize)>) -> Result<Parsed, SyntaxError> {
    parse_with_from(text, 0, shared)
}

/// Parses `text` from offset `start` (a character boundary) to its end.
fn parse_with_from(
    text: &str,
    start: usize,
    shared: Option<(&Arc<String>, usize)>,
) -> Result<Parsed, SyntaxError> {
    let mut p = Parser::new(text, start, shared);
    let value = p.document();
    let duplicates = p.finish();
    Ok(Parsed {
        value: value?,
        duplicates,
    })
}

/// The parser's stacks, kept empty between parses.
#[derive(Default)]
struct Stacks {
    path: Vec<Step>,
    /// Spare element stacks of arrays (see `Parser::values`).
    values: Vec<Vec<Value>>,
    members: Vec<Member>,
}

/// Stacks whose room is at most this many elements go back to
/// [`STACKS`] after a parse (a 50 MB dump's larger ones are freed).
const KEPT_ROOM: usize = LARGE_STACK_ROOM;

thread_local! {
    /// The last parse's stacks on this thread, empty, for the next parse:
    /// allocating them cost about 150 instructions each (three for every
    /// document, ~2% of the Rails policy's load), and ReadOnlyAccess's
    /// element stack is 110 KB.
    static STACKS: std::cell::Cell<Stacks> = const {
        std::cell::Cell::new(Stacks {
            path: Vec::new(),
            values: Vec::new(),
            members: Vec::new(),
        })
    };
}

/// One step of the path from the root to the value being parsed, for the
/// pointer of a duplicate key (built only when one is found).
#[derive(Clone, Copy)]
enum Step {
    /// The member whose key (a string literal) starts at this offset.
    Key(usize),
    /// The array element of this index.
    Index(usize),
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    /// The allocation `text` is a range of, and where `text` starts in it:
    /// strings are taken as ranges of it.
    shared: Option<(&'a Arc<String>, usize)>,
    pos: usize,
    duplicates: Vec<DuplicateKey>,
    path: Vec<Step>,
    /// Empty element stacks for the arrays that open: each array being
    /// parsed takes one (its elements alone, so that a large array is the
    /// whole of its stack and [`close`] takes it without a copy, whatever
    /// encloses it) and gives it back when it closes. Last in, first out:
    /// a document's arrays find the stacks they grew in the last parse.
    values: Vec<Vec<Value>>,
    /// Room of an element stack made when none is spare (the first parse
    /// on a thread, a deeper nesting, a stack taken by a large array).
    room: usize,
    /// Element stacks this parse may still make with `room` (later ones
    /// start at [`STACK_ROOM`]): a large document nested deep makes no
    /// more than [`LARGE_STACKS`] stacks of up to 160 KB.
    large_stacks: usize,
    /// Members of the objects being parsed, innermost last: an object's
    /// members are moved out into a vector of exactly their number.
    members: Vec<Member>,
}

impl<'a> Parser<'a> {
    /// The document's one value, with white space around it.
    fn document(&mut self) -> Result<Value, SyntaxError> {
        self.skip_ws();
        let value = self.value(0)?;
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(
                self.error("unexpected text after the JSON value (only one document is allowed)")
            );
        }
        Ok(value)
    }

    /// The duplicate keys found; the stacks go back, emptied, to the next
    /// parse on this thread (after a syntax error too, which leaves values
    /// on them), unless they grew past [`KEPT_ROOM`].
    fn finish(self) -> Vec<DuplicateKey> {
        let mut stacks = Stacks {
            path: self.path,
            values: self.values,
            members: self.members,
        };
        if stacks.members.capacity() <= KEPT_ROOM && stacks.path.capacity() <= KEPT_ROOM {
            stacks.path.clear();
            // empty after a parse (an array's stack leaves with it on an
            // error); a large one is freed
            stacks
                .values
                .retain(|v| v.is_empty() && v.capacity() <= KEPT_ROOM);
            stacks.members.clear();
            // `try_with`: a parse in a thread-local's destructor keeps nothing
            let _ = STACKS.try_with(|kept| kept.set(stacks));
        }
        self.duplicates
    }

    /// A parser of `text` from offset `start`.
    fn new(text: &'a str, start: usize, shared: Option<(&'a Arc<String>, usize)>) -> Parser<'a> {
        let parsed = text.as_bytes().get(start..).unwrap_or_default();
        let mut stacks = STACKS.try_with(std::cell::Cell::take).unwrap_or_default();
        // room for a small document's stacks at once (they grew 4, 8,
        // 16: five reallocations for the Rails policy, 2% of its load);
        // a one-line request or a scalar reserves little or nothing. The
        // stacks are empty: `reserve` is this room.
        stacks.path.reserve((parsed.len() / 64).min(STACK_ROOM / 2));
        let room = match parsed.len() {
            n if n >= LARGE_FROM => (n / LARGE_BYTES_PER_ELEMENT).min(LARGE_STACK_ROOM),
            n => (n / 32).min(STACK_ROOM),
        };
        stacks.members.reserve((parsed.len() / 32).min(STACK_ROOM));
        Parser {
            bytes: text.as_bytes(),
            text,
            shared,
            pos: start,
            duplicates: Vec::new(),
            path: stacks.path,
            values: stacks.values,
            room,
            large_stacks: LARGE_STACKS,
            members: stacks.members,
        }
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        self.pos = skip_ws(self.bytes, self.pos);
    }

    fn describe_here(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "end of input".to_string(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        let start = self.pos;
        let kind = match self.peek() {
            None => return Err(self.error("expected a JSON value, found end of input")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(_) => {
                return Err(self.error(format!(
                    "expected a JSON value, found {}",
                    self.describe_here()
                )))
            }
        };
        Ok(Value {
            kind,
            span: Span::new(start, self.pos),
        })
    }

    /// A member's value or an array's element, at `step` from the value
    /// being parsed at `depth`. A string (most of them) is parsed here: no
    /// recursive call, and no step on the path, which only a duplicate key
    /// inside the value reads.
    #[inline]
    fn nested_value(&mut self, depth: usize, step: Step) -> Result<Value, SyntaxError> {
        if self.peek() == Some(b'"') {
            let start = self.pos;
            let s = self.string()?;
            return Ok(Value {
                kind: Kind::String(s),
                span: Span::new(start, self.pos),
            });
        }
        self.path.push(step);
        let value = self.value(depth + 1)?;
        self.path.pop();
        Ok(value)
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, SyntaxError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error(format!(
                "expected a JSON value, found {} (strings need double quotes)",
                self.describe_here()
            )))
        }
    }

    fn enter(&mut self, depth: usize) -> Result<(), SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(format!(
                "nesting deeper than {MAX_DEPTH} levels (no policy needs that; refusing to go on)"
            )));
        }
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.enter(depth)?;
        self.pos += 1; // '{'
        let base = self.members.len();
        // key → position in `self.members`, once there are enough keys for
        // a linear search to hurt (a context file of 100,000 keys). Keys
        // come from the input: the hasher is seeded at random.
        let mut index: Option<HashMap<Str, usize, foldhash::fast::RandomState>> = None;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Kind::Object(Vec::new()));
        }
        // at a key's place: after `{` or `,` and the white space after it
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error(format!(
                    "expected a key in double quotes, found {}",
                    self.describe_here()
                )));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error(format!(
                    "expected `:` after the key, found {}",
                    self.describe_here()
                )));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.nested_value(depth, Step::Key(key_start))?;
            let own = self.members.get(base..).unwrap_or_default();
            if index.is_none() && own.len() >= INDEX_FROM {
                index = Some(
                    own.iter()
                        .enumerate()
                        .map(|(i, m)| (m.key.clone(), base + i))
                        .collect(),
                );
            }
            let first = match &index {
                Some(map) => map.get(key.as_str()).and_then(|&i| self.members.get(i)),
                None => own.iter().find(|m| m.key.same_text(&key)),
            };
            if let Some(first) = first {
                let first = first.key_span;
                let object_pointer = self.pointer();
                self.duplicates.push(DuplicateKey {
                    key: key.into(),
                    first,
                    second: key_span,
                    object_pointer,
                });
            } else {
                if let Some(map) = &mut index {
                    map.insert(key.clone(), self.members.len());
                }
                self.members.push(Member {
                    key,
                    key_span,
                    value,
                });
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        return Err(self.error("trailing comma before `}`"));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Object(close(&mut self.members, base)));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `}}` after an object member, found {}",
                        self.describe_here()
                    )))
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.enter(depth)?;
        self.pos += 1; // '['
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Kind::Array(Vec::new()));
        }
        let mut items = match self.values.pop() {
            Some(items) => items,
            None => self.new_stack(),
        };
        // at an element's place: after `[` or `,` and the white space after it
        loop {
            if self.peek() == Some(b'"') {
                // a string element (an `Action` list's) goes onto the
                // stack as it is made: no `Result<Value>` moved in between
                let start = self.pos;
                let s = self.string()?;
                items.push(Value {
                    kind: Kind::String(s),
                    span: Span::new(start, self.pos),
                });
            } else {
                let v = self.nested_value(depth, Step::Index(items.len()))?;
                items.push(v);
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        return Err(self.error("trailing comma before `]`"));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    let array = close(&mut items, 0);
                    self.values.push(items);
                    return Ok(Kind::Array(array));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `]` after an array element, found {}",
                        self.describe_here()
                    )))
                }
            }
        }
    }

    /// An element stack for an array when none is spare (rare after the
    /// first parse on a thread).
    #[cold]
    #[inline(never)]
    fn new_stack(&mut self) -> Vec<Value> {
        if self.large_stacks == 0 {
            return Vec::with_capacity(self.room.min(STACK_ROOM));
        }
        self.large_stacks -= 1;
        Vec::with_capacity(self.room)
    }

    /// The JSON pointer of the value being parsed.
    fn pointer(&self) -> String {
        let segments: Vec<String> = self
            .path
            .iter()
            .map(|step| match *step {
                // the key was parsed once already: it unescapes again
                Step::Key(at) => unescape_at(self.text, at, None)
                    .map(|(k, _)| k)
                    .unwrap_or_default(),
                Step::Index(i) => i.to_string(),
            })
            .collect();
        super::pointer::from_segments(&segments)
    }

    fn number(&mut self) -> Result<Str, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                }
            }
            _ => return Err(self.error("invalid number: expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: expected a digit after `.`"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: expected a digit in the exponent"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
        }
        Ok(self.str_at(start, self.pos))
    }

    /// The text at `start..end` (a character range of `text`), as a range
    /// of the shared source when there is one. Kept out of line, with
    /// [`Str::shared_run`] inlined into it: thin LTO chose the reverse
    /// after an unrelated change (the 50 MB dump's JSON tree took 5% more
    /// CPU time).
    #[inline(never)]
    fn str_at(&self, start: usize, end: usize) -> Str {
        let run = self.bytes.get(start..end).unwrap_or_default();
        match self.shared {
            Some((source, base)) => Str::shared_run(source, base + start, run),
            None => Str::copied_run(self.text, start, run),
        }
    }

    fn string(&mut self) -> Result<Str, SyntaxError> {
        // Most strings hold no escape: their text is taken as it is.
        let body = self.pos + 1;
        if let Some(end) = plain_string_end(self.bytes, self.pos) {
            // the run stops at an ASCII byte: a character boundary
            self.pos = end + 1;
            if self.shared.is_none() {
                // a policy's strings: the common-word probe and the
                // copy here, one call fewer a string
                let text = self.bytes.get(body..end).unwrap_or_default();
                return Ok(Str::copied_run(self.text, body, text));
            }
            return Ok(self.str_at(body, end));
        }
        self.escaped_string()
    }

    /// A string with an escape, a control character or no closing quote:
    /// the full path unescapes it or reports the problem at its place.
    /// Kept out of [`Parser::string`] (rare), so that the common path saves
    /// and restores fewer registers.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self) -> Result<Str, SyntaxError> {
        let (s, end) = unescape_at(self.text, self.pos, None)?;
        self.pos = end;
        Ok(Str::from(s))
    }
}

/// The offset of the first byte at or after `pos` that is not JSON white
/// space (space, tab, line feed, carriage return). After a white-space
/// byte, a run of spaces (a pretty-printed document's indentation after a
/// line feed) is skipped eight bytes at a time: the first byte that is not
/// a space is the lowest nonzero byte of the word XOR spaces.
#[inline]
pub(crate) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    const SPACES: u64 = u64::from_le_bytes([b' '; WORD]);
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
        pos += 1;
        while let Some(Ok(word)) = bytes.get(pos..pos + WORD).map(<[u8; WORD]>::try_from) {
            let others = u64::from_le_bytes(word) ^ SPACES;
            if others != 0 {
                pos += (others.trailing_zeros() / 8) as usize;
                break;
            }
            pos += WORD;
        }
    }
    pos
}

/// The offset of the closing quote of the string literal whose opening
/// quote is at `quote`, when the string holds no escape and no control
/// character (almost every string of a policy): its text is then the
/// bytes between the quotes, as they are. `None` for any other string,
/// which only [`unescape_at`] reads (or reports).
#[inline(always)]
pub(crate) fn plain_string_end(bytes: &[u8], quote: usize) -> Option<usize> {
    let body = quote + 1;
    let rest = bytes.get(body..)?;
    // the end of the plain run: in a few words for a short string
    let run = short_run(rest).or_else(|| long_run(rest))?;
    (rest.get(run) == Some(&b'"')).then_some(body + run)
}

/// Parses the one value that starts at `start` of `text` (after white
/// space), as the value of a document nested `depth` deep would be parsed
/// (the depth limit counts from the document's root): the value, with
/// spans counted from the start of `text`, the duplicate keys inside it,
/// and the offset just past it. What follows the value is not read. The
/// pointers of duplicate keys start at the value, not at the root.
pub(crate) fn parse_value_at(
    text: &str,
    start: usize,
    depth: usize,
) -> Result<(Parsed, usize), SyntaxError> {
    let mut p = Parser::new(text, start, None);
    p.skip_ws();
    let value = p.value(depth);
    let end = p.pos;
    let duplicates = p.finish();
    Ok((
        Parsed {
            value: value?,
            duplicates,
        },
        end,
    ))
}

/// Elements of an array (members of an object) from which, when they are
/// all that its stack holds, the stack itself becomes the array's vector.
const TAKE_FROM: usize = 64;

/// The elements `base..` of `stack`, in a vector of exactly their number.
/// Most are moved out into a new vector (`split_off`). When they are the
/// whole stack, many and at least half its room (ReadOnlyAccess's two
/// `Action` arrays, 1,510 and 1,403 strings: 60 and 56 KB; an account
/// dump's lists), the stack's own allocation is taken and shrunk, which an
/// allocator does in place (mimalloc down to half a block, glibc always),
/// instead of copying them; the stack starts again with room for half as
/// many again as the array held (at most [`LARGE_STACK_ROOM`]), one
/// allocation, as `split_off`'s: the next array of a similar size (from
/// three quarters to one and a half of it) is taken too, without growing
/// the stack first.
fn close<T>(stack: &mut Vec<T>, base: usize) -> Vec<T> {
    let len = stack.len();
    if base == 0 && len >= TAKE_FROM && len.saturating_mul(2) >= stack.capacity() {
        let room = (len + len / 2).min(LARGE_STACK_ROOM);
        let mut all = std::mem::replace(stack, Vec::with_capacity(room));
        all.shrink_to_fit();
        return all;
    }
    stack.split_off(base)
}

/// Bytes of a word of [`short_run`].
const WORD: usize = 8;

/// Words [`short_run`] looks at before it declines: 48 bytes, which
/// hold all but 3% of ReadOnlyAccess's strings (a third are 32 to 47).
const SHORT_WORDS: usize = 6;

/// Where the first quote, backslash or control character is among the
/// first `SHORT_WORDS * WORD` bytes of `bytes`, if it is there (and they
/// are there). A word at a time, two tests of `(y - n…) & !y & 0x80…`
/// (the bytes of `y` below `n`): the quotes and control characters are
/// the bytes below 0x21 of the word XOR 0x02 repeated (which swaps 0x22
/// with 0x20 and 0x23 with 0x21 and keeps every byte below 0x20 below
/// it), the backslashes the bytes below 1 of the word XOR `\` repeated.
/// Neither XOR touches the high bit, so `!y` is `!x` for both. The lowest
/// set bit of each test is exact (a false bit only ever sits above a true
/// one, where a borrow went), so the lowest of both is. Most keys and
/// values of policies and account dumps are that short. Looking for every
/// control character, not only line feeds, needs no pass over the
/// document first (which cost half an instruction a byte).
// always: thin LTO left it out of line in the plain reader's string scan
// after an unrelated change (+2% on the Rails policy's load)
#[inline(always)]
fn short_run(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; WORD]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; WORD]);
    const QUOTE_TO_SPACE: u64 = ONES * (b'"' ^ b' ') as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    // an index loop: `chunks_exact().take().enumerate()` cost about 11
    // instructions more a string (ReadOnlyAccess's are 28 bytes on average)
    let mut at = 0;
    while at < SHORT_WORDS * WORD {
        let word: [u8; WORD] = bytes.get(at..at + WORD)?.try_into().ok()?;
        let x = u64::from_le_bytes(word);
        let quote_or_control = (x ^ QUOTE_TO_SPACE).wrapping_sub(ONES * 0x21);
        let backslash = (x ^ BACKSLASHES).wrapping_sub(ONES);
        let found = (quote_or_control | backslash) & !x & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += WORD;
    }
    None
}

/// The plain run of a string [`short_run`] declined: up to the first
/// quote or backslash (`memchr2`), when no control character comes
/// before it (a minimum, which vectorizes). The words `short_run` looked
/// at are not looked at again when they were all there.
fn long_run(bytes: &[u8]) -> Option<usize> {
    let from = if bytes.len() >= SHORT_WORDS * WORD {
        SHORT_WORDS * WORD
    } else {
        0
    };
    let tail = bytes.get(from..).unwrap_or_default();
    let run = memchr::memchr2(b'"', b'\\', tail)?;
    let lowest = tail
        .get(..run)
        .unwrap_or_default()
        .iter()
        .fold(u8::MAX, |m, &b| m.min(b));
    (lowest >= 0x20).then_some(from + run)
}

/// Unescapes the JSON string literal that starts at `start` (its opening
/// quote). Returns the string and the offset just past the closing quote.
/// With `map`, pushes for every byte of the result the offset of the source
/// byte it came from (used to point into strings that hold whole policies).
pub fn unescape_at(
    text: &str,
    start: usize,
    mut map: Option<&mut Vec<u32>>,
) -> Result<(String, usize), SyntaxError> {
    let bytes = text.as_bytes();
    let err = |offset: usize, message: &str| SyntaxError {
        offset,
        message: message.to_string(),
    };
    if bytes.get(start) != Some(&b'"') {
        return Err(err(start, "expected a string"));
    }
    let mut out = String::new();
    let mut pos = start + 1;
    let push = |out: &mut String, c: char, from: usize, map: &mut Option<&mut Vec<u32>>| {
        let before = out.len();
        out.push(c);
        if let Some(m) = map.as_deref_mut() {
            for _ in before..out.len() {
                m.push(u32::try_from(from).unwrap_or(u32::MAX));
            }
        }
    };
    loop {
        let Some(&b) = bytes.get(pos) else {
            return Err(err(start, "unterminated string (missing closing `\"`)"));
        };
        match b {
            b'"' => return Ok((out, pos + 1)),
            b'\\' => {
                let esc_start = pos;
                let Some(&e) = bytes.get(pos + 1) else {
                    return Err(err(pos, "unterminated escape sequence"));
                };
                pos += 2;
                let c = match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let hi = hex4(bytes, pos).ok_or_else(|| {
                            err(esc_start, "invalid \\u escape: expected four hex digits")
                        })?;
                        pos += 4;
                        if (0xD800..0xDC00).contains(&hi) {
                            let lo = if bytes.get(pos) == Some(&b'\\')
                                && bytes.get(pos + 1) == Some(&b'u')
                            {
                                hex4(bytes, pos + 2)
                            } else {
                                None
                            };
                            match lo {
                                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                    pos += 6;
                                    let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    char::from_u32(cp).ok_or_else(|| {
                                        err(esc_start, "invalid \\u escape: bad surrogate pair")
                                    })?
                                }
                                _ => {
                                    return Err(err(
                                        esc_start,
                                        "invalid \\u escape: lone surrogate (not valid Unicode)",
                                    ))
                                }
                            }
                        } else {
                            char::from_u32(hi).ok_or_else(|| {
                                err(esc_start, "invalid \\u escape: lone surrogate (not valid Unicode)")
                            })?
                        }
                    }
                    _ => {
                        return Err(err(
                            esc_start,
                            "invalid escape sequence (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                        ))
                    }
                };
                push(&mut out, c, esc_start, &mut map);
            }
            0..=0x1f => {
                return Err(err(
                    pos,
                    "control character in a string (write it as an escape such as \\n or \\u0000)",
                ))
            }
            _ => {
                // A run of plain characters is copied at once. `text` is a
                // `str`, and the run stops only at ASCII bytes, so it ends
                // on a character boundary.
                let run = bytes
                    .get(pos..)
                    .unwrap_or_default()
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                    .unwrap_or(bytes.len().saturating_sub(pos));
                let plain = text
                    .get(pos..pos + run)
                    .ok_or_else(|| err(pos, "invalid UTF-8"))?;
                out.push_str(plain);
                if let Some(m) = map.as_deref_mut() {
                    for (i, c) in plain.char_indices() {
                        for _ in 0..c.len_utf8() {
                            m.push(u32::try_from(pos + i).unwrap_or(u32::MAX));
                        }
                    }
                }
                pos += run;
            }
        }
    }
}

fn hex4(bytes: &[u8], pos: usize) -> Option<u32> {
    let digits = bytes.get(pos..pos + 4)?;
    let mut v = 0u32;
    for &d in digits {
        v = v * 16 + (d as char).to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value parsed in place has the spans, duplicates and errors of the
    /// same text parsed alone, moved to where it stands.
    #[test]
    fn a_range_parses_as_its_text_alone_in_place() {
        fn shifted(v: &Value, by: u32) -> Value {
            let mut v = v.clone();
            fn walk(v: &mut Value, by: u32) {
                v.span.start += by;
                v.span.end += by;
                match &mut v.kind {
                    Kind::Array(items) => items.iter_mut().for_each(|i| walk(i, by)),
                    Kind::Object(members) => members.iter_mut().for_each(|m| {
                        m.key_span.start += by;
                        m.key_span.end += by;
                        walk(&mut m.value, by);
                    }),
                    _ => {}
                }
            }
            walk(&mut v, by);
            v
        }
        let line = r#"{"a": {"k":["x",{"é":"\u00e9"}],"k":1} ,"b":[1, 2 , "z" ,], "c":"d"}"#;
        let (a, b, c) = (
            line.find('{').unwrap() + 6,
            line.find("[1").unwrap(),
            line.find("\"d").unwrap(),
        );
        let a_end = line.find(" ,\"b").unwrap();
        let alone = parse(&line[a..a_end]).unwrap();
        let in_place = parse_range(line, a, a_end).unwrap();
        assert_eq!(in_place.value, shifted(&alone.value, a as u32));
        assert_eq!(in_place.duplicates.len(), 1);
        assert_eq!(in_place.duplicates[0].object_pointer, "");
        assert_eq!(
            in_place.duplicates[0].second.start,
            alone.duplicates[0].second.start + a as u32
        );
        // a syntax error at its place in the line
        let b_end = line.find(", \"c").unwrap();
        let err = parse_range(line, b, b_end).unwrap_err();
        assert_eq!(
            err,
            SyntaxError {
                offset: parse(&line[b..b_end]).unwrap_err().offset + b,
                ..err.clone()
            }
        );
        assert_eq!(
            parse_range(line, c, c + 3).unwrap().value.span,
            Span::new(c, c + 3)
        );
        // only one value, and only a character range
        assert!(parse_range(line, c - 1, c + 3).is_err());
        let e = line.find('é').unwrap();
        assert!(parse_range(line, e + 1, e + 2).is_err());
    }

    #[test]
    fn parses_nested_values_with_spans() {
        let p = parse(r#" {"a": [1, "x", true, null], "b": {"c": -2.5e3}} "#).unwrap();
        assert_eq!(p.value.span, Span::new(1, 48));
        let a = p.value.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[0].kind, Kind::Number("1".into()));
        assert_eq!(a[1].as_str(), Some("x"));
        assert_eq!(a[1].span, Span::new(11, 14));
        assert!(p.duplicates.is_empty());
    }

    #[test]
    fn reports_duplicate_keys_spec_g1() {
        let p = parse(r#"{"Statement": {"Effect": "Allow", "Effect": "Deny"}}"#).unwrap();
        assert_eq!(p.duplicates.len(), 1);
        assert_eq!(p.duplicates[0].key, "Effect");
        assert_eq!(p.duplicates[0].object_pointer, "/Statement");
        // the first occurrence is kept
        let st = p.value.get("Statement").unwrap();
        assert_eq!(st.get("Effect").unwrap().as_str(), Some("Allow"));
    }

    #[test]
    fn rejects_syntax_errors_with_offsets() {
        for (text, offset) in [
            ("{\"a\": 1,}", 8),
            ("[1 2]", 3),
            ("{'a': 1}", 1),
            ("\"abc", 0),
            ("{} {}", 3),
            ("", 0),
            ("[01]", 2),
            ("\"a\u{1}b\"", 2),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text:?}: {}", e.message);
        }
    }

    #[test]
    fn reports_duplicate_keys_in_large_objects() {
        // past INDEX_FROM members, duplicates are found through the index
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{i}\": {i}, "));
        }
        text.push_str("\"k3\": 0, \"k99\": 0, \"k100\": 0}");
        let p = parse(&text).unwrap();
        let dups: Vec<&str> = p.duplicates.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(dups, ["k3", "k99"]);
        let members = p.value.as_object().unwrap();
        assert_eq!(members.len(), 101);
        // the first occurrence is kept
        assert_eq!(p.value.get("k3").unwrap().kind, Kind::Number("3".into()));
    }

    #[test]
    fn nesting_is_limited_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{}", e.message);
    }

    #[test]
    fn unescapes_and_maps_offsets() {
        let text = r#""a\"b\u00e9\ud83d\ude00c""#;
        let mut map = Vec::new();
        let (s, end) = unescape_at(text, 0, Some(&mut map)).unwrap();
        assert_eq!(s, "a\"bé😀c");
        assert_eq!(end, text.len());
        assert_eq!(map.len(), s.len());
        assert_eq!(map[0], 1); // 'a'
        assert_eq!(map[1], 2); // '\"' escape starts at 2
        assert_eq!(*map.last().unwrap() as usize, text.len() - 2); // 'c'
    }

    #[test]
    fn a_shared_parse_gives_the_same_tree_as_a_copying_one() {
        // a document past SHARE_FROM, inside a larger source: same values,
        // same spans (counted from the document's start)
        let mut doc = String::from("{\"a\": [");
        while doc.len() < SHARE_FROM {
            doc.push_str("\"word-é\", \"esc\\n\", 12.5, ");
        }
        doc.push_str("\"end\"], \"Effect\": \"Allow\"}");
        let source = Arc::new(format!("  {doc}  "));
        let shared = parse_shared(&source, 2, 2 + doc.len()).unwrap();
        let copied = parse(&doc).unwrap();
        assert_eq!(shared, copied);
        assert!(parse_shared(&source, 1, 4).is_err());
    }

    proptest::proptest! {
        /// `Parser::string`'s fast paths (words of `short_run`, then
        /// `memchr2` and a minimum past them) give what the full path,
        /// `unescape_at`, gives: the same string and end, or the same error
        /// at the same offset.
        #[test]
        fn string_fast_paths_agree_with_unescape(
            body in "[a\"\\\\\n\t\r\u{1}\u{1f}é/un0-9 ]{0,80}",
            close in proptest::bool::ANY,
            tab_elsewhere in proptest::bool::ANY,
            other_controls in proptest::bool::ANY,
        ) {
            // half the bodies hold no control character but line feeds
            let body = if other_controls {
                body
            } else {
                body.replace(['\t', '\r', '\u{1}', '\u{1f}'], "x")
            };
            let doc = format!(
                "[\"{body}{}{}]",
                if close { "\"" } else { "" },
                if tab_elsewhere { ",\t1" } else { ", 1" },
            );
            let full = unescape_at(&doc, 1, None);
            let mut p = Parser::new(&doc, 0, None);
            p.pos = 1;
            let got = p.string().map(|s| (String::from(s), p.pos));
            proptest::prop_assert_eq!(&got, &full);
        }
    }

    proptest::proptest! {
        /// `short_run` finds what a byte loop finds, whenever it answers,
        /// and answers whenever the byte is among its first words.
        #[test]
        fn short_run_is_the_first_stop_byte(bytes in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b'"'),
                proptest::strategy::Just(b'\\'),
                proptest::strategy::Just(b'\n'),
                proptest::strategy::Just(0x01u8),
                proptest::strategy::Just(0x0bu8),
                proptest::strategy::Just(0x1fu8),
                proptest::strategy::Just(0x20u8),
                proptest::strategy::Just(0x9fu8),
                proptest::strategy::Just(0xa0u8),
                proptest::strategy::Just(0x21u8),
                proptest::strategy::Just(0x23u8),
                proptest::strategy::Just(0x02u8),
                proptest::strategy::Just(0x00u8),
                proptest::strategy::Just(0xa2u8),
                proptest::strategy::Just(0xdcu8),
                proptest::strategy::Just(0x5bu8),
                proptest::strategy::Just(0x7cu8),
                proptest::strategy::Just(0x5du8),
                proptest::strategy::Just(0xffu8),
                proptest::num::u8::ANY,
            ],
            0..60,
        )) {
            let first = bytes.iter().position(|&b| matches!(b, b'"' | b'\\' | 0..=0x1f));
            match short_run(&bytes) {
                Some(run) => proptest::prop_assert_eq!(Some(run), first),
                None => proptest::prop_assert!(
                    first.is_none_or(|i| i >= bytes.len().min(SHORT_WORDS * WORD) / WORD * WORD),
                    "{:?} declined", bytes
                ),
            }
        }
    }

    /// `short_run` against a byte loop on every pair of bytes, side by
    /// side in a word and across two words, among plain bytes: every
    /// borrow from one byte into the next is tried.
    #[test]
    fn short_run_agrees_on_every_byte_pair() {
        for at in [0, 6, 7, 15, 46] {
            for a in 0..=255u8 {
                for b in 0..=255u8 {
                    let mut bytes = [b'a'; 50];
                    bytes[at] = a;
                    bytes[at + 1] = b;
                    let first = bytes
                        .iter()
                        .position(|&c| matches!(c, b'"' | b'\\' | 0..=0x1f));
                    let limit = SHORT_WORDS * WORD;
                    assert_eq!(
                        short_run(&bytes),
                        first.filter(|&i| i < limit),
                        "{a:#x} {b:#x} at {at}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        /// `skip_ws` (spaces a word at a time) stops where a byte loop stops.
        #[test]
        fn skip_ws_stops_at_the_first_other_byte(
            text in "( {0,20}[\n\t\rx\"]?){0,6}",
            start in 0usize..40,
        ) {
            let mut p = Parser::new(&text, 0, None);
            p.pos = start.min(text.len());
            let expected = p.pos
                + text.as_bytes()[p.pos..]
                    .iter()
                    .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    .count();
            p.skip_ws();
            proptest::prop_assert_eq!(p.pos, expected);
        }
    }

    /// `close` gives the elements from `base` on and leaves the ones
    /// before, whether it takes the stack (all of it, many, at least half
    /// its room) or moves them out; exact size either way.
    #[test]
    fn closing_takes_or_moves_the_same_elements() {
        for (len, room, base) in [
            (100, 100, 0),
            (100, 150, 0),
            (100, 250, 0),
            (100, 100, 1),
            (TAKE_FROM - 1, TAKE_FROM, 0),
            (TAKE_FROM, TAKE_FROM, 0),
            (3, 16, 0),
            (0, 0, 0),
        ] {
            let mut stack: Vec<usize> = Vec::with_capacity(room);
            stack.extend(0..len);
            let closed = close(&mut stack, base);
            assert_eq!(closed, (base..len).collect::<Vec<_>>());
            assert_eq!(closed.capacity(), closed.len(), "{len} {room} {base}");
            assert_eq!(stack, (0..base).collect::<Vec<_>>());
            stack.push(7); // the stack goes on
        }
        // in a parse: a large array alone on the stack, then one after an
        // element (not taken), then a large object at the root
        let strings = |n: usize| {
            (0..n)
                .map(|i| format!("\"s{i}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        let members = (0..100).map(|i| format!("\"k{i}\":[{}]", strings(i % 3)));
        for text in [
            format!("[[{}],[{}]]", strings(100), strings(70)),
            format!("[{}]", strings(200)),
            format!("{{{}}}", members.collect::<Vec<_>>().join(",")),
        ] {
            let parsed = parse(&text).unwrap().value.to_serde();
            assert_eq!(
                parsed,
                serde_json::from_str::<serde_json::Value>(&text).unwrap()
            );
        }
    }

    /// The element stacks kept between parses (one per open array, some
    /// taken by large arrays, some left behind by syntax errors) change
    /// nothing: each document parses on a thread that parsed others before
    /// as on a fresh thread, and as serde_json reads it; large arrays
    /// under others (ReadOnlyAccess's shape: statements, each with a large
    /// `Action` array) come out with exactly their elements.
    #[test]
    fn kept_element_stacks_give_the_same_trees() {
        let strings = |n: usize| {
            (0..n)
                .map(|i| format!("\"a{i}\""))
                .collect::<Vec<_>>()
                .join(",\n    ")
        };
        let large = |a: usize, b: usize| {
            format!(
                "{{\"S\": [{{\"A\": [{}]}}, {{\"A\": [{}], \"R\": [[1], []]}}, {{\"A\": [\"x\"]}}], \"k\": {{\"k\": 1, \"k\": [2]}}}}",
                strings(a),
                strings(b)
            )
        };
        let docs = [
            large(1510, 1403),
            "[[1, [2, [3, {\"a\": [4,]}]]]]".to_string(),
            large(1403, 1510),
            "[[\"x\", [\"y\"".to_string(),
            large(200, 5000),
            "{\"a\": [1, 2], \"b\": [[3], [\"z\", true]], \"a\": []}".to_string(),
            large(64, 63),
            "[1, 2, 3".to_string(),
            large(1510, 1403),
        ];
        let fresh: Vec<_> = std::thread::spawn({
            let docs = docs.clone();
            move || {
                docs.iter()
                    .map(|d| {
                        std::thread::spawn({
                            let d = d.clone();
                            move || parse(&d)
                        })
                        .join()
                        .unwrap()
                    })
                    .collect()
            }
        })
        .join()
        .unwrap();
        for round in 0..2 {
            for (doc, alone) in docs.iter().zip(&fresh) {
                let got = parse(doc);
                assert_eq!(&got, alone, "round {round}: {}", &doc[..doc.len().min(60)]);
                if let Ok(p) = got {
                    let mut want: serde_json::Value = serde_json::from_str(doc).unwrap();
                    if let Some(k) = want.get_mut("k") {
                        *k = serde_json::json!({"k": 1}); // the first of two keys is kept
                    }
                    if let Some(a) = want.get_mut("a") {
                        *a = serde_json::json!([1, 2]);
                    }
                    assert_eq!(p.value.to_serde(), want);
                    fn exact(v: &Value) {
                        match &v.kind {
                            Kind::Array(items) => {
                                assert_eq!(items.capacity(), items.len());
                                items.iter().for_each(exact);
                            }
                            Kind::Object(members) => members.iter().for_each(|m| exact(&m.value)),
                            _ => {}
                        }
                    }
                    exact(&p.value);
                }
            }
        }
    }

    /// A large document nested deep makes at most `LARGE_STACKS` element
    /// stacks with a large room; the others start small (and all are kept
    /// for the next parse on the thread).
    #[test]
    fn few_large_element_stacks_for_a_deep_document() {
        let depth = 40;
        let doc = format!(
            "{}{}{}",
            "[".repeat(depth),
            vec!["\"padding\""; 4000].join(","),
            "]".repeat(depth)
        );
        assert!(doc.len() >= LARGE_FROM);
        let rooms = std::thread::spawn(move || {
            parse(&doc).unwrap();
            let stacks = STACKS.with(std::cell::Cell::take);
            stacks.values.iter().map(Vec::capacity).collect::<Vec<_>>()
        })
        .join()
        .unwrap();
        // one a level (the innermost's taken by its 4,000 strings, replaced)
        assert_eq!(rooms.len(), depth, "{rooms:?}");
        let large = rooms.iter().filter(|&&r| r > STACK_ROOM).count();
        assert_eq!(large, LARGE_STACKS + 1, "{rooms:?}"); // + the replacement
    }

    #[test]
    fn lone_surrogates_are_errors() {
        assert!(parse(r#""\ud800""#).is_err());
        assert!(parse(r#""\udc00x""#).is_err());
    }
}
