"""Run the Python sources of the compiled modules instead of their extensions.

Set ``CVCM_RULES_PURE_PYTHON=1`` before importing ``cvcm_rules`` to get tracebacks with line
numbers, a debugger that steps into the engine, and the reference against which the tests compare
the compiled build (``tests/test_compiled.py``). It changes no result, only the speed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from cvcm_rules._build import COMPILED_MODULES

__all__ = ["prefer_sources"]


class _SourcesFirst(importlib.abc.MetaPathFinder):
    """Finds the ``.py`` file of a compiled module before the import system finds its ``.so``."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in COMPILED_MODULES or not path:
            return None
        leaf = fullname.rpartition(".")[2]
        for folder in path:
            source = Path(folder) / f"{leaf}.py"
            if source.is_file():
                return importlib.util.spec_from_file_location(fullname, source)
        return None


def prefer_sources() -> None:
    """Install the finder once, ahead of the standard ones."""
    if not any(isinstance(finder, _SourcesFirst) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourcesFirst())
