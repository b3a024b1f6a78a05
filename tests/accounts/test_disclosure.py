"""No council-only field reaches a partner agency (safeguarding/accounts/disclosure.py).

A unique marker is planted in every text field of every record of the test world that is not
listed in ``disclosure.PARTNER_READS``. Then, as each partner agency (its people signed in, its
API tokens), every route of the URL conf is requested with the ids of every record (pages,
CSV exports, API endpoints), and every notification sent to a partner is rendered (email body,
webhook payload): no marker may appear. A route added to the URL conf without an entry in
:data:`ROUTES` fails the test, so new pages are covered as they are added.
"""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, models, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import (
    Action,
    AgendaItem,
    Assessment,
    Case,
    CaseNote,
    Concern,
    Document,
    Goal,
    HarmCategory,
    Measure,
    Meeting,
    Plan,
    PlanReview,
    Referral,
    ReferralSubject,
    TransferRequest,
    WarningNote,
    YoungPerson,
)
from contexts.models import Context
from peers.models import PeerGroup, PeerGroupMembership, Relationship
from safeguarding.accounts import disclosure
from safeguarding.accounts.models import User
from safeguarding.api import services as api_services
from safeguarding.notifications import delivery, webhooks
from safeguarding.notifications.models import Notification
from safeguarding.notifications.services import EVENT_TYPES
from safeguarding.pickers import PICKERS
from safeguarding.retention.models import LegalHold, RetentionReview, RetentionRule
from safeguarding.subject_access.models import SubjectAccessRequest
from safeguarding.subjects.models import Subject

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

#: Apps whose records hold case content or what surrounds it.
PLANTED_APPS = ("accounts", "subjects", "cases", "contexts", "peers", "notifications", "approvals")
#: Text fields that are not content: credentials, machinery and the webhook secret (encrypted,
#: tested in tests/notifications/test_secret_encryption.py). Each says why it is not planted.
NOT_PLANTED = {
    ("accounts.user", "password"): "a hash; never rendered",
    ("accounts.user", "username"): "the partner signs in with it",
    ("notifications.channel", "secret"): "must stay a valid signing secret",
    ("notifications.channel", "previous_secret"): "must stay a valid signing secret",
}

MARKER = re.compile(r"ZQX[0-9]{3}")


def _text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and not disclosure.partner_may_read(model, field.name)
            and (model._meta.label_lower, field.name) not in NOT_PLANTED
        ):
            yield field


def plant_markers() -> dict[str, str]:
    """A unique marker in every council-only text field of every row; marker -> where."""
    from django.apps import apps

    planted, n = {}, 0
    for model in apps.get_models():
        if model._meta.app_label not in PLANTED_APPS:
            continue
        fields = list(_text_fields(model))
        if not fields:
            continue
        for pk in model._default_manager.values_list("pk", flat=True):
            changes = {}
            for field in fields:
                n += 1
                marker = f"ZQX{n:03d}"
                assert field.max_length is None or field.max_length >= len(marker)
                changes[field.name] = marker
                planted[marker] = f"{model._meta.label_lower}.{field.name} of #{pk}"
            rows = model._default_manager.filter(pk=pk)
            try:
                with transaction.atomic():
                    rows.update(**changes)
            except IntegrityError:
                # A field that must stay blank on this row (a webhook notification has no
                # email address): planted one by one, those kept blank.
                for name, marker in changes.items():
                    try:
                        with transaction.atomic():
                            rows.update(**{name: marker})
                    except IntegrityError:
                        del planted[marker]
    assert n < 1000, "markers are three digits"
    return planted


# --- every route of the URL conf -----------------------------------------------------------


def url_routes() -> dict[str, URLPattern]:
    """Every named URL pattern, by its name with namespaces (``cases:referral``)."""
    found = {}

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, ":".join(filter(None, [namespace, entry.namespace])))
            elif isinstance(entry, URLPattern):
                if namespace == "admin" and not entry.name:
                    continue  # the admin's redirects to its named pages
                assert entry.name, f"URL pattern {entry.pattern} has no name: name it"
                found[f"{namespace}:{entry.name}" if namespace else entry.name] = entry

    walk(get_resolver().url_patterns, "")
    return found


