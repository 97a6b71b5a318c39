//! Which catalog actions are dangerous to grant: the ones that delete
//! (buckets, objects, versions, policies, configurations) and the ones that
//! change who can access (ACLs, policies, public access blocks, grants).
//!
//! The classification is computed from the catalog data, not listed by hand:
//! - **deletes**: the action name contains the word `Delete`
//!   (`DeleteObject`, `DeleteBucketPolicy`, `ReplicateDelete`, …), except
//!   tag edits (access level `Tagging`: `DeleteObjectTagging`);
//! - **changes permissions**: the Service Authorization Reference gives the
//!   action the access level `Permissions management` (`Put*Acl`,
//!   `Put*Policy`, `PutBucketPublicAccessBlock`, `CreateAccessGrant`, …);
//! - **deletes indirectly**: the one documented exception table below
//!   ([`INDIRECT_DELETES`]): actions whose effect can delete data later
//!   without the word `Delete` in their name.
//!
//! `PutObject` can overwrite an object; it is not flagged, since every
//! uploading application needs it (with versioning on, the old version stays).

use serde::Serialize;

use super::actions::{AccessLevel, ActionInfo};

/// Action names (any service) that delete data indirectly, with why.
pub const INDIRECT_DELETES: [(&str, &str); 3] = [
    (
        "PutLifecycleConfiguration",
        "lifecycle expiration rules delete objects and object versions",
    ),
    (
        "PutBucketVersioning",
        "suspending versioning lets overwrites and deletes destroy data",
    ),
    (
        "BypassGovernanceRetention",
        "lets deletes ignore Object Lock governance retention",
    ),
];

/// One way an action is dangerous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Danger {
    /// Deletes a bucket, objects, versions, a policy, a configuration or tags.
    Deletes,
    /// Changes who can access (Permissions management).
    ChangesPermissions,
    /// Can delete data later (lifecycle expiration).
    DeletesIndirectly,
}

impl Danger {
    /// Short label for text output.
    pub fn label(self) -> &'static str {
        match self {
            Danger::Deletes => "deletes",
            Danger::ChangesPermissions => "changes permissions",
            Danger::DeletesIndirectly => "deletes indirectly",
        }
    }
}

/// What an action acts on, for reporting destructive grants by level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The whole account (wildcard-only actions, spec M-6).
    Account,
    /// Buckets.
    Bucket,
    /// Objects (also through access points and Object Lambda access points).
    Object,
    /// Other resources: access points, jobs, Storage Lens, Access Grants, MRAPs.
    Other,
}

impl Scope {
    /// The scope of a catalog action, from its resource types.
    pub fn of(info: &ActionInfo) -> Scope {
        if info.wildcard_only {
            return Scope::Account;
        }
        let has = |n: &str| info.resource_types.iter().any(|r| r.name == n);
        if has("object")
            || has("accesspointobject")
            || (info.service == "s3-object-lambda" && info.name.contains("Object"))
        {
            Scope::Object
        } else if has("bucket") {
            Scope::Bucket
        } else {
            Scope::Other
        }
    }

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Bucket => "bucket",
            Scope::Object => "object",
            Scope::Other => "other",
        }
    }
}

/// Why granting an action is dangerous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destructive {
    /// The kinds of danger, sorted.
    pub dangers: Vec<Danger>,
    /// What it acts on.
    pub scope: Scope,
    /// One line for people.
    pub reason: String,
}

impl Destructive {
    /// `deletes (bucket)`, `changes permissions (object)`.
    pub fn label(&self) -> String {
        let kinds: Vec<&str> = self.dangers.iter().map(|d| d.label()).collect();
        format!("{} ({})", kinds.join(", "), self.scope.label())
    }
}

fn words(name: &str) -> impl Iterator<Item = &str> {
    let mut starts: Vec<usize> = name
        .char_indices()
        .filter(|(_, c)| c.is_ascii_uppercase())
        .map(|(i, _)| i)
        .collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(name.len()))
        .collect();
    starts
        .into_iter()
        .zip(ends)
        .filter_map(move |(a, b)| name.get(a..b))
}

