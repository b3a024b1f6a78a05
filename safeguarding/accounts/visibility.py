"""Who may see and do what: the one rule.

Every page, API endpoint, export and task gets its querysets through :func:`restrict` (or
:func:`get_or_404`, :func:`can`). Nothing else in the code base decides access to case content.
Who may do something at all (open a manager's page, search, refer, register webhooks, issue
tokens, use the admin) is a named predicate here too (:func:`logs_concerns`, :func:`searches`,
:func:`refers` …): no other module tests a user's role to decide it.

The rule, in words:

* **Social worker**: reads and changes the young people and cases allocated to them; reads the
  rest of their team's; sees and records on the contexts and peer groups their team works with.
* **Team manager**: reads and changes everything of their team, and triages referrals.
* **Senior manager**: reads everything of their authority; changes nothing.
* **Partner agency user** (a person, or an organisation's API token acting as its API user):
  only what their organisation submitted (referrals) or was assigned (actions; contexts it is
  a guardian of, while it is); never another agency's. To refer to a known place it may
  *pick* (name, kind and reference only) from its authority's directory of places. It does
  not search (the search page is a 404 to it).
* **Administrator**: users, organisations, teams, reference data and the directory of places;
  no case content unless named on a record. Their own authority's audit, no other's.
* **Restricted young people**: only staff named on the record (a direct grant), whatever their
  role. Allocation names the allocated worker; a team manager of the team holding the record
  names and un-names other staff of the authority, with a reason (``NAME``, ``cases/naming.py``).
* **Break-glass**: an out-of-hours manager (``User.may_break_glass``) may open a young
  person's record they are not named on, for ``BREAK_GLASS_MINUTES``, giving a reason
  (``cases/restrictions/breakglass.py``): audited, and the data protection officer and the
  holding team's managers are told. Read only.
* **Nobody widens their own access** (``separation.py``): administrators never change their own
  role, team, organisation, flags, groups or permissions, nor name themselves on a record;
  grant rows are read-only to everyone (only services write them).

Grants are rows in django-guardian's direct foreign-key tables: a *user* grant names a person on
a record (the allocated worker, named staff), a *group* grant gives a team the record (its
caseload, the places and groups it works with). Services change grants in the same transaction
as the allocation or transfer that causes them.

Records that hang off a subject (cases, concerns, memberships …) are visible through their
subjects, so the rule for a young person is written once and reused.

How the rule is worked out (its meaning above; its cost here)
---------------------------------------------------------------
A borough holds a hundred thousand young people and a million concerns; a page shows a few
dozen rows. So the rule is written as conditions on *one row*, using that row's own keys, and
the database is never asked for "everything the user may see" as a list:

* **Grants by index.** "Is this user (or their team) named on this record?" is an ``EXISTS``
  on guardian's grant table by (user or team group, permission, record): one probe of its
  unique index. The permission ids and the team's group are read once per user object (for a
  request, its signed-in user) and put in the SQL as constants (:func:`_keys`).
* **Through the row's own foreign key.** A record visible through another (an alias through
  its young person, an allocation through its case, a case through its subject) probes that
  one record by primary key, or a subject by its unique key, one kind of subject at a time
  (:func:`_through`, :func:`_subject`). No ``pk IN (subquery)`` built from another rule, and no
  ``OR`` between such lists: PostgreSQL materialises those as lists of hundreds of thousands of
  ids and, joined by ``OR``, rescans them for every row, which made the cost grow with the
  square of the data.
* **Decide the subject once.** A page about a young person, place or peer group has just read
  it through the rule; what hangs off it (aliases, flags, cases, allocations, actions,
  referrals, guardians) is read with that verdict as a constant: :func:`access_to` and
  :func:`about`, which give exactly what :func:`restrict` gives (``tests/accounts/
  test_concern_audience.py`` checks every role, subject and record).
* **Precomputed where the other subjects decide.** Whether a concern at a place may be seen
  depends on the young people in it, so a place's thousands of concerns would each need their
  own probes. ``cases.models.ConcernAudience`` keeps, for each place or peer group a concern is
  about, the teams, people and senior managers that may see it, kept in step by
  ``cases.audience`` in the transaction of every change it depends on; :func:`concerns_about`
  reads a subject's concerns from it by index, newest first, and :func:`latest_concern_at`
  annotates lists of work. Concerns about a young person the user may see need no table: they
  are all visible.
* **Counted ahead across the borough.** Hotspots and themes count what every senior manager
  may see (:func:`concerns_seen_by_senior_managers`) into tables worked out every few minutes
  by Celery beat (``cases.figures``); the pages say when.

A page's cost therefore follows what it shows (and, for a place's counts, the place's own
concerns), not the size of the borough: ``make bench`` measures it (BENCHMARKS.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404

VIEW = "view"
CHANGE = "change"
#: Choosing a record in a form (type-ahead). For most models the same as VIEW; for places it is
#: the authority's whole directory, so staff pick the known place instead of adding a duplicate.
PICK = "pick"
#: Matching a referral against what the authority knows (the front door). Wider than PICK for
#: team managers: young people of other teams (never restricted ones), identity only.
MATCH = "match"
#: Naming and un-naming staff on a record (cases/naming.py): only models whose rule answers it
#: (``policy(..., name=True)``); NOTHING for the rest. Not a read: whoever may name staff on a
#: restricted young person need not be named on it themselves.
NAME = "name"
#: Answering for the authority's records as its data protection officer
#: (:func:`protects_data`): who looked at them (the access log), how long they are kept
#: (retention) and what is disclosed to the person they are about (subject access). Every
#: record of the officer's own authority, restricted or not, and nothing of another's; it is
#: never a read for casework (pages of casework ask VIEW). A model answers it only when its
#: policy declares where its authority is (``policy(..., account="subject__authority_id")``);
#: for the rest nobody may.
ACCOUNT = "account"

_POLICIES: dict[str, Callable] = {}


class Action(StrEnum):
    VIEW = VIEW
    CHANGE = CHANGE
    PICK = PICK
    MATCH = MATCH
    NAME = NAME
    ACCOUNT = ACCOUNT


NOTHING = Q(pk__in=[])
EVERYTHING = Q()
#: True for every row, also inside an OR (where an empty ``Q()`` would simply drop out).
ALWAYS = ~Q(pk__in=[])


def policy(
    *labels: str,
    pick: bool = False,
    match: bool = False,
    name: bool = False,
    account: str | tuple[str, ...] | None = None,
):
    """Register the policy for one or more models, by ``app_label.ModelName``.

    ``pick``: the policy answers PICK itself (otherwise PICK means VIEW); ``match``: it answers
    MATCH itself (otherwise MATCH means PICK); ``name``: it answers NAME (otherwise nobody may);
    ``account``: the lookup from the record to its local authority's id, which answers ACCOUNT
    for the authority's data protection officer (otherwise nobody may); several lookups (a
    tuple) answer it when any of them leads to the officer's authority.
    """

    def register(fn):
        fn.has_pick_rule, fn.has_match_rule, fn.has_name_rule = pick, match, name
        fn.account_path = account
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
    if action not in (VIEW, CHANGE, PICK, MATCH, NAME, ACCOUNT):
        raise ValueError(f"Unknown action {action!r}")
    try:
        fn = _POLICIES[_label(model)]
    except KeyError:
        # A model nobody wrote a rule for is visible to nobody.
        raise LookupError(f"No visibility rule for {_label(model)}") from None
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if action == NAME and not fn.has_name_rule:
        return NOTHING
    if action == ACCOUNT:
        if not fn.account_path or not protects_data(user):
            return NOTHING
        paths = (fn.account_path,) if isinstance(fn.account_path, str) else fn.account_path
        found = Q(**{paths[0]: user.organisation_id})
        for path in paths[1:]:
            found |= Q(**{path: user.organisation_id})
        return found
    if action == MATCH and not fn.has_match_rule:
        action = PICK
    if action == PICK and not fn.has_pick_rule:
        action = VIEW
    # A rule is a tree of conditions that takes a while to build; the same user (for a request,
    # its signed-in user) asks for the same ones many times. Nothing in a condition depends on
    # rows, only on who the user is: keyed by that, it is built once per user object.
    cache = user.__dict__.setdefault("_visibility_rules", {})
    key = (
        _label(model),
        action,
        user.role,
        user.team_id,
        user.organisation_id,
        user.pk,
        getattr(user, "may_break_glass", False),
    )
    if key not in cache:
        cache[key] = fn(user, action)
    return cache[key]


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


# --- what a role may do beyond single records (pages, the API, the admin) --------------------
# Records on those pages still come through restrict(); these say who may open the page (or
# call the endpoint, or do the thing) at all. Every "who may do this" test of a role is here:
# code elsewhere asks these, never ``user.role``. A user who may not open a page is answered
# 404, like a missing page; the API answers 403 where the docstring says so.


def logs_concerns(user) -> bool:
    """Logging concerns: practitioners in a team (social workers and team managers)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.team_id
        and user.role in (_roles().SOCIAL_WORKER, _roles().TEAM_MANAGER)
    )


def creates_peer_groups(user) -> bool:
    """Creating a peer group (``peers.services.peer_group_create``): practitioners in a team
    (social workers and team managers), as for logging a concern. The group is given to their
    team (a team's grant, ``grants.grant_team``), so they and their team may see and change it
    through ``peer_group_rule``. Senior managers change nothing; administrators do no casework;
    partner agencies record no peer groups."""
    return logs_concerns(user)


def lists_peer_groups(user) -> bool:
    """The list of peer groups (each through ``peer_group_rule``): council staff who do
    casework (social workers, team managers, senior managers). Administrators see no case
    content and partner agencies record no groups: a 404, like the other pages they cannot
    use."""
    R = _roles()
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER)
    )


def manages_team(user) -> bool:
    """Team caseload, allocation and transfers, the front door's triage: team managers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == _roles().TEAM_MANAGER
        and user.team_id
    )


def proposes_warnings(user) -> bool:
    """Proposing a warning note on a subject they may change: practitioners in a team (social
    workers and team managers), as for logging a concern."""
    return logs_concerns(user)


def authorises_warnings(user) -> bool:
    """Authorising, declining, reviewing and ending warning notes (on their team's subjects,
    through the warning note rule's CHANGE), and the list of those waiting or due: team
    managers. Never the manager who proposed the warning (``cases.warnings.services``)."""
    return manages_team(user)


def signs_off(user) -> bool:
    """Deciding a request for sign-off (``safeguarding.approvals``: an assessment, later a
    plan, a closure, a warning), approving it or returning it with comments, on their team's
    subjects (through the approval rule's CHANGE): team managers. Never the one who asked
    (``safeguarding.approvals.services``)."""
    return manages_team(user)


def oversees_authority(user) -> bool:
    """Hotspots and themes across the borough: senior managers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == _roles().SENIOR_MANAGER
        and user.organisation_id
    )


def searches(user) -> bool:
    """The search page (young people, places and peer groups, each through the rule): everyone
    signed in except partner agencies. A partner's work comes to it as referrals and actions,
    so it searches nothing: the page is a 404 for partners, like the other pages they cannot
    use. (To refer to a known place a partner *picks* it, ``PICK``, by name, kind and
    reference.)"""
    return bool(user.is_authenticated and user.is_active and not is_partner_agency(user))


def refers(user) -> bool:
    """Making a referral to the front door (``cases.services.referral_receive``; the API's
    ``POST /api/v1/referrals/``): partner agencies (their people and API tokens), social workers
    and team managers, of an organisation: whoever holds the concern about a young person or a
    place. Senior managers (who oversee) and administrators (who do no casework) do not; they,
    and anyone else, are refused with ``PermissionDenied`` (the API's 403)."""
    R = _roles()
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organisation_id
        and user.role in (R.PARTNER, R.SOCIAL_WORKER, R.TEAM_MANAGER)
    )


def registers_webhook_endpoints(user) -> bool:
    """The partner API's webhook endpoints (``/api/v1/webhook-endpoints/``, for the caller's own
    organisation): partner agencies of an organisation, through its API token or one of its
    people signed in. Council staff are refused (the API's 403): the authority's
    administrators manage every organisation's channels in the admin site."""
    return bool(is_partner_agency(user) and user.is_active and user.organisation_id)


def issues_tokens(user) -> bool:
    """Issuing partner API tokens (the admin's *API tokens → Add*, ``manage.py
    issue_api_token``): active administrators of an authority, and only for the partner
    agencies they may change (``api_token_rule``, checked by the service). A token lets a
    partner's system act as that agency, so it is given by whoever sets up the authority's
    partners, never by a practitioner or by a partner itself."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == _roles().ADMINISTRATOR
        and user.organisation_id
    )


def administers(user) -> bool:
    """The admin site (users, organisations, teams, reference data, the directory of places,
    tokens, channels, the audit): active administrators with Django's staff flag, which the
    admin site itself asks for. What each of its lists holds is still the rule's
    (``admin_base.RestrictedModelAdmin``)."""
    return bool(user.is_active and user.is_staff and user.role == _roles().ADMINISTRATOR)


def protects_data(user) -> bool:
    """The data protection pages (``/data-protection/``: access logs, unusual access,
    retention, subject access requests) and ACCOUNT on the authority's records: the active
    data protection officer of a local authority (UK GDPR Articles 37-39). Not an
    administrator: who manages accounts does not also review their use."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == _roles().DATA_PROTECTION_OFFICER
        and user.organisation_id
    )


def reviews_sign_in_setup(user) -> bool:
    """The admin's read-only lists of auth groups (the teams' guardian groups) and second
    factors (where a lost one is deleted): administrators (:func:`administers`) and superusers,
    the deployment's own accounts. Nobody changes a group or sets a second factor there
    (separation of duties)."""
    return bool(administers(user) or user.is_superuser)


def is_administrator(user) -> bool:
    """Holds the administrator role, active or not and whatever its flags: whose changes the
    separation of duties checks (``separation.py``: accounts they add start inactive, they set
    nobody's password, no grant names them). Administrators do no casework, so no record is
    ever theirs to be named on; staff who do are named by the services of their work."""
    return getattr(user, "role", None) == _roles().ADMINISTRATOR


def is_council_staff(user) -> bool:
    """Council staff who do casework (active or not): social workers, team managers and senior
    managers (``User.STAFF_ROLES``; not administrators, not partner agencies). Only they may be
    named on a restricted young person (``cases/naming.py``), and pages show only them what the
    council keeps to itself (a referral's decision reason, a place's description)."""
    return bool(user.is_authenticated and user.role in _user_model().STAFF_ROLES)


def is_partner_agency(user) -> bool:
    """A partner agency's person, or its organisation's API token (which acts as the
    organisation's API user), active or not: sees only what its organisation submitted or was
    assigned, and of that only the fields ``disclosure.PARTNER_READS`` lists; refers to the
    authority it works with, describing young people rather than naming council records."""
    return bool(getattr(user, "is_authenticated", False) and user.role == _roles().PARTNER)


def is_partner_system(user) -> bool:
    """A partner organisation's API service account (``api.services.api_service_user_for``),
    which every token of the organisation acts as: a partner-role account with no email address
    and no usable password, so no person signs in as it and no reset link reaches it. Not a
    person's account, so the four-eyes rule on new accounts (``separation.py``) does not hold it
    inactive: it is made, active, when a token is issued."""
    return bool(is_partner_agency(user) and not user.email and not user.has_usable_password())


# --- helpers -------------------------------------------------------------------------------
#
# Every rule below is a condition on one row, written with the row's own keys: "is there a
# grant row for this record and this user (or team)?" is one probe of a unique index, so the
# database does work in proportion to the rows a page reads, never to the size of the
# borough. What must not appear: ``pk IN (every record the user may see)`` built from another
# rule — PostgreSQL materialises such lists (hundreds of thousands of ids at a borough's size)
# and, joined by OR, rescans them for every row.


def _roles():
    from safeguarding.accounts.models import User

    return User.Role


