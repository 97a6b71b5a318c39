//! Policies: loading, validation and the compiled model (spec G-1..G-14).
//!
//! Text is parsed into a spanned JSON tree, unwrapped when it is AWS CLI
//! output, then lowered into [`Policy`], collecting every error with its
//! place instead of stopping at the first. A plain policy file (the usual
//! elements, no escape, nothing to report) is lowered straight from its
//! text, by the same functions for each entry, without a tree.

mod lower;
mod principal;
mod statement;
mod wrapper;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

pub use principal::{
    is_canonical_user_id, oai_id, parse_aws as parse_aws_principal,
    parse_other as parse_other_principal, PrincipalClause, PrincipalEntry, PrincipalKind,
};
pub use statement::{ActionClause, ClauseMatch, Effect, ResourceClause, Statement};

use crate::diagnostic::{Diagnostic, Severity};
use crate::json::{Document, SourceFile};

/// The kinds of policy AWS combines (spec E-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyType {
    /// Identity-based policy of a user, group or role.
    Identity,
    /// Resource-based policy: an S3 bucket policy (or access point policy).
    Resource,
    /// Permissions boundary.
    Boundary,
    /// Session policy passed when the session was created.
    Session,
    /// Service control policy (AWS Organizations).
    Scp,
    /// Resource control policy (AWS Organizations).
    Rcp,
    /// VPC endpoint policy: applies to requests made through the endpoint.
    VpcEndpoint,
    /// S3 access point policy: the resource-based policy of the access
    /// point a request goes through (spec AP-1).
    AccessPoint,
}

