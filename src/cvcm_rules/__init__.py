"""cvcm-rules."""

import os as _os

__version__ = "0.1.0"

if _os.environ.get("CVCM_RULES_PURE_PYTHON"):
    from cvcm_rules._pure import prefer_sources as _prefer_sources

    _prefer_sources()
