"""Phrase-aware breaks: codes and dates whole, no line ending on a function word when
another break is near as good, compounds and CTA phrases kept, caption cues on phrases."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from outreach.layout import phrasing
from outreach.layout.chunks import caption_chunks
from outreach.layout.geometry import Box
from outreach.layout.text import TextOverflow, layout_text, measure
from outreach.layout.words import WORD_BREAK, paragraph
from tests.test_words import COMPOUNDS, EMOJI, FONT, style

#: The words a Vietnamese editor never leaves at the end of a line of display text.
FUNCTION = ["của", "và", "với", "cho", "các", "những", "ở", "trong", "để"]


def costs(text: str, lang: str = "vi") -> dict[str, float]:
    """ "word|next" -> the cost of breaking between them (spaces only)."""
    pieces = paragraph(text, (), lang).pieces
    out = {}
    for a, b in zip(pieces, pieces[1:], strict=False):
        if a.glue:
            out[f"{a.text}|{b.text}"] = a.cost
    return out


def display(**kw):  # a title's style: balanced, shrinks to find a better layout
    base = {"max_size": 90, "min_size": 56, "balance": True, "max_lines": 6}
    return style(**{**base, **kw})


def lines_of(text: str, width: int, field: str = "title", **kw) -> list[str]:
    block = layout_text(text, Box(0, 0, width, 3000), display(**kw), field)
    return [x.text for x in block.lines]


# --- the costs ---------------------------------------------------------------------------


def test_function_words_cost_at_a_line_end_and_content_words_do_not() -> None:
    c = costs("Nhật Bản là thị trường lớn nhất của ứng dụng nông sản Việt")
    assert c["của|ứng"] > 1.0  # a preposition leans on what follows
    assert c["lớn|nhất"] > 1.0  # "nhất" leans on the word before it
    # "trường" ends "thị trường": it is no prefix there (it is in "trường | đại học")
    assert c["trường|lớn"] == 0.0
    assert costs("trường đại học")["trường|đại"] > 1.0
    assert costs("trước khi đến tay các hãng")["trước|khi"] > 1.0


def test_sentence_and_clause_ends_are_bonuses() -> None:
    c = costs("Ra thế giới? Kể cho chúng tôi nghe, ngay hôm nay.")
    assert c["giới?|Kể"] == phrasing.SENTENCE < 0
    assert c["nghe,|ngay"] == phrasing.CLAUSE < 0


def test_a_code_is_one_unit_and_a_date_a_last_resort() -> None:
    pieces = paragraph("Nghị quyết 59-NQ/TW ngày 24 tháng 1 năm 2025", (), "vi").pieces
    inside_code = [p for p in pieces if p.text in ("59-", "NQ/")]
    assert inside_code and all(p.kind == "code" and p.cost >= 1e6 for p in inside_code)
    date = {p.text: p for p in pieces}
    assert date["ngày"].cost == phrasing.DATE_BREAK and date["ngày"].kind == "glue"
    assert date["năm"].cost == phrasing.DATE_BREAK
    english = costs("Resolution 59-NQ/TW of 24 January 2025, explained", "en")
    assert english["24|January"] >= phrasing.DATE_BREAK
    assert english["January|2025,"] >= phrasing.DATE_BREAK
    # not a date: a year that counts nothing, or a number before what it counts
    assert costs("194 quốc gia")["194|quốc"] == phrasing.NUMBER


def test_abbreviations_do_not_end_a_sentence() -> None:
    c = costs("Gặp TS. Lan và GS. Minh ở No. 59", "vi")
    assert c["TS.|Lan"] >= 0.0 and c["GS.|Minh"] >= 0.0


# --- layouts -----------------------------------------------------------------------------


def test_codes_and_dates_stay_whole_at_every_width() -> None:
    texts = {
        "Nghị quyết 59-NQ/TW ngày 24/01/2025 về hội nhập quốc tế trong tình hình mới": [
            "59-NQ/TW",
            "24/01/2025",
        ],
        "Politburo Resolution 59-NQ/TW of 24 January 2025, explained in a minute": [
            "59-NQ/TW",
            "24 January 2025,",
        ],
        "Chính phủ ký ngày 24 tháng 1 năm 2025 tại Hà Nội": ["ngày 24 tháng 1 năm 2025"],
    }
    for text, units in texts.items():
        lang = "en" if "Politburo" in text else "vi"
        for width in range(700, 1301, 50):
            for field, kw in (
                ("title", {}),
                ("body", {"balance": False, "min_size": 90, "max_lines": 20}),
            ):
                lines = lines_of(text, width, field, lang=lang, **kw)
                size = layout_text(
                    text, Box(0, 0, width, 3000), display(lang=lang, **kw), field
                ).size
                for unit in units:
                    if measure(unit, FONT, EMOJI, size) > width:
                        continue  # it cannot stay whole at this size
                    assert any(unit in ln for ln in lines), (width, field, unit, lines)


def test_cta_reads_as_phrases() -> None:
    text = "Bạn có ý tưởng đưa nông sản Việt ra thế giới? Kể cho chúng tôi nghe!"
    for width in (900, 1000, 1100):
        lines = lines_of(text, width, "cta", min_size=60)
        assert lines == [
            "Bạn có ý tưởng",
            "đưa nông sản Việt",
            "ra thế giới?",
            "Kể cho chúng tôi nghe!",
        ]


def test_compounds_and_phrases_are_kept() -> None:
    pairs = {
        "Tấm wafer được kiểm thử tại đây trước khi đến tay các hãng thiết bị": [
            ("trước", "khi"),
            ("các", "hãng"),
        ],
        "Giao thương với 230 quốc gia và vùng lãnh thổ trên thế giới": [
            ("230", "quốc"),
            ("vùng", "lãnh"),
            ("với", "230"),
        ],
        "Nhật Bản là thị trường lớn nhất của ứng dụng nông sản Việt": [("lớn", "nhất")],
    }
    for text, keep in pairs.items():
        for width in range(600, 1201, 100):
            lines = lines_of(text, width)
            ends = [(a.split()[-1], b.split()[0]) for a, b in zip(lines, lines[1:], strict=False)]
            for pair in keep:
                assert pair not in ends, (width, pair, lines)


def test_no_title_line_ends_on_a_function_word_when_a_size_step_avoids_it() -> None:
    text = "Giao thương với 230 quốc gia và vùng lãnh thổ trên thế giới"
    for width in range(600, 1201, 50):
        lines = lines_of(text, width)
        assert not [ln for ln in lines[:-1] if ln.split()[-1] in FUNCTION], (width, lines)


def test_caption_cues_end_on_phrases() -> None:
    text = (
        "Sáng họp với đồng nghiệp Hàn Quốc, tối trao đổi với khách hàng Mỹ: "
        "tiếng Anh và quy trình chuẩn là ngôn ngữ chung của cả nhà máy."
    )
    cap = style(max_size=64, min_size=56, balance=True)
    for width in (700, 823, 900, 1000):
        blocks = caption_chunks(text, Box(0, 0, width, 400), cap, "beats")
        screens = [" ".join(x.text for x in b.lines) for b in blocks]
        assert " ".join(screens).split() == text.split()
        ends = [ln.text.split()[-1] for b in blocks for ln in b.lines][:-1]
        assert not [w for w in ends if w in FUNCTION], (width, screens)
        if width >= 900:  # room for the clause: no cue parts "đồng nghiệp | Hàn Quốc"
            assert screens[0].startswith("Sáng họp với đồng nghiệp Hàn Quốc,"), (width, screens)


def test_a_long_date_may_wrap_in_a_narrow_caption_but_no_cue_cuts_it() -> None:
    text = "Nghị quyết được ký ngày 24 tháng 1 năm 2025 tại Hà Nội."
    cap = style(max_size=88, min_size=70, balance=True)
    width = 760
    assert measure("ngày 24 tháng 1 năm 2025", FONT, EMOJI, 88) > width
    blocks = caption_chunks(text, Box(0, 0, width, 400), cap, "beats")
    assert {b.size for b in blocks} == {88}  # the date does not shrink the beat's captions
    screens = [" ".join(x.text for x in b.lines) for b in blocks]
    assert any("ngày 24 tháng 1 năm 2025" in s for s in screens), screens
    assert any(len(b.lines) == 2 and "ngày" in b.lines[0].text for b in blocks)


# --- the property --------------------------------------------------------------------------

CONTENT = [c for c in COMPOUNDS if c not in ("thế giới",)] + ["Việt Nam", "nông dân", "hôm nay"]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = []
    for _ in range(draw(st.integers(5, 12))):
        words.append(draw(st.sampled_from(CONTENT)))
        if draw(st.booleans()):
            words.append(draw(st.sampled_from(FUNCTION)))
    words.append(draw(st.sampled_from(CONTENT)))
    return " ".join(words)


@settings(max_examples=60, deadline=None)
@given(sentences(), st.integers(420, 1100))
def test_a_line_ends_on_a_function_word_only_when_moving_it_costs_the_layout(
    text: str, width: int
) -> None:
    """If the function word ending a line also fits at the start of the next, and the line
    keeps 70% of its width and ends cleanly without it, the engine must have moved it."""
    size = 64
    try:
        block = layout_text(
            text, Box(0, 0, width, 3000), display(max_size=size, min_size=size, max_lines=30)
        )
    except TextOverflow:
        assume(False)
        raise
    lines = [x.text for x in block.lines]
    assume(not block.split)
    good = {k: v for k, v in costs(text).items() if v <= 0.0}  # clean, phrase-neutral breaks
    for a, b in zip(lines, lines[1:], strict=False):
        *rest, last = a.split()
        if last not in FUNCTION or not rest:
            continue
        shorter = " ".join(rest)
        moved = f"{last} {b}"
        fits = measure(moved, FONT, EMOJI, size) <= width
        full = measure(shorter, FONT, EMOJI, size) >= 0.7 * width
        clean_end = f"{rest[-1]}|{last}" in good
        assert not (fits and full and clean_end), (width, lines)


def test_no_break_inside_a_word_for_phrase_reasons() -> None:
    # phrase costs are all far below a break inside a word: a preposition never wins over it
    worst = max(
        max(phrasing.ROLE_COST.values()),
        phrasing.NUMBER,
        phrasing.QUANTIFIER,
        phrasing.PARTICLE,
        phrasing.INSIDE,
        phrasing.ENCLITIC,
    )
    assert (worst + phrasing.RUNT + phrasing.SPLIT) * 2.5 < WORD_BREAK / 100
