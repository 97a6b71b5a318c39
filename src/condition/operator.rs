//! Condition operators as data (spec C-3..C-13, G-10).
//!
//! `ForAnyValue:StringNotLikeIfExists` parses into
//! `{ set: Some(ForAnyValue), family: String(Like), negated: true, if_exists: true }`
//! and prints back identically.

use std::fmt;
use std::str::FromStr;

/// `ForAnyValue:` / `ForAllValues:` (C-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// True when some request value satisfies the operator.
    ForAnyValue,
    /// True when every request value satisfies the operator (and when there are none).
    ForAllValues,
}

/// How string values compare (C-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringOp {
    /// Exact, case-sensitive.
    Equals,
    /// Exact after case folding.
    EqualsIgnoreCase,
    /// Glob with `*` and `?`, case-sensitive.
    Like,
}

/// Comparisons of numbers and dates (C-5, C-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// `=`
    Equals,
    /// `<`
    LessThan,
    /// `<=`
    LessThanEquals,
    /// `>`
    GreaterThan,
    /// `>=`
    GreaterThanEquals,
}

impl Comparison {
    /// Whether `ordering` (request value compared to policy value) satisfies the comparison.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Comparison::Equals => ordering == Equal,
            Comparison::LessThan => ordering == Less,
            Comparison::LessThanEquals => ordering != Greater,
            Comparison::GreaterThan => ordering == Greater,
            Comparison::GreaterThanEquals => ordering != Less,
        }
    }
}

/// The operator families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `String…`
    String(StringOp),
    /// `Numeric…`
    Numeric(Comparison),
    /// `Date…`
    Date(Comparison),
    /// `Bool`
    Bool,
    /// `BinaryEquals`
    Binary,
    /// `IpAddress` / `NotIpAddress`
    IpAddress,
    /// `ArnEquals`/`ArnLike` (the same operator, C-10) and their negations.
    Arn {
        /// Spelled `ArnLike` rather than `ArnEquals`.
        like: bool,
    },
    /// `Null`
    Null,
}

/// A parsed condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// `ForAnyValue:` / `ForAllValues:` prefix.
    pub set: Option<SetQualifier>,
    /// The family and its comparison.
    pub family: Family,
    /// A `…Not…` operator (`StringNotEquals`, `NotIpAddress`, …).
    pub negated: bool,
    /// The `IfExists` suffix.
    pub if_exists: bool,
}

/// Why an operator name is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorError {
    /// Access Analyzer code (`INVALID_CONDITION_OPERATOR`, `NULL_WITH_IF_EXISTS`).
    pub code: &'static str,
    /// Lowercase message.
    pub message: String,
    /// The closest valid operator, for "did you mean".
    pub suggestion: Option<String>,
}

/// Every base operator name with its meaning.
const BASES: &[(&str, Family, bool)] = {
    use Comparison::*;
    use Family::*;
    &[
        ("StringEquals", String(StringOp::Equals), false),
        ("StringNotEquals", String(StringOp::Equals), true),
        (
            "StringEqualsIgnoreCase",
            String(StringOp::EqualsIgnoreCase),
            false,
        ),
        (
            "StringNotEqualsIgnoreCase",
            String(StringOp::EqualsIgnoreCase),
            true,
        ),
        ("StringLike", String(StringOp::Like), false),
        ("StringNotLike", String(StringOp::Like), true),
        ("NumericEquals", Numeric(Equals), false),
        ("NumericNotEquals", Numeric(Equals), true),
        ("NumericLessThan", Numeric(LessThan), false),
        ("NumericLessThanEquals", Numeric(LessThanEquals), false),
        ("NumericGreaterThan", Numeric(GreaterThan), false),
        (
            "NumericGreaterThanEquals",
            Numeric(GreaterThanEquals),
            false,
        ),
        ("DateEquals", Date(Equals), false),
        ("DateNotEquals", Date(Equals), true),
        ("DateLessThan", Date(LessThan), false),
        ("DateLessThanEquals", Date(LessThanEquals), false),
        ("DateGreaterThan", Date(GreaterThan), false),
        ("DateGreaterThanEquals", Date(GreaterThanEquals), false),
        ("Bool", Bool, false),
        ("BinaryEquals", Binary, false),
        ("IpAddress", IpAddress, false),
        ("NotIpAddress", IpAddress, true),
        ("ArnEquals", Arn { like: false }, false),
        ("ArnNotEquals", Arn { like: false }, true),
        ("ArnLike", Arn { like: true }, false),
        ("ArnNotLike", Arn { like: true }, true),
        ("Null", Null, false),
    ]
};

