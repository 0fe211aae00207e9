"""Laws of the working-day calendar, checked with hypothesis over the covered range."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcm_rules.calendar import default_calendar

pytestmark = pytest.mark.property

CAL = default_calendar()
# Starts stop well before the end of coverage (2036-12-31): start + 500 days + 400 working
# days must still fit.
dates = st.dates(min_value=date(2001, 1, 1), max_value=date(2033, 6, 30))
counts = st.integers(min_value=1, max_value=400)
flags = st.booleans()
spans = st.integers(min_value=0, max_value=500)
MAKEUP_DAYS = sorted(m.date for y in range(2001, 2027) for m in CAL.year_info(y).makeup_days)

FAST = settings(max_examples=150, deadline=None)


def _naive_add(start: date, n: int, *, start_counts: bool) -> date:
    """Walk day by day, the slow reading of the module's conventions."""
    d = start
    while not CAL.is_working_day(d):
        d += timedelta(days=1)
    left = n - 1 if start_counts else n
    while left:
        d += timedelta(days=1)
        left -= CAL.is_working_day(d)
    return d


class TestInverse:
    """working_days_between(s, add_working_days(s, n, sc), sc) == n for every s, n, sc."""

    @FAST
    @given(dates, counts, flags)
    def test_between_undoes_add(self, start: date, n: int, start_counts: bool) -> None:
        end = CAL.add_working_days(start, n, start_counts=start_counts)
        assert CAL.working_days_between(start, end, start_counts=start_counts) == n

    @FAST
    @given(dates, spans, flags)
    def test_add_lands_on_last_counted_day(self, a: date, span: int, start_counts: bool) -> None:
        b = a + timedelta(days=span)
        n = CAL.working_days_between(a, b, start_counts=start_counts)
        if n >= 1:
            end = CAL.add_working_days(a, n, start_counts=start_counts)
            assert end <= b
            # No working day between the n-th counted day and b.
            assert CAL.working_days_between(end, b, start_counts=False) == 0


class TestMonotone:
    """More days, a later start or a later end never move a deadline or a count backwards."""

    @FAST
    @given(dates, counts, flags)
    def test_add_in_n(self, start: date, n: int, start_counts: bool) -> None:
        a = CAL.add_working_days(start, n, start_counts=start_counts)
        assert a < CAL.add_working_days(start, n + 1, start_counts=start_counts)

    @FAST
    @given(dates, spans, counts, flags)
    def test_add_in_start(self, s1: date, gap: int, n: int, start_counts: bool) -> None:
        s2 = s1 + timedelta(days=gap)
        first = CAL.add_working_days(s1, n, start_counts=start_counts)
        assert first <= CAL.add_working_days(s2, n, start_counts=start_counts)

    @FAST
    @given(dates, spans, spans, flags)
    def test_between_in_end(self, a: date, x: int, y: int, start_counts: bool) -> None:
        b1, b2 = a + timedelta(days=min(x, y)), a + timedelta(days=max(x, y))
        assert CAL.working_days_between(
            a, b1, start_counts=start_counts
        ) <= CAL.working_days_between(a, b2, start_counts=start_counts)

    @FAST
    @given(dates, spans, spans, flags)
    def test_between_in_start(self, a1: date, x: int, y: int, start_counts: bool) -> None:
        a2, b = a1 + timedelta(days=min(x, y)), a1 + timedelta(days=max(x, y))
        assert CAL.working_days_between(
            a1, b, start_counts=start_counts
        ) >= CAL.working_days_between(a2, b, start_counts=start_counts)


class TestWorkingDays:
    """Make-up weekend days are working days; every deadline falls on a working day."""

    @FAST
    @given(st.sampled_from(MAKEUP_DAYS))
    def test_makeup_day_counts(self, day: date) -> None:
        assert day.weekday() >= 5
        assert CAL.is_working_day(day)
        assert CAL.working_days_between(day, day, start_counts=True) == 1
        # Extending a span onto the make-up day adds exactly one working day.
        monday = day - timedelta(days=day.weekday())
        before = CAL.working_days_between(monday, day - timedelta(days=1), start_counts=True)
        assert CAL.working_days_between(monday, day, start_counts=True) == before + 1

    @FAST
    @given(dates, counts, flags)
    def test_result_is_working_day(self, start: date, n: int, start_counts: bool) -> None:
        assert CAL.is_working_day(CAL.add_working_days(start, n, start_counts=start_counts))

    @settings(max_examples=100, deadline=None)
    @given(dates, st.integers(min_value=1, max_value=40), flags)
    def test_add_matches_day_by_day_walk(self, start: date, n: int, start_counts: bool) -> None:
        expected = _naive_add(start, n, start_counts=start_counts)
        assert CAL.add_working_days(start, n, start_counts=start_counts) == expected

    @settings(max_examples=100, deadline=None)
    @given(dates, st.integers(min_value=0, max_value=60))
    def test_between_matches_day_by_day_sum(self, a: date, span: int) -> None:
        days = [a + timedelta(days=i) for i in range(span + 1)]
        assert CAL.working_days_between(a, days[-1], start_counts=True) == sum(
            CAL.is_working_day(d) for d in days
        )
