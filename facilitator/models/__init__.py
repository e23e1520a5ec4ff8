"""The data model: a workshop and one module per phase of the 4-D cycle."""

from .base import PROVENANCE_LABELS, Base, Provenance, utcnow
from .design import DesignElement, DesignKind
from .destiny import ActionPoint, ActionSignup, ActionStatus
from .discovery import Consent, Example, Theme, example_theme
from .dream import MissionStatement, Vote, statement_example, statement_theme
from .followup import ActionUpdate, FollowupLink, FollowupRole, Reminder, new_followup_token
from .fragment import RenderedItem
from .invitation import INVITATION_LIFETIME, Invitation
from .login import LoginSession, new_login_token
from .share import ShareLink, new_share_token
from .workshop import (
    JOIN_CODE_ALPHABET,
    Facilitator,
    Group,
    Participant,
    Phase,
    Role,
    Workshop,
    WorkshopRole,
    new_join_code,
    normalise_join_code,
)

__all__ = [
    "JOIN_CODE_ALPHABET",
    "ActionPoint",
    "ActionSignup",
    "ActionStatus",
    "ActionUpdate",
    "Consent",
    "FollowupLink",
    "FollowupRole",
    "Reminder",
    "PROVENANCE_LABELS",
    "Base",
    "DesignElement",
    "DesignKind",
    "Example",
    "Facilitator",
    "Group",
    "LoginSession",
    "INVITATION_LIFETIME",
    "Invitation",
    "MissionStatement",
    "Participant",
    "Phase",
    "Provenance",
    "RenderedItem",
    "Role",
    "ShareLink",
    "Theme",
    "Vote",
    "Workshop",
    "WorkshopRole",
    "example_theme",
    "new_followup_token",
    "new_join_code",
    "new_login_token",
    "new_share_token",
    "normalise_join_code",
    "statement_example",
    "statement_theme",
    "utcnow",
]
