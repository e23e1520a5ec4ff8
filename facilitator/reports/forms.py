"""Share-link form, and what happens after the workshop (printed in the report's summary)."""

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Optional, ValidationError

from ..forms import MaxChars, clean_text


class ShareLinkForm(FlaskForm):
    label = StringField(
        "Who is this link for?",
        filters=[clean_text],
        validators=[MaxChars(120)],
        description="Optional, e.g. 'Board of trustees'. Anyone with the link can read the report.",
    )


class NextStepsForm(FlaskForm):
    """The next check-in and who convenes it: the summary's "What happens next"."""

    check_in = DateField("Next check-in", validators=[Optional()], format="%Y-%m-%d")
    convener = StringField(
        "Convener",
        filters=[clean_text],
        validators=[MaxChars(200)],
        description="Who calls people together next, e.g. 'Claire (Iriss)'.",
    )

    def validate_check_in(self, field) -> None:
        # A DateField that cannot parse leaves raw text behind; say what we expect.
        if field.raw_data and field.raw_data[0] and field.data is None:
            field.errors[:] = []
            raise ValidationError("Use a date like 2026-12-31.")
