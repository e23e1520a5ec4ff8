"""Flask extension instances, created unbound and initialised in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .core.limit_storage import SweptMemoryStorage  # noqa: F401  (registers swept-memory://)
from .models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared per route; storage comes from RATELIMIT_STORAGE_URI
# (swept-memory:// by default: see core/limit_storage; redis:// when several
# instances share the limits).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
