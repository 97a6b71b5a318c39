//! Every call into the s3guard library, in one place.
//!
//! The rest of the binding (`lib.rs`) converts between Python objects and
//! the plain types of this file, and never names an s3guard item: when the
//! library's public API moves, this file is the one to follow it.

use s3guard::prove::{self, Proof};
use s3guard::render::text::render_text;
use s3guard::testfile::assertions;
use s3guard::testfile::{self, Engines, TestFile, TestStatus};
use s3guard::{
    ContextValue, Diagnostic, EvalOptions, LoadOptions, NotPrincipalMode, Origin, Policy,
    PolicySet, PolicyType, Request, RequestBuilder, S3Settings, Spelling,
};

/// Where a policy comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file (AWS CLI output is unwrapped, as `s3guard can --policy` does).
    Path(String),
    /// A JSON document given as text; `name` is what messages show.
    Text {
        /// The name in messages (`<identity[0]>`).
        name: String,
        /// The JSON.
        text: String,
    },
}

/// The policies of a set, by layer. SCPs and RCPs are lists of levels,
/// root first; the policies of one level are a union.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// Identity-based policies of the caller.
    pub identity: Vec<Source>,
    /// The bucket policy.
    pub bucket: Vec<Source>,
    /// Permissions boundaries.
    pub boundary: Vec<Source>,
    /// Session policies.
    pub session: Vec<Source>,
    /// Service control policies, per organization level.
    pub scps: Vec<Vec<Source>>,
    /// Resource control policies, per organization level.
    pub rcps: Vec<Vec<Source>>,
    /// VPC endpoint policies.
    pub vpce: Vec<Source>,
    /// Access point policies (a union): the policy of the access point
    /// requests on an access point ARN go through.
    pub access_point: Vec<Source>,
    /// The bucket policy an `s3:PutBucketPolicy` request puts (for
    /// `BlockPublicPolicy`).
    pub new_bucket_policy: Option<Source>,
}

/// The evaluation options of a set (the flags of `s3guard can` of the
/// same names).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--not-principal lenient` instead of strict.
    pub not_principal_lenient: bool,
    /// `--management-account`.
    pub management_account: bool,
    /// `--resource-in-management-account`.
    pub resource_in_management_account: bool,
    /// `--canonical-id ID=ACCOUNT` pairs.
    pub canonical_ids: Vec<(String, String)>,
    /// `--strict`: `NotPrincipal` with `Allow` is an error.
    pub strict: bool,
    /// S3's own settings (Block Public Access, ACLs, object owner, Object
    /// Ownership, VPC endpoint type, access point).
    pub s3: S3Settings,
}

/// A diagnostic, flattened for Python.
#[derive(Debug, Clone)]
pub struct Diag {
    /// `ERROR`, `WARNING`, …
    pub severity: &'static str,
    /// Stable code (`INVALID_CONDITION_OPERATOR`).
    pub code: &'static str,
    /// Lowercase, one line.
    pub message: String,
    /// The file (or the name given to an inline document).
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// JSON pointer into the document.
    pub pointer: Option<String>,
    /// What to do.
    pub hint: Option<String>,
    /// The diagnostic as the CLI prints it.
    pub rendered: String,
}

impl From<&Diagnostic> for Diag {
    fn from(d: &Diagnostic) -> Diag {
        Diag {
            severity: d.severity.finding_type(),
            code: d.code,
            message: d.message.clone(),
            file: d.file.clone(),
            line: d.location.as_ref().map(|l| l.line),
            column: d.location.as_ref().map(|l| l.column),
            pointer: d.pointer.clone(),
            hint: d.hint.clone(),
            rendered: d.to_string(),
        }
    }
}

fn diags(ds: &[Diagnostic]) -> Vec<Diag> {
    ds.iter().map(Diag::from).collect()
}

/// What kind of input was invalid (picks the Python exception class).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A policy.
    Policy,
    /// The arguments of a request or a proof.
    Request,
    /// A `*.s3guard.json` test file.
    TestFile,
}

/// Invalid input: every error found, each at its place.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What was invalid.
    pub kind: FailureKind,
    /// Errors first, then warnings.
    pub diagnostics: Vec<Diag>,
}

