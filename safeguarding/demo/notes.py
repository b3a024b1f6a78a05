"""The demo borough's case notes and documents (a step of ``builder.BoroughBuilder``, after
the actions): visits and contacts by allocated workers on their young people, management
oversight by each team's manager, one note struck out as written in error, and two small
documents (a letter as a PDF attached to a visit, a photo of a place as a PNG), generated here
and kept through the ``documents`` storage, so ``make run`` shows them all.

Notes grow with the borough and go in as tuples through the ``TableWriter``; the few documents
are written through the ORM and the storage (``cases.services`` would sniff what a user
uploads; these are made valid here).
"""

import struct
import zlib
from datetime import timedelta

from django.core.files.base import ContentFile

from cases.models import CaseNote, Document
from safeguarding.subjects.models import InformationSource, Reliability

from .core import BuilderCore

NOTE_FIELDS = (
    "subject_id",
    "kind",
    "occurred_at",
    "present",
    "seen",
    "seen_alone",
    "text",
    "source",
    "reliability",
    "written_by_id",
    "written_at",
    "struck_at",
    "struck_by_id",
    "strike_reason",
)

VISIT_NOTES = (
    "Home visit. Spoke about school and the weekend; said things are calmer at home.",
    "Visited after school. Talked through the safety plan and who to call if worried.",
    "Visit at the youth centre. Did some direct work on healthy friendships.",
    "Home visit with mum present for part. Young person quiet but engaged by the end.",
)
CONTACT_NOTES = (
    "Phone call with the school's designated safeguarding lead: attendance improving.",
    "Text exchange to arrange next week's visit; replied the same day.",
    "Call with the youth worker, who has seen them at the centre twice this week.",
)
OVERSIGHT_NOTE = (
    "Management oversight: reviewed the chronology and the plan. Risk remains; visits to "
    "continue weekly and the place-based work at the park to be linked to this case."
)


def tiny_png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (29, 112, 184)) -> bytes:
    """A valid PNG of one colour (``width`` x ``height`` pixels), made without any image
    library: the signature, IHDR, one zlib-compressed IDAT and IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def tiny_pdf(text: str = "Fictional letter") -> bytes:
    """A valid one-page PDF showing ``text`` (ASCII) in Helvetica, with a correct cross-reference
    table, made without any PDF library."""
    safe = text.encode("ascii", "replace").replace(b"\\", b"\\\\")
    safe = safe.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 720 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


class NoteSteps(BuilderCore):
    """The case notes and documents step (see the module's docstring)."""

    def case_notes(self):
        rng = self.rng
        rows = []
        first_visit = {}  # team -> (subject id, worker id, when): struck and oversight below
        for person in self.people:
            if person.worker is None or rng.random() > 0.35:
                continue
            for n in range(rng.randint(1, 3)):
                when = self.latest - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
                visit = n == 0 or rng.random() < 0.5
                seen = rng.random() < 0.85 if visit else None
                rows.append(
                    (
                        person.subject_id,
                        CaseNote.Kind.VISIT if visit else CaseNote.Kind.CONTACT,
                        when,
                        "The young person" + (" and their mother" if rng.random() < 0.4 else ""),
                        seen,
                        (rng.random() < 0.6) if seen else (False if seen is False else None),
                        rng.choice(VISIT_NOTES if visit else CONTACT_NOTES),
                        InformationSource.PROFESSIONAL,
                        Reliability.CONFIRMED,
                        person.worker.pk,
                        when + timedelta(hours=2),
                        None,
                        None,
                        "",
                    )
                )
                if visit and person.case_team is not None:
                    first_visit.setdefault(person.case_team, (person, when))
        for t, (person, when) in sorted(first_visit.items()):
            manager = self.managers[t]
            rows.append(
                (
                    person.subject_id,
                    CaseNote.Kind.OVERSIGHT,
                    when + timedelta(days=1),
                    "",
                    None,
                    None,
                    OVERSIGHT_NOTE,
                    InformationSource.PROFESSIONAL,
                    Reliability.CONFIRMED,
                    manager.pk,
                    when + timedelta(days=1),
                    None,
                    None,
                    "",
                )
            )
            # A note written on the wrong young person, struck out by its author.
            rows.append(
                (
                    person.subject_id,
                    CaseNote.Kind.CONTACT,
                    when + timedelta(hours=3),
                    "",
                    None,
                    None,
                    "Phone call with the family about the move to the new school.",
                    InformationSource.FAMILY,
                    Reliability.RELIABLE,
                    person.worker.pk,
                    when + timedelta(hours=4),
                    when + timedelta(hours=5),
                    person.worker.pk,
                    "Written on the wrong young person's record.",
                )
            )
        for start in range(0, len(rows), self.CHUNK):
            self.writer.write(CaseNote, NOTE_FIELDS, rows[start : start + self.CHUNK])
        self.writer.wait()
        self._documents(first_visit)

    def _documents(self, first_visit):
        """A letter (PDF) on a team's first visit note, and a photo (PNG) of a busy place."""
        if first_visit:
            _, (person, _when) = min(first_visit.items())
            note = (
                CaseNote.objects.filter(subject_id=person.subject_id, kind=CaseNote.Kind.VISIT)
                .order_by("occurred_at", "pk")
                .first()
            )
            if note is not None:
                self._document(
                    subject_id=person.subject_id,
                    case_note=note,
                    title="Letter to the school after the visit",
                    filename="letter-to-school.pdf",
                    content_type="application/pdf",
                    data=tiny_pdf("Fictional letter to the school (demo)"),
                    by=note.written_by_id,
                )
        if self.context_list:
            place = self.context_list[0]
            self._document(
                subject_id=place.subject_id,
                case_note=None,
                title="Photo of the entrance",
                filename="entrance.png",
                content_type="image/png",
                data=tiny_png(),
                by=self.managers[0].pk,
            )

    def _document(self, *, subject_id, case_note, title, filename, content_type, data, by):
        document = Document(
            subject_id=subject_id,
            case_note=case_note,
            title=title,
            filename=filename,
            content_type=content_type,
            size=len(data),
            uploaded_by_id=by,
        )
        document.file.save("document", ContentFile(data), save=False)
        document.save()
