"""`outreach render` for videos: one story's vertical video, captions and cover.

TikTok, Shorts, Instagram Reels and Facebook Reels share one encode: its captions sit in
the intersection of every vertical video preset's safe zone, so the same file is right
for all of them (and stays the same whichever subset is asked for). It is stored once in
DIR/<story>/_video/ and every platform's manifest entry points to it; each platform
folder gets relative symlinks `video.mp4`, `video.srt` and `video.vtt` for convenience.
Presets with another canvas size get their own encode (`_video-<w>x<h>`).

Everything is checked before the encode starts (beats, audio files, length against each
platform's maximum); the MP4 is written to a temporary name and renamed only when
complete, so a failure never leaves a half-written video.mp4.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach import ffmpeg
from outreach.atomic import atomic_path, temp_path_for, write_bytes, write_text
from outreach.diagnostics import Diagnostic, StoryError
from outreach.pack.manifest import ManifestEntry, sha256_bytes, sha256_file
from outreach.pack.segments import (
    HISTORY,
    EncodeStats,
    SegmentStore,
    encode_segments,
    store_for,
)
from outreach.pack.segments import join as join_segments
from outreach.pack.segments import motion as segment_motion
from outreach.platforms import Platform, load_presets
from outreach.render.cards import encode_jpeg
from outreach.render.video import timeline as tl
from outreach.render.video.audio import Cue, build_soundtrack
from outreach.render.video.beats import BeatGrid, detect_file
from outreach.render.video.captions import (
    Chunk,
    CueTiming,
    SidecarCue,
    card_cues,
    chunk_cues,
    cue_chars,
    cue_report,
    to_srt,
    to_vtt,
)
from outreach.render.video.frames import planned_motion
from outreach.render.video.scenes import (
    CaptionError,
    caption_geometry,
    frame_size,
    plan_captions,
    render_scenes,
)
from outreach.render.video.segments import Segment, plan_segments
from outreach.render.video.segments import digest as segment_digest

#: Encoder presets: (x264 preset, CRF, maxrate kbps, AAC kbps). `archive` is a master
#: for re-editing and re-uploading: near-transparent (CRF 12, slow), high bitrate.
QUALITY = {"fast": ("veryfast", 20, 10_000, 192), "archive": ("slow", 12, 60_000, 320)}
#: Tests render at a reduced size; never set in normal use.
SCALE_ENV = "OUTREACH_VIDEO_SCALE"
#: Bumped when a change alters the video's bytes; part of the cache key.
VIDEO_VERSION = "3"
#: What the last render of a shared folder was made from, and its files.
RECORD = "video.json"


def video_platform(platforms: list[Platform]) -> Platform:
    """A stand-in preset whose safe zone is the intersection of all of `platforms`'."""
    first = platforms[0]
    return dataclasses.replace(
        first,
        name="video",
        label="Vertical video",
        safe_top=max(p.safe_top for p in platforms),
        safe_bottom=max(p.safe_bottom for p in platforms),
        safe_left=max(p.safe_left for p in platforms),
        safe_right=max(p.safe_right for p in platforms),
        keep_clear=tuple(r for p in platforms for r in p.keep_clear),
    )


#: A shared encode must leave captions at least this share of the canvas (width, height);
#: a preset whose safe zone would shrink the intersection below it gets its own encode.
MIN_SHARED_SAFE = (0.6, 0.35)


def _usable(platforms: list[Platform]) -> bool:
    shared = video_platform(platforms)
    _x, _y, w, h = shared.safe_rect
    return w >= MIN_SHARED_SAFE[0] * shared.width and h >= MIN_SHARED_SAFE[1] * shared.height


def groups(requested: list[Platform]) -> list[tuple[Platform, list[Platform], str]]:
    """(shared stand-in preset, requested platforms it serves, folder name) per encode.

    Every video preset of a canvas size joins one encode while the intersection of their
    safe zones stays usable; the grouping uses all presets, not only the requested ones,
    so a story's video is the same file whichever platforms a run asks for.
    """
    out = []
    for canvas in sorted({p.canvas for p in requested if p.video}):
        every = sorted(
            (p for p in load_presets().values() if p.video and p.canvas == canvas),
            key=lambda p: -(p.safe_rect[2] * p.safe_rect[3]),
        )
        clusters: list[list[Platform]] = []
        for p in every:
            home = next((c for c in clusters if _usable([*c, p])), None)
            if home is None:
                clusters.append([p])
            else:
                home.append(p)
        for cluster in clusters:
            asked = [p for p in requested if p in cluster]
            if not asked:
                continue
            name = "_video" if canvas == (1080, 1920) else f"_video-{canvas[0]}x{canvas[1]}"
            if cluster is not clusters[0]:
                name += f"-{cluster[0].name}"
            out.append((video_platform(cluster), asked, name))
    return out


def _error(loaded: Any, field: tuple, message: str, hint: str) -> StoryError:
    return StoryError([loaded.diagnostic("error", field, message, hint)])


#: Audio files already decoded in this process: (path, size, mtime) -> seconds.
_AUDIO_SECONDS: dict[tuple[str, int, int], float] = {}


