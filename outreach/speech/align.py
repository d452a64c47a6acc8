"""Forced alignment: when each word of a beat's text is spoken in its narration.

The text is spoken by espeak-ng in the story's language (the *reference*, whose word
positions libespeak-ng reports), both signals become normalised MFCC frames, and dynamic
time warping (`dtw.warp`, inside a Sakoe-Chiba band) maps every reference frame to the
recording. A word starts where its first reference frame lands and ends where its last
sound lands (not the pause after it). The northern, southern and central Vietnamese
voices are all tried; the one that fits best is used.

Confidence compares the fit with a null model: the same reference with its words in a
shuffled order. A recording of this text fits its true order clearly better; a recording
of another text (a wrong file, another language, music) fits both about equally. An
alignment whose confidence is low is `unsure`: callers fall back to reading-speed timing
and say so, naming the beat.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from outreach.speech import dtw, engine
from outreach.speech import features as F

#: Below this confidence an alignment is not trusted.
MIN_CONFIDENCE = 0.35
#: A gap between words at least this long is a pause (cues may break there).
MIN_PAUSE = 0.25
#: The quietest sound that counts, in dB under the recording's speech level.
FLOOR_DB = 45.0
#: A word whose frames fit this much better (relatively) than the null model's is certain.
CONFIDENT_GAIN = 0.3
#: How many shuffled orders of the text the null model averages.
NULL_SHUFFLES = 3
#: The Sakoe-Chiba band: this share of the longer signal either side of the diagonal,
#: never less than MIN_RADIUS seconds (pauses of another length shift the path) nor
#: more than MAX_RADIUS (a minute of narration stays cheap).
BAND = 0.2
MIN_RADIUS = 1.0
MAX_RADIUS = 6.0
#: Speech this much shorter or longer than the reference's cannot be the same text.
MIN_RATIO, MAX_RATIO = 0.3, 3.5


@dataclass(frozen=True)
class Token:
    """A whitespace-separated word of the text, with its character span."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class WordTime:
    text: str
    start: float  # seconds from the start of the recording
    end: float
    confidence: float  # 0 (a guess) .. 1 (a clear match)


@dataclass(frozen=True)
class Alignment:
    words: tuple[WordTime, ...]
    confidence: float
    duration: float  # of the recording
    speech: tuple[float, float]  # first and last speech, seconds
    pauses: tuple[tuple[float, float], ...] = ()
    problem: str = ""  # why it is unsure, in plain words

    @property
    def unsure(self) -> bool:
        return bool(self.problem)


