"""Scenes to pixels, once each: cards for the cover, quote, facts and CTA (the same
composer as the card files), photo plates with a scrim for beats, caption bitmaps.

Everything here runs once per scene or per caption chunk; `frames` does the per-frame work.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from outreach.layout.geometry import Box
from outreach.layout.text import LayoutError, TextBlock, TextStyle, layout_text, measure
from outreach.platforms import Platform
from outreach.render.cards import CardSpec, compose, plan_cards
from outreach.render.photos import photo_fill
from outreach.render.text_draw import draw_block
from outreach.render.video.captions import (
    Chunk,
    caption_box,
    caption_style,
    chunk_blocks,
    time_chunks,
)
from outreach.render.video.frames import (
    CaptionArt,
    CountRenderer,
    Lazy,
    MotionRenderer,
    Planes,
    RevealRenderer,
    StillRenderer,
    to_overlay,
    to_planes,
    word_rects,
)
from outreach.render.video.timeline import Timeline, VideoSettings
from outreach.themes import Theme

#: Beat scrim: (y fraction, opacity). Dark at the bottom, where the captions sit.
SCRIM = ((0.0, 0.35), (0.14, 0.0), (0.3, 0.0), (0.48, 0.58), (0.62, 0.74), (1.0, 0.88))


@dataclass
class Rendered:
    renderers: list[Any]
    captions: dict[int, Any]  # scene -> Lazy list of CaptionArt
    chunks: list[Chunk]
    cover: Image.Image  # the first frame, in RGB


def frame_size(platform: Platform, scale: float) -> tuple[int, int]:
    w = max(2, round(platform.width * scale))
    h = max(2, round(platform.height * scale))
    return (w - w % 2, h - h % 2)


class CaptionError(ValueError):
    """A beat's text cannot be set as captions; `field` points at it."""

    def __init__(self, message: str, hint: str, field: tuple[str | int, ...]):
        self.message, self.hint, self.field = message, hint, field
        super().__init__(f"{message} — {hint}")


def plan_captions(
    timeline: Timeline,
    theme: Theme,
    platform: Platform,
    s: VideoSettings,
    names: tuple[str, ...] = (),
    lang: str = "",
) -> dict[int, list[Chunk]]:
    """Caption chunks of every beat scene, timed inside the scene's own window.

    Raises CaptionError (naming the beat's text field) if a word cannot fit the band.
    """
    style = caption_style(
        theme.font("heading"), theme.emoji_font, s.caption_size, theme.keep_together, names, lang
    )
    safe = Box.from_rect(platform.safe_rect)
    box = caption_box(safe, style)
    # With no photo the text is the picture: larger, centred in the safe zone.
    big = replace(
        style, max_size=round(style.max_size * 1.35), min_size=style.max_size, valign="center"
    )
    big_box = caption_box(safe, big)
    big_box = replace(big_box, y=safe.y + (safe.h - big_box.h) / 2)
    out: dict[int, list[Chunk]] = {}
    for i, sc in enumerate(timeline.scenes):
        if sc.kind != "beat" or not sc.text:
            continue
        try:
            if sc.photo is None:
                try:
                    blocks = chunk_blocks(sc.text, big_box, big, f"beats[{sc.index}].text")
                except LayoutError:
                    blocks = chunk_blocks(sc.text, box, style, f"beats[{sc.index}].text")
                out[i] = time_chunks(blocks, sc.own_start, sc.own_end, sc.field)
                continue
            blocks = chunk_blocks(sc.text, box, style, f"beats[{sc.index}].text")
        except LayoutError as exc:
            raise CaptionError(f"caption: {exc.message}", exc.hint, (*sc.field, "text")) from None
        out[i] = time_chunks(blocks, sc.own_start, sc.own_end, sc.field)
    return out


def _cards(loaded: Any, platform: Platform, theme: Theme) -> dict[str, CardSpec]:
    return {spec.name: spec for spec in plan_cards(loaded, platform, theme)}


def _rgb(
    spec: CardSpec, platform: Platform, theme: Theme, scale: float, size: tuple[int, int]
) -> Image.Image:
    img = compose(spec, platform, theme, scale).image
    return img if img.size == size else img.resize(size, Image.Resampling.LANCZOS)


def _scrim(img: Image.Image, color: tuple[int, int, int, int]) -> Image.Image:
    h = img.height
    pos = np.linspace(0.0, 1.0, h, dtype=np.float32)
    a = np.interp(pos, [p for p, _ in SCRIM], [o for _, o in SCRIM])
    column = Image.fromarray(np.rint(a * 255).astype(np.uint8)[:, None])
    return Image.composite(
        Image.new("RGB", img.size, color[:3]),
        img,
        column.resize(img.size, Image.Resampling.NEAREST),
    )


