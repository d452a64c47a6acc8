"""Make the test photos with a real face at known places (run once; outputs are committed).

Source: `astronaut.png` from scikit-image's bundled data (it ships inside the
scikit-image wheel at skimage/data/astronaut.png, nothing is downloaded): a NASA portrait
of astronaut Eileen Collins, public domain ("No known copyright restrictions, released
into the public domain", skimage.data.astronaut docstring; NASA Great Images database).

Each test photo is the portrait placed on a blurred, enlarged copy of itself so that the
face lands at a chosen place: centre, low, top right, left (and a landscape one).

    pip install scikit-image && python tests/photos/make_test_photos.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
#: The face in astronaut.png (512x512), as OpenCV's frontal cascade finds it.
FACE = (177, 67, 93, 93)
#: name -> (canvas size, where the face centre goes as fractions, scale of the portrait)
LAYOUTS = {
    "face-centre": ((1200, 1500), (0.5, 0.45), 1.8),
    "face-low": ((1200, 1500), (0.5, 0.8), 1.6),
    "face-top-right": ((1200, 1500), (0.76, 0.16), 1.5),
    "face-left": ((1200, 1500), (0.2, 0.42), 1.5),
    "face-landscape": ((1800, 1200), (0.3, 0.35), 1.9),
}


def load_astronaut() -> Image.Image:
    try:
        from skimage import data

        return Image.fromarray(data.astronaut())
    except ImportError:  # pragma: no cover - the file copied next to this script
        return Image.open(HERE / "astronaut.png").convert("RGB")


def compose(src: Image.Image, size: tuple[int, int], centre: tuple[float, float], k: float):
    w, h = size
    bg = src.resize((max(w, h), max(w, h)), Image.Resampling.BICUBIC).filter(
        ImageFilter.GaussianBlur(40)
    )
    bg = bg.crop(
        (
            (bg.width - w) // 2,
            (bg.height - h) // 2,
            (bg.width - w) // 2 + w,
            (bg.height - h) // 2 + h,
        )
    )
    bg = Image.blend(bg, Image.new("RGB", size, (30, 34, 40)), 0.35)
    fg = src.resize((round(src.width * k), round(src.height * k)), Image.Resampling.LANCZOS)
    fx, fy, fw, fh = (v * k for v in FACE)
    x = round(centre[0] * w - (fx + fw / 2))
    y = round(centre[1] * h - (fy + fh / 2))
    # A soft-edged paste, so the portrait sits in its blurred surround without a hard seam.
    mask = Image.new("L", fg.size, 0)
    m = np.zeros((fg.height, fg.width), np.float32)
    edge = 40
    yy, xx = np.mgrid[0 : fg.height, 0 : fg.width]
    d = np.minimum.reduce([xx, yy, fg.width - 1 - xx, fg.height - 1 - yy]).astype(np.float32)
    m = np.clip(d / edge, 0, 1)
    mask = Image.fromarray((m * 255).astype(np.uint8))
    bg.paste(fg, (x, y), mask)
    face = (round(x + fx), round(y + fy), round(fw), round(fh))
    return bg, face


def main() -> None:
    src = load_astronaut()
    faces = {}
    for name, (size, centre, k) in LAYOUTS.items():
        img, face = compose(src, size, centre, k)
        img.save(HERE / f"{name}.jpg", quality=86)
        w, h = size
        faces[name] = [
            round(face[0] / w, 4),
            round(face[1] / h, 4),
            round(face[2] / w, 4),
            round(face[3] / h, 4),
        ]
        print(f"wrote {name}.jpg {size} face {faces[name]}")
    (HERE / "faces.json").write_text(json.dumps(faces, indent=2) + "\n")


if __name__ == "__main__":
    main()
