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
import re
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
    #: pacing may go. One-line captions of 3-6 words then last 1.2-2 s (guidelines: 12-17
    #: comfortable for short lines, never over 20).
    chars_per_second: float = 12.5
    fastest_chars_per_second: float = 16.0
    max_chars_per_second: float = 20.0  # hard limit every cue is checked against
    min_cue: float = 1.0  # seconds; no cue is shorter (guidelines: 5/6 s)
    lead_seconds: float = 0.4  # time to find the text before reading starts
    min_scene: float = 1.8
    max_scene: float = 9.0
    #: The whole video aims at `target` seconds (an edit, not the whole story: optional
    #: scenes are left to the cards past it) within target_min..target_max; over
    #: target_max is allowed, with a note, up to the strictest platform's maximum.
    target_min: float = 25.0
    target: float = 35.0
    target_max: float = 40.0
    push_seconds: float = 0.3  # a push between cards (and into cards)
    shot_max: float = 2.7  # photo shots longer than this get a punch-in
    punch_zoom: float = 1.15  # how much closer a punch-in frames the photo
    #: The opener: the hook as a headline over a moving photo, on screen from frame 0.
    cover_seconds: float = 1.8
    cover_max: float = 2.4  # the opener never holds longer, whatever its text
    cover_least: float = 1.5
    hook_chars: int = 60  # a longer hook cannot be read in the opener: the title opens
    hook_size: tuple[int, int] = (150, 110)  # px at 1080 wide
    hook_pop: float = 0.3  # every word of the hook is in by then
    #: The quote is an excerpt in the video: the whole sentences that read in quote_max.
    quote_max: float = 6.5
    video_facts: int = 2  # at most this many facts in the video (the strongest first)
    fact_seconds: float = 2.8
    #: A text scene never holds longer than this (seconds), however long its label: the
    #: video is an edit (the card has it all), and a card held 6 s loses the viewer.
    fact_max: float = 4.2
    cta_max: float = 4.8
    cta_seconds: float = 3.2
    # When a story is long, the cover, facts and CTA shrink towards these first-glance times.
    fact_least: float = 2.4
    cta_least: float = 2.8
    end_tail: float = 1.3  # the end card holds this long after the closing hit
    highlight: bool = True
    motions: tuple[str, ...] = DEFAULT_MOTIONS
    #: Camera: every photo moves at the same apparent speed, whatever its size.
    pan_speed: float = 60.0  # px/s at 1080 wide (40-80 reads as motion, not drift)
    zoom_speed: float = 0.032  # per second: 8% over a 2.5 s shot
    max_upscale: float = 1.15  # the planner avoids enlarging a photo more than this
    zoom: float = 0.12  # kept for themes that set it
    card_zoom: float = 0.05  # the slow push-in on text scenes
    type_scale: float = 1.3  # text scenes' type against the cards'
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
            if key in ("motions", "caption_size", "hook_size"):
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
    #: What a text scene shows, in order (the opener: its headline; the quote: the
    #: excerpt and who said it; a fact: value, label, source; the CTA: call, handle or
    #: link, credits). `text` is what the sidecars say.
    display: tuple[str, ...] = ()
    optional: int = 0  # > 0: left to the cards when the video runs long (highest first)
    framing: float = 1.0  # > 1: a closer crop (the photo was already on screen)
    palette: int = 0  # text scenes: 0 dark, 1 accent; consecutive text scenes differ
    button: int = -1  # the end card: the frame of the closing hit
    portrait: bool = False  # the opener is on the person's portrait: its face stays clear

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
    left_out: list[str] = field(default_factory=list)  # scenes left to the cards

    @property
    def duration(self) -> float:
        return self.total_frames / self.fps

    def sound_marks(self) -> dict[str, float]:
        """Where the soundtrack builds and lands (seconds): `riser` ends as the first text
        scene (quote or fact) comes in, `button` is the closing hit on the end card."""
        marks: dict[str, float] = {}
        first = next((sc for sc in self.scenes if sc.kind in ("quote", "fact")), None)
        if first is not None and first.start > 0:
            marks["riser"] = first.start / self.fps
        last = self.scenes[-1] if self.scenes else None
        if last is not None and last.button >= 0:
            marks["button"] = last.button / self.fps
        return marks

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
        if sc.kind == "beat":
            sc.own = max(sc.floor, reading_seconds(sc.words, wps, s, sc.chars, cps))
        elif sc.kind == "quote":  # an excerpt: it never holds past quote_max
            reading = reading_seconds(sc.words, wps, s, sc.chars, cps)
            sc.own = max(sc.floor, min(s.quote_max, reading))
        elif sc.base:
            base = sc.base - (sc.base - min(sc.base, sc.least)) * tight
            # A fact label or CTA is read too: never faster than the caption pace. (The
            # cover is a glance: its length is set in `plan`, capped by cover_max.)
            reading = s.lead_seconds + sc.chars / cps if sc.chars and sc.kind != "cover" else 0.0
            cap = {"fact": s.fact_max, "cta": s.cta_max}.get(sc.kind, 1e9)
            sc.own = max(base, min(cap, reading))
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
        if i == len(scenes) - 1 and sc.kind == "cta":
            # The end card lands on a closing hit (on a beat), then holds while it rings.
            tail = round(s.end_tail * fps)
            least = sc.own_start / fps + 0.8
            sc.button = _snap(max(least, natural - s.end_tail), least, grid, fps)
            sc.own_end = sc.button + tail
        elif i == len(scenes) - 1:
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
    aim = min(s.target, target)
    # Scenes are left to the cards only to stay within target_max: a quote or a fact on
    # screen is worth more than a few seconds under the aim.
    scenes, dropped = _edit(scenes, s, target - 1.2)
    try:
        try:
            wps = fit(scenes, s, aim, "the target length")
        except TimelineTooLong:
            try:  # cuts then snap to the beat: leave them room under the maximum
                wps = fit(scenes, s, target - 1.2, "the target length")
            except TimelineTooLong:
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
    _palettes(scenes)
    left_out = [_describe(sc) for sc in sorted(dropped, key=lambda sc: plan.index(_same(plan, sc)))]
    if left_out:
        notes.append(
            f"left to the cards, to keep the video within {target:.0f} s: " + ", ".join(left_out)
        )
    return Timeline(scenes, s.fps, total, push, wps, grid, notes, left_out)


#: How tight the pace may be when the edit decides what fits (0 comfortable, 1 fastest).
EDIT_TIGHTNESS = 0.5


def _edit(scenes: list[Scene], s: VideoSettings, limit: float) -> tuple[list[Scene], list[Scene]]:
    """The scenes that make the video: optional ones (the quote, the second fact) are left
    to the cards, the least needed first, while the video would run past `limit` at a
    middle reading pace."""
    kept = list(scenes)
    dropped: list[Scene] = []
    while True:
        _pace(kept, EDIT_TIGHTNESS, s)
        optional = [sc for sc in kept if sc.optional > 0]
        if _length(kept, s) <= limit + 1e-6 or not optional:
            return kept, dropped
        least = max(optional, key=lambda sc: (sc.optional, sc.index))
        kept.remove(least)
        dropped.append(least)


def _same(plan: list[Scene], sc: Scene) -> Scene:
    return next(p for p in plan if (p.kind, p.index) == (sc.kind, sc.index))


def _describe(sc: Scene) -> str:
    return f"fact {sc.index + 1}" if sc.kind == "fact" else sc.kind


def _palettes(scenes: list[Scene]) -> None:
    """Text scenes alternate dark and accent, the end card on accent: two text scenes in
    a row never share a colour (a push between two of the same colour does not read)."""
    texts = [sc for sc in scenes if sc.kind in ("quote", "fact", "cta")]
    for k, sc in enumerate(reversed(texts)):
        sc.palette = 1 if k % 2 == 0 else 0


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
    handle: str = "",
) -> list[Scene]:
    """The scenes of a story, in order, with their natural (unpaced) lengths: the edit.

    The opener is the hook as a headline over a moving photo; then one scene per beat;
    an excerpt of the quote; the strongest facts (at most `video_facts`); the CTA as the
    end card. The quote and the second fact are optional: `build` leaves them to the
    cards when the video would run past its target.

    `narration_seconds` maps a beat index to the length of its narration file; `voices`
    (beat index -> `speech.voices.BeatVoice`) gives each spoken beat's audio, the draft
    voice's included, and when its words are said; `handle` is the theme's, for a story
    without its own.
    Raises EmptyBeat for a beat with no text and no media: it would be a blank scene.
    """
    story = loaded.story
    person_photo: Photo | None = None
    if story.person and story.person.photo:
        person_photo = (loaded.media_path(story.person.photo), story.person.focus)
    beat_photos: list[Photo | None] = []
    for beat in story.beats:
        if beat.media and _is_image(beat.media):
            beat_photos.append((loaded.media_path(beat.media), beat.focus))
        else:
            beat_photos.append(person_photo)
    opener = _opener(story, s)
    scenes = [opener]
    opener.photo, opener.framing = _opening_photo(person_photo, beat_photos)
    opener.portrait = opener.photo is not None and opener.photo == person_photo
    opener.motion = "zoom-in"
    shown = {opener.photo[0]} if opener.photo and opener.framing == 1.0 else set()
    motions = s.motions or DEFAULT_MOTIONS
    auto = tuple(motions) == DEFAULT_MOTIONS
    previous = ""
    for i, beat in enumerate(story.beats):
        if not beat.text and not beat.media:
            raise EmptyBeat(
                f"beat {i + 1} has no text and no media",
                "add `text:` or `media:` to it, or remove the beat",
                ("beats", i),
            )
        photo = beat_photos[i]
        words = count_words(beat.text)
        motion = beat.motion or (
            _auto_motion(photo, previous) if auto else motions[i % len(motions)]
        )
        sc = Scene(
            "beat",
            i,
            ("beats", i),
            0.0,
            words=words,
            text=beat.text,
            chars=count_chars(beat.text),
            photo=photo,
            motion=motion,
        )
        previous = motion
        if photo is not None:
            if photo[0] in shown:
                sc.framing = REUSED_FRAMING  # the same picture again: a closer crop of it
            shown.add(photo[0])
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
    excerpt = quote_excerpt(story.quote, s) if story.quote else ""
    if excerpt:
        speaker = story.speaker
        words = count_words(excerpt)
        chars = count_chars(excerpt)
        said = f"“{excerpt}”" + (f" — {speaker}" if speaker else "")
        own = min(s.quote_max, reading_seconds(words, s.words_per_second, s, chars))
        quote = Scene("quote", -1, ("quote",), own, words=words, chars=chars, text=said)
        quote.display = (excerpt, speaker)
        quote.optional = 1
        scenes.append(quote)
    said = " ".join([story.hook, *(b.text for b in story.beats)])
    for rank, i in enumerate(strongest_facts(story.facts, s.video_facts, said)):
        fact = story.facts[i]
        chars = count_chars(f"{fact.value} {fact.label}")
        sc = Scene("fact", i, ("facts", i), s.fact_seconds, base=s.fact_seconds, least=s.fact_least)
        sc.chars = chars
        sc.text = f"{fact.value} {fact.label}"
        sc.display = (fact.value, fact.label, fact.source)
        sc.own = max(sc.own, min(s.fact_max, s.lead_seconds + chars / s.chars_per_second))
        sc.optional = 2 if rank else 0
        scenes.append(sc)
    if story.cta:
        sc = Scene("cta", -1, ("cta",), s.cta_seconds, base=s.cta_seconds, least=s.cta_least)
        sc.chars = count_chars(story.cta)
        # The end card says where to follow (a handle; the theme's when the story has
        # none): a link cannot be tapped in a video, it goes in the post's text.
        where = story.handle or handle or story.link or ""
        sc.text = "\n".join(x for x in (story.cta, where) if x)
        sc.display = (story.cta, where, story.credits)
        sc.own = max(sc.own, min(s.cta_max, s.lead_seconds + sc.chars / s.chars_per_second + 0.4))
        scenes.append(sc)
    return scenes


