"""Session guards for the compiled build (``src/cvcm_rules/_build.py``).

pytest's doctest collector imports a module from its ``.py`` file and refuses one already imported
from a compiled extension, so the compiled modules' doctests run on their sources in
``tests/test_compiled.py`` instead. A compiled module older than its source would test stale code:
the session stops and says how to rebuild.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from cvcm_rules._build import compiled_modules

SRC = Path(__file__).resolve().parent / "src"
COMPILED = compiled_modules()


def source_of(module: str) -> Path:
    """The ``.py`` file of a module of the package."""
    return SRC / (module.replace(".", "/") + ".py")


collect_ignore = [str(source_of(name)) for name in COMPILED]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop before testing a compiled module whose source changed after it was built."""
    stale = [name for name in COMPILED
             if source_of(name).stat().st_mtime
             > Path(importlib.import_module(name).__file__ or "").stat().st_mtime]
    if stale:
        pytest.exit(f"compiled modules older than their sources: {', '.join(stale)}; rebuild with "
                    "`.venv/bin/pip install -e .` (or run with CVCM_RULES_PURE_PYTHON=1)",
                    returncode=2)
