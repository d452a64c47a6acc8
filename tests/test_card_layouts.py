"""Subject-aware card layouts: real faces at many positions, logo contrast, variants,
carousel sequence, thumbnail text, CTA, bylines and the theme schema."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from outreach.diagnostics import StoryError
from outreach.layout.geometry import Box
from outreach.pack.story import load_and_validate, render_cards
from outreach.platforms import all_platforms, get_platform
from outreach.render.cards import compose, plan_cards
from outreach.render.subject import detect_faces, find_subject
from outreach.themes import ThemeError, load_theme
from tests.conftest import write_story

PHOTOS = Path(__file__).resolve().parent / "photos"
FACES = json.loads((PHOTOS / "faces.json").read_text())

STORY = """\
kind: engineer
lang: {lang}
status: approved
title: "Con chip đi qua tay kỹ sư Việt"
hook: "Kiểm thử chip ở Bắc Ninh, làm việc cùng đối tác Hàn Quốc và Mỹ"
person: {{name: "Trần Minh Thư", role: "Kỹ sư kiểm thử chip", org: "AgriLink", place: "Bắc Ninh", photo: media/{photo}}}
quote: "Một con chip đạt chuẩn là thành quả của cả chuỗi cung ứng."
facts:
  - {{value: "21%", label: "doanh nghiệp tham gia chuỗi giá trị toàn cầu", source: "Nghị quyết 59-NQ/TW"}}
  - {{value: "40", label: "hạng Chỉ số Đổi mới sáng tạo toàn cầu mục tiêu", source: "Nghị quyết 59-NQ/TW"}}
  - {{value: "194", label: "quốc gia có quan hệ ngoại giao với Việt Nam"}}
  - {{value: "17", label: "hiệp định thương mại tự do đang thực thi"}}
cta: "Muốn theo ngành bán dẫn? Bắt đầu từ hôm nay."
link: "hoinhap.vn/ban-dan"
credits: "Ảnh: NASA (phạm vi công cộng)"
theme: {theme}
"""


def _story(
    root: Path, photo: str, theme: str = "default", lang: str = "vi", extra: str = ""
) -> Path:
    shutil.copy(PHOTOS / photo, root / "media" / photo)
    return write_story(
        root, f"s-{photo}-{theme}.yaml", STORY.format(photo=photo, theme=theme, lang=lang) + extra
    )


def _card_faces(image: Image.Image, scale: float) -> list[Box]:
    """Every face a detector finds on the card rendered at `scale` (full-scale pixels)."""
    faces = detect_faces(np.asarray(image.convert("L")))
    return [Box(x / scale, y / scale, w / scale, h / scale) for x, y, w, h in faces]


@pytest.mark.parametrize("photo", [f"{n}.jpg" for n in FACES])
def test_faces_are_found_and_never_covered_on_every_preset(story_dir: Path, photo: str) -> None:
    path = _story(story_dir, photo)
    validated = load_and_validate(path, story_dir, layout_pass=False)
    seen = set()
    for platform in all_platforms():
        twin = (platform.canvas, platform.safe_rect, platform.outputs)
        if twin in seen:  # Reels, Story and Facebook Reels share their pixels
            continue
        seen.add(twin)
        for spec in plan_cards(validated.loaded, platform, validated.theme):
            if spec.name not in ("cover", "thumbnail"):
                continue
            result = compose(spec, platform, validated.theme, 0.5)
            assert not result.errors, (platform.name, result.errors)
            if not spec.photos:
                continue
            assert result.subject is not None
            subject = Box(*(result.subject[k] for k in ("x", "y", "w", "h")))
            faces = [f for f in _card_faces(result.image, 0.5) if f.intersects(subject)]
            assert faces, (photo, platform.name, spec.name, result.variant)
            for face in faces:
                for record in result.records:
                    assert not record.box.intersects(face), (photo, platform.name, record)
                if result.logo:
                    logo = Box(*(result.logo[k] for k in ("x", "y", "w", "h")))
                    assert not logo.intersects(face), (photo, platform.name, "logo")
            assert result.face_clear
            assert result.face_brightness is not None and result.face_brightness >= 0.7


def test_detection_runs_once_per_photo_and_needs_no_network(tmp_path: Path) -> None:
    """The cascades ship inside the OpenCV wheel; a fresh process with sockets disabled
    detects, and a second call (any path, same bytes) reads the cache."""
    copy = tmp_path / "copy.jpg"
    shutil.copy(PHOTOS / "face-centre.jpg", copy)
    code = f"""
