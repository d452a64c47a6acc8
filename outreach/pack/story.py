"""One story end to end: validate everything, then render its outputs and write them.

Validation runs first and covers the schema, every media file, platform and theme
names, and a quick low-scale layout pass of every card (fit, safe zone, contrast,
glyphs). A story with any error writes no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from outreach.atomic import write_bytes
from outreach.diagnostics import Diagnostic, StoryError, display_path
from outreach.model.loader import FieldPath, LoadedStory, load_story
from outreach.pack.manifest import ManifestEntry, sha256_bytes
from outreach.platforms import Platform, choose, load_presets
from outreach.render.cards import (
    CardResult,
    CardSpec,
    compose,
    dropped_slides,
    encode_jpeg,
    plan_cards,
)
from outreach.render.contrast import MIN_CONTRAST
from outreach.render.photos import PhotoError, verify_photo
from outreach.render.post import build_post
from outreach.themes import Theme, ThemeError, UnknownTheme, load_theme

#: `check` composes cards at this scale: enough to measure contrast, 16x fewer pixels.
CHECK_SCALE = 0.25
AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".flac", ".opus"}


@dataclass
class Validated:
    """A story that passed validation: its theme and platforms resolved."""

    loaded: LoadedStory
    theme: Theme
    platforms: list[Platform]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def theme_dirs(loaded: LoadedStory, extra: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """User theme folders, searched before the built-ins: --themes-dir, then <root>/themes."""
    return (*extra, loaded.root / "themes")


def select_platforms(
    loaded: LoadedStory, requested: list[str] | None
) -> tuple[list[Platform], list[Diagnostic]]:
    """The presets to render, and an error for each unknown name in the story's list."""
    import difflib

    known = sorted(load_presets())
    diags: list[Diagnostic] = []
    for i, name in enumerate(loaded.story.platforms or []):
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean `{close[0]}`?" if close else "use one of: " + ", ".join(known)
            diags.append(
                loaded.diagnostic("error", ("platforms", i), f"unknown platform `{name}`", hint)
            )
    return choose(requested, loaded.story.platforms), diags


def _verify_media(loaded: LoadedStory) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for fpath, rel in loaded.story.media_fields():
        path = loaded.media_path(rel)
        if Path(rel).suffix.lower() in AUDIO_SUFFIXES or fpath[-1] in ("narration", "music"):
            continue  # audio is probed by the video renderer
        try:
            verify_photo(path)
        except PhotoError as exc:
            diags.append(loaded.diagnostic("error", fpath, f"`{rel}` {exc.message}", exc.hint))
    return diags


def _speech_diagnostics(loaded: LoadedStory) -> list[Diagnostic]:
    """The speech engine, where a story needs it: `voice: draft` cannot work without
    espeak-ng (an error); narration still plays, but its captions cannot follow the voice
    (a warning)."""
    story = loaded.story
    draft = story.draft_beats()
    narrated = [i for i, beat in enumerate(story.beats) if beat.narration and beat.text]
    diags: list[Diagnostic] = []
    for i, beat in enumerate(story.beats):
        if beat.voice == "draft" and beat.narration:
            diags.append(
                loaded.diagnostic(
                    "warning",
                    ("beats", i, "voice"),
                    f"beat {i + 1} has a narration file, so the draft voice does not speak it",
                    "remove `voice: draft` from the beat, or its `narration:`",
                )
            )
    if not draft and not narrated:
        return diags
    from outreach.speech import engine

    missing = engine.status(story.lang)
    if missing is None:
        return diags + _alignment_diagnostics(loaded, narrated)
    if draft:
        where: FieldPath = ("voice",) if story.voice == "draft" else ("beats", draft[0], "voice")
        diags.append(
            loaded.diagnostic(
                "error",
                where,
                f"`voice: draft` needs the speech engine, but {missing.message}",
                missing.hint,
            )
        )
    if narrated:
        diags.append(
            loaded.diagnostic(
                "warning",
                ("beats", narrated[0], "narration"),
                f"captions cannot follow the narration: {missing.message}; "
                "they follow reading speed instead",
                missing.hint,
            )
        )
    return diags


def _alignment_diagnostics(loaded: LoadedStory, narrated: list[int]) -> list[Diagnostic]:
    """A warning, naming the beat, for each narration its captions cannot follow (the
    alignment is cached, so the render that follows reuses it)."""
    from outreach.ffmpeg import FFmpegError
    from outreach.speech.voices import align_narration

    diags: list[Diagnostic] = []
    story = loaded.story
    for i in narrated:
        beat = story.beats[i]
        assert beat.narration is not None
        path = loaded.media_path(beat.narration)
        try:
            result = align_narration(beat.text, story.lang, path)
        except (OSError, FFmpegError):
            continue  # a missing or unreadable file is the video renderer's error
        if result.unsure:
            diags.append(
                loaded.diagnostic(
                    "warning",
                    ("beats", i, "narration"),
                    f"beat {i + 1}: the captions follow reading speed, not the narration: "
                    f"{result.problem}",
                    "record the beat's text as written, or fix `text:` to what is said",
                )
            )
    return diags


