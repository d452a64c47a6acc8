"""Caption chunks: a beat's text cut into screens of at most two lines, between words.

The same break opportunities as the cards (`layout.words`), so a cue never ends inside a
word, a name, a code or a date ("phân ‖ phối"), and the same line breaking inside each
chunk. Chunks follow the phrase, with the cards' phrase costs (`layout.phrasing`) weighed
by CUE: a cut after a full stop or a comma is preferred, a screen never ends on "với
một" or "of the" while another cut fits, short neighbouring clauses share a screen, a
long clause is cut into even parts, and a screen holding a single word is avoided. Every
chunk is set at one size, so captions never jump in size.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from outreach.layout.breaking import DISPLAY_PHRASE, Measured, best_lines
from outreach.layout.geometry import Box
from outreach.layout.text import (
    MissingGlyphs,
    TextBlock,
    TextStyle,
    _measured,
    _overflow,
    _sizes,
    layout_paragraphs,
    missing_glyphs,
    paragraphs,
    prepare,
)
from outreach.layout.words import WORD_BREAK, Paragraph, line_text

#: Each screen costs this much: fewer, fuller screens read better...
SCREEN = 1.0
#: ...and a cut costs its phrase cost times this: after a sentence (-0.5) or a clause
#: (-0.3) it is a bonus...
CUE = 1.5
#: ...after a preposition (1.5) or a determiner (2.0) a penalty, weighed more than the
#: same break between the two lines of a screen (`DISPLAY_PHRASE`): a cue also parts
#: the words in time.
CUE_PENALTY = 3.0
#: A screen with a single word on it.
STUB = 2.0
#: Uneven screens: (1 - fill)^2 times this, fill being the share of two full lines.
FILL = 1.0
LINES = 2
#: A screen whose second line holds one word: common in captions, and fine.
WIDOW = 1.0


def _fits(m: Measured, i: int, j: int, width: float) -> bool:
    """Whether pieces[i:j] fit in two lines using only breaks between words (first fit)."""
    lines, start, last_ok, k = 1, i, i - 1, i
    while k < j:
        if m.width(start, k + 1) > width + 0.01:
            if last_ok < start:
                return False
            lines += 1
            if lines > LINES:
                return False
            start = last_ok + 1
            last_ok = start - 1
            k = start
            continue
        if k < j - 1 and m.pieces[k].cost < WORD_BREAK / 2:
            last_ok = k
        k += 1
    return True


def _cuts(m: Measured, width: float) -> list[tuple[int, int]] | None:
    """The cheapest cut of one paragraph into screens (dynamic programming)."""
    n = m.n
    best = [math.inf] * (n + 1)
    back = [-1] * (n + 1)
    best[0] = 0.0
    for j in range(1, n + 1):
        end = m.pieces[j - 1]
        if j < n and end.kind != "space":
            continue  # cut only between words: never in a word, a name, a URL or "59-NQ/TW"
        cut = 0.0 if j == n else (CUE if end.cost < 0 else CUE_PENALTY) * end.cost
        for i in range(j - 1, -1, -1):
            if best[i] == math.inf:
                continue
            if m.width(i, j) > LINES * width * 1.05:
                break
            if not _fits(m, i, j, width):
                continue
            fill = min(1.0, m.width(i, j) / (LINES * width))
            stub = STUB if (i > 0 or j < n) and len({p.unit for p in m.pieces[i:j]}) < 2 else 0.0
            c = best[i] + SCREEN + FILL * (1 - fill) ** 2 + stub + cut + _set(m, i, j, width)
            if c < best[j]:
                best[j], back[j] = c, i
    if best[n] == math.inf:
        return None
    spans: list[tuple[int, int]] = []
    j = n
    while j > 0:
        spans.append((back[j], j))
        j = back[j]
    return spans[::-1]


def _set(m: Measured, i: int, j: int, width: float) -> float:
    """What setting pieces[i:j] as one screen costs: its own best one or two lines, with
    the cards' costs (a line ending on "với" inside a screen counts as on a card)."""
    sub = m.slice(i, j)
    costs = [
        found.cost
        for n_lines in range(1, LINES + 1)
        if (found := best_lines(sub, width, n_lines, True, WIDOW, DISPLAY_PHRASE))
    ]
    return min(costs, default=math.inf)


def _screen(par: Paragraph, i: int, j: int) -> Paragraph:
    pieces = list(par.pieces[i:j])
    last = pieces[-1]
    pieces[-1] = dataclasses.replace(last, glue="", cost=0.0, kind="end")
    return Paragraph(tuple(pieces), par.words)


def _caption_size(paras: Sequence[Paragraph], style: TextStyle, box: Box) -> int:
    """The largest size at which every word fits the band's width (so none is split)."""
    sizes = _sizes(style)
    for size in sizes:
        measured = _measured(paras, style, size)
        if all(_words_fit(m, box.w) for m in measured):
            return size
    for size in sizes:
        if all(m.widest_piece() <= box.w + 0.01 for m in _measured(paras, style, size)):
            return size
    return style.min_size


def _words_fit(m: Measured, width: float) -> bool:
    start = 0
    for k in range(m.n):
        if k == m.n - 1 or m.pieces[k].cost < WORD_BREAK / 2:
            if m.width(start, k + 1) > width + 0.01:
                return False
            start = k + 1
    return True


def caption_chunks(text: str, box: Box, style: TextStyle, field_name: str) -> list[TextBlock]:
    """Split `text` into caption chunks of at most two lines, each laid out in `box`."""
    prepared = prepare(text, style.uppercase)
    missing = missing_glyphs(prepared, style.font, style.emoji_font)
    if missing:
        raise MissingGlyphs(missing, field_name)
    paras = [p for p in paragraphs(prepare(text), style) if p.pieces]
    if not paras:
        return []
    size = _caption_size(paras, style, box)
    fixed = dataclasses.replace(style, max_size=size, min_size=size, max_lines=LINES)
    blocks: list[TextBlock] = []
    for par, m in zip(paras, _measured(paras, style, size), strict=True):
        if m.widest_piece() > box.w + 0.01:
            raise _overflow(text, [par], box, fixed, field_name)
        spans = _cuts(m, box.w) or [(0, m.n)]
        for i, j in spans:
            screen = _screen(par, i, j)
            chunk_text = line_text(screen.pieces)
            try:
                blocks.append(
                    layout_paragraphs([screen], chunk_text, box, fixed, field_name, WIDOW)
                )
            except ValueError:
                loose = dataclasses.replace(fixed, min_size=style.min_size)
                blocks.append(
                    layout_paragraphs([screen], chunk_text, box, loose, field_name, WIDOW)
                )
    return blocks
