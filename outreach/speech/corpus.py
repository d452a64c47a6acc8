"""Test recordings with known word times, made here: no recordings or models to download.

A recording is a text spoken by an espeak-ng voice (another dialect, a variant, another
speed and pitch than the one alignment uses), sentence by sentence with pauses of varied
length, then optionally put in a room (a synthetic impulse response) and under noise.
The true start of every word is libespeak-ng's own word event, shifted by where its
sentence was placed. `bench/align.py` and the tests measure alignment against these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from outreach.speech import engine
from outreach.speech.align import Token, token_samples, tokens


@dataclass(frozen=True)
class Condition:
    """How a recording differs from the alignment voice."""

    voice: str  # espeak-ng voice name, with a variant: "vi-vn-x-south+f3"
    rate: int = 175
    pitch: int = 50
    range: int = 50
    pause: tuple[float, float] = (0.15, 0.5)  # extra seconds between sentences, min..max
    lead: float = 0.5  # silence before the first word
    tail: float = 0.6
    rt60: float = 0.0  # room reverberation time (0: dry)
    snr_db: float | None = None  # noise level under the speech (None: none)
    noise: str = "pink"  # pink | white | hum

    @property
    def label(self) -> str:
        parts = [self.voice, f"{self.rate}wpm", f"p{self.pitch}"]
        if self.rt60:
            parts.append(f"rt60={self.rt60:g}s")
        if self.snr_db is not None:
            parts.append(f"{self.noise}@{self.snr_db:g}dB")
        return " ".join(parts)


@dataclass(frozen=True)
class Recording:
    text: str
    lang: str
    condition: Condition
    samples: np.ndarray
    rate: int
    truth: tuple[float | None, ...]  # start of each token in seconds (None: not spoken)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


def speak(text: str, lang: str, cond: Condition, seed: int = 0) -> Recording:
    """Speak `text` under `cond`; the truth is espeak-ng's word positions."""
    rng = np.random.default_rng(seed)
    voice = engine.Voice(cond.voice, cond.rate, cond.pitch, cond.range)
    toks = tokens(text)
    truth: list[float | None] = [None] * len(toks)
    pieces: list[np.ndarray] = []
    rate = 22_050
    cursor = 0
    pos = 0
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    for k, sentence in enumerate(sentences):
        at = text.index(sentence, pos)
        pos = at + len(sentence)
        speech = engine.synthesize(sentence, voice)
        rate = speech.rate
        gap = cond.lead if k == 0 else rng.uniform(*cond.pause)
        pieces.append(np.zeros(int(gap * rate), dtype=np.float32))
        cursor += int(gap * rate)
        local = [Token(t.text, t.start - at, t.end - at) for t in toks if at <= t.start < pos]
        first = next(i for i, t in enumerate(toks) if t.start >= at)
        for j, sample in enumerate(token_samples(local, speech)):
            if sample is not None:
                truth[first + j] = (cursor + sample) / rate
        pieces.append(speech.samples)
        cursor += len(speech.samples)
    pieces.append(np.zeros(int(cond.tail * rate), dtype=np.float32))
    dry = np.concatenate(pieces)
    wet = room(dry, rate, cond.rt60, rng) if cond.rt60 > 0 else dry
    if cond.snr_db is not None:
        wet = add_noise(wet, rate, cond.snr_db, cond.noise, rng)
    peak = float(np.max(np.abs(wet))) or 1.0
    return Recording(text, lang, cond, (wet * (0.7 / peak)).astype(np.float32), rate, tuple(truth))


def room(x: np.ndarray, rate: int, rt60: float, rng: np.random.Generator) -> np.ndarray:
    """Convolve with a synthetic room: direct sound, a few early reflections, and a tail
    of noise decaying by 60 dB over `rt60` seconds."""
    n = int(rate * rt60 * 1.2)
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * 10 ** (-3 * t / rt60)
    tail[: int(0.005 * rate)] = 0.0
    ir = 0.35 * tail / np.sqrt(np.sum(tail**2))
    ir[0] = 1.0
    for delay in rng.uniform(0.004, 0.03, 4):
        ir[int(delay * rate)] += rng.uniform(0.2, 0.5) * rng.choice([-1, 1])
    size = 1 << (len(x) + n - 1).bit_length()
    wet = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[: len(x) + n]
    return wet[: len(x) + int(0.3 * rate)].astype(np.float32)


def add_noise(
    x: np.ndarray, rate: int, snr_db: float, kind: str, rng: np.random.Generator
) -> np.ndarray:
    """Noise `snr_db` below the speech (speech power measured where it is loud)."""
    n = len(x)
    if kind == "hum":
        t = np.arange(n) / rate
        noise = sum(np.sin(2 * np.pi * 50 * h * t) / h for h in (1, 2, 3, 5))
        noise = noise + 0.3 * rng.standard_normal(n)
    else:
        white = rng.standard_normal(n)
        if kind == "pink":
            spec = np.fft.rfft(white)
            f = np.maximum(np.fft.rfftfreq(n, 1 / rate), 20.0)
            noise = np.fft.irfft(spec / np.sqrt(f), n)
        else:
            noise = white
    frame = int(0.02 * rate)
    powers = np.array([np.mean(x[i : i + frame] ** 2) for i in range(0, n - frame, frame)])
    speech_power = float(np.mean(powers[powers > 0.1 * powers.max()])) if len(powers) else 1.0
    noise = noise * np.sqrt(speech_power / (np.mean(noise**2) * 10 ** (snr_db / 10)))
    return (x + noise).astype(np.float32)


