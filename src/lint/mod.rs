//! `lint`: every validation error of a policy plus Access Analyzer-style
//! findings (spec A-1, A-2), with s3guard's own S3 checks (`S3GUARD_…`).
//!
//! A file is opened as JSON, loaded with the policy loader (whose
//! diagnostics become findings, each once), and its JSON tree is walked by
//! the checks, one module per group:
//! [`actions`](self) (services, redundancy, `s3:*` on `*`, `iam:PassRole`),
//! resources (ARN formats, bucket vs object), buckets (broad bucket
//! patterns, `--resource-type`),
//! conditions (keys, operator types, set operators, IP ranges), principals
//! (public buckets, NotPrincipal, TLS) and document-wide checks (size,
//! characters, redundant statements). A file that does not load still gets
//! every check that its well-formed parts allow.
//!
//! ```
//! use s3guard::lint::{lint_text, LintOptions};
//! use s3guard::Severity;
//!
//! let report = lint_text("p.json", r#"{"Version": "2012-10-17", "Statement": [
//!     {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#, LintOptions::default());
//! assert!(report.findings.iter().any(|f| f.code == "S3GUARD_WRITE_OR_PERMISSIONS_STAR"
//!     && f.finding_type == Severity::SecurityWarning));
//! ```

mod actions;
mod buckets;
mod conditions;
mod document;
mod finding;
mod pattern;
mod placeholders;
mod policy_type;
mod principals;
mod redundant;
pub mod render;
mod resources;
pub mod rules;
pub mod sarif;
mod services;
mod tls;
mod view;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

pub use finding::{Finding, FindingLocation, FindingSpan, PathElement};
pub use policy_type::{InlineOwner, TypeReason, Wrapper};
pub use rules::{Rule, RULES};

use crate::diagnostic::{Diagnostic, Severity};
use crate::json::{SourceFile, Span};
use crate::policy::{LoadOptions, OpenedDocument, Policy, PolicyType};
use crate::sources::Selected;
use finding::{finding_from_diagnostic, Locator};
use view::PolicyView;

/// Most statements that the redundancy check compares pairwise. More than
/// 1,000 statements fit no AWS policy quota (a statement takes at least 46
/// characters; the largest quota is 20,480), and the quadratic check would
/// take minutes: it is skipped with a note.
pub(crate) const MAX_PAIRWISE_STATEMENTS: usize = 1_000;

/// Most entries of one `Action` or `Resource` compared pairwise (AWS's own
/// `ReadOnlyAccess` lists about 1,500 actions).
pub(crate) const MAX_PAIRWISE_ENTRIES: usize = 5_000;

/// Work the pattern comparisons of one file may take (see [`pattern::Budget`]).
const COMPARISON_BUDGET: usize = 50_000_000;

/// The resource a resource-based policy is attached to (Access Analyzer's
/// `validatePolicyResourceType`, spec A-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyResourceType {
    /// `AWS::S3::Bucket`: a bucket policy.
    S3Bucket,
    /// `AWS::S3::AccessPoint`.
    S3AccessPoint,
    /// `AWS::S3::MultiRegionAccessPoint`.
    S3MultiRegionAccessPoint,
    /// `AWS::S3ObjectLambda::AccessPoint`.
    S3ObjectLambdaAccessPoint,
    /// `AWS::S3Express::DirectoryBucket`.
    S3ExpressDirectoryBucket,
}

impl PolicyResourceType {
    /// Every resource type, in `--help` order.
    pub const ALL: [PolicyResourceType; 5] = [
        PolicyResourceType::S3Bucket,
        PolicyResourceType::S3AccessPoint,
        PolicyResourceType::S3MultiRegionAccessPoint,
        PolicyResourceType::S3ObjectLambdaAccessPoint,
        PolicyResourceType::S3ExpressDirectoryBucket,
    ];

