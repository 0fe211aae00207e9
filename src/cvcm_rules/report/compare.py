"""Compare two JSON reports of one dossier: which findings opened, closed, changed or stayed.

This is how a validation/verification body follows its corrective action and clarification
requests across dossier revisions. The unit compared is what a request is raised against: one
item (one batch) of a rule over a list, or the rule's finding otherwise. Units are matched by
fingerprint and, when the fingerprint differs (the dossier id or the rule's pack changed), by
rule id and item key. A unit is *open* when its outcome asks for action (fail, warn,
indeterminate, needs review, error):

- open before, not now: **closed**, either ``resolved`` (it now passes or no longer applies) or
  ``removed`` (the rule or the item is no longer evaluated);
- open now, and clean before (``regressed``) or not evaluated before (``new``): **opened**;
- open in both: **unchanged**, or **changed** when the outcome differs.

Units that are clean in both reports are counted, not listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from cvcm_rules.engine.findings import Outcome
from cvcm_rules.errors import InputError
from cvcm_rules.model.load import loc_to_path

__all__ = ["Comparison", "ReportFileError", "ReportView", "compare_all", "compare_reports",
           "load_reports"]

OPEN = frozenset({Outcome.FAIL, Outcome.WARN, Outcome.INDETERMINATE, Outcome.NEEDS_REVIEW,
                  Outcome.ERROR})


class ReportFileError(InputError):
    """A file that is not a cvcm-rules JSON report (as written by ``check --format json``)."""


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Text(_View):
    zh: str
    en: str


class _Item(_View):
    key: str
    outcome: Outcome
    message: _Text
    fingerprint: str


class _Finding(_View):
    rule_id: str
    severity: str
    outcome: Outcome
    title: _Text
    message: _Text
    fingerprint: str
    items: list[_Item]
    decision: dict[str, Any] | None = None


class _Dossier(_View):
    id: str


class ReportView(_View):
    """The parts of a JSON report that a comparison reads."""

    dossier: _Dossier
    as_of: str
    engine_version: str
    findings: list[_Finding]


def load_reports(path: str | Path) -> list[ReportView]:
    """Read a report written by ``check --format json`` (one dossier, or ``{"reports": [...]}``).

    Raises:
        ReportFileError: the file cannot be read, is not JSON, or is not a cvcm-rules report;
            the message names the file and the first problems with their JSON paths.
    """
    source = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ReportFileError(f"{source}: cannot read report: {err}") from None
    except json.JSONDecodeError as err:
        raise ReportFileError(f"{source}:{err.lineno}:{err.colno}: not JSON: {err.msg}") from None
    many = isinstance(data, dict) and set(data) == {"reports"} and \
        isinstance(data["reports"], list)
    entries = data["reports"] if many else [data]
    views = []
    for index, entry in enumerate(entries):
        try:
            views.append(ReportView.model_validate(entry))
        except ValidationError as err:
            where = ("reports", index) if many else ()
            problems = [f"{loc_to_path((*where, *e['loc'])) or '(document)'}: {e['msg']}"
                        for e in err.errors()[:5]]
            raise ReportFileError(f"{source}: not a cvcm-rules JSON report (write one with "
                                  f"`check --format json`): " + "; ".join(problems)) from None
    return views


@dataclass(frozen=True, slots=True)
class _Unit:
    """What a request is raised against: a finding, or one item of it."""

    rule_id: str
    key: str | None
    fingerprint: str
    outcome: Outcome
    severity: str
    title: dict[str, str]
    message: dict[str, str]
    decision: dict[str, Any] | None

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN


@dataclass(slots=True)
class Comparison:
    """The comparison of one dossier's old and new report."""

    dossier: dict[str, str]
    as_of: dict[str, str]
    opened: list[dict[str, Any]] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    clean: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with counts."""
        counts = {name: len(getattr(self, name)) for name in
                  ("opened", "closed", "changed", "unchanged")}
        return {"dossier": self.dossier, "as_of": self.as_of, "counts": {**counts,
                "clean": self.clean}, "opened": self.opened, "closed": self.closed,
                "changed": self.changed, "unchanged": self.unchanged}


def compare_reports(old: ReportView, new: ReportView) -> Comparison:
    """Compare two reports of a dossier (normally two revisions of it)."""
    comparison = Comparison(dossier={"old": old.dossier.id, "new": new.dossier.id},
                            as_of={"old": old.as_of, "new": new.as_of})
    pairs, only_old, only_new = _match(_units(old), _units(new))
    for before, after, matched_by in pairs:
        _classify(comparison, before, after, matched_by)
    for unit in only_old:
        if unit.is_open:
            comparison.closed.append(_entry(unit, None, "removed", None))
    for unit in only_new:
        if unit.is_open:
            comparison.opened.append(_entry(None, unit, "new", None))
    for name in ("opened", "closed", "changed", "unchanged"):
        getattr(comparison, name).sort(key=lambda e: (e["rule_id"], e["item"] or ""))
    return comparison


def compare_all(old: list[ReportView], new: list[ReportView], *,
                names: tuple[str, str] = ("OLD", "NEW")) -> list[Comparison]:
    """Compare two report files: one report each, or several paired by dossier id.

    Raises:
        ReportFileError: the files hold different dossiers, or one holds a dossier twice.
    """
    if len(old) == 1 and len(new) == 1:
        return [compare_reports(old[0], new[0])]
    sides = []
    for name, views in zip(names, (old, new), strict=True):
        ids = [view.dossier.id for view in views]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ReportFileError(f"{name}: holds dossier {', '.join(twice)} more than once")
        sides.append({view.dossier.id: view for view in views})
    if set(sides[0]) != set(sides[1]):
        only_old = ", ".join(sorted(set(sides[0]) - set(sides[1]))) or "-"
        only_new = ", ".join(sorted(set(sides[1]) - set(sides[0]))) or "-"
        raise ReportFileError(f"{names[0]} and {names[1]} hold different dossiers (only in "
                              f"{names[0]}: {only_old}; only in {names[1]}: {only_new})")
    return [compare_reports(sides[0][i], sides[1][i]) for i in sorted(sides[0])]


def _units(report: ReportView) -> list[_Unit]:
    units = []
    for f in report.findings:
        decision = f.decision or {}
        whole = decision if "status" in decision else None
        if not f.items:
            units.append(_Unit(f.rule_id, None, f.fingerprint, f.outcome, f.severity,
                               f.title.model_dump(), f.message.model_dump(), whole))
            continue
        by_key = {d.get("key"): d for d in decision.get("items", [])}
        units += [_Unit(f.rule_id, i.key, i.fingerprint, i.outcome, f.severity,
                        f.title.model_dump(), i.message.model_dump(), by_key.get(i.key, whole))
                  for i in f.items]
    return units


_Pair = tuple[_Unit, _Unit, str]


def _match(old: list[_Unit], new: list[_Unit]) -> tuple[list[_Pair], list[_Unit], list[_Unit]]:
    """Pair units by fingerprint, then by rule id and item key."""
    by_fingerprint = {unit.fingerprint: unit for unit in new}
    pairs: list[_Pair] = []
    left = []
    used: set[int] = set()
    for unit in old:
        twin = by_fingerprint.get(unit.fingerprint)
        if twin is not None and id(twin) not in used:
            pairs.append((unit, twin, "fingerprint"))
            used.add(id(twin))
        else:
            left.append(unit)
    by_subject = {(u.rule_id, u.key): u for u in new if id(u) not in used}
    only_old = []
    for unit in left:
        twin = by_subject.pop((unit.rule_id, unit.key), None)
        if twin is None:
            only_old.append(unit)
        else:
            pairs.append((unit, twin, "rule-and-item"))
            used.add(id(twin))
    only_new = [unit for unit in new if id(unit) not in used]
    return pairs, only_old, only_new


def _classify(comparison: Comparison, before: _Unit, after: _Unit, matched_by: str) -> None:
    if before.is_open and after.is_open:
        target = comparison.unchanged if before.outcome is after.outcome else comparison.changed
        target.append(_entry(before, after, None, matched_by))
    elif before.is_open:
        comparison.closed.append(_entry(before, after, "resolved", matched_by))
    elif after.is_open:
        comparison.opened.append(_entry(before, after, "regressed", matched_by))
    else:
        comparison.clean += 1


def _entry(before: _Unit | None, after: _Unit | None, how: str | None,
           matched_by: str | None) -> dict[str, Any]:
    unit = after or before
    assert unit is not None
    decision = (after.decision if after else None) or (before.decision if before else None)
    return {
        "rule_id": unit.rule_id, "item": unit.key, "fingerprint": unit.fingerprint,
        "severity": unit.severity, "title": unit.title, "how": how, "matched_by": matched_by,
        "old": _side(before), "new": _side(after), "decision": decision,
    }


def _side(unit: _Unit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"outcome": unit.outcome.value, "message": unit.message,
            "fingerprint": unit.fingerprint}
