//! `s3guard init-tests`: a starter test file for a policy. It lists the
//! requests the policy allows (one per statement, resource and action,
//! with concrete ARNs made from the patterns) and the dangerous requests
//! it denies. Every case is checked with the evaluator before it is
//! written, and the whole file is run once more at the end, so the file
//! passes as written.

mod concrete;
mod dangerous;

use std::collections::BTreeMap;

use serde::Serialize;

use super::checker::Engines;
use super::model::{decision_name, TestFile};
use super::request::{check_request, RequestSpec, RequestTemplate};
use super::run::{evaluate, TestStatus};
use crate::catalog::{self, resource_type_of, ActionInfo};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::matcher::{ActionPattern, ArnRef};
use crate::policy::{
    ActionClause, Effect, Policy, PolicyType, PrincipalKind, ResourceClause, Statement,
};

/// How to write the starter file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarterOptions {
    /// The `file` of the policy entry, relative to the test file.
    pub policy_file: String,
    /// Where the test file will be (relative policy paths resolve from its
    /// directory); used to run the finished file once.
    pub test_file: String,
    /// The caller of every case (`defaults.principal`); `None`: unspecified
    /// for identity policies, the principals the statements name for
    /// bucket policies.
    pub principal: Option<String>,
    /// The bucket owner's account (`defaults.resource_account`).
    pub resource_account: Option<String>,
}

/// A starter test file and what the generator noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Starter {
    /// The test file (pretty JSON, ending in a newline).
    pub text: String,
    /// Number of `allow` cases.
    pub allowed: usize,
    /// Number of `deny` cases.
    pub denied: usize,
    /// Statements or requests for which no case was written, and why.
    pub notes: Vec<String>,
    /// Dangerous requests the policy allows (no deny case written for them).
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
struct FileOut {
    description: String,
    policies: Vec<PolicyOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    defaults: Option<DefaultsOut>,
    cases: Vec<CaseOut>,
}

#[derive(Serialize)]
struct PolicyOut {
    file: String,
    #[serde(rename = "type")]
    policy_type: &'static str,
}

#[derive(Serialize)]
struct DefaultsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_account: Option<String>,
}

#[derive(Serialize)]
struct CaseOut {
    name: String,
    action: String,
    resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    principal: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    context: BTreeMap<String, String>,
    expect: &'static str,
}

/// Representatives of wildcard action patterns, most telling first.
const PREFERRED: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "s3:GetBucketLocation",
    "s3:ListAllMyBuckets",
];

const EXAMPLE_ACCOUNT: &str = "111122223333";
const EXAMPLE_USER: &str = "alice";

struct Builder<'a> {
    set: PolicySet,
    policy: &'a Policy,
    defaults: RequestTemplate,
    cases: Vec<CaseOut>,
    seen: Vec<(String, String)>,
    notes: Vec<String>,
    warnings: Vec<String>,
    allowed: usize,
    denied: usize,
    /// Services of action patterns that the catalog does not know.
    foreign: Vec<String>,
}

/// A request to try: action, resource, the case's own principal and context.
struct Try {
    action: String,
    resource: String,
    principal: Option<String>,
    context: BTreeMap<String, String>,
}

/// Writes a starter test file for `policy` (an identity or bucket policy).
pub fn starter(policy: &Policy, options: &StarterOptions) -> Result<Starter, String> {
    if !matches!(
        policy.policy_type,
        PolicyType::Identity | PolicyType::Resource
    ) {
        return Err(format!(
            "init-tests writes tests for identity and bucket policies; a {} grants nothing by itself: test it together with an identity policy in a test file written by hand (see docs/test-files.md)",
            policy.policy_type.describe()
        ));
    }
    // A policy about `${aws:username}` means something only for a named IAM user.
    let principal = options.principal.clone().or_else(|| {
        (policy.policy_type == PolicyType::Identity
            && policy
                .source_text()
                .to_ascii_lowercase()
                .contains("${aws:username"))
        .then(|| format!("arn:aws:iam::{EXAMPLE_ACCOUNT}:user/{EXAMPLE_USER}"))
    });
    let mut b = Builder {
        set: PolicySet::builder().policy(policy.clone()).build(),
        policy,
        defaults: RequestTemplate {
            principal: principal.clone(),
            resource_account: options.resource_account.clone(),
            ..RequestTemplate::default()
        },
        cases: Vec::new(),
        seen: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
        allowed: 0,
        denied: 0,
        foreign: Vec::new(),
    };
    for st in &policy.statements {
        b.allowed_cases(st);
    }
    if !b.foreign.is_empty() {
        let n = b.foreign.len();
        let shown: Vec<&str> = b.foreign.iter().take(5).map(String::as_str).collect();
        b.notes.push(format!(
            "actions of {n} service{} outside s3guard's S3 catalog ({}{}) have no cases",
            if n == 1 { "" } else { "s" },
            shown.join(", "),
            if n > 5 { ", …" } else { "" }
        ));
    }
    b.dangerous_cases();
    let file = FileOut {
        description: format!(
            "Starter tests for {}, written by `s3guard init-tests`: what the policy allows, and the dangerous requests it denies (or allows: those cases say `(dangerous)`). Rename the cases after what they guarantee, and add your own.",
            std::path::Path::new(&options.policy_file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| options.policy_file.clone())
        ),
        policies: vec![PolicyOut {
            file: options.policy_file.clone(),
            policy_type: if policy.policy_type == PolicyType::Resource {
                "bucket"
            } else {
                "identity"
            },
        }],
        defaults: (principal.is_some() || options.resource_account.is_some()).then(|| {
            DefaultsOut {
                principal: principal.clone(),
                resource_account: options.resource_account.clone(),
            }
        }),
        cases: std::mem::take(&mut b.cases),
    };
    if file.cases.is_empty() {
        return Err(
            "the policy neither allows a request s3guard could write nor denies a dangerous one: no case to write"
                .into(),
        );
    }
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    self_check(&options.test_file, &text)?;
    Ok(Starter {
        text,
        allowed: b.allowed,
        denied: b.denied,
        notes: b.notes,
        warnings: b.warnings,
    })
}

