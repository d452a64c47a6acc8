"""Captions: a beat's text split into 1-2 line chunks, timed, and written as SRT and WebVTT.

The chunks are laid out with the card text engine (same fonts, NFC, Raqm, keep-together
names, safe line height), so what is burned in and what the sidecars say is the same text
with the same line breaks and the same frame-exact times.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.layout.chunks import caption_chunks
from outreach.layout.geometry import Box
from outreach.layout.text import TextBlock, TextStyle
from outreach.model.text import NBSP

#: Height of the caption band, in caption line heights (two lines plus breathing room).
BAND_LINES = 2.7


@dataclass(frozen=True)
class Word:
    line: int
    index: int  # position in its line
    text: str
    start: int  # frames, global
    end: int


@dataclass(frozen=True)
class Chunk:
    block: TextBlock
    start: int  # first frame shown
    end: int  # one past the last frame
    words: tuple[Word, ...]
    field: tuple[str | int, ...] = ()

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(line.text.replace(NBSP, " ") for line in self.block.lines)

    def word_at(self, frame: int) -> Word | None:
        for w in self.words:
            if w.start <= frame < w.end:
                return w
        return None


def caption_style(
    font: str,
    emoji_font: str,
    size: tuple[int, int],
    keep_together: tuple[str, ...],
    names: tuple[str, ...] = (),
    lang: str = "",
) -> TextStyle:
    return TextStyle(
        font=font,
        emoji_font=emoji_font,
        max_size=size[0],
        min_size=size[1],
        max_lines=2,
        align="center",
        valign="bottom",
        balance=True,
        leading=1.18,
        keep_together=keep_together,
        names=names,
        lang=lang,
    )


def caption_box(safe: Box, style: TextStyle) -> Box:
    """The band at the bottom of the safe zone where captions sit."""
    h = min(safe.h, style.max_size * style.leading * BAND_LINES)
    return Box(safe.x, safe.bottom - h, safe.w, h)


def chunk_blocks(text: str, box: Box, style: TextStyle, field_name: str) -> list[TextBlock]:
    """Split `text` into caption chunks of at most two lines, laid out in the band.

    The card text engine does it (`layout.chunks`): chunks follow the sentence, never end
    inside a word or a name, and share one type size, so captions never jump in size.
    """
    return caption_chunks(text, box, style, field_name)


def _weights(texts: list[str]) -> list[float]:
    return [len(t.replace(NBSP, " ")) + 2.0 for t in texts]


def _split(start: int, end: int, weights: list[float]) -> list[tuple[int, int]]:
    """Cut [start, end) into consecutive frame ranges proportional to `weights`."""
    n = len(weights)
    total = sum(weights) or 1.0
    bounds = [start]
    acc = 0.0
    for i, w in enumerate(weights[:-1], start=1):
        acc += w
        b = start + round((end - start) * acc / total)
        # Every range gets at least one frame when there are frames enough.
        bounds.append(min(max(b, bounds[-1] + 1), end - (n - i)) if end - start >= n else b)
    bounds.append(end)
    return [(bounds[i], bounds[i + 1]) for i in range(n)]


def time_chunks(
    blocks: list[TextBlock], start: int, end: int, field: tuple[str | int, ...] = ()
) -> list[Chunk]:
    """Show the chunks one after another over [start, end), each word lit in turn."""
    texts = [" ".join(line.text for line in b.lines) for b in blocks]
    chunks: list[Chunk] = []
    for block, (a, b) in zip(blocks, _split(start, end, _weights(texts)), strict=True):
        words_in = [
            (li, wi, w)
            for li, line in enumerate(block.lines)
            for wi, w in enumerate(line.text.split(" "))
        ]
        spans = _split(a, b, _weights([w for _, _, w in words_in]))
        words = tuple(
            Word(li, wi, w, s, e) for (li, wi, w), (s, e) in zip(words_in, spans, strict=True)
        )
        chunks.append(Chunk(block, a, b, words, field))
    return chunks


# --- sidecars ------------------------------------------------------------------------------


def _stamp(frame: int, fps: int, sep: str) -> str:
    ms = round(frame * 1000 / fps)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(chunks: list[Chunk], fps: int) -> str:
    cues = []
    for n, c in enumerate(chunks, start=1):
        cues.append(
            f"{n}\n{_stamp(c.start, fps, ',')} --> {_stamp(c.end, fps, ',')}\n"
            + "\n".join(c.lines)
            + "\n"
        )
    return "\n".join(cues)


def to_vtt(chunks: list[Chunk], fps: int) -> str:
    cues = ["WEBVTT\n"]
    for c in chunks:
        cues.append(
            f"{_stamp(c.start, fps, '.')} --> {_stamp(c.end, fps, '.')}\n"
            + "\n".join(c.lines)
            + "\n"
        )
    return "\n".join(cues)
