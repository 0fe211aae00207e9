"""The output formats of ``check``: one function per format, from reports to text.

Each renderer takes every report of the run, so formats that hold several dossiers in one
document (JSON, SARIF, HTML) can do so; adding a format is adding one entry to ``FORMATS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cvcm_rules.engine.findings import Report
from cvcm_rules.report.json import render_json
from cvcm_rules.report.markdown import render_markdown
from cvcm_rules.report.text import render_text

__all__ = ["FORMATS", "RenderOptions", "Renderer"]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render: the reader's language and whether the terminal takes colour."""

    lang: str = "en"
    colour: bool = False


Renderer = Callable[[list[Report], RenderOptions], str]


def _json(reports: list[Report], options: RenderOptions) -> str:
    if len(reports) == 1:
        return render_json(reports[0])
    return json.dumps({"reports": [r.to_dict() for r in reports]}, sort_keys=True,
                      ensure_ascii=False, indent=2) + "\n"


def _markdown(reports: list[Report], options: RenderOptions) -> str:
    return "\n".join(render_markdown(r, lang=options.lang) for r in reports)


def _text(reports: list[Report], options: RenderOptions) -> str:
    return "\n".join(render_text(r, lang=options.lang, colour=options.colour) for r in reports)


FORMATS: dict[str, Renderer] = {
    "json": _json,
    "markdown": _markdown,
    "text": _text,
}
