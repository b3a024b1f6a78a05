"""Pickers: choosing one record from a directory too big to put in a page.

A borough has tens of thousands of young people, thousands of places and workers: a form
cannot offer them all as ``<option>``s. A picker asks the server instead, and a page holds
only the record already chosen and the matches of the last search.

**The pickers** (:data:`PICKERS`, by slug): ``young-people``, ``places``, ``peer-groups``,
``workers``, ``staff`` and ``people`` (staff and partner agencies' users). Each says what
may be picked (``choices(user)``: always ``visibility.restrict(user, Model, visibility.PICK)``,
narrowed but never widened), how text is matched (``search``: :mod:`safeguarding.search` for
people, places and groups), and how a record is shown: a ``label`` and a ``hint`` (date of
birth, kind of place, reference, team), which together make the one line of text the select's
option and the type-ahead show.

**The endpoint**, ``POST /pick/<slug>/`` with ``q`` (the text) and the CSRF token
(:class:`PickView`). What is searched for is personal data (names, dates of birth, postcodes):
it is sent in the body, never in a URL, like the search page's. It answers
``{"results": [{"value": "12", "label": "…", "hint": "…", "text": "… (…)"}, …]}``: at most
:data:`LIMIT` matches, best first, nothing for fewer than :data:`MIN_LENGTH` characters. Not
signed in: 401; unknown picker: 404; GET: 405; text the text rule refuses (a control character:
:func:`safeguarding.text.search_text`): 400, ``{"detail": "…", "results": []}``.

**The field**, :class:`PickerField` (a ``ModelChoiceField``), in a form with
:class:`PickerFormMixin` (which takes ``user=``). It renders (``govuk/widgets/picker.html``) as:

* a search box (``<name>_find``) with a **Find** button (a secondary submit button named
  ``find`` whose value is the field's name), for browsers without JavaScript: Find posts the
  whole form, which is re-rendered with everything typed, no errors and nothing saved, the
  field listing the matches to choose from, with the focus (search, then choose, then
  submit). Enter in a search box does the same for the boxes whose text has not been searched
  for yet (see :class:`PickerBoundField`);
* a ``<select>`` holding only the current choice and the last search's matches, so the page
  does not grow with the borough. With JavaScript (``static/js/app.js``) it becomes an
  accessible-autocomplete whose options come from the endpoint, and the search box goes.

A submitted id is checked through the rule, as any ``ModelChoiceField`` checks its queryset:
one query by primary key in ``choices(user)``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from auditlog.registry import auditlog
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View

from cases.models import YoungPerson
from contexts.models import Context
from peers.models import PeerGroup
from safeguarding import search
from safeguarding.accounts import disclosure, visibility
from safeguarding.accounts.models import User
from safeguarding.audit.registry import record_shown
from safeguarding.forms import GovukBoundField
from safeguarding.text import search_text

#: The most matches a search returns (the search module's own limit).
LIMIT = search.LIMIT
#: Fewer characters than this find nothing (as on the search page).
MIN_LENGTH = 2
#: Longer text is cut to this many characters before searching.
MAX_LENGTH = 100
#: The name of every Find button; its value is the name of the field to search for (empty:
#: every box with text not searched for yet).
FIND = "find"
#: A field's search box, and the hidden input with what was last searched for, are named
#: after it: ``<field name>_find``, ``<field name>_searched``.
FIND_BOX = "_find"
LAST_SEARCH = "_searched"


def _typed(data, key: str) -> str:
    return str(data.get(key, "")).strip()[:MAX_LENGTH]


@dataclass(frozen=True)
class Picker:
    """One directory records are picked from: what may be picked, how text finds them, and
    how each is shown."""

    slug: str
    #: "young person", "young people": for the page's words ("Search for a young person").
    noun: str
    plural: str
    #: What the user may pick: the rule's PICK queryset, narrowed if need be (never widened).
    choices: Callable[[User], QuerySet]
    #: The matches for a text (already stripped, at least MIN_LENGTH long), best first, at most
    #: LIMIT, all within ``choices(user)``.
    find: Callable[[User, str], Iterable[Model]]
    label: Callable[[Model], str]
    hint: Callable[[Model], str] = lambda obj: ""
    #: The search box's label, and the field's default hint (it serves with or without
    #: JavaScript).
    find_label: str = ""
    help_text: str = ""

    def text(self, obj) -> str:
        """The one line a select's option and the type-ahead's box show."""
        hint = self.hint(obj)
        return f"{self.label(obj)} ({hint})" if hint else self.label(obj)

    def as_json(self, obj) -> dict:
        return {
            "value": str(obj.pk),
            "label": self.label(obj),
            "hint": self.hint(obj),
            "text": self.text(obj),
        }

    def search(self, *, user, text: str) -> list[Model]:
        """The matches for ``text`` (at most LIMIT, best first); none if it is too short, or
        if the text rule refuses it (:func:`safeguarding.text.search_text`: a control
        character is not part of any name)."""
        try:
            text = search_text(text)[:MAX_LENGTH]
        except ValidationError:
            return []
        if len(text) < MIN_LENGTH:
            return []
        found = list(self.find(user, text))[:LIMIT]
        if found and auditlog.contains(type(found[0])):
            # Young people and peer groups shown are audited, like the search page's.
            record_shown(f"picker {self.slug}", {type(found[0]): found})
        return found

    @property
    def url(self) -> str:
        return reverse("pick", args=[self.slug])


# --- the directories ---------------------------------------------------------------------------


def _born(person: YoungPerson) -> str:
    return f"born {person.date_of_birth:%-d %b %Y}" if person.date_of_birth else ""


def _workers(user) -> QuerySet:
    """Who may be given work: active social workers and team managers of the user's
    authority."""
    return (
        visibility.restrict(user, User, visibility.PICK)
        .filter(
            organisation_id=user.organisation_id,
            is_active=True,
            role__in=[User.Role.SOCIAL_WORKER, User.Role.TEAM_MANAGER],
        )
        .select_related("team")
    )


def _staff(user) -> QuerySet:
    """Who may be named on a restricted young person (``cases/naming.py``): active council
    staff (social workers, team managers, senior managers) of the user's authority."""
    return (
        visibility.restrict(user, User, visibility.PICK)
        .filter(organisation_id=user.organisation_id, is_active=True, role__in=User.STAFF_ROLES)
        .select_related("team")
    )


