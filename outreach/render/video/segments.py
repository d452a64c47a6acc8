"""Segments: the video cut into independently encoded pieces, one per scene, each keyed by
the inputs that decide its frames, so an edit re-encodes only the pieces it touches.

Segment i holds the frames from scene i's first frame to scene i + 1's first frame. A
push belongs to the scene coming in (see `timeline`), so a transition lives in exactly
one segment: the incoming scene's, whose key then also holds the outgoing scene. Every
segment is encoded on its own (closed GOP: it starts on an IDR frame), and the video is
their concatenation by stream copy, so a video assembled from cached segments is the
same bytes as one encoded cold.

A key describes its scenes *relative to the segment's first frame* (frame numbers,
caption and word times, beats of the music grid), so a scene that only moved in time
(an earlier beat got longer) keeps its key. Everything else is in, by value: every field
of the scene and its caption chunks, the story's own fields for it (the beat or fact it
shows, and the story-level fields that cards read), the card specs' digests, media by
content, plus the caller's context (renderer version, theme digest, canvas, settings,
scale, encoder settings). A field nobody listed is included automatically; only what
is not reachable from those would be missed, which the rebuild tests check.

Pure planning: no pixels, no files (media are hashed through `fingerprint`).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.render.video.timeline import Scene, Timeline

#: Part of every key: bump when the way segments are cut or encoded changes.
SEGMENT_VERSION = "1"
#: Frame fields of a Scene (global frame numbers): described relative to the segment.
SCENE_FRAMES = ("start", "end", "own_start", "own_end", "button")
SCENE_FRAME_TUPLES = ("shots",)
#: Fields that only pace the timeline (seconds it aims at): their effect is in the frame
#: fields, and the whole story's re-pacing after one edit nudges them in every scene.
#: No renderer reads them (a test checks the drawing modules never do).
PACING_ONLY = ("own", "base", "least", "floor")


@dataclass(frozen=True)
class Segment:
    """Frames [start, stop) of the video; `scenes` are the scenes drawn in them."""

    index: int
    start: int
    stop: int
    scenes: tuple[int, ...]
    key: str

    @property
    def frames(self) -> int:
        return self.stop - self.start


class UnstableKey(TypeError):
    """A value that cannot be described stably (its repr would differ between runs)."""


def canon(x: Any) -> Any:
    """A JSON-able, run-independent description of `x` (files by content)."""
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, float):
        return x if x == x else "nan"
    if isinstance(x, Path):
        from outreach.fingerprint import file_digest

        return {"file": x.suffix, "sha256": file_digest(x) if x.is_file() else None}
    if isinstance(x, enum.Enum):
        return canon(x.value)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        out: dict[str, Any] = {"__type": type(x).__name__}
        for f in dataclasses.fields(x):
            out[f.name] = canon(getattr(x, f.name))
        return out
    if isinstance(x, dict):
        return [[canon(k), canon(v)] for k, v in sorted(x.items(), key=lambda kv: repr(kv[0]))]
    if isinstance(x, (list, tuple)):
        return [canon(v) for v in x]
    if isinstance(x, (set, frozenset)):
        return sorted((canon(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True))
    if hasattr(x, "model_dump"):  # pydantic models (story parts)
        return canon(x.model_dump(mode="json"))
    if hasattr(x, "tobytes") and hasattr(x, "shape"):  # numpy arrays
        return {"array": list(x.shape), "dtype": str(x.dtype), "sha256": _sha(x.tobytes())}
    raise UnstableKey(f"no stable description for a {type(x).__name__}")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """sha256 of the canonical JSON of `value`."""
    payload = json.dumps(canon(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _sha(payload.encode("utf-8"))


def _rebased_scene(sc: Scene, origin: int) -> Scene:
    changes: dict[str, Any] = {name: 0.0 for name in PACING_ONLY if hasattr(sc, name)}
    for name in SCENE_FRAMES:
        value = getattr(sc, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            changes[name] = value - origin
    for name in SCENE_FRAME_TUPLES:
        value = getattr(sc, name, None)
        if isinstance(value, tuple):
            changes[name] = tuple(v - origin for v in value)
    return dataclasses.replace(sc, **changes)


def _rebased_chunk(chunk: Any, origin: int, fps: int) -> Any:
    words = tuple(
        dataclasses.replace(
            w,
            start=w.start - origin,
            end=w.end - origin,
            times=tuple(round(t - origin / fps, 6) for t in getattr(w, "times", ())),
        )
        for w in chunk.words
    )
    return dataclasses.replace(
        chunk, start=chunk.start - origin, end=chunk.end - origin, words=words
    )


def _local_beats(timeline: Timeline, lo: int, hi: int, origin: int) -> list[int] | None:
    """The music's beats between frames lo and hi, as frames relative to `origin`."""
    grid = timeline.grid
    if grid is None or grid.period <= 0:
        return None
    fps = timeline.fps
    return [round(t * fps) - origin for t in grid.beats(hi / fps) if t * fps >= lo - 0.5]


def bounds(timeline: Timeline) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, stop, scenes drawn) of every segment: from each scene's first frame to the
    next scene's first frame; the scenes drawn are those on screen in that span."""
    scenes = timeline.scenes
    out = []
    for i, sc in enumerate(scenes):
        a = sc.start
        b = scenes[i + 1].start if i + 1 < len(scenes) else timeline.total_frames
        if b <= a:
            continue
        shown = tuple(j for j, o in enumerate(scenes) if o.start < b and o.end > a)
        out.append((a, b, shown))
    return out


def plan_segments(
    timeline: Timeline,
    chunks: dict[int, list[Any]],
    context: Any,
    scene_inputs: dict[int, Any] | None = None,
    captions: bool = True,
) -> list[Segment]:
    """The segments of a timeline, each with its content key.

    `context` is what every segment shares (renderer version, theme digest, canvas,
    settings, scale, encoder settings...); `scene_inputs[i]` is what scene i reads
    beyond its own fields (its story part, its card spec's digest); `captions=False`
    keys the caption-free (clean) video.
    """
    shared = digest(["segment", SEGMENT_VERSION, context, captions])
    fps = timeline.fps
    out = []
    for n, (a, b, shown) in enumerate(bounds(timeline)):
        parts = []
        for i in shown:
            sc = timeline.scenes[i]
            parts.append(
                [
                    _rebased_scene(sc, a),
                    [_rebased_chunk(c, a, fps) for c in chunks.get(i, [])] if captions else [],
                    (scene_inputs or {}).get(i),
                ]
            )
        lo = min(timeline.scenes[i].start for i in shown)
        hi = max(timeline.scenes[i].end for i in shown)
        key = digest([shared, b - a, parts, _local_beats(timeline, lo, hi, a)])
        out.append(Segment(n, a, b, shown, key))
    return out
