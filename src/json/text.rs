//! The strings of the JSON tree: the words policies repeat (`Effect`,
//! `Allow`, `Statement`, `s3:GetObject`, `2012-10-17`) point to one static
//! copy; a string parsed from a source file without an escape is a range
//! of that file's text (shared, counted); any other string is one
//! allocation of exactly its length.
//!
//! A policy is mostly these words: a load of ReadOnlyAccess or of a case
//! corpus used to allocate (and free) a `String` for every key and short
//! value, which was a third of the load time.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// A string of the JSON tree (a key, a string value, a number's text), and
/// of compiled patterns (`arn`, `aws`, `s3`, …).
/// Dereferences to `str`; compares, hashes and prints as its text.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Owned(Box<str>),
    /// Bytes `start..end` of a source's text (a character range: the
    /// parser makes one only between ASCII quotes).
    Shared(Arc<String>, u32, u32),
}

impl Str {
    /// The text, as a `str`.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Owned(s) => s,
            Repr::Shared(source, start, end) => source
                .get(*start as usize..*end as usize)
                .unwrap_or_default(),
        }
    }

    /// The length in bytes, without reading the text (a shared range is
    /// its end minus its start): comparisons of keys look at it first.
    #[inline]
    pub(crate) fn byte_len(&self) -> usize {
        match &self.0 {
            Repr::Static(s) => s.len(),
            Repr::Owned(s) => s.len(),
            Repr::Shared(_, start, end) => end.saturating_sub(*start) as usize,
        }
    }

    /// A string with this text: a static copy when it is a common word,
    /// else one allocation of its length.
    pub fn new(text: &str) -> Str {
        match common(text) {
            Some(s) => Str(Repr::Static(s)),
            None => Str::copied(text),
        }
    }
}

impl Str {
    /// The string at bytes `start..end` of `source`: a static copy when it
    /// is a common word, else that range of `source` (no copy). A range
    /// that is not one of `source`'s character ranges is the empty string
    /// (the parser never makes one); one past 4 GiB is copied.
    pub(crate) fn shared(source: &Arc<String>, start: usize, end: usize) -> Str {
        let Some(text) = source.get(start..end) else {
            return Str::default();
        };
        if let Some(s) = common(text) {
            return Str(Repr::Static(s));
        }
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(a), Ok(b)) => Str(Repr::Shared(Arc::clone(source), a, b)),
            _ => Str(Repr::Owned(text.into())),
        }
    }

    /// The string of `run`, the bytes of `source` from `start` on, for
    /// the parser: a static copy when it is a common word, else that range
    /// of `source`. The parser's runs lie between ASCII bytes (quotes,
    /// number characters) of a `str`, so they are character ranges; unlike
    /// [`Str::shared`] this does not check it again (a string's text is
    /// found without a second look at `source`).
    #[inline(always)]
    pub(crate) fn shared_run(source: &Arc<String>, start: usize, run: &[u8]) -> Str {
        debug_assert_eq!(
            source.get(start..start + run.len()).map(str::as_bytes),
            Some(run)
        );
        if let Some(s) = common_bytes(run) {
            return Str(Repr::Static(s));
        }
        match (u32::try_from(start), u32::try_from(start + run.len())) {
            (Ok(a), Ok(b)) => Str(Repr::Shared(Arc::clone(source), a, b)),
            _ => Str::shared(source, start, start + run.len()),
        }
    }

    /// The string of `run`, the bytes of `text` from `start` on, for the
    /// parser: a static copy when it is a common word (found from the
    /// bytes, before any look at character boundaries), else a copy. As
    /// for [`Str::shared_run`], `run` is a character range of `text`.
    #[inline(always)]
    pub(crate) fn copied_run(text: &str, start: usize, run: &[u8]) -> Str {
        if let Some(s) = common_bytes(run) {
            return Str(Repr::Static(s));
        }
        Str::copied(text.get(start..start + run.len()).unwrap_or_default())
    }

    /// A copy of `text`, known to be no common word.
    #[inline(always)]
    fn copied(text: &str) -> Str {
        Str(Repr::Owned(text.into()))
    }

    /// A string that keeps `text`'s allocation, for a text the caller
    /// knows is no common word (a lower-cased pattern): no lookup.
    pub(crate) fn owned(text: String) -> Str {
        Str(Repr::Owned(text.into_boxed_str()))
    }
}

impl Default for Str {
    /// The empty string (the common word: every static text is one of
    /// `WORDS`, which equality relies on).
    fn default() -> Str {
        Str::new("")
    }
}

impl Deref for Str {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str::new(s)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        match common(&s) {
            Some(c) => Str(Repr::Static(c)),
            None => Str(Repr::Owned(s.into_boxed_str())),
        }
    }
}

impl From<Str> for String {
    fn from(s: Str) -> String {
        match s.0 {
            Repr::Static(s) => s.to_string(),
            Repr::Owned(s) => s.into_string(),
            Repr::Shared(..) => s.as_str().to_string(),
        }
    }
}

impl Str {
    /// Whether both hold the same text (`==`, always inlined: the
    /// duplicate-key check of an object compares its keys pairwise).
    #[inline(always)]
    pub(crate) fn same_text(&self, other: &Str) -> bool {
        match (&self.0, &other.0) {
            // two common words: each text has one copy in `WORDS`, so the
            // same text is the same address
            (Repr::Static(a), Repr::Static(b)) => std::ptr::eq(*a, *b),
            _ => self.byte_len() == other.byte_len() && self.as_str() == other.as_str(),
        }
    }
}

impl PartialEq for Str {
    #[inline]
    fn eq(&self, other: &Str) -> bool {
        self.same_text(other)
    }
}

impl Eq for Str {}

impl PartialEq<str> for Str {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        self.byte_len() == other.len() && self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    #[inline]
    fn eq(&self, other: &&str) -> bool {
        self.byte_len() == other.len() && self.as_str() == *other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Str> for str {
    #[inline]
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Str> for &str {
    #[inline]
    fn eq(&self, other: &Str) -> bool {
        *self == other.as_str()
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The static copy of a word policies, case files and account dumps
/// repeat, if `text` is one.
///
/// One probe of an open-addressed table (built at compile time) keyed by
/// the length and three bytes: a miss usually lands on an empty slot after
/// a multiply and a load, a hit compares one candidate. It replaced a
/// linear search among the words of the same length (about 30
/// instructions a string for ReadOnlyAccess, 90 for an account dump's keys).
#[inline]
fn common(text: &str) -> Option<&'static str> {
    common_bytes(text.as_bytes())
}

/// [`common`] of a text given as its bytes.
#[inline]
fn common_bytes(bytes: &[u8]) -> Option<&'static str> {
    // longer than every word: no hash, no probe (half of ReadOnlyAccess's
    // strings, action names of 30 to 63 bytes)
    if bytes.len() > LONGEST {
        return None;
    }
    let mut slot = slot_of(bytes);
    loop {
        let word = *WORDS.get(usize::from(*TABLE.get(slot)?))?;
        if same_bytes(word.as_bytes(), bytes) {
            return Some(word);
        }
        slot = (slot + 1) & (SLOTS - 1);
    }
}

/// The length of the longest common word, in bytes.
const LONGEST: usize = longest();

// Evaluated at compile time only, as `table`.
#[allow(clippy::indexing_slicing)]
const fn longest() -> usize {
    let mut longest = 0;
    let mut i = 0;
    while i < WORDS_LIST.len() {
        if WORDS_LIST[i].len() > longest {
            longest = WORDS_LIST[i].len();
        }
        i += 1;
    }
    longest
}

/// Bits of a slot number of [`TABLE`].
const SLOT_BITS: u32 = 10;
/// Slots of [`TABLE`]: about 7 per word, so that most misses find an
/// empty slot at once.
const SLOTS: usize = 1 << SLOT_BITS;
/// An empty slot of [`TABLE`] (no word has this index).
const EMPTY: u8 = u8::MAX;

/// The slot where the search for `bytes` starts: a multiplicative hash of
/// its length and its first, middle and last bytes (what tells the common
/// words apart cheaply).
#[inline]
const fn slot_of(bytes: &[u8]) -> usize {
    let (first, last) = match (bytes.first(), bytes.last()) {
        (Some(&f), Some(&l)) => (f, l),
        _ => (0, 0),
    };
    let middle = match bytes.split_at(bytes.len() / 2).1.first() {
        Some(&m) => m,
        None => 0,
    };
    let key = (bytes.len() as u32 & 0xff)
        | (first as u32) << 8
        | (middle as u32) << 16
        | (last as u32) << 24;
    (key.wrapping_mul(0x9e37_79b1) >> (32 - SLOT_BITS)) as usize
}

/// Index in [`WORDS`] of the word in each slot, [`EMPTY`] for none; a word
/// sits at its [`slot_of`] or the first free slot after it (linear probing).
static TABLE: [u8; SLOTS] = table();

// Evaluated at compile time only (`TABLE`'s initializer): an index out of
// range would fail the build, never a run.
#[allow(clippy::indexing_slicing)]
const fn table() -> [u8; SLOTS] {
    assert!(WORDS_LIST.len() < EMPTY as usize);
    let mut table = [EMPTY; SLOTS];
    let mut i = 0;
    while i < WORDS_LIST.len() {
        let mut slot = slot_of(WORDS_LIST[i].as_bytes());
        while table[slot] != EMPTY {
            slot = (slot + 1) & (SLOTS - 1);
        }
        table[slot] = i as u8;
        i += 1;
    }
    table
}

/// Whether two texts of the same length are equal: up to 16 bytes by two
/// overlapping word loads each, not a `memcmp` call (a common word is
/// short and found once per string of every document).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word8(s: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(
            s.get(at..at + 8)
                .and_then(|w| w.try_into().ok())
                .unwrap_or([0; 8]),
        )
    }
    fn word4(s: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(
            s.get(at..at + 4)
                .and_then(|w| w.try_into().ok())
                .unwrap_or([0; 4]),
        )
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        _ => a == b,
    }
}

