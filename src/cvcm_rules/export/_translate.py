"""Translate a rule's expressions into formulas durable_rules can test, or say why not.

The translation keeps the engine's meaning exactly, or refuses: a construct durable_rules cannot
express with the same result on every dossier raises :class:`NotExportable` with the reason. Lets
are inlined where they are read; parameters and ``as_of`` are resolved for the export date; dates
become day numbers (``date.toordinal()``); negation is pushed down to the tests, so every
formula is monotone and every test is false when a fact it reads is absent (see ``_formula``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from cvcm_rules.export._formula import (
    FALSE,
    TRUE,
    AllOf,
    AnyOf,
    Compare,
    Const,
    Each,
    Exists,
    Formula,
    Key,
    Scalar,
    conj,
    disj,
)
from cvcm_rules.expr import ListType, ObjectType, ScalarType, Type, parse, path_text, unparse
from cvcm_rules.expr import nodes as ast
from cvcm_rules.packs._types import dossier_type

__all__ = ["MAX_EXACT", "NotExportable", "Translator", "encode_scalar"]

_T = TypeVar("_T")
MAX_EXACT = 2**53  # durable_rules compares numbers as C doubles: beyond this, not exactly


class NotExportable(Exception):  # noqa: N818 - a verdict on a rule, not a failure of the code
    """A rule, or part of one, that durable_rules cannot test with the engine's meaning."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Value:
    """A value known at export time: a literal, a parameter, ``as_of``."""

    value: Any
    kind: str


@dataclass(frozen=True, slots=True)
class Field:
    """A value read from the fact (``key``), with its static type."""

    key: Key
    kind: str
    type: Type
    derived: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """``coalesce(...)``: each option with the formula that says it is the one chosen."""

    options: tuple[tuple[Formula, Value | Field], ...]


Term = Value | Field | Choice


@dataclass(frozen=True, slots=True)
class _Loop:
    variable: str
    item_type: Type
    constant: Value | None = None  # expanding a quantifier over a parameter list


_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<",
            "in": "not_in", "not_in": "in"}
_SWAPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_PYTHON: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}
_ORDERED = frozenset({"number", "date"})
_SCALARS = frozenset({"number", "date", "string", "bool"})

_WORKING_DAYS = ("working days need China's holiday calendar (statutory holidays and make-up "
                 "working days), which only the engine has")
_DATE_MATHS = ("date arithmetic is not exported: durable_rules has no dates, only the day "
               "numbers of the fact")
_REFUSED_FUNCTIONS = {
    "add_working_days": _WORKING_DAYS,
    "working_days_between": _WORKING_DAYS,
    "add_days": _DATE_MATHS,
    "add_months": _DATE_MATHS,
    "add_years": _DATE_MATHS,
    "period_end": _DATE_MATHS,
    "days_between": _DATE_MATHS,
    "year": _DATE_MATHS,
    "matches": "a regular expression: durable_rules' pattern dialect is not Python's "
               "(for one, \\d compiles but never matches)",
}


def encode_scalar(value: object) -> Scalar | None:
    """A literal or parameter value as durable_rules compares it; None if it cannot be exact.

    Example:
        >>> encode_scalar(date(2023, 10, 19)), encode_scalar("CN"), encode_scalar(2**60)
        (738812, 'CN', None)
    """
    if isinstance(value, bool | str):
        return value
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, int | float) and abs(value) <= MAX_EXACT:
        return value
    return None


def _kind(type_: Type) -> str:
    if isinstance(type_, ListType):
        return "list"
    if isinstance(type_, ObjectType):
        return "object"
    return type_.name


def _value(raw: object, what: str) -> Value:
    if isinstance(raw, list | tuple):
        return Value(tuple(_value(item, what) for item in raw), "list")
    encoded = encode_scalar(raw)
    if encoded is None:
        raise NotExportable(f"{what} {raw!r} cannot be compared exactly in durable_rules")
    kind = ("bool" if isinstance(raw, bool) else "string" if isinstance(raw, str)
            else "date" if isinstance(raw, date) else "number")
    return Value(encoded, kind)


