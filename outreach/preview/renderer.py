"""Preview renders: every story's cards at half scale, on demand, cached by content hash.

Cards come from the same `plan_cards` + `compose` path as `outreach render`, so the page
shows what will be published, at a quarter of the pixels. A story that stops loading keeps
its last good snapshot, so the officer still sees the cards while fixing a typo.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from outreach.diagnostics import Diagnostic, StoryError
from outreach.layout.geometry import Box
from outreach.model.loader import LoadedStory, discover_stories, load_story
from outreach.model.media import is_image
from outreach.model.text import slugify
from outreach.pack.story import describe_error, load_and_validate, validate
from outreach.platforms import Platform
from outreach.render.cards import CardSpec, compose, encode_jpeg, plan_cards, story_values
from outreach.render.layers import TextRecord
from outreach.themes import Theme, ThemeError, load_theme

PREVIEW_SCALE = 0.5
FULL_SCALE = 1.0
SCALES = {"50": PREVIEW_SCALE, "100": FULL_SCALE}
#: Rendered JPEGs kept in memory (least recently used go first); a half-scale card is
#: 60-120 kB, a full-size one 200-600 kB.
CACHE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Recipe:
    """Everything needed to draw one card, keyed by its content hash."""

    spec: CardSpec
    platform: Platform
    theme: Theme
    digest: str


@dataclass(frozen=True)
class Rendered:
    """One composed card: its JPEG and where its text landed (full-scale pixels)."""

    jpeg: bytes
    records: tuple[TextRecord, ...]
    outside: tuple[TextRecord, ...]
    errors: tuple[str, ...]
    millis: float


@dataclass
class PlatformView:
    platform: Platform
    cards: list[Recipe]


@dataclass
class Storyboard:
    """A video's cover and one frame per scene; `video_platforms` may have a rendered file."""

    platform: Platform
    frames: list[tuple[str, Recipe]]  # (caption, recipe)
    video_platforms: list[str] = field(default_factory=list)
    seconds: float | None = None  # from the video timeline, when it is available


@dataclass(frozen=True)
class PostView:
    """What goes beside a platform's cards: the caption to paste, its hashtags and the
    alt text of each image (the same `build_post` as the pack's post text)."""

    caption: str
    hashtags: tuple[str, ...]
    alts: tuple[tuple[str, str], ...]  # (card file name, alt text)
    title: str = ""


@dataclass
class Snapshot:
    """A story that loaded: what its page shows."""

    id: str
    title: str
    hook: str
    kind: str
    lang: str
    status: str
    platforms: list[PlatformView]
    storyboard: Storyboard | None
    at: float
    path: Path | None = None
    loaded: LoadedStory | None = field(default=None, repr=False)
    theme: Theme | None = field(default=None, repr=False)
    _posts: dict[str, PostView] | None = field(default=None, repr=False)

    @property
    def posts(self) -> dict[str, PostView]:
        """platform name -> its post text, built the first time a page shows it (the post
        templates take ~0.1 s a platform on a loaded machine), not when the story loads."""
        if self._posts is None:
            built: dict[str, PostView] = {}
            if self.loaded is not None and self.theme is not None:
                for view in self.platforms:
                    built[view.platform.name] = post_view(self.loaded, view, self.theme)
            self._posts = built
        return self._posts


@dataclass
class StoryState:
    """One story file as the preview last saw it."""

    path: Path
    id: str
    revision: int = 0
    good: Snapshot | None = None
    errors: list[Diagnostic] = field(default_factory=list)  # non-empty: broken right now
    report: list[Diagnostic] | None = None  # what `outreach check` says, once computed
    report_ready: threading.Event = field(default_factory=threading.Event)
    queued: bool = False

    @property
    def broken(self) -> bool:
        return bool(self.errors)

    @property
    def title(self) -> str:
        return self.good.title if self.good else self.path.name


