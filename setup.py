"""Compile the engine's hot modules with mypyc (the rest of the metadata is in pyproject.toml).

The list is ``COMPILED_MODULES`` in ``src/cvcm_rules/_build.py``. ``CVCM_RULES_PURE_PYTHON=1``
installs the pure-Python package; a failed C build also falls back to it (optional extensions).
"""

import importlib.util
import os
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def _compiled_modules() -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location("_build", HERE / "src/cvcm_rules/_build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return tuple(build.COMPILED_MODULES)


def _extensions() -> list[object]:
    if os.environ.get("CVCM_RULES_PURE_PYTHON"):
        return []
    from mypyc.build import mypycify

    paths = ["src/" + name.replace(".", "/") + ".py" for name in _compiled_modules()]
    extensions = mypycify(paths, opt_level="3")
    for extension in extensions:
        extension.optional = True  # no C compiler: install the Python sources alone
    return extensions


setup(ext_modules=_extensions())
