"""Destiny forms: an action point."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
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
    # Shown once a past date has been questioned (destiny/_form_fields.html).
    past_due_ok = BooleanField("Yes, keep that date in the past")
    first_step = TextAreaField("First step", filters=[clean_text], validators=[MaxChars(1000)])
    statement = SelectField("Serves the statement", coerce=int)
    design = SelectField("Follows from the design idea", coerce=int)
    # Checked in validate_status, with words for what a participant may not pick.
    status = SelectField(
        "Status",
        choices=options((s.value, s.label) for s in ActionStatus),
        default=ActionStatus.PROPOSED.value,
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # What the action already had (editing): keeping its date or its
        # status is never questioned again.
        stored = kwargs.get("obj")
        self.stored_due_on = getattr(stored, "due_on", None)
        self.stored_status = getattr(getattr(stored, "status", None), "value", None)

    def offer_done(self, allowed: bool) -> None:
        """Participants do not create an action that is already done (the
        facilitator confirms that); an action already done keeps the choice."""
        if not allowed and self.stored_status != ActionStatus.DONE.value:
            self.status.choices = [c for c in self.status.choices if c.value != ActionStatus.DONE]

    def validate_status(self, field) -> None:
        if field.data in {choice.value for choice in field.choices}:
            return
        if field.data == ActionStatus.DONE.value:
            raise ValidationError(
                "An action is marked done by the facilitator. Save it as proposed, agreed "
                "or in progress."
            )
        raise ValidationError("Pick one of the listed statuses.")

    def load_item(self, item) -> None:
        load_links(self, item)
        self.status.data = item.status.value

    def validate_due_on(self, field) -> None:
        # A DateField that cannot parse leaves raw text behind; say what we expect.
        if field.raw_data and field.raw_data[0] and field.data is None:
            field.errors[:] = []
            raise ValidationError("Use a date like 2026-12-31.")
        when = field.data
        if when is None or when >= date.today() or when == self.stored_due_on:
            return
        if not self.past_due_ok.data:
            raise ValidationError(
                f"{when.day} {when:%B %Y} is in the past. Pick a later date, or tick the box "
                "below to keep it (an action already under way)."
            )


class StatusForm(FlaskForm):
    """The quick status change on the board (facilitators)."""

    status = SelectField("Status", choices=options((s.value, s.label) for s in ActionStatus))