def _background(theme: Theme, size: tuple[int, int]) -> Image.Image:
    w, h = size
    top = np.array(theme.color("surface")[:3], dtype=np.float32)
    bottom = np.array(theme.color("deep")[:3], dtype=np.float32)
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    col = (top[None, :] * (1 - t) + bottom[None, :] * t).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(np.broadcast_to(col[:, None, :], (h, w, 3))))


def _plate(
    photo: Any, motion: str, size: tuple[int, int], s: VideoSettings, theme: Theme
) -> Planes:
    w, h = size
    if photo is None:
        return to_planes(_background(theme, size))
    k = 1.0 if motion == "none" else 1.0 + s.zoom
    pw, ph = round(w * k), round(h * k)
    pw, ph = pw + pw % 2, ph + ph % 2
    path, focus = photo
    img = photo_fill(path, (pw, ph), focus).convert("RGB")
    return to_planes(_scrim(img, theme.color(s.scrim_color)))


def _shifted(block: TextBlock, dx: float, dy: float) -> TextBlock:
    lines = tuple(replace(line, x=line.x - dx, baseline=line.baseline - dy) for line in block.lines)
    return replace(block, lines=lines)


def _caption_arts(
    chunks: list[Chunk], theme: Theme, s: VideoSettings, scale: float, size: tuple[int, int]
) -> list[CaptionArt]:
    return [caption_art(c, theme, s, scale, size) for c in chunks]


def caption_art(
    chunk: Chunk, theme: Theme, s: VideoSettings, scale: float, size: tuple[int, int]
) -> CaptionArt:
    """Draw a chunk once plain and once highlighted, with a soft shadow for legibility."""
    block = chunk.block
    b = block.bounds
    margin = block.size * 0.5
    ox, oy = max(0.0, b.x - margin), max(0.0, b.y - margin)
    w = min(size[0], int((b.w + 2 * margin) * scale) + 2)
    h = min(size[1], int((b.h + 2 * margin) * scale) + 2)
    x0, y0 = int(ox * scale), int(oy * scale)
    ox, oy = x0 / scale, y0 / scale
    local = _shifted(block, ox, oy)

    # The halo is the scrim colour: dark behind light text, light behind dark ink.
    halo = theme.color(s.scrim_color)[:3]
    glyphs = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw_block(glyphs, local, (255, 255, 255, 255), scale)
    spread = glyphs.getchannel("A").filter(
        ImageFilter.GaussianBlur(max(1.0, block.size * scale * 0.12))
    )
    shadow = Image.new("RGBA", (w, h), (*halo, 0))
    shadow.putalpha(spread.point(lambda v: min(255, int(v * 1.6))))

    def draw(color: tuple[int, int, int, int]) -> Image.Image:
        layer = shadow.copy()
        draw_block(layer, local, color, scale)
        return layer

    plain = to_overlay(draw(theme.color(s.caption_color)), x0, y0)
    lit = None
    if s.highlight:
        lit = to_overlay(draw(theme.color(s.highlight_color)), x0, y0)
    rects = word_rects(chunk, scale, (plain.x, plain.y))
    return CaptionArt(chunk, plain, lit, rects)


def _scene_renderer(
    sc: Any,
    cards: dict[str, CardSpec],
    platform: Platform,
    theme: Theme,
    s: VideoSettings,
    scale: float,
    size: tuple[int, int],
) -> Any:
    if sc.kind in ("quote", "cta"):
        return StillRenderer(to_planes(_rgb(cards[sc.kind], platform, theme, scale, size)))
    if sc.kind == "fact":
        spec = cards[f"fact-{sc.index + 1:02d}"]
        result = compose(spec, platform, theme, scale)
        final = to_planes(result.image.resize(size) if result.image.size != size else result.image)
        rec = next((r for r in result.records if r.field == "fact_value"), None)
        if rec is None:
            return StillRenderer(final)
        blank = replace(spec, values={**spec.values, "fact_value": ""})
        blank_rgb = _rgb(blank, platform, theme, scale, size)
        base = to_planes(blank_rgb)
        delay = sc.own_start - sc.start
        counter = _counter(
            spec.values["fact_value"], blank_rgb, base, final, platform, theme, s, scale, delay
        )
        if counter is not None:
            return counter
        x0, y0, x1, y1 = rec.box.inset(-rec.box.h * 0.1, -2).scaled(scale).rounded()
        region = (max(0, x0), max(0, y0), min(size[0], x1), min(size[1], y1))
        return RevealRenderer(base, final, region, round(0.7 * s.fps), round(90 * scale), delay)
    return MotionRenderer(
        _plate(sc.photo, sc.motion, size, s, theme), size, sc.motion if sc.photo else "none"
    )


