"""The Python API agrees with the CLI on the shared fixture corpus.

Every case of tests/fixtures/cases (one request with its policies per line,
format in src/cases.rs) is evaluated twice: by `s3guard eval --cases FILE
--format json` and by `s3guard.PolicySet(...).can(...)` with the case's
policies as dicts and its context exactly as given (`no_defaults=True`: a
case's context is the whole context; `allow_unknown_action=True`: like
`eval --cases`, any action is evaluated). The two decisions must be equal, and
equal to the case's `expect`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import s3guard
from conftest import REPO, run_cli

CASES = REPO / "tests" / "fixtures" / "cases"


def corpus() -> List[Tuple[Path, int, Dict[str, Any]]]:
    out = []
    for path in sorted(CASES.rglob("*.jsonl")):
        for number, line in enumerate(path.read_text().split("\n"), start=1):
            if line.strip():
                out.append((path, number, json.loads(line)))
    return out


CORPUS = corpus()


def test_the_corpus_is_there():
    # a corpus that moved or emptied must not make the agreement test vacuous
    assert len(CORPUS) > 600


@lru_cache(maxsize=None)
def cli_decisions(path: Path, binary: Path) -> Dict[int, Dict[str, Any]]:
    """`s3guard eval --cases` of one file, by line number."""
    run = run_cli(binary, ["eval", "--cases", str(path), "--format", "json"])
    assert run.returncode in (0, 1), run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return {r["line"]: r for r in rows if "line" in r}


def policy_set(case: Dict[str, Any]) -> s3guard.PolicySet:
    def many(field: str) -> List[Any]:
        v = case.get(field)
        return [] if v is None else v if isinstance(v, list) else [v]

    return s3guard.PolicySet(
        identity=many("identity"),
        bucket_policy=case.get("resource_policy"),
        boundary=many("boundary"),
        session=many("session"),
        scps=many("scp"),
        rcps=many("rcp"),
    )


@pytest.mark.parametrize(
    "path, line, case",
    CORPUS,
    ids=[f"{p.relative_to(CASES)}:{c.get('id', n)}" for p, n, c in CORPUS],
)
def test_python_and_cli_agree(path: Path, line: int, case: Dict[str, Any], s3guard_bin: Path):
    cli = cli_decisions(path, s3guard_bin)[line]
    answer = policy_set(case).can(
        case["action"],
        case["resource"],
        principal=case.get("principal"),
        context=case.get("context") or {},
        resource_account=case.get("resource_account"),
        no_defaults=True,
        allow_unknown_action=True,
    )
    assert answer.decision == cli["decision"], answer.text
    assert answer.decision == case["expect"]
