//! What a set of policies allows, action by action: every catalog action is
//! asked of the real evaluator on a representative ARN of each resource type
//! it can target (spec M-5, M-6), and the answer is classified as allowed,
//! conditional or denied (`s3guard actions --policy`).
//!
//! Representative ARNs come from the policies themselves: every `Resource`
//! pattern is instantiated for each resource type it can reach (wildcards
//! filled with example text), plus one generic ARN per type (which only a
//! pattern such as `*` or `arn:aws:s3:::*` reaches). So a policy limited to
//! `arn:aws:s3:::app/*` is asked about `arn:aws:s3:::app/example-key`.

use serde::Serialize;

use super::classify::Access;
use super::probe::{judge, probe};
use crate::catalog::{self, destructive, ActionInfo, Destructive, ResourceType};
use crate::eval::policy_set::PolicySet;
use crate::matcher::{
    fill, parse_template, Action, Arn, Match, Resolve, Resource, ResourcePattern,
};
use crate::request::Request;

/// An ARN asked about, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Resource type name (`object`), or `*` for wildcard-only actions.
    pub resource_type: String,
    /// The concrete ARN (or `*`).
    pub arn: String,
}

/// Where an action is allowed.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceGrant {
    /// Resource type (`object`, `bucket`, …; `*` for wildcard-only actions).
    pub resource_type: String,
    /// The ARN that was asked about.
    pub arn: String,
    /// The `Resource` entries of the statements that allowed it.
    pub scopes: Vec<String>,
    /// Allowed or conditional.
    pub grant: Access,
    /// Condition keys the grant depends on.
    pub condition_keys: Vec<String>,
    /// The statements that allowed it.
    pub statements: Vec<String>,
}

/// One allowed catalog action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionGrant {
    /// The catalog entry.
    #[serde(skip)]
    pub info: &'static ActionInfo,
    /// `s3:GetObject`.
    pub action: String,
    /// Access level.
    pub access_level: String,
    /// Deletes or changes permissions.
    pub destructive: Option<Destructive>,
    /// Where it is allowed (at least one entry).
    pub allowed_on: Vec<ResourceGrant>,
}

fn example_value(placeholder: &str, base: &Request) -> String {
    match placeholder {
        "Partition" => "aws".into(),
        "Region" => base
            .context
            .get("aws:RequestedRegion")
            .map(|e| e.value.values().first().cloned().unwrap_or_default())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "us-east-1".into()),
        "Account" => base
            .effective_resource_account()
            .unwrap_or("111122223333")
            .to_string(),
        "BucketName" => "example-bucket".into(),
        "ObjectName" => "example-key".into(),
        other => format!("example-{}", other.to_ascii_lowercase()),
    }
}

/// The generic example ARN of a resource type (`arn:aws:s3:::example-bucket`).
pub fn generic_arn(rt_pattern: &str, base: &Request) -> String {
    catalog::fill_arn_template(rt_pattern, |name| example_value(name, base))
}

fn valid_for(arn: &Arn, rt: &ResourceType) -> bool {
    if arn.service() != rt.service {
        return false;
    }
    if catalog::resource_type_of(arn.as_ref()) != Some(rt.name) {
        return false;
    }
    let r = arn.resource();
    match rt.name {
        "bucket" if rt.service == "s3" => !r.is_empty(),
        "object" => r
            .split_once('/')
            .is_some_and(|(b, k)| !b.is_empty() && !k.is_empty()),
        _ => !r.ends_with('/'),
    }
}

const FILLERS: [&str; 4] = [
    "example",
    "",
    "example/example-key",
    "example/object/example-key",
];

