//! `s3guard principal-can PRINCIPAL --account FILE…`: the S3 access of one
//! user or role of the data, as `review` shows a policy set's, over every
//! bucket the data and the bucket policies name, and whether it can
//! escalate (docs/who-can.md).

use clap::Args;
use serde_json::json;

use super::review::ReviewFormat;
use super::who_can::{load_analysis, AccountArgs};
use super::{Io, EXIT_OK};
use crate::access::{self, Escalation};
use crate::review::render;

/// Arguments of `principal-can`.
#[derive(Debug, Args)]
pub struct PrincipalCanArgs {
    /// The user or role ARN.
    pub principal: String,
    /// The accounts and the policies around them.
    #[command(flatten)]
    pub account: AccountArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
    pub format: ReviewFormat,
}

/// The minimal policy section (text or Markdown).
fn minimal_text(m: &access::MinimalPolicy, format: ReviewFormat) -> String {
    let mut out = String::new();
    let policy = m.to_text();
    if format == ReviewFormat::Markdown {
        out.push_str("\n## Minimal policy\n\nGrants exactly the access above (conditional grants are listed below it, not granted):\n\n```json\n");
        out.push_str(&policy);
        out.push_str("\n```\n");
    } else {
        out.push_str("\nminimal policy (grants exactly the access above; conditional grants are listed below it, not granted):\n");
        out.push_str(&policy);
        out.push('\n');
    }
    if !m.conditional.is_empty() {
        out.push_str(&format!(
            "\nconditional grants, not in the policy ({}):\n",
            m.conditional.len()
        ));
        for c in &m.conditional {
            let line = format!("{} on {}: {}", c.action, c.resource, c.conditions);
            if format == ReviewFormat::Markdown {
                out.push_str(&format!("- {}\n", crate::render::escape::markdown(&line)));
            } else {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    out.trim_end().to_string()
}

/// Runs `principal-can`.
pub fn run(args: &PrincipalCanArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == ReviewFormat::Json;
    let analysis = match load_analysis(&args.account) {
        Ok(a) => a,
        Err(d) => return io.invalid(&d, json),
    };
    let escalation = (!args.account.no_escalation).then(|| Escalation::compute(&analysis));
    let answer = match access::principal_can(&analysis, &args.principal, escalation.as_ref()) {
        Ok(a) => a,
        Err(d) => return io.invalid(&d, json),
    };
    let esc_text = answer.escalation.as_ref().map(|p| p.to_string());
    match args.format {
        ReviewFormat::Json => {
            let review: serde_json::Value =
                serde_json::from_str(&render::json(&answer.review)).unwrap_or_default();
            let v = json!({
                "principal": answer.principal,
                "escalation": answer.escalation,
                "review": review,
                "minimalPolicy": answer.minimal.to_json(),
                "conditionalGrants": answer.minimal.conditional,
            });
            io.out(&serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ReviewFormat::Text | ReviewFormat::Markdown | ReviewFormat::Html => {
            let body = match args.format {
                ReviewFormat::Markdown => render::markdown(&answer.review),
                ReviewFormat::Html => render::html(&answer.review),
                _ => render::text(&answer.review),
            };
            if args.format != ReviewFormat::Html {
                io.out(&format!("principal: {}", answer.principal));
                match &esc_text {
                    Some(p) => io.out(&format!("ESCALATION: {p} (it can rewrite its permissions: anything the guardrails allow)")),
                    None => io.out("escalation: none found (no IAM policy rewrite reachable)"),
                }
                io.out("");
            }
            io.out(body.trim_end());
            if args.format != ReviewFormat::Html {
                io.out(&minimal_text(&answer.minimal, args.format));
            }
        }
    }
    EXIT_OK
}
