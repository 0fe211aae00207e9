"""The engine on the shipped ccer pack and the example dossier with edits, plus tmp packs.

Expected outcomes come from the law the rules encode (Order 31 Art. 10, 17, 18; Civil Code Art.
1259 on 以内) and from counting working days on a calendar by hand, not from running the code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cvcm_rules.engine import Finding, Outcome, Report, evaluate
from cvcm_rules.model import Dossier, load_dossier
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.report import render_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
AS_OF = date(2025, 7, 1)
MakeDossier = Callable[..., Dossier]
WritePack = Callable[..., Path]
OUTCOMES = {"pass", "fail", "warn", "not_applicable", "indeterminate", "needs_review", "error"}


def finding(report: Report, rule_id: str) -> Finding:
    matches = [f for f in report.findings if f.rule_id == rule_id]
    assert len(matches) == 1, f"{rule_id}: {len(matches)} findings"
    return matches[0]


def check(dossier: Dossier, pack: Pack, rule_id: str, as_of: date = AS_OF) -> Finding:
    return finding(evaluate(dossier, [pack], as_of=as_of), rule_id)


def rule(rule_id: str, body: str, *, severity: str = "blocking") -> str:
    """One rule of a tmp pack (citing ``doc-a``); ``body`` holds its condition, message etc."""
    head = (f"  - id: {rule_id}\n"
            "    version: 1\n"
            "    category: timeline\n"
            f"    severity: {severity}\n"
            "    title: {zh: 测试规则, en: Test rule}\n"
            "    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}\n")
    return head + textwrap.indent(textwrap.dedent(body), "    ")


def tmp_pack(tmp_path: Path, write_pack: WritePack, *rules: str) -> Pack:
    return load_pack(write_pack(tmp_path, {"rules/a.yaml": "rules:\n" + "".join(rules)}))


FAILS = "message:\n  fail: {zh: 不通过, en: Fails}\n"


# -- each outcome where it should arise -----------------------------------------------------------

@pytest.mark.parametrize("rule_id", [
    "CCER.ELIG.001",  # construction began 2021-04-16, after 2012-11-08
    "CCER.ELIG.002",  # legal_reduction_obligation: false
    "CCER.ELIG.003",  # neither national nor local ETS coverage
    "CCER.CRED.001",  # both batches start in 2023/2024, after 2020-09-22
    "CCER.CRED.002",  # each batch lies within five years before its application
    "CCER.VVB.001",   # verifier 91310000MA1GT5YH7P is not validator 91110000MA01ABCD3R
])
def test_the_example_passes(make_dossier: MakeDossier, ccer_pack: Pack, rule_id: str) -> None:
    result = check(make_dossier(), ccer_pack, rule_id)
    assert result.outcome is Outcome.PASS
    assert result.reason is None
    assert result.missing == []


def test_the_example_has_no_blocking_failure(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    report = evaluate(make_dossier(), [ccer_pack], as_of=AS_OF)
    failing = [f.rule_id for f in report.findings if f.is_blocking_failure]
    assert failing == []
    assert report.has_blocking_failure is False


def test_construction_before_the_cutoff_fails(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    dossier = make_dossier({"project.construction_start_date": "2012-01-01"})
    report = evaluate(dossier, [ccer_pack], as_of=AS_OF)
    result = finding(report, "CCER.ELIG.001")
    assert result.outcome is Outcome.FAIL
    assert result.severity == "blocking"
    assert result.is_blocking_failure
    assert report.has_blocking_failure
    # The message quotes the values it was decided on.
    for lang in ("zh", "en"):
        assert "2012-01-01" in result.message[lang]
        assert "2012-11-08" in result.message[lang]


@pytest.mark.parametrize(("edits", "rule_id"), [
    ({"project.legal_reduction_obligation": True}, "CCER.ELIG.002"),
    ({"ets.national_covered": True}, "CCER.ELIG.003"),
    ({"ets.local_pilot_covered": True}, "CCER.ELIG.003"),
    ({"batches[0].period.start": "2020-09-21"}, "CCER.CRED.001"),
    ({"batches[1].verification.vvb.uscc": "91110000MA01ABCD3R"}, "CCER.VVB.001"),
])
def test_each_breach_fails(make_dossier: MakeDossier, ccer_pack: Pack, edits: dict[str, object],
                           rule_id: str) -> None:
    assert check(make_dossier(edits), ccer_pack, rule_id).outcome is Outcome.FAIL


@pytest.mark.parametrize(("application", "expected"), [
    # 以内 includes the bound (Civil Code Art. 1259): generation starting exactly five years
    # before the application is allowed, one day earlier is not.
    ("2028-01-01", Outcome.PASS),
    ("2028-01-02", Outcome.FAIL),
])
def test_five_year_window_includes_its_bound(make_dossier: MakeDossier, ccer_pack: Pack,
                                            application: str, expected: Outcome) -> None:
    dossier = make_dossier({"batches[0].application.date": application})
    result = check(dossier, ccer_pack, "CCER.CRED.002")
    assert [(item.key, item.outcome) for item in result.items] == [
        ("B1", expected), ("B2", Outcome.PASS)]
    assert result.outcome is expected


@pytest.mark.parametrize(("edits", "rule_id"), [
    ({"project.construction_start_date": "2012-11-08"}, "CCER.ELIG.001"),
    ({"batches[0].period.start": "2020-09-22"}, "CCER.CRED.001"),
])
def test_the_cutoff_day_itself_warns(make_dossier: MakeDossier, ccer_pack: Pack,
                                     edits: dict[str, object], rule_id: str) -> None:
    # 之后 ("after") is not defined for the day itself: flagged, never failed (ledger 6.3).
    report = evaluate(make_dossier(edits), [ccer_pack], as_of=AS_OF)
    result = finding(report, rule_id)
    assert result.outcome is Outcome.WARN
    assert not result.is_blocking_failure


def test_affiliated_vvb_warns(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    dossier = make_dossier({"validation.vvb.affiliates": ["91310000MA1GT5YH7P"]})
    result = check(dossier, ccer_pack, "CCER.VVB.001")
    assert [item.outcome for item in result.items] == [Outcome.WARN, Outcome.WARN]
    assert result.outcome is Outcome.WARN


def test_applies_when_false_is_not_applicable(make_dossier: MakeDossier,
                                              ccer_pack: Pack) -> None:
    dossier = make_dossier(remove=["batches[0].application", "batches[1].application"])
    result = check(dossier, ccer_pack, "CCER.CRED.002")
    assert result.outcome is Outcome.NOT_APPLICABLE
    assert [(item.outcome, item.reason) for item in result.items] == [
        (Outcome.NOT_APPLICABLE, "applies-when-false")] * 2


def test_no_batches_is_not_applicable(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    result = check(make_dossier({"batches": []}), ccer_pack, "CCER.CRED.001")
    assert (result.outcome, result.reason, result.items) == (
        Outcome.NOT_APPLICABLE, "no-items", [])


def test_missing_evidence_is_indeterminate_with_the_concrete_path(
        make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    dossier = make_dossier({"batches[1].verification.vvb.uscc": None})
    result = check(dossier, ccer_pack, "CCER.VVB.001")
    assert result.outcome is Outcome.INDETERMINATE
    # The verifier's legal identity is unknown: its USCC is named (a rule may also name other
    # fields that could have established it), always with the concrete batch index.
    assert "batches[1].verification.vvb.uscc" in result.missing
    assert all(path.startswith("batches[1].verification.vvb.") for path in result.missing)
    first, second = result.items
    assert (first.key, first.outcome, first.missing) == ("B1", Outcome.PASS, [])
    assert (second.key, second.outcome) == ("B2", Outcome.INDETERMINATE)
    assert second.missing == result.missing
    assert "batches[1].verification.vvb.uscc" in result.message["en"]


@pytest.mark.parametrize(("ets", "expected", "missing"), [
    (None, Outcome.INDETERMINATE, ["ets"]),
    ({"national_covered": False}, Outcome.INDETERMINATE, ["ets.local_pilot_covered"]),
    # Kleene: one known coverage decides the conjunction even if the other is missing.
    ({"national_covered": True}, Outcome.FAIL, []),
    ({"local_pilot_covered": True}, Outcome.FAIL, []),
])
def test_ets_coverage_follows_kleene_logic(make_dossier: MakeDossier, ccer_pack: Pack,
                                           ets: dict[str, bool] | None, expected: Outcome,
                                           missing: list[str]) -> None:
    result = check(make_dossier({"ets": ets}), ccer_pack, "CCER.ELIG.003")
    assert (result.outcome, result.missing) == (expected, missing)


def test_review_only_rule_needs_review(tmp_path: Path, write_pack: WritePack,
                                       make_dossier: MakeDossier) -> None:
    review = "review:\n  zh: 请核对项目边界图。\n  en: Check the boundary map by hand.\n"
    pack = tmp_pack(tmp_path, write_pack, rule("TP.REV.001", review))
    result = check(make_dossier(), pack, "TP.REV.001")
    assert (result.outcome, result.reason) == (Outcome.NEEDS_REVIEW, "needs-review")
    assert result.message == {"zh": "请核对项目边界图。", "en": "Check the boundary map by hand."}


@pytest.mark.parametrize(("condition", "reason"), [
    ("1 / 0 > 1", "division-by-zero"),
    ("project.name > 1", "type-error"),
    ("project.capacity_mw + 1", "not-a-boolean"),
])
def test_a_broken_rule_is_an_error_and_the_others_still_run(
        tmp_path: Path, write_pack: WritePack, make_dossier: MakeDossier, ccer_pack: Pack,
        condition: str, reason: str) -> None:
    pack = tmp_pack(tmp_path, write_pack,
                    rule("TP.BAD.001", f"condition: {condition}\n{FAILS}"),
                    rule("TP.OK.002", f"condition: project.capacity_mw > 0\n{FAILS}"))
    report = evaluate(make_dossier(), [pack, ccer_pack], as_of=AS_OF)
    broken = finding(report, "TP.BAD.001")
    assert (broken.outcome, broken.reason) == (Outcome.ERROR, reason)
    assert finding(report, "TP.OK.002").outcome is Outcome.PASS
    assert finding(report, "CCER.ELIG.001").outcome is Outcome.PASS
    active = sum(1 for r in [*pack.rules, *ccer_pack.rules] if r.spec.status == "active")
    assert len(report.findings) == active
    assert not broken.is_blocking_failure


# -- dated parameters -----------------------------------------------------------------------------

def test_rules_are_not_in_force_before_their_parameters(make_dossier: MakeDossier,
                                                        ccer_pack: Pack) -> None:
    # Order 31 took effect on 2023-10-19; the pack's parameters start that day.
    dossier = make_dossier()
    before = check(dossier, ccer_pack, "CCER.ELIG.001", as_of=date(2023, 10, 18))
    assert (before.outcome, before.reason) == (Outcome.NOT_APPLICABLE, "not-in-force")
    assert before.parameters == []
    looped = check(dossier, ccer_pack, "CCER.CRED.001", as_of=date(2023, 10, 18))
    assert (looped.outcome, looped.reason) == (Outcome.NOT_APPLICABLE, "not-in-force")
    on_the_day = check(dossier, ccer_pack, "CCER.ELIG.001", as_of=date(2023, 10, 19))
    assert on_the_day.outcome is Outcome.PASS


HISTORY = """\
parameters:
  max_mw:
    unit: MW
    values:
      2023-01-01: {value: 500}
      2025-01-01: {value: 300}
      2026-01-01: null
