"""The speech engine, forced alignment and the draft voice, on recordings made here.

Accuracy is asserted on a small fixed set of recordings whose voices, speeds, rooms and
noise differ from the voices the aligner uses; the truth is libespeak-ng's word events.
`bench/align.py` measures the same on a larger held-out set, with speed.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.speech import align, corpus, draft, dtw, engine
from tests.conftest import write_story

# --- the engine ----------------------------------------------------------------------------


def test_engine_speaks_both_languages_with_word_positions() -> None:
    text = "Từ Đồng Tháp đến Tokyo, 24 tháng — 3 thị trường."
    speech = engine.synthesize(text, "vi")
    assert speech.rate == 22_050
    assert 2.0 < speech.duration < 8.0
    assert float(np.abs(speech.samples).max()) > 0.1
    samples = [w.sample for w in speech.words]
    assert samples == sorted(samples) and samples[0] == 0
    # character positions (not bytes) of the words espeak-ng spoke
    assert [text[w.char_start : w.char_start + w.char_len] for w in speech.words[:4]] == [
        "Từ",
        "Đồng",
        "Tháp",
        "đến",
    ]
    starts = align.token_samples(align.tokens(text), speech)
    tokens = [t.text for t in align.tokens(text)]
    assert starts[tokens.index("—")] is None  # a dash is not spoken
    assert all(s is not None for t, s in zip(tokens, starts, strict=True) if t != "—")
    english = engine.synthesize("Hello world, this is a draft.", "en-us")
    assert len(english.words) == 6


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-central", "vi-vn-x-south", "en-us", "en"])
def test_every_alignment_voice_is_installed(voice: str) -> None:
    assert engine.synthesize("một hai ba", voice).duration > 0.3


def test_the_same_text_gives_the_same_speech() -> None:
    """libespeak-ng keeps a little state between calls (a sample of phase here and there),
    and breathy variants add noise (seeded): the same text is spoken the same way."""
    first = engine.synthesize("Xin chào các bạn trẻ, hôm nay", "vi")
    engine.synthesize("Một hai ba bốn năm", "vi+f3")
    again = engine.synthesize("Xin chào các bạn trẻ, hôm nay", "vi")
    assert abs(len(first.samples) - len(again.samples)) <= 0.005 * first.rate
    assert [w.char_start for w in first.words] == [w.char_start for w in again.words]
    for a, b in zip(first.words, again.words, strict=True):
        assert abs(a.sample - b.sample) <= 0.002 * first.rate
    rms = [float(np.sqrt(np.mean(x.samples**2))) for x in (first, again)]
    assert rms[0] == pytest.approx(rms[1], rel=0.01)


def test_an_unknown_voice_is_a_clear_error() -> None:
    with pytest.raises(engine.EngineMissing, match="no voice `xx-nowhere`"):
        engine.synthesize("hi", "xx-nowhere")


# --- dynamic time warping ------------------------------------------------------------------


def _naive_dtw(cost: np.ndarray) -> float:
    n, m = cost.shape
    d = np.full((n + 1, m + 1), np.inf)
    d[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = cost[i - 1, j - 1] + min(d[i - 1, j - 1], d[i - 1, j], d[i, j - 1])
    return float(d[n, m])


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@given(st.integers(2, 30), st.integers(2, 30), st.integers(0, 10_000))
def test_banded_warp_equals_the_textbook_recurrence(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref, rec = _unit(rng.standard_normal((n, 5))), _unit(rng.standard_normal((m, 5)))
    path = dtw.warp(ref, rec, radius=max(n, m))  # the band covers everything
    cost = np.maximum(0.0, 1.0 - ref @ rec.T)
    assert path.cost.sum() == pytest.approx(_naive_dtw(cost), rel=1e-9, abs=1e-9)
    # a path from corner to corner, one step at a time, never backwards
    assert (path.ref[0], path.rec[0], path.ref[-1], path.rec[-1]) == (0, 0, n - 1, m - 1)
    steps = np.stack([np.diff(path.ref), np.diff(path.rec)], axis=1)
    assert {tuple(s) for s in steps} <= {(1, 1), (1, 0), (0, 1)}
    assert np.allclose(path.cost, cost[path.ref, path.rec])


def test_a_batch_of_warps_equals_each_alone() -> None:
    rng = np.random.default_rng(3)
    refs, rec = _unit(rng.standard_normal((3, 40, 6))), _unit(rng.standard_normal((55, 6)))
    together = dtw.warp_many(refs, rec, radius=12)
    for ref, path in zip(refs, together, strict=True):
        alone = dtw.warp(ref, rec, radius=12)
        assert np.array_equal(alone.ref, path.ref) and np.array_equal(alone.rec, path.rec)


def test_the_band_keeps_the_path_near_the_diagonal() -> None:
    rng = np.random.default_rng(4)
    ref, rec = _unit(rng.standard_normal((200, 6))), _unit(rng.standard_normal((300, 6)))
    path = dtw.warp(ref, rec, radius=10)
    centre = path.ref * 299 / 199
    assert np.abs(path.rec - centre).max() <= 11


# --- alignment -----------------------------------------------------------------------------

#: A fixed, small set: other dialects and variants, 110-230 words a minute, echo and noise.
FIXED = [
    ("vi", 0, corpus.CONDITIONS["vi"][0]),  # southern female, 150 wpm, dry
    ("vi", 1, corpus.CONDITIONS["vi"][1]),  # central, 200 wpm, room 0.4 s
    ("vi", 2, corpus.CONDITIONS["vi"][2]),  # northern female, 130 wpm, pink noise 15 dB
    ("vi", 5, corpus.CONDITIONS["vi"][4]),  # long pauses, mains hum
    ("vi", 3, corpus.CONDITIONS["vi"][5]),  # 110 wpm, room 0.6 s, white noise
    ("en", 0, corpus.CONDITIONS["en"][1]),  # Scottish, 200 wpm, room and noise
    ("en", 2, corpus.CONDITIONS["en"][3]),  # RP klatt, 230 wpm, room
]


@pytest.fixture(scope="module")
def fixed_set() -> list[tuple[corpus.Recording, align.Alignment]]:
    out = []
    for k, (lang, text, cond) in enumerate(FIXED):
        rec = corpus.speak(corpus.TEXTS[lang][text], lang, cond, seed=k)
        out.append((rec, align.align(rec.text, rec.samples, rec.rate, lang)))
    return out


def test_word_starts_follow_unseen_voices_speeds_echo_and_noise(
    fixed_set: list[tuple[corpus.Recording, align.Alignment]],
) -> None:
    errors: list[float] = []
    for rec, result in fixed_set:
        assert not result.unsure, (rec.condition.label, result.problem)
        assert [w.text for w in result.words] == [t.text for t in align.tokens(rec.text)]
        errs = corpus.start_errors(rec, [w.start for w in result.words])
        assert max(errs) < 0.5, rec.condition.label
        errors += errs
    assert float(np.median(errors)) <= 0.10
    assert float(np.quantile(errors, 0.9)) <= 0.25


def test_word_times_are_ordered_and_inside_the_speech(
    fixed_set: list[tuple[corpus.Recording, align.Alignment]],
) -> None:
    for _rec, result in fixed_set:
        starts = [w.start for w in result.words]
        assert starts == sorted(starts)
        for w, nxt in zip(result.words, result.words[1:], strict=False):
            assert w.start <= w.end <= nxt.start + 1e-9
        assert result.speech[0] <= starts[0] and result.words[-1].end <= result.speech[1] + 0.05
        assert min(w.confidence for w in result.words) >= 0.0
        assert result.confidence > align.MIN_CONFIDENCE


def test_pauses_are_found_where_the_narrator_stops(
    fixed_set: list[tuple[corpus.Recording, align.Alignment]],
) -> None:
    rec, result = next((r, a) for r, a in fixed_set if r.condition.pause == (0.4, 1.0))
    truth = [t for t in rec.truth if t is not None]
    # the sentence breaks are at least 0.4 s longer than the voice's own comma pauses
    assert len(result.pauses) >= rec.text.count(".") + rec.text.count(":") - 1
    for a, b in result.pauses:
        assert b - a >= align.MIN_PAUSE
        assert not any(a + 0.05 < t < b - 0.05 for t in truth)  # no word starts in a pause


def test_a_recording_of_another_text_is_unsure() -> None:
    rec = corpus.speak(corpus.TEXTS["vi"][0], "vi", corpus.CONDITIONS["vi"][1], seed=5)
    result = align.align(corpus.TEXTS["vi"][2], rec.samples, rec.rate, "vi")
    assert result.unsure
    assert "matches the text poorly" in result.problem
    assert "check that it speaks this beat's text" in result.problem


def test_silence_and_noise_alone_are_unsure() -> None:
    rng = np.random.default_rng(0)
    quiet = np.zeros(22_050 * 3, np.float32)
    assert align.align("Xin chào", quiet, 22_050, "vi").problem == "no speech was found in it"
    noise = (0.1 * rng.standard_normal(22_050 * 4)).astype(np.float32)
    assert align.align("Xin chào các bạn trẻ yêu quý", noise, 22_050, "vi").unsure


def test_alignment_reads_an_m4a_narration_through_ffmpeg(tmp_path: Path) -> None:
    from outreach import ffmpeg

    rec = corpus.speak(corpus.TEXTS["en"][3], "en", corpus.CONDITIONS["en"][2], seed=2)
    wav = tmp_path / "n.wav"
    wav.write_bytes(draft.wav_bytes(rec.samples, rec.rate))
    m4a = tmp_path / "n.m4a"
    ffmpeg.run(["-y", "-v", "error", "-i", str(wav), "-ac", "2", "-ar", "44100", str(m4a)], "enc")
    result = align.align_file(rec.text, m4a, "en")
    errs = corpus.start_errors(rec, [w.start for w in result.words])
    assert float(np.median(errs)) <= 0.10 and max(errs) < 0.5


def test_emoji_are_not_spoken_by_the_reference() -> None:
    assert align.speakable("Xin chào 🚀 bạn ✨") == "Xin chào   bạn  "
    rec = corpus.speak("Xin chào các bạn trẻ.", "vi", corpus.CONDITIONS["vi"][1], seed=1)
    result = align.align("Xin chào 🚀 các bạn trẻ.", rec.samples, rec.rate, "vi")
    rocket = result.words[2]
    assert rocket.text == "🚀" and rocket.start == rocket.end == result.words[1].end
    truth = [t for t in rec.truth if t is not None]
    errs = [abs(w.start - t) for w, t in zip(result.words[3:], truth[2:], strict=True)]
    assert max(errs) < 0.15


# --- the draft voice -----------------------------------------------------------------------


def test_the_draft_voice_speaks_the_text_with_word_times() -> None:
    text = "AgriLink ra đời ở Cao Lãnh — với một ý tưởng giản dị."
    voice = draft.speak(text, "vi")
    assert voice.voice == "vi" and voice.rate == 22_050
    words = voice.words
    assert [w.text for w in words] == text.split()
    assert words[0].start == pytest.approx(draft.LEAD, abs=0.02)
    spoken = [w for w in words if w.text != "—"]
    assert all(w.end > w.start for w in spoken)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert words[-1].end <= voice.duration - draft.TAIL + 0.05
    # every word is sound where it is said: its middle is loud
    for w in spoken:
        mid = int((w.start + w.end) / 2 * voice.rate)
        window = voice.samples[max(0, mid - 1500) : mid + 1500]
        assert float(np.sqrt(np.mean(window**2))) > 0.01, w.text
    with wave.open(io.BytesIO(voice.wav())) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22_050)
        assert w.getnframes() == len(voice.samples)


def test_the_draft_voice_speaks_english_stories_in_english() -> None:
    voice = draft.speak("She joined the Model UN club.", "en")
    assert voice.voice == "en-us" and len(voice.words) == 6


# --- the `voice` field and `check` ---------------------------------------------------------

DRAFT_STORY = """\
kind: startup
lang: vi
title: Thử giọng nháp
voice: draft
beats:
  - text: "AgriLink ra đời ở Cao Lãnh."
  - text: "Nông dân ghi nhật ký ngay trên điện thoại."
    narration: audio/b2.wav
  - text: "Sau Singapore, nhóm đưa ứng dụng đến Tokyo."
    voice: draft
