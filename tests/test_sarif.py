"""SARIF 2.1.0 output: valid against the official OASIS schema, and faithful to the findings.

tests/data/sarif-schema-2.1.0.json is the OASIS errata01 schema (JSON Schema draft-04), as
published with SARIF 2.1.0 errata 01. Expected results below are worked out from the test pack
written here and from the example dossier's text.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cvcm_rules.cli import main
from cvcm_rules.decisions import apply_decisions, load_decisions
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.report.sarif import dossier_source, render_sarif

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
EXAMPLES = sorted((ROOT / "fixtures" / "dossiers" / "ccer").glob("*.yaml"))
DECISIONS = ROOT / "fixtures" / "decisions" / "offshore-wind.decisions.yaml"
AS_OF = date(2025, 7, 1)
WritePack = Callable[..., Path]
Capture = pytest.CaptureFixture[str]

MANIFEST = """\
id: testpack
version: "1"
title: {zh: 测试包, en: Test pack}
effective_from: 2023-01-01
documents:
  doc-a: {title: {zh: 文件甲, en: Document A}, issuer: Test issuer}
  doc-b: {title: {zh: 文件乙, en: Document B}, issuer: Test issuer}
"""
# One rule per outcome SARIF must carry, plus one that passes (no result).
RULES = """\
rules:
  - id: TP.GEN.001
    version: 1
    category: eligibility
    severity: blocking
    title: {zh: 装机小于一百兆瓦, en: Capacity below 100 MW}
    citation:
      {document: doc-a, article: 第一条, clause: 第一款, quote: {zh: 引文一}, confidence: C}
    condition: project.capacity_mw < 100
    message:
      fail:
        zh: 装机 {project.capacity_mw} 兆瓦
        en: Capacity {project.capacity_mw} MW
  - id: TP.GEN.002
    version: 1
    category: eligibility
    severity: minor
    title: {zh: 装机不大于一百兆瓦为宜, en: Capacity preferably at most 100 MW}
    citation:
      {document: doc-a, article: 第一条, clause: 第一款, quote: {zh: 引文一}, confidence: C}
    condition: project.capacity_mw > 0
    warn_when: project.capacity_mw > 100
    message:
      fail: {zh: 无装机, en: No capacity}
      warn: {zh: 装机偏大, en: Large capacity}
  - id: TP.GEN.003
    version: 1
    category: timeline
    severity: major
    title: {zh: 备案早于评估日, en: Filed before the assessment date}
    citation: {document: doc-a, article: 第二条, quote: {zh: 引文二}, confidence: C}
    condition: legacy.filing_date < as_of
    message:
      fail: {zh: 备案日不早于评估日, en: Filing not before the assessment date}
  - id: TP.GEN.004
    version: 1
    category: record_keeping
    severity: major
    title: {zh: 人工核对, en: Checked by hand}
    citation: {document: doc-b, article: 第三条, quote: {zh: 引文三}, confidence: S}
    review: {zh: 请人工核对。, en: Check by hand.}
  - id: TP.GEN.005
    version: 1
    category: eligibility
    severity: major
    title: {zh: 有装机, en: Has capacity}
    citation: {document: doc-a, article: 第二条, quote: {zh: 引文二}, confidence: C}
    condition: project.capacity_mw > 0
    message:
      fail: {zh: 无装机, en: No capacity}
  - id: TP.BAT.001
    version: 1
    category: timeline
    severity: major
    title: {zh: 批次不是B2, en: Batch is not B2}
    citation: {document: doc-b, article: 第四条, quote: {zh: 引文四}, confidence: C}
    for_each: b in batches
    condition: b.id != "B2"
    evidence: [b.id]
    message:
      fail:
        zh: 批次 {b.id}
        en: Batch {b.id}
  - id: TP.BAT.002
    version: 1
    category: timeline
    severity: major
    title: {zh: 除以零, en: Divides by zero}
    citation: {document: doc-b, article: 第四条, quote: {zh: 引文四}, confidence: C}
    for_each: b in batches
    condition: 1 / (b.verification.sites_visited - 1) > 0
    message:
      fail: {zh: 不成立, en: Does not hold}
