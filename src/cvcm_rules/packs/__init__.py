"""Rule packs: the YAML format, its loader and checks, and the compiled form the engine runs."""

from cvcm_rules.packs.compiled import CompiledParameter, Message, Pack, Rule
from cvcm_rules.packs.loader import available_packs, default_rules_dir, load_pack, resolve_pack_dir
from cvcm_rules.packs.schema import CATEGORIES, Manifest, RuleSpec

__all__ = [
    "CATEGORIES",
    "CompiledParameter",
    "Manifest",
    "Message",
    "Pack",
    "Rule",
    "RuleSpec",
    "available_packs",
    "default_rules_dir",
    "load_pack",
    "resolve_pack_dir",
]
