//! CloudFormation and `cdk synth` templates, JSON or YAML.
//!
//! Policies come from `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`,
//! `AWS::IAM::RolePolicy`/`UserPolicy`/`GroupPolicy`, the inline `Policies`
//! of `AWS::IAM::Role`/`User`/`Group`, `AWS::S3::BucketPolicy` and
//! `AWS::EC2::VPCEndpoint`. A role, user or group brings its inline
//! policies, the managed policies of the template attached to it (by
//! `ManagedPolicyArns` or by the policy's `Roles`/`Users`/`Groups`), its
//! groups' policies and its `PermissionsBoundary`. CDK construct paths
//! (`aws:cdk:path` metadata) select too.

use super::intrinsics::{intrinsic, Resolver, R};
use super::render::{load_json_string, load_value, load_yaml_string};
use super::{Choice, ChoiceKind, Collector, Ctx, Selected};
use crate::diagnostic::Diagnostic;
use crate::json::{pointer, Value};
use crate::policy::PolicyType;

const POLICY_TYPES: &[(&str, PolicyType, &str)] = &[
    ("AWS::IAM::Policy", PolicyType::Identity, "PolicyName"),
    (
        "AWS::IAM::ManagedPolicy",
        PolicyType::Identity,
        "ManagedPolicyName",
    ),
    ("AWS::IAM::RolePolicy", PolicyType::Identity, "PolicyName"),
    ("AWS::IAM::UserPolicy", PolicyType::Identity, "PolicyName"),
    ("AWS::IAM::GroupPolicy", PolicyType::Identity, "PolicyName"),
    ("AWS::S3::BucketPolicy", PolicyType::Resource, ""),
    ("AWS::EC2::VPCEndpoint", PolicyType::VpcEndpoint, ""),
];

fn resources(root: &Value) -> &[crate::json::Member] {
    root.get("Resources")
        .and_then(Value::as_object)
        .unwrap_or_default()
}

fn rtype(r: &Value) -> &str {
    r.get("Type").and_then(Value::as_str).unwrap_or_default()
}

fn prop<'v>(r: &'v Value, key: &str) -> Option<&'v Value> {
    r.get("Properties")?.get(key)
}

/// The CDK construct path and shorter forms of it.
fn cdk_aliases(r: &Value) -> Vec<String> {
    let Some(path) = r
        .get("Metadata")
        .and_then(|m| m.get("aws:cdk:path"))
        .and_then(Value::as_str)
    else {
        return Vec::new();
    };
    let mut out = vec![path.to_string()];
    let trimmed = path.strip_suffix("/Resource").unwrap_or(path);
    if trimmed != path {
        out.push(trimmed.to_string());
    }
    if let Some((_, in_stack)) = trimmed.split_once('/') {
        out.push(in_stack.to_string());
    }
    out
}

/// Whether `item` (of a `Roles`/`Users`/`Groups` list, or a `Bucket`)
/// refers to `logical`: `{"Ref": logical}` or the resource's literal name.
fn refers_to(item: &Value, logical: &str, name: Option<&str>) -> bool {
    match intrinsic(item) {
        Some(("Ref", arg)) => arg.as_str() == Some(logical),
        Some(_) => false,
        None => item.as_str().is_some_and(|s| Some(s) == name),
    }
}

fn literal_name(r: &Value, key: &str) -> Option<String> {
    prop(r, key)?.as_str().map(str::to_string)
}

/// A name for listings: a literal, or a `Ref` to a parameter's `Default`.
fn simple_name(root: &Value, r: &Value, key: &str) -> Option<String> {
    let v = prop(r, key)?;
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    match intrinsic(v) {
        Some(("Ref", arg)) => root
            .get("Parameters")?
            .get(arg.as_str()?)?
            .get("Default")?
            .scalar_text(),
        _ => None,
    }
}

fn name_key(ty: &str) -> &'static str {
    match ty {
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::User" => "UserName",
        "AWS::IAM::Group" => "GroupName",
        "AWS::S3::Bucket" => "BucketName",
        _ => "",
    }
}

