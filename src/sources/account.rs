//! `aws iam get-account-authorization-details`: every user, group and role
//! with its inline policies (`UserPolicyList`, `GroupPolicyList`,
//! `RolePolicyList`), attached managed policies (documents in `Policies`,
//! default version) and permissions boundary. A user's groups' policies
//! count as the user's identity policies. Documents may be objects or
//! URL-encoded JSON strings (as the API returns them).

use super::render::{load_json_string, load_value};
use super::{Choice, ChoiceKind, Collector, Ctx, Selected};
use crate::diagnostic::Diagnostic;
use crate::json::{pointer, Kind, Value};
use crate::policy::PolicyType;

const LISTS: &[(&str, ChoiceKind, &str, &str)] = &[
    ("UserDetailList", ChoiceKind::User, "UserName", "user"),
    ("GroupDetailList", ChoiceKind::Group, "GroupName", "group"),
    ("RoleDetailList", ChoiceKind::Role, "RoleName", "role"),
];

fn items<'v>(root: &'v Value, key: &str) -> &'v [Value] {
    root.get(key).and_then(Value::as_array).unwrap_or_default()
}

fn s<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

pub(super) fn choices(root: &Value) -> Vec<Choice> {
    let mut out = Vec::new();
    for (list, kind, name_key, word) in LISTS {
        for e in items(root, list) {
            let Some(name) = s(e, name_key) else { continue };
            let Some(arn) = s(e, "Arn") else { continue };
            out.push(Choice {
                name: arn.to_string(),
                aliases: vec![name.to_string(), format!("{word}/{name}")],
                kind: *kind,
                detail: format!("{word} `{name}`"),
            });
        }
    }
    for p in items(root, "Policies") {
        let (Some(name), Some(arn)) = (s(p, "PolicyName"), s(p, "Arn")) else {
            continue;
        };
        out.push(Choice {
            name: arn.to_string(),
            aliases: vec![name.to_string(), format!("policy/{name}")],
            kind: ChoiceKind::Policy(PolicyType::Identity),
            detail: format!("managed policy `{name}`"),
        });
    }
    out
}

/// Loads a document that is an object or a (URL-encoded) JSON string.
fn document(
    ctx: &Ctx<'_>,
    doc: &Value,
    ptr: &str,
    layer: PolicyType,
    origin: String,
    c: &mut Collector,
) {
    let r = match &doc.kind {
        Kind::String(_) => load_json_string(ctx.file, doc, ctx.options(layer)),
        _ => load_value(ctx.file, doc, ptr, ctx.options(layer)),
    };
    c.push(r, layer, origin);
}

/// The default version's document of a managed policy of the dump.
fn managed(
    ctx: &Ctx<'_>,
    arn: &str,
    at: &Value,
    layer: PolicyType,
    owner: &str,
    c: &mut Collector,
) {
    let policies = items(ctx.root, "Policies");
    let Some((pi, p)) = policies
        .iter()
        .enumerate()
        .find(|(_, p)| s(p, "Arn") == Some(arn))
    else {
        c.errors.push(
            ctx.error_at(
                "UNKNOWN_POLICY",
                format!("`{owner}` has `{arn}` attached, but its document is not in this dump"),
                at,
            )
            .with_hint("run `aws iam get-account-authorization-details` without --filter (AWS managed policies come with the AWSManagedPolicy filter), or pass the policy with --policy FILE"),
        );
        return;
    };
    let versions = items(p, "PolicyVersionList");
    let default = versions
        .iter()
        .enumerate()
        .find(|(_, v)| {
            v.get("IsDefaultVersion")
                .is_some_and(|b| b.kind == Kind::Bool(true))
        })
        .or_else(|| {
            let id = s(p, "DefaultVersionId");
            versions
                .iter()
                .enumerate()
                .find(|(_, v)| id.is_some() && s(v, "VersionId") == id)
        });
    match default.and_then(|(vi, v)| v.get("Document").map(|d| (vi, d))) {
        Some((vi, doc)) => {
            let ptr = pointer::from_segments(&[
                "Policies",
                pi.to_string().as_str(),
                "PolicyVersionList",
                vi.to_string().as_str(),
                "Document",
            ]);
            let name = s(p, "PolicyName").unwrap_or(arn);
            document(ctx, doc, &ptr, layer, format!("policy/{name}"), c);
        }
        None => c.errors.push(ctx.error_at(
            "MISSING_POLICY",
            format!("managed policy `{arn}` has no default version document in this dump"),
            p,
        )),
    }
}

