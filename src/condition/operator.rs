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
        let unknown = || {
            let candidates = all_spellings();
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
        let Ok(op) = Operator::parse(name) else {
            return false;
        };
        let set = match op.set {
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            None => "",
        };
        let suffix = if op.if_exists { "IfExists" } else { "" };
        name.strip_prefix(set)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|base| base == op.base_name())
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
