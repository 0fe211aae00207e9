"""Shared fixtures: the shipped ccer pack, the example dossier as data, and tmp-pack writers.

Nothing here reads the clock or the network: every evaluation takes an explicit ``as_of``.
"""

from __future__ import annotations

import copy
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cvcm_rules.model import Dossier, dossier_from_data, load_dossier_data
from cvcm_rules.packs import Pack, load_pack

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"

# A minimal manifest: one document, ``doc-a``. ``{pack_id}`` must equal the folder name.
MANIFEST = """\
id: {pack_id}
version: "1"
title: {{zh: 测试包, en: Test pack}}
effective_from: 2023-01-01
documents:
  doc-a:
    title: {{zh: 文件甲, en: Document A}}
    issuer: Test issuer
"""

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")

Patch = Callable[..., dict[str, Any]]
MakeDossier = Callable[..., Dossier]
WritePack = Callable[..., Path]


def _steps(path: str) -> list[str | int]:
    """``batches[1].verification.vvb`` -> ``['batches', 1, 'verification', 'vvb']``."""
    steps: list[str | int] = []
    for part in path.split("."):
        match = _STEP.fullmatch(part)
        if match is None:
            raise ValueError(f"bad path {path!r}")
        steps.append(match.group(1))
        steps.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return steps


def patched_data(data: dict[str, Any], path: str, value: object = None, *,
                 remove: bool = False) -> dict[str, Any]:
    """A deep copy of ``data`` with ``path`` set to ``value`` (or removed, with ``remove``).

    Missing intermediate mappings are created, so ``patched(d, "ets.national_covered", True)``
    works on a dossier without ``ets``.
    """
    result = copy.deepcopy(data)
    steps = _steps(path)
    cursor: Any = result
    for step in steps[:-1]:
        if isinstance(step, int):
            cursor = cursor[step]
        else:
            if cursor.get(step) is None:
                cursor[step] = {}
            cursor = cursor[step]
    last = steps[-1]
    if remove:
        if isinstance(last, int):
            del cursor[last]
        else:
            cursor.pop(last, None)
    else:
        cursor[last] = value
    return result


def write_pack_folder(root: Path, files: dict[str, str], *, pack_id: str = "testpack") -> Path:
    """Write a pack folder ``root/pack_id`` and return it.

    ``files`` maps a relative name (``pack.yaml``, ``rules/a.yaml``) to its text, which is
    dedented; without a ``pack.yaml`` entry the minimal :data:`MANIFEST` is written.
    """
    folder = root / pack_id
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    if "pack.yaml" not in files:
        (folder / "pack.yaml").write_text(MANIFEST.format(pack_id=pack_id), encoding="utf-8")
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def ccer_pack() -> Pack:
    """The shipped ccer pack, loaded once."""
    return load_pack("ccer")


@pytest.fixture(scope="session")
def _offshore_pristine() -> dict[str, Any]:
    return load_dossier_data(EXAMPLE)


@pytest.fixture
def offshore_data(_offshore_pristine: dict[str, Any]) -> dict[str, Any]:
    """The example offshore-wind dossier as plain data (a fresh copy per test)."""
    return copy.deepcopy(_offshore_pristine)


@pytest.fixture
def patched() -> Patch:
    """``patched(data, path, value)`` or ``patched(data, path, remove=True)``: a patched copy."""
    return patched_data


@pytest.fixture
def make_dossier(_offshore_pristine: dict[str, Any]) -> MakeDossier:
    """``make_dossier({"project.capacity_mw": 300}, remove=["ets"])``: the example, edited."""

    def make(edits: dict[str, object] | None = None, *,
             remove: tuple[str, ...] | list[str] = ()) -> Dossier:
        data = copy.deepcopy(_offshore_pristine)
        for path, value in (edits or {}).items():
            data = patched_data(data, path, value)
        for path in remove:
            data = patched_data(data, path, remove=True)
        return dossier_from_data(data, "example (edited)")

    return make


@pytest.fixture
def write_pack() -> WritePack:
    """``write_pack(tmp_path, {"rules/a.yaml": "..."}, pack_id="testpack")`` -> pack folder."""
    return write_pack_folder
