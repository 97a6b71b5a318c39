//! Classes for the S3 resource types other than buckets and objects
//! (access points, jobs, Storage Lens, Access Grants, Object Lambda,
//! directory buckets; spec M-5): "any" resource of each type, and each
//! pattern the policies name that the "any" sample does not cover.

use std::collections::BTreeSet;

use super::classes::{is_literal, ClassKind, Classes, ResourceClass};
use super::sample::{self, PatternText};
use crate::catalog::{self, resource_type_of};
use crate::matcher::ArnRef;
use crate::request::context::Context;

/// Friendly names of catalog resource types (singular, plural).
pub(crate) fn friendly(service: &str, rt: &str) -> (&'static str, &'static str) {
    match (service, rt) {
        ("s3", "accesspoint") => ("access point", "access points"),
        ("s3", "accesspointobject") => ("object via an access point", "objects via access points"),
        ("s3", "multiregionaccesspoint") => {
            ("Multi-Region Access Point", "Multi-Region Access Points")
        }
        ("s3", "multiregionaccesspointrequestarn") => (
            "Multi-Region Access Point request",
            "Multi-Region Access Point requests",
        ),
        ("s3", "job") => ("Batch Operations job", "Batch Operations jobs"),
        ("s3", "storagelensconfiguration") => {
            ("Storage Lens configuration", "Storage Lens configurations")
        }
        ("s3", "storagelensgroup") => ("Storage Lens group", "Storage Lens groups"),
        ("s3", "accessgrantsinstance") => ("Access Grants instance", "Access Grants instances"),
        ("s3", "accessgrantslocation") => ("Access Grants location", "Access Grants locations"),
        ("s3", "accessgrant") => ("access grant", "access grants"),
        ("s3" | "s3-object-lambda", "objectlambdaaccesspoint") => {
            ("Object Lambda access point", "Object Lambda access points")
        }
        ("s3express", "bucket") => ("directory bucket", "directory buckets"),
        ("s3express", "accesspoint") => (
            "directory bucket access point",
            "directory bucket access points",
        ),
        _ => ("resource", "resources"),
    }
}

pub(crate) fn other_classes(patterns: &BTreeSet<PatternText>, ctx: &Context, out: &mut Classes) {
    let cat = catalog::catalog();
    for rt in cat.resource_types() {
        if rt.service == "s3" && (rt.name == "bucket" || rt.name == "object") {
            continue;
        }
        let generic_arn = sample::from_template(&rt.arn_pattern);
        if out.classes.iter().any(|c| c.arn == generic_arn) {
            continue; // the same type listed under two services (Object Lambda access points)
        }
        let Some(service) = ArnRef::parse(&generic_arn).map(|a| a.service().to_string()) else {
            continue;
        };
        let (one, many) = friendly(&rt.service, &rt.name);
        let mut named: Vec<ResourceClass> = Vec::new();
        for p in patterns {
            let Some(arn) = sample_for_type(p, &rt.arn_pattern, &service, &rt.name, ctx) else {
                continue;
            };
            if sample::shape_matches(p, &generic_arn) {
                continue; // the generic sample covers this pattern
            }
            if named
                .iter()
                .any(|c| c.pattern.as_deref() == Some(p.text.as_str()))
            {
                continue;
            }
            let label = if is_literal(p) {
                format!("{one} {}", p.text)
            } else {
                format!("{many} matching {}", p.text)
            };
            named.push(ResourceClass {
                id: format!("{service}:{}:{}", rt.name, p.text),
                short: label.clone(),
                label,
                kind: ClassKind::Other,
                service: service.clone(),
                resource_type: rt.name.clone(),
                arn,
                pattern: Some(p.text.clone()),
                generic: false,
                through_access_point: None,
            });
        }
        let any = if named.is_empty() {
            format!("any {one}")
        } else {
            format!("any other {one}")
        };
        out.classes.extend(named);
        out.classes.push(ResourceClass {
            id: format!("{service}:{}:*", rt.name),
            label: any.clone(),
            short: any,
            kind: ClassKind::Other,
            service,
            resource_type: rt.name.clone(),
            arn: generic_arn,
            pattern: None,
            generic: true,
            through_access_point: None,
        });
    }
}

/// A concrete ARN of the resource type that the pattern matches, if one of
/// two candidates works: the pattern instantiated, or the catalog template
/// instantiated with the pattern's literal segments.
fn sample_for_type(
    p: &PatternText,
    template: &str,
    service: &str,
    rt: &str,
    ctx: &Context,
) -> Option<String> {
    let parts: Vec<&str> = p.text.splitn(6, ':').collect();
    if parts.len() != 6 {
        return None;
    }
    let from_pattern: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let filler = match i {
                3 => sample::PLACEHOLDER_REGION,
                4 => sample::PLACEHOLDER_ACCOUNT,
                _ => "example",
            };
            if sample::is_all_stars(p, part) && i < 5 {
                filler.to_string()
            } else {
                p.instantiate(part, filler, ctx)
            }
        })
        .collect();
    let generic = sample::from_template(template);
    let template_parts: Vec<&str> = generic.splitn(6, ':').collect();
    let merged: Vec<String> = template_parts
        .iter()
        .enumerate()
        .map(|(i, t)| match parts.get(i) {
            Some(part) if i < 5 && !sample::is_all_stars(p, part) => {
                p.instantiate(part, "example", ctx)
            }
            _ => (*t).to_string(),
        })
        .collect();
    [from_pattern.join(":"), merged.join(":")]
        .into_iter()
        .find(|arn| {
            ArnRef::parse(arn)
                .is_some_and(|a| a.service() == service && resource_type_of(a) == Some(rt))
                && sample::shape_matches(p, arn)
        })
}
