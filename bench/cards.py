"""Benchmark card rendering: time per unique card against a decode-fill-encode floor.

Renders one story's cards on every platform preset (validation included, as `render`
does), counts the unique cards (identical inputs are drawn once), and divides the time
by the number of unique cards. The floor, measured in the same run, is what any card
renderer must do at least: decode the card's photo at reduced scale with `Image.draft`,
fill the canvas with it and encode JPEG q90. Prints medians of several runs, each in a
fresh process (so one-time costs such as loading fonts or the word segmenter count). On a
shared machine the CPU-time ratio is the steadier figure.

    python bench/cards.py                         # stories/startup-agrilink.yaml, 3 runs
    python bench/cards.py stories/student-model-un.yaml --runs 5
    python bench/cards.py --warm                  # also a second render in the same process
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_STORY = REPO / "stories" / "startup-agrilink.yaml"


def _floor(specs: list[tuple[tuple[int, int], str | None]]) -> tuple[float, float]:
    """Decode (draft) + fill + encode q90 for every unique card; (wall, CPU) seconds."""
    from PIL import Image, ImageOps

    start, cpu = time.perf_counter(), time.process_time()
    for size, photo in specs:
        if photo:
            with Image.open(photo) as im:
                im.draft("RGB", size)
                img = ImageOps.fit(im.convert("RGB"), size)
        else:
            img = Image.new("RGB", size, (16, 24, 48))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90)
    return time.perf_counter() - start, time.process_time() - cpu


def one_run(story: Path, warm: bool) -> dict[str, float]:
    """Child process: render every preset's cards once (twice with --warm); floor after."""
    start, cpu = time.perf_counter(), time.process_time()
    from outreach.pack.story import CardMemo, load_and_validate, render_cards
    from outreach.platforms import load_presets
    from outreach.render.cards import plan_cards

    validated = load_and_validate(story, story.parent, requested=sorted(load_presets()))
    memo = CardMemo()
    with tempfile.TemporaryDirectory() as out:
        render_cards(validated, Path(out), memo)
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
        unique: dict[str, tuple[tuple[int, int], str | None]] = {}
        for platform in validated.platforms:
            for spec in plan_cards(validated.loaded, platform, validated.theme):
                photo = next(iter(spec.photos.values()), None)
                unique[spec.digest(platform, validated.theme)] = (
                    platform.canvas,
                    str(photo[0]) if photo else None,
                )
        again = 0.0
        if warm:
            t = time.perf_counter()
            render_cards(validated, Path(out), CardMemo())
            again = time.perf_counter() - t
    floor, floor_cpu = _floor(list(unique.values()))
    n = len(unique)
    return {
        "cards": n,
        "cold": cold / n,
        "warm": again / n,
        "floor": floor / n,
        "cold_cpu": cold_cpu / n,
        "floor_cpu": floor_cpu / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", nargs="?", type=Path, default=DEFAULT_STORY)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm", action="store_true", help="also time a warm second render")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    story = args.story.resolve()
    if args.child:
        print(json.dumps(one_run(story, args.warm)))
        return
    results = []
    for _ in range(args.runs):
        cmd = [sys.executable, __file__, str(story), "--child"] + (["--warm"] if args.warm else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in results) for k in ("cold", "warm", "floor")}
    ratios = [r["cold"] / r["floor"] for r in results]
    print(f"story: {story.name}, {results[0]['cards']} unique cards, {args.runs} fresh processes")
    print(
        f"per unique card: {med['cold'] * 1000:.1f} ms (median), floor {med['floor'] * 1000:.1f} ms"
    )
    print(
        f"ratio against the floor: {statistics.median(ratios):.2f}x (runs: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + ")"
    )
    cpu = [r["cold_cpu"] / r["floor_cpu"] for r in results]
    print(f"CPU time ratio (less sensitive to a loaded machine): {statistics.median(cpu):.2f}x")
    if args.warm:
        warm = [r["warm"] / r["floor"] for r in results]
        print(f"warm re-render (same process): {statistics.median(warm):.2f}x the floor")


if __name__ == "__main__":
    main()
