"""The video timeline: which scenes, in which order, for how long, and how they meet.

Pure data and arithmetic (no pixels), so `check` and the pack's validation can plan a
video without rendering it. Scene lengths come from reading speed (words per second and
caption characters per second, whichever is slower), bounded by a floor and a ceiling;
explicit `duration:` and narration files override it. The video aims at `target_min` to
`target_max` seconds (25-40 s by default, adjustable per theme under `video:`): when it
runs long, the reading speed is raised step by step up to the fastest allowed; when even
that is over the target, the video keeps the readable pace and a note says which beats to
cut, up to the strictest platform maximum, past which `TimelineTooLong` names them.

Scenes meet with a hard cut or a push (both scenes slide, never a cross-dissolve of two
texts), and every cut is moved onto the music's beat grid when there is one. Long photo
shots are split by punch-ins (a cut to a closer framing, on a beat), so no shot runs much
past `shot_max`. Every scene is an independent unit: it owns its frames, its motion path
and its captions; a push's frames belong to the scene coming in.

All boundaries are whole frames, so frames, captions and sidecars agree exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from outreach.model.loader import FieldPath
from outreach.render.video.beats import BeatGrid

Photo = tuple[Path, tuple[float, float] | None]

#: Default Ken Burns motions, cycled over beats that do not choose one.
DEFAULT_MOTIONS = ("zoom-in", "pan-left", "zoom-out", "pan-right")
#: Scenes whose picture is a card (text on a designed background).
CARDS = ("cover", "quote", "fact", "cta")


@dataclass(frozen=True)
class VideoSettings:
    """Pacing, look and sound of a video; a theme overrides any of these under `video:`."""

    fps: int = 30
    words_per_second: float = 2.6  # per language: see PACE
    fastest_words_per_second: float = 3.4
    #: Caption reading speed in characters per second: comfortable, and the fastest the
    #: pacing may go (subtitle guidelines: 15-17 comfortable, never over 20).
    chars_per_second: float = 15.0
    fastest_chars_per_second: float = 18.0
    max_chars_per_second: float = 20.0  # hard limit every cue is checked against
    min_cue: float = 0.9  # seconds; no cue is shorter (guidelines: 5/6 s)
    lead_seconds: float = 0.4  # time to find the text before reading starts
    min_scene: float = 1.8
    max_scene: float = 9.0
    #: The whole video aims at this length (seconds); over target_max is allowed, with a
    #: note, up to the strictest platform's maximum.
    target_min: float = 25.0
    target_max: float = 40.0
    push_seconds: float = 0.3  # a push between cards (and into cards)
    shot_max: float = 3.0  # photo shots longer than this get a punch-in
    punch_zoom: float = 1.16  # how much closer a punch-in frames the photo
    cover_seconds: float = 2.0
    cover_max: float = 3.5  # the cover never holds longer, whatever its text
    fact_seconds: float = 3.0
    cta_seconds: float = 3.5
    # When a story is long, the cover, facts and CTA shrink towards these first-glance times.
    cover_least: float = 2.0
    fact_least: float = 2.4
    cta_least: float = 2.8
    highlight: bool = True
    motions: tuple[str, ...] = DEFAULT_MOTIONS
    zoom: float = 0.12  # how much larger the photo grows (or pans) over a scene
    card_zoom: float = 0.05  # the slow push-in on cards
    caption_size: tuple[int, int] = (88, 80)
    caption_color: str = "text"
    highlight_color: str = "accent"
    highlight_text_color: str = "accent_text"
    outline_color: str = "deep"
    scrim_color: str = "deep"
    music_mood: str = "auto"
    music_volume: float = 0.45
    music_fade: float = 1.0
    duck_db: float = 10.0
    narration_pad: float = 0.4
    crossfade: float = 0.0  # kept for themes that set it; scenes never dissolve

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
        out = replace(cls(), **values)
        if out.fastest_chars_per_second < out.chars_per_second:
            out = replace(out, fastest_chars_per_second=out.chars_per_second)
        if out.fastest_chars_per_second > out.max_chars_per_second:
            out = replace(out, fastest_chars_per_second=out.max_chars_per_second)
        return out


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
    text: str = ""  # what is read: a beat's captions; a card's text (lines: separate cues)
    chars: int = 0  # characters read in this scene (captions, quote, fact label)
    photo: Photo | None = None
    motion: str = "none"
    narration: Path | None = None
    transition: str = "cut"  # how the scene comes in: cut | push
    start: int = 0  # first frame (a push in starts here)
    end: int = 0  # one past the last frame (including the next scene's push)
    own_start: int = 0  # first frame fully on screen: captions and narration start
    own_end: int = 0  # the cut to the next scene
    shots: tuple[int, ...] = ()  # global frames where a punch-in cuts closer
    floor: float = 0.0  # seconds its captions need at the fastest allowed reading speed
    voice: Any = None  # speech.voices.BeatVoice: what the beat's audio says, and when

    @property
    def frames(self) -> int:
        return self.end - self.start

    @property
    def is_card(self) -> bool:
        return self.kind in CARDS


@dataclass
class Timeline:
    scenes: list[Scene]
    fps: int
    total_frames: int
    push_frames: int
    words_per_second: float
    grid: BeatGrid | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return self.total_frames / self.fps

    @property
    def crossfade_frames(self) -> int:
        """Transition frames between scenes (pushes; nothing ever dissolves)."""
        return self.push_frames

    def cuts(self) -> list[int]:
        """Frames where a new picture starts: scene cuts, push starts and punch-ins."""
        out = [sc.start for sc in self.scenes[1:]]
        out += [f for sc in self.scenes for f in sc.shots]
        return sorted(out)

    def shot_lengths(self) -> list[float]:
        """Seconds between consecutive picture changes (scene cuts and punch-ins)."""
        marks = [0, *self.cuts(), self.total_frames]
        return [(b - a) / self.fps for a, b in zip(marks, marks[1:], strict=False) if b > a]


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


def count_chars(text: str) -> int:
    """Characters a reader reads (what subtitle cps counts): spaces collapsed."""
    return len(" ".join(text.split()))


def reading_seconds(
    words: int, wps: float, s: VideoSettings, chars: int = 0, cps: float | None = None
) -> float:
    """How long a text stays on screen: the slower of word and character pace."""
    by_chars = chars / (cps or s.chars_per_second) if chars else 0.0
    need = s.lead_seconds + max(words / wps, by_chars)
    return min(max(s.max_scene, by_chars + s.lead_seconds), max(s.min_scene, need))


def _length(scenes: list[Scene], s: VideoSettings) -> float:
    """Seconds of the whole video: every scene's own time plus the pushes into cards."""
    pushes = sum(transition_into(a, b) == "push" for a, b in zip(scenes, scenes[1:], strict=False))
    return sum(sc.own for sc in scenes) + pushes * s.push_seconds


