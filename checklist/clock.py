"""Time in China Standard Time, whatever the server's zone; the database stores naive UTC."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return datetime.now(CHINA).date()


def to_local(moment: datetime) -> datetime:
    """Turn a stored naive UTC time into China Standard Time."""
    return moment.replace(tzinfo=UTC).astimezone(CHINA)


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
    earliest = datetime.combine(EARLIEST_DAY, time(), CHINA).astimezone(UTC).replace(tzinfo=None)
    return earliest <= moment <= datetime.now(UTC).replace(tzinfo=None) + CLOCK_AHEAD
