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

# --------------------------------------------------------------------------
# colour helpers
# --------------------------------------------------------------------------


def C(h: str) -> np.ndarray:
    """'#rrggbb' -> float32 RGB array (0..255)."""
    h = h.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], np.float32)


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
        if radius:
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
        return np.exp(-(d ** power))

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
        r2 = (xx * asp) ** 2 + yy ** 2
        r2 = r2 / r2.max()
        v = (vignette * smoothstep(0.25, 1.0, r2))[..., None]
        a = a + (C(vignette_color) - a) * v
        rng = np.random.default_rng(self.seed + 7919)
        n = rng.normal(0.0, 1.0, (self.h, self.w)).astype(np.float32)
        # grain is stronger in midtones, weaker in deep shadows/highlights
        lum = a.mean(axis=2) / 255.0
        g = grain * (0.45 + 2.2 * lum * (1 - lum))
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
        return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2
    p3 = np.asarray(p3, np.float64)
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3


def star_points(cx, cy, r, rot=-90.0):
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = math.radians(rot + i * 36)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def shade_hill(c: Canvas, ridge, top, bottom, depth, rim=None, rim_w=6.0, slope_light=0.0,
               light_col=None):
    """Fill the region below `ridge` with a vertical gradient relative to the ridge."""
    m = c.below(ridge)
    dy = np.clip((c.y - ridge[None, :]) / depth, 0, 1)
    col = mix(C(top), C(bottom), dy[..., None])
    if slope_light and light_col is not None:
        sl = np.gradient(ridge) * SS  # d(ridge)/dx in output px per px
        lit = np.clip(-sl * slope_light, -1, 1)[None, :]
        fade = np.exp(-np.clip(c.y - ridge[None, :], 0, None) / (depth * 0.8))
        k = (lit * fade)[..., None]
        col = np.where(k > 0, mix(col, C(light_col), np.clip(k, 0, 1) * 0.55),
                       mix(col, col * 0.72, np.clip(-k, 0, 1) * 0.6))
    c.paint(m, col)
    if rim is not None:
        d = c.y - ridge[None, :]
        r = np.clip(1 - d / rim_w, 0, 1) * m
        c.paint(r, C(rim), 0.55)
    return m


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
        sy = top[1] + L * math.sin(a) * ts + droop * L * ts ** 2
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
                lay.polygon([(p[0] - d[k, 0] * lw * 1.6, p[1] - d[k, 1] * lw * 1.6),
                             (p[0] + d[k, 0] * lw * 1.6, p[1] + d[k, 1] * lw * 1.6), q], fill)
    lay.circle(top[0], top[1], h * 0.03, fill)


