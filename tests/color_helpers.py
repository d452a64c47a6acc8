"""Decoded colour for the video tests: PyAV frames as BT.709 RGB, and CIEDE2000."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_KR, _KB = 0.2126, 0.0722


def decode_frames(path: Path, wanted: set[int] | None = None) -> dict[int, np.ndarray]:
    """Frames (by number) of a video as float RGB 0-255, converted with BT.709 limited range.

    The conversion is done here from the decoded yuv420p planes, as a correct player does
    for a stream tagged BT.709 (the tags are checked separately), so nothing in between
    can hide a colour shift made by the encoder.
    """
    import av

    out: dict[int, np.ndarray] = {}
    with av.open(str(path)) as container:
        for n, frame in enumerate(container.decode(video=0)):
            if wanted is not None and n not in wanted:
                continue
            out[n] = yuv420_to_rgb(frame.to_ndarray(format="yuv420p"), frame.width, frame.height)
            if wanted is not None and len(out) == len(wanted):
                break
    return out


def yuv420_to_rgb(planes: np.ndarray, w: int, h: int) -> np.ndarray:
    y = planes[:h].astype(np.float64)
    u = planes[h : h + h // 4].reshape(h // 2, w // 2).astype(np.float64)
    v = planes[h + h // 4 :].reshape(h // 2, w // 2).astype(np.float64)
    u = u.repeat(2, 0).repeat(2, 1)
    v = v.repeat(2, 0).repeat(2, 1)
    yy = (y - 16) / 219
    cb = (u - 128) / 224
    cr = (v - 128) / 224
    r = yy + 2 * (1 - _KR) * cr
    b = yy + 2 * (1 - _KB) * cb
    g = (yy - _KR * r - _KB * b) / (1 - _KR - _KB)
    return np.clip(np.stack([r, g, b], axis=-1) * 255, 0, 255)


def stream_tags(path: Path) -> dict[str, str]:
    """The colour tags of the first video stream, as PyAV reports them."""
    import av

    with av.open(str(path)) as container:
        cc = container.streams.video[0].codec_context
        return {
            "colorspace": str(getattr(cc, "colorspace", "")),
            "color_range": str(getattr(cc, "color_range", "")),
            "color_primaries": str(getattr(cc, "color_primaries", "")),
            "color_trc": str(getattr(cc, "color_trc", "")),
        }


def _lab(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, dtype=np.float64) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1
    )


def delta_e2000(rgb1: np.ndarray, rgb2: np.ndarray) -> float:
    """CIEDE2000 between two sRGB colours (0-255)."""
    return delta_e2000_lab(_lab(np.asarray(rgb1)), _lab(np.asarray(rgb2)))


def delta_e2000_lab(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 between two CIELAB colours, following Sharma, Wu and Dalal (2005)."""
    l1, a1, b1 = (float(x) for x in lab1)
    l2, a2, b2 = (float(x) for x in lab2)
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    cbar = (c1 + c2) / 2
    g = 0.5 * (1 - np.sqrt(cbar**7 / (cbar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dlp, dcp = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dhp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lbar, cbarp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbar = (h1p + h2p) / 2
    else:
        hbar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(hbar - 30))
        + 0.24 * np.cos(np.radians(2 * hbar))
        + 0.32 * np.cos(np.radians(3 * hbar + 6))
        - 0.20 * np.cos(np.radians(4 * hbar - 63))
    )
    sl = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
    sc = 1 + 0.045 * cbarp
    sh = 1 + 0.015 * cbarp * t
    rt = (
        -2
        * np.sqrt(cbarp**7 / (cbarp**7 + 25**7))
        * np.sin(np.radians(60 * np.exp(-(((hbar - 275) / 25) ** 2))))
    )
    return float(
        np.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2 + rt * (dcp / sc) * (dhp / sh))
    )
