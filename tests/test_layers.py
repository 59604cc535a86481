"""The package's layers hold: the import contract of pyproject.toml, and no request context below the views."""

import ast
import shutil
import subprocess
import sys
import uuid
from io import BytesIO
from pathlib import Path

import pytest

from checklist.models import Inspection

from .factories import PASSWORD
from .helpers import fail_item, inspection_id, jpeg_bytes, start, submitted_inspection

PACKAGE = Path(__file__).resolve().parent.parent / "checklist"
REQUEST_CONTEXT = {"request", "current_app", "g", "session"}
BELOW_THE_VIEWS = sorted(
    path for folder in ("rules", "read", "sheets") for path in (PACKAGE / folder).glob("*.py")
)


def request_context_uses(source: str) -> list[str]:
    """Return what a module takes of Flask's request context: `from flask import request`, `flask.g`, ..."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "flask":
            found += [alias.name for alias in node.names if alias.name in REQUEST_CONTEXT]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "flask"
              and node.attr in REQUEST_CONTEXT):
            found.append(f"flask.{node.attr}")
    return found


def test_the_check_finds_a_rule_that_reads_the_request():
    assert request_context_uses("from flask import abort, request\n") == ["request"]
    assert request_context_uses("import flask\n\ndef f():\n    return flask.current_app.config\n") == [
        "flask.current_app"
    ]
    assert request_context_uses("from flask_babel import gettext\n") == []


@pytest.mark.parametrize("path", BELOW_THE_VIEWS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_rules_reads_and_sheets_take_settings_as_arguments_not_from_the_request(path):
    assert request_context_uses(path.read_text(encoding="utf-8")) == []


def test_the_import_contract_holds():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    command = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is not installed: pip install -r requirements-dev.txt"
    result = subprocess.run([command, "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# A photo's way from the request to the stored file: traced call by call, every call goes to the caller's layer
# or one below it (web and api → rules → sheets → read → the ground), never back up.

LAYER_RANKS = {"web": 4, "api": 4, "ops": 4, "rules": 3, "sheets": 2, "read": 1}


def layer_rank(filename: str) -> int | None:
    """The layer of a module of the package by its file, higher is further up; None outside the package."""
    path = Path(filename)
    if PACKAGE not in path.parents:
        return None
    relative = path.relative_to(PACKAGE)
    if relative.parts == ("__init__.py",):
        return 5  # the factory
    return LAYER_RANKS.get(relative.parts[0], 0) if len(relative.parts) > 1 else 0


class LayerTrace:
    """A profile hook recording each call into the package, with the nearest calling frame of the package."""

    def __init__(self):
        self.calls: list[str] = []
        self.upward: list[str] = []

    def __call__(self, frame, event, _argument):
        if event != "call":
            return
        rank = layer_rank(frame.f_code.co_filename)
        if rank is None:
            return
        name = f"{Path(frame.f_code.co_filename).relative_to(PACKAGE)}:{frame.f_code.co_name}"
        self.calls.append(name)
        caller = frame.f_back
        while caller is not None and layer_rank(caller.f_code.co_filename) is None:
            caller = caller.f_back
        if caller is not None and layer_rank(caller.f_code.co_filename) < rank:
            self.upward.append(f"{Path(caller.f_code.co_filename).relative_to(PACKAGE)}:{caller.f_code.co_name}"
                               f" -> {name}")

    def __enter__(self):
        sys.setprofile(self)
        return self

    def __exit__(self, *_exception):
        sys.setprofile(None)


def test_the_trace_sees_a_call_back_up():
    trace = LayerTrace()
    rule = compile("def rule(view):\n    return view()\n", str(PACKAGE / "rules" / "traced.py"), "exec")
    view = compile("def view():\n    return 1\n", str(PACKAGE / "web" / "traced.py"), "exec")
    names: dict = {}
    exec(rule, names)
    exec(view, names)
    with trace:
        names["rule"](names["view"])
    assert trace.upward == ["rules/traced.py:rule -> web/traced.py:view"]


def test_an_item_photo_goes_down_the_layers_once(world, db, login):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = db.get(Inspection, number).checklist.items[0]
    with LayerTrace() as trace:
        response = fail_item(inspector, number, item, photos=[jpeg_bytes()])
    assert response.status_code == 302
    assert trace.upward == []
    way = [call for call in trace.calls if call in {
        "web/inspections.py:save_item", "rules/photos.py:accept", "imaging.py:process_photo",
        "rules/inspections.py:record_result", "rules/photos.py:store",
    }]
    assert way == ["web/inspections.py:save_item", "rules/photos.py:accept", "imaging.py:process_photo",
                   "rules/inspections.py:record_result", "rules/photos.py:store"]


def test_a_phones_photo_goes_down_the_layers_once(app, world):
    http = app.test_client()
    token = http.post("/api/v1/tokens", json={"username": "insp_a", "password": PASSWORD}).get_json()["token"]
    with LayerTrace() as trace:
        response = http.put(f"/api/v1/photos/{uuid.uuid4()}?site={world.enterprise_a.qr_token}", data=jpeg_bytes(),
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"})
    assert response.status_code == 201
    assert trace.upward == []
    assert [call for call in trace.calls if call in {
        "rules/outbox.py:receive_photo", "rules/photos.py:accept", "imaging.py:process_photo", "rules/photos.py:store",
    }] == ["rules/outbox.py:receive_photo", "rules/photos.py:accept", "imaging.py:process_photo",
           "rules/photos.py:store"]


def test_a_proof_photo_goes_down_the_layers_once(world, db, login):
    hazard = submitted_inspection(login("insp_a"), world, db).hazards[0]
    enterprise = login("91140702MA0K000013")
    with LayerTrace() as trace:
        response = enterprise.post(f"/hazards/{hazard.id}/fix", {
            "note": "已更换连墙件", "photos": [(BytesIO(jpeg_bytes()), "fix.jpg")],
        }, content_type="multipart/form-data")
    assert response.status_code == 302
    assert trace.upward == []
    assert [call for call in trace.calls if call in {
        "web/rectification.py:submit_fix", "rules/photos.py:accept", "imaging.py:process_photo",
        "rules/hazards.py:submit_fix", "rules/photos.py:store",
    }] == ["web/rectification.py:submit_fix", "rules/photos.py:accept", "imaging.py:process_photo",
           "rules/hazards.py:submit_fix", "rules/photos.py:store"]
