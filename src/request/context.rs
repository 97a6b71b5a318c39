//! The request context: condition keys and their values (spec section 0, C-1).
//!
//! Keys are case-insensitive; values are text, one or several. Every value
//! remembers where it came from, so output can show what s3guard filled in.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;
use smallvec::SmallVec;

use super::known_keys::{self, KnownKey};
use crate::matcher::{Resolve, Variable};

/// A context value: one string, or several (multi-valued keys such as `aws:TagKeys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// One value.
    Single(String),
    /// Several values (possibly none).
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice (one element for `Single`).
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(s) => std::slice::from_ref(s),
            ContextValue::Multi(v) => v,
        }
    }

    /// An empty list counts as absent (C-11 decision).
    pub fn is_empty_set(&self) -> bool {
        matches!(self, ContextValue::Multi(v) if v.is_empty())
    }
}

impl fmt::Display for ContextValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextValue::Single(s) => write!(f, "{s:?}"),
            ContextValue::Multi(v) => {
                f.write_str("[")?;
                for (i, s) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{s:?}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Where a context value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Given by the user (`--context`, a context file, a test case).
    Given,
    /// Derived by s3guard from the principal or the request (`aws:PrincipalArn`, …).
    Derived,
    /// A default s3guard assumed (`aws:SecureTransport=true`, `aws:CurrentTime=now`).
    Default,
}

/// A context key as given, with its lower-cased form (what look-ups
/// compare). A key the table of known keys spells exactly so (most keys
/// of a request: `aws:PrincipalArn`, `s3:prefix`) borrows both forms from
/// it; any other holds both in one allocation. Reads as the key as given
/// (`Deref` to `str`, `Display`, `Serialize`); equal keys are equal
/// whichever way they are held.
#[derive(Clone)]
pub struct ContextKey(KeyText);

/// Where a [`ContextKey`]'s two forms are.
#[derive(Clone)]
enum KeyText {
    /// Spelled so in the table of known keys.
    Known(&'static KnownKey),
    /// The lower-cased key, followed by the key as given when that
    /// differs; `split` is where the lower-cased form ends.
    Owned { text: Box<str>, split: usize },
}

impl ContextKey {
    /// The key `key`: borrowed from the table of known keys when it spells
    /// it exactly so, one allocation otherwise.
    pub fn new(key: &str) -> ContextKey {
        if let Some(known) = known_keys::lookup(key) {
            return ContextKey(KeyText::Known(known));
        }
        let (text, split) = if !key.is_ascii() {
            let mut text = key.to_lowercase();
            let split = text.len();
            if text != key {
                text.push_str(key);
            }
            (text.into_boxed_str(), split)
        } else if key.bytes().any(|b| b.is_ascii_uppercase()) {
            // both forms in one allocation of exactly their size
            let mut text = String::with_capacity(2 * key.len());
            text.push_str(key);
            text.make_ascii_lowercase();
            text.push_str(key);
            (text.into_boxed_str(), key.len())
        } else {
            (Box::from(key), key.len())
        };
        ContextKey(KeyText::Owned { text, split })
    }

    /// The key as given.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            KeyText::Known(k) => k.key,
            KeyText::Owned { text, split } if *split < text.len() => {
                text.get(*split..).unwrap_or_default()
            }
            KeyText::Owned { text, .. } => text,
        }
    }

    /// The key lower-cased as `str::to_lowercase` does.
    pub fn lower(&self) -> &str {
        match &self.0 {
            KeyText::Known(k) => k.lower,
            KeyText::Owned { text, split } => text.get(..*split).unwrap_or_default(),
        }
    }

    /// The key's rank in the table of known keys ([`KnownKey::rank`]):
    /// known keys order as their ranks do.
    pub(crate) fn rank(&self) -> Option<u8> {
        match &self.0 {
            KeyText::Known(k) => Some(k.rank),
            KeyText::Owned { .. } => None,
        }
    }

    /// Whether the catalog says the key holds several values (known keys
    /// carry the answer, other keys ask the catalog).
    fn is_multivalued(&self) -> bool {
        match &self.0 {
            KeyText::Known(k) => k.multi,
            KeyText::Owned { .. } => crate::catalog::is_multivalued(self.lower()),
        }
    }
}

