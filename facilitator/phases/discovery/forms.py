"""Discovery forms: a story of what works, and a theme of the positive core."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

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


class ThemeChoicesField(SelectMultipleField):
    """Themes as checkboxes (one list per story on the clustering board)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClusterForm(FlaskForm):
    themes = ThemeChoicesField("Themes", coerce=int, validate_choice=True)


class InterviewGuideForm(FlaskForm):
    questions = TextAreaField(
        "Questions, one per line",
        description="Leave it empty to bring back the suggested questions.",
        filters=[clean_text],
        validators=[MaxChars(5000)],
    )

    def validate_questions(self, field) -> None:
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > 20:
            raise ValidationError(f"Please keep the guide to 20 questions; it has {len(lines)}.")
        too_long = [i + 1 for i, line in enumerate(lines) if len(line) > 500]
        if too_long:
            raise ValidationError(
                f"Question {too_long[0]} is longer than 500 characters; split it in two."
            )
