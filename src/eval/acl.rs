//! S3 access control lists and object ownership, where AWS still evaluates
//! them (spec E-20, E-21).
//!
//! An ACL is a list of grants, each a grantee (an account, or one of S3's
//! predefined groups) and a permission (`READ`, `WRITE`, `READ_ACP`,
//! `WRITE_ACP`, `FULL_CONTROL`). "When a request is received against a
//! resource, Amazon S3 checks the corresponding ACL to verify that the
//! requester has the necessary access permissions" (S3 User Guide, "Access
//! control list (ACL) overview",
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html>).
//! s3guard evaluates an ACL grant as a resource-side Allow beside the
//! bucket policy: a grant to an account is a delegation (the caller's
//! identity policy must allow too, as for a bucket-policy grant to the
//! account), a grant to `AllUsers` reaches everyone, one to
//! `AuthenticatedUsers` every signed request.
//!
//! Object Ownership decides whether ACLs count at all: with
//! `BucketOwnerEnforced`, "ACLs are disabled and no longer affect
//! permissions", and a PUT that carries an ACL other than
//! `bucket-owner-full-control` fails (`AccessControlListNotSupported`).
//! With ACLs enabled, an object written by another account belongs to that
//! account, and the bucket owner's policy does not reach it: "The
//! permissions attached to the bucket apply to all of the objects in the
//! bucket that are owned by the bucket owner. These permissions don't apply
//! to objects that are owned by other AWS accounts" (S3 User Guide, "Bucket
//! policies").

use std::fmt;

use serde::Serialize;

use crate::eval::policy_set::PolicySet;
use crate::eval::response::PrincipalMatch;
use crate::matcher::Resource;
use crate::request::context::{Context, ContextValue, Origin};
use crate::request::{Principal, Request};

/// The `AllUsers` group: everyone, signed or not.
pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// The `AuthenticatedUsers` group: every signed request of any AWS account.
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
/// The `LogDelivery` group: S3 server access logging.
pub const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// An ACL permission (S3 User Guide, "What permissions can I grant?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AclPermission {
    /// Bucket: list its objects. Object: read its data and metadata.
    Read,
    /// Bucket: create objects in it. (Not applicable to objects.)
    Write,
    /// Read the ACL.
    ReadAcp,
    /// Write the ACL.
    WriteAcp,
    /// All of the above.
    FullControl,
}

impl AclPermission {
    /// The header suffix (`read`, `write`, `read-acp`, `write-acp`, `full-control`).
    pub fn header(self) -> &'static str {
        match self {
            AclPermission::Read => "read",
            AclPermission::Write => "write",
            AclPermission::ReadAcp => "read-acp",
            AclPermission::WriteAcp => "write-acp",
            AclPermission::FullControl => "full-control",
        }
    }

    /// AWS's name (`READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`).
    pub fn name(self) -> &'static str {
        match self {
            AclPermission::Read => "READ",
            AclPermission::Write => "WRITE",
            AclPermission::ReadAcp => "READ_ACP",
            AclPermission::WriteAcp => "WRITE_ACP",
            AclPermission::FullControl => "FULL_CONTROL",
        }
    }

    fn parse(header: &str) -> Option<AclPermission> {
        [
            AclPermission::Read,
            AclPermission::Write,
            AclPermission::ReadAcp,
            AclPermission::WriteAcp,
            AclPermission::FullControl,
        ]
        .into_iter()
        .find(|p| p.header() == header)
    }

    /// Whether this permission includes `wanted` (`FULL_CONTROL` includes all).
    fn covers(self, wanted: AclPermission) -> bool {
        self == wanted || self == AclPermission::FullControl
    }
}

/// Who an ACL grant names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type", content = "value")]
pub enum Grantee {
    /// An AWS account by its 12-digit id (what an S3 canonical user id
    /// stands for; see `--canonical-id`).
    Account(String),
    /// An S3 canonical user id, lowercased.
    CanonicalUser(String),
    /// A predefined group by its URI.
    Group(String),
}

