"""In a real browser: clustering stories into themes by drag and drop
(static/js/cluster.js) and the clustering page's accessibility; dot votes on a
phone that leave a half-typed statement alone; the status select that saves on change."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import assert_accessible, join


def test_drag_stories_between_themes(open_context, seed_workshop, seed_app, login_as):
    from facilitator.extensions import db
    from facilitator.models import Example, Theme

    page = open_context("desktop").new_page()
    email = login_as(page)
    wid, _ = seed_workshop(phase="discovery", facilitator=email)
    with seed_app.app_context():
        story = db.session.execute(db.select(Example).filter_by(workshop_id=wid)).scalar_one()
        believed = story.themes[0]
        turns_up = Theme(workshop_id=wid, name="Someone turns up", position=1)
        db.session.add(turns_up)
        db.session.commit()
        story_id, believed_id, turns_up_id = story.id, believed.id, turns_up.id

    def themes_now() -> list[str]:
        with seed_app.app_context():
            return sorted(t.name for t in db.session.get(Example, story_id).themes)

    page.goto(f"/w/{wid}/discovery/themes")
    assert_accessible(page, "the clustering page")

    # From one theme onto another: the story moves.
    page.drag_and_drop(
        f'#theme-{believed_id} li[data-example="{story_id}"]', f"#theme-{turns_up_id}"
    )
    expect(page.get_by_text("“Met at the gate” is now in: Someone turns up.")).to_be_visible()
    assert themes_now() == ["Someone turns up"]

    # The story card onto a theme: added to it, kept in the other.
    page.drag_and_drop(f"#story-{story_id} h3", f"#theme-{believed_id}")
    expect(page.get_by_text("is now in: Being believed in, Someone turns up.")).to_be_visible()
    assert themes_now() == ["Being believed in", "Someone turns up"]

    # Out of a theme, back onto the list of stories.
    page.drag_and_drop(f'#theme-{turns_up_id} li[data-example="{story_id}"]', "#stories-heading")
    expect(page.get_by_text("“Met at the gate” is now in: Being believed in.")).to_be_visible()
    assert themes_now() == ["Being believed in"]


def test_voting_keeps_a_half_typed_statement(open_context, seed_workshop):
    _, code = seed_workshop(phase="dream")
    page = open_context("phone").new_page()
    join(page, code, name="Amira")
    box = page.get_by_label("Our mission statement")
    box.fill("Half a thought about famil")
    ballot = page.locator(".ballot-item").first
    for left in (2, 1, 0):
        ballot.get_by_role("button", name="Add a dot").click()
        expect(page.locator(".dots-left strong")).to_have_text(str(left))
    expect(page.get_by_role("button", name="Add a dot")).to_have_count(0)
    expect(ballot.locator(".my-dots")).to_have_text("3 yours")
    # The statement's count on the board below follows at once (out-of-band swap).
    expect(page.locator("article.item .dot-count").first).to_have_text("3")
    expect(box).to_have_value("Half a thought about famil")
    ballot.get_by_role("button", name="Take a dot back").click()
    expect(page.locator(".dots-left strong")).to_have_text("1")
    expect(box).to_have_value("Half a thought about famil")


def test_status_select_saves_on_change(open_context, seed_workshop, seed_app, login_as):
    from facilitator.extensions import db
    from facilitator.models import ActionPoint, ActionStatus

    page = open_context("desktop").new_page()
    email = login_as(page)
    wid, _ = seed_workshop(phase="destiny", facilitator=email)
    page.goto(f"/w/{wid}/destiny/")
    page.get_by_label("Status of this action").select_option("agreed")
    expect(page.get_by_text("“Recruit ten gate mentors” is agreed.")).to_be_visible()
    with seed_app.app_context():
        action = db.session.execute(db.select(ActionPoint).filter_by(workshop_id=wid)).scalar_one()
        assert action.status == ActionStatus.AGREED
