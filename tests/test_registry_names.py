"""Normalised names, owners, countries and project ids, on the spellings of real exports."""

from __future__ import annotations

import pytest

from cvcm_rules.registry.names import country_code, haversine_km, name_key, owner_key, project_key
from registry_helpers import sample_rows


def test_every_sample_country_resolves_except_international() -> None:
    spellings = {row["Country/Area"] for row in sample_rows("verra-projects.csv")}
    spellings |= {row["Country/Area"] for row in sample_rows("verra-transactions.csv")}
    spellings |= {row["Country"] for row in sample_rows("gold-standard-projects.csv")}
    spellings |= {row["Country"] for row in sample_rows("gold-standard-issuances.csv")}
    unresolved = sorted(s for s in spellings if country_code(s) is None)
    assert unresolved == ["International"]  # Verra's label for projects in no single country


@pytest.mark.parametrize(("spelling", "code"), [
    ("Viet Nam", "VN"), ("Tanzania United Republic of", "TZ"), ("Taiwan", "TW"),
    ("Timor-Leste", "TL"), ("United States", "US"), ("China", "CN"), ("CN", "CN"),
    ("cn", "CN"), ("Côte d'Ivoire", "CI"),
])
def test_country_spellings(spelling: str, code: str) -> None:
    assert country_code(spelling) == code


def test_invisible_characters_in_a_real_name_do_not_count() -> None:
    # gold-standard-projects.csv writes "Sustentáveis\u200b\u200bem" (two zero-width spaces)
    names = [r["Project Name"] for r in sample_rows("gold-standard-projects.csv")
             if r["Project Name"].startswith("Kuphatana")]
    assert len(names) == 1 and "\u200b" in names[0]
    assert name_key(names[0]) == name_key(
        "Kuphatana - Acções Inclusivas para Florestas Sustentáveis em Moçambique")


def test_names_differing_only_in_a_number_stay_different() -> None:
    # two real GS VPAs of one programme: CPA 021 and CPA 022
    assert name_key("BioLite Improved Cook stoves Programme - CPA 021 supported by Republic of "
                    "Korea") != name_key("BioLite Improved Cook stoves Programme - CPA 022 "
                                         "supported by Republic of Korea")


def test_case_punctuation_word_order_and_generic_words() -> None:
    assert name_key("CASCAVEL LANDFILL GAS PROJECT") == name_key("Landfill gas, Cascavel")
    # full-width digits fold to ASCII (NFKC)
    assert name_key("黄海远岸400兆瓦海上风电项目") == name_key("黄海远岸４００兆瓦海上风电")
    assert name_key("Project") is None


def test_owner_keys() -> None:
    assert owner_key("Charoen Pokphand Produce Co., Ltd.") == owner_key("CHAROEN POKPHAND PRODUCE")
    assert owner_key("江苏黄海远岸风电有限公司") == owner_key("江苏黄海远岸风电")
    assert owner_key("Multiple Proponents") is None  # a Verra placeholder, nobody in particular
    assert owner_key("") is None


def test_project_keys_drop_the_programme_prefix_and_float_suffix() -> None:
    assert project_key("VCS", "VCS-3005") == project_key("vcs", "3005") == "VCS:3005"
    assert project_key("GS", "11191.0") == "GS:11191"  # POA GSID is exported as a float
    assert project_key("CCER", "CCER-P-2024-0107") == "CCER:CCER-P-2024-0107"


def test_haversine_against_known_distances() -> None:
    # one degree of latitude on the mean Earth radius 6371.0088 km: 2 * pi * R / 360
    assert haversine_km(30.0, 120.0, 31.0, 120.0) == pytest.approx(111.1951, abs=1e-3)
    # a quarter of the equator
    assert haversine_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(10007.557, abs=1e-2)