def _pks(model):
    return lambda w: [{"pk": pk} for pk in model.objects.values_list("pk", flat=True)]


def _none(w):
    return [{}]


def _subject_references(w):
    return [{"reference": ref} for ref in Subject.objects.values_list("reference", flat=True)]


def _assessment_sections(w):
    return [
        {"pk": a.pk, "section": section.key}
        for a in Assessment.objects.all()
        for section in a.definition.sections
    ]


def _plan_goals(w):
    return [{"pk": plan, "goal": goal} for goal, plan in Goal.objects.values_list("pk", "plan_id")]


def _document_references(w):
    return [{"reference": ref} for ref in Document.objects.values_list("reference", flat=True)]


def _referral_references(w):
    return [{"reference": ref} for ref in Referral.objects.values_list("reference", flat=True)]


def _memberships(w):
    return [
        {"pk": group, "membership_pk": pk}
        for pk, group in PeerGroupMembership.objects.values_list("pk", "peer_group_id")
    ]


def _aliases(w):
    from cases.models import Alias

    return [
        {"pk": yp, "alias_pk": pk} for pk, yp in Alias.objects.values_list("pk", "young_person_id")
    ]


def _guardians(w):
    from contexts.models import ContextGuardian

    return [
        {"pk": place, "guardian_pk": pk}
        for pk, place in ContextGuardian.objects.values_list("pk", "context_id")
    ]


def _relationships(w):
    groups = list(PeerGroup.objects.values_list("pk", flat=True))
    return [
        {"pk": group, "relationship_pk": pk}
        for pk in Relationship.objects.values_list("pk", flat=True)
        for group in groups
    ]


def _channels(w):
    from safeguarding.notifications.models import Channel

    return [{"pk": pk} for pk in Channel.objects.values_list("pk", flat=True)]


def _named(w):
    """Every young person with every user: the un-name page of each."""
    return [
        {"pk": pk, "user_pk": user_pk}
        for pk in YoungPerson.objects.values_list("pk", flat=True)
        for user_pk in User.objects.values_list("pk", flat=True)
    ]


