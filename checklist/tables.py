"""The official statistics table (全市安全检查督导情况统计表) and the texts under it."""

from flask import Blueprint

bp = Blueprint("tables", __name__)
