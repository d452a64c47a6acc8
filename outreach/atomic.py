"""Crash-safe writes: a file either has its old content or its complete new content.

Every output goes to a hidden temporary name in the same folder, is flushed to disk,
and is then renamed over the target (rename is atomic on POSIX).

A `Journal` (used by the pack's jobs) records every file written and guards the files it
does not own: a file a person put there, or edited after the pack wrote it, is moved
aside under a new name instead of being overwritten, so a run never destroys their work.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

TMP_MARKER = ".tmp-"
#: `.<name>.tmp-<pid>-<8 hex>`: only names made by `temp_path_for` are ever cleaned up.
_TEMP_NAME = re.compile(r"\..+\.tmp-\d+-[0-9a-f]{8}")


def temp_path_for(target: Path) -> Path:
    """A unique hidden temporary name beside `target`, recognisable by `TMP_MARKER`."""
    return target.with_name(f".{target.name}{TMP_MARKER}{os.getpid()}-{secrets.token_hex(4)}")


def is_temp_file(path: Path) -> bool:
    return bool(_TEMP_NAME.fullmatch(path.name))


@dataclass
class Journal:
    """What one job wrote, and which existing files it must not overwrite.

    `owns(path)` says whether an existing file at `path` is the pack's own (unchanged since
    the pack wrote it); any other existing file is moved aside before the rename.
    """

    owns: Callable[[Path], bool] = lambda _path: True
    written: list[str] = field(default_factory=list)
    moved_aside: list[tuple[str, str]] = field(default_factory=list)
    #: An append-only log of `path<TAB>bytes<TAB>sha256` lines, written *before* each
    #: rename: if the run is killed, the next one still knows these files are its own.
    log: Path | None = None


_local = threading.local()


@contextlib.contextmanager
def journal(j: Journal) -> Iterator[Journal]:
    """Record (and guard) every atomic write made in this thread while the block runs."""
    previous = getattr(_local, "journal", None)
    _local.journal = j
    try:
        yield j
    finally:
        _local.journal = previous


def _aside_name(target: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = target.with_name(f"{target.stem}.edited-{stamp}{target.suffix}")
    n = 2
    while os.path.lexists(candidate):
        candidate = target.with_name(f"{target.stem}.edited-{stamp}-{n}{target.suffix}")
        n += 1
    return candidate


def _before_replace(target: Path, tmp: Path) -> None:
    j: Journal | None = getattr(_local, "journal", None)
    if j is None:
        return
    if os.path.lexists(target) and not j.owns(target):
        aside = _aside_name(target)
        os.replace(target, aside)
        j.moved_aside.append((str(target), str(aside)))
    if j.log is not None:
        import hashlib

        h = hashlib.sha256()
        with open(tmp, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        j.log.parent.mkdir(parents=True, exist_ok=True)
        with open(j.log, "a", encoding="utf-8") as fh:
            fh.write(f"{target}\t{tmp.stat().st_size}\t{h.hexdigest()}\n")
    j.written.append(str(target))


def read_journals(folder: Path) -> list[tuple[str, int, str]]:
    """(absolute path, bytes, sha256) of every write the journals in `folder` recorded."""
    out: list[tuple[str, int, str]] = []
    if not folder.is_dir():
        return out
    for log in sorted(folder.glob("*.log")):
        try:
            lines = log.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            parts = line.split("\t")
            if len(parts) == 3 and parts[1].isdigit():
                out.append((parts[0], int(parts[1]), parts[2]))
    return out


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write to; rename it over `target` only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(target)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {tmp}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _before_replace(target, tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def link_file(source: Path, target: Path) -> None:
    """Give `target` the bytes of `source` as a hard link (no extra disk space; a real
    file to every program and zip tool), or as a copy where the file system has no hard
    links. Atomic and journaled like every other write."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if not target.is_symlink() and os.path.samefile(source, target):
            return
    tmp = temp_path_for(target)
    try:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        _before_replace(target, tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def remove_stale_temp_files(root: Path) -> int:
    """Delete temporaries left by a killed run; returns how many were removed.

    Only names this module makes are touched; call it while holding the pack's lock, so
    no running writer owns them.
    """
    removed = 0
    if not root.is_dir():
        return 0
    for path in root.rglob(f"*{TMP_MARKER}*"):
        if is_temp_file(path) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed
