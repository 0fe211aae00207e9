"""Load a dossier from JSON or YAML and report every problem with its field path.

YAML and JSON go through the same strict validation: YAML timestamps are kept as strings (so that
``2023-02-30`` is reported as an impossible date, not silently turned into something else) and
duplicate keys are refused, since a later key silently winning is a classic dossier defect.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cvcm_rules.errors import DossierError, DossierProblem
from cvcm_rules.model.dossier import Dossier
from cvcm_rules.yamlsafe import YamlSyntaxError, load_yaml

__all__ = ["dossier_from_data", "load_dossier", "load_dossier_data", "loc_to_path"]


def loc_to_path(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a dossier path such as ``batches[2].period.end``.

    Example:
        >>> loc_to_path(("batches", 2, "period", "end"))
        'batches[2].period.end'
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_dossier_data(path: Path) -> dict[str, Any]:
    """Read a dossier file into plain data (no validation yet).

    Raises:
        DossierError: the file is missing, unreadable, not JSON/YAML, or not a mapping.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DossierError(source, [DossierProblem("", f"cannot read file: {err}")]) from None
    if path.suffix.lower() == ".json":
        data = _load_json(text, source)
    else:
        try:
            data, _ = load_yaml(text)
        except YamlSyntaxError as err:
            raise DossierError(
                source, [DossierProblem("", f"line {err.line} column {err.column}: {err.reason}")]
            ) from None
    if not isinstance(data, dict):
        raise DossierError(source, [DossierProblem("", "a dossier must be a mapping of fields")])
    return data


def _load_json(text: str, source: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as err:
        message = f"line {err.lineno} column {err.colno}: invalid JSON: {err.msg}"
        raise DossierError(source, [DossierProblem("", message)]) from None
    except ValueError as err:
        raise DossierError(source, [DossierProblem("", str(err))]) from None


def dossier_from_data(data: dict[str, Any], source: str) -> Dossier:
    """Validate plain data as a dossier, in strict JSON mode (ISO dates, no type coercion).

    Raises:
        DossierError: one problem per validation error, each with its field path.
    """
    try:
        return Dossier.model_validate_json(json.dumps(data, default=str))
    except ValidationError as err:
        problems = [
            DossierProblem(loc_to_path(tuple(e["loc"])), _describe(e)) for e in err.errors()
        ]
        raise DossierError(source, problems) from None


def _describe(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        return "unknown field (not part of the dossier model)"
    value = error.get("input")
    if error["type"] != "missing" and not isinstance(value, dict | list):
        return f"{message} (got {value!r})"
    return message


def load_dossier(path: str | Path) -> Dossier:
    """Load and validate one dossier file (``.json``, ``.yaml`` or ``.yml``).

    Raises:
        DossierError: naming the file and, for each problem, the field path.
    """
    file = Path(path)
    return dossier_from_data(load_dossier_data(file), str(file))

