//! S3 Block Public Access, all four settings (spec E-19), and the other
//! bucket setting that refuses a request whatever the policies say: ACLs
//! disabled by Object Ownership (E-21).
//!
//! "Amazon S3 Block Public Access provides four settings. These settings
//! are independent and can be used in any combination. Each setting can be
//! applied to an access point, a bucket, or an entire AWS account. If the
//! block public access settings for the access point, bucket, or account
//! differ, then Amazon S3 applies the most restrictive combination" (S3
//! User Guide, "Blocking public access to your Amazon S3 storage",
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>):
//! the settings in force are the union of the account's and the bucket's.
//!
//! - `BlockPublicAcls`: "PUT Bucket ACL and PUT Object ACL calls fail if the
//!   specified ACL is public. PUT Object calls fail if the request includes a
//!   public ACL. PUT Bucket calls fail if the request includes a public ACL."
//! - `IgnorePublicAcls`: "causes Amazon S3 to ignore all public ACLs on a
//!   bucket and any objects that it contains" (see [`acl`](super::acl)).
//! - `BlockPublicPolicy`: "reject calls to PUT Bucket policy if the
//!   specified bucket policy allows public access" — the new policy, given
//!   to s3guard with `--new-bucket-policy`, judged by the one definition of
//!   public ([`public_access`](super::public_access)).
//! - `RestrictPublicBuckets`: a public bucket policy grants only to AWS
//!   service principals and the bucket owner's account (E-15).
//!
//! The settings "act as explicit deny policies" (S3 User Guide,
//! troubleshooting access denied errors): a request a setting refuses is an
//! explicit deny without a Deny statement.

use serde::Serialize;

use crate::eval::acl::{acl_carried, Acl};
use crate::eval::policy_set::PolicySet;
use crate::request::{Principal, Request};

/// The four S3 Block Public Access settings in force for a bucket: the
/// union of its account's and its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlock {
    /// Refuse PUTs that carry a public ACL.
    pub block_public_acls: bool,
    /// Ignore public ACL grants when evaluating.
    pub ignore_public_acls: bool,
    /// Refuse `PutBucketPolicy` with a public policy.
    pub block_public_policy: bool,
    /// A public bucket policy grants only to the bucket's account and AWS services.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four settings on (`--block-public-access`).
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// Whether any setting is on.
    pub fn is_any(&self) -> bool {
        self.block_public_acls
            || self.ignore_public_acls
            || self.block_public_policy
            || self.restrict_public_buckets
    }

    /// The most restrictive combination of two levels (account and bucket).
    pub fn union(self, other: PublicAccessBlock) -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: self.block_public_acls || other.block_public_acls,
            ignore_public_acls: self.ignore_public_acls || other.ignore_public_acls,
            block_public_policy: self.block_public_policy || other.block_public_policy,
            restrict_public_buckets: self.restrict_public_buckets || other.restrict_public_buckets,
        }
    }

    /// AWS's names of the settings, in AWS's order, and whether each is on.
    pub fn settings(&self) -> [(&'static str, bool); 4] {
        [
            ("BlockPublicAcls", self.block_public_acls),
            ("IgnorePublicAcls", self.ignore_public_acls),
            ("BlockPublicPolicy", self.block_public_policy),
            ("RestrictPublicBuckets", self.restrict_public_buckets),
        ]
    }

    /// Turns on the setting AWS names `name`; false if there is none.
    pub fn set(&mut self, name: &str) -> bool {
        let slot = match name {
            "BlockPublicAcls" => &mut self.block_public_acls,
            "IgnorePublicAcls" => &mut self.ignore_public_acls,
            "BlockPublicPolicy" => &mut self.block_public_policy,
            "RestrictPublicBuckets" => &mut self.restrict_public_buckets,
            _ => return false,
        };
        *slot = true;
        true
    }
}

/// `true` turns all four settings on (what `--block-public-access` says).
impl From<bool> for PublicAccessBlock {
    fn from(all: bool) -> Self {
        if all {
            PublicAccessBlock::ALL
        } else {
            PublicAccessBlock::default()
        }
    }
}

