"""A meeting's calendar invitation (iCalendar, RFC 5545, built with ``icalendar``), attached to
the invitation, change and cancellation emails (``safeguarding.notifications.services``).

What it says: the meeting's kind and reference (``SUMMARY: Context conference MTG-000123``),
when, "Online" for a meeting only online (never the place as typed: it may be a family's home;
invitees read it after sign-in), and a link that needs sign-in. Never a subject's name or any
child's details: the description is fixed text. ``UID`` is stable per
meeting (``MTG-000123@<NOTIFICATION_MESSAGE_ID_DOMAIN>``) so calendars update the one entry;
``SEQUENCE`` is the meeting's ``sequence`` (raised on each change sent); ``METHOD`` is
``REQUEST`` (invited, changed) or ``CANCEL``.
"""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting

#: What the calendar says of a meeting held somewhere (the place is read after sign-in).
PLACE_HIDDEN = "Sign in to see where"


def uid(meeting: Meeting) -> str:
    return f"{meeting.reference}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}"


def build(
    meeting: Meeting, *, method: str = "REQUEST", attendee: str = "", link: str = ""
) -> bytes:
    """The ``.ics`` text of ``meeting`` for ``attendee`` (an email address; may be empty):
    ``method`` ``REQUEST`` or ``CANCEL``. Bytes, CRLF line endings (RFC 5545)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"Unknown calendar method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", "-//Contextual Safeguarding//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    summary = f"{meeting.get_kind_display()} {meeting.reference}"
    event.add("summary", summary)
    # The place as typed is not sent: it may be a family's home. Invitees read it signed in.
    event.add("location", "Online" if meeting.online and not meeting.location else PLACE_HIDDEN)
    description = "Sign in to see the meeting and its papers."
    if link:
        description = f"{description} {link}"
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText("Safeguarding meetings")
    event["organizer"] = organizer
    if attendee:
        address = vCalAddress(f"mailto:{attendee}")
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["rsvp"] = vText("FALSE")
        event.add("attendee", address, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def invitation_for(notification, *, method: str) -> list[tuple[str, str, str]]:
    """The attachment of a meeting notification's email: ``[("meeting.ics", text,
    "text/calendar; method=…")]``, or none when the meeting is gone or the reference is not a
    meeting's."""
    from safeguarding.notifications.delivery import absolute

    reference = notification.reference or ""
    if not reference.startswith("MTG-"):
        return []
    try:
        meeting = Meeting.objects.get(pk=int(reference.removeprefix("MTG-")))
    except (Meeting.DoesNotExist, ValueError):
        return []
    text = build(
        meeting, method=method, attendee=notification.email, link=absolute(notification.link)
    ).decode()
    return [("meeting.ics", text, f"text/calendar; method={method}; charset=utf-8")]
