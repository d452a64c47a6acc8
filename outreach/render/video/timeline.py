"""The video timeline: which scenes, in which order, for how long.

Pure data and arithmetic (no pixels): scene lengths come from reading speed, bounded by a
floor and a ceiling; explicit `duration:` and narration files override it. When the whole
video runs past its target, the reading speed is raised step by step up to the fastest
allowed; if it still does not fit, `TimelineTooLong` names the beats to cut.

All boundaries are whole frames, so frames, captions and sidecars agree exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from outreach.model.loader import FieldPath

Photo = tuple[Path, tuple[float, float] | None]

#: Default Ken Burns motions, cycled over beats that do not choose one.
DEFAULT_MOTIONS = ("zoom-in", "pan-left", "zoom-out", "pan-right")


@dataclass(frozen=True)
class VideoSettings:
    """Pacing and look of a video; a theme overrides any of these under `video:`."""

    fps: int = 30
    words_per_second: float = 2.6  # per language: see PACE
    fastest_words_per_second: float = 3.4
    lead_seconds: float = 0.6  # time to find the text before reading starts
    min_scene: float = 2.2
    max_scene: float = 9.0
    target_min: float = 15.0
    target_max: float = 60.0
    crossfade: float = 0.4
    cover_seconds: float = 2.0
    fact_seconds: float = 3.0
    cta_seconds: float = 3.5
    # When a story is long, the cover, facts and CTA shrink towards these first-glance times.
    cover_least: float = 1.5
    fact_least: float = 2.2
    cta_least: float = 2.5
    highlight: bool = True
    motions: tuple[str, ...] = DEFAULT_MOTIONS
    zoom: float = 0.12  # how much larger the photo grows (or pans) over a scene
    caption_size: tuple[int, int] = (64, 44)
    caption_color: str = "text"
    highlight_color: str = "accent"
    scrim_color: str = "deep"
    music_volume: float = 0.45
    music_fade: float = 1.5
    narration_pad: float = 0.4

    @classmethod
    def from_theme(cls, video: dict[str, Any], lang: str = "vi") -> VideoSettings:
        """Settings for a story in `lang`; reading speeds may be a number or {lang: number}."""
        known = {f for f in cls.__dataclass_fields__}
        default, fastest = PACE.get(lang, PACE["en"])
        values: dict[str, Any] = {"words_per_second": default, "fastest_words_per_second": fastest}
        for key, value in (video or {}).items():
            key = key.replace("-", "_")
            if key not in known:
                continue
            if key in ("motions", "caption_size"):
                value = tuple(value)
            if isinstance(value, dict):
                value = value.get(lang, value.get("en", values.get(key)))
            values[key] = value
        if values["fastest_words_per_second"] < values["words_per_second"]:
            values["fastest_words_per_second"] = values["words_per_second"]
        return replace(cls(), **values)


#: Comfortable and fastest reading speeds, in space-separated words per second. A
#: Vietnamese "word" is one syllable (about 3.5 letters), so it reads faster than English.
PACE: dict[str, tuple[float, float]] = {"vi": (3.2, 4.5), "en": (2.6, 3.4)}


@dataclass
class Scene:
    """One scene: what it shows and when. Frame numbers are global to the video."""

    kind: str  # cover | beat | quote | fact | cta
    index: int  # beat or fact number (0-based), -1 for the others
    field: FieldPath
    own: float  # seconds the scene is on screen alone (its reading time)
    fixed: bool = False  # explicit duration or narration: pacing never changes it
    base: float = 0.0  # cover, facts, CTA: normal length...
    least: float = 0.0  # ...and the shortest it may become when the story is long
    words: int = 0
    text: str = ""  # caption text (beats only)
    photo: Photo | None = None
    motion: str = "none"
    narration: Path | None = None
    start: int = 0  # first frame (the crossfade in starts here)
    end: int = 0  # one past the last frame
    own_start: int = 0  # first frame after the crossfade in: captions and narration start
    own_end: int = 0

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass
class Timeline:
    scenes: list[Scene]
    fps: int
    total_frames: int
    crossfade_frames: int
    words_per_second: float
    notes: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return self.total_frames / self.fps


class TimelineError(ValueError):
    def __init__(self, message: str, hint: str, field: FieldPath = ("beats",)):
        self.message = message
        self.hint = hint
        self.field = field
        super().__init__(f"{message} — {hint}")


class TimelineTooLong(TimelineError):
    """The video cannot fit its limit: says by how much and which beats to cut."""


def count_words(text: str) -> int:
    return len(text.split())


def reading_seconds(words: int, wps: float, s: VideoSettings) -> float:
    return min(s.max_scene, max(s.min_scene, s.lead_seconds + words / wps))


def _length(scenes: list[Scene], s: VideoSettings) -> float:
    return sum(sc.own for sc in scenes) + max(0, len(scenes) - 1) * s.crossfade


def _pace(scenes: list[Scene], tight: float, s: VideoSettings) -> float:
    """Pace every flexible scene at tightness 0 (comfortable) to 1 (fastest allowed)."""
    wps = s.words_per_second + (s.fastest_words_per_second - s.words_per_second) * tight
    for sc in scenes:
        if sc.fixed:
            continue
        if sc.kind in ("beat", "quote"):
            sc.own = reading_seconds(sc.words, wps, s)
        elif sc.base:
            sc.own = sc.base - (sc.base - min(sc.base, sc.least)) * tight
    return wps


STEPS = 24


def fit(scenes: list[Scene], s: VideoSettings, limit: float, limit_name: str) -> float:
    """Pace the scenes to fit `limit` seconds; return the reading speed used."""
    for i in range(STEPS + 1):
        wps = _pace(scenes, i / STEPS, s)
        if _length(scenes, s) <= limit + 1e-6:
            return wps
    total = _length(scenes, s)
    excess = total - limit
    beats = sorted((sc for sc in scenes if sc.kind == "beat"), key=lambda sc: -sc.own)
    cut: list[Scene] = []
    saved = 0.0
    for sc in beats:
        if saved >= excess:
            break
        cut.append(sc)
        saved += sc.own + s.crossfade
    names = ", ".join(f"beat {sc.index + 1}" for sc in sorted(cut, key=lambda sc: sc.index))
    raise TimelineTooLong(
        f"the video would run {total:.1f} s even at the fastest reading speed "
        f"({s.fastest_words_per_second:g} words/s), over {limit_name} of {limit:g} s",
        f"cut {names} (about {excess:.1f} s) or shorten their text"
        if cut
        else f"shorten the story by about {excess:.1f} s",
        ("beats",),
    )


def _stretch(scenes: list[Scene], s: VideoSettings) -> None:
    """A short story still makes a video of the minimum length: beats linger, then the CTA."""
    deficit = s.target_min - _length(scenes, s)
    if deficit <= 0 or not scenes:
        return
    flexible = [sc for sc in scenes if sc.kind in ("beat", "quote") and not sc.fixed]
    for sc in flexible:
        give = min(deficit / max(1, len(flexible)), s.max_scene - sc.own)
        if give > 0:
            sc.own += give
    deficit = s.target_min - _length(scenes, s)
    if deficit > 0:
        scenes[-1].own += deficit


def place(scenes: list[Scene], s: VideoSettings) -> tuple[int, int]:
    """Turn seconds into frame numbers; return (total frames, crossfade frames)."""
    xf = max(1, round(s.crossfade * s.fps)) if len(scenes) > 1 else 0
    cursor = 0
    for i, sc in enumerate(scenes):
        xin = xf if i > 0 else 0
        xout = xf if i < len(scenes) - 1 else 0
        own = max(1, round(sc.own * s.fps))
        sc.start = cursor
        sc.own_start = cursor + xin
        sc.own_end = sc.own_start + own
        sc.end = sc.own_end + xout
        cursor = sc.end - xout  # the next scene fades in over our last xf frames
    total = scenes[-1].end if scenes else 0
    return total, xf


def build(
    plan: list[Scene], s: VideoSettings, max_seconds: float | None = None, max_name: str = ""
) -> Timeline:
    """Pace and place the planned scenes; raise TimelineTooLong when they cannot fit."""
    scenes = [replace(sc) for sc in plan]
    limit, name = s.target_max, "the target length"
    if max_seconds is not None and max_seconds < limit:
        limit, name = max_seconds, max_name
    wps = fit(scenes, s, limit, name)
    _stretch(scenes, s)
    total, xf = place(scenes, s)
    return Timeline(scenes, s.fps, total, xf, wps)


def _is_image(rel: str) -> bool:
    from outreach.model.media import is_image

    return is_image(rel)


class EmptyBeat(TimelineError):
    pass


def plan(loaded: Any, s: VideoSettings, narration_seconds: dict[int, float]) -> list[Scene]:
    """The scenes of a story, in order, with their natural (unpaced) lengths.

    `narration_seconds` maps a beat index to the length of its narration file.
    Raises EmptyBeat for a beat with no text and no media: it would be a blank scene.
    """
    story = loaded.story
    person_photo: Photo | None = None
    if story.person and story.person.photo:
        person_photo = (loaded.media_path(story.person.photo), story.person.focus)
    scenes = [
        Scene("cover", -1, ("title",), s.cover_seconds, base=s.cover_seconds, least=s.cover_least)
    ]
    motions = s.motions or DEFAULT_MOTIONS
    for i, beat in enumerate(story.beats):
        media_is_image = bool(beat.media and _is_image(beat.media))
        if not beat.text and not beat.media:
            raise EmptyBeat(
                f"beat {i + 1} has no text and no media",
                "add `text:` or `media:` to it, or remove the beat",
                ("beats", i),
            )
        photo = (loaded.media_path(beat.media), beat.focus) if media_is_image else person_photo
        words = count_words(beat.text)
        sc = Scene(
            "beat",
            i,
            ("beats", i),
            0.0,
            words=words,
            text=beat.text,
            photo=photo,
            motion=beat.motion or motions[i % len(motions)],
        )
        if i in narration_seconds:
            sc.own, sc.fixed = narration_seconds[i] + s.narration_pad, True
            sc.narration = loaded.media_path(beat.narration)
        elif beat.duration:
            sc.own, sc.fixed = float(beat.duration), True
        else:
            sc.own = reading_seconds(words, s.words_per_second, s)
        if not photo:
            sc.motion = "none"
        scenes.append(sc)
    if story.quote:
        words = count_words(story.quote) + count_words(story.speaker)
        scenes.append(
            Scene(
                "quote", -1, ("quote",), reading_seconds(words, s.words_per_second, s), words=words
            )
        )
    for i, _fact in enumerate(story.facts):
        scenes.append(
            Scene("fact", i, ("facts", i), s.fact_seconds, base=s.fact_seconds, least=s.fact_least)
        )
    if story.cta:
        scenes.append(
            Scene("cta", -1, ("cta",), s.cta_seconds, base=s.cta_seconds, least=s.cta_least)
        )
    return scenes
