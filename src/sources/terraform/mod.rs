//! Terraform: `terraform show -json` of a plan (`planned_values`,
//! `resource_changes`, `prior_state`, `configuration`) or of a state
//! (`values`).
//!
//! Policies come from `aws_iam_policy`, `aws_iam_role_policy`,
//! `aws_iam_user_policy`, `aws_iam_group_policy`, `aws_s3_bucket_policy`
//! and `aws_vpc_endpoint` (their `policy` JSON string, positions inside the
//! string), and from `data.aws_iam_policy_document` (its `statement` blocks
//! rendered to IAM JSON, positions at each attribute). Roles, users and
//! groups bring their inline policies, attachments and boundary, linked by
//! name or by the configuration's references. A value Terraform only knows
//! after apply is reported with the references it depends on.

use std::collections::{HashMap, HashSet};

use super::render::load_json_string;
use super::{strip_indexes, Choice, ChoiceKind, Collector, Ctx, Selected};
use crate::diagnostic::Diagnostic;
use crate::json::{Kind, Value};
use crate::policy::PolicyType;

mod policy_document;
use policy_document::document;

/// One resource instance of the plan.
#[derive(Debug, Clone)]
struct Res<'a> {
    /// Full address with instance keys: `module.m.aws_iam_policy.p[0]`.
    address: String,
    /// Module path without instance keys (`module.m`), empty at the root.
    module: String,
    is_data: bool,
    rtype: String,
    name: String,
    /// Attribute values (planned, or read during plan).
    values: Option<&'a Value>,
    /// `after_unknown` of the change, when planned.
    unknown: Option<&'a Value>,
    /// Where the resource is in the file (for messages).
    at: &'a Value,
    /// The configuration block (its `expressions`).
    config: Option<&'a Value>,
}

impl<'a> Res<'a> {
    fn attr(&self, key: &str) -> Option<&'a Value> {
        self.values?.get(key).filter(|v| v.kind != Kind::Null)
    }

    fn attr_str(&self, key: &str) -> Option<&'a str> {
        self.attr(key)?.as_str().filter(|s| !s.is_empty())
    }

    fn is_unknown(&self, key: &str) -> bool {
        self.unknown
            .and_then(|u| u.get(key))
            .is_some_and(contains_true)
    }

    /// Absolute addresses (without instance keys) the configuration
    /// expression of `key` refers to.
    fn references(&self, key: &str) -> Vec<String> {
        let Some(expr) = self
            .config
            .and_then(|c| c.get("expressions"))
            .and_then(|e| e.get(key))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        collect_references(expr, &mut out);
        out.into_iter()
            .map(|r| {
                if self.module.is_empty() {
                    r
                } else {
                    format!("{}.{r}", self.module)
                }
            })
            .collect()
    }

    /// Whether the configuration sets attribute `key`.
    fn is_configured(&self, key: &str) -> bool {
        self.config
            .and_then(|c| c.get("expressions"))
            .and_then(|e| e.get(key))
            .is_some()
    }

    /// The address without instance keys (what references name).
    fn config_address(&self) -> String {
        strip_indexes(&self.address)
    }

    fn label(&self) -> String {
        self.address.clone()
    }
}

fn contains_true(v: &Value) -> bool {
    match &v.kind {
        Kind::Bool(b) => *b,
        Kind::Array(items) => items.iter().any(contains_true),
        Kind::Object(members) => members.iter().any(|m| contains_true(&m.value)),
        _ => false,
    }
}

fn collect_references(expr: &Value, out: &mut Vec<String>) {
    match &expr.kind {
        Kind::Object(members) => {
            for m in members {
                if m.key == "references" {
                    for r in m.value.as_array().unwrap_or_default() {
                        if let Some(s) = r.as_str() {
                            out.push(s.to_string());
                        }
                    }
                } else {
                    collect_references(&m.value, out);
                }
            }
        }
        Kind::Array(items) => items.iter().for_each(|i| collect_references(i, out)),
        _ => {}
    }
}

/// The resource address a reference names: `aws_iam_role.r.name` →
/// `aws_iam_role.r`, `data.x.y.json` → `data.x.y`, `module.m.aws_x.y.z` → `module.m.aws_x.y`.
fn reference_target(r: &str) -> String {
    let r = strip_indexes(r);
    let parts: Vec<&str> = r.split('.').collect();
    let mut i = 0;
    let mut out: Vec<&str> = Vec::new();
    while parts.get(i) == Some(&"module") {
        out.extend(parts.get(i..i + 2).unwrap_or_default());
        i += 2;
    }
    let take = if parts.get(i) == Some(&"data") { 3 } else { 2 };
    out.extend(parts.get(i..i + take).unwrap_or_default());
    out.join(".")
}

/// Every resource instance of the file.
fn resources(root: &Value) -> Vec<Res<'_>> {
    let mut configs: Vec<(String, &Value)> = Vec::new();
    if let Some(m) = root.get("configuration").and_then(|c| c.get("root_module")) {
        collect_config(m, "", &mut configs);
    }
    let mut changes: Vec<(&str, &Value)> = Vec::new();
    let mut change_of: HashMap<&str, &Value> = HashMap::new();
    for rc in root
        .get("resource_changes")
        .and_then(Value::as_array)
        .unwrap_or_default()
    {
        if let Some(a) = rc.get("address").and_then(Value::as_str) {
            changes.push((a, rc));
            change_of.entry(a).or_insert(rc);
        }
    }
    let config_of: HashMap<&str, &Value> = configs
        .iter()
        .rev() // the first of equal addresses wins, as a search would find it
        .map(|(a, c)| (a.as_str(), *c))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut out: Vec<Res<'_>> = Vec::new();
    let mut modules: Vec<&Value> = Vec::new();
    for top in [
        root.get("planned_values")
            .and_then(|p| p.get("root_module")),
        root.get("prior_state")
            .and_then(|p| p.get("values"))
            .and_then(|v| v.get("root_module")),
        root.get("values").and_then(|v| v.get("root_module")),
    ]
    .into_iter()
    .flatten()
    {
        collect_modules(top, &mut modules);
    }
    for m in modules {
        let module = m
            .get("address")
            .and_then(Value::as_str)
            .map(strip_indexes)
            .unwrap_or_default();
        for r in m
            .get("resources")
            .and_then(Value::as_array)
            .unwrap_or_default()
        {
            let Some(address) = r.get("address").and_then(Value::as_str) else {
                continue;
            };
            if !seen.insert(address.to_string()) {
                continue;
            }
            let change = change_of.get(address).copied();
            let res = make_res(address, &module, r, r.get("values"), change, &config_of);
            out.push(res);
        }
    }
    // data sources deferred to apply time appear only as changes
    for (address, rc) in &changes {
        if !seen.insert(address.to_string()) {
            continue;
        }
        let module = rc
            .get("module_address")
            .and_then(Value::as_str)
            .map(strip_indexes)
            .unwrap_or_default();
        let after = rc.get("change").and_then(|c| c.get("after"));
        let res = make_res(address, &module, rc, after, Some(rc), &config_of);
        out.push(res);
    }
    out
}

fn make_res<'a>(
    address: &str,
    module: &str,
    at: &'a Value,
    values: Option<&'a Value>,
    change: Option<&'a Value>,
    configs: &HashMap<&str, &'a Value>,
) -> Res<'a> {
    let s = |k: &str| {
        at.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let is_data =
        at.get("mode").and_then(Value::as_str) == Some("data") || address.contains("data.");
    let stripped = strip_indexes(address);
    let config = configs.get(stripped.as_str()).copied();
    Res {
        address: address.to_string(),
        module: module.to_string(),
        is_data,
        rtype: s("type"),
        name: s("name"),
        values: values.filter(|v| v.as_object().is_some()),
        unknown: change
            .and_then(|c| c.get("change"))
            .and_then(|c| c.get("after_unknown")),
        at,
        config,
    }
}

fn collect_modules<'a>(m: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(m);
    for c in m
        .get("child_modules")
        .and_then(Value::as_array)
        .unwrap_or_default()
    {
        collect_modules(c, out);
    }
}

fn collect_config<'a>(m: &'a Value, prefix: &str, out: &mut Vec<(String, &'a Value)>) {
    for r in m
        .get("resources")
        .and_then(Value::as_array)
        .unwrap_or_default()
    {
        if let Some(a) = r.get("address").and_then(Value::as_str) {
            let full = if prefix.is_empty() {
                a.to_string()
            } else {
                format!("{prefix}.{a}")
            };
            out.push((full, r));
        }
    }
    for call in m
        .get("module_calls")
        .and_then(Value::as_object)
        .unwrap_or_default()
    {
        if let Some(inner) = call.value.get("module") {
            let p = if prefix.is_empty() {
                format!("module.{}", call.key)
            } else {
                format!("{prefix}.module.{}", call.key)
            };
            collect_config(inner, &p, out);
        }
    }
}

const POLICY_TYPES: &[(&str, PolicyType)] = &[
    ("aws_iam_policy", PolicyType::Identity),
    ("aws_iam_role_policy", PolicyType::Identity),
    ("aws_iam_user_policy", PolicyType::Identity),
    ("aws_iam_group_policy", PolicyType::Identity),
    ("aws_s3_bucket_policy", PolicyType::Resource),
    ("aws_vpc_endpoint", PolicyType::VpcEndpoint),
];

/// The resources of a plan, read once and indexed, so that selecting N
/// things from M resources costs O(M) once and then little per selection:
/// by address, policy documents by configuration address, the resources
/// referring to each document, and the resources of each type.
pub(super) struct Plan<'a> {
    all: Vec<Res<'a>>,
    by_address: HashMap<String, usize>,
    /// `data.aws_iam_policy_document` by configuration address.
    documents: HashMap<String, usize>,
    /// Managed resources whose `policy` refers to each configuration address.
    policy_users: HashMap<String, Vec<usize>>,
    /// Managed (non-data) resources by type.
    by_type: HashMap<String, Vec<usize>>,
}

impl<'a> Plan<'a> {
    /// Reads and indexes every resource of the file.
    pub(super) fn new(root: &'a Value) -> Plan<'a> {
        let all = resources(root);
        let mut plan = Plan {
            by_address: HashMap::new(),
            documents: HashMap::new(),
            policy_users: HashMap::new(),
            by_type: HashMap::new(),
            all: Vec::new(),
        };
        for (i, r) in all.iter().enumerate() {
            plan.by_address.entry(r.address.clone()).or_insert(i);
            if r.is_data {
                if r.rtype == "aws_iam_policy_document" {
                    plan.documents.entry(r.config_address()).or_insert(i);
                }
                continue;
            }
            plan.by_type.entry(r.rtype.clone()).or_default().push(i);
            for x in r.references("policy") {
                let users = plan.policy_users.entry(reference_target(&x)).or_default();
                if users.last() != Some(&i) {
                    users.push(i);
                }
            }
        }
        plan.all = all;
        plan
    }

    /// Managed resources of a type, in file order.
    fn of_type(&self, t: &str) -> impl Iterator<Item = &Res<'a>> {
        self.by_type
            .get(t)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.all.get(i))
    }

    /// The policy document at a configuration address.
    fn document(&self, config_address: &str) -> Option<&Res<'a>> {
        self.documents
            .get(config_address)
            .and_then(|&i| self.all.get(i))
    }
}

fn policy_layer(r: &Res<'_>) -> Option<PolicyType> {
    if r.is_data {
        return None;
    }
    POLICY_TYPES
        .iter()
        .find(|(t, _)| *t == r.rtype)
        .map(|(_, l)| *l)
}

/// The layer of a policy document: bucket policy when only bucket policies use it.
fn document_layer(plan: &Plan<'_>, doc: &Res<'_>) -> PolicyType {
    let users: Vec<&Res<'_>> = plan
        .policy_users
        .get(&doc.config_address())
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|&i| plan.all.get(i))
        .collect();
    if !users.is_empty() && users.iter().all(|r| r.rtype == "aws_s3_bucket_policy") {
        PolicyType::Resource
    } else if !users.is_empty() && users.iter().all(|r| r.rtype == "aws_vpc_endpoint") {
        PolicyType::VpcEndpoint
    } else {
        PolicyType::Identity
    }
}

