"""The bundle (issue 16): a young person who is in another young person's peer group, in a
relationship, and named in a place assessment gets what is about them, and every other young
person and third party is redacted — nowhere in the PDF nor the JSON, each redaction listed
with its reason. Compiling and every download are audited; the officer reviews, withdraws and
adds redactions."""

import json
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases.models import (
    AgendaItem,
    AssessmentMention,
    Concern,
    ConcernSubject,
    EvidenceItem,
    Invitee,
    Referral,
    ReferralSubject,
    YoungPerson,
)
from peers.models import PeerGroupMembership
from safeguarding.errors import ApplicationError
from safeguarding.subject_access import output, services
from safeguarding.subject_access import redaction as r
from safeguarding.subject_access.models import Bundle

pytestmark = pytest.mark.world_per_module

#: What must never leave: the other young people's names and aliases, a police source, the
#: partner agency's staff, a young person a referrer described, a person of concern.
NEVER = [
    "GivenOwn",
    "Alias own",
    "GivenRestricted",
    "Alias restricted",
    "Informant Seven",
    "Dana Officer",
    "dana.officer@police.example",
    "Kai Described",
    "NOM-4471",
    "Sergeant Lee Partner",
    "Rio",
    "Marsh",
]


def _scene(world):
    """yp_team ("GivenTeam Testperson") joins team one's peer group, whose other members are
    yp_own and the restricted young person (the world's relationships already link them: own →
    team, team → restricted); is named, with yp_own, in the place assessment; shares a concern
    with yp_own (a police source); is referred by the police with a young person the referrer
    described; and is discussed at the MACE panel beside a person of concern."""
    yp = world.records["cases.youngperson"]
    own, team = yp["own"], yp["team"]
    la = world.records["accounts.organisation"]["la"]
    p1 = world.records["accounts.organisation"]["p1"]
    group = world.records["peers.peergroup"]["team"]
    PeerGroupMembership.objects.create(peer_group=group, young_person=team, source="police")
    rio = YoungPerson(authority=la, given_name="Rio", family_name="Marsh")
    rio.save()
    PeerGroupMembership.objects.create(peer_group=group, young_person=rio, source="school")
    place = world.records["cases.assessment"]["place_team"]
    AssessmentMention.objects.create(assessment=place, subject=team.subject)
    EvidenceItem.objects.create(
        assessment=place,
        kind="concerns",
        text="GivenTeam Testperson seen at the park with givenown testperson (Alias Own).",
        source="police",
        reliability="reliable",
        linked_subject=team.subject,
        state="accepted",
    )
    concern = Concern.objects.create(
        authority=la,
        occurred_at=timezone.now(),
        narrative="GivenOwn Testperson gave GivenTeam a phone and a bag to carry; Marsh watched.",
        source="police",
        source_detail="Informant Seven",
        reliability="reliable",
        logged_by=world.users["sw2"],
    )
    ConcernSubject.objects.create(concern=concern, subject=team.subject, part="at_risk")
    ConcernSubject.objects.create(concern=concern, subject=own.subject, part="harming")
    referral = Referral.objects.create(
        authority=la,
        source_organisation=p1,
        referrer_name="Dana Officer",
        referrer_email="dana.officer@police.example",
        narrative="Dana Officer saw GivenTeam and Kai Described at the station at night.",
        consent="not_sought",
        lawful_basis="public_task",
    )
    ReferralSubject.objects.create(referral=referral, kind="young_person", subject=team.subject)
    ReferralSubject.objects.create(
        referral=referral, kind="young_person", described_name="Kai Described"
    )
    mace = world.records["cases.meeting"]["mace"]
    AgendaItem.objects.create(
        meeting=mace,
        subject=team.subject,
        discussion="Seen with NOM-4471 near the station; Sergeant Lee Partner to follow up.",
        level="high",
    )
    AgendaItem.objects.create(meeting=mace, reference="NOM-4471")
    Invitee.objects.create(meeting=mace, organisation=p1, name="Sergeant Lee Partner")
    return team


