"""Workshop, group and co-facilitator forms."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..forms import MaxChars, clean_text, options
from ..models import Role


class WorkshopForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[clean_text],
        validators=[DataRequired("Give the workshop a title."), MaxChars(200)],
    )
    topic = TextAreaField(
        "Affirmative topic",
        description="The question the room explores, put positively.",
        filters=[clean_text],
        validators=[MaxChars(1000)],
    )
    description = TextAreaField("Description", filters=[clean_text], validators=[MaxChars(5000)])
    venue = StringField("Venue", filters=[clean_text], validators=[MaxChars(200)])
    starts_on = DateField("Date", validators=[Optional()])
    ends_on = DateField("Last day (if more than one)", validators=[Optional()])
    dots_per_participant = IntegerField(
        "Dots per participant (Dream voting)",
        default=3,
        validators=[NumberRange(0, 50, "Between 0 and 50 dots.")],
    )
    group_assignment = SelectField(
        "Groups",
        choices=options(
            [
                ("choose", "Participants pick their table"),
                ("round_robin", "Assign tables in turn"),
                ("by_hand", "I seat people myself (on the participants page)"),
            ]
        ),
        default="choose",
    )
    group_names = TextAreaField(
        "Groups (tables), one per line",
        description="Only used when creating; manage groups later on the workshop page.",
        filters=[clean_text],
        validators=[MaxChars(2000)],
    )
    previous = SelectField("Follows an earlier workshop", coerce=int, default=0)
    carry_forward = BooleanField(
        "Carry forward its themes and mission statements",
        description="Only used when creating; you can also do it later on the workshop page.",
    )

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last day cannot be before the first.")


class GroupForm(FlaskForm):
    name = StringField(
        "Group name",
        filters=[clean_text],
        validators=[DataRequired("Name the group."), MaxChars(120)],
    )
    focus = StringField("Focus (optional)", filters=[clean_text], validators=[MaxChars(500)])


class CoFacilitatorForm(FlaskForm):
    email = EmailField(
        "Email of their facilitator account",
        filters=[clean_text],
        validators=[DataRequired(), Email(), MaxChars(254)],
    )
    role = SelectField(
        "Role",
        choices=options(
            [
                (Role.FACILITATOR.value, "Co-facilitator"),
                (Role.ORGANISER.value, "Organiser (read-only report)"),
            ]
        ),
        default=Role.FACILITATOR.value,
    )


ROLE_CHOICES = [
    (Role.FACILITATOR.value, "Co-facilitator"),
    (Role.ORGANISER.value, "Organiser (read-only report)"),
]


class InvitationForm(FlaskForm):
    """Make an invitation link (who it is for is whoever it is given to)."""

    role = SelectField(
        "They join as", choices=options(ROLE_CHOICES), default=Role.FACILITATOR.value
    )


class InvitedAccountForm(FlaskForm):
    """An account made from an invitation link, for someone who has none."""

    name = StringField("Your name", filters=[clean_text], validators=[MaxChars(120)])
    email = EmailField(
        "Email", filters=[clean_text], validators=[DataRequired(), Email(), MaxChars(254)]
    )
    password = PasswordField(
        "Choose a password",
        validators=[DataRequired(), Length(min=8, max=200, message="Use 8 to 200 characters.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Type it again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