pub(super) fn choices(plan: &Plan<'_>) -> Vec<Choice> {
    let mut out = Vec::new();
    for r in &plan.all {
        let mut aliases = vec![r.name.clone()];
        if r.address.starts_with("module.") {
            // `aws_iam_policy.p` selects `module.m.aws_iam_policy.p` too
            if let Some(pos) = r.address.rfind(if r.is_data { "data." } else { &r.rtype }) {
                if let Some(tail) = r.address.get(pos..) {
                    aliases.push(tail.to_string());
                }
            }
        }
        let kind = if r.is_data && r.rtype == "aws_iam_policy_document" {
            ChoiceKind::Policy(document_layer(plan, r))
        } else if let Some(l) = policy_layer(r) {
            if r.rtype == "aws_vpc_endpoint"
                && r.attr("policy").is_none()
                && !r.is_unknown("policy")
            {
                continue;
            }
            ChoiceKind::Policy(l)
        } else {
            match (r.is_data, r.rtype.as_str()) {
                (false, "aws_iam_role") => ChoiceKind::Role,
                (false, "aws_iam_user") => ChoiceKind::User,
                (false, "aws_iam_group") => ChoiceKind::Group,
                _ => continue,
            }
        };
        let mut detail = String::new();
        for key in ["name", "bucket", "role", "user", "group", "arn"] {
            if let Some(v) = r.attr_str(key) {
                if !aliases.iter().any(|a| a == v) {
                    aliases.push(v.to_string());
                }
                if detail.is_empty() && key != "arn" {
                    detail = format!("{key} `{v}`");
                }
            }
        }
        out.push(Choice {
            name: r.address.clone(),
            aliases,
            kind,
            detail,
        });
    }
    out
}

pub(super) fn load(
    ctx: &Ctx<'_>,
    plan: &Plan<'_>,
    choice: &Choice,
) -> Result<Vec<Selected>, Vec<Diagnostic>> {
    let Some(r) = plan
        .by_address
        .get(&choice.name)
        .and_then(|&i| plan.all.get(i))
    else {
        return Err(vec![Diagnostic::error(
            "UNKNOWN_SELECTION",
            format!("`{}` is not in the plan", choice.name),
        )
        .in_file(ctx.file.name())]);
    };
    let mut c = Collector::default();
    match choice.kind {
        ChoiceKind::Policy(layer) => {
            if r.is_data {
                c.push(document(ctx, r, layer), layer, r.label());
            } else {
                load_attr(ctx, plan, r, "policy", layer, &mut c);
            }
        }
        ChoiceKind::Role | ChoiceKind::User | ChoiceKind::Group => {
            principal(ctx, plan, r, choice.kind, &mut c);
        }
    }
    c.finish()
}

/// Loads the policy JSON of attribute `key` of `r` (or the policy
/// document its configuration refers to, when the string is not known yet).
fn load_attr(
    ctx: &Ctx<'_>,
    plan: &Plan<'_>,
    r: &Res<'_>,
    key: &str,
    layer: PolicyType,
    c: &mut Collector,
) {
    let origin = r.label();
    if let Some(v) = r.attr(key) {
        if v.as_str().is_some_and(|s| !s.trim().is_empty()) {
            c.push(
                load_json_string(ctx.file, v, ctx.options(layer)),
                layer,
                origin,
            );
            return;
        }
    }
    let refs = r.references(key);
    let doc = refs
        .iter()
        .find_map(|x| plan.document(&reference_target(x)));
    if let Some(d) = doc {
        c.push(document(ctx, d, layer), layer, d.label());
        return;
    }
    if r.is_unknown(key) {
        c.errors.push(unknown(ctx, r, key, r.at, &refs));
    } else {
        c.errors.push(
            ctx.error_at(
                "MISSING_POLICY",
                format!("`{}` has no `{key}` value", r.address),
                r.values.unwrap_or(r.at),
            )
            .with_hint("s3guard reads the policy JSON string of the resource's planned values"),
        );
    }
}

