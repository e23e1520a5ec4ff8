"""Live facilitation: polling with ETags, the facilitator console, the projector,
phase control, the phase timer and placing participants at tables."""

from flask import Blueprint

bp = Blueprint("live", __name__, url_prefix="/w/<int:workshop_id>")

from . import views  # noqa: E402,F401
