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
import socket
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
#: At most this many encoders at once. Two (one taking frames while the other drains)
#: made a segment's bytes differ now and then between runs (same frames, a 2-byte
#: difference in the bitstream): one, until that is understood, so rebuilds stay
#: byte-identical.
ENCODERS = 1
#: A claim on a segment (another process is encoding it) not refreshed for this long is
#: taken over; waiting for one checks this often (seconds).
CLAIM_STALE = 90.0
CLAIM_POLL = 0.2


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

    def claim_path(self, key: str) -> Path:
        return self.root / f".{key}.claim"

    def claim(self, key: str) -> bool:
        """Take the right to encode `key` (False while another live process holds it)."""
        path = self.claim_path(key)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                if time.time() - path.stat().st_mtime < CLAIM_STALE and _alive(path):
                    return False
                path.unlink()  # its owner died (or went quiet): take over
            except FileNotFoundError:
                pass
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{socket.gethostname()} {os.getpid()}\n")
        return True

    def refresh_claim(self, key: str) -> None:
        with contextlib.suppress(OSError):
            os.utime(self.claim_path(key))

    def unclaim(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.claim_path(key).unlink()

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


def _alive(claim: Path) -> bool:
    """Whether a claim's owner may still be at work: another machine's (Dask) always may;
    on this machine, only a process that still exists."""
    try:
        host, pid = claim.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return True  # being written, or unreadable: trust its age
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


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
    reverse: bool = False,
    wait: bool = True,
) -> EncodeStats:
    """Encode every segment the store lacks (each on its own, the next one's frames built
    while the last one's encoder drains), then touch all of them.

    Each segment is claimed first, so several processes (pack workers, local or on Dask)
    can share one video: a helper goes from the end (`reverse`, `wait=False`) while the
    video's own job goes from the start, and the latter then waits for the segments the
    helper claimed (taking over any whose claim went stale)."""
    stats = stats if stats is not None else EncodeStats()
    store.root.mkdir(parents=True, exist_ok=True)
    todo = [s for s in segments if not store.has(s.key)]
    stats.reused += [s.index for s in segments if s not in todo]
    queue = list(reversed(todo)) if reverse else todo
    deferred: list[Segment] = []
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
            meta["bytes"] = store.video(seg.key).stat().st_size
            store.put_meta(seg.key, meta)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            store.unclaim(seg.key)

    def next_segment() -> Segment | None:
        while queue:
            seg = queue.pop(0)
            if store.has(seg.key):
                stats.reused.append(seg.index)
            elif store.claim(seg.key):
                return seg
            else:
                deferred.append(seg)  # another process is encoding it
        while wait and deferred:
            while pending:  # ours first: they may be what the others wait for
                finish(pending.pop(0))
            for seg in list(deferred):
                if store.has(seg.key):
                    deferred.remove(seg)
                    stats.reused.append(seg.index)
                elif store.claim(seg.key):  # its claim was dropped or went stale
                    deferred.remove(seg)
                    return seg
            if deferred:
                time.sleep(CLAIM_POLL)
        return None

    last_release: set[int] = set()
    try:
        seg = next_segment()
        while seg is not None:
            tmp = temp_path_for(store.video(seg.key))
            encoder = ffmpeg.StreamEncoder(seg.frames, None, tmp, enc)
            meter = FreezeMeter(timeline.fps)
            first: np.ndarray | None = None
            try:
                # No prefetch of the next segment here: the frame stream already builds
                # the next scene on its helper thread, and two builders drawing text with
                # the same fonts at once made frames differ now and then.
                stream = frame_stream(
                    timeline, renderers, captions, meter, frames=range(seg.start, seg.stop)
                )
                for k, data in enumerate(stream):
                    if first is None:
                        first = meter._ref
                    if encoder.broken:
                        break
                    encoder.write(data)
                    if k % 30 == 29:
                        store.refresh_claim(seg.key)
                    if on_frames is not None:
                        on_frames(1)
            except BaseException:
                encoder.kill()
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                store.unclaim(seg.key)
                raise
            encoder.close()
            pending.append((encoder, seg, tmp, meter_meta(meter, first)))
            stats.encoded.append(seg.index)
            stats.frames_encoded += seg.frames
            last_release = set(seg.scenes)
            seg = next_segment()
            keep = set(seg.scenes) if seg is not None else set()
            _release([x for i in last_release - keep for x in (renderers[i], captions.get(i))])
            while len(pending) >= ENCODERS:
                finish(pending.pop(0))
        while pending:
            finish(pending.pop(0))
    except BaseException:
        for encoder, item_seg, tmp, _meta in pending:
            encoder.kill()
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            store.unclaim(item_seg.key)
        raise
    finally:
        ahead.shutdown(wait=True, cancel_futures=True)
    for segment in segments:
        store.touch(segment.key)
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
