//! Conditions in plain words: `Bool aws:SecureTransport false` becomes
//! "aws:SecureTransport is false" (spec C-3..C-13 for what each operator means).

use crate::condition::{Comparison, Family, Operator, SetQualifier, StringOp};

fn list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| {
            if v.is_empty() {
                "`\"\"`".to_string()
            } else {
                format!("`{v}`")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn one_or_any(values: &[String], one: &str, any: &str) -> String {
    if values.len() == 1 {
        format!("{one} {}", list(values))
    } else {
        format!("{any} {}", list(values))
    }
}

/// One condition key in words: `` `aws:SourceIp` is in `203.0.113.0/24` ``.
/// Operators that do not parse are shown as written.
pub fn describe_condition(operator: &str, key: &str, values: &[String]) -> String {
    let Ok(op) = Operator::parse(operator) else {
        return format!("{operator} `{key}` {}", list(values));
    };
    let not = op.negated;
    let predicate = match op.family {
        Family::Bool => one_or_any(values, "is", "is one of"),
        Family::Null => match values.first().map(String::as_str) {
            Some(v) if v.eq_ignore_ascii_case("true") => "is absent".to_string(),
            Some(_) => "is present".to_string(),
            None => "is tested for null".to_string(),
        },
        Family::String(s) => {
            let (one, any) = match (s, not) {
                (StringOp::Like, false) => ("matches", "matches one of"),
                (StringOp::Like, true) => ("does not match", "matches none of"),
                (_, false) => ("is", "is one of"),
                (_, true) => ("is not", "is none of"),
            };
            let mut p = one_or_any(values, one, any);
            if s == StringOp::EqualsIgnoreCase {
                p.push_str(" (ignoring case)");
            }
            p
        }
        Family::Arn { .. } => {
            if not {
                one_or_any(values, "does not match", "matches none of")
            } else {
                one_or_any(values, "matches", "matches one of")
            }
        }
        Family::IpAddress => {
            if not {
                one_or_any(values, "is not in", "is in none of")
            } else {
                one_or_any(values, "is in", "is in one of")
            }
        }
        Family::Binary => one_or_any(values, "is (binary)", "is one of (binary)"),
        Family::Numeric(c) | Family::Date(c) => {
            let date = matches!(op.family, Family::Date(_));
            let word = match (c, not, date) {
                (Comparison::Equals, false, _) => "is",
                (Comparison::Equals, true, _) => "is not",
                (Comparison::LessThan, _, false) => "is less than",
                (Comparison::LessThan, _, true) => "is before",
                (Comparison::LessThanEquals, _, false) => "is at most",
                (Comparison::LessThanEquals, _, true) => "is at or before",
                (Comparison::GreaterThan, _, false) => "is greater than",
                (Comparison::GreaterThan, _, true) => "is after",
                (Comparison::GreaterThanEquals, _, false) => "is at least",
                (Comparison::GreaterThanEquals, _, true) => "is at or after",
            };
            one_or_any(values, word, &format!("{word} one of"))
        }
    };
    let subject = match op.set {
        Some(SetQualifier::ForAnyValue) => format!("some value of `{key}`"),
        Some(SetQualifier::ForAllValues) => format!("every value of `{key}` (or it has none)"),
        None => format!("`{key}`"),
    };
    let mut s = format!("{subject} {predicate}");
    if op.if_exists && op.family != Family::Null {
        s.push_str(&format!(" (or `{key}` is absent)"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(op: &str, key: &str, values: &[&str]) -> String {
        let v: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        describe_condition(op, key, &v)
    }

    #[test]
    fn operators_in_words_spec_c4_to_c13() {
        assert_eq!(
            d("Bool", "aws:SecureTransport", &["false"]),
            "`aws:SecureTransport` is `false`"
        );
        assert_eq!(
            d("StringNotEquals", "aws:SourceVpce", &["vpce-1", "vpce-2"]),
            "`aws:SourceVpce` is none of `vpce-1`, `vpce-2`"
        );
        assert_eq!(
            d("StringLike", "s3:prefix", &["home/*"]),
            "`s3:prefix` matches `home/*`"
        );
        assert_eq!(
            d("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]),
            "`aws:SourceIp` is in `203.0.113.0/24`"
        );
        assert_eq!(
            d("DateLessThan", "aws:CurrentTime", &["2030-01-01T00:00:00Z"]),
            "`aws:CurrentTime` is before `2030-01-01T00:00:00Z`"
        );
        assert_eq!(
            d("Null", "s3:x-amz-server-side-encryption", &["true"]),
            "`s3:x-amz-server-side-encryption` is absent"
        );
        assert_eq!(
            d("ForAllValues:StringEquals", "aws:TagKeys", &["team"]),
            "every value of `aws:TagKeys` (or it has none) is `team`"
        );
        assert_eq!(
            d("StringNotEqualsIfExists", "aws:SourceVpce", &["vpce-1"]),
            "`aws:SourceVpce` is not `vpce-1` (or `aws:SourceVpce` is absent)"
        );
        assert_eq!(d("Nonsense", "k", &["v"]), "Nonsense `k` `v`");
    }
}