impl std::ops::Deref for ContextKey {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ContextKey {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for ContextKey {
    fn from(key: &str) -> ContextKey {
        ContextKey::new(key)
    }
}

impl From<String> for ContextKey {
    fn from(key: String) -> ContextKey {
        ContextKey::new(&key)
    }
}

impl From<&String> for ContextKey {
    fn from(key: &String) -> ContextKey {
        ContextKey::new(key)
    }
}

impl From<ContextKey> for String {
    fn from(key: ContextKey) -> String {
        key.as_str().to_string()
    }
}

impl PartialEq for ContextKey {
    fn eq(&self, other: &ContextKey) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ContextKey {}

impl PartialEq<str> for ContextKey {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ContextKey {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ContextKey {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl std::hash::Hash for ContextKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for ContextKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ContextKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ContextKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One key and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key as given (its lower-cased form: [`ContextKey::lower`]).
    pub key: ContextKey,
    /// The value.
    pub value: ContextValue,
    /// Where it came from.
    pub origin: Origin,
}

impl ContextEntry {
    /// An entry; a one-element list for a key that is not multi-valued
    /// becomes a single value.
    #[inline]
    fn new(key: ContextKey, value: ContextValue, origin: Origin) -> ContextEntry {
        let value = match value {
            ContextValue::Multi(mut v) if v.len() == 1 && !key.is_multivalued() => {
                ContextValue::Single(v.pop().unwrap_or_default())
            }
            v => v,
        };
        ContextEntry { key, value, origin }
    }

    /// The key lower-cased.
    fn lower(&self) -> &str {
        self.key.lower()
    }
}

/// `key` lower-cased as `str::to_lowercase` does: keys are ASCII but for
/// rare exceptions, and the ASCII mapping is the same and cheaper.
fn lower_key(key: &str) -> String {
    if key.is_ascii() {
        key.to_ascii_lowercase()
    } else {
        key.to_lowercase()
    }
}

/// The order of two keys, as `Ord` for byte strings gives it, eight
/// bytes at a time: keys share long prefixes (`aws:principal…`), and a
/// `memcmp` call per comparison cost more than the rest of the sort.
fn key_order(a: &[u8], b: &[u8]) -> Ordering {
    let mut i = 0;
    while let (Some(x), Some(y)) = (word8(a, i), word8(b, i)) {
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
    }
    a.get(i..).cmp(&b.get(i..))
}

/// Most entries a context sorts by their places ([`Context::sort_entries`]).
const SMALL_CONTEXT: usize = 32;

/// The first sixteen bytes of `s` (zeros past its end) as a number in
/// their order: two keys so numbered are in the order of their numbers
/// when these differ.
fn prefix16(s: &[u8]) -> u128 {
    let mut sixteen = [0u8; 16];
    let n = s.len().min(16);
    if let (Some(to), Some(from)) = (sixteen.get_mut(..n), s.get(..n)) {
        to.copy_from_slice(from);
    }
    u128::from_be_bytes(sixteen)
}

/// The eight bytes of `s` at `i` as a number in their order (big-endian).
fn word8(s: &[u8], i: usize) -> Option<u64> {
    let mut eight = [0u8; 8];
    eight.copy_from_slice(s.get(i..i + 8)?);
    Some(u64::from_be_bytes(eight))
}

/// Sorts a few keys with their places by their lower-cased forms (by
/// insertion); `None` when two are equal.
fn sort_distinct(keys: &mut [(usize, Option<ContextKey>)]) -> Option<()> {
    for i in 1..keys.len() {
        let mut j = i;
        while j > 0 {
            let (Some((_, Some(a))), Some((_, Some(b)))) = (keys.get(j - 1), keys.get(j)) else {
                break;
            };
            match key_order(b.lower().as_bytes(), a.lower().as_bytes()) {
                Ordering::Less => keys.swap(j - 1, j),
                Ordering::Equal => return None,
                Ordering::Greater => break,
            }
            j -= 1;
        }
    }
    Some(())
}

/// The request context. Lookups by lower-cased key never allocate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<ContextEntry>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a key (replacing any value under the same key, in any case).
    /// A one-element list for a key that is not multi-valued becomes a single value.
    pub fn insert(&mut self, key: &str, value: ContextValue, origin: Origin) {
        let entry = ContextEntry::new(ContextKey::new(key), value, origin);
        match self
            .entries
            .binary_search_by(|e| key_order(e.lower().as_bytes(), entry.lower().as_bytes()))
        {
            Ok(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    *slot = entry;
                }
            }
            Err(i) => self.entries.insert(i, entry),
        }
    }

