"""China working-day calendar: State Council schedules from ``holidays.China``, indexed once.

CCER deadlines are counted in working days (publicity periods, "within N working days of
receipt"), so every rule needs the same answer to "which days are working days in China" and the
same counting convention. This module gives both, fast enough to call per rule per dossier.

Counting conventions (requirements ledger 6.1):

* **Working day**: Monday to Friday not in ``holidays.China``, plus the weekend days the State
  Council notice turns into make-up working days (调休上班日, ``weekend_workdays``).
* ``start_counts=True`` (publicity periods; observed registry practice): if ``start`` is a working
  day it is day 1, otherwise day 1 is the next working day. A registry notice posted from
  2026-07-17 to 2026-08-13 is 20 working days this way.
* ``start_counts=False`` ("within N working days of receipt", Civil Code style): the receipt day
  is excluded. A receipt on a non-working day counts as received on the next working day, and the
  count starts after that day.
* ``n`` is at least 1. ``working_days_between(a, b)`` counts the working days in ``[a, b]`` when
  ``start_counts``, else in ``(a', b]`` with ``a'`` = ``a`` rolled forward as above; it is the
  inverse of ``add_working_days``: ``working_days_between(s, add_working_days(s, n)) == n``.

Provenance: years up to ``official_through`` (from ``cn_calendar_years.json``, reviewed for the
pinned holidays release) follow a published notice and are ``"official"``. Later years are
``"provisional"``: statutory holidays as holidays computes them and no make-up days, because
holidays silently guesses unpublished years. Callers learn which provisional years a computation
touched from ``WorkingDayExplanation.provisional_years`` or ``provisional_years_between``.

Speed: the calendar precomputes, once, the sorted working-day ordinals and a dense prefix count
over ``[first_date, last_date]``, so each operation is an index lookup, never a day-by-day walk.
Anything outside the table raises ``CalendarCoverageError`` instead of guessing.

Known data points:

* 2005-12-31 (Saturday) is a make-up working day here; the 2006 notice (国办发明电〔2005〕35号)
  says "12月31日（星期六）上班". The chinesecalendar package marks it a day off.
* For 2003, holidays encodes the May Day week as first announced (26-27 April worked, 1-7 May
  off). A General Office notice of 2003-04-21 (SARS) reportedly cut it to 1-3 May plus 5 May; this
  is not corrected here.
* A notice for year Y can move days in late December of Y-1 (the notices for 2002, 2006, 2007,
  2008, 2012 and 2019 did), so the last official year's final days can still change when the next
  notice appears.
"""

from __future__ import annotations

import functools
import json
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from collections.abc import Callable

from holidays.countries.china import China
from holidays.holiday_base import HolidayBase
from holidays.version import __version__ as _holidays_version

from cvcm_rules.errors import CalendarCoverageError, CalendarInputError, CvcmRulesError

__all__ = [
    "MAKEUP_NAME_EN",
    "MAKEUP_NAME_ZH",
    "CalendarData",
    "ChinaCalendar",
    "NamedDay",
    "Notice",
    "WorkingDayExplanation",
    "YearInfo",
    "YearStatus",
    "default_calendar",
    "load_calendar_data",
    "provisional_years_between",
]

YearStatus = Literal["official", "provisional"]
DayKind = Literal["holiday", "makeup_workday"]

MAKEUP_NAME_ZH: Final = "调休上班日"
MAKEUP_NAME_EN: Final = "Make-up working day"
SOURCE: Final = "holidays.China"
_DATA_FILE: Final = "cn_calendar_years.json"
# holidays' Chinese lunar tables end in 2100; one extra year is populated past last_year.
_MAX_YEAR: Final = 2099


