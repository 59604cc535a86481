"""How often something may be tried: each try is a row under a key (LoginAttempt), counted over a window.

Failed logins count against the account and the address (rules.accounts); workers' reports against the address and
the enterprise (rules.worker_reports). Every try is forgotten after RETENTION, the longest window.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from checklist.models import LoginAttempt, utcnow

RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """At most `most` tries under `key` in any `window` (no longer than RETENTION)."""

    key: str
    most: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.window > RETENTION:
            raise ValueError(f"a window of {self.window} outlasts the tries kept ({RETENTION})")


def reached(session: Session, limits: Sequence[Limit], now: datetime | None = None) -> Limit | None:
    """The first of the limits whose key had as many tries in its window as it allows, in one query; None if none."""
    now = now or utcnow()
    counts = dict(session.execute(
        select(LoginAttempt.key, func.count())
        .where(or_(*(and_(LoginAttempt.key == limit.key, LoginAttempt.at > now - limit.window) for limit in limits)))
        .group_by(LoginAttempt.key)
    ).all())
    return next((limit for limit in limits if counts.get(limit.key, 0) >= limit.most), None)


def count(session: Session, keys: Iterable[str], now: datetime | None = None) -> None:
    """Count a try under each key; forget the tries older than RETENTION."""
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - RETENTION))
    session.add_all([LoginAttempt(key=key, at=now) for key in keys])
    session.flush()


def forget(session: Session, key: str) -> None:
    """Forget every try under the key."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
    session.flush()
