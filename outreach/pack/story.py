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
from outreach.i18n import _
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
from outreach.render.post import PostText, build_post
from outreach.themes import Theme, ThemeError, load_theme

#: `check` composes cards at this scale: enough to measure contrast, 16x fewer pixels.
CHECK_SCALE = 0.25


@dataclass
class Validated:
    """A story that passed validation: its theme and platforms resolved."""

    loaded: LoadedStory
    theme: Theme
    platforms: list[Platform]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: The video plan validation made (timeline, captions), reused by the renderer.
    video: object | None = None

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
            hint = (
                _("did you mean `{name}`?", name=close[0])
                if close
                else _("use one of: {names}", names=", ".join(known))
            )
            diags.append(
                loaded.diagnostic(
                    "error", ("platforms", i), _("unknown platform `{name}`", name=name), hint
                )
            )
    return choose(requested, loaded.story.platforms), diags


def _verify_media(loaded: LoadedStory) -> list[Diagnostic]:
    """Photos decode (fully, once); audio is checked with the video plan."""
    from outreach.model.media import media_kind

    diags: list[Diagnostic] = []
    for fpath, rel in loaded.story.media_fields():
        if fpath[-1] in ("narration", "music"):
            continue  # decoded by the video part of validation
        path = loaded.media_path(rel)
        kind = media_kind(rel)
        if kind in ("audio", "video"):
            diags.append(
                loaded.diagnostic(
                    "error",
                    fpath,
                    _("`{path}` is an audio file; cards and scenes need a photo", path=rel)
                    if kind == "audio"
                    else _("`{path}` is a video file; cards and scenes need a photo", path=rel),
                    _(
                        "point to a JPEG, PNG or WebP picture; sound belongs in `narration:` or `music:`"
                    )
                    if kind == "audio"
                    else _("point to a JPEG, PNG or WebP picture"),
                )
            )
            continue
        try:
            verify_photo(path)
        except PhotoError as exc:
            diags.append(loaded.diagnostic("error", fpath, f"`{rel}` {exc.message}", exc.hint))
        except MemoryError:
            diags.append(
                loaded.diagnostic(
                    "error",
                    fpath,
                    _("`{path}` is too large to decode", path=rel),
                    _("resize it below 50 megapixels"),
                )
            )
        except (OSError, RuntimeError, ValueError, SyntaxError) as exc:
            reason = getattr(exc, "strerror", None) or _("the file is damaged or not a picture")
            diags.append(
                loaded.diagnostic(
                    "error",
                    fpath,
                    _(
                        "`{path}` cannot be read as a photo ({reason})",
                        path=rel,
                        reason=str(reason).lower(),
                    ),
                    _("export the photo again as JPEG or PNG"),
                )
            )
    return diags


def _theme_note(loaded: LoadedStory, theme: Theme) -> list[Diagnostic]:
    """Say when a user theme (e.g. <stories>/themes/default) replaces a built-in one: it
    changes every story that names it, and it runs its own post templates."""
    if not theme.overrides:
        return []
    return [
        loaded.diagnostic(
            "note",
            ("theme",),
            _(
                "theme `{name}` comes from {folder}, which overrides the built-in theme of that name",
                name=theme.name,
                folder=display_path(theme.folders[0]),
            ),
            _("rename the folder to keep the built-in one"),
        )
    ]


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
                    _(
                        "beat {n} has a narration file, so the draft voice does not speak it",
                        n=i + 1,
                    ),
                    _("remove `voice: draft` from the beat, or its `narration:`"),
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
                _("`voice: draft` needs the speech engine, but {problem}", problem=missing.message),
                missing.hint,
            )
        )
    if narrated:
        diags.append(
            loaded.diagnostic(
                "warning",
                ("beats", narrated[0], "narration"),
                _(
                    "captions cannot follow the narration: {problem}; they follow reading speed instead",
                    problem=missing.message,
                ),
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
                    _(
                        "beat {n}: the captions follow reading speed, not the narration: {problem}",
                        n=i + 1,
                        problem=result.problem,
                    ),
                    _("record the beat's text as written, or fix `text:` to what is said"),
                )
            )
    return diags