def tokens(text: str) -> list[Token]:
    """The words captions count: runs of non-space characters."""
    return [Token(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def token_samples(toks: list[Token], speech: engine.Speech) -> list[int | None]:
    """The sample where espeak-ng started each token (None: it said nothing for it,
    e.g. a dash or an emoji). A token spoken as several words ("24", "Tokyo") takes
    its first event."""
    out: list[int | None] = [None] * len(toks)
    k = 0
    for ev in speech.words:
        while k < len(toks) and toks[k].end <= ev.char_start:
            k += 1
        if k == len(toks):
            break
        if toks[k].start <= ev.char_start < toks[k].end and out[k] is None:
            out[k] = ev.sample
    return out


#: Reference voices per language: the recording is aligned with each, the best fit wins
#: (a southern narrator matches the southern voice better than the northern one).
ALIGN_VOICES: dict[str, tuple[str, ...]] = {
    "vi": ("vi", "vi-vn-x-south", "vi-vn-x-central"),
    "en": ("en-us", "en"),
}


@dataclass
class _Signal:
    """One signal's features over its speech span [lo, hi) (frames)."""

    feat: np.ndarray
    speech: np.ndarray  # bool per frame of the span
    lo: int
    hi: int


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)


def _signal(power: np.ndarray, floor: np.ndarray, speech: np.ndarray) -> _Signal:
    """Unit feature vectors: MFCCs and their deltas, normalised over the speech frames."""
    cep = F.mfcc(F.log_mel(power, floor))
    feat = _unit_rows(F.normalise(np.hstack([cep, F.deltas(cep)]), speech.astype(float)))
    lo, hi = _speech_span(speech)
    return _Signal(feat[lo:hi], speech[lo:hi], lo, hi)


@dataclass
class _Fit:
    voice: str
    ref: _Signal
    starts: list[int | None]  # token start frames in the reference span
    path: dtw.Path
    nulls: list[dtw.Path]

    @property
    def confidence(self) -> float:
        return _confidence(self.path.cost, np.concatenate([q.cost for q in self.nulls]))


def _fit(
    text: str, toks: list[Token], voice: str, rec: _Signal, rec_power: np.ndarray, level: float
) -> _Fit | None:
    """Speak the text with `voice` and warp it, and its null model, onto the recording."""
    speech = engine.synthesize(speakable(text), voice)
    power = F.mel_power(speech.samples, speech.rate)
    mask = F.speech_mask(F.level_db(power))
    if not mask.any():
        return None
    # The reference at the recording's loudness, over the recording's room tone; both
    # over a common floor FLOOR_DB under the speech, so quiet breaths match silence.
    gain = level / max(1e-12, float(np.median(power.sum(axis=1)[mask])))
    ref = _signal(power * gain, _least(level, power.shape[1]) + F.noise_floor(rec_power), mask)
    n, m = len(ref.feat), len(rec.feat)
    if not MIN_RATIO <= m / max(1, n) <= MAX_RATIO:
        return None
    starts = [
        None if s is None else min(n - 1, max(0, round(s / speech.rate / F.HOP) - ref.lo))
        for s in token_samples(toks, speech)
    ]
    shuffles = [_shuffled(ref.feat, starts, seed) for seed in range(NULL_SHUFFLES)]
    radius = int(min(MAX_RADIUS / F.HOP, max(MIN_RADIUS / F.HOP, BAND * max(n, m))))
    # The fit and its null model's shuffles share one batched warp.
    path, *nulls = dtw.warp_many(np.stack([ref.feat, *shuffles]), rec.feat, radius)
    return _Fit(voice, ref, starts, path, nulls)


def speakable(text: str) -> str:
    """The text as the reference voice should say it: emoji and other symbols (which
    espeak-ng would name aloud, a narrator would not) become spaces, keeping positions."""
    return "".join(
        " " if unicodedata.category(ch) in ("So", "Sk", "Cs", "Co") else ch for ch in text
    )


def _least(level: float, bands: int) -> np.ndarray:
    return np.full(bands, level * 10 ** (-FLOOR_DB / 10) / bands)


def align(
    text: str,
    samples: np.ndarray,
    rate: int,
    lang: str = "vi",
    voices: tuple[str, ...] | None = None,
) -> Alignment:
    """Word times of `text` in the mono recording `samples` (float, any rate >= 16 kHz).

    Raises engine.EngineMissing when espeak-ng is not available.
    """
    toks = tokens(text)
    duration = len(samples) / rate
    rec_power = F.mel_power(samples, rate)
    rec_mask = F.speech_mask(F.level_db(rec_power))
    if not rec_mask.any() or not toks:
        return Alignment((), 0.0, duration, (0.0, duration), (), "no speech was found in it")
    level = float(np.median(rec_power.sum(axis=1)[rec_mask]))
    rec = _signal(rec_power, _least(level, rec_power.shape[1]), rec_mask)
    span = (_t(0, rec), _t(len(rec.feat), rec))
    fits = [
        f
        for v in voices or ALIGN_VOICES.get(lang, (engine.voice_for(lang),))
        if (f := _fit(text, toks, v, rec, rec_power, level)) is not None
    ]
    if not fits:
        return Alignment(
            (), 0.0, duration, span, (), "its speech is far longer or shorter than the text"
        )
    # The voice whose reading fits clearly best (not merely with the lowest cost: a
    # dialect that fits the recording stands out from its own shuffled words).
    best = max(fits, key=lambda f: f.confidence)
    path, n = best.path, len(best.ref.feat)
    null_cost = np.mean([q.rec_cost() for q in best.nulls], axis=0)
    fit_cost = path.rec_cost()

    first, last = path.first, path.last
    known = [i for i, f in enumerate(best.starts) if f is not None]
    spans: dict[int, tuple[int, int]] = {}
    for idx, i in enumerate(known):
        f0 = best.starts[i]
        assert f0 is not None
        nxt = best.starts[known[idx + 1]] if idx + 1 < len(known) else n
        assert nxt is not None
        voiced = np.flatnonzero(best.ref.speech[f0 : max(f0 + 1, nxt)])
        lead = int(voiced[0]) if len(voiced) else 0
        tail = int(voiced[-1]) if len(voiced) else 0
        # Silent frames are all alike, so a long pause in the recording may be matched
        # to the silence a word starts with (a stop's closure, the reference's own
        # pause). The word's first sound is placed reliably: its start is that, less
        # the reference's own lead-in. It ends with its last sound, not the pause after.
        start = max(int(first[f0]), int(first[f0 + lead]) - lead)
        spans[i] = (start, int(last[f0 + tail]) + 1)
    words: list[WordTime] = []
    prev_end = 0
    starts_sorted = [spans[i][0] for i in known]
    for i, tok in enumerate(toks):
        if i not in spans:  # not spoken (punctuation, emoji): zero length after the last word
            words.append(WordTime(tok.text, _t(prev_end, rec), _t(prev_end, rec), 0.0))
            continue
        a, b = spans[i]
        later = [s for s in starts_sorted if s > a]
        b = max(a + 1, min(b, later[0]) if later else b)  # a word ends before the next
        conf = _confidence(fit_cost[a:b], null_cost[a:b])
        words.append(WordTime(tok.text, _t(a, rec), _t(b, rec), round(conf, 3)))
        prev_end = b
    spoken = [w for w in words if w.end > w.start]
    pauses = tuple(
        (w.end, nxt.start)
        for w, nxt in zip(spoken, spoken[1:], strict=False)
        if nxt.start - w.end >= MIN_PAUSE
    )
    confidence = best.confidence
    problem = ""
    if confidence < MIN_CONFIDENCE:
        problem = (
            f"the recording matches the text poorly (confidence {confidence:.2f}); "
            "check that it speaks this beat's text"
        )
    return Alignment(tuple(words), round(confidence, 3), duration, span, pauses, problem)


def _shuffled(feat: np.ndarray, starts: list[int | None], seed: int) -> np.ndarray:
    """The null model: the reference's own words in a shuffled order (0.2 s pieces for a
    short text). A recording of *this* text fits the reference clearly better than
    that; a recording of another text fits both about as well."""
    n = len(feat)
    cuts = sorted({0, n, *(s for s in starts if s is not None)})
    if len(cuts) < 5:
        cuts = [*range(0, n, int(0.2 / F.HOP)), n]
    pieces = [feat[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    order = np.random.default_rng(len(pieces) + 1000 * seed).permutation(len(pieces))
    if len(pieces) > 1 and (order == np.arange(len(pieces))).all():
        order = np.roll(order, 1)
    return np.concatenate([pieces[k] for k in order])


def _t(frame: int, rec: _Signal) -> float:
    return round((frame + rec.lo) * F.HOP, 3)


def _confidence(fit: np.ndarray, null: np.ndarray) -> float:
    """1 when the word fits far better than the null model, 0 when no better."""
    if not len(fit):
        return 0.0
    gain = 1.0 - float(fit.mean()) / max(1e-6, float(null.mean()))
    return float(np.clip(gain / CONFIDENT_GAIN, 0.0, 1.0))


def _speech_span(mask: np.ndarray, margin: int = 2) -> tuple[int, int]:
    idx = np.flatnonzero(mask)
    if not len(idx):
        return 0, len(mask)
    return max(0, int(idx[0]) - margin), min(len(mask), int(idx[-1]) + 1 + margin)


def align_file(text: str, path: Path, lang: str = "vi") -> Alignment:
    """Decode a narration file (any format ffmpeg reads) and align `text` to it."""
    from outreach import ffmpeg

    rate = 22_050
    pcm = ffmpeg.decode_pcm(path, rate)
    samples = np.frombuffer(pcm, dtype="<f4")
    return align(text, samples, rate, lang)
