"""``diff``: rules added, removed and changed between two versions of a pack, and impact replay.

Small packs are written per test, so each expected change is read off the two YAML texts by hand.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from cvcm_rules.cli import main
from cvcm_rules.diff import (
    Change,
    DiffInputError,
    diff_packs,
    open_side,
    render_json,
    render_markdown,
    render_text,
    replay,
)
from cvcm_rules.engine import evaluate
from cvcm_rules.errors import UnknownPackError
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import Pack, load_pack

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
DOSSIERS = ROOT / "fixtures" / "dossiers" / "ccer"
WritePack = Callable[..., Path]
Capture = pytest.CaptureFixture[str]

MANIFEST = """\
id: tp
version: "{version}"
title: {{zh: 测试包, en: Test pack}}
effective_from: 2023-01-01
documents:
  doc-a:
    title: {{zh: 文件甲, en: Document A}}
    issuer: Test issuer
"""
CUTOFF = """\
  - id: TP.GEN.001
    version: 1
    category: eligibility
    severity: blocking
    title: {zh: 开工日期, en: Construction date}
    citation:
      {document: doc-a, article: 第十条, clause: （三）, quote: {zh: 之后开工建设}, confidence: C}
    parameters:
      cutoff:
        unit: date
        values:
          2023-01-01: {value: CUTOFF}
    condition: CONDITION
    message:
      fail: {zh: 开工过早, en: Built too early}
"""
CAPACITY = """\
  - id: TP.GEN.002
    version: 1
    category: eligibility
    severity: major
    title: {zh: 装机, en: Capacity}
    citation: {document: doc-a, article: 第九条, quote: {zh: 装机}, confidence: C}
    condition: project.capacity_mw <= 1000
    message:
      fail: {zh: 装机过大, en: Too large}
"""
OWNER = """\
  - id: TP.GEN.003
    version: 1
    category: eligibility
    severity: minor
    title: {zh: 业主, en: Owner}
    citation: {document: doc-a, article: 第十三条, quote: {zh: 业主}, confidence: C}
    condition: exists(owner.uscc)
    message:
      fail: {zh: 缺少信用代码, en: No USCC}
