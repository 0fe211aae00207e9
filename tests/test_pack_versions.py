"""Choosing a pack version by date: the 2012 CCER rules for 2015, the 2023 rules for 2024.

The 2012 interim measures applied from 2012-06-13 (their date in force); MEE/SAMR Order No. 31
took effect on 2023-10-19 (Art. 51), and its Art. 49 sends projects filed before 2017-03-14 back to
register under it. Expected dates and versions below come from those texts, not from the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from cvcm_rules.cli import main
from cvcm_rules.errors import InputError, PackError, UnknownPackError
from cvcm_rules.packs import load_pack
from cvcm_rules.packs.versions import (
    NoVersionInForceError,
    load_for_date,
    pack_versions,
    select_version,
)

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
LEGACY = ROOT / "fixtures" / "dossiers" / "ccer" / "legacy-wind.yaml"
WritePack = Callable[..., Path]
Capture = pytest.CaptureFixture[str]

VERSION = """\
id: tp
version: "{version}"
title: {{zh: 测试包, en: Test pack}}
effective_from: {start}
{end}documents:
  doc-a:
    title: {{zh: 文件甲, en: Document A}}
    issuer: Test issuer
"""
RULE = """\
rules:
  - id: TP.GEN.001
    version: 1
    category: eligibility
    severity: major
    title: {zh: 规则, en: A rule}
    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}
    condition: project.capacity_mw > 0
    message:
      fail: {zh: 不通过, en: Fails}
