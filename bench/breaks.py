"""Count card line breaks that fall inside a word, on the sample stories (or any folder).

Every text box of every unique card on every preset is laid out as `render` does; each line
boundary is checked against the words of its text as the segmenter (underthesea) and the
story's own names (person, organisation, place, quote_by) see them. Prints the count and
each offending break. It also counts lines that end on a function word ("của", "và", "the",
"of": a short fixed list here, independent of the engine's `phrasing.toml`) and breaks
inside a document code or a date ("Nghị quyết 59-NQ/TW", "24 January 2025").

    python bench/breaks.py                 # stories/*.yaml
    python bench/breaks.py some/folder -v
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.I
)


def word_gaps(text: str, names: list[str], lang: str) -> set[int]:
    """Indices of the gaps between the text's space-separated syllables that are inside a
    word: a segmenter word (Vietnamese stories, hashtags aside) or one of the story's names."""
    syllables = text.split()
    inside: set[int] = set()
    if lang == "vi" and VIETNAMESE.search(text):
        from underthesea import word_tokenize

        gap_at: dict[int, int] = {}
        acc = 0
        for gi, syl in enumerate(syllables[:-1]):
            acc += len(syl)
            gap_at[acc] = gi
        acc = 0
        for token in word_tokenize(" ".join(s for s in syllables if not s.startswith("#"))):
            parts = token.split()
            for k, part in enumerate(parts):
                acc += len(part)
                if k < len(parts) - 1 and acc in gap_at:
                    inside.add(gap_at[acc])
            # hashtags were left out of the segmenter's input: skip over them
            while acc in gap_at and syllables[gap_at[acc] + 1].startswith("#"):
                acc += len(syllables[gap_at[acc] + 1])
    flat = " ".join(syllables)
    for name in names:
        words = name.split()
        if len(words) < 2:
            continue
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.I)
        for m in pattern.finditer(flat):
            first = len(flat[: m.start()].split())
            inside.update(range(first, first + len(words) - 1))
    return inside


#: Words a line should not end on (the issue's list, and its English counterparts).
FUNCTION_WORDS = {
    "vi": frozenset(
        [
            "của",
            "và",
            "với",
            "cho",
            "các",
            "những",
            "là",
            "ở",
            "trong",
            "để",
            "một",
            "mỗi",
            "mọi",
            "từ",
            "tại",
            "bằng",
            "hoặc",
            "nhưng",
            "mà",
            "thì",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "a",
            "an",
            "of",
            "and",
            "or",
            "to",
            "in",
            "on",
            "at",
            "for",
            "with",
            "by",
            "from",
            "as",
            "than",
        ]
    ),
}
#: A date or a document code with its label: never split across lines.
WHOLE = re.compile(
    r"(?:Nghị quyết|Resolution|No\.)\s+\d+[-/][\w/-]+|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
    r"Sep|Oct|Nov|Dec)[a-z]*\s+\d{4}|"
    r"ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{4})?)?(?:\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)?|"
    r"tháng\s+\d{1,2}/\d{4}|năm\s+\d{4}",
    re.I,
)


def line_end_faults(lines: list[str], lang: str) -> tuple[int, int]:
    """(lines but the last ending on a function word, breaks inside a code or a date)."""
    words = FUNCTION_WORDS["vi" if lang == "vi" else "en"]
    ends = 0
    for ln in lines[:-1]:
        last = ln.split()[-1] if ln.split() else ""
        if last.lower().strip("\"'“”‘’«»()") in words and not last.endswith((",", ".", ":", ";")):
            ends += 1
    flat = " ".join(ln.replace("\u00a0", " ") for ln in lines)
    cuts, acc = set(), 0
    for ln in lines[:-1]:
        acc += len(ln.replace("\u00a0", " ")) + 1
        cuts.add(acc - 1)
    whole = sum(1 for m in WHOLE.finditer(flat) for c in cuts if m.start() < c < m.end())
    # a break inside an unspaced code or date ("59-|NQ/TW", "24/|01/2025")
    whole += sum(
        1
        for a, b in zip(lines, lines[1:], strict=False)
        if re.search(r"\d[-/]?$|[-/]$", a) and re.match(r"^[\w]", b) and re.search(r"[-/]$", a)
    )
    return ends, whole


FAULTS = [0, 0, 0, 0]  # card function-word ends, card codes split, caption ends, caption codes


