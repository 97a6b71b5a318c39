//! The finite alphabet of a pattern space: every character that some
//! pattern names literally gets its own symbol, and one more symbol stands
//! for all other characters (no pattern can tell them apart: they only
//! match `*` and `?`).

/// A symbol of an [`Alphabet`]: an index, `0` being "any other character".
pub(crate) type Sym = usize;

/// The symbol of every character that no pattern of the space names.
pub(crate) const OTHER: Sym = 0;

/// Characters preferred to stand for [`OTHER`] in witnesses, in order.
const OTHER_CANDIDATES: &str = "xyzqjkwvbpmgfhdcltnrsuioea0123456789";

/// Characters of a space, each with its symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Alphabet {
    /// Sorted, distinct; character `chars[i]` has symbol `i + 1`.
    chars: Vec<char>,
    /// A character standing for [`OTHER`] in witnesses.
    other: char,
}

impl Alphabet {
    /// The alphabet of the given characters (duplicates are fine).
    pub(crate) fn new(chars: impl IntoIterator<Item = char>) -> Alphabet {
        let mut chars: Vec<char> = chars.into_iter().collect();
        chars.sort_unstable();
        chars.dedup();
        let other = OTHER_CANDIDATES
            .chars()
            .chain(('\u{a1}'..='\u{10ffff}').filter(|c| c.is_alphanumeric()))
            .find(|c| chars.binary_search(c).is_err())
            .unwrap_or('\u{fffd}');
        Alphabet { chars, other }
    }

    /// Number of symbols, [`OTHER`] included.
    pub(crate) fn size(&self) -> usize {
        self.chars.len() + 1
    }

    /// The symbol of a character.
    pub(crate) fn symbol(&self, c: char) -> Sym {
        match self.chars.binary_search(&c) {
            Ok(i) => i + 1,
            Err(_) => OTHER,
        }
    }

    /// Whether the character has its own symbol.
    pub(crate) fn contains(&self, c: char) -> bool {
        self.chars.binary_search(&c).is_ok()
    }

    /// The character a symbol stands for in witnesses.
    pub(crate) fn char_of(&self, s: Sym) -> char {
        match s.checked_sub(1).and_then(|i| self.chars.get(i)) {
            Some(c) => *c,
            None => self.other,
        }
    }

    /// The characters with their own symbol.
    pub(crate) fn chars(&self) -> &[char] {
        &self.chars
    }

    /// A string as symbols.
    pub(crate) fn encode(&self, s: &str) -> Vec<Sym> {
        s.chars().map(|c| self.symbol(c)).collect()
    }

    /// Symbols as a string (OTHER as its stand-in character).
    #[cfg(test)]
    pub(crate) fn decode(&self, syms: &[Sym]) -> String {
        syms.iter().map(|s| self.char_of(*s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_named_characters_and_one_other_symbol() {
        let a = Alphabet::new("arn:s3:".chars());
        assert_eq!(a.size(), 7); // a n r s 3 : + other
        assert_eq!(a.symbol('q'), OTHER);
        assert_ne!(a.symbol(':'), OTHER);
        assert_eq!(a.decode(&a.encode("arn:")), "arn:");
        // the stand-in for OTHER is never a named character
        let x = Alphabet::new("xyz".chars());
        assert!(!x.contains(x.char_of(OTHER)));
        assert_eq!(x.char_of(OTHER), 'q');
    }
}
