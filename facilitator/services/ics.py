"""An iCalendar (RFC 5545) file of the action points' due dates.

Written by hand rather than with the ``icalendar`` package: we need one
all-day VEVENT per action and nothing else (no time zones, recurrence or
parsing), and the only subtle parts, text escaping (3.3.11) and folding
long lines at 75 octets without splitting a UTF-8 character (3.1), are a few
lines each and tested. One dependency fewer to keep up to date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"


@dataclass(frozen=True)
class DueItem:
    """One calendar entry: what is due, when, and a stable id."""

    uid: str
    due_on: date
    summary: str
    description: str = ""
    url: str = ""
    status: str = ""


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    # Other control characters are not allowed in TEXT at all.
    value = "".join(ch for ch in value if ch == "\n" or ch == "\t" or ord(ch) >= 0x20)
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, continuation lines
    starting with one space; a multi-byte UTF-8 character is never split."""
    out: list[str] = []
    current, size, limit = [], 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, 74  # the leading space counts
        current.append(ch)
        size += width
    out.append("".join(current))
    return (CRLF + " ").join(out)


def calendar(
    items: Iterable[DueItem],
    *,
    name: str,
    domain: str = "facilitator.local",
    now: datetime | None = None,
) -> str:
    """The whole VCALENDAR text (CRLF line ends), one all-day event per item.

    :param name: the calendar's display name (X-WR-CALNAME, understood by most clients).
    :param domain: the right-hand side of each UID, so UIDs are globally unique.
    :param now: the DTSTAMP (defaults to the current UTC time).
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//facilitator//Action plan//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for item in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.uid}@{domain}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{item.due_on:%Y%m%d}",
            # DTEND is exclusive: an all-day event ends the next day.
            f"DTEND;VALUE=DATE:{item.due_on + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(item.summary)}",
        ]
        if item.description:
            lines.append(f"DESCRIPTION:{escape_text(item.description)}")
        if item.url:
            lines.append(f"URL:{item.url}")
        if item.status:
            lines.append(f"CATEGORIES:{escape_text(item.status)}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF
