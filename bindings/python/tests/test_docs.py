"""The examples of docs/python.md and README.md are real: every ```python block runs (from
the repository root, so its `policies/` paths resolve), the `test_*`
functions it defines run too, and a ```text block right after it holds its
exact output. (```py blocks are shown, not run: they need AWS or pytest.)"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from conftest import REPO

DOCS = [REPO / "docs" / "python.md", REPO / "README.md"]


def blocks(path: Path) -> List[Tuple[Path, int, str, Optional[str]]]:
    """(file, line, code, output) of every ```python block; output is
    the ```text block that follows it with only blank lines between."""
    markdown = path.read_text()
    fences = list(re.finditer(r"^```(\w*)\n(.*?)^```$", markdown, re.M | re.S))
    out = []
    for i, f in enumerate(fences):
        if f.group(1) != "python":
            continue
        output = None
        if i + 1 < len(fences):
            nxt = fences[i + 1]
            between = markdown[f.end() : nxt.start()]
            if nxt.group(1) == "text" and not between.strip():
                output = nxt.group(2)
        line = markdown.count("\n", 0, f.start()) + 1
        out.append((path, line, f.group(2), output))
    return out


BLOCKS = [b for doc in DOCS for b in blocks(doc)]


def test_the_page_has_its_examples():
    # three examples, the failure message, the error: a renamed fence must
    # not silently turn this test into a no-op
    assert len(BLOCKS) >= 6
    assert sum(1 for b in BLOCKS if b[3] is not None) >= 4
    assert {b[0] for b in BLOCKS} == set(DOCS)


@pytest.mark.parametrize(
    "doc, line, code, output", BLOCKS, ids=[f"{b[0].name}:{b[1]}" for b in BLOCKS]
)
def test_example(doc: Path, line: int, code: str, output: Optional[str], monkeypatch):
    monkeypatch.chdir(REPO)
    namespace: dict = {"__name__": f"example_{doc.stem}_{line}"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"{doc}:{line}", "exec"), namespace)
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value()
    if output is not None:
        assert printed.getvalue() == output
