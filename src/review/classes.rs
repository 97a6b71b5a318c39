//! Resource classes: the columns of the access matrix. Each bucket the
//! policies name (and its objects, and each object prefix they name), "any
//! other bucket", account-level actions (`*`, spec M-6), and every other S3
//! resource type of the catalog (access points, jobs, directory buckets, …,
//! spec M-5), named ones first. Each class carries one representative ARN
//! that the evaluator is asked about.

use std::collections::BTreeSet;

use serde::Serialize;

use super::sample::{self, PatternText};
use crate::matcher::Glob;
use crate::policy::Policy;
use crate::request::context::Context;

/// What a class stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassKind {
    /// S3 buckets (`arn:aws:s3:::NAME`).
    Bucket,
    /// S3 objects (`arn:aws:s3:::NAME/KEY`).
    Objects,
    /// Wildcard-only actions, requested on `*` (M-6).
    Account,
    /// Another resource type (access point, job, directory bucket, …).
    Other,
}

/// One column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceClass {
    /// Stable identifier (`bucket:prod`, `objects:prod`, `bucket:*`, …).
    pub id: String,
    /// For people: `bucket prod`, `objects in any other bucket`.
    pub label: String,
    /// For the verdict: `prod`, `any other bucket`.
    pub short: String,
    /// What it stands for.
    pub kind: ClassKind,
    /// Service prefix of its resource type.
    pub service: String,
    /// Catalog resource type (`bucket`, `object`, `accesspoint`, …; `*` for account-level).
    pub resource_type: String,
    /// The ARN the evaluator is asked about (`*` for account-level).
    pub arn: String,
    /// The policy pattern or bucket name it stands for (`None`: every resource of the type not named elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Stands for "any other" resource of its type.
    pub generic: bool,
    /// Requests to this class go through the configured access point
    /// (spec AP-1): answered at the access point and at the bucket behind it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through_access_point: Option<ThroughAccessPoint>,
}

/// The access point a class's requests go through, for the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThroughAccessPoint {
    /// The access point's ARN (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME`).
    pub access_point: String,
    /// The bucket behind it.
    pub bucket: String,
}

/// A bucket named by a policy or by `--bucket`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct NamedBucket {
    name: PatternText,
}

/// The classes and what the user should know about them.
#[derive(Debug, Clone, Default)]
pub struct Classes {
    /// The classes, in report order.
    pub classes: Vec<ResourceClass>,
    /// Notes (a sample that could not be kept apart, …).
    pub notes: Vec<String>,
}

const OTHER_BUCKETS: &[&str] = &[
    "s3guard-other-bucket",
    "zz-s3guard-unnamed-9",
    "s3guard.unnamed",
    "0-s3guard-0",
];
const OTHER_KEYS: &[&str] = &["s3guard-example-key", "zz/s3guard.example-9", "0"];
const FILLERS: &[&str] = &["-example-", "-example-9-", "-zz0-"];

/// Computes the classes for a set of policies plus buckets given by the
/// user. `ctx` supplies values for policy variables (the caller's
/// `aws:username`, …) when the request has them.
pub fn resource_classes<'a>(
    policies: impl IntoIterator<Item = &'a Policy>,
    extra_buckets: &[String],
    ctx: &Context,
) -> Classes {
    resource_classes_with(policies, extra_buckets, ctx, None)
}

