//! The embedded catalog data (`data/*.json`, from AWS's Service Authorization
//! Reference; see `data/README.md` for the source and how to refresh it).

use std::sync::OnceLock;

use serde::Deserialize;

const ACTIONS_JSON: &str = include_str!("../../data/s3-actions.json");
const KEYS_JSON: &str = include_str!("../../data/s3-condition-keys.json");

#[derive(Debug, Deserialize)]
pub(super) struct ActionsFile {
    pub source: SourceInfo,
    pub services: std::collections::BTreeMap<String, ServiceData>,
}

#[derive(Debug, Deserialize)]
pub(super) struct SourceInfo {
    pub package: String,
    pub version: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServiceData {
    pub prefix: String,
    pub name: String,
    pub resource_types: Vec<ResourceTypeData>,
    pub actions: Vec<ActionData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResourceTypeData {
    pub name: String,
    pub arn_pattern: String,
    #[serde(default)]
    pub condition_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ActionData {
    pub name: String,
    pub iam_action: String,
    pub access_level: String,
    pub access_level_raw: String,
    pub description: String,
    pub resource_types: Vec<ActionResourceData>,
    pub wildcard_only: bool,
    #[serde(default)]
    pub condition_keys: Vec<String>,
    #[serde(default)]
    pub dependent_actions: Vec<String>,
    pub api_documentation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ActionResourceData {
    pub name: String,
    pub required: bool,
    pub arn_pattern: String,
    #[serde(default)]
    pub condition_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct KeysFile {
    pub global: Vec<GlobalKeyData>,
    pub services: std::collections::BTreeMap<String, Vec<ServiceKeyData>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GlobalKeyData {
    pub pattern: String,
    #[serde(rename = "type")]
    pub key_type: String,
    pub multi_valued: bool,
    pub presence: String,
    #[serde(default)]
    pub presence_note: String,
    pub is_global_aws_key: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServiceKeyData {
    pub key: String,
    #[serde(rename = "type")]
    pub key_type: String,
    pub multi_valued: bool,
    #[serde(default)]
    pub description: String,
}

/// The embedded action catalog. It is compiled into the binary, so it
/// cannot fail to load in a build whose tests pass (`embedded_data_loads`);
/// the library still never panics: a broken file reads as an empty catalog.
pub(super) fn actions_file() -> Option<&'static ActionsFile> {
    static CELL: OnceLock<Result<ActionsFile, String>> = OnceLock::new();
    CELL.get_or_init(|| serde_json::from_str(ACTIONS_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .ok()
}

/// The embedded condition keys (see [`actions_file`]).
pub(super) fn keys_file() -> Option<&'static KeysFile> {
    static CELL: OnceLock<Result<KeysFile, String>> = OnceLock::new();
    CELL.get_or_init(|| serde_json::from_str(KEYS_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded data must parse: a schema drift in `data/*.json` fails
    /// here, loudly, instead of leaving s3guard with an empty catalog.
    #[test]
    fn embedded_data_loads() {
        let actions: Result<ActionsFile, _> = serde_json::from_str(ACTIONS_JSON);
        let actions = actions.unwrap_or_else(|e| panic!("data/s3-actions.json: {e}"));
        let s3 = actions.services.get("s3").map(|s| s.actions.len());
        assert_eq!(s3, Some(180), "the s3 service lists 180 actions");
        let keys: Result<KeysFile, _> = serde_json::from_str(KEYS_JSON);
        keys.unwrap_or_else(|e| panic!("data/s3-condition-keys.json: {e}"));
        assert!(actions_file().is_some() && keys_file().is_some());
    }
}
