"""Outcomes, findings and reports: the traceable result of evaluating a dossier."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "ItemResult", "Outcome", "Report", "worst"]


class Outcome(StrEnum):
    """What a rule concluded about a dossier."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    WARN = "warn"
    NOT_APPLICABLE = "not_applicable"
    INDETERMINATE = "indeterminate"
    NEEDS_REVIEW = "needs_review"
    ERROR = "error"


# Which outcome a rule shows when its items differ: the one a reader must act on first.
_RANK = {
    Outcome.ERROR: 6, Outcome.FAIL: 5, Outcome.WARN: 4, Outcome.INDETERMINATE: 3,
    Outcome.NEEDS_REVIEW: 2, Outcome.PASS: 1, Outcome.NOT_APPLICABLE: 0,
}


def worst(outcomes: list[Outcome]) -> Outcome:
    """The outcome that dominates a list (error > fail > warn > indeterminate > review > pass).

    Example:
        >>> worst([Outcome.PASS, Outcome.WARN, Outcome.NOT_APPLICABLE])
        <Outcome.WARN: 'warn'>
    """
    found = Outcome.NOT_APPLICABLE
    rank = 0
    for outcome in outcomes:
        if _RANK[outcome] > rank:
            found, rank = outcome, _RANK[outcome]
    return found


# Findings and item results are plain slotted classes, not frozen ones: a frozen dataclass sets
# each field through object.__setattr__, which made building them a tenth of the evaluation.
# Treat them as read-only all the same; use dataclasses.replace to derive a changed one.
# Their __init__ is written out (init=False): the one the dataclass decorator generates is
# interpreted Python even when mypyc compiles this module, and cost about 9 % of an evaluation.
@dataclass(slots=True, init=False)
class ItemResult:
    """The result for one item of a ``for_each`` rule (one batch, one crediting period)."""

    key: str
    path: str
    outcome: Outcome
    message: dict[str, str]
    evidence: list[dict[str, Any]]
    derived: dict[str, Any]
    missing: list[str]
    reason: str | None
    fingerprint: str
    trace: list[dict[str, Any]] | None = None

    def __init__(self, key: str, path: str, outcome: Outcome, message: dict[str, str],
                 evidence: list[dict[str, Any]], derived: dict[str, Any], missing: list[str],
                 reason: str | None, fingerprint: str,
                 trace: list[dict[str, Any]] | None = None) -> None:
        self.key = key
        self.path = path
        self.outcome = outcome
        self.message = message
        self.evidence = evidence
        self.derived = derived
        self.missing = missing
        self.reason = reason
        self.fingerprint = fingerprint
        self.trace = trace

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = {
            "key": self.key, "path": self.path, "outcome": self.outcome.value,
            "message": self.message, "evidence": self.evidence, "derived": self.derived,
            "missing": self.missing, "reason": self.reason, "fingerprint": self.fingerprint,
        }
        if self.trace is not None:
            data["trace"] = self.trace
        return data


@dataclass(slots=True, init=False)
class Finding:
    """One rule's verdict on one dossier, with everything needed to check it by hand."""

    rule_id: str
    rule_version: int
    pack: str
    category: str
    severity: str
    outcome: Outcome
    title: dict[str, str]
    message: dict[str, str]
    citation: dict[str, Any]
    evidence: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    derived: dict[str, Any]
    missing: list[str]
    reason: str | None
    fingerprint: str
    items: list[ItemResult] = field(default_factory=list)
    trace: list[dict[str, Any]] | None = None
    # A reviewer's recorded decision on this finding (waiver, CAR, CL...), attached after
    # evaluation; shown beside the finding, never instead of it.
    decision: dict[str, Any] | None = None

    def __init__(self, rule_id: str, rule_version: int, pack: str, category: str, severity: str,
                 outcome: Outcome, title: dict[str, str], message: dict[str, str],
                 citation: dict[str, Any], evidence: list[dict[str, Any]],
                 parameters: list[dict[str, Any]], derived: dict[str, Any], missing: list[str],
                 reason: str | None, fingerprint: str, items: list[ItemResult] | None = None,
                 trace: list[dict[str, Any]] | None = None,
                 decision: dict[str, Any] | None = None) -> None:
        self.rule_id = rule_id
        self.rule_version = rule_version
        self.pack = pack
        self.category = category
        self.severity = severity
        self.outcome = outcome
        self.title = title
        self.message = message
        self.citation = citation
        self.evidence = evidence
        self.parameters = parameters
        self.derived = derived
        self.missing = missing
        self.reason = reason
        self.fingerprint = fingerprint
        self.items = [] if items is None else items
        self.trace = trace
        self.decision = decision

    @property
    def is_blocking_failure(self) -> bool:
        """A failure of a blocking rule: the dossier cannot go ahead as it is."""
        return self.outcome is Outcome.FAIL and self.severity == "blocking"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the contract in the architecture document)."""
        data: dict[str, Any] = {
            "rule_id": self.rule_id, "rule_version": self.rule_version, "pack": self.pack,
            "category": self.category, "severity": self.severity,
            "outcome": self.outcome.value, "title": self.title, "message": self.message,
            "citation": self.citation, "evidence": self.evidence,
            "parameters": self.parameters, "derived": self.derived, "missing": self.missing,
            "reason": self.reason, "fingerprint": self.fingerprint,
            "items": [item.to_dict() for item in self.items],
        }
        if self.trace is not None:
            data["trace"] = self.trace
        if self.decision is not None:
            data["decision"] = self.decision
        return data


@dataclass(slots=True, init=False)  # __init__ written out, as for Finding; read-only too
class Report:
    """Every finding for one dossier, with what produced them (packs, calendar, as-of date)."""

    dossier: dict[str, str]
    as_of: str
    engine_version: str
    packs: list[dict[str, str]]
    calendar: dict[str, Any]
    findings: list[Finding]
    summary: dict[str, Any]
    score: dict[str, Any]
    # Per pack and category, from each pack's ``scoring`` data (engine/scorecard.py).
    scorecard: dict[str, Any] = field(default_factory=dict)

    def __init__(self, dossier: dict[str, str], as_of: str, engine_version: str,
                 packs: list[dict[str, str]], calendar: dict[str, Any], findings: list[Finding],
                 summary: dict[str, Any], score: dict[str, Any],
                 scorecard: dict[str, Any] | None = None) -> None:
        self.dossier = dossier
        self.as_of = as_of
        self.engine_version = engine_version
        self.packs = packs
        self.calendar = calendar
        self.findings = findings
        self.summary = summary
        self.score = score
        self.scorecard = {} if scorecard is None else scorecard

    @property
    def has_blocking_failure(self) -> bool:
        """True when any blocking rule failed (the CLI then exits with 1)."""
        return any(f.is_blocking_failure for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the contract in the architecture document)."""
        return {
            "dossier": self.dossier, "as_of": self.as_of, "engine_version": self.engine_version,
            "packs": self.packs, "calendar": self.calendar,
            "findings": [finding.to_dict() for finding in self.findings],
            "summary": self.summary, "score": self.score, "scorecard": self.scorecard,
        }
