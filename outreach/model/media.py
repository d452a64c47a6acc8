"""What kind of file a media path is: the one answer to "is this an image?".

Cards, the video timeline, the preview and validation all ask it here, so a `.webp` or a
`.gif` is a photo everywhere or nowhere. The answer is by name; whether the bytes really
decode is checked once, by validation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

MediaKind = Literal["image", "audio", "video", "other"]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})
AUDIO_SUFFIXES = frozenset(
    {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".flac", ".opus", ".wma", ".aif", ".aiff"}
)
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".wmv", ".3gp"})


def media_kind(path: str | Path) -> MediaKind:
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return "other"


def is_image(path: str | Path) -> bool:
    """True for the photo formats cards and videos draw (JPEG, PNG, WebP, TIFF, BMP, GIF)."""
    return media_kind(path) == "image"
