"""The pack's content-hash cache: decide cheaply, without rendering, what is unchanged.

Each output group is keyed by a hash of what it depends on: the story fields it uses,
the bytes of its media, the theme (its files and fonts), the platform presets and
`outreach.RENDERER_VERSION`. A record maps that key to the manifest entries it
produced. The cache lives in `<pack>/.cache/`; deleting it only costs a re-render.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from outreach.atomic import write_text
from outreach.diagnostics import Diagnostic

CACHE_DIR = ".cache"
#: Story fields that decide which pack a story joins, not what it looks like.
PACK_ONLY_FIELDS = ("status", "week", "publish")
#: Story fields only the video uses; a change there leaves cards and post text alone.
VIDEO_ONLY_FIELDS = ("music", "voice")
VIDEO_ONLY_BEAT_FIELDS = ("motion", "duration", "narration", "voice")
#: Theme files up to this size are hashed by content; bigger ones (music) by size and mtime.
SMALL_FILE = 1 << 20

_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, memoised on (path, size, mtime) within this process."""
    st = os.stat(path)
    memo = (str(path), st.st_size, st.st_mtime_ns)
    if memo not in _DIGESTS:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _DIGESTS[memo] = h.hexdigest()
    return _DIGESTS[memo]


def hash_json(value: Any) -> str:
    payload = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def theme_fingerprint(theme: Any) -> str:
    """The theme's own digest (theme.yaml chain, fonts, logo) plus every file in its
    folders, so that an overridden post template also changes the key."""
    parts: list[Any] = [theme.digest]
    for folder in theme.folders:
        for path in sorted(Path(folder).rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            st = path.stat()
            rel = str(path.relative_to(folder))
            if st.st_size <= SMALL_FILE:
                parts.append([rel, file_digest(path)])
            else:
                parts.append([rel, st.st_size, st.st_mtime_ns])
    return hash_json(parts)


def platform_fingerprint(platform: Any) -> Any:
    if dataclasses.is_dataclass(platform) and not isinstance(platform, type):
        return dataclasses.asdict(platform)
    return repr(platform)


def story_fields(story: Any, kind: str) -> dict[str, Any]:
    """The story fields an output kind uses: `cards` (cards and post text), `video`, `check`."""
    data = story.model_dump(mode="json")
    for name in PACK_ONLY_FIELDS:
        data.pop(name, None)
    if kind == "cards":
        for name in VIDEO_ONLY_FIELDS:
            data.pop(name, None)
        data["beats"] = [
            {k: v for k, v in beat.items() if k not in VIDEO_ONLY_BEAT_FIELDS}
            for beat in data.get("beats", [])
        ]
    return data


def media_digests(loaded: Any, kind: str) -> dict[str, str]:
    """Content hashes of the media an output kind reads (cards never read audio)."""
    out: dict[str, str] = {}
    for fpath, rel in loaded.story.media_fields():
        if kind == "cards" and fpath[-1] in ("narration", "music"):
            continue
        out[rel] = file_digest(loaded.media_path(rel))
    return out


def output_key(
    loaded: Any, kind: str, platforms: list[Any], theme_fp: str, extra: Any = None
) -> str:
    """The content hash that decides an output group's bytes."""
    from outreach import RENDERER_VERSION

    return hash_json(
        [
            RENDERER_VERSION,
            kind,
            loaded.id,
            story_fields(loaded.story, kind),
            media_digests(loaded, kind),
            theme_fp,
            [platform_fingerprint(p) for p in platforms],
            extra,
        ]
    )


# --- records --------------------------------------------------------------------------------


def diag_to_dict(d: Diagnostic) -> dict[str, Any]:
    return dataclasses.asdict(d)


def diag_from_dict(d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(**d)


class PackCache:
    """Records under `<pack>/.cache/`: one per output group and one per story check."""

    def __init__(self, pack_dir: Path):
        self.pack_dir = pack_dir
        self.root = pack_dir / CACHE_DIR

    def _file(self, section: str, name: str) -> Path:
        return self.root / section / f"{name}.json"

    def _read(self, section: str, name: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._file(section, name).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def _write(self, section: str, name: str, data: dict[str, Any]) -> None:
        write_text(self._file(section, name), json.dumps(data, ensure_ascii=False) + "\n")

    # Output groups: key -> manifest entries.

    def outputs(self, name: str, key: str) -> list[dict[str, Any]] | None:
        """The cached entries if `key` matches and every file is still there, whole."""
        rec = self._read("outputs", name)
        if not rec or rec.get("key") != key or not isinstance(rec.get("entries"), list):
            return None
        for entry in rec["entries"]:
            try:
                if (self.pack_dir / entry["path"]).stat().st_size != entry["bytes"]:
                    return None
            except (OSError, KeyError, TypeError):
                return None
        return rec["entries"]

    def store_outputs(self, name: str, key: str, entries: list[dict[str, Any]]) -> None:
        self._write("outputs", name, {"key": key, "entries": entries})

    # Story checks: key -> ok + diagnostics (so warnings survive a skipped run).

    def check(self, name: str, key: str) -> tuple[bool, list[Diagnostic]] | None:
        rec = self._read("checks", name)
        if not rec or rec.get("key") != key:
            return None
        try:
            return bool(rec["ok"]), [diag_from_dict(d) for d in rec["diagnostics"]]
        except (KeyError, TypeError):
            return None

    def store_check(self, name: str, key: str, ok: bool, diags: list[Diagnostic]) -> None:
        self._write(
            "checks", name, {"key": key, "ok": ok, "diagnostics": [diag_to_dict(d) for d in diags]}
        )

    # The pack's closing files: skip re-zipping an unchanged pack.

    def pack_state(self) -> dict[str, Any]:
        return self._read("pack", "state") or {}

    def store_pack_state(self, state: dict[str, Any]) -> None:
        self._write("pack", "state", state)
