//! Which actions destroy data or change who has access: a rule over the
//! catalog's names and access levels, so that new catalog actions are
//! classified without editing a list.

use serde::Serialize;

use crate::catalog::{AccessLevel, ActionInfo, Danger};

/// How dangerous an action is, for ordering reports and verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Risk {
    /// Deletes buckets, objects, versions, policies or configurations, or
    /// can make data disappear (lifecycle expiration, suspended versioning).
    pub destructive: bool,
    /// Changes who can access something: policies, ACLs, public access
    /// blocks, ownership controls, access grants (catalog access level
    /// "Permissions management").
    pub changes_permissions: bool,
}

impl Risk {
    /// Classifies a catalog action with the catalog's own rule
    /// ([`crate::catalog::destructive`]): deletions (not tag edits), the
    /// writes that delete indirectly, and permission changes.
    pub fn of(info: &ActionInfo) -> Risk {
        let dangers = crate::catalog::destructive(info)
            .map(|d| d.dangers)
            .unwrap_or_default();
        Risk {
            destructive: dangers
                .iter()
                .any(|d| matches!(d, Danger::Deletes | Danger::DeletesIndirectly)),
            changes_permissions: dangers.contains(&Danger::ChangesPermissions),
        }
    }

    /// 0 for destructive, 1 for permission-changing, 2 for the rest.
    pub fn rank(self) -> u8 {
        if self.destructive {
            0
        } else if self.changes_permissions {
            1
        } else {
            2
        }
    }

    /// `destructive`, `changes permissions`, both, or nothing.
    pub fn label(self) -> &'static str {
        match (self.destructive, self.changes_permissions) {
            (true, true) => "destructive, changes permissions",
            (true, false) => "destructive",
            (false, true) => "changes permissions",
            (false, false) => "",
        }
    }
}

/// Why a `Put…` action counts as destructive, if it is one of the named ones.
pub fn destructive_reason(info: &ActionInfo) -> Option<&'static str> {
    crate::catalog::INDIRECT_DELETES
        .iter()
        .find(|(n, _)| *n == info.name)
        .map(|(_, why)| *why)
}

/// Where an access level stands in reports: Write, Permissions
/// management, Tagging, Read, List.
pub fn level_rank(level: AccessLevel) -> u8 {
    match level {
        AccessLevel::Write => 0,
        AccessLevel::PermissionsManagement => 1,
        AccessLevel::Tagging => 2,
        AccessLevel::Read => 3,
        AccessLevel::List => 4,
    }
}

/// Report order of actions: destructive first, then permission-changing,
/// then the rest; within each, `s3` before `s3express` and
/// `s3-object-lambda`, bucket and object actions before account-level ones
/// and those before other resource types, then by access level
/// (`level_rank`), then by name.
pub fn report_order(a: &ActionInfo, b: &ActionInfo) -> std::cmp::Ordering {
    let level = |i: &ActionInfo| level_rank(i.access_level);
    let service = |i: &ActionInfo| match i.service {
        "s3" => 0,
        "s3express" => 1,
        _ => 2,
    };
    let resource = |i: &ActionInfo| {
        if i.supports_resource_type("bucket") || i.supports_resource_type("object") {
            0
        } else if i.wildcard_only {
            1
        } else {
            2
        }
    };
    Risk::of(a)
        .rank()
        .cmp(&Risk::of(b).rank())
        .then(service(a).cmp(&service(b)))
        .then(resource(a).cmp(&resource(b)))
        .then(level(a).cmp(&level(b)))
        .then(a.iam_action.cmp(b.iam_action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::lookup;

    fn risk(a: &str) -> Risk {
        Risk::of(lookup(a).unwrap())
    }

    #[test]
    fn deletes_of_buckets_objects_versions_and_policies_are_destructive() {
        for a in [
            "s3:DeleteBucket",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:DeleteBucketPolicy",
            "s3:DeleteBucketWebsite",
            "s3express:DeleteBucket",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketVersioning",
        ] {
            assert!(risk(a).destructive, "{a}");
        }
        for a in [
            "s3:DeleteObjectTagging",
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
        ] {
            assert!(!risk(a).destructive, "{a}");
        }
    }

    #[test]
    fn acl_policy_and_public_access_block_changes_change_permissions() {
        for a in [
            "s3:PutObjectAcl",
            "s3:PutBucketAcl",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutAccountPublicAccessBlock",
        ] {
            assert!(risk(a).changes_permissions, "{a}");
        }
        assert!(!risk("s3:PutObject").changes_permissions);
        assert_eq!(
            risk("s3:DeleteBucketPolicy").label(),
            "destructive, changes permissions"
        );
    }

    #[test]
    fn every_named_destructive_write_is_in_the_catalog() {
        for (name, _) in crate::catalog::INDIRECT_DELETES {
            assert!(lookup(&format!("s3:{name}")).is_some(), "{name}");
        }
    }

    #[test]
    fn report_order_puts_destructive_first() {
        let mut v = [
            lookup("s3:GetObject").unwrap(),
            lookup("s3:PutObjectAcl").unwrap(),
            lookup("s3:DeleteObject").unwrap(),
            lookup("s3:PutObject").unwrap(),
        ];
        v.sort_by(|a, b| report_order(a, b));
        let names: Vec<&str> = v.iter().map(|a| a.iam_action).collect();
        assert_eq!(
            names,
            [
                "s3:DeleteObject",
                "s3:PutObjectAcl",
                "s3:PutObject",
                "s3:GetObject"
            ]
        );
    }
}
