"""Report and export routes.

Each download exists twice: under ``/w/<id>/`` for the workshop's facilitators
and organisers (accounts), and under ``/s/<token>/`` for a share link. Both
call the same function; a share link is read-only by construction (there is
no state-changing route under ``/s/``).

The PDF is rendered inside the request. A 500-contribution workshop takes
about 2 s (docs/benchmarks.md); under gunicorn's gthread workers that holds
one thread while the others keep answering, so a background queue (and the
polling UI it would need) is not worth it at this size.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date

from flask import abort, current_app, flash, make_response, redirect, render_template, request
from flask import url_for as flask_url_for
from flask_login import current_user

from ..access import get_in_workshop_or_404, load_workshop, require_facilitator, require_reader
from ..extensions import limiter
from ..forms import EmptyForm
from ..models import ShareLink, Workshop
from ..services import ics, pdf
from ..services.export import csv_text, export_report_data, export_workshop
from ..services.inquiry import chain_of
from . import bp
from .data import build_inquiry, build_report
from .forms import NextStepsForm, ShareLinkForm
from .operations import (
    active_link,
    create_share_link,
    revoke_share_link,
    set_next_steps,
    share_links,
)

# Rendering a PDF costs seconds of CPU: a per-address limit keeps one client
# from occupying every worker.
PDF_LIMIT = "20/minute"


# ----------------------------------------------------------------- access


def _share(token: str) -> tuple[Workshop, ShareLink]:
    link = active_link(token)
    if link is None:
        abort(404, "This share link does not exist. Check it was copied whole.")
    if link.revoked_at is not None:
        abort(
            410, "This share link has been revoked. Ask the workshop's facilitator for a new one."
        )
    workshop = load_workshop(link.workshop_id)
    return workshop, link


def _reader(workshop_id: int) -> Workshop:
    workshop = load_workshop(workshop_id)
    require_reader(workshop)
    return workshop


def _links(workshop: Workshop, token: str | None, inquiry: bool = False) -> dict[str, str]:
    """Where the preview's download links point (the share link keeps its own URLs)."""
    if token:

        def url(name, **kw):
            return flask_url_for(f"reports.shared_{name}", token=token, **kw)

        back = None
    else:

        def url(name, **kw):
            return flask_url_for(f"reports.{name}", workshop_id=workshop.id, **kw)

        back = flask_url_for("workshops.show", workshop_id=workshop.id)
    if inquiry:
        # The per-workshop downloads stay on the workshop's own report page.
        return {
            "pdf": url("inquiry_pdf"),
            "pdf_letter": url("inquiry_pdf", size="letter"),
            "workshop": url("report"),
            "back": back,
        }
    return {
        "pdf": url("report_pdf"),
        "pdf_letter": url("report_pdf", size="letter"),
        "inquiry": url("inquiry") if _in_inquiry(workshop) else None,
        "csv": url("actions_csv"),
        "ics": url("actions_ics"),
        "json": url("export_json"),
        "back": back,
    }


def _next_form(workshop: Workshop) -> NextStepsForm:
    steps = (workshop.settings or {}).get("next_steps") or {}
    form = NextStepsForm(formdata=None)
    try:
        form.check_in.data = date.fromisoformat(steps.get("check_in") or "")
    except ValueError:
        form.check_in.data = None
    form.convener.data = steps.get("convener") or ""
    return form


def _in_inquiry(workshop: Workshop) -> bool:
    """Whether the workshop continues, or is continued by, another one."""
    return len(chain_of(workshop)) > 1


def _private(response, shared: bool):
    """Reports hold names: never cache them in shared caches; share pages leak no referrer."""
    response.headers["Cache-Control"] = "private, no-store"
    if shared:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _filename(workshop: Workshop, suffix: str) -> str:
    ascii_title = (
        unicodedata.normalize("NFKD", workshop.title).encode("ascii", "ignore").decode("ascii")
    )
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:60] or "workshop"
    return f"{slug}-{suffix}"


def _download(body, mimetype: str, filename: str, shared: bool, inline: bool = False):
    response = make_response(body)
    response.mimetype = mimetype
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return _private(response, shared)


# ----------------------------------------------------------------- builders


def _preview(workshop: Workshop, token: str | None, inquiry: bool = False):
    report = build_inquiry(workshop) if inquiry else build_report(workshop)
    html = render_template(
        "report/report.html",
        report=report,
        preview=True,
        links=_links(workshop, token, inquiry),
    )
    return _private(make_response(html), bool(token))