def _user_model():
    from safeguarding.accounts.models import User

    return User


def _is(user, *roles) -> bool:
    return user.role in roles


def _keys(user) -> tuple[dict[str, int], int | None]:
    """What every grant probe needs, read once per user object (for a request, its signed-in
    user) in one query: the ids of the subjects' view and change permissions (guardian's grant
    rows name them) and the guardian group of the user's team (team grants are stored against
    it), so each probe is a lookup of constants in a unique index."""
    from django.contrib.auth.models import Permission

    from safeguarding.accounts.models import Team

    cached = user.__dict__.get("_visibility_keys")
    if cached is None or cached[0] != user.team_id:
        rows = (
            Permission.objects.filter(
                content_type__app_label__in=["cases", "contexts", "peers"],
                codename__in=[
                    f"{action}_{model}"
                    for action in ("view", "change")
                    for model in ("youngperson", "context", "peergroup")
                ],
            )
            .annotate(team_group=Subquery(Team.objects.filter(pk=user.team_id).values("group_id")))
            .values_list("codename", "pk", "team_group")
        )
        permissions = {codename: pk for codename, pk, _ in rows}
        group = next((group for _, _, group in rows), None) if user.team_id else None
        cached = user.__dict__["_visibility_keys"] = (user.team_id, permissions, group)
    return cached[1], cached[2]


def _permission(user, codename: str) -> int:
    return _keys(user)[0][codename]


def _team_group(user) -> int | None:
    """The guardian group of the user's team (None without a team)."""
    return _keys(user)[1]


def _named(grant_model, user, codename: str) -> Exists:
    """The user is named on the record by a direct grant (unique index: user, permission,
    record)."""
    return Exists(
        grant_model.objects.filter(
            user_id=user.pk,
            permission_id=_permission(user, codename),
            content_object=OuterRef("pk"),
        )
    )


def _team_grant(grant_model, user, codename: str) -> Exists | Q:
    """The user's team holds a grant on the record (unique index: group, permission, record)."""
    if not user.team_id:
        return NOTHING
    return Exists(
        grant_model.objects.filter(
            group_id=_team_group(user),
            permission_id=_permission(user, codename),
            content_object=OuterRef("pk"),
        )
    )


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _through(label: str, user, action: str, key: str) -> Exists:
    """The record of model ``label`` that this row points at by ``key`` (for example
    ``young_person_id``) is one the user may see or change: one probe of its primary key."""
    model = _model(label)
    return Exists(model._default_manager.filter(pk=OuterRef(key)).filter(_q(user, model, action)))


#: The kinds of subject, and the model whose rule decides each.
SUBJECT_MODELS = ("cases.YoungPerson", "peers.PeerGroup", "contexts.Context")


def _subject(user, action: str, key: str = "subject_id") -> Q:
    """The subject this row points at by ``key`` is one the user may see (or change): decided by
    its young person's, peer group's or context's rule, each probed by the unique subject key.
    A subject is exactly one of the three, so at most one of the probes finds a row."""
    visible = NOTHING
    for label in SUBJECT_MODELS:
        model = _model(label)
        visible |= Q(
            Exists(
                model._default_manager.filter(subject_id=OuterRef(key)).filter(
                    _q(user, model, action)
                )
            )
        )
    return visible


# --- subjects ------------------------------------------------------------------------------


@policy("cases.YoungPerson", match=True, name=True, account="subject__authority_id")
def young_person_rule(user, action):
    from cases.models import YoungPersonGroupObjectPermission, YoungPersonUserObjectPermission

    R = _roles()
    if action == NAME:
        # Naming staff on a restricted young person: a team manager of the team holding the
        # record (its team grant, which moves with the case), named on it or not.
        if not _is(user, R.TEAM_MANAGER) or not user.team_id:
            return NOTHING
        return (
            Q(restricted=True)
            & Q(subject__authority_id=user.organisation_id)
            & Q(_team_grant(YoungPersonGroupObjectPermission, user, "view_youngperson"))
        )
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
        if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER) and getattr(
            user, "may_break_glass", False
        ):
            # The out-of-hours manager's break-glass (cases/restrictions/breakglass.py): an
            # unexpired access of theirs to this record (one probe of its index).
            named = Q(named) | Q(_broke_glass(user))
        if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
            team = _team_grant(YoungPersonGroupObjectPermission, user, "view_youngperson")
            return Q(named) | (unrestricted & Q(team))
        if _is(user, R.SENIOR_MANAGER):
            return Q(named) | (unrestricted & Q(subject__authority_id=user.organisation_id))
        if _is(user, R.ADMINISTRATOR):
            return Q(named)
        return NOTHING
    # CHANGE
    if _is(user, R.SOCIAL_WORKER, R.ADMINISTRATOR):
        return Q(named)
    if _is(user, R.TEAM_MANAGER):
        team = _team_grant(YoungPersonGroupObjectPermission, user, "view_youngperson")
        return Q(named) | (unrestricted & Q(team))
    return NOTHING  # senior managers read, partners never


def _broke_glass(user) -> Exists:
    """The user holds an open, unexpired break-glass access to the young person (this row):
    index (user, young person, expiry) of ``cases.BreakGlassAccess``. The time is the
    database's, so a rule built once per user stays right as accesses expire."""
    from django.db.models.functions import Now

    from cases.models import BreakGlassAccess

    return Exists(
        BreakGlassAccess.objects.filter(
            user_id=user.pk,
            young_person_id=OuterRef("pk"),
            ended_at__isnull=True,
            expires_at__gt=Now(),
        )
    )


@policy("cases.Restriction", "cases.NamedStaff", account="young_person__subject__authority_id")
def restriction_rule(user, action):
    """A restriction and the register of who is named on the record: read by whoever may see
    the young person, or name staff on it (a team manager of the holding team, named or not);
    changed by the latter, only through the services (``cases.restrictions.services``)."""
    holding_manager = Q(_through("cases.YoungPerson", user, NAME, "young_person_id"))
    if action == VIEW:
        return Q(_through("cases.YoungPerson", user, VIEW, "young_person_id")) | holding_manager
    return holding_manager


@policy("cases.BreakGlassAccess", account="young_person__subject__authority_id")
def break_glass_rule(user, action):
    """Break-glass accesses: each user reads their own (the data protection officer reads the
    authority's through ACCOUNT); nobody changes one (``cases.restrictions.breakglass``)."""
    return Q(user_id=user.pk) if action == VIEW else NOTHING


def _team_worked_rule(
    user, action, user_grant, group_grant, codename_suffix, extra_view=None, admin_directory=False
):
    """Peer groups and contexts: visible to the teams that work with them."""
    R = _roles()
    authority = Q(subject__authority_id=user.organisation_id)
    if action == VIEW:
        named = Q(_named(user_grant, user, f"view_{codename_suffix}"))
        team = Q(_team_grant(group_grant, user, f"view_{codename_suffix}"))
        if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
            return named | team
        if _is(user, R.SENIOR_MANAGER):
            return named | authority
        if _is(user, R.ADMINISTRATOR):
            return authority if admin_directory else named
        if _is(user, R.PARTNER) and extra_view is not None:
            return extra_view
        return NOTHING
    if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
        named = Q(_named(user_grant, user, f"change_{codename_suffix}"))
        return named | Q(_team_grant(group_grant, user, f"view_{codename_suffix}"))
    if _is(user, R.ADMINISTRATOR):
        return (
            authority
            if admin_directory
            else Q(_named(user_grant, user, f"change_{codename_suffix}"))
        )
    return NOTHING


@policy("peers.PeerGroup", account="subject__authority_id")
def peer_group_rule(user, action):
    from peers.models import PeerGroupGroupObjectPermission, PeerGroupUserObjectPermission

    return _team_worked_rule(
        user, action, PeerGroupUserObjectPermission, PeerGroupGroupObjectPermission, "peergroup"
    )