/// Runs the finished file: every case must pass, or the generator is wrong.
fn self_check(path: &str, text: &str) -> Result<(), String> {
    let file = TestFile::parse(path, text).map_err(|d| {
        format!(
            "internal error: the starter file does not load: {}",
            d.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    for r in file.run(&Engines) {
        if r.status != TestStatus::Pass {
            return Err(format!(
                "internal error: starter case `{}` does not pass: {}",
                r.name,
                r.message.unwrap_or_default()
            ));
        }
    }
    Ok(())
}

impl Builder<'_> {
    fn where_(&self, st: &Statement) -> String {
        format!("{} ({})", self.policy.statement_position(st), st.label())
    }

    fn allowed_cases(&mut self, st: &Statement) {
        if st.effect != Effect::Allow {
            return;
        }
        let ActionClause::Action(actions) = &st.action else {
            self.notes.push(format!(
                "{}: Allow with NotAction grants every action not listed; write its cases by hand",
                self.where_(st)
            ));
            return;
        };
        let ResourceClause::Resource(resources) = &st.resource else {
            self.notes.push(format!(
                "{}: Allow with NotResource grants every resource not listed; write its cases by hand",
                self.where_(st)
            ));
            return;
        };
        let principal = match self.statement_principal(st) {
            Ok(p) => p,
            Err(why) => {
                self.notes.push(format!("{}: {why}", self.where_(st)));
                return;
            }
        };
        for r in resources {
            for a in actions {
                if let Some(t) = self.try_for(a.as_str(), r.as_str(), principal.clone()) {
                    let name = format!("allows {} on {}", t.action, t.resource);
                    match self.decide(&t) {
                        Ok(Decision::Allowed) => {
                            self.push(name, t, "allow");
                            self.allowed += 1;
                        }
                        Ok(d) => self.notes.push(format!(
                            "{}: {} on {} is not allowed ({}){}; no case written",
                            self.where_(st),
                            t.action,
                            t.resource,
                            decision_name(d),
                            if st.condition.is_empty() {
                                ""
                            } else {
                                ": its Condition needs context s3guard cannot guess, write the case by hand with `context`"
                            }
                        )),
                        Err(e) => self.notes.push(format!("{}: {e}", self.where_(st))),
                    }
                }
            }
        }
    }

    /// The caller of a bucket policy statement's case: the first principal
    /// it names that s3guard can stand in for.
    fn statement_principal(&self, st: &Statement) -> Result<Option<String>, String> {
        if self.policy.policy_type != PolicyType::Resource || self.defaults.principal.is_some() {
            return Ok(None);
        }
        let Some(clause) = &st.principal else {
            return Err("names no principal; no case written".into());
        };
        if clause.is_not() {
            return Err("uses NotPrincipal; write its cases by hand".into());
        }
        clause
            .entries()
            .iter()
            .find_map(|e| match &e.kind {
                PrincipalKind::Everyone => Some("anonymous".to_string()),
                PrincipalKind::Account { account } => Some(format!("arn:aws:iam::{account}:root")),
                PrincipalKind::User { arn, .. }
                | PrincipalKind::Role { arn, .. }
                | PrincipalKind::RoleSession { arn, .. }
                | PrincipalKind::FederatedUser { arn, .. } => Some(arn.clone()),
                PrincipalKind::Service { name } => Some(name.clone()),
                _ => None,
            })
            .map(Some)
            .ok_or_else(|| {
                "names only principals s3guard cannot stand in for (unique ids, federated providers, canonical users); write its cases by hand".to_string()
            })
    }

    /// A concrete request for one action pattern and one resource pattern.
    fn try_for(&mut self, action: &str, resource: &str, principal: Option<String>) -> Option<Try> {
        if let Some(svc) = ActionPattern::new(action).service() {
            if !catalog::catalog().knows_service(svc) {
                if !self.foreign.iter().any(|f| f == svc) {
                    self.foreign.push(svc.to_string());
                }
                return None;
            }
        }
        let mut context = BTreeMap::new();
        let mut principal = principal;
        let concrete = if resource == "*" {
            None
        } else {
            match self.concrete_arn(resource, &mut principal, &mut context) {
                Some(arn) => Some(arn),
                None => {
                    self.notes.push(format!(
                        "resource `{resource}`: s3guard cannot make a concrete ARN from it; write its cases by hand"
                    ));
                    return None;
                }
            }
        };
        let kind = concrete
            .as_deref()
            .and_then(ArnRef::parse)
            .and_then(resource_type_of);
        let candidates: Vec<&ActionInfo> = catalog::expand(action)
            .into_iter()
            .filter(|info| match (&concrete, kind) {
                (None, _) => true,
                (Some(_), Some(k)) => info.supports_resource_type(k),
                (Some(_), None) => false,
            })
            .collect();
        // the most telling action: a preferred one, else one of the same
        // name in another service (`s3-object-lambda:GetObject`)
        let name_of = |a: &str| a.split_once(':').map_or(a, |(_, n)| n).to_ascii_lowercase();
        let pick = PREFERRED
            .iter()
            .find_map(|p| candidates.iter().find(|i| i.iam_action == *p))
            .or_else(|| {
                PREFERRED.iter().find_map(|p| {
                    candidates
                        .iter()
                        .find(|i| name_of(i.iam_action) == name_of(p))
                })
            })
            .or_else(|| candidates.first())
            .copied();
        let Some(info) = pick else {
            let what = concrete.as_deref().unwrap_or(resource);
            self.notes.push(format!(
                "`{action}` has no action that applies to {what}: the pair grants nothing"
            ));
            return None;
        };
        let resource = match concrete {
            Some(arn) => arn,
            None => concrete::example_resource(info)?,
        };
        if check_request(info.iam_action, &resource).is_err() {
            return None;
        }
        Some(Try {
            action: info.iam_action.to_string(),
            resource,
            principal,
            context,
        })
    }

    /// A concrete ARN matching the pattern: `*` becomes `example` (a whole
    /// bucket name `example-bucket`, a whole key `example.txt`), `?` becomes
    /// `x`, and each policy variable gets a value (`aws:username` through an
    /// IAM user principal, other keys through the case's context).
    fn decide(&self, t: &Try) -> Result<Decision, String> {
        let spec = self.spec(t);
        evaluate(&self.set, &spec).map(|(_, e)| e.response.decision)
    }

    fn spec(&self, t: &Try) -> RequestSpec {
        let own = RequestTemplate {
            principal: t.principal.clone(),
            context: t
                .context
                .iter()
                .map(|(k, v)| (k.clone(), crate::ContextValue::Single(v.clone())))
                .collect(),
            ..RequestTemplate::default()
        };
        RequestSpec {
            action: t.action.clone(),
            resource: t.resource.clone(),
            template: self.defaults.overlay(&own),
        }
    }

    fn push(&mut self, name: String, t: Try, expect: &'static str) {
        let key = (t.action.clone(), t.resource.clone());
        if self.seen.contains(&key) {
            return;
        }
        self.seen.push(key);
        self.cases.push(CaseOut {
            name,
            action: t.action,
            resource: t.resource,
            principal: t.principal,
            context: t.context,
            expect,
        });
    }
}
