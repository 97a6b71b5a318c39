//! Checks on `Resource`/`NotResource`: ARN formats of the catalog's services
//! (A-2 #10, M-5), resources no action applies to (A-2 #11) and actions no
//! resource applies to (M-7), bucket-name wildcards that reach other buckets,
//! wildcard-only actions granted through an ARN (M-6), redundant entries
//! (A-2 #28) and `Allow` with `NotResource`.

use super::actions::{expand, service_of};
use super::pattern::{self, Budget, Pattern};
use super::redundant::{report_redundant, Compared, Report};
use super::view::{Entry, StatementView};
use super::{abbreviate, Ctx};
use crate::catalog::{catalog, ActionInfo};
use crate::diagnostic::Severity;
use crate::matcher::ResourcePattern;
use crate::policy::Effect;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    for st in &view.statements {
        let Some(element) = &st.resource else {
            continue;
        };
        for e in &element.entries {
            arn_format(ctx, e);
        }
        let vars = variables(ctx);
        report_redundant(
            ctx,
            &element.entries,
            element.name,
            |e| Compiled {
                entry: pattern::Entry::resource(&e.text, vars),
                has_variable: vars && crate::matcher::has_variable(&e.text),
            },
            &REDUNDANT_RESOURCE,
        );
        if st.effect == Some(Effect::Allow) && element.is_not {
            ctx.emit(
                "S3GUARD_ALLOW_WITH_NOT_RESOURCE",
                element.span,
                &element.pointer,
                format!(
                    "{} allows its actions on every resource except those listed (spec E-10): every other bucket, and buckets created later, too",
                    st.label()
                ),
                Some("list the resources to allow in `Resource` instead".into()),
            );
        }
        if element.is_not {
            continue;
        }
        unsupported_resources(ctx, st);
        action_resource_mismatch(ctx, st);
        if st.effect == Some(Effect::Allow) {
            for e in &element.entries {
                super::buckets::broad_bucket_pattern(ctx, e);
            }
            wildcard_only_through_arn(ctx, st);
        }
        super::buckets::resource_type(ctx, st);
    }
}

pub(super) fn variables(ctx: &Ctx<'_>) -> bool {
    ctx.view.variables
}

/// The literal service of an ARN pattern (`s3` of `arn:aws:s3:::b`).
fn arn_service(text: &str) -> Option<&str> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    match parts.as_slice() {
        [arn, _, service, _, _, _] if *arn == "arn" && !service.contains(['*', '?']) => {
            Some(service)
        }
        _ => None,
    }
}

/// Every catalog resource type's ARN format, compiled once.
fn all_formats() -> &'static [(&'static str, &'static str, Pattern)] {
    static CELL: std::sync::OnceLock<Vec<(&'static str, &'static str, Pattern)>> =
        std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        catalog()
            .resource_types()
            .iter()
            .map(|r| (r.service, r.name, Pattern::catalog_arn(r.arn_pattern)))
            .collect()
    })
}

/// Catalog ARN formats of a service's resource types.
fn formats(
    service: &str,
) -> impl Iterator<Item = &'static (&'static str, &'static str, Pattern)> + '_ {
    all_formats().iter().filter(move |(s, _, _)| *s == service)
}

/// What a resource entry can stand for, computed once per entry.
struct Facts {
    /// `"*"`.
    star: bool,
    /// (service, resource type) pairs whose format it intersects.
    kinds: Vec<(&'static str, &'static str)>,
    /// Services whose wildcard-only requests it covers (M-6).
    wildcard_services: Vec<&'static str>,
}

