"""Reviewer decisions on findings (accepted, CAR, CL, closed), kept in a YAML file by the dossier.

A validation/verification body records one decision per finding, keyed by the finding's
fingerprint, with who decided, when, why and an optional expiry::

    dossier: CCER-EX-OW-001
    decisions:
      - fingerprint: 60d05eb0f21430a7f72f
        rule: CCER.ELIG.011
        status: accepted            # accepted | car | cl | closed
        by: 中衡碳核查有限公司 钱工
        date: 2025-06-16
        justification: 已检索注册登记系统公开的注销项目名单，未发现本项目。
        expires: 2026-06-30         # optional
        reference: VR-B2-07         # optional: the body's own CAR/CL number

A fingerprint names a whole finding or one item of it (one batch). Decisions never change an
outcome: ``apply_decisions`` puts each one beside its finding (``Finding.decision``), marks it
``expired`` after its expiry date or ``future`` when it was made after the assessment date (both
shown, neither counts), and lists every decision that names no finding of the report as stale in
``summary["decisions"]``, so an outdated or mistyped fingerprint cannot go unnoticed.

The key is ``date``, not ``on``: YAML 1.1 reads a bare ``on`` as the boolean true.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from cvcm_rules.engine.findings import Finding, Report
from cvcm_rules.errors import InputError
from cvcm_rules.model.load import loc_to_path
from cvcm_rules.yamlsafe import Positions, YamlSyntaxError, load_yaml

__all__ = [
    "STATUSES",
    "Decision",
    "DecisionFile",
    "Decisions",
    "DecisionsError",
    "apply_decisions",
    "choose_decisions",
    "decision_counts",
    "decisions_beside",
    "load_decisions",
]

Status = Literal["accepted", "car", "cl", "closed"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
_Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Decision(_Strict):
    """One decision on one finding (or on one item of a finding)."""

    fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{8,64}$")]
    rule: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(\.[A-Z][A-Z0-9]*)+\.\d{3}$")]
    status: Status
    by: _Text
    date: dt.date
    justification: _Text
    expires: dt.date | None = None
    reference: _Text | None = None

    @field_validator("expires")
    @classmethod
    def _expiry_after_decision(cls, expires: dt.date | None,
                               info: ValidationInfo) -> dt.date | None:
        decided = info.data.get("date")
        if expires is not None and decided is not None and expires < decided:
            raise ValueError(f"expires {expires} is before the decision date {decided}")
        return expires


class DecisionFile(_Strict):
    """A decisions file: the dossier it is about and its decisions."""

    dossier: _Text
    decisions: list[Decision]


@dataclass(frozen=True, slots=True)
class Decisions:
    """A loaded decisions file, with the line of each decision for messages."""

    source: str
    sha256: str
    dossier: str
    entries: tuple[Decision, ...]
    lines: tuple[int, ...]

    @property
    def name(self) -> str:
        """The file name alone: what reports record (not a machine's path)."""
        return Path(self.source).name


class DecisionsError(InputError):
    """A decisions file that does not load, or that does not fit the report it is applied to."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def decisions_beside(dossier: str | Path) -> Path:
    """Where a dossier's decisions are picked up: ``x.decisions.yaml`` next to ``x.yaml``.

    Example:
        >>> decisions_beside("fixtures/offshore-wind.yaml").as_posix()
        'fixtures/offshore-wind.decisions.yaml'
    """
    path = Path(dossier)
    return path.with_name(f"{path.stem}.decisions.yaml")


def load_decisions(path: str | Path) -> Decisions:
    """Read and validate a decisions file.

    Raises:
        DecisionsError: every problem, each as ``file:line:col: message``.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DecisionsError([f"{source}: cannot read decisions file: {err}"]) from None
    try:
        data, positions = load_yaml(text)
    except YamlSyntaxError as err:
        raise DecisionsError([f"{source}:{err.line}:{err.column}: {err.reason}"]) from None
    try:
        # JSON mode: dates must be YYYY-MM-DD strings; nothing is coerced.
        parsed = DecisionFile.model_validate_json(json.dumps(data))
    except ValidationError as err:
        raise DecisionsError([_problem(source, positions, e) for e in err.errors()]) from None
    lines = tuple(positions.get(("decisions", i), (1, 1))[0]
                  for i in range(len(parsed.decisions)))
    _refuse_duplicates(source, parsed.decisions, lines)
    return Decisions(source, hashlib.sha256(text.encode()).hexdigest(), parsed.dossier,
                     tuple(parsed.decisions), lines)


def _problem(source: str, positions: Positions, error: Any) -> str:
    loc = tuple(error["loc"])
    dotted = loc_to_path(loc) or "(document)"
    if error["type"] == "extra_forbidden":
        where = positions.get((*loc, "<key>")) or _nearest(positions, loc)
        known = ", ".join(_allowed_keys(loc))
        return f"{source}:{where[0]}:{where[1]}: {dotted}: unknown key (allowed: {known})"
    where = _nearest(positions, loc)
    value = error.get("input")
    shown = f" (got {value!r})" if error["type"] != "missing" and \
        not isinstance(value, dict | list) else ""
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{source}:{where[0]}:{where[1]}: {dotted}: {message}{shown}"


def _nearest(positions: Positions, loc: tuple[Any, ...]) -> tuple[int, int]:
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return (1, 1)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model = Decision if len(loc) > 2 and loc[0] == "decisions" else DecisionFile
    return list(model.model_fields)


def _refuse_duplicates(source: str, decisions: list[Decision], lines: tuple[int, ...]) -> None:
    first: dict[str, int] = {}
    problems = []
    for decision, line in zip(decisions, lines, strict=True):
        if decision.fingerprint in first:
            problems.append(f"{source}:{line}:1: fingerprint {decision.fingerprint} already has "
                            f"a decision at line {first[decision.fingerprint]}")
        first.setdefault(decision.fingerprint, line)
    if problems:
        raise DecisionsError(problems)


def choose_decisions(dossier_files: Sequence[str | Path], dossier_ids: Sequence[str],
                     explicit: Sequence[str | Path], *,
                     pick_up: bool) -> list[tuple[Decisions, bool] | None]:
    """The decisions file for each dossier, and whether it was picked up beside the dossier.

    Files given explicitly are matched to dossiers by the ``dossier`` id they declare; a
    dossier without one gets ``x.decisions.yaml`` from beside ``x.yaml`` when ``pick_up``.

    Raises:
        DecisionsError: a file does not load, names a dossier that is not being checked, or
            two files name the same dossier.
    """
    by_id: dict[str, Decisions] = {}
    for path in explicit:
        loaded = load_decisions(path)
        if loaded.dossier not in dossier_ids:
            raise DecisionsError([f"{loaded.source}: decisions for dossier {loaded.dossier!r}, "
                                  f"which is not among the dossiers checked "
                                  f"({', '.join(dossier_ids)})"])
        if loaded.dossier in by_id:
            raise DecisionsError([f"{loaded.source}: dossier {loaded.dossier!r} already has "
                                  f"decisions from {by_id[loaded.dossier].source}"])
        by_id[loaded.dossier] = loaded
    chosen: list[tuple[Decisions, bool] | None] = []
    for file, dossier_id in zip(dossier_files, dossier_ids, strict=True):
        beside = decisions_beside(file)
        if dossier_id in by_id:
            chosen.append((by_id[dossier_id], False))
        elif pick_up and beside.is_file():
            chosen.append((load_decisions(beside), True))
        else:
            chosen.append(None)
    return chosen


def decision_counts(decision: dict[str, Any] | None) -> bool:
    """True when a decision is in force on the assessment date (neither expired nor future)."""
    return decision is not None and decision.get("state") == "in_force"


def apply_decisions(report: Report, decisions: Decisions, as_of: dt.date) -> Report:
    """A copy of ``report`` with each decision beside the finding (or item) it names.

    Args:
        report: the evaluated report; it is not modified.
        decisions: a loaded decisions file for the report's dossier.
        as_of: the assessment date, against which expiry is judged (never the clock).

    Returns:
        The report with ``Finding.decision`` set where a decision applies and
        ``summary["decisions"]`` saying which file was applied, how many decisions are in
        force, expired or future, and which are stale (name no finding).

    Raises:
        DecisionsError: the file is about another dossier, or a decision's fingerprint belongs
            to a different rule than the one it names.
    """
    if decisions.dossier != report.dossier["id"]:
        raise DecisionsError([f"{decisions.source}: these decisions are for dossier "
                              f"{decisions.dossier!r}, the report is for "
                              f"{report.dossier['id']!r}"])
    targets = _targets(report.findings)
    attached: dict[int, dict[str, Any]] = {}
    stale: list[dict[str, Any]] = []
    problems: list[str] = []
    for decision, line in zip(decisions.entries, decisions.lines, strict=True):
        found = targets.get(decision.fingerprint)
        if found is None:
            stale.append({"fingerprint": decision.fingerprint, "rule_id": decision.rule,
                          "status": decision.status, "line": line})
            continue
        index, key = found
        rule_id = report.findings[index].rule_id
        if rule_id != decision.rule:
            problems.append(f"{decisions.source}:{line}:1: fingerprint {decision.fingerprint} "
                            f"belongs to rule {rule_id}, not {decision.rule}")
            continue
        entry = _as_dict(decision, decisions.name, line, as_of)
        slot = attached.setdefault(index, {})
        if key is None:
            slot.update(entry)
        else:
            slot.setdefault("items", []).append({"key": key, **entry})
    if problems:
        raise DecisionsError(problems)
    findings = [_with_decision(f, attached.get(i)) for i, f in enumerate(report.findings)]
    summary = {**report.summary, "decisions": _summary(decisions, attached, stale)}
    return dataclasses.replace(report, findings=findings, summary=summary)


def _targets(findings: list[Finding]) -> dict[str, tuple[int, str | None]]:
    """Fingerprint -> (finding index, item key or None for the finding itself)."""
    targets: dict[str, tuple[int, str | None]] = {}
    for index, finding in enumerate(findings):
        targets[finding.fingerprint] = (index, None)
        for item in finding.items:
            targets.setdefault(item.fingerprint, (index, item.key))
    return targets


def _state(decision: Decision, as_of: dt.date) -> str:
    if decision.date > as_of:
        return "future"
    if decision.expires is not None and decision.expires < as_of:
        return "expired"
    return "in_force"


def _as_dict(decision: Decision, name: str, line: int, as_of: dt.date) -> dict[str, Any]:
    return {
        "fingerprint": decision.fingerprint, "rule_id": decision.rule,
        "status": decision.status, "by": decision.by, "date": decision.date.isoformat(),
        "justification": decision.justification,
        "expires": decision.expires.isoformat() if decision.expires else None,
        "reference": decision.reference, "state": _state(decision, as_of),
        "source": f"{name}:{line}",
    }


def _with_decision(finding: Finding, decision: dict[str, Any] | None) -> Finding:
    if decision is None:
        return finding
    if "items" in decision:
        decision["items"].sort(key=lambda item: item["key"])
    return dataclasses.replace(finding, decision=decision)


def _summary(decisions: Decisions, attached: dict[int, dict[str, Any]],
             stale: list[dict[str, Any]]) -> dict[str, Any]:
    states = {"in_force": 0, "expired": 0, "future": 0}
    for decision in attached.values():
        for entry in [decision, *decision.get("items", [])]:
            if "state" in entry:
                states[entry["state"]] += 1
    return {"file": decisions.name, "sha256": decisions.sha256,
            "applied": sum(states.values()), **states,
            "stale": sorted(stale, key=lambda s: (s["rule_id"], s["fingerprint"]))}
