//! The minimal identity policy that grants exactly a principal's S3 access
//! (`principal-can`): the review matrix's granted cells, one resource
//! pattern per column, grouped as `replay --suggest` groups requests
//! ([`crate::cloudtrail::suggest`]).
//!
//! - a cell is *granted* when it is allowed, or conditional only because a
//!   Deny might apply (`denied if …`): the grant itself holds whatever the
//!   context, so the policy must give it;
//! - a cell allowed only under a condition (`only if …`, `if …`) is listed
//!   apart with its conditions, not granted: copy the conditions from the
//!   statements named there;
//! - a granted resource pattern that another granted pattern covers
//!   (`prod/logs/*` under `prod/*`, `prod` under "any bucket") is left
//!   out, and a column the wider pattern covers where the action is *not*
//!   granted becomes a `Deny`, so that the policy grants no more than the
//!   principal has.

use serde::Serialize;
use serde_json::Value;

use crate::catalog;
use crate::cloudtrail::suggest::{document_json, document_text, suggest, Suggested, Written};
use crate::review::{Access, ClassKind, Matrix, RequirementKind, ResourceClass};

/// A grant that holds only under conditions: listed, not granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionalGrant {
    /// The action.
    pub action: String,
    /// The resource pattern.
    pub resource: String,
    /// The conditions in words.
    pub conditions: String,
}

/// The minimal policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinimalPolicy {
    /// What it allows.
    pub allow: Suggested,
    /// What it must deny where a wildcard would grant too much.
    pub deny: Suggested,
    /// Grants under conditions, not in the policy.
    pub conditional: Vec<ConditionalGrant>,
}

/// The resource pattern a column stands for.
pub fn resource_of(class: &ResourceClass) -> String {
    match (class.kind, &class.pattern) {
        (ClassKind::Account, _) => "*".to_string(),
        (ClassKind::Bucket, Some(name)) => format!("arn:aws:s3:::{name}"),
        (ClassKind::Bucket, None) => "arn:aws:s3:::*".to_string(),
        (ClassKind::Objects, Some(p)) if p.starts_with("arn:") => p.clone(),
        (ClassKind::Objects, Some(p)) => format!("arn:aws:s3:::{p}"),
        (ClassKind::Objects, None) => "arn:aws:s3:::*/*".to_string(),
        (ClassKind::Other, Some(p)) => p.clone(),
        (ClassKind::Other, None) => catalog::catalog()
            .resource_type(&class.service, &class.resource_type)
            .map(|rt| any_of(rt.arn_pattern))
            .unwrap_or_else(|| "*".to_string()),
    }
}

/// A catalog ARN template with every placeholder but the partition as `*`.
fn any_of(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i..).unwrap_or_default();
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        let name = after.get(2..end.saturating_sub(1)).unwrap_or_default();
        out.push_str(if name == "Partition" { "aws" } else { "*" });
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Whether every resource `inner` matches also matches `outer` (a
/// pattern without `?` matching `inner`'s text covers it).
fn covers(outer: &str, inner: &str) -> bool {
    outer != inner && !outer.contains('?') && crate::matcher::Glob::new(outer).is_match(inner)
}

/// An action, the resources where it is granted, and the other cells.
type PerAction<'m> = (String, Vec<String>, Vec<(String, &'m crate::review::Cell)>);

/// Builds the minimal policy of a matrix.
pub fn minimal_policy(m: &Matrix) -> MinimalPolicy {
    let granted = |c: &crate::review::Cell| match c.access {
        Access::Allowed => true,
        Access::Conditional => c
            .requirements
            .iter()
            .all(|r| r.kind == RequirementKind::DeniedIf),
        Access::Denied => false,
    };
    // Per action (catalog order): the resources granted and the others.
    let mut per_action: Vec<PerAction<'_>> = Vec::new();
    for c in &m.cells {
        let Some(class) = m.classes.get(c.class) else {
            continue;
        };
        let action = &c.action.iam_action;
        let slot = match per_action.iter().position(|(a, _, _)| a == action) {
            Some(i) => i,
            None => {
                per_action.push((action.to_string(), Vec::new(), Vec::new()));
                per_action.len() - 1
            }
        };
        let Some((_, yes, no)) = per_action.get_mut(slot) else {
            continue;
        };
        let resource = resource_of(class);
        if granted(c) {
            yes.push(resource);
        } else {
            no.push((resource, c));
        }
    }
    let mut allow: Vec<(String, String)> = Vec::new();
    let mut deny: Vec<(String, String)> = Vec::new();
    let mut conditional = Vec::new();
    for (action, yes, no) in &per_action {
        let kept: Vec<&String> = yes
            .iter()
            .filter(|r| !yes.iter().any(|o| covers(o, r)))
            .collect();
        for r in &kept {
            allow.push((action.clone(), (*r).clone()));
        }
        for (r, c) in no {
            if kept.iter().any(|o| covers(o, r)) {
                deny.push((action.clone(), r.clone()));
            }
            if c.access == Access::Conditional {
                conditional.push(ConditionalGrant {
                    action: action.clone(),
                    resource: r.clone(),
                    conditions: crate::review::phrase(&c.requirements),
                });
            }
        }
    }
    MinimalPolicy {
        allow: suggest(&allow),
        deny: suggest(&deny),
        conditional,
    }
}

