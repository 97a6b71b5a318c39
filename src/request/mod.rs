//! An authorization request: who asks to do what on which resource, in which
//! context (spec section 0).

pub mod builder;
pub mod context;
mod known_keys;

use std::fmt;

use serde::Serialize;

use crate::matcher::{Action, ActionError, ArnError, Resource};
use crate::policy::{is_canonical_user_id, oai_id};
use crate::request::context::{Context, ContextValue, Origin};

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An unsigned request (S3 allows these only through a public bucket policy).
    Anonymous,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service(String),
    /// An AWS account's root user.
    Root {
        /// Account id.
        account: String,
        /// `arn:aws:iam::ACCOUNT:root`.
        arn: String,
    },
    /// An IAM user.
    User {
        /// Account id.
        account: String,
        /// User ARN.
        arn: String,
        /// User name.
        name: String,
    },
    /// A session of an IAM role.
    RoleSession {
        /// Account id.
        account: String,
        /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
        arn: String,
        /// The role ARN (`arn:aws:iam::ACCOUNT:role/PATH/ROLE`); the path is
        /// unknown unless given (then `aws:PrincipalArn` in the context wins).
        role_arn: String,
        /// Role name.
        role_name: String,
        /// Session name.
        session: String,
    },
    /// A federated-user session (GetFederationToken).
    FederatedUser {
        /// Account id.
        account: String,
        /// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
        arn: String,
        /// Federated user name.
        name: String,
    },
    /// A CloudFront origin access identity (OAI), the identity CloudFront
    /// signs with when it reads a private S3 origin the legacy way. It is no
    /// IAM identity of a customer account: only a bucket policy that names it
    /// (or `"*"`) grants it anything.
    CloudFrontOai {
        /// `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ID`.
        arn: String,
        /// The OAI's id.
        id: String,
    },
    /// A caller given by its S3 canonical user id, such as an OAI's
    /// `S3CanonicalUserId`: matched by `{"CanonicalUser": ID}`, and by what
    /// `--canonical-id ID=…` maps the id to.
    CanonicalUser {
        /// The id, lowercased.
        id: String,
    },
    /// Not given: an authenticated principal of the resource's account whose
    /// identity is unknown. Statements that name principals cannot match it.
    Unspecified,
}

/// Why a principal string was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a principal s3guard understands (expected an IAM user, role or assumed-role ARN, an account root ARN, a service such as cloudtrail.amazonaws.com, a CloudFront origin access identity ARN or S3 canonical user id, or `anonymous`)")]
pub struct PrincipalParseError(pub String);

impl Principal {
    /// Parses `anonymous`, a service principal name, an S3 canonical user
    /// id, or an ARN of a root user, IAM user, role (taken as a session of
    /// it), assumed-role session, federated user or CloudFront origin access identity.
    pub fn parse(text: &str) -> Result<Principal, PrincipalParseError> {
        let err = || PrincipalParseError(text.to_string());
        let t = text.trim();
        if t.eq_ignore_ascii_case("anonymous") || t == "*" {
            return Ok(Principal::Anonymous);
        }
        if let Some(id) = oai_id(t) {
            return Ok(Principal::CloudFrontOai {
                arn: t.to_string(),
                id: id.to_string(),
            });
        }
        if !t.starts_with("arn:") {
            if t.contains('.') && !t.contains([':', '/', ' ']) {
                return Ok(Principal::Service(t.to_ascii_lowercase()));
            }
            if is_canonical_user_id(t) {
                return Ok(Principal::CanonicalUser {
                    id: t.to_ascii_lowercase(),
                });
            }
            return Err(err());
        }
        let parts: Vec<&str> = t.splitn(6, ':').collect();
        let [_, partition, service, _, account, resource] = parts.as_slice() else {
            return Err(err());
        };
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let account = account.to_string();
        match (*service, *resource) {
            ("iam", "root") => Ok(Principal::Root {
                arn: t.to_string(),
                account,
            }),
            ("iam", r) if r.starts_with("user/") => {
                let name = r
                    .rsplit('/')
                    .next()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(err)?;
                Ok(Principal::User {
                    arn: t.to_string(),
                    name: name.to_string(),
                    account,
                })
            }
            ("iam", r) if r.starts_with("role/") => {
                let name = r
                    .rsplit('/')
                    .next()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(err)?;
                Ok(Principal::RoleSession {
                    arn: format!("arn:{partition}:sts::{account}:assumed-role/{name}/s3guard"),
                    role_arn: t.to_string(),
                    role_name: name.to_string(),
                    session: "s3guard".to_string(),
                    account,
                })
            }
            ("sts", r) if r.starts_with("assumed-role/") => {
                let rest = r.trim_start_matches("assumed-role/");
                let (role, session) = rest.split_once('/').ok_or_else(err)?;
                if role.is_empty() || session.is_empty() {
                    return Err(err());
                }
                Ok(Principal::RoleSession {
                    arn: t.to_string(),
                    role_arn: format!("arn:{partition}:iam::{account}:role/{role}"),
                    role_name: role.to_string(),
                    session: session.to_string(),
                    account,
                })
            }
            ("sts", r) if r.starts_with("federated-user/") => {
                let name = r.trim_start_matches("federated-user/");
                if name.is_empty() {
                    return Err(err());
                }
                Ok(Principal::FederatedUser {
                    arn: t.to_string(),
                    name: name.to_string(),
                    account,
                })
            }
            _ => Err(err()),
        }
    }

