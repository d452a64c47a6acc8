"""index.html: the contact sheet the person who posts opens by double-click, with no server.

Everything is inline (CSS, script) and every link is relative, so it makes no network
request and also works from the unzipped pack. It is written for posting: story titles,
a platform filter, identical renders shown once with the platforms they serve, a
full-size lightbox with the platform's safe zone, Copy buttons that copy exactly each
platform's `caption.txt` (and its alt text), a download link for every file and a
"posted" checklist kept in the browser (localStorage). Its words follow the interface
language (`outreach.i18n`); the story's own text is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from outreach.diagnostics import Diagnostic

CARD_OUTPUTS = ("card", "slide", "thumbnail")
POSTER_OUTPUTS = ("cover", "poster")
VIDEO_OUTPUTS = ("video", "platform-video")
#: The platform folder's own copy of a shared encode (pack/handoff): shown instead of it.
PLATFORM_VIDEO = "platform-video"
#: The per-platform hand-off texts (pack/handoff): exactly what to paste.
CAPTION_NAME = "caption.txt"
ALT_NAME = "alt.txt"


@dataclass
class SafeZone:
    """Pixels the platform's own interface covers, as shares of the canvas (for CSS)."""

    top: float
    bottom: float
    left: float
    right: float


@dataclass
class PlatformView:
    name: str
    label: str = ""
    cards: list[dict[str, Any]] = field(default_factory=list)
    videos: list[dict[str, Any]] = field(default_factory=list)
    poster: str | None = None
    post_path: str | None = None
    post_text: str = ""
    caption_path: str | None = None
    #: Exactly the caption to paste: caption.txt, else (older packs) the whole post.txt.
    caption_text: str = ""
    alt_path: str | None = None
    alt_text: str = ""
    other: list[dict[str, Any]] = field(default_factory=list)
    #: Every file of this platform, for the download list (videos included).
    files: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    failed: bool = False
    safe: SafeZone | None = None

    @property
    def render_key(self) -> tuple[str, ...]:
        """What the poster sees: platforms with the same images and video look the same."""
        return tuple(str(e.get("sha256") or e["path"]) for e in (*self.cards, *self.videos))


@dataclass
class RenderGroup:
    """One set of identical renders and the platforms it serves (shown once)."""

    platforms: list[PlatformView]

    @property
    def first(self) -> PlatformView:
        return self.platforms[0]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.platforms]

    @property
    def safe(self) -> SafeZone | None:
        """The area clear of every served platform's buttons: the largest margin of each."""
        zones = [p.safe for p in self.platforms if p.safe is not None]
        if not zones:
            return None
        return SafeZone(
            max(z.top for z in zones),
            max(z.bottom for z in zones),
            max(z.left for z in zones),
            max(z.right for z in zones),
        )


@dataclass
class StoryView:
    id: str
    path: str
    platforms: list[PlatformView]
    warnings: list[Diagnostic]
    errors: list[Diagnostic]
    title: str = ""
    groups: list[RenderGroup] = field(default_factory=list)


def _mentions(d: Diagnostic, platform: str) -> bool:
    return re.search(rf"[(\s,]{re.escape(platform)}[),\s]", d.message + " ") is not None


def _read(pack_dir: Path, relative: str) -> str:
    try:
        return (pack_dir / relative).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _platform_info() -> dict[str, tuple[str, SafeZone]]:
    """name -> (label, safe zone as shares of the canvas), from the presets."""
    from outreach.platforms import all_platforms

    out: dict[str, tuple[str, SafeZone]] = {}
    for p in all_platforms():
        zone = SafeZone(
            p.safe_top / p.height,
            p.safe_bottom / p.height,
            p.safe_left / p.width,
            p.safe_right / p.width,
        )
        out[p.name] = (p.label, zone)
    return out


def _name(entry: dict[str, Any]) -> str:
    return PurePosixPath(entry["path"]).name


