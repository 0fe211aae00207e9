"""Compiled rule packs: what the loader produces and the engine runs."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cvcm_rules.expr import Compiled
from cvcm_rules.packs.schema import Manifest, RuleSpec

__all__ = ["CompiledParameter", "Message", "Pack", "Rule", "RuleExpressions"]


@dataclass(frozen=True, slots=True)
class CompiledParameter:
    """A parameter's dated value history, sorted by effective date."""

    name: str
    unit: str
    effective: tuple[date, ...]
    values: tuple[object, ...]
    ended: tuple[bool, ...]

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
class Message:
    """A bilingual message template: literal text and placeholder expressions, in order."""

    zh: tuple[str | Compiled, ...]
    en: tuple[str | Compiled, ...]


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
    evidence: tuple[tuple[str, Compiled], ...]
    messages: dict[str, Message]

    @property
    def id(self) -> str:
        """The rule id, e.g. ``CCER.ELIG.003``."""
        return self.spec.id


@dataclass(frozen=True, slots=True)
class Pack:
    """A loaded, compiled rule pack."""

    manifest: Manifest
    rules: tuple[Rule, ...]
    path: Path
    sha256: str

    @property
    def id(self) -> str:
        """The pack id, e.g. ``ccer``."""
        return self.manifest.id

    @property
    def version(self) -> str:
        """The pack version, e.g. ``2023.1``."""
        return self.manifest.version
