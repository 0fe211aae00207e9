"""``compare``: findings opened, closed, changed and unchanged between two dossier revisions.

The revisions are the example dossier with one fact changed; a small test pack makes every
expected list follow from the edit by hand (a rule per batch on ``verification.sites_visited``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cvcm_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
Patch = Callable[..., dict[str, Any]]
WritePack = Callable[..., Path]
Capture = pytest.CaptureFixture[str]

RULES = """\
rules:
  - id: TP.BAT.001
    version: 1
    category: timeline
    severity: blocking
    title: {zh: 核查走访了现场, en: The verification visited a site}
    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}
    for_each: b in batches
    condition: b.verification.sites_visited >= 1
    evidence: [b.verification.sites_visited]
    message:
      fail:
        zh: 批次 {b.id} 未走访现场
        en: Batch {b.id} visited no site
  - id: TP.GEN.001
    version: 1
    category: eligibility
    severity: major
    title: {zh: 装机小于五百兆瓦, en: Capacity below 500 MW}
    citation: {document: doc-a, article: 第二条, quote: {zh: 引文}, confidence: C}
    condition: project.capacity_mw < 500
    message:
      fail:
        zh: 装机 {project.capacity_mw} 兆瓦
        en: Capacity {project.capacity_mw} MW
  - id: TP.GEN.004
    version: 1
    category: record_keeping
    severity: minor
    title: {zh: 人工核对, en: Checked by hand}
    citation: {document: doc-a, article: 第三条, quote: {zh: 引文}, confidence: C}
    review: {zh: 请人工核对。, en: Check by hand.}
  - id: TP.GEN.005
    version: 1
    category: eligibility
    severity: minor
    title: {zh: 有装机, en: Has capacity}
    citation: {document: doc-a, article: 第二条, quote: {zh: 引文}, confidence: C}
    condition: project.capacity_mw > 0
    message:
      fail: {zh: 无装机, en: No capacity}