class PreviewRenderer:
    """Holds the state of every story under one stories folder and renders its cards."""

    def __init__(
        self,
        stories_dir: Path,
        themes_dirs: tuple[Path, ...] = (),
        output_dirs: tuple[Path, ...] | None = None,
    ):
        self.stories_dir = stories_dir.resolve()
        self.themes_dirs = tuple(Path(p).resolve() for p in themes_dirs)
        self.output_dirs = (
            output_dirs
            if output_dirs is not None
            else (self.stories_dir.parent / "output", Path.cwd().resolve() / "output")
        )
        self._states: dict[Path, StoryState] = {}
        self._recipes: dict[str, Recipe] = {}
        self._cache: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.RLock()
        self._render_lock = threading.Lock()
        self._revision = 0
        self._queue: queue.LifoQueue[StoryState] = queue.LifoQueue()
        self._worker: threading.Thread | None = None
        self._helper: _CheckHelper | None = None  # started on first use
        self._closed = False
        self._use_helper = True
        self._theme_generation = 0  # bumped when theme files may have changed

    # --- story state ---------------------------------------------------------------------

    def scan(self) -> list[str]:
        """(Re)load every story file; return the ids of all stories."""
        return self.refresh(None)

    def refresh(self, paths: Iterable[Path] | None) -> list[str]:
        """Reload the given story files (None: all of them, after a theme or media change).

        Returns the ids of the stories whose page may have changed.
        """
        found = {p.resolve() for p, _ in discover_stories([self.stories_dir])}
        with self._lock:
            if paths is None:
                load_theme.cache_clear()  # theme files may have changed on disk
                self._theme_generation += 1
                targets = set(found) | set(self._states)
            else:
                targets = {Path(p).resolve() for p in paths}
            changed: list[str] = []
            for path in sorted(targets):
                old = self._states.get(path)
                if path not in found:
                    if old is not None:
                        del self._states[path]
                        changed.append(old.id)
                    continue
                state = self._load(path, old)
                self._states[path] = state
                changed.append(state.id)
                if old is not None and old.id != state.id:
                    changed.append(old.id)
            self._rebuild_recipes()
        for state in self.stories():
            if not state.report_ready.is_set() and not state.queued:
                state.queued = True
                self._queue.put(state)  # LIFO: the story just edited is checked first
        self._start_worker()
        return sorted(set(changed))

    def _load(self, path: Path, old: StoryState | None) -> StoryState:
        self._revision += 1
        state = StoryState(
            path=path,
            id=old.id if old else slugify(path.stem),
            revision=self._revision,
            good=old.good if old else None,
        )
        try:
            loaded = load_story(path, self.stories_dir)
            state.id = loaded.id
            # Schema, theme, platforms and media; the slower layout checks run in the report.
            validated = validate(loaded, None, self.themes_dirs, layout_pass=False)
            state.good = self._snapshot(loaded, validated.theme, validated.platforms)
        except StoryError as exc:
            state.errors = list(exc.diagnostics)
        except Exception as exc:  # noqa: BLE001 — a preview must survive any broken input
            state.errors = describe_error(path, exc)
        if state.errors:
            state.report = state.errors
            state.report_ready.set()
        return state

    def _snapshot(self, loaded: LoadedStory, theme: Theme, platforms: list[Platform]) -> Snapshot:
        story = loaded.story
        views = []
        for platform in platforms:
            recipes = [
                Recipe(s, platform, theme, preview_digest(s, platform, theme))
                for s in plan_cards(loaded, platform, theme)
            ]
            views.append(PlatformView(platform, recipes))
        return Snapshot(
            id=loaded.id,
            title=story.title,
            hook=story.hook,
            kind=story.kind,
            lang=story.lang,
            status=story.status,
            platforms=views,
            storyboard=self._storyboard(loaded, theme, views),
            at=time.time(),
            path=loaded.path,
            loaded=loaded,
            theme=theme,
        )

    def _storyboard(
        self, loaded: LoadedStory, theme: Theme, views: list[PlatformView]
    ) -> Storyboard | None:
        """One frame per scene of the first video platform, timed by the video timeline.

        Cover, quote, facts and CTA scenes show their cards; a beat scene shows the theme's
        beat layout (its photo and text). Without the video package, cover + beats.
        """
        video_views = [v for v in views if v.platform.video is not None]
        if not video_views or not video_views[0].cards:
            return None
        view = video_views[0]
        platform = view.platform
        names = [v.platform.name for v in video_views]
        cards = {r.spec.name: r for r in view.cards}
        beats = self._beat_frames(loaded, theme, platform)
        timeline = _timeline(loaded, theme, platform)
        frames: list[tuple[str, Recipe]] = []
        if timeline is None:
            frames.append(("cover", cards["cover"]))
            frames += [(f"scene {i + 1}", r) for i, r in sorted(beats.items())]
            return Storyboard(platform, frames, names)
        fps = timeline.fps
        for sc in timeline.scenes:
            name = {"fact": f"fact-{sc.index + 1:02d}", "beat": ""}.get(sc.kind, sc.kind)
            recipe = beats.get(sc.index) if sc.kind == "beat" else cards.get(name)
            label = f"beat {sc.index + 1}" if sc.kind == "beat" else (name or sc.kind)
            if recipe is not None:
                frames.append((f"{label} · {sc.start / fps:.1f}–{sc.end / fps:.1f} s", recipe))
        return Storyboard(platform, frames, names, timeline.duration)

    def _beat_frames(
        self, loaded: LoadedStory, theme: Theme, platform: Platform
    ) -> dict[int, Recipe]:
        try:
            theme.layers(platform.format, "beat")
        except ThemeError:
            return {}
        base, sources = story_values(loaded.story, theme)
        out: dict[int, Recipe] = {}
        for i, beat in enumerate(loaded.story.beats):
            photos = {}
            if beat.media and is_image(beat.media):
                photos["beat"] = (loaded.media_path(beat.media), beat.focus)
            spec = CardSpec(
                f"scene-{i + 1:02d}",
                "beat",
                "slide",
                "",
                {**base, "beat_text": beat.text},
                photos,
                {**sources, "beat_text": ("beats", i, "text")},
                f"{theme.string('alt_beat', loaded.story.lang)}: {beat.text}",
            )
            out[i] = Recipe(spec, platform, theme, preview_digest(spec, platform, theme))
        return out

    def video_file(self, snap: Snapshot) -> tuple[str, Path] | None:
        """The newest video made for this story: (platform, file). `outreach render`
        writes `<out>/<id>/<platform>/video.mp4`, `outreach pack` the same under
        `<out>/<week>/` (and its shared encode in `<id>/_video/`).

        Looked up on every request (a few stat calls), so a render or pack made while the
        preview runs shows up on the next page load.
        """
        if snap.storyboard is None:
            return None
        found: list[tuple[int, int, str, Path]] = []
        for rank, out in enumerate(self.output_dirs):
            root = out.resolve()
            for name in snap.storyboard.video_platforms:
                places = [root / snap.id / name, *sorted(root.glob(f"*/{snap.id}/{name}"))]
                places += sorted(root.glob(f"*/{snap.id}/_video"))
                for folder in places:
                    candidate = (folder / "video.mp4").resolve()
                    try:
                        mtime = candidate.stat().st_mtime_ns
                    except OSError:
                        continue
                    if candidate.is_relative_to(root) and candidate.is_file():
                        found.append((mtime, -rank, name, candidate))
        if not found:
            return None
        _mtime, _rank, name, path = max(found, key=lambda f: (f[0], f[1]))
        return name, path

    def video_stale(self, snap: Snapshot, video: Path) -> bool:
        """The story file changed after this video was made: it shows an older version."""
        if snap.path is None:
            return False
        try:
            return snap.path.stat().st_mtime_ns > video.stat().st_mtime_ns
        except OSError:
            return False

    def _rebuild_recipes(self) -> None:
        recipes: dict[str, Recipe] = {}
        for state in self._states.values():
            if state.good is None:
                continue
            for view in state.good.platforms:
                recipes.update((r.digest, r) for r in view.cards)
            if state.good.storyboard:
                recipes.update((r.digest, r) for _, r in state.good.storyboard.frames)
        self._recipes = recipes

    def stories(self) -> list[StoryState]:
        with self._lock:
            return sorted(self._states.values(), key=lambda s: (s.id, str(s.path)))

    def story(self, story_id: str) -> StoryState | None:
        return next((s for s in self.stories() if s.id == story_id), None)

    # --- check report --------------------------------------------------------------------

    def _start_worker(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="preview-check", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            state = self._queue.get()
            if self._closed:
                return
            if self._states.get(state.path) is state:
                try:
                    self._compute_report(state)
                except Exception as exc:  # noqa: BLE001 — the worker must outlive any story
                    state.report = describe_error(state.path, exc)
                    state.report_ready.set()
            else:  # superseded by a newer edit: release anyone waiting on it
                state.report_ready.set()

    def _compute_report(self, state: StoryState) -> None:
        """Run exactly what `outreach check` runs for this story, in a helper process.

        The full check composes every card again; in its own process it runs on the other
        core instead of holding the GIL while the page's cards are drawn.
        """
        args = (state.path, self.stories_dir, self.themes_dirs, self._theme_generation)
        diags = None
        if self._use_helper:
            try:
                if self._helper is None:
                    self._helper = _CheckHelper()
                diags = self._helper.run(*args)
            except Exception:  # noqa: BLE001 — no helper process (or it died): check here
                if self._closed:
                    return
                self._use_helper = False
        if diags is None:
            diags = check_story(*args)
        state.report = diags
        state.report_ready.set()

    def close(self) -> None:
        """Stop the check helper; pending checks are dropped."""
        self._closed = True
        self._queue.put(StoryState(Path(), ""))  # wake the worker so it can exit
        if self._helper is not None:
            self._helper.close()

    def report(self, state: StoryState, timeout: float = 60.0) -> list[Diagnostic] | None:
        state.report_ready.wait(timeout)
        return state.report

    # --- rendering -----------------------------------------------------------------------

    def recipe(self, digest: str) -> Recipe | None:
        return self._recipes.get(digest)

    def render(self, digest: str, scale_key: str = "50") -> Rendered | None:
        """The card with this content hash at this scale; None if no story has it."""
        key = (digest, scale_key)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            recipe = self._recipes.get(digest)
        if recipe is None or scale_key not in SCALES:
            return None
        with self._render_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            rendered = render_recipe(recipe, SCALES[scale_key])
            with self._lock:
                self._cache[key] = rendered
                self._cache_bytes += len(rendered.jpeg)
                while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
                    _, old = self._cache.popitem(last=False)
                    self._cache_bytes -= len(old.jpeg)
        return rendered

    def cached(self, digest: str, scale_key: str = "50") -> bool:
        return (digest, scale_key) in self._cache


_CHECKED_GENERATION = 0


class _CheckHelper:
    """One helper process that runs `check_story` calls, so the full check uses another core.

    Spawned (not forked: the server has threads) and daemonic, so it dies with the preview.
    """

    def __init__(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve_checks, args=(child,), daemon=True, name="outreach-preview-check"
        )
        self._proc.start()
        child.close()

    def run(self, *args: Any) -> list[Diagnostic]:
        self._conn.send(args)
        return self._conn.recv()

    def close(self) -> None:
        self._proc.terminate()
        self._proc.join(2)
        self._conn.close()


def _serve_checks(conn: Connection) -> None:
    _ignore_interrupts()
    while True:
        try:
            args = conn.recv()
            conn.send(check_story(*args))
        except (EOFError, OSError):  # the preview stopped: so does its helper, quietly
            return


def _ignore_interrupts() -> None:
    """Ctrl+C stops the preview, which stops its helper; the helper itself stays quiet."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def check_story(
    path: Path, root: Path, themes_dirs: tuple[Path, ...], generation: int
) -> list[Diagnostic]:
    """`outreach check` for one story: its diagnostics, whatever goes wrong."""
    global _CHECKED_GENERATION
    if generation != _CHECKED_GENERATION:  # a theme changed since this process last looked
        load_theme.cache_clear()
        _CHECKED_GENERATION = generation
    try:
        return load_and_validate(path, root, None, themes_dirs).diagnostics
    except Exception as exc:  # noqa: BLE001
        return describe_error(path, exc)


def _timeline(loaded: LoadedStory, theme: Theme, platform: Platform) -> Any:
    """The video's timeline as the render will make it: the same plan (settings for the
    story's language, narration lengths, the music's beat grid, caption floors), or None."""
    try:
        from outreach.pack.story import Validated
        from outreach.pack.video import plan_videos

        plans = plan_videos(Validated(loaded, theme, [platform]))
        return plans[0].timeline if plans else None
    except Exception:  # noqa: BLE001 — an unfit story: cards only (check says why)
        return None


def post_view(loaded: LoadedStory, view: PlatformView, theme: Theme) -> PostView:
    """The platform's caption, hashtags and alt text, as the pack writes them."""
    from outreach.render.post import build_post

    story = loaded.story
    specs = [r.spec for r in view.cards]
    try:
        post = build_post(story, view.platform, theme, specs)
        # `paste` is exactly the pack's caption.txt, where the post builder has one.
        caption, title = getattr(post, "paste", post.caption), post.title
    except Exception:  # noqa: BLE001 — a broken post template is reported by the checks
        caption, title = "", ""
    tags = tuple(dict.fromkeys(f"#{t.lstrip('#')}" for t in story.hashtags if t))
    alts = tuple((s.filename, s.alt) for s in specs if s.alt)
    return PostView(caption, tags, alts, title)


