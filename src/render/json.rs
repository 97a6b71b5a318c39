//! The JSON shapes of answers: AWS's `simulate-custom-policy` result
//! (`EvaluationResults`, spec O-1) plus s3guard's own fields (O-3).

use serde_json::{json, Map, Value};

use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, LayerDecision, StatementRef};
use crate::explain::Evaluation;
use crate::policy::PolicyType;
use crate::request::context::Origin;
use crate::request::Request;

/// AWS's human names of policy types as seen in simulator output.
pub fn aws_policy_type(t: PolicyType) -> &'static str {
    match t {
        PolicyType::Identity => "IAM Policy",
        PolicyType::Resource => "Resource Policy",
        PolicyType::Boundary => "Permissions Boundary Policy",
        PolicyType::Session => "Session Policy",
        PolicyType::Scp => "Service Control Policy",
        PolicyType::Rcp => "Resource Control Policy",
        PolicyType::VpcEndpoint => "VPC Endpoint Policy",
        PolicyType::AccessPoint => "Access Point Policy",
    }
}

fn layer_name(d: LayerDecision) -> &'static str {
    match d {
        LayerDecision::Allowed => "allowed",
        LayerDecision::ExplicitDeny => "explicitDeny",
        LayerDecision::ImplicitDeny => "implicitDeny",
        LayerDecision::NotPresent => "notPresent",
        LayerDecision::NotApplicable => "notApplicable",
    }
}

fn matched_statement(set: &PolicySet, r: StatementRef) -> Option<Value> {
    let m = set.member(r)?;
    let s = set.statement(r)?;
    Some(json!({
        "SourcePolicyId": m.source_id,
        "SourcePolicyType": aws_policy_type(m.layer),
        "StartPosition": {"Line": s.location.start().line, "Column": s.location.start().column},
        "EndPosition": {"Line": s.location.end().line, "Column": s.location.end().column},
    }))
}

/// One `EvaluationResults[]` entry. With `aws_only`, exactly AWS's fields.
pub fn evaluation_result(
    set: &PolicySet,
    req: &Request,
    eval: &Evaluation,
    aws_only: bool,
) -> Value {
    let resp = &eval.response;
    let matched: Vec<Value> = resp
        .determining
        .iter()
        .filter_map(|r| matched_statement(set, *r))
        .collect();
    let allowed_by_orgs = resp.per_type.scp != LayerDecision::ImplicitDeny
        && resp.per_type.scp != LayerDecision::ExplicitDeny;
    let allowed_by_boundary = resp.per_type.boundary != LayerDecision::ImplicitDeny
        && resp.per_type.boundary != LayerDecision::ExplicitDeny;
    let mut details = Map::new();
    if !resp.same_account {
        details.insert(
            aws_policy_type(PolicyType::Identity).into(),
            json!(layer_name(resp.per_type.identity)),
        );
        details.insert(
            aws_policy_type(PolicyType::Resource).into(),
            json!(layer_name(resp.per_type.resource)),
        );
    }
    let decision = resp.decision.aws_name();
    let mut result = json!({
        "EvalActionName": req.action.as_str(),
        "EvalResourceName": req.resource.as_str(),
        "EvalDecision": decision,
        "MatchedStatements": matched,
        "MissingContextValues": eval.missing_context,
        "OrganizationsDecisionDetail": {"AllowedByOrganizations": allowed_by_orgs},
        "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": allowed_by_boundary},
        "EvalDecisionDetails": details,
        "ResourceSpecificResults": [{
            "EvalResourceName": req.resource.as_str(),
            "EvalResourceDecision": decision,
            "MatchedStatements": matched,
            "MissingContextValues": eval.missing_context,
            "EvalDecisionDetails": details,
            "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": allowed_by_boundary},
        }],
    });
    if !aws_only {
        if let Some(obj) = result.as_object_mut() {
            obj.insert("s3guard".into(), s3guard_fields(set, req, eval));
        }
    }
    result
}