"""


def two_versions(tmp_path: Path, write_pack: WritePack) -> Path:
    """``tp`` 1 (2010-01-01 until 2019-12-31, superseded with a note) and ``tp-2020`` 2."""
    end = ("superseded_on: 2020-01-01\nsupersession: {zh: 由第2版取代。, "
           "en: Replaced by version 2.}\n")
    write_pack(tmp_path, {"pack.yaml": VERSION.format(version="1", start="2010-01-01", end=end),
                          "rules/a.yaml": RULE}, pack_id="tp")
    write_pack(tmp_path, {"pack.yaml": VERSION.format(version="2", start="2020-01-01", end=""),
                          "rules/a.yaml": RULE}, pack_id="tp-2020")
    return tmp_path


# -- the shipped CCER versions --------------------------------------------------------------------

def test_ccer_has_two_versions_oldest_first() -> None:
    versions = pack_versions("ccer", RULES)
    assert [(v.folder.name, v.manifest.version) for v in versions] == [
        ("ccer-2012", "2012.1"), ("ccer", "2023.1")]
    assert versions[0].manifest.effective_from == date(2012, 6, 13)
    assert versions[0].manifest.superseded_on == date(2023, 10, 19)
    assert versions[1].manifest.superseded_on is None


@pytest.mark.parametrize(("as_of", "version"), [
    (date(2012, 6, 13), "2012.1"),   # the day the interim measures took effect
    (date(2015, 6, 1), "2012.1"),
    (date(2017, 3, 14), "2012.1"),   # filings stopped, the measures were not yet replaced
    (date(2023, 10, 18), "2012.1"),  # the last day before Order 31
    (date(2023, 10, 19), "2023.1"),  # Order 31 Art. 51: in force on publication
    (date(2024, 6, 1), "2023.1"),
])
def test_the_version_in_force_is_chosen(as_of: date, version: str) -> None:
    assert select_version("ccer", as_of, RULES).chosen.manifest.version == version


def test_before_the_first_version_nothing_is_in_force() -> None:
    with pytest.raises(NoVersionInForceError) as caught:
        select_version("ccer", date(2012, 6, 12), RULES)
    assert str(caught.value) == (
        "no version of pack 'ccer' is in force on 2012-06-12 (versions: ccer@2012.1 from "
        "2012-06-13 until 2023-10-18; ccer@2023.1 from 2023-10-19)")


def test_the_reason_names_the_version_and_the_order_31_transition() -> None:
    early = select_version("ccer", date(2015, 6, 1), RULES)
    assert early.reason.startswith(
        "ccer@2012.1 is the version in force on 2015-06-01 (from 2012-06-13 until 2023-10-18); "
        "ccer@2023.1 takes effect only on 2023-10-19; ccer@2012.1 was later superseded on "
        "2023-10-19: ")
    late = select_version("ccer", date(2024, 6, 1), RULES)
    assert late.reason.startswith(
        "ccer@2023.1 is the version in force on 2024-06-01 (from 2023-10-19); ccer@2012.1 was "
        "superseded on 2023-10-19: ")
    for selection in (early, late):
        assert "Art. 49" in selection.reason and "2017-03-14" in selection.reason
        assert "第四十九条" in selection.reason_zh and "2017年3月14日" in selection.reason_zh


# -- selection rules on small packs ---------------------------------------------------------------

def test_reasons_in_both_languages(tmp_path: Path, write_pack: WritePack) -> None:
    rules = two_versions(tmp_path, write_pack)
    early = select_version("tp", date(2015, 1, 1), rules)
    assert early.reason == ("tp@1 is the version in force on 2015-01-01 (from 2010-01-01 until "
                            "2019-12-31); tp@2 takes effect only on 2020-01-01; tp@1 was later "
                            "superseded on 2020-01-01: Replaced by version 2.")
    assert early.reason_zh == ("2015-01-01 适用的版本为 tp@1（2010-01-01 至 2019-12-31 施行）；"
                               "tp@2 自 2020-01-01 起才施行；tp@1 后于 2020-01-01 被取代："
                               "由第2版取代。")
    late = select_version("tp", date(2020, 1, 1), rules)
    assert late.reason == ("tp@2 is the version in force on 2020-01-01 (from 2020-01-01); "
                           "tp@1 was superseded on 2020-01-01: Replaced by version 2.")
    assert late.annotate({"id": "tp"}) == {"id": "tp", "selected": late.reason,
                                           "selected_zh": late.reason_zh}


def test_a_gap_between_versions_is_an_error(tmp_path: Path, write_pack: WritePack) -> None:
    end = "superseded_on: 2015-01-01\n"
    write_pack(tmp_path, {"pack.yaml": VERSION.format(version="1", start="2010-01-01", end=end),
                          "rules/a.yaml": RULE}, pack_id="tp")
    write_pack(tmp_path, {"pack.yaml": VERSION.format(version="2", start="2020-01-01", end=""),
                          "rules/a.yaml": RULE}, pack_id="tp-2020")
    with pytest.raises(NoVersionInForceError, match="is in force on 2017-01-01"):
        select_version("tp", date(2017, 1, 1), tmp_path)


def test_overlapping_versions_the_later_start_wins(tmp_path: Path,
                                                    write_pack: WritePack) -> None:
    write_pack(tmp_path, {"pack.yaml": VERSION.format(version="1", start="2010-01-01", end=""),
                          "rules/a.yaml": RULE}, pack_id="tp")
    write_pack(tmp_path, {"pack.yaml": VERSION.format(version="2", start="2020-01-01", end=""),
                          "rules/a.yaml": RULE}, pack_id="tp-2020")
    assert select_version("tp", date(2019, 12, 31), tmp_path).chosen.manifest.version == "1"
    assert select_version("tp", date(2021, 1, 1), tmp_path).chosen.manifest.version == "2"


def test_a_single_version_pack_or_a_folder_involves_no_selection(tmp_path: Path,
                                                                write_pack: WritePack) -> None:
    pack, selection = load_for_date("fcer", date(2010, 1, 1), RULES)
    assert (pack.id, selection) == ("fcer", None)
    pack, selection = load_for_date(RULES / "ccer-2012", date(2024, 6, 1), RULES)
    assert (pack.version, selection) == ("2012.1", None)
    rules = two_versions(tmp_path, write_pack)
    pack, selection = load_for_date("tp", date(2021, 1, 1), rules)
    assert pack.version == "2" and selection is not None


def test_an_unknown_pack_id_names_the_known_packs(tmp_path: Path,
                                                  write_pack: WritePack) -> None:
    rules = two_versions(tmp_path, write_pack)
    with pytest.raises(UnknownPackError, match=r"unknown rule pack 'nope' \(known packs: tp, "
                                               r"tp-2020\)"):
        select_version("nope", date(2021, 1, 1), rules)


def test_a_broken_manifest_among_the_versions_names_its_file(tmp_path: Path,
                                                             write_pack: WritePack) -> None:
    rules = two_versions(tmp_path, write_pack)
    (rules / "tp-2020" / "pack.yaml").write_text("id: tp\nversion: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"tp-2020/pack\.yaml: cannot read the pack manifest"):
        pack_versions("tp", rules)


def test_a_version_cannot_end_before_it_starts(tmp_path: Path, write_pack: WritePack) -> None:
    end = "superseded_on: 2009-12-31\n"
    folder = write_pack(tmp_path, {
        "pack.yaml": VERSION.format(version="1", start="2010-01-01", end=end),
        "rules/a.yaml": RULE}, pack_id="tp")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert "superseded_on 2009-12-31 is not after effective_from 2010-01-01" in str(caught.value)


def test_a_version_folder_is_named_id_dash_tag(tmp_path: Path, write_pack: WritePack) -> None:
    folder = write_pack(tmp_path, {"pack.yaml": VERSION.format(version="1", start="2010-01-01",
                                                               end=""),
                                   "rules/a.yaml": RULE}, pack_id="tp-old")
    assert load_pack(folder).id == "tp"
    wrong = write_pack(tmp_path, {"pack.yaml": VERSION.format(version="1", start="2010-01-01",
                                                              end=""),
                                  "rules/a.yaml": RULE}, pack_id="tpx")
    with pytest.raises(PackError, match="pack-id-mismatch: pack id 'tp' differs from its folder "
                                        "'tpx'"):
        load_pack(wrong)


# -- the command line -----------------------------------------------------------------------------

def check_json(capsys: Capture, dossier: Path, as_of: str) -> tuple[int, dict[str, object]]:
    code = main(["check", str(dossier), "--as-of", as_of, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_check_in_2015_uses_the_2012_rules(capsys: Capture) -> None:
    code, report = check_json(capsys, LEGACY, "2015-06-01")
    (entry,) = report["packs"]  # type: ignore[misc]
    assert (entry["id"], entry["version"]) == ("ccer", "2012.1")
    assert entry["selected"].startswith("ccer@2012.1 is the version in force on 2015-06-01")
    assert entry["selected_zh"].startswith("2015-06-01 适用的版本为 ccer@2012.1")
    outcomes = {f["rule_id"]: f["outcome"] for f in report["findings"]}  # type: ignore[attr-defined]
    # Built 2010-09-15 (after 2005-02-16); validated 2014-03-28, filed 2014-06-10; batch B1
    # verified 2015-04-10, filed 2015-05-06: the three decidable 2012 rules pass, the rest ask
    # for review, and nothing blocks.
    assert outcomes == {"CCER.ELIG.001": "pass", "CCER.TIME.006": "pass", "CCER.TIME.014": "pass",
                        "CCER.ELIG.101": "needs_review", "CCER.CRED.101": "needs_review",
                        "CCER.TIME.101": "needs_review", "CCER.VVB.010": "needs_review"}
    assert code == 0


def test_check_in_2024_uses_the_2023_rules(capsys: Capture) -> None:
    code, report = check_json(capsys, LEGACY, "2024-06-01")
    (entry,) = report["packs"]  # type: ignore[misc]
    assert entry["version"] == "2023.1"
    assert "Order No. 31" in entry["selected"]
    outcomes = {f["rule_id"]: f["outcome"] for f in report["findings"]}  # type: ignore[attr-defined]
    # Order 31 Art. 10 (3): construction after 2012-11-08, which 2010-09-15 is not.
    assert outcomes["CCER.ELIG.001"] == "fail"
    assert code == 1


def test_check_text_and_markdown_say_why(capsys: Capture) -> None:
    main(["check", str(EXAMPLE), "--as-of", "2015-06-01"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "Packs: ccer@2012.1"
    assert lines[2].startswith("  ccer@2012.1 is the version in force on 2015-06-01")
    main(["check", str(EXAMPLE), "--as-of", "2015-06-01", "--format", "markdown", "--lang", "zh"])
    out = capsys.readouterr().out
    assert "\n  - 2015-06-01 适用的版本为 ccer@2012.1（2012-06-13 至 2023-10-18 施行）" in out


def test_check_before_any_version_exits_2(capsys: Capture) -> None:
    assert main(["check", str(EXAMPLE), "--as-of", "2011-01-01"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "cvcm-rules: error: no version of pack 'ccer' is in force on 2011-01-01 (versions: "
        "ccer@2012.1 from 2012-06-13 until 2023-10-18; ccer@2023.1 from 2023-10-19)\n")


def test_an_explicit_folder_is_used_as_given(capsys: Capture) -> None:
    main(["check", str(EXAMPLE), "--as-of", "2024-06-01", "--pack", str(RULES / "ccer-2012"),
          "--format", "json"])
    (entry,) = json.loads(capsys.readouterr().out)["packs"]
    assert entry["version"] == "2012.1" and "selected" not in entry


def test_packs_list_and_test_know_both_versions(capsys: Capture) -> None:
    assert main(["packs", "list"]) == 0
    listed = [line.split("\t")[:2] for line in capsys.readouterr().out.splitlines()]
    assert ["ccer", "2023.1"] in listed and ["ccer", "2012.1"] in listed
    assert main(["packs", "test", "ccer-2012", "--coverage"]) == 0
    out = capsys.readouterr().out
    assert "18 passed, 0 failed" in out
    assert "rule coverage: 100.0% of 7 active rules" in out
