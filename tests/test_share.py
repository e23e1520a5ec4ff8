"""Who may open the report and exports: facilitators, organisers, share links."""

from __future__ import annotations

import pytest

from facilitator.extensions import db
from facilitator.models import Role, ShareLink, WorkshopRole

ROUTES = ["report", "report.html", "actions.csv", "actions.ics", "export.json"]
SHARED = ["", "actions.csv", "actions.ics", "export.json"]


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "REPORT_CACHE_DIR": str(tmp_path / "report-cache")}


def _make_link(app, workshop_id: int) -> tuple[int, str]:
    with app.app_context():
        link = ShareLink(workshop_id=workshop_id)
        db.session.add(link)
        db.session.commit()
        return link.id, link.token


def test_organiser_account_reads_report_and_exports(
    app, client, create_workshop, create_facilitator, login
):
    wid = create_workshop()
    organiser = create_facilitator()
    with app.app_context():
        db.session.add(WorkshopRole(workshop_id=wid, facilitator_id=organiser, role=Role.ORGANISER))
        db.session.commit()
    login(client, organiser)
    for route in ROUTES:
        assert client.get(f"/w/{wid}/{route}").status_code == 200, route
    # Read-only: the overview shows the downloads but no share-link management.
    overview = client.get(f"/w/{wid}/").get_data(as_text=True)
    assert f"/w/{wid}/report.pdf" in overview
    assert "Create a share link" not in overview
    assert client.post(f"/w/{wid}/share-links", data={"label": "x"}).status_code == 403


def test_other_facilitators_and_participants_are_refused(
    app, client, create_workshop, create_facilitator, login, join
):
    wid = create_workshop()
    join(client, wid, name="Pat")
    response = client.get(f"/w/{wid}/actions.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    stranger = create_facilitator()
    login(client, stranger)
    for route in ROUTES:
        response = client.get(f"/w/{wid}/{route}")
        assert response.status_code == 403, route
        assert "facilitators and organisers" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, create_workshop):
    wid = create_workshop()
    response = client.get(f"/w/{wid}/report.pdf")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_share_link_lifecycle(app, facilitator_client):
    """Create from the overview, open anonymously, revoke, and it stops working."""
    client, wid, _ = facilitator_client
    response = client.post(f"/w/{wid}/share-links", data={"label": "Trustees"})
    assert response.status_code == 302
    with app.app_context():
        link = db.session.execute(db.select(ShareLink)).scalar_one()
        token, link_id = link.token, link.id
        assert link.label == "Trustees" and len(token) >= 43
    overview = client.get(f"/w/{wid}/").get_data(as_text=True)
    assert token in overview and "Trustees" in overview

    anonymous = app.test_client()
    for route in SHARED:
        response = anonymous.get(f"/s/{token}/{route}")
        assert response.status_code == 200, route
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "private, no-store"
    preview = anonymous.get(f"/s/{token}/").get_data(as_text=True)
    assert f"/s/{token}/report.pdf" in preview
    assert f"/w/{wid}/" not in preview  # the preview's links keep to the share link
    # The link opens only its own workshop's pages, never the account routes.
    assert anonymous.get(f"/w/{wid}/report").status_code == 302

    client.post(f"/w/{wid}/share-links/{link_id}/revoke")
    response = anonymous.get(f"/s/{token}/actions.csv")
    assert response.status_code == 410
    assert "revoked" in response.get_data(as_text=True)
    assert "revoked" in client.get(f"/w/{wid}/").get_data(as_text=True)


def test_share_link_pdf(app, client, create_workshop):
    wid = create_workshop()
    _, token = _make_link(app, wid)
    response = client.get(f"/s/{token}/report.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 200])
def test_unknown_share_token_is_404(client, token):
    assert client.get(f"/s/{token}/").status_code == 404


def test_only_facilitators_manage_links(app, client, create_workshop, create_facilitator, login):
    wid = create_workshop()
    other_wid = create_workshop()
    link_id, token = _make_link(app, wid)
    stranger = create_facilitator()
    login(client, stranger)
    assert client.post(f"/w/{wid}/share-links/{link_id}/revoke").status_code == 403
    # A facilitator of another workshop cannot revoke this one's link through theirs.
    with app.app_context():
        own = db.session.execute(
            db.select(WorkshopRole.facilitator_id).filter_by(workshop_id=other_wid)
        ).scalar_one()
    theirs = app.test_client()
    login(theirs, own)
    assert theirs.post(f"/w/{other_wid}/share-links/{link_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ShareLink, link_id).revoked_at is None


def test_deleted_workshop_share_link_is_gone(app, client, create_workshop):
    from facilitator.models import Workshop, utcnow

    wid = create_workshop()
    _, token = _make_link(app, wid)
    with app.app_context():
        db.session.get(Workshop, wid).deleted_at = utcnow()
        db.session.commit()
    assert client.get(f"/s/{token}/").status_code == 404
