"""Who may see and do what: the one rule.

Every page, API endpoint, export and task gets its querysets through :func:`restrict` (or
:func:`get_or_404`, :func:`can`). Nothing else in the code base decides access to case content.

The rule, in words:

* **Social worker**: reads and changes the young people and cases allocated to them; reads the
  rest of their team's; sees and records on the contexts and peer groups their team works with.
* **Team manager**: reads and changes everything of their team, and triages referrals.
* **Senior manager**: reads everything of their authority; changes nothing.
* **Partner agency user** (a person, or an organisation's API token acting as its API user):
  only what their organisation submitted (referrals) or was assigned (actions; contexts it is
  a guardian of); never another agency's. To refer to a known place it may *pick* (name, kind
  and reference only) from its authority's directory of places.
* **Administrator**: users, organisations, teams, reference data and the directory of places;
  no case content unless named on a record.
* **Restricted young people**: only staff named on the record (a direct grant), whatever their
  role. Allocation names the allocated worker.

Grants are rows in django-guardian's direct foreign-key tables: a *user* grant names a person on
a record (the allocated worker, named staff), a *group* grant gives a team the record (its
caseload, the places and groups it works with). Services change grants in the same transaction
as the allocation or transfer that causes them.

Records that hang off a subject (cases, concerns, memberships …) are visible through their
subjects, so the rule for a young person is written once and reused.
"""

from collections.abc import Callable
from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

VIEW = "view"
CHANGE = "change"
#: Choosing a record in a form (type-ahead). For most models the same as VIEW; for places it is
#: the authority's whole directory, so staff pick the known place instead of adding a duplicate.
PICK = "pick"
#: Matching a referral against what the authority knows (the front door). Wider than PICK for
#: team managers: young people of other teams (never restricted ones), identity only.
MATCH = "match"

_POLICIES: dict[str, Callable] = {}


class Action(StrEnum):
    VIEW = VIEW
    CHANGE = CHANGE
    PICK = PICK
    MATCH = MATCH


NOTHING = Q(pk__in=[])
EVERYTHING = Q()


def policy(*labels: str):
    """Register the policy for one or more models, by ``app_label.ModelName``."""

    def register(fn):
        for label in labels:
            _POLICIES[label.lower()] = fn
        return fn

    return register


def governed_models() -> set[str]:
    """Labels of every model the rule covers (tests check that no model is missing)."""
    return set(_POLICIES)


def _label(model) -> str:
    return model._meta.label_lower


def _q(user, model, action: str) -> Q:
    if action not in (VIEW, CHANGE, PICK, MATCH):
        raise ValueError(f"Unknown action {action!r}")
    try:
        fn = _POLICIES[_label(model)]
    except KeyError:
        # A model nobody wrote a rule for is visible to nobody.
        raise LookupError(f"No visibility rule for {_label(model)}") from None
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if action == MATCH and not getattr(fn, "has_match_rule", False):
        action = PICK
    if action == PICK and not getattr(fn, "has_pick_rule", False):
        action = VIEW
    return fn(user, action)


def restrict(user, model_or_queryset, action: str = VIEW) -> QuerySet:
    """The rows of a model (or of a queryset) that ``user`` may see or change."""
    if isinstance(model_or_queryset, QuerySet):
        qs = model_or_queryset
    else:
        qs = model_or_queryset._default_manager.all()
    return qs.filter(_q(user, qs.model, action))


def get_or_404(user, model_or_queryset, action: str = VIEW, **lookup) -> Model:
    """One row, or ``Http404`` whether it is missing or denied: the two look the same."""
    try:
        return restrict(user, model_or_queryset, action).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such record") from None


def can(user, obj: Model, action: str = VIEW) -> bool:
    return restrict(user, type(obj), action).filter(pk=obj.pk).exists()


# --- what a role may do beyond single records (pages of managers) --------------------------
# Records on those pages still come through restrict(); these say who may open the page at all.
# A user who may not is answered 404, like a missing page.


def logs_concerns(user) -> bool:
    """Logging concerns: practitioners in a team (social workers and team managers)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.team_id
        and user.role in (_roles().SOCIAL_WORKER, _roles().TEAM_MANAGER)
    )


def manages_team(user) -> bool:
    """Team caseload, allocation and transfers, the front door's triage: team managers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == _roles().TEAM_MANAGER
        and user.team_id
    )


