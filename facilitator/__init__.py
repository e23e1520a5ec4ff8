"""facilitator: run live Appreciative Inquiry workshops."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


def _asset_root() -> Path:
    """The folder holding templates/, static/, seed/ and migrations/.

    In a checkout (and an editable install) that is the repository root; an
    installed wheel carries them as ``facilitator/_assets``.
    """
    here = Path(__file__).resolve().parent
    checkout = here.parent
    if (checkout / "templates").is_dir() and (checkout / "migrations").is_dir():
        return checkout
    return here / "_assets"


ROOT = _asset_root()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from .config import defaults

    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FACILITATOR")
    if config is not None:
        app.config.from_mapping(config)
    from .config import engine_options
    from .core import urls

    urls.register(app)

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS")
    )

    _init_extensions(app)
    from .core import converters

    converters.register(app)  # before the routes: they pick their converters when added
    _register_blueprints(app)

    from . import cli
    from .core import errors, headers, templating

    errors.register(app)
    headers.register(app)
    templating.register(app)
    cli.register(app)

    from .core.static_files import register as register_static_files

    register_static_files(app)

    from .live.shortcut import register as register_live_shortcut

    register_live_shortcut(app)

    from .core.proxy import register as register_proxy

    register_proxy(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .core.db import configure_engine
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in as a facilitator to open that page."
    login_manager.login_message_category = "info"
    with app.app_context():
        configure_engine(db.engine)


def _register_blueprints(app: Flask) -> None:
    from .auth import bp as auth_bp
    from .live import bp as live_bp
    from .main import bp as main_bp
    from .participate import bp as participate_bp
    from .phases import PHASE_BLUEPRINTS
    from .reports import bp as reports_bp
    from .workshops import bp as workshops_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(participate_bp)
    for bp in PHASE_BLUEPRINTS:
        app.register_blueprint(bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(reports_bp)