pub(super) fn choices(root: &Value) -> Vec<Choice> {
    let mut out = Vec::new();
    // resources by logical id (the first of duplicates, as a search finds)
    let mut by_id: std::collections::HashMap<&str, &crate::json::Member> =
        std::collections::HashMap::new();
    for m in resources(root) {
        by_id.entry(m.key.as_str()).or_insert(m);
    }
    for m in resources(root) {
        let r = &m.value;
        let ty = rtype(r);
        let mut aliases = cdk_aliases(r);
        let mut detail = String::new();
        let kind =
            if let Some((_, layer, name_prop)) = POLICY_TYPES.iter().find(|(t, _, _)| *t == ty) {
                if prop(r, "PolicyDocument").is_none() {
                    continue;
                }
                if let Some(n) = literal_name(r, name_prop) {
                    detail = format!("`{n}`");
                    aliases.push(n);
                }
                if ty == "AWS::S3::BucketPolicy" {
                    if let Some(b) = prop(r, "Bucket") {
                        if let Some(s) = b.as_str() {
                            detail = format!("bucket `{s}`");
                            aliases.push(s.to_string());
                        }
                        if let Some(("Ref", arg)) = intrinsic(b) {
                            if let Some(l) = arg.as_str() {
                                aliases.push(l.to_string());
                                let bucket = by_id.get(l).copied();
                                if let Some(n) =
                                    bucket.and_then(|x| simple_name(root, &x.value, "BucketName"))
                                {
                                    detail = format!("bucket `{n}`");
                                    aliases.push(n);
                                } else {
                                    detail = format!("bucket {l}");
                                }
                                if let Some(x) = bucket {
                                    aliases.extend(cdk_aliases(&x.value));
                                }
                            }
                        }
                    }
                }
                ChoiceKind::Policy(*layer)
            } else {
                let kind = match ty {
                    "AWS::IAM::Role" => ChoiceKind::Role,
                    "AWS::IAM::User" => ChoiceKind::User,
                    "AWS::IAM::Group" => ChoiceKind::Group,
                    _ => continue,
                };
                if let Some(n) = literal_name(r, name_key(ty)) {
                    detail = format!("`{n}`");
                    aliases.push(n);
                }
                kind
            };
        aliases.retain(|a| *a != *m.key);
        out.push(Choice {
            name: m.key.to_string(),
            aliases,
            kind,
            detail,
        });
    }
    out
}

pub(super) fn load(ctx: &Ctx<'_>, choice: &Choice) -> Result<Vec<Selected>, Vec<Diagnostic>> {
    let Some(r) = ctx.root.get("Resources").and_then(|x| x.get(&choice.name)) else {
        return Err(vec![Diagnostic::error(
            "UNKNOWN_SELECTION",
            format!("`{}` is not a resource of the template", choice.name),
        )
        .in_file(ctx.file.name())]);
    };
    let mut c = Collector::default();
    parameter_defaults(ctx, &mut c);
    let mut res = Resolver::new(ctx);
    if !exists(&mut res, r) {
        c.errors.push(
            ctx.error_at(
                "RESOURCE_NOT_CREATED",
                format!("`{}` is not created: its condition is false", choice.name),
                r,
            )
            .with_hint("change the parameters with --param NAME=VALUE"),
        );
    }
    let base = pointer::from_segments(&["Resources", choice.name.as_str()]);
    match choice.kind {
        ChoiceKind::Policy(layer) => {
            if let Some(doc) = prop(r, "PolicyDocument") {
                let p = pointer::join(&pointer::join(&base, "Properties"), "PolicyDocument");
                document(ctx, &mut res, doc, &p, layer, &choice.name, &mut c);
            }
        }
        ChoiceKind::Role | ChoiceKind::User | ChoiceKind::Group => {
            principal(ctx, &mut res, &choice.name, r, &mut c);
        }
    }
    c.errors.append(&mut res.errors);
    c.finish()
}

/// CloudFormation refuses a template whose parameter `Default` is not a
/// literal ("Template format error: Every Default member must be a
/// string"): an intrinsic function (`!Sub`, `!Ref`), a map, a list or null.
/// Each is an error at the `Default`, whether or not the selection uses it.
fn parameter_defaults(ctx: &Ctx<'_>, c: &mut Collector) {
    let params = ctx
        .root
        .get("Parameters")
        .and_then(Value::as_object)
        .unwrap_or_default();
    for p in params {
        let Some(d) = p.value.get("Default") else {
            continue;
        };
        if d.scalar_text().is_none() {
            c.errors.push(
                ctx.error_at(
                    "INVALID_PARAMETER_DEFAULT",
                    format!(
                        "the `Default` of parameter `{}` is {}, not a literal: CloudFormation rejects the template (every Default must be a string)",
                        p.key,
                        describe_non_literal(d)
                    ),
                    d,
                )
                .with_hint(format!(
                    "write a literal value, or remove `Default` and give it: --param {}=VALUE",
                    p.key
                )),
            );
        }
    }
}

fn describe_non_literal(v: &Value) -> String {
    match intrinsic(v) {
        Some((name, _)) => format!("the function `{name}`"),
        None => v.type_name().to_string(),
    }
}

/// Whether a resource exists (its `Condition` is true or absent).
fn exists(res: &mut Resolver<'_, '_>, r: &Value) -> bool {
    match r.get("Condition") {
        Some(c) => match c.as_str() {
            Some(name) => res.condition(name, c).unwrap_or(true),
            None => true,
        },
        None => true,
    }
}

