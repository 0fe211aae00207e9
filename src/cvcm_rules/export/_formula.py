"""Boolean formulas over durable_rules tests, and their rendering as durable_rules JSON.

A formula is in negation normal form: ``and``/``or`` over *atoms* (a comparison, an existence
test, a test over the items of a list), with negation already pushed into the atoms. Every atom is
false in durable_rules when a fact it reads is absent from the fact, and every formula is monotone
in its atoms, so durable_rules computes the lowest truth value the formula can take whatever the
absent facts are. That is what lets a fired rule mean exactly "our engine says ``fail``"
(see :mod:`cvcm_rules.export.durable`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FALSE",
    "TRUE",
    "AllOf",
    "AnyOf",
    "Compare",
    "Const",
    "Each",
    "Exists",
    "Formula",
    "Key",
    "Scalar",
    "conj",
    "disj",
    "keys_read",
    "max_matches",
    "render",
]

Scalar = bool | int | float | str


@dataclass(frozen=True, slots=True)
class Key:
    """A key of the fact, or (``item``) a key of the current list item; ``""`` is the item itself.

    Example:
        >>> Key("project.capacity_mw").ref, Key("name", item=True).ref, Key("", item=True).ref
        ('project.capacity_mw', '$i.name', '$i')
    """

    name: str
    item: bool = False
    kind: str = field(default="", compare=False)  # number, string, bool, date, list, object

    @property
    def ref(self) -> str:
        """How a durable_rules condition names this key."""
        if not self.item:
            return self.name
        return "$i" if not self.name else f"$i.{self.name}"


@dataclass(frozen=True, slots=True)
class Const:
    """A truth value known when the pack is exported (parameters and literals only)."""

    value: bool


TRUE = Const(True)  # noqa: FBT003 - the constant itself
FALSE = Const(False)  # noqa: FBT003 - the constant itself


@dataclass(frozen=True, slots=True)
class Compare:
    """``key op value``; a :class:`Key` value is another key of the fact (``$m``)."""

    op: str
    key: Key
    value: Scalar | Key


@dataclass(frozen=True, slots=True)
class Exists:
    """``$ex`` (``present``) or ``$nex``: whether the fact holds the key."""

    key: Key
    present: bool


@dataclass(frozen=True, slots=True)
class Each:
    """``$iany`` or ``$iall`` over the list at ``key``; the body's item keys name list items."""

    kind: str
    key: Key
    body: Formula


