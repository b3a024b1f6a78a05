"""Personal data stays out of the audit's diffs: a change to a name, a date of birth, an address,
a narrative or any other free text is written as *that field changed*, never its values."""

import json
from datetime import date

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

from safeguarding.audit.registry import (
    AUDITED_MODELS,
    AUTHORITY_PATHS,
    MASK,
    PERSONAL_FIELDS,
    personal_fields,
)

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

LABELS = [entry[0] if isinstance(entry, tuple) else entry for entry in AUDITED_MODELS]
#: The kinds of field that can hold personal data (a JSON field: answers typed into a form),
#: whose every field must be declared.
DECLARED_KINDS = (models.CharField, models.TextField, models.DateField, models.JSONField)
CASES = [(label, field) for label in LABELS for field in personal_fields(label)]


def _declarable(model):
    return sorted(
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, DECLARED_KINDS) and not isinstance(f, models.DateTimeField)
    )


@pytest.mark.parametrize("label", LABELS)
def test_every_text_and_date_field_of_an_audited_model_is_declared(label):
    """Adding a text or date field to an audited model without saying whether it is personal
    fails here: declare it in ``safeguarding.audit.registry.PERSONAL_FIELDS``."""
    model = apps.get_model(label)
    declared = PERSONAL_FIELDS.get(label, {})
    missing = [name for name in _declarable(model) if name not in declared]
    assert not missing, (
        f"{label}: declare {missing} as personal or not in PERSONAL_FIELDS "
        "(or in its record type's Audit, safeguarding/subjects/registry.py)"
    )
    stale = [name for name in declared if name not in _declarable(model)]
    assert not stale, f"{label}: {stale} are not fields any more"


@pytest.mark.parametrize("label", LABELS)
def test_the_audit_registration_masks_the_declared_fields(label):
    registered = auditlog.get_model_fields(apps.get_model(label))
    assert sorted(registered["mask_fields"]) == personal_fields(label)


def test_every_audited_model_says_whose_authority_it_is():
    audited = {model._meta.label for model in auditlog.get_models()}
    assert audited <= set(AUTHORITY_PATHS), audited - set(AUTHORITY_PATHS)


def test_every_record_type_is_audited_as_it_declares_or_says_why_not(world):
    """A record type that hangs off a subject (safeguarding/subjects/registry.py) is audited
    with the personal fields and the authority its declaration gives (and so the tests above
    cover its text and date fields), or says why it is not."""
    from safeguarding.audit.registry import authority_of
    from safeguarding.subjects import registry

    la = world.records["accounts.organisation"]["la"]
    for record_type in registry.record_types():
        model = record_type.model
        if record_type.audit is None:
            assert record_type.not_audited, record_type.label
            assert not auditlog.contains(model), record_type.label
            continue
        assert record_type.label in LABELS
        assert auditlog.contains(model)
        assert PERSONAL_FIELDS[record_type.label] == dict(record_type.audit.personal)
        assert AUTHORITY_PATHS[record_type.label] == record_type.authority_paths
        # The authority path leads to the record's authority.
        record = next(iter(world.records[record_type.label_lower].values()))
        assert authority_of(model, record.pk) == la.pk, record_type.label


def _values(field):
    """Two different values for ``field``, distinctive enough to search the audit for."""
    if field.choices:
        choices = [value for value, _ in field.flatchoices if value]
        return choices[0], choices[1]
    if isinstance(field, models.DateField):
        return date(2011, 2, 3), date(2012, 4, 5)
    if isinstance(field, models.EmailField):
        return "zorblatt.one@example.invalid", "quexley.two@example.invalid"
    size = field.max_length or 100
    return "Zorblatt Onefield"[:size], "Quexley Twofield"[:size]


@pytest.mark.parametrize(("label", "field_name"), CASES, ids=[f"{lb}.{f}" for lb, f in CASES])
def test_a_change_of_a_personal_field_is_audited_without_its_values(world, label, field_name):
    model = apps.get_model(label)
    record = next(iter(world.records[model._meta.label_lower].values()))
    field = model._meta.get_field(field_name)
    first, second = _values(field)
    for value in (first, second):
        setattr(record, field_name, value)
        record.save()
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(record.pk),
        action=LogEntry.Action.UPDATE,
    ).latest("id")
    # The fact and the field stay ...
    assert entry.changes_dict[field_name] == [MASK, MASK]
    # ... the values do not, anywhere in the row.
    written = json.dumps(
        [entry.changes, entry.changes_text, entry.object_repr, entry.additional_data]
    )
    if not field.choices:
        for value in (first, second):
            text = value.isoformat() if isinstance(value, date) else value
            assert text not in written


def test_a_change_of_a_field_that_is_not_personal_keeps_its_values(world):
    """Masking is for personal fields only: a case's status still reads from-to."""
    case = world.records["cases.case"]["own"]
    old = case.risk
    field = case._meta.get_field("risk")
    new = next(value for value, _ in field.flatchoices if value and value != old)
    case.risk = new
    case.save()
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_pk=str(case.pk)
    ).latest("id")
    assert entry.changes_dict["risk"] == [str(old), str(new)]


def test_a_young_persons_name_and_address_change_in_the_app_leaves_no_trace_of_either(
    world, client
):
    """The issue's example: today ``changes`` carries old and new names and addresses."""
    from django.urls import reverse

    yp = world.records["cases.youngperson"]["own"]
    old_given = yp.given_name
    client.force_login(world.users["sw"])
    response = client.post(
        reverse("cases:young-person-edit", args=[yp.pk]),
        {
            "given_name": "Quexley",
            "family_name": yp.family_name,
            "gender": "not_known",
            "address": "12 Zorblatt Road",
            "postcode": "EB9 9ZZ",
        },
    )
    assert response.status_code == 302, response.content
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(yp), object_pk=str(yp.pk)
    ).latest("id")
    assert {"given_name", "address", "postcode"} <= set(entry.changes_dict)
    written = json.dumps(entry.changes)
    for value in (old_given, "Quexley", "Zorblatt", "EB9 9ZZ", "EB99ZZ"):
        assert value not in written
