"""Terminal text: one line per finding, failures first, colour only when asked for."""

from __future__ import annotations

from typing import Any

from cvcm_rules.engine import Finding, Report
from cvcm_rules.report._labels import CATEGORY_LABELS, HEADINGS, OUTCOME_LABELS
from cvcm_rules.report._scorecard import SCORE_WORDS, value_text
from cvcm_rules.report.decision_text import decision_lines, decisions_overview
from cvcm_rules.report.label import label_lines

__all__ = ["render_text"]

_COLOURS = {"pass": "32", "fail": "31", "warn": "33", "indeterminate": "35",
            "needs_review": "36", "error": "41;97", "not_applicable": "2"}
_ORDER = ["error", "fail", "warn", "indeterminate", "needs_review", "pass", "not_applicable"]


def render_text(report: Report, *, lang: str = "en", colour: bool = False) -> str:
    """A compact, readable summary for a terminal."""
    words = HEADINGS[lang]
    lines = [
        f"{words['report']}: {report.dossier['id']}  ({words['as_of']} {report.as_of})",
        f"{words['packs']}: " + ", ".join(f"{p['id']}@{p['version']}" for p in report.packs),
    ]
    # A pack chosen among its versions by date says why (packs/versions.py).
    lines += [f"  {p['selected_zh' if lang == 'zh' else 'selected']}" for p in report.packs
              if "selected" in p]
    ordered = sorted(report.findings, key=lambda f: (_ORDER.index(f.outcome.value), f.rule_id))
    for finding in ordered:
        lines.append(_line(finding, lang, colour=colour))
        lines += [f"    {text}" for text in decision_lines(finding, lang)]  # never instead
    counts = ", ".join(f"{OUTCOME_LABELS[lang][k]} {v}"
                       for k, v in report.summary["by_outcome"].items() if v)
    score = report.score["value"]
    lines.append(f"{words['summary']}: {counts}; {words['blocking']}: "
                 f"{report.summary['blocking_failures']}; {words['score']}: "
                 f"{'-' if score is None else score}")
    lines += [_scorecard_line(card, lang) for card in report.scorecard.get("packs", [])]
    lines += label_lines(report, lang)  # the plain CCP-label verdict (icvcm_ccp only)
    lines += decisions_overview(report, lang)  # which file, and every stale decision
    provisional = report.calendar["provisional_years"]
    if provisional:
        lines.append(f"{words['provisional']}: {', '.join(str(y) for y in provisional)}")
    return "\n".join(lines) + "\n"


def _scorecard_line(card: dict[str, Any], lang: str) -> str:
    """One line per pack: each category that has findings, with its score."""
    cells = [f"{CATEGORY_LABELS[lang][r['category']]} {value_text(r, lang)}"
             for r in card["categories"] if r["findings"]]
    return f"{SCORE_WORDS[lang]['scorecard']} {card['pack']}: " + ", ".join(cells)


def _line(finding: Finding, lang: str, *, colour: bool) -> str:
    label = OUTCOME_LABELS[lang][finding.outcome.value]
    tag = f"[{label}]"
    if colour:
        tag = f"\x1b[{_COLOURS[finding.outcome.value]}m{tag}\x1b[0m"
    cite = f"{finding.citation['article']}{finding.citation.get('clause') or ''}"
    return f"{tag} {finding.rule_id} ({cite}, {finding.severity}) {finding.message[lang]}"
