//! Which policy type a file is linted as, and why: `--type`, the template or
//! plan a policy came from (`--policy-from`), the AWS CLI output it came in
//! (`aws s3api get-bucket-policy`, `aws organizations describe-policy`, …),
//! or, failing those, whether a statement names a principal (spec A-1). The
//! reason is reported in every output format, so that advice given for one
//! type is never silently wrong for another.

use std::fmt;

use serde::Serialize;

use super::view::{self, PolicyView};
use crate::json::{SourceFile, Value};
use crate::policy::PolicyType;

/// Whose inline policy a file holds, when it is what `aws iam
/// get-user-policy`, `get-group-policy` or `get-role-policy` prints
/// (`{"UserName": …, "PolicyName": …, "PolicyDocument": …}`): inline
/// policies have their own size quotas (G-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InlineOwner {
    /// An IAM user: 2,048 characters for all its inline policies.
    User,
    /// An IAM group: 5,120 characters.
    Group,
    /// An IAM role: 10,240 characters.
    Role,
}

/// The AWS CLI output a policy file is, when it is one that says what the
/// policy is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "command", content = "of")]
pub enum Wrapper {
    /// `aws iam get-policy-version`: a managed identity policy.
    PolicyVersion,
    /// `aws iam get-user-policy` / `get-group-policy` / `get-role-policy`.
    Inline(InlineOwner),
    /// `aws s3api get-bucket-policy`: `{"Policy": "<JSON text>"}`.
    BucketPolicy,
    /// `aws organizations describe-policy` of an SCP or an RCP.
    Organizations(PolicyType),
}

impl Wrapper {
    /// Recognises the wrapper from the file's outer JSON (parsed only when
    /// the text names one of the wrapper keys).
    pub(crate) fn of(file: &SourceFile) -> Option<Wrapper> {
        let text = file.text();
        if !["\"PolicyDocument\"", "\"PolicyVersion\"", "\"Policy\""]
            .iter()
            .any(|k| text.contains(k))
        {
            return None;
        }
        let root = crate::json::parse(text).ok()?.value;
        if root.get("Statement").is_some() {
            return None;
        }
        if root
            .get("PolicyVersion")
            .and_then(|v| v.get("Document"))
            .is_some()
        {
            return Some(Wrapper::PolicyVersion);
        }
        if root.get("PolicyDocument").is_some() {
            return [
                ("UserName", InlineOwner::User),
                ("GroupName", InlineOwner::Group),
                ("RoleName", InlineOwner::Role),
            ]
            .into_iter()
            .find(|(key, _)| root.get(key).is_some())
            .map(|(_, owner)| Wrapper::Inline(owner));
        }
        let policy = root.get("Policy")?;
        if policy.as_str().is_some() {
            return Some(Wrapper::BucketPolicy);
        }
        let kind = policy
            .get("PolicySummary")
            .and_then(|s| s.get("Type"))
            .and_then(Value::as_str)?;
        match kind {
            "SERVICE_CONTROL_POLICY" => Some(Wrapper::Organizations(PolicyType::Scp)),
            "RESOURCE_CONTROL_POLICY" => Some(Wrapper::Organizations(PolicyType::Rcp)),
            _ => None,
        }
    }

    /// The policy type the wrapper says.
    fn policy_type(self) -> PolicyType {
        match self {
            Wrapper::PolicyVersion | Wrapper::Inline(_) => PolicyType::Identity,
            Wrapper::BucketPolicy => PolicyType::Resource,
            Wrapper::Organizations(t) => t,
        }
    }

    /// Whose inline policy it is.
    pub(crate) fn inline_owner(self) -> Option<InlineOwner> {
        match self {
            Wrapper::Inline(o) => Some(o),
            _ => None,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Wrapper::PolicyVersion => "aws iam get-policy-version",
            Wrapper::Inline(InlineOwner::User) => "aws iam get-user-policy",
            Wrapper::Inline(InlineOwner::Group) => "aws iam get-group-policy",
            Wrapper::Inline(InlineOwner::Role) => "aws iam get-role-policy",
            Wrapper::BucketPolicy => "aws s3api get-bucket-policy",
            Wrapper::Organizations(_) => "aws organizations describe-policy",
        }
    }
}

