"""Benchmark `outreach pack` on 12 generated stories.

Prints the cold wall time, the warm re-run wall time (target: at most 5% of cold), the
speed-up of `-j 2` over `-j 1` for cards (target: at least 1.6x) and the peak memory of
the whole process tree at `-j 2` (target: at most 1.5 GB).

    python bench/pack.py                 # cards for every platform, plus short videos
    python bench/pack.py --no-video      # cards only
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEDIA = REPO / "stories" / "media"
WEEK = "2026-W48"
PAGE = os.sysconf("SC_PAGE_SIZE")

KINDS = ["engineer", "startup", "student", "explainer"]
PEOPLE = [
    "Nguyễn Thị Lan",
    "Trần Minh Đức",
    "Lê Hoàng Yến",
    "Phạm Quốc Bảo",
    "Võ Thị Hạnh",
    "Đặng Văn Khoa",
]
PLACES = ["Hà Nội", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ", "Huế", "Tokyo"]


def photos() -> list[str]:
    found = sorted(p.name for p in MEDIA.glob("*.jpg"))
    if not found:
        sys.exit(f"no sample photos in {MEDIA}")
    return found


def story_yaml(i: int, pics: list[str], video: bool) -> str:
    kind = KINDS[i % len(KINDS)]
    pic = lambda k: f"media/{pics[(i + k) % len(pics)]}"  # noqa: E731
    duration = "\n    duration: 2" if video else ""
    person = (
        ""
        if kind == "explainer"
        else f"""person:
  name: "{PEOPLE[i % len(PEOPLE)]}"
  role: "Kỹ sư phần mềm"
  org: "Công ty số {i + 1}"
  place: "{PLACES[i % len(PLACES)]}"
  photo: {pic(0)}
"""
    )
    return f"""kind: {kind}
lang: vi
status: approved
title: "Câu chuyện hội nhập số {i + 1}: từ {PLACES[i % len(PLACES)]} ra thế giới"
hook: "Một người trẻ, một ý tưởng, nhiều quốc gia"
{person}quote: "Hội nhập là học hỏi mỗi ngày và chia sẻ lại cho quê hương."
beats:
  - text: "Bắt đầu từ một lớp học nhỏ."
    media: {pic(1)}
    motion: zoom-in{duration}
  - text: "Rồi đến những dự án quốc tế đầu tiên."
    media: {pic(2)}
    motion: pan-left{duration}
  - text: "Hôm nay, đội của {i + 1} người làm việc ở ba châu lục."
    media: {pic(3)}{duration}
facts:
  - {{value: "194", label: "quốc gia có quan hệ ngoại giao với Việt Nam", source: "Bộ Ngoại giao"}}
  - {{value: "{30 + i}%", label: "sinh viên muốn làm việc quốc tế", source: "Khảo sát mẫu"}}
cta: "Bạn sẽ kể câu chuyện hội nhập nào?"
link: "https://example.org/s/{i + 1}"
hashtags: [HoiNhap, ThanhNien, VietNam]
credits: "Ảnh: tư liệu"
"""


def make_stories(root: Path, n: int, video: bool) -> None:
    (root / "media").mkdir(parents=True, exist_ok=True)
    (root / "outreach.toml").write_text("")
    for name in photos():
        shutil.copy2(MEDIA / name, root / "media" / name)
    pics = photos()
    for i in range(n):
        (root / f"story-{i + 1:02d}.yaml").write_text(story_yaml(i, pics, video), encoding="utf-8")


def _tree_rss(root_pid: int) -> int:
    """Resident bytes of a process and all its descendants (pool workers, ffmpeg)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * PAGE
            parents[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    total, todo, seen = 0, [root_pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        todo += [c for c, p in parents.items() if p == pid]
    return total


CPU_SECONDS: list[float] = []


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak tree RSS, and the result; CPU seconds go to CPU_SECONDS."""
    import resource

    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    result = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if proc.returncode != 0:
        sys.stderr.write(err)
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, peak, result


def totals_line(stderr: str) -> str:
    return next((ln for ln in stderr.splitlines() if ln.startswith("rendered ")), "")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--stories", type=int, default=12)
    ap.add_argument("--no-video", action="store_true", help="Cards only.")
    ap.add_argument("--keep", action="store_true", help="Keep the work folder.")
    ap.add_argument(
        "--speedup-only",
        action="store_true",
        help="Only the cards -j 1 / -j 2 comparison (to re-measure on a quiet machine).",
    )
    args = ap.parse_args()

    sys.path.insert(0, str(REPO))
    from outreach.pack.weekly import video_available

    video = video_available() and not args.no_video
    work = Path(tempfile.mkdtemp(prefix="outreach-bench-pack-"))
    env = {**os.environ}
    if video:
        # Reduced videos: 2 s beats, half-size frames.
        env.setdefault("OUTREACH_VIDEO_SCALE", "0.5")
    try:
        stories = work / "stories"
        make_stories(stories, args.stories, video)
        base = [sys.executable, "-m", "outreach", "pack", str(stories), "--week", WEEK]
        only = [] if video else ["--only", "cards"]

        cold, cold_peak, warm = 1.0, 0, 0.0
        if not args.speedup_only:
            cold, cold_peak, res = run([*base, "-o", str(work / "out"), "-j", "2", *only], env)
            print(
                f"cold  (-j 2, {args.stories} stories, {'cards + video' if video else 'cards'}): "
                f"{cold:7.2f} s   peak {cold_peak / 2**30:.2f} GB   [{totals_line(res.stderr)}]"
            )
            warm, _, res = run([*base, "-o", str(work / "out"), "-j", "2", *only], env)
            print(
                f"warm  re-run:                  {warm:7.2f} s   = {100 * warm / cold:.1f}% of cold "
                f"(target <= 5%)   [{totals_line(res.stderr)}]"
            )

        j1, j1_peak, _ = run([*base, "-o", str(work / "j1"), "-j", "1", "--only", "cards"], env)
        j2, j2_peak, _ = run([*base, "-o", str(work / "j2"), "-j", "2", "--only", "cards"], env)
        print(
            f"cards -j 1: {j1:7.2f} s (peak {j1_peak / 2**30:.2f} GB)   "
            f"-j 2: {j2:7.2f} s (peak {j2_peak / 2**30:.2f} GB)   speed-up {j1 / j2:.2f}x "
            f"(target >= 1.6x)"
        )
        print(
            f"      CPU seconds -j 1: {CPU_SECONDS[-2]:.1f}, -j 2: {CPU_SECONDS[-1]:.1f}; "
            f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "(other work on the machine skews the speed-up)"
        )
        peak = max(cold_peak, j2_peak)
        print(f"peak memory at -j 2: {peak / 2**30:.2f} GB (target <= 1.5 GB)")
        ok = warm <= 0.05 * cold and j1 / j2 >= 1.6 and peak <= 1.5 * 2**30
        print("targets: " + ("all met" if ok else "NOT all met"))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
