//! Writing files (`--output` of every command): one policy.
//!
//! - An existing destination is never replaced without `--force` (a
//!   dangling symbolic link counts as existing).
//! - A symbolic link at the destination is never followed: the file is
//!   written to a new temporary file in the destination's directory (created
//!   exclusively, so nothing there is followed either) and then moved into
//!   place, replacing the link itself, never its target.
//! - Readers never see half a file: the move is atomic. Without `--force`
//!   the move is a hard link, which fails if the destination appeared
//!   meanwhile; where hard links are not supported, a rename after a last
//!   check.
//! - A failed write is an error naming the path (exit 2); the temporary
//!   file is removed.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::Diagnostic;

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The destination exists and `--force` was not given.
    #[error("`{}` exists; s3guard does not overwrite files", .0.display())]
    Exists(PathBuf),
    /// The destination is a directory.
    #[error("`{}` is a directory", .0.display())]
    Directory(PathBuf),
    /// The system refused.
    #[error("cannot write `{}`: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
}

impl WriteError {
    /// The error as a diagnostic with a hint.
    pub fn diagnostic(&self) -> Diagnostic {
        let d = Diagnostic::error("OUTPUT_ERROR", self.to_string());
        match self {
            WriteError::Exists(_) => {
                d.with_hint("pass --force to replace it, or choose another --output")
            }
            WriteError::Directory(_) => d.with_hint("give a file name to --output"),
            WriteError::Io(..) => d,
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Whether `path` may be written (checked again when writing): it does
/// not exist, or `force` and it is no directory. Lets a command refuse
/// before it does its work.
pub fn check_destination(path: &Path, force: bool) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(WriteError::Directory(path.to_path_buf())),
        Ok(_) if !force => Err(WriteError::Exists(path.to_path_buf())),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(WriteError::Io(path.to_path_buf(), e)),
    }
}

/// Writes `contents` to `path` under the policy of this module.
pub fn write_file(path: &Path, contents: &[u8], force: bool) -> Result<(), WriteError> {
    let io = |e| WriteError::Io(path.to_path_buf(), e);
    check_destination(path, force)?;
    let name = path
        .file_name()
        .ok_or_else(|| WriteError::Directory(path.to_path_buf()))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.s3guard-{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(contents)?;
            f.sync_all()
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    let placed = if force {
        std::fs::rename(&tmp, path).map_err(io)
    } else {
        place_new(&tmp, path)
    };
    let _ = std::fs::remove_file(&tmp);
    placed
}

/// Moves `tmp` to `path`, which must not exist.
fn place_new(tmp: &Path, path: &Path) -> Result<(), WriteError> {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            Err(WriteError::Exists(path.to_path_buf()))
        }
        Err(_) => {
            // no hard links here: a last check, then a rename
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(WriteError::Exists(path.to_path_buf()));
            }
            std::fs::rename(tmp, path).map_err(|e| WriteError::Io(path.to_path_buf(), e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("s3guard-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn refuses_to_overwrite_without_force_and_replaces_with_it() {
        let d = dir("force");
        let p = d.join("out.txt");
        write_file(&p, b"one", false).unwrap();
        assert!(matches!(
            write_file(&p, b"two", false),
            Err(WriteError::Exists(_))
        ));
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_file(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // no temporary file is left behind
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        assert!(matches!(
            write_file(&d, b"x", true),
            Err(WriteError::Directory(_))
        ));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_at_the_destination_are_never_followed() {
        let d = dir("links");
        let target = d.join("target.txt");
        let link = d.join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        // dangling: refused without --force, the target is not created
        assert!(matches!(
            write_file(&link, b"x", false),
            Err(WriteError::Exists(_))
        ));
        assert!(!target.exists());
        // with --force the link itself is replaced, the target untouched
        std::fs::write(&target, b"keep").unwrap();
        write_file(&link, b"new", true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&link).unwrap(), b"new");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
