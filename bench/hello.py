"""A bare Flask app that answers "hello": the baseline of the requests/s ratios of bench/run.py."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "hello"
