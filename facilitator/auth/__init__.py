"""Facilitator accounts: login, logout and the create-facilitator command."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402,F401
