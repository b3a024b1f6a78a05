"""The visibility rule as a table.

For every model the rule governs, and for every role (a user in each relation to the records:
their own, their team's, another team's, another agency's, restricted), the exact set of
records the user may see and change — checked through the ORM rule and, for models with pages,
through HTTP. A model of ours missing from this table fails ``test_every_model_is_in_the_table``.
"""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from safeguarding.accounts import visibility
from tests.subject_pages import SUBJECT_PAGES

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

ALL = "*"  # every row of the model
NONE: set[str] = set()

LA_STAFF = {"sw", "sw2", "sw3", "tm", "sm", "admin"}
YP = {
    "sw": ({"own", "team"}, {"own"}),
    "sw2": ({"own", "team", "restricted"}, {"team", "restricted"}),
    "sw3": ({"other"}, {"other"}),
    "tm": ({"own", "team"}, {"own", "team"}),
    "sm": ({"own", "team", "other"}, NONE),
    "partner": (NONE, NONE),
    "admin": (NONE, NONE),
}
# Cases: the young people's, plus "ctx", work open on team one's place, not yet allocated.
CASE = {
    "sw": ({"own", "team", "ctx"}, {"own"}),
    "sw2": ({"own", "team", "restricted", "ctx"}, {"team", "restricted"}),
    "sw3": ({"other"}, {"other"}),
    "tm": ({"own", "team", "ctx"}, {"own", "team", "ctx"}),
    "sm": ({"own", "team", "other", "ctx"}, NONE),
    "partner": (NONE, NONE),
    "admin": (NONE, NONE),  # sees the place in the directory, never the work on it
}
TEAM_WORKED = {
    "sw": ({"team"}, {"team"}),
    "sw2": ({"team"}, {"team"}),
    "sw3": ({"other"}, {"other"}),
    "tm": ({"team"}, {"team"}),
    "sm": ({"team", "other"}, NONE),
    "partner": (NONE, NONE),
    "admin": (NONE, NONE),
}
NOBODY = {user: (NONE, NONE) for user in YP}
ADMINISTRATORS_ONLY = {**NOBODY, "admin": (ALL, ALL)}
# Grant rows: administrators look, nobody changes them by hand (separation of duties).
ADMINISTRATORS_READ = {**NOBODY, "admin": (ALL, NONE)}

MEETINGS = {
    "sw": ({"strategy_own", "cc_team", "mace"}, {"strategy_own", "cc_team"}),
    "sw2": ({"strategy_own", "cc_team", "mace"}, {"cc_team"}),
    "sw3": ({"other", "mace"}, {"other"}),
    "tm": ({"strategy_own", "cc_team", "mace"}, {"strategy_own", "cc_team", "mace"}),
    "sm": ({"strategy_own", "cc_team", "mace", "other"}, NONE),
    "partner": ({"strategy_own", "cc_team"}, NONE),
    "admin": (NONE, NONE),
}


def _parts(meetings: set[str]) -> set[str]:
    """A meeting's parts in the world are named after it (and the conference's shareable one
    "cc_shared")."""
    return set(meetings) | ({"cc_shared"} if "cc_team" in meetings else set())


