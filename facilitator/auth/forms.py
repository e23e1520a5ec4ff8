"""Login and password forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .operations import MIN_PASSWORD


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device (for 14 days)")


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        render_kw={"autocomplete": "current-password"},
        validators=[DataRequired("Type your current password."), Length(max=200)],
    )
    new = PasswordField(
        "New password",
        render_kw={"autocomplete": "new-password"},
        description=f"At least {MIN_PASSWORD} characters. Your other devices will be logged out.",
        validators=[
            DataRequired("Choose a new password."),
            Length(min=MIN_PASSWORD, max=200, message=f"Use {MIN_PASSWORD} to 200 characters."),
        ],
    )
    confirm = PasswordField(
        "New password again",
        render_kw={"autocomplete": "new-password"},
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("new", "The two new passwords differ."),
        ],
    )
