//! Turning command-line arguments into a policy set and a request, with
//! every problem reported at its place.

use super::args::{NotPrincipalArg, PolicyArgs, RequestArgs};
use crate::diagnostic::Diagnostic;
use crate::eval::policy_set::{EvalOptions, NotPrincipalMode, PolicySet};
use crate::eval::s3_settings::Spelling;
use crate::policy::{LoadOptions, Policy, PolicyType};
use crate::request::Request;

/// Policies loaded from the command line, with the warnings found.
pub struct Loaded {
    /// The compiled set.
    pub set: PolicySet,
    /// Warnings and suggestions of all files.
    pub warnings: Vec<Diagnostic>,
}

/// The error of a command that needs a policy and was given none.
pub fn no_policy() -> Diagnostic {
    Diagnostic::error("INVALID_ARGUMENT", "no policy given")
        .with_hint("pass --policy FILE (identity policy) and/or --bucket-policy FILE")
}

/// Loads one policy file as a type.
pub fn load_one(path: &str, t: PolicyType, args: &PolicyArgs) -> Result<Policy, Vec<Diagnostic>> {
    Policy::load_file(
        path,
        LoadOptions {
            policy_type: t,
            strict: args.strict,
            lenient: args.lenient,
        },
    )
    .map_err(|e| e.diagnostics)
}

