//! Reading policies where they live: Terraform plans (`terraform show
//! -json`), CloudFormation and `cdk synth` templates (JSON and YAML), and
//! `aws iam get-account-authorization-details` dumps.
//!
//! A [`Source`] lists what can be selected ([`Choice`]s: policies,
//! principals, buckets) and loads a selection into [`Selected`] policies,
//! each with the layer it belongs to. Every position in every message
//! points into the file the user gave, even for policies that are rendered
//! from YAML, resolved from `Fn::Sub`, or built from Terraform blocks.
//! Values that cannot be known offline (a bucket name CloudFormation
//! generates, an attribute Terraform computes at apply time) are reported
//! with their place, never guessed.
//!
//! ```
//! use s3guard::sources::{Params, Source};
//! use s3guard::{PolicySet, PolicyType, Request, Decision};
//!
//! let template = r#"
//! Resources:
//!   AppPolicy:
//!     Type: AWS::IAM::ManagedPolicy
//!     Properties:
//!       PolicyDocument:
//!         Version: '2012-10-17'
//!         Statement:
//!           - Effect: Allow
//!             Action: s3:GetObject
//!             Resource: !Sub 'arn:${AWS::Partition}:s3:::${BucketName}/*'
//! Parameters:
//!   BucketName: {Type: String, Default: media}
//! "#;
//! let source = Source::from_text("app.yaml", template)?;
//! let selected = source.select(Some("AppPolicy"), &Params::default(), false)?;
//! assert_eq!(selected[0].layer, PolicyType::Identity);
//! let set = PolicySet::identity(selected.into_iter().map(|s| s.policy));
//! let req = Request::new("s3:GetObject", "arn:aws:s3:::media/cat.png")?;
//! assert_eq!(set.authorize(&req).decision, Decision::Allowed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod account;
pub use account::{Dump, Entity, EntityKind, NamedPolicy};
mod cloudformation;
pub mod iam_collect;
mod intrinsics;
mod render;
mod terraform;
pub mod yaml;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::json::{self, SourceFile, Value};
use crate::policy::{LoadError, LoadOptions, Policy, PolicyType};

/// The formats policies are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// `terraform show -json` of a plan (or of a state).
    Terraform,
    /// A CloudFormation template, also as written by `cdk synth` (JSON or YAML).
    CloudFormation,
    /// `aws iam get-account-authorization-details`.
    AccountDetails,
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceFormat::Terraform => "Terraform plan",
            SourceFormat::CloudFormation => "CloudFormation template",
            SourceFormat::AccountDetails => "account authorization details",
        })
    }
}

/// What a choice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    /// One policy, of the given layer.
    Policy(PolicyType),
    /// An IAM role: its identity policies and permissions boundary.
    Role,
    /// An IAM user: its own and its groups' policies, and its boundary.
    User,
    /// An IAM group: its policies.
    Group,
}

impl ChoiceKind {
    fn describe(self) -> &'static str {
        match self {
            ChoiceKind::Policy(t) => t.describe(),
            ChoiceKind::Role => "role",
            ChoiceKind::User => "user",
            ChoiceKind::Group => "group",
        }
    }
}

/// Something `--select` can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The exact name: a Terraform address, a logical id, an IAM ARN.
    pub name: String,
    /// Other names that select it (a resource's `name`, an IAM name, a CDK path).
    pub aliases: Vec<String>,
    /// What it is.
    pub kind: ChoiceKind,
    /// A short description for listings.
    pub detail: String,
}

impl Choice {
    fn listing(&self) -> String {
        let mut s = format!("{} ({}", self.name, self.kind.describe());
        if !self.detail.is_empty() {
            s.push_str(", ");
            s.push_str(&self.detail);
        }
        s.push(')');
        s
    }
}

/// A policy taken from a source, with its layer.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The policy (its name is the file's, so positions read `FILE:LINE:COL`).
    pub policy: Policy,
    /// Where it goes: identity, resource (bucket policy), boundary or VPC endpoint.
    pub layer: PolicyType,
    /// Where it came from, e.g. `aws_iam_role_policy.app` or `AppRole/Policies/0`.
    pub origin: String,
}

/// Values the user supplies for what a source leaves open (`--param`):
/// template parameters, pseudo parameters (`AWS::AccountId`), `Ref`s
/// (`Bucket`) and attributes (`Bucket.Arn`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    entries: Vec<(String, String)>,
}

impl Params {
    /// Adds a value (a later one for the same name wins).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// Parses `NAME=VALUE`.
    pub fn parse_item(&mut self, item: &str) -> Result<(), String> {
        match item.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                self.set(k, v);
                Ok(())
            }
            _ => Err(format!("--param `{item}` is not NAME=VALUE")),
        }
    }

    /// The value given for a name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A file to take policies from.
#[derive(Debug)]
pub struct Source {
    file: Arc<SourceFile>,
    root: Value,
    format: SourceFormat,
    lenient: bool,
}

impl Source {
    /// Reads a file (`-` for stdin) and recognises its format.
    pub fn open(path: &str) -> Result<Source, LoadError> {
        let file = SourceFile::read_as(path, json::InputKind::PolicySource)
            .map_err(|d| failed(vec![*d]))?;
        Source::from_file(Arc::new(file)).map_err(failed)
    }

    /// A source from text in memory; `name` is what messages show.
    pub fn from_text(name: &str, text: &str) -> Result<Source, LoadError> {
        Source::from_file(Arc::new(SourceFile::new(name, text))).map_err(failed)
    }

    fn from_file(file: Arc<SourceFile>) -> Result<Source, Vec<Diagnostic>> {
        let looks_json = file.text().trim_start().starts_with('{');
        let root = if looks_json {
            let source = file.shared_text();
            let parsed = json::parse_shared(source, 0, source.len()).map_err(|e| {
                vec![Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
                    .in_file(file.name())
                    .at(file.location(u32::try_from(e.offset).unwrap_or(u32::MAX)))]
            })?;
            if let Some(d) = parsed.duplicates.first() {
                return Err(vec![Diagnostic::error(
                    "JSON_SYNTAX_ERROR",
                    format!("duplicate key `{}` in one object", d.key),
                )
                .in_file(file.name())
                .at(file.location(d.second.start))
                .with_pointer(json::pointer::join(&d.object_pointer, &d.key))]);
            }
            parsed.value
        } else {
            yaml::parse(&file).map_err(|d| vec![*d])?
        };
        let has = |k: &str| root.get(k).is_some();
        let format = if has("planned_values")
            || has("resource_changes")
            || has("terraform_version")
            || (has("format_version") && has("values"))
        {
            SourceFormat::Terraform
        } else if has("Resources") || has("AWSTemplateFormatVersion") {
            SourceFormat::CloudFormation
        } else if has("UserDetailList")
            || has("RoleDetailList")
            || has("GroupDetailList")
            || (has("Policies") && root.get("Policies").and_then(Value::as_array).is_some())
        {
            SourceFormat::AccountDetails
        } else {
            let hint = if root.get("Statement").is_some() {
                "this is a plain policy: pass it with --policy (or --bucket-policy, --boundary, …)"
            } else {
                "--policy-from reads `terraform show -json` output, CloudFormation/CDK templates and `aws iam get-account-authorization-details` output"
            };
            return Err(vec![Diagnostic::error(
                "UNKNOWN_SOURCE_FORMAT",
                "not a Terraform plan, a CloudFormation template or an account authorization dump",
            )
            .in_file(file.name())
            .at(file.location(root.span.start))
            .with_hint(hint)]);
        };
        Ok(Source {
            file,
            root,
            format,
            lenient: false,
        })
    }

