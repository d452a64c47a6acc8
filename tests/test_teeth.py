"""Tests with teeth: one test (at least) fails for each of the seven mutants that survived
the old suite (issue 8). Each test names the mutant it kills."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from outreach.atomic import write_bytes
from outreach.diagnostics import StoryError
from outreach.pack.story import load_and_validate, render_cards
from outreach.platforms import get_platform
from outreach.render.cards import compose, plan_cards
from outreach.render.post import build_post
from tests.conftest import write_story
from tests.test_cards import STORY_VI

# --- 1. captions over the platform limit never shortened -------------------------------------


def test_a_caption_over_the_limit_is_shortened(story_dir: Path) -> None:
    long_beats = "".join(
        f'  - {{text: "Bước {i}: nông dân Đồng Tháp mang xoài sang Nhật Bản, Hàn Quốc và châu Âu."}}\n'
        for i in range(40)
    )
    text = STORY_VI.replace("beats:\n", "beats:\n" + long_beats)
    # Instagram's own caption template keeps the body short; a theme whose caption tells
    # the whole story (the generic template) goes over the limit.
    theme = story_dir / "themes" / "default"
    (theme / "post").mkdir(parents=True)
    (theme / "theme.yaml").write_text("extends: default\n")
    builtin = Path(__file__).resolve().parent.parent / "assets" / "themes" / "default" / "post"
    shutil.copy(builtin / "caption.txt.j2", theme / "post" / "caption.txt.j2")
    validated = load_and_validate(
        write_story(story_dir, "long.yaml", text), story_dir, ["instagram-feed"]
    )
    tiktok = get_platform("instagram-feed")
    specs = plan_cards(validated.loaded, tiktok, validated.theme)
    post = build_post(validated.loaded.story, tiktok, validated.theme, specs)
    limit = tiktok.limits.caption_chars
    assert limit is not None and len(post.caption) <= limit
    assert post.caption.endswith("…")
    assert any("caption is" in i.message and "allows 2200" in i.message for i in post.issues)
    assert any("caption is" in d.message for d in validated.warnings)  # check says so too
    section = post.text.split("== CAPTION ==\n", 1)[1].split("\n\n== ", 1)[0]
    assert section == post.caption  # the text people paste is the shortened one


# --- 2. the 30-hashtag cap dropped -----------------------------------------------------------


def test_instagram_gets_at_most_thirty_hashtags(story_dir: Path) -> None:
    tags = ", ".join(f"Tag{i}" for i in range(35))
    text = STORY_VI.replace("hashtags: [HoiNhap, KhoiNghiep]", f"hashtags: [{tags}]")
    validated = load_and_validate(
        write_story(story_dir, "tags.yaml", text), story_dir, ["instagram-feed"]
    )
    feed = get_platform("instagram-feed")
    post = build_post(validated.loaded.story, feed, validated.theme, [])
    block = post.text.split("== HASHTAGS ==\n", 1)[1].split("\n", 1)[0]
    assert block.split() == [f"#Tag{i}" for i in range(30)]
    assert "#Tag30" not in post.caption and "#Tag29" in post.caption
    assert any("35 hashtags" in i.message for i in post.issues)


# --- 3. the highlight running 0.5 s early ----------------------------------------------------


def test_the_lit_word_is_the_one_being_read(tmp_path: Path) -> None:
    """Data and pixels: each word is lit exactly over its own frames, the first from the
    moment its chunk (and the narration) starts, the last until the chunk ends."""
    from video_helpers import SCALE, make_root, tone

    from outreach.pack.video import plan_videos, video_settings
    from outreach.render.video.frames import Planes
    from outreach.render.video.scenes import render_scenes

    root = tmp_path / "s"
    story = make_root(root)
    tone(root / "media" / "voice.wav", 2.5)
    text = story.read_text(encoding="utf-8").replace(
        "    duration: 3.0\n", "    narration: media/voice.wav\n"
    )
    story.write_text(text, encoding="utf-8")
    validated = load_and_validate(story, root, ["tiktok"])
    group = plan_videos(validated)[0]
    settings = video_settings(validated)
    timeline = group.timeline
    narrated = next(i for i, sc in enumerate(timeline.scenes) if sc.narration is not None)
    chunks = group.chunks[narrated]
    assert chunks[0].start == timeline.scenes[narrated].own_start  # with the voice, not before
    for chunk in chunks:
        spans = sorted({(w.start, w.end, w.group) for w in chunk.words})
        assert spans[0][0] == chunk.start and spans[-1][1] <= chunk.end  # never before
        for (_s0, e0, _g0), (s1, _e1, _g1) in zip(spans, spans[1:], strict=False):
            assert e0 <= s1  # one group at a time, in reading order
        for w in chunk.words:
            assert chunk.group_at(w.start) == w.group and chunk.group_at(w.end - 1) == w.group
        assert chunk.group_at(chunk.start - 1) is None or chunk is not chunks[0]
    # Pixels: paste the caption at a word's first frame; the lit rectangle is that word's.
    rendered = render_scenes(
        validated.loaded,
        validated.theme,
        group.shared,
        timeline,
        group.chunks,
        settings,
        SCALE,
    )
    arts = rendered.captions[narrated].get()
    art = arts[0]
    if art.lit is None:
        pytest.fail("the theme highlights words; the caption has no lit overlay")
    w, h = rendered.cover.size
    from PIL import Image

    def pasted(frame: int) -> np.ndarray:
        planes = Planes(
            Image.new("L", (w, h), 16), Image.new("L", (w // 2, h // 2), 128),
            Image.new("L", (w // 2, h // 2), 128),
        )  # fmt: skip
        art.paste(planes, frame)
        return np.asarray(planes.y, dtype=np.int16)

    plain = Planes(
        Image.new("L", (w, h), 16), Image.new("L", (w // 2, h // 2), 128),
        Image.new("L", (w // 2, h // 2), 128),
    )  # fmt: skip
    art.plain.paste(plain)
    base = np.asarray(plain.y, dtype=np.int16)
    for word in art.chunk.words:
        diff = np.abs(pasted(word.start) - base) > 8
        assert diff.any(), word
        ys, xs = np.nonzero(diff)
        x0, y0, x1, y1 = art.rects[word.group]
        ox, oy = art.lit.x, art.lit.y
        assert xs.min() >= ox + x0 - 1 and xs.max() <= ox + x1 + 1, word
        assert ys.min() >= oy + y0 - 1 and ys.max() <= oy + y1 + 1, word


# --- 4. non-atomic writes -------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "cover.jpg"
    target.write_bytes(b"old complete content")
    opened: list[str] = []
    real_open = open

    def spy(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if "w" in mode or "a" in mode or "+" in mode:
            opened.append(Path(file).name)
        return real_open(file, mode, *args, **kwargs)

    import builtins

    monkeypatch.setattr(builtins, "open", spy)

    def crash(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_bytes(target, b"new content that never lands")
    monkeypatch.undo()
    assert target.read_bytes() == b"old complete content"
    assert "cover.jpg" not in opened  # the target itself is never opened for writing
    assert [p.name for p in tmp_path.iterdir()] == ["cover.jpg"]  # no temporary left


# --- 5. the YouTube duration-stamp area ignored ----------------------------------------------

STAMP_THEME = """\
extends: default
layouts:
  landscape:
    thumbnail:
      - {type: background, color: deep}
      - {type: text, field: title, box: [0.55, 0.8, 0.45, 0.2], font: title, size: [60, 30], color: text, max_lines: 2}
