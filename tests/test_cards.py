"""Cards: golden images per card type, theme and language; sizes; safe zones; photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from outreach.diagnostics import StoryError
from outreach.layout.geometry import Box, text_allowed
from outreach.pack.story import load_and_validate, render_cards
from outreach.platforms import all_platforms, get_platform
from outreach.render.cards import compose, plan_cards
from outreach.render.contrast import MIN_CONTRAST
from outreach.render.photos import photo_fill
from tests.conftest import write_story
from tests.golden import MAX_MISMATCH, assert_golden, mismatch

STORY_VI = """\
kind: startup
lang: vi
status: approved
title: "Từ Đồng Tháp đến Tokyo"
hook: "24 tháng, 3 thị trường, 1 ứng dụng cho nông dân 🌾"
person: {name: "Trần Thị Mai", role: "Nhà sáng lập", org: "AgriLink", place: "Đồng Tháp", photo: media/photo.jpg, focus: [0.5, 0.3]}
quote: "Chúng tôi mang dữ liệu của nông dân Việt Nam đến những thị trường khó tính nhất."
beats:
  - {text: "Năm 2023, AgriLink bắt đầu với 40 hộ trồng xoài ở Cao Lãnh.", media: media/photo.jpg}
facts:
  - {value: "194", label: "quốc gia có quan hệ ngoại giao với Việt Nam", source: "Nghị quyết 59-NQ/TW"}
cta: "Bạn sẽ mang điều gì của Việt Nam ra thế giới?"
link: "hoinhap.vn/agrilink"
hashtags: [HoiNhap, KhoiNghiep]
credits: "Ảnh: minh hoạ"
"""
STORY_EN = """\
kind: student
lang: en
status: approved
title: "From Đà Nẵng to the Geneva climate forum"
hook: "One student, 40 countries, a voice for the Mekong"
person: {name: "Lê Minh Anh", role: "Student", org: "University of Đà Nẵng", photo: media/photo.jpg}
quote: "Young people from the Mekong Delta have data the world needs to hear."
beats:
  - {text: "She started by measuring salt in the river near her grandmother's farm.", media: media/photo.jpg}
facts:
  - {value: "38", label: "partnership frameworks between Viet Nam and other countries", source: "Resolution 59-NQ/TW"}
