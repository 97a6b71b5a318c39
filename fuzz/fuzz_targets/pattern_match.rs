//! A pattern and a subject (split at the first newline) through every
//! matcher: globs (checked against the `wildmatch` crate, whose `*`/`?`
//! semantics are the same), action patterns (checked against a
//! case-insensitive wildmatch for ASCII), resource patterns (with and
//! without policy variables), and the `String…`/`Arn…` condition values.
//! Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3guard::condition::{ArnValue, StringValue};
use s3guard::matcher::{
    parse_template, Action, ActionPattern, Glob, Match, NoVariables, Piece, Resolve, Resource,
    ResourcePattern, Variable,
};
use wildmatch::WildMatch;

/// Knows two keys; one value holds wildcards, which must match literally.
struct Vars;

impl Resolve for Vars {
    fn resolve(&self, var: &Variable) -> Option<&str> {
        match var.key_lower.as_str() {
            "aws:username" => Some("alice"),
            "aws:userid" => Some("AIDA*?:/x"),
            _ => None,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pattern, subject) = text.split_once('\n').unwrap_or((&text, ""));

    // Globs: the same `*`/`?` semantics as wildmatch.
    let glob = Glob::new(pattern);
    let ours = glob.is_match(subject);
    let theirs = WildMatch::new(pattern).matches(subject);
    assert_eq!(ours, theirs, "glob {pattern:?} on {subject:?}");
    assert_eq!(glob.matches(subject, &Vars) == Match::Yes, ours);
    assert!(Glob::literal(pattern).is_match(subject) == (pattern == subject));
    let _ = (glob.is_any(), glob.as_literal(), glob.to_string());

    // Templates: without `${` a template is the plain glob.
    let template = parse_template(pattern);
    if let Ok(pieces) = &template {
        let g = Glob::from_pieces(pieces);
        let m = g.matches(subject, &Vars);
        if !pattern.contains("${") {
            assert_eq!(m == Match::Yes, ours, "template {pattern:?} on {subject:?}");
        }
        let _ = (
            g.matches(subject, &NoVariables),
            g.variables().count(),
            g.to_string(),
        );
    }

    // Action patterns: case-insensitive wildmatch on `service:Name` (ASCII,
    // where lower-casing is the same for both).
    let ap = ActionPattern::new(pattern);
    let _ = (
        ap.service(),
        ap.literal(),
        ap.has_wildcard(),
        ap.to_string(),
    );
    let _ = ap.matches_lower(&subject.to_lowercase());
    if let Ok(action) = Action::parse(subject) {
        let m = ap.matches(&action);
        assert_eq!(m, ap.matches_lower(action.lower()));
        if pattern.is_ascii() && subject.is_ascii() {
            let theirs = WildMatch::new_case_insensitive(pattern).matches(subject);
            assert_eq!(m, theirs, "action pattern {pattern:?} on {subject:?}");
        }
        let _ = (action.service(), action.name(), action.catalog_index());
    }

    // Resource patterns, literal and with the variables of the resource part.
    let resource = Resource::parse(subject);
    let with_vars = pattern
        .splitn(6, ':')
        .nth(5)
        .and_then(|rest| parse_template(rest).ok());
    for rp in [
        ResourcePattern::new(pattern, None),
        ResourcePattern::new(pattern, with_vars),
    ] {
        let _ = (
            rp.is_any(),
            rp.is_never(),
            rp.has_variables(),
            rp.to_string(),
        );
        let _: Vec<String> = rp.resource_variables().map(ToString::to_string).collect();
        for svc in ["s3", "", "S3", subject] {
            let _ = rp.matches_wildcard_request(svc);
        }
        if let Ok(r) = &resource {
            let _ = rp.matches(r, "s3", &Vars);
            let _ = rp.matches(r, "s3", &NoVariables);
            if let Some(arn) = r.arn() {
                let _ = rp.matches_arn(arn.as_ref(), &Vars);
                let _ = (arn.partition(), arn.service(), arn.region(), arn.account());
                let _ = (arn.resource(), arn.rest_from(3), arn.part(7));
            }
        }
    }
    // An ARN without wildcards or variables matches itself.
    if let Ok(r @ Resource::Arn(_)) = &resource {
        if !subject.contains(['*', '?']) {
            let rp = ResourcePattern::new(subject, None);
            assert_eq!(rp.matches(r, "s3", &NoVariables), Match::Yes, "{subject:?}");
        }
    }

    // Condition values.
    let pieces = template.unwrap_or_else(|_| vec![Piece::Text(pattern.to_string())]);
    let like = StringValue::like(&[Piece::Text(pattern.to_string())]);
    assert_eq!(like.matches(subject, &NoVariables), Some(theirs));
    let exact = StringValue::exact(&[Piece::Text(pattern.to_string())]);
    assert_eq!(
        exact.matches(subject, &NoVariables),
        Some(pattern == subject)
    );
    for v in [
        StringValue::like(&pieces),
        StringValue::exact(&pieces),
        StringValue::folded(&pieces),
        StringValue::folded(&[Piece::Text(pattern.to_string())]),
    ] {
        let _ = v.matches(subject, &Vars);
    }
    let _ = ArnValue::new(pattern, &pieces).matches(subject, &Vars);
    let _ =
        ArnValue::new(pattern, &[Piece::Text(pattern.to_string())]).matches(subject, &NoVariables);
});
