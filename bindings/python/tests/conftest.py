"""Shared fixtures of the Python package's tests.

The tests run against the installed package (`pip install ./bindings/python`),
the repository's policies and fixture corpus, and the CLI binary built by
`cargo build` (`target/debug/s3guard`, or `$S3GUARD_BIN`) where they compare
the two.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import List

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[3]
"""The repository root (bindings/python/tests/ is three levels down)."""

POLICIES = REPO / "policies"


@pytest.fixture(scope="session")
def s3guard_bin() -> Path:
    """The CLI binary; a missing binary fails the test (it never skips)."""
    path = Path(os.environ.get("S3GUARD_BIN", REPO / "target" / "debug" / "s3guard"))
    if not path.is_file():
        pytest.fail(f"no s3guard binary at {path}: run `cargo build` first or set S3GUARD_BIN")
    return path


def run_cli(binary: Path, args: List[str], cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Runs the CLI, capturing text output."""
    return subprocess.run(
        [str(binary), *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
