"""``cvcm-rules schema``: print the JSON Schema of a dossier or of a report."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cvcm_rules.cli._common import EXIT_OK, write_output

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``schema`` sub-command."""
    schema = commands.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("what", choices=["dossier", "report"])
    schema.set_defaults(run=_run)



def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.model import Dossier
    from cvcm_rules.report.schema import REPORT_SCHEMA

    schema: dict[str, Any] = (Dossier.model_json_schema() if args.what == "dossier"
                              else REPORT_SCHEMA)
    write_output(None, json.dumps(schema, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK
