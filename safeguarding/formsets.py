"""Rows a user adds and removes without JavaScript ("Add another young person", "Remove").

A form with a list of rows (a Django formset: the young people in a concern or a referral)
starts with one row. Two kinds of submit button change the rows and nothing else:

* **add** (``<button name="add_young_person">``): the page comes back with one more, empty,
  row (up to the formset's ``max_num``);
* **remove** (``<button name="remove_young_person" value="2">``): the page comes back without
  that row (the third); the rows after it move up, keeping what was typed in them.

Either way everything typed is kept, nothing is checked (no error is shown: the user has not
finished) and nothing is saved. A view asks :func:`rearranged` for the data to show, and if it
gets some, renders the forms bound to it and :func:`unchecked`; otherwise it goes on as usual.
The buttons are plain submit buttons, so the pages work without JavaScript (GOV.UK: "add
another" for users without it, as the MoJ Frontend's add-another pattern does with it).
"""

import re

from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.forms.utils import ErrorDict, ErrorList


def rearranged(data, *, prefix: str, add: str, remove: str, max_rows: int):
    """The form data with a row added (``add`` in ``data``) or removed (``remove`` in
    ``data``, its value the row's index) in the formset ``prefix``; ``None`` when neither
    button sent the form, or its management form is not a count of rows (the formset's own
    validation says so). The buttons themselves are taken out of the data, and the rows are
    never fewer than one nor more than ``max_rows``."""
    if add not in data and remove not in data:
        return None
    total_key = f"{prefix}-{TOTAL_FORM_COUNT}"
    initial_key = f"{prefix}-{INITIAL_FORM_COUNT}"
    try:
        total = int(data.get(total_key, ""))
        initial = int(data.get(initial_key, "0") or 0)
    except ValueError:
        return None
    total = max(0, min(total, max_rows))
    result = data.copy()
    result.pop(add, None)
    result.pop(remove, None)
    if add in data:
        result[total_key] = str(min(total + 1, max_rows))
        return result
    try:
        gone = int(data.get(remove, ""))
    except ValueError:
        return result
    if not 0 <= gone < total or total <= 1:
        return result
    row = re.compile(rf"^{re.escape(prefix)}-(\d+)-(.+)$")
    for key in list(result.keys()):
        match = row.match(key)
        if match:
            del result[key]
    for key in data:
        match = row.match(key)
        if not match:
            continue
        index, name = int(match.group(1)), match.group(2)
        if index == gone or index >= total:
            continue
        moved = index - 1 if index > gone else index
        result.setlist(f"{prefix}-{moved}-{name}", data.getlist(key))
    result[total_key] = str(total - 1)
    result[initial_key] = str(min(initial if gone >= initial else initial - 1, total - 1))
    return result


def unchecked(*forms) -> None:
    """Show bound forms and formsets as typed, without checking them: no errors, no cleaned
    data (for a page sent back by an add or remove button)."""
    for each in forms:
        if hasattr(each, "management_form"):  # a formset
            each._errors = []
            each._non_form_errors = ErrorList()
            unchecked(*each.forms)
        else:
            each._errors = ErrorDict()
            each.cleaned_data = {}