def _people(user) -> QuerySet:
    """Who may be named on a meeting (invited, or its co-chair): active users of the user's
    authority and of its partner agencies, administrators and data protection officers aside
    (they do no casework). Partners' users are in the
    rule's PICK for council staff only (``accounts.User`` in ``accounts/visibility.py``)."""
    org = user.organisation_id
    return (
        visibility.restrict(user, User, visibility.PICK)
        .filter(Q(organisation_id=org) | Q(organisation__authority_id=org), is_active=True)
        .exclude(role__in=[User.Role.ADMINISTRATOR, User.Role.DATA_PROTECTION_OFFICER])
        .select_related("organisation", "team")
    )


def _person_hint(person) -> str:
    """Their organisation and their team (partners have no team); nothing for a partner
    agency's user, who reads other users' names only (``accounts/disclosure.py``)."""
    try:
        parts = (person.organisation, person.team)
    except AttributeError:
        return ""
    return ", ".join(str(part) for part in parts if part is not None)


def _find_people(people: Callable[[User], QuerySet]) -> Callable[[User, str], QuerySet]:
    def find(user, text: str) -> QuerySet:
        # Every word must be in the first or last name. An authority has thousands of workers
        # at most: a scan of its users is cheap, and the LIMIT bounds what comes back.
        found = people(user)
        for word in text.split()[:4]:
            found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return found.order_by("last_name", "first_name", "pk")[:LIMIT]

    return find


_find_workers = _find_people(_workers)


