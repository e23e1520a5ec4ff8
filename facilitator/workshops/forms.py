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
from ..models.workshop import DEFAULT_WORDING, EARLIER_PHASES_CLOSED, EARLIER_PHASES_OPEN


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
    earlier_phases = SelectField(
        "After the room moves on",
        description="Facilitators can always hide, move, merge, edit or delete anything.",
        choices=options(
            [
                (EARLIER_PHASES_CLOSED, "Earlier phases are closed: participants' work stays"),
                (EARLIER_PHASES_OPEN, "Participants may still edit or delete their own"),
            ]
        ),
        default=EARLIER_PHASES_CLOSED,
    )
    group_names = TextAreaField(
        "Groups (tables), one per line",
        description="Only used when creating; manage groups later on the workshop page.",
        filters=[clean_text],
        validators=[MaxChars(2000)],
    )
    listed = BooleanField(
        "List it on the public front page (a public demo)",
        description="Anyone could then see its join code and join. Leave it off for a real "
        "room: people join with the code you show them.",
    )
    previous = SelectField("Follows an earlier workshop", coerce=int, default=0)
    carry_forward = BooleanField(
        "Carry forward its themes, stories and mission statements",
        description="Only used when creating; you can also do it later on the workshop page.",
    )

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last day cannot be before the first.")


#: What each wording key is, for the facilitator (a key without a label shows as itself).
WORDING_LABELS = {
    "prompt.discovery": "Discovery prompt",
    "prompt.dream": "Dream prompt",
    "prompt.design": "Design prompt",
    "prompt.destiny": "Destiny prompt",
    "hint.dream": "Hint under the Dream statement",
}
MAX_WORDING = 500


def wording_field(key: str) -> str:
    """The form field of a wording key ("hint.dream" -> "wording_hint_dream")."""
    return "wording_" + key.replace(".", "_")


# One field per key of DEFAULT_WORDING, empty meaning the neutral default (shown
# as the field's placeholder), so a key added there gets its field here.
for _key, _default in DEFAULT_WORDING.items():
    setattr(
        WorkshopForm,
        wording_field(_key),
        TextAreaField(
            WORDING_LABELS.get(_key, _key),
            filters=[clean_text],
            validators=[MaxChars(MAX_WORDING)],
            render_kw={"placeholder": _default, "rows": 2},
        ),
    )


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

    # Its own id: the workshop page's "add a co-facilitator" form has a "role" too.
    role = SelectField(
        "They join as",
        choices=options(ROLE_CHOICES),
        default=Role.FACILITATOR.value,
        id="invite-role",
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