impl Facts {
    fn new(text: &str, variables: bool) -> Facts {
        if text == "*" {
            return Facts {
                star: true,
                kinds: Vec::new(),
                wildcard_services: Vec::new(),
            };
        }
        let literal = text.split(':').nth(2).filter(|s| !s.contains(['*', '?']));
        let p = Pattern::arn(text, variables);
        let kinds = all_formats()
            .iter()
            .filter(|(s, _, _)| literal.is_none_or(|l| l == *s))
            .filter(|(_, _, f)| p.intersects(f))
            .map(|(s, n, _)| (*s, *n))
            .collect();
        let rp = ResourcePattern::new(text, None);
        let wildcard_services = catalog()
            .services()
            .iter()
            .map(|s| s.prefix)
            .filter(|s| rp.matches_wildcard_request(s))
            .collect();
        Facts {
            star: false,
            kinds,
            wildcard_services,
        }
    }

    /// Whether action `a` can apply to some resource the entry matches (M-4..M-7).
    fn admits(&self, a: &ActionInfo) -> bool {
        if self.star {
            return true;
        }
        if a.wildcard_only {
            return self.wildcard_services.contains(&a.service);
        }
        a.resource_types.iter().any(|r| {
            self.kinds
                .iter()
                .any(|(s, n)| *s == a.service && *n == r.name)
        })
    }
}

fn arn_format(ctx: &mut Ctx<'_>, e: &Entry) {
    let Some(service) = arn_service(&e.text) else {
        return;
    };
    if !catalog().knows_service(service) {
        return;
    }
    let p = Pattern::arn(&e.text, variables(ctx));
    if formats(service).any(|(_, _, f)| p.intersects(f)) {
        return;
    }
    let hint = if service == "s3" {
        "S3 ARNs look like arn:aws:s3:::BUCKET, arn:aws:s3:::BUCKET/KEY or arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME (bucket ARNs have no region or account)"
    } else {
        "see the resource types of the service in `s3guard actions`"
    };
    ctx.emit(
        "INVALID_ARN_RESOURCE",
        e.span,
        &e.pointer,
        format!(
            "`{}` matches no resource format of `{service}`: it matches no request",
            e.text
        ),
        Some(hint.into()),
    );
}

#[cfg(test)]
fn applies(a: &ActionInfo, entry: &str, variables: bool) -> bool {
    Facts::new(entry, variables).admits(a)
}

