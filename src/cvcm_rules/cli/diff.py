"""``cvcm-rules diff``: what changed between two versions of a pack, and whom it affects.

Exit codes: 0 when the comparison ran, whether or not anything changed (``--exit-code`` makes it 1
when something did, like ``git diff --exit-code``); 2 for bad input (not a pack, no such revision,
two different packs, a dossier that does not load).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_OK, UsageError, parse_date, write_output

__all__ = ["register"]

_BAR_WIDTH = 30


def register(commands: Any) -> None:
    """Add the ``diff`` sub-command."""
    diff = commands.add_parser(
        "diff", help="compare two versions of a pack (folder, pack id, or folder@git-revision)")
    diff.add_argument("old", help="old version: pack folder, pack id, or FOLDER@REVISION")
    diff.add_argument("new", help="new version: pack folder, pack id, or FOLDER@REVISION")
    diff.add_argument("--format", choices=["json", "markdown", "text"], default="text",
                      help="markdown is a bilingual (zh/en) changelog")
    diff.add_argument("--lang", choices=["zh", "en"], default="en", help="titles in text output")
    diff.add_argument("--impact", metavar="DIR",
                      help="evaluate every dossier under DIR with both versions; list the flips")
    diff.add_argument("--as-of", help="assessment date for --impact, YYYY-MM-DD")
    diff.add_argument("--output", help="write to this file (all or nothing)")
    diff.add_argument("--exit-code", action="store_true",
                      help="exit 1 when the versions differ or a finding flips")
    diff.add_argument("--rules-dir", help="folder holding the packs (default: ./rules)")
    diff.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.diff import DiffInputError, diff_packs, open_side, replay
    from cvcm_rules.diff.render import FORMATS

    if args.impact is not None and args.as_of is None:
        raise UsageError("--impact needs --as-of: both versions are evaluated on that date")
    as_of = parse_date(args.as_of, "--as-of") if args.as_of is not None else None
    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    with ExitStack() as stack:
        old = stack.enter_context(open_side(args.old, rules_dir))
        new = stack.enter_context(open_side(args.new, rules_dir))
        if old.pack.id != new.pack.id:
            raise DiffInputError(
                f"cannot compare different packs: {args.old} is pack {old.pack.id!r}, "
                f"{args.new} is pack {new.pack.id!r}")
        diff = diff_packs(old.pack, new.pack, old_label=args.old, new_label=args.new)
        impact = None
        if args.impact is not None and as_of is not None:
            impact = replay(old.pack, new.pack, Path(args.impact), as_of=as_of, label=args.impact,
                            progress=_progress_bar() if sys.stderr.isatty() else None)
    write_output(args.output, FORMATS[args.format](diff, impact, lang=args.lang))
    changed = not diff.is_empty or (impact is not None and impact.flip_count > 0)
    return EXIT_BLOCKING if args.exit_code and changed else EXIT_OK


def _progress_bar() -> Any:
    """A one-line progress bar on stderr (only used when stderr is a terminal)."""

    def show(done: int, total: int, name: str) -> None:
        filled = _BAR_WIDTH * done // total
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{bar}] {done}/{total} dossiers {name[:40]:<40}{end}")
        sys.stderr.flush()

    return show