cta: "Which global stage will you step onto?"
hashtags: [VietNam, Youth]
credits: "Photo: illustration"
"""
CASES = [  # card name, platform
    ("cover", "tiktok"),
    ("quote", "tiktok"),
    ("fact-01", "tiktok"),
    ("cta", "tiktok"),
    ("beat-01", "instagram-carousel"),
    ("thumbnail", "youtube-thumbnail"),
]


def _validated(story_dir: Path, text: str, theme: str):
    path = write_story(story_dir, f"story-{theme}.yaml", text + f"theme: {theme}\n")
    return load_and_validate(path, story_dir)


@pytest.mark.parametrize("theme", ["default", "lotus"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_golden_cards(story_dir: Path, theme: str, lang: str, update_golden: bool) -> None:
    validated = _validated(story_dir, STORY_VI if lang == "vi" else STORY_EN, theme)
    for card, platform_name in CASES:
        platform = get_platform(platform_name)
        spec = next(
            s for s in plan_cards(validated.loaded, platform, validated.theme) if s.name == card
        )
        result = compose(spec, platform, validated.theme)
        assert not result.errors
        assert result.image.size == platform.canvas
        assert not result.outside
        for record in result.records:
            assert record.contrast >= MIN_CONTRAST, (card, record)
        assert_golden(result.image, "cards", f"{theme}-{lang}-{card}", update_golden)


def test_a_one_pixel_shift_of_a_text_block_fails_the_golden(story_dir: Path) -> None:
    """The comparison is tight: moving one text block by a single pixel is caught."""
    validated = _validated(story_dir, STORY_VI, "default")
    platform = get_platform("tiktok")
    spec = next(
        s for s in plan_cards(validated.loaded, platform, validated.theme) if s.name == "quote"
    )
    result = compose(spec, platform, validated.theme)
    assert mismatch(result.image, result.image)[0] == 0
    for record in result.records:
        x0, y0, x1, y1 = record.box.rounded()
        shifted = result.image.copy()
        block = result.image.crop((x0, y0, x1, y1))
        shifted.paste(block, (x0 + 1, y0))
        share, _ = mismatch(result.image, shifted)
        assert share > MAX_MISMATCH, (record.field, share)


def test_every_platform_renders_at_its_canvas(story_dir: Path, tmp_path: Path) -> None:
    validated = _validated(story_dir, STORY_VI, "default")
    out = tmp_path / "out"
    entries = render_cards(validated, out)
    by_platform: dict[str, list] = {}
    for e in entries:
        by_platform.setdefault(e.platform, []).append(e)
    assert set(by_platform) == {p.name for p in all_platforms()}
    for platform in all_platforms():
        files = by_platform[platform.name]
        assert {e.output for e in files} >= {"post", "caption"}
        for e in files:
            if e.output in ("post", "caption", "alt"):
                continue
            with Image.open(out / e.path) as im:
                assert im.format == "JPEG"
                assert im.size == platform.canvas
            assert e.bytes <= platform.max_image_bytes
            safe = Box.from_rect(platform.safe_rect)
            for box in e.text_boxes:
                assert text_allowed(
                    Box(box["x"], box["y"], box["w"], box["h"]),
                    safe,
                    platform.keep_clear,
                    tolerance=1.0,
                ), (e.path, box)
    thumb = [e for e in by_platform["youtube-thumbnail"] if e.output == "thumbnail"]
    assert [Path(e.path).name for e in thumb] == ["thumbnail.jpg"] and thumb[0].bytes < 2_000_000
    slides = sorted(
        Path(e.path).name for e in by_platform["instagram-carousel"] if e.output == "slide"
    )
    assert slides[0] == "slide-01.jpg" and len(slides) <= 10
    # Every cover with a photo carries the credits line; a carousel carries it once; the
    # thumbnail has no secondary lines (its credit is in the video's description).
    for e in entries:
        if e.extra.get("card") == "cover" and e.output == "card":
            assert any(b["field"] == "credits" for b in e.text_boxes), e.path
    carousel = [e for e in entries if e.platform == "instagram-carousel" and e.output == "slide"]
    assert sum(any(b["field"] == "credits" for b in e.text_boxes) for e in carousel) == 1


def test_carousel_is_cut_to_ten_slides_with_a_warning(story_dir: Path) -> None:
    beats = "".join(f'  - text: "Bước thứ {i} của câu chuyện này."\n' for i in range(12))
    text = STORY_VI.replace("beats:\n", "beats:\n" + beats)
    path = write_story(story_dir, "long.yaml", text)
    validated = load_and_validate(path, story_dir, ["instagram-carousel"])
    specs = plan_cards(validated.loaded, get_platform("instagram-carousel"), validated.theme)
    assert len(specs) == 10
    assert specs[0].name == "cover" and specs[-1].name == "cta"
    assert [s.values["page"] for s in specs][:2] == ["1/10", "2/10"]
    assert any("do not fit the 10-slide" in d.message for d in validated.warnings)


def test_too_long_text_is_a_located_error(story_dir: Path) -> None:
    text = STORY_VI.replace('title: "Từ Đồng Tháp đến Tokyo"', 'title: "' + "Rất dài " * 60 + '"')
    path = write_story(story_dir, "long.yaml", text)
    with pytest.raises(StoryError) as info:
        load_and_validate(path, story_dir, ["tiktok"])
    first = info.value.diagnostics[0].format()
    assert first.startswith(f"{path}:4:8: error: title: text too long to fit: at the smallest size")
    assert "(cover card, tiktok) — shorten it by about" in first


def test_unknown_platform_and_theme(story_dir: Path) -> None:
    text = STORY_VI + "theme: neon\nplatforms: [tiktok, instagram-fed]\n"
    path = write_story(story_dir, "bad.yaml", text)
    with pytest.raises(StoryError) as info:
        load_and_validate(path, story_dir)
    assert [d.format() for d in info.value.diagnostics] == [
        f"{path}:16:8: error: theme: unknown theme `neon` — use one of: default, lotus",
        f"{path}:17:21: error: platforms[1]: unknown platform `instagram-fed` — did you mean "
        "`instagram-feed`?",
    ]


@pytest.mark.parametrize("kind", ["not-image", "truncated", "bomb"])
def test_bad_photos(story_dir: Path, kind: str) -> None:
    target = story_dir / "media" / "bad.png"
    if kind == "not-image":
        target.write_text("this is not a picture")
        expected = "`media/bad.png` is not an image Pillow can read — use a JPEG, PNG or WebP file"
    elif kind == "truncated":
        Image.effect_noise((600, 600), 60).convert("RGB").save(target)
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 2])
        expected = "`media/bad.png` image is truncated or corrupt — export the photo again"
    else:
        Image.new("1", (12000, 11000)).save(target)  # 132 MP, a few KB on disk
        expected = (
            "`media/bad.png` image is 12000x11000, too large to decode safely "
            "(a decompression bomb) — resize it below 120 megapixels"
        )
    path = write_story(
        story_dir, "p.yaml", STORY_VI.replace("photo: media/photo.jpg", "photo: media/bad.png")
    )
    with pytest.raises(StoryError) as info:
        load_and_validate(path, story_dir, ["tiktok"])
    assert [d.format() for d in info.value.diagnostics] == [
        f"{path}:6:98: error: person.photo: {expected}"
    ]


def _save_modes(folder: Path) -> dict[str, Path]:
    out = {}
    base = Image.new("RGB", (400, 200), (220, 30, 30))
    base.paste((30, 30, 220), (200, 0, 400, 200))  # left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display: left half ends up on top
    base.save(folder / "rotated.jpg", exif=exif)
    out["rotated"] = folder / "rotated.jpg"
    base.convert("CMYK").save(folder / "cmyk.jpg")
    out["cmyk"] = folder / "cmyk.jpg"
    grey = Image.fromarray(np.full((200, 400), 40000, dtype=np.uint16))
    grey.save(folder / "grey16.png")
    out["grey16"] = folder / "grey16.png"
    rgba = base.convert("RGBA")
    rgba.putalpha(128)
    rgba.save(folder / "alpha.png")
    out["alpha"] = folder / "alpha.png"
    base.convert("P", palette=Image.Palette.ADAPTIVE).save(folder / "palette.png")
    out["palette"] = folder / "palette.png"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    base.save(folder / "icc.jpg", icc_profile=srgb)
    out["icc"] = folder / "icc.jpg"
    Image.new("RGB", (9000, 7000), (200, 30, 30)).save(folder / "huge.jpg", quality=70)
    out["huge"] = folder / "huge.jpg"
    return out


def test_photo_modes_become_srgb_and_upright(tmp_path: Path) -> None:
    files = _save_modes(tmp_path)
    rotated = photo_fill(files["rotated"], (100, 200))
    assert rotated.getpixel((50, 20))[0] > 180 and rotated.getpixel((50, 180))[2] > 180
    for name in ("cmyk", "palette", "icc", "huge"):
        im = photo_fill(files[name], (120, 60))
        assert im.mode == "RGB" and im.size == (120, 60)
        r, g, b = im.getpixel((10, 30))
        assert r > 170 and g < 80 and b < 80, (name, (r, g, b))
    grey = photo_fill(files["grey16"], (40, 20)).getpixel((5, 5))
    assert grey[0] == grey[1] == grey[2] and abs(grey[0] - round(40000 / 65535 * 255)) <= 1
    alpha = photo_fill(files["alpha"], (40, 20)).getpixel((5, 5))
    assert abs(alpha[0] - 110) <= 3  # red at half opacity over black


def test_focus_keeps_the_point_in_frame(tmp_path: Path) -> None:
    img = Image.new("RGB", (1000, 400), (0, 0, 0))
    img.paste((255, 255, 255), (880, 0, 1000, 400))  # a white band at the far right
    img.save(tmp_path / "wide.png")
    centred = photo_fill(tmp_path / "wide.png", (200, 200))
    focused = photo_fill(tmp_path / "wide.png", (200, 200), (0.95, 0.5))
    assert centred.getpixel((199, 100))[0] < 20
    assert focused.getpixel((199, 100))[0] > 240


def test_a_long_vietnamese_title_still_fits_every_platform(story_dir: Path) -> None:
    title = (
        "Hành trình hai mươi bốn tháng của một ứng dụng nông nghiệp Việt Nam "
        "từ Đồng Tháp đến những siêu thị ở Tokyo và Singapore"
    )
    text = STORY_VI.replace('title: "Từ Đồng Tháp đến Tokyo"', f'title: "{title}"')
    validated = load_and_validate(write_story(story_dir, "long-title.yaml", text), story_dir)
    titles = [d for d in validated.diagnostics if d.field == "title"]
    # Only the YouTube title (over 100 characters) is shortened, as a warning.
    assert {d.severity for d in titles} == {"warning"}
    assert all("allows 100" in d.message for d in titles)
