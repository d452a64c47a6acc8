"""The timeline as a moviepy 2.x composition: one `VideoClip` per scene, placed with
`with_start`, faded in with `CrossFadeIn`, stacked in a `CompositeVideoClip`.

This is the declarative model of the video, and what a preview or a notebook can play,
scrub or export with moviepy's own tools. The encoder does not render through it: moviepy
composites every layer of every frame in RGB float (about 9x the ffmpeg floor, see
performance-notes.md), so `frames.frame_stream` computes the same composition directly
in yuv420p from pre-rendered pieces. `tests/test_video.py` checks that the two agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from outreach.render.video.frames import scene_frame, to_rgb
from outreach.render.video.timeline import Timeline


def as_moviepy(timeline: Timeline, rendered: Any) -> Any:
    """A moviepy CompositeVideoClip of the whole video (opaque, so no mask is composited)."""
    from moviepy import CompositeVideoClip, VideoClip, vfx

    fps = timeline.fps
    clips = []
    for i, sc in enumerate(timeline.scenes):

        def frame(
            t: float, i: int = i, start: int = sc.start, last: int = sc.end - 1
        ) -> np.ndarray:
            f = min(last, start + int(round(t * fps)))
            return to_rgb(scene_frame(timeline, rendered.renderers, rendered.captions, i, f))

        clip = VideoClip(frame_function=frame, duration=sc.frames / fps).with_start(sc.start / fps)
        fade = (sc.own_start - sc.start) / fps
        if fade > 0:
            clip = clip.with_effects([vfx.CrossFadeIn(fade)])
        clips.append(clip)
    size = rendered.cover.size
    return CompositeVideoClip(clips, size=size, bg_color=(0, 0, 0)).with_duration(timeline.duration)
