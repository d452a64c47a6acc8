"""index.html: the contact sheet the team opens by double-click, with no server.

Everything is inline (CSS, script) and every link is relative, so it makes no network
request and also works from the unzipped pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.diagnostics import Diagnostic

CARD_OUTPUTS = ("card", "slide", "thumbnail")
POSTER_OUTPUTS = ("cover", "poster")


@dataclass
class PlatformView:
    name: str
    cards: list[dict[str, Any]] = field(default_factory=list)
    videos: list[dict[str, Any]] = field(default_factory=list)
    poster: str | None = None
    post_path: str | None = None
    post_text: str = ""
    other: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    failed: bool = False


@dataclass
class StoryView:
    id: str
    path: str
    platforms: list[PlatformView]
    warnings: list[Diagnostic]
    errors: list[Diagnostic]


def _mentions(d: Diagnostic, platform: str) -> bool:
    return re.search(rf"[(\s,]{re.escape(platform)}[),\s]", d.message + " ") is not None


def story_views(report: Any) -> list[StoryView]:
    """Per story and platform: its files from the manifest entries, its post text and
    the warnings that name it (story-wide warnings stay on the story)."""
    views: list[StoryView] = []
    for sid in sorted(report.stories):
        status = report.stories[sid]
        by_platform: dict[str, PlatformView] = {n: PlatformView(n) for n in status.platforms}
        for entry in status.entries:  # posting order, as rendered
            pv = by_platform.setdefault(entry["platform"], PlatformView(entry["platform"]))
            out = entry.get("output")
            if out in CARD_OUTPUTS:
                pv.cards.append(entry)
            elif out == "video":
                pv.videos.append(entry)
            elif out == "post":
                pv.post_path = entry["path"]
                try:
                    pv.post_text = (report.pack_dir / entry["path"]).read_text(encoding="utf-8")
                except OSError:
                    pv.post_text = ""
            else:
                pv.other.append(entry)
            if out in POSTER_OUTPUTS:
                pv.poster = entry["path"]
        story_wide: list[Diagnostic] = []
        for d in status.warnings:
            named = [pv for n, pv in by_platform.items() if _mentions(d, n)]
            for pv in named:
                pv.warnings.append(d)
            if not named:
                story_wide.append(d)
        for pv in by_platform.values():
            if pv.poster is None and pv.cards:
                pv.poster = pv.cards[0]["path"]
            pv.failed = not pv.cards and not pv.videos and pv.post_path is None
        views.append(
            StoryView(sid, status.path, list(by_platform.values()), story_wide, status.errors)
        )
    return views


def render_index(report: Any) -> str:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    views = story_views(report)
    return env.get_template("index.html.j2").render(
        week=report.week,
        stories=views,
        drafts=report.drafts,
        entries=sum(len(v.platforms) for v in views),
    )