    /// The caller's account, when known.
    pub fn account(&self) -> Option<&str> {
        match self {
            Principal::Root { account, .. }
            | Principal::User { account, .. }
            | Principal::RoleSession { account, .. }
            | Principal::FederatedUser { account, .. } => Some(account),
            _ => None,
        }
    }

    /// The caller's own ARN (session ARN for sessions), when it has one.
    pub fn arn(&self) -> Option<&str> {
        match self {
            Principal::Root { arn, .. }
            | Principal::User { arn, .. }
            | Principal::RoleSession { arn, .. }
            | Principal::FederatedUser { arn, .. }
            | Principal::CloudFrontOai { arn, .. } => Some(arn),
            _ => None,
        }
    }

    /// Whether the request is signed by an IAM identity of a customer
    /// account (not anonymous, not a service, not a CloudFront OAI).
    pub fn is_iam(&self) -> bool {
        !matches!(
            self,
            Principal::Anonymous
                | Principal::Service(_)
                | Principal::CloudFrontOai { .. }
                | Principal::CanonicalUser { .. }
        )
    }

    /// Whether only a resource policy's grant naming this caller, or `"*"`,
    /// can allow its requests: AWS services, CloudFront origin access
    /// identities and callers known only by a canonical user id have no
    /// identity policies, boundaries or session policies (spec E-7).
    pub fn is_outside_iam(&self) -> bool {
        matches!(
            self,
            Principal::Service(_)
                | Principal::CloudFrontOai { .. }
                | Principal::CanonicalUser { .. }
        )
    }