"""
BASE_CONDITION = "project.construction_start_date >= params.cutoff"


def cutoff_rule(*, cutoff: str = "2012-11-08", condition: str = BASE_CONDITION) -> str:
    return CUTOFF.replace("CUTOFF", cutoff).replace("CONDITION", condition)


def make(tmp_path: Path, write_pack: WritePack, name: str, *rules: str,
         version: str = "1") -> Pack:
    folder = write_pack(tmp_path / name, {
        "pack.yaml": MANIFEST.format(version=version),
        "rules/a.yaml": "rules:\n" + "".join(rules) if rules else "rules: []\n"},
        pack_id="tp")
    return load_pack(folder)


def only_changes(old: Pack, new: Pack) -> list[Change]:
    diff = diff_packs(old, new)
    (rule,) = diff.rules("changed")
    return list(rule.changes)


# -- the structural diff --------------------------------------------------------------------------

def test_a_pack_diffed_with_itself_is_empty(tmp_path: Path, write_pack: WritePack) -> None:
    pack = make(tmp_path, write_pack, "a", cutoff_rule(), CAPACITY, OWNER)
    diff = diff_packs(pack, pack)
    assert diff.is_empty
    assert diff.counts == {"added": 0, "removed": 0, "changed": 0}
    assert diff.unchanged == 3
    assert "no differences" in render_text(diff)
    assert "两个版本没有差异 / the two versions do not differ" in render_markdown(diff)


def test_the_shipped_ccer_pack_diffed_with_itself_is_empty() -> None:
    pack = load_pack(RULES / "ccer")
    assert diff_packs(pack, pack).is_empty


def test_a_changed_parameter_value(tmp_path: Path, write_pack: WritePack) -> None:
    old = make(tmp_path, write_pack, "a", cutoff_rule(cutoff="2005-02-16"))
    new = make(tmp_path, write_pack, "b", cutoff_rule(cutoff="2012-11-08"))
    assert only_changes(old, new) == [Change(
        "parameters", "parameters.cutoff",
        [{"effective_from": "2023-01-01", "value": "2005-02-16"}],
        [{"effective_from": "2023-01-01", "value": "2012-11-08"}])]


def test_a_new_dated_value_and_an_end_are_parameter_changes(tmp_path: Path,
                                                            write_pack: WritePack) -> None:
    old = make(tmp_path, write_pack, "a", cutoff_rule())
    later = cutoff_rule().replace(
        "          2023-01-01: {value: 2012-11-08}\n",
        "          2023-01-01: {value: 2012-11-08}\n          2025-01-01: {value: 2015-01-01}\n"
        "          2030-01-01: null\n")
    new = make(tmp_path, write_pack, "b", later)
    assert only_changes(old, new) == [Change(
        "parameters", "parameters.cutoff",
        [{"effective_from": "2023-01-01", "value": "2012-11-08"}],
        [{"effective_from": "2023-01-01", "value": "2012-11-08"},
         {"effective_from": "2025-01-01", "value": "2015-01-01"},
         {"effective_from": "2030-01-01", "ended": True}])]


@pytest.mark.parametrize("reworded", [
    "(project.construction_start_date >= params.cutoff)",
    "project.construction_start_date   >=   params.cutoff",
    "((project.construction_start_date) >= (params.cutoff))",
    '"project.construction_start_date >=\\n  params.cutoff"',
])
def test_a_reworded_but_equal_condition_is_no_change(tmp_path: Path, write_pack: WritePack,
                                                     reworded: str) -> None:
    old = make(tmp_path, write_pack, "a", cutoff_rule())
    new = make(tmp_path, write_pack, "b", cutoff_rule(condition=reworded))
    assert new.rules[0].spec.condition != old.rules[0].spec.condition  # the text did change
    diff = diff_packs(old, new)
    assert diff.is_empty and diff.unchanged == 1


def test_a_different_condition_is_reported_in_canonical_form(tmp_path: Path,
                                                             write_pack: WritePack) -> None:
    old = make(tmp_path, write_pack, "a", cutoff_rule())
    new = make(tmp_path, write_pack, "b", cutoff_rule(
        condition="(project.construction_start_date  >  params.cutoff)"))
    assert only_changes(old, new) == [Change(
        "condition", "condition", "project.construction_start_date >= params.cutoff",
        "project.construction_start_date > params.cutoff")]


def test_an_added_and_a_removed_rule(tmp_path: Path, write_pack: WritePack) -> None:
    old = make(tmp_path, write_pack, "a", cutoff_rule(), CAPACITY)
    new = make(tmp_path, write_pack, "b", cutoff_rule(), OWNER)
    diff = diff_packs(old, new)
    assert [(r.rule_id, r.kind) for r in diff.rules()] == [
        ("TP.GEN.002", "removed"), ("TP.GEN.003", "added")]
    assert diff.counts == {"added": 1, "removed": 1, "changed": 0}
    assert diff.unchanged == 1
    added = diff.rules("added")[0]
    assert (added.title, added.severity, added.changes) == (
        {"zh": "业主", "en": "Owner"}, "minor", ())


def test_severity_citation_applicability_and_wording(tmp_path: Path,
                                                     write_pack: WritePack) -> None:
    old = make(tmp_path, write_pack, "a", CAPACITY)
    edited = (CAPACITY.replace("severity: major", "severity: blocking")
              .replace("article: 第九条", "article: 第十一条")
              .replace("    condition:", "    applies_when: project.sector == \"energy\"\n"
                                         "    condition:")
              .replace("en: Too large}", "en: Capacity too large}"))
    new = make(tmp_path, write_pack, "b", edited)
    assert only_changes(old, new) == [
        Change("applicability", "applies_when", None, 'project.sector == "energy"'),
        Change("severity", "severity", "major", "blocking"),
        Change("citation", "citation.article", "第九条", "第十一条"),
        Change("wording", "message.fail.en", "Too large", "Capacity too large"),
    ]


def test_rules_are_grouped_by_the_clause_they_cite(tmp_path: Path,
                                                   write_pack: WritePack) -> None:
    old = make(tmp_path, write_pack, "a")
    new = make(tmp_path, write_pack, "b", OWNER, cutoff_rule(), CAPACITY)
    groups = [(g.document, g.clause, [r.rule_id for r in g.rules])
              for g in diff_packs(old, new).clauses]
    # 第九条 < 第十条（三） < 第十三条, in the numbering of the text, not in code-point order.
    assert groups == [("doc-a", "第九条", ["TP.GEN.002"]),
                      ("doc-a", "第十条（三）", ["TP.GEN.001"]),
                      ("doc-a", "第十三条", ["TP.GEN.003"])]


def test_a_moved_rule_is_filed_under_its_new_clause(tmp_path: Path,
                                                    write_pack: WritePack) -> None:
    old = make(tmp_path, write_pack, "a", CAPACITY)
    new = make(tmp_path, write_pack, "b", CAPACITY.replace("第九条", "第十三条"))
    (group,) = diff_packs(old, new).clauses
    assert group.clause == "第十三条"


def test_the_2012_to_2023_ccer_change() -> None:
    """The construction cut-off moved from 2005-02-16 (2012 measures) to 2012-11-08 (Order 31
    Art. 10 (3)); the rule's condition is the same, so only its parameter, severity, citation and
    wording change."""
    old, new = load_pack(RULES / "ccer-2012"), load_pack(RULES / "ccer")
    diff = diff_packs(old, new)
    elig = next(r for r in diff.rules("changed") if r.rule_id == "CCER.ELIG.001")
    by_field = {c.field: c for c in elig.changes}
    assert by_field["parameters.construction_cutoff"] == Change(
        "parameters", "parameters.construction_cutoff",
        [{"effective_from": "2012-06-13", "value": "2005-02-16"}],
        [{"effective_from": "2023-10-19", "value": "2012-11-08"}])
    assert by_field["severity"] == Change("severity", "severity", "major", "blocking")
    assert by_field["citation.document"].new == "order-31"
    assert not [c for c in elig.changes if c.aspect == "condition"]
    removed = {r.rule_id for r in diff.rules("removed")}
    assert removed == {"CCER.ELIG.101", "CCER.CRED.101", "CCER.TIME.101"}
    assert {c.field for c in diff.manifest} >= {"effective_from", "superseded_on"}


# -- sides: folders, ids, revisions ---------------------------------------------------------------

def run_error(capsys: Capture, argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    return captured.err


def test_a_folder_that_is_not_a_pack(capsys: Capture) -> None:
    err = run_error(capsys, ["diff", str(ROOT / "docs"), str(RULES / "ccer")])
    assert err == f"cvcm-rules: error: {ROOT / 'docs'} is not a rule pack: the folder has no " \
                  "pack.yaml\n"


def test_an_unknown_pack(capsys: Capture) -> None:
    err = run_error(capsys, ["diff", "nope", str(RULES / "ccer")])
    assert err.startswith("cvcm-rules: error: unknown rule pack 'nope' (known packs: ")


def test_two_different_packs(capsys: Capture) -> None:
    err = run_error(capsys, ["diff", str(RULES / "ccer"), str(RULES / "fcer")])
    assert err == (f"cvcm-rules: error: cannot compare different packs: {RULES / 'ccer'} is pack "
                   f"'ccer', {RULES / 'fcer'} is pack 'fcer'\n")


GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run([GIT, "-C", str(repo), "-c", "user.name=t",  # noqa: S603 - a test repository
                    "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, write_pack: WritePack) -> Path:
    """A git repository with two commits of ``rules/tp``: cut-off 2005-02-16, then 2012-11-08."""
    root = tmp_path / "repo"
    folder = write_pack(root / "rules", {"pack.yaml": MANIFEST.format(version="1"),
                                         "rules/a.yaml": "rules:\n" + cutoff_rule(
                                             cutoff="2005-02-16")}, pack_id="tp")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "v1")
    (folder / "rules" / "a.yaml").write_text("rules:\n" + cutoff_rule(), encoding="utf-8")
    git(root, "commit", "-q", "-am", "v2")
    return root


@needs_git
def test_a_pack_at_a_revision(repo: Path) -> None:
    with open_side(f"{repo}/rules/tp@HEAD~1") as old, open_side(f"{repo}/rules/tp") as new:
        assert old.revision == "HEAD~1"
        changes = only_changes(old.pack, new.pack)
    assert changes[0].field == "parameters.cutoff"
    assert changes[0].old == [{"effective_from": "2023-01-01", "value": "2005-02-16"}]


@needs_git
def test_a_pack_id_at_a_revision_is_looked_up_in_the_rules_folder(repo: Path) -> None:
    with open_side("tp@HEAD~1", repo / "rules") as side:
        assert side.revision == "HEAD~1"
        (rule,) = side.pack.rules
        assert rule.parameters[0].values == (date(2005, 2, 16),)


@needs_git
def test_a_pack_at_the_same_revision_twice_is_empty(repo: Path) -> None:
    with open_side(f"{repo}/rules/tp@HEAD") as a, open_side(f"{repo}/rules/tp@HEAD") as b:
        assert diff_packs(a.pack, b.pack).is_empty
        assert a.pack.sha256 == b.pack.sha256


@needs_git
def test_a_revision_that_does_not_exist(capsys: Capture, repo: Path) -> None:
    err = run_error(capsys, ["diff", f"{repo}/rules/tp@no-such-tag", f"{repo}/rules/tp"])
    assert err == (f"cvcm-rules: error: {repo}/rules/tp@no-such-tag: revision 'no-such-tag' "
                   "does not exist in the repository\n")


@needs_git
def test_a_folder_missing_at_that_revision(repo: Path, write_pack: WritePack) -> None:
    write_pack(repo / "rules", {"pack.yaml": MANIFEST.format(version="1")}, pack_id="tp-new")
    with pytest.raises(DiffInputError, match=r"there is no pack at rules/tp-new in revision HEAD"):
        with open_side(f"{repo}/rules/tp-new@HEAD"):
            pass


@needs_git
def test_a_revision_outside_a_repository(tmp_path: Path, write_pack: WritePack) -> None:
    folder = write_pack(tmp_path / "plain", {"pack.yaml": MANIFEST.format(version="1")},
                        pack_id="tp")
    with pytest.raises(DiffInputError, match="is not inside a git repository"):
        with open_side(f"{folder}@HEAD"):
            pass


def test_a_revision_may_not_look_like_an_option(tmp_path: Path) -> None:
    with pytest.raises(DiffInputError, match="a revision cannot start with '-'"):
        with open_side(f"{tmp_path}/tp@--output=x"):
            pass


@needs_git
def test_the_shipped_pack_at_head_loads() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    with open_side(f"{RULES / 'ccer'}@HEAD") as side:
        assert side.pack.id == "ccer"


def test_unknown_ids_are_not_mistaken_for_revisions() -> None:
    with pytest.raises(UnknownPackError):
        with open_side("no-such-pack"):
            pass


# -- impact replay --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ccer_versions() -> tuple[Pack, Pack]:
    return load_pack(RULES / "ccer-2012"), load_pack(RULES / "ccer")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "older").mkdir(parents=True)
    shutil.copy(DOSSIERS / "offshore-wind.yaml", folder / "offshore-wind.yaml")
    shutil.copy(DOSSIERS / "legacy-wind.yaml", folder / "older" / "legacy-wind.yaml")
    (folder / "notes.txt").write_text("not a dossier", encoding="utf-8")
    return folder


def test_impact_matches_evaluating_each_side_separately(
        corpus: Path, ccer_versions: tuple[Pack, Pack]) -> None:
    old, new = ccer_versions
    as_of = date(2025, 7, 1)
    impact = replay(old, new, corpus, as_of=as_of)
    assert [d.path for d in impact.dossiers] == ["offshore-wind.yaml", "older/legacy-wind.yaml"]
    for entry in impact.dossiers:
        dossier = load_dossier(corpus / entry.path)
        before = {f.rule_id: f.outcome.value
                  for f in evaluate(dossier, [old], as_of=as_of).findings}
        after = {f.rule_id: f.outcome.value
                 for f in evaluate(dossier, [new], as_of=as_of).findings}
        flipped = {f.rule_id: (f.old, f.new) for f in entry.flips}
        for rule_id in before.keys() & after.keys():  # rules in both versions: any change flips
            assert (rule_id in flipped) == (before[rule_id] != after[rule_id]), rule_id
        for rule_id in before.keys() ^ after.keys():  # one version only: only if it asks for work
            outcome = before.get(rule_id) or after[rule_id]
            assert (rule_id in flipped) == (outcome not in ("pass", "not_applicable")), rule_id
        assert all(before.get(r) == o and after.get(r) == n for r, (o, n) in flipped.items())


def test_impact_on_the_legacy_dossier(corpus: Path, ccer_versions: tuple[Pack, Pack]) -> None:
    old, new = ccer_versions
    impact = replay(old, new, corpus, as_of=date(2025, 7, 1))
    legacy = next(d for d in impact.dossiers if d.dossier_id == "CCER-EX-LEG-001")
    flips = {f.rule_id: (f.old, f.new) for f in legacy.flips}
    # Built 2010-09-15: after 2005-02-16 (2012 measures) but not after 2012-11-08 (Order 31).
    assert flips["CCER.ELIG.001"] == ("pass", "fail")
    # CM-001-V01 is not among the four methodologies MEE published in 2023 (Order 31 Art. 10 (2)).
    assert flips["CCER.ELIG.007"] == (None, "fail")
    # Its 2013-2014 reductions predate 2020-09-22 (Order 31 Art. 17 (3)).
    assert flips["CCER.CRED.001"] == (None, "fail")
    # Review items of the 2012 version that Order 31 no longer has.
    assert flips["CCER.ELIG.101"] == ("needs_review", None)
    assert (legacy.old_blocking, legacy.new_blocking) == (False, True)
    offshore = next(d for d in impact.dossiers if d.dossier_id == "CCER-EX-OW-001")
    assert "CCER.ELIG.001" not in {f.rule_id for f in offshore.flips}  # 2021: fine under both
    assert impact.summary() == f"{impact.flip_count} findings flip across 2 of 2 dossiers"


def test_impact_is_deterministic(corpus: Path, ccer_versions: tuple[Pack, Pack]) -> None:
    old, new = ccer_versions
    diff = diff_packs(old, new, old_label="old", new_label="new")
    first = render_json(diff, replay(old, new, corpus, as_of=date(2025, 7, 1), label="c"))
    second = render_json(diff, replay(old, new, corpus, as_of=date(2025, 7, 1), label="c"))
    assert first == second
    assert str(corpus) not in first  # no machine path in the output
    data = json.loads(first)
    assert data["impact"]["source"] == "c"
    assert data["impact"]["summary"]["dossiers"] == 2


def test_impact_reports_progress(corpus: Path, ccer_versions: tuple[Pack, Pack]) -> None:
    seen: list[tuple[int, int, str]] = []
    replay(*ccer_versions, corpus, as_of=date(2025, 7, 1),
           progress=lambda done, total, name: seen.append((done, total, name)))
    assert seen == [(1, 2, "offshore-wind.yaml"), (2, 2, "legacy-wind.yaml")]


def test_impact_cli(capsys: Capture, corpus: Path) -> None:
    argv = ["diff", str(RULES / "ccer-2012"), str(RULES / "ccer"), "--impact", str(corpus),
            "--as-of", "2025-07-01", "--format", "json"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    data = json.loads(captured.out)
    assert data["diff"]["pack"] == "ccer"
    assert data["impact"]["summary"]["dossiers_affected"] == 2
    assert main([*argv, "--exit-code"]) == 1
    capsys.readouterr()


def test_impact_needs_an_as_of_date(capsys: Capture, corpus: Path) -> None:
    err = run_error(capsys, ["diff", "ccer-2012", "ccer", "--impact", str(corpus)])
    assert err == ("cvcm-rules: error: --impact needs --as-of: both versions are evaluated on "
                   "that date\n")


def test_impact_over_a_bad_dossier_names_the_file(capsys: Capture, corpus: Path) -> None:
    (corpus / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    err = run_error(capsys, ["diff", "ccer-2012", "ccer", "--impact", str(corpus),
                             "--as-of", "2025-07-01"])
    assert "broken.yaml" in err


def test_impact_over_an_empty_folder(capsys: Capture, tmp_path: Path) -> None:
    err = run_error(capsys, ["diff", "ccer-2012", "ccer", "--impact", str(tmp_path),
                             "--as-of", "2025-07-01"])
    assert err == (f"cvcm-rules: error: --impact: {tmp_path} holds no dossier (.yaml, .yml or "
                   ".json)\n")


# -- output ---------------------------------------------------------------------------------------

def test_exit_code_option(capsys: Capture) -> None:
    assert main(["diff", "ccer", "ccer", "--exit-code"]) == 0
    assert main(["diff", "ccer-2012", "ccer", "--exit-code"]) == 1
    assert main(["diff", "ccer-2012", "ccer"]) == 0
    capsys.readouterr()


def test_the_three_formats(capsys: Capture, tmp_path: Path) -> None:
    target = tmp_path / "changes.md"
    assert main(["diff", "ccer-2012", "ccer", "--format", "markdown", "--output",
                 str(target)]) == 0
    markdown = target.read_text(encoding="utf-8")
    assert markdown.startswith("# 规则包变更说明 / Changelog: `ccer` 2012.1 → 2023.1\n")
    assert "- **修改 / Changed** `CCER.ELIG.001`" in markdown
    assert ("  - 参数 / Parameter `parameters.construction_cutoff`: 2005-02-16 from 2012-06-13 → "
            "2012-11-08 from 2023-10-19") in markdown
    assert main(["diff", "ccer-2012", "ccer", "--lang", "zh"]) == 0
    text = capsys.readouterr().out
    assert ("  ~ CCER.ELIG.001 changed (blocking) 项目于2012年11月8日之后开工建设\n"
            "      parameters.construction_cutoff: 2005-02-16 from 2012-06-13 -> "
            "2012-11-08 from 2023-10-19\n") in text
    assert main(["diff", "ccer-2012", "ccer", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["impact"] is None
    assert data["diff"]["old"]["label"] == "ccer-2012"
