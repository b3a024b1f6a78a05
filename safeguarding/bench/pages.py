"""What the benchmark asks for: the pages, who asks, and which records (chosen in the database).

Runs inside Django, pointed at the benchmark's database. Records are chosen with plain SQL on
the grant tables, not through the rule: choosing must stay cheap whatever the rule costs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .load import Request

#: Pages whose p95 must stay within 10 x the floor (a practitioner's own records) ...
RECORD = "record"
#: ... and within 30 x (borough-wide figures and queues).
BOROUGH = "borough"
#: The partner API and writes: reported, with the issue's own figures to compare.
API = "api"

TARGETS = {RECORD: 10, BOROUGH: 30}

SOCIAL_WORKER = "sw.amara"
TEAM_MANAGER = "tm.jordan"
FRONT_DOOR_MANAGER = "tm.helen"
#: A school's designated safeguarding lead (its school's assessments on its My work).
SCHOOL_LEAD = "school.dsl"
SENIOR_MANAGER = "sm.priya"
#: The borough's police (its people in the browser; its case system is API_USER).
PARTNER = "police.officer"
#: The borough's data protection officer (the access log, unusual access).
DATA_PROTECTION_OFFICER = "dpo.olu"
API_USER = "api:police"


@dataclass
class Page:
    name: str
    group: str
    user: str  # a demo username, or API_USER (a bearer token)
    build: Callable[[int], Request]  # the n-th request of this page (n = -1: the warm-up)
    queries: int | str | None = None  # counted in-process


def _one(sql: str, params: dict) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@dataclass
class Targets:
    """The records the pages open, and how many concerns each has (for the report)."""

    young_person: tuple[int, int]
    place_typical: tuple[int, int]
    place_busiest: tuple[int, int]
    peer_group: tuple[int, int]
    worker: int
    referral: int | None
    allocated_young_person: int
    harm_category: int
    partner_action: int | None = None  # an action assigned to PARTNER's organisation
    case: int | None = None  # an open case of the social worker's (and her manager's team)
    closing_case: int | None = None  # one of the team's closures waiting for sign-off
    # Place assessments of the team's busiest places (id, the place's concerns): one being
    # written (the task list, a section, the evidence pack) and an approved one (its summary
    # printed); the first section of the one being written.
    assessment_open: tuple[int, int] | None = None
    assessment_section: str | None = None
    assessment_approved: tuple[int, int] | None = None
    # Meetings (cases/meetings): a context conference held from an approved assessment, and a
    # MACE panel's next sitting (its standing agenda).
    meeting: int | None = None
    mace_panel: int | None = None
    # The safety plan of the team's busiest place with one (id, the place's concerns), and its
    # newest review (id): none until the demo borough seeds plans.
    plan: tuple[int, int] | None = None
    plan_review: int | None = None
    # The demo's place plan with a year of values (``safeguarding/demo/plans.py``): (plan id,
    # the measure with most values that PARTNER's organisation records in it).
    plan_measured: tuple[int, int] | None = None


def find_targets() -> Targets:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("team").get(username=SOCIAL_WORKER)
    group = user.team.group_id
    params = {"group": group, "user": user.pk}

    def busiest(table, grant_table, extra="", order="n DESC", offset=0):
        row = _one(
            f"""
            SELECT r.id, count(cs.id) AS n FROM {table} r
            JOIN {grant_table} g ON g.content_object_id = r.id AND g.group_id = %(group)s
            JOIN cases_concernsubject cs ON cs.subject_id = r.subject_id
            {extra}
            GROUP BY r.id ORDER BY {order}, r.id LIMIT 1 OFFSET {int(offset)}
            """,  # noqa: S608 (table names are ours, not input)
            params,
        )
        if row is None:
            raise RuntimeError(f"No {table} row visible to {SOCIAL_WORKER}'s team")
        return row

    places_with_concerns = _one(
        """
        SELECT count(DISTINCT r.id) FROM contexts_context r
        JOIN contexts_contextgroupobjectpermission g
          ON g.content_object_id = r.id AND g.group_id = %(group)s
        JOIN cases_concernsubject cs ON cs.subject_id = r.subject_id
        """,
        params,
    )[0]
    yp = busiest(
        "cases_youngperson", "cases_youngpersongroupobjectpermission", "WHERE NOT r.restricted"
    )
    place_busiest = busiest("contexts_context", "contexts_contextgroupobjectpermission")
    # The median place among those with concerns: most pages are about an ordinary place.
    place_typical = busiest(
        "contexts_context",
        "contexts_contextgroupobjectpermission",
        offset=places_with_concerns // 2,
    )
    peer_group = busiest("peers_peergroup", "peers_peergroupgroupobjectpermission")
    referral = _one(
        """
        SELECT id FROM cases_referral WHERE authority_id = %(authority)s
          AND status IN ('received', 'screening') ORDER BY received_at, id LIMIT 1
        """,
        {"authority": user.organisation_id},
    )
    allocated = _one(
        """
        SELECT yp.id FROM cases_case c JOIN cases_youngperson yp ON yp.subject_id = c.subject_id
        WHERE c.allocated_worker_id = %(user)s AND c.status <> 'closed' AND NOT yp.restricted
        ORDER BY yp.id LIMIT 1
        """,
        params,
    )
    harm = _one("SELECT id FROM cases_harmcategory WHERE is_active ORDER BY id LIMIT 1", {})
    partner = get_user_model().objects.get(username=PARTNER)
    partner_action = _one(
        """
        SELECT id FROM cases_action WHERE owner_organisation_id = %(organisation)s
          AND status <> 'cancelled' ORDER BY due_on, id LIMIT 1
        """,
        {"organisation": partner.organisation_id},
    )
    case = _one(
        """
        SELECT c.id FROM cases_case c JOIN cases_youngperson yp ON yp.subject_id = c.subject_id
        WHERE c.allocated_worker_id = %(user)s AND c.status = 'open' AND NOT yp.restricted
        ORDER BY c.id LIMIT 1
        """,
        params,
    )
    closing = _one(
        """
        SELECT c.id FROM cases_case c JOIN cases_youngperson yp ON yp.subject_id = c.subject_id
        WHERE c.team_id = %(team)s AND c.status = 'closing' AND NOT yp.restricted
        ORDER BY c.id LIMIT 1
        """,
        {"team": user.team_id},
    )
    plan_measured = _one(
        """
        SELECT g.plan_id, m.id FROM cases_measure m
        JOIN cases_goal g ON g.id = m.goal_id JOIN cases_plan p ON p.id = g.plan_id
        WHERE m.recorder_organisation_id = %(organisation)s AND p.status = 'active'
        ORDER BY (SELECT count(*) FROM cases_measurevalue v WHERE v.measure_id = m.id) DESC,
          m.id
        LIMIT 1
        """,
        {"organisation": partner.organisation_id},
    )
    assessment_open = _busiest_assessment(("draft", "returned"), params)
    assessment_approved = _busiest_assessment(("approved",), params)
    plan = _one(
        """
        SELECT p.id, (SELECT count(*) FROM cases_concernsubject cs
                      WHERE cs.subject_id = p.subject_id) AS n
        FROM cases_plan p JOIN contexts_context r ON r.subject_id = p.subject_id
        WHERE p.status IN ('active', 'ending', 'ended')
          AND EXISTS (SELECT 1 FROM contexts_contextgroupobjectpermission g
                      WHERE g.content_object_id = r.id AND g.group_id = %(group)s)
        ORDER BY n DESC, p.id LIMIT 1
        """,
        params,
    )
    review = (
        _one(
            "SELECT id FROM cases_planreview WHERE plan_id = %(plan)s"
            " ORDER BY held_on DESC, id DESC LIMIT 1",
            {"plan": plan[0]},
        )
        if plan
        else None
    )
    section = None
    if assessment_open:
        from cases.models import Assessment

        section = Assessment.objects.get(pk=assessment_open[0]).definition.sections[0].key
    return Targets(
        young_person=yp,
        place_typical=place_typical,
        place_busiest=place_busiest,
        peer_group=peer_group,
        worker=user.pk,
        referral=referral[0] if referral else None,
        allocated_young_person=allocated[0] if allocated else yp[0],
        harm_category=harm[0],
        partner_action=partner_action[0] if partner_action else None,
        case=case[0] if case else None,
        closing_case=closing[0] if closing else None,
        assessment_open=assessment_open,
        assessment_section=section,
        assessment_approved=assessment_approved,
        meeting=_first(
            "SELECT id FROM cases_meeting WHERE kind = 'context_conference' "
            "AND source_assessment_id IS NOT NULL ORDER BY id LIMIT 1"
        ),
        mace_panel=_first(
            "SELECT id FROM cases_meeting WHERE kind = 'mace' AND status = 'scheduled' "
            "ORDER BY id LIMIT 1"
        ),
        plan=plan,
        plan_review=review[0] if review else None,
        plan_measured=tuple(plan_measured) if plan_measured else None,
    )


def _first(sql: str) -> int | None:
    row = _one(sql, {})
    return row[0] if row else None


def _busiest_assessment(statuses: tuple[str, ...], params: dict) -> tuple[int, int] | None:
    """The place assessment in one of ``statuses`` on the place with most concerns that the
    social worker's team holds (its grant): (assessment id, the place's concerns)."""
    return _one(
        f"""
        SELECT a.id, (SELECT count(*) FROM cases_concernsubject cs
                      WHERE cs.subject_id = a.subject_id) AS n
        FROM cases_assessment a JOIN contexts_context r ON r.subject_id = a.subject_id
        WHERE a.kind = 'place' AND a.status IN ({", ".join(["%s"] * len(statuses))})
          AND EXISTS (SELECT 1 FROM contexts_contextgroupobjectpermission g
                      WHERE g.content_object_id = r.id AND g.group_id = %s)
        ORDER BY n DESC, a.id LIMIT 1
        """,  # noqa: S608 (placeholders only)
        [*statuses, params["group"]],
    )


def issue_api_token() -> str:
    """A token for the borough's police, for this run (revoked runs leave it listed)."""
    from safeguarding.accounts.models import Organisation, User
    from safeguarding.api.services import api_token_issue
    from safeguarding.demo.data import AUTHORITY_NAME, PARTNERS

    police = Organisation.objects.get(name=PARTNERS[0][0], authority__name=AUTHORITY_NAME)
    admin = User.objects.get(username="admin.grace")
    issued = api_token_issue(
        organisation=police, name=f"Benchmark {uuid.uuid4().hex[:8]}", issued_by=admin
    )
    return issued.secret