def validate(
    loaded: LoadedStory,
    requested: list[str] | None = None,
    themes_dirs: tuple[Path, ...] = (),
    strict: bool = False,
    layout_pass: bool = True,
) -> Validated:
    """Every problem with a loaded story, as diagnostics; raise StoryError if any is an error."""
    from outreach.layout.words import prefetch

    prefetch()  # the word segmenter loads while the photos decode
    diags: list[Diagnostic] = list(loaded.warnings)
    platforms, pdiags = select_platforms(loaded, requested)
    diags += pdiags
    theme: Theme | None = None
    try:
        theme = load_theme(loaded.story.theme, theme_dirs(loaded, themes_dirs))
    except UnknownTheme as exc:
        diags.append(loaded.diagnostic("error", ("theme",), exc.message, exc.hint))
    except ThemeError as exc:
        diags += exc.diagnostics or [loaded.diagnostic("error", ("theme",), exc.message, exc.hint)]
    diags += _verify_media(loaded)
    diags += _speech_diagnostics(loaded)
    if theme is not None and layout_pass and not any(d.severity == "error" for d in diags):
        diags += _layout_diagnostics(loaded, platforms, theme)
    if strict:
        diags = [d.as_error() for d in diags]
    if any(d.severity == "error" for d in diags):
        raise StoryError(_dedupe(diags))
    assert theme is not None
    return Validated(loaded, theme, platforms, _dedupe(diags))


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats (the same problem on several platforms) and order by position."""
    return sorted(dict.fromkeys(diags), key=lambda d: (d.line, d.col))


def _layout_diagnostics(
    loaded: LoadedStory, platforms: list[Platform], theme: Theme
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    story = loaded.story
    shows_photo = False
    seen: set[str] = set()
    for platform in platforms:
        specs = plan_cards(loaded, platform, theme)
        for spec in specs:
            shows_photo = shows_photo or bool(spec.photos)
            key = spec.digest(platform, theme)
            if key in seen:  # same pixels as a card already checked (e.g. Reels and Story)
                continue
            seen.add(key)
            result = compose(spec, platform, theme, CHECK_SCALE, draw_text=False)
            for err in result.errors:
                where = spec.sources.get(err.field, (err.field,))
                diags.append(
                    loaded.diagnostic(
                        "error",
                        where,
                        f"{err.message} ({spec.name} card, {platform.name})",
                        err.hint,
                    )
                )
            if not result.face_clear and spec.photos:
                photo = next(iter(spec.photos.values()))[0]
                diags.append(
                    loaded.diagnostic(
                        "warning",
                        _photo_field(loaded, photo),
                        f"no layout keeps the face in `{display_path(photo)}` clear of the text "
                        f"on the {spec.name} card ({platform.name})",
                        "choose a photo with more room around the face, or set `subject:`",
                    )
                )
            for rec in result.outside:
                diags.append(
                    loaded.diagnostic(
                        "error",
                        spec.sources.get(rec.field, (rec.field,)),
                        f"text leaves the {platform.name} safe zone on the {spec.name} card",
                        "the theme layout puts it outside; fix the theme's box",
                    )
                )
            for rec in result.records:
                for word in rec.split:
                    diags.append(
                        loaded.diagnostic(
                            "warning",
                            spec.sources.get(rec.field, (rec.field,)),
                            f"`{word}` is split across two lines on the {spec.name} card "
                            f"({platform.name}): nothing else fits, even at the smallest size",
                            "shorten the text or choose a shorter word",
                        )
                    )
                if rec.contrast < MIN_CONTRAST:
                    diags.append(
                        loaded.diagnostic(
                            "warning",
                            spec.sources.get(rec.field, (rec.field,)),
                            f"contrast {rec.contrast:.1f}:1 on the {spec.name} card ({platform.name}) is below {MIN_CONTRAST}:1",
                            "choose another photo, focus point or theme colour",
                        )
                    )
        dropped = dropped_slides(loaded, platform, theme) if platform.outputs == "carousel" else 0
        if dropped:
            diags.append(
                loaded.diagnostic(
                    "warning",
                    ("beats",),
                    f"{dropped} beats or facts do not fit the {platform.max_slides}-slide {platform.label}",
                    "they were left out; shorten the story to keep them",
                )
            )
        post = build_post(story, platform, theme, specs)
        for issue in post.issues:
            diags.append(
                loaded.diagnostic(
                    "warning", (issue.field,), f"{issue.message} ({platform.name})", issue.hint
                )
            )
    if shows_photo and not story.credits:
        diags.append(
            loaded.diagnostic(
                "warning",
                ("credits",),
                "cards show a photo but the story has no credits line",
                'add `credits: "Ảnh: ..."` naming the photographer or source',
            )
        )
    return diags


def _photo_field(loaded: LoadedStory, photo: Path) -> FieldPath:
    """The story field that names a photo (person.photo or a beat's media)."""
    for fpath, rel in loaded.story.media_fields():
        if loaded.media_path(rel) == photo:
            return fpath
    return ("person", "photo")


def load_and_validate(
    path: Path,
    root: Path | None = None,
    requested: list[str] | None = None,
    themes_dirs: tuple[Path, ...] = (),
    strict: bool = False,
    layout_pass: bool = True,
) -> Validated:
    return validate(load_story(path, root), requested, themes_dirs, strict, layout_pass)


# --- rendering ----------------------------------------------------------------------------


@dataclass
class CardOutput:
    spec: CardSpec
    data: bytes
    text_boxes: list[dict]
    extra: dict = field(default_factory=dict)


class CardMemo:
    """Cards with identical inputs (e.g. Reels, Story and Facebook Reels) are drawn once."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[bytes, list[dict], dict]] = {}

    def render(self, spec: CardSpec, platform: Platform, theme: Theme) -> CardOutput:
        key = spec.digest(platform, theme)
        if key not in self._memo:
            result = compose(spec, platform, theme, 1.0)
            if result.errors:
                err = result.errors[0]
                raise StoryError([Diagnostic("", 0, 0, "error", err.field, err.message, err.hint)])
            boxes = text_boxes(result)
            self._memo[key] = (
                encode_jpeg(result.image, platform.max_image_bytes),
                boxes,
                card_extra(result),
            )
        data, boxes, extra = self._memo[key]
        return CardOutput(spec, data, boxes, extra)


def text_boxes(result: CardResult) -> list[dict]:
    """The manifest's text boxes of one card: field, box, contrast, size and lines."""
    return [r.as_manifest() for r in result.records]


def card_extra(result: CardResult) -> dict:
    """What the manifest says about a card beyond its text: its layout, where the photo's
    subject (face) landed, and the logo drawn (box, variant, share of ink at >= 3:1)."""
    extra: dict = {"layout": result.variant}
    if result.subject is not None:
        extra["subject"] = result.subject
    if result.logo is not None:
        extra["logo"] = result.logo
    return extra


def story_dir(out_dir: Path, story_id: str, platform: str) -> Path:
    return out_dir / story_id / platform


def render_cards(
    validated: Validated,
    out_dir: Path,
    memo: CardMemo | None = None,
    platforms: list[Platform] | None = None,
) -> list[ManifestEntry]:
    """Write every card and post.txt for the validated story; return manifest entries."""
    memo = memo or CardMemo()
    loaded, theme = validated.loaded, validated.theme
    entries: list[ManifestEntry] = []
    for platform in platforms or validated.platforms:
        folder = story_dir(out_dir, loaded.id, platform.name)
        specs = plan_cards(loaded, platform, theme)
        for spec in specs:
            card = memo.render(spec, platform, theme)
            target = folder / spec.filename
            write_bytes(target, card.data)
            entries.append(
                ManifestEntry(
                    path=str(target.relative_to(out_dir)),
                    story=loaded.id,
                    platform=platform.name,
                    output=spec.output,
                    width=platform.width,
                    height=platform.height,
                    bytes=len(card.data),
                    sha256=sha256_bytes(card.data),
                    text_boxes=card.text_boxes,
                    extra={"card": spec.name, "alt": spec.alt, **card.extra},
                )
            )
        post = build_post(loaded.story, platform, theme, specs)
        data = post.text.encode("utf-8")
        target = folder / "post.txt"
        write_bytes(target, data)
        entries.append(
            ManifestEntry(
                path=str(target.relative_to(out_dir)),
                story=loaded.id,
                platform=platform.name,
                output="post",
                width=None,
                height=None,
                bytes=len(data),
                sha256=sha256_bytes(data),
            )
        )
    return entries


def describe_error(path: Path, exc: Exception) -> list[Diagnostic]:
    """Turn any failure into diagnostics naming the story file."""
    if isinstance(exc, StoryError):
        return [
            d
            if d.path
            else Diagnostic(
                display_path(path), d.line, d.col, d.severity, d.field, d.message, d.hint
            )
            for d in exc.diagnostics
        ]
    return [
        Diagnostic(
            display_path(path),
            0,
            0,
            "error",
            "(render)",
            f"{type(exc).__name__}: {exc}",
            "this is a bug or a broken file; run with -v for details",
        )
    ]


__all__ = ["FieldPath", "Validated", "validate", "load_and_validate", "render_cards", "CardMemo"]
