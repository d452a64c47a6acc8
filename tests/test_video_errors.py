"""Bad input for videos: each error names the story, the beat or field and the file,
and no video.mp4 (complete or partial) is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from video_helpers import SCALE, STORY, make_root, tone

from outreach import ffmpeg
from outreach.diagnostics import StoryError
from outreach.pack import video as pv
from outreach.pack.story import describe_error, load_and_validate

pytestmark = pytest.mark.slow


def _render(story: Path, platforms: list[str] | None = None) -> list[str]:
    """Render; return the formatted diagnostics of the failure (or [] on success)."""
    try:
        validated = load_and_validate(story, story.parent, platforms or ["tiktok"])
        pv.render_videos(validated, story.parent.parent / "out", "fast", None, scale=SCALE)
    except StoryError as exc:
        return [d.format() for d in describe_error(story, exc)]
    return []


def _no_video(story: Path) -> None:
    out = story.parent.parent / "out"
    assert not list(out.rglob("*.mp4")) if out.exists() else True
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name] if out.exists() else True


def _edit(story: Path, old: str, new: str) -> None:
    text = story.read_text(encoding="utf-8")
    assert old in text
    story.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_missing_music(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    _edit(story, "theme: short\n", "theme: short\nmusic: media/nope.mp3\n")
    errors = _render(story)
    assert len(errors) == 1
    # The loader already checks that media files exist, with its own wording.
    assert (
        "story.yaml:8:8: error: music: file `media/nope.mp3` not found — check the spelling"
        in errors[0]
    )
    _no_video(story)


def test_corrupt_narration_names_the_beat_and_file(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    (tmp_path / "s" / "media" / "voice.mp3").write_bytes(b"ID3\x03\x00" + b"\x00garbage" * 200)
    _edit(story, "    duration: 1.5\n", "    narration: media/voice.mp3\n")
    errors = _render(story)
    assert len(errors) == 1
    assert (
        ": error: beats[1].narration: narration of beat 2 `media/voice.mp3` is not readable audio ("
        in errors[0]
    )
    assert errors[0].endswith("— export it again as WAV, MP3, M4A, OGG or FLAC")
    _no_video(story)


def test_text_file_posing_as_music(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    (tmp_path / "s" / "media" / "bed.ogg").write_text("not audio at all\n")
    _edit(story, "theme: short\n", "theme: short\nmusic: media/bed.ogg\n")
    errors = _render(story)
    assert (
        len(errors) == 1
        and "error: music: music `media/bed.ogg` is not readable audio" in errors[0]
    )
    _no_video(story)


def test_mono_22khz_wav_and_ogg_narration_work(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    tone(tmp_path / "s" / "media" / "v.wav", 1.2, 22050, 1)
    _edit(story, "    duration: 1.5\n", "    narration: media/v.wav\n")
    assert _render(story) == []
    assert (tmp_path / "out" / "vtest" / "_video" / "video.mp4").is_file()


def test_beat_with_no_text_and_no_media(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    _edit(story, "facts:", "  - motion: zoom-in\nfacts:")
    errors = _render(story)
    assert len(errors) == 1
    assert errors[0].endswith(
        "error: beats[2]: beat 3 has no text and no media — add `text:` or `media:` to it, "
        "or remove the beat"
    )
    assert (
        errors[0].startswith(str(story).replace(str(Path.cwd()) + "/", ""))
        or "story.yaml:" in errors[0]
    )
    _no_video(story)


def test_over_the_target_runs_long_with_a_note_naming_the_beats_to_cut(tmp_path: Path) -> None:
    from outreach.pack import video as pv
    from outreach.pack.story import load_and_validate

    story = make_root(tmp_path / "s")
    beats = "".join(
        f'  - text: "Cảnh số {i} của câu chuyện dài."\n    media: media/photo.jpg\n    duration: 9\n'
        for i in range(1, 8)
    )
    _edit(story, "beats:\n", "beats:\n" + beats)
    validated = load_and_validate(story, story.parent, ["tiktok"])
    plan = pv.plan_videos(validated)[0]
    assert plan.timeline.duration > 60
    assert plan.timeline.notes[:2] == [
        "beat 8 lasts 3.9 s instead of 3.0 s, so its captions stay readable",
        "beat 9 lasts 2.1 s instead of 1.5 s, so its captions stay readable",
    ]
    assert plan.timeline.notes[2:] == [
        "runs 74 s, over the 40 s target at the fastest readable pace: "
        "cut beat 1, beat 2, beat 3, beat 4 (about 34.2 s) or shorten their text"
    ]


def test_past_a_platform_maximum(tmp_path: Path) -> None:
    theme = "extends: default\nvideo: {target_max: 300, min_scene: 1.0}\n"
    beats = "".join(
        f'  - text: "Cảnh số {i}."\n    media: media/photo.jpg\n    duration: 10\n'
        for i in range(1, 10)
    )
    story = make_root(tmp_path / "s", STORY.replace("beats:\n", "beats:\n" + beats), theme)
    errors = _render(story, ["tiktok", "facebook-reels"])
    assert len(errors) == 1
    assert "over the Facebook Reels maximum of 90 s — cut beat 1" in errors[0]
    _no_video(story)


def test_ffmpeg_failure_surfaces_its_stderr(tmp_path: Path) -> None:
    bad = ffmpeg.EncodeSettings(64, 64, 30, "no-such-preset", 20)
    wav = tmp_path / "a.wav"
    ffmpeg.run(
        [
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=48000:cl=stereo",
            "-t",
            "1",
            str(wav),
        ],
        "silence",
    )
    with pytest.raises(ffmpeg.FFmpegError) as info:
        ffmpeg.encode_stream(
            lambda: iter([bytes(64 * 64 * 3 // 2)] * 30), 30, wav, tmp_path / "x.mp4", bad
        )
    assert "ffmpeg could not encode the video" in str(info.value)
    assert "Error while opening encoder" in str(info.value)


def test_probe_reports_streams(tmp_path: Path) -> None:
    info = ffmpeg.probe(tone(tmp_path / "t.ogg", 1.0, 22050, 1))
    assert info.audio is not None and info.audio.sample_rate == 22050
    assert info.duration == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ffmpeg.FFmpegError):
        ffmpeg.probe(tmp_path / "missing.wav")


def test_word_too_wide_for_the_caption_band_points_at_the_beat(tmp_path: Path) -> None:
    story = make_root(tmp_path / "s")
    _edit(
        story,
        "Chị dẫn dắt một nhóm kỹ sư.",
        "Chị dẫn dắt #MotHashtagRatRatDaiKhongTheXuongDongDuocNua.",
    )  # a URL breaks at its own separators; a hashtag never breaks
    errors = _render(story)
    assert len(errors) == 1
    assert ": error: beats[1].text: caption: the word `#MotHashtag" in errors[0]
    assert errors[0].endswith("— shorten the word or split it with a space")
    _no_video(story)


def test_theme_music_is_used_and_checked(tmp_path: Path) -> None:
    theme = "extends: default\nmusic: bed.wav\nvideo: {target_min: 3, cover_seconds: 1.0, min_scene: 1.0}\n"
    story = make_root(tmp_path / "s", STORY, theme)
    tone(tmp_path / "s" / "themes" / "short" / "bed.wav", 1.0, 44100, 2)
    assert _render(story) == []
    (tmp_path / "s" / "themes" / "short" / "bed.wav").write_bytes(b"RIFF....WAVEjunk")
    story.write_text(story.read_text(encoding="utf-8").replace("12", "13"), encoding="utf-8")
    errors = _render(story)
    assert (
        len(errors) == 1
        and "error: theme: theme `short` music `bed.wav` is not readable audio" in errors[0]
    )
