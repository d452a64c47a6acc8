"""Text normalisation shared by the model: NFC, ASCII slugs and diacritic-free hashtags."""

from __future__ import annotations

import re
import unicodedata

NBSP = "\u00a0"

# đ/Đ have no decomposition, so NFD alone does not strip them.
_SPECIAL_ASCII = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"})


def nfc(text: str) -> str:
    """Normalise to NFC: text pasted from macOS or Word often arrives decomposed."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """`Hội Nhập` -> `Hoi Nhap`, `Đà Nẵng` -> `Da Nang`."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL_ASCII))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str) -> str:
    """An ASCII, lower-case, dash-separated id: `Từ Đồng Tháp` -> `tu-dong-thap`."""
    ascii_text = strip_diacritics(nfc(text)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug or "story"


def normalize_hashtag(tag: str) -> str:
    """`#Hội Nhập` -> `HoiNhap`: no '#', no diacritics, no spaces or punctuation."""
    ascii_tag = strip_diacritics(nfc(tag).lstrip("#"))
    return re.sub(r"[^A-Za-z0-9_]", "", ascii_tag)
