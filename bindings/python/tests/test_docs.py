"""The examples of docs/python.md are real: every ```python block runs (from
the repository root, so its `policies/` paths resolve), the `test_*`
functions it defines run too, and a ```text block right after it holds its
exact output. (```py blocks are shown, not run: they need AWS or pytest.)"""

from __future__ import annotations

import contextlib
import io
import re
from typing import List, Optional, Tuple

import pytest

from conftest import REPO

DOC = REPO / "docs" / "python.md"


def blocks(markdown: str) -> List[Tuple[int, str, str, Optional[str]]]:
    """(line, language, code, output) of every ```python block; output is
    the ```text block that follows it with only blank lines between."""
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
        out.append((line, f.group(1), f.group(2), output))
    return out


BLOCKS = blocks(DOC.read_text())


def test_the_page_has_its_examples():
    # three examples, the failure message, the error: a renamed fence must
    # not silently turn this test into a no-op
    assert len(BLOCKS) >= 5
    assert sum(1 for b in BLOCKS if b[3] is not None) >= 4


@pytest.mark.parametrize("line, language, code, output", BLOCKS, ids=[f"line {b[0]}" for b in BLOCKS])
def test_example(line: int, language: str, code: str, output: Optional[str], monkeypatch):
    monkeypatch.chdir(REPO)
    namespace: dict = {"__name__": f"docs_python_md_line_{line}"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"{DOC}:{line}", "exec"), namespace)
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value()
    if output is not None:
        assert printed.getvalue() == output