impl Failure {
    fn request(ds: &[Diagnostic]) -> Failure {
        Failure {
            kind: FailureKind::Request,
            diagnostics: diags(ds),
        }
    }

    fn request_message(message: String, hint: &str) -> Failure {
        Failure::request(&[Diagnostic::error("INVALID_ARGUMENT", message).with_hint(hint)])
    }
}

/// A loaded, compiled policy set and the warnings of its policies.
pub struct Loaded {
    /// The set.
    pub set: PolicySet,
    /// Warnings and suggestions of every policy.
    pub warnings: Vec<Diag>,
}

/// Loads and compiles every policy; all errors of all policies together.
pub fn load(layers: &Layers, options: &Options) -> Result<Loaded, Failure> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut load = |source: &Source, t: PolicyType| -> Option<Policy> {
        let opts = LoadOptions {
            strict: options.strict,
            ..LoadOptions::new(t)
        };
        let loaded = match source {
            Source::Path(path) => Policy::load_file(path, opts),
            Source::Text { name, text } => Policy::parse_as(name, text, opts),
        };
        match loaded {
            Ok(p) => {
                warnings.extend(diags(&p.warnings));
                Some(p)
            }
            Err(e) => {
                errors.extend(diags(&e.diagnostics));
                None
            }
        }
    };
    let mut b = PolicySet::builder();
    for s in &layers.identity {
        if let Some(p) = load(s, PolicyType::Identity) {
            b = b.identity(p);
        }
    }
    for s in &layers.bucket {
        if let Some(p) = load(s, PolicyType::Resource) {
            b = b.resource(p);
        }
    }
    for s in &layers.boundary {
        if let Some(p) = load(s, PolicyType::Boundary) {
            b = b.boundary(p);
        }
    }
    for s in &layers.session {
        if let Some(p) = load(s, PolicyType::Session) {
            b = b.session(p);
        }
    }
    for s in &layers.vpce {
        if let Some(p) = load(s, PolicyType::VpcEndpoint) {
            b = b.vpc_endpoint(p);
        }
    }
    for s in &layers.access_point {
        if let Some(p) = load(s, PolicyType::AccessPoint) {
            b = b.access_point(p);
        }
    }
    if let Some(s) = &layers.new_bucket_policy {
        if let Some(p) = load(s, PolicyType::Resource) {
            b = b.new_bucket_policy(p);
        }
    }
    for level in &layers.scps {
        let ps = level
            .iter()
            .filter_map(|s| load(s, PolicyType::Scp))
            .collect();
        b = b.scp_level(ps);
    }
    for level in &layers.rcps {
        let ps = level
            .iter()
            .filter_map(|s| load(s, PolicyType::Rcp))
            .collect();
        b = b.rcp_level(ps);
    }
    if !errors.is_empty() {
        return Err(Failure {
            kind: FailureKind::Policy,
            diagnostics: errors,
        });
    }
    // S3's own settings: the library's reader, as `s3guard can` reads its flags
    let settings = S3Settings {
        has_access_point_policy: !layers.access_point.is_empty(),
        ..options.s3.clone()
    };
    let mut eval_options = EvalOptions {
        not_principal: if options.not_principal_lenient {
            NotPrincipalMode::Lenient
        } else {
            NotPrincipalMode::Strict
        },
        principal_in_management_account: options.management_account,
        resource_in_management_account: options.resource_in_management_account,
        canonical_ids: options.canonical_ids.clone(),
        ..EvalOptions::default()
    };
    settings
        .apply(&mut eval_options, Spelling::Keywords)
        .map_err(|ds| Failure::request(&ds))?;
    let set = b.options(eval_options).build();
    Ok(Loaded { set, warnings })
}

/// A context value: one string, or a list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// One value.
    Single(String),
    /// Several (possibly none).
    Multi(Vec<String>),
}

