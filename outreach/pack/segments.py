"""The segment cache: encoded pieces of a story's video, reused across renders.

`render.video.segments` cuts a timeline into segments and keys each by its inputs; this
module keeps the encoded segments on disk (`<output>/.cache/segments/<story>/`: always
safe to delete), encodes the missing ones, and joins them all, by stream copy, with the
soundtrack. An edit to one beat therefore re-encodes one segment (two when the scene
after it pushes in), and the joined file is the same bytes a cold render makes.

Each segment file has a sidecar with what the frozen-time meter saw in it (its stills,
its first frame and its last reference), so the video's motion report is the same
whether a segment was encoded now or reused.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from outreach import ffmpeg
from outreach.atomic import temp_path_for, write_text
from outreach.render.video.frames import FreezeMeter, Lazy, frame_stream
from outreach.render.video.segments import Segment
from outreach.render.video.timeline import Timeline

SEGMENTS_DIR = "segments"
#: Segments kept per story beyond those the latest render used (earlier versions, so
#: undoing an edit is fast too); the oldest are removed first.
KEEP_EXTRA = 48
#: At most this many encoders at once: one takes frames while the other drains.
ENCODERS = 2


@dataclass
class EncodeStats:
    """What one video's encode did: for the record, the tests and the bench."""

    encoded: list[int] = field(default_factory=list)  # segment indices encoded now
    reused: list[int] = field(default_factory=list)
    frames_encoded: int = 0
    audio_reused: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "segments": len(self.encoded) + len(self.reused),
            "encoded": len(self.encoded),
            "reused": len(self.reused),
            "frames_encoded": self.frames_encoded,
            "audio_reused": self.audio_reused,
        }


#: Every encode this process made (tests count re-encodes through it).
HISTORY: list[EncodeStats] = []


class SegmentStore:
    """Encoded segments by key, with their meter sidecars, under one folder."""

    def __init__(self, root: Path):
        self.root = root

    def video(self, key: str) -> Path:
        return self.root / f"{key}.mp4"

    def sidecar(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def has(self, key: str) -> bool:
        """A complete segment: its file, and a sidecar (written last) that agrees on size."""
        try:
            return self.meta(key).get("bytes") == self.video(key).stat().st_size
        except (OSError, ValueError):
            return False

    def meta(self, key: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.sidecar(key).read_text(encoding="utf-8"))
        return data

    def touch(self, key: str) -> None:
        """Mark as used now (the least recently used go first when pruning)."""
        now = time.time()
        for path in (self.video(key), self.sidecar(key)):
            with contextlib.suppress(OSError):
                os.utime(path, (now, now))

    def put_meta(self, key: str, meta: dict[str, Any]) -> None:
        write_text(self.sidecar(key), json.dumps(meta, separators=(",", ":")) + "\n")

    def prune(self, keep: Iterable[str], extra: int = KEEP_EXTRA) -> int:
        """Remove segments not in `keep` beyond the `extra` most recently used; return
        how many were removed. Only this store's own files (key-named) are touched."""
        keep = set(keep)
        try:
            entries = [
                p for p in self.root.iterdir() if p.suffix in (".mp4", ".m4a") and _is_key(p.stem)
            ]
        except OSError:
            return 0
        others = sorted(
            (p for p in entries if p.stem not in keep),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        removed = 0
        for path in others[extra:]:
            for victim in (path, self.sidecar(path.stem)):
                with contextlib.suppress(FileNotFoundError):
                    victim.unlink()
            removed += 1
        return removed


def _is_key(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def store_for(out_dir: Path, story_id: str) -> SegmentStore:
    from outreach.pack.cache import CACHE_DIR

    return SegmentStore(out_dir / CACHE_DIR / SEGMENTS_DIR / story_id)


# --- the frozen-time meter, per segment -------------------------------------------------


def _pack_luma(a: np.ndarray | None) -> dict[str, Any] | None:
    if a is None:
        return None
    raw = np.asarray(a, dtype=np.int16).astype(np.uint8).tobytes()
    return {"shape": list(a.shape), "data": base64.b64encode(raw).decode("ascii")}


def _unpack_luma(d: dict[str, Any] | None) -> np.ndarray | None:
    if d is None:
        return None
    raw = base64.b64decode(d["data"])
    return np.frombuffer(raw, dtype=np.uint8).reshape(d["shape"]).astype(np.int16)


def meter_meta(meter: FreezeMeter, first: np.ndarray | None) -> dict[str, Any]:
    """What a segment's own meter saw, enough to chain it with its neighbours."""
    return {
        "frames": meter._frames,
        "first_motion": meter._first_motion,
        "stills": list(meter._stills),
        "run": meter._run,
        "first": _pack_luma(first),
        "ref": _pack_luma(meter._ref),
    }


def chain_meters(fps: int, metas: list[dict[str, Any]]) -> dict[str, float]:
    """The whole video's motion report from its segments' meters.

    Exact when each segment's first frame differs from the last moving frame before it
    (a cut or a push always does); otherwise the still is taken to end at the boundary.
    """
    total = FreezeMeter(fps)
    ref: np.ndarray | None = None
    for meta in metas:
        first = _unpack_luma(meta.get("first"))
        offset = total._frames
        if ref is not None and first is not None:
            if total._first_motion is None:
                total._first_motion = offset
            total._close()
        for run in meta["stills"]:
            total._stills.append(int(run))
        total._run = int(meta["run"])
        if total._first_motion is None and meta["first_motion"] is not None:
            total._first_motion = offset + int(meta["first_motion"])
        total._frames += int(meta["frames"])
        ref = _unpack_luma(meta.get("ref"))
    return total.report()


# --- encoding ---------------------------------------------------------------------------


def _release(items: Iterable[Any]) -> None:
    for x in items:
        if isinstance(x, Lazy):
            x.release()


def encode_segments(
    timeline: Timeline,
    renderers: list[Any],
    captions: dict[int, Any],
    segments: list[Segment],
    store: SegmentStore,
    enc: ffmpeg.EncodeSettings,
    on_frames: Callable[[int], None] | None = None,
    stats: EncodeStats | None = None,
) -> EncodeStats:
    """Encode every segment the store lacks (in order, each on its own, the next one's
    frames built while the last one's encoder drains), then touch all of them."""
    stats = stats if stats is not None else EncodeStats()
    missing = [s for s in segments if not store.has(s.key)]
    done = {s.key for s in segments} - {s.key for s in missing}
    stats.reused += [s.index for s in segments if s.key in done]
    store.root.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[ffmpeg.StreamEncoder, Segment, Path, dict[str, Any]]] = []
    ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outreach-segment")

    def build(i: int) -> None:
        _get(renderers[i])
        _get(captions.get(i, []))

    def prepare(seg: Segment) -> None:
        for i in seg.scenes:
            ahead.submit(build, i)

    def finish(item: tuple[ffmpeg.StreamEncoder, Segment, Path, dict[str, Any]]) -> None:
        encoder, seg, tmp, meta = item
        try:
            encoder.wait()
            os.replace(tmp, store.video(seg.key))
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        meta["bytes"] = store.video(seg.key).stat().st_size
        store.put_meta(seg.key, meta)

    try:
        for n, seg in enumerate(missing):
            if n + 1 < len(missing):
                prepare(missing[n + 1])
            tmp = temp_path_for(store.video(seg.key))
            encoder = ffmpeg.StreamEncoder(seg.frames, None, tmp, enc)
            meter = FreezeMeter(timeline.fps)
            first: np.ndarray | None = None
            try:
                stream = frame_stream(
                    timeline, renderers, captions, meter, frames=range(seg.start, seg.stop)
                )
                for data in stream:
                    if first is None:
                        first = meter._ref
                    if encoder.broken:
                        break
                    encoder.write(data)
                    if on_frames is not None:
                        on_frames(1)
            except BaseException:
                encoder.kill()
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                raise
            encoder.close()
            pending.append((encoder, seg, tmp, meter_meta(meter, first)))
            stats.encoded.append(seg.index)
            stats.frames_encoded += seg.frames
            nxt = set(missing[n + 1].scenes) if n + 1 < len(missing) else set()
            for i in seg.scenes:
                if i not in nxt:
                    _release([renderers[i], captions.get(i)])
            while len(pending) >= ENCODERS:
                finish(pending.pop(0))
        while pending:
            finish(pending.pop(0))
    except BaseException:
        for encoder, _seg, tmp, _meta in pending:
            encoder.kill()
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    finally:
        ahead.shutdown(wait=True, cancel_futures=True)
    for seg in segments:
        store.touch(seg.key)
    return stats


def _get(x: Any) -> Any:
    return x.get() if isinstance(x, Lazy) else x


def join(
    segments: list[Segment],
    store: SegmentStore,
    audio: Path | None,
    target: Path,
    fps: int,
) -> None:
    """Join the stored segments and the soundtrack into `target`, by stream copy."""
    parts = [(store.video(s.key), s.frames / fps) for s in segments]
    ffmpeg.concat(parts, audio, target, sum(s.frames for s in segments) / fps)


def motion(fps: int, segments: list[Segment], store: SegmentStore) -> dict[str, float]:
    """The video's frozen-time report, from the segments' meter sidecars."""
    return chain_meters(fps, [store.meta(s.key) for s in segments])
