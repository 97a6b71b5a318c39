//! Representative values of keys compared as numbers, dates, addresses or
//! bytes (spec C-5, C-6, C-8, C-9). Each operator of these families is true
//! on a union of intervals (or points) whose ends are the policy values, so
//! the policy values, one value inside each gap between them and one value
//! beyond each end meet every combination of outcomes there is. A value
//! that cannot be represented exactly makes the key approximate.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::condition::{date, IpRange};

/// Candidate values; `exact` is false when some gap could not be represented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Candidates {
    /// The values, most realistic first.
    pub values: Vec<String>,
    /// Whether they meet every region of the family's comparisons.
    pub exact: bool,
}

/// A decimal number in fixed-point form: sign, integer digits (no leading
/// zeros, `0` for none), fraction digits (no trailing zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fixed {
    negative: bool,
    int: String,
    frac: String,
}

/// Exponents beyond this are not expanded (the key becomes approximate).
const MAX_EXPONENT: i64 = 400;

impl Fixed {
    /// Parses what `Decimal::parse` accepts (C-5).
    fn parse(text: &str) -> Option<Fixed> {
        crate::condition::Decimal::parse(text)?;
        let t = text.trim();
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => {
                let e: i64 = body.get(i + 1..)?.parse().ok()?;
                (body.get(..i)?, e)
            }
            None => (body, 0),
        };
        if exp.abs() > MAX_EXPONENT {
            return None;
        }
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits: String = format!("{int}{frac}");
        let point = i64::try_from(int.len()).ok()? + exp;
        let (int, frac) = if point <= 0 {
            let zeros = "0".repeat(usize::try_from(-point).ok()?);
            (String::new(), format!("{zeros}{digits}"))
        } else {
            let p = usize::try_from(point).ok()?;
            if p >= digits.len() {
                (
                    format!("{digits}{}", "0".repeat(p - digits.len())),
                    String::new(),
                )
            } else {
                (digits.get(..p)?.to_string(), digits.get(p..)?.to_string())
            }
        };
        let int = int.trim_start_matches('0').to_string();
        let frac = frac.trim_end_matches('0').to_string();
        let zero = int.is_empty() && frac.is_empty();
        Some(Fixed {
            negative: negative && !zero,
            int: if int.is_empty() { "0".into() } else { int },
            frac,
        })
    }

    fn is_zero(&self) -> bool {
        self.int == "0" && self.frac.is_empty()
    }

    fn text(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        if self.frac.is_empty() {
            format!("{sign}{}", self.int)
        } else {
            format!("{sign}{}.{}", self.int, self.frac)
        }
    }

    fn magnitude_cmp(&self, other: &Fixed) -> std::cmp::Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }

    fn cmp(&self, other: &Fixed) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.magnitude_cmp(other),
            (true, true) => other.magnitude_cmp(self),
        }
    }

    /// The same magnitude plus `10^-(digits+1)` (a value just past it, away from zero).
    fn nudged(&self, digits: usize) -> Fixed {
        let mut frac = self.frac.clone();
        while frac.len() < digits {
            frac.push('0');
        }
        frac.push('1');
        Fixed {
            negative: self.negative,
            int: self.int.clone(),
            frac,
        }
    }

    /// A larger magnitude (a `1` in front of the integer digits).
    fn widened(&self) -> Fixed {
        Fixed {
            negative: self.negative,
            int: format!("1{}", self.int),
            frac: self.frac.clone(),
        }
    }
}

/// Numbers: the policy values, one inside each gap, one beyond each end.
pub(crate) fn numeric(policy: &[String]) -> Candidates {
    let mut exact = true;
    let mut points: Vec<Fixed> = Vec::new();
    for p in policy {
        match Fixed::parse(p) {
            Some(f) => points.push(f),
            None => exact = false,
        }
    }
    points.sort_by(|a, b| a.cmp(b));
    points.dedup();
    let digits = points.iter().map(|p| p.frac.len()).max().unwrap_or(0) + 1;
    let zero = Fixed {
        negative: false,
        int: "0".into(),
        frac: String::new(),
    };
    let mut out: Vec<Fixed> = Vec::new();
    match (points.first(), points.last()) {
        (Some(min), Some(max)) => {
            out.push(if !min.negative && !min.is_zero() {
                zero.clone()
            } else {
                Fixed {
                    negative: true,
                    ..min.widened()
                }
            });
            for pair in points.windows(2) {
                if let [a, b] = pair {
                    out.push(a.clone());
                    out.push(if !a.negative {
                        a.nudged(digits)
                    } else if b.negative || b.is_zero() {
                        b.nudged(digits)
                    } else {
                        zero.clone()
                    });
                }
            }
            out.push(max.clone());
            out.push(if max.negative {
                zero
            } else {
                Fixed {
                    negative: false,
                    ..max.widened()
                }
            });
        }
        _ => out.push(zero),
    }
    let mut values: Vec<String> = out.iter().map(Fixed::text).collect();
    values.dedup();
    Candidates { values, exact }
}

const NANOS: i128 = 1_000_000_000;

/// Formats an instant so that `date::parse` reads it back exactly.
fn date_text(instant: i128) -> Option<String> {
    let candidates = [date::format(instant), {
        let secs = instant.div_euclid(NANOS);
        let nanos = instant.rem_euclid(NANOS);
        if nanos == 0 {
            secs.to_string()
        } else {
            format!("{secs}.{nanos:09}")
        }
    }];
    candidates
        .into_iter()
        .find(|t| date::parse(t) == Some(instant))
}

