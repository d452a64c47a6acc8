"""Benchmark: a fixed 20-second story rendered at 1080x1920, against the ffmpeg floor.

Prints, measured in the same run on the same machine:
- wall: the whole video render (cards for the scenes, captions, soundtrack, frames, encode);
- floor: the same ffmpeg binary encoding the very same frames alone, read back from a
  raw file, with the same pixel format (yuv420p), preset and CRF;
- the ratio wall / floor, and peak memory (this process, and the largest ffmpeg child).

It then changes one beat's words and renders again into the same folder: only that
beat's segment is encoded again and joined with the others by stream copy, and the
soundtrack is mixed again. The edit is printed as a share of the cold render (target
<= 35%), with how many segments were encoded.

Run: python bench/video.py [--runs 3] [--keep DIR]
The story has a cover, four photo beats (zoom in, pan left, zoom out, pan right, with
punch-ins), a fact with a count-up and a CTA end card, all moving (kinetic text, push-ins),
pushes between cards, captions with the word pill, and the theme's music bed mixed and
loudness-normalised (two passes) on a thread during the encode: the real pipeline.
The floor uses the same input flags (BT.709 tags before -i) and the same frames.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

STORY = """\
id: bench-video
kind: engineer
lang: vi
title: Kỹ sư Việt Nam ở Tokyo
hook: Từ Cần Thơ đến trung tâm công nghệ Nhật Bản
person: {name: Nguyễn Thị Lan, role: Kỹ sư phần mềm, org: Rakuten, place: Tokyo}
beats:
  - {text: "Lan lớn lên bên dòng sông Hậu, nơi mỗi sáng bắt đầu bằng một chuyến đò.", media: media/p1.jpg, motion: zoom-in, duration: 3.2}
  - {text: "Năm 2019 chị nhận học bổng sang Nhật Bản học khoa học máy tính.", media: media/p2.jpg, motion: pan-left, duration: 3.2}
  - {text: "Giờ đây chị dẫn dắt một nhóm mười hai kỹ sư đến từ tám quốc gia.", media: media/p3.jpg, motion: zoom-out, duration: 3.2}
  - {text: "Mỗi mùa hè chị về Cần Thơ dạy lập trình cho học sinh.", media: media/p4.jpg, motion: pan-right, duration: 3.2}
facts:
  - {value: "12", label: kỹ sư trong nhóm của chị, source: Rakuten 2026}
cta: Bạn muốn đi xa? Bắt đầu từ hôm nay.
link: example.org/hoinhap
hashtags: [HoiNhap]
credits: "Ảnh: minh hoạ"
platforms: [tiktok]
"""
THEME = """\
extends: default
video: {target_min: 0, cover_seconds: 1.6, fact_seconds: 1.6, cta_seconds: 1.6}
"""


def make_photo(path: Path, seed: int) -> None:
    """A deterministic 1500x2000 'photo': gradient sky, sun, hills and fine texture."""
    rng = np.random.default_rng(seed)
    w, h = 1500, 2000
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    top = rng.uniform(20, 120, 3).astype(np.float32)
    bottom = rng.uniform(120, 240, 3).astype(np.float32)
    # Smooth texture (like foliage or clouds) plus a little sensor grain.
    coarse = Image.fromarray(rng.integers(0, 255, (h // 40, w // 40, 3), dtype=np.uint8))
    texture = np.asarray(coarse.resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32) - 128
    arr = (
        top * (1 - y) + bottom * y + 0.25 * texture + rng.normal(0, 2, (h, w, 3)).astype(np.float32)
    )
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    d.ellipse((500, 300, 1000, 800), fill=tuple(int(c) for c in rng.uniform(180, 255, 3)))
    for k in range(6):
        pts = [(x, 1200 + k * 90 + 80 * np.sin(x / 170 + k + seed)) for x in range(0, w + 50, 50)]
        d.polygon([*pts, (w, h), (0, h)], fill=tuple(int(c) for c in rng.uniform(10, 110, 3)))
    for _ in range(400):
        x0, y0 = rng.integers(0, w), rng.integers(0, h)
        d.rectangle((x0, y0, x0 + 6, y0 + 14), fill=tuple(int(c) for c in rng.uniform(0, 255, 3)))
    img.save(path, quality=90)


def setup(root: Path) -> Path:
    (root / "media").mkdir(parents=True)
    (root / "outreach.toml").write_text("")
    for i in range(1, 5):
        make_photo(root / "media" / f"p{i}.jpg", i)
    theme = root / "themes" / "bench"
    theme.mkdir(parents=True)
    (theme / "theme.yaml").write_text(THEME, encoding="utf-8")
    story = root / "bench.yaml"
    story.write_text(STORY + "theme: bench\n", encoding="utf-8")
    return story


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


DURATIONS: list[float] = []


EDIT = ("Năm 2019 chị nhận học bổng", "Năm 2019 chị giành học bổng")
EDITS: list[tuple[float, float, dict]] = []  # (edit wall, edit CPU, encode record)


def run_once(story: Path, root: Path, out: Path) -> tuple[float, float, float, float, Path]:
    """(wall of the render, floor, CPU of the render, CPU of the floor, raw frames file)."""
    from outreach import ffmpeg
    from outreach.pack import video as pv
    from outreach.pack.story import load_and_validate
    from outreach.render.video.frames import frame_stream
    from outreach.render.video.scenes import render_scenes

    t0 = time.perf_counter()
    c0 = _cpu()
    validated = load_and_validate(story, root, ["tiktok"])
    entries = pv.render_videos(validated, out, "fast", None)
    wall = time.perf_counter() - t0
    cpu = _cpu() - c0
    video = next(e for e in entries if e.output == "video")
    DURATIONS.append(video.extra["duration"])

    # One beat's words change: the same folder, a fresh validation, as `render` does.
    original = story.read_text(encoding="utf-8")
    story.write_text(original.replace(*EDIT), encoding="utf-8")
    t_edit, c_edit = time.perf_counter(), _cpu()
    pv.render_videos(load_and_validate(story, root, ["tiktok"]), out, "fast", None)
    EDITS.append((time.perf_counter() - t_edit, _cpu() - c_edit, pv.HISTORY[-1].as_dict()))
    story.write_text(original, encoding="utf-8")

    # The floor: the same frames, dumped to a raw file, encoded by ffmpeg alone.
    vp = pv.plan_videos(validated)[0]
    s = pv.video_settings(validated)
    timeline = vp.timeline
    r = render_scenes(validated.loaded, validated.theme, vp.shared, timeline, vp.chunks, s, 1.0)
    raw = out / "frames.yuv"
    with open(raw, "wb") as fh:
        for data in frame_stream(timeline, r.renderers, r.captions):
            fh.write(data)
    enc = ffmpeg.EncodeSettings(1080, 1920, s.fps, "veryfast", 20)
    cmd = [
        ffmpeg.ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        *ffmpeg.raw_input_args(enc, str(raw)),
        *ffmpeg.x264_args(enc),
        "-an",
        "-movflags",
        "+faststart",
        str(out / "floor.mp4"),
    ]
    t1 = time.perf_counter()
    c1 = _cpu()
    subprocess.run(cmd, check=True)
    floor = time.perf_counter() - t1
    floor_cpu = _cpu() - c1
    return wall, floor, cpu, floor_cpu, raw


def _cpu() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    try:
        story = setup(tmp / "stories")
        walls, floors, cpus, floor_cpus = [], [], [], []
        for i in range(args.runs):
            out = tmp / f"out{i}"
            wall, floor, cpu, floor_cpu, raw = run_once(story, tmp / "stories", out)
            raw.unlink()
            walls.append(wall)
            floors.append(floor)
            cpus.append(cpu)
            floor_cpus.append(floor_cpu)
            print(
                f"run {i + 1}: wall {wall:.2f} s, floor {floor:.2f} s, ratio {wall / floor:.2f}; "
                f"cpu {cpu:.1f} s vs {floor_cpu:.1f} s",
                file=sys.stderr,
            )
        wall, floor = statistics.median(walls), statistics.median(floors)
        cpu, floor_cpu = statistics.median(cpus), statistics.median(floor_cpus)
        per_run = statistics.median(w / f for w, f in zip(walls, floors, strict=True))
        print(
            f"video bench: {statistics.median(DURATIONS):.1f} s, 1080x1920, 30 fps, "
            "x264 veryfast CRF 20, yuv420p"
        )
        print(f"wall   {wall:.2f} s (median of {args.runs})")
        print(f"floor  {floor:.2f} s (ffmpeg alone on the same raw frames)")
        print(f"ratio  {wall / floor:.2f} (target <= 1.3); median of per-run ratios {per_run:.2f}")
        print(
            f"cpu    {cpu:.1f} s vs floor {floor_cpu:.1f} s: ratio {cpu / floor_cpu:.2f} "
            "(steadier than wall time when the machine is shared)"
        )
        edit_wall = statistics.median(e[0] for e in EDITS)
        edit_cpu = statistics.median(e[1] for e in EDITS)
        print(
            f"edit   one beat's words: {edit_wall:.2f} s = {edit_wall / wall:.0%} of the cold "
            f"render (target <= 35%), median of per-run shares "
            f"{statistics.median(e[0] / w for e, w in zip(EDITS, walls, strict=True)):.0%}; "
            f"cpu {edit_cpu / cpu:.0%}; segments encoded again: "
            + ", ".join(f"{e[2]['encoded']}/{e[2]['segments']}" for e in EDITS)
        )
        print(
            f"peak memory: python {peak_mb(resource.RUSAGE_SELF):.0f} MB, "
            f"largest ffmpeg child {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB (target < 1024)"
        )
        if args.keep:
            shutil.copytree(tmp / f"out{args.runs - 1}", args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