fn unknown(ctx: &Ctx<'_>, r: &Res<'_>, key: &str, at: &Value, refs: &[String]) -> Diagnostic {
    let depends = if refs.is_empty() {
        String::new()
    } else {
        format!(
            " (it depends on {})",
            refs.iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    ctx.error_at(
        "UNKNOWN_VALUE",
        format!("`{key}` of `{}` is known only after apply{depends}", r.address),
        at,
    )
    .with_hint("s3guard does not guess computed values: plan against existing resources, give literal names in the configuration, or select the policies that are known")
}

/// Whether `r` links to `target` through attribute `key` (a name or ARN
/// value, or a configuration reference to the target).
fn links(r: &Res<'_>, key: &str, target: &Res<'_>) -> Option<bool> {
    let taddr = target.config_address();
    if r.references(key)
        .iter()
        .any(|x| reference_target(x) == taddr)
    {
        return Some(true);
    }
    let names: Vec<&str> = ["name", "arn", "id"]
        .iter()
        .filter_map(|k| target.attr_str(k))
        .collect();
    match r.attr(key) {
        Some(v) => {
            let hit = match &v.kind {
                Kind::String(s) => names.contains(&s.as_str()),
                Kind::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|s| names.contains(&s)),
                _ => false,
            };
            Some(hit)
        }
        None if r.is_unknown(key) => None,
        None => Some(false),
    }
}

/// A role's, user's or group's identity policies and boundary.
fn principal(ctx: &Ctx<'_>, plan: &Plan<'_>, p: &Res<'_>, kind: ChoiceKind, c: &mut Collector) {
    let (inline_type, attach_type, field, plural) = match kind {
        ChoiceKind::Role => (
            "aws_iam_role_policy",
            "aws_iam_role_policy_attachment",
            "role",
            "roles",
        ),
        ChoiceKind::User => (
            "aws_iam_user_policy",
            "aws_iam_user_policy_attachment",
            "user",
            "users",
        ),
        _ => (
            "aws_iam_group_policy",
            "aws_iam_group_policy_attachment",
            "group",
            "groups",
        ),
    };
    let undecided = |r: &Res<'_>, key: &str, c: &mut Collector| {
        c.errors.push(
            ctx.error_at(
                "UNKNOWN_VALUE",
                format!(
                    "cannot tell whether `{}` belongs to `{}`: its `{key}` is known only after apply",
                    r.address, p.address
                ),
                r.at,
            )
            .with_hint("select the policies one by one with --select ADDRESS"),
        );
    };
    // inline_policy blocks of aws_iam_role
    for (i, block) in p
        .attr("inline_policy")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(policy) = block
            .get("policy")
            .filter(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()))
        {
            c.push(
                load_json_string(ctx.file, policy, ctx.options(PolicyType::Identity)),
                PolicyType::Identity,
                format!("{}.inline_policy[{i}]", p.address),
            );
        }
    }
    // only the resources of the linking types, in file order
    let mut linking: Vec<usize> = [inline_type, attach_type, "aws_iam_policy_attachment"]
        .iter()
        .flat_map(|t| plan.by_type.get(*t).map(Vec::as_slice).unwrap_or_default())
        .copied()
        .collect();
    linking.sort_unstable();
    for r in linking.iter().filter_map(|&i| plan.all.get(i)) {
        if r.rtype == inline_type {
            match links(r, field, p) {
                Some(true) => load_attr(ctx, plan, r, "policy", PolicyType::Identity, c),
                Some(false) => {}
                None => undecided(r, field, c),
            }
        }
        let attached = if r.rtype == attach_type {
            links(r, field, p)
        } else if r.rtype == "aws_iam_policy_attachment" {
            links(r, plural, p)
        } else {
            Some(false)
        };
        match attached {
            Some(true) => managed(ctx, plan, r, "policy_arn", PolicyType::Identity, c),
            Some(false) => {}
            None => undecided(r, field, c),
        }
    }
    // computed attributes the configuration does not set are unknown in a
    // plan but manage nothing: only configured ones count
    for (key, layer) in [
        ("managed_policy_arns", PolicyType::Identity),
        ("permissions_boundary", PolicyType::Boundary),
    ] {
        if p.attr(key).is_some() || (p.is_unknown(key) && p.is_configured(key)) {
            managed(ctx, plan, p, key, layer, c);
        }
    }
    if kind == ChoiceKind::User {
        for g in plan.of_type("aws_iam_group") {
            let member = plan
                .of_type("aws_iam_user_group_membership")
                .any(|m| links(m, "user", p) == Some(true) && links(m, "groups", g) == Some(true))
                || plan.of_type("aws_iam_group_membership").any(|m| {
                    links(m, "users", p) == Some(true) && links(m, "group", g) == Some(true)
                });
            if member {
                principal(ctx, plan, g, ChoiceKind::Group, c);
            }
        }
    }
}