def _audio_problem(path: Path, rel: str, what: str) -> tuple[float | None, str, str]:
    """(seconds, message, hint): seconds when the file is usable audio, else a plain reason
    (never FFmpeg's or the OS's own wording)."""
    from outreach.model.media import media_kind

    kind = media_kind(path)
    try:
        st = path.stat()
    except OSError as exc:
        reason = (exc.strerror or "error").lower()
        return None, f"{what} `{rel}` cannot be read ({reason})", "check that it is readable"
    if st.st_size == 0:
        return None, f"{what} `{rel}` is an empty file (0 bytes)", "export the audio again"
    if kind == "image":
        return (
            None,
            f"{what} `{rel}` is a picture, not audio",
            "point to a sound file (WAV, MP3, M4A, OGG or FLAC)",
        )
    if kind == "video":
        return (
            None,
            f"{what} `{rel}` is a video file, not audio",
            "export its sound as an audio file (M4A, MP3 or WAV) and point to that",
        )
    memo = (str(path), st.st_size, st.st_mtime_ns)
    if memo in _AUDIO_SECONDS:
        return _AUDIO_SECONDS[memo], "", ""
    try:
        seconds = ffmpeg.audio_duration(path)
    except ffmpeg.FFmpegError as exc:
        reason = "it has no sound track" if "no audio stream" in str(exc) else "it does not decode"
        return (
            None,
            f"{what} `{rel}` is not readable audio ({reason})",
            "export it again as WAV, MP3, M4A, OGG or FLAC",
        )
    except (OSError, TimeoutError):
        return None, f"{what} `{rel}` could not be decoded", "export it again as WAV or M4A"
    if seconds <= 0.05:
        return None, f"{what} `{rel}` has no sound in it (0 seconds)", "export the audio again"
    _AUDIO_SECONDS[memo] = seconds
    return seconds, "", ""


def _check_audio(loaded: Any) -> tuple[dict[int, float], Path | None, list[Diagnostic]]:
    """Narration lengths by beat, the music file, and a diagnostic per unusable file."""
    story = loaded.story
    diags: list[Diagnostic] = []
    narration: dict[int, float] = {}
    todo: list[tuple[tuple, str, str]] = []
    for i, beat in enumerate(story.beats):
        if beat.narration:
            todo.append((("beats", i, "narration"), beat.narration, f"narration of beat {i + 1}"))
    if story.music:
        todo.append((("music",), story.music, "music"))
    music: Path | None = None
    for field, rel, what in todo:
        path = loaded.media_path(rel)
        seconds, message, hint = _audio_problem(path, rel, what)
        if seconds is None:
            diags.append(loaded.diagnostic("error", field, message, hint))
            continue
        if field[0] == "music":
            music = path
        else:
            narration[field[1]] = seconds
    return narration, music, diags


@dataclass(frozen=True)
class Music:
    """The music bed of a video: its file, its beat grid (None: no clear pulse) and mood."""

    path: Path
    grid: BeatGrid | None
    mood: str = ""
    source: str = "file"  # story | theme | bed


@functools.lru_cache(maxsize=8)
def load_beds(path: str) -> dict[str, Any]:
    """A bed library (assets/music/beds.yaml): {"beds": {mood: {...}}, "auto": {kind: mood}}."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {"beds": dict(data.get("beds") or {}), "auto": dict(data.get("auto") or {})}


@functools.lru_cache(maxsize=32)
def _grid_of(path: str, size: int, mtime: int) -> BeatGrid | None:
    try:
        return detect_file(Path(path))
    except ffmpeg.FFmpegError:
        return None


def grid_of(path: Path) -> BeatGrid | None:
    """The beat grid of a user's music file (detected offline, memoised per file version)."""
    st = path.stat()
    return _grid_of(str(path), st.st_size, st.st_mtime_ns)


def choose_music(
    loaded: Any, theme: Any, settings: tl.VideoSettings, story_music: Path | None
) -> tuple[Music | None, list[Diagnostic]]:
    """The story's music: its own file, else the theme's file or a bed of its library.

    A library bed is chosen by the story's `music_mood:`, else the theme's
    `video: {music_mood: ...}`; `auto` picks by the story's kind.
    """
    story = loaded.story
    if story_music is not None:
        return Music(story_music, grid_of(story_music), "", "story"), []
    if not theme.music:
        return None, []
    path = Path(theme.music)
    if path.suffix.lower() not in (".yaml", ".yml"):
        return Music(path, grid_of(path), "", "theme"), []
    library = load_beds(str(path))
    beds = library["beds"]
    mood = story.music_mood or settings.music_mood or "auto"
    field: tuple[str | int, ...] = ("music_mood",) if story.music_mood else ("theme",)
    if mood == "auto":
        mood = library["auto"].get(story.kind) or next(iter(beds), "")
    if mood not in beds:
        hint = "use one of: " + ", ".join(sorted(beds))
        where = "" if story.music_mood else f" (theme `{theme.name}`)"
        return None, [
            loaded.diagnostic("error", field, f"unknown music mood `{mood}`{where}", hint)
        ]
    bed = beds[mood]
    bed_path = path.parent / str(bed["file"])
    grid = BeatGrid(float(bed["bpm"]), float(bed.get("offset", 0.0)))
    return Music(bed_path, grid, mood, "bed"), []


def video_scale(value: str | None = None) -> float:
    """The test-only reduced render size, read once in the main process (workers get it
    as an argument)."""
    raw = os.environ.get(SCALE_ENV, "1") if value is None else value
    try:
        return min(1.0, max(0.1, float(raw or 1)))
    except ValueError:
        return 1.0


