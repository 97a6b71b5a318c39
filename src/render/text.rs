//! The text answer of `can` (also what a failing test case and a failing
//! Rust assertion print): the decision, the statements that decided it, the
//! closest miss, and the notes.

use crate::eval::policy_set::PolicySet;
use crate::eval::response::Decision;
use crate::explain::Evaluation;
use crate::policy::{PolicyType, Statement};
use crate::request::{Principal, Request};

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
    format!("{} {}", t.describe(), files.join(", "))
}

fn caller_phrase(p: &Principal) -> String {
    match p {
        Principal::Unspecified => "the caller".into(),
        other => format!("`{other}`"),
    }
}

/// The text answer of `can`.
pub fn render_text(set: &PolicySet, req: &Request, eval: &Evaluation, explain: bool) -> String {
    let resp = &eval.response;
    let mut out = String::new();
    let what = format!("{} on {}", req.action, req.resource);
    match resp.decision {
        Decision::Allowed => {
            out.push_str("ALLOW\n");
            for r in &resp.determining {
                if let Some(s) = set.statement(*r) {
                    out.push_str(&format!(
                        "  allowed by {}: {}\n",
                        set.position(*r),
                        describe_statement(s)
                    ));
                }
            }
        }
        Decision::ExplicitDeny if resp.is_blocked_by_public_access() => {
            out.push_str(&format!(
                "DENY (explicit) — blocked by S3 Block Public Access (RestrictPublicBuckets): the bucket policy is public, so it grants only to the bucket's account{} and to AWS services, not to {} (spec E-15)\n",
                req.stated_resource_account().map(|a| format!(" {a}")).unwrap_or_default(),
                caller_phrase(&req.principal)
            ));
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
            match (non_identity, non_identity.and_then(|t| first_of(*t))) {
                (Some(t), Some(first)) => out.push_str(&format!(
                    "DENY (explicit) — {} {}\n",
                    t.describe(),
                    set.position(*first)
                )),
                _ => out.push_str("DENY (explicit)\n"),
            }
            for r in &resp.determining {
                if let Some(s) = set.statement(*r) {
                    out.push_str(&format!(
                        "  denied by {}: {}\n",
                        set.position(*r),
                        describe_statement(s)
                    ));
                }
            }
        }
        Decision::ImplicitDeny => {
            let reason = match resp.blocked_by {
                Some(PolicyType::Identity) | None => None,
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
            match reason {
                Some(r) => out.push_str(&format!("DENY (implicit) — {r}\n")),
                None => {
                    out.push_str("DENY (implicit)\n");
                    if set.has_layer(PolicyType::Identity) || !set.has_layer(PolicyType::Resource) {
                        let who = if !resp.same_account {
                            " (the caller's account side)"
                        } else {
                            ""
                        };
                        out.push_str(&format!(
                            "  no identity policy statement allows {what}{who}\n"
                        ));
                    } else {
                        out.push_str(&format!("  no policy statement allows {what}\n"));
                    }
                }
            }
        }
    }
    if let Some(m) = crate::explain::near_miss::near_misses(set, req, eval).first() {
        let said = m.only_missing_keys()
            && eval
                .notes
                .iter()
                .any(|n| n.starts_with("decision depends on missing key"));
        if !said {
            out.push_str(&format!("  closest: {}\n", m.describe()));
        }
    }
    if !resp.same_account {
        out.push_str(&format!(
            "  cross-account: caller in {}, resource in {}\n",
            req.principal.account().unwrap_or("?"),
            req.stated_resource_account().unwrap_or("?")
        ));
    } else if let (None, Some(acct)) = (req.stated_resource_account(), req.principal.account()) {
        if matches!(req.resource, crate::matcher::Resource::Arn(_)) {
            out.push_str(&format!(
                "  resource account: {acct}, the caller's own (by default; pass --resource-account if another account owns the bucket)\n"
            ));
        }
    }
    for n in &eval.notes {
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
        out.push_str(&format!("  principal: {}\n", req.principal));
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
        if req.context.is_empty() {
            out.push_str("  (empty)\n");
        }
        for e in req.context.entries() {
            let origin = match e.origin {
                crate::request::context::Origin::Given => "given",
                crate::request::context::Origin::Derived => "derived by s3guard",
                crate::request::context::Origin::Default => "default assumed by s3guard",
            };
            out.push_str(&format!("  {} = {} ({origin})\n", e.key, e.value));
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
