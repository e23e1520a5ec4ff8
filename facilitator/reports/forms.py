"""Share-link form."""

from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms import MaxChars, clean_text


class ShareLinkForm(FlaskForm):
    label = StringField(
        "Who is this link for?",
        filters=[clean_text],
        validators=[MaxChars(120)],
        description="Optional, e.g. 'Board of trustees'. Anyone with the link can read the report.",
    )
