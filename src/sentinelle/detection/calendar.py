"""Working days in France: week-ends and public holidays, by calendar zone. Lateness is counted in
working days, as suppliers and hospital stores count it (a line due on Friday and delivered on Monday
is one day late, not three), and in the establishment's own calendar: Alsace-Moselle keeps Good
Friday and 26 December, each overseas department the day of the abolition of slavery. The holidays
come from the `holidays` package."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

# The calendar zones, numbered: 0 is mainland France; the others are subdivisions of `holidays`.
ZONES: tuple[str, ...] = ("", "57", "6AE", "971", "972", "973", "974", "976")
# A zone's working days are numbered from ZONE_STEP × its number, so that a working-day number
# names its zone and its day at once (differences within a zone are working days).
ZONE_STEP = 1_000_000
# A day of a zone as one integer, the calendar's join key (day_key): one key per join, so that the
# joins of a line's several dates with the calendar share no column the planner could chain them by.
EPOCH = date(2000, 1, 1)
DAY_STEP = 100_000


@cache
def french_holidays(year: int, zone: str = "") -> frozenset[date]:
    return frozenset(holidays.France(years=year, subdiv=zone or None))


def is_working(day: date, zone: str = "") -> bool:
    """Whether `day` is a working day in `zone` (no week-end, no public holiday there)."""
    return day.weekday() < 5 and day not in french_holidays(day.year, zone)


def day_key(zone_number: str, day: str) -> str:
    """SQL: the calendar key of date expression `day` in the zone numbered by expression `zone_number`."""
    return f"({zone_number} * {DAY_STEP} + date_diff('day', DATE '{EPOCH.isoformat()}', {day}))"


def working_days(first: date, last: date, zone: str = "") -> list[tuple[date, bool, int]]:
    """(day, is a working day, working-day number) from first to last; the number counts the working
    days up to and including that day, so a week-end day shares the number of the Friday before."""
    out, n, day = [], ZONES.index(zone) * ZONE_STEP, first
    while day <= last:
        working = is_working(day, zone)
        n += working
        out.append((day, working, n))
        day += timedelta(days=1)
    return out



def working_days_after(day: date, n: int, zone: str = "") -> date:
    """The n-th working day after `day` in `zone` (n = 0: `day` itself if it works, else the next
    working day)."""
    while n > 0 or not is_working(day, zone):
        day += timedelta(days=1)
        n -= is_working(day, zone)
    return day


def zone_sql(finess: str) -> str:
    """SQL: the calendar zone number of the establishment whose FINESS is the expression `finess`
    (its first two digits are its department; overseas, 970 and the department's last digit)."""
    overseas = " ".join(f"WHEN {finess} LIKE '970{z[-1]}%' THEN {ZONES.index(z)}" for z in ZONES if z.startswith("97"))
    return (f"CASE WHEN {finess} LIKE '57%' THEN {ZONES.index('57')} "
            f"WHEN {finess} LIKE '67%' OR {finess} LIKE '68%' THEN {ZONES.index('6AE')} {overseas} ELSE 0 END")
