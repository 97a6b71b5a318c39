//! Action patterns of policies (spec M-1): an entry of `Action` or
//! `NotAction` compiled once, when the policy loads, and matched against a
//! request's action without allocating. An element's entries are kept
//! together ([`ActionPatterns`]); a pattern is read through [`PatternRef`].

use std::fmt;

use super::action::{Action, ActionShape};
use super::glob::Glob;

/// Bytes a step of the vectorised loop of `make_ascii_lowercase` takes
/// (two SSE2 registers): [`Code::lowered_body`] pads a lower-cased body
/// to a multiple of it.
const LOWER_STEP: usize = 32;

/// One entry of `Action`/`NotAction` on its own: `*`, or
/// `service:pattern` with `*`/`?` (a command's `--action` pattern, a
/// test's). A policy's entries are kept together, in [`ActionPatterns`];
/// both are read through [`PatternRef`].
#[derive(Clone, PartialEq, Eq)]
pub struct ActionPattern {
    /// The text as written, then its lower-cased body when it keeps one.
    texts: Texts,
    code: Code,
}

/// The entries of one `Action`/`NotAction` element, compiled: their texts
/// (and the lower-cased bodies some keep) in one buffer, and what each
/// compiled to. One allocation for the texts of a whole element where a
/// text each cost ReadOnlyAccess's load 2,900 allocations, copies and
/// frees, about a sixth of its time.
#[derive(Clone, Default)]
pub struct ActionPatterns {
    texts: Texts,
    codes: Vec<Code>,
}

/// Where compiled patterns keep their texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Texts {
    buf: String,
    /// The room `buf` is made with when a text first goes in.
    room: usize,
    /// Whether `buf` starts with the element's source list
    /// ([`ActionPatterns::push_shaped_in`]).
    list: bool,
}

/// One compiled pattern, read where it is kept (in an [`ActionPatterns`]
/// or an [`ActionPattern`]): what a pattern answers.
#[derive(Clone, Copy)]
pub struct PatternRef<'a> {
    buf: &'a str,
    code: &'a Code,
}

/// What one entry compiles to, its texts as ranges of the buffer that
/// keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Code {
    /// Where the text as written is, unless `spelled`.
    text: (u32, u32),
    /// Whether the text is a catalog action as the catalog spells it
    /// (`s3:GetObject`), read from the catalog: a least-privilege policy's
    /// element of such names keeps no text (the Rails policy's two).
    spelled: bool,
    /// Where the lower-cased body is (the text without its trailing stars
    /// for `Prefix`, the whole text otherwise); unused by `Catalog`,
    /// `Any` and `Glob`.
    lower: (u32, u32),
    kind: Kind,
    /// Length of the literal service prefix, when it has no wildcard: it
    /// starts the lower-cased body (the `:` comes before any wildcard).
    service_len: Option<u32>,
    /// Whether that literal service is one the catalog lacks (`ec2`, most
    /// of ReadOnlyAccess): no catalog action matches. Asked of the catalog
    /// once, when the pattern compiles, instead of again by lowering's
    /// checks and by each index build.
    foreign: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// No wildcard: an action of the catalog, by position (its
    /// lower-cased name is the catalog's: [`catalog_lower`]).
    Catalog(u32),
    /// No wildcard, not in the catalog: the lower-cased body.
    Exact,
    /// The lower-cased body, then one or more stars.
    Prefix,
    /// [`Kind::Prefix`] whose body at `lower` is as written, not
    /// lower-cased: ASCII, outside the catalog, its service lower-case
    /// (`ec2:Describe*`, most of ReadOnlyAccess). No catalog action needs
    /// its body and only matching reads past the service, comparing each
    /// byte with its ASCII lower case ([`starts_with_ascii_lowered`]), so
    /// the pattern keeps one copy of its text.
    PrefixAsWritten,
    /// [`Kind::Exact`] kept as written on the same terms (most of
    /// ReadOnlyAccess: `access-analyzer:GetAnalyzer`); its lower-cased
    /// name is not at hand, so [`PatternRef::literal`] is `None` and the
    /// index asks [`PatternRef::literal_as_written`].
    ExactAsWritten,
    /// Only stars.
    Any,
    /// Anything else (`?`, a star inside): rare, so boxed, which keeps
    /// every pattern 16 bytes smaller.
    Glob(Box<Glob>),
}