@policy("contexts.Context", pick=True, account="subject__authority_id")
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
    # A partner sees the places its organisation is a guardian of (while it is: an ended
    # guardianship is history, and gives nothing).
    partner_view = Q(
        Exists(
            ContextGuardian.objects.filter(
                context=OuterRef("pk"), organisation_id=user.organisation_id, ended_on__isnull=True
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


@policy("subjects.Subject", account="authority_id")
def subject_rule(user, action):
    return _subject(user, action, key="pk")


# --- records about a young person -----------------------------------------------------------


@policy("cases.Alias", "cases.HarmFlag", account="young_person__subject__authority_id")
def young_person_detail_rule(user, action):
    return Q(_through("cases.YoungPerson", user, action, "young_person_id"))


def _case(user, action, seen: Callable[[str], Q], prefix: str = "") -> Q:
    """The case rule, given ``seen(action)``: the condition that the case's subject may be seen
    (VIEW) or changed (CHANGE). ``prefix`` reaches the case from another model."""
    R = _roles()
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        # Case work is case content, even on a place an administrator keeps in the directory.
        return NOTHING
    visible_subject = seen(VIEW)
    if action == VIEW:
        return visible_subject
    if _is(user, R.TEAM_MANAGER):
        return Q(**{f"{prefix}team_id": user.team_id}) & visible_subject
    if _is(user, R.SOCIAL_WORKER):
        return Q(**{f"{prefix}allocated_worker_id": user.pk}) & visible_subject
    return NOTHING


@policy("cases.Case")
def case_rule(user, action):
    return _case(user, action, lambda a: _subject(user, a))


@policy("cases.Allocation")
def allocation_rule(user, action):
    return Q(_through("cases.Case", user, action, "case_id"))


@policy("cases.CaseRiskChange", "cases.CaseStatusChange")
def case_history_rule(user, action):
    """A case's risk and review history and its closure steps: seen (and, like allocations,
    changed) exactly as the case; the rows are only ever added, by the casework services."""
    return Q(_through("cases.Case", user, action, "case_id"))


def _action(user, action, seen: Callable[[str], Q]) -> Q:
    R = _roles()
    if _is(user, R.PARTNER):
        return Q(owner_organisation_id=user.organisation_id) if user.organisation_id else NOTHING
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        return NOTHING
    if action == VIEW:
        return Q(owner_user_id=user.pk) | seen(VIEW)
    if _is(user, R.SENIOR_MANAGER):
        return NOTHING
    return Q(owner_user_id=user.pk) | seen(CHANGE)


@policy("cases.Action")
def action_rule(user, action):
    """Staff see actions on subjects they may see, and their own; a partner sees the actions
    assigned to its organisation (and may record progress on them)."""
    return _action(user, action, lambda a: _subject(user, a))


def noted(user, action: str, seen: Callable[[str], Q]) -> Q:
    """Case notes and documents: council staff who do casework (social workers, team managers,
    senior managers) read them as they may read the subject and write them as they may change
    it. Administrators (who keep the directory of places) and partner agencies (who may see a
    place they guard) read none: they are case content."""
    if not keeps_case_notes(user):
        return NOTHING
    return seen(action)


def keeps_case_notes(user) -> bool:
    """Case notes and documents are read and written by council staff who do casework (social
    workers, team managers, senior managers): the role gate of :func:`noted`, for the services
    that write them before there is a row to ask the rule about."""
    R = _roles()
    return bool(
        user.is_authenticated
        and user.is_active
        and _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER)
    )


@policy("cases.CaseNote", "cases.Document", account="subject__authority_id")
def case_note_rule(user, action):
    """Case notes and the documents attached to a subject or a note: see :func:`noted`."""
    return noted(user, action, lambda a: _subject(user, a))


def _warned(user, action, seen: Callable[[str], Q]) -> Q:
    """Warning notes: staff who may see the subject read its warnings (a warning about risk to
    staff is read by whoever may open the page); those who may change the subject act on them
    (which step each role may take, the services say). Case content: administrators and
    partner agencies read none."""
    R = _roles()
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        return NOTHING
    if action == VIEW:
        return seen(VIEW)
    if _is(user, R.SENIOR_MANAGER):
        return NOTHING
    return seen(CHANGE)


@policy("cases.WarningNote", account="subject__authority_id")
def warning_note_rule(user, action):
    """See :func:`_warned`."""
    return _warned(user, action, lambda a: _subject(user, a))


@policy("cases.WarningNoteEvent")
def warning_note_event_rule(user, action):
    """A warning note's history: as its warning note."""
    return Q(_through("cases.WarningNote", user, action, "warning_id"))


def _assessed(user, action, seen: Callable[[str], Q], prefix: str = "") -> Q:
    """Assessments (issue 14) and what belongs to them (``prefix="assessment__"``: evidence
    items, history): the council staff who work with the subject — social workers and team
    managers read them as they may read the subject and write them as they may change it;
    senior managers read them. A partner agency reads two things only: its **own school's
    assessment** (a school's designated safeguarding lead fills it in, its organisation on the
    assessment, and changes it while it is a draft or returned), and the **approved** place
    assessments of places it is a guardian of (its pages show their summary only, naming no
    young person; never their evidence or history). Administrators read none: case content."""
    R = _roles()
    if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
        return seen(action)
    if _is(user, R.SENIOR_MANAGER):
        return seen(VIEW) if action == VIEW else NOTHING
    if _is(user, R.PARTNER) and user.organisation_id:
        own_school = Q(
            **{f"{prefix}kind": "school", f"{prefix}organisation_id": user.organisation_id}
        )
        if action == VIEW:
            if prefix:
                return seen(VIEW) & own_school
            return seen(VIEW) & (own_school | Q(kind="place", status="approved"))
        return seen(VIEW) & own_school & Q(**{f"{prefix}status__in": ["draft", "returned"]})
    return NOTHING


def assessed(user, action: str, seen: Callable[[str], Q], prefix: str = "") -> Q:
    """Assessments and their parts: see :func:`_assessed`."""
    return _assessed(user, action, seen, prefix=prefix)


def assessment_workers(user) -> bool:
    """Whether the user's role may start an assessment at all (social workers and team
    managers, and a partner agency's user for its own school): the role gate of
    :func:`_assessed`, for the start page before there is a row to ask the rule about."""
    R = _roles()
    return bool(
        user.is_authenticated
        and user.is_active
        and _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.PARTNER)
    )


@policy("cases.Assessment", account="subject__authority_id")
def assessment_rule(user, action):
    """See :func:`_assessed`."""
    return _assessed(user, action, lambda a: _subject(user, a))


def drafted_evidence(user, action: str, seen: Callable[[str], Q]) -> Q:
    """An evidence pack: drafted from the council's records (concerns, referrals, young
    people linked), so council staff only, as the assessment (:func:`_assessed`); a partner
    agency reads none, even of its own school's assessment."""
    if _is(user, _roles().PARTNER):
        return NOTHING
    return _assessed(user, action, seen, prefix="assessment__")


@policy("cases.EvidenceItem", account="assessment__subject__authority_id")
def evidence_item_rule(user, action):
    """See :func:`drafted_evidence`."""
    return drafted_evidence(user, action, lambda a: _subject(user, a, key="assessment__subject_id"))


@policy("cases.AssessmentEvent")
def assessment_event_rule(user, action):
    """An assessment's steps: as the assessment's subject, with the assessment's role gates
    (see :func:`_assessed`): a school reads its own assessment's history."""
    return _assessed(
        user, action, lambda a: _subject(user, a, key="assessment__subject_id"), "assessment__"
    )


def mentioned(user, action: str, seen: Callable[[str], Q]) -> Q:
    """A subject named in an assessment (``cases.AssessmentMention``, an entry in that
    subject's chronology): council staff who may see the named subject *and* the assessment.
    Read only: a mention is written by the assessment's submission."""
    R = _roles()
    if action != VIEW or not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        return NOTHING
    return seen(VIEW) & Q(_through("cases.Assessment", user, VIEW, "assessment_id"))


@policy("cases.AssessmentMention", account="assessment__subject__authority_id")
def assessment_mention_rule(user, action):
    """See :func:`mentioned`."""
    return mentioned(user, action, lambda a: _subject(user, a))


def _invited(user) -> Q:
    """The meeting (this row) invites the user, or the user's organisation, or they chair it."""
    from cases.models import Invitee

    invitations = Q(user_id=user.pk)
    if user.organisation_id:
        invitations |= Q(organisation_id=user.organisation_id)
    return (
        Q(chair_id=user.pk)
        | Q(co_chair_id=user.pk)
        | Q(Exists(Invitee.objects.filter(invitations, meeting=OuterRef("pk"))))
    )


def _met(user, action) -> Q:
    """Meetings (``cases.meetings``): council staff who do casework read the meetings of their
    authority about a subject they may see (and every MACE panel of their authority: its
    agenda items decide what each names), and any they chair or are invited to; senior managers
    read all of their authority's. They change (hold, minute, approve) those they chair or
    co-chair or arranged, and those about a subject they may change; team managers also MACE
    panels of their authority. A partner agency reads only the meetings it (or its
    organisation) is invited to or chairs, and changes none (it sends reports through its
    service). Administrators read none: case content."""
    R = _roles()
    mine = Q(chair_id=user.pk) | Q(co_chair_id=user.pk) | Q(created_by_id=user.pk)
    authority = Q(authority_id=user.organisation_id)
    if _is(user, R.PARTNER):
        return _invited(user) if action == VIEW else NOTHING
    if _is(user, R.SENIOR_MANAGER):
        return (authority | _invited(user)) if action == VIEW else NOTHING
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
        return NOTHING
    if action == VIEW:
        about = Q(subject__isnull=True) | _subject(user, VIEW)
        return (authority & about) | _invited(user)
    changed = mine | (Q(subject__isnull=False) & _subject(user, CHANGE))
    if _is(user, R.TEAM_MANAGER):
        changed |= authority & Q(kind="mace")
    return changed


def meeting_workers(user) -> bool:
    """Whether the user's role may arrange a meeting at all (social workers and team
    managers): the role gate of :func:`_met` before there is a row."""
    R = _roles()
    return bool(
        user.is_authenticated and user.is_active and _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER)
    )


