//! The smallest identity policy, by bucket and first-level key prefix, that
//! allows a list of requests (`s3guard replay --suggest`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::awscli::requests::PLACEHOLDER_KEY;

/// The resource pattern a request is generalized to: `*` for wildcard-only
/// actions, the bucket ARN for bucket actions, `arn:aws:s3:::B/P/*` for an
/// object under a first-level prefix `P/`, the object ARN itself for keys
/// without `/`.
pub fn scope_of(resource: &str) -> String {
    let Some(rest) = resource.strip_prefix("arn:aws:s3:::") else {
        return resource.to_string();
    };
    match rest.split_once('/') {
        None => resource.to_string(),
        Some((b, k)) if k.contains(PLACEHOLDER_KEY) => match k.split_once('/') {
            Some((top, _)) if !top.contains(PLACEHOLDER_KEY) => format!("arn:aws:s3:::{b}/{top}/*"),
            _ => format!("arn:aws:s3:::{b}/*"),
        },
        Some((b, k)) => match k.split_once('/') {
            Some((top, _)) => format!("arn:aws:s3:::{b}/{top}/*"),
            None => resource.to_string(),
        },
    }
}

fn sid_word(scope: &str) -> String {
    let base = scope.trim_start_matches("arn:aws:s3:::");
    let mut out = String::new();
    let mut up = true;
    for c in base.chars() {
        if c.is_ascii_alphanumeric() {
            if up {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            up = false;
        } else {
            up = true;
        }
    }
    out
}

/// One statement of a suggested policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedStatement {
    /// Sid.
    pub sid: String,
    /// Actions, sorted.
    pub actions: Vec<String>,
    /// Resources, sorted.
    pub resources: Vec<String>,
}

/// A suggested identity policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggested {
    /// Its statements.
    pub statements: Vec<SuggestedStatement>,
}

fn one_or_many(v: &[String]) -> Value {
    match v {
        [one] => json!(one),
        many => json!(many),
    }
}

/// One statement of a policy being written: its effect, its `Sid` and the
/// suggested actions and resources.
pub(crate) type Written<'a> = (&'static str, String, &'a SuggestedStatement);

/// The policy document of `statements`, as a JSON value. The one writer of
/// suggested policies (`replay --suggest`, `principal-can`'s minimal policy).
pub(crate) fn document_json<'a>(statements: impl Iterator<Item = Written<'a>>) -> Value {
    let st: Vec<Value> = statements
        .map(|(effect, sid, s)| json!({"Sid": sid, "Effect": effect, "Action": one_or_many(&s.actions), "Resource": one_or_many(&s.resources)}))
        .collect();
    json!({"Version": "2012-10-17", "Statement": st})
}

/// The policy document of `statements` as text, elements in the usual
/// order (Version, Sid, Effect, Action, Resource).
pub(crate) fn document_text<'a>(statements: impl Iterator<Item = Written<'a>>) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let list = |v: &[String]| match v {
        [one] => q(one),
        many => format!(
            "[\n        {}\n      ]",
            many.iter()
                .map(|x| q(x))
                .collect::<Vec<_>>()
                .join(",\n        ")
        ),
    };
    let body: Vec<String> = statements
        .map(|(effect, sid, s)| {
            format!(
                "    {{\n      \"Sid\": {},\n      \"Effect\": {},\n      \"Action\": {},\n      \"Resource\": {}\n    }}",
                q(&sid),
                q(effect),
                list(&s.actions),
                list(&s.resources)
            )
        })
        .collect();
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}",
        body.join(",\n")
    )
}

impl Suggested {
    fn written(&self) -> impl Iterator<Item = Written<'_>> {
        self.statements.iter().map(|s| ("Allow", s.sid.clone(), s))
    }

    /// As a JSON value.
    pub fn to_json(&self) -> Value {
        document_json(self.written())
    }

    /// As policy text, elements in the usual order (Version, Sid, Effect, Action, Resource).
    pub fn to_text(&self) -> String {
        document_text(self.written())
    }
}

/// Builds the policy: one statement per group of resources that need the
/// same actions, each action listed literally (no wildcards).
pub fn suggest(requests: &[(String, String)]) -> Suggested {
    let mut by_scope: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (action, resource) in requests {
        by_scope
            .entry(scope_of(resource))
            .or_default()
            .insert(action.clone());
    }
    let mut by_actions: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (scope, actions) in by_scope {
        by_actions
            .entry(actions.into_iter().collect())
            .or_default()
            .push(scope);
    }
    let mut statements: Vec<SuggestedStatement> = by_actions
        .into_iter()
        .map(|(actions, resources)| {
            let first = resources.first().cloned().unwrap_or_default();
            let sid = if first == "*" {
                "Account".to_string()
            } else if first.trim_start_matches("arn:aws:s3:::").contains('/') {
                format!("Objects{}", sid_word(&first))
            } else {
                format!("Bucket{}", sid_word(&first))
            };
            SuggestedStatement {
                sid,
                actions,
                resources,
            }
        })
        .collect();
    statements.sort_by(|a, b| {
        a.sid
            .cmp(&b.sid)
            .then_with(|| a.resources.cmp(&b.resources))
    });
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for s in &mut statements {
        let n = seen.entry(s.sid.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            s.sid = format!("{}{n}", s.sid);
        }
    }
    Suggested { statements }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_by_bucket_and_first_prefix() {
        assert_eq!(scope_of("*"), "*");
        assert_eq!(scope_of("arn:aws:s3:::b"), "arn:aws:s3:::b");
        assert_eq!(
            scope_of("arn:aws:s3:::b/uploads/x/y.jpg"),
            "arn:aws:s3:::b/uploads/*"
        );
        assert_eq!(
            scope_of("arn:aws:s3:::b/robots.txt"),
            "arn:aws:s3:::b/robots.txt"
        );
        assert_eq!(scope_of("arn:aws:s3:::b/<key>"), "arn:aws:s3:::b/*");
    }

    #[test]
    fn groups_resources_with_the_same_actions() {
        let r = |a: &str, b: &str| (a.to_string(), b.to_string());
        let p = suggest(&[
            r("s3:GetObject", "arn:aws:s3:::app/uploads/a.jpg"),
            r("s3:PutObject", "arn:aws:s3:::app/uploads/b.jpg"),
            r("s3:GetObject", "arn:aws:s3:::app/cache/c"),
            r("s3:PutObject", "arn:aws:s3:::app/cache/d"),
            r("s3:ListBucket", "arn:aws:s3:::app"),
        ]);
        let text = p.to_text();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reparsed, p.to_json());
        let p = p.to_json();
        let st = p["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 2, "{p}");
        let objects = st
            .iter()
            .find(|s| s["Sid"].as_str().unwrap().starts_with("Objects"))
            .unwrap();
        assert_eq!(objects["Action"], json!(["s3:GetObject", "s3:PutObject"]));
        assert_eq!(
            objects["Resource"],
            json!(["arn:aws:s3:::app/cache/*", "arn:aws:s3:::app/uploads/*"])
        );
    }
}
