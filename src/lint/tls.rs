//! TLS: bucket policies that do not deny plain HTTP at all, or deny it for
//! only some of the bucket's actions or resources (the Deny covers
//! `arn:aws:s3:::b/*` only, so `ListBucket` still works over HTTP), and
//! `Allow` statements that hold only over plain HTTP
//! (`"Bool": {"aws:SecureTransport": "false"}`), which no HTTPS client —
//! every AWS SDK and the AWS CLI — ever matches.
//!
//! Coverage is computed per bucket the policy names: an S3 action of the
//! catalog is covered on the bucket (or its objects) when one TLS Deny lists
//! the action and a resource pattern containing the bucket's ARN (or
//! `BUCKET/*`), for everyone.

use super::actions::expand;
use super::pattern::Pattern;
use super::view::{CondBlock, CondKey, StatementView};
use super::Ctx;
use crate::catalog::{catalog, ActionInfo};
use crate::condition::Family;
use crate::policy::{Effect, PolicyType};

pub(super) fn check(ctx: &mut Ctx<'_>) {
    http_only_allows(ctx);
    let view = ctx.view;
    if view.policy_type != PolicyType::Resource || view.statements.is_empty() {
        return;
    }
    let denies: Vec<&StatementView<'_>> = view
        .statements
        .iter()
        .filter(|st| st.effect == Some(Effect::Deny) && st.condition_keys().any(denies_plain_http))
        .collect();
    if denies.is_empty() {
        no_tls_enforcement(ctx);
    } else {
        partial(ctx, &denies);
    }
}

/// `Bool aws:SecureTransport false` (or a Numeric test of `s3:TlsVersion`):
/// the condition of a Deny that enforces TLS.
fn denies_plain_http((block, key): (&CondBlock, &CondKey)) -> bool {
    let Some(op) = block.operator else {
        return false;
    };
    let insecure = key.key.eq_ignore_ascii_case("aws:SecureTransport")
        && op.family == Family::Bool
        && !op.negated
        && key
            .values
            .iter()
            .any(|v| v.text.eq_ignore_ascii_case("false"));
    let old_tls =
        key.key.eq_ignore_ascii_case("s3:TlsVersion") && matches!(op.family, Family::Numeric(_));
    insecure || old_tls
}

/// Whether the key's test holds only when the request is plain HTTP.
fn only_plain_http((block, key): (&CondBlock, &CondKey)) -> bool {
    let Some(op) = block.operator else {
        return false;
    };
    // S3 requests always carry aws:SecureTransport, so BoolIfExists is no different
    key.key.eq_ignore_ascii_case("aws:SecureTransport")
        && op.family == Family::Bool
        && op.set.is_none()
        && !key.values.is_empty()
        && key
            .values
            .iter()
            .all(|v| v.text.eq_ignore_ascii_case("false"))
}

/// Issue 17.2: an Allow that holds only over plain HTTP grants nothing to
/// HTTPS clients, which is all of them (and what it grants, it grants
/// unencrypted).
fn http_only_allows(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    for st in &view.statements {
        if st.effect != Some(Effect::Allow) {
            continue;
        }
        let Some((block, key)) = st.condition_keys().find(|bk| only_plain_http(*bk)) else {
            continue;
        };
        ctx.emit(
            "S3GUARD_HTTP_ONLY_ALLOW",
            key.key_span,
            &key.pointer,
            format!(
                "{} allows only requests made without TLS (`{}` on `{}`): HTTPS clients — every AWS SDK and the AWS CLI — get nothing from it, and plain-HTTP callers get it unencrypted",
                st.label(),
                block.operator_text,
                key.key
            ),
            Some(
                "remove the condition, or write \"Bool\": {\"aws:SecureTransport\": \"true\"} if you meant TLS only"
                    .into(),
            ),
        );
    }
}

