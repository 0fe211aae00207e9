"""The scorecard: per-category scores from the packs' ``scoring`` data (docs/scoring.md).

Expected numbers are worked out by hand from the rules and the fixture cases they cite:
the three CCER uniqueness rules (CCER.UNQ.001-003) are all blocking (weight 4); on the
solar-thermal example UNQ.001 is not applicable (no other registration), UNQ.002 passes (the
commitment letter is attached) and UNQ.003 passes (both verifications conclude positively).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import patched_data
from cvcm_rules.casetest import Case, load_cases
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.engine.scorecard import category_score
from cvcm_rules.errors import PackError
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier, load_dossier_data
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.packs.schema import CATEGORIES, SCORECARD_CATEGORIES, Scoring, Treatment

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "fixtures" / "cases" / "ccer"
AS_OF = date(2025, 7, 1)
WritePack = Callable[..., Path]


def case_dossier(rule: str, name: str) -> tuple[Dossier, date]:
    """The dossier of the fixture case ``rule``/``name``, built as the case file says."""
    matches = [c for c in load_cases(CASES) if c.rule == rule and c.name == name]
    assert len(matches) == 1, (rule, name)
    case: Case = matches[0]
    data: dict[str, Any] = copy.deepcopy(load_dossier_data(case.base))
    for path, value in case.set.items():
        data = patched_data(data, path, value)
    for path in case.unset:
        data = patched_data(data, path, remove=True)
    return dossier_from_data(data, case.name), case.as_of


def row(report: Report, pack: str, category: str) -> dict[str, Any]:
    [card] = [p for p in report.scorecard["packs"] if p["pack"] == pack]
    [found] = [c for c in card["categories"] if c["category"] == category]
    return found


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


# -- the shipped CCER pack on fixture cases ------------------------------------------------------

def test_uniqueness_on_the_solar_thermal_example(ccer_pack: Pack) -> None:
    dossier = load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / "solar-thermal.yaml")
    got = row(evaluate(dossier, [ccer_pack], as_of=AS_OF), "ccer@2023.1", "uniqueness")
    assert got["findings"] == 3
    assert nonzero(got["counts"]) == {"pass": 2, "not_applicable": 1}
    assert (got["earned"], got["possible"], got["excluded"]) == (8.0, 8.0, 1)
    assert (got["raw_value"], got["value"], got["capped"], got["cap"]) == (100.0, 100.0, False,
                                                                           None)


def test_a_blocking_failure_caps_the_category(ccer_pack: Pack) -> None:
    dossier, as_of = case_dossier("CCER.UNQ.002",
                                  "the registration application has no commitment letter")
    got = row(evaluate(dossier, [ccer_pack], as_of=as_of), "ccer@2023.1", "uniqueness")
    assert nonzero(got["counts"]) == {"pass": 1, "fail": 1, "not_applicable": 1}
    # UNQ.003 earns 4 of 4, UNQ.002 earns 0 of 4: 4/8 = 50.0 before the cap of 0.
    assert (got["earned"], got["possible"], got["raw_value"]) == (4.0, 8.0, 50.0)
    assert (got["blocking_failures"], got["capped"], got["cap"], got["value"]) == (1, True, 0.0,
                                                                                   0.0)


def test_missing_evidence_earns_nothing_but_does_not_cap(ccer_pack: Pack) -> None:
    dossier, as_of = case_dossier("CCER.UNQ.002",
                                  "the dossier does not say whether the letter was attached")
    got = row(evaluate(dossier, [ccer_pack], as_of=as_of), "ccer@2023.1", "uniqueness")
    assert nonzero(got["counts"]) == {"pass": 1, "indeterminate": 1, "not_applicable": 1}
    assert (got["earned"], got["possible"], got["value"], got["capped"]) == (4.0, 8.0, 50.0,
                                                                             False)


def test_a_warning_earns_half(ccer_pack: Pack) -> None:
    dossier, as_of = case_dossier(
        "CCER.UNQ.001",
        "a deregistered VCS project whose period overlaps batch B1 warns (possible double "
        "issuance)")
    got = row(evaluate(dossier, [ccer_pack], as_of=as_of), "ccer@2023.1", "uniqueness")
    assert nonzero(got["counts"]) == {"pass": 2, "warn": 1}
    # 2 (half of 4) + 4 + 4 of 12 = 83.33...
    assert (got["earned"], got["possible"], got["value"]) == (10.0, 12.0, 83.3)


@pytest.mark.parametrize(("treatment", "earned", "possible", "value"), [
    ("exclude", 2.0, 2.0, 100.0),  # CCER.SD.002 (minor, review) left out: SD.001 earns 2 of 2
    ("zero", 2.0, 3.0, 66.7),      # counted, earns nothing: 2/3
    ("half", 2.5, 3.0, 83.3),      # 2.5/3
    ("full", 3.0, 3.0, 100.0),
])
def test_needs_review_treatment(ccer_pack: Pack, treatment: Treatment, earned: float,
                                possible: float, value: float) -> None:
    # Offshore wind: CCER.SD.001 (major) passes, CCER.SD.002 (minor) asks for review.
    dossier = load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml")
    report = evaluate(dossier, [ccer_pack], as_of=AS_OF)
    findings = [f for f in report.findings if f.category == "sustainable_development"]
    assert sorted((f.rule_id, f.outcome.value) for f in findings) == [
        ("CCER.SD.001", "pass"), ("CCER.SD.002", "needs_review")]
    got = category_score("sustainable_development", findings, Scoring(needs_review=treatment))
    assert (got["earned"], got["possible"], got["value"]) == (earned, possible, value)
    assert got["excluded"] == (1 if treatment == "exclude" else 0)


# -- scoring data in tmp packs -----------------------------------------------------------------

def _rule(rule_id: str, category: str, severity: str, condition: str) -> str:
    return (f"  - id: {rule_id}\n    version: 1\n    category: {category}\n"
            f"    severity: {severity}\n    title: {{zh: 测试, en: Test}}\n"
            "    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}\n"
            f"    condition: '{condition}'\n"
            "    message: {fail: {zh: 不通过, en: Fails}}\n")


THREE_RULES = ("rules:\n" + _rule("T.ELIG.001", "eligibility", "blocking", "true")
               + _rule("T.ELIG.002", "eligibility", "blocking", "false")
               + _rule("T.ELIG.003", "eligibility", "major", "true")
               + _rule("T.REC.001", "record_keeping", "minor", "true"))
MANIFEST = """\
id: testpack
version: "1"
title: {{zh: 测试包, en: Test pack}}
effective_from: 2023-01-01
documents:
  doc-a:
    title: {{zh: 文件甲, en: Document A}}
    issuer: Test issuer
{scoring}"""


def _pack(tmp_path: Path, write_pack: WritePack, scoring: str) -> Pack:
    return load_pack(write_pack(tmp_path, {"pack.yaml": MANIFEST.format(scoring=scoring),
                                           "rules/a.yaml": THREE_RULES}))


@pytest.mark.parametrize(("cap", "value"), [("40", 40.0), ("80", 60.0)])
def test_the_cap_comes_from_the_pack(tmp_path: Path, write_pack: WritePack,
                                     make_dossier: Callable[..., Dossier], cap: str,
                                     value: float) -> None:
    pack = _pack(tmp_path, write_pack, f"scoring:\n  blocking_cap: {cap}\n")
    got = row(evaluate(make_dossier(), [pack], as_of=AS_OF), "testpack@1", "eligibility")
    # blocking pass 4 + blocking fail 0 + major pass 2 = 6 of 10: 60.0, then the cap (never
    # raising a score).
    assert (got["earned"], got["possible"], got["raw_value"]) == (6.0, 10.0, 60.0)
    assert (got["capped"], got["cap"], got["value"]) == (True, float(cap), value)


def test_weights_and_order_come_from_the_pack(tmp_path: Path, write_pack: WritePack,
                                             make_dossier: Callable[..., Dossier]) -> None:
    pack = _pack(tmp_path, write_pack, "scoring:\n  weights: {blocking: 1, major: 3}\n"
                                       "  categories: [record_keeping, eligibility]\n")
    card = evaluate(make_dossier(), [pack], as_of=AS_OF).scorecard["packs"][0]
    assert [c["category"] for c in card["categories"]] == ["record_keeping", "eligibility"]
    eligibility = card["categories"][1]
    # blocking pass 1 + blocking fail 0 + major pass 3 = 4 of 5.
    assert (eligibility["earned"], eligibility["possible"], eligibility["raw_value"]) == (
        4.0, 5.0, 80.0)
    assert card["treatment"]["weights"] == {"blocking": 1.0, "major": 3.0, "minor": 1.0,
                                            "info": 0.0}


def test_a_pack_without_scoring_gets_the_defaults(tmp_path: Path, write_pack: WritePack,
                                                  make_dossier: Callable[..., Dossier]) -> None:
    pack = _pack(tmp_path, write_pack, "")
    card = evaluate(make_dossier(), [pack], as_of=AS_OF).scorecard["packs"][0]
    # The ten scorecard categories, then record_keeping (has a rule, not listed).
    assert [c["category"] for c in card["categories"]] == [*SCORECARD_CATEGORIES,
                                                           "record_keeping"]
    assert card["treatment"] == {
        "pass": "full", "fail": "zero", "not_applicable": "exclude", "warn": "half",
        "needs_review": "exclude", "indeterminate": "zero", "error": "zero",
        "blocking_cap": 0.0,
        "weights": {"blocking": 4.0, "major": 2.0, "minor": 1.0, "info": 0.0}}
    timeline = next(c for c in card["categories"] if c["category"] == "timeline")
    assert (timeline["findings"], timeline["possible"], timeline["value"]) == (0, 0.0, None)


@pytest.mark.parametrize(("scoring", "where", "text"), [
    ("scoring:\n  needs_review: maybe\n", "pack.yaml:10:", "scoring.needs_review"),
    ("scoring:\n  weights: {blocking: 0}\n", "pack.yaml:10:", "scoring.weights.blocking"),
    ("scoring:\n  categories: [timeline, timeline]\n", "pack.yaml:10:", "listed twice"),
    ("scoring:\n  blocking_cap: 120\n", "pack.yaml:10:", "scoring.blocking_cap"),
    ("scoring:\n  weight: {}\n", "pack.yaml:10:", "unknown-key"),
])
def test_bad_scoring_data_is_refused_with_its_place(tmp_path: Path, write_pack: WritePack,
                                                    scoring: str, where: str,
                                                    text: str) -> None:
    with pytest.raises(PackError) as err:
        _pack(tmp_path, write_pack, scoring)
    message = str(err.value)
    assert where in message and text in message, message


# -- the shipped packs -------------------------------------------------------------------------

@pytest.mark.parametrize("pack_id", ["ccer", "fcer", "icvcm_ccp"])
def test_shipped_packs_list_every_category_they_use(pack_id: str) -> None:
    pack = load_pack(pack_id)
    listed = pack.manifest.scoring.categories
    used = {rule.spec.category for rule in pack.rules}
    assert used <= set(listed), sorted(used - set(listed))
    assert listed[:len(SCORECARD_CATEGORIES)] == SCORECARD_CATEGORIES
    assert set(listed) <= set(CATEGORIES)


def test_several_packs_are_scored_separately(ccer_pack: Pack) -> None:
    icvcm = load_pack("icvcm_ccp")
    dossier = load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml")
    report = evaluate(dossier, [ccer_pack, icvcm], as_of=AS_OF)
    cards = report.scorecard["packs"]
    assert [c["pack"] for c in cards] == ["ccer@2023.1", "icvcm_ccp@2025.07"]
    # Each pack's rows hold exactly its own rules' findings (122 CCER rules, 34 ICVCM rules).
    assert [sum(r["findings"] for r in c["categories"]) for c in cards] == [122, 34]
    for card in cards:
        for r in card["categories"]:
            assert sum(r["counts"].values()) == r["findings"]
    assert report.to_dict()["scorecard"] == report.scorecard
