"""The pack's units of work, as plain picklable data plus module-level functions, so the
same jobs run on a local process pool or on a Dask cluster.

Two kinds of job:
- `CheckJob`: validate one story (schema, media, a low-scale layout pass of every card).
- `OutputJob`: render one story's outputs for a group of platforms. Platforms that share
  canvas, safe zone and card format are grouped, so each card is composed once and only
  JPEG-encoded per platform; videos of one story are one job, so TikTok, Shorts and Reels
  share the encode. When a pack has fewer videos than workers, a `segments` job lets a
  second worker encode part of a video's segments (see `pack/segments.py`): the video's
  own job then joins what both made.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.diagnostics import Diagnostic

CARDS, VIDEO = "cards", "video"
#: A helper share of a video: encode segments from the end, write nothing else.
SEGMENTS = "segments"


@dataclass(frozen=True)
class StoryRef:
    """Where a story lives; absolute paths, so remote workers find the same files."""

    path: str
    root: str
    themes_dirs: tuple[str, ...] = ()
    requested: tuple[str, ...] | None = None
    #: The story file's bytes as the planner read and keyed them: workers render exactly
    #: these, so a story edited while the pack runs cannot slip in under the old key.
    source: bytes | None = None

    def load(
        self,
        platforms: list[str] | None = None,
        layout_pass: bool = False,
        highlight: bool | None = None,
    ) -> Any:
        from outreach.pack.story import load_and_validate

        requested = (
            list(platforms)
            if platforms is not None
            else (list(self.requested) if self.requested else None)
        )
        return load_and_validate(
            Path(self.path),
            Path(self.root),
            requested,
            tuple(Path(p) for p in self.themes_dirs),
            False,
            layout_pass,
            highlight,
            self.source,
        )


@dataclass(frozen=True)
class CheckJob:
    story: StoryRef
    story_id: str
    key: str
    highlight: bool = True


@dataclass(frozen=True)
class OutputJob:
    """Render one story's outputs of one kind for some platforms. Every switch the run was
    given (quality, --no-highlight, the render scale) travels here as an argument."""

    story: StoryRef
    story_id: str
    kind: str  # cards | video
    platforms: tuple[str, ...]
    pack_dir: str
    keys: tuple[str, ...]  # one per platform
    quality: str = "fast"
    highlight: bool = True
    scale: float = 1.0
    #: Files under the story's folder the pack wrote before: path -> (bytes, sha256). Any
    #: other existing file at a path the job writes is moved aside, never overwritten.
    owned: tuple[tuple[str, int, str], ...] = ()
    clean: bool = False  # --clean-video: also video-clean.mp4

    def key_for(self, platform: str) -> str:
        if len(self.keys) == 1:
            return self.keys[0]
        return self.keys[self.platforms.index(platform)]


@dataclass
class JobResult:
    ok: bool
    entries: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    trace: str = ""  # the traceback of an unexpected failure, shown with -v
    #: platform -> the key recomputed after rendering, or None when an input changed
    #: while the job ran (then nothing is cached and the next run renders again).
    keys: dict[str, str | None] = field(default_factory=dict)
    moved_aside: list[tuple[str, str]] = field(default_factory=list)


def _failure(path: str, exc: BaseException, start: float) -> JobResult:
    from outreach.diagnostics import StoryError
    from outreach.pack.story import describe_error

    diags = describe_error(Path(path), exc)
    trace = "" if isinstance(exc, StoryError) else "".join(traceback.format_exception(exc))
    return JobResult(False, [], diags, time.perf_counter() - start, trace)


def run_check(job: CheckJob) -> JobResult:
    """Validate a story fully; errors come back as diagnostics, never as exceptions."""
    start = time.perf_counter()
    try:
        validated = job.story.load(layout_pass=True, highlight=job.highlight)
        return JobResult(True, [], validated.diagnostics, time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 — every failure becomes a diagnostic
        return _failure(job.story.path, exc, start)


class _NullConsole:
    quiet, verbose = True, False

    def info(self, msg: str) -> None:
        pass

    def debug(self, msg: str) -> None:
        pass

    def diag(self, d: Diagnostic) -> None:
        pass


def _shared_memo() -> Any:
    """A CardMemo that composes a card once for every platform with the same canvas, safe
    zone and layout (compose never reads the platform's name), and encodes it per size cap."""
    from outreach.pack.story import CardMemo, CardOutput
    from outreach.render.cards import compose, encode_jpeg

    class SharedCardMemo(CardMemo):
        def __init__(self) -> None:
            super().__init__()
            self._composed: dict[str, Any] = {}
            self._encoded: dict[tuple[str, int | None], bytes] = {}

        def render(self, spec: Any, platform: Any, theme: Any) -> Any:
            key = spec.digest(dataclasses.replace(platform, name="", label=""), theme)
            if key not in self._composed:
                result = compose(spec, platform, theme, 1.0)
                if result.errors:
                    err = result.errors[0]
                    from outreach.diagnostics import StoryError

                    raise StoryError(
                        [Diagnostic("", 0, 0, "error", err.field, err.message, err.hint)]
                    )
                from outreach.pack.story import card_extra, text_boxes

                self._composed[key] = (result.image, text_boxes(result), card_extra(result))
            image, boxes, extra = self._composed[key]
            cap = platform.max_image_bytes
            if (key, None) not in self._encoded:
                self._encoded[(key, None)] = encode_jpeg(image, None)
            best = self._encoded[(key, None)]
            if cap is not None and len(best) > cap:  # the rare card over a size cap
                if (key, cap) not in self._encoded:
                    self._encoded[(key, cap)] = encode_jpeg(image, cap)
                best = self._encoded[(key, cap)]
            return CardOutput(spec, best, boxes, extra)

    return SharedCardMemo()


def _probe_duration(path: Path) -> float | None:
    """Seconds of a rendered video, probed with the bundled ffmpeg (no system ffprobe)."""
    from outreach import ffmpeg

    try:
        return round(ffmpeg.probe(path).duration, 3)
    except (ffmpeg.FFmpegError, OSError, ValueError):
        return None


def _owner(job: OutputJob) -> Any:
    """`owns(path)` for the job's journal: the file is one the pack wrote and nobody has
    changed since (size, then content)."""
    from outreach.fingerprint import file_digest

    pack_dir = Path(job.pack_dir).resolve()
    owned: dict[str, set[tuple[int, str]]] = {}
    for rel, size, sha in job.owned:  # a path may have several known versions
        owned.setdefault(rel, set()).add((size, sha))

    def owns(path: Path) -> bool:
        try:
            rel = path.resolve().relative_to(pack_dir).as_posix()
        except ValueError:
            return False
        if rel not in owned or path.is_symlink():
            return False
        try:
            size = path.stat().st_size
            return any(size == s and file_digest(path) == sha for s, sha in owned[rel])
        except OSError:
            return False

    return owns


def _keys_after(job: OutputJob, validated: Any) -> dict[str, str | None]:
    """The units' keys recomputed from the inputs as they are now: if a photo, logo or
    theme file changed while the job ran, the output may mix old and new, so it is not
    cached (None) and the next run renders it again."""
    from outreach.pack.cache import output_key
    from outreach.pack.story import theme_dirs
    from outreach.pack.weekly import _video_inputs
    from outreach.platforms import get_platform
    from outreach.themes import load_theme

    load_theme.cache_clear()
    try:
        extra_dirs = tuple(Path(p) for p in job.story.themes_dirs)
        theme = load_theme(validated.theme.name, theme_dirs(validated.loaded, extra_dirs))
        extra = (
            _video_inputs(job.quality, job.highlight, job.scale, job.clean)
            if job.kind == VIDEO
            else None
        )
        out: dict[str, str | None] = {}
        for name in job.platforms:
            key = output_key(validated.loaded, job.kind, [get_platform(name)], theme.digest, extra)
            out[name] = key if key == job.key_for(name) else None
        return out
    except Exception:  # noqa: BLE001 — an input vanished mid-run: cache nothing
        return {name: None for name in job.platforms}


def run_output(job: OutputJob) -> JobResult:
    """Render one group; every file goes through `outreach.atomic`, inside a journal that
    moves aside any existing file the pack does not own. Entries carry `key`."""
    import os

    from outreach.atomic import Journal, journal
    from outreach.pack.cache import CACHE_DIR

    start = time.perf_counter()
    if job.kind == SEGMENTS:
        return _run_segments(job, start)
    log = Journal(
        _owner(job), log=Path(job.pack_dir) / CACHE_DIR / "journal" / f"{os.getpid()}.log"
    )
    try:
        from outreach.platforms import get_platform

        validated = job.story.load(list(job.platforms), layout_pass=False)
        validated.platforms = [get_platform(n) for n in job.platforms]
        pack_dir = Path(job.pack_dir)
        with journal(log):
            if job.kind == CARDS:
                from outreach.pack.story import render_cards

                made = render_cards(validated, pack_dir, _shared_memo(), validated.platforms)
            else:
                from outreach.pack.video import render_videos

                made = render_videos(
                    validated,
                    pack_dir,
                    job.quality,
                    _NullConsole(),
                    scale=job.scale,
                    highlight=job.highlight,
                    clean=job.clean,
                    record_dir=pack_dir / CACHE_DIR / "video",
                    links=False,
                )
                from outreach.pack.handoff import place_platform_videos

                made += place_platform_videos(made, pack_dir)
        keys = _keys_after(job, validated)
        entries = []
        for entry in made:
            d = entry.as_dict()
            if d.get("output") == "video" and d.get("duration") is None:
                d["duration"] = _probe_duration(pack_dir / d["path"])
            d["key"] = keys.get(d["platform"]) or job.key_for(d["platform"])
            entries.append(d)
        result = JobResult(True, entries, [], time.perf_counter() - start, keys=keys)
    except Exception as exc:  # noqa: BLE001 — one broken output never stops the pack
        result = _failure(job.story.path, exc, start)
    result.moved_aside = log.moved_aside
    return result


def _run_segments(job: OutputJob, start: float) -> JobResult:
    """A helper's share of one video (its segments only); failing costs nothing, since the
    video's own job encodes whatever is still missing."""
    try:
        from outreach.pack.video import help_encode
        from outreach.platforms import get_platform

        validated = job.story.load(list(job.platforms), layout_pass=False)
        validated.platforms = [get_platform(n) for n in job.platforms]
        help_encode(validated, Path(job.pack_dir), job.quality, job.scale, job.highlight, job.clean)
        return JobResult(True, [], [], time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 — the video's own job does the rest
        return _failure(job.story.path, exc, start)


_current_story: str | None = None


def _switch_story(path: str) -> None:
    """Decoded photos are shared by the jobs of one story; a worker moving on to another
    story drops them, so memory stays at one story's photos per worker."""
    global _current_story
    if _current_story is not None and _current_story != path:
        from outreach.render import photos

        for cached in (getattr(photos, "_filled", None), getattr(photos, "_decoded", None)):
            if cached is not None and hasattr(cached, "cache_clear"):
                cached.cache_clear()
    _current_story = path


def run(job: CheckJob | OutputJob) -> JobResult:
    """The single entry point submitted to any executor."""
    _switch_story(job.story.path)
    return run_check(job) if isinstance(job, CheckJob) else run_output(job)
