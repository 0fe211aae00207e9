"""The pack loader: one test per problem code, each asserting the full ``file:line:col`` line.

Line and column numbers are read off the YAML written in each test (1-based; the column of a
value is where its first character is). File names are shown relative to the rules folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from cvcm_rules.errors import InputError, PackError, UnknownPackError
from cvcm_rules.packs import Pack, load_pack

ROOT = Path(__file__).resolve().parents[1]
WritePack = Callable[..., Path]

# A valid rule file; each test below changes one thing in a copy written out in full.
VALID = """\
rules:
  - id: TP.GEN.001
    version: 1
    category: eligibility
    severity: blocking
    title: {zh: 标题, en: Title}
    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}
    condition: project.capacity_mw > 0
    message:
      fail: {zh: 不通过, en: Fails}
"""


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(folder)
    return [str(problem) for problem in info.value.problems]


def test_a_valid_tmp_pack_loads(tmp_path: Path, write_pack: WritePack) -> None:
    pack = load_pack(write_pack(tmp_path, {"rules/a.yaml": VALID}))
    assert pack.id == "testpack"
    assert [rule.id for rule in pack.rules] == ["TP.GEN.001"]
    assert (pack.rules[0].file, pack.rules[0].line) == ("testpack/rules/a.yaml", 2)


# -- one test per code ----------------------------------------------------------------------------

def test_yaml_syntax(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("    version: 1\n", "    version: 1: 2\n")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:3:15: yaml-syntax: invalid YAML: mapping values are not allowed "
        "in this context",
    ]


def test_duplicate_yaml_key(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("    severity: blocking\n",
                         "    severity: blocking\n    severity: minor\n")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:6:5: yaml-syntax: duplicate key 'severity'",
    ]


def test_duplicate_key_in_pack_yaml(tmp_path: Path, write_pack: WritePack) -> None:
    manifest = 'id: testpack\nversion: "1"\nversion: "2"\n'
    assert problems_of(write_pack(tmp_path, {"pack.yaml": manifest})) == [
        "testpack/pack.yaml:3:1: yaml-syntax: duplicate key 'version'",
    ]


def test_unknown_key(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("    condition:", "    conditon:")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:8:5: unknown-key: rules.0.conditon: Extra inputs are not "
        "permitted",
    ]


def test_schema_bad_severity(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("severity: blocking", "severity: critical")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:5:15: schema: rules.0.severity: Input should be 'blocking', "
        "'major', 'minor' or 'info'",
    ]


def test_duplicate_rule_id_across_files(tmp_path: Path, write_pack: WritePack) -> None:
    folder = write_pack(tmp_path, {"rules/a.yaml": VALID, "rules/b.yaml": VALID})
    assert problems_of(folder) == [
        "testpack/rules/b.yaml:2:1: duplicate-rule-id: rule id 'TP.GEN.001' is already defined "
        "in testpack/rules/a.yaml",
    ]


def test_unknown_document(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace(
        "    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}\n",
        "    citation:\n"
        "      document: doc-z\n"
        "      article: 第一条\n"
        "      quote: {zh: 引文}\n"
        "      confidence: C\n")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:8:17: unknown-document: TP.GEN.001: citation document 'doc-z' is "
        "not in pack.yaml documents (doc-a)",
    ]


def test_unknown_path_with_did_you_mean(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("project.capacity_mw > 0",
                         'project.construction_start_dat >= date("2012-11-08")')
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:8:16: unknown-path: Project has no field 'construction_start_dat' "
        "(in 'project.construction_start_dat') (did you mean 'construction_start_date'?)",
    ]


def test_unknown_evidence_path(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("    message:\n", "    evidence: [project.capcity_mw]\n    message:\n")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:9:16: unknown-path: Project has no field 'capcity_mw' "
        "(in 'project.capcity_mw') (did you mean 'capacity_mw'?)",
    ]


def test_unknown_function_with_did_you_mean(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("project.capacity_mw > 0",
                         'add_year(project.construction_start_date, 1) > date("2013-01-01")')
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:8:16: unknown-function: 'add_year' is not a library function "
        "(did you mean 'add_years'?)",
    ]


def test_syntax_error_in_a_quoted_condition(tmp_path: Path, write_pack: WritePack) -> None:
    # The column skips the opening quote: offset 24 of the expression is column 16 + 1 + 24.
    text = VALID.replace("project.capacity_mw > 0", '"project.capacity_mw > 0 > 1"')
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:8:41: syntax-error: comparisons do not chain; combine them with "
        "'and'",
    ]


def _block(indicator: str, first: str, second: str) -> str:
    return VALID.replace(
        "    condition: project.capacity_mw > 0\n",
        f"    condition: {indicator}\n      {first}\n      {second}\n")


CHAINED = "comparisons do not chain; combine them with 'and'"


@pytest.mark.parametrize("indicator", ["|", "|-", ">", ">-"])
def test_syntax_error_on_the_first_line_of_a_block_scalar(
        tmp_path: Path, write_pack: WritePack, indicator: str) -> None:
    # Line 9 is "      project.capacity_mw > 0 > 1 and": the second '>' is at column 6 + 24 + 1.
    text = _block(indicator, "project.capacity_mw > 0 > 1 and", "project.capacity_mw < 1")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        f"testpack/rules/a.yaml:9:31: syntax-error: {CHAINED}",
    ]


@pytest.mark.parametrize("indicator", ["|", "|-"])
def test_syntax_error_on_a_later_line_of_a_literal_block(
        tmp_path: Path, write_pack: WritePack, indicator: str) -> None:
    # Line 10 is "      project.capacity_mw < 1 < 2": the second '<' is at column 31.
    text = _block(indicator, "project.capacity_mw > 0 and", "project.capacity_mw < 1 < 2")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        f"testpack/rules/a.yaml:10:31: syntax-error: {CHAINED}",
    ]


@pytest.mark.parametrize("indicator", [">", ">-"])
def test_syntax_error_on_a_later_line_of_a_folded_block(
        tmp_path: Path, write_pack: WritePack, indicator: str) -> None:
    text = _block(indicator, "project.capacity_mw > 0 and", "project.capacity_mw < 1 < 2")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        f"testpack/rules/a.yaml:10:31: syntax-error: {CHAINED}",
    ]


def test_bad_placeholder_in_a_message(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("en: Fails}", 'en: "Capacity {project.capacity} MW"}')
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:10:13: bad-placeholder-unknown-path: TP.GEN.001: in "
        "{project.capacity}: Project has no field 'capacity' (in 'project.capacity') "
        "(did you mean 'capacity_mw'?)",
    ]


PARAMETER_RULE = """\
rules:
  - id: TP.GEN.001
    version: 1
    category: eligibility
    severity: blocking
    title: {zh: 标题, en: Title}
    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}
    parameters:
      cutoff:
        unit: date
        values:
          2023-01-01: {value: VALUE}
    condition: project.construction_start_date > params.cutoff
    message:
      fail: {zh: 不通过, en: Fails}
