"""Crash safety: an ingest killed midway (SIGKILL) leaves every dossier wholly before or after.

The registry first holds version 1 of many dossiers (2 batches each). A child process replaces
them with version 2 (60 monthly batches each). After 25 commits it is stopped *inside* the 26th
dossier's transaction (a trace hook stalls it once rows of that dossier have been written, with a
cache so small that they spill into the write-ahead log) and killed with SIGKILL. Afterwards the
log holds the half-written transaction, the database opens and passes SQLite's integrity check,
and each dossier has exactly the rows of version 1 or exactly those of version 2.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from registry_helpers import ROOT

pytestmark = pytest.mark.slow

COUNT = 400
GENERATOR = textwrap.dedent('''
    import copy, datetime
    from pathlib import Path
    from cvcm_rules.model import dossier_from_data, load_dossier_data

    BASE = load_dossier_data(Path(ROOT) / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml")

    def version(index, revision):
        data = copy.deepcopy(BASE)
        data["id"] = f"CRASH-{index:04d}"
        data["registration"]["registry_id"] = f"CCER-P-CRASH-{index:04d}"
        if revision == 2:
            template = data["batches"][0]
            batches = []
            for month in range(60):
                year, m = 2020 + month // 12, month % 12 + 1
                end = (datetime.date(year + (m == 12), m % 12 + 1, 1) - datetime.timedelta(1))
                batch = copy.deepcopy(template)
                batch["id"] = f"M{month:02d}"
                batch["period"] = {"start": f"{year}-{m:02d}-01", "end": end.isoformat()}
                batch["issuance"]["serial_start"] = f"CRASH-{index:04d}-{month:02d}-0000001"
                batch["issuance"]["serial_end"] = f"CRASH-{index:04d}-{month:02d}-0000100"
                batch["issuance"]["quantity_tco2e"] = 100
                batches.append(batch)
            data["batches"] = batches
        return dossier_from_data(data, data["id"])
''')
CHILD = textwrap.dedent('''
    import sys, time
    from cvcm_rules.registry import Registry
    todo = [version(index, 2) for index in range(COUNT)]
    done = 0

    def stall(statement):  # inside the 26th transaction, after its serial blocks are written
        if done == 25 and statement.startswith("INSERT INTO periods"):
            print("inside", flush=True)
            time.sleep(120)

    with Registry.open(sys.argv[1]) as registry:
        registry.store.execute("PRAGMA cache_size=8")  # pages spill to the log before commit
        registry.store.connection.set_trace_callback(stall)
        for index, dossier in enumerate(todo):
            registry.add(dossier)
            done += 1
            print(index, flush=True)
''')


def load_generator() -> dict[str, object]:
    namespace: dict[str, object] = {"ROOT": str(ROOT)}
    exec(compile(GENERATOR, "generator", "exec"), namespace)  # noqa: S102 - test-local code
    return namespace


def uncommitted_frames(wal: Path) -> int:
    """Frames of the current log after its last commit frame.

    SQLite's WAL file format: a 32-byte header, then frames of a 24-byte header and one page;
    a commit frame has a non-zero database size at bytes 4-8; frames of the current log repeat
    the header's salts.
    """
    data = wal.read_bytes()
    if len(data) < 32:
        return 0
    page = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    frames, last_commit, offset = 0, -1, 32
    while offset + 24 + page <= len(data) and data[offset + 8:offset + 16] == salts:
        if struct.unpack(">I", data[offset + 4:offset + 8])[0]:
            last_commit = frames
        frames += 1
        offset += 24 + page
    return frames - 1 - last_commit


def counts(db: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per stored dossier: records, identifiers, serial blocks, periods."""
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        result = {}
        for source_id, name in connection.execute(
                "SELECT id, name FROM sources WHERE kind = 'dossier'"):
            ids = [r[0] for r in connection.execute(
                "SELECT id FROM records WHERE source_id = ?", (source_id,))]
            marks = ",".join("?" * len(ids))
            rows = tuple(connection.execute(
                f"SELECT COUNT(*) FROM {table} WHERE record_id IN ({marks})",  # noqa: S608
                ids).fetchone()[0] for table in ("idents", "blocks", "periods"))
            result[name] = (len(ids), *rows)
        return result
    finally:
        connection.close()


def test_sigkill_during_ingest_leaves_each_dossier_whole(tmp_path: Path) -> None:
    from cvcm_rules.registry import Registry

    generator = load_generator()
    version = generator["version"]
    db = tmp_path / "registry.db"
    with Registry.open(db, create=True) as registry:
        for index in range(COUNT):
            registry.add(version(index, 1))  # type: ignore[operator]
    one, two = version(0, 1), version(0, 2)  # type: ignore[operator]
    # what each version holds, read off the dossier: 1 record; the self id and the three
    # evidence numbers (approval, EIA, sea use); one block and one period per batch
    expected = {1: (1, 4, len(one.batches), len(one.batches)),
                2: (1, 4, len(two.batches), len(two.batches))}
    assert expected == {1: (1, 4, 2, 2), 2: (1, 4, 60, 60)}

    script = tmp_path / "child.py"
    script.write_text(f"ROOT = {str(ROOT)!r}\nCOUNT = {COUNT}\n{GENERATOR}\n{CHILD}",
                      encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    reported = 0
    with subprocess.Popen([sys.executable, str(script), str(db)],  # noqa: S603 - our script
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env) as child:
        assert child.stdout is not None and child.stderr is not None
        try:
            for line in child.stdout:
                if line.strip() == "inside":
                    break
                reported = int(line) + 1
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        problem = child.stderr.read()
    assert child.returncode == -signal.SIGKILL, problem
    assert reported == 25, problem
    assert uncommitted_frames(tmp_path / "registry.db-wal") > 0  # the torn transaction is there

    stored = counts(db)
    assert len(stored) == COUNT  # replacing never loses a dossier
    versions = {name: next((v for v, c in expected.items() if c == rows), None)
                for name, rows in stored.items()}
    assert None not in versions.values(), {n: stored[n] for n, v in versions.items() if v is None}
    replaced = sorted(int(name.split("-")[1]) for name, v in versions.items() if v == 2)
    assert replaced == list(range(25))  # the 25 committed; the 26th is wholly version 1
    with Registry.open(db) as registry:  # and it is still a registry that can be written
        assert registry.add(version(COUNT - 1, 2)).action == "replaced"  # type: ignore[operator]
