"""Fonts: Raqm-shaped faces, glyph coverage, the fallback chain and the emoji strike.

Pillow has no font fallback, so the layout splits text into runs per font; this module
answers which font can draw which character. Be Vietnam Pro has no arrows, check marks,
stars, №, ∞, π, Greek or Cyrillic, so a bundled chain of Noto fonts (Debian's
`fonts-noto-core`, SIL OFL) draws them: Noto Sans, Noto Sans Symbols, Noto Sans Symbols 2
and Noto Sans Math. For each primary font the chain takes the closest weight of every
family and a size scale that matches the primary font's cap height, so a fallback glyph
sits on the same baseline at the same optical size.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from PIL import ImageFont, features

from outreach.paths import fonts_dir

#: Noto Color Emoji is a bitmap font with a single strike; it only loads at this size.
EMOJI_STRIKE = 109

# Characters that shape an emoji sequence but are not drawn on their own.
ZWJ = 0x200D
EMOJI_JOINERS = frozenset({ZWJ, 0xFE0F, 0xFE0E, 0x20E3})
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_TAGS = range(0xE0020, 0xE0080)
_REGIONAL = range(0x1F1E6, 0x1F200)


class FontError(RuntimeError):
    """A font problem the user must fix (missing file, Pillow without Raqm)."""


def require_raqm() -> None:
    if not features.check("raqm"):
        raise FontError(
            "Pillow was built without the Raqm layout engine, which Vietnamese text needs "
            "— reinstall Pillow from the official wheels: pip install --force-reinstall pillow"
        )


@functools.lru_cache(maxsize=256)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A Raqm-shaped font at a pixel size (cached: loading is the slow part)."""
    require_raqm()
    if not Path(path).is_file():
        raise FontError(f"font file not found: {path}")
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


def load_emoji_font(path: str) -> ImageFont.FreeTypeFont:
    return load_font(path, EMOJI_STRIKE)


@functools.lru_cache(maxsize=16)
def codepoints(path: str) -> frozenset[int]:
    """Every code point the font maps to a glyph (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as tt:
        cmap = tt.getBestCmap() or {}
    return frozenset(cmap)


#: Fallback families, in the order they are asked; each lists its weights' files.
FALLBACK_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("NotoSansSymbols-Regular.ttf", "NotoSansSymbols-Bold.ttf"),
    ("NotoSansSymbols2-Regular.ttf",),
    ("NotoSansMath-Regular.ttf",),
)


@functools.lru_cache(maxsize=64)
def font_weight(path: str) -> int:
    """The font's weight class (400 regular, 700 bold...)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as tt:
        return int(tt["OS/2"].usWeightClass)


@functools.lru_cache(maxsize=64)
def cap_height(path: str) -> float:
    """Cap height as a fraction of the em (OS/2 `sCapHeight`, else the ink of `H`)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as tt:
        os2 = tt["OS/2"]
        upm = tt["head"].unitsPerEm
        if getattr(os2, "version", 0) >= 2 and getattr(os2, "sCapHeight", 0) > 0:
            return float(os2.sCapHeight) / upm
    box = ImageFont.truetype(path, 1000).getbbox("H", anchor="ls")
    return -box[1] / 1000


#: Synthetic emboldening (stroke, as a fraction of the size) per 100 units of weight that a
#: fallback family lacks: Symbols 2 and Math exist in one weight only.
EMBOLDEN_PER_100 = 0.006


#: Every Noto fallback shares Noto Sans's vertical metrics; symbol fonts (without an `H`)
#: report no meaningful cap height, so all are scaled like Noto Sans.
@functools.lru_cache(maxsize=32)
def fallback_chain(primary: str) -> tuple[tuple[str, float, float], ...]:
    """(font path, size scale, stroke) of each fallback family for this primary font."""
    want = font_weight(primary)
    chain: list[tuple[str, float, float]] = []
    scale = 1.0
    for i, family in enumerate(FALLBACK_FAMILIES):
        paths = [str(fonts_dir() / f) for f in family if (fonts_dir() / f).is_file()]
        if not paths:
            continue
        path = min(paths, key=lambda p: (abs(font_weight(p) - want), -font_weight(p)))
        if i == 0:
            scale = cap_height(primary) / (cap_height(path) or 1.0)
        lacking = max(0, want - font_weight(path) - 100)
        chain.append((path, round(scale, 3), round(EMBOLDEN_PER_100 * lacking / 100, 4)))
    return tuple(chain)


@functools.lru_cache(maxsize=65536)
def has_ink(path: str, ch: str) -> bool:
    """The font maps `ch` to a glyph that draws something (not an empty box)."""
    if ord(ch) not in codepoints(path):
        return False
    if ch.isspace() or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return True
    box = load_font(path, 64).getbbox(ch, anchor="ls")
    return box[2] > box[0] and box[3] > box[1]


def is_emoji_modifier(cp: int) -> bool:
    """Code points that belong to the emoji before them (joiners, skin tones, tags)."""
    return cp in EMOJI_JOINERS or cp in _SKIN_TONES or cp in _TAGS


def is_regional_indicator(cp: int) -> bool:
    return cp in _REGIONAL


def ignorable(ch: str) -> bool:
    """Whitespace and emoji joiners need no ink of their own (control characters do:
    one that reaches the layout is reported, never dropped)."""
    return (
        (ch.isspace() and unicodedata.category(ch) != "Cc")
        or ch in "\t\n"
        or (ord(ch) in EMOJI_JOINERS or 0xE0020 <= ord(ch) <= 0xE007F)
    )
