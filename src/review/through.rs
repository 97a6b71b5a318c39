//! Columns for requests through the configured access point (spec AP-1,
//! issue 19): when `--access-point-bucket` describes an access point, the
//! review also asks about the access point ARN and the objects under it,
//! so a reviewer sees "can anyone reach it through the access point?".
//!
//! The access point's own ARN is the one its policy names (AWS's access
//! point policies name it in `Resource`); when the policy names none, or
//! none literally, s3guard asks about an access point of its own naming in
//! the resources' account. Each object prefix the access point policy
//! names under that access point gets its own column, as object prefixes
//! of a bucket do.

use super::classes::{ClassKind, ResourceClass, ThroughAccessPoint};
use super::sample::{self, PatternText};
use crate::eval::access_point::AccessPointArn;
use crate::eval::policy_set::PolicySet;
use crate::matcher::Resource;
use crate::policy::PolicyType;
use crate::request::Request;

/// The name s3guard gives the access point when its policy names none.
const UNNAMED: &str = "s3guard-access-point";
/// The key of the "any object through the access point" column.
const ANY_KEY: &str = "s3guard-example-key";

/// The columns for requests through the set's access point: none when the
/// set describes no access point.
pub(crate) fn access_point_classes(set: &PolicySet, base: &Request) -> Vec<ResourceClass> {
    let Some(ap) = set.options().access_point.as_ref() else {
        return Vec::new();
    };
    let named = named_access_point_arns(set);
    let (arn, name) = match named.first() {
        Some((arn, name)) => (arn.clone(), name.clone()),
        None => {
            let account = base
                .stated_resource_account()
                .or_else(|| base.principal.account())
                .unwrap_or(sample::PLACEHOLDER_ACCOUNT);
            (
                format!(
                    "arn:aws:s3:{}:{account}:accesspoint/{UNNAMED}",
                    sample::PLACEHOLDER_REGION
                ),
                UNNAMED.to_string(),
            )
        }
    };
    let through = ThroughAccessPoint {
        access_point: arn.clone(),
        bucket: ap.bucket.clone(),
    };
    let behind = format!("bucket {}", ap.bucket);
    let class =
        |id: String, label: String, resource_type: &str, sample: String, pattern| ResourceClass {
            id,
            short: label.clone(),
            label,
            kind: ClassKind::Other,
            service: "s3".into(),
            resource_type: resource_type.into(),
            arn: sample,
            pattern,
            generic: false,
            through_access_point: Some(through.clone()),
        };
    let mut out = vec![
        class(
            format!("through-access-point:{name}"),
            format!("through access point {name} (to {behind})"),
            "accesspoint",
            arn.clone(),
            Some(arn.clone()),
        ),
        class(
            format!("through-access-point:{name}/object/*"),
            format!("objects through access point {name} (in {behind})"),
            "accesspointobject",
            format!("{arn}/object/{ANY_KEY}"),
            Some(format!("{arn}/object/*")),
        ),
    ];
    for key in object_patterns(set, &arn) {
        if sample::is_all_stars(&key, &key.text) {
            continue;
        }
        let sample_key = key.instantiate(&key.text, "example", &base.context);
        out.push(class(
            format!("through-access-point:{name}/object/{}", key.text),
            format!(
                "objects matching {} through access point {name} (in {behind})",
                key.text
            ),
            "accesspointobject",
            format!("{arn}/object/{sample_key}"),
            Some(format!("{arn}/object/{}", key.text)),
        ));
    }
    out
}

/// The access point ARNs the access point policy names literally (no
/// wildcard in partition, region, account or name), with their names,
/// first named first.
fn named_access_point_arns(set: &PolicySet) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pattern in access_point_policy_patterns(set) {
        let Ok(resource) = Resource::parse(&pattern.text) else {
            continue;
        };
        let Some(a) = AccessPointArn::of(&resource) else {
            continue;
        };
        let literal = [a.partition, a.region, a.account, a.name]
            .iter()
            .all(|p| !p.contains(['*', '?']) && !crate::matcher::has_variable(p));
        let found = (a.access_point(), a.name.to_string());
        if literal && !out.contains(&found) {
            out.push(found);
        }
    }
    out
}

/// The object key patterns the access point policy names under `arn`
/// (`…/object/Jane/*` gives `Jane/*`), in policy order.
fn object_patterns(set: &PolicySet, arn: &str) -> Vec<PatternText> {
    let prefix = format!("{arn}/object/");
    let mut out: Vec<PatternText> = Vec::new();
    for pattern in access_point_policy_patterns(set) {
        let Some(key) = pattern.text.strip_prefix(&prefix) else {
            continue;
        };
        let key = PatternText {
            text: key.to_string(),
            variables: pattern.variables,
        };
        if !key.text.is_empty() && !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// The resource patterns of the access point policy's statements.
fn access_point_policy_patterns(set: &PolicySet) -> Vec<PatternText> {
    set.members()
        .iter()
        .filter(|m| m.layer == PolicyType::AccessPoint)
        .flat_map(|m| {
            let variables = m.policy.version.has_variables();
            m.policy.statements.iter().flat_map(move |s| {
                s.resource.patterns().iter().map(move |r| PatternText {
                    text: r.as_str().to_string(),
                    variables,
                })
            })
        })
        .collect()
}
