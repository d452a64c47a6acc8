"""Card layers: each layer type is a small function that paints onto the canvas.

A card is a list of layer dicts from the theme (as in mkdocs-material's social plugin).
Coordinates in a layer are fractions: `box`/`region` of the *safe zone* for text and
logos (so the same layout fits every platform), `area` of the whole canvas for photos.

The photo layer frames the photo around its subject (a face, or the salient region) and
records where the subject landed; every later layer keeps clear of it: a `stack` cuts
its region to the clear side, scrims fade out before the face, the logo takes the first
corner that is free, and backings are solid bands or rounded labels, never smudges.
With `dry=True` nothing is painted: only the geometry is worked out, which is what the
layout chooser needs to try several variants quickly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from outreach import i18n
from outreach.layout.geometry import Box
from outreach.layout.text import LayoutError, Line, TextBlock, TextStyle, layout_text
from outreach.render.contrast import MIN_CONTRAST, luminance, ratio, worst_contrast
from outreach.render.framing import frame
from outreach.render.photos import photo_crop, photo_size
from outreach.render.subject import Subject, find_subject
from outreach.render.text_draw import draw_block
from outreach.themes import Theme

#: Text is made to reach a little more than the WCAG minimum, so rounding never fails it.
TARGET_CONTRAST = MIN_CONTRAST + 0.3
#: A logo's ink must reach this contrast against what lies under it.
LOGO_CONTRAST = 3.0
#: The logo is at least this tall at 1080 px of canvas width (more on wider canvases).
LOGO_MIN_HEIGHT = 40
#: Faces may be darkened (or faded) to no less than this share of their brightness.
FACE_MIN_BRIGHTNESS = 0.7
#: Space kept between a face and any text, logo or backing, as a share of canvas width.
FACE_MARGIN = 0.025


@dataclass(frozen=True)
class TextRecord:
    """Where one field's text ended up on a card (full-scale pixels), and how legible."""

    field: str
    box: Box
    contrast: float
    lines: tuple[str, ...] = ()  # the exact text of each drawn line (NFC)
    size: int = 0  # font size in px
    split: tuple[str, ...] = ()  # words broken across lines because nothing else fitted

    def as_manifest(self) -> dict[str, Any]:
        """The manifest's `text_boxes[]` entry."""
        return {
            "field": self.field,
            **self.box.as_dict(),
            "contrast": self.contrast,
            "lines": list(self.lines),
            "size": self.size,
        }


def record(name: str, block: TextBlock, contrast: float) -> TextRecord:
    """The record of one laid-out block."""
    lines = tuple(line.text for line in block.lines)
    return TextRecord(name, block.bounds, round(contrast, 2), lines, block.size, block.split)


@dataclass
class CardCanvas:
    """Everything a layer needs: the image being built and the card's context."""

    image: Image.Image
    full_size: tuple[int, int]
    safe: Box
    scale: float
    theme: Theme
    values: dict[str, str]
    photos: dict[str, tuple[Path, tuple[float, float] | None]]
    records: list[TextRecord] = field(default_factory=list)
    errors: list[LayoutError] = field(default_factory=list)
    draw_text: bool = True  # `check` only measures: layout, safe zone and contrast
    subjects: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    lang: str = ""
    names: tuple[str, ...] = ()  # the story's own names, never split across lines
    dry: bool = False  # geometry only: no pixels at all
    subject: Subject | None = None  # the main photo's subject
    subject_box: Box | None = None  # where it landed on the card (full-scale pixels)
    subject_fits: bool = True
    occupied: list[tuple[str, Box]] = field(default_factory=list)  # text, logo, backings
    logo: dict[str, Any] | None = None
    face_light: float | None = None  # the face's mean luminance as photographed
    photo_box: Box | None = None  # the main photo's area on the card
    reserved: list[Box] = field(default_factory=list)  # rows kept for `reserve` layers

    def color(self, name: str) -> tuple[int, int, int, int]:
        return self.theme.color(name)

    def px(self, box: Box) -> tuple[int, int, int, int]:
        return box.scaled(self.scale).rounded()

    def canvas_box(self, frac: list[float] | None) -> Box:
        full = Box(0, 0, *self.full_size)
        return full.within(tuple(frac)) if frac else full  # type: ignore[arg-type]

    def safe_sub(self, frac: list[float] | None) -> Box:
        return self.safe.within(tuple(frac)) if frac else self.safe  # type: ignore[arg-type]

    @property
    def unit(self) -> float:
        """Pixels per 'design pixel': layouts are written for a 1080 px wide canvas."""
        return self.full_size[0] / 1080

    @property
    def keep_clear(self) -> Box | None:
        """The face (with a margin) that nothing may cover; None without a face."""
        if self.subject_box is None or self.subject is None or not self.subject.is_face:
            return None
        m = FACE_MARGIN * self.full_size[0]
        return self.subject_box.inset(-m)

    def covers_subject(self, box: Box) -> bool:
        clear = self.keep_clear
        return clear is not None and box.intersects(clear)


LayerFn = Callable[[CardCanvas, dict[str, Any]], None]
LAYERS: dict[str, LayerFn] = {}


def layer(name: str) -> Callable[[LayerFn], LayerFn]:
    def register(fn: LayerFn) -> LayerFn:
        LAYERS[name] = fn
        return fn

    return register


def fields_read(layers: list[dict[str, Any]]) -> set[str]:
    """Every value name a list of layers reads (`field`, `when`, stack items): for digests."""
    used: set[str] = set()

    def visit(spec: dict[str, Any]) -> None:
        for key in ("field", "when", "pill", "qr"):
            if isinstance(spec.get(key), str):
                used.add(spec[key].lstrip("!"))
        if spec.get("byline"):
            used.update(BYLINE_PARTS)
        if spec.get("facts"):
            used.add("recap")
        for item in spec.get("items", []) or []:
            if isinstance(item, dict):
                visit(item)

    for spec in layers:
        visit(spec)
    return used


def layer_digest(spec: dict[str, Any], canvas: CardCanvas) -> str:
    """Content hash of one layer: its spec plus every value and photo it reads."""
    refs = {k: canvas.values.get(k, "") for k in sorted(fields_read([spec]))}
    photo = canvas.photos.get(spec.get("source", ""), None)
    payload = json.dumps(
        [spec, refs, str(photo), canvas.full_size, canvas.theme.digest, canvas.names, canvas.lang],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def applies(spec: dict[str, Any], canvas: CardCanvas) -> bool:
    """`when: field` shows a layer only when that field has a value (`when: "!field"`: lacks)."""
    when = spec.get("when")
    if not when:
        return True
    if when.startswith("!"):
        return not canvas.values.get(when[1:]) and when[1:] not in canvas.photos
    return bool(canvas.values.get(when)) or when in canvas.photos


def _overlay(c: CardCanvas) -> Image.Image:
    return Image.new("RGBA", c.image.size, (0, 0, 0, 0))


# --- background, motif, rect -----------------------------------------------------------


@layer("background")
def _background(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A flat colour, or a vertical gradient between two theme colours."""
    if c.dry:
        return
    w, h = c.image.size
    if "gradient" in spec:
        top, bottom = (np.array(c.color(x), dtype=np.float32) for x in spec["gradient"])
        t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
        col = (top[None, :] * (1 - t) + bottom[None, :] * t).astype(np.uint8)
        grad = np.broadcast_to(col[:, None, :], (h, w, 4))
        c.image.alpha_composite(Image.fromarray(np.ascontiguousarray(grad)))
    else:
        c.image.alpha_composite(Image.new("RGBA", (w, h), c.color(spec.get("color", "background"))))


@layer("motif")
def _motif(c: CardCanvas, spec: dict[str, Any]) -> None:
    """The theme's graphic device: concentric rings (the logo's orbit) or a dot grid,
    in a theme colour at low opacity, so text-only cards have a designed ground."""
    if c.dry:
        return
    w, h = c.image.size
    r, g, b, _ = c.color(spec.get("color", "accent"))
    alpha = round(255 * float(spec.get("opacity", 0.1)))
    over = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(over)
    cx, cy = (float(v) for v in spec.get("at", [1.0, 1.0]))
    cx, cy = cx * w, cy * h
    shape = spec.get("shape", "rings")
    if shape == "rings":
        radius = float(spec.get("radius", 0.8)) * w
        rings = int(spec.get("rings", 5))
        width = max(1, round(float(spec.get("width", 6)) * c.unit * c.scale))
        for i in range(rings):
            rr = radius * (i + 1) / rings
            draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), outline=alpha, width=width)
    elif shape == "dots":
        step = float(spec.get("step", 36)) * c.unit * c.scale
        dot = max(1.0, float(spec.get("dot", 4)) * c.unit * c.scale)
        area = c.canvas_box(spec.get("area"))
        x0, y0, x1, y1 = c.px(area)
        yy = y0 + step / 2
        while yy < y1:
            xx = x0 + step / 2
            while xx < x1:
                draw.ellipse((xx - dot, yy - dot, xx + dot, yy + dot), fill=alpha)
                xx += step
            yy += step
    elif shape == "disc":
        radius = float(spec.get("radius", 0.5)) * w
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=alpha)
    layer_img = Image.new("RGBA", (w, h), (r, g, b, 0))
    layer_img.putalpha(over)
    c.image.alpha_composite(layer_img)


@layer("ghost")
def _ghost(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A field's text set huge and faint, bleeding off the canvas: an editorial graphic
    (a watermark numeral or quote mark) for the area the platform's interface covers.
    Decorative: it is not a text record and may leave the safe zone."""
    text = c.values.get(spec["field"], "")
    if not text or c.dry:
        return
    from outreach.layout.fonts import load_font

    size = max(1, round(float(spec.get("size", 900)) * c.unit * c.scale))
    font = load_font(c.theme.font(spec.get("font", "number")), size)
    w, h = c.image.size
    over = _overlay(c)
    draw = ImageDraw.Draw(over)
    r, g, b, _ = c.color(spec.get("color", "accent"))
    alpha = round(255 * float(spec.get("opacity", 0.08)))
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font, anchor="ls")
    ax, ay = (float(v) for v in spec.get("at", [1.0, 1.0]))
    # `at` places the ink box's matching corner: [1, 1] puts its bottom-right there.
    x = ax * w - x0 - (x1 - x0) * ax
    y = ay * h - y1 + (y1 - y0) * (1 - ay) * 0 + (y1 - y0) * float(spec.get("bleed", 0.12))
    draw.text((x, y), text, font=font, fill=(r, g, b, alpha), anchor="ls")
    c.image.alpha_composite(over)