/// The bucket setting that refuses a request whatever the policies say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Refusal {
    /// `RestrictPublicBuckets`: the bucket policy is public and the caller
    /// is neither of the bucket's account nor an AWS service (E-15).
    RestrictPublicBuckets,
    /// `BlockPublicPolicy`: the new bucket policy of a `PutBucketPolicy` is public.
    BlockPublicPolicy,
    /// `BlockPublicAcls`: the request carries a public ACL.
    BlockPublicAcls,
    /// Object Ownership `BucketOwnerEnforced`: the request carries an ACL
    /// other than bucket owner full control (`AccessControlListNotSupported`).
    AclsDisabled,
}

impl Refusal {
    /// Whether a Block Public Access setting refuses (not Object Ownership).
    pub fn is_block_public_access(self) -> bool {
        self != Refusal::AclsDisabled
    }

    /// The `blockedBy` name: `block-public-access` or `object-ownership`.
    pub fn layer_name(self) -> &'static str {
        if self.is_block_public_access() {
            "block-public-access"
        } else {
            "object-ownership"
        }
    }

    /// AWS's name of the setting.
    pub fn setting(self) -> &'static str {
        match self {
            Refusal::RestrictPublicBuckets => "RestrictPublicBuckets",
            Refusal::BlockPublicPolicy => "BlockPublicPolicy",
            Refusal::BlockPublicAcls => "BlockPublicAcls",
            Refusal::AclsDisabled => "BucketOwnerEnforced",
        }
    }
}

impl PolicySet {
    /// `RestrictPublicBuckets` takes the bucket policy's grants away from
    /// this caller (E-15): the policy is public and the caller is neither
    /// of the bucket's account nor an AWS service.
    pub(crate) fn public_access_restricts(&self, req: &Request) -> bool {
        // at an access point, the bucket policy does not take part (AP-1)
        !self.is_access_point_request(req)
            && self.options().block_public_access.restrict_public_buckets
            && self.is_bucket_policy_public()
            && match req.principal {
                Principal::Service(_) => false,
                // neither an AWS service nor of the bucket's account
                Principal::Anonymous
                | Principal::CloudFrontOai { .. }
                | Principal::CanonicalUser { .. } => true,
                _ => !req.is_same_account(),
            }
    }

    /// The bucket setting that refuses this request, if any (E-19, E-21),
    /// in the order: `RestrictPublicBuckets`, `BlockPublicPolicy`,
    /// `BlockPublicAcls`, ACLs disabled.
    pub fn refusal(&self, req: &Request) -> Option<Refusal> {
        let bpa = self.options().block_public_access;
        if self.public_access_restricts(req) {
            return Some(Refusal::RestrictPublicBuckets);
        }
        let action = req.action.lower();
        if bpa.block_public_policy
            && action == "s3:putbucketpolicy"
            && self.is_new_bucket_policy_public() == Some(true)
        {
            return Some(Refusal::BlockPublicPolicy);
        }
        acl_carried(action)?;
        if !bpa.block_public_acls && self.acls_enabled() {
            return None;
        }
        let carried = Acl::from_request(&req.context)?;
        if bpa.block_public_acls && carried.is_public() {
            return Some(Refusal::BlockPublicAcls);
        }
        // with ACLs disabled, only bucket owner full control is accepted (a
        // bucket's `private` ACL is that)
        let accepted = carried.is_bucket_owner_full_control(req.effective_resource_account())
            || (action == "s3:putbucketacl" && carried == Acl::Canned("private".into()));
        if !self.acls_enabled() && !accepted {
            return Some(Refusal::AclsDisabled);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "If the block public access settings for the access point, bucket,
    /// or account differ, then Amazon S3 applies the most restrictive
    /// combination" (S3 User Guide, Blocking public access).
    #[test]
    fn account_and_bucket_settings_combine_to_the_most_restrictive_e19() {
        let mut account = PublicAccessBlock::default();
        assert!(account.set("BlockPublicPolicy"));
        assert!(!account.set("BlockPublicPolicies"));
        let mut bucket = PublicAccessBlock::default();
        bucket.set("IgnorePublicAcls");
        let both = account.union(bucket);
        assert!(both.block_public_policy && both.ignore_public_acls);
        assert!(!both.block_public_acls && !both.restrict_public_buckets);
        assert_eq!(PublicAccessBlock::from(true), PublicAccessBlock::ALL);
        assert!(!PublicAccessBlock::from(false).is_any());
    }
}