def _pace(scenes: list[Scene], tight: float, s: VideoSettings) -> float:
    """Pace every flexible scene at tightness 0 (comfortable) to 1 (fastest allowed)."""
    wps = s.words_per_second + (s.fastest_words_per_second - s.words_per_second) * tight
    cps = s.chars_per_second + (s.fastest_chars_per_second - s.chars_per_second) * tight
    for sc in scenes:
        if sc.fixed:
            continue
        if sc.kind in ("beat", "quote"):
            sc.own = max(sc.floor, reading_seconds(sc.words, wps, s, sc.chars, cps))
        elif sc.base:
            base = sc.base - (sc.base - min(sc.base, sc.least)) * tight
            # A fact label or CTA is read too: never faster than the caption pace. (The
            # cover is a glance: its length is set in `plan`, capped by cover_max.)
            reading = s.lead_seconds + sc.chars / cps if sc.chars and sc.kind != "cover" else 0.0
            sc.own = max(base, reading)
    return wps


STEPS = 24


def _too_long(
    scenes: list[Scene], s: VideoSettings, limit: float, limit_name: str
) -> TimelineTooLong:
    total = _length(scenes, s)
    excess = total - limit
    beats = sorted((sc for sc in scenes if sc.kind == "beat"), key=lambda sc: -sc.own)
    cut: list[Scene] = []
    saved = 0.0
    for sc in beats:
        if saved >= excess:
            break
        cut.append(sc)
        saved += sc.own
    names = ", ".join(f"beat {sc.index + 1}" for sc in sorted(cut, key=lambda sc: sc.index))
    return TimelineTooLong(
        f"the video would run {total:.1f} s even at the fastest reading speed "
        f"({s.fastest_words_per_second:g} words/s), over {limit_name} of {limit:g} s",
        f"cut {names} (about {excess:.1f} s) or shorten their text"
        if cut
        else f"shorten the story by about {excess:.1f} s",
        ("beats",),
    )


def fit(scenes: list[Scene], s: VideoSettings, limit: float, limit_name: str) -> float:
    """Pace the scenes to fit `limit` seconds; return the reading speed used."""
    for i in range(STEPS + 1):
        wps = _pace(scenes, i / STEPS, s)
        if _length(scenes, s) <= limit + 1e-6:
            return wps
    raise _too_long(scenes, s, limit, limit_name)


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


