"""Acoustic features for alignment: log-mel energies, MFCCs and a speech/silence mask.

Numpy only, and no BLAS calls (einsum instead of `@`): a threaded BLAS spins its threads
after every call, which on a busy two-core machine made alignment 2-10x slower. Frames are 25 ms windows every 10 ms, centred (frame i is at i * HOP seconds),
so the same frame index means the same time in every signal.

Robustness choices: the first cepstral coefficient (loudness) is dropped and the rest are
normalised per recording (mean and variance), so gain, microphone colour and speaker
differences weigh less; a noise floor taken from the recording's quietest frames is added
to the *reference* spectrum before its logarithm, so digital silence in the synthetic
voice looks like the room tone of the real one.
"""

from __future__ import annotations

import functools

import numpy as np

HOP = 0.010  # seconds between frames
WIN = 0.025  # window length
N_MELS = 40
N_MFCC = 13
F_MIN, F_MAX = 80.0, 7600.0


def frame_count(n_samples: int, rate: int) -> int:
    return max(1, int(np.ceil(n_samples / (HOP * rate))))


@functools.cache
def _mel_bank(rate: int, n_fft: int) -> np.ndarray:
    """Triangular filters (n_mels, n_fft // 2 + 1), equal area, on the HTK mel scale."""

    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    top = min(F_MAX, rate / 2)
    edges = hz(np.linspace(mel(np.array(F_MIN)), mel(np.array(top)), N_MELS + 2))
    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    bank = np.zeros((N_MELS, len(freqs)))
    for m in range(N_MELS):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        up = (freqs - lo) / (mid - lo)
        down = (hi - freqs) / (hi - mid)
        bank[m] = np.maximum(0.0, np.minimum(up, down)) * (2.0 / (hi - lo))
    return bank


@functools.cache
def _dct(n_in: int, n_out: int) -> np.ndarray:
    """Orthonormal DCT-II matrix (n_in, n_out)."""
    k = np.arange(n_out)[None, :]
    n = np.arange(n_in)[:, None]
    m = np.cos(np.pi * k * (2 * n + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)
    m[:, 0] /= np.sqrt(2.0)
    return m


def mel_power(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mel-band power per frame, shape (frames, N_MELS)."""
    hop = HOP * rate
    win = int(round(WIN * rate))
    n_fft = 1 << (win - 1).bit_length()
    n = frame_count(len(samples), rate)
    x = np.asarray(samples, dtype=np.float32)
    # pre-emphasis flattens the speech spectrum, so high bands (consonants) count too
    x = np.append(x[:1], x[1:] - 0.97 * x[:-1])
    pad = win // 2
    x = np.pad(x, (pad, win + int(hop) + 1))
    starts = np.round(np.arange(n) * hop).astype(np.int64)
    idx = starts[:, None] + np.arange(win)[None, :]
    frames = x[idx] * np.hanning(win).astype(np.float32)
    spec = np.abs(np.fft.rfft(frames, n_fft, axis=1)) ** 2
    return np.einsum("fb,mb->fm", spec, _mel_bank(rate, n_fft))


def noise_floor(power: np.ndarray) -> np.ndarray:
    """Per-band room tone: the median of the quietest tenth of frames (by total energy)."""
    total = power.sum(axis=1)
    quiet = power[total <= np.quantile(total, 0.1)]
    return np.median(quiet, axis=0) if len(quiet) else np.zeros(power.shape[1])


def log_mel(power: np.ndarray, floor: np.ndarray | None = None) -> np.ndarray:
    """Log mel energies; `floor` (per band) is added first, and never less than -80 dB of the peak."""
    p = power if floor is None else power + floor[None, :]
    eps = max(float(p.max()) * 1e-8, 1e-12)
    return np.log(p + eps)


def mfcc(logmel: np.ndarray) -> np.ndarray:
    """Cepstra 1..N_MFCC-1 (c0, the loudness, is left out)."""
    return np.einsum("fm,mc->fc", logmel, _dct(logmel.shape[1], N_MFCC)[:, 1:])


def deltas(feat: np.ndarray, width: int = 2) -> np.ndarray:
    """Regression slope over +-width frames: how the spectrum moves."""
    padded = np.pad(feat, ((width, width), (0, 0)), mode="edge")
    n = len(feat)
    num = sum(
        k * (padded[width + k : width + k + n] - padded[width - k : width - k + n])
        for k in range(1, width + 1)
    )
    return num / (2 * sum(k * k for k in range(1, width + 1)))


def normalise(feat: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Zero mean, unit variance per coefficient; statistics from `weight`ed frames (speech)."""
    if weight is None or weight.sum() < 5:
        weight = np.ones(len(feat))
    w = weight[:, None] / weight.sum()
    mean = (feat * w).sum(axis=0)
    std = np.sqrt(((feat - mean) ** 2 * w).sum(axis=0)) + 1e-6
    return (feat - mean) / std


def level_db(power: np.ndarray) -> np.ndarray:
    """Frame loudness in dB (total mel power)."""
    return 10.0 * np.log10(power.sum(axis=1) + 1e-12)


def speech_mask(db: np.ndarray, min_speech: int = 3, min_gap: int = 8) -> np.ndarray:
    """Frames that carry speech: louder than the room tone by a margin set from the
    recording's own range (so noise and echo move the threshold), without blips."""
    floor = float(np.quantile(db, 0.1))
    peak = float(np.quantile(db, 0.95))
    threshold = max(floor + max(6.0, 0.35 * (peak - floor)), peak - 40.0)
    mask = db > threshold
    mask = _close_gaps(mask, min_gap)
    return _drop_short(mask, min_speech)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) frame ranges where `mask` is true."""
    m = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(m[1:] != m[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _close_gaps(mask: np.ndarray, min_gap: int) -> np.ndarray:
    out = mask.copy()
    spans = runs(mask)
    for (_, b), (c, _) in zip(spans, spans[1:], strict=False):
        if c - b < min_gap:
            out[b:c] = True
    return out


def _drop_short(mask: np.ndarray, min_len: int) -> np.ndarray:
    out = mask.copy()
    for a, b in runs(mask):
        if b - a < min_len:
            out[a:b] = False
    return out
