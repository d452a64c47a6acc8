"""Kinetic type: the video's own text scenes, set with the card text engine.

A video is not a carousel: its text scenes are motion graphics, not the story's cards
(no pager, no logo corners, no half-empty frame). Each one is laid out here on the whole
safe zone, centred vertically, at about 1.3x the cards' type, in the theme's fonts and
colours, and handed to `frames` as a background and elements that come in on the beat:

- the opener: the hook as a headline (110-150 px at 1080 wide), its words popping in
  one after another within 0.3 s, over its photo pushing in (numbers in the accent
  colour);
- the quote: a large quote mark pops, the excerpt rises in line by line (the engine's
  phrase-aware lines), then who said it;
- a fact: its number counts up over 0.6 s once the scene is in and pops as it lands on
  a beat, then its label rises in line by line and its source fades in;
- the end card: the call to action line by line, the handle (or link) popping on the
  closing hit, the credits small below.

Consecutive text scenes alternate two palettes (dark, accent), so a push between them
reads. Everything is drawn once per scene; `frames` composes the frames.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from outreach.layout.geometry import Box
from outreach.layout.text import (
    LayoutError,
    Line,
    TextBlock,
    TextStyle,
    layout_text,
    measure,
    word_offsets,
)
from outreach.platforms import Platform
from outreach.render.contrast import color_luminance, ratio
from outreach.render.text_draw import draw_block
from outreach.render.video.beats import BeatGrid
from outreach.render.video.captions import centred_band
from outreach.render.video.frames import (
    Anim,
    Count,
    OpenerRenderer,
    Overlay,
    Planes,
    Pop,
    TypeRenderer,
    _yuv_float,
    to_overlay,
    to_planes,
)
from outreach.render.video.timeline import COUNT_UP, Scene, Timeline, VideoSettings
from outreach.themes import Theme

RGBA = tuple[int, int, int, int]

#: A line of text rises this far (px at 1080 wide) as it fades in, over RISE_SECONDS.
RISE_PX = 40
RISE_SECONDS = 0.3
#: The pop: drawn this much larger first, settling to its size over len(POP) frames.
POP = (1.32, 1.18, 1.09, 1.04)
#: A headline word grows into place from smaller (a larger start would overlap its
#: neighbours while they pop in together: "TừBắcNinh").
WORD_POP = (0.7, 0.84, 0.94, 0.99)
LANDING = (1.06, 1.12, 1.14, 1.11, 1.07, 1.03)  # a number's pop as it lands
COUNT_SECONDS = 0.6


@dataclass(frozen=True)
class Palette:
    background: tuple[RGBA, RGBA]  # top and bottom of the gradient
    text: RGBA
    accent: RGBA
    muted: RGBA


def palette(theme: Theme, index: int) -> Palette:
    """0: the theme's dark ground (text in its text colour, accent for the highlight);
    1: its accent (text in accent_text)."""
    if index % 2:
        ink = theme.color("accent_text")
        deep = theme.colors.get("accent_deep", theme.colors.get("accent", "#000000"))
        return Palette((theme.color("accent"), theme.color(deep)), ink, ink, _fade(ink, 0.78))
    return Palette(
        (theme.color("background"), theme.color("deep")),
        theme.color("text"),
        theme.color("accent"),
        theme.color("muted"),
    )


def _fade(c: RGBA, alpha: float) -> RGBA:
    return (c[0], c[1], c[2], round(c[3] * alpha))


def dithered_gradient(
    top: tuple[int, ...], bottom: tuple[int, ...], size: tuple[int, int], seed: int = 59
) -> Planes:
    """A vertical gradient as yuv420p planes, dithered (TPDF, one level) so dark ramps never band.

    A navy ramp spans only a dozen 8-bit levels over 1920 rows: quantised plainly it shows
    bands 100+ px tall, which the encoder then flattens into visible steps. The ramp is
    made and dithered in Y'CbCr itself (dithering RGB first would be re-quantised by the
    conversion). The noise is seeded, so re-renders stay byte-identical.
    """
    w, h = size
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    ends = [np.array(c[:3], dtype=np.float32)[None, None, :] for c in (top, bottom)]
    ya, ua, va = (x[0, 0] for x in _yuv_float(ends[0]))
    yb, ub, vb = (x[0, 0] for x in _yuv_float(ends[1]))
    rng = np.random.default_rng(seed)

    def plane(a: float, b: float, pw: int, ph: int) -> Image.Image:
        tt = t if ph == h else t[::2][:ph]
        noise = rng.random((ph, pw), dtype=np.float32) - rng.random((ph, pw), dtype=np.float32)
        ramp = a * (1 - tt) + b * tt + noise
        return Image.fromarray(np.clip(np.rint(ramp), 0, 255).astype(np.uint8))

    return Planes(plane(ya, yb, w, h), plane(ua, ub, w // 2, h // 2), plane(va, vb, w // 2, h // 2))


# --- drawing pieces --------------------------------------------------------------------------


def _moved(block: TextBlock, dx: float, dy: float) -> TextBlock:
    lines = tuple(replace(line, x=line.x + dx, baseline=line.baseline + dy) for line in block.lines)
    box = Box(block.box.x + dx, block.box.y + dy, block.box.w, block.box.h)
    return replace(block, lines=lines, box=box)


def _sprite(
    block: TextBlock,
    color: RGBA,
    scale: float,
    shadow: RGBA | None = None,
    shadow_em: float = 0.1,
) -> Overlay:
    """A block drawn once (with an optional soft shadow) as an overlay at its place."""
    b = block.bounds
    margin = block.size * (0.35 + (shadow_em * 2 if shadow else 0))
    x0 = max(0, int((b.x - margin) * scale))
    y0 = max(0, int((b.y - margin) * scale))
    x0, y0 = x0 - x0 % 2, y0 - y0 % 2
    w = int((b.w + 2 * margin) * scale) + 4
    h = int((b.h + 2 * margin) * scale) + 4
    local = _moved(block, -x0 / scale, -y0 / scale)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    if shadow is not None:
        glyphs = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw_block(glyphs, local, (255, 255, 255, 255), scale)
        a = glyphs.getchannel("A").filter(
            ImageFilter.GaussianBlur(max(1.0, block.size * scale * shadow_em))
        )
        a = a.point(lambda v: min(255, int(v * 1.6 * shadow[3] / 255)))
        img = Image.new("RGBA", (w, h), (*shadow[:3], 0))
        img.putalpha(a)
    draw_block(img, local, color, scale)
    return to_overlay(img, x0, y0)


def _scaled(block: TextBlock, k: float) -> TextBlock:
    """The block drawn k times larger about its centre (for a pop)."""
    b = block.bounds
    cx, cy = b.x + b.w / 2, b.y + b.h / 2
    size = max(1, round(block.size * k))
    style = block.style
    lines = []
    for line in block.lines:
        width = measure(line.text, style.font, style.emoji_font, size)
        lx = cx + (line.x + line.width / 2 - cx) * k - width / 2
        lines.append(Line(line.text, lx, cy + (line.baseline - cy) * k, width))
    return replace(block, size=size, lines=tuple(lines))


def _pop(block: TextBlock, color: RGBA, scale: float, start: int, shadow: RGBA | None = None,
         steps: Sequence[float] = POP) -> Pop:  # fmt: skip
    final = _sprite(block, color, scale, shadow)
    return Pop(final, [_sprite(_scaled(block, k), color, scale, shadow) for k in steps], start)


def _lines(block: TextBlock) -> list[TextBlock]:
    """Each line of a block as a block of its own (same size and place)."""
    return [replace(block, lines=(line,)) for line in block.lines]


def _layout(text: str, box: Box, style: TextStyle, field: str) -> TextBlock | None:
    if not text.strip():
        return None
    try:
        return layout_text(text, box, style, field)
    except LayoutError:
        small = replace(style, min_size=max(20, style.min_size * 2 // 3))
        try:
            return layout_text(text, box, small, field)
        except LayoutError:
            return None


def _style(theme: Theme, role: str, size: tuple[int, int], lines: int, **kw: Any) -> TextStyle:
    return TextStyle(
        font=theme.font(role),
        emoji_font=theme.emoji_font,
        max_size=size[0],
        min_size=size[1],
        max_lines=lines,
        align=kw.pop("align", "center"),
        valign="top",
        balance=kw.pop("balance", True),
        leading=kw.pop("leading", 1.18),
        keep_together=theme.keep_together,
        **kw,
    )


def stack(
    blocks: list[tuple[TextBlock | None, float]], area: Box, centre: float | None = None
) -> list[TextBlock | None]:
    """Blocks (laid out at the top of `area`) stacked with their gaps (px before each)
    and centred as a group on `centre` (a y; default the middle of `area`), kept
    inside `area`: a text scene sits in the middle of the frame, not of the safe zone
    (whose bottom margin would leave the lower half empty)."""
    present = [(b, g) for b, g in blocks if b is not None]
    total = sum(b.bounds.h for b, _ in present) + sum(g for _, g in present[1:])
    mid = area.y + area.h / 2 if centre is None else centre
    y = min(max(area.y, mid - total / 2), max(area.y, area.bottom - total))
    out: list[TextBlock | None] = []
    first = True
    for b, gap in blocks:
        if b is None:
            out.append(None)
            continue
        y += 0 if first else gap
        first = False
        moved = _moved(b, 0, y - b.bounds.y)
        out.append(moved)
        y += b.bounds.h
    return out


# --- timing on the beat --------------------------------------------------------------------


def reveal_step(grid: BeatGrid | None) -> float:
    """Seconds between two lines coming in: a beat, or half a slow one."""
    if grid is None or grid.period <= 0:
        return 0.4
    return grid.period / 2 if grid.period > 0.55 else grid.period


def on_beat(t: float, grid: BeatGrid | None, fps: int) -> int:
    """The frame of the first beat at or after t seconds (t itself without a grid)."""
    if grid is None or grid.period <= 0:
        return round(t * fps)
    return round(grid.next_at_or_after(t - 0.5 / fps) * fps)


def quick_step(grid: BeatGrid | None) -> float:
    """Seconds between lines that build a card fast (a label, the call to action): a
    half beat (0.22-0.33 s at 90-135 BPM)."""
    if grid is None or grid.period <= 0:
        return 0.25
    return grid.period / 2 if grid.period >= 0.4 else grid.period


def _schedule(first: int, count: int, step: float, fps: int, last: int) -> list[int]:
    """`count` start frames from `first`, `step` seconds apart, squeezed to end by `last`."""
    if count <= 0:
        return []
    gap = step * fps
    if count > 1 and first + gap * (count - 1) > last:
        gap = max(2.0, (last - first) / (count - 1))
    return [round(first + gap * j) for j in range(count)]


# --- the scenes -------------------------------------------------------------------------------


@dataclass
class TypeScene:
    """Where a text scene's parts are (full-scale px) and when each comes in (scene frames)."""

    background: Palette
    ghost: TextBlock | None
    parts: list[tuple[str, TextBlock, int]]  # (kind: rise | pop | count, block, start)


