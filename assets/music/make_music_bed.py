"""Generate the bundled music beds: four moods, each at a known tempo, 48 kHz stereo AAC.

Deterministic (seeded noise), so every file can be rebuilt bit-for-bit from this script:
    python assets/music/make_music_bed.py            # writes bed-*.m4a beside it
    python assets/music/make_music_bed.py calm       # only one mood

What every bed is built for (issue 11):
- it starts on a downbeat at t = 0 (kick, chord and melody together): the music is
  audible from the first frame, with no fade-in from silence;
- most of its energy is above 300 Hz (plucks, keys, pads in octaves 4-5, hats, claps,
  and basses with strong upper harmonics), so it still carries on a phone speaker;
- the tempo is a whole number of video frames per beat at 30 fps (90 BPM = 20 frames,
  100 = 18, 112.5 = 16, 120 = 15), so cuts can land exactly on beats;
- 24 bars of 4/4, so a bed loops seamlessly when a video is longer.
The tempo and mood of each bed are listed in beds.yaml, which the renderer reads.
Released under CC0 (see LICENSE.md).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 48_000
BARS = 24


@dataclass(frozen=True)
class Mood:
    name: str
    bpm: float
    chords: tuple[tuple[int, ...], ...]  # MIDI notes, one chord per bar (cycled)
    kick: str  # a 16-step pattern: x = hit
    clap: str
    hat: str
    arp: str  # 16 steps: digits index the chord's notes, . = rest
    bass: str
    pad: float  # level of the sustained pad
    bright: float  # harmonic richness of the plucks (0..1)
    seed: int


MOODS = {
    # Reflective explainers: soft keys arpeggio, shaker, a kick on 1 and 3.
    "calm": Mood(
        "calm",
        90.0,
        ((57, 60, 64, 69), (53, 57, 60, 65), (48, 52, 55, 60), (55, 59, 62, 67)),
        kick="x.......x.......",
        clap="................",
        hat="..x...x...x...x.",
        arp="0.1.2.3.2.1.2.3.",
        bass="x.......x.......",
        pad=0.55,
        bright=0.35,
        seed=1,
    ),
    # Personal stories: warm piano-like chords, claps on 2 and 4.
    "warm": Mood(
        "warm",
        100.0,
        ((50, 54, 57, 62), (57, 61, 64, 69), (59, 62, 66, 71), (55, 59, 62, 67)),
        kick="x.......x.....x.",
        clap="....x.......x...",
        hat="x.x.x.x.x.x.x.x.",
        arp="0..1..2.3..2..1.",
        bass="x.....x.x.......",
        pad=0.4,
        bright=0.55,
        seed=2,
    ),
    # Technology and supply chains: pulsing minor groove, 16th hats.
    "drive": Mood(
        "drive",
        112.5,
        ((50, 53, 57, 62), (46, 50, 53, 58), (53, 57, 60, 65), (48, 52, 55, 60)),
        kick="x.....x.x.......",
        clap="....x.......x...",
        hat="xxxxxxxxxxxxxxxx",
        arp="0.2.1.3.0.2.1.3.",
        bass="x...x...x...x...",
        pad=0.35,
        bright=0.75,
        seed=3,
    ),
    # Startups and students: four on the floor, offbeat hats, bright plucks.
    "bright": Mood(
        "bright",
        120.0,
        ((52, 56, 59, 64), (49, 52, 56, 61), (57, 61, 64, 69), (59, 63, 66, 71)),
        kick="x...x...x...x...",
        clap="....x.......x...",
        hat="..x...x...x...x.",
        arp="0121312101213121",
        bass="x.xx..x.x.xx..x.",
        pad=0.3,
        bright=0.9,
        seed=4,
    ),
}


def hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _highpass(x: np.ndarray, k: int = 1) -> np.ndarray:
    """A cheap high-pass: the signal minus its running mean over k+1 samples, k times."""
    for _ in range(k):
        x = np.concatenate([[0.0], np.diff(x)])
    return x


def kick(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.35)
    f = 48 + 110 * np.exp(-t * 28)
    body = np.sin(2 * np.pi * np.cumsum(f) / RATE) * np.exp(-t * 9)
    # The click and the second harmonic are what a phone speaker plays of a kick.
    click = _lowpass(_highpass(rng.standard_normal(t.size), 2)) * np.exp(-t * 180) * 0.25
    return body + 0.35 * np.sin(4 * np.pi * np.cumsum(f) / RATE) * np.exp(-t * 14) + click


def clap(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.25)
    noise = _lowpass(_highpass(rng.standard_normal(t.size), 1))
    env = np.exp(-t * 22) + 0.5 * np.exp(-np.maximum(0, t - 0.012) * 40) * (t > 0.012)
    return noise * env * 0.5


def _lowpass(x: np.ndarray, k: int = 3) -> np.ndarray:
    """A cheap low-pass: a running mean over k samples (k = 3 nulls 16 kHz at 48 kHz)."""
    return np.convolve(x, np.ones(k) / k, mode="same")


def hat(rng: np.random.Generator, length: float = 0.06) -> np.ndarray:
    # Band-limited (about 4-14 kHz): crisp on a phone, and no energy up where the AAC
    # encoder's low-pass would turn limited peaks into overshoots.
    t = _t(length)
    noise = _lowpass(_lowpass(_highpass(rng.standard_normal(t.size), 2)))
    return noise * np.exp(-t * 70) * 0.2


def pluck(note: int, bright: float, length: float) -> np.ndarray:
    t = _t(length)
    f = hz(note + 12)
    out = np.zeros_like(t)
    for n in range(1, 7):
        amp = (bright ** (n - 1)) / n
        out += amp * np.sin(2 * np.pi * f * n * t) * np.exp(-t * (4 + 3 * n))
    return out * np.minimum(1.0, t / 0.003)


def pad(notes: tuple[int, ...], length: float) -> np.ndarray:
    t = _t(length)
    env = np.minimum(1.0, t / 0.25) * np.minimum(1.0, (length - t) / 0.3)
    out = np.zeros_like(t)
    for note in notes:
        for detune in (-0.08, 0.0, 0.08):
            f = hz(note + detune)
            for n in range(1, 6):  # a soft saw: rich enough to sit above 300 Hz
                out += np.sin(2 * np.pi * f * n * t + n) / (n * n)
    return out * env / (len(notes) * 3)


def bass(note: int, length: float) -> np.ndarray:
    t = _t(length)
    f = hz(note - 12)
    env = np.exp(-t * 5) * np.minimum(1.0, t / 0.004)
    tone = sum(np.sin(2 * np.pi * f * n * t) / n for n in range(1, 6))
    return tone * env


def _add(track: np.ndarray, sound: np.ndarray, at: int, gain: float, pan: float = 0.5) -> None:
    end = min(track.shape[0], at + sound.size)
    if end <= at:
        return
    s = sound[: end - at] * gain
    track[at:end, 0] += s * np.sqrt(1 - pan)
    track[at:end, 1] += s * np.sqrt(pan)


def render(mood: Mood) -> np.ndarray:
    rng = np.random.default_rng(mood.seed)
    beat = 60 / mood.bpm
    step = beat / 4
    bar = 4 * beat
    n = int(round(BARS * bar * RATE))
    track = np.zeros((n + RATE, 2))  # a tail, folded back onto the start: seamless loop
    kick_s, clap_s = kick(rng), clap(rng)
    hats = [hat(rng) for _ in range(4)]
    for b in range(BARS):
        chord = mood.chords[b % len(mood.chords)]
        t0 = int(round(b * bar * RATE))
        _add(track, pad(tuple(x + 12 for x in chord), bar) * mood.pad, t0, 0.5)
        for k in range(16):
            at = t0 + int(round(k * step * RATE))
            if mood.kick[k] == "x":
                _add(track, kick_s, at, 0.5)
            if mood.clap[k] == "x":
                _add(track, clap_s, at, 0.55, 0.45)
            if mood.hat[k] == "x":
                accent = 1.0 if k % 4 == 2 else 0.7
                _add(track, hats[k % 4], at, accent, 0.35 + 0.3 * ((k // 2) % 2))
            if mood.arp[k].isdigit():
                note = chord[int(mood.arp[k]) % len(chord)]
                _add(track, pluck(note, mood.bright, 0.9), at, 0.4, 0.5 + 0.25 * np.sin(k * 0.9))
            if mood.bass[k] == "x":
                _add(track, bass(chord[0], 2 * step + 0.2), at, 0.2)
    track[:RATE] += track[n:]
    track = track[:n]
    track /= np.max(np.abs(track)) / 0.7
    return track


def high_share(track: np.ndarray) -> float:
    """Share of the bed's energy above 300 Hz (what a phone speaker can play)."""
    mono = track.mean(axis=1)
    power = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(mono.size, 1 / RATE)
    return float(power[freqs >= 300].sum() / power.sum())


def write(mood: Mood, target: Path) -> None:
    import imageio_ffmpeg

    track = render(mood)
    pcm = (np.clip(track, -1, 1) * 32767).astype("<i2")
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
                "112k",
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
    print(f"{target.name}: {mood.bpm:g} BPM, {high_share(track):.0%} of the energy above 300 Hz")


def main(names: list[str]) -> None:
    here = Path(__file__).parent
    for name in names or list(MOODS):
        write(MOODS[name], here / f"bed-{name}.m4a")


if __name__ == "__main__":
    main(sys.argv[1:])
