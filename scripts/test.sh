#!/usr/bin/env bash
# All of s3guard's checks, as CI runs them: formatting, lints, the library
# without the command line, the API documentation, and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo build --lib --no-default-features --quiet
# the API documentation builds without a broken or private intra-doc link
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
# the fuzz targets (their own crate) are formatted and still compile
# against the library
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
cargo check --manifest-path fuzz/Cargo.toml --quiet
cargo test
# the Python package, built in a fresh virtual environment, and its pytest suite
bash bindings/python/ci.sh
