"""How a reviewer's decision reads beside its finding, in Chinese or English.

Shared by the text and Markdown reports (and any other human-readable format), so a decision is
worded the same everywhere: status and reference, who, when, why, expiry, and a visible mark
when it no longer counts (expired, or made after the assessment date).
"""

from __future__ import annotations

from typing import Any

from cvcm_rules.engine.findings import Finding, Report

__all__ = ["DECISION_WORDS", "decision_lines", "decisions_overview", "describe_decision"]

DECISION_WORDS = {
    "zh": {"accepted": "已接受", "car": "整改要求（CAR）", "cl": "澄清要求（CL）",
           "closed": "已关闭", "expired": "已过期", "future": "晚于评估日期作出，不计入",
           "expires": "有效期至", "decision": "审核决定", "decisions": "审核决定文件",
           "stale": "未匹配任何检查结果的决定", "in_force": "有效", "line": "行"},
    "en": {"accepted": "accepted", "car": "CAR", "cl": "CL", "closed": "closed",
           "expired": "expired", "future": "made after the assessment date, not counted",
           "expires": "expires", "decision": "Decision", "decisions": "Decisions",
           "stale": "stale (match no finding)", "in_force": "in force", "line": "line"},
}

_COLON = {"zh": "：", "en": ": "}


def describe_decision(entry: dict[str, Any], lang: str) -> str:
    """One decision as a sentence: ``CAR CAR-03, 钱工, 2025-06-16: why (expires ...)``.

    Example:
        >>> describe_decision({"status": "cl", "reference": "CL-2", "by": "Qian",
        ...                    "date": "2025-06-16", "justification": "Show the scope.",
        ...                    "expires": None, "state": "in_force"}, "en")
        'CL CL-2, Qian, 2025-06-16: Show the scope.'
    """
    words = DECISION_WORDS[lang]
    head = words[entry["status"]]
    if entry.get("reference"):
        head += f" {entry['reference']}"
    comma = "，" if lang == "zh" else ", "
    text = f"{head}{comma}{entry['by']}{comma}{entry['date']}{_COLON[lang]}"
    text += entry["justification"]
    if entry.get("expires"):
        text += f" ({words['expires']} {entry['expires']})"
    if entry.get("state", "in_force") != "in_force":
        text = f"[{words[entry['state']]}] {text}"
    return text


def decision_lines(finding: Finding, lang: str) -> list[str]:
    """The decisions on a finding: its own first, then one per item (``B2: ...``)."""
    decision = finding.decision
    if not decision:
        return []
    word, colon = DECISION_WORDS[lang]["decision"], _COLON[lang]
    lines = [f"{word}{colon}{describe_decision(decision, lang)}"] if "status" in decision else []
    lines += [f"{word} {item['key']}{colon}{describe_decision(item, lang)}"
              for item in decision.get("items", [])]
    return lines


def decisions_overview(report: Report, lang: str) -> list[str]:
    """Which decisions file was applied, how many decisions count, and every stale one."""
    block = report.summary.get("decisions")
    if not block:
        return []
    words = DECISION_WORDS[lang]
    colon = _COLON[lang]
    counts = ", ".join(f"{words[state]} {block[state]}"
                       for state in ("in_force", "expired", "future") if block[state])
    lines = [f"{words['decisions']}{colon}{block['file']} ({counts or '0'})"]
    lines += [f"{words['stale']}{colon}{s['fingerprint']} {s['rule_id']} {words[s['status']]} "
              f"({block['file']} {words['line']} {s['line']})" for s in block["stale"]]
    return lines
