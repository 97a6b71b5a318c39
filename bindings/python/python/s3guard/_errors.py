"""Invalid input: the exceptions of s3guard and the diagnostics they carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Tuple, Type


@dataclass(frozen=True)
class Diagnostic:
    """One problem (or warning) at its place, as `s3guard` reports it.

    `str()` gives the CLI's rendering::

        app.json:9:9: error[invalid-condition-operator]: unknown condition operator `StringEqualz`
          at /Statement/0/Condition/StringEqualz
          help: did you mean `StringEquals`?
    """

    severity: str
    """`ERROR`, `SECURITY_WARNING`, `WARNING` or `SUGGESTION`."""
    code: str
    """Stable code, e.g. `JSON_SYNTAX_ERROR`, `INVALID_CONDITION_OPERATOR`."""
    message: str
    """Lowercase, one line, user input in backticks."""
    file: Optional[str]
    """The file, or the name given to an inline policy (`<identity[0]>`)."""
    line: Optional[int]
    """1-based line in `file`."""
    column: Optional[int]
    """1-based column in `file`, in characters."""
    pointer: Optional[str]
    """JSON pointer into the document (`/Statement/0/Effect`)."""
    hint: Optional[str]
    """What to do about it."""
    rendered: str
    """The diagnostic as the CLI prints it."""

    def __str__(self) -> str:
        return self.rendered


class PolicyError(ValueError):
    """Invalid input: a policy, a request, a pattern or a test file.

    `code`, `message`, `file`, `line`, `column`, `pointer` and `hint` describe
    the first error; `diagnostics` holds every error found (s3guard reports
    all of them, not only the first), then warnings. `str()` is what the
    CLI prints on stderr.
    """

    diagnostics: Tuple[Diagnostic, ...]
    code: str
    message: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    pointer: Optional[str]
    hint: Optional[str]

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "ERROR"] or list(
            self.diagnostics
        )
        first = errors[0] if errors else None
        self.code = first.code if first else "ERROR"
        self.message = first.message if first else "invalid input"
        self.file = first.file if first else None
        self.line = first.line if first else None
        self.column = first.column if first else None
        self.pointer = first.pointer if first else None
        self.hint = first.hint if first else None
        super().__init__("\n".join(d.rendered for d in errors) or self.message)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.diagnostics,))


class PolicySyntaxError(PolicyError):
    """A policy is not JSON (or is too large or too deep to read)."""


class PolicyValidationError(PolicyError):
    """A policy is JSON but not a valid policy of its type (an unknown
    condition operator, a missing `Effect`, a `Principal` in an identity
    policy, …)."""


class PolicyFileError(PolicyError):
    """A policy file cannot be read."""


class RequestError(PolicyError):
    """The arguments of a question are invalid: an action, a resource ARN,
    a principal, a resource account, a date or a pattern."""


class InvalidTestFileError(PolicyError):
    """A `*.s3guard.json` test file (or a policy it names) is invalid; none
    of its cases can run."""


_SYNTAX_CODES = frozenset({"JSON_SYNTAX_ERROR", "INPUT_TOO_LARGE"})


def from_diagnostics(kind: str, diagnostics: Sequence[Mapping[str, Any]]) -> PolicyError:
    """The exception for an invalid input of `kind` (`policy`, `request`,
    `test-file`), classed by the code of its first error. Called by the
    native module."""
    ds = [Diagnostic(**d) for d in diagnostics]
    cls: Type[PolicyError]
    if kind == "request":
        cls = RequestError
    elif kind == "test-file":
        cls = InvalidTestFileError
    else:
        first = next((d for d in ds if d.severity == "ERROR"), None)
        code = first.code if first else ""
        if code == "IO_ERROR":
            cls = PolicyFileError
        elif code in _SYNTAX_CODES:
            cls = PolicySyntaxError
        else:
            cls = PolicyValidationError
    return cls(ds)
