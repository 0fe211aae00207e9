"""The scorecard: a score per category with the counts behind it, as each pack's data says.

A validation/verification body reads the scorecard first, so every number must be checkable by
hand from the findings: each category shows how many findings had each outcome, the weight they
earned out of the weight at stake, and the treatment the pack chose for outcomes that are not a
plain pass or fail (``scoring:`` in ``pack.yaml``, explained in ``docs/scoring.md``).

Several packs in one report are scored separately, one scorecard per pack over the findings of
that pack's rules, because each pack weighs and caps by its own regime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cvcm_rules.engine.findings import Finding, Outcome
from cvcm_rules.packs import Pack
from cvcm_rules.packs.schema import CATEGORIES, Scoring, Treatment

__all__ = ["category_score", "pack_scorecard", "scorecard", "treatments"]

# The share of its weight a finding earns under each treatment; ``None`` leaves it out.
_SHARE: dict[Treatment, float | None] = {"exclude": None, "zero": 0.0, "half": 0.5, "full": 1.0}


def treatments(scoring: Scoring) -> dict[str, Treatment]:
    """The treatment of every outcome: pass, fail and not_applicable are fixed, the rest data.

    Example:
        >>> treatments(Scoring())["needs_review"]
        'exclude'
    """
    return {
        Outcome.PASS.value: "full", Outcome.FAIL.value: "zero",
        Outcome.NOT_APPLICABLE.value: "exclude", Outcome.WARN.value: scoring.warn,
        Outcome.NEEDS_REVIEW.value: scoring.needs_review,
        Outcome.INDETERMINATE.value: scoring.indeterminate, Outcome.ERROR.value: scoring.error,
    }


_OUTCOMES = tuple(outcome.value for outcome in Outcome)
_FAIL = Outcome.FAIL
# Plans kept at most; past it the cache starts afresh (a process rarely holds more packs).
_MAX_PLANS = 256


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one ``scoring:`` block fixes for every report: shares, weights, templates.

    The templates are copied for each report (callers may mutate a report's dicts), never handed
    out themselves.
    """

    scoring: Scoring  # held so that its id, the cache key, cannot be reused while cached
    shares: dict[Outcome, float | None]
    weights: dict[str, float]
    cap: float
    categories: tuple[str, ...]
    listed: frozenset[str]
    zeros: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_OUTCOMES, 0))
    treatment: dict[str, Any] = field(default_factory=dict)
    empty_rows: dict[str, dict[str, Any]] = field(default_factory=dict)


# Keyed by id(): hashing a pydantic model on every call costs more than the scoring itself.
_PLANS: dict[int, _Plan] = {}


def _plan(scoring: Scoring) -> _Plan:
    """The plan of a scoring block, computed on first use and then looked up by identity."""
    plan = _PLANS.get(id(scoring))
    if plan is not None and plan.scoring is scoring:
        return plan
    weights = {k: float(v) for k, v in scoring.weights.model_dump().items()}
    plan = _Plan(
        scoring=scoring,
        shares={Outcome(o): _SHARE[t] for o, t in treatments(scoring).items()},
        weights=weights, cap=float(scoring.blocking_cap), categories=scoring.categories,
        listed=frozenset(scoring.categories),
        treatment={**treatments(scoring), "blocking_cap": float(scoring.blocking_cap),
                   "weights": weights},
    )
    # An empty row is what scoring no findings gives, so it cannot drift from _row.
    plan.empty_rows.update((c, _row(c, (), plan)) for c in CATEGORIES)
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[id(scoring)] = plan
    return plan


def _row(category: str, findings: Sequence[Finding], plan: _Plan) -> dict[str, Any]:
    """The row of one category (see ``category_score``)."""
    shares, weights = plan.shares, plan.weights
    counts = plan.zeros.copy()
    earned = possible = 0.0
    excluded = blocking = 0
    for finding in findings:
        outcome = finding.outcome
        counts[outcome] += 1  # an Outcome hashes and compares as its str value: keys stay str
        if outcome is _FAIL and finding.is_blocking_failure:
            blocking += 1
        share = shares[outcome]
        if share is None:
            excluded += 1
            continue
        weight = weights[finding.severity]
        possible += weight
        earned += weight * share
    raw = round(100 * earned / possible, 1) if possible else None
    cap = plan.cap if blocking else None
    value = raw if cap is None or raw is None else min(raw, cap)
    return {
        "category": category, "findings": len(findings), "counts": counts,
        "earned": earned, "possible": possible, "excluded": excluded,
        "raw_value": raw, "value": value, "blocking_failures": blocking,
        "capped": cap is not None, "cap": cap,
    }


def category_score(category: str, findings: Sequence[Finding], scoring: Scoring) -> dict[str, Any]:
    """Score one category: counts by outcome, weight earned and possible, value 0-100 or None.

    A blocking failure caps the value at ``scoring.blocking_cap``; the uncapped value is kept in
    ``raw_value`` so a reader sees what the cap hid.

    Example:
        >>> row = category_score("eligibility", [], Scoring())
        >>> row["findings"], row["possible"], row["value"], row["capped"]
        (0, 0.0, None, False)
    """
    return _row(category, findings, _plan(scoring))


def pack_scorecard(findings: Sequence[Finding], pack: Pack) -> dict[str, Any]:
    """The scorecard of one pack over the findings of its rules.

    Rows follow the pack's ``scoring.categories``; a category that has findings but is not
    listed is added after them (in the canonical category order), so no finding is left out.
    """
    plan = _plan(pack.manifest.scoring)
    own = pack.rule_ids
    by_category: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule_id in own:
            bucket = by_category.get(finding.category)
            if bucket is None:
                by_category[finding.category] = [finding]
            else:
                bucket.append(finding)
    rows = []
    empty, zeros = plan.empty_rows, plan.zeros
    for category in plan.categories:
        bucket = by_category.get(category)
        if bucket is None:  # most rows: a fresh copy of the empty row, counts included
            row = empty[category].copy()
            row["counts"] = zeros.copy()
        else:
            row = _row(category, bucket, plan)
        rows.append(row)
    if not by_category.keys() <= plan.listed:
        rows += [_row(c, by_category[c], plan) for c in CATEGORIES
                 if c in by_category and c not in plan.listed]
    treatment = plan.treatment.copy()
    treatment["weights"] = plan.weights.copy()
    return {"pack": f"{pack.id}@{pack.version}", "treatment": treatment, "categories": rows}


def scorecard(findings: Sequence[Finding], packs: Sequence[Pack]) -> dict[str, Any]:
    """The report's scorecard: one entry per pack, in the order the packs were given.

    Example:
        >>> scorecard([], [])
        {'packs': []}
    """
    return {"packs": [pack_scorecard(findings, pack) for pack in packs]}
