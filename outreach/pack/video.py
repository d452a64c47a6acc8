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
from pathlib import Path
from typing import Any

from outreach import ffmpeg
from outreach.atomic import atomic_path, temp_path_for, write_bytes, write_text
from outreach.diagnostics import Diagnostic, StoryError
from outreach.pack.manifest import ManifestEntry, sha256_bytes, sha256_file
from outreach.platforms import Platform, load_presets
from outreach.render.cards import encode_jpeg
from outreach.render.video import timeline as tl
from outreach.render.video.audio import Cue, build_soundtrack
from outreach.render.video.captions import to_srt, to_vtt
from outreach.render.video.frames import frame_stream
from outreach.render.video.scenes import CaptionError, frame_size, plan_captions, render_scenes

QUALITY = {"fast": ("veryfast", 20), "archive": ("slow", 18)}
#: Tests render at a reduced size; never set in normal use.
SCALE_ENV = "OUTREACH_VIDEO_SCALE"
#: OUTREACH_VIDEO_HIGHLIGHT=0 switches the word highlight off for one run (the theme's
#: `video: {highlight: false}` switches it off for good).
HIGHLIGHT_ENV = "OUTREACH_VIDEO_HIGHLIGHT"
#: Bumped when a change alters the video's bytes; part of the cache key.
VIDEO_VERSION = "1"
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
        if not path.is_file():
            diags.append(
                loaded.diagnostic(
                    "error",
                    field,
                    f"{what} `{rel}` does not exist",
                    f"check the path; it is relative to {loaded.path.name}",
                )
            )
            continue
        try:
            seconds = ffmpeg.audio_duration(path)
        except ffmpeg.FFmpegError as exc:
            reason = exc.tail[-1].strip() if exc.tail else exc.what
            diags.append(
                loaded.diagnostic(
                    "error",
                    field,
                    f"{what} `{rel}` is not readable audio ({reason})",
                    "export it again as WAV, MP3, M4A, OGG or FLAC",
                )
            )
            continue
        if field[0] == "music":
            music = path
        else:
            narration[field[1]] = seconds
    return narration, music, diags


def render_videos(
    validated: Any,
    out_dir: Path,
    quality: str = "fast",
    console: Any = None,
    scale: float | None = None,
) -> list[ManifestEntry]:
    """Render the story's video(s) for every requested video platform; return manifest entries."""
    loaded, theme = validated.loaded, validated.theme
    video_groups = groups(validated.platforms)
    if not video_groups:
        return []
    if scale is None:
        try:
            scale = min(1.0, max(0.1, float(os.environ.get(SCALE_ENV, "1") or 1)))
        except ValueError:
            scale = 1.0
    settings = tl.VideoSettings.from_theme(theme.video, loaded.story.lang)
    if os.environ.get(HIGHLIGHT_ENV, "").strip().lower() in ("0", "off", "no", "false"):
        settings = dataclasses.replace(settings, highlight=False)
    narration, music, diags = _check_audio(loaded)
    if music is None and not loaded.story.music and theme.music:
        music = Path(theme.music)
        try:
            ffmpeg.audio_duration(music)
        except ffmpeg.FFmpegError as exc:
            diags.append(
                loaded.diagnostic(
                    "error",
                    ("theme",),
                    f"theme `{theme.name}` music `{music.name}` is not readable "
                    f"audio ({exc.tail[-1].strip() if exc.tail else exc.what})",
                    "fix `music:` in the theme's theme.yaml",
                )
            )
    if diags:
        raise StoryError(diags)
    try:
        plan = tl.plan(loaded, settings, narration)
    except tl.TimelineError as exc:
        raise _error(loaded, exc.field, exc.message, exc.hint) from None
    entries: list[ManifestEntry] = []
    for shared, asked, folder_name in video_groups:
        strictest = min(asked, key=lambda p: p.video.max_seconds if p.video else 1e9)
        limit = strictest.video.max_seconds if strictest.video else None
        try:
            timeline = tl.build(plan, settings, limit, f"the {strictest.label} maximum")
        except tl.TimelineError as exc:
            raise _error(loaded, exc.field, exc.message, exc.hint) from None
        try:
            chunks = plan_captions(
                timeline, theme, shared, settings, loaded.story.names, loaded.story.lang
            )
        except CaptionError as exc:
            raise _error(loaded, exc.field, exc.message, exc.hint) from None
        folder = out_dir / loaded.id / folder_name
        entries += _render_group(
            validated,
            shared,
            asked,
            timeline,
            chunks,
            settings,
            music,
            folder,
            out_dir,
            quality,
            console,
            scale,
        )
    return entries


def cache_key(
    validated: Any,
    shared: Platform,
    settings: tl.VideoSettings,
    music: Path | None,
    quality: str,
    scale: float,
) -> str:
    """Content hash of everything that decides the video's bytes (media by size and mtime)."""
    from outreach import RENDERER_VERSION

    loaded, theme = validated.loaded, validated.theme
    media = []
    paths = [loaded.media_path(rel) for _f, rel in loaded.story.media_fields()]
    for path in sorted({*paths, *([music] if music else [])}):
        st = path.stat()
        media.append([str(path), st.st_size, st.st_mtime_ns])
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

    h = hashlib.sha256()
    files = sorted(Path(pkg.__file__).parent.glob("*.py"))
    for path in [*files, Path(ffmpeg.__file__), Path(__file__)]:
        h.update(path.read_bytes())
    return h.hexdigest()


