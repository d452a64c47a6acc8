#!/usr/bin/env python3
"""Generate the sample illustrations shipped with `outreach`.

Every image in ``stories/media/`` (and the logo in ``assets/logo/``) is
original art produced by this script: flat, poster-style illustrations built
from gradients, layered silhouettes and simple geometry.  Nothing is traced or
derived from photographs or third-party artwork, so the output can be shipped
with the project (CC0 / same licence as the project).

The script only needs numpy and Pillow and is fully deterministic (fixed
seeds), so re-running it reproduces the same pixels for a given
numpy/Pillow version.

Usage::

    python assets/samples/make_sample_media.py            # everything
    python assets/samples/make_sample_media.py delta-dawn logo   # a subset
    python assets/samples/make_sample_media.py --list

Drawing happens at 2x resolution and is downscaled with LANCZOS for clean
anti-aliasing; a gentle, seeded film grain is added at the end.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
MEDIA_DIR = ROOT / "stories" / "media"
LOGO_DIR = ROOT / "assets" / "logo"
FONT_DIR = ROOT / "assets" / "fonts"

SS = 2  # supersampling factor
JPEG_QUALITY = 88
GRAIN_SCALE = 0.6  # global multiplier for the film grain (keeps files small)

# --------------------------------------------------------------------------
# colour helpers
# --------------------------------------------------------------------------


def C(h: str) -> np.ndarray:
    """'#rrggbb' -> float32 RGB array (0..255)."""
    h = h.lstrip("#")
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], np.float32)


def mix(a, b, t):
    return a + (b - a) * t


def rgba(h, a: float = 1.0) -> tuple:
    c = C(h) if isinstance(h, str) else np.asarray(h, np.float32)
    return (int(c[0]), int(c[1]), int(c[2]), int(round(a * 255)))


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


# --------------------------------------------------------------------------
# blur (numpy, separable box blur x3 ~ gaussian)
# --------------------------------------------------------------------------


def _box(a: np.ndarray, r: int, axis: int) -> np.ndarray:
    if r < 1:
        return a
    pad = [(0, 0)] * a.ndim
    pad[axis] = (r + 1, r)
    p = np.pad(a, pad, mode="edge")
    cs = np.cumsum(p, axis=axis, dtype=np.float32)
    n = a.shape[axis]
    hi = np.take(cs, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
    lo = np.take(cs, np.arange(0, n), axis=axis)
    return (hi - lo) / (2 * r + 1)


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """Approximate gaussian blur of a 2-D or 3-D (H, W[, C]) float array."""
    if sigma <= 0.3:
        return a
    a = a.astype(np.float32)
    # downsample big blurs for speed
    f = 1
    while sigma / f > 12 and min(a.shape[:2]) // (f * 2) > 32:
        f *= 2
    src = a
    if f > 1:
        h, w = a.shape[:2]
        hh, ww = h // f, w // f
        src = a[: hh * f, : ww * f].reshape(hh, f, ww, f, *a.shape[2:]).mean(axis=(1, 3))
    s = sigma / f
    r = max(1, int(round((math.sqrt(12 * s * s / 3 + 1) - 1) / 2)))
    out = src
    for _ in range(3):
        out = _box(out, r, 0)
        out = _box(out, r, 1)
    if f > 1:
        h, w = a.shape[:2]
        chans = out.shape[2:] if out.ndim == 3 else ()
        ups = []
        planes = [out[..., i] for i in range(out.shape[2])] if chans else [out]
        for pl in planes:
            im = Image.fromarray(pl.astype(np.float32))
            ups.append(np.asarray(im.resize((w, h), Image.BILINEAR), np.float32))
        out = np.stack(ups, axis=-1) if chans else ups[0]
    return out


# --------------------------------------------------------------------------
# canvas
# --------------------------------------------------------------------------


class Layer:
    """A transparent RGBA drawing layer at supersampled resolution.

    All coordinates are given in *output* pixels and scaled by SS.
    """

    def __init__(self, w: int, h: int):
        self.im = Image.new("RGBA", (w * SS, h * SS), (0, 0, 0, 0))
        self.d = ImageDraw.Draw(self.im)

    @staticmethod
    def _p(pts):
        return [(float(x) * SS, float(y) * SS) for x, y in pts]

    @staticmethod
    def _b(box):
        return [float(v) * SS for v in box]

    def polygon(self, pts, fill):
        self.d.polygon(self._p(pts), fill=fill)

    def ellipse(self, box, fill):
        self.d.ellipse(self._b(box), fill=fill)

    def circle(self, cx, cy, r, fill):
        self.ellipse((cx - r, cy - r, cx + r, cy + r), fill)

    def rect(self, box, fill, radius=0):
        x0, y0, x1, y1 = box
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        radius = min(radius, (box[2] - box[0]) / 2, (box[3] - box[1]) / 2)
        if radius > 0:
            self.d.rounded_rectangle(self._b(box), radius=radius * SS, fill=fill)
        else:
            self.d.rectangle(self._b(box), fill=fill)

    def line(self, pts, fill, width=1.0):
        self.d.line(self._p(pts), fill=fill, width=max(1, int(round(width * SS))), joint="curve")

    def arc(self, box, start, end, fill, width=1.0):
        self.d.arc(self._b(box), start, end, fill=fill, width=max(1, int(round(width * SS))))

    def alpha(self) -> np.ndarray:
        return np.asarray(self.im.getchannel("A"), np.float32) / 255.0


class Canvas:
    def __init__(self, w: int, h: int, seed: int):
        self.w, self.h = w, h
        self.W, self.H = w * SS, h * SS
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.img = np.zeros((self.H, self.W, 3), np.float32)
        # coordinate grids in output-pixel units (broadcastable)
        self.y = (np.arange(self.H, dtype=np.float32)[:, None] + 0.5) / SS
        self.x = (np.arange(self.W, dtype=np.float32)[None, :] + 0.5) / SS

    # ---- fills -----------------------------------------------------------
    def vgrad(self, stops, y0=0.0, y1=None):
        """Vertical gradient colour field (H,1,3) from [(pos 0..1, '#hex'), ...]."""
        y1 = self.h if y1 is None else y1
        t = (self.y[:, 0] - y0) / (y1 - y0)
        pos = [s[0] for s in stops]
        cols = np.stack([C(s[1]) if isinstance(s[1], str) else s[1] for s in stops])
        out = np.stack([np.interp(t, pos, cols[:, i]) for i in range(3)], axis=-1)
        return out[:, None, :].astype(np.float32)

    def fill(self, color):
        self.img[...] = color

    def paint(self, mask, color, opacity=1.0):
        m = np.asarray(mask, np.float32)
        if opacity != 1.0:
            m = m * opacity
        if m.ndim == 2:
            m = m[..., None]
        self.img += (np.asarray(color, np.float32) - self.img) * m

    def light(self, mask, color, k=1.0):
        """Additive light."""
        m = np.asarray(mask, np.float32)
        if m.ndim == 2:
            m = m[..., None]
        self.img += np.asarray(color, np.float32) * m * k

    def screen(self, mask, color, k=1.0):
        m = np.asarray(mask, np.float32)
        if m.ndim == 2:
            m = m[..., None]
        c = np.asarray(color, np.float32) / 255.0
        base = self.img / 255.0
        self.img = 255.0 * (1 - (1 - base) * (1 - c * m * k))

    def layer(self) -> Layer:
        return Layer(self.w, self.h)

    def comp(self, layer: Layer, opacity=1.0, blur_px=0.0):
        """Alpha-composite an RGBA layer (straight alpha) onto the canvas."""
        arr = np.asarray(layer.im, np.float32)
        a = arr[..., 3] / 255.0 * opacity
        rgb = arr[..., :3]
        if blur_px:
            pm = blur(rgb * a[..., None], blur_px * SS)
            a = blur(a, blur_px * SS)
            rgb = pm / np.maximum(a[..., None], 1e-4)
        self.img += (rgb - self.img) * a[..., None]

    def mask_of(self, draw_fn) -> np.ndarray:
        lay = self.layer()
        draw_fn(lay)
        return lay.alpha()

    # ---- analytic shapes -------------------------------------------------
    def below(self, curve_y):
        """AA mask of pixels below a per-column curve (curve in output px, len W)."""
        return np.clip((self.y - curve_y[None, :]) * SS + 0.5, 0, 1)

    def glow(self, cx, cy, r, power=2.0):
        d = np.sqrt((self.x - cx) ** 2 + (self.y - cy) ** 2) / r
        return np.exp(-(d**power))

    def disc(self, cx, cy, r):
        d = np.sqrt((self.x - cx) ** 2 + (self.y - cy) ** 2)
        return np.clip((r - d) * SS + 0.5, 0, 1)

    def xs(self):
        return self.x[0]

    # ---- output ----------------------------------------------------------
    def finish(self, grain=2.2, vignette=0.22, vignette_color="#000000"):
        big = Image.fromarray(np.clip(self.img + 0.5, 0, 255).astype(np.uint8))
        small = big.resize((self.w, self.h), Image.LANCZOS)
        a = np.asarray(small, np.float32)
        yy = (np.arange(self.h, dtype=np.float32)[:, None] + 0.5) / self.h - 0.5
        xx = (np.arange(self.w, dtype=np.float32)[None, :] + 0.5) / self.w - 0.5
        asp = self.w / self.h
        r2 = (xx * asp) ** 2 + yy**2
        r2 = r2 / r2.max()
        v = (vignette * smoothstep(0.25, 1.0, r2))[..., None]
        a = a + (C(vignette_color) - a) * v
        rng = np.random.default_rng(self.seed + 7919)
        n = rng.normal(0.0, 1.0, (self.h, self.w)).astype(np.float32)
        # grain is stronger in midtones, weaker in deep shadows/highlights
        lum = a.mean(axis=2) / 255.0
        g = grain * GRAIN_SCALE * (0.45 + 2.2 * lum * (1 - lum))
        a = a + (n * g)[..., None]
        return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))


def save_jpeg(im: Image.Image, name: str) -> Path:
    MEDIA_DIR.mkdir(parents=True, exist_ok=True)
    path = MEDIA_DIR / name
    # no EXIF / ICC data is written: plain baseline sRGB JPEG
    im.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return path


# --------------------------------------------------------------------------
# procedural helpers
# --------------------------------------------------------------------------


def wave(x, rng, amp, wl, octaves=4, persistence=0.5, lacunarity=2.1):
    """Smooth 1-D value built from sines with random phases."""
    x = np.asarray(x, np.float32)
    out = np.zeros_like(x)
    a, w = amp, wl
    for _ in range(octaves):
        ph = rng.uniform(0, 2 * math.pi)
        out += a * np.sin(2 * math.pi * x / w + ph)
        a *= persistence
        w /= lacunarity
    return out


def taper(pts, w0, w1):
    """Polygon around a polyline with width varying linearly from w0 to w1."""
    pts = np.asarray(pts, np.float64)
    n = len(pts)
    d = np.gradient(pts, axis=0)
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    nrm = np.stack([-d[:, 1], d[:, 0]], axis=1)
    w = np.linspace(w0, w1, n)[:, None] / 2
    left = pts + nrm * w
    right = pts - nrm * w
    return [tuple(p) for p in np.concatenate([left, right[::-1]])]


def bezier(p0, p1, p2, n=40, p3=None):
    t = np.linspace(0, 1, n)[:, None]
    p0, p1, p2 = (np.asarray(p, np.float64) for p in (p0, p1, p2))
    if p3 is None:
        return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
    p3 = np.asarray(p3, np.float64)
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def star_points(cx, cy, r, rot=-90.0):
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = math.radians(rot + i * 36)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def cloud(lay: Layer, cx, cy, w, h, fill, rng, lobes=5):
    """Flat poster cloud: overlapping circles on a flat base."""
    lay.rect((cx - w / 2, cy - h * 0.35, cx + w / 2, cy + h * 0.35), fill, radius=h * 0.35)
    for i in range(lobes):
        t = (i + 0.5) / lobes
        r = h * (0.45 + 0.55 * math.sin(math.pi * t)) * rng.uniform(0.75, 1.0)
        x = cx - w / 2 + w * t
        lay.circle(x, cy - r * 0.35, r, fill)
    # flatten the bottom


def palm(lay: Layer, x, y, h, lean, fill, rng, fronds=9):
    """Coconut palm silhouette with base at (x, y) and height h."""
    top = (x + lean * h, y - h)
    ctrl = (x + lean * h * 0.15, y - h * 0.55)
    pts = bezier((x, y), ctrl, top, 32)
    lay.polygon(taper(pts, h * 0.045, h * 0.022), fill)
    for i in range(fronds):
        a = math.radians(-172 + i * (164 / (fronds - 1)) + rng.uniform(-8, 8))
        L = h * rng.uniform(0.30, 0.40)
        droop = rng.uniform(0.5, 0.9) * (0.5 + 0.5 * abs(math.cos(a)))
        ts = np.linspace(0, 1, 40)
        sx = top[0] + L * math.cos(a) * ts
        sy = top[1] + L * math.sin(a) * ts + droop * L * ts**2
        spine = np.stack([sx, sy], 1)
        lay.polygon(taper(spine, h * 0.012, h * 0.003), fill)
        d = np.gradient(spine, axis=0)
        d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
        nleaf = 22
        for j in range(nleaf):
            t = 0.16 + 0.82 * j / (nleaf - 1)
            k = int(t * (len(ts) - 1))
            p = spine[k]
            ll = L * 0.24 * math.sin(math.pi * min(t * 1.15, 1.0)) ** 0.5 + L * 0.03
            for side in (-1, 1):
                ang = math.atan2(d[k, 1], d[k, 0]) + side * math.radians(38)
                # leaflets hang: pull their direction towards gravity
                vx, vy = math.cos(ang), math.sin(ang) + 0.9
                nv = math.hypot(vx, vy)
                vx, vy = vx / nv, vy / nv
                q = (p[0] + vx * ll, p[1] + vy * ll)
                lw = max(h * 0.006, 1.2)
                lay.polygon(
                    [
                        (p[0] - d[k, 0] * lw * 1.6, p[1] - d[k, 1] * lw * 1.6),
                        (p[0] + d[k, 0] * lw * 1.6, p[1] + d[k, 1] * lw * 1.6),
                        q,
                    ],
                    fill,
                )
    lay.circle(top[0], top[1], h * 0.03, fill)


def sampan(x, y, s=1.0):
    """Boat with a rower in a conical hat; returns a list of polygons/lines."""

    def P(pts):
        return [(x + px * s, y + py * s) for px, py in pts]

    shapes = []
    shapes.append(
        (
            "poly",
            P(
                [
                    (-78, -18),
                    (-60, -2),
                    (-20, 3),
                    (40, 3),
                    (70, -3),
                    (84, -20),
                    (60, -9),
                    (10, -8),
                    (-50, -8),
                ]
            ),
        )
    )
    # rower (standing, leaning on the oar)
    shapes.append(("poly", P([(22, -8), (40, -8), (37, -40), (33, -52), (25, -52), (22, -40)])))
    shapes.append(("poly", P([(23, -50), (35, -50), (48, -34), (45, -31), (33, -42)])))
    shapes.append(("circle", (x + 30 * s, y - 58 * s, 6.5 * s)))
    shapes.append(("poly", P([(12, -60), (48, -60), (30, -76)])))  # non la
    shapes.append(("line", P([(52, -46), (86, 16)]), 3.2 * s))
    # cargo baskets
    shapes.append(("poly", P([(-46, -8), (-44, -22), (-26, -22), (-24, -8)])))
    shapes.append(("poly", P([(-22, -8), (-20, -18), (-6, -18), (-4, -8)])))
    return shapes


def draw_shapes(lay: Layer, shapes, fill, flip_y=None):
    def f(pts):
        if flip_y is None:
            return pts
        return [(px, 2 * flip_y - py) for px, py in pts]

    for sh in shapes:
        if sh[0] == "poly":
            lay.polygon(f(sh[1]), fill)
        elif sh[0] == "circle":
            cx, cy, r = sh[1]
            if flip_y is not None:
                cy = 2 * flip_y - cy
            lay.circle(cx, cy, r, fill)
        elif sh[0] == "line":
            lay.line(f(sh[1]), fill, sh[2])


def birds(lay: Layer, rng, n, x0, y0, x1, y1, size, fill):
    for _ in range(n):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        s = size * rng.uniform(0.6, 1.2)
        flap = rng.uniform(0.2, 0.6)
        pts = [(x - s, y - s * flap), (x - s * 0.45, y - s * flap * 1.2), (x, y)]
        pts2 = [(x, y), (x + s * 0.45, y - s * flap * 1.2), (x + s, y - s * flap)]
        lay.line(pts, fill, max(1.6, s * 0.16))
        lay.line(pts2, fill, max(1.6, s * 0.16))


# ==========================================================================
# scenes
# ==========================================================================


def scene_delta_dawn():
    """Mekong delta at dawn: river, paddies, coconut palms, a sampan."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=101)
    rng = c.rng
    yh = h * 0.56
    c.fill(
        c.vgrad(
            [
                (0.0, "#23244f"),
                (0.22, "#4b3a78"),
                (0.40, "#a45a86"),
                (0.50, "#ee8a72"),
                (0.56, "#ffc987"),
                (1.0, "#ffc987"),
            ]
        )
    )
    sx, sy = w * 0.63, yh - 62
    c.screen(c.glow(sx, sy, 520, 1.6), C("#ff9a62"), 0.55)
    c.screen(c.glow(sx, sy, 190, 1.8), C("#ffd9a0"), 0.7)
    c.paint(c.disc(sx, sy, 74), C("#fff4d6"))
    # long thin dawn clouds
    lay = c.layer()
    for _ in range(9):
        cy = rng.uniform(h * 0.12, h * 0.47)
        cx = rng.uniform(-100, w + 100)
        cw = rng.uniform(260, 720)
        ch = rng.uniform(10, 22)
        t = (cy - h * 0.12) / (h * 0.35)
        col = "#f6a07f" if t > 0.55 else "#c777a0"
        lay.rect(
            (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2), rgba(col, 0.55), radius=ch / 2
        )
    c.comp(lay, blur_px=1.2)
    # far tree line on the horizon
    xs = c.xs()
    far = yh - 8 - np.abs(wave(xs, rng, 10, 300, 4)) - 6 * (np.sin(xs / 23) > 0.6)
    c.paint(c.below(far), C("#a0647f"))
    lay = c.layer()
    for _ in range(26):
        x = rng.uniform(0, w)
        palm(lay, x, yh, rng.uniform(34, 60), rng.uniform(-0.1, 0.1), rgba("#93597a"), rng, 7)
    c.comp(lay)
    # land below the horizon
    land = c.vgrad(
        [(0.0, "#8e5f7c"), (0.06, "#6b5a6c"), (0.25, "#3f5a52"), (1.0, "#1b3530")], yh, h
    )
    c.paint(c.below(np.full(c.W, yh, np.float32)), land)
    # paddy stripes in perspective
    lay = c.layer()
    n = 26
    for k in range(n):
        t0 = (k / n) ** 2.1
        t1 = ((k + 1) / n) ** 2.1
        y0 = yh + (h - yh) * t0
        y1 = yh + (h - yh) * t1
        # irregular plots whose side borders converge towards the vanishing point
        vpx = w * 0.62
        bounds = np.cumsum(rng.uniform(120, 420, 40)) - 5000

        def tt(yy):
            return max((yy - yh) / (h - yh), 1e-3)

        for X0, X1 in zip(bounds[:-1], bounds[1:], strict=True):
            tone = rng.choice(
                ["#86b27a", "#a7bf6e", "#5f8f6a", "#c7b46a"], p=[0.4, 0.25, 0.25, 0.1]
            )
            a = rng.uniform(0.05, 0.16)
            lay.polygon(
                [
                    (vpx + X0 * tt(y0), y0),
                    (vpx + X1 * tt(y0), y0),
                    (vpx + X1 * tt(y1), y1),
                    (vpx + X0 * tt(y1), y1),
                ],
                rgba(tone, a),
            )
        lay.line([(0, y0), (w, y0)], rgba("#ffc98f", 0.14 * (1 - k / n) + 0.03), 1.0 + 1.6 * t0)
    c.comp(lay)
    # river: meandering band widening towards the viewer
    d = np.clip((c.y[:, 0] - yh) / (h - yh), 0, 1)
    xc = w * (0.60 - 0.10 * d + 0.07 * np.sin(d * 6.0 + 0.4) * d**0.7)
    half = w * (0.006 + 0.34 * d**1.35)
    xl = (xc - half)[:, None]
    xr = (xc + half)[:, None]
    river = np.clip((c.x - xl) * SS + 0.5, 0, 1) * np.clip((xr - c.x) * SS + 0.5, 0, 1)
    river *= c.y > yh + 0.5
    water = c.vgrad(
        [(0.0, "#ffd29a"), (0.08, "#f39a7c"), (0.35, "#a6608a"), (1.0, "#3c3468")], yh, h
    )
    c.paint(river, water)
    # bank highlights
    bank = np.clip(1 - np.minimum(np.abs(c.x - xl), np.abs(c.x - xr)) / (2 + 6 * d[:, None]), 0, 1)
    c.paint(bank * (c.y > yh), C("#ffd7a8"), 0.45)
    # sun glitter on the water
    lay = c.layer()
    y = yh + 4
    k = 0
    while y < h:
        t = (y - yh) / (h - yh)
        L = (120 - 60 * t) * rng.uniform(0.4, 1.2)
        off = rng.normal(0, 20 + 60 * t)
        th = 2 + 7 * t
        lay.rect(
            (sx + off - L / 2, y, sx + off + L / 2, y + th),
            rgba("#fff0c8", 0.85 - 0.6 * t),
            radius=th / 2,
        )
        y += th + 4 + 16 * t * rng.uniform(0.5, 1.5)
        k += 1
    g = lay.alpha()
    c.paint(g * river, C("#fff0c8"), 0.9)
    lay = c.layer()
    for _ in range(120):
        t = rng.uniform(0, 1) ** 0.8
        y = yh + (h - yh) * t
        L = rng.uniform(30, 160) * (0.3 + t)
        x = rng.uniform(0, w)
        lay.rect((x, y, x + L, y + 1 + 3 * t), rgba("#f4b3b8", 0.25), radius=2)
    c.paint(lay.alpha() * river, C("#f7c0c0"), 0.5)
    # sampan and its reflection
    bx, by = w * 0.47, yh + 300
    lay = c.layer()
    draw_shapes(lay, sampan(bx, by, 1.45), rgba("#2a2346", 0.45), flip_y=by + 2)
    c.comp(lay, blur_px=2.5)
    lay = c.layer()
    draw_shapes(lay, sampan(bx, by, 1.45), rgba("#241d3c"))
    c.comp(lay)
    # ripples around the boat
    lay = c.layer()
    for i in range(5):
        rw = 160 + i * 70
        lay.arc(
            (bx - rw, by - 6 - i * 3, bx + rw, by + 10 + i * 5),
            10,
            170,
            rgba("#ffe2b8", 0.35 - i * 0.05),
            2,
        )
    c.comp(lay)
    # mid-distance palms on both banks
    lay = c.layer()
    for i in range(14):
        x = rng.uniform(0, w * 0.30) if i % 2 else rng.uniform(w * 0.86, w)
        yb = yh + rng.uniform(20, 90)
        palm(lay, x, yb, rng.uniform(110, 190), rng.uniform(-0.15, 0.15), rgba("#3d2f4f"), rng, 8)
    c.comp(lay)
    # foreground palms (silhouettes, left and right)
    lay = c.layer()
    palm(lay, 150, h + 30, 880, 0.22, rgba("#171a2b"), rng, 11)
    palm(lay, 330, h + 40, 640, -0.05, rgba("#171a2b"), rng, 10)
    palm(lay, w - 110, h + 30, 760, -0.25, rgba("#171a2b"), rng, 11)
    # bank grasses
    for _ in range(140):
        x = rng.uniform(0, w)
        if abs(x - w * 0.5) < w * 0.32:
            continue
        hh = rng.uniform(30, 110)
        lay.polygon(
            [(x - 5, h + 2), (x + rng.uniform(-30, 30), h - hh), (x + 5, h + 2)], rgba("#171a2b")
        )
    c.comp(lay)
    lay = c.layer()
    birds(lay, rng, 7, w * 0.25, h * 0.18, w * 0.55, h * 0.34, 16, rgba("#3a2a55", 0.9))
    c.comp(lay)
    return c.finish(grain=2.0, vignette=0.25, vignette_color="#1a1533")


