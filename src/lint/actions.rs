//! Checks on `Action`/`NotAction`: service prefixes (M-2), wildcards in the
//! service name (M-1), redundant entries (A-2 #27), write and permissions
//! actions on every bucket, `Allow` with `NotAction`, `iam:PassRole` on `*`
//! (A-2 #26).

use super::pattern::{self, Budget, Pattern};
use super::redundant::{report_redundant, Compared, Report};
use super::services::{self, ServiceCheck};
use super::view::{Entry, StatementView};
use super::Ctx;
use crate::catalog::{catalog, AccessLevel, ActionInfo};
use crate::policy::{Effect, PolicyType};

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    for st in &view.statements {
        let Some(element) = &st.action else { continue };
        for e in &element.entries {
            // `*` in an RCP's Action is the loader's INVALID_RCP_ACTION
            service_prefix(ctx, e);
        }
        report_redundant(
            ctx,
            &element.entries,
            element.name,
            |e| Coverage::new(&e.text),
            &REDUNDANT_ACTION,
        );
        if st.effect == Some(Effect::Allow) {
            if element.is_not {
                ctx.emit(
                    "S3GUARD_ALLOW_WITH_NOT_ACTION",
                    element.span,
                    &element.pointer,
                    format!(
                        "{} allows every action of every service except {} (spec E-10): new actions and other services are granted too",
                        st.label(),
                        listed(&element.entries)
                    ),
                    Some("list the actions to allow in `Action` instead".into()),
                );
            }
            if grants_by_itself(view.policy_type) {
                write_or_permissions_star(ctx, st);
            }
        }
        if grants_by_itself(view.policy_type) {
            pass_role(ctx, st);
        }
    }
}

/// Whether an Allow of this policy type grants access by itself (identity
/// and bucket policies), rather than only bounding what others grant
/// (boundaries, session policies, SCPs, RCPs, VPC endpoint policies: their
/// `Allow * on *` is the usual "no limit"). Checks of what a statement
/// hands out apply to the first kind only; an S3 endpoint policy, for one,
/// never lets `iam:PassRole` through, as IAM requests do not use it.
fn grants_by_itself(t: PolicyType) -> bool {
    matches!(t, PolicyType::Identity | PolicyType::Resource)
}

/// `s3:GetObject` → `s3`, when the entry is `service:name`.
pub(super) fn service_of(text: &str) -> Option<&str> {
    text.split_once(':').map(|(s, _)| s)
}

fn service_prefix(ctx: &mut Ctx<'_>, e: &Entry) {
    if e.text == "*" {
        return;
    }
    let Some(service) = service_of(&e.text) else {
        return; // the loader reports an action without a prefix
    };
    if service.contains(['*', '?']) {
        ctx.emit(
            "WILDCARD_IN_SERVICE_NAME",
            e.span,
            &e.pointer,
            format!(
                "`{}` has a wildcard in its service prefix: it matches the actions of every service whose name fits `{service}`, including services added later",
                e.text
            ),
            Some("name the service, e.g. `s3:` or `s3express:`".into()),
        );
        return;
    }
    match services::check(service) {
        ServiceCheck::Known => {
            if !catalog().knows_service(service) {
                ctx.unchecked_services.insert(service.to_ascii_lowercase());
            }
        }
        ServiceCheck::Typo(s) => {
            ctx.emit(
                "INVALID_SERVICE_IN_ACTION",
                e.span,
                &e.pointer,
                format!(
                    "the service `{service}` in `{}` does not exist: the action matches no request",
                    e.text
                ),
                Some(crate::diagnostic::did_you_mean_hint(&e.text, s)),
            );
        }
        ServiceCheck::Malformed => {
            let hint = match services::suggest(service.trim()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "service prefixes are lowercase letters, digits and `-`".into(),
            };
            ctx.emit(
                "INVALID_SERVICE_IN_ACTION",
                e.span,
                &e.pointer,
                format!(
                    "`{service}` in `{}` is not a service prefix: the action matches no request",
                    e.text
                ),
                Some(hint),
            );
        }
        ServiceCheck::Unknown => {
            ctx.unchecked_services.insert(service.to_ascii_lowercase());
        }
    }
}

/// The catalog actions an entry matches (empty for other services).
pub(super) fn expand(text: &str) -> Vec<&'static ActionInfo> {
    catalog().expand(text)
}

/// What an action entry covers, computed once per entry.
struct Coverage {
    /// The entry as a glob (for services outside the catalog).
    entry: pattern::Entry,
    /// Lower-cased literal service prefix (`None` when it has a wildcard).
    service: Option<String>,
    /// Indexes of the catalog actions it matches, sorted.
    expansion: Vec<usize>,
    /// Whether its service is one of the catalog's: compare by expansion.
    by_catalog: bool,
}

