"""Reviewer decisions: the file format, attaching them to findings, expiry, stale ones, the CLI.

Expected values come from the example decisions file (fixtures/decisions/) and the example
dossier, read by hand: four decisions, one of them expired on 2025-03-31 and one on batch B2.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from cvcm_rules.cli import main
from cvcm_rules.decisions import (
    DecisionsError,
    apply_decisions,
    decision_counts,
    decisions_beside,
    load_decisions,
)
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import Pack
from cvcm_rules.report import render_json, render_markdown, render_text
from cvcm_rules.report.schema import REPORT_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
DECISIONS = ROOT / "fixtures" / "decisions" / "offshore-wind.decisions.yaml"
AS_OF = date(2025, 7, 1)
Capture = pytest.CaptureFixture[str]

ONE = """\
dossier: CCER-EX-OW-001
decisions:
  - fingerprint: {fingerprint}
    rule: {rule}
    status: {status}
    by: 钱工
    date: {when}
    justification: 已核对。
{extra}"""


@pytest.fixture(scope="module")
def report(ccer_pack: Pack) -> Report:
    return evaluate(load_dossier(EXAMPLE), [ccer_pack], as_of=AS_OF)


def finding(report: Report, rule_id: str) -> object:
    return next(f for f in report.findings if f.rule_id == rule_id)


def write(tmp_path: Path, text: str, name: str = "d.decisions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def one(tmp_path: Path, report: Report, rule: str = "CCER.ELIG.011", status: str = "accepted",
        when: str = "2025-06-16", extra: str = "", fingerprint: str | None = None) -> Path:
    fp = fingerprint or next(f.fingerprint for f in report.findings if f.rule_id == rule)
    return write(tmp_path, ONE.format(fingerprint=fp, rule=rule, status=status, when=when,
                                      extra=extra))


# -- the file ------------------------------------------------------------------------------------

def test_the_example_file_loads_with_its_lines() -> None:
    loaded = load_decisions(DECISIONS)
    assert loaded.dossier == "CCER-EX-OW-001"
    assert [d.rule for d in loaded.entries] == ["CCER.ELIG.011", "CCER.VVB.010", "CCER.VV.009",
                                                "CCER.REC.004"]
    assert [d.status for d in loaded.entries] == ["accepted", "cl", "closed", "accepted"]
    assert loaded.entries[0].expires == date(2026, 6, 30)
    assert loaded.entries[2].reference == "CAR-03"
    text = DECISIONS.read_text(encoding="utf-8").splitlines()
    for decision, line in zip(loaded.entries, loaded.lines, strict=True):
        assert text[line - 1].strip() == f"- fingerprint: {decision.fingerprint}"


GOOD = ["dossier: CCER-EX-OW-001", "decisions:", "  - fingerprint: 60d05eb0f21430a7f72f",
        "    rule: CCER.ELIG.011", "    status: accepted", "    by: 钱工", "    date: 2025-06-16",
        "    justification: 已核对。"]


@pytest.mark.parametrize(("line", "text", "where", "words"), [
    (5, "    status: waived", "5:13", "'accepted', 'car', 'cl' or 'closed'"),
    (7, "    date: 2025-02-30", "7:11", "day value is outside expected range"),
    (7, "    date: 20250616", "7:11", "valid date"),
    (9, "    expiry: 2026-01-01", "9:5", "unknown key (allowed: fingerprint, rule, status"),
    (8, "    justification: ''", "8:20", "at least 1 character"),
    (9, "    expires: 2025-01-01", "9:14", "expires 2025-01-01 is before the decision date"),
    (3, "  - fingerprint: 60D05EB0", "3:18", "should match pattern"),
])
def test_bad_fields_are_named_with_file_line_and_column(tmp_path: Path, line: int, text: str,
                                                        where: str, words: str) -> None:
    lines = [*GOOD, ""]
    lines[line - 1] = text  # line 9 is new: after the last field
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert load_decisions(write(tmp_path, "\n".join(GOOD) + "\n", "good.yaml")).entries
    with pytest.raises(DecisionsError) as caught:
        load_decisions(path)
    assert str(caught.value).startswith(f"{path}:{where}: decisions[0].")
    assert words in str(caught.value)


def test_a_bare_on_key_is_refused_as_yaml_reads_it_as_true(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        dossier: X
        decisions:
          - fingerprint: 60d05eb0f21430a7f72f
            on: 2025-06-16
        """)
    with pytest.raises(DecisionsError, match=r":4:5: mapping keys must be strings"):
        load_decisions(path)


