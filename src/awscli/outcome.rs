//! Evaluating a plan of API calls with the real evaluator and deciding what
//! a command would do: succeed, fail before changing anything, or change S3
//! and then fail (*partial*, the case that matters most: `rb --force`
//! deleting every object and then being denied `s3:DeleteBucket`).

use serde::Serialize;

use super::requests::{Call, Caller, Plan, PLACEHOLDER_KEY};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::explain::classify::Access;
use crate::explain::probe::{judge, probe};
use crate::matcher::{Action, Resource};
use crate::request::context::{ContextValue, Origin};
use crate::request::{Principal, Request};

/// What a command would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandOutcome {
    /// Every mandatory request is allowed.
    Succeeds,
    /// Denied before anything in S3 changed.
    Fails,
    /// Some changes happen, then a later request is denied.
    Partial,
}

impl CommandOutcome {
    /// `SUCCEEDS`, `FAILS`, `PARTIAL`.
    pub fn headline(self) -> &'static str {
        match self {
            CommandOutcome::Succeeds => "SUCCEEDS",
            CommandOutcome::Fails => "FAILS",
            CommandOutcome::Partial => "PARTIAL",
        }
    }

    /// The test-file spelling: `succeeds`, `fails`, `partial`.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandOutcome::Succeeds => "succeeds",
            CommandOutcome::Fails => "fails",
            CommandOutcome::Partial => "partial",
        }
    }

    /// Parses the test-file spelling.
    pub fn parse(s: &str) -> Option<CommandOutcome> {
        Some(match s {
            "succeeds" => CommandOutcome::Succeeds,
            "fails" => CommandOutcome::Fails,
            "partial" => CommandOutcome::Partial,
            _ => return None,
        })
    }
}

/// One evaluated IAM request.
#[derive(Debug, Clone, Serialize)]
pub struct CommandStep {
    /// 1-based number (optional steps are numbered on their own).
    pub step: usize,
    /// The API call it belongs to.
    pub api_call: String,
    /// Phase of the call (calls run phase after phase).
    pub phase: u32,
    /// IAM action.
    pub action: String,
    /// Resource ARN.
    pub resource: String,
    /// Context keys the call carries (besides the caller's).
    pub context: serde_json::Map<String, serde_json::Value>,
    /// Who signs it.
    pub caller: Caller,
    /// The decision (serialized as `allowed`, `explicitDeny`, `implicitDeny`).
    #[serde(serialize_with = "aws_decision")]
    pub decision: Decision,
    /// Allowed, conditional or denied.
    pub grant: Access,
    /// Condition keys the answer depends on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub condition_keys: Vec<String>,
    /// What the call does when allowed.
    pub effect_if_allowed: String,
    /// Whether the call changes S3.
    pub mutates: bool,
    /// For optional steps: when they are needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<String>,
    /// Whether the command gets that far.
    pub reached: bool,
    /// Determining statements.
    pub statements: Vec<String>,
    /// The evaluator's reason in one line.
    pub reason: String,
    /// Notes of the evaluation (missing context, catalog warnings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip)]
    call: usize,
}

/// The evaluated plan.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Succeeds, fails or partial.
    pub outcome: CommandOutcome,
    /// The first denied mandatory step.
    pub failed_at: Option<usize>,
    /// Effects that happen before the failure (for `partial`).
    pub done_before_failure: Vec<String>,
    /// What those effects amount to, in plain words.
    pub consequence: Option<String>,
    /// Mandatory steps.
    pub steps: Vec<CommandStep>,
    /// Optional steps (do not decide the outcome).
    pub optional_steps: Vec<CommandStep>,
    /// Whether the keys are the placeholder.
    pub placeholder_key: bool,
    /// The keys used.
    pub keys: Vec<String>,
    /// Notes (mapping document, conditions, KMS, …).
    pub notes: Vec<String>,
}

fn as_anonymous(base: &Request) -> Request {
    let mut r = base.clone();
    for k in [
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:username",
        "aws:userid",
        "aws:PrincipalIsAWSService",
        "aws:ViaAWSService",
    ] {
        if r.context.get(k).is_some_and(|e| e.origin != Origin::Given) {
            r.context.remove(k);
        }
    }
    r.principal = Principal::Anonymous;
    Principal::Anonymous.derive_context(&mut r.context);
    r
}

/// Builds the request of one step from the base request (caller, account,
/// user context); the call's own context keys win over s3guard's defaults
/// but not over keys the user gave.
pub fn step_request(
    base: &Request,
    caller: Caller,
    action: &str,
    resource: &str,
    context: &[(String, ContextValue)],
) -> Option<Request> {
    let action = Action::parse(action).ok()?;
    let resource = Resource::parse(resource).ok()?;
    let from = match caller {
        Caller::Principal => base.clone(),
        Caller::Anonymous => as_anonymous(base),
    };
    let mut r = probe(&from, &action, resource);
    for (k, v) in context {
        if r.context.get(k).is_some_and(|e| e.origin == Origin::Given) {
            continue;
        }
        r.context.insert(k, v.clone(), Origin::Derived);
    }
    Some(r)
}

fn context_json(ctx: &[(String, ContextValue)]) -> serde_json::Map<String, serde_json::Value> {
    ctx.iter()
        .filter(|(k, v)| {
            let header_auth = k.eq_ignore_ascii_case("s3:authType")
                && v.values().iter().any(|x| x == "REST-HEADER");
            !k.eq_ignore_ascii_case("s3:signatureversion") && !header_auth
        })
        .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
        .collect()
}

