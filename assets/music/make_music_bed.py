"""Generate the bundled music bed: a calm 60-second pad and arpeggio, 48 kHz stereo.

Deterministic (no randomness), so the file can be rebuilt bit-for-bit from this script:
    python assets/music/make_music_bed.py            # writes outreach-bed.m4a beside it

The harmony is a I-V-vi-IV loop in C major at 96 BPM (2.5 s per chord), soft enough to
sit under narration. The loop length divides 60 s, so the bed also loops seamlessly.
Released under CC0 (see LICENSE.md).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

RATE = 48_000
SECONDS = 60.0
BEAT = 60 / 96
CHORD = 4 * BEAT  # 2.5 s
# MIDI notes: C, G, Am, F (root position triads plus a colour note).
CHORDS = [(60, 64, 67, 72), (55, 59, 62, 67), (57, 60, 64, 69), (53, 57, 60, 65)]
ARP = [0, 1, 2, 3, 2, 1, 2, 3]


def hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def pad(t: np.ndarray, notes: tuple[int, ...], length: float) -> np.ndarray:
    """Detuned sines with a slow swell: warm and without attack."""
    env = np.minimum(1.0, t / 0.6) * np.minimum(1.0, (length - t) / 0.6)
    out = np.zeros_like(t)
    for n in notes:
        for detune in (-0.07, 0.0, 0.07):
            f = hz(n + detune - 12)
            out += np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t)
    return out * env / (len(notes) * 3)


def pluck(t: np.ndarray, note: int) -> np.ndarray:
    """A soft bell-like pluck with an exponential decay."""
    f = hz(note + 12)
    env = np.exp(-t * 5.0) * np.minimum(1.0, t / 0.004)
    return (np.sin(2 * np.pi * f * t) + 0.3 * np.sin(2 * np.pi * 2 * f * t) * np.exp(-t * 9)) * env


def render() -> np.ndarray:
    n = int(RATE * SECONDS)
    left = np.zeros(n)
    right = np.zeros(n)
    step = BEAT / 2
    for k in range(int(SECONDS / CHORD)):
        notes = CHORDS[k % len(CHORDS)]
        start = int(k * CHORD * RATE)
        length = int(CHORD * RATE)
        t = np.arange(length) / RATE
        p = pad(t, notes, CHORD) * 0.5
        left[start : start + length] += p
        right[start : start + length] += p
        bass = np.sin(2 * np.pi * hz(notes[0] - 24) * t) * np.exp(-t * 1.2) * 0.35
        left[start : start + length] += bass
        right[start : start + length] += bass
        for j, idx in enumerate(ARP):
            s0 = start + int(j * step * RATE)
            m = min(int(1.2 * RATE), n - s0)
            tt = np.arange(m) / RATE
            note = pluck(tt, notes[idx]) * 0.22
            pan = 0.5 + 0.3 * np.sin(j * 0.9)  # the arpeggio drifts across the stereo field
            left[s0 : s0 + m] += note * (1 - pan)
            right[s0 : s0 + m] += note * pan
    stereo = np.stack([left, right], axis=1)
    stereo /= np.max(np.abs(stereo)) / 0.6
    # Short fades so that looping and trimming never click.
    fade = int(0.02 * RATE)
    ramp = np.linspace(0, 1, fade)[:, None]
    stereo[:fade] *= ramp
    stereo[-fade:] *= ramp[::-1]
    return stereo


def main(target: Path) -> None:
    import imageio_ffmpeg

    pcm = (render() * 32767).astype("<i2")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "bed.wav"
        with wave.open(str(wav), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(pcm.tobytes())
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-i",
                str(wav),
                "-c:a",
                "aac",
                "-b:a",
                "128k",
                "-ar",
                str(RATE),
                "-ac",
                "2",
                "-map_metadata",
                "-1",
                "-fflags",
                "+bitexact",
                "-flags:a",
                "+bitexact",
                str(target),
            ],
            check=True,
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("outreach-bed.m4a"))