/// Who asks, and in which context: `s3guard can`'s `--principal`,
/// `--resource-account`, `--context`, `--at`, `--region`, `--no-defaults`.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// An ARN, a service principal or `anonymous`.
    pub principal: Option<String>,
    /// The bucket owner's account.
    pub resource_account: Option<String>,
    /// Context keys; they replace anything s3guard fills in.
    pub context: Vec<(String, Value)>,
    /// ISO 8601 or epoch seconds.
    pub at: Option<String>,
    /// `aws:RequestedRegion`.
    pub region: Option<String>,
    /// Fill in nothing but the given keys.
    pub no_defaults: bool,
    /// Evaluate an action missing from s3guard's catalog (otherwise it is
    /// invalid input: a typo would be answered "denied").
    pub allow_unknown_action: bool,
}

fn context_value(v: &Value) -> ContextValue {
    match v {
        Value::Single(s) => ContextValue::Single(s.clone()),
        Value::Multi(v) => ContextValue::Multi(v.clone()),
    }
}

fn value(v: &ContextValue) -> Value {
    match v {
        ContextValue::Single(s) => Value::Single(s.clone()),
        ContextValue::Multi(v) => Value::Multi(v.clone()),
    }
}

impl Caller {
    /// The request `s3guard can ACTION RESOURCE` builds with these
    /// arguments under `set` (an upload carries the object ACL given, as
    /// `s3:x-amz-acl`/`s3:x-amz-grant-*`); the given context keys are set
    /// last, so they replace anything s3guard fills in.
    fn request(&self, set: &PolicySet, action: &str, resource: &str) -> Result<Request, Failure> {
        let opts = set.options();
        let mut b = RequestBuilder::new()
            .no_defaults(self.no_defaults)
            .allow_unknown_action(self.allow_unknown_action)
            .acls(opts.object_acl.clone(), opts.bucket_acl.clone());
        if let Some(p) = &self.principal {
            b = b.principal(p.as_str());
        }
        if let Some(a) = &self.resource_account {
            b = b.resource_account(a.as_str());
        }
        if let Some(t) = &self.at {
            b = b.at(t.as_str());
        }
        if let Some(r) = &self.region {
            b = b.region(r.as_str());
        }
        let mut req = b
            .build(action, resource)
            .map_err(|ds| Failure::request(&ds))?;
        req.context.extend(
            self.context
                .iter()
                .map(|(k, v)| (k.clone(), context_value(v), Origin::Given)),
        );
        Ok(req)
    }
}

/// A statement that decided.
#[derive(Debug, Clone)]
pub struct Deciding {
    /// The policy's file (or name).
    pub file: String,
    /// Line of the statement.
    pub line: u32,
    /// Column of the statement.
    pub column: u32,
    /// `Sid`.
    pub sid: Option<String>,
    /// 0-based position in its policy.
    pub index: usize,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// The layer (`identity`, `resource`, `scp`, …).
    pub policy_type: String,
}

/// AWS's answer to one request, as `s3guard can` gives it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: &'static str,
    /// The action of the request.
    pub action: String,
    /// The resource of the request.
    pub resource: String,
    /// The caller as s3guard understood it.
    pub principal: String,
    /// The bucket owner's account, when known.
    pub resource_account: Option<String>,
    /// The statements that decided.
    pub deciding: Vec<Deciding>,
    /// What `s3guard can` adds under its answer (what-ifs on missing keys).
    pub notes: Vec<String>,
    /// Condition keys the answer depended on that the request lacks.
    pub missing_keys: Vec<String>,
    /// What `s3guard can` prints on stderr: a request AWS never makes,
    /// values a condition could not compare.
    pub warnings: Vec<String>,
    /// The text `s3guard can` prints.
    pub text: String,
}

fn deciding(set: &PolicySet, eval: &s3guard::Evaluation) -> Vec<Deciding> {
    testfile::deciding(set, eval)
        .into_iter()
        .map(|d| Deciding {
            file: d.file,
            line: d.line,
            column: d.column,
            sid: d.sid,
            index: d.index,
            effect: d.effect.to_string(),
            policy_type: d.policy_type.to_string(),
        })
        .collect()
}

