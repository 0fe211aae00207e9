"""Differential test: durable_rules, run on the exported rules, agrees with the engine.

The claim checked (``cvcm_rules.export.durable``): for every exported rule and every dossier,
``RULE/fail`` fires exactly when the engine's outcome is ``fail`` and ``RULE/warn`` exactly when it
is ``warn``; nothing fires for ``pass``, ``not_applicable`` or ``indeterminate``. Indeterminate
dossiers (missing facts) are compared too, not left out: the export is written so that a missing
fact never makes a rule fire. Only ``error`` outcomes are left out (durable_rules has no such
outcome); the tests count them and require there to be none on the fixture cases.

Dossiers: every fixture case of the three shipped packs (a base dossier with the case's edits),
then hypothesis variations of the fixture dossiers that set, change or remove the facts the
exported rules read, with values around the literals and parameters the rules compare with.
"""

from __future__ import annotations

import copy
import functools
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cvcm_rules.casetest import apply_case, load_cases
from cvcm_rules.engine import Outcome, evaluate
from cvcm_rules.errors import DossierError, InputError
from cvcm_rules.export import DurableExport, FactEncodingError, export_pack
from cvcm_rules.export.durable_run import DurableRunner, durable_unavailable
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier_data
from cvcm_rules.packs import Pack, load_pack

_UNAVAILABLE = durable_unavailable()
pytestmark = [
    pytest.mark.skipif(_UNAVAILABLE is not None,
                       reason=f"durable_rules is not installed here: {_UNAVAILABLE}"),
    # durable_rules 2.0.28 calls datetime.utcfromtimestamp for every fired action, deprecated
    # on Python 3.12: tolerated here only, where durable_rules is run on purpose.
    pytest.mark.filterwarnings("ignore:datetime.datetime.utcfromtimestamp:DeprecationWarning"),
]

ROOT = Path(__file__).resolve().parents[1]
PACKS = ("ccer", "fcer", "icvcm_ccp")
AS_OF = date(2025, 7, 1)  # the date of most case files, and of the variations


@dataclass(frozen=True, slots=True)
class Oracle:
    """A pack exported for one date, and its rulesets registered in durable_rules."""

    pack: Pack
    export: DurableExport
    runner: DurableRunner


# Rules that reach the corners of the export the shipped packs do not: `not in` an empty list or
# an empty list field with the left side missing, a field compared with a missing field, an item
# compared with a dossier field, a coalesce compared with a field, derived keys.
EDGE_RULES = [
    "owner.jurisdiction in params.nothing",
    "project.activity_type in validation.vvb_links_to_owner",
    "all(t in validation.team: t.name != validation.reviewer)",
    "coalesce(project.start_date, project.construction_start_date) <= "
    "registration.application_date",
    "any(t in validation.team: t.full_time == true and t.name == validation.decision_maker)",
    'len(owner.name) > 3 and lower(owner.jurisdiction) != "hk"',
    "validation.sites_visited >= validation.sites_total",
    "not exists(legacy) or legacy.filing_date < validation.report_date",
]
EDGE_MANIFEST = """\
id: edge
version: "1"
title: {zh: 边界, en: Edge cases}
effective_from: 2023-01-01
documents:
  doc-a:
    title: {zh: 文件甲, en: Document A}
    issuer: Test issuer
"""


def _edge_rule(index: int, condition: str) -> str:
    return (f"  - id: EDGE.X.{index:03d}\n    version: 1\n    category: eligibility\n"
            "    severity: major\n    title: {zh: 标题, en: Title}\n"
            "    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}\n"
            "    parameters:\n      nothing:\n        unit: list\n"
            "        values: {2020-01-01: {value: []}}\n"
            f"    condition: '{condition}'\n"
            "    message: {fail: {zh: 不通过, en: Fails}}\n")


