"""The only module that runs ffmpeg: probing, audio graphs and the streaming video encoder.

The binary is the one imageio-ffmpeg ships, so every machine encodes with the same build.
There is no ffprobe in that package: media is probed by parsing `ffmpeg -i` output and,
for validity, by decoding the whole file to the null muxer (cheap for audio).
"""

from __future__ import annotations

import contextlib
import functools
import queue
import re
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: How many stderr lines a failure report quotes.
TAIL_LINES = 8


class FFmpegError(RuntimeError):
    """ffmpeg exited with an error; `tail` holds its last stderr lines."""

    def __init__(self, what: str, tail: list[str]):
        self.what = what
        self.tail = tail
        text = " | ".join(line.strip() for line in tail if line.strip()) or "no output"
        super().__init__(f"{what}: {text}")


@functools.cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run(args: Sequence[str], what: str, timeout: float = 600) -> str:
    """Run ffmpeg to completion; return its stderr, raise FFmpegError with the tail on failure."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
    )
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise FFmpegError(what, err.splitlines()[-TAIL_LINES:])
    return err


# --- probing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamInfo:
    kind: str  # video | audio
    codec: str
    profile: str = ""
    pix_fmt: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    sample_rate: int = 0
    channels: str = ""


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    bitrate_kbps: int
    streams: tuple[StreamInfo, ...] = field(default_factory=tuple)

    @property
    def video(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "audio"), None)


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_BITRATE = re.compile(r"bitrate: (\d+) kb/s")
_STREAM = re.compile(r"Stream #\d+:\d+(?:\[\w+\])?(?:\(\w+\))?: (Video|Audio): (.*)")


def _parse_stream(kind: str, desc: str) -> StreamInfo:
    head = desc.split(",")[0].strip()
    codec = head.split(" ")[0]
    profile = re.search(r"\(([^)]*)\)", head)
    if kind == "Video":
        size = re.search(r"(\d{2,5})x(\d{2,5})", desc)
        fps = re.search(r"([\d.]+) fps", desc)
        pix = re.search(r"\), (\w+)\(", desc) or re.search(r", (yuv\w+|rgb\w+|gray\w*)", desc)
        return StreamInfo(
            "video",
            codec,
            profile.group(1) if profile else "",
            pix.group(1) if pix else "",
            int(size.group(1)) if size else 0,
            int(size.group(2)) if size else 0,
            float(fps.group(1)) if fps else 0.0,
        )
    rate = re.search(r"(\d+) Hz", desc)
    parts = [p.strip() for p in desc.split(",")]
    channels = parts[2] if len(parts) > 2 else ""
    return StreamInfo(
        "audio",
        codec,
        profile.group(1) if profile else "",
        sample_rate=int(rate.group(1)) if rate else 0,
        channels=channels,
    )


def probe(path: Path) -> MediaInfo:
    """Duration and streams of a media file, from `ffmpeg -i` (which 'fails' without output)."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    err = proc.stderr.decode("utf-8", "replace")
    m = _DURATION.search(err)
    streams = tuple(_parse_stream(k, d) for k, d in _STREAM.findall(err))
    if not m or not streams:
        raise FFmpegError(f"cannot read {path.name}", err.splitlines()[-TAIL_LINES:])
    duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    b = _BITRATE.search(err)
    return MediaInfo(duration, int(b.group(1)) if b else 0, streams)


