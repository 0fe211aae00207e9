"""Shared data for the registry tests: where the fixtures and the real registry samples are."""

from __future__ import annotations

import csv
from pathlib import Path

from cvcm_rules.model import Dossier, load_dossier

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "registry"
SAMPLES = FIXTURES / "samples"  # the real exports, byte for byte (see fixtures/registry/README.md)
SHIPPED = sorted(ROOT.glob("fixtures/dossiers/*/*.yaml"))
CONFLICTING = sorted(FIXTURES.glob("*.yaml"))
SAMPLE_FILES = sorted(SAMPLES.glob("*.csv"))


def sample_rows(name: str) -> list[dict[str, str]]:
    """The rows of a sample export, as plain strings."""
    with (SAMPLES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fixture(name: str) -> Dossier:
    """A registry fixture dossier by file stem."""
    return load_dossier(FIXTURES / f"{name}.yaml")