@layer("rect")
def _rect(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A flat shape: accent bars and panels. `box` is in the safe zone, `area` in the canvas."""
    if c.dry:
        return
    if spec.get("edge"):
        box = photo_area(c, spec)
    else:
        box = c.canvas_box(spec["area"]) if "area" in spec else c.safe_sub(spec.get("box"))
    x0, y0, x1, y1 = c.px(box)
    color = c.color(spec.get("color", "accent"))
    over = c.image if color[3] == 255 else _overlay(c)
    radius = round(float(spec.get("radius", 0)) * c.scale * c.unit)
    ImageDraw.Draw(over).rounded_rectangle((x0, y0, x1 - 1, y1 - 1), radius=radius, fill=color)
    if over is not c.image:
        c.image.alpha_composite(over)


# --- photos ----------------------------------------------------------------------------


def _treat(img: Image.Image, c: CardCanvas, spec: dict[str, Any]) -> Image.Image:
    """The theme's photo treatment, as data: none, duotone (ink to paper) or mono."""
    treatment = spec.get("treatment", c.theme.photo.get("treatment", "none"))
    if treatment in ("none", None):
        return img
    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    lum = arr @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    lum = lum[..., None] / 255.0
    if treatment == "duotone":
        opts = c.theme.photo.get("duotone", {})
        dark = np.array(c.color(opts.get("dark", "text"))[:3], dtype=np.float32)
        light = np.array(c.color(opts.get("light", "background"))[:3], dtype=np.float32)
        strength = float(opts.get("strength", 1.0))
        # Keep the face's brightness: the ramp maps black to `dark`, white to `light`.
        toned = dark + (light - dark) * lum
        out = arr * (1 - strength) + toned * strength
    elif treatment == "mono":
        out = np.repeat(lum * 255.0, 3, axis=2)
    else:
        return img
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).convert("RGBA")