impl Texts {
    /// Keeps `text`: where it is in `buf`. With `within`, `text` is
    /// `list[at..]` of the element's source `list` (the array's bytes from
    /// its first entry): the first text kept copies the whole list, where
    /// it and the element's next texts already are, one copy in all
    /// instead of one a text. Otherwise `text` is appended; `buf` is made
    /// with room for `room` bytes when the first text goes in.
    #[inline(always)]
    fn keep(&mut self, text: &str, within: Option<(&str, usize)>) -> (u32, u32) {
        if let Some((list, at)) = within {
            if !self.list && self.buf.is_empty() {
                self.buf.reserve(self.room.max(list.len()));
                self.buf.push_str(list);
                self.list = true;
            }
            if self.list {
                debug_assert_eq!(self.buf.get(at..at + text.len()), Some(text));
                return (offset(at), offset(at + text.len()));
            }
        }
        if self.buf.capacity() == 0 {
            self.buf.reserve(self.room);
        }
        let start = self.buf.len();
        self.buf.push_str(text);
        (offset(start), offset(self.buf.len()))
    }
}

/// `n` as a buffer offset. A buffer holds the entries of one element of
/// a document that loaded, far below 4 GiB (the input limits); past it
/// an offset saturates and its text reads empty.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Code {
    /// Compiles `text`, keeping what the pattern needs in `texts` (see
    /// [`Texts::keep`] for `within`).
    #[inline(always)]
    fn compile(
        texts: &mut Texts,
        text: &str,
        within: Option<(&str, usize)>,
        shape: &ActionShape,
    ) -> Code {
        // The shapes of almost every pattern, ASCII `service:Name` or
        // `service:Prefix*`: no other scan.
        if !shape.ascii || shape.inner_wildcard {
            let text_range = texts.keep(text, within);
            return Code::general(&mut texts.buf, text, text_range);
        }
        // lengths and byte slices only: every offset of an ASCII text is
        // a character boundary (`str::get` checks each, which cost ~40
        // instructions an entry)
        let bytes = text.as_bytes();
        let body = if shape.body <= bytes.len() {
            shape.body
        } else {
            0
        };
        let service_len = shape
            .colon
            .filter(|&c| c < shape.body)
            .and_then(|c| u32::try_from(c).ok());
        let cat = crate::catalog::catalog();
        // knows_service ignores the ASCII case of the text
        let foreign = service_len
            .and_then(|n| bytes.get(..n as usize))
            .is_some_and(|svc| !cat.knows_service_bytes(svc));
        let prefix = body < text.len();
        let mut catalog = None;
        if !prefix && service_len.is_some() && !foreign {
            catalog = match shape.upper {
                true => cat.index_of_ignore_ascii_case(text),
                false => cat.index_of(text),
            };
            if let Some(i) = catalog {
                if catalog_spelling(i) == text {
                    return Code {
                        text: (0, 0),
                        spelled: true,
                        lower: (0, 0),
                        kind: Kind::Catalog(i),
                        service_len,
                        foreign,
                    };
                }
            }
        }
        let text_range = texts.keep(text, within);
        // a name or prefix outside the catalog keeps its body as written
        // when its service (what `service` and the indexes read) is
        // lower-case: matching lower-cases it a byte at a time (the
        // service is the text before the first `:`, which the shape
        // looked at)
        let as_written = shape.upper && foreign && !shape.service_upper;
        let kind = match (catalog, prefix, as_written) {
            (Some(i), _, _) => Kind::Catalog(i),
            _ if body == 0 && !text.is_empty() => Kind::Any,
            (None, true, true) => Kind::PrefixAsWritten,
            (None, true, false) => Kind::Prefix,
            (None, false, true) => Kind::ExactAsWritten,
            (None, false, false) => Kind::Exact,
        };
        let lower = if matches!(kind, Kind::Catalog(_) | Kind::Any) {
            // not read
            (text_range.0, text_range.0)
        } else if !shape.upper || as_written {
            // lower-case already, or kept as written: the body is a slice
            // of the text
            let start = text_range.0 as usize;
            (text_range.0, offset(start + body))
        } else {
            Code::lowered_body(&mut texts.buf, text, body)
        };
        Code {
            text: text_range,
            spelled: false,
            lower,
            kind,
            service_len,
            foreign,
        }
    }

    /// Appends the lower-cased `body` first bytes of the ASCII `text`
    /// (with an upper-case letter) to `buf`: where they are. Out of line,
    /// as [`Code::general`]: the common shapes' path keeps fewer
    /// registers.
    #[inline(never)]
    fn lowered_body(buf: &mut String, text: &str, body: usize) -> (u32, u32) {
        let body = text.get(..body).unwrap_or_default();
        // the body is lower-cased by the vectorised loop, which takes 32
        // bytes a step and the rest a byte at a time (a 25-byte body cost
        // ~90 instructions): it is followed by bytes of the text up to a
        // multiple of 32, lower-cased too, never read
        let pad = body.len().next_multiple_of(LOWER_STEP) - body.len();
        let pad = text.get(..pad.min(text.len())).unwrap_or_default();
        let start = buf.len();
        buf.push_str(body);
        buf.push_str(pad);
        if let Some(lower) = buf.get_mut(start..) {
            lower.make_ascii_lowercase();
        }
        (offset(start), offset(start + body.len()))
    }

    /// [`Code::compile`] of any other text (not ASCII, or with `?` or a
    /// star inside), already in `buf` at `text`: lower-cased whole,
    /// compiled as a glob. Rare, so out of line.
    #[cold]
    #[inline(never)]
    fn general(buf: &mut String, text: &str, text_range: (u32, u32)) -> Code {
        let lower = if text.is_ascii() {
            text.to_ascii_lowercase()
        } else {
            text.to_lowercase()
        };
        let service_len = match lower.split_once(':') {
            Some((svc, _)) if !svc.contains(['*', '?']) => u32::try_from(svc.len()).ok(),
            _ => None,
        };
        let cat = crate::catalog::catalog();
        let foreign = service_len
            .and_then(|n| lower.get(..n as usize))
            .is_some_and(|svc| !cat.knows_service(svc));
        let start = buf.len();
        buf.push_str(&lower);
        let lower_range = (offset(start), offset(buf.len()));
        let glob = Glob::from_string(lower);
        let kind = match glob.literal_prefix() {
            // a name that lower-cases (Unicode) to a catalog action's is it
            (name, true) => match cat.index_of(name) {
                Some(i) => Kind::Catalog(i),
                None => Kind::Exact,
            },
            _ if glob.is_any() => Kind::Any,
            _ => Kind::Glob(Box::new(glob)),
        };
        Code {
            text: text_range,
            spelled: false,
            lower: lower_range,
            kind,
            service_len,
            foreign,
        }
    }
}

