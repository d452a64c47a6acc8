"""Card layers: each layer type is a small function that paints onto the canvas.

A card is a list of layer dicts from the theme (as in mkdocs-material's social plugin).
Coordinates in a layer are fractions: `box` of the *safe zone* for text and logos (so the
same layout fits every platform), `area` of the whole canvas for photos and scrims.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from outreach.layout.geometry import Box
from outreach.layout.text import LayoutError, TextBlock, TextStyle, layout_text
from outreach.render.contrast import MIN_CONTRAST, worst_contrast
from outreach.render.photos import photo_fill
from outreach.render.text_draw import draw_block
from outreach.themes import Theme

#: Text is made to reach a little more than the WCAG minimum, so rounding never fails it.
TARGET_CONTRAST = MIN_CONTRAST + 0.3


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
    names: tuple[str, ...] = ()  # the story's own names, never split across lines
    lang: str = ""

    def color(self, name: str) -> tuple[int, int, int, int]:
        return self.theme.color(name)

    def px(self, box: Box) -> tuple[int, int, int, int]:
        return box.scaled(self.scale).rounded()

    def canvas_box(self, frac: list[float] | None) -> Box:
        full = Box(0, 0, *self.full_size)
        return full.within(tuple(frac)) if frac else full  # type: ignore[arg-type]

    def safe_sub(self, frac: list[float] | None) -> Box:
        return self.safe.within(tuple(frac)) if frac else self.safe  # type: ignore[arg-type]


LayerFn = Callable[[CardCanvas, dict[str, Any]], None]
LAYERS: dict[str, LayerFn] = {}


def layer(name: str) -> Callable[[LayerFn], LayerFn]:
    def register(fn: LayerFn) -> LayerFn:
        LAYERS[name] = fn
        return fn

    return register


def layer_digest(spec: dict[str, Any], canvas: CardCanvas) -> str:
    """Content hash of one layer: its spec plus every value and photo it reads."""
    refs = {k: canvas.values.get(k, "") for k in (spec.get("field"), spec.get("when")) if k}
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


# --- layer types ---------------------------------------------------------------------------


@layer("background")
def _background(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A flat colour, or a vertical gradient between two theme colours."""
    w, h = c.image.size
    if "gradient" in spec:
        top, bottom = (np.array(c.color(x), dtype=np.float32) for x in spec["gradient"])
        t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
        col = (top[None, :] * (1 - t) + bottom[None, :] * t).astype(np.uint8)
        grad = np.broadcast_to(col[:, None, :], (h, w, 4))
        c.image.alpha_composite(Image.fromarray(np.ascontiguousarray(grad)))
    else:
        c.image.alpha_composite(Image.new("RGBA", (w, h), c.color(spec.get("color", "background"))))


@layer("photo")
def _photo(c: CardCanvas, spec: dict[str, Any]) -> None:
    """The story's photo, cropped to fill its area around the focus point."""
    source = c.photos.get(spec.get("source", "cover"))
    if source is None:
        return
    path, focus = source
    x0, y0, x1, y1 = c.px(c.canvas_box(spec.get("area")))
    size = (max(1, x1 - x0), max(1, y1 - y0))
    img = photo_fill(path, size, focus).convert("RGBA")
    if spec.get("darken"):
        img = Image.blend(img, Image.new("RGBA", size, (0, 0, 0, 255)), float(spec["darken"]))
    if spec.get("opacity") is not None:
        img.putalpha(round(255 * float(spec["opacity"])))
    c.image.alpha_composite(img, (x0, y0))


