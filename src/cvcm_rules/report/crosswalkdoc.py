"""Render the crosswalk (``rules/crosswalk.yaml``) as Markdown: ``docs/crosswalk.md``.

Generated from the data file, so the document cannot drift from it; a test compares the committed
copy with a fresh rendering (``CVCM_UPDATE_DOCS=1`` rewrites it).
"""

from __future__ import annotations

from cvcm_rules.crosswalk import Crosswalk, Pair, Theme

__all__ = ["render_crosswalk_doc"]


def _arrow(crosswalk: Crosswalk, pair: Pair) -> str:
    return f"{crosswalk.name(pair.from_)} → {crosswalk.name(pair.to)}"


def render_crosswalk_doc(crosswalk: Crosswalk) -> str:
    """Markdown: how to read it, a summary table of relations, then each theme in full."""
    spec = crosswalk.spec
    names = " ↔ ".join(spec.standards.values())
    out = [
        f"# Crosswalk {names} — version {spec.version}",
        "",
        f"{len(spec.themes)} criterion themes. Generated from `rules/crosswalk.yaml` by "
        "`tests/test_crosswalk.py`; do not edit. `cvcm-rules gap` uses it to list what a dossier "
        "meeting one standard still lacks for another.",
        "",
        "## How to read it",
        "",
        spec.direction.en,
        "",
        spec.direction.zh,
        "",
        "| relation | meaning | 含义 |",
        "|---|---|---|",
    ]
    for relation, text in spec.meanings.model_dump().items():
        out.append(f"| **{relation}** | {text['en']} | {text['zh']} |")
    complete = [_arrow(crosswalk, p) for p in spec.pairs if p.complete]
    partial = [_arrow(crosswalk, p) for p in spec.pairs if not p.complete]
    out += ["", f"Stated in every theme where the second standard has rules: "
                f"{', '.join(complete) or 'none'}. Stated where the texts allow a comparison: "
                f"{', '.join(partial) or 'none'} (— where not stated).", "",
            "## Summary", "",
            "| theme | " + " | ".join(_arrow(crosswalk, p) for p in spec.pairs) + " |",
            "|---|" + "---|" * len(spec.pairs)]
    for theme in spec.themes:
        cells = []
        for pair in spec.pairs:
            comparison = theme.comparison(pair.from_, pair.to)
            cells.append("—" if comparison is None else comparison.relation)
        out.append(f"| [{theme.title.en}](#{theme.id}) | " + " | ".join(cells) + " |")
    out += ["", "## Themes"]
    for theme in spec.themes:
        out += _theme(crosswalk, theme)
    return "\n".join(out) + "\n"


def _theme(crosswalk: Crosswalk, theme: Theme) -> list[str]:
    spec = crosswalk.spec
    out = ["", f'<a id="{theme.id}"></a>', "", f"### {theme.title.en} (`{theme.id}`)", "",
           theme.title.zh, "", "| standard | rules | clauses |", "|---|---|---|"]
    for pack, name in spec.standards.items():
        rules = ", ".join(theme.rules_of(pack)) or "—"
        out.append(f"| {name} | {rules} | {theme.clauses.get(pack, '—')} |")
    out.append("")
    for pair in spec.pairs:
        comparison = theme.comparison(pair.from_, pair.to)
        if comparison is None:
            continue
        out += [f"- {_arrow(crosswalk, pair)}: **{comparison.relation}** — "
                f"{comparison.reason.en}<br>{comparison.reason.zh}"]
    return out
