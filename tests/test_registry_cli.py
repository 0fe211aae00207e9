"""``cvcm-rules registry`` and ``check --registry``: exit codes, messages, no half-writes.

Bad input (an invalid dossier, a CSV without its columns, a locked or corrupt database) gives a
clear message and exit code 2, and leaves the database as it was.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cvcm_rules.cli import main
from registry_helpers import CONFLICTING, FIXTURES, ROOT, SAMPLE_FILES, SAMPLES, SHIPPED

Capture = pytest.CaptureFixture[str]
OFFSHORE = str(ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml")


def dump(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture
def db(tmp_path: Path, capsys: Capture) -> Path:
    path = tmp_path / "registry.db"
    assert main(["registry", "add", str(path), *map(str, SHIPPED)]) == 0
    assert main(["registry", "import", str(path), *map(str, SAMPLE_FILES)]) == 0
    capsys.readouterr()
    return path


def test_add_import_stats_and_a_clean_scan(db: Path, capsys: Capture) -> None:
    assert main(["registry", "stats", str(db), "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["sources"] == {"dossier": len(SHIPPED), "import": 4}
    assert main(["registry", "check", str(db)]) == 0  # the shipped examples and samples agree
    assert capsys.readouterr().out.startswith("0 conflict(s) among")
    assert main(["registry", "add", str(db), OFFSHORE]) == 0
    assert capsys.readouterr().out == "unchanged: dossier CCER-EX-OW-001\n"


def test_scan_with_conflicts_exits_1_and_json_is_byte_identical(db: Path, capsys: Capture,
                                                                tmp_path: Path) -> None:
    assert main(["registry", "add", str(db), *map(str, CONFLICTING)]) == 0
    capsys.readouterr()
    outputs = []
    for name in ("a.json", "b.json"):
        assert main(["registry", "check", str(db), "--format", "json", "--output",
                     str(tmp_path / name)]) == 1
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    conflicts = json.loads(outputs[0])["conflicts"]
    assert len(conflicts) == 14
    assert {c["rule_id"] for c in conflicts} == {
        "REG.UNQ.001", "REG.UNQ.002", "REG.SERIAL.001", "REG.SERIAL.002", "REG.TIME.001",
        "REG.GEO.001", "REG.USE.001", "REG.USE.002"}


def test_check_with_registry_adds_findings_in_one_report(db: Path, capsys: Capture,
                                                         tmp_path: Path) -> None:
    assert main(["registry", "add", str(db), *map(str, CONFLICTING)]) == 0
    capsys.readouterr()
    dossier = str(FIXTURES / "ow-serial-overlap.yaml")
    args = ["check", dossier, "--as-of", "2025-07-01", "--format", "json", "--registry", str(db)]
    assert main([*args, "--output", str(tmp_path / "1.json")]) == 1
    assert main([*args, "--output", str(tmp_path / "2.json")]) == 1
    first = (tmp_path / "1.json").read_bytes()
    assert first == (tmp_path / "2.json").read_bytes()
    report = json.loads(first)
    assert [p["id"] for p in report["packs"]] == ["ccer", "registry"]
    serial = next(f for f in report["findings"] if f["rule_id"] == "REG.SERIAL.001")
    assert serial["outcome"] == "fail"
    assert serial["items"][0]["key"] == \
        "batches[0].issuance × dossier CCER-EX-OW-001 (CCER CCER-P-2024-0107)"


def test_invalid_dossier_exit_2_and_nothing_added(db: Path, capsys: Capture,
                                                  tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "ow-namesake-far.yaml").read_text(encoding="utf-8").replace(
        "capacity_mw: 400", "capacity_mw: -1"), encoding="utf-8")
    before = dump(db)
    assert main(["registry", "add", str(db), str(FIXTURES / "ow-renamed-nearby.yaml"),
                 str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: project.capacity_mw: Input should be greater than or equal to 0" in err
    assert dump(db) == before  # the valid first dossier was not added either


def test_csv_with_missing_columns_exit_2_and_nothing_imported(db: Path, capsys: Capture,
                                                              tmp_path: Path) -> None:
    text = (SAMPLES / "verra-projects.csv").read_text(encoding="utf-8")
    broken = tmp_path / "verra-projects-2.csv"
    broken.write_text(text.replace("Proponent,", "Developer,", 1).replace(
        ",Crediting Period End Date", "", 1), encoding="utf-8")
    before = dump(db)
    assert main(["registry", "import", str(db), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "not a known export layout" in err and str(broken) in err
    assert main(["registry", "import", str(db), str(broken), "--format", "verra-projects"]) == 2
    assert "missing column(s) for the verra-projects layout: Proponent, Crediting Period " \
           "End Date" in capsys.readouterr().err
    assert dump(db) == before


def test_locked_database_exit_2_and_unchanged_while_readers_still_read(
        db: Path, capsys: Capture) -> None:
    before = dump(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        assert main(["registry", "add", str(db), str(FIXTURES / "ow-renamed-nearby.yaml"),
                     "--timeout", "0.2"]) == 2
        err = capsys.readouterr().err
        assert err == (f"cvcm-rules: error: {db}: the registry is locked by another process "
                       "(waited 0.2 s); try again when it has finished\n")
        assert main(["registry", "stats", str(db)]) == 0  # WAL: readers are not blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dump(db) == before


def test_corrupt_database_exit_2_and_the_file_is_left_alone(db: Path, capsys: Capture) -> None:
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page:] = b"\xa5" * (len(data) - 2 * page)  # every page after the second
    db.write_bytes(bytes(data))
    for argv in (["registry", "add", str(db), OFFSHORE], ["registry", "check", str(db)],
                 ["check", OFFSHORE, "--as-of", "2025-07-01", "--registry", str(db)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"cvcm-rules: error: {db}: ") and "corrupt" in err, err
        assert db.read_bytes() == bytes(data)


def test_a_file_that_is_not_a_database(tmp_path: Path, capsys: Capture) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are notes, not a database\n" * 200)
    assert main(["registry", "add", str(junk), OFFSHORE]) == 2
    assert "not a registry database, or it is corrupt" in capsys.readouterr().err
    assert junk.read_bytes() == b"these are notes, not a database\n" * 200


def test_another_applications_database_and_a_missing_one(tmp_path: Path, capsys: Capture) -> None:
    other = tmp_path / "app.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE users (id INTEGER)")
    connection.commit()
    connection.close()
    assert main(["registry", "add", str(other), OFFSHORE]) == 2
    assert "not a cvcm-rules registry (it has other tables: users)" in capsys.readouterr().err
    missing = tmp_path / "none.db"
    assert main(["check", OFFSHORE, "--as-of", "2025-07-01", "--registry", str(missing)]) == 2
    assert f"{missing}: no registry database here" in capsys.readouterr().err
    assert not missing.exists()


def test_remove_and_bad_map(db: Path, capsys: Capture) -> None:
    assert main(["registry", "remove", str(db), "CCER-EX-OW-001"]) == 0
    assert main(["registry", "remove", str(db), "CCER-EX-OW-001"]) == 2
    assert "no dossier 'CCER-EX-OW-001'" in capsys.readouterr().err
    assert main(["registry", "import", str(db), str(SAMPLE_FILES[0]), "--map", "name"]) == 2
    assert "--map: 'name' is not FIELD=COLUMN" in capsys.readouterr().err
