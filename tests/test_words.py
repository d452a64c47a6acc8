"""Line breaking by words: the segmenter, names, punctuation, URLs, widows, captions."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from outreach.layout.breaking import Measured, min_lines
from outreach.layout.chunks import caption_chunks
from outreach.layout.geometry import Box
from outreach.layout.text import TextStyle, layout_text, measure, paragraphs, prepare
from outreach.layout.words import WORD_BREAK, paragraph, segment
from outreach.paths import fonts_dir

FONT = str(fonts_dir() / "BeVietnamPro_700Bold.ttf")
EMOJI = str(fonts_dir() / "NotoColorEmoji.ttf")

#: Compounds and names that no list in the project holds.
COMPOUNDS = [
    "chất lượng",
    "chiến lược",
    "thương mại",
    "nhập khẩu",
    "lãnh thổ",
    "vật lý",
    "tự hào",
    "kiểm thử",
    "thiết bị",
    "đồng nghiệp",
    "phân phối",
    "doanh nghiệp",
    "thế giới",
    "sinh viên",
    "nghiên cứu",
    "công nghệ",
    "hợp tác",
    "phát triển",
    "kinh tế",
    "giáo dục",
    "môi trường",
    "bền vững",
]
SINGLES = ["và", "của", "cho", "với", "những", "các", "một", "đã", "sẽ", "rất", "ở", "từ", "đến"]


def style(**kw) -> TextStyle:
    base = TextStyle(font=FONT, emoji_font=EMOJI, max_size=56, min_size=56, max_lines=40)
    return dataclasses.replace(base, **kw)


def boundaries(lines: list[str]) -> list[tuple[str, str]]:
    """(last syllable of a line, first syllable of the next) for every break."""
    return [(a.split()[-1], b.split()[0]) for a, b in zip(lines, lines[1:], strict=False)]


def inside_words(text: str, lines: list[str]) -> list[str]:
    """The segmenter's words (of the whole text) that the line breaks cut.

    Aligned by characters: the segmenter splits punctuation off ("cảng," -> "cảng", ",")."""
    syllables = text.split()
    gap_after: dict[int, int] = {}  # characters so far -> gap index
    acc = 0
    for gi, syl in enumerate(syllables[:-1]):
        acc += len(syl)
        gap_after[acc] = gi
    gaps: dict[int, str] = {}
    acc = 0
    for token in segment(text):
        parts = token.split()
        for k, part in enumerate(parts):
            acc += len(part)
            if k < len(parts) - 1 and acc in gap_after:
                gaps[gap_after[acc]] = token
    assert sum(len(x.split()) for x in lines) == len(syllables)
    cut = []
    pos = -1
    for line in lines[:-1]:
        pos += len(line.split())
        if pos in gaps:
            cut.append(gaps[pos])
    return cut


sentences = st.lists(
    st.one_of(st.sampled_from(COMPOUNDS), st.sampled_from(SINGLES)), min_size=4, max_size=18
).map(" ".join)


@given(sentences, st.integers(180, 900))
@settings(deadline=None)
def test_a_random_sentence_never_breaks_inside_a_word_when_another_break_fits(
    text: str, width: int
) -> None:
    st_ = style()
    box = Box(0, 0, width, 100_000)
    # At this size every word fits the width, so a layout without a split word exists...
    par = paragraphs(prepare(text), st_)[0]
    tw = [measure(p.text, FONT, EMOJI, 56) for p in par.pieces]
    gw = [measure(p.glue, FONT, EMOJI, 56) if p.glue else 0.0 for p in par.pieces]
    clean = min_lines(Measured(par.pieces, tw, gw), width, WORD_BREAK / 2)
    assume(clean is not None)
    block = layout_text(text, box, st_)
    lines = [line.text for line in block.lines]
    # ...and the engine finds one: no line boundary falls inside a segmenter word.
    assert inside_words(text, lines) == [], lines
    assert block.split == ()


def test_a_break_inside_a_word_only_when_nothing_else_fits_and_it_is_named() -> None:
    text = "chiến lược thương mại"
    # Narrower than "chiến lược" at the smallest size: the word must break, and says so.
    w = measure("thương", FONT, EMOJI, 56) + 5
    block = layout_text(text, Box(0, 0, w, 2000), style())
    assert [line.text for line in block.lines] == ["chiến", "lược", "thương", "mại"]
    assert block.split == ("chiến lược", "thương mại")
    # With room for the words, the size shrinks rather than splitting them.
    roomy = style(max_size=90, min_size=40)
    wide = measure("thương mại", FONT, EMOJI, 50)
    block = layout_text(text, Box(0, 0, wide, 2000), roomy)
    assert block.split == ()
    assert [line.text for line in block.lines] == ["chiến lược", "thương mại"]


@pytest.mark.parametrize("width", range(300, 1000, 35))
def test_story_names_and_places_are_one_unit(width: int) -> None:
    text = "Anh Nguyễn Minh Khoa rời Cao Lãnh để đến làm việc tại Hợp tác xã Tân Hội Phát"
    names = ("Nguyễn Minh Khoa", "Cao Lãnh", "Hợp tác xã Tân Hội Phát")
    block = layout_text(text, Box(0, 0, width, 4000), style(max_size=48, min_size=48, names=names))
    joined = "|".join(line.text for line in block.lines)
    for name in names:
        if measure(name, FONT, EMOJI, 48) <= width:
            assert name in joined, (name, joined)


def test_keep_together_and_no_break_space_still_force() -> None:
    text = "Chúng tôi yêu Hà Giang và Mộc\u00a0Châu mãi"
    for width in range(220, 700, 20):
        st_ = style(max_size=40, min_size=40, keep_together=("Hà Giang",))
        block = layout_text(text, Box(0, 0, width, 3000), st_)
        joined = "|".join(line.text for line in block.lines)
        assert "Hà|Giang" not in joined and "Mộc|Châu" not in joined, joined


OPENING = ("(", "[", "«", "“", "‘")
CLOSING = (",", ".", ";", ":", "!", "?", ")", "]", "»", "”", "’", "…", "%")


@given(
    st.lists(
        st.sampled_from(
            [
                "xin",
                "chào",
                "«",
                "»",
                "!",
                "?",
                "—",
                "50",
                "%",
                "3",
                "km",
                "(",
                ")",
                "“",
                "”",
                "…",
                "thế giới",
                "Việt Nam",
            ]
        ),
        min_size=3,
        max_size=24,
    ),
    st.integers(150, 600),
)
@settings(deadline=None)
def test_punctuation_numbers_and_dashes_never_start_or_end_a_line_wrongly(
    words: list[str], width: int
) -> None:
    text = " ".join(words)
    st_ = style(max_size=40, min_size=40)
    par = paragraphs(prepare(text), st_)[0]
    tw = [measure(p.text, FONT, EMOJI, 40) for p in par.pieces]
    gw = [measure(p.glue, FONT, EMOJI, 40) if p.glue else 0.0 for p in par.pieces]
    assume(min_lines(Measured(par.pieces, tw, gw), width, WORD_BREAK / 2) is not None)
    block = layout_text(text, Box(0, 0, width, 100_000), st_)
    lines = [line.text for line in block.lines]
    for a, b in zip(lines, lines[1:], strict=False):
        assert not b.startswith(CLOSING), lines
        assert not a.endswith(OPENING), lines
        assert not b.startswith(("—", "–")), lines  # a spaced dash stays with the word before
        assert not (re.search(r"(^|\s)\d+$", a) and b.split()[0] in ("%", "km")), lines


def test_urls_break_at_their_separators_and_hashtags_never() -> None:
    url = "https://hoinhap.vn/cau-chuyen/nong-san-dong-thap-den-tokyo"
    block = layout_text(f"Đọc thêm: {url}", Box(0, 0, 520, 2000), style(max_size=40, min_size=40))
    lines = [line.text for line in block.lines]
    assert "".join(lines).replace("Đọc thêm:", "") == url
    for line in lines[1:]:
        assert line[0] in "/.-_?#%~&=" or line.startswith(("hoinhap", "https")), lines
    tag = "#NghiQuyetHoiNhapQuocTe59"
    block = layout_text(
        f"#HoiNhap {tag} #ThanhNien", Box(0, 0, 700, 2000), style(max_size=44, min_size=44)
    )
    assert any(line.text.split()[0] == tag or tag in line.text for line in block.lines)
    assert all(line.text.split()[0].startswith("#") for line in block.lines)


def test_email_breaks_only_at_at_or_dot() -> None:
    par = paragraph("Viết cho lan.nguyen@agrilink.example.vn nhé")
    pieces = [p.text for p in par.pieces if p.kind == "intra"]
    assert all(p.startswith(("@", ".")) or p == "lan" for p in pieces), pieces


@pytest.mark.parametrize("width", [700, 760, 823, 900, 1000])
def test_titles_end_without_a_lone_word_when_a_smaller_size_avoids_it(width: int) -> None:
    text = "Vươn ra thế giới cùng doanh nghiệp Việt"
    st_ = style(max_size=118, min_size=44, max_lines=6, balance=True)
    block = layout_text(text, Box(0, 0, width, 900), st_, "title")
    last = block.lines[-1].text
    assert len(block.lines) == 1 or last not in ("Việt", "nghiệp Việt"), [
        line.text for line in block.lines
    ]
    assert len(paragraph(last).words) >= 2 or len(block.lines) == 1


def test_a_widow_costs_less_than_a_split_word() -> None:
    text = "một ứng dụng nhỏ"
    w = measure("ứng dụng", FONT, EMOJI, 56) + 4
    block = layout_text(text, Box(0, 0, w, 2000), style(), "title")
    assert [line.text for line in block.lines] == ["một", "ứng dụng", "nhỏ"]


def test_english_breaks_at_uax14_opportunities_without_the_segmenter() -> None:
    par = paragraph("The world of supply chains and e-mail", lang="en")
    assert [p.kind for p in par.pieces if p.kind in ("word", "name")] == []
    assert any(p.text == "e-" and p.kind == "intra" for p in par.pieces)
    # A Vietnamese place inside English text is still one unit.
    par = paragraph("She grew up in Đà Nẵng by the sea", lang="en")
    assert "Đà Nẵng" in par.words


def test_caption_lines_and_cues_never_cut_a_word_or_name() -> None:
    text = (
        "Sáng họp với đồng nghiệp Hàn Quốc, tối trao đổi với khách hàng Mỹ: tiếng Anh và "
        "quy trình chuẩn là ngôn ngữ chung. Từng lô chip thành phẩm rời cảng, nối Việt Nam "
        "sâu hơn vào chuỗi giá trị toàn cầu, cùng các nhà phân phối thiết bị kiểm thử."
    )
    st_ = TextStyle(
        font=FONT,
        emoji_font=EMOJI,
        max_size=64,
        min_size=44,
        max_lines=2,
        align="center",
        valign="bottom",
        balance=True,
        names=("Hàn Quốc",),
    )
    box = Box(65, 1000, 700, 64 * 1.18 * 2.7)
    blocks = caption_chunks(text, box, st_, "beats[0].text")
    lines = [line.text for b in blocks for line in b.lines]
    assert " ".join(lines).split() == text.split()
    assert inside_words(text, lines) == []
    assert all(1 <= len(b.lines) <= 2 for b in blocks)
    assert len({b.size for b in blocks}) == 1
    assert "Hàn Quốc," in " ".join(lines)


def test_the_segmenter_loads_through_the_public_api_if_the_fast_path_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from outreach.layout import words

    fast = words._fast_word_tokenize()
    assert fast("chất lượng thương mại") == ["chất lượng", "thương mại"]

    def broken() -> None:
        raise ImportError("a future underthesea moved its modules")

    monkeypatch.setattr(words, "_fast_word_tokenize", broken)
    public = words._load_word_tokenize()
    assert public("chất lượng thương mại") == ["chất lượng", "thương mại"]


def test_srt_lines_and_cues_never_cut_a_word() -> None:
    import srt

    from outreach.render.video.captions import time_chunks, to_srt, to_vtt

    text = (
        "Tấm wafer từ nước ngoài được cắt, đóng gói, kiểm thử tại đây trước khi đến tay các "
        "hãng thiết bị khắp thế giới, cùng đồng nghiệp ở Bắc Ninh theo Nghị quyết 59-NQ/TW."
    )
    st_ = TextStyle(
        font=FONT,
        emoji_font=EMOJI,
        max_size=64,
        min_size=44,
        max_lines=2,
        align="center",
        valign="bottom",
        balance=True,
        names=("Bắc Ninh",),
    )
    box = Box(65, 1000, 640, 64 * 1.18 * 2.7)
    chunks = time_chunks(caption_chunks(text, box, st_, "beats[0].text"), 0, 600)
    cues = list(srt.parse(to_srt(chunks, 30)))
    assert len(cues) == len(chunks) >= 2
    lines = [line for cue in cues for line in cue.content.split("\n")]
    assert " ".join(lines) == text
    assert inside_words(text, lines) == []
    assert all(not line.startswith(("59", "NQ", "TW")) or "59-NQ/TW" in line for line in lines)
    assert to_vtt(chunks, 30).count(" --> ") == len(cues)
