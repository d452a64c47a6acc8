"""Where the subject of a photo is: faces first, else the most salient region.

Faces are found with OpenCV's Haar cascades, whose model files ship inside the
`opencv-python-headless` wheel (`cv2.data.haarcascades`): nothing is downloaded at run
time. Where no face is found, a spectral-residual saliency map (Hou & Zhang, 2007)
gives the region the eye goes to first. A story can override both with
`person.subject` / `beats[i].subject: [x, y, w, h]` (fractions of the photo).

Detection runs once per photo: results are cached in memory and on disk, keyed by the
sha256 of the file's bytes (so a renamed or copied photo is not detected again), in
`$OUTREACH_CACHE_DIR/subjects/` (default `~/.cache/outreach/subjects/`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Bump when detection changes: old cache entries are then ignored.
DETECTOR_VERSION = "haar-sr-1"
#: Detection runs on the photo scaled so that its longer side has this many pixels.
DETECT_SIDE = 640
ENV_CACHE_DIR = "OUTREACH_CACHE_DIR"

Frac = tuple[float, float, float, float]


@dataclass(frozen=True)
class Subject:
    """The subject of one photo as fractions of the upright photo: (x, y, w, h).

    `kind` is "face" (detected faces; `faces` lists each), "salient" (no face: the
    region saliency points at), "given" (the story said so) or "none".
    """

    box: Frac
    kind: str
    faces: tuple[Frac, ...] = ()

    @property
    def is_face(self) -> bool:
        return self.kind in ("face", "given")

    def as_dict(self) -> dict[str, Any]:
        return {"box": list(self.box), "kind": self.kind, "faces": [list(f) for f in self.faces]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Subject:
        return cls(
            tuple(d["box"]),
            str(d["kind"]),
            tuple(tuple(f) for f in d.get("faces", ())),
        )


NO_SUBJECT = Subject((0.3, 0.3, 0.4, 0.4), "none")


def cache_dir() -> Path:
    base = os.environ.get(ENV_CACHE_DIR)
    root = Path(base) if base else Path.home() / ".cache" / "outreach"
    return root / "subjects"


def content_hash(path: Path) -> str:
    return _content_hash(str(path), *_stat(path))


def _stat(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


@functools.lru_cache(maxsize=1024)
def _content_hash(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_MEMORY: dict[str, Subject] = {}
#: How many detections really ran in this process (tests check "once per photo").
DETECTIONS = {"count": 0}


def find_subject(path: Path, given: Frac | None = None) -> Subject:
    """The photo's subject: `given` if the story set one, else detected (cached)."""
    if given is not None:
        return Subject(tuple(float(v) for v in given), "given", (tuple(given),))  # type: ignore[arg-type]
    digest = content_hash(path)
    if digest in _MEMORY:
        return _MEMORY[digest]
    subject = _read_cache(digest)
    if subject is None:
        subject = detect(path)
        _write_cache(digest, subject)
    _MEMORY[digest] = subject
    return subject


def _cache_file(digest: str) -> Path:
    return cache_dir() / f"{digest[:2]}" / f"{digest}-{DETECTOR_VERSION}.json"