def transition_into(prev: Scene, sc: Scene) -> str:
    """A push between a card and anything; a hard cut between photo beats and out of the cover.

    Two texts never dissolve into each other (no ghosted numbers): cards slide, photos cut.
    """
    if prev.kind == "cover" or not sc.is_card:
        return "cut"
    return "push"


def _snap(t: float, least: float, grid: BeatGrid | None, fps: int) -> int:
    """The frame of the beat nearest `t` (never before `least` seconds), or of `t` itself."""
    if grid is None or grid.period <= 0:
        return round(max(t, least) * fps)
    beat = grid.nearest(t)
    if beat < least - 1e-6:
        beat = grid.next_at_or_after(least)
    return round(beat * fps)


def place(scenes: list[Scene], s: VideoSettings, grid: BeatGrid | None = None) -> tuple[int, int]:
    """Turn seconds into frame numbers, cuts on beats; return (total frames, push frames)."""
    fps = s.fps
    push = max(1, round(s.push_seconds * fps)) if len(scenes) > 1 else 0
    cut = 0  # frame where the current scene comes in
    for i, sc in enumerate(scenes):
        sc.transition = transition_into(scenes[i - 1], sc) if i else "cut"
        xin = push if sc.transition == "push" else 0
        sc.start = cut
        sc.own_start = cut + xin
        natural = sc.own_start / fps + sc.own
        if i == len(scenes) - 1:
            sc.own_end = max(sc.own_start + 1, round(natural * fps))
        else:
            # A flexible scene may lose up to 8% to land on a beat; a fixed one (narration,
            # explicit duration) only grows, so its audio always fits.
            slack = 0.0 if sc.fixed else min(0.08 * sc.own, 0.3)
            least = sc.own_start / fps + max(1 / fps, sc.own - slack)
            sc.own_end = max(sc.own_start + 1, _snap(natural, least, grid, fps))
        nxt = scenes[i + 1] if i + 1 < len(scenes) else None
        xout = push if nxt is not None and transition_into(sc, nxt) == "push" else 0
        sc.end = sc.own_end + xout
        cut = sc.own_end
        sc.shots = _punch_ins(sc, s, grid)
    total = scenes[-1].end if scenes else 0
    return total, push


def _punch_ins(sc: Scene, s: VideoSettings, grid: BeatGrid | None) -> tuple[int, ...]:
    """Frames inside a photo beat where it cuts closer, evenly spaced and on beats; a long
    card (a quote, a long fact) gets one punch-in after its text has landed."""
    fps = s.fps
    if sc.is_card and sc.kind != "cover":
        length = (sc.own_end - sc.own_start) / fps
        if length <= s.shot_max + 1.0:
            return ()
        t = sc.own_start / fps + max(1.8, length * 0.55)
        f = _snap(t, t - 0.3, grid, fps) if grid else round(t * fps)
        return (f,) if sc.own_start + fps <= f <= sc.own_end - fps else ()
    if sc.kind != "beat" or sc.photo is None:
        return ()
    length = (sc.own_end - sc.start) / fps
    shots = math.ceil(length / s.shot_max - 1e-6)
    if shots < 2:
        return ()
    marks: list[int] = []
    for k in range(1, shots):
        t = sc.start / fps + length * k / shots
        f = _snap(t, t - 0.5, grid, fps) if grid else round(t * fps)
        # Keep every shot at least a second long.
        lo = (marks[-1] if marks else sc.start) + fps
        if lo <= f <= sc.own_end - fps:
            marks.append(f)
    return tuple(marks)


def build(
    plan: list[Scene],
    s: VideoSettings,
    max_seconds: float | None = None,
    max_name: str = "",
    grid: BeatGrid | None = None,
) -> Timeline:
    """Pace and place the planned scenes; raise TimelineTooLong when they cannot fit.

    The pace aims at `target_max`; a story that cannot get there even at the fastest
    allowed reading speed keeps that pace and runs longer (with a note), up to the
    platform maximum `max_seconds`, past which TimelineTooLong is raised.
    """
    scenes = [replace(sc) for sc in plan]
    notes: list[str] = []
    for sc in scenes:
        if sc.fixed and sc.own < sc.floor:
            # A `duration:` (or narration) too short for its captions at 20 characters a
            # second would flash them: the scene gets the time they need.
            notes.append(
                f"beat {sc.index + 1} lasts {sc.floor:.1f} s instead of {sc.own:.1f} s, "
                "so its captions stay readable"
            )
            sc.own = sc.floor
    hard = max_seconds if max_seconds is not None else None
    target = s.target_max if hard is None else min(s.target_max, hard)
    try:
        wps = fit(scenes, s, target, "the target length")
    except TimelineTooLong as exc:
        if hard is None or hard <= target:
            if hard is not None and hard <= target:
                raise _too_long(scenes, s, hard, max_name or "the platform maximum") from None
            raise
        wps = _pace(scenes, 1.0, s)
        if _length(scenes, s) > hard + 1e-6:
            raise _too_long(scenes, s, hard, max_name or "the platform maximum") from None
        notes.append(
            f"runs {_length(scenes, s):.0f} s, over the {target:g} s target at the fastest "
            f"readable pace: {exc.hint}"
        )
    _stretch(scenes, s)
    total, push = place(scenes, s, grid)
    return Timeline(scenes, s.fps, total, push, wps, grid, notes)