condition: project.capacity_mw <= params.max_mw
message:
  fail:
    zh: "装机 {project.capacity_mw} 超过 {params.max_mw}"
    en: "{project.capacity_mw} > {params.max_mw}"
"""


@pytest.mark.parametrize(("as_of", "outcome", "used"), [
    (date(2022, 12, 31), Outcome.NOT_APPLICABLE, None),
    (date(2023, 1, 1), Outcome.PASS, (500, "2023-01-01")),
    (date(2024, 12, 31), Outcome.PASS, (500, "2023-01-01")),
    (date(2025, 1, 1), Outcome.FAIL, (300, "2025-01-01")),
    (date(2025, 12, 31), Outcome.FAIL, (300, "2025-01-01")),
    (date(2026, 1, 1), Outcome.NOT_APPLICABLE, None),   # a null entry ends the parameter
])
def test_the_value_in_force_on_as_of_is_used(tmp_path: Path, write_pack: WritePack,
                                             make_dossier: MakeDossier, as_of: date,
                                             outcome: Outcome,
                                             used: tuple[int, str] | None) -> None:
    pack = tmp_pack(tmp_path, write_pack, rule("TP.PAR.001", HISTORY))
    result = check(make_dossier(), pack, "TP.PAR.001", as_of=as_of)  # capacity 400 MW
    assert result.outcome is outcome
    if used is None:
        assert (result.reason, result.parameters) == ("not-in-force", [])
    else:
        assert result.parameters == [{"name": "max_mw", "value": used[0], "unit": "MW",
                                      "effective_from": used[1]}]
    if outcome is Outcome.FAIL:
        assert result.message["en"] == "400 > 300"


ORDERED = """\
condition: project.capacity_mw < 300
message:
  fail:
    zh: "100% 核对：{project.name} 装机 {project.capacity_mw} MW，{project.name}"
    en: "{project.capacity_mw} MW (100%) for {project.name}, {project.capacity_mw}; on {as_of}"