/// The canonical names of all base operators (without prefix or suffix).
pub fn base_names() -> impl Iterator<Item = &'static str> {
    BASES.iter().map(|(n, _, _)| *n)
}

impl Operator {
    /// Parses an operator name. Case-insensitive (G-10); use
    /// [`Operator::is_canonical_spelling`] to warn about odd casing.
    pub fn parse(name: &str) -> Result<Operator, OperatorError> {
        Operator::parse_bytes(name.as_bytes()).map_err(|rejection| match rejection {
            Rejection::Unknown => unknown_operator(name),
            Rejection::NullIfExists => OperatorError {
                code: "NULL_WITH_IF_EXISTS",
                message: format!("`{name}`: the `Null` operator cannot take `IfExists`"),
                suggestion: Some("Null".to_string()),
            },
        })
    }

    /// [`Operator::parse`] without the error's message and suggestion.
    fn parse_bytes(name: &[u8]) -> Result<Operator, Rejection> {
        // A base name holds no `:`, so a name with one is valid only after
        // one of the two prefixes; any other is unknown whatever follows.
        let (set, rest) = if has_prefix(name, b"ForAnyValue") {
            (Some(SetQualifier::ForAnyValue), name.get(12..))
        } else if has_prefix(name, b"ForAllValues") {
            (Some(SetQualifier::ForAllValues), name.get(13..))
        } else {
            (None, Some(name))
        };
        let rest = rest.unwrap_or_default();
        let (base, if_exists) = match rest.len().checked_sub(IF_EXISTS.len()) {
            Some(cut) if rest.get(cut..).is_some_and(|s| eq_letters(s, IF_EXISTS)) => {
                (rest.get(..cut).unwrap_or_default(), true)
            }
            _ => (rest, false),
        };
        let &(_, family, negated) = base_index(base)
            .and_then(|i| BASES.get(i))
            .filter(|(n, _, _)| eq_letters(base, n.as_bytes()))
            .ok_or(Rejection::Unknown)?;
        if family == Family::Null && if_exists {
            return Err(Rejection::NullIfExists);
        }
        Ok(Operator {
            set,
            family,
            negated,
            if_exists,
        })
    }

    /// The base name (`StringNotLike`), without prefix or suffix.
    pub fn base_name(&self) -> &'static str {
        BASES
            .iter()
            .find(|(_, f, n)| *f == self.family && *n == self.negated)
            .map(|(name, _, _)| *name)
            .unwrap_or("Null")
    }

    /// Whether `name` is spelled exactly as AWS documents it (as the
    /// operator prints).
    pub fn is_canonical_spelling(name: &str) -> bool {
        Operator::parse(name).is_ok_and(|op| op.is_spelled_as_printed(name))
    }

    /// Whether `name`, which parsed to this operator, is spelled as it
    /// prints (as AWS documents it): [`Operator::is_canonical_spelling`]
    /// for a caller that has parsed `name` already.
    pub fn is_spelled_as_printed(&self, name: &str) -> bool {
        let set = match self.set {
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            None => "",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        name.strip_prefix(set)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|base| base == self.base_name())
    }
}

/// Why [`Operator::parse_bytes`] rejects a name (the message is made from
/// the name only when the caller asks for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rejection {
    /// No operator has this name.
    Unknown,
    /// `Null…IfExists`.
    NullIfExists,
}

/// The `IfExists` suffix.
const IF_EXISTS: &[u8] = b"IfExists";

/// Whether `name` starts with `prefix` (letters only), ignoring ASCII case,
/// and a `:` after it.
fn has_prefix(name: &[u8], prefix: &[u8]) -> bool {
    name.get(prefix.len()) == Some(&b':')
        && name
            .get(..prefix.len())
            .is_some_and(|head| eq_letters(head, prefix))
}