def test_two_decisions_on_one_fingerprint_are_refused(tmp_path: Path) -> None:
    entry = """\
          - fingerprint: 60d05eb0f21430a7f72f
            rule: CCER.ELIG.011
            status: car
            by: 钱工
            date: 2025-06-16
            justification: 请补充。
        """
    path = write(tmp_path, "dossier: X\ndecisions:\n" + textwrap.dedent(entry) * 2)
    with pytest.raises(DecisionsError, match=r":9:1: fingerprint 60d05eb0f21430a7f72f already "
                                             r"has a decision at line 3"):
        load_decisions(path)


def test_decisions_are_picked_up_beside_the_dossier() -> None:
    assert decisions_beside(Path("a/b/x.yaml")) == Path("a/b/x.decisions.yaml")
    assert decisions_beside("x.json") == Path("x.decisions.yaml")


# -- applying them -------------------------------------------------------------------------------

def test_each_decision_sits_beside_its_finding_and_outcomes_do_not_change(report: Report) -> None:
    applied = apply_decisions(report, load_decisions(DECISIONS), AS_OF)
    before = {f.rule_id: (f.outcome, f.message, f.fingerprint) for f in report.findings}
    after = {f.rule_id: (f.outcome, f.message, f.fingerprint) for f in applied.findings}
    assert before == after
    assert report.findings[0].decision is None  # the input report is not modified
    decided = {f.rule_id: f.decision for f in applied.findings if f.decision}
    assert sorted(decided) == ["CCER.ELIG.011", "CCER.REC.004", "CCER.VV.009", "CCER.VVB.010"]
    elig = decided["CCER.ELIG.011"]
    assert (elig["status"], elig["by"], elig["date"], elig["expires"], elig["reference"],
            elig["state"]) == ("accepted", "中衡碳核查有限公司 核查组长 钱工", "2025-06-16",
                               "2026-06-30", "VR-B2-07", "in_force")
    assert elig["source"] == "offshore-wind.decisions.yaml:11"
    assert decided["CCER.REC.004"]["state"] == "expired"  # expired 2025-03-31, before 2025-07-01
    assert not decision_counts(decided["CCER.REC.004"])
    assert decision_counts(elig)
    on_item = decided["CCER.VV.009"]
    assert "status" not in on_item  # the decision is on batch B2 only
    assert [(i["key"], i["status"], i["reference"]) for i in on_item["items"]] == [
        ("B2", "closed", "CAR-03")]


def test_the_summary_says_which_file_and_how_many_count(report: Report) -> None:
    applied = apply_decisions(report, load_decisions(DECISIONS), AS_OF)
    block = applied.summary["decisions"]
    assert block["file"] == "offshore-wind.decisions.yaml"
    assert (block["applied"], block["in_force"], block["expired"], block["future"]) == (4, 3, 1, 0)
    assert block["stale"] == []
    assert {k: v for k, v in applied.summary.items() if k != "decisions"} == report.summary


@pytest.mark.parametrize(("expires", "as_of", "state"), [
    ("2025-06-30", date(2025, 6, 30), "in_force"),  # the last day of validity still counts
    ("2025-06-30", date(2025, 7, 1), "expired"),
    ("2025-06-30", date(2025, 6, 15), "future"),  # decided 2025-06-16, after this as-of date
])
def test_expiry_and_decision_dates_are_judged_against_the_assessment_date(
        tmp_path: Path, report: Report, expires: str, as_of: date, state: str) -> None:
    path = one(tmp_path, report, extra=f"    expires: {expires}\n")
    applied = apply_decisions(report, load_decisions(path), as_of)
    assert finding(applied, "CCER.ELIG.011").decision["state"] == state  # type: ignore[attr-defined]


def test_a_decision_that_names_no_finding_is_reported_stale(tmp_path: Path,
                                                            report: Report) -> None:
    path = one(tmp_path, report, fingerprint="0123456789abcdef0123")
    applied = apply_decisions(report, load_decisions(path), AS_OF)
    assert not any(f.decision for f in applied.findings)
    assert applied.summary["decisions"]["stale"] == [
        {"fingerprint": "0123456789abcdef0123", "rule_id": "CCER.ELIG.011", "status": "accepted",
         "line": 3}]
    text = render_text(applied)
    assert "stale (match no finding): 0123456789abcdef0123 CCER.ELIG.011 accepted " \
           "(d.decisions.yaml line 3)" in text


def test_a_fingerprint_of_another_rule_is_an_error(tmp_path: Path, report: Report) -> None:
    other = next(f.fingerprint for f in report.findings if f.rule_id == "CCER.VVB.010")
    path = one(tmp_path, report, fingerprint=other)
    with pytest.raises(DecisionsError, match=rf"{path}:3:1: fingerprint {other} belongs to rule "
                                             r"CCER.VVB.010, not CCER.ELIG.011"):
        apply_decisions(report, load_decisions(path), AS_OF)