def _reset_links(w):
    """A reset link of each user (the partner's page then shows the form or "link expired")."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return [
        {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token}
        for user in User.objects.all()
        for token in (default_token_generator.make_token(user), "set-password")
    ]


def _plan_pks(w):
    from cases.models import Plan

    return [{"pk": pk} for pk in Plan.objects.values_list("pk", flat=True)]


def _plan_actions(w):
    """Every action under every plan (its own and the others: those are 404s)."""
    from cases.models import Plan

    plans = list(Plan.objects.values_list("pk", flat=True))
    return [
        {"pk": plan, "action_id": action}
        for action in Action.objects.filter(plan__isnull=False).values_list("pk", flat=True)
        for plan in plans
    ]


def _plan_measures(w):
    from cases.models import Measure

    return [
        {"pk": plan, "measure_id": pk}
        for pk, plan in Measure.objects.values_list("pk", "goal__plan_id")
    ]


#: Every route: (the arguments to fill in, query strings to add, staff only). Staff-only routes
#: must answer a partner with 404 (or, for POST-only ones, 405; the admin sends them to its
#: sign-in). A partner-reachable route must show no marker.
STAFF, PARTNER = True, False
ROUTES = {
    "home": (_none, [""], PARTNER),
    "healthz": (_none, [""], PARTNER),
    # Partners do not search (visibility.searches): a 404, like the other pages they cannot use.
    "search": (_none, ["", "?q=Test", "?q=place", "?q=ZQX", "?q=2010-01-01"], STAFF),
    "pick": (lambda w: [{"slug": slug} for slug in PICKERS], [""], PARTNER),  # POST: see below
    "login": (_none, [""], PARTNER),
    "logout": (_none, [""], PARTNER),
    # Signing in and passwords: partners sign in like staff.
    "accounts:mfa-enrol": (_none, [""], PARTNER),
    "accounts:mfa-verify": (_none, [""], PARTNER),
    "accounts:mfa-recovery": (_none, [""], PARTNER),
    "accounts:security": (_none, [""], PARTNER),
    "accounts:recovery-codes-new": (_none, [""], PARTNER),
    "password_change": (_none, [""], PARTNER),
    "password_change_done": (_none, [""], PARTNER),
    "password_reset": (_none, [""], PARTNER),
    "password_reset_done": (_none, [""], PARTNER),
    "password_reset_confirm": (_reset_links, [""], PARTNER),
    "password_reset_complete": (_none, [""], PARTNER),
    "cases:young-person": (_pks(YoungPerson), [""], STAFF),
    "cases:young-person-edit": (_pks(YoungPerson), [""], STAFF),
    "cases:young-person-named": (_pks(YoungPerson), [""], STAFF),
    "cases:alias-add": (_pks(YoungPerson), [""], STAFF),
    "cases:alias-end": (_aliases, [""], STAFF),
    "cases:young-person-unname": (_named, [""], STAFF),
    "cases:case": (_pks(Case), [""], STAFF),
    "cases:case-allocate": (_pks(Case), [""], STAFF),
    "cases:case-transfer": (_pks(Case), ["", "?from=case"], STAFF),
    "cases:case-risk": (_pks(Case), [""], STAFF),
    "cases:case-close": (_pks(Case), [""], STAFF),
    "cases:case-sign-off": (_pks(Case), [""], STAFF),
    "cases:case-reopen": (_pks(Case), [""], STAFF),
    "cases:case-open": (_subject_references, [""], STAFF),
    "cases:team": (_none, [""], STAFF),
    "cases:themes": (_none, ["", "?export=referrals-by-decision"], STAFF),
    "cases:triage": (_none, [""], STAFF),
    "cases:triage-decide": (_pks(Referral), [""], STAFF),
    "cases:triage-screening": (_pks(Referral), [""], STAFF),
    "cases:team-worker": (_pks(User), [""], STAFF),
    "cases:transfer": (_pks(TransferRequest), [""], STAFF),
    "cases:transfer-withdraw": (_pks(TransferRequest), [""], STAFF),
    "cases:concern-log": (_none, ["", "?context=1"], STAFF),
    "cases:concern": (_pks(Concern), [""], STAFF),
    "cases:referral": (_pks(Referral), [""], PARTNER),
    # Partners make referrals in the browser; the confirmation is the maker's only.
    "cases:referral-new": (_none, [""], PARTNER),
    "cases:referral-sent": (_pks(Referral), [""], PARTNER),
    "cases:action-add": (_subject_references, [""], STAFF),
    # A partner records progress on its organisation's actions.
    "cases:action-progress": (_pks(Action), [""], PARTNER),
    "cases:case-note-add": (_subject_references, ["", "?kind=visit&from=my-work"], STAFF),
    "cases:case-note": (_pks(CaseNote), [""], STAFF),
    "cases:case-note-strike": (_pks(CaseNote), [""], STAFF),
    "cases:document-add": (_subject_references, [""], STAFF),
    "cases:document": (_document_references, [""], STAFF),
    "cases:warning-propose": (_subject_references, [""], STAFF),
    # Assessments: a partner opens the approved assessment of a place it guards (its summary
    # for partners) and its own school's (Test Academy's, whole); it starts none of these
    # (the world's places are parks, not schools) and decides none.
    "assessments:start": (_subject_references, [""], STAFF),
    "assessments:help": (_none, [""], PARTNER),
    "assessments:assessment": (_pks(Assessment), [""], PARTNER),
    "assessments:print": (_pks(Assessment), [""], PARTNER),
    "assessments:section": (_assessment_sections, [""], PARTNER),
    "assessments:evidence": (_pks(Assessment), [""], PARTNER),
    "assessments:submit": (_pks(Assessment), [""], PARTNER),
    "assessments:decision": (_pks(Assessment), [""], STAFF),
    # Meetings: a partner opens the list, the meetings it is invited to and the report form;
    # every other step is the council's.
    "meetings:list": (_none, ["", "?kind=mace"], PARTNER),
    "meetings:schedule": (
        lambda w: [{"kind": kind} for kind in Meeting.Kind.values],
        [""],
        STAFF,
    ),
    "meetings:meeting": (_pks(Meeting), [""], PARTNER),
    "meetings:report": (_pks(Meeting), [""], PARTNER),
    **{
        f"meetings:{name}": (_pks(Meeting), [""], STAFF)
        for name in (
            "change",
            "cancel",
            "invite",
            "hold",
            "agenda-add",
            "decision-add",
            "action-add",
            "minutes",
            "minutes-approve",
            "minutes-circulate",
            "icpc",
        )
    },
    "meetings:agenda-item": (
        lambda w: [
            {"pk": meeting, "item": item}
            for item, meeting in AgendaItem.objects.values_list("pk", "meeting_id")
        ],
        [""],
        STAFF,
    ),
    # Plans: a partner opens the plans that ask its organisation for something (team one's
    # place plan: its measure and its action), and records its measure's values; it starts,
    # changes, reviews and ends none.
    "plans:start": (_subject_references, [""], STAFF),
    "plans:plan": (_pks(Plan), [""], PARTNER),
    "plans:activate": (_pks(Plan), [""], STAFF),  # POST only: 405
    "plans:goal-add": (_pks(Plan), [""], STAFF),
    "plans:measure-add": (_plan_goals, [""], STAFF),
    "plans:action-add": (_pks(Plan), [""], STAFF),
    "plans:safety": (_pks(Plan), [""], STAFF),
    "plans:link": (_pks(Plan), [""], STAFF),
    "plans:review-add": (_pks(Plan), [""], STAFF),
    "plans:review": (_pks(PlanReview), [""], STAFF),
    "plans:end": (_pks(Plan), [""], STAFF),
    "plans:decision": (_pks(Plan), [""], STAFF),
    "plans:measure-value": (_pks(Measure), [""], PARTNER),
    "cases:warnings": (_none, ["", "?within=90"], STAFF),
    "cases:warning-decide": (_pks(WarningNote), [""], STAFF),
    "cases:warning-review": (_pks(WarningNote), [""], STAFF),
    "contexts:hotspots": (_none, ["", "?export=places"], STAFF),
    "contexts:context": (_pks(Context), ["", "?type=referral", "?page=2"], PARTNER),
    "contexts:context-edit": (_pks(Context), [""], STAFF),
    "contexts:guardian-add": (_pks(Context), [""], STAFF),
    "contexts:guardian-edit": (_guardians, [""], STAFF),
    "contexts:guardian-end": (_guardians, [""], STAFF),
    "peers:peer-groups": (_none, ["", "?page=2"], STAFF),
    "peers:peer-group-create": (_none, [""], STAFF),
    "peers:peer-group": (_pks(PeerGroup), [""], STAFF),
    "peers:peer-group-edit": (_pks(PeerGroup), [""], STAFF),
    "peers:membership-add": (_pks(PeerGroup), [""], STAFF),
    "peers:membership-end": (_memberships, [""], STAFF),
    "peers:relationship-add": (_pks(PeerGroup), [""], STAFF),
    "peers:relationship-remove": (_relationships, [""], STAFF),
    "notifications:log": (_none, [""], STAFF),
    "notifications:retry": (_pks(Notification), [""], STAFF),
    "notifications:retry-failed": (_none, [""], STAFF),
    # The data protection officer's pages.
    "dataprotection:home": (_none, [""], STAFF),
    "dataprotection:access": (_none, ["", "?q=Test"], STAFF),
    "dataprotection:unusual-access": (_none, [""], STAFF),
    "dataprotection:user-log": (_pks(User), [""], STAFF),
    "dataprotection:user-log-export": (_pks(User), [""], STAFF),
    "dataprotection:subject-log": (_subject_references, [""], STAFF),
    "dataprotection:subject-log-export": (_subject_references, [""], STAFF),
    **{
        f"subject_access:{name}": (_pks(SubjectAccessRequest), [""], STAFF)
        for name in (
            "request",
            "identity",
            "extend",
            "refuse",
            "compile",
            "bundle",
            "reviewed",
            "sent",
            "close",
            "pdf",
            "json",
        )
    },
    "subject_access:list": (_none, [""], STAFF),
    "retention:schedule": (_none, [""], STAFF),
    "cases:restrictions": (_none, [""], STAFF),
    "cases:restrictions-account": (_none, [""], STAFF),
    "cases:break-glass": (_none, [""], STAFF),
    "cases:young-person-restrict": (_pks(YoungPerson), [""], STAFF),
    "cases:restriction-review": (_pks(YoungPerson), [""], STAFF),
    "retention:due": (_none, [""], STAFF),
    "retention:holds": (_none, [""], STAFF),
    "retention:disposed": (_none, [""], STAFF),
    "retention:rule-change": (_pks(RetentionRule), [""], STAFF),
    "retention:review": (_pks(RetentionReview), [""], STAFF),
    "retention:dispose": (_pks(RetentionReview), [""], STAFF),
    "retention:hold-lift": (_pks(LegalHold), [""], STAFF),
    "subject_access:new": (_none, [""], STAFF),
    # The partner API.
    "api:schema": (_none, [""], PARTNER),
    "api:docs": (_none, [""], PARTNER),
    "api:redoc": (_none, [""], PARTNER),
    "api:problem": (lambda w: [{"slug": "not-found"}], [""], PARTNER),
    "api:not-found": (lambda w: [{}], [""], PARTNER),
    "api:referral-list": (_none, ["", "?status=decided", "?limit=100"], PARTNER),
    "api:referral-detail": (_referral_references, [""], PARTNER),
    "api:action-list": (_none, ["", "?limit=100"], PARTNER),
    "api:action-detail": (_pks(Action), [""], PARTNER),
    "api:meeting-list": (_none, ["", "?limit=100"], PARTNER),
    "api:meeting-detail": (_pks(Meeting), [""], PARTNER),
    # POST only (a GET is 405): a report is the partner's own text.
    "api:meeting-reports": (_pks(Meeting), [""], PARTNER),
    "api:plan-list": (_none, ["", "?status=active", "?limit=100"], PARTNER),
    "api:plan-detail": (_plan_pks, [""], PARTNER),
    "api:plan-action-detail": (_plan_actions, [""], PARTNER),
    "api:plan-measure-value-list": (_plan_measures, ["", "?limit=100"], PARTNER),
    "api:context-list": (_none, ["", "?name=Test", "?limit=100"], PARTNER),
    "api:harm-category-list": (_none, [""], PARTNER),
    "api:webhook-endpoint-list": (_none, [""], PARTNER),
    "api:webhook-endpoint-detail": (_channels, [""], PARTNER),
    "api:webhook-endpoint-rotate-secret": (_channels, [""], PARTNER),  # POST only: 405
    "api:event-type-list": (_none, [""], PARTNER),
}


def test_every_route_is_covered_or_declared_staff_only():
    """A new URL pattern must be added to ROUTES (with the ids it takes), so that the planted
    markers test renders it as a partner; the admin's own routes are staff-only as a whole."""
    routes = {name for name in url_routes() if not name.startswith("admin:")}
    missing = routes - set(ROUTES)
    assert not missing, f"Routes not covered by the disclosure test: {sorted(missing)}"
    assert not set(ROUTES) - routes, "ROUTES names a route that no longer exists"