@functools.cache
def pack_of(pack_id: str) -> Pack:
    if pack_id != "edge":
        return load_pack(pack_id)
    with tempfile.TemporaryDirectory(prefix="durable-edge-") as tmp:
        folder = Path(tmp) / "edge"
        (folder / "rules").mkdir(parents=True)
        (folder / "pack.yaml").write_text(EDGE_MANIFEST, encoding="utf-8")
        text = "rules:\n" + "".join(_edge_rule(i, c) for i, c in enumerate(EDGE_RULES, 1))
        (folder / "rules" / "edge.yaml").write_text(text, encoding="utf-8")
        return load_pack(folder)


@functools.cache
def oracle(pack_id: str, as_of: date) -> Oracle:
    pack = pack_of(pack_id)
    export = export_pack(pack, as_of)
    return Oracle(pack, export, DurableRunner(export.to_dict()))


def disagreements(oracle: Oracle, dossier: Dossier, as_of: date,
                  seen: Counter[str] | None = None) -> list[str]:
    """Where durable_rules and the engine differ on this dossier (empty when they agree)."""
    outcomes = {f.rule_id: f.outcome for f in evaluate(dossier, [oracle.pack], as_of=as_of)
                .findings}
    fired = oracle.runner.outcomes(dossier)
    found = []
    for rule in oracle.export.rules:
        outcome = outcomes[rule.id]
        if seen is not None:
            seen[outcome.value] += 1
        if outcome is Outcome.ERROR:
            continue
        expected = {Outcome.FAIL: "fail", Outcome.WARN: "warn"}.get(outcome)
        if expected == "warn" and rule.warn is None:
            expected = None  # warn_when not exported: only "fail does not fire" is claimed
        if fired.get(rule.id) != expected:
            found.append(f"{dossier.id} {rule.id}: engine {outcome.value}, durable_rules fired "
                         f"{fired.get(rule.id)}")
    return found


def case_dossiers(pack_id: str) -> Iterator[tuple[str, Dossier, date]]:
    bases: dict[Path, dict[str, Any]] = {}
    for case in load_cases(ROOT / "fixtures" / "cases" / pack_id):
        if case.base not in bases:
            bases[case.base] = load_dossier_data(case.base)
        data = copy.deepcopy(bases[case.base])
        apply_case(data, case)
        yield case.name, dossier_from_data(data, case.name), case.as_of


@pytest.mark.parametrize("pack_id", PACKS)
def test_fixture_cases_agree(pack_id: str) -> None:
    seen: Counter[str] = Counter()
    failing: set[str] = set()
    problems: list[str] = []
    for name, dossier, as_of in case_dossiers(pack_id):
        current = oracle(pack_id, as_of)
        problems.extend(f"case {name!r}: {p}" for p in disagreements(current, dossier, as_of,
                                                                     seen))
        failing.update(current.runner.outcomes(dossier))
    assert problems == []
    assert seen["error"] == 0
    # Not vacuous: every rule exported on the cases' main date was seen failing by durable_rules
    # (the cases show every rule failing), and missing facts were part of the comparison.
    exported = {rule.id for rule in oracle(pack_id, AS_OF).export.rules}
    assert exported
    assert exported <= failing
    assert seen["indeterminate"] > 0 and seen["pass"] > 0


# -- hypothesis variations ---------------------------------------------------------------------

BASES = {
    "ccer": ("ccer/offshore-wind.yaml", "ccer/solar-thermal.yaml", "ccer/afforestation.yaml",
             "ccer/mangrove.yaml", "ccer/legacy-wind.yaml"),
    "fcer": ("fcer/grouped-biogas.yaml", "fcer/solar-thermal.yaml"),
    "icvcm_ccp": ("icvcm_ccp/gs-cookstove.yaml", "icvcm_ccp/vcs-arr.yaml"),
    "edge": ("ccer/offshore-wind.yaml", "ccer/afforestation.yaml"),
}


@functools.cache
def base_data(name: str) -> dict[str, Any]:
    return load_dossier_data(ROOT / "fixtures" / "dossiers" / name)


