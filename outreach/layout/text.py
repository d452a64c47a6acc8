"""The text engine: NFC, font runs, Vietnamese word breaking, size and breaks, line metrics.

Pure: it measures with fonts but draws nothing; `render.text_draw` paints what it returns.

Rules (see ../shared/vietnamese-typography.md):
- all text is NFC, with invisible characters removed, before anything else;
- lines break between *words* (`layout.words`: the segmenter, the story's names, the
  theme's list, UAX #14 and punctuation rules), chosen with the font size as one
  optimisation (`layout.breaking`); a break inside a word only when nothing else fits,
  and the block records it so `check` can warn;
- lines are spaced from the *ink* extents of stacked capitals (Ấ Ễ Ộ) and descenders,
  so marks never touch the line above, whatever the font's ascender says;
- a character no bundled font has is an error, never a box.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from PIL import ImageFont

from outreach import i18n
from outreach.layout.breaking import (
    DISPLAY_PHRASE,
    LINE,
    STEP,
    STRICT_WIDOW,
    WIDOW,
    Breaks,
    Measured,
    best_lines,
    clean,
    min_lines,
)
from outreach.layout.fonts import (
    EMOJI_STRIKE,
    codepoints,
    fallback_chain,
    has_ink,
    ignorable,
    is_emoji_modifier,
    is_regional_indicator,
    load_font,
)
from outreach.layout.geometry import Box
from outreach.layout.words import INF, WORD_BREAK, Paragraph, line_text, paragraph, uppercase
from outreach.model.text import clean_text, nfc

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "center", "bottom"]

#: Risk strings: the tallest stacked marks and the deepest descenders of Vietnamese.
RISK_TOP = "ẤẦẨẪẮẰẲẴỐỒỔỖẾỀỂỄỘỢỮÁÀÃ"
RISK_BOTTOM = "gjpqyỵỴỷỹọợụựÇ"
#: An emoji is drawn this many ems tall (its bitmap strike is scaled to it).
EMOJI_EM = 1.0
#: How far below the largest fitting size the search goes to avoid a widow.
MAX_STEPS_FOR_WIDOW = 16
#: Fields whose last line must never hold a lone word while a smaller size avoids it.
STRICT_WIDOW_FIELDS = frozenset({"title", "hook", "quote", "cta", "thumbnail_text"})


class LayoutError(ValueError):
    """Text cannot be laid out as asked; `field` says which story field."""

    def __init__(self, message: str, hint: str = "", field: str = ""):
        self.message = message
        self.hint = hint
        self.field = field
        super().__init__(message)


class MissingGlyphs(LayoutError):
    def __init__(self, chars: Sequence[str], field: str = ""):
        self.chars = list(chars)
        shown = ", ".join(_describe(c) for c in self.chars)
        cjk = any(_is_cjk(c) for c in self.chars)
        super().__init__(
            i18n._("no bundled font has a glyph for {chars}", chars=shown),
            i18n._(
                "Chinese, Japanese and Korean characters need a CJK font, which is not bundled: "
                "write the name in Latin letters (pinyin, romaji, romaja)"
            )
            if cjk
            else i18n._("remove or replace the character; the cards would show an empty box"),
            field,
        )


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


class TextOverflow(LayoutError):
    def __init__(self, message: str, hint: str, over_ratio: float, field: str = ""):
        self.over_ratio = over_ratio
        super().__init__(message, hint, field)


@dataclass(frozen=True)
class TextStyle:
    """How one text box is set: fonts, size range, alignment and typesetting rules."""

    font: str
    emoji_font: str
    max_size: int
    min_size: int
    max_lines: int = 99
    align: Align = "left"
    valign: VAlign = "top"
    balance: bool = False
    uppercase: bool = False
    line_gap: float = 0.04
    leading: float = 1.15
    keep_together: tuple[str, ...] = ()  # the theme's names never to split
    names: tuple[str, ...] = ()  # the story's own names: person, organisation, place
    lang: str = ""  # "vi" segments into words; "" guesses from the diacritics


@dataclass(frozen=True)
class Run:
    """Consecutive characters drawn by one font: the text font, a fallback, or emoji."""

    text: str
    emoji: bool
    font: str = ""  # the font file of a text run
    scale: float = 1.0  # size relative to the text size (fallbacks match the cap height)
    stroke: float = 0.0  # synthetic bold for a fallback lighter than the text font, in ems


@dataclass(frozen=True)
class Line:
    text: str
    x: float
    baseline: float
    width: float


@dataclass(frozen=True)
class TextBlock:
    """The result of laying out one text: everything the painter and the checks need."""

    text: str
    size: int
    lines: tuple[Line, ...]
    line_height: float
    ink_top: float  # first line's ink above its baseline
    ink_bottom: float  # last line's ink below its baseline
    box: Box
    style: TextStyle = field(compare=False)
    split: tuple[str, ...] = ()  # words broken across lines because nothing else fitted

    @property
    def bounds(self) -> Box:
        """The area the text really occupies, from the top of the marks to the descenders."""
        if not self.lines:
            return Box(self.box.x, self.box.y, 0, 0)
        x0 = min(line.x for line in self.lines)
        x1 = max(line.x + line.width for line in self.lines)
        y0 = self.lines[0].baseline - self.ink_top
        y1 = self.lines[-1].baseline + self.ink_bottom
        return Box(x0, y0, x1 - x0, y1 - y0)


# --- preparing text ----------------------------------------------------------------------


def prepare(text: str, uppercase: bool = False) -> str:
    """NFC without invisible characters, spaces collapsed on each line."""
    text = clean_text(text)
    text = "\n".join(re.sub(r"[ \t\r\f\v]+", " ", part).strip() for part in text.split("\n"))
    if uppercase:
        text = nfc(text.upper())
    return text


def _text_font_for(
    ch: str, chain: Sequence[tuple[str, float, float]]
) -> tuple[str, float, float] | None:
    for path, scale, stroke in chain:
        if ch.isspace():
            if ord(ch) in codepoints(path):
                return path, scale, stroke
        elif has_ink(path, ch):
            return path, scale, stroke
    return None


@functools.lru_cache(maxsize=16)
def _plain_chars(text_font: str) -> frozenset[str]:
    """Characters the text font draws by itself, below the emoji ranges (the fast path)."""
    return frozenset(
        chr(cp)
        for cp in codepoints(text_font)
        if cp < 0x2000 and unicodedata.category(chr(cp))[0] in "LNPS"
    ) | frozenset(" ")


def split_runs(text: str, emoji_font: str, text_font: str) -> list[Run]:
    """Split text into runs: the text font first, then colour emoji, then the fallbacks."""
    return list(_split_runs(text, emoji_font, text_font))


@functools.lru_cache(maxsize=65536)
def _split_runs(text: str, emoji_font: str, text_font: str) -> tuple[Run, ...]:
    if text and _plain_chars(text_font).issuperset(text):
        return (Run(text, False, text_font, 1.0, 0.0),)
    text_cps = codepoints(text_font)
    emoji_cps = codepoints(emoji_font)
    chain = ((text_font, 1.0, 0.0), *fallback_chain(text_font))
    runs: list[Run] = []
    chars = list(text)
    for i, ch in enumerate(chars):
        cp = ord(ch)
        nxt = ord(chars[i + 1]) if i + 1 < len(chars) else 0
        prev = runs[-1] if runs else None
        if prev and prev.emoji and (is_emoji_modifier(cp) or _prev_is_zwj(runs)):
            want_emoji = True
        elif is_regional_indicator(cp) or cp >= 0x1F000:
            want_emoji = True
        elif nxt == 0xFE0F or (nxt == 0x20E3):
            want_emoji = cp in emoji_cps
        elif cp == 0xFE0E:
            want_emoji = False
        else:
            want_emoji = (
                not has_ink(text_font, ch)
                and cp in text_cps | emoji_cps
                and cp in emoji_cps
                and not ignorable(ch)
            )
        if want_emoji:
            font, scale, stroke = "", 1.0, 0.0
        elif prev and not prev.emoji and unicodedata.combining(ch):
            font, scale, stroke = prev.font, prev.scale, prev.stroke  # a mark stays with its base
        else:
            font, scale, stroke = _text_font_for(ch, chain) or (text_font, 1.0, 0.0)
        if prev and prev.emoji == want_emoji and prev.font == font:
            runs[-1] = Run(prev.text + ch, want_emoji, font, scale, stroke)
        else:
            runs.append(Run(ch, want_emoji, font, scale, stroke))
    return tuple(runs)


def _prev_is_zwj(runs: list[Run]) -> bool:
    return bool(runs) and runs[-1].text.endswith("\u200d")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if unicodedata.category(ch)[0] in "CZ" or not ch.isprintable():
        return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")
    return f"'{ch}' (U+{ord(ch):04X})"


def missing_glyphs(text: str, text_font: str, emoji_font: str) -> list[str]:
    """Characters that no bundled font draws with ink (text, fallbacks, emoji)."""
    emoji_cps = codepoints(emoji_font)
    missing: list[str] = []
    for run in split_runs(nfc(text), emoji_font, text_font):
        for ch in run.text:
            if ignorable(ch) or is_emoji_modifier(ord(ch)) or ch in missing:
                continue
            if run.emoji:
                if ord(ch) not in emoji_cps:
                    missing.append(ch)
            elif not has_ink(run.font, ch):
                missing.append(ch)
    return missing


# --- measuring -------------------------------------------------------------------------


def emoji_scale(size: int) -> float:
    return size * EMOJI_EM / EMOJI_STRIKE


def run_font(run: Run, size: float) -> ImageFont.FreeTypeFont:
    """The face that draws a text run at a text size (fallbacks scaled to match)."""
    return load_font(run.font, max(1, round(size * run.scale)))


def run_width(run: Run, emoji_font: str, size: int) -> float:
    if run.emoji:
        return load_font(emoji_font, EMOJI_STRIKE).getlength(run.text) * emoji_scale(size)
    return float(run_font(run, size).getlength(run.text))


@functools.lru_cache(maxsize=65536)
def measure(text: str, text_font: str, emoji_font: str, size: int) -> float:
    """Advance width of a single line of mixed text and emoji, in pixels."""
    return sum(run_width(run, emoji_font, size) for run in split_runs(text, emoji_font, text_font))


@functools.lru_cache(maxsize=1024)
def ink_extents(text_font: str, emoji_font: str, size: int) -> tuple[float, float]:
    """(above, below) the baseline that any Vietnamese line with emoji can reach in ink."""
    return line_ink(RISK_TOP + RISK_BOTTOM + "😀", text_font, emoji_font, size)


@functools.lru_cache(maxsize=65536)
def line_ink(text: str, text_font: str, emoji_font: str, size: int) -> tuple[float, float]:
    """(above, below) the baseline that this line's ink really reaches.

    The vertical extent of a line is the largest of its words' (shaping across a space
    moves nothing up or down), so it is measured word by word: the candidate lines of
    the line breaker share their words, and each word is measured once per size."""
    words = [w for w in text.split(" ") if w]
    if len(words) > 1:
        inks = [_word_ink(w, text_font, emoji_font, size) for w in words]
        return max(a for a, _ in inks), max(b for _, b in inks)
    return _word_ink(text, text_font, emoji_font, size)


@functools.lru_cache(maxsize=65536)
def _word_ink(text: str, text_font: str, emoji_font: str, size: int) -> tuple[float, float]:
    above = below = 0.0
    for run in split_runs(text, emoji_font, text_font):
        if not run.text.strip():
            continue
        if run.emoji:
            box = load_font(emoji_font, EMOJI_STRIKE).getbbox(run.text, anchor="ls")
            k = emoji_scale(size)
            above, below = max(above, -box[1] * k), max(below, box[3] * k)
        else:
            stroke = run.stroke * size
            box = run_font(run, size).getbbox(run.text, anchor="ls", stroke_width=stroke)
            above, below = max(above, -box[1]), max(below, box[3])
    return float(above), float(below)


def block_metrics(lines: Sequence[str], style: TextStyle, size: int) -> tuple[float, float, float]:
    """(first line's ink above, last line's ink below, line height) for a block of lines.

    The line height is the nominal leading, raised where needed so that the tallest
    stacked marks of any line stay clear of the deepest descender of the line above.
    """
    inks = [line_ink(t, style.font, style.emoji_font, size) for t in lines] or [(0.0, 0.0)]
    need = 0.0
    if len(inks) > 1:
        need = max(a for a, _ in inks[1:]) + max(b for _, b in inks[:-1]) + style.line_gap * size
    return inks[0][0], inks[-1][1], max(style.leading * size, need)


def word_offsets(line_text: str, style: TextStyle, size: int) -> list[tuple[str, float, float]]:
    """(word, x offset, width) of each word of a laid-out line: for karaoke highlights."""
    out: list[tuple[str, float, float]] = []
    words = line_text.split(" ")
    prefix = ""
    for i, word in enumerate(words):
        start = measure(prefix, style.font, style.emoji_font, size) if prefix else 0.0
        width = measure(word, style.font, style.emoji_font, size)
        out.append((word, start, width))
        prefix = " ".join(words[: i + 1]) + " "
    return out


# --- breaking and sizing -----------------------------------------------------------------


def paragraphs(prepared: str, style: TextStyle) -> list[Paragraph]:
    """The break opportunities of every paragraph (a newline always breaks)."""
    names = (*style.keep_together, *style.names)
    out = [paragraph(part, names, style.lang) for part in prepared.split("\n")]
    return [uppercase(p) for p in out] if style.uppercase else out


def _sizes(style: TextStyle) -> list[int]:
    sizes: list[int] = []
    size = style.max_size
    while size > style.min_size:
        sizes.append(size)
        size -= max(1, round(size * 0.04))
    sizes.append(style.min_size)
    return sizes


@dataclass(frozen=True)
class _Candidate:
    size: int
    lines: tuple[str, ...]
    cost: float
    height: float
    line_height: float
    split: tuple[str, ...]


def _measured(paras: Sequence[Paragraph], style: TextStyle, size: int) -> list[Measured]:
    def m(s: str) -> float:
        return measure(s, style.font, style.emoji_font, size) if s else 0.0

    return [
        Measured(p.pieces, [m(x.text) for x in p.pieces], [m(x.glue) for x in p.pieces])
        for p in paras
    ]


def _options(
    m: Measured, width: float, most: int, balance: bool, widow: float, phrase: float = 1.0
) -> list[tuple[int, Breaks]] | None:
    """(lines, breaks) choices for one paragraph: the fewest lines, and one more."""
    if m.n == 0:
        return [(1, Breaks((), 0.0, False))]
    fewest = min_lines(m, width, INF)
    if fewest is None or fewest > most:
        return None
    fewest_clean = min_lines(m, width, WORD_BREAK / 2) or fewest
    out = []
    for n in range(fewest, min(most, max(fewest_clean, fewest) + 1) + 1):
        found = best_lines(m, width, n, balance, widow, phrase)
        if found is not None:
            out.append((n, found))
    return out or None


def _combine(choices: list[list[tuple[int, Breaks]]], most: int) -> list[list[tuple[int, Breaks]]]:
    """Per-paragraph choices combined under the line budget, cheapest first (a few)."""
    combos: list[tuple[float, int, list[tuple[int, Breaks]]]] = [(0.0, 0, [])]
    for options in choices:
        grown = [
            (cost + b.cost, lines + n, [*picked, (n, b)])
            for cost, lines, picked in combos
            for n, b in options
            if lines + n <= most
        ]
        combos = sorted(grown, key=lambda c: c[0])[:8]
    return [picked for _, _, picked in combos]


def _texts(m: Measured, breaks: Breaks) -> list[str]:
    if m.n == 0:
        return [""]
    return [line_text(m.pieces[i:j]) for i, j in breaks.lines(m.n)]


def _split_words(paras: Sequence[Paragraph], picked: list[tuple[int, Breaks]]) -> list[str]:
    found: list[str] = []
    for par, (_, breaks) in zip(paras, picked, strict=True):
        for end in breaks.ends[:-1]:
            piece = par.pieces[end - 1]
            if piece.kind in ("word", "name", "code"):
                found.append(par.words[piece.unit])
    return found


def _at_size(
    paras: Sequence[Paragraph],
    style: TextStyle,
    box: Box,
    size: int,
    widow: float,
    phrase: float = 1.0,
) -> _Candidate | None:
    """The best layout at one size that really fits the box, or None."""
    width = box.w
    for attempt in range(3):
        measured = _measured(paras, style, size)
        if any(m.widest_piece() > box.w + 0.01 for m in measured):
            return None
        most = style.max_lines
        choices = []
        for m in measured:
            options = _options(m, width, most, style.balance, widow, phrase)
            if options is None:
                return None
            choices.append(options)
        too_wide = False
        for picked in _combine(choices, most):
            lines = [t for m, (_, b) in zip(measured, picked, strict=True) for t in _texts(m, b)]
            if any(measure(t, style.font, style.emoji_font, size) > box.w + 0.01 for t in lines):
                too_wide = True  # kerning across a space: measure the line as a whole
                continue
            above, below, lh = block_metrics(lines, style, size)
            height = above + below + lh * (len(lines) - 1)
            if height > box.h + 0.01:
                continue
            cost = sum(b.cost for _, b in picked)
            split = _split_words(paras, picked)
            return _Candidate(size, tuple(lines), cost, height, lh, tuple(split))
        if not too_wide:
            return None
        width = box.w * (1 - 0.005 * (attempt + 1) ** 2)
    return None


@functools.lru_cache(maxsize=4096)
def layout_text(text: str, box: Box, style: TextStyle, field_name: str = "") -> TextBlock:
    """Lay `text` out in `box`: font size and line breaks chosen together.

    Raises `MissingGlyphs` or `TextOverflow` (naming the field) instead of drawing badly.
    """
    prepared = prepare(text, style.uppercase)
    missing = missing_glyphs(prepared, style.font, style.emoji_font)
    if missing:
        raise MissingGlyphs(missing, field_name)
    paras = paragraphs(prepare(text), style)
    return layout_paragraphs(paras, prepared, box, style, field_name)


def layout_paragraphs(
    paras: Sequence[Paragraph],
    text: str,
    box: Box,
    style: TextStyle,
    field_name: str = "",
    widow: float | None = None,
) -> TextBlock:
    """The size (max to min) and breaks with the lowest total cost; see `layout.breaking`.

    `widow` overrides the cost of a lone last word (a caption screen's own)."""
    if not any(p.pieces for p in paras):
        return TextBlock(text, style.max_size, (), 0.0, 0.0, 0.0, box, style)
    best: _Candidate | None = None
    best_cost = math.inf
    display = field_name in STRICT_WIDOW_FIELDS or style.balance
    if widow is None:
        widow = STRICT_WIDOW if display else WIDOW
    phrase = DISPLAY_PHRASE if display else 1.0
    floor = _cost_floor(paras, phrase)
    first_fit: int | None = None
    for k, size in enumerate(_sizes(style)):
        if STEP * k + floor >= best_cost:
            break  # no smaller size can beat it
        if first_fit is not None and k - first_fit > MAX_STEPS_FOR_WIDOW and clean(best_cost):
            break  # a widow still there 16 steps (half the size) down is the text's own
        found = _at_size(paras, style, box, size, widow, phrase)
        if found is None:
            continue
        first_fit = k if first_fit is None else first_fit
        if found.cost + STEP * k < best_cost:
            best, best_cost = found, found.cost + STEP * k
    if best is None:
        raise _overflow(text, paras, box, style, field_name)
    return _place(text, best, box, style)


def _cost_floor(paras: Sequence[Paragraph], phrase: float) -> float:
    """A lower bound of any layout's cost: each line costs LINE, and a break with a bonus
    (after a sentence, in display text) can take back more than the line it adds."""
    return sum(
        LINE + sum(min(0.0, LINE + p.cost * phrase) for p in par.pieces[:-1])
        for par in paras
        if par.pieces
    )


def _place(text: str, c: _Candidate, box: Box, style: TextStyle) -> TextBlock:
    above, below, _ = block_metrics(list(c.lines), style, c.size)
    top = box.y
    if style.valign == "center":
        top = box.y + (box.h - c.height) / 2
    elif style.valign == "bottom":
        top = box.bottom - c.height
    placed: list[Line] = []
    for i, line_text_ in enumerate(c.lines):
        width = measure(line_text_, style.font, style.emoji_font, c.size)
        if style.align == "center":
            x = box.x + (box.w - width) / 2
        elif style.align == "right":
            x = box.right - width
        else:
            x = box.x
        placed.append(Line(line_text_, x, top + above + i * c.line_height, width))
    return TextBlock(text, c.size, tuple(placed), c.line_height, above, below, box, style, c.split)


def _overflow(
    text: str, paras: Sequence[Paragraph], box: Box, style: TextStyle, field_name: str
) -> TextOverflow:
    size = style.min_size
    measured = _measured(paras, style, size)
    # The widest run that cannot break (a word, or words joined by no-break spaces).
    widest, word = 0.0, ""
    for m in measured:
        start = 0
        for k in range(m.n):
            if k == m.n - 1 or m.pieces[k].cost < INF:
                if m.width(start, k + 1) > widest:
                    widest, word = m.width(start, k + 1), line_text(m.pieces[start : k + 1])
                start = k + 1
    if widest > box.w + 0.01:
        return TextOverflow(
            f"the word `{word}` is {math.ceil(widest - box.w)} px too wide "
            f"for its {round(box.w)} px box even at the smallest size ({size} px)",
            "shorten the word or split it with a space",
            widest / box.w - 1,
            field_name,
        )
    needed = sum(min_lines(m, box.w, INF) or 1 if m.n else 1 for m in measured)
    _, _, lh = block_metrics(["Ấ", "g"], style, size)
    above, below = ink_extents(style.font, style.emoji_font, size)
    fits = max(1, int((box.h - above - below) // lh) + 1 if lh else 1)
    allowed_lines = min(style.max_lines, fits)
    height = above + below + lh * (needed - 1)
    ratio = max(height / box.h, needed / max(1, style.max_lines), needed / allowed_lines)
    over_pct = math.ceil((ratio - 1) * 100)
    chars = len(text)
    cut = max(1, math.ceil(chars - chars / ratio))
    return TextOverflow(
        i18n._(
            "text too long to fit: at the smallest size ({size} px) it needs {needed} lines "
            "and the box holds {allowed} ({over}% over)",
            size=size,
            needed=needed,
            allowed=allowed_lines,
            over=over_pct,
        ),
        i18n._("shorten it by about {n} characters", n=cut),
        ratio - 1,
        field_name,
    )