def audio_duration(path: Path) -> float:
    """Seconds of decodable audio: the whole file is decoded, so corruption shows here.

    Raises FFmpegError when the file has no audio stream or does not decode cleanly.
    """
    err = run(
        ["-v", "error", "-xerror", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"],
        f"cannot decode {path.name}",
    )
    if err.strip():
        raise FFmpegError(f"cannot decode {path.name}", err.splitlines()[-TAIL_LINES:])
    info = probe(path)
    if info.audio is None:
        raise FFmpegError(f"{path.name} has no audio stream", [])
    return info.duration


# --- loudness ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Loudness:
    """EBU R128 figures of a signal: integrated (LUFS), true peak (dBTP), range (LU)."""

    integrated: float
    true_peak: float
    lra: float = 0.0
    threshold: float = -70.0
    offset: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "integrated_lufs": round(self.integrated, 1),
            "true_peak_dbtp": round(self.true_peak, 1),
            "lra_lu": round(self.lra, 1),
        }


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return -70.0
    return value if value == value and abs(value) != float("inf") else -70.0


def measure_loudnorm(path: Path, target: float, tp: float, lra: float) -> Loudness:
    """Pass 1 of EBU R128 normalisation: loudnorm's measurement of `path`."""
    import json

    err = run(
        [
            "-v",
            "info",
            "-nostats",
            "-i",
            str(path),
            "-af",
            f"loudnorm=I={target}:TP={tp}:LRA={lra}:print_format=json",
            "-f",
            "null",
            "-",
        ],
        "could not measure the soundtrack's loudness",
    )
    data = json.loads(err[err.rindex("{") : err.rindex("}") + 1])
    return Loudness(
        _number(data["input_i"]),
        _number(data["input_tp"]),
        _number(data["input_lra"]),
        _number(data["input_thresh"]),
        _number(data["target_offset"]),
    )


def apply_loudnorm(
    source: Path,
    target: Path,
    measured: Loudness,
    goal: float,
    tp: float,
    lra: float,
    rate: int,
) -> None:
    """Pass 2: normalise with the measured values (linear gain where the peaks allow)."""
    ln = (
        f"loudnorm=I={goal}:TP={tp}:LRA={lra}:measured_I={measured.integrated:.2f}:"
        f"measured_TP={measured.true_peak:.2f}:measured_LRA={measured.lra:.2f}:"
        f"measured_thresh={measured.threshold:.2f}:offset={measured.offset:.2f}:linear=true"
    )
    run(
        [
            "-y",
            "-v",
            "error",
            "-i",
            str(source),
            "-af",
            f"{ln},aresample={rate}",
            "-c:a",
            "pcm_f32le",
            "-ar",
            str(rate),
            "-ac",
            "2",
            "-f",
            "wav",
            str(target),
        ],
        "could not normalise the soundtrack's loudness",
    )


_EBU_I = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS\s+Threshold:\s+(-?[\d.]+|-inf) LUFS")
_EBU_LRA = re.compile(r"LRA:\s+(-?[\d.]+) LU")
_EBU_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


def loudness(path: Path) -> Loudness:
    """Integrated loudness and true peak of a file's audio, as a platform measures it."""
    err = run(
        [
            "-nostats",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        f"could not measure the loudness of {path.name}",
    )
    tail = err[err.rfind("Summary:") :]
    i, r, p = _EBU_I.search(tail), _EBU_LRA.search(tail), _EBU_PEAK.search(tail)
    return Loudness(
        _number(i.group(1)) if i else -70.0,
        _number(p.group(1)) if p else -70.0,
        _number(r.group(1)) if r else 0.0,
        _number(i.group(2)) if i else -70.0,
    )


def encode_aac(source: Path, target: Path, kbps: int, gain_db: float = 0.0) -> None:
    """AAC-LC 48 kHz stereo in an .m4a (with an optional gain), muxed later by stream copy."""
    run(
        [
            "-y",
            "-v",
            "error",
            "-i",
            str(source),
            *(["-af", f"volume={gain_db:.3f}dB"] if gain_db else []),
            "-c:a",
            "aac",
            "-b:a",
            f"{kbps}k",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-f",
            "mp4",
            str(target),
        ],
        "could not encode the soundtrack",
    )


def decode_pcm(path: Path, rate: int, seconds: float | None = None, timeout: float = 300) -> bytes:
    """The first audio stream as mono float32 little-endian samples at `rate` Hz (the
    first `seconds` of it, if given): for beat detection and forced alignment."""
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path)]
    if seconds is not None:
        args += ["-t", f"{seconds:.3f}"]
    args += ["-map", "0:a:0", "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"]
    proc = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        raise FFmpegError(f"cannot decode {path.name}", err.splitlines()[-TAIL_LINES:])
    return proc.stdout


