//! A loaded test file: its policies compiled into one set, its defaults
//! and its cases, each case with its place in the file.

use serde::Serialize;

use super::checker::{CommandOutcome, ProofQuery, RunQuery};
use super::request::{RequestSpec, RequestTemplate};
use crate::diagnostic::Diagnostic;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::json::Location;
use crate::policy::PolicyType;

/// A parsed and validated test file (`*.s3guard.json`).
#[derive(Debug, Clone)]
pub struct TestFile {
    /// The path as shown in messages.
    pub path: String,
    /// `description`.
    pub description: Option<String>,
    /// The policies, in file order.
    pub policies: Vec<PolicyEntry>,
    /// The policies compiled into their layers.
    pub set: PolicySet,
    /// `defaults`: the request template every case starts from.
    pub defaults: RequestTemplate,
    /// The cases, in file order.
    pub cases: Vec<TestCase>,
    /// Warnings of the test file and of its policies.
    pub warnings: Vec<Diagnostic>,
}

/// One entry of `policies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyEntry {
    /// `name`, or the file as written, or `policies[N]` for an inline document.
    pub name: String,
    /// The layer.
    #[serde(rename = "type")]
    pub policy_type: PolicyType,
    /// For SCPs and RCPs, the organization level (0 = root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// The policy file as shown in messages; `None` for an inline document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `"new": true`: the bucket policy a `s3:PutBucketPolicy` request
    /// puts, judged by `BlockPublicPolicy` and not evaluated (E-19).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new: bool,
}

/// One case of a test file.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// `name` (unique in the file).
    pub name: String,
    /// Where the case's `{` is.
    pub location: Location,
    /// JSON pointer of the case (`/cases/3`).
    pub pointer: String,
    /// What the case checks.
    pub check: Check,
}

/// What a case checks.
#[derive(Debug, Clone)]
pub enum Check {
    /// One request and the decision expected.
    Request {
        /// The request.
        spec: RequestSpec,
        /// The decision expected.
        expect: Expect,
    },
    /// A proof that no matching request is allowed (`cannot` + `on`).
    Cannot(ProofQuery),
    /// An AWS CLI command and how it must end (`run` + `expect`).
    Run {
        /// The command and its caller.
        query: RunQuery,
        /// The outcome expected.
        expect: CommandOutcome,
    },
}

impl Check {
    /// `request`, `cannot` or `run`.
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Request { .. } => "request",
            Check::Cannot(_) => "cannot",
            Check::Run { .. } => "run",
        }
    }
}

/// The `expect` of a request case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// Allowed.
    Allow,
    /// Denied, explicitly or implicitly.
    Deny,
    /// Denied by a Deny statement.
    ExplicitDeny,
    /// Denied because nothing allows it.
    ImplicitDeny,
}

impl Expect {
    /// Every spelling, for messages.
    pub const ALL: [&'static str; 4] = ["allow", "deny", "explicit-deny", "implicit-deny"];

    /// Parses the test-file spelling.
    pub fn parse(s: &str) -> Option<Expect> {
        Some(match s {
            "allow" => Expect::Allow,
            "deny" => Expect::Deny,
            "explicit-deny" => Expect::ExplicitDeny,
            "implicit-deny" => Expect::ImplicitDeny,
            _ => return None,
        })
    }

    /// The test-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Allow => "allow",
            Expect::Deny => "deny",
            Expect::ExplicitDeny => "explicit-deny",
            Expect::ImplicitDeny => "implicit-deny",
        }
    }

    /// Whether a decision meets the expectation.
    pub fn is_met_by(self, decision: Decision) -> bool {
        match self {
            Expect::Allow => decision == Decision::Allowed,
            Expect::Deny => decision != Decision::Allowed,
            Expect::ExplicitDeny => decision == Decision::ExplicitDeny,
            Expect::ImplicitDeny => decision == Decision::ImplicitDeny,
        }
    }
}

/// The test-file spelling of a decision (`allow`, `explicit-deny`, `implicit-deny`).
pub fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allowed => "allow",
        Decision::ExplicitDeny => "explicit-deny",
        Decision::ImplicitDeny => "implicit-deny",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_accepts_both_kinds_of_deny_spec_e2_e3() {
        assert!(Expect::Deny.is_met_by(Decision::ExplicitDeny));
        assert!(Expect::Deny.is_met_by(Decision::ImplicitDeny));
        assert!(!Expect::Deny.is_met_by(Decision::Allowed));
        assert!(!Expect::ExplicitDeny.is_met_by(Decision::ImplicitDeny));
        assert!(!Expect::ImplicitDeny.is_met_by(Decision::ExplicitDeny));
        assert!(Expect::Allow.is_met_by(Decision::Allowed));
        for s in Expect::ALL {
            assert_eq!(Expect::parse(s).map(Expect::as_str), Some(s));
        }
        assert_eq!(Expect::parse("Allow"), None);
    }
}
