"""Frames, fast: stills are converted to YUV once; each frame is a crop, a small resize,
a blend or a paste of pre-rendered pieces.

Why YUV 4:2:0 planes (three Pillow "L" images) instead of RGB: the encoder wants
yuv420p anyway, a frame is half the bytes (less to build, copy and pipe), and a zoom
resamples 1.5 bytes per pixel instead of 4 (Pillow keeps RGB as RGBX). Conversion uses
BT.709 limited range, which the encoder tags on the stream.

Per-frame work, measured at 1080x1920 on the 2-core machine:
- still scenes reuse the same bytes object (no work at all);
- zooms and pans point-sample a window of a 2x plate made once (about 2 ms; a
  bilinear resize of the window costs 17-20 ms, ffmpeg's scale about 12 ms);
- crossfades blend two frames (about 5 ms), captions paste one small bitmap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from outreach.layout.text import word_offsets
from outreach.render.video.captions import Chunk
from outreach.render.video.timeline import Scene, Timeline

NEAREST = Image.Resampling.NEAREST


@dataclass
class Planes:
    """One frame (or still) as yuv420p: y at full size, u and v at half size."""

    y: Image.Image
    u: Image.Image
    v: Image.Image

    def copy(self) -> Planes:
        return Planes(self.y.copy(), self.u.copy(), self.v.copy())

    def tobytes(self) -> bytes:
        return self.y.tobytes() + self.u.tobytes() + self.v.tobytes()

    @property
    def size(self) -> tuple[int, int]:
        return self.y.size


@dataclass
class Overlay:
    """A pre-rendered RGBA piece (a caption) as planes plus alpha, with its position."""

    planes: Planes
    alpha: Image.Image
    alpha_c: Image.Image
    x: int  # even, so the chroma position is exact
    y: int

    def paste(self, dst: Planes, crop: tuple[int, int, int, int] | None = None) -> None:
        """Paste the whole overlay, or only `crop` (x0, y0, x1, y1 in overlay pixels)."""
        if crop is None:
            dst.y.paste(self.planes.y, (self.x, self.y), self.alpha)
            pos = (self.x // 2, self.y // 2)
            dst.u.paste(self.planes.u, pos, self.alpha_c)
            dst.v.paste(self.planes.v, pos, self.alpha_c)
            return
        else:
            x0, y0 = crop[0] - crop[0] % 2, crop[1] - crop[1] % 2
            x1, y1 = crop[2] + crop[2] % 2, crop[3] + crop[3] % 2
            x1, y1 = min(x1, self.alpha.width), min(y1, self.alpha.height)
            if x1 <= x0 or y1 <= y0:
                return
        box = (x0, y0, x1, y1)
        cbox = (x0 // 2, y0 // 2, x1 // 2, y1 // 2)
        dst.y.paste(self.planes.y.crop(box), (self.x + x0, self.y + y0), self.alpha.crop(box))
        pos = ((self.x + x0) // 2, (self.y + y0) // 2)
        dst.u.paste(self.planes.u.crop(cbox), pos, self.alpha_c.crop(cbox))
        dst.v.paste(self.planes.v.crop(cbox), pos, self.alpha_c.crop(cbox))


# --- colour conversion -------------------------------------------------------------------

_KR, _KB = 0.2126, 0.0722


def _yuv_float(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = rgb.astype(np.float32) / 255.0
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = _KR * r + (1 - _KR - _KB) * g + _KB * b
    cb = (b - y) / (2 * (1 - _KB))
    cr = (r - y) / (2 * (1 - _KR))
    return 16 + 219 * y, 128 + 224 * cb, 128 + 224 * cr


def _half(a: np.ndarray) -> np.ndarray:
    h, w = a.shape
    return a[: h - h % 2, : w - w % 2].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def _l(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8))


_KG = 1 - _KR - _KB
_YS, _CS = 219 / 255, 224 / 255
#: RGB -> (Y, Cb, Cr) as one affine matrix, so Pillow converts in C.
_MATRIX = (
    _YS * _KR,
    _YS * _KG,
    _YS * _KB,
    16.0,
    -_CS * _KR / (2 * (1 - _KB)),
    -_CS * _KG / (2 * (1 - _KB)),
    _CS / 2,
    128.0,
    _CS / 2,
    -_CS * _KG / (2 * (1 - _KR)),
    -_CS * _KB / (2 * (1 - _KR)),
    128.0,
)


def to_planes(image: Image.Image) -> Planes:
    """An RGB still (even width and height) as BT.709 limited-range yuv420p planes."""
    ycc = image.convert("RGB").convert("RGB", _MATRIX)
    y, u, v = ycc.split()
    return Planes(y, u.reduce(2), v.reduce(2))


def to_rgb(planes: Planes) -> np.ndarray:
    """yuv420p planes back to an RGB array (for previews and checks, not the encode path)."""
    w, h = planes.size
    y = (np.asarray(planes.y, dtype=np.float32) - 16) / 219
    cb = (
        np.asarray(planes.u.resize((w, h), Image.Resampling.BILINEAR), dtype=np.float32) - 128
    ) / 224
    cr = (
        np.asarray(planes.v.resize((w, h), Image.Resampling.BILINEAR), dtype=np.float32) - 128
    ) / 224
    r = y + 2 * (1 - _KR) * cr
    b = y + 2 * (1 - _KB) * cb
    g = (y - _KR * r - _KB * b) / _KG
    rgb = np.stack([r, g, b], axis=-1) * 255
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


def to_overlay(image: Image.Image, x: int, y: int) -> Overlay:
    """An RGBA piece as planes + alpha; chroma is averaged by coverage so edges stay clean."""
    if x % 2:
        image = _pad(image, left=1)
        x -= 1
    if y % 2:
        image = _pad(image, top=1)
        y -= 1
    if image.width % 2 or image.height % 2:
        image = _pad(image, right=image.width % 2, bottom=image.height % 2)
    arr = np.asarray(image.convert("RGBA"))
    a = arr[..., 3].astype(np.float32) / 255.0
    yy, cb, cr = _yuv_float(arr[..., :3])
    a_half = _half(a)
    safe = np.maximum(a_half, 1e-6)
    u = np.where(a_half > 0, _half(cb * a) / safe, 128)
    v = np.where(a_half > 0, _half(cr * a) / safe, 128)
    return Overlay(Planes(_l(yy), _l(u), _l(v)), _l(a * 255), _l(a_half * 255), x, y)


def _pad(
    image: Image.Image, left: int = 0, top: int = 0, right: int = 0, bottom: int = 0
) -> Image.Image:
    out = Image.new("RGBA", (image.width + left + right, image.height + top + bottom), (0, 0, 0, 0))
    out.paste(image, (left, top))
    return out


def blend(a: Planes, b: Planes, t: float) -> Planes:
    return Planes(Image.blend(a.y, b.y, t), Image.blend(a.u, b.u, t), Image.blend(a.v, b.v, t))


# --- scene renderers ---------------------------------------------------------------------


class StillRenderer:
    """A scene that never moves (cover, quote, CTA): one set of planes, one bytes object."""

    def __init__(self, planes: Planes):
        self.planes = planes
        self.static = True
        self._bytes: bytes | None = None

    def frame(self, k: int, n: int) -> Planes:
        return self.planes

    def frame_bytes(self) -> bytes:
        if self._bytes is None:
            self._bytes = self.planes.tobytes()
        return self._bytes


class MotionRenderer:
    """Ken Burns on a plate a little larger than the frame, held at 2x (supersampled).

    Each frame point-samples its window from the 2x plate: the plate is band-limited
    by its smooth upscale, so this is as clean as a bilinear resize at 1/2-pixel
    precision (jitter below a quarter pixel), at a tenth of the cost (about 2 ms).
    """

    SS = 2

    def __init__(self, plate: Planes, size: tuple[int, int], motion: str):
        self.size = size
        self.motion = motion
        self.static = motion == "none"
        self.base = plate.size
        if self.static:
            self.plate = plate
        else:
            k = self.SS
            up = Image.Resampling.BILINEAR  # then point-sampled: as smooth as bicubic here
            self.plate = Planes(
                plate.y.resize((plate.y.width * k, plate.y.height * k), up),
                plate.u.resize((plate.u.width * k, plate.u.height * k), up),
                plate.v.resize((plate.v.width * k, plate.v.height * k), up),
            )

    def window(self, t: float) -> tuple[float, float, float, float]:
        """(x, y, w, h) of the visible part of the 1x plate at time t in [0, 1]."""
        pw, ph = self.base
        w, h = self.size
        if self.motion in ("zoom-in", "zoom-out"):
            zmax = min(pw / w, ph / h)
            # Geometric interpolation: the zoom speed looks constant.
            z = zmax ** (t if self.motion == "zoom-in" else 1 - t)
            cw, ch = pw / z, ph / z
            return ((pw - cw) / 2, (ph - ch) / 2, cw, ch)
        mx, my = pw - w, ph - h
        # Ease in and out a little, so scene changes do not jerk.
        e = t * t * (3 - 2 * t) * 0.5 + t * 0.5
        x, y = mx / 2, my / 2
        if self.motion == "pan-left":
            x = mx * (1 - e)
        elif self.motion == "pan-right":
            x = mx * e
        elif self.motion == "pan-up":
            y = my * (1 - e)
        elif self.motion == "pan-down":
            y = my * e
        return (x, y, float(w), float(h))

    def frame(self, k: int, n: int) -> Planes:
        w, h = self.size
        if self.static:
            return self.plate
        x, y, cw, ch = self.window(k / max(1, n - 1))
        s = self.SS
        box = (x * s, y * s, (x + cw) * s, (y + ch) * s)
        cbox = (box[0] / 2, box[1] / 2, box[2] / 2, box[3] / 2)
        return Planes(
            self.plate.y.resize((w, h), NEAREST, box=box),
            self.plate.u.resize((w // 2, h // 2), NEAREST, box=cbox),
            self.plate.v.resize((w // 2, h // 2), NEAREST, box=cbox),
        )


class CountRenderer:
    """A fact card whose number counts up from zero once the scene has faded in.

    Each distinct intermediate value is drawn once, as a small opaque patch over the card;
    a frame is the card without its number plus one patch.
    """

    def __init__(
        self,
        base: Planes,
        final: Planes,
        patches: dict[str, Planes],
        at: tuple[int, int],
        schedule: list[str],
        delay: int,
    ):
        self.base = base
        self.final = final
        self.patches = patches
        self.at = (at[0] - at[0] % 2, at[1] - at[1] % 2)
        self.schedule = schedule
        self.delay = delay
        self.static = False

    def frame(self, k: int, n: int) -> Planes:
        j = k - self.delay
        if j >= len(self.schedule):
            return self.final
        patch = self.patches[self.schedule[max(0, j)]]
        out = self.base.copy()
        x, y = self.at
        out.y.paste(patch.y, (x, y))
        out.u.paste(patch.u, (x // 2, y // 2))
        out.v.paste(patch.v, (x // 2, y // 2))
        return out


class RevealRenderer:
    """A fact card whose big value slides up and fades in once the scene has faded in."""

    def __init__(
        self,
        base: Planes,
        final: Planes,
        region: tuple[int, int, int, int],
        frames: int,
        rise: int,
        delay: int = 0,
    ):
        self.base = base
        self.final = final
        self.region = tuple(c - c % 2 for c in region)
        self.anim = max(1, frames)
        self.rise = rise - rise % 2
        self.delay = delay
        self.static = False

    def frame(self, k: int, n: int) -> Planes:
        k -= self.delay
        if k < 0:
            return self.base
        if k >= self.anim:
            return self.final
        t = (k + 1) / self.anim
        e = 1 - (1 - t) ** 3
        x0, y0, x1, y1 = self.region
        dy = round(self.rise * (1 - e)) // 2 * 2
        out = self.base.copy()
        for name, div in (("y", 1), ("u", 2), ("v", 2)):
            src: Image.Image = getattr(self.final, name)
            dst: Image.Image = getattr(out, name)
            box = (x0 // div, y0 // div, x1 // div, (y1 - dy) // div)
            piece = src.crop(box)
            under = dst.crop((box[0], box[1] + dy // div, box[2], box[3] + dy // div))
            dst.paste(Image.blend(under, piece, e), (box[0], box[1] + dy // div))
        return out


# --- captions ----------------------------------------------------------------------------


@dataclass
class CaptionArt:
    """A chunk drawn twice (plain, and in the highlight colour) plus each word's rectangle."""

    chunk: Chunk
    plain: Overlay
    lit: Overlay | None
    rects: dict[tuple[int, int], tuple[int, int, int, int]]  # (line, word) -> overlay pixels

    def paste(self, dst: Planes, frame: int) -> None:
        self.plain.paste(dst)
        if self.lit is None:
            return
        word = self.chunk.word_at(frame)
        if word is not None and (word.line, word.index) in self.rects:
            self.lit.paste(dst, self.rects[(word.line, word.index)])


