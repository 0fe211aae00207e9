"""The durable_rules exporter without durable_rules: ruleset JSON, reasons, splitting, facts, CLI.

Expected JSON is written out by hand from the rule texts below and the export's conventions:
``$and`` of the marker ``{"cvcm.fact": "dossier"}`` and the rule's failure condition in negation
normal form; dates as ``date.toordinal()`` day numbers (the documented encoding).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cvcm_rules.cli import main
from cvcm_rules.export import FactEncodingError, FactShape, dossier_fact, export_pack
from cvcm_rules.export.durable import CATCH_ALL
from cvcm_rules.model import Dossier
from cvcm_rules.packs import load_pack

WritePack = Callable[..., Path]
MakeDossier = Callable[..., Dossier]
MARKER = {"cvcm.fact": "dossier"}
CUTOFF = date(2012, 11, 8).toordinal()

HEAD = """\
  - id: {id}
    version: 1
    category: eligibility
    severity: major
    title: {{zh: 标题, en: Title}}
    citation: {{document: doc-a, article: 第一条, quote: {{zh: 引文}}, confidence: C}}
"""
MESSAGE = "    message: {fail: {zh: 不通过, en: Fails}, warn: {zh: 提醒, en: Warns}}\n"


def rule(rule_id: str, body: str, *, message: bool = True) -> str:
    """One rule in YAML: the common head, then ``body`` (already indented by four spaces)."""
    return HEAD.format(id=rule_id) + body + (MESSAGE if message else "")


EXPORTED = "rules:\n" + "".join([
    rule("TP.A.001", '    applies_when: project.mitigation_type == "reduction"\n'
                     "    condition: project.capacity_mw <= 1000\n"),
    rule("TP.A.002", "    condition: validation.report_date >= pdd_publicity.start_date\n"
                     "    warn_when: validation.report_date == pdd_publicity.start_date\n"),
    rule("TP.A.003", "    parameters:\n"
                     "      cutoff:\n"
                     "        unit: date\n"
                     "        values:\n"
                     "          2020-01-01: {value: 2017-03-14}\n"
                     "          2024-01-01: {value: 2018-01-01}\n"
                     "    applies_when: exists(legacy)\n"
                     "    condition: legacy.filing_date < params.cutoff\n"),
    rule("TP.A.004", '    condition: owner.jurisdiction in ["CN", "HK"]\n'),
    rule("TP.A.005", "    applies_when: exists(grouped)\n"
                     "    condition: 'all(u in grouped.units: u.meets_criteria == true)'\n"
                     "    warn_when: 'all(u in grouped.units: not exists(u.meets_criteria))'\n"),
    rule("TP.A.006", "    condition: coalesce(project.construction_start_date, "
                     'project.start_date) >= date("2012-11-08")\n'),
    rule("TP.A.007", "    condition: 13 in attributes.sdg_quantified and "
                     'lower(methodology.code) != "x"\n'),
    rule("TP.A.008", "    parameters:\n"
                     "      topics:\n"
                     "        unit: list\n"
                     "        values:\n"
                     "          2020-01-01: {value: [labour, water]}\n"
                     "    condition: 'all(t in params.topics: t in "
                     "safeguards.topics_assessed)'\n"),
    rule("TP.W.001", "    condition: exists(validation.report_date)\n"
                     "    warn_when: days_between(validation.report_date, "
                     "registration.application_date) > 30\n"),
])

NOT_EXPORTED = "rules:\n" + "".join([
    rule("TP.N.001", "    for_each: b in batches\n    condition: exists(b.id)\n"),
    rule("TP.N.002", "    condition: add_working_days(pdd_publicity.start_date, 20, true) <= "
                     "pdd_publicity.end_date\n"),
    rule("TP.N.003", '    condition: matches(owner.uscc, "[0-9A-Z]{18}")\n'),
    rule("TP.N.004", "    review: {zh: 人工核查, en: A reviewer checks}\n", message=False),
    rule("TP.N.005", "    effective_from: 2030-01-01\n"
                     "    condition: project.capacity_mw <= 1000\n"),
    rule("TP.N.006", "    condition: project.capacity_mw * 2 <= 1000\n"),
    rule("TP.N.007", '    condition: owner.jurisdiction < "D"\n'),
    rule("TP.N.008", "    parameters:\n"
                     "      flag:\n"
                     "        unit: bool\n"
                     "        values:\n"
                     "          2020-01-01: {value: true}\n"
                     "    condition: params.flag == true\n"),
    rule("TP.N.009", "    condition: 'count(t in validation.team: t.full_time == true) >= 2'\n"),
    rule("TP.N.010", "    parameters:\n"
                     "      late:\n"
                     "        unit: day\n"
                     "        values:\n"
                     "          2026-01-01: {value: 3}\n"
                     "    condition: project.capacity_mw <= params.late\n"),
    # 8 alternatives that can hold together in applies_when, times 8 in the negated condition:
    # up to 64 matches on one fact, more than a ruleset may make besides its catch-all rule.
    rule("TP.N.011", "    applies_when: " + " or ".join(
        f"project.capacity_mw > {k}" for k in range(1, 9)) + "\n"
        "    condition: " + " and ".join(f"site.water_depth_m < {k}" for k in range(1, 9))
        + "\n"),
])


def fail_rule(name: str, *tests: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"m": {"$and": [MARKER, *tests]}}], "run": name}


@pytest.fixture
def exported(tmp_path: Path, write_pack: WritePack) -> Path:
    return write_pack(tmp_path, {"rules/a.yaml": EXPORTED})


def export_of(folder: Path, when: date) -> dict[str, Any]:
    return export_pack(load_pack(folder), when).to_dict()


class TestRulesets:
    def test_hand_written_rules(self, exported: Path) -> None:
        data = export_of(exported, date(2023, 6, 30))
        assert list(data["rulesets"]) == ["testpack-1"]
        rules = data["rulesets"]["testpack-1"]
        assert rules[CATCH_ALL] == {"all": [{"m": MARKER}], "run": CATCH_ALL}
        start = {"$m": "pdd_publicity.start_date"}
        has_start = {"$ex": {"pdd_publicity.start_date": 1}}
        no_construction = {"$nex": {"project.construction_start_date": 1}}
        expected = {
            "TP.A.001/fail": fail_rule("TP.A.001/fail", {"project.mitigation_type": "reduction"},
                                       {"$gt": {"project.capacity_mw": 1000}}),
            "TP.A.002/fail": fail_rule("TP.A.002/fail", has_start,
                                       {"$lt": {"validation.report_date": start}}),
            "TP.A.002/warn": fail_rule("TP.A.002/warn", has_start,
                                       {"$gte": {"validation.report_date": start}},
                                       {"validation.report_date": start}),
            "TP.A.003/fail": fail_rule(
                "TP.A.003/fail", {"$ex": {"exists(legacy)": 1}},
                {"$gte": {"legacy.filing_date": date(2017, 3, 14).toordinal()}}),
            "TP.A.004/fail": fail_rule("TP.A.004/fail", {"$ex": {"owner.jurisdiction": 1}},
                                       {"$neq": {"owner.jurisdiction": "CN"}},
                                       {"$neq": {"owner.jurisdiction": "HK"}}),
            "TP.A.005/fail": fail_rule(
                "TP.A.005/fail", {"$ex": {"exists(grouped)": 1}},
                {"$iany": {"grouped.units": {"$neq": {"$i.meets_criteria": True}}}}),
            "TP.A.005/warn": fail_rule(
                "TP.A.005/warn", {"$ex": {"exists(grouped)": 1}},
                {"$or": [{"$iall": {"grouped.units": {"$i.meets_criteria": True}}},
                         {"len(grouped.units)": 0}]},
                {"$or": [{"$iall": {"grouped.units": {"$nex": {"$i.meets_criteria": 1}}}},
                         {"len(grouped.units)": 0}]}),
            "TP.A.006/fail": fail_rule("TP.A.006/fail", {"$or": [
                {"$and": [{"$ex": {"project.construction_start_date": 1}},
                          {"$lt": {"project.construction_start_date": CUTOFF}}]},
                {"$and": [no_construction, {"$ex": {"project.start_date": 1}},
                          {"$lt": {"project.start_date": CUTOFF}}]}]}),
            "TP.A.007/fail": fail_rule("TP.A.007/fail", {"$or": [
                {"$iall": {"attributes.sdg_quantified": {"$neq": {"$i": 13}}}},
                {"len(attributes.sdg_quantified)": 0},
                {"lower(methodology.code)": "x"}]}),
            "TP.A.008/fail": fail_rule("TP.A.008/fail", {"$or": [
                {"$iall": {"safeguards.topics_assessed": {"$neq": {"$i": "labour"}}}},
                {"len(safeguards.topics_assessed)": 0},
                {"$iall": {"safeguards.topics_assessed": {"$neq": {"$i": "water"}}}}]}),
            "TP.W.001/fail": fail_rule("TP.W.001/fail",
                                       {"$nex": {"validation.report_date": 1}}),
        }
        assert {name: body for name, body in rules.items() if name != CATCH_ALL} == expected
        assert data["not_exported"] == {}
        assert data["rules"]["TP.W.001"] == {
            "ruleset": "testpack-1", "fail": "TP.W.001/fail", "warn": None,
            "warn_not_exported": "days_between(): date arithmetic is not exported: "
                                 "durable_rules has no dates, only the day numbers of the fact"}
        assert data["rules"]["TP.A.002"] == {"ruleset": "testpack-1", "fail": "TP.A.002/fail",
                                             "warn": "TP.A.002/warn"}

    def test_dated_parameter_is_resolved_for_the_export_date(self, exported: Path) -> None:
        later = export_of(exported, date(2024, 6, 30))["rulesets"]["testpack-1"]
        assert later["TP.A.003/fail"] == fail_rule(
            "TP.A.003/fail", {"$ex": {"exists(legacy)": 1}},
            {"$gte": {"legacy.filing_date": date(2018, 1, 1).toordinal()}})
        early = export_of(exported, date(2019, 6, 30))
        assert early["not_exported"]["TP.A.003"] == (
            "not in force on 2019-06-30: parameter cutoff has no value then")
        assert "TP.A.003/fail" not in early["rulesets"]["testpack-1"]

    def test_fact_shape_lists_every_key_read(self, exported: Path) -> None:
        facts = export_of(exported, date(2023, 6, 30))["facts"]["testpack-1"]
        assert facts == {
            "keys": {
                "exists(grouped)": "bool", "exists(legacy)": "bool",
                "legacy.filing_date": "date", "len(attributes.sdg_quantified)": "number",
                "len(grouped.units)": "number", "len(safeguards.topics_assessed)": "number",
                "lower(methodology.code)": "string", "owner.jurisdiction": "string",
                "pdd_publicity.start_date": "date", "project.capacity_mw": "number",
                "project.construction_start_date": "date", "project.mitigation_type": "string",
                "project.start_date": "date", "validation.report_date": "date",
            },
            "lists": {
                "attributes.sdg_quantified": "number",
                "grouped.units": {"keys": {"meets_criteria": "bool"}, "lists": {}},
                "safeguards.topics_assessed": "string",
            },
        }

    def test_reasons_for_rules_not_exported(self, tmp_path: Path, write_pack: WritePack) -> None:
        folder = write_pack(tmp_path, {"rules/n.yaml": NOT_EXPORTED})
        data = export_of(folder, date(2025, 7, 1))
        assert data["rules"] == {}
        assert data["rulesets"] == {}
        assert data["not_exported"] == {
            "TP.N.001": "for_each (b in batches): one result per item, while a durable_rules "
                        "fact is the whole dossier",
            "TP.N.002": "add_working_days(): working days need China's holiday calendar "
                        "(statutory holidays and make-up working days), which only the engine "
                        "has",
            "TP.N.003": "matches(): a regular expression: durable_rules' pattern dialect is not "
                        "Python's (for one, \\d compiles but never matches)",
            "TP.N.004": "needs_review: a reviewer decides; the rule has no condition",
            "TP.N.005": "not in force on 2025-07-01 (effective from 2030-01-01)",
            "TP.N.006": "arithmetic is not exported: durable_rules computes in doubles and "
                        "integer division by zero kills its process",
            "TP.N.007": "orders strings (< <= > >=): durable_rules orders strings differently "
                        "from Python (it compares their escaped JSON text)",
            "TP.N.008": "it can neither fail nor warn on 2025-07-01 once its parameters are "
                        "resolved",
            "TP.N.009": "count() over a list computes a value; durable_rules can only test "
                        "whether all or any items match",
            "TP.N.010": "not in force on 2025-07-01: parameter late has no value then",
            "TP.N.011": "durable_rules could make 64 matches for it on one fact; beyond 64 in "
                        "a ruleset it fires nothing (error 303)",
        }

    def test_split_into_rulesets_of_at_most_64_rules(self, tmp_path: Path,
                                                      write_pack: WritePack) -> None:
        text = "rules:\n" + "".join(
            rule(f"TP.S.{n:03d}", f"    condition: project.capacity_mw <= {n}\n")
            for n in range(1, 71))
        data = export_of(write_pack(tmp_path, {"rules/s.yaml": text}), date(2025, 7, 1))
        first, second = data["rulesets"]["testpack-1"], data["rulesets"]["testpack-2"]
        assert list(data["rulesets"]) == ["testpack-1", "testpack-2"]
        # 63 rules and the catch-all, then the 7 left.
        assert sorted(first) == sorted([CATCH_ALL] + [f"TP.S.{n:03d}/fail" for n in range(1, 64)])
        assert sorted(second) == sorted([CATCH_ALL] + [f"TP.S.{n:03d}/fail"
                                                       for n in range(64, 71)])
        assert second["TP.S.070/fail"] == fail_rule("TP.S.070/fail",
                                                     {"$gt": {"project.capacity_mw": 70}})
        assert data["rules"]["TP.S.064"]["ruleset"] == "testpack-2"

    def test_exclusive_alternatives_count_once(self, tmp_path: Path,
                                               write_pack: WritePack) -> None:
        # 100 values of one key: at most one equality can hold, so the rule fits in a ruleset.
        values = ", ".join(f'"v{n}"' for n in range(100))
        text = "rules:\n" + rule("TP.E.001", f"    condition: owner.jurisdiction not in "
                                             f"[{values}]\n")
        data = export_of(write_pack(tmp_path, {"rules/e.yaml": text}), date(2025, 7, 1))
        assert data["not_exported"] == {}
        test = data["rulesets"]["testpack-1"]["TP.E.001/fail"]["all"][0]["m"]["$and"][1]
        assert test == {"$or": [{"owner.jurisdiction": f"v{n}"} for n in range(100)]}

    def test_json_is_canonical_and_repeatable(self, exported: Path) -> None:
        pack = load_pack(exported)
        first = export_pack(pack, date(2023, 6, 30)).to_json()
        assert first == export_pack(pack, date(2023, 6, 30)).to_json()
        assert first.endswith("}\n")
        assert json.loads(first)["format"] == "cvcm-rules/durable-rules-export"


class TestFacts:
    SHAPE = FactShape.from_dict({
        "keys": {"project.capacity_mw": "number", "project.construction_start_date": "date",
                 "project.start_date": "date", "lower(methodology.code)": "string",
                 "len(validation.team)": "number", "exists(legacy)": "bool",
                 "validation.team[1].name": "string", "validation.team[5].name": "string",
                 "owner.jurisdiction": "string"},
        "lists": {"validation.team": {"keys": {"full_time": "bool", "name": "string"},
                                      "lists": {}},
                  "project.fuels": "string"},
    })

    def test_example_dossier(self, make_dossier: MakeDossier) -> None:
        # Values read from fixtures/dossiers/ccer/offshore-wind.yaml: capacity 400 MW,
        # construction started 2021-04-16, no project.start_date, methodology CCER-01-002 V01,
        # a validation team of 王工 and 李工 (both full time), no legacy filing, no fuels.
        fact = dossier_fact(make_dossier(), self.SHAPE)
        assert fact == {
            "project.capacity_mw": 400,
            "project.construction_start_date": date(2021, 4, 16).toordinal(),
            "lower(methodology.code)": "ccer-01-002-v01",
            "len(validation.team)": 2,
            "validation.team[1].name": "李工",
            "owner.jurisdiction": "CN",
            "validation.team": [{"full_time": True, "name": "王工"},
                                {"full_time": True, "name": "李工"}],
            "project.fuels": [],
        }

    def test_missing_objects_leave_keys_out(self, make_dossier: MakeDossier) -> None:
        fact = dossier_fact(make_dossier({"legacy": {"project_id": "OLD-1",
                                                     "filing_date": date(2016, 5, 1)}},
                                         remove=["validation"]), self.SHAPE)
        assert fact["exists(legacy)"] is True
        assert "len(validation.team)" not in fact
        assert "validation.team" not in fact
        assert "validation.team[1].name" not in fact

    def test_number_beyond_exact_doubles_is_refused(self, make_dossier: MakeDossier) -> None:
        dossier = make_dossier({"project.capacity_mw": 2**60})
        # The model stores capacity as a float: 2**60 becomes 1.152921504606847e+18.
        with pytest.raises(FactEncodingError,
                           match=r"project\.capacity_mw: 1\.152921504606847e\+18 cannot"):
            dossier_fact(dossier, self.SHAPE)

    def test_bad_shape_names_the_place(self) -> None:
        with pytest.raises(FactEncodingError, match=r"facts\.lists\['x'\]: expected an object"):
            FactShape.from_dict({"keys": {}, "lists": {"x": {"keys": {}}}})
        with pytest.raises(FactEncodingError, match="no field 'nope'"):
            dossier_fact_of_key("project.nope")


def dossier_fact_of_key(key: str) -> dict[str, Any]:
    from cvcm_rules.model import load_dossier

    example = Path(__file__).resolve().parents[1] / "fixtures/dossiers/ccer/offshore-wind.yaml"
    return dossier_fact(load_dossier(example), FactShape({key: "number"}, {}))


class TestCommandLine:
    def test_writes_json_and_lists_what_was_left_out(
            self, tmp_path: Path, write_pack: WritePack,
            capsys: pytest.CaptureFixture[str]) -> None:
        folder = write_pack(tmp_path, {"rules/a.yaml": EXPORTED, "rules/n.yaml": NOT_EXPORTED})
        out = tmp_path / "export.json"
        assert main(["export", "durable", str(folder), "--as-of", "2023-06-30",
                     "--output", str(out)]) == 0
        captured = capsys.readouterr()
        assert captured.out == ""
        lines = captured.err.splitlines()
        assert lines[0] == ("testpack@1 as of 2023-06-30: 9 of 20 rules exported to "
                            "durable_rules, in 1 ruleset (9 fail and 2 warn rules)")
        assert lines[1:3] == ["warn_when not exported (1):",
                              "  TP.W.001: days_between(): date arithmetic is not exported: "
                              "durable_rules has no dates, only the day numbers of the fact"]
        assert lines[3] == "not exported (11):"
        assert "  TP.N.004: needs_review: a reviewer decides; the rule has no condition" in lines
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["as_of"] == "2023-06-30"
        assert len(data["rules"]) == 9

    def test_stdout_is_the_same_json(self, exported: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["export", "durable", str(exported), "--as-of", "2023-06-30"]) == 0
        printed = capsys.readouterr().out
        assert printed == export_pack(load_pack(exported), date(2023, 6, 30)).to_json()

    @pytest.mark.parametrize(("argv", "message"), [
        (["export", "durable", "ccer", "--as-of", "2025-02-30"],
         "--as-of: '2025-02-30' is not a valid YYYY-MM-DD date"),
        (["export", "durable", "no-such-pack", "--as-of", "2025-07-01"],
         "unknown rule pack 'no-such-pack'"),
    ])
    def test_bad_input_exits_2(self, argv: list[str], message: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "Traceback" not in captured.err
        assert message in captured.err

    def test_unwritable_output_leaves_nothing(self, exported: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
        target = tmp_path / "missing-folder" / "export.json"
        assert main(["export", "durable", str(exported), "--as-of", "2023-06-30",
                     "--output", str(target)]) == 2
        assert "cannot write" in capsys.readouterr().err
        assert not target.exists()
