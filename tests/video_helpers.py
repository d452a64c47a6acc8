"""Shared helpers for the video tests: small stories, media made on the fly, ffprobe."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

from outreach import ffmpeg

#: Tests render at a quarter of 1080x1920: the same pipeline, 16x fewer pixels.
SCALE = 0.25
FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"

#: A theme that keeps test clips short (a few seconds) without changing anything else.
SHORT_THEME = """\
extends: default
music: null   # no bed: the default theme's music is tested where a story asks for audio
video: {target_min: 3, cover_seconds: 1.0, fact_seconds: 1.0, cta_seconds: 1.0, min_scene: 1.0}
"""

STORY = """\
id: vtest
kind: engineer
lang: vi
title: Kỹ sư Việt Nam ở Tokyo
hook: Từ Cần Thơ đến Nhật Bản
person: {name: Nguyễn Thị Lan, role: Kỹ sư phần mềm}
theme: short
beats:
  - text: "Lan lớn lên bên dòng sông Hậu, nơi mỗi sáng bắt đầu bằng một chuyến đò nhỏ."
    media: media/photo.jpg
    motion: zoom-in
    duration: 3.0
  - text: "Chị dẫn dắt một nhóm kỹ sư."
    media: media/wide.jpg
    motion: pan-left
    duration: 1.5
facts:
  - {value: "12", label: kỹ sư trong nhóm}
cta: Bắt đầu từ hôm nay.
credits: "Ảnh: minh hoạ"
"""


def make_root(root: Path, story: str = STORY, theme: str = SHORT_THEME) -> Path:
    """A stories root with two photos, the short theme and one story; returns the story path."""
    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    (root / "outreach.toml").write_text("")
    for name, size in (("photo.jpg", (800, 1000)), ("wide.jpg", (1600, 900))):
        if not (media / name).exists():
            img = Image.new("RGB", size, (30, 60, 110))
            d = ImageDraw.Draw(img)
            for i in range(0, size[0], 80):
                d.rectangle((i, 0, i + 40, size[1]), fill=(40 + i % 200, 90, 140))
            d.ellipse(
                (size[0] // 3, size[1] // 4, size[0] // 3 * 2, size[1] // 2), fill=(240, 200, 80)
            )
            img.save(media / name, quality=88)
    tdir = root / "themes" / "short"
    tdir.mkdir(parents=True, exist_ok=True)
    (tdir / "theme.yaml").write_text(theme, encoding="utf-8")
    path = root / "story.yaml"
    path.write_text(story, encoding="utf-8")
    return path


def tone(
    path: Path, seconds: float = 2.0, rate: int = 22050, channels: int = 1, freq: int = 440
) -> Path:
    """An audio file in any format ffmpeg writes (by suffix): mono 22 kHz by default."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg.run(
        [
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={freq}:sample_rate={rate}:duration={seconds}",
            "-ac",
            str(channels),
            str(path),
        ],
        "test tone",
    )
    return path


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        [
            FFPROBE,
            "-v",
            "error",
            "-count_packets",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return json.loads(out.stdout)


def summary(probe: dict) -> dict:
    """The fields a platform checks, for comparison with a control file."""
    v = next(s for s in probe["streams"] if s["codec_type"] == "video")
    a = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    return {
        "video": {
            k: v.get(k)
            for k in (
                "codec_name",
                "profile",
                "pix_fmt",
                "width",
                "height",
                "r_frame_rate",
                "avg_frame_rate",
                "color_space",
                "color_range",
                "color_primaries",
                "color_transfer",
            )
        },
        "audio": {
            k: a.get(k)
            for k in ("codec_name", "profile", "sample_rate", "channels", "channel_layout")
        },
        "format": {"format_name": probe["format"]["format_name"]},
    }


def frame_at(video: Path, frame: int) -> Image.Image:
    """Decode one frame (by number) to RGB with the reference ffmpeg."""
    out = subprocess.run(
        [
            ffmpeg.ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(video),
            "-vf",
            f"select=eq(n\\,{frame})",
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        check=True,
        capture_output=True,
    )
    info = ffprobe(video)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    return Image.frombytes("RGB", (v["width"], v["height"]), out.stdout)
