"""The dossier model: one carbon-credit project, its facts, dates and engagements."""

from cvcm_rules.model.dossier import Batch, Dossier
from cvcm_rules.model.load import dossier_from_data, load_dossier, load_dossier_data, loc_to_path

__all__ = [
    "Batch",
    "Dossier",
    "dossier_from_data",
    "load_dossier",
    "load_dossier_data",
    "loc_to_path",
]
