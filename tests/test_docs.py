"""Committed documents that are generated from the packs and the examples stay in sync.

Set CVCM_UPDATE_DOCS=1 to rewrite them, then read the diff before committing: these files are
reviewed by reading them.
"""

import os
from datetime import date
from pathlib import Path

import pytest

from cvcm_rules.engine import evaluate
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import available_packs, load_pack
from cvcm_rules.report import render_markdown
from cvcm_rules.report.packdoc import render_pack_doc

ROOT = Path(__file__).resolve().parents[1]
UPDATE = os.environ.get("CVCM_UPDATE_DOCS") == "1"
EXAMPLES = sorted((ROOT / "fixtures" / "dossiers" / "ccer").glob("*.yaml"))
EXAMPLE_AS_OF = date(2025, 7, 1)


def _check(path: Path, fresh: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fresh, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with CVCM_UPDATE_DOCS=1"
    assert path.read_text(encoding="utf-8") == fresh, f"{path} is stale: CVCM_UPDATE_DOCS=1"


@pytest.mark.parametrize("pack_dir", available_packs(ROOT / "rules"), ids=lambda p: p.name)
def test_pack_reference_is_current(pack_dir: Path) -> None:
    pack = load_pack(pack_dir)
    # Named by folder: two versions of a pack share an id (ccer, ccer-2012).
    _check(ROOT / "docs" / "packs" / f"{pack_dir.name}.md", render_pack_doc(pack))


@pytest.mark.parametrize("dossier_path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("pack_id", ["ccer", "fcer", "icvcm_ccp"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_example_reports_are_current(dossier_path: Path, pack_id: str, lang: str) -> None:
    report = evaluate(load_dossier(dossier_path), [load_pack(ROOT / "rules" / pack_id)],
                      as_of=EXAMPLE_AS_OF)
    assert not [f.rule_id for f in report.findings if f.outcome.value == "error"]
    target = ROOT / "docs" / "examples" / f"{dossier_path.stem}.{pack_id}.{lang}.md"
    _check(target, render_markdown(report, lang=lang))


def test_ccer_2012_to_2023_changelog_is_current() -> None:
    """docs/changes/ccer-2012-2023.md: the diff of the two CCER versions and its impact replay."""
    from cvcm_rules.diff import diff_packs, render_markdown, replay

    old, new = load_pack(ROOT / "rules" / "ccer-2012"), load_pack(ROOT / "rules" / "ccer")
    diff = diff_packs(old, new, old_label="rules/ccer-2012", new_label="rules/ccer")
    impact = replay(old, new, ROOT / "fixtures" / "dossiers" / "ccer", as_of=EXAMPLE_AS_OF,
                    label="fixtures/dossiers/ccer")
    _check(ROOT / "docs" / "changes" / "ccer-2012-2023.md", render_markdown(diff, impact))
