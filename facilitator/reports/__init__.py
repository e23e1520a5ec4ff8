"""The workshop report (PDF and HTML preview), data exports, and share links."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402,F401
