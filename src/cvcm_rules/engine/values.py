"""Turn evaluation values into JSON data and into the text that messages quote."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from cvcm_rules.expr import Missing

__all__ = ["display", "iso_date", "to_json"]

_MISSING_TEXT = {"zh": "（缺失）", "en": "(missing)"}
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def iso_date(day: date) -> str:
    """``day.isoformat()`` of a plain date, built from its parts.

    ``date.isoformat`` goes through C ``printf`` and costs more than twice as much; reports write
    a date for nearly every evidence value, message and parameter, so this is on the hot path.

    Example:
        >>> iso_date(date(2024, 2, 9)), iso_date(date(999, 12, 31))
        ('2024-02-09', '0999-12-31')
    """
    year = day.year
    if year < 1000:
        return day.isoformat()
    return f"{year}-{_TWO_DIGITS[day.month]}-{_TWO_DIGITS[day.day]}"


def to_json(value: object) -> Any:
    """A JSON-ready copy of a value (dates as ISO strings, models as their fields).

    Example:
        >>> to_json((date(2024, 1, 2), 3.0))
        ['2024-01-02', 3.0]
    """
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is date:
        return iso_date(value)  # type: ignore[arg-type]
    if isinstance(value, Missing):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def display(value: object, lang: str) -> str:
    """The text a message shows for a value.

    Example:
        >>> display(1234.5, "en"), display(True, "zh"), display(date(2024, 1, 2), "en")
        ('1234.5', 'true', '2024-01-02')
    """
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is date:
        return iso_date(value)  # type: ignore[arg-type]
    if kind is int:
        return str(value)
    if isinstance(value, Missing):
        return _MISSING_TEXT[lang]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(display(v, lang) for v in value) if lang == "zh" else ", ".join(
            display(v, lang) for v in value)
    if isinstance(value, BaseModel):
        for name in ("name", "id"):
            if hasattr(value, name):
                return str(getattr(value, name))
    return str(value)