def validate(
    loaded: LoadedStory,
    requested: list[str] | None = None,
    themes_dirs: tuple[Path, ...] = (),
    strict: bool = False,
    layout_pass: bool = True,
    highlight: bool | None = None,
) -> Validated:
    """Every problem with a loaded story, as diagnostics; raise StoryError if any is an error.

    The one validation: `check`, `render`, `pack` and the preview all call it, and it
    covers the video (audio decodes, length per platform, captions) as well as the cards.
    """
    from outreach.layout.words import prefetch

    prefetch()  # the word segmenter loads while the photos decode
    diags: list[Diagnostic] = list(loaded.warnings)
    platforms, pdiags = select_platforms(loaded, requested)
    diags += pdiags
    theme: Theme | None = None
    try:
        theme = load_theme(loaded.story.theme, theme_dirs(loaded, themes_dirs))
    except ThemeError as exc:
        diags += exc.diagnostics or [loaded.diagnostic("error", ("theme",), exc.message, exc.hint)]
    if theme is not None:
        diags += _theme_note(loaded, theme)
    diags += _verify_media(loaded)
    diags += _speech_diagnostics(loaded)
    video = None
    if theme is not None and layout_pass and not any(d.severity == "error" for d in diags):
        try:
            diags += _layout_diagnostics(loaded, platforms, theme)
        except ThemeError as exc:
            diags.append(loaded.diagnostic("error", ("theme",), exc.message, exc.hint))
        try:
            video = _video_plan(loaded, theme, platforms, highlight)
        except StoryError as exc:
            diags += exc.diagnostics
    if strict:
        diags = [d.as_error() if d.severity == "warning" else d for d in diags]
    if any(d.severity == "error" for d in diags):
        raise StoryError(_dedupe(diags))
    assert theme is not None
    return Validated(loaded, theme, platforms, _dedupe(diags), video)


def _video_plan(
    loaded: LoadedStory, theme: Theme, platforms: list[Platform], highlight: bool | None
) -> object | None:
    """The video part of the one validation: plan every encode (audio decodes, length per
    platform, captions) without drawing a frame."""
    if not any(p.video is not None for p in platforms):
        return None
    from outreach.pack.video import plan_videos, video_settings

    draft = Validated(loaded, theme, platforms)
    return plan_videos(draft, video_settings(draft, highlight))


def load_all(
    found: list[tuple[Path, Path]],
) -> list[tuple[Path, LoadedStory | None, list[Diagnostic]]]:
    """Load every story (cheap) and report ids used twice, before any is validated:
    (path, loaded story or None, diagnostics so far)."""
    out: list[tuple[Path, LoadedStory | None, list[Diagnostic]]] = []
    for story_path, root in found:
        try:
            out.append((story_path, load_story(story_path, root), []))
        except Exception as exc:  # noqa: BLE001 — every failure becomes a diagnostic
            out.append((story_path, None, describe_error(story_path, exc)))
    dups = {d.path: d for d in duplicate_ids([x for _, x, _ in out if x is not None])}
    for _path, loaded, diags in out:
        if loaded is not None and display_path(loaded.path) in dups:
            diags.append(dups[display_path(loaded.path)])
    return out


