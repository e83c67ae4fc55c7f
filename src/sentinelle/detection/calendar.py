"""Working days in France: week-ends and public holidays. Lateness is counted in working days,
as suppliers and hospital stores count it (a line due on Friday and delivered on Monday is one
day late, not three)."""

from __future__ import annotations

from datetime import date, timedelta


def french_holidays(year: int) -> set[date]:
    # Easter by the anonymous Gregorian algorithm, for Easter Monday, Ascension and Whit Monday.
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    easter = date(year, month, day)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    return {date(year, mo, da) for mo, da in fixed} | {easter + timedelta(days=n) for n in (1, 39, 50)}


def working_days(first: date, last: date) -> list[tuple[date, bool, int]]:
    """(day, is a working day, working-day number) from first to last; the number counts the working
    days up to and including that day, so a week-end day shares the number of the Friday before."""
    holidays = set().union(*(french_holidays(y) for y in range(first.year, last.year + 1)))
    out, n, day = [], 0, first
    while day <= last:
        working = day.weekday() < 5 and day not in holidays
        n += working
        out.append((day, working, n))
        day += timedelta(days=1)
    return out
