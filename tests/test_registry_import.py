"""Importing real registry exports as they are; refusing bad files without writing anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cvcm_rules.registry import CsvImportError, Registry, parse_export
from registry_helpers import FIXTURES, SAMPLES, sample_rows


def dump(db: Path) -> list[str]:
    """Every row of the database, to compare before and after."""
    import sqlite3

    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_samples_are_the_published_files_unedited() -> None:
    """fixtures/registry/README.md records the SHA-256 of each sample as published."""
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for file in sorted(SAMPLES.glob("*.csv")):
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        assert f"`{digest}`" in readme, file.name


def test_verra_transactions_as_published() -> None:
    parsed = parse_export(SAMPLES / "verra-transactions.csv")
    rows = sample_rows("verra-transactions.csv")
    assert parsed.format == "verra-transactions"
    assert len(parsed.records) == len(rows) == 200
    retired = [r for r in rows if r["Retirement/Cancellation Date"]]
    assert len(retired) == 100
    blocks = [b for r in parsed.records for b in r.blocks]
    assert sum(b.kind == "issuance" for b in blocks) == 200
    assert sum(b.kind == "retirement" for b in blocks) == 100
    first = parsed.records[0]  # line 2: project 1340, 425 VCUs, retired 2026-04-10
    assert (first.row_no, first.self_key, first.blocks[0].quantity) == (2, "VCS:1340", 425.0)
    assert first.blocks[1].on_date == "2026-04-10"
    # "1,454,054"-style thousands separators: line 4 issued "28,571"
    assert parsed.records[2].blocks[0].quantity == 28571.0
    assert parsed.records[2].blocks[1].beneficiary == "Lindblad Expeditions Family of Companies"


def test_gold_standard_projects_with_multi_line_descriptions_keep_their_line_numbers() -> None:
    parsed = parse_export(SAMPLES / "gold-standard-projects.csv")
    assert parsed.format == "gs-projects"
    assert len(parsed.records) == 50  # 265 lines: descriptions span several lines
    lines = (SAMPLES / "gold-standard-projects.csv").read_text(encoding="utf-8").splitlines()
    for record in parsed.records:
        assert lines[record.row_no - 1].startswith(f"{record.project_id},"), record.row_no


def test_gold_standard_issuances_and_verra_projects() -> None:
    issuances = parse_export(SAMPLES / "gold-standard-issuances.csv")
    assert issuances.format == "gs-issuances" and len(issuances.records) == 100
    # every row has a monitoring period; timestamps "2026-04-13T12:35:58.842275" become dates
    assert all(len(r.periods) == 1 for r in issuances.records)
    assert issuances.records[0].blocks[0].on_date == "2026-04-13"
    projects = parse_export(SAMPLES / "verra-projects.csv")
    assert projects.format == "verra-projects" and len(projects.records) == 50
    # "Multiple Proponents" is stored as written, but identifies no owner
    assert {r.owner for r in projects.records if r.keys()[2] is None} == {"Multiple Proponents"}


def test_import_all_samples_then_reimport_is_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    with Registry.open(db, create=True) as registry:
        first = [registry.import_file(f) for f in sorted(SAMPLES.glob("*.csv"))]
        again = [registry.import_file(f) for f in sorted(SAMPLES.glob("*.csv"))]
        stats = registry.stats()
    assert [r.action for r in first] == ["added"] * 4
    assert [r.action for r in again] == ["unchanged"] * 4
    assert stats["sources"] == {"import": 4}
    assert stats["records_by_programme"] == {"GS": 150, "VCS": 250}
    assert stats["blocks"] == {"issuance": 300, "retirement": 100}
    assert stats["unparsed_serials"] == 0


def test_a_revised_export_replaces_the_old_one(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    source = (SAMPLES / "verra-projects.csv").read_text(encoding="utf-8").splitlines()
    shorter = tmp_path / "verra-projects.csv"
    shorter.write_text("\n".join(source[:11]) + "\n", encoding="utf-8")  # header + 10 rows
    with Registry.open(db, create=True) as registry:
        registry.import_file(SAMPLES / "verra-projects.csv")
        result = registry.import_file(shorter)
        assert result.action == "replaced"
        assert registry.stats()["records_by_programme"] == {"VCS": 10}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_columns_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    with Registry.open(db, create=True) as registry:
        registry.import_file(SAMPLES / "verra-projects.csv")
    before = dump(db)
    header = ("ID,Name,Country/Area,Methodology,Quantity Issued,Serial Number,Vintage Start,"
              "Issuance Date\n")
    bad = write(tmp_path, "tx.csv", header + "1,x,China,ACM0002,1,1-1-1-VCS-VCU-1,"
                                              "2020-01-01,2020-01-01\n")
    with pytest.raises(CsvImportError) as caught, Registry.open(db) as registry:
        registry.import_file(bad)
    assert str(caught.value) == (
        f"{bad}:1: missing column(s) for the verra-transactions layout: Vintage End, "
        "Retirement/Cancellation Date, Retirement Beneficiary, Retirement Reason (found: ID, "
        "Name, Country/Area, Methodology, Quantity Issued, Serial Number, Vintage Start, "
        "Issuance Date)")
    assert dump(db) == before


def test_a_bad_value_names_line_and_column_and_nothing_is_written(tmp_path: Path) -> None:
    lines = (SAMPLES / "verra-transactions.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"28,571"', '"28,5x1"')  # line 4 of the file
    bad = write(tmp_path, "verra-transactions.csv", "\n".join(lines) + "\n")
    db = tmp_path / "r.db"
    with Registry.open(db, create=True) as registry:
        before = dump(db)
        with pytest.raises(CsvImportError) as caught:
            registry.import_file(bad)
    assert str(caught.value) == \
        f"{bad}:4: column 'Quantity Issued': '28,5x1' is not a number"
    assert dump(db) == before


def test_unknown_layout_and_bad_dates(tmp_path: Path) -> None:
    unknown = write(tmp_path, "x.csv", "a,b\n1,2\n")
    with pytest.raises(CsvImportError, match="not a known export layout"):
        parse_export(unknown)
    dates = write(tmp_path, "gs.csv", (SAMPLES / "gold-standard-issuances.csv").read_text(
        encoding="utf-8").replace("2024-12-08,GS1-1-UG-GS11236", "2024-13-08,GS1-1-UG-GS11236"))
    with pytest.raises(CsvImportError) as caught:
        parse_export(dates)
    assert str(caught.value) == \
        f"{dates}:2: column 'Monitoring Period End': '2024-13-08' is not a YYYY-MM-DD date"


def test_generic_list_with_mapped_columns(tmp_path: Path) -> None:
    text = ("Programme,Ref,Title,Developer,Country,Method,From,To,Lat,Lon\n"
            "CDM,1234,Huanghai Far-Shore 400 MW Offshore Wind Farm,Jiangsu Huanghai Wind,China,"
            "ACM0002,2015-01-01,2021-12-31,34.512345,121.204567\n")
    path = write(tmp_path, "cdm.csv", text)
    mapping = {"programme": "Programme", "project_id": "Ref", "name": "Title",
               "owner": "Developer", "location": "Country", "methodology": "Method",
               "crediting_period_start": "From", "crediting_period_end": "To",
               "latitude": "Lat", "longitude": "Lon"}
    parsed = parse_export(path, mapping=mapping)
    assert parsed.format == "generic"
    (record,) = parsed.records
    assert (record.self_key, record.latitude, record.keys()[3]) == ("CDM:1234", 34.512345, "CN")
    with pytest.raises(CsvImportError, match=r"missing column\(s\) for the generic layout: "
                                             r"crediting_period_start, crediting_period_end"):
        parse_export(path, "generic", mapping={k: v for k, v in mapping.items()
                                               if not k.startswith("crediting")})
