"""Camera paths: which window of a plate each frame shows (pure geometry, no pixels).

A window is (x, y, w, h) in the plate's own pixels, in floats: the frame builder samples
it at a quarter-pixel precision, so slow moves glide instead of stepping.

- photo beats: a Ken Burns move (zoom in or out about the photo's focus, or a pan) over
  the whole scene, cut into shots by punch-ins: at each punch-in the framing jumps closer
  (or back out), and the move goes on from there, so a 6 s beat reads as 2-3 shots;
- cards: still while their text animates in, then a slow push-in that starts gently.
"""

from __future__ import annotations

import math

Window = tuple[float, float, float, float]


def _ease(t: float) -> float:
    """Mostly linear, eased a little at both ends, so cuts never jerk."""
    return t * t * (3 - 2 * t) * 0.35 + t * 0.65


def _clamp_window(x: float, y: float, w: float, h: float, pw: float, ph: float) -> Window:
    w, h = min(w, pw), min(h, ph)
    return (min(max(0.0, x), pw - w), min(max(0.0, y), ph - h), w, h)


def photo_window(
    motion: str,
    t: float,
    plate: tuple[int, int],
    frame: tuple[int, int],
    focus: tuple[float, float] = (0.5, 0.5),
    closer: float = 1.0,
) -> Window:
    """The window at time t in [0, 1] of a Ken Burns `motion`, `closer` times tighter."""
    pw, ph = plate
    w, h = frame
    zmax = min(pw / w, ph / h)  # the plate is this much larger than the frame
    fx, fy = focus
    if motion in ("zoom-in", "zoom-out"):
        u = _ease(t)
        z = zmax ** (u if motion == "zoom-in" else 1 - u)  # geometric: constant apparent speed
        z *= closer
        cw, ch = pw / z, ph / z
        # Zoom about the focus point, drifting from the centre towards it as it closes in.
        k = (z - 1) / max(1e-6, zmax * closer - 1) if zmax * closer > 1 else 0.0
        cx = pw / 2 + (fx - 0.5) * pw * 0.5 * k
        cy = ph / 2 + (fy - 0.5) * ph * 0.5 * k
        return _clamp_window(cx - cw / 2, cy - ch / 2, cw, ch, pw, ph)
    if motion == "none":
        cw, ch = w * zmax / closer, h * zmax / closer
        return _clamp_window((pw - cw) / 2, (ph - ch) / 2, cw, ch, pw, ph)
    cw, ch = w / closer, h / closer
    mx, my = pw - cw, ph - ch
    e = _ease(t)
    x, y = mx * fx, my * fy
    if motion == "pan-left":
        x = mx * (1 - e)
    elif motion == "pan-right":
        x = mx * e
    elif motion == "pan-up":
        y = my * (1 - e)
    elif motion == "pan-down":
        y = my * e
    return _clamp_window(x, y, cw, ch, pw, ph)


def shot_framing(index: int, punch: float) -> float:
    """How much closer shot `index` of a beat is framed: wide, close, a little less close..."""
    if index == 0:
        return 1.0
    return punch if index % 2 else 1.0 + (punch - 1.0) * 0.45


def beat_path(
    motion: str,
    frames: int,
    shots: tuple[int, ...],
    plate: tuple[int, int],
    frame: tuple[int, int],
    focus: tuple[float, float] | None,
    punch: float,
) -> list[Window]:
    """Every frame's window of a photo beat of `frames` frames with punch-ins at `shots`
    (frame offsets within the scene)."""
    focus = focus or (0.5, 0.5)
    marks = [0, *shots]
    out = []
    for k in range(frames):
        shot = sum(1 for m in marks[1:] if k >= m)
        t = k / max(1, frames - 1)
        out.append(photo_window(motion, t, plate, frame, focus, shot_framing(shot, punch)))
    return out


def card_zoom(k: int, hold_from: int, frames: int, amount: float) -> float:
    """Zoom factor of a card at frame k: 1 until `hold_from`, then a slow push-in that
    starts gently (its speed ramps up over 0.4 of the remaining time)."""
    if k <= hold_from or frames <= hold_from + 1:
        return 1.0
    u = (k - hold_from) / (frames - 1 - hold_from)
    ramp = 0.25
    # Smooth start: quadratic for u < ramp, then linear, continuous in value and speed.
    e = u * u / (2 * ramp) if u < ramp else u - ramp / 2
    return 1.0 + amount * e / (1 - ramp / 2)


def card_window(z: float, plate: tuple[int, int], anchor: tuple[float, float]) -> Window:
    """The window of a card plate (frame-sized) zoomed by z about `anchor` (fractions)."""
    pw, ph = plate
    cw, ch = pw / z, ph / z
    ax, ay = anchor
    return (ax * (pw - cw), ay * (ph - ch), cw, ch)


def quarter(v: float) -> float:
    """What the sampler really uses: positions on a quarter-pixel grid."""
    return math.floor(v * 4 + 0.5) / 4
