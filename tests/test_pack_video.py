"""Videos in the pack: real ffmpeg encodes (at a reduced size), probed with PyAV, one
shared encode for TikTok and Reels, skipped when unchanged, same on Dask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_pack import WEEK, story_text, summary, verify_pack, write_story
from tests.video_helpers import ffprobe as _probe

pytestmark = pytest.mark.slow


def video_story(title: str) -> str:
    return (
        story_text(title)
        .replace(
            '  - text: "Lan lớn lên ở Mù Cang Chải."\n',
            '  - text: "Lan lớn lên ở Mù Cang Chải."\n    media: media/photo.jpg\n    duration: 1\n',
        )
        .replace(
            '  - text: "Cô học kỹ thuật ở Tokyo."\n',
            '  - text: "Cô học kỹ thuật ở Tokyo."\n    duration: 1\n',
        )
    )


def pack(root: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OUTREACH_VIDEO_SCALE": "0.25"}
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
        "-p",
        "tiktok",
        "-p",
        "instagram-reels",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, check=False)


def ffprobe(path: Path) -> dict:
    """Duration and the main fields of each stream (PyAV; see video_helpers.ffprobe)."""
    full = _probe(path)
    keep = ("codec_type", "codec_name", "width", "height", "pix_fmt")
    return {
        "format": {"duration": full["format"]["duration"]},
        "streams": [{k: s[k] for k in keep if k in s} for s in full["streams"]],
    }


def video_entries(files: dict) -> list[dict]:
    return [e for e in files.values() if e["output"] == "video"]


def test_video_outputs_are_jobs_shared_probed_and_cached(story_dir: Path, tmp_path: Path) -> None:
    write_story(story_dir, "vid.yaml", video_story("Video ngắn"))
    out = tmp_path / "out"
    res = pack(story_dir, out, "--only", "video")
    assert res.returncode == 0, res.stderr
    assert summary(res.stderr) == {"vid": (2, 0, 0, 0)}
    packdir = out / WEEK
    data = json.loads((packdir / "manifest.json").read_text(encoding="utf-8"))
    videos = [e for e in data["files"] if e["output"] == "video"]
    assert sorted(e["platform"] for e in videos) == ["instagram-reels", "tiktok"]
    assert len({e["path"] for e in videos}) == 1  # one encode serves both
    probe = ffprobe(packdir / videos[0]["path"])
    assert abs(float(probe["format"]["duration"]) - videos[0]["duration"]) < 0.1
    kinds = {s["codec_type"]: s for s in probe["streams"]}
    assert kinds["video"]["codec_name"] == "h264" and kinds["audio"]["codec_name"] == "aac"
    assert all(e["key"] for e in data["files"])
    verify_pack(packdir)
    html = (packdir / "index.html").read_text(encoding="utf-8")
    # Identical renders are shown once with the platforms they serve.
    assert 'poster="vid/' in html
    shown = html.count("<video ")
    assert shown == 2 or (shown == 1 and "tiktok" in html and "instagram-reels" in html)

    again = pack(story_dir, out)  # cards are new, the video is unchanged
    assert again.returncode == 0, again.stderr
    assert summary(again.stderr) == {"vid": (2, 2, 0, 0)}
    assert verify_pack(packdir)[videos[0]["path"]]["sha256"] == videos[0]["sha256"]


def test_video_on_dask_has_the_same_probed_metadata(
    story_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTREACH_VIDEO_SCALE", "0.25")  # the cluster's workers inherit it
    import distributed

    write_story(story_dir, "vid.yaml", video_story("Video ngắn"))
    local = pack(story_dir, tmp_path / "local", "--only", "video", "-j", "1")
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        remote = pack(
            story_dir,
            tmp_path / "dask",
            "--only",
            "video",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert remote.returncode == 0, remote.stderr
    a = verify_pack(tmp_path / "local" / WEEK)
    b = verify_pack(tmp_path / "dask" / WEEK)
    va, vb = video_entries(a)[0], video_entries(b)[0]
    assert ffprobe(tmp_path / "local" / WEEK / va["path"]) == ffprobe(
        tmp_path / "dask" / WEEK / vb["path"]
    )
    for field in ("duration", "width", "height", "frames", "fps", "codec", "pix_fmt", "key"):
        if field in va:
            assert va[field] == vb[field], field
