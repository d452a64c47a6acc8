"""Camera paths: which part of a photo each frame shows (pure geometry, no pixels).

Every photo moves at the same apparent speed, whatever its size or the scene's length,
so the edit feels consistent: pans travel `pan_speed` px a second (60 at 1080 wide),
zooms grow `zoom_speed` a second (8% over a 2.5 s shot). A window is (x, y, w, h) in the
photo's own pixels, in floats; the frame builder samples it at a quarter-pixel
precision, so slow moves glide instead of stepping.

A beat is cut into shots by punch-ins (a cut to a closer framing on a beat); the move
goes on across them. Each shot gets its own plate, cut from the photo at the resolution
its widest window needs, so nothing is resampled twice and a punch-in is as sharp as the
photo allows. `Camera.magnification` is how much the photo is enlarged at its closest
(above ~1.2 it looks soft): the planner picks moves that keep it low (wide photos pan
across their width instead of zooming into it) and `check` names photos that are too
small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Window = tuple[float, float, float, float]

#: Speeds are given for this output width and scaled to the frame's.
REFERENCE_WIDTH = 1080


@dataclass(frozen=True)
class Move:
    """How a photo moves: the kind, and its speed (px/s at 1080 wide, or zoom per second)."""

    motion: str
    pan_speed: float = 60.0
    zoom_speed: float = 0.032
    punch: float = 1.15
    framing: float = 1.0  # > 1: the whole move is framed closer


@dataclass(frozen=True)
class Shot:
    """One shot of a photo scene: frames [start, end) of the scene, and the part of the
    photo (source pixels) its plate covers, with the plate's size in output pixels."""

    start: int
    end: int
    region: Window
    plate: tuple[int, int]


@dataclass(frozen=True)
class Camera:
    windows: list[Window]  # per frame of the scene, in source pixels
    shots: list[Shot]
    magnification: float  # output px per source px at the closest window

    def plate_window(self, k: int) -> tuple[int, Window]:
        """(shot index, window in that shot's plate pixels) of scene frame k."""
        k = min(max(0, k), len(self.windows) - 1)
        i = next(j for j, sh in enumerate(self.shots) if sh.start <= k < sh.end)
        sh = self.shots[i]
        x, y, w, h = self.windows[k]
        rx, ry, rw, rh = sh.region
        kx, ky = sh.plate[0] / rw, sh.plate[1] / rh
        return i, ((x - rx) * kx, (y - ry) * ky, w * kx, h * ky)


def base_view(src: tuple[int, int], frame: tuple[int, int]) -> tuple[float, float]:
    """The largest part of the photo with the frame's shape (source pixels)."""
    sw, sh = src
    a = frame[0] / frame[1]
    return (sh * a, float(sh)) if sw / sh > a else (float(sw), sw / a)


def shot_framing(index: int, punch: float) -> float:
    """How much closer shot `index` of a beat is framed: wide, close, a little less close..."""
    if index == 0:
        return 1.0
    return punch if index % 2 else 1.0 + (punch - 1.0) * 0.45


def _clamp(x: float, y: float, w: float, h: float, sw: float, sh: float) -> Window:
    w, h = min(w, sw), min(h, sh)
    return (min(max(0.0, x), sw - w), min(max(0.0, y), sh - h), w, h)


def _pan_room(motion: str, src: tuple[int, int], view: tuple[float, float]) -> float:
    horizontal = motion in ("pan-left", "pan-right")
    return (src[0] - view[0]) if horizontal else (src[1] - view[1])


