//! Helpers shared by the suite.

use std::path::PathBuf;

/// Path of a file in the repository.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The `s3guard` binary, run from the repository root.
pub fn s3guard() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("s3guard").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs s3guard and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = s3guard().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs s3guard with `--format json` and returns the exit code and the
/// parsed output (a test fails on output that is not JSON).
pub fn run_json(args: &[&str]) -> (i32, serde_json::Value) {
    let (code, out, err) = run(&[args, &["--format", "json"]].concat());
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

/// Runs `s3guard can … --format json` and returns the exit code and the
/// `s3guard` part of its one evaluation result.
pub fn can_json(args: &[&str]) -> (i32, serde_json::Value) {
    let (code, v) = run_json(args);
    (code, v["EvaluationResults"][0]["s3guard"].clone())
}

/// Writes a temporary file and returns its path (kept for the test's life).
pub fn temp_file(name: &str, content: &str) -> (tempdir::Dir, PathBuf) {
    let dir = tempdir::Dir::new();
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write temp file");
    (dir, path)
}

pub mod tempdir {
    //! A minimal temporary directory removed on drop.
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let p = std::env::temp_dir().join(format!("s3guard-test-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&p).expect("create temp dir");
            Dir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