def word_rects(
    chunk: Chunk, scale: float, origin: tuple[int, int]
) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Each word's box in overlay pixels: its advance, from the marks to the descenders."""
    block = chunk.block
    rects = {}
    pad = block.size * 0.12
    for li, line in enumerate(block.lines):
        for wi, (_word, off, width) in enumerate(word_offsets(line.text, block.style, block.size)):
            x0 = (line.x + off - pad) * scale - origin[0]
            x1 = (line.x + off + width + pad) * scale - origin[0]
            y0 = (line.baseline - block.size * 1.05) * scale - origin[1]
            y1 = (line.baseline + block.size * 0.4) * scale - origin[1]
            rects[(li, wi)] = (max(0, int(x0)), max(0, int(y0)), int(x1 + 1), int(y1 + 1))
    return rects


# --- the compositor ----------------------------------------------------------------------


class Lazy:
    """A value built on first use (a scene's renderer, its caption bitmaps)."""

    def __init__(self, build: Callable[[], Any]):
        self._build: Callable[[], Any] | None = build
        self._value: Any = None

    def get(self) -> Any:
        if self._build is not None:
            self._value = self._build()
            self._build = None
        return self._value


def _get(x: Any) -> Any:
    return x.get() if isinstance(x, Lazy) else x


def frame_stream(timeline: Timeline, renderers: list, captions: dict[int, Any]) -> Iterator[bytes]:
    """Every frame of the video as yuv420p bytes, in order.

    `renderers[i]` draws scene i; `captions[i]` are the caption pieces of scene i; either
    may be `Lazy`. Scenes are let go once they are over, so memory stays flat.
    """
    scenes = timeline.scenes
    live: dict[int, tuple[Any, list]] = {}
    for f in range(timeline.total_frames):
        active = [i for i, sc in enumerate(scenes) if sc.start <= f < sc.end]
        for i in [i for i in live if i not in active]:
            del live[i]
        for i in active:
            if i not in live:
                live[i] = (_get(renderers[i]), _get(captions.get(i, [])))
        if len(active) == 1:
            i = active[0]
            r, arts = live[i]
            art = _caption_at(arts, f)
            if r.static and art is None and isinstance(r, StillRenderer):
                yield r.frame_bytes()
                continue
            yield _draw(scenes[i], r, art, f).tobytes()
        else:
            a, b = active[0], active[-1]
            fa = _draw(scenes[a], live[a][0], _caption_at(live[a][1], f), f)
            fb = _draw(scenes[b], live[b][0], _caption_at(live[b][1], f), f)
            sb = scenes[b]
            span = max(1, sb.own_start - sb.start)
            t = (f - sb.start + 1) / (span + 1)
            yield blend(fa, fb, t).tobytes()


def scene_frame(
    timeline: Timeline, renderers: list, captions: dict[int, list[CaptionArt]], i: int, f: int
) -> Planes:
    """Scene i alone at global frame f, with its caption: one layer of the composition."""
    return _draw(
        timeline.scenes[i], _get(renderers[i]), _caption_at(_get(captions.get(i, [])), f), f
    )


def _caption_at(arts: list[CaptionArt], f: int) -> CaptionArt | None:
    for art in arts:
        if art.chunk.start <= f < art.chunk.end:
            return art
    return None


def _draw(scene: Scene, renderer: object, art: CaptionArt | None, f: int) -> Planes:
    planes: Planes = renderer.frame(f - scene.start, scene.frames)  # type: ignore[attr-defined]
    if art is None:
        return planes
    if getattr(renderer, "static", False) or isinstance(renderer, RevealRenderer | CountRenderer):
        planes = planes.copy()
    art.paste(planes, f)
    return planes
