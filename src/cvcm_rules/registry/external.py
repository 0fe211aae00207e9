"""Read exports of other programmes' registries (Verra, Gold Standard, any column-mapped CSV).

Files are read as the registries publish them: thousands separators in numbers, several values
in one cell, empty dates, date-times where a date is expected, a byte-order mark. A file is
parsed completely before anything is written, and any problem is reported with the file, line and
column, so an import is all or nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cvcm_rules.errors import InputError
from cvcm_rules.registry.records import Ident, Period, ProjectRecord, block_from_export

__all__ = ["FORMATS", "GENERIC_COLUMNS", "GENERIC_OPTIONAL", "CsvImportError", "ParsedFile",
           "parse_export"]


class CsvImportError(InputError):
    """An export that cannot be imported: unreadable, missing columns, or a bad value."""


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """An export turned into records, ready to be stored as one source."""

    name: str
    format: str
    digest: str
    records: list[ProjectRecord]


Row = Mapping[str, str]
RowParser = Callable[["_Reader", Row, int], ProjectRecord]


@dataclass(frozen=True, slots=True)
class _Format:
    """An export layout: the columns that identify it, those it needs, how a row is read."""

    signature: frozenset[str]
    required: tuple[str, ...]
    parse: RowParser


_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_RETIRED = frozenset({"retired", "cancelled", "canceled"})


class _Reader:
    """Value readers that name the file, line and column of a bad value."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, line: int, column: str, message: str) -> CsvImportError:
        return CsvImportError(f"{self.file}:{line}: column {column!r}: {message}")

    @staticmethod
    def text(row: Row, column: str) -> str | None:
        value = (row.get(column) or "").strip()
        return value or None

    def need(self, row: Row, column: str, line: int) -> str:
        value = self.text(row, column)
        if value is None:
            raise self.fail(line, column, "is empty")
        return value

    def number(self, row: Row, column: str, line: int) -> float | None:
        value = self.text(row, column)
        if value is None:
            return None
        plain = value.replace(",", "").replace(" ", "")
        if not _NUMBER.match(plain):
            raise self.fail(line, column, f"{value!r} is not a number")
        return float(plain)

    def day(self, row: Row, column: str, line: int) -> str | None:
        value = self.text(row, column)
        if value is None:
            return None
        match = _DATE.match(value)
        try:
            return date.fromisoformat(match.group(1)).isoformat() if match else \
                date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.fail(line, column, f"{value!r} is not a YYYY-MM-DD date") from None


def _gs_id(text: str) -> str:
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _self(record: ProjectRecord, column: str) -> ProjectRecord:
    record.idents = [Ident(record.self_key, "self", record.status, column)]
    return record


def _verra_project(r: _Reader, row: Row, line: int) -> ProjectRecord:
    return _self(ProjectRecord(
        line, "VCS", r.need(row, "ID", line), name=r.text(row, "Name"),
        owner=r.text(row, "Proponent"), country=r.text(row, "Country/Area"),
        methodology=r.text(row, "Methodology"), status=r.text(row, "Status")), "ID")


def _verra_transaction(r: _Reader, row: Row, line: int) -> ProjectRecord:
    record = _self(ProjectRecord(
        line, "VCS", r.need(row, "ID", line), name=r.text(row, "Name"),
        country=r.text(row, "Country/Area"), methodology=r.text(row, "Methodology")), "ID")
    serial = r.need(row, "Serial Number", line)
    quantity = r.number(row, "Quantity Issued", line)
    record.blocks.append(block_from_export(
        "issuance", "VCU block", "Serial Number", serial, quantity=quantity,
        on_date=r.day(row, "Issuance Date", line)))
    retired = r.day(row, "Retirement/Cancellation Date", line)
    if retired is not None:
        record.blocks.append(block_from_export(
            "retirement", "VCU block", "Serial Number", serial, quantity=quantity,
            on_date=retired,
            purpose=r.text(row, "Retirement Reason"),
            beneficiary=r.text(row, "Retirement Beneficiary")))
    start, end = r.day(row, "Vintage Start", line), r.day(row, "Vintage End", line)
    if start and end:
        record.periods.append(Period("vintage", "Vintage Start", start, end, issued=quantity))
    return record


def _gs_project(r: _Reader, row: Row, line: int) -> ProjectRecord:
    return _self(ProjectRecord(
        line, "GS", _gs_id(r.need(row, "GSID", line)), name=r.text(row, "Project Name"),
        owner=r.text(row, "Project Developer Name"), country=r.text(row, "Country"),
        methodology=r.text(row, "Methodology"), status=r.text(row, "Status")), "GSID")


def _gs_issuance(r: _Reader, row: Row, line: int) -> ProjectRecord:
    record = _self(ProjectRecord(
        line, "GS", _gs_id(r.need(row, "GSID", line)), name=r.text(row, "Project Name"),
        owner=r.text(row, "Project Developer"), country=r.text(row, "Country"),
        methodology=r.text(row, "Methodology")), "GSID")
    serial = r.need(row, "Serial Number", line)
    quantity = r.number(row, "Quantity", line)
    record.blocks.append(block_from_export(
        "issuance", "GS block", "Serial Number", serial, quantity=quantity,
        on_date=r.day(row, "Issuance Date", line)))
    if (r.text(row, "Credit Status") or "").casefold() in _RETIRED:
        record.blocks.append(block_from_export("retirement", "GS block", "Serial Number",
                                               serial, quantity=quantity))
    start = r.day(row, "Monitoring Period Start", line)
    end = r.day(row, "Monitoring Period End", line)
    if start and end:
        if end < start:
            raise r.fail(line, "Monitoring Period End", f"{end} is before the start {start}")
        record.periods.append(Period("monitoring period", "Monitoring Period Start", start, end,
                                     issued=quantity))
    return record