/// Instantiates a policy `Resource` pattern for a resource type: the ARN of
/// that type the pattern covers, if any.
fn instantiate(pattern: &str, rt: &ResourceType, base: &Request) -> Option<String> {
    if pattern == "*" {
        return None;
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let [arn, partition, service, region, account, rest] = parts.as_slice() else {
        return None;
    };
    let generic = generic_arn(rt.arn_pattern, base);
    let g: Vec<&str> = generic.splitn(6, ':').collect();
    let head = |i: usize, p: &str| -> String {
        if p.contains(['*', '?']) {
            g.get(i).copied().unwrap_or_default().to_string()
        } else {
            p.to_string()
        }
    };
    let prefix = format!(
        "{}:{}:{}:{}:{}:",
        arn,
        head(1, partition),
        head(2, service),
        head(3, region),
        head(4, account)
    );
    let pieces = parse_template(rest).ok()?;
    let compiled = ResourcePattern::new(pattern, Some(pieces.clone()));
    for filler in FILLERS {
        let rest = fill(&pieces, filler, &mut |v| {
            base.context
                .resolve(v)
                .or(v.default.as_deref())
                .map(str::to_string)
        })?;
        let text = format!("{prefix}{rest}");
        let Ok(arn) = Arn::parse(&text) else { continue };
        if valid_for(&arn, rt) && compiled.matches_arn(arn.as_ref(), &base.context) == Match::Yes {
            return Some(text);
        }
    }
    None
}

/// Every ARN of a resource type worth asking about under these policies.
pub fn candidates(set: &PolicySet, rt: &ResourceType, base: &Request) -> Vec<String> {
    let mut out = vec![generic_arn(rt.arn_pattern, base)];
    for m in set.members() {
        for s in &m.policy.statements {
            for p in s.resource.patterns() {
                if let Some(c) = instantiate(p.as_str(), rt, base) {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
        }
    }
    out
}

/// What the policies allow: every catalog action allowed on some
/// representative resource (or on `only`, when given), sorted by name.
pub fn allowed_actions(
    set: &PolicySet,
    base: &Request,
    only: Option<&Resource>,
) -> Vec<ActionGrant> {
    let cat = catalog::catalog();
    let mut by_type: Vec<(&ResourceType, Vec<String>)> = Vec::new();
    if only.is_none() {
        for rt in cat.resource_types() {
            by_type.push((rt, candidates(set, rt, base)));
        }
    }
    let only_type = only
        .and_then(|r| r.arn())
        .and_then(|a| catalog::resource_type_of(a.as_ref()));
    let mut out = Vec::new();
    for info in cat.actions() {
        let Ok(action) = Action::parse(info.iam_action) else {
            continue;
        };
        let mut asks: Vec<Candidate> = Vec::new();
        match only {
            Some(Resource::Wildcard) => {
                if info.wildcard_only {
                    asks.push(Candidate {
                        resource_type: "*".into(),
                        arn: "*".into(),
                    });
                }
            }
            Some(r @ Resource::Arn(arn)) => {
                if let Some(t) = only_type {
                    if info.supports_resource_type(t) && arn.service() == info.service {
                        asks.push(Candidate {
                            resource_type: t.into(),
                            arn: r.as_str().into(),
                        });
                    }
                }
            }
            None if info.wildcard_only => {
                asks.push(Candidate {
                    resource_type: "*".into(),
                    arn: "*".into(),
                });
            }
            None => {
                for rt in info.resource_types {
                    if let Some((_, arns)) = by_type
                        .iter()
                        .find(|(t, _)| t.service == info.service && t.name == rt.name)
                    {
                        for a in arns {
                            asks.push(Candidate {
                                resource_type: rt.name.to_string(),
                                arn: a.clone(),
                            });
                        }
                    }
                }
            }
        }
        let mut allowed_on: Vec<ResourceGrant> = Vec::new();
        for c in asks {
            let Ok(resource) = Resource::parse(&c.arn) else {
                continue;
            };
            let req = probe(base, &action, resource);
            let has_conditions = set
                .members()
                .iter()
                .any(|m| m.policy.statements.iter().any(|s| !s.condition.is_empty()));
            if !has_conditions && !set.authorize(&req).is_allowed() {
                continue;
            }
            let v = judge(set, &req);
            if v.grant == Access::Denied {
                continue;
            }
            let same_scope = allowed_on.iter_mut().find(|g| {
                g.resource_type == c.resource_type && g.scopes == v.scopes && !v.scopes.is_empty()
            });
            if same_scope.is_some() {
                continue;
            }
            allowed_on.push(ResourceGrant {
                resource_type: c.resource_type,
                arn: c.arn,
                scopes: v.scopes,
                grant: v.grant,
                condition_keys: v.condition_keys,
                statements: v.statements,
            });
        }
        if !allowed_on.is_empty() {
            out.push(ActionGrant {
                info,
                action: info.iam_action.to_string(),
                access_level: info.access_level.as_str().to_string(),
                destructive: destructive(info),
                allowed_on,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn set(text: &str) -> PolicySet {
        PolicySet::identity([Policy::parse("p.json", text).unwrap()])
    }

    fn names(g: &[ActionGrant]) -> Vec<&str> {
        g.iter().map(|a| a.action.as_str()).collect()
    }

    #[test]
    fn instantiates_patterns_per_resource_type_spec_m5() {
        let base = Request::new("s3:GetObject", "*").unwrap();
        let cat = catalog::catalog();
        let obj = cat.resource_type("s3", "object").unwrap();
        let bkt = cat.resource_type("s3", "bucket").unwrap();
        assert_eq!(
            instantiate("arn:aws:s3:::app/*", obj, &base).as_deref(),
            Some("arn:aws:s3:::app/example")
        );
        assert_eq!(instantiate("arn:aws:s3:::app/*", bkt, &base), None);
        assert_eq!(instantiate("arn:aws:s3:::app", obj, &base), None);
        assert_eq!(
            instantiate("arn:aws:s3:::logs-*", bkt, &base).as_deref(),
            Some("arn:aws:s3:::logs-example")
        );
        assert_eq!(
            generic_arn(obj.arn_pattern, &base),
            "arn:aws:s3:::example-bucket/example-key"
        );
        let ap = cat.resource_type("s3", "accesspoint").unwrap();
        assert_eq!(
            instantiate("arn:aws:s3:*:*:accesspoint/*", ap, &base).as_deref(),
            Some("arn:aws:s3:us-east-1:111122223333:accesspoint/example")
        );
    }

    #[test]
    fn bucket_vs_object_grants_spec_m7() {
        let s = set(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::media/*"}]}"#,
        );
        let base = Request::new("s3:GetObject", "*").unwrap();
        let g = allowed_actions(&s, &base, None);
        assert_eq!(names(&g), ["s3:GetObject"]);
        assert_eq!(g[0].allowed_on[0].scopes, ["arn:aws:s3:::media/*"]);
    }

    #[test]
    fn conditions_make_grants_conditional() {
        let s = set(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
        );
        let base = Request::new("s3:GetObject", "*").unwrap();
        let g = allowed_actions(&s, &base, None);
        assert_eq!(names(&g), ["s3:GetObject"]);
        assert!(g[0]
            .allowed_on
            .iter()
            .all(|a| a.grant == Access::Conditional));
        assert_eq!(g[0].allowed_on[0].condition_keys, ["aws:SourceIp"]);
    }

    #[test]
    fn a_given_resource_limits_the_question() {
        let s = set(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        );
        let base = Request::new("s3:GetObject", "*").unwrap();
        let bucket = Resource::parse("arn:aws:s3:::prod").unwrap();
        let g = allowed_actions(&s, &base, Some(&bucket));
        assert!(names(&g).contains(&"s3:DeleteBucket"));
        assert!(!names(&g).contains(&"s3:GetObject"));
        let star = allowed_actions(&s, &base, Some(&Resource::Wildcard));
        assert!(star.iter().all(|a| a.info.wildcard_only));
        assert_eq!(star.len(), 15);
    }
}
