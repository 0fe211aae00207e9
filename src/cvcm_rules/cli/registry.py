"""``cvcm-rules registry``: keep a registry index and run the cross-dossier checks on all of it."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_OK, UsageError, write_output

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``registry`` sub-command and its own sub-commands."""
    registry = commands.add_parser(
        "registry", help="registry index: add dossiers, import other programmes, scan")
    sub = registry.add_subparsers(dest="registry_command", required=True)
    add = sub.add_parser("add", help="add or replace dossiers (one transaction each)")
    add.add_argument("db", help="registry database file (created if missing)")
    add.add_argument("dossier", nargs="+", help="dossier files (.yaml, .yml or .json)")
    imp = sub.add_parser("import", help="import exports of other programmes (CSV)")
    imp.add_argument("db")
    imp.add_argument("file", nargs="+", help="CSV exports (Verra, Gold Standard, generic)")
    imp.add_argument("--format", default="auto",
                     help="auto (default), verra-projects, verra-transactions, gs-projects, "
                          "gs-issuances or generic")
    imp.add_argument("--source", help="name to store the file under (default: its file name)")
    imp.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                     help="generic layout: which column holds FIELD (repeatable)")
    remove = sub.add_parser("remove", help="remove a stored dossier by its id")
    remove.add_argument("db")
    remove.add_argument("dossier_id")
    check = sub.add_parser("check", help="run every cross-dossier check over the registry")
    check.add_argument("db")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--lang", choices=["zh", "en"], default="en")
    check.add_argument("--output", help="write the result to this file (all or nothing)")
    stats = sub.add_parser("stats", help="count what the registry holds")
    stats.add_argument("db")
    stats.add_argument("--format", choices=["text", "json"], default="text")
    for parser in (add, imp, remove, check, stats):
        parser.add_argument("--timeout", type=float, default=2.0, metavar="SECONDS",
                            help="how long to wait for another writer's lock (default 2)")
    registry.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    handler = {"add": _add, "import": _import, "remove": _remove, "check": _check,
               "stats": _stats}[args.registry_command]
    return handler(args)


def _add(args: argparse.Namespace) -> int:
    from cvcm_rules.model import load_dossier
    from cvcm_rules.registry import Registry

    dossiers = [load_dossier(path) for path in args.dossier]  # all valid before any write
    with Registry.open(args.db, create=True, timeout_s=args.timeout) as registry:
        for dossier in dossiers:
            result = registry.add(dossier)
            print(f"{result.action}: dossier {result.name}")
    return EXIT_OK


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--map: {pair!r} is not FIELD=COLUMN")
        mapping[field.strip()] = column.strip()
    return mapping


def _import(args: argparse.Namespace) -> int:
    from cvcm_rules.registry import Registry, parse_export

    if args.source and len(args.file) > 1:
        raise UsageError("--source names one file; give one file with it")
    mapping = _mapping(args.map)
    parsed = [parse_export(path, args.format, source=args.source, mapping=mapping)
              for path in args.file]  # every file parsed before anything is written
    with Registry.open(args.db, create=True, timeout_s=args.timeout) as registry:
        for file in parsed:
            result = registry.import_parsed(file)
            print(f"{result.action}: {file.format} {result.name} ({result.records} rows)")
    return EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    from cvcm_rules.registry import Registry

    with Registry.open(args.db, timeout_s=args.timeout) as registry:
        if not registry.remove(args.dossier_id):
            raise UsageError(f"{args.db}: no dossier {args.dossier_id!r} in the registry")
    print(f"removed: dossier {args.dossier_id}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from cvcm_rules.registry import Registry

    with Registry.open(args.db, readonly=True, timeout_s=args.timeout) as registry:
        result = registry.scan()
        entries = result.entries()
    if args.format == "json":
        text = json.dumps({"conflicts": entries, "checks": {
            "id": result.checks.id, "version": result.checks.version,
            "sha256": result.checks.sha256}}, sort_keys=True, ensure_ascii=False, indent=2)
        write_output(args.output, text + "\n")
    else:
        lines = [f"[{e['outcome']}] {e['rule_id']} {e['record']}: {e['message'][args.lang]}"
                 for e in entries]
        lines.append(f"{len(entries)} conflict(s) among {len(result.data.records)} records")
        write_output(args.output, "\n".join(lines) + "\n")
    return EXIT_BLOCKING if result.has_blocking_failure else EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    from cvcm_rules.registry import Registry

    with Registry.open(args.db, readonly=True, timeout_s=args.timeout) as registry:
        data = registry.stats()
    if args.format == "json":
        write_output(None, json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
    else:
        lines = []
        for key, value in data.items():
            if isinstance(value, dict):
                shown = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
                lines.append(f"{key}: {shown}")
            else:
                lines.append(f"{key}: {value}")
        write_output(None, "\n".join(lines) + "\n")
    return EXIT_OK