/// The common words, each once: a `static`, so that each has one address,
/// which every static `Str` of its text points to (their equality compares
/// addresses).
static WORDS: [&str; WORDS_LIST.len()] = WORDS_LIST;

/// The common words as a constant, for building [`TABLE`].
const WORDS_LIST: [&str; 138] = [
    "",
    "*",
    "0",
    "1",
    "/",
    "id",
    "v1",
    "/*",
    "s3",
    "AWS",
    "Sid",
    "scp",
    "rcp",
    "Key",
    "Arn",
    "arn",
    "aws",
    "iam",
    "sts",
    "s3:*",
    "Deny",
    "true",
    "Bool",
    "Path",
    "note",
    "tags",
    "Tags",
    "Allow",
    "false",
    "Value",
    "Roles",
    "Effect",
    "Action",
    "action",
    "expect",
    "source",
    "Policy",
    "UserId",
    "RoleId",
    "Service",
    "Version",
    "context",
    "Content",
    "session",
    "ArnLike",
    "GroupId",
    "Resource",
    "identity",
    "boundary",
    "resource",
    "Document",
    "iam:Get*",
    "PolicyId",
    "UserName",
    "RoleName",
    "Policies",
    "NotAction",
    "Condition",
    "Federated",
    "principal",
    "VersionId",
    "iam:List*",
    "Statement",
    "IpAddress",
    "s3:prefix",
    "ArnEquals",
    "PolicyArn",
    "GroupName",
    "GroupList",
    "2012-10-17",
    "2008-10-17",
    "PolicyName",
    "StringLike",
    "aws:userid",
    "CreateDate",
    "UpdateDate",
    "NotResource",
    "Description",
    "ImplicitDeny",
    "NotPrincipal",
    "StringEquals",
    "s3:GetObject",
    "s3:PutObject",
    "ExplicitDeny",
    "iam:PassRole",
    "aws:SourceIp",
    "aws:username",
    "111122223333",
    "IsAttachable",
    "RoleLastUsed",
    "s3:ListBucket",
    "CanonicalUser",
    "PolicyVersion",
    "s3:GetObject*",
    "sts:AssumeRole",
    "PolicyDocument",
    "s3:ListBucket*",
    "aws:SourceVpce",
    "arn:aws:s3:::*",
    "UserPolicyList",
    "RolePolicyList",
    "UserDetailList",
    "RoleDetailList",
    "s3:DeleteObject",
    "resource_policy",
    "StringNotEquals",
    "s3:DeleteBucket",
    "NumericLessThan",
    "DateGreaterThan",
    "GroupPolicyList",
    "GroupDetailList",
    "AttachmentCount",
    "resource_account",
    "IsDefaultVersion",
    "ec2:RunInstances",
    "aws:PrincipalArn",
    "DefaultVersionId",
    "AWSManagedPolicy",
    "aws:PrincipalType",
    "PolicyVersionList",
    "InstanceProfileId",
    "aws:PrincipalOrgID",
    "MaxSessionDuration",
    "s3:ListAllMyBuckets",
    "aws:SecureTransport",
    "PermissionsBoundary",
    "InstanceProfileList",
    "InstanceProfileName",
    "aws:PrincipalAccount",
    "StringEqualsIgnoreCase",
    "ForAnyValue:StringLike",
    "PermissionsBoundaryArn",
    "AttachedManagedPolicies",
    "PermissionsBoundaryType",
    "ForAnyValue:StringEquals",
    "AssumeRolePolicyDocument",
    "ForAllValues:StringEquals",
    "PermissionsBoundaryUsageCount",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_and_others_hold_their_text() {
        for w in [
            "Effect",
            "Allow",
            "2012-10-17",
            "",
            "s3:GetObject",
            "x/y",
            "é",
        ] {
            let s = Str::new(w);
            assert_eq!(s, w);
            assert_eq!(s.as_str(), w);
            assert_eq!(String::from(s.clone()), w);
            assert_eq!(Str::from(w.to_string()), s);
        }
        assert!(matches!(Str::new("Effect").0, Repr::Static(_)));
        assert!(matches!(Str::new("Effectt").0, Repr::Owned(_)));
    }

    /// Every common word is found, whatever its length; a text just
    /// longer than the longest is not (the length check declines it).
    #[test]
    fn every_common_word_is_found() {
        assert_eq!(LONGEST, WORDS.iter().map(|w| w.len()).max().unwrap());
        for w in WORDS {
            assert_eq!(common(w).map(str::as_ptr), Some(w.as_ptr()), "{w:?}");
            assert_eq!(
                common(&format!("{w}x")).is_some(),
                WORDS.contains(&&*format!("{w}x"))
            );
        }
        let longest = WORDS.iter().find(|w| w.len() == LONGEST).unwrap();
        assert_eq!(common(&format!("{longest}s")), None);
        assert_eq!(common(&"a".repeat(LONGEST + 1)), None);
    }

    #[test]
    fn shared_strings_are_ranges_of_their_source() {
        let source = Arc::new(String::from(r#"{"Effect": "Allowé", "x": 1}"#));
        let s = Str::shared(&source, 12, 19);
        assert_eq!(s, "Allowé");
        assert!(matches!(s.0, Repr::Shared(..)));
        assert_eq!(String::from(s.clone()), "Allowé");
        assert_eq!(s, Str::new("Allowé"));
        // a common word is the static copy, not a range
        assert!(matches!(
            Str::shared(&source, 2, 8).0,
            Repr::Static("Effect")
        ));
        // a range that is not a character range is copied (empty), never a panic
        assert_eq!(Str::shared(&source, 12, 18), "");
        assert_eq!(Str::shared(&source, 12, 1000), "");
        // the parser's way: the same strings, without the second look
        assert!(matches!(
            Str::shared_run(&source, 2, b"Effect").0,
            Repr::Static("Effect")
        ));
        let run = Str::shared_run(&source, 12, "Allowé".as_bytes());
        assert!(matches!(run.0, Repr::Shared(_, 12, 19)));
        assert_eq!(run, "Allowé");
        for s in [
            Str::shared(&source, 12, 19),
            Str::new("Effect"),
            Str::new("é/x"),
        ] {
            assert_eq!(s.byte_len(), s.as_str().len());
        }
    }

    proptest::proptest! {
        /// The parser's way to a string of an unshared document
        /// (`copied_run`: the common-word probe on the run's bytes, then a
        /// copy) gives what `Str::new` of the same text gives: the same
        /// text, static exactly when it is a common word.
        #[test]
        fn copied_runs_are_str_new(
            word in proptest::sample::select(WORDS_LIST.to_vec()),
            other in "[a-zA-Z0-9:*/é\\-]{0,40}",
            before in "[ é\\[]{0,3}",
            pick_word in proptest::bool::ANY,
        ) {
            let body = if pick_word { word.to_string() } else { other };
            let text = format!("{before}\"{body}\"]");
            let start = before.len() + 1;
            let run = &text.as_bytes()[start..start + body.len()];
            let got = Str::copied_run(&text, start, run);
            let want = Str::new(&body);
            proptest::prop_assert_eq!(got.as_str(), body.as_str());
            proptest::prop_assert_eq!(
                matches!(got.0, Repr::Static(_)),
                matches!(want.0, Repr::Static(_))
            );
            proptest::prop_assert_eq!(matches!(got.0, Repr::Static(_)), common(&body).is_some());
            proptest::prop_assert!(got == want);
        }
    }

    #[test]
    fn same_bytes_is_byte_equality() {
        let texts = [
            "", "a", "ab", "abcd", "abce", "abcdefg", "abcdefh", "bbcdefg",
        ];
        let longer = [
            "abcdefgh",
            "abcdefgi",
            "s3:GetObject",
            "s3:GetObjecu",
            "t3:GetObject",
        ];
        let longest = [
            "0123456789abcdef",
            "0123456789abcdeg",
            "x123456789abcdef",
            "0123456789abcdefg",
        ];
        for set in [&texts[..], &longer[..], &longest[..]] {
            for a in set {
                for b in set {
                    assert_eq!(same_bytes(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
                }
            }
        }
        // a difference in the middle of a 16-byte text
        assert!(!same_bytes(b"0123456789abcdef", b"01234567x9abcdef"));
        assert!(!same_bytes(b"01234567", b"0123x567"));
    }

    #[test]
    fn every_common_word_is_found_and_listed_once() {
        for (i, w) in WORDS.iter().enumerate() {
            assert_eq!(common(w), Some(*w));
            assert!(!WORDS[..i].contains(w), "`{w}` is listed twice");
        }
        // misses: near words (one byte changed, longer, shorter) and others
        for w in WORDS {
            let longer = format!("{w}x");
            assert_eq!(
                common(&longer),
                WORDS.iter().copied().find(|c| *c == longer)
            );
            if let Some((_, shorter)) = w.split_at_checked(1) {
                assert_eq!(
                    common(shorter),
                    WORDS.iter().copied().find(|c| *c == shorter)
                );
            }
        }
        for miss in [
            "Effectt",
            "allow",
            "s3:GetObjectAcl",
            "arn:aws:s3:::bucket/*",
            "é",
        ] {
            assert_eq!(common(miss), None, "{miss}");
        }
    }

    #[test]
    fn equality_is_by_text_whatever_the_representation() {
        let source = Arc::new(String::from(r#"["s3:*", "Effect", "Effect2"]"#));
        let texts = ["", "s3:*", "Effect", "Action", "Effect2"];
        let mut strs = vec![Str::default()];
        for t in texts {
            strs.push(Str::new(t));
            strs.push(Str::owned(t.to_string()));
        }
        strs.push(Str::shared(&source, 2, 6));
        strs.push(Str::shared(&source, 10, 16));
        strs.push(Str::shared(&source, 20, 27));
        assert!(matches!(strs[0].0, Repr::Static(_)));
        for a in &strs {
            for b in &strs {
                assert_eq!(a == b, a.as_str() == b.as_str(), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn the_common_word_table_is_sparse() {
        // every word is found within a few probes of its slot
        for w in WORDS {
            let home = slot_of(w.as_bytes());
            let at = (0..SLOTS)
                .map(|k| (home + k) & (SLOTS - 1))
                .position(|s| WORDS.get(usize::from(TABLE[s])) == Some(&w))
                .unwrap();
            assert!(at <= 3, "`{w}` is {at} probes from its slot");
        }
        let used = TABLE.iter().filter(|&&i| i != EMPTY).count();
        assert_eq!(used, WORDS.len());
    }
}