impl ActionPattern {
    /// Compiles a pattern (validation happens when the policy loads).
    pub fn new(text: &str) -> ActionPattern {
        let mut texts = Texts {
            room: text.len(),
            ..Texts::default()
        };
        let code = Code::compile(&mut texts, text, None, &ActionShape::of(text));
        ActionPattern { texts, code }
    }

    /// The pattern, read in place: what it answers.
    pub fn get(&self) -> PatternRef<'_> {
        PatternRef {
            buf: &self.texts.buf,
            code: &self.code,
        }
    }

    /// As written ([`PatternRef::as_str`]).
    pub fn as_str(&self) -> &str {
        self.get().as_str()
    }

    /// The literal lower-cased service prefix ([`PatternRef::service`]).
    pub fn service(&self) -> Option<&str> {
        self.get().service()
    }

    /// The lower-cased action when the pattern has no wildcard
    /// ([`PatternRef::literal`]).
    pub fn literal(&self) -> Option<&str> {
        self.get().literal()
    }

    /// The catalog position of the action it names
    /// ([`PatternRef::catalog_index`]).
    pub fn catalog_index(&self) -> Option<u32> {
        self.get().catalog_index()
    }

    /// Whether the pattern contains `*` or `?`.
    pub fn has_wildcard(&self) -> bool {
        self.get().has_wildcard()
    }

    /// Whether the pattern matches the action ([`PatternRef::matches`]).
    pub fn matches(&self, action: &Action) -> bool {
        self.get().matches(action)
    }

    /// Whether the pattern matches a lower-cased `service:name`.
    pub fn matches_lower(&self, lower: &str) -> bool {
        self.get().matches_lower(lower)
    }

    /// The catalog actions the pattern matches, by position
    /// ([`PatternRef::catalog_matches`]).
    pub fn catalog_matches(&self) -> impl Iterator<Item = u32> + '_ {
        self.get().catalog_matches()
    }
}

impl ActionPatterns {
    /// No pattern.
    pub fn new() -> ActionPatterns {
        ActionPatterns::default()
    }

    /// Room for `entries` patterns whose texts take `bytes` bytes (made
    /// when the first text that is kept goes in: a catalog action as the
    /// catalog spells it is not).
    pub fn with_capacity(entries: usize, bytes: usize) -> ActionPatterns {
        ActionPatterns {
            texts: Texts {
                room: bytes,
                ..Texts::default()
            },
            codes: Vec::with_capacity(entries),
        }
    }

    /// Compiles `text` and adds it last (validation happens when the
    /// policy loads).
    pub fn push(&mut self, text: &str) {
        self.push_shaped(text, &ActionShape::of(text));
    }

    /// [`ActionPatterns::push`] of a text whose shape is known (lowering
    /// scans each entry once for its checks and its compiling).
    pub(crate) fn push_shaped(&mut self, text: &str, shape: &ActionShape) {
        let code = Code::compile(&mut self.texts, text, None, shape);
        self.codes.push(code);
    }

    /// [`ActionPatterns::push_shaped`] of a text that is `list[at..]` of
    /// the element's source list, the bytes of its array from its first
    /// entry (the plain reader's): the first text kept copies the list,
    /// the texts after it are already there. Every push onto this element
    /// is of that list, or after its last entry.
    pub(crate) fn push_shaped_in(
        &mut self,
        list: &str,
        at: usize,
        text: &str,
        shape: &ActionShape,
    ) {
        let code = Code::compile(&mut self.texts, text, Some((list, at)), shape);
        self.codes.push(code);
    }

    /// How many patterns.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The pattern at `i`, in the order of the element.
    pub fn get(&self, i: usize) -> Option<PatternRef<'_>> {
        let code = self.codes.get(i)?;
        Some(PatternRef {
            buf: &self.texts.buf,
            code,
        })
    }

    /// The last pattern.
    pub fn last(&self) -> Option<PatternRef<'_>> {
        self.get(self.len().checked_sub(1)?)
    }

    /// The patterns, in the order of the element.
    pub fn iter(&self) -> PatternIter<'_> {
        PatternIter {
            buf: &self.texts.buf,
            codes: self.codes.iter(),
        }
    }
}

impl<'t> FromIterator<&'t str> for ActionPatterns {
    fn from_iter<I: IntoIterator<Item = &'t str>>(texts: I) -> ActionPatterns {
        let mut list = ActionPatterns::new();
        for text in texts {
            list.push(text);
        }
        list
    }
}

/// The patterns of an [`ActionPatterns`], in order.
#[derive(Clone)]
pub struct PatternIter<'a> {
    buf: &'a str,
    codes: std::slice::Iter<'a, Code>,
}

impl<'a> Iterator for PatternIter<'a> {
    type Item = PatternRef<'a>;

    fn next(&mut self) -> Option<PatternRef<'a>> {
        let code = self.codes.next()?;
        Some(PatternRef {
            buf: self.buf,
            code,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.codes.size_hint()
    }
}

impl DoubleEndedIterator for PatternIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let code = self.codes.next_back()?;
        Some(PatternRef {
            buf: self.buf,
            code,
        })
    }
}

impl ExactSizeIterator for PatternIter<'_> {}

impl<'a> IntoIterator for &'a ActionPatterns {
    type Item = PatternRef<'a>;
    type IntoIter = PatternIter<'a>;

    fn into_iter(self) -> PatternIter<'a> {
        self.iter()
    }
}