# model label -> user -> (may view, may change)
TABLE = {
    "cases.youngperson": YP,
    "cases.alias": YP,
    "cases.harmflag": YP,
    "cases.case": CASE,
    "cases.allocation": CASE,
    "cases.caseriskchange": CASE,
    "cases.casestatuschange": CASE,
    "peers.peergroup": TEAM_WORKED,
    "contexts.context": {
        **TEAM_WORKED,
        "partner": ({"team"}, NONE),  # its organisation is a guardian of that place
        "admin": ({"team", "other"}, {"team", "other"}),  # the directory of places
    },
    "contexts.contextguardian": {
        "sw": ({"agency"}, {"agency"}),
        "sw2": ({"agency"}, {"agency"}),
        "sw3": ({"other_agency"}, {"other_agency"}),
        "tm": ({"agency"}, {"agency"}),
        "sm": ({"agency", "other_agency"}, NONE),
        "partner": ({"agency"}, NONE),
        "admin": ({"agency", "other_agency"}, {"agency", "other_agency"}),
    },
    "subjects.subject": {
        "sw": ({"yp_own", "yp_team", "ctx_team", "pg_team"}, {"yp_own", "ctx_team", "pg_team"}),
        "sw2": (
            {"yp_own", "yp_team", "yp_restricted", "ctx_team", "pg_team"},
            {"yp_team", "yp_restricted", "ctx_team", "pg_team"},
        ),
        "sw3": ({"yp_other", "ctx_other", "pg_other"}, {"yp_other", "ctx_other", "pg_other"}),
        "tm": (
            {"yp_own", "yp_team", "ctx_team", "pg_team"},
            {"yp_own", "yp_team", "ctx_team", "pg_team"},
        ),
        "sm": (
            {"yp_own", "yp_team", "yp_other", "ctx_team", "ctx_other", "pg_team", "pg_other"},
            NONE,
        ),
        "partner": ({"ctx_team"}, NONE),
        "admin": ({"ctx_team", "ctx_other"}, {"ctx_team", "ctx_other"}),
    },
    "peers.peergroupmembership": {
        "sw": ({"own"}, {"own"}),
        "sw2": ({"own", "restricted"}, {"own", "restricted"}),
        "sw3": ({"other"}, {"other"}),
        "tm": ({"own"}, {"own"}),
        "sm": ({"own", "other"}, NONE),
        "partner": (NONE, NONE),
        "admin": (NONE, NONE),
    },
    "peers.relationship": {
        "sw": ({"team"}, {"team"}),
        "sw2": ({"team", "restricted"}, {"team", "restricted"}),
        "sw3": (NONE, NONE),  # the other person is not theirs to see
        "tm": ({"team"}, {"team"}),
        "sm": ({"team", "cross"}, NONE),
        "partner": (NONE, NONE),
        "admin": (NONE, NONE),
    },
    "cases.concern": {
        "sw": ({"own", "team", "place_only"}, {"own", "place_only"}),
        "sw2": ({"own", "team", "restricted", "place_only"}, {"team", "restricted", "place_only"}),
        "sw3": ({"other", "place_only"}, {"other", "place_only"}),
        "tm": ({"own", "team", "place_only"}, {"own", "team", "place_only"}),
        "sm": ({"own", "team", "other", "place_only"}, NONE),
        "partner": (NONE, NONE),
        "admin": (NONE, NONE),
    },
    # Who may see each concern at a place, worked out ahead: read only through the rule.
    "cases.concernaudience": NOBODY,
    # Restricted records (cases/restrictions): the world holds none of these rows; who reads
    # them is tests/restrictions/.
    "cases.restriction": NOBODY,
    "cases.namedstaff": NOBODY,
    "cases.breakglassaccess": NOBODY,
    # Borough-wide figures worked out ahead (rows made by _add_figures): senior managers read.
    **{
        label: {**NOBODY, "sm": (ALL, NONE)}
        for label in (
            "cases.boroughfigures",
            "cases.placeconcerncount",
            "cases.monthlyconcerncount",
            "cases.monthlyreferralcount",
        )
    },
    "cases.concernsubject": {
        "sw": (
            {"own:yp", "own:ctx", "team:yp", "place_only:ctx"},
            {"own:yp", "own:ctx", "place_only:ctx"},
        ),
        "sw2": (
            {"own:yp", "own:ctx", "team:yp", "restricted:yp", "place_only:ctx"},
            {"team:yp", "restricted:yp", "place_only:ctx"},
        ),
        "sw3": ({"other:yp", "other:ctx"}, {"other:yp", "other:ctx"}),
        "tm": (
            {"own:yp", "own:ctx", "team:yp", "place_only:ctx"},
            {"own:yp", "own:ctx", "team:yp", "place_only:ctx"},
        ),
        "sm": (
            {"own:yp", "own:ctx", "team:yp", "other:yp", "other:ctx", "place_only:ctx"},
            NONE,
        ),
        "partner": (NONE, NONE),
        "admin": (NONE, NONE),
    },
    "cases.action": {
        "sw": ({"own", "team", "agency"}, {"own", "agency"}),
        "sw2": ({"own", "team", "agency", "restricted"}, {"team", "restricted", "agency"}),
        "sw3": ({"other"}, {"other"}),
        "tm": ({"own", "team", "agency"}, {"own", "team", "agency"}),
        "sm": ({"own", "team", "other", "agency"}, NONE),
        "partner": ({"agency"}, {"agency"}),  # assigned to its organisation: records progress
        "admin": (NONE, NONE),
    },
    # Case notes and documents (a note and its document on each subject, named by it): staff
    # read them as they read the subject and write them as they change it; administrators
    # (who keep the directory of places) and partners (who may see a place they guard) none.
    **{
        label: {
            "sw": ({"own", "team", "ctx_team", "pg_team"}, {"own", "ctx_team", "pg_team"}),
            "sw2": (
                {"own", "team", "restricted", "ctx_team", "pg_team"},
                {"team", "restricted", "ctx_team", "pg_team"},
            ),
            "sw3": ({"other", "ctx_other", "pg_other"}, {"other", "ctx_other", "pg_other"}),
            "tm": (
                {"own", "team", "ctx_team", "pg_team"},
                {"own", "team", "ctx_team", "pg_team"},
            ),
            "sm": ({"own", "team", "other", "ctx_team", "ctx_other", "pg_team", "pg_other"}, NONE),
            "partner": (NONE, NONE),
            "admin": (NONE, NONE),
        }
        for label in ("cases.casenote", "cases.document")
    },
    # Warning notes (and their history) on team one's, team two's and the restricted young
    # people, team one's place ("ctx") and group ("pg"): staff as the subject; partners (even
    # of a place they guard) and administrators none; senior managers read.
    **{
        label: {
            "sw": ({"own", "team", "ctx", "pg"}, {"own", "ctx", "pg"}),
            "sw2": (
                {"own", "team", "restricted", "ctx", "pg"},
                {"team", "restricted", "ctx", "pg"},
            ),
            "sw3": ({"other"}, {"other"}),
            "tm": ({"own", "team", "ctx", "pg"}, {"own", "team", "ctx", "pg"}),
            "sm": ({"own", "team", "other", "ctx", "pg"}, NONE),
            "partner": (NONE, NONE),
            "admin": (NONE, NONE),
        }
        for label in ("cases.warningnote", "cases.warningnoteevent")
    },
    # Assessments (tests/conftest.py): staff as the subject (senior managers read); a partner
    # reads the approved place assessments of a place it guards (its summary) and its own
    # school's; never the evidence pack or history; administrators nothing.
    "cases.assessment": {
        "sw": ({"place_team", "place_approved", "yp_own", "pg_team"},) * 2,
        "sw2": (
            {"place_team", "place_approved", "yp_own", "pg_team", "restricted"},
            {"place_team", "place_approved", "pg_team", "restricted"},
        ),
        "sw3": ({"school_other"}, {"school_other"}),
        "tm": ({"place_team", "place_approved", "yp_own", "pg_team"},) * 2,
        "sm": ({"place_team", "place_approved", "yp_own", "pg_team", "school_other"}, NONE),
        "partner": ({"place_approved"}, NONE),
        "admin": (NONE, NONE),
    },
    **{
        label: {
            "sw": ({"place_team", "place_approved", "yp_own", "pg_team"},) * 2,
            "sw2": (
                {"place_team", "place_approved", "yp_own", "pg_team", "restricted"},
                {"place_team", "place_approved", "pg_team", "restricted"},
            ),
            "sw3": ({"school_other"}, {"school_other"}),
            "tm": ({"place_team", "place_approved", "yp_own", "pg_team"},) * 2,
            "sm": ({"place_team", "place_approved", "yp_own", "pg_team", "school_other"}, NONE),
            "partner": (NONE, NONE),
            "admin": (NONE, NONE),
        }
        for label in ("cases.evidenceitem", "cases.assessmentevent")
    },
    # Meetings (tests/conftest.py, meetings()): staff read their authority's about a subject
    # they may see, every MACE panel of it, and any they chair or are invited to; senior
    # managers all of their authority's; they change those they chair or arranged or whose
    # subject they may change (team managers also MACE panels). A partner reads only those it
    # or its organisation is invited to, and changes none; administrators nothing.
    "cases.meeting": MEETINGS,
    **{label: MEETINGS for label in ("cases.invitee",)},
    # Reports: staff as the meeting (read only); a partner its own.
    "cases.meetingreport": {
        "sw": ({"strategy_partner", "cc_staff"}, NONE),
        "sw2": ({"strategy_partner", "cc_staff"}, NONE),
        "sw3": (NONE, NONE),
        "tm": ({"strategy_partner", "cc_staff"}, NONE),
        "sm": ({"strategy_partner", "cc_staff"}, NONE),
        "partner": ({"strategy_partner"}, NONE),
        "admin": (NONE, NONE),
    },
    # Agenda, decisions, minutes: staff as the meeting; a partner the shareable parts of the
    # meetings it is invited to ("cc_shared"), changing none.
    **{
        label: {
            **{
                user: (
                    _parts(view) if view != NONE else NONE,
                    _parts(change) if change != NONE else NONE,
                )
                for user, (view, change) in MEETINGS.items()
            },
            "partner": ({"cc_shared"}, NONE),
        }
        for label in ("cases.agendaitem", "cases.decision", "cases.minutessection")
    },
    # Named in an assessment: staff who may see both the named young person and the
    # assessment; nobody changes it.
    "cases.assessmentmention": {
        **NOBODY,
        "sw": ({"place_team"}, NONE),
        "sw2": ({"place_team"}, NONE),
        "tm": ({"place_team"}, NONE),
        "sm": ({"place_team"}, NONE),
    },
    # Requests for sign-off (waiting) on team one's, team two's and the restricted young
    # people, team one's place ("ctx") and group ("pg"), and one a partner asked for about team
    # one's place ("agency"): staff read them as the subject, whoever asked reads their own;
    # team managers whose team holds the subject decide them.
    "approvals.approval": {
        "sw": ({"own", "team", "ctx", "pg", "agency"}, NONE),
        "sw2": ({"own", "team", "restricted", "ctx", "pg", "agency"}, NONE),
        "sw3": ({"other"}, NONE),
        "tm": ({"own", "team", "ctx", "pg", "agency"}, {"own", "team", "ctx", "pg", "agency"}),
        "sm": ({"own", "team", "other", "ctx", "pg", "agency"}, NONE),
        "partner": ({"agency"}, NONE),
        "admin": (NONE, NONE),
    },
    # Plans (tests/conftest.py): staff as the subject (senior managers read); a partner reads
    # the plans (and their goals) that ask its organisation for something — team one's place
    # plan, where the police record a measure and own a response — and changes none; reviews
    # and history are the council's.
    **{
        label: {
            "sw": ({"ctx", "own"}, {"ctx", "own"}),
            "sw2": ({"ctx", "own", "restricted"}, {"ctx", "restricted"}),
            "sw3": ({"other"}, {"other"}),
            "tm": ({"ctx", "own"}, {"ctx", "own"}),
            "sm": ({"ctx", "own", "other"}, NONE),
            "partner": ({"ctx"} if label in ("cases.plan", "cases.goal") else NONE, NONE),
            "admin": (NONE, NONE),
        }
        for label in ("cases.plan", "cases.goal", "cases.planreview", "cases.planevent")
    },
    # Measures: as the plan, and the worker named to record one (sw3, on team one's place);
    # a partner the measures its organisation is asked to record (changing one is recording
    # its values). Their values: read alike; changed by the staff who change the plan only.
    "cases.measure": {
        "sw": ({"ctx", "ctx_sw3", "own"},) * 2,
        "sw2": ({"ctx", "ctx_sw3", "own"}, {"ctx", "ctx_sw3"}),
        "sw3": ({"other", "ctx_sw3"},) * 2,
        "tm": ({"ctx", "ctx_sw3", "own"},) * 2,
        "sm": ({"ctx", "ctx_sw3", "own", "other"}, NONE),
        "partner": ({"ctx"}, {"ctx"}),
        "admin": (NONE, NONE),
    },
    "cases.measurevalue": {
        "sw": ({"ctx", "ctx_sw3", "own"},) * 2,
        "sw2": ({"ctx", "ctx_sw3", "own"}, {"ctx", "ctx_sw3"}),
        "sw3": ({"other", "ctx_sw3"}, {"other"}),
        "tm": ({"ctx", "ctx_sw3", "own"},) * 2,
        "sm": ({"ctx", "ctx_sw3", "own", "other"}, NONE),
        "partner": ({"ctx"}, NONE),
        "admin": (NONE, NONE),
    },
    "cases.transferrequest": {
        **NOBODY,
        "tm": ({"out", "in"}, {"out", "in"}),  # sending and receiving manager
        "sm": ({"out", "in"}, NONE),
    },
    "cases.referral": {
        "sw": ({"agency", "staff"}, NONE),
        "sw2": ({"agency"}, NONE),
        "sw3": (NONE, NONE),
        "tm": ({"agency", "other_agency", "staff"}, {"agency", "other_agency", "staff"}),
        "sm": ({"agency", "other_agency", "staff"}, NONE),
        "partner": ({"agency"}, NONE),
        "admin": (NONE, NONE),
    },
    "cases.referralsubject": {
        "sw": ({"agency:yp", "staff:described"}, NONE),
        "sw2": ({"agency:yp"}, NONE),
        "sw3": (NONE, NONE),
        "tm": (
            {"agency:yp", "other_agency:described", "staff:described"},
            {"agency:yp", "other_agency:described", "staff:described"},
        ),
        "sm": ({"agency:yp", "other_agency:described", "staff:described"}, NONE),
        "partner": ({"agency:yp"}, NONE),
        "admin": (NONE, NONE),
    },
    "accounts.organisation": {
        **{user: ({"la", "p1", "p2"}, NONE) for user in LA_STAFF},
        "partner": ({"p1"}, NONE),
        "admin": ({"la", "p1", "p2"}, {"la", "p1", "p2"}),
    },
    "accounts.team": {
        **{user: ({"t1", "t2"}, NONE) for user in LA_STAFF},
        "partner": (NONE, NONE),
        "admin": ({"t1", "t2"}, {"t1", "t2"}),
    },
    # The authority's data protection officer is one of its people like any other.
    "accounts.user": {
        **{user: (LA_STAFF | {"dpo"}, NONE) for user in LA_STAFF},
        "partner": ({"partner"}, NONE),
        "admin": (
            LA_STAFF | {"dpo", "partner", "partner2"},
            LA_STAFF | {"dpo", "partner", "partner2"},
        ),
    },
    "cases.harmcategory": {**{user: (ALL, NONE) for user in YP}, "admin": (ALL, ALL)},
    # Grants and the audit: administrators only (rows are not named in the world; ALL = every row).
    "cases.youngpersonuserobjectpermission": ADMINISTRATORS_READ,
    "cases.youngpersongroupobjectpermission": ADMINISTRATORS_READ,
    "contexts.contextuserobjectpermission": ADMINISTRATORS_READ,
    "contexts.contextgroupobjectpermission": ADMINISTRATORS_READ,
    "peers.peergroupuserobjectpermission": ADMINISTRATORS_READ,
    "peers.peergroupgroupobjectpermission": ADMINISTRATORS_READ,
    # Deliveries: each member of staff sees their own; managers and administrators the
    # authority's whole delivery log and may retry; a partner agency what it was sent.
    "notifications.notification": {
        **NOBODY,
        "sw": ({"own"}, NONE),
        "sw2": ({"team", "restricted"}, NONE),
        "sw3": ({"other"}, NONE),
        "partner": ({"agency"}, NONE),
        **{
            manager: ({"own", "team", "other", "restricted", "agency"},) * 2
            for manager in ("tm", "sm", "admin")
        },
    },
    # Where organisations are told: administrators manage their authority's and its partners';
    # a partner agency its own organisation's.
    "notifications.channel": {
        **NOBODY,
        "partner": ({"p1"}, {"p1"}),
        "admin": ({"la", "p1", "p2"}, {"la", "p1", "p2"}),
    },
    # Administrators read their own authority's audit only: rows about another's records not.
    "auditlog.logentry": {**NOBODY, "admin": ({"la"}, NONE)},
    "audit.entryseal": NOBODY,
    "audit.chainhead": NOBODY,
    # The partner API's own rows (made by _add_api_rows): a token of each partner agency of the
    # authority ("p1", "p2") and of another authority's ("p3"); idempotency keys of the same,
    # and one of a member of staff ("staff"). Administrators manage their partners' tokens and
    # may look at the keys; nobody else sees either.
    "api.apitoken": {**NOBODY, "admin": ({"p1", "p2"}, {"p1", "p2"})},
    "api.idempotencykey": {**NOBODY, "admin": ({"p1", "p2", "staff"}, NONE)},
    # Subject access requests: the data protection officer's alone, through ACCOUNT (tests/
    # subject_access/); nobody reads or changes one through VIEW or CHANGE.
    "subject_access.subjectaccessrequest": NOBODY,
    "subject_access.bundle": NOBODY,
    # The data protection officer's reviews of unusual access: ACCOUNT only
    # (tests/dataprotection/test_access_log.py).
    "dataprotection.accessreview": NOBODY,
    # Retention: the data protection officer's, through ACCOUNT only (tests/retention).
    "retention.retentionrule": NOBODY,
    "retention.retentionrulechange": NOBODY,
    "retention.legalhold": NOBODY,
    "retention.retentionreview": NOBODY,
    "retention.disposalstub": NOBODY,
}