    /// Sets many keys at once, as [`Context::insert`] one after the other
    /// would (a later key replaces an earlier one in any case), but sorting
    /// once: a context file of 100,000 keys in reverse order must not cost
    /// 100,000 insertions at the front of a vector. Keys may be given as
    /// `String`s, `&str`s or `ContextKey`s; the entries' vector grows
    /// once by the items' count when the iterator knows it.
    pub fn extend<I, K>(&mut self, items: I)
    where
        I: IntoIterator<Item = (K, ContextValue, Origin)>,
        K: Into<ContextKey>,
    {
        let before = self.entries.len();
        self.entries.extend(
            items
                .into_iter()
                .map(|(key, value, origin)| ContextEntry::new(key.into(), value, origin)),
        );
        if self.entries.len() == before || self.entries.is_sorted_by(|a, b| a.lower() < b.lower()) {
            // strictly increasing: already in order, and no key twice
            return;
        }
        self.sort_entries();
        // `dedup_by` keeps the first of equal neighbours (`kept`) and drops
        // the later (`later`): swapping first keeps the later one's entry
        self.entries.dedup_by(|later, kept| {
            let same = later.lower() == kept.lower();
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
    }

    /// The context of `items`, each a key (`key`) and its value (`value`),
    /// all from `origin`: what [`Context::extend`] on an empty context
    /// gives, but `None` when two keys are one in any case.
    ///
    /// A request's context (up to 32 keys, most of them spelled as the
    /// table of known keys spells them) is built in place:
    /// each known key marks its rank's bit (a rank twice is a key twice),
    /// the other keys (`aws:PrincipalTag/team`, a few) sort among
    /// themselves, and the entries are built once each, in their order, in
    /// a vector of their count: no check of the order, no moves of entries
    /// and no pass for duplicates afterwards.
    pub fn from_distinct<T>(
        items: &[T],
        key: impl Fn(&T) -> &str,
        mut value: impl FnMut(&T) -> ContextValue,
        origin: Origin,
    ) -> Option<Context> {
        let n = items.len();
        if n > SMALL_CONTEXT {
            let mut context = Context::new();
            context.extend(
                items
                    .iter()
                    .map(|t| (ContextKey::new(key(t)), value(t), origin.clone())),
            );
            return (context.len() == n).then_some(context);
        }
        let mut known: [Option<&'static KnownKey>; SMALL_CONTEXT] = [None; SMALL_CONTEXT];
        let mut at = [0u8; 128];
        let mut ranks = 0u128;
        let mut others: SmallVec<[(usize, Option<ContextKey>); 8]> = SmallVec::new();
        for ((i, item), slot) in items.iter().enumerate().zip(known.iter_mut()) {
            let text = key(item);
            let found = known_keys::lookup(text).and_then(|k| {
                let bit = 1u128.checked_shl(u32::from(k.rank))?;
                Some((k, bit, at.get_mut(usize::from(k.rank))?))
            });
            match found {
                Some((k, bit, place)) => {
                    if ranks & bit != 0 {
                        return None;
                    }
                    ranks |= bit;
                    *place = u8::try_from(i).ok()?;
                    *slot = Some(k);
                }
                None => others.push((i, Some(ContextKey::new(text)))),
            }
        }
        sort_distinct(&mut others)?;
        let mut entries = Vec::with_capacity(n);
        let mut push = |place: usize, key: ContextKey| {
            let item = items.get(place)?;
            entries.push(ContextEntry::new(key, value(item), origin.clone()));
            Some(())
        };
        // the other keys go in before the first known key after them
        let mut rest = others.iter_mut();
        let mut next = rest.next();
        while ranks != 0 {
            let place = usize::from(*at.get(ranks.trailing_zeros() as usize)?);
            ranks &= ranks - 1;
            let k = known.get(place).copied().flatten()?;
            while let Some((o, other)) = next.as_mut() {
                let order = other
                    .as_ref()
                    .map(|other| key_order(other.lower().as_bytes(), k.lower.as_bytes()));
                match order {
                    Some(Ordering::Less) => push(*o, other.take()?)?,
                    Some(Ordering::Equal) => return None,
                    _ => break,
                }
                next = rest.next();
            }
            push(place, ContextKey(KeyText::Known(k)))?;
        }
        while let Some((o, other)) = next {
            push(*o, other.take()?)?;
            next = rest.next();
        }
        Some(Context { entries })
    }

    /// Sorts the entries by lower-cased key, equal keys in insertion
    /// order (the last one is to win).
    ///
    /// A context of a request (a few dozen keys) sorts its entries'
    /// places rather than the entries ([`Context::order_by_rank`], else
    /// [`Context::order_by_insertion`]); then every entry moves once.
    /// Larger ones (a context file) sort the entries.
    fn sort_entries(&mut self) {
        let n = self.entries.len();
        if n > SMALL_CONTEXT {
            self.entries
                .sort_by(|a, b| key_order(a.lower().as_bytes(), b.lower().as_bytes()));
            return;
        }
        let mut order = [0usize; SMALL_CONTEXT];
        if !self.order_by_rank(&mut order) {
            self.order_by_insertion(&mut order);
        }
        // place `i` takes the entry first at `order[i]`: following the
        // places already filled finds where that entry went (it was
        // swapped away only from a place before `i`)
        for i in 0..n {
            let mut j = order.get(i).copied().unwrap_or(i);
            while j < i {
                j = order.get(j).copied().unwrap_or(i);
            }
            self.entries.swap(i, j);
        }
    }

    /// Whether the entry first at `a` goes before the one at `b`: its key
    /// first, or the same key given earlier.
    fn goes_before(&self, a: usize, b: usize) -> bool {
        let lower = |i: usize| {
            self.entries
                .get(i)
                .map(|e| e.lower().as_bytes())
                .unwrap_or_default()
        };
        match key_order(lower(a), lower(b)) {
            Ordering::Less => true,
            Ordering::Equal => a < b,
            Ordering::Greater => false,
        }
    }

    /// The sorted order of the entries' places in `order`, told by the
    /// known keys' ranks (a bit each in one number, read in order) with
    /// the other keys merged in; `false` when a rank comes twice (a key
    /// twice, or two spellings of one) and for ranks past 127.
    fn order_by_rank(&self, order: &mut [usize; SMALL_CONTEXT]) -> bool {
        let mut ranks = 0u128;
        let mut at = [0u8; 128];
        let mut others = [0usize; SMALL_CONTEXT];
        let mut n_others = 0;
        for (i, e) in self.entries.iter().enumerate() {
            match e.key.rank() {
                Some(rank) => {
                    let bit = 1u128.checked_shl(u32::from(rank)).unwrap_or(0);
                    let Some(slot) = at.get_mut(usize::from(rank)) else {
                        return false;
                    };
                    if bit == 0 || ranks & bit != 0 {
                        return false;
                    }
                    ranks |= bit;
                    *slot = u8::try_from(i).unwrap_or(u8::MAX);
                }
                None => {
                    if let Some(o) = others.get_mut(n_others) {
                        *o = i;
                    }
                    n_others += 1;
                }
            }
        }
        let others = others.get_mut(..n_others).unwrap_or_default();
        // the other keys (a few) by insertion
        for i in 1..others.len() {
            let mut j = i;
            while j > 0 {
                match (others.get(j - 1), others.get(j)) {
                    (Some(&a), Some(&b)) if self.goes_before(b, a) => others.swap(j - 1, j),
                    _ => break,
                }
                j -= 1;
            }
        }
        let mut rest = others.iter().copied().peekable();
        let mut out = order.iter_mut();
        while ranks != 0 {
            let place = usize::from(
                at.get(ranks.trailing_zeros() as usize)
                    .copied()
                    .unwrap_or(0),
            );
            ranks &= ranks - 1;
            while let Some(other) = rest.next_if(|&o| self.goes_before(o, place)) {
                if let Some(slot) = out.next() {
                    *slot = other;
                }
            }
            if let Some(slot) = out.next() {
                *slot = place;
            }
        }
        for (slot, other) in out.zip(rest) {
            *slot = other;
        }
        true
    }

    /// The sorted order of the entries' places in `order`, by insertion
    /// on the stack: each place with its key's first sixteen bytes,
    /// compared as one number (keys alike that far compare in full).
    fn order_by_insertion(&self, order: &mut [usize; SMALL_CONTEXT]) {
        let mut prefixes = [0u128; SMALL_CONTEXT];
        for (i, ((p, o), e)) in prefixes
            .iter_mut()
            .zip(order.iter_mut())
            .zip(&self.entries)
            .enumerate()
        {
            *p = prefix16(e.lower().as_bytes());
            *o = i;
        }
        for i in 1..self.entries.len() {
            let mut j = i;
            while j > 0 {
                let (Some(&p), Some(&q)) = (prefixes.get(j), prefixes.get(j - 1)) else {
                    break;
                };
                let (Some(&o), Some(&r)) = (order.get(j), order.get(j - 1)) else {
                    break;
                };
                // strictly before: equal keys keep their order
                if !(p < q || (p == q && self.goes_before(o, r))) {
                    break;
                }
                prefixes.swap(j, j - 1);
                order.swap(j, j - 1);
                j -= 1;
            }
        }
    }

    /// Sets a single value.
    pub fn set(&mut self, key: &str, value: impl Into<String>, origin: Origin) {
        self.insert(key, ContextValue::Single(value.into()), origin);
    }

    /// Sets a key only when it is not there yet.
    pub fn set_default(&mut self, key: &str, value: ContextValue, origin: Origin) {
        if self.get(key).is_none() {
            self.insert(key, value, origin);
        }
    }

    /// Adds a value to a key, making it multi-valued when it already had one.
    pub fn push(&mut self, key: &str, value: String, origin: Origin) {
        let merged = match self.get(key).map(|e| e.value.clone()) {
            None => ContextValue::Single(value),
            Some(ContextValue::Single(old)) => ContextValue::Multi(vec![old, value]),
            Some(ContextValue::Multi(mut v)) => {
                v.push(value);
                ContextValue::Multi(v)
            }
        };
        self.insert(key, merged, origin);
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &str) {
        let lower = lower_key(key);
        self.entries.retain(|e| e.lower() != lower);
    }

    /// Looks a key up, case-insensitively.
    pub fn get(&self, key: &str) -> Option<&ContextEntry> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) || !key.is_ascii() {
            self.get_lower(&key.to_lowercase())
        } else {
            self.get_lower(key)
        }
    }

    /// Looks up an already lower-cased key (no allocation).
    pub fn get_lower(&self, lower: &str) -> Option<&ContextEntry> {
        self.entries
            .binary_search_by(|e| key_order(e.lower().as_bytes(), lower.as_bytes()))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// The value of a key, treating an empty list as absent (C-11).
    pub fn present(&self, lower: &str) -> Option<&ContextValue> {
        self.get_lower(lower)
            .map(|e| &e.value)
            .filter(|v| !v.is_empty_set())
    }

    /// All entries, sorted by lower-cased key.
    pub fn entries(&self) -> &[ContextEntry] {
        &self.entries
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Resolve for Context {
    /// Variables resolve only to single values; multi-valued keys never
    /// resolve (V-2, V-4).
    fn resolve(&self, var: &Variable) -> Option<&str> {
        match &self.get_lower(&var.key_lower)?.value {
            ContextValue::Single(s) => Some(s),
            ContextValue::Multi(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key reads as given and lower-cased whichever way it is held
    /// (borrowed from the table of known keys, or owned), and equal keys
    /// are equal across the two.
    #[test]
    fn keys_read_as_given_and_lower_cased() {
        for key in [
            "aws:SourceIp",
            "AWS:SOURCEIP",
            "aws:sourceip",
            "aws:PrincipalTag/Team",
            "s3:prefix",
            "",
            "ÄWS:Ü",
            "äws:ü",
            "İ",
        ] {
            let k = ContextKey::new(key);
            assert_eq!(k.as_str(), key);
            assert_eq!(&*k, key);
            assert_eq!(k.lower(), key.to_lowercase(), "{key}");
            assert_eq!(k.to_string(), key);
            assert_eq!(format!("{k:?}"), format!("{key:?}"));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                serde_json::to_string(key).unwrap()
            );
        }
        let known = ContextKey::new("aws:SourceIp");
        assert!(matches!(known.0, KeyText::Known(_)));
        let owned = ContextKey(KeyText::Owned {
            text: "aws:sourceipaws:SourceIp".into(),
            split: 12,
        });
        assert_eq!(owned.as_str(), "aws:SourceIp");
        assert_eq!(known, owned);
        assert_ne!(known, ContextKey::new("AWS:SourceIp"));
    }

    #[test]
    fn keys_are_case_insensitive_spec_c1() {
        let mut c = Context::new();
        c.set("aws:SourceIp", "203.0.113.5", Origin::Given);
        assert_eq!(
            c.get("AWS:sourceip").unwrap().value,
            ContextValue::Single("203.0.113.5".into())
        );
        c.set("AWS:SOURCEIP", "198.51.100.1", Origin::Given);
        assert_eq!(c.len(), 1);
        assert_eq!(c.get("aws:sourceip").unwrap().key, "AWS:SOURCEIP");
    }

    #[test]
    fn extend_equals_inserting_one_by_one() {
        let items: Vec<(String, ContextValue, Origin)> = [
            ("s3:prefix", "b"),
            ("aws:SourceIp", "203.0.113.5"),
            ("AWS:SOURCEIP", "198.51.100.1"),
            ("aws:username", "x"),
        ]
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                ContextValue::Single(v.to_string()),
                Origin::Given,
            )
        })
        .collect();
        let mut one_by_one = Context::new();
        one_by_one.set("aws:username", "before", Origin::Default);
        let mut bulk = one_by_one.clone();
        for (k, v, o) in items.clone() {
            one_by_one.insert(&k, v, o);
        }
        bulk.extend(items);
        assert_eq!(bulk, one_by_one);
        assert_eq!(bulk.len(), 3);
        assert_eq!(bulk.get("aws:sourceip").unwrap().key, "AWS:SOURCEIP");
    }

    proptest::proptest! {
        /// Setting many keys at once is setting them one after the other:
        /// the same entries in the same order, the last of equal keys (in
        /// any case, ASCII or not) winning; in order or not, with or
        /// without keys already there.
        #[test]
        fn extend_equals_inserting_one_by_one_always(
            before in proptest::collection::vec((0usize..6, 0u8..3), 0..4),
            items in proptest::collection::vec((0usize..6, 0u8..3), 0..12),
        ) {
            const KEYS: [&str; 6] = ["aws:SourceIp", "AWS:SOURCEIP", "s3:prefix", "aws:TagKeys", "ÄWS:Ü", "äws:ü"];
            let item = |&(k, v): &(usize, u8)| {
                let value = match v {
                    0 => ContextValue::Single(format!("{k}")),
                    1 => ContextValue::Multi(vec![format!("{k}")]),
                    _ => ContextValue::Multi(vec![]),
                };
                (KEYS[k].to_string(), value, Origin::Given)
            };
            let mut one_by_one = Context::new();
            for (k, v, o) in before.iter().map(item) {
                one_by_one.insert(&k, v, o);
            }
            let mut bulk = one_by_one.clone();
            for (k, v, o) in items.iter().map(item) {
                one_by_one.insert(&k, v, o);
            }
            bulk.extend(items.iter().map(item));
            proptest::prop_assert_eq!(&bulk, &one_by_one);
            let lowers: Vec<String> = bulk.entries().iter().map(|e| e.key.to_lowercase()).collect();
            proptest::prop_assert!(lowers.windows(2).all(|w| w[0] < w[1]));
        }
    }

    /// A usual context (known keys once each, a tag key) is ordered by
    /// its ranks; a key twice is left to the insertion.
    #[test]
    fn usual_contexts_sort_by_rank() {
        let keys = [
            "aws:SourceIp",
            "aws:PrincipalTag/team",
            "aws:CurrentTime",
            "s3:prefix",
            "aws:PrincipalArn",
            "AWS:SOURCEIP",
        ];
        let entry = |k: &&str| {
            ContextEntry::new(
                ContextKey::new(k),
                ContextValue::Single(k.to_string()),
                Origin::Given,
            )
        };
        let mut context = Context {
            entries: keys.iter().take(5).map(entry).collect(),
        };
        let mut order = [0usize; SMALL_CONTEXT];
        assert!(context.order_by_rank(&mut order));
        assert_eq!(order[..5], [2, 4, 1, 0, 3]);
        context.sort_entries();
        let sorted: Vec<&str> = context.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            sorted,
            [
                "aws:CurrentTime",
                "aws:PrincipalArn",
                "aws:PrincipalTag/team",
                "aws:SourceIp",
                "s3:prefix"
            ]
        );
        let twice = Context {
            entries: [keys[0], keys[3], keys[0]].iter().map(entry).collect(),
        };
        assert!(!twice.order_by_rank(&mut order));
        let spellings = Context {
            entries: [keys[5], keys[3], keys[0]].iter().map(entry).collect(),
        };
        assert!(spellings.order_by_rank(&mut order));
        assert_eq!(order[..3], [0, 2, 1], "the same key: the earlier first");
    }

    proptest::proptest! {
        /// Sorting by places is the stable sort of the entries by
        /// lower-cased key: keys alike past sixteen bytes, one a prefix
        /// of another, equal keys in any case (kept in their order), small
        /// and large contexts.
        #[test]
        fn entries_sort_as_a_stable_sort_does(
            keys in proptest::collection::vec((0usize..16, 0u8..4), 0..80),
            distinct in proptest::strategy::Strategy::prop_shuffle(
                proptest::sample::subsequence((0usize..16).collect::<Vec<_>>(), 0..=16),
            ),
            repeat in 0usize..3,
        ) {
            // keys each once (some spellings of one key), or as drawn
            let keys: Vec<(usize, u8)> = match repeat {
                0 => distinct.iter().map(|&k| (k, 0)).collect(),
                _ => keys,
            };
            const KEYS: [&str; 16] = [
                "aws:PrincipalOrgID", "aws:principalorgpaths", "aws:PrincipalOrgPaths", "aws:principalorg",
                "aws:PrincipalTag/team", "s3:prefix", "", "a\0", "a", "ÄWS:Ü",
                "aws:SourceIp", "aws:CurrentTime", "aws:userid", "s3:x-amz-acl", "aws:Referer", "aws:referer",
            ];
            let entries: Vec<ContextEntry> = keys
                .iter()
                .map(|&(k, v)| ContextEntry::new(ContextKey::new(KEYS[k]), ContextValue::Single(v.to_string()), Origin::Given))
                .collect();
            let mut expected = entries.clone();
            expected.sort_by(|a, b| a.lower().cmp(b.lower()));
            let mut context = Context { entries };
            context.sort_entries();
            proptest::prop_assert_eq!(context.entries, expected);
        }
    }

    proptest::proptest! {
        /// Building a context of distinct keys in place is extending an
        /// empty one: the same entries (one-element lists of single-valued
        /// keys made single) in the same order, and `None` exactly when
        /// two keys are one in any case (a known key twice, known and
        /// other spellings of one key, other keys alike); known keys only,
        /// other keys only, both mixed, small contexts and past 32 keys.
        #[test]
        fn distinct_keys_build_as_extend_does(
            keys in proptest::collection::vec((0usize..18, 0u8..3), 0..40),
            distinct in proptest::strategy::Strategy::prop_shuffle(
                proptest::sample::subsequence((0usize..18).collect::<Vec<_>>(), 0..=18),
            ),
            many in proptest::collection::vec(0usize..60, 33..50),
            pick in 0usize..3,
        ) {
            const KEYS: [&str; 18] = [
                "aws:PrincipalArn", "aws:PrincipalTag/team", "aws:PrincipalTag/env", "s3:prefix",
                "aws:principalarn", "AWS:PrincipalArn", "aws:PrincipalTag/Team", "aws:TagKeys",
                "s3:ExistingObjectTag/classification", "aws:SourceIp", "aws:CurrentTime", "ÄWS:Ü",
                "aws:Referer", "aws:referer", "aws:PrincipalOrgPaths", "a", "", "zz:last",
            ];
            let many_keys: Vec<String> = many.iter().map(|k| format!("k{k}")).collect();
            let items: Vec<(String, u8)> = match pick {
                0 => distinct.iter().map(|&k| (KEYS[k].to_string(), 1)).collect(),
                1 => keys.iter().map(|&(k, v)| (KEYS[k].to_string(), v)).collect(),
                _ => many_keys.iter().zip(keys.iter().cycle()).map(|(k, &(_, v))| (k.clone(), v)).collect(),
            };
            let value = |&(ref k, v): &(String, u8)| match v {
                0 => ContextValue::Single(k.clone()),
                1 => ContextValue::Multi(vec![k.clone()]),
                _ => ContextValue::Multi(vec![k.clone(), "b".to_string()]),
            };
            let mut extended = Context::new();
            extended.extend(items.iter().map(|t| (t.0.as_str(), value(t), Origin::Given)));
            let expected = (extended.len() == items.len()).then_some(extended);
            let built = Context::from_distinct(&items, |t| t.0.as_str(), value, Origin::Given);
            proptest::prop_assert_eq!(built, expected);
        }
    }

    proptest::proptest! {
        /// Keys compare eight bytes at a time as byte strings do, whatever
        /// their lengths and where they differ.
        #[test]
        fn keys_order_as_byte_strings(
            a in proptest::collection::vec(proptest::sample::select(vec![b'a', b'b', b':', 0xc3, 0]), 0..30),
            b in proptest::collection::vec(proptest::sample::select(vec![b'a', b'b', b':', 0xc3, 0]), 0..30),
        ) {
            proptest::prop_assert_eq!(key_order(&a, &b), a.cmp(&b));
            let ab = [a.clone(), b.clone()].concat();
            proptest::prop_assert_eq!(key_order(&ab, &a), ab.cmp(&a));
        }
    }

    /// The ASCII lower-casing is Unicode's for ASCII keys, and non-ASCII
    /// keys take Unicode's.
    #[test]
    fn keys_are_lower_cased_as_unicode_does() {
        for key in [
            "aws:PrincipalTag/Team",
            "s3:x-amz-acl",
            "",
            "ÄWS:Ü",
            "İ",
            "K",
        ] {
            assert_eq!(lower_key(key), key.to_lowercase(), "{key}");
        }
    }

    #[test]
    fn one_element_lists_of_single_valued_keys_become_single() {
        let mut c = Context::new();
        c.insert(
            "aws:SourceIp",
            ContextValue::Multi(vec!["1.2.3.4".into()]),
            Origin::Given,
        );
        assert!(matches!(
            c.get("aws:SourceIp").unwrap().value,
            ContextValue::Single(_)
        ));
        c.insert(
            "aws:TagKeys",
            ContextValue::Multi(vec!["a".into()]),
            Origin::Given,
        );
        assert!(matches!(
            c.get("aws:TagKeys").unwrap().value,
            ContextValue::Multi(_)
        ));
        c.push("aws:TagKeys", "b".into(), Origin::Given);
        assert_eq!(c.get("aws:tagkeys").unwrap().value.values().len(), 2);
    }

    #[test]
    fn empty_lists_count_as_absent_spec_c11() {
        let mut c = Context::new();
        c.insert("aws:TagKeys", ContextValue::Multi(vec![]), Origin::Given);
        assert!(c.present("aws:tagkeys").is_none());
        assert!(c.get("aws:tagkeys").is_some());
    }
}
