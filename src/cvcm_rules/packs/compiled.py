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
    placeholder expressions of both languages (each evaluated once per message), ``patterns``
    the zh and en templates as printf-style patterns (``%s`` per placeholder, literal ``%``
    doubled), and ``orders`` which placeholder each ``%s`` takes, or None when they come in
    order. printf-style, because ``str.format`` costs half as much again on a Chinese pattern,
    compiled or not.
    """

    zh: tuple[str | Compiled, ...]
    en: tuple[str | Compiled, ...]
    placeholders: tuple[Callable[[Env], object], ...] = field(
        init=False, repr=False, compare=False)
    patterns: tuple[str, str] = field(init=False, repr=False, compare=False)
    orders: tuple[tuple[int, ...] | None, tuple[int, ...] | None] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sources: dict[str, int] = {}
        runs: list[Callable[[Env], object]] = []
        patterns: list[str] = []
        orders: list[tuple[int, ...]] = []
        for template in (self.zh, self.en):
            pieces: list[str] = []
            order: list[int] = []
            for part in template:
                if isinstance(part, str):
                    pieces.append(part.replace("%", "%%"))
                    continue
                if part.source not in sources:
                    sources[part.source] = len(runs)
                    runs.append(part.run)
                order.append(sources[part.source])
                pieces.append("%s")
            patterns.append("".join(pieces))
            orders.append(tuple(order))
        every = tuple(range(len(runs)))  # each placeholder once, in order: no reordering
        object.__setattr__(self, "placeholders", tuple(runs))
        object.__setattr__(self, "patterns", (patterns[0], patterns[1]))
        object.__setattr__(self, "orders", tuple(None if o == every else o for o in orders))


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
    # the evidence as plain tuples (whether the path starts at the for_each item, memo key, text,
    # text after the item's name, closure) for the engine's loop.
    id: str = field(init=False, repr=False, compare=False)
    evidence_plan: tuple[tuple[bool, str, str, str, Callable[[Env], object]], ...] = field(
        init=False, repr=False, compare=False)
    pack_ref: str = field(init=False, repr=False, compare=False)
    fingerprint_head: bytes = field(init=False, repr=False, compare=False)
    # The spec's fields every finding copies, read once here: reading a pydantic model's field
    # goes through its __getattr__ hook, several dictionary lookups each time.
    active: bool = field(init=False, repr=False, compare=False)
    effective_from: date | None = field(init=False, repr=False, compare=False)
    version: int = field(init=False, repr=False, compare=False)
    category: str = field(init=False, repr=False, compare=False)
    severity: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spec = self.spec
        object.__setattr__(self, "active", spec.status == "active")
        object.__setattr__(self, "effective_from", spec.effective_from)
        object.__setattr__(self, "version", spec.version)
        object.__setattr__(self, "category", spec.category)
        object.__setattr__(self, "severity", spec.severity)
        object.__setattr__(self, "id", self.spec.id)
        object.__setattr__(self, "pack_ref", f"{self.pack_id}@{self.pack_version}")
        object.__setattr__(self, "evidence_plan", tuple(
            (e.head == self.for_each_variable, e.key, e.text, e.rest, e.compiled.run)
            for e in self.evidence))
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
