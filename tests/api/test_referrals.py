"""POST/GET referrals: one organisation's referrals, in the front door's queue, atomically."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors, services
from cases.models import Referral, ReferralSubject
from tests.api.conftest import REFERRALS, assert_problem, post_referral, referral_body
from tests.factories import ContextFactory

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def test_a_partner_makes_a_referral_that_joins_the_triage_queue(world, api):
    police = api("p1")
    response = post_referral(police)

    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.get(reference=body["reference"])
    assert response["Location"] == f"http://testserver{REFERRALS}{referral.reference}/"
    assert body == {
        "reference": referral.reference,
        "status": "received",
        "status_label": "Received",
        "decision": None,
        "decision_label": None,
        "urgency": "urgent",
        "harm_categories": ["cse"],
        "received_at": body["received_at"],
        "decision_due_at": body["decision_due_at"],
        "decided_at": None,
    }
    assert referral.authority == world.records["accounts.organisation"]["la"]
    assert referral.source_organisation == world.records["accounts.organisation"]["p1"]
    assert referral.referred_by == police.token.service_user
    assert referral.decision_due_at > referral.received_at
    about = referral.about.get()
    assert (about.kind, about.subject) == ("young_person", None)
    assert about.described_name == "Jay Example"
    assert about.described_date_of_birth == date(2010, 5, 1)
    assert about.described_postcode == "EB1 2CD"
    assert (referral.referrer_email, referral.consent) == ("pc@police.example", "not_sought")

    queue = list(selectors.referrals_awaiting_triage(user=world.users["tm"]))
    assert referral in queue
    assert queue == sorted(queue, key=lambda r: r.received_at)  # oldest first


def test_the_decision_appears_in_the_referrers_view(world, api):
    police = api("p1")
    reference = post_referral(police).json()["reference"]
    referral = Referral.objects.get(reference=reference)

    services.referral_decide(
        referral=referral,
        decision=Referral.Decision.EARLY_HELP,  # starts no work: nothing need be linked
        reason="Internal reasoning that stays with the council.",
        decided_by=world.users["tm"],
    )

    body = police.get(f"{REFERRALS}{reference}/").json()
    assert body["status"] == "decided"
    assert body["decision"] == "early_help"
    assert body["decision_label"] == "Early help"
    assert body["decided_at"] is not None
    assert "Internal reasoning" not in str(body)
    assert referral not in selectors.referrals_awaiting_triage(user=world.users["tm"])
    listed = police.get(REFERRALS, {"status": "decided"}).json()["results"]
    assert [r["reference"] for r in listed] == [reference]


def test_writes_and_reads_are_audited_with_the_organisations_api_user(world, api):
    police = api("p1")
    reference = post_referral(police).json()["reference"]
    referral = Referral.objects.get(reference=reference)
    actor = police.token.service_user

    def entries(model, pk):
        return LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
        )

    created = entries(Referral, referral.pk).get(action=LogEntry.Action.CREATE)
    assert created.actor == actor
    subject_row = referral.about.get()
    subject_created = entries(ReferralSubject, subject_row.pk).get(action=LogEntry.Action.CREATE)
    assert subject_created.actor == actor

    assert police.get(f"{REFERRALS}{reference}/").status_code == 200
    read = entries(Referral, referral.pk).get(action=LogEntry.Action.ACCESS)
    assert read.actor == actor


def test_every_field_error_is_listed_at_once_and_nothing_is_saved(world, api):
    before = Referral.objects.count(), ReferralSubject.objects.count()
    body = referral_body(
        young_people=[
            {"name": "Ok Person"},
            {"name": "Bad Date", "date_of_birth": "2010-13-45"},
            {"date_of_birth": "2011-01-01"},
        ],
        harm_categories=["cse", "not-a-category"],
        narrative="   ",
        urgency="whenever",
        referrer={"role": "No name", "email": "not-an-email"},
        colour="blue",
    )
    del body["consent"]

    problem = assert_problem(post_referral(api("p1"), body), 422, "validation-failed")

    fields = {e["field"] for e in problem["errors"]}
    assert {
        "young_people[1].date_of_birth",
        "harm_categories",
        "narrative",
        "urgency",
        "referrer.name",
        "referrer.email",
        "consent",
        "colour",
    } <= fields, problem["errors"]
    colour = next(e for e in problem["errors"] if e["field"] == "colour")
    assert colour["code"] == "unknown_field"
    assert (Referral.objects.count(), ReferralSubject.objects.count()) == before


def test_rules_between_fields_are_listed_with_the_field_errors(world, api):
    body = referral_body(
        young_people=[{"name": "Future Child", "date_of_birth": "2999-01-01"}, {}],
        contexts=[{"postcode": "EB1 1AA"}],
        referrer={"name": "No contact"},
        consent="not_given",
        lawful_basis="consent",
        lawful_basis_detail="",
        urgency="whenever",
    )
    problem = assert_problem(post_referral(api("p1"), body), 422, "validation-failed")
    assert {e["field"] for e in problem["errors"]} == {
        "young_people[0].date_of_birth",
        "young_people[1].name",
        "contexts[0].name",
        "contexts[0].kind",
        "referrer.email",
        "lawful_basis",
        "lawful_basis_detail",
        "urgency",
    }
    assert not Referral.objects.filter(narrative=body["narrative"]).exists()


def test_unknown_fields_are_rejected_at_any_depth(world, api):
    body = referral_body(
        young_people=[{"name": "Jay", "nickname": "J"}],
        referrer={"name": "PC Test", "email": "pc@police.example", "badge": "123"},
    )
    problem = assert_problem(post_referral(api("p1"), body), 422, "validation-failed")
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {
        ("young_people[0].nickname", "unknown_field"),
        ("referrer.badge", "unknown_field"),
    }


def test_a_referral_needs_someone_or_somewhere(world, api):
    problem = assert_problem(
        post_referral(api("p1"), referral_body(young_people=[])), 422, "validation-failed"
    )
    assert [e["field"] for e in problem["errors"]] == ["young_people"]


def test_partners_describe_young_people_and_learn_nothing_from_a_reference(world, api):
    known = world.records["cases.youngperson"]["own"]
    answers = []
    for reference in (known.reference, "YP-0000000000"):
        body = referral_body(young_people=[{"reference": reference}])
        answers.append(assert_problem(post_referral(api("p1"), body), 422, "validation-failed"))
    assert answers[0]["errors"] == answers[1]["errors"]
    assert answers[0]["detail"] == answers[1]["detail"]


def test_staff_may_refer_a_young_person_they_may_pick_by_reference(world, session_api):
    client = session_api("tm")
    own = world.records["cases.youngperson"]["own"]
    response = post_referral(client, referral_body(young_people=[{"reference": own.reference}]))
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert referral.about.get().subject == own.subject
    assert referral.source_organisation == world.users["tm"].organisation

    other_team = world.records["cases.youngperson"]["other"]
    client = session_api("sw")  # a social worker picks only what they may see
    body = referral_body(young_people=[{"reference": other_team.reference}])
    assert_problem(post_referral(client, body), 422, "validation-failed")


def test_places_by_reference_from_the_authoritys_directory_or_described(world, api):
    other_place = world.records["contexts.context"]["other"]  # p1 is not its guardian
    body = referral_body(
        young_people=[],
        contexts=[
            {"reference": other_place.reference},
            {"name": "Corner shop on the high street", "kind": "shop", "postcode": "eb1 9zz"},
        ],
    )
    response = post_referral(api("p1"), body)
    assert response.status_code == 201, response.content
    rows = Referral.objects.get(reference=response.json()["reference"]).about.order_by("pk")
    assert [(r.kind, r.subject, r.described_name) for r in rows] == [
        ("context", other_place.subject, ""),
        ("context", None, "Corner shop on the high street"),
    ]
    assert rows[1].described_place_kind == "shop" and rows[1].described_postcode == "EB1 9ZZ"


def test_a_place_of_another_authority_is_refused_like_a_missing_one(world, api):
    elsewhere = ContextFactory(
        authority=world.records["accounts.organisation"]["la2"], name="Far park"
    )
    answers = [
        assert_problem(
            post_referral(api("p1"), referral_body(contexts=[{"reference": reference}])),
            422,
            "validation-failed",
        )["errors"]
        for reference in (elsewhere.reference, "CTX-0000000000")
    ]
    assert answers[0] == answers[1]


# --- reading: one organisation's referrals only (and who may make one: test_access.py) ---------


def test_a_partner_lists_and_reads_only_its_own_referrals(world, api):
    mine = world.records["cases.referral"]["agency"]  # from p1, in the world
    theirs = world.records["cases.referral"]["other_agency"]  # from p2

    police_list = api("p1").get(REFERRALS).json()
    assert [r["reference"] for r in police_list["results"]] == [mine.reference]
    assert police_list["count"] == 1
    school_list = api("p2").get(REFERRALS).json()
    assert [r["reference"] for r in school_list["results"]] == [theirs.reference]


def test_another_organisations_new_referral_is_invisible_to_a_partner(world, api):
    reference = post_referral(api("p2")).json()["reference"]
    assert_problem(api("p1").get(f"{REFERRALS}{reference}/"), 404, "not-found")
    assert reference not in str(api("p1").get(REFERRALS).json())
    # Nor can p1 change it (there is no way to, and the method is not allowed).
    assert api("p1").patch(f"{REFERRALS}{reference}/", {}, format="json").status_code in (404, 405)


def test_filters_by_status_and_dates(world, api):
    police = api("p1")
    mine = world.records["cases.referral"]["agency"]
    today = date.today()
    assert police.get(REFERRALS, {"status": "received"}).json()["count"] == 1
    assert police.get(REFERRALS, {"status": "decided"}).json()["count"] == 0
    assert police.get(REFERRALS, {"received_from": today.isoformat()}).json()["count"] == 1
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert police.get(REFERRALS, {"received_from": tomorrow}).json()["count"] == 0
    assert police.get(REFERRALS, {"received_to": "2000-01-01"}).json()["count"] == 0
    assert mine.status == "received"

    problem = assert_problem(
        police.get(REFERRALS, {"status": "lost", "received_from": "01/02/2026"}),
        400,
        "invalid-request",
    )
    assert {e["field"] for e in problem["errors"]} == {"status", "received_from"}
    assert_problem(police.get(f"{REFERRALS}?status="), 400, "invalid-request")
    twice = police.get(f"{REFERRALS}?status=received&status=decided")
    assert_problem(twice, 400, "invalid-request")


def test_pagination_has_a_maximum(world, api):
    police = api("p1")
    for _ in range(3):
        assert post_referral(police).status_code == 201
    page = police.get(REFERRALS, {"limit": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    assert len(police.get(REFERRALS, {"limit": 2, "offset": 2}).json()["results"]) == 2
    assert police.get(REFERRALS, {"limit": 100}).status_code == 200
    for bad in ({"limit": 101}, {"limit": 0}, {"limit": "ten"}, {"offset": -1}):
        problem = assert_problem(police.get(REFERRALS, bad), 400, "invalid-request")
        assert problem["errors"][0]["field"] in ("limit", "offset")


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", [REFERRALS, "/api/v1/actions/", "/api/v1/contexts/", "/api/v1/harm-categories/"]
)
def test_list_queries_do_not_grow_with_the_page(world, api, url):
    from cases.models import Action

    police = api("p1")
    p1 = world.records["accounts.organisation"]["p1"]
    place = world.records["contexts.context"]["team"]
    for _ in range(12):
        post_referral(police)
        Action.objects.create(
            subject=place.subject,
            description="Extra action",
            owner_organisation=p1,
            due_on=date.today(),
        )
    police.get(url)  # the token's last-used time is written once a minute, not per request
    small, large = _queries(police, url, {"limit": 1}), _queries(police, url, {"limit": 100})
    print(f"{url}: {small} queries for 1 row, {large} for up to 100")
    assert small == large, (small, large)
    assert large <= 6
