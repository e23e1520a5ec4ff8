"""One blueprint per phase of the 4-D cycle."""

from .design import bp as design_bp
from .destiny import bp as destiny_bp
from .discovery import bp as discovery_bp
from .dream import bp as dream_bp

PHASE_BLUEPRINTS = [discovery_bp, dream_bp, design_bp, destiny_bp]
