"""Forms shared across blueprints."""

import re

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class EmptyForm(FlaskForm):
    """No fields: CSRF protection for POST-only buttons (delete, hide, logout)."""


# Control characters other than tab and newline never belong in what people
# type, and PostgreSQL refuses NUL bytes outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str | None:
    """Strip surrounding space, normalise newlines and drop control characters."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


class MaxChars:
    """Length limit whose message says how far over the text is."""

    def __init__(self, limit: int):
        self.limit = limit
        self.field_flags = {"maxlength": limit}

    def __call__(self, form, field) -> None:
        size = len(field.data or "")
        if size > self.limit:
            raise ValidationError(
                f"Please keep this to {self.limit:,} characters; it is {size:,} now "
                f"({size - self.limit:,} too many)."
            )


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as SelectChoice objects (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class GroupField(SelectField):
    """A group (table) of the workshop, or 0 for the whole room."""

    def __init__(self, label="Group", **kwargs):
        super().__init__(label, coerce=int, validate_choice=True, **kwargs)

    def set_groups(self, groups, *, allow_room: bool = True) -> None:
        choices = [(0, "Whole room")] if allow_room else []
        self.choices = options(choices + [(g.id, g.name) for g in groups])


def load_links(form, item) -> None:
    """Fill select fields from an item's foreign keys (``obj=`` cannot: it sees objects)."""
    if "group" in form:
        form.group.data = item.group_id or 0
    if "themes" in form:
        form.themes.data = [t.id for t in item.themes]
    if "statement" in form:
        form.statement.data = item.statement_id or 0
    if "design" in form:
        form.design.data = item.design_id or 0


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (easier on a phone than a
    multi-select, and no JavaScript needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