@layer("photo")
def _photo(c: CardCanvas, spec: dict[str, Any]) -> None:
    """The story's photo, framed so its subject lands in `subject` (a canvas zone).

    `shape: rounded | circle` and `frame:` give framed photos; the first photo of a card
    is its main photo, whose subject every later layer keeps clear of.
    """
    name = spec.get("source", "cover")
    source = c.photos.get(name)
    if source is None:
        return
    path, focus = source
    area = photo_area(c, spec)
    if spec.get("below_text") is not None:
        # Starts under the text already set (a text-first layout): the photo takes all
        # the height the text leaves.
        texts = [b.bottom for kind, b in c.occupied if kind not in ("logo", "backing")]
        if texts:
            top = max(area.y, max(texts) + float(spec["below_text"]) * c.unit)
            area = Box(area.x, top, area.w, max(1.0, area.bottom - top))
    if spec.get("to_bottom") is not None:
        bottom = c.full_size[1] - float(spec["to_bottom"]) * c.unit
        area = Box(area.x, area.y, area.w, max(1.0, bottom - area.y))
    if spec.get("square"):  # a square inside the area (circles, avatars)
        side = min(area.w, area.h)
        area = Box(area.x + (area.w - side) / 2, area.y + (area.h - side) / 2, side, side)
    subject = find_subject(path, c.subjects.get(name))
    zone_of = area
    if spec.get("subject_in") == "safe":
        # The face lands in the part of the photo the platform's interface never covers.
        zone_of = _intersection(area, c.safe) or area
    zone = zone_of.within(tuple(spec["subject"])) if spec.get("subject") else None
    # `subject_min` is a share of the height the face may use (the safe part, if asked).
    min_h = float(spec.get("subject_min", 0.0)) * zone_of.h / max(1e-6, area.h)
    framing = frame(
        photo_size(path),
        area,
        subject.box if subject.kind != "none" else None,
        zone,
        focus,
        float(spec.get("zoom", 1.6)),
        min_h,
        spec.get("subject_align") == "top",
    )
    main = c.subject is None and spec.get("main", True)
    if main:
        c.subject, c.subject_box, c.subject_fits = subject, framing.subject, framing.fits
        c.photo_box = area
    if c.dry:
        return
    x0, y0, x1, y1 = c.px(area)
    size = (max(1, x1 - x0), max(1, y1 - y0))
    img = photo_crop(path, size, framing.crop).convert("RGBA")
    if main and framing.subject is not None and subject.is_face:
        c.face_light = _mean_light(c, img, framing.subject, (x0, y0))
    img = _treat(img, c, spec)
    if spec.get("darken"):
        # A face keeps at least 70% of its brightness.
        amount = float(spec["darken"])
        if main and subject.is_face:
            amount = min(amount, 1 - FACE_MIN_BRIGHTNESS - 0.02)
        img = Image.blend(img, Image.new("RGBA", size, (0, 0, 0, 255)), amount)
    mask = None
    shape = spec.get("shape", "rect")
    if shape in ("rounded", "circle"):
        mask = Image.new("L", size, 0)
        radius = (
            min(size) // 2
            if shape == "circle"
            else round(float(spec.get("radius", 28)) * c.unit * c.scale)
        )
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius, fill=255)
    border = spec.get("frame")
    if border:
        width = round(float(border.get("width", 12)) * c.unit * c.scale)
        color = c.color(border.get("color", "surface"))
        over = _overlay(c)
        radius = (
            (min(size) // 2 + width)
            if shape == "circle"
            else round(float(spec.get("radius", 0)) * c.unit * c.scale) + width
        )
        ImageDraw.Draw(over).rounded_rectangle(
            (x0 - width, y0 - width, x1 + width - 1, y1 + width - 1), radius, fill=color
        )
        c.image.alpha_composite(over)
    if spec.get("opacity") is not None:
        alpha = Image.new("L", size, round(255 * float(spec["opacity"])))
        mask = (
            alpha
            if mask is None
            else Image.fromarray(np.minimum(np.asarray(mask), np.asarray(alpha)))
        )
    if mask is not None:
        img.putalpha(mask)
    c.image.alpha_composite(img, (x0, y0))
    seam = spec.get("seam")
    if seam:
        # An accent bar on the photo's edge towards the text: the seam between them.
        sh = max(1, round(float(seam.get("height", 10)) * c.unit * c.scale))
        sw = max(1, round(float(seam.get("width", 1.0)) * c.image.width))
        sy = y0 if seam.get("at", "top") == "top" else y1 - sh
        ImageDraw.Draw(c.image).rectangle(
            (x0, sy, x0 + sw - 1, sy + sh - 1), fill=c.color(seam.get("color", "accent"))
        )


def _intersection(a: Box, b: Box) -> Box | None:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    if x1 <= x0 or y1 <= y0:
        return None
    return Box(x0, y0, x1 - x0, y1 - y0)


def photo_area(c: CardCanvas, spec: dict[str, Any]) -> Box:
    """A photo's area: `area` of the canvas, `box` of the safe zone, or `edge` + `split`:
    from a canvas edge to a fraction of the safe zone (the seam lands at the same place
    of the text area on every preset)."""
    if spec.get("box"):
        return c.safe_sub(spec["box"])
    edge = spec.get("edge")
    if edge:
        w, h = c.full_size
        f = float(spec.get("split", 0.5))
        s = c.safe
        if edge == "top":
            return Box(0, 0, w, s.y + f * s.h)
        if edge == "bottom":
            y = s.y + f * s.h
            return Box(0, y, w, h - y)
        if edge == "left":
            return Box(0, 0, s.x + f * s.w, h)
        x = s.x + f * s.w
        return Box(x, 0, w - x, h)
    return c.canvas_box(spec.get("area"))


def _mean_light(c: CardCanvas, img: Image.Image, face: Box, origin: tuple[int, int]) -> float:
    x0, y0, x1, y1 = face.scaled(c.scale).rounded()
    crop = img.crop((x0 - origin[0], y0 - origin[1], x1 - origin[0], y1 - origin[1]))
    return float(luminance(np.asarray(crop.convert("RGB"))).mean())


def face_brightness(c: CardCanvas) -> float | None:
    """The face's mean luminance on the finished card, as a share of the photo's own."""
    if c.face_light is None or c.subject_box is None or c.dry:
        return None
    x0, y0, x1, y1 = c.subject_box.scaled(c.scale).rounded()
    crop = c.image.crop((x0, y0, x1, y1)).convert("RGB")
    now = float(luminance(np.asarray(crop)).mean())
    return now / c.face_light if c.face_light > 1e-4 else 1.0


def _face_guard(c: CardCanvas, alpha: np.ndarray) -> np.ndarray:
    """Cap an overlay's opacity over the face so it keeps 70% of its brightness."""
    clear = c.keep_clear
    if clear is None:
        return alpha
    x0, y0, x1, y1 = clear.scaled(c.scale).rounded()
    h, w = alpha.shape
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        cap = round(255 * (1 - FACE_MIN_BRIGHTNESS) * 0.8)
        alpha = alpha.copy()
        alpha[y0:y1, x0:x1] = np.minimum(alpha[y0:y1, x0:x1], cap)
    return alpha


@layer("scrim")
def _scrim(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A colour gradient whose opacity follows `stops` [[y fraction of canvas, alpha]...].

    Never over a face: its opacity there is capped (see FACE_MIN_BRIGHTNESS).
    """
    if c.dry:
        return
    w, h = c.image.size
    r, g, b, _ = c.color(spec.get("color", "background"))
    stops = spec.get("stops", [[0.4, 0.0], [1.0, 0.9]])
    axis = spec.get("axis", "y")
    n = h if axis == "y" else w
    pos = np.linspace(0.0, 1.0, n, dtype=np.float32)
    alpha = np.interp(pos, [s[0] for s in stops], [s[1] for s in stops]).astype(np.float32)
    a = (alpha * 255).astype(np.uint8)
    mask = (
        np.broadcast_to(a[:, None], (h, w)) if axis == "y" else np.broadcast_to(a[None, :], (h, w))
    )
    mask = _face_guard(c, np.ascontiguousarray(mask))
    over = Image.new("RGBA", (w, h), (r, g, b, 0))
    over.putalpha(Image.fromarray(mask))
    c.image.alpha_composite(over)


# --- logo ------------------------------------------------------------------------------


_LOGOS: dict[str, Image.Image] = {}


def _load_logo(path: str) -> Image.Image:
    if path not in _LOGOS:
        with Image.open(path) as im:
            _LOGOS[path] = im.convert("RGBA")
    return _LOGOS[path]


def _tight(img: Image.Image) -> Image.Image:
    """The logo without its transparent margins, so its height is the ink's height."""
    bbox = img.getchannel("A").point(lambda v: 255 if v > 8 else 0).getbbox()
    return img.crop(bbox) if bbox else img


def _is_one_colour(img: Image.Image) -> bool:
    """Whether a mark is drawn in a single colour (a declared white or ink version)."""
    a = np.asarray(img.getchannel("A"))
    ink = a > 127
    if not ink.any():
        return False
    rgb = np.asarray(img.convert("RGB"), dtype=np.int16)[ink]
    return bool((rgb.max(axis=0) - rgb.min(axis=0)).max() <= 24)


def knockout_alpha(img: Image.Image) -> np.ndarray:
    """The alpha of a one-colour version of a mark: its own alpha for a one-colour mark;
    for a full-colour mark, its alpha with the near-white parts (a globe's gridlines,
    counters) cut out, so a one-colour version never fills the mark's holes."""
    a = np.asarray(img.getchannel("A"), dtype=np.float32)
    if _is_one_colour(img):
        return a
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
    whiteness = np.clip((rgb.min(axis=2) - 200.0) / 30.0, 0.0, 1.0)
    return a * (1.0 - whiteness)


def _one_colour(img: Image.Image, color: tuple[int, int, int, int]) -> Image.Image:
    out = Image.new("RGBA", img.size, color[:3] + (0,))
    out.putalpha(Image.fromarray(np.clip(knockout_alpha(img), 0, 255).astype(np.uint8)))
    return out


_DERIVED: dict[tuple[str, tuple[int, ...]], Image.Image] = {}


def logo_candidates(c: CardCanvas) -> list[tuple[str, Image.Image]]:
    """The theme's declared logos for this language, then derived one-colour versions
    (white and the theme's ink), cut from a declared one-colour mark when there is one
    (its holes are exact), else from the full-colour mark with its white parts cut out."""
    declared = c.theme.logos_for(c.lang)
    out: list[tuple[str, Image.Image]] = []
    for role, path in declared:
        out.append((role, _tight(_load_logo(path))))
    if out:
        mono = [(path, img) for (_, path), (_, img) in zip(declared, out, strict=True)]
        path, base = next(((p, i) for p, i in mono if _is_one_colour(i)), mono[0])
        for role, color in (("white", (255, 255, 255, 255)), ("ink", c.color(c.theme.logo_ink))):
            key = (path, color)
            if key not in _DERIVED:
                _DERIVED[key] = _one_colour(base, color)
            out.append((role, _DERIVED[key]))
    return out


def ink_contrast_share(logo: Image.Image, under: Image.Image) -> float:
    """Share of the logo's ink (alpha > 50%) with >= 3:1 contrast against what is under it."""
    a = np.asarray(logo.getchannel("A"))
    ink = a > 127
    if not ink.any():
        return 0.0
    fg = luminance(np.asarray(logo.convert("RGB"))[ink])
    bg = luminance(np.asarray(under.convert("RGB"))[ink])
    hi, lo = np.maximum(fg, bg), np.minimum(fg, bg)
    return float(((hi + 0.05) / (lo + 0.05) >= LOGO_CONTRAST).mean())


def busyness(under: Image.Image) -> float:
    """How much is going on behind a logo: the share of pixels on an edge (a strong local
    change of luminance). A flat ground or a soft gradient is ~0, a moon, a cloud's edge
    or a circuit line behind the wordmark is several percent."""
    arr = np.asarray(under.convert("L"), dtype=np.float32) / 255.0
    if arr.shape[0] < 3 or arr.shape[1] < 3:
        return 0.0
    gx = np.abs(np.diff(arr, axis=1))[:-1, :]
    gy = np.abs(np.diff(arr, axis=0))[:, :-1]
    step = 0.045 * max(1.0, 200 / max(arr.shape))  # per-pixel step of a visible edge
    return float(((gx + gy) > step).mean())


#: Above this share of edge pixels behind it, a logo on a photo gets a soft backing.
LOGO_BUSY = 0.02


_CORNERS = {
    "top-left": (0.0, 0.0),
    "top-right": (1.0, 0.0),
    "bottom-left": (0.0, 1.0),
    "bottom-right": (1.0, 1.0),
    "top-center": (0.5, 0.0),
    "bottom-center": (0.5, 1.0),
}


def _logo_boxes(c: CardCanvas, spec: dict[str, Any], logo: Image.Image) -> list[Box]:
    """The logo's box at each of its `at` corners of the safe zone (or of `region`) that
    keeps clear of the face and of what is already placed, in the theme's order (the
    first corner alone when none is free)."""
    height = max(
        float(spec.get("height", 56)) * c.unit, LOGO_MIN_HEIGHT * max(1.0, c.full_size[0] / 1080)
    )
    width = logo.width * height / logo.height
    region = c.safe_sub(spec.get("region") or spec.get("box"))
    if spec.get("box") and not spec.get("at"):
        # Legacy `box:` layers: fit the box's height, never below the minimum.
        height = max(height, min(region.h, region.w * logo.height / logo.width))
        width = logo.width * height / logo.height
    corners = spec.get("at") or [spec.get("align", "left") == "right" and "top-right" or "top-left"]
    if isinstance(corners, str):
        corners = [corners]
    boxes: list[Box] = []
    free: list[Box] = []
    for name in corners:
        fx, fy = _CORNERS.get(name, (0.0, 0.0))
        box = Box(
            region.x + (region.w - width) * fx, region.y + (region.h - height) * fy, width, height
        )
        boxes.append(box)
        if not c.covers_subject(box.inset(-height * 0.2)) and not any(
            box.intersects(b) for _, b in c.occupied
        ):
            free.append(box)
    return free or boxes[:1]


def logo_box(c: CardCanvas, spec: dict[str, Any], logo: Image.Image) -> Box:
    """Where the logo goes: the first free corner (see `_logo_boxes`)."""
    return _logo_boxes(c, spec, logo)[0]


def _on_photo(c: CardCanvas, box: Box) -> bool:
    return c.photo_box is not None and c.photo_box.intersects(box)


def _under(c: CardCanvas, box: Box) -> Image.Image:
    x0, y0, x1, y1 = c.px(box)
    return c.image.crop((x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)))


def _best_variant(
    candidates: list[tuple[str, Image.Image]], size: tuple[int, int], under: Image.Image
) -> tuple[float, str, Image.Image]:
    """The candidate with the most ink at >= 3:1; a declared variant that works is
    preferred over a derived one."""
    best: tuple[float, str, Image.Image] | None = None
    for role, img in candidates:
        scaled = img.resize(size, Image.Resampling.LANCZOS)
        share = ink_contrast_share(scaled, under)
        if best is None or share > best[0] + 1e-9:
            best = (share, role, scaled)
        if share >= 0.97 and role not in ("white", "ink"):
            break
    assert best is not None
    return best


def _tab(c: CardCanvas, box: Box, color: tuple[int, int, int, int]) -> None:
    """A solid rounded tab in the theme's colour behind a logo on a busy photo: a quiet,
    deliberate ground for the mark (never a blur)."""
    x0, y0, x1, y1 = c.px(box)
    pad = round((y1 - y0) * 0.3)
    ImageDraw.Draw(c.image).rounded_rectangle(
        (x0 - pad, y0 - pad, x1 + pad, y1 + pad), pad, fill=color[:3] + (255,)
    )


@layer("logo")
def _logo(c: CardCanvas, spec: dict[str, Any]) -> None:
    """The theme's logo, in the variant with >= 3:1 contrast on what lies under it, at the
    quietest free corner; on a busy photo, or where no variant has the contrast, on a
    solid rounded tab in the theme's `logo_shade` colour."""
    candidates = logo_candidates(c)
    if not candidates:
        return
    if spec.get("variant"):  # legacy: a named file first
        alt = c.theme.find_file(spec["variant"])
        if alt:
            candidates.insert(0, ("variant", _tight(_load_logo(str(alt)))))
    boxes = _logo_boxes(c, spec, candidates[0][1])
    if c.dry:
        box = boxes[0]
        c.occupied.append(("logo", box))
        c.logo = {**box.as_dict(), "variant": "", "contrast_share": None}
        return
    # The quietest of the free corners (the theme's order breaks ties).
    box = boxes[0]
    if len(boxes) > 1 and _on_photo(c, boxes[0]):
        box = min(boxes, key=lambda b: round(busyness(_under(c, b.inset(-b.h * 0.3))), 3))
    c.occupied.append(("logo", box))
    x0, y0, x1, y1 = c.px(box)
    size = (max(1, x1 - x0), max(1, y1 - y0))
    share, role, scaled = _best_variant(candidates, size, _under(c, box))
    busy = _on_photo(c, box) and busyness(_under(c, box.inset(-box.h * 0.3))) > LOGO_BUSY
    if busy or share < 0.9:
        # A busy photo, or too little contrast: a solid tab in the theme's colour.
        _tab(c, box, c.color(spec.get("backing", c.theme.logo_shade)))
        share, role, scaled = _best_variant(candidates, size, _under(c, box))
    c.image.alpha_composite(scaled, (x0, y0))
    c.logo = {**box.as_dict(), "variant": role, "contrast_share": round(share, 3)}


# --- text ------------------------------------------------------------------------------


def _style(c: CardCanvas, spec: dict[str, Any], scale_sizes: float = 1.0) -> TextStyle:
    max_size, min_size = spec.get("size", [64, 32])
    max_size = max(int(min_size), round(int(max_size) * scale_sizes))
    return TextStyle(
        font=c.theme.font(spec.get("font", "body")),
        emoji_font=c.theme.emoji_font,
        max_size=int(max_size),
        min_size=int(min_size),
        max_lines=int(spec.get("max_lines", 99)),
        align=spec.get("align", "left"),
        valign=spec.get("valign", "top"),
        balance=bool(spec.get("balance", False)),
        uppercase=bool(spec.get("uppercase", False)),
        leading=float(spec.get("leading", 1.15)),
        keep_together=c.theme.keep_together,
        names=c.names,
        lang=c.lang,
    )


@layer("text")
def _text(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A story field set in a box of the safe zone, shrunk to fit, kept legible."""
    name = spec["field"]
    text = c.values.get(name, "")
    if not text:
        return
    box = c.safe_sub(spec.get("box"))
    try:
        block = layout_text(text, box, _style(c, spec), name)
    except LayoutError as exc:
        c.errors.append(exc)
        return
    c.occupied.append((name, block.bounds))
    if c.dry:
        c.records.append(record(name, block, 21.0))
        return
    color = c.color(spec.get("color", "text"))
    contrast = _ensure_contrast(c, [block], color, spec)
    shadow = c.color(spec["shadow"]) if spec.get("shadow") else None
    if c.draw_text:
        draw_block(c.image, block, color, c.scale, shadow)
    c.records.append(record(name, block, contrast))


def _measure(c: CardCanvas, block: TextBlock, color: tuple[int, ...]) -> float:
    bounds = block.bounds.inset(-block.size * 0.12)
    x0, y0, x1, y1 = c.px(bounds)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(c.image.width, x1), min(c.image.height, y1)
    if x1 <= x0 or y1 <= y0:
        return 21.0
    return worst_contrast(c.image.crop((x0, y0, x1, y1)), color)


def _label_boxes(blocks: list[TextBlock], pad_em: float = 0.32) -> list[Box]:
    """One rounded label per line: the deliberate backing of a text on a photo."""
    out = []
    for block in blocks:
        above, below = block.ink_top, block.ink_bottom
        for line in block.lines:
            pad = block.size * pad_em
            out.append(
                Box(
                    line.x - pad,
                    line.baseline - above - pad * 0.7,
                    line.width + 2 * pad,
                    above + below + pad * 1.4,
                )
            )
    return out


def _paint_labels(
    c: CardCanvas, boxes: list[Box], color: tuple[int, int, int, int], radius: float
) -> None:
    over = c.image  # opaque shapes are drawn in place
    draw = ImageDraw.Draw(over)
    for box in boxes:
        x0, y0, x1, y1 = c.px(box)
        draw.rounded_rectangle((x0, y0, x1, y1), round(radius * c.scale), fill=color[:3] + (255,))


def _ensure_contrast(
    c: CardCanvas, blocks: list[TextBlock], color: tuple[int, ...], spec: dict[str, Any]
) -> float:
    """Measure contrast under the text; where it is too low, put a solid rounded label
    in the theme colour under each line (a deliberate backing, never a feathered smudge)."""
    contrast = min(_measure(c, b, color) for b in blocks)
    if contrast >= TARGET_CONTRAST or spec.get("ensure_contrast", True) is False:
        return contrast
    backing = c.color(spec.get("backing", "background"))
    boxes = _label_boxes(blocks)
    radius = min(b.h for b in boxes) * 0.3 if boxes else 0
    _paint_labels(c, boxes, backing, radius)
    for box in boxes:
        c.occupied.append(("backing", box))
    return min(_measure(c, b, color) for b in blocks)


# --- stacks ------------------------------------------------------------------------------

BYLINE_PARTS = ("person_name", "person_title", "person_org", "person_place")
#: Parts of a byline dropped in this order when it cannot fit two lines (documented).
BYLINE_DROP = ("person_place", "person_org", "person_title")
BYLINE_SEP = " · "


@dataclass
class _Item:
    """One laid-out member of a stack: text, a rule, a pill, a QR code or a fact row."""

    kind: str
    spec: dict[str, Any]
    height: float
    gap: float
    block: TextBlock | None = None
    blocks: tuple[TextBlock, ...] = ()
    width: float = 0.0
    field: str = ""
    size: int = 0  # a number's digit size
    text: str = ""  # a number's whole value


def _shift(block: TextBlock, dx: float, dy: float) -> TextBlock:
    lines = tuple(replace(ln, x=ln.x + dx, baseline=ln.baseline + dy) for ln in block.lines)
    box = Box(block.box.x + dx, block.box.y + dy, block.box.w, block.box.h)
    return replace(block, lines=lines, box=box)


def _block_top(block: TextBlock) -> float:
    return block.bounds.y


def _region(c: CardCanvas, spec: dict[str, Any]) -> Box:
    """The stack's region of the safe zone, cut to the side of the face it may use and
    above (or below) the rows reserved for the swipe cue."""
    region = c.safe_sub(spec.get("region"))
    if not spec.get("reserve"):
        gap = float(spec.get("reserve_gap", 24)) * c.unit
        for row in c.reserved:
            if not row.inset(-gap).intersects(region):
                continue
            if row.y + row.h / 2 >= region.y + region.h / 2:
                bottom = max(region.y, row.y - gap)
                region = Box(region.x, region.y, region.w, bottom - region.y)
            else:
                top = min(region.bottom, row.bottom + gap)
                region = Box(region.x, top, region.w, region.bottom - top)
    clear = c.keep_clear if spec.get("clear", "auto") != "none" else None
    if spec.get("below_photo") and c.photo_box is not None:
        top = max(region.y, c.photo_box.bottom + float(spec.get("gap_photo", 40)) * c.unit)
        region = Box(region.x, top, region.w, max(0.0, region.bottom - top))
    if spec.get("above_photo") and c.photo_box is not None:
        bottom = min(region.bottom, c.photo_box.y - float(spec.get("gap_photo", 40)) * c.unit)
        region = Box(region.x, region.y, region.w, max(0.0, bottom - region.y))
    if (
        clear is None
        and c.subject_box is not None
        and spec.get("clear", "auto") != "none"
        and c.subject is not None
        and c.subject.kind == "salient"
        and spec.get("avoid_salient")
    ):
        clear = c.subject_box
    if clear is None or not clear.intersects(region):
        return region
    # Room for the rounded labels a text on a photo may get (they reach past the ink).
    margin = 28.0
    if spec.get("backing") == "panel":  # the panel reaches past the text by its pad
        margin = float(spec.get("pad", 48)) + 8
    clear = clear.inset(-margin * c.unit)
    above = Box(region.x, region.y, region.w, max(0.0, clear.y - region.y))
    below = Box(region.x, clear.bottom, region.w, max(0.0, region.bottom - clear.bottom))
    side = spec.get("clear", "auto")
    if side == "above":
        return above
    if side == "below":
        return below
    anchor = spec.get("anchor", "bottom")
    # Prefer the side the stack is anchored to, unless the other has much more room.
    pref, other = (below, above) if anchor == "bottom" else (above, below)
    return pref if pref.h >= other.h * 0.6 else other


def _byline_parts(c: CardCanvas, drop: int) -> list[str]:
    dropped = set(BYLINE_DROP[:drop])
    parts = [c.values.get(p, "") for p in BYLINE_PARTS if p not in dropped]
    return [p for p in parts if p]


def _byline_text(c: CardCanvas, drop: int) -> str:
    return BYLINE_SEP.join(_byline_parts(c, drop))


def _byline_fit(parts: list[str], box: Box, style: TextStyle) -> TextBlock | None:
    """Name · role · org · place on one line, else on two lines broken between two parts
    (never after a `·`, never inside a part): the break that keeps the largest size,
    then the most even lines."""
    best: tuple[int, float, TextBlock] | None = None
    one = replace(style, max_lines=1)
    try:
        block = layout_text(BYLINE_SEP.join(parts), box, one, "person_line")
        best = (block.size, 0.0, block)
    except LayoutError:
        pass
    if style.max_lines >= 2:
        for k in range(1, len(parts)):
            first, second = BYLINE_SEP.join(parts[:k]), BYLINE_SEP.join(parts[k:])
            try:
                block = layout_text(f"{first}\n{second}", box, style, "person_line")
            except LayoutError:
                continue
            if len(block.lines) != 2:
                continue
            widths = [ln.width for ln in block.lines]
            # A line more than the other's width: a ragged pair reads as two chips.
            rank = (block.size, -abs(widths[0] - widths[1]))
            if best is None or rank > best[:2]:
                best = (block.size, rank[1], block)
    return best[2] if best else None


def _layout_byline(
    c: CardCanvas, spec: dict[str, Any], box: Box, k: float
) -> tuple[TextBlock, str]:
    """Name · role · org · place in at most two lines, dropping parts in BYLINE_DROP order
    only when the full line cannot fit; the error names the part that must be shortened."""
    style = replace(_style(c, spec, k), max_lines=int(spec.get("max_lines", 2)))
    for drop in range(len(BYLINE_DROP) + 1):
        parts = _byline_parts(c, drop)
        if not parts:
            break
        block = _byline_fit(parts, box, style)
        if block is not None:
            return block, BYLINE_SEP.join(parts)
    culprit = max(
        (p for p in BYLINE_PARTS if c.values.get(p)), key=lambda p: len(c.values.get(p, ""))
    )
    last = ""
    try:
        layout_text(_byline_text(c, len(BYLINE_DROP)), box, style, "person_line")
    except LayoutError as exc:
        last = f" ({exc.message})"
    raise LayoutError(
        i18n._(
            "byline too long for two lines even as `{text}`", text=_byline_text(c, len(BYLINE_DROP))
        )
        + last,
        i18n._(
            "shorten `person.{field}`",
            field=culprit.removeprefix("person_").replace("title", "role"),
        ),
        culprit,
    )


def _lay_items(c: CardCanvas, spec: dict[str, Any], region: Box, k: float) -> list[_Item]:
    """Lay out every visible item of a stack at text scale `k` (positions relative to 0)."""
    items: list[_Item] = []
    u = c.unit
    for raw in spec.get("items", []):
        if not applies(raw, c):
            continue
        gap = float(raw.get("gap", spec.get("gap", 24))) * u
        width = region.w * float(raw.get("width", 1.0))
        if "rule" in raw:
            h = float(raw.get("height", 8)) * u
            items.append(_Item("rule", raw, h, gap, width=region.w * float(raw.get("width", 0.14))))
            continue
        if "qr" in raw:
            value = c.values.get(raw["qr"], "")
            if not value or not c.values.get("qr_enabled"):
                continue
            side = float(raw.get("size", 260)) * u
            items.append(_Item("qr", raw, side, gap, width=side, field=raw["qr"]))
            continue
        if raw.get("avatar"):
            if raw["avatar"] not in c.photos:
                continue
            ring = float((raw.get("frame") or {}).get("width", 0)) * u
            side = float(raw.get("size", 280)) * u + 2 * ring
            items.append(_Item("avatar", raw, side, gap, width=side, field=str(raw["avatar"])))
            continue
        if raw.get("number") and raw.get("field"):
            numeral = number_item(c, raw, region.w * float(raw.get("width", 1.0)), k, gap)
            if numeral is not None:
                items.append(numeral)
                continue
        if raw.get("facts"):
            rows = [r for r in c.values.get("recap", "").split("\n") if r]
            blocks: list[TextBlock] = []
            row_h = 0.0
            for row in rows:
                value, _, label = row.partition("\t")
                vstyle = _style(c, raw.get("value", {"font": "number", "size": [120, 60]}), k)
                lstyle = _style(c, raw.get("label", {"font": "heading", "size": [44, 28]}), k)
                vw = region.w * float(raw.get("value_width", 0.36))
                vb = layout_text(
                    value, Box(0, 0, vw, 10_000), replace(vstyle, max_lines=1), "recap"
                )
                lb = layout_text(
                    label,
                    Box(vw + 24 * u, 0, region.w - vw - 24 * u, 10_000),
                    replace(lstyle, max_lines=3),
                    "recap",
                )
                h = max(vb.bounds.bottom, lb.bounds.bottom) - min(vb.bounds.y, lb.bounds.y)
                blocks += [vb, lb]
                row_h += h
            if not rows:
                continue
            row_gap = float(raw.get("row_gap", 36)) * u
            items.append(
                _Item(
                    "facts",
                    raw,
                    row_h + row_gap * (len(rows) - 1),
                    gap,
                    blocks=tuple(blocks),
                    field="recap",
                )
            )
            continue
        name = raw.get("field") or raw.get("pill") or ("person_line" if raw.get("byline") else "")
        box = Box(0, 0, width, region.h)
        if raw.get("byline"):
            if not any(c.values.get(p) for p in BYLINE_PARTS):
                continue
            block, _ = _layout_byline(c, raw, box, k)
        else:
            text = c.values.get(name, "")
            if not text:
                continue
            style = _style(c, raw, k)
            if raw.get("pill"):
                pad = float(raw.get("pad", 0.55))
                box = Box(0, 0, width - 2 * pad * style.max_size, region.h)
            block = layout_text(text, box, style, name)
            if raw.get("tight") and len(block.lines) == 1:
                block = _tight_ink(block)
        width = box.w if not raw.get("pill") else width
        b = block.bounds
        block = _shift(block, 0, -b.y)  # top of the ink at y = 0
        height = block.bounds.h
        kind = "text"
        if raw.get("pill"):
            kind = "pill"
            pad = float(raw.get("pad", 0.55)) * block.size
            height += 2 * pad * 0.62
        items.append(_Item(kind, raw, height, gap, block=block, field=name, width=width))
    return items


#: Relative sizes of the parts of a fact's number: the digits, the symbols around them
#: (≈, ×, %, +, >) and words ("Trên", "Top") — symbols smaller and tight, words small.
NUMBER_SCALE = {"num": 1.0, "sym": 0.68, "word": 0.4}


def number_parts(text: str) -> list[tuple[str, str]]:
    """A fact's value as (kind, text) parts: "num" (digits with their separators), "sym"
    (≈ × % + …) and "word" (letters); spaces are dropped (the set decides spacing)."""
    import re

    parts: list[tuple[str, str]] = []
    for m in re.finditer(r"\d(?:[\d.,]*\d)?|[^\W\d_]+|\S", text):
        tok = m.group(0)
        kind = "num" if tok[0].isdigit() else "word" if tok[0].isalpha() else "sym"
        if parts and parts[-1][0] == kind and kind != "num":
            sep = " " if kind == "word" else ""
            parts[-1] = (kind, parts[-1][1] + sep + tok)
        else:
            parts.append((kind, tok))
    return parts


def _tight_ink(block: TextBlock) -> TextBlock:
    """A one-line block measured by its glyphs' own ink: a quote mark sits high above
    the baseline, and the space under it is not part of the mark."""
    from outreach.layout.fonts import load_font

    font = load_font(block.style.font, block.size)
    mask, (_, dy) = font.getmask2(block.lines[0].text, anchor="ls")
    ink = mask.getbbox()
    if ink is None:
        return block
    # Offsets are from the baseline: a mark above it has a negative bottom.
    return replace(block, ink_top=float(-(dy + ink[1])), ink_bottom=float(dy + ink[3]))


def _part_ink(text: str, style: TextStyle, size: int) -> tuple[float, float, float, float]:
    """Ink box (x0, y0, x1, y1 from the origin on the baseline) of one line, drawn by the
    fonts that really draw it (a `≈` or `×` often comes from a fallback font)."""
    from outreach.layout.text import run_font, run_width, split_runs

    x = 0.0
    box: list[float] = []
    for run in split_runs(text, style.emoji_font, style.font):
        if not run.emoji and run.text.strip():
            # getbbox() answers the layout box; the mask's bbox is the ink itself.
            mask, (dx, dy) = run_font(run, size).getmask2(run.text, anchor="ls")
            b = mask.getbbox()
            if b is None:
                x += run_width(run, style.emoji_font, size)
                continue
            ink = [x + dx + b[0], float(dy + b[1]), x + dx + b[2], float(dy + b[3])]
            box = (
                ink
                if not box
                else [
                    min(box[0], ink[0]),
                    min(box[1], ink[1]),
                    max(box[2], ink[2]),
                    max(box[3], ink[3]),
                ]
            )
        x += run_width(run, style.emoji_font, size)
    return (box[0], box[1], box[2], box[3]) if box else (0.0, 0.0, x, 0.0)


def _single_line(text: str, style: TextStyle, size: int, x: float, baseline: float) -> TextBlock:
    from outreach.layout.text import line_ink, measure, prepare

    shown = prepare(text, style.uppercase)
    width = measure(shown, style.font, style.emoji_font, size)
    above, below = line_ink(shown, style.font, style.emoji_font, size)
    line = Line(shown, x, baseline, width)
    box = Box(x, baseline - above, width, above + below)
    return TextBlock(shown, size, (line,), size * style.leading, above, below, box, style)


def number_item(
    c: CardCanvas, raw: dict[str, Any], width: float, k: float, gap: float
) -> _Item | None:
    """A fact's number set as a figure: digits big, symbols at ~70% and tight against
    them (centred on the digits, `%` hung from their top), words small on the baseline.
    None when the value has no digits or its parts cannot fit (it is then set as text)."""
    from outreach.layout.fonts import load_font
    from outreach.layout.text import missing_glyphs, prepare

    name = str(raw["field"])
    text = c.values.get(name, "")
    parts = number_parts(text)
    if not any(kind == "num" for kind, _ in parts):
        return None
    style = _style(c, raw, k)
    if missing_glyphs(prepare(text), style.font, style.emoji_font):
        return None
    sizes = range(style.max_size, style.min_size - 1, -2)
    for size in sizes:
        scaled = [(kind, t, max(8, round(size * NUMBER_SCALE[kind]))) for kind, t in parts]
        shown = [prepare(t, style.uppercase) for _, t, _ in scaled]
        # Parts are spaced by their ink, not their advance: a bold `×` carries wide side
        # bearings that would float it away from the digits.
        inks = [_part_ink(t, style, sz) for t, (_, _, sz) in zip(shown, scaled, strict=True)]
        gaps = [
            (0.12 if "word" in (a[0], b[0]) else 0.045) * size
            for a, b in zip(scaled, scaled[1:], strict=False)
        ]
        xs = [-inks[0][0]]  # the figure's ink starts at 0 and ends at `right`
        for i in range(1, len(scaled)):
            xs.append(xs[-1] + inks[i - 1][2] + gaps[i - 1] - inks[i][0])
        right = xs[-1] + inks[-1][2]
        if right <= width + 0.5:
            break
    else:
        return None
    font = load_font(style.font, size)
    cap = -font.getbbox("0", anchor="ls")[1]
    blocks: list[TextBlock] = []
    for (kind, t, s), sym, x in zip(scaled, inks, xs, strict=True):
        baseline = 0.0
        if kind == "sym":
            # `%` hangs from the digits' top; other symbols centre on them.
            hung = t.strip() == "%"
            baseline = -cap - sym[1] if hung else -cap / 2 - (sym[1] + sym[3]) / 2
        blocks.append(_single_line(t, replace(style, max_size=s, min_size=s), s, x, baseline))
    x = right
    top = min(b.bounds.y for b in blocks)
    bottom = max(b.bounds.bottom for b in blocks)
    blocks = [_shift(b, 0, -top) for b in blocks]
    return _Item(
        "number",
        raw,
        bottom - top,
        gap,
        blocks=tuple(blocks),
        width=x,
        field=name,
        size=size,
        text=prepare(text, style.uppercase),
    )


def _pushes(spec: dict[str, Any], items: list[_Item]) -> list[float]:
    """Each laid-out item's `push`, a hidden item's passed on to the next one shown."""
    raws = spec.get("items", [])
    index = [next(j for j, r in enumerate(raws) if r is it.spec) for it in items]
    out: list[float] = []
    prev = -1
    for j in index:
        out.append(sum(float(r.get("push") or 0) for r in raws[prev + 1 : j + 1]))
        prev = j
    return out


def _total(items: list[_Item]) -> float:
    return sum(i.height for i in items) + sum(i.gap for i in items[1:])


@layer("stack")
def _stack(c: CardCanvas, spec: dict[str, Any]) -> None:
    """Kicker, title, hook, byline (and similar groups) as one block with a fixed rhythm,
    anchored to the clear side of the region; shrinks its text together when too tall."""
    region = _region(c, spec)
    items: list[_Item] = []
    k = 1.0
    error: LayoutError | None = None
    if region.h < 1 or region.w < 1:
        c.errors.append(
            LayoutError(
                "no room for the card's text group: the photo's subject (or the swipe cue) "
                "leaves no space",
                "use another layout or a photo with more room around the face",
            )
        )
        return
    for _ in range(14):
        try:
            items = _lay_items(c, spec, region, k)
            error = None
        except LayoutError as exc:
            error = exc
            items = []
        if error is None and _total(items) <= region.h + 0.5:
            break
        k *= 0.92
    else:
        if error is None:
            tallest = max(items, key=lambda i: i.height if i.block else 0, default=None)
            error = LayoutError(
                i18n._(
                    "text too long to fit: the card's text group needs {needed} px and the "
                    "space clear of the photo's subject is {room} px",
                    needed=round(_total(items)),
                    room=round(region.h),
                ),
                i18n._("shorten it"),
                tallest.field if tallest else "",
            )
    if error is not None:
        c.errors.append(error)
        return
    if not items:
        return
    total = _total(items)
    # `push: f` on an item moves it (and what follows) down by that share of the free
    # height: a headline in the middle and the handle at the foot of the safe zone.
    slack = max(0.0, region.h - total)
    pushed = {i: f * slack for i, f in enumerate(_pushes(spec, items)) if f}
    rest = slack - sum(pushed.values())
    anchor = spec.get("anchor", "bottom")
    top = region.y
    if anchor == "bottom":
        top = region.y + rest
    elif anchor == "center":
        top = region.y + rest / 2
    align = spec.get("align", "left")
    placed: list[tuple[_Item, Box, TextBlock | None, tuple[TextBlock, ...]]] = []
    y = top
    for i, item in enumerate(items):
        if i:
            y += item.gap + pushed.get(i, 0.0)
        x = region.x
        if align == "center":
            x = region.x + (region.w - (item.width or region.w)) / 2
        elif align == "right":
            x = region.right - (item.width or region.w)
        block = None
        blocks: tuple[TextBlock, ...] = ()
        if item.block is not None:
            offset = {"center": (region.w - item.width) / 2, "right": region.w - item.width}.get(
                align, 0.0
            )
            pad_y = 0.0
            inset = 0.0
            if item.kind == "pill":
                pad = float(item.spec.get("pad", 0.55))
                pad_y = pad * item.block.size * 0.62
                inset = pad * item.block.style.max_size
            block = _shift(item.block, region.x + offset + inset, y + pad_y)
            b = block.bounds
            if item.kind == "pill":
                p = float(item.spec.get("pad", 0.55)) * item.block.size
                box = Box(b.x - p, y, b.w + 2 * p, item.height)
            else:
                box = b
        elif item.kind == "avatar":
            box = Box(x, y, item.width, item.height)
            _avatar(c, item, box, paint=False)
        elif item.kind == "number":
            offset = {"center": (region.w - item.width) / 2, "right": region.w - item.width}.get(
                align, 0.0
            )
            blocks = tuple(_shift(b, region.x + offset, y) for b in item.blocks)
            box = Box(region.x + offset, y, item.width, item.height)
        elif item.kind == "facts":
            blocks = tuple(_shift(b, region.x, 0) for b in item.blocks)
            # Rows: stack each (value, label) pair.
            row_y = y
            out = []
            row_gap = float(item.spec.get("row_gap", 36)) * c.unit
            for j in range(0, len(blocks), 2):
                vb, lb = blocks[j], blocks[j + 1]
                top_ = min(vb.bounds.y, lb.bounds.y)
                # Baselines of value and label aligned at the value's baseline.
                vb2 = _shift(vb, 0, row_y - top_)
                lb2 = _shift(lb, 0, row_y - top_)
                out += [vb2, lb2]
                row_y = max(vb2.bounds.bottom, lb2.bounds.bottom) + row_gap
            blocks = tuple(out)
            box = Box(region.x, y, region.w, item.height)
        else:
            box = Box(x, y, item.width, item.height)
            if item.kind == "qr" and align == "left":
                box = Box(region.x, y, item.width, item.height)
        placed.append((item, box, block, blocks))
        y += item.height
    group = placed[0][1]
    for _, member, _, _ in placed[1:]:
        group = group.union(member)
    for item, box, _, _ in placed:
        if item.kind != "avatar":  # the portrait is the photo itself, not a cover on it
            c.occupied.append((item.field or item.kind, box))
    if c.dry:
        for item, box, block, blocks in placed:
            if block is not None:
                c.records.append(record(item.field, block, 21.0))
            elif item.kind == "number":
                c.records.append(_number_record(item, box, 21.0))
                continue
            for tb in blocks:
                c.records.append(record("recap", tb, 21.0))
        if spec.get("backing") == "panel":  # the chooser must see what the panel covers
            c.occupied.append(("backing", _panel_box(c, spec, group)))
        return
    _stack_backing(c, spec, group, [p for p in placed])
    for item, box, block, blocks in placed:  # noqa: B007 - box is used by most kinds
        color = c.color(item.spec.get("color", "text"))
        if item.kind == "rule":
            color = c.color(item.spec.get("rule") or item.spec.get("color", "accent"))
            over = c.image  # opaque shapes are drawn in place
            x0, y0, x1, y1 = c.px(box)
            ImageDraw.Draw(over).rectangle((x0, y0, x1 - 1, y1 - 1), fill=color)
            continue
        if item.kind == "qr":
            _draw_qr(c, c.values.get(item.field, ""), box, item.spec)
            continue
        if item.kind == "avatar":
            _avatar(c, item, box, paint=True)
            continue
        if item.kind == "pill":
            fill = c.color(item.spec.get("fill", "accent"))
            over = c.image  # opaque shapes are drawn in place
            x0, y0, x1, y1 = c.px(box)
            ImageDraw.Draw(over).rounded_rectangle((x0, y0, x1, y1), (y1 - y0) // 2, fill=fill)
        targets = [block] if block is not None else list(blocks)
        if item.kind == "number":
            contrast = min(_measure(c, tb, color) for tb in targets)
            if c.draw_text:
                for tb in targets:
                    draw_block(c.image, tb, color, c.scale)
            c.records.append(_number_record(item, box, contrast))
            continue
        if item.kind == "facts":
            vcol = c.color(item.spec.get("value", {}).get("color", "accent"))
            lcol = c.color(item.spec.get("label", {}).get("color", "text"))
            for j, tb in enumerate(targets):
                col = vcol if j % 2 == 0 else lcol
                contrast = _measure(c, tb, col)
                if c.draw_text:
                    draw_block(c.image, tb, col, c.scale)
                c.records.append(record("recap", tb, contrast))
            continue
        assert block is not None
        contrast = (
            _measure(c, block, color)
            if item.kind == "pill"
            else _ensure_contrast(c, [block], color, item.spec)
        )
        shadow = c.color(item.spec["shadow"]) if item.spec.get("shadow") else None
        if c.draw_text:
            draw_block(c.image, block, color, c.scale, shadow)
        c.records.append(record(item.field, block, contrast))


def _avatar(c: CardCanvas, item: _Item, box: Box, paint: bool) -> None:
    """The speaker's portrait in a circle (with a ring), part of the stack's flow: framed
    around the face, which becomes the card's subject (nothing may cover it)."""
    spec = item.spec
    path, focus = c.photos[item.field]
    ring = float((spec.get("frame") or {}).get("width", 0)) * c.unit
    area = box.inset(ring)
    subject = find_subject(path, c.subjects.get(item.field))
    zone = area.within(tuple(spec.get("subject", (0.15, 0.12, 0.7, 0.78))))
    framing = frame(
        photo_size(path),
        area,
        subject.box if subject.kind != "none" else None,
        zone,
        focus,
        float(spec.get("zoom", 3.0)),
        float(spec.get("subject_min", 0.6)),
    )
    if c.subject is None:
        c.subject, c.subject_box, c.subject_fits = subject, framing.subject, framing.fits
        c.photo_box = area
    if not paint or c.dry:
        return
    x0, y0, x1, y1 = c.px(area)
    size = (max(1, x1 - x0), max(1, y1 - y0))
    img = photo_crop(path, size, framing.crop).convert("RGBA")
    if framing.subject is not None and subject.is_face and c.face_light is None:
        c.face_light = _mean_light(c, img, framing.subject, (x0, y0))
    if ring:
        color = c.color((spec.get("frame") or {}).get("color", "accent"))
        bx0, by0, bx1, by1 = c.px(box)
        ImageDraw.Draw(c.image).ellipse((bx0, by0, bx1 - 1, by1 - 1), fill=color[:3] + (255,))
    # Drawn at 4x and reduced: a smooth circle edge.
    big = Image.new("L", (size[0] * 4, size[1] * 4), 0)
    ImageDraw.Draw(big).ellipse((0, 0, big.width - 1, big.height - 1), fill=255)
    img.putalpha(big.resize(size, Image.Resampling.LANCZOS))
    c.image.alpha_composite(img, (x0, y0))


def _number_record(item: _Item, box: Box, contrast: float) -> TextRecord:
    return TextRecord(item.field, box, round(contrast, 2), (item.text,), item.size)


def _panel_box(c: CardCanvas, spec: dict[str, Any], group: Box) -> Box:
    """A `panel` backing: the region's width and the group's height, padded."""
    pad = float(spec.get("pad", 48)) * c.unit
    full = c.safe_sub(spec.get("region"))
    return Box(full.x - pad, group.y - pad, full.w + 2 * pad, group.h + 2 * pad)


def _stack_backing(
    c: CardCanvas,
    spec: dict[str, Any],
    group: Box,
    placed: list[tuple[_Item, Box, TextBlock | None, tuple[TextBlock, ...]]],
) -> None:
    """The stack's deliberate backing, painted under its accents: a solid `band` across the
    canvas, a `scrim` that fades in below the face, or rounded `label`s per line."""
    kind = spec.get("backing", "auto")
    if kind == "none":
        return
    # Pills carry their own fill, so only plain text decides whether a backing is needed.
    blocks = [b for i, _, b, _ in placed if b is not None and i.kind == "text"]
    colors = [
        c.color(i.spec.get("color", "text"))
        for i, _, b, _ in placed
        if b is not None and i.kind == "text"
    ]
    if kind == "auto":
        worst = min(
            (_measure(c, b, col) for b, col in zip(blocks, colors, strict=True)), default=21.0
        )
        if worst >= TARGET_CONTRAST:
            return
        kind = "scrim" if c.subject_box is not None else "band"
    color = c.color(spec.get("backing_color", "background"))
    pad = float(spec.get("pad", 48)) * c.unit
    w, h = c.full_size
    if kind == "scrim":
        # Solid behind the group, fading out over `ramp` towards the face, never onto it.
        anchor = spec.get("anchor", "bottom")
        ramp = float(spec.get("ramp", 260)) * c.unit
        clear = c.keep_clear
        # Opaque behind the text (a see-through panel shows ghosts of the photo).
        strength = float(spec.get("strength", 1.0))
        x = np.arange(h, dtype=np.float32) / max(1e-6, c.scale)
        if anchor == "top":
            solid_end = group.bottom + pad
            if clear is not None and clear.y >= group.bottom:
                solid_end = min(solid_end, clear.y - 1)
            end = solid_end + ramp
            if clear is not None and clear.y < end:
                end = max(solid_end + 1, clear.y)
            alpha = np.clip((end - x) / max(1.0, end - solid_end), 0, 1)
        else:
            solid_start = group.y - pad
            if clear is not None and clear.bottom <= group.y:
                solid_start = max(solid_start, clear.bottom + 1)
            start = solid_start - ramp
            if clear is not None and clear.bottom > start:
                start = min(solid_start - 1, clear.bottom)
            alpha = np.clip((x - start) / max(1.0, solid_start - start), 0, 1)
        alpha = (alpha**1.6 * strength * 255).astype(np.uint8)
        ih, iw = c.image.size[1], c.image.size[0]
        mask = np.ascontiguousarray(np.broadcast_to(alpha[:ih, None], (ih, iw)))
        mask = _face_guard(c, mask)
        over = Image.new("RGBA", c.image.size, color[:3] + (0,))
        over.putalpha(Image.fromarray(mask))
        c.image.alpha_composite(over)
        if anchor == "top":
            c.occupied.append(("backing", Box(0, 0, w, solid_end)))
        else:
            c.occupied.append(("backing", Box(0, solid_start, w, h - solid_start)))
        return
    if kind == "panel":
        # An opaque rounded card under the whole group: text on a photo, the photo
        # around it untouched.
        panel = _panel_box(c, spec, group)
        radius = round(float(spec.get("radius", 32)) * c.unit * c.scale)
        x0, y0, x1, y1 = c.px(panel)
        ImageDraw.Draw(c.image).rounded_rectangle(
            (x0, y0, x1 - 1, y1 - 1), radius, fill=color[:3] + (255,)
        )
        c.occupied.append(("backing", panel))
        return
    if kind == "band":
        band = Box(0, group.y - pad, w, group.h + 2 * pad)
        if not c.covers_subject(band):
            over = c.image  # opaque shapes are drawn in place
            x0, y0, x1, y1 = c.px(band)
            ImageDraw.Draw(over).rectangle((x0, y0, x1, y1), fill=color[:3] + (255,))
            c.occupied.append(("backing", band))
            return
    boxes = _label_boxes(blocks)
    _paint_labels(c, boxes, color, min((b.h for b in boxes), default=0) * 0.3)
    for box in boxes:
        c.occupied.append(("backing", box))


# --- QR ----------------------------------------------------------------------------------


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules for `data` (segno, medium error correction)."""
    import segno

    code = segno.make(data, error="m", micro=False)
    return [[bool(v) for v in row] for row in code.matrix]


def _draw_qr(c: CardCanvas, data: str, box: Box, spec: dict[str, Any]) -> None:
    """Dark modules on a light rounded tile, with the standard quiet zone."""
    matrix = qr_matrix(data)
    n = len(matrix) + 8  # 4-module quiet zone on each side
    x0, y0, x1, y1 = c.px(box)
    side = min(x1 - x0, y1 - y0)
    cell = side / n
    over = c.image  # opaque shapes are drawn in place
    draw = ImageDraw.Draw(over)
    light = c.color(spec.get("light", "#FFFFFF"))
    dark = c.color(spec.get("dark", "#000000"))
    draw.rounded_rectangle((x0, y0, x0 + side, y0 + side), round(cell * 2), fill=light[:3] + (255,))
    for r, row in enumerate(matrix):
        for q, on in enumerate(row):
            if on:
                mx, my = x0 + (q + 4) * cell, y0 + (r + 4) * cell
                draw.rectangle(
                    (round(mx), round(my), round(mx + cell) - 1, round(my + cell) - 1), fill=dark
                )


# --- painting ------------------------------------------------------------------------------


def iter_layers(layers: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield from layers


def paint(c: CardCanvas, layers: list[dict[str, Any]]) -> None:
    """Paint the layers in order. Layers marked `reserve: true` (the swipe cue) are laid
    out first, geometry only, so that every stack leaves them their own row."""
    for spec in layers:
        if spec.get("reserve") and applies(spec, c):
            probe = replace(c, dry=True, records=[], errors=[], occupied=[], reserved=[])
            _run(probe, spec)
            c.reserved.extend(box for _, box in probe.occupied)
    for spec in layers:
        if applies(spec, c):
            _run(c, spec)


def _run(c: CardCanvas, spec: dict[str, Any]) -> None:
    kind = spec.get("type")
    if kind not in LAYERS:
        from outreach.themes import ThemeError

        raise ThemeError(f"unknown layer type `{kind}`", "use one of: " + ", ".join(sorted(LAYERS)))
    LAYERS[kind](c, spec)


def text_contrast(fg: tuple[int, ...], bg: tuple[int, ...]) -> float:
    """WCAG contrast between two colours (for choosing inks)."""
    lf = float(luminance(np.array(fg[:3], dtype=np.float64)))
    lb = float(luminance(np.array(bg[:3], dtype=np.float64)))
    return ratio(lf, lb)