@dataclass(frozen=True, slots=True)
class NamedDay:
    """A day that changed the count: a weekday off, or a weekend day worked."""

    date: date
    kind: DayKind
    name_zh: str
    name_en: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict so reports can quote the day and its names."""
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "name_en": self.name_en,
            "name_zh": self.name_zh,
        }


@dataclass(frozen=True, slots=True)
class WorkingDayExplanation:
    """Why a working-day count came out as it did, for findings that quote a deadline.

    Attributes:
        start: the date the count starts from (as given, not rolled forward).
        end: the last counted day (``add``) or the end of the span (``between``).
        working_days: number of working days counted.
        start_counts: the counting convention used.
        holidays_skipped: weekday holidays and days off in ``[start, end]``.
        makeup_days_counted: weekend make-up working days among the counted days.
        provisional_years: years in ``start.year..end.year`` without an official schedule.
    """

    start: date
    end: date
    working_days: int
    start_counts: bool
    holidays_skipped: tuple[NamedDay, ...]
    makeup_days_counted: tuple[NamedDay, ...]
    provisional_years: tuple[int, ...]

    @property
    def status(self) -> YearStatus:
        """``"provisional"`` if a year touched has no published notice, so callers downgrade."""
        return "provisional" if self.provisional_years else "official"

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict with keys in a fixed order, so reports stay byte-stable."""
        return {
            "end": self.end.isoformat(),
            "holidays_skipped": [d.to_dict() for d in self.holidays_skipped],
            "makeup_days_counted": [d.to_dict() for d in self.makeup_days_counted],
            "provisional_years": list(self.provisional_years),
            "start": self.start.isoformat(),
            "start_counts": self.start_counts,
            "status": self.status,
            "working_days": self.working_days,
        }


@dataclass(frozen=True, slots=True)
class YearInfo:
    """One calendar year as the calendar sees it, with the notice it follows (if any)."""

    year: int
    status: YearStatus
    notice_title: str | None
    notice_document_no: str | None
    working_days: int
    holidays: tuple[NamedDay, ...]
    makeup_days: tuple[NamedDay, ...]

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict so the CLI and reports can show a year's schedule."""
        return {
            "holidays": [d.to_dict() for d in self.holidays],
            "makeup_days": [d.to_dict() for d in self.makeup_days],
            "notice_document_no": self.notice_document_no,
            "notice_title": self.notice_title,
            "status": self.status,
            "working_days": self.working_days,
            "year": self.year,
        }


@dataclass(frozen=True, slots=True)
class Notice:
    """A State Council holiday notice whose schedule holidays encodes."""

    year: int
    title: str
    document_no: str | None


@dataclass(frozen=True, slots=True)
class CalendarData:
    """The reviewed provenance data in ``cn_calendar_years.json``."""

    holidays_version: str
    official_through: int
    notices: tuple[Notice, ...]

    @property
    def official_years(self) -> tuple[int, ...]:
        """Years with an encoded notice, ascending."""
        return tuple(n.year for n in self.notices)

    def notice(self, year: int) -> Notice | None:
        """Return the notice for ``year``, or None for a provisional year."""
        for n in self.notices:
            if n.year == year:
                return n
        return None


def _data_error(message: str) -> CvcmRulesError:
    return CvcmRulesError(f"{_DATA_FILE}: {message}")


def _parse_notice(key: str, raw: object) -> Notice:
    if not key.isdigit() or not isinstance(raw, dict):
        raise _data_error(f"notices[{key!r}] must map a year to an object")
    title = raw.get("title")
    document_no = raw.get("document_no")
    if not isinstance(title, str) or not (document_no is None or isinstance(document_no, str)):
        raise _data_error(f"notices[{key!r}] needs a str title and a str or null document_no")
    return Notice(year=int(key), title=title, document_no=document_no)


def _parse_data(raw: object) -> CalendarData:
    if not isinstance(raw, dict):
        raise _data_error("the top level must be an object")
    version = raw.get("holidays_version")
    through = raw.get("official_through")
    notices_raw = raw.get("notices")
    if not (isinstance(version, str) and type(through) is int and isinstance(notices_raw, dict)):
        raise _data_error("needs holidays_version (str), official_through (int), notices (object)")
    parsed = (_parse_notice(k, v) for k, v in notices_raw.items())
    notices = tuple(sorted(parsed, key=lambda n: n.year))
    years = [n.year for n in notices]
    if not years or years != list(range(years[0], through + 1)):
        raise _data_error(f"notice years must run without gaps up to official_through={through}")
    return CalendarData(holidays_version=version, official_through=through, notices=notices)


@functools.cache
def load_calendar_data() -> CalendarData:
    """Load the packaged provenance data once; it decides which years are official."""
    text = resources.files("cvcm_rules").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return _parse_data(json.loads(text))