def sampan(x, y, s=1.0):
    """Boat with a rower in a conical hat; returns a list of polygons/lines."""
    P = lambda pts: [(x + px * s, y + py * s) for px, py in pts]
    shapes = []
    shapes.append(("poly", P([(-78, -18), (-60, -2), (-20, 3), (40, 3), (70, -3), (84, -20),
                              (60, -9), (10, -8), (-50, -8)])))
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
    c.fill(c.vgrad([(0.0, "#23244f"), (0.22, "#4b3a78"), (0.40, "#a45a86"),
                    (0.50, "#ee8a72"), (0.56, "#ffc987"), (1.0, "#ffc987")]))
    sx, sy = w * 0.63, yh - 62
    c.screen(c.glow(sx, sy, 520, 1.6), C("#ff9a62"), 0.55)
    c.screen(c.glow(sx, sy, 190, 1.8), C("#ffd9a0"), 0.7)
    c.paint(c.disc(sx, sy, 74), C("#fff4d6"))
    # long thin dawn clouds
    lay = c.layer()
    for i in range(9):
        cy = rng.uniform(h * 0.12, h * 0.47)
        cx = rng.uniform(-100, w + 100)
        cw = rng.uniform(260, 720)
        ch = rng.uniform(10, 22)
        t = (cy - h * 0.12) / (h * 0.35)
        col = "#f6a07f" if t > 0.55 else "#c777a0"
        lay.rect((cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2), rgba(col, 0.55), radius=ch / 2)
    c.comp(lay, blur_px=1.2)
    # far tree line on the horizon
    xs = c.xs()
    far = yh - 8 - np.abs(wave(xs, rng, 10, 300, 4)) - 6 * (np.sin(xs / 23) > 0.6)
    c.paint(c.below(far), C("#a0647f"))
    lay = c.layer()
    for i in range(26):
        x = rng.uniform(0, w)
        palm(lay, x, yh, rng.uniform(34, 60), rng.uniform(-0.1, 0.1), rgba("#93597a"), rng, 7)
    c.comp(lay)
    # land below the horizon
    land = c.vgrad([(0.0, "#8e5f7c"), (0.06, "#6b5a6c"), (0.25, "#3f5a52"), (1.0, "#1b3530")],
                   yh, h)
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
        tt = lambda yy: max((yy - yh) / (h - yh), 1e-3)
        for X0, X1 in zip(bounds[:-1], bounds[1:]):
            tone = rng.choice(["#86b27a", "#a7bf6e", "#5f8f6a", "#c7b46a"], p=[0.4, 0.25, 0.25, 0.1])
            a = rng.uniform(0.05, 0.16)
            lay.polygon([(vpx + X0 * tt(y0), y0), (vpx + X1 * tt(y0), y0),
                         (vpx + X1 * tt(y1), y1), (vpx + X0 * tt(y1), y1)], rgba(tone, a))
        lay.line([(0, y0), (w, y0)], rgba("#ffc98f", 0.14 * (1 - k / n) + 0.03), 1.0 + 1.6 * t0)
    c.comp(lay)
    # river: meandering band widening towards the viewer
    d = np.clip((c.y[:, 0] - yh) / (h - yh), 0, 1)
    xc = w * (0.60 - 0.10 * d + 0.07 * np.sin(d * 6.0 + 0.4) * d ** 0.7)
    half = w * (0.006 + 0.34 * d ** 1.35)
    xl = (xc - half)[:, None]
    xr = (xc + half)[:, None]
    river = np.clip((c.x - xl) * SS + 0.5, 0, 1) * np.clip((xr - c.x) * SS + 0.5, 0, 1)
    river *= (c.y > yh + 0.5)
    water = c.vgrad([(0.0, "#ffd29a"), (0.08, "#f39a7c"), (0.35, "#a6608a"), (1.0, "#3c3468")],
                    yh, h)
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
        lay.rect((sx + off - L / 2, y, sx + off + L / 2, y + th), rgba("#fff0c8", 0.85 - 0.6 * t),
                 radius=th / 2)
        y += th + 4 + 16 * t * rng.uniform(0.5, 1.5)
        k += 1
    g = lay.alpha()
    c.paint(g * river, C("#fff0c8"), 0.9)
    lay = c.layer()
    for i in range(120):
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
        lay.arc((bx - rw, by - 6 - i * 3, bx + rw, by + 10 + i * 5), 10, 170,
                rgba("#ffe2b8", 0.35 - i * 0.05), 2)
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
    for i in range(140):
        x = rng.uniform(0, w)
        if abs(x - w * 0.5) < w * 0.32:
            continue
        hh = rng.uniform(30, 110)
        lay.polygon([(x - 5, h + 2), (x + rng.uniform(-30, 30), h - hh), (x + 5, h + 2)],
                    rgba("#171a2b"))
    c.comp(lay)
    lay = c.layer()
    birds(lay, rng, 7, w * 0.25, h * 0.18, w * 0.55, h * 0.34, 16, rgba("#3a2a55", 0.9))
    c.comp(lay)
    return c.finish(grain=2.0, vignette=0.25, vignette_color="#1a1533")


def mountains(c: Canvas, rng, layers, haze_col, fog=0.5, fog_depth=160):
    """Layered ranges: [(base_y, amp, wavelength, colour), ...] far to near."""
    xs = c.xs()
    for base, amp, wl, col in layers:
        r = base - np.abs(wave(xs, rng, amp, wl, 3, 0.4)) * 0.9 - wave(xs, rng, amp * 0.3, wl * 0.45, 2)
        m = c.below(r)
        c.paint(m, C(col))
        if fog:
            f = smoothstep(base - amp * 0.2, base + fog_depth, c.y) * fog
            c.paint(m * f, C(haze_col))


