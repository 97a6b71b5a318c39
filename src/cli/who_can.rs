//! `s3guard who-can ACTION RESOURCE --account FILE…`: every principal of
//! the accounts given (and those a bucket policy names) that can make the
//! request, allowed or conditional, and who could gain it (docs/who-can.md).
//! The account flags ([`AccountArgs`]) are shared with `principal-can`
//! and `review --account`.

use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::args::AccessPointArgs;
use super::{Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::access::{
    self, Access, AccountModel, Analysis, BucketPolicy, Escalation, Question, WhoCan,
};
use crate::diagnostic::Diagnostic;
use crate::eval::policy_set::EvalOptions;
use crate::policy::PolicyType;
use crate::request::builder::RequestBuilder;
use crate::sources::{NamedPolicy, Source};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhoCanFormat {
    /// For people.
    Text,
    /// One JSON object with a `principals` array.
    Json,
}

/// The accounts and the policies around them.
#[derive(Debug, Args, Clone, Default)]
pub struct AccountArgs {
    /// `aws iam get-account-authorization-details` output (one per account;
    /// repeatable), or an iam-collect storage directory (all its accounts).
    #[arg(long = "account", value_name = "FILE", required = true)]
    pub accounts: Vec<String>,
    /// A bucket policy, `BUCKET=FILE` or FILE (the bucket its statements
    /// name); plain policies or `aws s3api get-bucket-policy` output (repeatable).
    #[arg(long = "bucket-policy", short = 'b', value_name = "[BUCKET=]FILE")]
    pub bucket_policies: Vec<String>,
    /// The account that owns the buckets (default: the first --account's).
    #[arg(long = "bucket-account", value_name = "ID")]
    pub bucket_account: Option<String>,
    /// An SCP level, root first: comma-separated files (repeatable; every account given).
    #[arg(long = "scp", value_name = "FILE[,FILE…]")]
    pub scp: Vec<String>,
    /// An RCP level, root first (repeatable).
    #[arg(long = "rcp", value_name = "FILE[,FILE…]")]
    pub rcp: Vec<String>,
    /// A VPC endpoint policy (takes part with --vpce).
    #[arg(long = "vpce-policy", value_name = "FILE")]
    pub vpce_policies: Vec<String>,
    /// The request comes through this VPC endpoint (sets aws:SourceVpce).
    #[arg(long = "vpce", value_name = "VPCE_ID")]
    pub vpce: Option<String>,
    /// S3 Block Public Access (RestrictPublicBuckets) is on for the buckets.
    #[arg(long)]
    pub block_public_access: bool,
    /// The S3 access point of requests whose resource is an access point
    /// ARN (as `can` takes it).
    #[command(flatten)]
    pub access_point: AccessPointArgs,
    /// A context key every request carries (repeatable): a fact, not free.
    #[arg(long = "context", short = 'c', value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// The time of the requests (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Do not look for escalation paths (role assumption, IAM rewrites).
    #[arg(long)]
    pub no_escalation: bool,
}

fn bad(message: String, hint: &str) -> Diagnostic {
    Diagnostic::error("INVALID_ARGUMENT", message).with_hint(hint)
}

/// The bucket a policy's statements name, when they all name one.
fn bucket_of(policy: &crate::policy::Policy) -> Option<String> {
    let mut found: Option<String> = None;
    for s in &policy.statements {
        for r in s.resource.patterns() {
            let b = r
                .as_str()
                .strip_prefix("arn:aws:s3:::")?
                .split('/')
                .next()?
                .to_string();
            if b.is_empty() || b.contains(['*', '?']) || found.as_ref().is_some_and(|f| *f != b) {
                return None;
            }
            found = Some(b);
        }
    }
    found
}

/// Frees a large value on another thread: the answer does not wait for
/// the allocator (freeing the model of a 6 MB dump takes as long as
/// answering from it). If the process exits first, the OS frees it.
pub(crate) fn in_background<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new().spawn(move || drop(value));
    // Without a thread (resource limits) the value was dropped here.
    drop(spawned);
}