def _story_music(
    loaded: Any, theme: Any, settings: tl.VideoSettings
) -> tuple[dict[int, float], Music | None, list[Diagnostic]]:
    """Narration lengths, the chosen music and every audio problem (the theme's bed too)."""
    narration, story_music, diags = _check_audio(loaded)
    music: Music | None = None
    if not loaded.story.music or story_music is not None:
        music, mdiags = choose_music(loaded, theme, settings, story_music)
        diags += mdiags
    if music is not None and music.source in ("theme", "bed"):
        _seconds, message, hint = _audio_problem(
            music.path, music.path.name, f"theme `{theme.name}` music"
        )
        if message:
            diags.append(
                loaded.diagnostic("error", ("theme",), message, "fix `music:` in theme.yaml")
            )
    return narration, music, diags


def render_videos(
    validated: Any,
    out_dir: Path,
    quality: str = "fast",
    console: Any = None,
    scale: float | None = None,
    highlight: bool | None = None,
    clean: bool = False,
    record_dir: Path | None = None,
    links: bool = True,
) -> list[ManifestEntry]:
    """Render the story's video(s) for every requested video platform; return manifest entries.

    Every switch is an argument (`highlight=False` is --no-highlight, `clean` is
    --clean-video): workers never read them from the environment. `record_dir` keeps the
    encode's cache record outside the output folder (the pack puts it in `.cache/`, which
    survives clean-up); `links=False` skips the convenience symlinks in the platform
    folders (a pack folder holds exactly its manifest's files).
    """
    loaded, theme = validated.loaded, validated.theme
    if not groups(validated.platforms):
        return []
    if scale is None:
        scale = video_scale()
    settings = video_settings(validated, highlight)
    narration, music, diags = _story_music(loaded, theme, settings)
    if diags:
        raise StoryError(diags)
    plans = _planned(validated, settings, music) or plan_videos(
        validated, settings, narration, music
    )
    entries: list[ManifestEntry] = []
    for vp in plans:
        folder = out_dir / loaded.id / vp.folder_name
        record = record_dir / f"{loaded.id}--{vp.folder_name}.json" if record_dir else None
        entries += _render_group(
            validated, vp, settings, folder, out_dir, quality, console, scale,
            clean=clean, record_path=record, links=links,
        )  # fmt: skip
    return entries


def _planned(validated: Any, settings: tl.VideoSettings, music: Music | None) -> list | None:
    """The plans validation already made, when they were made for these very settings,
    music and platforms (planning again costs the captions' layout and the voices)."""
    plans = getattr(validated, "video", None)
    if not isinstance(plans, list) or not plans:
        return None
    wanted = [(name, [p.name for p in asked]) for _s, asked, name in groups(validated.platforms)]
    got = [(vp.folder_name, [p.name for p in vp.asked]) for vp in plans]
    same = all(isinstance(vp, VideoPlan) and vp.settings == settings for vp in plans)
    return plans if same and got == wanted and all(vp.music == music for vp in plans) else None


@dataclass
class VideoPlan:
    """One encode, planned without drawing a pixel: timeline, captions and sidecar cues."""

    shared: Platform
    asked: list[Platform]
    folder_name: str
    timeline: tl.Timeline
    chunks: dict[int, list[Chunk]]
    cues: list[SidecarCue]
    music: Music | None
    timing: CueTiming
    settings: tl.VideoSettings | None = None  # what it was planned with

    def report(self) -> dict[str, Any]:
        """Planned motion and cue timing (what `check` prints, before any render)."""
        return {
            "duration_s": round(self.timeline.duration, 2),
            "motion": planned_motion(self.timeline).as_dict(),
            "cues": cue_report(self.cues, self.timing).as_dict(),
            "shots": _shot_summary(self.timeline),
            "music": self.music.path.name if self.music else None,
            "bpm": self.music.grid.bpm if self.music and self.music.grid else None,
            "notes": list(self.timeline.notes),
        }


def _shot_summary(timeline: tl.Timeline) -> dict[str, float]:
    shots = timeline.shot_lengths()
    grid = timeline.grid
    cuts = timeline.cuts()
    on_beat = 0
    if grid is not None:
        for f in cuts:
            t = f / timeline.fps
            on_beat += abs(grid.nearest(t) - t) <= 0.5 / timeline.fps + 1e-6
    return {
        "count": len(shots),
        "mean_s": round(sum(shots) / len(shots), 2) if shots else 0.0,
        "longest_s": round(max(shots), 2) if shots else 0.0,
        "cuts_on_beat": on_beat,
        "cuts": len(cuts),
    }


