"""What the pack hands to the person who posts: each vertical platform folder holds its
own video as a real file, named for its story and platform; the pack's root holds the
week's schedule (`schedule.csv`, `schedule.ics`), one row and one event per post.

The encode is made once per story in `<story>/_video/` (shared by TikTok, Shorts and
Reels); every platform folder gets a hard link to it (no extra disk space, a real file to
every program and in the zip), named `<story>-<platform>.mp4` so that files saved side by
side from several folders (a phone's downloads) still say what they are. Each link is a
manifest entry (`"output": "platform-video"`) of the platform's video unit, so the pack's
ledger, its narrow runs and its clean-up treat it like any other output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.atomic import link_file
from outreach.pack.manifest import ManifestEntry

PLATFORM_VIDEO = "platform-video"


def platform_video_name(story_id: str, platform: str) -> str:
    return f"{story_id}-{platform}.mp4"


def place_platform_videos(made: list[ManifestEntry], pack_dir: Path) -> list[ManifestEntry]:
    """A hard link (else a copy) of each platform's video in its own folder; the entries."""
    out: list[ManifestEntry] = []
    for entry in made:
        if entry.output != "video" or entry.extra.get("captions") is False:
            continue  # video-clean.mp4 stays in the shared folder, for editors
        source = pack_dir / entry.path
        rel = Path(entry.story) / entry.platform / platform_video_name(entry.story, entry.platform)
        link_file(source, pack_dir / rel)
        extra: dict[str, Any] = {"same_as": entry.path}
        for name in ("duration", "fps", "voice", "draft"):
            if name in entry.extra:
                extra[name] = entry.extra[name]
        out.append(
            ManifestEntry(
                rel.as_posix(),
                entry.story,
                entry.platform,
                PLATFORM_VIDEO,
                entry.width,
                entry.height,
                entry.bytes,
                entry.sha256,
                extra=extra,
            )
        )
    return out


# --- the schedule: schedule.csv and schedule.ics at the pack root ----------------------------

SCHEDULE_CSV = "schedule.csv"
SCHEDULE_ICS = "schedule.ics"
#: The contract's columns first, in this order; then what a scheduling tool may also use.
CSV_COLUMNS = (
    "date",
    "time",
    "platform",
    "story",
    "media",
    "caption",
    "timezone",
    "datetime",
    "network",
    "title",
    "caption_file",
    "alt_file",
)
MEDIA_SEPARATOR = ";"
IMAGE_OUTPUTS = ("card", "slide", "thumbnail")
#: How long each post's calendar event lasts, and when its reminder rings.
EVENT_MINUTES = 15
REMINDER_MINUTES = 15


@dataclass(frozen=True)
class Post:
    """One row of the schedule: one story on one platform at one moment."""

    when: dt.datetime  # aware
    zone: str
    platform: str
    label: str
    network: str
    story: str
    title: str
    media: tuple[str, ...]
    caption: str
    caption_file: str
    alt_file: str

    def row(self) -> dict[str, str]:
        return {
            "date": self.when.date().isoformat(),
            "time": self.when.strftime("%H:%M"),
            "platform": self.platform,
            "story": self.story,
            "media": MEDIA_SEPARATOR.join(self.media),
            "caption": self.caption,
            "timezone": self.zone,
            "datetime": self.when.isoformat(timespec="minutes"),
            "network": self.network,
            "title": self.title,
            "caption_file": self.caption_file,
            "alt_file": self.alt_file,
        }


def default_time(platform: Any) -> dt.time:
    """The preset's `post_at` (data in presets.yaml), used when `publish:` has no time."""
    text = str(platform.extra.get("post_at", "19:00"))
    hour, minute = (int(p) for p in text.split(":"))
    return dt.time(hour, minute)


def story_moment(
    publish: str | None, week: str, undated_index: int, platform: Any
) -> tuple[dt.datetime, str]:
    """When a story goes out on a platform, and the zone it is written in.

    `publish:` with a time: that moment. A date alone: the platform's default time that day.
    No date (only `week:`, or neither): the stories without a date are spread over the
    pack's week in the order of their ids, Monday first, at each platform's default time.
    """
    from outreach.model.publish import DEFAULT_ZONE, parse_publish, zone_info

    if publish:
        when = parse_publish(publish)
        moment = when.moment(default_time(platform))
        assert moment is not None
        return moment, when.zone
    year, number = (int(p) for p in week.split("-W"))
    day = dt.date.fromisocalendar(year, number, 1) + dt.timedelta(days=undated_index % 7)
    return dt.datetime.combine(day, default_time(platform), zone_info(DEFAULT_ZONE)), DEFAULT_ZONE


