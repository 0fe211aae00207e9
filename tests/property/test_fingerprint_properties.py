"""Fingerprints name what a finding is about, so decisions and comparisons can rely on them.

Issue 8: "Fingerprints stay the same when an unrelated field of the dossier changes, and change
when the finding's subject changes." The subject of a finding is (pack, rule, dossier id), and
of an item the same plus the item's key (a batch id). The values a rule reads are the subject's
*state*, not the subject: a corrective action request raised against rule X on batch B2 must keep
its fingerprint when the owner fixes the value, so that the next report shows the same finding
passing (SARIF ``baselineState`` "updated", not "absent" plus "new").

The last tests check that items of lists without an ``id`` field keep their fingerprints when an
entry is inserted before them (they are keyed by a natural key: a retirement by its serial range,
a crediting period by its renewal number), and that two items never share a fingerprint (a repeated
key gets ``#2``), so a decision can never silently move to another item.
"""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cvcm_rules.engine import evaluate
from cvcm_rules.errors import DossierError
from cvcm_rules.model import dossier_from_data, load_dossier_data
from cvcm_rules.packs import Pack, load_pack

pytestmark = pytest.mark.property

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "fixtures" / "dossiers" / "ccer").glob("*.yaml"))
BASE: dict[str, Any] = load_dossier_data(ROOT / "fixtures" / "dossiers" / "ccer" /
                                         "offshore-wind.yaml")
PACK: Pack = load_pack("ccer")
AS_OF = date(2025, 7, 1)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Key = tuple[str, str | None]  # (rule id, item key or None for the finding itself)
Path_ = tuple[str | int, ...]


def fingerprints(data: dict[str, Any], *, as_of: date = AS_OF) -> dict[Key, str]:
    """Every fingerprint of the report, by rule id and item key."""
    report = evaluate(dossier_from_data(data, "property"), [PACK], as_of=as_of)
    found: dict[Key, str] = {}
    for finding in report.findings:
        found[(finding.rule_id, None)] = finding.fingerprint
        for item in finding.items:
            found[(finding.rule_id, item.key)] = item.fingerprint
    return found


def _leaves(data: Any, path: Path_ = ()) -> list[tuple[Path_, Any]]:
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(data, list):
        return [leaf for i, value in enumerate(data) for leaf in _leaves(value, (*path, i))]
    return [(path, data)]


def _is_identity(path: Path_) -> bool:
    """The dossier id, and the ``id`` of a list element (the key of its items)."""
    return path == ("id",) or (path[-1] == "id" and len(path) > 1 and isinstance(path[-2], int))


def _set(data: dict[str, Any], path: Path_, value: object) -> dict[str, Any]:
    result = copy.deepcopy(data)
    cursor: Any = result
    for step in path[:-1]:
        cursor = cursor[step]
    cursor[path[-1]] = value
    return result


def _valid(data: dict[str, Any]) -> bool:
    try:
        dossier_from_data(data, "candidate")
    except DossierError:
        return False
    return True


LEAVES = [(p, v) for p, v in _leaves(BASE) if not _is_identity(p) and v is not None]
BASE_PRINTS = fingerprints(BASE)


@st.composite
def unrelated_edit(draw: st.DrawFn) -> tuple[Path_, object]:
    """A new value for one field that is not part of any subject's identity."""
    path, old = draw(st.sampled_from(LEAVES))
    if isinstance(old, bool):
        return path, not old
    if isinstance(old, int | float):
        return path, old + draw(st.integers(1, 1000))
    if isinstance(old, str) and ISO_DATE.match(old):
        shifted = date.fromisoformat(old) + timedelta(days=draw(st.integers(-400, 400)))
        return path, shifted.isoformat()
    return path, f"{old}{draw(st.text(min_size=1, max_size=5))}"


def test_the_example_has_items_and_identity_fields() -> None:
    assert ("batches", 1, "id") in {p for p, _ in _leaves(BASE) if _is_identity(p)}
    assert any(key is not None for _, key in BASE_PRINTS)
    assert ("site", "distance_to_shore_km") in {p for p, _ in LEAVES}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(unrelated_edit())
def test_a_change_outside_the_subject_keeps_every_fingerprint(
        edit: tuple[Path_, object]) -> None:
    path, value = edit
    data = _set(BASE, path, value)
    assume(_valid(data))
    assert fingerprints(data) == BASE_PRINTS, path