def camera(
    move: Move,
    frames: int,
    fps: int,
    cuts: tuple[int, ...],
    src: tuple[int, int],
    frame: tuple[int, int],
    focus: tuple[float, float] | None = None,
) -> Camera:
    """Every frame's window of a photo scene of `frames` frames, punch-ins at `cuts`
    (frame offsets in the scene), and each shot's plate."""
    fx, fy = focus or (0.5, 0.5)
    sw, sh = src
    vw0, vh0 = base_view(src, frame)
    seconds = max(1, frames - 1) / fps
    marks = [0, *[c for c in cuts if 0 < c < frames], frames]
    speed = move.pan_speed * frame[0] / REFERENCE_WIDTH  # output px per second
    m = move.motion
    z0 = 1.0
    if m.startswith("pan-"):
        # Zoom in just enough that the pan has room for its whole travel, closest shot too.
        travel = speed * seconds
        for _ in range(40):
            view = (vw0 / (move.framing * z0), vh0 / (move.framing * z0))
            need = travel * view[0] / frame[0]
            if _pan_room(m, src, view) >= need - 1e-6:
                break
            z0 *= 1.02
    windows: list[Window] = []
    for k in range(frames):
        t = k / fps
        shot = sum(1 for c in marks[1:-1] if k >= c)
        closer = move.framing * shot_framing(shot, move.punch)
        if m in ("zoom-in", "zoom-out"):
            tt = t if m == "zoom-in" else seconds - t
            z = closer * math.exp(move.zoom_speed * tt)
            w, h = vw0 / z, vh0 / z
            # Zoom about the focus, drifting from the centre towards it as it closes in.
            pull = min(1.0, (z - 1.0) / 0.5)
            cx = sw / 2 + (fx - 0.5) * sw * pull
            cy = sh / 2 + (fy - 0.5) * sh * pull
            windows.append(_clamp(cx - w / 2, cy - h / 2, w, h, sw, sh))
            continue
        z = z0 * closer if m.startswith("pan-") else closer
        w, h = vw0 / z, vh0 / z
        cx, cy = fx * sw, fy * sh
        if m.startswith("pan-"):
            # The path is planned at the widest framing, centred on the focus; a closer
            # shot keeps the same centre line, so the move goes on through the cut.
            wide = (vw0 / z0 / move.framing, vh0 / z0 / move.framing)
            travel_src = speed * seconds * wide[0] / frame[0]
            u = t / seconds - 0.5  # -0.5 .. 0.5
            d = {"pan-left": -1.0, "pan-right": 1.0, "pan-up": -1.0, "pan-down": 1.0}[m]
            # pan-left: the camera moves left (the picture slides right).
            offset = d * u * travel_src
            if m in ("pan-left", "pan-right"):
                lo, hi = wide[0] / 2 + travel_src / 2, sw - wide[0] / 2 - travel_src / 2
                cx = min(max(cx, lo), max(lo, hi)) + offset
            else:
                lo, hi = wide[1] / 2 + travel_src / 2, sh - wide[1] / 2 - travel_src / 2
                cy = min(max(cy, lo), max(lo, hi)) + offset
        windows.append(_clamp(cx - w / 2, cy - h / 2, w, h, sw, sh))
    shots = []
    for a, b in zip(marks, marks[1:], strict=False):
        if b <= a:
            continue
        part = windows[a:b]
        x0 = max(0.0, min(wi[0] for wi in part) - 1)
        y0 = max(0.0, min(wi[1] for wi in part) - 1)
        x1 = min(float(sw), max(wi[0] + wi[2] for wi in part) + 1)
        y1 = min(float(sh), max(wi[1] + wi[3] for wi in part) + 1)
        widest = max(wi[2] for wi in part)
        ppx = frame[0] / widest  # output px per source px at the widest window
        pw, ph = max(2, math.ceil((x1 - x0) * ppx)), max(2, math.ceil((y1 - y0) * ppx))
        shots.append(Shot(a, b, (x0, y0, x1 - x0, y1 - y0), (pw + pw % 2, ph + ph % 2)))
    tightest = min(wi[2] for wi in windows) if windows else vw0
    return Camera(windows, shots, frame[0] / tightest)


def plan_move(
    motion: str,
    frames: int,
    fps: int,
    cuts: tuple[int, ...],
    src: tuple[int, int],
    frame: tuple[int, int],
    pan_speed: float,
    zoom_speed: float,
    punch: float,
    framing: float,
    max_upscale: float,
) -> Move:
    """The move for a photo, as asked, made gentler where it would enlarge the photo past
    `max_upscale`: the punch-ins get less close first, then the zoom slows (never below
    6% over a 2.5 s shot, never a pan under 40 px/s), so motion always shows."""
    ref = (REFERENCE_WIDTH, round(REFERENCE_WIDTH * frame[1] / frame[0]))
    move = Move(motion, pan_speed, zoom_speed, punch, framing)
    for candidate in (
        move,
        Move(motion, pan_speed, zoom_speed, 1.0 + (punch - 1) / 2, framing),
        Move(motion, max(40.0, pan_speed * 0.7), min(zoom_speed, 0.024), 1.06, framing),
    ):
        move = candidate
        if camera(candidate, frames, fps, cuts, src, ref).magnification <= max_upscale:
            break
    return move


def ease_out(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return 1 - (1 - t) ** 3


def opener_windows(
    frames: int,
    src: tuple[int, int],
    frame: tuple[int, int],
    focus: tuple[float, float] | None,
    framing: float,
    amount: float = 0.14,
) -> list[Window]:
    """The opener's push-in: fast from the first frame (the eye sees it move at once),
    easing out as the headline lands; `amount` is the zoom over the whole scene."""
    fx, fy = focus or (0.5, 0.45)
    sw, sh = src
    vw0, vh0 = base_view(src, frame)
    out = []
    for k in range(frames):
        u = k / max(1, frames - 1)
        # Fast at first, never settling: half eased-out, half linear, so it still moves
        # at the cut (a fully eased push reads as a still in its last half second).
        z = framing * (1.0 + amount * (0.5 * ease_out(u) + 0.5 * u))
        w, h = vw0 / z, vh0 / z
        cx, cy = fx * sw, fy * sh
        out.append(_clamp(cx - w / 2, cy - h / 2, w, h, sw, sh))
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
