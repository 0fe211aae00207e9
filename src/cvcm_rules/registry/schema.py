"""The registry's tables and indexes, written once for SQLite and PostgreSQL.

The DDL uses three placeholders that the dialect fills in (``{id}`` for an auto-numbered primary
key, ``{real}`` for a double-precision number, ``{blob}`` for bytes); everything else is SQL that
both engines accept. Dates are ISO ``YYYY-MM-DD`` text, which sorts and compares as dates.

- ``sources``: one row per dossier added or external file imported; deleting a source deletes
  everything it brought (replacement is delete + insert in one transaction).
- ``records``: one project as one source describes it (a dossier, or one row of an export), with
  its normalised matching keys.
- ``idents``: identifiers of a record: its own programme id, registrations it declares in other
  programmes, and asset identifiers (approval, filing, sea-use and land numbers, legacy ids).
- ``blocks``: serial ranges issued or retired, parsed to (namespace, start, end); unparsed
  serials are kept with a null namespace so that a reviewer is told about them.
- ``span_classes``: which length classes each namespace holds. A block's class is the bit length
  of ``end - start``, so a block of class c starts at most ``2**c - 1`` before any number it holds:
  "which blocks overlap [a, b]" is, per class, one index range scan on ``start_no`` from
  ``a - (2**c - 1)`` to ``b``. One very long block then costs a scan of its own class only.
- ``periods``: monitoring or vintage periods with the tonnage verified and issued for them.
- ``shapes``: project boundaries as WKB with their bounding boxes and a size class (bit length of
  the width in micro-degrees), searched the same way on ``min_x`` (``shape_classes`` lists the
  classes present).
"""

from __future__ import annotations

__all__ = ["DDL", "SCHEMA_VERSION", "TABLES"]

SCHEMA_VERSION = "2"

TABLES = ("meta", "sources", "records", "idents", "blocks", "span_classes", "periods", "shapes",
          "shape_classes")

DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS sources (
        id {id},
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        format TEXT NOT NULL,
        digest TEXT NOT NULL,
        rows_count INTEGER NOT NULL,
        UNIQUE (kind, name))""",
    """CREATE TABLE IF NOT EXISTS records (
        id {id},
        source_id INTEGER NOT NULL REFERENCES sources (id),
        row_no INTEGER NOT NULL,
        programme TEXT NOT NULL,
        project_id TEXT NOT NULL,
        self_key TEXT NOT NULL,
        name TEXT,
        name_en TEXT,
        owner TEXT,
        owner_id TEXT,
        country TEXT,
        latitude {real},
        longitude {real},
        methodology TEXT,
        status TEXT,
        name_key TEXT,
        name_en_key TEXT,
        owner_key TEXT,
        country_code TEXT)""",
    "CREATE INDEX IF NOT EXISTS records_source ON records (source_id)",
    "CREATE INDEX IF NOT EXISTS records_name ON records (name_key)",
    "CREATE INDEX IF NOT EXISTS records_name_en ON records (name_en_key)",
    "CREATE INDEX IF NOT EXISTS records_owner ON records (owner_key)",
    "CREATE INDEX IF NOT EXISTS records_owner_id ON records (owner_id)",
    "CREATE INDEX IF NOT EXISTS records_latitude ON records (latitude)",
    """CREATE TABLE IF NOT EXISTS idents (
        record_id INTEGER NOT NULL REFERENCES records (id),
        ident TEXT NOT NULL,
        role TEXT NOT NULL,
        status TEXT,
        path TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS idents_ident ON idents (ident)",
    "CREATE INDEX IF NOT EXISTS idents_record ON idents (record_id)",
    """CREATE TABLE IF NOT EXISTS blocks (
        record_id INTEGER NOT NULL REFERENCES records (id),
        kind TEXT NOT NULL,
        item TEXT NOT NULL,
        path TEXT NOT NULL,
        namespace TEXT,
        start_no BIGINT,
        end_no BIGINT,
        span_class INTEGER,
        serial_start TEXT NOT NULL,
        serial_end TEXT NOT NULL,
        quantity {real},
        on_date TEXT,
        purpose TEXT,
        beneficiary TEXT)""",
    "CREATE INDEX IF NOT EXISTS blocks_range ON blocks (kind, namespace, start_no)",
    "CREATE INDEX IF NOT EXISTS blocks_class ON blocks (kind, namespace, span_class, start_no)",
    "CREATE INDEX IF NOT EXISTS blocks_record ON blocks (record_id)",
    """CREATE TABLE IF NOT EXISTS span_classes (
        namespace TEXT NOT NULL,
        span_class INTEGER NOT NULL,
        PRIMARY KEY (namespace, span_class))""",
    """CREATE TABLE IF NOT EXISTS periods (
        record_id INTEGER NOT NULL REFERENCES records (id),
        item TEXT NOT NULL,
        path TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT NOT NULL,
        issued {real},
        verified {real},
        serial_count BIGINT,
        serials TEXT)""",
    "CREATE INDEX IF NOT EXISTS periods_record ON periods (record_id)",
    """CREATE TABLE IF NOT EXISTS shapes (
        record_id INTEGER NOT NULL REFERENCES records (id),
        path TEXT NOT NULL,
        geometry {blob},
        problem TEXT,
        size_class INTEGER,
        min_x {real}, min_y {real}, max_x {real}, max_y {real})""",
    "CREATE INDEX IF NOT EXISTS shapes_record ON shapes (record_id)",
    "CREATE INDEX IF NOT EXISTS shapes_class ON shapes (size_class, min_x)",
    "CREATE TABLE IF NOT EXISTS shape_classes (size_class INTEGER PRIMARY KEY)",
)
