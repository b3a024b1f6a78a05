"""Names and dates of birth, "fix the kind, not the example" (issue 13):

* a referral's "Mary Ann Whitlowe" became given name "Mary" and family name "Ann Whitlowe",
  and a double space was stored as a leading space: the full name is now kept as given, the
  split made at the last space (cases/young_people/names.py) and shown for checking; white
  space of every kind is made single everywhere a name is typed (safeguarding/text.py);
* "(not given)" was stored as a family name: a name nobody gave is blank;
* a date of birth in the future, or after the concern, was accepted: refused everywhere a date
  of birth is entered (cases/young_people/dates.py).
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.front_door.services import NEW, ReferredYoungPerson, referral_decide, referral_receive
from cases.models import Concern, HarmCategory, Referral, YoungPerson
from cases.young_people.names import split_full_name
from safeguarding import text
from safeguarding.errors import ApplicationError
from tests.factories import ReferralFactory

pytestmark = pytest.mark.world_per_module


# --- the name rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Mary  Ann", "Mary Ann"),
        (" Mary Ann ", "Mary Ann"),
        ("Mary\u00a0Ann", "Mary Ann"),  # no-break space
        ("Mary\u202fAnn", "Mary Ann"),  # narrow no-break space
        ("Mary\u3000Ann", "Mary Ann"),  # ideographic space
        ("Mary\tAnn", "Mary Ann"),
        ("Mary\r\nAnn", "Mary Ann"),
        ("Mary\u200bAnn", "MaryAnn"),  # zero width space: takes no room
        ("\ufeffMary Ann\u2060", "Mary Ann"),  # byte order mark, word joiner
        ("Mary\u00adAnn", "MaryAnn"),  # soft hyphen
        ("\u200cMary Ann\u200d", "Mary Ann"),  # joiners at the ends: dropped
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),  # kept inside (Persian)
        ("Zoe\u0308", "Zo\u00eb"),  # NFC
    ],
)
def test_white_space_of_every_kind_is_one_space_in_a_name(typed, stored):
    field = text.NameField(max_length=100)
    assert field.clean(typed) == stored


def test_a_name_still_refuses_control_characters():
    with pytest.raises(ValidationError):
        text.NameField().clean("Mary\x1bAnn")


def test_every_name_column_gets_the_name_rule():
    from contexts.models import Context
    from peers.models import PeerGroup

    for model, name in [
        (YoungPerson, "given_name"),
        (YoungPerson, "family_name"),
        (YoungPerson, "preferred_name"),
        (YoungPerson, "name_as_given"),
        (Context, "name"),
        (PeerGroup, "name"),
        (Referral, "referrer_name"),
    ]:
        assert isinstance(text.model_formfield(model._meta.get_field(name)), text.NameField)


@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        ("Mary Ann Whitlowe", "Mary Ann", "Whitlowe"),
        ("Mary  Ann  Whitlowe", "Mary Ann", "Whitlowe"),
        (" Mary Whitlowe", "Mary", "Whitlowe"),
        ("Mary\u00a0Whitlowe", "Mary", "Whitlowe"),
        ("Madonna", "Madonna", ""),
    ],
)
def test_a_full_name_is_split_at_the_last_space(full, given, family):
    assert split_full_name(full) == (given, family)


# --- the front door ---------------------------------------------------------------------------


def _decide_new(world, described_name: str) -> YoungPerson:
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"],
        about=[{"kind": "young_person", "described_name": described_name}],
    )
    [row] = referral.about.all()
    referral_decide(
        referral=referral,
        decision=Referral.Decision.YOUNG_PERSON_ASSESSMENT,
        reason="Reason.",
        decided_by=world.users["tm"],
        links={row.pk: NEW},
    )
    row.refresh_from_db()
    return row.subject.concrete


def test_a_referrals_full_name_is_kept_and_split_at_the_last_space(world, client):
    person = _decide_new(world, "Mary Ann Whitlowe")
    assert (person.given_name, person.family_name) == ("Mary Ann", "Whitlowe")
    assert person.name_as_given == "Mary Ann Whitlowe"
    client.force_login(world.users["tm"])
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Name as the referrer gave it" in page and "Mary Ann Whitlowe" in page
    assert "split at the last space" in page


def test_one_name_is_a_given_name_and_no_placeholder(world, client):
    person = _decide_new(world, "Madonna")
    assert (person.given_name, person.family_name) == ("Madonna", "")
    client.force_login(world.users["tm"])
    page = client.get(person.get_absolute_url()).content.decode()
    assert "(not given)" not in page and "no family name" in page


def test_the_decision_page_says_how_the_name_will_be_split(world, client):
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"],
        about=[{"kind": "young_person", "described_name": "Mary Ann Whitlowe"}],
    )
    client.force_login(world.users["tm"])
    page = client.get(reverse("cases:triage-decide", args=[referral.pk])).content.decode()
    assert "given names “Mary Ann”, family name “Whitlowe”" in page


def test_the_placeholder_stored_before_is_blanked_by_the_migration(world):
    from importlib import import_module

    from django.apps import apps

    person = _decide_new(world, "Cher")
    YoungPerson.objects.filter(pk=person.pk).update(family_name="(not given)", name_as_given="")
    migration = import_module("cases.migrations.0017_young_person_name_as_given")
    migration.drop_placeholder_names(apps, None)
    person.refresh_from_db()
    assert (person.family_name, person.name_as_given) == ("", "Cher")
    assert not YoungPerson.objects.filter(family_name="(not given)").exists()


def test_staff_referring_a_young_person_born_in_the_future_are_refused(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        referral_receive(
            referred_by=world.users["sw"],
            young_people=[ReferredYoungPerson(name="Jay Example", date_of_birth=tomorrow)],
            harm_categories=[HarmCategory.objects.get(slug="cse")],
            narrative="Seen at the station.",
            urgency="routine",
            referrer_name="Sam Worker",
            referrer_email="sam@eastbrook.example",
            consent="given",
            lawful_basis="consent",
        )
    assert refused.value.message_dict["young_people[0].date_of_birth"] == [
        "Date of birth must be in the past"
    ]


# --- Log a concern ----------------------------------------------------------------------------


def _concern(day: date, **more):
    return {
        "narrative": "Seen at the bus station.",
        "occurred_on_day": str(day.day),
        "occurred_on_month": str(day.month),
        "occurred_on_year": str(day.year),
        "occurred_time": "16:30",
        "harm_categories": [HarmCategory.objects.get(slug="cce").pk],
        "source": "police",
        "reliability": "reliable",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
        "people-0-part": "at_risk",
        **more,
    }


def _new_person(given="Kai", family="Newperson", born: date | None = None):
    data = {"people-0-new_given_name": given, "people-0-new_family_name": family}
    if born:
        data |= {
            "people-0-new_date_of_birth_day": str(born.day),
            "people-0-new_date_of_birth_month": str(born.month),
            "people-0-new_date_of_birth_year": str(born.year),
        }
    return data


def test_a_young_person_added_while_logging_has_their_names_cleaned(world, client):
    client.force_login(world.users["sw"])
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(
        reverse("cases:concern-log"),
        _concern(day, **_new_person(given=" Kai\u00a0 Lee ", family="New\tperson")),
    )
    assert response.status_code == 302, response.content.decode()
    assert YoungPerson.objects.filter(given_name="Kai Lee", family_name="New person").exists()


@pytest.mark.parametrize("days", [0, 1, 365])
def test_a_young_person_added_while_logging_cannot_be_born_today_or_later(world, client, days):
    client.force_login(world.users["sw"])
    before = Concern.objects.count()
    born = timezone.localdate() + timedelta(days=days)
    response = client.post(
        reverse("cases:concern-log"),
        _concern(timezone.localdate() - timedelta(days=1), **_new_person(born=born)),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Date of birth must be in the past" in page
    assert 'href="#id_people-0-new_date_of_birth_day"' in page
    assert Concern.objects.count() == before


def test_a_young_person_born_after_the_concern_is_a_warning_at_their_date_of_birth(world, client):
    client.force_login(world.users["sw"])
    before = Concern.objects.count()
    today = timezone.localdate()
    occurred, born = today - timedelta(days=30), today - timedelta(days=10)
    response = client.post(
        reverse("cases:concern-log"), _concern(occurred, **_new_person(born=born))
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"after the day the concern happened ({occurred.day} {occurred:%B %Y})" in page
    assert 'href="#id_people-0-new_date_of_birth_day"' in page
    assert 'value="Newperson"' in page  # what was typed is kept
    assert 'name="born_after_confirmed"' in page  # the tick is offered
    assert Concern.objects.count() == before

    # Having checked both dates, the user ticks "The dates are right": logged as typed.
    confirmed = client.post(
        reverse("cases:concern-log"),
        _concern(occurred, **_new_person(born=born), born_after_confirmed="on"),
    )
    assert confirmed.status_code == 302
    assert Concern.objects.count() == before + 1
    assert YoungPerson.objects.get(family_name="Newperson").date_of_birth == born


def test_the_tick_is_not_offered_when_the_dates_are_in_order(world, client):
    client.force_login(world.users["sw"])
    page = client.get(reverse("cases:concern-log")).content.decode()
    assert 'name="born_after_confirmed"' not in page


def test_a_known_young_person_born_after_the_concern_is_a_warning_at_the_pick(world, client):
    own = world.records["cases.youngperson"]["own"]
    YoungPerson.objects.filter(pk=own.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=5)
    )
    client.force_login(world.users["sw"])
    before = Concern.objects.count()
    occurred = timezone.localdate() - timedelta(days=30)
    response = client.post(
        reverse("cases:concern-log"),
        _concern(occurred, **{"people-0-young_person": str(own.pk)}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "after the day the concern happened" in page
    assert 'href="#id_people-0-young_person"' in page
    assert Concern.objects.count() == before


def test_the_service_warns_too_unless_confirmed(world):
    from cases.concerns.services import NewYoungPerson, concern_log

    def log(**kw):
        return concern_log(
            logged_by=world.users["sw"],
            occurred_at=timezone.now() - timedelta(days=30),
            narrative="Seen.",
            harm_categories=[HarmCategory.objects.get(slug="cce")],
            source="police",
            reliability="reliable",
            new_young_people=[
                NewYoungPerson(
                    given_name="Kai",
                    family_name="Lee",
                    part="at_risk",
                    date_of_birth=timezone.localdate() - timedelta(days=1),
                )
            ],
            **kw,
        )

    with pytest.raises(ApplicationError) as refused:
        log()
    assert "after the day the concern happened" in refused.value.message_dict["young_people"][0]
    assert log(born_after_confirmed=True).involvements.count() == 1


# --- the admin --------------------------------------------------------------------------------


def test_the_admin_refuses_a_date_of_birth_in_the_future(world):
    person = YoungPerson(
        authority=world.records["accounts.organisation"]["la"],
        given_name="Kai",
        date_of_birth=timezone.localdate() + timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        person.full_clean(exclude=["subject"])
    assert refused.value.message_dict["date_of_birth"] == ["Date of birth must be in the past"]


def test_a_young_person_added_while_logging_may_have_one_name(world, client):
    client.force_login(world.users["sw"])
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(
        reverse("cases:concern-log"), _concern(day, **_new_person(given="Zephyra", family=""))
    )
    assert response.status_code == 302, response.content.decode()
    assert YoungPerson.objects.get(given_name="Zephyra").family_name == ""
    response = client.post(
        reverse("cases:concern-log"), _concern(day, **_new_person(given="", family="Okoro"))
    )
    assert response.status_code == 200
    assert "Enter their first name" in response.content.decode()