/// Loads every policy of the arguments; all errors of all files are returned together.
pub fn load_policies(args: &PolicyArgs) -> Result<Loaded, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let stdin_uses = [
        &args.identity,
        &args.bucket,
        &args.boundary,
        &args.session,
        &args.vpce_policies,
        &args.access_point.policies,
        &args.policy_from,
    ]
    .iter()
    .flat_map(|v| v.iter().map(String::as_str))
    .chain(
        args.scp
            .iter()
            .chain(args.rcp.iter())
            .flat_map(|l| l.split(',')),
    )
    .filter(|p| *p == "-")
    .count();
    if stdin_uses > 1 {
        errors.push(Diagnostic::error(
            "INVALID_ARGUMENT",
            "only one policy can be read from stdin (`-`)",
        ));
        return Err(errors);
    }
    let mut seen: Vec<(PolicyType, std::path::PathBuf)> = Vec::new();
    let mut load = |path: &str, t: PolicyType| -> Option<Policy> {
        // the same file twice in one layer is one policy: evaluated and
        // shown once (SCP and RCP levels may repeat a file on purpose)
        if path != "-" && !matches!(t, PolicyType::Scp | PolicyType::Rcp) {
            if let Ok(canonical) = std::fs::canonicalize(path) {
                if seen.iter().any(|(st, sp)| *st == t && *sp == canonical) {
                    warnings.push(
                        Diagnostic::warning(
                            "DUPLICATE_POLICY_FILE",
                            format!(
                                "`{path}` is given twice (as the same {}): it is read once",
                                t.describe()
                            ),
                        )
                        .in_file(path),
                    );
                    return None;
                }
                seen.push((t, canonical));
            }
        }
        match load_one(path, t, args) {
            Ok(p) => {
                warnings.extend(p.skipped.iter().cloned().map(|mut d| {
                    d.severity = crate::diagnostic::Severity::Warning;
                    d.message = format!("{} (statement skipped: --lenient)", d.message);
                    d
                }));
                warnings.extend(p.warnings.iter().cloned());
                Some(p)
            }
            Err(diags) => {
                errors.extend(diags);
                None
            }
        }
    };
    let mut b = PolicySet::builder();
    for path in &args.identity {
        if let Some(p) = load(path, PolicyType::Identity) {
            b = b.identity(p);
        }
    }
    for path in &args.bucket {
        if let Some(p) = load(path, PolicyType::Resource) {
            b = b.resource(p);
        }
    }
    for path in &args.boundary {
        if let Some(p) = load(path, PolicyType::Boundary) {
            b = b.boundary(p);
        }
    }
    for path in &args.session {
        if let Some(p) = load(path, PolicyType::Session) {
            b = b.session(p);
        }
    }
    for path in &args.vpce_policies {
        if let Some(p) = load(path, PolicyType::VpcEndpoint) {
            b = b.vpc_endpoint(p);
        }
    }
    for path in &args.access_point.policies {
        if let Some(p) = load(path, PolicyType::AccessPoint) {
            b = b.access_point(p);
        }
    }
    for level in &args.scp {
        let policies: Vec<Policy> = level
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(|path| load(path, PolicyType::Scp))
            .collect();
        b = b.scp_level(policies);
    }
    for level in &args.rcp {
        let policies: Vec<Policy> = level
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(|path| load(path, PolicyType::Rcp))
            .collect();
        b = b.rcp_level(policies);
    }
    if let Some(path) = &args.new_bucket_policy {
        if let Some(p) = load(path, PolicyType::Resource) {
            b = b.new_bucket_policy(p);
        }
    }
    if !args.policy_from.is_empty() {
        match super::from::load_sources(args) {
            Ok(selected) => {
                for s in selected {
                    warnings.extend(s.policy.warnings.iter().cloned());
                    b = match s.layer {
                        PolicyType::Scp | PolicyType::Rcp => b.policy(s.policy),
                        PolicyType::Identity => b.identity(s.policy),
                        PolicyType::Resource => b.resource(s.policy),
                        PolicyType::Boundary => b.boundary(s.policy),
                        PolicyType::Session => b.session(s.policy),
                        PolicyType::VpcEndpoint => b.vpc_endpoint(s.policy),
                        PolicyType::AccessPoint => b.access_point(s.policy),
                    };
                }
            }
            Err(mut d) => errors.append(&mut d),
        }
    }
    // S3's own settings: the library's one reader of them (the Python
    // `PolicySet` calls it too)
    let mut options = EvalOptions::default();
    if let Err(mut d) = args.s3_settings().apply(&mut options, Spelling::Flags) {
        errors.append(&mut d);
    }
    let mut canonical_ids = Vec::new();
    for item in &args.canonical_ids {
        match item.split_once('=') {
            Some((id, target))
                if !id.is_empty()
                    && ((target.len() == 12 && target.bytes().all(|b| b.is_ascii_digit()))
                        || crate::policy::oai_id(target).is_some()) =>
            {
                canonical_ids.push((id.to_string(), target.to_string()))
            }
            _ => errors.push(
                Diagnostic::error(
                    "INVALID_ARGUMENT",
                    format!("--canonical-id `{item}` is not ID=ACCOUNT or ID=OAI_ARN"),
                )
                .with_hint("e.g. --canonical-id 79a59df9…=111122223333, or --canonical-id b970b423…='arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E74FTE3AEXAMPLE'"),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let set = b
        .options(EvalOptions {
            not_principal: match args.not_principal {
                NotPrincipalArg::Strict => NotPrincipalMode::Strict,
                NotPrincipalArg::Lenient => NotPrincipalMode::Lenient,
            },
            principal_in_management_account: args.management_account,
            resource_in_management_account: args.resource_in_management_account,
            canonical_ids,
            ..options
        })
        .build();
    if !args.scp.is_empty() {
        for (level, _) in args.scp.iter().enumerate() {
            let allows = set.members().iter().any(|m| {
                m.layer == PolicyType::Scp
                    && m.level == level
                    && m.policy
                        .statements
                        .iter()
                        .any(|s| s.effect == crate::policy::Effect::Allow)
            });
            if !allows {
                warnings.push(Diagnostic::warning(
                    "SCP_LEVEL_WITHOUT_ALLOW",
                    format!("SCP level {} has no Allow statement: it blocks every request (did you forget FullAWSAccess?)", level + 1),
                ));
            }
        }
    }
    Ok(Loaded { set, warnings })
}

/// Builds the request of `can` and similar commands from the flags (see
/// [`RequestBuilder`](crate::request::builder::RequestBuilder)).
pub fn build_request(
    action: &str,
    resource: &str,
    args: &RequestArgs,
) -> Result<Request, Vec<Diagnostic>> {
    args.builder().build(action, resource)
}

/// Builds the request of `can` under a loaded set: as [`build_request`],
/// with the condition keys of the ACL the request carries
/// (`--object-acl` on PutObject and PutObjectAcl, `--bucket-acl` on
/// PutBucketAcl and CreateBucket).
pub fn build_request_under(
    set: &PolicySet,
    action: &str,
    resource: &str,
    args: &RequestArgs,
) -> Result<Request, Vec<Diagnostic>> {
    let opts = set.options();
    args.builder()
        .acls(opts.object_acl.clone(), opts.bucket_acl.clone())
        .build(action, resource)
}
