"""Compile a syntax tree, once, into a Python closure; check names and paths while doing so.

No ``eval`` or ``exec`` is used. Field access goes only to names the static schema declares, so a
pack cannot reach anything the dossier model does not expose; loops run only over dossier lists.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cvcm_rules.errors import ExpressionError
from cvcm_rules.expr._parser import unparse
from cvcm_rules.expr.functions import FUNCTIONS, strict_date
from cvcm_rules.expr.nodes import (
    Attribute,
    BoolOp,
    Call,
    Compare,
    Index,
    ListLiteral,
    Literal,
    Name,
    Negate,
    Node,
    Not,
    Quantifier,
)
from cvcm_rules.expr.values import (
    ANY,
    BOOL,
    NUMBER,
    Env,
    EvalError,
    ListType,
    Missing,
    ObjectType,
    ScalarType,
    TraceEvent,
    Type,
)

__all__ = ["Compiled", "Scope", "compile_expression", "general_closures", "path_text"]

Closure = Callable[[Env], Any]

# Whether common shapes get their specialised one-call closures (see the end of this module).
_SPECIALISE: ContextVar[bool] = ContextVar("specialise", default=True)


@contextmanager
def general_closures() -> Iterator[None]:
    """Compile with the general closures only, one per syntax node.

    The specialised closures must give exactly what the general ones give; the differential
    test loads every pack both ways and compares the reports.
    """
    token = _SPECIALISE.set(False)
    try:
        yield
    finally:
        _SPECIALISE.reset(token)


@dataclass(frozen=True, slots=True)
class Scope:
    """The names an expression may use, and their static types.

    Attributes:
        root: fields of the dossier, reachable as top-level names.
        locals: ``params``, ``as_of``, ``let`` bindings and loop variables (read from Env.values).
        items: the ``for_each`` variable, whose paths are read once per item (``Env.item_memo``).
    """

    root: ObjectType
    locals: Mapping[str, Type]
    items: frozenset[str] = frozenset()

    def with_local(self, name: str, type_: Type) -> Scope:
        """A scope with one more local name (a let binding or a quantifier's variable)."""
        return Scope(self.root, {**self.locals, name: type_}, self.items - {name})

    def with_item(self, name: str, type_: Type) -> Scope:
        """A scope with the ``for_each`` variable, fixed per item: its paths are memoised."""
        return Scope(self.root, {**self.locals, name: type_}, self.items | {name})


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled expression: its closure, its static type and the source it came from."""

    run: Closure
    type: Type
    source: str


def compile_expression(node: Node, scope: Scope, *, source: str, trace: bool = False) -> Compiled:
    """Compile ``node`` for ``scope``.

    Raises:
        ExpressionError: ``unknown-name``, ``unknown-path``, ``unknown-function``,
            ``wrong-arity``, ``not-a-list``, ``bad-literal`` — with did-you-mean hints.
    """
    compiler = _Compiler(source, trace=trace)
    run, type_ = compiler.compile(node, scope)
    return Compiled(run, type_, source)


def path_text(node: Node) -> str | None:
    """The dotted path a node reads (``batches[0].period.start``), or None if it is not a path."""
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Attribute):
        inner = path_text(node.value)
        return None if inner is None else f"{inner}.{node.name}"
    if isinstance(node, Index):
        inner = path_text(node.value)
        return None if inner is None else f"{inner}[{node.index}]"
    return None


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": lambda a, b: _numbers(a, b, "*") and a * b,
    "/": operator.truediv,
}


class _Compiler:
    def __init__(self, source: str, *, trace: bool) -> None:
        self.source = source
        self.trace = trace
        self.specialise = _SPECIALISE.get()

    def error(self, code: str, message: str, node: Node) -> ExpressionError:
        return ExpressionError(code, message, source=self.source, offset=node.offset)

    def compile(self, node: Node, scope: Scope) -> tuple[Closure, Type]:
        run, type_ = self._compile(node, scope)
        if self.trace and not isinstance(node, Literal):
            run = _traced(run, unparse(node), node.offset)
        return run, type_

    def _compile(self, node: Node, scope: Scope) -> tuple[Closure, Type]:
        if isinstance(node, Literal):
            value = node.value
            if value is None:
                raise self.error("bad-literal", "null is not a value; use exists(...)", node)
            return (lambda env: value), _literal_type(value)
        if isinstance(node, Name | Attribute | Index):
            return self.path(node, scope)
        if isinstance(node, ListLiteral):
            return self.list_literal(node, scope)
        if isinstance(node, Call):
            return self.call(node, scope)
        if isinstance(node, Quantifier):
            return self.quantifier(node, scope)
        if isinstance(node, Not):
            return self.negation(node, scope)
        if isinstance(node, Negate):
            operand, _ = self.compile(node.operand, scope)
            return _lift1(operator.neg, operand, "-"), NUMBER
        if isinstance(node, BoolOp):
            operands = [self.compile(item, scope)[0] for item in node.operands]
            return (_and(operands) if node.op == "and" else _or(operands)), BOOL
        if isinstance(node, Compare):
            left, _ = self.compile(node.left, scope)
            if (self.specialise and isinstance(node.right, Literal)
                    and node.right.value is not None):
                self.compile(node.right, scope)  # the same checks as any literal
                return _compare_constant(_COMPARE[node.op], left, node.right.value, node.op), BOOL
            right, _ = self.compile(node.right, scope)
            return _lift2(_COMPARE[node.op], left, right, node.op), BOOL
        left, left_type = self.compile(node.left, scope)
        right, _ = self.compile(node.right, scope)
        return _lift2(_ARITH[node.op], left, right, node.op), left_type

    # -- paths -------------------------------------------------------------------------------
    def path(self, node: Name | Attribute | Index, scope: Scope) -> tuple[Closure, Type]:
        steps: list[tuple[bool, str | int]] = []
        cursor: Node = node
        while isinstance(cursor, Attribute | Index):
            steps.append((False, cursor.name) if isinstance(cursor, Attribute) else
                         (True, cursor.index))
            cursor = cursor.value
        steps.reverse()
        if not isinstance(cursor, Name):
            base, type_ = self.compile(cursor, scope)
            prefix_of: Callable[[Env], str] = lambda env: "(value)"  # noqa: E731
        else:
            base, type_, prefix_of = self.root(cursor, scope)
        for is_index, key in steps:
            type_ = self.step_type(type_, (is_index, key), node)
        if self.specialise and isinstance(cursor, Name) and (text := path_text(node)) is not None:
            fused = _fused_path(cursor.name, scope, tuple(steps), text)
            if fused is not None:
                return fused, type_
        run = _path_closure(base, prefix_of, tuple(steps))
        if isinstance(cursor, Name) and (text := path_text(node)) is not None:
            if cursor.name in scope.items:
                run = _memoised(run, text, per_item=True)
            elif cursor.name not in scope.locals:
                run = _memoised(run, text, per_item=False)
        return run, type_

    def root(self, node: Name, scope: Scope) -> tuple[Closure, Type, Callable[[Env], str]]:
        name = node.name
        if name in scope.locals:
            type_ = scope.locals[name]

            def local(env: Env) -> Any:
                return env.values[name]

            return local, type_, lambda env: env.prefixes.get(name, name)
        if name in scope.root.fields:
            getter = operator.attrgetter(name)
            return (lambda env: getter(env.root)), scope.root.fields[name], lambda env: name
        options = [*scope.locals, *scope.root.fields]
        raise self.error("unknown-name", f"{name!r} is not a known name{_suggest(name, options)}",
                         node)

    def step_type(self, type_: Type, step: tuple[bool, str | int], node: Node) -> Type:
        is_index, key = step
        if type_ == ANY:
            return ANY
        if is_index:
            if not isinstance(type_, ListType):
                raise self.error("not-a-list", f"cannot index into {_type_name(type_)}", node)
            return type_.item
        assert isinstance(key, str)
        if isinstance(type_, ListType):
            raise self.error(
                "not-an-object",
                f"'.{key}' on a list; use a quantifier such as all(x in ...: x.{key} ...)",
                node,
            )
        if not isinstance(type_, ObjectType):
            raise self.error("not-an-object", f"'.{key}' on {_type_name(type_)}", node)
        if key.startswith("_") or key not in type_.fields:
            hint = _suggest(key, list(type_.fields))
            full = path_text(node) or key
            raise self.error(
                "unknown-path",
                f"{type_.name} has no field {key!r} (in {full!r}){hint}",
                node,
            )
        return type_.fields[key]

    # -- other forms -------------------------------------------------------------------------
    def list_literal(self, node: ListLiteral, scope: Scope) -> tuple[Closure, Type]:
        items = [self.compile(item, scope)[0] for item in node.items]
        if all(isinstance(item, Literal) for item in node.items):
            constant = tuple(item.value for item in node.items if isinstance(item, Literal))
            return (lambda env: constant), ListType(ANY)

        def run(env: Env) -> Any:
            values = tuple(item(env) for item in items)
            missing: Missing | None = None
            for value in values:
                if isinstance(value, Missing):
                    missing = value if missing is None else missing.merge(value)
            return values if missing is None else missing

        return run, ListType(ANY)

    def call(self, node: Call, scope: Scope) -> tuple[Closure, Type]:
        spec = FUNCTIONS.get(node.function)
        if spec is None:
            hint = _suggest(node.function, sorted(FUNCTIONS))
            raise self.error("unknown-function",
                             f"{node.function!r} is not a library function{hint}", node)
        count = len(node.args)
        if not spec.min_args <= count <= spec.max_args:
            expected = (str(spec.min_args) if spec.min_args == spec.max_args
                        else f"{spec.min_args} to {spec.max_args}")
            raise self.error("wrong-arity",
                             f"{spec.name}() takes {expected} arguments, got {count}", node)
        for index in spec.literal_args:
            if not isinstance(node.args[index], Literal):
                raise self.error("bad-literal",
                                 f"argument {index + 1} of {spec.name}() must be a literal", node)
        if spec.name == "date":
            return self.date_literal(node)
        args = [self.compile(arg, scope)[0] for arg in node.args]
        if self.specialise and not self.trace and spec.name in ("exists", "coalesce"):
            special = _special_call(spec.name, args, node.args)
            if special is not None:
                return special, spec.returns
        if spec.name == "matches":
            args[1] = self.regex(node)
        return _call_closure(spec.impl, args, node.function, propagate=spec.propagates_missing,
                             context=spec.needs_context), spec.returns

    def date_literal(self, node: Call) -> tuple[Closure, Type]:
        arg = node.args[0]
        assert isinstance(arg, Literal)
        try:
            value = strict_date(str(arg.value))
        except ValueError:
            raise self.error("bad-literal", f"{arg.value!r} is not a YYYY-MM-DD date",
                             arg) from None
        return (lambda env: value), ScalarType("date")

    def regex(self, node: Call) -> Closure:
        arg = node.args[1]
        assert isinstance(arg, Literal)
        if not isinstance(arg.value, str) or len(arg.value) > 200:
            raise self.error("bad-literal", "a pattern is a string of at most 200 characters", arg)
        try:
            pattern = re.compile(arg.value)
        except re.error as err:
            raise self.error("bad-literal", f"invalid pattern: {err}", arg) from None
        return lambda env: pattern

    def quantifier(self, node: Quantifier, scope: Scope) -> tuple[Closure, Type]:
        collection, coll_type = self.compile(node.collection, scope)
        if coll_type != ANY and not isinstance(coll_type, ListType):
            raise self.error("not-a-list",
                             f"{node.kind}() needs a list, got {_type_name(coll_type)}", node)
        item_type = coll_type.item if isinstance(coll_type, ListType) else ANY
        if node.variable in scope.root.fields or node.variable in ("params", "as_of"):
            raise self.error("shadowed-name",
                             f"loop variable {node.variable!r} hides a dossier name", node)
        body, body_type = self.compile(node.body, scope.with_local(node.variable, item_type))
        text = path_text(node.collection) or unparse(node.collection)
        prefix = _prefix_closure(node.collection, text)
        result_type = BOOL if node.kind in ("all", "any") else (
            NUMBER if node.kind in ("count", "sum") else body_type)
        return _quantifier_closure(node.kind, node.variable, collection, body, prefix), result_type

    def negation(self, node: Not, scope: Scope) -> tuple[Closure, Type]:
        operand, _ = self.compile(node.operand, scope)

        def run(env: Env) -> Any:
            value = operand(env)
            if value is True:
                return False
            if value is False:
                return True
            if isinstance(value, Missing):
                return value
            raise EvalError("type-error", f"'not' needs true or false, got {value!r}")

        return run, BOOL


def _literal_type(value: object) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    return ScalarType("string")


def _type_name(type_: Type) -> str:
    if isinstance(type_, ListType):
        return "a list"
    if isinstance(type_, ObjectType):
        return f"an object ({type_.name})"
    return f"a {type_.name}"


def _traced(run: Closure, text: str, offset: int) -> Closure:
    def traced(env: Env) -> Any:
        value = run(env)
        if env.trace is not None:
            env.trace.append(TraceEvent(text, offset, value))
        return value

    return traced


def _prefix_closure(node: Node, text: str) -> Callable[[Env], str]:
    """How to name a collection's concrete path at run time (loop variables carry prefixes)."""
    root = node
    while isinstance(root, Attribute | Index):
        root = root.value
    if isinstance(root, Name) and text.startswith(root.name):
        rest = text[len(root.name):]
        name = root.name
        return lambda env: env.prefixes.get(name, name) + rest
    return lambda env: text


def _path_closure(base: Closure, prefix_of: Callable[[Env], str],
                  steps: tuple[tuple[bool, str | int], ...]) -> Closure:
    if not steps:
        def single(env: Env) -> Any:
            value = base(env)
            return Missing.at(prefix_of(env)) if value is None else value

        return single
    if not any(is_index for is_index, _ in steps):
        getter = operator.attrgetter(".".join(str(key) for _, key in steps))

        def fast(env: Env) -> Any:
            value = base(env)
            if value is not None and not isinstance(value, Missing):
                try:
                    result = getter(value)
                except AttributeError:
                    result = None
                if result is not None:
                    return result
            return _walk(value, prefix_of(env), steps)

        return fast

    def slow(env: Env) -> Any:
        return _walk(base(env), prefix_of(env), steps)

    return slow


def _memoised(run: Closure, key: str, *, per_item: bool) -> Closure:
    """Read a path once per dossier (or per ``for_each`` item) however often rules quote it.

    A rule's condition, evidence and both messages read the same facts; the dossier is frozen, so
    a path rooted in it has one value for the whole evaluation, and one rooted in the loop variable
    has one value per item (the engine clears ``Env.item_memo`` between items).
    """
    if per_item:
        def item_path(env: Env) -> Any:
            memo = env.item_memo
            if key in memo:
                return memo[key]
            value = memo[key] = run(env)
            return value

        return item_path

    def dossier_path(env: Env) -> Any:
        memo = env.memo
        if key in memo:
            return memo[key]
        value = memo[key] = run(env)
        return value

    return dossier_path


def _walk(value: Any, path: str, steps: tuple[tuple[bool, str | int], ...]) -> Any:
    """Follow ``steps`` and return the value, or Missing naming the first absent path."""
    if isinstance(value, Missing):
        return value
    for is_index, key in steps:
        if value is None:
            return Missing.at(path)
        if is_index:
            assert isinstance(key, int)
            path = f"{path}[{key}]"
            value = value[key] if key < len(value) else None
        else:
            assert isinstance(key, str)
            path = f"{path}.{key}"
            value = getattr(value, key)
    return Missing.at(path) if value is None else value


def _numbers(a: Any, b: Any, op: str) -> bool:
    """Arithmetic is on numbers only: ``"ab" * 3`` must not build a string of unbounded size."""
    if isinstance(a, str | list | tuple) or isinstance(b, str | list | tuple):
        raise TypeError(f"{op!r} needs numbers")
    return True


def _lift1(fn: Callable[[Any], Any], operand: Closure, op: str) -> Closure:
    def run(env: Env) -> Any:
        value = operand(env)
        if isinstance(value, Missing):
            return value
        try:
            return fn(value)
        except TypeError as err:
            raise EvalError("type-error", f"cannot apply {op!r} to {value!r}") from err

    return run


def _lift2(fn: Callable[[Any, Any], Any], left: Closure, right: Closure, op: str) -> Closure:
    def run(env: Env) -> Any:
        a = left(env)
        b = right(env)
        if a.__class__ is Missing:
            return a.merge(b) if b.__class__ is Missing else a
        if b.__class__ is Missing:
            return b
        try:
            return fn(a, b)
        except TypeError as err:
            raise EvalError("type-error", f"cannot apply {op!r} to {a!r} and {b!r}") from err
        except ZeroDivisionError as err:
            raise EvalError("division-by-zero", f"division by zero in {a!r} / {b!r}") from err

    return run


def _and(operands: list[Closure]) -> Closure:
    if len(operands) == 2:
        return _pair(operands[0], operands[1], decisive=False, op="and")

    def run(env: Env) -> Any:
        missing: Missing | None = None
        for operand in operands:
            value = operand(env)
            if value is False:
                return False
            if isinstance(value, Missing):
                missing = value if missing is None else missing.merge(value)
            elif value is not True:
                raise EvalError("type-error", f"'and' needs true or false, got {value!r}")
        return True if missing is None else missing

    return run


def _or(operands: list[Closure]) -> Closure:
    if len(operands) == 2:
        return _pair(operands[0], operands[1], decisive=True, op="or")

    def run(env: Env) -> Any:
        missing: Missing | None = None
        for operand in operands:
            value = operand(env)
            if value is True:
                return True
            if isinstance(value, Missing):
                missing = value if missing is None else missing.merge(value)
            elif value is not False:
                raise EvalError("type-error", f"'or' needs true or false, got {value!r}")
        return False if missing is None else missing

    return run


def _pair(first: Closure, second: Closure, *, decisive: bool, op: str) -> Closure:
    """``a and b`` (``decisive`` false) or ``a or b`` (true) without the loop of ``_and``/``_or``.

    The same Kleene logic: the decisive value wins, a missing operand otherwise stays missing.
    """
    neutral = not decisive

    def run(env: Env) -> Any:
        a = first(env)
        if a is decisive:
            return decisive
        if a is not neutral and a.__class__ is not Missing:
            raise EvalError("type-error", f"{op!r} needs true or false, got {a!r}")
        b = second(env)
        if b is decisive:
            return decisive
        if b is neutral:
            return a
        if b.__class__ is not Missing:
            raise EvalError("type-error", f"{op!r} needs true or false, got {b!r}")
        if a is neutral:
            return b
        assert isinstance(a, Missing)  # both operands missing: the paths of both
        return a.merge(b)

    return run


def _call_closure(impl: Callable[..., Any], args: list[Closure], name: str, *, propagate: bool,
                  context: bool) -> Closure:
    def guarded(values: list[Any], env: Env) -> Any:
        try:
            return impl(env.context, *values) if context else impl(*values)
        except EvalError:
            raise
        except (TypeError, ValueError, OverflowError, ArithmeticError, LookupError) as err:
            raise EvalError("function-error", f"{name}(): {err}") from err

    if propagate and not context and len(args) == 1:  # the common case (exists, len, year...)
        return _unary_call(impl, args[0], guarded)

    def run(env: Env) -> Any:
        values = [arg(env) for arg in args]
        if propagate:
            missing: Missing | None = None
            for value in values:
                if isinstance(value, Missing):
                    missing = value if missing is None else missing.merge(value)
            if missing is not None:
                return missing
        return guarded(values, env)

    return run


def _unary_call(impl: Callable[[Any], Any], only: Closure,
                guarded: Callable[[list[Any], Env], Any]) -> Closure:
    def unary(env: Env) -> Any:
        value = only(env)
        if isinstance(value, Missing):
            return value
        try:
            return impl(value)
        except (TypeError, ValueError, OverflowError, ArithmeticError, LookupError):
            return guarded([value], env)  # raises the same error, named for the reader

    return unary


def _quantifier_closure(kind: str, variable: str, collection: Closure, body: Closure,
                        prefix: Callable[[Env], str]) -> Closure:
    def run(env: Env) -> Any:
        items = collection(env)
        if isinstance(items, Missing):
            return items
        if not isinstance(items, list | tuple):
            raise EvalError("type-error", f"{kind}() needs a list, got {items!r}")
        base = prefix(env)
        saved = (env.values.get(variable, _UNSET), env.prefixes.get(variable))
        results: list[Any] = []
        try:
            for index, item in enumerate(items):
                env.values[variable] = item
                env.prefixes[variable] = f"{base}[{index}]"
                results.append(body(env))
        finally:
            _restore(env, variable, saved)
        return _AGGREGATE[kind](results, base)

    return run


_UNSET = object()


def _restore(env: Env, variable: str, saved: tuple[object, str | None]) -> None:
    value, prefix = saved
    if value is _UNSET:
        env.values.pop(variable, None)
        env.prefixes.pop(variable, None)
    else:
        env.values[variable] = value
        if prefix is not None:
            env.prefixes[variable] = prefix


def _merge_missing(results: list[Any]) -> Missing | None:
    missing: Missing | None = None
    for value in results:
        if isinstance(value, Missing):
            missing = value if missing is None else missing.merge(value)
    return missing


def _check_bools(results: list[Any], kind: str) -> None:
    for value in results:
        if not isinstance(value, bool | Missing):
            raise EvalError("type-error", f"{kind}() body must be true or false, got {value!r}")


def _agg_all(results: list[Any], base: str) -> Any:
    _check_bools(results, "all")
    if any(value is False for value in results):
        return False
    return _merge_missing(results) or True


def _agg_any(results: list[Any], base: str) -> Any:
    _check_bools(results, "any")
    if any(value is True for value in results):
        return True
    return _merge_missing(results) or False


def _agg_count(results: list[Any], base: str) -> Any:
    _check_bools(results, "count")
    return _merge_missing(results) or sum(1 for value in results if value is True)


def _agg_sum(results: list[Any], base: str) -> Any:
    missing = _merge_missing(results)
    if missing is not None:
        return missing
    try:
        return sum(results)
    except TypeError as err:
        raise EvalError("type-error", f"sum() of non-numbers {results!r}") from err


def _agg_extreme(pick: Callable[..., Any]) -> Callable[[list[Any], str], Any]:
    def aggregate(results: list[Any], base: str) -> Any:
        missing = _merge_missing(results)
        if missing is not None:
            return missing
        if not results:
            return Missing.at(f"{base}[0]")
        try:
            return pick(results)
        except TypeError as err:
            raise EvalError("type-error", f"cannot compare {results!r}") from err

    return aggregate


_AGGREGATE: dict[str, Callable[[list[Any], str], Any]] = {
    "all": _agg_all,
    "any": _agg_any,
    "count": _agg_count,
    "sum": _agg_sum,
    "min": _agg_extreme(min),
    "max": _agg_extreme(max),
}


# -- specialised closures: the common shapes, each in one call -----------------------------------
#
# The general closures above compose one Python call per syntax node. The shapes below are most of
# what packs write (a path, a path compared with a literal, exists(), coalesce() of paths), so each
# gets a single closure doing the whole job. They must return exactly what the general closures
# return; tests/property/test_specialised_closures.py compares the two on every pack.

_NOT_READ = object()


def _fused_path(name: str, scope: Scope, steps: tuple[tuple[bool, str | int], ...],
                key: str) -> Closure | None:
    """A path of attribute steps read in one closure (memoised like ``_memoised``)."""
    if any(is_index for is_index, _ in steps):
        return None
    getter = operator.attrgetter(".".join(str(k) for _, k in steps)) if steps else None
    if name in scope.items:
        return _item_path(name, getter, steps, key)
    if name in scope.locals:
        return _local_path(name, getter, steps)
    if name in scope.root.fields:
        return _dossier_path(name, steps, key)
    return None


def _follow(base: Any, getter: Callable[[Any], Any] | None, env: Env, name: str,
            steps: tuple[tuple[bool, str | int], ...]) -> Any:
    """``base`` (the value of ``name``) followed along ``steps``, or Missing at the first gap.

    The concrete prefix of ``name`` (a loop variable's path) is looked up only on a gap.
    """
    if getter is None:
        return Missing.at(env.prefixes.get(name, name)) if base is None else base
    if base is not None and base.__class__ is not Missing:
        try:
            value = getter(base)
        except AttributeError:
            value = None
        if value is not None:
            return value
    return _walk(base, env.prefixes.get(name, name), steps)


def _item_path(name: str, getter: Callable[[Any], Any] | None,
               steps: tuple[tuple[bool, str | int], ...], key: str) -> Closure:
    rest = "".join(f".{k}" for _, k in steps)

    def item_path(env: Env) -> Any:
        memo = env.item_memo
        value = memo.get(key, _NOT_READ)
        if value is not _NOT_READ:
            return value
        base = env.values[name]
        if getter is None or base is None or base.__class__ is Missing:
            value = _follow(base, getter, env, name, steps)
        else:
            try:
                value = getter(base)
            except AttributeError:  # a field on the way is empty: find which
                value = _walk(base, env.prefixes.get(name, name), steps)
            else:
                if value is None:  # the whole path exists; its last field is empty
                    value = Missing.at(env.prefixes.get(name, name) + rest)
        memo[key] = value
        return value

    return item_path


def _local_path(name: str, getter: Callable[[Any], Any] | None,
                steps: tuple[tuple[bool, str | int], ...]) -> Closure:
    rest = "".join(f".{k}" for _, k in steps)
    if getter is None:
        def local_name(env: Env) -> Any:
            value = env.values[name]
            return Missing.at(env.prefixes.get(name, name)) if value is None else value

        return local_name

    def local_path(env: Env) -> Any:
        base = env.values[name]
        if base is not None and base.__class__ is not Missing:
            try:
                value = getter(base)
            except AttributeError:
                value = None
            else:
                if value is not None:
                    return value
                return Missing.at(env.prefixes.get(name, name) + rest)
        return _walk(base, env.prefixes.get(name, name), steps)

    return local_path


def _dossier_path(name: str, steps: tuple[tuple[bool, str | int], ...], key: str) -> Closure:
    whole = operator.attrgetter(".".join((name, *(str(k) for _, k in steps))))
    first = operator.attrgetter(name)

    def dossier_path(env: Env) -> Any:
        memo = env.memo
        value = memo.get(key, _NOT_READ)
        if value is _NOT_READ:
            try:
                value = whole(env.root)
                if value is None:  # the whole path exists and its last field is empty
                    value = Missing.at(key)
            except AttributeError:
                value = _walk(first(env.root), name, steps)
            memo[key] = value
        return value

    return dossier_path


def _compare_constant(fn: Callable[[Any, Any], Any], left: Closure, constant: object,
                      op: str) -> Closure:
    """``path <op> literal``: the right side needs no call and is never missing."""
    def compare(env: Env) -> Any:
        a = left(env)
        if a.__class__ is Missing:
            return a
        try:
            return fn(a, constant)
        except TypeError as err:
            raise EvalError("type-error",
                            f"cannot apply {op!r} to {a!r} and {constant!r}") from err

    return compare


def _is_plain(node: Node) -> bool:
    """A path or literal: evaluating it cannot raise, so skipping it changes nothing."""
    return isinstance(node, Literal) or path_text(node) is not None


def _special_call(name: str, args: list[Closure], nodes: tuple[Node, ...]) -> Closure | None:
    """``exists(x)`` and ``coalesce(paths...)`` without the general call machinery."""
    if name == "exists":
        only = args[0]
        return lambda env: only(env).__class__ is not Missing
    if not all(_is_plain(node) for node in nodes):
        return None  # coalesce evaluates every argument: an error in a later one must show
    options = tuple(args)

    def coalesce(env: Env) -> Any:
        missing: Missing | None = None
        for option in options:
            value = option(env)
            if value.__class__ is not Missing:
                return value
            missing = value if missing is None else missing.merge(value)
        return missing

    return coalesce
