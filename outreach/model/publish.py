"""`publish:` — when a story goes out: a date, or a date and a time, with an optional zone.

    publish: 2026-11-27                     # the date; each platform's default time
    publish: 2026-11-27 19:30               # Vietnam time (Asia/Ho_Chi_Minh)
    publish: 2026-11-27 19:30 +07:00        # an offset
    publish: 2026-11-27 19:30 Europe/Paris  # an IANA zone name

The value is kept as canonical text (`2026-11-27 19:30 Asia/Ho_Chi_Minh`), so the model
stays plain data; `moment()` turns it into an aware datetime when a schedule needs it.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from outreach.i18n import _

#: The zone of a time written without one: the team publishes for Vietnam.
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

_SHAPE = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[ T]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
    r"\s*(?P<zone>Z|UTC|[+-]\d{2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)+)?"
)
EXAMPLE = "2026-11-27 19:30"


@dataclass(frozen=True)
class Publish:
    date: dt.date
    time: dt.time | None  # None: only a date was given
    zone: str  # an IANA name or an offset like +07:00

    def text(self) -> str:
        if self.time is None:
            return self.date.isoformat()
        fmt = "%H:%M:%S" if self.time.second else "%H:%M"
        return f"{self.date.isoformat()} {self.time.strftime(fmt)} {self.zone}"

    def tzinfo(self) -> dt.tzinfo:
        return zone_info(self.zone)

    def moment(self, default_time: dt.time | None = None) -> dt.datetime | None:
        """The aware datetime, with `default_time` when only a date was given."""
        at = self.time or default_time
        if at is None:
            return None
        return dt.datetime.combine(self.date, at, self.tzinfo())


def zone_info(zone: str) -> dt.tzinfo:
    """An offset (`+07:00`, `Z`, `UTC`) or an IANA name; ValueError in plain words."""
    if zone in ("Z", "UTC"):
        return dt.UTC
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})?", zone)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(
                _("`{zone}` is not a time-zone offset (they run from -12:00 to +14:00)", zone=zone)
            )
        sign = 1 if m.group(1) == "+" else -1
        return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        return zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            _(
                "`{zone}` is not a time zone this computer knows; use an offset like +07:00 "
                "or a name like {default}",
                zone=zone,
                default=DEFAULT_ZONE,
            )
        ) from None


def _offset_text(tz: dt.tzinfo, when: dt.datetime) -> str:
    offset = tz.utcoffset(when) or dt.timedelta(0)
    total = int(offset.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def parse_publish(value: object) -> Publish:
    """A `publish:` value as YAML gives it (a date, a datetime or text); ValueError with a
    message that says what is wrong."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return Publish(value.date(), value.time().replace(microsecond=0), DEFAULT_ZONE)
        zone = _offset_text(value.tzinfo, value)
        return Publish(value.date(), value.time().replace(microsecond=0, tzinfo=None), zone)
    if isinstance(value, dt.date):
        return Publish(value, None, DEFAULT_ZONE)
    if not isinstance(value, str):
        raise ValueError(_("must start with a date, like {example}", example=EXAMPLE))
    text = " ".join(value.split())
    m = _SHAPE.fullmatch(text)
    if not m:
        raise ValueError(
            _("`{text}` is not a date and time like {example}", text=text[:60], example=EXAMPLE)
        )
    try:
        date = dt.date.fromisoformat(
            "-".join(f"{int(p):02d}" if i else p for i, p in enumerate(m["date"].split("-")))
        )
    except ValueError:
        raise ValueError(
            _("{date} is not a real date (check the day and the month)", date=m["date"])
        ) from None
    at: dt.time | None = None
    if m["time"]:
        parts = [int(p) for p in m["time"].split(":")]
        hour, minute, second = (parts + [0])[:3]
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(_("{time} is not a time of day (00:00 to 23:59)", time=m["time"]))
        at = dt.time(hour, minute, second)
    zone = m["zone"]
    if zone and at is None:
        raise ValueError(
            _(
                "`{text}` gives a time zone but no time; write it like {example} {zone}",
                text=text,
                example=EXAMPLE,
                zone=zone,
            )
        )
    if zone:
        zone_info(zone)  # raises for an unknown zone
        if re.fullmatch(r"[+-]\d{2}", zone):
            zone += ":00"
        elif re.fullmatch(r"[+-]\d{4}", zone):
            zone = f"{zone[:3]}:{zone[3:]}"
    return Publish(date, at, zone or DEFAULT_ZONE)


def canonical_publish(value: object) -> str:
    """The pydantic validator of `publish:`: any accepted form to its canonical text."""
    return parse_publish(value).text()
