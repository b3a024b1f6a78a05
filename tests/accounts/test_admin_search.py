"""The admin's list searches put what is typed into the address (a GET form), and so into
access logs: for records about young people, places, groups, users and the audit they search by
an exact reference or username only, never by a name."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

#: Apps and models whose records hold or reveal personal data.
PERSONAL_APPS = {"cases", "contexts", "peers", "subjects", "approvals"}
PERSONAL_MODELS = {"accounts.user", "auditlog.logentry"}
#: What a search may match: identifiers, never names, addresses or text.
IDENTIFIERS = {"reference", "username", "object_repr"}


def _personal_admins():
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if model._meta.app_label in PERSONAL_APPS or label in PERSONAL_MODELS:
            yield label, model_admin


@pytest.mark.parametrize("label, model_admin", sorted(_personal_admins(), key=lambda p: p[0]))
def test_personal_data_is_searched_by_exact_identifier_only(label, model_admin):
    for field in model_admin.search_fields:
        assert field.startswith("="), f"{label}: {field} matches part of what is typed"
        assert field[1:].split("__")[-1] in IDENTIFIERS, f"{label}: searches {field}"
        assert model_admin.search_help_text, f"{label}: the box must say what it searches"


def test_no_list_offers_a_free_text_name_search(world, client):
    client.force_login(world.users["admin"])
    checked = 0
    for label, model_admin in _personal_admins():
        opts = model_admin.model._meta
        page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert page.status_code == 200, label
        text = page.content.decode()
        if 'id="changelist-search"' in text:
            checked += 1
            assert "exact" in text.lower(), label
    assert checked >= 4  # users, places, subjects, the audit
    assert apps.get_model("cases.YoungPerson") in admin.site._registry
