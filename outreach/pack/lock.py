"""One pack at a time per folder: an advisory lock in `<pack>/.cache/pack.lock`.

Two packs writing into the same week folder would rename each other's temporaries away
and prune each other's files. The lock is taken (non-blocking) before anything is
written and released when the run ends, however it ends (the kernel drops it when the
process dies, so a killed run never leaves the folder locked).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = "pack.lock"


class PackBusy(Exception):
    """Another pack holds the lock; the message says which."""

    def __init__(self, folder: Path, holder: str):
        self.folder = folder
        self.holder = holder
        super().__init__(f"another pack is already writing into {folder} ({holder})")


@contextlib.contextmanager
def pack_lock(cache_dir: Path) -> Iterator[None]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            except OSError:
                holder = ""
            raise PackBusy(cache_dir.parent, holder or "another process") from None
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {stamp}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing drops the lock
