"""The draft voice: espeak-ng reads a beat aloud so a video can be timed and reviewed
before the real narration is recorded.

Word times come straight from libespeak-ng's word events (no alignment needed); each
word ends with its last sound, found from the audio itself. The audio is written as a
16-bit mono WAV, which the soundtrack mixer treats like any narration file.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np

from outreach.speech import engine
from outreach.speech import features as F
from outreach.speech.align import WordTime, speakable, token_samples, tokens

#: Silence added before and after the words, so they do not start on the cut.
LEAD = 0.15
TAIL = 0.25


@dataclass(frozen=True)
class DraftVoice:
    samples: np.ndarray  # mono float32
    rate: int
    words: tuple[WordTime, ...]  # seconds from the start of `samples`
    voice: str

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def wav(self) -> bytes:
        return wav_bytes(self.samples, self.rate)


def speak(text: str, lang: str) -> DraftVoice:
    """`text` spoken in `lang` by its espeak-ng voice, with each word's start and end.

    Raises engine.EngineMissing when espeak-ng is not available.
    """
    name = engine.voice_for(lang)
    speech = engine.synthesize(speakable(text), name)
    rate = speech.rate
    lead, tail = int(LEAD * rate), int(TAIL * rate)
    samples = np.concatenate(
        [np.zeros(lead, np.float32), speech.samples, np.zeros(tail, np.float32)]
    )
    toks = tokens(text)
    starts = token_samples(toks, speech)
    mask = F.speech_mask(F.level_db(F.mel_power(speech.samples, rate)))
    n_frames = len(mask)
    known = [s for s in starts if s is not None]
    words: list[WordTime] = []
    prev_end = 0.0
    for tok, s in zip(toks, starts, strict=True):
        if s is None:  # nothing was said for it (a dash, an emoji)
            words.append(WordTime(tok.text, prev_end, prev_end, 1.0))
            continue
        later = [k for k in known if k > s]
        stop = later[0] if later else len(speech.samples)
        f0, f1 = int(s / rate / F.HOP), min(n_frames, max(int(stop / rate / F.HOP), 1))
        sound = np.flatnonzero(mask[f0:f1])
        end = (f0 + int(sound[-1]) + 1) * F.HOP if len(sound) else stop / rate
        start = (s + lead) / rate
        end = max(start + F.HOP, min(end + LEAD, (stop + lead) / rate))
        words.append(WordTime(tok.text, round(start, 3), round(end, 3), 1.0))
        prev_end = round(end, 3)
    return DraftVoice(samples, rate, tuple(words), name)


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit PCM mono WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()
