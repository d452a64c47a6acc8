"""libespeak-ng through ctypes: speech samples and the audio position of every word.

The library and its voice data come from the `espeakng-loader` wheel (a dependency, so the
README's pip command installs them); Debian's `libespeak-ng1` is used when the wheel is
absent. `OUTREACH_ESPEAK_LIB` (and `OUTREACH_ESPEAK_DATA`) name another build explicitly.

libespeak-ng keeps one global state per process and is not re-entrant, so every call goes
through one lock; worker processes each load their own copy.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: The voices a story's language is spoken and aligned with (espeak-ng voice names).
LANG_VOICES: dict[str, str] = {"vi": "vi", "en": "en-us"}

# speak_lib.h
_OUTPUT_SYNCHRONOUS = 2
_INIT_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_SENTENCE = 2
_EVENT_END = 5
_EVENT_MSG_TERMINATED = 6
_RATE, _VOLUME, _PITCH, _RANGE, _WORDGAP = 1, 2, 3, 4, 7


class EngineMissing(RuntimeError):
    """No usable libespeak-ng: `message` says what is wrong, `hint` what to do."""

    def __init__(self, message: str, hint: str):
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}")


INSTALL_HINT = (
    "install the project again (`python3 -m pip install -e .` brings espeakng-loader) "
    "or Debian's `apt-get install espeak-ng`"
)


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),  # a union of int / const char* / char[8]
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class WordEvent:
    """One word as espeak-ng spoke it: character span in the text, sample where it starts."""

    char_start: int  # 0-based index into the text (characters, not bytes)
    char_len: int
    sample: int


@dataclass(frozen=True)
class Speech:
    """Synthesised audio (mono float32 in [-1, 1]) and its word events."""

    samples: np.ndarray
    rate: int
    words: tuple[WordEvent, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


@dataclass(frozen=True)
class Voice:
    """How to speak: an espeak-ng voice name (`vi`, `vi-vn-x-south+f3`...) and its controls."""

    name: str
    rate: int = 175  # words per minute (espeak-ng's default)
    pitch: int = 50  # 0-100
    range: int = 50  # pitch range, 0-100
    wordgap: int = 0  # extra pause between words, in 10 ms units


def _candidates() -> list[tuple[str, str | None]]:
    """(library, data folder) pairs to try, the project's own first."""
    lib = os.environ.get("OUTREACH_ESPEAK_LIB")
    if lib:  # an explicit choice: only that one
        return [(lib, os.environ.get("OUTREACH_ESPEAK_DATA") or None)]
    found: list[tuple[str, str | None]] = []
    try:
        import espeakng_loader

        found.append((espeakng_loader.get_library_path(), espeakng_loader.get_data_path()))
    except (ImportError, RuntimeError):
        pass
    system = ctypes.util.find_library("espeak-ng")
    for name in (system, "libespeak-ng.so.1"):
        if name:
            found.append((name, None))
    return found


class _Engine:
    def __init__(self, lib: ctypes.CDLL, path: str, data: str | None, rate: int):
        self.lib = lib
        self.path = path
        self.data = data
        self.rate = rate
        self.voice: Voice | None = None
        self.version = ""
        self._samples: list[bytes] = []
        self._words: list[tuple[int, int, int]] = []
        self._seed = getattr(lib, "espeak_ng_SetRandSeed", None)  # from 1.52 on
        if self._seed is not None:
            self._seed.argtypes = [ctypes.c_long]
            self._seed.restype = None
        self._callback = _CALLBACK(self._on_audio)  # kept alive as long as the engine
        lib.espeak_SetSynthCallback(self._callback)
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        raw = lib.espeak_Info(None)
        self.version = raw.decode() if raw else ""

    def _on_audio(self, wav: ctypes._Pointer, n: int, events: ctypes._Pointer) -> int:
        if n > 0 and wav:
            self._samples.append(ctypes.string_at(wav, n * 2))
        i = 0
        while True:
            ev = events[i]
            if ev.type == _EVENT_LIST_TERMINATED:
                break
            if ev.type == _EVENT_WORD:
                self._words.append((ev.text_position, ev.length, ev.audio_position))
            i += 1
        return 0

    def set_voice(self, voice: Voice) -> None:
        if voice == self.voice:
            return
        err = self.lib.espeak_SetVoiceByName(voice.name.encode())
        if err != 0:
            self.voice = None
            raise EngineMissing(
                f"espeak-ng has no voice `{voice.name}`",
                "use a voice `espeak-ng --voices` lists, e.g. vi, vi-vn-x-south, en-us",
            )
        for param, value in (
            (_RATE, voice.rate),
            (_PITCH, voice.pitch),
            (_RANGE, voice.range),
            (_WORDGAP, voice.wordgap),
            (_VOLUME, 100),
        ):
            self.lib.espeak_SetParameter(param, value, 0)
        self.voice = voice

    def synth(self, text: str, voice: Voice) -> tuple[bytes, list[tuple[int, int, int]]]:
        self.set_voice(voice)
        self._samples, self._words = [], []
        if self._seed is not None:
            self._seed(1)  # breathy variants add noise: the same text gives the same audio
        data = text.encode("utf-8") + b"\0"
        err = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        if err != 0:
            raise EngineMissing(
                f"espeak-ng could not speak the text (error {err})", "report this as a bug"
            )
        return b"".join(self._samples), self._words


_lock = threading.Lock()
_engine: _Engine | None = None
_failure: EngineMissing | None = None


def _load() -> _Engine:
    """Load and initialise libespeak-ng once per process (raise EngineMissing if none works)."""
    global _engine, _failure
    if _engine is not None:
        return _engine
    if _failure is not None:
        raise _failure
    tried: list[str] = []
    for path, data in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            tried.append(path)
            continue
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        rate = lib.espeak_Initialize(
            _OUTPUT_SYNCHRONOUS, 0, data.encode() if data else None, _INIT_DONT_EXIT
        )
        if rate <= 0:
            tried.append(f"{path} (its voice data would not load)")
            continue
        _engine = _Engine(lib, path, data, rate)
        return _engine
    where = "; tried " + ", ".join(tried) if tried else ""
    _failure = EngineMissing(f"espeak-ng is not installed{where}", INSTALL_HINT)
    raise _failure


def status(lang: str | None = None) -> EngineMissing | None:
    """None when espeak-ng works here with the voice of `lang` (or of every language the
    project speaks), else what is wrong."""
    try:
        with _lock:
            engine = _load()
            for voice in [voice_for(lang)] if lang else LANG_VOICES.values():
                engine.set_voice(Voice(voice))
    except EngineMissing as exc:
        return exc
    return None


def version() -> str:
    """The loaded libespeak-ng's version (a draft voice's cache key includes it)."""
    with _lock:
        return _load().version


def describe() -> str:
    """Which libespeak-ng is in use, for `--verbose` output and notes."""
    with _lock:
        engine = _load()
    return f"espeak-ng {engine.version} ({engine.path})"


def synthesize(text: str, voice: Voice | str) -> Speech:
    """Speak `text` with `voice`; the word events give each word's character span and sample.

    Raises EngineMissing when no libespeak-ng can be loaded or the voice is unknown.
    """
    import numpy as np

    if isinstance(voice, str):
        voice = Voice(voice)
    with _lock:
        engine = _load()
        pcm, raw_words = engine.synth(text, voice)
        rate = engine.rate
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    words = tuple(
        WordEvent(max(0, pos - 1), length, round(ms * rate / 1000)) for pos, length, ms in raw_words
    )
    return Speech(samples, rate, words)


def voice_for(lang: str) -> str:
    """The espeak-ng voice for a story language."""
    return LANG_VOICES.get(lang, LANG_VOICES["en"])


__all__ = [
    "EngineMissing",
    "Speech",
    "Voice",
    "WordEvent",
    "describe",
    "status",
    "synthesize",
    "voice_for",
]
