"""Captions: a beat's text split into 1-2 line chunks, timed, and written as SRT and WebVTT.

The chunks are laid out with the card text engine (same fonts, NFC, Raqm, keep-together
names, safe line height), so what is burned in and what the sidecars say is the same text
with the same line breaks and the same frame-exact times.

Sections, so that parallel work merges cleanly:
- splitting (`chunk_blocks`, `_balanced`): where lines and cues break (the text engine's);
- timing (`time_chunks`, `Word`): cue and word times by characters per second, every cue
  at least `min_cue` long; per-word start/end frames are first-class, and
  `time_chunks(word_times=...)` takes times from forced alignment instead;
- styling geometry (`caption_style`, `caption_box`): size and the centred band;
- sidecars (`SidecarCue`, `card_cues`, `to_srt`, `to_vtt`): every on-screen text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field

from outreach.layout.chunks import caption_chunks
from outreach.layout.geometry import Box
from outreach.layout.text import TextBlock, TextStyle
from outreach.layout.words import gaps_inside_words
from outreach.model.text import NBSP

#: Height of the caption band, in caption line heights (two lines plus breathing room).
BAND_LINES = 2.7


@dataclass(frozen=True)
class Word:
    """One word of a caption chunk and when it is spoken (frames, global, [start, end))."""

    line: int
    index: int  # position in its line
    text: str
    start: int  # frames, global
    end: int
    group: int = -1  # words lit together (a punctuation mark joins its neighbour's group)
    #: When each space-separated part of `text` is said, in seconds (a name kept together
    #: with no-break spaces has several): exact times from the voice; empty when timed
    #: by reading speed.
    times: tuple[float, ...] = ()

    def token_times(self, fps: int) -> list[tuple[str, float]]:
        """Each part of the word with the second it starts."""
        parts = self.text.replace(NBSP, " ").split()
        if len(self.times) == len(parts):
            return list(zip(parts, self.times, strict=True))
        return [(p, self.start / fps) for p in parts]


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

    def group_at(self, frame: int) -> int | None:
        """The highlight group lit at `frame` (None between words or outside the chunk)."""
        w = self.word_at(frame)
        return None if w is None else w.group

    @property
    def text(self) -> str:
        return " ".join(self.lines)


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


def centred_band(safe: Box, canvas_width: float) -> Box:
    """The safe zone narrowed to be symmetric about the frame's centre line.

    Interfaces cover more on the right (TikTok's and Shorts' buttons) than on the left, so
    the plain safe zone's centre is left of the frame's (x = 476 of 1080): captions set in
    it look off-centre. The band keeps the larger margin on both sides.
    """
    margin = max(safe.x, canvas_width - safe.right)
    return Box(margin, safe.y, max(1.0, canvas_width - 2 * margin), safe.h)


def caption_box(safe: Box, style: TextStyle, canvas_width: float | None = None) -> Box:
    """The band at the bottom of the safe zone where captions sit (centred on the frame)."""
    band = centred_band(safe, canvas_width) if canvas_width else safe
    h = min(band.h, style.max_size * style.leading * BAND_LINES)
    return Box(band.x, band.bottom - h, band.w, h)


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


@dataclass(frozen=True)
class CueTiming:
    """The reading-speed rules every cue is timed by (and checked against)."""

    fps: int = 30
    min_cue: float = 0.9  # seconds
    max_cps: float = 20.0
    max_line: int = 42  # characters, for the sidecars
    max_lines: int = 2


def cue_chars(text: str) -> int:
    return len(" ".join(text.replace(NBSP, " ").split()))


def split_by_reading(
    start: int, end: int, texts: Sequence[str], timing: CueTiming
) -> list[tuple[int, int]]:
    """Cut [start, end) into one range per text: each at least `min_cue` and long enough
    for its characters at `max_cps`, the rest shared by length.

    When the window is too short for that (a fixed `duration:`), ranges are proportional
    to what each needs, and the cue report flags them.
    """
    need = [max(timing.min_cue, cue_chars(t) / timing.max_cps) * timing.fps for t in texts]
    window = end - start
    if sum(need) >= window:
        return _split(start, end, need)
    spare = window - sum(need)
    chars = [cue_chars(t) + 2.0 for t in texts]
    total = sum(chars)
    weights = [n + spare * c / total for n, c in zip(need, chars, strict=True)]
    return _split(start, end, weights)


_WORDLIKE = re.compile(r"\w", re.UNICODE)


def highlight_groups(tokens: Sequence[str]) -> list[int]:
    """Group number per token: a token without a letter or digit (—, …, “) joins the
    word before it (or after it, at the start), so punctuation is never lit on its own."""
    groups: list[int] = []
    g = -1
    pending_lead = 0
    for tok in tokens:
        if _WORDLIKE.search(tok):
            g += 1
            groups.extend([g] * pending_lead)
            pending_lead = 0
            groups.append(g)
        elif g < 0:
            pending_lead += 1
        else:
            groups.append(g)
    groups.extend([max(g, 0)] * pending_lead)
    return groups


def time_chunks(
    blocks: list[TextBlock],
    start: int,
    end: int,
    field: tuple[str | int, ...] = (),
    timing: CueTiming | None = None,
    word_times: Sequence[tuple[float, float]] | None = None,
) -> list[Chunk]:
    """Show the chunks one after another over [start, end), each word lit in turn.

    Chunks are timed by reading speed (`split_by_reading`); words inside a chunk by their
    length, punctuation sharing its word's time. `word_times` (seconds from the video's
    start, one pair per word of the text in order, e.g. from forced alignment) replaces
    both: each chunk then runs from its first word's start to the next chunk's start.
    """
    timing = timing or CueTiming()
    texts = [" ".join(line.text for line in b.lines) for b in blocks]
    per_block = [
        [
            (li, wi, w)
            for li, line in enumerate(b.lines)
            for wi, w in enumerate(line.text.split(" "))
        ]
        for b in blocks
    ]
    if word_times is not None:
        return _aligned_chunks(blocks, per_block, start, end, field, timing, word_times)
    chunks: list[Chunk] = []
    for block, words_in, (a, b) in zip(
        blocks, per_block, split_by_reading(start, end, texts, timing), strict=True
    ):
        groups = highlight_groups([w for _, _, w in words_in])
        # Time is shared per group (a word and its punctuation), by the group's length.
        group_text: dict[int, str] = {}
        for (_li, _wi, w), g in zip(words_in, groups, strict=True):
            group_text[g] = f"{group_text.get(g, '')} {w}".strip()
        order = sorted(group_text)
        spans = dict(
            zip(order, _split(a, b, _weights([group_text[g] for g in order])), strict=True)
        )
        words = tuple(
            Word(li, wi, w, spans[g][0], spans[g][1], g)
            for (li, wi, w), g in zip(words_in, groups, strict=True)
        )
        chunks.append(Chunk(block, a, b, words, field))
    return chunks


def _aligned_chunks(
    blocks: list[TextBlock],
    per_block: list[list[tuple[int, int, str]]],
    start: int,
    end: int,
    field: tuple[str | int, ...],
    timing: CueTiming,
    word_times: Sequence[tuple[float, float]],
) -> list[Chunk]:
    """Chunks timed by the voice: each runs from its first word's start to the next
    chunk's first word (the last to `end`). `word_times` has one (start, end) per token
    of the text (space-separated, no-break spaces included), in order."""
    parts = [[len(w.replace(NBSP, " ").split()) for _li, _wi, w in ws] for ws in per_block]
    n_tokens = sum(sum(p) for p in parts)
    if len(word_times) != n_tokens:
        raise ValueError(f"word_times has {len(word_times)} entries for {n_tokens} words")
    fps = timing.fps
    k = 0
    timed: list[list[tuple[float, float, tuple[float, ...]]]] = []
    for counts in parts:
        row = []
        for c in counts:
            span = word_times[k : k + c]
            row.append((span[0][0], span[-1][1], tuple(a for a, _ in span)))
            k += c
        timed.append(row)
    firsts = [min(end - 1, max(start, round(row[0][0] * fps))) if row else start for row in timed]
    chunks: list[Chunk] = []
    for i, (block, words_in, row) in enumerate(zip(blocks, per_block, timed, strict=True)):
        a = max(firsts[i], chunks[-1].start + 1) if chunks else firsts[i]
        b = min(end, firsts[i + 1]) if i + 1 < len(blocks) else end
        b = max(a + 1, b)
        groups = highlight_groups([w for _, _, w in words_in])
        words = []
        for (li, wi, w), g, (ws, we, times) in zip(words_in, groups, row, strict=True):
            fs = min(b - 1, max(a, round(ws * fps)))
            fe = min(b, max(fs + 1, round(we * fps)))
            words.append(Word(li, wi, w, fs, fe, g, times))
        chunks.append(Chunk(block, a, b, tuple(words), field))
    return chunks


def pause_breaks(text: str, starts: Sequence[float], ends: Sequence[float], pause: float) -> str:
    """`text` with a line break (a paragraph, so a cue break) wherever the voice pauses
    for at least `pause` seconds between two words. `starts` and `ends` hold one time per
    space-separated token of `text`. A pause inside a word (between the syllables of a
    compound, or inside a name) is not a break: the cue would split the word."""
    tokens = list(re.finditer(r"\S+", text))
    if len(tokens) != len(starts) or len(starts) != len(ends):
        return text
    inside = gaps_inside_words([t.group() for t in tokens])
    out = []
    last = 0
    for k in range(len(tokens) - 1):
        gap_from, gap_to = tokens[k].end(), tokens[k + 1].start()
        out.append(text[last:gap_from])
        gap = text[gap_from:gap_to]
        paused = starts[k + 1] - ends[k] >= pause and k not in inside
        out.append("\n" if paused and "\n" not in gap else gap)
        last = gap_to
    out.append(text[last:])
    return "".join(out)


# --- sidecars ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SidecarCue:
    """One cue of video.srt / video.vtt: frames [start, end), at most two short lines."""

    start: int
    end: int
    lines: tuple[str, ...]
    field: tuple[str | int, ...] = ()
    kind: str = "beat"  # beat | cover | quote | fact | cta
    line_pct: float = 85.0  # WebVTT `line:` (the bottom of the cue box, % of the height)
    words: tuple[Word, ...] = dc_field(default=(), compare=False)
    #: Every word of `lines` with the second it is said: the karaoke tags of video.vtt.
    tokens: tuple[tuple[str, float], ...] = dc_field(default=(), compare=False)

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def wrap_cue_text(text: str, width: int = 42) -> list[str]:
    """Greedy lines of at most `width` characters, breaking only between words.

    A no-break space keeps its two words on one line (and is written as a plain space).
    """
    lines: list[str] = []
    current = ""
    for token in text.split():
        candidate = f"{current} {token}" if current else token
        if current and len(candidate.replace(NBSP, " ")) > width:
            lines.append(current)
            current = token
        else:
            current = candidate
    if current:
        lines.append(current)
    return [line.replace(NBSP, " ") for line in lines]


def text_cues(text: str, timing: CueTiming) -> list[tuple[str, ...]]:
    """A card's text as cues of at most `max_lines` lines, evenly filled."""
    lines = wrap_cue_text(text, timing.max_line)
    n = max(1, -(-len(lines) // timing.max_lines))
    if n == 1:
        return [tuple(lines)] if lines else []
    # Re-wrap each share of the words so cues are about equally long.
    words = text.split()
    total = sum(len(w) + 1 for w in words)
    groups: list[list[str]] = [[] for _ in range(n)]
    acc = 0
    for w in words:
        groups[min(n - 1, int(acc * n / total))].append(w)
        acc += len(w) + 1
    out = []
    for g in groups:
        wrapped = wrap_cue_text(" ".join(g), timing.max_line)
        if len(wrapped) > timing.max_lines:  # uneven words: fall back to plain pairs
            return [
                tuple(lines[i : i + timing.max_lines])
                for i in range(0, len(lines), timing.max_lines)
            ]
        if wrapped:
            out.append(tuple(wrapped))
    return out


def card_cues(
    text: str,
    start: int,
    end: int,
    field: tuple[str | int, ...],
    kind: str,
    timing: CueTiming,
    line_pct: float = 85.0,
) -> list[SidecarCue]:
    """Sidecar cues for a card's on-screen text, timed over its scene by reading speed.

    Each line of `text` (title and hook, CTA and link) starts cues of its own. Lines that
    cannot be read in the time (more than `max_cps`, or cues under `min_cue`) are left
    out from the last one, so what is kept is always readable."""
    paras = [p for p in text.split("\n") if p.strip()]
    parts: list[tuple[str, ...]] = []
    while paras:
        parts = [cue for para in paras for cue in text_cues(para, timing)]
        need = sum(max(timing.min_cue, cue_chars(" ".join(c)) / timing.max_cps) for c in parts)
        if need * timing.fps <= end - start or len(paras) == 1:
            break
        paras = paras[:-1]
    if not parts:
        return []
    spans = split_by_reading(start, end, [" ".join(p) for p in parts], timing)
    return [
        SidecarCue(a, b, p, field, kind, line_pct) for p, (a, b) in zip(parts, spans, strict=True)
    ]


def chunk_cues(chunks: list[Chunk], timing: CueTiming, line_pct: float = 85.0) -> list[SidecarCue]:
    """Sidecar cues for burned-in caption chunks: the same lines, split at `max_line` if
    a burned-in line is longer (a wide font size can hold more than 42 characters).

    Each cue carries its words and when they are said (the karaoke tags of video.vtt);
    a chunk split in two starts its second cue at that cue's first word when the times
    come from the voice, else by reading speed."""
    out = []
    fps = timing.fps
    for c in chunks:
        tokens = [t for w in c.words for t in w.token_times(fps)]
        voiced = bool(c.words) and all(w.times for w in c.words)
        lines: list[str] = []
        for line in c.lines:
            lines += wrap_cue_text(line, timing.max_line)
        if len(lines) <= timing.max_lines:
            out.append(
                SidecarCue(
                    c.start, c.end, tuple(lines), c.field, "beat", line_pct, c.words, tuple(tokens)
                )
            )
            continue
        parts = text_cues(" ".join(lines), timing)
        counts = [len(" ".join(p).split()) for p in parts]
        if sum(counts) != len(tokens):
            tokens, voiced = [], False
        spans = split_by_reading(c.start, c.end, [" ".join(p) for p in parts], timing)
        if voiced:
            firsts, k = [], 0
            for n in counts:
                firsts.append(tokens[k][1])
                k += n
            bounds = [c.start] + [
                min(c.end - 1, max(c.start + 1, round(t * fps))) for t in firsts[1:]
            ]
            bounds = [max(b, bounds[i - 1] + 1) if i else b for i, b in enumerate(bounds)]
            spans = list(zip(bounds, [*bounds[1:], c.end], strict=True))
        k = 0
        for p, n, (a, b) in zip(parts, counts, spans, strict=True):
            mine = tuple(tokens[k : k + n]) if tokens else ()
            k += n
            out.append(SidecarCue(a, b, p, c.field, "beat", line_pct, (), mine))
    return out


def _stamp(frame: int, fps: int, sep: str) -> str:
    ms = round(frame * 1000 / fps)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _as_cues(items: Sequence[Chunk | SidecarCue]) -> list[SidecarCue]:
    return [
        c if isinstance(c, SidecarCue) else SidecarCue(c.start, c.end, c.lines, c.field)
        for c in items
    ]


def to_srt(items: Sequence[Chunk | SidecarCue], fps: int) -> str:
    cues = []
    for n, c in enumerate(_as_cues(items), start=1):
        cues.append(
            f"{n}\n{_stamp(c.start, fps, ',')} --> {_stamp(c.end, fps, ',')}\n"
            + "\n".join(c.lines)
            + "\n"
        )
    return "\n".join(cues)


def _karaoke(c: SidecarCue) -> list[str]:
    """The cue's lines with a WebVTT timestamp tag before every word after the first."""
    if not c.tokens:
        return list(c.lines)
    queue = list(c.tokens)
    out = []
    first = True
    for line in c.lines:
        words = []
        for word in line.split(" "):
            if not queue or queue[0][0] != word:
                return list(c.lines)  # the words do not match: plain text rather than wrong tags
            _, at = queue.pop(0)
            words.append(word if first else f"<{_seconds(at)}>{word}")
            first = False
        out.append(" ".join(words))
    return out if not queue else list(c.lines)


def _seconds(t: float) -> str:
    ms = max(0, round(t * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def to_vtt(items: Sequence[Chunk | SidecarCue], fps: int, lang: str = "") -> str:
    """WebVTT with each cue placed where the video's own text is not (its line position),
    and karaoke timestamp tags (`<00:00:03.120>word`) where the words' times are known."""
    head = "WEBVTT" + (f"\nLanguage: {lang}" if lang else "") + "\n"
    cues = [head]
    for c in _as_cues(items):
        settings = f" line:{c.line_pct:.0f}%,end position:50% align:center"
        cues.append(
            f"{_stamp(c.start, fps, '.')} --> {_stamp(c.end, fps, '.')}{settings}\n"
            + "\n".join(_karaoke(c))
            + "\n"
        )
    return "\n".join(cues)


# --- the cue report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CueReport:
    """Cue timing of a video's sidecars against the reading rules (for check and the manifest)."""

    cues: int
    shortest: float  # seconds
    fastest_cps: float
    longest_line: int
    most_lines: int
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "cues": self.cues,
            "shortest_s": round(self.shortest, 2),
            "fastest_cps": round(self.fastest_cps, 1),
            "longest_line": self.longest_line,
            "most_lines": self.most_lines,
            "problems": list(self.problems),
        }


def cue_report(cues: Sequence[SidecarCue], timing: CueTiming) -> CueReport:
    problems = []
    shortest, fastest, longest, most = 1e9, 0.0, 0, 0
    for c in cues:
        d = (c.end - c.start) / timing.fps
        cps = cue_chars(c.text) / d if d > 0 else 1e9
        shortest, fastest = min(shortest, d), max(fastest, cps)
        longest = max([longest, *(len(line) for line in c.lines)])
        most = max(most, len(c.lines))
        at = _stamp(c.start, timing.fps, ".")
        if d + 1e-9 < timing.min_cue - 0.5 / timing.fps:
            problems.append(f"cue at {at} lasts {d:.2f} s (under {timing.min_cue:g} s)")
        if cps > timing.max_cps + 0.05:
            problems.append(
                f"cue at {at} reads at {cps:.1f} characters/s (over {timing.max_cps:g})"
            )
        if any(len(line) > timing.max_line for line in c.lines):
            problems.append(f"cue at {at} has a line over {timing.max_line} characters")
        if len(c.lines) > timing.max_lines:
            problems.append(f"cue at {at} has {len(c.lines)} lines")
    return CueReport(
        len(cues), 0.0 if not cues else shortest, fastest, longest, most, tuple(problems)
    )
