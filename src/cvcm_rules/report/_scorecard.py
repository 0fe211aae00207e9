"""Words and cells the renderers share to show a report's scorecard, in Chinese and English."""

from __future__ import annotations

from typing import Any

from cvcm_rules.report._labels import OUTCOME_LABELS

__all__ = ["SCORE_WORDS", "counts_text", "ratio_text", "treatment_note", "value_text"]

SCORE_WORDS = {
    "zh": {"scorecard": "评分卡", "category": "类别", "score": "得分", "weighted": "加权得分/满分",
           "counts": "结果计数", "capped": "阻断性不通过封顶", "uncapped": "封顶前",
           "no_rules": "无规则", "method": "计分方法"},
    "en": {"scorecard": "Scorecard", "category": "Category", "score": "Score",
           "weighted": "earned / possible", "counts": "Outcomes", "capped": "capped",
           "uncapped": "before the cap", "no_rules": "no rules", "method": "Method"},
}
_TREATMENTS = {
    "zh": {"exclude": "不计入", "zero": "计入、得 0 分", "half": "计入、得一半",
           "full": "计入、得满分"},
    "en": {"exclude": "left out", "zero": "counted, earns nothing", "half": "earns half",
           "full": "earns full weight"},
}


def _number(value: float) -> str:
    return f"{value:g}"


def value_text(row: dict[str, Any], lang: str) -> str:
    """The score cell: the value, and the cap with the value before it when capped.

    Example:
        >>> value_text({"value": 0.0, "raw_value": 50.0, "capped": True}, "en")
        '0 (capped; 50 before the cap)'
    """
    words = SCORE_WORDS[lang]
    if row["value"] is None:
        return "—"
    text = _number(row["value"])
    if row["capped"]:
        raw = "—" if row["raw_value"] is None else _number(row["raw_value"])
        sep = "；" if lang == "zh" else "; "
        text += (f"（{words['capped']}{sep}{words['uncapped']} {raw}）" if lang == "zh"
                 else f" ({words['capped']}{sep}{raw} {words['uncapped']})")
    return text


def ratio_text(row: dict[str, Any]) -> str:
    """``earned/possible``, e.g. ``10/12``."""
    return f"{_number(row['earned'])}/{_number(row['possible'])}"


def counts_text(row: dict[str, Any], lang: str) -> str:
    """The non-zero outcome counts, e.g. ``pass 2, warn 1``; "no rules" when there are none."""
    labels = OUTCOME_LABELS[lang]
    shown = [f"{labels[k]} {v}" for k, v in row["counts"].items() if v]
    return ", ".join(shown) if shown else SCORE_WORDS[lang]["no_rules"]


def treatment_note(card: dict[str, Any], lang: str) -> str:
    """How one pack scores: weights, the treatment of each undecided outcome, the cap."""
    treatment = card["treatment"]
    labels, names = OUTCOME_LABELS[lang], _TREATMENTS[lang]
    weights = ", ".join(f"{k} {_number(v)}" for k, v in treatment["weights"].items())
    parts = [f"{labels[o]}: {names[treatment[o]]}"
             for o in ("warn", "needs_review", "indeterminate", "error")]
    cap = _number(treatment["blocking_cap"])
    if lang == "zh":
        return (f"权重（按严重程度）{weights}；" + "；".join(parts)
                + f"；不适用不计入；有阻断性不通过的类别最高 {cap} 分。")
    return (f"weights by severity {weights}; " + "; ".join(parts)
            + f"; n/a left out; a category with a blocking failure scores at most {cap}.")
