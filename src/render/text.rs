//! The text answer of `can` (also what a failing test case and a failing
//! Rust assertion print): the decision, the statements that decided it, the
//! closest miss, and the notes.

use crate::eval::acl::AclOf;
use crate::eval::block_public_access::Refusal;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::explain::probe::Judgement;
use crate::explain::Evaluation;
use crate::policy::{PolicyType, Statement};
use crate::request::{Principal, Request};

use super::escape::value;

/// `Allow s3:GetObject, s3:PutObject on arn:aws:s3:::b/*`, shortened when long.
pub fn describe_statement(s: &Statement) -> String {
    let cond = if s.condition.is_empty() {
        ""
    } else {
        " (with a condition)"
    };
    format!(
        "{} {} on {}{cond}",
        s.effect,
        s.describe_actions(),
        s.describe_resources()
    )
}

fn layer_phrase(set: &PolicySet, t: PolicyType) -> String {
    let files: Vec<&str> = set
        .members()
        .iter()
        .filter(|m| m.layer == t)
        .map(|m| m.policy.name.as_str())
        .collect();
    if files.is_empty() {
        // the layer takes part without a policy (an access point without
        // one): nothing grants there
        return format!("no {} given", t.describe());
    }
    format!("{} {}", t.describe(), files.join(", "))
}

fn caller_phrase(p: &Principal) -> String {
    match p {
        Principal::Unspecified => "the caller".into(),
        other => format!("`{other}`"),
    }
}

/// The answer's first lines, as parts: the decision, why (when it fits on
/// the headline), and the detail lines (deciding statements, the closest
/// miss, accounts), without indentation.
struct Answer {
    headline: &'static str,
    reason: Option<String>,
    details: Vec<String>,
}

