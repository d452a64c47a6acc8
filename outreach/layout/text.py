"""The text engine: NFC, font runs, Vietnamese-aware wrapping, shrink-to-fit, line metrics.

Pure: it measures with fonts but draws nothing; `render.text_draw` paints what it returns.

Rules (see ../shared/vietnamese-typography.md):
- all text is NFC before anything else;
- lines are spaced from the *ink* extents of stacked capitals (Ấ Ễ Ộ) and descenders,
  so marks never touch the line above, whatever the font's ascender says;
- names from the theme's list and words joined by a no-break space are never split;
- a single syllable is never left alone on the last line; titles are balanced;
- a character no bundled font has is an error, never a box.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from outreach.layout.fonts import (
    EMOJI_STRIKE,
    codepoints,
    ignorable,
    is_emoji_modifier,
    is_regional_indicator,
    load_font,
)
from outreach.layout.geometry import Box
from outreach.model.text import NBSP, nfc

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "center", "bottom"]

#: Risk strings: the tallest stacked marks and the deepest descenders of Vietnamese.
RISK_TOP = "ẤẦẨẪẮẰẲẴỐỒỔỖẾỀỂỄỘỢỮÁÀÃ"
RISK_BOTTOM = "gjpqyỵỴỷỹọợụựÇ"
#: An emoji is drawn this many ems tall (its bitmap strike is scaled to it).
EMOJI_EM = 1.0


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
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in self.chars)
        super().__init__(
            f"no bundled font has a glyph for {shown}",
            "remove or replace the character; the cards would show an empty box",
            field,
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
    keep_together: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    text: str
    emoji: bool


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


@functools.lru_cache(maxsize=64)
def _keep_together_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    multi = sorted({nfc(n) for n in names if " " in n.strip()}, key=len, reverse=True)
    if not multi:
        return None
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in multi)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def prepare(text: str, keep_together: Sequence[str] = (), uppercase: bool = False) -> str:
    """NFC, collapse spaces, and join protected names with no-break spaces."""
    text = nfc(text)
    text = "\n".join(re.sub(r"[ \t\r\f\v]+", " ", part).strip() for part in text.split("\n"))
    pattern = _keep_together_pattern(tuple(keep_together))
    if pattern is not None:
        text = pattern.sub(lambda m: re.sub(r"\s+", NBSP, m.group(0)), text)
    if uppercase:
        text = nfc(text.upper())
    return text


def split_runs(text: str, emoji_font: str, text_font: str) -> list[Run]:
    """Split text into runs for the text font and for the colour-emoji font."""
    text_cps = codepoints(text_font)
    emoji_cps = codepoints(emoji_font)
    runs: list[Run] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        cp = ord(chars[i])
        nxt = ord(chars[i + 1]) if i + 1 < len(chars) else 0
        if runs and runs[-1].emoji and (is_emoji_modifier(cp) or _prev_is_zwj(runs)):
            want_emoji = True
        elif is_regional_indicator(cp) or cp >= 0x1F000:
            want_emoji = True
        elif nxt == 0xFE0F or (nxt == 0x20E3):
            want_emoji = cp in emoji_cps
        elif cp == 0xFE0E:
            want_emoji = False
        else:
            want_emoji = cp not in text_cps and cp in emoji_cps and not ignorable(chars[i])
        if runs and runs[-1].emoji == want_emoji:
            runs[-1] = Run(runs[-1].text + chars[i], want_emoji)
        else:
            runs.append(Run(chars[i], want_emoji))
        i += 1
    return runs


def _prev_is_zwj(runs: list[Run]) -> bool:
    return bool(runs) and runs[-1].text.endswith("\u200d")


def missing_glyphs(text: str, text_font: str, emoji_font: str) -> list[str]:
    """Characters that neither the text font nor the emoji font can draw."""
    text_cps = codepoints(text_font)
    emoji_cps = codepoints(emoji_font)
    missing: list[str] = []
    for run in split_runs(nfc(text), emoji_font, text_font):
        cps = emoji_cps if run.emoji else text_cps
        for ch in run.text:
            if ignorable(ch) or is_emoji_modifier(ord(ch)):
                continue
            if ord(ch) not in cps and ch not in missing:
                missing.append(ch)
    return missing


# --- measuring -------------------------------------------------------------------------


def emoji_scale(size: int) -> float:
    return size * EMOJI_EM / EMOJI_STRIKE


@functools.lru_cache(maxsize=65536)
def measure(text: str, text_font: str, emoji_font: str, size: int) -> float:
    """Advance width of a single line of mixed text and emoji, in pixels."""
    total = 0.0
    for run in split_runs(text, emoji_font, text_font):
        if run.emoji:
            total += load_font(emoji_font, EMOJI_STRIKE).getlength(run.text) * emoji_scale(size)
        else:
            total += load_font(text_font, size).getlength(run.text)
    return total


@functools.lru_cache(maxsize=1024)
def ink_extents(text_font: str, emoji_font: str, size: int) -> tuple[float, float]:
    """(above, below) the baseline that any Vietnamese line with emoji can reach in ink."""
    return line_ink(RISK_TOP + RISK_BOTTOM + "😀", text_font, emoji_font, size)


@functools.lru_cache(maxsize=65536)
def line_ink(text: str, text_font: str, emoji_font: str, size: int) -> tuple[float, float]:
    """(above, below) the baseline that this line's ink really reaches."""
    above = below = 0.0
    for run in split_runs(text, emoji_font, text_font):
        if not run.text.strip():
            continue
        if run.emoji:
            box = load_font(emoji_font, EMOJI_STRIKE).getbbox(run.text, anchor="ls")
            k = emoji_scale(size)
            above, below = max(above, -box[1] * k), max(below, box[3] * k)
        else:
            box = load_font(text_font, size).getbbox(run.text, anchor="ls")
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


