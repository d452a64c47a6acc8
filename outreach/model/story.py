"""The story schema: one YAML file is one story.

Only `kind`, `lang` and `title` are required; everything else has a sensible default.
All text is normalised to NFC on the way in, so an NFD file renders exactly like its twin.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from outreach.i18n import _
from outreach.model.publish import Publish, canonical_publish, parse_publish
from outreach.model.text import clean_text, normalize_hashtag

Kind = Literal["startup", "engineer", "student", "explainer"]
Lang = Literal["vi", "en"]
Status = Literal["draft", "approved"]
Motion = Literal["zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "none"]
VoiceMode = Literal["draft"]


class ControlCharacter(ValueError):
    """A text holds a control character (the loader's hint: delete it)."""


class EmptyText(ValueError):
    """A required text is empty (the loader's hint: write some text)."""


def _clean_text(value: str) -> str:
    """NFC, invisible characters removed, separators as newlines, marks in order."""
    cleaned = clean_text(value).strip()
    for ch in cleaned:
        if unicodedata.category(ch) == "Cc" and ch not in "\n\t":
            raise ControlCharacter(
                _(
                    "contains U+{code}, a control character that draws nothing",
                    code=format(ord(ch), "04X"),
                )
            )
    return cleaned


def _non_empty(value: str) -> str:
    if not value.strip():
        raise EmptyText(_("must not be empty"))
    return value


#: Longest text a field accepts. Checked before any layout runs: a 1 MB title would
#: otherwise keep the text engine busy for minutes. Generous: cards hold far less.
SHORT_CHARS = 600  # names, roles, labels, titles, credits
LONG_CHARS = 3000  # hook, quote, beat text, CTA, links

Text = Annotated[str, StringConstraints(max_length=LONG_CHARS), AfterValidator(_clean_text)]
ShortText = Annotated[str, StringConstraints(max_length=SHORT_CHARS), AfterValidator(_clean_text)]
RequiredText = Annotated[
    str,
    StringConstraints(max_length=SHORT_CHARS),
    AfterValidator(_clean_text),
    AfterValidator(_non_empty),
]
LongRequiredText = Annotated[
    str,
    StringConstraints(max_length=LONG_CHARS),
    AfterValidator(_clean_text),
    AfterValidator(_non_empty),
]
MediaPath = Annotated[
    str,
    StringConstraints(max_length=SHORT_CHARS),
    AfterValidator(_clean_text),
    AfterValidator(_non_empty),
]

#: Names Windows refuses for a file or folder, whatever the extension.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
#: Longest story id: it becomes a folder name inside zips that must open everywhere.
MAX_ID_CHARS = 64
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
#: A theme is named, never addressed by path: `../x` or `/abs` would load files from
#: anywhere on the machine.
THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_LINK = re.compile(
    r"(?:https?://)?"  # http(s) or a bare domain; nothing else (javascript:, data:, file:)
    r"(?:[A-Za-z0-9\u00C0-\uFFFF](?:[A-Za-z0-9\u00C0-\uFFFF-]*[A-Za-z0-9\u00C0-\uFFFF])?\.)+"
    r"[A-Za-z\u00C0-\uFFFF]{2,}"
    r"(?::\d{1,5})?"
    r"(?:[/?#][^\s<>\"]*)?",
    re.IGNORECASE,
)


def safe_id(text: str) -> str:
    """A story id every file system and zip tool accepts (derived from a file name)."""
    from outreach.model.text import slugify

    slug = slugify(text)
    if len(slug) > MAX_ID_CHARS:
        cut = slug[:MAX_ID_CHARS]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[MAX_ID_CHARS // 2 :] else cut
        slug = slug.strip("-") or "story"
    if slug in WINDOWS_RESERVED:
        slug = f"{slug}-story"
    return slug


def id_problem(value: str) -> str | None:
    """Why `value` cannot be a story id, or None."""
    if not ID_PATTERN.fullmatch(value):
        return _("must be lower-case ASCII letters, digits and dashes")
    if len(value) > MAX_ID_CHARS:
        return _(
            "is {length} characters long; at most {limit} make a folder name every system accepts",
            length=len(value),
            limit=MAX_ID_CHARS,
        )
    if value in WINDOWS_RESERVED:
        return _(
            "`{value}` is a reserved name on Windows; a folder of that name cannot be unzipped there",
            value=value,
        )
    return None


def link_ok(value: str) -> bool:
    """An http(s) address or a bare domain such as `hoinhap.vn/agrilink`."""
    return bool(_LINK.fullmatch(value))


Focus = tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]]
_Unit = Annotated[float, Field(ge=0, le=1)]