def count(stories: Path, verbose: bool) -> tuple[int, int]:
    from outreach.layout import text as layout_text_module
    from outreach.pack.story import CardMemo, load_and_validate
    from outreach.platforms import load_presets
    from outreach.render import layers
    from outreach.render.cards import plan_cards

    seen: list[tuple[str, list[str], list[str]]] = []
    original = layers.layout_text

    def spy(text, box, style, field_name=""):  # type: ignore[no-untyped-def]
        block = original(text, box, style, field_name)
        seen.append((text, [ln.text for ln in block.lines], []))
        return block

    breaks = inside = 0
    done: set[tuple[str, tuple[str, ...]]] = set()
    for path in sorted(stories.glob("*.yaml")):
        validated = load_and_validate(path, stories, requested=sorted(load_presets()))
        story = validated.loaded.story
        names = [
            n
            for n in (
                story.person.name if story.person else "",
                story.person.org if story.person else "",
                story.person.place if story.person else "",
                story.quote_by,
            )
            for n in re.split(r"\s*[,;·]\s*", n)
            if n
        ]
        memo = CardMemo()
        layers.layout_text = spy
        try:
            for platform in validated.platforms:
                for spec in plan_cards(validated.loaded, platform, validated.theme):
                    before = len(seen)
                    memo.render(spec, platform, validated.theme)
                    for text, lines, _ in seen[before:]:
                        if len(lines) < 2 or (text, tuple(lines)) in done:
                            continue
                        done.add((text, tuple(lines)))
                        ends, whole = line_end_faults(lines, story.lang)
                        FAULTS[0] += ends
                        FAULTS[1] += whole
                        if verbose and (ends or whole):
                            print(f"{path.name}: {spec.name}/{platform.name}: phrase: {lines}")
                        flat = [w for ln in lines for w in ln.replace("\u00a0", " ").split()]
                        gaps = word_gaps(" ".join(flat), names, story.lang)
                        pos = -1
                        for ln in lines[:-1]:
                            pos += len(ln.replace("\u00a0", " ").split())
                            breaks += 1
                            if pos in gaps:
                                inside += 1
                                if verbose:
                                    print(f"{path.name}: {spec.name}/{platform.name}: {lines}")
        finally:
            layers.layout_text = original
    del layout_text_module
    return inside, breaks


def count_captions(stories: Path, verbose: bool) -> tuple[int, int, int, int]:
    """(line breaks inside words, line breaks, cue cuts inside words, cue cuts) of the
    video captions of every beat, in the shared vertical caption band."""
    from outreach.layout.geometry import Box
    from outreach.model.loader import load_story
    from outreach.render.video.captions import caption_box, caption_style, chunk_blocks
    from outreach.render.video.timeline import VideoSettings
    from outreach.themes import load_theme

    counts = [0, 0, 0, 0]
    for path in sorted(stories.glob("*.yaml")):
        story = load_story(path, stories).story
        theme = load_theme(story.theme)
        size = VideoSettings.from_theme(theme.video, story.lang).caption_size
        try:
            style = caption_style(
                theme.font("heading"),
                theme.emoji_font,
                size,
                theme.keep_together,
                story.names,
                story.lang,
            )
        except (TypeError, AttributeError):  # the engine before word segmentation
            style = caption_style(
                theme.font("heading"), theme.emoji_font, size, theme.keep_together
            )
        box = caption_box(Box(65, 288, 823, 960), style)
        names = [n for n in re.split(r"\s*[,;·]\s*", ", ".join(_names(story))) if n]
        for beat in story.beats:
            if not beat.text:
                continue
            blocks = chunk_blocks(beat.text, box, style, "beats")
            lines = [ln.text for b in blocks for ln in b.lines]
            ends, whole = line_end_faults(lines, story.lang)
            FAULTS[2] += ends
            FAULTS[3] += whole
            if verbose and (ends or whole):
                print(
                    f"{path.name}: captions: phrase: {[[ln.text for ln in b.lines] for b in blocks]}"
                )
            flat = [w for ln in lines for w in ln.replace("\u00a0", " ").split()]
            gaps = word_gaps(" ".join(flat), names, story.lang)
            pos = -1
            for b in blocks:
                for li, ln in enumerate(b.lines):
                    pos += len(ln.text.replace("\u00a0", " ").split())
                    if b is blocks[-1] and li == len(b.lines) - 1:
                        continue
                    cue = li == len(b.lines) - 1
                    counts[3 if cue else 1] += 1
                    if pos in gaps:
                        counts[2 if cue else 0] += 1
                        if verbose:
                            print(f"{path.name}: {'cue' if cue else 'line'}: {lines}")
    return counts[0], counts[1], counts[2], counts[3]


def _names(story) -> list[str]:  # type: ignore[no-untyped-def]
    p = story.person
    return [
        x
        for x in (p.name if p else "", p.org if p else "", p.place if p else "", story.quote_by)
        if x
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", nargs="?", type=Path, default=REPO / "stories")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    inside, breaks = count(args.stories.resolve(), args.verbose)
    share = 100 * inside / breaks if breaks else 0.0
    print(f"{inside} of {breaks} card line breaks fall inside a word ({share:.0f}%)")
    li, lb, ci, cb = count_captions(args.stories.resolve(), args.verbose)
    print(f"captions: {li} of {lb} line breaks and {ci} of {cb} cue cuts fall inside a word")
    print(
        f"cards: {FAULTS[0]} lines end on a function word, {FAULTS[1]} codes or dates split; "
        f"captions: {FAULTS[2]} lines end on a function word, {FAULTS[3]} codes or dates split"
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
