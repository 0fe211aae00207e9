"""Render comparisons of two reports: text for a terminal, Markdown for a reviewer, JSON for tools.

Every list is in rule-id then item order, so the same two reports always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cvcm_rules.report._labels import OUTCOME_LABELS
from cvcm_rules.report.compare import Comparison
from cvcm_rules.report.decision_text import DECISION_WORDS, describe_decision
from cvcm_rules.report.json import canonical_json

__all__ = ["COMPARE_FORMATS", "render_comparison_json", "render_comparison_markdown",
           "render_comparison_text"]

_LISTS = ("opened", "closed", "changed", "unchanged")
_WORDS = {
    "zh": {"title": "检查结果对比", "old": "旧", "new": "新", "opened": "新出现",
           "closed": "已关闭", "changed": "结果变化", "unchanged": "未变化",
           "clean": "两次均无问题", "absent": "未评估", "resolved": "已解决",
           "removed": "不再评估", "new_subject": "新对象",
           "regressed": "由无问题转为需处理", "ids_differ": "注意：两份报告的项目文件编号不同",
           "none": "无"},
    "en": {"title": "Comparison", "old": "old", "new": "new", "opened": "Opened",
           "closed": "Closed", "changed": "Changed outcome", "unchanged": "Unchanged",
           "clean": "clean in both", "absent": "not evaluated", "resolved": "resolved",
           "removed": "no longer evaluated", "new_subject": "new", "regressed": "regressed",
           "ids_differ": "Note: the two reports are of different dossier ids", "none": "none"},
}


def render_comparison_json(comparisons: Sequence[Comparison], lang: str = "en") -> str:
    """Canonical JSON: one comparison, or ``{"comparisons": [...]}`` for several dossiers."""
    if len(comparisons) == 1:
        return canonical_json(comparisons[0].to_dict())
    return canonical_json({"comparisons": [c.to_dict() for c in comparisons]})


def render_comparison_text(comparisons: Sequence[Comparison], lang: str = "en") -> str:
    """A terminal summary: counts, then each list with one line per rule (and item)."""
    return "\n".join(_text(c, lang) for c in comparisons)


def render_comparison_markdown(comparisons: Sequence[Comparison], lang: str = "en") -> str:
    """A Markdown section per dossier, with a list per kind of change."""
    return "\n".join(_markdown(c, lang) for c in comparisons)


def _heading(comparison: Comparison, lang: str) -> tuple[str, list[str]]:
    words = _WORDS[lang]
    ids = comparison.dossier
    name = ids["new"] if ids["old"] == ids["new"] else f"{ids['old']} → {ids['new']}"
    title = (f"{words['title']}{'：' if lang == 'zh' else ': '}{name}  "
             f"({words['old']} {comparison.as_of['old']} → "
             f"{words['new']} {comparison.as_of['new']})")
    counts = comparison.to_dict()["counts"]
    tally = ("，" if lang == "zh" else ", ").join(f"{words[k]} {counts[k]}"
                                                 for k in (*_LISTS, "clean"))
    notes = [tally] + ([words["ids_differ"]] if ids["old"] != ids["new"] else [])
    return title, notes


def _text(comparison: Comparison, lang: str) -> str:
    title, notes = _heading(comparison, lang)
    lines = [title, *notes]
    for name in _LISTS:
        entries = getattr(comparison, name)
        if not entries:
            continue
        lines.append(f"{_WORDS[lang][name]}:")
        for entry in entries:
            lines.append(f"  {_describe(entry, lang, plain=True)}")
            lines += [f"    {text}" for text in _decision(entry, lang)]
    return "\n".join(lines) + "\n"


def _markdown(comparison: Comparison, lang: str) -> str:
    title, notes = _heading(comparison, lang)
    out = [f"# {title}", "", *notes, ""]
    for name in _LISTS:
        entries = getattr(comparison, name)
        out += [f"## {_WORDS[lang][name]} ({len(entries)})", ""]
        if not entries:
            out += [f"- {_WORDS[lang]['none']}", ""]
            continue
        for entry in entries:
            out.append(f"- {_describe(entry, lang, plain=False)}")
            out += [f"  - {text}" for text in _decision(entry, lang)]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _describe(entry: dict[str, Any], lang: str, *, plain: bool) -> str:
    words = _WORDS[lang]
    subject = entry["rule_id"] + (f" {entry['item']}" if entry["item"] else "")
    code: Callable[[str], str] = (lambda s: s) if plain else (lambda s: f"`{s}`")
    old, new = entry["old"], entry["new"]
    outcomes = " → ".join(_outcome(side, lang) for side in (old, new))
    if old and new and old["outcome"] == new["outcome"]:
        outcomes = _outcome(new, lang)
    how = {"new": words["new_subject"]}.get(entry["how"], words.get(entry["how"] or "", ""))
    semicolon = "；" if lang == "zh" else "; "
    text = f"{code(subject)} [{outcomes}{semicolon + how if how else ''}] {entry['title'][lang]}"
    shown = new or old
    if shown is not None and (new is None or new["outcome"] not in ("pass", "not_applicable")):
        text += f" — {shown['message'][lang]}"
    return text


def _outcome(side: dict[str, Any] | None, lang: str) -> str:
    if side is None:
        return _WORDS[lang]["absent"]
    return OUTCOME_LABELS[lang][side["outcome"]]


def _decision(entry: dict[str, Any], lang: str) -> list[str]:
    decision = entry.get("decision")
    if not decision:
        return []
    return [f"{DECISION_WORDS[lang]['decision']}: {describe_decision(decision, lang)}"]


COMPARE_FORMATS: dict[str, Callable[[Sequence[Comparison], str], str]] = {
    "json": render_comparison_json,
    "markdown": render_comparison_markdown,
    "text": render_comparison_text,
}