def _inside_photo(v: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x, y, w, h = v
    if w <= 0 or h <= 0:
        raise ValueError(_("width and height must be more than 0"))
    if x + w > 1.0001 or y + h > 1.0001:
        raise ValueError(_("the box must stay inside the photo (x + w and y + h at most 1)"))
    return v


#: [x, y, w, h] of the photo's subject (a face), as fractions of the photo.
SubjectBox = Annotated[tuple[_Unit, _Unit, _Unit, _Unit], AfterValidator(_inside_photo)]
LayoutName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Strict):
    """The real person at the centre of the story."""

    name: RequiredText
    role: ShortText = ""
    org: ShortText = ""
    place: ShortText = ""
    photo: MediaPath | None = None
    focus: Focus | None = Field(
        default=None, description="Point to keep in frame when cropping, as [x, y] from 0 to 1."
    )
    subject: SubjectBox | None = Field(
        default=None,
        description="The face in the photo as [x, y, w, h] from 0 to 1; overrides detection.",
    )


class Beat(_Strict):
    """One short step of the story: a carousel slide and a video scene."""

    text: Text = ""
    media: MediaPath | None = None
    focus: Focus | None = None
    subject: SubjectBox | None = Field(
        default=None, description="The subject of the photo as [x, y, w, h]; overrides detection."
    )
    layout: LayoutName | None = Field(default=None, description="Pin this slide's layout.")
    motion: Motion | None = Field(default=None, description="Ken Burns motion in the video.")
    duration: Annotated[float, Field(gt=0, le=60)] | None = Field(
        default=None, description="Seconds on screen; overrides the reading-speed timing."
    )
    narration: MediaPath | None = Field(
        default=None, description="Voice-over audio for this beat; sets its duration."
    )
    voice: VoiceMode | None = Field(
        default=None,
        description="`draft`: espeak-ng speaks this beat's text when it has no narration.",
    )


class Fact(_Strict):
    """A big-number card. The source is printed on the card."""

    value: RequiredText
    label: RequiredText
    source: ShortText = ""
    layout: LayoutName | None = Field(default=None, description="Pin this fact card's layout.")

    @field_validator("value", mode="before")
    @classmethod
    def _numbers_as_text(cls, v: object) -> object:
        # `value: 194` in YAML is an int; a fact value is always shown as text.
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