#: Texts like the ones stories carry: numbers, names, abbreviations, dashes.
TEXTS: dict[str, tuple[str, ...]] = {
    "vi": (
        "AgriLink ra đời ở Cao Lãnh với một ý tưởng giản dị: giúp nông dân ghi nhật ký canh tác ngay trên điện thoại.",
        "Mỗi lô sen, xoài, lúa đều có mã truy xuất nguồn gốc — câu hỏi đầu tiên của những nhà nhập khẩu khó tính.",
        "Sau Singapore và Hàn Quốc, nhóm đưa ứng dụng đến Tokyo, làm việc cùng các nhà phân phối nông sản Nhật Bản.",
        "Tốt nghiệp ngành điện tử, Thư trở thành kỹ sư kiểm thử tại một nhà máy đóng gói chip ở Bắc Ninh.",
        "Kinh tế mở: giao thương với 230 quốc gia và vùng lãnh thổ, 17 FTA đang thực thi.",
        "Với người trẻ: thêm cơ hội học tập, làm việc, khởi nghiệp trên thế giới. Đi cùng là yêu cầu về ngoại ngữ và kỹ năng số.",
    ),
    "en": (
        "Hân grew up in Đà Nẵng, where basket boats line the beach and every storm season is a lesson in resilience.",
        "She joined her university's Model UN club and spent months on climate policy, public speaking and English.",
        "Since 1986, GDP has grown nearly 100-fold. Income per head rose from under US$100 to nearly US$5,000.",
        "The Government's action programme sets out 117 tasks to put it into practice.",
    ),
}

#: Voices and conditions the recordings are made with; none is the alignment voice as is.
CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "vi": (
        Condition("vi-vn-x-south+f3", 150, 60),
        Condition("vi-vn-x-central+m3", 200, 40, rt60=0.4),
        Condition("vi+f2", 130, 70, snr_db=15),
        Condition("vi-vn-x-south+klatt", 230, 50, rt60=0.3, snr_db=20),
        Condition("vi+m7", 160, 35, pause=(0.4, 1.0), snr_db=18, noise="hum"),
        Condition("vi-vn-x-central+f4", 110, 55, rt60=0.6, snr_db=25, noise="white"),
    ),
    "en": (
        Condition("en+f3", 150, 60),
        Condition("en-gb-scotland+m3", 200, 45, rt60=0.4, snr_db=20),
        Condition("en-us+f2", 130, 65, snr_db=15, noise="white"),
        Condition("en-gb-x-rp+klatt", 230, 50, rt60=0.3),
    ),
}


#: For held-out measurements: dialects and variants that CONDITIONS does not use.
UNSEEN_VOICES: dict[str, tuple[str, ...]] = {
    "vi": ("vi", "vi-vn-x-central", "vi-vn-x-south"),
    "en": ("en-029", "en-us-nyc", "en-gb-x-gbclan", "en"),
}
UNSEEN_VARIANTS = (
    "m1",
    "m2",
    "m4",
    "f1",
    "f4",
    "f5",
    "Andy",
    "iven2",
    "klatt3",
    "croak",
    "Nguyen",
    "steph",
)


def unseen_conditions(lang: str, count: int, seed: int = 7) -> list[Condition]:
    """`count` random conditions from voices, variants, speeds and rooms outside CONDITIONS."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        voice = f"{rng.choice(UNSEEN_VOICES[lang])}+{rng.choice(UNSEEN_VARIANTS)}"
        rt60 = float(rng.choice([0.0, 0.0, 0.25, 0.5, 0.8]))
        snr = (None, 30.0, 20.0, 12.0)[int(rng.integers(0, 4))]
        out.append(
            Condition(
                voice,
                int(rng.integers(100, 280)),
                int(rng.integers(20, 90)),
                int(rng.integers(20, 90)),
                pause=(float(rng.uniform(0.05, 0.3)), float(rng.uniform(0.4, 1.2))),
                lead=float(rng.uniform(0.1, 1.0)),
                tail=float(rng.uniform(0.2, 1.0)),
                rt60=rt60,
                snr_db=None if snr is None else float(snr),
                noise=str(rng.choice(["pink", "white", "hum"])),
            )
        )
    return out


def make_unseen(per_lang: int, seed: int = 7) -> list[Recording]:
    """Held-out recordings: every text cycled under unseen conditions."""
    out: list[Recording] = []
    for lang, texts in TEXTS.items():
        for k, cond in enumerate(unseen_conditions(lang, per_lang, seed)):
            out.append(speak(texts[k % len(texts)], lang, cond, seed + k))
    return out


def make_set(per_lang: int | None = None, seed: int = 1) -> list[Recording]:
    """Every text under every condition (or the first `per_lang` pairs, cycling)."""
    out: list[Recording] = []
    for lang, texts in TEXTS.items():
        conds = CONDITIONS[lang]
        pairs = [(t, c) for c in conds for t in texts]
        if per_lang is not None:
            pairs = [(texts[i % len(texts)], conds[i % len(conds)]) for i in range(per_lang)]
        for k, (text, cond) in enumerate(pairs):
            out.append(speak(text, lang, cond, seed + k))
    return out


def start_errors(rec: Recording, starts: list[float]) -> list[float]:
    """|estimated - true| start of every token that has a true time."""
    return [abs(s - t) for s, t in zip(starts, rec.truth, strict=True) if t is not None]
