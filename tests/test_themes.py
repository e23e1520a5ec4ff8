"""Discovery: clustering stories into themes (the positive core) and the paired
appreciative interview guide."""

from __future__ import annotations

from pathlib import Path

from facilitator.extensions import db
from facilitator.models import Example, Theme, Workshop
from facilitator.phases.discovery.operations import DEFAULT_INTERVIEW_QUESTIONS
from tests.support.sql import recorded_sql

HX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parents[1]


def seed_cluster(app, wid):
    with app.app_context():
        hope, trust = Theme(workshop_id=wid, name="Hope"), Theme(workshop_id=wid, name="Trust")
        story = Example(workshop_id=wid, title="Met at the gate", what_worked="Someone waited")
        db.session.add_all([hope, trust, story])
        db.session.commit()
        return story.id, hope.id, trust.id


def theme_names(app, example_id):
    with app.app_context():
        return [t.name for t in db.session.get(Example, example_id).themes]


def test_cluster_by_ticking_themes(app, facilitator_client):
    client, wid, _ = facilitator_client
    story, hope, trust = seed_cluster(app, wid)
    page = client.get(f"/w/{wid}/discovery/themes").get_data(as_text=True)
    assert "1 not in any theme yet." in page
    assert f'name="ex{story}-themes" type="checkbox" value="{hope}"' in page
    assert 'data-theme="' in page and 'draggable="true"' in page
    assert "js/cluster.js" in page

    response = client.post(
        f"/w/{wid}/discovery/{story}/themes",
        data={f"ex{story}-themes": [str(hope), str(trust)]},
        headers=HX,
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="cluster"')
    assert "“Met at the gate” is now in: Hope, Trust." in fragment
    assert "0 not in any theme yet." in fragment
    assert theme_names(app, story) == ["Hope", "Trust"]

    # Unticking everything (no field sent at all) takes it out of every theme; no JS needed.
    response = client.post(f"/w/{wid}/discovery/{story}/themes", data={})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{wid}/discovery/themes#story-{story}")
    assert theme_names(app, story) == []


def test_cluster_refuses_foreign_themes_and_stories(app, facilitator_client, create_workshop):
    client, wid, _ = facilitator_client
    story, hope, _ = seed_cluster(app, wid)
    other = create_workshop()
    with app.app_context():
        foreign_theme = Theme(workshop_id=other, name="Elsewhere")
        foreign_story = Example(workshop_id=other, title="Not here")
        db.session.add_all([foreign_theme, foreign_story])
        db.session.commit()
        foreign_theme_id, foreign_story_id = foreign_theme.id, foreign_story.id
    response = client.post(
        f"/w/{wid}/discovery/{story}/themes",
        data={f"ex{story}-themes": [str(hope), str(foreign_theme_id)]},
        headers=HX,
    )
    assert response.status_code == 422
    assert "Pick themes of this workshop" in response.get_data(as_text=True)
    assert theme_names(app, story) == []
    response = client.post(
        f"/w/{wid}/discovery/{foreign_story_id}/themes",
        data={f"ex{foreign_story_id}-themes": [str(hope)]},
    )
    assert response.status_code == 404
    assert "not part of this workshop" in response.get_data(as_text=True)


def test_participants_cannot_cluster(app, client, create_workshop, join):
    wid = create_workshop()
    story, hope, _ = seed_cluster(app, wid)
    join(client, wid)
    response = client.post(f"/w/{wid}/discovery/{story}/themes", data={f"ex{story}-themes": [hope]})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert theme_names(app, story) == []


def test_drag_and_drop_script_submits_the_same_form():
    script = (ROOT / "static/js/cluster.js").read_text()
    assert "requestSubmit" in script
    assert "form.cluster-form" in script
    template = (ROOT / "templates/discovery/_cluster.html").read_text()
    assert 'class="cluster-form"' in template
    assert "<script" not in template


def test_interview_guide_defaults_edit_and_reset(app, facilitator_client):
    client, wid, _ = facilitator_client
    page = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "Paired interview guide" in page
    assert DEFAULT_INTERVIEW_QUESTIONS[0].replace("'", "&#39;") in page

    form = client.get(f"/w/{wid}/discovery/guide").get_data(as_text=True)
    assert "These are the suggested questions" in form
    questions = "Tell me about a day when leaving prison went well.\n\n  What helped?  \n"
    response = client.post(f"/w/{wid}/discovery/guide", data={"questions": questions})
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(Workshop, wid).settings
        assert settings["interview_questions"] == [
            "Tell me about a day when leaving prison went well.",
            "What helped?",
        ]
    page = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "<li>What helped?</li>" in page
    assert DEFAULT_INTERVIEW_QUESTIONS[0] not in page

    # Too many questions: refused next to the field, text kept.
    many = "\n".join(f"Question {i}?" for i in range(25))
    response = client.post(f"/w/{wid}/discovery/guide", data={"questions": many})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "keep the guide to 20 questions; it has 25" in body
    assert "Question 24?" in body

    # Empty brings the defaults back.
    assert client.post(f"/w/{wid}/discovery/guide", data={"questions": ""}).status_code == 302
    with app.app_context():
        assert "interview_questions" not in db.session.get(Workshop, wid).settings


def test_participants_read_the_guide_but_cannot_edit_it(app, client, create_workshop, join):
    wid = create_workshop()
    join(client, wid)
    page = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert '<details class="interview" open>' in page
    assert "Edit the questions" not in page
    guide = client.get(f"/w/{wid}/discovery/guide")
    assert guide.status_code == 200
    assert "Save the guide" not in guide.get_data(as_text=True)
    refused = client.post(f"/w/{wid}/discovery/guide", data={"questions": "Mine?"})
    assert refused.status_code == 403
    with app.app_context():
        assert not (db.session.get(Workshop, wid).settings or {}).get("interview_questions")


def test_clustering_page_queries_do_not_grow_with_stories(app, facilitator_client):

    client, wid, _ = facilitator_client

    def add(count):
        with app.app_context():
            workshop = db.session.get(Workshop, wid)
            themes = [Theme(workshop_id=wid, name=f"T{i}", position=i) for i in range(3)]
            db.session.add_all(themes)
            for i in range(count):
                db.session.add(
                    Example(
                        workshop_id=wid,
                        title=f"Story {i}",
                        group_id=workshop.groups[i % 3].id,
                        themes=[themes[i % 3]],
                    )
                )
            db.session.commit()

    def count_queries():
        with recorded_sql(app) as statements:
            assert client.get(f"/w/{wid}/discovery/themes").status_code == 200
        return len(statements)

    add(5)
    few = count_queries()
    add(60)
    assert count_queries() == few


def test_add_theme_from_the_clustering_board(app, facilitator_client):
    client, wid, _ = facilitator_client
    page = client.get(f"/w/{wid}/discovery/themes").get_data(as_text=True)
    assert '<details class="add-theme" open>' in page  # no themes yet: the form is open
    refused = client.post(f"/w/{wid}/discovery/themes", data={"name": "  "})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "Name the theme." in body
    assert '<details class="add-theme" open>' in body
    added = client.post(f"/w/{wid}/discovery/themes", data={"name": "Someone turns up"})
    assert added.status_code == 302
    page = client.get(f"/w/{wid}/discovery/themes").get_data(as_text=True)
    assert 'data-theme="' in page and "Someone turns up" in page
    assert '<details class="add-theme">' in page
