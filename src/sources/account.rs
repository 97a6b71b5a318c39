//! `aws iam get-account-authorization-details`: every user, group and role
//! with its inline policies (`UserPolicyList`, `GroupPolicyList`,
//! `RolePolicyList`), attached managed policies (documents in `Policies`,
//! default version) and permissions boundary. A user's groups' policies
//! count as the user's identity policies. Documents may be objects or
//! URL-encoded JSON strings (as the API returns them).

use std::collections::HashMap;

use super::render::{load_json_string, load_value};
use super::{Choice, ChoiceKind, Collector, Ctx, Selected};
use crate::diagnostic::Diagnostic;
use crate::json::{pointer, Kind, Value};
use crate::policy::Policy;
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
    c.push(load_document(ctx, doc, ptr, layer), layer, origin);
}

/// The policy of a document that is an object or a (URL-encoded) JSON
/// string.
fn load_document(
    ctx: &Ctx<'_>,
    doc: &Value,
    ptr: &str,
    layer: PolicyType,
) -> Result<Policy, crate::policy::LoadError> {
    let json_file = ctx.file.text().trim_start().starts_with('{');
    match &doc.kind {
        Kind::String(_) => load_json_string(ctx.file, doc, ctx.options(layer)),
        // In a JSON file the document was parsed with the file: it is
        // lowered from that tree (positions are the file's), neither
        // rendered again nor parsed twice (the dump's bulk).
        Kind::Object(_) if json_file => {
            Policy::from_parsed_slice(ctx.file, doc, ptr, ctx.file.name(), ctx.options(layer))
        }
        _ => load_value(ctx.file, doc, ptr, ctx.options(layer)),
    }
}

/// Where the dump's managed policies (by ARN) and groups (by name) are,
/// found with one pass over each list instead of a scan per attachment
/// (a user with many groups and policies made a selection quadratic). The
/// first entry of a repeated ARN or name is the one found, as a scan would.
/// Keys come from the input: the hasher is seeded at random.
struct Lookup<'v> {
    policies: HashMap<&'v str, usize, foldhash::fast::RandomState>,
    groups: HashMap<&'v str, usize, foldhash::fast::RandomState>,
}

