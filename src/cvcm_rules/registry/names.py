"""Normalise what registries write differently: project names, owners, countries, project ids.

Matching is on exact normalised keys (blocking), so it stays O(n) and its result can be checked by
hand: the key of each side is shown in the evidence. Normalisation folds case and width (NFKC),
drops invisible characters, punctuation and words that every name carries ("project", "Co.,
Ltd.", "有限公司"), and sorts the remaining words so that word order does not matter. Numbers are
kept: "CPA 021" and "CPA 022" stay different projects.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache

__all__ = [
    "country_code",
    "haversine_km",
    "name_key",
    "owner_key",
    "project_key",
]

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_NON_WORD = re.compile(r"[^\w]+")
_CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "项目")
_NAME_STOP = frozenset({"project", "projects", "programme", "program", "the", "of", "and", "a"})
_OWNER_STOP = frozenset({
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "llp",
    "plc", "gmbh", "ag", "sa", "sas", "srl", "s", "r", "l", "bv", "nv", "pte", "pvt", "private",
    "pty", "group", "holdings", "the", "and", "of",
})
# Placeholders some exports put where the owner should be: they identify nobody.
_NO_OWNER = frozenset({"multiple proponents", "multipleproponents", "n a", "na", "none",
                       "unknown"})
_EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def _fold(text: str) -> str:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return text.replace("&", " and ")


def _words(text: str, stop: frozenset[str]) -> list[str]:
    for suffix in _CJK_SUFFIXES:
        text = text.replace(suffix, " ")
    return sorted(w for w in _NON_WORD.sub(" ", text).replace("_", " ").split() if w not in stop)


def name_key(name: str | None) -> str | None:
    """The matching key of a project name, or None when nothing distinctive is left.

    Example:
        >>> name_key("KENYA HIGHLANDS GROUPED CARBON PROJECT")
        'carbon grouped highlands kenya'
        >>> name_key("Kenya highlands: grouped carbon project") == name_key(
        ...     "KENYA HIGHLANDS GROUPED CARBON PROJECT")
        True
        >>> name_key("黄海远岸400兆瓦海上风电项目")
        '黄海远岸400兆瓦海上风电'
    """
    if not name:
        return None
    words = _words(_fold(name), _NAME_STOP)
    return " ".join(words) or None


def owner_key(owner: str | None) -> str | None:
    """The matching key of an owner or proponent name; None for placeholders.

    Example:
        >>> owner_key("AgriCapture, Inc.") == owner_key("agricapture inc")
        True
        >>> owner_key("Multiple Proponents") is None
        True
    """
    if not owner:
        return None
    folded = _fold(owner)
    if " ".join(_NON_WORD.sub(" ", folded).split()) in _NO_OWNER:
        return None
    words = _words(folded, _OWNER_STOP)
    return " ".join(words) or None


def project_key(programme: str, project_id: str) -> str:
    """``PROGRAMME:id``, with the programme's own prefix on the id removed.

    Example:
        >>> project_key("VCS", "VCS-5123"), project_key("GS", "GS11236"), project_key("gs", "11.0")
        ('VCS:5123', 'GS:11236', 'GS:11')
        >>> project_key("CCER", "CCER-P-2024-0107")
        'CCER:CCER-P-2024-0107'
    """
    programme = programme.strip().upper()
    ident = unicodedata.normalize("NFKC", project_id).strip().upper()
    if ident.endswith(".0") and ident[:-2].isdigit():  # a float-typed column (``11191.0``)
        ident = ident[:-2]
    match = re.fullmatch(rf"{re.escape(programme)}[\s\-_#:]*(\d+)", ident)
    if match is not None:
        ident = match.group(1)
    return f"{programme}:{ident}"


def _country_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.casefold())


# Registry spellings that are not a country name nor an ISO code.
_COUNTRY_ALIASES = {
    "tanzaniaunitedrepublicof": "TZ", "unitedrepublicoftanzania": "TZ",
    "congothedemocraticrepublicofthe": "CD", "democraticrepublicofthecongo": "CD",
    "laopeoplesdemocraticrepublic": "LA", "korearepublicof": "KR", "vietnam": "VN",
    "turkiye": "TR", "unitedstatesofamerica": "US", "usa": "US", "uk": "GB",
    "iranislamicrepublicof": "IR", "boliviaplurinationalstateof": "BO", "cotedivoire": "CI",
    "russianfederation": "RU", "congorepublicofthe": "CG", "republicofthecongo": "CG",
}


@cache
def _country_table() -> dict[str, str]:
    # holidays (a pinned dependency) carries every ISO 3166 country with its English name.
    from holidays.registry import COUNTRIES

    table: dict[str, str] = {}
    for module, entry in COUNTRIES.items():
        code = entry[1]
        for spelling in (module, entry[0], code):
            table.setdefault(_country_word(spelling), code)
    table.update(_COUNTRY_ALIASES)
    return table


def country_code(country: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country written as a code or an English name, else None.

    Example:
        >>> [country_code(c) for c in ("Viet Nam", "CN", "Tanzania United Republic of")]
        ['VN', 'CN', 'TZ']
        >>> country_code("International") is None
        True
    """
    if not country:
        return None
    return _country_table().get(_country_word(country))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of the mean Earth radius (error below 0.5%).

    Example:
        >>> round(haversine_km(0.0, 0.0, 0.0, 1.0), 1)  # one degree of longitude at the equator
        111.2
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
