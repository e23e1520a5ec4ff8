"""Discovery forms: a story of what works, and a theme of the positive core."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired

from ...forms import GroupField, MaxChars, clean_text, load_links


class ExampleForm(FlaskForm):
    group = GroupField()
    title = StringField(
        "In a few words, what worked?",
        filters=[clean_text],
        validators=[DataRequired("Give your story a short title."), MaxChars(200)],
    )
    story = TextAreaField("What happened?", filters=[clean_text], validators=[MaxChars(5000)])
    what_worked = TextAreaField(
        "What made it work?", filters=[clean_text], validators=[MaxChars(3000)]
    )
    place = StringField("Where?", filters=[clean_text], validators=[MaxChars(200)])
    themes = SelectMultipleField("Themes", coerce=int)

    def load_item(self, item) -> None:
        load_links(self, item)


class ThemeForm(FlaskForm):
    name = StringField(
        "Theme",
        filters=[clean_text],
        validators=[DataRequired("Name the theme."), MaxChars(200)],
    )
    description = TextAreaField("What it means", filters=[clean_text], validators=[MaxChars(2000)])