impl<'a> PatternRef<'a> {
    /// The text of `range` in the buffer.
    #[inline]
    fn slice(&self, range: (u32, u32)) -> &'a str {
        self.buf
            .get(range.0 as usize..range.1 as usize)
            .unwrap_or_default()
    }

    /// As written in the policy.
    pub fn as_str(&self) -> &'a str {
        match self.code.kind {
            Kind::Catalog(i) if self.code.spelled => catalog_spelling(i),
            _ => self.slice(self.code.text),
        }
    }

    /// The lower-cased text without trailing stars, as far as it is
    /// literal (what every matching action starts with); as written for
    /// [`Kind::PrefixAsWritten`] (only its service, lower-case, is read
    /// as such).
    #[inline]
    fn lower_prefix(&self) -> &'a str {
        match &self.code.kind {
            Kind::Catalog(i) => catalog_lower(*i),
            Kind::Glob(g) => g.literal_prefix().0,
            _ => self.slice(self.code.lower),
        }
    }

    /// The literal lower-cased service prefix, when it has no wildcard.
    #[inline]
    pub fn service(&self) -> Option<&'a str> {
        let len = self.code.service_len? as usize;
        self.lower_prefix().get(..len)
    }

    /// Whether the service prefix is literal ([`PatternRef::service`]
    /// is `Some`).
    pub fn has_service(&self) -> bool {
        self.code.service_len.is_some()
    }

    /// Whether the literal service prefix is one the catalog lacks (no
    /// catalog action matches the pattern); `false` without one.
    pub(crate) fn outside_catalog(&self) -> bool {
        self.code.foreign
    }

    /// The lower-cased action when the pattern has no wildcard.
    /// `None` too for a name outside the catalog kept as written
    /// (`PatternRef::literal_as_written`).
    pub fn literal(&self) -> Option<&'a str> {
        match &self.code.kind {
            Kind::Catalog(..) | Kind::Exact => Some(self.lower_prefix()),
            _ => None,
        }
    }

    /// The action as written when the pattern has no wildcard and keeps no
    /// lower-cased copy (ASCII, outside the catalog, its service
    /// lower-case): the ASCII lower case of it is the name.
    pub(crate) fn literal_as_written(&self) -> Option<&'a str> {
        match &self.code.kind {
            Kind::ExactAsWritten => Some(self.as_str()),
            _ => None,
        }
    }

    /// The position in the action catalog of the action the pattern names,
    /// when it has no wildcard and the catalog has it.
    pub fn catalog_index(&self) -> Option<u32> {
        match self.code.kind {
            Kind::Catalog(i) => Some(i),
            _ => None,
        }
    }

    /// Whether the pattern contains `*` or `?`.
    pub fn has_wildcard(&self) -> bool {
        !matches!(
            self.code.kind,
            Kind::Catalog(..) | Kind::Exact | Kind::ExactAsWritten
        )
    }

    /// Whether the pattern matches the action (case-insensitive).
    pub fn matches(&self, action: &Action) -> bool {
        if let Kind::Catalog(i) = self.code.kind {
            // one catalog position per lower-cased name
            return action.catalog_index() == Some(i);
        }
        if let Some(svc) = self.service() {
            if svc != action.service() {
                return false;
            }
        }
        self.matches_lower(action.lower())
    }

    /// The catalog actions the pattern matches, by position, in the order
    /// of their lower-cased names: those whose name starts with the
    /// pattern's literal lower-cased prefix, tested one by one only when
    /// that prefix does not decide (a name without wildcard, a `?` or an
    /// inner `*`).
    pub fn catalog_matches(self) -> impl Iterator<Item = u32> + 'a {
        let cat = crate::catalog::catalog();
        // a service the catalog lacks (`ec2:Describe*`, most of
        // ReadOnlyAccess) is known since compiling, before any search
        let (run, every): (&[u32], bool) = match &self.code.kind {
            _ if self.code.foreign => (&[], true),
            Kind::Catalog(i) => (std::slice::from_ref(i), true),
            Kind::Prefix | Kind::PrefixAsWritten | Kind::Any => {
                (cat.with_lower_prefix(self.lower_prefix()), true)
            }
            Kind::Exact | Kind::ExactAsWritten | Kind::Glob(_) => {
                (cat.with_lower_prefix(self.lower_prefix()), false)
            }
        };
        let lowers = cat.lower_names();
        run.iter().copied().filter(move |&i| {
            every
                || lowers
                    .get(i as usize)
                    .is_some_and(|lower| self.matches_lower(lower))
        })
    }

    /// Whether the pattern matches a lower-cased `service:name`.
    pub fn matches_lower(&self, lower: &str) -> bool {
        match &self.code.kind {
            Kind::Catalog(i) => catalog_lower(*i) == lower,
            Kind::Exact => self.lower_prefix() == lower,
            Kind::PrefixAsWritten => starts_with_ascii_lowered(lower, self.lower_prefix()),
            Kind::ExactAsWritten => {
                lower.len() == self.as_str().len()
                    && starts_with_ascii_lowered(lower, self.as_str())
            }
            Kind::Prefix => lower.starts_with(self.lower_prefix()),
            Kind::Any => true,
            Kind::Glob(g) => g.is_match(lower),
        }
    }
}

/// Two patterns are equal when they compiled the same from the same text,
/// wherever their texts are kept.
impl PartialEq for PatternRef<'_> {
    fn eq(&self, other: &PatternRef<'_>) -> bool {
        let (a, b) = (self.code, other.code);
        self.as_str() == other.as_str()
            && self.slice(a.lower) == other.slice(b.lower)
            && a.kind == b.kind
            && a.service_len == b.service_len
            && a.foreign == b.foreign
    }
}

impl Eq for PatternRef<'_> {}

impl PartialEq for ActionPatterns {
    fn eq(&self, other: &ActionPatterns) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for ActionPatterns {}

impl fmt::Debug for PatternRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionPattern")
            .field("text", &self.as_str())
            .field("lower", &self.slice(self.code.lower))
            .field("kind", &self.code.kind)
            .field("service_len", &self.code.service_len)
            .field("foreign", &self.code.foreign)
            .finish()
    }
}

impl fmt::Debug for ActionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl fmt::Debug for ActionPatterns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Whether `s` starts with `prefix` lower-cased (ASCII): what
/// `s.starts_with(&prefix.to_ascii_lowercase())` answers, for any `s`,
/// without the lower-cased copy. Out of line: only actions outside the
/// catalog reach it, and the evaluation of catalog actions is kept as it
/// was.
#[inline(never)]
fn starts_with_ascii_lowered(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.bytes()
            .zip(prefix.bytes())
            .all(|(a, b)| a == b.to_ascii_lowercase())
}

