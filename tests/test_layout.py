"""The text engine: fit, line spacing for stacked marks, Vietnamese line breaking, glyphs."""

from __future__ import annotations

import dataclasses
import unicodedata

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from outreach.layout.geometry import Box
from outreach.layout.text import (
    LayoutError,
    MissingGlyphs,
    TextOverflow,
    TextStyle,
    layout_text,
    split_runs,
)
from outreach.model.text import NBSP
from outreach.paths import fonts_dir
from outreach.render.text_draw import draw_block

FONT = str(fonts_dir() / "BeVietnamPro_800ExtraBold.ttf")
BODY = str(fonts_dir() / "BeVietnamPro_500Medium.ttf")
EMOJI = str(fonts_dir() / "NotoColorEmoji.ttf")
RISK = [
    "Ấấ Ầầ Ẩẩ Ẫẫ Ắắ Ằằ Ẳẳ Ẵẵ Ốố Ồồ Ổổ Ỗỗ Ếế Ềề Ểể Ễễ",
    "ươ Ươ ƯỚC Vĩ Tố Ở Ợ Ữ",
    "NGHỊ QUYẾT 59 — HỘI NHẬP QUỐC TẾ",
    "Đà Nẵng, Cần Thơ, Huế, Quảng Ngãi",
]


def style(**kw) -> TextStyle:
    base = TextStyle(
        font=FONT,
        emoji_font=EMOJI,
        max_size=96,
        min_size=24,
        max_lines=8,
        keep_together=("Việt Nam", "Hà Nội"),
    )
    return dataclasses.replace(base, **kw)


def ink_rows(block, line_index: int, size: tuple[int, int]) -> tuple[int, int]:
    """Top and bottom ink rows of one line, drawn alone."""
    single = dataclasses.replace(block, lines=(block.lines[line_index],))
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    draw_block(canvas, single, (255, 255, 255, 255))
    rows = np.nonzero(np.asarray(canvas)[..., 3].max(axis=1) > 16)[0]
    return int(rows.min()), int(rows.max())


@pytest.mark.parametrize("text", RISK)
@pytest.mark.parametrize("size", [40, 72, 120])
def test_stacked_marks_never_touch_the_line_above(text: str, size: int) -> None:
    # Force several lines: the same risk string repeated, with descenders above marks.
    sample = f"gjpqy {text} gjpqy {text.upper()} ỵỹ {text}"
    st_ = style(max_size=size, min_size=size, max_lines=30)
    block = layout_text(sample, Box(0, 0, 700, 4000), st_)
    assert len(block.lines) >= 3
    rows = [ink_rows(block, i, (800, 4200)) for i in range(len(block.lines))]
    for (_, above_bottom), (below_top, _) in zip(rows, rows[1:], strict=False):
        assert below_top > above_bottom, f"line ink overlaps: {rows}"
    bounds = block.bounds
    assert rows[0][0] >= bounds.y - 1 and rows[-1][1] <= bounds.bottom + 1


def test_nfd_lays_out_and_draws_exactly_like_nfc() -> None:
    text = "Nghị quyết 59 về hội nhập quốc tế — Đà Nẵng ỢỮ"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    images = []
    for t in (text, nfd):
        block = layout_text(t, Box(10, 10, 600, 400), style())
        canvas = Image.new("RGBA", (640, 440), (0, 0, 0, 255))
        draw_block(canvas, block, (255, 255, 255, 255))
        images.append(np.asarray(canvas))
    assert np.array_equal(images[0], images[1])


def test_keep_together_names_and_nbsp() -> None:
    text = "Chúng tôi yêu Việt Nam và Hà Nội, mãi mãi"
    for width in range(260, 900, 40):
        block = layout_text(text, Box(0, 0, width, 2000), style(max_size=48, min_size=48))
        lines = [line.text for line in block.lines]
        joined = "|".join(lines)
        assert "Việt|Nam" not in joined.replace(NBSP, " ").replace(" |", "|")
        for line in lines:
            assert not line.endswith(("Việt", "Hà")), lines


def test_no_single_syllable_alone_on_last_line() -> None:
    text = "Hành trình từ Đồng Tháp đến Tokyo của một ứng dụng nhỏ"
    # Below 410 px "ứng dụng nhỏ" no longer fits a line: a lone "nhỏ" beats "ứng | dụng".
    for width in range(410, 1100, 30):
        block = layout_text(text, Box(0, 0, width, 2000), style(max_size=60, min_size=60))
        if len(block.lines) > 1:
            assert " " in block.lines[-1].text or NBSP in block.lines[-1].text, (
                width,
                [line.text for line in block.lines],
            )


