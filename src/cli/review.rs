//! `s3guard review POLICY...`: everything the policies grant over the S3
//! catalog, with a verdict in plain words.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::{PolicyArgs, RequestArgs};
use super::{load, Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostic::Diagnostic;
use crate::request::Request;
use crate::review::{render, Review};

/// Output formats of `review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// For people, in a terminal.
    Text,
    /// To paste in a pull request.
    Markdown,
    /// For programs (stable fields).
    Json,
    /// One self-contained page with the matrix as a colour-coded table.
    Html,
}

/// Arguments of `review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Identity policies to review (as --policy).
    #[arg(value_name = "POLICY")]
    pub files: Vec<String>,
    /// The policies, by layer.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The caller and the request context (context keys you give are
    /// facts; every other key is unknown and makes access conditional).
    #[command(flatten)]
    pub request: RequestArgs,
    /// A bucket to review besides those the policies name (repeatable).
    #[arg(long = "bucket", value_name = "NAME")]
    pub buckets: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
    pub format: ReviewFormat,
    /// Write the report to FILE instead of stdout (refused if FILE exists,
    /// unless --force).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace --output if it exists (a symbolic link there is replaced,
    /// never followed).
    #[arg(long)]
    pub force: bool,
    /// Review every user and role of these accounts (`aws iam
    /// get-account-authorization-details` output, repeatable): the S3
    /// blast radius, one verdict row per principal (docs/who-can.md).
    #[arg(long = "account", value_name = "FILE")]
    pub accounts: Vec<String>,
    /// With --account: do not look for escalation paths.
    #[arg(long, requires = "accounts")]
    pub no_escalation: bool,
}

/// Checks `--bucket` values: bucket names, or bucket-name patterns with `*`/`?`.
pub(crate) fn check_buckets(buckets: &[String]) -> Vec<Diagnostic> {
    buckets
        .iter()
        .filter(|b| b.is_empty() || b.contains(['/', ':']) || b.chars().any(char::is_whitespace))
        .map(|b| {
            Diagnostic::error(
                "INVALID_ARGUMENT",
                format!("--bucket `{b}` is not a bucket name"),
            )
            .with_hint("give the name only, e.g. --bucket prod-logs (not an ARN, no key)")
        })
        .collect()
}

/// The caller and context of a review: the request arguments applied to a
/// placeholder request (each cell replaces its action and resource).
pub(crate) fn base_request(args: &RequestArgs) -> Result<Request, Vec<Diagnostic>> {
    load::build_request("s3:ListAllMyBuckets", "*", args)
}

/// Writes the rendered report to `--output` (see [`write`](super::write))
/// or stdout; `raw` for formats with their own escaping (all but text).
pub(crate) fn emit(
    output: Option<&PathBuf>,
    force: bool,
    text: &str,
    raw: bool,
    io: &mut Io<'_>,
) -> Result<(), i32> {
    match output {
        Some(path) => {
            let body = format!("{}\n", text.trim_end());
            let body = if raw {
                body
            } else {
                crate::render::escape::lines(&body).into_owned()
            };
            match super::write::write_file(path, body.as_bytes(), force) {
                Ok(()) => {
                    io.err(&format!(
                        "wrote {}",
                        crate::render::escape::value(&path.to_string_lossy())
                    ));
                    Ok(())
                }
                Err(e) => {
                    io.diagnostics(&[e.diagnostic()], false);
                    Err(EXIT_INVALID)
                }
            }
        }
        None if raw => {
            io.out_raw(text.trim_end());
            Ok(())
        }
        None => {
            io.out(text.trim_end());
            Ok(())
        }
    }
}

/// Runs `review`.
pub fn run(args: &ReviewArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == ReviewFormat::Json;
    if !args.accounts.is_empty() {
        return super::account_review::run(args, io);
    }
    let mut policies = args.policies.clone();
    policies.identity.extend(args.files.iter().cloned());
    if policies.is_empty() {
        io.diagnostics(
            &[
                Diagnostic::error("INVALID_ARGUMENT", "no policy given").with_hint(
                    "s3guard review POLICY.json, or --bucket-policy FILE, --boundary FILE, …",
                ),
            ],
            json,
        );
        return EXIT_INVALID;
    }
    let bad = check_buckets(&args.buckets);
    if !bad.is_empty() {
        io.diagnostics(&bad, json);
        return EXIT_INVALID;
    }
    if let Some(path) = &args.output {
        if let Err(e) = super::write::check_destination(path, args.force) {
            io.diagnostics(&[e.diagnostic()], json);
            return EXIT_INVALID;
        }
    }
    let Some(loaded) = io.load_policies(&policies, json) else {
        return EXIT_INVALID;
    };
    let base = match base_request(&args.request) {
        Ok(r) => r,
        Err(diags) => return io.invalid(&diags, json),
    };
    let review = Review::new(&loaded.set, &base, &args.buckets);
    let text = match args.format {
        ReviewFormat::Text => render::text(&review),
        ReviewFormat::Markdown => render::markdown(&review),
        ReviewFormat::Json => render::json(&review),
        ReviewFormat::Html => render::html(&review),
    };
    let raw = args.format != ReviewFormat::Text;
    match emit(args.output.as_ref(), args.force, &text, raw, io) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}
