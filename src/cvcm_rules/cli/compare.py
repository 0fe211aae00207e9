"""``cvcm-rules compare OLD NEW``: findings opened, closed and unchanged between two reports."""

from __future__ import annotations

import argparse
from typing import Any

from cvcm_rules.cli._common import EXIT_OK, write_output

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``compare`` sub-command."""
    compare = commands.add_parser(
        "compare", help="list findings opened, closed and unchanged between two JSON reports",
        description="Compare two reports written by `check --format json` (normally of two "
                    "revisions of a dossier). Exit code 0 unless the input is bad (2).")
    compare.add_argument("old", help="the earlier report (JSON)")
    compare.add_argument("new", help="the later report (JSON)")
    compare.add_argument("--format", choices=["json", "markdown", "text"], default="text")
    compare.add_argument("--lang", choices=["zh", "en"], default="en")
    compare.add_argument("--output", help="write the comparison to this file (all or nothing)")
    compare.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.report.compare import compare_all, load_reports
    from cvcm_rules.report.compare_render import COMPARE_FORMATS

    old, new = load_reports(args.old), load_reports(args.new)
    comparisons = compare_all(old, new, names=(args.old, args.new))
    write_output(args.output, COMPARE_FORMATS[args.format](comparisons, args.lang))
    return EXIT_OK
