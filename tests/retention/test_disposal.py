"""Disposal: details planted on a young person (a place, a peer group) with many kinds of
record are first found by a search of the whole database (every table, every row as text,
and the decrypted encrypted columns), then, once the record is disposed of, found nowhere;
the stub and the audit rows stay. And the table of how each related model is disposed of
covers every model that hangs off a subject."""

import inspect
import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from psycopg2 import sql

from cases.models import (
    Alias,
    Assessment,
    CaseNote,
    Concern,
    ConcernSubject,
    Document,
    Meeting,
    Plan,
    ReferralSubject,
    WarningNote,
    YoungPerson,
)
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup, PeerGroupMembership, Relationship
from safeguarding.api.models import IdempotencyKey
from safeguarding.audit.registry import NEUTRAL_REPR, personal_fields
from safeguarding.encryption import encrypted_fields
from safeguarding.errors import ApplicationError
from safeguarding.retention import disposal
from safeguarding.retention.models import DisposalStub, RecordType, RetentionReview
from safeguarding.subject_access import services as sar_services

from .helpers import review_of

pytestmark = pytest.mark.world_per_module


def search_everything(tokens: list[str]) -> dict[str, set[str]]:
    """``{token: {table or model.field, …}}`` for each token found anywhere: every table of
    the schema, each row cast to text (case-insensitive), and every encrypted column
    decrypted."""
    pattern = "|".join(re.escape(token) for token in tokens)
    found: dict[str, set[str]] = {}

    def note(text: str, where: str):
        for token in tokens:
            if token.lower() in text.lower():
                found.setdefault(token, set()).add(where)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        assert len(tables) > 50
        for table in tables:
            query = sql.SQL("SELECT {t}::text FROM {t} WHERE {t}::text ~* %s").format(
                t=sql.Identifier(table)
            )
            cursor.execute(query, [pattern])
            for (text,) in cursor.fetchall():
                note(text, table)
    for model, field in encrypted_fields():
        for value in model._base_manager.values_list(field.name, flat=True):
            note(str(value or ""), f"{model._meta.label}.{field.name}")
    return found


def _w(world, label, name):
    return world.records[label][name]


@pytest.fixture
def planted(world, documents_storage):
    """The young person "own" of the world (a case, concerns, a referral, notes, a document,
    an assessment, a plan, a strategy meeting, a warning note, sign-off, memberships,
    relationships …) with made-up details planted everywhere: ``{token: where}``."""
    person = _w(world, "cases.youngperson", "own")
    team_person = _w(world, "cases.youngperson", "team")
    person.given_name, person.family_name = "Zephyrine", "Quillbottom"
    person.name_as_given = "Zephyrine Quillbottom"
    person.date_of_birth = date(2008, 2, 29)
    person.address, person.postcode = "17 Marrowfield Crescent", "ZX9 9QQ"
    person.nhs_number, person.unique_pupil_number = "9434765919", "Q801234567891"
    person.vulnerabilities = "Wrenfeather support"
    person.save()
    Alias.objects.create(young_person=person, name="Sparrowhawk")
    concern = _w(world, "cases.concern", "own")
    concern.narrative = "She was seen near the Quokka Lantern arcade with older men."
    concern.save()
    shared = Concern.objects.create(
        authority=person.subject.authority,
        occurred_at=concern.occurred_at,
        narrative="Zephyrine Quillbottom and her friend were at the Gorsefield bus stop.",
        source="police",
        reliability="reliable",
    )
    ConcernSubject.objects.create(concern=shared, subject=person.subject, part="harmed")
    ConcernSubject.objects.create(concern=shared, subject=team_person.subject, part="at_risk")
    note = CaseNote.objects.filter(subject=person.subject).get()
    note.text = "Kestrelmoon home visit: she talked about school."
    note.save()
    document = Document.objects.filter(subject=person.subject).get()
    document.file.save("note.txt", ContentFile(b"Zephyrine letter"), save=True)
    stored = documents_storage / document.file.name
    assert stored.exists()
    assessment = Assessment.objects.filter(subject=person.subject).first()
    assessment.answers = {"free_text": {"text": "Bramblewick said she was scared"}}
    assessment.save()
    link = ReferralSubject.objects.filter(subject=person.subject).first()
    link.described_name = "Zephyrine Quillbottom"
    link.save()
    plan = Plan.objects.filter(subject=person.subject).first()
    plan.safe_places = "Thistledown library"
    plan.save()
    Meeting.objects.filter(subject=person.subject).update(minutes_summary="Larkspurrow agreed")
    WarningNote.objects.filter(subject=person.subject).update(summary="Ravenmoss warning")
    Relationship.objects.filter(from_person=person).update(notes="Nettlewhisper")
    PeerGroupMembership.objects.filter(young_person=person).update(source_detail="Pipistrelle")
    IdempotencyKey.objects.create(
        caller=_w(world, "accounts.user", "partner"),
        key="retention-test",
        method="POST",
        path="/api/v1/referrals/",
        fingerprint="0" * 64,
        response_body='{"described_name": "Zephyrine Quillbottom"}',
    )
    # A subject access request compiled for them: its bundle copies their records.
    dpo = _w(world, "accounts.user", "dpo")
    request = sar_services.request_record(
        by=dpo,
        young_person=person,
        requester_name="Zephyrine Quillbottom",
        requester_relationship="young_person",
        requester_contact="17 Marrowfield Crescent",
        received_on=date.today(),
    )
    request = sar_services.identity_record(
        request=request, by=dpo, method="photo_id", checked_on=date.today()
    )
    bundle = sar_services.bundle_compile(request=request, by=dpo)
    assert "Kestrelmoon" in str(bundle.items)
    return {
        "person": person,
        "shared": shared,
        "stored": stored,
        "tokens": [
            "Zephyrine",
            "Quillbottom",
            "Sparrowhawk",
            "2008-02-29",
            "Marrowfield",
            "ZX9 9QQ",
            "9434765919",
            "Q801234567891",
            "Wrenfeather",
            "Quokka Lantern",
            "Kestrelmoon",
            "Bramblewick",
            "Thistledown",
            "Larkspurrow",
            "Ravenmoss",
            "Nettlewhisper",
            "Pipistrelle",
        ],
    }