def oversees_authority(user) -> bool:
    """Hotspots and themes across the borough: senior managers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == _roles().SENIOR_MANAGER
        and user.organisation_id
    )


# --- helpers -------------------------------------------------------------------------------


def _roles():
    from safeguarding.accounts.models import User

    return User.Role


def _is(user, *roles) -> bool:
    return user.role in roles


def _named(grant_model, user, codename: str) -> Exists:
    """The user is named on the record by a direct grant."""
    return Exists(
        grant_model.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=codename
        )
    )


def _team_grant(grant_model, user, codename: str) -> Exists | Q:
    """The user's team holds a grant on the record."""
    if not user.team_id:
        return NOTHING
    return Exists(
        grant_model.objects.filter(
            content_object=OuterRef("pk"),
            group__team__id=user.team_id,
            permission__codename=codename,
        )
    )


def _visible(user, label: str, action: str = VIEW) -> QuerySet:
    from django.apps import apps

    return restrict(user, apps.get_model(label), action)


def _visible_subject_ids(user, action: str = VIEW) -> QuerySet:
    return _visible(user, "subjects.Subject", action).values("pk")


# --- subjects ------------------------------------------------------------------------------


@policy("cases.YoungPerson")
def young_person_rule(user, action):
    from cases.models import YoungPersonGroupObjectPermission, YoungPersonUserObjectPermission

    R = _roles()
    if action == MATCH:
        # The front door matches referrals against everyone the authority knows: a team
        # manager may find and link any young person who is not restricted (identity only:
        # pages and forms still need VIEW). Everyone else matches what they may see.
        if _is(user, R.TEAM_MANAGER):
            named = _named(YoungPersonUserObjectPermission, user, "view_youngperson")
            return Q(named) | (Q(subject__authority_id=user.organisation_id) & Q(restricted=False))
        action = VIEW
    named = _named(YoungPersonUserObjectPermission, user, f"{action}_youngperson")
    unrestricted = Q(restricted=False)
    if action == VIEW:
        if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
            team = _team_grant(YoungPersonGroupObjectPermission, user, "view_youngperson")
            return Q(named) | (Q(team) & unrestricted)
        if _is(user, R.SENIOR_MANAGER):
            return Q(named) | (Q(subject__authority_id=user.organisation_id) & unrestricted)
        if _is(user, R.ADMINISTRATOR):
            return Q(named)
        return NOTHING
    # CHANGE
    if _is(user, R.SOCIAL_WORKER, R.ADMINISTRATOR):
        return Q(named)
    if _is(user, R.TEAM_MANAGER):
        team = _team_grant(YoungPersonGroupObjectPermission, user, "view_youngperson")
        return Q(named) | (Q(team) & unrestricted)
    return NOTHING  # senior managers read, partners never


def _team_worked_rule(
    user, action, user_grant, group_grant, codename_suffix, extra_view=None, admin_directory=False
):
    """Peer groups and contexts: visible to the teams that work with them."""
    R = _roles()
    named_view = _named(user_grant, user, f"view_{codename_suffix}")
    named_change = _named(user_grant, user, f"change_{codename_suffix}")
    team = _team_grant(group_grant, user, f"view_{codename_suffix}")
    authority = Q(subject__authority_id=user.organisation_id)
    if action == VIEW:
        if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
            return Q(named_view) | Q(team)
        if _is(user, R.SENIOR_MANAGER):
            return Q(named_view) | authority
        if _is(user, R.ADMINISTRATOR):
            return authority if admin_directory else Q(named_view)
        if _is(user, R.PARTNER) and extra_view is not None:
            return extra_view
        return NOTHING
    if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
        return Q(named_change) | Q(team)
    if _is(user, R.ADMINISTRATOR):
        return authority if admin_directory else Q(named_change)
    return NOTHING


@policy("peers.PeerGroup")
def peer_group_rule(user, action):
    from peers.models import PeerGroupGroupObjectPermission, PeerGroupUserObjectPermission

    return _team_worked_rule(
        user, action, PeerGroupUserObjectPermission, PeerGroupGroupObjectPermission, "peergroup"
    )