/// Loads the managed policies an ARN attribute names (one ARN or a list).
fn managed(
    ctx: &Ctx<'_>,
    plan: &Plan<'_>,
    r: &Res<'_>,
    key: &str,
    layer: PolicyType,
    c: &mut Collector,
) {
    let policies: Vec<&Res<'_>> = plan.of_type("aws_iam_policy").collect();
    let refs: Vec<String> = r
        .references(key)
        .iter()
        .map(|x| reference_target(x))
        .collect();
    let mut found: Vec<&Res<'_>> = policies
        .iter()
        .filter(|o| refs.contains(&o.config_address()))
        .copied()
        .collect();
    let arns: Vec<&Value> = match r.attr(key).map(|v| &v.kind) {
        Some(Kind::String(_)) => r.attr(key).into_iter().collect(),
        Some(Kind::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    for arn in &arns {
        let Some(s) = arn.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        match policies.iter().find(|o| o.attr_str("arn") == Some(s)) {
            Some(o) => {
                if !found.iter().any(|f| f.address == o.address) {
                    found.push(o);
                }
            }
            // the configuration's reference already named it
            None if !found.is_empty() && arns.len() == 1 => {}
            None => c.errors.push(
                ctx.error_at(
                    "UNKNOWN_POLICY",
                    format!("`{}` attaches `{s}`, whose document is not in this plan", r.address),
                    arn,
                )
                .with_hint("pass that policy with --policy FILE (or --boundary FILE) and select the others one by one"),
            ),
        }
    }
    if arns.is_empty() && found.is_empty() && r.is_unknown(key) {
        c.errors
            .push(unknown(ctx, r, key, r.at, &r.references(key)));
    }
    for o in found {
        load_attr(ctx, plan, o, "policy", layer, c);
    }
}

#[cfg(test)]
mod tests {
    use super::policy_document::{conditions, principals};
    use super::*;

    #[test]
    fn references_name_resources_in_modules() {
        assert_eq!(
            reference_target("aws_iam_role.app.name"),
            "aws_iam_role.app"
        );
        assert_eq!(
            reference_target("data.aws_iam_policy_document.d.json"),
            "data.aws_iam_policy_document.d"
        );
        assert_eq!(
            reference_target("module.m.module.n[0].aws_iam_policy.p.arn"),
            "module.m.module.n.aws_iam_policy.p"
        );
    }

    #[test]
    fn principals_and_conditions_render_as_the_provider_does() {
        let blocks = crate::json::parse(
            r#"[{"type":"AWS","identifiers":["a"]},{"type":"AWS","identifiers":["b"]},{"type":"Service","identifiers":["s"]}]"#,
        )
        .unwrap()
        .value;
        assert_eq!(
            principals(&blocks).to_serde(),
            serde_json::json!({"AWS": ["a", "b"], "Service": ["s"]})
        );
        let star = crate::json::parse(r#"[{"type":"*","identifiers":["*"]}]"#)
            .unwrap()
            .value;
        assert_eq!(principals(&star).to_serde(), serde_json::json!("*"));
        let conds = crate::json::parse(
            r#"[{"test":"StringLike","variable":"s3:prefix","values":["a/*"]},{"test":"StringLike","variable":"s3:prefix","values":["b/*"]},{"test":"Bool","variable":"aws:SecureTransport","values":["true"]}]"#,
        )
        .unwrap()
        .value;
        assert_eq!(
            conditions(&conds).to_serde(),
            serde_json::json!({"StringLike": {"s3:prefix": ["a/*", "b/*"]}, "Bool": {"aws:SecureTransport": ["true"]}})
        );
    }
}
