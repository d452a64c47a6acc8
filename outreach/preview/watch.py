"""File watching: turn changes under the stories and theme folders into preview refreshes.

A story YAML change refreshes that story only; any other change (a photo, a theme file,
a font) may affect every story, so it refreshes them all and card hashes decide what
is actually redrawn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.atomic import is_temp_file
from outreach.model.loader import STORY_SUFFIXES

#: Editor droppings and our own temp files never trigger a refresh.
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")
IGNORED_DIRS = {".git", "__pycache__", "output", "node_modules"}
#: Short debounce: watchfiles' default (1.6 s) would miss the ~1 s update target.
DEBOUNCE_MS = 150
STEP_MS = 40


class MissingWatchfiles(RuntimeError):
    pass


def import_watchfiles() -> Any:
    """watchfiles is an optional extra; say how to get it instead of a traceback."""
    try:
        import watchfiles
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingWatchfiles(
            "the preview needs the `watchfiles` package — install it with "
            "`pip install 'outreach[preview]'`"
        ) from exc
    return watchfiles


@dataclass(frozen=True)
class ChangeSet:
    """What changed: story files to reload, or everything (theme, media, fonts)."""

    stories: frozenset[Path]
    everything: bool


def classify(paths: Iterable[Path], stories_dir: Path) -> ChangeSet | None:
    """Sort changed paths into story edits and everything else; None if nothing matters."""
    stories: set[Path] = set()
    everything = False
    root = stories_dir.resolve()
    for path in paths:
        if _ignored(path):
            continue
        if path.suffix in STORY_SUFFIXES and _is_story(path, root):
            stories.add(path)
        else:
            everything = True
    if not stories and not everything:
        return None
    return ChangeSet(frozenset(stories), everything)


def _ignored(path: Path) -> bool:
    name = path.name
    if is_temp_file(path) or name.endswith(IGNORED_SUFFIXES) or name.startswith(".#"):
        return True
    return any(part in IGNORED_DIRS for part in path.parts)


def _is_story(path: Path, root: Path) -> bool:
    try:
        rel = path.resolve().relative_to(root)
    except ValueError:
        return False  # a YAML file in a themes folder elsewhere
    return "themes" not in rel.parts and not any(p.startswith(".") for p in rel.parts)


class Watcher:
    """Watches folders in a background thread and calls `on_change` with each ChangeSet."""

    def __init__(
        self, folders: Iterable[Path], stories_dir: Path, on_change: Callable[[ChangeSet], object]
    ):
        unique = [f for f in dict.fromkeys(Path(p).resolve() for p in folders) if f.is_dir()]
        # A folder inside another watched one (stories/themes) would report changes twice.
        self.folders = [
            f for f in unique if not any(f != o and f.is_relative_to(o) for o in unique)
        ]
        self.stories_dir = stories_dir
        self.on_change = on_change
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        watchfiles = import_watchfiles()
        self._thread = threading.Thread(
            target=self._run, args=(watchfiles,), name="preview-watch", daemon=True
        )
        self._thread.start()
        self._ready.wait(5)

    def _run(self, watchfiles: Any) -> None:
        try:
            self._ready.set()
            for changes in watchfiles.watch(
                *self.folders,
                stop_event=self._stop,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                rust_timeout=500,
                yield_on_timeout=False,
                raise_interrupt=False,
                watch_filter=None,
            ):
                change = classify((Path(p) for _, p in changes), self.stories_dir)
                if change is not None:
                    try:
                        self.on_change(change)
                    except Exception as exc:  # noqa: BLE001 — keep watching after a bad refresh
                        self.error = exc
        except Exception as exc:  # noqa: BLE001
            self.error = exc

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
