"""Case notes and documents on subjects: the services, the forms' errors, the pages (My work's
"Record a visit", the subject pages' panels, a note's page, striking out), the chronology, the
type of a document sniffed from its bytes, and downloads through the rule, each audited."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.casework.documents import DocumentRefused, check_upload, sniff
from cases.models import CaseNote, Document
from safeguarding.demo.notes import tiny_pdf, tiny_png
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from tests.subject_pages import SUBJECT_PAGES, YOUNG_PERSON
from tests.subject_pages import queries as _queries

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _subject(world, name="yp_own"):
    return world.records["subjects.subject"][name]


def _note(world, *, by="sw", subject="yp_own", **kwargs):
    values = {
        "kind": CaseNote.Kind.VISIT,
        "occurred_at": timezone.now() - timedelta(hours=2),
        "text": "Home visit: talked about the new school.",
        "source": "professional",
        "reliability": "confirmed",
        "seen": True,
        "seen_alone": True,
    } | kwargs
    return services.case_note_add(subject=_subject(world, subject), by=world.users[by], **values)


def _errors(world, **kwargs) -> dict:
    with pytest.raises(ApplicationError) as raised:
        _note(world, **kwargs)
    return raised.value.message_dict


def _upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


# --- case_note_add ---------------------------------------------------------------------------


def test_a_visit_is_written_with_who_was_seen(world):
    note = _note(world, present="The young person and their mother")
    note.refresh_from_db()
    assert note.written_by == world.users["sw"]
    assert (note.kind, note.seen, note.seen_alone) == ("visit", True, True)
    assert note.present == "The young person and their mother"
    assert not note.is_struck


@pytest.mark.parametrize("subject", ["ctx_team", "pg_team"])
def test_a_note_on_a_place_or_group_has_no_seen_answer(world, subject):
    note = _note(world, subject=subject, kind="observation", seen=None, seen_alone=None)
    assert note.seen is None and note.seen_alone is None
    assert _errors(world, subject=subject, kind="observation", seen=True, seen_alone=None) == {
        "seen": ["Only a young person is seen: leave this out for a place or a group"]
    }


def test_the_service_refuses_what_is_missing_or_wrong_and_writes_nothing(world):
    before = CaseNote.objects.count()
    future = timezone.now() + timedelta(hours=1)
    assert _errors(world, occurred_at=future) == {
        "occurred_at": ["The date and time must be in the past"]
    }
    assert _errors(world, text="  ") == {"text": ["Enter the note"]}
    assert _errors(world, seen=None, seen_alone=None) == {
        "seen": ["Select whether the young person was seen"]
    }
    assert _errors(world, seen=False, seen_alone=True) == {
        "seen_alone": ["A young person seen alone was seen: select yes for seen"]
    }
    assert "source" in _errors(world, source="gossip")
    assert "reliability" in _errors(world, reliability="maybe")
    assert "kind" in _errors(world, kind="chat")
    # A contact need not say whether they were seen.
    _note(world, kind="contact", seen=None, seen_alone=None)
    assert CaseNote.objects.count() == before + 1


def test_only_team_managers_record_management_oversight(world):
    assert _errors(world, kind="oversight", seen=None, seen_alone=None) == {
        "kind": ["Only a team manager can record management oversight"]
    }
    note = _note(world, by="tm", kind="oversight", seen=None, seen_alone=None)
    assert note.is_oversight


@pytest.mark.parametrize(
    "user,subject",
    [
        ("sw", "yp_team"),  # sees their team's young person, does not change it
        ("sw", "yp_other"),
        ("sm", "yp_own"),  # reads everything, writes nothing
        ("partner", "ctx_team"),  # may see the place it guards, not its notes
        ("admin", "ctx_team"),  # keeps the directory of places, no case content
    ],
)
def test_only_those_who_may_change_the_subject_write_notes(world, user, subject):
    with pytest.raises(RecordNotFound):
        _note(world, by=user, subject=subject, kind="observation", seen=None, seen_alone=None)


# --- case_note_strike ------------------------------------------------------------------------


def test_a_note_written_in_error_is_struck_out_never_deleted(world):
    note = _note(world)
    struck = services.case_note_strike(note=note, by=world.users["sw"], reason="Wrong child.")
    assert struck.is_struck and struck.struck_by == world.users["sw"]
    assert CaseNote.objects.get(pk=note.pk).strike_reason == "Wrong child."
    with pytest.raises(ApplicationError, match="already been struck out"):
        services.case_note_strike(note=note, by=world.users["sw"], reason="Again")


def test_striking_needs_a_reason_and_the_author_or_a_team_manager(world):
    note = _note(world, subject="ctx_team", kind="observation", seen=None, seen_alone=None)
    with pytest.raises(ApplicationError) as raised:
        services.case_note_strike(note=note, by=world.users["sw"], reason=" ")
    assert raised.value.message_dict == {"reason": ["Enter why the note was written in error"]}
    # sw2 may change the place, but did not write the note and is not a manager.
    with pytest.raises(NotAllowed):
        services.case_note_strike(note=note, by=world.users["sw2"], reason="Not mine")
    # Someone who may not change the place: as if there were no note.
    with pytest.raises(RecordNotFound):
        services.case_note_strike(note=note, by=world.users["sw3"], reason="Not theirs")
    services.case_note_strike(note=note, by=world.users["tm"], reason="Duplicate of another")
    assert CaseNote.objects.get(pk=note.pk).struck_by == world.users["tm"]


# --- the pages -------------------------------------------------------------------------------


def _form(**kwargs) -> dict:
    when = timezone.localtime() - timedelta(days=1)
    return {
        "kind": "visit",
        "occurred_on_day": when.day,
        "occurred_on_month": when.month,
        "occurred_on_year": when.year,
        "occurred_time": "15:30",
        "present": "",
        "seen": "yes",
        "seen_alone": "yes",
        "text": "Visited at home; calmer this week.",
        "source": "professional",
        "reliability": "confirmed",
    } | kwargs


def test_record_a_visit_from_my_work_in_one_page(world, client):
    client.force_login(world.users["sw"])
    home = client.get(reverse("home")).content.decode()
    subject = _subject(world)
    link = reverse("cases:case-note-add", args=[subject.reference]) + "?kind=visit&amp;from=my-work"
    assert link in home
    url = link.replace("&amp;", "&")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["kind"].value() == "visit"
    assert b"Record a visit" in page.content
    response = client.post(url, _form(text="Seen at home with mum; plans for the holidays."))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    banner = client.get(reverse("home")).content.decode()
    assert "Visit on" in banner and "recorded for" in banner
    note = CaseNote.objects.get(text="Seen at home with mum; plans for the holidays.")
    assert note.occurred_at.hour == 15 and note.seen and note.seen_alone
    chronology = YOUNG_PERSON.chronology(client, YOUNG_PERSON.record(world), type="note")
    entry = next(entry for entry in chronology if entry.obj == note)
    assert (entry.title, entry.detail) == ("Visit", note.text)


def test_the_form_says_what_is_wrong_at_the_field_and_keeps_what_was_typed(world, client):
    client.force_login(world.users["sw"])
    url = reverse("cases:case-note-add", args=[_subject(world).reference])
    empty = client.post(url, {"text": "Kept text", "source": "", "reliability": ""})
    assert empty.status_code == 200
    errors = empty.context["form"].errors
    assert errors["kind"] == ["Select what kind of note this is"]
    assert errors["occurred_on"] == ["Enter the date it happened"]
    assert errors["occurred_time"] == ["Enter the time it happened"]
    assert errors["source"] == ["Select where the information came from"]
    assert "Kept text" in empty.content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    future = client.post(
        url,
        _form(
            occurred_on_day=tomorrow.day,
            occurred_on_month=tomorrow.month,
            occurred_on_year=tomorrow.year,
        ),
    )
    assert future.context["form"].errors["occurred_on"] == ["The date and time must be in the past"]
    alone = client.post(url, _form(seen="no", seen_alone="yes"))
    assert alone.context["form"].errors["seen_alone"] == [
        "A young person seen alone was seen: select yes"
    ]
    # Management oversight is not offered to a social worker; chosen anyway, it is refused at
    # the field, with the note kept.
    assert b'value="oversight"' not in client.get(url).content
    oversight = client.post(url, _form(kind="oversight", text="My own oversight"))
    assert oversight.context["form"].errors["kind"] == [
        "Only a team manager can record management oversight"
    ]
    assert "My own oversight" in oversight.content.decode()
    assert not CaseNote.objects.filter(text__in=["Kept text", "My own oversight"]).exists()


def test_the_panel_marks_oversight_and_shows_struck_notes_struck_through(world, client):
    oversight = _note(world, by="tm", kind="oversight", seen=None, seen_alone=None, text="TM view")
    wrong = _note(world, text="On the wrong record")
    services.case_note_strike(note=wrong, by=world.users["sw"], reason="Wrong young person")
    client.force_login(world.users["sw"])
    page = client.get(YOUNG_PERSON.detail_url(YOUNG_PERSON.record(world))).content.decode()
    panel = page[page.index('id="case-notes"') : page.index('id="chronology"')]
    assert "Management oversight</strong>" in panel and "TM view" in panel
    assert "<del>On the wrong record</del>" in panel
    assert "Written in error</strong>" in panel and "Wrong young person" in panel
    chronology = YOUNG_PERSON.chronology(client, YOUNG_PERSON.record(world), type="note")
    titles = {entry.obj.pk: entry.title for entry in chronology}
    assert titles[wrong.pk] == "Visit: written in error"
    assert titles[oversight.pk] == "Management oversight"
    note_page = client.get(wrong.get_absolute_url()).content.decode()
    assert "<del>On the wrong record</del>" in note_page
    assert "Strike out" not in note_page  # already struck


def test_strike_page_for_the_author_and_managers(world, client):
    note = _note(world, subject="ctx_team", kind="observation", seen=None, seen_alone=None)
    client.force_login(world.users["sw"])
    page = client.get(note.get_absolute_url()).content.decode()
    assert reverse("cases:case-note-strike", args=[note.pk]) in page
    url = reverse("cases:case-note-strike", args=[note.pk])
    blank = client.post(url, {"reason": ""})
    assert blank.context["form"].errors["reason"] == ["Enter why the note was written in error"]
    assert client.post(url, {"reason": "Wrong place"})["Location"] == note.get_absolute_url()
    assert CaseNote.objects.get(pk=note.pk).strike_reason == "Wrong place"
    other = _note(world, subject="ctx_team", kind="observation", seen=None, seen_alone=None)
    client.force_login(world.users["sw2"])  # may change the place; not the author
    assert "Strike out" not in client.get(other.get_absolute_url()).content.decode()
    assert client.get(reverse("cases:case-note-strike", args=[other.pk])).status_code == 403
    assert (
        client.post(reverse("cases:case-note-strike", args=[other.pk]), {"reason": "x"}).status_code
        == 403
    )


@pytest.mark.parametrize("pages", SUBJECT_PAGES, ids=str)
def test_subject_page_queries_do_not_grow_with_notes_and_documents(world, client, pages):
    record = pages.record(world)
    client.force_login(world.users["sw"])
    url = pages.detail_url(record)
    kind = "visit" if pages is YOUNG_PERSON else "observation"
    seen = {"seen": True, "seen_alone": False} if pages is YOUNG_PERSON else {}

    def add(n):
        for i in range(n):
            note = CaseNote.objects.create(
                subject=record.subject,
                kind=kind,
                occurred_at=timezone.now() - timedelta(days=i + 1),
                text=f"Note {i}",
                source="professional",
                reliability="confirmed",
                written_by=world.users["sw"],
                **seen,
            )
            Document.objects.create(
                subject=record.subject,
                case_note=note,
                title=f"Doc {i}",
                file=f"x/{i}",
                filename=f"doc-{i}.pdf",
                content_type="application/pdf",
                size=100,
                uploaded_by=world.users["sw"],
            )

    add(2)
    small = _queries(client, url)
    add(25)
    large = _queries(client, url)
    assert small == large
    assert "All case notes in the chronology" in client.get(url).content.decode()


# --- documents: what they may be -------------------------------------------------------------


def test_the_type_is_sniffed_from_the_bytes(settings):
    assert sniff(io.BytesIO(tiny_png())) == "image/png"
    assert sniff(io.BytesIO(tiny_pdf())) == "application/pdf"
    assert sniff(io.BytesIO(_docx())) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert sniff(io.BytesIO("Meeting notes, café — 3pm\n".encode())) == "text/plain"
    assert sniff(io.BytesIO(EXE)) == "application/x-msdownload"
    assert sniff(io.BytesIO(b"\x00\x01\x02binary")) is None
    assert check_upload(_upload("photo.PNG", tiny_png()), "photo.PNG").content_type == "image/png"
    assert check_upload(_upload("notes.txt", b"plain words\n"), "C:\\x\\notes.txt").filename == (
        "notes.txt"
    )


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("letter.pdf", tiny_png(), "is a PNG image but its name ends “.pdf”"),
        ("setup.exe", EXE, "must be a PDF, JPEG, PNG, Word (DOCX) or plain text file"),
        ("setup.pdf", EXE, "must be a PDF, JPEG, PNG, Word (DOCX) or plain text file"),
        ("empty.txt", b"", "The selected file is empty"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 40, "must be a PDF"),
    ],
)
def test_what_is_not_a_document_we_keep_is_refused(name, data, message, settings):
    with pytest.raises(DocumentRefused, match=re.escape(message)):
        check_upload(_upload(name, data, content_type="application/pdf"), name)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    big = tiny_pdf() + b"%" * (1024 * 1024)
    with pytest.raises(DocumentRefused, match="must be smaller than 1 MB"):
        check_upload(_upload("big.pdf", big), "big.pdf")


# --- documents: adding and downloading -------------------------------------------------------


def _download_rows(document):
    return LogEntry.objects.filter(
        object_pk=str(document.pk), additional_data__download=True
    ).select_related("actor")


def test_a_document_is_kept_privately_and_downloaded_through_the_rule(
    world, client, documents_storage
):
    note = _note(world)
    client.force_login(world.users["sw"])
    url = reverse("cases:document-add", args=[_subject(world).reference]) + f"?note={note.pk}"
    response = client.post(
        url,
        {
            "title": "Photo of the bedroom door",
            "file": _upload("Given Own bedroom.png", tiny_png()),
        },
    )
    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    document = Document.objects.get(title="Photo of the bedroom door")
    assert (document.content_type, document.size) == ("image/png", len(tiny_png()))
    assert document.case_note == note and document.filename == "Given Own bedroom.png"
    # Stored under a random name in the private directory: not the name it was given.
    stored = documents_storage / document.file.name
    assert stored.read_bytes() == tiny_png() and "bedroom" not in document.file.name
    # Under its note, and in the subject page's panel, by reference (never the file name).
    download = reverse("cases:document", args=[document.reference])
    assert download in client.get(note.get_absolute_url()).content.decode()
    assert (
        download in client.get(YOUNG_PERSON.detail_url(YOUNG_PERSON.record(world))).content.decode()
    )
    assert "bedroom" not in download

    before = _download_rows(document).count()
    got = client.get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == tiny_png()
    assert got["Content-Type"] == "image/png"
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in got["Cache-Control"]
    rows = _download_rows(document)
    assert rows.count() == before + 1
    assert rows.latest("pk").actor == world.users["sw"]

    # Those who may not read the young person: a 404, and no audit row.
    for user in ("sw3", "partner", "admin"):
        client.force_login(world.users[user])
        assert client.get(download).status_code == 404, user
    assert _download_rows(document).count() == before + 1


def test_the_upload_page_refuses_a_renamed_file_at_the_field(world, client, documents_storage):
    client.force_login(world.users["sw"])
    url = reverse(
        "cases:document-add", args=[world.records["subjects.subject"]["ctx_team"].reference]
    )
    response = client.post(
        url, {"title": "Minutes", "file": _upload("minutes.pdf", tiny_png(), "application/pdf")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The selected file is a PNG image but its name ends “.pdf”: rename it to end .png, "
        "or choose another file"
    ]
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert not Document.objects.filter(title="Minutes").exists()
    assert not any(documents_storage.rglob("*")) or not list(documents_storage.rglob("*.*"))
    ok = client.post(url, {"title": "Minutes", "file": _upload("minutes.pdf", tiny_pdf())})
    assert ok.status_code == 302
    assert Document.objects.get(title="Minutes").content_type == "application/pdf"


def test_only_those_who_may_change_the_subject_attach_documents(world, documents_storage):
    with pytest.raises(RecordNotFound):
        services.document_add(
            subject=_subject(world, "yp_team"),
            upload=_upload("a.txt", b"words\n"),
            title="Note",
            by=world.users["sw"],
        )
    other_note = world.records["cases.casenote"]["ctx_team"]
    with pytest.raises(ApplicationError) as raised:
        services.document_add(
            subject=_subject(world, "yp_own"),
            upload=_upload("a.txt", b"words\n"),
            title="Note",
            by=world.users["sw"],
            case_note=other_note,
        )
    assert raised.value.message_dict == {"case_note": ["Choose a note about this record"]}


# --- where documents are kept ----------------------------------------------------------------

_STORAGE = (
    "import django; django.setup(); from django.core.files.storage import storages; "
    "s = storages['documents']; print(type(s).__module__ + '.' + type(s).__name__, "
    "getattr(s, 'location', '') or getattr(s, 'bucket_name', ''))"
)


def test_documents_are_kept_in_a_private_directory_or_s3_as_the_environment_says(tmp_path):
    from tests.test_settings import clean_env, run

    private = tmp_path / "private-documents"
    result = run("-c", _STORAGE, env=clean_env(DOCUMENTS_ROOT=str(private)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [
        "django.core.files.storage.filesystem.FileSystemStorage",
        str(private),
    ]
    s3 = clean_env(
        DOCUMENTS_STORAGE="s3",
        DOCUMENTS_S3_BUCKET="council-documents",
        DOCUMENTS_S3_ENDPOINT_URL="https://objects.example.invalid",
    )
    result = run("-c", _STORAGE, env=s3)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["storages.backends.s3.S3Storage", "council-documents"]
    for wrong in ({"DOCUMENTS_STORAGE": "s3"}, {"DOCUMENTS_STORAGE": "ftp"}):
        result = run("manage.py", "check", env=clean_env(**wrong))
        assert result.returncode != 0
        assert "DOCUMENTS_S" in result.stderr
