"""The Dream phase."""

from ...models import Phase
from ..common import phase_blueprint

bp = phase_blueprint(Phase.DREAM, __name__)

from . import views  # noqa: E402,F401
