"""The scorecard: a score per category with the counts behind it, as each pack's data says.

A validation/verification body reads the scorecard first, so every number must be checkable by
hand from the findings: each category shows how many findings had each outcome, the weight they
earned out of the weight at stake, and the treatment the pack chose for outcomes that are not a
plain pass or fail (``scoring:`` in ``pack.yaml``, explained in ``docs/scoring.md``).

Several packs in one report are scored separately, one scorecard per pack over the findings of
that pack's rules, because each pack weighs and caps by its own regime.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
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
_NAMES = {outcome: outcome.value for outcome in Outcome}  # plain str keys: enum .value is slow


@functools.cache
def _plan(scoring: Scoring) -> tuple[dict[Outcome, float | None], dict[str, float]]:
    """Share earned per outcome and weight per severity (computed once per scoring block)."""
    shares = {Outcome(o): _SHARE[t] for o, t in treatments(scoring).items()}
    weights = {k: float(v) for k, v in scoring.weights.model_dump().items()}
    return shares, weights


def category_score(category: str, findings: Sequence[Finding], scoring: Scoring) -> dict[str, Any]:
    """Score one category: counts by outcome, weight earned and possible, value 0-100 or None.

    A blocking failure caps the value at ``scoring.blocking_cap``; the uncapped value is kept in
    ``raw_value`` so a reader sees what the cap hid.
    """
    shares, weights = _plan(scoring)
    counts = dict.fromkeys(_OUTCOMES, 0)
    earned = possible = 0.0
    excluded = 0
    for finding in findings:
        counts[_NAMES[finding.outcome]] += 1
        share = shares[finding.outcome]
        if share is None:
            excluded += 1
            continue
        weight = weights[finding.severity]
        possible += weight
        earned += weight * share
    raw = round(100 * earned / possible, 1) if possible else None
    blocking = sum(1 for finding in findings if finding.is_blocking_failure)
    cap = float(scoring.blocking_cap) if blocking else None
    value = raw if cap is None or raw is None else min(raw, cap)
    return {
        "category": category, "findings": len(findings), "counts": counts,
        "earned": earned, "possible": possible, "excluded": excluded,
        "raw_value": raw, "value": value, "blocking_failures": blocking,
        "capped": cap is not None, "cap": cap,
    }


@functools.cache
def _treatments(scoring: Scoring) -> dict[str, Treatment]:
    return treatments(scoring)


def pack_scorecard(findings: Sequence[Finding], pack: Pack) -> dict[str, Any]:
    """The scorecard of one pack over the findings of its rules.

    Rows follow the pack's ``scoring.categories``; a category that has findings but is not
    listed is added after them (in the canonical category order), so no finding is left out.
    """
    scoring = pack.manifest.scoring
    own = pack.rule_ids
    by_category: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule_id in own:
            by_category.setdefault(finding.category, []).append(finding)
    extra = [c for c in CATEGORIES if c in by_category and c not in scoring.categories]
    return {
        "pack": f"{pack.id}@{pack.version}",
        "treatment": {**_treatments(scoring), "blocking_cap": float(scoring.blocking_cap),
                      "weights": dict(_plan(scoring)[1])},
        "categories": [category_score(c, by_category.get(c, []), scoring)
                       for c in (*scoring.categories, *extra)],
    }


def scorecard(findings: Sequence[Finding], packs: Sequence[Pack]) -> dict[str, Any]:
    """The report's scorecard: one entry per pack, in the order the packs were given.

    Example:
        >>> scorecard([], [])
        {'packs': []}
    """
    return {"packs": [pack_scorecard(findings, pack) for pack in packs]}
