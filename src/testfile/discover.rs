//! Finding test files: a file is taken as given, a directory is searched
//! recursively for `*.s3guard.json`.

use std::path::Path;

use crate::diagnostic::Diagnostic;

/// The file name ending of test files.
pub const SUFFIX: &str = ".s3guard.json";

/// Directories never searched: hidden ones (`.git`) and `node_modules`.
fn skipped(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules"
}

/// The test files named by `paths`, in order: a file as given, a
/// directory's `*.s3guard.json` files sorted by path (symbolic links to
/// directories are not followed). A path that does not exist, or a
/// directory without test files, is an error.
pub fn discover(paths: &[String]) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let path = Path::new(p);
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(
                    Diagnostic::error("IO_ERROR", format!("cannot read `{p}`: {e}"))
                        .with_hint("give test files (*.s3guard.json) or directories holding them"),
                );
                continue;
            }
        };
        if meta.is_dir() {
            let mut here = Vec::new();
            walk(path, &mut here, &mut errors);
            here.sort();
            if here.is_empty() {
                errors.push(
                    Diagnostic::error(
                        "NO_TEST_FILES",
                        format!("no test file (*{SUFFIX}) under `{p}`"),
                    )
                    .with_hint(
                        "write one with `s3guard init-tests POLICY --output NAME.s3guard.json`",
                    ),
                );
            }
            found.extend(here.into_iter().map(|f| display(&f)));
        } else {
            found.push(p.clone());
        }
    }
    if errors.is_empty() {
        let mut seen = std::collections::HashSet::new();
        found.retain(|f| seen.insert(f.clone()));
        Ok(found)
    } else {
        Err(errors)
    }
}

fn walk(dir: &Path, out: &mut Vec<String>, errors: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(Diagnostic::error(
                "IO_ERROR",
                format!("cannot read `{}`: {e}", dir.display()),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if !skipped(&name) {
                walk(&path, out, errors);
            }
        } else if name.ends_with(SUFFIX) && path.is_file() {
            out.push(path.to_string_lossy().into_owned());
        }
    }
}

/// `./policies/x` → `policies/x`; `policies//x` → `policies/x`.
fn display(path: &str) -> String {
    let mut s = path.replace("//", "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_tidy() {
        assert_eq!(
            display("./policies/a.s3guard.json"),
            "policies/a.s3guard.json"
        );
        assert_eq!(
            display("policies//a.s3guard.json"),
            "policies/a.s3guard.json"
        );
        assert_eq!(display("/abs/a.s3guard.json"), "/abs/a.s3guard.json");
    }
}
