"""The stack's floor for a post: the least a validated, stored, rendered post
costs on Flask + Flask-WTF + Flask-SQLAlchemy, with none of the app around it.

bench/load.py serves it with the same gunicorn.conf.py as the app and the
ceiling, on the same fresh database, and posts the same story to it. Each post:

* loads the signed session cookie and checks the CSRF token (Flask-WTF);
* validates four fields (WTForms, the app's lengths);
* inserts one row through the ORM and commits;
* renders the empty form back from a Jinja template.

What the app adds on top (who is asking and whether they may post, the rate
limit, the live revision, the copies for the other phones, the compose box's
own markup) is then the gap between this and the app's posting figure, and
the gap between this and the ceiling is what the stack costs before any of it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from facilitator.core.db import configure_engine


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class FloorStory(db.Model):
    __tablename__ = "floor_story"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    story: Mapped[str] = mapped_column(Text, default="")
    what_worked: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))


class StoryForm(FlaskForm):
    title = StringField(
        "In a few words, what worked?", validators=[DataRequired(), Length(max=200)]
    )
    story = TextAreaField("What happened?", validators=[Length(max=5000)])
    what_worked = TextAreaField("What made it work?", validators=[Length(max=3000)])
    place = StringField("Where?", validators=[Length(max=200)])


FORM = """<form method="post" hx-post="/post">{{ form.csrf_token }}
{% for field in form if field.name != "csrf_token" %}<label>{{ field.label.text }} {{ field() }}</label>
{% for error in field.errors %}<small>{{ error }}</small>{% endfor %}{% endfor %}
{% if saved %}<p role="status">{{ saved }}</p>{% endif %}<button>Share</button></form>"""

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ.get("SECRET_KEY", "floor"),
    SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite://"),
    WTF_CSRF_TIME_LIMIT=None,
)
db.init_app(app)
with app.app_context():
    # The app's own engine set-up (SQLite's WAL pragmas, PostgreSQL's idle
    # pings), so both commit alike: the database, not the app, is shared.
    configure_engine(db.engine)
    db.create_all()  # gunicorn preloads the app: once, in the master
    db.engine.dispose()  # no connection crosses the fork into the workers
# Compiled once, as Flask's template loader caches a template file (compiling
# it on every request, as render_template_string does, was two thirds of a post).
TEMPLATE = app.jinja_env.from_string(FORM)


def render(form: StoryForm, saved: str | None = None) -> str:
    return TEMPLATE.render(form=form, saved=saved)


@app.get("/form")
def form():
    """The empty form, which puts a CSRF token in the session."""
    return render(StoryForm())


@app.post("/post")
def post():
    """Validate, insert, commit, render the empty form back."""
    form = StoryForm()
    if not form.validate_on_submit():
        return render(form), 422
    story = FloorStory()
    form.populate_obj(story)
    db.session.add(story)
    db.session.commit()
    return render(StoryForm(formdata=None), "It is on the board.")
