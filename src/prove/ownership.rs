//! Object ownership and ACLs in proofs (spec E-20, E-21).
//!
//! With ACLs enabled and `--object-owner` naming another account than the
//! bucket's, a request on an existing object is decided against the
//! object's owner: the bucket policy grants nothing on it, and whether the
//! caller is "same account" is asked of the object owner (the evaluator's
//! rule, [`PolicySet::foreign_object_owner`]). So the combinations of
//! granting layers that allow ([`decision::minimal_grants`]) are not the
//! same for every request of a query: they are learned twice, once for the
//! requests the bucket owner's rules decide ("plain") and once for those
//! on another account's object ("foreign"), and each cell of the search
//! takes the table of its requests (both, when a cell may hold either).
//!
//! ACL grants are resource-side allows outside the statements the search
//! combines: when one could reach a request of the query the prover
//! cannot decide ([`acl_grant_reaches`]).

use super::decision::{self, Role};
use super::Limit;
use crate::eval::acl::{acl_permission, AclOf};
use crate::eval::block_public_access::Refusal;
use crate::eval::policy_set::PolicySet;
use crate::matcher::{Action, Resource};
use crate::request::Request;

/// Whether S3 refuses every request with this action whatever its context
/// (spec E-19: `BlockPublicPolicy` refuses every `s3:PutBucketPolicy` of a
/// public new policy; `RestrictPublicBuckets` every request of a caller
/// outside the bucket's account): the evaluator's refusal, asked of the
/// template. The refusals that depend on the ACL a request carries (E-19,
/// E-21) are left to the evaluator's confirmation: a context may carry
/// another ACL.
pub(crate) fn refused_whatever_the_context(
    set: &PolicySet,
    template: &Request,
    action: &str,
) -> bool {
    variant(template, action, None).is_some_and(|r| {
        matches!(
            set.refusal(&r),
            Some(Refusal::BlockPublicPolicy | Refusal::RestrictPublicBuckets)
        )
    })
}

/// Which requests a search cell holds, as object ownership sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Owned {
    /// Requests the bucket owner's rules decide.
    Plain,
    /// Requests on an object another account owns (E-21).
    Foreign,
    /// Either kind: both tables count (a necessary condition).
    Either,
}

/// The minimal granting combinations for each kind of request.
pub(crate) struct GrantTables {
    plain: Vec<Vec<Role>>,
    /// `None` when no request of the query is on another account's object.
    foreign: Option<Vec<Vec<Role>>>,
    either: Vec<Vec<Role>>,
}

/// `template` with another action and resource (the caller, accounts and
/// context unchanged).
fn variant(template: &Request, action: &str, resource: Option<&str>) -> Option<Request> {
    let mut r = template.clone();
    r.action = Action::parse(action).ok()?;
    if let Some(res) = resource {
        r.resource = Resource::parse(res).ok()?;
    }
    Some(r)
}

/// An object ARN for the template's requests: its own resource when that
/// names one (an access point's object), else an object of a bucket.
fn object_template(template: &Request) -> Option<Request> {
    let own = match &template.resource {
        Resource::Arn(a) if a.resource().contains('/') => Some(a.as_str().to_string()),
        _ => None,
    };
    variant(
        template,
        "s3:GetObject",
        Some(own.as_deref().unwrap_or("arn:aws:s3:::bucket/object")),
    )
}

impl GrantTables {
    /// Learns the tables from the evaluator's decision function.
    pub(crate) fn build(
        set: &PolicySet,
        template: &Request,
        available: &[Role],
    ) -> Result<GrantTables, Limit> {
        // `s3:DeleteObject` is an object action that never reads an existing
        // object nor carries an ACL: the bucket owner's rules decide it
        let plain_t = variant(template, "s3:DeleteObject", None)
            .ok_or_else(|| Limit("internal: the plain template request".into()))?;
        let plain = decision::minimal_grants(set, &plain_t, available)?;
        let foreign = match object_template(template) {
            Some(t) if set.foreign_object_owner(&t).is_some() => {
                Some(decision::minimal_grants(set, &t, available)?)
            }
            _ => None,
        };
        let mut either = plain.clone();
        for g in foreign.iter().flatten() {
            if !either.contains(g) {
                either.push(g.clone());
            }
        }
        Ok(GrantTables {
            plain,
            foreign,
            either,
        })
    }

    /// Whether some request of the query may be on another account's object.
    pub(crate) fn has_foreign(&self) -> bool {
        self.foreign.is_some()
    }

    /// Whether no combination allows any request.
    pub(crate) fn is_empty(&self) -> bool {
        self.either.is_empty()
    }

    /// The table of a cell's requests.
    pub(crate) fn of(&self, owned: Owned) -> &[Vec<Role>] {
        match (owned, &self.foreign) {
            (_, None) | (Owned::Plain, _) => &self.plain,
            (Owned::Foreign, Some(f)) => f,
            (Owned::Either, Some(_)) => &self.either,
        }
    }
}

/// Which kind of requests a cell holds: `reads_object` says every action of
/// its class reads an existing object (`None`: some do, some do not),
/// `resource_type` the type of its ARNs (`None` for `*` or untyped).
pub(crate) fn cell_kind(
    tables: &GrantTables,
    reads_object: Option<bool>,
    resource: &str,
    resource_type: Option<&str>,
) -> Owned {
    if !tables.has_foreign() || resource == "*" || reads_object == Some(false) {
        return Owned::Plain;
    }
    // an S3 object ARN always names a key after the bucket (`bucket/key`),
    // which is what makes a request one on an object
    match (reads_object, resource_type) {
        (Some(true), Some("object")) => Owned::Foreign,
        _ => Owned::Either,
    }
}

/// Whether an ACL grant could allow some request of the query's caller
/// with one of these catalog actions: the ACL the action consults is given
/// and some grant of it names the caller (E-20, the evaluator's
/// [`PolicySet::acl_grants`]). Asked of a bucket, an object and the
/// template's own resource and the query's pattern taken as an ARN (its
/// account), which is all a grant depends on besides the caller and the
/// action.
pub(crate) fn acl_grant_reaches(
    set: &PolicySet,
    template: &Request,
    query_resource: &str,
    actions: &[String],
) -> bool {
    let opts = set.options();
    if !set.acls_enabled() || (opts.object_acl.is_none() && opts.bucket_acl.is_none()) {
        return false;
    }
    let own = match &template.resource {
        Resource::Arn(a) => Some(a.as_str().to_string()),
        Resource::Wildcard => None,
    };
    let resources: Vec<&str> = ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/object"]
        .into_iter()
        .chain(own.as_deref())
        .chain(Some(query_resource).filter(|r| r.starts_with("arn:")))
        .collect();
    actions.iter().any(|a| {
        let Some((of, _)) = acl_permission(&a.to_ascii_lowercase()) else {
            return false;
        };
        resources
            .iter()
            // an object's ACL is consulted on objects (`bucket/key`)
            .filter(|r| of == AclOf::Bucket || r.split(':').nth(5).is_some_and(|p| p.contains('/')))
            .any(|r| {
                variant(template, a, Some(r)).is_some_and(|req| !set.acl_grants(&req).is_empty())
            })
    })
}
