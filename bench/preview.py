"""Benchmark the preview's edit loop: a saved change to one card, until its new image is ready.

Measures, in one process and one run, for a sample story (every platform):
- edit: from the moment the file is saved (the watcher's report) to the changed card's
  half-scale JPEG being ready: `refresh` (read, validate, plan every platform's cards,
  storyboard) plus rendering the changed card(s) — target <= 0.5 s;
- floor: decode the card's photo at reduced scale, fill the half-scale canvas, JPEG q85;
- the ratio edit / floor, medians of several edits, and peak memory (VmHWM).

    python bench/preview.py                       # stories/startup-agrilink.yaml, 5 edits
    python bench/preview.py stories/student-model-un.yaml --edits 7
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_STORY = REPO / "stories" / "startup-agrilink.yaml"


def _floor(size: tuple[int, int], photo: str | None) -> float:
    from PIL import Image, ImageOps

    start = time.perf_counter()
    if photo:
        with Image.open(photo) as im:
            im.draft("RGB", size)
            img = ImageOps.fit(im.convert("RGB"), size)
    else:
        img = Image.new("RGB", size, (16, 24, 48))
    img.save(io.BytesIO(), "JPEG", quality=85)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", nargs="?", type=Path, default=DEFAULT_STORY)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()

    import yaml

    from outreach.preview.renderer import PreviewRenderer

    with tempfile.TemporaryDirectory(prefix="outreach-bench-preview-") as tmp:
        root = Path(tmp)
        src = args.story.resolve()
        shutil.copytree(src.parent / "media", root / "media")
        for extra in ("outreach.toml",):
            if (src.parent / extra).exists():
                shutil.copy(src.parent / extra, root / extra)
        story = root / src.name
        shutil.copy(src, story)
        renderer = PreviewRenderer(root)
        renderer.scan()
        state = renderer.stories()[0]
        for view in state.good.platforms:  # what the open page has already shown
            for recipe in view.cards:
                renderer.render(recipe.digest)
        edits, floors, changed_n = [], [], []
        for k in range(args.edits):
            data = yaml.safe_load(story.read_text(encoding="utf-8"))
            data["cta"] = f"{data.get('cta') or 'Tham gia'} ({k + 1})"
            before = {r.digest for v in renderer.story(state.id).good.platforms for r in v.cards}
            story.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
            start = time.perf_counter()
            renderer.refresh([story])
            views = renderer.story(state.id).good.platforms
            changed = [r for v in views for r in v.cards if r.digest not in before]
            for recipe in changed:
                renderer.render(recipe.digest)
            edits.append(time.perf_counter() - start)
            changed_n.append(len(changed))
            recipe = changed[0]
            w, h = recipe.platform.canvas
            photo = next(iter(recipe.spec.photos.values()), None)
            floors.append(_floor((w // 2, h // 2), str(photo[0]) if photo else None))
        edit, floor = statistics.median(edits), statistics.median(floors)
        print(f"preview edit loop: {src.name}, {args.edits} edits of the CTA")
        print(
            f"save -> changed cards ready: {edit * 1000:.0f} ms median "
            f"(runs: {', '.join(f'{e * 1000:.0f}' for e in edits)}), target <= 500 ms; "
            f"{statistics.median(changed_n):.0f} cards changed per edit"
        )
        print(
            f"floor (decode + fill + encode one half-scale card): {floor * 1000:.1f} ms; "
            f"ratio {edit / floor:.1f}x"
        )
        print(
            f"peak memory (VmHWM): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
