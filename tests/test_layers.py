"""The package's layers hold: the import contract of pyproject.toml, and no request context below the views."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