/// Loads one `PolicyDocument` (an object, or JSON text in a string).
fn document(
    ctx: &Ctx<'_>,
    res: &mut Resolver<'_, '_>,
    doc: &Value,
    ptr: &str,
    layer: PolicyType,
    origin: &str,
    c: &mut Collector,
) {
    if let Some(text) = doc.as_str() {
        let r = if ctx.file.text().trim_start().starts_with('{') {
            load_json_string(ctx.file, doc, ctx.options(layer))
        } else {
            load_yaml_string(ctx.file, doc, text, ptr, ctx.options(layer))
        };
        c.push(r, layer, origin);
        return;
    }
    let reported = res.errors.len();
    match res.resolve(doc) {
        R::Val(v) => c.push(
            load_value(ctx.file, &v, ptr, ctx.options(layer)),
            layer,
            origin,
        ),
        R::NoValue => c.errors.push(ctx.error_at(
            "MISSING_POLICY",
            "the `PolicyDocument` is `AWS::NoValue`".to_string(),
            doc,
        )),
        // never an empty or partial policy: a value that could not be
        // resolved is an error, reported where it is (or here, when
        // nothing else made the load fail)
        R::Unknown if res.errors.len() == reported && c.errors.is_empty() => c.errors.push(
            ctx.error_at(
                "UNKNOWN_VALUE",
                format!("the policy document of `{origin}` could not be resolved"),
                doc,
            )
            .with_hint("give the values it depends on with --param NAME=VALUE"),
        ),
        R::Unknown => {}
    }
}

/// Inline `Policies` of a role, user or group.
fn inline_policies(
    ctx: &Ctx<'_>,
    res: &mut Resolver<'_, '_>,
    logical: &str,
    r: &Value,
    c: &mut Collector,
) {
    let Some(list) = prop(r, "Policies") else {
        return;
    };
    let base = pointer::from_segments(&["Resources", logical, "Properties", "Policies"]);
    let items: Vec<Value> = match res.resolve(list) {
        R::Val(v) => match v.as_array() {
            Some(items) => items.to_vec(),
            None => {
                c.errors.push(ctx.error_at(
                    "INVALID_TEMPLATE",
                    format!(
                        "the `Policies` of `{logical}` must be a list, found {}",
                        v.type_name()
                    ),
                    list,
                ));
                return;
            }
        },
        // AWS::NoValue: no inline policies; unknown: already reported
        _ => return,
    };
    for (i, p) in items.iter().enumerate() {
        let Some(doc) = p.get("PolicyDocument") else {
            c.errors.push(ctx.error_at(
                "INVALID_TEMPLATE",
                format!("policy {i} of the `Policies` of `{logical}` has no `PolicyDocument`"),
                p,
            ));
            continue;
        };
        let ptr = pointer::join(&pointer::join(&base, i.to_string()), "PolicyDocument");
        let name = p
            .get("PolicyName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        document(
            ctx,
            res,
            doc,
            &ptr,
            PolicyType::Identity,
            &format!("{logical}/Policies/{name}"),
            c,
        );
    }
}

/// The managed policies an ARN list (or one ARN) names: template
/// `AWS::IAM::ManagedPolicy` resources by `Ref`/`GetAtt` or by their ARN.
fn managed(
    ctx: &Ctx<'_>,
    res: &mut Resolver<'_, '_>,
    owner: &str,
    arns: &Value,
    layer: PolicyType,
    c: &mut Collector,
) {
    let items: Vec<&Value> = match arns.as_array() {
        Some(a) => a.iter().collect(),
        None => vec![arns],
    };
    for item in items {
        let target = match intrinsic(item) {
            Some(("Ref", arg)) => arg.as_str().map(str::to_string),
            Some(("Fn::GetAtt", arg)) => match &arg.kind {
                crate::json::Kind::String(s) => s.split_once('.').map(|(l, _)| l.to_string()),
                crate::json::Kind::Array(a) => {
                    a.first().and_then(Value::as_str).map(str::to_string)
                }
                _ => None,
            },
            _ => None,
        };
        let target = target.filter(|l| {
            ctx.root
                .get("Resources")
                .and_then(|x| x.get(l))
                .is_some_and(|x| rtype(x) == "AWS::IAM::ManagedPolicy")
        });
        let target = match target {
            Some(t) => Some(t),
            None => {
                // a literal (or resolvable) ARN: compare with the template's managed policies
                let Some(arn) = res.resolve_string(item) else {
                    continue;
                };
                let mut probe = Resolver::new(ctx);
                let found = resources(ctx.root)
                    .iter()
                    .filter(|m| rtype(&m.value) == "AWS::IAM::ManagedPolicy")
                    .find(|m| {
                        let at = &m.value;
                        let r = crate::json::Value {
                            kind: crate::json::Kind::Object(vec![crate::json::Member {
                                key: "Ref".into(),
                                key_span: at.span,
                                value: crate::json::Value {
                                    kind: crate::json::Kind::String(m.key.clone()),
                                    span: at.span,
                                },
                            }]),
                            span: at.span,
                        };
                        probe.resolve_string(&r).as_deref() == Some(arn.as_str())
                    })
                    .map(|m| m.key.to_string());
                if found.is_none() {
                    c.errors.push(
                        ctx.error_at(
                            "UNKNOWN_POLICY",
                            format!("`{owner}` attaches `{arn}`, whose document is not in this template"),
                            item,
                        )
                        .with_hint("pass that policy with --policy FILE (or --boundary FILE) and select the others one by one"),
                    );
                }
                found
            }
        };
        if let Some(t) = target {
            if let Some(doc) = ctx
                .root
                .get("Resources")
                .and_then(|x| x.get(&t))
                .and_then(|x| prop(x, "PolicyDocument"))
            {
                let ptr = pointer::from_segments(&[
                    "Resources",
                    t.as_str(),
                    "Properties",
                    "PolicyDocument",
                ]);
                document(ctx, res, doc, &ptr, layer, &t, c);
            }
        }
    }
}

