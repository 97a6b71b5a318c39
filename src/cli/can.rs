//! `s3guard can ACTION RESOURCE`: one question, AWS's answer, the reason.

use clap::{Args, ValueEnum};

use super::args::{PolicyArgs, RequestArgs};
use super::{load, Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::eval::response::Decision;
use crate::render::json as output;
use crate::render::text::render_text;

/// Output formats of `can`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CanFormat {
    /// For people.
    Text,
    /// AWS simulator shape plus s3guard's fields.
    Json,
    /// Exactly the AWS simulator's fields (`aws iam simulate-custom-policy`).
    Aws,
}

/// Arguments of `can`.
#[derive(Debug, Args)]
pub struct CanArgs {
    /// The IAM action, e.g. s3:DeleteBucket.
    pub action: String,
    /// The resource ARN, e.g. arn:aws:s3:::prod or arn:aws:s3:::prod/key (`*` for s3:ListAllMyBuckets).
    pub resource: String,
    /// The policies, by layer.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The caller and the request context.
    #[command(flatten)]
    pub request: RequestArgs,
    /// Explain every statement: which element matched, or why not.
    #[arg(long)]
    pub explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CanFormat::Text)]
    pub format: CanFormat,
}

/// Runs `can`.
pub fn run(args: &CanArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format != CanFormat::Text;
    if args.policies.is_empty() {
        return io.invalid(&[load::no_policy()], json);
    }
    let Some(loaded) = io.load_policies(&args.policies, json) else {
        return EXIT_INVALID;
    };
    let req =
        match load::build_request_under(&loaded.set, &args.action, &args.resource, &args.request) {
            Ok(r) => r,
            Err(diags) => return io.invalid(&diags, json),
        };
    let set = &loaded.set;
    let eval = set.evaluate(&req);
    let mut warnings = crate::catalog::request_warnings(&req.action, &req.resource);
    warnings.extend(eval.condition_errors.iter().cloned());
    match args.format {
        CanFormat::Text => {
            io.out(&render_text(set, &req, &eval, args.explain));
            for w in &warnings {
                io.err(&format!("warning: {w}"));
            }
        }
        CanFormat::Json | CanFormat::Aws => {
            let mut doc = output::simulation(set, &req, &eval, args.format == CanFormat::Aws);
            if args.format == CanFormat::Json {
                if let Some(s) = doc
                    .get_mut("EvaluationResults")
                    .and_then(|r| r.get_mut(0))
                    .and_then(|r| r.get_mut("s3guard"))
                    .and_then(|r| r.as_object_mut())
                {
                    s.insert("warnings".into(), serde_json::json!(warnings));
                }
            }
            io.out_raw(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    if eval.response.decision == Decision::Allowed {
        EXIT_OK
    } else {
        EXIT_DENIED
    }
}