def mountains(c: Canvas, rng, layers, haze_col, fog=0.5, fog_depth=160):
    """Layered ranges: [(base_y, amp, wavelength, colour), ...] far to near."""
    xs = c.xs()
    for base, amp, wl, col in layers:
        r = (
            base
            - np.abs(wave(xs, rng, amp, wl, 3, 0.4)) * 0.9
            - wave(xs, rng, amp * 0.3, wl * 0.45, 2)
        )
        m = c.below(r)
        c.paint(m, C(col))
        if fog:
            f = smoothstep(base - amp * 0.2, base + fog_depth, c.y) * fog
            c.paint(m * f, C(haze_col))


def terraces(
    c: Canvas,
    rng,
    ridge,
    bottom,
    n,
    palette,
    water_col,
    water_p=0.2,
    curve=1.15,
    wall="#3f5a2a",
    light="#fff2c2",
    wob=6.0,
):
    """Rice terraces on the hill below `ridge` (len W array)."""
    xs = c.xs()
    m = c.below(ridge)
    r = ridge[None, :]
    wobble = wave(xs, rng, wob, 420, 3)[None, :]
    s = np.clip((c.y - r + wobble * np.clip((c.y - r) / 80, 0, 1)) / (bottom - r), 0, 1)
    u = n * s ** (1 / curve)
    band = np.floor(u).astype(np.int32)
    frac = u - band
    du = np.abs(np.gradient(u, axis=0)) + 1e-4  # per supersampled pixel
    # colour per band (with slow variation along x so fields differ)
    cols = np.stack([C(p) for p in palette])
    k = len(palette)
    seq = rng.integers(0, k, size=n + 2)
    is_water = rng.uniform(0, 1, size=n + 2) < water_p
    field = cols[seq[np.clip(band, 0, n + 1)]]
    tone = wave(xs, rng, 0.08, 700, 2)[None, :] + 1.0
    field = field * tone[..., None]
    # water-filled paddies reflect the sky
    wmask = is_water[np.clip(band, 0, n + 1)][..., None]
    wcol = mix(C(water_col), C("#ffffff"), 0.25 * (1 - frac)[..., None])
    field = np.where(wmask, wcol, field)
    # bund (light top edge) and wall (dark lower edge)
    edge_top = 1 - smoothstep(0, du * 2.5 + 0.04, frac)
    edge_bot = smoothstep(0.80, 1.0 - du, frac)
    shade = 1 - 0.18 * frac
    field = field * shade[..., None]
    field = mix(field, C(wall), (0.75 * edge_bot)[..., None])
    field = mix(field, C(light), (0.55 * edge_top)[..., None])
    c.paint(m, field)
    return m


def tree_blobs(lay: Layer, rng, pts, r, fill, dark):
    for x, y in pts:
        rr = r * rng.uniform(0.7, 1.3)
        lay.rect((x - rr * 0.08, y - rr * 0.6, x + rr * 0.08, y + rr * 0.6), dark)
        lay.ellipse((x - rr, y - rr * 1.9, x + rr, y - rr * 0.1), fill)


def scene_rice_terraces():
    """Northern mountain rice terraces in morning mist."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=102)
    rng = c.rng
    xs = c.xs()
    c.fill(c.vgrad([(0.0, "#7fb6d8"), (0.25, "#bcd7df"), (0.42, "#f7e6c8"), (1.0, "#f7e6c8")]))
    c.screen(c.glow(w * 0.78, h * 0.16, 480, 1.5), C("#fff1c9"), 0.8)
    c.paint(c.disc(w * 0.78, h * 0.16, 58), C("#fffaf0"))
    lay = c.layer()
    for cx, cy, cw in [(w * 0.2, h * 0.12, 420), (w * 0.52, h * 0.2, 300), (w * 0.9, h * 0.3, 260)]:
        cloud(lay, cx, cy, cw, 60, rgba("#ffffff", 0.75), rng)
    c.comp(lay, blur_px=1.0)
    mountains(
        c,
        rng,
        [
            (h * 0.36, 140, 900, "#a7bdd0"),
            (h * 0.43, 120, 700, "#8eaabb"),
            (h * 0.50, 110, 650, "#7497a0"),
        ],
        "#eef0ea",
        fog=0.75,
        fog_depth=200,
    )
    pal_green = ["#9cc25b", "#b7cf6a", "#86b34f", "#c8d66f", "#a4c862"]
    pal_gold = ["#d8c25a", "#e4cf6c", "#c9b54e", "#b9c25c", "#e8d47c"]
    # hill 1 (mid, right)
    r1 = h * 0.55 - 150 * np.exp(-(((xs - w * 0.68) / 520) ** 2)) + wave(xs, rng, 14, 500, 3)
    terraces(c, rng, r1, h * 1.05, 26, pal_green, "#c5dbe2", 0.12, wob=10)
    # mist pooling in front of hill 1
    c.paint(
        smoothstep(h * 0.60, h * 0.74, c.y) * (1 - smoothstep(h * 0.74, h * 0.86, c.y)),
        C("#f2f2ea"),
        0.55,
    )
    # hill 2 (left, golden)
    r2 = h * 0.70 - 230 * np.exp(-(((xs - w * 0.18) / 600) ** 2)) + wave(xs, rng, 12, 420, 3)
    r2 = np.maximum(r2, h * 0.62 + (xs - w * 0.5) * 0.35)
    terraces(c, rng, r2, h * 1.25, 22, pal_gold, "#cddfe4", 0.10, wob=14)
    # a stilt house and trees on hill 2
    lay = c.layer()
    hx = w * 0.16
    hy = float(np.interp(hx, xs, r2)) + 6
    lay.rect((hx - 70, hy - 52, hx + 70, hy), rgba("#7a5638"))
    for px in (-60, -20, 20, 60):
        lay.rect((hx + px - 3, hy - 4, hx + px + 3, hy + 22), rgba("#5a3e28"))
    lay.polygon([(hx - 95, hy - 48), (hx, hy - 112), (hx + 95, hy - 48)], rgba("#4f3a2c"))
    lay.rect((hx - 18, hy - 40, hx + 18, hy - 14), rgba("#f6cf7a"))
    tree_blobs(
        lay,
        rng,
        [(hx + 140, hy + 10), (hx + 190, hy + 24), (hx - 150, hy + 12)],
        34,
        rgba("#4e7a3a"),
        rgba("#3d2f22"),
    )
    c.comp(lay)
    # hill 3 (foreground, right)
    r3 = h * 0.86 - 170 * np.exp(-(((xs - w * 0.95) / 520) ** 2)) + wave(xs, rng, 10, 380, 3)
    r3 = np.maximum(r3, h * 0.80 - (xs - w * 0.3) * 0.25)
    terraces(c, rng, r3, h * 1.6, 9, pal_green, "#c9dde4", 0.12, wob=18)
    c.paint(smoothstep(h * 0.94, h * 1.0, c.y), C("#3f5a2a"), 0.25)
    return c.finish(grain=2.0, vignette=0.18, vignette_color="#33432a")


def fuji(c: Canvas, cx, base, height, half_w, col, snow):
    xs = c.xs()
    d = np.abs(xs - cx) / half_w
    prof = base - height * np.clip(1 - d, 0, 1) ** 1.7
    prof = np.maximum(prof, base - height * 0.96)
    m = c.below(prof)
    c.paint(m, C(col))
    snow_line = (
        base
        - height * 0.62
        + 18 * np.sin(xs / 9.0) * np.clip(1 - d * 2.5, 0, 1)
        + 22 * (np.sin(xs / 31.0) > 0.3)
    )
    sm = m * np.clip((snow_line[None, :] - c.y) * SS + 0.5, 0, 1)
    c.paint(sm, C(snow))


def buildings(lay: Layer, rng, x0, x1, base, hmin, hmax, wmin, wmax, fill, roof=True):
    x = x0
    boxes = []
    while x < x1:
        bw = rng.uniform(wmin, wmax)
        bh = rng.uniform(hmin, hmax) * (1.0 if rng.uniform() > 0.15 else 1.45)
        top = base - bh
        lay.rect((x, top, x + bw, base + 5), fill)
        if roof and rng.uniform() < 0.35:
            sw = bw * rng.uniform(0.3, 0.6)
            sx = x + rng.uniform(0, bw - sw)
            lay.rect((sx, top - rng.uniform(10, 40), sx + sw, top + 2), fill)
        if roof and rng.uniform() < 0.2:
            ax = x + bw * rng.uniform(0.2, 0.8)
            lay.line([(ax, top), (ax, top - rng.uniform(30, 80))], fill, 2.5)
        boxes.append((x, top, bw, bh))
        x += bw + rng.uniform(-6, 10)
    return boxes


def windows(lay: Layer, rng, boxes, cols, p, cell=(14, 20), size=(7, 10), margin=10):
    for x, top, bw, bh in boxes:
        ncol = int((bw - 2 * margin) // cell[0])
        nrow = int((bh - 2 * margin) // cell[1])
        if ncol < 1 or nrow < 1:
            continue
        lit_floor = rng.uniform(0, 1, nrow) < 0.5
        for i in range(nrow):
            for j in range(ncol):
                pp = p * (1.8 if lit_floor[i] else 0.5)
                if rng.uniform() < pp:
                    wx = x + margin + j * cell[0]
                    wy = top + margin + i * cell[1]
                    lay.rect((wx, wy, wx + size[0], wy + size[1]), cols[rng.integers(len(cols))])


def scene_tokyo_dusk():
    """Tokyo-like skyline at dusk with a lattice tower and distant volcano."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=103)
    rng = c.rng
    yh = h * 0.80
    c.fill(
        c.vgrad(
            [
                (0.0, "#10143a"),
                (0.28, "#28296a"),
                (0.50, "#6a4690"),
                (0.66, "#d56f86"),
                (0.76, "#ffad7a"),
                (0.82, "#ffd39a"),
                (1.0, "#ffd39a"),
            ]
        )
    )
    # stars
    lay = c.layer()
    for _ in range(160):
        x, y = rng.uniform(0, w), rng.uniform(0, h * 0.45) ** 1.0
        r = rng.uniform(0.6, 1.8)
        lay.circle(x, y, r, rgba("#ffffff", rng.uniform(0.3, 0.9) * (1 - y / (h * 0.5))))
    c.comp(lay)
    # crescent moon
    mx, my = w * 0.16, h * 0.17
    moon = c.disc(mx, my, 46) * (1 - c.disc(mx + 20, my - 12, 42))
    c.screen(c.glow(mx, my, 160), C("#c9b8ff"), 0.25)
    c.paint(moon, C("#fff2d8"))
    fuji(c, w * 0.70, yh - 40, 330, 620, "#9a6f9e", "#e7cfe0")
    c.screen(smoothstep(h * 0.55, yh, c.y), C("#ff9c7a"), 0.25)
    # far buildings
    lay = c.layer()
    buildings(lay, rng, -20, w + 20, yh, 60, 200, 40, 110, rgba("#7b558f"))
    c.comp(lay)
    c.paint(smoothstep(yh - 200, yh + 50, c.y), C("#f29a86"), 0.35)
    # lattice tower
    tx, tb, th = w * 0.33, yh + 40, 760
    lay = c.layer()
    red, white = rgba("#ff5a36"), rgba("#fff1e6")

    def leg_x(t, side):
        return tx + side * (150 * (1 - t) ** 2.2 + 12)

    for side in (-1, 1):
        ts = np.linspace(0, 0.92, 40)
        pts = [(leg_x(t, side), tb - th * t) for t in ts]
        lay.line(pts, red, 9)
        inner = [(tx + side * ((150 * (1 - t) ** 2.2 + 12) * 0.55), tb - th * t) for t in ts]
        lay.line(inner, red, 5)
    # cross bracing
    for i in range(18):
        t0, t1 = i / 20, (i + 1) / 20
        y0, y1 = tb - th * t0, tb - th * t1
        lay.line([(leg_x(t0, -1), y0), (leg_x(t1, 1), y1)], red, 3)
        lay.line([(leg_x(t0, 1), y0), (leg_x(t1, -1), y1)], red, 3)
        if i % 3 == 2:
            lay.line([(leg_x(t1, -1), y1), (leg_x(t1, 1), y1)], white if i % 2 else red, 5)
    # arch at the base and decks
    lay.arc((tx - 120, tb - 150, tx + 120, tb + 90), 180, 360, red, 10)
    for t, ww, hh in [(0.40, 72, 34), (0.70, 38, 20)]:
        y = tb - th * t
        lay.rect((tx - ww, y - hh, tx + ww, y), white, radius=4)
        lay.rect((tx - ww + 6, y - hh + 8, tx + ww - 6, y - hh + 16), rgba("#ffcf7a"))
    lay.line([(tx, tb - th * 0.9), (tx, tb - th * 1.08)], white, 5)
    c.comp(lay)
    c.screen(c.glow(tx, tb - th * 0.5, 330), C("#ff7040"), 0.35)
    # mid buildings with sparse lights
    lay = c.layer()
    boxes = buildings(lay, rng, -30, w + 30, yh + 80, 120, 360, 60, 150, rgba("#3a2d5e"))
    c.comp(lay)
    lay = c.layer()
    windows(
        lay,
        rng,
        boxes,
        [rgba("#ffcf8a", 0.8), rgba("#ffe6b8", 0.7), rgba("#9fd3ff", 0.6)],
        0.10,
        cell=(16, 24),
        size=(8, 11),
    )
    c.comp(lay)
    # near buildings
    lay = c.layer()
    boxes = buildings(lay, rng, -40, w + 40, h + 10, 260, 560, 110, 240, rgba("#1b1838"))
    # skip the area right in front of the tower base to keep it readable
    c.comp(lay)
    lay = c.layer()
    windows(
        lay,
        rng,
        boxes,
        [rgba("#ffd28a"), rgba("#ffe9c4"), rgba("#8fd0ff"), rgba("#ff9f80")],
        0.18,
        cell=(22, 30),
        size=(12, 16),
        margin=14,
    )
    for x, top, bw, _bh in boxes:
        if rng.uniform() < 0.5:
            lay.circle(x + bw / 2, top - 3, 3.5, rgba("#ff3b3b"))
    c.comp(lay)
    # elevated railway with a train
    ry = h * 0.90
    lay = c.layer()
    lay.rect((-10, ry, w + 10, ry + 26), rgba("#121028"))
    for px in range(40, w, 240):
        lay.rect((px, ry + 20, px + 30, h + 10), rgba("#121028"))
    tx0 = w * 0.46
    lay.rect((tx0, ry - 54, tx0 + 900, ry - 2), rgba("#e9eef5"), radius=22)
    lay.rect((tx0 + 14, ry - 44, tx0 + 886, ry - 26), rgba("#ffe3a6"), radius=6)
    lay.rect((tx0, ry - 20, tx0 + 900, ry - 12), rgba("#33b07a"))
    for k in range(1, 5):
        lay.rect((tx0 + k * 180 - 3, ry - 54, tx0 + k * 180 + 3, ry - 2), rgba("#9aa6b8"))
    c.comp(lay)
    c.screen(c.glow(tx0 + 450, ry - 30, 500, 2.0), C("#ffb36a"), 0.15)
    return c.finish(grain=2.0, vignette=0.25, vignette_color="#0b0a20")