/// As [`resource_classes`], remembering in `memo` what each pattern names
/// of the other resource types (for callers that ask many sets).
pub fn resource_classes_with<'a>(
    policies: impl IntoIterator<Item = &'a Policy>,
    extra_buckets: &[String],
    ctx: &Context,
    memo: Option<&super::SampleMemo>,
) -> Classes {
    let mut patterns: BTreeSet<PatternText> = BTreeSet::new();
    for p in policies {
        for s in &p.statements {
            for r in s.resource.patterns() {
                if !r.is_any() && !r.is_never() {
                    patterns.insert(PatternText {
                        text: r.as_str().to_string(),
                        variables: p.version.has_variables(),
                    });
                }
            }
        }
    }
    let mut named: BTreeSet<NamedBucket> = extra_buckets
        .iter()
        .map(|b| NamedBucket {
            name: PatternText::literal(b),
        })
        .collect();
    let mut key_classes: BTreeSet<(Option<PatternText>, PatternText)> = BTreeSet::new();
    for p in &patterns {
        let parts: Vec<&str> = p.text.splitn(6, ':').collect();
        let [_, _, service, region, account, resource] = parts.as_slice() else {
            continue;
        };
        let s3_bucket_form = Glob::new(service).is_match("s3")
            && Glob::new(region).is_match("")
            && Glob::new(account).is_match("");
        if !s3_bucket_form {
            continue;
        }
        let (bucket, key) = sample::split_bucket_key(resource);
        let bucket_named = !bucket.is_empty() && !sample::is_all_stars(p, bucket);
        let bucket_pattern = PatternText {
            text: bucket.to_string(),
            variables: p.variables,
        };
        if bucket_named {
            named.insert(NamedBucket {
                name: bucket_pattern.clone(),
            });
        }
        if let Some(k) = key {
            if !sample::is_all_stars(p, k) {
                let key_pattern = PatternText {
                    text: k.to_string(),
                    variables: p.variables,
                };
                key_classes.insert((bucket_named.then_some(bucket_pattern), key_pattern));
            }
        }
    }
    let mut out = Classes::default();
    bucket_classes(&named, &key_classes, ctx, &mut out);
    out.classes.push(ResourceClass {
        id: "account:*".into(),
        label: "account-level actions".into(),
        short: "the account".into(),
        kind: ClassKind::Account,
        service: "s3".into(),
        resource_type: "*".into(),
        arn: "*".into(),
        pattern: None,
        generic: true,
        through_access_point: None,
    });
    super::other_types::other_classes(&patterns, ctx, &mut out, memo);
    out
}

pub(crate) fn is_literal(p: &PatternText) -> bool {
    !p.text.contains(['*', '?']) && !p.has_variables()
}

fn bucket_label(b: &PatternText) -> String {
    if is_literal(b) {
        b.text.clone()
    } else {
        format!("buckets matching {}", b.text)
    }
}

