"""Crash-safe writes: a file either has its old content or its complete new content.

Every output goes to a hidden temporary name in the same folder, is flushed to disk,
and is then renamed over the target (rename is atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TMP_MARKER = ".tmp-"


def temp_path_for(target: Path) -> Path:
    """A unique hidden temporary name beside `target`, recognisable by `TMP_MARKER`."""
    return target.with_name(f".{target.name}{TMP_MARKER}{os.getpid()}-{secrets.token_hex(4)}")


def is_temp_file(path: Path) -> bool:
    return path.name.startswith(".") and TMP_MARKER in path.name


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
    """Delete temporaries left by a killed run; returns how many were removed."""
    removed = 0
    if not root.is_dir():
        return 0
    for path in root.rglob(f"*{TMP_MARKER}*"):
        if is_temp_file(path) and path.is_file():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed
