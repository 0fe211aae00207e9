"""Benchmark the registry: ingest, full scan, and sort/sweep/index checks against pairwise ones.

Run: ``.venv/bin/python benchmarks/bench_registry.py [--projects 100000] [--sample 1000]``
(about 5 minutes with the defaults on 2 cores). Results go in docs/benchmarks.md ("Registry").

1. Generates ``--projects`` synthetic project dossiers, deterministically (``--seed``): each has
   6 batches with an issued serial range and 4 retirements (10 serial blocks, so 100,000 projects
   make 1,000,000 blocks), a 1 km square boundary somewhere in China, an owner shared by five
   projects, and an approval number. A few per cent are planted conflicts of every kind
   (overlapping serials, retirements, periods and boundaries, a shared approval number, the
   same name and owner nearby, issuance above the verified tonnage); random placement adds
   some genuine boundary overlaps.
2. Ingests them one transaction per dossier (``Registry.add``) and reports the rate.
3. Runs the full scan (``Registry.scan``) and reports its time and the conflicts by check.
4. Times the check of single dossiers against the full registry (``Registry.findings``).
5. On the first ``--sample`` projects, runs the scan's detectors and a naive pairwise baseline
   that applies the same pair verdicts to every pair; checks that both find exactly the same
   conflicts (exit 1 otherwise), then times both on the same in-memory data.

No timing is asserted anywhere; nothing is extrapolated beyond what is measured.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import shapely

from cvcm_rules.model import Dossier, dossier_from_data
from cvcm_rules.registry import Registry
from cvcm_rules.registry.checks import (
    Components,
    block_pair,
    ident_pair,
    issued_above_verified,
    period_pair,
)
from cvcm_rules.registry.data import Conflict, RegistryData
from cvcm_rules.registry.load import load_all
from cvcm_rules.registry.rules import CheckSet
from cvcm_rules.registry.scan import find_conflicts, name_rules
from cvcm_rules.registry.spatial import boundary_pair, name_pair, site_pair

SEED = 20250701
YEARS = (2018, 2019, 2020, 2021, 2022, 2023)
WORDS = ("wind", "solar", "biogas", "forest", "mangrove", "hydro", "cookstove", "landfill")


# -- synthetic dossiers ------------------------------------------------------------------------
class Generator:
    """Deterministic project dossiers with planted conflicts (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.next_serial = dict.fromkeys(YEARS, 1)
        self.previous: dict[str, Any] | None = None

    def serials(self, year: int, quantity: int) -> tuple[int, int]:
        start = self.next_serial[year]
        self.next_serial[year] = start + quantity
        return start, start + quantity - 1

    def project(self, i: int) -> dict[str, Any]:
        rnd = self.random
        owner = i // 5
        lat, lon = rnd.uniform(20.0, 45.0), rnd.uniform(75.0, 130.0)
        word = WORDS[i % len(WORDS)]
        data: dict[str, Any] = {
            "id": f"BENCH-{i:06d}", "programme": "CCER",
            "owner": {"name": f"Bench owner {owner:05d} Co., Ltd.", "uscc": f"91{owner:016d}"},
            "project": {"name": f"Bench project {i:06d} {word}",
                        "location": {"country": "CN", "latitude": round(lat, 6),
                                     "longitude": round(lon, 6)}},
            "methodology": {"id": "CCER-01-002", "version": "V01"},
            "registration": {"registry_id": f"CCER-P-B{i:06d}", "outcome": "registered"},
            "evidence": {"project_approval": f"发改备〔2020〕{i:06d}号"},
        }
        batches, blocks = [], []
        for b, year in enumerate(YEARS):
            quantity = rnd.randint(1000, 50000)
            start, end = self.serials(year, quantity)
            blocks.append((year, start, end))
            batches.append({
                "id": f"B{b + 1}",
                "period": {"start": date(year, 1, 1), "end": date(year, 12, 31)},
                "verification": {"vvb": {"name": "Bench VVB"},
                                 "verified_er_tco2e": float(quantity)},
                "issuance": {"date": date(year + 1, 6, 30),
                             "serial_start": f"BENCH-{year}-{start:010d}",
                             "serial_end": f"BENCH-{year}-{end:010d}",
                             "quantity_tco2e": float(quantity)}})
        data["batches"] = batches
        data["retirements"] = [self.retirement(year, start, end, k)
                               for k, (year, start, end) in enumerate(blocks[:4])]
        data["boundary"] = self.square(lat, lon)
        self.plant(i, data, lat, lon)
        self.previous = data
        return data

    @staticmethod
    def retirement(year: int, start: int, end: int, k: int) -> dict[str, Any]:
        last = start + (end - start) // 10
        return {"serial_start": f"BENCH-{year}-{start:010d}",
                "serial_end": f"BENCH-{year}-{last:010d}",
                "quantity_tco2e": float(last - start + 1),
                "date": date(year + 2, 3, 1), "purpose": "corporate_offset",
                "beneficiary": f"Buyer {k}"}

    @staticmethod
    def square(lat: float, lon: float, side: float = 0.01) -> list[dict[str, str]]:
        corners = [(lat, lon), (lat + side, lon), (lat + side, lon + side), (lat, lon + side)]
        return [{"lat": f"{a:.6f}", "lon": f"{o:.6f}"} for a, o in corners]

    def plant(self, i: int, data: dict[str, Any], lat: float, lon: float) -> None:
        prev = self.previous
        if prev is None:
            return
        if i % 97 == 1:  # B3 reuses half of the previous project's B3 serials
            theirs = prev["batches"][2]["issuance"]
            start = int(theirs["serial_start"].rsplit("-", 1)[1])
            end = int(theirs["serial_end"].rsplit("-", 1)[1])
            mine = data["batches"][2]["issuance"]
            mine["serial_start"] = f"BENCH-2020-{(start + end) // 2:010d}"
            mine["serial_end"] = f"BENCH-2020-{end:010d}"
            mine["quantity_tco2e"] = float(end - (start + end) // 2 + 1)
            data["batches"][2]["verification"]["verified_er_tco2e"] = mine["quantity_tco2e"]
        if i % 101 == 2:  # the previous project again: same name and owner, 0.5 km away
            data["project"]["name"] = prev["project"]["name"]
            data["owner"] = prev["owner"]
            prev_lat = prev["project"]["location"]["latitude"]
            data["project"]["location"] = {"country": "CN", "latitude": prev_lat + 0.0045,
                                           "longitude": prev["project"]["location"]["longitude"]}
        if i % 103 == 3:  # boundary slides over the previous project's by half a side
            corner = prev["boundary"][0]
            data["boundary"] = self.square(float(corner["lat"]) + 0.005,
                                           float(corner["lon"]) + 0.005)
        if i % 107 == 4:  # B4 starts two months inside B3
            data["batches"][3]["period"]["start"] = date(YEARS[3] - 1, 11, 1)
        if i % 109 == 5:  # R1 retires the previous project's R1 again, for another buyer
            data["retirements"][0] = {**prev["retirements"][0], "beneficiary": "Another buyer"}
        if i % 113 == 6:  # the previous project's approval number
            data["evidence"] = prev["evidence"]
        if i % 127 == 7:  # B1 issued 1,000 t more than verified
            b1 = data["batches"][0]
            b1["verification"]["verified_er_tco2e"] = b1["issuance"]["quantity_tco2e"] - 1000


# -- naive pairwise baseline -------------------------------------------------------------------
def materialise(data: RegistryData) -> RegistryData:
    """The scan's input with the block streams turned into lists (both sides read the same)."""
    blocks = {kind: list(rows) for kind, rows in data.blocks.items()}
    return RegistryData(data.records, data.idents, blocks, data.unparsed, data.periods,
                        data.shapes)


def naive(data: RegistryData, checks: CheckSet) -> list[Conflict]:
    """Every pair tried, with the same verdict functions as the scan."""
    components = Components(data.idents)
    return [*naive_idents(data, checks), *naive_names(data, checks, components),
            *naive_blocks(data), *issued_above_verified(data),
            *naive_periods(data, components), *naive_shapes(data, checks)]


def naive_idents(data: RegistryData, checks: CheckSet) -> list[Conflict]:
    inactive = frozenset(str(s).casefold()
                         for s in checks.find("identifier").parameter("inactive_statuses"))
    found = []
    for x, y in itertools.combinations(data.idents, 2):
        if x.ident == y.ident and (data.records[x.record_id].is_dossier
                                   or data.records[y.record_id].is_dossier):
            conflict = ident_pair(data, x.ident, x, y, inactive)
            if conflict is not None:
                found.append(conflict)
    return found


def naive_blocks(data: RegistryData) -> list[Conflict]:
    found = []
    for kind, rows in data.blocks.items():
        for a, b in itertools.combinations(list(rows), 2):
            if a.namespace == b.namespace and a.start <= b.end and b.start <= a.end:  # type: ignore[operator]
                conflict = block_pair(data, a, b, kind)
                if conflict is not None:
                    found.append(conflict)
    return found


def naive_periods(data: RegistryData, components: Components) -> list[Conflict]:
    held: dict[int, set[str]] = {}
    for row in data.idents:
        held.setdefault(row.record_id, set()).add(row.ident)
    found = []
    for p, q in itertools.combinations(data.periods, 2):
        if p.start <= q.end and q.start <= p.end and \
                components.find(p.record_id) == components.find(q.record_id):
            conflict = period_pair(data, p, q, held)
            if conflict is not None:
                found.append(conflict)
    return found


def naive_shapes(data: RegistryData, checks: CheckSet) -> list[Conflict]:
    min_overlap = float(checks.find("boundary_overlap").parameter("min_overlap_m2"))
    found = []
    for a, b in itertools.combinations([s for s in data.shapes if s.geometry is not None], 2):
        if a.record_id != b.record_id and shapely.intersects(a.geometry, b.geometry):
            conflict = boundary_pair(data.records[a.record_id], data.records[b.record_id], a, b,
                                     min_overlap)
            if conflict is not None:
                found.append(conflict)
    return found


def naive_names(data: RegistryData, checks: CheckSet, components: Components) -> list[Conflict]:
    rules = name_rules(checks)
    found = []
    for a, b in itertools.combinations(data.records.values(), 2):
        if components.find(a.id) == components.find(b.id):
            continue
        common = sorted({a.name_key, a.name_en_key} & {b.name_key, b.name_en_key} - {None})
        if common:
            conflict = name_pair(a, b, common[0], rules)  # type: ignore[arg-type]
        elif (a.owner_id or a.owner_key) and (b.owner_id or b.owner_key):
            conflict = site_pair(a, b, rules)
        else:
            conflict = None
        if conflict is not None:
            found.append(conflict)
    return found


def signature(conflicts: list[Conflict]) -> Counter[str]:
    return Counter(repr((c.detector, c.variant, c.a, c.b, sorted(c.a_side.items()),
                         sorted(c.b_side.items()), sorted(c.shared.items())))
                   for c in conflicts)


# -- measuring ---------------------------------------------------------------------------------
def timed(label: str, action: Any) -> tuple[Any, float]:
    gc.collect()
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.2f} s", flush=True)
    return result, seconds


def ingest(path: Path, items: list[Dossier]) -> float:
    with Registry.open(path, create=True) as registry:
        _, seconds = timed(f"ingest {len(items):,} dossiers (one transaction each)",
                           lambda: [registry.add(d) for d in items])
    return seconds


def build(path: Path, count: int, seed: int, keep: set[int]) -> dict[int, Dossier]:
    """Generate, validate and ingest ``count`` dossiers, timing validation and ingest apart.

    Dossiers are not all held in memory: only those whose index is in ``keep`` are returned.
    """
    generator = Generator(seed)
    kept: dict[int, Dossier] = {}
    validate_s = ingest_s = 0.0
    blocks = periods = 0
    with Registry.open(path, create=True) as registry:
        gc.collect()
        for i in range(count):
            data = generator.project(i)
            t0 = time.perf_counter()
            dossier = dossier_from_data(data, f"bench {i}")
            t1 = time.perf_counter()
            registry.add(dossier)
            t2 = time.perf_counter()
            validate_s += t1 - t0
            ingest_s += t2 - t1
            blocks += len(dossier.batches) + len(dossier.retirements)
            periods += len(dossier.batches)
            if i in keep:
                kept[i] = dossier
    size = path.stat().st_size / 1e6
    print(f"  {count:,} dossiers, {blocks:,} serial blocks, {periods:,} periods")
    print(f"  validate (dossier_from_data): {validate_s:.1f} s; ingest (Registry.add, one "
          f"transaction each): {ingest_s:.1f} s = {count / ingest_s:,.0f} dossiers/s, "
          f"{blocks / ingest_s:,.0f} blocks/s; database {size:,.0f} MB", flush=True)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--singles", type=int, default=200, help="single-dossier checks timed")
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()}, shapely {shapely.__version__}, "
          f"SQLite {sqlite3.sqlite_version}; {platform.machine()}, seed {args.seed}")
    picks = set(random.Random(args.seed).sample(range(args.projects),
                                                min(args.singles, args.projects)))
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as folder:
        work = Path(folder)
        print(f"full registry: {args.projects:,} projects")
        kept = build(work / "full.db", args.projects, args.seed,
                     picks | set(range(min(args.sample, args.projects))))
        with Registry.open(work / "full.db", readonly=True) as registry:
            result, _ = timed("full scan (load + all checks)", registry.scan)
            print(f"  {len(result.conflicts):,} conflicts: " + ", ".join(
                f"{k} {v:,}" for k, v in sorted(Counter(
                    e["rule_id"] for e in result.entries()).items())))
            times = []
            for i in sorted(picks):
                start = time.perf_counter()
                registry.findings(kept[i])
                times.append(time.perf_counter() - start)
            print(f"  single-dossier check against the full registry: median "
                  f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
                  f"over {len(times)} dossiers", flush=True)
        sample = [kept[i] for i in range(min(args.sample, args.projects))]
        return compare_on_sample(work, sample)


def compare_on_sample(work: Path, items: list[Dossier]) -> int:
    print(f"sample: the first {len(items):,} projects, "
          f"{sum(len(d.batches) + len(d.retirements) for d in items):,} blocks")
    ingest(work / "sample.db", items)
    with Registry.open(work / "sample.db", readonly=True) as registry:
        data = materialise(load_all(registry.store))
        checks = registry.checks
    swept, sweep_s = timed("sort/sweep/index detectors", lambda: find_conflicts(data, checks))
    pairs, naive_s = timed("naive pairwise", lambda: naive(data, checks))
    if signature(swept) != signature(pairs):
        print("DISAGREEMENT between the sweep and the pairwise baseline", file=sys.stderr)
        print(f"  only sweep: {sorted(signature(swept) - signature(pairs))[:5]}", file=sys.stderr)
        print(f"  only pairwise: {sorted(signature(pairs) - signature(swept))[:5]}",
              file=sys.stderr)
        return 1
    print(f"  both find the same {len(swept):,} conflicts; pairwise / sweep = "
          f"{naive_s / sweep_s:,.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
