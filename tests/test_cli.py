"""The command line, called in-process through ``main(argv)``: exit codes, output, error text."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from cvcm_rules.cli import main
from cvcm_rules.cli.check import with_selections
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import Pack
from cvcm_rules.packs.versions import select_version
from cvcm_rules.report import render_json, render_markdown, render_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
AS_OF = "2025-07-01"
WritePack = Callable[..., Path]
Capture = pytest.CaptureFixture[str]

RULE = """\
rules:
  - id: TP.GEN.001
    version: 1
    category: eligibility
    severity: blocking
    title: {zh: 装机不超过一千兆瓦, en: Capacity at most 1000 MW}
    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}
    condition: CONDITION
    message:
      fail: {zh: 不通过, en: Fails}
"""


def rule_file(condition: str) -> str:
    return RULE.replace("CONDITION", condition)


def example_with(tmp_path: Path, old: str, new: str, name: str = "dossier.yaml") -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def run_error(capsys: Capture, argv: list[str]) -> str:
    """Run a command that must fail with exit code 2 and a one-place message; return stderr."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err.startswith("cvcm-rules: error: ")
    return captured.err


# -- check ----------------------------------------------------------------------------------------

def example_report(pack: Pack) -> Report:
    """What ``check`` reports without --pack: ccer has two versions, so the report names the one
    in force and why (the reason itself is tested in test_pack_versions)."""
    report = evaluate(load_dossier(EXAMPLE), [pack], as_of=date(2025, 7, 1))
    return with_selections(report, [select_version("ccer", date(2025, 7, 1))])


def exit_code(report: Report) -> int:
    """What the CLI must return for a report (the example itself is checked in test_engine)."""
    return 1 if report.has_blocking_failure else 0


def test_check_text(capsys: Capture, ccer_pack: Pack) -> None:
    report = example_report(ccer_pack)
    assert main(["check", str(EXAMPLE), "--as-of", AS_OF]) == exit_code(report)
    captured = capsys.readouterr()
    assert captured.out == render_text(report, lang="en")
    assert "CCER-EX-OW-001" in captured.out
    assert "\x1b[" not in captured.out  # no colour when not writing to a terminal
    assert captured.err == ""


def test_check_json_equals_the_library_render(capsys: Capture, ccer_pack: Pack) -> None:
    report = example_report(ccer_pack)
    argv = ["check", str(EXAMPLE), "--as-of", AS_OF, "--format", "json"]
    assert main(argv) == exit_code(report)
    out = capsys.readouterr().out
    assert out == render_json(report)
    data = json.loads(out)
    assert data["as_of"] == AS_OF
    assert {f["rule_id"] for f in data["findings"]} == {r.id for r in ccer_pack.rules
                                                        if r.spec.status == "active"}


def test_check_markdown_in_chinese(capsys: Capture, ccer_pack: Pack) -> None:
    report = example_report(ccer_pack)
    argv = ["check", str(EXAMPLE), "--as-of", AS_OF, "--format", "markdown", "--lang", "zh"]
    assert main(argv) == exit_code(report)
    out = capsys.readouterr().out
    assert out == render_markdown(report, lang="zh")
    assert out.startswith("# ")
    elig = next(r for r in ccer_pack.rules if r.id == "CCER.ELIG.001")
    assert elig.spec.title.zh in out


def test_check_with_an_explicit_pack_folder(capsys: Capture, ccer_pack: Pack) -> None:
    argv = ["check", str(EXAMPLE), "--as-of", AS_OF, "--pack", str(ccer_pack.path),
            "--format", "json"]
    assert main(argv) == exit_code(example_report(ccer_pack))
    assert json.loads(capsys.readouterr().out)["packs"][0]["id"] == "ccer"


