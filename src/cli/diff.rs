//! `s3guard diff OLD NEW`: the access NEW grants that OLD did not, and the
//! reverse (offline counterpart of Access Analyzer's check-no-new-access).

use crate::cli::args::TextOrJson;
use clap::{Args, ValueEnum};

use super::args::{PolicyArgs, RequestArgs};
use super::review::{base_request, check_buckets};
use super::{load, Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::diagnostic::Diagnostic;
use crate::review::{render, review_classes, AccessDiff, Review};

/// Which layer OLD and NEW belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffLayer {
    /// Identity-based policies (as --policy).
    Identity,
    /// Bucket policies (as --bucket-policy).
    Bucket,
    /// Permissions boundaries (as --boundary).
    Boundary,
    /// Session policies (as --session-policy).
    Session,
    /// SCPs: OLD and NEW are one more organization level (as --scp).
    Scp,
    /// RCPs: OLD and NEW are one more organization level (as --rcp).
    Rcp,
    /// Access point policies (as --access-point-policy; needs
    /// --access-point-bucket).
    AccessPoint,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The policy before the change.
    pub old: String,
    /// The policy after the change.
    pub new: String,
    /// The layer of OLD and NEW.
    #[arg(long = "as", value_enum, default_value_t = DiffLayer::Identity, value_name = "LAYER")]
    pub layer: DiffLayer,
    /// Policies that stay the same on both sides, by layer.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The caller and the request context.
    #[command(flatten)]
    pub request: RequestArgs,
    /// A bucket to compare besides those the policies name (repeatable).
    #[arg(long = "bucket", value_name = "NAME")]
    pub buckets: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// Exit 1 when NEW grants anything OLD did not (a changed condition counts).
    #[arg(long)]
    pub fail_on_new_access: bool,
}

fn with(policies: &PolicyArgs, layer: DiffLayer, file: &str) -> PolicyArgs {
    let mut p = policies.clone();
    let file = file.to_string();
    match layer {
        DiffLayer::Identity => p.identity.push(file),
        DiffLayer::Bucket => p.bucket.push(file),
        DiffLayer::Boundary => p.boundary.push(file),
        DiffLayer::Session => p.session.push(file),
        DiffLayer::Scp => p.scp.push(file),
        DiffLayer::Rcp => p.rcp.push(file),
        DiffLayer::AccessPoint => p.access_point.policies.push(file),
    }
    p
}

/// Runs `diff`.
pub fn run(args: &DiffArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == TextOrJson::Json;
    let bad = check_buckets(&args.buckets);
    if !bad.is_empty() {
        io.diagnostics(&bad, json);
        return EXIT_INVALID;
    }
    let p = &args.policies;
    let shared_stdin = [
        &p.identity,
        &p.bucket,
        &p.boundary,
        &p.session,
        &p.access_point.policies,
    ]
    .iter()
    .flat_map(|v| v.iter())
    .chain(p.scp.iter().chain(p.rcp.iter()))
    .any(|f| f.split(',').any(|x| x == "-"));
    if shared_stdin {
        io.diagnostics(
            &[Diagnostic::error(
                "INVALID_ARGUMENT",
                "`diff` reads both sides with the policies they share: `-` (stdin) can only be OLD or NEW",
            )],
            json,
        );
        return EXIT_INVALID;
    }
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut load = |file: &str| match load::load_policies(&with(&args.policies, args.layer, file)) {
        Ok(l) => Some(l),
        Err(d) => {
            for x in d {
                if !errors.contains(&x) {
                    errors.push(x);
                }
            }
            None
        }
    };
    let (old, new) = (load(&args.old), load(&args.new));
    let (Some(old), Some(new)) = (old, new) else {
        io.diagnostics(&errors, json);
        return EXIT_INVALID;
    };
    let mut warnings = old.warnings.clone();
    for w in &new.warnings {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    io.diagnostics(&warnings, json);
    let base = match base_request(&args.request) {
        Ok(r) => r,
        Err(diags) => return io.invalid(&diags, json),
    };
    // the same columns as `review`, through the access point included
    let classes = review_classes(&[&old.set, &new.set], &base, &args.buckets);
    let before = Review::with_classes(&old.set, &base, classes.classes.clone(), Vec::new());
    let after = Review::with_classes(&new.set, &base, classes.classes, Vec::new());
    let diff = AccessDiff::between(&before.matrix, &after.matrix);
    let text = match args.format {
        TextOrJson::Text => render::diff_text(&diff, &args.old, &args.new),
        TextOrJson::Json => render::diff_json(&diff, &args.old, &args.new),
    };
    io.out(&text);
    for n in &classes.notes {
        io.err(&format!("note: {n}"));
    }
    if args.fail_on_new_access && diff.grants_new_access() {
        EXIT_DENIED
    } else {
        EXIT_OK
    }
}
