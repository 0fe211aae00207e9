"""A working-day calendar wrapper that remembers what each rule asked it.

The engine gives each rule evaluation a fresh record, so that a finding can show the deadline it
computed, the holidays it skipped, the make-up days it counted, and whether any year involved was
provisional (a breach found only on a provisional calendar is downgraded to ``warn``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from cvcm_rules.expr.functions import WorkingDayCalendar

if TYPE_CHECKING:
    from cvcm_rules.calendar import WorkingDayExplanation

__all__ = ["CalendarCall", "RecordingCalendar"]


class ExplainingCalendar(WorkingDayCalendar, Protocol):
    """A working-day calendar that also explains its answers: ``ChinaCalendar`` in use.

    A protocol rather than the class itself, so that this compiled module does not import the
    calendar (and holidays) when it is loaded.
    """

    def provisional_years_between(self, a: date, b: date) -> tuple[int, ...]:
        """The provisional years that the span from ``a`` to ``b`` touches."""
        ...

    def explain_between(self, a: date, b: date, *,
                        start_counts: bool) -> WorkingDayExplanation:
        """The holidays skipped and make-up days counted between ``a`` and ``b``."""
        ...


@dataclass(frozen=True, slots=True)
class CalendarCall:
    """One question put to the calendar and its answer."""

    function: str
    start: date
    end: date
    count: int
    start_counts: bool


@dataclass(slots=True, init=False)  # __init__ written out: mypyc compiles it (see _build.py)
class RecordingCalendar:
    """Forwards to a working-day calendar (a ``ChinaCalendar``) and records each call."""

    calendar: ExplainingCalendar
    calls: list[CalendarCall] = field(default_factory=list)
    years_touched: set[int] = field(default_factory=set)

    def __init__(self, calendar: ExplainingCalendar, calls: list[CalendarCall] | None = None,
                 years_touched: set[int] | None = None) -> None:
        self.calendar = calendar
        self.calls = [] if calls is None else calls
        self.years_touched = set() if years_touched is None else years_touched

    def add_working_days(self, start: date, n: int, *, start_counts: bool) -> date:
        """See :meth:`ChinaCalendar.add_working_days`."""
        result = self.calendar.add_working_days(start, n, start_counts=start_counts)
        self.calls.append(CalendarCall("add_working_days", start, result, n, start_counts))
        return result

    def working_days_between(self, a: date, b: date, *, start_counts: bool) -> int:
        """See :meth:`ChinaCalendar.working_days_between`."""
        result = self.calendar.working_days_between(a, b, start_counts=start_counts)
        self.calls.append(CalendarCall("working_days_between", a, b, result, start_counts))
        return result

    def reset(self) -> None:
        """Forget the calls of the previous rule (the touched years are kept for the report)."""
        self.calls = []

    def provisional_years(self) -> list[int]:
        """Provisional years that the recorded calls spanned."""
        years: set[int] = set()
        for call in self.calls:
            years.update(self.calendar.provisional_years_between(call.start, call.end))
        self.years_touched.update(years)
        return sorted(years)

    def explanations(self) -> list[dict[str, Any]]:
        """One explanation per recorded call: span, count, holidays skipped, make-up days."""
        result = []
        for call in self.calls:
            explanation = self.calendar.explain_between(
                call.start, call.end, start_counts=call.start_counts
            ).to_dict()
            explanation["function"] = call.function
            result.append(explanation)
        return result
