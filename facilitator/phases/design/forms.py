"""Design forms: a practice, policy or structure for a statement."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from ...forms import GroupField, MaxChars, clean_text, load_links, options
from ...models import DesignKind


class DesignForm(FlaskForm):
    group = GroupField()
    statement = SelectField("For the statement", coerce=int)
    kind = SelectField(
        "Kind",
        choices=options((k.value, k.label) for k in DesignKind),
        default=DesignKind.PRACTICE.value,
    )
    text = TextAreaField(
        "What would make it real?",
        filters=[clean_text],
        validators=[DataRequired("Describe the practice, policy or structure."), MaxChars(2000)],
    )
    who_involved = StringField("Who is involved?", filters=[clean_text], validators=[MaxChars(500)])

    def load_item(self, item) -> None:
        load_links(self, item)
        self.kind.data = item.kind.value
