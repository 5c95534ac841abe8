"""Vietnamese portal dates and times → ISO 8601 in Asia/Ho_Chi_Minh.

:func:`parse_date` returns

* ``YYYY-MM-DDTHH:MM:SS+07:00`` when the text carries a time,
* ``YYYY-MM-DD`` when it carries only a date,
* ``None`` when it carries no valid date (never a guess).

Accepted shapes (docs/platforms.md §4): an optional weekday prefix ("Thứ năm -", "Thứ 6,",
"Chủ nhật,"); optional words "Đăng ngày", "Ngày cập nhật", "Cập nhật"; day and month of one or
two digits separated by ``/``, ``-``, ``.`` or spaced dashes (``28 - 08 - 2015``); "Ngày 16
Tháng 10 Năm 2021" and "25 Tháng 1 2022" in any case; times ``HH:MM``, ``HH:MM:SS`` and
``hh:mm:ss AM|PM`` (also Vietnamese ``SA``/``CH``) before or after the date; "(GMT+7)"; text in
parentheses; ISO 8601 with an offset (converted to +07:00) or without (taken as local time).

Asia/Ho_Chi_Minh has been UTC+07:00 without daylight saving since 1975, which is every date a
portal can publish, so a fixed offset is exact.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .text import clean

VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?",
    re.IGNORECASE,
)
_WORDS = re.compile(
    r"(?:ngày\s*)?(?P<d>\d{1,2})\s*,?\s*tháng\s*(?P<m>\d{1,2})\s*,?\s*(?:năm\s*)?(?P<y>\d{4})"
)
_NUMERIC = re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d:])(?P<H>\d{1,2})\s*[:h]\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?(?![\d:])"
    r"(?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.|sa|ch)\b)?"
)
_NOISE = re.compile(r"\(?\s*gmt\s*[+-]\s*0?7(?::?00)?\s*\)?|\butc\s*[+-]\s*0?7\b")


def parse_date(raw: str | None) -> str | None:
    """Parse a portal date string; see the module docstring for formats and results."""
    text = clean(raw).lower()
    if not text:
        return None
    iso = _ISO.search(text)
    if iso:
        return _from_iso(iso)
    text = _NOISE.sub(" ", text)
    found = _WORDS.search(text) or _NUMERIC.search(text)
    if not found:
        return None
    try:
        day = date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        return None
    rest = text[: found.start()] + " " + text[found.end() :]
    clock = _TIME.search(rest)
    if not clock:
        return day.isoformat()
    hour, minute, second = int(clock["H"]), int(clock["M"]), int(clock["S"] or 0)
    ampm = (clock["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return day.isoformat()
        if ampm in ("pm", "ch") and hour != 12:
            hour += 12
        elif ampm in ("am", "sa") and hour == 12:
            hour = 0
    try:
        moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=VN_TZ)
    except ValueError:
        return day.isoformat()
    return moment.isoformat()


def _from_iso(match: re.Match) -> str | None:
    try:
        if match["H"] is None:
            return date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
        moment = datetime(
            int(match["y"]), int(match["m"]), int(match["d"]),
            int(match["H"]), int(match["M"]), int(match["S"] or 0),
        )
    except ValueError:
        return None
    offset = match["tz"]
    if offset:
        if offset in ("Z", "z"):
            tz = timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        moment = moment.replace(tzinfo=tz).astimezone(VN_TZ)
    else:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.isoformat()


def now_iso() -> str:
    """The current time as ``YYYY-MM-DDTHH:MM:SS+07:00``."""
    return datetime.now(VN_TZ).replace(microsecond=0).isoformat()
