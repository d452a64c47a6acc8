"""Scenes to pixels, once each: cards for the cover, quote, facts and CTA (the same
composer as the card files) split into a background and text pieces that animate in,
photo plates with a light scrim for beats, caption bitmaps with an outline and a pill
for the word being read.

Everything here runs once per scene or per caption chunk; `frames` does the per-frame work.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from outreach.layout.geometry import Box
from outreach.layout.text import LayoutError, TextBlock, TextStyle
from outreach.platforms import Platform
from outreach.render.cards import CardSpec, compose, plan_cards
from outreach.render.photos import photo_crop, photo_size
from outreach.render.text_draw import draw_block
from outreach.render.video.captions import (
    Chunk,
    CueTiming,
    caption_box,
    caption_style,
    centred_band,
    chunk_blocks,
    pause_breaks,
    time_chunks,
)
from outreach.render.video.frames import (
    CaptionArt,
    Lazy,
    MotionRenderer,
    Planes,
    StillRenderer,
    to_overlay,
    to_planes,
    word_rects,
)
from outreach.render.video.kinetic import dithered_gradient, opener_renderer, type_renderer
from outreach.render.video.motion import camera, plan_move
from outreach.render.video.timeline import Scene, Timeline, VideoSettings
from outreach.speech.align import MIN_PAUSE
from outreach.themes import Theme

#: Beat scrim: (y fraction, opacity). The middle of the photo is left untouched (true
#: colour); dark only at the very top (interface) and under the captions at the bottom.
SCRIM = ((0.0, 0.3), (0.1, 0.0), (0.42, 0.0), (0.58, 0.35), (0.7, 0.62), (1.0, 0.8))
#: Kinetic type on cards: each text piece rises this far (px at 1080 wide) and takes
#: this long; the next one starts STAGGER seconds later.
RISE_PX = 44
RISE_SECONDS = 0.42
STAGGER = 0.14


@dataclass
class Rendered:
    renderers: list[Any]
    captions: dict[int, Any]  # scene -> Lazy list of CaptionArt
    chunks: list[Chunk]
    cover: Image.Image  # the cover card, in RGB (cover.jpg)


def frame_size(platform: Platform, scale: float) -> tuple[int, int]:
    w = max(2, round(platform.width * scale))
    h = max(2, round(platform.height * scale))
    return (w - w % 2, h - h % 2)


class CaptionError(ValueError):
    """A beat's text cannot be set as captions; `field` points at it."""

    def __init__(self, message: str, hint: str, field: tuple[str | int, ...]):
        self.message, self.hint, self.field = message, hint, field
        super().__init__(f"{message} — {hint}")


def cue_timing(s: VideoSettings) -> CueTiming:
    return CueTiming(s.fps, s.min_cue, s.max_chars_per_second)


def caption_geometry(
    theme: Theme,
    platform: Platform,
    s: VideoSettings,
    names: tuple[str, ...] = (),
    lang: str = "",
) -> tuple[TextStyle, Box]:
    """The caption style and band: centred on the frame inside the safe zone."""
    style = caption_style(
        theme.font("heading"), theme.emoji_font, s.caption_size, theme.keep_together, names, lang
    )
    safe = Box.from_rect(platform.safe_rect)
    return style, caption_box(safe, style, platform.width)


def plan_captions(
    timeline: Timeline,
    theme: Theme,
    platform: Platform,
    s: VideoSettings,
    names: tuple[str, ...] = (),
    lang: str = "",
) -> dict[int, list[Chunk]]:
    """Caption chunks of every beat scene, timed inside the scene's own window.

    Pure planning (layout, no pixels), so validation can call it. Raises CaptionError
    (naming the beat's text field) if a word cannot fit the band.
    """
    style, box = caption_geometry(theme, platform, s, names, lang)
    safe = centred_band(Box.from_rect(platform.safe_rect), platform.width)
    timing = cue_timing(s)
    # With no photo the text is the picture: larger, centred in the safe zone.
    big = replace(
        style, max_size=round(style.max_size * 1.2), min_size=style.max_size, valign="center"
    )
    big_box = caption_box(safe, big)
    big_box = replace(big_box, y=safe.y + (safe.h - big_box.h) / 2)
    out: dict[int, list[Chunk]] = {}
    for i, sc in enumerate(timeline.scenes):
        if sc.kind != "beat" or not sc.text:
            continue
        name = f"beats[{sc.index}].text"
        # A spoken beat's words are timed by its voice, and its cues break where it pauses.
        words = sc.voice.words if sc.voice is not None else None
        text, word_times = sc.text, None
        if words:
            base = sc.own_start / timeline.fps
            word_times = [(base + w.start, base + w.end) for w in words]
            text = pause_breaks(
                sc.text, [w.start for w in words], [w.end for w in words], MIN_PAUSE
            )
        try:
            if sc.photo is None:
                try:
                    blocks = chunk_blocks(text, big_box, big, name)
                except LayoutError:
                    blocks = chunk_blocks(text, box, style, name)
            else:
                blocks = chunk_blocks(text, box, style, name)
        except LayoutError as exc:
            raise CaptionError(f"caption: {exc.message}", exc.hint, (*sc.field, "text")) from None
        try:
            out[i] = time_chunks(blocks, sc.own_start, sc.own_end, sc.field, timing, word_times)
        except ValueError:  # the laid-out words differ from the text's: reading speed
            out[i] = time_chunks(blocks, sc.own_start, sc.own_end, sc.field, timing)
    return out


