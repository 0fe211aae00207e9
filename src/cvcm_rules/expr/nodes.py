"""Syntax tree of the rule expression language.

Nodes are immutable and compare by structure only: the ``offset`` of a node (its position in the
source text, for error messages) is left out of equality, so that ``parse(unparse(e)) == e``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "Attribute",
    "BinaryOp",
    "BoolOp",
    "Call",
    "Compare",
    "Index",
    "ListLiteral",
    "Literal",
    "Name",
    "Negate",
    "Node",
    "Not",
    "Quantifier",
]

Scalar = bool | int | float | str | date | None


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string, boolean or null written in the expression."""

    value: Scalar
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A bare name: a dossier section, ``params``, ``as_of``, a let binding, a loop variable."""

    name: str
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Attribute:
    """``value.name``: a field of an object."""

    value: Node
    name: str
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Index:
    """``value[index]``: one element of a list (the index is an integer literal)."""

    value: Node
    index: int
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ListLiteral:
    """``[a, b, c]``."""

    items: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """``name(arg, ...)``: a call of a function from the fixed library."""

    function: str
    args: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Quantifier:
    """``all(x in items: body)`` and its siblings ``any``, ``count``, ``sum``, ``min``, ``max``."""

    kind: str
    variable: str
    collection: Node
    body: Node
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    """``not operand``."""

    operand: Node
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Negate:
    """``-operand``."""

    operand: Node
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class BoolOp:
    """``a and b and c`` or ``a or b``: Kleene three-valued logic over missing values."""

    op: str
    operands: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op right`` with op one of ``== != < <= > >= in not_in``."""

    op: str
    left: Node
    right: Node
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """``left op right`` with op one of ``+ - * /``."""

    op: str
    left: Node
    right: Node
    offset: int = field(default=0, compare=False)


Node = (
    Literal | Name | Attribute | Index | ListLiteral | Call | Quantifier | Not | Negate | BoolOp
    | Compare | BinaryOp
)