fn bucket_classes(
    named: &BTreeSet<NamedBucket>,
    keys: &BTreeSet<(Option<PatternText>, PatternText)>,
    ctx: &Context,
    out: &mut Classes,
) {
    let literal_names: Vec<&str> = named
        .iter()
        .filter(|b| is_literal(&b.name))
        .map(|b| b.name.text.as_str())
        .collect();
    // Shapes of every object pattern with a named key, to keep the
    // "objects in B" samples outside them.
    let key_shapes: Vec<PatternText> = keys
        .iter()
        .map(|(b, k)| PatternText {
            text: format!(
                "arn:aws:s3:::{}/{}",
                b.as_ref().map(|b| b.text.as_str()).unwrap_or("*"),
                k.text
            ),
            variables: k.variables || b.as_ref().is_some_and(|b| b.variables),
        })
        .collect();
    let object_sample = |bucket: &str, out: &mut Classes, label: &str| -> String {
        let fits = |key: &&&str| {
            let arn = format!("arn:aws:s3:::{bucket}/{key}");
            !key_shapes.iter().any(|s| sample::shape_matches(s, &arn))
        };
        match OTHER_KEYS.iter().find(fits) {
            Some(k) => format!("arn:aws:s3:::{bucket}/{k}"),
            None => {
                let arn = format!(
                    "arn:aws:s3:::{bucket}/{}",
                    OTHER_KEYS.first().copied().unwrap_or("k")
                );
                out.notes.push(format!("every sample key s3guard tried for {label} falls under a named object pattern; it was checked as {arn}"));
                arn
            }
        }
    };
    let key_class = |bucket_sample: &str,
                     bucket: Option<&PatternText>,
                     key: &PatternText,
                     bucket_short: &str|
     -> ResourceClass {
        let key_text = key.instantiate(&key.text, "example", ctx);
        let shown = format!(
            "{}/{}",
            bucket.map(|b| b.text.as_str()).unwrap_or("*"),
            key.text
        );
        ResourceClass {
            id: format!("objects:{shown}"),
            label: match bucket {
                Some(_) => format!("objects matching {shown}"),
                None => format!("objects matching {} in any bucket", key.text),
            },
            short: match bucket {
                Some(_) => shown.clone(),
                None => format!("{} in {bucket_short}", key.text),
            },
            kind: ClassKind::Objects,
            service: "s3".into(),
            resource_type: "object".into(),
            arn: format!("arn:aws:s3:::{bucket_sample}/{key_text}"),
            pattern: Some(format!("arn:aws:s3:::{shown}")),
            generic: false,
            through_access_point: None,
        }
    };
    for b in named {
        let sample_name = if is_literal(&b.name) {
            b.name.text.clone()
        } else {
            let candidates: Vec<String> = FILLERS
                .iter()
                .map(|f| tidy_bucket(&b.name.instantiate(&b.name.text, f, ctx)))
                .collect();
            candidates
                .iter()
                .find(|c| !literal_names.contains(&c.as_str()))
                .or(candidates.first())
                .cloned()
                .unwrap_or_default()
        };
        let short = bucket_label(&b.name);
        let label = if is_literal(&b.name) {
            format!("bucket {}", b.name.text)
        } else {
            short.clone()
        };
        out.classes.push(ResourceClass {
            id: format!("bucket:{}", b.name.text),
            label,
            short: short.clone(),
            kind: ClassKind::Bucket,
            service: "s3".into(),
            resource_type: "bucket".into(),
            arn: format!("arn:aws:s3:::{sample_name}"),
            pattern: Some(b.name.text.clone()),
            generic: false,
            through_access_point: None,
        });
        let objects_label = if is_literal(&b.name) {
            format!("objects in {}", b.name.text)
        } else {
            format!("objects in {short}")
        };
        let arn = object_sample(&sample_name, out, &objects_label);
        out.classes.push(ResourceClass {
            id: format!("objects:{}", b.name.text),
            label: objects_label,
            short: short.clone(),
            kind: ClassKind::Objects,
            service: "s3".into(),
            resource_type: "object".into(),
            arn,
            pattern: Some(format!("{}/*", b.name.text)),
            generic: false,
            through_access_point: None,
        });
        for (kb, k) in keys {
            if kb.as_ref() == Some(&b.name) {
                out.classes
                    .push(key_class(&sample_name, Some(&b.name), k, &short));
            }
        }
    }
    let any = if named.is_empty() {
        "any bucket"
    } else {
        "any other bucket"
    };
    let shapes: Vec<Glob> = named.iter().map(|b| b.name.shape(&b.name.text)).collect();
    let other = OTHER_BUCKETS
        .iter()
        .find(|c| !shapes.iter().any(|g| g.is_match(c)))
        .copied();
    let other = match other {
        Some(o) => o,
        None => {
            let first = OTHER_BUCKETS
                .first()
                .copied()
                .unwrap_or("s3guard-other-bucket");
            out.notes.push(format!(
                "every bucket name s3guard tried for \"{any}\" matches a named bucket pattern; it was checked as arn:aws:s3:::{first}"
            ));
            first
        }
    };
    out.classes.push(ResourceClass {
        id: "bucket:*".into(),
        label: any.into(),
        short: any.into(),
        kind: ClassKind::Bucket,
        service: "s3".into(),
        resource_type: "bucket".into(),
        arn: format!("arn:aws:s3:::{other}"),
        pattern: None,
        generic: true,
        through_access_point: None,
    });
    let objects_any = format!("objects in {any}");
    let arn = object_sample(other, out, &objects_any);
    out.classes.push(ResourceClass {
        id: "objects:*".into(),
        label: objects_any.clone(),
        short: any.into(),
        kind: ClassKind::Objects,
        service: "s3".into(),
        resource_type: "object".into(),
        arn,
        pattern: None,
        generic: true,
        through_access_point: None,
    });
    for (kb, k) in keys {
        if kb.is_none() {
            out.classes.push(key_class(other, None, k, any));
        }
    }
}

