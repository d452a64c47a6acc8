"""Card render time against a floor measured in the same run.

    python bench/cards.py [--runs 5]

Floor: decode the cover photo, fill a 1080x1920 canvas with it (resize) and encode the
JPEG, which every photo card must do. Each measured card is a full `compose` +
`encode_jpeg` of the sample story's cards for TikTok (caches of decoded photos and
detected subjects cleared between runs, detection cached on disk as in real runs).
Prints the median ratio card / floor; face detection is reported once per photo.
(If helper i9's bench/cards.py lands with the same floor, this file is reconciled with it.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def floor_once(photo: Path) -> float:
    from PIL import Image

    from outreach.render.cards import encode_jpeg

    start = time.perf_counter()
    with Image.open(photo) as im:
        im.draft("RGB", (1080, 1920))
        img = im.convert("RGB").resize((1080, 1920))
    encode_jpeg(img)
    return time.perf_counter() - start


def cards_once(story: Path) -> tuple[float, int]:
    from outreach.pack.story import load_and_validate
    from outreach.platforms import get_platform
    from outreach.render import photos
    from outreach.render.cards import compose, encode_jpeg, plan_cards

    for name in ("_decoded", "_cropped", "_filled"):
        cached = getattr(photos, name, None)
        if cached is not None:
            cached.cache_clear()
    platform = get_platform("tiktok")
    validated = load_and_validate(story, ROOT / "stories", ["tiktok"], layout_pass=False)
    start = time.perf_counter()
    specs = plan_cards(validated.loaded, platform, validated.theme)
    for spec in specs:
        encode_jpeg(compose(spec, platform, validated.theme).image)
    return (time.perf_counter() - start) / len(specs), len(specs)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    story = ROOT / "stories" / "startup-agrilink.yaml"
    photo = ROOT / "stories" / "media" / "founder-portrait.jpg"
    detect_s = float("nan")
    try:
        from outreach.render import subject

        start = time.perf_counter()
        subject.detect(photo)
        detect_s = time.perf_counter() - start
    except ImportError:  # a version without subject detection
        pass
    floors, cards = [], []
    n = 0
    for _ in range(args.runs):
        floors.append(floor_once(photo))
        per_card, n = cards_once(story)
        cards.append(per_card)
    f, c = statistics.median(floors), statistics.median(cards)
    print(f"floor (decode + fill + encode 1080x1920): {f * 1000:.1f} ms")
    print(f"card (plan + compose + encode, {n} TikTok cards, mean per card): {c * 1000:.1f} ms")
    print(f"ratio card / floor: {c / f:.2f} (median of {args.runs} runs)")
    print(f"face detection, once per photo (then cached by content hash): {detect_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