fn answer(set: &PolicySet, req: &Request, eval: &Evaluation) -> Answer {
    let resp = &eval.response;
    let mut details: Vec<String> = Vec::new();
    let mut reason: Option<String> = None;
    // request strings come from the user: one line each, nothing for the terminal
    let what = format!(
        "{} on {}",
        value(&req.action.to_string()),
        value(&req.resource.to_string())
    );
    match resp.decision {
        Decision::Allowed => {
            for r in &resp.determining {
                if let Some(s) = set.statement(*r) {
                    details.push(format!(
                        "allowed by {}: {}",
                        set.position(*r),
                        describe_statement(s)
                    ));
                }
            }
            for r in &resp.acl_grants {
                if let Some(g) = set.acl_grant(*r, req) {
                    details.push(format!(
                        "allowed by the {} ACL: {} granted to {} (spec E-20)",
                        match r.acl {
                            AclOf::Bucket => "bucket",
                            AclOf::Object => "object",
                        },
                        g.permission.name(),
                        value(&g.grantee.to_string())
                    ));
                }
            }
        }
        Decision::ExplicitDeny if resp.is_refused_by_access_point() => {
            reason = eval.notes.iter().find_map(|n| match n {
                crate::explain::Note::ThroughAccessPoint {
                    refusal: Some(r), ..
                } => Some(format!("refused by the access point: {r}")),
                _ => None,
            });
        }
        Decision::ExplicitDeny if resp.refusal().is_some() => {
            let carried = || {
                crate::eval::acl::Acl::from_request(&req.context)
                    .map(|a| value(&a.to_string()).to_string())
                    .unwrap_or_default()
            };
            reason = resp.refusal().map(|r| match r {
                Refusal::RestrictPublicBuckets => format!(
                    "blocked by S3 Block Public Access (RestrictPublicBuckets): the bucket policy is public, so it grants only to the bucket's account{} and to AWS services, not to {} (spec E-15)",
                    req.stated_resource_account().map(|a| format!(" {a}")).unwrap_or_default(),
                    caller_phrase(&req.principal)
                ),
                Refusal::BlockPublicPolicy => "blocked by S3 Block Public Access (BlockPublicPolicy): the new bucket policy is public, and S3 refuses to put it (spec E-19)".to_string(),
                Refusal::BlockPublicAcls => format!(
                    "blocked by S3 Block Public Access (BlockPublicAcls): the request carries a public ACL `{}`, and S3 refuses it (spec E-19)",
                    carried()
                ),
                Refusal::AclsDisabled => format!(
                    "refused by S3 Object Ownership (BucketOwnerEnforced): ACLs are disabled and the request carries the ACL `{}`; only bucket-owner-full-control is accepted (AWS answers AccessControlListNotSupported, spec E-21)",
                    carried()
                ),
            });
        }
        Decision::ExplicitDeny => {
            let layers: Vec<PolicyType> = resp
                .determining
                .iter()
                .filter_map(|r| set.member(*r))
                .map(|m| m.layer)
                .collect();
            let non_identity = layers.iter().find(|t| **t != PolicyType::Identity);
            let first_of = |t: PolicyType| {
                resp.determining
                    .iter()
                    .find(|r| set.member(**r).is_some_and(|m| m.layer == t))
            };
            if let (Some(t), Some(first)) = (non_identity, non_identity.and_then(|t| first_of(*t)))
            {
                reason = Some(format!("{} {}", t.describe(), set.position(*first)));
            }
            for r in &resp.determining {
                if let Some(s) = set.statement(*r) {
                    details.push(format!(
                        "denied by {}: {}",
                        set.position(*r),
                        describe_statement(s)
                    ));
                }
            }
        }
        Decision::ImplicitDeny => {
            let bucket_refuses = eval.notes.iter().find_map(|n| match n {
                crate::explain::Note::ThroughAccessPoint {
                    access_point,
                    bucket,
                    ..
                } if access_point.decision == Decision::Allowed => Some(bucket),
                _ => None,
            });
            reason = match resp.blocked_by {
                _ if bucket_refuses.is_some() => bucket_refuses.map(|b| format!(
                    "the bucket behind the access point does not allow it: {} {} to do {} on {} (the bucket must allow too, or delegate access control to its access points with s3:DataAccessPointAccount, spec AP-1, AP-2)",
                    match b.blocked_by {
                        Some(PolicyType::Resource) => "no bucket policy statement allows",
                        _ => "neither the bucket policy nor the caller's identity policies allow",
                    },
                    caller_phrase(&req.principal),
                    value(&req.action.to_string()),
                    value(&b.resource),
                )),
                Some(PolicyType::Identity) | None => None,
                Some(PolicyType::Resource) if set.foreign_object_owner(req).is_some() => Some(format!(
                    "blocked by the object owner {}: the object's ACL grants {} nothing for {what}, and the bucket policy does not reach an object of another account (spec E-21)",
                    set.foreign_object_owner(req).unwrap_or_default(),
                    caller_phrase(&req.principal)
                )),
                Some(PolicyType::AccessPoint) => Some(format!(
                    "no access point policy statement allows {} to do {what} ({}{})",
                    caller_phrase(&req.principal),
                    layer_phrase(set, PolicyType::AccessPoint),
                    if resp.same_account { "" } else { "; cross-account requests need an Allow on both sides, spec E-6" }
                )),
                Some(PolicyType::Resource) if !resp.same_account => Some(format!(
                    "blocked by the resource account {}: no bucket policy statement allows {} to do {what} (cross-account requests need an Allow on both sides, spec E-6)",
                    req.stated_resource_account().unwrap_or("?"),
                    caller_phrase(&req.principal)
                )),
                Some(PolicyType::Resource) => Some(format!(
                    "no bucket policy statement allows {} to do {what}",
                    caller_phrase(&req.principal)
                )),
                Some(PolicyType::Scp) => Some(format!(
                    "blocked by {}: some organization level has no statement that allows {what}",
                    layer_phrase(set, PolicyType::Scp)
                )),
                Some(PolicyType::VpcEndpoint) => Some(format!(
                    "blocked by {} (the request comes through endpoint {}): no statement allows {} to do {what}",
                    layer_phrase(set, PolicyType::VpcEndpoint),
                    req.context
                        .get_lower("aws:sourcevpce")
                        .map(|e| e.value.values().join(", "))
                        .unwrap_or_default(),
                    caller_phrase(&req.principal)
                )),
                Some(t) => Some(format!("blocked by {}: no statement allows {what}", layer_phrase(set, t))),
            };
            if reason.is_none() {
                if set.has_layer(PolicyType::Identity) || !set.has_layer(PolicyType::Resource) {
                    let who = if !resp.same_account {
                        " (the caller's account side)"
                    } else {
                        ""
                    };
                    details.push(format!("no identity policy statement allows {what}{who}"));
                } else {
                    details.push(format!("no policy statement allows {what}"));
                }
            }
        }
    }
    if let Some(m) = crate::explain::near_miss::near_misses(set, req, eval).first() {
        let said = m.only_missing_keys() && eval.depends_on_missing_key();
        if !said {
            details.push(format!("closest: {}", m.describe()));
        }
    }
    if let (false, Some(owner)) = (resp.same_account, set.foreign_object_owner(req)) {
        details.push(format!(
            "cross-account: caller in {}, object owned by {owner}",
            req.principal.account().unwrap_or("?"),
        ));
    } else if !resp.same_account {
        details.push(format!(
            "cross-account: caller in {}, resource in {}",
            req.principal.account().unwrap_or("?"),
            req.stated_resource_account().unwrap_or("?")
        ));
    } else if let (None, Some(acct)) = (req.stated_resource_account(), req.principal.account()) {
        if matches!(req.resource, crate::matcher::Resource::Arn(_)) {
            details.push(format!(
                "resource account: {acct}, the caller's own (by default; pass --resource-account if another account owns the bucket)"
            ));
        }
    }
    Answer {
        headline: resp.decision.headline(),
        reason,
        details,
    }
}

