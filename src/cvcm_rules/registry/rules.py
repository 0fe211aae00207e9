"""The cross-dossier checks as data: load ``rules/registry/checks.yaml`` and check it whole.

The file says, per check, which detector runs it, the outcome and message of each variant the
detector reports, the citation, and the parameters. Loading refuses unknown keys, unknown
detectors, variants claimed twice or by nobody, placeholders a detector does not provide, and
citations of documents the file does not list; every problem is reported at once with its
``file:line:col``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cvcm_rules.errors import PackError, PackProblem
from cvcm_rules.packs.schema import Category, Citation, Document, LocalText, Severity
from cvcm_rules.yamlsafe import Positions, YamlSyntaxError, load_yaml

__all__ = ["DETECTORS", "Check", "CheckSet", "default_checks_path", "load_checks"]

_SIDE_FIELDS = {
    "identifier": ("record", "path", "role", "status", "programme", "project_id", "name"),
    "name_location": ("record", "path", "name", "name_en", "owner", "owner_id", "country",
                      "latitude", "longitude"),
    "serial_overlap": ("record", "path", "item", "serials", "quantity", "date", "purpose",
                       "beneficiary"),
    "issued_above_verified": ("record", "path", "item", "period", "issued", "verified",
                              "serial_count", "serials"),
    "period_overlap": ("record", "path", "item", "period", "issued"),
    "boundary_overlap": ("record", "path", "area_ha", "share_pct", "problem"),
}
_SIDE_FIELDS["double_use"] = _SIDE_FIELDS["serial_overlap"]
_SHARED_FIELDS = {
    "identifier": ("ident",),
    "name_location": ("name_key", "distance_km", "location"),
    "serial_overlap": ("namespace", "overlap_count", "overlap_range"),
    "double_use": ("namespace", "overlap_count", "overlap_range"),
    "issued_above_verified": ("excess",),
    "period_overlap": ("overlap_days", "overlap_range", "link"),
    "boundary_overlap": ("overlap_ha",),
}
# The variants each detector reports; the checks file must give every one an outcome.
DETECTORS: dict[str, tuple[str, ...]] = {
    "identifier": ("active", "inactive"),
    "name_location": ("same_project", "owner_unknown", "other_owner_near", "owner_same_site"),
    "serial_overlap": ("overlap", "unparsed"),
    "issued_above_verified": ("above_verified", "count_mismatch"),
    "period_overlap": ("overlap",),
    "boundary_overlap": ("overlap", "invalid"),
    "double_use": ("retired_twice", "two_uses", "unparsed"),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Schema):
    """A fixed parameter of a check, with its unit."""

    unit: str
    value: Any
    note: str | None = None


class Variant(_Schema):
    """What a detector's variant means: its outcome and message."""

    outcome: Literal["fail", "warn", "needs_review"]
    message: LocalText


class CheckSpec(_Schema):
    """One cross-dossier check as written in the checks file."""

    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(\.[A-Z][A-Z0-9]*)+\.\d{3}$")]
    version: Annotated[int, Field(ge=1)]
    detector: str
    category: Category
    severity: Severity
    title: LocalText
    citation: Citation
    parameters: dict[str, Parameter] = {}
    variants: dict[str, Variant]
    pass_: LocalText = Field(alias="pass")
    not_applicable: LocalText

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChecksFile(_Schema):
    """The whole checks file."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    version: Annotated[str, Field(min_length=1)]
    title: LocalText
    effective_from: date
    documents: dict[str, Document]
    checks: list[CheckSpec]


@dataclass(frozen=True, slots=True)
class Check:
    """A loaded check."""

    spec: CheckSpec
    line: int

    @property
    def id(self) -> str:
        """The check's rule id."""
        return self.spec.id

    def parameter(self, name: str) -> Any:
        """A parameter's value."""
        return self.spec.parameters[name].value


@dataclass(frozen=True, slots=True)
class CheckSet:
    """Every check of the checks file, with the file's identity for reports."""

    id: str
    version: str
    effective_from: date
    sha256: str
    checks: tuple[Check, ...]
    documents: dict[str, Document]

    def by_variant(self) -> dict[tuple[str, str], Check]:
        """Which check reports each (detector, variant)."""
        return {(c.spec.detector, v): c for c in self.checks for v in c.spec.variants}

    def find(self, detector: str) -> Check:
        """The first check run by ``detector`` (for its parameters)."""
        return next(c for c in self.checks if c.spec.detector == detector)


def default_checks_path() -> Path:
    """``registry/checks.yaml`` in the rules directory."""
    from cvcm_rules.packs import default_rules_dir

    return default_rules_dir() / "registry" / "checks.yaml"