    /// The context keys AWS never sends for this caller (an anonymous
    /// caller has no `aws:PrincipalArn`, only IAM users have
    /// `aws:username`), as AWS spells them: such a key is absent, never
    /// missing (spec E-7 and section 0 of the semantics).
    pub fn never_carried_keys(&self) -> Vec<&'static str> {
        match self {
            // what AWS sends for an origin access identity is not documented: free
            Principal::Unspecified
            | Principal::CloudFrontOai { .. }
            | Principal::CanonicalUser { .. } => Vec::new(),
            Principal::User { .. } => vec!["aws:PrincipalServiceName"],
            Principal::Root { .. }
            | Principal::RoleSession { .. }
            | Principal::FederatedUser { .. } => vec!["aws:username", "aws:PrincipalServiceName"],
            // aws:PrincipalOrgID/OrgPaths: "only if the principal is a
            // member of an organization" (IAM global condition keys).
            // aws:SourceArn/SourceAccount/SourceOrgID/SourceOrgPaths: "only
            // if accessing a resource triggers an AWS service to call
            // another service on behalf of the resource owner": a signed
            // service request, never an unsigned one.
            Principal::Anonymous => vec![
                "aws:username",
                "aws:PrincipalArn",
                "aws:PrincipalAccount",
                "aws:PrincipalServiceName",
                "aws:PrincipalIsAWSService",
                "aws:PrincipalOrgID",
                "aws:PrincipalOrgPaths",
                "aws:SourceArn",
                "aws:SourceAccount",
                "aws:SourceOrgID",
                "aws:SourceOrgPaths",
            ],
            Principal::Service(_) => vec!["aws:username"],
        }
    }

    /// The `aws:PrincipalType` value AWS sends.
    pub fn principal_type(&self) -> Option<&'static str> {
        Some(match self {
            Principal::Anonymous => "Anonymous",
            Principal::Root { .. } => "Account",
            Principal::User { .. } => "User",
            Principal::RoleSession { .. } => "AssumedRole",
            Principal::FederatedUser { .. } => "FederatedUser",
            Principal::Service(_)
            | Principal::CloudFrontOai { .. }
            | Principal::CanonicalUser { .. }
            | Principal::Unspecified => return None,
        })
    }

    /// Fills the context keys AWS derives from the caller (section 0):
    /// `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
    /// `aws:username` (IAM users), `aws:userid` (where known), and for
    /// services `aws:PrincipalServiceName` / `aws:PrincipalIsAWSService`.
    /// Keys already present are left alone.
    pub fn derive_context(&self, ctx: &mut Context) {
        let mut put = |k: &str, v: &str| {
            ctx.set_default(k, ContextValue::Single(v.to_string()), Origin::Derived)
        };
        match self {
            Principal::Anonymous => {
                put("aws:PrincipalType", "Anonymous");
                put("aws:userid", "anonymous");
            }
            Principal::Service(name) => {
                put("aws:PrincipalServiceName", name);
                put("aws:PrincipalIsAWSService", "true");
            }
            Principal::Unspecified
            | Principal::CloudFrontOai { .. }
            | Principal::CanonicalUser { .. } => {}
            Principal::Root { arn, account } => {
                put("aws:PrincipalArn", arn);
                put("aws:PrincipalAccount", account);
                put("aws:PrincipalType", "Account");
                put("aws:userid", account);
                put("aws:PrincipalIsAWSService", "false");
            }
            Principal::User { arn, account, name } => {
                put("aws:PrincipalArn", arn);
                put("aws:PrincipalAccount", account);
                put("aws:PrincipalType", "User");
                put("aws:username", name);
                put("aws:PrincipalIsAWSService", "false");
            }
            Principal::RoleSession {
                role_arn, account, ..
            } => {
                put("aws:PrincipalArn", role_arn);
                put("aws:PrincipalAccount", account);
                put("aws:PrincipalType", "AssumedRole");
                put("aws:PrincipalIsAWSService", "false");
            }
            Principal::FederatedUser {
                arn, account, name, ..
            } => {
                put("aws:PrincipalArn", arn);
                put("aws:PrincipalAccount", account);
                put("aws:PrincipalType", "FederatedUser");
                put("aws:userid", &format!("{account}:{name}"));
                put("aws:PrincipalIsAWSService", "false");
            }
        }
    }
}

/// A key given in a request's context that AWS would never send so for the
/// caller: see [`Principal::context_conflicts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextConflict {
    /// The key as given.
    pub key: String,
    /// What AWS sends for this caller: `None` when it never sends the key.
    pub aws_sends: Option<String>,
}

impl ContextConflict {
    /// One sentence for a message: the key, and what AWS sends instead.
    pub fn message(&self, caller: &Principal) -> String {
        match &self.aws_sends {
            None => format!("AWS never sends {} for the caller {caller}", self.key),
            Some(v) => format!(
                "the context's {} contradicts the caller {caller}, for whom AWS sends {v}",
                self.key
            ),
        }
    }
}

impl Principal {
    /// The given context keys that contradict this caller (spec E-7 and
    /// section 0 of the semantics): a key AWS never sends for it
    /// ([`Principal::never_carried_keys`], such as an anonymous caller's
    /// `aws:PrincipalArn`), or a key AWS derives from it
    /// ([`Principal::derive_context`]) given with another value. Such a
    /// request cannot reach AWS: a condition would otherwise test a value
    /// AWS never sends and the answer would differ from AWS's.
    ///
    /// A role session's `aws:PrincipalArn` may name the role with its path
    /// (a session ARN drops it): any role ARN of the session's account and
    /// partition whose last segment is the role's name agrees with it.
    pub fn context_conflicts(&self, context: &Context) -> Vec<ContextConflict> {
        let mut out = Vec::new();
        if matches!(self, Principal::Unspecified)
            || !context.entries().iter().any(|e| e.origin == Origin::Given)
        {
            return out;
        }
        for k in self.never_carried_keys() {
            if let Some(e) = context.get(k) {
                if e.origin == Origin::Given {
                    out.push(ContextConflict {
                        key: e.key.to_string(),
                        aws_sends: None,
                    });
                }
            }
        }
        let mut derived = Context::new();
        self.derive_context(&mut derived);
        for d in derived.entries() {
            let Some(given) = context.get(&d.key).filter(|e| e.origin == Origin::Given) else {
                continue;
            };
            let ContextValue::Single(aws) = &d.value else {
                continue;
            };
            let agrees = match &given.value {
                ContextValue::Single(v) => v == aws || self.names_own_role(&d.key, v),
                ContextValue::Multi(_) => false,
            };
            if !agrees {
                out.push(ContextConflict {
                    key: given.key.to_string(),
                    aws_sends: Some(aws.clone()),
                });
            }
        }
        out
    }