"""


def test_message_placeholders_in_any_order_with_a_literal_percent_sign(
        tmp_path: Path, write_pack: WritePack, make_dossier: MakeDossier) -> None:
    # English takes the placeholders in another order than Chinese, repeats them and has one
    # of its own; "%" is plain text in both.
    pack = tmp_pack(tmp_path, write_pack, rule("TP.MSG.001", ORDERED))
    dossier = make_dossier()  # capacity 400 MW
    result = check(dossier, pack, "TP.MSG.001")
    assert result.outcome is Outcome.FAIL
    pid = dossier.project.name
    assert result.message == {
        "zh": f"100% 核对：{pid} 装机 400 MW，{pid}",
        "en": f"400 MW (100%) for {pid}, 400; on 2025-07-01",
    }


def test_rule_effective_from(tmp_path: Path, write_pack: WritePack,
                             make_dossier: MakeDossier) -> None:
    body = f"effective_from: 2025-01-01\ncondition: project.capacity_mw > 0\n{FAILS}"
    pack = tmp_pack(tmp_path, write_pack, rule("TP.EFF.001", body))
    early = check(make_dossier(), pack, "TP.EFF.001", as_of=date(2024, 12, 31))
    assert (early.outcome, early.reason) == (Outcome.NOT_APPLICABLE, "not-in-force")
    assert check(make_dossier(), pack, "TP.EFF.001", as_of=date(2025, 1, 1)).outcome is (
        Outcome.PASS)


# -- working days and the provisional calendar ----------------------------------------------------

PUBLICITY = f"""\
parameters:
  min_publicity_working_days:
    unit: working_day
    values:
      2023-01-01: {{value: 20}}
