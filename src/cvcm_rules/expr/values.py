"""Runtime values of the expression language: missing facts, evaluation state, static types.

A fact that the dossier does not give is not ``false``: it is :class:`Missing`, which remembers the
dossier paths that were absent. Operators pass it along (Kleene logic for ``and``/``or``), so
a rule that cannot be decided says *which* fields it needed instead of silently passing or failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANY",
    "BOOL",
    "DATE",
    "NUMBER",
    "STRING",
    "Env",
    "EvalError",
    "ListType",
    "Missing",
    "ObjectType",
    "ScalarType",
    "TraceEvent",
    "Type",
]


class Missing:
    """An absent fact, with the concrete paths (``batches[1].period.end``) that were absent."""

    __slots__ = ("paths",)

    def __init__(self, paths: frozenset[str]) -> None:
        self.paths = paths

    @classmethod
    def at(cls, path: str) -> Missing:
        """A missing value at one path."""
        return cls(frozenset((path,)))

    def merge(self, other: Missing) -> Missing:
        """Both sets of missing paths: used when two operands are each missing."""
        return Missing(self.paths | other.paths)

    def __repr__(self) -> str:
        return f"Missing({sorted(self.paths)})"


class EvalError(Exception):
    """A rule broke while evaluating (type mismatch, division by zero): its finding is error."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """The value of one sub-expression during one evaluation (recorded only when asked)."""

    expression: str
    offset: int
    value: Any  # Any, not object: mypyc-compiled dataclasses fail at import on object


# __init__ is written out because mypyc compiles it; a dataclass's generated one stays interpreted.
@dataclass(slots=True, init=False)
class Env:
    """Evaluation state of one rule on one dossier.

    Attributes:
        root: the dossier (its fields are the top-level names of expressions).
        values: ``params``, ``as_of``, ``let`` bindings and loop variables.
        prefixes: the concrete dossier path of each loop variable, for messages.
        context: host services for functions that need them (the working-day calendar).
        trace: a list to record sub-expression values in, or None for the fast path.
        memo: values of dossier paths already read (valid for one dossier; may be shared by the
            rules evaluated on it).
        item_memo: values of ``for_each`` variable paths already read (cleared for each item).
    """

    root: Any  # Any, not object, for the same reason
    values: dict[str, object] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    context: Any = None
    trace: list[TraceEvent] | None = None
    memo: dict[str, object] = field(default_factory=dict)
    item_memo: dict[str, object] = field(default_factory=dict)

    def __init__(self, root: Any, values: dict[str, object] | None = None,
                 prefixes: dict[str, str] | None = None, context: Any = None,
                 trace: list[TraceEvent] | None = None, memo: dict[str, object] | None = None,
                 item_memo: dict[str, object] | None = None) -> None:
        self.root = root
        self.values = {} if values is None else values
        self.prefixes = {} if prefixes is None else prefixes
        self.context = context
        self.trace = trace
        self.memo = {} if memo is None else memo
        self.item_memo = {} if item_memo is None else item_memo


# -- static types, used at load time to check paths --------------------------------------------


@dataclass(frozen=True, slots=True)
class ScalarType:
    """A leaf value: ``date``, ``string``, ``number``, ``bool`` or ``any`` (not checked)."""

    name: str


@dataclass(frozen=True, slots=True)
class ListType:
    """A list whose elements all have one type."""

    item: Type


@dataclass(frozen=True, slots=True, eq=False)
class ObjectType:
    """An object with named fields (a dossier section, or the ``params`` of a rule)."""

    name: str
    fields: Mapping[str, Type]


Type = ScalarType | ListType | ObjectType

ANY = ScalarType("any")
BOOL = ScalarType("bool")
DATE = ScalarType("date")
NUMBER = ScalarType("number")
STRING = ScalarType("string")
