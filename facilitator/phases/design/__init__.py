"""The Design phase."""

from ...models import Phase
from ..common import phase_blueprint

bp = phase_blueprint(Phase.DESIGN, __name__)

from . import views  # noqa: E402,F401
