"""The fixed function library of the expression language.

A pack can call only the functions listed here; the loader refuses any other name with a "did you
mean" hint. Functions are pure, except the working-day functions, which ask the host (the engine)
for its calendar through :class:`WorkingDayCalendar` so that this module knows nothing of China.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from cvcm_rules.expr.values import ANY, BOOL, DATE, NUMBER, STRING, EvalError, Type

__all__ = [
    "FUNCTIONS",
    "FunctionSpec",
    "WorkingDayCalendar",
    "period_end",
    "strict_date",
    "strip_trailing_number",
    "trailing_number",
]


class WorkingDayCalendar(Protocol):
    """What the engine must provide for the working-day functions."""

    def add_working_days(self, start: date, n: int, *, start_counts: bool) -> date:
        """The date of the n-th working day counted from ``start``."""
        ...

    def working_days_between(self, a: date, b: date, *, start_counts: bool) -> int:
        """The number of working days from ``a`` to ``b``."""
        ...


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One library function: arity, result type and how missing arguments are handled."""

    name: str
    min_args: int
    max_args: int
    returns: Type
    impl: Callable[..., object]
    propagates_missing: bool = True
    needs_context: bool = False
    literal_args: tuple[int, ...] = ()


def _expect(value: object, kind: type | tuple[type, ...], function: str, what: str) -> None:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise EvalError(
            "type-error", f"{function}(): {what} must be {_kind_name(kind)}, got {value!r}"
        )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {date: "a date", int: "a whole number", float: "a number", str: "a string"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def strict_date(text: str) -> date:
    """Parse exactly ``YYYY-MM-DD`` (``date.fromisoformat`` also takes ``20240101``, week dates).

    Raises:
        ValueError: anything else, or an impossible day.

    Example:
        >>> strict_date("2024-02-29")
        datetime.date(2024, 2, 29)
    """
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"{text!r} is not a YYYY-MM-DD date")
    return date.fromisoformat(text)


def _date(text: object) -> date:
    _expect(text, str, "date", "the argument")
    assert isinstance(text, str)
    try:
        return strict_date(text)
    except ValueError:
        raise EvalError("bad-date", f"date(): {text!r} is not a valid YYYY-MM-DD date") from None


def _add_days(start: object, n: object) -> date:
    _expect(start, date, "add_days", "the first argument")
    _expect(n, int, "add_days", "the day count")
    assert isinstance(start, date) and isinstance(n, int)
    return start + timedelta(days=n)


def _add_months(start: object, n: object) -> date:
    _expect(start, date, "add_months", "the first argument")
    _expect(n, int, "add_months", "the month count")
    assert isinstance(start, date) and isinstance(n, int)
    result: date = start + relativedelta(months=n)
    return result


def _add_years(start: object, n: object) -> date:
    _expect(start, date, "add_years", "the first argument")
    _expect(n, int, "add_years", "the year count")
    assert isinstance(start, date) and isinstance(n, int)
    return _shift_years(start, n)


def _shift_years(start: date, years: int) -> date:
    """``start + relativedelta(years=N)``: same result, without its cost when no clamp is needed.

    Only 29 February can need clamping (to 28 February of a common year); that case goes through
    ``relativedelta`` itself so there is one source of truth for the clamp.

    Example:
        >>> _shift_years(date(2024, 2, 29), 1), _shift_years(date(2023, 3, 1), 5)
        (datetime.date(2025, 2, 28), datetime.date(2028, 3, 1))
    """
    month, day = start.month, start.day
    if month == 2 and day == 29:
        clamped: date = start + relativedelta(years=years)
        return clamped
    if start.__class__ is date:  # the constructor: replace() with a keyword costs twice as much
        return date(start.year + years, month, day)
    return start.replace(year=start.year + years)


def period_end(start: date, years: int) -> date:
    """Last day of a period of whole years that begins on ``start``: start + N years - 1 day.

    The N-th anniversary is computed from the original start with ``relativedelta`` (never by
    chaining), and a 29 February start has its anniversary on 28 February of a common year, as
    ``relativedelta`` clamps. This is the one end-date convention every pack uses.

    Example:
        >>> period_end(date(2024, 1, 1), 10)
        datetime.date(2033, 12, 31)
        >>> period_end(date(2024, 2, 29), 7)
        datetime.date(2031, 2, 27)
    """
    return _shift_years(start, years) - timedelta(days=1)


def _period_end(start: object, years: object) -> date:
    _expect(start, date, "period_end", "the start")
    _expect(years, int, "period_end", "the year count")
    assert isinstance(start, date) and isinstance(years, int)
    return period_end(start, years)


def _days_between(a: object, b: object) -> int:
    _expect(a, date, "days_between", "the first argument")
    _expect(b, date, "days_between", "the second argument")
    assert isinstance(a, date) and isinstance(b, date)
    return (b - a).days


def _year(d: object) -> int:
    _expect(d, date, "year", "the argument")
    assert isinstance(d, date)
    return d.year


def _add_working_days(calendar: Any, start: object, n: object, start_counts: object) -> date:
    _expect(start, date, "add_working_days", "the start")
    _expect(n, int, "add_working_days", "the working-day count")
    _expect(start_counts, bool, "add_working_days", "start_counts")
    result: date = _calendar(calendar).add_working_days(
        start, n, start_counts=bool(start_counts)  # type: ignore[arg-type]
    )
    return result


def _working_days_between(calendar: Any, a: object, b: object, start_counts: object) -> int:
    _expect(a, date, "working_days_between", "the first date")
    _expect(b, date, "working_days_between", "the second date")
    _expect(start_counts, bool, "working_days_between", "start_counts")
    result: int = _calendar(calendar).working_days_between(
        a, b, start_counts=bool(start_counts)  # type: ignore[arg-type]
    )
    return result


def _calendar(context: Any) -> WorkingDayCalendar:
    calendar = getattr(context, "calendar", None)
    if calendar is None:
        raise EvalError("no-calendar", "working-day functions need a calendar; none was given")
    return calendar  # type: ignore[no-any-return]


def _exists(value: object) -> bool:
    from cvcm_rules.expr.values import Missing

    return not isinstance(value, Missing)


def _coalesce(*values: object) -> object:
    from cvcm_rules.expr.values import Missing

    missing: Missing | None = None
    for value in values:
        if not isinstance(value, Missing):
            return value
        missing = value if missing is None else missing.merge(value)
    return missing


def _len(value: object) -> int:
    _expect(value, (list, tuple, str), "len", "the argument")
    assert isinstance(value, list | tuple | str)
    return len(value)


def _matches(text: object, pattern: object) -> bool:
    _expect(text, str, "matches", "the text")
    assert isinstance(text, str) and isinstance(pattern, re.Pattern)
    return pattern.fullmatch(text) is not None


def _min(*values: object) -> object:
    try:
        return min(values)  # type: ignore[type-var]
    except TypeError as err:
        raise EvalError("type-error", f"min(): cannot compare {values!r}") from err


def _max(*values: object) -> object:
    try:
        return max(values)  # type: ignore[type-var]
    except TypeError as err:
        raise EvalError("type-error", f"max(): cannot compare {values!r}") from err


def _abs(value: object) -> object:
    _expect(value, (int, float), "abs", "the argument")
    assert isinstance(value, int | float)
    return abs(value)


def _round(value: object, digits: object = 0) -> object:
    _expect(value, (int, float), "round", "the value")
    _expect(digits, int, "round", "the digit count")
    assert isinstance(value, int | float) and isinstance(digits, int)
    return round(value, digits)


def _lower(text: object) -> str:
    _expect(text, str, "lower", "the argument")
    assert isinstance(text, str)
    return text.lower()


def _startswith(text: object, prefix: object) -> bool:
    _expect(text, str, "startswith", "the text")
    _expect(prefix, str, "startswith", "the prefix")
    assert isinstance(text, str) and isinstance(prefix, str)
    return text.startswith(prefix)


_TRAILING_DIGITS = re.compile(r"[0-9]+$")


def trailing_number(text: str) -> int:
    """The whole number written at the end of ``text`` (ASCII digits only).

    Serial numbers usually end in a running number, so the length of a serial range is
    ``trailing_number(end) - trailing_number(start) + 1`` when both ends share a prefix.

    Raises:
        ValueError: ``text`` does not end in a digit.

    Example:
        >>> trailing_number("AB-2023-0815432")
        815432
        >>> trailing_number("lot 7")
        7
    """
    match = _TRAILING_DIGITS.search(text)
    if match is None:
        raise ValueError(f"{text!r} does not end in a number")
    return int(match.group())


def strip_trailing_number(text: str) -> str:
    """``text`` without the number at its end (unchanged if it does not end in a digit).

    Example:
        >>> strip_trailing_number("AB-2023-0815432")
        'AB-2023-'
        >>> strip_trailing_number("no number")
        'no number'
    """
    return _TRAILING_DIGITS.sub("", text)


def _trailing_number(text: object) -> int:
    _expect(text, str, "trailing_number", "the argument")
    assert isinstance(text, str)
    try:
        return trailing_number(text)
    except ValueError as err:
        raise EvalError("no-number", f"trailing_number(): {err}") from None


def _strip_trailing_number(text: object) -> str:
    _expect(text, str, "strip_trailing_number", "the argument")
    assert isinstance(text, str)
    return strip_trailing_number(text)


def _spec(name: str, arity: tuple[int, int], returns: Type, impl: Callable[..., object],
          **options: Any) -> FunctionSpec:
    return FunctionSpec(name, arity[0], arity[1], returns, impl, **options)


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        _spec("date", (1, 1), DATE, _date, literal_args=(0,)),
        _spec("add_days", (2, 2), DATE, _add_days),
        _spec("add_months", (2, 2), DATE, _add_months),
        _spec("add_years", (2, 2), DATE, _add_years),
        _spec("period_end", (2, 2), DATE, _period_end),
        _spec("days_between", (2, 2), NUMBER, _days_between),
        _spec("year", (1, 1), NUMBER, _year),
        _spec("add_working_days", (3, 3), DATE, _add_working_days, needs_context=True),
        _spec("working_days_between", (3, 3), NUMBER, _working_days_between,
              needs_context=True),
        _spec("exists", (1, 1), BOOL, _exists, propagates_missing=False),
        _spec("coalesce", (2, 8), ANY, _coalesce, propagates_missing=False),
        _spec("len", (1, 1), NUMBER, _len),
        _spec("matches", (2, 2), BOOL, _matches, literal_args=(1,)),
        _spec("min", (2, 8), ANY, _min),
        _spec("max", (2, 8), ANY, _max),
        _spec("abs", (1, 1), NUMBER, _abs),
        _spec("round", (1, 2), NUMBER, _round),
        _spec("lower", (1, 1), STRING, _lower),
        _spec("startswith", (2, 2), BOOL, _startswith),
        _spec("trailing_number", (1, 1), NUMBER, _trailing_number),
        _spec("strip_trailing_number", (1, 1), STRING, _strip_trailing_number),
    )
}
