"""The events of a project's timeline, read from its dossier and marked from its report.

One event per dated step a reviewer checks: construction, project start, each crediting period,
the PDD publicity, validation, project registration, and for each monitoring batch its period,
publicity, verification and registration/issuance. An event is *failing* when a failing (or
warning) finding quotes one of the event's dates as evidence; a publicity window shows the
holidays inside it (from the working-day calendar) and the working-day deadline a rule computed.
The drawing itself is in ``timeline_svg``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from cvcm_rules.calendar import ChinaCalendar, NamedDay, default_calendar
from cvcm_rules.engine import Outcome, Report
from cvcm_rules.errors import CvcmRulesError
from cvcm_rules.model import Dossier

__all__ = ["Deadline", "EventKind", "TimelineEvent", "timeline_events"]

EventKind = Literal["construction", "start", "crediting", "publicity", "validation",
                    "registration", "monitoring", "verification", "issuance"]
_FLAGGED = (Outcome.FAIL, Outcome.WARN)

_NAMES = {
    "zh": {"construction": "建设", "operation": "建设至投运", "grid": "并网投运",
           "start": "项目开始", "crediting": "计入期", "pdd_publicity": "项目设计文件公示",
           "validation": "审定", "registration": "项目登记", "monitoring": "监测期",
           "publicity": "核算报告公示", "verification": "核查", "issuance": "减排量登记与签发"},
    "en": {"construction": "Construction", "operation": "Construction to operation",
           "grid": "Grid connection", "start": "Project start", "crediting": "Crediting period",
           "pdd_publicity": "PDD publicity", "validation": "Validation",
           "registration": "Project registration", "monitoring": "monitoring period",
           "publicity": "report publicity", "verification": "verification",
           "issuance": "registration and issuance"},
}


@dataclass(frozen=True, slots=True)
class Deadline:
    """A working-day deadline a rule computed from one of the event's dates."""

    rule_id: str
    start: date
    due: date
    working_days: int
    holidays: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One row of the timeline: a point (``end`` is None) or a span, with what marks it."""

    key: str
    kind: EventKind
    label: dict[str, str]
    start: date
    end: date | None
    paths: tuple[str, ...]
    flagged: dict[str, str] = field(default_factory=dict)  # rule id -> fail | warn
    deadlines: tuple[Deadline, ...] = ()
    holidays: tuple[NamedDay, ...] = ()
    provisional_years: tuple[int, ...] = ()

    @property
    def outcome(self) -> str | None:
        """``fail`` if a failing finding names this event, ``warn`` for a warning only."""
        if not self.flagged:
            return None
        return "fail" if "fail" in self.flagged.values() else "warn"

    @property
    def last(self) -> date:
        """The latest date the event reaches, deadlines included."""
        return max([self.start, self.end or self.start, *(d.due for d in self.deadlines)])


@dataclass(frozen=True, slots=True)
class _Raw:
    key: str
    kind: EventKind
    label: dict[str, str]
    dates: tuple[tuple[str, date | None], ...]  # (path, value) of every date the event shows
    window: bool = False  # a publicity window: list the holidays inside it


def _span(key: str, kind: EventKind, label: dict[str, str],
          dates: list[tuple[str, date | None]], *, window: bool = False) -> _Raw | None:
    if not any(value for _, value in dates):
        return None
    return _Raw(key, kind, label, tuple(dates), window)


def _label(key: str, prefix: str = "") -> dict[str, str]:
    return {lang: f"{prefix}{' ' if prefix else ''}{words[key]}" for lang, words in _NAMES.items()}


def _project_events(dossier: Dossier) -> Iterator[_Raw | None]:
    project = dossier.project
    operation = project.operation_start_date
    if project.construction_start_date is not None:
        key = "operation" if operation else "construction"
        yield _span("construction", "construction", _label(key), [
            ("project.construction_start_date", project.construction_start_date),
            ("project.operation_start_date", operation)])
    elif operation is not None:
        yield _span("construction", "construction", _label("grid"),
                    [("project.operation_start_date", operation)])
    yield _span("start", "start", _label("start"), [("project.start_date", project.start_date)])
    for i, period in enumerate(dossier.crediting_periods):
        label = {lang: f"{words['crediting']} {i + 1}" for lang, words in _NAMES.items()}
        yield _span(f"crediting_periods[{i}]", "crediting", label, [
            (f"crediting_periods[{i}].start", period.start),
            (f"crediting_periods[{i}].end", period.end)])
    if dossier.pdd_publicity is not None:
        yield _span("pdd_publicity", "publicity", _label("pdd_publicity"), [
            ("pdd_publicity.start_date", dossier.pdd_publicity.start_date),
            ("pdd_publicity.end_date", dossier.pdd_publicity.end_date)], window=True)
    if dossier.validation is not None:
        yield _span("validation", "validation", _label("validation"), [
            ("validation.contract_date", dossier.validation.contract_date),
            ("validation.report_date", dossier.validation.report_date)])
    if dossier.registration is not None:
        reg = dossier.registration
        yield _span("registration", "registration", _label("registration"), [
            ("registration.application_date", reg.application_date),
            ("registration.receipt_date", reg.receipt_date),
            ("registration.decision_date", reg.decision_date)])


def _batch_events(dossier: Dossier) -> Iterator[_Raw | None]:
    for i, batch in enumerate(dossier.batches):
        at = f"batches[{i}]"
        yield _span(f"{at}.period", "monitoring", _label("monitoring", batch.id), [
            (f"{at}.period.start", batch.period.start), (f"{at}.period.end", batch.period.end)])
        if batch.publicity is not None:
            yield _span(f"{at}.publicity", "publicity", _label("publicity", batch.id), [
                (f"{at}.publicity.start_date", batch.publicity.start_date),
                (f"{at}.publicity.end_date", batch.publicity.end_date)], window=True)
        if batch.verification is not None:
            yield _span(f"{at}.verification", "verification", _label("verification", batch.id), [
                (f"{at}.verification.contract_date", batch.verification.contract_date),
                (f"{at}.verification.report_date", batch.verification.report_date)])
        application = batch.application
        yield _span(f"{at}.issuance", "issuance", _label("issuance", batch.id), [
            (f"{at}.application.date", application.date if application else None),
            (f"{at}.application.receipt_date", application.receipt_date if application else None),
            (f"{at}.registration_date", batch.registration_date),
            (f"{at}.issuance.date", batch.issuance.date if batch.issuance else None)])


def _flags(report: Report) -> dict[str, dict[str, str]]:
    """Evidence path -> {rule id: outcome} over failing and warning findings and items."""
    flags: dict[str, dict[str, str]] = {}
    for finding in report.findings:
        sources = ([(item.outcome, item.evidence) for item in finding.items] if finding.items
                   else [(finding.outcome, finding.evidence)])
        for outcome, evidence in sources:
            if outcome not in _FLAGGED:
                continue
            for entry in evidence:
                rules = flags.setdefault(entry["path"], {})
                if rules.get(finding.rule_id) != "fail":
                    rules[finding.rule_id] = outcome.value
    return flags


def _deadlines(report: Report) -> list[tuple[frozenset[str], dict[str, Any], str]]:
    """Every ``add_working_days`` a rule computed: (evidence paths, explanation, rule id)."""
    found = []
    for finding in report.findings:
        sources = ([(item.evidence, item.derived) for item in finding.items] if finding.items
                   else [(finding.evidence, finding.derived)])
        for evidence, derived in sources:
            explanations = derived.get("working_days", [])
            paths = frozenset(e["path"] for e in evidence)
            for explanation in explanations if isinstance(explanations, list) else []:
                if isinstance(explanation, dict) and explanation.get(
                        "function") == "add_working_days":
                    found.append((paths, explanation, finding.rule_id))
    return found


def _window(calendar: ChinaCalendar, start: date,
            last: date) -> tuple[tuple[NamedDay, ...], tuple[int, ...]]:
    """Holidays (weekdays off) in ``[start, last]``; nothing when the calendar cannot say."""
    if last < start:
        return (), ()
    try:
        explained = calendar.explain_between(start, last, start_counts=True)
    except CvcmRulesError:  # outside the calendar's coverage: draw the window without holidays
        return (), ()
    return explained.holidays_skipped, explained.provisional_years


def timeline_events(dossier: Dossier, report: Report, *,
                    calendar: ChinaCalendar | None = None) -> list[TimelineEvent]:
    """The dossier's events in reading order, marked from the report's findings.

    Holidays come from ``calendar`` (the China working-day calendar by default); deadlines are
    the ones the report's rules computed, never recomputed here, so the picture shows what the
    findings say.
    """
    calendar = calendar or default_calendar()
    flags = _flags(report)
    deadlines = _deadlines(report)
    events = []
    for raw in [*_project_events(dossier), *_batch_events(dossier)]:
        if raw is None:
            continue
        values = [value for _, value in raw.dates if value is not None]
        start, end = min(values), max(values)
        paths = tuple(path for path, _ in raw.dates)
        shown = {path: value for path, value in raw.dates if value is not None}
        flagged: dict[str, str] = {}
        for path in paths:
            for rule_id, outcome in flags.get(path, {}).items():
                if flagged.get(rule_id) != "fail":
                    flagged[rule_id] = outcome
        own = [Deadline(rule_id, date.fromisoformat(x["start"]), date.fromisoformat(x["end"]),
                        int(x["working_days"]), tuple(x.get("holidays_skipped", [])))
               for evidence, x, rule_id in deadlines
               if any(shown.get(p) is not None and shown[p].isoformat() == x["start"]
                      for p in evidence)]
        unique = tuple(sorted({(d.due, d.rule_id): d for d in own}.values(),
                              key=lambda d: (d.due, d.rule_id)))
        holidays: tuple[NamedDay, ...] = ()
        provisional: tuple[int, ...] = ()
        if raw.window:
            last = max([end, *(d.due for d in unique)])
            holidays, provisional = _window(calendar, start, last)
        events.append(TimelineEvent(
            key=raw.key, kind=raw.kind, label=raw.label, start=start,
            end=end if len(values) > 1 else None, paths=paths,
            flagged=dict(sorted(flagged.items())), deadlines=unique, holidays=holidays,
            provisional_years=provisional))
    return events