/// Makes an instantiated bucket name look like one (no doubled or edge hyphens).
fn tidy_bucket(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c == '-' && (s.is_empty() || s.ends_with('-')) {
            continue;
        }
        s.push(c);
    }
    s.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(policy: &str, extra: &[&str]) -> Classes {
        let p = Policy::parse("p.json", policy).unwrap();
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        resource_classes([&p], &extra, &Context::new())
    }

    fn ids(c: &Classes) -> Vec<&str> {
        c.classes.iter().map(|c| c.id.as_str()).collect()
    }

    const RAILS: &str = include_str!("../../policies/rails-app.json");

    #[test]
    fn named_buckets_get_bucket_and_object_classes_first() {
        let c = classes(RAILS, &[]);
        let ids = ids(&c);
        assert_eq!(
            ids.get(..5).unwrap(),
            [
                "bucket:another-test-bucket",
                "objects:another-test-bucket",
                "bucket:*",
                "objects:*",
                "account:*"
            ]
        );
        let other = &c.classes[2];
        assert_eq!(other.label, "any other bucket");
        assert_eq!(other.arn, "arn:aws:s3:::s3guard-other-bucket");
        assert_eq!(
            c.classes[1].arn,
            "arn:aws:s3:::another-test-bucket/s3guard-example-key"
        );
    }

    #[test]
    fn bucket_name_wildcards_are_named_and_kept_apart_spec_m4() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::test*","arn:aws:s3:::s3guard*"]}]}"#;
        let c = classes(p, &["test-example"]);
        let test = c.classes.iter().find(|c| c.id == "bucket:test*").unwrap();
        assert_eq!(test.label, "buckets matching test*");
        // the sample must not be the bucket named on its own
        assert_eq!(test.arn, "arn:aws:s3:::test-example-9");
        let other = c.classes.iter().find(|c| c.id == "bucket:*").unwrap();
        assert_eq!(other.arn, "arn:aws:s3:::zz-s3guard-unnamed-9");
        assert!(c.notes.is_empty());
    }

    #[test]
    fn object_prefixes_become_classes_with_variables_spec_v2() {
        let p = include_str!("../../policies/user-home-prefix.json");
        let c = classes(p, &[]);
        let home = c
            .classes
            .iter()
            .find(|c| c.id == "objects:team-files/home/${aws:username}/*")
            .unwrap();
        assert_eq!(home.arn, "arn:aws:s3:::team-files/home/username/example");
        let all = c
            .classes
            .iter()
            .find(|c| c.id == "objects:team-files")
            .unwrap();
        assert_eq!(all.arn, "arn:aws:s3:::team-files/s3guard-example-key");
    }

    #[test]
    fn no_named_bucket_means_any_bucket() {
        let c = classes(
            include_str!("../../policies/amazon-s3-full-access.json"),
            &[],
        );
        assert_eq!(c.classes[0].label, "any bucket");
        assert_eq!(c.classes[1].label, "objects in any bucket");
        assert!(c.classes.iter().any(|c| c.label == "any access point"));
        assert!(c.classes.iter().any(|c| c.label == "any directory bucket"));
    }

    #[test]
    fn named_access_points_get_their_own_class_spec_m5() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:111122223333:accesspoint/reports/object/*"}]}"#;
        let c = classes(p, &[]);
        let ap = c
            .classes
            .iter()
            .find(|c| {
                c.pattern.as_deref()
                    == Some("arn:aws:s3:us-east-1:111122223333:accesspoint/reports/object/*")
                    && c.resource_type == "accesspointobject"
            })
            .unwrap();
        assert_eq!(
            ap.arn,
            "arn:aws:s3:us-east-1:111122223333:accesspoint/reports/object/example"
        );
        assert!(c
            .classes
            .iter()
            .any(|c| c.label == "any other object via an access point"));
    }
}
