"""One finding as HTML: outcome, rule, message, clause quote, evidence, deadlines, decision."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from cvcm_rules.engine import Finding
from cvcm_rules.report._labels import HEADINGS, OUTCOME_LABELS
from cvcm_rules.report.decision_text import decision_lines

__all__ = ["FINDING_WORDS", "render_finding", "value_html"]

FINDING_WORDS = {
    "zh": {"path": "字段", "value": "值", "items": "逐项结果", "item": "项", "outcome": "结果",
           "message": "说明", "missing": "缺少", "reason": "原因", "decision": "审核人决定",
           "severity": "严重程度", "fingerprint": "指纹", "pack": "规则包",
           "confidence": "引文可信度", "deadline_from": "自", "wd": "个工作日",
           "skipped": "跳过的节假日", "makeup": "计入的调休上班日", "provisional": "临时日历年份",
           "to": "至"},
    "en": {"path": "path", "value": "value", "items": "Per item", "item": "item",
           "outcome": "outcome", "message": "message", "missing": "Missing",
           "reason": "Reason", "decision": "Reviewer decision", "severity": "severity",
           "fingerprint": "fingerprint", "pack": "pack", "confidence": "quote confidence",
           "deadline_from": "from", "wd": "working days", "skipped": "holidays skipped",
           "makeup": "make-up working days counted", "provisional": "provisional years",
           "to": "to"},
}
_DECISION_ORDER = ("status", "reference", "by", "date", "justification", "expires")


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def value_html(value: Any) -> str:
    """A dossier or derived value, escaped; a missing value is marked, not left blank.

    Example:
        >>> value_html(None), value_html("<b>"), value_html([1, 2])
        ('<span class="missing">—</span>', '&lt;b&gt;', '<code>[1, 2]</code>')
    """
    if value is None:
        return '<span class="missing">—</span>'
    if isinstance(value, bool):
        return f"<code>{str(value).lower()}</code>"
    if isinstance(value, list | dict):
        return f"<code>{escape(_compact(value))}</code>"
    return escape(str(value))


def _evidence(evidence: list[dict[str, Any]], lang: str) -> str:
    if not evidence:
        return ""
    words = FINDING_WORDS[lang]
    rows = "".join(f'<tr><td><code>{escape(e["path"])}</code></td><td>{value_html(e["value"])}'
                   f"</td></tr>" for e in evidence)
    return (f'<table class="evidence"><thead><tr><th>{escape(HEADINGS[lang]["evidence"])}: '
            f'{escape(words["path"])}</th><th>{escape(words["value"])}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _days(days: list[dict[str, Any]], lang: str) -> str:
    name = "name_zh" if lang == "zh" else "name_en"
    return ", ".join(f"{escape(str(d.get(name, '')))} {escape(str(d.get('date', '')))}"
                     for d in days)


def _working_days(explanation: dict[str, Any], lang: str) -> str:
    words = FINDING_WORDS[lang]
    text = (f"<code>{escape(str(explanation.get('function', '')))}</code>: "
            f"{escape(str(explanation.get('working_days', '')))} {escape(words['wd'])}, "
            f"{escape(str(explanation.get('start', '')))} → "
            f"{escape(str(explanation.get('end', '')))}")
    if explanation.get("holidays_skipped"):
        text += f"; {escape(words['skipped'])}: {_days(explanation['holidays_skipped'], lang)}"
    if explanation.get("makeup_days_counted"):
        text += f"; {escape(words['makeup'])}: {_days(explanation['makeup_days_counted'], lang)}"
    if explanation.get("provisional_years"):
        years = ", ".join(str(y) for y in explanation["provisional_years"])
        text += f"; {escape(words['provisional'])}: {escape(years)}"
    return text


def _derived(derived: dict[str, Any], lang: str) -> str:
    if not derived:
        return ""
    rows = []
    for key, value in sorted(derived.items()):
        if key == "working_days" and isinstance(value, list):
            shown = "<br>".join(_working_days(x, lang) for x in value if isinstance(x, dict))
        else:
            shown = value_html(value)
        rows.append(f"<tr><td><code>{escape(key)}</code></td><td>{shown}</td></tr>")
    return (f'<table class="derived"><thead><tr><th colspan="2">'
            f'{escape(HEADINGS[lang]["derived"])}</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _parameters(parameters: list[dict[str, Any]], lang: str) -> str:
    if not parameters:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(str(p['name']))}</code></td><td>{value_html(p['value'])} "
        f"({escape(str(p['unit']))}, {escape(str(p['effective_from']))}"
        f"{'; ' + escape(str(p['note'])) if p.get('note') else ''})</td></tr>"
        for p in parameters)
    return (f'<table class="parameters"><thead><tr><th colspan="2">'
            f'{escape(HEADINGS[lang]["parameters"])}</th></tr></thead><tbody>{rows}</tbody>'
            "</table>")


def _items(finding: Finding, lang: str) -> str:
    if not finding.items:
        return ""
    words, labels = FINDING_WORDS[lang], OUTCOME_LABELS[lang]
    rows = []
    for item in finding.items:
        evidence = "; ".join(f"<code>{escape(e['path'])}</code> = {value_html(e['value'])}"
                             for e in item.evidence)
        derived = "".join(f"<br>{_working_days(x, lang)}"
                          for x in item.derived.get("working_days", []) if isinstance(x, dict))
        rows.append(
            f'<tr class="item outcome-{item.outcome.value}"><td>{escape(item.key)}</td>'
            f'<td><span class="badge">{escape(labels[item.outcome.value])}</span></td>'
            f"<td>{escape(item.message[lang])}<br><small>{evidence}{derived}</small></td></tr>")
    return (f'<table class="items"><thead><tr><th>{escape(words["item"])}</th>'
            f'<th>{escape(words["outcome"])}</th><th>{escape(words["message"])} / '
            f'{escape(HEADINGS[lang]["evidence"])}</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _decision(finding: Finding, lang: str) -> str:
    """The reviewer's decision, worded as in the text and Markdown reports when it can be."""
    decision = finding.decision
    if decision is None:
        return ""
    lines = decision_lines(finding, lang)
    if lines:
        body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    else:  # a decision of another shape: show every field rather than nothing
        keys = [k for k in _DECISION_ORDER if k in decision]
        keys += sorted(k for k in decision if k not in _DECISION_ORDER)
        body = "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{value_html(decision[k])}</dd>"
                                for k in keys) + "</dl>"
    return (f'<aside class="decision"><h5>{escape(FINDING_WORDS[lang]["decision"])}</h5>'
            f"{body}</aside>")


