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

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
        return b"".join(_raw(p) for p in (self.y, self.u, self.v))

    @property
    def size(self) -> tuple[int, int]:
        return self.y.size


def _raw(image: Image.Image) -> bytes:
    """An "L" image's bytes in one encoder call (Image.tobytes encodes 64 KB at a time and
    joins the pieces: 4.5 ms for a 1080x1920 plane, against 0.2 ms here)."""
    size = image.size[0] * image.size[1]
    encoder = Image._getencoder(image.mode, "raw", (image.mode, 0, 1))
    encoder.setimage(image.im)
    _length, status, data = encoder.encode(size)
    if status != 1 or len(data) != size:  # never for "L"; keep the safe path anyway
        return image.tobytes()
    return data


@dataclass
class Overlay:
    """A pre-rendered RGBA piece (a caption) as planes plus alpha, with its position."""

    planes: Planes
    alpha: Image.Image
    alpha_c: Image.Image
    x: int  # even, so the chroma position is exact
    y: int

    def paste_faded(self, dst: Planes, opacity: float, dy: int = 0) -> None:
        """Paste the whole overlay at `opacity`, moved down by `dy` (even) pixels."""
        lut = [round(v * opacity) for v in range(256)]
        a, ac = self.alpha.point(lut), self.alpha_c.point(lut)
        dst.y.paste(self.planes.y, (self.x, self.y + dy), a)
        pos = (self.x // 2, (self.y + dy) // 2)
        dst.u.paste(self.planes.u, pos, ac)
        dst.v.paste(self.planes.v, pos, ac)

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
    """A scene that never moves: one set of planes, one bytes object (rare: tests, a
    photo-less beat whose captions provide the motion)."""

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


class SuperPlate:
    """A plate upsampled 4x once (bilinear), so that any window can be point-sampled at a
    quarter-pixel precision: as smooth as a per-frame bilinear resize for slow moves
    (jitter at most 1/8 px, far below what shows), at a fifth of its cost (about 5 ms a
    frame at 1080x1920 against 26 ms). Built on first use and dropped with its scene.
    """

    SS = 4
    #: Chroma is half resolution and smooth: half a chroma pixel (one luma pixel) is
    #: precise enough, and a 2x chroma plate costs a quarter of a 4x one.
    SS_CHROMA = 2

    def __init__(self, planes: Planes):
        self.base = planes
        self._up: Planes | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.base.size

    def _planes(self) -> Planes:
        if self._up is None:
            k = self.SS
            up = Image.Resampling.BILINEAR
            b = self.base
            kc = self.SS_CHROMA
            self._up = Planes(
                b.y.resize((b.y.width * k, b.y.height * k), up),
                b.u.resize((b.u.width * kc, b.u.height * kc), up),
                b.v.resize((b.v.width * kc, b.v.height * kc), up),
            )
        return self._up

    def sample(self, window: tuple[float, float, float, float], size: tuple[int, int]) -> Planes:
        x, y, cw, ch = window
        w, h = size
        if (x, y, cw, ch) == (0.0, 0.0, float(w), float(h)) and self.base.size == size:
            return self.base
        p = self._planes()
        k, kc = self.SS, self.SS_CHROMA / 2
        box = (x * k, y * k, (x + cw) * k, (y + ch) * k)
        cbox = (x * kc, y * kc, (x + cw) * kc, (y + ch) * kc)
        return Planes(
            p.y.resize((w, h), NEAREST, box=box),
            p.u.resize((w // 2, h // 2), NEAREST, box=cbox),
            p.v.resize((w // 2, h // 2), NEAREST, box=cbox),
        )


class MotionRenderer:
    """A photo beat: each shot's plate seen through a moving window (motion.camera).

    Plates are made on first use, one shot at a time, and the shot before is let go."""

    def __init__(
        self,
        size: tuple[int, int],
        camera: Any,
        plates: list[Callable[[], Planes]],
    ):
        self.size = size
        self.camera = camera
        self._plates = plates
        self._shot = -1
        self.plate: SuperPlate | None = None
        self.static = False

    def frame(self, k: int, n: int) -> Planes:
        shot, window = self.camera.plate_window(k)
        if shot != self._shot or self.plate is None:
            self.plate = SuperPlate(self._plates[shot]())
            self._shot = shot
        return self.plate.sample(window, self.size)


@dataclass
class Anim:
    """A piece of text (a line, a label) that rises and fades in."""

    overlay: Overlay
    start: int  # frame within the scene
    frames: int
    rise: int  # pixels it travels upwards

    def draw(self, dst: Planes, k: int) -> None:
        j = k - self.start
        if j < 0:
            return
        if j >= self.frames:
            self.overlay.paste(dst)
            return
        t = (j + 1) / self.frames
        e = 1 - (1 - t) ** 3
        dy = round(self.rise * (1 - e) / 2) * 2
        self.overlay.paste_faded(dst, min(1.0, e * 1.15), dy)

    @property
    def end(self) -> int:
        return self.start + self.frames

    def final(self, dst: Planes) -> None:
        self.overlay.paste(dst)


@dataclass
class Pop:
    """A word or a number that pops in: drawn larger first, settling to its size
    (`steps` are the pre-drawn larger versions, each centred where the final one is)."""

    overlay: Overlay
    steps: list[Overlay]
    start: int

    def draw(self, dst: Planes, k: int) -> None:
        j = k - self.start
        if j < 0:
            return
        if j >= len(self.steps):
            self.overlay.paste(dst)
            return
        self.steps[j].paste_faded(dst, min(1.0, 0.45 + 0.3 * (j + 1)))

    @property
    def end(self) -> int:
        return self.start + len(self.steps)

    def final(self, dst: Planes) -> None:
        self.overlay.paste(dst)


@dataclass
class Count:
    """A fact's number counting up (one pre-drawn overlay per value shown), then a pop as
    it lands on its final value."""

    values: dict[str, Overlay]
    schedule: list[str]  # the value shown at each frame from `start`
    start: int
    landing: list[Overlay]  # the final value drawn larger, settling back

    def draw(self, dst: Planes, k: int) -> None:
        j = k - self.start
        if j < 0:
            return  # the number appears as it starts counting
        if j < len(self.schedule):
            self.values[self.schedule[j]].paste(dst)
            return
        j -= len(self.schedule)
        if j < len(self.landing):
            self.landing[j].paste(dst)
            return
        self.values[self.schedule[-1]].paste(dst)

    @property
    def end(self) -> int:
        return self.start + len(self.schedule) + len(self.landing)

    def final(self, dst: Planes) -> None:
        self.values[self.schedule[-1]].paste(dst)


def _overlays(e: Any) -> list[Overlay]:
    """Every overlay an element may paste (to move it as a whole)."""
    if isinstance(e, Anim):
        return [e.overlay]
    if isinstance(e, Pop):
        return [e.overlay, *e.steps]
    if isinstance(e, Count):
        return [*e.values.values(), *e.landing]
    return []


class TypeRenderer:
    """A text scene (the opener's headline over its photo is `OpenerRenderer`) that is
    never still.

    Phase 1, from the frame the scene is fully in: its background (with a moving motif)
    and each element (a line rising in, a number counting up and popping) at its own
    frame, on the beat; elements overlap in time, so something moves in every frame.
    Phase 2, once they have landed (the frame is then the finished card): a slow push-in
    on the whole card, starting gently; a long card also cuts closer once (`punches`).
    `late` elements (the end card's handle on the closing hit, its credits) come in
    during phase 2, over the moving card, where the push-in has carried their place.
    """

    def __init__(
        self,
        base: Planes,
        size: tuple[int, int],
        elements: list[Any],
        zoom: float,
        anchor: tuple[float, float] = (0.5, 0.45),
        punches: tuple[int, ...] = (),
        punch: float = 1.06,
        late: list[Any] | None = None,
    ):
        self.base = base
        self.size = size
        self.elements = elements
        self.late = list(late or [])
        self.settle = max([1, *(e.end for e in elements)])
        full = base.copy()
        for e in elements:
            e.final(full)
        self.full = SuperPlate(full)
        self.zoom = zoom
        self.anchor = anchor
        self.punches = tuple(p for p in punches if p > self.settle + 15)
        self.punch = punch
        self.static = False

    def frame(self, k: int, n: int) -> Planes:
        from outreach.render.video.motion import card_window, card_zoom

        if k < self.settle:
            out = self.base.copy()
            for e in self.elements:
                e.draw(out, k)
            for e in self.late:
                e.draw(out, k)
            return out
        z = card_zoom(k, self.settle, n, self.zoom)
        z *= self.punch ** sum(1 for p in self.punches if k >= p)  # a cut closer
        window = card_window(z, self.size, self.anchor)
        out = self.full.sample(window, self.size)
        if not self.late:
            return out
        if out is self.full.base:
            out = out.copy()
        wx, wy, ww, _wh = window
        f = self.size[0] / ww
        for e in self.late:
            if k < getattr(e, "start", 0):
                continue
            pieces = _overlays(e)
            if not pieces:
                e.draw(out, k)
                continue
            o = pieces[0]
            cx, cy = o.x + o.alpha.width / 2, o.y + o.alpha.height / 2
            dx = round(((cx - wx) * f - cx) / 2) * 2
            dy = round(((cy - wy) * f - cy) / 2) * 2
            for p in pieces:
                p.x, p.y = p.x + dx, p.y + dy
            try:
                e.draw(out, k)
            finally:
                for p in pieces:
                    p.x, p.y = p.x - dx, p.y - dy
        return out


class OpenerRenderer:
    """The opener: its photo pushing in from the first frame, and the headline popping
    in word by word over it."""

    def __init__(
        self,
        plate: Planes,
        windows: list[tuple[float, float, float, float]],
        size: tuple[int, int],
        words: list[Pop],
    ):
        self.plate = SuperPlate(plate)
        self.windows = windows
        self.size = size
        self.words = words
        self.static = False

    def frame(self, k: int, n: int) -> Planes:
        window = self.windows[min(max(0, k), len(self.windows) - 1)]
        out = self.plate.sample(window, self.size)
        if out is self.plate.base:
            out = out.copy()
        for w in self.words:
            w.draw(out, k)
        return out


# --- captions ----------------------------------------------------------------------------


@dataclass
class CaptionArt:
    """A chunk drawn once plain and once highlighted (each word group on its pill), plus
    each group's rectangle: a frame pastes the plain chunk and the lit group's piece."""

    chunk: Chunk
    plain: Overlay
    lit: Overlay | None
    rects: dict[int, tuple[int, int, int, int]]  # highlight group -> overlay pixels

    def paste(self, dst: Planes, frame: int) -> None:
        self.plain.paste(dst)
        if self.lit is None:
            return
        group = self.chunk.group_at(frame)
        if group is not None and group in self.rects:
            self.lit.paste(dst, self.rects[group])


def word_rects(
    chunk: Chunk, scale: float, origin: tuple[int, int], pad_em: float = 0.14
) -> dict[int, tuple[int, int, int, int]]:
    """Each highlight group's pill in overlay pixels: the words' advance (a punctuation
    mark joins its word's pill), from above the marks to below the descenders."""
    block = chunk.block
    by_group: dict[int, list[float]] = {}
    pad = block.size * pad_em
    for li, line in enumerate(block.lines):
        offsets = word_offsets(line.text, block.style, block.size)
        for w in chunk.words:
            if w.line != li or w.index >= len(offsets):
                continue
            _word, off, width = offsets[w.index]
            x0 = (line.x + off - pad) * scale - origin[0]
            x1 = (line.x + off + width + pad) * scale - origin[0]
            y0 = (line.baseline - block.size * 1.0) * scale - origin[1]
            y1 = (line.baseline + block.size * 0.32) * scale - origin[1]
            r = by_group.get(w.group)
            by_group[w.group] = (
                [min(r[0], x0), min(r[1], y0), max(r[2], x1), max(r[3], y1)]
                if r
                else [x0, y0, x1, y1]
            )
    return {
        g: (max(0, int(r[0])), max(0, int(r[1])), int(r[2] + 1), int(r[3] + 1))
        for g, r in by_group.items()
    }


# --- the compositor ----------------------------------------------------------------------


class Lazy:
    """A value built on first use (a scene's renderer, its caption bitmaps), and dropped
    when its scene is over (`release`); it is built again if asked for again. Thread-safe:
    the compositor builds the next scene on a helper thread while this one is encoded."""

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._value: Any = None
        self._built = False
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if not self._built:
                self._value = self._build()
                self._built = True
            return self._value

    def release(self) -> None:
        with self._lock:
            self._value = None
            self._built = False


def _get(x: Any) -> Any:
    return x.get() if isinstance(x, Lazy) else x


def push(a: Planes, b: Planes, t: float) -> Planes:
    """Scene b pushes scene a out to the left: both slide, t from 0 (all a) to 1 (all b)."""
    w, h = a.size
    e = t * t * (3 - 2 * t)
    off = min(w, max(0, round(w * e / 2) * 2))
    if off <= 0:
        return a
    if off >= w:
        return b
    out = Planes(
        Image.new("L", (w, h)), Image.new("L", (w // 2, h // 2)), Image.new("L", (w // 2, h // 2))
    )
    for name, div in (("y", 1), ("u", 2), ("v", 2)):
        src_a: Image.Image = getattr(a, name)
        src_b: Image.Image = getattr(b, name)
        dst: Image.Image = getattr(out, name)
        o, ww, hh = off // div, w // div, h // div
        dst.paste(src_a.crop((o, 0, ww, hh)), (0, 0))
        dst.paste(src_b.crop((0, 0, o, hh)), (ww - o, 0))
    return out


def frame_stream(
    timeline: Timeline,
    renderers: list,
    captions: dict[int, Any],
    meter: FreezeMeter | None = None,
    frames: range | None = None,
) -> Iterator[bytes]:
    """Every frame of the video (or the `frames` of one segment) as yuv420p bytes, in order.

    `renderers[i]` draws scene i; `captions[i]` are the caption pieces of scene i; either
    may be `Lazy`. Scenes are let go once they are over, so memory stays flat. Where two
    scenes overlap (a push), the incoming one slides in over the push frames. A `meter`
    measures frozen time on the way.
    """
    for planes in plane_stream(timeline, renderers, captions, frames):
        data = planes.tobytes()
        if meter is not None:
            meter.add(data, planes.size)
        yield data


def plane_stream(
    timeline: Timeline, renderers: list, captions: dict[int, Any], frames: range | None = None
) -> Iterator[Planes]:
    """The frames as planes (what frame_stream serialises; also for checks and previews)."""
    scenes = timeline.scenes
    wanted = range(timeline.total_frames) if frames is None else frames
    live: dict[int, tuple[Any, list]] = {}
    # Scene i + 1 is prepared (cards composed, plates upsampled) on a helper thread while
    # scene i is encoded: Pillow releases the GIL, so the encoder is never kept waiting.
    ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outreach-scene")
    prepared: set[int] = set()

    def prepare(i: int) -> None:
        if i < len(scenes) and i not in prepared and scenes[i].start < wanted.stop:
            prepared.add(i)
            ahead.submit(lambda: (_get(renderers[i]), _get(captions.get(i, []))))

    try:
        yield from _compose(timeline, renderers, captions, live, prepare, wanted)
    finally:
        ahead.shutdown(wait=True, cancel_futures=True)


def _compose(
    timeline: Timeline,
    renderers: list,
    captions: dict[int, Any],
    live: dict[int, tuple[Any, list]],
    prepare: Callable[[int], None],
    wanted: range,
) -> Iterator[Planes]:
    scenes = timeline.scenes
    first = next((i for i, sc in enumerate(scenes) if sc.end > wanted.start), len(scenes))
    prepare(first)
    for f in wanted:
        active = [i for i, sc in enumerate(scenes) if sc.start <= f < sc.end]
        for i in [i for i in live if i not in active]:
            del live[i]
            for x in (renderers[i], captions.get(i)):
                if isinstance(x, Lazy):
                    x.release()
        for i in active:
            if i not in live:
                live[i] = (_get(renderers[i]), _get(captions.get(i, [])))
                prepare(i + 1)
        if len(active) == 1:
            i = active[0]
            r, arts = live[i]
            yield _draw(scenes[i], r, _caption_at(arts, f, scenes[i]), f)
        else:
            a, b = active[0], active[-1]
            fa = _draw(scenes[a], live[a][0], _caption_at(live[a][1], f, scenes[a]), f)
            fb = _draw(scenes[b], live[b][0], _caption_at(live[b][1], f, scenes[b]), f)
            sb = scenes[b]
            span = max(1, sb.own_start - sb.start)
            yield push(fa, fb, (f - sb.start + 1) / (span + 1))


def scene_frame(
    timeline: Timeline, renderers: list, captions: dict[int, list[CaptionArt]], i: int, f: int
) -> Planes:
    """Scene i alone at global frame f, with its caption: one layer of the composition."""
    sc = timeline.scenes[i]
    return _draw(sc, _get(renderers[i]), _caption_at(_get(captions.get(i, [])), f, sc), f)


def _caption_at(arts: list[CaptionArt], f: int, scene: Scene | None = None) -> CaptionArt | None:
    if scene is not None and arts and f >= scene.own_end:
        f = scene.own_end - 1  # pushed out: the last caption goes with the picture
    for art in arts:
        if art.chunk.start <= f < art.chunk.end:
            return art
    return None


def _draw(scene: Scene, renderer: object, art: CaptionArt | None, f: int) -> Planes:
    planes: Planes = renderer.frame(f - scene.start, scene.frames)  # type: ignore[attr-defined]
    if art is None:
        return planes
    planes = planes.copy() if _shared(renderer, planes) else planes
    # While a scene is pushed out, its last caption (and word) stays and slides with it.
    art.paste(planes, min(f, scene.own_end - 1))
    return planes


def _shared(renderer: object, planes: Planes) -> bool:
    """Whether `planes` is kept by the renderer (so a caption must not be drawn into it)."""
    if isinstance(renderer, StillRenderer):
        return True
    plate = getattr(renderer, "plate", None) or getattr(renderer, "full", None)
    return isinstance(plate, SuperPlate) and planes is plate.base


# --- motion measurement ------------------------------------------------------------------------


class FreezeMeter:
    """Frozen time as ffmpeg's freezedetect measures it (noise -60 dB, stills of 0.5 s or
    more), computed on the way to the encoder from every 4th pixel of the luma plane.

    A frame is "frozen" when its mean absolute difference from the last frame that moved
    is at most 0.001 of full scale (times 1.5: freezedetect averages over all three
    planes, and chroma changes less than luma).
    """

    NOISE = 10 ** (-60 / 20)

    def __init__(self, fps: int, min_still: float = 0.5):
        self.fps = fps
        self.min_still = min_still
        self._ref: np.ndarray | None = None
        self._run = 0  # frames since the reference that stayed within noise
        self._first_motion: int | None = None
        self._frames = 0
        self._stills: list[int] = []  # lengths (frames) of finished stills

    def add(self, frame: bytes, size: tuple[int, int]) -> None:
        """One frame, as the yuv420p bytes sent to the encoder (luma first)."""
        w, h = size
        luma = np.frombuffer(frame, dtype=np.uint8, count=w * h).reshape(h, w)
        y = luma[::8, ::8].astype(np.int16)
        k = self._frames
        self._frames += 1
        if self._ref is None:
            self._ref = y
            return
        mafd = float(np.abs(y - self._ref).mean()) / 256 / 1.5
        if mafd <= self.NOISE:
            self._run += 1
            return
        if self._first_motion is None:
            self._first_motion = k
        self._close()
        self._ref = y

    def _close(self) -> None:
        if self._run + 1 >= round(self.min_still * self.fps):
            self._stills.append(self._run + 1)
        self._run = 0

    def report(self) -> dict[str, float]:
        self._close()
        fps = self.fps
        frozen = sum(self._stills) / fps
        duration = self._frames / fps
        return {
            "first_motion_s": round((self._first_motion or 0) / fps, 3),
            "frozen_s": round(frozen, 2),
            "frozen_share": round(frozen / duration, 3) if duration else 0.0,
            "longest_still_s": round(max(self._stills, default=0) / fps, 2),
            "measured": True,
        }


@dataclass(frozen=True)
class MotionPlan:
    """Planned motion of a timeline (no pixels): where nothing is scheduled to move."""

    first_motion: float
    frozen: float
    duration: float
    longest_still: float

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "first_motion_s": round(self.first_motion, 3),
            "frozen_s": round(self.frozen, 2),
            "frozen_share": round(self.frozen / self.duration, 3) if self.duration else 0.0,
            "longest_still_s": round(self.longest_still, 2),
            "measured": False,
        }


def planned_motion(timeline: Timeline) -> MotionPlan:
    """What moves when, from the plan: photos and cards always move (Ken Burns, kinetic
    type, the push-in); a beat without a photo is still except for its caption pill,
    which moves on at every word; so a still is any gap of 0.5 s or more between words."""
    fps = timeline.fps
    stills: list[float] = []
    for sc in timeline.scenes:
        if sc.kind != "beat" or sc.photo is not None:
            continue
        words = max(1, sc.words)
        gap = (sc.own_end - sc.own_start) / fps / words
        if gap >= 0.5:
            stills.append((sc.own_end - sc.own_start) / fps)
    frozen = sum(stills)
    return MotionPlan(1 / fps, frozen, timeline.duration, max(stills, default=0.0))
