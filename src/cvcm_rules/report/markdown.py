"""Markdown: the report a VVB or registry reviewer reads, grouped by category, in zh or en."""

from __future__ import annotations

from typing import Any

from cvcm_rules.engine import Finding, Report
from cvcm_rules.report._labels import CATEGORY_LABELS, HEADINGS, OUTCOME_LABELS
from cvcm_rules.report._scorecard import (
    SCORE_WORDS,
    counts_text,
    ratio_text,
    treatment_note,
    value_text,
)
from cvcm_rules.report.decision_text import decision_lines, decisions_overview
from cvcm_rules.report.json import canonical_json
from cvcm_rules.report.label import label_markdown

__all__ = ["render_markdown"]


def render_markdown(report: Report, *, lang: str = "en") -> str:
    """A self-contained Markdown report: header, summary table, then every finding in full."""
    words = HEADINGS[lang]
    out = [f"# {words['report']}: {report.dossier['id']}", ""]
    out += [
        f"- {words['as_of']}: {report.as_of}",
        f"- {words['packs']}: " + ", ".join(f"`{p['id']}@{p['version']}`" for p in report.packs),
        *(f"  - {p['selected_zh' if lang == 'zh' else 'selected']}" for p in report.packs
          if "selected" in p),
        f"- {words['calendar']}: {report.calendar['source']} "
        f"{report.calendar['holidays_version']}, {words['official_through']} "
        f"{report.calendar['official_through']}; {words['provisional']}: "
        + (", ".join(str(y) for y in report.calendar["provisional_years"]) or words["none"]),
        f"- {words['dossier']} sha256: `{report.dossier['sha256']}`",
        f"- engine: {report.engine_version}",
        "",
        f"## {words['summary']}",
        "",
    ]
    out += _summary_table(report, lang)
    out += label_markdown(report, lang)  # the plain CCP-label verdict (icvcm_ccp only)
    out += _scorecard_tables(report, lang)
    out += [""] + [f"- {line}" for line in decisions_overview(report, lang)] \
        if "decisions" in report.summary else []
    out += ["", f"## {words['findings']}", ""]
    categories: dict[str, list[Finding]] = {}
    for finding in report.findings:
        categories.setdefault(finding.category, []).append(finding)
    for category in sorted(categories):
        out += [f"### {CATEGORY_LABELS[lang][category]}", ""]
        for finding in categories[category]:
            out += _finding(finding, lang)
    return "\n".join(out).rstrip() + "\n"


def _summary_table(report: Report, lang: str) -> list[str]:
    labels = OUTCOME_LABELS[lang]
    shown = [k for k, v in report.summary["by_outcome"].items() if v]
    rows = ["| | " + " | ".join(labels[k] for k in shown) + " |",
            "|---|" + "---|" * len(shown)]
    for category, counts in sorted(report.summary["by_category"].items()):
        cells = " | ".join(str(counts.get(k, 0)) for k in shown)
        rows.append(f"| {CATEGORY_LABELS[lang][category]} | {cells} |")
    words = HEADINGS[lang]
    score = report.score["value"]
    rows += ["", f"{words['blocking']}: **{report.summary['blocking_failures']}**; "
             f"{words['score']}: **{'-' if score is None else score}** "
             f"({report.score['method']})"]
    return rows


def _scorecard_tables(report: Report, lang: str) -> list[str]:
    words = SCORE_WORDS[lang]
    rows: list[str] = []
    for card in report.scorecard.get("packs", []):
        rows += ["", f"### {words['scorecard']}: `{card['pack']}`", "",
                 f"| {words['category']} | {words['score']} | {words['weighted']} | "
                 f"{words['counts']} |", "|---|---|---|---|"]
        rows += [f"| {CATEGORY_LABELS[lang][r['category']]} | {value_text(r, lang)} | "
                 f"{ratio_text(r)} | {counts_text(r, lang)} |" for r in card["categories"]]
        rows += ["", f"{words['method']}: {treatment_note(card, lang)}"]
    return rows


def _finding(finding: Finding, lang: str) -> list[str]:
    words = HEADINGS[lang]
    label = OUTCOME_LABELS[lang][finding.outcome.value]
    citation = finding.citation
    quote = citation["quote"].get("zh") or citation["quote"].get("en", "")
    lines = [
        f"#### {label} · {finding.rule_id} — {finding.title[lang]}",
        "",
        finding.message[lang],
        "",
        f"- {words['clause']}: {citation['document']} {citation['article']}"
        f"{citation.get('clause') or ''} (confidence {citation['confidence']}) — “{quote}”",
        f"- severity: {finding.severity}; pack: `{finding.pack}`; fingerprint: "
        f"`{finding.fingerprint}`",
        *(f"- **{text}**" for text in decision_lines(finding, lang)),  # beside, never instead
    ]
    evidence = finding.evidence or [e for item in finding.items for e in item.evidence]
    if evidence:
        shown = "; ".join(f"`{e['path']}` = {_value(e['value'])}" for e in evidence)
        lines.append(f"- {words['evidence']}: {shown}")
    if finding.parameters:
        shown = "; ".join(f"{p['name']} = {_value(p['value'])} ({p['unit']}, from "
                          f"{p['effective_from']}{'; ' + p['note'] if p.get('note') else ''})"
                          for p in finding.parameters)
        lines.append(f"- {words['parameters']}: {shown}")
    if finding.derived:
        lines.append(f"- {words['derived']}: `{_compact(finding.derived)}`")
    if len(finding.items) > 1:
        for item in finding.items:
            lines.append(f"  - {item.key}: {OUTCOME_LABELS[lang][item.outcome.value]} — "
                         f"{item.message[lang]} (`{item.fingerprint}`)")
    lines.append("")
    return lines


def _value(value: Any) -> str:
    return "—" if value is None else f"`{value}`" if not isinstance(value, str) else value


def _compact(data: Any) -> str:
    return canonical_json(data).replace("\n", " ").replace("  ", "")
