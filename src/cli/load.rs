//! Turning command-line arguments into a policy set and a request, with
//! every problem reported at its place.

use std::sync::Arc;

use super::args::{NotPrincipalArg, PolicyArgs, RequestArgs};
use crate::condition::date;
use crate::context::{ContextValue, Origin};
use crate::diagnostic::Diagnostic;
use crate::json::{self, SourceFile};
use crate::policy::{LoadOptions, Policy, PolicyType};
use crate::policy_set::{EvalOptions, NotPrincipalMode, PolicySet};
use crate::request::{Principal, Request};

/// Policies loaded from the command line, with the warnings found.
pub struct Loaded {
    /// The compiled set.
    pub set: PolicySet,
    /// Warnings and suggestions of all files.
    pub warnings: Vec<Diagnostic>,
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
                    };
                }
            }
            Err(mut d) => errors.append(&mut d),
        }
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
            block_public_access: args.block_public_access,
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

fn bad(message: String, hint: &str) -> Diagnostic {
    Diagnostic::error("INVALID_ARGUMENT", message).with_hint(hint)
}

/// Builds the request of `can` and similar commands: parses the principal,
/// fills in what AWS derives and the defaults (unless `--no-defaults`),
/// adds `--context`, `--context-file` and `--principal-tag` values.
pub fn build_request(
    action: &str,
    resource: &str,
    args: &RequestArgs,
) -> Result<Request, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut req = match Request::new(action, resource) {
        Ok(r) => r,
        Err(e) => {
            errors.push(bad(e.to_string(), match e {
                crate::request::RequestError::Action(_) => "write the action as service:Name, e.g. s3:GetObject",
                _ => "S3 resources look like arn:aws:s3:::bucket or arn:aws:s3:::bucket/key; use * for actions such as s3:ListAllMyBuckets",
            }));
            return Err(errors);
        }
    };
    if let Some(p) = &args.principal {
        match Principal::parse(p) {
            Ok(p) => req.principal = p,
            Err(e) => errors.push(bad(
                e.to_string(),
                "e.g. --principal arn:aws:iam::111122223333:user/app",
            )),
        }
    }
    if let Some(a) = &args.resource_account {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(bad(
                format!("--resource-account `{a}` is not a 12-digit account id"),
                "e.g. --resource-account 111122223333",
            ));
        } else {
            req.resource_account = Some(a.clone());
        }
    }
    for file in &args.context_files {
        if let Err(mut d) = read_context_file(file, &mut req) {
            errors.append(&mut d);
        }
    }
    for item in &args.context {
        match item.split_once('=') {
            Some((k, v)) if !k.is_empty() => req.context.push(k, v.to_string(), Origin::Given),
            _ => errors.push(bad(
                format!("--context `{item}` is not KEY=VALUE"),
                "e.g. --context aws:SourceIp=203.0.113.5",
            )),
        }
    }
    if let Some(v) = &args.vpce {
        req.context.set("aws:SourceVpce", v.as_str(), Origin::Given);
    }
    for item in &args.principal_tags {
        match item.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                req.context
                    .set(&format!("aws:PrincipalTag/{k}"), v, Origin::Given)
            }
            _ => errors.push(bad(
                format!("--principal-tag `{item}` is not KEY=VALUE"),
                "e.g. --principal-tag team=web",
            )),
        }
    }
    let instant = match request_time(args) {
        Ok(i) => i,
        Err(d) => {
            errors.push(*d);
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    if !args.no_defaults {
        apply_defaults(&mut req, instant, args);
    }
    Ok(req)
}

/// The current time.
pub(crate) fn now() -> date::Instant {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i128::from(d.as_secs()) * 1_000_000_000)
        .unwrap_or(0)
}

