"""``cvcm-rules check``: evaluate dossiers against rule packs and render the report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_OK, parse_date, write_output

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``check`` sub-command."""
    from cvcm_rules.report.formats import FORMATS

    check = commands.add_parser("check", help="evaluate dossiers against rule packs")
    check.add_argument("dossier", nargs="+", help="dossier files (.yaml, .yml or .json)")
    check.add_argument("--pack", action="append", help="pack id or folder (repeatable)")
    check.add_argument("--as-of", required=True, help="assessment date, YYYY-MM-DD")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--lang", choices=["zh", "en"], default="en")
    check.add_argument("--output", help="write the report to this file (all or nothing)")
    check.add_argument("--trace", action="store_true", help="record sub-expression values")
    check.add_argument("--rules-dir", help="folder holding the packs (default: ./rules)")
    check.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.engine import evaluate
    from cvcm_rules.model import load_dossier
    from cvcm_rules.packs import load_pack
    from cvcm_rules.report.formats import FORMATS, RenderOptions

    as_of = parse_date(args.as_of, "--as-of")
    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    dossiers = [load_dossier(path) for path in args.dossier]
    pack_ids = args.pack or sorted({d.programme.lower() for d in dossiers})
    packs = [load_pack(pack_id, rules_dir) for pack_id in pack_ids]
    reports = [evaluate(d, packs, as_of=as_of, trace=args.trace) for d in dossiers]
    colour = args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    options = RenderOptions(lang=args.lang, colour=colour)
    write_output(args.output, FORMATS[args.format](reports, options))
    return EXIT_BLOCKING if any(r.has_blocking_failure for r in reports) else EXIT_OK
