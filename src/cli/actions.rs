//! `s3guard actions`: the catalog actions a pattern matches, or every
//! catalog action a set of policies allows, grouped by access level with the
//! destructive ones marked (spec M-2, M-5..M-7).

use crate::cli::args::TextOrJson;
use clap::Args;
use serde_json::json;

use super::args::{PolicyArgs, RequestArgs};
use super::{load, Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::catalog::{self, AccessLevel, ActionInfo, Scope};
use crate::diagnostic::Diagnostic;
use crate::explain::classify::Access;
use crate::explain::grants::{allowed_actions, ActionGrant};
use crate::matcher::{ActionPattern, Resource};

/// Arguments of `actions`.
#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// Action patterns (`s3:Get*`, `s3:*Object*`); with --policy they
    /// narrow the list of allowed actions.
    pub patterns: Vec<String>,
    /// The policies, by layer.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The caller and the request context used for every question.
    #[command(flatten)]
    pub request: RequestArgs,
    /// Ask only about this resource (an ARN, or `*` for wildcard-only actions).
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

fn matches_any(patterns: &[ActionPattern], info: &ActionInfo) -> bool {
    patterns.is_empty()
        || patterns
            .iter()
            .any(|p| p.matches_lower(&info.iam_action.to_lowercase()))
}

fn mark(info: &ActionInfo) -> String {
    catalog::destructive(info)
        .map(|d| format!("  ! {}", d.label()))
        .unwrap_or_default()
}

fn types_of(info: &ActionInfo) -> String {
    if info.wildcard_only {
        "* (wildcard-only)".into()
    } else {
        info.resource_types
            .iter()
            .map(|r| r.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Runs `actions`.
pub fn run(args: &ActionsArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == TextOrJson::Json;
    let patterns: Vec<ActionPattern> = args
        .patterns
        .iter()
        .map(|p| ActionPattern::new(p))
        .collect();
    if args.policies.is_empty() {
        if patterns.is_empty() {
            io.diagnostics(
                &[Diagnostic::error("INVALID_ARGUMENT", "give action patterns or --policy FILE")
                    .with_hint("e.g. s3guard actions 's3:*Object*', or s3guard actions --policy policies/rails-app.json")],
                json,
            );
            return EXIT_INVALID;
        }
        return list_patterns(args, &patterns, io);
    }
    let Some(loaded) = io.load_policies(&args.policies, json) else {
        return EXIT_INVALID;
    };
    let resource_text = args.resource.clone().unwrap_or_else(|| "*".into());
    let base = match load::build_request("s3:GetObject", &resource_text, &args.request) {
        Ok(r) => r,
        Err(d) => return io.invalid(&d, json),
    };
    let only: Option<Resource> = args.resource.as_ref().map(|_| base.resource.clone());
    let grants: Vec<ActionGrant> = allowed_actions(&loaded.set, &base, only.as_ref())
        .into_iter()
        .filter(|g| matches_any(&patterns, g.info))
        .collect();
    let names: Vec<String> = loaded
        .set
        .members()
        .iter()
        .map(|m| m.policy.name.clone())
        .collect();
    let cat = catalog::catalog();
    let counts: Vec<(String, usize, usize)> = cat
        .services()
        .iter()
        .map(|s| {
            let total = cat
                .actions()
                .iter()
                .filter(|a| a.service == s.prefix && matches_any(&patterns, a))
                .count();
            let allowed = grants.iter().filter(|g| g.info.service == s.prefix).count();
            (s.prefix.to_string(), allowed, total)
        })
        .collect();
    let destructive_by_scope = |scope: Scope| {
        grants
            .iter()
            .filter(|g| g.destructive.as_ref().is_some_and(|d| d.scope == scope))
            .count()
    };
    let notes = notes(&loaded.set);
    if json {
        let doc = json!({
            "notes": notes,
            "policies": names,
            "resource": args.resource,
            "principal": base.principal.to_string(),
            "counts": counts.iter().map(|(s, a, t)| (s.clone(), json!({"allowed": a, "total": t}))).collect::<serde_json::Map<_, _>>(),
            "destructive": {
                "account": destructive_by_scope(Scope::Account),
                "bucket": destructive_by_scope(Scope::Bucket),
                "object": destructive_by_scope(Scope::Object),
                "other": destructive_by_scope(Scope::Other),
            },
            "actions": grants,
        });
        io.out_raw(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        return EXIT_OK;
    }
    let per_service: Vec<String> = counts
        .iter()
        .map(|(s, a, t)| format!("{s}: {a} of {t}"))
        .collect();
    let on = match &args.resource {
        Some(r) => format!(" on {r}"),
        None => String::new(),
    };
    io.out(&format!(
        "{} allow{} {} catalog action{}{on} ({})",
        names.join(" + "),
        if names.len() == 1 { "s" } else { "" },
        grants.len(),
        if grants.len() == 1 { "" } else { "s" },
        per_service.join(", ")
    ));
    let width = grants.iter().map(|g| g.action.len()).max().unwrap_or(0);
    for level in AccessLevel::REPORT_ORDER {
        let in_level: Vec<&ActionGrant> = grants
            .iter()
            .filter(|g| g.info.access_level == level)
            .collect();
        if in_level.is_empty() {
            continue;
        }
        io.out("");
        io.out(&format!("{level} ({})", in_level.len()));
        for g in in_level {
            let mut wheres: Vec<(String, Vec<String>)> = Vec::new();
            for r in &g.allowed_on {
                let scope = if r.scopes.is_empty() {
                    r.arn.clone()
                } else {
                    r.scopes.join(", ")
                };
                let cond = if r.grant == Access::Conditional {
                    format!(" (conditional: {})", r.condition_keys.join(", "))
                } else {
                    String::new()
                };
                let key = format!("{scope}{cond}");
                match wheres.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, types)) => {
                        if !types.contains(&r.resource_type) {
                            types.push(r.resource_type.clone());
                        }
                    }
                    None => wheres.push((key, vec![r.resource_type.clone()])),
                }
            }
            let wheres: Vec<String> = wheres
                .iter()
                .map(|(k, t)| format!("{} on {k}", t.join(", ")))
                .collect();
            io.out(&format!(
                "  {:width$}  {}{}",
                g.action,
                wheres.join("; "),
                mark(g.info)
            ));
        }
    }
    io.out("");
    let parts: Vec<String> = [
        (Scope::Account, "on the account"),
        (Scope::Bucket, "on buckets"),
        (Scope::Object, "on objects"),
        (Scope::Other, "on other resources"),
    ]
    .iter()
    .map(|(s, label)| (destructive_by_scope(*s), label))
    .filter(|(n, _)| *n > 0)
    .map(|(n, label)| format!("{n} {label}"))
    .collect();
    let total: usize = grants.iter().filter(|g| g.destructive.is_some()).count();
    let bucket_level = destructive_by_scope(Scope::Bucket) + destructive_by_scope(Scope::Account);
    io.out(&format!(
        "destructive (!): {}{}",
        if total == 0 {
            "none".to_string()
        } else {
            format!("{total} — {}", parts.join(", "))
        },
        if total > 0 && bucket_level == 0 {
            "; none at bucket or account level"
        } else {
            ""
        }
    ));
    for n in &notes {
        io.out(&format!("note: {n}"));
    }
    EXIT_OK
}

/// What the list leaves out and why: a bucket policy that grants under the
/// access point keys delegates access control to access points (spec
/// AP-2); requests made directly to the bucket never carry those keys
/// (AP-3), so its grants count only through an access point, where the
/// access point policy governs.
fn notes(set: &crate::eval::policy_set::PolicySet) -> Vec<String> {
    use crate::eval::access_point::is_access_point_key;
    use crate::policy::{Effect, PolicyType};
    let mut keys: Vec<&str> = Vec::new();
    for m in set
        .members()
        .iter()
        .filter(|m| m.layer == PolicyType::Resource)
    {
        for st in m
            .policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            for k in st.condition.blocks.iter().flat_map(|b| b.keys.iter()) {
                if is_access_point_key(&k.key)
                    && !keys.iter().any(|x| x.eq_ignore_ascii_case(&k.key))
                {
                    keys.push(&k.key);
                }
            }
        }
    }
    if keys.is_empty() || set.options().access_point.is_some() {
        return Vec::new();
    }
    vec![format!(
        "the bucket policy grants under {} (it delegates access control to access points, spec AP-2): a request made directly to the bucket never carries that key, so those grants count only through an access point, where the access point policy governs access; to list what an access point allows, pass --access-point-policy FILE --access-point-bucket NAME and --resource arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/*",
        keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    )]
}

fn list_patterns(args: &ActionsArgs, patterns: &[ActionPattern], io: &mut Io<'_>) -> i32 {
    let json = args.format == TextOrJson::Json;
    let cat = catalog::catalog();
    let mut empty = Vec::new();
    for p in patterns {
        if cat.expand(p.as_str()).is_empty() {
            let hint = cat
                .suggest(p.as_str())
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            empty.push(format!(
                "warning: `{}` matches no catalog action{hint}",
                p.as_str()
            ));
        }
    }
    for w in &empty {
        io.err(w);
    }
    let found: Vec<&ActionInfo> = cat
        .actions()
        .iter()
        .filter(|a| matches_any(patterns, a))
        .collect();
    if json {
        let actions: Vec<serde_json::Value> = found
            .iter()
            .map(|a| {
                json!({
                    "action": a.iam_action,
                    "access_level": a.access_level.as_str(),
                    "access_level_raw": a.access_level_raw,
                    "resource_types": a.resource_types.iter().map(|r| &r.name).collect::<Vec<_>>(),
                    "wildcard_only": a.wildcard_only,
                    "destructive": catalog::destructive(a),
                    "description": a.description,
                })
            })
            .collect();
        let doc = json!({
            "patterns": args.patterns,
            "catalog": cat.version(),
            "count": found.len(),
            "actions": actions,
        });
        io.out_raw(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        io.out(&format!(
            "{} matches {} catalog action{} ({})",
            args.patterns.join(" "),
            found.len(),
            if found.len() == 1 { "" } else { "s" },
            cat.version()
        ));
        let width = found.iter().map(|a| a.iam_action.len()).max().unwrap_or(0);
        for level in AccessLevel::REPORT_ORDER {
            let in_level: Vec<&&ActionInfo> =
                found.iter().filter(|a| a.access_level == level).collect();
            if in_level.is_empty() {
                continue;
            }
            io.out("");
            io.out(&format!("{level} ({})", in_level.len()));
            for a in in_level {
                io.out(&format!(
                    "  {:width$}  {}{}",
                    a.iam_action,
                    types_of(a),
                    mark(a)
                ));
            }
        }
    }
    if found.is_empty() {
        EXIT_DENIED
    } else {
        EXIT_OK
    }
}
