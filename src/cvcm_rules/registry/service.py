"""The registry as a registry uses it: open, add dossiers, import exports, check, scan, count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from cvcm_rules.engine import Finding, Report
from cvcm_rules.model import Dossier
from cvcm_rules.registry.data import Conflict, RegistryData
from cvcm_rules.registry.external import ParsedFile, parse_export
from cvcm_rules.registry.findings import conflict_entry, dossier_findings, with_registry_findings
from cvcm_rules.registry.ingest import IngestResult, add_dossier, put_source, remove_source
from cvcm_rules.registry.load import (
    PROBE_ID,
    load_all,
    load_candidates,
    probe_data,
    record_count,
)
from cvcm_rules.registry.records import record_from_dossier
from cvcm_rules.registry.rules import CheckSet, load_checks
from cvcm_rules.registry.scan import find_conflicts, name_rules
from cvcm_rules.registry.store import DEFAULT_TIMEOUT_S, Store, open_sqlite

__all__ = ["Registry", "ScanResult"]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Every conflict in the registry, with the data that names its records."""

    conflicts: list[Conflict]
    data: RegistryData
    checks: CheckSet

    def entries(self) -> list[dict[str, Any]]:
        """JSON-ready conflicts, in a stable order."""
        return [conflict_entry(c, self.data, self.checks) for c in self.conflicts]

    @property
    def has_blocking_failure(self) -> bool:
        """Whether any conflict fails a blocking check."""
        return any(e["outcome"] == "fail" and e["severity"] == "blocking"
                   for e in self.entries())


class Registry:
    """A registry index (an SQLite file by default), used as a context manager.

    Example (``Registry.open(path, create=True)`` makes the file)::

        with Registry.open("registry.db", create=True) as registry:
            registry.add(load_dossier("project.yaml"))
            report = registry.extend_report(evaluate(dossier, packs, as_of=day), dossier)
    """

    def __init__(self, store: Store, checks: CheckSet | None = None) -> None:
        self.store = store
        self._checks = checks

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, readonly: bool = False,
             timeout_s: float = DEFAULT_TIMEOUT_S, checks: CheckSet | None = None) -> Registry:
        """Open an SQLite registry (``create`` makes it; ``readonly`` never writes)."""
        return cls(open_sqlite(path, create=create, readonly=readonly, timeout_s=timeout_s),
                   checks)

    @property
    def checks(self) -> CheckSet:
        """The cross-dossier checks (``rules/registry/checks.yaml`` unless given)."""
        if self._checks is None:
            self._checks = load_checks()
        return self._checks

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self.store.close()

    # -- writing ---------------------------------------------------------------------------
    def add(self, dossier: Dossier) -> IngestResult:
        """Add a dossier, or replace the stored one with the same id, in one transaction."""
        return add_dossier(self.store, dossier)

    def add_all(self, dossiers: Iterable[Dossier]) -> list[IngestResult]:
        """Add dossiers one transaction each (a crash keeps every dossier whole)."""
        return [self.add(d) for d in dossiers]

    def remove(self, dossier_id: str) -> bool:
        """Remove a stored dossier; False if it was not there."""
        return remove_source(self.store, "dossier", dossier_id)

    def import_parsed(self, parsed: ParsedFile) -> IngestResult:
        """Store a parsed export as one source, all or nothing."""
        return put_source(self.store, "import", parsed.name, parsed.format, parsed.digest,
                          parsed.records)

    def import_file(self, path: str | Path, fmt: str = "auto", *, source: str | None = None,
                    mapping: Mapping[str, str] | None = None) -> IngestResult:
        """Parse an export completely, then store it in one transaction."""
        return self.import_parsed(parse_export(path, fmt, source=source, mapping=mapping))

    # -- checking --------------------------------------------------------------------------
    def findings(self, dossier: Dossier) -> list[Finding]:
        """One finding per cross-dossier check for ``dossier`` (stored or not).

        The dossier is compared with everything stored except its own stored copy (same id).
        """
        probe = probe_data(record_from_dossier(dossier), dossier.id)
        exclude = ("dossier", dossier.id)
        data = load_candidates(self.store, probe, exclude, name_rules(self.checks).same_site_km)
        conflicts = find_conflicts(data, self.checks, frozenset({PROBE_ID}))
        return dossier_findings(dossier.id, probe, conflicts, self.checks,
                                record_count(self.store, exclude))

    def extend_report(self, report: Report, dossier: Dossier) -> Report:
        """``report`` (from :func:`cvcm_rules.engine.evaluate`) with the registry findings."""
        return with_registry_findings(report, self.findings(dossier), self.checks)

    def scan(self) -> ScanResult:
        """Every conflict among everything stored (the full scan)."""
        data = load_all(self.store)
        return ScanResult(find_conflicts(data, self.checks), data, self.checks)

    def stats(self) -> dict[str, Any]:
        """Counts of what is stored, by source kind and programme."""
        rows = self.store.rows
        return {
            "sources": {kind: count for kind, count in rows(
                "SELECT kind, COUNT(*) FROM sources GROUP BY kind ORDER BY kind")},
            "records_by_programme": {p: n for p, n in rows(
                "SELECT programme, COUNT(*) FROM records GROUP BY programme ORDER BY programme")},
            "blocks": {kind: n for kind, n in rows(
                "SELECT kind, COUNT(*) FROM blocks GROUP BY kind ORDER BY kind")},
            "unparsed_serials": rows("SELECT COUNT(*) FROM blocks WHERE namespace IS NULL")[0][0],
            "periods": rows("SELECT COUNT(*) FROM periods")[0][0],
            "boundaries": rows("SELECT COUNT(*) FROM shapes")[0][0],
            "identifiers": rows("SELECT COUNT(*) FROM idents")[0][0],
        }
