"""Round 2 of the video edit: the opener headline, kinetic text scenes, the edit to the
target length, the camera's constant speed, the caption band, the riser and the button.

No full encodes here (those are in test_video.py): layouts are pure, frames are drawn
in memory at a small scale, the soundtrack is mixed by ffmpeg on its own."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from video_helpers import make_root

from outreach import ffmpeg
from outreach.layout.geometry import Box
from outreach.model.loader import load_story
from outreach.pack import video as pv
from outreach.pack.story import load_and_validate
from outreach.paths import assets_dir
from outreach.platforms import get_platform
from outreach.render.video import kinetic
from outreach.render.video import timeline as tl
from outreach.render.video.audio import build_soundtrack, mix_args
from outreach.render.video.frames import FreezeMeter, Planes
from outreach.render.video.motion import Move, camera
from outreach.themes import load_theme

SCALE = 0.25
REPO = Path(__file__).resolve().parents[1]


def _headline(text: str, lang: str = "vi", platform: str = "tiktok") -> list[str]:
    theme = load_theme("default")
    area = kinetic._area(get_platform(platform))
    style = kinetic._style(theme, "title", (150, 110), 6, leading=1.08, lang=lang)
    block = kinetic.headline(text, Box(area.x, area.y, area.w, area.h * 0.86), style)
    assert block is not None
    return [line.text for line in block.lines]


def test_the_headline_breaks_at_clauses_and_never_strands_a_number() -> None:
    lines = _headline("24 tháng, 3 thị trường, 1 ứng dụng cho nông dân")
    assert lines == ["24 tháng,", "3 thị trường,", "1 ứng dụng", "cho nông dân"]
    # Each line is a phrase: no number ends a line without its noun, no word is alone.
    for text in ("Từ Bắc Ninh, kiểm thử chip cho cả thế giới", "At 20, Hân gave her coast a voice"):
        lines = _headline(text, "en" if text.startswith("At") else "vi")
        assert all(len(line.split()) > 1 for line in lines), lines
        assert not any(line.split()[-1].isdigit() for line in lines[:-1]), lines


def test_a_stranded_word_is_a_fault_of_the_headline() -> None:
    theme = load_theme("default")
    style = kinetic._style(theme, "title", (150, 150), 6, lang="vi")
    block = kinetic.layout_text("Từ Bắc Ninh", Box(0, 0, 2000, 2000), style)

    def as_lines(*texts: str) -> kinetic.TextBlock:
        line = block.lines[0]
        return replace(block, lines=tuple(replace(line, text=x) for x in texts))

    assert kinetic._orphans(as_lines("Từ Bắc Ninh,", "kiểm thử")) == 0
    assert kinetic._orphans(as_lines("Từ", "Bắc Ninh,")) == 1  # a short word alone
    assert kinetic._orphans(as_lines("24 tháng, 3", "thị trường")) == 1  # "3" left behind
    assert kinetic._orphans(as_lines("Nghị quyết", "59 có")) == 1  # "59" torn from its name


def _story(tmp_path: Path, extra: str = "") -> Path:
    story = make_root(tmp_path / "s")
    text = story.read_text(encoding="utf-8")
    story.write_text(text + extra, encoding="utf-8")
    return story


def test_the_opener_is_the_hook_and_all_its_words_are_in_within_0_3_s(tmp_path: Path) -> None:
    path = _story(tmp_path)
    validated = load_and_validate(path, path.parent, ["tiktok"])
    vp = pv.plan_videos(validated)[0]
    opener = vp.timeline.scenes[0]
    story = validated.loaded.story
    assert opener.kind == "cover" and opener.display == (" ".join(story.hook.split()),)
    s = pv.video_settings(validated)
    layout = kinetic.opener_layout(opener, validated.theme, vp.shared, s, story.names, story.lang)
    assert layout is not None
    assert layout.block.size >= 94  # a headline, not a caption
    starts = [start for _b, start, _lit in layout.words]
    assert starts[0] == 0 and max(starts) <= round(0.3 * s.fps)
    # The sidecars say what the opener shows.
    first = vp.cues[0]
    assert " ".join(first.lines) == " ".join(story.hook.split())


def test_long_stories_leave_the_quote_and_second_fact_to_the_cards() -> None:
    path = REPO / "stories" / "startup-agrilink.yaml"
    loaded = load_story(path, path.parent)
    s = tl.VideoSettings()
    plan = tl.plan(loaded, s, {})
    kinds = [sc.kind for sc in plan]
    assert kinds.count("fact") == s.video_facts == 2
    assert [sc.optional for sc in plan if sc.kind in ("quote", "fact")] == [1, 0, 2]
    long = [replace(sc) for sc in plan]
    for sc in long:
        if sc.kind == "beat":
            sc.own, sc.fixed = 6.5, True  # as if narrated: the video cannot get shorter
    timeline = tl.build(long, s)
    # The hook says "24 tháng, 3 thị trường": the FTA count (fact 3) is the news, shown
    # first; of the two the hook already said, the first is kept and then left out.
    assert [sc.index for sc in plan if sc.kind == "fact"] == [2, 0]
    assert timeline.left_out == ["quote", "fact 1"]
    assert [sc.kind for sc in timeline.scenes].count("fact") == 1
    assert any("left to the cards" in n for n in timeline.notes)
    # The quote in a video is whole sentences that read in quote_max.
    excerpt = tl.quote_excerpt(loaded.story.quote, s)
    assert excerpt and loaded.story.quote.startswith(excerpt) and excerpt.endswith(".")


@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "stories").glob("*.yaml")))
def test_sample_videos_run_25_to_40_s(name: str) -> None:
    validated = load_and_validate(REPO / "stories" / f"{name}.yaml", None, ["tiktok"])
    for vp in pv.plan_videos(validated):
        assert 25.0 <= vp.timeline.duration <= 40.0, vp.timeline.duration
        facts = [sc for sc in vp.timeline.scenes if sc.kind == "fact"]
        assert 1 <= len(facts) <= 2


def test_the_strongest_facts_count_up() -> None:
    from outreach.model.story import Fact

    facts = [
        Fact(value="Nhiều", label="a word, not a number"),
        Fact(value="2", label="too small to count"),
        Fact(value="> 21%", label="firms"),
        Fact(value="Top 40", label="index"),
    ]
    assert tl.strongest_facts(facts, 3) == [2, 3, 1]  # countable first, in story order
    values = kinetic._count_values("> 21%", 18)
    numbers = [int(v.strip("> %")) for v in values]
    assert values[-1] == "> 21%" and numbers == sorted(numbers) and numbers[0] < 21
    assert kinetic._count_values("1.200", 6)[-1] == "1.200"
    assert all("." in v for v in kinetic._count_values("1.200", 6)[3:])


def _draw_scene(vp: pv.VideoPlan, validated: object, kind: str) -> tuple[tl.Scene, object]:
    from outreach.render.video.scenes import frame_size

    i, sc = next((i, sc) for i, sc in enumerate(vp.timeline.scenes) if sc.kind == kind)
    s = pv.video_settings(validated)
    size = frame_size(vp.shared, SCALE)
    r = kinetic.type_renderer(
        sc,
        validated.theme,
        vp.shared,
        s,
        vp.timeline,
        SCALE,
        size,  # type: ignore[attr-defined]
    )
    return sc, r


def _never_still(renderer: object, sc: tl.Scene, fps: int) -> FreezeMeter:
    meter = FreezeMeter(fps)
    for k in range(sc.own_start - sc.start, sc.frames):
        planes: Planes = renderer.frame(k, sc.frames)  # type: ignore[attr-defined]
        meter.add(planes.tobytes(), planes.size)
    return meter


def test_fact_counts_up_in_the_place_of_its_final_value_and_cta_never_holds_still(
    tmp_path: Path,
) -> None:
    story = _story(tmp_path)
    validated = load_and_validate(story, story.parent, ["tiktok"])
    vp = pv.plan_videos(validated)[0]
    sc, r = _draw_scene(vp, validated, "fact")
    count = next(e for e in r.elements if isinstance(e, kinetic.Count))
    assert count.schedule[-1] == validated.loaded.story.facts[sc.index].value.strip()
    first, last = count.values[count.schedule[0]], count.values[count.schedule[-1]]
    # Every value is drawn on the final value's line: same baseline, centred on it.
    assert abs(first.y - last.y) <= 2
    assert abs((first.x + first.alpha.width / 2) - (last.x + last.alpha.width / 2)) <= 4
    assert count.start > sc.own_start - sc.start  # once the scene is in
    report = _never_still(r, sc, vp.timeline.fps).report()
    assert report["longest_still_s"] < 0.5, report
    sc, r = _draw_scene(vp, validated, "cta")
    assert sc.button > sc.own_start and r.late  # the handle pops on the closing hit
    report = _never_still(r, sc, vp.timeline.fps).report()
    assert report["longest_still_s"] < 0.5, report


def test_text_scenes_alternate_palettes() -> None:
    scenes = [tl.Scene(k, i, (), 1.0) for i, k in enumerate(["beat", "quote", "fact", "cta"])]
    tl._palettes(scenes)
    assert [sc.palette for sc in scenes[1:]] == [1, 0, 1]


def test_the_camera_pans_at_a_constant_speed_and_never_enlarges_much() -> None:
    fps, frame = 30, (1080, 1920)
    move = Move("pan-left", 60.0, 0.032, 1.15)
    cam = camera(move, 90, fps, (45,), (2000, 1500), frame, (0.5, 0.5))
    # Within a shot, the centre moves the same distance every frame (no easing, no steps).
    centres = [x + w / 2 for x, _y, w, _h in cam.windows[:45]]
    steps = np.diff(centres)
    assert np.allclose(steps, steps[0], atol=1e-6) and abs(steps[0]) > 0
    out_px = abs(steps[0]) * frame[0] / cam.windows[0][2] * fps
    assert out_px == pytest.approx(60.0, rel=0.02)
    # The punch-in at frame 45 frames closer, and has its own plate.
    assert cam.windows[45][2] < cam.windows[44][2] * 0.95
    assert len(cam.shots) == 2 and cam.shots[1].start == 45
    zoom = camera(Move("zoom-in"), 90, fps, (), (1080, 1920), frame)
    widths = [w for _x, _y, w, _h in zoom.windows]
    assert widths[-1] / widths[0] == pytest.approx(np.exp(-0.032 * 89 / fps), rel=1e-3)


def test_captions_sit_on_a_soft_dark_band(tmp_path: Path) -> None:
    from outreach.render.video.scenes import caption_art, frame_size

    story = _story(tmp_path)
    validated = load_and_validate(story, story.parent, ["tiktok"])
    vp = pv.plan_videos(validated)[0]
    chunk = next(iter(vp.chunks.values()))[0]
    s = pv.video_settings(validated)
    art = caption_art(chunk, validated.theme, s, 0.5, frame_size(vp.shared, 0.5))
    alpha = np.asarray(art.plain.alpha)
    # Between the words (not only around each glyph) the band darkens the photo.
    h, w = alpha.shape
    row = alpha[h // 2]
    assert (row > 0.3 * 255).mean() > 0.85
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 0  # soft edges, not a box to the border


def _band_level(wav: Path, start: float, end: float, band: str) -> float:
    err = subprocess.run(
        [ffmpeg.ffmpeg_exe(), "-hide_banner", "-ss", str(start), "-t", str(end - start),
         "-i", str(wav), "-af", f"{band},volumedetect", "-f", "null", "-"],
        capture_output=True, text=True,
    ).stderr  # fmt: skip
    return float(err.split("mean_volume:")[1].split("dB")[0])


def test_a_riser_builds_into_the_first_text_scene_and_the_end_card_lands_on_a_hit(
    tmp_path: Path,
) -> None:
    bed = assets_dir() / "music" / "bed-calm.m4a"
    mix = tmp_path / "mix.m4a"
    build_soundtrack(mix, 10.0, bed, [], marks={"riser": 5.0, "button": 8.0})
    plain = tmp_path / "plain.m4a"
    build_soundtrack(plain, 10.0, bed, [])
    hi = "highpass=f=2500"
    # The riser: presence (above 2.5 kHz) swells into 5 s, against the bed alone.
    rise = _band_level(mix, 4.5, 5.0, hi) - _band_level(mix, 1.0, 3.0, hi)
    rise_plain = _band_level(plain, 4.5, 5.0, hi) - _band_level(plain, 1.0, 3.0, hi)
    assert rise > rise_plain + 4
    # The button: a hit at 8 s, the bed stops under it, and it rings down to the end.
    lo = "lowpass=f=200"
    assert _band_level(mix, 8.0, 8.3, lo) > _band_level(mix, 6.5, 7.5, lo) + 2
    assert _band_level(mix, 9.5, 10.0, "anull") < _band_level(mix, 8.0, 8.5, "anull") - 10
    # Without music there is nothing to build or land.
    assert "[riser]" not in ";".join(mix_args(10.0, None, [], marks={"riser": 5.0}))
