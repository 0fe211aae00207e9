"""Loading dossiers: every kind of bad file is a DossierError naming the file and field path."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cvcm_rules.cli import main
from cvcm_rules.errors import DossierError, DossierProblem, InputError
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier, loc_to_path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
Patch = Callable[..., dict[str, Any]]


def load_error(path: Path) -> DossierError:
    with pytest.raises(DossierError) as info:
        load_dossier(path)
    assert info.value.source == str(path)
    return info.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def yaml_with(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.fixture(scope="module")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def test_the_example_loads() -> None:
    dossier = load_dossier(EXAMPLE)
    assert dossier.id == "CCER-EX-OW-001"
    assert dossier.project.capacity_mw == 400
    assert [b.id for b in dossier.batches] == ["B1", "B2"]
    assert dossier.methodology.code == "CCER-01-002-V01"


# -- unreadable and malformed files ---------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    err = load_error(tmp_path / "absent.yaml")
    (problem,) = err.problems
    assert problem.path == ""
    assert problem.message.startswith("cannot read file: ")
    assert str(err).startswith(f"{tmp_path / 'absent.yaml'}: cannot read file: ")


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", '{"id": "x",\n "programme": }\n')
    err = load_error(path)
    assert err.problems == [
        DossierProblem("", "line 2 column 15: invalid JSON: Expecting value")]
    assert str(err) == f"{path}: line 2 column 15: invalid JSON: Expecting value"


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "d.yaml", "schema_version: 1\nid: x: y\n")
    err = load_error(path)
    assert err.problems == [DossierProblem(
        "", "line 2 column 6: invalid YAML: mapping values are not allowed in this context")]


@pytest.mark.parametrize(("name", "text", "where"), [
    ("d.yaml", "id: a\nprogramme: CCER\nid: b\n", "line 3 column 1: "),
    ("d.json", '{"id": "a", "programme": "CCER", "id": "b"}', ""),
])
def test_duplicate_keys_are_refused(tmp_path: Path, name: str, text: str, where: str) -> None:
    err = load_error(write(tmp_path, name, text))
    assert err.problems == [DossierProblem("", f"{where}duplicate key 'id'")]


def test_duplicate_key_nested_in_the_example(tmp_path: Path, example_text: str) -> None:
    text = yaml_with(example_text, "  capacity_mw: 400\n",
                     "  capacity_mw: 400\n  capacity_mw: 500\n")
    line = text.splitlines().index("  capacity_mw: 500") + 1
    err = load_error(write(tmp_path, "d.yaml", text))
    assert err.problems == [DossierProblem("", f"line {line} column 3: duplicate key "
                                               "'capacity_mw'")]


@pytest.mark.parametrize(("name", "text"), [
    ("d.yaml", "- a\n- b\n"),
    ("d.yaml", ""),
    ("d.yaml", "just text\n"),
    ("d.json", "[1, 2]"),
    ("d.json", '"text"'),
])
def test_not_a_mapping(tmp_path: Path, name: str, text: str) -> None:
    err = load_error(write(tmp_path, name, text))
    assert err.problems == [DossierProblem("", "a dossier must be a mapping of fields")]


def test_yaml_tags_are_refused(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "d.yaml", "id: !!python/name:os.system\n"))
    assert err.problems == [DossierProblem(
        "", "line 1 column 5: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'")]


# -- validation: one problem per field, with its path ---------------------------------------------

def test_wrong_type_is_not_coerced(tmp_path: Path, example_text: str) -> None:
    text = yaml_with(example_text, "capacity_mw: 400", 'capacity_mw: "400"')
    err = load_error(write(tmp_path, "d.yaml", text))
    assert err.problems == [
        DossierProblem("project.capacity_mw", "Input should be a valid number (got '400')")]
    assert str(err) == (f"{tmp_path / 'd.yaml'}: project.capacity_mw: Input should be a valid "
                        "number (got '400')")


@pytest.mark.parametrize(("path", "value"), [
    ("project.capacity_mw", True),          # a boolean is not a number
    ("validation.sites_total", 2.5),        # a fraction is not a count
    ("pdd_publicity.comments_received", "2"),
    ("project.legal_reduction_obligation", "false"),
    ("project.construction_start_date", 20210416),
])
def test_strict_types(offshore_data: dict[str, Any], patched: Patch, path: str,
                      value: object) -> None:
    with pytest.raises(DossierError) as info:
        dossier_from_data(patched(offshore_data, path, value), "d")
    assert [p.path for p in info.value.problems] == [path]


def test_unknown_field_is_named(tmp_path: Path, example_text: str) -> None:
    text = yaml_with(example_text, "  capacity_mw: 400\n", "  capacity_mw: 400\n  capcity: 1\n")
    err = load_error(write(tmp_path, "d.yaml", text))
    assert err.problems == [
        DossierProblem("project.capcity", "unknown field (not part of the dossier model)")]


def test_unknown_field_inside_a_list_names_the_index(offshore_data: dict[str, Any],
                                                     patched: Patch) -> None:
    with pytest.raises(DossierError) as info:
        dossier_from_data(patched(offshore_data, "batches[1].verification.vvb.usc", "x"), "d")
    assert [p.path for p in info.value.problems] == ["batches[1].verification.vvb.usc"]


@pytest.mark.parametrize("bad", ["2023-02-30", "2023-02-29", "2024-13-01", "2024-1-5",
                                 "20240105", "2024-01-05T00:00:00"])
def test_impossible_or_loose_date_is_named(tmp_path: Path, example_text: str, bad: str) -> None:
    text = yaml_with(example_text, "construction_start_date: 2021-04-16",
                     f"construction_start_date: {bad}")
    err = load_error(write(tmp_path, "d.yaml", text))
    (problem,) = err.problems
    assert problem.path == "project.construction_start_date"
    # An unquoted 20240105 is a YAML integer, the others stay strings: each is refused as it is.
    assert problem.message.endswith((f"(got {bad!r})", f"(got {bad})"))


def test_leap_day_is_a_valid_date(offshore_data: dict[str, Any], patched: Patch) -> None:
    data = patched(offshore_data, "project.construction_start_date", "2024-02-29")
    assert str(dossier_from_data(data, "d").project.construction_start_date) == "2024-02-29"


def test_period_end_before_start(tmp_path: Path, example_text: str) -> None:
    text = yaml_with(example_text, "period: {start: 2023-01-01, end: 2023-12-31}",
                     "period: {start: 2023-12-31, end: 2023-01-01}")
    err = load_error(write(tmp_path, "d.yaml", text))
    (problem,) = err.problems
    assert problem.path == "batches[0].period"
    assert problem.message.endswith("end 2023-01-01 is before start 2023-12-31")


def test_every_problem_is_listed(tmp_path: Path, example_text: str) -> None:
    text = yaml_with(example_text, "capacity_mw: 400", 'capacity_mw: "400"')
    text = yaml_with(text, "id: B2\n", "id: B2\n    colour: blue\n")
    path = write(tmp_path, "d.yaml", text)
    err = load_error(path)
    assert err.problems == [
        DossierProblem("project.capacity_mw", "Input should be a valid number (got '400')"),
        DossierProblem("batches[1].colour", "unknown field (not part of the dossier model)"),
    ]
    assert str(err).splitlines() == [
        f"{path}: project.capacity_mw: Input should be a valid number (got '400')",
        f"{path}: batches[1].colour: unknown field (not part of the dossier model)",
    ]


def test_missing_required_field(offshore_data: dict[str, Any], patched: Patch) -> None:
    with pytest.raises(DossierError) as info:
        dossier_from_data(patched(offshore_data, "project.location", remove=True), "d")
    assert info.value.problems == [DossierProblem("project.location", "Field required")]


@pytest.mark.parametrize("path", ["project.capacity_mw", "batches[0].claimed_er_tco2e"])
def test_non_finite_numbers_are_refused(offshore_data: dict[str, Any], patched: Patch,
                                        path: str) -> None:
    with pytest.raises(DossierError) as info:
        dossier_from_data(patched(offshore_data, path, float("inf")), "d")
    assert [p.path for p in info.value.problems] == [path]


def test_dossier_error_is_an_input_error() -> None:
    assert issubclass(DossierError, InputError)


# -- same facts, any format -----------------------------------------------------------------------

def test_json_and_yaml_of_the_same_dossier_give_equal_models(
        tmp_path: Path, offshore_data: dict[str, Any]) -> None:
    path = write(tmp_path, "d.json", json.dumps(offshore_data, ensure_ascii=False, indent=1))
    from_json = load_dossier(path)
    from_yaml = load_dossier(EXAMPLE)
    assert isinstance(from_json, Dossier)
    assert from_json == from_yaml


def test_suffix_decides_the_format(tmp_path: Path, offshore_data: dict[str, Any]) -> None:
    text = json.dumps(offshore_data, ensure_ascii=False)
    # JSON is also YAML, so a .yml file holding JSON loads too.
    assert load_dossier(write(tmp_path, "d.yml", text)) == load_dossier(EXAMPLE)
    assert load_dossier(write(tmp_path, "d.JSON", text)) == load_dossier(EXAMPLE)


def test_the_model_is_frozen() -> None:
    dossier = load_dossier(EXAMPLE)
    with pytest.raises(ValueError, match="frozen"):
        dossier.id = "other"  # type: ignore[misc]


def test_the_digest_is_the_sha256_of_the_json_and_follows_the_facts() -> None:
    dossier = load_dossier(EXAMPLE)
    expected = hashlib.sha256(dossier.model_dump_json().encode()).hexdigest()
    assert dossier.digest == expected
    assert dossier.digest == expected  # the cached value, still the same
    assert "digest" not in dossier.model_dump()  # not a fact of the dossier
    assert dossier.model_copy().digest == expected
    renamed = dossier.model_copy(update={"id": "other"})
    assert renamed.digest == hashlib.sha256(renamed.model_dump_json().encode()).hexdigest()
    assert renamed.digest != expected


@pytest.mark.parametrize(("loc", "path"), [
    (("project", "capacity_mw"), "project.capacity_mw"),
    (("batches", 1, "verification", "vvb", "uscc"), "batches[1].verification.vvb.uscc"),
    (("crediting_periods", 0), "crediting_periods[0]"),
    ((), ""),
])
def test_loc_to_path(loc: tuple[int | str, ...], path: str) -> None:
    assert loc_to_path(loc) == path


# -- JSON Schema ----------------------------------------------------------------------------------

def test_schema_dossier_is_valid_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "dossier"]) == 0
    out = capsys.readouterr().out
    schema = json.loads(out)
    assert "batches" in schema["properties"]
    assert schema["properties"]["batches"]["type"] == "array"
    assert {"id", "programme", "owner", "project", "methodology"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
