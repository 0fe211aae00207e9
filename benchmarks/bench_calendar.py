"""Benchmark cvcm_rules.calendar against holidays' own working-day helpers.

Run: ``.venv/bin/python benchmarks/bench_calendar.py`` (about 10 s). Results go in
docs/benchmarks-calendar.md. Every case is checked for agreement before anything is timed.
"""

from __future__ import annotations

import platform
import random
import time
from datetime import date, timedelta

from holidays.holiday_base import HolidayBase
from holidays.utils import country_holidays
from holidays.version import __version__ as holidays_version

from cvcm_rules.calendar import ChinaCalendar

SEED = 20261121
ADD_CASES = 100_000
BETWEEN_CASES = 10_000
N = 20
FIRST = date(2024, 1, 1)
LAST = date(2026, 10, 31)
TARGET_RATIO = 50.0


def _random_dates(rng: random.Random, count: int) -> list[date]:
    span = (LAST - FIRST).days
    return [FIRST + timedelta(days=rng.randint(0, span)) for _ in range(count)]


def _timed(label: str, fn: object) -> float:
    assert callable(fn)
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    print(f"  {label:<52} {elapsed:8.3f} s")
    return elapsed


def bench_add(cal: ChinaCalendar, ref: HolidayBase, starts: list[date]) -> float:
    """Time add_working_days(d, 20, start_counts=False) against get_nth_working_day(d, 20)."""
    # get_nth_working_day(d, n) is the n-th working day strictly after d. start_counts=False
    # first rolls a non-working d to the next working day, which then is the receipt day, so
    # for a non-working d the holidays equivalent is get_nth_working_day(d, n + 1).
    same = adapted = 0
    for d in starts:
        ours = cal.add_working_days(d, N, start_counts=False)
        if ref.is_working_day(d):
            assert ours == ref.get_nth_working_day(d, N), d
            same += 1
        else:
            assert ours == ref.get_nth_working_day(d, N + 1), d
            adapted += 1
    print(
        f"add: {len(starts):,} cases agree ({same:,} working starts compared directly, "
        f"{adapted:,} non-working starts against get_nth_working_day(d, {N + 1}))"
    )

    def ours_loop() -> None:
        add = cal.add_working_days
        for d in starts:
            add(d, N, start_counts=False)

    def ref_loop() -> None:
        nth = ref.get_nth_working_day
        for d in starts:
            nth(d, N)

    t_ours = _timed(f"cvcm_rules add_working_days x{len(starts):,}", ours_loop)
    t_ref = _timed(f"holidays get_nth_working_day x{len(starts):,}", ref_loop)
    ratio = t_ref / t_ours
    print(
        f"  per call: ours {t_ours / len(starts) * 1e6:.2f} us, "
        f"holidays {t_ref / len(starts) * 1e6:.2f} us, ratio {ratio:.0f}x"
    )
    return ratio


def bench_between(cal: ChinaCalendar, ref: HolidayBase, rng: random.Random) -> float:
    """Time working_days_between over 0-400 day spans against get_working_days_count."""
    starts = _random_dates(rng, BETWEEN_CASES)
    pairs = [(a, a + timedelta(days=rng.randint(0, 400))) for a in starts]
    # get_working_days_count counts the closed interval, as start_counts=True does.
    for a, b in pairs:
        expected = ref.get_working_days_count(a, b)
        assert cal.working_days_between(a, b, start_counts=True) == expected, (a, b)
    print(f"between: {len(pairs):,} cases agree")

    def ours_loop() -> None:
        between = cal.working_days_between
        for a, b in pairs:
            between(a, b, start_counts=True)

    def ref_loop() -> None:
        count = ref.get_working_days_count
        for a, b in pairs:
            count(a, b)

    t_ours = _timed(f"cvcm_rules working_days_between x{len(pairs):,}", ours_loop)
    t_ref = _timed(f"holidays get_working_days_count x{len(pairs):,}", ref_loop)
    ratio = t_ref / t_ours
    print(
        f"  per call: ours {t_ours / len(pairs) * 1e6:.2f} us, "
        f"holidays {t_ref / len(pairs) * 1e6:.2f} us, ratio {ratio:.0f}x"
    )
    return ratio


def main() -> None:
    print(f"Python {platform.python_version()}, holidays {holidays_version}, seed {SEED}")
    t0 = time.perf_counter()
    cal = ChinaCalendar()
    print(
        f"ChinaCalendar() build (2001-2036, two holidays instances): "
        f"{time.perf_counter() - t0:.3f} s"
    )
    # holidays.China via its registry, with the 2023-2027 years the comparison needs.
    ref = country_holidays("CN", years=range(2023, 2028), language="zh_CN")
    rng = random.Random(SEED)  # reproducible inputs
    add_ratio = bench_add(cal, ref, _random_dates(rng, ADD_CASES))
    between_ratio = bench_between(cal, ref, rng)
    verdict = "met" if min(add_ratio, between_ratio) >= TARGET_RATIO else "NOT met"
    print(
        f"target >= {TARGET_RATIO:.0f}x: {verdict} "
        f"(add {add_ratio:.0f}x, between {between_ratio:.0f}x)"
    )


if __name__ == "__main__":
    main()