def petal(cx, cy, L, W, ang):
    ts = np.linspace(0, 1, 24)
    wid = W * np.sin(np.pi * ts) ** 0.75 * (1 - 0.25 * ts)
    left = np.stack([-wid, -L * ts], 1)
    right = np.stack([wid, -L * ts], 1)[::-1]
    pts = np.concatenate([left, right])
    a = math.radians(ang)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    pts = pts @ rot.T + np.array([cx, cy])
    return [tuple(p) for p in pts]


def lotus_flower(c: Canvas, cx, cy, size, tip="#e5578a", base="#fde9ef"):
    grad = c.vgrad([(0.0, tip), (0.55, "#f4a3bd"), (1.0, base)], cy - size * 1.05, cy + size * 0.05)
    # back petals, side petals, front petals
    specs = [
        (-38, 0.95, 0.30),
        (38, 0.95, 0.30),
        (-12, 1.05, 0.30),
        (12, 1.05, 0.30),
        (-68, 0.80, 0.26),
        (68, 0.80, 0.26),
        (-24, 0.90, 0.33),
        (24, 0.90, 0.33),
        (0, 0.95, 0.34),
    ]
    for _i, (ang, lf, wf) in enumerate(specs):
        shape = petal(cx, cy, size * lf, size * wf, ang)
        m = c.mask_of(lambda ly, shape=shape: ly.polygon(shape, (255, 255, 255, 255)))
        c.paint(m, grad)
        # soft edge definition
        lay = c.layer()
        lay.line(
            petal(cx, cy, size * lf, size * wf, ang)
            + [petal(cx, cy, size * lf, size * wf, ang)[0]],
            rgba("#c23d70", 0.35),
            1.6,
        )
        c.comp(lay)
    c.paint(c.disc(cx, cy - size * 0.12, size * 0.10), C("#f6d36b"), 0.9)


def scene_lotus_pond():
    """Lotus pond at dawn (Đồng Tháp Mười style)."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=104)
    rng = c.rng
    c.xs()
    yh = h * 0.40
    c.fill(
        c.vgrad(
            [
                (0.0, "#9dc3d6"),
                (0.22, "#d9d6dc"),
                (0.36, "#f7d9cc"),
                (0.40, "#fde6c6"),
                (1.0, "#fde6c6"),
            ]
        )
    )
    c.screen(c.glow(w * 0.28, yh - 110, 420), C("#ffe4b0"), 0.7)
    c.paint(c.disc(w * 0.28, yh - 110, 46), C("#fff6e6"), 0.95)
    # distant tree line made of soft round crowns
    for col, base, rmin, rmax in [("#a9bcb4", yh - 8, 18, 46), ("#86a39a", yh + 2, 12, 30)]:
        lay = c.layer()
        x = -40.0
        while x < w + 40:
            r = rng.uniform(rmin, rmax)
            lay.circle(x, base - r * rng.uniform(0.3, 1.1), r, rgba(col))
            if rng.uniform() < 0.12:
                palm(lay, x, base, rng.uniform(60, 110), rng.uniform(-0.1, 0.1), rgba(col), rng, 7)
            x += r * rng.uniform(0.8, 1.4)
        lay.rect((-10, base - 10, w + 10, base + 2), rgba(col))
        c.comp(lay)
    # water
    water = c.vgrad([(0.0, "#f4dccd"), (0.1, "#d7d3cc"), (0.5, "#8fb3ad"), (1.0, "#4b7c78")], yh, h)
    c.paint(c.below(np.full(c.W, yh, np.float32)), water)
    c.screen(c.glow(w * 0.28, yh + 120, 260, 1.4) * (c.y > yh), C("#ffe6b8"), 0.4)
    lay = c.layer()
    for _i in range(90):
        t = rng.uniform(0, 1)
        y = yh + 6 + (h - yh) * t**1.6
        x = rng.uniform(0, w)
        L = rng.uniform(40, 180) * (0.3 + t)
        lay.rect((x, y, x + L, y + 1 + 2 * t), rgba("#ffffff", 0.25), radius=2)
    c.comp(lay)
    # lily-pad style lotus leaves floating, far to near
    leaves = []
    for _i in range(80):
        t = rng.uniform(0, 1) ** 0.7
        y = yh + 20 + (h - yh + 80) * t
        x = rng.uniform(-100, w + 100)
        leaves.append((y, x, t))
    leaves.sort()
    greens = ["#4f8f5a", "#6aa565", "#3d7a52", "#5e9a58", "#7bb36b"]
    for y, x, t in leaves:
        rw = 30 + 170 * t
        rh = rw * (0.22 + 0.25 * t)
        col = C(greens[rng.integers(len(greens))])
        lay = c.layer()
        lay.ellipse((x - rw, y - rh + rh * 0.25, x + rw, y + rh + rh * 0.25), rgba("#2d5a44", 0.4))
        c.comp(lay)
        lay = c.layer()
        lay.ellipse((x - rw, y - rh, x + rw, y + rh), rgba(mix(col, C("#1f4a35"), 0.25)))
        lay.ellipse((x - rw * 0.96, y - rh * 0.98, x + rw * 0.96, y + rh * 0.86), rgba(col))
        lay.ellipse(
            (x - rw * 0.6, y - rh * 0.7, x + rw * 0.6, y + rh * 0.4),
            rgba(mix(col, C("#ffffff"), 0.06)),
        )
        # veins radiating from the centre
        for k in range(9):
            a = 2 * math.pi * (k + 0.5) / 9
            lay.line(
                [(x, y), (x + rw * 0.88 * math.cos(a), y + rh * 0.85 * math.sin(a))],
                rgba(mix(col, C("#d8efc0"), 0.3)),
                1 + t * 1.5,
            )
        # the notch of a lotus leaf
        lay.polygon(
            [(x, y), (x + rw * 0.2, y + rh * 1.05), (x + rw * 0.02, y + rh * 1.05)],
            rgba(mix(col, C("#1f4a35"), 0.25)),
        )
        c.comp(lay)
    # standing leaves and flowers on stems
    stems = [
        (w * 0.64, h * 0.63, 150),
        (w * 0.80, h * 0.72, 210),
        (w * 0.46, h * 0.80, 260),
        (w * 0.18, h * 0.74, 190),
        (w * 0.92, h * 0.58, 110),
    ]
    lay = c.layer()
    for x, y, s in stems:
        lay.line([(x, y), (x + s * 0.05, y + s * 2.0)], rgba("#3f6f45"), max(3, s * 0.04))
    # cupped standing leaves
    for x, y, s in [
        (w * 0.56, h * 0.70, 190),
        (w * 0.30, h * 0.66, 150),
        (w * 0.88, h * 0.80, 220),
    ]:
        lay.line([(x, y), (x - s * 0.05, y + s * 2.0)], rgba("#3f6f45"), max(3, s * 0.04))
        lay.ellipse((x - s, y - s * 0.45, x + s, y + s * 0.2), rgba("#4d8a55"))
        lay.ellipse((x - s * 0.9, y - s * 0.45, x + s * 0.9, y - s * 0.02), rgba("#7ab46a"))
        for k in range(7):
            a = math.pi * (0.1 + 0.8 * k / 6)
            lay.line(
                [
                    (x, y - s * 0.18),
                    (x - s * 0.85 * math.cos(a), y - s * 0.2 - s * 0.2 * math.sin(a)),
                ],
                rgba("#98c683"),
                2,
            )
    c.comp(lay)
    for x, y, s in stems[:4]:
        lotus_flower(c, x, y, s)
    # buds
    x, y, s = stems[4]
    m = c.mask_of(lambda ly: ly.polygon(petal(x, y, s * 1.1, s * 0.35, 0), (255, 255, 255, 255)))
    c.paint(m, c.vgrad([(0, "#e5578a"), (1, "#fbd6e2")], y - s * 1.1, y))
    lay = c.layer()
    lay.line([(w * 0.08, h * 0.70), (w * 0.085, h * 1.0)], rgba("#3f6f45"), 6)
    c.comp(lay)
    m = c.mask_of(
        lambda ly: ly.polygon(petal(w * 0.08, h * 0.70, 120, 40, 8), (255, 255, 255, 255))
    )
    c.paint(m, c.vgrad([(0, "#e5578a"), (1, "#fbd6e2")], h * 0.70 - 120, h * 0.70))
    return c.finish(grain=1.8, vignette=0.2, vignette_color="#23403a")


class Proj:
    """Tiny pinhole camera: X right, Y down, Z forward (metres)."""

    def __init__(self, f, cx, cy):
        self.f, self.cx, self.cy = f, cx, cy

    def p(self, X, Y, Z):
        return (self.cx + self.f * X / Z, self.cy + self.f * Y / Z)

    def poly(self, pts3):
        return [self.p(*q) for q in pts3]

    def px(self, metres, Z):
        return self.f * metres / Z


def fogged(col, Z, haze, dist):
    k = 1 - math.exp(-Z / dist)
    return rgba(mix(C(col) if isinstance(col, str) else col, C(haze), k))


def grad_field(t, stops):
    pos = [s_[0] for s_ in stops]
    cols = np.stack([C(s_[1]) for s_ in stops])
    return np.stack([np.interp(t, pos, cols[:, i]) for i in range(3)], axis=-1).astype(np.float32)


def scene_cleanroom():
    """Semiconductor fab cleanroom abstraction: rows of tools, blue light."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=105)
    rng = c.rng
    cam = Proj(900, w * 0.5, h * 0.47)
    haze, fd = "#8fb4ff", 38.0
    c.fill(c.vgrad([(0, "#0b1434"), (0.47, "#5f86d8"), (1, "#0e1b44")]))
    FLOOR, CEIL, WALL, ZN, ZF = 1.6, -2.0, 4.8, 0.6, 90
    lay = c.layer()
    # ceiling, walls, floor
    lay.polygon(
        cam.poly([(-WALL, CEIL, ZN), (WALL, CEIL, ZN), (WALL, CEIL, ZF), (-WALL, CEIL, ZF)]),
        rgba("#18285c"),
    )
    for sgn in (-1, 1):
        lay.polygon(
            cam.poly(
                [
                    (sgn * WALL, CEIL, ZN),
                    (sgn * WALL, CEIL, ZF),
                    (sgn * WALL, FLOOR, ZF),
                    (sgn * WALL, FLOOR, ZN),
                ]
            ),
            rgba("#22376e"),
        )
    lay.polygon(
        cam.poly([(-WALL, FLOOR, ZN), (WALL, FLOOR, ZN), (WALL, FLOOR, ZF), (-WALL, FLOOR, ZF)]),
        rgba("#a9bde6"),
    )
    c.comp(lay)
    # floor gloss: brighter towards the far end
    c.paint(
        c.below(np.full(c.W, cam.cy + 2, np.float32))
        * (1 - smoothstep(cam.cy, h, c.y))[..., None][..., 0],
        C("#dfe8ff"),
        0.55,
    )
    lay = c.layer()
    # ceiling filter units
    z = 1.0
    while z < ZF:
        for xi in np.arange(-4.2, 4.2, 1.2):
            q = [
                (xi + 0.08, CEIL, z + 0.08),
                (xi + 1.12, CEIL, z + 0.08),
                (xi + 1.12, CEIL, z + 1.12),
                (xi + 0.08, CEIL, z + 1.12),
            ]
            lay.polygon(
                cam.poly(q), fogged("#e8f0ff" if abs(xi + 0.6) < 1.3 else "#b7c9f2", z, haze, fd)
            )
        z += 1.2
    # raised-floor tile grid
    for xi in np.arange(-WALL, WALL + 0.01, 0.6):
        lay.line([cam.p(xi, FLOOR, ZN), cam.p(xi, FLOOR, ZF)], rgba("#7f96cc", 0.9), 1.2)
    z = 1.0
    while z < 40:
        a, b = cam.p(-WALL, FLOOR, z), cam.p(WALL, FLOOR, z)
        lay.line([a, b], rgba("#7f96cc", 0.9), max(1.0, cam.px(0.02, z)))
        z += 0.6
    c.comp(lay, opacity=0.45)
    # tools (machines) on both sides of the aisle, far to near
    tools = []
    for sgn in (-1, 1):
        z = 2.0 + (0.8 if sgn > 0 else 0.0)
        while z < ZF - 5:
            length = rng.uniform(1.8, 3.2)
            tall = rng.uniform(1.7, 2.3)
            tools.append((z, sgn, length, tall))
            z += length + rng.uniform(0.35, 0.9)
    tools.sort(key=lambda t: -t[0])
    refl = c.layer()
    lay = c.layer()
    for z0, sgn, length, tall in tools:
        z1 = z0 + length
        xi, xo = 1.25 * sgn, 3.9 * sgn
        top = FLOOR - tall
        body = "#d8e3f6"
        for L, mirror in ((refl, True), (lay, False)):

            def Y(y, mirror=mirror):
                return 2 * FLOOR - y if mirror else y

            # front (camera-facing) face
            L.polygon(
                cam.poly(
                    [(xi, Y(top), z0), (xo, Y(top), z0), (xo, Y(FLOOR), z0), (xi, Y(FLOOR), z0)]
                ),
                fogged("#9fb2d8", z0, haze, fd),
            )
            # aisle face
            L.polygon(
                cam.poly(
                    [(xi, Y(top), z0), (xi, Y(top), z1), (xi, Y(FLOOR), z1), (xi, Y(FLOOR), z0)]
                ),
                fogged(body, z0, haze, fd),
            )
            if mirror:
                continue
            # top face is above the eye, so not visible; add details on the aisle face
            # dark base plinth with a blue light strip
            L.polygon(
                cam.poly(
                    [
                        (xi, FLOOR - 0.18, z0),
                        (xi, FLOOR - 0.18, z1),
                        (xi, FLOOR, z1),
                        (xi, FLOOR, z0),
                    ]
                ),
                fogged("#5c6f9e", z0, haze, fd),
            )
            L.polygon(
                cam.poly(
                    [
                        (xi, FLOOR - 0.22, z0 + 0.05),
                        (xi, FLOOR - 0.22, z1 - 0.05),
                        (xi, FLOOR - 0.18, z1 - 0.05),
                        (xi, FLOOR - 0.18, z0 + 0.05),
                    ]
                ),
                fogged("#5fe0ff", z0, haze, fd * 2),
            )
            # window / screen
            sz0, sz1 = z0 + length * 0.18, z0 + length * 0.55
            L.polygon(
                cam.poly(
                    [
                        (xi, top + 0.35, sz0),
                        (xi, top + 0.35, sz1),
                        (xi, top + 0.85, sz1),
                        (xi, top + 0.85, sz0),
                    ]
                ),
                fogged("#2c6fd6", z0, haze, fd),
            )
            L.polygon(
                cam.poly(
                    [
                        (xi, top + 0.40, sz0 + 0.05),
                        (xi, top + 0.40, sz1 - 0.05),
                        (xi, top + 0.80, sz1 - 0.05),
                        (xi, top + 0.80, sz0 + 0.05),
                    ]
                ),
                fogged("#7fe7ff", z0, haze, fd * 1.5),
            )
            # panel seams
            for k in (0.62, 0.82):
                zz = z0 + length * k
                L.line(
                    [cam.p(xi, top + 0.1, zz), cam.p(xi, FLOOR - 0.25, zz)],
                    fogged("#9fb2d8", z0, haze, fd),
                    max(1, cam.px(0.025, zz)),
                )
            # status light tower
            lz = z0 + length * 0.9
            L.line(
                [cam.p(xi, top, lz), cam.p(xi, top - 0.35, lz)],
                fogged("#c9d6ee", z0, haze, fd),
                max(1, cam.px(0.04, lz)),
            )
            for k, col in enumerate(["#ff6b6b", "#ffd25f", "#5dff9c"]):
                yy = top - 0.30 + k * 0.09
                L.line(
                    [cam.p(xi, yy, lz), cam.p(xi, yy + 0.07, lz)],
                    rgba(col),
                    max(1.5, cam.px(0.07, lz)),
                )
    c.comp(refl, opacity=0.35, blur_px=2.0)
    c.comp(lay)
    # overhead transport rail with wafer pods
    lay = c.layer()
    for sgn in (-1, 1):
        xr = 1.0 * sgn
        lay.polygon(
            cam.poly(
                [
                    (xr - 0.06, CEIL + 0.33, 1.5),
                    (xr + 0.06, CEIL + 0.33, 1.5),
                    (xr + 0.06, CEIL + 0.33, ZF),
                    (xr - 0.06, CEIL + 0.33, ZF),
                ]
            ),
            rgba("#cfdbf5"),
        )
        lay.polygon(
            cam.poly(
                [
                    (xr - 0.06, CEIL + 0.33, 1.5),
                    (xr - 0.06, CEIL + 0.40, 1.5),
                    (xr - 0.06, CEIL + 0.40, ZF),
                    (xr - 0.06, CEIL + 0.33, ZF),
                ]
            ),
            rgba("#9fb0d6"),
        )
        z = 3.0 + rng.uniform(0, 3)
        while z < 60:
            q = [
                (xr - 0.18, CEIL + 0.45, z),
                (xr + 0.18, CEIL + 0.45, z),
                (xr + 0.18, CEIL + 0.85, z),
                (xr - 0.18, CEIL + 0.85, z),
            ]
            lay.polygon(cam.poly(q), fogged("#eef3ff", z, haze, fd))
            lay.line(
                [cam.p(xr, CEIL + 0.35, z), cam.p(xr, CEIL + 0.45, z)],
                fogged("#cfdbf5", z, haze, fd),
                cam.px(0.05, z),
            )
            z += rng.uniform(5, 11)
    c.comp(lay)
    # engineers in clean suits
    lay = c.layer()
    for X, Z, turn in [(0.45, 5.5, 1), (-0.45, 13.0, -1)]:
        fx, fy = cam.p(X, FLOOR, Z)
        s = cam.px(1.0, Z)  # pixels per metre
        col = fogged("#f4f7ff", Z, haze, fd * 1.5)
        shade = fogged("#c3cfea", Z, haze, fd * 1.5)
        # legs, body, arms, hood (bunny suit)
        lay.rect((fx - 0.21 * s, fy - 0.90 * s, fx - 0.015 * s, fy), shade, radius=0.06 * s)
        lay.rect((fx + 0.015 * s, fy - 0.90 * s, fx + 0.21 * s, fy), col, radius=0.06 * s)
        lay.rect(
            (fx - 0.36 * s, fy - 1.42 * s, fx - 0.20 * s, fy - 0.80 * s), shade, radius=0.07 * s
        )
        lay.rect(
            (fx + 0.20 * s, fy - 1.42 * s, fx + 0.36 * s, fy - 0.80 * s), shade, radius=0.07 * s
        )
        lay.rect((fx - 0.27 * s, fy - 1.50 * s, fx + 0.27 * s, fy - 0.78 * s), col, radius=0.12 * s)
        lay.ellipse((fx - 0.15 * s, fy - 1.82 * s, fx + 0.15 * s, fy - 1.44 * s), col)
        vx = fx + 0.03 * s * turn
        lay.rect(
            (vx - 0.10 * s, fy - 1.67 * s, vx + 0.10 * s, fy - 1.57 * s),
            rgba("#1d3f86"),
            radius=0.03 * s,
        )
    c.comp(lay)
    # bloom from the screens and ceiling
    c.screen(c.glow(cam.cx, cam.cy, 520, 1.4), C("#9fc2ff"), 0.45)
    c.screen(c.glow(cam.cx, cam.cy - 120, 220, 1.6), C("#ffffff"), 0.3)
    return c.finish(grain=2.2, vignette=0.3, vignette_color="#060c24")


