"""Each beat's voice: its narration file with word times from alignment, or the draft
voice spoken by espeak-ng. The one place the video pipeline asks "what is said when".

Results are cached on disk under `$OUTREACH_CACHE_DIR/speech/` (default
`~/.cache/outreach/speech/`): alignments by the narration's bytes, the text, the language
and the aligner's version; draft voices (WAV and word times) by text, language, voice and
engine version. The cache is always safe to delete; an unwritable one only means
computing again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.speech.align import Alignment, WordTime

#: Bump when alignment or the draft voice would give other times for the same input.
SPEECH_VERSION = "1"
ENV_CACHE_DIR = "OUTREACH_CACHE_DIR"


@dataclass(frozen=True)
class BeatVoice:
    """What a beat's audio says and when (seconds from the start of `path`)."""

    beat: int
    path: Path
    seconds: float
    source: str  # narration | draft
    words: tuple[WordTime, ...] | None  # None: not known, captions follow reading speed
    pauses: tuple[tuple[float, float], ...] = ()
    confidence: float = 0.0
    problem: str = ""  # why `words` is None, in plain words

    @property
    def draft(self) -> bool:
        return self.source == "draft"


def cache_dir() -> Path:
    base = os.environ.get(ENV_CACHE_DIR)
    root = Path(base) if base else Path.home() / ".cache" / "outreach"
    return root / "speech"


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([SPEECH_VERSION, *parts]).encode()).hexdigest()


@functools.lru_cache(maxsize=256)
def _file_hash(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_atomic(target: Path, data: bytes) -> None:
    """Best effort, never half a file: temporary name, then rename."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:
        pass


def _words_json(words: tuple[WordTime, ...]) -> list[list[Any]]:
    return [[w.text, w.start, w.end, w.confidence] for w in words]


def _words_from(raw: list[list[Any]]) -> tuple[WordTime, ...]:
    return tuple(WordTime(str(t), float(a), float(b), float(c)) for t, a, b, c in raw)


def alignment_to_dict(a: Alignment) -> dict[str, Any]:
    return {
        "words": _words_json(a.words),
        "confidence": a.confidence,
        "duration": a.duration,
        "speech": list(a.speech),
        "pauses": [list(p) for p in a.pauses],
        "problem": a.problem,
    }


def alignment_from_dict(d: dict[str, Any]) -> Alignment:
    return Alignment(
        _words_from(d["words"]),
        float(d["confidence"]),
        float(d["duration"]),
        (float(d["speech"][0]), float(d["speech"][1])),
        tuple((float(a), float(b)) for a, b in d["pauses"]),
        str(d["problem"]),
    )


def align_narration(text: str, lang: str, path: Path) -> Alignment:
    """`align.align_file`, cached by the file's bytes, the text and the language."""
    st = os.stat(path)
    key = _key("align", _file_hash(str(path), st.st_size, st.st_mtime_ns), text, lang)
    target = cache_dir() / key[:2] / f"{key}.json"
    try:
        return alignment_from_dict(json.loads(target.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    from outreach.speech.align import align_file

    result = align_file(text, path, lang)
    _write_atomic(target, json.dumps(alignment_to_dict(result)).encode())
    return result


def draft_track(text: str, lang: str) -> tuple[Path, float, tuple[WordTime, ...]]:
    """The draft voice's WAV for `text` (cached), its length and its word times."""
    from outreach.speech import engine

    voice = engine.voice_for(lang)
    key = _key("draft", text, lang, voice, engine.version())
    wav = cache_dir() / key[:2] / f"{key}.wav"
    meta = wav.with_suffix(".json")
    try:
        d = json.loads(meta.read_text(encoding="utf-8"))
        if wav.is_file():
            return wav, float(d["seconds"]), _words_from(d["words"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    from outreach.speech.draft import speak

    spoken = speak(text, lang)
    _write_atomic(wav, spoken.wav())
    if not wav.is_file():  # no writable cache: a private temporary file for this run
        fd, tmp = tempfile.mkstemp(prefix="outreach-draft-", suffix=".wav")
        with os.fdopen(fd, "wb") as fh:
            fh.write(spoken.wav())
        wav = Path(tmp)
    else:
        payload = {"seconds": spoken.duration, "words": _words_json(spoken.words)}
        _write_atomic(meta, json.dumps(payload).encode())
    return wav, spoken.duration, spoken.words


def beat_voices(loaded: Any, narration_seconds: dict[int, float]) -> dict[int, BeatVoice]:
    """The voice of every beat that has one: a narration file (aligned to the beat's
    text) or, for `voice: draft`, the draft voice. `narration_seconds` holds the probed
    length of each narration file (beat index -> seconds)."""
    from outreach.speech.engine import EngineMissing

    story = loaded.story
    out: dict[int, BeatVoice] = {}
    for i in story.draft_beats():
        path, seconds, words = draft_track(story.beats[i].text, story.lang)
        out[i] = BeatVoice(i, path, seconds, "draft", words, confidence=1.0)
    for i, seconds in narration_seconds.items():
        beat = story.beats[i]
        path = loaded.media_path(beat.narration)
        if not beat.text:
            out[i] = BeatVoice(i, path, seconds, "narration", None, problem="the beat has no text")
            continue
        try:
            result = align_narration(beat.text, story.lang, path)
        except EngineMissing as exc:
            out[i] = BeatVoice(i, path, seconds, "narration", None, problem=exc.message)
            continue
        if result.unsure:
            out[i] = BeatVoice(
                i,
                path,
                seconds,
                "narration",
                None,
                result.pauses,
                result.confidence,
                result.problem,
            )
        else:
            out[i] = BeatVoice(
                i, path, seconds, "narration", result.words, result.pauses, result.confidence
            )
    return out
