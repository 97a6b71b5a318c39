//! The dangerous requests a least-privilege policy must deny: written as
//! `deny` cases when the policy denies them, reported when it allows them.

use std::collections::BTreeMap;

use super::{Builder, Try};
use crate::eval::response::Decision;
use crate::matcher::ArnRef;
use crate::policy::{Effect, PolicyType};
use crate::testfile::request::check_request;
use crate::testfile::run::evaluate;

const OTHER_BUCKET: &str = "s3guard-other-bucket";

/// A resource and the dangerous actions allowed on it.
type ByResource = (String, Vec<String>);

/// Bucket-level requests that a least-privilege policy must not allow:
/// deleting the bucket, changing who can access it, turning off what
/// protects its objects.
const DANGEROUS_ON_BUCKET: &[&str] = &[
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutReplicationConfiguration",
    "s3:PutBucketObjectLockConfiguration",
];

/// Object-level requests that destroy what versioning and Object Lock keep.
const DANGEROUS_ON_OBJECTS: &[&str] = &["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"];

/// Account-level requests (resource `*`).
const DANGEROUS_ON_ACCOUNT: &[&str] = &["s3:ListAllMyBuckets", "s3:PutAccountPublicAccessBlock"];

/// Requests on a bucket the policy does not name.
const ON_OTHER_BUCKET: &[(&str, bool)] = &[
    ("s3:ListBucket", false),
    ("s3:GetObject", true),
    ("s3:PutObject", true),
    ("s3:DeleteObject", true),
    ("s3:DeleteBucket", false),
    ("s3:PutBucketPolicy", false),
    ("s3:CreateBucket", false),
];

impl Builder<'_> {
    /// The buckets the policy's Allow statements name, made concrete.
    fn buckets(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for st in &self.policy.statements {
            if st.effect != Effect::Allow || st.resource.is_not() {
                continue;
            }
            for r in st.resource.patterns() {
                let mut principal = None;
                let mut context = BTreeMap::new();
                let Some(arn) = self.concrete_arn(r.as_str(), &mut principal, &mut context) else {
                    continue;
                };
                let Some(parsed) = ArnRef::parse(&arn) else {
                    continue;
                };
                if parsed.service() != "s3" || !parsed.region().is_empty() {
                    continue;
                }
                let bucket = parsed.resource().split('/').next().unwrap_or_default();
                if !bucket.is_empty() && !out.iter().any(|b| b == bucket) {
                    out.push(bucket.to_string());
                }
            }
        }
        if out.is_empty() {
            out.push("example-bucket".into());
        }
        out
    }

    /// The caller of the deny cases of a bucket policy: the first principal
    /// an Allow statement names.
    fn deny_principal(&self) -> Option<String> {
        self.policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
            .find_map(|s| self.statement_principal(s).ok().flatten())
    }

    pub(super) fn dangerous_cases(&mut self) {
        let principal = self.deny_principal();
        let buckets = self.buckets();
        let mut other = OTHER_BUCKET.to_string();
        while buckets.contains(&other) {
            other.push_str("-2");
        }
        let mut tries: Vec<(String, String)> = Vec::new();
        for b in &buckets {
            for a in DANGEROUS_ON_BUCKET {
                tries.push(((*a).into(), format!("arn:aws:s3:::{b}")));
            }
            for a in DANGEROUS_ON_OBJECTS {
                tries.push(((*a).into(), format!("arn:aws:s3:::{b}/example.txt")));
            }
        }
        for a in DANGEROUS_ON_ACCOUNT {
            tries.push(((*a).into(), "*".into()));
        }
        for (a, object) in ON_OTHER_BUCKET {
            let r = if *object {
                format!("arn:aws:s3:::{other}/example.txt")
            } else {
                format!("arn:aws:s3:::{other}")
            };
            tries.push(((*a).into(), r));
        }
        // dangerous requests the policy allows, by what allows them, then by resource
        let mut allowed: Vec<(String, Vec<ByResource>)> = Vec::new();
        for (action, resource) in tries {
            if check_request(&action, &resource).is_err() {
                continue;
            }
            let t = Try {
                action,
                resource,
                principal: principal.clone(),
                context: BTreeMap::new(),
            };
            let principal = if self.policy.policy_type == PolicyType::Resource {
                t.principal.clone()
            } else {
                None
            };
            match self.decide(&t) {
                Ok(Decision::Allowed) => {
                    let spec = self.spec(&t);
                    let by = evaluate(&self.set, &spec)
                        .map(|(_, e)| {
                            e.response
                                .determining
                                .iter()
                                .map(|r| self.set.position(*r))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    let group = match allowed.iter_mut().find(|(b, _)| *b == by) {
                        Some((_, g)) => g,
                        None => {
                            allowed.push((by, Vec::new()));
                            match allowed.last_mut() {
                                Some((_, g)) => g,
                                None => continue,
                            }
                        }
                    };
                    match group.iter_mut().find(|(r, _)| *r == t.resource) {
                        Some((_, actions)) => actions.push(t.action.clone()),
                        None => group.push((t.resource.clone(), vec![t.action.clone()])),
                    }
                    // written down, so that the answer to "can it delete
                    // buckets?" is in the file and a change shows up
                    let name = format!("allows {} on {} (dangerous)", t.action, t.resource);
                    self.push(name, Try { principal, ..t }, "allow");
                    self.allowed += 1;
                }
                Ok(_) => {
                    let name = format!("denies {} on {}", t.action, t.resource);
                    self.push(name, Try { principal, ..t }, "deny");
                    self.denied += 1;
                }
                Err(e) => self.notes.push(e),
            }
        }
        for (by, groups) in allowed {
            let n: usize = groups.iter().map(|(_, a)| a.len()).sum();
            let listed: Vec<String> = groups
                .iter()
                .map(|(r, actions)| format!("{} on {r}", actions.join(", ")))
                .collect();
            self.warnings.push(format!(
                "{by} allows {n} dangerous request{}: {}; written as `allow` cases marked (dangerous), no deny case: is that intended?",
                if n == 1 { "" } else { "s" },
                listed.join("; ")
            ));
        }
    }
}
