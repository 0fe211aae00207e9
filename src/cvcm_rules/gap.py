"""The gap view: what a dossier that meets one standard still lacks for another (CCER -> CCP).

From one report evaluated under both packs, it lists every finding of the target pack that is not
a pass (fail, warn, indeterminate, needs review, error), each with the source pack's rules on the
same criterion theme, their outcomes and the stated relation; then the target's criteria that the
source does not have at all (relation ``none``). It also says whether the dossier meets the source
standard (no blocking failure there) and, for icvcm_ccp, the plain CCP-label verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cvcm_rules.crosswalk import Crosswalk, Theme
from cvcm_rules.engine import Finding, Outcome, Report
from cvcm_rules.errors import InputError
from cvcm_rules.report.label import LABEL_PACK, LabelVerdict, label_verdict, pack_of

__all__ = ["Counterpart", "Gap", "GapError", "GapView", "ThemeLink", "gaps"]

# Reading order: what a reader must act on first (as in the text report).
_ORDER = ["error", "fail", "warn", "indeterminate", "needs_review"]
_SEVERITY = ["blocking", "major", "minor", "info"]
_OPEN = frozenset({Outcome.WARN, Outcome.INDETERMINATE, Outcome.NEEDS_REVIEW, Outcome.ERROR})


class GapError(InputError):
    """A gap view that cannot be built: a pack missing from the report, or an undeclared pair."""


@dataclass(frozen=True, slots=True)
class Counterpart:
    """A rule on the same theme and its outcome in this report (None: no finding for it)."""

    rule_id: str
    outcome: str | None
    title: dict[str, str] | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"rule_id": self.rule_id, "outcome": self.outcome, "title": self.title}


@dataclass(frozen=True, slots=True)
class ThemeLink:
    """A theme seen from the source standard, with the rules it lists and their outcomes.

    In a gap the rules are the source pack's (what it has on the same criterion); in an
    uncovered theme, where the source has none, they are the target pack's.
    """

    theme: str
    title: dict[str, str]
    relation: str | None
    reason: dict[str, str] | None
    from_clause: str | None
    to_clause: str | None
    counterparts: tuple[Counterpart, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"theme": self.theme, "title": self.title, "relation": self.relation,
                "reason": self.reason, "from_clause": self.from_clause,
                "to_clause": self.to_clause,
                "counterparts": [c.to_dict() for c in self.counterparts]}


@dataclass(frozen=True, slots=True)
class Gap:
    """A target finding that is not a pass, with the themes that place it."""

    finding: Finding
    themes: tuple[ThemeLink, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        f = self.finding
        return {"rule_id": f.rule_id, "outcome": f.outcome.value, "severity": f.severity,
                "title": f.title, "message": f.message, "fingerprint": f.fingerprint,
                "themes": [t.to_dict() for t in self.themes]}


@dataclass(frozen=True, slots=True)
class GapView:
    """Everything the gap view shows for one dossier and one pair of standards."""

    dossier: str
    as_of: str
    from_pack: str
    to_pack: str
    from_name: str
    to_name: str
    crosswalk_version: str
    from_blocking_failures: tuple[Finding, ...]
    from_open_blocking: tuple[Finding, ...]
    label: LabelVerdict | None
    gaps: tuple[Gap, ...]
    uncovered: tuple[ThemeLink, ...]

    @property
    def from_compliant(self) -> bool:
        """Meets the source standard: no blocking rule of the source pack fails."""
        return not self.from_blocking_failures

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (rendered as canonical JSON: sorted keys, byte-identical)."""
        return {
            "dossier": self.dossier, "as_of": self.as_of, "from": self.from_pack,
            "to": self.to_pack, "crosswalk_version": self.crosswalk_version,
            "from_compliant": self.from_compliant,
            "from_blocking_failures": [f.rule_id for f in self.from_blocking_failures],
            "from_open_blocking": [{"rule_id": f.rule_id, "outcome": f.outcome.value}
                                   for f in self.from_open_blocking],
            "label": None if self.label is None else self.label.to_dict(),
            "gaps": [g.to_dict() for g in self.gaps],
            "uncovered": [u.to_dict() for u in self.uncovered],
        }


def gaps(report: Report, from_pack: str, to_pack: str, crosswalk: Crosswalk) -> GapView:
    """The gap view of ``report`` from ``from_pack`` to ``to_pack`` (e.g. ccer -> icvcm_ccp).

    Raises:
        GapError: the pair is not declared in the crosswalk, or a pack is not in the report.
    """
    if crosswalk.pair(from_pack, to_pack) is None:
        declared = ", ".join(f"{p.from_} -> {p.to}" for p in crosswalk.spec.pairs)
        raise GapError(f"no crosswalk pair {from_pack} -> {to_pack} (declared: {declared})")
    refs = {p["id"]: f"{p['id']}@{p['version']}" for p in report.packs}
    for pack in (from_pack, to_pack):
        if pack not in refs:
            raise GapError(f"the report of {report.dossier['id']} was not evaluated with pack "
                           f"{pack!r} (packs: {', '.join(sorted(refs)) or 'none'})")
    by_rule = {(pack_of(f), f.rule_id): f for f in report.findings}
    source = [f for f in report.findings if pack_of(f) == from_pack]
    target = [f for f in report.findings if pack_of(f) == to_pack and f.outcome is not
              Outcome.PASS and f.outcome is not Outcome.NOT_APPLICABLE]
    target.sort(key=lambda f: (_ORDER.index(f.outcome.value), _SEVERITY.index(f.severity),
                               f.rule_id))

    def link(theme: Theme, pack: str) -> ThemeLink:
        comparison = theme.comparison(from_pack, to_pack)
        found = [(rule_id, by_rule.get((pack, rule_id))) for rule_id in theme.rules_of(pack)]
        return ThemeLink(
            theme.id, theme.title.model_dump(),
            None if comparison is None else comparison.relation,
            None if comparison is None else comparison.reason.model_dump(),
            theme.clauses.get(from_pack), theme.clauses.get(to_pack),
            tuple(Counterpart(rule_id, None if f is None else f.outcome.value,
                              None if f is None else f.title) for rule_id, f in found))

    gap_list = tuple(Gap(f, tuple(link(t, from_pack)
                                  for t in crosswalk.themes_of(to_pack, f.rule_id)))
                     for f in target)
    uncovered = tuple(link(t, to_pack) for t in crosswalk.spec.themes
                      if t.rules_of(to_pack) and not t.rules_of(from_pack))
    return GapView(
        dossier=report.dossier["id"], as_of=report.as_of,
        from_pack=refs[from_pack], to_pack=refs[to_pack],
        from_name=crosswalk.name(from_pack), to_name=crosswalk.name(to_pack),
        crosswalk_version=crosswalk.version,
        from_blocking_failures=tuple(f for f in source if f.is_blocking_failure),
        from_open_blocking=tuple(f for f in source
                                 if f.severity == "blocking" and f.outcome in _OPEN),
        label=label_verdict(report) if to_pack == LABEL_PACK else None,
        gaps=gap_list, uncovered=uncovered,
    )
