//! `Date…` operators: W3C ISO 8601 profiles and epoch seconds, compared as
//! instants whatever the notation (spec C-6).

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type Instant = i128;

const NANOS: i128 = 1_000_000_000;

/// Parses a date: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.s…]]TZD`
/// (TZD = `Z` or `±hh:mm`; missing TZD means UTC), or epoch seconds
/// (digits, optionally signed or with a fraction; exactly four digits read as a year).
/// Missing parts default to the start of the period (C-6 decision).
pub fn parse(text: &str) -> Option<Instant> {
    let t = text.trim();
    let digits_only = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if digits_only && t.len() == 4 {
        return iso(t);
    }
    if is_epoch(t) {
        return epoch(t);
    }
    iso(t)
}

fn is_epoch(t: &str) -> bool {
    let body = t.strip_prefix('-').unwrap_or(t);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or_default();
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn epoch(t: &str) -> Option<Instant> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.len() > 15 {
        return None; // beyond ±31 million years: not a date
    }
    let secs: i128 = int.parse().ok()?;
    let mut nanos: i128 = 0;
    for (i, d) in frac.bytes().take(9).enumerate() {
        nanos += i128::from(d - b'0') * 10i128.pow(8 - u32::try_from(i).ok()?);
    }
    let v = secs * NANOS + nanos;
    Some(if neg { -v } else { v })
}

fn num(s: &str, len: usize) -> Option<i64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn iso(t: &str) -> Option<Instant> {
    let (date, time) = match t.split_once(['T', 't']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut dp = date.split('-');
    let year = num(dp.next()?, 4)?;
    let month = dp.next().map(|m| num(m, 2)).unwrap_or(Some(1))?;
    let day = dp.next().map(|d| num(d, 2)).unwrap_or(Some(1))?;
    if dp.next().is_some()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
    {
        return None;
    }
    let mut secs_of_day: i64 = 0;
    let mut nanos: i128 = 0;
    let mut offset: i64 = 0;
    if let Some(time) = time {
        let (clock, tz) = split_tz(time)?;
        offset = tz;
        let mut cp = clock.split(':');
        let h = num(cp.next()?, 2)?;
        let m = num(cp.next()?, 2)?;
        let (s, frac) = match cp.next() {
            None => (0, ""),
            Some(sec) => {
                let (s, f) = sec.split_once('.').unwrap_or((sec, ""));
                if sec.contains('.') && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
                    return None;
                }
                (num(s, 2)?, f)
            }
        };
        if cp.next().is_some() || h > 24 || m > 59 || s > 60 || (h == 24 && (m > 0 || s > 0)) {
            return None;
        }
        secs_of_day = h * 3600 + m * 60 + s;
        for (i, d) in frac.bytes().take(9).enumerate() {
            nanos += i128::from(d - b'0') * 10i128.pow(8 - u32::try_from(i).ok()?);
        }
    }
    let days = days_from_civil(year, month, day);
    let secs = i128::from(days) * 86_400 + i128::from(secs_of_day) - i128::from(offset);
    Some(secs * NANOS + nanos)
}

/// Splits `hh:mm:ssTZD` into the clock and the offset in seconds.
fn split_tz(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    if let Some(i) = time.rfind(['+', '-']) {
        let (clock, tz) = (time.get(..i)?, time.get(i..)?);
        let sign = if tz.starts_with('-') { -1 } else { 1 };
        let body = tz.get(1..)?;
        let (h, m) = match body.split_once(':') {
            Some((h, m)) => (num(h, 2)?, num(m, 2)?),
            None if body.len() == 4 => (num(body.get(..2)?, 2)?, num(body.get(2..)?, 2)?),
            None => (num(body, 2)?, 0),
        };
        if h > 23 || m > 59 {
            return None;
        }
        return Some((clock, sign * (h * 3600 + m * 60)));
    }
    Some((time, 0))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether [`format()`] writes the instant as a date that [`parse`] reads
/// back: years 0000 to 9999 (ISO 8601's four-digit years).
pub fn is_formattable(instant: Instant) -> bool {
    let start = i128::from(days_from_civil(0, 1, 1)) * 86_400 * NANOS;
    let end = i128::from(days_from_civil(10_000, 1, 1)) * 86_400 * NANOS;
    (start..end).contains(&instant)
}

/// Formats an instant as `YYYY-MM-DDThh:mm:ssZ` (for messages and derived context keys).
pub fn format(instant: Instant) -> String {
    let secs = instant.div_euclid(NANOS);
    let days = i64::try_from(secs.div_euclid(86_400)).unwrap_or(0);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(t: &str) -> i128 {
        parse(t).unwrap() / NANOS
    }

    #[test]
    fn iso_and_epoch_agree_spec_c6() {
        assert_eq!(secs("2024-06-01T00:00:00Z"), 1_717_200_000);
        assert_eq!(secs("1717200000"), 1_717_200_000);
        assert_eq!(secs("2030-01-01"), 1_893_456_000);
        assert_eq!(secs("2030"), 1_893_456_000);
        assert_eq!(secs("2030-01"), 1_893_456_000);
        assert_eq!(secs("2020-01-01T00:00:01Z"), 1_577_836_801);
        assert_eq!(secs("2024-06-01T02:00:00+02:00"), 1_717_200_000);
        assert_eq!(secs("2024-05-31T19:00-05:00"), 1_717_200_000);
        assert_eq!(
            parse("2024-06-01T00:00:00.5Z").unwrap() % NANOS,
            500_000_000
        );
        assert_eq!(secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(secs("0"), 0);
    }

    #[test]
    fn rejects_non_dates() {
        for s in [
            "",
            "yesterday",
            "2024-13-01",
            "2023-02-29",
            "2024-06-01T25:00Z",
            "12345678901234567",
            "2024-6-1",
            "1.",
            "2024-06-01T10",
        ] {
            assert!(parse(s).is_none(), "{s:?}");
        }
        assert!(parse("2024-02-29").is_some());
    }

    #[test]
    fn formattable_instants_are_those_of_four_digit_years() {
        for t in [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "0",
            "-100",
        ] {
            let i = parse(t).unwrap();
            assert!(is_formattable(i), "{t}");
            assert_eq!(
                parse(&format(i)).map(|p| p / NANOS),
                Some(i.div_euclid(NANOS))
            );
        }
        // 15-digit epoch seconds are a date, but not one of a four-digit year
        for t in ["999999999999999", "-999999999999999", "253402300800"] {
            assert!(!is_formattable(parse(t).unwrap()), "{t}");
        }
    }

    #[test]
    fn formats_back() {
        assert_eq!(
            format(parse("2025-04-05T15:14:36Z").unwrap()),
            "2025-04-05T15:14:36Z"
        );
        assert_eq!(
            format(parse("1969-12-31T23:59:59Z").unwrap()),
            "1969-12-31T23:59:59Z"
        );
    }
}
