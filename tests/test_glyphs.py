"""Nothing vanishes: fallback fonts draw symbols, invisible characters and separators are
handled, tone marks typed out of order draw right, and the manifest says what was drawn."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from outreach.cli import main
from outreach.diagnostics import StoryError
from outreach.layout.fonts import fallback_chain, font_weight
from outreach.layout.geometry import Box
from outreach.layout.text import MissingGlyphs, TextStyle, layout_text, split_runs
from outreach.model.loader import load_story
from outreach.model.text import clean_text, fix_mark_order
from outreach.paths import fonts_dir
from outreach.render.text_draw import draw_block
from tests.conftest import write_story

BOLD = str(fonts_dir() / "BeVietnamPro_800ExtraBold.ttf")
BODY = str(fonts_dir() / "BeVietnamPro_400Regular.ttf")
EMOJI = str(fonts_dir() / "NotoColorEmoji.ttf")
SYMBOLS = ["→", "✓", "★", "№", "°", "∞", "©", "≈", "π", "Ω", "Ж", "λ", "←", "✔", "±", "€"]


def style(font: str = BOLD, size: int = 72) -> TextStyle:
    return TextStyle(font=font, emoji_font=EMOJI, max_size=size, min_size=size, max_lines=6)


def ink(text: str, font: str = BOLD, size: int = 72) -> np.ndarray:
    block = layout_text(text, Box(10, 10, 1400, 600), style(font, size))
    canvas = Image.new("RGBA", (1420, 620), (0, 0, 0, 0))
    draw_block(canvas, block, (255, 255, 255, 255))
    return np.asarray(canvas)[..., 3] > 96


@pytest.mark.parametrize("symbol", SYMBOLS)
@pytest.mark.parametrize("font", [BOLD, BODY])
def test_symbol_twins_differ_by_the_symbols_ink(symbol: str, font: str) -> None:
    with_symbol, without = ink(f"Cần Thơ {symbol} New Delhi", font), ink("Cần Thơ New Delhi", font)
    # The twin with the symbol has more ink: a glyph of its own, not an empty box.
    assert with_symbol.sum() > without.sum() + 40, symbol
    alone = ink(symbol, font)
    assert alone.sum() > 40, symbol


def test_greek_and_cyrillic_names_render_with_ink() -> None:
    assert ink("Αθήνα").sum() > 1000 and ink("Москва").sum() > 1000


def test_fallbacks_match_weight_and_cap_height() -> None:
    chain = fallback_chain(BOLD)
    noto_sans, scale, _ = chain[0]
    assert font_weight(noto_sans) == 700  # the closest weight to ExtraBold 800
    assert font_weight(fallback_chain(BODY)[0][0]) == 400
    # Cap heights match: the fallback's capital Ω is as tall as the text font's H.
    h = ink("H")
    omega = ink("Ω")
    rows = lambda m: np.nonzero(m.any(axis=1))[0]  # noqa: E731
    assert abs((rows(h).max() - rows(h).min()) - (rows(omega).max() - rows(omega).min())) <= 2
    assert 1.0 < scale < 1.1
    runs = split_runs("Cần Thơ → Delhi", EMOJI, BOLD)
    assert [r.font.rsplit("/", 1)[-1] for r in runs] == [
        "BeVietnamPro_800ExtraBold.ttf",
        "NotoSansSymbols-Bold.ttf",
        "BeVietnamPro_800ExtraBold.ttf",
    ]


def test_emoji_stay_in_colour() -> None:
    runs = split_runs("Xin chào 👋🏽 ✓", EMOJI, BODY)
    assert [(r.text, r.emoji) for r in runs][1] == ("👋🏽", True)


def test_cjk_is_a_clear_error_naming_field_and_code_point() -> None:
    with pytest.raises(MissingGlyphs) as info:
        layout_text("Hội nhập 中国", Box(0, 0, 800, 400), style(), "title")
    assert info.value.message == "no bundled font has a glyph for '中' (U+4E2D), '国' (U+56FD)"
    assert info.value.field == "title"
    assert "CJK font" in info.value.hint


# --- invisible characters, separators and mark order --------------------------------------

BASE = 'kind: startup\nlang: vi\ntitle: "Từ Đồng Tháp đến Tokyo"\n'


def test_line_and_paragraph_separators_become_line_breaks(story_dir: Path) -> None:
    path = write_story(story_dir, "a.yaml", BASE + 'hook: "Dòng một\\Ldòng hai\\Pdòng ba\\Nbốn"\n')
    hook = load_story(path).story.hook
    assert hook == "Dòng một\ndòng hai\ndòng ba\nbốn"
    block = layout_text(hook, Box(0, 0, 1000, 1000), style(BODY, 40))
    assert [line.text for line in block.lines] == ["Dòng một", "dòng hai", "dòng ba", "bốn"]


def test_zero_width_characters_are_not_content(story_dir: Path) -> None:
    path = write_story(
        story_dir, "a.yaml", 'kind: startup\nlang: vi\ntitle: "\\u200b\\u2060\\ufeff\\u200d"\n'
    )
    with pytest.raises(StoryError) as info:
        load_story(path)
    [d] = info.value.diagnostics
    assert d.format() == f"{path}:3:8: error: title: must not be empty — write a short headline"
    assert clean_text("Hội\u200b nhập\u00ad\u200e") == "Hội nhập"
    assert clean_text("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # joiners inside emoji stay


def test_control_characters_are_an_error_naming_the_field(story_dir: Path) -> None:
    path = write_story(story_dir, "a.yaml", BASE + 'cta: "Tham gia\\x07 ngay"\n')
    with pytest.raises(StoryError) as info:
        load_story(path)
    [d] = info.value.diagnostics
    assert d.field == "cta" and "U+0007" in d.message


def test_tone_mark_before_circumflex_is_reordered_with_a_warning(story_dir: Path) -> None:
    path = write_story(
        story_dir, "a.yaml", 'kind: startup\nlang: vi\ntitle: "NGHỊ QUYE\\u0301\\u0302T 59"\n'
    )
    loaded = load_story(path)
    assert loaded.story.title == "NGHỊ QUYẾT 59"
    [w] = loaded.warnings
    assert w.format() == (
        f"{path}:3:8: warning: title: tone mark typed before the vowel mark: "
        "`QUYÉ̂T` is drawn as `QUYẾT` — retype the word; set the keyboard (Unikey, EVKey) to "
        "Unicode dựng sẵn"
    )
    # Same pixels as the correct spelling.
    assert np.array_equal(ink(clean_text("QUYE\u0301\u0302T")), ink("QUYẾT"))


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        ("A\u0300\u0306", "Ằ"),
        ("a\u0309\u0302", "ẩ"),
        ("o\u0303\u0302", "ỗ"),
        ("e\u0323\u0302", "ệ"),  # canonical order already: unchanged
        ("u\u0301\u031b", "ứ"),  # the horn has its own class: NFC fixes it
        ("Đà Nẵng", "Đà Nẵng"),
    ],
)
def test_mark_order(typed: str, right: str) -> None:
    assert fix_mark_order(typed) == unicodedata.normalize("NFC", right)


# --- the manifest says what was drawn ----------------------------------------------------


def test_manifest_text_boxes_carry_lines_and_size(story_dir: Path, tmp_path: Path) -> None:
    story = (
        BASE.replace("Từ Đồng Tháp đến Tokyo", "Vươn ra thế giới cùng doanh nghiệp Việt → Tokyo")
        + 'hook: "Cần Thơ\\u2028New Delhi ✓"\n'
        + 'person: {name: "Nguyễn Minh Khoa", place: "Cao Lãnh", photo: media/photo.jpg}\n'
        + 'quote: "Chất lượng là chiến lược thương mại của chúng tôi."\n'
    )
    path = write_story(story_dir, "a.yaml", story)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["render", str(path), "-o", str(out), "--only", "cards", "-q", "-p", "tiktok"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = data["files"] if isinstance(data, dict) else data
    boxes = {b["field"]: b for e in entries for b in e.get("text_boxes", [])}
    title = boxes["title"]
    assert isinstance(title["size"], int) and 44 <= title["size"] <= 118
    assert " ".join(title["lines"]) == "Vươn ra thế giới cùng doanh nghiệp Việt → Tokyo"
    assert all(unicodedata.is_normalized("NFC", line) for line in title["lines"])
    assert boxes["hook"]["lines"] == ["Cần Thơ", "New Delhi ✓"]
    assert boxes["quote_by"]["lines"] == ["Nguyễn Minh Khoa"]


def test_split_word_warning_names_the_word(story_dir: Path) -> None:
    from outreach.render.layers import TextRecord

    rec = TextRecord("title", Box(0, 0, 1, 1), 9.0, ("chiến", "lược"), 44, ("chiến lược",))
    assert rec.as_manifest()["lines"] == ["chiến", "lược"] and rec.split == ("chiến lược",)
    narrow = dataclasses.replace(style(BODY, 60), min_size=60)
    from outreach.layout.text import measure

    w = measure("thương", BODY, EMOJI, 60) + 2
    block = layout_text("chiến lược thương mại", Box(0, 0, w, 2000), narrow, "title")
    assert block.split == ("chiến lược", "thương mại")
