"""Read what the checks need from the registry: everything (a full scan), or one dossier's rivals.

For one dossier only the rows that could conflict with it are read, each through an index:
records sharing an identifier (followed transitively), the same name key, the same owner nearby;
serial blocks of the same namespace whose start lies within the namespace's longest block before
the dossier's range; boundaries whose bounding boxes intersect. The dossier's own stored copy is
left out, so that a dossier never conflicts with itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import shapely
from shapely import wkb

from cvcm_rules.registry.data import (
    BlockRow,
    IdentRow,
    PeriodRow,
    RecordInfo,
    RegistryData,
    ShapeRow,
)
from cvcm_rules.registry.records import ProjectRecord
from cvcm_rules.registry.store import Store

__all__ = ["PROBE_ID", "load_all", "load_candidates", "probe_data", "record_count"]

PROBE_ID = -1  # the record id of a dossier checked without being stored
_MAX_HOPS = 8
_CHUNK = 500  # values per IN (...) list

_RECORD_COLUMNS = (
    "r.id, r.source_id, s.kind, s.name, r.row_no, r.programme, r.project_id, r.self_key, r.name,"
    " r.name_en, r.owner, r.owner_id, r.country_code, r.latitude, r.longitude, r.status,"
    " r.name_key, r.name_en_key, r.owner_key")
_RECORDS = f"SELECT {_RECORD_COLUMNS} FROM records r JOIN sources s ON s.id = r.source_id"  # noqa: S608
_BLOCK_COLUMNS = ("record_id, kind, item, path, namespace, start_no, end_no, serial_start, "
                  "serial_end, quantity, on_date, purpose, beneficiary")  # as BlockRow


def _record(row: Sequence[Any]) -> RecordInfo:
    return RecordInfo(*row)


def _block(row: Sequence[Any]) -> BlockRow:
    return BlockRow(*row)


def _shape(row: Sequence[Any]) -> ShapeRow:
    geometry = wkb.loads(row[2]) if row[2] is not None else None
    return ShapeRow(row[0], row[1], geometry, row[3])


def record_count(store: Store, exclude: tuple[str, str] | None = None) -> int:
    """How many project records the registry holds (leaving out one source)."""
    if exclude is None:
        return int(store.rows("SELECT COUNT(*) FROM records")[0][0])
    return int(store.rows(
        "SELECT COUNT(*) FROM records r JOIN sources s ON s.id = r.source_id "
        "WHERE NOT (s.kind = ? AND s.name = ?)", exclude)[0][0])


def load_all(store: Store) -> RegistryData:
    """Everything, with serial blocks streamed in sweep order (not held in memory)."""
    records = {row[0]: _record(row) for row in store.stream(_RECORDS)}
    idents = [IdentRow(*row) for row in store.stream(
        "SELECT record_id, ident, role, status, path FROM idents")]

    def blocks(kind: str) -> Iterator[BlockRow]:
        yield from map(_block, store.stream(
            f"SELECT {_BLOCK_COLUMNS} FROM blocks WHERE kind = ? "  # noqa: S608
            "AND namespace IS NOT NULL ORDER BY namespace, start_no", (kind,)))

    unparsed = [_block(row) for row in store.rows(
        f"SELECT {_BLOCK_COLUMNS} FROM blocks WHERE namespace IS NULL")]  # noqa: S608
    periods = [PeriodRow(*row) for row in store.stream(
        "SELECT record_id, item, path, start_date, end_date, issued, verified, serial_count, "
        "serials FROM periods")]
    rows = store.rows("SELECT record_id, path, geometry, problem FROM shapes")
    decoded = shapely.from_wkb([row[2] for row in rows])  # one vectorised call, None stays None
    shapes = [ShapeRow(row[0], row[1], geometry, row[3])
              for row, geometry in zip(rows, decoded.tolist(), strict=True)]
    return RegistryData(records, idents, {"issuance": blocks("issuance"),
                                          "retirement": blocks("retirement")},
                        unparsed, periods, shapes)


def probe_data(record: ProjectRecord, source_name: str) -> RegistryData:
    """The rows of one dossier that is not (or not necessarily) stored, as record ``PROBE_ID``."""
    name_key, name_en_key, owner_key, country = record.keys()
    info = RecordInfo(PROBE_ID, PROBE_ID, "dossier", source_name, record.row_no,
                      record.programme, record.project_id, record.self_key, record.name,
                      record.name_en, record.owner, record.owner_id, country, record.latitude,
                      record.longitude, record.status, name_key, name_en_key, owner_key)
    idents = [IdentRow(PROBE_ID, i.ident, i.role, i.status, i.path) for i in record.idents]
    blocks: dict[str, list[BlockRow]] = {"issuance": [], "retirement": []}
    unparsed: list[BlockRow] = []
    for b in record.blocks:
        r = b.range
        row = BlockRow(PROBE_ID, b.kind, b.item, b.path, r.namespace if r else None,
                       r.start if r else None, r.end if r else None, b.serial_start,
                       b.serial_end, b.quantity, b.on_date, b.purpose, b.beneficiary)
        (blocks[b.kind] if r else unparsed).append(row)
    periods = [PeriodRow(PROBE_ID, p.item, p.path, p.start, p.end, p.issued, p.verified,
                         p.serial_count, p.serials) for p in record.periods]
    shapes = [ShapeRow(PROBE_ID, s.path, s.geometry, s.problem) for s in record.shapes]
    return RegistryData({PROBE_ID: info}, idents, dict(blocks), unparsed, periods, shapes)


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


def _in(column: str, count: int) -> str:
    """``column IN (?, ?, ...)``: placeholders only, the values are bound parameters."""
    return f"{column} IN ({', '.join('?' * count)})"


class _Candidates:
    """Collects, through indexes, the stored rows that may conflict with one probe."""

    def __init__(self, store: Store, exclude: tuple[str, str]) -> None:
        self.store = store
        self.excluded = {row[0] for row in store.rows(
            "SELECT r.id FROM records r JOIN sources s ON s.id = r.source_id "
            "WHERE s.kind = ? AND s.name = ?", exclude)}
        self.record_ids: set[int] = set()

    def keep(self, record_id: int) -> bool:
        return record_id not in self.excluded

    def identity(self, idents: Iterable[str]) -> tuple[list[IdentRow], set[int]]:
        """Records linked to these identifiers, transitively, and all their identifiers."""
        wanted, seen_idents, linked = set(idents), set[str](), set[int]()
        rows: list[IdentRow] = []
        for _ in range(_MAX_HOPS):
            fresh = sorted(wanted - seen_idents)
            if not fresh:
                break
            seen_idents.update(fresh)
            new_ids: set[int] = set()
            for chunk in _chunks(fresh):
                new_ids.update(r[0] for r in self.store.rows(
                    f"SELECT record_id FROM idents WHERE {_in('ident', len(chunk))}",  # noqa: S608
                    chunk))
            new_ids = {i for i in new_ids if self.keep(i)} - linked
            linked |= new_ids
            for chunk in _chunks(sorted(new_ids)):
                found = [IdentRow(*r) for r in self.store.rows(
                    "SELECT record_id, ident, role, status, path FROM idents WHERE "  # noqa: S608
                    f"{_in('record_id', len(chunk))}", chunk)]
                rows.extend(found)
                wanted.update(r.ident for r in found)
        return rows, linked

    def by_name_or_site(self, probe: RecordInfo, same_site_km: float) -> set[int]:
        ids: set[int] = set()
        keys = sorted(k for k in {probe.name_key, probe.name_en_key} if k is not None)
        if keys:
            ids.update(r[0] for r in self.store.rows(
                f"SELECT id FROM records WHERE {_in('name_key', len(keys))} OR "  # noqa: S608
                f"{_in('name_en_key', len(keys))}", [*keys, *keys]))
        if probe.latitude is not None and probe.longitude is not None:
            reach = same_site_km / 111.19
            wide = reach / max(math.cos(math.radians(min(abs(probe.latitude) + 1, 89.0))), 0.01)
            box = (probe.latitude - reach, probe.latitude + reach, probe.longitude - wide,
                   probe.longitude + wide)
            for column, value in (("owner_id", probe.owner_id), ("owner_key", probe.owner_key)):
                if value:
                    ids.update(r[0] for r in self.store.rows(
                        f"SELECT id FROM records WHERE {column} = ? AND latitude "  # noqa: S608
                        "BETWEEN ? AND ? AND longitude BETWEEN ? AND ?", (value, *box)))
        return {i for i in ids if self.keep(i)}

    def blocks(self, probe: Iterable[BlockRow]) -> list[BlockRow]:
        """Stored blocks overlapping the probe's: per length class, one index range scan."""
        found: dict[tuple[Any, ...], BlockRow] = {}
        for block in probe:
            assert block.start is not None and block.end is not None
            for (cls,) in self.store.rows(
                    "SELECT span_class FROM span_classes WHERE namespace = ?", (block.namespace,)):
                for row in self.store.rows(
                        f"SELECT {_BLOCK_COLUMNS} FROM blocks WHERE kind = ? "  # noqa: S608
                        "AND namespace = ? AND span_class = ? AND start_no BETWEEN ? AND ? "
                        "AND end_no >= ?", (block.kind, block.namespace, cls,
                                            block.start - ((1 << cls) - 1), block.end,
                                            block.start)):
                    if self.keep(row[0]):
                        found[tuple(row)] = _block(row)
        return list(found.values())

    def shapes(self, probe: Iterable[ShapeRow]) -> list[ShapeRow]:
        found: dict[tuple[int, str], ShapeRow] = {}
        for shape in probe:
            if shape.geometry is None:
                continue
            min_x, min_y, max_x, max_y = shape.geometry.bounds
            for (cls,) in self.store.rows("SELECT size_class FROM shape_classes"):
                reach = (1 << cls) / 1e6 + 1e-9  # no box of this class is wider
                for row in self.store.rows(
                        "SELECT record_id, path, geometry, problem FROM shapes WHERE size_class "
                        "= ? AND min_x BETWEEN ? AND ? AND max_x >= ? AND min_y <= ? AND "
                        "max_y >= ?", (cls, min_x - reach, max_x, min_x, max_y, min_y)):
                    if self.keep(row[0]):
                        found[(row[0], row[1])] = _shape(row)
        return list(found.values())

    def records(self, ids: Iterable[int]) -> dict[int, RecordInfo]:
        result: dict[int, RecordInfo] = {}
        for chunk in _chunks(sorted(set(ids))):
            for row in self.store.rows(f"{_RECORDS} WHERE {_in('r.id', len(chunk))}", chunk):
                result[row[0]] = _record(row)
        return result

    def periods(self, ids: Iterable[int]) -> list[PeriodRow]:
        rows: list[PeriodRow] = []
        for chunk in _chunks(sorted(set(ids))):
            rows.extend(PeriodRow(*r) for r in self.store.rows(
                "SELECT record_id, item, path, start_date, end_date, issued, verified, "  # noqa: S608
                f"serial_count, serials FROM periods WHERE {_in('record_id', len(chunk))}",
                chunk))
        return rows


def load_candidates(store: Store, probe: RegistryData, exclude: tuple[str, str],
                    same_site_km: float) -> RegistryData:
    """The probe's rows plus every stored row that may conflict with them."""
    finder = _Candidates(store, exclude)
    info = probe.records[PROBE_ID]
    idents, linked = finder.identity(i.ident for i in probe.idents)
    named = finder.by_name_or_site(info, same_site_km)
    blocks = {kind: finder.blocks(probe.sorted_blocks(kind))
              for kind in ("issuance", "retirement")}
    shapes = finder.shapes(probe.shapes)
    ids = linked | named | {b.record_id for rows in blocks.values() for b in rows} | \
        {s.record_id for s in shapes}
    records = {**finder.records(ids), PROBE_ID: info}
    merged = {kind: sorted([*probe.sorted_blocks(kind), *rows],
                           key=lambda b: (b.namespace or "", b.start or 0, b.end or 0))
              for kind, rows in blocks.items()}
    return RegistryData(records, [*probe.idents, *idents], dict(merged), list(probe.unparsed),
                        [*probe.periods, *finder.periods(linked)], [*probe.shapes, *shapes])
