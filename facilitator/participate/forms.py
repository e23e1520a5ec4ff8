"""Join forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from ..forms import MaxChars, clean_text
from ..models import JOIN_CODE_ALPHABET, normalise_join_code
from ..models.workshop import JOIN_CODE_LENGTH


class CodeForm(FlaskForm):
    code = StringField(
        "Workshop code",
        filters=[lambda v: normalise_join_code(v) if v else v],
        validators=[DataRequired("Type the code shown on the screen.")],
        render_kw={
            "autocapitalize": "characters",
            "autocomplete": "off",
            "spellcheck": "false",
            "inputmode": "text",
        },
    )

    def validate_code(self, field) -> None:
        if len(field.data) != JOIN_CODE_LENGTH or any(
            c not in JOIN_CODE_ALPHABET for c in field.data
        ):
            raise ValidationError(
                f"Codes have {JOIN_CODE_LENGTH} letters and digits, like K7M4QX. Check the screen and try again."
            )


class JoinForm(FlaskForm):
    name = StringField(
        "Your name (optional)",
        description="Shown next to what you write. Leave it empty to stay anonymous.",
        filters=[clean_text],
        validators=[MaxChars(60)],
        render_kw={"autocomplete": "nickname"},
    )
    anonymous = BooleanField("Stay anonymous")
    group = SelectField("Your table", coerce=int)
