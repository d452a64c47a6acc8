"""Cards: which cards a platform gets for a story, and how one card is composed.

`plan_cards` turns a story into `CardSpec`s (values + photos per card) and picks each
card's layout among the theme's variants: deterministically from the content (a hash
of its text, whether the photo has a face and where), rotated so that neighbouring
cards of a story differ, and only among variants that keep the face clear of text
(tried with a cheap geometry-only pass). `compose` paints one spec with the theme's
layers. The same code path serves final renders (scale 1), previews (scale 0.5) and
`check` (a quick low-scale pass for contrast).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image

from outreach.layout.geometry import Box, text_allowed
from outreach.layout.text import LayoutError
from outreach.model.loader import FieldPath, LoadedStory
from outreach.model.story import Story
from outreach.platforms import Platform
from outreach.render.layers import CardCanvas, TextRecord, face_brightness, paint
from outreach.themes import Theme, ThemeError

QUOTE_MARK = "“"
#: Facts in a carousel: up to this many get a slide each; more become one recap slide.
RECAP_FROM = 3
RECAP_MAX = 4
#: A derived thumbnail text keeps at most this many characters.
THUMBNAIL_CHARS = 40

Photos = dict[str, tuple[Path, tuple[float, float] | None]]


@dataclass(frozen=True)
class CardSpec:
    """One card to draw: its name, layout, text values, photos and where each came from.

    `layout` is the card type (cover, quote, fact, cta, beat, recap, thumbnail) and
    `variant` the theme layout chosen for it ("" lets `compose` choose).
    """

    name: str
    layout: str
    output: str  # card | slide | thumbnail
    filename: str
    values: dict[str, str]
    photos: Photos
    sources: dict[str, FieldPath]
    alt: str = ""
    names: tuple[str, ...] = ()  # the story's names: never split across lines
    lang: str = ""
    variant: str = ""
    subjects: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)

    def digest(self, platform: Platform, theme: Theme) -> str:
        """Content hash of everything that decides this card's pixels."""
        from outreach import RENDERER_VERSION

        photos = {k: [str(p), f, _file_digest(p)] for k, (p, f) in sorted(self.photos.items())}
        payload = json.dumps(
            [
                RENDERER_VERSION,
                self.layout,
                self.variant,
                self.values,
                photos,
                self.subjects,
                self.names,
                self.lang,
                platform.format,  # not the name: Reels, Story and FB Reels share pixels
                platform.keep_clear,
                platform.canvas,
                platform.safe_rect,
                theme.digest,
                card_layers(self, platform, theme),
            ],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


_FILE_DIGESTS: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    """sha256 of a media file's bytes, memoised on (path, size, mtime)."""
    import os

    st = os.stat(path)
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _FILE_DIGESTS:
        _FILE_DIGESTS[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return _FILE_DIGESTS[key]


@dataclass
class CardResult:
    spec: CardSpec
    image: Image.Image
    records: list[TextRecord]
    errors: list[LayoutError]
    outside: list[TextRecord] = field(default_factory=list)
    variant: str = ""
    subject: dict[str, Any] | None = None  # the face or subject box on the card, and its kind
    face_clear: bool = True  # no text, logo or backing covers the face
    face_brightness: float | None = None  # the face's brightness on the card / in the photo
    logo: dict[str, Any] | None = None


# --- values --------------------------------------------------------------------------------


def story_values(story: Story, theme: Theme) -> tuple[dict[str, str], dict[str, FieldPath]]:
    """Text values every card of a story can use, and the story field each came from."""
    lang = story.lang
    person = story.person
    role = ", ".join(x for x in (person.role, person.org) if x) if person else ""
    handle = story.handle or theme.handle_for(lang)
    link = story.link
    follow = f"{theme.string('follow', lang)} {handle}".strip() if handle else ""
    cta_head, cta_tail = split_cta(story.cta)
    values = {
        "title": story.title,
        "hook": story.hook,
        "kicker": theme.string(f"kicker_{story.kind}", lang),
        "person_name": person.name if person else "",
        "person_role": role,
        "person_title": person.role if person else "",
        "person_org": person.org if person else "",
        "person_place": person.place if person else "",
        "person_line": " · ".join(
            x for x in (person.name if person else "", role, person.place if person else "") if x
        ),
        "quote": story.quote,
        "quote_mark": QUOTE_MARK if story.quote else "",
        "quote_by": story.speaker,
        # The CTA's first sentence is its headline; what follows is a smaller second line.
        "cta": cta_head,
        "cta_tail": cta_tail,
        "cta_kicker": theme.string("cta_kicker", lang),
        "link": link,
        "handle": handle,
        # The CTA's hero: the link if there is one, else the handle with its verb
        # ("Theo dõi @…"); the other goes below.
        "cta_link": link or follow,
        "cta_second": follow if link and handle else "",
        "cta_link_label": theme.string("cta_link_label", lang) if link else "",
        "qr_enabled": "1" if story.qr and link else "",
        "credits": story.credits,
        "brand": theme.string("brand", lang),
        "hashtags_line": " ".join(f"#{t}" for t in story.hashtags),
        "fact_kicker": theme.string("fact_kicker", lang),
        "recap_kicker": theme.string("recap_kicker", lang),
        "thumbnail_text": story.thumbnail_text or derive_thumbnail_text(story.title),
    }
    sources: dict[str, FieldPath] = {
        "title": ("title",),
        "hook": ("hook",),
        "person_name": ("person", "name"),
        "person_role": ("person", "role"),
        "person_title": ("person", "role"),
        "person_org": ("person", "org"),
        "person_place": ("person", "place"),
        "person_line": ("person",),
        "quote": ("quote",),
        "quote_by": ("quote_by",) if story.quote_by else ("person", "name"),
        "cta": ("cta",),
        "cta_tail": ("cta",),
        "link": ("link",),
        "handle": ("handle",),
        "cta_link": ("link",) if link else ("handle",),
        "cta_second": ("handle",),
        "credits": ("credits",),
        "hashtags_line": ("hashtags",),
        "kicker": ("kind",),
        "thumbnail_text": ("thumbnail_text",) if story.thumbnail_text else ("title",),
    }
    return values, sources


def split_cta(text: str) -> tuple[str, str]:
    """A call to action as (headline, second line): split after its first sentence when
    another follows ("Bạn có ý tưởng…? | Kể cho chúng tôi nghe!"), so the headline never
    breaks in the middle of the second sentence."""
    import re

    text = text.strip()
    m = re.search(r"[?!.…](?=\s+\S)", text)
    if not m:
        return text, ""
    head, tail = text[: m.end()].strip(), text[m.end() :].strip()
    if len(head) < 8 or len(tail) < 4:
        return text, ""
    return head, tail


#: A thumbnail reads at a glance: a derived text keeps at most this many words.
THUMBNAIL_WORDS = 5
#: Words a derived thumbnail text never ends on (it would read as cut off).
_DANGLING = frozenset(
    {"của", "và", "với", "cho", "ở", "từ", "đến", "là", "một", "các", "những", "trong"}
    | {"trên", "the", "of", "and", "a", "an", "to", "at", "in", "for", "with", "on", "by"}
)


def derive_thumbnail_text(title: str, limit: int = THUMBNAIL_CHARS) -> str:
    """A thumbnail's text from the title: the part before a colon or dash if the title is
    long, at most THUMBNAIL_WORDS words and `limit` characters, cut at a word boundary and
    never ending on a word like "của" or "the"."""
    text = title.strip()
    words = text.split()
    if len(text) <= limit and len(words) <= THUMBNAIL_WORDS:
        return text
    for sep in (":", " — ", " – ", " - ", ","):
        head = text.split(sep)[0].strip()
        if 4 <= len(head) <= limit and len(head.split()) <= THUMBNAIL_WORDS and head != text:
            return head
    out: list[str] = []
    for word in words[:THUMBNAIL_WORDS]:
        if len(" ".join([*out, word])) > limit:
            break
        out.append(word)
    while len(out) > 2 and out[-1].lower().strip(",.;:") in _DANGLING:
        out.pop()
    return " ".join(out) or text[:limit]


def _is_image(path: str) -> bool:
    from outreach.model.media import is_image

    return is_image(path)


def _cover_photo(
    loaded: LoadedStory,
) -> (
    tuple[tuple[Path, tuple[float, float] | None], tuple[float, float, float, float] | None] | None
):
    story = loaded.story
    if story.person and story.person.photo:
        return (
            (loaded.media_path(story.person.photo), story.person.focus),
            story.person.subject,
        )
    for beat in story.beats:
        if beat.media and _is_image(beat.media):
            return (loaded.media_path(beat.media), beat.focus), beat.subject
    return None


def _alt(theme: Theme, lang: str, key: str, *parts: str) -> str:
    label = theme.string(key, lang)
    body = ". ".join(p.rstrip(". ") for p in parts if p)
    return f"{label}: {body}." if body else label


def plan_cards(loaded: LoadedStory, platform: Platform, theme: Theme) -> list[CardSpec]:
    """The cards `platform` gets for this story, in posting order, each with its layout."""
    specs = choose_layouts(_plan(loaded, platform, theme), loaded, platform, theme)
    if platform.outputs == "thumbnail" and not loaded.story.thumbnail_text:
        specs = [_fit_thumbnail(s, loaded, platform, theme) for s in specs]
    return specs


def _fit_thumbnail(
    spec: CardSpec, loaded: LoadedStory, platform: Platform, theme: Theme
) -> CardSpec:
    """A thumbnail text derived from the title is cut shorter until it fits two lines."""
    for limit in (THUMBNAIL_CHARS, 34, 28, 22, 16):
        text = derive_thumbnail_text(loaded.story.title, limit)
        trial = replace(spec, values={**spec.values, "thumbnail_text": text}, variant="")
        trial = choose_layouts([trial], loaded, platform, theme)[0]
        canvas = _canvas(trial, platform, theme, 0.25, dry=True)
        paint(canvas, card_layers(trial, platform, theme))
        if not canvas.errors:
            return trial
    return spec


def _plan(loaded: LoadedStory, platform: Platform, theme: Theme) -> list[CardSpec]:
    story = loaded.story
    lang = story.lang
    base, base_sources = story_values(story, theme)
    cover = _cover_photo(loaded)
    photos_cover: Photos = {"cover": cover[0]} if cover else {}
    subjects_cover = {"cover": cover[1]} if cover and cover[1] else {}
    person_photo: Photos = {}
    person_subject: dict[str, tuple[float, float, float, float]] = {}
    if story.person and story.person.photo:
        person_photo = {"person": (loaded.media_path(story.person.photo), story.person.focus)}
        if story.person.subject:
            person_subject = {"person": story.person.subject}
    photo_alt = theme.string("alt_photo", lang) if cover else ""

    def spec(
        name: str,
        layout: str,
        output: str,
        filename: str,
        values: dict[str, str],
        photos: Photos,
        sources: dict[str, FieldPath],
        alt: str,
        subjects: dict[str, tuple[float, float, float, float]] | None = None,
    ) -> CardSpec:
        return CardSpec(
            name,
            layout,
            output,
            filename,
            {**base, **values},
            photos,
            {**base_sources, **sources},
            alt,
            story.names,
            lang,
            subjects=subjects or {},
        )

    cover_alt = _alt(
        theme, lang, "alt_cover", story.title, story.hook, base["person_line"], photo_alt
    )
    if platform.outputs == "thumbnail":
        return [
            spec(
                "thumbnail",
                "thumbnail",
                "thumbnail",
                "thumbnail.jpg",
                {},
                photos_cover,
                {},
                cover_alt,
                subjects_cover,
            )
        ]

    cards: list[CardSpec] = [
        spec(
            "cover",
            "cover",
            "card",
            "cover.jpg",
            {},
            {**photos_cover, **person_photo},
            {},
            cover_alt,
            {**subjects_cover, **person_subject},
        )
    ]
    carousel = platform.outputs == "carousel"
    beats: list[CardSpec] = []
    if carousel:
        # A sequence: no photo is shown twice (the cover's included).
        used = {str(p) for p, _ in photos_cover.values()}
        for i, beat in enumerate(story.beats):
            if not beat.text:
                continue
            photos: Photos = {}
            subjects: dict[str, tuple[float, float, float, float]] = {}
            if beat.media and _is_image(beat.media):
                path = loaded.media_path(beat.media)
                if str(path) not in used:
                    used.add(str(path))
                    photos["beat"] = (path, beat.focus)
                    if beat.subject:
                        subjects["beat"] = beat.subject
            beats.append(
                spec(
                    f"beat-{i + 1:02d}",
                    "beat",
                    "slide",
                    "",
                    {"beat_text": beat.text},
                    photos,
                    {"beat_text": ("beats", i, "text")},
                    _alt(
                        theme,
                        lang,
                        "alt_beat",
                        beat.text,
                        theme.string("alt_photo", lang) if photos else "",
                    ),
                    subjects,
                )
            )
    quote = []
    if story.quote:
        quote.append(
            spec(
                "quote",
                "quote",
                "card",
                "quote.jpg",
                {},
                person_photo,
                {},
                _alt(theme, lang, "alt_quote", f"“{story.quote}”", story.speaker),
                person_subject,
            )
        )
    facts = []
    for i, fact in enumerate(story.facts):
        source = f"{theme.string('source_prefix', lang)}{fact.source}" if fact.source else ""
        facts.append(
            spec(
                f"fact-{i + 1:02d}",
                "fact",
                "card",
                f"fact-{i + 1:02d}.jpg",
                {"fact_value": fact.value, "fact_label": fact.label, "fact_source": source},
                {},
                {
                    "fact_value": ("facts", i, "value"),
                    "fact_label": ("facts", i, "label"),
                    "fact_source": ("facts", i, "source"),
                },
                _alt(theme, lang, "alt_fact", f"{fact.value} {fact.label}", source),
            )
        )
    cta = []
    if story.cta:
        cta.append(
            spec(
                "cta",
                "cta",
                "card",
                "cta.jpg",
                {},
                {},
                {},
                _alt(theme, lang, "alt_cta", story.cta, base["cta_link"]),
            )
        )

    if carousel:
        return _carousel(cards[0], beats, quote, facts, cta, story, platform, theme, spec)

    fact_total = len(facts)
    numbered = [
        replace(f, values={**f.values, "page": f"{i}/{fact_total}" if fact_total > 1 else ""})
        for i, f in enumerate(facts, start=1)
    ]
    return [*cards, *quote, *numbered, *cta]


def _carousel(
    cover: CardSpec,
    beats: list[CardSpec],
    quote: list[CardSpec],
    facts: list[CardSpec],
    cta: list[CardSpec],
    story: Story,
    platform: Platform,
    theme: Theme,
    spec: Any,
) -> list[CardSpec]:
    """Cover, beats, quote, facts (or one recap of them), CTA as one sequence: the same
    header and footer on every slide, a swipe cue on the first, the credit once."""
    lang = story.lang
    recap: list[CardSpec] = []
    if len(facts) >= RECAP_FROM:
        for start in range(0, len(facts), RECAP_MAX):
            chunk = story.facts[start : start + RECAP_MAX]
            rows = "\n".join(f"{f.value}\t{f.label}" for f in chunk)
            sources = sorted({f.source for f in chunk if f.source})
            source = f"{theme.string('source_prefix', lang)}{'; '.join(sources)}" if sources else ""
            recap.append(
                spec(
                    f"recap-{start // RECAP_MAX + 1:02d}",
                    "recap",
                    "slide",
                    "",
                    {"recap": rows, "fact_source": source},
                    {},
                    {"recap": ("facts",), "fact_source": ("facts",)},
                    _alt(
                        theme,
                        lang,
                        "alt_fact",
                        "; ".join(f"{f.value} {f.label}" for f in chunk),
                        source,
                    ),
                )
            )
    limit = platform.max_slides
    fixed = 1 + len(quote) + len(cta)
    # Every fact its own slide (the big numbers people save), the recap after them only
    # when there is room; when the facts do not fit one by one, the recap stands for them.
    middle: list[CardSpec] = list(facts)
    if recap and fixed + len(beats) + len(facts) + len(recap) <= limit:
        middle = facts + recap
    elif recap and fixed + len(beats) + len(facts) > limit:
        middle = list(recap)
    while fixed + len(beats) + len(middle) > limit and (beats or middle):
        if len(beats) > len(middle) or not middle:
            beats.pop()
        else:
            middle.pop()
    # The quote's portrait is the cover's photo: in a sequence it is not shown twice.
    quote = [replace(q, photos={}, subjects={}) for q in quote]
    ordered = [cover, *beats, *quote, *middle, *cta][:limit]
    total = len(ordered)
    credited = False
    slides = []
    for n, card in enumerate(ordered, start=1):
        values = {**card.values, "page": f"{n}/{total}", "swipe": ""}
        if n == 1 and total > 1:
            values["swipe"] = theme.string("swipe", lang)
        # The credit once: on the first slide that shows a photo.
        if card.photos and not credited:
            credited = True
        else:
            values["credits"] = ""
        slides.append(replace(card, output="slide", filename=f"slide-{n:02d}.jpg", values=values))
    return slides


def dropped_slides(loaded: LoadedStory, platform: Platform, theme: Theme) -> int:
    """How many beats and facts a carousel had to leave out to respect the slide limit
    (a fact shown on a recap slide is not left out)."""
    story = loaded.story
    slides = _plan(loaded, platform, theme)
    beats = sum(1 for b in story.beats if b.text)
    shown_beats = sum(1 for s in slides if s.layout == "beat")
    in_recap = sum(
        len(s.values.get("recap", "").split("\n")) for s in slides if s.layout == "recap"
    )
    shown_facts = max(sum(1 for s in slides if s.layout == "fact"), in_recap)
    return max(0, beats - shown_beats) + max(0, len(story.facts) - shown_facts)


# --- choosing a layout -------------------------------------------------------------------------


def _pinned(spec: CardSpec, story: Story) -> str:
    """A layout the story pins for this card: `layout:` on the fact or beat, else the
    story's `layout: {cover: ..., fact: ..., fact-02: ...}`."""
    if spec.layout == "fact" and spec.name.startswith("fact-"):
        i = int(spec.name.split("-")[1]) - 1
        if i < len(story.facts) and story.facts[i].layout:
            return str(story.facts[i].layout)
    if spec.layout == "beat" and spec.name.startswith("beat-"):
        i = int(spec.name.split("-")[1]) - 1
        if i < len(story.beats) and story.beats[i].layout:
            return str(story.beats[i].layout)
    return story.layout.get(spec.name) or story.layout.get(spec.layout, "")


def eligible(variant: dict[str, Any], spec: CardSpec) -> bool:
    """Whether a variant's `needs` and `max_chars` allow it for this card."""
    has_photo = bool(spec.photos)
    for need in variant.get("needs", []):
        ok = {
            "photo": has_photo,
            "no-photo": not has_photo,
            "person-photo": "person" in spec.photos,
            "qr": bool(spec.values.get("qr_enabled")),
            "link": bool(spec.values.get("cta_link")),
            "person": bool(spec.values.get("person_name")),
            "quote": bool(spec.values.get("quote")),
        }.get(need)
        if need == "face":
            ok = has_photo and _has_face(spec)
        elif need == "no-face":
            ok = not (has_photo and _has_face(spec))
        elif need == "pinned":
            ok = False  # only ever chosen by name (`layout:` in the story)
        if not ok:
            return False
    for name, limit in variant.get("max_chars", {}).items():
        if len(spec.values.get(name, "")) > int(limit):
            return False
    return True


def _has_face(spec: CardSpec) -> bool:
    from outreach.render.subject import find_subject

    name = "person" if "person" in spec.photos else next(iter(spec.photos))
    path, _ = spec.photos[name]
    return find_subject(path, spec.subjects.get(name)).is_face


def _salt(spec: CardSpec, story_id: str) -> int:
    text = json.dumps([story_id, spec.layout, spec.values.get("title", "")], ensure_ascii=False)
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def choose_layouts(
    specs: list[CardSpec], loaded: LoadedStory | None, platform: Platform, theme: Theme
) -> list[CardSpec]:
    """Give every spec a variant: pinned, else rotated from a content hash, skipping the
    variant the previous card of the same type used, taking the first that keeps the
    face clear and fits."""
    out: list[CardSpec] = []
    previous: dict[str, str] = {}
    count: dict[str, int] = {}
    for spec in specs:
        if spec.variant:
            out.append(spec)
            continue
        pinned = _pinned(spec, loaded.story) if loaded is not None else ""
        story_id = loaded.id if loaded is not None else ""
        n = count.get(spec.layout, 0)
        count[spec.layout] = n + 1
        name = choose_variant(spec, platform, theme, pinned, previous.get(spec.layout), story_id, n)
        previous[spec.layout] = name
        out.append(replace(spec, variant=name))
    return out


def choose_variant(
    spec: CardSpec,
    platform: Platform,
    theme: Theme,
    pinned: str = "",
    previous: str | None = None,
    story_id: str = "",
    index: int = 0,
) -> str:
    variants = theme.variants(platform.format, spec.layout)
    if pinned:
        if pinned not in variants:
            raise ThemeError(
                f"theme `{theme.name}` has no `{pinned}` layout for {spec.layout} cards",
                "use one of: " + ", ".join(variants),
            )
        return pinned
    names = [n for n, v in variants.items() if eligible(v, spec)] or [
        n for n, v in variants.items() if "pinned" not in v.get("needs", [])
    ]
    start = (_salt(spec, story_id) + index) % len(names)
    order = names[start:] + names[:start]
    if previous in order and len(order) > 1:
        order.remove(previous)
        order.append(previous)
    clear_fallback = fallback = ""
    for name in order:
        trial = replace(spec, variant=name)
        canvas = _canvas(trial, platform, theme, 0.25, dry=True)
        try:
            paint(canvas, card_layers(trial, platform, theme))
        except LayoutError:
            continue
        if canvas.errors:
            continue
        clear = _face_clear(canvas)
        if clear and canvas.subject_fits:
            return name
        # Next best: the face clear of everything, if not exactly where the layout wants it.
        if clear:
            clear_fallback = clear_fallback or name
        fallback = fallback or name
    return clear_fallback or fallback or order[0]


def _face_clear(c: CardCanvas) -> bool:
    return not any(c.covers_subject(box) for _, box in c.occupied)


#: Variants already chosen in this process, by everything the choice depends on (the
#: card's content digest: values, photos by content, layers, preset, theme, renderer):
#: validation, the render, the video and every preview refresh plan the same cards, and
#: each choice costs a dry run of every candidate layout.
_CHOSEN: dict[tuple[Any, ...], str] = {}
_CHOSEN_MAX = 4096


def _remember_choice(choose: Any) -> Any:
    import functools

    @functools.wraps(choose)
    def chosen(
        spec: CardSpec,
        platform: Platform,
        theme: Theme,
        pinned: str = "",
        previous: str | None = None,
        story_id: str = "",
        index: int = 0,
    ) -> str:
        if pinned:
            return str(choose(spec, platform, theme, pinned, previous, story_id, index))
        try:
            key = (_choice_digest(spec, platform, theme), previous, story_id, index)
        except (OSError, ThemeError):  # a photo vanished, a bad theme: let the choice say
            return str(choose(spec, platform, theme, pinned, previous, story_id, index))
        found = _CHOSEN.get(key)
        if found is None:
            found = str(choose(spec, platform, theme, pinned, previous, story_id, index))
            if len(_CHOSEN) >= _CHOSEN_MAX:
                _CHOSEN.clear()
            _CHOSEN[key] = found
        return found

    return chosen


def _choice_digest(spec: CardSpec, platform: Platform, theme: Theme) -> str:
    """The card's digest cut down to the values a choice of its variant can read: those
    any candidate layout reads or names, plus the title (the rotation's salt) and what
    `eligible` checks. A spec carries every text of the story; an edit to the CTA must
    not make every other card choose again."""
    from outreach.render.layers import fields_read

    variants = theme.variants(platform.format, spec.layout)
    named: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, str):
            named.add(x.lstrip("!"))
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(k)
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)

    walk(variants)
    for name in variants:
        named |= fields_read(card_layers(replace(spec, variant=name), platform, theme))
    named |= {"title", "qr_enabled", "cta_link", "person_name", "quote"}
    values = {k: v for k, v in spec.values.items() if k in named}
    return replace(spec, values=values).digest(platform, theme)