def _is_image(rel: str) -> bool:
    from outreach.model.media import is_image

    return is_image(rel)


class EmptyBeat(TimelineError):
    pass


def plan(
    loaded: Any,
    s: VideoSettings,
    narration_seconds: dict[int, float],
    voices: dict[int, Any] | None = None,
) -> list[Scene]:
    """The scenes of a story, in order, with their natural (unpaced) lengths.

    `narration_seconds` maps a beat index to the length of its narration file; `voices`
    (beat index -> `speech.voices.BeatVoice`) gives each spoken beat's audio, the draft
    voice's included, and when its words are said.
    Raises EmptyBeat for a beat with no text and no media: it would be a blank scene.
    """
    story = loaded.story
    person_photo: Photo | None = None
    if story.person and story.person.photo:
        person_photo = (loaded.media_path(story.person.photo), story.person.focus)
    scenes = [
        Scene("cover", -1, ("title",), s.cover_seconds, base=s.cover_seconds, least=s.cover_least)
    ]
    # The cover is the hook: on screen at once and short. Its title and hook are in the
    # sidecars when they can be read in its time (at most cover_max seconds).
    scenes[0].text = "\n".join(x for x in (story.title, story.hook) if x)
    scenes[0].chars = count_chars(story.title) + count_chars(story.hook)
    title_needs = count_chars(story.title) / (0.95 * s.max_chars_per_second) + 2 / s.fps
    scenes[0].base = scenes[0].own = min(
        s.cover_max,
        max(
            s.cover_seconds,
            title_needs,
            s.lead_seconds + scenes[0].chars / s.max_chars_per_second,
        ),
    )
    scenes[0].least = min(s.cover_max, max(s.cover_least, title_needs))
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
            chars=count_chars(beat.text),
            photo=photo,
            motion=beat.motion or motions[i % len(motions)],
        )
        voice = (voices or {}).get(i)
        if voice is not None:
            sc.own, sc.fixed = voice.seconds + s.narration_pad, True
            sc.narration, sc.voice = voice.path, voice
        elif i in narration_seconds:
            sc.own, sc.fixed = narration_seconds[i] + s.narration_pad, True
            sc.narration = loaded.media_path(beat.narration)
        elif beat.duration:
            sc.own, sc.fixed = float(beat.duration), True
        else:
            sc.own = reading_seconds(words, s.words_per_second, s, sc.chars)
        if not photo:
            sc.motion = "none"
        scenes.append(sc)
    if story.quote:
        words = count_words(story.quote) + count_words(story.speaker)
        chars = count_chars(story.quote) + count_chars(story.speaker)
        own = reading_seconds(words, s.words_per_second, s, chars)
        said = f"“{story.quote}”" + (f" — {story.speaker}" if story.speaker else "")
        scenes.append(Scene("quote", -1, ("quote",), own, words=words, chars=chars, text=said))
    for i, fact in enumerate(story.facts):
        chars = count_chars(f"{fact.value} {fact.label}")
        sc = Scene("fact", i, ("facts", i), s.fact_seconds, base=s.fact_seconds, least=s.fact_least)
        sc.chars = chars
        sc.text = f"{fact.value} {fact.label}"
        sc.own = max(sc.own, s.lead_seconds + chars / s.chars_per_second)
        scenes.append(sc)
    if story.cta:
        sc = Scene("cta", -1, ("cta",), s.cta_seconds, base=s.cta_seconds, least=s.cta_least)
        sc.chars = count_chars(story.cta)
        sc.text = "\n".join(x for x in (story.cta, story.link) if x)
        sc.own = max(sc.own, s.lead_seconds + sc.chars / s.chars_per_second)
        scenes.append(sc)
    return scenes