impl Coverage {
    fn new(text: &str) -> Coverage {
        let service = service_of(text)
            .filter(|s| !s.contains(['*', '?']))
            .map(str::to_ascii_lowercase);
        let cat = catalog();
        let reaches_catalog = match &service {
            Some(s) => cat.knows_service(s),
            None => true,
        };
        let expansion = if reaches_catalog {
            let p = crate::matcher::ActionPattern::new(text);
            cat.lower_names()
                .iter()
                .enumerate()
                .filter(|(_, l)| p.matches_lower(l))
                .map(|(i, _)| i)
                .collect()
        } else {
            Vec::new()
        };
        let by_catalog =
            service.as_deref().is_some_and(|s| cat.knows_service(s)) && !expansion.is_empty();
        Coverage {
            entry: pattern::Entry::action(text),
            service,
            expansion,
            by_catalog,
        }
    }

    /// Whether every action this entry stands for is also covered by `b`.
    /// Patterns of the catalog's services are compared by the catalog
    /// actions they match (as Access Analyzer does); others as globs.
    fn covered_by(&self, b: &Coverage, budget: &Budget) -> bool {
        if let (Some(x), Some(y)) = (&self.service, &b.service) {
            if x != y {
                return false;
            }
        }
        if self.by_catalog {
            return self
                .expansion
                .iter()
                .all(|i| b.expansion.binary_search(i).is_ok());
        }
        self.entry.covered_by(&b.entry, budget)
    }
}

#[cfg(test)]
fn covered_by(a: &str, b: &str) -> bool {
    Coverage::new(a).covered_by(&Coverage::new(b), &Budget::new(usize::MAX))
}

impl Compared for Coverage {
    fn key<'a>(&'a self, _entry: &'a Entry) -> &'a str {
        self.entry.text()
    }

    fn compared(&self) -> bool {
        true
    }

    fn covered_by(&self, other: &Self, budget: &Budget) -> bool {
        Coverage::covered_by(self, other, budget)
    }
}

/// REDUNDANT_ACTION: action names ignore ASCII case (M-1).
const REDUNDANT_ACTION: Report = Report {
    code: "REDUNDANT_ACTION",
    same: str::eq_ignore_ascii_case,
    covers: "covers it",
};

/// Whether a resource entry stands for every bucket (`*`, `arn:aws:s3:::*`, …).
pub(super) fn is_every_bucket(text: &str) -> bool {
    text == "*"
        || (Pattern::arn(text, false).intersects(&Pattern::arn("arn:aws:s3:::b", false))
            && Pattern::arn("arn:aws:s3:::*", false).contained_in(&Pattern::arn(text, false)))
}

/// Write, delete and permissions actions: what `s3:*` on `*` hands out.
fn is_dangerous(a: &ActionInfo) -> bool {
    a.access_level == AccessLevel::PermissionsManagement
        || (a.access_level == AccessLevel::Write
            && [
                "Delete",
                "Put",
                "BypassGovernanceRetention",
                "ReplicateDelete",
            ]
            .iter()
            .any(|p| a.name.starts_with(p)))
}

fn write_or_permissions_star(ctx: &mut Ctx<'_>, st: &StatementView<'_>) {
    let Some(every) = st.resources().iter().find(|r| is_every_bucket(&r.text)) else {
        return;
    };
    for e in st.actions() {
        let dangerous: Vec<&ActionInfo> = expand(&e.text)
            .into_iter()
            .filter(|a| is_dangerous(a))
            .collect();
        if dangerous.is_empty() {
            continue;
        }
        let examples = examples(&dangerous);
        let what = if dangerous.len() == 1 {
            format!("allows `{}`", e.text)
        } else {
            format!(
                "allows {} write, delete and permissions actions ({examples})",
                dangerous.len()
            )
        };
        let everything = if dangerous.iter().all(|a| a.service == "s3") {
            "every bucket and object"
        } else {
            "every resource"
        };
        let msg = format!(
            "`{}` on `{}` {what} on {everything}{}",
            e.text,
            every.text,
            if st.conditions.is_empty() {
                ""
            } else {
                " (only its condition limits it)"
            }
        );
        let extra = ctx.place(every.span, &every.pointer);
        if let Some(f) = ctx.emit(
            "S3GUARD_WRITE_OR_PERMISSIONS_STAR",
            e.span,
            &e.pointer,
            msg,
            Some(
                "name the buckets (arn:aws:s3:::NAME and arn:aws:s3:::NAME/*) and only the actions needed"
                    .into(),
            ),
        ) {
            f.locations.push(extra);
        }
    }
}