"""


def test_bad_parameter_date(tmp_path: Path, write_pack: WritePack) -> None:
    text = PARAMETER_RULE.replace("VALUE", "2012-13-45")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:12:11: bad-parameter: TP.GEN.001: parameter 'cutoff' value "
        "'2012-13-45' on 2023-01-01 is not a YYYY-MM-DD date",
    ]


def test_a_good_parameter_date_loads_as_a_date(tmp_path: Path, write_pack: WritePack) -> None:
    text = PARAMETER_RULE.replace("VALUE", "2012-11-08")
    pack = load_pack(write_pack(tmp_path, {"rules/a.yaml": text}))
    (parameter,) = pack.rules[0].parameters
    assert (parameter.name, parameter.unit) == ("cutoff", "date")
    assert [str(d) for d in parameter.effective] == ["2023-01-01"]
    assert [str(v) for v in parameter.values] == ["2012-11-08"]


def test_pack_id_mismatch(tmp_path: Path, write_pack: WritePack) -> None:
    manifest = """\
    id: other
    version: "1"
    title: {zh: 测试包, en: Test pack}
    effective_from: 2023-01-01
    documents:
      doc-a:
        title: {zh: 文件甲, en: Document A}
        issuer: Test issuer
    """
    folder = write_pack(tmp_path, {"pack.yaml": manifest, "rules/a.yaml": VALID})
    assert problems_of(folder) == [
        "testpack/pack.yaml:1:5: pack-id-mismatch: pack id 'other' differs from its folder "
        "'testpack'",
    ]


def test_python_tags_are_refused_and_never_run(tmp_path: Path, write_pack: WritePack) -> None:
    marker = tmp_path / "pwned"
    text = VALID.replace(
        "    version: 1\n",
        f'    version: !!python/object/apply:pathlib.Path.touch ["{marker}"]\n')
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:3:14: yaml-syntax: unsupported YAML tag "
        "'tag:yaml.org,2002:python/object/apply:pathlib.Path.touch'",
    ]
    assert not marker.exists()


def test_a_local_tag_is_refused(tmp_path: Path, write_pack: WritePack) -> None:
    text = VALID.replace("    version: 1\n", "    version: !mine 1\n")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:3:14: yaml-syntax: unsupported YAML tag '!mine'",
    ]


# -- all problems at once -------------------------------------------------------------------------

B_FILE = """\
rules:
  - id: TP.GEN.002
    version: 1
    category: eligibility
    severity: blocking
    title: {zh: 标题, en: Title}
    citation: {document: doc-a, article: 第一条, quote: {zh: 引文}, confidence: C}
    condition: add_year(project.construction_start_date, 1) > as_of
    message:
      fail: {zh: 不通过, en: Fails}
  - id: TP.GEN.003
    version: 1
    category: eligibility
    severity: blocking
    title: {zh: 标题, en: Title}
    citation: {document: doc-b, article: 第二条, quote: {zh: 引文}, confidence: C}
    condition: project.capacity_mw > 0
    message:
      fail: {zh: 不通过, en: Fails}