def test_decisions_for_another_dossier_are_refused(tmp_path: Path, report: Report) -> None:
    path = write(tmp_path, "dossier: SOMETHING-ELSE\ndecisions: []\n")
    with pytest.raises(DecisionsError, match="for dossier 'SOMETHING-ELSE', the report is for "
                                             "'CCER-EX-OW-001'"):
        apply_decisions(report, load_decisions(path), AS_OF)


def test_the_json_report_with_decisions_fits_the_report_schema(report: Report) -> None:
    applied = apply_decisions(report, load_decisions(DECISIONS), AS_OF)
    data = json.loads(render_json(applied))
    validator = jsonschema.Draft202012Validator(REPORT_SCHEMA,
                                                format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors(data)) == []
    broken = json.loads(render_json(applied))
    next(f for f in broken["findings"] if "decision" in f)["decision"]["status"] = "waived"
    assert list(validator.iter_errors(broken))


def test_text_and_markdown_show_the_decision_beside_the_finding(report: Report) -> None:
    applied = apply_decisions(report, load_decisions(DECISIONS), AS_OF)
    text = render_text(applied).splitlines()
    at = next(i for i, line in enumerate(text) if "CCER.ELIG.011" in line)
    assert text[at + 1] == (
        "    Decision: accepted VR-B2-07, 中衡碳核查有限公司 核查组长 钱工, 2025-06-16: "
        "已按业主统一社会信用代码、项目名称和核准文号检索注册登记系统公开的注销项目信息，未发现本项目。"
        " (expires 2026-06-30)")
    assert any(line.startswith("    Decision: [expired] accepted, ") for line in text)
    assert "Decisions: offshore-wind.decisions.yaml (in force 3, expired 1)" in text
    markdown = render_markdown(applied, lang="zh")
    assert ("- **审核决定 B2：已关闭 CAR-03，中衡碳核查有限公司 技术评审 冯工，2025-06-05："
            "更新后的第二期核查报告附现场走访记录（2025-05-12），整改要求已关闭。**") in markdown


def test_a_report_without_decisions_renders_as_before(report: Report) -> None:
    assert "Decision" not in render_text(report)
    assert "decision" not in json.loads(render_json(report))["findings"][0]


# -- the command line ----------------------------------------------------------------------------

def test_check_applies_decisions_given_on_the_command_line(capsys: Capture) -> None:
    code = main(["check", str(EXAMPLE), "--as-of", "2025-07-01", "--format", "json",
                 "--decisions", str(DECISIONS)])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == ""
    data = json.loads(captured.out)
    assert data["summary"]["decisions"]["in_force"] == 3
    assert sum(1 for f in data["findings"] if "decision" in f) == 4


def test_check_picks_up_the_file_beside_the_dossier_and_says_so(tmp_path: Path,
                                                                 capsys: Capture) -> None:
    dossier = tmp_path / "offshore-wind.yaml"
    shutil.copy(EXAMPLE, dossier)
    shutil.copy(DECISIONS, tmp_path / "offshore-wind.decisions.yaml")
    code = main(["check", str(dossier), "--as-of", "2025-07-01", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == (f"cvcm-rules: decisions: {tmp_path / 'offshore-wind.decisions.yaml'}"
                            " (found beside the dossier)\n")
    assert json.loads(captured.out)["summary"]["decisions"]["applied"] == 4
    code = main(["check", str(dossier), "--as-of", "2025-07-01", "--format", "json",
                 "--no-decisions"])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == ""
    assert "decisions" not in json.loads(captured.out)["summary"]


@pytest.mark.parametrize(("text", "message"), [
    ("dossier: OTHER\ndecisions: []\n", "decisions for dossier 'OTHER', which is not among the "
                                         "dossiers checked (CCER-EX-OW-001)"),
    ("dossier: CCER-EX-OW-001\ndecisions:\n  - status: closed\n",
     "decisions[0].fingerprint: Field required"),
    ("dossier: [unclosed\n", "invalid YAML"),
])
def test_bad_decision_files_exit_2_with_a_message(tmp_path: Path, capsys: Capture, text: str,
                                                  message: str) -> None:
    path = write(tmp_path, text)
    out = tmp_path / "report.json"
    code = main(["check", str(EXAMPLE), "--as-of", "2025-07-01", "--decisions", str(path),
                 "--format", "json", "--output", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith(f"cvcm-rules: error: {path}")
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_json_with_decisions_is_byte_identical_across_runs(capsys: Capture) -> None:
    args = ["check", str(EXAMPLE), "--as-of", "2025-07-01", "--format", "json", "--decisions",
            str(DECISIONS)]
    main(args)
    first = capsys.readouterr().out
    main(args)
    assert capsys.readouterr().out == first