@layer("scrim")
def _scrim(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A colour gradient whose opacity follows `stops` [[y fraction of canvas, alpha]...]."""
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
    over = Image.new("RGBA", (w, h), (r, g, b, 0))
    over.putalpha(Image.fromarray(np.ascontiguousarray(mask)))
    c.image.alpha_composite(over)


@layer("rect")
def _rect(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A flat shape: accent bars and panels. `box` is in the safe zone, `area` in the canvas."""
    box = c.canvas_box(spec["area"]) if "area" in spec else c.safe_sub(spec.get("box"))
    x0, y0, x1, y1 = c.px(box)
    over = Image.new("RGBA", c.image.size, (0, 0, 0, 0))
    radius = round(float(spec.get("radius", 0)) * c.scale)
    ImageDraw.Draw(over).rounded_rectangle(
        (x0, y0, x1 - 1, y1 - 1), radius=radius, fill=c.color(spec.get("color", "accent"))
    )
    c.image.alpha_composite(over)


@layer("logo")
def _logo(c: CardCanvas, spec: dict[str, Any]) -> None:
    """The theme's logo, fitted into its box and aligned."""
    path = c.theme.logo
    if spec.get("variant"):
        alt = c.theme.find_file(spec["variant"])
        path = str(alt) if alt else path
    if not path:
        return
    box = c.safe_sub(spec.get("box"))
    x0, y0, x1, y1 = c.px(box)
    logo = _load_logo(path)
    k = min((x1 - x0) / logo.width, (y1 - y0) / logo.height)
    size = (max(1, round(logo.width * k)), max(1, round(logo.height * k)))
    img = logo.resize(size, Image.Resampling.LANCZOS)
    align = spec.get("align", "left")
    x = x0 if align == "left" else (x1 - size[0] if align == "right" else (x0 + x1 - size[0]) // 2)
    c.image.alpha_composite(img, (x, y0 + (y1 - y0 - size[1]) // 2))


_LOGOS: dict[str, Image.Image] = {}


def _load_logo(path: str) -> Image.Image:
    if path not in _LOGOS:
        with Image.open(path) as im:
            _LOGOS[path] = im.convert("RGBA")
    return _LOGOS[path]


@layer("text")
def _text(c: CardCanvas, spec: dict[str, Any]) -> None:
    """A story field set in a box of the safe zone, shrunk to fit, kept legible."""
    name = spec["field"]
    text = c.values.get(name, "")
    if not text:
        return
    theme = c.theme
    max_size, min_size = spec.get("size", [64, 32])
    style = TextStyle(
        font=theme.font(spec.get("font", "body")),
        emoji_font=theme.emoji_font,
        max_size=int(max_size),
        min_size=int(min_size),
        max_lines=int(spec.get("max_lines", 99)),
        align=spec.get("align", "left"),
        valign=spec.get("valign", "top"),
        balance=bool(spec.get("balance", False)),
        uppercase=bool(spec.get("uppercase", False)),
        leading=float(spec.get("leading", 1.15)),
        keep_together=theme.keep_together,
        names=c.names,
        lang=c.lang,
    )
    box = c.safe_sub(spec.get("box"))
    try:
        block = layout_text(text, box, style, name)
    except LayoutError as exc:
        c.errors.append(exc)
        return
    color = c.color(spec.get("color", "text"))
    contrast = _ensure_contrast(c, block, color, spec)
    shadow = c.color(spec["shadow"]) if spec.get("shadow") else None
    if c.draw_text:
        draw_block(c.image, block, color, c.scale, shadow)
    lines = tuple(line.text for line in block.lines)
    c.records.append(
        TextRecord(name, block.bounds, round(contrast, 2), lines, block.size, block.split)
    )


def _ensure_contrast(c: CardCanvas, block: TextBlock, color: tuple[int, ...], spec: dict) -> float:
    """Measure contrast under the text; darken (or lighten) behind it until it is legible."""
    bounds = block.bounds.inset(-block.size * 0.15)
    x0, y0, x1, y1 = c.px(bounds)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(c.image.width, x1), min(c.image.height, y1)
    if x1 <= x0 or y1 <= y0:
        return 21.0
    contrast = worst_contrast(c.image.crop((x0, y0, x1, y1)), color)
    if contrast >= TARGET_CONTRAST or spec.get("ensure_contrast", True) is False:
        return contrast
    backing = c.color(spec.get("backing", "background"))
    feather = max(2, round(block.size * c.scale * 0.4))
    pad = 2 * feather
    region = (
        max(0, x0 - pad),
        max(0, y0 - pad),
        min(c.image.width, x1 + pad),
        min(c.image.height, y1 + pad),
    )
    mask_full = Image.new("L", (region[2] - region[0], region[3] - region[1]), 0)
    # The solid part covers the measured area fully; only the margin around it fades.
    ImageDraw.Draw(mask_full).rectangle(
        (
            x0 - region[0] - feather,
            y0 - region[1] - feather,
            x1 - region[0] + feather,
            y1 - region[1] + feather,
        ),
        fill=255,
    )
    mask_full = mask_full.filter(ImageFilter.GaussianBlur(feather / 2))
    base = c.image.crop(region)
    solid = Image.new("RGBA", base.size, backing[:3] + (255,))
    for alpha in (0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 1.0):
        mask = mask_full.point(lambda v, a=alpha: round(v * a))
        trial = base.copy()
        trial.paste(solid, (0, 0), mask)
        inner = trial.crop((x0 - region[0], y0 - region[1], x1 - region[0], y1 - region[1]))
        contrast = worst_contrast(inner, color)
        if contrast >= TARGET_CONTRAST:
            break
    c.image.paste(trial, region[:2])
    return contrast


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