def plan_videos(
    validated: Any,
    settings: tl.VideoSettings | None = None,
    narration: dict[int, float] | None = None,
    music: Music | None = None,
) -> list[VideoPlan]:
    """Every encode of a story, planned (timeline, captions, cues) without rendering.

    Raises StoryError with the story's line for anything that cannot be made: beats
    without content, a video over a platform's maximum, a word too wide for captions.
    """
    loaded, theme = validated.loaded, validated.theme
    if settings is None:
        settings = video_settings(validated)
    if narration is None:
        narration, chosen, diags = _story_music(loaded, theme, settings)
        if diags:
            raise StoryError(diags)
        music = music or chosen
    voices = beat_voices(loaded, narration)
    try:
        handle = theme.handle_for(loaded.story.lang)
        plan = tl.plan(loaded, settings, narration, voices, handle)
    except tl.TimelineError as exc:
        raise _error(loaded, exc.field, exc.message, exc.hint) from None
    timing = CueTiming(settings.fps, settings.min_cue, settings.max_chars_per_second)
    plans = []
    for shared, asked, folder_name in groups(validated.platforms):
        strictest = min(asked, key=lambda p: p.video.max_seconds if p.video else 1e9)
        limit = strictest.video.max_seconds if strictest.video else None
        try:
            timeline = tl.build(
                plan,
                settings,
                limit,
                f"the {strictest.label} maximum",
                grid=music.grid if music else None,
            )
        except tl.TimelineError as exc:
            cap = min(settings.target_max, limit or settings.target_max)
            raise _too_long(loaded, exc, plan, cap) from None
        try:
            chunks = plan_captions(
                timeline, theme, shared, settings, loaded.story.names, loaded.story.lang
            )
            floors = caption_floors(timeline, chunks, timing)
            if floors:  # some scene is too short for its captions: give it their time
                floored = [dataclasses.replace(sc) for sc in plan]
                for i, need in floors.items():
                    floored[i].floor = need
                timeline = tl.build(
                    floored,
                    settings,
                    limit,
                    f"the {strictest.label} maximum",
                    grid=music.grid if music else None,
                )
                chunks = plan_captions(
                    timeline, theme, shared, settings, loaded.story.names, loaded.story.lang
                )
        except CaptionError as exc:
            raise _error(loaded, exc.field, exc.message, exc.hint) from None
        except tl.TimelineError as exc:
            raise _error(loaded, exc.field, exc.message, exc.hint) from None
        cues = sidecar_cues(timeline, chunks, shared, theme, settings, timing)
        drafted = [v.beat + 1 for v in voices.values() if v.draft]
        if drafted:
            timeline.notes.append(
                "draft voice (espeak-ng) speaks beat"
                + ("s " if len(drafted) > 1 else " ")
                + ", ".join(map(str, sorted(drafted)))
                + ": for timing and review, not for posting"
            )
        plans.append(
            VideoPlan(shared, asked, folder_name, timeline, chunks, cues, music, timing, settings)
        )
    return plans


def beat_voices(loaded: Any, narration: dict[int, float]) -> dict[int, Any]:
    """Each spoken beat's voice (narration aligned to its text, or the draft voice);
    an error naming the field when `voice: draft` cannot be spoken."""
    from outreach.speech.engine import EngineMissing
    from outreach.speech.voices import beat_voices as find

    try:
        return find(loaded, narration)
    except EngineMissing as exc:
        field = ("voice",) if loaded.story.voice == "draft" else ("beats",)
        raise _error(
            loaded, field, f"`voice: draft` cannot be spoken: {exc.message}", exc.hint
        ) from None


def voice_summary(timeline: tl.Timeline) -> dict[str, Any]:
    """What the manifest says about the voice: `draft` when the draft voice speaks any
    beat, and for each spoken beat its source and whether captions follow it."""
    beats = []
    for sc in timeline.scenes:
        v = sc.voice
        if v is None:
            continue
        beats.append(
            {
                "beat": sc.index + 1,
                "source": v.source,
                "aligned": v.words is not None,
                "confidence": round(v.confidence, 2),
                **({"problem": v.problem} if v.problem else {}),
            }
        )
    draft = any(b["source"] == "draft" for b in beats)
    return {
        "voice": "draft" if draft else ("narration" if beats else None),
        "draft": draft,
        "voices": beats,
    }


def _too_long(loaded: Any, exc: tl.TimelineError, plan: list[tl.Scene], limit: float) -> StoryError:
    """Advice that fits the fault: when the narration alone is longer than the limit,
    say the audio is too long, not the text."""
    narrated = [sc for sc in plan if sc.kind == "beat" and sc.narration is not None]
    spoken = sum(sc.own for sc in narrated)
    if narrated and spoken > limit * 0.8:
        longest = max(narrated, key=lambda sc: sc.own)
        rel = loaded.story.beats[longest.index].narration
        return _error(
            loaded,
            ("beats", longest.index, "narration"),
            f"the narration runs {spoken:.1f} s in all (beat {longest.index + 1}'s "
            f"`{rel}` alone {longest.own:.1f} s); {exc.message.split(', over ')[-1]}",
            "the audio is too long for the platform: trim or re-record the narration",
        )
    return _error(loaded, exc.field, exc.message, exc.hint)


def check_lines(validated: Any) -> list[str]:
    """One line per planned video for `outreach check`: length, motion and cue timing.

    Planning only (no frames): first motion and frozen time come from what the timeline
    schedules to move; the measured values are in the manifest after a render.
    """
    try:
        plans = plan_videos(validated)
    except StoryError:
        return []  # reported as diagnostics by the validation
    from outreach import i18n

    lines = []
    for vp in plans:
        r = vp.report()
        m, c, sh = r["motion"], r["cues"], r["shots"]
        music = (
            f"{r['music']} {r['bpm']:g} BPM"
            if r["music"] and r["bpm"]
            else r["music"] or i18n._("no music")
        )
        lines.append(
            i18n._(
                "{id} video ({platforms}): {duration} s; first motion {motion} s, "
                "frozen {frozen} s ({share}); {cues} cues, shortest {shortest} s, "
                "fastest {fastest} chars/s, longest line {longest}; "
                "{shots} shots of {mean} s on average, {on_beat}/{cuts} cuts on the beat ({music})",
                id=validated.loaded.id,
                platforms=", ".join(p.name for p in vp.asked),
                duration=format(r["duration_s"], ".1f"),
                motion=format(m["first_motion_s"], ".2f"),
                frozen=format(m["frozen_s"], ".1f"),
                share=format(m["frozen_share"], ".0%"),
                cues=c["cues"],
                shortest=format(c["shortest_s"], ".2f"),
                fastest=format(c["fastest_cps"], ".1f"),
                longest=c["longest_line"],
                shots=sh["count"],
                mean=format(sh["mean_s"], ".1f"),
                on_beat=sh["cuts_on_beat"],
                cuts=sh["cuts"],
                music=music,
            )
        )
        lines += ["  " + i18n._("note: {note}", note=n) for n in r["notes"]]
        lines += ["  " + i18n._("cue problem: {problem}", problem=p) for p in c["problems"]]
    return lines