    /// The CloudFormation-style name (`AWS::S3::Bucket`).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyResourceType::S3Bucket => "AWS::S3::Bucket",
            PolicyResourceType::S3AccessPoint => "AWS::S3::AccessPoint",
            PolicyResourceType::S3MultiRegionAccessPoint => "AWS::S3::MultiRegionAccessPoint",
            PolicyResourceType::S3ObjectLambdaAccessPoint => "AWS::S3ObjectLambda::AccessPoint",
            PolicyResourceType::S3ExpressDirectoryBucket => "AWS::S3Express::DirectoryBucket",
        }
    }

    /// Parses the name (case-insensitive).
    pub fn parse(s: &str) -> Option<PolicyResourceType> {
        PolicyResourceType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// The service whose actions such a policy can grant.
    pub(crate) fn service(self) -> &'static str {
        match self {
            PolicyResourceType::S3ObjectLambdaAccessPoint => "s3-object-lambda",
            PolicyResourceType::S3ExpressDirectoryBucket => "s3express",
            _ => "s3",
        }
    }

    /// The catalog resource types such a policy can name.
    pub(crate) fn catalog_types(self) -> &'static [&'static str] {
        match self {
            PolicyResourceType::S3Bucket => &["bucket", "object"],
            PolicyResourceType::S3AccessPoint => &["accesspoint", "accesspointobject"],
            PolicyResourceType::S3MultiRegionAccessPoint => &["multiregionaccesspoint"],
            PolicyResourceType::S3ObjectLambdaAccessPoint => &["objectlambdaaccesspoint"],
            PolicyResourceType::S3ExpressDirectoryBucket => &["bucket"],
        }
    }

    /// What a person calls the resource.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            PolicyResourceType::S3Bucket => "a bucket policy can only name its bucket and objects",
            PolicyResourceType::S3AccessPoint => {
                "an access point policy can only name the access point and its objects"
            }
            PolicyResourceType::S3MultiRegionAccessPoint => {
                "a Multi-Region Access Point policy can only name the Multi-Region Access Point"
            }
            PolicyResourceType::S3ObjectLambdaAccessPoint => {
                "an Object Lambda access point policy can only name the Object Lambda access point"
            }
            PolicyResourceType::S3ExpressDirectoryBucket => {
                "a directory bucket policy can only name the directory bucket"
            }
        }
    }
}

impl fmt::Display for PolicyResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to lint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The policy type; `None`: what the source or the AWS CLI output says,
    /// else a resource policy when any statement names a principal, else an
    /// identity policy (the report says which, and why).
    pub policy_type: Option<PolicyType>,
    /// The resource a resource policy belongs to (stricter resource checks).
    pub resource_type: Option<PolicyResourceType>,
}

/// What `lint` found in one file (or in one policy of a `--policy-from` file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file as given.
    pub file: String,
    /// For a policy taken from a `--policy-from` file: its place there
    /// (`aws_s3_bucket_policy.b`, `AppRole/Policies/0`).
    pub origin: Option<String>,
    /// The policy type it was checked as (`None` when it could not be parsed).
    pub policy_type: Option<PolicyType>,
    /// Why it was checked as that type.
    pub type_reason: Option<TypeReason>,
    /// The resource type given with `--resource-type`.
    pub resource_type: Option<PolicyResourceType>,
    /// Findings, sorted by position.
    pub findings: Vec<Finding>,
    /// What was not checked and why (services outside the catalog, …).
    pub notes: Vec<String>,
    /// Whether the file could be read at all (exists, UTF-8, not too large).
    pub readable: bool,
    /// Whether its text could be parsed into a policy document (JSON or
    /// YAML syntax, a source's selection): a file that cannot is invalid
    /// input, not a policy with findings.
    pub parsed: bool,
}

impl FileReport {
    /// The most serious finding type present.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.finding_type).min()
    }
}

/// Lints a file (`-` for stdin).
pub fn lint_file(path: &str, options: LintOptions) -> FileReport {
    match SourceFile::read(path) {
        Ok(file) => lint_source(Arc::new(file), options),
        Err(d) => FileReport {
            findings: vec![finding_from_diagnostic(&d, path, None)],
            readable: false,
            ..FileReport::unchecked(path, None, options)
        },
    }
}

/// Lints policy text; `name` is what findings show as the file.
pub fn lint_text(name: &str, text: &str, options: LintOptions) -> FileReport {
    lint_source(Arc::new(SourceFile::new(name, text)), options)
}

/// Lints a source file.
pub fn lint_source(file: Arc<SourceFile>, options: LintOptions) -> FileReport {
    let name = file.name().to_string();
    match Policy::open(file.clone()) {
        Ok(opened) => {
            let wrapper = Wrapper::of(&file);
            lint_opened(&name, &opened, options, None, wrapper)
        }
        Err(e) => unparsed(&name, None, options, &e.diagnostics),
    }
}