GENERIC_COLUMNS = ("programme", "project_id", "name", "owner", "location", "methodology",
                   "crediting_period_start", "crediting_period_end")
GENERIC_OPTIONAL = ("name_en", "owner_id", "latitude", "longitude", "status")


def _generic(r: _Reader, row: Row, line: int) -> ProjectRecord:
    for column in ("crediting_period_start", "crediting_period_end"):
        r.day(row, column, line)  # checked, so that a wrong column mapping shows at once
    record = ProjectRecord(
        line, r.need(row, "programme", line).upper(), r.need(row, "project_id", line),
        name=r.text(row, "name"), name_en=r.text(row, "name_en"), owner=r.text(row, "owner"),
        owner_id=r.text(row, "owner_id"), country=r.text(row, "location"),
        latitude=_coordinate(r, row, "latitude", line, 90),
        longitude=_coordinate(r, row, "longitude", line, 180),
        methodology=r.text(row, "methodology"), status=r.text(row, "status"))
    return _self(record, "project_id")


def _coordinate(r: _Reader, row: Row, column: str, line: int, limit: float) -> float | None:
    value = r.number(row, column, line)
    if value is not None and abs(value) > limit:
        raise r.fail(line, column, f"{value} is outside ±{limit}")
    return value


FORMATS: dict[str, _Format] = {
    "verra-transactions": _Format(
        frozenset({"ID", "Serial Number", "Quantity Issued"}),
        ("ID", "Name", "Country/Area", "Methodology", "Quantity Issued", "Serial Number",
         "Vintage Start", "Vintage End", "Issuance Date", "Retirement/Cancellation Date",
         "Retirement Beneficiary", "Retirement Reason"), _verra_transaction),
    "verra-projects": _Format(
        frozenset({"ID", "Proponent"}),
        ("ID", "Name", "Proponent", "Methodology", "Status", "Country/Area",
         "Crediting Period Start Date", "Crediting Period End Date"), _verra_project),
    "gs-issuances": _Format(
        frozenset({"GSID", "Serial Number"}),
        ("GSID", "Project Name", "Project Developer", "Country", "Methodology", "Quantity",
         "Serial Number", "Monitoring Period Start", "Monitoring Period End", "Issuance Date",
         "Credit Status"), _gs_issuance),
    "gs-projects": _Format(
        frozenset({"GSID", "Project Developer Name"}),
        ("GSID", "Project Name", "Project Developer Name", "Status", "Country", "Methodology"),
        _gs_project),
    "generic": _Format(frozenset({"programme", "project_id"}), GENERIC_COLUMNS, _generic),
}


def _detect(header: list[str], file: str) -> str:
    present = set(header)
    for name, layout in FORMATS.items():
        if layout.signature <= present:
            return name
    raise CsvImportError(
        f"{file}: not a known export layout (Verra projects or transactions, Gold Standard "
        f"projects or issuances) nor a generic list with columns {', '.join(GENERIC_COLUMNS)}; "
        f"found columns: {', '.join(header) or 'none'} (use --map FIELD=COLUMN to name them)")


def parse_export(path: str | Path, fmt: str = "auto", *, source: str | None = None,
                 mapping: Mapping[str, str] | None = None) -> ParsedFile:
    """Parse one export file completely (nothing is written).

    Args:
        path: the CSV file.
        fmt: a key of :data:`FORMATS`, or ``auto`` to recognise it by its columns.
        source: the name it is stored under (default: the file name); importing a file under
            the same name again replaces it.
        mapping: for ``generic``, our field name -> the file's column name.

    Raises:
        CsvImportError: naming the file (and line and column) of the first problem.
    """
    file = Path(path)
    name = str(file)
    try:
        raw = file.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as err:
        raise CsvImportError(f"{name}: cannot read file: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise CsvImportError(f"{name}: not UTF-8 text (byte {err.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as err:
        raise CsvImportError(f"{name}:1: {err}") from None
    renamed = {column: field for field, column in (mapping or {}).items()}
    header = [renamed.get(h, h) for h in header]
    chosen = _detect(header, name) if fmt == "auto" else fmt
    if chosen not in FORMATS:
        raise CsvImportError(f"{name}: unknown format {chosen!r} "
                             f"(known: auto, {', '.join(FORMATS)})")
    _check_header(header, FORMATS[chosen], chosen, name)
    records = _rows(reader, header, FORMATS[chosen], _Reader(name))
    digest = hashlib.sha256(raw + chosen.encode() + repr(sorted(renamed.items())).encode())
    return ParsedFile(source or file.name, chosen, digest.hexdigest(), records)


def _check_header(header: list[str], layout: _Format, chosen: str, name: str) -> None:
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise CsvImportError(f"{name}:1: duplicate column(s): {', '.join(duplicates)}")
    missing = [c for c in layout.required if c not in header]
    if missing:
        raise CsvImportError(
            f"{name}:1: missing column(s) for the {chosen} layout: {', '.join(missing)} "
            f"(found: {', '.join(header) or 'none'})")


def _rows(reader: Any, header: list[str], layout: _Format,
          values: _Reader) -> list[ProjectRecord]:
    records = []
    line = 2
    try:
        for cells in reader:
            if cells and any(c.strip() for c in cells):
                if len(cells) != len(header):
                    raise CsvImportError(f"{values.file}:{line}: {len(cells)} cells, the header "
                                         f"has {len(header)} columns")
                records.append(layout.parse(values, dict(zip(header, cells, strict=True)), line))
            line = reader.line_num + 1
    except csv.Error as err:
        raise CsvImportError(f"{values.file}:{line}: {err}") from None
    return records