OUR_APPS = {
    "accounts",
    "subjects",
    "audit",
    "notifications",
    "approvals",
    "cases",
    "contexts",
    "peers",
    "api",
    "subject_access",
    "dataprotection",
    "retention",
}


def test_every_model_is_in_the_table():
    ours = {
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_label in OUR_APPS and not m._meta.auto_created
    }
    governed = visibility.governed_models()
    assert ours <= governed, f"models without a visibility rule: {ours - governed}"
    assert governed == set(TABLE), (
        f"rule without a table row: {governed - set(TABLE)}; "
        f"table row without a rule: {set(TABLE) - governed}"
    )


def test_every_record_type_that_hangs_off_a_subject_is_governed():
    """Each registered record type (safeguarding/subjects/registry.py) has a rule, and those
    read through their subject are exactly what ``visibility.about()`` reads, by the declared
    path: nothing hangs off a subject without a declaration."""
    from safeguarding.subjects import registry

    governed = visibility.governed_models()
    record_types = registry.record_types()
    missing = {r.label_lower for r in record_types} - governed
    assert not missing, f"record types without a visibility rule: {missing}"
    through = {r.label_lower: r.subject_paths[0] for r in record_types if r.visibility}
    assert {label: path for label, (path, _) in visibility._ABOUT.items()} == through


