//! Near misses: for an implicit deny, the Allow statements that came
//! closest to applying and exactly what kept each from applying, so that
//! the fix is obvious ("it missed only because the resource is the bucket
//! arn:aws:s3:::b, not an object in it").
//!
//! Built from [`Evaluation::traces`]: each Allow statement of the layers
//! that could have allowed is scored by its elements (principal, action,
//! resource, each condition key) that did not match, weighted so that a
//! statement about the right action beats one about the right resource.

use serde::Serialize;

use crate::condition::{KeyReason, Outcome};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, StatementRef};
use crate::explain::{ConditionTest, Evaluation, PrincipalDetail, Reason, StatementTrace};
use crate::matcher::Resource;
use crate::policy::{Effect, PolicyType, Statement};
use crate::request::context::ContextValue;
use crate::request::Request;

/// One element that kept a statement from applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "element", rename_all = "camelCase")]
pub enum Miss {
    /// The caller is not a principal the statement names.
    Principal {
        /// Why (from the trace).
        #[serde(serialize_with = "crate::explain::display_string")]
        detail: PrincipalDetail,
    },
    /// The action is not listed (or excluded by `NotAction`).
    Action {
        /// The request's action.
        action: String,
        /// The `NotAction` entry that excludes it, if that is why.
        #[serde(skip_serializing_if = "Option::is_none")]
        excluded_by: Option<String>,
    },
    /// The request names the bucket; the statement names objects in it (M-7).
    ResourceIsBucket {
        /// The bucket ARN of the request.
        resource: String,
        /// The statement's object pattern.
        pattern: String,
    },
    /// The request names an object; the statement names only its bucket (M-7).
    ResourceIsObject {
        /// The object ARN of the request.
        resource: String,
        /// The statement's bucket ARN.
        pattern: String,
    },
    /// The resource matches no `Resource` entry (or is excluded by `NotResource`).
    Resource {
        /// The request's resource.
        resource: String,
        /// The `NotResource` entry that excludes it, if that is why.
        #[serde(skip_serializing_if = "Option::is_none")]
        excluded_by: Option<String>,
        /// Policy variables without a value in this request (V-4).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        unresolved: Vec<String>,
    },
    /// A condition key the request does not carry (C-3).
    ConditionKeyMissing {
        /// The test.
        #[serde(flatten)]
        test: ConditionTest,
        /// The request's action, when AWS never sends the key with it
        /// ([`crate::catalog::may_be_sent`], spec C-15): then no request
        /// context makes the condition hold, and supplying the key is no fix.
        #[serde(skip_serializing_if = "Option::is_none")]
        never_sent_with: Option<String>,
    },
    /// A condition that is false for the request's value.
    Condition {
        /// The test.
        #[serde(flatten)]
        test: ConditionTest,
        /// The request's value.
        #[serde(skip_serializing_if = "Option::is_none")]
        context_value: Option<ContextValue>,
    },
}

impl Miss {
    fn weight(&self) -> u32 {
        match self {
            Miss::Action { .. } => 3,
            Miss::Principal { .. } | Miss::Resource { .. } => 2,
            Miss::ResourceIsBucket { .. }
            | Miss::ResourceIsObject { .. }
            | Miss::ConditionKeyMissing { .. }
            | Miss::Condition { .. } => 1,
        }
    }

    /// What missed, in words.
    pub fn describe(&self) -> String {
        match self {
            Miss::Principal { detail } => detail.to_string(),
            Miss::Action {
                action,
                excluded_by: Some(p),
            } => format!("the action {action} is excluded by NotAction `{p}`"),
            Miss::Action { action, .. } => format!("the action {action} is not listed"),
            Miss::ResourceIsBucket { resource, .. } => {
                format!("the resource is the bucket {resource}, not an object in it")
            }
            Miss::ResourceIsObject { resource, pattern } => format!(
                "the resource {resource} is an object, and the statement names only the bucket {pattern} (objects need {pattern}/*)"
            ),
            Miss::Resource {
                resource,
                excluded_by,
                unresolved,
            } => {
                let mut s = match excluded_by {
                    Some(p) => format!("the resource {resource} is excluded by NotResource `{p}`"),
                    None => format!("the resource {resource} matches no Resource entry"),
                };
                if !unresolved.is_empty() {
                    s.push_str(&format!(
                        " ({} has no value in this request)",
                        unresolved.join(", ")
                    ));
                }
                s
            }
            Miss::ConditionKeyMissing {
                test,
                never_sent_with,
            } => match never_sent_with {
                None => format!(
                    "the condition {test} needs {}, which the request does not carry",
                    test.key
                ),
                Some(action) => format!(
                    "the condition {test} needs {}, which AWS never sends with {action}, so the statement can never allow it",
                    test.key
                ),
            },
            Miss::Condition {
                test,
                context_value,
            } => match context_value {
                Some(v) => format!("the condition {test} is false for {} = {v}", test.key),
                None => format!("the condition {test} is false"),
            },
        }
    }
}