def test_blocking_failure_exits_1(tmp_path: Path, capsys: Capture) -> None:
    path = example_with(tmp_path, "construction_start_date: 2021-04-16",
                        "construction_start_date: 2012-01-01")
    assert main(["check", str(path), "--as-of", AS_OF, "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    elig = next(f for f in findings if f["rule_id"] == "CCER.ELIG.001")
    assert (elig["outcome"], elig["severity"]) == ("fail", "blocking")


def test_output_writes_the_file(tmp_path: Path, capsys: Capture, ccer_pack: Pack) -> None:
    target = tmp_path / "report.json"
    report = example_report(ccer_pack)
    argv = ["check", str(EXAMPLE), "--as-of", AS_OF, "--format", "json", "--output", str(target)]
    assert main(argv) == exit_code(report)
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == render_json(report)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


# -- bad inputs: exit 2, one clear message, no traceback, no output file --------------------------

def test_missing_dossier_file(tmp_path: Path, capsys: Capture) -> None:
    missing = tmp_path / "absent.yaml"
    err = run_error(capsys, ["check", str(missing), "--as-of", AS_OF])
    assert err.startswith(f"cvcm-rules: error: {missing}: cannot read file: ")


def test_malformed_yaml(tmp_path: Path, capsys: Capture) -> None:
    path = example_with(tmp_path, "id: CCER-EX-OW-001\n", "id: CCER: EX\n")
    line = path.read_text(encoding="utf-8").splitlines().index("id: CCER: EX") + 1
    err = run_error(capsys, ["check", str(path), "--as-of", AS_OF])
    assert err == (f"cvcm-rules: error: {path}: line {line} column 9: invalid YAML: mapping "
                   "values are not allowed in this context\n")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("capacity_mw: 400", 'capacity_mw: "400"',
     "project.capacity_mw: Input should be a valid number (got '400')"),
    ("  capacity_mw: 400\n", "  capacity_mw: 400\n  capcity: 1\n",
     "project.capcity: unknown field (not part of the dossier model)"),
])
def test_invalid_dossier_names_the_field(tmp_path: Path, capsys: Capture, old: str, new: str,
                                         message: str) -> None:
    path = example_with(tmp_path, old, new)
    err = run_error(capsys, ["check", str(path), "--as-of", AS_OF])
    assert err == f"cvcm-rules: error: {path}: {message}\n"


def test_impossible_date_names_the_field(tmp_path: Path, capsys: Capture) -> None:
    path = example_with(tmp_path, "construction_start_date: 2021-04-16",
                        "construction_start_date: 2023-02-30")
    err = run_error(capsys, ["check", str(path), "--as-of", AS_OF])
    assert err.startswith(f"cvcm-rules: error: {path}: project.construction_start_date: ")
    assert "'2023-02-30'" in err


def test_unknown_pack(capsys: Capture) -> None:
    err = run_error(capsys, ["check", str(EXAMPLE), "--as-of", AS_OF, "--pack", "nope"])
    assert err.startswith("cvcm-rules: error: unknown rule pack 'nope' (known packs: ")


def test_pack_with_a_syntax_error(tmp_path: Path, capsys: Capture,
                                  write_pack: WritePack) -> None:
    folder = write_pack(tmp_path, {"rules/a.yaml": rule_file("project.capacity_mw > 0 > 1")})
    err = run_error(capsys, ["check", str(EXAMPLE), "--as-of", AS_OF, "--pack", str(folder)])
    # 'project.capacity_mw > 0 > 1' starts at column 16; the second '>' is 24 characters in.
    assert err == (f"cvcm-rules: error: 1 problem in rule pack {folder}\n"
                   "testpack/rules/a.yaml:8:40: syntax-error: comparisons do not chain; combine "
                   "them with 'and'\n")


def test_pack_calling_an_unknown_function(tmp_path: Path, capsys: Capture,
                                          write_pack: WritePack) -> None:
    folder = write_pack(tmp_path, {"rules/a.yaml": rule_file("os_system(project.name)")})
    err = run_error(capsys, ["check", str(EXAMPLE), "--as-of", AS_OF, "--pack", str(folder)])
    assert err == (f"cvcm-rules: error: 1 problem in rule pack {folder}\n"
                   "testpack/rules/a.yaml:8:16: unknown-function: 'os_system' is not a library "
                   "function\n")


@pytest.mark.parametrize("as_of", ["2025-13-01", "yesterday", "2025-02-29"])
def test_bad_as_of(capsys: Capture, as_of: str) -> None:
    err = run_error(capsys, ["check", str(EXAMPLE), "--as-of", as_of])
    assert err == f"cvcm-rules: error: --as-of: {as_of!r} is not a valid YYYY-MM-DD date\n"