"""


def test_all_problems_are_reported_at_once(tmp_path: Path, write_pack: WritePack) -> None:
    a_file = VALID.replace("severity: blocking", "severity: critical")
    folder = write_pack(tmp_path, {"rules/a.yaml": a_file, "rules/b.yaml": B_FILE})
    with pytest.raises(PackError) as info:
        load_pack(folder)
    assert str(info.value).splitlines() == [
        f"3 problems in rule pack {folder}",
        "testpack/rules/a.yaml:5:15: schema: rules.0.severity: Input should be 'blocking', "
        "'major', 'minor' or 'info'",
        "testpack/rules/b.yaml:8:16: unknown-function: 'add_year' is not a library function "
        "(did you mean 'add_years'?)",
        "testpack/rules/b.yaml:16:26: unknown-document: TP.GEN.003: citation document 'doc-b' "
        "is not in pack.yaml documents (doc-a)",
    ]
    assert info.value.pack == str(folder)


def test_a_schema_error_does_not_hide_other_rules_problems_in_the_same_file(
        tmp_path: Path, write_pack: WritePack) -> None:
    # Rules are validated one by one: rule 1's bad severity must not hide rule 2's misspelt
    # function (line 17: "    condition: add_year(...)", the name starts at column 16) nor
    # rule 3's unknown document (line 25).
    text = VALID.replace("severity: blocking", "severity: critical") + B_FILE.removeprefix(
        "rules:\n")
    assert problems_of(write_pack(tmp_path, {"rules/a.yaml": text})) == [
        "testpack/rules/a.yaml:5:15: schema: rules.0.severity: Input should be 'blocking', "
        "'major', 'minor' or 'info'",
        "testpack/rules/a.yaml:17:16: unknown-function: 'add_year' is not a library function "
        "(did you mean 'add_years'?)",
        "testpack/rules/a.yaml:25:26: unknown-document: TP.GEN.003: citation document 'doc-b' "
        "is not in pack.yaml documents (doc-a)",
    ]


def test_pack_error_is_an_input_error() -> None:
    assert issubclass(PackError, InputError)
    assert issubclass(PackError, ValueError)


# -- unknown packs --------------------------------------------------------------------------------

def test_unknown_pack_names_the_known_packs(tmp_path: Path, write_pack: WritePack) -> None:
    write_pack(tmp_path, {"rules/a.yaml": VALID}, pack_id="beta")
    write_pack(tmp_path, {"rules/a.yaml": VALID}, pack_id="alpha")
    (tmp_path / "not_a_pack").mkdir()
    with pytest.raises(UnknownPackError) as info:
        load_pack("nope", tmp_path)
    assert str(info.value) == "unknown rule pack 'nope' (known packs: alpha, beta)"


def test_unknown_pack_in_the_default_rules_folder() -> None:
    with pytest.raises(UnknownPackError) as info:
        load_pack("nope")
    message = str(info.value)
    assert message.startswith("unknown rule pack 'nope' (known packs: ")
    assert "ccer" in re.findall(r"[a-z_]+", message.split("known packs: ")[1])


def test_unknown_pack_in_an_empty_rules_folder(tmp_path: Path) -> None:
    with pytest.raises(UnknownPackError) as info:
        load_pack("nope", tmp_path)
    assert str(info.value) == "unknown rule pack 'nope' (known packs: none)"


# -- the shipped ccer pack ------------------------------------------------------------------------

def test_ccer_loads_without_problems(ccer_pack: Pack) -> None:
    assert ccer_pack.id == "ccer"
    assert ccer_pack.rules
    assert all(rule.pack_id == "ccer" for rule in ccer_pack.rules)
    assert re.fullmatch(r"[0-9a-f]{64}", ccer_pack.sha256)


def test_ccer_rules_cite_documents_of_their_pack(ccer_pack: Pack) -> None:
    manifest = yaml.safe_load((ROOT / "rules" / "ccer" / "pack.yaml").read_text("utf-8"))
    documents = set(manifest["documents"])
    for rule in ccer_pack.rules:
        assert rule.spec.citation.document in documents, rule.id


def test_ccer_rule_ids_are_unique_and_well_formed() -> None:
    ids: list[str] = []
    for file in sorted((ROOT / "rules" / "ccer" / "rules").glob("*.yaml")):
        ids += [rule["id"] for rule in yaml.safe_load(file.read_text("utf-8"))["rules"]]
    assert ids
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"CCER\.[A-Z][A-Z0-9]*\.\d{3}", rule_id) for rule_id in ids)


def test_loading_twice_gives_the_same_digest(ccer_pack: Pack) -> None:
    assert load_pack("ccer").sha256 == ccer_pack.sha256