def test_title_lines_follow_the_phrase_before_evenness() -> None:
    # "Kỹ sư Việt trong | chuỗi..." or "...trong chuỗi | cung ứng..." would be more even;
    # an editor starts the prepositional phrase on a line and keeps "chuỗi cung ứng" whole.
    text = "Kỹ sư Việt trong chuỗi cung ứng chip toàn cầu hôm nay"
    block = layout_text(text, Box(0, 0, 1150, 1000), style(max_size=90, min_size=90, balance=True))
    assert [x.text for x in block.lines] == [
        "Kỹ sư Việt",
        "trong chuỗi cung ứng",
        "chip toàn cầu hôm nay",
    ]


def test_balanced_title_lines() -> None:
    text = "Kỹ sư trẻ Việt Nam kiểm thử chip bán dẫn cho thị trường toàn cầu"
    box = Box(0, 0, 1150, 1000)
    plain = layout_text(text, box, style(max_size=90, min_size=90))
    balanced = layout_text(text, box, style(max_size=90, min_size=90, balance=True))
    assert len(balanced.lines) == len(plain.lines) == 3

    def spread(block) -> float:
        return max(x.width for x in block.lines) - min(x.width for x in block.lines)

    # Minimum raggedness already evens out body text; a balanced title is even, last line too.
    assert spread(balanced) <= spread(plain)
    widest = max(x.width for x in balanced.lines)
    assert all(x.width >= 0.75 * widest for x in balanced.lines)


def test_shrinks_then_reports_overflow_with_field_and_amount() -> None:
    box = Box(0, 0, 400, 200)
    block = layout_text("Một câu khá dài cần thu nhỏ để vừa khung", box, style(max_lines=3))
    assert block.size < 96
    with pytest.raises(TextOverflow) as info:
        layout_text("chữ " * 300, box, style(max_lines=3), "quote")
    err = info.value
    assert err.field == "quote"
    assert err.message.startswith("text too long to fit: at the smallest size (24 px) it needs ")
    assert "% over)" in err.message
    assert err.hint.startswith("shorten it by about ")


def test_missing_glyph_is_an_error_not_a_box() -> None:
    with pytest.raises(MissingGlyphs) as info:
        layout_text("Hội nhập 中国", Box(0, 0, 800, 400), style(), "title")
    assert info.value.message == "no bundled font has a glyph for '中' (U+4E2D), '国' (U+56FD)"
    assert info.value.field == "title"


def test_emoji_runs_go_to_the_colour_font_and_are_drawn_in_colour() -> None:
    runs = split_runs("Xin chào 👋🏽 🇻🇳 👨‍👩‍👧", EMOJI, BODY)
    assert [r.emoji for r in runs] == [False, True, False, True, False, True]
    block = layout_text("🇻🇳🇻🇳", Box(0, 0, 600, 300), style(font=BODY))
    canvas = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    draw_block(canvas, block, (255, 255, 255, 255))
    arr = np.asarray(canvas)[..., :3][np.asarray(canvas)[..., 3] > 200]
    red = (arr[:, 0] > 180) & (arr[:, 1] < 80)
    assert red.sum() > 500  # the flag's red field, not white text


# --- property tests ------------------------------------------------------------------------

VI_ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "ẤẦẨẪẬẮẰẲẴẶẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ0123456789.,:;!?—–-\"'()%"
)
words = st.text(alphabet=VI_ALPHABET, min_size=1, max_size=12)
texts = st.lists(
    st.one_of(words, st.sampled_from(["🇻🇳", "🚀", "👩🏽‍💻", "Việt Nam", "Hà Nội"])),
    min_size=1,
    max_size=40,
).map(" ".join)


@given(
    text=texts,
    w=st.integers(min_value=120, max_value=1000),
    h=st.integers(min_value=60, max_value=1400),
    max_size=st.integers(min_value=20, max_value=140),
    max_lines=st.integers(min_value=1, max_value=12),
    balance=st.booleans(),
    align=st.sampled_from(["left", "center", "right"]),
    valign=st.sampled_from(["top", "center", "bottom"]),
    nfd=st.booleans(),
)
def test_layout_never_overflows_its_box(
    text, w, h, max_size, max_lines, balance, align, valign, nfd
):
    if nfd:
        text = unicodedata.normalize("NFD", text)
    box = Box(17, 23, w, h)
    st_ = style(
        max_size=max_size,
        min_size=max(8, max_size // 3),
        max_lines=max_lines,
        balance=balance,
        align=align,
        valign=valign,
    )
    try:
        block = layout_text(text, box, st_)
    except LayoutError:
        return
    assert len(block.lines) <= max_lines
    assert box.contains(block.bounds, tolerance=0.51), (block.bounds, box)
    for line in block.lines:
        assert line.width <= box.w + 0.01