def test_unknown_model_is_refused(db, world):
    from django.contrib.sessions.models import Session

    with pytest.raises(LookupError):
        visibility.restrict(world.users["admin"], Session)


def _names(world, label, queryset) -> set[str]:
    if label == "auditlog.logentry":
        # Audit rows are named by the authority of the record each is about (not by its seal).
        from safeguarding.audit.registry import authority_of

        authorities = {org.pk: name for name, org in world.records["accounts.organisation"].items()}
        return {
            authorities.get(authority_of(entry.content_type.model_class(), entry.object_pk), "?")
            for entry in queryset.select_related("content_type")
        }
    named = world.records.get(label)
    pks = set(queryset.values_list("pk", flat=True))
    if named is None:  # rows not named in the world: compare against the whole table
        if not pks:
            return set()
        everything = set(queryset.model._default_manager.values_list("pk", flat=True))
        return {ALL} if pks == everything else {f"{len(pks)} of {len(everything)} rows"}
    by_pk = {obj.pk: name for name, obj in named.items()}
    return {by_pk.get(pk, f"unnamed:{pk}") for pk in pks}


def _expected(world, label, value):
    if value == ALL:
        if label in world.records:
            return set(world.records[label])
        return {ALL}
    return set(value)


def _add_api_rows(world):
    from datetime import timedelta

    from django.utils import timezone

    from safeguarding.api.models import ApiToken
    from safeguarding.api.services import api_service_user_for

    orgs = world.records["accounts.organisation"]
    for name in ("p1", "p2", "p3"):
        service_user = api_service_user_for(orgs[name])
        world.add(
            "api.apitoken",
            name,
            ApiToken.objects.create(
                organisation=orgs[name],
                name=f"{name} system",
                service_user=service_user,
                prefix=f"test{name}",
                hashed_key=f"{name:0>64}",
                expires_at=timezone.now() + timedelta(days=30),
            ),
        )
        world.add("api.idempotencykey", name, _key(service_user))
    world.add("api.idempotencykey", "staff", _key(world.users["sw"]))


