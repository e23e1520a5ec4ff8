"""Workshops: create, edit, groups, co-facilitators, the overview page."""

from flask import Blueprint

bp = Blueprint("workshops", __name__, url_prefix="/w")

from . import invite_views, trash, views  # noqa: E402,F401