pub(super) fn load(ctx: &Ctx<'_>, choice: &Choice) -> Result<Vec<Selected>, Vec<Diagnostic>> {
    let mut c = Collector::default();
    if let ChoiceKind::Policy(layer) = choice.kind {
        managed(ctx, &choice.name, ctx.root, layer, &choice.name, &mut c);
        return c.finish();
    }
    let Some((list, idx, entity)) = LISTS.iter().find_map(|(list, kind, _, _)| {
        if *kind != choice.kind {
            return None;
        }
        items(ctx.root, list)
            .iter()
            .enumerate()
            .find(|(_, e)| s(e, "Arn") == Some(choice.name.as_str()))
            .map(|(i, e)| (*list, i, e))
    }) else {
        return Err(vec![Diagnostic::error(
            "UNKNOWN_SELECTION",
            format!("`{}` is not in this dump", choice.name),
        )
        .in_file(ctx.file.name())]);
    };
    entity_policies(ctx, list, idx, entity, &mut c);
    if choice.kind == ChoiceKind::User {
        for g in items(entity, "GroupList") {
            let Some(gname) = g.as_str() else {
                c.errors.push(ctx.error_at(
                    "INVALID_ELEMENT_TYPE",
                    format!(
                        "a `GroupList` entry must be a group name, found {}",
                        g.type_name()
                    ),
                    g,
                ));
                continue;
            };
            let found = items(ctx.root, "GroupDetailList")
                .iter()
                .enumerate()
                .find(|(_, e)| s(e, "GroupName") == Some(gname));
            match found {
                Some((gi, ge)) => entity_policies(ctx, "GroupDetailList", gi, ge, &mut c),
                None => c.errors.push(
                    ctx.error_at(
                        "UNKNOWN_POLICY",
                        format!("user is in group `{gname}`, which is not in this dump"),
                        g,
                    )
                    .with_hint("dump the account without --filter so that groups are included"),
                ),
            }
        }
    }
    c.finish()
}

/// Inline and attached policies and the boundary of one user, group or role.
fn entity_policies(ctx: &Ctx<'_>, list: &str, idx: usize, e: &Value, c: &mut Collector) {
    let owner = s(e, "Arn").unwrap_or_default().to_string();
    for key in ["UserPolicyList", "GroupPolicyList", "RolePolicyList"] {
        for (i, p) in items(e, key).iter().enumerate() {
            let Some(doc) = p.get("PolicyDocument") else {
                c.errors.push(ctx.error_at(
                    "MISSING_POLICY",
                    format!("inline policy {i} of `{owner}` has no `PolicyDocument` in this dump"),
                    p,
                ));
                continue;
            };
            let ptr = pointer::from_segments(&[
                list,
                idx.to_string().as_str(),
                key,
                i.to_string().as_str(),
                "PolicyDocument",
            ]);
            let name = s(p, "PolicyName").unwrap_or("?");
            document(
                ctx,
                doc,
                &ptr,
                PolicyType::Identity,
                format!("{owner} inline {name}"),
                c,
            );
        }
    }
    let missing_arn = |at: &Value, what: &str| {
        ctx.error_at(
            "MISSING_POLICY",
            format!("an entry of the {what} of `{owner}` names no policy ARN"),
            at,
        )
    };
    for a in items(e, "AttachedManagedPolicies") {
        match s(a, "PolicyArn") {
            Some(arn) => managed(ctx, arn, a, PolicyType::Identity, &owner, c),
            None => c.errors.push(missing_arn(a, "`AttachedManagedPolicies`")),
        }
    }
    if let Some(b) = e.get("PermissionsBoundary") {
        match s(b, "PermissionsBoundaryArn") {
            Some(arn) => managed(ctx, arn, b, PolicyType::Boundary, &owner, c),
            None => c.errors.push(missing_arn(b, "`PermissionsBoundary`")),
        }
    }
}