impl PolicyType {
    /// Every kind, in the order of the enum (the order output lists layers in).
    pub const ALL: [PolicyType; 8] = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Boundary,
        PolicyType::Session,
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::VpcEndpoint,
        PolicyType::AccessPoint,
    ];

    /// Short name used in output (`identity`, `resource`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::Boundary => "boundary",
            PolicyType::Session => "session",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::VpcEndpoint => "vpce",
            PolicyType::AccessPoint => "access-point",
        }
    }

    /// Human name (`bucket policy`, `permissions boundary`).
    pub fn describe(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity policy",
            PolicyType::Resource => "bucket policy",
            PolicyType::Boundary => "permissions boundary",
            PolicyType::Session => "session policy",
            PolicyType::Scp => "service control policy",
            PolicyType::Rcp => "resource control policy",
            PolicyType::VpcEndpoint => "VPC endpoint policy",
            PolicyType::AccessPoint => "access point policy",
        }
    }

    /// Access Analyzer `policyType`.
    pub fn access_analyzer_type(self) -> &'static str {
        match self {
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session => "IDENTITY_POLICY",
            PolicyType::Resource | PolicyType::VpcEndpoint | PolicyType::AccessPoint => {
                "RESOURCE_POLICY"
            }
            PolicyType::Scp => "SERVICE_CONTROL_POLICY",
            PolicyType::Rcp => "RESOURCE_CONTROL_POLICY",
        }
    }

    /// Whether statements name principals (resource policies, RCPs).
    pub fn has_principals(self) -> bool {
        matches!(
            self,
            PolicyType::Resource
                | PolicyType::Rcp
                | PolicyType::VpcEndpoint
                | PolicyType::AccessPoint
        )
    }

    /// Whether the policy is an IAM policy (strict Sid rules, G-5).
    pub fn is_iam(self) -> bool {
        matches!(
            self,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session
        )
    }

    /// Parses the short name.
    pub fn parse(s: &str) -> Option<PolicyType> {
        Some(match s {
            "identity" => PolicyType::Identity,
            "resource" | "bucket" => PolicyType::Resource,
            "boundary" => PolicyType::Boundary,
            "session" => PolicyType::Session,
            "scp" => PolicyType::Scp,
            "rcp" => PolicyType::Rcp,
            "vpce" | "vpc-endpoint" => PolicyType::VpcEndpoint,
            "access-point" | "accesspoint" => PolicyType::AccessPoint,
            _ => return None,
        })
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The policy language version (G-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// `2012-10-17`: policy variables work.
    V2012_10_17,
    /// `2008-10-17`: `${…}` is literal text.
    V2008_10_17,
    /// No `Version`: as 2008-10-17 for variables.
    Missing,
}

impl Version {
    /// The version a `Version` element's string names, when it is one
    /// (G-2): `2012-10-17` or `2008-10-17`, exactly.
    pub fn from_element(text: &str) -> Option<Version> {
        match text {
            "2012-10-17" => Some(Version::V2012_10_17),
            "2008-10-17" => Some(Version::V2008_10_17),
            _ => None,
        }
    }

    /// Whether `${…}` is a policy variable under this version.
    pub fn has_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

/// A loaded, validated and compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Display name (the file path as given, `<stdin>`, or a name from a test file).
    pub name: String,
    /// What kind of policy it is.
    pub policy_type: PolicyType,
    /// `Version`.
    pub version: Version,
    /// `Id`.
    pub id: Option<String>,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// Warnings and suggestions found while loading (never errors).
    pub warnings: Vec<Diagnostic>,
    /// Errors tolerated under `lenient` loading: the statements they concern
    /// were skipped (empty otherwise).
    pub skipped: Vec<Diagnostic>,
    /// The document it came from (positions, sizes).
    pub document: Arc<Document>,
    /// JSON pointer of the policy inside the document (non-empty when unwrapped).
    pub base_pointer: String,
}

/// Why a policy could not be loaded: every error found, plus the warnings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.diagnostics))]
pub struct LoadError {
    /// Errors first, then warnings, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

fn render(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl LoadError {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    fn single(d: Diagnostic) -> LoadError {
        LoadError {
            diagnostics: vec![d],
        }
    }
}

/// A policy file parsed as JSON but not yet lowered (see [`Policy::open`]).
#[derive(Debug, Clone)]
pub struct OpenedDocument {
    /// The policy document (positions map into the file).
    pub document: Arc<Document>,
    /// Its root JSON value.
    pub root: crate::json::Value,
    /// JSON pointer of the root in the document (non-empty when unwrapped).
    pub pointer: String,
    /// Diagnostics found while parsing (duplicate keys).
    pub diagnostics: Vec<Diagnostic>,
}

/// How to load a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// The policy type (decides which elements are allowed).
    pub policy_type: PolicyType,
    /// Treat `NotPrincipal` with `Allow` as an error (G-9 `--strict`).
    pub strict: bool,
    /// Load despite errors: invalid statements are skipped and their errors
    /// kept in [`Policy::skipped`] (G-11 `--lenient`). JSON syntax errors and
    /// a document without any usable structure still fail.
    pub lenient: bool,
}

impl LoadOptions {
    /// Default options for a policy type.
    pub fn new(policy_type: PolicyType) -> LoadOptions {
        LoadOptions {
            policy_type,
            strict: false,
            lenient: false,
        }
    }
}

impl Policy {
    /// Loads an identity policy from a file (`-` for stdin).
    pub fn from_file(path: &str) -> Result<Policy, LoadError> {
        Policy::load_file(path, LoadOptions::new(PolicyType::Identity))
    }

    /// Loads a policy of any type from a file (`-` for stdin).
    pub fn load_file(path: &str, options: LoadOptions) -> Result<Policy, LoadError> {
        let file = SourceFile::read(path).map_err(|d| LoadError::single(*d))?;
        Policy::load_source(Arc::new(file), options)
    }

    /// Parses an identity policy from text; `name` is what messages show.
    pub fn parse(name: &str, text: &str) -> Result<Policy, LoadError> {
        Policy::parse_as(name, text, LoadOptions::new(PolicyType::Identity))
    }

    /// Parses a policy of any type from text.
    pub fn parse_as(name: &str, text: &str, options: LoadOptions) -> Result<Policy, LoadError> {
        Policy::load_source(Arc::new(SourceFile::new(name, text)), options)
    }

    /// Opens a source file as JSON without lowering it: the (unwrapped)
    /// policy document, its root value, the root's JSON pointer, and the
    /// diagnostics found so far (duplicate keys). `lint` walks this tree.
    pub fn open(file: Arc<SourceFile>) -> Result<OpenedDocument, LoadError> {
        let (document, root, pointer, diagnostics) = wrapper::open(file)?;
        Ok(OpenedDocument {
            document: Arc::new(document),
            root,
            pointer,
            diagnostics,
        })
    }

    /// Loads from a source file: parses, unwraps AWS CLI output, lowers.
    pub fn load_source(file: Arc<SourceFile>, options: LoadOptions) -> Result<Policy, LoadError> {
        // most policy files are plain: lowered from their text, no tree
        if let Some(policy) = lower::lower_plain(&file, options) {
            return Ok(policy);
        }
        let (doc, root, pointer, mut diags) = wrapper::open(file)?;
        lower::lower(Arc::new(doc), &root, pointer, options, &mut diags)
    }

    /// Loads from a JSON value inside a document (`pointer` locates it), as
    /// test files and case files do for inline policies.
    pub fn from_value(
        doc: Arc<Document>,
        value: &crate::json::Value,
        pointer: &str,
        name: &str,
        options: LoadOptions,
    ) -> Result<Policy, LoadError> {
        let mut diags = Vec::new();
        let mut p = lower::lower(doc, value, pointer.to_string(), options, &mut diags)?;
        p.name = name.to_string();
        Ok(p)
    }

    /// Loads the policy at `value`, a value of the JSON tree of all of
    /// `file` (spans are file offsets, duplicate keys already refused), as
    /// [`Policy::from_document`] loads the slice of `file` it spans, without
    /// parsing that slice again: an account dump's documents. The policy's
    /// document is that slice, as it would be from `from_document`.
    pub(crate) fn from_parsed_slice(
        file: &Arc<SourceFile>,
        value: &crate::json::Value,
        pointer: &str,
        name: &str,
        options: LoadOptions,
    ) -> Result<Policy, LoadError> {
        let whole = Arc::new(Document::whole(file.clone()));
        let mut p = Policy::from_value(whole, value, pointer, name, options)?;
        p.document = Arc::new(Document::slice(
            file.clone(),
            value.span.start as usize,
            value.span.end as usize,
        ));
        Ok(p)
    }

    /// Loads a policy whose JSON text is `doc` (a policy inside a larger
    /// file: a string attribute of a Terraform plan, a rendered template
    /// document). `pointer` locates it in that file for messages.
    pub(crate) fn from_document(
        doc: Document,
        pointer: &str,
        name: &str,
        options: LoadOptions,
    ) -> Result<Policy, LoadError> {
        let parsed = wrapper::parse_doc(&doc)?;
        let mut diags = wrapper::duplicate_diagnostics(&doc, &parsed.duplicates);
        let mut p = lower::lower(
            Arc::new(doc),
            &parsed.value,
            pointer.to_string(),
            options,
            &mut diags,
        )?;
        p.name = name.to_string();
        Ok(p)
    }

    /// The policy text held by the JSON string at `span` of `file`
    /// (URL-decoded when needed), positions still pointing into `file`.
    pub(crate) fn embedded_document(
        file: &Arc<SourceFile>,
        span: crate::json::Span,
    ) -> Result<Document, LoadError> {
        wrapper::embedded(file, span)
    }

    /// Opens this policy's document again, as [`Policy::open`] does a file:
    /// `lint` walks the JSON tree of a policy taken from a template or plan.
    pub fn reopen(&self) -> Result<OpenedDocument, LoadError> {
        let parsed = wrapper::parse_doc(&self.document)?;
        let diagnostics = wrapper::duplicate_diagnostics(&self.document, &parsed.duplicates);
        Ok(OpenedDocument {
            document: self.document.clone(),
            root: parsed.value,
            pointer: self.base_pointer.clone(),
            diagnostics,
        })
    }

    /// The statements, in order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Source text of the policy as the user gave it.
    pub fn source_text(&self) -> &str {
        self.document.file().text()
    }

    /// `FILE:LINE:COL` of a statement.
    pub fn statement_position(&self, statement: &Statement) -> String {
        let start = statement.location.start();
        format!(
            "{}:{}:{}",
            crate::render::escape::value(&self.name),
            start.line,
            start.column
        )
    }
}