@dataclass(frozen=True, slots=True)
class Target:
    """A place in a dossier's data that an exported rule reads, and values worth trying there."""

    path: tuple[str | int, ...]
    kind: str  # date, number, string, bool, list (emptied), object (removed)
    values: tuple[Any, ...]


def _literals(test: Any, where: str, found: dict[str, set[Any]]) -> None:
    """Every ``key: literal`` in a durable_rules condition, keyed by the list-qualified key."""
    if isinstance(test, list):
        for item in test:
            _literals(item, where, found)
    elif isinstance(test, dict):
        for key, value in test.items():
            if key in ("$ex", "$nex"):
                continue  # {"$ex": {key: 1}}: the 1 is no literal of the key
            if key in ("$iany", "$iall"):
                (listed, body), = value.items()
                _literals(body, listed.removeprefix("$i."), found)
            elif key.startswith("$"):
                _literals(value, where, found)
            elif not isinstance(value, dict | list):
                name = key.removeprefix("$i").removeprefix(".")
                found.setdefault(f"{where}[].{name}" if where else key, set()).add(value)


def _steps(text: str) -> tuple[str | int, ...]:
    steps: list[str | int] = []
    for part in text.replace("]", "").split("."):
        name, *indexes = part.split("[")
        steps.append(name)
        steps.extend(int(i) for i in indexes)
    return tuple(steps)


def _pool(kind: str, literals: set[Any]) -> tuple[Any, ...]:
    if kind == "date":
        days = {o + shift for o in literals for shift in (-1, 0, 1)} | {
            date(2012, 11, 8).toordinal(), date(2023, 10, 19).toordinal(), AS_OF.toordinal()}
        return tuple(sorted(date.fromordinal(d).isoformat() for d in days))
    if kind == "number":
        return tuple(sorted({n + shift for n in literals for shift in (-1, 0, 1)} | {0, 1, 5.5}))
    if kind == "bool":
        return (True, False)
    if kind == "string":
        return tuple(sorted({str(s) for s in literals} | {"", "other", "positive"}))
    return ()


@functools.cache
def targets(pack_id: str) -> tuple[Target, ...]:
    """Where the exported rules of ``pack_id`` read the dossier, with values to try."""
    export = oracle(pack_id, AS_OF).export.to_dict()
    literals: dict[str, set[Any]] = {}
    for ruleset in export["rulesets"].values():
        for rule in ruleset.values():
            _literals(rule["all"][0]["m"], "", literals)
    found: list[Target] = []
    for shape in export["facts"].values():
        for key, kind in shape["keys"].items():
            if key.startswith("lower("):
                continue  # a computed value: its source is varied where it is read directly
            if key.startswith(("len(", "exists(")):
                inner = key[key.index("(") + 1:-1]
                found.append(Target(_steps(inner), "list" if key[0] == "l" else "object", ()))
            else:
                found.append(Target(_steps(key), kind, _pool(kind, literals.get(key, set()))))
        for listed, item in shape["lists"].items():
            if isinstance(item, str):
                pool = _pool(item, literals.get(f"{listed}[].", set()))
                found.append(Target(_steps(listed), "items", pool))
                continue
            for key, kind in item["keys"].items():
                pool = _pool(kind, literals.get(f"{listed}[].{key}", set()))
                found.extend(Target((*_steps(listed), index, *_steps(key)), kind, pool)
                             for index in range(3))
    return tuple(sorted(set(found), key=lambda t: (t.path.__repr__(), t.kind)))


def _edit(data: dict[str, Any], target: Target, value: Any) -> None:
    """Set (or, with ``value`` None, remove) the target, if its parent exists in ``data``."""
    parent: Any = data
    for step in target.path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return
    last = target.path[-1]
    if isinstance(parent, dict) and isinstance(last, str):
        if value is None:
            parent.pop(last, None)
        else:
            parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if value is not None:
            parent[last] = value


def _value_for(target: Target) -> st.SearchStrategy[Any]:
    if target.kind == "list":
        return st.sampled_from([None, []])
    if target.kind == "object":
        return st.none()
    if target.kind == "items":
        return st.lists(st.sampled_from(target.values), max_size=3)
    return st.one_of(st.none(), st.sampled_from(target.values))


@st.composite
def variants(draw: st.DrawFn, pack_id: str) -> dict[str, Any]:
    data = copy.deepcopy(base_data(draw(st.sampled_from(BASES[pack_id]))))
    for target in draw(st.lists(st.sampled_from(targets(pack_id)), min_size=1, max_size=6)):
        _edit(data, target, draw(_value_for(target)))
    return data


def check_variant(pack_id: str, data: dict[str, Any]) -> None:
    try:
        dossier = dossier_from_data(data, "variation")
    except DossierError:
        dossier = None  # an edit broke the model's own checks (a period ending before it starts)
    assume(dossier is not None)
    assert dossier is not None
    assert disagreements(oracle(pack_id, AS_OF), dossier, AS_OF) == []


VARIATIONS = settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.property
class TestVariations:
    """The same claim on generated dossiers around the rules' thresholds."""

    @VARIATIONS
    @given(variants("ccer"))
    def test_ccer(self, data: dict[str, Any]) -> None:
        check_variant("ccer", data)

    @VARIATIONS
    @given(variants("fcer"))
    def test_fcer(self, data: dict[str, Any]) -> None:
        check_variant("fcer", data)

    @VARIATIONS
    @given(variants("icvcm_ccp"))
    def test_icvcm_ccp(self, data: dict[str, Any]) -> None:
        check_variant("icvcm_ccp", data)

    @VARIATIONS
    @given(variants("edge"))
    def test_edge_rules(self, data: dict[str, Any]) -> None:
        check_variant("edge", data)


def test_edge_rules_are_all_exported() -> None:
    export = oracle("edge", AS_OF).export
    assert export.not_exported == {}
    assert len(export.rules) == len(EDGE_RULES)


def test_targets_cover_every_key_read() -> None:
    """The variations reach every fact the exported rules read (``lower()`` keys excepted)."""
    for pack_id in (*PACKS, "edge"):
        paths = {target.path for target in targets(pack_id)}
        for shape in oracle(pack_id, AS_OF).export.to_dict()["facts"].values():
            for key in shape["keys"]:
                if not key.startswith("lower("):
                    inner = key[key.index("(") + 1:-1] if key.endswith(")") else key
                    assert _steps(inner) in paths, (pack_id, key)
            for listed in shape["lists"]:
                steps = _steps(listed)
                assert any(path[:len(steps)] == steps for path in paths), (pack_id, listed)


def test_dates_near_a_threshold() -> None:
    # CCER.ELIG.001 compares the construction start with 2012-11-08; the pool tries the day
    # before, the day itself and the day after.
    ccer = {t.path: t for t in targets("ccer")}
    pool = ccer[("project", "construction_start_date")].values
    assert {"2012-11-07", "2012-11-08", "2012-11-09"} <= set(pool)


def test_runner_refuses_a_document_that_is_not_an_export() -> None:
    with pytest.raises(InputError, match="not a durable_rules export"):
        DurableRunner({"format": "something else"})


def test_a_value_durable_cannot_take_asserts_nothing() -> None:
    # ICVCM.ELIG.006 compares project.capacity_mw; 2**60 is beyond exact doubles. The runner
    # refuses before asserting anything and stays usable for the next dossier.
    current = oracle("icvcm_ccp", AS_OF)
    data = copy.deepcopy(base_data("icvcm_ccp/gs-cookstove.yaml"))
    data["project"]["capacity_mw"] = 2**60
    with pytest.raises(FactEncodingError, match=r"project\.capacity_mw"):
        current.runner.fired(dossier_from_data(data, "huge"))
    plain = dossier_from_data(base_data("icvcm_ccp/gs-cookstove.yaml"), "plain")
    assert disagreements(current, plain, AS_OF) == []
