"""Render the gap view (``cvcm_rules.gap``) as terminal text, Markdown or canonical JSON.

The view answers, in order: does the dossier meet the source standard; could its credits carry
the CCP label; what does it lack (each open target finding with the source's rules on the same
theme and the relation); and which target criteria the source has no counterpart for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvcm_rules.report._labels import OUTCOME_LABELS
from cvcm_rules.report.json import canonical_json
from cvcm_rules.report.label import label_text, verdict_markdown

if TYPE_CHECKING:
    from cvcm_rules.gap import Gap, GapView, ThemeLink

__all__ = ["render_gap_json", "render_gap_markdown", "render_gap_text"]

_WORDS = {
    "zh": {
        "title": "差距视图", "as_of": "评估日期", "crosswalk": "对照表版本",
        "compliance": "{src}符合性",
        "compliant": "项目文件符合{src}：没有{src}阻断性规则不通过。",
        "not_compliant": "项目文件不符合{src}：以下{src}阻断性规则不通过：",
        "open": "另有 {n} 项{src}阻断性检查结果尚未判定：",
        "lacks": "距{dst}还缺什么（{n} 项未通过的检查结果）",
        "none_open": "{dst}的检查结果均为通过或不适用。",
        "theme": "主题", "relation": "关系", "rules": "{src}规则", "clauses": "条款",
        "no_rule": "无", "not_mapped": "对照表未收录此规则。", "not_stated": "未说明",
        "not_evaluated": "未评估",
        "uncovered": "{src}没有对应要求的{dst}标准",
        "uncovered_none": "{dst}的每个主题在{src}中都有对应规则。",
        "direction": "关系读作“{src}的要求比{dst}的要求[关系]”。",
    },
    "en": {
        "title": "Gap view", "as_of": "As of", "crosswalk": "crosswalk",
        "compliance": "{src} compliance",
        "compliant": "The dossier is {src}-compliant: no blocking {src} rule fails.",
        "not_compliant": "The dossier is not {src}-compliant; these blocking {src} rules fail:",
        "open": "{n} blocking {src} findings are still undecided:",
        "lacks": "What it lacks for {dst} ({n} findings not passed)",
        "none_open": "Every {dst} finding passes or does not apply.",
        "theme": "Theme", "relation": "relation", "rules": "{src} rules", "clauses": "clauses",
        "no_rule": "none", "not_mapped": "This rule is not in the crosswalk.",
        "not_stated": "not stated", "not_evaluated": "not evaluated",
        "uncovered": "{dst} criteria with no {src} counterpart",
        "uncovered_none": "Every {dst} theme has a {src} rule on it.",
        "direction": "Relations read as \"{src}'s requirement is [relation] {dst}'s\".",
    },
}
_RELATIONS = {
    "zh": {"equivalent": "相当", "stricter": "较严", "weaker": "较弱", "partial": "部分",
           "none": "无"},
    "en": {"equivalent": "equivalent", "stricter": "stricter", "weaker": "weaker",
           "partial": "partial", "none": "none"},
}


def render_gap_json(view: GapView) -> str:
    """Canonical JSON (sorted keys, UTF-8): the same inputs give the same bytes."""
    return canonical_json(view.to_dict())


def _names(view: GapView) -> dict[str, str]:
    return {"src": view.from_name, "dst": view.to_name}


def _outcome(outcome: str | None, lang: str) -> str:
    words = _WORDS[lang]
    return words["not_evaluated"] if outcome is None else OUTCOME_LABELS[lang][outcome]


def _relation(link: ThemeLink, lang: str) -> str:
    if link.relation is None:
        return _WORDS[lang]["not_stated"]
    return _RELATIONS[lang][link.relation]


def _rules(link: ThemeLink, lang: str) -> str:
    if not link.counterparts:
        return _WORDS[lang]["no_rule"]
    return ", ".join(f"{c.rule_id} ({_outcome(c.outcome, lang)})" for c in link.counterparts)


def _compliance(view: GapView, lang: str, *, markdown: bool) -> list[str]:
    """Whether the dossier meets the source standard; Markdown separates the paragraphs."""
    words, names = _WORDS[lang], _names(view)
    gap = [""] if markdown else []
    bullet = "- " if markdown else "  "
    if view.from_compliant:
        lines = [words["compliant"].format(**names)]
    else:
        lines = [words["not_compliant"].format(**names), *gap]
        lines += [f"{bullet}{f.rule_id} — {f.message[lang]}" for f in view.from_blocking_failures]
    if view.from_open_blocking:
        lines += [*gap, words["open"].format(n=len(view.from_open_blocking), **names) +
                  ("" if lang == "zh" else " ") +
                  ", ".join(f"{f.rule_id} ({_outcome(f.outcome.value, lang)})"
                            for f in view.from_open_blocking)]
    return lines


def render_gap_markdown(view: GapView, *, lang: str = "en") -> str:
    """A self-contained Markdown document: compliance, label verdict, gaps, uncovered criteria."""
    words, names = _WORDS[lang], _names(view)
    out = [f"# {words['title']}: {view.dossier} — {view.from_name} → {view.to_name}", "",
           f"- {words['as_of']}: {view.as_of}",
           f"- `{view.from_pack}` → `{view.to_pack}`; "
           f"{words['crosswalk']} {view.crosswalk_version}",
           f"- {words['direction'].format(**names)}", "",
           f"## {words['compliance'].format(**names)}", ""]
    out += _compliance(view, lang, markdown=True)
    if view.label is not None:
        out += ["", *verdict_markdown(view.label, lang)]
    out += ["", f"## {words['lacks'].format(n=len(view.gaps), **names)}", ""]
    if not view.gaps:
        out += [words["none_open"].format(**names), ""]
    for gap in view.gaps:
        out += _gap_markdown(gap, view, lang)
    out += [f"## {words['uncovered'].format(**names)}", ""]
    if not view.uncovered:
        out.append(words["uncovered_none"].format(**names))
    else:
        out += [f"| {words['theme']} | {view.to_name} | {words['relation']} |", "|---|---|---|"]
        out += [f"| {u.title[lang]} (`{u.theme}`) | {_rules(u, lang)} | "
                f"{_relation(u, lang)} — {_reason(u, lang)} |" for u in view.uncovered]
    return "\n".join(out).rstrip() + "\n"


def _reason(link: ThemeLink, lang: str) -> str:
    return "" if link.reason is None else link.reason[lang]


def _gap_markdown(gap: Gap, view: GapView, lang: str) -> list[str]:
    words, names = _WORDS[lang], _names(view)
    finding = gap.finding
    lines = [f"### {OUTCOME_LABELS[lang][finding.outcome.value]} · {finding.rule_id} "
             f"({finding.severity}) — {finding.title[lang]}", "", finding.message[lang], ""]
    if not gap.themes:
        return [*lines, words["not_mapped"], ""]
    for link in gap.themes:
        lines += [f"- {words['theme']}: {link.title[lang]} (`{link.theme}`) — {view.from_name} → "
                  f"{view.to_name}: **{_relation(link, lang)}**. {_reason(link, lang)}",
                  f"  - {words['rules'].format(**names)}: {_rules(link, lang)}",
                  f"  - {words['clauses']}: {view.from_name}: {link.from_clause or '—'}; "
                  f"{view.to_name}: {link.to_clause or '—'}"]
    return [*lines, ""]


def render_gap_text(view: GapView, *, lang: str = "en") -> str:
    """A compact terminal rendering: one line per gap, with the relation and the source rules."""
    words, names = _WORDS[lang], _names(view)
    lines = [f"{words['title']}: {view.dossier}  {view.from_name} -> {view.to_name}  "
             f"({words['as_of']} {view.as_of}; {words['crosswalk']} {view.crosswalk_version})"]
    lines += _compliance(view, lang, markdown=False)
    if view.label is not None:
        lines.append(label_text(view.label, lang))
    lines.append(words["lacks"].format(n=len(view.gaps), **names) + ":")
    for gap in view.gaps:
        finding = gap.finding
        lines.append(f"[{OUTCOME_LABELS[lang][finding.outcome.value]}] {finding.rule_id} "
                     f"({finding.severity}) {finding.title[lang]}")
        lines += [f"    {link.theme}: {_relation(link, lang)}; {words['rules'].format(**names)}: "
                  f"{_rules(link, lang)}" for link in gap.themes] or [f"    {words['not_mapped']}"]
    lines.append(words["uncovered"].format(**names) + ":")
    lines += [f"    {u.theme}: {_rules(u, lang)}" for u in view.uncovered] or \
        [f"    {words['uncovered_none'].format(**names)}"]
    return "\n".join(lines) + "\n"
