"""Local times at the clock change (issue 13, "nothing silently wrong"): a concern at 01:30 on
29 March 2026 (a time that never happened in London) was stored as 02:30. One rule,
``safeguarding/clock.py``, for every date-time field: the spring gap refused with a clear
error, the autumn's repeated hour asked about (or refused without its offset in the API).
"""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.exceptions import ValidationError as ApiValidationError

from cases.models import Concern, HarmCategory
from safeguarding import clock, text
from safeguarding.api.serializers import LocalDateTimeField

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

SPRING = date(2026, 3, 29)  # 01:00 GMT -> 02:00 BST
AUTUMN = date(2026, 10, 25)  # 02:00 BST -> 01:00 GMT


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("at", [time(1, 0), time(1, 30), time(1, 59)])
def test_a_time_in_the_spring_gap_is_refused(at):
    with pytest.raises(ValidationError) as caught:
        clock.combine(SPRING, at)
    assert caught.value.code == "nonexistent"
    assert "did not happen" in caught.value.messages[0]
    assert f"{at:%H:%M} on 29 March 2026" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("day", "at", "utc"),
    [
        (SPRING, time(0, 59), datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),  # GMT
        (SPRING, time(2, 0), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # BST
        (SPRING, time(2, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        (AUTUMN, time(0, 59), datetime(2026, 10, 24, 23, 59, tzinfo=UTC)),  # BST
        (AUTUMN, time(2, 0), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),  # GMT
        (date(2026, 7, 1), time(1, 30), datetime(2026, 7, 1, 0, 30, tzinfo=UTC)),
        (date(2026, 1, 1), time(1, 30), datetime(2026, 1, 1, 1, 30, tzinfo=UTC)),
    ],
)
def test_times_around_the_change_are_the_moment_the_clock_showed(day, at, utc):
    assert clock.combine(day, at) == utc


@pytest.mark.parametrize("at", [time(1, 0), time(1, 30), time(1, 59)])
def test_a_time_in_the_autumn_repeat_is_asked_about_and_fold_answers(at):
    with pytest.raises(ValidationError) as caught:
        clock.combine(AUTUMN, at)
    assert caught.value.code == "ambiguous"
    assert "happened twice" in caught.value.messages[0]
    first = clock.combine(AUTUMN, at, fold=0)
    second = clock.combine(AUTUMN, at, fold=1)
    assert first.utcoffset().total_seconds() == 3600  # BST
    assert second.utcoffset().total_seconds() == 0  # GMT
    # (Subtracting datetimes of the same zone compares wall clocks, fold ignored: use UTC.)
    assert (second.astimezone(UTC) - first.astimezone(UTC)).total_seconds() == 3600
    assert first.astimezone(UTC).hour == 0 and second.astimezone(UTC).hour == 1


def test_an_aware_datetime_is_kept():
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert clock.aware(moment) is moment


# --- form fields (model forms, the admin) ----------------------------------------------------


def test_the_model_forms_datetime_field_follows_the_rule():
    from cases.models import Case

    field = text.model_formfield(Case._meta.get_field("opened_at"))
    assert isinstance(field, clock.DateTimeField)
    with pytest.raises(ValidationError) as caught:
        field.clean("2026-03-29 01:30")
    assert caught.value.code == "nonexistent"
    with pytest.raises(ValidationError) as caught:
        field.clean("2026-10-25 01:30")
    assert caught.value.code == "ambiguous"
    assert field.clean("2026-03-29 02:30") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert field.clean("2026-03-29T01:30:00+00:00") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_admins_date_and_time_boxes_follow_the_rule(rf):
    from django.contrib import admin

    from cases.models import Case

    model_admin = admin.site._registry[Case]
    field = model_admin.formfield_for_dbfield(Case._meta.get_field("opened_at"), rf.get("/"))
    assert isinstance(field, clock.SplitDateTimeField)
    with pytest.raises(ValidationError, match="did not happen"):
        field.clean(["2026-03-29", "01:30"])
    assert field.clean(["2026-07-01", "01:30"]) == datetime(2026, 7, 1, 0, 30, tzinfo=UTC)


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [("2026-03-29T01:30:00", "nonexistent"), ("2026-10-25T01:30:00", "ambiguous")],
)
def test_the_apis_local_datetime_field_refuses_what_the_rule_refuses(given, code):
    with pytest.raises(ApiValidationError) as caught:
        LocalDateTimeField().to_internal_value(given)
    assert caught.value.detail[0].code == code


@pytest.mark.parametrize(
    ("given", "utc"),
    [
        ("2026-10-25T01:30:00+01:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-10-25T01:30:00+00:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("2026-03-29T02:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    ],
)
def test_the_apis_local_datetime_field_takes_an_offset_as_the_answer(given, utc):
    assert LocalDateTimeField().to_internal_value(given) == utc


# --- Log a concern: the quoted failure --------------------------------------------------------


def _concern(day: date, at: str, **more):
    return {
        "narrative": "Seen at the bus station in the early hours.",
        "occurred_on_day": str(day.day),
        "occurred_on_month": str(day.month),
        "occurred_on_year": str(day.year),
        "occurred_time": at,
        "harm_categories": [HarmCategory.objects.get(slug="cce").pk],
        "source": "police",
        "reliability": "reliable",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
        "people-0-part": "at_risk",
        **more,
    }


@pytest.fixture
def logging_in(world, client):
    client.force_login(world.users["sw"])
    own = world.records["cases.youngperson"]["own"]
    return client, {"people-0-young_person": str(own.pk)}


def test_a_concern_at_0130_on_29_march_2026_is_refused_at_the_time(logging_in):
    client, person = logging_in
    before = Concern.objects.count()
    response = client.post(reverse("cases:concern-log"), _concern(SPRING, "01:30", **person))
    assert response.status_code == 200
    page = response.content.decode()
    assert "01:30 on 29 March 2026 did not happen in the UK" in page
    assert 'href="#id_occurred_time"' in page  # the error summary links to the time
    assert 'value="01:30"' in page  # what was typed is kept
    assert "Which one?" not in page
    assert Concern.objects.count() == before


def test_a_concern_in_the_repeated_hour_asks_which_and_stores_the_answer(logging_in):
    client, person = logging_in
    url = reverse("cases:concern-log")
    response = client.post(url, _concern(AUTUMN, "01:30", **person))
    assert response.status_code == 200
    page = response.content.decode()
    assert "01:30 on 25 October 2026 happened twice in the UK" in page
    assert "Which one?" in page and 'name="occurred_fold"' in page
    assert 'href="#id_occurred_fold_0"' in page
    for fold, utc_hour in (("0", 0), ("1", 1)):
        response = client.post(url, _concern(AUTUMN, "01:30", occurred_fold=fold, **person))
        assert response.status_code == 302, response.content.decode()
        concern = Concern.objects.latest("pk")
        assert concern.occurred_at.astimezone(UTC) == datetime(
            2026, 10, 25, utc_hour, 30, tzinfo=UTC
        )


def test_an_ordinary_time_does_not_ask_which(logging_in):
    client, person = logging_in
    page = client.get(reverse("cases:concern-log")).content.decode()
    assert 'name="occurred_fold"' not in page
    response = client.post(reverse("cases:concern-log"), _concern(SPRING, "02:30", **person))
    assert response.status_code == 302, response.content.decode()
    assert Concern.objects.latest("pk").occurred_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