def issue_recovery_codes(usernames, per_user: int) -> dict[str, list[str]]:
    """Production mode asks every user for a second factor (issue 11; the demo's exemption holds
    in development mode only). For this run, each of ``usernames`` gets a confirmed recovery-code
    device (django-otp's ``StaticDevice``, named "Benchmark") holding ``per_user`` codes, one for
    each simulated sign-in: ``{username: [code, ...]}``. Earlier runs' devices are replaced."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from safeguarding.accounts.models import User

    codes = {}
    for user in User.objects.filter(username__in=set(usernames)):
        StaticDevice.objects.filter(user=user, name="Benchmark").delete()
        device = StaticDevice.objects.create(user=user, name="Benchmark", confirmed=True)
        tokens = [StaticToken.random_token() for _ in range(per_user)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
        codes[user.username] = tokens
    return codes


def _referral_body(n: int) -> bytes:
    return json.dumps(
        {
            "young_people": [
                {"name": f"Bench Example {n}", "date_of_birth": "2010-04-12", "postcode": "EB1 4QT"}
            ],
            "harm_categories": ["cce"],
            "narrative": "Seen at the station late at night with older males (benchmark).",
            "urgency": "routine",
            "referrer": {"name": "PC Bench", "email": "bench@eastbrook-police.example"},
            "consent": "not_sought",
            "lawful_basis": "public_task",
            "lawful_basis_detail": "Seeking consent could increase the risk to the young person.",
        }
    ).encode()


def _referral_form(n: int, harm_category: int) -> dict:
    """The web referral form as a partner sends it (a new one-time token each time)."""
    return {
        "form_token": uuid.uuid4().hex,
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "1",
        "people-MAX_NUM_FORMS": "20",
        "people-0-name": f"Bench Example {n}",
        "people-0-date_of_birth_day": "12",
        "people-0-date_of_birth_month": "4",
        "people-0-date_of_birth_year": "2010",
        "people-0-postcode": "EB1 4QT",
        "harm_categories": str(harm_category),
        "narrative": "Seen at the station late at night with older males (benchmark, web form).",
        "urgency": "routine",
        "referrer_name": "PC Bench",
        "referrer_email": "bench@eastbrook-police.example",
        "consent": "not_sought",
        "lawful_basis": "public_task",
        "lawful_basis_detail": "Seeking consent could increase the risk to the young person.",
    }


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _place_reference(pk: int) -> str:
    return _one(
        "SELECT s.reference FROM contexts_context c"
        " JOIN subjects_subject s ON s.id = c.subject_id WHERE c.id = %(pk)s",
        {"pk": pk},
    )[0]


def _subject_reference(young_person: int) -> str:
    return _one(
        "SELECT s.reference FROM cases_youngperson y"
        " JOIN subjects_subject s ON s.id = y.subject_id WHERE y.id = %(pk)s",
        {"pk": young_person},
    )[0]


def _user_id(username: str) -> int:
    return _one("SELECT id FROM accounts_user WHERE username = %(u)s", {"u": username})[0]


def build_pages(targets: Targets, token: str) -> list[Page]:
    from django.urls import reverse

    def get(path, **kw):
        return lambda n: Request("GET", path, **kw)

    bearer = {"Authorization": f"Bearer {token}"}
    t = targets
    concern_form = reverse("cases:concern-log")
    young_persons_reference = _subject_reference(t.young_person[0])
    pages = [
        Page("My work (social worker)", RECORD, SOCIAL_WORKER, get(reverse("home"))),
        Page(
            f"Young person ({t.young_person[1]} concerns)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("cases:young-person", args=[t.young_person[0]])),
        ),
        Page(
            f"Place ({t.place_typical[1]} concerns)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("contexts:context", args=[t.place_typical[0]])),
        ),
        Page(
            f"Busiest place ({t.place_busiest[1]} concerns)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("contexts:context", args=[t.place_busiest[0]])),
        ),
        Page(
            f"Peer group ({t.peer_group[1]} concerns)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("peers:peer-group", args=[t.peer_group[0]])),
        ),
        Page("Log a concern (form)", RECORD, SOCIAL_WORKER, get(concern_form)),
        Page("My work (partner)", RECORD, PARTNER, get(reverse("home"))),
        Page("Make a referral (form)", RECORD, PARTNER, get(reverse("cases:referral-new"))),
        Page("Peer groups", RECORD, SOCIAL_WORKER, get(reverse("peers:peer-groups"))),
        Page(
            "Create a peer group (form)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("peers:peer-group-create")),
        ),
        Page(
            "Add an alias (form)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("cases:alias-add", args=[t.allocated_young_person])),
        ),
        Page(
            "Add a guardian (form)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("contexts:guardian-add", args=[t.place_typical[0]])),
        ),
        Page(
            "Propose a warning note (form, a place)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("cases:warning-propose", args=[_place_reference(t.place_typical[0])])),
        ),
        Page(
            'Search "Smith"',
            RECORD,
            SOCIAL_WORKER,
            lambda n: Request("POST", reverse("search"), {"q": "Smith"}),
        ),
        Page(
            'Search "Robinsen"',
            RECORD,
            SOCIAL_WORKER,
            lambda n: Request("POST", reverse("search"), {"q": "Robinsen"}),
        ),
        Page("Team caseload", BOROUGH, TEAM_MANAGER, get(reverse("cases:team"))),
        Page(
            "A worker's cases",
            BOROUGH,
            TEAM_MANAGER,
            get(reverse("cases:team-worker", args=[t.worker])),
        ),
        Page(
            "Warning notes (waiting, due for review in 90 days)",
            BOROUGH,
            TEAM_MANAGER,
            get(reverse("cases:warnings") + "?within=90"),
        ),
        Page("Front door", BOROUGH, FRONT_DOOR_MANAGER, get(reverse("cases:triage"))),
        Page("Hotspots", BOROUGH, SENIOR_MANAGER, get(reverse("contexts:hotspots"))),
        Page("Themes", BOROUGH, SENIOR_MANAGER, get(reverse("cases:themes"))),
        Page("Delivery log", BOROUGH, TEAM_MANAGER, get(reverse("notifications:log"))),
        # The data protection officer's access logs: a young person's (every row about it and
        # what hangs off it, by the GIN index on the rows' subjects), the social worker's own
        # (by the index on actor and time), and a week's unusual access across the borough.
        Page(
            "Access log (young person)",
            BOROUGH,
            DATA_PROTECTION_OFFICER,
            get(reverse("dataprotection:subject-log", args=[young_persons_reference])),
        ),
        Page(
            "Access log (social worker)",
            BOROUGH,
            DATA_PROTECTION_OFFICER,
            get(reverse("dataprotection:user-log", args=[_user_id(SOCIAL_WORKER)])),
        ),
        Page(
            "Unusual access (7 days)",
            BOROUGH,
            DATA_PROTECTION_OFFICER,
            get(reverse("dataprotection:unusual-access")),
        ),
        Page(
            "POST a concern",
            API,
            SOCIAL_WORKER,
            lambda n: Request(
                "POST",
                concern_form,
                {
                    "narrative": f"Seen with older males near the station (benchmark {n}).",
                    "occurred_on_day": "2",
                    "occurred_on_month": "11",
                    "occurred_on_year": "2026",
                    "occurred_time": "",
                    "people-TOTAL_FORMS": "1",
                    "people-INITIAL_FORMS": "0",
                    "people-MIN_NUM_FORMS": "0",
                    "people-MAX_NUM_FORMS": "20",
                    "people-0-young_person": str(t.allocated_young_person),
                    "people-0-part": "at_risk",
                    "location": str(t.place_typical[0]),
                    "harm_categories": str(t.harm_category),
                    "source": "police",
                    "reliability": "reliable",
                },
                expect=(302,),
            ),
        ),
        Page(
            "POST a referral (web form)",
            API,
            PARTNER,
            lambda n: Request(
                "POST",
                reverse("cases:referral-new"),
                _referral_form(n, t.harm_category),
                expect=(302,),
            ),
        ),
        Page("API: GET referrals", API, API_USER, get("/api/v1/referrals/", headers=bearer)),
        Page(
            "API: POST a referral",
            API,
            API_USER,
            lambda n: Request(
                "POST",
                "/api/v1/referrals/",
                json_body=_referral_body(n),
                headers={**bearer, "Idempotency-Key": str(uuid.uuid4())},
                expect=(201,),
            ),
        ),
    ]

    def after(name: str) -> int:
        return next(i for i, page in enumerate(pages) if page.name == name) + 1

    if t.partner_action:
        pages.insert(
            after("Make a referral (form)"),
            Page(
                "Update an action (partner, form)",
                RECORD,
                PARTNER,
                get(reverse("cases:action-progress", args=[t.partner_action])),
            ),
        )
    if t.case:
        pages += [
            Page("A case", RECORD, TEAM_MANAGER, get(reverse("cases:case", args=[t.case]))),
            Page(
                "Risk and review (form)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("cases:case-risk", args=[t.case])),
            ),
            Page(
                "Ask to close a case (form)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("cases:case-close", args=[t.case])),
            ),
        ]
    if t.closing_case:
        pages.append(
            Page(
                "Sign off a closure (form)",
                RECORD,
                TEAM_MANAGER,
                get(reverse("cases:case-sign-off", args=[t.closing_case])),
            )
        )
    if t.referral:
        pages.insert(
            after("Front door"),
            Page(
                "Front door: one referral",
                BOROUGH,
                FRONT_DOOR_MANAGER,
                get(reverse("cases:triage-decide", args=[t.referral])),
            ),
        )
    if t.assessment_open:
        pk, concerns = t.assessment_open
        pages += [
            Page(
                f"An assessment being written (a place, {concerns} concerns)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("assessments:assessment", args=[pk])),
            ),
            Page(
                "An assessment's section (form)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("assessments:section", args=[pk, t.assessment_section])),
            ),
            Page(
                "An assessment's evidence pack (form)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("assessments:evidence", args=[pk])),
            ),
        ]
    if t.assessment_approved:
        pk, concerns = t.assessment_approved
        pages.append(
            Page(
                f"An approved assessment, printed (a place, {concerns} concerns)",
                RECORD,
                TEAM_MANAGER,
                get(reverse("assessments:print", args=[pk])),
            )
        )
    pages.append(
        Page("Meetings", BOROUGH, TEAM_MANAGER, get(reverse("meetings:list"))),
    )
    if t.meeting:
        pages.append(
            Page(
                "A meeting (a context conference, minutes circulated)",
                RECORD,
                TEAM_MANAGER,
                get(reverse("meetings:meeting", args=[t.meeting])),
            )
        )
    if t.mace_panel:
        pages.append(
            Page(
                "A MACE panel's standing agenda",
                RECORD,
                TEAM_MANAGER,
                get(reverse("meetings:meeting", args=[t.mace_panel])),
            )
        )
    if t.plan:
        pk, concerns = t.plan
        pages.append(
            Page(
                f"A safety plan (a place, {concerns} concerns)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("plans:plan", args=[pk])),
            )
        )
    if t.plan_review:
        pages.append(
            Page(
                "A safety plan's review (its measures' charts)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("plans:review", args=[t.plan_review])),
            )
        )
    pages += [
        Page(
            f"Start an assessment (form, busiest place, {t.place_busiest[1]} concerns)",
            RECORD,
            SOCIAL_WORKER,
            get(reverse("assessments:start", args=[_place_reference(t.place_busiest[0])])),
        ),
        Page(
            "Assessments: what each is for", RECORD, SOCIAL_WORKER, get(reverse("assessments:help"))
        ),
    ]
    if t.plan_measured:
        plan, measure = t.plan_measured
        values = f"/api/v1/plans/{plan}/measures/{measure}/values/"
        pages += [
            Page(
                "A place's safety plan (a year of measures)",
                RECORD,
                SOCIAL_WORKER,
                get(reverse("plans:plan", args=[plan])),
            ),
            Page("API: GET plans", API, API_USER, get("/api/v1/plans/", headers=bearer)),
            Page(
                "API: GET a plan (the partner's part)",
                API,
                API_USER,
                get(f"/api/v1/plans/{plan}/", headers=bearer),
            ),
            Page("API: GET a measure's values", API, API_USER, get(values, headers=bearer)),
            Page(
                "API: POST a measure's value",
                API,
                API_USER,
                lambda n: Request(
                    "POST",
                    values,
                    json_body=json.dumps(
                        {"value": n % 7, "recorded_on": _today(), "note": "Benchmark"}
                    ).encode(),
                    headers={**bearer, "Idempotency-Key": str(uuid.uuid4())},
                    expect=(201,),
                ),
            ),
        ]
    pages.insert(
        after("My work (partner)"),
        Page("My work (a school's safeguarding lead)", RECORD, SCHOOL_LEAD, get(reverse("home"))),
    )
    pages.insert(
        after("Team caseload"),
        Page(
            "My work (team manager, sign-offs waiting)", BOROUGH, TEAM_MANAGER, get(reverse("home"))
        ),
    )
    # My work's "Record a visit": the case note form, kind chosen, for the worker's young person
    # (after "Log a concern (form)").
    from cases.models import YoungPerson

    reference = YoungPerson.objects.values_list("subject__reference", flat=True).get(
        pk=t.allocated_young_person
    )
    visit_form = reverse("cases:case-note-add", args=[reference]) + "?kind=visit&from=my-work"
    pages.insert(6, Page("Record a visit (form)", RECORD, SOCIAL_WORKER, get(visit_form)))
    return pages


def count_queries(pages: list[Page], statement_timeout_seconds: int) -> None:
    """How many SQL queries each page makes (Django's test client, same database)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    clients: dict[str, Client] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{int(statement_timeout_seconds)}s'")
    for page in pages:
        request = page.build(-1)
        client = clients.get(page.user)
        if client is None:
            client = clients[page.user] = Client()
            if page.user != API_USER:
                client.force_login(users.get(username=page.user))
        headers = {k: v for k, v in request.headers.items()}
        try:
            if request.method == "GET":  # warm: what a request does once per process is not
                client.get(request.path, headers=headers)  # counted (nor scheduled tasks)
            with CaptureQueriesContext(connection) as captured:
                if request.method == "GET":
                    response = client.get(request.path, headers=headers)
                elif request.json_body is not None:
                    response = client.generic(
                        request.method,
                        request.path,
                        request.json_body,
                        content_type="application/json",
                        headers=headers,
                    )
                else:
                    response = client.post(request.path, request.fields, headers=headers)
            ok = response.status_code in request.expect
            page.queries = len(captured.captured_queries) if ok else f"HTTP {response.status_code}"
        except Exception as exc:  # a statement timeout: the page did not answer
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = '{int(statement_timeout_seconds)}s'")
            page.queries = type(exc).__name__
