//! The case-folding hash of the catalog's name table, shared by the crate
//! and `build.rs` (which includes this file with `#[path]`): the build
//! places each lower-cased action name in the slot this hash gives it, and
//! [`Catalog::index_of`](super::Catalog::index_of) probes from the slot the
//! same hash gives a name as a policy writes it. One definition, so the two
//! cannot drift apart. Plain `core` only: it compiles in the build script.

/// `0x01` in each byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The eight bytes of `word` with ASCII upper-case letters lower-cased
/// (any other byte, non-ASCII ones too, unchanged).
#[inline(always)]
pub(crate) fn fold_word(word: u64) -> u64 {
    let heptets = word & (0x7f * ONES);
    // the high bit of each byte: set when the byte is >= 'A', resp. > 'Z'
    let at_least_a = heptets.wrapping_add(u64::from(0x80 - b'A') * ONES);
    let above_z = heptets.wrapping_add(u64::from(0x80 - b'Z' - 1) * ONES);
    let upper = at_least_a & !above_z & !word & (0x80 * ONES);
    word | (upper >> 2)
}

/// Word `i` of a name (little-endian): its eight bytes from `8 * i`, the
/// last word its last eight bytes (overlapping the one before: no partial
/// load), a name shorter than a word padded with zeros.
pub(crate) fn word(bytes: &[u8], i: usize) -> u64 {
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
    };
    let at = (8 * i).min(last);
    let mut w = [0u8; 8];
    if let Some(chunk) = bytes.get(at..at + 8) {
        w.copy_from_slice(chunk);
    }
    u64::from_le_bytes(w)
}

/// The three words a name's hash reads (little-endian, each eight bytes
/// of it): at its start, its middle and its end, overlapping when the name
/// is shorter than 24 bytes; a name shorter than a word is that word
/// padded with zeros, three times. Up to 24 bytes they cover the whole
/// name, so that comparing them compares the names (of one length).
#[inline(always)]
pub(crate) fn key_words(bytes: &[u8]) -> [u64; 3] {
    let Some(last) = bytes.len().checked_sub(8) else {
        let w = word(bytes, 0);
        return [w, w, w];
    };
    let at = |i: usize| {
        bytes
            .get(i..i + 8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .map_or(0, u64::from_le_bytes)
    };
    [at(0), at(last / 2), at(last)]
}

/// Names up to this length are compared by their [`key_words`] alone.
pub(crate) const KEY_COVERS: usize = 24;

/// The hash of a name of `len` bytes from its case-folded [`key_words`]:
/// one multiplication (the catalog's 234 names have distinct keys but for
/// a few that share their three words, which probing separates).
#[inline(always)]
pub(crate) fn mix(len: usize, [a, b, c]: [u64; 3]) -> u64 {
    let x = a ^ b.rotate_left(21) ^ c.rotate_left(42) ^ (len as u64);
    // the product's high half (the slot) reads the low bits only: the
    // high ones are shifted down first
    (x ^ (x >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The slot of a hash ([`mix`]) in a table of `slots` slots (a power of
/// two): the high bits are the best mixed.
#[inline(always)]
pub(crate) fn slot_of(hash: u64, slots: usize) -> usize {
    (hash >> 32) as usize & slots.saturating_sub(1)
}

/// The first slot of a name in a table of `slots` slots (a power of two).
pub(crate) fn home(name: &[u8], slots: usize) -> usize {
    let folded = key_words(name).map(fold_word);
    slot_of(mix(name.len(), folded), slots)
}

/// The slot table of `names` (lower-cased, distinct): position + 1 of each
/// name in its slot, 0 in an empty one; a power of two at least four times
/// the names, so probes are short (the catalog's 234 names in 1,024 slots
/// of 4 bytes). Linear probing, names placed in order.
/// `build.rs` writes the catalog's table with it; the crate's tests check
/// the generated table against it.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn slot_table(names: &[&str]) -> Vec<u32> {
    let size = (names.len() * 4).next_power_of_two().max(2);
    let mut slots = vec![0u32; size];
    for (i, name) in names.iter().enumerate() {
        let mut slot = home(name.as_bytes(), size);
        while slots.get(slot).is_some_and(|&s| s != 0) {
            slot = (slot + 1) & (size - 1);
        }
        if let Some(s) = slots.get_mut(slot) {
            *s = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
    }
    slots
}
