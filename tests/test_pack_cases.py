"""Every pack's fixture cases give the outcome the law leads us to expect, and cover every rule.

A case shows one legal situation (a base dossier plus small edits). A rule that is removed,
inverted or made vacuous makes one of its pass/fail cases fail here, so this is the test that
keeps each rule honest.
"""

from pathlib import Path

import pytest

from cvcm_rules.casetest import coverage, load_cases, run_cases
from cvcm_rules.packs import available_packs, load_pack

ROOT = Path(__file__).resolve().parents[1]
PACKS = [p.name for p in available_packs(ROOT / "rules")
         if (ROOT / "fixtures" / "cases" / p.name).is_dir()]


@pytest.mark.parametrize("pack_id", PACKS)
def test_cases_pass_and_cover_every_rule(pack_id: str) -> None:
    pack = load_pack(pack_id, ROOT / "rules")
    results = run_cases([pack], load_cases(ROOT / "fixtures" / "cases" / pack_id))
    failures = [
        f"{r.case.file}:{r.case.line} {r.case.rule} '{r.case.name}': expected "
        f"{r.case.expect.value}, got {r.actual.value if r.actual else r.problem}"
        for r in results if not r.passed
    ]
    assert not failures, "\n".join(failures)
    report = coverage(pack, results)
    assert report.complete, f"rules lacking cases: {report.uncovered}"


def test_the_ccer_pack_has_cases() -> None:
    assert "ccer" in PACKS
