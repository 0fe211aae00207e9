"""The engine's fast date helpers agree with the library calls they stand in for.

``iso_date`` writes a date from its parts instead of ``date.isoformat`` (C printf), and year
arithmetic builds the date directly instead of ``relativedelta`` unless 29 February needs the
clamp; both are on the hot path, so they are checked against the reference on every date.
"""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcm_rules.engine.values import display, iso_date, to_json
from cvcm_rules.expr.functions import FUNCTIONS

pytestmark = pytest.mark.property


@settings(max_examples=500, deadline=None)
@given(st.dates())
def test_iso_date_is_isoformat(day: date) -> None:
    assert iso_date(day) == day.isoformat()
    assert to_json(day) == display(day, "zh") == display(day, "en") == day.isoformat()


@settings(max_examples=500, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
       st.integers(min_value=-50, max_value=50))
def test_add_years_is_relativedelta(day: date, years: int) -> None:
    assert FUNCTIONS["add_years"].impl(day, years) == day + relativedelta(years=years)


def test_add_years_clamps_29_february() -> None:
    add_years = FUNCTIONS["add_years"].impl
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), -4) == date(2020, 2, 29)
