"""Summary counts and a simple, documented score for a report.

The score is the share of severity weight earned by decided findings: a pass earns its weight, a
warning half of it, a failure nothing. Findings that are not decided (not applicable,
indeterminate, needs review, error) are left out of the ratio and counted separately, so a dossier
cannot look better by withholding evidence: its ``undecided`` count grows instead.
"""

from __future__ import annotations

from typing import Any

from cvcm_rules.engine.findings import Finding, Outcome

__all__ = ["SEVERITY_WEIGHTS", "score", "summarise"]

SEVERITY_WEIGHTS = {"blocking": 4, "major": 2, "minor": 1, "info": 0}
_NAMES = {outcome: outcome.value for outcome in Outcome}
_ZEROS = dict.fromkeys(_NAMES.values(), 0)  # copied per summary: building it anew is slower
_FAIL = Outcome.FAIL
_DECIDED = {Outcome.PASS: 1.0, Outcome.WARN: 0.5, Outcome.FAIL: 0.0}


def summarise(findings: list[Finding]) -> dict[str, Any]:
    """Counts by outcome (every outcome listed) and by category, plus blocking failures."""
    by_outcome = _ZEROS.copy()
    by_category: dict[str, dict[str, int]] = {}
    blocking = 0
    for finding in findings:
        outcome = finding.outcome
        name = _NAMES[outcome]  # a plain str key (enum .value is slow to look up)
        by_outcome[name] += 1
        bucket = by_category.get(finding.category)
        if bucket is None:
            by_category[finding.category] = {name: 1}
        else:
            bucket[name] = bucket.get(name, 0) + 1
        if outcome is _FAIL and finding.is_blocking_failure:  # the property only for failures
            blocking += 1
    return {"by_outcome": by_outcome, "by_category": by_category, "blocking_failures": blocking,
            "total": len(findings)}


def score(findings: list[Finding]) -> dict[str, Any]:
    """Weighted share of decided findings that pass, 0-100, or None when nothing is decided.

    Example:
        >>> score([])["value"] is None
        True
    """
    earned = possible = 0.0
    undecided = 0
    for finding in findings:
        weight = SEVERITY_WEIGHTS[finding.severity]
        if finding.outcome in _DECIDED:
            possible += weight
            earned += weight * _DECIDED[finding.outcome]
        elif finding.outcome is not Outcome.NOT_APPLICABLE:
            undecided += 1
    value = round(100 * earned / possible, 1) if possible else None
    return {"value": value, "earned": earned, "possible": possible, "undecided": undecided,
            "method": "severity-weighted"}
