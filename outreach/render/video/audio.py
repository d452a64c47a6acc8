"""The soundtrack, mixed by ffmpeg filters into a 48 kHz stereo WAV of the video's length.

- a music bed is resampled, looped or trimmed, faded in and out;
- each narration starts with its beat's caption, and the music ducks under it
  (sidechain compression keyed on the narration);
- with neither, the track is silence, because some platforms reject a video without audio.

Any input ffmpeg can decode works (mono, 22 kHz, mp3, ogg...): everything is resampled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from outreach import ffmpeg

RATE = 48_000
_FMT = f"aresample={RATE},aformat=sample_fmts=fltp:sample_rates={RATE}:channel_layouts=stereo"


@dataclass(frozen=True)
class Cue:
    path: Path
    start: float  # seconds into the video


def mix_args(
    duration: float,
    music: Path | None,
    narration: list[Cue],
    music_volume: float = 0.45,
    fade: float = 1.5,
) -> list[str]:
    """ffmpeg arguments (inputs, filter graph, output options) for the soundtrack."""
    d = f"{duration:.6f}"
    args = ["-f", "lavfi", "-t", d, "-i", f"anullsrc=r={RATE}:cl=stereo"]
    graph: list[str] = []
    mixed = ["[0:a]"]
    n = 1
    music_label = None
    if music is not None:
        args += ["-stream_loop", "-1", "-i", str(music)]
        fade_out = max(0.0, duration - fade)
        graph.append(
            f"[{n}:a]{_FMT},atrim=0:{d},asetpts=N/SR/TB,volume={music_volume:.3f},"
            f"afade=t=in:st=0:d={min(fade, duration / 3):.3f},"
            f"afade=t=out:st={fade_out:.3f}:d={min(fade, duration):.3f}[music]"
        )
        music_label = "[music]"
        n += 1
    voices = []
    for cue in narration:
        args += ["-i", str(cue.path)]
        ms = max(0, round(cue.start * 1000))
        graph.append(f"[{n}:a]{_FMT},adelay={ms}|{ms}[v{n}]")
        voices.append(f"[v{n}]")
        n += 1
    if voices:
        # The voice track is padded to the full length: the ducking filter stops at the end
        # of its key input, which would silence the music after the last narration.
        if len(voices) > 1:
            graph.append(
                f"{''.join(voices)}amix=inputs={len(voices)}:duration=longest:normalize=0,"
                f"apad=whole_dur={d}[voice]"
            )
        else:
            graph.append(f"{voices[0]}apad=whole_dur={d}[voice]")
        if music_label:
            graph.append("[voice]asplit=2[voice1][key]")
            graph.append(
                f"{music_label}[key]sidechaincompress=threshold=0.015:ratio=12:"
                "attack=30:release=450:makeup=1[ducked]"
            )
            mixed += ["[ducked]", "[voice1]"]
        else:
            mixed.append("[voice]")
    elif music_label:
        mixed.append(music_label)
    graph.append(
        f"{''.join(mixed)}amix=inputs={len(mixed)}:duration=first:normalize=0,"
        f"atrim=0:{d},alimiter=limit=0.95:level=0:latency=1[out]"
    )
    return [
        *args,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[out]",
        "-c:a",
        "pcm_s16le",
        "-ar",
        str(RATE),
        "-ac",
        "2",
    ]


def build_soundtrack(
    target: Path,
    duration: float,
    music: Path | None,
    narration: list[Cue],
    music_volume: float = 0.45,
    fade: float = 1.5,
) -> None:
    """Write the mixed soundtrack to `target` (a WAV file)."""
    ffmpeg.run(
        [
            "-y",
            "-v",
            "error",
            *mix_args(duration, music, narration, music_volume, fade),
            "-f",
            "wav",
            str(target),
        ],
        "could not mix the soundtrack",
    )