/// Lints a policy taken from a `--policy-from` source (a template, a plan,
/// an account dump): positions point into that file, and the source's
/// layer is the policy type unless `options` gives one. The policy may have
/// been loaded leniently (its errors in [`Policy::skipped`]): lint reports
/// every error again, from the document.
pub fn lint_selected(selected: &Selected, options: LintOptions) -> FileReport {
    let name = selected.policy.name.clone();
    match selected.policy.reopen() {
        Ok(opened) => lint_opened(
            &name,
            &opened,
            options,
            Some((selected.layer, selected.origin.as_str())),
            None,
        ),
        Err(e) => unparsed(&name, Some(&selected.origin), options, &e.diagnostics),
    }
}

/// The report of input that could not be read as a policy document: its
/// diagnostics as findings (a `--policy-from` file that does not parse, a
/// selection that names nothing, a JSON syntax error).
pub fn unparsed(
    file: &str,
    origin: Option<&str>,
    options: LintOptions,
    diagnostics: &[Diagnostic],
) -> FileReport {
    let mut findings: Vec<Finding> = diagnostics
        .iter()
        .map(|d| finding_from_diagnostic(d, file, None))
        .collect();
    findings.sort_by_key(Finding::sort_key);
    FileReport {
        findings,
        ..FileReport::unchecked(file, origin, options)
    }
}

impl FileReport {
    fn unchecked(file: &str, origin: Option<&str>, options: LintOptions) -> FileReport {
        FileReport {
            file: file.to_string(),
            origin: origin.map(str::to_string),
            policy_type: options.policy_type,
            type_reason: options.policy_type.map(|_| TypeReason::Given),
            resource_type: options.resource_type,
            findings: Vec::new(),
            notes: Vec::new(),
            readable: true,
            parsed: false,
        }
    }
}

/// Lints an opened document: loads it as the chosen type (the loader's
/// diagnostics become findings) and runs every check on its JSON tree.
fn lint_opened(
    name: &str,
    opened: &OpenedDocument,
    options: LintOptions,
    source: Option<(PolicyType, &str)>,
    wrapper: Option<Wrapper>,
) -> FileReport {
    let (policy_type, type_reason) = policy_type::choose(
        options.policy_type,
        source,
        wrapper,
        &opened.root,
        &opened.pointer,
    );
    let mut loaded: Vec<Diagnostic> = opened.diagnostics.clone();
    match Policy::from_value(
        opened.document.clone(),
        &opened.root,
        &opened.pointer,
        name,
        LoadOptions::new(policy_type),
    ) {
        Ok(p) => loaded.extend(p.warnings),
        Err(e) => loaded.extend(e.diagnostics),
    }
    let locator = Locator {
        doc: &opened.document,
        root: Some(&opened.root),
        base: &opened.pointer,
    };
    let mut findings: Vec<Finding> = loaded.iter().map(|d| locator.finding(d, name)).collect();
    let view = PolicyView::new(&opened.root, &opened.pointer, policy_type);
    let mut ctx = Ctx {
        inline: wrapper.and_then(Wrapper::inline_owner),
        view: &view,
        locator: &locator,
        file: name,
        resource_type: options.resource_type,
        findings: Vec::new(),
        unchecked_services: BTreeSet::new(),
        unchecked_key_services: BTreeSet::new(),
        skipped_pairwise: Vec::new(),
        budget: pattern::Budget::new(COMPARISON_BUDGET),
    };
    actions::check(&mut ctx);
    resources::check(&mut ctx);
    conditions::check(&mut ctx);
    principals::check(&mut ctx);
    tls::check(&mut ctx);
    placeholders::check(&mut ctx);
    document::check(&mut ctx);
    let notes = ctx.notes();
    findings.append(&mut ctx.findings);
    FileReport {
        file: name.to_string(),
        origin: source.map(|(_, o)| o.to_string()),
        policy_type: Some(policy_type),
        type_reason: Some(type_reason),
        resource_type: options.resource_type,
        findings: dedupe(findings),
        notes,
        readable: true,
        parsed: true,
    }
}