choose_variant = _remember_choice(choose_variant)


# --- composing -----------------------------------------------------------------------------


def card_layers(spec: CardSpec, platform: Platform, theme: Theme) -> list[dict[str, Any]]:
    """The layers a card paints: its variant's; on carousel slides the theme's `chrome`
    (one header and footer system: the logo and the swipe cue) instead of its logo; and
    on any card with a page number the theme's one `counter` (always in the same place,
    in the same style) instead of whatever page layer a layout has of its own."""
    layers = theme.layers(platform.format, spec.layout, spec.variant)
    if spec.output == "slide":
        chrome = _optional_layers(theme, platform.format, "chrome")
        if chrome:
            layers = [ly for ly in layers if ly.get("type") != "logo"] + chrome
    counter = _optional_layers(theme, platform.format, "counter")
    if counter:
        layers = [ly for ly in layers if ly.get("field") != "page"]
        if spec.values.get("page"):
            layers = layers + counter
    return layers


def _optional_layers(theme: Theme, fmt: str, name: str) -> list[dict[str, Any]]:
    try:
        return theme.layers(fmt, name)
    except ThemeError:
        return []


def _canvas(
    spec: CardSpec,
    platform: Platform,
    theme: Theme,
    scale: float,
    dry: bool = False,
    draw_text: bool = True,
) -> CardCanvas:
    size = (max(1, round(platform.width * scale)), max(1, round(platform.height * scale)))
    return CardCanvas(
        image=Image.new("RGBA", (1, 1) if dry else size, (0, 0, 0, 255)),
        full_size=platform.canvas,
        safe=Box.from_rect(platform.safe_rect),
        scale=scale,
        theme=theme,
        values=spec.values,
        photos=spec.photos,
        draw_text=draw_text,
        subjects=spec.subjects,
        lang=spec.lang,
        names=spec.names,
        dry=dry,
    )