fn answer(set: &PolicySet, req: &Request, explain: bool) -> Answer {
    let eval = set.evaluate(req);
    let mut warnings = s3guard::catalog::request_warnings(&req.action, &req.resource);
    warnings.extend(eval.condition_errors.iter().cloned());
    Answer {
        decision: eval.response.decision.case_name(),
        action: req.action.to_string(),
        resource: req.resource.as_str().to_string(),
        principal: req.principal.to_string(),
        resource_account: req.effective_resource_account().map(str::to_string),
        deciding: deciding(set, &eval),
        notes: eval.notes.iter().map(ToString::to_string).collect(),
        missing_keys: eval.missing_context.clone(),
        warnings,
        text: render_text(set, req, &eval, explain),
    }
}

/// `s3guard can ACTION RESOURCE` with the caller's arguments.
pub fn can(
    set: &PolicySet,
    action: &str,
    resource: &str,
    caller: &Caller,
    explain: bool,
) -> Result<Answer, Failure> {
    let req = caller.request(set, action, resource)?;
    Ok(answer(set, &req, explain))
}

/// What an assertion expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// Allowed.
    Allow,
    /// Denied, explicitly or implicitly.
    Deny,
    /// A Deny statement applies.
    ExplicitDeny,
    /// Nothing allows it.
    ImplicitDeny,
}

/// The Rust assertions (`assert_denied!` …): `Ok` when the decision meets
/// the expectation, else the message they panic with. A request AWS never
/// makes fails too (it would pass for the wrong reason).
pub fn check(
    set: &PolicySet,
    expect: Expectation,
    action: &str,
    resource: &str,
    caller: &Caller,
) -> Result<(), String> {
    let expect = match expect {
        Expectation::Allow => testfile::Expect::Allow,
        Expectation::Deny => testfile::Expect::Deny,
        Expectation::ExplicitDeny => testfile::Expect::ExplicitDeny,
        Expectation::ImplicitDeny => testfile::Expect::ImplicitDeny,
    };
    let mut query =
        assertions::AssertedRequest::new(action, resource).no_defaults(caller.no_defaults);
    if let Some(p) = &caller.principal {
        query = query.principal(p.as_str());
    }
    if let Some(a) = &caller.resource_account {
        query = query.resource_account(a.as_str());
    }
    if let Some(at) = &caller.at {
        query = query.at(at.as_str());
    }
    if let Some(r) = &caller.region {
        query = query.region(r.as_str());
    }
    for (k, v) in &caller.context {
        query = match v {
            Value::Single(s) => query.context([(k.as_str(), s.as_str())]),
            Value::Multi(vs) => query.context([(k.as_str(), vs.clone())]),
        };
    }
    assertions::check(set, expect, &query)
        .map(|_| ())
        .map_err(|f| f.message)
}

/// A request the policies allow, found by the prover.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// The request's answer (always `Allow`), as `s3guard can` gives it.
    pub answer: Answer,
    /// The context keys the policies test: their value, or `None` when
    /// the request leaves the key out.
    pub context: Vec<(String, Option<Value>)>,
    /// The arguments of `s3guard can` (without the policy flags) that
    /// reproduce the request.
    pub can_args: Vec<String>,
}

/// The answer of `s3guard prove --cannot … --on …`.
#[derive(Debug, Clone)]
pub struct ProofAnswer {
    /// `proved`, `counterexample` or `undecided`.
    pub outcome: &'static str,
    /// One line, as `s3guard prove` says it.
    pub summary: String,
    /// The allowed request, for `counterexample`.
    pub counterexample: Option<Counterexample>,
    /// Why s3guard cannot decide, for `undecided`.
    pub reason: Option<String>,
    /// Catalog actions the action pattern matched (all were considered).
    pub actions: Vec<String>,
    /// Context keys the policies test that the query leaves free.
    pub free_keys: Vec<String>,
    /// Where the proof approximated.
    pub approximations: Vec<String>,
}

