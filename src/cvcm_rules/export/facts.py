"""The fact a dossier becomes for exported durable_rules rules: flat keys, day numbers, no nulls.

Each key is the text of what it holds, in the rule language: a dossier path
(``validation.team[0].name``), or one of ``len(path)``, ``lower(path)``, ``exists(path)``
computed from it. A list a rule tests item by item is a list of such keys per item (or of plain
values). Only the keys the rules read are sent: durable_rules takes about 250 properties per fact.

- A date is its day number, ``date.toordinal()`` (0001-01-01 is day 1), so durable_rules can
  compare dates as integers.
- A missing fact (``None``, or a path through a missing object) is left out of the fact, which is
  what makes every exported test false on it.
- A number beyond ±2**53 is refused: durable_rules compares numbers as C doubles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cvcm_rules.errors import ExpressionError, InputError
from cvcm_rules.export._formula import AllOf, AnyOf, Compare, Each, Exists, Formula, Key
from cvcm_rules.export._translate import encode_scalar
from cvcm_rules.expr import nodes as ast
from cvcm_rules.expr import parse
from cvcm_rules.model import Dossier

__all__ = ["FactEncodingError", "FactShape", "dossier_fact"]


class FactEncodingError(InputError):
    """A dossier value (or an export's fact description) durable_rules cannot be given."""


@dataclass(frozen=True, slots=True)
class FactShape:
    """The keys of a fact: scalar keys with their kinds, and lists with the shape of an item.

    Example:
        >>> shape = FactShape.from_dict({"keys": {"len(a.b)": "number"},
        ...                              "lists": {"a.b": {"keys": {"c": "date"}, "lists": {}}}})
        >>> shape.to_dict() == {"keys": {"len(a.b)": "number"},
        ...                     "lists": {"a.b": {"keys": {"c": "date"}, "lists": {}}}}
        True
    """

    keys: Mapping[str, str]
    lists: Mapping[str, FactShape | str]

    @classmethod
    def of(cls, formulas: list[Formula]) -> FactShape:
        """The shape holding every key ``formulas`` read."""
        builder = _Builder()
        for formula in formulas:
            _collect(formula, builder, builder)
        return builder.freeze()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as written in an export."""
        return {"keys": dict(sorted(self.keys.items())),
                "lists": {name: item if isinstance(item, str) else item.to_dict()
                          for name, item in sorted(self.lists.items())}}

    @classmethod
    def from_dict(cls, data: Any, where: str = "facts") -> FactShape:
        """Read the form :meth:`to_dict` writes.

        Raises:
            FactEncodingError: not that form, naming the place.
        """
        if not isinstance(data, dict) or set(data) != {"keys", "lists"}:
            raise FactEncodingError(f"{where}: expected an object with 'keys' and 'lists'")
        keys, lists = data["keys"], data["lists"]
        if not isinstance(keys, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in keys.items()):
            raise FactEncodingError(f"{where}.keys: expected an object of key: kind")
        if not isinstance(lists, dict):
            raise FactEncodingError(f"{where}.lists: expected an object")
        return cls(dict(keys), {name: item if isinstance(item, str)
                                else cls.from_dict(item, f"{where}.lists[{name!r}]")
                                for name, item in lists.items()})


@dataclass(slots=True)
class _Builder:
    keys: dict[str, str]
    lists: dict[str, _Builder]
    item: str | None  # the kind of plain items, when the list holds values, not objects

    def __init__(self) -> None:
        self.keys, self.lists, self.item = {}, {}, None

    def freeze(self) -> FactShape:
        return FactShape(dict(self.keys), {
            name: sub.item if sub.item is not None else sub.freeze()
            for name, sub in self.lists.items()})

    def add(self, key: Key) -> None:
        if key.name:
            self.keys.setdefault(key.name, key.kind)
        else:
            self.item = key.kind or "any"


def _collect(formula: Formula, here: _Builder, root: _Builder) -> None:
    if isinstance(formula, AllOf | AnyOf):
        for item in formula.items:
            _collect(item, here, root)
    elif isinstance(formula, Compare):
        here.add(formula.key)
        if isinstance(formula.value, Key):
            root.add(formula.value)  # ``$m`` always names a key of the whole fact
    elif isinstance(formula, Exists):
        here.add(formula.key)
    elif isinstance(formula, Each):
        _collect(formula.body, here.lists.setdefault(formula.key.name, _Builder()), root)


def dossier_fact(dossier: Dossier, shape: FactShape) -> dict[str, Any]:
    """The fact for ``dossier``: every key of ``shape`` that has a value.

    Raises:
        FactEncodingError: a number durable_rules cannot compare exactly, or a key that names
            no dossier field (naming the dossier and the key).
    """
    return _fill(dossier, shape, dossier.id, "")


def _fill(source: object, shape: FactShape, dossier_id: str, prefix: str) -> dict[str, Any]:
    fact: dict[str, Any] = {}
    for text in shape.keys:
        value = _read(text, source, dossier_id)
        if value is not None:
            fact[text] = _encode(value, dossier_id, prefix + text)
    for text, item in shape.lists.items():
        values = _read(text, source, dossier_id)
        if values is None:
            continue
        if not isinstance(values, tuple | list):
            raise FactEncodingError(f"dossier {dossier_id}: {prefix}{text} is not a list")
        fact[text] = [
            _encode(value, dossier_id, f"{prefix}{text}[{index}]") if isinstance(item, str)
            else _fill(value, item, dossier_id, f"{prefix}{text}[{index}].")
            for index, value in enumerate(values)]
    return fact


def _encode(value: object, dossier_id: str, where: str) -> Any:
    if isinstance(value, date):
        return value.toordinal()
    encoded = encode_scalar(value)
    if encoded is None:
        raise FactEncodingError(
            f"dossier {dossier_id}: {where}: {value!r} cannot be given to durable_rules "
            "(it compares numbers as C doubles, exactly only within ±2**53)")
    return encoded


_DERIVED: dict[str, Callable[[Any], object]] = {
    "len": len,
    "lower": str.lower,
    "exists": lambda value: True,
}


class _NoField(Exception):  # noqa: N818 - internal signal, re-raised with the dossier named
    pass


def _read(text: str, source: object, dossier_id: str) -> object:
    try:
        return _reader(text)(source)
    except _NoField as err:
        raise FactEncodingError(f"dossier {dossier_id}: fact key {text!r}: no field "
                                f"{err.args[0]!r} in the dossier model") from None


@functools.lru_cache(maxsize=4096)
def _reader(text: str) -> Callable[[object], object]:
    """How to read one key from a dossier (or an item): None when the fact is missing."""
    try:
        node = parse(text)
    except ExpressionError:
        raise FactEncodingError(f"fact key {text!r} is not a path") from None
    function: Callable[[Any], object] | None = None
    if isinstance(node, ast.Call) and node.function in _DERIVED and len(node.args) == 1:
        function, node = _DERIVED[node.function], node.args[0]
    steps: list[str | int] = []
    while isinstance(node, ast.Attribute | ast.Index):
        steps.append(node.name if isinstance(node, ast.Attribute) else node.index)
        node = node.value
    if not isinstance(node, ast.Name):
        raise FactEncodingError(f"fact key {text!r} is not a path")
    steps.append(node.name)
    steps.reverse()
    if any(isinstance(step, str) and step.startswith("_") for step in steps):
        raise FactEncodingError(f"fact key {text!r} names a private attribute")

    def read(source: object) -> object:
        value = source
        for step in steps:
            if value is None:
                return None
            if isinstance(step, int):
                value = value[step] if isinstance(value, tuple) and step < len(value) else None
            else:
                try:
                    value = getattr(value, step)
                except AttributeError:
                    raise _NoField(step) from None
        if value is None or function is None:
            return value
        return function(value)

    return read