#: A photo shown a second time is framed this much closer, so it reads as a new shot.
REUSED_FRAMING = 1.35
#: The opener on the first beat's photo frames it this much closer: the beat is the reveal.
OPENER_FRAMING = 1.3


def _opener(story: Any, s: VideoSettings) -> Scene:
    """The first scene: the hook (else the title) as the headline, on screen at once."""
    hook, title = " ".join(story.hook.split()), " ".join(story.title.split())
    text, field_path = hook, ("hook",)
    if not hook or (count_chars(hook) > s.hook_chars and count_chars(title) < count_chars(hook)):
        text, field_path = title, ("title",)
    chars = count_chars(text)
    own = min(
        s.cover_max,
        max(s.cover_seconds, s.lead_seconds + s.hook_pop + chars / s.fastest_chars_per_second),
    )
    least = min(s.cover_max, max(s.cover_least, chars / s.max_chars_per_second + 0.3))
    sc = Scene("cover", -1, field_path, own, base=own, least=least, chars=chars, text=text)
    sc.words = count_words(text)
    sc.display = (text,)
    return sc


def _opening_photo(person: Photo | None, beats: list[Photo | None]) -> tuple[Photo | None, float]:
    """The opener's photo: the person's when no beat shows it; else the first beat's,
    framed closer (the beat then opens wide on it: a reveal, not a repeat)."""
    used = {p[0] for p in beats if p is not None}
    if person is not None and person[0] not in used:
        return person, 1.0
    first = next((p for p in beats if p is not None), None)
    if first is not None:
        return first, OPENER_FRAMING
    return None, 1.0