/// A bucket policy with no `Deny` on `aws:SecureTransport = false`.
fn no_tls_enforcement(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    let root = view.root;
    let ptr = view.base.clone();
    ctx.emit(
        "S3GUARD_NO_TLS_ENFORCEMENT",
        root.span,
        &ptr,
        "the bucket policy does not deny requests made without TLS (plain HTTP)".into(),
        Some(
            "add {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": [BUCKET, BUCKET/*], \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}}"
                .into(),
        ),
    );
}

/// The bucket names (maybe patterns) of a policy's S3 resource entries.
fn buckets(ctx: &Ctx<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for st in &ctx.view.statements {
        for e in st.resources() {
            let Some(rest) = ["arn:aws:s3:::", "arn:aws-cn:s3:::", "arn:aws-us-gov:s3:::"]
                .iter()
                .find_map(|p| e.text.strip_prefix(p))
            else {
                continue;
            };
            let bucket = rest.split('/').next().unwrap_or_default();
            if bucket.is_empty() || bucket.chars().all(|c| c == '*') {
                continue;
            }
            if !out.iter().any(|b| b == bucket) {
                out.push(bucket.to_string());
            }
        }
    }
    out
}

/// What one TLS Deny covers: its S3 actions (catalog indexes) and resource
/// patterns (`None`: every resource).
struct Cover {
    /// Sorted.
    actions: Vec<&'static str>,
    /// Each entry's text and, when it has a wildcard, its pattern.
    resources: Option<Vec<(String, Option<Pattern>)>>,
}

impl Cover {
    fn new(st: &StatementView<'_>, variables: bool) -> Option<Cover> {
        // a Deny for some principals only leaves the others uncovered: not modelled here
        if !st
            .principal
            .as_ref()
            .is_some_and(|p| !p.is_not && p.is_everyone())
        {
            return None;
        }
        let element = st.action.as_ref()?;
        let listed: Vec<&'static ActionInfo> = element
            .entries
            .iter()
            .flat_map(|e| expand(&e.text))
            .collect();
        let actions: Vec<&'static str> = if element.is_not {
            s3_actions()
                .filter(|a| !listed.iter().any(|l| l.iam_action == a.iam_action))
                .map(|a| a.iam_action)
                .collect()
        } else {
            listed
                .iter()
                .filter(|a| a.service == "s3")
                .map(|a| a.iam_action)
                .collect()
        };
        let mut actions = actions;
        actions.sort_unstable();
        let resources = match &st.resource {
            Some(r) if !r.is_not && !r.entries.iter().any(|e| e.text == "*") => Some(
                r.entries
                    .iter()
                    .map(|e| {
                        let wild = e.text.contains(['*', '?'])
                            || (variables && crate::matcher::has_variable(&e.text));
                        (
                            e.text.clone(),
                            wild.then(|| Pattern::arn(&e.text, variables)),
                        )
                    })
                    .collect(),
            ),
            _ => None, // `*`, or NotResource: counted as covering (no false alarm)
        };
        Some(Cover { actions, resources })
    }

    fn has(&self, action: &str) -> bool {
        self.actions.binary_search(&action).is_ok()
    }

    /// Whether the Deny's resources contain every resource `arn` (a
    /// literal entry only itself; a pattern by containment).
    fn reaches(&self, arn: &str, pattern: &Pattern) -> bool {
        self.resources.as_ref().is_none_or(|rs| {
            rs.iter().any(|(text, p)| match p {
                Some(p) => pattern.contained_in(p),
                None => text == arn,
            })
        })
    }
}

fn s3_actions() -> impl Iterator<Item = &'static ActionInfo> {
    catalog().actions().iter().filter(|a| a.service == "s3")
}

/// The S3 actions that take a resource of this catalog type.
fn s3_actions_on(kind: &str) -> Vec<&'static str> {
    s3_actions()
        .filter(|a| a.resource_types.iter().any(|r| r.name == kind))
        .map(|a| a.iam_action)
        .collect()
}

/// Issue 17.1: the TLS Deny leaves some of a bucket's actions usable over HTTP.
fn partial(ctx: &mut Ctx<'_>, denies: &[&StatementView<'_>]) {
    let variables = ctx.view.variables;
    let covers: Vec<Cover> = denies
        .iter()
        .filter_map(|st| Cover::new(st, variables))
        .collect();
    let Some(first) = denies.first() else { return };
    if covers.is_empty() {
        let at = first
            .principal
            .as_ref()
            .map(|p| (p.span, p.pointer.clone()));
        let (span, ptr) = at.unwrap_or((first.span, first.pointer.clone()));
        ctx.emit(
            "S3GUARD_PARTIAL_TLS_ENFORCEMENT",
            span,
            &ptr,
            format!(
                "{} denies plain HTTP only to the principals it names: everyone else may still use the bucket over HTTP",
                first.label()
            ),
            Some("deny plain HTTP to \"Principal\": \"*\"".into()),
        );
        return;
    }
    let bucket_actions = s3_actions_on("bucket");
    let object_actions = s3_actions_on("object");
    // (what, open actions) → the ARNs they are open on, in policy order
    let mut groups: Vec<(&str, Vec<&str>, Vec<String>)> = Vec::new();
    for bucket in buckets(ctx) {
        for (what, arn, kind_actions) in [
            (
                "the bucket",
                format!("arn:aws:s3:::{bucket}"),
                &bucket_actions,
            ),
            (
                "its objects",
                format!("arn:aws:s3:::{bucket}/*"),
                &object_actions,
            ),
        ] {
            let p = Pattern::arn(&arn, variables);
            let reaching: Vec<&Cover> = covers.iter().filter(|c| c.reaches(&arn, &p)).collect();
            let open: Vec<&str> = kind_actions
                .iter()
                .copied()
                .filter(|a| !reaching.iter().any(|c| c.has(a)))
                .collect();
            if open.is_empty() {
                continue;
            }
            match groups.iter_mut().find(|(w, o, _)| *w == what && *o == open) {
                Some((_, _, arns)) => arns.push(arn),
                None => groups.push((what, open, vec![arn])),
            }
        }
    }
    let gaps: Vec<String> = groups
        .iter()
        .map(|(what, open, arns)| {
            let places = if arns.len() == 1 {
                format!("on {what} (`{}`)", arns.join(""))
            } else {
                let whose = if *what == "the bucket" {
                    format!("{} buckets", arns.len())
                } else {
                    format!("the objects of {} buckets", arns.len())
                };
                format!("on {whose} ({})", super::abbreviate(arns))
            };
            format!("{places}: {}", super::everyday_first(open))
        })
        .collect();
    if gaps.is_empty() {
        return;
    }
    let (span, ptr) = match (&first.resource, &first.action) {
        (Some(r), _) => (r.span, r.pointer.clone()),
        (None, Some(a)) => (a.span, a.pointer.clone()),
        (None, None) => (first.span, first.pointer.clone()),
    };
    ctx.emit(
        "S3GUARD_PARTIAL_TLS_ENFORCEMENT",
        span,
        &ptr,
        format!(
            "the Deny of plain HTTP ({}) leaves these requests allowed without TLS: {}",
            first.label(),
            gaps.join("; ")
        ),
        Some(
            "deny \"s3:*\" on both the bucket and its objects (arn:aws:s3:::BUCKET and arn:aws:s3:::BUCKET/*)"
                .into(),
        ),
    );
}
