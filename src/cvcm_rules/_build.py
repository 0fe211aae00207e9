"""Which modules the build compiles with mypyc, and which of them this install runs compiled.

The engine's hot path (expression closures, the evaluation loop, findings and their envelope) is
plain, strictly typed Python that mypyc compiles to C extensions at install time; the Python
sources stay the reference and run wherever the extensions were not built (no C compiler,
``CVCM_RULES_PURE_PYTHON=1`` at install) or are bypassed (``CVCM_RULES_PURE_PYTHON=1`` at run
time, see ``_pure.py``). ``setup.py`` reads ``COMPILED_MODULES`` from this file.
"""

from __future__ import annotations

import importlib

__all__ = ["COMPILED_MODULES", "compiled_modules"]

# Only modules with no pydantic models or monkeypatching in them: mypyc compiles classes to native
# ones, which the model layer and the loader's pydantic schemas cannot be.
COMPILED_MODULES = (
    "cvcm_rules.expr.values",
    "cvcm_rules.expr.functions",
    "cvcm_rules.expr.compiler",
    "cvcm_rules.packs.compiled",
    "cvcm_rules.engine.values",
    "cvcm_rules.engine.calendar_probe",
    "cvcm_rules.engine.findings",
    "cvcm_rules.engine.scoring",
    "cvcm_rules.engine.scorecard",
    "cvcm_rules.engine.evaluate",
)


def compiled_modules() -> tuple[str, ...]:
    """The modules of ``COMPILED_MODULES`` that this process runs as compiled extensions.

    Empty for a pure-Python install or run; the benchmark prints it so a ratio names its build.
    """
    found = []
    for name in COMPILED_MODULES:
        path = getattr(importlib.import_module(name), "__file__", None) or ""
        if not path.endswith(".py"):
            found.append(name)
    return tuple(found)
