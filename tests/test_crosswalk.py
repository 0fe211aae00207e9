"""The crosswalk file: it loads, names only real rules, maps every ICVCM CCP rule, refuses bad
input with file:line:col messages, and its generated document is current."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cvcm_rules.crosswalk import (
    RELATIONS,
    CrosswalkError,
    check_rules,
    default_crosswalk_path,
    load_crosswalk,
    unmapped_rules,
)
from cvcm_rules.packs import Pack, available_packs, load_pack
from cvcm_rules.report.crosswalkdoc import render_crosswalk_doc

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
CROSSWALK = RULES / "crosswalk.yaml"
UPDATE = os.environ.get("CVCM_UPDATE_DOCS") == "1"


@pytest.fixture(scope="module")
def packs() -> dict[str, Pack]:
    return {pack_id: load_pack(RULES / pack_id) for pack_id in ("ccer", "fcer", "icvcm_ccp")}


# --- the shipped file --------------------------------------------------------------------------

def test_default_path_is_beside_the_packs() -> None:
    assert default_crosswalk_path(RULES) == CROSSWALK


def test_every_rule_named_exists_in_its_pack(packs: dict[str, Pack]) -> None:
    crosswalk = load_crosswalk(CROSSWALK)
    check_rules(crosswalk, list(packs.values()))  # raises on any unknown id


def test_every_icvcm_rule_is_mapped(packs: dict[str, Pack]) -> None:
    """The gap view is about what the CCP label needs, so no ICVCM rule may be left out."""
    assert unmapped_rules(load_crosswalk(CROSSWALK), packs["icvcm_ccp"]) == []


def test_every_icvcm_rule_has_a_stated_relation_from_ccer_and_fcer() -> None:
    crosswalk = load_crosswalk(CROSSWALK)
    for theme in crosswalk.spec.themes:
        if theme.rules_of("icvcm_ccp"):
            for source in ("ccer", "fcer"):
                assert theme.comparison(source, "icvcm_ccp") is not None, (theme.id, source)


def test_crosswalk_file_is_not_taken_for_a_pack() -> None:
    assert CROSSWALK.is_file()
    names = [p.name for p in available_packs(RULES)]
    assert "crosswalk.yaml" not in names
    assert {"ccer", "fcer", "icvcm_ccp"} <= set(names)


def test_a_folder_without_pack_yaml_is_not_taken_for_a_pack(tmp_path: Path) -> None:
    (tmp_path / "mapping").mkdir()
    (tmp_path / "mapping" / "crosswalk.yaml").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "crosswalk.yaml").write_text("x: 1\n", encoding="utf-8")
    assert available_packs(tmp_path) == []


def test_relations_read_from_the_ledger() -> None:
    """A few relations checked against the requirement ledger by hand (sections 2.10, 4.3, 2.3
    and 4.5, 6.4): CCER has no buffer pool; its sink crediting periods fall short of ICVCM's
    40-year monitoring; it refuses ETS-covered projects outright; its methodology exemptions are
    not ICVCM-accepted standardised methods."""
    themes = {t.id: t for t in load_crosswalk(CROSSWALK).spec.themes}
    expected = {
        "buffer_pool": "none",
        "permanence_monitoring_period": "weaker",
        "ets_double_claiming": "stricter",
        "additionality_exemption": "weaker",
        "fpic": "none",
    }
    for theme_id, relation in expected.items():
        comparison = themes[theme_id].comparison("ccer", "icvcm_ccp")
        assert comparison is not None
        assert comparison.relation == relation, theme_id
    # FCER's definition 3.10 admits no exemption at all: stricter than ICVCM on this point.
    fcer = themes["additionality_exemption"].comparison("fcer", "icvcm_ccp")
    assert fcer is not None and fcer.relation == "stricter"


def test_the_meanings_cover_exactly_the_five_relations() -> None:
    spec = load_crosswalk(CROSSWALK).spec
    assert tuple(spec.meanings.model_dump()) == RELATIONS
    assert RELATIONS == ("equivalent", "stricter", "weaker", "partial", "none")


def test_crosswalk_document_is_current() -> None:
    fresh = render_crosswalk_doc(load_crosswalk(CROSSWALK))
    target = ROOT / "docs" / "crosswalk.md"
    if UPDATE:
        target.write_text(fresh, encoding="utf-8")
    assert target.read_text(encoding="utf-8") == fresh, f"{target} is stale: CVCM_UPDATE_DOCS=1"


# --- bad files ---------------------------------------------------------------------------------

HEAD = """\
version: "1"
standards: {ccer: CCER, icvcm_ccp: ICVCM CCP}
direction: {zh: 方向, en: direction}
meanings:
  equivalent: {zh: 相当, en: same}
  stricter: {zh: 较严, en: more}
  weaker: {zh: 较弱, en: less}
  partial: {zh: 部分, en: part}
  none: {zh: 无, en: nothing}