/// `input.eq_ignore_ascii_case(letters)` when `letters` holds ASCII letters
/// only, eight bytes at a time. A byte ORed with 0x20 is a lowercase
/// letter only if the byte is that letter in either case, so setting bit 5
/// of every byte on both sides and comparing is the case-blind comparison
/// (not for other bytes: `:` | 0x20 is 0x1A | 0x20). `eq_ignore_ascii_case`
/// lowers each byte of both sides one at a time (~10 instructions a byte).
fn eq_letters(input: &[u8], letters: &[u8]) -> bool {
    const BIT5: u64 = 0x2020_2020_2020_2020;
    let n = input.len();
    if n != letters.len() {
        return false;
    }
    if n < 8 {
        return input.iter().zip(letters).all(|(a, b)| a | 0x20 == b | 0x20);
    }
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
            | BIT5
    };
    // whole words, then the last eight bytes (overlapping the last word)
    (0..n - 8)
        .step_by(8)
        .all(|at| word(input, at) == word(letters, at))
        && word(input, n - 8) == word(letters, n - 8)
}

/// The one entry of [`BASES`] that `base` can be, by its length and first
/// letter (no two base names share both); the caller compares the names.
/// One comparison instead of a search of the 27 names.
fn base_index(base: &[u8]) -> Option<usize> {
    let first = base.first()? | 0x20;
    Some(match (base.len(), first) {
        (12, b's') => 0,
        (15, b's') => 1,
        (22, b's') => 2,
        (25, b's') => 3,
        (10, b's') => 4,
        (13, b's') => 5,
        (13, b'n') => 6,
        (16, b'n') => 7,
        (15, b'n') => 8,
        (21, b'n') => 9,
        (18, b'n') => 10,
        (24, b'n') => 11,
        (10, b'd') => 12,
        (13, b'd') => 13,
        (12, b'd') => 14,
        (18, b'd') => 15,
        (15, b'd') => 16,
        (21, b'd') => 17,
        (4, b'b') => 18,
        (12, b'b') => 19,
        (9, b'i') => 20,
        (12, b'n') => 21,
        (9, b'a') => 22,
        (12, b'a') => 23,
        (7, b'a') => 24,
        (10, b'a') => 25,
        (4, b'n') => 26,
        _ => return None,
    })
}

/// The error for a name that is no operator, with the closest spelling.
fn unknown_operator(name: &str) -> OperatorError {
    let candidates = all_spellings();
    OperatorError {
        code: "INVALID_CONDITION_OPERATOR",
        message: format!("unknown condition operator `{name}`"),
        suggestion: crate::diagnostic::did_you_mean(name, candidates.iter().map(String::as_str))
            .map(str::to_string),
    }
}

