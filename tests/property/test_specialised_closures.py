"""The specialised closures decide exactly what the general ones decide.

For speed, the compiler gives the common shapes (a path, a path compared with a literal,
``exists``, ``coalesce`` of paths) one closure each instead of one per syntax node. This test
loads every shipped pack twice, once with the general closures only (``general_closures``), and
requires byte-identical reports on every fixture dossier and on generated variations of one.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from tests.property.test_engine_properties import build, edits

from cvcm_rules.engine import evaluate
from cvcm_rules.expr.compiler import general_closures
from cvcm_rules.model import Dossier, load_dossier
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.report import render_json

pytestmark = pytest.mark.property

ROOT = Path(__file__).resolve().parents[2]
PACKS = ("ccer", "ccer-2012", "fcer", "icvcm_ccp")
DOSSIERS = sorted((ROOT / "fixtures" / "dossiers").glob("*/*.yaml"))
AS_OF = (date(2023, 10, 18), date(2025, 7, 1), date(2027, 1, 1))


@cache
def both(name: str) -> tuple[Pack, Pack]:
    """The pack compiled with the specialised closures, and with the general ones only."""
    with general_closures():
        general = load_pack(ROOT / "rules" / name)
    return load_pack(ROOT / "rules" / name), general


def reports(dossier: Dossier, name: str, as_of: date, *, trace: bool = False) -> tuple[str, str]:
    fast, general = both(name)
    return (render_json(evaluate(dossier, [fast], as_of=as_of, trace=trace)),
            render_json(evaluate(dossier, [general], as_of=as_of, trace=trace)))


def test_the_two_compilations_differ() -> None:
    """Guard: the general pack really is built from other closures (else the test is empty)."""
    fast, general = both("ccer")
    # CCER.ELIG.002's condition is ``project.legal_reduction_obligation == false``.
    mine, twin = (next(r for r in p.rules if r.id == "CCER.ELIG.002") for p in (fast, general))
    assert mine.fast.condition is not None and twin.fast.condition is not None
    assert closure_name(mine.fast.condition.run) == "compare"
    assert closure_name(twin.fast.condition.run) == "run"


def closure_name(run: object) -> str:
    """A closure's name; mypyc compiles a closure to an object of class ``<name>__<outer>_obj``."""
    name = getattr(run, "__name__", None)
    return name if isinstance(name, str) else type(run).__name__.split("__")[0]


@pytest.mark.parametrize("name", PACKS)
@pytest.mark.parametrize("path", DOSSIERS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_dossiers_give_identical_reports(path: Path, name: str) -> None:
    dossier = load_dossier(path)
    for as_of in AS_OF:
        fast, general = reports(dossier, name, as_of)
        assert fast == general, (name, as_of)


@pytest.mark.parametrize("name", ["ccer", "icvcm_ccp"])
def test_traced_reports_are_identical_too(name: str) -> None:
    dossier = load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml")
    fast, general = reports(dossier, name, date(2025, 7, 1), trace=True)
    assert fast == general


@settings(max_examples=40, deadline=None)
@given(edits)
def test_generated_dossiers_give_identical_reports(change: dict[str, Any]) -> None:
    dossier = build(change)
    assume(dossier is not None)
    assert dossier is not None
    for name in PACKS:
        fast, general = reports(dossier, name, date(2025, 7, 1))
        assert fast == general, name
