"""The Django admin covers every model and is usable by administrators only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

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
}
MODELS = sorted(
    (m for m in apps.get_models() if m._meta.app_label in OUR_APPS),
    key=lambda m: m._meta.label,
)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_model_has_an_admin(model):
    assert admin.site.is_registered(model)


def test_administrator_can_open_every_list_and_the_add_pages_they_manage(world, client):
    client.force_login(world.users["admin"])
    assert client.get(reverse("admin:index")).status_code == 200
    for model in [*MODELS, apps.get_model("auditlog.LogEntry")]:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    for name in ("accounts_organisation", "accounts_team", "accounts_user", "contexts_context"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200, name


def test_administrator_adds_a_place_to_the_directory(world, client):
    from contexts.models import Context

    admin_user = world.users["admin"]
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:contexts_context_add"),
        {
            "name": "Northgate Bus Station",
            "kind": "transport_hub",
            "postcode": "EB1 2CD",
            "guardians-TOTAL_FORMS": "0",
            "guardians-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    place = Context.objects.get(name="Northgate Bus Station")
    assert place.subject.authority == admin_user.organisation


@pytest.mark.parametrize("user_name", ["sw", "tm", "sm", "partner"])
def test_other_roles_cannot_use_the_admin(world, client, user_name):
    client.force_login(world.users[user_name])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- choosing related records ------------------------------------------------------------------


def _admins_and_inlines(request):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in OUR_APPS:
            yield model_admin
            yield from model_admin.get_inline_instances(request)


def test_keys_to_directories_are_raw_ids_chosen_through_the_rule(world, rf):
    """No admin page offers a select of every young person, place, group, worker, case,
    concern or referral; whatever the admin offers or accepts comes through the rule."""
    from safeguarding.accounts.admin_base import (
        DIRECTORIES,
        RestrictedChoicesMixin,
        directory_fields,
    )

    request = rf.get("/admin/")
    request.user = world.users["admin"]
    checked = 0
    for model_admin in _admins_and_inlines(request):
        assert isinstance(model_admin, RestrictedChoicesMixin), model_admin
        fields = directory_fields(model_admin.model)
        assert set(fields) <= set(model_admin.raw_id_fields), model_admin
        checked += len(fields)
    assert checked > 20
    assert "cases.youngperson" in DIRECTORIES


def test_admin_form_pages_do_not_grow_with_the_borough(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import YoungPersonUserObjectPermission
    from contexts.models import Context
    from safeguarding.accounts.models import User
    from tests.conftest import make_user

    la, t1 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t1"]
    guardian = world.records["contexts.contextguardian"]["agency"]
    grant = YoungPersonUserObjectPermission.objects.filter(
        content_object=world.records["cases.youngperson"]["restricted"]
    ).first()
    pages = [
        reverse("admin:contexts_contextguardian_change", args=[guardian.pk]),
        reverse("admin:contexts_context_change", args=[guardian.context_id]),
        reverse("admin:cases_youngpersonuserobjectpermission_change", args=[grant.pk]),
        reverse("admin:accounts_team_change", args=[t1.pk]),
    ]
    client.force_login(world.users["admin"])

    def measure():
        results = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            results.append((len(response.content), len(queries.captured_queries)))
        return results

    def add(start, n):
        for i in range(start, start + n):
            Context(authority=la, name=f"Extra place {i}", kind=Context.Kind.SHOP).save()
            make_user(f"extra_{i}", User.Role.SOCIAL_WORKER, la, t1)

    measure()  # caches filled once (content types, permissions)
    add(0, 2)
    small = measure()
    add(2, 30)
    assert measure() == small


def test_a_key_outside_the_rule_is_refused(world, client):
    from contexts.models import Context

    guardian = world.records["contexts.contextguardian"]["agency"]
    elsewhere = Context(
        authority=world.records["accounts.organisation"]["la2"],
        name="Faraway Quarry Park",
        kind="park",
    )
    elsewhere.save()
    client.force_login(world.users["admin"])
    page = client.get(reverse("admin:contexts_contextguardian_change", args=[guardian.pk]))
    assert 'class="vForeignKeyRawIdAdminField"' in page.content.decode()
    response = client.post(
        reverse("admin:contexts_contextguardian_change", args=[guardian.pk]),
        {
            "context": str(elsewhere.pk),
            "organisation": str(guardian.organisation_id),
            "name": "",
            "role": "",
            "contact": "",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "context" in response.context["adminform"].form.errors
    # The page does not name the record typed: it is not one the administrator may see.
    assert "Faraway" not in response.content.decode()
    guardian.refresh_from_db()
    assert guardian.context_id != elsewhere.pk


def test_administrators_see_grants_on_their_authoritys_records_only_and_change_none(world, client):
    """Grant rows are read-only in the admin (separation of duties: naming is done in the
    app, cases/naming.py): administrators see their authority's, by reference, and no add,
    change or delete page or button is offered (tests/accounts/test_admin_separation.py
    refuses each by POST)."""
    from django.db import transaction

    from cases.models import YoungPerson, YoungPersonUserObjectPermission

    with transaction.atomic():
        elsewhere = YoungPerson(
            authority=world.records["accounts.organisation"]["la2"],
            given_name="Far",
            family_name="Away",
        )
        elsewhere.save()
        case_services_open(world, elsewhere)
    mine = YoungPersonUserObjectPermission.objects.filter(
        content_object=world.records["cases.youngperson"]["restricted"]
    ).first()
    theirs = YoungPersonUserObjectPermission.objects.get(
        content_object=elsewhere, permission__codename="view_youngperson"
    )
    client.force_login(world.users["admin"])
    changelist = client.get(reverse("admin:cases_youngpersonuserobjectpermission_changelist"))
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert world.records["cases.youngperson"]["restricted"].reference in page
    assert elsewhere.reference not in page
    assert reverse("admin:cases_youngpersonuserobjectpermission_add") not in page
    view = client.get(reverse("admin:cases_youngpersonuserobjectpermission_change", args=[mine.pk]))
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    other = client.get(
        reverse("admin:cases_youngpersonuserobjectpermission_change", args=[theirs.pk])
    )
    assert other.status_code == 302  # the admin's "no such object": another authority's


def case_services_open(world, young_person):
    from cases import services

    services.case_open(
        subject=young_person.subject,
        team=world.records["accounts.team"]["t_la2"],
        opened_by=None,
        worker=world.records["accounts.user"]["la2_sw"],
    )
