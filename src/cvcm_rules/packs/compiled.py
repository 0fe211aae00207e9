"""Compiled rule packs: what the loader produces and the engine runs."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cvcm_rules.expr import Compiled, Env
from cvcm_rules.packs.schema import Manifest, RuleSpec

__all__ = ["CompiledParameter", "EvidencePath", "Message", "Pack", "Rule", "RuleExpressions"]


@dataclass(frozen=True, slots=True)
class CompiledParameter:
    """A parameter's dated value history, sorted by effective date."""

    name: str
    unit: str
    effective: tuple[date, ...]
    values: tuple[object, ...]
    ended: tuple[bool, ...]
    notes: tuple[str | None, ...] = ()  # the pack's note on each dated value (why it changed)

    def note_at(self, when: date) -> str | None:
        """The note of the value in force on ``when``, if the pack wrote one."""
        index = bisect.bisect_right(self.effective, when) - 1
        return self.notes[index] if 0 <= index < len(self.notes) else None

    def at(self, when: date) -> tuple[date, object] | None:
        """The value in force on ``when`` and the date it took effect, or None if none was.

        Example:
            >>> p = CompiledParameter("n", "day", (date(2020, 1, 1),), (5,), (False,))
            >>> p.at(date(2021, 1, 1))
            (datetime.date(2020, 1, 1), 5)
            >>> p.at(date(2019, 1, 1)) is None
            True
        """
        index = bisect.bisect_right(self.effective, when) - 1
        if index < 0 or self.ended[index]:
            return None
        return self.effective[index], self.values[index]


@dataclass(frozen=True, slots=True)
class EvidencePath:
    """A dossier path a finding shows, split at load so the engine fills in a loop index cheaply.

    ``head`` is the first name of the path; when it is the ``for_each`` variable the engine
    replaces it with the item's concrete path (``b.period.start`` -> ``batches[1].period.start``).
    """

    text: str
    head: str
    rest: str
    compiled: Compiled
    key: str = ""  # the path as the expressions' memo names it (``path_text``); text if empty

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.text)


@dataclass(frozen=True, slots=True)
class Message:
    """A bilingual message template: literal text and placeholder expressions, in order.

    Built once here so the engine fills a message cheaply: ``placeholders`` are the distinct
    placeholder expressions of both languages (each evaluated once per message), and ``zh_plan``
    and ``en_plan`` each language's template as literal pieces and placeholder indexes: the
    engine joins the pieces with the placeholders' text, in one pass and with no format string
    to parse (``str.format`` reads a Chinese pattern character by character).
    """

    zh: tuple[str | Compiled, ...]
    en: tuple[str | Compiled, ...]
    placeholders: tuple[Callable[[Env], object], ...] = field(
        init=False, repr=False, compare=False)
    # Literal text (str) and the index of a placeholder (int), in template order.
    zh_plan: tuple[str | int, ...] = field(init=False, repr=False, compare=False)
    en_plan: tuple[str | int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sources: dict[str, int] = {}
        runs: list[Callable[[Env], object]] = []
        plans: list[tuple[str | int, ...]] = []
        for template in (self.zh, self.en):
            plan: list[str | int] = []
            for part in template:
                if isinstance(part, str):
                    if plan and isinstance(plan[-1], str):
                        plan[-1] += part
                    elif part:
                        plan.append(part)
                    continue
                if part.source not in sources:
                    sources[part.source] = len(runs)
                    runs.append(part.run)
                plan.append(sources[part.source])
            plans.append(tuple(plan))
        object.__setattr__(self, "placeholders", tuple(runs))
        object.__setattr__(self, "zh_plan", plans[0])
        object.__setattr__(self, "en_plan", plans[1])


@dataclass(frozen=True, slots=True)
class RuleExpressions:
    """The compiled expressions of a rule, in one variant (fast, or recording a trace)."""

    applies_when: Compiled | None
    for_each: Compiled | None
    lets: tuple[tuple[str, Compiled], ...]
    condition: Compiled | None
    warn_when: Compiled | None


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule ready to run, with where it was written."""

    spec: RuleSpec
    pack_id: str
    pack_version: str
    file: str
    line: int
    for_each_variable: str | None
    fast: RuleExpressions
    traced: RuleExpressions
    parameters: tuple[CompiledParameter, ...]
    evidence: tuple[EvidencePath, ...]
    messages: dict[str, Message]
    # Fixed parts of every finding, built once at load (treat as read-only: findings share them).
    title: dict[str, str]
    citation: dict[str, object]
    # Parameters in force per as-of date, filled by the engine on first use (dates repeat).
    parameters_at: dict[date, object] = field(default_factory=dict, compare=False, repr=False)
    # Derived once: the rule id, ``pack@version``, the fingerprint's fixed leading bytes, and
    # the evidence as plain tuples (head, memo key, text, rest, closure) for the engine's loop.
    id: str = field(init=False, repr=False, compare=False)
    evidence_plan: tuple[tuple[str, str, str, str, Callable[[Env], object]], ...] = field(
        init=False, repr=False, compare=False)
    pack_ref: str = field(init=False, repr=False, compare=False)
    fingerprint_head: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.spec.id)
        object.__setattr__(self, "pack_ref", f"{self.pack_id}@{self.pack_version}")
        object.__setattr__(self, "evidence_plan", tuple(
            (e.head, e.key, e.text, e.rest, e.compiled.run) for e in self.evidence))
        object.__setattr__(self, "fingerprint_head",
                           f"{self.pack_id}\x1f{self.spec.id}\x1f".encode())


@dataclass(frozen=True, slots=True)
class Pack:
    """A loaded, compiled rule pack."""

    manifest: Manifest
    rules: tuple[Rule, ...]
    path: Path
    sha256: str
    rule_ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_ids", frozenset(rule.id for rule in self.rules))

    @property
    def id(self) -> str:
        """The pack id, e.g. ``ccer``."""
        return self.manifest.id

    @property
    def version(self) -> str:
        """The pack version, e.g. ``2023.1``."""
        return self.manifest.version
