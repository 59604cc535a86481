"""The HTML form and the phone's API refuse the same bad input with the same message, and store nothing:
each rule is a rule function (checklist/rules/inspections.py) that both paths call.

A closed hazard is not among them: neither path reaches one. The form changes only a draft's items
(record_result refuses a submitted inspection), and the API only creates: a hazard UUID already used,
closed or not, is a conflict (409) before any rule is asked.
"""

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.support import Translations
from sqlalchemy import func, select

from checklist.models import EnforcementAction, Hazard, Inspection, ItemResult, Team

from .helpers import fail_item, inspection_id, start
from .test_api import Api, issue_token, submission

CHINESE = Translations.load(str(Path(__file__).parent.parent / "checklist" / "translations"), ["zh_Hans_CN"])


@dataclass(frozen=True)
class Case:
    message: str  # the msgid; both paths show its Chinese translation
    form: dict  # what the page's form sends differently from a good one ("team": TEAM, the other unit's)
    api: object  # how the API's body differs from a good one, given the other unit's team
    field: str  # the field the API names


def other_units_team(db, world) -> Team:
    team = Team(name="太谷检查组", unit=world.unit_b, members=[world.inspector_b])
    db.add(team)
    db.commit()
    return team


def first_hazard(body) -> dict:
    return body["results"][0]["hazard"]


ITEM_CASES = {
    "responsible person missing": Case(
        "Name the person responsible for the fix.", {"responsible_person": "  "},
        lambda body, team: first_hazard(body).update(responsible_person="  "), "results[0].hazard.responsible_person",
    ),
    "description missing": Case(
        "Describe the hazard found at this item.", {"description": ""},
        lambda body, team: first_hazard(body).update(description=""), "results[0].hazard.description",
    ),
    "fail without a hazard": Case(
        "A failed item needs a hazard: describe it.", {"description": "", "responsible_person": ""},
        lambda body, team: body["results"][0].update(hazard=None), "results[0].hazard",
    ),
}
START_CASES = {
    "a mode the user may not start": Case(
        "Your role cannot run this kind of inspection.", {"mode": "self_check"},
        lambda body, team: body.update(mode="self_check", actions=[]), "mode",
    ),
    "a team not of the user's unit": Case(
        "That team belongs to another unit.", {"team": "TEAM"},
        lambda body, team: body.update(team_id=team.id), "team_id",
    ),
}
FINE_CASE = Case(
    "A fine needs its amount.", {"kind": "fine", "document_number": "x", "fine_wan": ""},
    lambda body, team: body["actions"][1].update(fine_wan=None), "actions[1].fine_wan",
)


@pytest.fixture
def phone(app, world) -> Api:
    """The inspector's phone, with a bearer token."""
    http = app.test_client()
    return Api(http, issue_token(http, "insp_a"))


def counts(db) -> dict:
    db.expire_all()
    return {model.__name__: db.scalar(select(func.count()).select_from(model))
            for model in (Inspection, ItemResult, Hazard, EnforcementAction)}


def through_the_api(client: Api, db, world, case: Case, team: Team) -> str:
    body = submission(world, client.checklist(world.enterprise_a))
    case.api(body, team)
    before = counts(db)
    response = client.put_json(f"/api/v1/inspections/{uuid.uuid4()}", body)
    assert response.status_code in (403, 422), response.get_json()
    assert response.get_json()["error"]["field"] == case.field
    assert counts(db) == before
    return response.get_json()["error"]["message"]


@pytest.mark.parametrize("name", list(ITEM_CASES) + list(START_CASES) + ["fine without its amount"])
def test_the_form_and_the_api_refuse_alike(name, login, phone, db, world):
    case = ITEM_CASES.get(name) or START_CASES.get(name) or FINE_CASE
    expected = CHINESE.gettext(case.message)
    assert expected != case.message  # the Chinese catalogue has it
    team = other_units_team(db, world)
    assert through_the_api(phone, db, world, case, team) == expected

    inspector = login("insp_a")
    if name in START_CASES:
        before = counts(db)
        fields = {key: team.id if value == "TEAM" else value for key, value in case.form.items()}
        response = start(inspector, world, **{"mode": "county_full", **fields})
        assert response.status_code == 302 and "/inspections/" not in response.location
        page = inspector.get(response.location).get_data(as_text=True)
    else:
        number = inspection_id(start(inspector, world))
        before = counts(db)
        if name in ITEM_CASES:
            item = db.get(Inspection, number).checklist.items[0]
            response = fail_item(inspector, number, item, **case.form)
            assert response.status_code == 400
            page = response.get_data(as_text=True)
        else:
            response = inspector.post(f"/inspections/{number}/enforcement", case.form)
            page = inspector.get(response.location).get_data(as_text=True)
    assert expected in page
    assert counts(db) == before