def _area(platform: Platform) -> Box:
    """The safe zone narrowed to be symmetric about the frame's centre line."""
    return centred_band(Box.from_rect(platform.safe_rect), platform.width)


def type_scene(
    sc: Scene,
    theme: Theme,
    platform: Platform,
    s: VideoSettings,
    grid: BeatGrid | None,
    names: tuple[str, ...] = (),
    lang: str = "",
) -> TypeScene:
    """Lay out a quote, fact or CTA scene and schedule its parts (pure: no pixels)."""
    area = _area(platform)
    mid = platform.height * 0.47  # the frame's optical centre
    pal = palette(theme, sc.palette)
    fps = s.fps
    k = s.type_scale
    delay = sc.own_start - sc.start
    length = sc.own_end - sc.start
    step = reveal_step(grid)
    quick = quick_step(grid)
    # Frames are counted from the scene's start; the beat grid is in video time.
    t0 = sc.own_start / fps

    def at(t: float) -> int:
        return on_beat(t, grid, fps) - sc.start

    extra = {"names": names, "lang": lang}
    parts: list[tuple[str, TextBlock, int]] = []
    ghost = None
    if sc.kind == "quote":
        excerpt, speaker = (sc.display + ("", ""))[:2]
        mark = _layout(
            "“", Box(area.x, 0, area.w, 400), _style(theme, "title", (round(200 * k),) * 2, 1), ""
        )
        body = headline(
            excerpt,
            Box(area.x, 0, area.w, area.h * 0.62),
            _style(theme, "quote", (round(74 * k), 56), 7, leading=1.24, **extra),
            "quote",
        ) if excerpt.strip() else None  # fmt: skip
        who = _layout(
            f"— {speaker}" if speaker else "",
            Box(area.x, 0, area.w, 140),
            _style(theme, "heading", (round(44 * k), 34), 2, **extra),
            "quote_by",
        )
        placed = stack([(mark, 0.0), (body, -30.0), (who, 44.0)], area, mid)
        mark, body, who = placed
        first = delay + 1
        lines = _lines(body) if body else []
        starts = _schedule(at(t0 + step * 0.5), len(lines), step, fps, length - fps)
        if mark:
            parts.append(("pop", mark, first))
        parts += [("rise", line, st) for line, st in zip(lines, starts, strict=True)]
        if who:
            after = (starts[-1] if starts else first) + round(step * fps)
            parts.append(("rise", who, min(after, max(first, length - fps))))
        ghost = _layout("“", Box(0, 0, platform.width * 1.3, 2400),
                        _style(theme, "title", (1400, 1400), 1, align="left"), "")  # fmt: skip
        if ghost:
            ghost = _moved(ghost, platform.width * 0.42, platform.height * 0.62 - ghost.bounds.y)
    elif sc.kind == "fact":
        value, label, source = (sc.display + ("", "", ""))[:3]
        num = _layout(
            value,
            Box(area.x, 0, area.w, 480),
            _style(theme, "number", (round(320 * k), 140), 1, leading=1.0),
            "fact_value",
        )
        lab = _layout(
            label,
            Box(area.x, 0, area.w, area.h * 0.5),
            _style(theme, "heading", (round(70 * k), 58), 5, leading=1.16, **extra),
            "fact_label",
        )
        src = _layout(
            source,
            Box(area.x, 0, area.w, 120),
            _style(theme, "body", (40, 34), 2, leading=1.25),
            "fact_source",
        )
        num, lab, src = stack([(num, 0.0), (lab, 36.0), (src, 40.0)], area, mid)
        # The count starts as the scene lands (no blank card while it waits for a beat).
        count_start = delay + 1
        if num:
            kind = "count" if COUNT_UP.fullmatch(value.strip()) else "pop"
            parts.append((kind, num, count_start if kind == "count" else delay + 1))
        lines = _lines(lab) if lab else []
        # The label rises while the number settles: read together, not one after the other.
        label_from = count_start + round(COUNT_SECONDS * fps * 0.3)
        starts = _schedule(label_from, len(lines), quick, fps, length - fps)
        parts += [("rise", line, st) for line, st in zip(lines, starts, strict=True)]
        if src:
            after = (starts[-1] if starts else label_from) + round(quick * fps)
            parts.append(("rise", src, min(after, max(delay + 1, length - fps))))
        ghost = _layout(value, Box(0, 0, platform.width * 2, 1400),
                        _style(theme, "number", (1100, 600), 1, align="left"), "")  # fmt: skip
        if ghost:
            ghost = _moved(ghost, platform.width * 0.18, platform.height * 0.58 - ghost.bounds.y)
    else:  # cta
        call, where, credits = (sc.display + ("", "", ""))[:3]
        # Set like the opener's headline: broken at clauses, no word left alone.
        head = headline(
            call,
            Box(area.x, 0, area.w, area.h * 0.66),
            _style(theme, "title", (round(100 * k), 72), 6, leading=1.08, **extra),
            "cta",
        ) if call.strip() else None  # fmt: skip
        link = _layout(
            where,
            Box(area.x, 0, area.w, 120),
            _style(theme, "heading", (round(40 * k), 34), 1),
            "handle",
        )
        cred = _layout(
            credits,
            Box(area.x, 0, area.w, 80),
            _style(theme, "body", (30, 26), 2, leading=1.25),
            "credits",
        )
        head, link, cred = stack([(head, 0.0), (link, 64.0), (cred, 56.0)], area, mid)
        lines = _lines(head) if head else []
        button = sc.button - sc.start if sc.button >= 0 else length - round(s.end_tail * fps)
        starts = _schedule(delay + 1, len(lines), quick, fps, max(delay + 1, button - 8))
        parts += [("rise", line, st) for line, st in zip(lines, starts, strict=True)]
        # The handle pops on the closing hit and the credits follow, over the end card's
        # push-in (which starts once the call to action is in: no still while it waits).
        if link:
            parts.append(("late-pill", link, max(delay + 2, button)))
        # (The credits go in the post's text, not on the brand's end card.)
        del cred
    return TypeScene(pal, ghost, parts)