/// What the deletions done before a failure amount to, in plain words.
fn consequence(done: &[(&Call, &CommandStep)]) -> Option<String> {
    let mut gone: Vec<String> = Vec::new();
    let mut changed = 0;
    for (c, s) in done {
        if s.action == "s3:DeleteObject" {
            let rest = s
                .resource
                .strip_prefix("arn:aws:s3:::")
                .unwrap_or(&s.resource);
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            let phrase = match key.strip_suffix(PLACEHOLDER_KEY) {
                Some("") => format!("every object of {bucket}"),
                Some(prefix) => format!("every object under s3://{bucket}/{prefix}"),
                None => format!("s3://{bucket}/{key}"),
            };
            if !gone.contains(&phrase) {
                gone.push(phrase);
            }
        } else if c.mutates {
            changed += 1;
        }
    }
    match (gone.is_empty(), changed) {
        (true, 0) => None,
        (true, _) => Some("S3 is left half-changed: the changes above stay when the command fails".into()),
        (false, _) => Some(format!(
            "{} would be deleted before the failure: the objects would be gone (nothing restores them unless the bucket is versioned)",
            gone.join(", ")
        )),
    }
}

/// Evaluates every request of a plan under the policies for the caller of `base`.
pub fn evaluate(set: &PolicySet, base: &Request, plan: &Plan) -> Report {
    let mut steps: Vec<CommandStep> = Vec::new();
    let mut optional_steps: Vec<CommandStep> = Vec::new();
    let mut notes = plan.notes.clone();
    for (ci, call) in plan.calls.iter().enumerate() {
        for r in &call.requests {
            let Some(req) = step_request(base, call.caller, &r.action, &r.resource, &r.context)
            else {
                notes.push(format!(
                    "could not build the request {} on {} (not evaluated)",
                    r.action, r.resource
                ));
                continue;
            };
            let v = judge(set, &req);
            let mut step_notes = crate::catalog::request_warnings(&req.action, &req.resource);
            step_notes.extend(v.eval.notes.iter().map(ToString::to_string));
            let list = if call.optional.is_some() {
                &mut optional_steps
            } else {
                &mut steps
            };
            list.push(CommandStep {
                step: list.len() + 1,
                api_call: call.api.clone(),
                phase: call.phase,
                action: r.action.clone(),
                resource: r.resource.clone(),
                context: context_json(&r.context),
                caller: call.caller,
                decision: v.decision(),
                grant: v.grant,
                condition_keys: v.condition_keys.clone(),
                effect_if_allowed: call.effect.clone(),
                mutates: call.mutates,
                optional: call.optional.clone(),
                reached: true,
                statements: v.statements.clone(),
                reason: crate::render::text::verdict_reason_line(set, &req, &v),
                notes: step_notes,
                call: ci,
            });
        }
    }
    let failed_phase = steps
        .iter()
        .filter(|s| s.decision != Decision::Allowed)
        .map(|s| s.phase)
        .min();
    let failed_at = failed_phase.and_then(|p| {
        steps
            .iter()
            .find(|s| s.phase == p && s.decision != Decision::Allowed)
            .map(|s| s.step)
    });
    if let Some(p) = failed_phase {
        for s in steps.iter_mut().chain(optional_steps.iter_mut()) {
            s.reached = s.phase <= p;
        }
    }
    let call_allowed = |ci: usize| {
        steps
            .iter()
            .filter(|s| s.call == ci)
            .all(|s| s.decision == Decision::Allowed)
    };
    let mut done: Vec<(&Call, &CommandStep)> = Vec::new();
    let mut seen_calls: Vec<usize> = Vec::new();
    if let Some(p) = failed_phase {
        for s in &steps {
            if s.phase <= p && !seen_calls.contains(&s.call) && call_allowed(s.call) {
                if let Some(c) = plan.calls.get(s.call).filter(|c| c.mutates) {
                    seen_calls.push(s.call);
                    done.push((c, s));
                }
            }
        }
    }
    let outcome = match (failed_phase, done.is_empty()) {
        (None, _) => CommandOutcome::Succeeds,
        (Some(_), true) => CommandOutcome::Fails,
        (Some(_), false) => CommandOutcome::Partial,
    };
    let conditional: Vec<&CommandStep> = steps
        .iter()
        .filter(|s| s.grant == Access::Conditional)
        .collect();
    if !conditional.is_empty() {
        let mut keys: Vec<&str> = conditional
            .iter()
            .flat_map(|s| s.condition_keys.iter().map(String::as_str))
            .collect();
        keys.dedup();
        notes.push(format!(
            "a condition decides {} of the steps (keys {}): the answer holds for this request context; pass --context to try others",
            conditional.len(),
            keys.join(", ")
        ));
    }
    if plan.placeholder
        && plan.calls.iter().any(|c| {
            c.requests
                .iter()
                .any(|r| r.resource.contains(PLACEHOLDER_KEY))
        })
    {
        notes.insert(
            0,
            format!("object keys are unknown offline: {PLACEHOLDER_KEY} stands for every object key the command touches; pass --keys a.txt,b.txt to evaluate named keys"),
        );
    }
    Report {
        outcome,
        failed_at,
        done_before_failure: done.iter().map(|(c, _)| c.effect.clone()).collect(),
        consequence: if outcome == CommandOutcome::Partial {
            consequence(&done)
        } else {
            None
        },
        steps,
        optional_steps,
        placeholder_key: plan.placeholder,
        keys: plan.keys.clone(),
        notes,
    }
}

/// A decision in the AWS simulator spelling, as JSON output has it.
fn aws_decision<S: serde::Serializer>(d: &Decision, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(d.aws_name())
}
