"""The Django admin covers every model and is usable by administrators only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = {"accounts", "subjects", "audit", "notifications", "cases", "contexts", "peers", "api"}
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