/// Classifies an action; `None` when it neither deletes nor changes permissions.
pub fn destructive(info: &ActionInfo) -> Option<Destructive> {
    let mut dangers = Vec::new();
    let mut why = Vec::new();
    // Deleting tags is a tag edit, not a deletion of data (access level Tagging).
    if words(info.name).any(|w| w == "Delete") && info.access_level != AccessLevel::Tagging {
        dangers.push(Danger::Deletes);
        why.push(format!("{} deletes", info.name));
    }
    if info.access_level == AccessLevel::PermissionsManagement
        || info.access_level_raw.contains("Permissions management")
    {
        dangers.push(Danger::ChangesPermissions);
        why.push("access level Permissions management: changes who can access".to_string());
    }
    if let Some((_, reason)) = INDIRECT_DELETES.iter().find(|(n, _)| *n == info.name) {
        dangers.push(Danger::DeletesIndirectly);
        why.push((*reason).to_string());
    }
    if dangers.is_empty() {
        return None;
    }
    dangers.sort();
    Some(Destructive {
        dangers,
        scope: Scope::of(info),
        reason: why.join("; "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{catalog, lookup};

    fn class(a: &str) -> Option<Destructive> {
        destructive(lookup(a).unwrap())
    }

    #[test]
    fn splits_camel_case_words() {
        let w: Vec<&str> = words("ReplicateDelete").collect();
        assert_eq!(w, ["Replicate", "Delete"]);
        assert_eq!(words("PutBucketCORS").count(), 6);
    }

    #[test]
    fn named_examples_of_the_issue() {
        let d = class("s3:DeleteBucket").unwrap();
        assert_eq!(
            (d.dangers.as_slice(), d.scope),
            (&[Danger::Deletes][..], Scope::Bucket)
        );
        let d = class("s3:DeleteBucketPolicy").unwrap();
        assert_eq!(d.dangers, [Danger::Deletes, Danger::ChangesPermissions]);
        assert_eq!(class("s3:DeleteObject").unwrap().scope, Scope::Object);
        assert_eq!(
            class("s3:DeleteObjectVersion").unwrap().dangers,
            [Danger::Deletes]
        );
        for a in [
            "s3:PutBucketAcl",
            "s3:PutObjectAcl",
            "s3:PutBucketPolicy",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutAccessPointPolicy",
            "s3:PutBucketOwnershipControls",
        ] {
            assert_eq!(
                class(a).unwrap().dangers,
                [Danger::ChangesPermissions],
                "{a}"
            );
        }
        assert_eq!(
            class("s3:PutAccountPublicAccessBlock").unwrap().scope,
            Scope::Account
        );
        assert_eq!(
            class("s3:PutLifecycleConfiguration").unwrap().dangers,
            [Danger::DeletesIndirectly]
        );
        assert_eq!(
            class("s3:ReplicateDelete").unwrap().dangers,
            [Danger::Deletes]
        );
        for a in [
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "s3:GetBucketPolicy",
            "s3:CreateBucket",
        ] {
            assert!(class(a).is_none(), "{a}");
        }
    }

    #[test]
    fn whole_catalog_follows_the_rules() {
        for a in catalog().actions() {
            let d = destructive(a);
            let pm = a.access_level_raw.contains("Permissions management");
            let del = a.name.starts_with("Delete") && a.access_level != AccessLevel::Tagging;
            if pm || del {
                assert!(d.is_some(), "{} should be flagged", a.iam_action);
            }
            if matches!(a.access_level, AccessLevel::Read | AccessLevel::List) {
                assert!(d.is_none(), "{} reads, it cannot destroy", a.iam_action);
            }
            if let Some(d) = d {
                assert!(!d.dangers.is_empty() && !d.reason.is_empty());
            }
        }
    }

    #[test]
    fn counts_over_the_s3_catalog() {
        let s3: Vec<_> = catalog()
            .actions()
            .iter()
            .filter(|a| a.service == "s3")
            .filter_map(|a| destructive(a).map(|d| (a, d)))
            .collect();
        let deletes = s3
            .iter()
            .filter(|(_, d)| d.dangers.contains(&Danger::Deletes))
            .count();
        let perms = s3
            .iter()
            .filter(|(_, d)| d.dangers.contains(&Danger::ChangesPermissions))
            .count();
        // Data README: 27 s3 actions have the level Permissions management;
        // 24 action names carry the word Delete (23 Delete* + ReplicateDelete),
        // 4 of which only delete tags (access level Tagging).
        assert_eq!(perms, 27);
        assert_eq!(deletes, 20);
        let bucket_level: Vec<&str> = s3
            .iter()
            .filter(|(_, d)| d.scope == Scope::Bucket)
            .map(|(a, _)| a.name)
            .collect();
        for n in [
            "DeleteBucket",
            "PutBucketPolicy",
            "PutBucketAcl",
            "PutLifecycleConfiguration",
        ] {
            assert!(bucket_level.contains(&n), "{n}: {bucket_level:?}");
        }
    }
}