def _read_cache(digest: str) -> Subject | None:
    try:
        return Subject.from_dict(json.loads(_cache_file(digest).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(digest: str, subject: Subject) -> None:
    """Best effort: an unwritable cache only means detecting again next run."""
    target = _cache_file(digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as fh:
            json.dump(subject.as_dict(), fh)
        os.replace(tmp, target)
    except OSError:
        pass


# --- detection -------------------------------------------------------------------------


def detect(path: Path) -> Subject:
    """Run the detectors on one photo (no cache)."""
    import numpy as np

    from outreach.render.photos import load_photo_small

    DETECTIONS["count"] += 1
    img = load_photo_small(path, DETECT_SIDE)
    grey = np.asarray(img.convert("L"))
    h, w = grey.shape
    faces = detect_faces(grey)
    if faces:
        largest = max(fw * fh for _, _, fw, fh in faces)
        kept = [f for f in faces if f[2] * f[3] >= 0.25 * largest]
        # Haar boxes run from the brows to the mouth: keep the whole head clear.
        heads = [_head(f, w, h) for f in kept]
        box = _union(heads)
        fr = tuple(_frac(f, w, h) for f in kept)
        return Subject(_frac(box, w, h), "face", fr)
    sal = salient_box(grey)
    if sal is None:
        return NO_SUBJECT
    return Subject(_frac(sal, w, h), "salient")


def _head(
    face: tuple[float, float, float, float], w: int, h: int
) -> tuple[float, float, float, float]:
    x, y, fw, fh = face
    x0, y0 = max(0.0, x - fw * 0.12), max(0.0, y - fh * 0.3)
    x1, y1 = min(float(w), x + fw * 1.12), min(float(h), y + fh * 1.18)
    return (x0, y0, x1 - x0, y1 - y0)


def _frac(box: tuple[float, float, float, float], w: int, h: int) -> Frac:
    x, y, bw, bh = box
    return (round(x / w, 4), round(y / h, 4), round(bw / w, 4), round(bh / h, 4))


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


@functools.lru_cache(maxsize=4)
def _cascade(name: str) -> Any:
    import cv2

    path = os.path.join(cv2.data.haarcascades, name)  # type: ignore[attr-defined]
    classifier = cv2.CascadeClassifier(path)
    if classifier.empty():  # pragma: no cover - a broken OpenCV install
        raise RuntimeError(f"OpenCV cascade {path} could not be loaded; reinstall opencv")
    return classifier


def detect_faces(grey: Any) -> list[tuple[float, float, float, float]]:
    """Face boxes (x, y, w, h) in pixels of `grey`: frontal faces confirmed by two
    cascades, else profiles (both directions)."""
    import cv2
    import numpy as np

    h, w = grey.shape
    eq = cv2.equalizeHist(grey)
    min_side = max(24, round(min(w, h) * 0.06))
    kw = dict(scaleFactor=1.08, minSize=(min_side, min_side))
    alt2 = list(
        _cascade("haarcascade_frontalface_alt2.xml").detectMultiScale(eq, minNeighbors=4, **kw)
    )
    default = list(
        _cascade("haarcascade_frontalface_default.xml").detectMultiScale(eq, minNeighbors=6, **kw)
    )
    # A face seen by both cascades is trusted; a strong single-cascade hit is kept too.
    found: list[tuple[float, float, float, float]] = []
    for box in alt2:
        if any(_iou(box, other) > 0.3 for other in default) or box[2] >= min(w, h) * 0.12:
            found.append(tuple(float(v) for v in box))  # type: ignore[arg-type]
    for box in default:
        if not any(_iou(box, f) > 0.3 for f in found) and box[2] >= min(w, h) * 0.2:
            found.append(tuple(float(v) for v in box))  # type: ignore[arg-type]
    if found:
        return _dedupe(found)
    profile = _cascade("haarcascade_profileface.xml")
    hits = [tuple(float(v) for v in b) for b in profile.detectMultiScale(eq, minNeighbors=6, **kw)]
    flipped = np.ascontiguousarray(eq[:, ::-1])
    for x, y, bw, bh in profile.detectMultiScale(flipped, minNeighbors=6, **kw):
        hits.append((float(w - x - bw), float(y), float(bw), float(bh)))
    return _dedupe(hits)  # type: ignore[arg-type]


def _iou(a: Any, b: Any) -> float:
    ax0, ay0, aw, ah = (float(v) for v in a)
    bx0, by0, bw, bh = (float(v) for v in b)
    ix = max(0.0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    iy = max(0.0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0


def _dedupe(
    boxes: list[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
    out: list[tuple[float, float, float, float]] = []
    for box in sorted(boxes, key=lambda b: -b[2] * b[3]):
        if not any(_iou(box, o) > 0.3 for o in out):
            out.append(box)
    return out


def salient_box(grey: Any) -> tuple[float, float, float, float] | None:
    """The most salient region (spectral residual), in pixels of `grey`, or None."""
    import cv2
    import numpy as np

    h, w = grey.shape
    side = 96
    small = cv2.resize(grey, (side, side), interpolation=cv2.INTER_AREA).astype(np.float64)
    spectrum = np.fft.fft2(small)
    log_amp = np.log(np.abs(spectrum) + 1e-9)
    phase = np.angle(spectrum)
    residual = log_amp - cv2.blur(log_amp, (3, 3))
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * phase))) ** 2
    sal = cv2.GaussianBlur(sal, (0, 0), 3)
    # Edges of the frame are never the subject (vignettes and borders light them up).
    m = side // 16
    sal[:m, :] = sal[-m:, :] = 0
    sal[:, :m] = sal[:, -m:] = 0
    if sal.max() <= 0:
        return None
    sal = sal / sal.max()
    mask = (sal >= max(0.3, float(np.percentile(sal, 85)))).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None
    weights = [float(sal[labels == i].sum()) for i in range(1, n)]
    best = 1 + int(np.argmax(weights))
    x, y, bw, bh = (float(v) for v in stats[best][:4])
    sx, sy = w / side, h / side
    return (x * sx, y * sy, bw * sx, bh * sy)