PICKERS: dict[str, Picker] = {
    picker.slug: picker
    for picker in (
        Picker(
            slug="young-people",
            noun="young person",
            plural="young people",
            choices=lambda user: visibility.restrict(user, YoungPerson, visibility.PICK),
            find=lambda user, text: search.search_young_people(
                user=user, text=text, action=visibility.PICK
            ),
            label=lambda person: person.full_name,
            hint=_born,
            find_label="Name, date of birth or postcode",
            help_text="Search by name, alias, date of birth (for example, 27/3/2010) or "
            "postcode, then choose.",
        ),
        Picker(
            slug="places",
            noun="place",
            plural="places",
            choices=lambda user: visibility.restrict(user, Context, visibility.PICK),
            find=lambda user, text: search.search_named(
                Context, user=user, text=text, action=visibility.PICK
            ),
            label=lambda place: place.name,
            hint=lambda place: place.get_kind_display(),
            find_label="Name of the place",
            help_text="Search by the name of the place, then choose.",
        ),
        Picker(
            slug="peer-groups",
            noun="peer group",
            plural="peer groups",
            choices=lambda user: visibility.restrict(
                user, PeerGroup, visibility.PICK
            ).select_related("subject"),
            find=lambda user, text: search.search_named(
                PeerGroup, user=user, text=text, action=visibility.PICK
            ),
            label=lambda group: group.name,
            hint=lambda group: group.reference,
            find_label="Name of the group",
            help_text="Search by the name of the group, then choose.",
        ),
        Picker(
            slug="workers",
            noun="worker",
            plural="workers",
            choices=_workers,
            find=_find_workers,
            label=str,
            hint=lambda worker: str(worker.team) if worker.team_id else "",
            find_label="Name of the worker",
            help_text="Search by their name, then choose.",
        ),
        Picker(
            slug="staff",
            noun="member of staff",
            plural="staff",
            choices=_staff,
            find=_find_people(_staff),
            label=str,
            hint=lambda person: ", ".join(
                [person.get_role_display(), *([str(person.team)] if person.team_id else [])]
            ),
            find_label="Name of the member of staff",
            help_text="Search by their name, then choose.",
        ),
        Picker(
            slug="people",
            noun="person",
            plural="people",
            choices=_people,
            find=_find_people(_people),
            label=str,
            hint=_person_hint,
            find_label="Name of the person",
            help_text="Council staff or a partner agency's: search by their name, then choose.",
        ),
    )
}


# --- the endpoint ------------------------------------------------------------------------------


class PickView(View):
    """``POST /pick/<slug>/`` with ``q``: the matches as JSON (see the module's docstring).

    Signed-in users only (401 otherwise, as JSON: the type-ahead cannot follow a redirect to
    the sign-in page); what comes back is what the rule lets the user pick. Answers are not
    stored by browsers or proxies (they hold names and dates of birth).
    """

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "Sign in to search."}, status=401)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, slug):
        picker = PICKERS.get(slug)
        if picker is None:
            raise Http404("No such picker")
        typed = request.POST.get("q", "")
        try:
            search_text(typed)
        except ValidationError as e:
            response = JsonResponse({"detail": e.messages[0], "results": []}, status=400)
            response["Cache-Control"] = "no-store"
            return response
        found = picker.search(user=request.user, text=typed)
        # What a partner may read of each match (accounts/disclosure.py).
        found = disclosure.shown(request.user, found)
        response = JsonResponse({"results": [picker.as_json(obj) for obj in found]})
        response["Cache-Control"] = "no-store"
        return response


# --- the field ---------------------------------------------------------------------------------


@dataclass
class Offer:
    """What a picker field offers on the page: the record chosen (if any) and, when the form
    was sent by Find, the matches for what its search box holds."""

    chosen: Model | None = None
    #: What is in the search box, and what was last searched for (kept in a hidden input).
    text: str = ""
    last_search: str = ""
    searched: bool = False
    matches: list[Model] = field(default_factory=list)

    @property
    def too_short(self) -> bool:
        return self.searched and len(self.text) < MIN_LENGTH


class PickerWidget(forms.Select):
    """The select (with only what :class:`Offer` holds) and the search box with its Find
    button. Rendered by :class:`PickerBoundField`, which gives it the offer."""

    template_name = "govuk/widgets/picker.html"
    picker: Picker | None = None
    offer: Offer | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-picker-url"] = self.picker.url
        context["widget"]["attrs"]["data-picker-plural"] = self.picker.plural
        context.update(
            picker=self.picker,
            offer=self.offer or Offer(),
            find_name=FIND,
            find_box=f"{name}{FIND_BOX}",
            last_search=f"{name}{LAST_SEARCH}",
            limit=LIMIT,
        )
        return context