# --- the streaming encoder ---------------------------------------------------------------


@dataclass(frozen=True)
class EncodeSettings:
    width: int
    height: int
    fps: int = 30
    preset: str = "veryfast"
    crf: int = 20
    maxrate_kbps: int = 10_000
    audio_kbps: int = 160
    audio_copy: bool = False  # the audio file is already AAC (audio.build_soundtrack)


#: The raw frames are BT.709 limited range (frames.to_planes). Said *before* `-i`: an
#: untagged raw input is "unknown", and FFmpeg 9 then inserts a BT.601->BT.709 conversion
#: through RGB (brand gold off by dE 5.5, 31% more encoder CPU; performance-notes.md).
RAW_COLOR_TAGS = (
    "-colorspace",
    "bt709",
    "-color_primaries",
    "bt709",
    "-color_trc",
    "bt709",
    "-color_range",
    "tv",
)


def x264_args(s: EncodeSettings) -> list[str]:
    """H.264 High, yuv420p, BT.709 tags: what every platform accepts (platform-specs.md)."""
    return [
        "-c:v",
        "libx264",
        "-preset",
        s.preset,
        "-crf",
        str(s.crf),
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-maxrate",
        f"{s.maxrate_kbps}k",
        "-bufsize",
        f"{2 * s.maxrate_kbps}k",
        "-g",
        str(2 * s.fps),
        "-x264-params",
        "colorprim=bt709:transfer=bt709:colormatrix=bt709",
        *RAW_COLOR_TAGS,  # the same tags on the output stream
    ]


def raw_input_args(s: EncodeSettings, source: str = "pipe:0") -> list[str]:
    """Raw yuv420p frames, tagged BT.709 limited range so the encoder converts nothing."""
    return [
        *RAW_COLOR_TAGS,
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
        f"{s.width}x{s.height}",
        "-r",
        str(s.fps),
        "-i",
        source,
    ]


#: Linux's F_SETPIPE_SZ: a 1 MiB pipe moves a 3 MB frame in 3 writes instead of 48,
#: which saves about a quarter of a core of context switches at 1080x1920 (measured).
_F_SETPIPE_SZ = 1031
PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, OSError):
        pass  # not Linux, or a lower limit: the default pipe works, only slower


