"""Console forms: phase buttons, pause/reopen, the timer, seating participants."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, NumberRange, Optional

from ..models import Phase
from .operations import MAX_TIMER_MINUTES

TIMER_ACTIONS = ("start", "pause", "resume", "add", "stop")


class PhaseForm(FlaskForm):
    """The phase to move the room to (one button per target, so a stale page can't skip two)."""

    phase = StringField(validators=[AnyOf([p.value for p in Phase], "Pick a phase.")])


class LockForm(FlaskForm):
    """``1`` pauses contributions, ``0`` reopens them (explicit, so a double click is harmless)."""

    locked = StringField(validators=[AnyOf(["0", "1"], "Pause or reopen?")])


class TimerForm(FlaskForm):
    minutes = IntegerField(
        "Minutes",
        default=10,
        validators=[
            Optional(),
            NumberRange(1, MAX_TIMER_MINUTES, f"Between 1 and {MAX_TIMER_MINUTES} minutes."),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_TIMER_MINUTES},
    )
    action = StringField(validators=[DataRequired(), AnyOf(TIMER_ACTIONS, "Unknown timer action.")])


class MoveForm(FlaskForm):
    """Which table a participant sits at (0: none yet)."""

    group = SelectField("Table", coerce=int)
