"""Each kind of cross-dossier conflict is found, with the other record named; near misses are not.

The registry holds the shipped example dossiers, the registry fixtures (fixtures/registry/*.yaml,
each made to conflict or to just miss) and the real exports (fixtures/registry/samples/). The
expected conflicts are those written, and worked out by hand, in each fixture's header.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvcm_rules.engine import Finding, Outcome
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier, load_dossier_data
from cvcm_rules.registry import Registry, ScanResult
from cvcm_rules.registry.data import Conflict
from registry_helpers import CONFLICTING, FIXTURES, ROOT, SAMPLE_FILES, SHIPPED, fixture

OFFSHORE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "registry.db"
    with Registry.open(path, create=True) as registry:
        for file in [*SHIPPED, *CONFLICTING]:
            registry.add(load_dossier(file))
        for file in SAMPLE_FILES:
            registry.import_file(file)
    return path


@pytest.fixture
def registry(db: Path) -> Iterator[Registry]:
    with Registry.open(db, readonly=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def scan(db: Path) -> ScanResult:
    with Registry.open(db, readonly=True) as registry:
        return registry.scan()


def short(scan: ScanResult, record_id: int | None) -> str:
    """A dossier by its id, an export row as file:line."""
    assert record_id is not None
    record = scan.data.records[record_id]
    return record.source_name if record.is_dossier else f"{record.source_name}:{record.row_no}"


def summary(scan: ScanResult, conflict: Conflict) -> tuple[str, str, str, str, str, str]:
    check = scan.checks.by_variant()[conflict.detector, conflict.variant]
    outcome = check.spec.variants[conflict.variant].outcome
    detail = {"identifier": "ident", "name_location": "distance_km", "serial_overlap":
              "overlap_range", "double_use": "overlap_range", "period_overlap": "overlap_days",
              "issued_above_verified": "excess", "boundary_overlap": "overlap_ha"}
    b = short(scan, conflict.b) if conflict.b is not None else "-"
    return (check.id, outcome, short(scan, conflict.a), str(conflict.a_side.get("item") or
                                                           conflict.a_side["path"]),
            b, str(conflict.shared.get(detail[conflict.detector])))


VT = "verra-transactions.csv"
EXPECTED = {
    # fcer-retire-again.yaml
    ("REG.USE.001", "fail", "FCER-EX-CSP-001", "FCER-RT-2024-0031", "FCER-REG-USE-001",
     "45001–50000"),
    ("REG.USE.002", "fail", "FCER-EX-CSP-001", "FCER-RT-2025-0004", "FCER-REG-USE-001",
     "50001–55000"),
    # vcs-tongxu.yaml: a real Verra retirement claimed again; real serials of project 1340
    ("REG.USE.002", "fail", "VCS-REG-3005", "VCS-RT-2025-3005-01", f"{VT}:4",
     "941412555–941412654"),
    ("REG.SERIAL.001", "fail", "VCS-REG-3005", "B2", f"{VT}:2", "941467400–941467431"),
    # ow-same-sea-use.yaml (NFKC folds the certificate's letters to lower case)
    ("REG.UNQ.001", "fail", "CCER-EX-OW-001", "evidence.sea_use_approval", "CCER-REG-UNQ-001",
     "DOC:国海证2020b32072300318号"),
    # ccer-xinfeng-also-vcs.yaml against Verra 3880 (lines 8 and 188)
    ("REG.UNQ.001", "warn", "CCER-REG-TIME-001", "other_registrations[0]", f"{VT}:8",
     "VCS:3880"),
    ("REG.UNQ.001", "warn", "CCER-REG-TIME-001", "other_registrations[0]", f"{VT}:188",
     "VCS:3880"),
    ("REG.TIME.001", "fail", "CCER-REG-TIME-001", "B1", f"{VT}:8", "184"),
    ("REG.TIME.001", "fail", "CCER-REG-TIME-001", "B1", f"{VT}:188", "184"),
    ("REG.SERIAL.002", "fail", "CCER-REG-TIME-001", "B1", "-", "500.0"),
    ("REG.SERIAL.002", "fail", "CCER-REG-TIME-001", "B2", "-", "None"),
    # ow-renamed-nearby.yaml: 0.01 degree of latitude = 1.112 km
    ("REG.UNQ.002", "fail", "CCER-EX-OW-001", "project", "CCER-REG-UNQ-002", "1.112"),
    # ow-serial-overlap.yaml
    ("REG.SERIAL.001", "fail", "CCER-EX-OW-001", "B1", "CCER-REG-SER-001", "800001–815432"),
}


def test_full_scan_finds_exactly_the_planted_conflicts(scan: ScanResult) -> None:
    found = [summary(scan, c) for c in scan.conflicts if c.detector != "boundary_overlap"]
    assert len(found) == len(set(found))
    assert set(found) == EXPECTED
    assert scan.has_blocking_failure


def test_boundary_overlap_area_matches_the_spherical_rectangle(scan: ScanResult) -> None:
    (overlap,) = [c for c in scan.conflicts if c.detector == "boundary_overlap"]
    assert (short(scan, overlap.a), short(scan, overlap.b)) == ("CCER-EX-CSP-001",
                                                                "CCER-REG-GEO-001")
    # shared rectangle 97.330000-97.335192 E x 40.540000-40.553364 N, on the mean Earth radius
    r = 6371008.8
    area_m2 = r * r * math.radians(97.335192 - 97.330000) * (
        math.sin(math.radians(40.553364)) - math.sin(math.radians(40.540000)))
    assert overlap.shared["overlap_ha"] == pytest.approx(area_m2 / 1e4, rel=5e-3)


@pytest.mark.parametrize("dossier_id", ["CCER-REG-UNQ-003", "CCER-REG-GEO-002"])
def test_near_misses_are_in_no_conflict(scan: ScanResult, dossier_id: str) -> None:
    involved = {short(scan, c.a) for c in scan.conflicts} | \
        {short(scan, c.b) for c in scan.conflicts if c.b is not None}
    assert dossier_id not in involved


def test_real_exports_alone_hold_no_conflict(tmp_path: Path) -> None:
    """The samples touch (adjacent Verra blocks, one GS monitoring period over several rows)."""
    with Registry.open(tmp_path / "r.db", create=True) as registry:
        for file in SAMPLE_FILES:
            registry.import_file(file)
        assert registry.scan().conflicts == []


def outcomes(findings: list[Finding]) -> dict[str, str]:
    return {f.rule_id: f.outcome.value for f in findings}


def test_one_dossier_sees_its_conflicts_from_its_side(registry: Registry) -> None:
    findings = registry.findings(fixture("vcs-tongxu"))
    assert outcomes(findings) == {
        "REG.UNQ.001": "pass", "REG.UNQ.002": "pass", "REG.SERIAL.001": "fail",
        "REG.SERIAL.002": "pass", "REG.TIME.001": "pass", "REG.GEO.001": "not_applicable",
        "REG.USE.001": "pass", "REG.USE.002": "fail"}
    serial = next(f for f in findings if f.rule_id == "REG.SERIAL.001")
    (item,) = serial.items
    assert item.path == "batches[1].issuance"
    assert "VCS 1340 (verra-transactions.csv line 2)" in item.message["en"]
    assert "32 credits" in item.message["en"] and "32 个" in item.message["zh"]
    evidence = {e["path"]: e["value"] for e in item.evidence}
    assert evidence["other.serials"] == \
        "19385-941467007-941467431-VCS-VCU-1507-VER-ET-14-1340-01012020-31122020-1"
    assert evidence["overlap_count"] == 32


def test_a_stored_dossier_never_conflicts_with_its_own_copy(registry: Registry) -> None:
    for file in [*SHIPPED, FIXTURES / "ow-namesake-far.yaml", FIXTURES / "csp-touching.yaml"]:
        dossier = load_dossier(file)
        if dossier.id in {"CCER-EX-OW-001", "CCER-EX-CSP-001", "FCER-EX-CSP-001"}:
            continue  # the planted conflicts' counterparts
        bad = {k: v for k, v in outcomes(registry.findings(dossier)).items()
               if v not in ("pass", "not_applicable")}
        assert bad == {}, dossier.id


def test_stored_or_not_the_findings_are_the_same(db: Path, tmp_path: Path) -> None:
    dossier = fixture("ow-serial-overlap")
    with Registry.open(db, readonly=True) as registry:
        stored = [f.to_dict() for f in registry.findings(dossier)]
    other = tmp_path / "r.db"
    with Registry.open(other, create=True) as registry:
        for file in [*SHIPPED, *CONFLICTING]:
            if file.stem != "ow-serial-overlap":
                registry.add(load_dossier(file))
        for file in SAMPLE_FILES:
            registry.import_file(file)
        fresh = [f.to_dict() for f in registry.findings(dossier)]
    assert json.dumps(stored, sort_keys=True) == json.dumps(fresh, sort_keys=True)


def edited(path: Path, edits: dict[str, Any], drop: tuple[str, ...] = ()) -> Dossier:
    data = load_dossier_data(path)
    for key in drop:
        data.pop(key, None)
    for dotted, value in edits.items():
        cursor = data
        *parents, last = dotted.split(".")
        for part in parents:
            cursor = cursor.setdefault(part, {})
        cursor[last] = value
    return dossier_from_data(data, f"{path.name} (edited)")


def only(findings: list[Finding], rule_id: str) -> Finding:
    return next(f for f in findings if f.rule_id == rule_id)


def test_same_name_other_owner_nearby_goes_to_a_reviewer(registry: Registry) -> None:
    # the namesake moved to 0.018 degree of latitude (2.0 km) from CCER-EX-OW-001
    near = edited(FIXTURES / "ow-namesake-far.yaml", {
        "id": "CCER-REG-UNQ-004", "project.location.latitude": 34.530345,
        "project.location.longitude": 121.204567})
    finding = only(registry.findings(near), "REG.UNQ.002")
    assert finding.outcome is Outcome.NEEDS_REVIEW
    keys = sorted(item.key for item in finding.items)
    assert keys == ["project × dossier CCER-EX-OW-001 (CCER CCER-P-2024-0107)",
                    "project × dossier CCER-REG-UNQ-002 (CCER CCER-P-2025-0502)"]
    assert all(item.reason == "other_owner_near" for item in finding.items)


def test_a_real_export_without_owner_matching_by_name_goes_to_a_reviewer(
        registry: Registry) -> None:
    # The Xinfeng dossier filed again, without its declared VCS registration: its English name
    # matches two real Verra rows (which carry no proponent) in the same country, for a
    # reviewer; and the stored Xinfeng dossier by name, owner and place, a failure.
    undeclared = edited(FIXTURES / "ccer-xinfeng-also-vcs.yaml", {
        "id": "CCER-REG-UNQ-005", "registration.registry_id": "CCER-P-2025-0905"},
        drop=("other_registrations", "batches"))
    finding = only(registry.findings(undeclared), "REG.UNQ.002")
    assert finding.outcome is Outcome.FAIL
    others = sorted(e["value"] for item in finding.items for e in item.evidence
                    if e["path"] == "other.record")
    assert others == ["VCS 3880 (verra-transactions.csv line 188)",
                      "VCS 3880 (verra-transactions.csv line 8)",
                      "dossier CCER-REG-TIME-001 (CCER CCER-P-2024-0420)"]
    reasons = sorted(item.reason or "" for item in finding.items)
    assert reasons == ["owner_unknown", "owner_unknown", "same_project"]


def test_same_owner_same_site_under_a_new_name_goes_to_a_reviewer(registry: Registry) -> None:
    renamed = edited(FIXTURES / "ow-renamed-nearby.yaml", {
        "id": "CCER-REG-UNQ-006", "registration.registry_id": "CCER-P-2025-0906",
        "project.name": "远岸风电场（更名）",
        "project.name_en": "Renamed Far-Shore Wind", "project.location.latitude": 34.516845})
    finding = only(registry.findings(renamed), "REG.UNQ.002")
    # 0.0045 degree (0.500 km) from CCER-EX-OW-001 and 0.0055 degree (0.612 km) from its
    # renamed twin CCER-REG-UNQ-002, both of the same owner
    assert finding.outcome is Outcome.NEEDS_REVIEW
    distances = sorted(e["value"] for item in finding.items for e in item.evidence
                       if e["path"] == "distance_km")
    assert distances == [0.5, 0.612]


def test_invalid_boundary_and_unparsed_serial_go_to_a_reviewer(registry: Registry) -> None:
    bowtie = [{"lat": "40.0", "lon": "97.0"}, {"lat": "40.1", "lon": "97.1"},
              {"lat": "40.0", "lon": "97.1"}, {"lat": "40.1", "lon": "97.0"}]
    data = load_dossier_data(FIXTURES / "ow-serial-overlap.yaml")  # a revision of the stored one
    data["boundary"] = bowtie
    data["batches"][0]["issuance"]["serial_start"] = "第一批"
    findings = registry.findings(dossier_from_data(data, "edited"))
    geo, serial = only(findings, "REG.GEO.001"), only(findings, "REG.SERIAL.001")
    assert geo.outcome is Outcome.NEEDS_REVIEW
    assert "Self-intersection" in geo.items[0].message["en"]
    assert [i.reason for i in serial.items] == ["unparsed"]
    assert serial.outcome is Outcome.NEEDS_REVIEW


def test_reports_carry_the_registry_findings_and_recount(registry: Registry) -> None:
    from cvcm_rules.engine import evaluate
    from cvcm_rules.packs import load_pack

    dossier = fixture("ow-serial-overlap")
    report = evaluate(dossier, [load_pack("ccer")], as_of=__import__("datetime").date(2025, 7, 1))
    extended = registry.extend_report(report, dossier)
    assert [p["id"] for p in extended.packs] == [*[p["id"] for p in report.packs], "registry"]
    assert len(extended.findings) == len(report.findings) + 8
    assert extended.summary["total"] == len(extended.findings)
    assert extended.summary["blocking_failures"] == report.summary["blocking_failures"] + 1
    assert extended.has_blocking_failure


def test_each_dossiers_own_check_agrees_with_the_full_scan(registry: Registry,
                                                            scan: ScanResult) -> None:
    """The indexed lookup of one dossier's rivals finds what the full scan finds for it."""
    for file in [*SHIPPED, *CONFLICTING]:
        dossier = load_dossier(file)
        expected = sorted(c.variant for c in scan.conflicts if dossier.id in (
            short(scan, c.a), c.b is not None and short(scan, c.b)))
        found = sorted(item.reason or "" for f in registry.findings(dossier) for item in f.items)
        assert found == expected, dossier.id