def compose(
    spec: CardSpec, platform: Platform, theme: Theme, scale: float = 1.0, draw_text: bool = True
) -> CardResult:
    """Paint one card. Layout errors are collected, not raised, so all are reported.

    With `draw_text=False` text is laid out and measured but not painted: what `check` needs.
    """
    if not spec.variant:
        spec = replace(spec, variant=choose_variant(spec, platform, theme))
    canvas = _canvas(spec, platform, theme, scale, draw_text=draw_text)
    paint(canvas, card_layers(spec, platform, theme))
    safe = Box.from_rect(platform.safe_rect)
    outside = [r for r in canvas.records if not text_allowed(r.box, safe, platform.keep_clear)]
    subject = None
    if canvas.subject is not None and canvas.subject_box is not None:
        subject = {**canvas.subject_box.as_dict(), "kind": canvas.subject.kind}
    return CardResult(
        spec,
        canvas.image.convert("RGB"),
        canvas.records,
        canvas.errors,
        outside,
        variant=spec.variant,
        subject=subject,
        face_clear=_face_clear(canvas),
        face_brightness=face_brightness(canvas),
        logo=canvas.logo,
    )


def encode_jpeg(image: Image.Image, max_bytes: int | None = None) -> bytes:
    """JPEG at quality 90 with full-resolution chroma (crisp coloured text), smaller if needed."""
    for quality in (90, 85, 80, 72, 65):
        buf = io.BytesIO()
        image.save(
            buf,
            "JPEG",
            quality=quality,
            subsampling=0 if quality >= 85 else 2,
            optimize=True,
            progressive=False,
        )
        data = buf.getvalue()
        if max_bytes is None or len(data) <= max_bytes:
            return data
    return data
