"""The schema of rule-pack files: ``pack.yaml`` manifests and ``rules/*.yaml`` rule files.

Unknown keys are refused everywhere (a misspelt key must never be silently ignored), and every
text a reader sees comes in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CATEGORIES",
    "SCORECARD_CATEGORIES",
    "Category",
    "Citation",
    "Document",
    "ExtendsEntry",
    "LocalText",
    "Manifest",
    "Messages",
    "Parameter",
    "ParameterValue",
    "RuleFile",
    "RuleSpec",
    "Scoring",
    "ScoringWeights",
    "Severity",
    "Treatment",
]

Category = Literal[
    "eligibility", "additionality", "uniqueness", "permanence", "double_counting",
    "crediting_period", "timeline", "conservativeness", "record_keeping", "vvb_independence",
    "sustainable_development", "net_zero", "attributes",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
Severity = Literal["blocking", "major", "minor", "info"]
RuleId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(\.[A-Z][A-Z0-9]*)+\.\d{3}$")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(_Schema):
    """A text in Chinese and English."""

    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]


class Quote(_Schema):
    """A short quote of the source, in its original language (and optionally translated)."""

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _one_language(self) -> Quote:
        if not (self.zh or self.en):
            raise ValueError("a quote needs zh or en text")
        return self


class Document(_Schema):
    """A source document that rules cite."""

    title: LocalText
    issuer: str
    date: dt.date | None = None
    seed: str | None = Field(default=None, description="file name of the seed text, if any")
    url: str | None = None
    note: str | None = None


class ExtendsEntry(_Schema):
    """Rules adopted from another pack, unchanged except where this pack overrides them."""

    pack: Identifier
    rules: list[RuleId]
    reason: LocalText


Treatment = Literal["exclude", "zero", "half", "full"]
# The categories a VVB scorecard shows (issue 8), in reading order; a pack may list others.
SCORECARD_CATEGORIES: tuple[Category, ...] = (
    "eligibility", "additionality", "uniqueness", "permanence", "double_counting",
    "crediting_period", "timeline", "vvb_independence", "sustainable_development", "net_zero",
)


class ScoringWeights(_Schema):
    """Weight of a finding by severity; a blocking rule must weigh something."""

    blocking: Annotated[float, Field(gt=0)] = 4
    major: Annotated[float, Field(ge=0)] = 2
    minor: Annotated[float, Field(ge=0)] = 1
    info: Annotated[float, Field(ge=0)] = 0


class Scoring(_Schema):
    """How findings become a per-category scorecard (``docs/scoring.md``).

    ``pass`` earns its weight, ``fail`` nothing, ``not_applicable`` is left out; the other
    outcomes are treated as the pack says: ``exclude`` (left out of the ratio), ``zero``
    (counted, earns nothing), ``half`` or ``full``.
    """

    weights: ScoringWeights = ScoringWeights()
    warn: Treatment = "half"
    needs_review: Treatment = "exclude"
    indeterminate: Treatment = "zero"
    error: Treatment = "zero"
    blocking_cap: Annotated[float, Field(ge=0, le=100, description=(
        "highest score of a category with a blocking failure"))] = 0
    categories: tuple[Category, ...] = SCORECARD_CATEGORIES

    @model_validator(mode="after")
    def _distinct_categories(self) -> Scoring:
        repeated = sorted({c for c in self.categories if self.categories.count(c) > 1})
        if repeated:
            raise ValueError(f"categories listed twice: {', '.join(repeated)}")
        return self


class Manifest(_Schema):
    """``pack.yaml``: identity, version and the documents a pack's rules cite."""

    id: Identifier
    version: Annotated[str, Field(min_length=1)]
    title: LocalText
    effective_from: dt.date
    description: LocalText | None = None
    documents: dict[str, Document]
    extends: list[ExtendsEntry] = []
    scoring: Scoring = Scoring()
    superseded_on: dt.date | None = Field(
        default=None, description="first day this version no longer applies (a later version of "
        "the same pack, or a repeal, takes over); packs/versions.py selects by it")
    supersession: LocalText | None = Field(
        default=None, description="what superseded this version and what becomes of what was "
        "done under it, citing the clause")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Manifest:
        if self.superseded_on is not None and self.superseded_on <= self.effective_from:
            raise ValueError(f"superseded_on {self.superseded_on} is not after effective_from "
                             f"{self.effective_from}")
        return self


class Citation(_Schema):
    """Where a rule comes from: document, article, clause and a short quote."""

    document: str
    article: str
    clause: str | None = None
    quote: Quote
    url: str | None = None
    ledger: str | None = Field(default=None, description="requirement id in the ledger")
    confidence: Literal["C", "S", "U"] = Field(
        description="C: read in the primary text; S: secondary source; U: unconfirmed"
    )


class ParameterValue(_Schema):
    """One dated value of a parameter."""

    value: Any
    note: str | None = None


class Parameter(_Schema):
    """A parameter with its value history; a null entry ends the parameter."""

    unit: str
    description: str | None = None
    values: dict[dt.date, ParameterValue | None]


class Messages(_Schema):
    """What a finding says, per outcome; ``{placeholder}`` expressions quote the values."""

    fail: LocalText
    warn: LocalText | None = None
    pass_: LocalText | None = Field(default=None, alias="pass")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleSpec(_Schema):
    """One rule, as written in a rule file."""

    id: RuleId
    version: Annotated[int, Field(ge=1)]
    status: Literal["draft", "active", "retired"] = "active"
    category: Category
    severity: Severity
    title: LocalText
    citation: Citation
    effective_from: dt.date | None = None
    supersedes: RuleId | None = None
    applies_when: str | None = None
    for_each: str | None = Field(default=None, description="'x in list': one result per item")
    if_empty: Literal["not_applicable", "indeterminate"] = Field(
        default="not_applicable",
        description="outcome when the for_each list is empty and the rule otherwise applies "
        "(e.g. a sink project with no parcels is missing facts, not exempt)",
    )
    parameters: dict[Identifier, Parameter] = {}
    let: dict[Identifier, str] = {}
    condition: str | None = None
    warn_when: str | None = None
    review: LocalText | None = Field(
        default=None, description="for needs_review rules: what a reviewer must look at, and why"
    )
    evidence: list[str] = []
    message: Messages | None = None

    @model_validator(mode="after")
    def _decidable_or_review(self) -> RuleSpec:
        if self.condition is None and self.review is None:
            raise ValueError("a rule needs a 'condition', or a 'review' text for needs_review")
        if self.condition is not None and self.message is None:
            raise ValueError("a rule with a 'condition' needs a 'message' (at least 'fail')")
        if self.warn_when is not None and (self.message is None or self.message.warn is None):
            raise ValueError("'warn_when' needs a 'message.warn' text")
        return self


class RuleFile(_Schema):
    """A rule file: rules of one topic."""

    rules: list[RuleSpec]
