"""Text normalisation shared by the model: NFC, invisible characters, mark order, slugs, hashtags.

Every story string goes through `clean_text`: NFC; the line and paragraph separators
(U+2028, U+2029, U+0085: YAML's `\\L` `\\P` `\\N`) become line breaks; zero-width and
direction characters, which draw nothing and are not content, are removed (joiners inside
emoji sequences stay); a tone mark typed before the circumflex, breve or horn is put after
it, so `QUYÉ̂T` draws exactly as `QUYẾT`.
"""

from __future__ import annotations

import re
import unicodedata

NBSP = "\u00a0"

# đ/Đ have no decomposition, so NFD alone does not strip them.
_SPECIAL_ASCII = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"})


def nfc(text: str) -> str:
    """Normalise to NFC: text pasted from macOS or Word often arrives decomposed."""
    return unicodedata.normalize("NFC", text)


LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\u0085": "\n", "\r": "\n"})
#: Tone marks (grave, acute, tilde, hook above) and the vowel-shape marks that must come
#: first (circumflex, breve). Horn (U+031B) and dot below (U+0323) have their own
#: combining classes, so canonical ordering already puts them right.
TONE_MARKS = frozenset({0x0300, 0x0301, 0x0303, 0x0309, 0x0340, 0x0341})
SHAPE_MARKS = frozenset({0x0302, 0x0306})
_ZWJ = "\u200d"
_EMOJI_KEEP = frozenset({0xFE0E, 0xFE0F, 0x20E3})


def _is_emoji_part(ch: str) -> bool:
    cp = ord(ch)
    return cp >= 0x1F000 or 0x2190 <= cp <= 0x2BFF or cp in _EMOJI_KEEP or 0x1F3FB <= cp <= 0x1F3FF


def is_invisible(ch: str) -> bool:
    """Format characters that draw nothing (zero-width space, BOM, soft hyphen, bidi marks)."""
    return unicodedata.category(ch) == "Cf" or ch == "\u034f"


def _strip_invisible(text: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(text):
        if not is_invisible(ch):
            out.append(ch)
            continue
        before = out[-1] if out else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        cp = ord(ch)
        if ch == _ZWJ and before and after and _is_emoji_part(before) and _is_emoji_part(after):
            out.append(ch)  # inside an emoji sequence: 👨‍👩‍👧
        elif (
            0xE0020 <= cp <= 0xE007F
            and before
            and (before == "\U0001f3f4" or 0xE0020 <= ord(before) <= 0xE007F)
        ):
            out.append(ch)  # tag sequence of a subdivision flag
    return "".join(out)


def fix_mark_order(text: str) -> str:
    """Put each vowel-shape mark before a tone mark typed ahead of it, then NFC."""
    decomposed = unicodedata.normalize("NFD", text)
    if not any(ord(c) in TONE_MARKS for c in decomposed):
        return nfc(text)
    chars = list(decomposed)
    i = 0
    while i < len(chars):
        j = i
        while j < len(chars) and unicodedata.combining(chars[j]):
            j += 1
        if j - i > 1:
            run = chars[i:j]
            slots = [k for k, c in enumerate(run) if ord(c) in TONE_MARKS | SHAPE_MARKS]
            marks = [run[k] for k in slots]
            ordered = [c for c in marks if ord(c) in SHAPE_MARKS] + [
                c for c in marks if ord(c) in TONE_MARKS
            ]
            for k, c in zip(slots, ordered, strict=True):
                run[k] = c
            chars[i:j] = run
        i = max(j, i + 1)
    return nfc("".join(chars))


def mark_order_slips(text: str) -> list[tuple[str, str]]:
    """(word as typed, word as fixed) for each word whose tone mark came before its shape mark."""
    slips: list[tuple[str, str]] = []
    for word in nfc(text).split():
        fixed = fix_mark_order(word)
        if fixed != nfc(word) and (word, fixed) not in slips:
            slips.append((word, fixed))
    return slips


def clean_text(text: str) -> str:
    """NFC, separators as line breaks, invisible characters removed, marks in order."""
    text = text.replace("\r\n", "\n").translate(LINE_BREAKS)
    return fix_mark_order(_strip_invisible(nfc(text)))


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
