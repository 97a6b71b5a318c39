//! The request of a test case, built exactly as `s3guard can` builds it
//! from the same arguments: the principal's derived keys, and the context
//! s3guard assumes (`aws:SecureTransport=true`, the current time, …)
//! unless `no_defaults` is set. Values the case gives always win.

use serde::Serialize;

use crate::catalog;
use crate::diagnostic::Diagnostic;
use crate::matcher::{Action, Resource};
use crate::request::builder::RequestBuilder;
use crate::request::context::{ContextValue, Origin};
use crate::request::Request;

/// Who asks and in which context: everything of a request but its action
/// and resource. Shared by request cases, `run` cases and the Rust assertions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestTemplate {
    /// The caller (an ARN, a service principal or `anonymous`); `None`: unspecified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The bucket owner's account; `None`: the caller's account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
    /// Context keys the case gives, in order (a later key replaces an earlier one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, ContextValue)>,
    /// The time of the request (ISO 8601 or epoch seconds); `None`: now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// `aws:RequestedRegion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Fill in nothing: the context is exactly the given keys.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_defaults: bool,
    /// The caller is (a session of) a service-linked role (E-4).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub service_linked_role: bool,
}

impl RequestTemplate {
    /// Builds the request for an action and a resource, as `s3guard can
    /// ACTION RESOURCE` does with the same `--principal`, `--resource-account`,
    /// `--at`, `--region` and `--no-defaults`; the given context keys are
    /// set last, so they replace anything s3guard would have filled in.
    pub fn request(&self, action: &str, resource: &str) -> Result<Request, Vec<Diagnostic>> {
        let mut b = RequestBuilder::new()
            .no_defaults(self.no_defaults)
            .service_linked_role(self.service_linked_role);
        if let Some(p) = &self.principal {
            b = b.principal(p.clone());
        }
        if let Some(a) = &self.resource_account {
            b = b.resource_account(a.clone());
        }
        if let Some(t) = &self.at {
            b = b.at(t.clone());
        }
        if let Some(r) = &self.region {
            b = b.region(r.clone());
        }
        let mut req = b.build(action, resource)?;
        req.context.extend(
            self.context
                .iter()
                .map(|(key, value)| (key.clone(), value.clone(), Origin::Given)),
        );
        Ok(req)
    }

    /// The template with `other`'s settings laid over this one's: scalar
    /// fields of `other` replace, context keys are merged key by key.
    pub fn overlay(&self, other: &RequestTemplate) -> RequestTemplate {
        // as if each key of `other` in turn removed the same key (in any
        // case) and was appended, in linear time (thousands of keys)
        let mut seen = std::collections::HashSet::new();
        let mut from_other: Vec<(String, ContextValue)> = other
            .context
            .iter()
            .rev()
            .filter(|(k, _)| seen.insert(k.to_ascii_lowercase()))
            .cloned()
            .collect();
        from_other.reverse();
        let mut context: Vec<(String, ContextValue)> = self
            .context
            .iter()
            .filter(|(k, _)| !seen.contains(&k.to_ascii_lowercase()))
            .cloned()
            .collect();
        context.append(&mut from_other);
        RequestTemplate {
            principal: other.principal.clone().or_else(|| self.principal.clone()),
            resource_account: other
                .resource_account
                .clone()
                .or_else(|| self.resource_account.clone()),
            context,
            at: other.at.clone().or_else(|| self.at.clone()),
            region: other.region.clone().or_else(|| self.region.clone()),
            no_defaults: other.no_defaults || self.no_defaults,
            service_linked_role: other.service_linked_role || self.service_linked_role,
        }
    }
}

/// One concrete request of a test: an action, a resource and a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestSpec {
    /// The action, e.g. `s3:DeleteBucket`.
    pub action: String,
    /// The resource ARN, or `*` for actions without a resource type.
    pub resource: String,
    /// Who asks, in which context.
    #[serde(flatten)]
    pub template: RequestTemplate,
}

impl RequestSpec {
    /// A request by an unspecified caller with s3guard's default context.
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> RequestSpec {
        RequestSpec {
            action: action.into(),
            resource: resource.into(),
            template: RequestTemplate::default(),
        }
    }

    /// Builds the request (see [`RequestTemplate::request`]).
    pub fn request(&self) -> Result<Request, Vec<Diagnostic>> {
        self.template.request(&self.action, &self.resource)
    }
}

/// What is wrong with the request of a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestProblem {
    /// `action` or `resource`: the field at fault.
    pub field: &'static str,
    /// Lowercase, one line.
    pub message: String,
    /// What to do.
    pub hint: String,
}

impl RequestProblem {
    fn new(field: &'static str, message: String, hint: impl Into<String>) -> RequestProblem {
        RequestProblem {
            field,
            message,
            hint: hint.into(),
        }
    }
}