def _pdf(workshop: Workshop, token: str | None, inquiry: bool = False):
    size = pdf.page_size(request.args.get("size"))
    report = build_inquiry(workshop) if inquiry else build_report(workshop)
    html = render_template("report/report.html", report=report, preview=False, links={})
    # The same content gives the same PDF: the cache key ignores only the timestamp.
    # The inquiry report is cached under its first workshop, whichever was asked.
    stable = html.replace(report.generated_label, "").replace(report.generated_iso, "")
    key = pdf.cache_key(stable, size)
    cache = pdf.report_cache(current_app)
    slot = f"i{report.workshops[0].id}" if inquiry else workshop.id
    body = cache.get(slot, key)
    if body is None:
        options = dict(
            static_folder=current_app.static_folder,
            static_url_path=request.script_root + current_app.static_url_path,
            size=size,
        )
        if len(html) >= current_app.config.get("REPORT_SUBPROCESS_MIN_BYTES", 150_000):
            body = pdf.render_pdf_isolated(html, **options)
        else:
            body = pdf.render_pdf(html, **options)
        cache.put(slot, key, body)
    stem = "inquiry-report" if inquiry else "report"
    name = _filename(workshop, f"{stem}.pdf" if size == "A4" else f"{stem}-letter.pdf")
    return _download(body, "application/pdf", name, bool(token), inline=True)


CSV_HEADER = [
    "Number",
    "Action",
    "Owner",
    "Due date",
    "First step",
    "Status",
    "Serves statement",
    "Statement rank",
    "Design element",
    "Group",
    # Added at the end so spreadsheets built on the earlier columns keep working.
    "Helpers (signed up)",
    "Owner is a suggestion",
]


def _csv(workshop: Workshop, token: str | None):
    report = build_report(workshop)
    groups = {g.id: g.name for g in report.groups}
    rows = []
    for row in report.actions:
        a = row.action
        ranked = report.statements_by_id.get(row.statement.id) if row.statement else None
        rows.append(
            [
                f"A{row.number}",
                a.action,
                a.owner or "",
                a.due_on.isoformat() if a.due_on else "",
                a.first_step or "",
                a.status.label,
                row.statement.text if row.statement else "",
                str(ranked.rank) if ranked else "",
                row.design.text if row.design else "",
                groups.get(a.group_id, "Whole room"),
                "; ".join(row.helpers),
                "yes" if a.owner and a.owner_suggested else "",
            ]
        )
    body = csv_text(CSV_HEADER, rows).encode("utf-8-sig")
    return _download(body, "text/csv", _filename(workshop, "action-plan.csv"), bool(token))


def _ics(workshop: Workshop, token: str | None):
    report = build_report(workshop)
    items = []
    for row in report.actions:
        a = row.action
        if a.due_on is None:
            continue
        owner = f"{a.owner} (suggested)" if a.owner and a.owner_suggested else a.owner
        details = [f"Owner: {owner}" if owner else "Owner: not named yet"]
        if row.helpers:
            details.append(f"Helping: {', '.join(row.helpers)}")
        if a.first_step:
            details.append(f"First step: {a.first_step}")
        if row.statement:
            details.append(f"Serves: {row.statement.text}")
        details.append(f"Workshop: {workshop.title}")
        items.append(
            ics.DueItem(
                uid=f"action-{a.id}-workshop-{workshop.id}",
                due_on=a.due_on,
                summary=f"Due: {a.action}",
                description="\n".join(details),
                status=a.status.label,
            )
        )
    host = (request.host or "facilitator.local").split(":")[0]
    body = ics.calendar(items, name=f"{workshop.title}: action plan", domain=host)
    return _download(
        body.encode("utf-8"), "text/calendar", _filename(workshop, "due-dates.ics"), bool(token)
    )


def _json(workshop: Workshop, token: str | None):
    # A share link shows the report, so its JSON holds what the report shows
    # (no hidden items, no emails, no participant list); the workshop's own
    # readers get the whole export.
    doc = export_report_data(workshop) if token else export_workshop(workshop)
    body = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
    return _download(
        body.encode("utf-8") + b"\n",
        "application/json",
        _filename(workshop, "export.json"),
        bool(token),
    )


# ----------------------------------------------------------------- account routes


@bp.route("/w/<int:workshop_id>/report")
@bp.route("/w/<int:workshop_id>/report.html")
def report(workshop_id: int):
    """HTML preview of the report (the PDF's own template), with the download links."""
    return _preview(_reader(workshop_id), None)


@bp.route("/w/<int:workshop_id>/report.pdf")
@limiter.limit(PDF_LIMIT)
def report_pdf(workshop_id: int):
    """The report as PDF: A4, or Letter with ``?size=letter``."""
    return _pdf(_reader(workshop_id), None)


@bp.route("/w/<int:workshop_id>/actions.csv")
def actions_csv(workshop_id: int):
    """The action plan as CSV (UTF-8 with BOM, formulas neutralised)."""
    return _csv(_reader(workshop_id), None)


@bp.route("/w/<int:workshop_id>/actions.ics")
def actions_ics(workshop_id: int):
    """The action points' due dates as an iCalendar file."""
    return _ics(_reader(workshop_id), None)