    /// Whether `value` of `key` is this role session's role ARN written with
    /// a path (`arn:aws:iam::111122223333:role/app/deploy` for a session of
    /// `deploy`).
    fn names_own_role(&self, key: &str, value: &str) -> bool {
        let Principal::RoleSession {
            role_arn,
            role_name,
            ..
        } = self
        else {
            return false;
        };
        if !key.eq_ignore_ascii_case("aws:PrincipalArn") {
            return false;
        }
        // arn:PARTITION:iam::ACCOUNT:role/ — the same prefix as the session's role ARN
        let Some(prefix) = role_arn
            .find(":role/")
            .map(|i| &role_arn[..i + ":role/".len()])
        else {
            return false;
        };
        value
            .strip_prefix(prefix)
            .and_then(|rest| rest.rsplit_once('/'))
            .is_some_and(|(_, name)| name == role_name)
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::Anonymous => f.write_str("anonymous"),
            Principal::Service(s) => f.write_str(s),
            Principal::Unspecified => f.write_str("(unspecified principal)"),
            Principal::CanonicalUser { id } => f.write_str(id),
            other => f.write_str(other.arn().unwrap_or_default()),
        }
    }
}

impl Serialize for Principal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// One authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Who asks.
    pub principal: Principal,
    /// The action.
    pub action: Action,
    /// The resource (`*` for wildcard-only actions).
    pub resource: Resource,
    /// The account owning the resource; `None` means the caller's own account.
    pub resource_account: Option<String>,
    /// The caller was said to be (a session of) a service-linked role
    /// (`--service-linked-role`); see [`Request::is_service_linked_role`].
    pub is_service_linked_role: bool,
    /// The request context.
    pub context: Context,
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Bad action.
    #[error(transparent)]
    Action(#[from] ActionError),
    /// Bad resource.
    #[error(transparent)]
    Resource(#[from] ArnError),
    /// Bad principal.
    #[error(transparent)]
    Principal(#[from] PrincipalParseError),
}

impl Request {
    /// Whether AWS may send `key` with this request: the one rule every
    /// command uses to tell a key that is *free* (the request may carry it,
    /// with any value) from one that is *absent* (AWS never sends it with
    /// such a request, so a condition on it evaluates as for a missing key).
    /// A key is absent when
    ///
    /// - the caller never has it (an anonymous caller's `aws:PrincipalArn`,
    ///   [`Principal::never_carried_keys`], spec E-7);
    /// - the action never carries it (`s3:prefix` with `s3:PutBucketPolicy`,
    ///   [`crate::catalog::ActionInfo::can_carry_key`], spec C-15);
    /// - it is an access point key (`s3:DataAccessPointAccount`, …) and the
    ///   request is made directly to a bucket or object, not through an
    ///   access point ARN (spec AP-3).
    ///
    /// Case-insensitive.
    pub fn can_carry_key(&self, key: &str) -> bool {
        !self
            .principal
            .never_carried_keys()
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
            && crate::catalog::info(&self.action).is_none_or(|i| i.can_carry_key(key))
            && (!crate::eval::access_point::is_access_point_key(key)
                || crate::eval::access_point::AccessPointArn::of(&self.resource).is_some())
    }

    /// A request by an unspecified principal of the resource's account, with an empty context.
    pub fn new(action: &str, resource: &str) -> Result<Request, RequestError> {
        Ok(Request {
            principal: Principal::Unspecified,
            action: Action::parse(action)?,
            resource: Resource::parse(resource)?,
            resource_account: None,
            is_service_linked_role: false,
            context: Context::new(),
        })
    }

    /// Sets the principal (parsed from an ARN, a service name or `anonymous`).
    pub fn with_principal(mut self, principal: &str) -> Result<Request, RequestError> {
        self.principal = Principal::parse(principal)?;
        Ok(self)
    }

    /// Sets the resource owner's account.
    pub fn with_resource_account(mut self, account: &str) -> Request {
        self.resource_account = Some(account.to_string());
        self
    }

    /// Sets a context key.
    pub fn with_context(mut self, key: &str, value: &str) -> Request {
        self.context.set(key, value, Origin::Given);
        self
    }

    /// The resource's account when something states it: given
    /// (`--resource-account`), or else the account the resource ARN names.
    /// Access point ARNs "encode the access point's AWS Region and the AWS
    /// account ID of the access point's owner" (S3 User Guide, "Referencing
    /// access points"); bucket and object ARNs leave the account empty.
    /// `None`: nothing says, so the resource is taken to be the caller's.
    pub fn stated_resource_account(&self) -> Option<&str> {
        self.resource_account
            .as_deref()
            .or_else(|| self.arn_account())
    }

    /// The 12-digit account written in the resource ARN, if any.
    pub fn arn_account(&self) -> Option<&str> {
        match &self.resource {
            Resource::Arn(arn) => {
                let a = arn.account();
                (a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())).then_some(a)
            }
            Resource::Wildcard => None,
        }
    }

    /// The resource's account: stated ([`Request::stated_resource_account`]),
    /// or the caller's own.
    pub fn effective_resource_account(&self) -> Option<&str> {
        self.stated_resource_account()
            .or_else(|| self.principal.account())
    }

    /// Whether caller and resource are in the same account (E-5 vs E-6).
    pub fn is_same_account(&self) -> bool {
        match (self.principal.account(), self.stated_resource_account()) {
            (Some(p), Some(r)) => p == r,
            _ => true,
        }
    }

    /// Whether the caller is a service-linked role or a session of one:
    /// said so (`--service-linked-role`), or its role ARN (the principal's,
    /// or `aws:PrincipalArn`) is on the path `aws-service-role/`, where
    /// IAM puts every service-linked role. SCPs and RCPs do not restrict
    /// such callers (E-4).
    pub fn is_service_linked_role(&self) -> bool {
        self.is_service_linked_role
            || self
                .role_arn()
                .is_some_and(|arn| arn.contains(":role/aws-service-role/"))
    }

    /// The role ARN of a role session, preferring `aws:PrincipalArn` from the
    /// context (which carries the role's path).
    pub fn role_arn(&self) -> Option<&str> {
        match &self.principal {
            Principal::RoleSession { role_arn, .. } => Some(
                match self.context.get_lower("aws:principalarn").map(|e| &e.value) {
                    Some(ContextValue::Single(s)) if s.contains(":role/") => s.as_str(),
                    _ => role_arn.as_str(),
                },
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_principals() {
        assert_eq!(Principal::parse("anonymous").unwrap(), Principal::Anonymous);
        assert_eq!(
            Principal::parse("cloudtrail.amazonaws.com").unwrap(),
            Principal::Service("cloudtrail.amazonaws.com".into())
        );
        let u = Principal::parse("arn:aws:iam::111122223333:user/dev/alice").unwrap();
        assert!(matches!(&u, Principal::User { name, .. } if name == "alice"));
        let s = Principal::parse("arn:aws:sts::111122223333:assumed-role/app/s1").unwrap();
        assert!(
            matches!(&s, Principal::RoleSession { role_arn, session, .. }
            if role_arn == "arn:aws:iam::111122223333:role/app" && session == "s1")
        );
        assert!(matches!(
            Principal::parse("arn:aws:iam::111122223333:root").unwrap(),
            Principal::Root { .. }
        ));
        assert!(Principal::parse("arn:aws:iam::1:user/a").is_err());
        assert!(Principal::parse("alice").is_err());
    }

    #[test]
    fn derives_principal_keys_spec_section0() {
        let mut c = Context::new();
        Principal::parse("arn:aws:iam::111122223333:user/alice")
            .unwrap()
            .derive_context(&mut c);
        assert_eq!(
            c.get("aws:username").unwrap().value,
            ContextValue::Single("alice".into())
        );
        assert_eq!(c.get("aws:PrincipalType").unwrap().origin, Origin::Derived);
        let mut c = Context::new();
        Principal::parse("arn:aws:sts::111122223333:assumed-role/app/s1")
            .unwrap()
            .derive_context(&mut c);
        assert!(c.get("aws:username").is_none());
        assert_eq!(
            c.get("aws:PrincipalArn").unwrap().value,
            ContextValue::Single("arn:aws:iam::111122223333:role/app".into())
        );
    }
}
