"""Reading member IDs and dates of birth the way members give them."""
from __future__ import annotations

import datetime as dt

import pytest

from careline.identity import parse_dob, parse_member_number

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize("text, language, expected", [
    ("03/14/1948", "en", dt.date(1948, 3, 14)),
    ("03141948", "en", dt.date(1948, 3, 14)),
    ("3/14/48", "en", dt.date(1948, 3, 14)),
    ("March 14 1948", "en", dt.date(1948, 3, 14)),
    ("1948-03-14", "en", dt.date(1948, 3, 14)),
    ("14/03/1948", "es", dt.date(1948, 3, 14)),
    ("14 de marzo de 1948", "es", dt.date(1948, 3, 14)),
    ("1948年3月14日", "zh", dt.date(1948, 3, 14)),
    ("۰۳/۱۴/۱۹۴۸", "fa", dt.date(1948, 3, 14)),
    ("០៣/១៤/១៩៤៨", "km", dt.date(1948, 3, 14)),
    ("14.03.1948", "ru", dt.date(1948, 3, 14)),
    ("ngày 9 tháng 11 năm 1950", "vi", dt.date(1950, 11, 9)),
    ("February 30 1950", "en", None),
    ("12/25/2030", "en", None),
    ("hello", "en", None),
])
def test_parse_dob(text, language, expected):
    assert parse_dob(text, language, today=TODAY) == expected


@pytest.mark.parametrize("text, expected", [
    ("900000001", "900000001"), ("my id is 9000 0000 1", "900000001"), ("٩٠٠٠٠٠٠٠١", "900000001"), ("123", None), ("", None),
])
def test_parse_member_number(text, expected):
    assert parse_member_number(text) == expected
