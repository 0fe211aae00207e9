"""Run a pack's fixture cases and measure rule and clause coverage.

A case names a rule, a base dossier, small edits to it (``set``/``unset`` by dossier path) and the
outcome the law leads us to expect. Every active rule must be shown both passing and failing (a
``needs_review`` rule: shown asking for review), so that a rule that is removed, inverted or made
vacuous is caught. Cases are data, like OPA's and OpenFisca's YAML tests.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from cvcm_rules.engine import Outcome, evaluate
from cvcm_rules.errors import DossierError, InputError, PackProblem
from cvcm_rules.model import dossier_from_data, load_dossier_data
from cvcm_rules.packs import Pack
from cvcm_rules.yamlsafe import Positions, YamlSyntaxError, load_yaml

__all__ = ["Case", "CaseResult", "Coverage", "apply_case", "coverage", "load_cases", "run_cases"]

_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


class _CaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    name: str
    expect: Literal["pass", "fail", "warn", "not_applicable", "indeterminate", "needs_review",
                    "error"]
    set: dict[str, Any] = {}
    unset: list[str] = []
    base: str | None = None
    as_of: date | None = None


class _CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    base: str
    as_of: date
    cases: list[_CaseSpec]


@dataclass(frozen=True, slots=True)
class Case:
    """One fixture case, with where it was written."""

    file: str
    line: int
    rule: str
    name: str
    expect: Outcome
    base: Path
    as_of: date
    set: dict[str, Any] = field(default_factory=dict)
    unset: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What a case gave: the actual outcome, or why the case itself is broken."""

    case: Case
    actual: Outcome | None
    problem: str | None = None

    @property
    def passed(self) -> bool:
        """The rule gave exactly the expected outcome."""
        return self.problem is None and self.actual is self.case.expect


def load_cases(folder: Path) -> list[Case]:
    """Every case in ``folder/*.yaml``.

    Raises:
        InputError: a case file that does not parse or fit the schema (with file:line:col).
    """
    cases: list[Case] = []
    problems: list[PackProblem] = []
    for file in sorted(folder.glob("*.yaml")):
        try:
            data, positions = load_yaml(file.read_text(encoding="utf-8"))
        except YamlSyntaxError as err:
            problems.append(PackProblem(str(file), err.line, err.column, "yaml-syntax",
                                        err.reason))
            continue
        try:
            parsed = _CaseFile.model_validate(data)
        except ValidationError as err:
            for error in err.errors():
                line, column = _where(positions, tuple(error["loc"]))
                where = ".".join(str(p) for p in error["loc"])
                problems.append(PackProblem(str(file), line, column, "case-schema",
                                            f"{where}: {error['msg']}"))
            continue
        for index, spec in enumerate(parsed.cases):
            base = file.parent / (spec.base or parsed.base)
            cases.append(Case(str(file), _where(positions, ("cases", index))[0], spec.rule,
                              spec.name, Outcome(spec.expect), base, spec.as_of or parsed.as_of,
                              dict(spec.set), tuple(spec.unset)))
    if problems:
        raise InputError("\n".join(str(p) for p in problems))
    return cases


def _where(positions: Positions, loc: tuple[Any, ...]) -> tuple[int, int]:
    for length in range(len(loc), -1, -1):
        if tuple(loc[:length]) in positions:
            return positions[tuple(loc[:length])]
    return (1, 1)


def run_cases(packs: list[Pack], cases: Iterable[Case]) -> list[CaseResult]:
    """Evaluate each case and compare the named rule's outcome with the expected one."""
    bases: dict[Path, dict[str, Any]] = {}
    known = {rule.id for pack in packs for rule in pack.rules}
    results = []
    for case in cases:
        if case.rule not in known:
            results.append(CaseResult(case, None, f"no rule {case.rule!r} in the pack"))
            continue
        try:
            if case.base not in bases:
                bases[case.base] = load_dossier_data(case.base)
            data = copy.deepcopy(bases[case.base])
            apply_case(data, case)
            dossier = dossier_from_data(data, f"{case.file} ({case.name})")
        except (DossierError, InputError) as err:
            results.append(CaseResult(case, None, f"the case's dossier is invalid: {err}"))
            continue
        try:
            report = evaluate(dossier, packs, as_of=case.as_of)
        except Exception as err:  # noqa: BLE001 - a crash is a failed case, not a crashed run
            results.append(CaseResult(case, None, f"evaluation raised {type(err).__name__}: "
                                                  f"{err}"))
            continue
        actual = next(f.outcome for f in report.findings if f.rule_id == case.rule)
        results.append(CaseResult(case, actual))
    return results


def apply_case(data: dict[str, Any], case: Case) -> None:
    """Edit a copy of the case's base dossier data in place: its ``set`` paths, then ``unset``."""
    for path, value in case.set.items():
        parent, key = _locate(data, path, create=True)
        parent[key] = value
    for path in case.unset:
        parent, key = _locate(data, path, create=False)
        if isinstance(parent, dict):
            parent.pop(str(key), None)
        else:
            del parent[int(key)]


def _locate(data: Any, path: str, *, create: bool) -> tuple[Any, str | int]:
    """The container holding the last step of ``path`` and that step's key or index."""
    steps: list[str | int] = []
    for part in path.split("."):
        match = _PATH_PART.fullmatch(part)
        if match is None:
            raise InputError(f"bad path {path!r} in a case")
        steps.append(match.group(1))
        steps.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    cursor = data
    for step in steps[:-1]:
        if isinstance(step, int):
            if not isinstance(cursor, list) or step >= len(cursor):
                raise InputError(f"path {path!r}: no element [{step}]")
            cursor = cursor[step]
        else:
            if not isinstance(cursor, dict):
                raise InputError(f"path {path!r}: {step!r} is not inside a mapping")
            if step not in cursor or cursor[step] is None:
                if not create:
                    raise InputError(f"path {path!r}: {step!r} is not in the base dossier")
                cursor[step] = {}
            cursor = cursor[step]
    return cursor, steps[-1]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which rules are shown passing and failing, and which clauses have rules."""

    rules: dict[str, set[str]]
    uncovered: dict[str, list[str]]
    clauses: dict[str, list[str]]

    @property
    def complete(self) -> bool:
        """Every active rule has the cases it needs."""
        return not self.uncovered

    @property
    def percent(self) -> float:
        """Share of active rules with complete cases."""
        total = len(self.rules)
        return 100.0 if not total else 100.0 * (total - len(self.uncovered)) / total


def coverage(pack: Pack, results: list[CaseResult]) -> Coverage:
    """Rule coverage (outcomes shown by passing cases) and clause coverage per document."""
    shown: dict[str, set[str]] = {r.id: set() for r in pack.rules if r.spec.status == "active"}
    for result in results:
        if result.passed and result.case.rule in shown:
            shown[result.case.rule].add(result.case.expect.value)
    uncovered: dict[str, list[str]] = {}
    for rule in pack.rules:
        if rule.id not in shown:
            continue
        needed = ({"needs_review"} if rule.spec.condition is None else {"pass", "fail"})
        lacking = sorted(needed - shown[rule.id])
        if lacking:
            uncovered[rule.id] = lacking
    clauses: dict[str, set[str]] = {}
    for rule in pack.rules:
        citation = rule.spec.citation
        clauses.setdefault(citation.document, set()).add(
            citation.article + (citation.clause or ""))
    return Coverage(shown, uncovered, {doc: sorted(arts) for doc, arts in sorted(clauses.items())})