BOROUGH_FIGURES = {
    "cases.boroughfigures",
    "cases.placeconcerncount",
    "cases.monthlyconcerncount",
    "cases.monthlyreferralcount",
}


def _add_figures(world):
    """The borough's figures worked out (tests/contexts/test_hotspots.py shows that another
    authority's are never shown)."""
    from cases import figures

    figures.borough_figures_refresh(authority=world.records["accounts.organisation"]["la"])


def _key(caller):
    from safeguarding.api.models import IdempotencyKey

    return IdempotencyKey.objects.create(
        caller=caller,
        organisation=caller.organisation,
        key="k",
        method="POST",
        path="/api/v1/referrals/",
        fingerprint="0" * 64,
    )


@pytest.mark.parametrize("label", sorted(TABLE))
def test_rule_table_through_the_orm(world, label):
    if label == "auditlog.logentry":
        # Make sure there is audit to see.
        from safeguarding.audit.registry import record_read

        record_read(world.records["cases.youngperson"]["own"])
    if label.startswith("api."):
        _add_api_rows(world)
    if label in BOROUGH_FIGURES:
        _add_figures(world)
    model = apps.get_model(label)
    rows = TABLE[label]
    assert set(rows) == set(world.users), "every role is in every row of the table"
    problems = []
    for user_name, (may_view, may_change) in rows.items():
        user = world.users[user_name]
        for action, expected in ((visibility.VIEW, may_view), (visibility.CHANGE, may_change)):
            got = _names(world, label, visibility.restrict(user, model, action))
            want = _expected(world, label, expected) if expected else set()
            if got != want:
                problems.append(f"{user_name} {action}: got {sorted(got)}, want {sorted(want)}")
    assert not problems, "\n".join(problems)


