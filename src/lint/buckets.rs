//! Bucket-level checks: bucket-name wildcards that reach other buckets
//! (M-4), and `--resource-type` (A-1 `validatePolicyResourceType`): only
//! that resource's ARNs and its service's actions.

use super::actions::service_of;
use super::pattern::Pattern;
use super::resources::variables;
use super::view::{Entry, StatementView};
use super::Ctx;
use crate::catalog::catalog;

/// Two example names a bucket-name pattern also matches.
fn examples(bucket_pattern: &str) -> (String, String) {
    let fill = |first: &str, rest: &str, one: char| {
        let mut out = String::new();
        for (i, c) in bucket_pattern.chars().enumerate() {
            match c {
                '*' if i == 0 => out.push_str(first),
                '*' => out.push_str(rest),
                '?' => out.push(one),
                c => out.push(c),
            }
        }
        out
    };
    let second = if bucket_pattern.trim_end_matches('*').ends_with("ing") {
        "-2"
    } else {
        "ing"
    };
    (fill("team-a", "-bucket", '1'), fill("staging", second, 'x'))
}

pub(super) fn broad_bucket_pattern(ctx: &mut Ctx<'_>, e: &Entry) {
    let Some(rest) = e.text.strip_prefix("arn:aws:s3:::").or_else(|| {
        e.text
            .strip_prefix("arn:aws-cn:s3:::")
            .or_else(|| e.text.strip_prefix("arn:aws-us-gov:s3:::"))
    }) else {
        return;
    };
    let (bucket, objects) = match rest.split_once('/') {
        Some((b, o)) => (b, Some(o)),
        None => (rest, None),
    };
    if !bucket.contains(['*', '?']) || bucket.chars().all(|c| c == '*') {
        return;
    }
    if ctx.view.variables && crate::matcher::has_variable(bucket) {
        return;
    }
    let literal: String = bucket.chars().filter(|c| !matches!(c, '*' | '?')).collect();
    let (a, b) = examples(bucket);
    let also = if objects.is_none() && bucket.ends_with('*') {
        ", and as `*` also matches `/`, every object in them"
    } else {
        ""
    };
    ctx.emit(
        "S3GUARD_BROAD_BUCKET_PATTERN",
        e.span,
        &e.pointer,
        format!(
            "`{}` matches every bucket whose name fits `{bucket}`: `{a}` and `{b}` too, not only `{literal}`{also}",
            e.text
        ),
        Some(format!(
            "name the bucket exactly (arn:aws:s3:::{literal} and arn:aws:s3:::{literal}/*)"
        )),
    );
}

/// `--resource-type`: only that resource's ARNs and its service's actions.
pub(super) fn resource_type(ctx: &mut Ctx<'_>, st: &StatementView<'_>) {
    let Some(rt) = ctx.resource_type else { return };
    let service = rt.service();
    let allowed: Vec<Pattern> = catalog()
        .resource_types()
        .iter()
        .filter(|r| r.service == service && rt.catalog_types().contains(&r.name))
        .map(|r| Pattern::catalog_arn(r.arn_pattern))
        .collect();
    let vars = variables(ctx);
    for e in st.resources() {
        if e.text == "*" {
            continue;
        }
        let p = Pattern::arn(&e.text, vars);
        let mrap_object = rt == super::PolicyResourceType::S3MultiRegionAccessPoint
            && p.intersects(&Pattern::catalog_arn(
                "arn:${Partition}:s3::${Account}:accesspoint/${AccessPointAlias}/object/${ObjectName}",
            ));
        if allowed.iter().any(|f| p.intersects(f)) || mrap_object {
            continue;
        }
        ctx.emit(
            "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
            e.span,
            &e.pointer,
            format!(
                "`{}` cannot appear in a policy of a {}: {}",
                e.text,
                rt,
                rt.describe()
            ),
            None,
        );
    }
    for e in st.actions() {
        let Some(svc) = service_of(&e.text) else {
            continue;
        };
        if svc.contains(['*', '?']) || svc.eq_ignore_ascii_case(service) {
            continue;
        }
        ctx.emit(
            "UNSUPPORTED_ACTION_IN_POLICY",
            e.span,
            &e.pointer,
            format!(
                "`{}` is not a `{service}` action: a policy of a {rt} can grant only `{service}` actions",
                e.text
            ),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_bucket_examples_name_other_buckets() {
        assert_eq!(
            examples("test*"),
            ("test-bucket".to_string(), "testing".to_string())
        );
        assert_eq!(
            examples("*-logs"),
            ("team-a-logs".to_string(), "staging-logs".to_string())
        );
        assert_eq!(examples("staging*").1, "staging-2");
    }
}
