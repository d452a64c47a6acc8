"""WCAG 2 contrast between text and whatever lies under it."""

from __future__ import annotations

import numpy as np
from PIL import Image

#: WCAG AA for normal text.
MIN_CONTRAST = 4.5


def _linear(channel: np.ndarray) -> np.ndarray:
    c = channel / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


#: Each channel's weighted linear light for the 256 values of an 8-bit pixel: a card's
#: pixels are looked up instead of raised to the 2.4th power (about 20x faster, the same
#: float64 values, since the products are the very same).
_WEIGHTED = tuple(w * _linear(np.arange(256, dtype=np.float64)) for w in (0.2126, 0.7152, 0.0722))


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance of sRGB pixels (..., 3) in 0..255."""
    if rgb.dtype == np.uint8:
        r, g, b = _WEIGHTED
        return r[rgb[..., 0]] + g[rgb[..., 1]] + b[rgb[..., 2]]
    lin = _linear(rgb.astype(np.float64))
    return 0.2126 * lin[..., 0] + 0.7152 * lin[..., 1] + 0.0722 * lin[..., 2]


def ratio(l1: float, l2: float) -> float:
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def color_luminance(color: tuple[int, ...]) -> float:
    return float(luminance(np.array(color[:3], dtype=np.float64)))


def worst_contrast(region: Image.Image, text_color: tuple[int, ...]) -> float:
    """Contrast of the text colour against the least favourable 5% of the background."""
    arr = np.asarray(region.convert("RGB"))
    if arr.size == 0:
        return 21.0
    lum = luminance(arr)
    text_l = color_luminance(text_color)
    # The worst case is whichever end of the background is closest to the text colour.
    lo, hi = np.percentile(lum, [5, 95])
    return min(ratio(text_l, float(lo)), ratio(text_l, float(hi)))