/// An Allow statement that came close to applying.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearMiss {
    /// The statement.
    #[serde(skip)]
    pub statement_ref: StatementRef,
    /// Policy display name.
    pub policy: String,
    /// Layer.
    pub policy_type: PolicyType,
    /// 0-based statement index.
    pub index: usize,
    /// Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Line of the statement.
    pub line: u32,
    /// Column of the statement.
    pub column: u32,
    /// What the statement allows, in words.
    pub allows: String,
    /// Elements that matched.
    pub matched: usize,
    /// Elements that did not.
    pub misses: Vec<Miss>,
}

impl NearMiss {
    /// `FILE:LINE:COL (Sid X) allows … — it missed only because …`.
    pub fn describe(&self) -> String {
        let label = match &self.sid {
            Some(s) => format!("Sid {}", crate::render::escape::value(s)),
            None => format!("statement #{}", self.index + 1),
        };
        let reasons: Vec<String> = self.misses.iter().map(Miss::describe).collect();
        let why = match reasons.as_slice() {
            [one] => format!("it missed only because {one}"),
            many => format!("it missed because {}", many.join("; and ")),
        };
        format!(
            "{}:{}:{} ({label}) {} — {why}",
            self.policy, self.line, self.column, self.allows
        )
    }

    fn weight(&self) -> u32 {
        self.misses.iter().map(Miss::weight).sum()
    }

    /// Whether every miss is a condition key the request lacks and could
    /// carry (the notes on missing keys already say what would change; a
    /// key AWS never sends with the action is no such note).
    pub fn only_missing_keys(&self) -> bool {
        self.misses.iter().all(|m| {
            matches!(
                m,
                Miss::ConditionKeyMissing {
                    never_sent_with: None,
                    ..
                }
            )
        })
    }
}

/// `allows s3:GetObject on arn:aws:s3:::b/*`.
fn allows(s: &Statement) -> String {
    format!(
        "allows {} on {}",
        s.describe_actions(),
        s.describe_resources()
    )
}

/// The layers whose Allow would have changed an implicit deny.
fn candidate_layers(set: &PolicySet, eval: &Evaluation) -> Vec<PolicyType> {
    let resp = &eval.response;
    if resp.refusal().is_some() {
        return Vec::new();
    }
    match resp.blocked_by {
        None | Some(PolicyType::Identity) => {
            let mut v = vec![PolicyType::Identity];
            if resp.same_account || !set.has_layer(PolicyType::Identity) {
                v.push(PolicyType::Resource);
            }
            v
        }
        Some(PolicyType::Rcp) => Vec::new(),
        Some(t) => vec![t],
    }
}

fn misses_of(t: &StatementTrace, stmt: &Statement, req: &Request) -> (usize, Vec<Miss>) {
    let mut matched = 0;
    let mut misses = Vec::new();
    for r in &t.reasons {
        match r {
            Reason::Layer { .. } => return (0, Vec::new()),
            Reason::Principal { matched: true, .. }
            | Reason::Action { matched: true, .. }
            | Reason::Resource { matched: true, .. } => matched += 1,
            Reason::Principal { detail, .. } => misses.push(Miss::Principal {
                detail: detail.clone(),
            }),
            Reason::Action { name, pattern, .. } => misses.push(Miss::Action {
                action: req.action.as_str().to_string(),
                excluded_by: pattern.clone().filter(|_| *name == "NotAction"),
            }),
            Reason::Resource {
                name,
                pattern,
                unresolved,
                ..
            } => misses.push(resource_miss(stmt, req, name, pattern, unresolved)),
            Reason::Condition {
                test,
                context_value,
                result,
                why,
            } => match (result, why) {
                (Outcome::True, _) => matched += 1,
                (_, KeyReason::Missing) => misses.push(Miss::ConditionKeyMissing {
                    test: test.clone(),
                    never_sent_with: never_sent_with(req, &test.key),
                }),
                _ => misses.push(Miss::Condition {
                    test: test.clone(),
                    context_value: context_value.clone(),
                }),
            },
        }
    }
    (matched, misses)
}

