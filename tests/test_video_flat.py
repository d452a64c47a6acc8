"""Flat gold, red and green photos through the whole render: the decoded video shows the
photo's colour (CIEDE2000 within 2.0), where the scrim leaves the photo untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from color_helpers import decode_frames, delta_e2000
from PIL import Image
from video_helpers import SCALE, make_root

from outreach.pack import video as pv
from outreach.pack.story import load_and_validate

pytestmark = pytest.mark.slow

COLOURS = {"gold": (255, 197, 51), "red": (220, 30, 40), "green": (30, 170, 70)}

STORY = """\
id: flat
kind: explainer
lang: en
title: Flat colours
theme: short
beats:
""" + "".join(
    f'  - {{text: "{name.title()} photo.", media: media/{name}.jpg, motion: zoom-in, duration: 2.0}}\n'
    for name in COLOURS
)


def test_flat_photos_keep_their_colour(tmp_path: Path) -> None:
    root = tmp_path / "s"
    story = make_root(root, STORY)
    for name, rgb in COLOURS.items():
        Image.new("RGB", (1200, 2000), rgb).save(root / "media" / f"{name}.jpg", quality=95)
    validated = load_and_validate(story, root, ["tiktok"])
    pv.render_videos(validated, tmp_path / "out", "fast", None, scale=SCALE)
    vp = pv.plan_videos(validated)[0]
    beats = [sc for sc in vp.timeline.scenes if sc.kind == "beat"]
    wanted = {(sc.own_start + sc.own_end) // 2: sc.index for sc in beats}
    frames = decode_frames(tmp_path / "out" / "flat" / "_video" / "video.mp4", set(wanted))
    errors = {}
    for f, index in wanted.items():
        frame = frames[f]
        h, w, _ = frame.shape
        centre = frame[int(h * 0.2) : int(h * 0.4), w // 4 : 3 * w // 4].reshape(-1, 3).mean(axis=0)
        name = list(COLOURS)[index]
        errors[name] = round(delta_e2000(COLOURS[name], centre), 2)
    assert max(errors.values()) <= 2.0, errors
