"""A pack you can trust: narrow runs never delete, only the pack's own files are ever
removed (each by name), the user's files survive, the folder is locked, a killed run
leaves no manifest that disagrees with the files, and Ctrl-C prints no traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from outreach.pack.lock import pack_lock
from tests.conftest import write_story
from tests.test_pack import (
    CARD_SET_FILES,
    WEEK,
    manifest,
    pack_files,
    story_text,
    summary,
    verify_pack,
)

pytestmark = pytest.mark.slow

VIDEO_BEATS = (
    '  - text: "Lan lớn lên ở Mù Cang Chải."\n    media: media/photo.jpg\n    duration: 1\n',
    '  - text: "Cô học kỹ thuật ở Tokyo."\n    duration: 1\n',
)


def video_story(title: str, extra: str = "") -> str:
    text = story_text(title, extra=extra)
    text = text.replace('  - text: "Lan lớn lên ở Mù Cang Chải."\n', VIDEO_BEATS[0])
    return text.replace('  - text: "Cô học kỹ thuật ở Tokyo."\n', VIDEO_BEATS[1])


def pack(root: Path, out: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "OUTREACH_VIDEO_SCALE": "0.25", **kw.pop("env", {})}
    cmd = [sys.executable, "-m", "outreach", "pack", str(root), "--week", WEEK, "-o", str(out)]
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=600, env=env, check=False, **kw
    )


def snapshot(pack_dir: Path) -> dict[str, str]:
    """sha256 of every output; the pack's own summaries (contact sheet, schedule) left out."""
    summaries = ("index.html", "schedule.csv", "schedule.ics")
    return {rel: e["sha256"] for rel, e in manifest(pack_dir).items() if rel not in summaries}


def test_the_readme_narrow_run_keeps_every_other_output(story_dir: Path, tmp_path: Path) -> None:
    """The issue's data loss: `-j 1 -p tiktok --only cards` on a finished pack."""
    write_story(story_dir, "a.yaml", video_story("Câu chuyện A"))
    write_story(story_dir, "b.yaml", video_story("Câu chuyện B"))
    out = tmp_path / "out"
    platforms = ["-p", "tiktok", "-p", "instagram-reels", "-p", "instagram-feed"]
    full = pack(story_dir, out, *platforms)
    assert full.returncode == 0, full.stderr
    pack_dir = out / WEEK
    before = snapshot(pack_dir)
    assert any(rel.endswith("video.mp4") for rel in before)
    assert {rel.split("/")[1] for rel in before} >= {"tiktok", "instagram-reels", "_video"}
    zip_before = sorted(zipfile.ZipFile(pack_dir / f"{WEEK}.zip").namelist())

    # The story changed, so the narrow run really renders something.
    path = story_dir / "a.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("A", "Á"), encoding="utf-8")
    narrow = pack(story_dir, out, "-j", "1", "-p", "tiktok", "--only", "cards")
    assert narrow.returncode == 0, narrow.stderr
    assert "removed" not in narrow.stderr
    assert summary(narrow.stderr)["a"][0] == 1  # a's tiktok cards, nothing else
    after = snapshot(pack_dir)
    assert set(after) == set(before)  # every other output is still listed...
    for rel, sha in before.items():
        if not rel.startswith("a/tiktok/"):
            assert after[rel] == sha, rel  # ...and unchanged
            assert (pack_dir / rel).is_file(), rel
    assert after["a/tiktok/cover.jpg"] != before["a/tiktok/cover.jpg"]
    verify_pack(pack_dir)
    assert sorted(zipfile.ZipFile(pack_dir / f"{WEEK}.zip").namelist()) == zip_before

    # Nothing changed: a narrow run then rewrites nothing, not even index.html or the zip.
    full_again = pack(story_dir, out, *platforms)  # renders a's other platforms (it changed)
    assert full_again.returncode == 0, full_again.stderr
    after = snapshot(pack_dir)
    stamps = {n: (pack_dir / n).stat().st_mtime_ns for n in ("index.html", f"{WEEK}.zip")}
    narrow_again = pack(story_dir, out, "-j", "1", "-p", "tiktok", "--only", "cards")
    assert narrow_again.returncode == 0, narrow_again.stderr
    assert {n: (pack_dir / n).stat().st_mtime_ns for n in stamps} == stamps

    # --story narrows to one story the same way.
    only_b = pack(story_dir, out, "--story", "b", *platforms)
    assert only_b.returncode == 0, only_b.stderr
    assert set(summary(only_b.stderr)) == {"a", "b"}  # a is listed (kept), not rendered
    assert snapshot(pack_dir) == after