impl MinimalPolicy {
    /// Its statements as written: the Allow statements, then the Deny
    /// statements (their `Sid` prefixed with `Except`).
    fn written(&self) -> impl Iterator<Item = Written<'_>> {
        let allow = self
            .allow
            .statements
            .iter()
            .map(|s| ("Allow", s.sid.clone(), s));
        let deny = self
            .deny
            .statements
            .iter()
            .map(|s| ("Deny", format!("Except{}", s.sid), s));
        allow.chain(deny)
    }

    /// The policy document (Allow statements, then Deny statements).
    pub fn to_json(&self) -> Value {
        document_json(self.written())
    }

    /// The policy as text, elements in the usual order (Version, Sid,
    /// Effect, Action, Resource).
    pub fn to_text(&self) -> String {
        document_text(self.written())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::policy_set::PolicySet;
    use crate::policy::Policy;
    use crate::request::Request;
    use crate::review::Review;

    fn review(text: &str) -> Review {
        let set = PolicySet::identity([Policy::parse("p.json", text).unwrap()]);
        let base = Request::new("s3:ListAllMyBuckets", "*").unwrap();
        Review::new(&set, &base, &[])
    }

    /// The minimal policy of a policy grants what the policy grants, on
    /// the same resources, listed literally (the review's cells).
    #[test]
    fn grants_exactly_the_granted_cells() {
        let r = review(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:List*"],"Resource":["arn:aws:s3:::media","arn:aws:s3:::media/*"]}]}"#,
        );
        let p = minimal_policy(&r.matrix);
        let text = p.to_text();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reparsed, p.to_json());
        let allowed: Vec<(String, String)> = p
            .allow
            .statements
            .iter()
            .flat_map(|s| {
                s.actions
                    .iter()
                    .flat_map(move |a| s.resources.iter().map(move |r| (a.clone(), r.clone())))
            })
            .collect();
        assert!(allowed.contains(&("s3:GetObject".into(), "arn:aws:s3:::media/*".into())));
        assert!(allowed.contains(&("s3:ListBucket".into(), "arn:aws:s3:::media".into())));
        assert!(!allowed.iter().any(|(a, _)| a == "s3:PutObject"));
        assert!(p.deny.statements.is_empty());
        // what it grants, the minimal policy grants, and nothing more
        let again = review(&text);
        for (c, d) in r.matrix.cells.iter().zip(&again.matrix.cells) {
            assert_eq!(c.access, d.access, "{}", c.action.iam_action);
        }
    }

    /// A wildcard grant with an exception keeps the exception as a Deny.
    #[test]
    fn a_wildcard_with_an_exception_denies_the_exception() {
        let r = review(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:DeleteObject","Resource":"*"},
              {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::prod/*"}]}"#,
        );
        let p = minimal_policy(&r.matrix);
        let v = p.to_json();
        let text = v.to_string();
        assert!(text.contains(r#""arn:aws:s3:::*/*""#), "{text}");
        assert!(text.contains(r#""Effect":"Deny""#), "{text}");
        assert!(text.contains("arn:aws:s3:::prod/*"), "{text}");
    }

    #[test]
    fn conditional_grants_are_listed_not_granted() {
        let r = review(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        );
        let p = minimal_policy(&r.matrix);
        assert!(p.allow.statements.is_empty());
        assert_eq!(p.conditional.len(), 1);
        assert_eq!(p.conditional[0].action, "s3:DeleteBucket");
        assert_eq!(p.conditional[0].resource, "arn:aws:s3:::prod");
        assert!(p.conditional[0]
            .conditions
            .contains("aws:MultiFactorAuthPresent"));
    }

    #[test]
    fn other_types_take_the_catalog_template() {
        assert_eq!(
            any_of("arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}"),
            "arn:aws:s3:*:*:accesspoint/*"
        );
    }
}
