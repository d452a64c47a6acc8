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
import os
import tempfile
from pathlib import Path
from typing import Any

from outreach import ffmpeg
from outreach.atomic import atomic_path, temp_path_for, write_bytes, write_text
from outreach.diagnostics import Diagnostic, StoryError
from outreach.layout.text import LayoutError
from outreach.pack.manifest import ManifestEntry, sha256_bytes, sha256_file
from outreach.platforms import Platform, load_presets
from outreach.render.cards import encode_jpeg
from outreach.render.video import timeline as tl
from outreach.render.video.audio import Cue, build_soundtrack
from outreach.render.video.captions import to_srt, to_vtt
from outreach.render.video.frames import frame_stream
from outreach.render.video.scenes import frame_size, plan_captions, render_scenes

QUALITY = {"fast": ("veryfast", 20), "archive": ("slow", 18)}
#: Tests render at a reduced size; never set in normal use.
SCALE_ENV = "OUTREACH_VIDEO_SCALE"


def video_platform(platforms: list[Platform]) -> Platform:
    """A stand-in preset whose safe zone is the intersection of all of `platforms`'."""
    first = platforms[0]
    return dataclasses.replace(
        first, name="video", label="Vertical video",
        safe_top=max(p.safe_top for p in platforms),
        safe_bottom=max(p.safe_bottom for p in platforms),
        safe_left=max(p.safe_left for p in platforms),
        safe_right=max(p.safe_right for p in platforms),
        keep_clear=tuple(r for p in platforms for r in p.keep_clear),
    )


def groups(requested: list[Platform]) -> list[tuple[Platform, list[Platform]]]:
    """(shared stand-in preset, requested platforms it serves), one per canvas size."""
    out = []
    canvases = sorted({p.canvas for p in requested if p.video})
    for canvas in canvases:
        every = [p for p in load_presets().values() if p.video and p.canvas == canvas]
        asked = [p for p in requested if p.video and p.canvas == canvas]
        out.append((video_platform(every), asked))
    return out


def _folder_name(canvas: tuple[int, int], single: bool) -> str:
    return "_video" if single or canvas == (1080, 1920) else f"_video-{canvas[0]}x{canvas[1]}"


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
            diags.append(loaded.diagnostic("error", field, f"{what} `{rel}` does not exist",
                                           f"check the path; it is relative to {loaded.path.name}"))
            continue
        try:
            seconds = ffmpeg.audio_duration(path)
        except ffmpeg.FFmpegError as exc:
            reason = exc.tail[-1].strip() if exc.tail else exc.what
            diags.append(loaded.diagnostic(
                "error", field, f"{what} `{rel}` is not readable audio ({reason})",
                "export it again as WAV, MP3, M4A, OGG or FLAC"))
            continue
        if field[0] == "music":
            music = path
        else:
            narration[field[1]] = seconds
    return narration, music, diags


def render_videos(validated: Any, out_dir: Path, quality: str = "fast", console: Any = None,
                  scale: float | None = None) -> list[ManifestEntry]:
    """Render the story's video(s) for every requested video platform; return manifest entries."""
    loaded, theme = validated.loaded, validated.theme
    video_groups = groups(validated.platforms)
    if not video_groups:
        return []
    if scale is None:
        scale = float(os.environ.get(SCALE_ENV, "1") or 1)
    settings = tl.VideoSettings.from_theme(theme.video)
    narration, music, diags = _check_audio(loaded)
    if music is None and not loaded.story.music and theme.music:
        music = Path(theme.music)
    if diags:
        raise StoryError(diags)
    try:
        plan = tl.plan(loaded, settings, narration)
    except tl.TimelineError as exc:
        raise _error(loaded, exc.field, exc.message, exc.hint) from None
    entries: list[ManifestEntry] = []
    for shared, asked in video_groups:
        strictest = min(asked, key=lambda p: p.video.max_seconds if p.video else 1e9)
        limit = strictest.video.max_seconds if strictest.video else None
        try:
            timeline = tl.build(plan, settings, limit, f"the {strictest.label} maximum")
        except tl.TimelineError as exc:
            raise _error(loaded, exc.field, exc.message, exc.hint) from None
        try:
            chunks = plan_captions(timeline, theme, shared, settings)
        except LayoutError as exc:
            raise _error(loaded, ("beats",), f"caption: {exc.message}", exc.hint) from None
        folder = out_dir / loaded.id / _folder_name(shared.canvas, len(video_groups) == 1)
        entries += _render_group(validated, shared, asked, timeline, chunks, settings, music,
                                 folder, out_dir, quality, console, scale)
    return entries


