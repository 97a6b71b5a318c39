//! `s3guard init-tests POLICY`: write a starter test file for a policy.

use crate::cli::args::TextOrJson;
use std::path::{Component, Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{write, Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostic::Diagnostic;
use crate::policy::PolicyType;
use crate::request::Principal;
use crate::testfile::{starter, StarterOptions, SUFFIX};

/// Policy types `init-tests` writes tests for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StarterType {
    /// An identity-based policy (of a user, group or role).
    Identity,
    /// A bucket policy.
    Bucket,
}

/// Arguments of `init-tests`.
#[derive(Debug, Args)]
pub struct InitTestsArgs {
    /// The policy to write tests for.
    #[arg(value_name = "POLICY")]
    pub policy: String,
    /// Write the test file here (by convention NAME.s3guard.json) instead of
    /// stdout. Without it, the policy path in the file is relative to the
    /// policy's directory: save the file next to the policy.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<String>,
    /// Replace --output if it exists (a symbolic link there is replaced,
    /// never followed).
    #[arg(long)]
    pub force: bool,
    /// The policy's type.
    #[arg(long = "type", value_enum, default_value_t = StarterType::Identity)]
    pub policy_type: StarterType,
    /// The caller of every case (default: unspecified for identity
    /// policies; the principals the statements name for bucket policies).
    #[arg(long)]
    pub principal: Option<String>,
    /// The account that owns the buckets (default: the caller's account).
    #[arg(long = "resource-account", value_name = "ID")]
    pub resource_account: Option<String>,
    /// Output format of the summary, notes and warnings.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

fn invalid(io: &mut Io<'_>, json: bool, message: String, hint: &str) -> i32 {
    io.diagnostics(
        &[Diagnostic::error("INVALID_ARGUMENT", message).with_hint(hint)],
        json,
    );
    EXIT_INVALID
}

/// Runs `init-tests`.
pub fn run(args: &InitTestsArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == TextOrJson::Json;
    if args.policy == "-" {
        return invalid(
            io,
            json,
            "init-tests needs a policy file, not stdin: the test file refers to it".into(),
            "save the policy first, e.g. policies/app.json",
        );
    }
    if let Some(p) = &args.principal {
        if let Err(e) = Principal::parse(p) {
            return invalid(
                io,
                json,
                e.to_string(),
                "e.g. --principal arn:aws:iam::111122223333:user/app",
            );
        }
    }
    if let Some(a) = &args.resource_account {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return invalid(
                io,
                json,
                format!("--resource-account `{a}` is not a 12-digit account id"),
                "e.g. --resource-account 111122223333",
            );
        }
    }
    let t = match args.policy_type {
        StarterType::Identity => PolicyType::Identity,
        StarterType::Bucket => PolicyType::Resource,
    };
    let policy =
        match crate::policy::Policy::load_file(&args.policy, crate::policy::LoadOptions::new(t))
            .map_err(|e| e.diagnostics)
        {
            Ok(p) => p,
            Err(diags) => return io.invalid(&diags, json),
        };
    io.diagnostics(&policy.warnings, json);
    let (test_file, policy_file) = match locate(&args.policy, args.output.as_deref()) {
        Ok(x) => x,
        Err(message) => return invalid(io, json, message, "create the directory first"),
    };
    if let Some(out) = &args.output {
        if let Err(e) = write::check_destination(Path::new(out), args.force) {
            io.diagnostics(&[e.diagnostic()], json);
            return EXIT_INVALID;
        }
    }
    let options = StarterOptions {
        policy_file,
        test_file,
        principal: args.principal.clone(),
        resource_account: args.resource_account.clone(),
    };
    let s = match starter(&policy, &options) {
        Ok(s) => s,
        Err(message) => {
            return invalid(
                io,
                json,
                message,
                "write the test file by hand: see docs/test-files.md",
            )
        }
    };
    for n in &s.notes {
        report(io, json, "note", n);
    }
    for w in &s.warnings {
        report(io, json, "warning", w);
    }
    let Some(out) = &args.output else {
        io.out(s.text.trim_end());
        return EXIT_OK;
    };
    if let Err(e) = write::write_file(Path::new(out), s.text.as_bytes(), args.force) {
        io.diagnostics(&[e.diagnostic()], json);
        return EXIT_INVALID;
    }
    if json {
        io.out_raw(
            &serde_json::json!({
                "file": out,
                "allow_cases": s.allowed,
                "deny_cases": s.denied,
                "notes": s.notes,
                "warnings": s.warnings,
            })
            .to_string(),
        );
    } else {
        io.out(&format!(
            "wrote {out}: {} allow case{}, {} deny case{}\nrun it with: s3guard test {out}",
            s.allowed,
            if s.allowed == 1 { "" } else { "s" },
            s.denied,
            if s.denied == 1 { "" } else { "s" },
        ));
    }
    EXIT_OK
}

fn report(io: &mut Io<'_>, json: bool, kind: &str, message: &str) {
    if json {
        io.err_raw(&serde_json::json!({ "severity": kind, "message": message }).to_string());
    } else {
        io.err(&format!("{kind}: {message}"));
    }
}

/// Where the test file will be, and the policy path to write in it
/// (relative to the test file's directory).
fn locate(policy: &str, output: Option<&str>) -> Result<(String, String), String> {
    let policy_path = Path::new(policy);
    let Some(out) = output else {
        let name = policy_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| policy.to_string());
        let stem = name.strip_suffix(".json").unwrap_or(&name);
        let test_file = policy_path.with_file_name(format!("{stem}{SUFFIX}"));
        return Ok((test_file.to_string_lossy().into_owned(), name));
    };
    let out_dir = match Path::new(out).parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let from = out_dir
        .canonicalize()
        .map_err(|e| format!("cannot use `{}` for --output: {e}", out_dir.display()))?;
    let to = policy_path
        .canonicalize()
        .map_err(|e| format!("cannot read `{policy}`: {e}"))?;
    Ok((out.to_string(), relative(&from, &to)))
}

/// The path of `to` relative to the directory `from` (both absolute), with `/`.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(to.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..from.len() {
        parts.push("..".into());
    }
    for c in to.iter().skip(common) {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative(Path::new("/r/policies"), Path::new("/r/policies/a.json")),
            "a.json"
        );
        assert_eq!(
            relative(Path::new("/r/tests/iam"), Path::new("/r/policies/a.json")),
            "../../policies/a.json"
        );
    }

    #[test]
    fn stdout_file_sits_next_to_the_policy() {
        let (t, p) = locate("policies/rails-app.json", None).unwrap();
        assert_eq!(t, "policies/rails-app.s3guard.json");
        assert_eq!(p, "rails-app.json");
    }
}
