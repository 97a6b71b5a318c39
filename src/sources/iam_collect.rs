//! iam-collect's on-disk layout (the `file` storage of
//! `@cloud-copilot/iam-collect`), read as account dumps: one [`Dump`] per
//! account directory, plus the bucket policies it holds.
//!
//! ```text
//! <storage>/aws/<partition>/accounts/<account-id>/
//!   iam/user/<id>/   metadata.json  managed-policies.json  inline-policies.json  groups.json  tags.json
//!   iam/group/<id>/  metadata.json  managed-policies.json  inline-policies.json
//!   iam/role/<id>/   metadata.json  managed-policies.json  inline-policies.json  trust-policy.json  tags.json
//!   iam/policy/<id>/ metadata.json  current-policy.json
//!   s3/<bucket>/     metadata.json  policy.json
//! <storage>/aws/<partition>/accounts/aws/iam/policy/<id>/   (AWS managed policies)
//! ```
//!
//! Read: the ARN and name of `metadata.json` (`arn`, `name`), the
//! permissions boundary (`permissionBoundary`), attached managed policies
//! (an array of ARNs), inline policies (`[{"PolicyName", "PolicyDocument"}]`),
//! a user's groups (group ARNs), tags (`{"key": "value"}`), a role's trust
//! policy, a managed policy's default version (`current-policy.json`), and
//! each bucket's `policy.json`. Not read: everything else iam-collect
//! stores (organizations and their SCPs/RCPs — pass them with `--scp` and
//! `--rcp` —, RAM shares, indexes, other services' resource policies,
//! `bpa.json`: pass `--block-public-access`). Every position in every
//! message points into the file it comes from.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::account::{Entity, EntityKind, NamedPolicy};
use super::Dump;
use crate::diagnostic::Diagnostic;
use crate::json::{self, Document, InputKind, SourceFile, Value};
use crate::policy::{LoadOptions, Policy, PolicyType};

/// What an iam-collect storage directory holds.
#[derive(Debug, Default)]
pub struct Collected {
    /// One dump per account directory (`<account-id>`, then the dump).
    pub accounts: Vec<(String, Dump)>,
    /// Bucket policies: bucket name and policy.
    pub buckets: Vec<(String, NamedPolicy)>,
}

/// Whether `path` looks like iam-collect storage (a directory holding
/// `aws/<partition>/accounts`, `<partition>/accounts` or `accounts`).
pub fn is_iam_collect(path: &Path) -> bool {
    path.is_dir() && accounts_dirs(path).next().is_some()
}

/// The `accounts` directories under a storage path, sorted.
fn accounts_dirs(root: &Path) -> impl Iterator<Item = PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    if root.join("accounts").is_dir() {
        out.push(root.join("accounts"));
    }
    for base in [root.to_path_buf(), root.join("aws")] {
        for p in sorted_dirs(&base) {
            if p.join("accounts").is_dir() && !out.contains(&p.join("accounts")) {
                out.push(p.join("accounts"));
            }
        }
    }
    out.into_iter()
}

/// Subdirectories, sorted by name (dump order is then stable).
fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// One JSON file of the layout, parsed (`None` when absent).
struct JsonFile {
    file: Arc<SourceFile>,
    root: Value,
}

fn read_json(path: &Path, errors: &mut Vec<Diagnostic>) -> Option<JsonFile> {
    if !path.is_file() {
        return None;
    }
    let name = display(path);
    let file = match SourceFile::read_as(&name, InputKind::Policy) {
        Ok(f) => Arc::new(f),
        Err(d) => {
            errors.push(*d);
            return None;
        }
    };
    match json::parse(file.text()) {
        Ok(parsed) => Some(JsonFile {
            file,
            root: parsed.value,
        }),
        Err(e) => {
            let at = file.location(u32::try_from(e.offset).unwrap_or(u32::MAX));
            errors.push(
                Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
                    .in_file(&name)
                    .at(at),
            );
            None
        }
    }
}

/// A policy document that is a value of a JSON file (an inline policy).
fn policy_at(
    f: &JsonFile,
    doc: &Value,
    pointer: &str,
    layer: PolicyType,
    name: String,
    errors: &mut Vec<Diagnostic>,
) -> Option<NamedPolicy> {
    let document = Document::slice(
        f.file.clone(),
        doc.span.start as usize,
        doc.span.end as usize,
    );
    match Policy::from_document(document, pointer, f.file.name(), LoadOptions::new(layer)) {
        Ok(p) => Some(NamedPolicy {
            name,
            policy: Arc::new(p),
        }),
        Err(e) => {
            errors.extend(e.diagnostics.into_iter().filter(Diagnostic::is_error));
            None
        }
    }
}

/// A whole file that is a policy document.
fn policy_file(
    path: &Path,
    layer: PolicyType,
    name: String,
    errors: &mut Vec<Diagnostic>,
) -> Option<NamedPolicy> {
    if !path.is_file() {
        return None;
    }
    match Policy::load_file(&display(path), LoadOptions::new(layer)) {
        Ok(p) => Some(NamedPolicy {
            name,
            policy: Arc::new(p),
        }),
        Err(e) => {
            errors.extend(e.diagnostics.into_iter().filter(Diagnostic::is_error));
            None
        }
    }
}