/// Loads the accounts and policies of the flags into an [`Analysis`];
/// every error of every file is returned.
pub fn load_analysis(args: &AccountArgs) -> Result<Analysis, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut dumps = Vec::new();
    let mut collected_buckets = Vec::new();
    for path in &args.accounts {
        if crate::sources::iam_collect::is_iam_collect(std::path::Path::new(path)) {
            match crate::sources::iam_collect::read(std::path::Path::new(path)) {
                Ok(c) => {
                    dumps.extend(c.accounts);
                    collected_buckets.extend(c.buckets);
                }
                Err(mut d) => errors.append(&mut d),
            }
            continue;
        }
        let loaded = Source::open(path).and_then(|s| {
            let d = s.account_dump(false);
            // The parsed file is large and no longer needed.
            in_background(s);
            d
        });
        match loaded {
            Ok(d) => dumps.push((path.clone(), d)),
            Err(e) => errors.extend(e.diagnostics.into_iter().filter(Diagnostic::is_error)),
        }
    }
    // Bucket policies given by flag take the place of collected ones.
    let mut buckets: Vec<BucketPolicy> = collected_buckets
        .into_iter()
        .map(|(bucket, policy)| BucketPolicy { bucket, policy })
        .collect();
    for item in &args.bucket_policies {
        let (named, path) = match item.split_once('=') {
            Some((b, p)) if !b.is_empty() && !b.contains(['/', ':']) => (Some(b.to_string()), p),
            _ => (None, item.as_str()),
        };
        match access::account::load_policy(path, PolicyType::Resource) {
            Ok(policy) => match named.or_else(|| bucket_of(&policy)) {
                Some(bucket) => {
                    buckets.retain(|b| b.bucket != bucket);
                    buckets.push(BucketPolicy {
                        bucket,
                        policy: NamedPolicy {
                            name: path.to_string(),
                            policy,
                        },
                    });
                }
                None => errors.push(bad(
                    format!("cannot tell which bucket `{path}` belongs to"),
                    "name it: --bucket-policy BUCKET=FILE",
                )),
            },
            Err(mut d) => errors.append(&mut d),
        }
    }
    let mut levels =
        |specs: &[String], layer: PolicyType| -> Vec<Vec<Arc<crate::policy::Policy>>> {
            specs
                .iter()
                .map(|level| {
                    level
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .filter_map(|p| match access::account::load_policy(p, layer) {
                            Ok(p) => Some(p),
                            Err(mut d) => {
                                errors.append(&mut d);
                                None
                            }
                        })
                        .collect()
                })
                .collect()
        };
    let scp_levels = levels(&args.scp, PolicyType::Scp);
    let rcp_levels = levels(&args.rcp, PolicyType::Rcp);
    let vpce: Vec<Arc<crate::policy::Policy>> = args
        .vpce_policies
        .iter()
        .filter_map(
            |p| match access::account::load_policy(p, PolicyType::VpcEndpoint) {
                Ok(p) => Some(p),
                Err(mut d) => {
                    errors.append(&mut d);
                    None
                }
            },
        )
        .collect();
    let access_points: Vec<NamedPolicy> = args
        .access_point
        .policies
        .iter()
        .filter_map(
            |p| match access::account::load_policy(p, PolicyType::AccessPoint) {
                Ok(policy) => Some(NamedPolicy {
                    name: p.clone(),
                    policy,
                }),
                Err(mut d) => {
                    errors.append(&mut d);
                    None
                }
            },
        )
        .collect();
    let access_point = args.access_point.resolve().unwrap_or_else(|e| {
        errors.push(*e);
        None
    });
    if let Some(a) = &args.bucket_account {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(bad(
                format!("--bucket-account `{a}` is not a 12-digit account id"),
                "e.g. --bucket-account 111122223333",
            ));
        }
    }
    let mut request = RequestBuilder::new();
    for c in &args.context {
        request = request.context_entry(c.clone());
    }
    if let Some(t) = &args.at {
        request = request.at(t.clone());
    }
    if let Some(v) = &args.vpce {
        request = request.vpce(v.clone());
    }
    // Checks the context and time once, with a placeholder request.
    if let Err(mut d) = request.build("s3:ListAllMyBuckets", "*") {
        errors.append(&mut d);
    }
    let model = match AccountModel::from_dumps(&dumps) {
        Ok(m) => m,
        Err(mut d) => {
            errors.append(&mut d);
            AccountModel::default()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Analysis {
        model,
        buckets,
        scp_levels,
        rcp_levels,
        vpce,
        access_points,
        options: EvalOptions {
            block_public_access: args.block_public_access.into(),
            access_point,
            ..EvalOptions::default()
        },
        bucket_account: args.bucket_account.clone(),
        request,
    })
}

/// Arguments of `who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The action or an action pattern: s3:DeleteBucket, 's3:Delete*'.
    pub action: String,
    /// The resource ARN or an ARN pattern: arn:aws:s3:::prod, 'arn:aws:s3:::prod*'.
    pub resource: String,
    /// The accounts and the policies around them.
    #[command(flatten)]
    pub account: AccountArgs,
    /// The principals expected to be able to (ARNs, names, `*`, service
    /// names; comma-separated or repeated): exit 1 when anyone else can.
    #[arg(long, value_delimiter = ',', value_name = "PRINCIPAL")]
    pub only: Vec<String>,
    /// A file of expected principals, one per line (`#` comments), as --only.
    #[arg(long = "only-file", value_name = "FILE")]
    pub only_file: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhoCanFormat::Text)]
    pub format: WhoCanFormat,
}

/// Whether a listed principal is one of the expected ones: its ARN (or
/// label: `*`, a service name), or, for a user or role of the data, the
/// name after the last `/`. A bare name never stands for a principal from
/// outside the data: `--only deployer` must not let another account's
/// `role/deployer`, granted by a bucket policy, pass a CI check.
fn expected(only: &[String], e: &access::Entry) -> bool {
    let principal = e.principal.as_str();
    let in_data = matches!(e.kind, access::Kind::User | access::Kind::Role);
    only.iter().any(|o| {
        o == principal
            || (in_data
                && principal
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n == o && principal.contains('/')))
    })
}

