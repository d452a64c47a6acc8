"""Photos: open safely, honour EXIF and ICC, convert any mode to sRGB, crop to fill.

Decoding is the slow part of a card (see performance-notes.md), so a photo is decoded
once at a reduced scale (`Image.draft`) and the result is cached for every card and scene.
"""

from __future__ import annotations

import functools
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: Photos larger than this many pixels are refused as decompression bombs.
MAX_PIXELS = 120_000_000
# Opening reads only the header, so we check the size ourselves (with a message that
# names it) before anything is decoded; Pillow's own check would fire inside open().
Image.MAX_IMAGE_PIXELS = None


class PhotoError(ValueError):
    """A media file that is not a usable image; the message says what to do."""

    def __init__(self, message: str, hint: str):
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}")


@dataclass(frozen=True)
class PhotoKey:
    """Identifies a file's content cheaply: path, size and modification time."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> PhotoKey:
        st = os.stat(path)
        return cls(str(path), st.st_size, st.st_mtime_ns)


def _open(path: Path) -> Image.Image:
    try:
        im = Image.open(path)
        w, h = im.size
    except UnidentifiedImageError as exc:
        raise PhotoError("is not an image Pillow can read", "use a JPEG, PNG or WebP file") from exc
    except ValueError as exc:  # e.g. a PNG whose text chunks decompress to gigabytes
        raise PhotoError(
            "carries oversized hidden text (metadata), the mark of a damaged or hostile file",
            "export the photo again (without metadata) as JPEG or PNG",
        ) from exc
    except OSError as exc:
        reason = (exc.strerror or "it is damaged").lower()
        raise PhotoError(
            f"cannot be read ({reason})", "check the file, or export it again"
        ) from exc
    if w * h > MAX_PIXELS:
        raise PhotoError(
            f"image is {w}x{h}, too large to decode safely (a decompression bomb)",
            f"resize it below {MAX_PIXELS // 1_000_000} megapixels",
        )
    return im


def verify_photo(path: Path) -> tuple[int, int]:
    """Fully decode the photo once to catch truncated or corrupt files; returns its size.

    Remembered per (path, size, mtime), so re-checking an unchanged photo is free: the
    preview re-validates a story on every save.
    """
    return _verified(PhotoKey.of(path))


@functools.lru_cache(maxsize=512)
def _verified(key: PhotoKey) -> tuple[int, int]:
    im = _open(Path(key.path))
    size = im.size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
            im.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError("image is truncated or corrupt", "export the photo again") from exc
    return size


def _to_srgb(im: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """Any mode (CMYK, grey, palette, 16-bit, alpha) to 8-bit sRGB, honouring ICC."""
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if im.mode.startswith("I;16") or arr.max() > 255 else 255.0
        im = Image.fromarray(np.clip(arr / peak * 255.0 + 0.5, 0, 255).astype(np.uint8))
        icc = None
    if im.mode == "P":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (*background, 255))
        flat.alpha_composite(rgba)
        im = flat.convert("RGB") if not icc else flat.convert("RGB")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            if im.mode not in ("RGB", "CMYK", "L"):
                im = im.convert("RGB")
            converted = ImageCms.profileToProfile(
                im, src, dst, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile is ignored rather than failing the card
    return im.convert("RGB")


@functools.lru_cache(maxsize=32)
def _decoded(
    key: PhotoKey, min_w: int, min_h: int, background: tuple[int, int, int]
) -> Image.Image:
    im = _open(Path(key.path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Decode straight at a reduced scale, never below what the crop needs.
            side = max(min_w, min_h)
            im.draft("RGB", (side, side))
            im.load()
            im = _reduce(im, side)
            im = ImageOps.exif_transpose(im)
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError("image is truncated or corrupt", "export the photo again") from exc
    return _to_srgb(im, background)


#: Modes `Image.reduce` handles; other modes are thinned with a nearest-pixel resize.
_REDUCIBLE = {"L", "LA", "RGB", "RGBA", "RGBa", "La", "I", "F", "CMYK", "I;16"}


def _reduce(im: Image.Image, side: int) -> Image.Image:
    """Shrink a decoded image by a whole factor while it stays at least `side` pixels on
    its short edge, before any colour conversion: formats without JPEG's draft mode (PNG,
    WebP, TIFF) decode at full size, and converting a 120-megapixel photo at full size
    costs gigabytes. The cards never need more than a canvas' worth of pixels."""
    factor = min(im.width, im.height) // max(1, side)
    if factor < 2:
        return im
    if im.mode in _REDUCIBLE:
        try:
            return im.reduce(factor)
        except ValueError:
            pass
    return im.resize((im.width // factor, im.height // factor), Image.Resampling.NEAREST)


def fill_crop_box(
    src: tuple[int, int], dst: tuple[int, int], focus: tuple[float, float] | None
) -> tuple[float, float, float, float]:
    """The source rectangle that, scaled, fills `dst`, centred on `focus` where possible."""
    sw, sh = src
    dw, dh = dst
    scale = max(dw / sw, dh / sh)
    cw, ch = dw / scale, dh / scale
    fx, fy = focus if focus else (0.5, 0.5)
    x0 = min(max(fx * sw - cw / 2, 0), sw - cw)
    y0 = min(max(fy * sh - ch / 2, 0), sh - ch)
    return (x0, y0, x0 + cw, y0 + ch)


def load_photo(path: Path, background: tuple[int, int, int] = (0, 0, 0)) -> Image.Image:
    """The photo as upright 8-bit sRGB at full resolution (cached)."""
    return _decoded(PhotoKey.of(path), 1 << 30, 1 << 30, background)


@functools.lru_cache(maxsize=64)
def _filled(
    key: PhotoKey,
    size: tuple[int, int],
    focus: tuple[float, float] | None,
    background: tuple[int, int, int],
) -> Image.Image:
    src = _decoded(key, size[0], size[1], background)
    box = fill_crop_box(src.size, size, focus)
    return src.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def photo_fill(
    path: Path,
    size: tuple[int, int],
    focus: tuple[float, float] | None = None,
    background: tuple[int, int, int] = (0, 0, 0),
) -> Image.Image:
    """The photo cropped to fill `size` around `focus` (cached per size)."""
    return _filled(PhotoKey.of(path), size, focus, background)


@functools.lru_cache(maxsize=512)
def _upright_size(key: PhotoKey) -> tuple[int, int]:
    im = _open(Path(key.path))
    w, h = im.size
    try:
        orientation = im.getexif().get(0x0112, 1)
    except (OSError, SyntaxError, ValueError):
        orientation = 1
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def photo_size(path: Path) -> tuple[int, int]:
    """The photo's upright size (EXIF orientation applied) from its header: no decode."""
    return _upright_size(PhotoKey.of(path))


def load_photo_small(path: Path, side: int) -> Image.Image:
    """The upright sRGB photo scaled so its longer side is at most `side` (for analysis)."""
    src = _decoded(PhotoKey.of(path), side, side, (0, 0, 0))
    k = side / max(src.size)
    if k >= 1:
        return src
    size = (max(1, round(src.width * k)), max(1, round(src.height * k)))
    return src.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


@functools.lru_cache(maxsize=64)
def _cropped(
    key: PhotoKey,
    size: tuple[int, int],
    crop: tuple[float, float, float, float],
    background: tuple[int, int, int],
) -> Image.Image:
    x0, y0, x1, y1 = crop
    # Decode at the scale the crop needs: a crop of a third of the photo needs 3x.
    need_w = size[0] / max(1e-6, x1 - x0)
    need_h = size[1] / max(1e-6, y1 - y0)
    src = _decoded(key, round(need_w), round(need_h), background)
    box = (x0 * src.width, y0 * src.height, x1 * src.width, y1 * src.height)
    return src.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def photo_crop(
    path: Path,
    size: tuple[int, int],
    crop: tuple[float, float, float, float],
    background: tuple[int, int, int] = (0, 0, 0),
) -> Image.Image:
    """The part `crop` = (x0, y0, x1, y1), fractions of the upright photo, scaled to `size`."""
    rounded = tuple(round(v, 5) for v in crop)
    return _cropped(PhotoKey.of(path), size, rounded, background)