def _plan_partner(user, plan_key: str) -> Q:
    """The plan at ``plan_key`` asks the partner's organisation for something: a response it
    owns (``cases.Action``) or a measure it records."""
    from cases.models import Action, Measure

    org = user.organisation_id
    return Q(
        Exists(Action.objects.filter(plan_id=OuterRef(plan_key), owner_organisation_id=org))
    ) | Q(
        Exists(
            Measure.objects.filter(goal__plan_id=OuterRef(plan_key), recorder_organisation_id=org)
        )
    )


def _planned(user, action, seen: Callable[[str], Q], plan_key: str = "pk") -> Q:
    """Safety plans (issue 15) and their goals (``plan_key="plan_id"``): the council staff who
    work with the subject — social workers and team managers read them as they may read the
    subject and write them as they may change it; senior managers read them. A partner
    agency reads a plan (and its goals) that asks its organisation for something — a response
    it owns or a measure it records — by its reference, never changing it (its own actions and
    measure values are its part: :func:`action_rule`, :func:`measure_rule`). Administrators
    read none: case content."""
    R = _roles()
    if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
        return seen(action)
    if _is(user, R.SENIOR_MANAGER):
        return seen(VIEW) if action == VIEW else NOTHING
    if _is(user, R.PARTNER) and user.organisation_id and action == VIEW:
        return _plan_partner(user, plan_key)
    return NOTHING


def planned(user, action: str, seen: Callable[[str], Q], plan_key: str = "pk") -> Q:
    """Plans, and their goals (``plan_key="plan_id"``): see :func:`_planned`."""
    return _planned(user, action, seen, plan_key=plan_key)


def plans_kept_by(user) -> bool:
    """Whether the user's role may start and change plans at all (social workers and team
    managers): the role gate of :func:`_planned` for pages before there is a row."""
    R = _roles()
    return bool(
        user.is_authenticated and user.is_active and _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER)
    )


def attends_meetings(user) -> bool:
    """Whether the meetings list is for the user at all: council staff who do casework and
    partner agencies' users (their invited meetings only)."""
    R = _roles()
    return bool(
        user.is_authenticated
        and user.is_active
        and _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER, R.PARTNER)
    )


@policy("cases.Meeting", account="authority_id")
def meeting_rule(user, action):
    """See :func:`_met`."""
    return _met(user, action)


@policy("cases.Invitee", account="meeting__authority_id")
def invitee_rule(user, action):
    """A meeting's invitees and attendance: as the meeting."""
    return Q(_through("cases.Meeting", user, action, "meeting_id"))


@policy("cases.MeetingReport")
def meeting_report_rule(user, action):
    """Reports sent before a meeting: council staff as the meeting; a partner agency reads
    only the reports it (or its organisation) sent, of a meeting it may see. Reports are never
    changed once received."""
    meeting = Q(_through("cases.Meeting", user, VIEW, "meeting_id"))
    if action != VIEW:
        return NOTHING
    if _is(user, _roles().PARTNER):
        own = Q(sent_by_id=user.pk)
        if user.organisation_id:
            own |= Q(organisation_id=user.organisation_id)
        return meeting & own
    return meeting


@policy(
    "cases.AgendaItem",
    "cases.Decision",
    "cases.MinutesSection",
    account="meeting__authority_id",
)
def meeting_part_rule(user, action):
    """A meeting's agenda, decisions and minutes: council staff as the meeting; a partner
    agency reads only the parts marked shareable of a meeting it may see."""
    meeting = Q(_through("cases.Meeting", user, action, "meeting_id"))
    if _is(user, _roles().PARTNER):
        return meeting & Q(shareable=True) if action == VIEW else NOTHING
    return meeting


@policy("cases.Plan", account="subject__authority_id")
def plan_rule(user, action):
    """See :func:`_planned`."""
    return _planned(user, action, lambda a: _subject(user, a))


@policy("cases.Goal", account="plan__subject__authority_id")
def goal_rule(user, action):
    """A plan's goals: as the plan (:func:`_planned`)."""
    return _planned(
        user, action, lambda a: _subject(user, a, key="plan__subject_id"), plan_key="plan_id"
    )


def plan_staffed(user, action, seen: Callable[[str], Q]) -> Q:
    """The council staff's part of :func:`_planned` (reviews, a plan's history)."""
    R = _roles()
    if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
        return seen(action)
    if _is(user, R.SENIOR_MANAGER):
        return seen(VIEW) if action == VIEW else NOTHING
    return NOTHING


@policy("cases.PlanReview", "cases.PlanEvent")
def plan_review_rule(user, action):
    """A plan's reviews and history: the council staff's (as the plan); partners read none."""
    return plan_staffed(user, action, lambda a: _subject(user, a, key="plan__subject_id"))


def measured(user, action, seen: Callable[[str], Q], prefix: str = "") -> Q:
    """Measures (``prefix=""``) and their values (``prefix="measure__"``): council staff as
    the plan (:func:`plan_staffed`), and the worker named to record a measure; a partner agency
    the measures its organisation is asked to record, and their values. CHANGE of a measure is
    recording its values (``measure_value_record``; its name, baseline and target are changed
    as the plan is); a value, once recorded, is changed only by recording that day's again,
    so CHANGE of a value is the council staff's alone."""
    R = _roles()
    if _is(user, R.PARTNER):
        if not user.organisation_id or (prefix and action != VIEW):
            return NOTHING
        return Q(**{f"{prefix}recorder_organisation_id": user.organisation_id})
    staff = plan_staffed(user, action, seen)
    if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER) and (action == VIEW or not prefix):
        return staff | Q(**{f"{prefix}recorder_user_id": user.pk})
    return staff


@policy("cases.Measure")
def measure_rule(user, action):
    """See :func:`measured`."""
    return measured(user, action, lambda a: _subject(user, a, key="goal__plan__subject_id"))


@policy("cases.MeasureValue")
def measure_value_rule(user, action):
    """See :func:`measured`."""
    return measured(
        user,
        action,
        lambda a: _subject(user, a, key="measure__goal__plan__subject_id"),
        "measure__",
    )


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


