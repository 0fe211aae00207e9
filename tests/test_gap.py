"""The gap view (CCER -> ICVCM CCP), the CCP-label verdict, the ``gap`` command and the example
gap documents.

Expected values are read from the example dossiers (fixtures/dossiers/) and the rule files, and
worked out by hand where a date is involved; they are not copied from a run.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from cvcm_rules.cli import main
from cvcm_rules.crosswalk import Crosswalk, load_crosswalk
from cvcm_rules.engine import Outcome, Report, evaluate
from cvcm_rules.gap import GapError, gaps
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.report import render_markdown, render_text
from cvcm_rules.report.gapview import render_gap_json, render_gap_markdown, render_gap_text
from cvcm_rules.report.label import label_verdict

ROOT = Path(__file__).resolve().parents[1]
DOSSIERS = ROOT / "fixtures" / "dossiers"
AFFORESTATION = DOSSIERS / "ccer" / "afforestation.yaml"
OFFSHORE_WIND = DOSSIERS / "ccer" / "offshore-wind.yaml"
# The four CCER example dossiers, one per methodology (docs/examples/<stem>.gap.<lang>.md).
EXAMPLES = [DOSSIERS / "ccer" / f"{stem}.yaml"
            for stem in ("afforestation", "mangrove", "offshore-wind", "solar-thermal")]
AS_OF = date(2025, 7, 1)
UPDATE = os.environ.get("CVCM_UPDATE_DOCS") == "1"


@pytest.fixture(scope="module")
def packs() -> dict[str, Pack]:
    return {pack_id: load_pack(ROOT / "rules" / pack_id)
            for pack_id in ("ccer", "fcer", "icvcm_ccp")}


@pytest.fixture(scope="module")
def crosswalk() -> Crosswalk:
    return load_crosswalk(ROOT / "rules" / "crosswalk.yaml")


def report_of(path: Path, packs: dict[str, Pack], *pack_ids: str) -> Report:
    return evaluate(load_dossier(path), [packs[p] for p in pack_ids], as_of=AS_OF)


# --- the view ----------------------------------------------------------------------------------

def test_afforestation_lacks_the_40_year_monitoring(packs: dict[str, Pack],
                                                     crosswalk: Crosswalk) -> None:
    """afforestation.yaml credits 2021-04-12 to 2051-04-11 (30 years, inside CCER-14-001's 20-40)
    and commits to monitoring until 2051-04-11. ICVCM needs the later of 2061-04-11 (40 years
    from 2021-04-12, last day included) and 2051-04-11: 3653 days more (ten years, three of them
    leap years: 2052, 2056, 2060)."""
    view = gaps(report_of(AFFORESTATION, packs, "ccer", "icvcm_ccp"), "ccer", "icvcm_ccp",
                crosswalk)
    assert view.from_compliant and view.from_blocking_failures == ()
    assert view.label is not None and view.label.status == "could_not"
    assert [f.rule_id for f in view.label.blocking] == ["ICVCM.PERM.001"]
    first = view.gaps[0]  # failures come first
    assert (first.finding.rule_id, first.finding.outcome) == ("ICVCM.PERM.001", Outcome.FAIL)
    assert "2061-04-11" in first.finding.message["en"]
    assert "3653 days" in first.finding.message["en"]
    (link,) = first.themes
    assert (link.theme, link.relation) == ("permanence_monitoring_period", "weaker")
    assert [(c.rule_id, c.outcome) for c in link.counterparts] == [
        ("CCER.CRED.008", "pass"), ("CCER.CRED.009", "not_applicable")]


def test_offshore_wind_gaps_and_uncovered_criteria(packs: dict[str, Pack],
                                                   crosswalk: Crosswalk) -> None:
    """offshore-wind.yaml: CCER programme, CCER-01-002-V01, offshore_wind, additionality route
    exempt. No ICVCM decision exists on CCER or its methodologies, so the label cannot be told;
    offshore wind is a restricted category CCER has no rule for; it is not a removal, so the
    permanence rules do not apply."""
    view = gaps(report_of(OFFSHORE_WIND, packs, "ccer", "icvcm_ccp"), "ccer", "icvcm_ccp",
                crosswalk)
    assert view.from_compliant
    assert (view.from_pack, view.to_pack) == ("ccer@2023.1", "icvcm_ccp@2025.07")
    assert view.label is not None and view.label.status == "cannot_tell"
    assert view.label.gate is not None and view.label.gate.rule_id == "ICVCM.LABEL.002"
    pending = {f.rule_id for f in view.label.pending}
    assert {"ICVCM.ELIG.002", "ICVCM.ELIG.004", "ICVCM.LABEL.002", "ICVCM.ADD.002"} <= pending
    by_rule = {g.finding.rule_id: g for g in view.gaps}
    assert not any(rule.startswith("ICVCM.PERM.") for rule in by_rule)
    (restricted,) = by_rule["ICVCM.ADD.004"].themes
    assert (restricted.theme, restricted.relation, restricted.counterparts) == (
        "additionality_restricted_categories", "none", ())
    (exemption,) = by_rule["ICVCM.ADD.002"].themes
    assert exemption.relation == "weaker"
    assert ("CCER.ADD.007", "pass") in [(c.rule_id, c.outcome) for c in exemption.counterparts]
    assert [u.theme for u in view.uncovered] == [
        "programme_eligibility", "additionality_restricted_categories", "buffer_pool",
        "reversal_risk_assessment", "fpic", "net_zero_exclusions", "net_zero_alignment",
        "ccp_attributes"]
    assert all(link.relation == "none" for link in view.uncovered)


def test_no_passing_or_inapplicable_finding_is_a_gap(packs: dict[str, Pack],
                                                     crosswalk: Crosswalk) -> None:
    report = report_of(AFFORESTATION, packs, "ccer", "icvcm_ccp")
    view = gaps(report, "ccer", "icvcm_ccp", crosswalk)
    listed = [g.finding.rule_id for g in view.gaps]
    expected = sorted(f.rule_id for f in report.findings if f.pack.startswith("icvcm_ccp@")
                      and f.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE))
    assert sorted(listed) == expected
    assert len(listed) == len(set(listed))


def test_a_ccer_blocking_failure_makes_the_dossier_not_ccer_compliant(
        packs: dict[str, Pack], crosswalk: Crosswalk, tmp_path: Path) -> None:
    """Construction on 2012-11-07 is before "after 8 November 2012" (Order 31 Art. 10(3)); the
    cut-off day itself is only a warning (ledger 6.3)."""
    text = OFFSHORE_WIND.read_text(encoding="utf-8")
    start = next(line for line in text.splitlines()
                 if line.strip().startswith("construction_start_date:"))
    changed = tmp_path / "early.yaml"
    changed.write_text(text.replace(start, start.split(":")[0] + ": 2012-11-07", 1),
                       encoding="utf-8")
    view = gaps(report_of(changed, packs, "ccer", "icvcm_ccp"), "ccer", "icvcm_ccp", crosswalk)
    assert not view.from_compliant
    assert [f.rule_id for f in view.from_blocking_failures] == ["CCER.ELIG.001"]
    assert "not CCER-compliant" in render_gap_markdown(view)


def test_fcer_to_icvcm_is_a_pair_too(packs: dict[str, Pack], crosswalk: Crosswalk) -> None:
    view = gaps(report_of(DOSSIERS / "fcer" / "solar-thermal.yaml", packs, "fcer", "icvcm_ccp"),
                "fcer", "icvcm_ccp", crosswalk)
    assert view.from_name == "FCER"
    assert all(link.relation is not None for gap in view.gaps for link in gap.themes)


def test_missing_pack_and_undeclared_pair(packs: dict[str, Pack], crosswalk: Crosswalk) -> None:
    report = report_of(OFFSHORE_WIND, packs, "ccer")
    with pytest.raises(GapError, match=r"^the report of CCER-EX-OW-001 was not evaluated with "
                                       r"pack 'icvcm_ccp' \(packs: ccer\)$"):
        gaps(report, "ccer", "icvcm_ccp", crosswalk)
    with pytest.raises(GapError, match=r"^no crosswalk pair icvcm_ccp -> ccer \(declared: "
                                       r"ccer -> icvcm_ccp, fcer -> icvcm_ccp, ccer -> fcer\)$"):
        gaps(report, "icvcm_ccp", "ccer", crosswalk)


def test_json_is_canonical_and_deterministic(packs: dict[str, Pack],
                                             crosswalk: Crosswalk) -> None:
    first = render_gap_json(gaps(report_of(AFFORESTATION, packs, "ccer", "icvcm_ccp"), "ccer",
                                 "icvcm_ccp", crosswalk))
    second = render_gap_json(gaps(report_of(AFFORESTATION, packs, "ccer", "icvcm_ccp"), "ccer",
                                  "icvcm_ccp", crosswalk))
    assert first == second
    data = json.loads(first)
    assert data["label"]["status"] == "could_not"
    assert data["label"]["blocking"][0]["rule_id"] == "ICVCM.PERM.001"
    assert data["from"] == "ccer@2023.1" and data["from_compliant"] is True


# --- the CCP-label verdict in reports ----------------------------------------------------------

def test_label_could_when_both_tiers_open(packs: dict[str, Pack]) -> None:
    """vcs-arr.yaml: VCS (CCP-Eligible since 2024-05-02) and VM0047 v1.0 (approved 2024-12-12)."""
    verdict = label_verdict(report_of(DOSSIERS / "icvcm_ccp" / "vcs-arr.yaml", packs,
                                      "icvcm_ccp"))
    assert verdict is not None and verdict.status == "could"
    assert verdict.gate is not None and verdict.gate.rule_id == "ICVCM.LABEL.001"
    assert verdict.blocking == () and verdict.pending == ()


def test_label_cannot_tell_under_a_conditional_approval(packs: dict[str, Pack]) -> None:
    """gs-cookstove.yaml: GS TPDDTEC v4.0, approved with conditions on 2025-03-07."""
    verdict = label_verdict(report_of(DOSSIERS / "icvcm_ccp" / "gs-cookstove.yaml", packs,
                                      "icvcm_ccp"))
    assert verdict is not None and verdict.status == "cannot_tell"
    assert [(f.rule_id, f.outcome) for f in verdict.pending] == [
        ("ICVCM.ELIG.003", Outcome.WARN), ("ICVCM.LABEL.001", Outcome.WARN)]


def test_label_before_the_decision_table_is_in_force(packs: dict[str, Pack]) -> None:
    """On 2023-07-01 the gate's decision table (from 2023-07-27, the Assessment Framework) is not
    in force, so neither gate rule applies: the verdict says so instead of guessing."""
    report = evaluate(load_dossier(DOSSIERS / "icvcm_ccp" / "vcs-arr.yaml"), [packs["icvcm_ccp"]],
                      as_of=date(2023, 7, 1))
    verdict = label_verdict(report)
    assert verdict is not None and verdict.status == "cannot_tell" and verdict.gate is None
    assert "the label gate (ICVCM.LABEL.001, ICVCM.LABEL.002) did not apply on the assessment " \
        "date" in render_text(report)


def test_reports_show_the_label_only_with_icvcm(packs: dict[str, Pack]) -> None:
    ccer_only = report_of(AFFORESTATION, packs, "ccer")
    assert label_verdict(ccer_only) is None
    assert "CCP label" not in render_markdown(ccer_only) + render_text(ccer_only)
    both = report_of(AFFORESTATION, packs, "ccer", "icvcm_ccp")
    markdown = render_markdown(both)
    assert "**CCP label**: could not carry the CCP label, because:" in markdown
    assert "- `ICVCM.PERM.001` FAIL — Monitoring and compensation run at least to the later " \
        "of 40 years" in markdown
    assert "**CCP标签**：不能使用CCP标签，原因：" in render_markdown(both, lang="zh")
    text = render_text(both)
    assert "CCP label: could not carry the CCP label, because: ICVCM.PERM.001 (FAIL); " \
        "still open: " in text


# --- the command -------------------------------------------------------------------------------

def run_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.startswith("cvcm-rules: error: ")
    return captured.err


def test_command_writes_json_and_exits_1_on_a_blocking_failure(tmp_path: Path) -> None:
    out = tmp_path / "gap.json"
    code = main(["gap", str(AFFORESTATION), "--as-of", "2025-07-01", "--format", "json",
                 "--output", str(out)])
    assert code == 1  # ICVCM.PERM.001 is a blocking failure
    assert json.loads(out.read_text(encoding="utf-8"))["gaps"][0]["rule_id"] == "ICVCM.PERM.001"


def test_command_text_exits_0_without_blocking_failure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gap", str(OFFSHORE_WIND), "--as-of", "2025-07-01", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("差距视图: CCER-EX-OW-001  CCER -> ICVCM CCP")
    assert "项目文件符合CCER" in out


def test_command_refuses_an_undeclared_pair(capsys: pytest.CaptureFixture[str]) -> None:
    err = run_error(capsys, ["gap", str(OFFSHORE_WIND), "--as-of", "2025-07-01",
                             "--from", "icvcm_ccp", "--to", "ccer"])
    assert "--from icvcm_ccp --to ccer: not a pair of the crosswalk" in err
    assert "(declared: --from ccer --to icvcm_ccp, --from fcer --to icvcm_ccp, " \
        "--from ccer --to fcer)" in err


def test_command_names_the_place_in_a_bad_crosswalk(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    good = (ROOT / "rules" / "crosswalk.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "crosswalk.yaml"
    bad.write_text(good.replace("[ICVCM.PERM.002]", "[ICVCM.PERM.009]", 1), encoding="utf-8")
    out = tmp_path / "gap.txt"
    err = run_error(capsys, ["gap", str(OFFSHORE_WIND), "--as-of", "2025-07-01",
                             "--crosswalk", str(bad), "--output", str(out)])
    line = next(i for i, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1)
                if "[ICVCM.PERM.009]" in text)
    assert f"{bad}:{line}:" in err and "unknown-rule" in err and "ICVCM.PERM.009" in err
    assert not out.exists()  # nothing half-written


def test_command_refuses_a_date_when_the_2012_rules_were_in_force(
        capsys: pytest.CaptureFixture[str]) -> None:
    """On 2020-01-01 the 2012 interim measures applied (rules/ccer-2012 is in force until
    2023-10-18); the crosswalk maps the 2023 rules, so a gap view would misstate compliance."""
    err = run_error(capsys, ["gap", str(DOSSIERS / "ccer" / "legacy-wind.yaml"),
                             "--as-of", "2020-01-01"])
    assert "ccer@2012.1 is the version in force on 2020-01-01" in err
    assert "The crosswalk maps the rules of ccer@2023.1, not of ccer@2012.1" in err
    assert "'cvcm-rules check --pack ccer --as-of 2020-01-01'" in err


def test_command_accepts_the_first_day_of_the_2023_rules(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["gap", str(OFFSHORE_WIND), "--as-of", "2023-10-19", "--format", "json"])
    assert code in (0, 1)
    assert json.loads(capsys.readouterr().out)["as_of"] == "2023-10-19"


def test_command_refuses_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    err = run_error(capsys, ["gap", str(OFFSHORE_WIND), "--as-of", "2025-02-30"])
    assert "--as-of: '2025-02-30' is not a valid YYYY-MM-DD date" in err


# --- generated example documents ---------------------------------------------------------------

@pytest.mark.parametrize("dossier_path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_example_gap_documents_are_current(dossier_path: Path, lang: str,
                                           packs: dict[str, Pack], crosswalk: Crosswalk) -> None:
    view = gaps(report_of(dossier_path, packs, "ccer", "icvcm_ccp"), "ccer", "icvcm_ccp",
                crosswalk)
    fresh = render_gap_markdown(view, lang=lang)
    target = ROOT / "docs" / "examples" / f"{dossier_path.stem}.gap.{lang}.md"
    if UPDATE:
        target.write_text(fresh, encoding="utf-8")
    assert target.is_file(), f"{target} is missing: run with CVCM_UPDATE_DOCS=1"
    assert target.read_text(encoding="utf-8") == fresh, f"{target} is stale: CVCM_UPDATE_DOCS=1"


def test_text_rendering_lists_every_gap(packs: dict[str, Pack], crosswalk: Crosswalk) -> None:
    view = gaps(report_of(AFFORESTATION, packs, "ccer", "icvcm_ccp"), "ccer", "icvcm_ccp",
                crosswalk)
    text = render_gap_text(view)
    for gap in view.gaps:
        assert f"] {gap.finding.rule_id} ({gap.finding.severity})" in text


def test_check_with_both_packs_gives_one_report_with_the_label(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(OFFSHORE_WIND), "--pack", "ccer", "--pack", "icvcm_ccp",
                 "--as-of", "2025-07-01"]) == 0
    out = capsys.readouterr().out
    assert out.count("ccer@2023.1") >= 1 and out.count("icvcm_ccp@2025.07") >= 1
    assert out.count("CCP label: cannot tell yet whether it could carry the CCP label") == 1