def test_a_young_person_disposed_of_is_found_nowhere(
    world, planted, django_capture_on_commit_callbacks
):
    person, tokens = planted["person"], planted["tokens"]
    before = search_everything(tokens)
    assert set(before) == set(tokens), f"not planted: {set(tokens) - set(before)}"
    assert "Zephyrine" in before and "cases.YoungPerson" not in before["Zephyrine"]
    audit = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(YoungPerson), object_pk=str(person.pk)
    )
    audited = audit.count()
    assert audited >= 1
    review = review_of(person, RecordType.YOUNG_PERSON)  # anonymise
    dpo = _w(world, "accounts.user", "dpo")

    with django_capture_on_commit_callbacks(execute=True):
        stub = disposal.dispose(user=dpo, review=review)

    after = search_everything(tokens)
    assert after == {}, f"still found: {after}"
    assert not planted["stored"].exists()  # the file left storage
    # The stub and the audit stay.
    stub = DisposalStub.objects.get(pk=stub.pk)
    assert stub.reference == person.reference and stub.action == "anonymise"
    assert stub.authorised_by == dpo and stub.rule.startswith("7 years")
    assert stub.removed["cases.Case"] >= 1 and stub.removed["cases.CaseNote"] >= 1
    assert RetentionReview.objects.get(pk=review.pk).status == "disposed"
    assert audit.count() >= audited
    # Anonymised: the row stays with its reference, nothing personal; the shared concern stays
    # for the other young person, without this one.
    person.refresh_from_db()
    assert person.reference == stub.reference and person.date_of_birth is None
    shared = Concern.objects.get(pk=planted["shared"].pk)
    assert "Gorsefield" in shared.narrative and "[removed]" in shared.narrative
    assert list(shared.involvements.values_list("subject_id", flat=True)) == [
        _w(world, "cases.youngperson", "team").subject_id
    ]
    assert not Concern.objects.filter(pk=_w(world, "cases.concern", "own").pk).exists()
    # Disposed of once: a second time is refused.
    with pytest.raises(Exception, match="disposed of already"):
        disposal.dispose(user=dpo, review=RetentionReview.objects.get(pk=review.pk))


def test_a_young_person_deleted_leaves_only_the_stub(world, planted):
    person, tokens = planted["person"], planted["tokens"]
    review = review_of(person, RecordType.YOUNG_PERSON_PROTECTION)  # delete
    assert search_everything(["Zephyrine"])
    stub = disposal.dispose(user=_w(world, "accounts.user", "dpo"), review=review)
    assert stub.action == "delete"
    assert not YoungPerson.objects.filter(pk=person.pk).exists()
    assert search_everything(tokens) == {}
    assert DisposalStub.objects.filter(reference=person.reference).exists()


def test_a_place_disposed_of_is_found_nowhere(world):
    place = _w(world, "contexts.context", "team")
    place.name, place.address, place.postcode = "Hollowmere Skatepark", "Fennick Lane", "QX1 1ZZ"
    place.description = "Brindlecombe shelter behind the shops"
    place.save()
    ContextGuardian.objects.filter(context=place).update(name="Mossgrove Caretaker")
    concern = _w(world, "cases.concern", "own")  # with the young person "own": it stays
    concern.narrative = "Seen at Hollowmere Skatepark after dark."
    concern.save()
    tokens = ["Hollowmere", "Fennick", "QX1 1ZZ", "Brindlecombe", "Mossgrove"]
    assert set(search_everything(tokens)) == set(tokens)
    stub = disposal.dispose(
        user=_w(world, "accounts.user", "dpo"), review=review_of(place, RecordType.PLACE)
    )
    assert search_everything(tokens) == {}
    assert stub.action == "anonymise" and Context.objects.filter(pk=place.pk).exists()
    concern.refresh_from_db()
    assert concern.narrative == "Seen at [removed] after dark."
    assert not Concern.objects.filter(pk=_w(world, "cases.concern", "place_only").pk).exists()