def _cached(folder: Path, key: str) -> dict | None:
    """The record of a previous identical render whose files are all still there."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("key") != key:
        return None
    for f in record.get("files", {}).values():
        path = folder / f["name"]
        if not path.is_file() or path.stat().st_size != f["bytes"]:
            return None
    return record


def _render_group(
    validated: Any,
    shared: Platform,
    asked: list[Platform],
    timeline: tl.Timeline,
    chunks: dict,
    settings: tl.VideoSettings,
    music: Path | None,
    folder: Path,
    out_dir: Path,
    quality: str,
    console: Any,
    scale: float,
) -> list[ManifestEntry]:
    loaded = validated.loaded
    key = cache_key(validated, shared, settings, music, quality, scale)
    record = _cached(folder, key)
    if record is None:
        record = _produce(
            validated, shared, timeline, chunks, settings, music, folder, quality, console, scale
        )
        record["key"] = key
        write_text(folder / RECORD, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    elif console is not None and not getattr(console, "quiet", False):
        console.debug(f"{loaded.id}: video unchanged, reusing {folder / 'video.mp4'}")
    size_bytes = record["files"]["video"]["bytes"]
    for p in asked:
        if p.video and size_bytes > p.video.max_bytes:
            raise _error(
                loaded,
                ("beats",),
                f"the video is {size_bytes} bytes, over the {p.label} limit of {p.video.max_bytes}",
                "shorten the story",
            )
    shared_with = [p.name for p in asked]
    entries: list[ManifestEntry] = []
    for p in asked:
        for kind, f in record["files"].items():
            output = {"video": "video", "cover": "cover"}.get(kind, "subtitles")
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
        _link_into(out_dir / loaded.id / p.name, folder)
    return entries


def _produce(
    validated: Any,
    shared: Platform,
    timeline: tl.Timeline,
    chunks: dict,
    settings: tl.VideoSettings,
    music: Path | None,
    folder: Path,
    quality: str,
    console: Any,
    scale: float,
) -> dict:
    """Render and encode; write video.mp4, the sidecars and the cover; describe them."""
    loaded, theme = validated.loaded, validated.theme
    size = frame_size(shared, scale)
    rendered = render_scenes(loaded, theme, shared, timeline, chunks, settings, scale)
    preset, crf = QUALITY.get(quality, QUALITY["fast"])
    enc = ffmpeg.EncodeSettings(size[0], size[1], settings.fps, preset, crf)
    cues = [
        Cue(sc.narration, sc.own_start / timeline.fps)
        for sc in timeline.scenes
        if sc.narration is not None
    ]
    video = folder / "video.mp4"
    with tempfile.TemporaryDirectory(prefix="outreach-audio-") as tmp:
        wav = Path(tmp) / "soundtrack.wav"
        try:
            build_soundtrack(
                wav, timeline.duration, music, cues, settings.music_volume, settings.music_fade
            )
        except ffmpeg.FFmpegError as exc:
            raise _error(
                loaded,
                ("music",) if music else ("beats",),
                f"the soundtrack could not be mixed: {exc}",
                "check the audio files",
            ) from None
        try:
            _encode(rendered, timeline, wav, video, enc, loaded.id, console)
        except ffmpeg.FFmpegError as exc:
            raise _error(
                loaded,
                ("beats",),
                f"the video encode failed: {exc}",
                "ffmpeg's last messages are quoted; check free disk space and the story's media",
            ) from None
    info = ffmpeg.probe(video)
    fps = timeline.fps
    srt_bytes = to_srt(rendered.chunks, fps).encode("utf-8")
    vtt_bytes = to_vtt(rendered.chunks, fps).encode("utf-8")
    cover = encode_jpeg(rendered.cover)
    write_bytes(folder / "video.srt", srt_bytes)
    write_bytes(folder / "video.vtt", vtt_bytes)
    write_bytes(folder / "cover.jpg", cover)
    v, a = info.video, info.audio
    cues_n = len(rendered.chunks)
    return {
        "files": {
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
                    "words_per_second": round(timeline.words_per_second, 2),
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
            "srt": {
                "name": "video.srt",
                "bytes": len(srt_bytes),
                "sha256": sha256_bytes(srt_bytes),
                "extra": {"format": "srt", "cues": cues_n},
            },
            "vtt": {
                "name": "video.vtt",
                "bytes": len(vtt_bytes),
                "sha256": sha256_bytes(vtt_bytes),
                "extra": {"format": "vtt", "cues": cues_n},
            },
        }
    }


def _link_into(platform_dir: Path, folder: Path) -> None:
    """Relative symlinks from a platform folder to the shared files (never copies).

    `cover.jpg` is linked only where the card renderer has not written its cover card
    (e.g. with `--only video`); a card render later replaces the link with the card.
    """
    platform_dir.mkdir(parents=True, exist_ok=True)
    for name in ("video.mp4", "video.srt", "video.vtt", "cover.jpg"):
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
    wav: Path,
    target: Path,
    enc: ffmpeg.EncodeSettings,
    story_id: str,
    console: Any,
) -> None:
    import click

    quiet = console is None or getattr(console, "quiet", False)
    with atomic_path(target) as tmp:
        frames = lambda: frame_stream(timeline, rendered.renderers, rendered.captions)  # noqa: E731
        if quiet:
            ffmpeg.encode_stream(frames, timeline.total_frames, wav, tmp, enc)
            return
        with click.progressbar(
            length=timeline.total_frames,
            label=f"{story_id}: video",
            file=sys.stderr,  # click 8.5 types get_text_stream as a non-callable
        ) as bar:

            def step(i: int) -> None:
                if i % 10 == 9:
                    bar.update(10)

            ffmpeg.encode_stream(frames, timeline.total_frames, wav, tmp, enc, step)
