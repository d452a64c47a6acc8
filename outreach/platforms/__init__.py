"""Platform presets, loaded from `presets.yaml`: data, not `if platform ==` branches."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

PRESETS_FILE = Path(__file__).with_name("presets.yaml")
OutputKind = Literal["cards", "carousel", "thumbnail"]
Rect = tuple[int, int, int, int]  # x, y, w, h in canvas pixels


@dataclass(frozen=True)
class TextLimits:
    caption_chars: int | None = None
    hashtags: int | None = None
    title_chars: int | None = None
    title_forbidden: str = ""
    description_bytes: int | None = None
    #: The caption's first line (the hook): what shows before "more" in the feed.
    hook_chars: int | None = None


@dataclass(frozen=True)
class VideoLimits:
    max_seconds: float
    max_bytes: int


@dataclass(frozen=True)
class Platform:
    name: str
    label: str
    network: str
    width: int
    height: int
    safe_top: int
    safe_bottom: int
    safe_left: int
    safe_right: int
    format: str
    outputs: OutputKind
    limits: TextLimits
    alt_text: bool = False
    max_image_bytes: int = 8_000_000
    max_slides: int = 10
    keep_clear: tuple[Rect, ...] = ()
    video: VideoLimits | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def canvas(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def safe_rect(self) -> Rect:
        """The part of the canvas that the platform's interface never covers."""
        return (
            self.safe_left,
            self.safe_top,
            self.width - self.safe_left - self.safe_right,
            self.height - self.safe_top - self.safe_bottom,
        )


class UnknownPlatform(KeyError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = known
        super().__init__(name)


@functools.cache
def load_presets(path: Path = PRESETS_FILE) -> dict[str, Platform]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    limits = {net: TextLimits(**vals) for net, vals in data["limits"].items()}
    presets: dict[str, Platform] = {}
    for name, spec in data["presets"].items():
        spec = dict(spec)
        width, height = spec.pop("canvas")
        safe = spec.pop("safe")
        video = spec.pop("video", None)
        keep = tuple(tuple(r) for r in spec.pop("keep_clear", []))
        presets[name] = Platform(
            name=name,
            label=spec.pop("label"),
            network=spec["network"],
            width=width,
            height=height,
            safe_top=safe["top"],
            safe_bottom=safe["bottom"],
            safe_left=safe["left"],
            safe_right=safe["right"],
            format=spec.pop("format"),
            outputs=spec.pop("outputs"),
            limits=limits[spec.pop("network")],
            alt_text=spec.pop("alt_text", False),
            max_image_bytes=spec.pop("max_image_bytes", 8_000_000),
            max_slides=spec.pop("max_slides", 10),
            keep_clear=keep,
            video=VideoLimits(**video) if video else None,
            extra=spec,
        )
    return presets


def all_platforms() -> list[Platform]:
    return list(load_presets().values())


def get_platform(name: str) -> Platform:
    presets = load_presets()
    if name not in presets:
        raise UnknownPlatform(name, sorted(presets))
    return presets[name]


def choose(requested: list[str] | None, story_platforms: list[str] | None) -> list[Platform]:
    """Which presets a story renders: the command line narrows the story's own list (it
    never adds to it silently), no list at all means every preset. Unknown names are
    skipped here; validation reports them with their line."""
    presets = load_presets()
    names = requested or story_platforms or list(presets)
    if requested and story_platforms:
        names = [n for n in requested if n in story_platforms] or requested
    return [presets[n] for n in dict.fromkeys(names) if n in presets]