def signed_off(user, action: str, seen: Callable[[str], Q]) -> Q:
    """Requests for sign-off (``approvals.Approval``): council staff who do casework (social
    workers, team managers, senior managers) read those about a subject they may see, and
    whoever asked reads their own (a partner agency's safeguarding lead who asked for sign-off
    of their school's assessment, say). Team managers who may change the subject (its team
    holds it) may decide them (CHANGE; never their own, the services say). Administrators read
    none they did not ask for."""
    R = _roles()
    if action == VIEW:
        mine = Q(requested_by_id=user.pk)
        if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
            return mine | seen(VIEW)
        return mine
    if signs_off(user):
        return seen(CHANGE)
    return NOTHING


@policy("approvals.Approval")
def approval_rule(user, action):
    """See :func:`signed_off`."""
    return signed_off(user, action, lambda a: _subject(user, a))


def _involves(user, action: str, labels, concern_key: str = "pk") -> Exists:
    """The concern (this row's ``concern_key``) is about a subject of one of the kinds
    ``labels`` that the user may see or change: its involvements, probed by concern, then each
    subject's own rule."""
    from cases.models import ConcernSubject

    subject = NOTHING
    for label in labels:
        model = _model(label)
        subject |= Q(
            Exists(
                model._default_manager.filter(subject_id=OuterRef("subject_id")).filter(
                    _q(user, model, action)
                )
            )
        )
    return Exists(ConcernSubject.objects.filter(concern_id=OuterRef(concern_key)).filter(subject))


def _about_young_people(concern_key: str = "pk") -> Exists:
    from cases.models import ConcernSubject, YoungPerson

    return Exists(
        ConcernSubject.objects.filter(concern_id=OuterRef(concern_key)).filter(
            Exists(YoungPerson.objects.filter(subject_id=OuterRef("subject_id")))
        )
    )


PLACES_AND_GROUPS = ("peers.PeerGroup", "contexts.Context")


def concern_rule_for(user, action, concern_key: str = "pk") -> Q:
    """The concern rule for a row that points at a concern by ``concern_key`` (``pk`` for the
    concern itself). See :func:`concern_rule`."""
    R = _roles()
    # Concerns are case content: administrators see none, whatever places they look after.
    if not _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        return NOTHING
    prefix = "" if concern_key == "pk" else concern_key.removesuffix("_id") + "__"

    def about(act) -> Q:
        # A concern about young people is seen by those who may see one of them; a concern
        # about only a place or a group follows that place or group.
        return Q(_involves(user, act, ["cases.YoungPerson"], concern_key)) | (
            ~Q(_about_young_people(concern_key))
            & Q(_involves(user, act, PLACES_AND_GROUPS, concern_key))
        )

    mine = Q(**{f"{prefix}logged_by_id": user.pk})
    view = Q(**{f"{prefix}authority_id": user.organisation_id}) & (mine | about(VIEW))
    if action == VIEW:
        return view
    if _is(user, R.SENIOR_MANAGER):
        return NOTHING
    return view & (mine | about(CHANGE))


@policy("cases.Concern", account="authority_id")
def concern_rule(user, action):
    """Staff see a concern they logged, a concern about a young person they may see, and a
    concern about no young person but a place or group they may see; within their authority.
    They change it on the same terms with CHANGE in place of VIEW."""
    return concern_rule_for(user, action)


def _sees_subject(user, subject) -> bool:
    """Whether the user may see a subject (one query; not kept, as grants change)."""
    subjects = _model("subjects.Subject")._default_manager
    return subjects.filter(pk=subject.pk).filter(_subject(user, VIEW, "pk")).exists()


@dataclass(frozen=True)
class SubjectAccess:
    """What a user may do with one subject, decided once (``access_to``) for a page that reads
    many records hanging off it (``about``)."""

    subject: object  # the Subject
    view: bool
    change: bool

    def seen(self, action: str) -> Q:
        return ALWAYS if (self.view if action == VIEW else self.change) else NOTHING


def access_to(user, record, *, seen: bool = False) -> SubjectAccess:
    """Whether ``user`` may see and change a young person, place or peer group (``record``),
    decided by that record's own rule in one query; ``seen=True`` when the caller has just
    read the record through the rule (VIEW), so only CHANGE is asked."""
    model = type(record)
    records = model._default_manager.filter(pk=record.pk)
    may_change = Exists(records.filter(pk=OuterRef("pk")).filter(_q(user, model, CHANGE)))
    if seen:
        row = {"may_view": True, "may_change": records.filter(may_change).exists()}
    else:
        may_view = Exists(records.filter(pk=OuterRef("pk")).filter(_q(user, model, VIEW)))
        row = records.annotate(may_view=may_view, may_change=may_change).values(
            "may_view", "may_change"
        ).first() or {"may_view": False, "may_change": False}
    return SubjectAccess(subject=record.subject, view=row["may_view"], change=row["may_change"])


# --- records read through their subject ------------------------------------------------------
#
# A record type that hangs off one subject (safeguarding/subjects/registry.py) declares how it
# is seen through it: ``through_subject(gate)``, where the gate is the rest of its rule once
# the subject's own verdict is known (``seen``). The record's ``@policy`` above says the same
# with the subject decided row by row (for cases, allocations, actions and referrals, by
# calling the same helper), so ``about()`` gives what ``restrict()`` gives
# (tests/accounts/test_concern_audience.py checks every registered record type).


def as_its_subject(user, action: str, seen: Callable[[str], Q]) -> Q:
    """Seen and changed exactly as its subject (aliases, harm flags)."""
    return seen(action)


def case_work(user, action: str, seen: Callable[[str], Q], prefix: str = "") -> Q:
    """Case work (cases; allocations with ``prefix="case__"``): see :func:`_case`."""
    return _case(user, action, seen, prefix=prefix)


def assigned_work(user, action: str, seen: Callable[[str], Q]) -> Q:
    """Actions: see :func:`action_rule`."""
    return _action(user, action, seen)


def referred(user, action: str, seen: Callable[[str], Q]) -> Q:
    """Referrals: see :func:`referral_rule`."""
    return _referral(user, action, lambda: seen(VIEW))


def guarded(user, action: str, seen: Callable[[str], Q]) -> Q:
    """A place's guardians: a partner agency sees its own guardianship only (see
    :func:`context_guardian_rule`)."""
    own = Q(organisation_id=user.organisation_id) if _is(user, _roles().PARTNER) else EVERYTHING
    return seen(action) & own


def warned(user, action: str, seen: Callable[[str], Q]) -> Q:
    """Warning notes and their history: see :func:`_warned`."""
    return _warned(user, action, seen)


@dataclass(frozen=True)
class ThroughSubject:
    """A record visible through the one subject it hangs off, with the role gates of its own
    rule: ``gate(user, action, seen, **options)`` where ``seen(action)`` is the condition that
    the subject may be seen (VIEW) or changed (CHANGE)."""

    gate: Callable[..., Q]
    options: tuple[tuple[str, object], ...] = ()

    def rule(self, user, action: str, access: "SubjectAccess") -> Q:
        return self.gate(user, action, access.seen, **dict(self.options))


def through_subject(gate: Callable[..., Q] = as_its_subject, **options) -> ThroughSubject:
    """How a record type is seen through its subject (a record type's ``visibility``):
    ``gate`` is one of the gates above (default: exactly as its subject), ``options`` its
    keyword arguments."""
    return ThroughSubject(gate, tuple(sorted(options.items())))


#: Records that hang off one subject, and their rule with the subject's own verdict given:
#: label -> (path from the record to its subject, rule(user, action, access)). Filled by
#: :func:`hangs_off_subject` from the registered record types.
_ABOUT: dict[str, tuple[str, Callable[..., Q]]] = {}


def hangs_off_subject(label: str, path: str, through: ThroughSubject) -> None:
    """Let :func:`about` read the records of ``label`` (``app_label.ModelName``) through the
    subject at ``path`` (a lookup from the record to its ``Subject``). Called by
    ``safeguarding.subjects.registry.register``; the model must have a ``@policy``."""
    label = label.lower()
    if label not in _POLICIES:
        raise LookupError(f"No visibility rule for {label}")
    _ABOUT[label] = (path, through.rule)