@policy("contexts.Context")
def context_rule(user, action):
    from contexts.models import (
        ContextGroupObjectPermission,
        ContextGuardian,
        ContextUserObjectPermission,
    )

    if action == PICK:
        R = _roles()
        if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
            return Q(subject__authority_id=user.organisation_id)
        if _is(user, R.PARTNER):
            # A partner refers to a known place by its reference: it may pick from the
            # directory of the authority it works with. Picking shows a place's name, kind and
            # reference only (GET /api/v1/contexts/); it opens no page and no case content.
            if not user.organisation_id:
                return NOTHING
            return Q(subject__authority__partners__id=user.organisation_id)
        action = VIEW
    # A partner sees the places its organisation is a guardian of.
    partner_view = Q(
        Exists(
            ContextGuardian.objects.filter(
                context=OuterRef("pk"), organisation_id=user.organisation_id
            )
        )
    )
    # Places hold no child's data: administrators keep the directory of places tidy.
    return _team_worked_rule(
        user,
        action,
        ContextUserObjectPermission,
        ContextGroupObjectPermission,
        "context",
        extra_view=partner_view if user.organisation_id else NOTHING,
        admin_directory=True,
    )


context_rule.has_pick_rule = True
young_person_rule.has_match_rule = True


@policy("subjects.Subject")
def subject_rule(user, action):
    return (
        Q(pk__in=_visible(user, "cases.YoungPerson", action).values("subject_id"))
        | Q(pk__in=_visible(user, "peers.PeerGroup", action).values("subject_id"))
        | Q(pk__in=_visible(user, "contexts.Context", action).values("subject_id"))
    )


# --- records about a young person -----------------------------------------------------------


@policy("cases.Alias", "cases.HarmFlag")
def young_person_detail_rule(user, action):
    return Q(young_person__in=_visible(user, "cases.YoungPerson", action).values("pk"))


@policy("cases.Case")
def case_rule(user, action):
    R = _roles()
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        # Case work is case content, even on a place an administrator keeps in the directory.
        return NOTHING
    visible_subject = Q(subject__in=_visible_subject_ids(user, VIEW))
    if action == VIEW:
        return visible_subject
    if _is(user, R.TEAM_MANAGER):
        return visible_subject & Q(team_id=user.team_id)
    if _is(user, R.SOCIAL_WORKER):
        return visible_subject & Q(allocated_worker=user)
    return NOTHING


@policy("cases.Allocation")
def allocation_rule(user, action):
    return Q(case__in=_visible(user, "cases.Case", action).values("pk"))


@policy("cases.Action")
def action_rule(user, action):
    """Staff see actions on subjects they may see, and their own; a partner sees the actions
    assigned to its organisation (and may record progress on them)."""
    R = _roles()
    if _is(user, R.PARTNER):
        return Q(owner_organisation_id=user.organisation_id) if user.organisation_id else NOTHING
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        return NOTHING
    if action == VIEW:
        return Q(owner_user=user) | Q(subject__in=_visible_subject_ids(user, VIEW))
    if _is(user, R.SENIOR_MANAGER):
        return NOTHING
    return Q(owner_user=user) | Q(subject__in=_visible_subject_ids(user, CHANGE))


@policy("cases.TransferRequest")
def transfer_request_rule(user, action):
    """A transfer between teams is the business of both teams' managers (senior managers
    read); the receiving manager decides, the sending manager may withdraw."""
    R = _roles()
    if _is(user, R.TEAM_MANAGER) and user.team_id:
        return Q(from_team_id=user.team_id) | Q(to_team_id=user.team_id)
    if _is(user, R.SENIOR_MANAGER) and action == VIEW:
        return Q(from_team__organisation_id=user.organisation_id)
    return NOTHING