def _clause(finding: Finding, lang: str) -> str:
    citation = finding.citation
    where = " ".join(str(x) for x in (citation.get("document"), citation.get("article"),
                                      citation.get("clause")) if x)
    quote = citation.get("quote") or {}
    original, quote_lang = (quote["zh"], "zh") if quote.get("zh") else (quote.get("en", ""), "en")
    confidence = f'{FINDING_WORDS[lang]["confidence"]} {citation.get("confidence")}'
    lines = [f'<blockquote class="clause" lang="{quote_lang}"><cite>'
             f'{escape(HEADINGS[lang]["clause"])}: {escape(where)} ({escape(confidence)})'
             f"</cite>“{escape(original)}”"]
    if quote_lang == "zh" and quote.get("en") and lang == "en":
        lines.append(f'<br><span lang="en">“{escape(quote["en"])}”</span>')
    if citation.get("url"):
        url = escape(str(citation["url"]))
        lines.append(f'<br><a href="{url}">{url}</a>')
    lines.append("</blockquote>")
    return "".join(lines)


def render_finding(finding: Finding, lang: str, anchor: str) -> str:
    """The finding in full; a reviewer's decision is shown beside it, never instead of it."""
    words = FINDING_WORDS[lang]
    outcome = finding.outcome.value
    extra = []
    if finding.missing:
        extra.append(f'<p class="facts"><span class="missing">{escape(words["missing"])}:</span> '
                     + ", ".join(f"<code>{escape(m)}</code>" for m in finding.missing) + "</p>")
    if finding.reason:
        extra.append(f'<p class="facts">{escape(words["reason"])}: '
                     f"<code>{escape(finding.reason)}</code></p>")
    return "".join([
        f'<article class="finding outcome-{outcome}" id="{escape(anchor)}" '
        f'data-rule="{escape(finding.rule_id)}" data-outcome="{outcome}">',
        f'<h4><span class="badge">{escape(OUTCOME_LABELS[lang][outcome])}</span>'
        f'<span class="rule-id">{escape(finding.rule_id)}</span>'
        f"{escape(finding.title[lang])} "
        f'<span class="severity">({escape(words["severity"])}: {escape(finding.severity)})'
        "</span></h4>",
        _decision(finding, lang),
        f'<p class="message">{escape(finding.message[lang])}</p>',
        _clause(finding, lang),
        _evidence(finding.evidence, lang),
        _items(finding, lang),
        _parameters(finding.parameters, lang),
        _derived(finding.derived, lang),
        *extra,
        f'<p class="facts">{escape(words["pack"])}: <code>{escape(finding.pack)}</code> · '
        f'{escape(words["fingerprint"])}: <code>{escape(finding.fingerprint)}</code></p>',
        "</article>",
    ])
