"""Joining from a phone: code, name, group. No account."""

from flask import Blueprint

bp = Blueprint("participate", __name__)

from . import views  # noqa: E402,F401