/// The time of `--at`, if given.
pub(crate) fn request_time(args: &RequestArgs) -> Result<Option<date::Instant>, Box<Diagnostic>> {
    match &args.at {
        Some(t) => match date::parse(t) {
            Some(i) if date::is_formattable(i) => Ok(Some(i)),
            Some(_) => Err(Box::new(bad(
                format!("--at `{t}` is outside the years 0000 to 9999"),
                "aws:CurrentTime is an ISO 8601 date with a four-digit year; use a time in that range",
            ))),
            None => Err(Box::new(bad(
                format!("--at `{t}` is not a date"),
                "use ISO 8601 (2025-01-31T12:00:00Z) or epoch seconds",
            ))),
        },
        None => Ok(None),
    }
}

/// Fills in what AWS derives from the caller and the defaults of `can`
/// (secure transport, the time, the resource account), leaving given keys.
pub(crate) fn apply_defaults(req: &mut Request, at: Option<date::Instant>, args: &RequestArgs) {
    req.principal.clone().derive_context(&mut req.context);
    let ctx = &mut req.context;
    let single = |s: String| ContextValue::Single(s);
    ctx.set_default(
        "aws:SecureTransport",
        single("true".into()),
        Origin::Default,
    );
    let (instant, origin) = match at {
        Some(i) => (i, Origin::Given),
        None => (now(), Origin::Default),
    };
    ctx.set_default(
        "aws:CurrentTime",
        single(date::format(instant)),
        origin.clone(),
    );
    ctx.set_default(
        "aws:EpochTime",
        single(instant.div_euclid(1_000_000_000).to_string()),
        origin,
    );
    if req.principal.is_iam() {
        ctx.set_default("aws:ViaAWSService", single("false".into()), Origin::Default);
    }
    if let Some(r) = &args.region {
        ctx.set_default("aws:RequestedRegion", single(r.clone()), Origin::Given);
    }
    let account = req
        .resource_account
        .clone()
        .or_else(|| req.principal.account().map(str::to_string));
    if let Some(acct) = account {
        req.context
            .set_default("aws:ResourceAccount", single(acct.clone()), Origin::Derived);
        if req.action.service() == "s3" {
            req.context
                .set_default("s3:ResourceAccount", single(acct), Origin::Derived);
        }
    }
}

fn read_context_file(path: &str, req: &mut Request) -> Result<(), Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::read(path).map_err(|d| vec![*d])?);
    let parsed = json::parse(file.text()).map_err(|e| {
        vec![Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
            .in_file(file.name())
            .at(file.location(u32::try_from(e.offset).unwrap_or(u32::MAX)))]
    })?;
    let mut errors: Vec<Diagnostic> = parsed
        .duplicates
        .iter()
        .map(|d| {
            Diagnostic::error(
                "JSON_SYNTAX_ERROR",
                format!("duplicate context key `{}`", d.key),
            )
            .in_file(file.name())
            .at(file.location(d.second.start))
            .with_pointer(json::pointer::join(&d.object_pointer, &d.key))
        })
        .collect();
    let Some(members) = parsed.value.as_object() else {
        return Err(vec![Diagnostic::error(
            "INVALID_CONTEXT",
            format!(
                "a context file must be a JSON object, found {}",
                parsed.value.type_name()
            ),
        )
        .in_file(file.name())
        .at(file.location(parsed.value.span.start))
        .with_hint(
            "write {\"aws:SourceIp\": \"203.0.113.5\", \"aws:TagKeys\": [\"a\", \"b\"]}",
        )]);
    };
    let mut values = Vec::with_capacity(members.len());
    for m in members {
        match crate::cases::context_value(&m.value) {
            Some(v) => values.push((m.key.clone(), v, Origin::Given)),
            None => errors.push(
                Diagnostic::error(
                    "INVALID_CONTEXT",
                    format!(
                        "value of `{}` must be a string, number, boolean or an array of them",
                        m.key
                    ),
                )
                .in_file(file.name())
                .at(file.location(m.value.span.start))
                .with_pointer(json::pointer::join("", &m.key)),
            ),
        }
    }
    req.context.extend(values);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