def test_fixing_the_value_a_rule_reads_keeps_the_fingerprint() -> None:
    # CCER.VV.009 reads batches[1].verification.sites_visited (rules/ccer/rules/
    # validation_verification.yaml): 0 of 1 sites fails for B2, 1 of 1 passes.
    broken = _set(BASE, ("batches", 1, "verification", "sites_visited"), 0)
    report_broken = evaluate(dossier_from_data(broken, "broken"), [PACK], as_of=AS_OF)
    report_fixed = evaluate(dossier_from_data(BASE, "fixed"), [PACK], as_of=AS_OF)

    def b2(report: Any) -> Any:
        finding = next(f for f in report.findings if f.rule_id == "CCER.VV.009")
        return next(item for item in finding.items if item.key == "B2")

    assert (b2(report_broken).outcome.value, b2(report_fixed).outcome.value) == ("fail", "pass")
    assert b2(report_broken).fingerprint == b2(report_fixed).fingerprint


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=12).filter(lambda s: s.strip() and s != BASE["id"]))
def test_another_dossier_id_changes_every_fingerprint(new_id: str) -> None:
    changed = fingerprints(_set(BASE, ("id",), new_id))
    assert changed.keys() == BASE_PRINTS.keys()
    assert all(changed[key] != BASE_PRINTS[key] for key in BASE_PRINTS)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([0, 1]), st.text(min_size=1, max_size=8))
def test_a_batch_with_another_id_is_another_subject(index: int, new_id: str) -> None:
    old_id = BASE["batches"][index]["id"]
    other_id = BASE["batches"][1 - index]["id"]
    assume(new_id not in (old_id, other_id))
    changed = fingerprints(_set(BASE, ("batches", index, "id"), new_id))
    for (rule_id, key), fingerprint in BASE_PRINTS.items():
        if key == old_id:
            assert (rule_id, key) not in changed
            assert changed[(rule_id, new_id)] != fingerprint
        else:  # the other batch, and every finding as a whole, keep their fingerprints
            assert changed[(rule_id, key)] == fingerprint


@settings(max_examples=15, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
def test_fingerprints_do_not_depend_on_the_assessment_date(as_of: date) -> None:
    assert fingerprints(BASE, as_of=as_of) == BASE_PRINTS


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_fingerprints_are_unique_within_a_report(path: Path) -> None:
    prints = fingerprints(load_dossier_data(path))
    assert len(set(prints.values())) == len(prints)


def item_prints(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Item fingerprints by rule id and the item's dossier path (``retirements[1]``)."""
    report = evaluate(dossier_from_data(data, "property"), [PACK], as_of=AS_OF)
    return {(f.rule_id, item.path): item.fingerprint for f in report.findings for item in f.items}


def _retirement(serial: int) -> dict[str, Any]:
    return {"serial_start": f"CCER-01-002-2023-{serial:07d}",
            "serial_end": f"CCER-01-002-2023-{serial + 99:07d}",
            "quantity_tco2e": 100, "date": "2025-03-01", "purpose": "voluntary"}


def _batch_b0() -> dict[str, Any]:
    return {**copy.deepcopy(BASE["batches"][0]), "id": "B0"}


@pytest.mark.parametrize(("name", "existing", "inserted"), [
    pytest.param("batches", None, _batch_b0(), id="batches"),
    pytest.param("retirements", [_retirement(5001), _retirement(6001)], _retirement(1),
                 id="retirements"),
    pytest.param("crediting_periods", None,
                 {"start": "2013-01-01", "end": "2022-12-31", "renewal": 1},
                 id="crediting_periods"),
])
def test_inserting_an_item_first_keeps_the_fingerprints_of_the_others(
        name: str, existing: list[dict[str, Any]] | None, inserted: dict[str, Any]) -> None:
    data = copy.deepcopy(BASE)
    if existing is not None:
        data[name] = existing
    before = item_prints(data)
    data[name] = [inserted, *data[name]]
    after = item_prints(data)
    moved = [(rule_id, path) for rule_id, path in before if path.startswith(f"{name}[")]
    assert moved, f"no rule iterates {name}"
    for rule_id, path in moved:
        index = int(path[len(name) + 1:-1])
        assert after[(rule_id, f"{name}[{index + 1}]")] == before[(rule_id, path)], \
            (rule_id, path)


def test_two_batches_never_share_a_fingerprint() -> None:
    data = copy.deepcopy(BASE)
    data["batches"][1]["id"] = data["batches"][0]["id"]
    try:
        report = evaluate(dossier_from_data(data, "duplicate ids"), [PACK], as_of=AS_OF)
    except DossierError:
        return  # refusing the dossier is a fine answer
    prints = [item.fingerprint for f in report.findings for item in f.items]
    assert len(prints) == len(set(prints))
