"""End to end, at reduced scale: narrated beats spoken by voices the aligner does not use,
and a draft-voice beat, rendered to video.mp4 and video.vtt.

As the issue's check does: each narration is found in the video's soundtrack (by
cross-correlation), and every word's time in video.vtt (the cue start for a cue's first
word, the karaoke tag for the others) is compared with the true time of the word.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from outreach import ffmpeg
from outreach.speech import corpus, draft

pytestmark = pytest.mark.slow

TEXTS = [
    "AgriLink ra đời ở Cao Lãnh với một ý tưởng giản dị: giúp nông dân ghi nhật ký "
    "canh tác ngay trên điện thoại.",
    "Mỗi lô sen, xoài, lúa đều có mã truy xuất nguồn gốc.",
]
DRAFT_TEXT = "Sau Singapore và Hàn Quốc, nhóm đưa ứng dụng đến Tokyo."
RATE = 8_000


def _vtt_words(vtt: str) -> list[tuple[str, float]]:
    """Every word of every cue with its time: the cue start, or its timestamp tag."""

    def secs(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    out = []
    for block in vtt.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        start = secs(lines[0].split(" --> ")[0])
        for line in lines[1:]:
            for tag, word in re.findall(r"(?:<(\d\d:\d\d:\d\d\.\d{3})>)?(\S+)", line):
                out.append((word, secs(tag) if tag else start))
                start = out[-1][1]
    return out


def _find(words: list[tuple[str, float]], tokens: list[str]) -> list[float]:
    texts = [w for w, _ in words]
    for k in range(len(texts) - len(tokens) + 1):
        if texts[k : k + len(tokens)] == tokens:
            return [t for _, t in words[k : k + len(tokens)]]
    raise AssertionError(f"{tokens[:3]}... not in video.vtt")


def _offset(track: np.ndarray, voice: np.ndarray) -> float:
    """Where `voice` starts in `track` (seconds), by cross-correlation."""
    n = 1 << (len(track) + len(voice)).bit_length()
    xc = np.fft.irfft(np.fft.rfft(track, n) * np.conj(np.fft.rfft(voice, n)), n)
    return float(np.argmax(xc[: len(track)])) / RATE


def _decode(path: Path) -> np.ndarray:
    return np.frombuffer(ffmpeg.decode_pcm(path, RATE), dtype="<f4").astype(np.float64)


def test_vtt_words_follow_unseen_narrators_and_the_draft_voice(
    story_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from outreach.cli import main

    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OUTREACH_VIDEO_SCALE", "0.25")
    (story_dir / "audio").mkdir()
    conds = corpus.unseen_conditions("vi", 2, seed=99)  # south + Andy, central + f5
    recs = []
    for i, (text, cond) in enumerate(zip(TEXTS, conds, strict=True)):
        rec = corpus.speak(text, "vi", cond, seed=i)
        (story_dir / "audio" / f"b{i}.wav").write_bytes(draft.wav_bytes(rec.samples, rec.rate))
        recs.append(rec)
    story = story_dir / "s.yaml"
    story.write_text(
        "kind: startup\nlang: vi\ntitle: Thử giọng đọc\nbeats:\n"
        + "".join(
            f'  - text: "{t}"\n    narration: audio/b{i}.wav\n    media: media/photo.jpg\n'
            for i, t in enumerate(TEXTS)
        )
        + f'  - text: "{DRAFT_TEXT}"\n    voice: draft\n'
        + 'cta: "Bạn sẽ kể câu chuyện nào?"\nplatforms: [tiktok]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["pack", str(story_dir), "-o", str(out), "--week", "2026-W48", "-j", "1"]
    res = CliRunner().invoke(main, [*args, "--only", "video", "--include-drafts", "-q"])
    assert res.exit_code == 0, res.output
    out = out / "2026-W48"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    video = next(e for e in manifest["files"] if e["output"] == "video")
    folder = out / Path(video["path"]).parent
    words = _vtt_words((folder / "video.vtt").read_text(encoding="utf-8"))
    track = _decode(folder / "video.mp4")
    errors: list[float] = []
    for i, rec in enumerate(recs):
        at = _offset(track, _decode(story_dir / "audio" / f"b{i}.wav"))
        times = _find(words, TEXTS[i].split())
        errors += [abs(t - (at + true)) for t, true in zip(times, rec.truth, strict=True) if true]
    assert float(np.median(errors)) <= 0.10
    assert float(np.quantile(errors, 0.9)) <= 0.25

    # the draft beat is spoken, and its words carry their own times
    draft_times = _find(words, DRAFT_TEXT.split())
    assert draft_times == sorted(draft_times) and len(set(draft_times)) == len(draft_times)
    a, b = int(draft_times[0] * RATE), int(draft_times[-1] * RATE)
    assert float(np.sqrt(np.mean(track[a:b] ** 2))) > 0.02  # loud: a voice, not the bed alone

    assert video["platform"] == "tiktok"
    assert video["voice"] == "draft" and video["draft"] is True
    sources = {v["beat"]: (v["source"], v["aligned"]) for v in video["voices"]}
    assert sources == {1: ("narration", True), 2: ("narration", True), 3: ("draft", True)}
    # and the contact sheet says so beside the video
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="draft-voice"' in index and "draft voice: not for posting" in index
