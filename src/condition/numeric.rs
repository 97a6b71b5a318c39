//! `Numeric…` operators: decimal numbers of any size, compared exactly (spec C-5).

use std::cmp::Ordering;

/// A decimal number borrowed from text: `0.DIGITS × 10^point`, sign apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal<'a> {
    negative: bool,
    int: &'a [u8],
    frac: &'a [u8],
    /// Number of significant digits to skip at the start of `int ++ frac` (leading zeros).
    skip: usize,
    /// Significant digits (after `skip`, trailing zeros removed).
    len: usize,
    point: i128,
}

impl<'a> Decimal<'a> {
    /// Parses `[-+]?DIGITS[.DIGITS][e[-+]DIGITS]` (also `.5`, `5.`). No NaN, no infinity.
    pub fn parse(text: &'a str) -> Option<Decimal<'a>> {
        let b = text.trim().as_bytes();
        let (negative, b) = match b.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, b),
        };
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let int = b.get(..int_len)?;
        let mut rest = b.get(int_len..)?;
        let mut frac: &[u8] = &[];
        if let Some((b'.', after)) = rest.split_first() {
            let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
            frac = after.get(..n)?;
            rest = after.get(n..)?;
        }
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mut exp: i128 = 0;
        if let Some((b'e' | b'E', after)) = rest.split_first() {
            let (eneg, digits) = match after.split_first() {
                Some((b'-', d)) => (true, d),
                Some((b'+', d)) => (false, d),
                _ => (false, after),
            };
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            // exact up to exponents of 38 digits; larger ones are refused
            // rather than saturated (two such numbers would compare equal)
            for d in digits {
                exp = exp.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
            }
            if eneg {
                exp = -exp;
            }
            rest = &[];
        }
        if !rest.is_empty() {
            return None;
        }
        let total = int.len() + frac.len();
        let digit = |i: usize| -> u8 {
            if i < int.len() {
                int.get(i).copied().unwrap_or(b'0')
            } else {
                frac.get(i - int.len()).copied().unwrap_or(b'0')
            }
        };
        let skip = (0..total).take_while(|&i| digit(i) == b'0').count();
        let last_nonzero = (0..total).rev().find(|&i| digit(i) != b'0');
        let len = last_nonzero.map(|l| l + 1 - skip).unwrap_or(0);
        let int_len_i = i128::try_from(int.len()).ok()?;
        let skip_i = i128::try_from(skip).ok()?;
        Some(Decimal {
            negative: negative && len > 0,
            int,
            frac,
            skip,
            len,
            point: int_len_i.checked_sub(skip_i)?.checked_add(exp)?,
        })
    }

    fn digit(&self, i: usize) -> u8 {
        let j = self.skip + i;
        if j < self.int.len() {
            self.int.get(j).copied().unwrap_or(b'0')
        } else {
            self.frac.get(j - self.int.len()).copied().unwrap_or(b'0')
        }
    }

    fn cmp_magnitude(&self, other: &Decimal<'_>) -> Ordering {
        match (self.len, other.len) {
            (0, 0) => return Ordering::Equal,
            (0, _) => return Ordering::Less,
            (_, 0) => return Ordering::Greater,
            _ => {}
        }
        self.point.cmp(&other.point).then_with(|| {
            for i in 0..self.len.max(other.len) {
                let a = if i < self.len { self.digit(i) } else { b'0' };
                let b = if i < other.len { other.digit(i) } else { b'0' };
                match a.cmp(&b) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            Ordering::Equal
        })
    }

    /// Compares two numbers exactly.
    pub fn compare(&self, other: &Decimal<'_>) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        Decimal::parse(a)
            .unwrap()
            .compare(&Decimal::parse(b).unwrap())
    }

    #[test]
    fn compares_exactly_spec_c5() {
        assert_eq!(cmp("10", "10.0"), Ordering::Equal);
        assert_eq!(cmp("10", "11"), Ordering::Less);
        assert_eq!(cmp("1.2", "1.1"), Ordering::Greater);
        assert_eq!(cmp("-0", "0"), Ordering::Equal);
        assert_eq!(cmp("-1", "0.5"), Ordering::Less);
        assert_eq!(cmp("-2", "-1"), Ordering::Less);
        assert_eq!(cmp("0.001", "1e-3"), Ordering::Equal);
        assert_eq!(cmp("1e3", "999.9999"), Ordering::Greater);
        assert_eq!(cmp("007", "7"), Ordering::Equal);
        assert_eq!(cmp(".5", "0.50"), Ordering::Equal);
        assert_eq!(
            cmp(
                "123456789012345678901234567890",
                "123456789012345678901234567891"
            ),
            Ordering::Less
        );
        assert_eq!(cmp("1e999999999999999999999", "1"), Ordering::Greater);
        // huge exponents stay exact: equal values are equal, others are not
        assert_eq!(
            cmp("10e9223372036854775807", "1e9223372036854775808"),
            Ordering::Equal
        );
        assert_eq!(
            cmp("1e9223372036854775808", "1e9223372036854775809"),
            Ordering::Less
        );
        assert_eq!(cmp("-1e400", "1e-400"), Ordering::Less);
        assert_eq!(
            cmp(&"9".repeat(400), &format!("1{}", "0".repeat(400))),
            Ordering::Less
        );
    }

    #[test]
    fn rejects_non_numbers() {
        for s in [
            "",
            "abc",
            "1.2.3",
            "1e",
            "--1",
            "NaN",
            "inf",
            "0x10",
            "1 2",
            ".",
            // an exponent past i128: refused, not saturated
            "1e1000000000000000000000000000000000000000",
        ] {
            assert!(Decimal::parse(s).is_none(), "{s:?}");
        }
    }
}
