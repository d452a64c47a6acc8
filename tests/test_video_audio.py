"""The soundtrack: resampling, looping, fades, ducking under narration, exact length."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from video_helpers import tone

from outreach import ffmpeg
from outreach.paths import assets_dir
from outreach.render.video.audio import Cue, build_soundtrack

BED = assets_dir() / "music" / "bed-calm.m4a"


def _level(wav: Path, start: float, end: float) -> float:
    """Mean level (dB) of the music band (below 1.2 kHz) between two times."""
    err = subprocess.run(
        [
            ffmpeg.ffmpeg_exe(),
            "-hide_banner",
            "-ss",
            str(start),
            "-t",
            str(end - start),
            "-i",
            str(wav),
            "-af",
            "lowpass=f=1200,volumedetect",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
    ).stderr
    return float(err.split("mean_volume:")[1].split("dB")[0])


@pytest.mark.parametrize(
    ("mood", "bpm"), [("calm", 90), ("warm", 100), ("drive", 112.5), ("bright", 120)]
)
def test_bundled_beds_are_48k_stereo_24_bars_at_their_tempo(mood: str, bpm: float) -> None:
    from outreach.pack.video import load_beds
    from outreach.render.video.beats import detect_file

    library = load_beds(str(assets_dir() / "music" / "beds.yaml"))
    bed = library["beds"][mood]
    assert float(bed["bpm"]) == bpm
    path = assets_dir() / "music" / bed["file"]
    info = ffmpeg.probe(path)
    assert info.audio is not None and info.audio.sample_rate == 48000
    assert info.audio.channels == "stereo"
    assert info.duration == pytest.approx(24 * 4 * 60 / bpm, abs=0.1)
    # The tempo in beds.yaml is the one you hear, and a whole number of frames per beat.
    grid = detect_file(path)
    assert grid is not None and grid.bpm == pytest.approx(bpm, abs=0.5)
    assert (30 * 60 / bpm) == int(30 * 60 / bpm)


def test_beds_carry_on_a_phone_speaker() -> None:
    """Most of a bed's loudness survives a 300 Hz high-pass (what a phone plays)."""
    for mood in ("calm", "warm", "drive", "bright"):
        path = assets_dir() / "music" / f"bed-{mood}.m4a"
        full = ffmpeg.loudness(path).integrated
        err = ffmpeg.run(
            [
                "-nostats",
                "-i",
                str(path),
                "-af",
                "highpass=f=300:poles=2,highpass=f=300:poles=2,ebur128",
                "-f",
                "null",
                "-",
            ],
            "phone",
        )
        phone = float(err[err.rfind("Summary:") :].split("I:")[1].split("LUFS")[0])
        assert full - phone < 4.5, (mood, full, phone)


def test_soundtrack_is_normalised_to_minus_14_lufs(tmp_path: Path) -> None:
    voice = tone(tmp_path / "v.ogg", 3.0, 22050, 1, 3000)
    mix = tmp_path / "mix.m4a"
    measured = build_soundtrack(mix, 12.0, BED, [Cue(voice, 5.0, 3.0)])
    assert measured is not None
    again = ffmpeg.loudness(mix)  # as a platform measures the encoded file
    assert abs(again.integrated - (-14.0)) <= 1.0, again
    assert again.true_peak <= -1.0, again
    assert measured == again


def test_music_is_audible_from_the_first_frame(tmp_path: Path) -> None:
    mix = tmp_path / "mix.m4a"
    build_soundtrack(mix, 6.0, BED, [])
    assert _level(mix, 0.0, 1 / 30) > -40  # the first frame already has music
    assert _level(mix, 0.0, 0.5) > _level(mix, 2.0, 4.0) - 6


def test_music_ducks_under_narration_and_comes_back(tmp_path: Path) -> None:
    voice = tone(tmp_path / "v.ogg", 3.0, 22050, 1, 3000)  # high pitch: outside the music band
    mix = tmp_path / "mix.m4a"
    build_soundtrack(mix, 12.0, BED, [Cue(voice, 5.0)])
    info = ffmpeg.probe(mix)
    assert info.duration == pytest.approx(12.0, abs=0.01)
    assert (
        info.audio is not None
        and info.audio.sample_rate == 48000
        and info.audio.channels == "stereo"
    )
    before, under, after = _level(mix, 2, 4.5), _level(mix, 5.5, 7.5), _level(mix, 8.7, 10.3)
    assert before - 12.5 < under < before - 7.5  # ducked by about 10 dB (8-12 is usual)
    assert abs(after - before) < 3  # and back once the narration is over


def test_short_bed_loops_to_the_video_length(tmp_path: Path) -> None:
    bed = tone(tmp_path / "bed.mp3", 2.0, 22050, 1, 300)
    mix = tmp_path / "mix.m4a"
    build_soundtrack(mix, 9.0, bed, [])
    assert ffmpeg.probe(mix).duration == pytest.approx(9.0, abs=0.01)
    assert _level(mix, 6.0, 7.0) > -40  # still playing after the file's own 2 s


def test_silence_without_audio(tmp_path: Path) -> None:
    mix = tmp_path / "mix.m4a"
    build_soundtrack(mix, 3.0, None, [])
    assert ffmpeg.probe(mix).duration == pytest.approx(3.0, abs=0.01)
    assert _level(mix, 0, 3) < -80
