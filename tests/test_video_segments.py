"""The scene-level segment cache: an edit re-encodes only the segments it touches, the
joined video is the same bytes as a cold render, and the cache is safe to lose."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from video_helpers import SCALE, SHORT_THEME, make_root

from outreach import ffmpeg
from outreach.pack import video as pv
from outreach.pack.segments import chain_meters, meter_meta, store_for
from outreach.pack.story import load_and_validate
from outreach.render.video.frames import FreezeMeter, frame_stream
from outreach.render.video.scenes import render_scenes
from outreach.render.video.segments import bounds, plan_segments

pytestmark = pytest.mark.slow

#: Three photo beats paced by reading speed (no `duration:`), so changing one beat's words
#: changes its length and moves every scene after it; the theme's music bed puts the cuts
#: on its beat grid.
STORY = """\
id: segtest
kind: engineer
lang: vi
title: Kỹ sư Việt Nam ở Tokyo
hook: Từ Cần Thơ đến Nhật Bản
person: {name: Nguyễn Thị Lan, role: Kỹ sư phần mềm}
theme: short
beats:
  - text: "Lan lớn lên bên dòng sông Hậu."
    media: media/photo.jpg
  - text: "Năm 2019 chị sang Nhật Bản học khoa học máy tính."
    media: media/wide.jpg
  - text: "Giờ chị dẫn dắt một nhóm kỹ sư."
    media: media/photo.jpg
facts:
  - {value: "12", label: kỹ sư trong nhóm}
