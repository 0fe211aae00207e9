"""``cvcm-rules calendar``: China working-day arithmetic with its explanation."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cvcm_rules.cli._common import EXIT_OK, parse_date, parse_int, write_output

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``calendar`` sub-command and its own sub-commands."""
    calendar = commands.add_parser("calendar", help="China working-day arithmetic")
    calendar.add_argument("--format", choices=["text", "json"], default="text")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    add = calendar_commands.add_parser("add", help="the N-th working day from DATE")
    add.add_argument("date")
    add.add_argument("n")
    add.add_argument("--start-counts", action="store_true",
                     help="DATE itself is day 1 (publicity periods)")
    between = calendar_commands.add_parser("between", help="working days from A to B")
    between.add_argument("a")
    between.add_argument("b")
    between.add_argument("--start-counts", action="store_true", help="A itself counts")
    year = calendar_commands.add_parser("year", help="holidays and make-up days of a year")
    year.add_argument("year")
    for sub_parser in (add, between, year):  # --format may also follow the sub-command
        sub_parser.add_argument("--format", choices=["text", "json"], default=argparse.SUPPRESS)
    calendar.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.calendar import default_calendar

    calendar = default_calendar()
    if args.calendar_command == "add":
        start = parse_date(args.date, "DATE")
        count = parse_int(args.n, "N")
        result = calendar.add_working_days(start, count, start_counts=args.start_counts)
        data = calendar.explain_between(start, result, start_counts=args.start_counts).to_dict()
        data["result"] = result.isoformat()
    elif args.calendar_command == "between":
        a, b = parse_date(args.a, "A"), parse_date(args.b, "B")
        data = calendar.explain_between(a, b, start_counts=args.start_counts).to_dict()
    else:
        data = calendar.year_info(parse_int(args.year, "YEAR")).to_dict()
    data["holidays_version"] = calendar.holidays_version
    data["official_through"] = calendar.official_through
    if args.format == "json":
        write_output(None, json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
    else:
        write_output(None, _calendar_text(data))
    return EXIT_OK


def _calendar_text(data: dict[str, Any]) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  {_day_text(item)}" for item in value)
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


def _day_text(item: object) -> str:
    if isinstance(item, dict):
        return "  ".join(str(v) for v in item.values())
    return str(item)