/// Dates: the policy instants, one inside each gap, one beyond each end.
pub(crate) fn dates(policy: &[date::Instant]) -> Candidates {
    let mut points: Vec<i128> = policy.to_vec();
    points.sort_unstable();
    points.dedup();
    let mut instants: Vec<i128> = Vec::new();
    match (points.first(), points.last()) {
        (Some(&min), Some(&max)) => {
            instants.push(min - NANOS);
            for pair in points.windows(2) {
                if let [a, b] = *pair {
                    instants.push(a);
                    if b - a > NANOS {
                        instants.push(a + NANOS);
                    } else if b - a > 1 {
                        instants.push(a + 1);
                    }
                }
            }
            instants.push(max);
            instants.push(max + NANOS);
        }
        _ => instants.push(1_735_689_600 * NANOS),
    }
    let mut exact = true;
    let mut values = Vec::new();
    for i in instants {
        match date_text(i) {
            Some(t) => values.push(t),
            None => exact = false,
        }
    }
    Candidates { values, exact }
}

fn range_bounds(r: &IpRange) -> (IpAddr, Option<IpAddr>) {
    match r.addr() {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let host = u32::MAX.checked_shr(u32::from(r.prefix())).unwrap_or(0);
            let start = bits & !host;
            let after = start.checked_add(host).and_then(|e| e.checked_add(1));
            (
                IpAddr::V4(Ipv4Addr::from(start)),
                after.map(|e| IpAddr::V4(Ipv4Addr::from(e))),
            )
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let host = u128::MAX.checked_shr(u32::from(r.prefix())).unwrap_or(0);
            let start = bits & !host;
            let after = start.checked_add(host).and_then(|e| e.checked_add(1));
            (
                IpAddr::V6(Ipv6Addr::from(start)),
                after.map(|e| IpAddr::V6(Ipv6Addr::from(e))),
            )
        }
    }
}

/// Addresses: each range's first address and the one after its last, and
/// the lowest address of each family (C-9; IPv4 and IPv6 never mix).
pub(crate) fn addresses(ranges: &[IpRange]) -> Candidates {
    let mut values: Vec<String> = vec!["203.0.113.7".into()];
    let mut push = |ip: IpAddr| {
        let t = ip.to_string();
        if !values.contains(&t) {
            values.push(t);
        }
    };
    push(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    push(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
    for r in ranges {
        let (start, after) = range_bounds(r);
        push(start);
        if let Some(a) = after {
            push(a);
        }
    }
    Candidates {
        values,
        exact: true,
    }
}

/// Bytes: each policy value, and one more value (C-8).
pub(crate) fn binaries(policy: &[Vec<u8>]) -> Candidates {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut values: Vec<String> = policy.iter().map(|b| engine.encode(b)).collect();
    let other = (0u8..=255)
        .map(|b| vec![b])
        .find(|b| !policy.contains(b))
        .unwrap_or_default();
    values.push(engine.encode(other));
    values.dedup();
    Candidates {
        values,
        exact: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::Decimal;

    fn num_cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Decimal::parse(a)
            .unwrap()
            .compare(&Decimal::parse(b).unwrap())
    }

    #[test]
    fn numeric_candidates_fall_in_every_gap_spec_c5() {
        for policy in [
            vec!["10", "11"],
            vec!["-3", "2.5", "1e2"],
            vec!["0"],
            vec!["-0.5", "-0.25"],
            vec!["1.1", "1.10000001"],
        ] {
            let p: Vec<String> = policy.iter().map(|s| s.to_string()).collect();
            let c = numeric(&p);
            assert!(c.exact);
            let mut sorted = p.clone();
            sorted.sort_by(|a, b| num_cmp(a, b));
            // something below the minimum and above the maximum
            assert!(
                c.values.iter().any(|v| num_cmp(v, &sorted[0]).is_lt()),
                "{c:?}"
            );
            assert!(c
                .values
                .iter()
                .any(|v| num_cmp(v, sorted.last().unwrap()).is_gt()));
            // each policy value, and one strictly between each pair
            for w in sorted.windows(2) {
                if num_cmp(&w[0], &w[1]).is_eq() {
                    continue;
                }
                assert!(
                    c.values
                        .iter()
                        .any(|v| num_cmp(v, &w[0]).is_gt() && num_cmp(v, &w[1]).is_lt()),
                    "{:?} between {w:?}",
                    c.values
                );
            }
            for v in &sorted {
                assert!(c.values.iter().any(|x| num_cmp(x, v).is_eq()));
            }
        }
    }

    #[test]
    fn date_candidates_read_back_spec_c6() {
        let a = date::parse("2024-01-01T00:00:00Z").unwrap();
        let b = a + 1;
        let c = dates(&[a, b]);
        assert!(c.exact);
        let parsed: Vec<i128> = c.values.iter().map(|v| date::parse(v).unwrap()).collect();
        assert!(parsed.contains(&a) && parsed.contains(&b));
        assert!(parsed.iter().any(|p| *p < a) && parsed.iter().any(|p| *p > b));
        assert!(c.values.contains(&"2024-01-01T00:00:00Z".to_string()));
    }

    #[test]
    fn address_candidates_spec_c9() {
        let r = IpRange::parse("203.0.113.0/24").unwrap();
        let c = addresses(&[r]);
        assert!(c.values.contains(&"203.0.113.0".to_string()));
        assert!(c.values.contains(&"203.0.114.0".to_string()));
        assert!(c.values.contains(&"::".to_string()));
    }
}
