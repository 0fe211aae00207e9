"""Registry-scale checks: uniqueness and double counting across every dossier a registry holds.

A single dossier can only declare that it is unique; a registry proves it against everything it
holds. :class:`Registry` keeps an index of dossiers and of other programmes' exports (SQLite by
default) and runs the cross-dossier checks of ``rules/registry/checks.yaml`` on one dossier
(:meth:`Registry.findings`, :meth:`Registry.extend_report`) or on everything
(:meth:`Registry.scan`).
"""

from cvcm_rules.registry.external import CsvImportError, parse_export
from cvcm_rules.registry.ingest import IngestResult
from cvcm_rules.registry.rules import CheckSet, load_checks
from cvcm_rules.registry.service import Registry, ScanResult
from cvcm_rules.registry.store import (
    RegistryCorruptError,
    RegistryError,
    RegistryLockedError,
)

__all__ = [
    "CheckSet",
    "CsvImportError",
    "IngestResult",
    "Registry",
    "RegistryCorruptError",
    "RegistryError",
    "RegistryLockedError",
    "ScanResult",
    "load_checks",
    "parse_export",
]
