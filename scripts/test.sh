#!/usr/bin/env bash
# All of s3guard's checks, as CI runs them: formatting, lints, the library
# without the command line, and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo build --lib --no-default-features --quiet
# the fuzz targets (their own crate) still compile against the library
cargo check --manifest-path fuzz/Cargo.toml --quiet
cargo test
