//! Policy assertions for Rust tests.
//!
//! [`assert_denied!`](crate::assert_denied) and
//! [`assert_allowed!`](crate::assert_allowed) ask s3guard for AWS's decision
//! and fail with the decision and the statements that decided
//! (`FILE:LINE:COL`), exactly as `s3guard can` prints them:
//!
//! ```
//! use s3guard::{assert_allowed, assert_denied, Policy};
//!
//! let app = Policy::from_file("policies/rails-app.json")?;
//! assert_allowed!(&app, "s3:PutObject", "arn:aws:s3:::another-test-bucket/avatars/1.png");
//! assert_denied!(&app, "s3:DeleteBucket", "arn:aws:s3:::another-test-bucket");
//! assert_denied!(&app, "s3:ListAllMyBuckets", "*");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The policies may be a [`Policy`] (in the layer of its type), a slice or
//! `Vec` of them, or a [`PolicySet`] with every layer. Name the caller and
//! the context with `key = value` arguments, which are the methods of
//! [`AssertedRequest`]: `principal`, `resource_account`, `context` (pairs; an array
//! value makes a multi-valued key), `at`, `region`, `no_defaults`:
//!
//! ```
//! use s3guard::{assert_allowed, assert_decision, Decision, LoadOptions, Policy, PolicySet, PolicyType};
//!
//! let identity = Policy::from_file("policies/amazon-s3-full-access.json")?;
//! let bucket = Policy::load_file(
//!     "policies/bucket-policy-tls-only.json",
//!     LoadOptions::new(PolicyType::Resource),
//! )?;
//! let set = PolicySet::builder().identity(identity).resource(bucket).build();
//! assert_allowed!(&set, "s3:GetObject", "arn:aws:s3:::another-test-bucket/report.csv",
//!     principal = "arn:aws:iam::111122223333:user/analyst");
//! assert_decision!(&set, Decision::ExplicitDeny, "s3:GetObject", "arn:aws:s3:::another-test-bucket/report.csv",
//!     principal = "arn:aws:iam::111122223333:user/analyst",
//!     context = [("aws:SecureTransport", "false")]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A failed assertion panics with s3guard's answer:
//!
//! ```should_panic
//! use s3guard::{assert_denied, Policy};
//!
//! let full = Policy::from_file("policies/amazon-s3-full-access.json").unwrap();
//! // panics: "expected s3:DeleteBucket on arn:aws:s3:::prod to be denied; s3guard says:
//! // ALLOW
//! //   allowed by policies/amazon-s3-full-access.json:4:5 (statement #1): Allow s3:*, … on *"
//! assert_denied!(&full, "s3:DeleteBucket", "arn:aws:s3:::prod");
//! ```
//!
//! Requests are built as `s3guard can` builds them (the caller's derived
//! keys, `aws:SecureTransport=true`, the current time, unless
//! `no_defaults = true`), and a request AWS never makes (`s3:GetObject` on
//! a bucket ARN, an action missing from the catalog) fails the assertion
//! instead of passing for the wrong reason. [`check`] does the same
//! without panicking.

use std::borrow::Cow;
use std::fmt;

use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, Response};
use crate::explain::Evaluation;
use crate::policy::Policy;
use crate::render::text::render_text;
use crate::request::context::ContextValue;
use crate::request::Request;
pub use crate::testfile::Expect;
use crate::testfile::{check_request, RequestSpec};

/// Anything assertions can evaluate against.
pub trait Policies {
    /// The policies as a compiled set.
    fn policy_set(&self) -> Cow<'_, PolicySet>;
}

impl Policies for PolicySet {
    fn policy_set(&self) -> Cow<'_, PolicySet> {
        Cow::Borrowed(self)
    }
}

impl Policies for Policy {
    fn policy_set(&self) -> Cow<'_, PolicySet> {
        Cow::Owned(PolicySet::builder().policy(self.clone()).build())
    }
}

impl Policies for [Policy] {
    fn policy_set(&self) -> Cow<'_, PolicySet> {
        Cow::Owned(
            self.iter()
                .cloned()
                .fold(PolicySet::builder(), |b, p| b.policy(p))
                .build(),
        )
    }
}