/// One finding per (code, place): the loader's comes first and stays.
fn dedupe(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    let mut out: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let place = f
                .location()
                .map(|l| (l.pointer.clone(), l.span.start.offset));
            seen.insert((f.code, place))
        })
        .collect();
    out.sort_by_key(Finding::sort_key);
    out
}

/// What the checks share: the policy, where to put findings.
pub(crate) struct Ctx<'a> {
    pub(crate) view: &'a PolicyView<'a>,
    /// Whose inline policy this is, when the file says so.
    pub(crate) inline: Option<InlineOwner>,
    pub(crate) locator: &'a Locator<'a>,
    pub(crate) file: &'a str,
    pub(crate) resource_type: Option<PolicyResourceType>,
    pub(crate) findings: Vec<Finding>,
    /// Action service prefixes outside the catalog (checked for syntax only).
    pub(crate) unchecked_services: BTreeSet<String>,
    /// Condition-key prefixes outside the catalog (not checked).
    pub(crate) unchecked_key_services: BTreeSet<String>,
    /// Lists too long for the pairwise redundancy checks.
    pub(crate) skipped_pairwise: Vec<String>,
    /// Work left for pattern comparisons.
    pub(crate) budget: pattern::Budget,
}

impl Ctx<'_> {
    /// Adds a finding with the rule's usual type.
    pub(crate) fn emit(
        &mut self,
        code: &'static str,
        span: Span,
        ptr: &str,
        message: String,
        hint: Option<String>,
    ) -> Option<&mut Finding> {
        let severity = rules::rule(code)
            .map(|r| r.severity)
            .unwrap_or(Severity::Warning);
        self.emit_as(severity, code, span, ptr, message, hint)
    }

    /// Adds a finding with an explicit type.
    pub(crate) fn emit_as(
        &mut self,
        severity: Severity,
        code: &'static str,
        span: Span,
        ptr: &str,
        message: String,
        hint: Option<String>,
    ) -> Option<&mut Finding> {
        let rule = rules::rule_or_default(code, severity);
        self.findings.push(Finding {
            file: self.file.to_string(),
            finding_type: severity,
            code,
            message,
            hint,
            learn_more_link: rule.help,
            locations: vec![self.locator.at(span, ptr)],
        });
        self.findings.last_mut()
    }

    /// A further location for a finding.
    pub(crate) fn place(&self, span: Span, ptr: &str) -> FindingLocation {
        self.locator.at(span, ptr)
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.unchecked_services.is_empty() {
            notes.push(format!(
                "actions of {} outside s3guard's catalog ({}) were checked for syntax only",
                plural(self.unchecked_services.len(), "service", "services"),
                abbreviate(&self.unchecked_services)
            ));
        }
        if !self.unchecked_key_services.is_empty() {
            notes.push(format!(
                "condition keys of {} outside s3guard's catalog ({}) were not checked",
                plural(self.unchecked_key_services.len(), "service", "services"),
                abbreviate(&self.unchecked_key_services)
            ));
        }
        if !self.skipped_pairwise.is_empty() {
            notes.push(format!(
                "redundant statements and entries were not looked for in lists this long: {}",
                self.skipped_pairwise.join(", ")
            ));
        }
        if self.budget.is_exhausted() {
            notes.push(
                "comparing the patterns took too long: some redundant statements or entries may not be reported".to_string(),
            );
        }
        notes
    }
}

/// `1 service`, `3 services`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Action names, the everyday ones first (`s3:ListBucket`, `s3:GetObject`,
/// …), then the others in order, abbreviated.
pub(crate) fn everyday_first(actions: &[&str]) -> String {
    const FIRST: [&str; 6] = [
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:GetBucketLocation",
        "s3:DeleteBucket",
    ];
    let mut sorted: Vec<&str> = actions.to_vec();
    sorted.sort_by_key(|a| (FIRST.iter().position(|f| f == a).unwrap_or(FIRST.len()), *a));
    let all: Vec<String> = sorted.iter().map(|a| (*a).to_string()).collect();
    abbreviate(&all)
}

/// The first few names and how many more.
pub(crate) fn abbreviate<'a, I>(names: I) -> String
where
    I: IntoIterator<Item = &'a String>,
{
    let all: Vec<&String> = names.into_iter().collect();
    let shown: Vec<String> = all.iter().take(5).map(|s| format!("`{s}`")).collect();
    let more = all.len().saturating_sub(5);
    if more > 0 {
        format!("{}, and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