@policy("cases.Concern")
def concern_rule(user, action):
    from cases.models import ConcernSubject

    R = _roles()
    # Concerns are case content: administrators see none, whatever places they look after.
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        return NOTHING

    # Written as semi-joins on uncorrelated subqueries (concern id IN ...), which the
    # database works out once per query; correlated EXISTS over the subject rule's unions
    # cost seconds per page at a few thousand concerns.
    def about(action, kinds) -> Q:
        ids = Q()
        for label in kinds:
            ids |= Q(subject_id__in=_visible(user, label, action).values("subject_id"))
        return Q(pk__in=ConcernSubject.objects.filter(ids).values("concern_id"))

    with_young_people = ConcernSubject.objects.filter(subject__kind="young_person")
    without_young_people = ~Q(pk__in=with_young_people.values("concern_id"))
    places_and_groups = ("peers.PeerGroup", "contexts.Context")

    # A concern about young people is seen by those who may see one of them; a concern about
    # only a place or a group follows that place or group.
    view = Q(authority_id=user.organisation_id) & (
        Q(logged_by=user)
        | about(VIEW, ["cases.YoungPerson"])
        | (without_young_people & about(VIEW, places_and_groups))
    )
    if action == VIEW:
        return view
    if _is(user, R.SENIOR_MANAGER):
        return NOTHING
    return view & (
        Q(logged_by=user)
        | about(CHANGE, ["cases.YoungPerson"])
        | (without_young_people & about(CHANGE, places_and_groups))
    )


@policy("cases.ConcernSubject")
def concern_subject_rule(user, action):
    return Q(concern__in=_visible(user, "cases.Concern", action).values("pk")) & Q(
        subject__in=_visible_subject_ids(user, VIEW)
    )


@policy("cases.Referral")
def referral_rule(user, action):
    from cases.models import ReferralSubject

    R = _roles()
    if action == VIEW:
        if _is(user, R.PARTNER):
            return Q(source_organisation_id=user.organisation_id)
        if _is(user, R.TEAM_MANAGER, R.SENIOR_MANAGER):
            return Q(authority_id=user.organisation_id)
        if _is(user, R.SOCIAL_WORKER):
            about_mine = Exists(
                ReferralSubject.objects.filter(
                    referral=OuterRef("pk"), subject__in=_visible_subject_ids(user, VIEW)
                )
            )
            return Q(authority_id=user.organisation_id) & (Q(referred_by=user) | Q(about_mine))
        return NOTHING
    if _is(user, R.TEAM_MANAGER):  # the front door: team managers triage
        return Q(authority_id=user.organisation_id)
    return NOTHING


@policy("cases.ReferralSubject")
def referral_subject_rule(user, action):
    R = _roles()
    referral = Q(referral__in=_visible(user, "cases.Referral", action).values("pk"))
    if _is(user, R.PARTNER):
        # What the partner itself described; the council's linked record is not theirs to see.
        return referral
    return referral & (Q(subject__isnull=True) | Q(subject__in=_visible_subject_ids(user, VIEW)))


# --- peers and contexts ---------------------------------------------------------------------


@policy("peers.PeerGroupMembership")
def membership_rule(user, action):
    return Q(peer_group__in=_visible(user, "peers.PeerGroup", action).values("pk")) & Q(
        young_person__in=_visible(user, "cases.YoungPerson", VIEW).values("pk")
    )


@policy("peers.Relationship")
def relationship_rule(user, action):
    # Both people must be visible: a relationship otherwise discloses the other person.
    visible = _visible(user, "cases.YoungPerson", VIEW).values("pk")
    both = Q(from_person__in=visible) & Q(to_person__in=visible)
    if action == VIEW:
        return both
    changeable = _visible(user, "cases.YoungPerson", CHANGE).values("pk")
    return both & (Q(from_person__in=changeable) | Q(to_person__in=changeable))


@policy("contexts.ContextGuardian")
def context_guardian_rule(user, action):
    R = _roles()
    rule = Q(context__in=_visible(user, "contexts.Context", action).values("pk"))
    if action == VIEW and _is(user, R.PARTNER):
        rule &= Q(organisation_id=user.organisation_id)
    return rule


# --- organisations, people, reference data, grants, audit ----------------------------------


@policy("accounts.Organisation")
def organisation_rule(user, action):
    R = _roles()
    if _is(user, R.PARTNER):
        return Q(pk=user.organisation_id) if action == VIEW else NOTHING
    if not user.organisation_id:
        return NOTHING
    mine = Q(pk=user.organisation_id) | Q(authority_id=user.organisation_id)
    if action == VIEW:
        return mine
    return mine if _is(user, R.ADMINISTRATOR) else NOTHING