cta: Bắt đầu từ hôm nay.
credits: "Ảnh: minh hoạ"
"""
#: The short theme, with the default theme's music bed (a beat grid) instead of none.
THEME = SHORT_THEME.replace("music: null", "")
EDIT = ("Năm 2019 chị sang Nhật Bản học", "Năm 2019 chị sang Tokyo, Nhật Bản, học")


#: Known defect (issue 14, open): since the phrase-aware caption breaks landed (546295b),
#: a segment re-encoded after an edit can differ by a few pixels (<= 5/255, at the frame's
#: right edge in the caption row, while the next scene pushes in) from the same segment in
#: a cold render, so the joined video is not byte-identical. It passes at dc2e54f. Not
#: strict: the test still runs and reports.
KNOWN_REBUILD_DRIFT = pytest.mark.xfail(
    reason="issue 14: rebuild after an edit differs by a few pixels from a cold render",
    strict=False,
)


def _render(story: Path, out: Path) -> tuple[dict, Path]:
    validated = load_and_validate(story, story.parent, ["tiktok"])
    pv.render_videos(validated, out, "fast", None, scale=SCALE)
    folder = out / "segtest" / "_video"
    return json.loads((folder / "video.json").read_text(encoding="utf-8")), folder / "video.mp4"


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A cold render, then the same folder after one beat's words changed, then a cold
    render of the edited story in a fresh folder."""
    root = tmp_path_factory.mktemp("segments")
    story = make_root(root / "s", STORY, THEME)
    out = root / "out"
    cold, video = _render(story, out)
    cold_bytes = video.read_bytes()
    story.write_text(story.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    warm, _ = _render(story, out)
    fresh, fresh_video = _render(story, root / "fresh")
    validated = load_and_validate(story, story.parent, ["tiktok"])
    return {
        "cold": cold,
        "cold_bytes": cold_bytes,
        "warm": warm,
        "video": video,
        "fresh": fresh,
        "fresh_video": fresh_video,
        "validated": validated,
        "out": out,
        "story": story,
    }


def test_one_beat_edit_reencodes_exactly_one_segment(edited: dict) -> None:
    cold, warm = edited["cold"]["encode"], edited["warm"]["encode"]
    assert cold["encoded"] == cold["segments"] >= 6 and cold["reused"] == 0
    assert warm["segments"] == cold["segments"]
    assert warm["encoded"] == 1, warm
    assert warm["reused"] == warm["segments"] - 1
    assert warm["frames_encoded"] < cold["frames_encoded"] / 3


def test_edit_moves_later_scenes_yet_they_are_reused(edited: dict) -> None:
    """The edit made beat 2 longer: every later scene starts later, and still is reused."""
    vp = pv.plan_videos(edited["validated"])[0]
    assert vp.timeline.grid is not None  # the cuts sit on the music's beats
    frames = edited["warm"]["files"]["video"]["extra"]["frames"]
    assert frames > edited["cold"]["files"]["video"]["extra"]["frames"]


@KNOWN_REBUILD_DRIFT
def test_rebuild_is_byte_identical_to_a_cold_render(edited: dict) -> None:
    assert edited["fresh"]["encode"]["reused"] == 0
    assert edited["video"].read_bytes() == edited["fresh_video"].read_bytes()
    assert edited["video"].read_bytes() != edited["cold_bytes"]
    # Everything the manifest says about the video agrees too (motion, loudness, shots).
    assert edited["warm"]["files"] == edited["fresh"]["files"]


def _frame_hashes(path: Path) -> list[str]:
    import hashlib

    import av

    with av.open(str(path)) as container:
        return [
            hashlib.sha256(frame.to_ndarray().tobytes()).hexdigest()
            for frame in container.decode(video=0)
        ]


def test_joined_video_holds_every_segment_frame_for_frame(edited: dict) -> None:
    """Stream copy drops, repeats and re-encodes nothing: the joined video decodes to
    exactly its segments' frames, in order, as many as the timeline has."""
    validated = edited["validated"]
    vp = pv.plan_videos(validated)[0]
    extra = edited["warm"]["files"]["video"]["extra"]
    store = store_for(edited["out"], "segtest")
    parts: list[str] = []
    for key in edited["warm"]["segment_keys"]:
        parts += _frame_hashes(store.video(key))
    joined = _frame_hashes(edited["video"])
    assert len(joined) == vp.timeline.total_frames == extra["frames"]
    assert joined == parts
    info = ffmpeg.probe(edited["video"])
    assert info.audio is not None and abs(info.duration - extra["frames"] / extra["fps"]) < 0.05


def test_unchanged_rerender_reuses_every_segment(edited: dict) -> None:
    """Losing the record (not the segments) re-joins the same bytes from the cache."""
    before = edited["video"].read_bytes()
    (edited["video"].parent / "video.json").unlink()
    again, video = _render(edited["story"], edited["out"])
    assert again["encode"]["encoded"] == 0 and again["encode"]["audio_reused"]
    assert video.read_bytes() == before


@KNOWN_REBUILD_DRIFT
def test_a_damaged_segment_is_encoded_again(edited: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(edited["out"], out, symlinks=True)
    store = store_for(out, "segtest")
    victim = sorted(store.root.glob("*.mp4"))[0]
    victim.write_bytes(victim.read_bytes()[:100])  # truncated: its sidecar disagrees
    (out / "segtest" / "_video" / "video.json").unlink()
    again, video = _render(edited["story"], out)
    assert again["encode"]["encoded"] == 1
    assert video.read_bytes() == edited["video"].read_bytes()


def test_every_frame_is_in_exactly_one_segment_and_pushes_are_whole(edited: dict) -> None:
    tl = pv.plan_videos(edited["validated"])[0].timeline
    spans = bounds(tl)
    covered = [f for a, b, _ in spans for f in range(a, b)]
    assert covered == list(range(tl.total_frames))
    pushes = [i for i, sc in enumerate(tl.scenes) if sc.transition == "push"]
    assert pushes, "the story has pushes into its cards"
    for i in pushes:
        sc = tl.scenes[i]
        (inside,) = [s for s in spans if s[0] <= sc.start and sc.own_start <= s[1]]
        assert {i - 1, i} <= set(inside[2])  # both scenes of the push, in one segment


def test_keys_ignore_where_a_scene_sits_but_not_what_it_shows(edited: dict) -> None:
    vp = pv.plan_videos(edited["validated"])[0]
    tl = vp.timeline
    keys = [s.key for s in plan_segments(tl, vp.chunks, ["ctx"])]
    shift = 30
    moved = dataclasses.replace(
        tl,
        scenes=[dataclasses.replace(sc) for sc in tl.scenes],
        total_frames=tl.total_frames + shift,
    )
    for sc in moved.scenes[1:]:
        sc.start, sc.end = sc.start + shift, sc.end + shift
        sc.own_start, sc.own_end = sc.own_start + shift, sc.own_end + shift
        sc.shots = tuple(f + shift for f in sc.shots)
        if sc.button >= 0:
            sc.button += shift
    moved.scenes[0].own_end += shift  # the cover got longer: everything after it moved
    moved.scenes[0].end += shift
    chunks = {
        i: [
            dataclasses.replace(
                c,
                start=c.start + shift,
                end=c.end + shift,
                words=tuple(
                    dataclasses.replace(
                        w,
                        start=w.start + shift,
                        end=w.end + shift,
                        times=tuple(t + shift / tl.fps for t in w.times),
                    )
                    for w in c.words
                ),
            )
            for c in cs
        ]
        for i, cs in vp.chunks.items()
    }
    # The beat grid stays put, so the moved scenes sit elsewhere on it: unless 30 frames
    # is a whole number of beats, their keys change (a renderer may animate on the beat).
    if tl.grid is not None and round(tl.grid.period * tl.fps, 6) not in (10, 15, 30):
        moved_keys = [s.key for s in plan_segments(moved, chunks, ["ctx"])]
        assert moved_keys[1:] != keys[1:]
    moved.grid, tl_nogrid = None, dataclasses.replace(tl, grid=None)
    same = [s.key for s in plan_segments(tl_nogrid, vp.chunks, ["ctx"])]
    moved_keys = [s.key for s in plan_segments(moved, chunks, ["ctx"])]
    assert moved_keys[0] != same[0] and moved_keys[1:] == same[1:]
    # ...but a change to what a scene shows changes its key, and only its own.
    other = dataclasses.replace(tl_nogrid, scenes=list(tl_nogrid.scenes))
    beat = next(i for i, sc in enumerate(other.scenes) if sc.kind == "beat")
    other.scenes[beat] = dataclasses.replace(other.scenes[beat], motion="pan-right")
    changed = [s.key for s in plan_segments(other, vp.chunks, ["ctx"])]
    assert [a != b for a, b in zip(same, changed, strict=True)].count(True) >= 1
    assert changed[beat] != same[beat]
    assert plan_segments(tl_nogrid, vp.chunks, ["other context"])[0].key != same[0]


def test_chained_meters_match_one_meter_over_the_whole_video(edited: dict) -> None:
    validated = edited["validated"]
    vp = pv.plan_videos(validated)[0]
    s = pv.video_settings(validated)
    r = render_scenes(validated.loaded, validated.theme, vp.shared, vp.timeline, vp.chunks, s, 0.1)
    whole = FreezeMeter(vp.timeline.fps)
    for _ in frame_stream(vp.timeline, r.renderers, r.captions, whole):
        pass
    metas = []
    for a, b, _shown in bounds(vp.timeline):
        m = FreezeMeter(vp.timeline.fps)
        first = None
        for _ in frame_stream(vp.timeline, r.renderers, r.captions, m, frames=range(a, b)):
            first = m._ref if first is None else first
        metas.append(meter_meta(m, first))
    assert chain_meters(vp.timeline.fps, metas) == whole.report()


def test_segments_are_pruned_to_what_is_used_and_a_few_more(tmp_path: Path) -> None:
    store = store_for(tmp_path, "s")
    store.root.mkdir(parents=True)
    keys = [f"{i:064x}" for i in range(6)]
    for n, k in enumerate(keys):
        store.video(k).write_bytes(b"x")
        store.put_meta(k, {"bytes": 1})
        import os

        os.utime(store.video(k), (1000 + n, 1000 + n))
    (store.root / "notes.txt").write_text("mine")
    assert store.prune({keys[0]}, extra=2) == 3
    left = sorted(p.stem for p in store.root.glob("*.mp4"))
    assert left == sorted([keys[0], keys[4], keys[5]])
    assert (store.root / "notes.txt").exists()
    assert np.all([store.has(k) for k in left])


@KNOWN_REBUILD_DRIFT
def test_a_helper_encodes_from_the_end_and_the_video_job_waits_for_claims(
    edited: dict, tmp_path: Path
) -> None:
    """Two workers share one video: a helper takes segments from the end, skipping what
    another process has claimed; the video's own job waits for a claimed segment, takes
    it over when the claim is dropped, and joins the same bytes as a cold render."""
    import threading

    validated = edited["validated"]
    out = tmp_path / "out"
    store = store_for(out, "segtest")
    store.root.mkdir(parents=True)
    keys = edited["fresh"]["segment_keys"]
    assert store.claim(keys[0])  # "another worker" is encoding the first segment
    stats = pv.help_encode(validated, out, scale=SCALE)
    assert stats.encoded == list(range(len(keys) - 1, 0, -1))  # from the end, not 0
    assert not store.has(keys[0]) and all(store.has(k) for k in keys[1:])
    threading.Timer(1.0, store.unclaim, [keys[0]]).start()  # that worker gave up
    record, video = _render(edited["story"], out)
    assert record["encode"]["encoded"] == 1 and record["encode"]["reused"] == len(keys) - 1
    assert video.read_bytes() == edited["fresh_video"].read_bytes()
    assert not list(store.root.glob(".*.claim"))


def test_a_dead_workers_claim_is_taken_over_at_once(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    store = store_for(tmp_path, "s")
    store.root.mkdir(parents=True)
    key = "ab" * 32
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    store.claim_path(key).write_text(f"{socket.gethostname()} {gone}\n")
    assert store.claim(key)  # its owner no longer exists
    assert not store.claim(key)  # ours now: nobody else gets it
    store.unclaim(key)
    assert store.claim(key)


def test_no_drawing_module_reads_the_pacing_only_fields() -> None:
    """Keys leave out the scene fields that only pace the timeline; that is sound only
    while nothing that draws a frame reads them."""
    import re

    from outreach.render.video import segments

    folder = Path(segments.__file__).parent
    drawing = ["frames.py", "scenes.py", "kinetic.py", "motion.py", "captions.py", "clip.py"]
    pattern = re.compile(r"\b(?:sc|scene|s)\.(" + "|".join(segments.PACING_ONLY) + r")\b")
    for name in drawing:
        path = folder / name
        if path.exists():
            hits = pattern.findall(path.read_text(encoding="utf-8"))
            assert not hits, f"{name} reads {sorted(set(hits))}: add them to the key"
