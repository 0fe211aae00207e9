"""Serial numbers of real registry exports, read as the registries write them.

Expected counts come from the exports' own quantity columns (thousands separators stripped here
by hand), not from the parser.
"""

from __future__ import annotations

import itertools

import pytest

from cvcm_rules.registry.checks import sweep_ranges
from cvcm_rules.registry.data import BlockRow
from cvcm_rules.registry.serials import SerialRange, parse_block, parse_range
from registry_helpers import sample_rows as rows


def test_every_verra_serial_parses_and_holds_the_quantity_issued() -> None:
    transactions = rows("verra-transactions.csv")
    assert len(transactions) == 200
    for row in transactions:
        parsed = parse_block(row["Serial Number"])
        assert parsed is not None, row["Serial Number"]
        assert parsed.scheme == "verra"
        assert parsed.namespace == "VCS-VCU"
        assert parsed.count == int(row["Quantity Issued"].replace(",", ""))


def test_verra_block_numbers_are_the_second_and_third_fields() -> None:
    serial = "19381-941412555-941441125-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"
    assert parse_block(serial) == SerialRange("VCS-VCU", 941412555, 941441125, "verra")


def test_every_gold_standard_serial_parses_and_holds_the_quantity() -> None:
    issuances = rows("gold-standard-issuances.csv")
    assert len(issuances) == 100
    schemes = {}
    for row in issuances:
        parsed = parse_block(row["Serial Number"])
        assert parsed is not None, row["Serial Number"]
        assert parsed.count == int(row["Quantity"].replace(",", ""))
        schemes[row["Serial Number"]] = parsed
    kyoto = [s for s, p in schemes.items() if p.scheme == "kyoto"]
    # three CER rows of GS 4823 (Rwanda) carry Kyoto serial ranges "RW-5-<n>-2-2-0-7014 - ..."
    assert len(kyoto) == 3
    assert {schemes[s].namespace for s in kyoto} == {"KP:RW-5"}
    assert all(p.scheme == "gold_standard" for s, p in schemes.items() if s not in kyoto)


def test_gold_standard_namespace_is_the_issuance_prefix() -> None:
    parsed = parse_block("GS1-1-UG-GS11236-16-2024-30307-1-19149")
    assert parsed == SerialRange("GS1-1-UG-GS11236-16-2024-30307", 1, 19149, "gold_standard")


def test_kyoto_range_between_two_unit_serials() -> None:
    parsed = parse_block("RW-5-1459975-2-2-0-7014 - RW-5-1460107-2-2-0-7014")
    assert parsed == SerialRange("KP:RW-5", 1459975, 1460107, "kyoto")
    assert parsed.count == 133


def test_dossier_serials_with_a_running_number() -> None:
    assert parse_range("CCER-14-001-2024-0000001", "CCER-14-001-2024-0015482") == \
        SerialRange("CCER-14-001-2024-", 1, 15482, "trailing")


@pytest.mark.parametrize(("first", "last"), [
    ("CCER-01-002-2023-0000001", "CCER-01-002-2024-0000009"),  # two namespaces
    ("CCER-01-002-2023-0000009", "CCER-01-002-2023-0000001"),  # backwards
    ("no-number", "no-number"),
    ("X-1234567890123456789", "X-1234567890123456790"),  # beyond a 64-bit integer
    ("19385-941467007-941467431-VCS-VCU-1507-VER-ET-14-1340-01012020-31122020-1",
     "CCER-01-002-2023-0000001"),  # two schemes
])
def test_unparseable_ranges_are_none(first: str, last: str) -> None:
    assert parse_range(first, last) is None


def _blocks(serials: list[str]) -> list[BlockRow]:
    blocks = []
    for i, serial in enumerate(serials):
        parsed = parse_block(serial)
        assert parsed is not None
        blocks.append(BlockRow(i, "issuance", "x", f"row{i}", parsed.namespace, parsed.start,
                               parsed.end, serial, serial))
    return sorted(blocks, key=lambda b: (b.namespace or "", b.start or 0))


def test_real_verra_blocks_touch_but_never_overlap() -> None:
    """The export's blocks follow each other (one's end + 1 is the next start): a near miss."""
    serials = [row["Serial Number"] for row in rows("verra-transactions.csv")]
    blocks = _blocks(serials)
    adjacent = sum(1 for a, b in itertools.pairwise(blocks) if b.start == (a.end or 0) + 1)
    assert adjacent == 180  # counted in the CSV: 180 of the 199 gaps between sorted blocks are 0
    assert list(sweep_ranges(blocks)) == []


def test_stretching_a_real_block_by_one_credit_makes_one_overlap() -> None:
    serials = [row["Serial Number"] for row in rows("verra-transactions.csv")]
    # line 2's block 941467007-941467431 is followed by line 131's 941467432-941467765
    stretched = [s.replace("19385-941467007-941467431", "19385-941467007-941467432")
                 for s in serials]
    pairs = list(sweep_ranges(_blocks(stretched)))
    assert [(a.start, b.start) for a, b in pairs] == [(941467007, 941467432)]
