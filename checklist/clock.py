"""Time in China Standard Time, whatever the server's zone; the database stores naive UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return datetime.now(CHINA).date()


def to_local(moment: datetime) -> datetime:
    """Turn a stored naive UTC time into China Standard Time."""
    return moment.replace(tzinfo=UTC).astimezone(CHINA)
