"""Cards: which cards a platform gets for a story, and how one card is composed.

`plan_cards` turns a story into `CardSpec`s (values + photos per card); `compose` paints
one spec with the theme's layers. The same code path serves final renders (scale 1),
previews (scale 0.5) and `check` (a quick low-scale pass for contrast).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from outreach.layout.geometry import Box, text_allowed
from outreach.layout.text import LayoutError
from outreach.model.loader import FieldPath, LoadedStory
from outreach.model.story import Story
from outreach.platforms import Platform
from outreach.render.layers import CardCanvas, TextRecord, paint
from outreach.themes import Theme

QUOTE_MARK = "“"


@dataclass(frozen=True)
class CardSpec:
    """One card to draw: its name, layout, text values, photos and where each came from."""

    name: str
    layout: str
    output: str  # card | slide | thumbnail
    filename: str
    values: dict[str, str]
    photos: dict[str, tuple[Path, tuple[float, float] | None]]
    sources: dict[str, FieldPath]
    alt: str = ""
    names: tuple[str, ...] = ()  # the story's names: never split across lines
    lang: str = ""

    def digest(self, platform: Platform, theme: Theme) -> str:
        """Content hash of everything that decides this card's pixels."""
        from outreach import RENDERER_VERSION

        photos = {k: [str(p), f, _file_digest(p)] for k, (p, f) in sorted(self.photos.items())}
        payload = json.dumps(
            [
                RENDERER_VERSION,
                self.layout,
                self.values,
                photos,
                platform.format,  # not the name: Reels, Story and FB Reels share pixels
                platform.keep_clear,
                platform.canvas,
                platform.safe_rect,
                theme.digest,
                theme.layers(platform.format, self.layout),
                self.names,
                self.lang,
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


# --- values --------------------------------------------------------------------------------


def story_values(story: Story, theme: Theme) -> tuple[dict[str, str], dict[str, FieldPath]]:
    """Text values every card of a story can use, and the story field each came from."""
    lang = story.lang
    person = story.person
    role = ", ".join(x for x in (person.role, person.org) if x) if person else ""
    values = {
        "title": story.title,
        "hook": story.hook,
        "kicker": theme.string(f"kicker_{story.kind}", lang),
        "person_name": person.name if person else "",
        "person_role": role,
        "person_line": " · ".join(
            x for x in (person.name if person else "", role, person.place if person else "") if x
        ),
        "quote": story.quote,
        "quote_mark": QUOTE_MARK if story.quote else "",
        "quote_by": story.speaker,
        "cta": story.cta,
        "cta_kicker": theme.string("cta_kicker", lang),
        "link": story.link,
        "credits": story.credits,
        "brand": theme.string("brand", lang),
        "hashtags_line": " ".join(f"#{t}" for t in story.hashtags),
        "fact_kicker": theme.string("fact_kicker", lang),
    }
    sources: dict[str, FieldPath] = {
        "title": ("title",),
        "hook": ("hook",),
        "person_name": ("person", "name"),
        "person_role": ("person", "role"),
        "person_line": ("person",),
        "quote": ("quote",),
        "quote_by": ("quote_by",) if story.quote_by else ("person", "name"),
        "cta": ("cta",),
        "link": ("link",),
        "credits": ("credits",),
        "hashtags_line": ("hashtags",),
        "kicker": ("kind",),
    }
    return values, sources


def _cover_photo(loaded: LoadedStory) -> tuple[Path, tuple[float, float] | None] | None:
    story = loaded.story
    if story.person and story.person.photo:
        return loaded.media_path(story.person.photo), story.person.focus
    for beat in story.beats:
        if beat.media and _is_image(beat.media):
            return loaded.media_path(beat.media), beat.focus
    return None


def _is_image(path: str) -> bool:
    return Path(path).suffix.lower() in {
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".tif",
        ".tiff",
        ".bmp",
        ".gif",
    }


def _alt(theme: Theme, lang: str, key: str, *parts: str) -> str:
    label = theme.string(key, lang)
    body = ". ".join(p.rstrip(". ") for p in parts if p)
    return f"{label}: {body}." if body else label


def plan_cards(loaded: LoadedStory, platform: Platform, theme: Theme) -> list[CardSpec]:
    """The cards `platform` gets for this story, in posting order."""
    story = loaded.story
    lang = story.lang
    base, base_sources = story_values(story, theme)
    cover = _cover_photo(loaded)
    photos_cover = {"cover": cover} if cover else {}
    person_photo = (
        {"person": (loaded.media_path(story.person.photo), story.person.focus)}
        if story.person and story.person.photo
        else {}
    )
    photo_alt = theme.string("alt_photo", lang) if cover else ""

    def spec(
        name: str,
        layout: str,
        output: str,
        filename: str,
        values: dict[str, str],
        photos: dict,
        sources: dict,
        alt: str,
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
        )
    ]
    beats: list[CardSpec] = []
    if platform.outputs == "carousel":
        for i, beat in enumerate(story.beats):
            if not beat.text:
                continue
            photos = {}
            if beat.media and _is_image(beat.media):
                photos["beat"] = (loaded.media_path(beat.media), beat.focus)
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
                {},
                {},
                _alt(theme, lang, "alt_quote", f"“{story.quote}”", story.speaker),
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
                _alt(theme, lang, "alt_cta", story.cta, story.link, base["hashtags_line"]),
            )
        )

    if platform.outputs == "carousel":
        # Cover, the beats, quote, facts, CTA — cut to the platform's slide limit,
        # dropping later beats first and then later facts, never the cover or the CTA.
        limit = platform.max_slides
        while 1 + len(beats) + len(quote) + len(facts) + len(cta) > limit and (beats or facts):
            if len(beats) > len(facts) or not facts:
                beats.pop()
            else:
                facts.pop()
        ordered = [cards[0], *beats, *quote, *facts, *cta][:limit]
        total = len(ordered)
        slides = []
        for n, card in enumerate(ordered, start=1):
            values = {**card.values, "page": f"{n}/{total}"}
            slides.append(
                CardSpec(
                    card.name,
                    card.layout,
                    "slide",
                    f"slide-{n:02d}.jpg",
                    values,
                    card.photos,
                    card.sources,
                    card.alt,
                    card.names,
                    card.lang,
                )
            )
        return slides

    fact_total = len(facts)
    numbered = [
        CardSpec(
            f.name,
            f.layout,
            f.output,
            f.filename,
            {**f.values, "page": f"{i}/{fact_total}" if fact_total > 1 else ""},
            f.photos,
            f.sources,
            f.alt,
            f.names,
            f.lang,
        )
        for i, f in enumerate(facts, start=1)
    ]
    return [*cards, *quote, *numbered, *cta]