impl Grantee {
    /// Parses `id=VALUE` or `uri=VALUE` (also `id:VALUE`); a group may be
    /// named by its last word (`AllUsers`).
    fn parse(text: &str) -> Result<Grantee, String> {
        let t = text.trim().trim_matches('"');
        let cut = t
            .find(['=', ':'])
            .ok_or_else(|| format!("grantee `{t}` is not TYPE=VALUE (id=… or uri=…)"))?;
        let (kind, value) = (
            t.get(..cut).unwrap_or_default(),
            t.get(cut + 1..).unwrap_or_default(),
        );
        let value = value.trim().trim_matches('"');
        match kind.trim() {
            "id" if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Grantee::Account(value.to_string()))
            }
            "id" if crate::policy::is_canonical_user_id(value) => {
                Ok(Grantee::CanonicalUser(value.to_ascii_lowercase()))
            }
            "id" => Err(format!(
                "grantee id `{value}` is neither a 12-digit account nor a 64-hex-digit canonical user id"
            )),
            "uri" => [ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]
                .into_iter()
                .find(|g| *g == value || g.rsplit('/').next() == Some(value))
                .map(|g| Grantee::Group(g.to_string()))
                .ok_or_else(|| format!("grantee uri `{value}` is not an S3 predefined group (AllUsers, AuthenticatedUsers, LogDelivery)")),
            "emailAddress" => Err(format!(
                "grantee `{t}`: s3guard cannot tell which account an email address stands for"
            )),
            other => Err(format!("grantee type `{other}` is not id or uri")),
        }
    }

    /// Whether a grant to this grantee is public: "Amazon S3 considers a
    /// bucket or object ACL public if it grants any permissions to members
    /// of the predefined `AllUsers` or `AuthenticatedUsers` groups".
    pub fn is_public(&self) -> bool {
        matches!(self, Grantee::Group(g) if g == ALL_USERS || g == AUTHENTICATED_USERS)
    }
}

impl fmt::Display for Grantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grantee::Account(a) | Grantee::CanonicalUser(a) => write!(f, "id={a}"),
            Grantee::Group(g) => write!(f, "uri={g}"),
        }
    }
}

/// One grant of an ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Who.
    pub grantee: Grantee,
    /// What.
    pub permission: AclPermission,
}

/// The canned ACLs (S3 User Guide, "Canned ACL").
pub const CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "aws-exec-read",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
];

/// An S3 access control list, as a canned ACL or explicit grants ("You can
/// use either a canned ACL or specify access permissions explicitly").
/// The owner's own `FULL_CONTROL` is implicit: it gives the owner's
/// account nothing its identity policies do not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Acl {
    /// A canned ACL (`public-read`, `bucket-owner-full-control`, …).
    Canned(String),
    /// Explicit grants (`x-amz-grant-read: id=…`).
    Grants(Vec<Grant>),
}

impl Acl {
    /// Parses the items of `--object-acl`/`--bucket-acl`: one canned ACL
    /// (`public-read`), or grants written `grant-PERMISSION=GRANTEE[,GRANTEE…]`
    /// with grantees `id=ACCOUNT_OR_CANONICAL_ID` or `uri=GROUP_URI`.
    pub fn parse(items: &[String]) -> Result<Acl, String> {
        let mut grants = Vec::new();
        let mut canned = None;
        for item in items {
            let item = item.trim();
            if CANNED.contains(&item) {
                if canned.is_some() || !grants.is_empty() || items.len() > 1 {
                    return Err(format!("`{item}`: a canned ACL cannot be combined with other ACL items (AWS takes either a canned ACL or explicit grants)"));
                }
                canned = Some(item.to_string());
                continue;
            }
            let Some((perm, grantees)) =
                item.strip_prefix("grant-").and_then(|r| r.split_once('='))
            else {
                return Err(format!(
                    "`{item}` is neither a canned ACL ({}) nor grant-PERMISSION=GRANTEE",
                    CANNED.join(", ")
                ));
            };
            let permission = AclPermission::parse(perm).ok_or_else(|| {
                format!("`grant-{perm}` is not an ACL permission (grant-read, grant-write, grant-read-acp, grant-write-acp, grant-full-control)")
            })?;
            for g in grantees.split(',').filter(|g| !g.trim().is_empty()) {
                grants.push(Grant {
                    grantee: Grantee::parse(g)?,
                    permission,
                });
            }
        }
        match canned {
            Some(c) => Ok(Acl::Canned(c)),
            None if grants.is_empty() => Err("the ACL has no grant".into()),
            None => Ok(Acl::Grants(grants)),
        }
    }

    /// The grants beyond the owner's own, with the bucket owner's account
    /// where a canned ACL names it.
    pub fn grants(&self, bucket_owner: Option<&str>) -> Vec<Grant> {
        let group = |g: &str, permission| Grant {
            grantee: Grantee::Group(g.to_string()),
            permission,
        };
        let owner = |permission| {
            bucket_owner.map(|a| Grant {
                grantee: Grantee::Account(a.to_string()),
                permission,
            })
        };
        match self {
            Acl::Grants(g) => g.clone(),
            Acl::Canned(c) => match c.as_str() {
                "public-read" => vec![group(ALL_USERS, AclPermission::Read)],
                "public-read-write" => vec![
                    group(ALL_USERS, AclPermission::Read),
                    group(ALL_USERS, AclPermission::Write),
                ],
                "authenticated-read" => vec![group(AUTHENTICATED_USERS, AclPermission::Read)],
                "bucket-owner-read" => owner(AclPermission::Read).into_iter().collect(),
                "bucket-owner-full-control" => {
                    owner(AclPermission::FullControl).into_iter().collect()
                }
                "log-delivery-write" => vec![
                    group(LOG_DELIVERY, AclPermission::Write),
                    group(LOG_DELIVERY, AclPermission::ReadAcp),
                ],
                // private; aws-exec-read (EC2 reads AMI bundles: not modelled)
                _ => Vec::new(),
            },
        }
    }

    /// Whether the ACL is public: some grant to `AllUsers` or
    /// `AuthenticatedUsers` (E-19).
    pub fn is_public(&self) -> bool {
        self.grants(None).iter().any(|g| g.grantee.is_public())
    }

    /// Whether the ACL is accepted by a bucket whose ACLs are disabled
    /// (`BucketOwnerEnforced`): `bucket-owner-full-control`, or full
    /// control to the bucket owner and nothing else (E-21).
    pub fn is_bucket_owner_full_control(&self, bucket_owner: Option<&str>) -> bool {
        match self {
            Acl::Canned(c) => c == "bucket-owner-full-control",
            Acl::Grants(g) => g.iter().all(|g| {
                g.permission == AclPermission::FullControl
                    && matches!(&g.grantee, Grantee::Account(a) if Some(a.as_str()) == bucket_owner)
            }),
        }
    }

    /// The request headers that carry this ACL, as condition keys:
    /// `s3:x-amz-acl` for a canned ACL, `s3:x-amz-grant-PERMISSION` (the
    /// grantees, comma-separated) for grants.
    pub fn header_keys(&self) -> Vec<(String, String)> {
        match self {
            Acl::Canned(c) => vec![("s3:x-amz-acl".to_string(), c.clone())],
            Acl::Grants(grants) => {
                let mut out: Vec<(String, String)> = Vec::new();
                for g in grants {
                    let key = format!("s3:x-amz-grant-{}", g.permission.header());
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => *v = format!("{v}, {}", g.grantee),
                        None => out.push((key, g.grantee.to_string())),
                    }
                }
                out
            }
        }
    }

    /// The ACL a request carries in its headers (its context keys
    /// `s3:x-amz-acl` and `s3:x-amz-grant-*`), if any. Grantees that do not
    /// parse are left out.
    pub fn from_request(ctx: &Context) -> Option<Acl> {
        let single = |key: &str| -> Vec<String> {
            match ctx.get_lower(key).map(|e| &e.value) {
                Some(ContextValue::Single(s)) => vec![s.clone()],
                Some(ContextValue::Multi(v)) => v.clone(),
                None => Vec::new(),
            }
        };
        if let Some(c) = single("s3:x-amz-acl").into_iter().next() {
            return Some(Acl::Canned(c));
        }
        let mut grants = Vec::new();
        for perm in [
            AclPermission::Read,
            AclPermission::Write,
            AclPermission::ReadAcp,
            AclPermission::WriteAcp,
            AclPermission::FullControl,
        ] {
            for value in single(&format!("s3:x-amz-grant-{}", perm.header())) {
                for g in value.split(',') {
                    if let Ok(grantee) = Grantee::parse(g) {
                        grants.push(Grant {
                            grantee,
                            permission: perm,
                        });
                    }
                }
            }
        }
        (!grants.is_empty()).then_some(Acl::Grants(grants))
    }
}

impl fmt::Display for Acl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Acl::Canned(c) => f.write_str(c),
            Acl::Grants(g) => {
                for (i, g) in g.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "grant-{}={}", g.permission.header(), g.grantee)?;
                }
                Ok(())
            }
        }
    }
}

