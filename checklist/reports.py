"""Daily reports (日报), the city's daily bulletin (简报) and monthly reports (月报)."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
