"""The output formats of ``check``: one function per format, from reports to text.

Each renderer takes every report of the run, so formats that hold several dossiers in one
document (JSON, SARIF, HTML) can do so; adding a format is adding one entry to ``FORMATS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cvcm_rules.engine.findings import Report
from cvcm_rules.model import Dossier
from cvcm_rules.report.html import render_html
from cvcm_rules.report.json import render_json
from cvcm_rules.report.markdown import render_markdown
from cvcm_rules.report.text import render_text

__all__ = ["FORMATS", "RenderOptions", "Renderer"]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render: language, colour, and the dossiers behind the reports.

    ``dossiers`` lets the HTML report draw each project's timeline; other formats ignore it.
    """

    lang: str = "en"
    colour: bool = False
    dossiers: tuple[Dossier, ...] = ()
    sources: tuple[str, ...] = ()  # the dossier files as given: SARIF locates results in them


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


def _html(reports: list[Report], options: RenderOptions) -> str:
    return render_html(reports, lang=options.lang, dossiers=options.dossiers)


def _sarif(reports: list[Report], options: RenderOptions) -> str:
    from cvcm_rules.report.sarif import dossier_source, render_sarif

    return render_sarif(reports, lang=options.lang,
                        sources=[dossier_source(path) for path in options.sources])


FORMATS: dict[str, Renderer] = {
    "html": _html,
    "json": _json,
    "markdown": _markdown,
    "sarif": _sarif,
    "text": _text,
}