"""


def test_text_under_the_duration_stamp_is_an_error(story_dir: Path) -> None:
    thumb = get_platform("youtube-thumbnail")
    assert thumb.keep_clear, "the preset keeps the bottom-right clear"
    (story_dir / "themes" / "stamp").mkdir(parents=True)
    (story_dir / "themes" / "stamp" / "theme.yaml").write_text(STAMP_THEME)
    path = write_story(story_dir, "s.yaml", STORY_VI + "theme: stamp\n")
    with pytest.raises(StoryError) as info:
        load_and_validate(path, story_dir, ["youtube-thumbnail"])
    assert any(
        "text leaves the youtube-thumbnail safe zone on the thumbnail card" in d.message
        for d in info.value.diagnostics
    )
    # And the real theme's thumbnail keeps its text out of the stamp.
    validated = load_and_validate(write_story(story_dir, "ok.yaml", STORY_VI), story_dir)
    spec = plan_cards(validated.loaded, thumb, validated.theme)[0]
    result = compose(spec, thumb, validated.theme)
    assert not result.outside
    for x, y, w, h in thumb.keep_clear:
        for rec in result.records:
            b = rec.box
            assert b.right <= x or b.x >= x + w or b.bottom <= y or b.y >= y + h, rec


# --- 6. a beat edit not invalidating cached cards --------------------------------------------


@pytest.mark.slow
def test_a_beat_edit_renders_the_carousel_again(story_dir: Path, tmp_path: Path) -> None:
    from tests.test_pack import WEEK, manifest, run_pack, story_text, summary

    write_story(story_dir, "c.yaml", story_text("Băng chuyền"))
    out = tmp_path / "out"
    first = run_pack(story_dir, out, "-p", "instagram-carousel")
    assert first.returncode == 0, first.stderr
    before = manifest(out / WEEK)
    path = story_dir / "c.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Mù Cang Chải", "Sa Pa"), encoding="utf-8"
    )
    again = run_pack(story_dir, out, "-p", "instagram-carousel")
    # Every platform's post text quotes the beats, so all three are made again.
    assert summary(again.stderr)["c"] == (3, 0, 0, 0)
    after = manifest(out / WEEK)
    slide = "c/instagram-carousel/slide-02.jpg"
    assert after[slide]["sha256"] != before[slide]["sha256"]
    post = (out / WEEK / "c" / "instagram-carousel" / "post.txt").read_text(encoding="utf-8")
    assert "Sa Pa" in post


# --- 7. the credits line never drawn ---------------------------------------------------------


def test_the_credits_line_is_drawn_on_photo_cards(story_dir: Path, tmp_path: Path) -> None:
    path = write_story(story_dir, "c.yaml", STORY_VI)
    validated = load_and_validate(path, story_dir, ["tiktok"])
    entries = render_cards(validated, tmp_path / "out")
    cover = next(e for e in entries if e.extra.get("card") == "cover")
    boxes = [b for b in cover.text_boxes if b["field"] == "credits"]
    assert boxes, "the cover shows a photo, so it carries the credits line"
    tiktok = get_platform("tiktok")
    spec = next(
        s for s in plan_cards(validated.loaded, tiktok, validated.theme) if s.name == "cover"
    )
    with_credits = np.asarray(compose(spec, tiktok, validated.theme).image, dtype=np.int16)
    values = {**spec.values, "credits": ""}
    from dataclasses import replace

    without = np.asarray(
        compose(replace(spec, values=values), tiktok, validated.theme).image, dtype=np.int16
    )
    b = boxes[0]
    region = (
        slice(int(b["y"]), int(b["y"] + b["h"]) + 1),
        slice(int(b["x"]), int(b["x"] + b["w"]) + 1),
    )
    changed = (np.abs(with_credits[region] - without[region]).max(axis=2) > 40).sum()
    assert changed > 50  # the line's ink is really there
    outside = np.abs(with_credits - without).max(axis=2) > 40
    outside[region] = False
    # Nothing above it moved (a photo that starts under the text group may move up).
    outside[int(b["y"]) :, :] = False
    assert outside.sum() == 0