def scene_chip_macro():
    """Top-down chip package with circuit traces (supply chain / semiconductors)."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=106)
    rng = c.rng
    cx, cy = w * 0.5, h * 0.5
    r = np.sqrt(((c.x - cx) / w) ** 2 + ((c.y - cy) / w) ** 2)
    c.img[...] = grad_field(r, [(0, "#10264a"), (0.45, "#081431"), (0.8, "#040a1c")])
    # faint board grid
    lay = c.layer()
    for gx in range(0, w, 40):
        for gy in range(0, h, 40):
            lay.circle(gx + 20, gy + 20, 1.6, rgba("#2a4a7a", 0.6))
    c.comp(lay)
    half = 290
    pins = 14
    # traces
    traces = c.layer()
    pulses = c.layer()
    vias = c.layer()
    tc = rgba("#2bd4c6")
    for side in range(4):
        for i in range(pins):
            off = -half + (i + 0.5) * (2 * half / pins)
            # start point just outside the pins, direction outward
            if side == 0:
                p, d, n = (cx + off, cy - half - 40), (0, -1), (1, 0)
            elif side == 1:
                p, d, n = (cx + half + 40, cy + off), (1, 0), (0, 1)
            elif side == 2:
                p, d, n = (cx + off, cy + half + 40), (0, 1), (-1, 0)
            else:
                p, d, n = (cx - half - 40, cy + off), (-1, 0), (0, -1)
            pts = [p]
            spread = off / half
            L1 = rng.uniform(30, 140)
            q = (p[0] + d[0] * L1, p[1] + d[1] * L1)
            pts.append(q)
            diag = rng.uniform(40, 220) * spread
            q2 = (q[0] + d[0] * abs(diag) + n[0] * diag, q[1] + d[1] * abs(diag) + n[1] * diag)
            pts.append(q2)
            L3 = rng.uniform(120, 700)
            q3 = (q2[0] + d[0] * L3, q2[1] + d[1] * L3)
            pts.append(q3)
            if rng.uniform() < 0.4:
                t = rng.choice([-1, 1]) * rng.uniform(40, 160)
                q4 = (q3[0] + d[0] * abs(t) + n[0] * t, q3[1] + d[1] * abs(t) + n[1] * t)
                pts.append(q4)
            traces.line(pts, tc, 3.0)
            ex, ey = pts[-1]
            vias.circle(ex, ey, 9, rgba("#2bd4c6"))
            vias.circle(ex, ey, 4.5, rgba("#081431"))
            if rng.uniform() < 0.35:
                a, b = pts[-2], pts[-1]
                t0 = rng.uniform(0.1, 0.6)
                pa = (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0)
                pb = (a[0] + (b[0] - a[0]) * (t0 + 0.25), a[1] + (b[1] - a[1]) * (t0 + 0.25))
                pulses.line([pa, pb], rgba("#eafffb"), 4.5)
    # glow under traces
    c.comp(traces, opacity=0.9, blur_px=6)
    c.comp(traces)
    c.comp(vias)
    c.comp(pulses, blur_px=3)
    c.comp(pulses)
    # package shadow and body
    lay = c.layer()
    lay.rect(
        (cx - half + 30, cy - half + 50, cx + half + 30, cy + half + 50),
        rgba("#000000", 0.7),
        radius=30,
    )
    c.comp(lay, blur_px=30)
    lay = c.layer()
    for side in range(4):
        for i in range(pins):
            off = -half + (i + 0.5) * (2 * half / pins)
            pw, pl = 9, 44
            if side == 0:
                box = (cx + off - pw, cy - half - pl, cx + off + pw, cy - half + 6)
            elif side == 1:
                box = (cx + half - 6, cy + off - pw, cx + half + pl, cy + off + pw)
            elif side == 2:
                box = (cx + off - pw, cy + half - 6, cx + off + pw, cy + half + pl)
            else:
                box = (cx - half - pl, cy + off - pw, cx - half + 6, cy + off + pw)
            lay.rect(box, rgba("#e9c46a"), radius=3)
    c.comp(lay)
    body = c.mask_of(
        lambda ly: ly.rect(
            (cx - half, cy - half, cx + half, cy + half), (255, 255, 255, 255), radius=26
        )
    )
    t = ((c.x - (cx - half)) + (c.y - (cy - half))) / (4 * half)
    c.paint(body, grad_field(t, [(0, "#3a4256"), (0.5, "#232a3b"), (1, "#161b28")]))
    lay = c.layer()
    lay.rect(
        (cx - half + 10, cy - half + 10, cx + half - 10, cy + half - 10), rgba("#2e3649"), radius=20
    )
    lay.rect(
        (cx - half + 16, cy - half + 16, cx + half - 16, cy + half - 16), rgba("#262d3f"), radius=16
    )
    lay.circle(cx - half + 50, cy - half + 50, 12, rgba("#3c465e"))
    c.comp(lay)
    # die with iridescent gradient and circuitry
    dh = 165
    die = c.mask_of(
        lambda ly: ly.rect((cx - dh, cy - dh, cx + dh, cy + dh), (255, 255, 255, 255), radius=8)
    )
    t = ((c.x - (cx - dh)) * 0.7 + (c.y - (cy - dh)) * 0.3) / (2 * dh)
    c.paint(
        die, grad_field(t, [(0, "#3b2f8f"), (0.35, "#2a67c9"), (0.7, "#27b8c8"), (1, "#7be3b8")])
    )
    lay = c.layer()
    for k in range(12):
        y = cy - dh + 20 + k * (2 * dh - 40) / 11
        x0 = cx - dh + 20 + rng.uniform(0, 60)
        x1 = cx + dh - 20 - rng.uniform(0, 60)
        lay.line([(x0, y), (x1, y)], rgba("#d8f6ff", 0.35), 1.5)
    for k in range(9):
        x = cx - dh + 30 + k * (2 * dh - 60) / 8
        lay.line([(x, cy - dh + 20), (x, cy + dh - 20)], rgba("#d8f6ff", 0.22), 1.2)
    for _ in range(6):
        bx = cx - dh + rng.uniform(30, 2 * dh - 110)
        by = cy - dh + rng.uniform(30, 2 * dh - 90)
        lay.rect(
            (bx, by, bx + rng.uniform(40, 80), by + rng.uniform(30, 60)),
            rgba("#ffffff", 0.12),
            radius=3,
        )
    c.comp(lay)
    c.screen(c.glow(cx - dh * 0.4, cy - dh * 0.5, 160), C("#ffffff"), 0.18)
    c.screen(c.glow(cx, cy, 700, 1.5), C("#1f6f9a"), 0.25)
    return c.finish(grain=2.0, vignette=0.3, vignette_color="#02050f")


def shade_col(col, k):
    return np.clip(C(col) * k, 0, 255)


def box_faces(cam: Proj, x0, x1, y0, y1, z0, z1):
    """Visible faces of an axis-aligned box (y0 = top, smaller Y is higher).

    Returns [(polygon, kind)] with kind in top/front/side.
    """
    out = []
    if y0 > 0:  # camera above the top face
        out.append((cam.poly([(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)]), "top"))
    out.append((cam.poly([(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)]), "front"))
    if x1 < 0:
        out.append((cam.poly([(x1, y0, z0), (x1, y0, z1), (x1, y1, z1), (x1, y1, z0)]), "side"))
    elif x0 > 0:
        out.append((cam.poly([(x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)]), "side"))
    return out


def scene_port_cranes():
    """Container port with ship-to-shore cranes."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=107)
    rng = c.rng
    cam = Proj(1000, w * 0.64, h * 0.40)
    haze, fd = "#d9e6ef", 420.0
    yh = cam.cy
    c.fill(
        c.vgrad(
            [
                (0, "#5f9fd4"),
                (0.22, "#9cc7e6"),
                (0.38, "#f3e4cf"),
                (0.40, "#ffe2bd"),
                (0.401, "#9cc3d6"),
                (1, "#2f6e98"),
            ]
        )
    )
    c.screen(c.glow(w * 0.12, yh - 140, 520, 1.4), C("#ffe6b8"), 0.7)
    c.paint(c.disc(w * 0.12, yh - 140, 52), C("#fff8e8"))
    lay = c.layer()
    for cx_, cy_, cw in [
        (w * 0.36, h * 0.10, 380),
        (w * 0.78, h * 0.16, 300),
        (w * 0.55, h * 0.27, 240),
    ]:
        cloud(lay, cx_, cy_, cw, 46, rgba("#ffffff", 0.8), rng)
    c.comp(lay)
    # distant coast
    xs = c.xs()
    coast = yh - 8 - np.abs(wave(xs, rng, 40, 700, 3)) * np.exp(-(((xs - w * 0.2) / 500) ** 2))
    c.paint(c.below(coast) * (c.y <= yh + 1), C("#a9bfcc"))
    # sea sparkle
    lay = c.layer()
    for _i in range(160):
        t = rng.uniform(0, 1) ** 1.5
        y = yh + 4 + (h - yh) * t
        x = rng.uniform(0, w * 0.75)
        L = rng.uniform(20, 120) * (0.3 + 2 * t)
        lay.rect((x, y, x + L, y + 1 + 3 * t), rgba("#e6f3fb", 0.35), radius=2)
    c.comp(lay)
    QY, WY, QX = 30.0, 33.0, -4.0
    lay = c.layer()
    # quay apron (concrete) and its edge
    lay.polygon(
        cam.poly([(QX, QY, 3), (400, QY, 3), (400, QY, 3000), (QX, QY, 3000)]), rgba("#c9c3b8")
    )
    lay.polygon(
        cam.poly([(QX, QY, 3), (QX, QY, 3000), (QX, WY, 3000), (QX, WY, 3)]), rgba("#8b8479")
    )
    # yellow safety line and rails
    for xr, col, wd in [(-3.0, "#f2c14e", 0.35), (-2.0, "#7c766c", 0.25), (14.0, "#7c766c", 0.25)]:
        lay.polygon(
            cam.poly([(xr, QY, 3), (xr + wd, QY, 3), (xr + wd, QY, 3000), (xr, QY, 3000)]),
            rgba(col),
        )
    c.comp(lay)
    c.paint(smoothstep(yh, yh + 120, c.y) * (1 - smoothstep(yh + 120, yh + 600, c.y)) * 0, C(haze))

    palette = [
        "#d9534f",
        "#2f7fb6",
        "#f0a43a",
        "#3aa17e",
        "#ece6da",
        "#7b5ea7",
        "#1f4e79",
        "#c0392b",
        "#e67e22",
        "#16a085",
    ]
    items = []  # (sort_key, kind, data)
    # ship
    SX0, SX1, SZ0, SZ1, DECK = -36.0, -8.0, 62.0, 290.0, 18.0
    items.append((SZ1 + 50, "ship", None))
    # containers on the ship
    z = SZ0 + 3
    while z < SZ1 - 40:
        base_t = rng.integers(3, 7)
        for r in range(11):
            x0 = SX0 + 0.6 + r * 2.5
            tiers = int(np.clip(base_t + rng.integers(-1, 2) - (1 if r in (0, 10) else 0), 1, 7))
            for t in range(tiers):
                items.append(
                    (
                        z + 0.001 * (20 - r) - 0.00001 * t,
                        "box",
                        (
                            x0,
                            x0 + 2.44,
                            DECK - 2.6 * (t + 1),
                            DECK - 2.6 * t,
                            z,
                            z + 12.2,
                            palette[rng.integers(len(palette))],
                        ),
                    )
                )
        z += 13.0
    # yard stacks on the quay (right of the cranes)
    for zb in np.arange(24, 330, 6.6):
        for r in range(18):
            x0 = 22 + r * 2.6 + (r // 6) * 4.0
            tiers = int(rng.integers(1, 5))
            for t in range(tiers):
                items.append(
                    (
                        zb - 0.001 * r - 0.00001 * t,
                        "box",
                        (
                            x0,
                            x0 + 2.44,
                            QY - 2.6 * (t + 1),
                            QY - 2.6 * t,
                            zb,
                            zb + 6.1,
                            palette[rng.integers(len(palette))],
                        ),
                    )
                )
    # cranes
    for zc in (78.0, 122.0, 166.0, 210.0):
        items.append((zc - 8, "crane", zc))
    items.sort(key=lambda it: -it[0])
    lay = c.layer()
    crane_col = "#e4572e"
    for _key, kind, data in items:
        if kind == "ship":
            # hull side, bow wedge, deck, superstructure
            bz = SZ0 - 14
            lay.polygon(
                cam.poly(
                    [
                        (SX0, DECK, SZ0),
                        (SX0 + 14, DECK, bz),
                        (SX1, DECK, SZ0),
                        (SX1, DECK, SZ1),
                        (SX0, DECK, SZ1),
                    ]
                ),
                fogged("#55657a", SZ0, haze, fd),
            )
            lay.polygon(
                cam.poly([(SX1, DECK, SZ0), (SX1, DECK, SZ1), (SX1, WY, SZ1), (SX1, WY, SZ0)]),
                fogged("#1f3a5f", SZ0, haze, fd),
            )
            lay.polygon(
                cam.poly(
                    [(SX1, DECK, SZ0), (SX0 + 14, DECK, bz), (SX0 + 14, WY, bz + 4), (SX1, WY, SZ0)]
                ),
                fogged("#2b4a72", SZ0, haze, fd),
            )
            lay.polygon(
                cam.poly([(SX1, WY - 3, SZ0), (SX1, WY - 3, SZ1), (SX1, WY, SZ1), (SX1, WY, SZ0)]),
                fogged("#b4473d", SZ0, haze, fd),
            )
            lay.polygon(
                cam.poly(
                    [
                        (SX1, WY - 3, SZ0),
                        (SX0 + 14, WY - 2.4, bz + 3.3),
                        (SX0 + 14, WY, bz + 4),
                        (SX1, WY, SZ0),
                    ]
                ),
                fogged("#9e3b33", SZ0, haze, fd),
            )
            lay.polygon(
                cam.poly(
                    [
                        (SX1, DECK, SZ0),
                        (SX1, DECK, SZ1),
                        (SX1, DECK + 0.8, SZ1),
                        (SX1, DECK + 0.8, SZ0),
                    ]
                ),
                fogged("#e8edf2", SZ0, haze, fd),
            )
            # bridge tower near the stern
            for poly, kd in box_faces(cam, SX0 + 2, SX1 - 2, DECK - 26, DECK, SZ1 - 30, SZ1 - 18):
                k = {"top": 1.05, "front": 0.85, "side": 0.97}[kd]
                lay.polygon(poly, fogged(shade_col("#f2f4f7", k), SZ1 - 30, haze, fd))
            for yy in (DECK - 24, DECK - 21):
                lay.polygon(
                    cam.poly(
                        [
                            (SX0 + 3, yy, SZ1 - 30.01),
                            (SX1 - 3, yy, SZ1 - 30.01),
                            (SX1 - 3, yy + 1.4, SZ1 - 30.01),
                            (SX0 + 3, yy + 1.4, SZ1 - 30.01),
                        ]
                    ),
                    fogged("#34506e", SZ1 - 30, haze, fd),
                )
        elif kind == "box":
            x0, x1, y0, y1, z0, z1, col = data
            for poly, kd in box_faces(cam, x0, x1, y0, y1, z0, z1):
                k = {"top": 1.08, "front": 0.78, "side": 0.94}[kd]
                lay.polygon(poly, fogged(shade_col(col, k), z0, haze, fd))
            # ribs on the visible long side
            if z0 < 120:
                xs_ = x1 if x1 < 0 else x0
                for kz in np.linspace(z0 + 0.8, z1 - 0.8, 6 if z1 - z0 > 8 else 3):
                    lay.line(
                        [cam.p(xs_, y0 + 0.2, kz), cam.p(xs_, y1 - 0.2, kz)],
                        fogged(shade_col(col, 0.8), z0, haze, fd),
                        max(1, cam.px(0.12, kz)),
                    )
        elif kind == "crane":
            zc = data
            for zf in (zc + 7, zc - 7):
                col = fogged(crane_col, zf, haze, fd)

                def W(m, zf=zf):
                    return max(1.5, cam.px(m, zf))

                def P(X, Y, zf=zf):
                    return cam.p(X, Y, zf)

                # legs and portal beam
                lay.polygon(
                    cam.poly([(-2.6, QY, zf), (-1.0, QY, zf), (-1.0, -12, zf), (-2.6, -12, zf)]),
                    col,
                )
                lay.polygon(
                    cam.poly([(13.4, QY, zf), (15.0, QY, zf), (15.0, -12, zf), (13.4, -12, zf)]),
                    col,
                )
                lay.polygon(
                    cam.poly([(-2.6, 4, zf), (15.0, 4, zf), (15.0, 6, zf), (-2.6, 6, zf)]), col
                )
                # diagonal brace
                lay.line([P(-1.5, 6), P(14, -11)], col, W(0.5))
                # boom
                lay.polygon(
                    cam.poly([(-52, -12, zf), (30, -12, zf), (30, -14.2, zf), (-50, -14.2, zf)]),
                    col,
                )
                # A-frame and stays
                lay.line([P(-1.8, -13), P(7, -34)], col, W(0.9))
                lay.line([P(14.2, -13), P(9, -34)], col, W(0.9))
                lay.line([P(8, -34), P(-51, -13.5)], col, W(0.35))
                lay.line([P(8, -34), P(-24, -13.5)], col, W(0.35))
                lay.line([P(8, -34), P(29, -13.5)], col, W(0.35))
                # machinery house
                lay.polygon(
                    cam.poly([(16, -14.2, zf), (28, -14.2, zf), (28, -19, zf), (16, -19, zf)]),
                    fogged("#f3f1ec", zf, haze, fd),
                )
            col = fogged(crane_col, zc, haze, fd)
            for X, Y in [(-1.8, -12.5), (14.2, -12.5), (-1.8, 5), (14.2, 5), (8, -34)]:
                lay.line([cam.p(X, Y, zc + 7), cam.p(X, Y, zc - 7)], col, max(1.5, cam.px(0.8, zc)))
            # trolley, cables and spreader
            tx_ = -20 - 8 * ((zc // 48) % 2)
            lay.polygon(
                cam.poly(
                    [
                        (tx_ - 2, -12, zc - 3),
                        (tx_ + 2, -12, zc - 3),
                        (tx_ + 2, -10.5, zc - 3),
                        (tx_ - 2, -10.5, zc - 3),
                    ]
                ),
                fogged("#f3f1ec", zc, haze, fd),
            )
            lay.line(
                [cam.p(tx_, -10.5, zc), cam.p(tx_, 6, zc)],
                fogged("#333333", zc, haze, fd),
                max(1, cam.px(0.1, zc)),
            )
            lay.polygon(
                cam.poly(
                    [
                        (tx_ - 1.4, 6, zc - 6),
                        (tx_ + 1.4, 6, zc - 6),
                        (tx_ + 1.4, 7, zc - 6),
                        (tx_ - 1.4, 7, zc - 6),
                    ]
                ),
                fogged("#f2c14e", zc, haze, fd),
            )
    c.comp(lay)
    # atmospheric haze near the horizon
    c.paint(np.exp(-np.abs(c.y - yh) / 60.0), C("#f1ebe2"), 0.35)
    return c.finish(grain=1.8, vignette=0.18, vignette_color="#1c3550")


def person_bust(lay: Layer, x, y, s, fill, kind=0):
    """Audience silhouette: (x, y) = top of shoulders centre, s = scale."""
    lay.rect((x - 0.95 * s, y, x + 0.95 * s, y + 2.2 * s), fill, radius=0.6 * s)
    lay.rect((x - 0.22 * s, y - 0.35 * s, x + 0.22 * s, y + 0.2 * s), fill)
    lay.ellipse((x - 0.42 * s, y - 1.35 * s, x + 0.42 * s, y - 0.2 * s), fill)
    if kind == 1:  # bun
        lay.circle(x + 0.05 * s, y - 1.38 * s, 0.24 * s, fill)
    elif kind == 2:  # long hair
        lay.rect((x - 0.48 * s, y - 1.0 * s, x + 0.48 * s, y + 0.35 * s), fill, radius=0.35 * s)
    elif kind == 3:  # raised hand
        lay.line(
            [(x + 0.75 * s, y + 0.4 * s), (x + 1.05 * s, y - 1.1 * s), (x + 1.1 * s, y - 1.7 * s)],
            fill,
            0.32 * s,
        )
        lay.ellipse((x + 0.92 * s, y - 2.0 * s, x + 1.28 * s, y - 1.55 * s), fill)


def scene_conference_hall():
    """International conference hall: stage, big screen, audience silhouettes."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=108)
    rng = c.rng
    c.fill(c.vgrad([(0, "#0a0f2c"), (0.5, "#18205a"), (0.62, "#231e5e"), (1, "#07091c")]))
    # back wall panels
    lay = c.layer()
    for i in range(14):
        x = i * w / 14
        lay.rect((x + 6, h * 0.05, x + w / 14 - 6, h * 0.60), rgba("#1c2566"), radius=8)
    c.comp(lay, opacity=0.7)
    # screen
    sx0, sy0, sx1, sy1 = w * 0.22, h * 0.12, w * 0.78, h * 0.50
    c.screen(c.glow(w * 0.5, h * 0.31, 900, 1.6), C("#3a6bd8"), 0.55)
    scr = c.mask_of(lambda ly: ly.rect((sx0, sy0, sx1, sy1), (255, 255, 255, 255), radius=10))
    t = (c.x - sx0) / (sx1 - sx0) * 0.6 + (c.y - sy0) / (sy1 - sy0) * 0.4
    c.paint(scr, grad_field(t, [(0, "#1b3fae"), (0.5, "#2a7de1"), (1, "#29c1c9")]))
    # globe on the screen
    gx, gy, gr = w * 0.36, h * 0.31, 190
    c.paint(c.disc(gx, gy, gr), C("#8fd0ff"), 0.18)
    lay = c.layer()
    lay.ellipse((gx - gr, gy - gr, gx + gr, gy + gr), rgba("#000000", 0))
    for k in range(-2, 3):
        ew = gr * abs(math.cos(k * math.pi / 6))
        lay.arc((gx - ew, gy - gr, gx + ew, gy + gr), 0, 360, rgba("#dff3ff", 0.7), 2.5)
    for k in range(-2, 3):
        yy = gy + gr * math.sin(k * math.pi / 6)
        hw = gr * math.cos(k * math.pi / 6)
        lay.line([(gx - hw, yy), (gx + hw, yy)], rgba("#dff3ff", 0.7), 2.5)
    lay.arc((gx - gr, gy - gr, gx + gr, gy + gr), 0, 360, rgba("#ffffff", 0.95), 4)
    # arcs linking points
    pts = [(gx - 80, gy - 60), (gx + 110, gy - 90), (gx + 60, gy + 90), (gx - 120, gy + 60)]
    for a, b in [(0, 1), (1, 2), (0, 2), (2, 3)]:
        p0, p1 = np.array(pts[a]), np.array(pts[b])
        mid = (p0 + p1) / 2 + np.array([0, -70])
        lay.line([tuple(q) for q in bezier(p0, mid, p1, 30)], rgba("#ffd37a"), 3.5)
    for p_ in pts:
        lay.circle(p_[0], p_[1], 9, rgba("#ffd37a"))
    # abstract headline bars
    for k, (ww, hh) in enumerate([(520, 34), (430, 34), (300, 18), (360, 18), (250, 18)]):
        yy = sy0 + 120 + k * 62 + (30 if k > 1 else 0)
        lay.rect(
            (w * 0.52, yy, w * 0.52 + ww, yy + hh),
            rgba("#ffffff", 0.92 if k < 2 else 0.55),
            radius=hh / 2,
        )
    c.comp(lay)
    # stage
    st = h * 0.60
    lay = c.layer()
    lay.polygon(
        [(w * 0.06, st), (w * 0.94, st), (w * 1.02, h * 0.68), (-w * 0.02, h * 0.68)],
        rgba("#2a2f6e"),
    )
    lay.rect((-w * 0.02, h * 0.68, w * 1.02, h * 0.72), rgba("#141a48"))
    lay.rect((-w * 0.02, h * 0.68, w * 1.02, h * 0.684), rgba("#5fe0ff"))
    # flags on poles (abstract two- and three-band designs)
    flag_sets = [
        ("#d9534f", "#f4f1e8"),
        ("#2f7fb6", "#f2c14e"),
        ("#3aa17e", "#f4f1e8"),
        ("#7b5ea7", "#f2c14e"),
        ("#f0a43a", "#2f7fb6"),
        ("#c0392b", "#f2c14e"),
        ("#16a085", "#ece6da"),
        ("#1f4e79", "#e67e22"),
    ]
    for i, (a, b) in enumerate(flag_sets):
        fx = w * (0.10 + 0.035 * i) if i < 4 else w * (0.795 + 0.035 * (i - 4))
        lay.line([(fx, st + 4), (fx, st - 230)], rgba("#c8cbe0"), 4)
        lay.rect((fx + 2, st - 228, fx + 52, st - 194), rgba(a))
        # generic delegation pennants: solid colour + a simple mark
        mk = i % 3
        if mk == 0:
            lay.circle(fx + 27, st - 211, 8, rgba(b))
        elif mk == 1:
            lay.polygon([(fx + 2, st - 228), (fx + 22, st - 211), (fx + 2, st - 194)], rgba(b))
        else:
            lay.rect((fx + 2, st - 228, fx + 14, st - 194), rgba(b))
    # podium and speaker
    px_ = w * 0.25
    person_bust(lay, px_ - 10, st - 150, 46, rgba("#0e1236"), 0)
    lay.polygon(
        [(px_ - 60, st + 40), (px_ + 60, st + 40), (px_ + 50, st - 90), (px_ - 50, st - 90)],
        rgba("#eef1ff"),
    )
    lay.rect((px_ - 50, st - 60, px_ + 50, st - 52), rgba("#5fe0ff"))
    # panel table
    lay.rect((w * 0.56, st - 40, w * 0.86, st + 30), rgba("#eef1ff"), radius=6)
    for k in range(4):
        person_bust(lay, w * (0.59 + 0.08 * k), st - 96, 36, rgba("#0e1236"), k % 3)
    lay.rect((w * 0.56, st - 40, w * 0.86, st + 30), rgba("#eef1ff"), radius=6)
    lay.rect((w * 0.56, st - 4, w * 0.86, st + 2), rgba("#5fe0ff"))
    c.comp(lay)
    # spotlight beams
    lay = c.layer()
    for bx, tx_ in [(w * 0.12, px_), (w * 0.88, w * 0.71), (w * 0.5, w * 0.5)]:
        lay.polygon(
            [(bx - 12, -10), (bx + 12, -10), (tx_ + 140, st + 40), (tx_ - 140, st + 40)],
            rgba("#bcd3ff", 0.14),
        )
    c.comp(lay, blur_px=10)
    # audience rows (far to near), rim-lit by the screen
    rows = [(h * 0.80, 44), (h * 0.88, 58), (h * 0.97, 76), (h * 1.08, 98)]
    for ri, (y, s) in enumerate(rows):
        rim, body = c.layer(), c.layer()
        x = -s + (ri % 2) * s * 1.1
        while x < w + s:
            kind = rng.choice([0, 0, 1, 2, 2, 3], p=[0.3, 0.15, 0.15, 0.15, 0.15, 0.1])
            yy = y + rng.uniform(-s * 0.15, s * 0.15)
            person_bust(rim, x, yy, s, rgba("#8fb6ff"), kind)
            person_bust(body, x + s * 0.03, yy + s * 0.07, s, rgba("#05071a"), kind)
            if rng.uniform() < 0.08:  # phone screen
                body.rect(
                    (x + 0.3 * s, yy + 0.3 * s, x + 0.62 * s, yy + 0.85 * s),
                    rgba("#cfe8ff"),
                    radius=4,
                )
            x += s * rng.uniform(2.0, 2.5)
        c.comp(rim, opacity=0.6 - 0.1 * ri)
        c.comp(body)
    c.screen(c.glow(w * 0.5, h * 0.31, 420, 2.0), C("#7fb2ff"), 0.15)
    return c.finish(grain=2.2, vignette=0.3, vignette_color="#02030c")


def shift(a: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate a 2-D array by (dy, dx) pixels, filling with zeros (no wrap-around)."""
    out = np.zeros_like(a)
    H, W = a.shape[:2]
    ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
    xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
    out[yd, xd] = a[ys, xs]
    return out


def ell(c: Canvas, cx, cy, rx, ry):
    d = np.sqrt(((c.x - cx) / rx) ** 2 + ((c.y - cy) / ry) ** 2)
    return np.clip((1 - d) * min(rx, ry) * SS + 0.5, 0, 1)


def face_features(c: Canvas, hx: float, hy: float, P: dict, kind: str) -> None:
    """Eyes, brows, nose and a smile: a friendly illustrated face (no real person)."""
    lay = c.layer()
    dark = rgba("#1b1214")
    ey = hy + (34 if kind == "engineer" else 22)
    dx = 95 if kind == "engineer" else 82
    for sgn in (-1, 1):
        ex = hx + sgn * dx
        lay.ellipse((ex - 30, ey - 17, ex + 30, ey + 17), rgba("#fbf7f2"))
        lay.circle(ex + 3, ey + 1, 14, rgba("#3a2318"))
        lay.circle(ex + 3, ey + 1, 7, dark)
        lay.circle(ex + 8, ey - 5, 4, rgba("#ffffff"))
        if kind != "engineer":
            by = ey - 52
            lay.line([(ex - 36, by + 8), (ex, by - 4), (ex + 36, by + 6)], rgba(P["hair"]), 11)
    # nose: a soft shadow on the shaded side and a small tip
    lay.line([(hx + 6, ey + 30), (hx + 16, ey + 88), (hx - 4, ey + 100)], rgba(P["skin_sh"]), 9)
    # smile
    my = ey + 150
    lay.arc((hx - 62, my - 40, hx + 62, my + 26), 20, 160, rgba("#8c3b36"), 12)
    lay.arc((hx - 46, my - 18, hx + 46, my + 24), 30, 150, rgba("#b65a4f", 0.6), 6)
    # cheeks
    for sgn in (-1, 1):
        lay.circle(hx + sgn * 120, ey + 96, 34, rgba("#e07a6a", 0.22))
    c.comp(lay)


def portrait(kind: str, seed: int):
    """Stylised head-and-shoulders portrait on a warm gradient (an illustrated face).

    The head (with hair) spans about [0.35, 0.25, 0.30, 0.29] of the picture: the sample
    stories give that as `person.subject`, since a face detector looks for photographs.
    """
    w, h = 1600, 2000
    c = Canvas(w, h, seed=seed)
    rng = c.rng
    cx = w * 0.5
    P = {
        "founder": dict(
            bg=("#ffc46b", "#f2613f"),
            disc="#ffe0a3",
            skin="#c4845f",
            skin_sh="#a7694b",
            hair="#2b1d1a",
            cloth="#2f6b4f",
            cloth_sh="#24543e",
            accent="#f6efe0",
            rim="#fff0c9",
        ),
        "engineer": dict(
            bg=("#ff9a6b", "#c2457a"),
            disc="#ffc7a6",
            skin="#d29a78",
            skin_sh="#b47d5e",
            hair="#1f1618",
            cloth="#243a6b",
            cloth_sh="#1b2c52",
            accent="#5fd6e0",
            rim="#ffe3d0",
        ),
        "student": dict(
            bg=("#ffd08a", "#f2727f"),
            disc="#ffe6b8",
            skin="#dca683",
            skin_sh="#bf8a69",
            hair="#2a1b1e",
            cloth="#1f5f6b",
            cloth_sh="#174b55",
            accent="#f7f2ea",
            rim="#fff1dc",
        ),
    }[kind]
    t = (c.x / w) * 0.35 + (c.y / h) * 0.65
    c.img[...] = grad_field(t, [(0, P["bg"][0]), (1, P["bg"][1])])
    hx, hy, rx, ry = cx, 800.0, 196.0, 250.0
    c.paint(c.disc(hx + 40, hy + 40, 560), C(P["disc"]), 0.55)
    c.paint(c.disc(hx + 40, hy + 40, 430), C(P["disc"]), 0.45)
    # background motifs
    lay = c.layer()
    light = rgba(P["rim"], 0.55)
    if kind == "founder":
        # rice stalks / leaves sweeping up from the corners
        for side in (-1, 1):
            for k in range(7):
                bx = cx + side * (560 + k * 40)
                top = (bx + side * rng.uniform(40, 160), h * rng.uniform(0.18, 0.45))
                ctrl = (bx - side * 80, h * 0.75)
                pts = bezier((bx, h + 20), ctrl, top, 40)
                lay.polygon(taper(pts, 26, 2), light)
    elif kind == "engineer":
        for k in range(16):
            side = -1 if k % 2 else 1
            y0 = 200 + k * 100
            x0 = cx + side * (w * 0.5 + 20)
            x1 = cx + side * rng.uniform(380, 620)
            pts = [(x0, y0), (x1 + side * 60, y0), (x1, y0 + 60 * (1 if k % 3 else -1))]
            lay.line(pts, light, 5)
            lay.circle(pts[-1][0], pts[-1][1], 12, light)
            lay.circle(pts[-1][0], pts[-1][1], 5, rgba(P["bg"][1], 0.9))
    else:
        gx, gy, gr = hx + 40, hy + 40, 640
        for k in range(-3, 4):
            ew = gr * abs(math.cos(k * math.pi / 8))
            lay.arc((gx - ew, gy - gr, gx + ew, gy + gr), 0, 360, light, 4)
        for k in range(-3, 4):
            yy = gy + gr * math.sin(k * math.pi / 8)
            hw = gr * math.cos(k * math.pi / 8)
            lay.line([(gx - hw, yy), (gx + hw, yy)], light, 4)
    c.comp(lay, opacity=0.6)

    # ---- figure ------------------------------------------------------
    torso_pts = np.concatenate(
        [
            [(cx - 700, h + 40)],
            bezier((cx - 690, h * 0.80), (cx - 640, 1250), (cx - 330, 1225), 30),
            [(cx - 120, 1190), (cx + 120, 1190)],
            bezier((cx + 330, 1225), (cx + 640, 1250), (cx + 690, h * 0.80), 30),
            [(cx + 700, h + 40)],
        ]
    )
    torso = c.mask_of(lambda ly: ly.polygon([tuple(q) for q in torso_pts], (255, 255, 255, 255)))
    neck = c.mask_of(
        lambda ly: ly.rect((cx - 98, 950, cx + 98, 1270), (255, 255, 255, 255), radius=40)
    )
    head = ell(c, hx, hy, rx, ry)
    ears = np.maximum(ell(c, hx - rx + 6, hy + 30, 34, 58), ell(c, hx + rx - 6, hy + 30, 34, 58))
    figure = np.maximum.reduce([torso, neck, head, ears])
    # soft drop shadow on the background
    sh = blur(figure, 30 * SS)
    sh = shift(sh, int(30 * SS), int(36 * SS))
    c.paint(sh, C(P["bg"][1]) * 0.55, 0.35)

    # back hair (long hair / bun) goes behind everything
    sil = figure.copy()
    if kind == "student":
        back = c.mask_of(
            lambda ly: ly.rect((hx - 250, 620, hx + 250, 1420), (255, 255, 255, 255), radius=200)
        )
        c.paint(back, C(P["hair"]))
        sil = np.maximum(sil, back)
    if kind == "engineer":
        bun = ell(c, hx + 40, 545, 118, 104)
        c.paint(bun, C(P["hair"]))
        sil = np.maximum(sil, bun)
    c.paint(neck, C(P["skin"]))
    c.paint(neck * smoothstep(1060, 990, c.y), C(P["skin_sh"]))
    c.paint(torso, C(P["cloth"]))
    # clothing details
    lay = c.layer()
    if kind == "founder":
        lay.polygon([(cx - 112, 1195), (cx + 112, 1195), (cx, 1400)], rgba(P["skin"]))
        lay.polygon([(cx - 132, 1180), (cx - 4, 1405), (cx - 205, 1345)], rgba(P["accent"]))
        lay.polygon([(cx + 132, 1180), (cx + 4, 1405), (cx + 205, 1345)], rgba(P["accent"]))
        for k in range(4):
            lay.circle(cx, 1480 + k * 130, 11, rgba(P["cloth_sh"]))
        lay.rect((cx + 260, 1500, cx + 430, 1530), rgba(P["cloth_sh"]), radius=8)  # pocket
    elif kind == "engineer":
        lay.rect((cx - 130, 1170, cx + 130, 1260), rgba(P["cloth_sh"]), radius=40)  # collar
        lay.line([(cx, 1250), (cx, h + 10)], rgba("#95a7c9"), 6)  # zip
        lay.line([(cx - 105, 1225), (cx - 60, 1560)], rgba(P["accent"]), 12)
        lay.line([(cx + 105, 1225), (cx + 60, 1560)], rgba(P["accent"]), 12)
        lay.rect((cx - 90, 1550, cx + 90, 1770), rgba("#f4f6fb"), radius=14)
        lay.rect((cx - 60, 1590, cx + 60, 1640), rgba(P["accent"]), radius=8)
        lay.rect((cx - 60, 1665, cx + 30, 1685), rgba("#b8c2d8"), radius=6)
        lay.rect((cx - 60, 1705, cx + 50, 1725), rgba("#b8c2d8"), radius=6)
    else:
        lay.polygon([(cx - 125, 1195), (cx + 125, 1195), (cx, 1480)], rgba(P["accent"]))  # shirt
        lay.polygon(
            [(cx - 150, 1185), (cx - 10, 1620), (cx - 300, 1390), (cx - 250, 1230)],
            rgba(P["cloth_sh"]),
        )
        lay.polygon(
            [(cx + 150, 1185), (cx + 10, 1620), (cx + 300, 1390), (cx + 250, 1230)],
            rgba(P["cloth_sh"]),
        )
        lay.line([(cx - 95, 1210), (cx - 30, 1600)], rgba("#f2c14e"), 11)
        lay.line([(cx + 95, 1210), (cx + 30, 1600)], rgba("#f2c14e"), 11)
        lay.rect((cx - 80, 1590, cx + 80, 1790), rgba("#ffffff"), radius=14)
        lay.circle(cx, 1660, 38, rgba("#2f7fb6"))
        lay.rect((cx - 55, 1720, cx + 55, 1740), rgba("#c6ccd8"), radius=6)
    c.comp(lay)
    # head + ears with side shading
    c.paint(np.maximum(head, ears), C(P["skin"]))
    side = smoothstep(hx + rx * 0.15, hx + rx * 0.9, c.x)
    c.paint(np.maximum(head, ears) * side, C(P["skin_sh"]), 0.8)
    # hair (front)
    if kind == "founder":
        cap = ell(c, hx + 4, hy - 28, rx * 1.08, ry * 0.98)
        line = np.minimum(hy - 140 + 130 * np.clip(((c.x - hx + 30) / rx) ** 2, 0, 1), hy - 45)
        hair = cap * np.clip((line - c.y) * SS + 0.5, 0, 1)
        hair = np.maximum(hair, ell(c, hx - 30, hy - 200, 200, 95))  # side-parted quiff
        c.paint(hair, C(P["hair"]))
        sil = np.maximum(sil, hair)
    elif kind == "engineer":
        cap = ell(c, hx, hy - 20, rx * 1.06, ry * 1.0)
        line = hy - 150 + 200 * np.clip(((c.x - hx) / rx) ** 2, 0, 1) ** 0.8
        c.paint(cap * np.clip((line - c.y) * SS + 0.5, 0, 1), C(P["hair"]))
        sil = np.maximum(sil, cap * np.clip((line - c.y) * SS + 0.5, 0, 1))
        # glasses
        lay = c.layer()
        for gx0 in (hx - 165, hx + 25):
            lay.rect((gx0, hy - 10, gx0 + 140, hy + 78), rgba("#1c1c2a"), radius=26)
            lay.rect((gx0 + 11, hy + 1, gx0 + 129, hy + 67), rgba(P["skin"]), radius=18)
        lay.line([(hx - 25, hy + 18), (hx + 25, hy + 18)], rgba("#1c1c2a"), 10)
        c.comp(lay)
        c.paint(
            c.mask_of(
                lambda ly: [
                    ly.rect((x0 + 11, hy + 1, x0 + 129, hy + 67), (255, 255, 255, 255), radius=18)
                    for x0 in (hx - 165, hx + 25)
                ]
            ),
            C("#ffffff"),
            0.22,
        )
    else:
        cap = ell(c, hx, hy - 20, rx * 1.10, ry * 1.02)
        fringe = (
            hy
            - 80
            + 40 * np.sin((c.x - hx) / 38.0) * 0.3
            + 120 * np.clip(((c.x - hx) / rx) ** 2, 0, 1)
        )
        c.paint(cap * np.clip((fringe - c.y) * SS + 0.5, 0, 1), C(P["hair"]))
        sil = np.maximum(sil, cap)
        lay = c.layer()
        for sgn in (-1, 1):
            pts = bezier(
                (hx + sgn * 175, hy - 80), (hx + sgn * 250, hy + 250), (hx + sgn * 215, 1400), 30
            )
            lay.polygon(taper(pts, 110, 80), rgba(P["hair"]))
            lay.circle(hx + sgn * 215, 1400, 40, rgba(P["hair"]))
        c.comp(lay)
        sil = np.maximum(sil, lay.alpha())
    # rim light on the lit (left/top) edge
    rim = np.clip(sil - shift(sil, int(7 * SS), int(8 * SS)), 0, 1)
    c.paint(rim, C(P["rim"]), 0.4)
    face_features(c, hx, hy, P, kind)
    return c.finish(grain=2.0, vignette=0.22, vignette_color=P["bg"][1])


def scene_founder_portrait():
    return portrait("founder", 201)


def scene_engineer_portrait():
    return portrait("engineer", 202)


def scene_student_portrait():
    return portrait("student", 203)


# Very rough, hand-written continent outlines (lon, lat). They are only meant
# to read as "a world map" in a coarse dot matrix, not to be geographically exact.
LAND = [
    # North America
    [
        (-166, 68),
        (-156, 71.5),
        (-140, 69.5),
        (-125, 70),
        (-110, 68),
        (-95, 68),
        (-88, 68),
        (-82, 73),
        (-72, 72),
        (-62, 66),
        (-64, 60),
        (-56, 53),
        (-60, 47),
        (-66, 44),
        (-70, 42),
        (-74, 40),
        (-76, 35),
        (-81, 31),
        (-80, 26),
        (-82, 27),
        (-84, 30),
        (-90, 30),
        (-95, 29),
        (-97, 26),
        (-97, 22),
        (-95, 19),
        (-91, 19),
        (-87, 21),
        (-88, 16),
        (-84, 15),
        (-83, 10),
        (-79, 9),
        (-77, 8),
        (-80, 7),
        (-84, 9),
        (-86, 12),
        (-92, 14),
        (-96, 16),
        (-105, 20),
        (-106, 23),
        (-110, 27),
        (-112, 31),
        (-114, 31),
        (-110, 24),
        (-115, 30),
        (-117, 33),
        (-121, 35),
        (-124, 40),
        (-124, 46),
        (-124, 49),
        (-128, 51),
        (-133, 55),
        (-137, 58),
        (-142, 60),
        (-150, 60),
        (-154, 58),
        (-158, 57),
        (-164, 55),
        (-160, 58),
        (-165, 61),
        (-166, 64),
    ],
    # Greenland
    [
        (-73, 78),
        (-60, 82),
        (-30, 83),
        (-20, 80),
        (-18, 76),
        (-22, 70),
        (-32, 68),
        (-42, 60),
        (-48, 61),
        (-53, 66),
        (-56, 72),
        (-66, 76),
    ],
    # Canadian Arctic islands
    [
        (-80, 73.5),
        (-70, 70),
        (-62, 66.5),
        (-66, 62),
        (-74, 64.5),
        (-78, 64.5),
        (-73, 67),
        (-81, 70),
    ],
    [(-95, 76), (-80, 83), (-62, 82.5), (-75, 78), (-82, 76)],
    [(-125, 72), (-118, 77), (-100, 79), (-90, 75), (-100, 73), (-105, 69), (-118, 69)],
    # South America
    [
        (-80, 9),
        (-75, 11),
        (-72, 12),
        (-62, 10.5),
        (-58, 7),
        (-52, 5),
        (-50, 0),
        (-44, -2),
        (-35, -5),
        (-35, -9),
        (-39, -14),
        (-40, -20),
        (-44, -23),
        (-48, -26),
        (-53, -33),
        (-58, -35),
        (-57, -38),
        (-62, -39),
        (-65, -42),
        (-66, -47),
        (-69, -51),
        (-68, -55),
        (-72, -54),
        (-75, -50),
        (-74, -44),
        (-73, -38),
        (-71, -30),
        (-70, -18),
        (-76, -14),
        (-81, -6),
        (-80, -2),
        (-78, 2),
        (-77, 7),
    ],
    # Eurasia
    [
        (-9, 37),
        (-9.5, 43),
        (-1.5, 43.5),
        (-1, 46),
        (-4.5, 48),
        (1, 50),
        (4, 51.5),
        (8, 53.5),
        (8.5, 57),
        (10.5, 57.7),
        (12, 56),
        (13, 55.5),
        (19, 54.5),
        (21, 57),
        (24, 59.5),
        (29, 60),
        (23, 60.5),
        (21.5, 63),
        (25, 65.5),
        (21, 65),
        (17, 62),
        (18, 60),
        (16, 57),
        (12.5, 56.3),
        (11, 59),
        (7, 58),
        (5, 59),
        (5, 62),
        (10, 64),
        (14, 67),
        (16, 69),
        (20, 70),
        (26, 71),
        (31, 70),
        (40, 67),
        (44, 68),
        (54, 69),
        (60, 70),
        (68, 72),
        (70, 73),
        (80, 73),
        (87, 75),
        (100, 78),
        (110, 77),
        (113, 74),
        (128, 73),
        (140, 72),
        (150, 71),
        (160, 70),
        (170, 70),
        (180, 68),
        (190, 66),
        (185, 65),
        (178, 64),
        (175, 62),
        (165, 60),
        (163, 58),
        (160, 54),
        (156, 51),
        (156, 57),
        (162, 60),
        (155, 59),
        (143, 59),
        (137, 55),
        (141, 53),
        (140, 48),
        (135, 43),
        (131, 43),
        (129, 41),
        (129, 35.5),
        (126.5, 35),
        (126, 37.5),
        (125, 39.5),
        (121.5, 39),
        (121, 40.5),
        (118, 39),
        (119, 37),
        (122, 37),
        (120, 35),
        (121, 32),
        (122, 30),
        (120, 26),
        (117, 23.5),
        (113, 22),
        (110, 21),
        (108, 21.5),
        (106.5, 20.5),
        (106, 19),
        (105.5, 18),
        (107, 16.5),
        (108.5, 15),
        (109.3, 12),
        (109, 11),
        (107, 10.5),
        (105, 8.6),
        (104.8, 10),
        (103, 10.5),
        (101, 12.5),
        (100, 13.5),
        (99.5, 10),
        (100.5, 7),
        (103, 5),
        (104, 1.5),
        (103, 1.4),
        (101, 2.8),
        (100, 5),
        (98.5, 8),
        (98.5, 12),
        (97.5, 16.5),
        (94.5, 16),
        (94, 19),
        (92, 21),
        (91, 22.5),
        (89, 21.8),
        (87, 21.5),
        (86.5, 20),
        (84, 18),
        (80, 15.5),
        (80, 10),
        (78, 8),
        (76.5, 9),
        (74, 14),
        (73, 19),
        (72.5, 21),
        (70, 22.5),
        (67, 24.5),
        (62, 25),
        (57, 25.7),
        (56, 27),
        (51, 28),
        (48, 30),
        (50, 26),
        (51.5, 25),
        (52, 24),
        (55, 25),
        (56.5, 24.5),
        (59, 22.5),
        (57, 19),
        (55, 17),
        (52, 16),
        (48, 14),
        (45, 13),
        (43, 13),
        (42.5, 15),
        (40, 20),
        (38.5, 23),
        (35.5, 28),
        (34.5, 29.5),
        (32.5, 30),
        (32, 31.2),
        (34, 31.5),
        (35.5, 34),
        (36, 36.5),
        (33, 36.2),
        (30, 36.2),
        (27, 37),
        (26, 40),
        (24, 40.5),
        (23, 39.5),
        (22, 37),
        (21, 38.5),
        (19.5, 40.5),
        (19, 42),
        (16, 43.5),
        (13.7, 45.6),
        (12.3, 44.5),
        (14, 42),
        (16, 41.5),
        (18.5, 40.1),
        (16.5, 38.5),
        (16, 38),
        (15.5, 40),
        (12, 42),
        (10, 44),
        (8.5, 44.3),
        (7, 43.6),
        (4, 43.5),
        (3.2, 42),
        (0, 39.5),
        (-0.5, 38),
        (-2, 36.7),
        (-5.5, 36),
        (-6.5, 37),
    ],
    # Africa
    [
        (-17, 21),
        (-16, 24),
        (-13, 27.5),
        (-10, 29.5),
        (-9.5, 32),
        (-6.5, 34),
        (-5.5, 35.8),
        (-1, 35.3),
        (3, 36.8),
        (10, 37.2),
        (11, 35.5),
        (10, 34),
        (11, 33),
        (15, 32.3),
        (19, 30.5),
        (20, 32),
        (23, 32.6),
        (25, 31.6),
        (29, 30.9),
        (32, 31.2),
        (32.5, 29.8),
        (35, 24),
        (37, 21),
        (38.5, 18),
        (39.5, 15.5),
        (42.5, 13),
        (43.3, 11.5),
        (45, 10.5),
        (51, 11.8),
        (51, 10),
        (49, 6),
        (46, 2),
        (43, -1),
        (40, -3),
        (39, -6),
        (40, -10),
        (40.5, -15),
        (37, -18),
        (35, -20),
        (35.5, -24),
        (33, -26),
        (32.5, -29),
        (30, -31),
        (27, -33.8),
        (22, -34),
        (18.5, -34.2),
        (18, -32),
        (16.5, -28.5),
        (15, -26),
        (14.5, -22),
        (12, -17),
        (12, -13),
        (13.5, -10),
        (12, -6),
        (9, -1),
        (9.5, 3),
        (8.5, 4.5),
        (5.5, 4.2),
        (2, 6.3),
        (-2, 4.8),
        (-7.5, 4.3),
        (-11, 6.8),
        (-13, 8.5),
        (-15, 11),
        (-17, 14.5),
        (-16.5, 16),
        (-16, 19),
    ],
    [
        (44, -25),
        (47, -25),
        (50.5, -15.5),
        (49.5, -12),
        (48, -14),
        (44, -17),
        (43.5, -22),
    ],  # Madagascar
    # Australia, Tasmania, New Zealand
    [
        (114, -22),
        (114, -26),
        (115, -34),
        (118, -35),
        (123, -34),
        (129, -31.5),
        (134, -32.5),
        (138, -35.5),
        (140, -38),
        (146, -39),
        (150, -37.5),
        (153, -32),
        (153.5, -28),
        (153, -25),
        (149, -21),
        (146, -19),
        (145.5, -15),
        (143.5, -14),
        (142.5, -11),
        (141.5, -13),
        (141.5, -17),
        (140, -17.5),
        (137, -16),
        (136.5, -12),
        (132, -11.3),
        (130, -13),
        (129, -15),
        (126, -14),
        (122, -17),
        (121, -19.5),
        (117, -20.7),
    ],
    [(144.6, -40.7), (148.3, -40.9), (148, -43.2), (146, -43.6)],
    [
        (172.7, -34.5),
        (174.5, -36.8),
        (175.5, -37.5),
        (178.5, -37.7),
        (177, -39.3),
        (176, -41.4),
        (174.6, -41.3),
        (175, -39.8),
        (173.8, -39.2),
        (174.5, -38),
        (172.9, -34.8),
    ],
    [
        (172.6, -40.5),
        (174.3, -41.8),
        (173, -43.9),
        (171, -44.7),
        (169, -46.6),
        (166.5, -46.1),
        (168.3, -44),
        (170.8, -42.6),
        (172, -41.5),
    ],
    # Japan, Korea-adjacent islands, Taiwan, Hainan, Philippines, Indonesia, New Guinea, Sri Lanka, UK, Iceland
    [
        (130.9, 34),
        (132.5, 35.4),
        (135.5, 35.7),
        (137, 37),
        (139.5, 38),
        (140, 40.5),
        (141.5, 41.4),
        (142, 39.5),
        (141, 38),
        (140.8, 35.7),
        (139.8, 35),
        (138.8, 34.6),
        (137, 34.6),
        (135.2, 33.8),
        (133, 34.3),
    ],
    [(140, 42.5), (141.5, 45.4), (145.5, 43.4), (143.5, 42), (141, 41.8)],
    [(129.8, 33.5), (131.9, 33.9), (131.4, 31.4), (130.2, 31.2)],
    [(120.1, 23), (121.5, 25.3), (122, 25), (121, 22)],
    [(108.6, 19.2), (110.2, 20.1), (111, 19.7), (110, 18.3), (109, 18.3)],
    [
        (120, 16.3),
        (120.6, 18.5),
        (122.3, 18.5),
        (122.2, 16.3),
        (124, 13.9),
        (123.9, 12.8),
        (121.7, 13.9),
        (120.6, 14.2),
    ],
    [(122, 10.3), (123.2, 11.5), (124.5, 12.5), (125.7, 11.1), (125, 10), (123.5, 9.2)],
    [(122, 6.9), (123.6, 7.9), (125.5, 9.7), (126.6, 7.3), (125.4, 5.6), (124, 6.3)],
    [
        (95.3, 5.6),
        (97.5, 5.2),
        (100.3, 2.2),
        (104, -1),
        (106, -3.2),
        (105.8, -5.9),
        (104.5, -5.8),
        (102.2, -3.8),
        (100.4, -0.7),
        (98.6, 1.7),
    ],
    [
        (105.2, -6.8),
        (106, -5.9),
        (108.3, -6.2),
        (110.4, -6.9),
        (112.6, -6.9),
        (114.6, -7.7),
        (114.4, -8.7),
        (111, -8.2),
        (108, -7.8),
    ],
    [
        (109, 1.5),
        (109.6, 2),
        (111, 1.6),
        (113, 3.2),
        (115.5, 5.2),
        (117.3, 6.9),
        (119.2, 5.2),
        (118, 4.3),
        (117.9, 1),
        (116.5, -2),
        (116, -3.9),
        (114.6, -3.6),
        (111.5, -3),
        (110, -1.8),
    ],
    [
        (119.5, -5.5),
        (120.4, -5.5),
        (120.5, -2.6),
        (121.3, -1.5),
        (123.4, -0.9),
        (121, -0.8),
        (120.1, 0.5),
        (124.9, 1.5),
        (120, 0.9),
        (119.7, -0.1),
        (119, -3.5),
    ],
    [
        (131, -1.3),
        (134, -0.8),
        (138, -1.6),
        (141, -2.6),
        (145.8, -4.9),
        (147.5, -6.1),
        (150.8, -10.4),
        (147, -10.2),
        (144, -7.6),
        (141, -9.1),
        (138.5, -8.3),
        (137.6, -5.2),
        (133.6, -4),
        (132, -2.8),
    ],
    [(79.8, 6.2), (79.9, 9.7), (81.8, 7.5), (81.2, 6.1)],
    [
        (-5.7, 50),
        (1.5, 51.2),
        (1.7, 52.7),
        (0, 53.5),
        (-1.5, 55),
        (-2, 56),
        (-1.8, 57.6),
        (-3.1, 58.6),
        (-5, 58.6),
        (-6.2, 57),
        (-5.6, 55.3),
        (-3, 54.9),
        (-3.2, 53.4),
        (-4.6, 53.3),
        (-4.2, 52.3),
        (-5.2, 51.7),
        (-3, 51.4),
        (-4.5, 50.5),
    ],
    [(-6, 52.2), (-6, 54), (-7.5, 55.3), (-10, 54), (-10.3, 51.8), (-8, 51.5)],
    [(-22.5, 64), (-22, 66.4), (-16, 66.5), (-13.5, 65.2), (-18.8, 63.4)],
]
WATER_HOLES = [
    [(-95, 60), (-87, 56), (-80, 55), (-79, 60), (-77, 62), (-85, 64), (-92, 64)],  # Hudson Bay
    [
        (28, 41.5),
        (28, 45),
        (30, 46.5),
        (33, 46),
        (36, 45.5),
        (38, 47),
        (39.5, 44),
        (41.5, 41.5),
        (36, 41.5),
        (32, 41.8),
    ],  # Black Sea
    [
        (47, 45),
        (50, 47),
        (53, 46.5),
        (53, 42),
        (54, 38),
        (51, 37),
        (49, 38),
        (49.5, 41),
        (47.5, 43),
    ],  # Caspian
]


def scene_world_dots():
    """Dot-matrix world map centred on Asia-Pacific with arcs from Việt Nam."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=109)
    r = np.sqrt(((c.x - w * 0.45) / w) ** 2 + ((c.y - h * 0.48) / w) ** 2)
    c.img[...] = grad_field(r, [(0, "#13285a"), (0.5, "#0b1738"), (0.9, "#060c22")])
    LON0 = -25.0  # left edge of the map (cuts through the Atlantic)
    LAT_TOP, LAT_BOT = 78.0, -56.0
    mx0, mx1 = 30.0, w - 30.0
    sc = (mx1 - mx0) / 360.0
    sy = sc * 1.45  # stretched latitude so the map fills the 4:3 frame
    my0 = h * 0.5 - (LAT_TOP - LAT_BOT) / 2 * sy

    def proj(lon, lat):
        x = (lon - LON0) % 360.0
        return mx0 + x * sc, my0 + (LAT_TOP - lat) * sy

    # rasterise land into a low-res mask (in lon/lat space), handling the wrap
    res = 4  # px per degree
    land = Image.new("L", (360 * res, int((LAT_TOP - LAT_BOT) * res)), 0)
    d = ImageDraw.Draw(land)
    for poly, fill in [(p_, 255) for p_ in LAND] + [(p_, 0) for p_ in WATER_HOLES]:
        for shift_ in (-360, 0, 360):
            pts = [(((lon - LON0) + shift_) * res, (LAT_TOP - lat) * res) for lon, lat in poly]
            d.polygon(pts, fill=fill)
    land_a = np.asarray(land) > 127
    step = 2.25  # degrees between dots
    lay = c.layer()
    lit = c.layer()
    for j, lat in enumerate(np.arange(LAT_TOP - step / 2, LAT_BOT, -step / 1.3)):
        off = (j % 2) * step / 2
        for lon_rel in np.arange(off, 360, step):
            iy = int((LAT_TOP - lat) * res)
            ix = int(lon_rel * res) % (360 * res)
            if iy >= land_a.shape[0]:
                continue
            x, y = mx0 + lon_rel * sc, my0 + (LAT_TOP - lat) * sy
            if land_a[iy, ix]:
                # brighter towards Asia-Pacific
                lon = lon_rel + LON0
                k = math.exp(-(((lon - 110) / 70) ** 2 + ((lat - 10) / 45) ** 2))
                col = mix(C("#3f7fbf"), C("#7ee0e6"), k)
                lay.circle(x, y, 4.2, rgba(col))
    c.comp(lay)
    # arcs from Hà Nội to partners around the world
    hx, hy = proj(105.85, 21.03)
    dests = [
        (139.7, 35.7),
        (127.0, 37.5),
        (116.4, 39.9),
        (103.8, 1.35),
        (149.1, -35.3),
        (77.2, 28.6),
        (4.35, 50.85),
        (37.6, 55.75),
        (-77.0, 38.9),
        (-122.4, 37.8),
        (-46.6, -23.5),
        (28.0, -25.7),
        (55.3, 25.2),
        (174.8, -41.3),
        (2.35, 48.85),
    ]
    arcs = c.layer()
    for lon, lat in dests:
        tx, ty = proj(lon, lat)
        p0, p1 = np.array([hx, hy]), np.array([tx, ty])
        dist = np.linalg.norm(p1 - p0)
        mid = (p0 + p1) / 2 + np.array([0, -0.28 * dist - 20])
        pts = [tuple(q) for q in bezier(p0, mid, p1, 60)]
        arcs.line(pts, rgba("#ffcf5c", 0.9), 3)
        lit.circle(tx, ty, 7, rgba("#ffe39a"))
    c.comp(arcs, blur_px=5)
    c.comp(arcs, opacity=0.9)
    c.comp(lit, blur_px=4)
    c.comp(lit)
    # Việt Nam: pulse rings + bright marker (Hà Nội and TP. Hồ Chí Minh)
    vx, vy = proj(106.7, 10.8)
    lay = c.layer()
    for k, rr in enumerate((26, 46, 70)):
        lay.arc((hx - rr, hy - rr, hx + rr, hy + rr), 0, 360, rgba("#ff5a4f", 0.8 - 0.22 * k), 3)
    lay.circle(hx, hy, 11, rgba("#ff5a4f"))
    lay.circle(hx, hy, 5, rgba("#ffe08a"))
    lay.circle(vx, vy, 8, rgba("#ff5a4f"))
    lay.circle(vx, vy, 3.5, rgba("#ffe08a"))
    c.comp(lay, blur_px=3)
    c.comp(lay)
    c.screen(c.glow(hx, hy, 260), C("#ff6a4a"), 0.25)
    return c.finish(grain=1.2, vignette=0.3, vignette_color="#030615")


FLAG_RED, FLAG_YELLOW = "#da251d", "#ffde00"


def motorbike(lay: Layer, x, y, s, col):
    """Side view of a scooter; (x, y) = ground point under the rear wheel."""
    dark = rgba("#26242b")
    lay.circle(x, y - 0.28 * s, 0.28 * s, dark)
    lay.circle(x + 1.35 * s, y - 0.28 * s, 0.28 * s, dark)
    lay.circle(x, y - 0.28 * s, 0.12 * s, rgba("#9a9aa6"))
    lay.circle(x + 1.35 * s, y - 0.28 * s, 0.12 * s, rgba("#9a9aa6"))
    lay.polygon(
        [
            (x - 0.35 * s, y - 0.45 * s),
            (x + 0.55 * s, y - 0.45 * s),
            (x + 0.75 * s, y - 0.35 * s),
            (x + 1.05 * s, y - 0.40 * s),
            (x + 1.25 * s, y - 1.05 * s),
            (x + 1.10 * s, y - 1.10 * s),
            (x + 0.85 * s, y - 0.55 * s),
            (x + 0.55 * s, y - 0.70 * s),
            (x - 0.30 * s, y - 0.72 * s),
        ],
        rgba(col),
    )
    lay.rect((x - 0.25 * s, y - 0.84 * s, x + 0.50 * s, y - 0.70 * s), dark, radius=0.06 * s)
    lay.line([(x + 1.18 * s, y - 1.08 * s), (x + 1.0 * s, y - 1.22 * s)], dark, 0.07 * s)
    lay.line([(x + 1.35 * s, y - 0.28 * s), (x + 1.18 * s, y - 1.0 * s)], dark, 0.06 * s)


def scene_hanoi_street():
    """Hà Nội old-quarter street: tube houses, flags, bunting, a street vendor."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=110)
    rng = c.rng
    c.fill(c.vgrad([(0, "#f6cf9a"), (0.4, "#fbe8c8"), (1, "#fbe8c8")]))
    c.screen(c.glow(w * 0.72, h * 0.05, 700, 1.5), C("#fff3d6"), 0.7)
    ground = h * 0.84
    facades = [
        "#f2c14e",
        "#e9b949",
        "#d9774b",
        "#9fd3c7",
        "#f4e4c1",
        "#e8a598",
        "#a9cde0",
        "#f0d27a",
    ]
    shutters = ["#2f7d5b", "#2b6f6b", "#3c8c6a", "#7a4b2a"]
    lay = c.layer()
    x = -30.0
    i = 0
    while x < w + 20:
        bw = rng.uniform(230, 330)
        floors = int(rng.integers(3, 6))
        fh = 180
        top = ground - 240 - floors * fh
        fcol = C(facades[(i * 3 + int(rng.integers(0, 2))) % len(facades)])
        dark = mix(fcol, C("#3a2a22"), 0.35)
        light = mix(fcol, C("#ffffff"), 0.25)
        lay.rect((x, top, x + bw, ground), rgba(fcol))
        lay.rect((x, top, x + 10, ground), rgba(dark))  # shared wall shadow
        # roof: parapet or a small tiled roof, water tank
        if rng.uniform() < 0.5:
            lay.polygon(
                [(x + 10, top), (x + bw * 0.5, top - 70), (x + bw - 10, top)], rgba("#b5533c")
            )
            lay.polygon(
                [(x + 10, top), (x + bw * 0.5, top - 70), (x + bw * 0.5, top - 60), (x + 24, top)],
                rgba("#c96a4e"),
            )
        else:
            lay.rect((x + 6, top - 22, x + bw - 6, top), rgba(light))
            if rng.uniform() < 0.7:
                tx = x + rng.uniform(30, bw - 110)
                lay.rect((tx, top - 78, tx + 80, top - 22), rgba("#c9ced6"), radius=18)
                lay.rect((tx, top - 60, tx + 80, top - 54), rgba("#aab1bc"))
        # upper floors
        for f in range(floors):
            fy = top + f * fh
            lay.rect((x + 6, fy + fh - 12, x + bw - 6, fy + fh), rgba(light))  # floor slab line
            scol = rgba(shutters[int(rng.integers(len(shutters)))])
            if rng.uniform() < 0.55:
                # balcony with french doors and railing
                lay.rect(
                    (x + 24, fy + 22, x + bw - 24, fy + fh - 14),
                    rgba(mix(fcol, C("#2a1d18"), 0.55)),
                )
                dw = (bw - 70) / 2
                for k in range(2):
                    dx = x + 30 + k * (dw + 10)
                    lay.rect((dx, fy + 30, dx + dw, fy + fh - 16), scol)
                    for ly in np.arange(fy + 42, fy + fh - 22, 12):
                        lay.line(
                            [(dx + 6, ly), (dx + dw - 6, ly)],
                            rgba(mix(C(shutters[0]), C("#000000"), 0.3)),
                            2,
                        )
                rail_y = fy + fh - 70
                lay.rect((x + 14, rail_y, x + bw - 14, rail_y + 6), rgba("#2b2b2b"))
                for bx in np.arange(x + 20, x + bw - 14, 14):
                    lay.line([(bx, rail_y), (bx, fy + fh - 14)], rgba("#2b2b2b"), 2.5)
                if rng.uniform() < 0.6:  # potted plants
                    for _ in range(int(rng.integers(1, 4))):
                        px = x + rng.uniform(40, bw - 40)
                        lay.rect((px - 14, fy + fh - 44, px + 14, fy + fh - 14), rgba("#b5533c"))
                        for j in range(4):
                            lay.circle(
                                px + rng.uniform(-22, 22),
                                fy + fh - 50 - rng.uniform(0, 40),
                                rng.uniform(12, 20),
                                rgba(["#4f8f4a", "#6aa655", "#3e7a3e"][j % 3]),
                            )
            else:
                # two tall windows with shutters and a small awning
                for k in range(2):
                    wx0 = x + bw * (0.18 + 0.40 * k)
                    wx1 = wx0 + bw * 0.24
                    lay.rect((wx0 - 8, fy + 24, wx1 + 8, fy + 34), rgba(dark))
                    lay.rect((wx0, fy + 34, wx1, fy + fh - 30), scol)
                    for ly in np.arange(fy + 44, fy + fh - 34, 12):
                        lay.line(
                            [(wx0 + 5, ly), (wx1 - 5, ly)],
                            rgba(mix(C(shutters[0]), C("#000000"), 0.3)),
                            2,
                        )
                    lay.line(
                        [((wx0 + wx1) / 2, fy + 34), ((wx0 + wx1) / 2, fy + fh - 30)],
                        rgba(mix(C(shutters[0]), C("#000000"), 0.4)),
                        2,
                    )
            # national flag on a pole from some balconies
            if f in (0, 1) and rng.uniform() < 0.55:
                px0, py0 = x + bw * 0.82, fy + fh - 40
                px1, py1 = px0 + 90, py0 - 120
                lay.line([(px0, py0), (px1, py1)], rgba("#4a4a4a"), 4)
                # flag hangs from the pole, drawn as a slightly skewed 2:3 banner
                fw_ = 120
                fh_ = fw_ * 2 / 3
                q = [
                    (px1, py1),
                    (px1 + fw_ * 0.92, py1 + 24),
                    (px1 + fw_ * 0.92, py1 + 24 + fh_),
                    (px1, py1 + fh_),
                ]
                lay.polygon(q, rgba(FLAG_RED))
                cxs = sum(p_[0] for p_ in q) / 4
                cys = sum(p_[1] for p_ in q) / 4
                lay.polygon(star_points(cxs, cys, fh_ * 0.30), rgba(FLAG_YELLOW))
        # ground floor shop
        gy = ground - 240
        lay.rect((x + 14, gy + 30, x + bw - 14, ground), rgba("#3a2a22"))
        lay.rect((x + 24, gy + 60, x + bw - 24, ground), rgba("#f6c77a"))
        for k in range(6):
            lay.rect(
                (
                    x + 40 + k * (bw - 80) / 6,
                    gy + 90 + (k % 2) * 30,
                    x + 40 + k * (bw - 80) / 6 + 26,
                    ground - 20,
                ),
                rgba(["#d9774b", "#2f7d5b", "#e8a598", "#a9cde0"][k % 4]),
            )
        awn = ["#da251d", "#2f7fb6", "#3aa17e", "#f0a43a", "#7b5ea7"][i % 5]
        lay.polygon(
            [(x + 6, gy + 10), (x + bw - 6, gy + 10), (x + bw + 10, gy + 70), (x - 10, gy + 70)],
            rgba(awn),
        )
        for k in range(int(bw // 40)):
            sx_ = x + 6 + k * 40
            lay.polygon(
                [(sx_, gy + 10), (sx_ + 20, gy + 10), (sx_ + 22, gy + 70), (sx_ + 2, gy + 70)],
                rgba(mix(C(awn), C("#ffffff"), 0.35)),
            )
        lay.rect((x + 30, gy - 44, x + bw - 30, gy + 6), rgba(light), radius=6)  # sign board
        lay.rect((x + 50, gy - 30, x + bw * 0.6, gy - 14), rgba(dark), radius=6)
        x += bw
        i += 1
    c.comp(lay)
    # electric wires and bunting across the street
    lay = c.layer()
    for _ in range(7):
        y0 = h * rng.uniform(0.18, 0.40)
        y1 = h * rng.uniform(0.18, 0.40)
        sag = rng.uniform(40, 120)
        pts = [
            tuple(q)
            for q in bezier((-20, y0), (w * 0.5, (y0 + y1) / 2 + sag * 2), (w + 20, y1), 60)
        ]
        lay.line(pts, rgba("#2b2b30"), rng.uniform(2, 3.5))
    for y0, sag, n in [(h * 0.09, 150, 26), (h * 0.27, 120, 30)]:
        curve = bezier((-20, y0), (w * 0.5, y0 + sag * 2), (w + 20, y0 + 20), 200)
        lay.line([tuple(q) for q in curve], rgba("#5a4636"), 2.5)
        for k in range(n):
            t = (k + 0.5) / n
            idx = int(t * (len(curve) - 1))
            (ax, ay) = curve[idx]
            (bx, by) = curve[min(idx + 4, len(curve) - 1)]
            col = FLAG_RED if k % 2 == 0 else FLAG_YELLOW
            lay.polygon(
                [(ax, ay), (bx + 14, by), ((ax + bx) / 2 + 7, (ay + by) / 2 + 52)], rgba(col)
            )
    c.comp(lay)
    # sidewalk, street, parked scooters
    lay = c.layer()
    lay.rect((-10, ground, w + 10, ground + 40), rgba("#d8c7aa"))
    lay.rect((-10, ground + 40, w + 10, h + 10), rgba("#8c8a8f"))
    lay.rect((-10, ground + 40, w + 10, ground + 52), rgba("#b9b1a3"))
    for k in range(14):
        lay.line([(k * 160, ground), (k * 160 + 20, ground + 40)], rgba("#c4b393"), 2)
    c.comp(lay)
    lay = c.layer()
    cols = ["#da251d", "#2f7fb6", "#f4f1e8", "#3aa17e", "#f0a43a", "#1f1f24", "#e8a598"]
    for k in range(9):
        bx = 520 + k * 150 + rng.uniform(-20, 20)
        motorbike(lay, bx, ground + 34, 92, cols[k % len(cols)])
    c.comp(lay)
    # street vendor with a shoulder pole and conical hat (left)
    lay = c.layer()
    vx, vy = 330, h - 40
    ink = rgba("#2d2a33")
    lay.rect((vx - 34, vy - 260, vx + 34, vy - 110), rgba("#f4ede1"), radius=22)  # shirt
    lay.rect((vx - 30, vy - 120, vx - 4, vy), rgba("#2d2a33"), radius=10)
    lay.rect((vx + 4, vy - 120, vx + 30, vy), rgba("#2d2a33"), radius=10)
    lay.circle(vx, vy - 290, 26, rgba("#c4845f"))
    lay.polygon(
        [(vx - 78, vy - 292), (vx + 78, vy - 292), (vx, vy - 352)], rgba("#e9d3a1")
    )  # non la
    lay.polygon(
        [(vx - 78, vy - 292), (vx + 78, vy - 292), (vx + 60, vy - 286), (vx - 60, vy - 286)],
        rgba("#c7ae79"),
    )
    lay.line([(vx - 200, vy - 250), (vx + 200, vy - 262)], rgba("#8a5a2b"), 8)  # shoulder pole
    for bx, by in [(vx - 190, vy - 250), (vx + 190, vy - 262)]:
        lay.line([(bx - 50, by + 150), (bx, by)], ink, 2.5)
        lay.line([(bx + 50, by + 150), (bx, by)], ink, 2.5)
        lay.ellipse((bx - 70, by + 130, bx + 70, by + 200), rgba("#b07a3c"))
        for j in range(6):
            lay.circle(
                bx - 45 + j * 18,
                by + 132 - (j % 2) * 10,
                16,
                rgba(["#f0a43a", "#da251d", "#6aa655", "#f2c14e"][j % 4]),
            )
    c.comp(lay)
    # flame tree (phượng) in the left foreground
    lay = c.layer()
    lay.polygon(
        taper(bezier((120, h + 10), (60, h * 0.6), (170, h * 0.36), 30), 70, 28), rgba("#4a352b")
    )
    lay.line(
        [tuple(q) for q in bezier((150, h * 0.45), (260, h * 0.36), (360, h * 0.30), 20)],
        rgba("#4a352b"),
        16,
    )
    for k in range(70):
        ang = rng.uniform(0, 2 * math.pi)
        rr = rng.uniform(0, 1) ** 0.6
        cx_ = 170 + math.cos(ang) * 300 * rr
        cy_ = h * 0.24 + math.sin(ang) * 170 * rr
        lay.circle(cx_, cy_, rng.uniform(40, 80), rgba(["#2f6b3a", "#3e7d43", "#4f8f4a"][k % 3]))
    c.comp(lay)
    lay = c.layer()
    for _ in range(26):
        # blossom clusters: a soft clump of small florets
        ang = rng.uniform(0, 2 * math.pi)
        rr = rng.uniform(0.15, 1) ** 0.6
        kx = 170 + math.cos(ang) * 300 * rr
        ky = h * 0.24 + math.sin(ang) * 170 * rr
        for j in range(18):
            a2 = rng.uniform(0, 2 * math.pi)
            r2 = rng.uniform(0, 44)
            lay.circle(
                kx + math.cos(a2) * r2,
                ky + math.sin(a2) * r2 * 0.7,
                rng.uniform(5, 10),
                rgba(["#e8452c", "#f26b3a", "#d93a2b", "#ff8a4c"][j % 4]),
            )
    c.comp(lay)
    return c.finish(grain=1.8, vignette=0.18, vignette_color="#4a2e1f")


def coracle(lay: Layer, x, y, r, inner, rim, tilt=0.42):
    """Round basket boat (thúng chai) seen from above at an angle."""
    rim_c = C(rim)
    # shadow, bulging woven body, rim, interior (far wall lit, floor darker)
    lay.ellipse(
        (x - r * 1.02, y - r * tilt + r * 0.22, x + r * 1.08, y + r * tilt + r * 0.30),
        rgba("#3d2b1f", 0.45),
    )
    lay.ellipse(
        (x - r, y - r * tilt, x + r, y + r * tilt + r * 0.18), rgba(mix(rim_c, C("#000000"), 0.15))
    )
    for k in range(1, 16):
        a = math.pi * k / 16
        px = x - r * math.cos(a)
        lay.line(
            [
                (px, y + r * tilt * math.sin(a) * 0.6),
                (px * 0.97 + x * 0.03, y + (r * tilt + r * 0.16) * math.sin(a)),
            ],
            rgba(mix(rim_c, C("#000000"), 0.35)),
            2,
        )
    lay.ellipse((x - r, y - r * tilt, x + r, y + r * tilt), rgba(rim_c))
    lay.ellipse(
        (x - r * 0.91, y - r * tilt * 0.86, x + r * 0.91, y + r * tilt * 0.86),
        rgba(mix(C(inner), C("#ffffff"), 0.12)),
    )
    lay.ellipse(
        (x - r * 0.78, y - r * tilt * 0.45, x + r * 0.78, y + r * tilt * 0.84),
        rgba(mix(C(inner), C("#000000"), 0.18)),
    )


def scene_danang_coast():
    """Đà Nẵng coastline: peninsula, city towers, beach with basket boats."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=111)
    rng = c.rng
    xs = c.xs()
    yh = h * 0.46
    c.fill(
        c.vgrad(
            [
                (0, "#5fb0df"),
                (0.3, "#a5d6ee"),
                (0.46, "#eaf6f4"),
                (0.461, "#56b7c9"),
                (0.62, "#2d95b3"),
                (1, "#2d95b3"),
            ]
        )
    )
    c.screen(c.glow(w * 0.80, h * 0.12, 420, 1.4), C("#fff6d8"), 0.8)
    c.paint(c.disc(w * 0.80, h * 0.12, 50), C("#fffdf2"))
    lay = c.layer()
    for cx_, cy_, cw in [
        (w * 0.25, h * 0.10, 420),
        (w * 0.55, h * 0.18, 320),
        (w * 0.95, h * 0.28, 260),
    ]:
        cloud(lay, cx_, cy_, cw, 56, rgba("#ffffff", 0.9), rng)
    c.comp(lay)
    # peninsula (Sơn Trà) on the left: layered green ridges dipping into the sea
    for k, (col, peak, x0, x1, hgt) in enumerate(
        [
            ("#8fb9b0", w * 0.16, -100, w * 0.52, 330),
            ("#5f9a86", w * 0.10, -100, w * 0.40, 250),
            ("#3f7d66", w * 0.02, -100, w * 0.30, 170),
        ]
    ):
        t = np.clip((xs - x0) / (x1 - x0), 0, 1)
        prof = (
            yh
            + 4
            - hgt * np.clip(np.sin(np.pi * t), 0, 1) ** 0.9 * np.exp(-(((xs - peak) / 900) ** 2))
            - wave(xs, rng, 12, 240, 3) * (t > 0) * (t < 1)
        )
        prof = np.where((t <= 0) | (t >= 1), yh + 4 if k == 0 else yh + 40, prof)
        m = c.below(prof) * (c.y < yh + 6 + k * 4)
        c.paint(m, C(col))
    # city towers on the right across the bay
    lay = c.layer()
    bx = w * 0.50
    while bx < w + 40:
        bw = rng.uniform(40, 90)
        bh = rng.uniform(60, 230) * (1.4 if rng.uniform() < 0.15 else 1.0)
        col = ["#dfe9ef", "#c9d9e3", "#eef1ea", "#b8cbd8", "#f3e6d3"][int(rng.integers(5))]
        lay.rect((bx, yh - bh, bx + bw, yh + 4), rgba(col))
        lay.rect((bx + bw * 0.65, yh - bh, bx + bw, yh + 4), rgba(mix(C(col), C("#6f8ea3"), 0.25)))
        for wy in np.arange(yh - bh + 10, yh - 6, 14):
            lay.line([(bx + 6, wy), (bx + bw * 0.6, wy)], rgba(mix(C(col), C("#6f8ea3"), 0.35)), 2)
        bx += bw + rng.uniform(4, 30)
    lay.rect((w * 0.48, yh - 4, w + 10, yh + 8), rgba("#8fae8a"))
    c.comp(lay)
    c.paint(np.exp(-np.abs(c.y - yh) / 40.0) * (c.x > w * 0.45), C("#eaf6f4"), 0.35)
    # sea details
    lay = c.layer()
    for _ in range(140):
        t = rng.uniform(0, 1) ** 1.3
        y = yh + 8 + (h * 0.70 - yh) * t
        x = rng.uniform(0, w)
        L = rng.uniform(20, 110) * (0.4 + 1.5 * t)
        lay.rect((x, y, x + L, y + 1.5 + 2 * t), rgba("#d8f3f5", 0.45), radius=2)
    # fishing boats at sea
    for bx_, by_, s_ in [
        (w * 0.62, yh + 60, 1.0),
        (w * 0.74, yh + 36, 0.7),
        (w * 0.40, yh + 110, 1.3),
    ]:
        lay.polygon(
            [
                (bx_ - 60 * s_, by_),
                (bx_ + 70 * s_, by_),
                (bx_ + 50 * s_, by_ + 18 * s_),
                (bx_ - 45 * s_, by_ + 18 * s_),
            ],
            rgba("#2f5fa8"),
        )
        lay.rect((bx_ - 45 * s_, by_ - 2, bx_ + 55 * s_, by_ + 4 * s_), rgba("#da4a3a"))
        lay.rect((bx_ - 10 * s_, by_ - 28 * s_, bx_ + 25 * s_, by_), rgba("#f4f1e8"))
        lay.line([(bx_ - 30 * s_, by_), (bx_ - 30 * s_, by_ - 60 * s_)], rgba("#4a4a4a"), 2.5 * s_)
    c.comp(lay)
    # beach: shoreline curving towards the right
    shore = h * 0.74 - (xs / w) * h * 0.10 + wave(xs, rng, 6, 300, 2)
    wet = c.below(shore - 14)
    c.paint(wet, C("#7fd6d6"), 0.8)
    foam = c.below(shore - 24) * (1 - c.below(shore - 14))
    c.paint(foam, C("#ffffff"), 0.9)
    foam2 = c.below(shore - 60) * (1 - c.below(shore - 54))
    c.paint(foam2 * (np.sin(c.x / 37.0) > -0.3), C("#ffffff"), 0.6)
    sand = c.vgrad([(0, "#e6c896"), (0.1, "#f1dbb0"), (1, "#f6e4c0")], h * 0.62, h)
    c.paint(c.below(shore), sand)
    c.paint(c.below(shore) * (1 - c.below(shore + 26)), C("#dcbc86"), 0.8)
    # basket boats (thúng chai) on the sand
    lay = c.layer()
    for x_, y_, r_, inner, rim in [
        (w * 0.18, h * 0.88, 170, "#2f5fa8", "#6b4a2f"),
        (w * 0.42, h * 0.93, 200, "#3aa17e", "#7a5536"),
        (w * 0.66, h * 0.86, 150, "#2f5fa8", "#6b4a2f"),
        (w * 0.86, h * 0.95, 190, "#c9a56a", "#6b4a2f"),
        (w * 0.54, h * 0.80, 110, "#7a5536", "#5a3c26"),
    ]:
        coracle(lay, x_, y_, r_, inner, rim)
    c.comp(lay)
    # leaning palms on the far right
    lay = c.layer()
    palm(lay, w * 0.97, h * 0.80, 620, -0.28, rgba("#2f5a45"), rng, 10)
    palm(lay, w * 1.02, h * 0.86, 520, -0.12, rgba("#25493a"), rng, 9)
    c.comp(lay)
    return c.finish(grain=1.8, vignette=0.16, vignette_color="#1d4a5a")


SCENES = {
    "delta-dawn.jpg": scene_delta_dawn,
    "rice-terraces.jpg": scene_rice_terraces,
    "tokyo-dusk.jpg": scene_tokyo_dusk,
    "lotus-pond.jpg": scene_lotus_pond,
    "cleanroom.jpg": scene_cleanroom,
    "chip-macro.jpg": scene_chip_macro,
    "port-cranes.jpg": scene_port_cranes,
    "conference-hall.jpg": scene_conference_hall,
    "founder-portrait.jpg": scene_founder_portrait,
    "engineer-portrait.jpg": scene_engineer_portrait,
    "student-portrait.jpg": scene_student_portrait,
    "world-dots.jpg": scene_world_dots,
    "hanoi-street.jpg": scene_hanoi_street,
    "danang-coast.jpg": scene_danang_coast,
}


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("only", nargs="*", help="scene names (without .jpg) and/or 'logo'")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list:
        for k in SCENES:
            print(k)
        print("logo")
        return 0
    wanted = {o.removesuffix(".jpg") for o in args.only}
    for name, fn in SCENES.items():
        if wanted and name.removesuffix(".jpg") not in wanted:
            continue
        im = fn()
        p = save_jpeg(im, name)
        print(
            f"wrote {p.relative_to(ROOT)}  {im.size[0]}x{im.size[1]}  {p.stat().st_size // 1024} KB"
        )
    if not wanted or "logo" in wanted:
        for p in make_logo():
            print(f"wrote {p.relative_to(ROOT)}")
    return 0


def make_logo():
    """The Vietnamese wordmark 'HỘI NHẬP' and the English 'VIETNAM / INTEGRATES'."""
    return [*draw_logo(["HỘI NHẬP"], ""), *draw_logo(["VIETNAM", "INTEGRATES"], "-en")]


def draw_logo(text_lines, suffix):
    """Wordmark + globe/orbit emblem as transparent RGBA PNGs (600x200)."""
    S = 4  # draw at 4x, downscale with LANCZOS (Pillow premultiplies alpha when resizing RGBA)
    W, H = 600, 200
    font_path = FONT_DIR / "BeVietnamPro_800ExtraBold.ttf"

    def new_mask():
        return Image.new("L", (W * S, H * S), 0)

    def arr(m):
        return np.asarray(m, np.float32) / 255.0

    cx, cy, r = 100 * S, 100 * S, 74 * S
    yy, xx = np.mgrid[0 : H * S, 0 : W * S].astype(np.float32)
    disc = np.clip(r - np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) + 0.5, 0, 1)
    # globe lines
    lines = new_mask()
    d = ImageDraw.Draw(lines)
    lw = 7 * S
    for ew in (0.0, 0.52):
        e = r * ew
        if e == 0:
            d.line([(cx, cy - r), (cx, cy + r)], fill=255, width=lw)
        else:
            d.ellipse((cx - e, cy - r, cx + e, cy + r), outline=255, width=lw)
    for k in (-0.45, 0.0, 0.45):
        y = cy + r * k
        hw = r * math.sqrt(1 - k * k)
        d.line([(cx - hw, y), (cx + hw, y)], fill=255, width=lw)
    lines_a = arr(lines) * disc
    # tilted orbit: back half passes behind the globe, front half in front
    rot = math.radians(-24)
    orx, ory = 96 * S, 30 * S
    back, front, front_gap = new_mask(), new_mask(), new_mask()
    db, dfr, dg = ImageDraw.Draw(back), ImageDraw.Draw(front), ImageDraw.Draw(front_gap)
    ts = np.linspace(0, 2 * math.pi, 721)
    px = cx + orx * np.cos(ts) * math.cos(rot) - ory * np.sin(ts) * math.sin(rot)
    py = cy + orx * np.cos(ts) * math.sin(rot) + ory * np.sin(ts) * math.cos(rot)
    ow = 6 * S
    pts = np.stack([px, py], 1)
    lower = np.sin(ts) >= 0  # lower half of the ellipse passes in front of the globe
    for sel, draw, width in ((lower, dfr, ow), (lower, dg, ow + 8 * S), (~lower, db, ow)):
        idx = np.nonzero(sel)[0]
        # split into contiguous runs (the upper half wraps around t = 0)
        runs = np.split(idx, np.nonzero(np.diff(idx) > 1)[0] + 1)
        for run in runs:
            if len(run) < 2:
                continue
            draw.polygon(taper(pts[run], width, width), fill=255)
            for end in (run[0], run[-1]):
                draw.ellipse(
                    (
                        pts[end][0] - width / 2,
                        pts[end][1] - width / 2,
                        pts[end][0] + width / 2,
                        pts[end][1] + width / 2,
                    ),
                    fill=255,
                )
    # a small star riding on the orbit (front side)
    t_star = math.radians(30)
    sx = cx + orx * math.cos(t_star) * math.cos(rot) - ory * math.sin(t_star) * math.sin(rot)
    sy = cy + orx * math.cos(t_star) * math.sin(rot) + ory * math.sin(t_star) * math.cos(rot)
    star = new_mask()
    ImageDraw.Draw(star).polygon(star_points(sx, sy, 19 * S), fill=255)
    star_gap = new_mask()
    ImageDraw.Draw(star_gap).polygon(star_points(sx, sy, 27 * S), fill=255)
    back_a, front_a, gap_a = arr(back), arr(front), arr(front_gap)
    star_a, star_gap_a = arr(star), arr(star_gap)
    # wordmark
    font_size = 92 * S
    font = ImageFont.truetype(str(font_path), font_size, layout_engine=ImageFont.Layout.RAQM)
    x0 = 206 * S
    max_w = (W - 12) * S - x0
    if len(text_lines) > 1:
        font_size = 60 * S
        font = ImageFont.truetype(str(font_path), font_size, layout_engine=ImageFont.Layout.RAQM)
    while True:
        boxes = [ImageDraw.Draw(new_mask()).textbbox((0, 0), t, font=font) for t in text_lines]
        if max(b[2] - b[0] for b in boxes) <= max_w:
            break
        font_size -= S
        font = ImageFont.truetype(str(font_path), font_size, layout_engine=ImageFont.Layout.RAQM)
    tmask = new_mask()
    line_h = font_size * 1.02
    cap = boxes[0][3] - boxes[0][1]
    block_h = cap + line_h * (len(text_lines) - 1)
    top = (H * S - block_h) / 2
    for i, (t, bb) in enumerate(zip(text_lines, boxes, strict=False)):
        ty = top + i * line_h - boxes[0][1]
        ImageDraw.Draw(tmask).text((x0 - bb[0], ty), t, font=font, fill=255)
    text_a = arr(tmask)

    def finish(rgb, a):
        im = np.dstack([np.clip(rgb, 0, 255), np.clip(a, 0, 1)[..., None] * 255]).astype(np.uint8)
        return Image.fromarray(im).resize((W, H), Image.LANCZOS)

    # colour version ---------------------------------------------------------
    rgb = np.zeros((H * S, W * S, 3), np.float32)
    alpha = np.zeros((H * S, W * S), np.float32)

    def over(mask, col):
        nonlocal rgb, alpha
        col = np.asarray(col, np.float32)
        m = mask[..., None]
        rgb = col * m + rgb * (1 - m)
        alpha = mask + alpha * (1 - mask)

    gold = C("#f6b93b")
    over(back_a, gold)
    t = np.clip(((xx - (cx - r)) + (yy - (cy - r))) / (4 * r), 0, 1)[..., None]
    globe_col = mix(C("#e63946"), C("#f77f00"), t)
    over(disc * (1 - gap_a), globe_col)  # a clean gap separates the front orbit from the globe
    over(lines_a * (1 - gap_a), C("#fff6ea"))
    over(front_a, gold)
    over(star_a, C("#ffde00"))
    over(text_a, C("#14213d"))
    paths = []
    LOGO_DIR.mkdir(parents=True, exist_ok=True)
    im = finish(rgb, alpha)
    p = LOGO_DIR / f"outreach-logo{suffix}.png"
    im.save(p, optimize=True)
    paths.append(p)
    # single-colour white version (cut-outs are transparent) --------------------
    a = np.zeros((H * S, W * S), np.float32)
    a = np.maximum(a, back_a * (1 - disc))
    a = np.maximum(a, disc * (1 - lines_a) * (1 - gap_a) * (1 - star_gap_a))
    a = np.maximum(a, front_a)
    a = np.maximum(a, star_a)
    a = np.maximum(a, text_a)
    im = finish(np.full((H * S, W * S, 3), 255, np.float32), a)
    p = LOGO_DIR / f"outreach-logo{suffix}-white.png"
    im.save(p, optimize=True)
    paths.append(p)
    return paths


if __name__ == "__main__":
    sys.exit(main())