/// Runs `who-can`.
pub fn run(args: &WhoCanArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == WhoCanFormat::Json;
    let mut only = args.only.clone();
    if let Some(path) = &args.only_file {
        match std::fs::read_to_string(path) {
            Ok(text) => only.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            ),
            Err(e) => {
                io.diagnostics(
                    &[Diagnostic::error(
                        "READ_ERROR",
                        format!("cannot read `{path}`: {e}"),
                    )],
                    json,
                );
                return EXIT_INVALID;
            }
        }
    }
    let question = match Question::new(&args.action, &args.resource) {
        Ok(q) => q,
        Err(d) => return io.invalid(&d, json),
    };
    let analysis = match load_analysis(&args.account) {
        Ok(a) => a,
        Err(d) => return io.invalid(&d, json),
    };
    let escalation = (!args.account.no_escalation).then(|| Escalation::compute(&analysis));
    let answer = match access::who_can(&analysis, &question, escalation.as_ref()) {
        Ok(a) => a,
        Err(d) => return io.invalid(&d, json),
    };
    let unexpected: Vec<&str> = answer
        .principals
        .iter()
        .filter(|e| !expected(&only, e))
        .map(|e| e.principal.as_str())
        .collect();
    if json {
        let mut v = serde_json::to_value(&answer).unwrap_or_default();
        if !only.is_empty() {
            if let Some(obj) = v.as_object_mut() {
                obj.insert("unexpected".into(), json!(unexpected));
            }
        }
        io.out(&serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        io.out(&text(&answer));
        if !only.is_empty() && !unexpected.is_empty() {
            io.out(&format!(
                "\nnot expected (--only): {}",
                unexpected.join(", ")
            ));
        }
    }
    let code = if !only.is_empty() && !unexpected.is_empty() {
        EXIT_DENIED
    } else {
        EXIT_OK
    };
    in_background((analysis, escalation, answer));
    code
}

fn key_text(k: &access::KeyNote) -> String {
    match &k.value {
        None => format!("{} absent", k.key),
        Some(v) => format!("{}={}", k.key, v.values().join(",")),
    }
}

/// The text answer: counts, then principals grouped by access.
pub fn text(w: &WhoCan) -> String {
    let mut out = String::new();
    let count = |a: Access| w.principals.iter().filter(|e| e.grant.access == a).count();
    out.push_str(&format!(
        "who can {} on {}: {} allowed, {} conditional{} (of {} users and roles)\n",
        w.action,
        w.resource,
        count(Access::Allowed),
        count(Access::Conditional),
        match count(Access::Undecided) {
            0 => String::new(),
            n => format!(", {n} undecided"),
        },
        w.principals_in_data
    ));
    for (access, title) in [
        (Access::Allowed, "allowed (whatever the request context)"),
        (
            Access::Conditional,
            "conditional (only for some values of some keys)",
        ),
        (Access::Undecided, "undecided"),
    ] {
        let entries: Vec<_> = w
            .principals
            .iter()
            .filter(|e| e.grant.access == access)
            .collect();
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title}:\n"));
        for e in entries {
            let kind = match e.kind {
                access::Kind::User => "user",
                access::Kind::Role => "role",
                access::Kind::ExternalAccount => {
                    "any principal of this account whose own policies allow it"
                }
                access::Kind::ExternalPrincipal => {
                    "another account's principal, whose own policies allow it"
                }
                access::Kind::Service => "service",
                access::Kind::Anyone => "anyone, anonymous callers included",
                access::Kind::AnyAuthenticated => {
                    "any authenticated principal of any account whose own policies allow it"
                }
            };
            out.push_str(&format!("  {}  ({kind})\n", e.principal));
            if !e.grant.keys.is_empty() {
                let keys: Vec<String> = e.grant.keys.iter().map(key_text).collect();
                out.push_str(&format!("      when {}\n", keys.join(", ")));
            }
            if let Some(wt) = &e.grant.witness {
                out.push_str(&format!("      e.g. {} on {}\n", wt.action, wt.resource));
            }
            for s in &e.grant.statements {
                let sid = s
                    .sid
                    .as_deref()
                    .map(|x| format!(" Sid {x}"))
                    .unwrap_or_default();
                out.push_str(&format!("      by {}{sid} ({})\n", s.policy, s.position));
            }
            if let Some(n) = &e.grant.note {
                out.push_str(&format!("      {n}\n"));
            }
        }
    }
    if !w.could_gain.is_empty() {
        out.push_str(&format!("\ncould gain it ({}):\n", w.could_gain.len()));
        for g in &w.could_gain {
            out.push_str(&format!("  {}\n", g.path));
        }
    }
    if !w.limited.is_empty() {
        out.push_str(&format!(
            "\ngranted but stopped by another layer ({}):\n",
            w.limited.len()
        ));
        for l in &w.limited {
            let layers: Vec<&str> = l.layers.iter().map(|t| t.as_str()).collect();
            out.push_str(&format!("  {}  ({})\n", l.principal, layers.join(", ")));
        }
    }
    if w.principals.is_empty() {
        out.push_str("\nnobody can.\n");
    }
    out.trim_end().to_string()
}
