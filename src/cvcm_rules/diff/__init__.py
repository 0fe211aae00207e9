"""Compare versions of a rule pack, and replay dossiers under both to see which findings flip.

``diff_packs`` gives the structural diff (rules added, removed, changed; for a changed rule, each
field), grouped by the clause each rule cites; ``replay`` evaluates a corpus under both versions;
``render`` turns either into text, canonical JSON or a bilingual Markdown changelog.
"""

from cvcm_rules.diff.compare import Change, ClauseGroup, PackDiff, RuleDiff, diff_packs
from cvcm_rules.diff.impact import DossierImpact, Flip, Impact, replay
from cvcm_rules.diff.render import FORMATS, render_json, render_markdown, render_text
from cvcm_rules.diff.sources import DiffInputError, PackSide, open_side

__all__ = [
    "FORMATS",
    "Change",
    "ClauseGroup",
    "DiffInputError",
    "DossierImpact",
    "Flip",
    "Impact",
    "PackDiff",
    "PackSide",
    "RuleDiff",
    "diff_packs",
    "open_side",
    "render_json",
    "render_markdown",
    "render_text",
    "replay",
]