def caption_floors(
    timeline: tl.Timeline, chunks: dict[int, list[Chunk]], timing: CueTiming
) -> dict[int, float]:
    """Scenes whose window is shorter than their cues need (each at least `min_cue`, at
    most `max_cps`): scene index -> seconds needed, with a frame of margin per cue."""
    out = {}
    fps = timeline.fps
    for i, cs in chunks.items():
        sc = timeline.scenes[i]
        need = sum(
            max(timing.min_cue, cue_chars(c.text) / (timing.max_cps * 0.97)) + 1 / fps for c in cs
        )
        if (sc.own_end - sc.own_start) / fps < need - 1e-6:
            out[i] = need
    return out


def sidecar_cues(
    timeline: tl.Timeline,
    chunks: dict[int, list[Chunk]],
    shared: Platform,
    theme: Any,
    settings: tl.VideoSettings,
    timing: CueTiming,
) -> list[SidecarCue]:
    """Every on-screen text as cues, in order: captions of beats, and the cover's title and
    hook, the quote, each fact and the CTA over their scenes' time."""
    _style, box = caption_geometry(theme, shared, settings)
    line_pct = min(95.0, 100.0 * box.bottom / shared.height)
    out: list[SidecarCue] = []
    for i, sc in enumerate(timeline.scenes):
        if i in chunks:
            out += chunk_cues(chunks[i], timing, line_pct)
        elif sc.is_card and sc.text:
            out += card_cues(sc.text, sc.own_start, sc.own_end, sc.field, sc.kind, timing, line_pct)
    return out


def video_settings(validated: Any, highlight: bool | None = None) -> tl.VideoSettings:
    """The one place a story's video settings come from: theme, language, run switches
    (`highlight=False` is --no-highlight, passed as an argument, never through the
    environment). Render, pack, validation and the preview all call this."""
    settings = tl.VideoSettings.from_theme(validated.theme.video, validated.loaded.story.lang)
    if highlight is False:
        settings = dataclasses.replace(settings, highlight=False)
    return settings


def wants_clean_video(theme: Any, clean: bool = False) -> bool:
    """--clean-video (an argument) or the theme's `video: {clean_video: true}`."""
    return clean or bool((theme.video or {}).get("clean_video", False))


