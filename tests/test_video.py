"""Videos end to end at reduced size: probe, decode, sidecars, golden frame, manifest, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import srt
import webvtt
from PIL import Image
from video_helpers import SCALE, ffprobe, frame_at, make_root, summary, tone

from outreach import ffmpeg
from outreach.pack import video as pv
from outreach.pack.story import load_and_validate
from outreach.render.video import timeline as tl
from outreach.render.video.scenes import plan_captions

CONTROL = Path(__file__).parent / "control"
GOLDEN = Path(__file__).parent / "golden" / "video"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One small render shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("video")
    story = make_root(root / "s")
    out = root / "out"
    validated = load_and_validate(story, story.parent, ["tiktok", "instagram-reels"])
    entries = pv.render_videos(validated, out, "fast", None, scale=SCALE)
    vp = pv.plan_videos(validated)[0]
    return {
        "out": out,
        "entries": entries,
        "plan": vp,
        "timeline": vp.timeline,
        "chunks": vp.chunks,
        "validated": validated,
        "video": out / "vtest" / "_video" / "video.mp4",
    }


def test_probe_matches_control(rendered: dict, update_golden: bool) -> None:
    probe = ffprobe(rendered["video"])
    got = summary(probe)
    control = CONTROL / "video-small.json"
    if update_golden or not control.exists():
        control.parent.mkdir(parents=True, exist_ok=True)
        control.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
    assert got == json.loads(control.read_text())
    # Duration to within one frame, and exactly the planned number of frames.
    timeline = rendered["timeline"]
    v = next(s for s in probe["streams"] if s["codec_type"] == "video")
    a = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert int(v["nb_read_packets"]) == timeline.total_frames
    assert abs(float(v["duration"]) - timeline.duration) <= 1 / 30 + 1e-6
    assert abs(float(a["duration"]) - timeline.duration) <= 1 / 30 + 0.025  # one AAC frame
    assert abs(float(probe["format"]["duration"]) - timeline.duration) <= 1 / 30 + 0.025
    # +faststart: the index (moov) comes before the media data (mdat).
    head = rendered["video"].read_bytes()[:200_000]
    assert 0 < head.find(b"moov") < head.find(b"mdat")


def test_full_decode_prints_no_error(rendered: dict) -> None:
    out = subprocess.run(
        [ffmpeg.ffmpeg_exe(), "-v", "error", "-i", str(rendered["video"]), "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0
    assert out.stderr == ""


def test_sidecars_parse_and_match_the_timeline(rendered: dict) -> None:
    folder = rendered["out"] / "vtest" / "_video"
    cues = rendered["plan"].cues
    subs = list(srt.parse((folder / "video.srt").read_text(encoding="utf-8")))
    vtt = list(webvtt.read(str(folder / "video.vtt")))
    assert len(subs) == len(vtt) == len(cues) >= 6
    for sub, cue, planned in zip(subs, vtt, cues, strict=True):
        start_ms, end_ms = round(planned.start * 1000 / 30), round(planned.end * 1000 / 30)
        assert round(sub.start.total_seconds() * 1000) == start_ms
        assert round(sub.end.total_seconds() * 1000) == end_ms
        assert _ms(cue.start) == start_ms and _ms(cue.end) == end_ms
        assert sub.content.split("\n") == list(planned.lines)
        assert cue.text.split("\n") == list(planned.lines)
        assert 1 <= len(planned.lines) <= 2 and max(len(x) for x in planned.lines) <= 42
        assert end_ms - start_ms >= 830  # 5/6 s, the usual minimum
        assert len(" ".join(planned.lines)) / ((end_ms - start_ms) / 1000) <= 20.0
        assert "line:" in cue.raw_text or "line:" in str(getattr(cue, "settings", "")) or True
    # Cues follow each other without overlapping.
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.end <= b.start
    # Every text on screen is in the sidecar: the opener's headline (the hook), the
    # beats, the fact, the CTA and the handle the end card shows.
    story = rendered["validated"].loaded.story
    text = " ".join(sub.content.replace("\n", " ") for sub in subs)
    for part in (story.hook, story.cta, story.facts[0].label, story.facts[0].value, "@hoinhap.vn"):
        assert " ".join(part.split()) in text, part
    # Each beat's chunks, in order, are exactly its text, shown inside its scene.
    timeline = rendered["timeline"]
    for i, beat_chunks in rendered["chunks"].items():
        scene = timeline.scenes[i]
        joined = " ".join(" ".join(c.lines) for c in beat_chunks)
        assert joined == " ".join(story.beats[scene.index].text.split())
        assert beat_chunks[0].start == scene.own_start and beat_chunks[-1].end == scene.own_end
    # The long first beat is split into several chunks shown one after another.
    assert len(rendered["chunks"][1]) >= 2


def test_vtt_places_cues_and_language_tagged_copies_exist(rendered: dict) -> None:
    folder = rendered["out"] / "vtest" / "_video"
    vtt = (folder / "video.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\nLanguage: vi-VN\n")
    timings = [line for line in vtt.splitlines() if "-->" in line]
    assert timings and all(" line:" in t and "position:50%" in t for t in timings)
    assert (folder / "video.vi_VN.srt").read_bytes() == (folder / "video.srt").read_bytes()
    assert (folder / "video.vi_VN.vtt").read_bytes() == (folder / "video.vtt").read_bytes()
    link = rendered["out"] / "vtest" / "tiktok" / "video.vi_VN.srt"
    assert link.is_symlink() and link.resolve() == (folder / "video.vi_VN.srt").resolve()
    tagged = [e for e in rendered["entries"] if e.extra.get("locale") == "vi_VN"]
    assert {Path(e.path).name for e in tagged} >= {"video.vi_VN.srt", "video.vi_VN.vtt"}


def _ms(stamp: str) -> int:
    h, m, s = stamp.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)


def test_frame_at_caption_midpoint_matches_golden(rendered: dict, update_golden: bool) -> None:
    chunk = rendered["chunks"][1][0]
    mid = (chunk.start + chunk.end) // 2
    img = frame_at(rendered["video"], mid)
    golden = GOLDEN / "caption-midpoint.png"
    if update_golden or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        img.save(golden)
    ref = np.asarray(Image.open(golden).convert("RGB"), dtype=np.int16)
    got = np.asarray(img, dtype=np.int16)
    assert got.shape == ref.shape == (480, 270, 3)
    assert np.abs(got - ref).mean() < 4.0
    # The caption is really there: bright text pixels inside its box, none above it.
    b = chunk.block.bounds.scaled(SCALE)
    box = got[int(b.y) : int(b.bottom) + 1, int(b.x) : int(b.right) + 1]
    assert (box.min(axis=2) > 215).sum() > 150
    # ...and the same place at the cover has no caption.
    cover = np.asarray(frame_at(rendered["video"], 0), dtype=np.int16)
    assert (
        np.abs(cover[int(b.y) : int(b.bottom), int(b.x) : int(b.right)] - box[:-1, :-1]).mean() > 10
    )


def test_caption_stays_inside_every_safe_zone(rendered: dict) -> None:
    from outreach.platforms import get_platform

    for chunks in rendered["chunks"].values():
        for c in chunks:
            b = c.block.bounds
            for name in ("tiktok", "youtube-shorts", "instagram-reels", "facebook-reels"):
                p = get_platform(name)
                x, y, w, h = p.safe_rect
                assert x <= b.x and b.right <= x + w and y <= b.y and b.bottom <= y + h, name


def test_cover_is_the_first_frame_and_manifest_points_to_one_shared_file(rendered: dict) -> None:
    out = rendered["out"]
    entries = rendered["entries"]
    by = {
        (e.platform, e.output, e.extra.get("format", "")): e
        for e in entries
        if e.path.count(".") == 1  # video.srt, not video.vi_VN.srt
    }
    for platform in ("tiktok", "instagram-reels"):
        video = by[(platform, "video", "")]
        assert video.path == "vtest/_video/video.mp4"
        assert video.extra["fps"] == 30 and video.extra["codec"] == "h264"
        assert video.extra["shared"] == ["tiktok", "instagram-reels"]
        assert abs(video.extra["duration"] - rendered["timeline"].duration) < 0.05
        assert (video.width, video.height) == (270, 480)
        assert by[(platform, "cover", "")].path == "vtest/_video/cover.jpg"
        assert by[(platform, "subtitles", "srt")].path == "vtest/_video/video.srt"
        assert by[(platform, "subtitles", "vtt")].path == "vtest/_video/video.vtt"
        link = out / "vtest" / platform / "video.mp4"
        assert link.is_symlink() and link.resolve() == (out / "vtest/_video/video.mp4").resolve()
    # cover.jpg is the cover card (the poster a platform shows before play); the video
    # itself opens on the hook, whose words have all popped in within 0.3 s.
    from outreach.render.video.scenes import render_scenes

    validated, vp = rendered["validated"], rendered["plan"]
    s = tl.VideoSettings.from_theme(validated.theme.video, "vi")
    r = render_scenes(
        validated.loaded, validated.theme, vp.shared, vp.timeline, vp.chunks, s, SCALE
    )
    cover = np.asarray(Image.open(out / "vtest/_video/cover.jpg").convert("RGB"), dtype=np.int16)
    assert cover.shape == np.asarray(r.cover).shape
    assert np.abs(cover - np.asarray(r.cover, dtype=np.int16)).mean() < 3
    first = np.asarray(frame_at(rendered["video"], 0), dtype=np.int16)
    popped = np.asarray(frame_at(rendered["video"], round(0.3 * 30) + 4), dtype=np.int16)
    assert np.abs(first - popped).mean() > 2  # the headline came in over the moving photo


def volume_report(video: Path) -> subprocess.CompletedProcess:
    """ffmpeg's volumedetect over the video's audio; the figures are in stderr."""
    args = ["-hide_banner", "-i", str(video), "-af", "volumedetect", "-vn", "-f", "null", "-"]
    return subprocess.run([ffmpeg.ffmpeg_exe(), *args], capture_output=True, text=True)


def test_odd_audio_formats_are_resampled(tmp_path: Path) -> None:
    root = tmp_path / "s"
    story = make_root(root)
    tone(root / "media" / "bed.mp3", 3.0, 22050, 1)
    tone(root / "media" / "voice.ogg", 2.2, 22050, 1, 660)
    text = story.read_text(encoding="utf-8").replace(
        "theme: short\n", "theme: short\nmusic: media/bed.mp3\n"
    )
    text = text.replace("    duration: 1.5\n", "    narration: media/voice.ogg\n")
    story.write_text(text, encoding="utf-8")
    validated = load_and_validate(story, root, ["tiktok"])
    entries = pv.render_videos(validated, tmp_path / "out", "fast", None, scale=SCALE)
    video = tmp_path / "out" / "vtest" / "_video" / "video.mp4"
    a = next(s for s in ffprobe(video)["streams"] if s["codec_type"] == "audio")
    assert (a["codec_name"], a["sample_rate"], a["channels"]) == ("aac", "48000", 2)
    # The narrated beat lasts as long as its narration (plus a short pad).
    s = tl.VideoSettings.from_theme(validated.theme.video, "vi")
    plan = tl.plan(validated.loaded, s, {1: 2.2})
    assert plan[2].own == pytest.approx(2.2 + s.narration_pad)
    # The audio is not silent, and it is longer than the music file: the bed loops.
    vol = volume_report(video)
    assert "mean_volume: -inf" not in vol.stderr and "mean_volume" in vol.stderr
    assert next(e for e in entries if e.output == "video").extra["duration"] > 3.0


def test_silent_track_when_there_is_no_audio(rendered: dict) -> None:
    vol = volume_report(rendered["video"])
    assert "max_volume: -91" in vol.stderr or "max_volume: -inf" in vol.stderr


def test_cli_writes_video_beside_cards_and_quiet_silences_progress(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    env = {**os.environ, pv.SCALE_ENV: str(SCALE)}
    cmd = [
        sys.executable,
        "-m",
        "outreach",
        "render",
        str(story),
        "-p",
        "tiktok",
        "--only",
        "video",
        "-o",
        str(tmp_path / "out"),
    ]
    loud = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert loud.returncode == 0, loud.stderr
    assert "vtest: video" in loud.stderr
    quiet = subprocess.run([*cmd, "-q"], capture_output=True, text=True, env=env)
    assert quiet.returncode == 0 and "video" not in quiet.stderr
    folder = tmp_path / "out" / "vtest" / "tiktok"
    assert {"video.mp4", "video.srt", "video.vtt", "cover.jpg"} <= {
        p.name for p in folder.iterdir()
    }
    assert Image.open(folder / "cover.jpg").size == (270, 480)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    outputs = sorted(e["output"] for e in manifest["files"])
    assert outputs == ["cover", "subtitles", "subtitles", "subtitles", "subtitles", "video"]
    assert {"video.vi_VN.srt", "video.vi_VN.vtt"} <= {p.name for p in folder.iterdir()}
    assert not [p for p in (tmp_path / "out").rglob("*") if ".tmp-" in p.name]


def test_unchanged_story_reuses_the_encode(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    out = tmp_path / "out"
    video = out / "vtest" / "_video" / "video.mp4"
    first = pv.render_videos(
        load_and_validate(story, story.parent, ["tiktok"]), out, "fast", None, scale=SCALE
    )
    stamp = video.stat().st_mtime_ns
    again = pv.render_videos(
        load_and_validate(story, story.parent, ["youtube-shorts"]), out, "fast", None, scale=SCALE
    )
    assert video.stat().st_mtime_ns == stamp
    assert [e.sha256 for e in first] == [e.sha256 for e in again]
    assert {e.platform for e in again} == {"youtube-shorts"}
    story.write_text(story.read_text(encoding="utf-8").replace("nhóm kỹ sư", "nhóm lớn"), "utf-8")
    changed = pv.render_videos(
        load_and_validate(story, story.parent, ["tiktok"]), out, "fast", None, scale=SCALE
    )
    assert video.stat().st_mtime_ns != stamp
    assert changed[0].sha256 != first[0].sha256


def test_moviepy_composition_agrees_with_the_fast_path(rendered: dict) -> None:
    """The moviepy model of the timeline and the streamed frames show the same picture."""
    from outreach.render.video.clip import as_moviepy
    from outreach.render.video.frames import Planes, frame_stream, to_rgb
    from outreach.render.video.scenes import render_scenes

    validated, timeline = rendered["validated"], rendered["timeline"]
    shared = pv.groups(validated.platforms)[0][0]
    s = tl.VideoSettings.from_theme(validated.theme.video, "vi")
    r = render_scenes(
        validated.loaded, validated.theme, shared, timeline, rendered["chunks"], s, SCALE
    )
    clip = as_moviepy(timeline, r)
    assert clip.duration == pytest.approx(timeline.duration)
    chunk = rendered["chunks"][1][0]
    wanted = {0, (chunk.start + chunk.end) // 2, timeline.total_frames - 1}
    w, h = 270, 480
    for f, data in enumerate(frame_stream(timeline, r.renderers, r.captions)):
        if f not in wanted:
            continue
        y = Image.frombytes("L", (w, h), data[: w * h])
        u = Image.frombytes("L", (w // 2, h // 2), data[w * h : w * h * 5 // 4])
        v = Image.frombytes("L", (w // 2, h // 2), data[w * h * 5 // 4 :])
        fast = to_rgb(Planes(y, u, v)).astype(np.int16)
        model = clip.get_frame(f / 30).astype(np.int16)
        assert model.shape == fast.shape
        assert np.abs(model - fast).mean() < 1.0, f


def test_word_highlight_can_be_switched_off(tmp_path: Path) -> None:
    accent = np.array([255, 197, 51])

    def yellow_pixels(root: Path, story: Path, highlight: bool = True) -> int:
        validated = load_and_validate(story, root, ["tiktok"])
        pv.render_videos(validated, root / "out", "fast", None, scale=SCALE, highlight=highlight)
        s = tl.VideoSettings.from_theme(validated.theme.video, "vi")
        timeline = tl.build(tl.plan(validated.loaded, s, {}), s)
        chunk = plan_captions(timeline, validated.theme, pv.groups(validated.platforms)[0][0], s)[
            1
        ][0]
        frame = np.asarray(
            frame_at(
                root / "out" / "vtest" / "_video" / "video.mp4", (chunk.start + chunk.end) // 2
            ),
            dtype=np.int16,
        )
        b = chunk.block.bounds.scaled(SCALE)
        region = frame[int(b.y) : int(b.bottom) + 1, int(b.x) : int(b.right) + 1]
        return int((np.abs(region - accent).max(axis=2) < 60).sum())

    on = make_root(tmp_path / "on")
    assert yellow_pixels(tmp_path / "on", on) > 20
    off = make_root(
        tmp_path / "off",
        theme="extends: default\nvideo: {target_min: 3, cover_seconds: 1.0, "
        "fact_seconds: 1.0, cta_seconds: 1.0, min_scene: 1.0, highlight: false}\n",
    )
    assert yellow_pixels(tmp_path / "off", off) == 0
    # --no-highlight reaches the renderer as an argument (never an environment variable).
    flag_off = make_root(tmp_path / "flag")
    assert yellow_pixels(tmp_path / "flag", flag_off, highlight=False) == 0


def _freezes(video: Path) -> tuple[float, list[tuple[float, float]]]:
    """ffmpeg's own freezedetect (0.5 s stills, -60 dB): (duration, [(start, length)])."""
    import re

    err = subprocess.run(
        [
            ffmpeg.ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(video),
            "-an",
            "-vf",
            "freezedetect=n=-60dB:d=0.5",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
    ).stderr
    starts = [float(x) for x in re.findall(r"freeze_start: ([\d.]+)", err)]
    lengths = [float(x) for x in re.findall(r"freeze_duration: ([\d.]+)", err)]
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", err)
    assert m
    duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    ends = [float(x) for x in re.findall(r"freeze_end: ([\d.]+)", err)]
    if len(starts) > len(lengths):  # a still that runs to the end
        lengths.append(duration - starts[-1])
    del ends
    return duration, list(zip(starts, lengths, strict=True))


def test_it_moves_from_the_first_frame_and_never_freezes(rendered: dict) -> None:
    """freezedetect: the first frames already move, no still of 1.5 s, at most 10% frozen."""
    duration, stills = _freezes(rendered["video"])
    assert not any(start < 0.5 for start, _ in stills), stills  # moving within 0.5 s
    assert all(length < 1.5 for _, length in stills), stills
    assert sum(length for _, length in stills) <= 0.10 * duration, stills
    # The manifest says the same, measured on the way to the encoder.
    video = next(e for e in rendered["entries"] if e.output == "video")
    motion = video.extra["motion"]
    assert motion["first_motion_s"] < 0.5 and motion["frozen_share"] <= 0.10
    assert motion["longest_still_s"] < 1.5


def test_manifest_reports_loudness_cue_timing_and_shots(rendered: dict) -> None:
    video = next(e for e in rendered["entries"] if e.output == "video")
    assert video.extra["loudness"] is None  # the short theme has no music: silent track
    cues = video.extra["cue_timing"]
    assert cues["problems"] == [] and cues["shortest_s"] >= 0.83 and cues["fastest_cps"] <= 20
    assert cues["longest_line"] <= 42 and cues["most_lines"] <= 2
    assert video.extra["shots"]["count"] >= len(rendered["timeline"].scenes)


def test_text_cards_push_and_never_dissolve(rendered: dict) -> None:
    """Mid-push, the frame is the two cards side by side, not a blend of both."""
    from outreach.render.video.frames import plane_stream, scene_frame, to_rgb
    from outreach.render.video.scenes import render_scenes

    validated, vp = rendered["validated"], rendered["plan"]
    timeline = vp.timeline
    pushes = [sc for sc in timeline.scenes if sc.transition == "push"]
    assert pushes and all(sc.is_card for sc in pushes)
    s = tl.VideoSettings.from_theme(validated.theme.video, "vi")
    r = render_scenes(validated.loaded, validated.theme, vp.shared, timeline, vp.chunks, s, SCALE)
    sc = pushes[0]
    i = timeline.scenes.index(sc)
    mid = (sc.start + sc.own_start) // 2
    during = None
    for f, planes in enumerate(plane_stream(timeline, r.renderers, r.captions)):
        if sc.start <= f < sc.own_start:
            # Every push frame is a picture: as bright as the two scenes, never blank.
            ya = np.asarray(scene_frame(timeline, r.renderers, r.captions, i - 1, f).y).mean()
            yb = np.asarray(scene_frame(timeline, r.renderers, r.captions, i, f).y).mean()
            assert np.asarray(planes.y).mean() >= 0.8 * min(ya, yb), f
        if f == mid:
            during = to_rgb(planes).astype(np.int16)
        if f >= sc.own_start:
            break
    assert during is not None
    before = to_rgb(scene_frame(timeline, r.renderers, r.captions, i - 1, mid)).astype(np.int16)
    after = to_rgb(scene_frame(timeline, r.renderers, r.captions, i, mid)).astype(np.int16)
    # Left: the outgoing scene moved left; right: the incoming one, its left edge showing.
    w = during.shape[1]
    q = w // 4
    left_ok = min(np.abs(during[:, :q] - before[:, o : o + q]).mean() for o in range(0, w - q))
    right_ok = min(np.abs(during[:, w - q :] - after[:, o : o + q]).mean() for o in range(0, w - q))
    # ...and it is no blend: half-and-half of the two pictures would be far from both.
    blend = (before + after) // 2
    assert np.abs(during - blend).mean() > 5
    assert left_ok < 3 and right_ok < 3, (left_ok, right_ok, i)


def test_archive_master_and_clean_video(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    out = tmp_path / "out"
    fast = pv.render_videos(
        load_and_validate(story, story.parent, ["tiktok"]), out, "fast", None, scale=SCALE
    )
    fast_kbps = next(e for e in fast if e.output == "video").extra["bitrate_kbps"]
    arch = pv.render_videos(  # --clean-video: an argument, like every switch
        load_and_validate(story, story.parent, ["tiktok"]),
        tmp_path / "arch",
        "archive",
        None,
        scale=SCALE,
        clean=True,
    )
    video = next(e for e in arch if e.output == "video" and e.path.endswith("video.mp4"))
    assert video.extra["quality"] == "archive" and video.extra["crf"] == 12
    assert video.extra["bitrate_kbps"] > 1.8 * fast_kbps
    clean = tmp_path / "arch" / "vtest" / "_video" / "video-clean.mp4"
    assert (
        clean.is_file()
        and (tmp_path / "arch" / "vtest" / "tiktok" / "video-clean.mp4").is_symlink()
    )
    # The clean master has no captions where the captioned one has them.
    vp = pv.plan_videos(load_and_validate(story, story.parent, ["tiktok"]))[0]
    chunk = vp.chunks[1][0]
    mid = (chunk.start + chunk.end) // 2
    b = chunk.block.bounds.scaled(SCALE)
    region = (slice(int(b.y), int(b.bottom)), slice(int(b.x), int(b.right)))
    with_caps = np.asarray(frame_at(tmp_path / "arch" / "vtest" / "_video" / "video.mp4", mid))[
        region
    ]
    without = np.asarray(frame_at(clean, mid))[region]
    assert (with_caps.min(axis=2) > 215).sum() > 150
    assert (without.min(axis=2) > 215).sum() < 20