impl Policies for Vec<Policy> {
    fn policy_set(&self) -> Cow<'_, PolicySet> {
        self.as_slice().policy_set()
    }
}

impl<const N: usize> Policies for [Policy; N] {
    fn policy_set(&self) -> Cow<'_, PolicySet> {
        self.as_slice().policy_set()
    }
}

impl<T: Policies + ?Sized> Policies for &T {
    fn policy_set(&self) -> Cow<'_, PolicySet> {
        (**self).policy_set()
    }
}

/// The request of an assertion, built step by step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertedRequest {
    spec: RequestSpec,
}

impl AssertedRequest {
    /// A request for an action on a resource (`*` for s3:ListAllMyBuckets).
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> AssertedRequest {
        AssertedRequest {
            spec: RequestSpec::new(action, resource),
        }
    }

    /// The caller: an IAM user, role or session ARN, a root ARN, a service
    /// principal, or `anonymous`.
    pub fn principal(mut self, principal: impl Into<String>) -> AssertedRequest {
        self.spec.template.principal = Some(principal.into());
        self
    }

    /// The bucket owner's account (default: the caller's).
    pub fn resource_account(mut self, account: impl Into<String>) -> AssertedRequest {
        self.spec.template.resource_account = Some(account.into());
        self
    }

    /// Context keys: `[("aws:SourceIp", "203.0.113.9")]`, or with several
    /// values for a multi-valued key: `[("aws:TagKeys", ["team", "env"])]`.
    pub fn context<K: Into<String>, V: IntoContextValue>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> AssertedRequest {
        for (k, v) in pairs {
            self.spec
                .template
                .context
                .push((k.into(), v.into_context_value()));
        }
        self
    }

    /// The time of the request (ISO 8601 or epoch seconds).
    pub fn at(mut self, time: impl Into<String>) -> AssertedRequest {
        self.spec.template.at = Some(time.into());
        self
    }

    /// `aws:RequestedRegion`.
    pub fn region(mut self, region: impl Into<String>) -> AssertedRequest {
        self.spec.template.region = Some(region.into());
        self
    }

    /// Fill in no context key: only the given ones.
    pub fn no_defaults(mut self, yes: bool) -> AssertedRequest {
        self.spec.template.no_defaults = yes;
        self
    }

    /// The request as a test-file request.
    pub fn spec(&self) -> &RequestSpec {
        &self.spec
    }

    /// Builds the request.
    pub fn request(&self) -> Result<Request, AssertionFailure> {
        let s = &self.spec;
        check_request(&s.action, &s.resource).map_err(|p| AssertionFailure {
            message: format!(
                "invalid request {} on {}: {} ({})",
                s.action, s.resource, p.message, p.hint
            ),
            decision: None,
        })?;
        s.request().map_err(|diags| AssertionFailure {
            message: format!(
                "invalid request {} on {}: {}",
                s.action,
                s.resource,
                diags
                    .iter()
                    .map(|d| d.to_string().replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            decision: None,
        })
    }
}

/// A context value of an assertion: a string is one value, an array or a
/// `Vec` of strings is a multi-valued key.
pub trait IntoContextValue {
    /// The value.
    fn into_context_value(self) -> ContextValue;
}

impl IntoContextValue for &str {
    fn into_context_value(self) -> ContextValue {
        ContextValue::Single(self.to_string())
    }
}

impl IntoContextValue for String {
    fn into_context_value(self) -> ContextValue {
        ContextValue::Single(self)
    }
}

impl<S: Into<String>> IntoContextValue for Vec<S> {
    fn into_context_value(self) -> ContextValue {
        ContextValue::Multi(self.into_iter().map(Into::into).collect())
    }
}

impl<S: Into<String>, const N: usize> IntoContextValue for [S; N] {
    fn into_context_value(self) -> ContextValue {
        ContextValue::Multi(self.into_iter().map(Into::into).collect())
    }
}

/// Why an assertion failed: the message shows s3guard's decision and the
/// statements that decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionFailure {
    /// The whole message.
    pub message: String,
    /// s3guard's decision; `None` when the request was invalid.
    pub decision: Option<Decision>,
}

impl fmt::Display for AssertionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AssertionFailure {}

/// The expectation of `assert_decision!` for an exact decision.
pub fn expect_of(decision: Decision) -> Expect {
    match decision {
        Decision::Allowed => Expect::Allow,
        Decision::ExplicitDeny => Expect::ExplicitDeny,
        Decision::ImplicitDeny => Expect::ImplicitDeny,
    }
}

fn wanted(expect: Expect) -> &'static str {
    match expect {
        Expect::Allow => "allowed",
        Expect::Deny => "denied",
        Expect::ExplicitDeny => "explicitly denied",
        Expect::ImplicitDeny => "implicitly denied",
    }
}

