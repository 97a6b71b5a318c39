//! The request context: condition keys and their values (spec section 0, C-1).
//!
//! Keys are case-insensitive; values are text, one or several. Every value
//! remembers where it came from, so output can show what s3guard filled in.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

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

/// One key and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key as given.
    pub key: String,
    /// The value.
    pub value: ContextValue,
    /// Where it came from.
    pub origin: Origin,
    #[serde(skip)]
    lower: String,
}

impl ContextEntry {
    /// An entry; a one-element list for a key that is not multi-valued
    /// becomes a single value. Takes the key by value: a context of many
    /// keys costs one copy of each (its lower-cased form), not three.
    fn new(key: String, value: ContextValue, origin: Origin) -> ContextEntry {
        let lower = lower_key(&key);
        let value = match value {
            ContextValue::Multi(mut v)
                if v.len() == 1 && !crate::catalog::is_multivalued(&lower) =>
            {
                ContextValue::Single(v.pop().unwrap_or_default())
            }
            v => v,
        };
        ContextEntry {
            key,
            value,
            origin,
            lower,
        }
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

/// The eight bytes of `s` at `i` as a number in their order (big-endian).
fn word8(s: &[u8], i: usize) -> Option<u64> {
    let mut eight = [0u8; 8];
    eight.copy_from_slice(s.get(i..i + 8)?);
    Some(u64::from_be_bytes(eight))
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
        let entry = ContextEntry::new(key.to_string(), value, origin);
        match self.entries.binary_search_by(|e| e.lower.cmp(&entry.lower)) {
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
    /// 100,000 insertions at the front of a vector.
    pub fn extend<I>(&mut self, items: I)
    where
        I: IntoIterator<Item = (String, ContextValue, Origin)>,
    {
        let before = self.entries.len();
        self.entries.extend(
            items
                .into_iter()
                .map(|(key, value, origin)| ContextEntry::new(key, value, origin)),
        );
        if self.entries.len() == before || self.entries.is_sorted_by(|a, b| a.lower < b.lower) {
            // strictly increasing: already in order, and no key twice
            return;
        }
        self.sort_entries();
        // `dedup_by` keeps the first of equal neighbours (`kept`) and drops
        // the later (`later`): swapping first keeps the later one's entry
        self.entries.dedup_by(|later, kept| {
            let same = later.lower == kept.lower;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
    }

    /// Sorts the entries by lower-cased key, equal keys in insertion
    /// order (the last one is to win).
    fn sort_entries(&mut self) {
        self.entries
            .sort_by(|a, b| key_order(a.lower.as_bytes(), b.lower.as_bytes()));
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
        let lower = key.to_lowercase();
        self.entries.retain(|e| e.lower != lower);
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
            .binary_search_by(|e| e.lower.as_str().cmp(lower))
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
