"""The ceiling: a bare Flask app whose one endpoint returns a short constant string.

bench/load.py serves it with the very same gunicorn.conf.py as the real app,
so the ratio between the two is what the application itself costs on top of
gunicorn + Werkzeug + Flask routing.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    """A constant, like the smallest possible poll answer."""
    return "ok"