/// Catalog action `i` as the catalog spells it (empty for a position
/// past the catalog, which no pattern holds).
fn catalog_spelling(i: u32) -> &'static str {
    crate::catalog::catalog()
        .actions()
        .get(i as usize)
        .map(|info| info.iam_action)
        .unwrap_or_default()
}

/// The lower-cased name of catalog action `i` (empty for a position
/// past the catalog, which no pattern holds).
#[inline]
fn catalog_lower(i: u32) -> &'static str {
    crate::catalog::catalog()
        .lower_names()
        .get(i as usize)
        .copied()
        .unwrap_or_default()
}

impl fmt::Display for PatternRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ActionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::action::tests::entry;

    /// A compiled entry is 48 bytes (its text is in the element's
    /// buffer): a load of ReadOnlyAccess writes 2,900 of them.
    #[test]
    fn a_compiled_entry_is_48_bytes() {
        assert_eq!(std::mem::size_of::<Code>(), 48);
    }

    /// A catalog pattern's lower-cased name is the catalog's.
    #[test]
    fn catalog_patterns_read_their_lower_cased_name_from_the_catalog() {
        let p = ActionPattern::new("S3:GetObject");
        assert!(p.catalog_index().is_some());
        assert_eq!(p.literal(), Some("s3:getobject"));
        assert_eq!(p.service(), Some("s3"));
        assert!(p.matches_lower("s3:getobject"));
        assert!(!p.matches_lower("s3:getobjectacl"));
    }

    /// The positions of the catalog actions `glob` matches, by walking the
    /// whole catalog: the reference for `catalog_matches`.
    fn catalog_positions_matching(glob: &Glob) -> Vec<u32> {
        let names = crate::catalog::catalog().lower_names();
        (0..names.len())
            .filter(|&i| glob.is_match(names[i]))
            .map(|i| u32::try_from(i).unwrap())
            .collect()
    }

    fn m(p: &str, a: &str) -> bool {
        ActionPattern::new(p).matches(&Action::parse(a).unwrap())
    }

    #[test]
    fn action_matching_table_spec_m1() {
        assert!(m("s3:*", "s3:GetObject"));
        assert!(m("s3:Get*", "s3:GetObjectTagging"));
        assert!(m("s3:*Object", "s3:DeleteObject"));
        assert!(!m("s3:*Object", "s3:DeleteObjects"));
        assert!(m("s3:Get?bject", "s3:GetObject"));
        assert!(m("s3:List*", "s3:ListAllMyBuckets"));
        assert!(m("S3:PUTOBJECT", "s3:PutObject"));
        assert!(m("s3:get*", "S3:getobject"));
        assert!(!m("s3:*", "s3express:CreateSession"));
        assert!(m("s3*:*", "s3express:CreateSession"));
        assert!(m("s3*:*", "s3-object-lambda:GetObject"));
        assert!(m("*", "iam:PassRole"));
        assert!(!m("s3:Get?bject", "s3:GetObjects"));
    }

    #[test]
    fn every_shape_answers_as_its_lower_cased_glob() {
        // the reference: the whole text lower-cased (Unicode), one glob
        let cat = crate::catalog::catalog();
        let mut names: Vec<String> = cat.lower_names().iter().map(|l| l.to_string()).collect();
        names.extend(
            [
                "",
                "s3",
                "s3:",
                "iam:passrole",
                "a4b:listdevices",
                "s3:getobjectx",
            ]
            .map(String::from),
        );
        for p in [
            "s3:GetObject",
            "s3:getobject",
            "S3:GETOBJECT",
            "s3:GetObjectX",
            "S3:Get*",
            "s3:get**",
            "s3:ListBucket",
            "*",
            "**",
            "",
            "s3*",
            "iam:",
            "iam:PassRole",
            "a4b:List*",
            "s3:Get?bject",
            "s3:*Object",
            "s3*:Get*",
            "ſ3:Get*",
            "s3:ListBuc\u{212a}et",
            "s3express:CreateSession",
            // lower-cased, `ListBucketVersions` sorts after `ListBuckets`
            "s3:ListBucket*",
            "s3:listbucketv*",
            "S3:LISTBUCKETS",
            "s3:",
            "s3:*",
            "s3:?*",
            "iam:*Policy*",
        ] {
            let lower = p.to_lowercase();
            let glob = Glob::new(&lower);
            let pattern = ActionPattern::new(p);
            assert_eq!(pattern.as_str(), p);
            assert_eq!(pattern.to_string(), p);
            let literal = pattern.literal().map(str::to_string).or_else(|| {
                pattern
                    .get()
                    .literal_as_written()
                    .map(str::to_ascii_lowercase)
            });
            assert_eq!(literal.as_deref(), glob.as_literal(), "{p}");
            let service = match lower.split_once(':') {
                Some((svc, _)) if !svc.contains(['*', '?']) => Some(svc),
                _ => None,
            };
            assert_eq!(pattern.service(), service, "{p}");
            assert_eq!(
                pattern.catalog_index(),
                glob.as_literal().and_then(|l| cat.index_of(l)),
                "{p}"
            );
            for name in &names {
                assert_eq!(
                    pattern.matches_lower(name),
                    glob.is_match(name),
                    "{p} {name}"
                );
            }
            // the catalog actions found by the literal prefix are those
            // the glob matches, walking the whole catalog
            let mut found: Vec<u32> = pattern.catalog_matches().collect();
            found.sort_unstable();
            assert_eq!(found, catalog_positions_matching(&glob), "{p}");
        }
    }

    #[test]
    fn an_element_keeps_its_texts_in_one_buffer() {
        // a catalog action as the catalog spells it adds nothing, a name
        // kept as written or spelled otherwise its text only; a wildcard
        // of a catalog service with an upper-case letter adds its
        // lower-cased body too, padded towards the vectorised loop's step
        let texts = ["s3:GetObject", "ec2:Describe*", "s3:getObject", "S3:Get*"];
        let list: ActionPatterns = texts.into_iter().collect();
        assert_eq!(list.len(), 4);
        let read: Vec<&str> = list.iter().map(|p| p.as_str()).collect();
        assert_eq!(read, texts);
        assert!(list
            .texts
            .buf
            .starts_with("ec2:Describe*s3:getObjectS3:Get*s3:get"));
        // (the padding is bytes of the text, at most all of them)
        let kept = texts[1..].concat().len();
        assert_eq!(
            list.texts.buf.len(),
            kept + "s3:get".len() + "S3:Get*".len()
        );
        // a least-privilege element allocates no text at all
        let spelled: ActionPatterns = ["s3:GetObject", "s3:PutObject"].into_iter().collect();
        assert_eq!(spelled.texts.buf.capacity(), 0);
        assert_eq!(spelled.get(1).map(|p| p.as_str()), Some("s3:PutObject"));
        // the same answers as each pattern on its own
        for (p, text) in list.iter().zip(texts) {
            let alone = ActionPattern::new(text);
            assert_eq!(p, alone.get(), "{text}");
            assert_eq!(p.catalog_index(), alone.catalog_index(), "{text}");
            assert_eq!(p.literal(), alone.literal(), "{text}");
        }
        let get = Action::parse("S3:GETOBJECT").unwrap();
        let acl = Action::parse("s3:GetObjectAcl").unwrap();
        let matched: Vec<bool> = list.iter().map(|p| p.matches(&get)).collect();
        assert_eq!(matched, [true, false, true, true]);
        let matched: Vec<bool> = list.iter().map(|p| p.matches(&acl)).collect();
        assert_eq!(matched, [false, false, false, true]);
        // lists compare by what they hold, not where
        let mut other = ActionPatterns::with_capacity(0, 0);
        other.push("s3:GetObject");
        assert_ne!(other, list);
        for text in &texts[1..] {
            other.push(text);
        }
        assert_eq!(other, list);
        assert_eq!(format!("{other:?}"), format!("{list:?}"));
    }

    #[test]
    fn a_foreign_prefix_kept_as_written_matches_as_its_lower_cased_body() {
        let names = [
            "",
            "ec2",
            "ec2:",
            "ec2:describ",
            "ec2:describe",
            "ec2:describeinstances",
            "ec2:DescribeInstances",
            "EC2:describeinstances",
            "ec2:descrİbeinstances",
            "ec2:descri̇beinstances",
            "ec2:describeé",
            "ec2:describe\u{212a}",
            "ec2:describ\u{212a}",
            "ec2:get?nstances",
            "ec2x:describe",
        ];
        for (text, kept) in [
            ("ec2:Describe*", true),
            ("ec2:DescribeInstances**", true),
            ("ec2:D*", true),
            ("ec2:*", false),
            ("ec2:describe*", false),
            ("EC2:Describe*", false),
            ("Ec2:describe*", false),
            ("ec2:Descrİbe*", false),
            ("ec2:Describe?nstances", false),
            ("ec2:Describe*Instances", false),
            ("ec2:DescribeInstances", true),
            ("ec2:Describe", true),
            ("ec2:describeinstances", false),
            ("EC2:DescribeInstances", false),
            ("s3:Get*", false),
            ("ec2*:Describe*", false),
        ] {
            let p = ActionPattern::new(text);
            let as_written = matches!(p.code.kind, Kind::PrefixAsWritten | Kind::ExactAsWritten);
            assert_eq!(as_written, kept, "{text}");
            if kept {
                // one copy of the text, nothing lower-cased
                assert_eq!(p.texts.buf.len(), text.len(), "{text}");
            }
            let glob = Glob::new(&text.to_lowercase());
            assert_eq!(p.has_wildcard(), glob.as_literal().is_none(), "{text}");
            // the lower-cased name, from either
            let literal = p
                .literal()
                .map(str::to_string)
                .or_else(|| p.get().literal_as_written().map(str::to_ascii_lowercase));
            assert_eq!(literal.as_deref(), glob.as_literal(), "{text}");
            for name in names {
                let lower = name.to_lowercase();
                assert_eq!(
                    p.matches_lower(&lower),
                    glob.is_match(&lower),
                    "{text} {name}"
                );
                if let Ok(a) = Action::parse(name) {
                    assert_eq!(p.matches(&a), glob.is_match(a.lower()), "{text} {name}");
                }
            }
        }
    }

    #[test]
    fn starts_with_ascii_lowered_is_starts_with_the_lowered_prefix() {
        let texts = [
            "", "e", "E", "ec2:De", "EC2:DE", "ec2:de", "İ", "ec2:dİ", "é", "\u{212a}",
        ];
        for s in texts {
            for prefix in ["", "e", "E", "ec2:De", "ec2:d", "EC2:DE", "k", "K"] {
                assert_eq!(
                    starts_with_ascii_lowered(s, prefix),
                    s.starts_with(&prefix.to_ascii_lowercase()),
                    "{s:?} {prefix:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// A prefix kept as written answers, for any string (lower-case
        /// or not, ASCII or not), as its lower-cased body would.
        #[test]
        fn a_prefix_kept_as_written_answers_as_its_lower_cased_body(
            text in entry(),
            name in entry(),
        ) {
            let p = ActionPattern::new(&text);
            let body = text.trim_end_matches('*').to_ascii_lowercase();
            if p.code.kind == Kind::PrefixAsWritten {
                proptest::prop_assert!(text.is_ascii() && p.get().outside_catalog());
                proptest::prop_assert_eq!(p.matches_lower(&name), name.starts_with(&body));
                let lower = name.to_lowercase();
                proptest::prop_assert_eq!(p.matches_lower(&lower), lower.starts_with(&body));
            }
            if p.code.kind == Kind::ExactAsWritten {
                proptest::prop_assert!(text.is_ascii() && p.get().outside_catalog());
                proptest::prop_assert_eq!(p.matches_lower(&name), name == body);
                let lower = name.to_lowercase();
                proptest::prop_assert_eq!(p.matches_lower(&lower), lower == body);
            }
        }

        /// Every compiled pattern answers as the reference, the whole text
        /// lower-cased (Unicode) as one glob; the service the catalog
        /// lacks, known when compiling, is what `knows_service` says of
        /// `service()`, and such a pattern matches no catalog action (the
        /// index build skips its look-up).
        #[test]
        fn compiled_patterns_answer_as_their_lower_cased_glob(text in entry()) {
            let cat = crate::catalog::catalog();
            let p = ActionPattern::new(&text);
            let lower = text.to_lowercase();
            let glob = Glob::new(&lower);
            proptest::prop_assert_eq!(p.as_str(), text.as_str());
            let literal = p
                .literal()
                .map(str::to_string)
                .or_else(|| p.get().literal_as_written().map(str::to_ascii_lowercase));
            proptest::prop_assert_eq!(literal.as_deref(), glob.as_literal());
            proptest::prop_assert_eq!(p.has_wildcard(), glob.as_literal().is_none());
            let service = match lower.split_once(':') {
                Some((svc, _)) if !svc.contains(['*', '?']) => Some(svc),
                _ => None,
            };
            proptest::prop_assert_eq!(p.service(), service);
            proptest::prop_assert_eq!(
                p.get().outside_catalog(),
                service.is_some_and(|s| !cat.knows_service(s))
            );
            proptest::prop_assert_eq!(
                p.catalog_index(),
                glob.as_literal().and_then(|l| cat.index_of(l))
            );
            for name in cat.lower_names().iter().copied().chain([lower.as_str()]) {
                proptest::prop_assert_eq!(p.matches_lower(name), glob.is_match(name));
            }
            let mut found: Vec<u32> = p.catalog_matches().collect();
            found.sort_unstable();
            let every = catalog_positions_matching(&glob);
            proptest::prop_assert!(!p.get().outside_catalog() || every.is_empty());
            proptest::prop_assert_eq!(found, every);
        }
    }
}
