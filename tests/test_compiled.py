"""The compiled build gives exactly what the Python sources give.

mypyc compiles the engine's hot modules (``cvcm_rules._build.COMPILED_MODULES``) at install time.
Compiled code checks declared types at run time and builds its own closure objects, so the
sources stay the reference: a process running them (``CVCM_RULES_PURE_PYTHON=1``) must write
byte-identical reports for every fixture dossier against every pack, at three dates, with and
without trace, and for every per-rule fixture case; and the compiled modules' doctests, which
pytest cannot collect from an extension, run there on the sources.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cvcm_rules._build import COMPILED_MODULES, compiled_modules
from cvcm_rules.casetest import apply_case, load_cases
from cvcm_rules.engine import evaluate
from cvcm_rules.model import dossier_from_data, load_dossier, load_dossier_data
from cvcm_rules.packs import load_pack
from cvcm_rules.report import render_json

ROOT = Path(__file__).resolve().parents[1]
PACKS = ("ccer", "ccer-2012", "fcer", "icvcm_ccp")
AS_OF = (date(2023, 10, 18), date(2025, 7, 1), date(2027, 1, 1))
COMPILED = compiled_modules()
needs_compiled = pytest.mark.skipif(not COMPILED, reason="this install runs the Python sources")


def all_reports() -> dict[str, str]:
    """SHA-256 of every report this test compares, by a name saying what was evaluated."""
    packs = {name: load_pack(ROOT / "rules" / name) for name in PACKS}
    digests: dict[str, str] = {}
    for path in sorted((ROOT / "fixtures" / "dossiers").glob("*/*.yaml")):
        dossier = load_dossier(path)
        for name, pack in packs.items():
            for as_of in AS_OF:
                for trace in (False, True):
                    text = render_json(evaluate(dossier, [pack], as_of=as_of, trace=trace))
                    key = f"{path.parent.name}/{path.stem} {name} {as_of} trace={trace}"
                    digests[key] = hashlib.sha256(text.encode()).hexdigest()
    for name, pack in packs.items():
        bases: dict[Path, dict[str, object]] = {}
        for case in load_cases(ROOT / "fixtures" / "cases" / name):
            if case.base not in bases:
                bases[case.base] = load_dossier_data(case.base)
            data = copy.deepcopy(bases[case.base])
            apply_case(data, case)
            dossier = dossier_from_data(data, case.name)
            text = render_json(evaluate(dossier, [pack], as_of=case.as_of))
            digests[f"case {name} {case.rule} {case.name}"] = hashlib.sha256(
                text.encode()).hexdigest()
    return digests


def run_on_sources(*args: str) -> subprocess.CompletedProcess[str]:
    """Run this interpreter with the compiled modules bypassed (their ``.py`` files imported)."""
    env = {**os.environ, "CVCM_RULES_PURE_PYTHON": "1"}
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=600, check=False)


def test_ci_tests_the_compiled_build() -> None:
    """CI installs with a C compiler: every listed module must be compiled, or the build broke.

    Elsewhere a pure-Python install is legitimate (no compiler, or built with
    ``CVCM_RULES_PURE_PYTHON=1``), and this test skips.
    """
    if os.environ.get("CI") != "true" and COMPILED != COMPILED_MODULES:
        pytest.skip(f"compiled here: {len(COMPILED)} of {len(COMPILED_MODULES)} modules")
    assert COMPILED == COMPILED_MODULES


@needs_compiled
@pytest.mark.slow
def test_sources_and_compiled_build_write_identical_reports() -> None:
    script = ("import json; from cvcm_rules._build import compiled_modules; "
              "from tests.test_compiled import all_reports; "
              "print(json.dumps([compiled_modules(), all_reports()]))")
    done = run_on_sources("-c", script)
    assert done.returncode == 0, done.stderr
    modules, theirs = json.loads(done.stdout)
    assert modules == []  # the other process really ran the sources
    ours = all_reports()
    assert len(ours) > 500
    differ = sorted(key for key in ours if theirs.get(key) != ours[key])
    assert not differ, f"{len(differ)} reports differ, first: {differ[:5]}"
    assert theirs.keys() == ours.keys()


@needs_compiled
@pytest.mark.slow
def test_compiled_modules_doctests_pass_on_their_sources() -> None:
    files = [str(ROOT / "src" / (name.replace(".", "/") + ".py")) for name in COMPILED]
    done = run_on_sources("-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
                          "--doctest-modules", *files)
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"(\d+) passed", done.stdout)
    with_examples = [f for f in files if ">>>" in Path(f).read_text(encoding="utf-8")]
    assert found is not None and int(found.group(1)) >= len(with_examples) > 0, done.stdout


@needs_compiled
def test_classes_built_per_evaluation_have_compiled_constructors() -> None:
    """mypyc leaves a dataclass-generated ``__init__`` interpreted (about 9 % of an evaluation).

    The classes built for every dossier, finding and item therefore write theirs out with
    ``@dataclass(init=False)``; a class that goes back to the generated one fails here, naming
    itself, instead of going unnoticed until the next benchmark.
    """
    from types import FunctionType

    from cvcm_rules.engine import calendar_probe, findings
    from cvcm_rules.expr import values

    built = (findings.Finding, findings.ItemResult, findings.Report, values.Env,
             calendar_probe.RecordingCalendar)
    interpreted = [cls.__name__ for cls in built if isinstance(cls.__init__, FunctionType)]
    assert not interpreted, f"interpreted __init__ (dataclass-generated): {interpreted}"
