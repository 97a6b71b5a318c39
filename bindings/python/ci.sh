#!/usr/bin/env bash
# Builds the Python package `s3guard` in a fresh virtual environment and runs
# its pytest suite (bindings/python/tests). Exits non-zero when the build or
# a test fails, and when pytest collects no test at all (its exit code 5).
#
#   bash bindings/python/ci.sh
#
# Needs python3 (3.9 or later; `PYTHON=python3.12` to choose), cargo, and
# PyPI for maturin and pytest. The agreement tests compare the package with
# the CLI binary target/debug/s3guard: `cargo test --no-run` below is a no-op
# right after `cargo test` and builds it otherwise.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$python" -m venv "$tmp/venv"
# the venv first on PATH: pip's build step runs `maturin` from there
export PATH="$tmp/venv/bin:$PATH"
python -m pip install --quiet --disable-pip-version-check maturin pytest

cargo test --no-run --quiet
export S3GUARD_BIN="$root/target/debug/s3guard"

# --no-build-isolation: build with the maturin installed above instead of
# fetching another one; --profile dev: an unoptimised build that shares
# target/debug with cargo (a release build with LTO takes minutes longer).
MATURIN_PEP517_ARGS="--profile dev" \
    python -m pip install --quiet --disable-pip-version-check --no-build-isolation ./bindings/python

cd bindings/python
status=0
python -m pytest -p no:cacheprovider tests || status=$?
if [ "$status" -eq 5 ]; then
    echo "bindings/python/ci.sh: pytest collected no test" >&2
    exit 1
fi
exit "$status"
