"""Working days by calendar zone: the establishment's own public holidays count."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from sentinelle.detection.calendar import ZONE_STEP, ZONES, french_holidays, working_days, working_days_after, zone_sql

GOOD_FRIDAY_2025, BOXING_DAY_2025 = date(2025, 4, 18), date(2025, 12, 26)


def test_mainland_holidays_are_the_eleven_of_the_law() -> None:
    days = french_holidays(2025)
    assert len(days) == 11 and date(2025, 4, 21) in days and date(2025, 6, 9) in days  # Easter and Whit Monday
    assert GOOD_FRIDAY_2025 not in days and BOXING_DAY_2025 not in days


@pytest.mark.parametrize("zone", ["57", "6AE"])
def test_alsace_moselle_keeps_good_friday_and_boxing_day(zone: str) -> None:
    assert {GOOD_FRIDAY_2025, BOXING_DAY_2025} <= french_holidays(2025, zone)


def test_a_working_day_number_names_its_zone_and_counts_within_it() -> None:
    mainland = dict((d, (w, n)) for d, w, n in working_days(date(2025, 4, 17), date(2025, 4, 22)))
    alsace = dict((d, (w, n)) for d, w, n in working_days(date(2025, 4, 17), date(2025, 4, 22), "6AE"))
    # Thursday 17 to Tuesday 22 April 2025: Good Friday works on the mainland, not in Strasbourg;
    # Easter Monday works nowhere.
    assert [w for w, _ in mainland.values()] == [True, True, False, False, False, True]
    assert [w for w, _ in alsace.values()] == [True, False, False, False, False, True]
    assert mainland[date(2025, 4, 22)][1] - mainland[date(2025, 4, 17)][1] == 2
    assert alsace[date(2025, 4, 22)][1] - alsace[date(2025, 4, 17)][1] == 1
    assert alsace[date(2025, 4, 17)][1] // ZONE_STEP == ZONES.index("6AE")


@pytest.mark.parametrize(("finess", "zone"), [
    ("690000880", ""), ("750000000", ""), ("570000000", "57"), ("670780055", "6AE"), ("680000000", "6AE"),
    ("970100000", "971"), ("970400000", "974"), ("970600000", "976"), ("2A0000000", ""),
])
def test_an_establishment_reads_its_zone_from_its_finess(finess: str, zone: str) -> None:
    found = duckdb.connect().execute(f"SELECT {zone_sql('f')} FROM (SELECT ? AS f)", [finess]).fetchone()
    assert found is not None and ZONES[found[0]] == zone


def test_working_days_after_skips_week_ends_and_the_zone_s_holidays() -> None:
    friday = date(2025, 4, 18)  # Good Friday: a holiday in Alsace-Moselle only
    assert working_days_after(friday, 0) == friday
    assert working_days_after(friday, 1) == date(2025, 4, 22)  # Easter Monday is a holiday everywhere
    assert working_days_after(friday, 0, "57") == date(2025, 4, 22)
    assert working_days_after(date(2025, 4, 17), 1, "57") == date(2025, 4, 22)
