"""`outreach render`: validate each story, render it, and update DIR/manifest.json."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from outreach.pack.manifest import MANIFEST_NAME, merge_into_manifest
from outreach.pack.story import CardMemo, describe_error, load_and_validate, render_cards


def render_stories(
    found: list[tuple[Path, Path]],
    out_dir: Path,
    platforms: list[str] | None,
    only: str | None,
    quality: str,
    themes_dirs: tuple[Path, ...],
    console: Any,
) -> bool:
    """Render every story; a broken one is reported and skipped. True if all succeeded."""
    import click

    memo = CardMemo()
    all_ok = True
    for story_path, root in found:
        try:
            validated = load_and_validate(story_path, root, platforms, themes_dirs)
        except Exception as exc:  # noqa: BLE001
            for d in describe_error(story_path, exc):
                console.diag(d)
            console.info(f"{story_path}: not rendered (fix the errors above)")
            all_ok = False
            continue
        for d in validated.warnings:
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

                entries += render_videos(validated, out_dir, quality, console)
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