@dataclass(frozen=True, slots=True)
class AllOf:
    """``$and``."""

    items: tuple[Formula, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """``$or``."""

    items: tuple[Formula, ...]


Formula = Const | Compare | Exists | Each | AllOf | AnyOf


def conj(*items: Formula) -> Formula:
    """``and`` of ``items``, flattened, with constants folded.

    Example:
        >>> conj(TRUE, Exists(Key("a"), present=True)) == Exists(Key("a"), present=True)
        True
        >>> conj(Exists(Key("a"), present=True), FALSE)
        Const(value=False)
    """
    kept: list[Formula] = []
    for item in items:
        if item == FALSE:
            return FALSE
        if item == TRUE:
            continue
        kept.extend(item.items if isinstance(item, AllOf) else (item,))
    return _one(kept, AllOf, TRUE)


def disj(*items: Formula) -> Formula:
    """``or`` of ``items``, flattened, with constants folded."""
    kept: list[Formula] = []
    for item in items:
        if item == TRUE:
            return TRUE
        if item == FALSE:
            continue
        kept.extend(item.items if isinstance(item, AnyOf) else (item,))
    return _one(kept, AnyOf, FALSE)


def _one(items: list[Formula], kind: type[AllOf] | type[AnyOf], empty: Const) -> Formula:
    unique = list(dict.fromkeys(items))  # the same test twice would make durable fire twice
    if not unique:
        return empty
    return unique[0] if len(unique) == 1 else kind(tuple(unique))


def max_matches(formula: Formula) -> int:
    """At most how many matches durable_rules makes for this formula on one fact.

    durable_rules expands a rule's top-level ``$or`` into one match per true alternative (inside
    a list test it does not), and a ruleset fails (error 303, nothing fires) beyond 64 matches.
    Alternatives that exclude each other (``x == 1`` and ``x == 2``; ``$ex`` and ``$nex`` of one
    key) count once.

    Example:
        >>> a, b = Exists(Key("a"), present=True), Exists(Key("b"), present=True)
        >>> max_matches(conj(disj(a, b), disj(a, b, Exists(Key("c"), present=False))))
        6
        >>> max_matches(disj(*(Compare("==", Key("x"), n) for n in range(100))))
        1
    """
    if isinstance(formula, AllOf):
        return math.prod(max_matches(item) for item in formula.items)
    if not isinstance(formula, AnyOf):
        return 1
    groups: list[list[Formula]] = []  # within a group, at most one alternative is true
    for item in formula.items:
        group = next((g for g in groups if all(_exclusive(item, other) for other in g)), None)
        if group is None:
            groups.append([item])
        else:
            group.append(item)
    return sum(max(max_matches(item) for item in group) for group in groups)


def _exclusive(a: Formula, b: Formula) -> bool:
    """Whether ``a`` and ``b`` cannot both be true (one conjunct of each contradicts)."""
    left = a.items if isinstance(a, AllOf) else (a,)
    right = b.items if isinstance(b, AllOf) else (b,)
    return any(_contradict(x, y) or _contradict(y, x) for x in left for y in right)


def _contradict(x: Formula, y: Formula) -> bool:
    if isinstance(x, Exists) and not x.present:
        return ((isinstance(y, Exists) and y.present and y.key == x.key)
                or (isinstance(y, Compare) and y.key == x.key))
    return (isinstance(x, Compare) and isinstance(y, Compare) and x.op == y.op == "=="
            and x.key == y.key and not isinstance(x.value, Key)
            and not isinstance(y.value, Key) and x.value != y.value)


def keys_read(formula: Formula) -> list[Key]:
    """Every key the formula reads, in order (list tests: the list key, then the body's keys)."""
    found: list[Key] = []
    if isinstance(formula, AllOf | AnyOf):
        for item in formula.items:
            found.extend(keys_read(item))
    elif isinstance(formula, Compare):
        found.append(formula.key)
        if isinstance(formula.value, Key):
            found.append(formula.value)
    elif isinstance(formula, Exists):
        found.append(formula.key)
    elif isinstance(formula, Each):
        found.append(formula.key)
        found.extend(keys_read(formula.body))
    return found


_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def render(formula: Formula) -> dict[str, Any]:
    """The durable_rules JSON of a formula (constants must have been folded away).

    Example:
        >>> render(Compare(">=", Key("a.b"), Key("c")))
        {'$gte': {'a.b': {'$m': 'c'}}}
        >>> render(Each("any", Key("xs"), Compare("==", Key("", item=True), 3)))
        {'$iany': {'xs': {'$i': 3}}}
    """
    if isinstance(formula, AllOf):
        return {"$and": [render(item) for item in formula.items]}
    if isinstance(formula, AnyOf):
        return {"$or": [render(item) for item in formula.items]}
    if isinstance(formula, Compare):
        value: Any = ({"$m": formula.value.name} if isinstance(formula.value, Key)
                      else formula.value)
        test = {formula.key.ref: value}
        return test if formula.op == "==" else {_OPS[formula.op]: test}
    if isinstance(formula, Exists):
        return {"$ex" if formula.present else "$nex": {formula.key.ref: 1}}
    if isinstance(formula, Each):
        return {"$iany" if formula.kind == "any" else "$iall": {formula.key.ref:
                                                               render(formula.body)}}
    raise ValueError(f"a constant {formula.value} cannot be rendered; fold it first")
