"""Laws of the engine over dossiers derived from the example: total, closed, deterministic.

"A dossier that is valid but incomplete never raises. It becomes an indeterminate finding"
(style guide 2.5), and "the same inputs always give byte-identical JSON" (README).
"""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cvcm_rules.engine import Outcome, evaluate
from cvcm_rules.errors import DossierError
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier_data
from cvcm_rules.packs import Pack
from cvcm_rules.report import render_json

pytestmark = pytest.mark.property

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "dossiers" / "ccer" / (
    "offshore-wind.yaml")
BASE: dict[str, Any] = load_dossier_data(EXAMPLE)
OUTCOMES = {outcome.value for outcome in Outcome}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Path_ = tuple[str | int, ...]


def _walk(data: Any, path: Path_ = ()) -> list[tuple[Path_, Any]]:
    found: list[tuple[Path_, Any]] = [(path, data)] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _walk(value, (*path, index))
    return found


def _parent(data: Any, path: Path_) -> Any:
    for step in path[:-1]:
        if isinstance(data, dict):
            if step not in data:
                return None
        elif not isinstance(step, int) or step >= len(data):
            return None
        data = data[step]
    return data


def _set(data: Any, path: Path_, value: object) -> None:
    parent = _parent(data, path)
    if parent is not None:
        parent[path[-1]] = value


def _remove(data: Any, path: Path_) -> None:
    parent = _parent(data, path)
    if isinstance(parent, dict):
        parent.pop(path[-1], None)


def _is_valid(data: dict[str, Any]) -> bool:
    try:
        dossier_from_data(data, "candidate")
    except DossierError:
        return False
    return True


def _removable(path: Path_) -> bool:
    data = copy.deepcopy(BASE)
    _remove(data, path)
    return _is_valid(data)


NODES = _walk(BASE)
DATE_PATHS = [p for p, v in NODES if isinstance(v, str) and ISO_DATE.match(v)]
INT_PATHS = [p for p, v in NODES if type(v) is int and p != ("schema_version",)]
FLOAT_PATHS = [p for p, v in NODES if type(v) is float]
BOOL_PATHS = [p for p, v in NODES if type(v) is bool]
# Optional fields, found by asking the model (a mapping key whose removal still validates).
REMOVABLE = [p for p, _ in NODES if isinstance(p[-1], str) and _removable(p)]

dates = st.dates(min_value=date(1995, 1, 1), max_value=date(2045, 12, 31)).map(date.isoformat)
edits = st.fixed_dictionaries({
    "dates": st.dictionaries(st.sampled_from(DATE_PATHS), dates, max_size=8),
    "ints": st.dictionaries(st.sampled_from(INT_PATHS), st.integers(0, 10**7), max_size=3),
    "floats": st.dictionaries(st.sampled_from(FLOAT_PATHS),
                              st.floats(0, 1e7, allow_nan=False, allow_infinity=False),
                              max_size=3),
    "bools": st.dictionaries(st.sampled_from(BOOL_PATHS), st.booleans(), max_size=3),
    "remove": st.sets(st.sampled_from(REMOVABLE), max_size=8),
})


def _ordered_periods(data: Any) -> None:
    """Keep each start/end pair in order, so that most random dates give a valid dossier."""
    for _, value in _walk(data):
        if isinstance(value, dict):
            for first, last in (("start", "end"), ("start_date", "end_date"),
                                ("period_start", "period_end")):
                a, b = value.get(first), value.get(last)
                if isinstance(a, str) and isinstance(b, str) and b < a:
                    value[first], value[last] = b, a


def build(change: dict[str, Any]) -> Dossier | None:
    data = copy.deepcopy(BASE)
    for kind in ("dates", "ints", "floats", "bools"):
        for path, value in change[kind].items():
            _set(data, path, value)
    _ordered_periods(data)
    for path in sorted(change["remove"], key=len, reverse=True):
        _remove(data, path)
    try:
        return dossier_from_data(data, "generated")
    except DossierError:
        return None


def test_the_strategy_has_material() -> None:
    assert DATE_PATHS and INT_PATHS and BOOL_PATHS
    assert ("project", "construction_start_date") in REMOVABLE
    assert ("id",) not in REMOVABLE


@settings(max_examples=60, deadline=None)
@given(edits)
def test_evaluation_is_total_and_closed(ccer_pack: Pack, change: dict[str, Any]) -> None:
    dossier = build(change)
    assume(dossier is not None)
    assert dossier is not None
    report = evaluate(dossier, [ccer_pack], as_of=date(2025, 7, 1))
    active = [rule.id for rule in ccer_pack.rules if rule.spec.status == "active"]
    assert sorted(f.rule_id for f in report.findings) == sorted(active)
    for finding in report.findings:
        assert finding.outcome.value in OUTCOMES
        assert all(item.outcome.value in OUTCOMES for item in finding.items)
        if finding.outcome is Outcome.INDETERMINATE:
            assert finding.missing, finding.rule_id
        if finding.outcome is Outcome.ERROR:
            assert finding.reason != "internal-error", (finding.rule_id, finding.message)
    assert sum(report.summary["by_outcome"].values()) == len(active)


@settings(max_examples=30, deadline=None)
@given(edits)
def test_same_dossier_gives_byte_identical_json(ccer_pack: Pack,
                                                change: dict[str, Any]) -> None:
    dossier = build(change)
    assume(dossier is not None)
    assert dossier is not None
    first = render_json(evaluate(dossier, [ccer_pack], as_of=date(2025, 7, 1)))
    again = render_json(evaluate(build(change) or dossier, [ccer_pack], as_of=date(2025, 7, 1)))
    assert first == again
