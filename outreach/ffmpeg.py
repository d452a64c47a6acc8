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


def decode_pcm(path: Path, rate: int, timeout: float = 300) -> bytes:
    """The first audio stream as mono float32 little-endian samples at `rate` Hz."""
    proc = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "f32le",
            "-",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
    )
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
        "-colorspace",
        "bt709",
        "-color_range",
        "tv",
    ]


def raw_input_args(s: EncodeSettings, source: str = "pipe:0") -> list[str]:
    """Raw yuv420p frames: the frame builder does the colour conversion once per still."""
    return [
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


def encode_stream(
    frames: Callable[[], Iterable[bytes | memoryview]],
    n_frames: int,
    audio: Path,
    target: Path,
    settings: EncodeSettings,
    on_frame: Callable[[int], None] | None = None,
) -> None:
    """Encode raw frames (an iterator of bytes from `frames()`) plus an audio file to MP4.

    Frames are written to ffmpeg's stdin by a writer thread, so building the next frame
    overlaps encoding the previous one. `target` should be a temporary path: on failure
    the caller's atomic write removes it.
    """
    duration = n_frames / settings.fps
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        *raw_input_args(settings),
        "-i",
        str(audio),
        "-map",
        "0:v:0",
        "-map",
        "1:a:0",
        *x264_args(settings),
        "-c:a",
        "aac",
        "-b:a",
        f"{settings.audio_kbps}k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-t",
        f"{duration:.6f}",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(target),
    ]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=0
    )
    assert proc.stdin is not None
    _widen_pipe(proc.stdin.fileno())
    tail: deque[str] = deque(maxlen=TAIL_LINES)

    def read_stderr() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            tail.append(raw.decode("utf-8", "replace").rstrip())

    q: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=6)
    broken: list[BaseException] = []

    def write_frames() -> None:
        assert proc.stdin is not None
        try:
            while True:
                item = q.get()
                if item is None:
                    break
                proc.stdin.write(item)
        except (BrokenPipeError, OSError) as exc:
            broken.append(exc)
            while q.get() is not None:  # drain so the producer never blocks
                pass
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()

    reader = threading.Thread(target=read_stderr, daemon=True)
    writer = threading.Thread(target=write_frames, daemon=True)
    reader.start()
    writer.start()
    try:
        for i, data in enumerate(frames()):
            if broken:
                break
            q.put(data)
            if on_frame:
                on_frame(i)
    except BaseException:
        proc.kill()
        raise
    finally:
        q.put(None)
        writer.join()
    rc = proc.wait()
    reader.join(timeout=5)
    if rc != 0 or broken:
        raise FFmpegError("ffmpeg could not encode the video", list(tail))
