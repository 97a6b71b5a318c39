//! Classes for the S3 resource types other than buckets and objects
//! (access points, jobs, Storage Lens, Access Grants, Object Lambda,
//! directory buckets; spec M-5): "any" resource of each type, and each
//! pattern the policies name that the "any" sample does not cover.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

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

/// What each pattern names of the other resource types, remembered
/// across calls (the account review asks the columns of thousands of sets
/// that share most of their patterns): for a pattern, per catalog resource
/// type, the sample ARN of the class it gets (`None`: it names none of
/// that type, or the generic sample covers it). Patterns with policy
/// variables are not remembered (the caller's values fill them in).
#[derive(Default)]
pub struct SampleMemo(Mutex<HashMap<PatternText, Arc<Vec<Option<String>>>>>);

/// A resource type's generic sample ARN and service, `None` for buckets
/// and objects (their classes are made elsewhere) or an unreadable template.
fn type_samples() -> Vec<Option<(String, String)>> {
    catalog::catalog()
        .resource_types()
        .iter()
        .map(|rt| {
            if rt.service == "s3" && (rt.name == "bucket" || rt.name == "object") {
                return None;
            }
            let generic_arn = sample::from_template(rt.arn_pattern);
            let service = ArnRef::parse(&generic_arn).map(|a| a.service().to_string())?;
            Some((generic_arn, service))
        })
        .collect()
}

/// The sample ARN of the class a pattern gets for resource type `ti`.
fn named_sample(
    p: &PatternText,
    ti: usize,
    types: &[Option<(String, String)>],
    ctx: &Context,
) -> Option<String> {
    let rt = catalog::catalog().resource_types().get(ti)?;
    let (generic_arn, service) = types.get(ti)?.as_ref()?;
    let arn = sample_for_type(p, rt.arn_pattern, service, rt.name, ctx)?;
    // the generic sample covers this pattern
    (!sample::shape_matches(p, generic_arn)).then_some(arn)
}

pub(crate) fn other_classes(
    patterns: &BTreeSet<PatternText>,
    ctx: &Context,
    out: &mut Classes,
    memo: Option<&SampleMemo>,
) {
    let cat = catalog::catalog();
    let types = type_samples();
    // Per pattern, its samples of every type, when remembered.
    let remembered: Vec<Option<Arc<Vec<Option<String>>>>> = patterns
        .iter()
        .map(|p| {
            let memo = memo.filter(|_| !(p.variables && crate::matcher::has_variable(&p.text)))?;
            if let Some(hit) = memo.0.lock().ok().and_then(|m| m.get(p).cloned()) {
                return Some(hit);
            }
            let all: Arc<Vec<Option<String>>> = Arc::new(
                (0..types.len())
                    .map(|ti| named_sample(p, ti, &types, ctx))
                    .collect(),
            );
            if let Ok(mut m) = memo.0.lock() {
                m.insert(p.clone(), all.clone());
            }
            Some(all)
        })
        .collect();
    for (ti, rt) in cat.resource_types().iter().enumerate() {
        let Some(Some((generic_arn, service))) = types.get(ti) else {
            continue;
        };
        if out.classes.iter().any(|c| c.arn == *generic_arn) {
            continue; // the same type listed under two services (Object Lambda access points)
        }
        let (one, many) = friendly(rt.service, rt.name);
        let mut named: Vec<ResourceClass> = Vec::new();
        for (p, known) in patterns.iter().zip(&remembered) {
            let arn = match known {
                Some(all) => all.get(ti).cloned().flatten(),
                None => named_sample(p, ti, &types, ctx),
            };
            let Some(arn) = arn else {
                continue;
            };
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
                resource_type: rt.name.to_string(),
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
            service: service.clone(),
            resource_type: rt.name.to_string(),
            arn: generic_arn.clone(),
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

#[cfg(test)]
mod tests {
    use super::super::classes::{resource_classes, resource_classes_with};
    use super::SampleMemo;
    use crate::policy::Policy;
    use crate::request::context::{Context, Origin};

    /// The memo changes nothing: the same classes with it and without,
    /// on a first call and on a second that finds every pattern in it,
    /// and a pattern with a policy variable still filled in per caller.
    #[test]
    fn remembered_samples_give_the_same_classes() {
        let p = Policy::parse(
            "p.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[
                "arn:aws:s3:us-west-2:111122223333:accesspoint/ap",
                "arn:aws:s3:*:111122223333:job/*",
                "arn:aws:s3:us-west-2:111122223333:accesspoint/${aws:username}",
                "arn:aws:s3:::prod/*"]}]}"#,
        )
        .unwrap();
        let memo = SampleMemo::default();
        for user in ["alice", "bob"] {
            let mut ctx = Context::new();
            ctx.set("aws:username", user, Origin::Derived);
            let plain = resource_classes([&p], &[], &ctx);
            let with = resource_classes_with([&p], &[], &ctx, Some(&memo));
            assert_eq!(plain.classes, with.classes, "{user}");
            assert!(
                with.classes
                    .iter()
                    .any(|c| c.arn.ends_with(&format!("accesspoint/{user}"))),
                "{:?}",
                with.classes
            );
        }
    }
}