# --- wrapping ----------------------------------------------------------------------------


def wrap_greedy(
    tokens: Sequence[str], width: float, measure_fn: Callable[[str], float]
) -> list[list[str]]:
    """First-fit wrapping; a token wider than the width gets a line of its own."""
    lines: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        if current and measure_fn(" ".join([*current, token])) > width:
            lines.append(current)
            current = [token]
        else:
            current.append(token)
    if current:
        lines.append(current)
    return lines


def _wrap_paragraphs(
    paragraphs: list[list[str]], width: float, measure_fn: Callable[[str], float]
) -> list[list[str]]:
    out: list[list[str]] = []
    for tokens in paragraphs:
        out.extend(wrap_greedy(tokens, width, measure_fn) if tokens else [[]])
    return out


def syllables(token: str) -> int:
    """A token joined with no-break spaces ("Việt Nam") holds several syllables."""
    return token.count(NBSP) + 1


def _has_widow(lines: list[list[str]]) -> bool:
    """A single syllable alone on the last line, when the line above could give it company."""
    return (
        len(lines) >= 2
        and len(lines[-1]) == 1
        and syllables(lines[-1][0]) == 1
        and len(lines[-2]) >= 2
    )


def wrap(
    paragraphs: list[list[str]],
    width: float,
    measure_fn: Callable[[str], float],
    balance: bool,
    max_lines: int,
) -> list[list[str]]:
    """Wrap, then balance (titles) and avoid a lone syllable on the last line."""
    lines = _wrap_paragraphs(paragraphs, width, measure_fn)
    count = len(lines)
    if balance and count > 1 and len(paragraphs) == 1:
        lo, hi = width * 0.3, width
        for _ in range(14):
            mid = (lo + hi) / 2
            if len(_wrap_paragraphs(paragraphs, mid, measure_fn)) <= count:
                hi = mid
            else:
                lo = mid
        lines = _wrap_paragraphs(paragraphs, hi, measure_fn)
    if _has_widow(lines):
        # Narrow the measure step by step until the last line holds two syllables.
        base = max(measure_fn(" ".join(line)) for line in lines)
        for step in range(1, 30):
            candidate = _wrap_paragraphs(paragraphs, base * (1 - 0.02 * step), measure_fn)
            if len(candidate) > min(max_lines, len(lines)):
                break
            if not _has_widow(candidate):
                return candidate
    return lines


# --- the layout ---------------------------------------------------------------------------


def _tokens(text: str) -> list[list[str]]:
    return [[t for t in part.split(" ") if t] for part in text.split("\n")]