def _china(years: range, *, language: str) -> HolidayBase:
    """Build ``holidays.China`` with an explicit language (None would read the process locale)."""
    # China.__init__ is untyped (*args, **kwargs); pin the signature we rely on.
    factory: Callable[..., HolidayBase] = China
    return factory(years=years, language=language)


def _check_date(name: str, value: object) -> date:
    # datetime is a subclass of date: a time of day would be silently dropped, so refuse it.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CalendarInputError(
            f"{name} must be a datetime.date (not a datetime), "
            f"got {value!r} of type {type(value).__name__}"
        )
    return value


def _check_int(name: str, value: object, *, minimum: int) -> int:
    if type(value) is not int or value < minimum:
        raise CalendarInputError(
            f"{name} must be an int >= {minimum}, got {value!r} of type {type(value).__name__}"
        )
    return value


def _check_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise CalendarInputError(
            f"start_counts must be a bool, got {value!r} of type {type(value).__name__}"
        )
    return value


def _check_order(a: date, b: date) -> None:
    if b < a:
        raise CalendarInputError(f"b ({b.isoformat()}) is before a ({a.isoformat()})")


def _slice(ords: array[int], days: tuple[NamedDay, ...], lo: int, hi: int) -> tuple[NamedDay, ...]:
    """Return the days whose ordinal is in ``[lo, hi]`` (``ords``: sorted, parallel to days)."""
    return days[bisect_left(ords, lo) : bisect_right(ords, hi)]


