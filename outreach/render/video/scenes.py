"""Scenes to pixels, once each: cards for the cover, quote, facts and CTA (the same
composer as the card files) split into a background and text pieces that animate in,
photo plates with a light scrim for beats, caption bitmaps with an outline and a pill
for the word being read.

Everything here runs once per scene or per caption chunk; `frames` does the per-frame work.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from outreach.layout.geometry import Box
from outreach.layout.text import LayoutError, TextBlock, TextStyle, layout_text, measure
from outreach.platforms import Platform
from outreach.render.cards import CardSpec, compose, plan_cards
from outreach.render.photos import photo_fill
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
    Anim,
    CaptionArt,
    CardRenderer,
    Counter,
    Lazy,
    MotionRenderer,
    Planes,
    StillRenderer,
    _yuv_float,
    to_overlay,
    to_planes,
    word_rects,
)
from outreach.render.video.motion import beat_path
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


def _background(theme: Theme, size: tuple[int, int]) -> Planes:
    return dithered_gradient(theme.color("surface"), theme.color("deep"), size)


def _plate(
    photo: Any, motion: str, size: tuple[int, int], s: VideoSettings, theme: Theme
) -> Planes:
    w, h = size
    if photo is None:
        return _background(theme, size)
    k = 1.0 + s.zoom
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


def _outline(alpha: Image.Image, radius: float) -> Image.Image:
    """A solid outline around glyphs: the coverage spread by `radius` px, edges kept soft."""
    spread = alpha.filter(ImageFilter.BoxBlur(max(1.0, radius)))
    return spread.point(lambda v: min(255, v * 6))


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

    outline_rgb = theme.color(s.outline_color)[:3]
    glyphs = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw_block(glyphs, local, (255, 255, 255, 255), scale)
    coverage = glyphs.getchannel("A")
    ring = _outline(coverage, px * 0.075)
    shadow = coverage.filter(ImageFilter.GaussianBlur(max(1.0, px * 0.16))).point(
        lambda v: min(255, int(v * 1.3))
    )
    base = Image.new("RGBA", (w, h), (*outline_rgb, 0))
    base.putalpha(Image.fromarray(np.maximum(np.asarray(ring), np.asarray(shadow) // 2)))
    plain_img = base.copy()
    draw_block(plain_img, local, theme.color(s.caption_color), scale)
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


# --- cards: a background and text pieces ------------------------------------------------------


def _text_layers(theme: Theme, platform: Platform, layout: str) -> list[dict[str, Any]]:
    return [ly for ly in theme.layers(platform.format, layout) if ly.get("type") == "text"]


def _layer_style(theme: Theme, layer: dict[str, Any]) -> TextStyle:
    max_size, min_size = layer.get("size", [64, 32])
    return TextStyle(
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


def _line_bands(
    theme: Theme, platform: Platform, layer: dict[str, Any], value: str, box: Box
) -> list[tuple[float, float]]:
    """The vertical bands (full-scale px) of each line of a text layer, if its layout can be
    reproduced exactly (same box as the card's record); else one band."""
    try:
        block = layout_text(
            value,
            Box.from_rect(platform.safe_rect).within(tuple(layer.get("box", (0, 0, 1, 1)))),
            _layer_style(theme, layer),
            layer.get("field", ""),
        )
    except LayoutError:
        return [(box.y, box.bottom)]
    got = block.bounds
    if abs(got.y - box.y) > 2 or abs(got.h - box.h) > 2 or len(block.lines) < 2:
        return [(box.y, box.bottom)]
    cuts = [box.y - block.size]
    for a, b in zip(block.lines, block.lines[1:], strict=False):
        cuts.append((a.baseline + b.baseline) / 2 + block.size * 0.12)
    cuts.append(box.bottom + block.size)
    return list(zip(cuts, cuts[1:], strict=False))


def _pieces(
    full: Image.Image,
    blank: Image.Image,
    records: list[Any],
    bands: dict[str, list[tuple[float, float]]],
    scale: float,
    exclude: tuple[int, int, int, int] | None = None,
) -> list[Image.Image]:
    """The card's text as RGBA pieces (one per field, or per line), top to bottom: the
    pixels where the card differs from itself without text, a pixel's margin included."""
    fa = np.asarray(full, dtype=np.int16)
    ba = np.asarray(blank, dtype=np.int16)
    diff = (np.abs(fa - ba).max(axis=2) > 2).astype(np.uint8) * 255
    mask_all = np.zeros_like(diff)
    ys, xs = np.nonzero(diff)
    if ys.size:  # grow by a pixel, only around the text (a full-frame filter is slow)
        y0, y1 = max(0, int(ys.min()) - 2), int(ys.max()) + 3
        x0, x1 = max(0, int(xs.min()) - 2), int(xs.max()) + 3
        grown = Image.fromarray(diff[y0:y1, x0:x1]).filter(ImageFilter.MaxFilter(3))
        mask_all[y0:y1, x0:x1] = np.asarray(grown)
    if exclude is not None:  # drawn by the counter instead
        ex0, ey0, ex1, ey1 = exclude
        mask_all[ey0:ey1, ex0:ex1] = 0
    h, w = diff.shape
    claimed = np.zeros_like(mask_all, dtype=bool)
    out: list[tuple[float, Image.Image]] = []
    recs = sorted(records, key=lambda r: r.box.y)
    for rec in recs:
        for y0, y1 in bands.get(rec.field, [(rec.box.y, rec.box.bottom)]):
            pad = max(6.0, 0.4 * (rec.box.h if len(bands.get(rec.field, [])) < 2 else 0) + 12)
            x0 = max(0, int((rec.box.x - pad) * scale))
            x1 = min(w, int((rec.box.right + pad) * scale) + 1)
            ya = max(0, int((y0 - (pad if y0 <= rec.box.y + 1 else 0)) * scale))
            yb = min(h, int((y1 + (pad if y1 >= rec.box.bottom - 1 else 0)) * scale) + 1)
            region = np.zeros_like(claimed)
            region[ya:yb, x0:x1] = True
            sel = region & (mask_all > 0) & ~claimed
            if not sel.any():
                continue
            claimed |= sel
            out.append((y0, _piece(full, sel)))
    rest = (mask_all > 0) & ~claimed
    if rest.any():  # decorations shown only with a field (a pill, a rule): first
        out.insert(0, (-1.0, _piece(full, rest)))
    return [img for _y, img in sorted(out, key=lambda t: t[0])]


def _piece(full: Image.Image, sel: np.ndarray) -> Image.Image:
    ys, xs = np.nonzero(sel)
    y0, y1 = int(ys.min()) // 2 * 2, int(ys.max()) + 1
    x0, x1 = int(xs.min()) // 2 * 2, int(xs.max()) + 1
    rgba = full.crop((x0, y0, x1, y1)).convert("RGBA")
    rgba.putalpha(Image.fromarray((sel[y0:y1, x0:x1] * 255).astype(np.uint8)))
    canvas = Image.new("RGBA", full.size, (0, 0, 0, 0))
    canvas.paste(rgba, (x0, y0))
    canvas.info["origin"] = (x0, y0, x1, y1)
    return canvas


def _card_renderer(
    sc: Scene,
    spec: CardSpec,
    platform: Platform,
    theme: Theme,
    s: VideoSettings,
    scale: float,
    size: tuple[int, int],
) -> CardRenderer:
    """A card whose text rises in piece by piece, then the whole card slowly pushes in."""
    fps = s.fps
    result = compose(spec, platform, theme, scale)
    full = _fit(result.image, size)
    layers = _text_layers(theme, platform, spec.layout)
    fields = [ly.get("field") for ly in layers]
    blank_spec = replace(
        spec, values={k: ("" if k in fields else v) for k, v in spec.values.items()}
    )
    blank = _rgb(blank_spec, platform, theme, scale, size)
    bands: dict[str, list[tuple[float, float]]] = {}
    by_field = {r.field: r for r in result.records}
    for ly in layers:
        f = ly.get("field", "")
        if f in ("quote", "cta") and f in by_field:
            bands[f] = _line_bands(theme, platform, ly, spec.values.get(f, ""), by_field[f].box)
    counter = None
    records = list(result.records)
    delay = sc.own_start - sc.start
    if sc.kind == "fact" and "fact_value" in by_field:
        counter = _counter(spec, blank, platform, theme, s, scale, delay)
        if counter is not None:
            records = [r for r in records if r.field != "fact_value"]
    exclude = None
    if counter is not None:
        patch = next(iter(counter.patches.values()))
        exclude = (*counter.at, counter.at[0] + patch.size[0], counter.at[1] + patch.size[1])
    pieces = _pieces(full, blank, records, bands, scale, exclude)
    base_img = blank
    anims = []
    step = max(1, round(STAGGER * fps))
    frames = max(2, round(RISE_SECONDS * fps))
    rise = round(RISE_PX * scale)
    for j, piece in enumerate(pieces):
        x0, y0, x1, y1 = piece.info["origin"]
        ov = to_overlay(piece.crop((x0, y0, x1, y1)), x0, y0)
        anims.append(Anim(ov, delay + j * step, frames, rise))
    settle = max([delay + 1, *(a.start + a.frames for a in anims)])
    if counter is not None:
        settle = max(settle, counter.end + 2)
    # Everything after `settle` is the composed card itself (the pieces have landed).
    punches = tuple(f - sc.start for f in sc.shots)
    return CardRenderer(
        to_planes(base_img),
        to_planes(full),
        size,
        anims,
        counter,
        settle,
        s.card_zoom,
        (0.5, 0.45),
        punches,
    )


_NUMBER = re.compile(r"(\D{0,3})(\d{1,7})(\D{0,4})")


def _counter(
    spec: CardSpec,
    blank_rgb: Image.Image,
    platform: Platform,
    theme: Theme,
    s: VideoSettings,
    scale: float,
    delay: int,
) -> Counter | None:
    """A count-up for a whole-number fact value like 24, 72% or 200+ (else None), drawn
    over the card without its text, starting once the scene is fully in."""
    value = spec.values.get("fact_value", "")
    m = _NUMBER.fullmatch(value.strip())
    layer = next(
        (
            ly
            for ly in _text_layers(theme, platform, spec.layout)
            if ly.get("field") == "fact_value"
        ),
        None,
    )
    if m is None or layer is None or int(m.group(2)) < 3:
        return None
    prefix, number, suffix = m.group(1), int(m.group(2)), m.group(3)
    style = _layer_style(theme, layer)
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
    return Counter(patches, (x0, y0), schedule, delay + 2)


def _scene_renderer(
    sc: Scene,
    cards: dict[str, CardSpec],
    platform: Platform,
    theme: Theme,
    s: VideoSettings,
    scale: float,
    size: tuple[int, int],
) -> Any:
    if sc.is_card:
        name = f"fact-{sc.index + 1:02d}" if sc.kind == "fact" else sc.kind
        return _card_renderer(sc, cards[name], platform, theme, s, scale, size)
    plate = _plate(sc.photo, sc.motion, size, s, theme)
    if sc.photo is None:
        return StillRenderer(plate)  # the big captions are the motion here
    windows = beat_path(
        sc.motion,
        sc.frames,
        tuple(f - sc.start for f in sc.shots),
        plate.size,
        size,
        sc.photo[1],
        s.punch_zoom,
    )
    return MotionRenderer(plate, size, windows)


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
    for sc in timeline.scenes:
        renderers.append(
            Lazy(functools.partial(_scene_renderer, sc, cards, platform, theme, s, scale, size))
        )
    captions = {
        i: Lazy(functools.partial(_caption_arts, cs, theme, s, scale, size))
        for i, cs in chunks.items()
    }
    all_chunks = [c for i in sorted(chunks) for c in chunks[i]]
    return Rendered(renderers, captions, all_chunks, cover_rgb)
