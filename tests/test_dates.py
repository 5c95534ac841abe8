"""The date parser over every format of docs/platforms.md's date table."""

import pytest

from crawler.extract.dates import parse_date

CASES = [
    # (shown on a page, expected)
    ("24/12/2020 08:15", "2020-12-24T08:15:00+07:00"),  # seed, under the title
    ("(23/12/2020 09:04)", "2020-12-23T09:04:00+07:00"),  # seed "Tin khác"
    ("Thứ bảy, Ngày 16 Tháng 10 Năm 2021", "2021-10-16"),  # header style (parsable, but never used as publication date)
    ("Thứ năm, ngày 28 tháng 3 năm 2024", "2024-03-28"),
    ("Đăng ngày 28 - 08 - 2015", "2015-08-28"),  # Tandan, spaced dashes
    ("Thứ năm - 24/12/2020 08:15", "2020-12-24T08:15:00+07:00"),  # NukeViet detail
    ("Thứ năm - 24/12/2020  08:15", "2020-12-24T08:15:00+07:00"),  # NukeViet 3.x, two spaces
    ("24-12-2020 08:15:00 AM", "2020-12-24T08:15:00+07:00"),  # NukeViet 3.x listing
    ("24/12/2020 08:15:00 PM", "2020-12-24T20:15:00+07:00"),  # NukeViet 4.x listing, PM
    ("12/01/2021 12:05:00 AM", "2021-01-12T00:05:00+07:00"),  # 12 AM is midnight
    ("12/01/2021 12:05:00 PM", "2021-01-12T12:05:00+07:00"),  # 12 PM is noon
    ("(23/12/2020)", "2020-12-23"),  # date only in parentheses
    ("(Ngày 20 - 03 - 2012)", "2012-03-20"),  # Quảng Ninh web parts
    ("(Ngày 23-12-2020)", "2020-12-23"),
    ("18:21:26 , 24/10/2014", "2014-10-24T18:21:26+07:00"),  # Joomla, time first
    ("07/10/2015", "2015-10-07"),
    ("Thứ Ba, 29/09/2020, 08:07 (GMT+7)", "2020-09-29T08:07:00+07:00"),
    ("09:47, 15/03/2021", "2021-03-15T09:47:00+07:00"),
    ("Thứ hai, 05/01/2026 - 08:27", "2026-01-05T08:27:00+07:00"),
    ("18:34, 17/11/2021", "2021-11-17T18:34:00+07:00"),
    ("Thứ ba, 25 Tháng 1 2022 16:22", "2022-01-25T16:22:00+07:00"),  # K2 style
    ("Thứ 6, 21/03/2025 | 15:45", "2025-03-21T15:45:00+07:00"),
    ("Chủ nhật, 6/6/2021", "2021-06-06"),  # one-digit day and month
    ("12.12.2021", "2021-12-12"),  # dots
    ("2020-12-24T08:15:00+07:00", "2020-12-24T08:15:00+07:00"),  # itemprop datePublished
    ("2020-12-24T01:15:00Z", "2020-12-24T08:15:00+07:00"),  # UTC converted to +07:00
    ("2020-12-24 08:15", "2020-12-24T08:15:00+07:00"),
    ("Ngày cập nhật 24/12/2020 08:15", "2020-12-24T08:15:00+07:00"),
    ("NFD: Thứ năm - 24/12/2020 08:15".replace("ứ", "u\u031b\u0301"), "2020-12-24T08:15:00+07:00"),
]

INVALID = ["", None, "Lượt xem: 245", "31/02/2020", "32/01/2020", "24/13/2020", "hôm nay", "2020-13-01T00:00", "08:15"]


@pytest.mark.parametrize("raw, expected", CASES, ids=[c[0] for c in CASES])
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", INVALID)
def test_no_date_is_none_never_a_guess(raw):
    assert parse_date(raw) is None


def test_bad_time_keeps_the_date():
    assert parse_date("24/12/2020 25:61") == "2020-12-24"