platforms: [tiktok]
"""


def test_voice_draft_on_the_story_or_a_beat(story_dir: Path) -> None:
    from outreach.model.loader import load_story

    (story_dir / "audio").mkdir()
    (story_dir / "audio" / "b2.wav").write_bytes(draft.wav_bytes(np.zeros(2205), 22_050))
    loaded = load_story(write_story(story_dir, "d.yaml", DRAFT_STORY), story_dir)
    assert loaded.story.voice == "draft"
    assert loaded.story.draft_beats() == [0, 2]  # beat 2 has its own narration
    beat_only = DRAFT_STORY.replace("voice: draft\nbeats", "beats")
    loaded = load_story(write_story(story_dir, "b.yaml", beat_only), story_dir)
    assert loaded.story.draft_beats() == [2]


def test_an_unknown_voice_value_names_the_field(story_dir: Path) -> None:
    from outreach.diagnostics import StoryError
    from outreach.model.loader import load_story

    path = write_story(story_dir, "v.yaml", DRAFT_STORY.replace("voice: draft", "voice: real"))
    with pytest.raises(StoryError) as err:
        load_story(path, story_dir)
    diag = err.value.diagnostics[0]
    assert (diag.field, diag.line) == ("voice", 4)


def _check(root: Path, story: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outreach", "check", str(story)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=root,
    )


def test_check_reports_a_missing_engine_clearly(story_dir: Path) -> None:
    (story_dir / "audio").mkdir()
    (story_dir / "audio" / "b2.wav").write_bytes(draft.wav_bytes(np.zeros(2205), 22_050))
    story = write_story(story_dir, "d.yaml", DRAFT_STORY)
    ok = _check(story_dir, story)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    gone = _check(story_dir, story, OUTREACH_ESPEAK_LIB=str(story_dir / "no-libespeak-ng.so"))
    assert gone.returncode == 1
    out = gone.stdout + gone.stderr
    assert (
        "d.yaml:4:8: error: voice: `voice: draft` needs the speech engine, but espeak-ng is not installed"
        in out
    )
    assert "python3 -m pip install -e ." in out
    assert "captions cannot follow the narration" in out  # beat 2's narration: a warning
    no_draft = DRAFT_STORY.replace("voice: draft\nbeats", "beats").replace("\n    voice: draft", "")
    narrated = write_story(story_dir, "n.yaml", no_draft)
    warned = _check(story_dir, narrated, OUTREACH_ESPEAK_LIB=str(story_dir / "nothing.so"))
    assert warned.returncode == 0
    assert "n.yaml:7:16: warning: beats[1].narration: captions cannot follow the narration" in (
        warned.stdout + warned.stderr
    )


# --- beat voices (what the video pipeline asks) --------------------------------------------


def test_beat_voices_align_narration_and_speak_drafts(
    story_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.model.loader import load_story
    from outreach.speech import voices

    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "cache"))
    text = "Nông dân ghi nhật ký ngay trên điện thoại."
    rec = corpus.speak(text, "vi", corpus.CONDITIONS["vi"][1], seed=3)
    (story_dir / "audio").mkdir()
    (story_dir / "audio" / "b2.wav").write_bytes(draft.wav_bytes(rec.samples, rec.rate))
    story = DRAFT_STORY.replace("Nông dân ghi nhật ký ngay trên điện thoại.", text)
    loaded = load_story(write_story(story_dir, "d.yaml", story), story_dir)
    found = voices.beat_voices(loaded, {1: rec.duration})
    assert sorted(found) == [0, 1, 2]
    assert [found[i].source for i in (0, 1, 2)] == ["draft", "narration", "draft"]
    narrated = found[1]
    assert narrated.path == story_dir / "audio" / "b2.wav" and narrated.words is not None
    errs = corpus.start_errors(rec, [w.start for w in narrated.words])
    assert float(np.median(errs)) <= 0.10
    spoken = found[0]
    assert spoken.draft and spoken.path.suffix == ".wav" and spoken.path.is_file()
    assert spoken.words is not None
    assert [w.text for w in spoken.words] == ["AgriLink", "ra", "đời", "ở", "Cao", "Lãnh."]
    # cached: a second call reads the same times back without speaking or aligning
    calls: list[str] = []
    monkeypatch.setattr(align, "align_file", lambda *a, **k: calls.append("align"))
    monkeypatch.setattr(draft, "speak", lambda *a, **k: calls.append("speak"))
    again = voices.beat_voices(loaded, {1: rec.duration})
    assert calls == []
    assert again[1].words == narrated.words and again[0].words == spoken.words


def test_an_unsure_narration_keeps_its_file_and_says_why(
    story_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.model.loader import load_story
    from outreach.speech import voices

    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "cache"))
    rec = corpus.speak(corpus.TEXTS["vi"][0], "vi", corpus.CONDITIONS["vi"][1], seed=3)
    (story_dir / "audio").mkdir()
    (story_dir / "audio" / "b2.wav").write_bytes(draft.wav_bytes(rec.samples, rec.rate))
    story = DRAFT_STORY.replace("voice: draft\nbeats", "beats").replace("\n    voice: draft", "")
    loaded = load_story(write_story(story_dir, "n.yaml", story), story_dir)
    found = voices.beat_voices(loaded, {1: rec.duration})
    assert list(found) == [1]
    assert found[1].words is None and "matches the text poorly" in found[1].problem


# --- captions from the voice ---------------------------------------------------------------


def test_vtt_tags_every_word_after_the_first_of_each_cue() -> None:
    from outreach.render.video.captions import SidecarCue, to_srt, to_vtt

    tokens = (("Từ", 1.0), ("Đồng", 1.25), ("Tháp", 1.5), ("đến", 2.0), ("Tokyo,", 2.345))
    cue = SidecarCue(30, 90, ("Từ Đồng Tháp", "đến Tokyo,"), ("beats", 0), tokens=tokens)
    vtt = to_vtt([cue], 30)
    assert (
        "00:00:01.000 --> 00:00:03.000 line:85%,end position:50% align:center\n"
        "Từ <00:00:01.250>Đồng <00:00:01.500>Tháp\n"
        "<00:00:02.000>đến <00:00:02.345>Tokyo,\n"
    ) in vtt
    assert "<" not in to_srt([cue], 30)  # SRT has no karaoke tags
    wrong = SidecarCue(30, 90, ("Từ Đồng Tháp",), tokens=tokens[:2])
    assert "Từ Đồng Tháp\n" in to_vtt([wrong], 30)  # words that do not match: no tags


def test_cues_break_where_the_voice_pauses() -> None:
    from outreach.render.video.captions import pause_breaks

    text = "Mỗi lô sen, xoài, lúa đều có mã truy xuất nguồn gốc."
    n = len(text.split())
    starts = [0.3 * k for k in range(n)]
    ends = [s + 0.25 for s in starts]
    assert pause_breaks(text, starts, ends, 0.25) == text  # no pause: one paragraph
    starts = [s + (0.6 if k >= 5 else 0.0) for k, s in enumerate(starts)]  # after "lúa"
    ends = [s + 0.25 for s in starts]
    assert pause_breaks(text, starts, ends, 0.25) == (
        "Mỗi lô sen, xoài, lúa\nđều có mã truy xuất nguồn gốc."
    )
    assert pause_breaks(text, starts[:-1], ends, 0.25) == text  # times that do not fit
    # A pause between the syllables of one word ("truy | xuất", "nguồn | gốc") is no break.
    starts = [0.3 * k + (0.6 if k >= 9 else 0.0) for k in range(n)]
    ends = [s + 0.25 for s in starts]
    assert pause_breaks(text, starts, ends, 0.25) == text
