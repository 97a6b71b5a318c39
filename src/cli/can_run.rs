//! `s3guard can-run "aws s3 …"` and `s3guard can-run --app LIBRARY`: what a
//! high-level AWS CLI command or a Rails upload library asks IAM for, each
//! request evaluated, and the verdict (`docs/can-run.md`).

use crate::cli::args::TextOrJson;
use clap::Args;
use serde_json::json;

use super::args::{PolicyArgs, RequestArgs};
use super::{load, Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::awscli::apps::{self, App, AppReport};
use crate::awscli::outcome::{self, CommandOutcome, CommandStep, Report};
use crate::awscli::{command, requests};
use crate::diagnostic::Diagnostic;
use crate::explain::classify::Access;

/// Arguments of `can-run`.
#[derive(Debug, Args)]
pub struct CanRunArgs {
    /// The command, quoted: "aws s3 rb s3://bucket --force".
    #[arg(required_unless_present = "app", conflicts_with = "app")]
    pub command: Option<String>,
    /// Check a Rails upload library's operations instead of a command.
    #[arg(long, value_enum, requires = "app_bucket")]
    pub app: Option<App>,
    /// The app's bucket (with --app).
    #[arg(long = "bucket", value_name = "BUCKET")]
    pub app_bucket: Option<String>,
    /// The app's keys live under this prefix (with --app; default: the library's own layout).
    #[arg(long, value_name = "PREFIX", requires = "app")]
    pub prefix: Option<String>,
    /// The library is configured public (Active Storage/Shrine `public: true`; CarrierWave `fog_public`, its default).
    #[arg(long, requires = "app", conflicts_with = "private")]
    pub public: bool,
    /// The library is configured private (CarrierWave `fog_public = false`; the default of the others).
    #[arg(long, requires = "app")]
    pub private: bool,
    /// The object keys the command touches, comma-separated, relative to its
    /// S3 prefix (default: a placeholder key standing for every key).
    #[arg(long, value_delimiter = ',', value_name = "KEY,KEY…")]
    pub keys: Vec<String>,
    /// The policies, by layer.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The caller and the request context.
    #[command(flatten)]
    pub request: RequestArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Runs `can-run`.
pub fn run(args: &CanRunArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == TextOrJson::Json;
    if args.policies.is_empty() {
        return io.invalid(&[load::no_policy()], json);
    }
    let parsed = match &args.command {
        Some(text) => match command::parse(text) {
            Ok(c) => Some(c),
            Err(e) => {
                io.diagnostics(
                    &[Diagnostic::error("INVALID_COMMAND", e.message).with_hint(e.hint)],
                    json,
                );
                return EXIT_INVALID;
            }
        },
        None => None,
    };
    let Some(loaded) = io.load_policies(&args.policies, json) else {
        return EXIT_INVALID;
    };
    let mut request_args = args.request.clone();
    if let Some(r) = parsed.as_ref().and_then(|c| c.options.region.clone()) {
        request_args.region.get_or_insert(r);
    }
    let base = match load::build_request("s3:GetObject", "*", &request_args) {
        Ok(r) => r,
        Err(d) => return io.invalid(&d, json),
    };
    if let Some(bad) = args.keys.iter().find(|k| k.is_empty()) {
        let _ = bad;
        io.diagnostics(
            &[
                Diagnostic::error("INVALID_ARGUMENT", "--keys has an empty key")
                    .with_hint("e.g. --keys a.txt,photos/b.jpg"),
            ],
            json,
        );
        return EXIT_INVALID;
    }
    if let Some(app) = args.app {
        let bucket = args.app_bucket.clone().unwrap_or_default();
        let public = if args.public {
            Some(true)
        } else if args.private {
            Some(false)
        } else {
            None
        };
        let report = apps::check(
            &loaded.set,
            &base,
            app,
            &bucket,
            args.prefix.as_deref(),
            public,
        );
        if json {
            io.out_raw(&serde_json::to_string_pretty(&report).unwrap_or_default());
        } else {
            io.out(&render_app(&report));
        }
        return if report.works { EXIT_OK } else { EXIT_DENIED };
    }
    let Some(cmd) = parsed else {
        return EXIT_INVALID;
    };
    let plan = requests::expand(&cmd, &args.keys, request_args.region.as_deref());
    let report = outcome::evaluate(&loaded.set, &base, &plan);
    if json {
        let mut doc = serde_json::to_value(&report).unwrap_or_default();
        if let Some(m) = doc.as_object_mut() {
            m.insert("command".into(), json!(cmd.text));
            m.insert("principal".into(), json!(base.principal.to_string()));
        }
        io.out_raw(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        io.out(&render(&cmd.text, &report));
    }
    if report.outcome == CommandOutcome::Succeeds {
        EXIT_OK
    } else {
        EXIT_DENIED
    }
}

fn headline(s: &CommandStep) -> &'static str {
    s.decision.headline()
}

fn context_text(s: &CommandStep) -> String {
    if s.context.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = s.context.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("  [{}]", parts.join(", "))
}

fn render_step(out: &mut String, label: &str, s: &CommandStep) {
    out.push_str(&format!(
        "  {label} {}  {} on {}{}{}\n",
        s.api_call,
        s.action,
        s.resource,
        context_text(s),
        if s.caller == crate::awscli::requests::Caller::Anonymous {
            "  (anonymous)"
        } else {
            ""
        }
    ));
    let cond = if s.grant == Access::Conditional {
        format!(" (conditional: {})", s.condition_keys.join(", "))
    } else {
        String::new()
    };
    let reached = if s.reached { "" } else { " — not reached" };
    let effect = if s.decision.is_allowed() {
        s.effect_if_allowed.clone()
    } else {
        format!("would have: {}", s.effect_if_allowed)
    };
    out.push_str(&format!(
        "       {}{cond}{reached}: {effect}\n",
        headline(s)
    ));
    if !s.reason.is_empty() {
        out.push_str(&format!("         {}\n", s.reason));
    }
    for n in &s.notes {
        out.push_str(&format!("         note: {n}\n"));
    }
}

/// The text answer for a command.
pub fn render(command: &str, r: &Report) -> String {
    let mut out = format!("{}: {command}\n", r.outcome.headline());
    let failed = r
        .failed_at
        .and_then(|n| r.steps.iter().find(|s| s.step == n));
    match (r.outcome, failed) {
        (CommandOutcome::Succeeds, _) => out.push_str("  every request it makes is allowed\n"),
        (_, Some(f)) => {
            if let Some(c) = &r.consequence {
                out.push_str(&format!("  {c}\n"));
            }
            if !r.done_before_failure.is_empty() {
                out.push_str("  done before the failure (not undone):\n");
                for d in &r.done_before_failure {
                    out.push_str(&format!("    - {d}\n"));
                }
            } else {
                out.push_str("  nothing in S3 changes before the failure\n");
            }
            out.push_str(&format!(
                "  fails at step {}: {} on {} is denied ({})\n",
                f.step, f.action, f.resource, f.reason
            ));
        }
        (_, None) => {}
    }
    if r.steps.is_empty() {
        out.push_str("\nno request is made\n");
    } else {
        out.push_str("\nsteps:\n");
        for s in &r.steps {
            render_step(&mut out, &format!("{}.", s.step), s);
        }
    }
    if !r.optional_steps.is_empty() {
        out.push_str("\nalso needed in some cases (do not change the verdict):\n");
        for s in &r.optional_steps {
            render_step(&mut out, &format!("o{}.", s.step), s);
            if let Some(w) = &s.optional {
                out.push_str(&format!("         when: {w}\n"));
            }
        }
    }
    if !r.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &r.notes {
            out.push_str(&format!("  - {n}\n"));
        }
    }
    out.trim_end().to_string()
}

/// The text answer for an app profile.
pub fn render_app(r: &AppReport) -> String {
    let mut out = format!(
        "{}: {} on bucket {}{}\n",
        if r.works { "WORKS" } else { "FAILS" },
        r.library,
        r.bucket,
        if r.public { " (public)" } else { "" }
    );
    let failing: Vec<&str> = r
        .operations
        .iter()
        .filter(|o| !o.works && o.required)
        .map(|o| o.name.as_str())
        .collect();
    if failing.is_empty() {
        out.push_str("  every operation the library performs is allowed\n");
    } else {
        out.push_str(&format!("  failing: {}\n", failing.join(", ")));
    }
    let mut optional_denied: Vec<&str> = Vec::new();
    for o in &r.operations {
        for s in &o.steps {
            if s.optional.is_some()
                && !s.decision.is_allowed()
                && !optional_denied.contains(&s.action.as_str())
            {
                optional_denied.push(&s.action);
            }
        }
    }
    if !optional_denied.is_empty() {
        out.push_str(&format!(
            "  denied in some cases only: {} (see the operations below)\n",
            optional_denied.join(", ")
        ));
    }
    out.push_str("\noperations:\n");
    for o in &r.operations {
        let mark = match (o.works, o.required) {
            (true, _) => "ok  ",
            (false, true) => "FAIL",
            (false, false) => "--  ",
        };
        out.push_str(&format!("  {mark} {}\n", o.name));
        for s in &o.steps {
            let cond = if s.grant == Access::Conditional {
                " (conditional)"
            } else {
                ""
            };
            let when = s
                .optional
                .as_ref()
                .map(|w| format!(" — optional: {w}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "         {} {} on {}{}{}{}\n",
                headline(s),
                s.action,
                s.resource,
                context_text(s),
                cond,
                when
            ));
            if !s.decision.is_allowed() && !s.reason.is_empty() {
                out.push_str(&format!("           {}\n", s.reason));
            }
        }
        if let Some(n) = &o.note {
            out.push_str(&format!("       note: {n}\n"));
        }
    }
    out.push_str(&format!(
        "\nneeded by {}: {}\n",
        r.library,
        r.needed.join(", ")
    ));
    if r.excess.is_empty() {
        out.push_str("excess: none — the policy grants nothing beyond what the library needs\n");
    } else {
        out.push_str(&format!(
            "excess ({} grants beyond what {} needs, destructive first):\n",
            r.excess.len(),
            r.library
        ));
        for e in &r.excess {
            let mark = e
                .destructive
                .as_ref()
                .map(|d| format!("  ! {}", d.label()))
                .unwrap_or_default();
            out.push_str(&format!("  {} on {}{mark}\n", e.action, e.scope));
        }
    }
    if !r.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &r.notes {
            out.push_str(&format!("  - {n}\n"));
        }
    }
    out.trim_end().to_string()
}
