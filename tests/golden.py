"""Golden images, compared at full size: a 1 px shift of a text block fails.

Goldens are stored losslessly as WebP (about half the size of PNG, bit-exact for RGB),
at the size the platform gets. A comparison counts the pixels whose colour moved by more
than `CHANNEL_SLACK` in any channel (anti-aliasing noise from another FreeType build stays
below it); more than `MAX_MISMATCH` of the image fails. On failure the rendered image and
a difference map are written to `tests/golden/_failed/` (git-ignored) for review.
`pytest --update-golden` regenerates goldens on purpose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

GOLDEN = Path(__file__).resolve().parent / "golden"
FAILED = GOLDEN / "_failed"
#: At most this share of pixels may differ (1e-4 of a 1080x1920 card is 207 pixels).
MAX_MISMATCH = 1e-4
#: A pixel differs when a channel moves by more than this (of 255).
CHANNEL_SLACK = 24


def mismatch(want: Image.Image, got: Image.Image) -> tuple[float, np.ndarray]:
    """(share of differing pixels, boolean map of them); sizes must match."""
    a = np.asarray(want.convert("RGB"), dtype=np.int16)
    b = np.asarray(got.convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        raise AssertionError(f"size {b.shape[1]}x{b.shape[0]} != golden {a.shape[1]}x{a.shape[0]}")
    moved = np.abs(a - b).max(axis=2) > CHANNEL_SLACK
    return float(moved.mean()), moved


def save_lossless(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").save(path, "WEBP", lossless=True, quality=100, method=6)


def assert_golden(image: Image.Image, kind: str, name: str, update: bool) -> None:
    path = GOLDEN / kind / f"{name}.webp"
    if update:
        save_lossless(image, path)
        return
    if not path.exists():
        pytest.fail(f"missing golden {path.name}; run pytest --update-golden to create it")
    with Image.open(path) as im:
        want = im.convert("RGB")
    share, moved = mismatch(want, image)
    if share > MAX_MISMATCH:
        FAILED.mkdir(parents=True, exist_ok=True)
        image.convert("RGB").save(FAILED / f"{kind}-{name}-got.png")
        Image.fromarray((moved * 255).astype(np.uint8)).save(FAILED / f"{kind}-{name}-diff.png")
        pytest.fail(
            f"{name}: {share:.2e} of the pixels differ (at most {MAX_MISMATCH:.0e}); see "
            f"{FAILED}/{kind}-{name}-got.png and -diff.png, or run pytest --update-golden"
        )
