"""Schemathesis sends what the OpenAPI document allows, and what it does not, as an inspector and as an
enterprise: the API never answers 5xx, answers only the status codes the document lists, and accepts
every request the document allows (the models that make the document are the ones that validate)."""

import re
import uuid
from base64 import b64encode
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from PIL import Image
from schemathesis.checks import not_a_server_error, positive_data_acceptance, status_code_conformance
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from checklist.api.routes import OPERATIONS
from checklist.api.schemas import UUID_PATTERN, document
from checklist.clock import local_today

from .conftest import PASSWORD

# Loaded from the module rather than with schemathesis.pytest.from_fixture, which fails under pytest 9
# (it sets the removed Node._nodeid); test_the_served_document_is_the_one_tested checks they are the same.
DOCUMENT = document(OPERATIONS)
schema = schemathesis.openapi.from_dict(DOCUMENT)
CHECKS = [not_a_server_error, status_code_conformance, positive_data_acceptance]
USERS = {"inspector": "insp_a", "enterprise": "91140702MA0K000013"}
MODES = ("self_check", "county_full", "city_spot", "surprise", "video", "cross")


def signature_png() -> str:
    output = BytesIO()
    Image.new("LA", (200, 80), (0, 255)).save(output, "PNG")
    return b64encode(output.getvalue()).decode()


@pytest.fixture(params=list(USERS))
def bearer(request, app, world) -> dict:
    response = app.test_client().post("/api/v1/tokens", json={"username": USERS[request.param], "password": PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def aim(app, world, bearer):
    """Point generated requests at the real site, checklist, team and people, which no schema can name, so
    that they get past the lookups to the rules: what is left to refuse is what the document says."""
    http = app.test_client()
    checklist = http.get("/api/v1/checklists/construction", headers=bearer).get_json()
    me = http.get("/api/v1/me", headers=bearer).get_json()
    codes = [item["code"] for item in checklist["items"]]
    token, png = world.enterprise_a.qr_token, signature_png()
    deadline = (local_today() + timedelta(days=7)).isoformat()

    def aim(case) -> None:
        if case.query and "site" in case.query:
            case.query["site"] = token
        if case.query and {"latitude", "longitude", "accuracy"} & set(case.query):
            # A photo's position goes together, as its description says; parameters cannot say it to a generator.
            for name, value in (("latitude", 37.68712), ("longitude", 112.75321), ("accuracy", 15)):
                case.query.setdefault(name, value)
        if case.query and "marked_from" in case.query:
            del case.query["marked_from"]  # an original sent before, which no schema can name
        body = case.body
        if case.operation.path != "/inspections/{client_uuid}" or not isinstance(body, dict):
            return
        if case.method == "PUT" and re.match(UUID_PATTERN, str(case.path_parameters.get("client_uuid", ""))):
            case.path_parameters["client_uuid"] = str(uuid.uuid4())  # else one UUID, used up by the first, gives 409s
        if "site" in body:
            body["site"] = token
        if isinstance(body.get("started_at"), str):  # a phone's clock within the rules' bounds: now
            body["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if "checklist_id" in body:
            body["checklist_id"] = checklist["id"]
        if body.get("mode") in MODES and body["mode"] not in me["modes"]:  # one of another role's modes
            body["mode"] = me["modes"][0]
            if body["mode"] == "self_check":
                body["actions"] = []  # as the document says of a self-inspection
        if isinstance(body.get("team_id"), int):
            body["team_id"] = me["teams"][0]["id"] if me["teams"] else None
        if isinstance(body.get("inspectors"), list):  # members of the team, when there is one
            body["inspectors"] = [
                world.colleague_a.id if isinstance(other, int) else other
                for other in body["inspectors"]
            ] if body.get("team_id") else []
        if isinstance(body.get("signature"), dict) and "png_base64" in body["signature"]:
            body["signature"]["png_base64"] = png
        results = body.get("results")
        if isinstance(results, list) and all(isinstance(result, dict) for result in results):
            for number, result in enumerate(results[: len(codes)]):
                result["item_code"] = codes[number]
                if isinstance(result.get("photos"), list):  # a photo or a hazard belongs to one item only
                    result["photos"] = [str(uuid.uuid4()) for _photo in result["photos"]]
                if isinstance(result.get("hazard"), dict) and "uuid" in result["hazard"]:
                    result["hazard"]["uuid"] = str(uuid.uuid4())
                if isinstance(result.get("hazard"), dict) and isinstance(result["hazard"].get("deadline"), str):
                    result["hazard"]["deadline"] = deadline  # a day the rules allow: they depend on today
            del results[len(codes):]
            results.extend({"item_code": code, "outcome": "pass"} for code in codes[len(results):])

    return aim


def test_the_served_document_is_the_one_tested(client):
    assert client.get("/api/v1/openapi.json").get_json() == DOCUMENT


def test_the_document_is_valid_openapi_3_1():
    assert [str(error) for error in OPENAPI_31_VALIDATOR.iter_errors(DOCUMENT)] == []


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(case, app, bearer, aim):
    aim(case)
    case.call_and_validate(app=app, headers=bearer, checks=CHECKS)
