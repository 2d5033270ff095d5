"""The rules of the ride benefit, as pure functions (careline/rides/rules.py + rules.yml)."""
from __future__ import annotations

import datetime as dt

from careline.rides import rules as R

FRIDAY = dt.datetime(2026, 11, 27, 15, 0)  # the day after Thanksgiving (a business day)


def test_two_business_days_skip_the_weekend():
    assert R.earliest_day(FRIDAY, "ambulatory") == dt.date(2026, 12, 1)  # Mon, Tue
    assert R.earliest_day(dt.datetime(2026, 11, 28, 10), "ambulatory") == dt.date(2026, 12, 1)  # Saturday -> Tue


def test_holidays_are_not_business_days():
    # Wednesday 25 Nov: Thu 26 is Thanksgiving, so Fri 27 and Mon 30 are the two business days.
    assert R.earliest_day(dt.datetime(2026, 11, 25, 9), "ambulatory") == dt.date(2026, 11, 30)
    assert R.add_business_days(dt.date(2026, 12, 23), 2) == dt.date(2026, 12, 28)  # Christmas Friday skipped


def test_gurney_needs_more_notice_and_discharge_is_same_day():
    assert R.earliest_day(FRIDAY, "gurney") == dt.date(2026, 12, 2)
    assert R.earliest_day(FRIDAY, "gurney", discharge=True) == FRIDAY.date()


def test_check_time_refuses_with_the_reason():
    assert R.check_time(dt.datetime(2026, 11, 30, 10), FRIDAY, "ambulatory").rule == "notice"
    assert R.check_time(dt.datetime(2026, 11, 30, 10), FRIDAY, "ambulatory").params["earliest"] == dt.date(2026, 12, 1)
    assert R.check_time(dt.datetime(2026, 12, 1, 3), FRIDAY, "ambulatory").rule == "service_hours"
    assert R.check_time(dt.datetime(2026, 11, 20, 10), FRIDAY, "ambulatory").rule == "past"
    assert R.check_time(dt.datetime(2026, 12, 1, 10), FRIDAY, "ambulatory") is None


def test_destinations():
    assert R.check_destination("dialysis") is None
    assert R.check_destination("pharmacy") is None
    assert R.check_destination("shopping").rule == "destination"


def test_pcs_for_wheelchair_and_gurney_only():
    day = dt.date(2026, 12, 1)
    assert R.needs_pcs("wheelchair", None, day)
    assert R.needs_pcs("gurney", dt.date(2026, 11, 30), day)  # expired the day before
    assert not R.needs_pcs("wheelchair", dt.date(2027, 6, 30), day)
    assert not R.needs_pcs("ambulatory", None, day)


def test_overlap_and_change_cutoff():
    pickup = dt.datetime(2026, 12, 1, 9)
    assert R.overlapping(pickup, [dt.datetime(2026, 12, 1, 10)]) == dt.datetime(2026, 12, 1, 10)
    assert R.overlapping(pickup, [dt.datetime(2026, 12, 1, 13)]) is None
    assert R.can_change(pickup, dt.datetime(2026, 12, 1, 6, 59))
    assert not R.can_change(pickup, dt.datetime(2026, 12, 1, 7, 30))


def test_standing_orders_need_an_end_within_six_months():
    days = R.standing_dates(dt.date(2026, 11, 30), [0, 2, 4], dt.date(2026, 12, 11))
    assert days == [dt.date(2026, 11, 30), dt.date(2026, 12, 2), dt.date(2026, 12, 4), dt.date(2026, 12, 7), dt.date(2026, 12, 9), dt.date(2026, 12, 11)]
    assert R.standing_dates(dt.date(2026, 11, 30), [0], None).rule == "standing_order_end"
    assert R.standing_dates(dt.date(2026, 11, 30), [0], dt.date(2027, 12, 1)).rule == "standing_order_end"


def test_local_time_conversion_round_trips():
    local = dt.datetime(2026, 12, 1, 18, 0)
    assert R.to_utc(local) == dt.datetime(2026, 12, 2, 2, 0)  # PST is UTC-8
    assert R.to_local(R.to_utc(local)) == local
