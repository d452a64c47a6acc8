"""manifest.json: every output file with its size, hash and text boxes.

Schema: {"files": [{"path", "story", "platform", "output", "width", "height", "bytes",
"sha256", "text_boxes", ...}]}; `path` is relative to the manifest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from outreach.atomic import write_text

MANIFEST_NAME = "manifest.json"


@dataclass
class ManifestEntry:
    path: str
    story: str
    platform: str
    output: str  # card | slide | thumbnail | post | video | cover | subtitles
    width: int | None
    height: int | None
    bytes: int
    sha256: str
    text_boxes: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        extra = d.pop("extra")
        return {**d, **extra}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return list(data.get("files", []))
    except (OSError, ValueError, AttributeError):
        return []


def write_manifest(path: Path, entries: list[dict[str, Any]], **meta: Any) -> None:
    """Write atomically, sorted by path, so that re-runs give identical manifests."""
    files = sorted(entries, key=lambda e: e["path"])
    payload = {**meta, "files": files}
    write_text(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def merge_into_manifest(path: Path, entries: list[dict[str, Any]], stories: set[str]) -> None:
    """Replace these stories' entries in an existing manifest, keeping the others
    whose files still exist."""
    kept = [
        e
        for e in read_manifest(path)
        if e.get("story") not in stories and (path.parent / e.get("path", "")).is_file()
    ]
    write_manifest(path, kept + entries)
