import datetime as dt

import pytest

from bot.hours import WorkingHours

UTC = dt.timezone.utc


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_open_inside_hours_in_the_hotlines_time_zone():
    hours = WorkingHours.parse("Mon-Fri 09:00-17:00", "Asia/Kuala_Lumpur")  # UTC+8
    assert hours.is_open(at("2026-11-27 02:00"))  # Friday 10:00 in Kuala Lumpur
    assert not hours.is_open(at("2026-11-27 10:00"))  # Friday 18:00


def test_next_opening_skips_the_weekend():
    hours = WorkingHours.parse("Mon-Fri 09:00-17:00", "Asia/Kuala_Lumpur")
    opening = hours.next_opening(at("2026-11-27 10:00"))  # Friday evening
    assert opening.strftime("%a %H:%M") == "Mon 09:00" and opening.date() == dt.date(2026, 11, 30)


def test_always_is_always_open():
    assert WorkingHours.parse("always", "UTC").is_open(at("2026-11-29 03:00"))


@pytest.mark.parametrize("spec", ["weekdays", "Mon-Fri 17:00-09:00", "Mon-Fri 9-5"])
def test_bad_specs_are_refused(spec):
    with pytest.raises(ValueError):
        WorkingHours.parse(spec, "UTC")
