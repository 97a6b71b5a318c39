//! The catalog data files (`data/*.json`) as build.rs reads them: their
//! shapes, and the reading whose error names the file and what was
//! expected. Included by build.rs and by the test that checks those errors
//! (tests/suite/build_data.rs), with `#[path]`: not a module of the library.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
pub struct ActionsFile {
    pub source: SourceInfo,
    pub services: BTreeMap<String, ServiceData>,
}

#[derive(Deserialize)]
pub struct SourceInfo {
    pub package: String,
    pub version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceData {
    pub prefix: String,
    pub name: String,
    pub resource_types: Vec<ResourceTypeData>,
    pub actions: Vec<ActionData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTypeData {
    pub name: String,
    pub arn_pattern: String,
    #[serde(default)]
    pub condition_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionData {
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResourceData {
    pub name: String,
    pub required: bool,
    pub arn_pattern: String,
    #[serde(default)]
    pub condition_keys: Vec<String>,
}

#[derive(Deserialize)]
pub struct KeysFile {
    pub global: Vec<GlobalKeyData>,
    pub services: BTreeMap<String, Vec<ServiceKeyData>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalKeyData {
    pub pattern: String,
    #[serde(rename = "type")]
    pub key_type: String,
    pub multi_valued: bool,
    pub presence: String,
    #[serde(default)]
    pub presence_note: String,
    pub is_global_aws_key: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceKeyData {
    pub key: String,
    #[serde(rename = "type")]
    pub key_type: String,
    pub multi_valued: bool,
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize)]
pub struct IamFile {
    pub services: BTreeMap<String, IamServiceData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IamServiceData {
    pub prefix: String,
    pub actions: Vec<IamActionData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IamActionData {
    pub name: String,
    pub access_level: String,
    pub resource_types: Vec<String>,
    pub condition_keys: Vec<String>,
}

/// Reads and parses one data file; an error names the file.
pub fn parse<T: for<'de> Deserialize<'de>>(file: &str) -> Result<T, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    parse_text(file, &text)
}

/// Parses the text of the data file `file`; an error names the file and
/// says what was expected where (serde's message, with line and column).
pub fn parse_text<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("{file}: {e} (the catalog data is malformed; see data/README.md)"))
}