/// Why a file was linted as the policy type it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum TypeReason {
    /// Given with `--type` ([`super::LintOptions::policy_type`]).
    Given,
    /// A `--policy-from` source says what the policy is: a template
    /// resource, a Terraform resource, an account dump entry.
    Source {
        /// The policy's place in the source (`aws_s3_bucket_policy.b`).
        origin: String,
    },
    /// The file is AWS CLI output that says what the policy is.
    Wrapper {
        /// The command that printed it.
        wrapper: Wrapper,
    },
    /// Guessed: a statement names a principal, as resource policies do.
    Principal {
        /// The first such statement (`statement `Public``, `statement #2`).
        statement: String,
    },
    /// Guessed: no statement names a principal, as in identity policies.
    NoPrincipal,
}

impl TypeReason {
    /// Whether the type was guessed from the policy's text.
    pub fn is_guess(&self) -> bool {
        matches!(self, TypeReason::Principal { .. } | TypeReason::NoPrincipal)
    }
}

impl fmt::Display for TypeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeReason::Given => f.write_str("given with --type"),
            TypeReason::Source { .. } => f.write_str("so the --policy-from file says"),
            TypeReason::Wrapper { wrapper } => match wrapper {
                Wrapper::Organizations(t) => write!(
                    f,
                    "the file is `{}` output of a {}",
                    wrapper.command(),
                    t.access_analyzer_type()
                ),
                _ => write!(f, "the file is `{}` output", wrapper.command()),
            },
            TypeReason::Principal { statement } => write!(
                f,
                "{statement} names a `Principal` (if it is an RCP or endpoint policy, say --type rcp or vpce)"
            ),
            TypeReason::NoPrincipal => f.write_str(
                "no statement names a `Principal` (if it is a boundary, session policy or SCP, say --type)",
            ),
        }
    }
}

/// `an identity policy`, `a bucket policy`.
pub(crate) fn with_article(t: PolicyType) -> String {
    let what = t.describe();
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {what}")
}

/// The policy type to lint as and why: `given`, else the source's layer,
/// else the wrapper's type, else a guess from the `Principal` elements.
pub(crate) fn choose(
    given: Option<PolicyType>,
    source: Option<(PolicyType, &str)>,
    wrapper: Option<Wrapper>,
    root: &Value,
    base: &str,
) -> (PolicyType, TypeReason) {
    if let Some(t) = given {
        return (t, TypeReason::Given);
    }
    if let Some((t, origin)) = source {
        return (
            t,
            TypeReason::Source {
                origin: origin.to_string(),
            },
        );
    }
    if let Some(w) = wrapper {
        return (w.policy_type(), TypeReason::Wrapper { wrapper: w });
    }
    if !view::names_principals(root) {
        return (PolicyType::Identity, TypeReason::NoPrincipal);
    }
    let probe = PolicyView::new(root, base, PolicyType::Resource);
    let statement = probe
        .statements
        .iter()
        .find(|s| s.principal.is_some())
        .map(|s| s.label())
        .unwrap_or_else(|| "a statement".to_string());
    (PolicyType::Resource, TypeReason::Principal { statement })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrapper(text: &str) -> Option<Wrapper> {
        Wrapper::of(&SourceFile::new("p.json", text))
    }

    #[test]
    fn aws_cli_outputs_say_what_the_policy_is() {
        assert_eq!(
            wrapper(r#"{"Policy": "{\"Statement\": []}"}"#),
            Some(Wrapper::BucketPolicy)
        );
        assert_eq!(
            wrapper(r#"{"PolicyVersion": {"Document": {"Statement": []}}}"#),
            Some(Wrapper::PolicyVersion)
        );
        assert_eq!(
            wrapper(r#"{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {"Statement": []}}"#),
            Some(Wrapper::Inline(InlineOwner::Role))
        );
        assert_eq!(
            wrapper(
                r#"{"Policy": {"PolicySummary": {"Type": "RESOURCE_CONTROL_POLICY"}, "Content": "{}"}}"#
            ),
            Some(Wrapper::Organizations(PolicyType::Rcp))
        );
        assert_eq!(wrapper(r#"{"Statement": [], "Policy": 1}"#), None);
        assert_eq!(wrapper("{"), None);
    }

    #[test]
    fn articles() {
        assert_eq!(with_article(PolicyType::Identity), "an identity policy");
        assert_eq!(
            with_article(PolicyType::VpcEndpoint),
            "a VPC endpoint policy"
        );
    }
}
