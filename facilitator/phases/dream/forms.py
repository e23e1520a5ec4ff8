"""Dream forms: a mission statement (provocative proposition)."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired

from ...forms import CheckboxesField, GroupField, MaxChars, clean_text, load_links


class StatementForm(FlaskForm):
    group = GroupField()
    text = TextAreaField(
        "Our mission statement",
        # The hint is the workshop's own (Workshop.wording("hint.dream")), set per request.
        filters=[clean_text],
        validators=[DataRequired("Write the statement first."), MaxChars(1000)],
    )
    themes = SelectMultipleField("Grows from the themes", coerce=int)
    examples = CheckboxesField("Grows from the stories", coerce=int)

    def load_item(self, item) -> None:
        load_links(self, item)
        self.examples.data = [e.id for e in item.examples]
