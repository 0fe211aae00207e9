"""The HTML report and its timeline, read as text (the browser test renders it for real).

Expected dates, events and holidays are read from the example dossier and the fixture cases,
and the working days counted by hand on the 2024 and 2026 State Council schedules.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from datetime import date
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import patched_data
from cvcm_rules.casetest import load_cases
from cvcm_rules.cli import main
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier, load_dossier_data
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.report.formats import FORMATS, RenderOptions
from cvcm_rules.report.html import render_html
from cvcm_rules.report.label import label_lines
from cvcm_rules.report.timeline import TimelineEvent, timeline_events

ROOT = Path(__file__).resolve().parents[1]
OFFSHORE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
AS_OF = date(2025, 7, 1)
MakeDossier = Callable[..., Dossier]


class _Tags(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def with_class(page: str, tag: str, css_class: str) -> list[dict[str, str]]:
    return [attrs for name, attrs in tags(page)
            if name == tag and css_class in attrs.get("class", "").split()]


def spring_festival_case() -> tuple[Dossier, Report]:
    """CCER.TIME.002's failing case: posted 2026-01-26 to 2026-02-26 over Spring Festival."""
    [case] = [c for c in load_cases(ROOT / "fixtures" / "cases" / "ccer")
              if c.rule == "CCER.TIME.002" and c.name.startswith("Spring Festival 2026, ending")]
    data = copy.deepcopy(load_dossier_data(case.base))
    for path, value in case.set.items():
        data = patched_data(data, path, value)
    dossier = dossier_from_data(data, case.name)
    return dossier, evaluate(dossier, [load_pack("ccer")], as_of=case.as_of)


def event(events: list[TimelineEvent], key: str) -> TimelineEvent:
    [found] = [e for e in events if e.key == key]
    return found


# -- timeline events ---------------------------------------------------------------------------

def test_events_of_the_offshore_wind_example(ccer_pack: Pack) -> None:
    dossier = load_dossier(OFFSHORE)
    events = timeline_events(dossier, evaluate(dossier, [ccer_pack], as_of=AS_OF))
    # Dates as written in fixtures/dossiers/ccer/offshore-wind.yaml.
    assert [(e.key, e.start.isoformat(), e.end.isoformat() if e.end else None)
            for e in events] == [
        ("construction", "2021-04-16", "2022-12-28"),
        ("crediting_periods[0]", "2023-01-01", "2032-12-31"),
        ("pdd_publicity", "2024-03-04", "2024-03-29"),
        ("validation", "2024-02-20", "2024-05-20"),
        ("registration", "2024-05-27", "2024-06-14"),
        ("batches[0].period", "2023-01-01", "2023-12-31"),
        ("batches[0].publicity", "2024-07-01", "2024-07-26"),
        ("batches[0].verification", "2024-09-10", None),
        ("batches[0].issuance", "2024-09-20", "2024-10-16"),
        ("batches[1].period", "2024-01-01", "2024-12-31"),
        ("batches[1].publicity", "2025-03-03", "2025-03-28"),
        ("batches[1].verification", "2025-05-30", None),
        ("batches[1].issuance", "2025-06-09", "2025-06-27"),
    ]
    assert all(e.outcome is None for e in events)
    # 2024-03-04 (Mon) + 20 working days counting the first: four plain weeks, no holiday.
    [pdd] = event(events, "pdd_publicity").deadlines
    assert (pdd.rule_id, pdd.due, pdd.working_days, pdd.holidays) == (
        "CCER.TIME.002", date(2024, 3, 29), 20, ())
    assert event(events, "pdd_publicity").holidays == ()
    # Received Mon 2024-05-27, 15 working days not counting the receipt day: 05-28..31 (4),
    # 06-03..07 (9), 06-10 is the Dragon Boat Festival, 06-11..14 (13), 06-17, 06-18 (15).
    [registry] = event(events, "registration").deadlines
    assert (registry.rule_id, registry.due, registry.working_days) == (
        "CCER.TIME.007", date(2024, 6, 18), 15)
    assert [h["date"] for h in registry.holidays] == ["2024-06-10"]


def test_a_failing_publicity_window_is_marked_with_its_holidays() -> None:
    dossier, report = spring_festival_case()
    pdd = event(timeline_events(dossier, report), "pdd_publicity")
    # TIME.002: 19 working days, one short; TIME.001: posted after the registration application
    # of 2024-05-27; TIME.004: the validation report of 2024-05-20 precedes the posting.
    assert pdd.flagged == {"CCER.TIME.001": "fail", "CCER.TIME.002": "fail",
                           "CCER.TIME.004": "fail"}
    assert pdd.outcome == "fail"
    # The case file: 2026-01-26 to 2026-02-27 is exactly 20 working days.
    assert [(d.rule_id, d.due, d.working_days) for d in pdd.deadlines] == [
        ("CCER.TIME.002", date(2026, 2, 27), 20)]
    # Weekdays off over Spring Festival 2026 (the case: "02-16..20 and 02-23 skipped").
    assert [h.date.day for h in pdd.holidays] == [16, 17, 18, 19, 20, 23]
    assert {h.date.month for h in pdd.holidays} == {2}


def test_a_warning_marks_an_event_as_warning(ccer_pack: Pack, make_dossier: MakeDossier) -> None:
    # The case "into 2027, ending 2027-01-08 is one day short on a provisional calendar".
    dossier = make_dossier({"pdd_publicity.start_date": "2026-12-14",
                            "pdd_publicity.end_date": "2027-01-08"})
    report = evaluate(dossier, [ccer_pack], as_of=AS_OF)
    pdd = event(timeline_events(dossier, report), "pdd_publicity")
    assert pdd.flagged.get("CCER.TIME.002") == "warn"
    assert pdd.provisional_years == (2027,)


# -- the page ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def offshore() -> tuple[Dossier, Report]:
    dossier = load_dossier(OFFSHORE)
    return dossier, evaluate(dossier, [load_pack("ccer")], as_of=AS_OF)


def test_the_same_report_renders_the_same_bytes(offshore: tuple[Dossier, Report],
                                                ccer_pack: Pack) -> None:
    dossier, report = offshore
    again = evaluate(load_dossier(OFFSHORE), [ccer_pack], as_of=AS_OF)
    for lang in ("en", "zh"):
        assert render_html([report], lang=lang, dossiers=[dossier]) == render_html(
            [again], lang=lang, dossiers=[dossier])


def test_page_is_self_contained(offshore: tuple[Dossier, Report]) -> None:
    dossier, report = offshore
    page = render_html([report], dossiers=[dossier])
    found = tags(page)
    assert not [t for t, _ in found if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _, a in found if "src" in a]
    assert "@import" not in page and "url(" not in page
    [csp] = [a for t, a in found if t == "meta" and a.get("http-equiv") ==
             "Content-Security-Policy"]
    assert csp["content"].startswith("default-src 'none'")
    # Absolute URLs: the SVG namespace, and citation sources as plain links (never fetched).
    links = {a["href"] for t, a in found if t == "a" and a.get("href", "").startswith("http")}
    assert links  # some CCER rules cite a web page
    assert set(re.findall(r"https?://[^\s\"'<]+", page)) == links | {"http://www.w3.org/2000/svg"}
    assert "@media print" in page and "break-inside: avoid" in page


