"""Exceptions raised by cvcm_rules.

Every error names the place it concerns, so that a user can fix the input without reading code:
``file:line:col`` for rule packs, the field path for dossiers.

Our exception hierarchy::

    CvcmRulesError
    ├── InputError                      bad input from the user (CLI exit code 2)
    │   ├── DossierError                a dossier file that does not load or validate
    │   ├── PackError                   a rule pack with one or more problems (PackProblem list)
    │   ├── UnknownPackError            a pack id or folder that does not exist
    │   └── CalendarInputError          a bad date, count or range given to the calendar
    ├── ExpressionError                 an expression that does not parse or type-check
    └── CalendarCoverageError           a date outside the range the calendar can answer for
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CalendarCoverageError",
    "CalendarInputError",
    "CvcmRulesError",
    "DossierError",
    "DossierProblem",
    "ExpressionError",
    "InputError",
    "PackError",
    "PackProblem",
    "UnknownPackError",
]


class CvcmRulesError(Exception):
    """Root of every error this library raises on purpose."""


class InputError(CvcmRulesError, ValueError):
    """Bad input from the user: a file, a pack, a date. The CLI maps it to exit code 2."""


@dataclass(frozen=True, slots=True)
class DossierProblem:
    """One problem in a dossier: where (field path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DossierError(InputError):
    """A dossier that cannot be read or does not validate; lists every problem at once."""

    def __init__(self, source: str, problems: list[DossierProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {p}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True, slots=True)
class PackProblem:
    """One problem in a rule pack, printed as ``file:line:col: code: message``."""

    file: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code}: {self.message}"


class PackError(InputError):
    """A rule pack with problems. The loader gathers all of them before raising."""

    def __init__(self, pack: str, problems: list[PackProblem]) -> None:
        self.pack = pack
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in rule pack {pack}"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class UnknownPackError(InputError):
    """A pack id or folder that does not exist."""


class CalendarInputError(InputError):
    """A bad argument to a calendar operation (not a date, negative count, end before start)."""


class ExpressionError(CvcmRulesError, ValueError):
    """An expression that does not parse, or names an unknown path or function.

    Attributes:
        code: stable kebab-case error code (``syntax-error``, ``unknown-path``, ...).
        offset: character offset of the problem inside the expression text.
    """

    def __init__(self, code: str, message: str, *, source: str, offset: int) -> None:
        self.code = code
        self.reason = message
        self.source = source
        self.offset = offset
        caret = " " * offset + "^"
        super().__init__(f"{code}: {message}\n    {source}\n    {caret}")


class CalendarCoverageError(CvcmRulesError, LookupError):
    """A date outside the years the working-day calendar can answer for."""
