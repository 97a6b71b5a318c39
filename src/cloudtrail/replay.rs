//! Replaying CloudTrail events under policies: every recorded S3 request
//! evaluated with the real evaluator, denied ones grouped by action and
//! reason ("would switching the app to this policy break anything it did?").

use serde::Serialize;

use super::events::Event;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::explain::classify::Access;
use crate::explain::probe::judge;
use crate::request::context::{ContextValue, Origin};
use crate::request::{Principal, Request};

/// Where an event is.
#[derive(Debug, Clone, Serialize)]
pub struct EventRef {
    /// Line in the file.
    pub line: u32,
    /// `eventID`.
    pub event_id: String,
    /// `eventTime`.
    pub event_time: String,
    /// `eventName`.
    pub event_name: String,
    /// The caller as recorded.
    pub caller: String,
    /// The error AWS recorded (`AccessDenied`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_error: Option<String>,
}

impl EventRef {
    fn of(e: &Event) -> EventRef {
        EventRef {
            line: e.line,
            event_id: e.event_id.clone(),
            event_time: e.event_time.clone(),
            event_name: e.event_name.clone(),
            caller: e.caller.clone(),
            recorded_error: e.error_code.clone(),
        }
    }
}

/// Denied requests with the same action and reason.
#[derive(Debug, Clone, Serialize)]
pub struct DeniedGroup {
    /// IAM action.
    pub action: String,
    /// `explicitDeny` / `implicitDeny`.
    pub decision: &'static str,
    /// The evaluator's reason.
    pub reason: String,
    /// How many requests.
    pub count: usize,
    /// Distinct resources (all of them).
    pub resources: Vec<String>,
    /// The events.
    pub events: Vec<EventRef>,
}

/// Events not evaluated, by reason.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedGroup {
    /// Why.
    pub reason: String,
    /// The events.
    pub events: Vec<EventRef>,
}

/// The result of a replay.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    /// Events read.
    pub events: usize,
    /// Events evaluated.
    pub evaluated_events: usize,
    /// IAM requests evaluated (an event may need several: CopyObject, DeleteObjects).
    pub requests: usize,
    /// Allowed requests.
    pub allowed: usize,
    /// Denied requests.
    pub denied: usize,
    /// Allowed requests whose answer a condition decided.
    pub conditional: usize,
    /// Denied requests, grouped.
    pub denied_groups: Vec<DeniedGroup>,
    /// Events not evaluated, grouped by reason.
    pub not_evaluated: Vec<SkippedGroup>,
    /// Things to know.
    pub notes: Vec<String>,
    /// Every evaluated (action, resource) of a signed caller, for `--suggest`.
    #[serde(skip)]
    pub signed_requests: Vec<(String, String)>,
}

/// The request an event's IAM request stands for.
pub fn build(
    e: &Event,
    principal: &Principal,
    action: &str,
    resource: &str,
    ctx: &[(String, ContextValue)],
) -> Option<Request> {
    let mut r = Request::new(action, resource).ok()?;
    r.principal = principal.clone();
    r.resource_account = e.resource_account.clone();
    for (k, v) in e.context.iter().chain(ctx.iter()) {
        r.context.insert(k, v.clone(), Origin::Given);
    }
    principal.derive_context(&mut r.context);
    if let Some(acct) = r.effective_resource_account().map(str::to_string) {
        r.context.set_default(
            "aws:ResourceAccount",
            ContextValue::Single(acct.clone()),
            Origin::Derived,
        );
        r.context.set_default(
            "s3:ResourceAccount",
            ContextValue::Single(acct),
            Origin::Derived,
        );
    }
    Some(r)
}

fn principal_matches(p: &Principal, only: &str) -> bool {
    p.arn() == Some(only)
        || matches!(p, Principal::RoleSession { role_arn, role_name, .. } if role_arn == only || role_name == only)
        || p.to_string() == only
}

/// Replays events under the policies; `only` keeps the events of one caller
/// (its ARN, role ARN or role name).
pub fn replay(set: &PolicySet, events: &[Event], only: Option<&str>) -> Replay {
    let mut out = Replay {
        events: events.len(),
        evaluated_events: 0,
        requests: 0,
        allowed: 0,
        denied: 0,
        conditional: 0,
        denied_groups: Vec::new(),
        not_evaluated: Vec::new(),
        notes: Vec::new(),
        signed_requests: Vec::new(),
    };
    let mut no_tls = 0;
    let mut callers: Vec<String> = Vec::new();
    let mut recorded_denials_allowed = 0;
    for e in events {
        let skip = |out: &mut Replay, why: String| match out
            .not_evaluated
            .iter_mut()
            .find(|g| g.reason == why)
        {
            Some(g) => g.events.push(EventRef::of(e)),
            None => out.not_evaluated.push(SkippedGroup {
                reason: why,
                events: vec![EventRef::of(e)],
            }),
        };
        if let (Some(o), Some(_)) = (only, &e.skipped) {
            let same = match &e.principal {
                Some(p) => principal_matches(p, o),
                None => Principal::parse(&e.caller).is_ok_and(|p| principal_matches(&p, o)),
            };
            if !same {
                continue;
            }
        }
        let principal = match (&e.skipped, &e.principal) {
            (Some(why), _) => {
                skip(&mut out, why.clone());
                continue;
            }
            (None, Some(p)) => p,
            (None, None) => {
                skip(&mut out, "no caller".into());
                continue;
            }
        };
        if let Some(o) = only {
            if !principal_matches(principal, o) {
                continue;
            }
        }
        out.evaluated_events += 1;
        if !callers.contains(&e.caller) {
            callers.push(e.caller.clone());
        }
        if e.tls_details_missing {
            no_tls += 1;
        }
        for n in &e.notes {
            let n = format!("line {}: {n}", e.line);
            if !out.notes.contains(&n) {
                out.notes.push(n);
            }
        }
        let mut event_allowed = true;
        for r in &e.requests {
            let Some(req) = build(e, principal, &r.action, &r.resource, &r.context) else {
                skip(
                    &mut out,
                    format!("cannot build a request for {} on {}", r.action, r.resource),
                );
                continue;
            };
            out.requests += 1;
            if principal.is_iam() {
                out.signed_requests
                    .push((r.action.clone(), r.resource.clone()));
            }
            let v = judge(set, &req);
            if v.decision() == Decision::Allowed {
                out.allowed += 1;
                if v.grant == Access::Conditional {
                    out.conditional += 1;
                }
                continue;
            }
            event_allowed = false;
            out.denied += 1;
            let reason = crate::render::text::verdict_reason_line(set, &req, &v);
            let decision = v.decision().aws_name();
            match out
                .denied_groups
                .iter_mut()
                .find(|g| g.action == r.action && g.reason == reason && g.decision == decision)
            {
                Some(g) => {
                    g.count += 1;
                    if !g.resources.contains(&r.resource) {
                        g.resources.push(r.resource.clone());
                    }
                    if !g
                        .events
                        .iter()
                        .any(|x| x.line == e.line && x.event_id == e.event_id)
                    {
                        g.events.push(EventRef::of(e));
                    }
                }
                None => out.denied_groups.push(DeniedGroup {
                    action: r.action.clone(),
                    decision,
                    reason,
                    count: 1,
                    resources: vec![r.resource.clone()],
                    events: vec![EventRef::of(e)],
                }),
            }
        }
        if event_allowed && e.error_code.as_deref() == Some("AccessDenied") {
            recorded_denials_allowed += 1;
        }
    }
    if callers.len() > 1 {
        out.notes.push(format!(
            "{} callers in the replay ({}): --only PRINCIPAL replays one of them (and makes --suggest a policy for it alone)",
            callers.len(),
            callers.join(", ")
        ));
    }
    out.denied_groups
        .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.action.cmp(&b.action)));
    if no_tls > 0 {
        out.notes.push(format!(
            "{no_tls} event(s) have no tlsDetails: aws:SecureTransport was left missing for them"
        ));
    }
    if out.conditional > 0 {
        out.notes.push(format!("{} allowed request(s) depend on a condition, decided with the context recorded by CloudTrail", out.conditional));
    }
    if recorded_denials_allowed > 0 {
        out.notes.push(format!("{recorded_denials_allowed} event(s) were denied by AWS when recorded (AccessDenied) but are allowed here: other policies (bucket policy, SCPs, ACLs) may have denied them then"));
    }
    out
}