def dropped_slides(loaded: LoadedStory, platform: Platform, theme: Theme) -> int:
    """How many beats and facts a carousel had to leave out to respect the slide limit."""
    story = loaded.story
    wanted = (
        1
        + sum(1 for b in story.beats if b.text)
        + bool(story.quote)
        + len(story.facts)
        + bool(story.cta)
    )
    return max(0, wanted - len(plan_cards(loaded, platform, theme)))


# --- composing -----------------------------------------------------------------------------


def compose(
    spec: CardSpec, platform: Platform, theme: Theme, scale: float = 1.0, draw_text: bool = True
) -> CardResult:
    """Paint one card. Layout errors are collected, not raised, so all are reported.

    With `draw_text=False` text is laid out and measured but not painted: what `check` needs.
    """
    size = (max(1, round(platform.width * scale)), max(1, round(platform.height * scale)))
    canvas = CardCanvas(
        image=Image.new("RGBA", size, (0, 0, 0, 255)),
        full_size=platform.canvas,
        safe=Box.from_rect(platform.safe_rect),
        scale=scale,
        theme=theme,
        values=spec.values,
        photos=spec.photos,
        draw_text=draw_text,
        names=spec.names,
        lang=spec.lang,
    )
    paint(canvas, theme.layers(platform.format, spec.layout))
    safe = Box.from_rect(platform.safe_rect)
    outside = [r for r in canvas.records if not text_allowed(r.box, safe, platform.keep_clear)]
    return CardResult(spec, canvas.image.convert("RGB"), canvas.records, canvas.errors, outside)


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
