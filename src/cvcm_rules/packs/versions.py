"""Choose which version of a pack applies on a date, and say why.

A standard is revised, not edited in place: each version is its own folder (``rules/ccer`` for the
2023 rules, ``rules/ccer-2012`` for the 2012 interim measures) with the same pack ``id``, its own
``effective_from`` and, once replaced, a ``superseded_on`` date. An assessment as of a date uses
the version in force on that date, and the report records which one and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from cvcm_rules.errors import InputError, UnknownPackError
from cvcm_rules.packs.compiled import Pack
from cvcm_rules.packs.loader import available_packs, default_rules_dir, load_pack
from cvcm_rules.packs.schema import Manifest
from cvcm_rules.yamlsafe import YamlSyntaxError, load_yaml

__all__ = ["NoVersionInForceError", "PackVersion", "Selection", "load_for_date", "pack_versions",
           "select_version"]


class NoVersionInForceError(InputError):
    """No version of a pack is in force on the assessment date."""


@dataclass(frozen=True, slots=True)
class PackVersion:
    """One version of a pack: where it lives and when it applies."""

    folder: Path
    manifest: Manifest

    @property
    def ref(self) -> str:
        """``id@version``, as reports write it."""
        return f"{self.manifest.id}@{self.manifest.version}"

    def in_force(self, when: date) -> bool:
        """Whether this version applies on ``when``: from its start, before ``superseded_on``.

        Example:
            >>> m = Manifest.model_validate({"id": "p", "version": "1", "title": {"zh": "包",
            ...     "en": "Pack"}, "effective_from": "2012-06-13", "documents": {},
            ...     "superseded_on": "2023-10-19"})
            >>> v = PackVersion(Path("p"), m)
            >>> [v.in_force(date(2012, 6, 12)), v.in_force(date(2023, 10, 18)),
            ...  v.in_force(date(2023, 10, 19))]
            [False, True, False]
        """
        end = self.manifest.superseded_on
        return self.manifest.effective_from <= when and (end is None or when < end)

    def span(self) -> str:
        """When it applies, in words (English)."""
        start = self.manifest.effective_from.isoformat()
        end = self.manifest.superseded_on
        return f"from {start}" if end is None else f"from {start} until {end - _DAY}"

    def span_zh(self) -> str:
        """When it applies, in words (Chinese)."""
        start = self.manifest.effective_from.isoformat()
        end = self.manifest.superseded_on
        return f"自 {start} 起施行" if end is None else f"{start} 至 {end - _DAY} 施行"


@dataclass(frozen=True, slots=True)
class Selection:
    """The version chosen for a date, the others, and the reason in both languages."""

    chosen: PackVersion
    others: tuple[PackVersion, ...]
    as_of: date

    @property
    def reason(self) -> str:
        """Why this version, in English: its span, and what replaced or preceded it."""
        chosen = self.chosen
        parts = [f"{chosen.ref} is the version in force on {self.as_of} ({chosen.span()})"]
        for other in self.others:
            end = other.manifest.superseded_on
            if end is not None and end <= self.as_of:
                note = other.manifest.supersession
                parts.append(f"{other.ref} was superseded on {end}" +
                             (f": {note.en.rstrip('.')}" if note else ""))
            elif other.manifest.effective_from > self.as_of:
                parts.append(f"{other.ref} takes effect only on {other.manifest.effective_from}")
        if chosen.manifest.supersession is not None:
            parts.append(f"{chosen.ref} was later superseded on {chosen.manifest.superseded_on}: "
                         f"{chosen.manifest.supersession.en.rstrip('.')}")
        return "; ".join(parts) + "."

    @property
    def reason_zh(self) -> str:
        """Why this version, in Chinese."""
        chosen = self.chosen
        parts = [f"{self.as_of} 适用的版本为 {chosen.ref}（{chosen.span_zh()}）"]
        for other in self.others:
            end = other.manifest.superseded_on
            if end is not None and end <= self.as_of:
                note = other.manifest.supersession
                parts.append(f"{other.ref} 已于 {end} 被取代"
                             + (f"：{note.zh.rstrip('。')}" if note else ""))
            elif other.manifest.effective_from > self.as_of:
                parts.append(f"{other.ref} 自 {other.manifest.effective_from} 起才施行")
        if chosen.manifest.supersession is not None:
            parts.append(f"{chosen.ref} 后于 {chosen.manifest.superseded_on} 被取代："
                         f"{chosen.manifest.supersession.zh.rstrip('。')}")
        return "；".join(parts) + "。"

    def annotate(self, entry: dict[str, str]) -> dict[str, str]:
        """A report's ``packs`` entry with the reasons added (``selected``, ``selected_zh``)."""
        return {**entry, "selected": self.reason, "selected_zh": self.reason_zh}


