"""Privacy: "Remove my name" reaches every copy of the name, and a share link's
JSON holds what the report shows and nothing more."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from facilitator.extensions import db
from facilitator.models import Example, Facilitator, RenderedItem, ShareLink, Workshop
from tests.support.report_data import fill_workshop

NAME = "Morag Example"


@pytest.fixture
def room(app, tmp_path, facilitator_client, join):
    """A workshop where a named participant wrote a story from their phone."""
    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "reports")
    client, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid, name=NAME)
    response = phone.post(f"/w/{wid}/discovery/new", data={"title": "The mentor who listened"})
    assert response.status_code in (200, 302)
    return client, phone, wid


def _stored_html(app, wid) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(
                db.select(RenderedItem.html).where(RenderedItem.workshop_id == wid)
            ).scalars()
        )


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_remove_my_name_clears_stored_rendered_copies(app, room, join):
    _, phone, wid = room
    other = app.test_client()
    join(other, wid, name="Someone else")
    stored = _stored_html(app, wid)
    assert stored and any(NAME in html for html in stored)  # the copy a poll is sent
    assert phone.post(f"/w/{wid}/me/remove-name").status_code == 302
    assert not any(NAME in html for html in _stored_html(app, wid))
    # Another phone's board (put together from stored copies) says Anonymous.
    page = other.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert NAME not in page and "Anonymous" in page


def test_remove_my_name_clears_cached_pdfs(app, room, tmp_path):
    client, phone, wid = room
    response = client.get(f"/w/{wid}/report.pdf")
    assert response.status_code == 200
    assert NAME in _pdf_text(response.data)
    letter = client.get(f"/w/{wid}/report.pdf?size=letter")
    assert letter.status_code == 200
    cached = list((tmp_path / "reports").glob(f"w{wid}-*.pdf"))
    assert len(cached) == 2

    assert phone.post(f"/w/{wid}/me/remove-name").status_code == 302
    assert list((tmp_path / "reports").glob(f"w{wid}-*.pdf")) == []
    again = client.get(f"/w/{wid}/report.pdf")
    assert NAME not in _pdf_text(again.data)
    assert "Anonymous" in _pdf_text(again.data)


def test_remove_my_name_clears_the_inquirys_cached_pdfs(app, room, create_workshop, tmp_path):
    """A later workshop's (inquiry) report holds the earlier one's stories."""
    _, phone, wid = room
    later = create_workshop(previous_id=wid)
    folder = tmp_path / "reports"
    folder.mkdir(exist_ok=True)
    (folder / f"w{later}-0123-a4.pdf").write_bytes(b"%PDF with the name")
    (folder / "w999999-0123-a4.pdf").write_bytes(b"%PDF of another workshop")
    assert phone.post(f"/w/{wid}/me/remove-name").status_code == 302
    assert sorted(p.name for p in folder.iterdir()) == ["w999999-0123-a4.pdf"]


# ------------------------------------------------------------------ share links


def test_share_link_json_holds_only_what_the_report_shows(app, facilitator_client):
    client, wid, fid = facilitator_client
    with app.app_context():
        data = fill_workshop(wid)
        email = db.session.get(Facilitator, fid).email
        # A story by a facilitator: the report names them, never by email.
        db.session.add(Example(workshop_id=wid, title="Told by staff", author_facilitator_id=fid))
        db.session.commit()
    assert client.post(f"/w/{wid}/share-links", data={"label": "Trustees"}).status_code == 302
    with app.app_context():
        token = db.session.execute(db.select(ShareLink.token)).scalar_one()
    response = app.test_client().get(f"/s/{token}/export.json")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    doc = json.loads(text)

    for hidden in data.hidden_texts:
        assert hidden not in text
    assert "@example.org" not in text  # no facilitator's email, nor any other
    assert "participants" not in doc and "votes" not in doc  # no list of everyone
    assert doc["format"] == "facilitator-report"
    # Names only as the report prints them.
    report = client.get(f"/w/{wid}/report").get_data(as_text=True)
    stories = {s["title"]: s["author"] for s in doc["stories"]}
    assert stories["Mentor who stayed"] == "Ана Ђорђевић"
    assert "Ана Ђорђевић" in report
    assert stories["Told by staff"] == email.split("@")[0]
    assert set(doc["facilitators"]) == {email.split("@")[0]}
    # Votes as the report counts them, per statement.
    assert sum(s["votes"] for s in doc["statements"]) >= 1
    # Links to hidden items are gone, as in the report.
    numbers = {s["id"] for s in doc["statements"]}
    assert all(a["statement"] in numbers | {None} for a in doc["actions"])
    # The workshop's own readers still get the whole export.
    full = json.loads(client.get(f"/w/{wid}/export.json").data)
    assert full["format"] == "facilitator-workshop" and full["participants"]


def test_share_link_json_is_not_an_import_file(app, facilitator_client):
    from facilitator.services.export import ImportRefused, export_report_data
    from facilitator.services.importing import import_document

    _, wid, _ = facilitator_client
    with app.app_context():
        doc = export_report_data(db.session.get(Workshop, wid))
        with pytest.raises(ImportRefused, match="'format' is 'facilitator-report'"):
            import_document(doc)