"""
TEST_DECISIONS = """\
dossier: CCER-EX-OW-001
decisions:
  - {{fingerprint: {gen1}, rule: TP.GEN.001, status: accepted, by: Qian, date: 2025-06-01,
      justification: Capacity accepted by the registry.}}
  - {{fingerprint: {gen2}, rule: TP.GEN.002, status: accepted, by: Qian, date: 2025-01-01,
      justification: Accepted for one quarter., expires: 2025-03-31}}
  - {{fingerprint: {b2}, rule: TP.BAT.001, status: car, by: Qian, date: 2025-06-01,
      justification: Batch B2 must be corrected., reference: CAR-9}}
"""


def validate(log: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)]


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


@pytest.fixture
def test_pack(tmp_path: Path, write_pack: WritePack) -> Pack:
    folder = write_pack(tmp_path, {"pack.yaml": MANIFEST, "rules/all.yaml": RULES})
    return load_pack(folder)


@pytest.fixture
def test_report(test_pack: Pack) -> Report:
    return evaluate(load_dossier(EXAMPLE), [test_pack], as_of=AS_OF)


def sarif(report: Report, **kwargs: Any) -> dict[str, Any]:
    return dict(json.loads(render_sarif([report], sources=[dossier_source(EXAMPLE)], **kwargs)))


def test_the_schema_is_the_official_one() -> None:
    assert SCHEMA["id"] == ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                            "sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})  # name required


def test_every_outcome_maps_to_kind_and_level(test_report: Report) -> None:
    log = sarif(test_report)
    assert validate(log) == []
    results = log["runs"][0]["results"]
    got = sorted((r["ruleId"], r.get("properties", {}).get("item"), r["kind"], r["level"])
                 for r in results)
    assert got == [
        ("TP.BAT.001", "B2", "fail", "error"),  # major failure; B1 passes, so no result
        ("TP.BAT.002", "B1", "open", "none"),  # the rule broke: not decidable
        ("TP.BAT.002", "B2", "open", "none"),
        ("TP.GEN.001", None, "fail", "error"),  # blocking
        ("TP.GEN.002", None, "fail", "warning"),  # warn
        ("TP.GEN.003", None, "open", "none"),  # indeterminate: legacy.filing_date is missing
        ("TP.GEN.004", None, "review", "none"),  # needs review
    ]
    for result in results:  # SARIF §3.27.10: any kind but "fail" has level "none"
        assert result["kind"] == "fail" or result["level"] == "none"


def test_one_descriptor_per_rule_and_results_point_at_theirs(test_report: Report) -> None:
    run = sarif(test_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["TP.BAT.001", "TP.BAT.002", "TP.GEN.001", "TP.GEN.002",
                                        "TP.GEN.003", "TP.GEN.004", "TP.GEN.005"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    gen1 = rules[2]
    assert gen1["shortDescription"] == {"text": "Capacity below 100 MW"}
    assert gen1["name"] == "CapacityBelow100MW"
    assert gen1["defaultConfiguration"] == {"level": "error"}
    assert gen1["properties"]["title_zh"] == "装机小于一百兆瓦"
    assert gen1["properties"]["tags"] == ["eligibility", "blocking", "testpack"]
    assert "doc-a 第一条 第一款: “引文一”" in gen1["fullDescription"]["text"]
    assert "helpUri" not in gen1


def test_cited_clauses_are_taxonomies_and_rules_relate_to_them(test_report: Report) -> None:
    run = sarif(test_report)["runs"][0]
    taxonomies = run["taxonomies"]
    assert [(t["name"], [x["id"] for x in t["taxa"]]) for t in taxonomies] == [
        ("doc-a", ["第一条 第一款", "第二条"]), ("doc-b", ["第三条", "第四条"])]
    assert run["tool"]["driver"]["supportedTaxonomies"] == [{"name": "doc-a", "index": 0},
                                                            {"name": "doc-b", "index": 1}]
    for rule in run["tool"]["driver"]["rules"]:
        (relation,) = rule["relationships"]
        target = relation["target"]
        taxonomy = taxonomies[target["toolComponent"]["index"]]
        assert taxonomy["name"] == target["toolComponent"]["name"]
        assert target["id"] in [taxon["id"] for taxon in taxonomy["taxa"]]
    by_rule = {r["ruleId"]: r["taxa"][0]["id"] for r in run["results"]}
    assert by_rule["TP.GEN.004"] == "第三条"


def test_results_carry_the_fingerprints_of_the_findings(test_report: Report) -> None:
    run = sarif(test_report)["runs"][0]
    expected = {(f.rule_id, None): f.fingerprint for f in test_report.findings}
    expected |= {(f.rule_id, i.key): i.fingerprint for f in test_report.findings for i in f.items}
    for result in run["results"]:
        key = (result["ruleId"], result["properties"].get("item"))
        assert result["partialFingerprints"] == {"cvcmFingerprint/v1": expected[key]}
        assert result["fingerprints"] == {"cvcmFingerprint/v1": expected[key]}


def test_results_are_located_by_field_path_and_line(test_report: Report) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    run = sarif(test_report)["runs"][0]
    assert run["artifacts"] == [{"location": {"uri": str(EXAMPLE.as_uri())},
                                 "roles": ["analysisTarget"],
                                 "properties": {"dossier_id": "CCER-EX-OW-001"}}]
    by_rule = {(r["ruleId"], r["properties"].get("item")): r for r in run["results"]}
    (b2,) = by_rule[("TP.BAT.001", "B2")]["locations"]
    assert b2["logicalLocations"] == [{"name": "batches[1]", "fullyQualifiedName": "batches[1]",
                                       "kind": "element"}]
    assert b2["physicalLocation"]["region"] == {"startLine": line_of(text, "  - id: B2")}
    (gen1,) = by_rule[("TP.GEN.001", None)]["locations"]
    assert gen1["logicalLocations"][0]["fullyQualifiedName"] == "project.capacity_mw"
    assert gen1["physicalLocation"]["region"] == {
        "startLine": line_of(text, "  capacity_mw: 400")}
    (gen3,) = by_rule[("TP.GEN.003", None)]["locations"]  # legacy is not in the file: no line
    assert gen3["logicalLocations"][0]["fullyQualifiedName"] == "legacy"  # the missing fact
    assert "region" not in gen3["physicalLocation"]


def test_a_relative_dossier_path_stays_relative(test_report: Report) -> None:
    log = json.loads(render_sarif([test_report], sources=[dossier_source(
        "fixtures/dossiers/ccer/offshore-wind.yaml")]))
    uri = log["runs"][0]["artifacts"][0]["location"]["uri"]
    assert uri == "fixtures/dossiers/ccer/offshore-wind.yaml"
    assert validate(log) == []


def test_broken_rules_are_also_tool_notifications(test_report: Report) -> None:
    (invocation,) = sarif(test_report)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["associatedRule"]["id"] == "TP.BAT.002"
    assert "division" in note["message"]["text"]


def test_accepted_decisions_in_force_suppress_without_removing(tmp_path: Path,
                                                               test_report: Report) -> None:
    prints = {f.rule_id: f for f in test_report.findings}
    b2 = next(i for i in prints["TP.BAT.001"].items if i.key == "B2")
    path = tmp_path / "d.yaml"
    path.write_text(TEST_DECISIONS.format(gen1=prints["TP.GEN.001"].fingerprint,
                                          gen2=prints["TP.GEN.002"].fingerprint,
                                          b2=b2.fingerprint), encoding="utf-8")
    decided = apply_decisions(test_report, load_decisions(path), AS_OF)
    log = sarif(decided)
    assert validate(log) == []
    results = {(r["ruleId"], r["properties"].get("item")): r for r in log["runs"][0]["results"]}
    assert len(results) == 7  # nothing is dropped
    assert results[("TP.GEN.001", None)]["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "Capacity accepted by the registry.",
        "properties": {"by": "Qian", "date": "2025-06-01", "source": "d.yaml:3"}}]
    expired = results[("TP.GEN.002", None)]
    assert "suppressions" not in expired  # expired on 2025-03-31, before 2025-07-01
    assert expired["properties"]["decision"]["state"] == "expired"
    car = results[("TP.BAT.001", "B2")]
    assert "suppressions" not in car  # a CAR is not a waiver
    assert (car["properties"]["decision"]["status"],
            car["properties"]["decision"]["reference"]) == ("car", "CAR-9")


def test_the_example_with_its_decisions_is_valid_and_suppresses_one(ccer_pack: Pack) -> None:
    report = evaluate(load_dossier(EXAMPLE), [ccer_pack], as_of=AS_OF)
    decided = apply_decisions(report, load_decisions(DECISIONS), AS_OF)
    log = sarif(decided, lang="zh")
    assert validate(log) == []
    run = log["runs"][0]
    assert run["language"] == "zh"
    open_findings = sorted(f.rule_id for f in report.findings
                           if f.outcome.value not in ("pass", "not_applicable"))
    assert sorted(r["ruleId"] for r in run["results"]) == open_findings  # no item rules open
    suppressed = [r["ruleId"] for r in run["results"] if "suppressions" in r]
    assert suppressed == ["CCER.ELIG.011"]  # CCER.REC.004's acceptance expired on 2025-03-31
    assert len(run["tool"]["driver"]["rules"]) == len(report.findings)


@pytest.mark.parametrize("dossier_path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("pack_id", ["ccer", "fcer", "icvcm_ccp"])
def test_every_example_report_is_valid_sarif(dossier_path: Path, pack_id: str) -> None:
    report = evaluate(load_dossier(dossier_path), [load_pack(pack_id)], as_of=AS_OF)
    log = json.loads(render_sarif([report], sources=[dossier_source(dossier_path)]))
    assert validate(log) == []
    expected = sum(
        sum(1 for i in f.items if i.outcome.value not in ("pass", "not_applicable"))
        if f.items else f.outcome.value not in ("pass", "not_applicable")
        for f in report.findings)
    assert len(log["runs"][0]["results"]) == expected


def test_sarif_is_byte_identical_for_the_same_reports(test_report: Report) -> None:
    first = render_sarif([test_report], sources=[dossier_source(EXAMPLE)])
    assert render_sarif([test_report], sources=[dossier_source(EXAMPLE)]) == first
    assert first.endswith("}\n") and json.loads(first)["version"] == "2.1.0"


def test_check_writes_sarif_with_one_run_per_dossier(tmp_path: Path, capsys: Capture) -> None:
    other = ROOT / "fixtures" / "dossiers" / "ccer" / "solar-thermal.yaml"
    out = tmp_path / "out.sarif"
    code = main(["check", str(EXAMPLE), str(other), "--as-of", "2025-07-01", "--format",
                 "sarif", "--output", str(out), "--no-decisions"])
    assert capsys.readouterr().err == ""
    log = json.loads(out.read_text(encoding="utf-8"))
    assert validate(log) == []
    assert [run["automationDetails"]["id"] for run in log["runs"]] == [
        "cvcm-rules/CCER-EX-OW-001/", f"cvcm-rules/{load_dossier(other).id}/"]
    json_code = main(["check", str(EXAMPLE), str(other), "--as-of", "2025-07-01", "--format",
                      "json", "--output", str(tmp_path / "out.json"), "--no-decisions"])
    assert code == json_code  # the exit code does not depend on the format


def test_sarif_messages_follow_the_language(test_report: Report) -> None:
    zh = {r["ruleId"]: r["message"]["text"] for r in sarif(test_report, lang="zh")["runs"][0][
        "results"]}
    assert zh["TP.GEN.001"] == "装机 400 兆瓦"
    assert textwrap.shorten(zh["TP.GEN.004"], 20) == "请人工核对。"