def _partner_world(world):
    """The world, plus what a partner is told and shown about a place it guards: its
    referral about the place, decided with a reason; an action; a concern there."""
    w, u = world, world.users
    p1 = w.records["accounts.organisation"]["p1"]
    place = w.records["contexts.context"]["team"]
    # The police's webhook hears of every event.
    w.records["notifications.channel"]["p1"].event_types = list(EVENT_TYPES)
    w.records["notifications.channel"]["p1"].save()
    referral = Referral.objects.create(
        authority=w.records["accounts.organisation"]["la"],
        source_organisation=p1,
        referred_by=u["partner"],
        referrer_name="Test Referrer",
        narrative="Seen at the place",
        consent=Referral.Consent.NOT_SOUGHT,
        lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
    )
    ReferralSubject.objects.create(referral=referral, kind="context", subject=place.subject)
    case_services.referral_decide(
        referral=referral,
        decision=Referral.Decision.NO_FURTHER_ACTION,
        reason="The council's private reason",
        decided_by=u["tm"],
    )
    case_services.action_assign(
        subject=place.subject,
        description="Check the CCTV",
        due_on=date.today() + timedelta(days=3),
        assigned_by=u["tm"],
        owner_organisation=p1,
    )
    guardian = w.records["contexts.contextguardian"]["agency"]
    guardian.told_of_concerns = True
    guardian.save()
    case_services.concern_log(
        logged_by=u["sw"],
        occurred_at=place.created_at,
        narrative="A concern at the place",
        harm_categories=list(HarmCategory.objects.all()[:1]),
        source="police",
        reliability="reliable",
        location=place,
    )
    return referral