/// S3 Object Ownership, the bucket setting that enables or disables ACLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ObjectOwnership {
    /// ACLs are disabled; the bucket owner owns every object.
    BucketOwnerEnforced,
    /// ACLs count; uploads with `bucket-owner-full-control` become the
    /// bucket owner's.
    BucketOwnerPreferred,
    /// ACLs count; the writer owns what it uploads.
    ObjectWriter,
}

impl ObjectOwnership {
    /// Parses AWS's spelling.
    pub fn parse(s: &str) -> Option<ObjectOwnership> {
        Some(match s {
            "BucketOwnerEnforced" => ObjectOwnership::BucketOwnerEnforced,
            "BucketOwnerPreferred" => ObjectOwnership::BucketOwnerPreferred,
            "ObjectWriter" => ObjectOwnership::ObjectWriter,
            _ => return None,
        })
    }

    /// Every spelling, for messages.
    pub const NAMES: [&'static str; 3] = [
        "BucketOwnerEnforced",
        "BucketOwnerPreferred",
        "ObjectWriter",
    ];
}

/// Which ACL a request is checked against, and for which permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AclOf {
    /// The bucket's ACL.
    Bucket,
    /// The object's ACL.
    Object,
}

/// An ACL grant that allowed a request: which ACL and which grant of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct AclGrantRef {
    /// The bucket's or the object's ACL.
    pub acl: AclOf,
    /// The grant's index in [`Acl::grants`].
    pub grant: u32,
}

/// The ACL and permission an action is authorized by ("Mapping of ACL
/// permissions and access policy permissions"), if any.
pub(crate) fn acl_permission(action_lower: &str) -> Option<(AclOf, AclPermission)> {
    Some(match action_lower {
        "s3:listbucket" | "s3:listbucketversions" | "s3:listbucketmultipartuploads" => {
            (AclOf::Bucket, AclPermission::Read)
        }
        "s3:putobject" => (AclOf::Bucket, AclPermission::Write),
        "s3:getbucketacl" => (AclOf::Bucket, AclPermission::ReadAcp),
        "s3:putbucketacl" => (AclOf::Bucket, AclPermission::WriteAcp),
        "s3:getobject" | "s3:getobjectversion" => (AclOf::Object, AclPermission::Read),
        "s3:getobjectacl" | "s3:getobjectversionacl" => (AclOf::Object, AclPermission::ReadAcp),
        "s3:putobjectacl" | "s3:putobjectversionacl" => (AclOf::Object, AclPermission::WriteAcp),
        _ => return None,
    })
}

/// The requests that carry an ACL in their headers, and whose ACL: the
/// object's for uploads and object ACL writes, the bucket's for bucket
/// creation and bucket ACL writes.
pub(crate) fn acl_carried(action_lower: &str) -> Option<AclOf> {
    match action_lower {
        "s3:putobject" | "s3:putobjectacl" | "s3:putobjectversionacl" => Some(AclOf::Object),
        "s3:putbucketacl" | "s3:createbucket" => Some(AclOf::Bucket),
        _ => None,
    }
}

/// Object actions on an object that already exists, which its owner's
/// permissions govern. Uploads create a new object (the bucket's ACL
/// decides), and the bucket owner "can create, overwrite, and delete any
/// object in the bucket".
pub(crate) fn reads_existing_object(action_lower: &str) -> bool {
    action_lower.starts_with("s3:")
        && !matches!(
            action_lower,
            "s3:putobject"
                | "s3:deleteobject"
                | "s3:deleteobjectversion"
                | "s3:abortmultipartupload"
                | "s3:listmultipartuploadparts"
        )
        && crate::catalog::catalog()
            .lookup(action_lower)
            .is_some_and(|i| i.supports_resource_type("object"))
}

/// Sets the condition keys of the ACL a request carries (`s3:x-amz-acl`,
/// `s3:x-amz-grant-*`) for the actions that carry one; keys already in the
/// context are left alone.
pub fn set_header_keys(req: &mut Request, object_acl: Option<&Acl>, bucket_acl: Option<&Acl>) {
    let acl = match acl_carried(req.action.lower()) {
        Some(AclOf::Object) => object_acl,
        Some(AclOf::Bucket) => bucket_acl,
        None => None,
    };
    if let Some(acl) = acl {
        for (k, v) in acl.header_keys() {
            req.context
                .set_default(&k, ContextValue::Single(v), Origin::Given);
        }
    }
}

