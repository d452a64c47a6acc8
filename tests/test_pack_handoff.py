"""The hand-off (issue 12): what the person who posts gets from a real pack.

A pack with a video (rendered at a quarter of its size): every vertical platform folder
holds its own video as a real file (a hard link on disk, a whole file in the zip) with
its cover and `caption.txt`; each caption is exactly the text to paste, tailored to its
network and within its limits; `alt.txt` where the network takes alt text; the schedule
(`schedule.csv`, `schedule.ics`) at the pack's root; every one of those files in
manifest.json with its size and sha256, also after a narrow run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import icalendar
import pytest

from outreach.platforms import get_platform, load_presets
from tests.test_pack import WEEK, manifest, summary, verify_pack, write_story
from tests.test_pack_video import video_story

#: Every vertical preset takes the video (the Story too); the others take none.
VERTICAL = ["tiktok", "youtube-shorts", "instagram-reels", "facebook-reels", "instagram-story"]
OTHERS = ["instagram-feed", "facebook-feed", "youtube-thumbnail"]


def run(root: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OUTREACH_VIDEO_SCALE": "0.25"}
    cmd = [sys.executable, "-m", "outreach", "pack", str(root), "--week", WEEK, "-o", str(out)]
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=900, env=env, check=False
    )


def platform_args(names: list[str]) -> list[str]:
    return [a for n in names for a in ("-p", n)]


pytestmark = pytest.mark.slow


def make_handoff(tmp_path: Path) -> Path:
    """One story with a time, one with only a date; every platform; video at 1/4 size."""
    from PIL import Image

    root = tmp_path / "s"
    (root / "media").mkdir(parents=True)
    (root / "outreach.toml").write_text("")
    img = Image.new("RGB", (800, 1000))
    for y in range(1000):
        img.paste((40 + y // 8, 90, 140), (0, y, 800, y + 1))
    img.save(root / "media" / "photo.jpg", quality=85)
    timed = video_story("Lan đi Tokyo").replace(
        "credits:", 'link: "hoinhap.vn/lan"\npublish: 2026-11-27 19:30\ncredits:'
    )
    write_story(root, "lan.yaml", timed)
    dated = video_story("Minh về Cần Thơ").replace("credits:", "publish: 2026-11-25\ncredits:")
    write_story(root, "minh.yaml", dated)
    out = root.parent / "out"
    res = run(root, out, *platform_args(VERTICAL + OTHERS))
    assert res.returncode == 0, res.stderr
    return out / WEEK


def test_the_handoff_of_a_real_pack(tmp_path: Path) -> None:
    """One pack (the render is the slow part), every contract of the hand-off checked on
    it, then a narrow run over it."""
    handoff = make_handoff(tmp_path)
    check_videos(handoff)
    check_captions(handoff)
    check_alt_text(handoff)
    check_schedule_csv(handoff)
    check_schedule_ics(handoff)
    check_manifest(handoff)
    check_narrow_run(handoff)


def check_videos(handoff: Path) -> None:
    vertical = {n for n, p in load_presets().items() if p.canvas == (1080, 1920)}
    assert vertical == set(VERTICAL)  # every vertical preset is checked below
    files = verify_pack(handoff)  # manifest == files on disk == zip, sizes and sha256
    with zipfile.ZipFile(handoff / f"{WEEK}.zip") as zf:
        for story in ("lan", "minh"):
            shared = handoff / story / "_video" / "video.mp4"
            for name in VERTICAL:
                rel = f"{story}/{name}/{story}-{name}.mp4"  # says story and platform
                path = handoff / rel
                assert path.is_file() and not path.is_symlink(), rel
                assert os.path.samefile(path, shared)  # a hard link: no second copy on disk
                assert path.stat().st_nlink >= 1 + len(VERTICAL)
                entry = files[rel]
                assert entry["output"] == "platform-video" and entry["platform"] == name
                assert entry["bytes"] == shared.stat().st_size > 10_000
                info = zf.getinfo(rel)
                assert not stat.S_ISLNK(info.external_attr >> 16)  # a file, never a link
                assert info.file_size == entry["bytes"]
                assert zf.read(rel) == shared.read_bytes()
                assert (handoff / story / name / "cover.jpg").is_file()
                assert (handoff / story / name / "caption.txt").is_file()
            for name in OTHERS:  # no video where the platform takes none
                assert not list((handoff / story / name).glob("*.mp4"))


def _captions(handoff: Path, story: str) -> dict[str, str]:
    return {
        name: (handoff / story / name / "caption.txt").read_text(encoding="utf-8")
        for name in VERTICAL + OTHERS
    }


def check_captions(handoff: Path) -> None:
    caps = _captions(handoff, "lan")
    for name, text in caps.items():
        platform = get_platform(name)
        assert text.endswith("\n") and text.strip(), name
        assert "==" not in text and "ALT TEXT" not in text, name  # no reviewer's headers
        first = text.split("\n", 1)[0]
        assert 0 < len(first) <= 125, (name, first)
        if platform.limits.caption_chars:
            assert len(text.rstrip("\n")) <= platform.limits.caption_chars
        assert "alt" not in text.lower() or name.startswith("instagram-story"), name
    # TikTok and Instagram: the hook line, a short body, the CTA and the hashtags.
    for name in ("tiktok", "instagram-feed", "instagram-reels"):
        lines = caps[name].split("\n")
        assert lines[0] == "Từ ruộng bậc thang đến phòng sạch" and lines[1] == ""
        assert "👉 Bạn sẽ kể câu chuyện nào?" in caps[name]
        assert lines[-2].split() == ["#HoiNhap", "#ThanhNien"] or "#HoiNhap" in caps[name]
        assert "Lan lớn lên ở Mù Cang Chải." in caps[name]
    assert len(caps["tiktok"]) < len(caps["facebook-feed"])
    assert caps["tiktok"] != caps["facebook-feed"]  # tailored, not one text for all
    # YouTube: the title (100 characters at most, no < >), a blank line, the description.
    yt = caps["youtube-shorts"].split("\n")
    assert yt[0] == "Lan đi Tokyo" and yt[1] == "" and len(yt[0]) <= 100
    assert not set("<>") & set(yt[0])
    # Facebook: the longer text, with the tappable link and the facts' sources.
    fb = caps["facebook-feed"]
    assert "🔗 hoinhap.vn/lan" in fb and "(Bộ Ngoại giao)" in fb and "Ảnh: Lan" in fb
    assert "Cô học kỹ thuật ở Tokyo." in fb
    # The Story has no caption field: its text is the stickers' (the hook and the link).
    assert caps["instagram-story"] == "Từ ruộng bậc thang đến phòng sạch\n\n🔗 hoinhap.vn/lan\n"
    # post.txt stays the reviewer's full sheet.
    post = (handoff / "lan" / "tiktok" / "post.txt").read_text(encoding="utf-8")
    assert "== CAPTION ==" in post and caps["tiktok"].rstrip("\n") in post


def check_alt_text(handoff: Path) -> None:
    files = manifest(handoff)
    for name, platform in load_presets().items():
        if name not in VERTICAL + OTHERS:
            continue
        alt = handoff / "lan" / name / "alt.txt"
        assert alt.is_file() == platform.alt_text, name
        if not platform.alt_text:
            continue
        blocks = alt.read_text(encoding="utf-8").strip("\n").split("\n\n")
        images = [e for e in files.values() if e["platform"] == name and e["story"] == "lan"]
        cards = {Path(e["path"]).name: e["alt"] for e in images if e.get("alt")}
        assert sorted(b.split("\n", 1)[0] for b in blocks) == sorted(cards)  # one per image
        for block in blocks:
            image, text = block.split("\n", 1)
            assert text == cards[image] and (alt.parent / image).is_file()
        assert files[f"lan/{name}/alt.txt"]["output"] == "alt"


def _schedule(handoff: Path) -> list[dict[str, str]]:
    data = (handoff / "schedule.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # UTF-8, no byte-order mark
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def check_schedule_csv(handoff: Path) -> None:
    rows = _schedule(handoff)
    header = (handoff / "schedule.csv").read_text(encoding="utf-8").split("\r\n", 1)[0]
    assert header.startswith("date,time,platform,story,media,caption")
    assert len(rows) == 2 * len(VERTICAL + OTHERS)
    assert {(r["story"], r["platform"]) for r in rows} == {
        (s, p) for s in ("lan", "minh") for p in VERTICAL + OTHERS
    }
    for row in rows:
        media = row["media"].split(";")
        assert media and all((handoff / m).is_file() for m in media), row["media"]
        folder = f"{row['story']}/{row['platform']}/"
        assert all(m.startswith(folder) for m in media)
        if row["platform"] in VERTICAL:
            assert media[0] == f"{folder}{row['story']}-{row['platform']}.mp4"
            assert media[1] == f"{folder}cover.jpg"
        caption = (handoff / row["caption_file"]).read_text(encoding="utf-8")
        assert row["caption"] == caption.rstrip("\n")
    lan = [r for r in rows if r["story"] == "lan"]
    assert {(r["date"], r["time"], r["timezone"]) for r in lan} == {
        ("2026-11-27", "19:30", "Asia/Ho_Chi_Minh")
    }
    assert lan[0]["datetime"] == "2026-11-27T19:30+07:00"
    # A date alone: each platform's documented default time (presets.yaml `post_at`).
    for r in (r for r in rows if r["story"] == "minh"):
        assert r["date"] == "2026-11-25"
        assert r["time"] == load_presets()[r["platform"]].extra["post_at"]


def check_schedule_ics(handoff: Path) -> None:
    cal = icalendar.Calendar.from_ical((handoff / "schedule.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    rows = _schedule(handoff)
    assert len(events) == len(rows)
    assert len({str(e["UID"]) for e in events}) == len(events)
    by_uid = {str(e["UID"]): e for e in events}
    for row in rows:
        event = by_uid[f"{row['story']}.{row['platform']}.{WEEK}@outreach"]
        start = event.decoded("DTSTART")
        assert start == dt.datetime.fromisoformat(row["datetime"])
        assert str(event["DESCRIPTION"]).startswith(row["caption"])  # unfolded, unescaped
        assert str(event["SUMMARY"]).endswith(row["title"])
    lan = by_uid[f"lan.tiktok.{WEEK}@outreach"]
    assert lan.decoded("DTSTART") == dt.datetime(2026, 11, 27, 12, 30, tzinfo=dt.UTC)
    for line in (handoff / "schedule.ics").read_bytes().split(b"\r\n"):
        assert len(line) <= 75  # folded as RFC 5545 asks, never inside a character
        line.decode("utf-8")


def check_manifest(handoff: Path) -> None:
    files = manifest(handoff)
    for rel in ("schedule.csv", "schedule.ics"):
        data = (handoff / rel).read_bytes()
        assert files[rel]["bytes"] == len(data) and files[rel]["output"] == "schedule"
    outputs = {(e["story"], e["platform"], e["output"]) for e in files.values()}
    for story in ("lan", "minh"):
        for name in VERTICAL + OTHERS:
            assert (story, name, "caption") in outputs
        for name in VERTICAL:
            assert (story, name, "platform-video") in outputs
    caption = files["lan/youtube-shorts/caption.txt"]
    assert caption["title"] == "Lan đi Tokyo" and caption["first_line"] == "Lan đi Tokyo"


def check_narrow_run(pack: Path) -> None:
    """`-p tiktok --only cards --story minh` rebuilds one unit; every video link, caption,
    alt text and schedule row of the rest stays on disk, in the manifest and in the zip."""
    root = pack.parent.parent / "s"
    out = pack.parent
    before = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    rows = _schedule(pack)
    story = root / "minh.yaml"
    story.write_text(
        story.read_text(encoding="utf-8").replace("Minh về", "Minh trở về"), encoding="utf-8"
    )
    res = run(root, out, "-p", "tiktok", "--only", "cards", "--story", "minh")
    assert res.returncode == 0, res.stderr
    assert summary(res.stderr)["minh"][0] == 1 and "removed" not in res.stderr
    after = verify_pack(pack)
    assert set(after) == {e["path"] for e in before["files"]}
    again = _schedule(pack)
    assert len(again) == len(rows)
    assert {r["title"] for r in again if r["story"] == "minh"} == {"Minh trở về Cần Thơ"}
    text = (pack / "minh" / "tiktok" / "caption.txt").read_text(encoding="utf-8")
    assert text == (pack / "minh" / "tiktok" / "caption.txt").read_text(encoding="utf-8")
    assert (pack / "minh" / "facebook-feed" / "alt.txt").is_file()
    for name in VERTICAL:
        assert (pack / "minh" / name / f"minh-{name}.mp4").is_file()
