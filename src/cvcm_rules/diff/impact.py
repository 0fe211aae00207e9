"""Replay a corpus of dossiers under two versions of a pack and list the findings that flip.

Each dossier is evaluated twice on the same ``as_of`` date, once per version, so the only thing
that differs is the rules. A finding *flips* when its outcome differs between the two runs. A rule
present in one version only has no finding in the other; that counts as a flip only when the
finding it does have asks for something (fail, warn, indeterminate, needs_review, error): an added
rule that passes or does not apply, or a removed one that passed, changes no verdict. Results are
sorted by dossier path and rule id, so the same inputs give the same list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cvcm_rules.engine import Finding, Outcome, Report, evaluate
from cvcm_rules.errors import InputError
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import Pack

__all__ = ["DossierImpact", "Flip", "Impact", "dossier_files", "replay"]

_SUFFIXES = (".yaml", ".yml", ".json")
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class Flip:
    """One finding whose outcome differs; ``None`` means the rule is absent from that version."""

    rule_id: str
    title: dict[str, str]
    severity: str
    old: str | None
    new: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"rule_id": self.rule_id, "title": self.title, "severity": self.severity,
                "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class DossierImpact:
    """The flips of one dossier, and whether it had a blocking failure before and after."""

    path: str
    dossier_id: str
    flips: tuple[Flip, ...]
    old_blocking: bool
    new_blocking: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"path": self.path, "dossier_id": self.dossier_id,
                "flips": [f.to_dict() for f in self.flips],
                "blocking": {"old": self.old_blocking, "new": self.new_blocking}}


@dataclass(frozen=True, slots=True)
class Impact:
    """The replay of a whole corpus."""

    as_of: str
    source: str
    dossiers: tuple[DossierImpact, ...]

    @property
    def flip_count(self) -> int:
        """Findings that flip, over all dossiers."""
        return sum(len(d.flips) for d in self.dossiers)

    @property
    def affected(self) -> int:
        """Dossiers with at least one flip."""
        return sum(1 for d in self.dossiers if d.flips)

    def summary(self, lang: str = "en") -> str:
        """The headline, e.g. "12 findings flip across 5 of 37 dossiers".

        Example:
            >>> Impact("2025-07-01", "dossiers", ()).summary()
            '0 findings flip across 0 of 0 dossiers'
        """
        total, affected, count = len(self.dossiers), self.affected, self.flip_count
        if lang == "zh":
            return f"{total} 份项目文件中有 {affected} 份的 {count} 项检查结果发生变化"
        findings = "finding flips" if count == 1 else "findings flip"
        return f"{count} {findings} across {affected} of {total} dossier{'s' * (total != 1)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"as_of": self.as_of, "source": self.source, "summary": {"flips": self.flip_count,
                                                 "dossiers_affected": self.affected,
                                                 "dossiers": len(self.dossiers)},
                "dossiers": [d.to_dict() for d in self.dossiers]}


def dossier_files(folder: Path) -> list[Path]:
    """Every dossier file (``.yaml``, ``.yml``, ``.json``) under ``folder``, sorted by path.

    Raises:
        InputError: the folder does not exist or holds no dossier file.
    """
    if not folder.is_dir():
        raise InputError(f"--impact: {folder} is not a folder of dossiers")
    files = sorted((p for p in folder.rglob("*") if p.is_file() and p.suffix in _SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(folder).parts)),
                   key=lambda p: p.relative_to(folder).as_posix())
    if not files:
        raise InputError(f"--impact: {folder} holds no dossier (.yaml, .yml or .json)")
    return files


def replay(old: Pack, new: Pack, folder: Path, *, as_of: date, label: str | None = None,
           progress: Progress | None = None) -> Impact:
    """Evaluate every dossier under ``folder`` with each version and collect the flips.

    ``label`` names the folder in the output (default: its name), so that no machine path ends
    up in a committed document.

    Raises:
        InputError: no dossiers, or a dossier that does not load (naming the file).
    """
    files = dossier_files(folder)
    results = []
    for done, path in enumerate(files, start=1):
        dossier = load_dossier(path)
        before = evaluate(dossier, [old], as_of=as_of)
        after = evaluate(dossier, [new], as_of=as_of)
        results.append(DossierImpact(path.relative_to(folder).as_posix(), dossier.id,
                                     tuple(flips(before, after)), before.has_blocking_failure,
                                     after.has_blocking_failure))
        if progress is not None:
            progress(done, len(files), path.name)
    return Impact(as_of.isoformat(), label or folder.name, tuple(results))


def flips(before: Report, after: Report) -> Iterable[Flip]:
    """The findings whose outcome differs between two reports on the same dossier, by rule id."""
    old = {f.rule_id: f for f in before.findings}
    new = {f.rule_id: f for f in after.findings}
    for rule_id in sorted(old.keys() | new.keys()):
        a, b = old.get(rule_id), new.get(rule_id)
        if a is not None and b is not None:
            if a.outcome is b.outcome:
                continue
            shown = b
        else:
            shown = _only(a, b)
            if shown.outcome in _QUIET:
                continue
        yield Flip(rule_id, shown.title, shown.severity, a.outcome.value if a else None,
                   b.outcome.value if b else None)


_QUIET = frozenset({Outcome.PASS, Outcome.NOT_APPLICABLE})


def _only(a: Finding | None, b: Finding | None) -> Finding:
    found = a or b
    if found is None:  # pragma: no cover - the rule id came from one of the two reports
        raise ValueError("a rule id with no finding on either side")
    return found