    /// Loads policies whose statements have errors too (G-11 `--lenient`:
    /// the errors are kept in `Policy::skipped`), for callers that report
    /// them themselves (`lint`).
    pub fn lenient(mut self, yes: bool) -> Source {
        self.lenient = yes;
        self
    }

    /// The recognised format.
    pub fn format(&self) -> SourceFormat {
        self.format
    }

    /// The file's display name.
    pub fn name(&self) -> &str {
        self.file.name()
    }

    /// The file read once and indexed for selections: build it once to
    /// select many things (each `--select`), instead of calling
    /// [`Source::select`] for each, which reads the file's structure again.
    pub fn index(&self) -> Index<'_> {
        Index::new(self)
    }

    /// Everything that can be selected, in file order.
    pub fn choices(&self) -> Vec<Choice> {
        self.index().choices
    }

    /// The choices `name` selects: exact names first, then aliases
    /// (case-insensitive when nothing matches exactly).
    pub fn matches(&self, name: &str) -> Vec<Choice> {
        self.index().matches(name)
    }

    /// Loads what `name` selects (`None`: the only thing the file holds).
    /// A missing, unknown or ambiguous name is an error listing the choices.
    pub fn select(
        &self,
        name: Option<&str>,
        params: &Params,
        strict: bool,
    ) -> Result<Vec<Selected>, LoadError> {
        self.index().select(name, params, strict)
    }

    /// The one choice `name` stands for, or an error listing the choices.
    pub fn resolve(&self, name: Option<&str>) -> Result<Choice, LoadError> {
        self.index().resolve(name)
    }

    /// Loads one choice.
    pub fn load(
        &self,
        choice: &Choice,
        params: &Params,
        strict: bool,
    ) -> Result<Vec<Selected>, LoadError> {
        self.index().load(choice, params, strict)
    }

    /// The users, groups, roles and managed policies of an account dump
    /// (`aws iam get-account-authorization-details`), each policy loaded
    /// once. An error if the file is another format or a document is invalid.
    pub fn account_dump(&self, strict: bool) -> Result<Dump, LoadError> {
        if self.format != SourceFormat::AccountDetails {
            return Err(failed(vec![Diagnostic::error(
                "UNKNOWN_SOURCE_FORMAT",
                format!(
                    "`{}` is a {}, not an account authorization dump",
                    self.file.name(),
                    self.format
                ),
            )
            .in_file(self.file.name())
            .with_hint(
                "--account reads the output of `aws iam get-account-authorization-details`",
            )]));
        }
        let params = Params::default();
        let ctx = Ctx {
            file: &self.file,
            root: &self.root,
            params: &params,
            strict,
            lenient: false,
        };
        account::dump(&ctx).map_err(failed)
    }
}

/// A [`Source`] read once for selections: its choices, indexed by name,
/// alias and case-folded name, and the format's own index (a Terraform
/// plan's resources by address and type). Selecting N things from a file
/// of M resources costs O(M) to build it and about O(1) per policy
/// selected (a role, user or group also looks at the attachments of its
/// kind).
pub struct Index<'a> {
    source: &'a Source,
    choices: Vec<Choice>,
    exact: HashMap<String, Vec<usize>>,
    alias: HashMap<String, Vec<usize>>,
    folded: HashMap<String, Vec<usize>>,
    plan: Option<terraform::Plan<'a>>,
}

impl fmt::Debug for Index<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("source", &self.source.name())
            .field("choices", &self.choices.len())
            .finish()
    }
}

/// Adds `i` to the list of `key` unless it is already its last entry.
fn note<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, key: K, i: usize) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&i) {
        list.push(i);
    }
}

