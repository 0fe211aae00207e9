"""The sweeps and groupings of the cross-record checks, on small hand-made data.

The property tests compare each sweep with the obvious pairwise definition on random data: the
sweep must find exactly the pairs that overlap, no more and no fewer.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cvcm_rules.registry.checks import (
    Components,
    double_use,
    identifier_matches,
    issued_above_verified,
    period_overlaps,
    serial_overlaps,
    sweep_ranges,
)
from cvcm_rules.registry.data import BlockRow, IdentRow, PeriodRow, RecordInfo, RegistryData


def record(rid: int, *, kind: str = "dossier", key: str | None = None,
           source: int | None = None) -> RecordInfo:
    return RecordInfo(rid, rid if source is None else source, kind, f"src{rid}", 0, "CCER",
                      f"P{rid}", key or f"CCER:P{rid}")


def block(rid: int, start: int, end: int, *, kind: str = "issuance", ns: str = "N-",
          item: str = "B1", when: str | None = None, purpose: str | None = None,
          beneficiary: str | None = None) -> BlockRow:
    return BlockRow(rid, kind, item, f"path{rid}.{item}", ns, start, end, f"{ns}{start}",
                    f"{ns}{end}", float(end - start + 1), when, purpose, beneficiary)


def data(records: list[RecordInfo], **parts: object) -> RegistryData:
    result = RegistryData({r.id: r for r in records})
    for name, value in parts.items():
        setattr(result, name, value)
    return result


def sweep_order(blocks: list[BlockRow]) -> list[BlockRow]:
    return sorted(blocks, key=lambda b: (b.namespace or "", b.start or 0))


# -- serial ranges ----------------------------------------------------------------------------
def test_overlap_found_and_adjacent_range_is_not() -> None:
    blocks = [block(1, 1, 100), block(2, 90, 120), block(3, 121, 130)]
    found = list(serial_overlaps(data([record(1), record(2), record(3)],
                                      blocks={"issuance": sweep_order(blocks)})))
    assert [(c.a, c.b, c.shared["overlap_count"], c.shared["overlap_range"]) for c in found] == \
        [(1, 2, 11, "90–100")]


def test_other_namespace_never_overlaps() -> None:
    blocks = sweep_order([block(1, 1, 100, ns="A-"), block(2, 1, 100, ns="B-")])
    assert list(serial_overlaps(data([record(1), record(2)], blocks={"issuance": blocks}))) == []


def test_an_export_of_the_same_project_is_not_a_conflict_but_another_project_is() -> None:
    mine = record(1, key="VCS:3005")
    export_same = record(2, kind="import", key="VCS:3005")
    export_other = record(3, kind="import", key="VCS:1340", source=2)
    blocks = sweep_order([block(1, 1, 100), block(2, 1, 100), block(3, 50, 60)])
    found = list(serial_overlaps(data([mine, export_same, export_other],
                                      blocks={"issuance": blocks})))
    assert sorted((c.a, c.b) for c in found) == [(1, 3), (2, 3)]


def test_two_dossiers_of_the_same_project_id_do_conflict() -> None:
    a, b = record(1, key="CCER:X"), record(2, key="CCER:X")
    blocks = sweep_order([block(1, 1, 10), block(2, 5, 6)])
    assert len(list(serial_overlaps(data([a, b], blocks={"issuance": blocks})))) == 1


def test_focus_keeps_only_conflicts_of_the_focused_record() -> None:
    blocks = sweep_order([block(1, 1, 10), block(2, 5, 15), block(3, 12, 20)])
    records = [record(1), record(2), record(3)]
    every = list(serial_overlaps(data(records, blocks={"issuance": blocks})))
    focused = list(serial_overlaps(data(records, blocks={"issuance": blocks}), frozenset({3})))
    assert sorted((c.a, c.b) for c in every) == [(1, 2), (2, 3)]
    assert [(c.a, c.b) for c in focused] == [(2, 3)]


def test_retirements_same_use_twice_other_use_and_one_event_reported_twice() -> None:
    dossier = record(1, key="VCS:3005")
    export = record(2, kind="import", key="VCS:3005")
    blocks = sweep_order([
        block(1, 1, 10, kind="retirement", item="R1", when="2025-01-01", purpose="voluntary"),
        block(1, 11, 20, kind="retirement", item="R2", when="2025-02-01", purpose="voluntary"),
        block(2, 1, 10, kind="retirement", when="2025-01-01", purpose="Other"),  # same event
        block(2, 15, 16, kind="retirement", when="2026-01-01", purpose="voluntary"),
    ])
    found = list(double_use(data([dossier, export], blocks={"retirement": blocks})))
    assert [(c.variant, c.a_side["item"], c.b_side["item"]) for c in found] == \
        [("retired_twice", "R2", "B1")]


def test_purpose_or_beneficiary_differing_is_a_second_use() -> None:
    blocks = sweep_order([
        block(1, 1, 10, kind="retirement", when="2025-01-01", purpose="corporate_offset",
              beneficiary="甲公司"),
        block(2, 5, 5, kind="retirement", when="2025-01-01", purpose="corporate_offset",
              beneficiary="乙公司"),
    ])
    found = list(double_use(data([record(1), record(2)], blocks={"retirement": blocks})))
    assert [c.variant for c in found] == ["two_uses"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 60), st.integers(0, 15)),
                max_size=40))
def test_sweep_finds_exactly_the_overlapping_pairs(spec: list[tuple[int, int, int]]) -> None:
    blocks = [BlockRow(i, "issuance", "b", f"p{i}", f"N{ns}", start, start + length, "", "")
              for i, (ns, start, length) in enumerate(spec)]
    swept = {frozenset((a.record_id, b.record_id))
             for a, b in sweep_ranges(sweep_order(blocks))}
    pairwise = {frozenset((a.record_id, b.record_id)) for a, b in itertools.combinations(blocks, 2)
                if a.namespace == b.namespace and a.start <= b.end and b.start <= a.end}  # type: ignore[operator]
    assert swept == pairwise


# -- periods ----------------------------------------------------------------------------------
def period(rid: int, item: str, start: str, end: str) -> PeriodRow:
    return PeriodRow(rid, item, f"batches[{item}]", start, end)


def test_batches_of_one_dossier_overlap_but_adjacent_ones_do_not() -> None:
    periods = [period(1, "B1", "2023-01-01", "2023-12-31"),
               period(1, "B2", "2024-01-01", "2024-06-30"),
               period(1, "B3", "2024-06-01", "2024-12-31")]
    found = list(period_overlaps(data([record(1)], periods=periods)))
    assert [(c.a_side["item"], c.b_side["item"], c.shared["overlap_days"]) for c in found] == \
        [("B2", "B3", 30)]


def test_periods_of_records_linked_by_an_identifier_are_compared() -> None:
    dossier, other = record(1), record(2, kind="import", key="VCS:3880")
    idents = [IdentRow(1, "CCER:P1", "self", None, "id"),
              IdentRow(1, "VCS:3880", "declared", "withdrawn", "other_registrations[0]"),
              IdentRow(2, "VCS:3880", "self", None, "ID")]
    periods = [period(1, "B1", "2022-07-01", "2022-12-31"),
               period(2, "vintage", "2022-01-01", "2022-12-31")]
    found = list(period_overlaps(data([dossier, other], idents=idents, periods=periods)))
    assert [(c.shared["overlap_days"], c.shared["link"]) for c in found] == [(184, "VCS:3880")]
    unlinked = list(period_overlaps(data([dossier, other], idents=idents[:1], periods=periods)))
    assert unlinked == []


def test_two_rows_of_one_export_sharing_a_period_are_not_a_conflict() -> None:
    a, b = record(1, kind="import", key="GS:2429"), record(2, kind="import", key="GS:2429",
                                                          source=1)
    idents = [IdentRow(1, "GS:2429", "self", None, "GSID"),
              IdentRow(2, "GS:2429", "self", None, "GSID")]
    periods = [period(1, "mp", "2020-09-01", "2023-08-27"), period(2, "mp", "2020-09-01",
                                                                   "2023-08-27")]
    assert list(period_overlaps(data([a, b], idents=idents, periods=periods))) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60)), min_size=0, max_size=25))
def test_period_sweep_matches_pairwise(spec: list[tuple[int, int]]) -> None:
    origin = date(2022, 1, 1)
    periods = [period(1, f"B{i}", (origin + timedelta(s)).isoformat(),
                      (origin + timedelta(s + n)).isoformat()) for i, (s, n) in enumerate(spec)]
    swept = {frozenset((c.a_side["item"], c.b_side["item"]))
             for c in period_overlaps(data([record(1)], periods=periods))}
    pairwise = {frozenset((p.item, q.item)) for p, q in itertools.combinations(periods, 2)
                if p.start <= q.end and q.start <= p.end}
    assert swept == pairwise


# -- identifiers, tonnage ---------------------------------------------------------------------
def test_identifier_shared_by_two_dossiers_and_a_projects_own_listing() -> None:
    a, b = record(1, key="VCS:1"), record(2, key="CCER:X")
    listing = record(3, kind="import", key="VCS:1")
    idents = [IdentRow(1, "VCS:1", "self", "registered", "registration.registry_id"),
              IdentRow(3, "VCS:1", "self", "Registered", "ID"),
              IdentRow(1, "DOC:a", "asset", None, "evidence.sea_use_approval"),
              IdentRow(2, "DOC:a", "asset", None, "evidence.sea_use_approval"),
              IdentRow(2, "VCS:1", "declared", "withdrawn", "other_registrations[0]")]
    found = list(identifier_matches(data([a, b, listing], idents=idents),
                                    inactive=frozenset({"withdrawn"})))
    assert sorted((c.shared["ident"], c.a, c.b, c.variant) for c in found) == [
        ("DOC:a", 1, 2, "active"),
        ("VCS:1", 1, 2, "inactive"),  # b says it withdrew from VCS 1
        ("VCS:1", 2, 3, "inactive"),
    ]


def test_components_are_transitive() -> None:
    groups = Components([IdentRow(1, "x", "self", None, ""), IdentRow(2, "x", "asset", None, ""),
                         IdentRow(2, "y", "self", None, ""), IdentRow(3, "y", "asset", None, ""),
                         IdentRow(4, "z", "self", None, "")])
    assert groups.find(1) == groups.find(2) == groups.find(3) != groups.find(4)


def test_issued_above_verified_and_serial_count_mismatch() -> None:
    periods = [PeriodRow(1, "B1", "batches[0]", "2023-01-01", "2023-12-31", issued=100.0,
                         verified=100.0, serial_count=100),
               PeriodRow(1, "B2", "batches[1]", "2024-01-01", "2024-12-31", issued=100.0,
                         verified=120.0, serial_count=130),
               PeriodRow(1, "B3", "batches[2]", "2025-01-01", "2025-06-30", issued=50.5,
                         verified=50.0)]
    found = list(issued_above_verified(data([record(1)], periods=periods)))
    assert [(c.a_side["item"], c.variant, c.shared.get("excess")) for c in found] == [
        ("B2", "above_verified", 10.0), ("B2", "count_mismatch", None),
        ("B3", "above_verified", 0.5)]