class PickerBoundField(GovukBoundField):
    """Works out the field's :class:`Offer` (a query for the chosen record, one for the
    search: never the whole directory) and renders the widget with it.

    When the form was sent by Find, the field is searched if its own Find button was pressed
    (an empty box is told to type more), or, after Enter in a search box, if its box holds
    text not searched for yet. Without JavaScript, Enter in a text box presses the form's
    first submit button: each picker starts with a hidden Find-for-any-box button, so that one
    is it. A searched field's list takes the focus when the page loads (the first of them).
    """

    @cached_property
    def offer(self) -> Offer:
        form, name = self.form, self.html_name
        offer = Offer(chosen=self._chosen())
        if not form.is_bound:
            return offer
        offer.text = _typed(form.data, f"{name}{FIND_BOX}")  # kept, whatever sent the form
        offer.last_search = _typed(form.data, f"{name}{LAST_SEARCH}")
        if getattr(form, "finding", False):
            pressed = form.data.get(FIND)
            offer.searched = pressed == name or (
                not pressed and bool(offer.text) and offer.text != offer.last_search
            )
        if offer.searched:
            offer.matches = self.field.picker.search(user=self.field.user, text=offer.text)
            offer.last_search = offer.text
        return offer

    @property
    def found_id(self) -> str:
        return f"{self.auto_id}_found"

    def _chosen(self) -> Model | None:
        value = self.value()
        if value in (None, ""):
            return None
        if isinstance(value, Model):
            return value
        # Checked already when the form was cleaned: no second query.
        cleaned = getattr(self.form, "cleaned_data", {}).get(self.name)
        if isinstance(cleaned, Model) and str(cleaned.pk) == str(value):
            return cleaned
        try:
            # Through the rule: an id the user may not pick is not shown (nor accepted).
            return self.field.queryset.filter(pk=value).first()
        except (ValueError, TypeError, ValidationError):
            return None

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.offer.searched:
            # "3 young people found": read out with the list it is about. The user asked for
            # this list: the page opens on it (autofocus needs no script).
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} {self.found_id}".strip()
            attrs["autofocus"] = True
        return attrs

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = copy.copy(widget or self.field.widget)
        picker, offer = self.field.picker, self.offer
        offered = {obj.pk: obj for obj in [offer.chosen, *offer.matches] if obj is not None}
        widget.choices = [
            *self.field.empty_choices,
            *((pk, picker.text(obj)) for pk, obj in offered.items()),
        ]
        widget.picker, widget.offer = picker, offer
        return super().as_widget(widget, attrs, only_initial)


class PickerField(forms.ModelChoiceField):
    """One record from a directory (``picker``: a slug of :data:`PICKERS`), chosen by search.

    Use it in a form with :class:`PickerFormMixin`, which gives it the user. The queryset is
    ``choices(user)``; ``choices`` (the options) never reads it whole.
    """

    widget = PickerWidget
    bound_field_class = PickerBoundField

    def __init__(self, picker: str, **kwargs):
        self.picker = PICKERS[picker]
        self.user = None
        kwargs.setdefault("help_text", self.picker.help_text)
        kwargs.setdefault("empty_label", f"Choose a {self.picker.noun}")
        kwargs["error_messages"] = {
            "invalid_choice": f"Choose a {self.picker.noun} from the matches",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(queryset=None, **kwargs)  # bind(user) gives it

    def bind(self, user) -> None:
        """Choices for this user: what the rule lets them pick."""
        self.user = user
        self.queryset = self.picker.choices(user)

    @property
    def empty_choices(self) -> list[tuple[str, str]]:
        return [("", self.empty_label)] if self.empty_label is not None else []

    def _get_choices(self):
        # Never the directory: the bound field gives the widget its few options.
        return self.empty_choices

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    def label_from_instance(self, obj) -> str:
        return self.picker.text(obj)

    def clean(self, value):
        if self.user is None:
            raise ImproperlyConfigured("A PickerField needs a form with PickerFormMixin")
        return super().clean(value)


class PickerFormMixin:
    """For forms with :class:`PickerField`\\ s. Takes ``user=`` (the rule decides what they
    may pick) and keeps it as ``form.user``.

    A form sent by a Find button (``find`` in the data) is *finding*: it is never valid, shows
    no errors (the user has not finished) and is not cleaned, so a view re-renders it as typed,
    with the matches, and saves nothing. Views need nothing more than ``form.is_valid()``.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for each in self.fields.values():
            if isinstance(each, PickerField):
                each.bind(user)

    @property
    def finding(self) -> bool:
        return self.is_bound and FIND in self.data

    def full_clean(self):
        if self.finding:
            self._errors = ErrorDict(renderer=self.renderer)
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.finding and super().is_valid()