def test_picking_places_partners_choose_from_their_authoritys_directory(world):
    """PICK (choosing a record, here by reference in a referral) is not in the table: for places
    it is the authority's directory, for staff and for the authority's partner agencies (who see
    a place's name, kind and reference only). Partners still VIEW only their guardianships."""
    from contexts.models import Context
    from tests.conftest import make_user

    elsewhere = Context(
        authority=world.records["accounts.organisation"]["la2"], name="Far park", kind="park"
    )
    elsewhere.save()
    places = {**world.records["contexts.context"], "elsewhere": elsewhere}
    p3_partner = make_user("p3_partner", "partner", world.records["accounts.organisation"]["p3"])
    users = {**world.records["accounts.user"], "p3_partner": p3_partner}
    expected = {
        **{name: {"team", "other"} for name in ("sw", "sw3", "tm", "sm", "admin")},
        "partner": {"team", "other"},
        "partner2": {"team", "other"},
        "la2_sw": {"elsewhere"},
        "p3_partner": {"elsewhere"},
    }
    by_pk = {place.pk: name for name, place in places.items()}
    for name, want in expected.items():
        picked = visibility.restrict(users[name], Context, visibility.PICK)
        assert {by_pk[pk] for pk in picked.values_list("pk", flat=True)} == want, name
    # Picking does not widen what a partner may view or change.
    assert set(visibility.restrict(users["partner"], Context).values_list("pk", flat=True)) == {
        places["team"].pk
    }
    assert not visibility.restrict(users["partner"], Context, visibility.CHANGE).exists()