def test_removals_are_only_stories_and_platforms_that_left_and_are_named(
    story_dir: Path, tmp_path: Path
) -> None:
    write_story(story_dir, "a.yaml", story_text("Câu chuyện A"))
    write_story(story_dir, "b.yaml", story_text("Câu chuyện B"))
    out = tmp_path / "out"
    args = ("--only", "cards", "-p", "tiktok", "-p", "instagram-feed")
    assert pack(story_dir, out, *args).returncode == 0
    pack_dir = out / WEEK
    # The team's own files in the pack folder, beside and inside the outputs.
    (pack_dir / "approvals.xlsx").write_bytes(b"PK approvals")
    (pack_dir / "b" / "brief.docx").write_bytes(b"PK brief")
    # b leaves the week; a drops instagram-feed from its platforms.
    (story_dir / "b.yaml").write_text(story_text("Câu chuyện B", extra="week: 2026-W49\n"))
    (story_dir / "a.yaml").write_text(story_text("Câu chuyện A", extra="platforms: [tiktok]\n"))
    res = pack(story_dir, out, *args)
    assert res.returncode == 0, res.stderr
    removed = sorted(
        line.split()[1] for line in res.stderr.splitlines() if line.startswith("removed ")
    )
    assert removed == sorted(
        [f"b/{p}/{f}" for p in ("tiktok", "instagram-feed") for f in CARD_FILES]
        + [f"a/instagram-feed/{f}" for f in CARD_FILES]
        + ["b/instagram-feed/alt.txt", "a/instagram-feed/alt.txt"]
    )
    assert "removed b/tiktok/cover.jpg (b tiktok left the week's pack)" in res.stderr
    assert (pack_dir / "approvals.xlsx").read_bytes() == b"PK approvals"
    assert (pack_dir / "b" / "brief.docx").read_bytes() == b"PK brief"
    assert not (pack_dir / "a" / "instagram-feed").exists()
    assert set(manifest(pack_dir)) == {f"a/tiktok/{f}" for f in CARD_FILES} | PACK_ROOT_FILES


CARD_FILES = ("cover.jpg", "quote.jpg", "fact-01.jpg", "cta.jpg", "post.txt", "caption.txt")
PACK_ROOT_FILES = {"index.html", "schedule.csv", "schedule.ics"}