def test_a_peer_group_disposed_of_is_found_nowhere(world):
    group = _w(world, "peers.peergroup", "team")
    group.name, group.description = "Juniper Walk friends", "Meet at Cobblefinch court"
    group.purpose = "Tallowbrook"
    group.save()  # audited: its audit rows name it by kind and id, never by name
    tokens = ["Juniper Walk", "Cobblefinch", "Tallowbrook"]
    assert set(search_everything(tokens)) == set(tokens)
    stub = disposal.dispose(
        user=_w(world, "accounts.user", "dpo"), review=review_of(group, RecordType.PEER_GROUP)
    )
    assert stub.action == "delete"
    assert not PeerGroup.objects.filter(pk=group.pk).exists()
    assert search_everything(tokens) == {}
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(PeerGroup), object_pk=str(group.pk)
    ).exists()


def _hangs_off_a_subject() -> set[str]:
    """Every model of ours related (transitively) to a subject: a foreign key, one-to-one or
    many-to-many to a subject, young person, place or peer group, or to such a model."""
    roots = {"subjects.Subject", "cases.YoungPerson", "contexts.Context", "peers.PeerGroup"}
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            label = model._meta.label
            if label in found or model._meta.auto_created:
                continue
            for field in model._meta.get_fields():
                if (
                    field.is_relation
                    and field.concrete
                    and field.related_model is not None
                    and field.related_model._meta.label in found
                ):
                    found.add(label)
                    changed = True
                    break
    return found


def test_every_model_about_a_subject_has_a_disposal_decision():
    missing = _hangs_off_a_subject() - set(disposal.DISPOSAL)
    assert not missing, f"say how these are disposed of (retention/disposal.py): {missing}"
    hows = {how for how, _ in disposal.DISPOSAL.values()}
    assert hows <= {"delete", "cascade", "unlink", "scrub", "anonymise", "keep"}
    for label in disposal.DISPOSAL:
        apps.get_model(label)  # no stale names


def test_no_audited_model_writes_a_personal_field_into_object_repr():
    """An audit row's ``object_repr`` is ``str()`` of the record: for a model whose ``str()``
    reads a personal field, its rows must use a neutral name (``NEUTRAL_REPR``)."""
    for model in auditlog.get_models():
        label = model._meta.label
        if label in NEUTRAL_REPR:
            continue
        source = inspect.getsource(model.__str__)
        for name in personal_fields(label):
            assert f"self.{name}" not in source, (label, name)


def test_a_record_with_an_open_case_or_kept_by_an_extension_is_not_disposed_of(world):
    from cases.models import Case

    person = _w(world, "cases.youngperson", "team")
    review = review_of(person, RecordType.YOUNG_PERSON)
    dpo = _w(world, "accounts.user", "dpo")
    case = Case.objects.filter(subject=person.subject).first()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.OPEN, closed_at=None)
    with pytest.raises(ApplicationError, match="open case"):
        disposal.dispose(user=dpo, review=review)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_at=case.closed_at)
    review.status = RetentionReview.Status.EXTENDED
    review.extended_to = date.today() + timedelta(days=30)
    review.save()
    with pytest.raises(ApplicationError, match="extended"):
        disposal.dispose(user=dpo, review=review)
    assert YoungPerson.objects.filter(pk=person.pk, given_name=person.given_name).exists()


def test_a_legal_hold_on_a_place_keeps_its_concerns_and_one_on_a_referral_stops_disposal(world):
    from safeguarding.retention import services as retention_services

    dpo = _w(world, "accounts.user", "dpo")
    person = _w(world, "cases.youngperson", "team")
    place = _w(world, "contexts.context", "team")
    at_the_place = Concern.objects.create(
        authority=person.subject.authority,
        occurred_at=_w(world, "cases.concern", "own").occurred_at,
        narrative=f"{person.given_name} was seen at the park after dark.",
        source="police",
        reliability="reliable",
    )
    ConcernSubject.objects.create(concern=at_the_place, subject=person.subject, part="harmed")
    ConcernSubject.objects.create(concern=at_the_place, subject=place.subject, part="location")
    retention_services.hold_place(
        user=dpo, reference=place.subject.reference, reason="Inquiry into the park"
    )
    # A referral about the young person under a hold: their disposal waits for it.
    referral = _w(world, "cases.referral", "staff")
    ReferralSubject.objects.create(
        referral=referral, kind="young_person", subject=person.subject, described_name="T"
    )
    hold = retention_services.hold_place(
        user=dpo, reference=referral.reference, reason="Civil claim"
    )
    review = review_of(person, RecordType.YOUNG_PERSON)
    with pytest.raises(ApplicationError, match="referral about this record"):
        disposal.dispose(user=dpo, review=review)
    retention_services.hold_lift(user=dpo, hold=hold, reason="Claim settled")
    disposal.dispose(user=dpo, review=RetentionReview.objects.get(pk=review.pk))
    kept = Concern.objects.get(pk=at_the_place.pk)
    assert person.given_name not in kept.narrative and "[removed]" in kept.narrative
    assert list(kept.involvements.values_list("subject_id", flat=True)) == [place.subject_id]
