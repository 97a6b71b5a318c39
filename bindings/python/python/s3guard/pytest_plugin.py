"""The pytest plugin of s3guard (entry point ``pytest11``, active once the
package is installed; ``-p no:s3guard`` turns it off).

- Every ``*.s3guard.json`` policy test file pytest comes across is collected
  (the format: docs/test-files.md); each case is an item named after the
  case, run by s3guard's engines exactly as ``s3guard test`` runs it. A
  failing case reads like ``s3guard test``'s report: ``FILE:LINE:COL`` of
  the case, why, and s3guard's answer with the deciding statements.
- An invalid test file is a collection error listing every problem with
  its place; none of its cases runs.
- The ``s3guard`` fixture gives the ``s3guard`` module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import pytest

import s3guard as _s3guard
from s3guard import _native
from s3guard._errors import InvalidTestFileError

SUFFIX = ".s3guard.json"
"""The file name suffix of policy test files (as ``s3guard test`` looks for)."""


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    if file_path.name.endswith(SUFFIX):
        return S3guardFile.from_parent(parent, path=file_path)
    return None


@pytest.fixture(name="s3guard")
def s3guard_fixture() -> Any:
    """The ``s3guard`` module: ``s3guard.PolicySet``, ``s3guard.assert_denied`` …"""
    return _s3guard


def _shown(path: Path) -> str:
    """The path as messages show it: relative to the working directory
    when it is below it (as ``s3guard test DIR`` shows it)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class S3guardFile(pytest.File):
    """A ``*.s3guard.json`` file: one item per case."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            tests = _native.TestFile(_shown(self.path))
        except InvalidTestFileError as e:
            raise self.CollectError(f"invalid s3guard test file; no case ran\n{e}") from e
        for index, case in enumerate(tests.cases()):
            yield S3guardCase.from_parent(
                self,
                name=case["name"],
                tests=tests,
                index=index,
                line=case["line"],
                column=case["column"],
            )


class S3guardCaseFailed(Exception):
    """A case did not pass; ``str()`` is the report."""


class S3guardCase(pytest.Item):
    """One case of a test file."""

    def __init__(
        self,
        *,
        tests: Any,
        index: int,
        line: int,
        column: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._tests = tests
        self._index = index
        self._line = line
        self._column = column

    def runtest(self) -> None:
        result: Dict[str, Any] = self._tests.run(self._index)
        notes = [f"note: {n}" for n in result["notes"]]
        if notes:
            self.add_report_section("call", "s3guard", "\n".join(notes))
        if result["status"] != "pass":
            raise S3guardCaseFailed(self._report(result, notes))

    def _report(self, result: Dict[str, Any], notes: List[str]) -> str:
        why = result["message"] or "did not pass"
        if result["status"] == "error":
            why = f"could not be checked: {why}"
        lines = [f"{self._tests.path}:{self._line}:{self._column}: {why}"]
        lines += [f"  {d}" for d in result["details"]]
        lines += notes
        return "\n".join(lines)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> Union[str, Any]:
        if isinstance(excinfo.value, S3guardCaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> Tuple[Union["os.PathLike[str]", str], Optional[int], str]:
        return self.path, self._line - 1, f"s3guard case: {self.name}"