def preview_digest(spec: CardSpec, platform: Platform, theme: Theme) -> str:
    """`CardSpec.digest` of the card cut down to what decides its pixels.

    A spec carries every text of the story, so its own digest changes with any edit; layers
    read values only through `field` and `when` (see `layers.layer_digest`), so hashing just
    those means an edit to the quote redraws the quote cards and nothing else.
    """
    from outreach.render.cards import card_layers
    from outreach.render.layers import fields_read

    used = fields_read(card_layers(spec, platform, theme))
    values = {k: v for k, v in spec.values.items() if k in used}
    # Pixels depend on the canvas, safe zone and layout family, not on the preset's name:
    # Reels, Story and Facebook Reels share one render, as `CardMemo` does for final renders.
    twin = replace(
        platform,
        name=f"{platform.format}:{platform.canvas}:{platform.safe_rect}:{platform.keep_clear}",
    )
    return replace(spec, values=values).digest(twin, theme)


def render_recipe(recipe: Recipe, scale: float) -> Rendered:
    """Compose one card through the production path and encode it for the browser."""
    start = time.perf_counter()
    result = compose(recipe.spec, recipe.platform, recipe.theme, scale)
    data = encode_jpeg(result.image) if scale >= 1 else _fast_jpeg(result.image)
    return Rendered(
        data,
        tuple(result.records),
        tuple(result.outside),
        tuple(f"{e.field}: {e.message}" for e in result.errors),
        (time.perf_counter() - start) * 1000,
    )


def _fast_jpeg(image: Any) -> bytes:
    """Preview JPEGs skip `optimize`: a few kB bigger, several ms faster."""
    import io

    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=88, subsampling=0)
    return buf.getvalue()


def percent_box(box: Box, platform: Platform) -> dict[str, float]:
    """A full-scale box as percentages of the canvas, for CSS positioning."""
    w, h = platform.canvas
    return {
        "left": 100 * box.x / w,
        "top": 100 * box.y / h,
        "width": 100 * box.w / w,
        "height": 100 * box.h / h,
    }
