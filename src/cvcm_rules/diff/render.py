"""Render a pack diff (and an impact replay) as text, canonical JSON or a bilingual changelog.

All three are pure functions of their inputs: no paths, clock or locale, so the same packs and
dossiers give the same bytes.
"""

from __future__ import annotations

import json
from typing import Protocol

from cvcm_rules.diff._markdown import render_markdown
from cvcm_rules.diff._words import describe_value
from cvcm_rules.diff.compare import ASPECTS, PackDiff, RuleDiff
from cvcm_rules.diff.impact import Impact

__all__ = ["FORMATS", "Renderer", "render_json", "render_markdown", "render_text"]


class Renderer(Protocol):
    """A diff renderer: the diff, the optional impact replay, the reader's language."""

    def __call__(self, diff: PackDiff, impact: Impact | None = None, *,
                 lang: str = "en") -> str:
        """Render ``diff`` (and ``impact``) as one document."""

_MARKS = {"added": "+", "removed": "-", "changed": "~"}


def render_json(diff: PackDiff, impact: Impact | None = None, *, lang: str = "en") -> str:
    """Canonical JSON: sorted keys, UTF-8, two-space indent, one trailing newline."""
    data = {"diff": diff.to_dict(), "impact": None if impact is None else impact.to_dict()}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


def render_text(diff: PackDiff, impact: Impact | None = None, *, lang: str = "en") -> str:
    """A compact terminal listing: one line per rule, indented lines for what changed."""
    old, new = diff.old, diff.new
    counts = diff.counts
    lines = [
        f"pack {diff.pack_id}: {old['label']} ({old['version']}, from {old['effective_from']}) "
        f"-> {new['label']} ({new['version']}, from {new['effective_from']})",
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed, "
        f"{diff.unchanged} unchanged",
    ]
    if diff.is_empty:
        lines.append("no differences")
    if diff.manifest:
        lines.append("pack.yaml:")
        lines += [f"  {c.field}: {describe_value(c.old)} -> {describe_value(c.new)}"
                  for c in diff.manifest]
    for group in diff.clauses:
        lines.append(f"{group.document} {group.clause}")
        for rule in group.rules:
            lines += _rule_lines(rule, lang)
    if impact is not None:
        lines += ["", _impact_text(impact, lang)]
    return "\n".join(lines) + "\n"


def _rule_lines(rule: RuleDiff, lang: str) -> list[str]:
    lines = [f"  {_MARKS[rule.kind]} {rule.rule_id} {rule.kind} ({rule.severity}) "
             f"{rule.title[lang]}"]
    for change in sorted(rule.changes, key=lambda c: ASPECTS.index(c.aspect)):
        lines.append(f"      {change.field}: {describe_value(change.old)} -> "
                     f"{describe_value(change.new)}")
    return lines


def _impact_text(impact: Impact, lang: str) -> str:
    lines = [f"impact as of {impact.as_of}: {impact.summary(lang)}"]
    for dossier in impact.dossiers:
        if not dossier.flips:
            continue
        lines.append(f"  {dossier.path} ({dossier.dossier_id}): {len(dossier.flips)} flip(s)"
                     + _blocking_note(dossier.old_blocking, dossier.new_blocking))
        lines += [f"    {f.rule_id} ({f.severity}): {f.old or 'absent'} -> {f.new or 'absent'}"
                  for f in dossier.flips]
    return "\n".join(lines)


def _blocking_note(old: bool, new: bool) -> str:  # noqa: FBT001 - two facts, not flags
    if old == new:
        return ""
    return "; now has a blocking failure" if new else "; no longer has a blocking failure"


def _markdown(diff: PackDiff, impact: Impact | None = None, *, lang: str = "en") -> str:
    return render_markdown(diff, impact)


FORMATS: dict[str, Renderer] = {"json": render_json, "markdown": _markdown, "text": render_text}