def test_every_text_is_escaped(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    hostile = '<script>alert("x")</script> & <b>'
    dossier = make_dossier({"owner.name": hostile, "batches[0].id": "<B1>"})
    page = render_html([evaluate(dossier, [ccer_pack], as_of=AS_OF)], dossiers=[dossier])
    assert "<script" not in page and "<B1>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "&lt;B1&gt; monitoring period" in page  # the timeline label of batch 0


def test_summary_scorecard_timeline_then_findings(offshore: tuple[Dossier, Report]) -> None:
    dossier, report = offshore
    page = render_html([report], dossiers=[dossier])
    order = [page.index(marker) for marker in (
        'class="summary"', 'class="scorecards"', '<svg class="timeline"', 'class="findings"')]
    assert order == sorted(order)
    assert len(with_class(page, "g", "event")) == 13
    # Every finding is there, grouped under its category, with its clause quote and evidence.
    articles = with_class(page, "article", "finding")
    assert len(articles) == len(report.findings) == 122
    assert "项目设计文件公示期为二十个工作日。" in page  # CCER.TIME.002's quote of Art. 12 ¶3
    ids = [a["id"] for _, a in tags(page) if "id" in a]
    assert len(ids) == len(set(ids))


def test_failing_finding_and_capped_category(tmp_path: Path) -> None:
    dossier, report = spring_festival_case()
    page = render_html([report], dossiers=[dossier])
    [article] = [a for a in with_class(page, "article", "finding")
                 if a["data-rule"] == "CCER.TIME.002"]
    assert article["data-outcome"] == "fail" and "outcome-fail" in article["class"]
    [pdd] = [a for a in with_class(page, "g", "event") if a["data-key"] == "pdd_publicity"]
    assert "failing" in pdd["class"].split()
    # Timeline: 26 rules, three blocking failures; the category is capped at 0.
    [row] = [a for a in tags(page) if a[0] == "tr" and a[1].get("data-category") == "timeline"]
    assert row[1]["class"] == "capped"
    assert re.search(r'data-category="timeline"><td>Timeline and procedure</td>'
                     r'<td class="num">0 \(capped; [\d.]+ before the cap\)</td>', page)


def test_a_recorded_decision_is_shown_beside_the_finding(
        offshore: tuple[Dossier, Report]) -> None:
    # Worded as the text and Markdown reports word it (report/decision_text.py).
    dossier, report = offshore
    decision = {"status": "cl", "reference": "CL-3", "by": "审核员 <A>", "date": "2025-07-02",
                "justification": "Scope clarified & closed", "expires": "2026-07-01",
                "state": "in_force"}
    findings = [dataclasses.replace(f, decision=decision) if f.rule_id == "CCER.TIME.002" else f
                for f in report.findings]
    page = render_html([dataclasses.replace(report, findings=findings)], dossiers=[dossier])
    start = page.index('data-rule="CCER.TIME.002"')
    article = page[start:page.index("</article>", start)]
    assert '<aside class="decision">' in article
    assert ("CL CL-3, 审核员 &lt;A&gt;, 2025-07-02: Scope clarified &amp; closed "
            "(expires 2026-07-01)") in article
    # The finding itself stays: outcome, message and clause.
    assert 'data-outcome="pass"' in article
    assert "The PDD was posted from 2024-03-04 to 2024-03-29" in article


def test_without_its_dossier_the_report_says_so(offshore: tuple[Dossier, Report]) -> None:
    _, report = offshore
    page = render_html([report], lang="zh")
    assert "<svg" not in page
    assert "未提供项目文件，无法绘制时间线。" in page
    assert '<html lang="zh-CN">' in page and "合规检查报告" in page


def test_several_reports_in_one_page(offshore: tuple[Dossier, Report], ccer_pack: Pack) -> None:
    dossier, report = offshore
    other = load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / "solar-thermal.yaml")
    page = FORMATS["html"]([report, evaluate(other, [ccer_pack], as_of=AS_OF)],
                           RenderOptions(dossiers=(other, dossier)))
    assert [a["data-dossier"] for a in with_class(page, "article", "report")] == [
        "CCER-EX-OW-001", "CCER-EX-CSP-001"]
    assert page.count('<svg class="timeline"') == 2
    ids = [a["id"] for _, a in tags(page) if "id" in a]
    assert len(ids) == len(set(ids))


def test_cli_writes_the_html_report(tmp_path: Path, offshore: tuple[Dossier, Report]) -> None:
    _, report = offshore
    out = tmp_path / "report.html"
    code = main(["check", str(OFFSHORE), "--pack", "ccer", "--as-of", "2025-07-01",
                 "--format", "html", "--lang", "zh", "--output", str(out)])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert len(with_class(text, "g", "event")) == 13
    assert text.count('class="finding ') == len(report.findings)


def _scorecard_lines(page: str) -> list[dict[str, Any]]:
    return [a for t, a in tags(page) if t == "tr" and "data-category" in a]


def test_scorecard_rows_follow_the_pack(offshore: tuple[Dossier, Report]) -> None:
    dossier, report = offshore
    rows = _scorecard_lines(render_html([report], dossiers=[dossier]))
    assert [r["data-category"] for r in rows] == [
        "eligibility", "additionality", "uniqueness", "permanence", "double_counting",
        "crediting_period", "timeline", "vvb_independence", "sustainable_development",
        "net_zero", "conservativeness", "record_keeping"]


def test_the_ccp_label_verdict_is_in_the_summary() -> None:
    # With icvcm_ccp the summary carries the label verdict line of the text report
    # (report/label.py); without it, none.
    dossier = load_dossier(OFFSHORE)
    report = evaluate(dossier, [load_pack("icvcm_ccp")], as_of=AS_OF)
    [line] = label_lines(report, "en")
    page = render_html([report], dossiers=[dossier])
    summary = page[page.index('class="summary"'):page.index('class="scorecards"')]
    assert f'<p class="label-verdict"><strong>{escape(line)}</strong></p>' in summary
    ccer_only = evaluate(dossier, [load_pack("ccer")], as_of=AS_OF)
    assert "label-verdict" not in render_html([ccer_only], dossiers=[dossier])