/// Evaluates the query and checks the decision; on success returns the
/// full evaluation, on failure a message with s3guard's answer.
pub fn check<P: Policies + ?Sized>(
    policies: &P,
    expect: Expect,
    query: &AssertedRequest,
) -> Result<Evaluation, AssertionFailure> {
    let set = policies.policy_set();
    let mut req = query.request()?;
    // the ACL an upload carries is in its headers (E-20), as in test files
    crate::eval::acl::set_header_keys(
        &mut req,
        set.options().object_acl.as_ref(),
        set.options().bucket_acl.as_ref(),
    );
    let eval = set.evaluate(&req);
    let decision = eval.response.decision;
    if expect.is_met_by(decision) {
        return Ok(eval);
    }
    let mut message = format!(
        "expected {} on {} to be {}; s3guard says:\n{}",
        req.action,
        req.resource.as_str(),
        wanted(expect),
        render_text(&set, &req, &eval, false)
    );
    if !matches!(req.principal, crate::request::Principal::Unspecified) {
        message.push_str(&format!("\n  (caller: {})", req.principal));
    }
    Err(AssertionFailure {
        message,
        decision: Some(decision),
    })
}

impl Policy {
    /// Authorizes a request under this policy alone, in the layer of its
    /// type (an identity policy as the caller's only policy, a bucket
    /// policy as the bucket's policy).
    ///
    /// ```
    /// use s3guard::{Decision, Policy, Request};
    ///
    /// let app = Policy::from_file("policies/rails-app.json")?;
    /// let drop = Request::new("s3:DeleteBucket", "arn:aws:s3:::another-test-bucket")?;
    /// assert_eq!(app.authorize(&drop).decision, Decision::ImplicitDeny);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(&self, request: &Request) -> Response {
        PolicySet::builder()
            .policy(self.clone())
            .build()
            .authorize(request)
    }
}

/// Asserts that the policies allow a request; on failure, panics with
/// s3guard's decision and the deciding statements.
///
/// `assert_allowed!(policies, action, resource $(, key = value)*)`, where
/// each `key` is a method of [`AssertedRequest`](crate::testfile::assertions::AssertedRequest).
///
/// ```
/// use s3guard::{assert_allowed, Policy};
/// let app = Policy::from_file("policies/rails-app.json")?;
/// assert_allowed!(&app, "s3:ListBucket", "arn:aws:s3:::another-test-bucket",
///     principal = "arn:aws:iam::111122223333:user/rails");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
macro_rules! assert_allowed {
    ($policies:expr, $action:expr, $resource:expr $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::__s3guard_assert!($crate::testfile::Expect::Allow, $policies, $action, $resource $(, $key = $value)*)
    };
}

/// Asserts that the policies deny a request (explicitly or implicitly); on
/// failure, panics with s3guard's decision and the deciding statements.
///
/// `assert_denied!(policies, action, resource $(, key = value)*)`, where
/// each `key` is a method of [`AssertedRequest`](crate::testfile::assertions::AssertedRequest).
///
/// ```
/// use s3guard::{assert_denied, Policy};
/// let app = Policy::from_file("policies/rails-app.json")?;
/// assert_denied!(&app, "s3:DeleteBucket", "arn:aws:s3:::another-test-bucket");
/// assert_denied!(&app, "s3:GetObject", "arn:aws:s3:::prod/secrets.txt",
///     principal = "arn:aws:iam::111122223333:user/rails",
///     context = [("aws:SourceIp", "203.0.113.9")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
macro_rules! assert_denied {
    ($policies:expr, $action:expr, $resource:expr $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::__s3guard_assert!($crate::testfile::Expect::Deny, $policies, $action, $resource $(, $key = $value)*)
    };
}

