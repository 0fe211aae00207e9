"""Parse credit serial numbers into comparable ranges: a namespace and a run of whole numbers.

Two serial ranges can only hold the same credits when they share a namespace, and then they do
exactly when their number runs overlap. The formats recognised are those of real registry exports
and of the dossier model:

- Verra VCU blocks ``<batch>-<start>-<end>-VCS-VCU-<...>``: the start and end numbers run over
  the whole VCU registry (consecutive blocks of different projects follow each other), so the
  namespace is ``VCS-VCU``.
- Gold Standard VER blocks ``GS1-1-<country>-GS<id>-<scope>-<vintage>-<issuance>-<start>-<end>``:
  numbers run within one issuance, so the namespace is everything before ``<start>``.
- Kyoto (CDM) units ``<party>-<type>-<serial>-<cp>-<cp>-<lulucf>-<project>``, a block written
  ``<first> - <last>``: serials are unique per originating party and unit type (namespace
  ``KP:<party>-<type>``).
- Anything else that ends in a running number (the CCER and FCER serials of the dossier model,
  ``CCER-01-002-2023-0000001``): the namespace is the text before the number.

A serial in none of these shapes is *unparsed*: the checks name it for a reviewer instead of
guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SerialRange", "parse_block", "parse_range"]

_MAX_DIGITS = 18  # fits a signed 64-bit SQL integer

_VERRA = re.compile(r"^(?P<batch>\d+)-(?P<start>\d+)-(?P<end>\d+)-VCS-VCU-(?P<rest>.+)$")
_GOLD = re.compile(
    r"^(?P<prefix>GS\d+-\d+-[A-Z]{2}-GS\d+-\d+-\d{4}-\d+)-(?P<start>\d+)-(?P<end>\d+)$")
_KYOTO = re.compile(
    r"^(?P<party>[A-Z]{2})-(?P<type>\d{1,2})-(?P<serial>\d+)-(?P<tail>\d+-\d+-\d+-\d+)$")
_TRAILING = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$", re.DOTALL)


@dataclass(frozen=True, slots=True, order=True)
class SerialRange:
    """A run of credits: ``start`` to ``end`` (both included) within ``namespace``."""

    namespace: str
    start: int
    end: int
    scheme: str

    @property
    def count(self) -> int:
        """How many credits the range holds.

        Example:
            >>> SerialRange("VCS-VCU", 941467007, 941467431, "verra").count
            425
        """
        return self.end - self.start + 1


def _number(text: str) -> int | None:
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else None


def _block(namespace: str, start: str, end: str, scheme: str) -> SerialRange | None:
    first, last = _number(start), _number(end)
    if first is None or last is None or last < first:
        return None
    return SerialRange(namespace, first, last, scheme)


def _unit(text: str) -> SerialRange | None:
    """One serial that names a single credit (a Kyoto unit or a trailing running number)."""
    kyoto = _KYOTO.match(text)
    if kyoto is not None:
        return _block(f"KP:{kyoto['party']}-{int(kyoto['type'])}", kyoto["serial"],
                      kyoto["serial"], "kyoto")
    trailing = _TRAILING.match(text)
    if trailing is None:
        return None
    return _block(trailing["prefix"], trailing["number"], trailing["number"], "trailing")


def parse_block(text: str) -> SerialRange | None:
    """A serial as written in a registry export: a block, a ``first - last`` pair, or one unit.

    Example:
        >>> parse_block(
        ...     "19385-941467007-941467431-VCS-VCU-1507-VER-ET-14-1340-01012020-31122020-1")
        SerialRange(namespace='VCS-VCU', start=941467007, end=941467431, scheme='verra')
        >>> parse_block("GS1-1-UG-GS11236-16-2024-30307-1-19149").count
        19149
        >>> parse_block("RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014").count
        3657
        >>> parse_block("no number here") is None
        True
    """
    text = text.strip()
    if " - " in text:
        first, _, last = text.partition(" - ")
        return parse_range(first, last)
    verra = _VERRA.match(text)
    if verra is not None:
        return _block("VCS-VCU", verra["start"], verra["end"], "verra")
    gold = _GOLD.match(text)
    if gold is not None:
        return _block(gold["prefix"], gold["start"], gold["end"], "gold_standard")
    return _unit(text)


def parse_range(first: str, last: str) -> SerialRange | None:
    """The range from serial ``first`` to serial ``last`` (the dossier's start and end fields).

    Each end may be a single unit or a whole block; both must fall in one namespace and
    ``first`` must not come after ``last``, otherwise the range is unparsed (None).

    Example:
        >>> parse_range("CCER-01-002-2023-0000001", "CCER-01-002-2023-0815432")
        SerialRange(namespace='CCER-01-002-2023-', start=1, end=815432, scheme='trailing')
        >>> parse_range("CCER-01-002-2023-0000009", "CCER-01-002-2023-0000001") is None
        True
    """
    first, last = first.strip(), last.strip()
    if " - " in first or " - " in last:
        return None
    a = parse_block(first)
    b = a if last == first else parse_block(last)
    if a is None or b is None or a.namespace != b.namespace or a.scheme != b.scheme:
        return None
    if b.end < a.start:
        return None
    return SerialRange(a.namespace, a.start, b.end, a.scheme)
