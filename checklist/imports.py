"""Imports from Excel: the enterprise roster and a department's own checklist table."""

from flask import Blueprint

bp = Blueprint("imports", __name__)
