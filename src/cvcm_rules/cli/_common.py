"""What every sub-command shares: exit codes, argument parsing helpers, all-or-nothing output."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from cvcm_rules.errors import InputError

__all__ = ["EXIT_BLOCKING", "EXIT_INPUT", "EXIT_OK", "UsageError", "parse_date", "parse_int",
           "write_output"]

EXIT_OK, EXIT_BLOCKING, EXIT_INPUT = 0, 1, 2


class UsageError(InputError):
    """A command-line argument that is not valid."""


def parse_date(text: str, what: str) -> date:
    """A strict YYYY-MM-DD date, or a usage error naming the argument."""
    from cvcm_rules.expr.functions import strict_date

    try:
        return strict_date(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a valid YYYY-MM-DD date") from None


def parse_int(text: str, what: str) -> int:
    """A whole number, or a usage error naming the argument."""
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a whole number") from None


def write_output(output: str | None, text: str) -> None:
    """Write all of ``text`` or nothing: a temporary file renamed into place."""
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(output)
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, delete=False,
            prefix=f".{target.name}.", suffix=".tmp")
        with handle:
            handle.write(text)
        os.replace(handle.name, target)
    except OSError as err:
        raise UsageError(f"cannot write {output}: {err.strerror or err}") from None
