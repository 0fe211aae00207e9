"""Resolve one side of a diff: a pack folder, a pack id, or a pack at a git revision.

``rules/ccer@v0.1`` reads the pack as it was committed at ``v0.1``: git (read-only: ``rev-parse``,
``cat-file``, ``archive``) writes the pack's parent folder at that revision into a temporary
directory, so rules it adopts through ``extends`` are read at the same revision, and the folder
keeps its name, so loading and digests behave as for a checkout.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cvcm_rules.errors import InputError
from cvcm_rules.packs import Pack, default_rules_dir, load_pack

__all__ = ["DiffInputError", "PackSide", "open_side"]

_GIT_TIMEOUT_SECONDS = 60


class DiffInputError(InputError):
    """A side of a diff that cannot be read: not a pack, no such revision, not a git checkout."""


@dataclass(frozen=True, slots=True)
class PackSide:
    """One loaded side of a diff and how the user named it."""

    label: str
    pack: Pack
    revision: str | None = None


@contextmanager
def open_side(spec: str, rules_dir: Path | None = None) -> Iterator[PackSide]:
    """Load ``spec`` (folder, pack id, ``folder@revision`` or ``id@revision``) within the block.

    Raises:
        DiffInputError: a folder without ``pack.yaml``, an unknown revision, a folder that is
            not in a git checkout, or a pack missing at that revision.
        UnknownPackError: neither a folder nor a known pack id.
        PackError: the pack has problems (at that revision).
    """
    folder, revision = split_spec(spec)
    if revision is None:
        yield PackSide(spec, _load_plain(spec, rules_dir))
        return
    if not Path(folder).exists():  # ``ccer@v0.1``: a pack id, looked up in the rules folder
        by_id = (rules_dir or default_rules_dir()) / folder
        folder = str(by_id) if by_id.is_dir() else folder
    with tempfile.TemporaryDirectory(prefix="cvcm-diff-") as scratch:
        pack_dir = _checkout(folder, revision, Path(scratch))
        yield PackSide(spec, load_pack(pack_dir), revision)


def split_spec(spec: str) -> tuple[str, str | None]:
    """``"rules/ccer@HEAD~1"`` -> ``("rules/ccer", "HEAD~1")``; a plain folder has no revision.

    Example:
        >>> split_spec("rules/ccer@v0.1"), split_spec("rules/ccer")
        (('rules/ccer', 'v0.1'), ('rules/ccer', None))
    """
    if "@" not in spec or Path(spec).exists():
        return spec, None
    folder, _, revision = spec.rpartition("@")
    if not folder or not revision:
        raise DiffInputError(f"{spec!r}: expected FOLDER@REVISION, e.g. rules/ccer@HEAD~1")
    return folder, revision


def _load_plain(spec: str, rules_dir: Path | None) -> Pack:
    path = Path(spec)
    if path.is_dir() and not (path / "pack.yaml").is_file():
        raise DiffInputError(f"{spec} is not a rule pack: the folder has no pack.yaml")
    if path.exists() and not path.is_dir():
        raise DiffInputError(f"{spec} is not a rule pack: a pack is a folder with a pack.yaml")
    return load_pack(spec, rules_dir)


def _checkout(folder: str, revision: str, scratch: Path) -> Path:
    """Write ``folder``'s parent at ``revision`` under ``scratch``; return the pack's folder."""
    if revision.startswith("-"):
        raise DiffInputError(f"{folder}@{revision}: a revision cannot start with '-'")
    git = shutil.which("git")
    if git is None:
        raise DiffInputError(f"{folder}@{revision}: reading a pack at a revision needs git, "
                             "which is not installed")
    target = Path(folder).resolve()
    anchor = next((p for p in (target, *target.parents) if p.is_dir()), Path.cwd())
    top = _git(git, anchor, ["rev-parse", "--show-toplevel"])
    if top is None:
        raise DiffInputError(f"{folder}@{revision}: {folder} is not inside a git repository")
    root = Path(top.decode().strip())
    commit = _git(git, root, ["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"])
    if commit is None:
        raise DiffInputError(f"{folder}@{revision}: revision {revision!r} does not exist in the "
                             f"repository")
    sha = commit.decode().strip()
    try:
        relative = target.relative_to(root.resolve())
    except ValueError:
        raise DiffInputError(f"{folder}@{revision}: {folder} is outside the repository") from None
    if _git(git, root, ["cat-file", "-e", f"{sha}:{relative.as_posix()}/pack.yaml"]) is None:
        raise DiffInputError(f"{folder}@{revision}: there is no pack at {relative.as_posix()} in "
                             f"revision {revision} ({sha[:12]})")
    parent = relative.parent.as_posix()
    archive = _git(git, root, ["archive", "--format=tar", sha, "--", parent])
    if archive is None:
        raise DiffInputError(f"{folder}@{revision}: git could not read {parent} at {sha[:12]}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(scratch, filter="data")
    return scratch / relative


def _git(git: str, where: Path, args: list[str]) -> bytes | None:
    """Run a read-only git command; its stdout, or None when it fails."""
    try:
        done = subprocess.run(  # noqa: S603 - fixed git sub-commands, arguments are not a shell
            [git, "-C", str(where), *args], capture_output=True, check=False,
            timeout=_GIT_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