_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def pack_versions(pack_id: str, rules_dir: Path | None = None) -> list[PackVersion]:
    """Every folder under the rules directory whose manifest has this ``id``, oldest first.

    Only ``pack.yaml`` is read; the rules are loaded once a version is chosen.

    Raises:
        InputError: a ``pack.yaml`` that does not parse or validate (naming the file).
    """
    root = rules_dir or default_rules_dir()
    found = []
    for folder in available_packs(root):
        if folder.name != pack_id and not folder.name.startswith(f"{pack_id}-"):
            continue
        manifest = _manifest(folder / "pack.yaml")
        if manifest.id == pack_id:
            found.append(PackVersion(folder, manifest))
    return sorted(found, key=lambda v: (v.manifest.effective_from, v.folder.name))


def select_version(pack_id: str, as_of: date, rules_dir: Path | None = None) -> Selection:
    """The version of ``pack_id`` in force on ``as_of``; the latest start wins if several are.

    Raises:
        UnknownPackError: no folder holds a pack with this id.
        NoVersionInForceError: no version is in force on ``as_of`` (the message lists them all).
    """
    versions = pack_versions(pack_id, rules_dir)
    if not versions:
        known = ", ".join(p.name for p in available_packs(rules_dir or default_rules_dir()))
        raise UnknownPackError(f"unknown rule pack {pack_id!r} (known packs: {known or 'none'})")
    in_force = [v for v in versions if v.in_force(as_of)]
    if not in_force:
        listed = "; ".join(f"{v.ref} {v.span()}" for v in versions)
        raise NoVersionInForceError(
            f"no version of pack {pack_id!r} is in force on {as_of} (versions: {listed})")
    chosen = in_force[-1]
    return Selection(chosen, tuple(v for v in versions if v is not chosen), as_of)


def load_for_date(pack: str | Path, as_of: date,
                  rules_dir: Path | None = None) -> tuple[Pack, Selection | None]:
    """Load a pack given by folder (as is) or by id (the version in force on ``as_of``).

    A selection is returned only when there was a choice: a folder, or an id with a single
    version, loads as before.

    Raises:
        UnknownPackError: neither a pack folder nor a known pack id.
        NoVersionInForceError: several versions exist and none is in force on ``as_of``.
        PackError: the chosen version has problems.
    """
    if (Path(pack) / "pack.yaml").is_file():
        return load_pack(pack, rules_dir), None
    versions = pack_versions(str(pack), rules_dir)
    if len(versions) <= 1:
        return load_pack(pack, rules_dir), None
    selection = select_version(str(pack), as_of, rules_dir)
    return load_pack(selection.chosen.folder, rules_dir), selection


def _manifest(file: Path) -> Manifest:
    try:
        data, _ = load_yaml(file.read_text(encoding="utf-8"))
        return Manifest.model_validate(data)
    except (OSError, UnicodeDecodeError, YamlSyntaxError) as err:
        raise InputError(f"{file}: cannot read the pack manifest: {err}") from None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise InputError(f"{file}: {where}: {first['msg']}") from None