def _request(world, team):
    dpo = world.records["accounts.user"]["dpo"]
    sar = services.request_record(
        by=dpo,
        young_person=team,
        requester_name="Pat Requester",
        requester_relationship="young_person",
        requester_contact="pat@example.invalid",
        received_on=timezone.localdate(),
    )
    return services.identity_record(
        request=sar, by=dpo, method="known", checked_on=timezone.localdate()
    )


def _nowhere(text: str):
    """None of :data:`NEVER` in ``text`` as words of their own, whatever their case ("Rio" may
    be inside "priority")."""
    found = [
        value
        for value in NEVER
        if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE)
    ]
    assert not found, f"disclosed: {found}"


def test_the_bundle_holds_what_is_about_them_and_redacts_everyone_else(world, client):
    team = _scene(world)
    dpo = world.records["accounts.user"]["dpo"]
    sar = _request(world, team)
    bundle = services.bundle_compile(request=sar, by=dpo)

    kinds = {item["kind"] for item in bundle.items}
    assert {
        "Record",
        "Concern",
        "Referral",
        "Case note",
        "Peer group",
        "Relationship",
        "Named in an assessment",
        "Meeting agenda item",
        "Warning note",
    } <= kinds
    dates = [item["at"] for item in bundle.items]
    assert dates == sorted(dates), "one chronology, oldest first"
    # Each other young person has one label for all their names; each redaction a reason.
    labels = {x["value"]: x["label"] for x in bundle.redactions}
    assert labels["GivenOwn Testperson"] == labels["Alias own"] == labels["GivenOwn"]
    assert labels["GivenRestricted Testperson"] != labels["GivenOwn Testperson"]
    reasons = {x["value"]: x["reason"] for x in bundle.redactions}
    assert reasons["GivenOwn Testperson"] == r.ANOTHER_YOUNG_PERSON
    assert reasons["Kai Described"] == r.ANOTHER_YOUNG_PERSON
    assert reasons["Dana Officer"] == reasons["Sergeant Lee Partner"] == r.PARTNER_STAFF
    assert reasons["Informant Seven"] == r.POLICE_SOURCE
    assert reasons["NOM-4471"] == r.THIRD_PARTY
    assert "GivenTeam Testperson" not in labels, "their own name is theirs"
    # Another young person's family name alone is theirs too, unless it is also the
    # subject's own (a sibling's).
    assert labels["Marsh"] == labels["Rio Marsh"] and "Testperson" not in labels

    services.bundle_mark_reviewed(request=sar, by=dpo)
    client.force_login(dpo)
    exported = client.get(reverse("subject_access:json", args=[sar.pk]))
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == f'attachment; filename="{sar.reference}.json"'
    text = exported.content.decode()
    _nowhere(text)
    document = json.loads(text)
    assert document["request"] == sar.reference
    assert "GivenTeam Testperson" in text  # what is about them is there
    titles = [item["title"] for item in document["items"]]
    assert any(t.startswith("Member of the peer group Test team group") for t in titles)
    assert "Friend: [Young person A]" in titles or "Friend: [Young person B]" in titles
    listed = {(x["label"], x["reason"]) for x in document["redactions"]}
    assert all(reason for _label, reason in listed)
    assert {
        r.ANOTHER_YOUNG_PERSON,
        r.PARTNER_STAFF,
        r.POLICE_SOURCE,
        r.THIRD_PARTY,
    } <= {reason for _label, reason in listed}
    assert all(x["times"] > 0 for x in document["redactions"])

    html = output.bundle_html(Bundle.objects.get(pk=bundle.pk))
    _nowhere(html)
    assert sar.reference in html and "What was redacted, and why" in html
    for label, reason in listed:
        assert f"[{label}]" in html and escape(reason) in html
    pdf = client.get(reverse("subject_access:pdf", args=[sar.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_compiling_and_every_download_are_audited(world, client):
    team = _scene(world)
    dpo = world.records["accounts.user"]["dpo"]
    sar = _request(world, team)
    before = LogEntry.objects.count()
    bundle = services.bundle_compile(request=sar, by=dpo)
    compiled = LogEntry.objects.filter(actor=dpo, object_pk="export").latest("pk")
    assert compiled.additional_data["filters"]["request"] == sar.reference
    assert compiled.additional_data["rows"] == len(bundle.items)
    client.force_login(dpo)
    # Not reviewed yet: nothing leaves, nothing is written.
    response = client.get(reverse("subject_access:pdf", args=[sar.pk]))
    assert response.status_code == 302
    assert not LogEntry.objects.filter(additional_data__download=True).exists()
    services.bundle_mark_reviewed(request=sar, by=dpo)
    for fmt in ("json", "pdf", "json"):
        response = client.get(reverse(f"subject_access:{fmt}", args=[sar.pk]))
        assert response.status_code == 200
    downloads = LogEntry.objects.filter(additional_data__download=True).order_by("pk")
    assert [d.additional_data["format"] for d in downloads] == ["json", "pdf", "json"]
    assert all(d.actor_id == dpo.pk for d in downloads)
    assert all(d.additional_data["request"] == sar.reference for d in downloads)
    assert LogEntry.objects.count() > before
    # The compile and every download are on the young person's own access log.
    subject = str(sar.young_person.subject_id)
    assert subject in compiled.additional_data["subjects"]
    assert all(subject in d.additional_data["subjects"] for d in downloads)
    # No personal data in the audit's words.
    for entry in LogEntry.objects.filter(pk__gt=compiled.pk - 1):
        _nowhere(json.dumps(entry.additional_data) + entry.object_repr)


def test_the_officer_withdraws_and_adds_redactions_then_reviews_again(world, client):
    team = _scene(world)
    dpo = world.records["accounts.user"]["dpo"]
    sar = _request(world, team)
    bundle = services.bundle_compile(request=sar, by=dpo)
    services.bundle_mark_reviewed(request=sar, by=dpo)
    kai = next(x for x in bundle.redactions if x["value"] == "Kai Described")
    with pytest.raises(ApplicationError):
        services.redaction_withdraw(request=sar, by=dpo, redaction_id=kai["id"], reason=" ")
    client.force_login(dpo)
    url = reverse("subject_access:bundle", args=[sar.pk])
    page = client.get(url).content.decode()
    assert "<mark" in page and "Kai Described" in page  # the officer sees what is redacted
    response = client.post(
        url, {"withdraw": "", "redaction": kai["id"], "reason": "Kai consented in writing"}
    )
    assert response.status_code == 302
    response = client.post(url, {"add": "", "phrase": "the station", "reason": ""})
    assert "Say why they may not be disclosed" in response.content.decode()
    response = client.post(
        url, {"add": "", "phrase": "the station", "reason": "Identifies a witness's home"}
    )
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.status == "compiled", "changed redactions are reviewed again"
    services.bundle_mark_reviewed(request=sar, by=dpo)
    text = client.get(reverse("subject_access:json", args=[sar.pk])).content.decode()
    assert "Kai Described" in text
    assert "the station" not in text.casefold() and "[Redacted 1]" in text
    assert "Identifies a witness's home" in text


def test_a_date_range_keeps_only_the_records_dated_within_it(world):
    from datetime import timedelta

    team = _scene(world)
    dpo = world.records["accounts.user"]["dpo"]
    today = timezone.localdate()
    sar = services.request_record(
        by=dpo,
        young_person=team,
        requester_name="Pat",
        requester_relationship="young_person",
        requester_contact="pat",
        received_on=today,
        scope="date_range",
        scope_from=today - timedelta(days=30),
        scope_to=today,
    )
    services.identity_record(request=sar, by=dpo, method="known", checked_on=today)
    bundle = services.bundle_compile(request=sar, by=dpo)
    assert all(
        item["kind"] == "Record" or item["date"] >= (today - timedelta(days=30)).isoformat()
        for item in bundle.items
    )
    # The MACE panel met 400 days ago: out of range.
    assert "Meeting agenda item" not in {item["kind"] for item in bundle.items}
