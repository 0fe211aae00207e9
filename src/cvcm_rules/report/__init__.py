"""Render reports: canonical JSON, terminal text and Markdown (zh or en). Pure functions."""

from cvcm_rules.report.json import render_json
from cvcm_rules.report.markdown import render_markdown
from cvcm_rules.report.text import render_text

__all__ = ["render_json", "render_markdown", "render_text"]