/// A role's, user's or group's policies and boundary.
fn principal(
    ctx: &Ctx<'_>,
    res: &mut Resolver<'_, '_>,
    logical: &str,
    r: &Value,
    c: &mut Collector,
) {
    let ty = rtype(r);
    let name = literal_name(r, name_key(ty));
    inline_policies(ctx, res, logical, r, c);
    if let Some(arns) = prop(r, "ManagedPolicyArns") {
        managed(ctx, res, logical, arns, PolicyType::Identity, c);
    }
    if let Some(b) = prop(r, "PermissionsBoundary") {
        managed(ctx, res, logical, b, PolicyType::Boundary, c);
    }
    let (list_key, single_key) = match ty {
        "AWS::IAM::Role" => ("Roles", "RoleName"),
        "AWS::IAM::User" => ("Users", "UserName"),
        _ => ("Groups", "GroupName"),
    };
    let inline_type = match ty {
        "AWS::IAM::Role" => "AWS::IAM::RolePolicy",
        "AWS::IAM::User" => "AWS::IAM::UserPolicy",
        _ => "AWS::IAM::GroupPolicy",
    };
    for m in resources(ctx.root) {
        let other = &m.value;
        let oty = rtype(other);
        let attached = match oty {
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => prop(other, list_key)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|i| refers_to(i, logical, name.as_deref()))),
            t if t == inline_type => {
                prop(other, single_key).is_some_and(|i| refers_to(i, logical, name.as_deref()))
            }
            _ => false,
        };
        if attached && exists(res, other) {
            if let Some(doc) = prop(other, "PolicyDocument") {
                let ptr = pointer::from_segments(&[
                    "Resources",
                    m.key.as_str(),
                    "Properties",
                    "PolicyDocument",
                ]);
                document(ctx, res, doc, &ptr, PolicyType::Identity, &m.key, c);
            }
        }
    }
    if ty == "AWS::IAM::User" {
        let mut groups: Vec<String> = Vec::new();
        for g in prop(r, "Groups")
            .and_then(Value::as_array)
            .unwrap_or_default()
        {
            match intrinsic(g) {
                Some(("Ref", arg)) => groups.extend(arg.as_str().map(str::to_string)),
                _ => {
                    if let Some(n) = res.resolve_string(g) {
                        groups.push(n);
                    }
                }
            }
        }
        for m in resources(ctx.root) {
            if rtype(&m.value) == "AWS::IAM::UserToGroupAddition"
                && prop(&m.value, "Users")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|i| refers_to(i, logical, name.as_deref())))
            {
                if let Some(g) = prop(&m.value, "GroupName") {
                    match intrinsic(g) {
                        Some(("Ref", arg)) => groups.extend(arg.as_str().map(str::to_string)),
                        _ => groups.extend(res.resolve_string(g)),
                    }
                }
            }
        }
        for g in groups {
            // a group of the template, by logical id or by its GroupName
            let found = resources(ctx.root).iter().find(|m| {
                rtype(&m.value) == "AWS::IAM::Group"
                    && (m.key == g
                        || literal_name(&m.value, "GroupName").as_deref() == Some(g.as_str()))
            });
            match found {
                Some(m) => principal(ctx, res, &m.key, &m.value, c),
                None => c.errors.push(
                    ctx.error_at(
                        "UNKNOWN_POLICY",
                        format!("`{logical}` is in group `{g}`, whose policies are not in this template"),
                        prop(r, "Groups").unwrap_or(r),
                    )
                    .with_hint("pass the group's policies with --policy FILE and select the user's own policies one by one"),
                ),
            }
        }
    }
}