fn strings(v: Option<&JsonFile>) -> Vec<String> {
    v.and_then(|f| f.root.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn field(v: Option<&JsonFile>, key: &str) -> Option<String> {
    v.and_then(|f| f.root.get(key))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The entities of one kind in an account directory.
fn entities(
    account: &Path,
    kind: EntityKind,
    dir: &str,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Entity> {
    let mut out = Vec::new();
    for d in sorted_dirs(&account.join("iam").join(dir)) {
        let meta = read_json(&d.join("metadata.json"), errors);
        let Some(arn) = field(meta.as_ref(), "arn") else {
            errors.push(
                Diagnostic::error(
                    "MISSING_FIELD",
                    "no `arn` in metadata.json: not an iam-collect entity directory",
                )
                .in_file(display(&d.join("metadata.json"))),
            );
            continue;
        };
        let name = field(meta.as_ref(), "name")
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(&arn).to_string());
        let mut inline = Vec::new();
        if let Some(f) = read_json(&d.join("inline-policies.json"), errors) {
            for (i, p) in f.root.as_array().unwrap_or_default().iter().enumerate() {
                let pname = p.get("PolicyName").and_then(Value::as_str).unwrap_or("?");
                if let Some(doc) = p.get("PolicyDocument") {
                    let pointer = format!("/{i}/PolicyDocument");
                    let label = format!("{arn} inline {pname}");
                    if let Some(np) =
                        policy_at(&f, doc, &pointer, PolicyType::Identity, label, errors)
                    {
                        inline.push(np);
                    }
                }
            }
        }
        let trust = if kind == EntityKind::Role {
            policy_file(
                &d.join("trust-policy.json"),
                PolicyType::Resource,
                format!("{arn} trust policy"),
                errors,
            )
        } else {
            None
        };
        let tags = read_json(&d.join("tags.json"), errors)
            .and_then(|f| {
                f.root.as_object().map(|members| {
                    members
                        .iter()
                        .filter_map(|m| Some((m.key.to_string(), m.value.as_str()?.to_string())))
                        .collect()
                })
            })
            .unwrap_or_default();
        let groups = strings(read_json(&d.join("groups.json"), errors).as_ref())
            .into_iter()
            .map(|g| g.rsplit('/').next().unwrap_or(&g).to_string())
            .collect();
        out.push(Entity {
            kind,
            arn: arn.clone(),
            name,
            inline,
            attached: strings(read_json(&d.join("managed-policies.json"), errors).as_ref()),
            boundary: field(meta.as_ref(), "permissionBoundary"),
            groups,
            trust,
            tags,
        });
    }
    out
}

/// Managed policies of a directory (`iam/policy/<id>/current-policy.json`).
fn managed(account: &Path, errors: &mut Vec<Diagnostic>) -> Vec<(String, NamedPolicy)> {
    let mut out = Vec::new();
    for d in sorted_dirs(&account.join("iam").join("policy")) {
        let meta = read_json(&d.join("metadata.json"), errors);
        let Some(arn) = field(meta.as_ref(), "arn") else {
            continue;
        };
        let name = field(meta.as_ref(), "name").unwrap_or_else(|| arn.clone());
        if let Some(np) = policy_file(
            &d.join("current-policy.json"),
            PolicyType::Identity,
            format!("policy/{name}"),
            errors,
        ) {
            out.push((arn, np));
        }
    }
    out
}

/// Reads every account of an iam-collect storage directory.
pub fn read(root: &Path) -> Result<Collected, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut out = Collected::default();
    for accounts in accounts_dirs(root) {
        let aws_managed = managed(&accounts.join("aws"), &mut errors);
        for account in sorted_dirs(&accounts) {
            let id = account
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let mut dump = Dump::default();
            dump.entities
                .extend(entities(&account, EntityKind::User, "user", &mut errors));
            dump.entities
                .extend(entities(&account, EntityKind::Group, "group", &mut errors));
            dump.entities
                .extend(entities(&account, EntityKind::Role, "role", &mut errors));
            dump.managed = managed(&account, &mut errors);
            dump.managed.extend(aws_managed.iter().cloned());
            // One set of the ARNs, not a scan of every managed policy per
            // attachment (quadratic in an account of thousands of each).
            let known: std::collections::HashSet<&str, foldhash::fast::RandomState> =
                dump.managed.iter().map(|(a, _)| a.as_str()).collect();
            let known = |arn: &str| known.contains(arn);
            for e in &dump.entities {
                for arn in e.attached.iter().chain(&e.boundary) {
                    if !known(arn) {
                        errors.push(
                            Diagnostic::error(
                                "UNKNOWN_POLICY",
                                format!("`{}` has `{arn}` attached, but no iam/policy directory of this storage holds its document", e.arn),
                            )
                            .in_file(display(&account))
                            .with_hint("collect the account with iam-collect's authorizationDetails sync (it stores AWS managed policies under accounts/aws)"),
                        );
                    }
                }
            }
            for b in sorted_dirs(&account.join("s3")) {
                let meta = read_json(&b.join("metadata.json"), &mut errors);
                let bucket = field(meta.as_ref(), "name").unwrap_or_else(|| {
                    b.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                });
                let path = b.join("policy.json");
                if let Some(np) =
                    policy_file(&path, PolicyType::Resource, display(&path), &mut errors)
                {
                    out.buckets.push((bucket, np));
                }
            }
            out.accounts.push((display(&account), dump));
        }
    }
    if out.accounts.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error(
                "UNKNOWN_SOURCE_FORMAT",
                format!(
                    "`{}` holds no iam-collect account directory (accounts/<12-digit id>/)",
                    display(root)
                ),
            )
            .with_hint("--account takes `aws iam get-account-authorization-details` output or an iam-collect storage directory"),
        );
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
