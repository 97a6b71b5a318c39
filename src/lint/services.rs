//! AWS service prefixes known to s3guard, for `INVALID_SERVICE_IN_ACTION`
//! (spec M-2). The list (`data/aws-service-prefixes.txt`, written by
//! `data/refresh.py`) holds every service of the Service Authorization
//! Reference and the retired ones AWS managed policies still name. AWS adds
//! services between refreshes, so an unlisted prefix is an error only when it
//! looks like a typo of a listed one.

use std::sync::OnceLock;

use crate::diagnostic::edit_distance;

const PREFIXES: &str = include_str!("../../data/aws-service-prefixes.txt");

fn prefixes() -> &'static [&'static str] {
    static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
    CELL.get_or_init(|| {
        PREFIXES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// What s3guard can say about an action's service prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServiceCheck {
    /// A listed AWS service.
    Known,
    /// Not a service prefix at all (characters other than letters, digits, `-`).
    Malformed,
    /// One edit away from a listed service: almost surely a typo of it.
    Typo(&'static str),
    /// Not listed, not close to a listed one: s3guard cannot tell.
    Unknown,
}

/// Checks a (literal) service prefix.
pub(crate) fn check(prefix: &str) -> ServiceCheck {
    let lower = prefix.to_ascii_lowercase();
    let well_formed = lower
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && lower
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !well_formed {
        return ServiceCheck::Malformed;
    }
    let list = prefixes();
    if list.contains(&lower.as_str()) {
        return ServiceCheck::Known;
    }
    match list.iter().find(|p| {
        p.len() >= 2
            && p.chars().count().abs_diff(lower.chars().count()) <= 1
            && edit_distance(&lower, p) == 1
    }) {
        Some(p) => ServiceCheck::Typo(p),
        None => ServiceCheck::Unknown,
    }
}

/// The closest listed prefix (for hints on malformed prefixes).
pub(crate) fn suggest(prefix: &str) -> Option<&'static str> {
    crate::diagnostic::did_you_mean(prefix, prefixes().iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_services_typos_and_unknowns_apart_spec_m2() {
        assert_eq!(check("s3"), ServiceCheck::Known);
        assert_eq!(check("S3"), ServiceCheck::Known);
        assert_eq!(check("ec2"), ServiceCheck::Known);
        assert_eq!(check("s4"), ServiceCheck::Typo("s3"));
        assert_eq!(check("s3expres"), ServiceCheck::Typo("s3express"));
        assert_eq!(check("s3 "), ServiceCheck::Malformed);
        assert_eq!(check(""), ServiceCheck::Malformed);
        assert_eq!(check("zzqqxyzzy"), ServiceCheck::Unknown);
        // AWS IQ: two letters, one edit from several prefixes (issue 17.6)
        assert_eq!(check("iq"), ServiceCheck::Known);
        // retired services that AWS managed policies still name
        assert_eq!(check("iot1click"), ServiceCheck::Known);
    }
}