def schedule_posts(report: Any) -> list[Post]:
    """Every post of the pack: one per story and platform that has files in it, from the
    manifest entries (a narrow run's kept outputs included), sorted by time."""
    from outreach.platforms import load_presets

    presets = load_presets()
    undated = sorted(sid for sid, s in report.stories.items() if not s.publish and s.title)
    posts: list[Post] = []
    earlier: list[Post] | None = None
    for sid, status in report.stories.items():
        if not status.title:
            # The story does not load now: its kept (stale) files keep their rows from the
            # schedule the pack wrote before, so the poster loses nothing.
            if earlier is None:
                earlier = read_schedule(report.pack_dir / SCHEDULE_CSV)
            posts += [p for p in earlier if p.story == sid]
            continue
        by_platform: dict[str, list[dict[str, Any]]] = {}
        for entry in status.entries:
            by_platform.setdefault(entry["platform"], []).append(entry)
        for name in status.platforms:
            entries = by_platform.get(name, [])
            platform = presets.get(name)
            if platform is None or not entries:
                continue
            videos = [e["path"] for e in entries if e.get("output") == PLATFORM_VIDEO]
            images = [e for e in entries if e.get("output") in IMAGE_OUTPUTS]
            if videos:
                covers = [e["path"] for e in images if e.get("card") == "cover"]
                media = [*videos, *covers[:1]]
            else:
                media = [e["path"] for e in images]
            caption_file = next((e["path"] for e in entries if e.get("output") == "caption"), "")
            alt_file = next((e["path"] for e in entries if e.get("output") == "alt"), "")
            caption = ""
            if caption_file:
                try:
                    caption = (report.pack_dir / caption_file).read_text(encoding="utf-8")
                except OSError:
                    caption = ""
            index = undated.index(sid) if sid in undated else 0
            moment, zone = story_moment(status.publish, report.week, index, platform)
            posts.append(
                Post(
                    moment,
                    zone,
                    name,
                    platform.label,
                    platform.network,
                    status.id,
                    status.title,
                    tuple(media),
                    caption.rstrip("\n"),
                    caption_file,
                    alt_file,
                )
            )
    order = {name: i for i, name in enumerate(presets)}
    posts.sort(key=lambda p: (p.when.astimezone(dt.UTC), p.story, order.get(p.platform, 99)))
    return posts


def read_schedule(path: Path) -> list[Post]:
    """The posts of a schedule.csv the pack wrote (rows it cannot read are skipped)."""
    import csv
    import io

    from outreach.platforms import load_presets

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    presets = load_presets()
    posts: list[Post] = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        try:
            when = dt.datetime.fromisoformat(row["datetime"])
            preset = presets.get(row["platform"])
            posts.append(
                Post(
                    when,
                    row["timezone"],
                    row["platform"],
                    preset.label if preset else row["platform"],
                    row["network"],
                    row["story"],
                    row["title"],
                    tuple(m for m in row["media"].split(MEDIA_SEPARATOR) if m),
                    row["caption"],
                    row["caption_file"],
                    row["alt_file"],
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return posts


def schedule_csv(posts: list[Post]) -> str:
    """UTF-8 CSV (RFC 4180: quoted fields, CRLF rows), one row per post."""
    import csv
    import io

    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS))
    writer.writeheader()
    for post in posts:
        writer.writerow(post.row())
    return buf.getvalue()


def _ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 lines: at most 75 octets, continued on lines starting with a space, never
    cutting a UTF-8 character in two."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def schedule_ics(posts: list[Post], week: str) -> str:
    """An iCalendar file: one event per post (in UTC, so no time-zone tables are needed),
    its caption and files in the description, a reminder before it."""
    year, number = (int(p) for p in week.split("-W"))
    stamp = dt.datetime.combine(dt.date.fromisocalendar(year, number, 1), dt.time(0), dt.UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//outreach//content pack schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_escape(f'outreach {week}')}",
    ]
    for post in posts:
        description = post.caption
        if post.media:
            description += "\n\n" + "\n".join(post.media)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{post.story}.{post.platform}.{week}@outreach",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(post.when)}",
            f"DURATION:PT{EVENT_MINUTES}M",
            f"SUMMARY:{_ics_escape(f'{post.label}: {post.title}')}",
            f"DESCRIPTION:{_ics_escape(description)}",
            f"CATEGORIES:{_ics_escape(post.platform)}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_ics_escape(f'{post.label}: {post.title}')}",
            f"TRIGGER:-PT{REMINDER_MINUTES}M",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
