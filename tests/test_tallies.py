"""The dashboards' tallies (checklist/tallies.py) always equal the hazards counted afresh."""

from datetime import timedelta

from sqlalchemy import select

from checklist import tallies
from checklist.models import (
    STILL_OPEN,
    CampaignTally,
    HazardTally,
    StatisticsActions,
    StatisticsHazards,
    StatisticsPresence,
)
from checklist.ops.demo import seed_demo

from .helpers import jpeg_bytes, submitted_inspection
from .test_rectify import ENTERPRISE_A, submit_fix


def counted(app) -> tuple[set, ...]:
    """The tallies as kept, and as `rebuild` and `rebuild_statistics` count them from the hazards and inspections (in a
    transaction rolled back)."""
    def snapshot(connection) -> tuple[set, ...]:
        return (
            {tuple(row) for row in connection.execute(select(HazardTally.__table__)) if row.count},
            {tuple(row) for row in connection.execute(select(CampaignTally.__table__)) if row.found or row.closed},
            {tuple(row) for row in connection.execute(select(StatisticsHazards.__table__)) if row.hazards},
            {tuple(row) for row in connection.execute(select(StatisticsPresence.__table__))},
            {tuple(row) for row in connection.execute(select(StatisticsActions.__table__))
             if row.documents or row.licences or row.others or row.fines_wan},
        )

    with app.extensions["engine"].connect() as connection:
        kept = snapshot(connection)
        tallies.rebuild(connection)
        tallies.rebuild_statistics(connection)
        afresh = snapshot(connection)
        connection.rollback()
    return kept, afresh


def test_the_demo_city_is_tallied_as_its_hazards_count(app):
    with app.extensions["sessionmaker"]() as session:
        seed_demo(session, app.extensions["catalogue"], upload_dir=app.config["UPLOAD_DIR"])
        session.commit()
    kept, afresh = counted(app)
    assert kept == afresh
    assert all(len(rows) > 50 for rows in kept)  # every state, many days, units and actions


def test_every_step_of_a_hazards_life_keeps_the_tallies(app, world, login, db):
    inspector, enterprise, admin = login("insp_a"), login(ENTERPRISE_A), login("admin_a")
    hazard = submitted_inspection(inspector, world, db, photos=[jpeg_bytes()]).hazards[0]
    steps = [
        lambda: submit_fix(enterprise, hazard),
        lambda: inspector.post(f"/hazards/{hazard.id}/reject", {"reason": "照片看不清连墙件"}),
        lambda: inspector.post(f"/hazards/{hazard.id}/extend", {
            "deadline": (hazard.deadline + timedelta(days=20)).isoformat(), "reason": "需采购设备",
        }),
        lambda: admin.post(f"/hazards/{hazard.id}/list", {
            "unit": world.unit_a.id, "deadline": (hazard.deadline + timedelta(days=30)).isoformat(),
        }),
        lambda: submit_fix(enterprise, hazard),
        lambda: login("city").post(f"/hazards/{hazard.id}/accept", {"note": "复查合格"}),  # listed: not the county
    ]
    seen = []
    for step in steps:
        assert step().status_code == 302
        kept, afresh = counted(app)
        assert kept == afresh
        seen.append(kept)
    assert len({frozenset(hazard_rows) for hazard_rows, *_others in seen}) == len(steps)  # each step moved a count
    assert any(row[3] for row in seen[-1][0])  # listed
    assert sum(row[4] for row in seen[-1][1]) == 1  # closed, on the campaign's day
    [statistics_row] = seen[-1][2]  # the unit's hazard, found and closed today
    assert statistics_row[3] == statistics_row[2] != STILL_OPEN and statistics_row[4] == 1


def test_what_submission_keeps_of_the_statistics_equals_a_rebuild(app, world, login, db):
    """Submitted through the forms, an inspection's team, people, enterprise, actions and hazards are in its unit's
    kept figures, as a rebuild from every inspection finds them; the table reads them."""
    from checklist.clock import local_today
    from checklist.models import PresenceKind
    from checklist.read import statistics

    from .helpers import inspection_id, pass_everything_but, start

    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    for form in ({"kind": "fine", "document_number": "（榆）住建罚〔2026〕1号", "fine_wan": "2.50"},
                 {"kind": "fine", "document_number": "（榆）住建罚〔2026〕2号", "fine_wan": "0.25"},
                 {"kind": "suspension", "document_number": "（榆）住建停〔2026〕1号"},
                 {"kind": "document", "document_number": "（榆）住建责改〔2026〕1号"}):
        assert inspector.post(f"/inspections/{number}/enforcement", {"note": "", **form}).status_code == 302
    submitted_inspection(inspector, world, db)  # a second inspection, of the same enterprise and team
    pass_everything_but(inspector, db, number, None)
    assert inspector.post(f"/inspections/{number}/review", {}).status_code == 302
    kept, afresh = counted(app)
    assert kept == afresh
    assert {row[1] for row in kept[3]} == {PresenceKind.TEAM, PresenceKind.INSPECTOR, PresenceKind.ENTERPRISE,
                                           PresenceKind.SUSPENSION}
    today = local_today()
    row = next(row for row in statistics.county_table(db, world.county_a, today, today).rows
               if row.unit_id == world.unit_a.id)
    assert (row.teams, row.inspected, row.major_found, row.documents, row.suspensions) == (1, 1, 1, 1, 1)
    assert row.inspectors >= 1 and str(row.fines_wan) == "2.75"