class Story(_Strict):
    """One story file, validated."""

    id: str | None = Field(default=None, description="Defaults to the file name, slugged to ASCII.")
    kind: Kind
    lang: Lang
    status: Status = "draft"
    title: RequiredText
    hook: Text = ""
    person: Person | None = None
    quote: Text = ""
    quote_by: ShortText = Field(default="", description="Defaults to the person's name.")
    beats: list[Beat] = Field(default_factory=list, max_length=60)
    facts: list[Fact] = Field(default_factory=list, max_length=30)
    cta: Text = ""
    link: Text = Field(default="", description="An http(s) address or a bare domain.")
    handle: ShortText = Field(
        default="", description="@handle shown on the CTA card (else the theme's)."
    )
    qr: bool = Field(default=False, description="Draw a QR code of `link` on the CTA card.")
    thumbnail_text: ShortText = Field(
        default="", description="Short text for the YouTube thumbnail (two lines at most)."
    )
    layout: dict[str, LayoutName] = Field(
        default_factory=dict,
        description="Pin layouts by card: {cover: photo-top, quote: portrait, fact: band, ...}.",
    )
    hashtags: list[
        Annotated[str, StringConstraints(max_length=SHORT_CHARS), AfterValidator(normalize_hashtag)]
    ] = Field(
        default_factory=list,
        max_length=100,
        description="Written without '#' and without diacritics.",
    )
    credits: ShortText = ""
    theme: str = "default"
    platforms: list[str] | None = Field(
        default=None, description="Platform presets to render; missing means every preset."
    )
    youtube_title: ShortText = Field(default="", description="Overrides the title on YouTube.")
    music: MediaPath | None = Field(default=None, description="Music bed for the video.")
    music_mood: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9-]*$",
        description="Mood of the bundled music bed when `music:` is not given: calm, warm, "
        "drive or bright (assets/music/beds.yaml).",
    )
    voice: VoiceMode | None = Field(
        default=None,
        description="`draft`: espeak-ng speaks every beat without narration, in the story's "
        "language, so the video can be timed before the real voice is recorded.",
    )
    week: str | None = Field(
        default=None, description="ISO week this story belongs to, e.g. 2026-W48."
    )
    publish: Annotated[str, BeforeValidator(canonical_publish)] | None = Field(
        default=None,
        description="When it goes out: `2026-11-27` or `2026-11-27 19:30` (Vietnam time "
        "unless a zone is given: `+07:00` or an IANA name such as `Europe/Paris`); puts "
        "the story in that date's ISO week. A date alone gets each platform's default "
        "posting time.",
        json_schema_extra={"examples": ["2026-11-27 19:30", "2026-11-27"]},
    )
    sample: bool = Field(
        default=False,
        description="A bundled example: it joins a pack only when the stories folder holds "
        "nothing but samples (or with `outreach pack --samples`).",
    )

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, v: str | None) -> str | None:
        problem = id_problem(v) if v is not None else None
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("week")
    @classmethod
    def _week_format(cls, v: str | None) -> str | None:
        if v is not None:
            m = re.fullmatch(r"(\d{4})-W(\d{2})", v)
            if not m:
                raise ValueError(_("must be an ISO week like 2026-W48"))
            year, week = int(m.group(1)), int(m.group(2))
            try:
                dt.date.fromisocalendar(year, week, 1)
            except ValueError:
                last = dt.date(year, 12, 28).isocalendar()[1]
                raise ValueError(
                    _(
                        "{year} has no ISO week {week} (its weeks run from W01 to W{last})",
                        year=year,
                        week=week,
                        last=last,
                    )
                ) from None
        return v

    @field_validator("publish")
    @classmethod
    def _publish_in_week(cls, v: str | None, info: ValidationInfo) -> str | None:
        week = info.data.get("week")
        if v is not None and week:
            year, number, _day = parse_publish(v).date.isocalendar()
            publish_week = f"{year}-W{number:02d}"
            if publish_week != week:
                raise ValueError(
                    _(
                        "{date} falls in {publish_week}, but `week:` says {week}; "
                        "remove one of them or make them agree",
                        date=v.split()[0],
                        publish_week=publish_week,
                        week=week,
                    )
                )
        return v

    @field_validator("link")
    @classmethod
    def _link_is_web(cls, v: str) -> str:
        if v and not link_ok(v):
            raise ValueError(
                _(
                    "`{value}` is not a web address; only http(s) links or a bare domain are printed",
                    value=v[:80],
                )
            )
        return v

    @field_validator("theme")
    @classmethod
    def _theme_is_a_name(cls, v: str) -> str:
        if not THEME_NAME.fullmatch(v):
            raise ValueError(
                _("`{value}` is not a theme name (a path cannot be a theme)", value=v[:80])
            )
        return v

    @field_validator("hashtags")
    @classmethod
    def _drop_empty_hashtags(cls, v: list[str]) -> list[str]:
        # `!!!` or a flag emoji normalise to nothing; the loader warns about each one.
        return [t for t in v if t]

    @property
    def names(self) -> tuple[str, ...]:
        """The story's own names (person, organisation, place, quote author): one unit each.

        A list such as `Cao Lãnh, Đồng Tháp` gives each of its parts."""
        raw = [self.quote_by]
        if self.person:
            raw += [self.person.name, self.person.org, self.person.place]
        parts = (p.strip() for r in raw for p in re.split(r"[,;·/|()]", r))
        return tuple(dict.fromkeys(p for p in parts if len(p.split()) > 1))

    @property
    def speaker(self) -> str:
        return self.quote_by or (self.person.name if self.person else "")

    def iso_week(self) -> str | None:
        """The ISO week the story opts into, from `week:` or `publish:`; None means every pack."""
        if self.week:
            return self.week
        when = self.when()
        if when:
            year, week, _day = when.date.isocalendar()
            return f"{year}-W{week:02d}"
        return None

    def when(self) -> Publish | None:
        """`publish:` as date, time (None when only a date was given) and zone."""
        return parse_publish(self.publish) if self.publish else None

    def draft_beats(self) -> list[int]:
        """Beats the draft voice speaks: `voice: draft` on the story or the beat, text, and
        no narration of their own."""
        return [
            i
            for i, beat in enumerate(self.beats)
            if "draft" in (self.voice, beat.voice) and beat.text and not beat.narration
        ]

    def media_fields(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every media path in the story, with the field path it came from."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        if self.person and self.person.photo:
            found.append((("person", "photo"), self.person.photo))
        for i, beat in enumerate(self.beats):
            if beat.media:
                found.append((("beats", i, "media"), beat.media))
            if beat.narration:
                found.append((("beats", i, "narration"), beat.narration))
        if self.music:
            found.append((("music",), self.music))
        return found
