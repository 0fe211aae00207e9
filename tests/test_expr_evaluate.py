"""Compile and run expressions against a small hand-built schema (not the dossier model).

Covers Kleene three-valued logic over missing facts, quantifiers, the function library, run-time
errors and load-time (compile) errors with their did-you-mean hints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from cvcm_rules.errors import ExpressionError
from cvcm_rules.expr import (
    ANY,
    BOOL,
    DATE,
    NUMBER,
    STRING,
    Env,
    EvalError,
    ListType,
    Missing,
    ObjectType,
    Scope,
    compile_expression,
    parse,
)

ITEM = ObjectType("Item", {"v": NUMBER, "name": STRING, "tags": ListType(STRING)})
OUTER = ObjectType("Outer", {"xs": ListType(ITEM)})
SECTION = ObjectType("Section", {
    "xs": ListType(ITEM), "outer": ListType(OUTER), "amount": NUMBER, "other": NUMBER,
    "start": DATE, "label": STRING, "flag": BOOL, "nums": ListType(NUMBER),
})
ROOT = ObjectType("Root", {
    "a": SECTION, "p": BOOL, "q": BOOL, "r": BOOL, "x": NUMBER, "y": NUMBER, "s": STRING,
    "d1": DATE, "d2": DATE, "anything": ANY,
})
SCOPE = Scope(ROOT, {"params": ObjectType("params", {"limit": NUMBER}), "as_of": DATE})


def item(v: float | None = 1, name: str | None = "i", tags: tuple[str, ...] = ()) -> Any:
    return SimpleNamespace(v=v, name=name, tags=tags)


def section(**fields: Any) -> Any:
    base: dict[str, Any] = {"xs": (), "outer": (), "amount": None, "other": None,
                            "start": None, "label": None, "flag": None, "nums": ()}
    base.update(fields)
    return SimpleNamespace(**base)


def root(**fields: Any) -> Any:
    base: dict[str, Any] = {"a": section(), "p": None, "q": None, "r": None, "x": None,
                            "y": None, "s": None, "d1": None, "d2": None, "anything": None}
    base.update(fields)
    return SimpleNamespace(**base)


def run(text: str, data: Any = None, *, context: Any = None,
        values: dict[str, object] | None = None) -> Any:
    compiled = compile_expression(parse(text), SCOPE, source=text)
    env = Env(root=root() if data is None else data, values=dict(values or {}),
              context=context)
    return compiled.run(env)


def compile_error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(parse(text), SCOPE, source=text)
    return info.value


def missing_paths(value: object) -> set[str]:
    assert isinstance(value, Missing), f"expected a missing value, got {value!r}"
    return set(value.paths)


# -- Kleene logic ---------------------------------------------------------------------------------

M = "missing"
# Strong Kleene truth tables (false dominates 'and', true dominates 'or', unknown otherwise).
AND = {(True, True): True, (True, False): False, (True, M): M,
       (False, True): False, (False, False): False, (False, M): False,
       (M, True): M, (M, False): False, (M, M): M}
OR = {(True, True): True, (True, False): True, (True, M): True,
      (False, True): True, (False, False): False, (False, M): M,
      (M, True): True, (M, False): M, (M, M): M}
NOT = {True: False, False: True, M: M}


def _value(v: object) -> bool | None:
    return None if v == M else bool(v)


@pytest.mark.parametrize(("op", "table"), [("and", AND), ("or", OR)])
@pytest.mark.parametrize("left", [True, False, M])
@pytest.mark.parametrize("right", [True, False, M])
def test_kleene_binary(op: str, table: dict[tuple[object, object], object], left: object,
                       right: object) -> None:
    result = run(f"p {op} q", root(p=_value(left), q=_value(right)))
    expected = table[(left, right)]
    if expected == M:
        # Only the operands that were missing are named.
        named = {name for name, v in (("p", left), ("q", right)) if v == M}
        assert missing_paths(result) == named
    else:
        assert result is expected


@pytest.mark.parametrize("operand", [True, False, M])
def test_kleene_not(operand: object) -> None:
    result = run("not p", root(p=_value(operand)))
    if NOT[operand] == M:
        assert missing_paths(result) == {"p"}
    else:
        assert result is NOT[operand]


def test_missing_paths_merge_across_a_chain() -> None:
    data = root(p=None, q=True, r=None)
    assert missing_paths(run("p and q and r", data)) == {"p", "r"}
    assert missing_paths(run("p or not q or r", data)) == {"p", "r"}
    assert run("p and false and r", data) is False
    assert run("p or true", data) is True


def test_missing_propagates_through_comparison_and_arithmetic() -> None:
    data = root(x=None, y=None, a=section(amount=None))
    assert missing_paths(run("x + 1 > 2", data)) == {"x"}
    assert missing_paths(run("x + y > 2", data)) == {"x", "y"}
    assert missing_paths(run("-x < a.amount", data)) == {"x", "a.amount"}


def test_missing_names_the_first_absent_step_of_a_path() -> None:
    assert missing_paths(run("a.amount > 1", root(a=None))) == {"a"}
    assert missing_paths(run("a.amount > 1", root(a=section()))) == {"a.amount"}


def test_zero_false_and_empty_string_are_values_not_missing() -> None:
    data = root(x=0, p=False, s="")
    assert run("x == 0", data) is True
    assert run("p == false", data) is True
    assert run('s == ""', data) is True
    assert run("exists(x) and exists(p) and exists(s)", data) is True


def test_missing_list_elements_have_concrete_indexes() -> None:
    data = root(a=section(xs=(item(1), item(None), item(None))))
    assert missing_paths(run("all(i in a.xs: i.v > 0)", data)) == {"a.xs[1].v", "a.xs[2].v"}
    assert missing_paths(run("a.xs[1].v > 0", data)) == {"a.xs[1].v"}
    # An index past the end is absent at that index.
    assert missing_paths(run("a.xs[7].v > 0", data)) == {"a.xs[7]"}


def test_nested_quantifiers_name_the_full_concrete_path() -> None:
    outer = (SimpleNamespace(xs=(item(1),)), SimpleNamespace(xs=(item(None), item(2))))
    data = root(a=section(outer=outer))
    assert missing_paths(run("all(o in a.outer: all(i in o.xs: i.v > 0))", data)) == {
        "a.outer[1].xs[0].v"}


def test_loop_variable_does_not_leak_out_of_its_quantifier() -> None:
    compiled = compile_expression(parse("any(i in a.xs: i.v > 0)"), SCOPE, source="")
    env = Env(root=root(a=section(xs=(item(1),))))
    assert compiled.run(env) is True
    assert "i" not in env.values
    assert "i" not in env.prefixes


# -- quantifiers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("all(i in a.xs: i.v > 0)", False),
    ("any(i in a.xs: i.v > 2)", True),
    ("any(i in a.xs: i.v > 9)", False),
    ("count(i in a.xs: i.v >= 2)", 2),
    ("sum(i in a.xs: i.v)", 6),
    ("min(i in a.xs: i.v)", -1),
    ("max(i in a.xs: i.v)", 4),
    ('min(i in a.xs: i.name)', "a"),
    ("sum(n in a.nums: n * 2)", 12),
])
def test_quantifiers(text: str, expected: object) -> None:
    xs = (item(3, "c"), item(-1, "a"), item(4, "d"))
    data = root(a=section(xs=xs, nums=(1, 2, 3)))
    result = run(text, data)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(("kind", "expected"), [
    # The empty conjunction is true, the empty disjunction false, an empty count or sum zero.
    ("all", True), ("any", False), ("count", 0), ("sum", 0),
])
def test_quantifiers_over_an_empty_list(kind: str, expected: object) -> None:
    body = "i.v" if kind == "sum" else "i.v > 0"
    result = run(f"{kind}(i in a.xs: {body})", root(a=section(xs=())))
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("kind", ["min", "max"])
def test_min_and_max_of_an_empty_list_are_not_known(kind: str) -> None:
    # There is no least element of nothing: the first element that would be needed is missing.
    result = run(f"{kind}(i in a.xs: i.v)", root(a=section(xs=())))
    assert missing_paths(result) == {"a.xs[0]"}


def test_quantifiers_follow_kleene_logic() -> None:
    data = root(a=section(xs=(item(1), item(None), item(-5))))
    assert run("all(i in a.xs: i.v > 0)", data) is False     # a false item decides
    assert run("any(i in a.xs: i.v > 0)", data) is True      # a true item decides
    assert missing_paths(run("any(i in a.xs: i.v > 9)", data)) == {"a.xs[1].v"}
    assert missing_paths(run("count(i in a.xs: i.v > 0)", data)) == {"a.xs[1].v"}
    assert missing_paths(run("sum(i in a.xs: i.v)", data)) == {"a.xs[1].v"}


def test_quantifier_over_a_missing_list_is_missing() -> None:
    assert missing_paths(run("all(i in a.xs: i.v > 0)", root(a=section(xs=None)))) == {"a.xs"}


def test_quantifier_body_must_be_boolean() -> None:
    with pytest.raises(EvalError) as info:
        run("all(i in a.xs: i.v)", root(a=section(xs=(item(1),))))
    assert info.value.code == "type-error"


# -- functions ------------------------------------------------------------------------------------

def test_date_literal_is_folded_at_compile_time() -> None:
    compiled = compile_expression(parse('date("2024-02-29")'), SCOPE, source="")
    assert compiled.type == DATE
    assert compiled.run(Env(root=None)) == date(2024, 2, 29)


@pytest.mark.parametrize(("text", "expected"), [
    # relativedelta keeps the day of month and clamps 29 February to the 28th in common years.
    ('add_years(date("2024-02-29"), 1)', date(2025, 2, 28)),
    ('add_years(date("2024-02-29"), 4)', date(2028, 2, 29)),
    ('add_years(date("2024-02-29"), -5)', date(2019, 2, 28)),
    ('add_years(date("2023-03-01"), 1)', date(2024, 3, 1)),
    ('add_months(date("2024-01-31"), 1)', date(2024, 2, 29)),
    ('add_days(date("2024-02-28"), 2)', date(2024, 3, 1)),
    # period_end: start + N years - 1 day
    ('period_end(date("2024-01-01"), 10)', date(2033, 12, 31)),
    ('period_end(date("2023-03-01"), 1)', date(2024, 2, 29)),
    ('period_end(date("2024-02-29"), 7)', date(2031, 2, 27)),
    ('period_end(date("2024-02-29"), 4)', date(2028, 2, 28)),
    ('days_between(date("2024-02-28"), date("2024-03-01"))', 2),
    ('days_between(date("2023-02-28"), date("2023-03-01"))', 1),
    ('days_between(date("2024-03-01"), date("2024-02-28"))', -2),
    ('days_between(date("2024-01-01"), date("2025-01-01"))', 366),
    ('year(date("2024-12-31"))', 2024),
])
def test_date_functions(text: str, expected: object) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(("label", "expected"), [
    ("913200007MA1Y7K3Q2", True),
    ("913200007MA1Y7K3Q", False),     # 17 characters
    ("x913200007MA1Y7K3Q2", False),   # a match inside the text is not enough
    ("913200007MA1Y7K3Q2x", False),
])
def test_matches_is_a_full_match(label: str, expected: bool) -> None:
    assert run('matches(a.label, "[0-9A-Z]{18}")', root(a=section(label=label))) is expected


def test_coalesce_and_exists() -> None:
    assert run("coalesce(a.amount, 5)", root(a=section(amount=None))) == 5
    assert run("coalesce(a.amount, 5)", root(a=section(amount=3))) == 3
    assert run("coalesce(a.amount, a.other, 7)", root(a=section(amount=None, other=2))) == 2
    both = run("coalesce(a.amount, a.other)", root(a=section()))
    assert missing_paths(both) == {"a.amount", "a.other"}
    assert run("exists(a.amount)", root(a=section(amount=None))) is False
    assert run("exists(a.amount)", root(a=section(amount=0))) is True
    assert run("exists(a.amount)", root(a=None)) is False


def test_other_library_functions() -> None:
    data = root(a=section(xs=(item(), item()), label="ABC", amount=-2.5))
    assert run("len(a.xs)", data) == 2
    assert run("lower(a.label)", data) == "abc"
    assert run('startswith(a.label, "AB")', data) is True
    assert run("abs(a.amount)", data) == 2.5
    assert run("min(3, 1, 2)", data) == 1
    assert run("max(3, 1, 2)", data) == 3
    assert run("round(2.345, 2)", data) == 2.35
    assert missing_paths(run("max(a.other, 1)", data)) == {"a.other"}


def test_list_literals_and_membership() -> None:
    assert run('s in ["a", "b"]', root(s="b")) is True
    assert run('s not in ["a", "b"]', root(s="b")) is False
    assert run("x in [1, x]", root(x=4)) is True
    assert missing_paths(run('"c" in [s, "b"]', root(s=None))) == {"s"}
    assert run('"b" in a.xs[0].tags', root(a=section(xs=(item(tags=("a", "b")),)))) is True


def test_list_literal_names_every_missing_item() -> None:
    assert missing_paths(run("1 in [x, y]", root(x=None, y=None))) == {"x", "y"}


def test_params_and_as_of_are_locals() -> None:
    values = {"params": SimpleNamespace(limit=10), "as_of": date(2025, 7, 1)}
    assert run("x <= params.limit", root(x=10), values=values) is True
    assert run('as_of > date("2025-06-30")', values=values) is True


# -- working-day functions use the host calendar --------------------------------------------------

@dataclass
class FakeCalendar:
    """Records every question; answers with plain calendar days."""

    calls: list[tuple[object, ...]] = field(default_factory=list)

    def add_working_days(self, start: date, n: int, *, start_counts: bool) -> date:
        self.calls.append(("add_working_days", start, n, start_counts))
        return start + timedelta(days=n)

    def working_days_between(self, a: date, b: date, *, start_counts: bool) -> int:
        self.calls.append(("working_days_between", a, b, start_counts))
        return 7


def test_working_day_functions_call_the_injected_calendar() -> None:
    fake = FakeCalendar()
    context = SimpleNamespace(calendar=fake)
    data = root(d1=date(2026, 7, 17), d2=date(2026, 8, 13))
    assert run("add_working_days(d1, 3, true)", data, context=context) == date(2026, 7, 20)
    assert run("working_days_between(d1, d2, false) == 7", data, context=context) is True
    assert fake.calls == [
        ("add_working_days", date(2026, 7, 17), 3, True),
        ("working_days_between", date(2026, 7, 17), date(2026, 8, 13), False),
    ]


def test_working_day_functions_do_not_call_the_calendar_on_missing_dates() -> None:
    fake = FakeCalendar()
    result = run("working_days_between(d1, d2, true)", root(d1=date(2026, 1, 5)),
                 context=SimpleNamespace(calendar=fake))
    assert missing_paths(result) == {"d2"}
    assert fake.calls == []


def test_working_day_functions_need_a_calendar() -> None:
    with pytest.raises(EvalError) as info:
        run("add_working_days(d1, 3, true)", root(d1=date(2026, 7, 17)), context=None)
    assert info.value.code == "no-calendar"


def test_working_day_flag_must_be_a_boolean() -> None:
    context = SimpleNamespace(calendar=FakeCalendar())
    with pytest.raises(EvalError) as info:
        run("add_working_days(d1, 3, 1)", root(d1=date(2026, 7, 17)), context=context)
    assert info.value.code == "type-error"
    assert context.calendar.calls == []


# -- run-time errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "data"), [
    ("s < 1", root(s="a")),
    ("d1 + 1 > d1", root(d1=date(2024, 1, 1))),
    ("d1 < 5", root(d1=date(2024, 1, 1))),
    ("p and x", root(p=True, x=1)),
    ("x or p", root(p=False, x=0)),
    ("not x", root(x=1)),
    ('-s == 1', root(s="a")),
    ("add_years(s, 1) > d1", root(s="2024-01-01", d1=date(2024, 1, 1))),
    ("add_years(d1, 1.5) > d1", root(d1=date(2024, 1, 1))),
    ("days_between(d1, s) > 0", root(s="2024-01-01", d1=date(2024, 1, 1))),
    ('matches(x, "1")', root(x=1)),
    ("1 in x", root(x=2)),
    ("min(d1, 1) == 1", root(d1=date(2024, 1, 1))),
])
def test_type_mismatch_is_an_eval_error(text: str, data: Any) -> None:
    with pytest.raises(EvalError) as info:
        run(text, data)
    assert info.value.code == "type-error"


@pytest.mark.parametrize("text", ["x / 0 > 1", "x / y > 1", "1.5 / y == 0"])
def test_division_by_zero_is_an_eval_error(text: str) -> None:
    with pytest.raises(EvalError) as info:
        run(text, root(x=3, y=0))
    assert info.value.code == "division-by-zero"


def test_a_condition_that_is_not_boolean_is_returned_as_is() -> None:
    # Deciding what a non-boolean condition means is the engine's job (it reports an error).
    assert run("x + 1", root(x=1)) == 2


def test_string_repetition_is_a_type_error() -> None:
    with pytest.raises(EvalError) as info:
        run('s * 3 == "ababab"', root(s="ab"))
    assert info.value.code == "type-error"


# -- load-time errors -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "code", "offset", "reason"), [
    ("amout > 1", "unknown-name", 0, "'amout' is not a known name"),
    ("p and aa.amount > 1", "unknown-name", 6, "'aa' is not a known name (did you mean 'a'?)"),
    ("parms.limit > 1", "unknown-name", 0,
     "'parms' is not a known name (did you mean 'params'?)"),
    ("x > 1 and a.amout > 1", "unknown-path", 10,
     "Section has no field 'amout' (in 'a.amout') (did you mean 'amount'?)"),
    ("a.xs[0].nmae == 1", "unknown-path", 0,
     "Item has no field 'nmae' (in 'a.xs[0].nmae') (did you mean 'name'?)"),
    ("params.limt > 1", "unknown-path", 0,
     "params has no field 'limt' (in 'params.limt') (did you mean 'limit'?)"),
    ("add_year(d1, 1) > d2", "unknown-function", 0,
     "'add_year' is not a library function (did you mean 'add_years'?)"),
    ("x > 0 and eval(s)", "unknown-function", 10, "'eval' is not a library function"),
    ("add_years(d1) > d2", "wrong-arity", 0, "add_years() takes 2 arguments, got 1"),
    ("coalesce(x) > 1", "wrong-arity", 0, "coalesce() takes 2 to 8 arguments, got 1"),
    ("all(i in a.amount: i > 0)", "not-a-list", 0, "all() needs a list, got a number"),
    ("a.amount[0] > 1", "not-a-list", 0, "cannot index into a number"),
    ("x == null", "bad-literal", 5, "null is not a value; use exists(...)"),
    ('date("2023-02-30") > d1', "bad-literal", 5, "'2023-02-30' is not a YYYY-MM-DD date"),
    ("date(s) > d1", "bad-literal", 0, "argument 1 of date() must be a literal"),
    ('matches(s, "(")', "bad-literal", 11,
     "invalid pattern: missing ), unterminated subpattern at position 0"),
    ("matches(s, s)", "bad-literal", 0, "argument 2 of matches() must be a literal"),
    ("a.xs.v > 1", "not-an-object", 0,
     "'.v' on a list; use a quantifier such as all(x in ...: x.v ...)"),
    ("all(x in a.xs: x.v > 0)", "shadowed-name", 0, "loop variable 'x' hides a dossier name"),
])
def test_load_time_errors(text: str, code: str, offset: int, reason: str) -> None:
    err = compile_error(text)
    assert (err.code, err.offset, err.reason) == (code, offset, reason)


@pytest.mark.parametrize("text", ["20240101", "2024-W01-1"])
def test_date_literal_accepts_only_yyyy_mm_dd(text: str) -> None:
    err = compile_error(f'date("{text}") > d1')
    assert (err.code, err.reason) == ("bad-literal", f"{text!r} is not a YYYY-MM-DD date")


def test_a_pattern_longer_than_the_bound_is_refused() -> None:
    err = compile_error(f'matches(s, "{"a" * 201}")')
    assert (err.code, err.reason) == ("bad-literal",
                                      "a pattern is a string of at most 200 characters")


def test_paths_through_an_untyped_value_are_not_checked() -> None:
    data = root(anything=SimpleNamespace(deep=SimpleNamespace(field=3)))
    assert run("anything.deep.field == 3", data) is True


def test_trace_records_sub_expression_values() -> None:
    text = "x + 1 > y"
    compiled = compile_expression(parse(text), SCOPE, source=text, trace=True)
    env = Env(root=root(x=1, y=None), trace=[])
    assert missing_paths(compiled.run(env)) == {"y"}
    assert env.trace is not None
    recorded = {(event.expression, event.offset) for event in env.trace}
    assert {("x", 0), ("x + 1", 0), ("y", 8), ("x + 1 > y", 0)} <= recorded
    values = {event.expression: event.value for event in env.trace}
    assert values["x + 1"] == 2
