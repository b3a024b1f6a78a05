"""Schemathesis fuzzes the live API against its own OpenAPI schema, as a partner's system.

The app runs for real on loopback (pytest-django's ``live_server``: a threaded WSGI server on
127.0.0.1, on the test database). Schemathesis runs in its own process, as a partner's client
would, once for each of two partner organisations (police and a school, :data:`PARTNERS`, each
with its own token and records): it loads ``/api/v1/schema/`` over HTTP, sends every operation
generated requests, valid and invalid, and runs all of its default checks on every answer (no
server errors: ``not_a_server_error``, named in the configuration; status codes, content
types, headers and bodies as the schema says; valid data accepted and invalid data rejected;
missing required headers rejected; authentication enforced; undeclared methods answered with
405).

Reproducible: the settings are recorded in ``schemathesis.toml`` beside this file (fixed seed,
deterministic generation, no example database). What the schema cannot know (which records
exist, today's date, fresh idempotency keys) is filled in for valid cases only by
``schemathesis_hooks.py``. The command line is used rather than Schemathesis' pytest plugin,
which does not yet work with pytest 9.2.
"""

import json
import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Action, HarmCategory, Invitee, Measure, MeasureValue, Meeting, Referral
from safeguarding.notifications.models import Channel
from tests.api.conftest import post_referral
from tests.api.fake_dns import resolving

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: Enough for the run: it tests the API, not its rate limits (tested elsewhere).
RATES = {"api": "100000/min", "anon": "100000/min"}


#: The partner organisations the API is fuzzed as: police and a school, each with its own
#: token, referrals, actions and webhook endpoints (what one may reach, the other may not), and
#: the phases run as each. The coverage phase's boundary values are the schema's own and are
#: answered the same for every caller, mostly by validation before any record is read: it runs
#: once, as the first organisation, which keeps the two runs within about the time one took.
#: The examples and the fuzzing (valid requests reaching the services) run as both. Each also
#: owns a response and records a measure in the test world's place plan (the plans endpoints).
PARTNERS = {"p1": "examples,coverage,fuzzing", "p2": "examples,fuzzing"}


@pytest.mark.parametrize("org", PARTNERS)
@pytest.mark.django_db(transaction=True)
def test_the_live_api_matches_its_schema(world, api, settings, live_server, tmp_path, org):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    # Schemathesis checks that a bad token is refused, many times: the limit on failed tokens
    # per address (tests/api/test_failed_tokens.py) would answer everything after with 429.
    settings.API_FAILED_TOKEN_RATE = "100000/min"
    for slug, name in (("cce", "Child criminal exploitation"), ("missing", "Missing episodes")):
        HarmCategory.objects.get_or_create(slug=slug, defaults={"name": name})
    # Generated requests register webhook endpoints; the limit per organisation is not tested here.
    settings.WEBHOOK_ENDPOINTS_PER_ORGANISATION = 100_000
    partner = api(org)
    organisation = world.records["accounts.organisation"][org]
    assert post_referral(partner).status_code == 201
    action = Action.objects.create(
        subject=world.records["contexts.context"]["team"].subject,
        description=f"Fuzzed action for {organisation.name}",
        owner_organisation=organisation,
        due_on=date.today() + timedelta(days=7),
    )
    # A meeting it is invited to, not yet held: reports may be sent to it.
    soon = timezone.now() + timedelta(days=7)
    meeting = Meeting.objects.create(
        kind="professionals",
        subject=world.records["contexts.context"]["team"].subject,
        authority=world.records["accounts.organisation"]["la"],
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
        location="Civic Centre",
        chair=world.users["tm"],
    )
    Invitee.objects.create(meeting=meeting, organisation=organisation)
    # Its part of team one's place's plan: a response it owns and a measure it records.
    plan, goal = world.records["cases.plan"]["ctx"], world.records["cases.goal"]["ctx"]
    plan_action = Action.objects.create(
        subject=plan.subject,
        plan=plan,
        goal=goal,
        description=f"Fuzzed plan action for {organisation.name}",
        owner_organisation=organisation,
        due_on=date.today() + timedelta(days=7),
    )
    measure = Measure.objects.create(
        goal=goal,
        name=f"Fuzzed measure for {organisation.name}",
        kind=Measure.Kind.COUNT,
        direction=Measure.Direction.LOWER,
        baseline_value=10,
        baseline_on=date.today() - timedelta(days=60),
        target_value=2,
        recorder_organisation=organisation,
    )
    endpoints = [
        Channel.objects.create(
            organisation=organisation, kind="webhook", url=url, event_types=["referral.decided"]
        ).pk
        for url in (
            f"https://keep.{org}.example.org/hooks",
            f"https://delete.{org}.example.org/hooks",
        )
    ]
    known = {
        "referral": Referral.objects.filter(source_organisation=organisation)
        .latest("received_at")
        .reference,
        "action": action.pk,
        "meeting": meeting.pk,
        "plan": plan.pk,
        "plan_action": plan_action.pk,
        "measure": measure.pk,
        # A day a value may be recorded for: after the baseline, not in the future.
        "measure_day": (date.today() - timedelta(days=30)).isoformat(),
        "places": sorted(c.reference for c in world.records["contexts.context"].values()),
        "harm_categories": sorted(HarmCategory.objects.values_list("slug", flat=True)),
        "webhook_endpoint": endpoints[0],
        "webhook_endpoint_to_delete": endpoints[1],
    }
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "SG_API_KNOWN": json.dumps(known),
        "SG_API_TOKEN": partner._credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer "),
    }
    referrals_before = Referral.objects.count()
    own_before = Referral.objects.filter(source_organisation=organisation).count()
    endpoints_before = Channel.objects.count()
    others = {
        "referrals": list(Referral.objects.exclude(source_organisation=organisation).values()),
        "endpoints": list(Channel.objects.exclude(organisation=organisation).values()),
        "actions": list(Action.objects.exclude(owner_organisation=organisation).values()),
    }
    started = time.monotonic()
    # Registering an endpoint resolves its (generated, random) host name: answered here, at once.
    with resolving():
        result = _run_schemathesis(live_server, tmp_path, env, PARTNERS[org])
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    created = Referral.objects.filter(source_organisation=organisation).count() - own_before
    endpoints_created = Channel.objects.count() - endpoints_before
    summary = [line for line in output.splitlines() if re.search(r"generated|passed|failed", line)]
    print(
        f"\nschemathesis as {organisation.name}: {elapsed:.0f}s, {created} referrals and "
        f"{endpoints_created} webhook endpoints created; " + summary[-1].strip()
    )
    assert result.returncode == 0, output[-25000:]
    # Valid requests got through to the service, not only to the validation in front of it.
    assert created >= 5
    assert MeasureValue.objects.filter(measure=measure).exists()
    assert endpoints_created >= 3
    assert Referral.objects.count() - referrals_before == created
    # Nothing of the other organisations changed (what they own is out of reach).
    assert others == {
        "referrals": list(Referral.objects.exclude(source_organisation=organisation).values()),
        "endpoints": list(Channel.objects.exclude(organisation=organisation).values()),
        "actions": list(Action.objects.exclude(owner_organisation=organisation).values()),
    }


def _run_schemathesis(live_server, tmp_path, env, phases) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "--no-color",
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--phases",
            phases,
            "--report",
            "junit",
            "--report-junit-path",
            str(tmp_path / "schemathesis.xml"),
        ],
        cwd=tmp_path,  # whatever it writes stays out of the work tree
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