class StreamEncoder:
    """One ffmpeg process encoding raw frames (written with `write`) to an MP4.

    Frames go to ffmpeg's stdin through a writer thread, so building the next frame
    overlaps encoding the previous one. `close` ends the input without waiting, so the
    next segment's encoder can start while this one drains its lookahead; `wait` then
    raises FFmpegError if it failed. `target` should be a temporary path: on failure the
    caller's atomic write removes it.
    """

    def __init__(
        self,
        n_frames: int,
        audio: Path | None,
        target: Path,
        settings: EncodeSettings,
    ):
        duration = n_frames / settings.fps
        cmd = [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            *raw_input_args(settings),
            *(["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0"] if audio else ["-map", "0:v:0"]),
            *x264_args(settings),
            *(
                ["-an"]
                if audio is None
                else ["-c:a", "copy"]
                if settings.audio_copy
                else ["-c:a", "aac", "-b:a", f"{settings.audio_kbps}k", "-ar", "48000", "-ac", "2"]
            ),
            "-t",
            f"{duration:.6f}",
            *(["-movflags", "+faststart"] if audio is not None else []),
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-f",
            "mp4",
            str(target),
        ]
        self.target = target
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=0
        )
        assert self.proc.stdin is not None
        _widen_pipe(self.proc.stdin.fileno())
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._q: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=6)
        self._broken: list[BaseException] = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._writer = threading.Thread(target=self._write_frames, daemon=True)
        self._reader.start()
        self._writer.start()
        self._closed = False

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.tail.append(raw.decode("utf-8", "replace").rstrip())

    def _write_frames(self) -> None:
        assert self.proc.stdin is not None
        try:
            while True:
                item = self._q.get()
                if item is None:
                    break
                self.proc.stdin.write(item)
        except (BrokenPipeError, OSError) as exc:
            self._broken.append(exc)
            while self._q.get() is not None:  # drain so the producer never blocks
                pass
        finally:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    @property
    def broken(self) -> bool:
        return bool(self._broken)

    def write(self, data: bytes | memoryview) -> None:
        self._q.put(data)

    def close(self) -> None:
        """End the input (ffmpeg then finishes on its own)."""
        if not self._closed:
            self._closed = True
            self._q.put(None)
            self._writer.join()

    def kill(self) -> None:
        self.proc.kill()
        self.close()
        self.proc.wait()

    def wait(self) -> None:
        """Wait for ffmpeg to finish; FFmpegError if it failed."""
        self.close()
        rc = self.proc.wait()
        self._reader.join(timeout=5)
        if rc != 0 or self._broken:
            raise FFmpegError("ffmpeg could not encode the video", list(self.tail))


def encode_stream(
    frames: Callable[[], Iterable[bytes | memoryview]],
    n_frames: int,
    audio: Path | None,
    target: Path,
    settings: EncodeSettings,
    on_frame: Callable[[int], None] | None = None,
) -> None:
    """Encode raw frames (an iterator of bytes from `frames()`) plus an audio file to MP4."""
    enc = StreamEncoder(n_frames, audio, target, settings)
    try:
        for i, data in enumerate(frames()):
            if enc.broken:
                break
            enc.write(data)
            if on_frame:
                on_frame(i)
    except BaseException:
        enc.kill()
        raise
    enc.wait()


def _copied_mp4(target: Path, duration: float) -> list[str]:
    """The output half of a stream-copy join: nothing re-encoded, cut to `duration`, no
    metadata that changes between runs, index at the front."""
    return [
        "-c",
        "copy",
        "-t",
        f"{duration:.6f}",
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(target),
    ]


def concat(
    parts: Sequence[tuple[Path, float]], audio: Path | None, target: Path, duration: float
) -> None:
    """Join encoded segments (path, seconds; same settings, each starting on an IDR frame)
    by stream copy with the concat demuxer, add the soundtrack, index at the front.

    Nothing is re-encoded, so an unchanged segment keeps its exact bytes in the result.
    Each segment's length is given: an MP4's own (its edit list, in milliseconds) would
    shift every later frame by a fraction of a tick.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="outreach-concat-") as tmp:
        listing = Path(tmp) / "parts.txt"
        lines = ["ffconcat version 1.0"]
        for part, seconds in parts:
            quoted = str(Path(part).resolve()).replace("'", "'\\''")
            lines += [f"file '{quoted}'", f"duration {seconds:.6f}"]
        listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
        run(
            [
                "-y",
                "-v",
                "error",
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                *(["-i", str(audio)] if audio is not None else []),
                "-map",
                "0:v:0",
                *(["-map", "1:a:0"] if audio is not None else []),
                *_copied_mp4(target, duration),
            ],
            "could not join the video's segments and its soundtrack",
        )


def mux(video: Path, audio: Path, target: Path, duration: float) -> None:
    """Join an encoded video and an encoded soundtrack by stream copy, index at the front."""
    run(
        [
            "-y",
            "-v",
            "error",
            "-i",
            str(video),
            "-i",
            str(audio),
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            *_copied_mp4(target, duration),
        ],
        "could not join the video and its soundtrack",
    )