pairs:
  - {from: ccer, to: icvcm_ccp, complete: true}
themes:
"""
THEME = """\
  - id: buffer
    title: {zh: 缓冲池, en: Buffer}
    rules:
      ccer: RULES
      icvcm_ccp: [ICVCM.PERM.002]
    clauses: {ccer: Order 31, icvcm_ccp: summary §6}
    relations:
      - from: ccer
        to: icvcm_ccp
        relation: RELATION
        reason: {zh: 原因, en: reason}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crosswalk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(CrosswalkError) as caught:
        load_crosswalk(path)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{len(lines) - 1} problem")
    assert lines[0].endswith(f"in crosswalk {path}")
    return lines[1:]


def theme(rules: str = "[]", relation: str = "none") -> str:
    return THEME.replace("RULES", rules).replace("RELATION", relation)


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    crosswalk = load_crosswalk(write(tmp_path, HEAD + theme()))
    assert [t.id for t in crosswalk.spec.themes] == ["buffer"]
    assert crosswalk.name("icvcm_ccp") == "ICVCM CCP"
    assert crosswalk.pair("ccer", "icvcm_ccp") is not None
    assert crosswalk.pair("icvcm_ccp", "ccer") is None


def test_unknown_key_is_pointed_at(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + theme().replace("    title:", "    titel: x\n    title:"))
    assert problems(path) == [
        f"{path}:14:5: unknown-key: themes.0.titel: Extra inputs are not permitted"]


def test_unknown_relation_value(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + theme(relation="looser"))
    (line,) = problems(path)
    assert line.startswith(f"{path}:22:19: schema: themes.0.relations.0.relation: Input should "
                           "be 'equivalent', 'stricter', 'weaker', 'partial' or 'none'")


def test_none_with_rules_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + theme(rules="[CCER.PERM.001]"))
    assert problems(path) == [
        f"{path}:22:19: relation-mismatch: relation 'none' says ccer has no such requirement, "
        "but it lists rules on theme 'buffer'"]


def test_a_relation_other_than_none_needs_rules(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + theme(relation="partial"))
    assert problems(path) == [
        f"{path}:22:19: relation-mismatch: ccer lists no rule on theme 'buffer', so its relation "
        "is 'none', not 'partial'"]


def test_a_complete_pair_needs_every_relation(tmp_path: Path) -> None:
    text = HEAD + theme()
    text = text[:text.index("    relations:")] + "    relations: []\n"
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path}:19:16: missing-relation: theme 'buffer': the complete pair ccer -> icvcm_ccp "
        "needs a relation, since icvcm_ccp lists rules here"]


def test_undeclared_standard_and_pair(tmp_path: Path) -> None:
    text = HEAD.replace("  - {from: ccer, to: icvcm_ccp, complete: true}",
                        "  - {from: ccer, to: icvcm_ccp, complete: true}\n"
                        "  - {from: cer, to: icvcm_ccp}") + theme()
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path}:12:5: unknown-standard: 'cer' is not a declared standard (ccer, icvcm_ccp); "
        "did you mean 'ccer'?"]


def test_rules_without_a_clause_and_repeated_rules(tmp_path: Path) -> None:
    text = HEAD + theme(rules="[CCER.PERM.001, CCER.PERM.001]", relation="partial")
    path = write(tmp_path, text.replace("{ccer: Order 31, icvcm_ccp: summary §6}",
                                        "{icvcm_ccp: summary §6}"))
    assert problems(path) == [
        f"{path}:16:13: duplicate-rule: listed twice: CCER.PERM.001",
        f"{path}:16:13: missing-clause: ccer lists rules on theme 'buffer' but no clause"]


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('version: "1"\n', 'version: "1"\nversion: "2"\n'))
    assert problems(path) == [f"{path}:2:1: yaml-syntax: duplicate key 'version'"]


def test_missing_file(tmp_path: Path) -> None:
    (line,) = problems(tmp_path / "absent.yaml")
    assert line.startswith(f"{tmp_path / 'absent.yaml'}:1:1: unreadable-file: ")


def test_unknown_rule_id_is_named_with_a_hint(tmp_path: Path, packs: dict[str, Pack]) -> None:
    path = write(tmp_path, HEAD + theme().replace("[ICVCM.PERM.002]", "[ICVCM.PREM.002]"))
    crosswalk = load_crosswalk(path)
    with pytest.raises(CrosswalkError) as caught:
        check_rules(crosswalk, [packs["icvcm_ccp"]])
    assert str(caught.value).splitlines()[1:] == [
        f"{path}:17:19: unknown-rule: theme 'buffer': 'ICVCM.PREM.002' is not a rule of pack "
        "'icvcm_ccp' (did you mean 'ICVCM.PERM.002'?)"]
