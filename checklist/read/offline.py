"""The phone's offline copy of its sites: every enterprise the user may inspect, with what its site page shows
(its facts and its hazards not closed), in compact parts of so many sites; afterwards only what changed since the
phone last asked, in one answer, and the ids of every site, so that the phone drops those no longer its own.

What changed goes by row: a site when the roster import created or changed the enterprise (Enterprise.changed_at),
with its open hazards (it may have just come into the county); a hazard when it moved (a history row: found, fixed,
rejected, extended, listed), whole; a hazard closed since, by its id, for the phone to drop. On the bench's biggest
county a day touches a third of its sites but a few percent of their hazards. The sites a draw, a cross inspection
or an assignment sends the user to come whole every time, with their open hazards: they are few, and they join the
user's sites on a day no row of theirs changed. A phone that finds an id it does not hold asks for the whole copy.

Counties, sectors and units are named once, in tables the rows refer to by id or code. Sites and hazards go as
columns, a list of values for each field: gzip finds a column's repeats (levels, statuses, deadlines, the same
description) where rows interleave them. The biggest county of the bench: 1,025 KB gzip-1 as columns, 1,628 KB as
rows.

The city's supervisors and inspectors see every county: their copy holds one county, or without one only the sites
they are sent to (a whole city's would be tens of megabytes on a phone).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, String, select, type_coerce
from sqlalchemy.orm import Session

from checklist import access
from checklist.models import (
    Campaign,
    County,
    Enterprise,
    Hazard,
    HazardHistory,
    HazardStatus,
    Sector,
    Unit,
    User,
    utcnow,
)
from checklist.read import enterprises

# The cursor handed back is this much before the answer's time: a change whose transaction began earlier and
# committed later (a roster import, a photo upload) carries an earlier time, and must still come next time.
CURSOR_MARGIN = timedelta(minutes=10)
SITE_FIELDS = ("id", "token", "name", "credit_code", "county_id", "sector_code", "address", "contact_name",
               "contact_phone", "supervising_unit_id")
HAZARD_FIELDS = ("id", "site_id", "level", "status", "deadline", "description", "responsible_person")
EPOCH = date(1970, 1, 1)  # a deadline goes as its days since, as JavaScript counts time: 5 digits, not 12 characters


@dataclass(frozen=True)
class OfflineSites:
    """One answer (see the module): rows of SITE_FIELDS and HAZARD_FIELDS, the names they refer to, the hazards
    closed since, and the time to ask from next."""

    cursor: datetime
    complete: bool  # every site and hazard of the scope (or of a part of it), not only the changed ones
    next: int | None = None  # a part of the whole copy: ask for the next one after this site id; None: the last
    site_ids: list[int] = field(default_factory=list)
    sites: dict[str, list] = field(default_factory=lambda: _columns(SITE_FIELDS, []))
    hazards: dict[str, list] = field(default_factory=lambda: _columns(HAZARD_FIELDS, []))
    closed: list[int] = field(default_factory=list)
    counties: dict[int, str] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)


def scope(user: User, campaign: Campaign | None, today: date, county: County | None) -> tuple[Select, ColumnElement]:
    """The enterprises of the user's offline copy; and the clause of those they are sent to."""
    query, first = enterprises.sites(user, campaign, today)
    sent = first == 0
    if county is not None:
        query = query.where(Enterprise.county_id == county.id)
    elif access.sees_whole_city(user):
        query = query.where(sent)
    return query.order_by(None), sent


def offline_sites(session: Session, user: User, campaign: Campaign | None, today: date, county: County | None,
                  since: datetime | None, after: int = 0, part_sites: int = 1000) -> OfflineSites:
    """The user's offline copy: whole without `since`, in parts of `part_sites` sites by id from the one after
    `after` (each answer names the next part's; in one answer, the bench's biggest county took 0.75 s and grew with
    the county); else what changed since then, in one answer (see the module)."""
    cursor = utcnow() - CURSOR_MARGIN
    if not access.allowed_modes(user):  # as /api/v1/sites: nothing for whoever inspects nothing
        return OfflineSites(cursor=cursor, complete=True)
    sites, sent = scope(user, campaign, today, county)
    ids = sites.with_only_columns(Enterprise.id)
    hazards = (  # the level and status as stored (their values), not as enums: a part holds some 12,000
        select(Hazard.id, Hazard.enterprise_id, type_coerce(Hazard.level, String), type_coerce(Hazard.status, String),
               Hazard.deadline, Hazard.description, Hazard.responsible_person)
        .where(Hazard.enterprise_id.in_(ids.scalar_subquery()), Hazard.found_at.is_not(None))
        .order_by(Hazard.enterprise_id, Hazard.deadline, Hazard.id)
    )
    site_ids: list[int] = []
    following = None
    if since is None:  # a part: the sites with ids in (after, last]
        part = list(session.scalars(ids.where(Enterprise.id > after).order_by(Enterprise.id).limit(part_sites + 1)))
        following = part[part_sites - 1] if len(part) > part_sites else None
        last = following or (part[-1] if part else after)
        sites = sites.where(Enterprise.id > after, Enterprise.id <= last)
        hazards = hazards.where(Hazard.enterprise_id > after, Hazard.enterprise_id <= last,
                                Hazard.status != HazardStatus.CLOSED)
    else:  # the moved, the closed among them as ids to drop; and the open hazards of every site sent whole
        site_ids = list(session.scalars(ids.order_by(Enterprise.id)))
        moved = select(HazardHistory.hazard_id).where(HazardHistory.at >= since)
        sites = sites.where((Enterprise.changed_at >= since) | sent)
        whole = sites.with_only_columns(Enterprise.id).scalar_subquery()
        hazards = hazards.where(Hazard.id.in_(moved) | (Hazard.enterprise_id.in_(whole)
                                                        & (Hazard.status != HazardStatus.CLOSED)))
    connection = session.connection()  # rows as the database gives them, without the ORM's loading
    site_rows = connection.execute(sites.with_only_columns(
        Enterprise.id, Enterprise.qr_token, Enterprise.name, Enterprise.credit_code, Enterprise.county_id, Sector.code,
        Enterprise.address, Enterprise.contact_name, Enterprise.contact_phone, Enterprise.supervising_unit_id,
    ).order_by(Enterprise.id)).all()
    hazard_rows, closed = [], []
    for number, site_id, level, status, deadline, description, responsible in connection.execute(hazards):
        if status == HazardStatus.CLOSED.value:
            closed.append(number)
        else:
            hazard_rows.append((number, site_id, level, status, (deadline - EPOCH).days, description, responsible))
    return OfflineSites(
        cursor=cursor, complete=since is None, next=following, site_ids=site_ids,
        sites=_columns(SITE_FIELDS, site_rows), hazards=_columns(HAZARD_FIELDS, hazard_rows), closed=closed,
        counties=_names(session, County, {row.county_id for row in site_rows}),
        sectors=dict(session.execute(select(Sector.code, Sector.name).where(
            Sector.code.in_({row.code for row in site_rows}))).all()),
        units=_names(session, Unit, {row.supervising_unit_id for row in site_rows if row.supervising_unit_id}),
    )


def _columns(fields: tuple[str, ...], rows) -> dict[str, list]:
    """Rows as a list of values for each field."""
    values = list(zip(*rows, strict=True)) or [()] * len(fields)
    return {name: list(column) for name, column in zip(fields, values, strict=True)}


def _names(session: Session, model, ids: set[int]) -> dict[int, str]:
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}