def test_inactive_and_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    from cases.models import YoungPerson

    assert not visibility.restrict(AnonymousUser(), YoungPerson).exists()
    tm = world.users["tm"]
    tm.is_active = False
    assert not visibility.restrict(tm, YoungPerson).exists()


# --- who may do what at all: the role predicates, as a table -------------------------------

#: Each predicate's answer per user, in the order of the columns below. "system" is a partner
#: organisation's API service account (what its tokens act as); "root" a superuser whose role
#: is the model's default; "inactive tm" a team manager deactivated. "mt": meeting_workers,
#: "at": attends_meetings.
GATES = [
    "logs_concerns",
    "manages_team",
    "oversees_authority",
    "reads_delivery_log",
    "searches",
    "refers",
    "registers_webhook_endpoints",
    "issues_tokens",
    "administers",
    "reviews_sign_in_setup",
    "is_administrator",
    "is_council_staff",
    "is_partner_agency",
    "is_partner_system",
    "keeps_case_notes",
    "signs_off",
    "meeting_workers",
    "attends_meetings",
]
GATE_TABLE = {
    #               logs mng ovs dlv srch ref hook tok adm rev isadm staff prt sys notes sign mt at
    "sw":          (1,   0,  0,  0,  1,   1,  0,   0,  0,  0,  0,    1,    0,  0,  1,  0,  1, 1),
    "tm":          (1,   1,  0,  1,  1,   1,  0,   0,  0,  0,  0,    1,    0,  0,  1,  1,  1, 1),
    "sm":          (0,   0,  1,  1,  1,   0,  0,   0,  0,  0,  0,    1,    0,  0,  1,  0,  0, 1),
    "partner":     (0,   0,  0,  0,  0,   1,  1,   0,  0,  0,  0,    0,    1,  0,  0,  0,  0, 1),
    "system":      (0,   0,  0,  0,  0,   1,  1,   0,  0,  0,  0,    0,    1,  1,  0,  0,  0, 1),
    "admin":       (0,   0,  0,  1,  1,   0,  0,   1,  1,  1,  1,    0,    0,  0,  0,  0,  0, 0),
    "root":        (0,   0,  0,  0,  1,   0,  0,   0,  0,  1,  0,    1,    0,  0,  1,  0,  1, 1),
    "inactive tm": (0,   0,  0,  0,  0,   0,  0,   0,  0,  0,  0,    1,    0,  0,  0,  0,  0, 0),
    "anonymous":   (0,   0,  0,  0,  0,   0,  0,   0,  0,  0,  0,    0,    0,  0,  0,  0,  0, 0),
}  # fmt: skip


def _gate_users(world) -> dict:
    from django.contrib.auth.models import AnonymousUser

    from safeguarding.accounts.models import User
    from safeguarding.api.services import api_service_user_for

    inactive_tm = User.objects.get(pk=world.users["tm"].pk)
    inactive_tm.is_active = False
    return {
        **{name: world.users[name] for name in ("sw", "tm", "sm", "partner", "admin")},
        "system": api_service_user_for(world.records["accounts.organisation"]["p1"]),
        "root": User(username="root", is_superuser=True, is_staff=True),
        "inactive tm": inactive_tm,
        "anonymous": AnonymousUser(),
    }


