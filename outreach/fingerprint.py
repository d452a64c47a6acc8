"""Content fingerprints: what the caches key on instead of a constant someone must bump.

- `file_digest`: sha256 of a file's bytes, memoised on (path, size, mtime) per process;
- `code_digest`: a hash of the package's own source files (and the bundled fonts the
  text engine may fall back on), so any change to the renderer invalidates every cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

_DIGESTS: dict[tuple[str, int, int], str] = {}
#: Package files that decide rendered bytes: code, templates, presets, static assets.
SOURCE_SUFFIXES = {".py", ".j2", ".yaml", ".yml", ".json", ".css", ".js", ".svg", ".txt"}


def file_digest(path: Path | str) -> str:
    """sha256 of the file's bytes; re-read only when its size or mtime changes."""
    st = os.stat(path)
    memo = (str(path), st.st_size, st.st_mtime_ns)
    found = _DIGESTS.get(memo)
    if found is None:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        found = _DIGESTS[memo] = h.hexdigest()
    return found


@functools.cache
def code_digest() -> str:
    """Hash of every source file of the `outreach` package and of the bundled fonts.

    Computed once per process (about 150 small files); replaces a hand-bumped
    RENDERER_VERSION, which stayed "1" while the pixels changed.
    """
    from outreach.paths import fonts_dir

    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    files = sorted(
        p
        for p in package.rglob("*")
        if p.is_file() and p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts
    )
    for path in files:
        h.update(str(path.relative_to(package)).encode())
        h.update(b"\0")
        h.update(file_digest(path).encode())
    fonts = fonts_dir()
    if fonts.is_dir():
        for path in sorted(p for p in fonts.iterdir() if p.is_file()):
            h.update(path.name.encode())
            h.update(file_digest(path).encode())
    return h.hexdigest()