/// Why the evaluator decided (`allowed by FILE:L:C (Sid X): …`, `no identity
/// policy statement allows …`), in one line without the decision headline:
/// the text answer's reason and detail lines, joined with `; `.
pub fn reason_line(set: &PolicySet, req: &Request, eval: &Evaluation) -> String {
    let a = answer(set, req, eval);
    a.reason
        .into_iter()
        .chain(a.details)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The reason line of a classified request (`can-run`, `replay`). A
/// verdict traces only the statements that may match; a denial's closest
/// near miss may be any statement, so a denial is explained from every
/// trace.
pub fn verdict_reason_line(set: &PolicySet, req: &Request, v: &Judgement) -> String {
    if v.eval.response.decision == Decision::Allowed {
        reason_line(set, req, &v.eval)
    } else {
        reason_line(set, req, &set.evaluate(req))
    }
}

/// The text answer of `can`.
pub fn render_text(set: &PolicySet, req: &Request, eval: &Evaluation, explain: bool) -> String {
    let mut out = String::new();
    let a = answer(set, req, eval);
    match &a.reason {
        Some(r) => out.push_str(&format!("{} — {r}\n", a.headline)),
        None => out.push_str(&format!("{}\n", a.headline)),
    }
    for d in &a.details {
        out.push_str(&format!("  {d}\n"));
    }
    for n in &eval.notes {
        if let crate::explain::Note::ThroughAccessPoint {
            refusal: Some(_), ..
        } = n
        {
            continue; // the headline says it
        }
        out.push_str(&format!("note: {n}\n"));
    }
    if explain {
        out.push_str("statements:\n");
        for t in &eval.traces {
            out.push_str(&format!(
                "  {} ({}) {} [{}]: {}\n",
                t.position(),
                t.label(),
                t.effect,
                t.policy_type,
                t.summary()
            ));
        }
        out.push_str("request:\n");
        out.push_str(&format!(
            "  principal: {}\n",
            value(&req.principal.to_string())
        ));
        out.push_str(&format!(
            "  resource account: {}{}\n",
            req.effective_resource_account().unwrap_or("(unknown)"),
            if req.stated_resource_account().is_none() {
                " (the caller's own account)"
            } else {
                ""
            }
        ));
        out.push_str("context:\n");
        // through an access point, the keys AWS sets there are part of the request (AP-3)
        let phases = set.access_point_phases(req);
        let shown = phases.as_ref().map_or(req, |p| &p.access_point);
        if shown.context.is_empty() {
            out.push_str("  (empty)\n");
        }
        for e in shown.context.entries() {
            let origin = match e.origin {
                crate::request::context::Origin::Given => "given",
                crate::request::context::Origin::Derived => "derived by s3guard",
                crate::request::context::Origin::Default => "default assumed by s3guard",
            };
            out.push_str(&format!(
                "  {} = {} ({origin})\n",
                value(&e.key),
                value(&e.value.to_string())
            ));
        }
        if !eval.missing_context.is_empty() {
            out.push_str(&format!(
                "missing context: {}\n",
                eval.missing_context.join(", ")
            ));
        }
    }
    out.trim_end().to_string()
}