class ChinaCalendar:
    """China's official working-day calendar over a fixed range of years.

    Build it once (about 0.1 s) and share it; ``default_calendar()`` does that for the process.

    Args:
        first_year: first covered year; not before the earliest encoded notice (2001).
        last_year: last covered year; defaults to ``official_through + 10``. Years after
            ``official_through`` are provisional.

    Raises:
        CalendarInputError: if the years are not ints, out of order or out of range.
    """

    __slots__ = (
        "_first_ord",
        "_hol_days",
        "_hol_ords",
        "_mk_days",
        "_mk_ords",
        "_notices",
        "_prefix",
        "_size",
        "_workdays",
        "first_date",
        "first_year",
        "holidays_version",
        "last_date",
        "last_year",
        "official_through",
        "source",
    )

    def __init__(self, *, first_year: int = 2001, last_year: int | None = None) -> None:
        data = load_calendar_data()
        earliest = data.official_years[0]
        first_year = _check_int("first_year", first_year, minimum=earliest)
        if last_year is None:
            last_year = data.official_through + 10
        last_year = _check_int("last_year", last_year, minimum=first_year)
        if first_year > _MAX_YEAR or last_year > _MAX_YEAR:
            raise CalendarInputError(
                f"first_year and last_year must be <= {_MAX_YEAR}, got {first_year}..{last_year}"
            )
        self.source: str = SOURCE
        self.holidays_version: str = _holidays_version
        self.official_through: int = data.official_through
        self.first_year: int = first_year
        self.last_year: int = last_year
        self.first_date: date = date(first_year, 1, 1)
        self.last_date: date = date(last_year, 12, 31)
        self._notices: dict[int, Notice] = {n.year: n for n in data.notices}
        self._build()

    def _build(self) -> None:
        """Precompute the working-day index once, so later calls never walk day by day."""
        # Populate one year past the range: a notice for Y+1 can move days in late December of Y.
        years = range(self.first_year, self.last_year + 2)
        zh = _china(years, language="zh_CN")
        en = _china(years, language="en_US")
        first = self._first_ord = self.first_date.toordinal()
        last = self.last_date.toordinal()
        self._size = last - first + 1
        weekend_work = {d.toordinal() for d in zh.weekend_workdays}
        off = {d.toordinal() for d in zh}
        workdays: array[int] = array("l")
        prefix: array[int] = array("l", [0])
        for o in range(first, last + 1):
            # date.weekday() == (ordinal + 6) % 7; 5 and 6 are the weekend.
            if (o in weekend_work) if (o + 6) % 7 >= 5 else (o not in off):
                workdays.append(o)
            prefix.append(len(workdays))
        self._workdays = workdays
        self._prefix = prefix
        hol = sorted(d for d in zh if first <= d.toordinal() <= last and d.weekday() < 5)
        self._hol_ords: array[int] = array("l", (d.toordinal() for d in hol))
        self._hol_days = tuple(NamedDay(d, "holiday", zh[d], en[d]) for d in hol)
        mk = sorted(d for d in zh.weekend_workdays if first <= d.toordinal() <= last)
        self._mk_ords: array[int] = array("l", (d.toordinal() for d in mk))
        self._mk_days = tuple(
            NamedDay(d, "makeup_workday", MAKEUP_NAME_ZH, MAKEUP_NAME_EN) for d in mk
        )

    def __repr__(self) -> str:
        return (
            f"ChinaCalendar(first_year={self.first_year}, last_year={self.last_year}, "
            f"official_through={self.official_through}, "
            f"holidays_version={self.holidays_version!r})"
        )

    # -- coverage -------------------------------------------------------------------------

    def _coverage(self) -> str:
        return f"{self.first_date.isoformat()} to {self.last_date.isoformat()}"

    def _index(self, name: str, d: date) -> int:
        i = d.toordinal() - self._first_ord
        if not 0 <= i < self._size:
            raise CalendarCoverageError(
                f"{name} {d.isoformat()} is outside the working-day calendar's coverage "
                f"({self._coverage()})"
            )
        return i

    def _check_year(self, year: object) -> int:
        y = _check_int("year", year, minimum=1)
        if not self.first_year <= y <= self.last_year:
            raise CalendarCoverageError(
                f"year {y} is outside the working-day calendar's coverage "
                f"({self.first_year} to {self.last_year})"
            )
        return y

    def _provisional(self, first_year: int, last_year: int) -> tuple[int, ...]:
        return tuple(range(max(first_year, self.official_through + 1), last_year + 1))

    # -- queries --------------------------------------------------------------------------

    def year_status(self, year: int) -> YearStatus:
        """Say whether ``year`` follows a published notice, so findings can be labelled.

        Raises:
            CalendarInputError: if ``year`` is not an int.
            CalendarCoverageError: if ``year`` is outside the covered years.
        """
        y = self._check_year(year)
        return "official" if y <= self.official_through else "provisional"

    def is_working_day(self, d: date) -> bool:
        """Return True if ``d`` is a working day (make-up Saturdays and Sundays included).

        Raises:
            CalendarInputError: if ``d`` is not a date.
            CalendarCoverageError: if ``d`` is outside the covered range.
        """
        i = self._index("d", _check_date("d", d))
        return self._prefix[i + 1] != self._prefix[i]

    def add_working_days(self, start: date, n: int, *, start_counts: bool) -> date:
        """Return the n-th working day counted from ``start`` (see the module conventions).

        Args:
            start: the first day of a period (``start_counts=True``) or the receipt day.
            n: number of working days, at least 1.
            start_counts: whether ``start`` (if a working day) is day 1.

        Returns:
            The last day of the period, always a working day.

        Raises:
            CalendarInputError: on a non-date start, a non-int or < 1 ``n``, a non-bool flag.
            CalendarCoverageError: if ``start`` or the result is outside the covered range.

        Example:
            >>> default_calendar().add_working_days(date(2026, 7, 17), 20, start_counts=True)
            datetime.date(2026, 8, 13)
        """
        # Fast path: exact types skip the checks that build error messages.
        if type(start) is not date or type(n) is not int or type(start_counts) is not bool:
            _check_date("start", start)
            _check_flag(start_counts)
        if type(n) is not int or n < 1:
            _check_int("n", n, minimum=1)
        i = start.toordinal() - self._first_ord
        if not 0 <= i < self._size:
            self._index("start", start)
        # prefix[i] is the index of the first working day on or after start.
        k = self._prefix[i] + n - (1 if start_counts else 0)
        if k >= len(self._workdays):
            raise CalendarCoverageError(
                f"adding {n} working day{'' if n == 1 else 's'} to {start.isoformat()} "
                f"(start_counts={start_counts}) "
                f"goes past {self.last_date.isoformat()}, the end of the working-day calendar's "
                f"coverage ({self._coverage()})"
            )
        return date.fromordinal(self._workdays[k])

    def working_days_between(self, a: date, b: date, *, start_counts: bool) -> int:
        """Count working days from ``a`` to ``b`` (inclusive), the inverse of ``add_working_days``.

        With ``start_counts=False`` the first working day on or after ``a`` is the receipt day and
        is not counted.

        Raises:
            CalendarInputError: on non-date arguments, a non-bool flag, or ``b`` before ``a``.
            CalendarCoverageError: if ``a`` or ``b`` is outside the covered range.
        """
        if type(a) is not date or type(b) is not date or type(start_counts) is not bool:
            _check_date("a", a)
            _check_date("b", b)
            _check_flag(start_counts)
        first = self._first_ord
        ia, ib = a.toordinal() - first, b.toordinal() - first
        if ib < ia:
            _check_order(a, b)
        if not (0 <= ia and ib < self._size):
            self._index("a", a)
            self._index("b", b)
        count = self._prefix[ib + 1] - self._prefix[ia]
        return count if start_counts else max(0, count - 1)

    def provisional_years_between(self, a: date, b: date) -> tuple[int, ...]:
        """Return the years in ``a.year..b.year`` without an official schedule.

        Raises:
            CalendarInputError: on non-date arguments or ``b`` before ``a``.
            CalendarCoverageError: if ``a`` or ``b`` is outside the covered range.
        """
        _check_date("a", a)
        _check_date("b", b)
        _check_order(a, b)
        self._index("a", a)
        self._index("b", b)
        return self._provisional(a.year, b.year)

    def explain_add(self, start: date, n: int, *, start_counts: bool) -> WorkingDayExplanation:
        """Compute ``add_working_days`` and say which holidays and make-up days shaped it.

        Raises:
            CalendarInputError: as ``add_working_days``.
            CalendarCoverageError: as ``add_working_days``.
        """
        end = self.add_working_days(start, n, start_counts=start_counts)
        return self._explain(start, end, n, start_counts=start_counts)

    def explain_between(self, a: date, b: date, *, start_counts: bool) -> WorkingDayExplanation:
        """Compute ``working_days_between`` and say which holidays and make-up days shaped it.

        Raises:
            CalendarInputError: as ``working_days_between``.
            CalendarCoverageError: as ``working_days_between``.
        """
        count = self.working_days_between(a, b, start_counts=start_counts)
        return self._explain(a, b, count, start_counts=start_counts)

    def _explain(
        self, start: date, end: date, count: int, *, start_counts: bool
    ) -> WorkingDayExplanation:
        lo, hi = start.toordinal(), end.toordinal()
        # Index of the first counted working day; without start_counts the receipt day is skipped.
        k = self._prefix[lo - self._first_ord] + (0 if start_counts else 1)
        counted_from = self._workdays[k] if k < len(self._workdays) else hi + 1
        return WorkingDayExplanation(
            start=start,
            end=end,
            working_days=count,
            start_counts=start_counts,
            holidays_skipped=_slice(self._hol_ords, self._hol_days, lo, hi),
            makeup_days_counted=_slice(self._mk_ords, self._mk_days, counted_from, hi),
            provisional_years=self._provisional(start.year, end.year),
        )

    def year_info(self, year: int) -> YearInfo:
        """Describe one year: status, notice, working-day total, weekday holidays, make-up days.

        Raises:
            CalendarInputError: if ``year`` is not an int.
            CalendarCoverageError: if ``year`` is outside the covered years.
        """
        y = self._check_year(year)
        lo_ord, hi_ord = date(y, 1, 1).toordinal(), date(y, 12, 31).toordinal()
        lo, hi = lo_ord - self._first_ord, hi_ord - self._first_ord
        notice = self._notices.get(y) if y <= self.official_through else None
        return YearInfo(
            year=y,
            status=self.year_status(y),
            notice_title=notice.title if notice else None,
            notice_document_no=notice.document_no if notice else None,
            working_days=self._prefix[hi + 1] - self._prefix[lo],
            holidays=_slice(self._hol_ords, self._hol_days, lo_ord, hi_ord),
            makeup_days=_slice(self._mk_ords, self._mk_days, lo_ord, hi_ord),
        )


@functools.cache
def default_calendar() -> ChinaCalendar:
    """Return the process-wide calendar with default coverage, built on first use."""
    return ChinaCalendar()


def provisional_years_between(a: date, b: date) -> tuple[int, ...]:
    """Return the provisional years a computation over ``[a, b]`` touches (default calendar).

    The engine uses this to label a finding provisional when a deadline crosses into a year whose
    State Council notice is not out yet.
    """
    return default_calendar().provisional_years_between(a, b)
