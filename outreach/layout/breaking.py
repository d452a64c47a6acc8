"""Line breaking as an optimisation (minimum raggedness in the Knuth–Plass spirit).

For one font size, `best_lines` chooses where a paragraph's lines end by dynamic
programming over the break opportunities of `layout.words`, minimising

    sum over lines of RAG * (slack / width)^2   (the last line is free unless balancing)
  + SHORT * ((slack - 1/2) / (1/2))^2 for a line of a balanced block less than half full
  + the cost of each break taken                 (inside a word: WORD_BREAK, a name: NAME_BREAK,
                                                  between words: the phrase cost of
                                                  `layout.phrasing`, times `phrase` in
                                                  display text)
  + WIDOW if the last line holds a single word (STRICT_WIDOW on titles, hooks, quotes, CTAs)
  + LINE per line.

`layout.text` adds STEP per size step below the largest, so the size and the breaks are
chosen together: a widow costs more than four size steps, a break inside a word more than
any size, and in display text a line ending on "của" or "the" about four size steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from outreach.layout.words import INF, WORD_BREAK, Piece

RAG = 2.0
LINE = 0.6
#: A lone word on the last line of body text is worth four size steps...
WIDOW = 4.5
#: ...and on a title, hook, quote or call to action any size step (but not a split word).
STRICT_WIDOW = 200.0
STEP = 1.0
#: A line of a balanced block (title, CTA, caption) with less than half its width set
#: costs up to this much more: a lone "đưa" between long lines is never balanced.
SHORT = 8.0
#: In display text (titles, hooks, quotes, CTAs, balanced blocks) the phrase costs count
#: this many times: a line ending against the phrase ("Kể cho | chúng tôi nghe!") is worth
#: a few size steps, and each sentence wants a line of its own.
DISPLAY_PHRASE = 2.5


@dataclass(frozen=True)
class Breaks:
    """Where a paragraph's lines end: line k holds pieces[ends[k-1]:ends[k]]."""

    ends: tuple[int, ...]
    cost: float
    widow: bool

    def lines(self, n_pieces: int) -> list[tuple[int, int]]:
        starts = (0, *self.ends[:-1])
        return list(zip(starts, self.ends, strict=True))


class Measured:
    """A paragraph's pieces with their widths at one size, and prefix sums for line widths."""

    def __init__(self, pieces: Sequence[Piece], text_w: Sequence[float], glue_w: Sequence[float]):
        self.pieces = pieces
        self.n = len(pieces)
        self.text_w = list(text_w)
        self._t = [0.0]
        self._g = [0.0]
        for tw, gw in zip(text_w, glue_w, strict=True):
            self._t.append(self._t[-1] + tw)
            self._g.append(self._g[-1] + gw)
        # Distinct words (with letters) from piece i to the end, for the widow rule.
        self.units_from = [0] * (self.n + 1)
        seen: set[int] = set()
        for i in range(self.n - 1, -1, -1):
            if pieces[i].letters:
                seen.add(pieces[i].unit)
            self.units_from[i] = len(seen)

    def slice(self, i: int, j: int) -> Measured:
        """pieces[i:j] measured alone (a caption screen cut out of a paragraph)."""
        glue = [self._g[k + 1] - self._g[k] for k in range(i, j)]
        return Measured(self.pieces[i:j], self.text_w[i:j], glue)

    def width(self, i: int, j: int) -> float:
        """Width of pieces[i:j] set on one line (glue between them, none after the last)."""
        return self._t[j] - self._t[i] + self._g[j - 1] - self._g[i]

    def widest_piece(self) -> float:
        return max(self.text_w, default=0.0)


def min_lines(m: Measured, width: float, max_cost: float) -> int | None:
    """Fewest lines (first fit) using only breaks cheaper than `max_cost`; None if impossible."""
    lines = 1
    start = 0
    last_ok = -1  # last break opportunity on the current line
    i = 0
    while i < m.n:
        if m.width(start, i + 1) > width + 0.01:
            if last_ok < start:
                return None
            lines += 1
            start = last_ok + 1
            last_ok = start - 1
            i = start
            continue
        if i < m.n - 1 and m.pieces[i].cost < max_cost:
            last_ok = i
        i += 1
    return lines


def best_lines(
    m: Measured,
    width: float,
    n_lines: int,
    balance: bool,
    widow_cost: float = WIDOW,
    phrase: float = 1.0,
) -> Breaks | None:
    """The cheapest way to set the paragraph in exactly `n_lines` lines, or None.

    `phrase` weighs the phrase costs of breaks between words (penalties and bonuses)."""
    n = m.n
    if n == 0:
        return Breaks((), 0.0, False) if n_lines == 0 else None
    if n_lines < 1 or n_lines > n:
        return None
    inf = math.inf
    # cost[k][j]: k lines holding pieces[0:j]; back[k][j]: where line k starts.
    cost = [[inf] * (n + 1) for _ in range(n_lines + 1)]
    back = [[-1] * (n + 1) for _ in range(n_lines + 1)]
    cost[0][0] = 0.0
    for j in range(1, n + 1):
        last = j == n
        brk = 0.0 if last else m.pieces[j - 1].cost
        if brk == INF:
            continue
        if m.pieces[j - 1].kind == "space":
            brk *= phrase
        for i in range(j - 1, -1, -1):
            w = m.width(i, j)
            if w > width + 0.01:
                break
            slack = max(0.0, (width - w) / width)
            line = LINE + (RAG * slack * slack if (not last or balance) else 0.0)
            if balance and slack > 0.5:
                line += SHORT * (2 * slack - 1) ** 2
            widow = last and i > 0 and m.units_from[i] == 1
            if widow:
                line += widow_cost
            for k in range(1, n_lines + 1):
                prev = cost[k - 1][i]
                if prev == inf:
                    continue
                c = prev + line + brk
                if c < cost[k][j]:
                    cost[k][j] = c
                    back[k][j] = i
    if cost[n_lines][n] == inf:
        return None
    ends: list[int] = []
    j, k = n, n_lines
    while k > 0:
        ends.append(j)
        j = back[k][j]
        k -= 1
    ends.reverse()
    first_last = (0, *ends)[-2]
    widow = n_lines > 1 and m.units_from[first_last] == 1
    return Breaks(tuple(ends), cost[n_lines][n], widow)


def clean(cost: float) -> bool:
    """A layout without any break inside a word or a name."""
    return cost < WORD_BREAK / 2