def _auto_motion(photo: Photo | None, previous: str) -> str:
    """A move that suits the photo: wide photos pan (their width is the room to move,
    so nothing is enlarged), tall ones zoom; directions alternate beat to beat."""
    from outreach.render.photos import photo_size

    if photo is None:
        return "none"
    try:
        w, h = photo_size(photo[0])
    except Exception:  # noqa: BLE001 - validation reported it; any move will do
        w, h = 9, 16
    if w / max(1, h) > 0.8:
        return "pan-right" if previous == "pan-left" else "pan-left"
    return "zoom-out" if previous == "zoom-in" else "zoom-in"


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def quote_excerpt(quote: str, s: VideoSettings) -> str:
    """The quote's whole sentences, from its start, that read within `quote_max` seconds
    (at most 19 characters a second): the video quotes, it does not cut mid-sentence.
    Empty when even the first sentence is too long (the quote card has it all)."""
    budget = (s.quote_max - s.lead_seconds) * 0.95 * s.max_chars_per_second
    out = ""
    for sentence in _SENTENCE_END.split(" ".join(quote.split())):
        candidate = f"{out} {sentence}".strip()
        if count_chars(candidate) > budget:
            break
        out = candidate
    return out


#: A value that can count up: a short prefix, a whole number (thousands separators
#: allowed), a short suffix: 24, 72%, > 21%, Top 40, ~100×, 70+, 1.200.
COUNT_UP = re.compile(r"(\D{0,5}?)(\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+|\d{1,7})(\D{0,4})")


def countable(value: str) -> bool:
    m = COUNT_UP.fullmatch(value.strip())
    return m is not None and int(re.sub(r"\D", "", m.group(2))) >= 3


def _digits(text: str) -> set[str]:
    return {re.sub(r"\D", "", m) for m in re.findall(r"\d[\d.,]*", text)}


def strongest_facts(facts: list[Any], most: int, said: str = "") -> list[int]:
    """Indices of the facts the video shows, strongest first (deterministic): news
    first (a number the hook and beats have not already said), then a number that can
    count up, then any number, then a label short enough to read (at most 60
    characters), then the story's own order."""
    already = _digits(said)

    def rank(i: int) -> tuple[bool, bool, bool, bool, int]:
        value = facts[i].value
        return (
            bool(_digits(value) & already),
            not countable(value),
            not any(ch.isdigit() for ch in value),
            count_chars(facts[i].label) > 60,
            i,
        )

    return sorted(range(len(facts)), key=rank)[: max(0, most)]