@policy("accounts.Team")
def team_rule(user, action):
    R = _roles()
    if _is(user, R.PARTNER) or not user.organisation_id:
        return NOTHING
    mine = Q(organisation_id=user.organisation_id)
    if action == VIEW:
        return mine
    return mine if _is(user, R.ADMINISTRATOR) else NOTHING


@policy("accounts.User")
def user_rule(user, action):
    R = _roles()
    if not user.organisation_id:
        return Q(pk=user.pk) if action == VIEW else NOTHING
    if _is(user, R.ADMINISTRATOR):
        return Q(organisation_id=user.organisation_id) | Q(
            organisation__authority_id=user.organisation_id
        )
    if action == VIEW:
        return Q(pk=user.pk) | Q(organisation_id=user.organisation_id)
    return NOTHING


@policy("cases.HarmCategory")
def harm_category_rule(user, action):
    if action == VIEW:
        return EVERYTHING
    return EVERYTHING if _is(user, _roles().ADMINISTRATOR) else NOTHING


@policy(
    "cases.YoungPersonUserObjectPermission",
    "cases.YoungPersonGroupObjectPermission",
    "peers.PeerGroupUserObjectPermission",
    "peers.PeerGroupGroupObjectPermission",
    "contexts.ContextUserObjectPermission",
    "contexts.ContextGroupObjectPermission",
)
def grant_rule(user, action):
    # Who is named on which record: administrators manage it (names of children are not shown,
    # only references). Everyone else works through services that change grants for them.
    if not _is(user, _roles().ADMINISTRATOR) or not user.organisation_id:
        return NOTHING
    return Q(content_object__subject__authority_id=user.organisation_id)


def reads_delivery_log(user) -> bool:
    """The delivery log of notifications (and its manual retry): managers and administrators of
    a local authority."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organisation_id
        # council staff roles belong to a local authority: the User model ensures it
        and user.role in (_roles().TEAM_MANAGER, _roles().SENIOR_MANAGER, _roles().ADMINISTRATOR)
    )


@policy("notifications.Notification")
def notification_rule(user, action):
    # Recipients see what they were sent. Managers and administrators see their authority's
    # delivery log and may retry a delivery (the row holds a reference and a link, no content;
    # the log page shows a young person's, place's or group's reference only to those who may
    # open that record).
    mine = Q(recipient_user=user)
    if user.organisation_id:
        mine |= Q(recipient_organisation_id=user.organisation_id)
    if reads_delivery_log(user):
        return Q(authority_id=user.organisation_id)
    return mine if action == VIEW else NOTHING


@policy("notifications.Channel")
def channel_rule(user, action):
    # Where an organisation is told: the authority's administrators manage every channel of
    # its partners and its own; a partner agency's user (or API token) its own organisation's.
    if not user.organisation_id:
        return NOTHING
    if _is(user, _roles().ADMINISTRATOR):
        return Q(organisation_id=user.organisation_id) | Q(
            organisation__authority_id=user.organisation_id
        )
    if _is(user, _roles().PARTNER):
        return Q(organisation_id=user.organisation_id)
    return NOTHING


# --- the partner API's own records ----------------------------------------------------------


@policy("api.ApiToken")
def api_token_rule(user, action):
    # Administrators issue and revoke the tokens of the partner agencies of their authority.
    if not _is(user, _roles().ADMINISTRATOR) or not user.organisation_id:
        return NOTHING
    return Q(organisation__authority_id=user.organisation_id)


@policy("api.IdempotencyKey")
def idempotency_key_rule(user, action):
    # Machinery behind safe retries: administrators may look (which keys, when, what status),
    # nobody changes them. The stored responses hold references and statuses, no case content.
    if action != VIEW or not _is(user, _roles().ADMINISTRATOR) or not user.organisation_id:
        return NOTHING
    return Q(organisation_id=user.organisation_id) | Q(
        organisation__authority_id=user.organisation_id
    )


@policy("auditlog.LogEntry")
def audit_rule(user, action):
    # Administrators (the data protection officer) review access; nobody changes the audit.
    if action == VIEW and _is(user, _roles().ADMINISTRATOR):
        return EVERYTHING
    return NOTHING
