"""Time in China Standard Time, whatever the server's zone; the database stores naive UTC.

Days, months and periods are China Standard Time days; every query bound on a stored moment comes from
here as naive UTC.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return datetime.now(CHINA).date()


def to_local(moment: datetime) -> datetime:
    """Turn a stored naive UTC time into China Standard Time."""
    return moment.replace(tzinfo=UTC).astimezone(CHINA)


def local_day(now: datetime | None = None) -> date:
    """Return the China Standard Time date of a naive UTC moment (now by default)."""
    return to_local(now).date() if now else local_today()


def naive_utc(moment: datetime) -> datetime:
    """Turn an aware moment into the naive UTC the database stores."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def start_of(day: date) -> datetime:
    """Return the start of a China Standard Time day as naive UTC."""
    return naive_utc(datetime.combine(day, time(), tzinfo=CHINA))


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """Return the naive UTC bounds [start, end) of the China Standard Time days first to last (or first alone)."""
    return start_of(first), start_of((last or first) + timedelta(days=1))


def month_of(day: date) -> date:
    """Return the first day of the day's month, as monthly reports are stored."""
    return day.replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """Return the naive UTC bounds [start, end) of a China Standard Time month."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start_of(month_of(month)), start_of(following)


# The sane bounds of the dates people and phones send, decided here once; the rules refuse the rest.
EARLIEST_DAY = date(2020, 1, 1)  # before the campaigns (2021) and the app: nothing is recorded or reported earlier
DEADLINE_AHEAD = timedelta(days=3 * 365)  # the longest time given to fix a hazard: three years from today
REPORTING_AHEAD = timedelta(days=366)  # a report, bulletin or table may be asked for up to a year ahead
CLOCK_AHEAD = timedelta(days=1)  # a phone's clock may run fast by this much, time zones included


def deadline_window(first: date) -> tuple[date, date]:
    """The days a deadline may fall on: from `first` (the inspection's day, or today for a new deadline) to
    three years from today."""
    return first, local_today() + DEADLINE_AHEAD


def reporting_window() -> tuple[date, date]:
    """The days a report, a bulletin or a statistics table may be asked for."""
    return EARLIEST_DAY, local_today() + REPORTING_AHEAD


def is_plausible_moment(moment: datetime) -> bool:
    """Whether a time a phone reports (naive UTC, as stored) lies between 2020 and a day ahead of now."""
    return start_of(EARLIEST_DAY) <= moment <= datetime.now(UTC).replace(tzinfo=None) + CLOCK_AHEAD
