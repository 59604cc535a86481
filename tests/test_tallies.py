"""The dashboards' tallies (checklist/tallies.py) always equal the hazards counted afresh."""

from datetime import timedelta

from sqlalchemy import select

from checklist import tallies
from checklist.models import CampaignTally, HazardTally
from checklist.ops.demo import seed_demo

from .helpers import jpeg_bytes, submitted_inspection
from .test_rectify import ENTERPRISE_A, submit_fix


def counted(app) -> tuple[set, set]:
    """The tallies as kept, and as `rebuild` counts them from the hazards (in a transaction rolled back)."""
    def snapshot(connection) -> tuple[set, set]:
        return (
            {tuple(row) for row in connection.execute(select(HazardTally.__table__)) if row.count},
            {tuple(row) for row in connection.execute(select(CampaignTally.__table__)) if row.found or row.closed},
        )

    with app.extensions["engine"].connect() as connection:
        kept = snapshot(connection)
        tallies.rebuild(connection)
        afresh = snapshot(connection)
        connection.rollback()
    return kept, afresh


def test_the_demo_city_is_tallied_as_its_hazards_count(app):
    with app.extensions["sessionmaker"]() as session:
        seed_demo(session, app.extensions["catalogue"], upload_dir=app.config["UPLOAD_DIR"])
        session.commit()
    kept, afresh = counted(app)
    assert kept == afresh
    assert len(kept[0]) > 50 and len(kept[1]) > 50  # every state, many days


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
    assert len({frozenset(hazard_rows) for hazard_rows, _days in seen}) == len(steps)  # each step moved a count
    assert any(row[3] for row in seen[-1][0])  # listed
    assert sum(row[4] for row in seen[-1][1]) == 1  # closed, on the campaign's day
