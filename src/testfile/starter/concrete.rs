//! Concrete requests from patterns: an ARN that matches a resource
//! pattern, values for its policy variables, a resource for an action
//! granted on `*`.

use std::collections::BTreeMap;

use super::{Builder, EXAMPLE_ACCOUNT, EXAMPLE_USER};
use crate::catalog::{self, ActionInfo};
use crate::matcher::{fill, parse_template, Piece};
use crate::testfile::request::RequestTemplate;

impl Builder<'_> {
    pub(super) fn concrete_arn(
        &self,
        pattern: &str,
        principal: &mut Option<String>,
        context: &mut BTreeMap<String, String>,
    ) -> Option<String> {
        let parts: Vec<&str> = pattern.splitn(6, ':').collect();
        let [arn, partition, service, region, account, rest] = parts.as_slice() else {
            return None;
        };
        let plain = |s: &str| s.replace('*', "").replace('?', "x");
        let partition = if partition.contains(['*', '?']) {
            "aws".to_string()
        } else {
            (*partition).to_string()
        };
        let service = if service.contains(['*', '?']) {
            "s3".to_string()
        } else {
            (*service).to_string()
        };
        let pieces = if self.policy.version.has_variables() && crate::matcher::has_variable(rest) {
            parse_template(rest).ok()?
        } else {
            vec![Piece::Text((*rest).to_string())]
        };
        // Wildcards stay (filled below, by bucket and key); `?` is `x` either way.
        let resolved = fill(&pieces, "*", &mut |v| {
            Some(self.variable_value(&v.key_lower, principal, context, &v.key))
        })?;
        let (bucket, key) = match resolved.split_once('/') {
            Some((b, k)) => (b.to_string(), Some(k.to_string())),
            None => (resolved.clone(), None),
        };
        let bucket = if bucket == "*" {
            "example-bucket".to_string()
        } else {
            bucket.replace('*', "example").replace('?', "x")
        };
        // A key that ends in a wildcard gets a file name: `uploads/*` → `uploads/example.txt`.
        let key = key.map(|k| {
            let (head, file) = match k.strip_suffix('*') {
                Some(h) if h.is_empty() || h.ends_with('/') => (h, "example.txt"),
                _ => (k.as_str(), ""),
            };
            format!("{}{file}", head.replace('*', "example").replace('?', "x"))
        });
        let resource = match key {
            Some(k) => format!("{bucket}/{k}"),
            None => bucket,
        };
        Some(format!(
            "{arn}:{partition}:{service}:{}:{}:{resource}",
            plain(region),
            plain(account)
        ))
    }

    fn variable_value(
        &self,
        key_lower: &str,
        principal: &mut Option<String>,
        context: &mut BTreeMap<String, String>,
        key: &str,
    ) -> String {
        let caller = principal
            .clone()
            .or_else(|| self.defaults.principal.clone());
        if let Some(p) = &caller {
            let template = RequestTemplate {
                principal: Some(p.clone()),
                ..RequestTemplate::default()
            };
            if let Ok(req) = template.request("s3:GetObject", "arn:aws:s3:::b/k") {
                if let Some(e) = req.context.get_lower(key_lower) {
                    if let Some(v) = e.value.values().first() {
                        return v.clone();
                    }
                }
            }
        }
        if key_lower == "aws:username" && caller.is_none() {
            *principal = Some(format!(
                "arn:aws:iam::{EXAMPLE_ACCOUNT}:user/{EXAMPLE_USER}"
            ));
            return EXAMPLE_USER.to_string();
        }
        context.insert(key.to_string(), "example".to_string());
        "example".to_string()
    }
}

/// A concrete resource for an action granted on `*`.
pub(super) fn example_resource(info: &ActionInfo) -> Option<String> {
    if info.wildcard_only {
        return Some("*".into());
    }
    // a bucket or an object, the resources people ask about, before access
    // points and the other types an action also applies to
    let kind = info
        .resource_types
        .iter()
        .find(|k| k.name == "object" || k.name == "bucket")
        .or_else(|| info.resource_types.first())?;
    Some(match kind.name {
        "bucket" => "arn:aws:s3:::example-bucket".into(),
        "object" => "arn:aws:s3:::example-bucket/example.txt".into(),
        _ => {
            let rt = catalog::catalog().resource_type(info.service, kind.name)?;
            catalog::fill_arn_template(rt.arn_pattern, |name| {
                match name {
                    "Partition" => "aws",
                    "Region" => "us-east-1",
                    "Account" => EXAMPLE_ACCOUNT,
                    _ => "example",
                }
                .to_string()
            })
        }
    })
}