/// Asserts an exact decision ([`Decision`](crate::Decision)`::Allowed`,
/// `ExplicitDeny` or `ImplicitDeny`); on failure, panics with s3guard's
/// decision and the deciding statements.
///
/// ```
/// use s3guard::{assert_decision, Decision, Policy};
/// let guard = Policy::from_file("policies/deny-bucket-deletion.json")?;
/// assert_decision!(&guard, Decision::ExplicitDeny, "s3:DeleteBucket", "arn:aws:s3:::prod");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
macro_rules! assert_decision {
    ($policies:expr, $decision:expr, $action:expr, $resource:expr $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::__s3guard_assert!($crate::testfile::assertions::expect_of($decision), $policies, $action, $resource $(, $key = $value)*)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __s3guard_assert {
    ($expect:expr, $policies:expr, $action:expr, $resource:expr $(, $key:ident = $value:expr)*) => {
        if let ::std::result::Result::Err(failure) = $crate::testfile::assertions::check(
            &$policies,
            $expect,
            &$crate::testfile::assertions::AssertedRequest::new($action, $resource)$(.$key($value))*,
        ) {
            ::std::panic!("{}", failure);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

    #[test]
    fn failure_message_shows_decision_and_deciding_statement_spec_o1() {
        let p = Policy::parse("full.json", FULL).unwrap();
        let err = check(
            &p,
            Expect::Deny,
            &AssertedRequest::new("s3:DeleteBucket", "arn:aws:s3:::prod"),
        )
        .unwrap_err();
        assert_eq!(err.decision, Some(Decision::Allowed));
        assert!(
            err.message.starts_with("expected s3:DeleteBucket on arn:aws:s3:::prod to be denied; s3guard says:\nALLOW\n  allowed by full.json:1:38 (statement #1): Allow s3:* on *"),
            "{}",
            err.message
        );
    }

    #[test]
    fn requests_that_never_happen_fail_instead_of_passing_spec_m7() {
        let p = Policy::parse("full.json", FULL).unwrap();
        // s3:GetObject on a bucket ARN would be "denied" by any policy that grants objects only
        let err = check(
            &p,
            Expect::Deny,
            &AssertedRequest::new("s3:GetObject", "arn:aws:s3:::prod"),
        )
        .unwrap_err();
        assert_eq!(err.decision, None);
        assert!(err.message.contains("invalid request"), "{}", err.message);
        let err = check(
            &p,
            Expect::Deny,
            &AssertedRequest::new("s3:DeleteBuckets", "arn:aws:s3:::prod"),
        )
        .unwrap_err();
        assert!(err.message.contains("s3:DeleteBucket"), "{}", err.message);
    }

    #[test]
    fn macros_accept_every_form() {
        let p = Policy::parse("full.json", FULL).unwrap();
        assert_allowed!(&p, "s3:DeleteBucket", "arn:aws:s3:::prod");
        assert_allowed!(p, "s3:DeleteBucket", "arn:aws:s3:::prod",);
        assert_allowed!(
            vec![p.clone()],
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            principal = "arn:aws:iam::111122223333:user/u",
            context = [("aws:SourceIp", "203.0.113.9")],
            context = [("aws:TagKeys", ["a", "b"])],
            at = "2025-01-01T00:00:00Z",
            region = "eu-west-1",
            no_defaults = true,
        );
        assert_denied!(
            std::slice::from_ref(&p),
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            principal = "anonymous"
        );
        assert_decision!(
            &p,
            Decision::ImplicitDeny,
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            principal = "anonymous"
        );
    }

    #[test]
    #[should_panic(expected = "to be allowed; s3guard says:\nDENY (implicit)")]
    fn assert_allowed_panics_with_the_answer() {
        let p = Policy::parse("full.json", FULL).unwrap();
        assert_allowed!(
            &p,
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            principal = "anonymous"
        );
    }
}