impl PolicySet {
    /// Whether ACLs take part in evaluation: Object Ownership is not
    /// `BucketOwnerEnforced` (not said: ACLs given are taken to count).
    pub(crate) fn acls_enabled(&self) -> bool {
        self.options().object_ownership != Some(ObjectOwnership::BucketOwnerEnforced)
    }

    /// The owner of the requested object when it is not the bucket owner
    /// (`--object-owner`, ACLs enabled, an action on an existing object):
    /// then the bucket policy grants nothing on it (its Deny statements
    /// still apply), and the object's ACL is the resource side (E-21).
    pub fn foreign_object_owner<'a>(&'a self, req: &Request) -> Option<&'a str> {
        let owner = self.options().object_owner.as_deref()?;
        let on_object = match &req.resource {
            Resource::Arn(arn) => arn.service() == "s3" && arn.resource().contains('/'),
            Resource::Wildcard => false,
        };
        (self.acls_enabled()
            && on_object
            && reads_existing_object(req.action.lower())
            && req.effective_resource_account() != Some(owner))
        .then_some(owner)
    }

    /// Whether caller and resource owner are one account (E-5 vs E-6): the
    /// object's owner when it is not the bucket's, else the bucket's.
    pub(crate) fn is_same_account_as_owner(&self, req: &Request) -> bool {
        match (self.foreign_object_owner(req), req.principal.account()) {
            (Some(owner), Some(caller)) => owner == caller,
            (Some(_), None) => true,
            (None, _) => req.is_same_account(),
        }
    }

    /// The ACL grants that allow this request, with how their grantee
    /// matched the caller. Nothing when ACLs are disabled; public grants
    /// are ignored under `IgnorePublicAcls`; the ACL a request carries
    /// grants nothing to that request.
    // inlined into `collect`, its caller on the hot path, as thin LTO
    // chose until an unrelated change (out of line: ~25 instructions an
    // answer more)
    #[inline]
    pub(crate) fn acl_grants(
        &self,
        req: &Request,
    ) -> smallvec::SmallVec<[(AclGrantRef, PrincipalMatch); 2]> {
        let mut out = smallvec::SmallVec::new();
        if !self.acls_enabled() {
            return out;
        }
        let Some((of, wanted, acl)) = self.acl_consulted(req) else {
            return out;
        };
        let ignore_public = self.options().block_public_access.ignore_public_acls;
        // a grant to the resource owner's own account adds nothing to what
        // its identity policies give (the owner's FULL_CONTROL is implicit)
        let owner = match of {
            AclOf::Object => self
                .foreign_object_owner(req)
                .or_else(|| req.effective_resource_account()),
            AclOf::Bucket => req.effective_resource_account(),
        };
        for (i, g) in acl
            .grants(req.effective_resource_account())
            .iter()
            .enumerate()
        {
            let to_owner = matches!(&g.grantee, Grantee::Account(a) if Some(a.as_str()) == owner);
            if !g.permission.covers(wanted) || to_owner || (ignore_public && g.grantee.is_public())
            {
                continue;
            }
            if let Some(m) = self.grantee_matches(&g.grantee, &req.principal) {
                out.push((
                    AclGrantRef {
                        acl: of,
                        grant: u32::try_from(i).unwrap_or(u32::MAX),
                    },
                    m,
                ));
            }
        }
        out
    }

    /// The stored ACL a request is authorized by (whether or not ACLs are
    /// enabled), the permission it needs, and which ACL it is: the bucket's
    /// or the object's, as given. The ACL a request carries grants nothing
    /// to that request.
    pub fn acl_consulted(&self, req: &Request) -> Option<(AclOf, AclPermission, &Acl)> {
        let action = req.action.lower();
        let (of, wanted) = acl_permission(action)?;
        if acl_carried(action) == Some(of) {
            return None;
        }
        let opts = self.options();
        let acl = match of {
            AclOf::Bucket => opts.bucket_acl.as_ref(),
            AclOf::Object => opts.object_acl.as_ref(),
        }?;
        Some((of, wanted, acl))
    }

    /// How an ACL grantee names the caller: its account (a delegation, as a
    /// bucket-policy grant to the account), everyone, or itself.
    fn grantee_matches(&self, grantee: &Grantee, p: &Principal) -> Option<PrincipalMatch> {
        let account_of = |id: &str| -> Option<&str> {
            self.options()
                .canonical_ids
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(id))
                .map(|(_, a)| a.as_str())
        };
        match grantee {
            Grantee::Group(g) if g == ALL_USERS => Some(PrincipalMatch::Wildcard),
            Grantee::Group(g) if g == AUTHENTICATED_USERS => {
                (*p != Principal::Anonymous).then_some(PrincipalMatch::Wildcard)
            }
            Grantee::Group(_) => {
                matches!(p, Principal::Service(s) if s == "logging.s3.amazonaws.com")
                    .then_some(PrincipalMatch::Direct)
            }
            Grantee::Account(a) => {
                (p.account() == Some(a.as_str())).then_some(PrincipalMatch::Account)
            }
            Grantee::CanonicalUser(id) => match p {
                Principal::CanonicalUser { id: mine } if mine == id => Some(PrincipalMatch::Direct),
                Principal::CloudFrontOai { arn, .. } if account_of(id) == Some(arn.as_str()) => {
                    Some(PrincipalMatch::Direct)
                }
                _ => (p.account().is_some() && account_of(id) == p.account())
                    .then_some(PrincipalMatch::Account),
            },
        }
    }

    /// The grant an `AclGrantRef` points to.
    pub fn acl_grant(&self, r: AclGrantRef, req: &Request) -> Option<Grant> {
        let opts = self.options();
        let acl = match r.acl {
            AclOf::Bucket => opts.bucket_acl.as_ref(),
            AclOf::Object => opts.object_acl.as_ref(),
        }?;
        acl.grants(req.effective_resource_account())
            .into_iter()
            .nth(r.grant as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl(items: &[&str]) -> Result<Acl, String> {
        Acl::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    /// S3 User Guide, "Canned ACL" and "The meaning of "public""
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl).
    #[test]
    fn canned_acls_expand_to_their_grants_e20() {
        assert!(acl(&["public-read"]).unwrap().is_public());
        assert!(acl(&["public-read-write"]).unwrap().is_public());
        assert!(acl(&["authenticated-read"]).unwrap().is_public());
        assert!(!acl(&["private"]).unwrap().is_public());
        assert!(!acl(&["bucket-owner-full-control"]).unwrap().is_public());
        assert_eq!(
            acl(&["bucket-owner-full-control"])
                .unwrap()
                .grants(Some("111122223333")),
            vec![Grant {
                grantee: Grantee::Account("111122223333".into()),
                permission: AclPermission::FullControl
            }]
        );
        assert!(
            acl(&["grant-read=uri=http://acs.amazonaws.com/groups/global/AllUsers"])
                .unwrap()
                .is_public()
        );
        assert!(acl(&["grant-read=uri=AuthenticatedUsers"])
            .unwrap()
            .is_public());
        assert!(!acl(&["grant-read=id=111122223333,id:444455556666"])
            .unwrap()
            .is_public());
    }

    #[test]
    fn bad_acls_are_refused_with_the_reason() {
        assert!(acl(&["public-read", "grant-read=id=111122223333"])
            .unwrap_err()
            .contains("cannot be combined"));
        assert!(acl(&["public"]).unwrap_err().contains("canned ACL"));
        assert!(acl(&["grant-delete=id=111122223333"])
            .unwrap_err()
            .contains("not an ACL permission"));
        assert!(acl(&["grant-read=emailAddress=a@example.com"])
            .unwrap_err()
            .contains("email"));
        assert!(acl(&["grant-read=uri=Everyone"]).is_err());
    }

    /// The ACL headers become the condition keys `s3:x-amz-acl` and
    /// `s3:x-amz-grant-*`, and read back as the same ACL (S3 User Guide,
    /// ACL overview, "Condition keys").
    #[test]
    fn header_keys_round_trip_e20() {
        let a = acl(&[
            "grant-read=id=111122223333",
            "grant-read=uri=AllUsers",
            "grant-full-control=id=444455556666",
        ])
        .unwrap();
        let keys = a.header_keys();
        assert_eq!(
            keys,
            vec![
                (
                    "s3:x-amz-grant-read".to_string(),
                    format!("id=111122223333, uri={ALL_USERS}")
                ),
                (
                    "s3:x-amz-grant-full-control".to_string(),
                    "id=444455556666".to_string()
                ),
            ]
        );
        let mut ctx = Context::new();
        for (k, v) in keys {
            ctx.set(&k, v.as_str(), Origin::Given);
        }
        let back = Acl::from_request(&ctx).unwrap();
        assert!(back.is_public());
        assert_eq!(back.grants(None).len(), 3);
    }
}
