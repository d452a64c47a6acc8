"""`outreach render`: validate each story, render it, and update DIR/manifest.json."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from outreach.pack.manifest import MANIFEST_NAME, merge_into_manifest
from outreach.pack.story import CardMemo, describe_error, load_all, render_cards, validate


class OutputFolderError(Exception):
    """The output folder cannot be used (a usage error, exit 2)."""

    def __init__(self, message: str, hint: str):
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}")


def check_output_folder(out_dir: Path, roots: list[Path]) -> None:
    """Refuse an output folder that holds the stories, or cannot be written, before any
    story is rendered."""
    from outreach.diagnostics import display_path

    target = out_dir.resolve()
    for root in {r.resolve() for r in roots}:
        if root == target or root.is_relative_to(target):
            raise OutputFolderError(
                f"the output folder {display_path(target)} contains the stories folder "
                f"{display_path(root)}",
                "choose an output folder outside the stories, e.g. -o output/",
            )
    for parent in (target, *target.parents):
        if parent.exists():
            if not parent.is_dir():
                raise OutputFolderError(
                    f"cannot use {display_path(target)} as the output folder: "
                    f"{display_path(parent)} is a file",
                    "choose another folder with -o",
                )
            break
    probe_writable(target, OutputFolderError)


def probe_writable(folder: Path, error: type[Exception]) -> None:
    """Create `folder` and write a file in it, or raise `error(message, hint)` saying why
    not (read-only, full, not allowed), before any story is rendered."""
    import os

    from outreach.diagnostics import display_path, explain_os_error

    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        message, hint = explain_os_error(exc)
        raise error(
            f"cannot write into the output folder {display_path(folder)}: {message}", hint
        ) from None


def render_stories(
    found: list[tuple[Path, Path]],
    out_dir: Path,
    platforms: list[str] | None,
    only: str | None,
    quality: str,
    themes_dirs: tuple[Path, ...],
    console: Any,
    highlight: bool = True,
    clean: bool = False,
) -> bool:
    """Render every story; a broken one is reported and skipped. True if all succeeded.

    Raises OutputFolderError before anything is written when `out_dir` is unusable.
    """
    import click

    check_output_folder(out_dir, [root for _, root in found])
    memo = CardMemo()
    all_ok = True
    for story_path, loaded, problems in load_all(found):
        try:
            if problems or loaded is None:
                raise _Failed(problems)
            validated = validate(loaded, platforms, themes_dirs, highlight=highlight)
        except Exception as exc:  # noqa: BLE001
            diags = exc.diagnostics if isinstance(exc, _Failed) else describe_error(story_path, exc)
            for d in diags:
                console.diag(d)
            console.info(f"{story_path}: not rendered (fix the errors above)")
            all_ok = False
            continue
        for d in validated.diagnostics:
            if d.severity != "error":
                console.diag(d)
        entries = []
        try:
            if only in (None, "cards"):
                with click.progressbar(
                    validated.platforms,
                    label=f"{validated.loaded.id}: cards",
                    file=None if not console.quiet else io.StringIO(),
                    item_show_func=lambda p: p.name if p else "",
                ) as bar:
                    for platform in bar:
                        entries += render_cards(validated, out_dir, memo, [platform])
            if only in (None, "video"):
                from outreach.pack.video import render_videos

                entries += render_videos(validated, out_dir, quality, console, highlight=highlight)
        except Exception as exc:  # noqa: BLE001
            for d in describe_error(story_path, exc):
                console.diag(d)
            all_ok = False
            continue
        merge_into_manifest(
            out_dir / MANIFEST_NAME, [e.as_dict() for e in entries], {validated.loaded.id}
        )
        console.info(
            f"{validated.loaded.id}: {len(entries)} files in {out_dir / validated.loaded.id}"
        )
    return all_ok


class _Failed(Exception):
    def __init__(self, diagnostics: list[Any]):
        self.diagnostics = diagnostics
        super().__init__("story failed to load")