impl<'v> Lookup<'v> {
    fn new(root: &'v Value) -> Lookup<'v> {
        let by = |list: &str, key: &str| {
            let mut map = HashMap::with_hasher(foldhash::fast::RandomState::default());
            for (i, e) in items(root, list).iter().enumerate() {
                if let Some(k) = s(e, key) {
                    map.entry(k).or_insert(i);
                }
            }
            map
        };
        Lookup {
            policies: by("Policies", "Arn"),
            groups: by("GroupDetailList", "GroupName"),
        }
    }
}

/// The default version's document of a managed policy of the dump.
fn managed(
    ctx: &Ctx<'_>,
    lookup: &Lookup<'_>,
    arn: &str,
    at: &Value,
    layer: PolicyType,
    owner: &str,
    c: &mut Collector,
) {
    let policies = items(ctx.root, "Policies");
    let found = lookup
        .policies
        .get(arn)
        .and_then(|&pi| Some((pi, policies.get(pi)?)));
    let Some((pi, p)) = found else {
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
    let default = default_version(p, versions);
    match default.and_then(|(vi, v)| v.get("Document").map(|d| (vi, d))) {
        Some((vi, doc)) => {
            let ptr = managed_document_pointer(pi, vi);
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
    let lookup = Lookup::new(ctx.root);
    if let ChoiceKind::Policy(layer) = choice.kind {
        managed(
            ctx,
            &lookup,
            &choice.name,
            ctx.root,
            layer,
            &choice.name,
            &mut c,
        );
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
    entity_policies(ctx, &lookup, list, idx, entity, &mut c);
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
            let groups = items(ctx.root, "GroupDetailList");
            let found = lookup
                .groups
                .get(gname)
                .and_then(|&gi| Some((gi, groups.get(gi)?)));
            match found {
                Some((gi, ge)) => entity_policies(ctx, &lookup, "GroupDetailList", gi, ge, &mut c),
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
fn entity_policies(
    ctx: &Ctx<'_>,
    lookup: &Lookup<'_>,
    list: &str,
    idx: usize,
    e: &Value,
    c: &mut Collector,
) {
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
            let ptr = inline_document_pointer(list, idx, key, i);
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
            Some(arn) => managed(ctx, lookup, arn, a, PolicyType::Identity, &owner, c),
            None => c.errors.push(missing_arn(a, "`AttachedManagedPolicies`")),
        }
    }
    if let Some(b) = e.get("PermissionsBoundary") {
        match s(b, "PermissionsBoundaryArn") {
            Some(arn) => managed(ctx, lookup, arn, b, PolicyType::Boundary, &owner, c),
            None => c.errors.push(missing_arn(b, "`PermissionsBoundary`")),
        }
    }
}

/// A policy of an account dump, loaded, with the name the dump gives it
/// (`policy/NAME` for managed policies, `ARN inline NAME` for inline ones).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    /// `policy/NAME`, `ARN inline NAME` or `ARN trust policy`.
    pub name: String,
    /// The policy, compiled once.
    pub policy: std::sync::Arc<crate::policy::Policy>,
}

/// Which list of the dump an entity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    /// `UserDetailList`.
    User,
    /// `GroupDetailList`.
    Group,
    /// `RoleDetailList`.
    Role,
}

/// One user, group or role of a dump, with its own policies loaded and its
/// managed policies named by ARN (they are loaded once, in [`Dump::managed`]).
#[derive(Debug, Clone)]
pub struct Entity {
    /// User, group or role.
    pub kind: EntityKind,
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Inline policies.
    pub inline: Vec<NamedPolicy>,
    /// ARNs of attached managed policies.
    pub attached: Vec<String>,
    /// ARN of the permissions boundary.
    pub boundary: Option<String>,
    /// Names of the groups of a user.
    pub groups: Vec<String>,
    /// A role's trust policy (`AssumeRolePolicyDocument`), a resource policy.
    pub trust: Option<NamedPolicy>,
    /// Its tags (they become `aws:PrincipalTag/KEY` of its requests).
    pub tags: Vec<(String, String)>,
}

/// Everything of an account dump that access analysis uses.
#[derive(Debug, Clone, Default)]
pub struct Dump {
    /// Users, groups and roles, in dump order.
    pub entities: Vec<Entity>,
    /// Managed policies (default version), by ARN, in dump order.
    pub managed: Vec<(String, NamedPolicy)>,
}

/// Reads the users, groups, roles and managed policies of a dump, each
/// policy loaded once; every error of every document is returned.
pub(super) fn dump(ctx: &Ctx<'_>) -> Result<Dump, Vec<Diagnostic>> {
    let mut out = Dump::default();
    let mut errors = Vec::new();
    // Every document is compiled on its own (in parallel: they are the
    // bulk of the work), then the results are taken in dump order, so
    // the errors come in the same order as from a sequential read.
    // (The errors kept are those a Collector keeps.)
    let compile = |jobs: &[Job<'_>]| -> Vec<Result<NamedPolicy, Vec<Diagnostic>>> {
        crate::parallel::map(jobs, |j| match load_document(ctx, j.doc, &j.ptr, j.layer) {
            Ok(policy) => Ok(NamedPolicy {
                name: j.name.clone(),
                policy: std::sync::Arc::new(policy),
            }),
            Err(e) => Err(e
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect()),
        })
    };
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let mut arns: Vec<&str> = Vec::new();
    for (pi, p) in items(ctx.root, "Policies").iter().enumerate() {
        let Some(arn) = s(p, "Arn") else { continue };
        let name = s(p, "PolicyName").unwrap_or(arn);
        let versions = items(p, "PolicyVersionList");
        let default = default_version(p, versions);
        let Some((vi, doc)) = default.and_then(|(vi, v)| v.get("Document").map(|d| (vi, d))) else {
            continue;
        };
        let ptr = managed_document_pointer(pi, vi);
        jobs.push(Job {
            doc,
            ptr,
            layer: PolicyType::Identity,
            name: format!("policy/{name}"),
        });
        arns.push(arn);
    }
    // ARNs of the dump's text (keys from the input: a random seed)
    type Arns<'v> = std::collections::HashSet<&'v str, foldhash::fast::RandomState>;
    let mut known = Arns::with_capacity_and_hasher(arns.len(), Default::default());
    let mut invalid = Arns::default();
    for (&arn, r) in arns.iter().zip(compile(&jobs)) {
        match r {
            Ok(np) => {
                known.insert(arn);
                out.managed.push((arn.to_string(), np));
            }
            // Reported; attachments of it are not "missing" too.
            Err(mut e) => {
                errors.append(&mut e);
                invalid.insert(arn);
            }
        }
    }
    let kinds = [EntityKind::User, EntityKind::Group, EntityKind::Role];
    // Each entity's members, read in one pass (they are looked up again
    // below, once the documents are compiled).
    let fields: Vec<Vec<EntityFields<'_>>> = LISTS
        .iter()
        .map(|(list, _, name_key, _)| {
            items(ctx.root, list)
                .iter()
                .map(|e| EntityFields::of(e, name_key))
                .collect()
        })
        .collect();
    // The entities' own documents (inline policies, trust policies).
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for ((list, ..), entities) in LISTS.iter().zip(&fields) {
        for (idx, f) in entities.iter().enumerate() {
            let (Some(_), Some(arn)) = (f.name, f.arn) else {
                continue;
            };
            for (key, policies) in INLINE_LISTS.iter().zip(f.inline) {
                for (i, p) in policies.iter().enumerate() {
                    let Some(doc) = p.get("PolicyDocument") else {
                        continue;
                    };
                    let ptr = inline_document_pointer(list, idx, key, i);
                    let pname = s(p, "PolicyName").unwrap_or("?");
                    jobs.push(Job {
                        doc,
                        ptr,
                        layer: PolicyType::Identity,
                        name: format!("{arn} inline {pname}"),
                    });
                }
            }
            if let Some(doc) = f.trust {
                let ptr = pointer::from_segments(&[
                    list,
                    itoa::Buffer::new().format(idx),
                    "AssumeRolePolicyDocument",
                ]);
                jobs.push(Job {
                    doc,
                    ptr,
                    layer: PolicyType::Resource,
                    name: format!("{arn} trust policy"),
                });
            }
        }
    }
    let mut compiled = compile(&jobs).into_iter();
    for (entities, kind) in fields.iter().zip(kinds) {
        for f in entities {
            let (Some(name), Some(arn)) = (f.name, f.arn) else {
                continue;
            };
            let mut entity = Entity {
                kind,
                arn: arn.to_string(),
                name: name.to_string(),
                inline: Vec::new(),
                attached: Vec::with_capacity(f.attached.len()),
                boundary: None,
                groups: Vec::new(),
                trust: None,
                tags: Vec::new(),
            };
            for p in f.inline.iter().flat_map(|list| list.iter()) {
                if p.get("PolicyDocument").is_none() {
                    continue;
                }
                match compiled.next() {
                    Some(Ok(np)) => entity.inline.push(np),
                    Some(Err(mut d)) => errors.append(&mut d),
                    None => {}
                }
            }
            for a in f.attached {
                if let Some(parn) = s(a, "PolicyArn") {
                    if invalid.contains(parn) {
                        continue;
                    }
                    if !known.contains(parn) {
                        errors.push(
                            ctx.error_at(
                                "UNKNOWN_POLICY",
                                format!("`{arn}` has `{parn}` attached, but its document is not in this dump"),
                                a,
                            )
                            .with_hint("run `aws iam get-account-authorization-details` without --filter (AWS managed policies come with the AWSManagedPolicy filter)"),
                        );
                        continue;
                    }
                    entity.attached.push(parn.to_string());
                }
            }
            if let Some(b) = f.boundary {
                if let Some(barn) = s(b, "PermissionsBoundaryArn") {
                    if known.contains(barn) {
                        entity.boundary = Some(barn.to_string());
                    } else if !invalid.contains(barn) {
                        errors.push(ctx.error_at(
                            "UNKNOWN_POLICY",
                            format!("`{arn}` has the boundary `{barn}`, but its document is not in this dump"),
                            b,
                        ));
                    }
                }
            }
            entity.groups = f
                .groups
                .iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect();
            if f.trust.is_some() {
                match compiled.next() {
                    Some(Ok(np)) => entity.trust = Some(np),
                    Some(Err(mut d)) => errors.append(&mut d),
                    None => {}
                }
            }
            entity.tags = f
                .tags
                .iter()
                .filter_map(|t| Some((s(t, "Key")?.to_string(), s(t, "Value")?.to_string())))
                .collect();
            out.entities.push(entity);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The lists of inline policies an entity of a dump may have.
const INLINE_LISTS: [&str; 3] = ["UserPolicyList", "GroupPolicyList", "RolePolicyList"];

/// The members of a user, group or role that [`dump`] reads, found in one
/// pass over its members instead of a search per member (an entity is
/// read twice, for its documents and then for the rest). What each field
/// holds is what `get` of its key would give: the first member of that
/// key, a list only when it is an array, a name only when it is a string.
#[derive(Default)]
struct EntityFields<'v> {
    /// The `UserName`, `GroupName` or `RoleName`.
    name: Option<&'v str>,
    arn: Option<&'v str>,
    /// The lists of [`INLINE_LISTS`], in that order.
    inline: [&'v [Value]; 3],
    attached: &'v [Value],
    boundary: Option<&'v Value>,
    groups: &'v [Value],
    trust: Option<&'v Value>,
    tags: &'v [Value],
}

impl<'v> EntityFields<'v> {
    fn of(e: &'v Value, name_key: &str) -> EntityFields<'v> {
        let mut f = EntityFields::default();
        // keys already seen (the first member of a key counts)
        let mut seen = 0u16;
        for m in e.as_object().unwrap_or_default() {
            let key = m.key.as_str();
            let slot = match key {
                "Arn" => 0,
                "UserPolicyList" => 1,
                "GroupPolicyList" => 2,
                "RolePolicyList" => 3,
                "AttachedManagedPolicies" => 4,
                "PermissionsBoundary" => 5,
                "GroupList" => 6,
                "AssumeRolePolicyDocument" => 7,
                "Tags" => 8,
                _ if key == name_key => 9,
                _ => continue,
            };
            if seen & (1 << slot) != 0 {
                continue;
            }
            seen |= 1 << slot;
            let v = &m.value;
            let list = v.as_array().unwrap_or_default();
            match slot {
                0 => f.arn = v.as_str(),
                1..=3 => {
                    if let Some(l) = f.inline.get_mut(slot - 1) {
                        *l = list;
                    }
                }
                4 => f.attached = list,
                5 => f.boundary = Some(v),
                6 => f.groups = list,
                7 => f.trust = Some(v),
                8 => f.tags = list,
                _ => f.name = v.as_str(),
            }
        }
        f
    }
}

/// One document of a dump to compile.
struct Job<'v> {
    doc: &'v Value,
    ptr: String,
    layer: PolicyType,
    name: String,
}

/// The version of a managed policy that counts: the one marked
/// `IsDefaultVersion`, else the one `DefaultVersionId` names.
fn default_version<'v>(p: &Value, versions: &'v [Value]) -> Option<(usize, &'v Value)> {
    versions
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
        })
}

/// The JSON pointer of the document of inline policy `i` in list `key` of
/// entry `idx` of `list` (`/RoleDetailList/3/RolePolicyList/0/PolicyDocument`).
fn inline_document_pointer(list: &str, idx: usize, key: &str, i: usize) -> String {
    let (mut a, mut b) = (itoa::Buffer::new(), itoa::Buffer::new());
    pointer::from_segments(&[list, a.format(idx), key, b.format(i), "PolicyDocument"])
}

/// The JSON pointer of version `vi`'s document of managed policy `pi`
/// (`/Policies/3/PolicyVersionList/0/Document`).
fn managed_document_pointer(pi: usize, vi: usize) -> String {
    let (mut a, mut b) = (itoa::Buffer::new(), itoa::Buffer::new());
    pointer::from_segments(&[
        "Policies",
        a.format(pi),
        "PolicyVersionList",
        b.format(vi),
        "Document",
    ])
}