import socket
def refuse(*a, **k):
    raise OSError("network disabled in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
from pathlib import Path
from outreach.render import subject
a = subject.find_subject(Path({str(PHOTOS / "face-centre.jpg")!r}))
b = subject.find_subject(Path({str(copy)!r}))
print(a.kind, subject.DETECTIONS["count"], a == b)
"""
    env = {"OUTREACH_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["face", "1", "True"], out.stderr
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["face", "0", "True"], out.stderr  # from the disk cache
    import cv2

    assert Path(cv2.data.haarcascades).is_relative_to(Path(cv2.__file__).parent)


def test_subject_override_beats_detection(story_dir: Path) -> None:
    given = (0.1, 0.1, 0.2, 0.2)
    assert find_subject(PHOTOS / "face-centre.jpg", given).box == given
    path = _story(
        story_dir,
        "face-centre.jpg",
        extra="",
    )
    text = path.read_text().replace(
        "photo: media/face-centre.jpg}",
        "photo: media/face-centre.jpg, subject: [0.5, 0.7, 0.6, 0.2]}",
    )
    path.write_text(text)
    with pytest.raises(StoryError) as info:
        load_and_validate(path, story_dir, ["tiktok"])
    assert (
        "person.subject: the box must stay inside the photo" in info.value.diagnostics[0].format()
    )


def _logo_share(image: Image.Image, logo: dict, ink: Image.Image) -> float:
    return float(logo["contrast_share"])


@pytest.mark.parametrize("ground", ["dark", "cream"])
@pytest.mark.parametrize("logo_file", ["outreach-logo-white.png", "outreach-logo.png"])
def test_logo_keeps_contrast_and_size_on_any_photo(
    story_dir: Path, ground: str, logo_file: str
) -> None:
    colour = (12, 14, 18) if ground == "dark" else (246, 238, 222)
    noise = np.random.default_rng(1).integers(-6, 7, (1500, 1200, 3))
    Image.fromarray(np.clip(np.array(colour) + noise, 0, 255).astype(np.uint8)).save(
        story_dir / "media" / "plain.jpg"
    )
    theme = story_dir / "themes" / "brand"
    theme.mkdir(parents=True)
    shutil.copy(
        Path(__file__).resolve().parents[1] / "assets" / "logo" / logo_file, theme / "logo.png"
    )
    (theme / "theme.yaml").write_text("name: brand\nextends: default\nlogo: logo.png\n")
    path = _story(story_dir, "face-centre.jpg", theme="brand")
    path.write_text(path.read_text().replace("media/face-centre.jpg", "media/plain.jpg"))
    validated = load_and_validate(path, story_dir, layout_pass=False)
    seen = set()
    for platform in all_platforms():
        twin = (platform.canvas, platform.safe_rect, platform.outputs)
        if twin in seen:
            continue
        seen.add(twin)
        for spec in plan_cards(validated.loaded, platform, validated.theme):
            if spec.name not in ("cover", "quote", "fact-01", "cta", "thumbnail"):
                continue
            result = compose(spec, platform, validated.theme, 0.5)
            if result.logo is None:
                continue
            assert result.logo["h"] >= 40 * platform.width / 1080 - 1, (platform.name, spec.name)
            assert result.logo["contrast_share"] >= 0.9, (platform.name, spec.name, result.logo)


def test_four_facts_get_at_least_two_layouts_and_neighbours_differ(
    story_dir: Path, tmp_path: Path
) -> None:
    path = _story(story_dir, "face-centre.jpg")
    validated = load_and_validate(path, story_dir, ["tiktok", "instagram-feed"])
    entries = [e.as_dict() for e in render_cards(validated, tmp_path / "out")]
    for platform in ("tiktok", "instagram-feed"):
        facts = sorted(
            (
                e
                for e in entries
                if e["platform"] == platform and e.get("card", "").startswith("fact")
            ),
            key=lambda e: e["card"],
        )
        layouts = [e["layout"] for e in facts]
        assert len(layouts) == 4 and len(set(layouts)) >= 2
        assert all(a != b for a, b in zip(layouts, layouts[1:], strict=False)), layouts
    assert all("layout" in e for e in entries if e["output"] not in ("post", "caption", "alt"))


def test_layout_pins(story_dir: Path) -> None:
    path = _story(
        story_dir, "face-centre.jpg", extra="layout: {cover: photo-top, fact: centered}\n"
    )
    text = path.read_text().replace(
        'source: "Nghị quyết 59-NQ/TW"}\n  - {value: "40"',
        'source: "Nghị quyết 59-NQ/TW", layout: block}\n  - {value: "40"',
        1,
    )
    path.write_text(text)
    validated = load_and_validate(path, story_dir, ["tiktok"], layout_pass=False)
    specs = {
        s.name: s.variant
        for s in plan_cards(validated.loaded, get_platform("tiktok"), validated.theme)
    }
    assert specs["cover"] == "photo-top"
    assert specs["fact-01"] == "block" and specs["fact-02"] == "centered"


def test_carousel_is_a_sequence(story_dir: Path) -> None:
    path = _story(story_dir, "face-centre.jpg")
    beats = (
        "beats:\n"
        "  - {text: 'Bước một của câu chuyện.', media: media/face-centre.jpg}\n"
        "  - {text: 'Bước hai của câu chuyện.', media: media/face-left.jpg}\n"
        "  - {text: 'Bước ba của câu chuyện.', media: media/face-left.jpg}\n"
    )
    shutil.copy(PHOTOS / "face-left.jpg", story_dir / "media" / "face-left.jpg")
    path.write_text(path.read_text() + beats)
    validated = load_and_validate(path, story_dir, ["instagram-carousel"])
    platform = get_platform("instagram-carousel")
    specs = plan_cards(validated.loaded, platform, validated.theme)
    names = [s.name for s in specs]
    # Ten slides: every fact its own slide (no room left for a recap).
    assert names == [
        "cover",
        "beat-01",
        "beat-02",
        "beat-03",
        "quote",
        "fact-01",
        "fact-02",
        "fact-03",
        "fact-04",
        "cta",
    ], names
    shown = [p for s in specs for p in {str(p) for p, _ in s.photos.values()}]
    assert len(shown) == len(set(shown))  # no photo twice
    assert specs[0].values["swipe"] and not any(s.values["swipe"] for s in specs[1:])
    assert sum(bool(s.values["credits"]) for s in specs) == 1
    logos = []
    for s in specs:
        result = compose(s, platform, validated.theme, 0.5)
        pages = [r for r in result.records if r.field == "page"]
        assert len(pages) == 1
        logos.append((round(result.logo["x"]), round(result.logo["y"]), round(result.logo["h"])))
    assert len(set(logos)) == 1  # the header does not move between slides


def test_carousel_recap_comes_after_the_facts_when_there_is_room(story_dir: Path) -> None:
    path = _story(story_dir, "face-centre.jpg")
    path.write_text(path.read_text() + "beats:\n  - {text: 'Bước một của câu chuyện.'}\n")
    validated = load_and_validate(path, story_dir, ["instagram-carousel"])
    platform = get_platform("instagram-carousel")
    specs = plan_cards(validated.loaded, platform, validated.theme)
    names = [s.name for s in specs]
    assert names[-6:] == ["fact-01", "fact-02", "fact-03", "fact-04", "recap-01", "cta"], names
    recap = compose(specs[-2], platform, validated.theme, 0.5)
    assert sum(r.field == "recap" for r in recap.records) == 8
    assert [r.lines for r in recap.records if r.field == "page"] == [("8/9",)]


def test_carousel_facts_fall_back_to_a_recap_when_they_do_not_fit(story_dir: Path) -> None:
    path = _story(story_dir, "face-centre.jpg")
    beats = "".join(f"  - {{text: 'Bước {i} của câu chuyện.'}}\n" for i in range(1, 7))
    path.write_text(path.read_text() + "beats:\n" + beats)
    validated = load_and_validate(path, story_dir, ["instagram-carousel"])
    platform = get_platform("instagram-carousel")
    names = [s.name for s in plan_cards(validated.loaded, platform, validated.theme)]
    # 1 + 6 beats + quote + 4 facts + CTA = 13: the four facts share one recap slide.
    assert len(names) == 10 and names[-2:] == ["recap-01", "cta"], names
    assert not any(n.startswith("fact") for n in names)


def test_thumbnail_text_is_two_lines_at_40px_or_more(story_dir: Path, tmp_path: Path) -> None:
    path = _story(story_dir, "face-landscape.jpg")
    long_title = "Hành trình hai mươi bốn tháng của một kỹ sư kiểm thử chip từ Bắc Ninh ra thế giới"
    path.write_text(path.read_text().replace("Con chip đi qua tay kỹ sư Việt", long_title))
    validated = load_and_validate(path, story_dir, ["youtube-thumbnail"])
    [entry] = [
        e.as_dict() for e in render_cards(validated, tmp_path / "o") if e.output == "thumbnail"
    ]
    assert entry["text_boxes"]
    for box in entry["text_boxes"]:
        assert box["size"] >= 40 and len(box["lines"]) <= 2, box
    assert {b["field"] for b in entry["text_boxes"]} == {"thumbnail_text"}
    assert entry["subject"]["h"] >= 0.3 * 720  # the face is large


def test_cta_shows_link_handle_and_qr_not_hashtags(story_dir: Path) -> None:
    path = _story(
        story_dir, "face-centre.jpg", extra="qr: true\nhandle: '@ban.dan'\nhashtags: [HoiNhap]\n"
    )
    validated = load_and_validate(path, story_dir, ["tiktok"], layout_pass=False)
    platform = get_platform("tiktok")
    cta = next(
        s for s in plan_cards(validated.loaded, platform, validated.theme) if s.name == "cta"
    )
    result = compose(cta, platform, validated.theme)
    fields = {r.field for r in result.records}
    assert {"cta", "cta_link", "cta_second"} <= fields and "hashtags_line" not in fields
    link = next(r for r in result.records if r.field == "cta_link")
    assert link.size >= 40
    cv2 = pytest.importorskip("cv2")
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(np.asarray(result.image.convert("L")))
    assert decoded == "hoinhap.vn/ban-dan"
    # Without a link or handle, the slot and its label are hidden.
    bare = (
        path.read_text()
        .replace('link: "hoinhap.vn/ban-dan"\n', "")
        .replace("qr: true\nhandle: '@ban.dan'\n", "")
    )
    path.write_text(bare)
    empty_theme = story_dir / "themes" / "nohandle"
    empty_theme.mkdir(parents=True)
    (empty_theme / "theme.yaml").write_text("name: nohandle\nextends: default\nhandle: ''\n")
    path.write_text(bare.replace("theme: default", "theme: nohandle"))
    validated = load_and_validate(path, story_dir, ["tiktok"], layout_pass=False)
    cta = next(
        s for s in plan_cards(validated.loaded, platform, validated.theme) if s.name == "cta"
    )
    fields = {r.field for r in compose(cta, platform, validated.theme, 0.5).records}
    # The headline and its second sentence; the empty link slot and its label are hidden.
    assert fields == {"cta", "cta_tail", "cta_kicker"}


def test_long_byline_wraps_or_drops_in_order_and_names_the_part(story_dir: Path) -> None:
    path = _story(story_dir, "face-centre.jpg")
    text = path.read_text().replace(
        'org: "AgriLink"',
        'org: "Trung tâm Nghiên cứu và Phát triển Vi mạch Bán dẫn Quốc gia Việt Nam"',
    )
    path.write_text(text)
    validated = load_and_validate(path, story_dir, ["tiktok", "instagram-feed"])
    assert not [d for d in validated.diagnostics if d.severity == "error"]
    huge = text.replace('name: "Trần Minh Thư"', 'name: "' + "Trần Minh Thư Nguyễn " * 12 + '"')
    path.write_text(huge)
    with pytest.raises(StoryError) as info:
        load_and_validate(path, story_dir, ["tiktok"])
    assert any("shorten `person.name`" in d.format() for d in info.value.diagnostics)


def test_stack_has_fixed_rhythm_and_no_flat_band(story_dir: Path) -> None:
    path = _story(story_dir, "face-centre.jpg")
    validated = load_and_validate(path, story_dir, ["tiktok", "instagram-feed"], layout_pass=False)
    for platform in validated.platforms:
        for spec in plan_cards(validated.loaded, platform, validated.theme):
            image = compose(spec, platform, validated.theme, 0.25).image
            arr = np.asarray(image.convert("L"), dtype=np.float32)
            flat = arr.std(axis=1) < 0.6
            longest = run = 0
            for f in flat:
                run = run + 1 if f else 0
                longest = max(longest, run)
            assert longest <= 0.25 * arr.shape[0], (platform.name, spec.name, spec.variant, longest)


def test_theme_schema_errors_are_located_with_did_you_mean(story_dir: Path) -> None:
    folder = story_dir / "themes" / "broken"
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text(
        "name: broken\n"
        "extends: default\n"
        "colrs: {text: '#000000'}\n"
        "layouts:\n"
        "  vertical:\n"
        "    cover:\n"
        "      - {type: txt, field: title}\n"
        "      - {type: text, field: title, max_line: 3}\n"
        "      - {type: logo, height: big}\n"
    )
    with pytest.raises(ThemeError) as info:
        load_theme("broken", (story_dir / "themes",))
    lines = [d.format() for d in info.value.diagnostics]
    rel = str(folder / "theme.yaml")
    assert any(
        ln.startswith(rel) and ":3:1: error: colrs: unknown field — did you mean `colors`?" in ln
        for ln in lines
    ), lines
    assert any(
        ":7:16: error: layouts.vertical.cover[0].type: unknown layer type `txt` — did you mean `text`?"
        in ln
        for ln in lines
    ), lines
    assert any(
        ":8:36: error: layouts.vertical.cover[1].max_line: unknown field — did you mean `max_lines`?"
        in ln
        for ln in lines
    ), lines
    assert any("layouts.vertical.cover[2].height" in ln for ln in lines), lines
    path = _story(story_dir, "face-centre.jpg", theme="broken")
    with pytest.raises(StoryError) as err:
        load_and_validate(path, story_dir, ["tiktok"])
    assert any(d.path.endswith("themes/broken/theme.yaml") for d in err.value.diagnostics)


def test_shipped_themes_have_three_layouts_per_card_type() -> None:
    for name in ("default", "lotus"):
        theme = load_theme(name)
        for fmt in ("vertical", "portrait"):
            for card in ("cover", "quote", "fact", "cta"):
                assert len(theme.variants(fmt, card)) >= 3, (name, fmt, card)


def test_old_single_layout_themes_still_work(story_dir: Path) -> None:
    folder = story_dir / "themes" / "old"
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text(
        "name: old\nextends: default\nlayouts:\n  vertical:\n    cover:\n"
        "      - {type: background, color: deep}\n"
        "      - {type: photo, source: cover}\n"
        "      - {type: text, field: title, box: [0.0, 0.6, 1.0, 0.3], font: title, size: [90, 40]}\n"
    )
    path = _story(story_dir, "face-centre.jpg", theme="old")
    validated = load_and_validate(path, story_dir, ["tiktok"], layout_pass=False)
    platform = get_platform("tiktok")
    cover = plan_cards(validated.loaded, platform, validated.theme)[0]
    assert cover.variant == "cover"
    assert not compose(cover, platform, validated.theme, 0.5).errors


def test_lotus_never_fades_cream_over_a_face(story_dir: Path) -> None:
    path = _story(story_dir, "face-low.jpg", theme="lotus")
    validated = load_and_validate(path, story_dir, layout_pass=False)
    for platform in validated.platforms:
        for spec in plan_cards(validated.loaded, platform, validated.theme):
            result = compose(spec, platform, validated.theme, 0.5)
            if result.face_brightness is not None:
                assert 0.7 <= result.face_brightness <= 1.3, (platform.name, spec.name)


def test_socket_module_untouched() -> None:
    assert socket.socket.connect.__name__ == "connect"