/// Proves that no request whose action matches `actions` and whose
/// resource matches `resources` is allowed, under any context (the
/// engine of `s3guard prove`).
pub fn prove_cannot(
    set: &PolicySet,
    actions: &str,
    resources: &str,
    caller: &Caller,
) -> Result<ProofAnswer, Failure> {
    let bad = |e: prove::QueryError| {
        Failure::request_message(
            e.to_string(),
            "an action pattern such as s3:Delete*, a resource pattern such as arn:aws:s3:::prod*",
        )
    };
    let mut q = prove::Query::new(actions, resources).map_err(bad)?;
    if let Some(p) = &caller.principal {
        q = q.with_principal(p).map_err(bad)?;
    }
    if let Some(a) = &caller.resource_account {
        q = q.with_resource_account(a).map_err(bad)?;
    }
    for (k, v) in &caller.context {
        let values = match v {
            Value::Single(s) => std::slice::from_ref(s),
            Value::Multi(vs) => vs.as_slice(),
        };
        for s in values {
            q = q.with_context(k, s).map_err(bad)?;
        }
    }
    let proof = prove::prove(set, &q);
    let scope = proof.scope().clone();
    let summary = proof.to_string();
    let (outcome, counterexample, reason) = match proof {
        Proof::Proved(_) => ("proved", None, None),
        Proof::Counterexample(w, _) => (
            "counterexample",
            Some(Counterexample {
                answer: answer(set, &w.request, false),
                context: w
                    .context
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_ref().map(value)))
                    .collect(),
                can_args: w.args.clone(),
            }),
            None,
        ),
        Proof::Unknown { reason, .. } => ("undecided", None, Some(reason)),
    };
    Ok(ProofAnswer {
        outcome,
        summary,
        counterexample,
        reason,
        actions: scope.catalog_actions,
        free_keys: scope.free_keys,
        approximations: scope.approximations,
    })
}

/// A valid `*.s3guard.json` file, ready to run case by case.
pub struct Tests {
    file: TestFile,
}

/// A case of a test file, before it runs.
#[derive(Debug, Clone)]
pub struct CaseInfo {
    /// The case's name.
    pub name: String,
    /// `request`, `cannot` or `run`.
    pub kind: &'static str,
    /// Line of the case.
    pub line: u32,
    /// Column of the case.
    pub column: u32,
}

/// How a case ended, as `s3guard test` reports it.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// `pass`, `fail` or `error` (could not be checked; never a pass).
    pub status: &'static str,
    /// What the case expects.
    pub expected: String,
    /// What s3guard found (`None` when the case could not be checked).
    pub actual: Option<String>,
    /// Why it did not pass, one line.
    pub message: Option<String>,
    /// The explanation, one line each.
    pub details: Vec<String>,
    /// Notes, even when it passed.
    pub notes: Vec<String>,
}

/// Loads and validates a test file (and its policies). An invalid file
/// fails with every error at its place: no case of it may run.
pub fn load_tests(path: &str) -> Result<(Tests, Vec<Diag>), Failure> {
    match TestFile::load(path) {
        Ok(file) => {
            let warnings = diags(&file.warnings);
            Ok((Tests { file }, warnings))
        }
        Err(ds) => Err(Failure {
            kind: FailureKind::TestFile,
            diagnostics: diags(&ds.diagnostics),
        }),
    }
}

impl Tests {
    /// The path as messages show it.
    pub fn path(&self) -> &str {
        &self.file.path
    }

    /// The cases, in file order.
    pub fn cases(&self) -> Vec<CaseInfo> {
        self.file
            .cases
            .iter()
            .map(|c| CaseInfo {
                name: c.name.clone(),
                kind: c.check.kind(),
                line: c.location.line,
                column: c.location.column,
            })
            .collect()
    }

    /// Runs case `index` with s3guard's engines, as `s3guard test` does;
    /// `None` when there is no such case.
    pub fn run(&self, index: usize) -> Option<CaseOutcome> {
        let case = self.file.cases.get(index)?;
        let r = testfile::run_case(&self.file.set, case, &Engines);
        Some(CaseOutcome {
            status: match r.status {
                TestStatus::Pass => "pass",
                TestStatus::Fail => "fail",
                TestStatus::Error => "error",
            },
            expected: r.expected,
            actual: r.actual,
            message: r.message,
            details: r.details,
            notes: r.notes,
        })
    }
}
