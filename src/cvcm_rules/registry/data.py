"""The rows the cross-dossier checks read, and the conflicts they find.

The same types serve the full scan (rows streamed from the database) and the check of one dossier
(its own rows plus the candidates the database returns for them), so both run the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry

__all__ = [
    "BlockRow",
    "Conflict",
    "Focus",
    "IdentRow",
    "PeriodRow",
    "RecordInfo",
    "RegistryData",
    "ShapeRow",
    "in_focus",
    "make_pair",
    "reported_twice",
]

Focus = frozenset[int] | None


@dataclass(frozen=True, slots=True)
class RecordInfo:
    """A project record: who described it (source) and how to recognise it (keys)."""

    id: int
    source_id: int
    source_kind: str  # "dossier" or "import"
    source_name: str
    row_no: int
    programme: str
    project_id: str
    self_key: str
    name: str | None = None
    name_en: str | None = None
    owner: str | None = None
    owner_id: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    status: str | None = None
    name_key: str | None = None
    name_en_key: str | None = None
    owner_key: str | None = None

    @property
    def is_dossier(self) -> bool:
        """True for a dossier, False for a row of an imported export."""
        return self.source_kind == "dossier"

    @property
    def label(self) -> str:
        """How findings name the record: the dossier id, or programme, id, file and line."""
        if self.is_dossier:
            return f"dossier {self.source_name} ({self.programme} {self.project_id})"
        return f"{self.programme} {self.project_id} ({self.source_name} line {self.row_no})"

    @property
    def order(self) -> tuple[str, str, int, int]:
        """A stable order of records, independent of database row ids."""
        return (self.source_kind, self.source_name, self.row_no, self.id)


def reported_twice(a: RecordInfo, b: RecordInfo) -> bool:
    """Two sources describing the same project in the same programme (not a conflict by itself).

    A dossier and the programme's own export of that project agree on ``self_key``; so do two
    exports of one registry. Two dossiers never are: the same project twice is the conflict.
    """
    return (a.source_id != b.source_id and a.self_key == b.self_key
            and not (a.is_dossier and b.is_dossier))


@dataclass(frozen=True, slots=True)
class IdentRow:
    """An identifier held by a record."""

    record_id: int
    ident: str
    role: str
    status: str | None
    path: str


@dataclass(frozen=True, slots=True)
class BlockRow:
    """A serial block as stored; ``namespace`` is None when the serial could not be parsed."""

    record_id: int
    kind: str
    item: str
    path: str
    namespace: str | None
    start: int | None
    end: int | None
    serial_start: str
    serial_end: str
    quantity: float | None = None
    on_date: str | None = None
    purpose: str | None = None
    beneficiary: str | None = None

    @property
    def serials(self) -> str:
        """The range as written by its source."""
        if self.serial_start == self.serial_end:
            return self.serial_start
        return f"{self.serial_start} – {self.serial_end}"


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """A monitoring or vintage period with its tonnage."""

    record_id: int
    item: str
    path: str
    start: str
    end: str
    issued: float | None = None
    verified: float | None = None
    serial_count: int | None = None
    serials: str | None = None


@dataclass(frozen=True, slots=True)
class ShapeRow:
    """A boundary polygon (or the reason it cannot be compared)."""

    record_id: int
    path: str
    geometry: BaseGeometry | None
    problem: str | None


@dataclass(slots=True)
class RegistryData:
    """Everything one run of the checks reads.

    ``blocks`` maps a kind (``issuance``, ``retirement``) to blocks sorted by (namespace, start),
    possibly a lazy stream from the database; unparsed blocks come in ``unparsed``.
    """

    records: dict[int, RecordInfo]
    idents: list[IdentRow] = field(default_factory=list)
    blocks: dict[str, Iterable[BlockRow]] = field(default_factory=dict)
    unparsed: list[BlockRow] = field(default_factory=list)
    periods: list[PeriodRow] = field(default_factory=list)
    shapes: list[ShapeRow] = field(default_factory=list)

    def sorted_blocks(self, kind: str) -> Iterator[BlockRow]:
        """Blocks of one kind in sweep order."""
        return iter(self.blocks.get(kind, ()))


@dataclass(frozen=True, slots=True)
class Conflict:
    """What a check found: a pair of records (``b`` set) or one record (``b`` None).

    ``a_side``/``b_side`` hold each side's values (``path`` among them) and ``shared`` the
    values about the pair (overlap, distance); messages name them ``this_*``, ``other_*`` and
    plain names once oriented towards the record being reported on.
    """

    detector: str
    variant: str
    a: int
    b: int | None
    a_side: dict[str, Any]
    b_side: dict[str, Any]
    shared: dict[str, Any]

    def oriented(self, record_id: int) -> Conflict:
        """The same conflict seen from ``record_id`` (which becomes side ``a``)."""
        if self.a == record_id or self.b is None:
            return self
        return Conflict(self.detector, self.variant, self.b, self.a, self.b_side, self.a_side,
                        self.shared)


def in_focus(focus: Focus, *record_ids: int) -> bool:
    """Whether a conflict among ``record_ids`` is wanted (``focus`` None: all are)."""
    return focus is None or any(r in focus for r in record_ids)


def _first(a: RecordInfo, b: RecordInfo, a_key: str, b_key: str) -> bool:
    """Whether ``a`` comes first in the canonical order of a pair (stable across runs)."""
    return (a.order, a_key) <= (b.order, b_key)


def make_pair(detector: str, variant: str, ra: RecordInfo, rb: RecordInfo,
              sides: tuple[dict[str, Any], dict[str, Any]], shared: dict[str, Any],
              keys: tuple[str, str]) -> Conflict:
    """A pair conflict, its two records in canonical order (``keys`` break ties in a record)."""
    a_side, b_side = sides
    a_side = {"record": ra.label, **a_side}
    b_side = {"record": rb.label, **b_side}
    if _first(ra, rb, *keys):
        return Conflict(detector, variant, ra.id, rb.id, a_side, b_side, shared)
    return Conflict(detector, variant, rb.id, ra.id, b_side, a_side, shared)