"""


class Revisions:
    """Writes dossier revisions and their JSON reports under a test pack."""

    def __init__(self, tmp_path: Path, pack: Path, base: dict[str, Any], patch: Patch) -> None:
        self.tmp_path, self.pack, self.base, self.patch = tmp_path, pack, base, patch

    def data(self, edits: dict[str, object], remove: tuple[str, ...] = ()) -> dict[str, Any]:
        data = self.base
        for path, value in edits.items():
            data = self.patch(data, path, value)
        for path in remove:
            data = self.patch(data, path, remove=True)
        return data

    def report(self, name: str, *datas: dict[str, Any], as_of: str = "2025-07-01",
               pack: Path | None = None) -> Path:
        paths = []
        for index, data in enumerate(datas):
            path = self.tmp_path / f"{name}-{index}.json"
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            paths.append(str(path))
        out = self.tmp_path / f"{name}.report.json"
        main(["check", *paths, "--as-of", as_of, "--pack", str(pack or self.pack), "--format",
              "json", "--output", str(out), "--no-decisions"])
        assert out.is_file()
        return out


@pytest.fixture
def revisions(tmp_path: Path, write_pack: WritePack, offshore_data: dict[str, Any],
              patched: Patch) -> Revisions:
    return Revisions(tmp_path, write_pack(tmp_path, {"rules/all.yaml": RULES}), offshore_data,
                     patched)


def compare(old: Path, new: Path, capsys: Capture, *extra: str) -> tuple[int, str, str]:
    code = main(["compare", str(old), str(new), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def summary(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["rule_id"], e["item"], e["how"], e["old"] and e["old"]["outcome"],
             e["new"] and e["new"]["outcome"]) for e in entries]


def test_a_fix_closes_and_a_regression_opens(revisions: Revisions, capsys: Capture) -> None:
    old = revisions.report("old", revisions.data({"batches[1].verification.sites_visited": 0}))
    new = revisions.report("new", revisions.data({"batches[0].verification.sites_visited": 0,
                                                  "project.capacity_mw": 600}),
                           as_of="2025-09-01")
    code, out, err = compare(old, new, capsys, "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["dossier"] == {"old": "CCER-EX-OW-001", "new": "CCER-EX-OW-001"}
    assert result["as_of"] == {"old": "2025-07-01", "new": "2025-09-01"}
    assert summary(result["opened"]) == [("TP.BAT.001", "B1", "regressed", "pass", "fail"),
                                         ("TP.GEN.001", None, "regressed", "pass", "fail")]
    assert summary(result["closed"]) == [("TP.BAT.001", "B2", "resolved", "fail", "pass")]
    assert summary(result["unchanged"]) == [("TP.GEN.004", None, None, "needs_review",
                                             "needs_review")]
    assert result["changed"] == []
    assert result["counts"] == {"opened": 2, "closed": 1, "changed": 0, "unchanged": 1,
                                "clean": 1}  # TP.GEN.005 passes in both
    assert {e["matched_by"] for e in result["opened"] + result["closed"]} == {"fingerprint"}
    opened = result["opened"][1]
    assert opened["new"]["message"]["en"] == "Capacity 600 MW"
    assert opened["title"] == {"zh": "装机小于五百兆瓦", "en": "Capacity below 500 MW"}


def test_an_outcome_that_changes_but_stays_open(revisions: Revisions, capsys: Capture) -> None:
    old = revisions.report("old", revisions.data({"batches[1].verification.sites_visited": 0}))
    new = revisions.report("new", revisions.data(
        {}, remove=("batches[1].verification.sites_visited",)))
    result = json.loads(compare(old, new, capsys, "--format", "json")[1])
    assert summary(result["changed"]) == [("TP.BAT.001", "B2", None, "fail", "indeterminate")]
    assert result["opened"] == result["closed"] == []


def test_a_removed_batch_closes_and_an_added_one_opens(revisions: Revisions,
                                                        capsys: Capture) -> None:
    base = revisions.data({})
    b3 = {**base["batches"][1], "id": "B3",
          "verification": {**base["batches"][1]["verification"], "sites_visited": 0}}
    with_b3 = {**base, "batches": [*base["batches"], b3]}
    two = revisions.report("two", base)
    three = revisions.report("three", with_b3)
    closed = json.loads(compare(three, two, capsys, "--format", "json")[1])
    assert summary(closed["closed"]) == [("TP.BAT.001", "B3", "removed", "fail", None)]
    assert closed["closed"][0]["matched_by"] is None
    opened = json.loads(compare(two, three, capsys, "--format", "json")[1])
    assert summary(opened["opened"]) == [("TP.BAT.001", "B3", "new", None, "fail")]


def test_units_are_matched_by_rule_and_item_when_the_fingerprint_changed(
        revisions: Revisions, capsys: Capture) -> None:
    old = revisions.report("old", revisions.data({"batches[1].verification.sites_visited": 0}))
    new = revisions.report("new", revisions.data({"id": "CCER-EX-OW-001-R2"}))
    code, out, _ = compare(old, new, capsys, "--format", "json")
    result = json.loads(out)
    assert code == 0
    (closed,) = result["closed"]
    assert (closed["rule_id"], closed["item"], closed["matched_by"]) == ("TP.BAT.001", "B2",
                                                                         "rule-and-item")
    assert closed["old"]["fingerprint"] != closed["new"]["fingerprint"]
    assert summary(result["unchanged"]) == [("TP.GEN.004", None, None, "needs_review",
                                             "needs_review")]
    text = compare(old, new, capsys)[1]
    assert "Note: the two reports are of different dossier ids" in text
    assert text.splitlines()[0].startswith(
        "Comparison: CCER-EX-OW-001 → CCER-EX-OW-001-R2  (old 2025-07-01 → new 2025-07-01)")


def test_text_and_markdown_list_each_change(revisions: Revisions, capsys: Capture) -> None:
    old = revisions.report("old", revisions.data({"batches[1].verification.sites_visited": 0}))
    new = revisions.report("new", revisions.data({"batches[0].verification.sites_visited": 0}))
    text = compare(old, new, capsys)[1]
    assert text.splitlines() == [
        "Comparison: CCER-EX-OW-001  (old 2025-07-01 → new 2025-07-01)",
        "Opened 1, Closed 1, Changed outcome 0, Unchanged 1, clean in both 2",
        "Opened:",
        "  TP.BAT.001 B1 [pass → FAIL; regressed] The verification visited a site — "
        "Batch B1 visited no site",
        "Closed:",
        "  TP.BAT.001 B2 [FAIL → pass; resolved] The verification visited a site",
        "Unchanged:",
        "  TP.GEN.004 [needs review] Checked by hand — Check by hand.",
    ]
    markdown = compare(old, new, capsys, "--format", "markdown", "--lang", "zh")[1]
    assert ("## 已关闭 (1)\n\n- `TP.BAT.001 B2` [不通过 → 通过；已解决] 核查走访了现场\n"
            in markdown)
    assert "## 结果变化 (0)\n\n- 无\n" in markdown
    again = compare(old, new, capsys, "--format", "markdown", "--lang", "zh")[1]
    assert again == markdown


def test_a_decision_travels_with_the_entry(revisions: Revisions, tmp_path: Path,
                                           capsys: Capture) -> None:
    old_data = revisions.data({"batches[1].verification.sites_visited": 0})
    old = revisions.report("old", old_data)
    b2 = next(i for f in json.loads(old.read_text("utf-8"))["findings"] for i in f["items"]
              if f["rule_id"] == "TP.BAT.001" and i["key"] == "B2")
    decisions = tmp_path / "old-0.decisions.yaml"
    decisions.write_text(f"dossier: CCER-EX-OW-001\ndecisions:\n  - fingerprint: "
                         f"{b2['fingerprint']}\n    rule: TP.BAT.001\n    status: car\n"
                         f"    by: Qian\n    date: 2025-06-01\n    justification: Visit B2.\n"
                         f"    reference: CAR-03\n", encoding="utf-8")
    with_car = tmp_path / "with-car.json"
    main(["check", str(tmp_path / "old-0.json"), "--as-of", "2025-07-01", "--pack",
          str(revisions.pack), "--format", "json", "--output", str(with_car)])
    assert capsys.readouterr().err.endswith("old-0.decisions.yaml (found beside the dossier)\n")
    new = revisions.report("new", revisions.data({}))
    result = json.loads(compare(with_car, new, capsys, "--format", "json")[1])
    (closed,) = result["closed"]
    assert (closed["decision"]["status"], closed["decision"]["reference"]) == ("car", "CAR-03")
    text = compare(with_car, new, capsys)[1]
    assert "    Decision: CAR CAR-03, Qian, 2025-06-01: Visit B2." in text


def test_reports_of_several_dossiers_are_paired_by_id(revisions: Revisions,
                                                      capsys: Capture) -> None:
    first = revisions.data({"batches[1].verification.sites_visited": 0})
    second = revisions.data({"id": "SECOND"})
    old = revisions.report("old", first, second)
    new = revisions.report("new", revisions.data({}), revisions.data({"id": "SECOND",
                                                                      "project.capacity_mw": 700}))
    result = json.loads(compare(old, new, capsys, "--format", "json")[1])
    comparisons = {c["dossier"]["new"]: c for c in result["comparisons"]}
    assert summary(comparisons["CCER-EX-OW-001"]["closed"]) == [
        ("TP.BAT.001", "B2", "resolved", "fail", "pass")]
    assert summary(comparisons["SECOND"]["opened"]) == [
        ("TP.GEN.001", None, "regressed", "pass", "fail")]
    lonely = revisions.report("lonely", revisions.data({}), revisions.data({"id": "THIRD"}))
    code, out, err = compare(old, lonely, capsys)
    assert (code, out) == (2, "")
    assert "hold different dossiers (only in" in err and "SECOND" in err and "THIRD" in err


def test_the_shipped_pack_end_to_end(tmp_path: Path, offshore_data: dict[str, Any],
                                     patched: Patch, capsys: Capture) -> None:
    # CCER.VV.009 is the only ccer rule that reads a batch's verification.sites_visited.
    old_dossier, new_dossier = tmp_path / "old.json", tmp_path / "new.json"
    old_dossier.write_text(json.dumps(patched(offshore_data, "batches[1].verification."
                                              "sites_visited", 0)), encoding="utf-8")
    new_dossier.write_text(json.dumps(offshore_data), encoding="utf-8")
    reports = []
    for dossier in (old_dossier, new_dossier):
        out = tmp_path / f"{dossier.stem}.report.json"
        main(["check", str(dossier), "--as-of", "2025-07-01", "--format", "json", "--output",
              str(out)])
        reports.append(out)
    result = json.loads(compare(*reports, capsys, "--format", "json")[1])
    assert summary(result["closed"]) == [("CCER.VV.009", "B2", "resolved", "fail", "pass")]
    assert result["opened"] == result["changed"] == []
    old_open = sorted(f["rule_id"] for f in json.loads(reports[0].read_text("utf-8"))["findings"]
                      if f["outcome"] not in ("pass", "not_applicable", "fail"))
    assert [e["rule_id"] for e in result["unchanged"]] == old_open


@pytest.mark.parametrize(("content", "message"), [
    ("rules: []\n", ":1:1: not JSON"),
    ("[1, 2]", "not a cvcm-rules JSON report"),
    ('{"dossier": {"id": "X"}, "as_of": "2025-07-01"}', "findings: Field required"),
    ('{"reports": [{"dossier": {"id": "X"}}]}', "reports[0].as_of: Field required"),
])
def test_a_file_that_is_not_a_report_exits_2(tmp_path: Path, revisions: Revisions,
                                             capsys: Capture, content: str,
                                             message: str) -> None:
    good = revisions.report("good", revisions.data({}))
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    code, out, err = compare(good, bad, capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"cvcm-rules: error: {bad}")
    assert message in err and "Traceback" not in err
    code, _, err = compare(tmp_path / "missing.json", good, capsys)
    assert code == 2 and "cannot read report" in err


def test_compare_writes_its_output_all_or_nothing(revisions: Revisions, tmp_path: Path,
                                                  capsys: Capture) -> None:
    report = revisions.report("one", revisions.data({}))
    target = tmp_path / "cmp.md"
    code, out, _ = compare(report, report, capsys, "--format", "markdown", "--output",
                           str(target))
    assert (code, out) == (0, "")
    assert target.read_text("utf-8").startswith("# Comparison: CCER-EX-OW-001")
    assert "Opened 0, Closed 0, Changed outcome 0, Unchanged 1, clean in both" in \
        target.read_text("utf-8")
