"""A small, fully linked workshop for the report and export tests (and a big one for the benchmark)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    ActionSignup,
    ActionStatus,
    DesignElement,
    DesignKind,
    Example,
    MissionStatement,
    Participant,
    Theme,
    Vote,
    Workshop,
)

HOSTILE = '<img src="file:///etc/passwd"> see http://127.0.0.1:9/leak.png'
CSS_ATTACK = "<style>@import url(http://127.0.0.1:9/x.css); body{background:url(file:///etc/hostname)}</style>"


@dataclass
class Filled:
    workshop_id: int
    visible_actions: list[str]
    hidden_texts: list[str]


def fill_workshop(workshop_id: int) -> Filled:
    """Add stories, themes, statements (with votes), designs and actions, some hidden.

    Call inside an app context. Every visible item is linked so the trace is complete.
    """
    workshop = db.session.get(Workshop, workshop_id)
    g1, g2 = workshop.groups[0], workshop.groups[1]
    ana = Participant(workshop=workshop, display_name="Ана Ђорђевић", group=g1)
    zoe = Participant(workshop=workshop, display_name="Zoë Ødegård", group=g2)
    db.session.add_all([ana, zoe])
    db.session.flush()

    belief = Theme(workshop_id=workshop_id, name="Belief in people", position=1, group_id=g1.id)
    hidden_theme = Theme(workshop_id=workshop_id, name="HIDDEN-THEME-ZETA", hidden=True)
    story = Example(
        workshop_id=workshop_id,
        title="Mentor who stayed",
        story="A mentor kept in touch for two years.\n\n" + HOSTILE,
        what_worked=CSS_ATTACK,
        place="Glasgow",
        group_id=g1.id,
        author_participant_id=ana.id,
        themes=[belief, hidden_theme],
    )
    hidden_story = Example(
        workshop_id=workshop_id, title="HIDDEN-STORY-ALPHA", hidden=True, themes=[belief]
    )
    loose = Example(workshop_id=workshop_id, title="Café conversation", group_id=g2.id)
    statement = MissionStatement(
        workshop_id=workshop_id,
        text="Everyone leaving prison is met by someone who believes in them",
        themes=[belief, hidden_theme],
        group_id=g1.id,
        seed_votes=2,
    )
    second = MissionStatement(
        workshop_id=workshop_id, text="Communities see change as possible", group_id=g2.id
    )
    hidden_statement = MissionStatement(
        workshop_id=workshop_id, text="HIDDEN-STATEMENT-BETA", hidden=True, seed_votes=50
    )
    db.session.add_all([belief, hidden_theme, story, hidden_story, loose])
    db.session.add_all([statement, second, hidden_statement])
    db.session.flush()
    db.session.add_all(
        [
            Vote(workshop_id=workshop_id, statement_id=second.id, participant_id=ana.id, slot=1),
            Vote(workshop_id=workshop_id, statement_id=second.id, participant_id=zoe.id, slot=1),
            Vote(workshop_id=workshop_id, statement_id=second.id, participant_id=zoe.id, slot=2),
            Vote(workshop_id=workshop_id, statement_id=statement.id, participant_id=ana.id, slot=2),
        ]
    )
    design = DesignElement(
        workshop_id=workshop_id,
        statement=statement,
        kind=DesignKind.PRACTICE,
        text="Peer mentors meet people at the gate",
        who_involved="Peer mentors, prison staff",
        group_id=g1.id,
    )
    hidden_design = DesignElement(
        workshop_id=workshop_id, statement=statement, text="HIDDEN-DESIGN-GAMMA", hidden=True
    )
    db.session.add_all([design, hidden_design])
    db.session.flush()
    gate = ActionPoint(
        workshop_id=workshop_id,
        design=design,
        action="Recruit ten peer mentors",
        owner="Archie",
        due_on=date(2026, 9, 30),
        first_step="Ask the third sector forum",
        status=ActionStatus.AGREED,
        group_id=g1.id,
    )
    formula = ActionPoint(
        workshop_id=workshop_id,
        statement=second,
        action='=HYPERLINK("http://127.0.0.1:9/x","click")',
        owner="@Ewan; team",
        due_on=date(2026, 12, 1),
        first_step="+44 call, then -1 step",
        status=ActionStatus.PROPOSED,
        group_id=g2.id,
    )
    via_hidden = ActionPoint(
        workshop_id=workshop_id,
        design=hidden_design,
        action="Write the gate-meeting guide",
        owner="Beth",
        status=ActionStatus.IN_PROGRESS,
    )
    hidden_action = ActionPoint(
        workshop_id=workshop_id, action="HIDDEN-ACTION-DELTA", owner="Nobody", hidden=True
    )
    db.session.add_all([gate, formula, via_hidden, hidden_action])
    db.session.flush()
    db.session.add(ActionSignup(action_id=gate.id, participant_id=zoe.id))
    db.session.commit()
    return Filled(
        workshop_id,
        visible_actions=[gate.action, "Write the gate-meeting guide"],
        hidden_texts=[
            "HIDDEN-THEME-ZETA",
            "HIDDEN-STORY-ALPHA",
            "HIDDEN-STATEMENT-BETA",
            "HIDDEN-DESIGN-GAMMA",
            "HIDDEN-ACTION-DELTA",
        ],
    )


WORDS = (
    "people support community trust mentor family work housing hope change belief time "
    "listen respect record service youth peer recovery skills future court prison job "
    "café naïve Zoë Ђорђе Ελπίδα"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate_workshop(workshop_id: int, contributions: int = 500, seed: int = 7) -> None:
    """Fill a workshop with ``contributions`` items in 4-D proportions (for the benchmark).

    Roughly 40% stories, 5% themes, 15% statements, 20% designs, 20% actions.
    """
    rng = random.Random(seed)
    workshop = db.session.get(Workshop, workshop_id)
    groups = list(workshop.groups)
    people = [
        Participant(workshop=workshop, display_name=f"Person {i}", group=rng.choice(groups))
        for i in range(60)
    ]
    db.session.add_all(people)
    n_themes = max(1, contributions * 5 // 100)
    n_stories = contributions * 40 // 100
    n_statements = contributions * 15 // 100
    n_designs = contributions * 20 // 100
    n_actions = contributions - n_themes - n_stories - n_statements - n_designs
    themes = [
        Theme(workshop_id=workshop_id, name=f"Theme {i}: {_sentence(rng, 3)}", position=i)
        for i in range(n_themes)
    ]
    db.session.add_all(themes)
    stories = [
        Example(
            workshop_id=workshop_id,
            title=_sentence(rng, 5),
            story="\n\n".join(_sentence(rng, 25) for _ in range(2)),
            what_worked=_sentence(rng, 12),
            place=rng.choice(["Glasgow", "Bristol", "Dundee"]),
            group_id=None,
            themes=rng.sample(themes, k=min(2, len(themes))),
        )
        for _ in range(n_stories)
    ]
    statements = [
        MissionStatement(
            workshop_id=workshop_id,
            text=_sentence(rng, 18),
            seed_votes=rng.randint(0, 12),
            themes=rng.sample(themes, k=min(2, len(themes))),
        )
        for _ in range(n_statements)
    ]
    db.session.add_all(stories + statements)
    db.session.flush()
    for item in stories + statements:
        item.group_id = rng.choice(groups).id
    designs = [
        DesignElement(
            workshop_id=workshop_id,
            statement=rng.choice(statements),
            kind=rng.choice(list(DesignKind)),
            text=_sentence(rng, 20),
            who_involved=_sentence(rng, 4),
            group_id=rng.choice(groups).id,
        )
        for _ in range(n_designs)
    ]
    db.session.add_all(designs)
    db.session.flush()
    start = date(2026, 6, 1)
    owners = [f"Owner {i}" for i in range(15)]
    actions = [
        ActionPoint(
            workshop_id=workshop_id,
            design=rng.choice(designs),
            action=_sentence(rng, 14),
            owner=rng.choice(owners),
            due_on=start + timedelta(days=rng.randint(0, 300)),
            first_step=_sentence(rng, 10),
            status=rng.choice(list(ActionStatus)),
            group_id=rng.choice(groups).id,
        )
        for _ in range(n_actions)
    ]
    db.session.add_all(actions)
    db.session.commit()
