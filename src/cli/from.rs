//! `--policy-from FILE --select NAME --param NAME=VALUE`: policies taken
//! from Terraform plans, CloudFormation/CDK templates and account dumps,
//! for every command that takes policies (through `load_policies`).
//!
//! Each `--select NAME` is looked up in every `--policy-from` file and must
//! name something in exactly one (`FILE#NAME` picks the file). A file that
//! no `--select` names gives its only policy, or an error listing what it
//! holds.

use super::args::PolicyArgs;
use crate::diagnostic::Diagnostic;
use crate::sources::{Params, Selected, Source};

/// Loads every selection of the arguments; all errors are returned together.
pub fn load_sources(args: &PolicyArgs) -> Result<Vec<Selected>, Vec<Diagnostic>> {
    load(args, false)
}

/// As [`load_sources`], but a policy whose statements have errors still
/// loads (its errors kept in `Policy::skipped`): `lint` reports every error
/// of every policy itself, with the other findings.
pub fn load_sources_for_lint(args: &PolicyArgs) -> Result<Vec<Selected>, Vec<Diagnostic>> {
    load(args, true)
}

fn load(args: &PolicyArgs, tolerant: bool) -> Result<Vec<Selected>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut params = Params::default();
    for item in &args.params {
        if let Err(e) = params.parse_item(item) {
            errors.push(Diagnostic::error("INVALID_ARGUMENT", e).with_hint(
                "e.g. --param AWS::AccountId=111122223333 or --param UploadsBucket=my-bucket",
            ));
        }
    }
    let mut sources = Vec::new();
    for path in &args.policy_from {
        match Source::open(path) {
            Ok(s) => sources.push((path.as_str(), s.lenient(tolerant), false)),
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut selected = Vec::new();
    for name in &args.select {
        let (file, wanted) = match name.split_once('#') {
            Some((f, n)) if sources.iter().any(|(p, _, _)| *p == f) => (Some(f), n),
            _ => (None, name.as_str()),
        };
        let hits: Vec<usize> = sources
            .iter()
            .enumerate()
            .filter(|(_, (p, s, _))| file.is_none_or(|f| f == *p) && !s.matches(wanted).is_empty())
            .map(|(i, _)| i)
            .collect();
        let target = match (hits.as_slice(), sources.len()) {
            ([one], _) => *one,
            ([], 1) => 0,
            ([], _) => {
                errors.push(
                    Diagnostic::error(
                        "UNKNOWN_SELECTION",
                        format!("--select `{name}` names nothing in the --policy-from files"),
                    )
                    .with_hint(format!(
                        "the files are {}; `s3guard` lists each file's choices when you select from it alone",
                        sources.iter().map(|(p, _, _)| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                    )),
                );
                continue;
            }
            (many, _) => {
                errors.push(
                    Diagnostic::error(
                        "AMBIGUOUS_SELECTION",
                        format!("--select `{name}` names something in several files"),
                    )
                    .with_hint(format!(
                        "pick the file: {}",
                        many.iter()
                            .filter_map(|i| sources.get(*i))
                            .map(|(p, _, _)| format!("--select '{p}#{wanted}'"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )),
                );
                continue;
            }
        };
        if let Some((_, source, used)) = sources.get_mut(target) {
            *used = true;
            match source.select(Some(wanted), &params, args.strict) {
                Ok(mut s) => selected.append(&mut s),
                Err(e) => errors.extend(e.diagnostics),
            }
        }
    }
    for (_, source, used) in &sources {
        if !used {
            match source.select(None, &params, args.strict) {
                Ok(mut s) => selected.append(&mut s),
                Err(e) => errors.extend(e.diagnostics),
            }
        }
    }
    if errors.is_empty() {
        Ok(selected)
    } else {
        Err(errors)
    }
}