def story_views(report: Any) -> list[StoryView]:
    """Per story and platform: its files from the manifest entries, its caption and alt
    text and the warnings that name it (story-wide warnings stay on the story); then the
    platforms grouped by identical renders."""
    info = _platform_info()
    views: list[StoryView] = []
    pack_dir = Path(report.pack_dir)
    for sid in sorted(report.stories):
        status = report.stories[sid]
        by_platform: dict[str, PlatformView] = {n: PlatformView(n) for n in status.platforms}
        for entry in status.entries:  # posting order, as rendered
            pv = by_platform.setdefault(entry["platform"], PlatformView(entry["platform"]))
            out = entry.get("output")
            name = _name(entry)
            pv.files.append(entry)
            if out in CARD_OUTPUTS:
                pv.cards.append(entry)
            elif out in VIDEO_OUTPUTS:
                pv.videos.append(entry)
            elif out == "post":
                pv.post_path = entry["path"]
                pv.post_text = _read(pack_dir, entry["path"])
            elif name == CAPTION_NAME:
                pv.caption_path = entry["path"]
            elif name == ALT_NAME:
                pv.alt_path = entry["path"]
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
            label, zone = info.get(pv.name, (pv.name, None))
            pv.label, pv.safe = label, zone
            if pv.poster is None and pv.cards:
                pv.poster = pv.cards[0]["path"]
            _prefer_platform_videos(pv)
            _find_texts(pv, pack_dir, sid)
            pv.failed = not pv.cards and not pv.videos and pv.post_path is None
        # Preset order, whatever order this run met them in (a narrow run lists its own
        # platforms first): the same pack gives the same page, byte for byte.
        order = {name: i for i, name in enumerate(info)}
        platforms = sorted(
            by_platform.values(), key=lambda p: (order.get(p.name, len(order)), p.name)
        )
        views.append(
            StoryView(
                sid,
                status.path,
                platforms,
                story_wide,
                status.errors,
                title=getattr(status, "title", "") or "",
                groups=group_renders(platforms),
            )
        )
    return views


def _prefer_platform_videos(pv: PlatformView) -> None:
    """A platform folder's own video (a link to the shared encode) replaces the shared
    one in its view and its downloads: one video per platform, in its own folder."""
    own = [v for v in pv.videos if v.get("output") == PLATFORM_VIDEO]
    if not own:
        return
    shared = {v.get("same_as") for v in own} | {
        v["path"] for v in pv.videos if v.get("output") != PLATFORM_VIDEO
    }
    pv.videos = own
    pv.files = [f for f in pv.files if f.get("output") == PLATFORM_VIDEO or f["path"] not in shared]


def _find_texts(pv: PlatformView, pack_dir: Path, story_id: str) -> None:
    """caption.txt and alt.txt of the platform folder (listed in the manifest, else found
    beside the cards); an older pack without caption.txt copies its post.txt."""
    folder = f"{story_id}/{pv.name}"
    if pv.caption_path is None and (pack_dir / folder / CAPTION_NAME).is_file():
        pv.caption_path = f"{folder}/{CAPTION_NAME}"
    if pv.alt_path is None and (pack_dir / folder / ALT_NAME).is_file():
        pv.alt_path = f"{folder}/{ALT_NAME}"
    if pv.caption_path is not None:
        pv.caption_text = _read(pack_dir, pv.caption_path)
    else:
        pv.caption_text = pv.post_text
    if pv.alt_path is not None:
        pv.alt_text = _read(pack_dir, pv.alt_path)
    listed = {e["path"] for e in pv.files}
    for path in (pv.caption_path, pv.alt_path):
        if path is not None and path not in listed:
            pv.files.append({"path": path, "output": "text", "bytes": None})


def group_renders(platforms: list[PlatformView]) -> list[RenderGroup]:
    """Platforms whose images and video are byte-identical share one group, in the order
    the first of them appears; a platform that rendered nothing stays on its own."""
    groups: list[RenderGroup] = []
    by_key: dict[tuple[str, ...], RenderGroup] = {}
    for pv in platforms:
        key = pv.render_key
        if key and key in by_key:
            by_key[key].platforms.append(pv)
            continue
        group = RenderGroup([pv])
        groups.append(group)
        if key:
            by_key[key] = group
    return groups


def _size(value: Any) -> str:
    if not isinstance(value, int):
        return ""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f} MB"
    if value >= 1_000:
        return f"{value / 1_000:.0f} kB"
    return f"{value} B"


def render_index(report: Any) -> str:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from outreach.i18n import _, current_language, ngettext

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(_=_, ngettext=ngettext)
    env.filters["size"] = _size
    env.filters["basename"] = lambda path: PurePosixPath(str(path)).name
    views = story_views(report)
    return env.get_template("index.html.j2").render(
        week=report.week,
        stories=views,
        drafts=report.drafts,
        entries=sum(len(v.platforms) for v in views),
        lang=current_language(),
        platform_names=sorted(
            {p.name: p.label for v in views for p in v.platforms}.items(),
            key=lambda item: item[1].lower(),
        ),
        schedule=[n for n in ("schedule.csv", "schedule.ics") if (report.pack_dir / n).is_file()],
    )