/// A deciding statement as `matchedStatements` shows it (`can --format
/// json`, `eval --requests`): policy, type, index, Sid, effect, position.
pub fn statement_json(m: &crate::eval::policy_set::Member, s: &crate::policy::Statement) -> Value {
    json!({
        "policy": m.policy.name,
        "policyType": m.layer.as_str(),
        "index": s.index,
        "sid": s.sid,
        "effect": s.effect,
        "line": s.location.start().line,
        "column": s.location.start().column,
    })
}

fn s3guard_fields(set: &PolicySet, req: &Request, eval: &Evaluation) -> Value {
    let resp = &eval.response;
    let matched: Vec<Value> = resp
        .determining
        .iter()
        .filter_map(|r| Some(statement_json(set.member(*r)?, set.statement(*r)?)))
        .collect();
    let pt = &resp.per_type;
    // through an access point, the keys AWS sets there are part of the request (AP-3)
    let phases = set.access_point_phases(req);
    let shown = phases.as_ref().map_or(req, |p| &p.access_point);
    let context: Vec<Value> = shown
        .context
        .entries()
        .iter()
        .map(|e| {
            json!({
                "key": e.key,
                "value": e.value,
                "origin": match e.origin { Origin::Given => "given", Origin::Derived => "derived", Origin::Default => "default" },
            })
        })
        .collect();
    let mut doc = json!({
        "decision": resp.decision.case_name(),
        "blockedBy": if resp.is_refused_by_access_point() { vec!["access-point-restrictions"] } else if let Some(r) = resp.refusal() { vec![r.layer_name()] } else { resp.blocked_by.filter(|_| resp.decision == Decision::ImplicitDeny).map(|t| vec![t.as_str()]).unwrap_or_default() },
        "sameAccount": resp.same_account,
        "principal": req.principal.to_string(),
        "resourceAccount": req.effective_resource_account(),
        "matchedStatements": matched,
        "perPolicyType": {
            "identity": layer_name(pt.identity),
            "resource": layer_name(pt.resource),
            "boundary": layer_name(pt.boundary),
            "session": layer_name(pt.session),
            "scp": layer_name(pt.scp),
            "rcp": layer_name(pt.rcp),
            "vpce": layer_name(pt.vpce),
            "blockPublicAccess": layer_name(pt.block_public_access),
        },
        "nearMisses": crate::explain::near_miss::near_misses(set, req, eval).into_iter().take(3).collect::<Vec<_>>(),
        "notes": eval.notes,
        "conditionErrors": eval.condition_errors,
        "context": context,
        "statements": eval.traces,
    });
    if pt.access_point_restrictions != LayerDecision::NotPresent {
        if let Some(per) = doc.get_mut("perPolicyType").and_then(Value::as_object_mut) {
            per.insert("accessPoint".into(), json!(layer_name(pt.access_point)));
            per.insert(
                "accessPointRestrictions".into(),
                json!(layer_name(pt.access_point_restrictions)),
            );
        }
    }
    if let (Some(p), Some(obj)) = (&phases, doc.as_object_mut()) {
        let (at_point, at_bucket) = set.phase_outcomes(p);
        obj.insert(
            "accessPoint".into(),
            json!({
                "atAccessPoint": at_point,
                "atBucket": at_bucket,
                "refusal": set.access_point_refusal(&p.access_point),
            }),
        );
    }
    if let (Some(r), Some(obj)) = (resp.refusal(), doc.as_object_mut()) {
        obj.insert("refusedBy".into(), json!(r.setting()));
    }
    if let (false, Some(obj)) = (resp.acl_grants.is_empty(), doc.as_object_mut()) {
        let grants: Vec<Value> = resp
            .acl_grants
            .iter()
            .filter_map(|r| {
                let g = set.acl_grant(*r, req)?;
                Some(json!({"acl": r.acl, "grantee": g.grantee.to_string(), "permission": g.permission}))
            })
            .collect();
        obj.insert("aclGrants".into(), json!(grants));
    }
    doc
}

/// The whole `simulate-custom-policy`-shaped document for one request.
pub fn simulation(set: &PolicySet, req: &Request, eval: &Evaluation, aws_only: bool) -> Value {
    json!({
        "EvaluationResults": [evaluation_result(set, req, eval, aws_only)],
        "IsTruncated": false,
    })
}