/// The bucket-vs-object mistake (M-7) is named as such.
fn resource_miss(
    stmt: &Statement,
    req: &Request,
    name: &str,
    pattern: &Option<String>,
    unresolved: &[String],
) -> Miss {
    let resource = req.resource.as_str().to_string();
    if name == "Resource" && unresolved.is_empty() {
        if let Resource::Arn(_) = &req.resource {
            let patterns = || stmt.resource.patterns().iter().map(|p| p.as_str());
            let is_s3 = resource.starts_with("arn:aws:s3:::")
                || resource.split(':').nth(2).is_some_and(|svc| svc == "s3");
            let is_bucket = is_s3 && !resource.contains('/');
            if is_bucket {
                let prefix = format!("{resource}/");
                if let Some(p) = patterns().find(|p| p.starts_with(&prefix)) {
                    return Miss::ResourceIsBucket {
                        resource,
                        pattern: p.to_string(),
                    };
                }
            } else if is_s3 {
                if let Some((bucket, _)) = resource.split_once('/') {
                    if let Some(p) = patterns().find(|p| *p == bucket) {
                        return Miss::ResourceIsObject {
                            pattern: p.to_string(),
                            resource,
                        };
                    }
                }
            }
        }
    }
    Miss::Resource {
        resource,
        excluded_by: pattern.clone().filter(|_| name == "NotResource"),
        unresolved: unresolved.to_vec(),
    }
}

/// The Allow statements closest to applying, best first (empty unless the
/// decision is an implicit deny).
pub fn near_misses(set: &PolicySet, req: &Request, eval: &Evaluation) -> Vec<NearMiss> {
    if eval.response.decision != Decision::ImplicitDeny {
        return Vec::new();
    }
    let layers = candidate_layers(set, eval);
    let mut out: Vec<NearMiss> = Vec::new();
    for t in &eval.traces {
        if t.effect != Effect::Allow || t.applies || !layers.contains(&t.policy_type) {
            continue;
        }
        let Some(stmt) = set.statement(t.statement_ref) else {
            continue;
        };
        let (matched, misses) = misses_of(t, stmt, req);
        let action_or_resource = t.reasons.iter().any(|r| {
            matches!(
                r,
                Reason::Action { matched: true, .. } | Reason::Resource { matched: true, .. }
            )
        });
        let bucket_object = misses.iter().any(|m| {
            matches!(
                m,
                Miss::ResourceIsBucket { .. } | Miss::ResourceIsObject { .. }
            )
        });
        if misses.is_empty() || !(action_or_resource || bucket_object) {
            continue;
        }
        out.push(NearMiss {
            statement_ref: t.statement_ref,
            policy: t.policy.clone(),
            policy_type: t.policy_type,
            index: t.index,
            sid: t.sid.clone(),
            line: t.line,
            column: t.column,
            allows: allows(stmt),
            matched,
            misses,
        });
    }
    out.sort_by(|a, b| {
        a.weight()
            .cmp(&b.weight())
            .then(b.matched.cmp(&a.matched))
            .then(a.statement_ref.cmp(&b.statement_ref))
    });
    out
}

