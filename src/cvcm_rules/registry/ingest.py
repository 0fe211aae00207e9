"""Write sources into the registry: a dossier, or all rows of one imported file, per transaction.

Adding a source that is already there replaces it inside the same transaction (delete its rows,
insert the new ones), so a reader or a crash sees the old version or the new one, never a mix.
Adding an unchanged source (same digest) writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from shapely import wkb

from cvcm_rules.engine import dossier_digest
from cvcm_rules.model import Dossier
from cvcm_rules.registry.records import ProjectRecord, record_from_dossier
from cvcm_rules.registry.store import Store

__all__ = ["IngestResult", "add_dossier", "put_source", "remove_source", "size_class",
           "span_class"]

_CHILDREN = ("idents", "blocks", "periods", "shapes")


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one source: ``added``, ``replaced`` or ``unchanged``."""

    kind: str
    name: str
    action: str
    records: int


def add_dossier(store: Store, dossier: Dossier) -> IngestResult:
    """Add or replace one dossier (keyed by its ``id``) in one transaction."""
    return put_source(store, "dossier", dossier.id, "dossier", dossier_digest(dossier),
                      [record_from_dossier(dossier)])


def put_source(store: Store, kind: str, name: str, fmt: str, digest: str,
               records: Iterable[ProjectRecord]) -> IngestResult:
    """Insert (or replace) a source and its records, all or nothing."""
    rows = list(records)
    with store.transaction():
        found = store.rows("SELECT id, digest FROM sources WHERE kind = ? AND name = ?",
                           (kind, name))
        if found and found[0][1] == digest:
            return IngestResult(kind, name, "unchanged", len(rows))
        if found:
            _delete(store, found[0][0])
        source_id = store.execute(
            "INSERT INTO sources (kind, name, format, digest, rows_count) VALUES (?, ?, ?, ?, ?)"
            " RETURNING id", (kind, name, fmt, digest, len(rows))).fetchone()[0]
        classes: set[tuple[str, int]] = set()
        sizes: set[int] = set()
        for record in rows:
            _insert_record(store, source_id, record, classes, sizes)
        store.executemany("INSERT INTO span_classes (namespace, span_class) VALUES (?, ?) "
                          "ON CONFLICT (namespace, span_class) DO NOTHING", sorted(classes))
        store.executemany("INSERT INTO shape_classes (size_class) VALUES (?) "
                          "ON CONFLICT (size_class) DO NOTHING", [(s,) for s in sorted(sizes)])
    return IngestResult(kind, name, "replaced" if found else "added", len(rows))


def remove_source(store: Store, kind: str, name: str) -> bool:
    """Delete a source and everything it brought; False if there was none."""
    with store.transaction():
        found = store.rows("SELECT id FROM sources WHERE kind = ? AND name = ?", (kind, name))
        if found:
            _delete(store, found[0][0])
    return bool(found)


def _delete(store: Store, source_id: int) -> None:
    for table in _CHILDREN:
        store.execute(f"DELETE FROM {table} WHERE record_id IN "  # noqa: S608 - fixed names
                      "(SELECT id FROM records WHERE source_id = ?)", (source_id,))
    store.execute("DELETE FROM records WHERE source_id = ?", (source_id,))
    store.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def span_class(start: int, end: int) -> int:
    """The length class of a serial block: the bit length of ``end - start``.

    Example:
        >>> span_class(1, 1), span_class(1, 2), span_class(1, 1000)
        (0, 1, 10)
    """
    return (end - start).bit_length()


def size_class(min_x: float, max_x: float) -> int:
    """The size class of a boundary: the bit length of its width in micro-degrees (rounded up).

    Example:
        >>> size_class(97.302118, 97.335192)
        16
    """
    return math.ceil((max_x - min_x) * 1e6).bit_length()


def _insert_record(store: Store, source_id: int, record: ProjectRecord,
                   classes: set[tuple[str, int]], sizes: set[int]) -> None:
    name_key, name_en_key, owner_key, country = record.keys()
    record_id = store.execute(
        "INSERT INTO records (source_id, row_no, programme, project_id, self_key, name, "
        "name_en, owner, owner_id, country, latitude, longitude, methodology, status, name_key, "
        "name_en_key, owner_key, country_code) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (source_id, record.row_no, record.programme, record.project_id, record.self_key,
         record.name, record.name_en, record.owner, record.owner_id, record.country,
         record.latitude, record.longitude, record.methodology, record.status, name_key,
         name_en_key, owner_key, country)).fetchone()[0]
    store.executemany(
        "INSERT INTO idents (record_id, ident, role, status, path) VALUES (?, ?, ?, ?, ?)",
        [(record_id, i.ident, i.role, i.status, i.path) for i in record.idents])
    blocks = []
    for b in record.blocks:
        serials = b.range
        cls = span_class(serials.start, serials.end) if serials else None
        blocks.append((record_id, b.kind, b.item, b.path,
                       serials.namespace if serials else None, serials.start if serials else None,
                       serials.end if serials else None, cls, b.serial_start, b.serial_end,
                       b.quantity, b.on_date, b.purpose, b.beneficiary))
        if serials is not None and cls is not None:
            classes.add((serials.namespace, cls))
    store.executemany(
        "INSERT INTO blocks (record_id, kind, item, path, namespace, start_no, end_no, "
        "span_class, serial_start, serial_end, quantity, on_date, purpose, beneficiary) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", blocks)
    store.executemany(
        "INSERT INTO periods (record_id, item, path, start_date, end_date, issued, verified, "
        "serial_count, serials) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(record_id, p.item, p.path, p.start, p.end, p.issued, p.verified, p.serial_count,
          p.serials) for p in record.periods])
    shapes: list[tuple[object, ...]] = []
    for s in record.shapes:
        if s.geometry is None:
            shapes.append((record_id, s.path, None, s.problem, None, None, None, None, None))
            continue
        min_x, min_y, max_x, max_y = s.geometry.bounds
        size = size_class(min_x, max_x)
        sizes.add(size)
        shapes.append((record_id, s.path, wkb.dumps(s.geometry), None, size, min_x, min_y,
                       max_x, max_y))
    store.executemany(
        "INSERT INTO shapes (record_id, path, geometry, problem, size_class, min_x, min_y, "
        "max_x, max_y) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", shapes)