def _render_group(validated: Any, shared: Platform, asked: list[Platform], timeline: tl.Timeline,
                  chunks: dict, settings: tl.VideoSettings, music: Path | None, folder: Path,
                  out_dir: Path, quality: str, console: Any, scale: float) -> list[ManifestEntry]:
    loaded, theme = validated.loaded, validated.theme
    size = frame_size(shared, scale)
    rendered = render_scenes(loaded, theme, shared, timeline, chunks, settings, scale)
    preset, crf = QUALITY.get(quality, QUALITY["fast"])
    enc = ffmpeg.EncodeSettings(size[0], size[1], settings.fps, preset, crf)
    cues = [Cue(sc.narration, sc.own_start / timeline.fps)
            for sc in timeline.scenes if sc.narration is not None]
    video = folder / "video.mp4"
    with tempfile.TemporaryDirectory(prefix="outreach-audio-") as tmp:
        wav = Path(tmp) / "soundtrack.wav"
        try:
            build_soundtrack(wav, timeline.duration, music, cues, settings.music_volume,
                             settings.music_fade)
        except ffmpeg.FFmpegError as exc:
            raise _error(loaded, ("music",) if music else ("beats",),
                         f"the soundtrack could not be mixed: {exc}", "check the audio files") from None
        try:
            _encode(rendered, timeline, wav, video, enc, loaded.id, console)
        except ffmpeg.FFmpegError as exc:
            raise _error(loaded, ("beats",), f"the video encode failed: {exc}",
                         "ffmpeg's last messages are quoted; check free disk space and the story's media") from None
    info = ffmpeg.probe(video)
    size_bytes = video.stat().st_size
    for p in asked:
        if p.video and size_bytes > p.video.max_bytes:
            video.unlink()
            raise _error(loaded, ("beats",),
                         f"the video is {size_bytes} bytes, over the {p.label} limit of {p.video.max_bytes}",
                         "shorten the story")
    digest = sha256_file(video)
    fps = timeline.fps
    srt_text, vtt_text = to_srt(rendered.chunks, fps), to_vtt(rendered.chunks, fps)
    write_text(folder / "video.srt", srt_text)
    write_text(folder / "video.vtt", vtt_text)
    cover = encode_jpeg(rendered.cover)
    write_bytes(folder / "cover.jpg", cover)
    v = info.video
    a = info.audio
    shared_with = [p.name for p in asked]
    video_extra = {
        "duration": round(info.duration, 3), "frames": timeline.total_frames, "fps": fps,
        "codec": v.codec if v else "h264", "profile": v.profile if v else "",
        "pix_fmt": v.pix_fmt if v else "", "bitrate_kbps": info.bitrate_kbps,
        "audio_codec": a.codec if a else "", "audio_rate": a.sample_rate if a else 0,
        "preset": enc.preset, "crf": enc.crf, "shared": shared_with,
        "words_per_second": round(timeline.words_per_second, 2),
    }
    entries: list[ManifestEntry] = []
    rel = lambda p: str(p.relative_to(out_dir))  # noqa: E731
    srt_bytes, vtt_bytes = srt_text.encode(), vtt_text.encode()
    for p in asked:
        entries += [
            ManifestEntry(rel(video), loaded.id, p.name, "video", size[0], size[1], size_bytes,
                          digest, extra=dict(video_extra)),
            ManifestEntry(rel(folder / "cover.jpg"), loaded.id, p.name, "cover",
                          rendered.cover.width, rendered.cover.height, len(cover),
                          sha256_bytes(cover), extra={"frame": 0, "shared": shared_with}),
            ManifestEntry(rel(folder / "video.srt"), loaded.id, p.name, "subtitles", None, None,
                          len(srt_bytes), sha256_bytes(srt_bytes),
                          extra={"format": "srt", "cues": len(rendered.chunks), "shared": shared_with}),
            ManifestEntry(rel(folder / "video.vtt"), loaded.id, p.name, "subtitles", None, None,
                          len(vtt_bytes), sha256_bytes(vtt_bytes),
                          extra={"format": "vtt", "cues": len(rendered.chunks), "shared": shared_with}),
        ]
        _link_into(out_dir / loaded.id / p.name, folder)
    return entries


def _link_into(platform_dir: Path, folder: Path) -> None:
    """Relative symlinks from a platform folder to the shared files (never copies)."""
    platform_dir.mkdir(parents=True, exist_ok=True)
    for name in ("video.mp4", "video.srt", "video.vtt"):
        link = platform_dir / name
        target = os.path.relpath(folder / name, platform_dir)
        if link.is_symlink() and os.readlink(link) == target:
            continue
        tmp = temp_path_for(link)
        try:
            os.symlink(target, tmp)
            os.replace(tmp, link)
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _encode(rendered: Any, timeline: tl.Timeline, wav: Path, target: Path,
            enc: ffmpeg.EncodeSettings, story_id: str, console: Any) -> None:
    import click

    quiet = console is None or getattr(console, "quiet", False)
    with atomic_path(target) as tmp:
        frames = lambda: frame_stream(timeline, rendered.renderers, rendered.captions)  # noqa: E731
        if quiet:
            ffmpeg.encode_stream(frames, timeline.total_frames, wav, tmp, enc)
            return
        with click.progressbar(length=timeline.total_frames, label=f"{story_id}: video",
                               file=click.get_text_stream("stderr")) as bar:
            def step(i: int) -> None:
                if i % 10 == 9:
                    bar.update(10)

            ffmpeg.encode_stream(frames, timeline.total_frames, wav, tmp, enc, step)