def cache_key(
    validated: Any,
    shared: Platform,
    settings: tl.VideoSettings,
    music: Path | None,
    quality: str,
    scale: float,
    clean: bool = False,
) -> str:
    """Content hash of everything that decides the video's bytes (media by content)."""
    from outreach import RENDERER_VERSION
    from outreach.fingerprint import file_digest

    loaded, theme = validated.loaded, validated.theme
    media = []
    paths = [loaded.media_path(rel) for _f, rel in loaded.story.media_fields()]
    for path in sorted({*paths, *([music] if music else [])}):
        media.append([str(path), file_digest(path)])
    payload = json.dumps(
        [
            RENDERER_VERSION,
            VIDEO_VERSION,
            _code_digest(),
            loaded.story.model_dump(mode="json"),
            theme.digest,
            dataclasses.asdict(settings),
            media,
            shared.canvas,
            shared.safe_rect,
            quality,
            scale,
            clean,
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    """Hash of the renderer's own source, so a code change never reuses a stale encode."""
    import outreach.render.video as pkg
    import outreach.speech as speech

    h = hashlib.sha256()
    files = sorted(Path(pkg.__file__).parent.glob("*.py"))
    files += sorted(Path(speech.__file__).parent.glob("*.py"))  # word times: the aligner
    for path in [*files, Path(ffmpeg.__file__), Path(__file__)]:
        h.update(path.read_bytes())
    return h.hexdigest()


def _cached(folder: Path, key: str, record_path: Path | None = None) -> dict | None:
    """The record of a previous identical render whose files are all still there, unchanged."""
    from outreach.fingerprint import file_digest

    try:
        record = json.loads((record_path or folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("key") != key:
        return None
    for f in record.get("files", {}).values():
        path = folder / f["name"]
        if not path.is_file() or path.stat().st_size != f["bytes"]:
            return None
        if file_digest(path) != f["sha256"]:  # edited or replaced since it was made
            return None
    return record


def _render_group(
    validated: Any,
    vp: VideoPlan,
    settings: tl.VideoSettings,
    folder: Path,
    out_dir: Path,
    quality: str,
    console: Any,
    scale: float,
    clean: bool = False,
    record_path: Path | None = None,
    links: bool = True,
) -> list[ManifestEntry]:
    loaded = validated.loaded
    clean = wants_clean_video(validated.theme, clean)
    music_path = vp.music.path if vp.music else None
    key = cache_key(validated, vp.shared, settings, music_path, quality, scale, clean)
    record = _cached(folder, key, record_path)
    if record is None:
        store = segment_store(out_dir, loaded.id)
        record = _produce(validated, vp, settings, folder, quality, console, scale, clean, store)
        record["key"] = key
        write_text(
            record_path or folder / RECORD, json.dumps(record, ensure_ascii=False, indent=1) + "\n"
        )
    elif console is not None and not getattr(console, "quiet", False):
        console.debug(f"{loaded.id}: video unchanged, reusing {folder / 'video.mp4'}")
    size_bytes = record["files"]["video"]["bytes"]
    for p in vp.asked:
        if p.video and size_bytes > p.video.max_bytes:
            raise _error(
                loaded,
                ("beats",),
                f"the video is {size_bytes} bytes, over the {p.label} limit of {p.video.max_bytes}",
                "shorten the story",
            )
    shared_with = [p.name for p in vp.asked]
    entries: list[ManifestEntry] = []
    names = [f["name"] for f in record["files"].values()]
    for p in vp.asked:
        for kind, f in record["files"].items():
            output = {"video": "video", "clean": "video", "cover": "cover"}.get(kind, "subtitles")
            entries.append(
                ManifestEntry(
                    str((folder / f["name"]).relative_to(out_dir)),
                    loaded.id,
                    p.name,
                    output,
                    f.get("width"),
                    f.get("height"),
                    f["bytes"],
                    f["sha256"],
                    extra={**f.get("extra", {}), "shared": shared_with},
                )
            )
        if links:
            _link_into(out_dir / loaded.id / p.name, folder, names)
    return entries


#: Sidecar file names for upload: language and country, as platforms' caption uploads
#: and players expect (`video.vi_VN.srt`), besides the plain `video.srt`.
LOCALES = {"vi": "vi_VN", "en": "en_US"}


def sidecar_names(lang: str) -> list[tuple[str, str]]:
    """(format, file name) of every sidecar a video gets."""
    locale = LOCALES.get(lang, lang)
    return [
        ("srt", "video.srt"),
        ("vtt", "video.vtt"),
        (f"srt-{locale}", f"video.{locale}.srt"),
        (f"vtt-{locale}", f"video.{locale}.vtt"),
    ]


def _produce(
    validated: Any,
    vp: VideoPlan,
    settings: tl.VideoSettings,
    folder: Path,
    quality: str,
    console: Any,
    scale: float,
    clean: bool,
    store: SegmentStore | None = None,
) -> dict:
    """Render and encode; write video.mp4, the sidecars and the cover; describe them.

    The soundtrack (mix, loudness passes, AAC) is made on a thread while the frames are
    encoded, then both are joined by stream copy with the index at the front.
    """
    loaded = validated.loaded
    timeline = vp.timeline
    size = frame_size(vp.shared, scale)
    rendered, enc, segments, clean_segments = _segmented(validated, vp, settings, quality, scale)
    audio_kbps = enc.audio_kbps
    narration = {i: sc for i, sc in enumerate(timeline.scenes) if sc.narration is not None}
    cues = [
        Cue(sc.narration, sc.own_start / timeline.fps)
        for sc in narration.values()
        if sc.narration is not None
    ]
    music = vp.music.path if vp.music else None
    video = folder / "video.mp4"
    store = store if store is not None else segment_store(folder.parent.parent, loaded.id)
    stats = EncodeStats()
    marks = timeline.sound_marks()
    sound_key = soundtrack_key(timeline.duration, music, cues, settings, audio_kbps, marks)
    with tempfile.TemporaryDirectory(prefix="outreach-video-") as tmp:
        m4a = store.root / f"{sound_key}.m4a"
        sound: dict[str, Any] = {}
        cached_sound = _cached_sound(store, sound_key)
        worker = None
        if cached_sound is not None:
            sound["loudness"] = cached_sound
            stats.audio_reused = True
        else:
            fresh = Path(tmp) / "soundtrack.m4a"

            def make_sound() -> None:
                try:
                    sound["loudness"] = build_soundtrack(
                        fresh,
                        timeline.duration,
                        music,
                        cues,
                        settings.music_volume,
                        settings.music_fade,
                        settings.duck_db,
                        audio_kbps=audio_kbps,
                        marks=marks,
                    )
                except ffmpeg.FFmpegError as exc:
                    sound["error"] = exc

            worker = threading.Thread(target=make_sound, daemon=True)
            worker.start()
        try:
            _encode(rendered, timeline, segments, store, enc, loaded.id, console, stats)
            if clean:
                _encode(
                    rendered, timeline, clean_segments, store, enc, loaded.id, console, stats,
                    captions=False,
                )  # fmt: skip
        except ffmpeg.FFmpegError:
            raise _error(
                loaded,
                ("beats",),
                "the video encoder stopped before the video was complete",
                "check the free disk space and the story's media, then run again",
            ) from None
        if worker is not None:
            worker.join()
            if "error" not in sound:
                _keep_sound(store, sound_key, fresh, sound.get("loudness"))
        if "error" in sound:
            raise _error(
                loaded,
                ("music",) if music else ("beats",),
                "the soundtrack could not be mixed (the audio encoder stopped)",
                "check the free disk space and the audio files, then run again",
            )
        with atomic_path(video) as tmp_video:
            join_segments(segments, store, m4a, tmp_video, timeline.fps)
        if clean:
            with atomic_path(folder / "video-clean.mp4") as tmp_clean:
                join_segments(clean_segments, store, m4a, tmp_clean, timeline.fps)
    keep = {s.key for s in segments} | {s.key for s in clean_segments} | {sound_key}
    store.prune(keep)
    HISTORY.append(stats)
    if console is not None and not getattr(console, "quiet", False):
        console.debug(
            f"{loaded.id}: {len(stats.encoded)} of {len(segments)} video segments encoded, "
            f"{len(stats.reused)} reused"
        )
    info = ffmpeg.probe(video)
    fps = timeline.fps
    loud = sound.get("loudness")
    lang = loaded.story.lang
    locale = LOCALES.get(lang, lang)
    srt_bytes = to_srt(vp.cues, fps).encode("utf-8")
    vtt_bytes = to_vtt(vp.cues, fps, locale.replace("_", "-")).encode("utf-8")
    cover = encode_jpeg(rendered.cover)
    sidecars: dict[str, Any] = {}
    report = cue_report(vp.cues, vp.timing).as_dict()
    for fmt, name in sidecar_names(lang):
        data = srt_bytes if fmt.startswith("srt") else vtt_bytes
        write_bytes(folder / name, data)
        sidecars[fmt] = {
            "name": name,
            "bytes": len(data),
            "sha256": sha256_bytes(data),
            "extra": {
                "format": fmt.split("-")[0],
                "lang": lang,
                "locale": locale,
                "cues": len(vp.cues),
                "cue_timing": report,
            },
        }
    write_bytes(folder / "cover.jpg", cover)
    v, a = info.video, info.audio
    motion = segment_motion(timeline.fps, segments, store)
    files: dict[str, Any] = {
        "video": {
            "name": "video.mp4",
            "bytes": video.stat().st_size,
            "sha256": sha256_file(video),
            "width": size[0],
            "height": size[1],
            "extra": {
                "duration": round(info.duration, 3),
                "frames": timeline.total_frames,
                "fps": fps,
                "codec": v.codec if v else "h264",
                "profile": v.profile if v else "",
                "pix_fmt": v.pix_fmt if v else "",
                "bitrate_kbps": info.bitrate_kbps,
                "audio_codec": a.codec if a else "",
                "audio_rate": a.sample_rate if a else 0,
                "preset": enc.preset,
                "crf": enc.crf,
                "quality": quality,
                "words_per_second": round(timeline.words_per_second, 2),
                "loudness": loud.as_dict() if loud else None,
                "motion": motion,
                "cue_timing": report,
                "shots": _shot_summary(timeline),
                "music": {
                    "file": vp.music.path.name,
                    "mood": vp.music.mood,
                    "bpm": vp.music.grid.bpm if vp.music.grid else None,
                }
                if vp.music
                else None,
                "notes": list(timeline.notes),
                **voice_summary(timeline),
            },
        },
        "cover": {
            "name": "cover.jpg",
            "bytes": len(cover),
            "sha256": sha256_bytes(cover),
            "width": rendered.cover.width,
            "height": rendered.cover.height,
            "extra": {"frame": 0},
        },
        **sidecars,
    }
    clean_path = folder / "video-clean.mp4"
    if clean and clean_path.is_file():
        files["clean"] = {
            "name": "video-clean.mp4",
            "bytes": clean_path.stat().st_size,
            "sha256": sha256_file(clean_path),
            "width": size[0],
            "height": size[1],
            "extra": {"duration": round(info.duration, 3), "captions": False},
        }
    return {"files": files, "encode": stats.as_dict(), "segment_keys": [s.key for s in segments]}


def _link_into(platform_dir: Path, folder: Path, names: list[str] | None = None) -> None:
    """Relative symlinks from a platform folder to the shared files (never copies).

    `cover.jpg` is linked only where the card renderer has not written its cover card
    (e.g. with `--only video`); a card render later replaces the link with the card.
    """
    platform_dir.mkdir(parents=True, exist_ok=True)
    for name in names or ["video.mp4", "video.srt", "video.vtt", "cover.jpg"]:
        link = platform_dir / name
        target = os.path.relpath(folder / name, platform_dir)
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if name == "cover.jpg" and (link.exists() or link.is_symlink()):
            continue
        tmp = temp_path_for(link)
        try:
            os.symlink(target, tmp)
            os.replace(tmp, link)
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _encode(
    rendered: Any,
    timeline: tl.Timeline,
    segments: list[Segment],
    store: SegmentStore,
    enc: ffmpeg.EncodeSettings,
    story_id: str,
    console: Any,
    stats: EncodeStats,
    captions: bool = True,
) -> None:
    """Encode the segments the store lacks (video only; the soundtrack joins them later)."""
    import click

    arts = rendered.captions if captions else {}
    todo = sum(s.frames for s in segments if not store.has(s.key))
    quiet = console is None or getattr(console, "quiet", False)
    if quiet or not todo:
        encode_segments(timeline, rendered.renderers, arts, segments, store, enc, None, stats)
        return
    label = f"{story_id}: video" if captions else f"{story_id}: clean video"
    with click.progressbar(length=todo, label=label, file=sys.stderr) as bar:
        encode_segments(timeline, rendered.renderers, arts, segments, store, enc, bar.update, stats)


def _segmented(
    validated: Any, vp: VideoPlan, settings: tl.VideoSettings, quality: str, scale: float
) -> tuple[Any, ffmpeg.EncodeSettings, list[Segment], list[Segment]]:
    """The scenes (drawn lazily), the encoder settings and the segments of one encode,
    with captions and without (the clean video)."""
    size = frame_size(vp.shared, scale)
    rendered = render_scenes(
        validated.loaded, validated.theme, vp.shared, vp.timeline, vp.chunks, settings, scale
    )
    preset, crf, maxrate, audio_kbps = QUALITY.get(quality, QUALITY["fast"])
    enc = ffmpeg.EncodeSettings(
        size[0], size[1], settings.fps, preset, crf, maxrate, audio_kbps, audio_copy=True
    )
    context = segment_context(validated, vp, settings, quality, scale, enc)
    inputs = scene_inputs(validated, vp)
    segments = plan_segments(vp.timeline, vp.chunks, context, inputs)
    clean_segments = plan_segments(vp.timeline, vp.chunks, context, inputs, captions=False)
    return rendered, enc, segments, clean_segments


def help_encode(
    validated: Any,
    out_dir: Path,
    quality: str = "fast",
    scale: float | None = None,
    highlight: bool | None = None,
    clean: bool = False,
) -> EncodeStats:
    """Encode a story's video segments from the last one backwards, skipping any another
    process has claimed, and stop: a second worker's share of one video (the video's own
    job joins them). Writes nothing but segments."""
    scale = video_scale() if scale is None else scale
    settings = video_settings(validated, highlight)
    narration, music, diags = _story_music(validated.loaded, validated.theme, settings)
    if diags:
        raise StoryError(diags)
    store = segment_store(out_dir, validated.loaded.id)
    stats = EncodeStats()
    for vp in plan_videos(validated, settings, narration, music):
        rendered, enc, segments, clean_segments = _segmented(
            validated, vp, settings, quality, scale
        )
        runs = [(segments, rendered.captions)]
        if wants_clean_video(validated.theme, clean):
            runs.append((clean_segments, {}))
        for segs, arts in runs:
            encode_segments(
                vp.timeline, rendered.renderers, arts, segs, store, enc, None, stats,
                reverse=True, wait=False,
            )  # fmt: skip
    return stats


def segment_store(out_dir: Path, story_id: str) -> SegmentStore:
    """Where a story's encoded segments live: `<out>/.cache/segments/<story>/`."""
    return store_for(out_dir, story_id)


def segment_context(
    validated: Any,
    vp: VideoPlan,
    settings: tl.VideoSettings,
    quality: str,
    scale: float,
    enc: ffmpeg.EncodeSettings,
) -> list[Any]:
    """What every segment of one encode shares: the one cache-key scheme's parts (renderer
    version, this module's code, theme digest, preset, settings, scale, encoder)."""
    from outreach import RENDERER_VERSION

    return [
        RENDERER_VERSION,
        VIDEO_VERSION,
        _code_digest(),
        validated.theme.digest,
        dataclasses.asdict(settings),
        dataclasses.asdict(vp.shared) if dataclasses.is_dataclass(vp.shared) else repr(vp.shared),
        quality,
        scale,
        dataclasses.asdict(enc),
    ]


def scene_inputs(validated: Any, vp: VideoPlan) -> dict[int, Any]:
    """What each scene reads beyond its own fields: the story's own fields (less its beats,
    facts and pack-only fields), its beat or fact, and its card's digest (every card's for
    a card scene whose card cannot be named)."""
    from outreach.pack.cache import PACK_ONLY_FIELDS
    from outreach.render.cards import plan_cards

    loaded, theme = validated.loaded, validated.theme
    story = loaded.story.model_dump(mode="json")
    beats, facts = story.pop("beats", []), story.pop("facts", [])
    for name in PACK_ONLY_FIELDS:
        story.pop(name, None)
    base = json.dumps(story, sort_keys=True, ensure_ascii=False, default=str)
    cards: dict[str, str] | None = None
    out: dict[int, Any] = {}
    for i, sc in enumerate(vp.timeline.scenes):
        own: Any = None
        if sc.kind == "beat" and 0 <= sc.index < len(beats):
            own = beats[sc.index]
        elif sc.kind == "fact" and 0 <= sc.index < len(facts):
            own = facts[sc.index]
        card: Any = None
        if sc.is_card:
            if cards is None:
                specs = plan_cards(loaded, vp.shared, theme)
                cards = {spec.name: spec.digest(vp.shared, theme) for spec in specs}
            name = f"fact-{sc.index + 1:02d}" if sc.kind == "fact" else sc.kind
            card = cards.get(name) or sorted(cards.items())
        out[i] = [base, own, card]
    return out


def soundtrack_key(
    duration: float,
    music: Path | None,
    cues: list[Cue],
    settings: tl.VideoSettings,
    kbps: int,
    marks: Any = None,
) -> str:
    """The soundtrack's content key: length, music and narration by content, their times."""
    from outreach import RENDERER_VERSION

    return segment_digest(
        [
            "soundtrack",
            RENDERER_VERSION,
            round(duration, 6),
            music,
            cues,
            settings.music_volume,
            settings.music_fade,
            settings.duck_db,
            kbps,
            marks,
        ]
    )


def _cached_sound(store: SegmentStore, key: str) -> ffmpeg.Loudness | None | bool:
    """The loudness recorded with a stored soundtrack (False when silent), or None."""
    try:
        meta = store.meta(key)
        if meta.get("bytes") != (store.root / f"{key}.m4a").stat().st_size:
            return None
    except (OSError, ValueError):
        return None
    loud = meta.get("loudness")
    return ffmpeg.Loudness(**loud) if loud else False


def _keep_sound(store: SegmentStore, key: str, fresh: Path, loud: ffmpeg.Loudness | None) -> None:
    import shutil

    target = store.root / f"{key}.m4a"
    store.root.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        shutil.copyfile(fresh, tmp)
    store.put_meta(
        key,
        {"bytes": target.stat().st_size, "loudness": dataclasses.asdict(loud) if loud else None},
    )
