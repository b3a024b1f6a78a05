"""When a request is due (one calendar month, Article 12(3); the ICO's counting), and how
redaction replaces words: no database."""

from datetime import date

import pytest

from safeguarding.subject_access import redaction as r
from safeguarding.subject_access.dates import latest_extended_due, one_calendar_month_after


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 1, 30), date(2026, 2, 28)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 3, 15), date(2026, 4, 15)),  # the same day number next month
        (date(2026, 12, 31), date(2027, 1, 31)),  # across the year
        (date(2026, 2, 28), date(2026, 3, 28)),
    ],
)
def test_due_one_calendar_month_after_receipt(received, due):
    assert one_calendar_month_after(received) == due


def test_an_extension_reaches_three_calendar_months_at_most():
    assert latest_extended_due(date(2026, 1, 31)) == date(2026, 4, 30)
    assert latest_extended_due(date(2026, 11, 30)) == date(2027, 2, 28)


def _redactions(*pairs):
    return [
        {"id": f"R{n}", "value": value, "label": label, "reason": "why", "active": True}
        for n, (value, label) in enumerate(pairs, 1)
    ]


def test_whole_words_whatever_their_case_longest_first():
    redactor = r.Redactor.of(
        _redactions(("Jay", "Young person A"), ("Jay Smith", "Young person A"))
    )
    text = "JAY SMITH met jay at Jaywick; Jayden came too."
    assert redactor.apply(text) == (
        "[Young person A] met [Young person A] at Jaywick; Jayden came too."
    )


def test_a_withdrawn_redaction_is_shown_as_written():
    redactions = _redactions(("Jay", "Young person A"), ("PC Ray", "Partner agency staff member"))
    redactions[0]["active"] = False
    redactor = r.Redactor.of(redactions)
    assert redactor.apply("Jay told PC Ray.") == "Jay told [Partner agency staff member]."
    assert r.usage([{"title": "PC Ray", "text": "pc ray", "fields": []}], redactions) == {"R2": 2}


def test_structured_fields_are_redacted_too():
    redactor = r.Redactor.of(_redactions(("Ann Lee", "Young person B")))
    item = {"title": "Friend: Ann Lee", "text": "", "fields": [["Other members", "ann lee, Bo"]]}
    assert r.redacted_item(item, redactor)["fields"] == [["Other members", "[Young person B], Bo"]]
    assert r.redacted_item(item, redactor)["title"] == "Friend: [Young person B]"


def test_labels_one_per_person_and_never_the_subjects_own_names():
    labels = r.Labeller(["Sam Lee", "Sam", "Lee"])
    assert labels.redact("young_person", 1, ["Ann Lee", "Ann", "Lee"], r.ANOTHER_YOUNG_PERSON) == (
        "Young person A"
    )
    assert labels.redact("young_person", 2, ["Bo", "Sam"], r.ANOTHER_YOUNG_PERSON) == (
        "Young person B"
    )
    assert labels.redact("young_person", 1, ["Annie"], r.ANOTHER_YOUNG_PERSON) == "Young person A"
    values = {x["value"]: x["label"] for x in labels.redactions}
    # "Lee" and "Sam" are the subject's own names: never redacted.
    assert values == {
        "Ann Lee": "Young person A",
        "Ann": "Young person A",
        "Bo": "Young person B",
        "Annie": "Young person A",
    }
    assert all(x["reason"] == r.ANOTHER_YOUNG_PERSON for x in labels.redactions)
