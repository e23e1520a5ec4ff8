"""Destiny forms: an action point."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from ...forms import GroupField, MaxChars, clean_text, load_links, options
from ...models import ActionStatus


class ActionForm(FlaskForm):
    group = GroupField()
    action = TextAreaField(
        "What will be done?",
        filters=[clean_text],
        validators=[DataRequired("Say what the action is."), MaxChars(1000)],
    )
    owner = StringField("Who owns it?", filters=[clean_text], validators=[MaxChars(200)])
    due_on = DateField("By when?", validators=[Optional()], format="%Y-%m-%d")
    first_step = TextAreaField("First step", filters=[clean_text], validators=[MaxChars(1000)])
    statement = SelectField("Serves the statement", coerce=int)
    design = SelectField("Follows from the design idea", coerce=int)
    status = SelectField(
        "Status",
        choices=options((s.value, s.label) for s in ActionStatus),
        default=ActionStatus.PROPOSED.value,
    )

    def load_item(self, item) -> None:
        load_links(self, item)
        self.status.data = item.status.value

    def validate_due_on(self, field) -> None:
        # A DateField that cannot parse leaves raw text behind; say what we expect.
        if field.raw_data and field.raw_data[0] and field.data is None:
            field.errors[:] = []
            raise ValidationError("Use a date like 2026-12-31.")


class StatusForm(FlaskForm):
    """The quick status change on the board (facilitators)."""

    status = SelectField("Status", choices=options((s.value, s.label) for s in ActionStatus))
