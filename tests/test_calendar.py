"""Tests for cvcm_rules.calendar: notice tables per year, conventions, provenance, errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from holidays.utils import country_holidays
from holidays.version import __version__ as holidays_version

from cvcm_rules.calendar import (
    CalendarData,
    ChinaCalendar,
    NamedDay,
    _parse_data,
    default_calendar,
    load_calendar_data,
    provisional_years_between,
)
from cvcm_rules.errors import CalendarCoverageError, CalendarInputError, CvcmRulesError, InputError

CAL = default_calendar()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _hol(d: date, zh: str, en: str) -> NamedDay:
    return NamedDay(d, "holiday", zh, en)


def _mk(d: date) -> NamedDay:
    return NamedDay(d, "makeup_workday", "调休上班日", "Make-up working day")


@dataclass(frozen=True)
class NoticeTable:
    """One State Council notice written out: every day off and every make-up working day."""

    year: int
    title: str
    document_no: str
    days_off: tuple[tuple[date, date], ...]  # closed spans, as the notice states them
    makeup: tuple[date, ...]  # weekend days the notice says are worked (上班)
    also_working: tuple[date, ...]  # days next to the breaks that stay ordinary working days
    working_days: int

    def off(self) -> list[date]:
        return [d for first, last in self.days_off for d in _days(first, last)]


# 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023-10-25）
NOTICE_2024 = NoticeTable(
    year=2024,
    title="国务院办公厅关于2024年部分节假日安排的通知",
    document_no="国办发明电〔2023〕7号",
    days_off=(
        (date(2024, 1, 1), date(2024, 1, 1)),  # 元旦：1月1日放假，与周末连休
        (date(2024, 2, 10), date(2024, 2, 17)),  # 春节：2月10日至17日放假调休，共8天
        (date(2024, 4, 4), date(2024, 4, 6)),  # 清明节：4月4日至6日放假调休，共3天
        (date(2024, 5, 1), date(2024, 5, 5)),  # 劳动节：5月1日至5日放假调休，共5天
        (date(2024, 6, 10), date(2024, 6, 10)),  # 端午节：6月10日放假，与周末连休
        (date(2024, 9, 15), date(2024, 9, 17)),  # 中秋节：9月15日至17日放假调休，共3天
        (date(2024, 10, 1), date(2024, 10, 7)),  # 国庆节：10月1日至7日放假调休，共7天
    ),
    makeup=(
        date(2024, 2, 4),  # 2月4日（星期日）上班
        date(2024, 2, 18),  # 2月18日（星期日）上班
        date(2024, 4, 7),  # 4月7日（星期日）上班
        date(2024, 4, 28),  # 4月28日（星期日）上班
        date(2024, 5, 11),  # 5月11日（星期六）上班
        date(2024, 9, 14),  # 9月14日（星期六）上班
        date(2024, 9, 29),  # 9月29日（星期日）上班
        date(2024, 10, 12),  # 10月12日（星期六）上班
    ),
    # The eve (2月9日) was only "encouraged" off (鼓励各单位…安排职工在除夕休息): a working day.
    also_working=(date(2024, 2, 9), date(2024, 2, 19), date(2024, 10, 8)),
    working_days=251,
)

# 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）
# First year under the 2024 revision of 全国年节及纪念日放假办法: statutory days rose by two,
# Spring Festival Eve (农历除夕) and 2 May.
NOTICE_2025 = NoticeTable(
    year=2025,
    title="国务院办公厅关于2025年部分节假日安排的通知",
    document_no="国办发明电〔2024〕12号",
    days_off=(
        (date(2025, 1, 1), date(2025, 1, 1)),  # 元旦：1月1日（周三）放假1天，不调休
        (date(2025, 1, 28), date(2025, 2, 4)),  # 春节：1月28日（农历除夕）至2月4日，共8天
        (date(2025, 4, 4), date(2025, 4, 6)),  # 清明节：4月4日（周五）至6日（周日），共3天
        (date(2025, 5, 1), date(2025, 5, 5)),  # 劳动节：5月1日（周四）至5日（周一），共5天
        (date(2025, 5, 31), date(2025, 6, 2)),  # 端午节：5月31日（周六）至6月2日（周一），共3天
        (date(2025, 10, 1), date(2025, 10, 8)),  # 国庆节、中秋节：10月1日至8日，共8天
    ),
    makeup=(
        date(2025, 1, 26),  # 1月26日（周日）上班
        date(2025, 2, 8),  # 2月8日（周六）上班
        date(2025, 4, 27),  # 4月27日（周日）上班
        date(2025, 9, 28),  # 9月28日（周日）上班
        date(2025, 10, 11),  # 10月11日（周六）上班
    ),
    also_working=(date(2025, 1, 27), date(2025, 2, 5), date(2025, 5, 6), date(2025, 10, 9)),
    working_days=248,
)

# 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号，2025-11-04）
NOTICE_2026 = NoticeTable(
    year=2026,
    title="国务院办公厅关于2026年部分节假日安排的通知",
    document_no="国办发明电〔2025〕7号",
    days_off=(
        (date(2026, 1, 1), date(2026, 1, 3)),  # 元旦：1月1日（周四）至3日（周六），共3天
        (date(2026, 2, 15), date(2026, 2, 23)),  # 春节：2月15日（腊月二十八）至23日，共9天
        (date(2026, 4, 4), date(2026, 4, 6)),  # 清明节：4月4日（周六）至6日（周一），共3天
        (date(2026, 5, 1), date(2026, 5, 5)),  # 劳动节：5月1日（周五）至5日（周二），共5天
        (date(2026, 6, 19), date(2026, 6, 21)),  # 端午节：6月19日（周五）至21日（周日），共3天
        (date(2026, 9, 25), date(2026, 9, 27)),  # 中秋节：9月25日（周五）至27日（周日），共3天
        (date(2026, 10, 1), date(2026, 10, 7)),  # 国庆节：10月1日（周四）至7日（周三），共7天
    ),
    makeup=(
        date(2026, 1, 4),  # 1月4日（周日）上班
        date(2026, 2, 14),  # 2月14日（周六）上班
        date(2026, 2, 28),  # 2月28日（周六）上班
        date(2026, 5, 9),  # 5月9日（周六）上班
        date(2026, 9, 20),  # 9月20日（周日）上班
        date(2026, 10, 10),  # 10月10日（周六）上班
    ),
    also_working=(date(2026, 2, 13), date(2026, 2, 24), date(2026, 5, 6), date(2026, 10, 8)),
    working_days=248,
)

NOTICES = (NOTICE_2024, NOTICE_2025, NOTICE_2026)


def _rows(table: NoticeTable) -> list[tuple[date, bool]]:
    rows = [(d, False) for d in table.off()]
    rows += [(d, True) for d in table.makeup]
    rows += [(d, True) for d in table.also_working]
    return rows


def _row_id(row: tuple[date, bool]) -> str:
    return f"{row[0].isoformat()}-{'work' if row[1] else 'off'}"


# -- year tables -------------------------------------------------------------------------------


@pytest.mark.parametrize("row", _rows(NOTICE_2024), ids=_row_id)
def test_2024_notice(row: tuple[date, bool]) -> None:
    day, working = row
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize("row", _rows(NOTICE_2025), ids=_row_id)
def test_2025_notice(row: tuple[date, bool]) -> None:
    day, working = row
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize("row", _rows(NOTICE_2026), ids=_row_id)
def test_2026_notice(row: tuple[date, bool]) -> None:
    day, working = row
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize("table", NOTICES, ids=lambda t: str(t.year))
def test_year_info_is_exactly_the_notice(table: NoticeTable) -> None:
    info = CAL.year_info(table.year)
    assert info.status == "official"
    assert info.notice_title == table.title
    assert info.notice_document_no == table.document_no
    assert info.working_days == table.working_days
    # Weekday days off are exactly the notice's weekdays off; nothing else removed a weekday.
    assert [h.date for h in info.holidays] == [d for d in table.off() if d.weekday() < 5]
    assert [m.date for m in info.makeup_days] == list(table.makeup)
    assert all(m.date.weekday() >= 5 for m in info.makeup_days)


def test_2025_added_statutory_days_are_named() -> None:
    names = {h.date: h.name_zh for h in CAL.year_info(2025).holidays}
    assert names[date(2025, 1, 28)] == "农历除夕"
    assert names[date(2025, 5, 2)] == "劳动节"
    # In 2024 neither was a statutory day: the eve was a working day and 2 May a moved rest day.
    names_2024 = {h.date: h.name_zh for h in CAL.year_info(2024).holidays}
    assert date(2024, 2, 9) not in names_2024
    assert names_2024[date(2024, 5, 2)] == "休息日（由 2024-04-28 调休）"


def test_year_info_to_dict() -> None:
    d = CAL.year_info(2026).to_dict()
    assert list(d) == [
        "holidays",
        "makeup_days",
        "notice_document_no",
        "notice_title",
        "status",
        "working_days",
        "year",
    ]
    assert d["makeup_days"] == [_mk(m).to_dict() for m in NOTICE_2026.makeup]
    assert d["notice_document_no"] == "国办发明电〔2025〕7号"
    json.dumps(d, ensure_ascii=False)


# -- counting conventions ----------------------------------------------------------------------


def test_registry_publicity_example() -> None:
    # A registry publicity notice ran 2026-07-17 to 2026-08-13: 20 working days, start included.
    assert CAL.add_working_days(date(2026, 7, 17), 20, start_counts=True) == date(2026, 8, 13)
    assert CAL.working_days_between(date(2026, 7, 17), date(2026, 8, 13), start_counts=True) == 20


SUBSTITUTED = "Day off (substituted from"
SPRING_2026_SKIPPED = (
    _hol(date(2026, 2, 16), "农历除夕", "Chinese New Year's Eve"),
    _hol(date(2026, 2, 17), "春节", "Chinese New Year (Spring Festival)"),
    _hol(date(2026, 2, 18), "春节", "Chinese New Year (Spring Festival)"),
    _hol(date(2026, 2, 19), "春节", "Chinese New Year (Spring Festival)"),
    _hol(date(2026, 2, 20), "休息日（由 2026-02-14 调休）", f"{SUBSTITUTED} 02/14/2026)"),
    _hol(date(2026, 2, 23), "休息日（由 2026-02-28 调休）", f"{SUBSTITUTED} 02/28/2026)"),
)


def test_publicity_across_spring_festival_2026() -> None:
    # Mon 9 Feb: 9-13 Feb (5), Sat 14 Feb worked (6), 15-23 Feb off, 24-27 Feb (10),
    # Sat 28 Feb worked (11), 2-6 Mar (16), 9-12 Mar (20).
    e = CAL.explain_add(date(2026, 2, 9), 20, start_counts=True)
    assert e.end == date(2026, 3, 12)
    assert e.working_days == 20
    assert e.holidays_skipped == SPRING_2026_SKIPPED
    assert e.makeup_days_counted == (_mk(date(2026, 2, 14)), _mk(date(2026, 2, 28)))
    assert e.provisional_years == ()
    assert e.status == "official"
    # Without the make-up Saturdays the period would end two working days later.
    assert CAL.working_days_between(date(2026, 2, 9), date(2026, 3, 12), start_counts=True) == 20


def test_publicity_across_national_day_2025() -> None:
    # Mon 22 Sep: 22-26 Sep (5), Sun 28 Sep worked (6), 29-30 Sep (8), 1-8 Oct off, 9-10 Oct (10),
    # Sat 11 Oct worked (11), 13-17 Oct (16), 20-23 Oct (20).
    e = CAL.explain_add(date(2025, 9, 22), 20, start_counts=True)
    assert e.end == date(2025, 10, 23)
    assert e.holidays_skipped == (
        _hol(date(2025, 10, 1), "国庆节", "National Day"),
        _hol(date(2025, 10, 2), "国庆节", "National Day"),
        _hol(date(2025, 10, 3), "国庆节", "National Day"),
        _hol(date(2025, 10, 6), "中秋节", "Mid-Autumn Festival"),
        _hol(date(2025, 10, 7), "休息日（由 2025-09-28 调休）", f"{SUBSTITUTED} 09/28/2025)"),
        _hol(date(2025, 10, 8), "休息日（由 2025-10-11 调休）", f"{SUBSTITUTED} 10/11/2025)"),
    )
    assert e.makeup_days_counted == (_mk(date(2025, 9, 28)), _mk(date(2025, 10, 11)))


def test_explanation_to_dict_is_exact_and_stable() -> None:
    e = CAL.explain_add(date(2026, 2, 9), 20, start_counts=True)
    d = e.to_dict()
    assert d == {
        "end": "2026-03-12",
        "holidays_skipped": [h.to_dict() for h in SPRING_2026_SKIPPED],
        "makeup_days_counted": [
            {
                "date": "2026-02-14",
                "kind": "makeup_workday",
                "name_en": "Make-up working day",
                "name_zh": "调休上班日",
            },
            {
                "date": "2026-02-28",
                "kind": "makeup_workday",
                "name_en": "Make-up working day",
                "name_zh": "调休上班日",
            },
        ],
        "provisional_years": [],
        "start": "2026-02-09",
        "start_counts": True,
        "status": "official",
        "working_days": 20,
    }
    assert d["holidays_skipped"][0] == {  # type: ignore[index]
        "date": "2026-02-16",
        "kind": "holiday",
        "name_en": "Chinese New Year's Eve",
        "name_zh": "农历除夕",
    }
    again = CAL.explain_add(date(2026, 2, 9), 20, start_counts=True).to_dict()
    assert json.dumps(d, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)


def test_explain_between_matches_explain_add() -> None:
    e = CAL.explain_between(date(2026, 2, 9), date(2026, 3, 12), start_counts=True)
    assert e.working_days == 20
    assert e.holidays_skipped == SPRING_2026_SKIPPED
    assert e.makeup_days_counted == (_mk(date(2026, 2, 14)), _mk(date(2026, 2, 28)))
    f = CAL.explain_between(date(2026, 2, 9), date(2026, 3, 12), start_counts=False)
    assert f.working_days == 19
    assert f.makeup_days_counted == e.makeup_days_counted


def test_weekend_holidays_are_not_listed_as_skipped() -> None:
    # 10-11 Feb 2024 are 春节 on a Saturday and Sunday: they change nothing, so are not listed.
    e = CAL.explain_between(date(2024, 2, 10), date(2024, 2, 18), start_counts=True)
    assert [h.date for h in e.holidays_skipped] == _days(date(2024, 2, 12), date(2024, 2, 16))
    assert e.working_days == 1  # Sun 18 Feb, a make-up day


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Receipt on a working day: the day itself is not counted.
        (date(2025, 9, 29), 1, date(2025, 9, 30)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        # Receipt on a holiday counts as received on 9 Oct; day 1 is 10 Oct.
        (date(2025, 10, 1), 1, date(2025, 10, 10)),
        (date(2025, 10, 8), 2, date(2025, 10, 11)),
        # Receipt on Sat 27 Sep counts as received on Sun 28 Sep, a make-up working day.
        (date(2025, 9, 27), 1, date(2025, 9, 29)),
        # Receipt on a make-up day: that day is the receipt day.
        (date(2025, 9, 28), 1, date(2025, 9, 29)),
    ],
)
def test_receipt_day_excluded(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n, start_counts=False) == expected
    assert CAL.working_days_between(start, expected, start_counts=False) == n


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 9, 30), 1, date(2025, 9, 30)),  # a working start is day 1
        (date(2025, 10, 1), 1, date(2025, 10, 9)),  # a holiday start: day 1 is the next one
        (date(2025, 9, 27), 1, date(2025, 9, 28)),  # Saturday, then a make-up Sunday
        (date(2025, 9, 28), 2, date(2025, 9, 29)),  # a make-up Sunday is day 1
    ],
)
def test_start_counts(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n, start_counts=True) == expected
    assert CAL.working_days_between(start, expected, start_counts=True) == n


def test_makeup_receipt_day_is_not_counted_as_makeup() -> None:
    e = CAL.explain_between(date(2025, 9, 28), date(2025, 9, 30), start_counts=False)
    assert e.working_days == 2
    assert e.makeup_days_counted == ()
    f = CAL.explain_between(date(2025, 9, 28), date(2025, 9, 30), start_counts=True)
    assert f.working_days == 3
    assert f.makeup_days_counted == (_mk(date(2025, 9, 28)),)


@pytest.mark.parametrize(
    ("a", "b", "start_counts", "expected"),
    [
        (date(2025, 10, 9), date(2025, 10, 9), True, 1),
        (date(2025, 10, 9), date(2025, 10, 9), False, 0),
        (date(2025, 10, 1), date(2025, 10, 8), True, 0),
        (date(2025, 10, 1), date(2025, 10, 8), False, 0),
        (date(2025, 10, 1), date(2025, 10, 9), False, 0),  # 9 Oct is the rolled receipt day
        (date(2025, 10, 1), date(2025, 10, 10), False, 1),
        (date(2024, 1, 1), date(2024, 12, 31), True, 251),
    ],
)
def test_working_days_between(a: date, b: date, start_counts: bool, expected: int) -> None:
    assert CAL.working_days_between(a, b, start_counts=start_counts) == expected


# -- provenance --------------------------------------------------------------------------------


def test_year_status() -> None:
    assert CAL.official_through == 2026
    assert CAL.year_status(2001) == "official"
    assert CAL.year_status(2026) == "official"
    assert CAL.year_status(2027) == "provisional"
    assert CAL.year_status(2036) == "provisional"


def test_2027_is_computed_and_labelled_provisional() -> None:
    # A receipt in late December 2026 runs into January 2027, whose notice is not out.
    e = CAL.explain_add(date(2026, 12, 21), 15, start_counts=False)
    assert e.end == date(2027, 1, 12)  # 1 Jan 2027 (Fri) is 元旦
    assert e.provisional_years == (2027,)
    assert e.status == "provisional"
    assert e.holidays_skipped == (_hol(date(2027, 1, 1), "元旦", "New Year's Day"),)
    assert e.to_dict()["provisional_years"] == [2027]
    b = CAL.explain_between(date(2026, 12, 21), date(2027, 1, 12), start_counts=False)
    assert (b.working_days, b.provisional_years) == (15, (2027,))
    assert CAL.provisional_years_between(date(2026, 1, 1), date(2026, 12, 31)) == ()
    assert CAL.provisional_years_between(date(2025, 6, 1), date(2028, 1, 1)) == (2027, 2028)
    assert provisional_years_between(date(2026, 12, 21), date(2027, 1, 12)) == (2027,)


def test_provisional_year_info_has_no_notice_and_no_makeup_days() -> None:
    info = CAL.year_info(2027)
    assert (info.status, info.notice_title, info.notice_document_no) == ("provisional", None, None)
    assert info.makeup_days == ()
    assert info.to_dict()["notice_title"] is None


def test_calendar_attributes() -> None:
    assert CAL.first_date == date(2001, 1, 1)
    assert CAL.last_date == date(2036, 12, 31)
    assert CAL.holidays_version == holidays_version
    assert CAL.source == "holidays.China"
    assert default_calendar() is CAL
    assert repr(CAL) == (
        "ChinaCalendar(first_year=2001, last_year=2036, official_through=2026, "
        f"holidays_version={holidays_version!r})"
    )


def test_custom_range() -> None:
    cal = ChinaCalendar(first_year=2024, last_year=2026)
    assert (cal.first_date, cal.last_date) == (date(2024, 1, 1), date(2026, 12, 31))
    assert cal.year_info(2025).working_days == 248
    # 2005-12-31 is worked under the 2006 notice: the range's extra year carries such days.
    early = ChinaCalendar(first_year=2005, last_year=2005)
    assert early.is_working_day(date(2005, 12, 31))


# -- upstream guards ---------------------------------------------------------------------------


def test_holidays_version_matches_reviewed_data() -> None:
    data = load_calendar_data()
    installed = holidays_version
    assert installed == data.holidays_version, (
        f"holidays {installed} is installed but cn_calendar_years.json was reviewed against "
        f"holidays {data.holidays_version}: review official years and bump the data"
    )


def test_official_years_are_exactly_the_years_with_makeup_days_upstream() -> None:
    data = load_calendar_data()
    through = data.official_through
    cn = country_holidays("CN", years=range(2001, through + 3), language="zh_CN")
    with_makeup = {d.year for d in cn.weekend_workdays}
    assert {y for y in with_makeup if y <= through} == set(data.official_years), (
        "holidays' encoded notices changed: review official years in cn_calendar_years.json"
    )
    assert data.official_years == tuple(range(2001, through + 1))
    assert through + 1 not in with_makeup, (
        f"holidays now has make-up days for {through + 1}: the notice may be encoded upstream; "
        "review it and raise official_through"
    )


def test_data_notices() -> None:
    data = load_calendar_data()
    assert isinstance(data, CalendarData)
    for n in data.notices:
        assert f"国务院办公厅关于{n.year}年" in n.title
        assert n.document_no is None or n.document_no.startswith(f"国办发明电〔{n.year - 1}〕")
    assert data.notice(2026) is not None
    assert data.notice(2027) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "cn_calendar_years.json: the top level must be an object"),
        (
            {"holidays_version": "0.109", "official_through": "2026", "notices": {}},
            "cn_calendar_years.json: needs holidays_version (str), official_through (int), "
            "notices (object)",
        ),
        (
            {"holidays_version": "0.1", "official_through": 2026, "notices": {"x": {}}},
            "cn_calendar_years.json: notices['x'] must map a year to an object",
        ),
        (
            {"holidays_version": "0.1", "official_through": 2026, "notices": {"2026": {"x": 1}}},
            "cn_calendar_years.json: notices['2026'] needs a str title and a str or null "
            "document_no",
        ),
        (
            {
                "holidays_version": "0.1",
                "official_through": 2026,
                "notices": {"2024": {"title": "t"}, "2026": {"title": "t"}},
            },
            "cn_calendar_years.json: notice years must run without gaps up to "
            "official_through=2026",
        ),
    ],
)
def test_bad_data_is_refused(raw: object, message: str) -> None:
    with pytest.raises(CvcmRulesError) as exc:
        _parse_data(raw)
    assert str(exc.value) == message


def test_differential_against_chinesecalendar() -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    disagree = [
        d
        for d in _days(date(2004, 1, 1), date(2026, 12, 31))
        if CAL.is_working_day(d) != chinese_calendar.is_workday(d)
    ]
    # Known: the 2006 notice (国办发明电〔2005〕35号) says "12月31日（星期六）上班"; holidays
    # follows it and chinese_calendar marks the day off.
    assert disagree == [date(2005, 12, 31)]


# -- bad input ---------------------------------------------------------------------------------

COVERAGE = "(2001-01-01 to 2036-12-31)"
JAN_2026 = date(2026, 1, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: CAL.add_working_days("2026-07-17", 20, start_counts=True),  # type: ignore[arg-type]
            "start must be a datetime.date (not a datetime), got '2026-07-17' of type str",
        ),
        (
            lambda: CAL.add_working_days(datetime(2026, 7, 17, 9, 30), 20, start_counts=True),
            "start must be a datetime.date (not a datetime), "
            "got datetime.datetime(2026, 7, 17, 9, 30) of type datetime",
        ),
        (
            lambda: CAL.working_days_between(date(2026, 1, 1), None, start_counts=True),  # type: ignore[arg-type]
            "b must be a datetime.date (not a datetime), got None of type NoneType",
        ),
        (
            lambda: CAL.is_working_day(20260101),  # type: ignore[arg-type]
            "d must be a datetime.date (not a datetime), got 20260101 of type int",
        ),
        (
            lambda: CAL.add_working_days(date(2026, 7, 17), 0, start_counts=True),
            "n must be an int >= 1, got 0 of type int",
        ),
        (
            lambda: CAL.add_working_days(date(2026, 7, 17), -3, start_counts=False),
            "n must be an int >= 1, got -3 of type int",
        ),
        (
            lambda: CAL.add_working_days(date(2026, 7, 17), True, start_counts=False),
            "n must be an int >= 1, got True of type bool",
        ),
        (
            lambda: CAL.add_working_days(date(2026, 7, 17), 2.0, start_counts=False),  # type: ignore[arg-type]
            "n must be an int >= 1, got 2.0 of type float",
        ),
        (
            lambda: CAL.add_working_days(date(2026, 7, 17), 20, start_counts="yes"),  # type: ignore[arg-type]
            "start_counts must be a bool, got 'yes' of type str",
        ),
        (
            lambda: CAL.working_days_between(JAN_2026, date(2026, 1, 1), start_counts=True),
            "b (2026-01-01) is before a (2026-01-02)",
        ),
        (
            lambda: CAL.provisional_years_between(date(2027, 2, 1), date(2027, 1, 1)),
            "b (2027-01-01) is before a (2027-02-01)",
        ),
        (
            lambda: CAL.year_status("2027"),  # type: ignore[arg-type]
            "year must be an int >= 1, got '2027' of type str",
        ),
        (
            lambda: ChinaCalendar(first_year=2000),
            "first_year must be an int >= 2001, got 2000 of type int",
        ),
        (
            lambda: ChinaCalendar(first_year=2030, last_year=2029),
            "last_year must be an int >= 2030, got 2029 of type int",
        ),
        (
            lambda: ChinaCalendar(last_year=2100),
            "first_year and last_year must be <= 2099, got 2001..2100",
        ),
    ],
)
def test_bad_input(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(CalendarInputError) as exc:
        call()
    assert str(exc.value) == message
    assert isinstance(exc.value, InputError)
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: CAL.is_working_day(date(2037, 1, 1)),
            f"d 2037-01-01 is outside the working-day calendar's coverage {COVERAGE}",
        ),
        (
            lambda: CAL.add_working_days(date(2000, 12, 29), 1, start_counts=True),
            f"start 2000-12-29 is outside the working-day calendar's coverage {COVERAGE}",
        ),
        (
            lambda: CAL.working_days_between(JAN_2026, date(2037, 1, 4), start_counts=True),
            f"b 2037-01-04 is outside the working-day calendar's coverage {COVERAGE}",
        ),
        (
            lambda: CAL.add_working_days(date(2036, 12, 20), 20, start_counts=True),
            "adding 20 working days to 2036-12-20 (start_counts=True) goes past 2036-12-31, "
            f"the end of the working-day calendar's coverage {COVERAGE}",
        ),
        (
            lambda: CAL.add_working_days(date(2036, 12, 31), 1, start_counts=False),
            "adding 1 working day to 2036-12-31 (start_counts=False) goes past 2036-12-31, "
            f"the end of the working-day calendar's coverage {COVERAGE}",
        ),
        (
            lambda: CAL.year_status(2000),
            "year 2000 is outside the working-day calendar's coverage (2001 to 2036)",
        ),
        (
            lambda: CAL.year_info(2037),
            "year 2037 is outside the working-day calendar's coverage (2001 to 2036)",
        ),
        (
            lambda: provisional_years_between(date(2030, 1, 1), date(2040, 1, 1)),
            f"b 2040-01-01 is outside the working-day calendar's coverage {COVERAGE}",
        ),
    ],
)
def test_outside_coverage(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(CalendarCoverageError) as exc:
        call()
    assert str(exc.value) == message
    assert isinstance(exc.value, LookupError)


def test_last_covered_day_still_works() -> None:
    # 2036-12-31 is a Wednesday: with start_counts it is day 1 of itself.
    assert CAL.add_working_days(date(2036, 12, 31), 1, start_counts=True) == date(2036, 12, 31)
    last = date(2036, 12, 31)
    assert CAL.working_days_between(last, last, start_counts=False) == 0
