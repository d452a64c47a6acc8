"""Framing: which part of a photo fills an area so that its subject lands in a zone.

Pure geometry (no pixels): the card layouts ask "crop this photo into this area so the
face sits inside this zone, zooming in at most so much", and get back the crop and where
the face ends up on the card, or learn that no crop can do it.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.layout.geometry import Box

Frac = tuple[float, float, float, float]

#: Zoom steps tried, in order, when the subject does not fit the zone at plain fill.
ZOOMS = (1.0, 1.1, 1.22, 1.36, 1.5, 1.7, 1.9, 2.2, 2.6, 3.0)


@dataclass(frozen=True)
class Framing:
    crop: tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the photo
    subject: Box | None  # where the subject lands on the card (canvas pixels)
    fits: bool  # True when the subject lies inside the wanted zone


def _interval(
    b0: float, b1: float, z0: float, z1: float, a0: float, s: float
) -> tuple[float, float]:
    """Offsets o (source px) with z0 <= (b0 - o) * s + a0 and (b1 - o) * s + a0 <= z1."""
    return (b1 - (z1 - a0) / s, b0 - (z0 - a0) / s)


def frame(
    src: tuple[int, int],
    area: Box,
    subject: Frac | None,
    zone: Box | None = None,
    focus: tuple[float, float] | None = None,
    max_zoom: float = 1.0,
    min_subject_h: float = 0.0,
    top: bool = False,
) -> Framing:
    """Crop `src` (w, h) to fill `area`, putting `subject` (fractions) inside `zone`.

    `min_subject_h` asks for a subject at least that fraction of the area's height
    (a large face on a thumbnail); zoom never exceeds `max_zoom` times plain fill.
    `top` puts the subject at the top of the zone instead of its middle (a portrait
    with little headroom and the shoulders below).
    """
    sw, sh = src
    base = max(area.w / sw, area.h / sh)
    if subject is None:
        fx, fy = focus if focus else (0.5, 0.5)
        return _at(src, area, base, fx * sw, fy * sh, None, False)
    bx, by = subject[0] * sw, subject[1] * sh
    bw, bh = subject[2] * sw, subject[3] * sh
    cx, cy = (focus[0] * sw, focus[1] * sh) if focus else (bx + bw / 2, by + bh / 2)
    start = 1.0
    if min_subject_h and bh * base < min_subject_h * area.h:
        start = min(max_zoom, min_subject_h * area.h / (bh * base))
    zooms = [start] + [z for z in ZOOMS if start < z <= max_zoom]
    target = zone or area
    for z in zooms:
        s = base * z
        cw, ch = area.w / s, area.h / s
        lo_x, hi_x = _interval(bx, bx + bw, target.x, target.right, area.x, s)
        lo_y, hi_y = _interval(by, by + bh, target.y, target.bottom, area.y, s)
        lo_x, hi_x = max(lo_x, 0.0), min(hi_x, sw - cw)
        lo_y, hi_y = max(lo_y, 0.0), min(hi_y, sh - ch)
        if lo_x <= hi_x + 1e-6 and lo_y <= hi_y + 1e-6:
            # Centre the subject in the zone as far as the interval allows.
            want_x = (bx + bw / 2) - (target.x + target.w / 2 - area.x) / s
            want_y = (by + bh / 2) - (target.y + target.h / 2 - area.y) / s
            if top:
                want_y = by - (target.y - area.y) / s
            if zone is None:
                want_x = cx - cw / 2
                want_y = cy - ch / 2
            x0 = min(max(want_x, lo_x), hi_x)
            y0 = min(max(want_y, lo_y), hi_y)
            return _result(src, area, s, x0, y0, (bx, by, bw, bh), True)
    # No crop keeps the subject in the zone: centre it as well as plain fill can; a
    # subject taller than the zone keeps its top in the zone (a head is never cut off
    # at the top; the chin may run past the zone's foot).
    s = base * start
    want_x = (bx + bw / 2) - (target.x + target.w / 2 - area.x) / s
    want_y = (by + bh / 2) - (target.y + target.h / 2 - area.y) / s
    if bh * s > target.h:
        want_y = by - (target.y - area.y) / s
    cw, ch = area.w / s, area.h / s
    x0 = min(max(want_x, 0.0), sw - cw)
    y0 = min(max(want_y, 0.0), sh - ch)
    return _result(src, area, s, x0, y0, (bx, by, bw, bh), False)


def _at(
    src: tuple[int, int],
    area: Box,
    s: float,
    cx: float,
    cy: float,
    subject: tuple[float, float, float, float] | None,
    fits: bool,
) -> Framing:
    sw, sh = src
    cw, ch = area.w / s, area.h / s
    x0 = min(max(cx - cw / 2, 0.0), sw - cw)
    y0 = min(max(cy - ch / 2, 0.0), sh - ch)
    return _result(src, area, s, x0, y0, subject, fits)


def _result(
    src: tuple[int, int],
    area: Box,
    s: float,
    x0: float,
    y0: float,
    subject: tuple[float, float, float, float] | None,
    fits: bool,
) -> Framing:
    sw, sh = src
    cw, ch = area.w / s, area.h / s
    crop = (x0 / sw, y0 / sh, (x0 + cw) / sw, (y0 + ch) / sh)
    on_card = None
    if subject is not None:
        bx, by, bw, bh = subject
        on_card = Box(area.x + (bx - x0) * s, area.y + (by - y0) * s, bw * s, bh * s)
        # Only the visible part of the subject matters for what may cover it.
        on_card = clip(on_card, area)
    return Framing(crop, on_card, fits)


def clip(box: Box, to: Box) -> Box | None:
    x0, y0 = max(box.x, to.x), max(box.y, to.y)
    x1, y1 = min(box.right, to.right), min(box.bottom, to.bottom)
    if x1 <= x0 or y1 <= y0:
        return None
    return Box(x0, y0, x1 - x0, y1 - y0)