def terraces(c: Canvas, rng, ridge, bottom, n, palette, water_col, water_p=0.2,
             curve=1.15, wall="#3f5a2a", light="#fff2c2", wob=6.0):
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
    tone = (wave(xs, rng, 0.08, 700, 2)[None, :] + 1.0)
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
    mountains(c, rng, [
        (h * 0.36, 140, 900, "#a7bdd0"),
        (h * 0.43, 120, 700, "#8eaabb"),
        (h * 0.50, 110, 650, "#7497a0"),
    ], "#eef0ea", fog=0.75, fog_depth=200)
    pal_green = ["#9cc25b", "#b7cf6a", "#86b34f", "#c8d66f", "#a4c862"]
    pal_gold = ["#d8c25a", "#e4cf6c", "#c9b54e", "#b9c25c", "#e8d47c"]
    # hill 1 (mid, right)
    r1 = h * 0.55 - 150 * np.exp(-((xs - w * 0.68) / 520) ** 2) + wave(xs, rng, 14, 500, 3)
    terraces(c, rng, r1, h * 1.05, 26, pal_green, "#c5dbe2", 0.12, wob=10)
    # mist pooling in front of hill 1
    c.paint(smoothstep(h * 0.60, h * 0.74, c.y) * (1 - smoothstep(h * 0.74, h * 0.86, c.y)),
            C("#f2f2ea"), 0.55)
    # hill 2 (left, golden)
    r2 = h * 0.70 - 230 * np.exp(-((xs - w * 0.18) / 600) ** 2) + wave(xs, rng, 12, 420, 3)
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
    tree_blobs(lay, rng, [(hx + 140, hy + 10), (hx + 190, hy + 24), (hx - 150, hy + 12)], 34,
               rgba("#4e7a3a"), rgba("#3d2f22"))
    c.comp(lay)
    # hill 3 (foreground, right)
    r3 = h * 0.86 - 170 * np.exp(-((xs - w * 0.95) / 520) ** 2) + wave(xs, rng, 10, 380, 3)
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
    snow_line = base - height * 0.62 + 18 * np.sin(xs / 9.0) * np.clip(1 - d * 2.5, 0, 1) \
        + 22 * (np.sin(xs / 31.0) > 0.3)
    sm = m * np.clip((snow_line[None, :] - c.y) * SS + 0.5, 0, 1)
    c.paint(sm, C(snow))


def buildings(lay: Layer, rng, x0, x1, base, hmin, hmax, wmin, wmax, fill, win=None, win_p=0.3,
              roof=True):
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
    c.fill(c.vgrad([(0.0, "#10143a"), (0.28, "#28296a"), (0.50, "#6a4690"), (0.66, "#d56f86"),
                    (0.76, "#ffad7a"), (0.82, "#ffd39a"), (1.0, "#ffd39a")]))
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
    windows(lay, rng, boxes, [rgba("#ffcf8a", 0.8), rgba("#ffe6b8", 0.7), rgba("#9fd3ff", 0.6)],
            0.10, cell=(16, 24), size=(8, 11))
    c.comp(lay)
    # near buildings
    lay = c.layer()
    boxes = buildings(lay, rng, -40, w + 40, h + 10, 260, 560, 110, 240, rgba("#1b1838"))
    # skip the area right in front of the tower base to keep it readable
    c.comp(lay)
    lay = c.layer()
    windows(lay, rng, boxes, [rgba("#ffd28a"), rgba("#ffe9c4"), rgba("#8fd0ff"), rgba("#ff9f80")],
            0.18, cell=(22, 30), size=(12, 16), margin=14)
    for x, top, bw, bh in boxes:
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
    specs = [(-38, 0.95, 0.30), (38, 0.95, 0.30), (-12, 1.05, 0.30), (12, 1.05, 0.30),
             (-68, 0.80, 0.26), (68, 0.80, 0.26), (-24, 0.90, 0.33), (24, 0.90, 0.33), (0, 0.95, 0.34)]
    for i, (ang, lf, wf) in enumerate(specs):
        m = c.mask_of(lambda l: l.polygon(petal(cx, cy, size * lf, size * wf, ang), (255, 255, 255, 255)))
        c.paint(m, grad)
        # soft edge definition
        lay = c.layer()
        lay.line(petal(cx, cy, size * lf, size * wf, ang) + [petal(cx, cy, size * lf, size * wf, ang)[0]],
                 rgba("#c23d70", 0.35), 1.6)
        c.comp(lay)
    c.paint(c.disc(cx, cy - size * 0.12, size * 0.10), C("#f6d36b"), 0.9)


