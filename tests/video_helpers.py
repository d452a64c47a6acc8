"""Shared helpers for the video tests: small stories, media made on the fly, and media
probed with PyAV (FFmpeg's libraries from PyPI: no system ffprobe needed)."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from outreach import ffmpeg

#: Tests render at a quarter of 1080x1920: the same pipeline, 16x fewer pixels.
SCALE = 0.25

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


#: FFmpeg's colour enums by number, named as ffprobe names them (2 = unspecified).
_RANGES = {1: "tv", 2: "pc"}
_SPACES = {0: "gbr", 1: "bt709", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020nc"}
_PRIMARIES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020"}
_TRANSFERS = {
    1: "bt709",
    4: "gamma22",
    5: "gamma28",
    6: "smpte170m",
    7: "smpte240m",
    8: "linear",
    13: "iec61966-2-1",
    14: "bt2020-10",
    16: "smpte2084",
    18: "arib-std-b67",
}


def _rate(value: Any) -> str | None:
    if not value:
        return None
    f = Fraction(value)
    return f"{f.numerator}/{f.denominator}"


def _seconds(value: int | None, time_base: Any) -> str | None:
    return None if value is None or time_base is None else f"{float(value * time_base):.6f}"


def ffprobe(path: Path) -> dict:
    """What `ffprobe -count_packets -show_format -show_streams -of json` reports (the
    fields the tests use), read with PyAV."""
    import av

    with av.open(str(path)) as container:
        counts = dict.fromkeys(range(len(container.streams)), 0)
        for packet in container.demux():
            if packet.size:
                counts[packet.stream.index] += 1
        streams: list[dict[str, Any]] = []
        for st in container.streams:
            cc = st.codec_context
            entry: dict[str, Any] = {
                "index": st.index,
                "codec_type": st.type,
                "codec_name": cc.name,
                "profile": cc.profile,
                "duration": _seconds(st.duration, st.time_base),
                "nb_read_packets": str(counts[st.index]),
            }
            if st.type == "video":
                entry.update(
                    width=cc.width,
                    height=cc.height,
                    pix_fmt=cc.format.name if cc.format else None,
                    r_frame_rate=_rate(st.base_rate),
                    avg_frame_rate=_rate(st.average_rate),
                    color_range=_RANGES.get(cc.color_range),
                    color_space=_SPACES.get(cc.colorspace),
                    color_primaries=_PRIMARIES.get(cc.color_primaries),
                    color_transfer=_TRANSFERS.get(cc.color_trc),
                )
            elif st.type == "audio":
                entry.update(
                    sample_rate=str(cc.sample_rate),
                    channels=cc.channels,
                    channel_layout=cc.layout.name,
                )
            streams.append(entry)
        duration = container.duration
        return {
            "streams": streams,
            "format": {
                "format_name": container.format.name,
                "duration": None if duration is None else f"{duration / 1_000_000:.6f}",
            },
        }


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