@bp.route("/w/<int:workshop_id>/export.json")
def export_json(workshop_id: int):
    """The whole workshop as JSON (see facilitator/services/export.py)."""
    return _json(_reader(workshop_id), None)


@bp.route("/w/<int:workshop_id>/inquiry")
def inquiry(workshop_id: int):
    """HTML preview of the inquiry report: every workshop of this one's inquiry."""
    return _preview(_reader(workshop_id), None, inquiry=True)


@bp.route("/w/<int:workshop_id>/inquiry.pdf")
@limiter.limit(PDF_LIMIT)
def inquiry_pdf(workshop_id: int):
    """The inquiry report as PDF: A4, or Letter with ``?size=letter``."""
    return _pdf(_reader(workshop_id), None, inquiry=True)


# ----------------------------------------------------------------- share-link routes


@bp.route("/s/<token>/")
@limiter.limit("60/minute")
def shared_report(token: str):
    """The report preview through a share link."""
    workshop, _ = _share(token)
    return _preview(workshop, token)


@bp.route("/s/<token>/report.pdf")
@limiter.limit(PDF_LIMIT)
def shared_report_pdf(token: str):
    """The PDF through a share link."""
    workshop, _ = _share(token)
    return _pdf(workshop, token)


@bp.route("/s/<token>/inquiry")
@limiter.limit("60/minute")
def shared_inquiry(token: str):
    """The inquiry report preview through a share link of any of its workshops."""
    workshop, _ = _share(token)
    return _preview(workshop, token, inquiry=True)


@bp.route("/s/<token>/inquiry.pdf")
@limiter.limit(PDF_LIMIT)
def shared_inquiry_pdf(token: str):
    """The inquiry report PDF through a share link."""
    workshop, _ = _share(token)
    return _pdf(workshop, token, inquiry=True)


@bp.route("/s/<token>/actions.csv")
@limiter.limit("60/minute")
def shared_actions_csv(token: str):
    """The action plan CSV through a share link."""
    workshop, _ = _share(token)
    return _csv(workshop, token)


@bp.route("/s/<token>/actions.ics")
@limiter.limit("60/minute")
def shared_actions_ics(token: str):
    """The due dates calendar through a share link."""
    workshop, _ = _share(token)
    return _ics(workshop, token)


@bp.route("/s/<token>/export.json")
@limiter.limit("60/minute")
def shared_export_json(token: str):
    """The JSON export through a share link."""
    workshop, _ = _share(token)
    return _json(workshop, token)


# ----------------------------------------------------------------- managing links


@bp.route("/w/<int:workshop_id>/share-links", methods=["POST"])
def create_link(workshop_id: int):
    """Create a share link (facilitators only)."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    form = ShareLinkForm()
    if form.validate_on_submit():
        create_share_link(workshop, current_user, form.label.data or "")
        flash("Share link created. Anyone with it can read the report and exports.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(flask_url_for("workshops.show", workshop_id=workshop.id) + "#report")


@bp.route("/w/<int:workshop_id>/share-links/<int:link_id>/revoke", methods=["POST"])
def revoke_link(workshop_id: int, link_id: int):
    """Revoke a share link (facilitators only); it stops working at once."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    link = get_in_workshop_or_404(ShareLink, link_id, workshop)
    if not EmptyForm().validate_on_submit():
        abort(400)
    revoke_share_link(link)
    flash("Share link revoked.", "info")
    return redirect(flask_url_for("workshops.show", workshop_id=workshop.id) + "#report")


@bp.route("/w/<int:workshop_id>/next-steps", methods=["POST"])
def next_steps(workshop_id: int):
    """Set the next check-in and convener (facilitators only), shown in the report's summary."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    form = NextStepsForm()
    if form.validate_on_submit():
        set_next_steps(workshop, form.check_in.data, form.convener.data or "")
        flash("What happens next is saved; the report's summary shows it.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(flask_url_for("workshops.show", workshop_id=workshop.id) + "#report")


@bp.app_context_processor
def report_panel():
    """``report_panel(workshop, actor)`` for the overview's "Report and exports" section."""

    def panel(workshop: Workshop, actor) -> dict:
        can_manage = bool(actor and actor.can_moderate)
        return {
            "links": _links(workshop, None),
            "preview": flask_url_for("reports.report", workshop_id=workshop.id),
            "can_manage": can_manage,
            "share_links": share_links(workshop) if can_manage else [],
            "form": ShareLinkForm() if can_manage else None,
            "revoke_form": EmptyForm() if can_manage else None,
            "next_form": _next_form(workshop) if can_manage else None,
            "inquiry": flask_url_for("reports.inquiry", workshop_id=workshop.id)
            if workshop.previous_id or _in_inquiry(workshop)
            else None,
        }

    return {"report_panel": panel}