_NUMBER = re.compile(r"(\D{0,3})(\d{1,7})(\D{0,4})")


def _counter(
    value: str,
    blank_rgb: Image.Image,
    base: Planes,
    final: Planes,
    platform: Platform,
    theme: Theme,
    s: VideoSettings,
    scale: float,
    delay: int,
) -> CountRenderer | None:
    """A count-up for a whole-number fact value like 24, 72% or 200+ (else None)."""
    m = _NUMBER.fullmatch(value.strip())
    layer = next(
        (
            ly
            for ly in theme.layers(platform.format, "fact")
            if ly.get("type") == "text" and ly.get("field") == "fact_value"
        ),
        None,
    )
    if m is None or layer is None or int(m.group(2)) < 3:
        return None
    prefix, number, suffix = m.group(1), int(m.group(2)), m.group(3)
    max_size, min_size = layer.get("size", [64, 32])
    style = TextStyle(
        font=theme.font(layer.get("font", "body")),
        emoji_font=theme.emoji_font,
        max_size=int(max_size),
        min_size=int(min_size),
        max_lines=int(layer.get("max_lines", 99)),
        align=layer.get("align", "left"),
        valign=layer.get("valign", "top"),
        balance=bool(layer.get("balance", False)),
        uppercase=bool(layer.get("uppercase", False)),
        leading=float(layer.get("leading", 1.15)),
        keep_together=theme.keep_together,
    )
    box = Box.from_rect(platform.safe_rect).within(tuple(layer.get("box", (0, 0, 1, 1))))
    try:
        block = layout_text(value, box, style, "fact_value")
    except LayoutError:
        return None
    if len(block.lines) != 1:
        return None
    line = block.lines[0]
    b = block.bounds.inset(-block.size * 0.25)
    w, h = blank_rgb.size
    x0, y0 = max(0, int(b.x * scale)) // 2 * 2, max(0, int(b.y * scale)) // 2 * 2
    x1, y1 = min(w, int(b.right * scale) + 2), min(h, int(b.bottom * scale) + 2)
    x1, y1 = x1 - (x1 - x0) % 2, y1 - (y1 - y0) % 2
    color = theme.color(layer.get("color", "text"))
    frames = round(0.9 * s.fps)
    schedule = [
        f"{prefix}{round(number * (1 - (1 - (j + 1) / frames) ** 3))}{suffix}"
        for j in range(frames)
    ]
    patches: dict[str, Planes] = {}
    for text in dict.fromkeys(schedule):
        # Same size and baseline as the final number; re-aligned for its own width.
        width = measure(text, style.font, style.emoji_font, block.size)
        x = {"left": line.x, "right": line.x + line.width - width}.get(
            style.align, line.x + (line.width - width) / 2
        )
        step = replace(block, lines=(replace(line, text=text, x=x, width=width),))
        patch = blank_rgb.crop((x0, y0, x1, y1)).convert("RGBA")
        draw_block(patch, _shifted(step, x0 / scale, y0 / scale), color, scale)
        patches[text] = to_planes(patch.convert("RGB"))
    return CountRenderer(base, final, patches, (x0, y0), schedule, delay)


def render_scenes(
    loaded: Any,
    theme: Theme,
    platform: Platform,
    timeline: Timeline,
    chunks: dict[int, list[Chunk]],
    s: VideoSettings,
    scale: float,
) -> Rendered:
    """Every scene's stills and caption bitmaps, each made when the encoder first needs it.

    Only the cover is drawn up front (it is also cover.jpg). The others are `Lazy`, so
    their preparation overlaps the encoding of the scenes before them instead of keeping
    a core idle, and `frame_stream` drops each one when its scene is over.
    """
    size = frame_size(platform, scale)
    cards = _cards(loaded, platform, theme)
    renderers: list[Any] = []
    cover_rgb = _rgb(cards["cover"], platform, theme, scale, size)
    for sc in timeline.scenes:
        if sc.kind == "cover":
            renderers.append(StillRenderer(to_planes(cover_rgb)))
        else:
            renderers.append(
                Lazy(functools.partial(_scene_renderer, sc, cards, platform, theme, s, scale, size))
            )
    captions = {
        i: Lazy(functools.partial(_caption_arts, cs, theme, s, scale, size))
        for i, cs in chunks.items()
    }
    all_chunks = [c for i in sorted(chunks) for c in chunks[i]]
    return Rendered(renderers, captions, all_chunks, cover_rgb)