impl<'a> Index<'a> {
    fn new(source: &'a Source) -> Index<'a> {
        let plan =
            (source.format == SourceFormat::Terraform).then(|| terraform::Plan::new(&source.root));
        let choices = match (&plan, source.format) {
            (Some(p), _) => terraform::choices(p),
            (None, SourceFormat::CloudFormation) => cloudformation::choices(&source.root),
            (None, _) => account::choices(&source.root),
        };
        let mut exact = HashMap::new();
        let mut alias = HashMap::new();
        let mut folded = HashMap::new();
        for (i, c) in choices.iter().enumerate() {
            note(&mut exact, c.name.clone(), i);
            note(&mut folded, c.name.to_ascii_lowercase(), i);
            for a in &c.aliases {
                note(&mut alias, a.clone(), i);
                note(&mut folded, a.to_ascii_lowercase(), i);
            }
        }
        Index {
            source,
            choices,
            exact,
            alias,
            folded,
            plan,
        }
    }

    /// Everything that can be selected, in file order.
    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    fn pick(&self, ids: Option<&Vec<usize>>) -> Vec<Choice> {
        ids.map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.choices.get(i).cloned())
            .collect()
    }

    /// The choices `name` selects: exact names first, then aliases
    /// (case-insensitive when nothing matches exactly).
    pub fn matches(&self, name: &str) -> Vec<Choice> {
        let exact = self.pick(self.exact.get(name));
        if !exact.is_empty() {
            return exact;
        }
        let alias = self.pick(self.alias.get(name));
        if !alias.is_empty() {
            return alias;
        }
        self.pick(self.folded.get(&name.to_ascii_lowercase()))
    }
    /// Loads what `name` selects (`None`: the only thing the file holds).
    /// A missing, unknown or ambiguous name is an error listing the choices.
    pub fn select(
        &self,
        name: Option<&str>,
        params: &Params,
        strict: bool,
    ) -> Result<Vec<Selected>, LoadError> {
        let choice = self.resolve(name)?;
        self.load(&choice, params, strict)
    }

    /// The one choice `name` stands for, or an error listing the choices.
    pub fn resolve(&self, name: Option<&str>) -> Result<Choice, LoadError> {
        self.resolve_inner(name).map_err(failed)
    }

    fn resolve_inner(&self, name: Option<&str>) -> Result<Choice, Vec<Diagnostic>> {
        let all = &self.choices;
        let listing = |cs: &[Choice]| -> String {
            let mut s = String::from("choose one with --select NAME:");
            for c in cs {
                s.push_str("\n    ");
                s.push_str(&crate::render::escape::value(&c.listing()));
            }
            s
        };
        let here = |d: Diagnostic| d.in_file(self.source.file.name());
        if all.is_empty() {
            return Err(vec![here(Diagnostic::error(
                "NOTHING_TO_SELECT",
                format!("this {} holds no policy s3guard can read", self.source.format),
            ))
            .with_hint(
                "s3guard reads IAM policies, roles, users, groups and bucket policies (see README: where policies live)",
            )]);
        }
        let Some(name) = name else {
            if let [only] = all.as_slice() {
                return Ok(only.clone());
            }
            return Err(vec![here(Diagnostic::error(
                "SELECTION_REQUIRED",
                format!(
                    "this {} holds {} things to evaluate; say which",
                    self.source.format,
                    all.len()
                ),
            ))
            .with_hint(listing(all))]);
        };
        let found = self.matches(name);
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => {
                let names = all.iter().flat_map(|c| {
                    std::iter::once(c.name.as_str()).chain(c.aliases.iter().map(String::as_str))
                });
                let close = crate::diagnostic::did_you_mean(name, names);
                let mut d = here(Diagnostic::error(
                    "UNKNOWN_SELECTION",
                    format!("nothing named `{name}` in this {}", self.source.format),
                ));
                d = d.with_hint(match close {
                    Some(c) => format!("did you mean `{c}`? {}", listing(all)),
                    None => listing(all),
                });
                Err(vec![d])
            }
            many => Err(vec![here(Diagnostic::error(
                "AMBIGUOUS_SELECTION",
                format!(
                    "`{name}` names {} things in this {}",
                    many.len(),
                    self.source.format
                ),
            ))
            .with_hint(listing(many))]),
        }
    }

    /// Loads one choice.
    pub fn load(
        &self,
        choice: &Choice,
        params: &Params,
        strict: bool,
    ) -> Result<Vec<Selected>, LoadError> {
        let ctx = Ctx {
            file: &self.source.file,
            root: &self.source.root,
            params,
            strict,
            lenient: self.source.lenient,
        };
        let selected = match self.source.format {
            SourceFormat::Terraform => match &self.plan {
                Some(plan) => terraform::load(&ctx, plan, choice),
                None => terraform::load(&ctx, &terraform::Plan::new(&self.source.root), choice),
            },
            SourceFormat::CloudFormation => cloudformation::load(&ctx, choice),
            SourceFormat::AccountDetails => account::load(&ctx, choice),
        }
        .map_err(failed)?;
        if selected.is_empty() {
            // evaluating nothing would answer for policies that were not read
            return Err(failed(vec![Diagnostic::error(
                "NOTHING_SELECTED",
                format!(
                    "`{}` ({}) yields no policy in this {}",
                    choice.name,
                    choice.kind.describe(),
                    self.source.format
                ),
            )
            .in_file(self.source.file.name())
            .with_hint(
                "select a policy, or a role, user or group with policies attached; pass policies attached from elsewhere with --policy FILE",
            )]));
        }
        Ok(selected)
    }
}

