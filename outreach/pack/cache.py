"""The pack's content-hash cache: decide cheaply, without rendering, what is unchanged.

Each output unit (one story's cards for one platform, or its video for one platform) is
keyed by one hash of everything it depends on: the story fields it uses (from the exact
bytes that were read), the bytes of its media, every file the theme and its layers name
(`Theme.digest`: theme.yaml chain, templates, fonts, logos and variants, music), the
platform presets, the run's video settings, and the renderer's own code (a hash of the
package's source files). A record maps that key to the manifest entries it produced and
is also the pack's ledger: which files the pack wrote, with their size, time and hash,
so that it only ever removes or overwrites its own. The cache lives in `<pack>/.cache/`;
deleting it only costs a re-render (and the pack then removes nothing it cannot prove
it wrote).
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
from outreach.fingerprint import file_digest

CACHE_DIR = ".cache"
#: Story fields that decide which pack a story joins, not what it looks like.
PACK_ONLY_FIELDS = ("status", "week", "publish", "sample")
#: Story fields only the video uses; a change there leaves cards and post text alone.
VIDEO_ONLY_FIELDS = ("music", "voice")
VIDEO_ONLY_BEAT_FIELDS = ("motion", "duration", "narration", "voice")
#: Theme files up to this size are hashed by content; bigger ones (music) by size and mtime.
SMALL_FILE = 1 << 20


def hash_json(value: Any) -> str:
    payload = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def theme_fingerprint(theme: Any) -> str:
    """Everything the theme names or ships, by content (see `Theme.digest`)."""
    return str(theme.digest)


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
    from outreach.fingerprint import code_digest

    return hash_json(
        [
            code_digest(),
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
        """The cached entries if `key` matches and every file is still there, unchanged."""
        rec = self._read("outputs", name)
        if not rec or rec.get("key") != key or not isinstance(rec.get("entries"), list):
            return None
        if not all(self.intact(e, rec) for e in rec["entries"]):
            return None
        return rec["entries"]

    def intact(self, entry: dict[str, Any], rec: dict[str, Any] | None = None) -> bool:
        """The entry's file is on disk with the bytes the pack wrote (size and time first,
        the hash only when the time moved)."""
        try:
            path = self.pack_dir / entry["path"]
            st = os.lstat(path)
            if not os.path.isfile(path) or os.path.islink(path) or st.st_size != entry["bytes"]:
                return False
            stat = (rec or {}).get("stat", {}).get(entry["path"])
            if stat and stat == [st.st_size, st.st_mtime_ns]:
                return True
            return bool(file_digest(path) == entry["sha256"])
        except (OSError, KeyError, TypeError):
            return False

    def store_outputs(
        self, name: str, key: str | None, entries: list[dict[str, Any]], **meta: Any
    ) -> None:
        stat: dict[str, list[int]] = {}
        for e in entries:
            try:
                st = os.stat(self.pack_dir / e["path"])
                stat[e["path"]] = [st.st_size, st.st_mtime_ns]
            except OSError:
                pass
        self._write("outputs", name, {"key": key, "entries": entries, "stat": stat, **meta})

    def records(self) -> dict[str, dict[str, Any]]:
        """Every output record (the ledger of what the pack wrote), by name."""
        folder = self.root / "outputs"
        out: dict[str, dict[str, Any]] = {}
        if not folder.is_dir():
            return out
        for path in sorted(folder.glob("*.json")):
            rec = self._read("outputs", path.stem)
            if rec is not None and isinstance(rec.get("entries"), list):
                out[path.stem] = rec
        return out

    def forget(self, name: str) -> None:
        import contextlib

        with contextlib.suppress(FileNotFoundError):
            self._file("outputs", name).unlink()

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
