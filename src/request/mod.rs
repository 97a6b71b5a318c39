//! An authorization request: who asks to do what on which resource, in which
//! context (spec section 0).

pub mod builder;
pub mod context;
mod known_keys;

use std::borrow::Cow;
use std::fmt;

use smallvec::SmallVec;

use serde::Serialize;

use crate::matcher::{Action, ActionError, ArnError, Resource};
use crate::policy::{is_canonical_user_id, oai_id};
use crate::request::context::{Context, ContextEntry, ContextValue, Origin};

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
        self.never_carried()
            .iter()
            .filter_map(|&k| CALLER_KEYS.get(k).copied())
            .collect()
    }

    /// [`Principal::never_carried_keys`], as places in [`CALLER_KEYS`].
    fn never_carried(&self) -> &'static [usize] {
        match self {
            // what AWS sends for an origin access identity is not documented: free
            Principal::Unspecified
            | Principal::CloudFrontOai { .. }
            | Principal::CanonicalUser { .. } => &[],
            Principal::User { .. } => &[SERVICE_NAME],
            Principal::Root { .. }
            | Principal::RoleSession { .. }
            | Principal::FederatedUser { .. } => &[USERNAME, SERVICE_NAME],
            // aws:PrincipalOrgID/OrgPaths: "only if the principal is a
            // member of an organization" (IAM global condition keys).
            // aws:SourceArn/SourceAccount/SourceOrgID/SourceOrgPaths: "only
            // if accessing a resource triggers an AWS service to call
            // another service on behalf of the resource owner": a signed
            // service request, never an unsigned one.
            Principal::Anonymous => &[
                USERNAME,
                PRINCIPAL_ARN,
                PRINCIPAL_ACCOUNT,
                SERVICE_NAME,
                IS_AWS_SERVICE,
                ORG_ID,
                ORG_PATHS,
                SOURCE_ARN,
                SOURCE_ACCOUNT,
                SOURCE_ORG_ID,
                SOURCE_ORG_PATHS,
            ],
            Principal::Service(_) => &[USERNAME],
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
        for (k, v) in self.derived_keys() {
            let key = CALLER_KEYS.get(k).copied().unwrap_or_default();
            ctx.set_default(key, ContextValue::Single(v.into_owned()), Origin::Derived);
        }
    }

    /// The keys [`Principal::derive_context`] sets (as places in
    /// [`CALLER_KEYS`], in their order: a test keeps it so) and their
    /// values: the one list of what AWS derives from a caller, which
    /// [`Principal::context_conflicts`] also reads.
    fn derived_keys(&self) -> SmallVec<[(usize, Cow<'_, str>); 6]> {
        let b = Cow::Borrowed;
        let mut out = SmallVec::new();
        match self {
            Principal::Anonymous => {
                out.push((PRINCIPAL_TYPE, b("Anonymous")));
                out.push((USERID, b("anonymous")));
            }
            Principal::Service(name) => {
                out.push((IS_AWS_SERVICE, b("true")));
                out.push((SERVICE_NAME, b(name.as_str())));
            }
            Principal::Unspecified
            | Principal::CloudFrontOai { .. }
            | Principal::CanonicalUser { .. } => {}
            Principal::Root { arn, account } => {
                out.push((PRINCIPAL_ACCOUNT, b(account.as_str())));
                out.push((PRINCIPAL_ARN, b(arn.as_str())));
                out.push((IS_AWS_SERVICE, b("false")));
                out.push((PRINCIPAL_TYPE, b("Account")));
                out.push((USERID, b(account.as_str())));
            }
            Principal::User { arn, account, name } => {
                out.push((PRINCIPAL_ACCOUNT, b(account.as_str())));
                out.push((PRINCIPAL_ARN, b(arn.as_str())));
                out.push((IS_AWS_SERVICE, b("false")));
                out.push((PRINCIPAL_TYPE, b("User")));
                out.push((USERNAME, b(name.as_str())));
            }
            Principal::RoleSession {
                role_arn, account, ..
            } => {
                out.push((PRINCIPAL_ACCOUNT, b(account.as_str())));
                out.push((PRINCIPAL_ARN, b(role_arn.as_str())));
                out.push((IS_AWS_SERVICE, b("false")));
                out.push((PRINCIPAL_TYPE, b("AssumedRole")));
            }
            Principal::FederatedUser {
                arn, account, name, ..
            } => {
                out.push((PRINCIPAL_ACCOUNT, b(account.as_str())));
                out.push((PRINCIPAL_ARN, b(arn.as_str())));
                out.push((IS_AWS_SERVICE, b("false")));
                out.push((PRINCIPAL_TYPE, b("FederatedUser")));
                out.push((USERID, Cow::Owned(format!("{account}:{name}"))));
            }
        }
        out
    }
}

/// Every context key some caller contradicts, as AWS spells them: the keys
/// AWS never sends for some caller ([`Principal::never_carried_keys`]) and
/// those it derives from one ([`Principal::derive_context`]). In the order
/// of their lower-cased forms, which is a context's (a test keeps it so, and
/// each a known key).
const CALLER_KEYS: [&str; 13] = [
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalType",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:userid",
    "aws:username",
];

// The places of the keys in `CALLER_KEYS`.
const PRINCIPAL_ACCOUNT: usize = 0;
const PRINCIPAL_ARN: usize = 1;
const IS_AWS_SERVICE: usize = 2;
const ORG_ID: usize = 3;
const ORG_PATHS: usize = 4;
const SERVICE_NAME: usize = 5;
const PRINCIPAL_TYPE: usize = 6;
const SOURCE_ACCOUNT: usize = 7;
const SOURCE_ARN: usize = 8;
const SOURCE_ORG_ID: usize = 9;
const SOURCE_ORG_PATHS: usize = 10;
const USERID: usize = 11;
const USERNAME: usize = 12;

/// For each rank in the table of known keys, 1 + the place in
/// [`CALLER_KEYS`] of the key of that rank, or 0 for a key no caller decides.
fn caller_places() -> &'static [u8; 256] {
    static PLACES: std::sync::OnceLock<[u8; 256]> = std::sync::OnceLock::new();
    PLACES.get_or_init(|| {
        let mut places = [0u8; 256];
        for (i, k) in CALLER_KEYS.iter().enumerate() {
            if let Some(slot) =
                known_keys::lookup(k).and_then(|k| places.get_mut(usize::from(k.rank)))
            {
                *slot = u8::try_from(i + 1).unwrap_or(0);
            }
        }
        places
    })
}

/// 1 + the place in [`CALLER_KEYS`] of the entry's key (in any case), or 0
/// when no caller can contradict it: told by the key's rank when it is a
/// known key (most are; `places` is [`caller_places`]), else by its text.
#[inline]
fn caller_place(e: &ContextEntry, places: &[u8; 256]) -> usize {
    match e.key.rank() {
        Some(rank) => usize::from(places.get(usize::from(rank)).copied().unwrap_or(0)),
        None => caller_place_of_text(e.key.lower()),
    }
}

/// [`caller_place`] of a key that is not a known key (rare: a caller key
/// in another case than AWS spells it).
#[cold]
#[inline(never)]
fn caller_place_of_text(lower: &str) -> usize {
    if !lower.starts_with("aws:") {
        return 0;
    }
    CALLER_KEYS
        .iter()
        .position(|k| k.eq_ignore_ascii_case(lower))
        .map_or(0, |i| i + 1)
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
        if matches!(self, Principal::Unspecified) {
            return Vec::new();
        }
        // The given entries of the keys a caller can contradict, by their
        // places in `CALLER_KEYS`: in most contexts none or a few, found
        // in one look at each key.
        // (at 1 + the place; 0 takes the other keys)
        let mut given: [Option<&ContextEntry>; CALLER_KEYS.len() + 1] =
            [None; CALLER_KEYS.len() + 1];
        let mut any = false;
        let places = caller_places();
        for e in context.entries() {
            let place = caller_place(e, places);
            if place != 0 && e.origin == Origin::Given {
                if let Some(slot) = given.get_mut(place) {
                    *slot = Some(e);
                    any = true;
                }
            }
        }
        if !any {
            return Vec::new();
        }
        let at = |k: usize| given.get(k + 1).copied().flatten();
        let mut out = Vec::new();
        for &k in self.never_carried() {
            if let Some(e) = at(k) {
                out.push(ContextConflict {
                    key: e.key.to_string(),
                    aws_sends: None,
                });
            }
        }
        // in the context's order, which is the places' order
        for (k, aws) in self.derived_keys() {
            let Some(e) = at(k) else {
                continue;
            };
            let agrees = match &e.value {
                ContextValue::Single(v) => {
                    *v == aws || (k == PRINCIPAL_ARN && self.names_own_role(v))
                }
                ContextValue::Multi(_) => false,
            };
            if !agrees {
                out.push(ContextConflict {
                    key: e.key.to_string(),
                    aws_sends: Some(aws.into_owned()),
                });
            }
        }
        out
    }

    /// Whether `value` of `key` is this role session's role ARN written with
    /// a path (`arn:aws:iam::111122223333:role/app/deploy` for a session of
    /// `deploy`).
    fn names_own_role(&self, value: &str) -> bool {
        let Principal::RoleSession {
            role_arn,
            role_name,
            ..
        } = self
        else {
            return false;
        };
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

    /// One caller of each kind.
    fn callers() -> Vec<Principal> {
        [
            "anonymous",
            "cloudtrail.amazonaws.com",
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/dev/alice",
            "arn:aws:iam::111122223333:role/app",
            "arn:aws:sts::111122223333:assumed-role/app/s1",
            "arn:aws:sts::111122223333:federated-user/bob",
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL",
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        ]
        .iter()
        .map(|p| Principal::parse(p).unwrap())
        .chain([Principal::Unspecified])
        .collect()
    }

    /// `context_conflicts` looks only at keys a caller can contradict:
    /// every key a caller never carries or derives is one of them.
    #[test]
    fn caller_keys_hold_every_key_a_caller_decides() {
        for caller in callers() {
            let mut derived = Context::new();
            caller.derive_context(&mut derived);
            let keys = caller
                .never_carried_keys()
                .into_iter()
                .map(str::to_ascii_lowercase)
                .chain(derived.entries().iter().map(|e| e.key.lower().to_string()));
            for key in keys {
                assert!(
                    CALLER_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key)),
                    "{key} of {caller}"
                );
            }
        }
        for k in CALLER_KEYS {
            assert!(known_keys::lookup(k).is_some(), "{k} is a known key");
        }
        let lower = CALLER_KEYS.map(str::to_lowercase);
        assert!(lower.windows(2).all(|w| w[0] < w[1]), "in order: {lower:?}");
        let places = [
            (PRINCIPAL_ACCOUNT, "aws:PrincipalAccount"),
            (PRINCIPAL_ARN, "aws:PrincipalArn"),
            (IS_AWS_SERVICE, "aws:PrincipalIsAWSService"),
            (ORG_ID, "aws:PrincipalOrgID"),
            (ORG_PATHS, "aws:PrincipalOrgPaths"),
            (SERVICE_NAME, "aws:PrincipalServiceName"),
            (PRINCIPAL_TYPE, "aws:PrincipalType"),
            (SOURCE_ACCOUNT, "aws:SourceAccount"),
            (SOURCE_ARN, "aws:SourceArn"),
            (SOURCE_ORG_ID, "aws:SourceOrgID"),
            (SOURCE_ORG_PATHS, "aws:SourceOrgPaths"),
            (USERID, "aws:userid"),
            (USERNAME, "aws:username"),
        ];
        for (place, key) in places {
            assert_eq!(CALLER_KEYS[place], key);
        }
        for caller in callers() {
            let derived = caller.derived_keys();
            assert!(derived.windows(2).all(|w| w[0].0 < w[1].0), "{caller}");
        }
    }

    /// The conflicts as first written: the caller's keys derived into a
    /// context of their own, and each looked up in the given one.
    fn reference_conflicts(caller: &Principal, context: &Context) -> Vec<ContextConflict> {
        let mut out = Vec::new();
        if matches!(caller, Principal::Unspecified) {
            return out;
        }
        for k in caller.never_carried_keys() {
            if let Some(e) = context.get(k).filter(|e| e.origin == Origin::Given) {
                out.push(ContextConflict {
                    key: e.key.to_string(),
                    aws_sends: None,
                });
            }
        }
        let mut derived = Context::new();
        caller.derive_context(&mut derived);
        for d in derived.entries() {
            let Some(given) = context.get(&d.key).filter(|e| e.origin == Origin::Given) else {
                continue;
            };
            let ContextValue::Single(aws) = &d.value else {
                continue;
            };
            let agrees = match &given.value {
                ContextValue::Single(v) => {
                    v == aws
                        || (d.key.eq_ignore_ascii_case("aws:PrincipalArn")
                            && caller.names_own_role(v))
                }
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

    /// The conflicts are those of the first way of finding them, for every
    /// caller and contexts of caller keys (as AWS spells them, in capitals,
    /// and spelled as the table of known keys also has them), other keys,
    /// and both.
    #[test]
    fn conflicts_are_found_as_first_written() {
        let values = [
            "111122223333",
            "arn:aws:iam::111122223333:user/dev/alice",
            "arn:aws:iam::111122223333:role/path/app",
            "AssumedRole",
            "anonymous",
            "x",
        ];
        let others = ["aws:SecureTransport", "s3:prefix", "aws:SourceIp"];
        let spellings = |k: &str| [k.to_string(), k.to_ascii_uppercase(), k.to_lowercase()];
        for caller in callers() {
            for key in CALLER_KEYS.iter().chain(&others).flat_map(|k| spellings(k)) {
                for value in values {
                    for extra in [None, Some("aws:SourceVpce"), Some("AWS:PrincipalArn")] {
                        let mut c = Context::new();
                        c.set(&key, value, Origin::Given);
                        if let Some(k) = extra {
                            c.set(k, value, Origin::Given);
                        }
                        assert_eq!(
                            caller.context_conflicts(&c),
                            reference_conflicts(&caller, &c),
                            "{caller} {key}={value} {extra:?}"
                        );
                    }
                }
            }
            // every key at once, given and derived: the order of the conflicts
            for value in values {
                let mut c = Context::new();
                for k in CALLER_KEYS.iter().chain(&others) {
                    c.set(k, value, Origin::Given);
                }
                c.set("aws:CalledVia", value, Origin::Derived);
                let found = caller.context_conflicts(&c);
                assert_eq!(found, reference_conflicts(&caller, &c), "{caller} {value}");
            }
            let mut derived = Context::new();
            caller.derive_context(&mut derived);
            assert!(caller.context_conflicts(&derived).is_empty());
        }
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
