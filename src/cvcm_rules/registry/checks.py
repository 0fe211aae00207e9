"""Cross-record checks on serials, tonnage, periods and identifiers: sorts and sweeps, no pairs.

Each detector yields :class:`Conflict` values. ``focus`` (a set of record ids, or None for all)
restricts the output to conflicts that involve those records, which is how one dossier is checked
against the registry with the same code as the full scan.

Cost: serial ranges are swept in (namespace, start) order with a heap of the ranges still open,
so a scan is O(n log n + k) for n blocks and k overlapping pairs; periods are grouped by project
identity (union-find over shared identifiers) and swept the same way; identifiers are grouped
by value. No detector compares every pair.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from cvcm_rules.registry.data import (
    BlockRow,
    Conflict,
    Focus,
    IdentRow,
    PeriodRow,
    RecordInfo,
    RegistryData,
    in_focus,
    make_pair,
    reported_twice,
)

__all__ = [
    "Components",
    "block_pair",
    "double_use",
    "ident_pair",
    "identifier_matches",
    "issuance_variant",
    "issued_above_verified",
    "period_overlaps",
    "period_pair",
    "serial_overlaps",
    "sweep_ranges",
    "use_variant",
]


# -- serial ranges ---------------------------------------------------------------------------
def sweep_ranges(blocks: Iterable[BlockRow]) -> Iterator[tuple[BlockRow, BlockRow]]:
    """Every pair of overlapping blocks of one namespace, from blocks sorted by (namespace, start).

    A heap holds the blocks still open (by end); each new block overlaps exactly the open blocks
    that end at or after its start.
    """
    namespace: str | None = None
    open_blocks: list[tuple[int, int, BlockRow]] = []
    for index, block in enumerate(blocks):
        assert block.start is not None and block.end is not None
        if block.namespace != namespace:
            namespace, open_blocks = block.namespace, []
        while open_blocks and open_blocks[0][0] < block.start:
            heapq.heappop(open_blocks)
        for _, _, other in open_blocks:
            yield other, block
        heapq.heappush(open_blocks, (block.end, index, block))


def _block_side(block: BlockRow) -> dict[str, Any]:
    return {"path": block.path, "item": block.item, "serials": block.serials,
            "quantity": block.quantity, "date": block.on_date, "purpose": block.purpose,
            "beneficiary": block.beneficiary}


def _overlap(a: BlockRow, b: BlockRow) -> dict[str, Any]:
    assert a.start is not None and a.end is not None and b.start is not None
    assert b.end is not None
    low, high = max(a.start, b.start), min(a.end, b.end)
    return {"namespace": a.namespace, "overlap_count": high - low + 1,
            "overlap_range": f"{low}–{high}"}


Verdict = Callable[[BlockRow, BlockRow, RecordInfo, RecordInfo], str | None]


def block_pair(data: RegistryData, a: BlockRow, b: BlockRow,
               kind: str) -> Conflict | None:
    """The verdict on two overlapping blocks of ``kind`` (None: not a conflict)."""
    detector, variant_of = _BLOCK_CHECKS[kind]
    ra, rb = data.records[a.record_id], data.records[b.record_id]
    variant = variant_of(a, b, ra, rb)
    if variant is None:
        return None
    return make_pair(detector, variant, ra, rb, (_block_side(a), _block_side(b)),
                     _overlap(a, b), (a.path, b.path))


def _block_pairs(data: RegistryData, kind: str, focus: Focus) -> Iterator[Conflict]:
    records = data.records
    for a, b in sweep_ranges(data.sorted_blocks(kind)):
        if in_focus(focus, a.record_id, b.record_id):
            conflict = block_pair(data, a, b, kind)
            if conflict is not None:
                yield conflict
    detector = _BLOCK_CHECKS[kind][0]
    for block in data.unparsed:
        if block.kind == kind and in_focus(focus, block.record_id):
            record = records[block.record_id]
            yield Conflict(detector, "unparsed", block.record_id, None,
                           {"record": record.label, **_block_side(block)}, {}, {})


def issuance_variant(a: BlockRow, b: BlockRow, ra: RecordInfo, rb: RecordInfo) -> str | None:
    """The verdict on two overlapping issued blocks (None: not a conflict)."""
    if ra.id != rb.id and reported_twice(ra, rb):
        return None  # a dossier and its programme's export of the same issuance
    return "overlap"


def serial_overlaps(data: RegistryData, focus: Focus = None) -> Iterator[Conflict]:
    """Issued serial ranges that overlap: the same credits issued twice."""
    return _block_pairs(data, "issuance", focus)


def _same_text(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def use_variant(a: BlockRow, b: BlockRow, ra: RecordInfo, rb: RecordInfo) -> str | None:
    """The verdict on two overlapping retired blocks (None: one event reported twice)."""
    if ra.id != rb.id and reported_twice(ra, rb) and a.on_date == b.on_date:
        return None  # one retirement, reported by the project and by its registry
    if _same_text(a.purpose, b.purpose) and _same_text(a.beneficiary, b.beneficiary):
        return "retired_twice"
    return "two_uses"


def double_use(data: RegistryData, focus: Focus = None) -> Iterator[Conflict]:
    """Retired or cancelled serial ranges that overlap: the same credits used twice."""
    return _block_pairs(data, "retirement", focus)


_BLOCK_CHECKS: dict[str, tuple[str, Verdict]] = {
    "issuance": ("serial_overlap", issuance_variant),
    "retirement": ("double_use", use_variant),
}


# -- tonnage ---------------------------------------------------------------------------------
def _tonnes(value: float) -> float:
    return round(value, 6)


def issued_above_verified(data: RegistryData, focus: Focus = None) -> Iterator[Conflict]:
    """Periods whose issued credits exceed the verified tonnage, or whose serials miscount."""
    for period in data.periods:
        if period.verified is None or not in_focus(focus, period.record_id):
            continue
        record = data.records[period.record_id]
        side = {"record": record.label, "path": period.path, "item": period.item,
                "period": f"{period.start} – {period.end}", "issued": period.issued,
                "verified": period.verified, "serial_count": period.serial_count,
                "serials": period.serials}
        issued = max(period.issued or 0.0, float(period.serial_count or 0))
        if _tonnes(issued) > _tonnes(period.verified):
            excess = _tonnes(issued - period.verified)
            yield Conflict("issued_above_verified", "above_verified", record.id, None,
                           side, {}, {"excess": excess})
        if (period.issued is not None and period.serial_count is not None
                and _tonnes(period.issued) != float(period.serial_count)):
            yield Conflict("issued_above_verified", "count_mismatch", record.id, None,
                           side, {}, {})


# -- identity --------------------------------------------------------------------------------
class Components:
    """Records linked by any shared identifier, transitively (union-find)."""

    def __init__(self, idents: Iterable[IdentRow]) -> None:
        self._parent: dict[int, int] = {}
        first_holder: dict[str, int] = {}
        for row in idents:
            holder = first_holder.setdefault(row.ident, row.record_id)
            self._union(holder, row.record_id)

    def find(self, record_id: int) -> int:
        """The representative of the record's group."""
        parent = self._parent.setdefault(record_id, record_id)
        while parent != self._parent[parent]:
            self._parent[parent] = self._parent[self._parent[parent]]
            parent = self._parent[parent]
        self._parent[record_id] = parent
        return parent

    def _union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self._parent[max(root_a, root_b)] = min(root_a, root_b)


