"""The retention schedule of an authority: its rules, made from ``settings.RETENTION_DEFAULTS``
where it has not set its own, and the data protection officer's changes to it (audited, with
a reason)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, NotAllowed

from .models import DisposalAction, RecordType, RetentionRule, RetentionRuleChange, StartsFrom

#: The longest period a rule may have, in years (a record kept longer is kept for ever).
MAX_YEARS = 100
#: A reason is required, and read by people: at least this many characters.
MIN_REASON = 10


def default_rule(authority, record_type: str) -> RetentionRule:
    """The unsaved default rule of ``record_type`` (``settings.RETENTION_DEFAULTS``)."""
    years, months, starts_from, action = settings.RETENTION_DEFAULTS[record_type]
    return RetentionRule(
        authority=authority,
        record_type=record_type,
        years=years,
        months=months,
        starts_from=starts_from,
        action=action,
    )


def rules_for(authority) -> list[RetentionRule]:
    """Every record type's rule for ``authority``, in :class:`RecordType` order: its saved
    rows, the defaults saved for the types it has none of (so reviews can point at them)."""
    saved = {rule.record_type: rule for rule in RetentionRule.objects.filter(authority=authority)}
    missing = [default_rule(authority, t) for t in RecordType.values if t not in saved]
    if missing:
        RetentionRule.objects.bulk_create(missing, ignore_conflicts=True)
        saved = {r.record_type: r for r in RetentionRule.objects.filter(authority=authority)}
    return [saved[t] for t in RecordType.values]


def rule_change(
    *, user, rule: RetentionRule, years, months, starts_from: str, action: str, reason: str
) -> RetentionRule:
    """Change one rule of the schedule: the data protection officer of its authority
    (``visibility.ACCOUNT``; anyone else: ``NotAllowed`` / ``RecordNotFound``).

    ``years`` 0 to 100 and ``months`` 0 to 11, not both 0; ``starts_from`` a :class:`StartsFrom`
    (the 18th birthday only for young people); ``action`` a :class:`DisposalAction`;
    ``reason`` at least 10 characters. Errors: ``ApplicationError`` by field. Writes a
    :class:`RetentionRuleChange` (before, after, reason) in the same transaction.
    """
    if not visibility.protects_data(user):
        raise NotAllowed()
    errors = {}
    try:
        years = int(years)
        if not 0 <= years <= MAX_YEARS:
            raise ValueError
    except (TypeError, ValueError):
        errors["years"] = f"Enter a whole number of years from 0 to {MAX_YEARS}."
    try:
        months = int(months)
        if not 0 <= months <= 11:
            raise ValueError
    except (TypeError, ValueError):
        errors["months"] = "Enter a whole number of months from 0 to 11."
    if not errors and years == 0 and months == 0:
        errors["years"] = "Enter a period longer than nothing."
    if starts_from not in StartsFrom.values:
        errors["starts_from"] = "Choose what the period is counted from."
    elif starts_from == StartsFrom.EIGHTEENTH_BIRTHDAY and rule.record_type not in (
        RecordType.YOUNG_PERSON,
        RecordType.YOUNG_PERSON_PROTECTION,
    ):
        errors["starts_from"] = "Only a young person has an 18th birthday."
    if action not in DisposalAction.values:
        errors["action"] = "Choose what happens at the end of the period."
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = "Say why the schedule changes (at least 10 characters)."
    if errors:
        raise ApplicationError(errors)
    with transaction.atomic():
        rule = visibility.require(user, rule, visibility.ACCOUNT)
        rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
        before = rule.describe()
        rule.years, rule.months = years, months
        rule.starts_from, rule.action = starts_from, action
        rule.changed_at = timezone.now()
        rule.save()
        RetentionRuleChange.objects.create(
            rule=rule, changed_by=user, before=before, after=rule.describe(), reason=reason
        )
    return rule