def _leaks(text: str, planted: dict[str, str]) -> list[str]:
    return [f"{m} ({planted.get(m, '?')})" for m in sorted(set(MARKER.findall(text)))]


@pytest.fixture
def planted(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _partner_world(world)
    return plant_markers()


def _partner_clients(world):
    """Each partner user signed in, and each partner organisation's API token."""
    from django.test import Client

    clients = {}
    for name in ("partner", "partner2"):
        client = Client()
        client.force_login(world.records["accounts.user"][name])
        clients[f"user {name}"] = client
    for org in ("p1", "p2"):
        issued = api_services.api_token_issue(
            organisation=world.records["accounts.organisation"][org],
            name=f"{org} case system",
            issued_by=world.users["admin"],
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        clients[f"token {org}"] = client
    return clients


def test_the_place_chronology_keeps_the_decision_reason_from_the_partner(world, client, planted):
    """The issue's example: the partner guarding a place opens it and sees its referral's
    decision in the chronology, but not the council's reason."""
    place = world.records["contexts.context"]["team"]
    referral = Referral.objects.get(about__subject=place.subject)
    reason = referral.decision_reason
    assert MARKER.fullmatch(reason)
    client.force_login(world.users["partner"])
    page = client.get(reverse("contexts:context", args=[place.pk])).content.decode()
    assert "Referral from Test Police: No further action" in page
    assert reason not in page
    # The team manager who decided reads the reason there (so the marker is really planted).
    client.force_login(world.users["tm"])
    assert reason in client.get(reverse("contexts:context", args=[place.pk])).content.decode()


def test_no_council_only_field_reaches_a_partner_on_any_route(world, planted):
    routes = url_routes()
    clients = _partner_clients(world)
    leaks, wrong_status, seen_ok = [], [], set()
    statuses: dict[int, int] = {}
    for name, (arguments, queries, staff_only) in ROUTES.items():
        for kwargs in arguments(world):
            path = reverse(name, kwargs=kwargs) if name != "api:not-found" else "/api/v1/nope/"
            for query in queries:
                for who, client in clients.items():
                    if who.startswith("token") and not path.startswith("/api/"):
                        continue
                    if name in ("pick", "search", "dataprotection:access"):
                        # Searched for by POST (what is typed stays out of addresses).
                        typed = query.removeprefix("?q=") or "Test"
                        response = client.post(path, data={"q": typed})
                    else:
                        response = client.get(path + query)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    body = b"".join(response) if response.streaming else response.content
                    found = _leaks(body.decode(errors="replace"), planted)
                    if found:
                        leaks.append(f"{who} GET {path}{query}: {found}")
                    if response.status_code == 200:
                        seen_ok.add(name)
                        if staff_only:
                            wrong_status.append(f"{who} GET {path}{query}: 200 on a staff page")
    print(f"{sum(statuses.values())} requests as partners, by status: {sorted(statuses.items())}")
    assert routes  # the URL conf was read
    assert not leaks, "Council-only text shown to a partner:\n" + "\n".join(leaks)
    assert not wrong_status, "\n".join(wrong_status)
    # The test reaches what partners do open (else it would prove nothing).
    assert {
        "home",
        "cases:referral-new",
        "cases:action-progress",
        "contexts:context",
        "assessments:assessment",
        "assessments:section",
        "plans:plan",
        "plans:measure-value",
        "cases:referral",
        "api:referral-detail",
        "api:action-detail",
        "api:plan-detail",
        "api:plan-action-detail",
        "api:plan-measure-value-list",
        "pick",
    } <= seen_ok


def test_the_admin_is_closed_to_partners(world, planted, client):
    client.force_login(world.users["partner"])
    for name, pattern in url_routes().items():
        if name.startswith("admin:") and not pattern.pattern.regex.groups:
            response = client.get(reverse(name))
            assert response.status_code in (302, 404) or name == "admin:login", name
            assert not _leaks(response.content.decode(), planted), name


def test_no_council_only_field_is_in_a_notification_to_a_partner(world, planted):
    partners = User.objects.filter(role=User.Role.PARTNER)
    to_partners = Notification.objects.filter(
        models.Q(recipient_user__in=partners)
        | models.Q(recipient_organisation__authority__isnull=False)  # a partner agency
    )
    events = set(to_partners.values_list("event_type", flat=True))
    assert {"referral.decided", "action.assigned", "context.concern_logged"} <= events
    for notification in to_partners:
        if notification.kind == Notification.Kind.EMAIL:
            mail.outbox = []
            delivery.send_email(notification)
            (message,) = mail.outbox
            text = message.subject + message.body
        else:
            text = webhooks.payload(notification, delivery.absolute(notification.link))
        assert not _leaks(text, planted), (notification.event_type, text)


@pytest.mark.parametrize(
    ("label", "name", "readable"),
    [
        ("cases.referral", "decision_reason", False),
        ("cases.referral", "decided_by", False),
        ("cases.referral", "get_decision_display", True),
        ("cases.referral", "get_consent_display", True),
        ("contexts.context", "description", False),
        ("contexts.contextguardian", "notes", False),
        ("cases.concern", "narrative", False),
        ("cases.allocation", "reason", False),
        ("cases.action", "progress_note", True),
        ("notifications.channel", "secret", False),
        ("cases.youngperson", "given_name", False),
    ],
)
def test_the_declared_list_decides(label, name, readable):
    from django.apps import apps

    assert disclosure.partner_may_read(apps.get_model(label), name) is readable


def test_every_record_type_has_its_entry_in_the_disclosure_list():
    """Each record type that hangs off a subject (safeguarding/subjects/registry.py) has its
    entry in ``PARTNER_READS`` (empty: partners read nothing of it), naming what it has."""
    from safeguarding.subjects import registry

    for record_type in registry.record_types():
        assert record_type.label_lower in disclosure.PARTNER_READS, record_type.label
        model = record_type.model
        unknown = {
            name
            for name in disclosure.PARTNER_READS[record_type.label_lower]
            if not hasattr(model, name)
        }
        assert not unknown, f"{record_type.label} has no {sorted(unknown)}"


def test_a_partner_view_refuses_what_is_not_listed(world):
    referral = world.records["cases.referral"]["agency"]
    seen = disclosure.shown(world.users["partner"], referral)
    assert seen.reference == referral.reference
    with pytest.raises(AttributeError, match="not disclosed"):
        seen.decision_reason  # noqa: B018
    with pytest.raises(AttributeError):
        seen.status = "closed"
    assert disclosure.shown(world.users["tm"], referral) is referral
