"""Words and value formatting shared by the diff renderers, in Chinese and English."""

from __future__ import annotations

from typing import Any

__all__ = ["ASPECT_LABELS", "KIND_LABELS", "describe_value"]

KIND_LABELS = {"added": ("新增", "Added"), "removed": ("删除", "Removed"),
               "changed": ("修改", "Changed")}
ASPECT_LABELS = {
    "condition": ("判定条件", "Condition"),
    "applicability": ("适用范围", "Applicability"),
    "parameters": ("参数", "Parameter"),
    "severity": ("严重程度", "Severity"),
    "citation": ("引用", "Citation"),
    "other": ("其他", "Other"),
    "wording": ("文字", "Wording"),
}


def describe_value(value: Any) -> str:
    """A changed value in one line: a parameter history reads "V from D; ...", nothing is "—".

    Example:
        >>> describe_value([{"effective_from": "2012-06-13", "value": "2005-02-16"},
        ...                 {"effective_from": "2020-01-01", "ended": True}])
        '2005-02-16 from 2012-06-13; ended 2020-01-01'
        >>> describe_value(None), describe_value(["a", "b"]), describe_value(3)
        ('—', '[a, b]', '3')
    """
    if value is None:
        return "—"
    if isinstance(value, list) and value and all(
            isinstance(v, dict) and "effective_from" in v for v in value):
        return "; ".join(_history_entry(v) for v in value)
    if isinstance(value, list):
        return "[" + ", ".join(describe_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {describe_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _history_entry(entry: dict[str, Any]) -> str:
    if entry.get("ended"):
        return f"ended {entry['effective_from']}"
    return f"{describe_value(entry.get('value'))} from {entry['effective_from']}"