fn all_spellings() -> Vec<String> {
    let mut out = Vec::new();
    for (base, family, _) in BASES {
        for set in ["", "ForAnyValue:", "ForAllValues:"] {
            out.push(format!("{set}{base}"));
            if *family != Family::Null {
                out.push(format!("{set}{base}IfExists"));
            }
        }
    }
    out
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.set {
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            None => {}
        }
        f.write_str(self.base_name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

impl FromStr for Operator {
    type Err = OperatorError;
    fn from_str(s: &str) -> Result<Operator, OperatorError> {
        Operator::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parse before the table of base names (a search of `BASES`
    /// after a `memchr` for the prefix), kept to check the new one against.
    /// With `full` false its unknown-operator error has no suggestion (the
    /// search for one is most of the test's time).
    fn parse_reference(name: &str, full: bool) -> Result<Operator, OperatorError> {
        let unknown = || {
            let candidates = if full { all_spellings() } else { Vec::new() };
            OperatorError {
                code: "INVALID_CONDITION_OPERATOR",
                message: format!("unknown condition operator `{name}`"),
                suggestion: crate::diagnostic::did_you_mean(
                    name,
                    candidates.iter().map(String::as_str),
                )
                .map(str::to_string),
            }
        };
        let colon = memchr::memchr(b':', name.as_bytes());
        let (set, rest) = match colon.and_then(|i| Some((name.get(..i)?, name.get(i + 1..)?))) {
            Some((prefix, rest)) => {
                let set = if prefix.eq_ignore_ascii_case("ForAnyValue") {
                    SetQualifier::ForAnyValue
                } else if prefix.eq_ignore_ascii_case("ForAllValues") {
                    SetQualifier::ForAllValues
                } else {
                    return Err(unknown());
                };
                (Some(set), rest)
            }
            None => (None, name),
        };
        let (base, if_exists) = match rest.len().checked_sub("IfExists".len()) {
            Some(cut)
                if rest
                    .get(cut..)
                    .is_some_and(|s| s.eq_ignore_ascii_case("IfExists")) =>
            {
                (rest.get(..cut).unwrap_or_default(), true)
            }
            _ => (rest, false),
        };
        let &(_, family, negated) = BASES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(base))
            .ok_or_else(unknown)?;
        if family == Family::Null && if_exists {
            return Err(OperatorError {
                code: "NULL_WITH_IF_EXISTS",
                message: format!("`{name}`: the `Null` operator cannot take `IfExists`"),
                suggestion: Some("Null".to_string()),
            });
        }
        Ok(Operator {
            set,
            family,
            negated,
            if_exists,
        })
    }

    /// Every spelling, in several casings, with and without the prefixes
    /// and the suffix, and near misses around each: the table's parse gives
    /// what the search of `BASES` gave, errors (code, message, suggestion)
    /// included.
    #[test]
    fn the_table_parse_agrees_with_the_search() {
        let mut names: Vec<String> = Vec::new();
        let prefixes = [
            "",
            "ForAnyValue:",
            "ForAllValues:",
            "forallvalues:",
            "FORANYVALUE:",
            "ForAnyValues:",
            "ForAllValue:",
            "ForSomeValues:",
            "ForAnyValue",
            "ForAnyValue::",
            ":",
            "x:",
            "ForAnyValue:ForAllValues:",
        ];
        let suffixes = [
            "",
            "IfExists",
            "ifexists",
            "IFEXISTS",
            "IfExist",
            "IfExistsIfExists",
            ":",
        ];
        let mut bases: Vec<String> = base_names().map(str::to_string).collect();
        for base in base_names() {
            bases.push(base.to_lowercase());
            bases.push(base.to_uppercase());
            bases.push(base[..base.len() - 1].to_string());
            bases.push(format!("{base}s"));
            bases.push(format!("x{}", &base[1..]));
            bases.push(format!("{}x", &base[..base.len() - 1]));
            bases.push(format!("{base}é"));
            bases.push(format!("é{}", &base[1..]));
            // the first letter's case bit flipped on a non-letter
            let mut odd = base.as_bytes().to_vec();
            odd[1] ^= 0x40;
            bases.push(String::from_utf8_lossy(&odd).into_owned());
        }
        bases.extend(["", "IfExists", "é", "Nul", "NullNull", "ArnLik"].map(String::from));
        for prefix in prefixes {
            for base in &bases {
                for suffix in suffixes {
                    names.push(format!("{prefix}{base}{suffix}"));
                }
            }
        }
        names.extend(["ForAnyValue:", "ForAllValues:", "F", "ForAnyValue:é"].map(String::from));
        let mut valid = 0;
        for (i, name) in names.iter().enumerate() {
            let new = Operator::parse_bytes(name.as_bytes());
            let old = parse_reference(name, false);
            assert_eq!(new.map_err(|_| ()), old.clone().map_err(|_| ()), "{name}");
            match (new, old) {
                (Err(Rejection::Unknown), Err(e)) => {
                    assert_eq!(e.code, "INVALID_CONDITION_OPERATOR", "{name}")
                }
                (Err(Rejection::NullIfExists), Err(e)) => {
                    assert_eq!(e.code, "NULL_WITH_IF_EXISTS", "{name}")
                }
                _ => {}
            }
            // the whole error, message and suggestion, for one name in 25
            // and every valid or `Null…IfExists` one
            if i % 25 == 0 || new != Err(Rejection::Unknown) {
                assert_eq!(Operator::parse(name), parse_reference(name, true), "{name}");
            }
            valid += usize::from(new.is_ok());
        }
        // every canonical spelling in three casings at least
        assert!(valid >= all_spellings().len() * 3, "{valid}");
    }

    /// `eq_letters` is `eq_ignore_ascii_case` on every base name and
    /// suffix against any byte changed at any place (letters of either case,
    /// the bytes one bit 5 away from them, `:`, non-ASCII), at every length.
    #[test]
    fn eq_letters_is_eq_ignore_ascii_case_for_letters() {
        let mut words: Vec<&[u8]> = BASES.iter().map(|(n, _, _)| n.as_bytes()).collect();
        words.extend([IF_EXISTS, b"ForAnyValue", b"ForAllValues", b"a", b""]);
        let bytes = [
            b'a', b'A', b'z', b'Z', b'@', b'`', b'[', b'{', 0x01, 0x1a, b':', 0xc3, 0xe9,
        ];
        for word in words {
            for len in 0..=word.len() + 1 {
                for at in 0..len {
                    for b in bytes.iter().copied().chain(word.get(at).map(|c| c ^ 0x20)) {
                        let mut input =
                            word.get(..len.min(word.len())).unwrap_or_default().to_vec();
                        input.resize(len, b'x');
                        if let Some(c) = input.get_mut(at) {
                            *c = b;
                        }
                        assert_eq!(
                            eq_letters(&input, word),
                            input.eq_ignore_ascii_case(word),
                            "{input:?} {word:?}"
                        );
                    }
                }
                let same = word.get(..len).unwrap_or(word);
                assert_eq!(eq_letters(same, word), same.len() == word.len());
            }
        }
    }

    /// No two base names share a length and first letter, and each one's
    /// slot in the table is its own.
    #[test]
    fn every_base_name_has_its_own_slot() {
        for (i, (name, _, _)) in BASES.iter().enumerate() {
            assert_eq!(base_index(name.as_bytes()), Some(i), "{name}");
            assert_eq!(
                base_index(name.to_lowercase().as_bytes()),
                Some(i),
                "{name}"
            );
        }
        assert_eq!(base_index(b""), None);
        assert_eq!(base_index(b"Q"), None);
    }

    #[test]
    fn parses_into_data_and_prints_back_spec_g10() {
        let op = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(
            op,
            Operator {
                set: Some(SetQualifier::ForAnyValue),
                family: Family::String(StringOp::Like),
                negated: true,
                if_exists: true
            }
        );
        for name in all_spellings() {
            assert_eq!(Operator::parse(&name).unwrap().to_string(), name);
        }
    }

    #[test]
    fn the_canonical_spelling_is_the_printed_one() {
        for name in all_spellings() {
            assert!(Operator::is_canonical_spelling(&name), "{name}");
            let lower = name.to_lowercase();
            assert!(!Operator::is_canonical_spelling(&lower), "{lower}");
            let upper = name.to_uppercase();
            assert!(!Operator::is_canonical_spelling(&upper), "{upper}");
        }
        assert!(!Operator::is_canonical_spelling("StringEqualz"));
        assert!(!Operator::is_canonical_spelling("forAnyValue:StringEquals"));
        assert!(!Operator::is_canonical_spelling("StringEqualsifExists"));
    }

    #[test]
    fn case_insensitive_with_canonical_check() {
        let op = Operator::parse("stringequals").unwrap();
        assert_eq!(op.to_string(), "StringEquals");
        assert!(!Operator::is_canonical_spelling("stringequals"));
        assert!(Operator::is_canonical_spelling("StringEquals"));
    }

    #[test]
    fn rejects_unknown_with_suggestion() {
        let e = Operator::parse("StringEqualz").unwrap_err();
        assert_eq!(e.code, "INVALID_CONDITION_OPERATOR");
        assert_eq!(e.suggestion.as_deref(), Some("StringEquals"));
        assert!(Operator::parse("ForSomeValues:StringEquals").is_err());
        assert_eq!(
            Operator::parse("NullIfExists").unwrap_err().code,
            "NULL_WITH_IF_EXISTS"
        );
        assert!(Operator::parse("IfExists").is_err());
    }
}
