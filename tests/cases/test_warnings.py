"""Warning notes: proposing, authorising or declining, reviewing and ending (who may do each),
the forms' errors, the banner on every kind of subject page, the chronology, and the team
manager's lists (their query counts do not grow with rows)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import WarningNote, WarningNoteEvent
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from tests.conftest import make_user
from tests.factories import YoungPersonFactory
from tests.subject_pages import SUBJECT_PAGES, queries

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

BANNER = 'aria-labelledby="warning-notes-banner-title"'


def _today():
    return timezone.localdate()


def _yp(world, name="own"):
    return world.records["cases.youngperson"][name]


def _propose(world, *, by="sw", subject=None, **kwargs) -> WarningNote:
    subject = subject or _yp(world).subject
    values = {
        "category": WarningNote.Category.LONE_WORKING,
        "summary": "Older brother threatened a worker at the door: visit in pairs.",
        "review_on": _today() + timedelta(days=90),
        "told": WarningNote.Told.NO_RISK,
    } | kwargs
    user = world.users[by] if isinstance(by, str) else by
    return services.warning_propose(subject=subject, proposed_by=user, **values)


def _errors(call, *args, **kwargs) -> dict:
    with pytest.raises(ApplicationError) as raised:
        call(*args, **kwargs)
    error = raised.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def _manager(world, name, team="t1") -> User:
    org = world.records["accounts.organisation"]["la"]
    return make_user(name, User.Role.TEAM_MANAGER, org, world.records["accounts.team"][team])


def _authorised(world, **kwargs) -> WarningNote:
    return services.warning_authorise(warning=_propose(world, **kwargs), by=world.users["tm"])


# --- propose ---------------------------------------------------------------------------------


def test_a_worker_proposes_a_warning_that_waits_for_authorisation(world):
    warning = _propose(world, summary="  Dog at the address,\n kept loose.  ")
    assert warning.status == WarningNote.Status.PROPOSED
    assert warning.summary == "Dog at the address, kept loose."
    assert warning.proposed_by == world.users["sw"]
    assert not warning.in_force
    (event,) = warning.events.all()
    assert (event.kind, event.by, event.review_on) == (
        "proposed",
        world.users["sw"],
        warning.review_on,
    )


def test_propose_refuses_every_problem_at_once_and_writes_nothing(world):
    before = WarningNote.objects.count(), WarningNoteEvent.objects.count()
    errors = _errors(
        _propose,
        world,
        category="gang",
        summary="   ",
        review_on=_today(),
        told="maybe",
    )
    assert errors == {
        "category": ["Choose the kind of warning."],
        "summary": ["Enter a summary of the warning."],
        "review_on": ["The review date must be in the future."],
        "told": ["Say whether they were told of the warning."],
    }
    assert "review_on" in _errors(_propose, world, review_on=_today() - timedelta(days=1))
    assert _errors(_propose, world, review_on=None) == {"review_on": ["Enter the review date."]}
    assert (
        "put the details in a case note"
        in _errors(_propose, world, summary="x" * 201)["summary"][0]
    )
    # "Does not apply" is for places and groups, never a young person.
    assert "told" in _errors(_propose, world, told=WarningNote.Told.NOT_APPLICABLE)
    place = world.records["contexts.context"]["team"].subject
    _propose(world, subject=place, told=WarningNote.Told.NOT_APPLICABLE)
    assert WarningNote.objects.count() == before[0] + 1
    assert WarningNoteEvent.objects.count() == before[1] + 1


def test_who_may_propose(world):
    # Senior managers read, partners and administrators do no casework: refused outright.
    for name in ("sm", "partner", "admin"):
        with pytest.raises(NotAllowed):
            _propose(world, by=name)
    # A worker proposes on what they may change: their own young person, not a colleague's
    # (which they read) nor another team's.
    for name in ("team", "other"):
        with pytest.raises(RecordNotFound):
            _propose(world, subject=_yp(world, name).subject)
    # A team manager proposes on their team's young people.
    assert (
        _propose(world, by="tm", subject=_yp(world, "team").subject).proposed_by
        == (world.users["tm"])
    )


# --- authorise and decline -------------------------------------------------------------------


def test_the_team_manager_authorises_and_the_warning_is_in_force(world):
    warning = _propose(world)
    new_date = _today() + timedelta(days=60)
    warning = services.warning_authorise(
        warning=warning, by=world.users["tm"], review_on=new_date, note="Agreed."
    )
    warning.refresh_from_db()
    assert warning.in_force and warning.decided_by == world.users["tm"]
    assert warning.review_on == new_date
    assert [e.kind for e in warning.events.order_by("at", "pk")] == ["proposed", "authorised"]
    # Once decided, it is not decided again.
    other_manager = _manager(world, "tm_b")
    assert _errors(services.warning_authorise, warning=warning, by=other_manager)
    assert _errors(services.warning_decline, warning=warning, by=other_manager, reason="No")


def test_who_may_authorise(world):
    warning = _propose(world)
    # A social worker proposes, never authorises (not even the allocated worker).
    for name in ("sw", "sw2"):
        with pytest.raises(NotAllowed):
            services.warning_authorise(warning=warning, by=world.users[name])
        with pytest.raises(NotAllowed):
            services.warning_decline(warning=warning, by=world.users[name], reason="No")
    with pytest.raises(NotAllowed):
        services.warning_authorise(warning=warning, by=world.users["sm"])
    # A team manager of another team finds no such warning.
    with pytest.raises(RecordNotFound):
        services.warning_authorise(warning=warning, by=_manager(world, "tm_two", "t2"))
    with pytest.raises(RecordNotFound):
        services.warning_decline(warning=warning, by=_manager(world, "tm_two_b", "t2"), reason="x")
    warning.refresh_from_db()
    assert warning.status == WarningNote.Status.PROPOSED


def test_the_manager_who_proposed_does_not_authorise_it(world):
    warning = _propose(world, by="tm")
    errors = _errors(services.warning_authorise, warning=warning, by=world.users["tm"])
    assert "another team manager" in errors["__all__"][0]
    # Another manager of the team does.
    assert services.warning_authorise(warning=warning, by=_manager(world, "tm_b")).in_force


def test_authorising_needs_a_review_date_still_in_the_future(world):
    warning = _propose(world)
    WarningNote.objects.filter(pk=warning.pk).update(review_on=_today())
    errors = _errors(services.warning_authorise, warning=warning, by=world.users["tm"])
    assert errors == {"review_on": ["The review date must be in the future."]}
    later = _today() + timedelta(days=7)
    assert services.warning_authorise(warning=warning, by=world.users["tm"], review_on=later)


def test_decline_needs_a_reason_and_keeps_the_warning(world):
    warning = _propose(world)
    assert _errors(services.warning_decline, warning=warning, by=world.users["tm"], reason=" ")
    services.warning_decline(warning=warning, by=world.users["tm"], reason="Not a risk now.")
    warning.refresh_from_db()
    assert warning.status == WarningNote.Status.DECLINED
    assert warning.decline_reason == "Not a risk now."
    assert not warning.in_force


# --- review and end --------------------------------------------------------------------------


def test_review_keeps_it_with_a_new_date_and_why(world):
    warning = _authorised(world)
    errors = _errors(
        services.warning_review, warning=warning, by=world.users["tm"], review_on=_today(), note=""
    )
    assert set(errors) == {"review_on", "note"}
    later = _today() + timedelta(days=120)
    services.warning_review(
        warning=warning, by=world.users["tm"], review_on=later, note="Brother still at home."
    )
    warning.refresh_from_db()
    assert warning.review_on == later and warning.in_force
    assert warning.events.filter(kind="reviewed", note="Brother still at home.").exists()
    with pytest.raises(NotAllowed):
        services.warning_review(warning=warning, by=world.users["sw"], review_on=later, note="x")


def test_end_needs_a_reason_and_the_warning_stays(world):
    warning = _authorised(world)
    with pytest.raises(NotAllowed):
        services.warning_end(warning=warning, by=world.users["sw"], reason="Moved away")
    with pytest.raises(RecordNotFound):
        services.warning_end(warning=warning, by=_manager(world, "tm_two", "t2"), reason="x")
    assert _errors(services.warning_end, warning=warning, by=world.users["tm"], reason="")
    services.warning_end(warning=warning, by=world.users["tm"], reason="Brother moved away.")
    warning.refresh_from_db()
    assert warning.status == WarningNote.Status.ENDED and warning.ended_at is not None
    assert [e.kind for e in warning.events.order_by("at", "pk")] == [
        "proposed",
        "authorised",
        "ended",
    ]
    # Ended is ended: no review, no second end; a proposal cannot be "ended".
    assert _errors(services.warning_end, warning=warning, by=world.users["tm"], reason="again")
    assert _errors(services.warning_end, warning=_propose(world), by=world.users["tm"], reason="x")


# --- the subject pages -----------------------------------------------------------------------


@pytest.mark.parametrize("pages", SUBJECT_PAGES, ids=str)
def test_the_banner_shows_an_authorised_warning_on_every_kind_of_subject(world, client, pages):
    record = pages.record(world)
    warning = _propose(
        world,
        by="tm",
        subject=record.subject,
        told=WarningNote.Told.YES,
        summary="Unsafe stairwell at night: visit in daylight.",
    )
    client.force_login(world.users["sw"])
    page = client.get(pages.detail_url(record)).content.decode()
    assert BANNER not in page  # proposed: not yet
    assert "Unsafe stairwell at night" in page  # listed in the section, waiting
    services.warning_authorise(warning=warning, by=_manager(world, "tm_b"))
    page = client.get(pages.detail_url(record)).content.decode()
    assert BANNER in page
    banner = page[page.index("govuk-notification-banner") : page.index("govuk-caption-l")]
    assert "Unsafe stairwell at night" in banner
    assert "Risk to staff: do not visit alone" in banner
    # The banner comes before the page's heading.
    assert page.index(BANNER) < page.index("<h1")
    services.warning_end(warning=warning, by=world.users["tm"], reason="Lights mended.")
    assert BANNER not in client.get(pages.detail_url(record)).content.decode()


def test_declined_warnings_never_show_as_a_banner_and_partners_see_none(world, client):
    place = world.records["contexts.context"]["team"]
    warning = _propose(world, subject=place.subject, told="not_applicable", summary="Quiet alley.")
    services.warning_decline(warning=warning, by=world.users["tm"], reason="Not needed.")
    authorised = _authorised(world, subject=place.subject, told="not_applicable", summary="Dogs.")
    assert authorised.in_force
    client.force_login(world.users["sw"])
    page = client.get(reverse("contexts:context", args=[place.pk])).content.decode()
    banner = page[page.index(BANNER) : page.index("govuk-caption-l")]
    assert "Dogs." in banner and "Quiet alley." not in banner
    # A partner agency that guards the place opens its page, and reads no warning.
    client.force_login(world.users["partner"])
    page = client.get(reverse("contexts:context", args=[place.pk])).content.decode()
    assert BANNER not in page and "Dogs." not in page
    assert 'id="warning-notes"' not in page  # nor the section, empty or not


def test_only_the_teams_manager_is_offered_authorisation(world, client):
    warning = _propose(world)
    url = reverse("cases:young-person", args=[_yp(world).pk])
    decide = reverse("cases:warning-decide", args=[warning.pk])
    client.force_login(world.users["sw"])
    page = client.get(url).content.decode()
    assert decide not in page
    assert reverse("cases:warning-propose", args=[_yp(world).reference]) in page
    assert client.get(decide).status_code == 404
    client.force_login(world.users["tm"])
    assert decide in client.get(url).content.decode()
    assert client.get(decide).status_code == 200
    client.force_login(_manager(world, "tm_two", "t2"))
    assert client.get(decide).status_code == 404


def test_the_warnings_history_is_in_the_chronology(world, client):
    warning = _propose(world, summary="Knife seen in his bag.", category="weapons")
    services.warning_authorise(warning=warning, by=world.users["tm"])
    client.force_login(world.users["sw"])
    from tests.subject_pages import YOUNG_PERSON

    entries = YOUNG_PERSON.chronology(client, _yp(world), type="warning")
    mine = [e for e in entries if e.obj.warning_id == warning.pk]
    assert [e.obj.kind for e in mine] == ["authorised", "proposed"]  # newest first
    assert "Weapons" in mine[0].title and "Knife seen in his bag." in mine[1].detail


def test_the_subject_page_queries_do_not_grow_with_warnings(world, client):
    record = _yp(world)
    url = reverse("cases:young-person", args=[record.pk])
    client.force_login(world.users["tm"])
    _authorised(world, by="sw")
    few = queries(client, url)
    for i in range(8):
        _authorised(world, summary=f"Warning {i}")
        _propose(world, summary=f"Waiting {i}")
    assert queries(client, url) == few


# --- the forms -------------------------------------------------------------------------------


def test_the_propose_form_says_what_is_wrong_at_each_field_and_keeps_what_was_typed(world, client):
    client.force_login(world.users["sw"])
    url = reverse("cases:warning-propose", args=[_yp(world).reference])
    page = client.get(url).content.decode()
    assert "Does not apply" not in page  # a young person: they or their family are told or not
    response = client.post(url, {"summary": "Shouts at visitors", "review_on_day": "1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "category": ["Choose the kind of warning"],
        "review_on": ["The date must include a day, month and year"],
        "told": ["Say whether they were told of the warning"],
    }
    page = response.content.decode()
    assert "Shouts at visitors" in page and "govuk-error-summary" in page
    response = client.post(
        url,
        {
            "category": "risk_to_staff",
            "summary": "x" * 201,
            "review_on_day": "1",
            "review_on_month": "1",
            "review_on_year": str(_today().year - 1),
            "told": "yes",
        },
    )
    assert response.context["form"].errors == {
        "summary": ["The summary must be 200 characters or fewer"],
        "review_on": ["The review date must be in the future"],
    }
    later = _today() + timedelta(days=30)
    response = client.post(
        url,
        {
            "category": "risk_to_staff",
            "summary": "Shouts at visitors",
            "review_on_day": later.day,
            "review_on_month": later.month,
            "review_on_year": later.year,
            "told": "yes",
        },
    )
    assert response.status_code == 302
    assert WarningNote.objects.filter(summary="Shouts at visitors", status="proposed").exists()


def test_the_decision_form(world, client):
    warning = _propose(world)
    client.force_login(world.users["tm"])
    url = reverse("cases:warning-decide", args=[warning.pk])
    response = client.post(url, {"decision": "decline", "reason": ""})
    assert response.context["form"].errors == {"reason": ["Say why the warning note is declined"]}
    response = client.post(url, {"decision": "authorise", "review_on_day": ""})
    assert response.context["form"].errors == {"review_on": ["Enter the review date"]}
    later = _today() + timedelta(days=10)
    response = client.post(
        url,
        {
            "decision": "authorise",
            "review_on_day": later.day,
            "review_on_month": later.month,
            "review_on_year": later.year,
        },
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.in_force and warning.review_on == later
    # Decided: the page is gone; the review page is there.
    assert client.get(url).status_code == 404
    review = reverse("cases:warning-review", args=[warning.pk])
    response = client.post(review, {"decision": "keep", "note": ""})
    assert set(response.context["form"].errors) == {"review_on", "note"}
    response = client.post(review, {"decision": "end", "reason": "Family moved out of borough."})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == "ended" and warning.end_reason == "Family moved out of borough."


def test_a_service_refusal_shows_on_the_form(world, client):
    warning = _propose(world, by="tm")
    client.force_login(world.users["tm"])
    response = client.post(
        reverse("cases:warning-decide", args=[warning.pk]),
        {"decision": "decline", "reason": "Changed my mind"},
    )
    assert response.status_code == 200
    assert "another team manager" in response.content.decode()


# --- the team manager's lists ----------------------------------------------------------------


def test_the_lists_hold_the_teams_warnings_waiting_and_due(world, client):
    tm = world.users["tm"]
    waiting_before = set(selectors.warnings_awaiting_authorisation(tm))
    mine = _propose(world)
    soon = _authorised(world, review_on=_today() + timedelta(days=5))
    later = _authorised(world, review_on=_today() + timedelta(days=80))
    overdue = _authorised(world)
    WarningNote.objects.filter(pk=overdue.pk).update(review_on=_today() - timedelta(days=3))
    elsewhere = _propose(world, by="sw3", subject=_yp(world, "other").subject)
    waiting = set(selectors.warnings_awaiting_authorisation(tm)) - waiting_before
    assert waiting == {mine}
    assert list(selectors.warnings_due_for_review(tm)) == [overdue, soon]
    assert later in selectors.warnings_due_for_review(tm, within_days=90)
    # Another team's manager sees their own team's only; a worker, nothing.
    tm_two = _manager(world, "tm_two", "t2")
    assert elsewhere in selectors.warnings_awaiting_authorisation(tm_two)
    assert mine not in selectors.warnings_awaiting_authorisation(tm_two)
    assert not selectors.warnings_due_for_review(world.users["sw"]).exists()

    client.force_login(tm)
    page = client.get(reverse("cases:warnings")).content.decode()
    assert reverse("cases:warning-decide", args=[mine.pk]) in page
    assert reverse("cases:warning-review", args=[overdue.pk]) in page
    assert reverse("cases:warning-review", args=[later.pk]) not in page
    assert "Overdue" in page
    page = client.get(reverse("cases:warnings") + "?within=90").content.decode()
    assert reverse("cases:warning-review", args=[later.pk]) in page
    # Odd windows fall back to the default, never an error.
    assert client.get(reverse("cases:warnings") + "?within=abc").status_code == 200
    for name in ("sw", "sm", "partner", "admin"):
        client.force_login(world.users[name])
        assert client.get(reverse("cases:warnings")).status_code == 404


def test_the_list_is_in_the_navigation_of_team_managers_only(world, client):
    client.force_login(world.users["tm"])
    assert reverse("cases:warnings") in client.get(reverse("home")).content.decode()
    client.force_login(world.users["sw"])
    assert reverse("cases:warnings") not in client.get(reverse("home")).content.decode()


def test_the_lists_queries_do_not_grow_with_rows(world, client):
    la, t1 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t1"]
    client.force_login(world.users["tm"])
    url = reverse("cases:warnings") + "?within=90"

    def add(n, start):
        for i in range(start, start + n):
            yp = YoungPersonFactory(
                authority=la, given_name=f"Warned{i}", case__team=t1, case__worker=world.users["sw"]
            )
            _authorised(world, subject=yp.subject, review_on=_today() + timedelta(days=3))
            _propose(world, subject=yp.subject, summary=f"Waiting {i}")

    add(2, 0)
    few = queries(client, url)
    add(12, 2)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) == few
    assert len(response.context["due"].object_list) >= 14
