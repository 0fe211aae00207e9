"""The ``cvcm-rules`` command line: the only package that prints or exits.

Exit codes: 0 no blocking failure, 1 a blocking failure was found, 2 bad input or usage (a clear
message on stderr naming the file and the place; never a traceback, never a partial output file).
Each sub-command lives in its own module with a ``register`` function.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cvcm_rules import __version__
from cvcm_rules.cli import calendar, check, compare, diff, export, gap, packs, registry, schema
from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_INPUT, EXIT_OK
from cvcm_rules.errors import CalendarCoverageError, CalendarInputError, CvcmRulesError, InputError

__all__ = ["EXIT_BLOCKING", "EXIT_INPUT", "EXIT_OK", "main"]

_COMMANDS = (check, packs, schema, calendar, diff, gap, compare, registry, export)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cvcm-rules",
        description="Check carbon-credit project dossiers against CCER, FCER and ICVCM CCP rules.")
    parser.add_argument("--version", action="version", version=f"cvcm-rules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in _COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and EXIT_INPUT
    try:
        code: int = args.run(args)
    except (InputError, CalendarCoverageError, CalendarInputError, CvcmRulesError) as err:
        print(f"cvcm-rules: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # the reader (``| head``) went away: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return code


def _entry() -> None:  # pragma: no cover - the console script
    sys.exit(main())