fn failed(diagnostics: Vec<Diagnostic>) -> LoadError {
    LoadError { diagnostics }
}

/// What every reader needs.
pub(crate) struct Ctx<'a> {
    pub file: &'a Arc<SourceFile>,
    pub root: &'a Value,
    pub params: &'a Params,
    pub strict: bool,
    pub lenient: bool,
}

impl Ctx<'_> {
    pub fn options(&self, t: PolicyType) -> LoadOptions {
        LoadOptions {
            policy_type: t,
            strict: self.strict,
            lenient: self.lenient,
        }
    }

    /// An error at a value of the file.
    pub fn error_at(
        &self,
        code: &'static str,
        message: impl Into<String>,
        at: &Value,
    ) -> Diagnostic {
        Diagnostic::error(code, message)
            .in_file(self.file.name())
            .at(self.file.location(at.span.start))
    }
}

/// Collects the results of loading several policies: every error of every
/// policy is reported.
#[derive(Default)]
pub(crate) struct Collector {
    pub selected: Vec<Selected>,
    pub errors: Vec<Diagnostic>,
}

impl Collector {
    pub fn push(
        &mut self,
        r: Result<Policy, crate::policy::LoadError>,
        layer: PolicyType,
        origin: impl Into<String>,
    ) {
        match r {
            Ok(policy) => self.selected.push(Selected {
                policy,
                layer,
                origin: origin.into(),
            }),
            Err(e) => self
                .errors
                .extend(e.diagnostics.into_iter().filter(Diagnostic::is_error)),
        }
    }

    pub fn finish(self) -> Result<Vec<Selected>, Vec<Diagnostic>> {
        if self.errors.is_empty() {
            Ok(self.selected)
        } else {
            Err(self.errors)
        }
    }
}

/// Strips instance keys: `module.m[0].aws_iam_role.r["a"]` → `module.m.aws_iam_role.r`.
pub(crate) fn strip_indexes(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_str = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_instance_keys() {
        assert_eq!(
            strip_indexes(r#"module.m[0].aws_iam_role.r["a]b"]"#),
            "module.m.aws_iam_role.r"
        );
    }

    #[test]
    fn unknown_formats_are_refused_with_a_hint() {
        let e = Source::from_text("p.json", r#"{"Statement": []}"#)
            .unwrap_err()
            .diagnostics;
        assert_eq!(e[0].code, "UNKNOWN_SOURCE_FORMAT");
        assert!(e[0].hint.as_deref().unwrap().contains("--policy"));
    }
}
