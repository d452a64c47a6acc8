"""The beat of a music file, found offline: tempo (BPM) and the time of the first beat.

The generated beds know their tempo (assets/music/beds.yaml); a user's own music is
analysed here so cuts can still land on its beats. The method is the classic one:
an onset-strength envelope (spectral flux of a short-time Fourier transform), its
autocorrelation over 60-180 BPM weighted towards moderate tempos, then the phase that
puts the most onset energy on the beat grid. Deterministic, numpy only, about 0.1 s for
a minute of audio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 11_025
HOP = 128  # 11.6 ms
WINDOW = 1024


@dataclass(frozen=True)
class BeatGrid:
    """Beats at offset + k * period seconds (k = 0, 1, ...)."""

    bpm: float
    offset: float = 0.0
    confidence: float = 1.0

    @property
    def period(self) -> float:
        return 60.0 / self.bpm

    def beats(self, until: float) -> list[float]:
        out = []
        t = self.offset % self.period
        while t <= until + 1e-9:
            out.append(t)
            t += self.period
        return out

    def nearest(self, t: float) -> float:
        # Ties go up, never to the even beat (as `round` does): the same cut then lands on
        # the same beat of a scene wherever the scene starts, so moved scenes keep their
        # frames (and their cached segments).
        k = math.floor((t - self.offset) / self.period + 0.5 + 1e-9)
        return self.offset + k * self.period

    def next_at_or_after(self, t: float) -> float:
        k = int(np.ceil((t - self.offset) / self.period - 1e-9))
        return self.offset + k * self.period


def onset_envelope(samples: np.ndarray) -> np.ndarray:
    """Spectral flux per hop: how much new energy each 11.6 ms brings."""
    if samples.size < WINDOW * 2:
        return np.zeros(0)
    n = 1 + (samples.size - WINDOW) // HOP
    idx = np.arange(WINDOW)[None, :] + HOP * np.arange(n)[:, None]
    frames = samples[idx] * np.hanning(WINDOW)[None, :]
    mag = np.log1p(100 * np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(0.0, np.diff(mag, axis=0)).sum(axis=1)
    flux -= np.convolve(flux, np.ones(32) / 32, mode="same")  # remove the slow trend
    return np.maximum(flux, 0.0)


def detect(samples: np.ndarray, rate: int = RATE) -> BeatGrid | None:
    """The beat grid of mono samples at `rate`, or None when there is no clear pulse."""
    env = onset_envelope(samples.astype(np.float64))
    if env.size < 200 or not env.any():
        return None
    fps = rate / HOP
    env = env - env.mean()
    ac = np.correlate(env, env, mode="full")[env.size - 1 :]
    ac /= ac[0] or 1.0
    lags = np.arange(ac.size)
    bpm = 60 * fps / np.maximum(lags, 1)
    ok = (bpm >= 60) & (bpm <= 180)
    # A gentle log-normal preference for ~110 BPM, so half/double tempos lose.
    prior = np.exp(-0.5 * (np.log2(np.maximum(bpm, 1) / 110) / 0.9) ** 2)
    score = np.where(ok, ac * prior, -np.inf)
    lag = int(np.argmax(score))
    if not np.isfinite(score[lag]) or ac[lag] < 0.05:
        return None
    # Refine the lag to a fraction of a hop with a parabola through the peak.
    if 0 < lag < ac.size - 1:
        a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
        denom = a - 2 * b + c
        frac = 0.5 * (a - c) / denom if denom else 0.0
    else:
        frac = 0.0
    period = lag + float(np.clip(frac, -0.5, 0.5))
    # Refine over the whole file: the period whose comb collects the most onset energy.
    best = (-np.inf, period, 0.0)
    for p in np.linspace(period - 0.6, period + 0.6, 25):
        for phase in np.arange(0.0, p, 0.5):
            pos = np.arange(phase, env.size - 1, p)
            i = pos.astype(int)
            frac_pos = pos - i
            value = float(np.sum(env[i] * (1 - frac_pos) + env[i + 1] * frac_pos)) / pos.size
            if value > best[0]:
                best = (value, p, phase)
    _, period, phase = best
    # Envelope index k answers for the audio about 1.65 hops later (the window's centre
    # after the difference; measured on click tracks to within 5 ms).
    offset = (phase + 1.65) * HOP / rate
    tempo = 60 * fps / period
    return BeatGrid(
        round(float(tempo), 2), round(float(offset % (60 / tempo)), 4), round(float(ac[lag]), 3)
    )


def detect_file(path: Path, seconds: float = 60.0) -> BeatGrid | None:
    """The beat grid of an audio file (its first minute), decoded with the bundled ffmpeg."""
    from outreach import ffmpeg

    data = ffmpeg.decode_pcm(path, RATE, seconds)
    return detect(np.frombuffer(data, dtype="<f4"), RATE)