def test_lookup_by_length_class_finds_overlaps_with_long_and_short_blocks(tmp_path: Path) -> None:
    """Stored blocks of very different lengths (one of a billion credits): a probe's overlaps
    are exactly those a brute-force comparison finds."""
    import random

    rnd = random.Random(7)  # noqa: S311 - test data, not secrets
    stored: list[tuple[int, int]] = [(1, 1_000_000_000)]
    stored += [(s, s + rnd.choice((0, 3, 70, 5000, 250_000))) for s in
               (rnd.randrange(1, 2_000_000_000) for _ in range(300))]
    base = load_dossier_data(FIXTURES / "ow-serial-overlap.yaml")
    with Registry.open(tmp_path / "r.db", create=True) as registry:
        for n, (start, end) in enumerate(stored):
            data = {**base, "id": f"BLK-{n:03d}", "registration": {"registry_id": f"R-{n:03d}"},
                    "project": {**base["project"], "name": f"Block holder {n}"}}
            batch = {**base["batches"][0], "issuance": {
                **base["batches"][0]["issuance"], "serial_start": f"T-{start:010d}",
                "serial_end": f"T-{end:010d}", "quantity_tco2e": end - start + 1}}
            batch["verification"] = {**batch["verification"], "verified_er_tco2e": end - start + 1}
            data["batches"] = [batch]
            registry.add(dossier_from_data(data, f"BLK-{n:03d}"))
        probes = [(999_999_990, 1_000_000_010), (1_500_000_000, 1_600_000_000),
                  (2_000_000_100, 2_000_000_200), (5, 5)]
        for probe_start, probe_end in probes:
            data = {**base, "id": "PROBE", "registration": {"registry_id": "R-PROBE"},
                    "project": {**base["project"], "name": "Probe"}}
            batch = {**base["batches"][0], "issuance": {
                **base["batches"][0]["issuance"], "serial_start": f"T-{probe_start:010d}",
                "serial_end": f"T-{probe_end:010d}",
                "quantity_tco2e": probe_end - probe_start + 1}}
            batch["verification"] = {**batch["verification"],
                                     "verified_er_tco2e": probe_end - probe_start + 1}
            data["batches"] = [batch]
            finding = only(registry.findings(dossier_from_data(data, "probe")), "REG.SERIAL.001")
            brute = sorted(f"BLK-{n:03d}" for n, (s, e) in enumerate(stored)
                           if s <= probe_end and probe_start <= e)
            found = sorted(item.key.split("dossier ")[1].split(" ")[0] for item in finding.items)
            assert found == brute, (probe_start, probe_end)