def about(user, model, access: SubjectAccess, action: str = VIEW) -> QuerySet:
    """The records of ``model`` that hang off the subject of ``access`` and that ``user`` may
    see (or change): exactly ``restrict(user, model, action)`` of those records, with the
    subject's own visibility decided once instead of row by row — the records are visible
    through their subject, so each row needs only the rule's other conditions.

    Where the subject may not be seen, the records' rule decides row by row as usual (another
    of their subjects may still show them). Raises ``LookupError`` for a model that does not
    hang off one subject.
    """
    try:
        path, rule = _ABOUT[_label(model)]
    except KeyError:
        raise LookupError(f"{_label(model)} does not hang off one subject") from None
    records = model._default_manager.filter(**{path: access.subject})
    if not (user.is_authenticated and user.is_active) or not access.view:
        return restrict(user, records, action)
    return records.filter(rule(user, action, access))


def _audiences(user) -> list[Q]:
    """The audiences of ``ConcernAudience`` the user belongs to, each served by an index: their
    team (social workers and team managers) or their authority's senior managers (if any),
    then themselves, last. Empty for those who see no concerns."""
    R = _roles()
    if _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER):
        group = _team_group(user) if user.team_id else None
        shared = [Q(team_group_id=group)] if group is not None else []
    elif _is(user, R.SENIOR_MANAGER):
        shared = [Q(team_group__isnull=True, user__isnull=True)]
    else:
        return []
    return [*shared, Q(user_id=user.pk)]


class ConcernRows:
    """Concerns about one subject that a user may see (from :func:`concerns_about`): a few
    querysets of rows with ``concern_id`` and ``occurred_at`` that never share a concern, each
    read by index. Count, count in date windows, filter or take the newest through this
    object, so that no query has to remove duplicates."""

    def __init__(self, parts):
        self.parts = tuple(parts)

    def filter(self, *args, **kwargs) -> "ConcernRows":
        return ConcernRows(part.filter(*args, **kwargs) for part in self.parts)

    def none(self) -> "ConcernRows":
        return ConcernRows(part.none() for part in self.parts)

    def count(self) -> int:
        return sum(part.count() for part in self.parts)

    def counts(self, **windows: Q) -> dict[str, int]:
        """How many rows match each named condition (for example date windows)."""
        from django.db.models import Count

        totals = dict.fromkeys(windows, 0)
        for part in self.parts:
            got = part.aggregate(
                **{name: Count("concern_id", filter=q) for name, q in windows.items()}
            )
            for name in windows:
                totals[name] += got[name]
        return totals

    def newest(self, stop: int) -> list[tuple]:
        """The newest ``stop`` rows as (occurred_at, concern_id), newest first: the newest
        ``stop`` of each part, by index, merged."""
        rows = []
        for part in self.parts:
            rows += part.order_by("-occurred_at", "-concern_id").values_list(
                "occurred_at", "concern_id"
            )[:stop]
        return sorted(rows, reverse=True)[:stop]

    def concern_ids(self) -> set[int]:
        return {pk for part in self.parts for pk in part.values_list("concern_id", flat=True)}


def concerns_about(user, subject, access: SubjectAccess | None = None) -> ConcernRows:
    """The concerns about ``subject`` (a ``Subject``) that ``user`` may see, read subject first.

    Exactly ``restrict(user, Concern).filter(involvements__subject=subject)`` (the tests check
    it). The cost follows the subject's own concerns, not the borough's:

    * a young person the user may see: every concern about them is one the user may see (the
      rule's first clause), so they are read straight from the involvements;
    * a place or a peer group: from ``ConcernAudience``, the rule worked out ahead: the rows of
      the user's team (or of the authority's senior managers), and the user's own rows for the
      concerns those do not hold, each read by index in date order;
    * anything else (a young person the user may not open): the rule, row by row.

    ``access`` (from :func:`access_to`, for this user and subject) saves deciding again whether
    the user may see the subject.
    """
    from cases.models import ConcernAudience, ConcernSubject

    audiences = _audiences(user) if user.is_authenticated and user.is_active else []
    if not audiences:
        return ConcernRows([])
    if subject.kind == subject.Kind.YOUNG_PERSON:
        about = ConcernSubject.objects.filter(
            subject_id=subject.pk, concern__authority_id=user.organisation_id
        ).annotate(occurred_at=F("concern__occurred_at"))
        seen = access.view if access is not None else _sees_subject(user, subject)
        if seen:
            return ConcernRows([about])
        return ConcernRows([about.filter(concern_rule_for(user, VIEW, "concern_id"))])
    rows = ConcernAudience.objects.filter(subject_id=subject.pk, authority_id=user.organisation_id)
    *shared, own = audiences
    if not shared:
        return ConcernRows([rows.filter(own)])
    # One row per concern in each part: the team's (or authority's) rows, and the user's rows
    # for the concerns the team's do not hold.
    held = Exists(
        ConcernAudience.objects.filter(
            shared[0], subject_id=subject.pk, concern_id=OuterRef("concern_id")
        )
    )
    return ConcernRows([rows.filter(shared[0]), rows.filter(own).filter(~Q(held))])


def concerns_seen_by_senior_managers(authority_id: int) -> tuple[QuerySet, QuerySet]:
    """The concerns every senior manager of an authority may see through their role: the
    concern rule for SENIOR_MANAGER without what a person's own grants or logging add.
    Borough-wide figures (``cases.figures``) count these.

    Two querysets that never share a concern, so that each is a join the database does in one
    pass over the borough (an OR between them would be decided concern by concern): concerns
    about an unrestricted young person of the authority; and concerns about no young person
    but a place or group of the authority.
    """
    from cases.models import Concern, ConcernSubject
    from safeguarding.subjects.models import Subject

    of_authority = Q(subject__authority_id=authority_id)
    about_anyone = Exists(
        ConcernSubject.objects.filter(
            concern_id=OuterRef("pk"), subject__kind=Subject.Kind.YOUNG_PERSON
        )
    )
    about_person = Exists(
        ConcernSubject.objects.filter(
            of_authority,
            concern_id=OuterRef("pk"),
            subject__youngperson__restricted=False,
        )
    )
    about_place_or_group = Exists(
        ConcernSubject.objects.filter(
            of_authority,
            concern_id=OuterRef("pk"),
            subject__kind__in=[Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP],
        )
    )
    concerns = Concern.objects.filter(authority_id=authority_id)
    return (
        concerns.filter(about_person),
        concerns.filter(~Q(about_anyone)).filter(about_place_or_group),
    )


def latest_concern_at(user, subject_key: str = "subject_id"):
    """An expression for annotating rows that point at a subject the user may see (by
    ``subject_key``; for example cases read through the rule): when the latest concern about
    that subject the user may see happened, or None. One or two index probes per row, whatever
    the number of concerns (see :func:`concerns_about`: every concern about a young person the
    user may see is one they may see; for a place or group, its audiences)."""
    from django.db.models import Case, DateTimeField, When
    from django.db.models.functions import Coalesce, Greatest

    from cases.models import ConcernAudience, ConcernSubject

    audiences = _audiences(user) if user.is_authenticated and user.is_active else []
    if not audiences:
        return Value(None, output_field=DateTimeField())

    def latest(queryset, field):
        return Subquery(queryset.order_by(f"-{field}").values(field)[:1])

    about_person = latest(
        ConcernSubject.objects.filter(
            subject_id=OuterRef(subject_key), concern__authority_id=user.organisation_id
        ),
        "concern__occurred_at",
    )
    at_place = [
        latest(
            ConcernAudience.objects.filter(
                subject_id=OuterRef(subject_key), authority_id=user.organisation_id
            ).filter(audience),
            "occurred_at",
        )
        for audience in audiences
    ]
    # GREATEST ignores NULLs on PostgreSQL but not on SQLite: the Coalesce covers both.
    place = Coalesce(Greatest(*at_place), *at_place) if len(at_place) > 1 else at_place[0]
    kind = f"{subject_key.removesuffix('_id')}__kind" if subject_key != "pk" else "kind"
    return Case(
        When(**{kind: "young_person"}, then=about_person),
        default=place,
        output_field=DateTimeField(),
    )


