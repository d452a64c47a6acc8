"""Fonts: Raqm-shaped faces, glyph coverage, and the emoji font's fixed bitmap strike.

Pillow has no font fallback, so the layout splits text into runs per font; this module
answers which font can draw which character.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from PIL import ImageFont, features

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


def is_emoji_modifier(cp: int) -> bool:
    """Code points that belong to the emoji before them (joiners, skin tones, tags)."""
    return cp in EMOJI_JOINERS or cp in _SKIN_TONES or cp in _TAGS


def is_regional_indicator(cp: int) -> bool:
    return cp in _REGIONAL


def ignorable(ch: str) -> bool:
    """Whitespace and format characters need no glyph of their own."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") or ord(ch) in EMOJI_JOINERS
