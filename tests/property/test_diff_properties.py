"""Laws of the pack diff over generated packs.

"A pack diffed with itself is empty" (issue 6), and conditions are "compared on the parsed
expression, not the text, so reformatting is not a change". Also: what one direction calls added
the other calls removed, and the diff never depends on the order rules are written in.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvcm_rules.diff import diff_packs
from cvcm_rules.packs import Pack, load_pack

pytestmark = pytest.mark.property

MANIFEST = {
    "id": "gp", "version": "1", "title": {"zh": "生成的包", "en": "Generated pack"},
    "effective_from": "2020-01-01",
    "documents": {"doc-a": {"title": {"zh": "文件甲", "en": "Document A"}, "issuer": "Issuer"},
                  "doc-b": {"title": {"zh": "文件乙", "en": "Document B"}, "issuer": "Issuer"}},
}
ATOMS = [
    "project.capacity_mw > {n}", "project.capacity_mw <= params.limit",
    "exists(project.construction_start_date)", "project.legal_reduction_obligation == false",
    "len(batches) >= {n}", "project.sector == \"energy\"",
    "all(b in batches: exists(b.verification))",
]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    """A condition from a small grammar over real dossier paths."""
    if depth >= 2 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS)).format(n=draw(st.integers(0, 500)))
    left, right = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    form = draw(st.sampled_from(["({a}) and ({b})", "({a}) or ({b})", "not ({a})"]))
    return form.format(a=left, b=right)


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    number = draw(st.integers(1, 40))
    rule: dict[str, Any] = {
        "id": f"GP.GEN.{number:03d}", "version": draw(st.integers(1, 3)),
        "category": draw(st.sampled_from(["eligibility", "timeline", "additionality"])),
        "severity": draw(st.sampled_from(["blocking", "major", "minor", "info"])),
        "title": {"zh": f"规则{number}", "en": f"Rule {number}"},
        "citation": {"document": draw(st.sampled_from(["doc-a", "doc-b"])),
                     "article": f"第{draw(st.sampled_from('一二三四五六七八九十'))}条",
                     "quote": {"zh": "引文"}, "confidence": draw(st.sampled_from("CSU"))},
        "parameters": {"limit": {"unit": "MW", "values": {
            f"{year}-01-01": {"value": draw(st.integers(1, 2000))}
            for year in draw(st.sets(st.integers(2020, 2030), min_size=1, max_size=3))}}},
        "condition": draw(expressions()),
        "message": {"fail": {"zh": "不通过", "en": "Fails"}},
    }
    if draw(st.booleans()):
        rule["applies_when"] = draw(expressions())
    return rule


packs = st.lists(rules(), max_size=6, unique_by=lambda r: r["id"])


def reformat(text: str) -> str:
    """The same expression written differently: extra blanks, a line break, outer parentheses."""
    return "(" + text.replace(" and ", "\n   and  ").replace("(", "( ").replace(")", " )") + ")"


def load(folder: Path, specs: list[dict[str, Any]]) -> Pack:
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.yaml").write_text(yaml.safe_dump(MANIFEST, allow_unicode=True),
                                      encoding="utf-8")
    (folder / "rules" / "r.yaml").write_text(
        yaml.safe_dump({"rules": specs}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_pack(folder)


SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class TestDiffLaws:
    """``diff(p, p)`` is empty; reformatting is no change; the two directions mirror each other."""

    @SETTINGS
    @given(packs)
    def test_a_pack_diffed_with_itself_is_empty(self, specs: list[dict[str, Any]]) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            pack = load(Path(scratch) / "gp", specs)
            diff = diff_packs(pack, pack)
        assert diff.is_empty
        assert diff.unchanged == len(specs)

    @SETTINGS
    @given(packs, st.randoms(use_true_random=False))
    def test_reformatting_and_reordering_change_nothing(self, specs: list[dict[str, Any]],
                                                        rnd: Any) -> None:
        rewritten = [{**spec, "condition": reformat(spec["condition"])} for spec in specs]
        rnd.shuffle(rewritten)
        with tempfile.TemporaryDirectory() as scratch:
            original = load(Path(scratch) / "a" / "gp", specs)
            other = load(Path(scratch) / "b" / "gp", rewritten)
            assert diff_packs(original, other).is_empty

    @SETTINGS
    @given(packs, packs)
    def test_the_two_directions_mirror_each_other(self, first: list[dict[str, Any]],
                                                  second: list[dict[str, Any]]) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            a = load(Path(scratch) / "a" / "gp", first)
            b = load(Path(scratch) / "b" / "gp", second)
            forward, backward = diff_packs(a, b), diff_packs(b, a)
        ids = {kind: {r.rule_id for r in forward.rules(kind)}
               for kind in ("added", "removed", "changed")}
        assert ids["added"] == {r.rule_id for r in backward.rules("removed")}
        assert ids["removed"] == {r.rule_id for r in backward.rules("added")}
        assert ids["changed"] == {r.rule_id for r in backward.rules("changed")}
        first_ids, second_ids = {s["id"] for s in first}, {s["id"] for s in second}
        assert ids["added"] == second_ids - first_ids
        assert ids["removed"] == first_ids - second_ids
        assert ids["changed"] <= first_ids & second_ids
        # A rule in both whose written fields are all equal is never reported as changed.
        same = {s["id"] for s in first if s in second}
        assert not ids["changed"] & same
