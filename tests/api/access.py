"""Who may call the API's restricted endpoints: a declared table, run as one parametrised test.

A test module declares, for each endpoint (method, URL name, the record in its address), the
answer each caller gets, in a subclass of :class:`RestrictedEndpoints`::

    class TestActionAccess(RestrictedEndpoints):
        model = Action  # what a refused request must leave as it was
        table = [
            *calls("GET", "api:action-detail", "agency", {"token:p1": 200, "token:p2": 404}),
            *calls(
                "PATCH", "api:action-detail", "agency", {"token:p2": 404}, body={"status": "done"}
            ),
        ]

        @pytest.fixture
        def records(self, world):
            return {"agency": world.records["cases.action"]["agency"]}

A record under another (``/plans/{id}/actions/{action_id}/``) is named by its address's
arguments instead: ``{"pk": plan.pk, "action_id": action.pk}``, the record's own the last (the
one a missing record's address changes).

Callers: ``anonymous`` (no credentials); ``token:<organisation>``, a token of one of the test
world's partner organisations (the ``api`` fixture); ``session:<user>``, one of the world's
users signed in to the web app (``session_api``). Each row is a test of its own, named like
``PATCH api:action-detail[agency] as token:p2 -> 404``, and checks:

* the status, and for an error the RFC 9457 problem of its kind (``assert_problem``);
* a 401 asks for a bearer token (``WWW-Authenticate: Bearer …``);
* a 404 for a record is the same problem as for a record that does not exist: a record the
  caller may not see is indistinguishable from a missing one;
* a refused request leaves every row of ``model`` as it was.

Writes carry an ``Idempotency-Key`` (as a partner's system sends them), so a row tests who may
call, not the request's form; webhook addresses are resolved by ``fake_dns.resolving``.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from tests.api.conftest import assert_problem
from tests.api.fake_dns import resolving

ANONYMOUS = "anonymous"

#: The problem every refusal answers with, by status.
STATUS_SLUGS = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
}

#: How a detail address names its record (the viewset's lookup), and the value no record has.
LOOKUPS = {"pk": 999_999_999, "reference": "REF-0000000000"}


@dataclass(frozen=True)
class Call:
    """One row of the table: ``caller`` sends ``method`` to ``url_name`` (about ``record``, a
    name the class's ``records`` fixture gives) and gets ``status``."""

    method: str
    url_name: str
    record: str | None
    caller: str
    status: int
    body: Mapping | None = None

    def __str__(self) -> str:
        where = f"{self.url_name}[{self.record}]" if self.record else self.url_name
        return f"{self.method} {where} as {self.caller} -> {self.status}"


def calls(
    method: str,
    url_name: str,
    record: str | None,
    answers: Mapping[str, int],
    *,
    body: Mapping | None = None,
) -> list[Call]:
    """The rows for one request: ``answers`` maps each caller to the status they get."""
    return [
        Call(method, url_name, record, caller, status, body) for caller, status in answers.items()
    ]


def each(callers: Sequence[str], status: int, prefix: str = "session:") -> dict[str, int]:
    """``{"session:tm": 403, "session:sw": 403}`` from ``each(["tm", "sw"], 403)``."""
    return {f"{prefix}{caller}": status for caller in callers}


def url_for(url_name: str, record: Model | Mapping | None, *, missing: bool = False) -> str:
    """The address of ``url_name`` for ``record``; ``record=None`` (or ``missing``) on a detail
    route: the address of a record that does not exist. A mapping is a nested address's
    arguments (the module's docstring): ``missing`` changes its last."""
    if isinstance(record, Mapping):
        kwargs = dict(record)
        if missing:
            kwargs[list(kwargs)[-1]] = LOOKUPS["pk"]
        return reverse(url_name, kwargs=kwargs)
    if missing:
        record = None
    for kwarg, missing_value in LOOKUPS.items():
        value = missing_value if record is None else getattr(record, kwarg)
        try:
            return reverse(url_name, kwargs={kwarg: value})
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"{url_name} takes none of {sorted(LOOKUPS)}")


class RestrictedEndpoints:
    """Base class of a table of who may call which endpoints (see the module's docstring)."""

    #: The model whose rows a refused request must leave as they were (None: not checked).
    model: ClassVar[type[Model] | None] = None
    #: The rows: see :func:`calls`.
    table: ClassVar[Sequence[Call]] = ()

    def pytest_generate_tests(self, metafunc):
        if "call" in metafunc.fixturenames:
            metafunc.parametrize("call", self.table, ids=str)

    @pytest.fixture
    def records(self) -> dict[str, Model | Mapping]:
        """The records the table's rows name, by name (override): a record, or a nested
        address's arguments."""
        return {}

    def client_for(self, caller: str, api, session_api) -> APIClient:
        if caller == ANONYMOUS:
            return APIClient()
        kind, _, name = caller.partition(":")
        if kind == "token":
            return api(name)
        if kind == "session":
            return session_api(name)
        raise ValueError(f"Unknown caller {caller!r}: anonymous, token:<org> or session:<user>")

    def send(self, client: APIClient, call: Call, url: str):
        headers = {}
        if call.method in ("POST", "PUT", "PATCH", "DELETE"):
            headers["HTTP_IDEMPOTENCY_KEY"] = str(uuid.uuid4())
        with resolving():
            return getattr(client, call.method.lower())(url, call.body, format="json", **headers)

    def rows(self) -> list[dict]:
        return list(self.model.objects.order_by("pk").values()) if self.model else []

    def test_access(self, call, records, api, session_api):
        client = self.client_for(call.caller, api, session_api)
        record = records[call.record] if call.record else None
        url = url_for(call.url_name, record) if call.record else reverse(call.url_name)
        before = self.rows()
        response = self.send(client, call, url)
        assert response.status_code == call.status, (str(call), response.content)
        if call.status < 400:
            return
        problem = assert_problem(response, call.status, STATUS_SLUGS[call.status])
        assert self.rows() == before, f"{call}: a refused request changed {self.model.__name__}"
        if call.status == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
        if call.status == 404 and record is not None:
            missing = self.send(client, call, url_for(call.url_name, record, missing=True))
            unlike = {"instance"}  # the address asked for
            assert {k: v for k, v in missing.json().items() if k not in unlike} == {
                k: v for k, v in problem.items() if k not in unlike
            }, f"{call}: refused otherwise than a missing record"