/// `s3:DeleteBucket, s3:PutBucketPolicy, … (+3 more)`: deletes and
/// permission changes first.
fn examples(actions: &[&ActionInfo]) -> String {
    let mut sorted: Vec<&&ActionInfo> = actions.iter().collect();
    sorted.sort_by_key(|a| {
        (
            match a.iam_action {
                "s3:DeleteBucket" => 0,
                "s3:PutBucketPolicy" => 1,
                "s3:DeleteObject" => 2,
                _ if a.access_level == AccessLevel::PermissionsManagement => 3,
                _ => 4,
            },
            a.iam_action,
        )
    });
    let shown: Vec<String> = sorted
        .iter()
        .take(3)
        .map(|a| format!("`{}`", a.iam_action))
        .collect();
    let more = actions.len().saturating_sub(3);
    if more > 0 {
        format!("{}, and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn listed(entries: &[Entry]) -> String {
    let all: Vec<String> = entries.iter().map(|e| e.text.clone()).collect();
    if all.is_empty() {
        "nothing".into()
    } else {
        super::abbreviate(&all)
    }
}

/// `iam:PassRole` lets the caller hand a role to a service, e.g. an S3
/// Batch Operations job (A-2 #26).
fn pass_role(ctx: &mut Ctx<'_>, st: &StatementView<'_>) {
    if st.effect != Some(Effect::Allow) {
        return;
    }
    let (Some(action), Some(resource)) = (&st.action, &st.resource) else {
        return;
    };
    let limited = st
        .condition_keys()
        .any(|(_, k)| k.key.eq_ignore_ascii_case("iam:PassedToService"));
    if limited {
        return;
    }
    let passrole = Pattern::action("iam:PassRole");
    let (grants, star_action, at) = if action.is_not {
        let excluded = action
            .entries
            .iter()
            .any(|e| passrole.contained_in(&Pattern::action(&e.text)));
        (!excluded, true, (action.span, action.pointer.clone()))
    } else {
        match action
            .entries
            .iter()
            .find(|e| passrole.contained_in(&Pattern::action(&e.text)))
        {
            Some(e) => (
                true,
                e.text.contains(['*', '?']),
                (e.span, e.pointer.clone()),
            ),
            None => (false, false, (action.span, action.pointer.clone())),
        }
    };
    if !grants {
        return;
    }
    let code = match (resource.is_not, action.is_not, star_action) {
        (true, true, _) => "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        (true, false, true) => "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        (true, false, false) => "PASS_ROLE_WITH_NOT_RESOURCE",
        (false, true, _) => {
            if !resource.entries.iter().any(|r| every_role(&r.text)) {
                return;
            }
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"
        }
        (false, false, star) => {
            if !resource.entries.iter().any(|r| every_role(&r.text)) {
                return;
            }
            if star {
                "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"
            } else {
                "PASS_ROLE_WITH_STAR_IN_RESOURCE"
            }
        }
    };
    ctx.emit(
        code,
        at.0,
        &at.1,
        format!(
            "{} allows `iam:PassRole` on every role: the caller can hand any role (an admin role too) to a service such as an S3 Batch Operations job",
            st.label()
        ),
        Some("name the role ARNs, or add a condition on iam:PassedToService".into()),
    );
}

/// `*`, or a role ARN pattern whose name is only a wildcard.
fn every_role(text: &str) -> bool {
    text == "*"
        || Pattern::arn("arn:aws:iam::111122223333:role/any", false)
            .contained_in(&Pattern::arn(text, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_uses_the_catalog_for_s3_and_globs_elsewhere_spec_a2_27() {
        assert!(covered_by("s3:GetObject", "s3:Get*"));
        assert!(covered_by("s3:GetObject", "*"));
        assert!(!covered_by("s3:Get*", "s3:GetObject"));
        // `s3:*Object` and `s3:*` cover the same catalog actions one way only
        assert!(covered_by("s3:*Object", "s3:*"));
        assert!(covered_by("ec2:DescribeInstances", "ec2:Describe*"));
        assert!(!covered_by("ec2:Describe*", "ec2:DescribeInstances"));
    }

    #[test]
    fn every_bucket_patterns() {
        for p in [
            "*",
            "arn:aws:s3:::*",
            "arn:aws:s3:*:*:*",
            "arn:*:s3:::*",
            "arn:aws:s3:*",
        ] {
            assert!(is_every_bucket(p), "{p}");
        }
        for p in [
            "arn:aws:s3:::prod",
            "arn:aws:s3:::*/*",
            "arn:aws:s3:::prod*",
        ] {
            assert!(!is_every_bucket(p), "{p}");
        }
    }
}