class Translator:
    """Translate the expressions of one rule, with its lets and resolved parameters.

    Args:
        lets: the rule's ``let`` bindings, parsed.
        params: the parameter values in force on the export date.
        as_of: the export date.
    """

    def __init__(self, lets: Mapping[str, ast.Node], params: Mapping[str, object],
                 as_of: date) -> None:
        self.lets = lets
        self.params = params
        self.as_of = as_of
        self.root = dossier_type()
        self.loops: tuple[_Loop, ...] = ()
        self.expanding: tuple[str, ...] = ()

    @classmethod
    def for_texts(cls, lets: Mapping[str, str], params: Mapping[str, object],
                  as_of: date) -> Translator:
        """A translator for a rule whose lets are given as source text."""
        return cls({name: parse(text) for name, text in lets.items()}, params, as_of)

    def formula(self, text: str, *, negate: bool = False) -> Formula:
        """The formula of a boolean expression (of its negation, with ``negate``)."""
        return self.boolean(parse(text), negate=negate)

    # -- truth values --------------------------------------------------------------------------
    def boolean(self, node: ast.Node, *, negate: bool) -> Formula:
        """The formula that is true when ``node`` is true (false, with ``negate``)."""
        if isinstance(node, ast.BoolOp):
            parts = [self.boolean(item, negate=negate) for item in node.operands]
            return conj(*parts) if (node.op == "and") != negate else disj(*parts)
        if isinstance(node, ast.Not):
            return self.boolean(node.operand, negate=not negate)
        if isinstance(node, ast.Literal) and isinstance(node.value, bool):
            return Const(node.value != negate)
        if isinstance(node, ast.Compare):
            op = _NEGATED[node.op] if negate else node.op
            left, right = self.term(node.left), self.term(node.right)
            if op in ("in", "not_in"):
                return self.membership(left, right, positive=op == "in")
            return self.compare(left, op, right)
        if isinstance(node, ast.Quantifier):
            return self.quantifier(node, negate=negate)
        if isinstance(node, ast.Call) and node.function == "exists":
            return self.exists(self.term(node.args[0]), present=not negate)
        let = self._let(node)
        if let is not None:
            return self._expand(let, lambda: self.boolean(self.lets[let], negate=negate))
        term = self.term(node)
        if isinstance(term, Value) and isinstance(term.value, bool):
            return Const(term.value != negate)
        if isinstance(term, Field) and term.kind == "bool":
            return Compare("==", term.key, not negate)
        raise NotExportable(f"{_text(node)} is not a truth value durable_rules can test")

    def compare(self, left: Term, op: str, right: Term) -> Formula:
        """``left op right`` with ``op`` one of ``== != < <= > >=``."""
        if isinstance(left, Choice):
            return disj(*(conj(chosen, self.compare(option, op, right))
                          for chosen, option in left.options))
        if isinstance(right, Choice):
            return disj(*(conj(chosen, self.compare(left, op, option))
                          for chosen, option in right.options))
        _check_kinds(left.kind, op, right.kind)
        if isinstance(left, Value) and isinstance(right, Value):
            return Const(_PYTHON[op](left.value, right.value))
        if isinstance(left, Value) or (isinstance(right, Field) and right.key.item):
            left, right, op = right, left, _SWAPPED[op]
        assert isinstance(left, Field)
        if isinstance(right, Value):
            return Compare(op, left.key, right.value)
        if left.key.item and right.key.item:
            raise NotExportable("compares two fields of the same list item, which "
                                "durable_rules refuses (error 102)")
        if left.key.item:
            return Compare(op, left.key, right.key)
        # A key that is absent on the right of a comparison makes durable_rules match every
        # operator: test that it is present.
        return conj(Exists(right.key, present=True), Compare(op, left.key, right.key))

    def membership(self, item: Term, collection: Term, *, positive: bool) -> Formula:
        """``item in collection`` (``not in`` unless ``positive``)."""
        op = "==" if positive else "!="
        if isinstance(collection, Value) and collection.kind == "list":
            parts = [self.compare(item, op, element) for element in collection.value]
            if positive:
                return disj(*parts)
            return conj(self.present(item), *parts)  # `x not in []` is missing when x is
        if not (isinstance(collection, Field) and collection.kind == "list"):
            raise NotExportable("'in' needs a list (a substring test is not exported)")
        assert isinstance(collection.type, ListType)
        element = _kind(collection.type.item)
        if isinstance(item, Choice) or (isinstance(item, Field) and item.key.item):
            raise NotExportable("'in' over a list field needs a literal, a parameter or a "
                                "dossier field on its left")
        _check_kinds(item.kind, op, element)
        value: Scalar | Key = item.value if isinstance(item, Value) else item.key
        body = Compare(op, Key("", item=True, kind=element), value)
        if positive:
            return Each("any", collection.key, body)
        return conj(self.present(item), disj(Each("all", collection.key, body),
                                             Compare("==", _len_key(collection), 0)))

    def quantifier(self, node: ast.Quantifier, *, negate: bool) -> Formula:
        """``all``/``any`` over a list field, or over a parameter list (expanded)."""
        if node.kind not in ("all", "any"):
            raise NotExportable(f"{node.kind}() aggregates a list; durable_rules can only "
                                "test whether all or any items match")
        every = (node.kind == "all") != negate
        collection = self.term(node.collection)
        if isinstance(collection, Value) and collection.kind == "list":
            parts = [self._in_loop(_Loop(node.variable, ScalarType("any"), element),
                                   node.body, negate=negate) for element in collection.value]
            return conj(*parts) if every else disj(*parts)
        if not (isinstance(collection, Field) and isinstance(collection.type, ListType)):
            raise NotExportable(f"{node.kind}() over {_text(node.collection)}, which is not "
                                "a list of the dossier")
        body = self._in_loop(_Loop(node.variable, collection.type.item), node.body,
                             negate=negate)
        _check_item_scoped(body)
        length = _len_key(collection)
        if every:
            if body == TRUE:
                return Exists(length, present=True)
            return disj(Each("all", collection.key, body) if body != FALSE else FALSE,
                        Compare("==", length, 0))
        if body == TRUE:
            return Compare(">", length, 0)
        return FALSE if body == FALSE else Each("any", collection.key, body)

    def exists(self, term: Term, *, present: bool) -> Formula:
        """``exists(term)`` (or its negation)."""
        if isinstance(term, Value):
            return Const(present)
        if isinstance(term, Choice):
            raise NotExportable("exists() of a coalesce() is not exported")
        key = term.key
        if key.item and not key.name:
            return Const(present)  # an item of a list of values is never missing
        if term.kind in ("object", "list"):
            key = Key(f"exists({key.name})", item=key.item, kind="bool")
        return Exists(key, present=present)

    def present(self, term: Term) -> Formula:
        """True when ``term`` has a value (a value known at export time always has one)."""
        if isinstance(term, Value):
            return TRUE
        if isinstance(term, Field):
            return Exists(term.key, present=True)
        return disj(*(conj(chosen, self.present(option)) for chosen, option in term.options))

    # -- values --------------------------------------------------------------------------------
    def term(self, node: ast.Node) -> Term:
        """The value of ``node``: known now, read from the fact, or a ``coalesce`` choice."""
        if isinstance(node, ast.Literal):
            if node.value is None:
                raise NotExportable("null literal")
            return _value(node.value, "literal")
        if isinstance(node, ast.Negate) and isinstance(node.operand, ast.Literal):
            number = node.operand.value
            if isinstance(number, int | float) and not isinstance(number, bool):
                return _value(-number, "literal")
        if isinstance(node, ast.ListLiteral):
            items = [self.term(item) for item in node.items]
            if not all(isinstance(item, Value) for item in items):
                raise NotExportable("a list literal with dossier fields in it")
            return Value(tuple(items), "list")
        if isinstance(node, ast.Name | ast.Attribute | ast.Index):
            return self.path(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinaryOp | ast.Negate):
            raise NotExportable("arithmetic is not exported: durable_rules computes in doubles "
                                "and integer division by zero kills its process")
        if isinstance(node, ast.Quantifier):
            raise NotExportable(f"{node.kind}() over a list computes a value; durable_rules can "
                                "only test whether all or any items match")
        raise NotExportable(f"uses the truth value of {_text(node)} as a value")

    def call(self, node: ast.Call) -> Term:
        """A library function used as a value."""
        name = node.function
        if name in _REFUSED_FUNCTIONS:
            raise NotExportable(f"{name}(): {_REFUSED_FUNCTIONS[name]}")
        if name == "date":
            literal = node.args[0]
            assert isinstance(literal, ast.Literal)
            return _value(date.fromisoformat(str(literal.value)), "date")
        if name == "coalesce":
            return self.coalesce([self.term(arg) for arg in node.args])
        if name in ("len", "lower"):
            field = self.term(node.args[0])
            allowed = ("list", "string") if name == "len" else ("string",)
            if not isinstance(field, Field) or field.derived or field.kind not in allowed:
                raise NotExportable(f"{name}() of {_text(node.args[0])}: only of a dossier "
                                    f"field that is a {' or a '.join(allowed)}")
            kind = "number" if name == "len" else "string"
            key = Key(f"{name}({field.key.name})", item=field.key.item, kind=kind)
            return Field(key, kind, ScalarType(kind), derived=True)
        raise NotExportable(f"{name}() has no durable_rules counterpart")

    def coalesce(self, terms: list[Term]) -> Choice:
        """The options of ``coalesce(...)``, each guarded by "the ones before it are absent"."""
        options: list[tuple[Formula, Value | Field]] = []
        absent: list[Formula] = []
        for term in terms:
            if isinstance(term, Choice) or term.kind not in _SCALARS:
                raise NotExportable("coalesce() of values that are not dossier scalars")
            if options and term.kind != options[0][1].kind:
                raise NotExportable("coalesce() of values of different types")
            if isinstance(term, Value):
                options.append((conj(*absent), term))
                break
            options.append((conj(*absent, Exists(term.key, present=True)), term))
            absent.append(Exists(term.key, present=False))
        return Choice(tuple(options))

    def path(self, node: ast.Name | ast.Attribute | ast.Index) -> Term:
        """A name or a path: a loop item, a let, a parameter, ``as_of`` or a dossier field."""
        steps: list[str | int] = []
        cursor: ast.Node = node
        while isinstance(cursor, ast.Attribute | ast.Index):
            steps.append(cursor.name if isinstance(cursor, ast.Attribute) else cursor.index)
            cursor = cursor.value
        steps.reverse()
        if not isinstance(cursor, ast.Name):
            raise NotExportable(f"{_text(node)} is not a path")
        name = cursor.name
        loop = next((lp for lp in reversed(self.loops) if lp.variable == name), None)
        if loop is not None:
            return self._loop_path(loop, steps)
        if name in self.lets:
            return self._let_path(name, steps)
        if name == "params":
            if len(steps) != 1 or not isinstance(steps[0], str):
                raise NotExportable("params is read as a whole")
            return _value(self.params[steps[0]], f"parameter {steps[0]}")
        if name == "as_of":
            return _value(self.as_of, "as_of")
        if name not in self.root.fields:
            raise NotExportable(f"unknown name {name!r}")
        type_ = _walk_type(self.root.fields[name], steps)
        kind = _kind(type_)
        return Field(Key(_join(name, steps), kind=kind), kind, type_)

    def _loop_path(self, loop: _Loop, steps: list[str | int]) -> Term:
        if loop.constant is not None:
            if steps:
                raise NotExportable("a field of a parameter value")
            return loop.constant
        innermost = next(lp for lp in reversed(self.loops) if lp.constant is None)
        if loop is not innermost:
            raise NotExportable(f"refers to the outer loop variable {loop.variable!r} inside "
                                "an inner one (durable_rules' $i is the innermost item)")
        type_ = _walk_type(loop.item_type, steps)
        kind = _kind(type_)
        return Field(Key(_join("", steps), item=True, kind=kind), kind, type_)

    def _let_path(self, name: str, steps: list[str | int]) -> Term:
        bound = self.lets[name]
        if not steps:
            return self._expand(name, lambda: self.term(bound))
        if not isinstance(bound, ast.Name | ast.Attribute | ast.Index):
            raise NotExportable(f"a field of the computed value {name!r}")
        rebuilt: ast.Node = bound
        for step in steps:
            rebuilt = (ast.Attribute(rebuilt, step) if isinstance(step, str)
                       else ast.Index(rebuilt, step))
        assert isinstance(rebuilt, ast.Attribute | ast.Index)
        return self._expand(name, lambda: self.path(rebuilt))

    # -- scopes --------------------------------------------------------------------------------
    def _let(self, node: ast.Node) -> str | None:
        if not isinstance(node, ast.Name) or node.name not in self.lets:
            return None
        if any(loop.variable == node.name for loop in self.loops):
            return None
        return node.name

    def _expand(self, name: str, build: Callable[[], _T]) -> _T:
        if name in self.expanding:
            raise NotExportable(f"let {name!r} refers to itself")
        saved, loops = self.expanding, self.loops
        # A let is computed once, outside every loop: no loop variable is in its scope.
        self.expanding, self.loops = (*saved, name), ()
        try:
            return build()
        finally:
            self.expanding, self.loops = saved, loops

    def _in_loop(self, loop: _Loop, body: ast.Node, *, negate: bool) -> Formula:
        saved = self.loops
        self.loops = (*saved, loop)
        try:
            return self.boolean(body, negate=negate)
        finally:
            self.loops = saved