/// The catalog actions of a statement's `Action` entries.
fn statement_actions(st: &StatementView<'_>) -> Vec<&'static ActionInfo> {
    let mut out: Vec<&'static ActionInfo> = Vec::new();
    for e in st.actions() {
        for a in expand(&e.text) {
            if !out.iter().any(|o| o.iam_action == a.iam_action) {
                out.push(a);
            }
        }
    }
    out
}

/// Whether every action entry names a real service literally (so an ARN of
/// another service is certainly out of reach).
fn known_services(st: &StatementView<'_>) -> bool {
    st.actions().iter().all(|e| {
        service_of(&e.text).is_some_and(|s| {
            !s.contains(['*', '?'])
                && super::services::check(s) == super::services::ServiceCheck::Known
        })
    })
}

/// Whether an action entry that may belong to `service` matches no catalog
/// action (a typo, a variable): what the statement meant is unknown.
fn unresolved_actions(st: &StatementView<'_>, service: &str) -> bool {
    st.actions().iter().any(|e| {
        let of_service = match service_of(&e.text) {
            Some(s) if !s.contains(['*', '?']) => s.eq_ignore_ascii_case(service),
            _ => true,
        };
        of_service && expand(&e.text).is_empty()
    })
}

/// Whether a resource entry is `*` or an ARN pattern of a known format
/// (the others get their own ERROR finding).
fn well_formed(text: &str, variables: bool) -> bool {
    if text == "*" {
        return true;
    }
    let parts = text.split(':').count();
    if !text.starts_with("arn:") || (parts < 6 && !text.ends_with('*')) {
        return false;
    }
    match arn_service(text) {
        Some(s) if catalog().knows_service(s) => !Facts::new(text, variables).kinds.is_empty(),
        _ => true,
    }
}

/// A-2 #11: a resource entry that no action of the statement can target.
fn unsupported_resources(ctx: &mut Ctx<'_>, st: &StatementView<'_>) {
    if st.actions().is_empty() {
        return;
    }
    let actions = statement_actions(st);
    let vars = variables(ctx);
    // entries that some action of the statement applies to: beside one of
    // them, an entry with no effect is a warning, not an error (issue 17.5)
    let working = st
        .resources()
        .iter()
        .filter(|e| {
            let f = Facts::new(&e.text, vars);
            actions.iter().any(|a| f.admits(a))
        })
        .count();
    for e in st.resources() {
        let Some(service) = arn_service(&e.text) else {
            continue;
        };
        if !catalog().knows_service(service) {
            continue;
        }
        let of_service: Vec<&&ActionInfo> =
            actions.iter().filter(|a| a.service == service).collect();
        if of_service.is_empty() && !known_services(st) {
            continue;
        }
        if unresolved_actions(st, service) {
            continue; // a misspelled action of the service: INVALID_ACTION says so
        }
        let facts = Facts::new(&e.text, vars);
        if facts.kinds.is_empty() {
            continue; // no format at all: INVALID_ARN_RESOURCE says so
        }
        if of_service.iter().any(|a| facts.admits(a)) {
            continue;
        }
        let mut kinds: Vec<&str> = facts.kinds.iter().map(|(_, n)| *n).collect();
        kinds.dedup();
        let msg = if of_service.is_empty() {
            format!(
                "`{}` is a `{service}` resource, but {} has no `{service}` action: the entry has no effect",
                e.text,
                st.label()
            )
        } else {
            format!(
                "no action of {} applies to `{}`{}: the entry has no effect",
                st.label(),
                e.text,
                if kinds.is_empty() {
                    String::new()
                } else {
                    format!(" ({} ARN)", article(&kinds.join(" / ")))
                }
            )
        };
        let severity = if working > 0 {
            Severity::Warning
        } else {
            Severity::Error
        };
        ctx.emit_as(
            severity,
            "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
            e.span,
            &e.pointer,
            msg,
            Some(
                "object actions need arn:aws:s3:::BUCKET/*, bucket actions arn:aws:s3:::BUCKET (spec M-7)"
                    .into(),
            ),
        );
    }
}

/// M-7: an action entry none of whose actions any resource entry applies to.
fn action_resource_mismatch(ctx: &mut Ctx<'_>, st: &StatementView<'_>) {
    let resources = st.resources();
    let vars = variables(ctx);
    if resources.is_empty() || !resources.iter().all(|r| well_formed(&r.text, vars)) {
        return;
    }
    let facts: Vec<Facts> = resources
        .iter()
        .map(|r| Facts::new(&r.text, vars))
        .collect();
    for e in st.actions() {
        let actions = expand(&e.text);
        if actions.is_empty() {
            continue;
        }
        let none_applies = actions.iter().all(|a| !facts.iter().any(|f| f.admits(a)));
        if !none_applies {
            continue;
        }
        let needs = needs(&actions);
        let given: Vec<String> = resources.iter().map(|r| r.text.clone()).collect();
        let verb = if st.effect == Some(Effect::Deny) {
            "denies"
        } else {
            "grants"
        };
        let msg = format!(
            "`{}` applies to {needs}, but {} names only {}: it {verb} nothing for `{}`",
            e.text,
            st.label(),
            abbreviate(&given),
            e.text
        );
        let hint = suggestion(&actions, resources);
        ctx.emit(
            "S3GUARD_ACTION_RESOURCE_MISMATCH",
            e.span,
            &e.pointer,
            msg,
            Some(hint),
        );
    }
}

/// `object ARNs (arn:…:s3:::BUCKET/KEY)` / `only "Resource": "*"`.
fn needs(actions: &[&ActionInfo]) -> String {
    if actions.iter().all(|a| a.wildcard_only) {
        return "`\"Resource\": \"*\"` only (it has no resource type, spec M-6)".into();
    }
    let mut kinds: Vec<&str> = actions
        .iter()
        .flat_map(|a| a.resource_types.iter().map(|r| r.name))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    format!("{} ARNs", kinds.join(" / "))
}

fn suggestion(actions: &[&ActionInfo], resources: &[Entry]) -> String {
    let wants = |k: &str| {
        actions
            .iter()
            .any(|a| a.resource_types.iter().any(|r| r.name == k))
    };
    let bucket_of = |t: &str| {
        t.strip_prefix("arn:aws:s3:::")
            .map(|r| r.split('/').next().unwrap_or(r).to_string())
    };
    let first = resources.iter().find_map(|r| bucket_of(&r.text));
    match first {
        Some(b) if wants("bucket") && !wants("object") => {
            format!("add the bucket ARN `arn:aws:s3:::{b}` (bucket actions take the bucket, not its objects)")
        }
        Some(b) if wants("object") => format!(
            "add the object ARNs `arn:aws:s3:::{b}/*` (object actions take objects, not the bucket)"
        ),
        _ if actions.iter().all(|a| a.wildcard_only) => {
            "use \"Resource\": \"*\" for this action".into()
        }
        _ => "add a resource of a type the action supports (see `s3guard actions`)".into(),
    }
}

/// M-6: a wildcard-only action granted only through an ARN pattern.
fn wildcard_only_through_arn(ctx: &mut Ctx<'_>, st: &StatementView<'_>) {
    let resources = st.resources();
    if resources.iter().any(|r| r.text == "*") {
        return;
    }
    let only: Vec<&ActionInfo> = statement_actions(st)
        .into_iter()
        .filter(|a| a.wildcard_only)
        .collect();
    for r in resources {
        let facts = Facts::new(&r.text, false);
        let relying: Vec<String> = only
            .iter()
            .filter(|a| facts.admits(a))
            .map(|a| a.iam_action.to_string())
            .collect();
        if relying.is_empty() {
            continue;
        }
        ctx.emit(
            "S3GUARD_WILDCARD_ONLY_ACTION_ARN",
            r.span,
            &r.pointer,
            format!(
                "{} {} no resource type: `{}` grants {} as `*` would (spec M-6; AWS's own S3 examples write it this way), but readers may think it names resources",
                abbreviate(&relying),
                if relying.len() == 1 { "has" } else { "have" },
                r.text,
                if relying.len() == 1 { "it" } else { "them" },
            ),
            Some("optional: \"Resource\": \"*\" says the same plainly".into()),
        );
    }
}

/// A resource entry as compared; one with a policy variable (when the
/// policy type has them) is not compared.
struct Compiled {
    entry: pattern::Entry,
    has_variable: bool,
}

impl Compared for Compiled {
    fn key<'a>(&'a self, entry: &'a Entry) -> &'a str {
        &entry.text
    }

    fn compared(&self) -> bool {
        !self.has_variable
    }

    fn covered_by(&self, other: &Self, budget: &Budget) -> bool {
        self.entry.covered_by(&other.entry, budget)
    }
}

/// REDUNDANT_RESOURCE: resource entries compare case-sensitively.
const REDUNDANT_RESOURCE: Report = Report {
    code: "REDUNDANT_RESOURCE",
    same: |a, b| a == b,
    covers: "matches every resource it does",
};

/// `an object`, `a bucket`.
fn article(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicability_follows_catalog_formats_spec_m7() {
        let get = catalog().lookup("s3:GetObject").unwrap();
        let list = catalog().lookup("s3:ListBucket").unwrap();
        let all = catalog().lookup("s3:ListAllMyBuckets").unwrap();
        assert!(applies(get, "arn:aws:s3:::b/*", true));
        assert!(!applies(get, "arn:aws:s3:::b", true));
        assert!(applies(list, "arn:aws:s3:::b", true));
        assert!(!applies(list, "arn:aws:s3:::b/*", true));
        assert!(applies(all, "*", true));
        assert!(applies(all, "arn:aws:s3:::*", true));
        assert!(!applies(all, "arn:aws:s3:::b", true));
    }
}
