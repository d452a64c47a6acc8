"""Vertical videos: a declarative timeline of scenes, burned-in captions, audio, encoding.

`timeline` decides what is shown when (from reading speed), `captions` splits text into
1-2 line chunks and writes SRT/VTT, `frames` turns scenes into raw frames cheaply,
`audio` mixes music and narration with ffmpeg filters.
"""
