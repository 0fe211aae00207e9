"""The plain CCP-label verdict of a report: could carry the label, could not (and why), or not yet.

ICVCM never approves a single project: a credit carries the CCP label only when its programme is
CCP-Eligible and its methodology CCP-Approved. The icvcm_ccp pack encodes that two-tier gate as
rules (``ICVCM.LABEL.001`` when ICVCM has decided both tiers, ``ICVCM.LABEL.002`` when it has not),
and its other rules read the category-level criteria against the dossier. The verdict reuses both:

- **could not**: a blocking icvcm_ccp rule fails (the gate, or a criterion the pack marks as
  "must"); those findings are the reasons.
- **cannot tell yet**: nothing blocking fails, but a blocking rule is still open (missing
  evidence, needs review, a warning such as approval with conditions, or a rule error).
- **could**: the gate passes and no blocking icvcm_ccp rule is open or failing.

Non-blocking findings (major, minor, info) never decide the verdict; the report lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from cvcm_rules.engine import Finding, Outcome, Report
from cvcm_rules.report._labels import OUTCOME_LABELS

__all__ = ["GATE_RULES", "LABEL_PACK", "LabelVerdict", "label_lines", "label_markdown",
           "label_text", "label_verdict", "pack_of", "verdict_markdown"]

LABEL_PACK = "icvcm_ccp"
# The two-tier gate as the pack encodes it (rules/icvcm_ccp/rules/gate.yaml).
GATE_RULES = ("ICVCM.LABEL.001", "ICVCM.LABEL.002")
_OPEN = frozenset({Outcome.WARN, Outcome.INDETERMINATE, Outcome.NEEDS_REVIEW, Outcome.ERROR})

Status = Literal["could", "could_not", "cannot_tell"]

_WORDS = {
    "zh": {
        "label": "CCP标签", "colon": "：", "space": "",
        "could": "可以使用CCP标签：两层均已打开（{gate} 通过），"
                 "且没有未决或不通过的阻断性ICVCM检查结果；标签由碳信用计划在签发时标注。",
        "could_not": "不能使用CCP标签，原因：",
        "cannot_tell": "尚无法判断能否使用CCP标签，以下阻断性检查结果需补充证据或人工审核：",
        "no_gate": "尚无法判断能否使用CCP标签：CCP标签检查（{rules}）在评估日不适用。",
        "also_open": "另有待定：",
    },
    "en": {
        "label": "CCP label", "colon": ": ", "space": " ",
        "could": "could carry the CCP label: both tiers are open ({gate} passes) and no blocking "
                 "ICVCM finding fails or is open; the programme applies the label at issuance.",
        "could_not": "could not carry the CCP label, because:",
        "cannot_tell": "cannot tell yet whether it could carry the CCP label; these blocking "
                       "findings need evidence or review:",
        "no_gate": "cannot tell yet whether it could carry the CCP label: the label gate "
                   "({rules}) did not apply on the assessment date.",
        "also_open": "Still open:",
    },
}


@dataclass(frozen=True, slots=True)
class LabelVerdict:
    """Whether a dossier's credits could carry the CCP label, and which findings decide it."""

    status: Status
    blocking: tuple[Finding, ...]
    pending: tuple[Finding, ...]
    gate: Finding | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the status and the rule ids behind it, with their outcomes."""
        return {
            "status": self.status,
            "gate": None if self.gate is None else _ref(self.gate),
            "blocking": [_ref(f) for f in self.blocking],
            "pending": [_ref(f) for f in self.pending],
        }


def _ref(finding: Finding) -> dict[str, Any]:
    return {"rule_id": finding.rule_id, "outcome": finding.outcome.value,
            "title": finding.title}


def pack_of(finding: Finding) -> str:
    """The pack id of a finding (its ``pack`` is ``id@version``)."""
    return finding.pack.split("@", 1)[0]


def label_verdict(report: Report) -> LabelVerdict | None:
    """The CCP-label verdict, or None when the report was not evaluated with icvcm_ccp."""
    if not any(p["id"] == LABEL_PACK for p in report.packs):
        return None
    findings = sorted((f for f in report.findings if pack_of(f) == LABEL_PACK),
                      key=lambda f: f.rule_id)
    blocking = tuple(f for f in findings
                     if f.severity == "blocking" and f.outcome is Outcome.FAIL)
    pending = tuple(f for f in findings if f.severity == "blocking" and f.outcome in _OPEN)
    gate = next((f for f in findings if f.rule_id in GATE_RULES
                 and f.outcome is not Outcome.NOT_APPLICABLE), None)
    status: Status
    if blocking:
        status = "could_not"
    elif pending or gate is None or gate.outcome is not Outcome.PASS:
        status = "cannot_tell"
    else:
        status = "could"
    return LabelVerdict(status, blocking, pending, gate)


def _item(finding: Finding, lang: str) -> str:
    return f"{finding.rule_id} ({OUTCOME_LABELS[lang][finding.outcome.value]})"


def _headline(verdict: LabelVerdict, lang: str) -> str:
    words = _WORDS[lang]
    if verdict.status == "could":
        assert verdict.gate is not None
        return words["could"].format(gate=verdict.gate.rule_id)
    if verdict.status == "cannot_tell" and not verdict.pending:
        return words["no_gate"].format(rules=", ".join(GATE_RULES))
    return words[verdict.status]


def label_lines(report: Report, lang: str) -> list[str]:
    """One terminal line (none without icvcm_ccp): the verdict and the rule ids behind it."""
    verdict = label_verdict(report)
    return [] if verdict is None else [label_text(verdict, lang)]


def label_text(verdict: LabelVerdict, lang: str) -> str:
    """The verdict on one line: headline, deciding rule ids, then those still open."""
    words = _WORDS[lang]
    line = f"{words['label']}{words['colon']}{_headline(verdict, lang)}"
    decisive = verdict.blocking or verdict.pending
    if decisive:
        line += words["space"] + ", ".join(_item(f, lang) for f in decisive)
    if verdict.blocking and verdict.pending:
        still = ", ".join(_item(f, lang) for f in verdict.pending)
        line += f"; {words['also_open'].lower()}{words['space']}{still}"
    return line


def label_markdown(report: Report, lang: str) -> list[str]:
    """A short Markdown block for the report's summary (none without icvcm_ccp)."""
    verdict = label_verdict(report)
    if verdict is None:
        return []
    return ["", *verdict_markdown(verdict, lang)]


def verdict_markdown(verdict: LabelVerdict, lang: str) -> list[str]:
    """The verdict as Markdown: a bold headline, then the deciding findings as a list."""
    words = _WORDS[lang]
    out = [f"**{words['label']}**{words['colon']}{_headline(verdict, lang)}"]
    first = verdict.blocking or verdict.pending
    if first:
        out += ["", *_bullets(first, lang)]
    if verdict.blocking and verdict.pending:
        out += ["", words["also_open"], "", *_bullets(verdict.pending, lang)]
    return out


def _bullets(findings: tuple[Finding, ...], lang: str) -> list[str]:
    return [f"- `{f.rule_id}` {OUTCOME_LABELS[lang][f.outcome.value]} — {f.title[lang]}"
            for f in findings]
