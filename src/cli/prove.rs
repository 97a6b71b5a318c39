//! `s3guard prove --cannot ACTIONS --on RESOURCES`: is ANY such request
//! allowed? A proof, a counterexample that `s3guard can` confirms, or an
//! honest "cannot prove".

use crate::cli::args::TextOrJson;
use clap::{ArgGroup, Args};
use serde_json::{json, Value};

use super::args::{LimitArgs, NotPrincipalArg, PolicyArgs};
use super::{Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK, EXIT_UNDECIDED};
use crate::diagnostic::Diagnostic;
use crate::eval::policy_set::PolicySet;
use crate::prove::{self, Coverage, Proof, Query, Witness};
use crate::render::text::describe_statement;
use crate::request::context::ContextValue;

/// Arguments of `prove`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("claim").required(true).args(["cannot", "can"])))]
pub struct ProveArgs {
    /// Prove that NO request whose action matches this pattern (a
    /// case-insensitive glob over service:Name, e.g. 's3:Delete*') is allowed.
    /// Exit 0 when proved, 1 with a counterexample, 3 when s3guard cannot decide.
    #[arg(long, value_name = "ACTION_PATTERN")]
    pub cannot: Option<String>,
    /// The dual: prove that SOME request whose action matches is allowed.
    /// Exit 0 with a witness, 1 when none exists, 3 when s3guard cannot decide.
    #[arg(long, value_name = "ACTION_PATTERN")]
    pub can: Option<String>,
    /// The resources: `*` or an ARN pattern with `*`/`?` (spec M-4), e.g. 'arn:aws:s3:::*'.
    #[arg(long = "on", value_name = "RESOURCE_PATTERN")]
    pub on: String,
    /// The policies, by layer.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The caller: an IAM user, role or assumed-role session ARN, an account
    /// root ARN, a service principal or `anonymous` (default: an unspecified
    /// principal of the resource's account).
    #[arg(long)]
    pub principal: Option<String>,
    /// The account that owns the bucket (default: the caller's account).
    #[arg(long = "resource-account", value_name = "ID")]
    pub resource_account: Option<String>,
    /// Fix a context key (repeatable; repeating a key makes it a list). Every
    /// other key may take any value or be missing.
    #[arg(long = "context", short = 'c', value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Consider every ARN (and `*`) for every action, not only the resource
    /// types AWS sends for it (spec M-5..M-7).
    #[arg(long)]
    pub any_resource: bool,
    /// The prover's budget.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Runs `prove`.
pub fn run(args: &ProveArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == TextOrJson::Json;
    let (claim_can, pattern) = match (&args.cannot, &args.can) {
        (Some(p), None) => (false, p.clone()),
        (None, Some(p)) => (true, p.clone()),
        _ => {
            io.diagnostics(
                &[Diagnostic::error(
                    "INVALID_ARGUMENT",
                    "give exactly one of --cannot and --can",
                )],
                json,
            );
            return EXIT_INVALID;
        }
    };
    if args.policies.is_empty() {
        return io.invalid(&[super::load::no_policy()], json);
    }
    let query = Query {
        action: pattern,
        resource: args.on.clone(),
        principal: args.principal.clone(),
        resource_account: args.resource_account.clone(),
        context: args.context.clone(),
        absent: Vec::new(),
        any_resource: args.any_resource,
    };
    if let Err(e) = query.check() {
        let hint = match e {
            prove::QueryError::Resource(_) => {
                "S3 resources look like arn:aws:s3:::bucket or arn:aws:s3:::bucket/*; use * for every resource"
            }
            prove::QueryError::Action => "e.g. --cannot 's3:Delete*'",
            prove::QueryError::Request(_) => "see `s3guard can --help` for --principal and --context",
        };
        io.diagnostics(
            &[Diagnostic::error("INVALID_ARGUMENT", e.to_string()).with_hint(hint)],
            json,
        );
        return EXIT_INVALID;
    }
    let Some(loaded) = io.load_policies(&args.policies, json) else {
        return EXIT_INVALID;
    };
    let set = &loaded.set;
    let proof = prove::prove_within(set, &query, &args.limits.limits());
    if let Proof::Unknown { scope, .. } = &proof {
        if scope.catalog_actions.is_empty() && !scope.other_services {
            let hint = crate::catalog::catalog()
                .suggest(&query.action)
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "e.g. 's3:Delete*', 's3:GetObject' or '*'".into());
            io.diagnostics(
                &[Diagnostic::error(
                    "INVALID_ARGUMENT",
                    format!(
                        "the action pattern `{}` matches no action of the catalog and no other service",
                        query.action
                    ),
                )
                .with_hint(hint)],
                json,
            );
            return EXIT_INVALID;
        }
    }
    let policy_flags = policy_flags(&args.policies);
    let code = match (&proof, claim_can) {
        (Proof::Proved(_), false) | (Proof::Counterexample(..), true) => EXIT_OK,
        (Proof::Counterexample(..), false) | (Proof::Proved(_), true) => EXIT_DENIED,
        (Proof::Unknown { .. }, _) => EXIT_UNDECIDED,
    };
    match args.format {
        TextOrJson::Text => io.out(&render_text(set, &query, &proof, claim_can, &policy_flags)),
        TextOrJson::Json => {
            let doc = render_json(set, &query, &proof, claim_can, &policy_flags);
            io.out_raw(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    code
}

/// The policy flags of the command line, to repeat in `s3guard can` commands.
fn policy_flags(p: &PolicyArgs) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |flag: &str, values: &[String]| {
        for v in values {
            out.push(flag.to_string());
            out.push(v.clone());
        }
    };
    add("--policy", &p.identity);
    add("--bucket-policy", &p.bucket);
    add("--boundary", &p.boundary);
    add("--session-policy", &p.session);
    add("--scp", &p.scp);
    add("--rcp", &p.rcp);
    add("--canonical-id", &p.canonical_ids);
    add("--vpce-policy", &p.vpce_policies);
    let ap = &p.access_point;
    add("--access-point-policy", &ap.policies);
    add("--access-point-bucket", ap.bucket.as_slice());
    add(
        "--access-point-bucket-account",
        ap.bucket_account.as_slice(),
    );
    add(
        "--access-point-network-origin",
        ap.network_origin.as_slice(),
    );
    add("--access-point-vpc", ap.vpc.as_slice());
    add("--policy-from", &p.policy_from);
    add("--select", &p.select);
    add("--param", &p.params);
    add("--new-bucket-policy", p.new_bucket_policy.as_slice());
    add("--object-owner", p.object_owner.as_slice());
    add("--object-acl", &p.object_acl);
    add("--bucket-acl", &p.bucket_acl);
    add("--object-ownership", p.object_ownership.as_slice());
    for (flag, on) in [
        ("--block-public-access", p.block_public_access),
        ("--block-public-acls", p.block_public_acls),
        ("--ignore-public-acls", p.ignore_public_acls),
        ("--block-public-policy", p.block_public_policy),
        ("--restrict-public-buckets", p.restrict_public_buckets),
    ] {
        if on {
            out.push(flag.into());
        }
    }
    if p.lenient {
        out.push("--lenient".into());
    }
    if p.management_account {
        out.push("--management-account".into());
    }
    if p.resource_in_management_account {
        out.push("--resource-in-management-account".into());
    }
    if p.not_principal == NotPrincipalArg::Lenient {
        out.push("--notprincipal".into());
        out.push("lenient".into());
    }
    if p.strict {
        out.push("--strict".into());
    }
    out
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_word(w: &str) -> String {
    let plain = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@,+-%".contains(c));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

/// The `s3guard can` command that reproduces a witness.
pub fn can_command(w: &Witness, policy_flags: &[String]) -> String {
    let mut words = vec!["s3guard".to_string(), "can".to_string()];
    let (head, rest) = w.args.split_at(w.args.len().min(2));
    words.extend(head.iter().cloned());
    words.extend(policy_flags.iter().cloned());
    words.extend(rest.iter().cloned());
    words
        .iter()
        .map(|x| shell_word(x))
        .collect::<Vec<_>>()
        .join(" ")
}

fn value_text(v: &Option<ContextValue>) -> String {
    match v {
        None => "(missing)".into(),
        Some(v) => v.to_string(),
    }
}

fn caller_text(q: &Query) -> String {
    match &q.principal {
        Some(p) => p.clone(),
        None => "an unspecified principal of the resource's account".into(),
    }
}

fn actions_text(scope: &Coverage) -> String {
    let n = scope.catalog_actions.len();
    let listed = if n == 0 {
        "no catalog action".to_string()
    } else if n <= 3 {
        scope.catalog_actions.join(", ")
    } else {
        format!(
            "{} catalog actions ({}, …)",
            n,
            scope
                .catalog_actions
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if scope.other_services {
        format!("{listed}, and actions of other services (any name)")
    } else {
        format!("{listed} (catalog {})", scope.catalog)
    }
}

fn render_text(
    set: &PolicySet,
    q: &Query,
    proof: &Proof,
    claim_can: bool,
    policy_flags: &[String],
) -> String {
    let what = format!("`{}` on `{}`", q.action, q.resource);
    let mut out = String::new();
    let scope = proof.scope();
    match proof {
        Proof::Proved(_) if !claim_can => {
            out.push_str(&format!("proved: no request for {what} is allowed\n"));
        }
        Proof::Proved(_) => {
            out.push_str(&format!("disproved: no request for {what} is allowed\n"));
        }
        Proof::Counterexample(w, _) => {
            if claim_can {
                out.push_str(&format!("proved: a request for {what} is allowed\n"));
            } else {
                out.push_str(&format!(
                    "counterexample: a request for {what} is allowed\n"
                ));
            }
            out.push_str(&format!("  action:    {}\n", w.request.action));
            out.push_str(&format!("  resource:  {}\n", w.request.resource));
            if w.context.is_empty() {
                out.push_str("  context:   (no condition key matters)\n");
            } else {
                for (i, (k, v)) in w.context.iter().enumerate() {
                    let label = if i == 0 {
                        "  context:   "
                    } else {
                        "             "
                    };
                    out.push_str(&format!("{label}{k} = {}\n", value_text(v)));
                }
            }
            for r in &w.response.determining {
                if let Some(s) = set.statement(*r) {
                    out.push_str(&format!(
                        "  allowed by {}: {}\n",
                        set.position(*r),
                        describe_statement(s)
                    ));
                }
            }
            out.push_str(&format!("  check:     {}\n", can_command(w, policy_flags)));
        }
        Proof::Unknown { reason, .. } => {
            out.push_str(&format!("cannot prove: {reason}\n"));
        }
    }
    out.push_str(&format!("  actions:   {}\n", actions_text(scope)));
    let resources = if scope.resource_types {
        "the matching ARNs of the types AWS sends for each action (`*` for wildcard-only ones)"
    } else {
        "every matching ARN, and `*`, for every action"
    };
    out.push_str(&format!("  resources: {resources}\n"));
    out.push_str(&format!("  caller:    {}\n", caller_text(q)));
    if let Some(a) = &q.resource_account {
        out.push_str(&format!("  resource account: {a}\n"));
    }
    if scope.fixed_keys.is_empty() {
        out.push_str("  context:   every key free (any value, or missing)\n");
    } else {
        out.push_str(&format!(
            "  context:   every key free (any value, or missing) except {}\n",
            scope.fixed_keys.join(", ")
        ));
    }
    if !scope.absent_keys.is_empty() {
        out.push_str(&format!(
            "  absent:    {} (no action of the query carries it: treated as missing)\n",
            scope.absent_keys.join(", ")
        ));
    }
    for a in &scope.approximations {
        out.push_str(&format!("note: {a}\n"));
    }
    out.trim_end().to_string()
}

fn render_json(
    set: &PolicySet,
    q: &Query,
    proof: &Proof,
    claim_can: bool,
    policy_flags: &[String],
) -> Value {
    let result = match (proof, claim_can) {
        (Proof::Proved(_), false) | (Proof::Counterexample(..), true) => "proved",
        (Proof::Counterexample(..), false) | (Proof::Proved(_), true) => "disproved",
        (Proof::Unknown { .. }, _) => "unknown",
    };
    let mut doc = json!({
        "claim": if claim_can { "can" } else { "cannot" },
        "result": result,
        "query": {
            "action": q.action,
            "resource": q.resource,
            "principal": q.principal,
            "resourceAccount": q.resource_account,
            "context": q.context,
            "anyResource": q.any_resource,
        },
        "scope": proof.scope(),
    });
    if let Some(obj) = doc.as_object_mut() {
        match proof {
            Proof::Counterexample(w, _) => {
                let context: serde_json::Map<String, Value> = w
                    .context
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect();
                let allowed_by: Vec<Value> = w
                    .response
                    .determining
                    .iter()
                    .filter_map(|r| {
                        let m = set.member(*r)?;
                        let s = set.statement(*r)?;
                        Some(json!({
                            "policy": m.policy.name,
                            "policyType": m.layer,
                            "position": m.policy.statement_position(s),
                            "sid": s.sid,
                            "pointer": s.location.pointer(),
                        }))
                    })
                    .collect();
                obj.insert(
                    "request".into(),
                    json!({
                        "action": w.request.action.as_str(),
                        "resource": w.request.resource.as_str(),
                        "principal": q.principal,
                        "resourceAccount": q.resource_account,
                        "context": context,
                        "allowedBy": allowed_by,
                        "command": can_command(w, policy_flags),
                    }),
                );
            }
            Proof::Unknown { reason, .. } => {
                obj.insert("reason".into(), json!(reason));
            }
            Proof::Proved(_) => {}
        }
    }
    doc
}