def _cards(loaded: Any, platform: Platform, theme: Theme) -> dict[str, CardSpec]:
    return {spec.name: spec for spec in plan_cards(loaded, platform, theme)}


def _fit(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    return img if img.size == size else img.resize(size, Image.Resampling.LANCZOS)


def _rgb(
    spec: CardSpec, platform: Platform, theme: Theme, scale: float, size: tuple[int, int]
) -> Image.Image:
    return _fit(compose(spec, platform, theme, scale).image, size)


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


def _background(theme: Theme, size: tuple[int, int]) -> Planes:
    return dithered_gradient(theme.color("surface"), theme.color("deep"), size)


def _shifted(block: TextBlock, dx: float, dy: float) -> TextBlock:
    lines = tuple(replace(line, x=line.x - dx, baseline=line.baseline - dy) for line in block.lines)
    return replace(block, lines=lines)


def _caption_arts(
    chunks: list[Chunk], theme: Theme, s: VideoSettings, scale: float, size: tuple[int, int]
) -> list[CaptionArt]:
    return [caption_art(c, theme, s, scale, size) for c in chunks]


def _outline(alpha: Image.Image, radius: float) -> Image.Image:
    """A solid outline around glyphs: the coverage spread by `radius` px, edges kept soft."""
    spread = alpha.filter(ImageFilter.BoxBlur(max(1.0, radius)))
    return spread.point(lambda v: min(255, v * 6))


def photo_inks(theme: Theme, s: VideoSettings) -> tuple[tuple[int, int, int, int], ...]:
    """(caption colour, outline/band/scrim colour) over photos: the theme's, unless its
    text is dark (a light theme such as lotus), where a light scrim would fog the photo:
    then white type on the theme's darkest colour, as on every photo feed."""
    from outreach.render.contrast import color_luminance
    from outreach.render.video.kinetic import _lightest_and_darkest

    ink, under = theme.color(s.caption_color), theme.color(s.outline_color)
    if color_luminance(ink) < 0.4:
        light, dark = _lightest_and_darkest(theme)
        return light, dark
    return ink, under


#: The soft dark band behind captions (opacity), so white type keeps its weight on a
#: light photo (a cleanroom, a pale sky) where the outline alone reads thin.
BAND_OPACITY = 0.42


def _band(block: TextBlock, scale: float, size: tuple[int, int]) -> Image.Image:
    """A soft-edged rounded band behind each line of a caption (alpha only)."""
    band = Image.new("L", size, 0)
    draw = ImageDraw.Draw(band)
    em = block.size * scale
    for line in block.lines:
        x0 = (line.x - block.size * 0.28) * scale
        x1 = (line.x + line.width + block.size * 0.28) * scale
        y0 = (line.baseline - block.size * 0.98) * scale
        y1 = (line.baseline + block.size * 0.32) * scale
        draw.rounded_rectangle((x0, y0, x1, y1), radius=em * 0.3, fill=round(255 * BAND_OPACITY))
    return band.filter(ImageFilter.GaussianBlur(max(1.0, em * 0.12)))


def caption_art(
    chunk: Chunk, theme: Theme, s: VideoSettings, scale: float, size: tuple[int, int]
) -> CaptionArt:
    """Draw a chunk once plain (white with a dark outline and soft shadow) and once lit
    (each word group in the theme's text-on-accent colour on an accent pill)."""
    block = chunk.block
    b = block.bounds
    margin = block.size * 0.5
    ox, oy = max(0.0, b.x - margin), max(0.0, b.y - margin)
    w = min(size[0], int((b.w + 2 * margin) * scale) + 2)
    h = min(size[1], int((b.h + 2 * margin) * scale) + 2)
    x0, y0 = int(ox * scale), int(oy * scale)
    x0, y0 = x0 - x0 % 2, y0 - y0 % 2
    ox, oy = x0 / scale, y0 / scale
    local = _shifted(block, ox, oy)
    px = block.size * scale

    ink, outline = photo_inks(theme, s)
    outline_rgb = outline[:3]
    glyphs = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw_block(glyphs, local, (255, 255, 255, 255), scale)
    coverage = glyphs.getchannel("A")
    ring = _outline(coverage, px * 0.075)
    shadow = coverage.filter(ImageFilter.GaussianBlur(max(1.0, px * 0.16))).point(
        lambda v: min(255, int(v * 1.3))
    )
    base = Image.new("RGBA", (w, h), (*outline_rgb, 0))
    alpha = np.maximum(np.asarray(ring), np.asarray(shadow) // 2)
    alpha = np.maximum(alpha, np.asarray(_band(local, scale, (w, h))))
    base.putalpha(Image.fromarray(alpha))
    plain_img = base.copy()
    draw_block(plain_img, local, ink, scale)
    plain = to_overlay(plain_img, x0, y0)
    rects = word_rects(chunk, scale, (x0, y0))
    lit = None
    if s.highlight:
        lit_img = base.copy()
        pill = ImageDraw.Draw(lit_img)
        accent = theme.color(s.highlight_color)
        radius = max(2, round(px * 0.22))
        for r in rects.values():
            pill.rounded_rectangle(r, radius=radius, fill=accent)
        draw_block(lit_img, local, theme.color(s.highlight_text_color), scale)
        lit = to_overlay(lit_img, x0, y0)
    return CaptionArt(chunk, plain, lit, rects)


def _photo_renderer(
    sc: Scene, s: VideoSettings, theme: Theme, size: tuple[int, int]
) -> MotionRenderer:
    """A photo beat: the camera at a constant speed, each shot's plate cut from the photo
    at the resolution its widest window needs (so punch-ins stay as sharp as it allows)."""
    assert sc.photo is not None
    path, focus = sc.photo
    src = photo_size(path)
    cuts = tuple(f - sc.start for f in sc.shots)
    move = plan_move(
        sc.motion, sc.frames, s.fps, cuts, src, size, s.pan_speed, s.zoom_speed,
        s.punch_zoom, sc.framing, s.max_upscale,
    )  # fmt: skip
    cam = camera(move, sc.frames, s.fps, cuts, src, size, focus)
    scrim = photo_inks(theme, s)[1]

    def plate(shot: Any) -> Planes:
        rx, ry, rw, rh = shot.region
        crop = (rx / src[0], ry / src[1], (rx + rw) / src[0], (ry + rh) / src[1])
        img = photo_crop(path, shot.plate, crop).convert("RGB")
        # The scrim follows the frame, not the plate: apply it per frame height.
        return to_planes(_scrim(img, scrim))

    return MotionRenderer(size, cam, [functools.partial(plate, sh) for sh in cam.shots])


def _scene_renderer(
    sc: Scene,
    timeline: Timeline,
    platform: Platform,
    theme: Theme,
    s: VideoSettings,
    scale: float,
    size: tuple[int, int],
    names: tuple[str, ...],
    lang: str,
) -> Any:
    if sc.kind == "cover":
        return opener_renderer(sc, theme, platform, s, scale, size, names, lang)
    if sc.is_card:
        return type_renderer(sc, theme, platform, s, timeline, scale, size, names, lang)
    if sc.photo is None:
        return StillRenderer(_background(theme, size))  # the big captions are the motion here
    return _photo_renderer(sc, s, theme, size)


def render_scenes(
    loaded: Any,
    theme: Theme,
    platform: Platform,
    timeline: Timeline,
    chunks: dict[int, list[Chunk]],
    s: VideoSettings,
    scale: float,
) -> Rendered:
    """Every scene's pieces and caption bitmaps, each made when the encoder first needs it.

    Only the cover card is composed up front (it is also cover.jpg). Scenes are `Lazy`,
    so their preparation overlaps the encoding of the scenes before them instead of
    keeping a core idle, and `frame_stream` drops each one when its scene is over.
    """
    size = frame_size(platform, scale)
    cards = _cards(loaded, platform, theme)
    renderers: list[Any] = []
    cover_rgb = _rgb(cards["cover"], platform, theme, scale, size)
    names, lang = loaded.story.names, loaded.story.lang
    for sc in timeline.scenes:
        make = functools.partial(
            _scene_renderer, sc, timeline, platform, theme, s, scale, size, names, lang
        )
        renderers.append(Lazy(make))
    captions = {
        i: Lazy(functools.partial(_caption_arts, cs, theme, s, scale, size))
        for i, cs in chunks.items()
    }
    all_chunks = [c for i in sorted(chunks) for c in chunks[i]]
    return Rendered(renderers, captions, all_chunks, cover_rgb)