def _try_size(
    paragraphs: list[list[str]], style: TextStyle, box: Box, size: int
) -> tuple[list[list[str]], float, float, float]:
    """Wrap at one size; return (lines, widest line, block height, line height)."""

    def measure_fn(s: str) -> float:
        return measure(s, style.font, style.emoji_font, size)

    lines = wrap(paragraphs, box.w, measure_fn, style.balance, style.max_lines)
    above, below, lh = block_metrics([" ".join(line) for line in lines], style, size)
    widest = max((measure_fn(" ".join(line)) for line in lines), default=0.0)
    height = above + below + lh * (len(lines) - 1)
    return lines, widest, height, lh


def _sizes(style: TextStyle) -> list[int]:
    sizes: list[int] = []
    size = style.max_size
    while size > style.min_size:
        sizes.append(size)
        size -= max(1, round(size * 0.04))
    sizes.append(style.min_size)
    return sizes


def layout_text(text: str, box: Box, style: TextStyle, field_name: str = "") -> TextBlock:
    """Lay `text` out in `box`: the largest size from max to min at which it fits.

    Raises `MissingGlyphs` or `TextOverflow` (naming the field) instead of drawing badly.
    """
    prepared = prepare(text, style.keep_together, style.uppercase)
    missing = missing_glyphs(prepared, style.font, style.emoji_font)
    if missing:
        raise MissingGlyphs(missing, field_name)
    paragraphs = _tokens(prepared)
    if not any(paragraphs):
        return TextBlock(prepared, style.max_size, (), 0.0, 0.0, 0.0, box, style)
    for size in _sizes(style):
        lines, widest, height, lh = _try_size(paragraphs, style, box, size)
        if len(lines) <= style.max_lines and widest <= box.w + 0.01 and height <= box.h + 0.01:
            return _place(prepared, lines, size, height, lh, box, style)
    raise _overflow(prepared, paragraphs, box, style, field_name)


def _place(
    text: str,
    lines: list[list[str]],
    size: int,
    height: float,
    lh: float,
    box: Box,
    style: TextStyle,
) -> TextBlock:
    above, below, _ = block_metrics([" ".join(t) for t in lines], style, size)
    top = box.y
    if style.valign == "center":
        top = box.y + (box.h - height) / 2
    elif style.valign == "bottom":
        top = box.bottom - height
    placed: list[Line] = []
    for i, tokens in enumerate(lines):
        line_text = " ".join(tokens)
        width = measure(line_text, style.font, style.emoji_font, size)
        if style.align == "center":
            x = box.x + (box.w - width) / 2
        elif style.align == "right":
            x = box.right - width
        else:
            x = box.x
        placed.append(Line(line_text, x, top + above + i * lh, width))
    return TextBlock(text, size, tuple(placed), lh, above, below, box, style)


def _overflow(
    text: str, paragraphs: list[list[str]], box: Box, style: TextStyle, field_name: str
) -> TextOverflow:
    size = style.min_size
    lines, widest, height, lh = _try_size(paragraphs, style, box, size)
    if widest > box.w + 0.01:
        word = max(
            (t for p in paragraphs for t in p),
            key=lambda t: measure(t, style.font, style.emoji_font, size),
        )
        ratio = widest / box.w
        return TextOverflow(
            f"the word `{word.replace(NBSP, ' ')}` is {math.ceil(widest - box.w)} px too wide "
            f"for its {round(box.w)} px box even at the smallest size ({size} px)",
            "shorten the word or split it with a space",
            ratio - 1,
            field_name,
        )
    allowed_lines = min(
        style.max_lines,
        max(1, int((box.h - height + lh * (len(lines) - 1)) // lh) + 1 if lh else 1),
    )
    ratio = max(height / box.h, len(lines) / max(1, style.max_lines))
    over_pct = math.ceil((ratio - 1) * 100)
    chars = len(text)
    cut = max(1, math.ceil(chars - chars / ratio))
    return TextOverflow(
        f"text too long to fit: at the smallest size ({size} px) it needs {len(lines)} lines "
        f"and the box holds {allowed_lines} ({over_pct}% over)",
        f"shorten it by about {cut} characters",
        ratio - 1,
        field_name,
    )