def scene_lotus_pond():
    """Lotus pond at dawn (Đồng Tháp Mười style)."""
    w, h = 2000, 1500
    c = Canvas(w, h, seed=104)
    rng = c.rng
    xs = c.xs()
    yh = h * 0.40
    c.fill(c.vgrad([(0.0, "#9dc3d6"), (0.22, "#d9d6dc"), (0.36, "#f7d9cc"), (0.40, "#fde6c6"),
                    (1.0, "#fde6c6")]))
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
    for i in range(90):
        t = rng.uniform(0, 1)
        y = yh + 6 + (h - yh) * t ** 1.6
        x = rng.uniform(0, w)
        L = rng.uniform(40, 180) * (0.3 + t)
        lay.rect((x, y, x + L, y + 1 + 2 * t), rgba("#ffffff", 0.25), radius=2)
    c.comp(lay)
    # lily-pad style lotus leaves floating, far to near
    leaves = []
    for i in range(80):
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
        lay.ellipse((x - rw * 0.6, y - rh * 0.7, x + rw * 0.6, y + rh * 0.4),
                    rgba(mix(col, C("#ffffff"), 0.06)))
        # veins radiating from the centre
        for k in range(9):
            a = 2 * math.pi * (k + 0.5) / 9
            lay.line([(x, y), (x + rw * 0.88 * math.cos(a), y + rh * 0.85 * math.sin(a))],
                     rgba(mix(col, C("#d8efc0"), 0.3)), 1 + t * 1.5)
        # the notch of a lotus leaf
        lay.polygon([(x, y), (x + rw * 0.2, y + rh * 1.05), (x + rw * 0.02, y + rh * 1.05)],
                    rgba(mix(col, C("#1f4a35"), 0.25)))
        c.comp(lay)
    # standing leaves and flowers on stems
    stems = [(w * 0.64, h * 0.63, 150), (w * 0.80, h * 0.72, 210), (w * 0.46, h * 0.80, 260),
             (w * 0.18, h * 0.74, 190), (w * 0.92, h * 0.58, 110)]
    lay = c.layer()
    for x, y, s in stems:
        lay.line([(x, y), (x + s * 0.05, y + s * 2.0)], rgba("#3f6f45"), max(3, s * 0.04))
    # cupped standing leaves
    for x, y, s in [(w * 0.56, h * 0.70, 190), (w * 0.30, h * 0.66, 150), (w * 0.88, h * 0.80, 220)]:
        lay.line([(x, y), (x - s * 0.05, y + s * 2.0)], rgba("#3f6f45"), max(3, s * 0.04))
        lay.ellipse((x - s, y - s * 0.45, x + s, y + s * 0.2), rgba("#4d8a55"))
        lay.ellipse((x - s * 0.9, y - s * 0.45, x + s * 0.9, y - s * 0.02), rgba("#7ab46a"))
        for k in range(7):
            a = math.pi * (0.1 + 0.8 * k / 6)
            lay.line([(x, y - s * 0.18), (x - s * 0.85 * math.cos(a), y - s * 0.2 - s * 0.2 * math.sin(a))],
                     rgba("#98c683"), 2)
    c.comp(lay)
    for x, y, s in stems[:4]:
        lotus_flower(c, x, y, s)
    # buds
    x, y, s = stems[4]
    m = c.mask_of(lambda l: l.polygon(petal(x, y, s * 1.1, s * 0.35, 0), (255, 255, 255, 255)))
    c.paint(m, c.vgrad([(0, "#e5578a"), (1, "#fbd6e2")], y - s * 1.1, y))
    lay = c.layer()
    lay.line([(w * 0.08, h * 0.70), (w * 0.085, h * 1.0)], rgba("#3f6f45"), 6)
    c.comp(lay)
    m = c.mask_of(lambda l: l.polygon(petal(w * 0.08, h * 0.70, 120, 40, 8), (255, 255, 255, 255)))
    c.paint(m, c.vgrad([(0, "#e5578a"), (1, "#fbd6e2")], h * 0.70 - 120, h * 0.70))
    return c.finish(grain=1.8, vignette=0.2, vignette_color="#23403a")


SCENES = {
    "delta-dawn.jpg": scene_delta_dawn,
    "rice-terraces.jpg": scene_rice_terraces,
    "tokyo-dusk.jpg": scene_tokyo_dusk,
    "lotus-pond.jpg": scene_lotus_pond,
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
        print(f"wrote {p.relative_to(ROOT)}  {im.size[0]}x{im.size[1]}  {p.stat().st_size // 1024} KB")
    if not wanted or "logo" in wanted:
        for p in make_logo():
            print(f"wrote {p.relative_to(ROOT)}")
    return 0


def make_logo():
    return []


if __name__ == "__main__":
    sys.exit(main())
