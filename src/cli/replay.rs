//! `s3guard replay FILE`: CloudTrail records evaluated under policies — how
//! many would be allowed or denied, each denied one with its reason, and
//! (`--suggest`) the smallest identity policy allowing them all.

use crate::cli::args::TextOrJson;
use std::sync::Arc;

use clap::Args;
use serde_json::json;

use super::args::PolicyArgs;
use super::{load, Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::cloudtrail::{events as cloudtrail, replay, suggest};
use crate::diagnostic::Diagnostic;
use crate::eval::policy_set::PolicySet;
use crate::json::SourceFile;

/// Arguments of `replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// CloudTrail records: {"Records": [...]}, one event per line, or
    /// `aws cloudtrail lookup-events` output (`-` reads stdin).
    pub file: String,
    /// The policies, by layer.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Replay only the events of this caller (ARN, role ARN or role name).
    #[arg(long, value_name = "PRINCIPAL")]
    pub only: Option<String>,
    /// Print the smallest identity policy (actions per bucket / prefix) allowing every replayed request.
    #[arg(long)]
    pub suggest: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Runs `replay`.
pub fn run(args: &ReplayArgs, io: &mut Io<'_>) -> i32 {
    let json_out = args.format == TextOrJson::Json;
    if args.policies.is_empty() && !args.suggest {
        io.diagnostics(
            &[
                Diagnostic::error("INVALID_ARGUMENT", "no policy given").with_hint(
                    "pass --policy FILE to replay under it, and/or --suggest to get a policy",
                ),
            ],
            json_out,
        );
        return EXIT_INVALID;
    }
    let set = if args.policies.is_empty() {
        PolicySet::default()
    } else {
        match load::load_policies(&args.policies) {
            Ok(l) => {
                io.diagnostics(&l.warnings, json_out);
                l.set
            }
            Err(d) => return io.invalid(&d, json_out),
        }
    };
    let file = match SourceFile::read_as(&args.file, crate::json::InputKind::CloudTrail) {
        Ok(f) => Arc::new(f),
        Err(d) => return io.invalid(&[*d], json_out),
    };
    let events = match cloudtrail::read(&file) {
        Ok(e) => e,
        Err(d) => return io.invalid(&d, json_out),
    };
    let result = replay::replay(&set, &events, args.only.as_deref());
    let suggestion = args
        .suggest
        .then(|| suggest::suggest(&result.signed_requests));
    let evaluated = !args.policies.is_empty();
    let names: Vec<String> = set
        .members()
        .iter()
        .map(|m| m.policy.name.clone())
        .collect();
    if json_out {
        let mut doc = serde_json::to_value(&result).unwrap_or_default();
        if let Some(m) = doc.as_object_mut() {
            m.insert("file".into(), json!(file.name()));
            m.insert("policies".into(), json!(names));
            if !evaluated {
                for k in ["allowed", "denied", "conditional", "denied_groups"] {
                    m.remove(k);
                }
            }
            if let Some(s) = &suggestion {
                m.insert("suggested_policy".into(), s.to_json());
            }
        }
        io.out_raw(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        io.out(&render(
            file.name(),
            &names,
            &result,
            evaluated,
            suggestion.as_ref(),
        ));
    }
    if evaluated && result.denied > 0 {
        EXIT_DENIED
    } else {
        EXIT_OK
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn render(
    file: &str,
    names: &[String],
    r: &replay::Replay,
    evaluated: bool,
    suggestion: Option<&suggest::Suggested>,
) -> String {
    let mut out = String::new();
    let skipped: usize = r.not_evaluated.iter().map(|g| g.events.len()).sum();
    if evaluated {
        out.push_str(&format!(
            "replayed {} of {} from {file} under {}\n",
            r.evaluated_events,
            plural(r.events, "event"),
            names.join(" + ")
        ));
        out.push_str(&format!(
            "  {}: {} allowed, {} denied{}\n",
            plural(r.requests, "request"),
            r.allowed,
            r.denied,
            if skipped > 0 {
                format!("; {} not evaluated", plural(skipped, "event"))
            } else {
                String::new()
            }
        ));
        if r.denied_groups.is_empty() {
            out.push_str("  nothing the recorded callers did would be denied\n");
        } else {
            out.push_str(&format!(
                "\ndenied ({}, {}):\n",
                plural(r.denied, "request"),
                plural(r.denied_groups.len(), "group")
            ));
            for g in &r.denied_groups {
                let head = if g.decision == "explicitDeny" {
                    "DENY (explicit)"
                } else {
                    "DENY (implicit)"
                };
                out.push_str(&format!(
                    "  {} × {} — {head}: {}\n",
                    g.count, g.action, g.reason
                ));
                out.push_str(&format!("      on {}\n", g.resources.join(", ")));
                for e in &g.events {
                    let rec = e
                        .recorded_error
                        .as_ref()
                        .map(|x| format!(" [recorded: {x}]"))
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "      line {}: {} {} by {}{rec}\n",
                        e.line, e.event_time, e.event_name, e.caller
                    ));
                }
            }
        }
    } else {
        out.push_str(&format!(
            "read {} from {file}: {} replayed, {} to cover\n",
            plural(r.events, "event"),
            r.evaluated_events,
            plural(r.requests, "request")
        ));
    }
    if !r.not_evaluated.is_empty() {
        out.push_str(&format!(
            "\nnot evaluated ({}):\n",
            plural(skipped, "event")
        ));
        for g in &r.not_evaluated {
            out.push_str(&format!(
                "  {} — {}\n",
                plural(g.events.len(), "event"),
                g.reason
            ));
            for e in &g.events {
                out.push_str(&format!(
                    "      line {}: {} {} by {}\n",
                    e.line, e.event_time, e.event_name, e.caller
                ));
            }
        }
    }
    if !r.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &r.notes {
            out.push_str(&format!("  - {n}\n"));
        }
    }
    if let Some(s) = suggestion {
        out.push_str("\nsuggested identity policy (allows every replayed request of a signed caller; anonymous ones need a bucket policy):\n");
        out.push_str(&s.to_text());
        out.push('\n');
    }
    out.trim_end().to_string()
}
