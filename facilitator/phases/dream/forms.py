"""Dream forms: a mission statement (provocative proposition)."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired

from ...forms import GroupField, MaxChars, clean_text, load_links


class StatementForm(FlaskForm):
    group = GroupField()
    text = TextAreaField(
        "Our mission statement",
        description="Write it as if it were already true: “People leaving prison are met at the gate by…”",
        filters=[clean_text],
        validators=[DataRequired("Write the statement first."), MaxChars(1000)],
    )
    themes = SelectMultipleField("Grows from the themes", coerce=int)

    def load_item(self, item) -> None:
        load_links(self, item)
