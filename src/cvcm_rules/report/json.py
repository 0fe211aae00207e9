"""Canonical JSON: sorted keys, UTF-8, two-space indent, one trailing newline.

Byte-identical output for the same inputs is part of the contract (reports are diffed, hashed and
committed as golden files), so nothing here may depend on dict order, locale or time.
"""

from __future__ import annotations

import json
from typing import Any

from cvcm_rules.engine import Report

__all__ = ["canonical_json", "render_json"]


def canonical_json(data: Any) -> str:
    """Serialise plain data canonically.

    Example:
        >>> print(canonical_json({"b": 1, "a": "碳"}), end="")
        {
          "a": "碳",
          "b": 1
        }
    """
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


def render_json(report: Report) -> str:
    """The report in canonical JSON."""
    return canonical_json(report.to_dict())