def load_checks(path: str | Path | None = None) -> CheckSet:
    """Load and check the cross-dossier checks file.

    Raises:
        PackError: every problem found, each as ``file:line:col: code: message``.
    """
    file = Path(path) if path is not None else default_checks_path()
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PackError(name, [PackProblem(name, 1, 1, "unreadable-file", str(err))]) from None
    try:
        data, positions = load_yaml(text)
    except YamlSyntaxError as err:
        raise PackError(name, [PackProblem(name, err.line, err.column, "yaml-syntax",
                                           err.reason)]) from None
    try:
        parsed = ChecksFile.model_validate(data)
    except ValidationError as err:
        problems = [PackProblem(name, *_where(positions, tuple(e["loc"])), "schema",
                                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}")
                    for e in err.errors()]
        raise PackError(name, problems) from None
    problems = _semantic_problems(parsed, positions, name)
    if problems:
        raise PackError(name, problems)
    checks = tuple(Check(spec, _where(positions, ("checks", i))[0])
                   for i, spec in enumerate(parsed.checks))
    return CheckSet(parsed.id, parsed.version, parsed.effective_from,
                    hashlib.sha256(text.encode()).hexdigest(), checks, parsed.documents)


def _where(positions: Positions, loc: tuple[Any, ...]) -> tuple[int, int]:
    path = tuple("pass" if part == "pass_" else part for part in loc)
    while path and path not in positions:
        path = path[:-1]
    return positions.get(path, (1, 1))


class _Problems:
    """Gathers every semantic problem of a checks file, each at its line and column."""

    def __init__(self, parsed: ChecksFile, positions: Positions, name: str) -> None:
        self.parsed = parsed
        self.positions = positions
        self.name = name
        self.found: list[PackProblem] = []
        self.claimed: dict[tuple[str, str], str] = {}

    def add(self, loc: tuple[Any, ...], code: str, message: str) -> None:
        self.found.append(PackProblem(self.name, *_where(self.positions, loc), code, message))

    def check(self, index: int, spec: CheckSpec) -> None:
        here = ("checks", index)
        if spec.citation.document not in self.parsed.documents:
            self.add((*here, "citation", "document"), "unknown-document",
                     f"{spec.citation.document!r} is not in this file's documents")
        for lang in ("zh", "en"):
            for field in _PLACEHOLDER.findall(getattr(spec.pass_, lang)):
                if field != "records":
                    self.add((*here, "pass", lang), "unknown-placeholder",
                             f"{{{field}}} in a pass message (only {{records}} is known)")
        if spec.detector not in DETECTORS:
            self.add((*here, "detector"), "unknown-detector",
                     f"{spec.detector!r} is not a detector ({', '.join(sorted(DETECTORS))})")
            return
        for variant, body in spec.variants.items():
            self.variant((*here, "variants", variant), spec, variant, body)

    def variant(self, where: tuple[Any, ...], spec: CheckSpec, variant: str,
                body: Variant) -> None:
        if variant not in DETECTORS[spec.detector]:
            self.add(where, "unknown-variant",
                     f"detector {spec.detector!r} reports no variant {variant!r}")
            return
        if (spec.detector, variant) in self.claimed:
            self.add(where, "variant-claimed-twice", f"{spec.detector}/{variant} is already "
                     f"reported by {self.claimed[spec.detector, variant]}")
        self.claimed[spec.detector, variant] = spec.id
        allowed = placeholders(spec.detector)
        for lang in ("zh", "en"):
            for field in _PLACEHOLDER.findall(getattr(body.message, lang)):
                if field not in allowed:
                    self.add((*where, "message", lang), "unknown-placeholder",
                             f"{{{field}}} is not a value of detector {spec.detector!r}")

    def unclaimed(self) -> None:
        for detector, variants in DETECTORS.items():
            for variant in variants:
                if (detector, variant) not in self.claimed:
                    self.add(("checks",), "unclaimed-variant",
                             f"no check gives detector {detector!r} variant {variant!r} an "
                             "outcome")


def _semantic_problems(parsed: ChecksFile, positions: Positions,
                       name: str) -> list[PackProblem]:
    problems = _Problems(parsed, positions, name)
    seen_ids: set[str] = set()
    for index, spec in enumerate(parsed.checks):
        if spec.id in seen_ids:
            problems.add(("checks", index, "id"), "duplicate-rule-id",
                         f"check id {spec.id!r} is defined twice")
        seen_ids.add(spec.id)
        problems.check(index, spec)
    problems.unclaimed()
    return problems.found


def placeholders(detector: str) -> frozenset[str]:
    """The message placeholders a detector provides."""
    sides = _SIDE_FIELDS[detector]
    return frozenset({f"this_{f}" for f in sides} | {f"other_{f}" for f in sides}
                     | set(_SHARED_FIELDS[detector]))
