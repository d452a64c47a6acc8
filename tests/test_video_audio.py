"""The soundtrack: resampling, looping, fades, ducking under narration, exact length."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from video_helpers import tone

from outreach import ffmpeg
from outreach.paths import assets_dir
from outreach.render.video.audio import Cue, build_soundtrack

BED = assets_dir() / "music" / "outreach-bed.m4a"


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


def test_bundled_bed_is_48k_stereo_and_a_minute_long() -> None:
    info = ffmpeg.probe(BED)
    assert info.audio is not None and info.audio.sample_rate == 48000
    assert info.audio.channels == "stereo"
    assert info.duration == pytest.approx(60.0, abs=0.1)


def test_music_ducks_under_narration_and_comes_back(tmp_path: Path) -> None:
    voice = tone(tmp_path / "v.ogg", 3.0, 22050, 1, 3000)  # high pitch: outside the music band
    mix = tmp_path / "mix.wav"
    build_soundtrack(mix, 12.0, BED, [Cue(voice, 5.0)])
    info = ffmpeg.probe(mix)
    assert info.duration == pytest.approx(12.0, abs=0.01)
    assert (
        info.audio is not None
        and info.audio.sample_rate == 48000
        and info.audio.channels == "stereo"
    )
    before, under, after = _level(mix, 2, 4.5), _level(mix, 5.5, 7.5), _level(mix, 8.7, 10.3)
    assert under < before - 8  # ducked
    assert abs(after - before) < 3  # and back once the narration is over


def test_short_bed_loops_to_the_video_length(tmp_path: Path) -> None:
    bed = tone(tmp_path / "bed.mp3", 2.0, 22050, 1, 300)
    mix = tmp_path / "mix.wav"
    build_soundtrack(mix, 9.0, bed, [])
    assert ffmpeg.probe(mix).duration == pytest.approx(9.0, abs=0.01)
    assert _level(mix, 6.0, 7.0) > -40  # still playing after the file's own 2 s


def test_silence_without_audio(tmp_path: Path) -> None:
    mix = tmp_path / "mix.wav"
    build_soundtrack(mix, 3.0, None, [])
    assert ffmpeg.probe(mix).duration == pytest.approx(3.0, abs=0.01)
    assert _level(mix, 0, 3) < -80
