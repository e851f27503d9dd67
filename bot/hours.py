"""Hotline working hours: is a person there now, and if not, when next.

Spec: "always", or "<days> <HH:MM>-<HH:MM>" with days like "Mon-Fri", "Mon-Sat" or
"Mon,Wed,Fri", in a named time zone. Pure: `now` is always passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^\s*([A-Za-z,\-]+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset[int]
    start: dt.time
    end: dt.time
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, tz: str) -> "WorkingHours":
        zone = ZoneInfo(tz)
        if spec.strip().lower() == "always":
            return cls(frozenset(range(7)), dt.time(0, 0), dt.time(23, 59, 59), zone)
        match = _SPEC.match(spec)
        if not match:
            raise ValueError(f"working hours {spec!r}: expected e.g. 'Mon-Fri 09:00-17:00' or 'always'")
        days = _days(match.group(1))
        start = dt.time(int(match.group(2)), int(match.group(3)))
        end = dt.time(int(match.group(4)), int(match.group(5)))
        if end <= start:
            raise ValueError(f"working hours {spec!r}: the end must be after the start")
        return cls(days, start, end, zone)

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.tz)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_opening(self, now: dt.datetime) -> dt.datetime:
        """The next moment staff are there (now, if they are)."""
        if self.is_open(now):
            return now.astimezone(self.tz)
        local = now.astimezone(self.tz)
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            opening = dt.datetime.combine(day, self.start, self.tz)
            if day.weekday() in self.days and opening > local:
                return opening
        raise ValueError("no working day in the week")


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.lower().split(","):
        if "-" in part:
            first, last = (DAYS.index(p[:3]) for p in part.split("-", 1))
            days.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
        else:
            days.add(DAYS.index(part[:3]))
    return frozenset(days)
