"""The scorecard's per-pack plan is reused across reports; nothing mutable is shared between them.

Plans are cached by the identity of a pack's ``scoring`` block and rows without findings are
copied from templates, so these tests check what could go wrong with that: a report that shares
a dict with another report, or a plan found for a scoring block it was not made for. Expected
numbers are worked out by hand: a passing and a failing blocking rule (weight 4 each) earn 4 of 8,
a raw value of 50.0, capped at the block's ``blocking_cap``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from cvcm_rules.engine import Finding, Outcome, evaluate
from cvcm_rules.engine.scorecard import category_score
from cvcm_rules.engine.scoring import summarise
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import Pack
from cvcm_rules.packs.schema import Scoring

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 7, 1)


def mutables(value: Any) -> Iterator[dict[str, Any] | list[Any]]:
    """Every dict and list inside a JSON-like value, the value included."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from mutables(item)
    elif isinstance(value, list):
        yield value
        for item in value:
            yield from mutables(item)


def finding(rule_id: str, outcome: Outcome, severity: str = "blocking") -> Finding:
    return Finding(rule_id=rule_id, rule_version=1, pack="testpack", category="uniqueness",
                   severity=severity, outcome=outcome, title={}, message={}, citation={},
                   evidence=[], parameters=[], derived={}, missing=[], reason=None,
                   fingerprint=rule_id)


def test_two_reports_share_no_dict_or_list(ccer_pack: Pack) -> None:
    dossier = load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / "solar-thermal.yaml")
    first = evaluate(dossier, [ccer_pack], as_of=AS_OF)
    second = evaluate(dossier, [ccer_pack], as_of=AS_OF)
    for part in ("scorecard", "summary"):
        ids = {id(obj) for obj in mutables(getattr(first, part))}
        assert not ids & {id(obj) for obj in mutables(getattr(second, part))}, part


def test_mutating_a_report_leaves_later_reports_intact(ccer_pack: Pack) -> None:
    dossier = load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / "solar-thermal.yaml")
    spoilt = evaluate(dossier, [ccer_pack], as_of=AS_OF)
    for obj in list(mutables(spoilt.scorecard)):
        obj.clear()
    card = evaluate(dossier, [ccer_pack], as_of=AS_OF).scorecard["packs"][0]
    assert card["treatment"]["weights"] == {"blocking": 4.0, "major": 2.0, "minor": 1.0,
                                            "info": 0.0}
    rows = {row["category"]: row for row in card["categories"]}
    # UNQ.001 not applicable, UNQ.002 and UNQ.003 pass, all blocking (test_scorecard.py).
    assert (rows["uniqueness"]["earned"], rows["uniqueness"]["possible"]) == (8.0, 8.0)
    # net_zero: no CCER rule, so an empty row with every outcome at zero.
    assert rows["net_zero"]["counts"] == dict.fromkeys((o.value for o in Outcome), 0)
    assert (rows["net_zero"]["findings"], rows["net_zero"]["value"]) == (0, None)


def test_a_plan_is_never_taken_for_another_scoring_block() -> None:
    # Hundreds of short-lived blocks: their ids are reused by Python as soon as they are freed,
    # and the cache is emptied when full, so a plan keyed loosely would give a stale cap.
    findings = [finding("T.UNQ.001", Outcome.PASS), finding("T.UNQ.002", Outcome.FAIL)]
    for quarter in range(300):
        cap = quarter / 4
        row = category_score("uniqueness", findings, Scoring(blocking_cap=cap))
        assert (row["raw_value"], row["cap"], row["value"]) == (50.0, cap, min(50.0, cap))


def test_summary_counts_blocking_failures_only() -> None:
    findings = [finding("T.UNQ.001", Outcome.FAIL), finding("T.UNQ.002", Outcome.FAIL, "major"),
                finding("T.UNQ.003", Outcome.WARN), finding("T.UNQ.004", Outcome.FAIL)]
    summary = summarise(findings)
    assert summary["blocking_failures"] == 2
    assert summary["by_category"] == {"uniqueness": {"fail": 3, "warn": 1}}
    assert [type(key) for key in summary["by_category"]["uniqueness"]] == [str, str]