def test_edited_outputs_are_kept_and_the_stories_are_never_touched(
    story_dir: Path, tmp_path: Path
) -> None:
    write_story(story_dir, "a.yaml", story_text("Câu chuyện A"))
    out = tmp_path / "out"
    args = ("--only", "cards", "-p", "tiktok")
    assert pack(story_dir, out, *args).returncode == 0
    post = out / WEEK / "a" / "tiktok" / "post.txt"
    post.write_text(post.read_text(encoding="utf-8") + "\nedited by the social-media team\n")
    res = pack(story_dir, out, *args)  # the edit makes the unit dirty: the pack writes again
    assert res.returncode == 0, res.stderr
    kept = [p for p in post.parent.iterdir() if p.name.startswith("post.edited-")]
    assert len(kept) == 1 and "edited by the social-media team" in kept[0].read_text()
    assert "edited by the social-media team" not in post.read_text(encoding="utf-8")
    assert (
        f"kept a/tiktok/post.txt: it was not the pack's own file; kept as a/tiktok/{kept[0].name}"
        in res.stderr
    )

    # An output folder inside the stories is refused before anything is touched.
    res = subprocess.run(
        [
            sys.executable, "-m", "outreach", "pack", str(story_dir), "--week", WEEK,
            "-o", str(story_dir), "--only", "cards", "-p", "tiktok",
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert res.returncode == 2
    assert "is inside the stories folder" in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in story_dir.iterdir()) == ["a.yaml", "media", "outreach.toml"]


def test_output_folder_that_holds_the_stories_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    stories = root / "2026-W48" / "stories"  # the pack folder would be proj/2026-W48
    (stories / "media").mkdir(parents=True)
    write_story(stories, "a.yaml", story_text("A").replace("  photo: media/photo.jpg\n", ""))
    (root / "2026-W48" / "brief.docx").write_bytes(b"brief")
    res = pack(stories, root, "--only", "cards", "-p", "tiktok")
    assert res.returncode == 2
    assert "contains the stories folder" in res.stderr
    assert (root / "2026-W48" / "brief.docx").read_bytes() == b"brief"
    assert (stories / "a.yaml").is_file()


def test_a_second_pack_into_the_same_folder_is_refused(story_dir: Path, tmp_path: Path) -> None:
    write_story(story_dir, "a.yaml", story_text("A"))
    out = tmp_path / "out"
    with pack_lock(out / WEEK / ".cache"):
        res = pack(story_dir, out, "--only", "cards", "-p", "tiktok")
    assert res.returncode == 2
    assert "another pack is already writing into" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (out / WEEK / "a").exists()


def test_a_killed_run_leaves_no_manifest_that_disagrees(story_dir: Path, tmp_path: Path) -> None:
    for name in "abc":
        write_story(story_dir, f"{name}.yaml", story_text(f"Câu chuyện {name}"))
    out = tmp_path / "out"
    args = ["--only", "cards", "-p", "tiktok", "-p", "instagram-feed", "-j", "1"]
    assert pack(story_dir, out, *args).returncode == 0
    pack_dir = out / WEEK
    for name in "abc":  # every story changes: the next run rewrites everything
        path = story_dir / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Câu", "Chuyện"))
    env = {**os.environ, "OUTREACH_VIDEO_SCALE": "0.25"}
    cmd = [sys.executable, "-m", "outreach", "pack", str(story_dir), "--week", WEEK]
    proc = subprocess.Popen(
        [*cmd, "-o", str(out), *args, "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    old_cover = max(p.stat().st_mtime_ns for p in pack_dir.rglob("*.jpg"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        changed = [
            p
            for p in pack_dir.glob("*/*/*.jpg")
            if p.stat().st_mtime_ns > old_cover and p.parent.parent.name in "abc"
        ]
        if changed:
            break
        time.sleep(0.01)
    # While files change, no manifest or zip claims to describe the folder.
    assert not (pack_dir / "manifest.json").exists()
    assert not (pack_dir / f"{WEEK}.zip").exists()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (pack_dir / "manifest.json").exists()
    res = pack(story_dir, out, *args)
    assert res.returncode == 0, res.stderr
    assert not [p for p in pack_dir.rglob("*.edited-*")]  # the killed run's files were its own
    files = verify_pack(pack_dir)
    assert len([e for e in files.values() if e["story"]]) == 3 * CARD_SET_FILES


def test_ctrl_c_stops_the_pack_without_a_traceback(story_dir: Path, tmp_path: Path) -> None:
    write_story(story_dir, "a.yaml", video_story("A"))
    out = tmp_path / "out"
    env = {**os.environ, "OUTREACH_VIDEO_SCALE": "0.25"}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "outreach", "pack", str(story_dir), "--week", WEEK,
            "-o", str(out), "-p", "tiktok", "-j", "2",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / WEEK).glob("a/*/*.jpg")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "interrupted" in err and "run the same command again" in err
    assert not (out / WEEK / "manifest.json").exists()


def test_quiet_prints_nothing_when_all_is_well(story_dir: Path, tmp_path: Path) -> None:
    write_story(story_dir, "a.yaml", story_text("A"))
    res = pack(story_dir, tmp_path / "out", "--only", "cards", "-p", "tiktok", "-q")
    assert res.returncode == 0
    assert res.stderr == "" and res.stdout == ""
    write_story(story_dir, "b.yaml", story_text("B").replace("media/photo.jpg", "media/no.jpg"))
    res = pack(story_dir, tmp_path / "out", "--only", "cards", "-p", "tiktok", "-q")
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [
        f"{story_dir / 'b.yaml'}:9:10: error: person.photo: file `media/no.jpg` not found — "
        f"check the spelling; paths are relative to {story_dir}/"
    ]


def test_full_disk_and_unwritable_folders_are_plain_errors(story_dir: Path, tmp_path: Path) -> None:
    import resource

    write_story(story_dir, "a.yaml", story_text("A"))
    # An output path under a file: a usage error before any work.
    (tmp_path / "file").write_text("x")
    res = pack(story_dir, tmp_path / "file" / "out", "--only", "cards", "-p", "tiktok")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{tmp_path / 'file'} is a file" in res.stderr

    # A full disk (here: a file-size limit, which fails writes with EFBIG "File too large").
    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, resource.RLIM_INFINITY))

    res = pack(
        story_dir, tmp_path / "full", "--only", "cards", "-p", "tiktok", preexec_fn=small_files
    )
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "this is a bug" not in res.stderr
    assert "too large for this disk or for this account's file-size limit" in res.stderr

    # A folder nobody may write into (immutable: even root, who runs CI, cannot write).
    locked = tmp_path / "locked"
    locked.mkdir()
    subprocess.run(["chattr", "+i", str(locked)], check=True)
    try:
        res = pack(story_dir, locked, "--only", "cards", "-p", "tiktok")
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    assert res.returncode == 2, res.stderr
    assert f"cannot write into the output folder {locked / WEEK}" in res.stderr or (
        "no permission to write" in res.stderr
    )
    assert "Traceback" not in res.stderr


def test_manifest_marks_kept_outputs_of_a_story_that_fails_now(
    story_dir: Path, tmp_path: Path
) -> None:
    write_story(story_dir, "a.yaml", story_text("A"))
    out = tmp_path / "out"
    args = ("--only", "cards", "-p", "tiktok")
    assert pack(story_dir, out, *args).returncode == 0
    before = snapshot(out / WEEK)
    (story_dir / "a.yaml").write_text(story_text("A").replace("kind: engineer", "kind: nope"))
    res = pack(story_dir, out, *args)
    assert res.returncode == 1
    files = json.loads((out / WEEK / "manifest.json").read_text(encoding="utf-8"))["files"]
    kept = {e["path"]: e for e in files if e["story"] == "a"}
    assert {k: e["sha256"] for k, e in kept.items()} == before  # nothing lost
    assert all(e["stale"] for e in kept.values())
    assert 'manifest.json marks them "stale"' in res.stderr
    assert pack_files(out / WEEK) == set(before) | PACK_ROOT_FILES
