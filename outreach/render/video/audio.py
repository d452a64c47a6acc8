"""The soundtrack, mixed by ffmpeg filters into a 48 kHz stereo WAV of the video's length,
then loudness-normalised (EBU R128, two passes) to what the platforms play back.

- a music bed is resampled, looped or trimmed, and starts at full level on the first
  frame (a 10 ms de-click, no fade-in from silence); it fades out over the last second;
- each narration starts with its beat's caption, and the music ducks under it by a fixed
  `duck_db` (8-12 dB is usual) with short ramps: a gain envelope computed from the known
  narration times, so the depth is exact and does not pump;
- the mix is measured (pass 1) and normalised with the measured values (pass 2) to
  -14 LUFS integrated with a true-peak ceiling, which AAC encoding then keeps under -1 dBTP;
- with neither music nor narration, the track is silence (some platforms reject a video
  without audio), and nothing is normalised.

Any input ffmpeg can decode works (mono, 22 kHz, mp3, ogg...): everything is resampled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from outreach import ffmpeg

RATE = 48_000
_FMT = f"aresample={RATE},aformat=sample_fmts=fltp:sample_rates={RATE}:channel_layouts=stereo"

#: Loudness targets: what TikTok, Reels and Shorts normalise to, with headroom for AAC.
TARGET_LUFS = -14.0
TARGET_TP = -2.5  # limiter ceiling: AAC adds up to ~1 dB of inter-sample peaks
TARGET_LRA = 11.0
#: The encoded file must stay at or under this true peak (platform guidance: -1 dBTP).
MAX_TRUE_PEAK = -1.2
AAC_KBPS = 192
#: How far from TARGET_LUFS a first attempt may land before pass 2 runs again.
LUFS_TOLERANCE = 0.6
#: Ducking ramps (seconds): down just before the voice starts, back up after it ends.
DUCK_ATTACK = 0.12
DUCK_RELEASE = 0.35


@dataclass(frozen=True)
class Cue:
    path: Path
    start: float  # seconds into the video
    duration: float = 0.0  # seconds of speech (0: unknown; the file's length is probed)


def duck_expression(cues: list[tuple[float, float]], duck_db: float) -> str:
    """A `volume` filter expression: 0 dB, and -duck_db while any narration speaks.

    Each cue contributes a trapezoid (ramp down over DUCK_ATTACK before its start, back up
    over DUCK_RELEASE after its end); overlapping cues take the deepest.
    """
    parts = []
    for start, end in cues:
        a0 = start - DUCK_ATTACK
        r0, r1 = end, end + DUCK_RELEASE
        parts.append(
            f"min(clip((t-{a0:.3f})/{DUCK_ATTACK:.3f},0,1),clip(({r1:.3f}-t)/{r1 - r0:.3f},0,1))"
        )
    if not parts:
        return "1"
    depth = parts[0]
    for p in parts[1:]:
        depth = f"max({depth},{p})"
    return f"pow(10,-{duck_db:.2f}/20*{depth})"


#: The riser into the first text scene: this long (seconds), and its peak level.
RISER_SECONDS = 2.6
RISER_LEVEL = 0.34
#: The closing hit: a low boom and a crash that ring out over the end card's tail.
HIT_LEVEL = 0.55
#: Generated sounds (ffmpeg's own sources: deterministic, nothing to ship).
RISER = (
    "anoisesrc=d={d:.3f}:c=white:r=48000:a=1:s=59,"
    "highpass=f=1800,lowpass=f=9000,"
    "volume='{level}*pow(t/{d:.3f},2.2)':eval=frame,"
    "afade=t=out:st={cut:.3f}:d=0.03"
)
HIT = (
    "aevalsrc='{level}*(0.9*sin(2*PI*(48*t+70*(1-exp(-t*28))/28))*exp(-t*4.5)"
    "+0.35*(random(0)*2-1)*exp(-t*3.2))':s=48000:d={d:.3f},"
    "highpass=f=30,afade=t=out:st={fo:.3f}:d=0.15"
)


def sound_effects(duration: float, marks: dict[str, float]) -> list[str]:
    """lavfi sources for the riser (ending at `marks['riser']`) and the closing hit
    (at `marks['button']`), each as `[label]` already delayed to its place."""
    out = []
    riser = marks.get("riser")
    if riser is not None and riser > 0.5:
        d = min(RISER_SECONDS, riser)
        ms = round((riser - d) * 1000)
        src = RISER.format(d=d, level=RISER_LEVEL, cut=max(0.0, d - 0.03))
        out.append(f"{src},aformat=channel_layouts=stereo,adelay={ms}|{ms}[riser]")
    button = marks.get("button")
    if button is not None and 0 < button < duration:
        d = max(0.2, duration - button)
        ms = round(button * 1000)
        src = HIT.format(d=d, level=HIT_LEVEL, fo=max(0.0, d - 0.15))
        out.append(f"{src},aformat=channel_layouts=stereo,adelay={ms}|{ms}[hit]")
    return out


def mix_args(
    duration: float,
    music: Path | None,
    narration: list[Cue],
    music_volume: float = 0.45,
    fade: float = 1.0,
    duck_db: float = 10.0,
    marks: dict[str, float] | None = None,
) -> list[str]:
    """ffmpeg arguments (inputs, filter graph, output options) for the unnormalised mix.

    `marks` (with music only): `riser` builds a riser into that second, `button` ends
    the bed on a hit at that second (the bed stops, the hit rings out to the end)."""
    d = f"{duration:.6f}"
    args = ["-f", "lavfi", "-t", d, "-i", f"anullsrc=r={RATE}:cl=stereo"]
    graph: list[str] = []
    mixed = ["[0:a]"]
    n = 1
    music_label = None
    marks = dict(marks or {}) if music is not None else {}
    if music is not None:
        args += ["-stream_loop", "-1", "-i", str(music)]
        button = marks.get("button")
        if button is not None and 0 < button < duration:
            ending = f"afade=t=out:st={max(0.0, button - 0.04):.3f}:d=0.08"
        else:
            fade_out = max(0.0, duration - fade)
            ending = f"afade=t=out:st={fade_out:.3f}:d={min(fade, duration):.3f}"
        graph.append(
            f"[{n}:a]{_FMT},atrim=0:{d},asetpts=N/SR/TB,volume={music_volume:.3f},"
            f"afade=t=in:st=0:d=0.010,{ending}[music]"
        )
        music_label = "[music]"
        n += 1
    voices = []
    spans: list[tuple[float, float]] = []
    for cue in narration:
        args += ["-i", str(cue.path)]
        ms = max(0, round(cue.start * 1000))
        graph.append(f"[{n}:a]{_FMT},adelay={ms}|{ms}[v{n}]")
        voices.append(f"[v{n}]")
        length = cue.duration or ffmpeg.probe(cue.path).duration
        spans.append((cue.start, cue.start + length))
        n += 1
    if music_label and spans:
        graph.append(f"{music_label}volume='{duck_expression(spans, duck_db)}':eval=frame[ducked]")
        music_label = "[ducked]"
    if music_label:
        mixed.append(music_label)
    effects = sound_effects(duration, marks)
    graph += effects
    mixed += [e[e.rindex("[") :] for e in effects]
    mixed += voices
    graph.append(
        f"{''.join(mixed)}amix=inputs={len(mixed)}:duration=first:normalize=0,atrim=0:{d}[out]"
    )
    return [
        *args,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[out]",
        "-c:a",
        "pcm_f32le",
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
    fade: float = 1.0,
    duck_db: float = 10.0,
    normalize: bool = True,
    audio_kbps: int = AAC_KBPS,
    marks: dict[str, float] | None = None,
) -> ffmpeg.Loudness | None:
    """Write the soundtrack to `target` as AAC (.m4a), ready to be muxed by stream copy.

    The mix is normalised in two passes, encoded, and measured again as encoded: AAC adds
    inter-sample peaks (up to several dB on hats and clicks), so when the encoded true
    peak is above the ceiling, pass 2 runs again with a lower limiter ceiling (same
    integrated loudness). Returns the loudness of the encoded file, None when silent.
    """
    raw = target.with_name(target.stem + ".mix.wav")
    norm = target.with_name(target.stem + ".norm.wav")
    ffmpeg.run(
        [
            "-y",
            "-v",
            "error",
            *mix_args(duration, music, narration, music_volume, fade, duck_db, marks),
            "-f",
            "wav",
            str(raw),
        ],
        "could not mix the soundtrack",
    )
    try:
        if (music is None and not narration) or not normalize:
            ffmpeg.encode_aac(raw, target, audio_kbps)
            return None if music is None and not narration else ffmpeg.loudness(target)
        measured = ffmpeg.loudness(raw)  # pass 1 (ebur128: as fast as a decode)
        goal, ceiling = TARGET_LUFS, TARGET_TP
        result = measured
        for _attempt in range(3):
            gain = goal - measured.integrated
            if measured.true_peak + gain <= ceiling:
                # Linear: a plain gain reaches the target without touching the peaks.
                ffmpeg.encode_aac(raw, target, audio_kbps, gain)
            else:
                # Pass 2: loudnorm with the measured values, its true-peak limiter on.
                ffmpeg.apply_loudnorm(raw, norm, measured, goal, ceiling, TARGET_LRA, RATE)
                ffmpeg.encode_aac(norm, target, audio_kbps)
            result = ffmpeg.loudness(target)
            off = TARGET_LUFS - result.integrated
            if result.true_peak <= MAX_TRUE_PEAK and abs(off) <= LUFS_TOLERANCE:
                break
            goal += off  # the limiter took some loudness away: ask for a little more
            if result.true_peak > MAX_TRUE_PEAK:
                ceiling -= result.true_peak - MAX_TRUE_PEAK + 0.3
        return result
    finally:
        for tmp in (raw, norm):
            tmp.unlink(missing_ok=True)