def _idents_by_record(idents: Iterable[IdentRow]) -> dict[int, set[str]]:
    held: dict[int, set[str]] = defaultdict(set)
    for row in idents:
        held[row.record_id].add(row.ident)
    return held


def _period_side(period: PeriodRow) -> dict[str, Any]:
    return {"path": period.path, "item": period.item, "period": f"{period.start} – {period.end}",
            "issued": period.issued}


def _period_variant(p: PeriodRow, q: PeriodRow, rp: RecordInfo, rq: RecordInfo) -> str | None:
    if rp.id == rq.id:
        return "overlap" if p.item != q.item else None
    if not (rp.is_dossier or rq.is_dossier) or reported_twice(rp, rq):
        return None  # exports split one issuance into rows that share its period
    return "overlap"


def period_overlaps(data: RegistryData, focus: Focus = None,
                    components: Components | None = None) -> Iterator[Conflict]:
    """Overlapping periods of the same project (same record, or records sharing identifiers)."""
    components = components or Components(data.idents)
    held = _idents_by_record(data.idents)
    groups: dict[int, list[PeriodRow]] = defaultdict(list)
    for period in data.periods:
        groups[components.find(period.record_id)].append(period)
    for group in groups.values():
        if len(group) < 2 or not in_focus(focus, *(p.record_id for p in group)):
            continue
        group.sort(key=lambda p: (p.start, p.end, p.record_id, p.item))
        open_periods: list[tuple[str, int, PeriodRow]] = []
        for index, period in enumerate(group):
            while open_periods and open_periods[0][0] < period.start:
                heapq.heappop(open_periods)
            for _, _, other in open_periods:
                if not in_focus(focus, other.record_id, period.record_id):
                    continue
                conflict = period_pair(data, other, period, held)
                if conflict is not None:
                    yield conflict
            heapq.heappush(open_periods, (period.end, index, period))


def period_pair(data: RegistryData, p: PeriodRow, q: PeriodRow,
                held: dict[int, set[str]]) -> Conflict | None:
    """The verdict on two overlapping periods of one project (None: not a conflict)."""
    rp, rq = data.records[p.record_id], data.records[q.record_id]
    variant = _period_variant(p, q, rp, rq)
    if variant is None:
        return None
    low, high = max(p.start, q.start), min(p.end, q.end)
    days = (date.fromisoformat(high) - date.fromisoformat(low)).days + 1
    common = sorted(held.get(rp.id, set()) & held.get(rq.id, set()))
    link = common[0] if common else rp.self_key if rp.id == rq.id else "linked identifiers"
    shared = {"overlap_days": days, "overlap_range": f"{low} – {high}", "link": link}
    return make_pair("period_overlap", variant, rp, rq, (_period_side(p), _period_side(q)),
                     shared, (p.path, q.path))


def identifier_matches(data: RegistryData, focus: Focus = None,
                       inactive: frozenset[str] = frozenset()) -> Iterator[Conflict]:
    """Records of different projects that hold the same identifier."""
    groups: dict[str, list[IdentRow]] = defaultdict(list)
    for row in data.idents:
        groups[row.ident].append(row)
    for ident in sorted(groups):
        rows = groups[ident]
        dossiers = [r for r in rows if data.records[r.record_id].is_dossier]
        others = [r for r in rows if not data.records[r.record_id].is_dossier]
        for i, x in enumerate(dossiers):
            for y in [*dossiers[i + 1:], *others]:
                if not in_focus(focus, x.record_id, y.record_id):
                    continue
                conflict = ident_pair(data, ident, x, y, inactive)
                if conflict is not None:
                    yield conflict


def ident_pair(data: RegistryData, ident: str, x: IdentRow, y: IdentRow,
               inactive: frozenset[str]) -> Conflict | None:
    """The verdict on two records holding ``ident`` (None: not a conflict)."""
    rx, ry = data.records[x.record_id], data.records[y.record_id]
    if rx.id == ry.id:
        return None
    if reported_twice(rx, ry) and rx.self_key == ry.self_key == ident:
        return None  # the programme's own listing of the dossier's project
    statuses = {(s or "").strip().casefold() for s in (x.status, y.status)}
    variant = "inactive" if statuses & inactive else "active"

    def side(row: IdentRow, record: RecordInfo) -> dict[str, Any]:
        return {"path": row.path, "role": row.role, "status": row.status,
                "programme": record.programme, "project_id": record.project_id,
                "name": record.name or record.name_en}

    return make_pair("identifier", variant, rx, ry, (side(x, rx), side(y, ry)),
                     {"ident": ident}, (x.path, y.path))
