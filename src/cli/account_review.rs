//! `s3guard review --account FILE…`: the S3 blast radius of every user and
//! role of the accounts (and of the principals bucket policies name from
//! outside them), one verdict row each (docs/who-can.md).

use super::review::{emit, ReviewArgs, ReviewFormat};
use super::who_can::{in_background, load_analysis, AccountArgs};
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::access::{self, Escalation};
use crate::diagnostic::Diagnostic;
use crate::review::render;

/// The account flags `review` shares with `who-can`, from its own flags;
/// an error names the flags that have no meaning with --account.
fn account_args(args: &ReviewArgs) -> Result<AccountArgs, Box<Diagnostic>> {
    let p = &args.policies;
    let r = &args.request;
    let mut unused: Vec<&str> = Vec::new();
    if !args.files.is_empty() || !p.identity.is_empty() {
        unused.push("POLICY/--policy");
    }
    if !p.boundary.is_empty() {
        unused.push("--boundary");
    }
    if !p.session.is_empty() {
        unused.push("--session-policy");
    }
    if !p.policy_from.is_empty() {
        unused.push("--policy-from");
    }
    if r.principal.is_some() {
        unused.push("--principal");
    }
    if !args.buckets.is_empty() {
        unused.push("--bucket");
    }
    if !unused.is_empty() {
        return Err(Box::new(Diagnostic::error(
            "INVALID_ARGUMENT",
            format!("{} cannot be used with --account", unused.join(", ")),
        )
        .with_hint("--account reviews every user and role of the dump with its own policies; to review one of them: s3guard principal-can ARN --account FILE")));
    }
    Ok(AccountArgs {
        accounts: args.accounts.clone(),
        bucket_policies: p.bucket.clone(),
        bucket_account: r.resource_account.clone(),
        scp: p.scp.clone(),
        rcp: p.rcp.clone(),
        vpce_policies: p.vpce_policies.clone(),
        vpce: r.vpce.clone(),
        block_public_access: p.block_public_access,
        access_point: p.access_point.clone(),
        context: r.context.clone(),
        at: r.at.clone(),
        no_escalation: args.no_escalation,
    })
}

/// Runs `review --account`.
pub fn run(args: &ReviewArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == ReviewFormat::Json;
    let account = match account_args(args) {
        Ok(a) => a,
        Err(d) => {
            io.diagnostics(&[*d], json);
            return EXIT_INVALID;
        }
    };
    if let Some(path) = &args.output {
        if let Err(e) = super::write::check_destination(path, args.force) {
            io.diagnostics(&[e.diagnostic()], json);
            return EXIT_INVALID;
        }
    }
    let analysis = match load_analysis(&account) {
        Ok(a) => a,
        Err(d) => {
            io.diagnostics(&d, json);
            return EXIT_INVALID;
        }
    };
    let escalation = (!account.no_escalation).then(|| Escalation::compute(&analysis));
    let report = match access::account_review(&analysis, escalation.as_ref()) {
        Ok(r) => r,
        Err(d) => {
            io.diagnostics(&d, json);
            return EXIT_INVALID;
        }
    };
    let text = match args.format {
        ReviewFormat::Text => render::account_text(&report),
        ReviewFormat::Markdown => render::account_markdown(&report),
        ReviewFormat::Json => render::account_json(&report),
        ReviewFormat::Html => render::account_html(&report),
    };
    let raw = args.format != ReviewFormat::Text;
    let code = match emit(args.output.as_ref(), args.force, &text, raw, io) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    };
    in_background((analysis, escalation, report));
    code
}
