"""`outreach pack`: incremental re-runs, crash safety, failure isolation, manifest and zip.

Every test runs the real command in a subprocess (real process pool, real files) on a
small pack: 2-3 generated stories, two platforms, cards only.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from outreach.atomic import is_temp_file
from outreach.pack.manifest import sha256_file
from outreach.pack.weekly import current_week, parse_week
from tests.conftest import write_story

WEEK = "2026-W48"
PLATFORMS = ["-p", "tiktok", "-p", "instagram-feed"]
#: Files of one story's cards for PLATFORMS: 4 cards, post.txt and caption.txt on each,
#: and alt.txt on Instagram (TikTok has no alt-text field).
CARD_SET_FILES = 2 * 6 + 1


def story_text(title: str, *, status: str = "approved", extra: str = "") -> str:
    return f"""kind: engineer
lang: vi
status: {status}
title: "{title}"
hook: "Từ ruộng bậc thang đến phòng sạch"
person:
  name: "Nguyễn Thị Lan"
  role: "Kỹ sư"
  photo: media/photo.jpg
quote: "Tôi muốn mỗi con chip kể một câu chuyện."
beats:
  - text: "Lan lớn lên ở Mù Cang Chải."
  - text: "Cô học kỹ thuật ở Tokyo."
facts:
  - {{value: "194", label: "quốc gia có quan hệ ngoại giao", source: "Bộ Ngoại giao"}}
cta: "Bạn sẽ kể câu chuyện nào?"
hashtags: [HoiNhap, ThanhNien]
credits: "Ảnh: Lan"
{extra}"""


def run_pack(
    root: Path, out: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-m",
        "outreach",
        "pack",
        str(root),
        "--week",
        WEEK,
        "-o",
        str(out),
        "--only",
        "cards",
        *PLATFORMS,
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def summary(stderr: str) -> dict[str, tuple[int, int, int, int]]:
    """story -> (rendered, skipped, failed, warnings), parsed from the report table."""
    rows: dict[str, tuple[int, int, int, int]] = {}
    for line in stderr.splitlines():
        m = re.match(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)(\s+FAILED)?$", line)
        if m and m.group(1) != "total":
            rows[m.group(1)] = tuple(int(m.group(i)) for i in range(2, 6))  # type: ignore[assignment]
    return rows


def manifest(pack: Path) -> dict[str, dict]:
    data = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    return {e["path"]: e for e in data["files"]}


def pack_files(pack: Path) -> set[str]:
    """Every file in the pack except the manifest, the zip and the cache."""
    out = set()
    for p in pack.rglob("*"):
        rel = p.relative_to(pack).as_posix()
        if (
            p.is_file()
            and not rel.startswith(".cache/")
            and rel not in ("manifest.json", f"{pack.name}.zip")
        ):
            out.add(rel)
    return out


def verify_pack(pack: Path) -> dict[str, dict]:
    """The manifest lists exactly the pack's files, each whole; the zip holds the same."""
    files = manifest(pack)
    assert set(files) == pack_files(pack)
    for rel, entry in files.items():
        path = pack / rel
        assert path.stat().st_size == entry["bytes"], rel
        assert sha256_file(path) == entry["sha256"], rel
        assert entry["key"], rel
    assert not [p for p in pack.rglob("*") if is_temp_file(p)]
    with zipfile.ZipFile(pack / f"{pack.name}.zip") as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == sorted([*files, "manifest.json"])
        assert zf.read("manifest.json") == (pack / "manifest.json").read_bytes()
    return files