def _count_values(value: str, frames: int) -> list[str]:
    """The number shown at each frame of the count-up (ease-out), ending on `value`."""
    m = COUNT_UP.fullmatch(value.strip())
    if m is None:
        return [value]
    prefix, digits, suffix = m.groups()
    sep = next((ch for ch in digits if not ch.isdigit()), "")
    target = int(re.sub(r"\D", "", digits))
    out = []
    for j in range(frames):
        n = round(target * (1 - (1 - (j + 1) / frames) ** 3))
        text = f"{n:,}".replace(",", sep) if sep else str(n)
        out.append(f"{prefix}{text}{suffix}")
    out[-1] = value.strip()
    return out


def _retext(block: TextBlock, text: str) -> TextBlock:
    """The block's single line with another text, centred where the line's centre is."""
    line = block.lines[0]
    style = block.style
    width = measure(text, style.font, style.emoji_font, block.size)
    x = line.x + (line.width - width) / 2
    return replace(block, text=text, lines=(replace(line, text=text, x=x, width=width),))


def _pill(block: TextBlock, ink: RGBA, fill: RGBA, scale: float) -> Overlay:
    """A handle or link in a rounded pill (the theme's ink on its colour, inverted)."""
    from PIL import ImageDraw

    b = block.bounds
    pad_x, pad_y = block.size * 0.7, block.size * 0.42
    x0 = max(0, int((b.x - pad_x) * scale) // 2 * 2)
    y0 = max(0, int((b.y - pad_y) * scale) // 2 * 2)
    w = int((b.w + 2 * pad_x) * scale) + 2
    h = int((b.h + 2 * pad_y) * scale) + 2
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((0, 0, w - 1, h - 1), radius=h // 2, fill=fill)
    draw_block(img, _moved(block, -x0 / scale, -y0 / scale), ink, scale)
    return to_overlay(img, x0, y0)


def type_renderer(
    sc: Scene,
    theme: Theme,
    platform: Platform,
    s: VideoSettings,
    timeline: Timeline,
    scale: float,
    size: tuple[int, int],
    names: tuple[str, ...] = (),
    lang: str = "",
) -> TypeRenderer:
    """A quote, fact or CTA scene, drawn: background, ghost motif and timed elements."""
    plan = type_scene(sc, theme, platform, s, timeline.grid, names, lang)
    pal = plan.background
    base = dithered_gradient(pal.background[0], pal.background[1], size, seed=59 + sc.index)
    # (No ghost motif: a giant number cut by the frame edge reads as a rendering error.)
    fps = s.fps
    rise = round(RISE_PX * scale)
    elements: list[Any] = []
    late: list[Any] = []
    for kind, block, start in plan.parts:
        if kind.startswith("late-"):
            kind, into = kind[5:], late
        else:
            into = elements
        if kind == "rise":
            color = pal.muted if block.style.max_size <= 40 else pal.text
            if sc.kind == "quote" and block.style.font == theme.font("heading"):
                color = pal.accent
            ov = _sprite(block, color, scale)
            into.append(Anim(ov, start, max(2, round(RISE_SECONDS * fps)), rise))
        elif kind == "pop":
            into.append(_pop(block, pal.accent, scale, start))
        elif kind == "pill":
            fill = pal.text if sc.palette % 2 else pal.accent
            ink = pal.background[0] if sc.palette % 2 else theme.color("accent_text")
            final = _pill(block, ink, fill, scale)
            steps = [_pill(_scaled(block, k), ink, fill, scale) for k in POP]
            into.append(Pop(final, steps, start))
        else:  # count
            frames = round(COUNT_SECONDS * fps)
            schedule = _count_values(block.text, frames)
            values = {
                t: _sprite(_retext(block, t), pal.accent, scale) for t in dict.fromkeys(schedule)
            }
            landing = [_sprite(_scaled(block, k), pal.accent, scale) for k in LANDING]
            into.append(Count(values, schedule, start, landing))
    punches = tuple(f - sc.start for f in sc.shots)
    return TypeRenderer(base, size, elements, s.card_zoom, (0.5, 0.45), punches, late=late)


# --- the opener --------------------------------------------------------------------------------


def _lightest_and_darkest(theme: Theme) -> tuple[RGBA, RGBA]:
    names = ("text", "deep", "background", "surface", "accent_text", "muted")
    colors = [theme.color(n) for n in names if n in theme.colors]
    colors += [(255, 255, 255, 255), (0, 0, 0, 255)]
    lum = [color_luminance(c) for c in colors]
    light = colors[int(np.argmax(lum[:-2]))] if max(lum[:-2]) > 0.6 else colors[-2]
    dark = colors[int(np.argmin(lum[:-2]))] if min(lum[:-2]) < 0.06 else colors[-1]
    return light, dark


def _orphans(block: TextBlock) -> int:
    """Faults of a headline's lines: a short word stranded alone ("cho"), or a line that
    ends on a number whose noun went to the next line ("24 tháng, 3 / thị trường")."""
    out = 0
    lines = block.lines
    for j, line in enumerate(lines):
        words = line.text.split()
        if len(words) == 1 and len(words[0].strip(",.:;!?…—–-")) <= 4:
            out += 1
        last = words[-1] if words else ""
        if j + 1 < len(lines) and last.isdigit():  # a bare number ends the line
            out += 1
        # "Nghị quyết / 59": a number that names the thing before it stays with it.
        if (
            j
            and words
            and words[0][:1].isdigit()
            and not lines[j - 1].text.endswith((",", ".", ":", ";", "?", "!"))
        ):
            out += 1
    return out


def _midline_clauses(block: TextBlock) -> int:
    """Clause breaks (a comma, a colon) inside a line rather than at its end."""
    return sum(len(_CLAUSE.findall(line.text)) for line in block.lines)


_CLAUSE = re.compile(r"(?<=[,:;?!.…])\s+|\s+(?=[—–] )")


def headline(text: str, box: Box, style: TextStyle, field: str = "hook") -> TextBlock | None:
    """The headline at the largest size in the style's range (in steps of 6 px) where no
    line strands a word or a number, in at most 5 lines: first as the engine breaks it,
    then with each clause (after a comma, colon, before a dash) starting a line. Else
    the layout with the fewest faults."""
    variants = [text]
    if _CLAUSE.search(text):
        variants.append(_CLAUSE.sub("\n", text))
    best: tuple[tuple[int, int, int, int], TextBlock] | None = None
    size = style.max_size
    while size >= style.min_size:
        fixed = replace(style, max_size=size, min_size=size)
        for variant in variants:
            try:
                block = layout_text(variant, box, fixed, field)
            except LayoutError:
                continue
            score = (
                _orphans(block),
                max(0, len(block.lines) - 5),
                _midline_clauses(block) if len(variants) > 1 else 0,
                -size,
            )
            if score[:3] == (0, 0, 0):
                return block
            if best is None or score < best[0]:
                best = (score, block)
        size -= 6
    if best is not None and best[0][0] == 0:
        return best[1]
    # Every size in the range strands something: a little smaller, if that cures it.
    for size in range(style.min_size - 4, round(style.min_size * 0.85) - 1, -4):
        fixed = replace(style, max_size=size, min_size=size)
        for variant in variants:
            try:
                block = layout_text(variant, box, fixed, field)
            except LayoutError:
                continue
            if _orphans(block) == 0 and len(block.lines) <= 5:
                return block
    if best is not None:
        return best[1]
    small = replace(style, min_size=72)
    try:
        return layout_text(text, box, small, field)
    except LayoutError:
        return None


@dataclass
class OpenerLayout:
    block: TextBlock
    words: list[tuple[TextBlock, int, bool]]  # each word alone, its start frame, lit


_DIGIT = re.compile(r"\d")


def opener_layout(
    sc: Scene, theme: Theme, platform: Platform, s: VideoSettings,
    names: tuple[str, ...] = (), lang: str = "",
) -> OpenerLayout | None:  # fmt: skip
    """The headline laid out (pure): 110-150 px, centred in the safe zone, balanced; each
    word with the frame it pops in (all of them within `hook_pop` seconds)."""
    text = sc.display[0] if sc.display else sc.text
    area = _area(platform)
    style = _style(theme, "title", s.hook_size, 6, leading=1.08, names=names, lang=lang)
    style = replace(style, valign="center")
    box = Box(area.x, area.y, area.w, area.h * 0.86)
    if sc.portrait:  # over a portrait, the headline sits low: the face stays clear
        style = replace(style, valign="bottom", max_size=min(style.max_size, 124))
        box = Box(area.x, area.y + area.h * 0.5, area.w, area.h * 0.5)
    block = headline(text, box, style)
    if block is None:
        return None
    words: list[tuple[TextBlock, int, bool]] = []
    for line in block.lines:
        for word, off, width in word_offsets(line.text, block.style, block.size):
            if not word:
                continue
            one = Line(word, line.x + off, line.baseline, width)
            words.append((replace(block, text=word, lines=(one,)), 0, bool(_DIGIT.search(word))))
    n = len(words)
    last = max(0, round(s.hook_pop * s.fps) - 1)
    gap = min(2.0, last / max(1, n - 1))
    words = [(b, round(j * gap), lit) for j, (b, _s, lit) in enumerate(words)]
    return OpenerLayout(block, words)


def opener_renderer(
    sc: Scene,
    theme: Theme,
    platform: Platform,
    s: VideoSettings,
    scale: float,
    size: tuple[int, int],
    names: tuple[str, ...] = (),
    lang: str = "",
) -> OpenerRenderer:
    """The opener: the photo darkened enough for white type (a scrim of the theme's
    darkest colour, heavier at the edges) pushing in, and the headline popping in."""
    from outreach.render.photos import photo_crop, photo_size
    from outreach.render.video.motion import opener_windows

    light, dark = _lightest_and_darkest(theme)
    accent = theme.color("accent")
    lit_color = accent if ratio(color_luminance(accent), color_luminance(dark)) >= 4.5 else light
    frames = sc.frames
    if sc.photo is not None:
        path, focus = sc.photo
        src = photo_size(path)
        windows = opener_windows(frames, src, size, focus, sc.framing)
        x0 = min(w[0] for w in windows)
        y0 = min(w[1] for w in windows)
        x1 = max(w[0] + w[2] for w in windows)
        y1 = max(w[1] + w[3] for w in windows)
        k = size[0] / max(w[2] for w in windows)
        pw, ph = math.ceil((x1 - x0) * k), math.ceil((y1 - y0) * k)
        pw, ph = pw + pw % 2, ph + ph % 2
        crop = (x0 / src[0], y0 / src[1], x1 / src[0], y1 / src[1])
        img = photo_crop(path, (pw, ph), crop).convert("RGB")
        plate = to_planes(_opener_scrim(img, dark))
        windows = [((x - x0) * pw / (x1 - x0), (y - y0) * ph / (y1 - y0),
                    w * pw / (x1 - x0), h * ph / (y1 - y0)) for x, y, w, h in windows]  # fmt: skip
    else:
        pal = palette(theme, 0)
        plate = dithered_gradient(pal.background[0], pal.background[1], size)
        windows = _drift(frames, size)
    layout = opener_layout(sc, theme, platform, s, names, lang)
    words: list[Pop] = []
    shadow = (*dark[:3], 200)
    if layout is not None:
        for block, start, lit in layout.words:
            color = lit_color if lit else light
            words.append(_pop(block, color, scale, start, shadow, WORD_POP))
    return OpenerRenderer(plate, windows, size, words)


def _drift(frames: int, size: tuple[int, int]) -> list[tuple[float, float, float, float]]:
    """A slow push-in on a plain background (an opener without any photo)."""
    w, h = size
    out = []
    for k in range(frames):
        z = 1.0 + 0.06 * k / max(1, frames - 1)
        out.append(((w - w / z) / 2, (h - h / z) / 2, w / z, h / z))
    return out


def _opener_scrim(img: Image.Image, dark: RGBA) -> Image.Image:
    """Darken the photo for a white headline: 38% overall, up to 70% at the edges."""
    w, h = img.size
    yy = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
    xx = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
    r = np.sqrt(xx**2 * 0.6 + yy**2)
    a = np.clip(0.38 + 0.32 * np.clip(r - 0.35, 0, 1), 0, 0.72)
    mask = Image.fromarray(np.rint(a * 255).astype(np.uint8))
    return Image.composite(Image.new("RGB", img.size, dark[:3]), img, mask)
