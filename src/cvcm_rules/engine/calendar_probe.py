"""A working-day calendar wrapper that remembers what each rule asked it.

The engine gives each rule evaluation a fresh record, so that a finding can show the deadline it
computed, the holidays it skipped, the make-up days it counted, and whether any year involved was
provisional (a breach found only on a provisional calendar is downgraded to ``warn``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvcm_rules.calendar import ChinaCalendar

__all__ = ["CalendarCall", "RecordingCalendar"]


@dataclass(frozen=True, slots=True)
class CalendarCall:
    """One question put to the calendar and its answer."""

    function: str
    start: date
    end: date
    count: int
    start_counts: bool


@dataclass(slots=True)
class RecordingCalendar:
    """Forwards to a :class:`ChinaCalendar` and records each call."""

    calendar: ChinaCalendar
    calls: list[CalendarCall] = field(default_factory=list)
    years_touched: set[int] = field(default_factory=set)

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