def _check_kinds(left: str, op: str, right: str) -> None:
    if left != right:
        raise NotExportable(f"compares a {left} with a {right}")
    if left not in _SCALARS:
        raise NotExportable(f"compares a value of type {left}, not a number, date, string or "
                            "bool")
    if op not in ("==", "!=") and left not in _ORDERED:
        raise NotExportable(f"orders {left}s (< <= > >=): durable_rules orders strings "
                            "differently from Python (it compares their escaped JSON text)")


def _check_item_scoped(body: Formula) -> None:
    """Inside ``$iany``/``$iall`` a key names a field of the item: every test must be on one."""
    if isinstance(body, AllOf | AnyOf):
        for item in body.items:
            _check_item_scoped(item)
    elif isinstance(body, Compare | Exists | Each) and not body.key.item:
        raise NotExportable("a test inside all()/any() that is not on the list item "
                            f"({body.key.name}); durable_rules would read it from the item")


def _len_key(collection: Field) -> Key:
    return Key(f"len({collection.key.name})", item=collection.key.item, kind="number")


def _walk_type(type_: Type, steps: list[str | int]) -> Type:
    for step in steps:
        if isinstance(step, int):
            if not isinstance(type_, ListType):
                raise NotExportable("an index into something that is not a list")
            type_ = type_.item
        elif isinstance(type_, ObjectType) and step in type_.fields:
            type_ = type_.fields[step]
        else:
            raise NotExportable(f"no field {step!r} in the dossier model")
    return type_


def _join(head: str, steps: list[str | int]) -> str:
    text = head
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _text(node: ast.Node) -> str:
    return path_text(node) or unparse(node)