@policy("cases.ConcernSubject", account="concern__authority_id")
def concern_subject_rule(user, action):
    return concern_rule_for(user, action, "concern_id") & _subject(user, VIEW)


@policy("cases.ConcernAudience")
def concern_audience_rule(user, action):
    # Derived rows (the concern rule worked out ahead), read only through concerns_about().
    return NOTHING


@policy(
    "cases.BoroughFigures",
    "cases.PlaceConcernCount",
    "cases.MonthlyConcernCount",
    "cases.MonthlyReferralCount",
)
def borough_figures_rule(user, action):
    # Counts across the borough (hotspots, themes): its senior managers read them; they are
    # worked out by cases.figures, never changed by hand.
    if action == VIEW and oversees_authority(user):
        return Q(authority_id=user.organisation_id)
    return NOTHING


def _referral(user, action, about_mine: Callable[[], Q]) -> Q:
    R = _roles()
    if action == VIEW:
        if _is(user, R.PARTNER):
            return Q(source_organisation_id=user.organisation_id)
        if _is(user, R.TEAM_MANAGER, R.SENIOR_MANAGER):
            return Q(authority_id=user.organisation_id)
        if _is(user, R.SOCIAL_WORKER):
            return Q(authority_id=user.organisation_id) & (Q(referred_by_id=user.pk) | about_mine())
        return NOTHING
    if _is(user, R.TEAM_MANAGER):  # the front door: team managers triage
        return Q(authority_id=user.organisation_id)
    return NOTHING


@policy("cases.Referral", account="authority_id")
def referral_rule(user, action):
    """Partners see what their organisation sent; team and senior managers every referral of
    their authority; a social worker the referrals they made and those about a young person,
    place or group they may see. Team managers decide them (the front door)."""
    from cases.models import ReferralSubject

    def about_mine():
        return Q(
            Exists(
                ReferralSubject.objects.filter(referral_id=OuterRef("pk")).filter(
                    _subject(user, VIEW)
                )
            )
        )

    return _referral(user, action, about_mine)


@policy("cases.ReferralSubject", account="referral__authority_id")
def referral_subject_rule(user, action):
    R = _roles()
    referral = Q(_through("cases.Referral", user, action, "referral_id"))
    if _is(user, R.PARTNER):
        # What the partner itself described; the council's linked record is not theirs to see.
        return referral
    return referral & (Q(subject__isnull=True) | _subject(user, VIEW))


# --- peers and contexts ---------------------------------------------------------------------


@policy("peers.PeerGroupMembership", account="peer_group__subject__authority_id")
def membership_rule(user, action):
    return Q(_through("peers.PeerGroup", user, action, "peer_group_id")) & Q(
        _through("cases.YoungPerson", user, VIEW, "young_person_id")
    )


@policy("peers.Relationship", account="from_person__subject__authority_id")
def relationship_rule(user, action):
    # Both people must be visible: a relationship otherwise discloses the other person.
    both = Q(_through("cases.YoungPerson", user, VIEW, "from_person_id")) & Q(
        _through("cases.YoungPerson", user, VIEW, "to_person_id")
    )
    if action == VIEW:
        return both
    return both & (
        Q(_through("cases.YoungPerson", user, CHANGE, "from_person_id"))
        | Q(_through("cases.YoungPerson", user, CHANGE, "to_person_id"))
    )


@policy("contexts.ContextGuardian")
def context_guardian_rule(user, action):
    R = _roles()
    rule = Q(_through("contexts.Context", user, action, "context_id"))
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


# ACCOUNT: the authority's users and its partner agencies' (whose use of records the officer
# reviews: safeguarding/dataprotection/access.py).
@policy("accounts.User", pick=True, account=("organisation_id", "organisation__authority_id"))
def user_rule(user, action):
    """VIEW: oneself and one's own organisation's users. PICK (naming someone in a form, e.g.
    inviting them to a meeting or making them its co-chair): council staff also pick the users
    of the authority's partner agencies (whose names and organisations a meeting's invitations
    show anyway); everyone else picks what they view. Administrators: the authority's and its
    partners' users, for every action."""
    R = _roles()
    if not user.organisation_id:
        return Q(pk=user.pk) if action in (VIEW, PICK) else NOTHING
    if _is(user, R.ADMINISTRATOR):
        return Q(organisation_id=user.organisation_id) | Q(
            organisation__authority_id=user.organisation_id
        )
    if action == PICK and _is(user, R.SOCIAL_WORKER, R.TEAM_MANAGER, R.SENIOR_MANAGER):
        return Q(organisation_id=user.organisation_id) | Q(
            organisation__authority_id=user.organisation_id
        )
    if action in (VIEW, PICK):
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
    # Who is named on which record: administrators of the authority may look (names of children
    # are not shown, only references); nobody changes a row by hand. Grants change only through
    # the services whose work causes them (safeguarding/accounts/grants.py), and naming staff on
    # a restricted young person through cases/naming.py (NAME on the young person).
    if action != VIEW or not _is(user, _roles().ADMINISTRATOR) or not user.organisation_id:
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


@policy("auditlog.LogEntry", account="seal__authority_id")
def audit_rule(user, action):
    # Administrators (the data protection officer) review their own authority's audit: the rows
    # whose seal names it (safeguarding.audit.models: the actor's authority). Nobody changes
    # the audit.
    if action == VIEW and _is(user, _roles().ADMINISTRATOR) and user.organisation_id:
        return Q(seal__authority_id=user.organisation_id)
    return NOTHING


@policy("dataprotection.AccessReview", account="authority_id")
def access_review_rule(user, action):
    # The data protection officer's own notes on unusual access: read and written by the
    # officer of the authority only (ACCOUNT), nobody else, casework or not.
    return NOTHING


@policy(
    "retention.RetentionRule",
    "retention.LegalHold",
    "retention.RetentionReview",
    "retention.DisposalStub",
    account="authority_id",
)
def retention_rule(user, action):
    # The retention schedule, legal holds, reviews and disposal stubs are the data protection
    # officer's, through ACCOUNT (their own authority's). Nobody reads them for casework.
    return NOTHING


@policy("retention.RetentionRuleChange", account="rule__authority_id")
def retention_change_rule(user, action):
    # The history of the schedule: the officer of its authority, through ACCOUNT.
    return NOTHING


@policy("audit.EntrySeal", "audit.ChainHead")
def audit_chain_rule(user, action):
    # The hash chain is checked by `manage.py verify_audit_chain`, not read in the app.
    return NOTHING


# --- for services: the rule's answer as a domain error ---------------------------------------


def require(user, obj: Model, action: str = VIEW) -> Model:
    """``obj`` read again through the rule for ``user`` and ``action`` (a fresh instance), or
    ``safeguarding.errors.RecordNotFound`` whether it is missing or denied: like
    :func:`get_or_404` and :func:`can`, for services, which answer no HTTP (pages answer the
    error with a 404, the API with its ``not-found`` problem)."""
    from safeguarding.errors import RecordNotFound

    try:
        return restrict(user, type(obj), action).get(pk=obj.pk)
    except ObjectDoesNotExist:
        raise RecordNotFound() from None


# --- subject access requests (safeguarding/subject_access) ----------------------------------


@policy("subject_access.SubjectAccessRequest", account="authority_id")
def subject_access_request_rule(user, action):
    """A subject access request and what it discloses are the data protection officer's
    alone: their own authority's, through ACCOUNT (:func:`protects_data`). Nobody reads or
    changes one through VIEW or CHANGE, not even the young person's own worker."""
    return NOTHING


@policy("subject_access.Bundle", account="request__authority_id")
def subject_access_bundle_rule(user, action):
    """A request's compiled bundle: as the request (ACCOUNT only)."""
    return NOTHING