def test_who_may_do_what_is_a_predicate_of_the_rule_per_role(world):
    users = _gate_users(world)
    assert set(users) == set(GATE_TABLE)
    wrong = [
        f"{name}: {gate} is {answer}, expected {bool(want)}"
        for name, row in GATE_TABLE.items()
        for gate, want in zip(GATES, row, strict=True)
        if (answer := getattr(visibility, gate)(users[name])) is not bool(want)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_partner_system_is_told_apart_by_having_no_way_to_sign_in(world):
    """A partner-role account with an email address or a usable password is a person's."""
    system = _gate_users(world)["system"]
    assert visibility.is_partner_system(system)
    system.email = "systems@p1.example.org"
    assert not visibility.is_partner_system(system)
    system.email = ""
    system.set_password("a-password-someone-knows")
    assert not visibility.is_partner_system(system)


def test_get_or_404_treats_denied_like_missing(world):
    from django.http import Http404

    from cases.models import YoungPerson

    other = world.records["cases.youngperson"]["other"]
    with pytest.raises(Http404):
        visibility.get_or_404(world.users["sw"], YoungPerson, pk=other.pk)
    with pytest.raises(Http404):
        visibility.get_or_404(world.users["sw"], YoungPerson, pk=10**9)
    assert visibility.get_or_404(world.users["sw3"], YoungPerson, pk=other.pk) == other


# --- the same table through HTTP ------------------------------------------------------------

PAGES = {
    # label: (view page, change page or None)
    **{pages.label: (pages.detail, pages.edit) for pages in SUBJECT_PAGES},
    "cases.case": ("cases:case", None),
    "cases.casenote": ("cases:case-note", None),
    "cases.concern": ("cases:concern", None),
    "cases.referral": ("cases:referral", None),
    # An action has no page of its own; recording progress on it is a change.
    "cases.action": (None, "cases:action-progress"),
    "cases.meeting": ("meetings:meeting", "meetings:change"),
}


@pytest.mark.parametrize("label", sorted(PAGES))
def test_rule_table_through_http(world, client, label):
    view_page, change_page = PAGES[label]
    problems = []
    for user_name, (may_view, may_change) in TABLE[label].items():
        client.force_login(world.users[user_name])
        for name, obj in world.records[label].items():
            checks = []
            if view_page:
                checks.append((view_page, name in _expected(world, label, may_view)))
            if change_page:
                checks.append((change_page, name in _expected(world, label, may_change)))
            for page, allowed in checks:
                status = client.get(reverse(page, args=[obj.pk])).status_code
                if status != (200 if allowed else 404):
                    problems.append(f"{user_name} GET {page} {name}: {status}")
        client.logout()
    assert not problems, "\n".join(problems)


def test_missing_and_denied_pages_are_the_same_404(world, client):
    client.force_login(world.users["sw"])
    other = world.records["cases.youngperson"]["other"]
    denied = client.get(reverse("cases:young-person", args=[other.pk]))
    missing = client.get(reverse("cases:young-person", args=[10**9]))
    assert denied.status_code == missing.status_code == 404

    def without_csrf_token(response):  # the only part that differs: a fresh mask per page
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)

    assert without_csrf_token(denied) == without_csrf_token(missing)
    assert b"Page not found" in denied.content


def test_pages_need_sign_in(world, client):
    yp = world.records["cases.youngperson"]["own"]
    response = client.get(reverse("cases:young-person", args=[yp.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_denied_change_through_http_saves_nothing(world, client):
    yp = world.records["cases.youngperson"]["team"]
    client.force_login(world.users["sw"])  # may read, may not change
    response = client.post(
        reverse("cases:young-person-edit", args=[yp.pk]),
        {"given_name": "Changed", "family_name": "Changed", "gender": "not_known"},
    )
    assert response.status_code == 404
    yp.refresh_from_db()
    assert yp.given_name != "Changed"


ADMIN_PAGES = {
    "accounts.organisation": "admin:accounts_organisation_change",
    "accounts.team": "admin:accounts_team_change",
    "accounts.user": "admin:accounts_user_change",
    "contexts.context": "admin:contexts_context_change",
    "cases.youngperson": "admin:cases_youngperson_change",
    "cases.concern": "admin:cases_concern_change",
}


@pytest.mark.parametrize("label", sorted(ADMIN_PAGES))
def test_admin_site_follows_the_rule(world, client, label):
    """Only administrators use the admin, and it shows them only what the rule allows
    (the admin answers a denied or missing object by redirecting to its index)."""
    problems = []
    for user_name, (may_view, _) in TABLE[label].items():
        client.force_login(world.users[user_name])
        for name, obj in world.records[label].items():
            status = client.get(reverse(ADMIN_PAGES[label], args=[obj.pk])).status_code
            allowed = user_name == "admin" and name in _expected(world, label, may_view)
            if status != (200 if allowed else 302):
                problems.append(f"{user_name} admin {label} {name}: {status}")
        client.logout()
    assert not problems, "\n".join(problems)