let:
  publicity_working_days: >-
    working_days_between(pdd_publicity.start_date, pdd_publicity.end_date, true)
condition: publicity_working_days >= params.min_publicity_working_days
{FAILS}"""


def _publicity(make_dossier: MakeDossier, start: str, end: str) -> Dossier:
    return make_dossier({"pdd_publicity.start_date": start, "pdd_publicity.end_date": end})


def test_breach_on_a_provisional_year_is_only_a_warning(
        tmp_path: Path, write_pack: WritePack, make_dossier: MakeDossier) -> None:
    pack = tmp_pack(tmp_path, write_pack, rule("TP.WD.001", PUBLICITY))
    # 2028-03-01 is a Wednesday: 1-3 and 6-10 March are 8 working days, fewer than 20. No
    # State Council notice for 2028 exists yet (official_through is 2026).
    report = evaluate(_publicity(make_dossier, "2028-03-01", "2028-03-10"), [pack], as_of=AS_OF)
    result = finding(report, "TP.WD.001")
    assert (result.outcome, result.reason) == (Outcome.WARN, "provisional-calendar")
    assert report.calendar["provisional_years"] == [2028]
    assert result.derived["publicity_working_days"] == 8
    assert result.derived["provisional_years"] == [2028]
    (explained,) = result.derived["working_days"]
    assert (explained["start"], explained["end"], explained["working_days"],
            explained["status"]) == ("2028-03-01", "2028-03-10", 8, "provisional")
    assert not report.has_blocking_failure


def test_breach_on_an_official_year_fails(tmp_path: Path, write_pack: WritePack,
                                          make_dossier: MakeDossier) -> None:
    pack = tmp_pack(tmp_path, write_pack, rule("TP.WD.001", PUBLICITY))
    # 2024-03-04 (Monday) to 2024-03-15 (Friday): 10 working days under the 2024 notice.
    report = evaluate(_publicity(make_dossier, "2024-03-04", "2024-03-15"), [pack], as_of=AS_OF)
    result = finding(report, "TP.WD.001")
    assert (result.outcome, result.reason) == (Outcome.FAIL, None)
    assert result.derived["publicity_working_days"] == 10
    assert report.calendar["provisional_years"] == []
    assert report.has_blocking_failure


def test_example_publicity_counts_twenty_working_days(
        tmp_path: Path, write_pack: WritePack, make_dossier: MakeDossier) -> None:
    # The example's PDD was posted 2024-03-04 to 2024-03-29: four full working weeks.
    pack = tmp_pack(tmp_path, write_pack, rule("TP.WD.001", PUBLICITY))
    result = check(make_dossier(), pack, "TP.WD.001")
    assert result.outcome is Outcome.PASS
    assert result.derived["publicity_working_days"] == 20


LOOPED = f"""\
for_each: b in batches
condition: working_days_between(b.period.start, b.period.end, true) >= 10
{FAILS}"""


def test_an_official_failure_is_not_downgraded_by_another_items_provisional_year(
        tmp_path: Path, write_pack: WritePack, make_dossier: MakeDossier) -> None:
    pack = tmp_pack(tmp_path, write_pack, rule("TP.WD.002", LOOPED))
    dossier = make_dossier({
        "batches[0].period": {"start": "2024-03-04", "end": "2024-03-08"},  # 5 working days
        "batches[1].period": {"start": "2028-03-01", "end": "2028-06-30"},  # plenty
    })
    report = evaluate(dossier, [pack], as_of=AS_OF)
    result = finding(report, "TP.WD.002")
    assert [(i.key, i.outcome) for i in result.items] == [("B1", Outcome.FAIL),
                                                           ("B2", Outcome.PASS)]
    assert result.outcome is Outcome.FAIL
    assert report.has_blocking_failure


def test_a_rule_not_in_force_reports_no_working_day_derivation(
        tmp_path: Path, write_pack: WritePack, make_dossier: MakeDossier) -> None:
    later = ("parameters:\n  n:\n    unit: day\n    values:\n      2030-01-01: {value: 3}\n"
             f"condition: params.n > 1\n{FAILS}")
    pack = tmp_pack(tmp_path, write_pack, rule("TP.A.001", PUBLICITY), rule("TP.B.002", later))
    report = evaluate(_publicity(make_dossier, "2028-03-01", "2028-03-10"), [pack], as_of=AS_OF)
    result = finding(report, "TP.B.002")
    assert (result.outcome, result.reason) == (Outcome.NOT_APPLICABLE, "not-in-force")
    assert result.derived == {}


# -- what a finding carries -----------------------------------------------------------------------

def test_finding_carries_citation_evidence_and_parameters(make_dossier: MakeDossier,
                                                          ccer_pack: Pack) -> None:
    result = check(make_dossier(), ccer_pack, "CCER.ELIG.001")
    assert result.pack == f"ccer@{ccer_pack.version}"
    assert (result.citation["document"], result.citation["article"]) == ("order-31", "第十条")
    assert result.citation["quote"]["zh"]
    assert {"path": "project.construction_start_date", "value": "2021-04-16"} in result.evidence
    assert {"name": "construction_cutoff", "value": "2012-11-08", "unit": "date",
            "effective_from": "2023-10-19"} in result.parameters
    assert result.title["en"] and result.title["zh"]


def test_missing_evidence_is_shown_as_missing(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    result = check(make_dossier(remove=["ets"]), ccer_pack, "CCER.ELIG.003")
    assert {"path": "ets.national_covered", "value": None, "missing": True} in result.evidence


def test_items_carry_concrete_paths_and_values(make_dossier: MakeDossier,
                                               ccer_pack: Pack) -> None:
    result = check(make_dossier(), ccer_pack, "CCER.CRED.002")
    assert [(item.key, item.path) for item in result.items] == [
        ("B1", "batches[0]"), ("B2", "batches[1]")]
    first, second = result.items
    assert {"path": "batches[0].application.date", "value": "2024-09-20"} in first.evidence
    assert {"path": "batches[0].period.start", "value": "2023-01-01"} in first.evidence
    assert {"path": "batches[1].application.date", "value": "2025-06-09"} in second.evidence
    # five years before 2024-09-20 (Order 31 Art. 17 ¶2)
    assert first.derived["earliest_allowed"] == "2019-09-20"


def test_every_active_rule_gives_one_finding_with_a_known_outcome(
        make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    report = evaluate(make_dossier(), [ccer_pack], as_of=AS_OF)
    active = [r.id for r in ccer_pack.rules if r.spec.status == "active"]
    assert sorted(f.rule_id for f in report.findings) == sorted(active)
    assert {f.outcome.value for f in report.findings} <= OUTCOMES
    assert sum(report.summary["by_outcome"].values()) == report.summary["total"] == len(active)
    assert set(report.summary["by_outcome"]) == OUTCOMES


def test_trace_only_when_asked(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    plain = check(make_dossier(), ccer_pack, "CCER.ELIG.002")
    assert plain.trace is None
    assert "trace" not in plain.to_dict()
    traced = finding(evaluate(make_dossier(), [ccer_pack], as_of=AS_OF, trace=True),
                     "CCER.ELIG.002")
    assert traced.trace
    assert {"expression": "project.legal_reduction_obligation", "offset": 0, "value": False,
            "missing": False} in traced.trace


# -- fingerprints and byte-identical reports ------------------------------------------------------

def _fingerprints(report: Report) -> list[str]:
    return [f.fingerprint for f in report.findings] + [
        item.fingerprint for f in report.findings for item in f.items]


def test_fingerprints_are_stable(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    first = _fingerprints(evaluate(make_dossier(), [ccer_pack], as_of=AS_OF))
    again = _fingerprints(evaluate(make_dossier(), [ccer_pack], as_of=AS_OF))
    revised = _fingerprints(evaluate(
        make_dossier({"project.name_en": "Renamed", "batches[1].generated_mwh": 1}),
        [ccer_pack], as_of=AS_OF))
    assert first == again == revised
    assert len(set(first)) == len(first)


def test_fingerprints_change_with_the_dossier_id(make_dossier: MakeDossier,
                                                 ccer_pack: Pack) -> None:
    first = _fingerprints(evaluate(make_dossier(), [ccer_pack], as_of=AS_OF))
    other = _fingerprints(evaluate(make_dossier({"id": "CCER-EX-OW-002"}), [ccer_pack],
                                   as_of=AS_OF))
    assert not set(first) & set(other)


def test_report_json_is_byte_identical_in_process(ccer_pack: Pack) -> None:
    first = render_json(evaluate(load_dossier(EXAMPLE), [ccer_pack], as_of=AS_OF))
    second = render_json(evaluate(load_dossier(EXAMPLE), [load_pack(ccer_pack.path)],
                                  as_of=AS_OF))
    assert first == second
    data = json.loads(first)
    assert first == json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert data["as_of"] == "2025-07-01"
    assert data["dossier"]["id"] == "CCER-EX-OW-001"


SCRIPT = """\
import sys
from datetime import date
from cvcm_rules.engine import evaluate
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import load_pack
from cvcm_rules.report import render_json
report = evaluate(load_dossier(sys.argv[1]), [load_pack(sys.argv[2])], as_of=date(2025, 7, 1))
sys.stdout.buffer.write(render_json(report).encode("utf-8"))
"""


@pytest.mark.slow
def test_report_json_is_byte_identical_across_processes(tmp_path: Path,
                                                        ccer_pack: Pack) -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", SCRIPT, str(EXAMPLE), str(ccer_pack.path.resolve())],
            capture_output=True, env=env, cwd=tmp_path, timeout=120, check=True)
        outputs.append(done.stdout)
    in_process = render_json(evaluate(load_dossier(EXAMPLE), [ccer_pack], as_of=AS_OF))
    assert outputs[0] == outputs[1] == in_process.encode("utf-8")


# -- blocking semantics ---------------------------------------------------------------------------

@pytest.mark.parametrize(("severity", "condition", "blocking"), [
    ("blocking", "project.capacity_mw > 1000", True),    # fails
    ("major", "project.capacity_mw > 1000", False),      # fails, but not blocking
    ("blocking", "project.capacity_mw > 0", False),      # passes
    ("blocking", "project.sector == 1 / 0", False),      # error: the rule broke, not the dossier
    ("blocking", "project.forest_type == \"x\"", False),  # indeterminate
])
def test_has_blocking_failure(tmp_path: Path, write_pack: WritePack, make_dossier: MakeDossier,
                              severity: str, condition: str, blocking: bool) -> None:
    pack = tmp_pack(tmp_path, write_pack,
                    rule("TP.BLK.001", f"condition: {condition}\n{FAILS}", severity=severity))
    assert evaluate(make_dossier(), [pack], as_of=AS_OF).has_blocking_failure is blocking


def test_report_header(make_dossier: MakeDossier, ccer_pack: Pack) -> None:
    report = evaluate(make_dossier(), [ccer_pack], as_of=AS_OF)
    data: dict[str, Any] = report.to_dict()
    assert data["packs"] == [{"id": "ccer", "version": ccer_pack.version,
                              "sha256": ccer_pack.sha256}]
    assert data["calendar"]["source"] == "holidays.China"
    assert data["calendar"]["official_through"] == 2026
    assert len(data["dossier"]["sha256"]) == 64