/// Why a request cannot be a test: an action that is not a single catalog
/// action, a resource that is a pattern, or a pair AWS never evaluates
/// (`s3:GetObject` on a bucket ARN, spec M-6/M-7). A test about such a
/// request would pass for the wrong reason, so it is refused.
pub fn check_request(action: &str, resource: &str) -> Result<(), RequestProblem> {
    if action.contains(['*', '?']) {
        return Err(RequestProblem::new(
            "action",
            format!("`{action}` is a pattern; a request case asks about one action"),
            "to check every action of a pattern, write a proof case: {\"cannot\": \"s3:Delete*\", \"on\": \"arn:aws:s3:::bucket*\"}",
        ));
    }
    let parsed_action = Action::parse(action).map_err(|e| {
        RequestProblem::new(
            "action",
            e.to_string(),
            "write the action as service:Name, e.g. s3:GetObject",
        )
    })?;
    if resource != "*" && resource.contains(['*', '?']) {
        return Err(RequestProblem::new(
            "resource",
            format!("`{resource}` is a pattern; a request case names one resource (in a request, `*` and `?` are literal characters)"),
            "name a concrete ARN such as arn:aws:s3:::bucket/key, or write a proof case with `cannot` and `on`",
        ));
    }
    let parsed_resource = Resource::parse(resource).map_err(|e| {
        RequestProblem::new(
            "resource",
            e.to_string(),
            "S3 resources look like arn:aws:s3:::bucket or arn:aws:s3:::bucket/key; use * for s3:ListAllMyBuckets",
        )
    })?;
    match catalog::unknown_action(&parsed_action) {
        Some(u @ catalog::UnknownAction::Service { .. }) => {
            return Err(RequestProblem::new(
                "action",
                format!(
                    "s3guard's catalog has no service `{}`: a test of `{action}` could only pass by accident",
                    parsed_action.service()
                ),
                u.hint(&parsed_action),
            ));
        }
        Some(u) => {
            return Err(RequestProblem::new(
                "action",
                format!(
                    "{}, so a test of it would pass by accident",
                    u.message(&parsed_action)
                ),
                u.hint(&parsed_action),
            ));
        }
        None => {}
    }
    if let Some(w) = catalog::request_warnings(&parsed_action, &parsed_resource)
        .into_iter()
        .next()
    {
        return Err(RequestProblem::new(
            "resource",
            w,
            "a test of a request AWS never makes would pass for the wrong reason",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_built_as_can_builds_it() {
        let t = RequestTemplate {
            principal: Some("arn:aws:iam::111122223333:user/app".into()),
            at: Some("2025-01-01T00:00:00Z".into()),
            context: vec![(
                "aws:SecureTransport".into(),
                ContextValue::Single("false".into()),
            )],
            ..RequestTemplate::default()
        };
        let req = t.request("s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        let get = |k: &str| req.context.get(k).map(|e| e.value.to_string());
        // derived from the principal, as AWS does (spec section 0)
        assert_eq!(get("aws:username").as_deref(), Some("\"app\""));
        // the case's value replaces s3guard's default
        assert_eq!(get("aws:SecureTransport").as_deref(), Some("\"false\""));
        assert_eq!(
            get("aws:CurrentTime").as_deref(),
            Some("\"2025-01-01T00:00:00Z\"")
        );
    }

    #[test]
    fn no_defaults_keeps_only_given_keys() {
        let t = RequestTemplate {
            no_defaults: true,
            ..RequestTemplate::default()
        };
        let req = t.request("s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        assert!(req.context.is_empty());
    }

    #[test]
    fn overlay_merges_context_and_replaces_scalars() {
        let base = RequestTemplate {
            principal: Some("anonymous".into()),
            context: vec![
                ("a".into(), ContextValue::Single("1".into())),
                ("B".into(), ContextValue::Single("2".into())),
            ],
            ..RequestTemplate::default()
        };
        let over = RequestTemplate {
            context: vec![("b".into(), ContextValue::Single("3".into()))],
            region: Some("eu-west-1".into()),
            ..RequestTemplate::default()
        };
        let m = base.overlay(&over);
        assert_eq!(m.principal.as_deref(), Some("anonymous"));
        assert_eq!(m.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            m.context,
            vec![
                ("a".into(), ContextValue::Single("1".into())),
                ("b".into(), ContextValue::Single("3".into()))
            ]
        );
        // a key repeated in another case: the later one replaces the earlier
        let over = RequestTemplate {
            context: vec![
                ("X".into(), ContextValue::Single("4".into())),
                ("b".into(), ContextValue::Single("3".into())),
                ("x".into(), ContextValue::Single("5".into())),
            ],
            ..RequestTemplate::default()
        };
        let keys: Vec<String> = base
            .overlay(&over)
            .context
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["a", "b", "x"]);
    }

    #[test]
    fn refuses_requests_that_would_pass_for_the_wrong_reason_spec_m7() {
        assert!(check_request("s3:DeleteBucket", "arn:aws:s3:::prod").is_ok());
        assert!(check_request("s3:ListAllMyBuckets", "*").is_ok());
        for (a, r, needle) in [
            ("s3:Delete*", "arn:aws:s3:::prod", "pattern"),
            ("s3:DeleteBuckets", "arn:aws:s3:::prod", "did you mean"),
            ("s4:DeleteBucket", "arn:aws:s3:::prod", "no service `s4`"),
            ("s3:GetObject", "arn:aws:s3:::prod", "never happens"),
            ("s3:DeleteBucket", "arn:aws:s3:::prod*", "pattern"),
            ("s3:DeleteBucket", "prod", "ARN"),
        ] {
            let p = check_request(a, r).unwrap_err();
            assert!(
                p.message.contains(needle) || p.hint.contains(needle),
                "{a} {r}: {p:?}"
            );
        }
    }
}
