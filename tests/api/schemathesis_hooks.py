"""Schemathesis hooks for tests/api/test_schemathesis.py (loaded with SCHEMATHESIS_HOOKS).

A schema describes shapes, not the database or the clock. For *valid* (positive) cases only,
this does what a correct partner client does before it sends: a fresh ``Idempotency-Key`` per
request (reusing one with another body is rightly a 422), a referral and an action that exist
in place of random identifiers (so the detail and update operations answer 200, not only 404),
a meeting the partner is invited to, harm categories and place references that exist, a date
of birth in the past, and a description
instead of a council reference for a young person (partners describe people), and webhook
endpoints of the partner's own (one to read and change, another to delete), and, for a change
(PATCH), the record's current ``ETag`` as ``If-Match`` (read just before, as a client reads a
record before changing it), and for the plans endpoints the partner's own plan, response and
measure, with a value the measure takes on a day it may be recorded for. Invalid (negative)
cases are sent exactly as generated.
``SG_API_KNOWN`` (JSON) says what exists.

Generated webhook addresses are random host names: the test answers their DNS look-ups itself
(``tests/api/fake_dns.py``), so nothing here needs to change them.
"""

import json
import os
import random
import uuid
from datetime import date

import requests
import schemathesis

KNOWN = json.loads(os.environ.get("SG_API_KNOWN", "{}"))


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if not KNOWN or meta is None or not meta.generation.mode.is_positive:
        return
    rng = random.Random(f"{case.method} {case.path} {case.body!r}")
    if case.path_parameters and "/plans/" in case.path:
        # The plan, the partner's response in it and the measure it records.
        for name, known in (
            ("id", "plan"),
            ("action_id", "plan_action"),
            ("measure_id", "measure"),
        ):
            if name in case.path_parameters:
                case.path_parameters[name] = KNOWN[known]
    elif case.path_parameters:
        if "reference" in case.path_parameters:
            case.path_parameters["reference"] = KNOWN["referral"]
        if "id" in case.path_parameters:
            if "/webhook-endpoints/" in case.path:
                # Deleting has an endpoint of its own, so the others keep theirs to answer.
                name = (
                    "webhook_endpoint_to_delete" if case.method == "DELETE" else "webhook_endpoint"
                )
                case.path_parameters["id"] = KNOWN[name]
            elif "/meetings/" in case.path:
                case.path_parameters["id"] = KNOWN["meeting"]
            else:
                case.path_parameters["id"] = KNOWN["action"]
    if case.method == "PATCH":
        case.headers = {**(case.headers or {}), "If-Match": _current_etag(case)}
        return
    if case.method != "POST":
        return
    case.headers = {**(case.headers or {}), "Idempotency-Key": str(uuid.uuid4())}
    if not isinstance(case.body, dict):  # e.g. rotating a secret: no body
        return
    body = case.body
    if "/measures/" in case.path:
        # A value the measure (a count) takes, on a day it may be recorded for.
        if isinstance(body.get("value"), int | float) and not isinstance(body["value"], bool):
            body["value"] = abs(int(body["value"])) % 1000
        if "recorded_on" in body:
            body["recorded_on"] = KNOWN["measure_day"]
        return
    for person in body.get("young_people") or []:
        if isinstance(person, dict):
            if person.pop("reference", None) and not person.get("name"):
                person["name"] = "Described Person"
            if str(person.get("date_of_birth") or "") >= date.today().isoformat():
                person["date_of_birth"] = "2010-01-01"
    places = list(KNOWN["places"])
    for place in body.get("contexts") or []:
        if isinstance(place, dict) and "reference" in place:
            if places:
                place["reference"] = places.pop(rng.randrange(len(places)))
            else:  # every known place is named already: describe this one instead
                del place["reference"]
                place.setdefault("name", "Described place")
                place.setdefault("kind", "other")
    if isinstance(body.get("harm_categories"), list):
        body["harm_categories"] = [
            slug if slug in KNOWN["harm_categories"] else rng.choice(KNOWN["harm_categories"])
            for slug in body["harm_categories"]
        ]


def _current_etag(case) -> str:
    """The ``ETag`` of the record a PATCH changes, from a GET of it now."""
    url = case.operation.schema.get_base_url() + case.formatted_path
    token = os.environ.get("SG_API_TOKEN", "")
    answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return answer.headers.get("ETag", '"none"')