/// The request kind AWS never sends `key` with, when it never does: the
/// action (spec C-15), or the action made directly to a bucket, for the
/// access point keys (AP-3, [`Request::can_carry_key`]).
fn never_sent_with(req: &Request, key: &str) -> Option<String> {
    if !crate::catalog::may_be_sent(req.action.as_str(), key) {
        return Some(req.action.as_str().to_string());
    }
    (crate::eval::access_point::is_access_point_key(key) && !req.can_carry_key(key)).then(|| {
        format!(
            "{} made directly to the bucket (not through an access point)",
            req.action.as_str()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn closest(policy: &str, action: &str, resource: &str) -> Option<NearMiss> {
        let set = PolicySet::identity([Policy::parse("p.json", policy).unwrap()]);
        let req = Request::new(action, resource).unwrap();
        let eval = set.evaluate(&req);
        near_misses(&set, &req, &eval).into_iter().next()
    }

    const OBJECTS: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"List","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},
        {"Sid":"Objects","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;

    #[test]
    fn bucket_arn_for_an_object_action_is_named_m7() {
        let m = closest(OBJECTS, "s3:GetObject", "arn:aws:s3:::b").unwrap();
        assert_eq!(m.sid.as_deref(), Some("Objects"));
        assert_eq!(
            m.describe(),
            "p.json:3:9 (Sid Objects) allows s3:GetObject on arn:aws:s3:::b/* — it missed only because the resource is the bucket arn:aws:s3:::b, not an object in it"
        );
    }

    #[test]
    fn object_arn_for_a_bucket_statement_is_named_m7() {
        let m = closest(OBJECTS, "s3:GetObjectAcl", "arn:aws:s3:::b/k").unwrap();
        // the action is listed nowhere: the closest is a resource match
        assert_eq!(m.sid.as_deref(), Some("Objects"));
        assert!(matches!(m.misses.as_slice(), [Miss::Action { .. }]));
        let m = closest(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"B","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}"#,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        )
        .unwrap();
        assert!(
            m.describe().ends_with("it missed only because the resource arn:aws:s3:::b/k is an object, and the statement names only the bucket arn:aws:s3:::b (objects need arn:aws:s3:::b/*)"),
            "{}",
            m.describe()
        );
    }

    #[test]
    fn statements_about_the_action_beat_statements_about_the_resource() {
        let p = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Put","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"GetOther","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}"#;
        let m = closest(p, "s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        assert_eq!(m.sid.as_deref(), Some("GetOther"));
        assert_eq!(
            m.misses,
            vec![Miss::Resource {
                resource: "arn:aws:s3:::b/k".into(),
                excluded_by: None,
                unresolved: vec![]
            }]
        );
    }

    #[test]
    fn unrelated_statements_are_not_near_misses() {
        assert!(closest(OBJECTS, "s3:PutObject", "arn:aws:s3:::other/k").is_none());
        // allowed and explicitly denied requests have none
        assert!(closest(OBJECTS, "s3:GetObject", "arn:aws:s3:::b/k").is_none());
    }

    #[test]
    fn conditions_say_which_key_missed() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Vpce","Effect":"Allow","Action":"s3:GetObject","Resource":"*",
            "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}"#;
        let m = closest(p, "s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        assert!(m.only_missing_keys());
        assert!(m.describe().ends_with("it missed only because the condition StringEquals aws:SourceVpce [vpce-1a2b3c4d] needs aws:SourceVpce, which the request does not carry"), "{}", m.describe());
    }

    /// AWS sends `s3:prefix` only with the list actions (Service
    /// Authorization Reference, "Actions defined by Amazon S3":
    /// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
    /// a GetObject request can never carry it, so "supply the key" is no
    /// fix and the statement can never allow the request (spec C-15).
    #[test]
    fn a_key_the_action_never_carries_is_no_missing_context_c15() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Pfx","Effect":"Allow","Action":"s3:*","Resource":"*",
            "Condition":{"StringEquals":{"s3:prefix":"home/"}}}]}"#;
        let m = closest(p, "s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        assert!(matches!(
            m.misses.as_slice(),
            [Miss::ConditionKeyMissing {
                never_sent_with: Some(a),
                ..
            }] if a == "s3:GetObject"
        ));
        assert!(!m.only_missing_keys());
        assert!(
            m.describe().ends_with("it missed only because the condition StringEquals s3:prefix [home/] needs s3:prefix, which AWS never sends with s3:GetObject, so the statement can never allow it"),
            "{}",
            m.describe()
        );
        assert!(!m.describe().contains("the request does not carry"));
        // a list action can carry it: the key is missing context, as before
        let list = closest(p, "s3:ListBucket", "arn:aws:s3:::b");
        let list = list.unwrap();
        assert!(list.only_missing_keys());
        assert!(list
            .describe()
            .ends_with("which the request does not carry"));
    }
}
