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
from outreach.layout.text import LayoutError, TextBlock, TextStyle, layout_text
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
    if spec.get("square"):  # a square inside the area (circles, avatars)
        side = min(area.w, area.h)
        area = Box(area.x + (area.w - side) / 2, area.y + (area.h - side) / 2, side, side)
    subject = find_subject(path, c.subjects.get(name))
    zone = area.within(tuple(spec["subject"])) if spec.get("subject") else None
    framing = frame(
        photo_size(path),
        area,
        subject.box if subject.kind != "none" else None,
        zone,
        focus,
        float(spec.get("zoom", 1.6)),
        float(spec.get("subject_min", 0.0)),
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


def _one_colour(img: Image.Image, color: tuple[int, int, int, int]) -> Image.Image:
    out = Image.new("RGBA", img.size, color[:3] + (0,))
    out.putalpha(img.getchannel("A"))
    return out


def logo_candidates(c: CardCanvas) -> list[tuple[str, Image.Image]]:
    """The theme's declared logos for this language, then derived one-colour versions."""
    declared = c.theme.logos_for(c.lang)
    out: list[tuple[str, Image.Image]] = []
    for role, path in declared:
        out.append((role, _tight(_load_logo(path))))
    if out:
        base = out[0][1]
        out.append(("white", _one_colour(base, (255, 255, 255, 255))))
        out.append(("ink", _one_colour(base, c.color(c.theme.logo_ink))))
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


_CORNERS = {
    "top-left": (0.0, 0.0),
    "top-right": (1.0, 0.0),
    "bottom-left": (0.0, 1.0),
    "bottom-right": (1.0, 1.0),
    "top-center": (0.5, 0.0),
    "bottom-center": (0.5, 1.0),
}


def logo_box(c: CardCanvas, spec: dict[str, Any], logo: Image.Image) -> Box:
    """Where the logo goes: the first of its `at` corners of the safe zone (or of `region`)
    that keeps clear of the face and of text already placed."""
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
    first: Box | None = None
    for name in corners:
        fx, fy = _CORNERS.get(name, (0.0, 0.0))
        box = Box(
            region.x + (region.w - width) * fx, region.y + (region.h - height) * fy, width, height
        )
        first = first or box
        if not c.covers_subject(box.inset(-height * 0.2)) and not any(
            box.intersects(b) for _, b in c.occupied
        ):
            return box
    assert first is not None
    return first


@layer("logo")
def _logo(c: CardCanvas, spec: dict[str, Any]) -> None:
    """The theme's logo, in the variant with >= 3:1 contrast on what lies under it."""
    candidates = logo_candidates(c)
    if not candidates:
        return
    if spec.get("variant"):  # legacy: a named file first
        alt = c.theme.find_file(spec["variant"])
        if alt:
            candidates.insert(0, ("variant", _tight(_load_logo(str(alt)))))
    box = logo_box(c, spec, candidates[0][1])
    c.occupied.append(("logo", box))
    if c.dry:
        c.logo = {**box.as_dict(), "variant": "", "contrast_share": None}
        return
    x0, y0, x1, y1 = c.px(box)
    size = (max(1, x1 - x0), max(1, y1 - y0))
    under = c.image.crop((x0, y0, x0 + size[0], y0 + size[1]))
    best: tuple[float, str, Image.Image] | None = None
    for role, img in candidates:
        scaled = img.resize(size, Image.Resampling.LANCZOS)
        share = ink_contrast_share(scaled, under)
        if best is None or share > best[0] + 1e-9:
            best = (share, role, scaled)
        if share >= 0.97 and role not in ("white", "ink"):
            break  # a declared variant that works is preferred over a derived one
    assert best is not None
    share, role, scaled = best
    if share < 0.9:
        # A busy photo: a solid rounded label in the theme colour carries the logo.
        pad = round(size[1] * 0.28)
        label = c.color(spec.get("backing", "background"))
        over = c.image  # opaque shapes are drawn in place
        ImageDraw.Draw(over).rounded_rectangle(
            (x0 - pad, y0 - pad, x0 + size[0] + pad, y0 + size[1] + pad),
            pad,
            fill=label[:3] + (255,),
        )
        under = c.image.crop((x0, y0, x0 + size[0], y0 + size[1]))
        best = None
        for role_, img in candidates:
            s2 = img.resize(size, Image.Resampling.LANCZOS)
            sh = ink_contrast_share(s2, under)
            if best is None or sh > best[0]:
                best = (sh, role_, s2)
        assert best is not None
        share, role, scaled = best
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


def _shift(block: TextBlock, dx: float, dy: float) -> TextBlock:
    lines = tuple(replace(ln, x=ln.x + dx, baseline=ln.baseline + dy) for ln in block.lines)
    box = Box(block.box.x + dx, block.box.y + dy, block.box.w, block.box.h)
    return replace(block, lines=lines, box=box)


def _block_top(block: TextBlock) -> float:
    return block.bounds.y


def _region(c: CardCanvas, spec: dict[str, Any]) -> Box:
    """The stack's region of the safe zone, cut to the side of the face it may use."""
    region = c.safe_sub(spec.get("region"))
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
    clear = clear.inset(-28 * c.unit)
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


def _byline_text(c: CardCanvas, drop: int) -> str:
    dropped = set(BYLINE_DROP[:drop])
    parts = [c.values.get(p, "") for p in BYLINE_PARTS if p not in dropped]
    return " · ".join(p for p in parts if p)


def _layout_byline(
    c: CardCanvas, spec: dict[str, Any], box: Box, k: float
) -> tuple[TextBlock, str]:
    """Name · role · org · place in at most two lines, dropping parts in BYLINE_DROP order
    only when the full line cannot fit; the error names the part that must be shortened."""
    style = replace(_style(c, spec, k), max_lines=int(spec.get("max_lines", 2)))
    last: LayoutError | None = None
    for drop in range(len(BYLINE_DROP) + 1):
        text = _byline_text(c, drop)
        if not text:
            break
        try:
            return layout_text(text, box, style, "person_line"), text
        except LayoutError as exc:
            last = exc
    culprit = max(
        (p for p in BYLINE_PARTS if c.values.get(p)), key=lambda p: len(c.values.get(p, ""))
    )
    raise LayoutError(
        i18n._(
            "byline too long for two lines even as `{text}`", text=_byline_text(c, len(BYLINE_DROP))
        )
        + (f" ({last.message})" if last else ""),
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
    anchor = spec.get("anchor", "bottom")
    top = region.y
    if anchor == "bottom":
        top = region.bottom - total
    elif anchor == "center":
        top = region.y + (region.h - total) / 2
    align = spec.get("align", "left")
    placed: list[tuple[_Item, Box, TextBlock | None, tuple[TextBlock, ...]]] = []
    y = top
    for i, item in enumerate(items):
        if i:
            y += item.gap
        x = region.x
        if align == "center":
            x = region.x + (region.w - (item.width or region.w)) / 2
        block = None
        blocks: tuple[TextBlock, ...] = ()
        if item.block is not None:
            offset = (region.w - item.width) / 2 if align == "center" else 0.0
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
            if item.kind == "qr" and align != "center":
                box = Box(region.x, y, item.width, item.height)
        placed.append((item, box, block, blocks))
        y += item.height
    group = placed[0][1]
    for _, member, _, _ in placed[1:]:
        group = group.union(member)
    for item, box, _, _ in placed:
        c.occupied.append((item.field or item.kind, box))
    if c.dry:
        for item, _, block, blocks in placed:
            if block is not None:
                c.records.append(record(item.field, block, 21.0))
            for tb in blocks:
                c.records.append(record("recap", tb, 21.0))
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
        if item.kind == "pill":
            fill = c.color(item.spec.get("fill", "accent"))
            over = c.image  # opaque shapes are drawn in place
            x0, y0, x1, y1 = c.px(box)
            ImageDraw.Draw(over).rounded_rectangle((x0, y0, x1, y1), (y1 - y0) // 2, fill=fill)
        targets = [block] if block is not None else list(blocks)
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
        strength = float(spec.get("strength", 0.88))
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
    for spec in layers:
        if not applies(spec, c):
            continue
        kind = spec.get("type")
        if kind not in LAYERS:
            from outreach.themes import ThemeError

            raise ThemeError(
                f"unknown layer type `{kind}`", "use one of: " + ", ".join(sorted(LAYERS))
            )
        LAYERS[kind](c, spec)


def text_contrast(fg: tuple[int, ...], bg: tuple[int, ...]) -> float:
    """WCAG contrast between two colours (for choosing inks)."""
    lf = float(luminance(np.array(fg[:3], dtype=np.float64)))
    lb = float(luminance(np.array(bg[:3], dtype=np.float64)))
    return ratio(lf, lb)
