"""What leaves: the bundle as a PDF (WeasyPrint, from ``subject_access/bundle_pdf.html``) and
as JSON. Both hold the items with every redaction in force applied (``[label]`` where a value
stood) and the list of redactions by label and reason, never a redacted value. Every download
is audited (:func:`audit_download`)."""

import json

from django.template.loader import render_to_string
from django.utils import timezone

from . import redaction as r
from .models import Bundle

#: The JSON export's format, for whoever reads it by machine.
JSON_FORMAT = "subject-access-bundle/1"


def redacted(bundle: Bundle) -> tuple[list[dict], list[dict]]:
    """The items with the redactions in force applied (oldest first), and the redactions in
    force as ``{"label", "reason", "times"}`` (how many times each label's values were
    replaced), by label."""
    redactor = r.Redactor.of(bundle.redactions)
    items = [r.redacted_item(item, redactor) for item in bundle.items]
    used = r.usage(bundle.items, bundle.redactions)
    listed: dict[tuple[str, str], int] = {}
    for x in bundle.redactions:
        if x.get("active", True):
            key = (x["label"], x["reason"])
            listed[key] = listed.get(key, 0) + used.get(x["id"], 0)
    return items, [
        {"label": label, "reason": reason, "times": times}
        for (label, reason), times in listed.items()
    ]


def bundle_html(bundle: Bundle) -> str:
    """The HTML the PDF is drawn from: a cover (the request's reference and due date), the
    contents by date, the items, the list of redactions with reasons."""
    request = bundle.request
    items, redactions = redacted(bundle)
    for n, item in enumerate(items, 1):
        item["anchor"] = f"item-{n}"
    return render_to_string(
        "subject_access/bundle_pdf.html",
        {
            "request": request,
            "bundle": bundle,
            "items": items,
            "redactions": redactions,
            "authority": request.authority,
            "made_on": timezone.localdate(),
        },
    )


def bundle_pdf(bundle: Bundle) -> bytes:
    """The PDF (bytes) of :func:`bundle_html`."""
    from weasyprint import HTML

    return HTML(string=bundle_html(bundle)).write_pdf()


def bundle_json(bundle: Bundle) -> bytes:
    """The machine-readable export (UTF-8 JSON): the request's reference, the young person's
    reference, when it was compiled, the items and the redactions (label, reason, times)."""
    request = bundle.request
    items, redactions = redacted(bundle)
    document = {
        "format": JSON_FORMAT,
        "request": request.reference,
        "subject": request.young_person.subject.reference,
        "authority": request.authority.name,
        "received_on": request.received_on.isoformat(),
        "compiled_at": bundle.compiled_at.isoformat(),
        "items": [
            {
                "date": item["date"],
                "kind": item["kind"],
                "reference": item["reference"],
                "title": item["title"],
                "text": item["text"],
                "fields": [{"label": label, "value": value} for label, value in item["fields"]],
            }
            for item in items
        ],
        "redactions": redactions,
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def audit_download(*, user, bundle: Bundle, fmt: str, size: int) -> None:
    """An audit row saying ``user`` downloaded ``bundle`` as ``fmt`` ("pdf" or "json"), how
    many bytes, and which request (by reference): like
    :func:`safeguarding.audit.registry.record_download`."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Bundle),
        object_pk=str(bundle.pk),
        object_id=bundle.pk,
        object_repr=f"Download: subject access bundle {bundle.pk}",
        action=LogEntry.Action.ACCESS,
        actor=user,
        actor_email=getattr(user, "email", "") or None,
        additional_data={
            "download": True,
            "format": fmt,
            "bytes": size,
            "request": bundle.request.reference,
        },
    )