def pack_processes(out: Path) -> list[int]:
    """Live processes (the pack or its pool workers) whose command line names `out`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if str(out).encode() in cmdline and b"pack" in cmdline and state != "Z":
                found.append(int(entry))
    return found


def make_stories(root: Path, n: int = 3) -> list[str]:
    ids = [f"story-{chr(ord('a') + i)}" for i in range(n)]
    for i, sid in enumerate(ids):
        write_story(root, f"{sid}.yaml", story_text(f"Kỹ sư trẻ số {i + 1} đi Tokyo"))
    return ids


@pytest.mark.slow
def test_incremental_rerun_renders_only_the_changed_story(story_dir: Path, tmp_path: Path) -> None:
    ids = make_stories(story_dir)
    out = tmp_path / "out"
    first = run_pack(story_dir, out, "-j", "2")
    assert first.returncode == 0, first.stderr
    assert summary(first.stderr) == {sid: (2, 0, 0, 0) for sid in ids}
    pack = out / WEEK
    before = verify_pack(pack)
    assert {e["story"] for e in before.values()} == {*ids, ""}
    assert {e["platform"] for e in before.values() if e["story"]} == {"tiktok", "instagram-feed"}
    mtimes = {rel: (pack / rel).stat().st_mtime_ns for rel in before}

    # Unchanged: nothing is rendered, and nothing is rewritten.
    zip_mtime = (pack / f"{WEEK}.zip").stat().st_mtime_ns
    warm = run_pack(story_dir, out)
    assert warm.returncode == 0, warm.stderr
    assert summary(warm.stderr) == {sid: (0, 2, 0, 0) for sid in ids}
    assert "rendered 0, skipped 4" not in warm.stderr  # counts are outputs, 3 stories x 2
    assert "rendered 0, skipped 6 unchanged, failed 0" in warm.stderr
    assert (pack / f"{WEEK}.zip").stat().st_mtime_ns == zip_mtime

    # Change one story: only its outputs are rendered again.
    path = story_dir / "story-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("số 2", "số hai"), encoding="utf-8")
    third = run_pack(story_dir, out)
    assert third.returncode == 0, third.stderr
    rows = summary(third.stderr)
    assert rows["story-b"] == (2, 0, 0, 0)
    assert rows["story-a"] == rows["story-c"] == (0, 2, 0, 0)
    after = verify_pack(pack)
    for rel, entry in after.items():
        if entry["story"] in ("story-a", "story-c"):
            assert (pack / rel).stat().st_mtime_ns == mtimes[rel], rel
            assert entry["sha256"] == before[rel]["sha256"]
    assert (
        after["story-b/tiktok/cover.jpg"]["sha256"] != before["story-b/tiktok/cover.jpg"]["sha256"]
    )
    assert after["story-b/tiktok/cover.jpg"]["key"] != before["story-b/tiktok/cover.jpg"]["key"]

    # A pack-only field (the publish date inside the same week) changes no output.
    path.write_text(path.read_text(encoding="utf-8") + "publish: 2026-11-27\n", encoding="utf-8")
    fourth = run_pack(story_dir, out)
    assert summary(fourth.stderr)["story-b"] == (0, 2, 0, 0)
    assert {k: v["sha256"] for k, v in verify_pack(pack).items()} == {
        k: v["sha256"] for k, v in after.items() if not k.startswith("schedule.")
    } | {k: v["sha256"] for k, v in manifest(pack).items() if k.startswith("schedule.")}
    after = verify_pack(pack)  # only the schedule changed: the story now has a date

    # --force renders everything, byte-identically; deleting the cache is safe.
    forced = run_pack(story_dir, out, "--force")
    assert summary(forced.stderr) == {sid: (2, 0, 0, 0) for sid in ids}
    assert {k: v["sha256"] for k, v in verify_pack(pack).items()} == {
        k: v["sha256"] for k, v in after.items()
    }
    import shutil

    shutil.rmtree(pack / ".cache")
    again = run_pack(story_dir, out)
    assert again.returncode == 0
    assert summary(again.stderr) == {sid: (2, 0, 0, 0) for sid in ids}


def test_week_and_drafts_decide_who_joins(story_dir: Path, tmp_path: Path) -> None:
    write_story(story_dir, "every.yaml", story_text("Mọi tuần"))
    write_story(story_dir, "this.yaml", story_text("Tuần này", extra="week: 2026-W48\n"))
    write_story(story_dir, "dated.yaml", story_text("Ngày đăng", extra="publish: 2026-11-26\n"))
    write_story(story_dir, "other.yaml", story_text("Tuần khác", extra="week: 2026-W49\n"))
    write_story(story_dir, "wip.yaml", story_text("Bản nháp", status="draft"))
    out = tmp_path / "out"
    res = run_pack(story_dir, out, "-p", "youtube-thumbnail")
    assert res.returncode == 0, res.stderr
    assert set(summary(res.stderr)) == {"every", "this", "dated"}
    assert (
        "drafts left out (not approved; pass --include-drafts to render them): wip (" in res.stderr
    )
    assert "1 stories belong to other weeks and were left out" in res.stderr
    files = verify_pack(out / WEEK)
    assert not any(e["story"] == "wip" for e in files.values())

    res = run_pack(story_dir, out, "--include-drafts")
    assert set(summary(res.stderr)) == {"every", "this", "dated", "wip"}
    assert "drafts left out" not in res.stderr


def test_broken_stories_fail_alone(story_dir: Path, tmp_path: Path) -> None:
    write_story(story_dir, "good.yaml", story_text("Câu chuyện tốt"))
    write_story(
        story_dir,
        "missing.yaml",
        story_text("Thiếu ảnh").replace("media/photo.jpg", "media/nope.jpg"),
    )
    write_story(story_dir, "overflow.yaml", story_text(" ".join(["Supercalifragilistic"] * 25)))
    write_story(story_dir, "yaml.yaml", "kind: startup\nlang: en\ntitle: [oops\n")
    out = tmp_path / "out"
    res = run_pack(story_dir, out)
    assert res.returncode == 1
    rows = summary(res.stderr)
    assert rows["good"] == (2, 0, 0, 0)
    assert rows["missing"][2] >= 1 and rows["overflow"] == (0, 0, 2, 0) and rows["yaml"][2] == 1
    assert "missing.yaml:9:10: error: person.photo: file `media/nope.jpg` not found" in res.stderr
    assert re.search(
        r"overflow\.yaml:4:8: error: title: text too long to fit: .* \(cover card, tiktok\)",
        res.stderr,
    )
    assert "yaml.yaml:3:8: error: title: the list opened here with [ is never closed" in res.stderr
    files = verify_pack(out / WEEK)
    good = {rel for rel, e in files.items() if e["story"] == "good"}
    assert good == {
        f"good/{p}/{f}"
        for p in ("tiktok", "instagram-feed")
        for f in ("cover.jpg", "quote.jpg", "fact-01.jpg", "cta.jpg", "post.txt", "caption.txt")
    } | {"good/instagram-feed/alt.txt"}  # Instagram takes alt text, TikTok does not
    assert {e["story"] for e in files.values()} == {"good", ""}
    html = (out / WEEK / "index.html").read_text(encoding="utf-8")
    assert "file `media/nope.jpg` not found" in html

    # Unchanged broken stories are reported again from the cache, still exit 1.
    res = run_pack(story_dir, out)
    assert res.returncode == 1
    assert "text too long to fit" in res.stderr
    assert summary(res.stderr)["good"] == (0, 2, 0, 0)


@pytest.mark.slow
def test_sigkill_mid_pack_then_rerun_finishes_it(story_dir: Path, tmp_path: Path) -> None:
    ids = make_stories(story_dir, 3)
    out = tmp_path / "out"
    pack = out / WEEK
    cmd = [
        sys.executable,
        "-m",
        "outreach",
        "pack",
        str(story_dir),
        "--week",
        WEEK,
        "-o",
        str(out),
        "--only",
        "cards",
        *PLATFORMS,
        "-j",
        "1",
        "-q",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if pack.is_dir() and any(
                p.suffix == ".jpg" and not is_temp_file(p) for p in pack.rglob("*")
            ):
                break
            time.sleep(0.01)
        else:
            pytest.fail("no output appeared")
        os.kill(proc.pid, signal.SIGKILL)  # the pack itself, mid-write; its workers follow
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while pack_processes(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pack_processes(out) == []
    assert not (pack / "manifest.json").exists()
    # What a kill during a write leaves behind: a temporary beside its target.
    stale = pack / "story-a" / "tiktok" / ".cover.jpg.tmp-999-deadbeef"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"\xff\xd8 truncated")

    res = run_pack(story_dir, out)
    assert res.returncode == 0, res.stderr
    rows = summary(res.stderr)
    assert set(rows) == set(ids)
    assert re.search(r"removed \d+ temporary files left by an interrupted run", res.stderr)
    assert not stale.exists()
    files = verify_pack(pack)
    assert len([e for e in files.values() if e["story"]]) == 3 * CARD_SET_FILES


def test_usage_errors_exit_2(story_dir: Path, tmp_path: Path) -> None:
    make_stories(story_dir, 1)
    out = tmp_path / "out"
    res = run_pack(story_dir, out, "--week", "2026-48")
    assert res.returncode == 2
    assert "`2026-48` is not an ISO week; write it like 2026-W48" in res.stderr
    res = run_pack(story_dir, out, "--scheduler", "localhost:8786")
    assert res.returncode == 2
    assert (
        "--scheduler `localhost:8786` is not a scheduler address — write it as tcp://HOST:PORT"
        in res.stderr
    )
    res = run_pack(tmp_path / "nowhere", out)
    assert res.returncode == 2
    (tmp_path / "empty").mkdir()
    res = run_pack(tmp_path / "empty", out)
    assert res.returncode == 2
    assert f"error: no story files (*.yaml) in {tmp_path / 'empty'}" in res.stderr
    assert not out.exists()


def test_parse_week() -> None:
    assert parse_week("2026-w48") == "2026-W48"
    assert parse_week("2026-W01") == "2026-W01"
    with pytest.raises(ValueError, match="2025 has no ISO week 53"):
        parse_week("2025-W53")
    assert parse_week("2026-W53") == "2026-W53"
    assert re.fullmatch(r"\d{4}-W\d{2}", current_week())
