"""Timeline and caption arithmetic (no encoding): pacing, limits, chunks, sidecar format."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.layout.geometry import Box
from outreach.model.loader import load_story
from outreach.render.video import timeline as tl
from outreach.render.video.captions import (
    _split,
    caption_box,
    caption_style,
    chunk_blocks,
    time_chunks,
    to_srt,
    to_vtt,
)
from outreach.themes import load_theme


def _beat(i: int, words: int, fixed: float | None = None) -> tl.Scene:
    sc = tl.Scene("beat", i, ("beats", i), 0.0, words=words, text=" ".join(["chữ"] * words))
    s = tl.VideoSettings()
    sc.own, sc.fixed = (
        (fixed, True) if fixed else (tl.reading_seconds(words, s.words_per_second, s), False)
    )
    return sc


def test_reading_speed_with_floor_and_ceiling() -> None:
    s = tl.VideoSettings()
    assert tl.reading_seconds(1, 2.6, s) == s.min_scene
    assert tl.reading_seconds(13, 2.6, s) == pytest.approx(s.lead_seconds + 5.0)
    assert tl.reading_seconds(200, 2.6, s) == s.max_scene
    # Characters per second count too: 100 characters need 8 s at 12.5 cps.
    assert tl.reading_seconds(10, 2.6, s, 100) == pytest.approx(s.lead_seconds + 8.0)


def test_scenes_meet_with_cuts_and_pushes_never_dissolves() -> None:
    s = tl.VideoSettings(target_min=0)
    plan = [
        tl.Scene("cover", -1, ("title",), 2.0, fixed=True),
        _beat(0, 10),
        _beat(1, 5, 3.0),
        tl.Scene("quote", -1, ("quote",), 3.0, fixed=True),
        tl.Scene("cta", -1, ("cta",), 3.0, fixed=True),
    ]
    t = tl.build(plan, s)
    push = t.push_frames
    assert push == 9
    kinds = [sc.transition for sc in t.scenes]
    assert kinds == ["cut", "cut", "cut", "push", "push"]
    for a, b in zip(t.scenes, t.scenes[1:], strict=False):
        assert b.start == a.own_end  # the next scene comes in at the cut
        if b.transition == "cut":
            assert a.end == b.own_start == b.start
        else:  # both on screen during the push, then the new one alone
            assert a.end == b.own_start == b.start + push
    assert t.scenes[0].start == 0 and t.scenes[-1].end == t.total_frames
    assert t.scenes[2].own_end - t.scenes[2].own_start == 90  # explicit 3 s


def test_cuts_land_on_the_beat_grid() -> None:
    from outreach.render.video.beats import BeatGrid

    s = tl.VideoSettings(target_min=0)
    plan = [tl.Scene("cover", -1, ("title",), 2.1, base=2.1, least=1.5)]
    plan += [_beat(i, 9 + i) for i in range(3)]
    plan.append(tl.Scene("cta", -1, ("cta",), 3.0, base=3.0, least=2.5))
    grid = BeatGrid(100.0)  # 18 frames a beat
    t = tl.build(plan, s, grid=grid)
    assert t.cuts() and all(f % 18 == 0 for f in t.cuts())
    # Fixed scenes (narration) are never shortened to reach a beat.
    fixed = tl.build([_beat(0, 3, 2.05), _beat(1, 3, 2.0)], s, grid=grid)
    assert fixed.scenes[0].own_end - fixed.scenes[0].own_start >= round(2.05 * 30)


def test_long_photo_beats_get_punch_ins_so_shots_stay_short() -> None:
    s = tl.VideoSettings(target_min=0)
    beat = _beat(0, 20)
    beat.photo = (Path("x.jpg"), None)
    t = tl.build([tl.Scene("cover", -1, ("title",), 2.0, fixed=True), beat], s)
    assert t.scenes[1].shots
    assert max(t.shot_lengths()) <= s.shot_max + 0.5
    assert min(t.shot_lengths()) >= 1.0


def test_long_text_is_paced_faster_before_running_long() -> None:
    s = tl.VideoSettings(target_max=30, target_min=0)
    plan = [tl.Scene("cover", -1, ("title",), 2.0, fixed=True)] + [_beat(i, 18) for i in range(4)]
    t = tl.build(plan, s)
    assert s.words_per_second < t.words_per_second <= s.fastest_words_per_second
    assert t.duration <= 30 + 1 / 30 and not t.notes
    # Past the target even at the fastest pace: it runs long, with a note naming beats to cut.
    long = tl.build(
        [tl.Scene("cover", -1, ("title",), 2.0, fixed=True)] + [_beat(i, 40) for i in range(5)],
        s,
        600,
        "the TikTok maximum",
    )
    assert long.duration > 30 and long.notes and "cut beat" in long.notes[0]


def test_short_story_is_stretched_to_the_minimum() -> None:
    s = tl.VideoSettings()
    plan = [
        tl.Scene("cover", -1, ("title",), 2.0, fixed=True),
        _beat(0, 3),
        tl.Scene("cta", -1, ("cta",), 3.0, fixed=True),
    ]
    t = tl.build(plan, s)
    assert t.duration == pytest.approx(25.0, abs=1 / 30)


def test_default_target_is_25_to_40_seconds() -> None:
    s = tl.VideoSettings()
    assert (s.target_min, s.target_max) == (25.0, 40.0)
    assert tl.VideoSettings.from_theme({"target_max": 30}).target_max == 30


def test_fixed_durations_that_cannot_fit_name_the_longest_beats() -> None:
    s = tl.VideoSettings(target_max=20)
    plan = [_beat(0, 3, 5.0), _beat(1, 3, 9.0), _beat(2, 3, 8.0), _beat(3, 3, 2.0)]
    with pytest.raises(tl.TimelineTooLong) as info:
        tl.build(plan, s)
    assert info.value.message == (
        "the video would run 24.0 s even at the fastest reading speed (3.4 words/s), "
        "over the target length of 20 s"
    )
    assert info.value.hint == "cut beat 2 (about 4.0 s) or shorten their text"


def test_platform_maximum_is_named_when_stricter() -> None:
    s = tl.VideoSettings(target_max=200)
    plan = [_beat(i, 3, 30.0) for i in range(4)]
    with pytest.raises(tl.TimelineTooLong, match="over the Facebook Reels maximum of 90 s"):
        tl.build(plan, s, 90, "the Facebook Reels maximum")


def test_theme_overrides_settings() -> None:
    s = tl.VideoSettings.from_theme(
        {"words-per-second": 3, "highlight": False, "motions": ["pan-up"], "unknown": 1}
    )
    assert s.words_per_second == 3 and s.highlight is False and s.motions == ("pan-up",)


@given(st.integers(0, 400), st.lists(st.floats(0.1, 50), min_size=1, max_size=30))
def test_split_covers_the_range_in_order(length: int, weights: list[float]) -> None:
    parts = _split(100, 100 + length, weights)
    assert parts[0][0] == 100 and parts[-1][1] == 100 + length
    for (a, b), (c, _d) in zip(parts, parts[1:], strict=False):
        assert a <= b == c
    if length >= len(weights):
        assert all(b > a for a, b in parts)


@pytest.fixture(scope="module")
def style_box():
    theme = load_theme("default")
    style = caption_style(theme.font("heading"), theme.emoji_font, (64, 44), theme.keep_together)
    return style, caption_box(Box(65, 288, 823, 960), style)


@pytest.mark.parametrize(
    "text",
    [
        "Lan lớn lên bên dòng sông Hậu, nơi mỗi sáng bắt đầu bằng một chuyến đò nhỏ ra chợ nổi.",
        "Ngắn.",
        "Chị sang Nhật Bản năm 2019 🎓 và giờ làm ở Thành phố Hồ Chí Minh.",
        "Le\u0323\u0302 NFD: ĐÀ NẴNG, QUẢNG NGÃI, Cần Thơ, Huế — NGHỊ QUYẾT 59",
    ],
)
def test_chunks_are_one_or_two_lines_and_keep_the_text(style_box, text: str) -> None:
    import unicodedata

    style, box = style_box
    blocks = chunk_blocks(unicodedata.normalize("NFC", text), box, style, "beats[0].text")
    chunks = time_chunks(blocks, 30, 150)
    words = " ".join(" ".join(c.lines) for c in chunks).split()
    assert words == unicodedata.normalize("NFC", text).split()
    for c in chunks:
        assert 1 <= len(c.block.lines) <= 2
        assert box.contains(c.block.bounds, tolerance=0.5)
        assert c.words[0].start == c.start and c.words[-1].end == c.end
    assert "Hồ Chí Minh" in " ".join(line for c in chunks for line in c.lines) or "Hồ" not in text


def test_srt_and_vtt_format(style_box) -> None:
    style, box = style_box
    chunks = time_chunks(
        chunk_blocks("Một hai ba bốn năm sáu bảy tám chín mười", box, style, "x"), 45, 3645
    )
    assert to_srt(chunks, 30).startswith("1\n00:00:01,500 --> ")
    assert "--> 00:02:01,500\n" in to_srt(chunks, 30)
    assert to_vtt(chunks, 30).startswith("WEBVTT\n\n00:00:01.500 --> ")


def test_plan_from_a_story(tmp_path: Path) -> None:
    from video_helpers import make_root

    path = make_root(tmp_path / "s")
    loaded = load_story(path, path.parent)
    s = tl.VideoSettings()
    plan = tl.plan(loaded, s, {})
    assert [sc.kind for sc in plan] == ["cover", "beat", "beat", "fact", "cta"]
    assert plan[1].motion == "zoom-in" and plan[2].motion == "pan-left"
    assert plan[1].own == 3.0 and plan[1].fixed


def test_reading_speed_depends_on_the_language() -> None:
    vi, en = tl.VideoSettings.from_theme({}, "vi"), tl.VideoSettings.from_theme({}, "en")
    assert (vi.words_per_second, vi.fastest_words_per_second) == tl.PACE["vi"]
    assert (en.words_per_second, en.fastest_words_per_second) == tl.PACE["en"]
    custom = tl.VideoSettings.from_theme({"words_per_second": {"vi": 3.0, "en": 2.2}}, "vi")
    assert custom.words_per_second == 3.0


def test_cover_facts_and_cta_shrink_before_the_story_runs_long() -> None:
    s = tl.VideoSettings(target_max=22, target_min=0)
    extras = [tl.Scene("cover", -1, ("title",), 2.0, base=2.0, least=1.5)]
    extras += [tl.Scene("fact", i, ("facts", i), 3.0, base=3.0, least=2.4) for i in range(4)]
    extras.append(tl.Scene("cta", -1, ("cta",), 3.5, base=3.5, least=2.8))
    t = tl.build([*extras[:1], _beat(0, 8, 6.0), *extras[1:]], s)
    assert t.duration <= 22 + 1 / 30
    assert 2.4 <= t.scenes[2].own < 3.0 and 2.8 <= t.scenes[-1].own < 3.5


def test_vertical_presets_share_one_encode_unless_a_safe_zone_is_too_tight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    from outreach.pack import video as pv
    from outreach.platforms import get_platform, load_presets

    names = ["tiktok", "youtube-shorts", "instagram-reels", "facebook-reels"]
    found = pv.groups([get_platform(n) for n in names])
    assert len(found) == 1
    shared, asked, folder = found[0]
    assert folder == "_video" and [p.name for p in asked] == names
    assert shared.safe_rect == (65, 288, 823, 960)  # the intersection of all four
    # A preset covering most of the screen would squeeze everyone's captions: its own encode.
    tight = dataclasses.replace(get_platform("tiktok"), name="tight", safe_top=700, safe_bottom=900)
    presets = {**load_presets(), "tight": tight}  # as if presets.yaml had this preset
    monkeypatch.setattr(pv, "load_presets", lambda: presets)
    found = pv.groups([get_platform("tiktok"), tight])
    assert [(f, [p.name for p in a]) for _s, a, f in found] == [
        ("_video", ["tiktok"]),
        ("_video-tight", ["tight"]),
    ]