def duplicate_ids(loaded: list[LoadedStory]) -> list[Diagnostic]:
    """An error on every story whose id an earlier story already uses: their outputs
    would overwrite each other."""
    first: dict[str, LoadedStory] = {}
    diags: list[Diagnostic] = []
    for item in loaded:
        other = first.setdefault(item.id, item)
        if other is not item:
            diags.append(
                item.diagnostic(
                    "error",
                    ("id",),
                    _(
                        "story id `{id}` is also used by {path}",
                        id=item.id,
                        path=display_path(other.path),
                    ),
                    _("give each story its own `id:` or file name"),
                )
            )
    return diags


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
                        _(
                            "{problem} ({card} card, {platform})",
                            problem=err.message,
                            card=spec.name,
                            platform=platform.name,
                        ),
                        err.hint,
                    )
                )
            if not result.face_clear and spec.photos:
                photo = next(iter(spec.photos.values()))[0]
                diags.append(
                    loaded.diagnostic(
                        "warning",
                        _photo_field(loaded, photo),
                        _(
                            "no layout keeps the face in `{photo}` clear of the text "
                            "on the {card} card ({platform})",
                            photo=display_path(photo),
                            card=spec.name,
                            platform=platform.name,
                        ),
                        _("choose a photo with more room around the face, or set `subject:`"),
                    )
                )
            for rec in result.outside:
                diags.append(
                    loaded.diagnostic(
                        "error",
                        spec.sources.get(rec.field, (rec.field,)),
                        _(
                            "text leaves the {platform} safe zone on the {card} card",
                            platform=platform.name,
                            card=spec.name,
                        ),
                        _("the theme layout puts it outside; fix the theme's box"),
                    )
                )
            for rec in result.records:
                for word in rec.split:
                    diags.append(
                        loaded.diagnostic(
                            "warning",
                            spec.sources.get(rec.field, (rec.field,)),
                            _(
                                "`{word}` is split across two lines on the {card} card "
                                "({platform}): nothing else fits, even at the smallest size",
                                word=word,
                                card=spec.name,
                                platform=platform.name,
                            ),
                            _("shorten the text or choose a shorter word"),
                        )
                    )
                if rec.contrast < MIN_CONTRAST:
                    diags.append(
                        loaded.diagnostic(
                            "warning",
                            spec.sources.get(rec.field, (rec.field,)),
                            _(
                                "contrast {ratio}:1 on the {card} card ({platform}) is below {minimum}:1",
                                ratio=format(rec.contrast, ".1f"),
                                card=spec.name,
                                platform=platform.name,
                                minimum=MIN_CONTRAST,
                            ),
                            _("choose another photo, focus point or theme colour"),
                        )
                    )
        dropped = dropped_slides(loaded, platform, theme) if platform.outputs == "carousel" else 0
        if dropped:
            diags.append(
                loaded.diagnostic(
                    "warning",
                    ("beats",),
                    _(
                        "{n} beats or facts do not fit the {slides}-slide {platform}",
                        n=dropped,
                        slides=platform.max_slides,
                        platform=platform.label,
                    ),
                    _("they were left out; shorten the story to keep them"),
                )
            )
        post = build_post(story, platform, theme, specs)
        for issue in post.issues:
            diags.append(
                loaded.diagnostic(
                    "warning",
                    (issue.field,),
                    _("{problem} ({platform})", problem=issue.message, platform=platform.name),
                    issue.hint,
                )
            )
    if shows_photo and not story.credits:
        diags.append(
            loaded.diagnostic(
                "warning",
                ("credits",),
                _("cards show a photo but the story has no credits line"),
                _('add `credits: "Ảnh: ..."` naming the photographer or source'),
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
    highlight: bool | None = None,
    source: bytes | None = None,
) -> Validated:
    return validate(
        load_story(path, root, source), requested, themes_dirs, strict, layout_pass, highlight
    )


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
        texts: list[tuple[str, str, str | None, dict]] = [
            ("post.txt", "post", post.text, {}),
            ("caption.txt", "caption", post.paste, _caption_extra(post)),
            ("alt.txt", "alt", post.alt_file, {"images": [name for name, _ in post.alt]}),
        ]
        for name, output, text, extra in texts:
            if text is None:
                continue
            data = text.encode("utf-8")
            target = folder / name
            write_bytes(target, data)
            entries.append(
                ManifestEntry(
                    path=str(target.relative_to(out_dir)),
                    story=loaded.id,
                    platform=platform.name,
                    output=output,
                    width=None,
                    height=None,
                    bytes=len(data),
                    sha256=sha256_bytes(data),
                    extra=extra,
                )
            )
    return entries


def _caption_extra(post: PostText) -> dict:
    """What the manifest says about caption.txt: its length, first line and title."""
    extra: dict = {
        "chars": len(post.paste.rstrip("\n")),
        "first_line": post.paste.split("\n", 1)[0],
    }
    if post.title:
        extra["title"] = post.title
    return extra


def describe_error(path: Path, exc: BaseException) -> list[Diagnostic]:
    """Turn any failure into diagnostics naming the story file, in plain words."""
    from outreach.diagnostics import explain_os_error

    shown = display_path(path)
    if isinstance(exc, StoryError):
        return [
            d
            if d.path
            else Diagnostic(shown, d.line, d.col, d.severity, d.field, d.message, d.hint)
            for d in exc.diagnostics
        ]
    if isinstance(exc, ThemeError):
        return [Diagnostic(shown, 0, 0, "error", "theme", exc.message, exc.hint)]
    if isinstance(exc, OSError):
        message, hint = explain_os_error(exc)
        return [Diagnostic(shown, 0, 0, "error", "(output)", message, hint)]
    if isinstance(exc, MemoryError):
        return [
            Diagnostic(
                shown,
                0,
                0,
                "error",
                "(render)",
                _("ran out of memory while rendering this story"),
                _("use smaller photos, or run with fewer jobs (-j 1)"),
            )
        ]
    from outreach.ffmpeg import FFmpegError

    if isinstance(exc, FFmpegError):
        return [
            Diagnostic(
                shown,
                0,
                0,
                "error",
                "(video)",
                _("the video encoder stopped before the video was complete"),
                _("check the free disk space, then run again; -v shows the encoder's messages"),
            )
        ]
    return [
        Diagnostic(
            shown,
            0,
            0,
            "error",
            "(render)",
            _("unexpected failure ({kind})", kind=type(exc).__name__),
            _("this is a bug in outreach; run with -v for details and report it"),
        )
    ]


__all__ = ["FieldPath", "Validated", "validate", "load_and_validate", "render_cards", "CardMemo"]