@pytest.mark.parametrize("as_of", ["20250701", "2025-W27-2"])
def test_as_of_must_be_yyyy_mm_dd(capsys: Capture, as_of: str) -> None:
    err = run_error(capsys, ["check", str(EXAMPLE), "--as-of", as_of])
    assert err == f"cvcm-rules: error: --as-of: {as_of!r} is not a valid YYYY-MM-DD date\n"


def test_missing_as_of_is_a_usage_error(capsys: Capture) -> None:
    # argparse reports usage errors itself, under the sub-command's name; never a traceback.
    assert main(["check", str(EXAMPLE)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err.rstrip().endswith(
        "cvcm-rules check: error: the following arguments are required: --as-of")


def test_no_output_file_on_bad_input(tmp_path: Path, capsys: Capture) -> None:
    bad = example_with(tmp_path, "capacity_mw: 400", 'capacity_mw: "400"')
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    run_error(capsys, ["check", str(bad), "--as-of", AS_OF, "--output", str(target)])
    run_error(capsys, ["check", str(EXAMPLE), "--as-of", "2025-02-30", "--output", str(target)])
    run_error(capsys, ["check", str(EXAMPLE), "--as-of", AS_OF, "--pack", "nope",
                       "--output", str(target)])
    assert list(target.parent.iterdir()) == []


def test_unwritable_output(tmp_path: Path, capsys: Capture) -> None:
    target = tmp_path / "no-such-folder" / "report.json"
    err = run_error(capsys, ["check", str(EXAMPLE), "--as-of", AS_OF, "--output", str(target)])
    assert err.startswith(f"cvcm-rules: error: cannot write {target}: ")


def test_non_finite_number_is_a_clean_input_error(tmp_path: Path, capsys: Capture,
                                                  write_pack: WritePack) -> None:
    folder = write_pack(tmp_path, {"rules/a.yaml": rule_file("project.capacity_mw > 0")})
    path = example_with(tmp_path, "capacity_mw: 400", "capacity_mw: .inf")
    err = run_error(capsys, ["check", str(path), "--as-of", AS_OF, "--pack", str(folder),
                             "--format", "json"])
    assert "project.capacity_mw" in err


# -- packs ----------------------------------------------------------------------------------------

def test_packs_list(tmp_path: Path, capsys: Capture, ccer_pack: Pack,
                    write_pack: WritePack) -> None:
    shutil.copytree(ccer_pack.path, tmp_path / "ccer")
    write_pack(tmp_path, {"rules/a.yaml": rule_file("project.capacity_mw <= 1000")})
    assert main(["packs", "--rules-dir", str(tmp_path), "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"ccer\t{ccer_pack.version}\t{len(ccer_pack.rules)} rules\t"
        f"{ccer_pack.manifest.title.en}",
        "testpack\t1\t1 rules\tTest pack",
    ]


def test_packs_lint_ccer(capsys: Capture, ccer_pack: Pack) -> None:
    assert main(["packs", "lint", "ccer"]) == 0
    assert capsys.readouterr().out == (
        f"ccer@{ccer_pack.version}: {len(ccer_pack.rules)} rules, no problems\n")


def test_packs_lint_a_broken_pack(tmp_path: Path, capsys: Capture,
                                  write_pack: WritePack) -> None:
    write_pack(tmp_path, {"rules/a.yaml": rule_file("add_year(project.start_date, 1) > as_of")})
    assert main(["packs", "--rules-dir", str(tmp_path), "lint", "testpack"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"1 problem in rule pack {tmp_path / 'testpack'}\n"
        "testpack/rules/a.yaml:8:16: unknown-function: 'add_year' is not a library function "
        "(did you mean 'add_years'?)\n")


CASES = """\
base: {base}
as_of: 2025-07-01
cases:
  - rule: TP.GEN.001
    name: the example's 400 MW
    expect: pass
  - rule: TP.GEN.001
    name: 1200 MW is too big
    expect: {expect}
    set: {{project.capacity_mw: 1200}}
"""


@pytest.mark.parametrize(("expect", "code", "summary"), [
    ("fail", 0, "2 passed, 0 failed"),
    ("pass", 1, "1 passed, 1 failed"),
])
def test_packs_test_with_coverage(tmp_path: Path, capsys: Capture, write_pack: WritePack,
                                  expect: str, code: int, summary: str) -> None:
    write_pack(tmp_path, {"rules/a.yaml": rule_file("project.capacity_mw <= 1000")})
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "gen.yaml").write_text(CASES.format(base=EXAMPLE, expect=expect), encoding="utf-8")
    argv = ["packs", "--rules-dir", str(tmp_path), "test", "testpack", "--coverage",
            "--cases", str(cases)]
    assert main(argv) == code
    lines = capsys.readouterr().out.splitlines()
    assert summary in lines
    if code == 0:
        assert lines == [summary, "rule coverage: 100.0% of 1 active rules", "clause coverage:",
                         "  doc-a: 第一条"]
    else:
        assert lines[0].startswith(f"{cases / 'gen.yaml'}:7: FAILED TP.GEN.001 "
                                   "'1200 MW is too big': expected pass, got fail")


def test_packs_test_ccer_runs(capsys: Capture) -> None:
    code = main(["packs", "test", "ccer", "--coverage"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert any(line.endswith(" failed") for line in out.splitlines())
    assert "rule coverage: " in out
    assert "clause coverage:" in out


# -- calendar -------------------------------------------------------------------------------------

def test_calendar_add(capsys: Capture) -> None:
    # 2026-07-17 is a Friday; with the start counted, the 20th working day is Thursday 13 August
    # (no holiday falls in between).
    argv = ["calendar", "--format", "json", "add", "2026-07-17", "20", "--start-counts"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["result"] == "2026-08-13"
    assert (data["working_days"], data["status"], data["holidays_skipped"]) == (
        20, "official", [])


def test_calendar_format_after_the_sub_command(capsys: Capture) -> None:
    argv = ["calendar", "add", "2026-07-17", "20", "--start-counts", "--format", "json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "2026-08-13"


def test_calendar_between_is_the_inverse_of_add(capsys: Capture) -> None:
    argv = ["calendar", "--format", "json", "between", "2026-07-17", "2026-08-13",
            "--start-counts"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["working_days"] == 20


def test_calendar_text_format(capsys: Capture) -> None:
    assert main(["calendar", "add", "2026-07-17", "20", "--start-counts"]) == 0
    assert "result: 2026-08-13" in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(("argv", "mentions"), [
    (["calendar", "add", "2026-01-01", "-1"], "-1"),
    (["calendar", "add", "2026-01-01", "0"], "0"),
    (["calendar", "add", "2026-01-01", "two"], "'two' is not a whole number"),
    (["calendar", "add", "2026-02-30", "3"], "'2026-02-30' is not a valid YYYY-MM-DD date"),
    (["calendar", "between", "2026-02-01", "2026-01-01"], "2026-01-01"),
    (["calendar", "year", "1990"], "1990"),
    (["calendar", "year", "2999"], "2999"),
])
def test_calendar_bad_input(capsys: Capture, argv: list[str], mentions: str) -> None:
    assert mentions in run_error(capsys, argv)


# -- schema ---------------------------------------------------------------------------------------

def test_schema_report(capsys: Capture) -> None:
    assert main(["schema", "report"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"dossier", "as_of", "findings", "summary", "score", "calendar"} <= set(
        schema["required"])
    outcomes = schema["properties"]["findings"]["items"]["properties"]["outcome"]["enum"]
    assert set(outcomes) == {"pass", "fail", "warn", "not_applicable", "indeterminate",
                             "needs_review", "error"}


def test_report_json_has_the_schema_required_keys(capsys: Capture, ccer_pack: Pack) -> None:
    assert main(["schema", "report"]) == 0
    schema = json.loads(capsys.readouterr().out)
    argv = ["check", str(EXAMPLE), "--as-of", AS_OF, "--format", "json"]
    assert main(argv) == exit_code(example_report(ccer_pack))
    report = json.loads(capsys.readouterr().out)
    assert set(schema["required"]) <= set(report)
    finding_keys = set(schema["properties"]["findings"]["items"]["required"])
    assert all(finding_keys <= set(finding) for finding in report["findings"])


def test_usage_error_without_a_command(capsys: Capture) -> None:
    assert main([]) == 2
    assert "Traceback" not in capsys.readouterr().err
