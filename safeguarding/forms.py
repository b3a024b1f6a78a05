"""Django forms rendered as GOV.UK Frontend markup.

``settings.FORM_RENDERER`` points at :class:`GovukFormRenderer`, so every form in the app gets:

* ``{{ form }}`` rendered by ``templates/govuk/forms/form.html`` and each
  ``{{ form.field.as_field_group }}`` by ``templates/govuk/forms/field.html``: a
  ``govuk-form-group`` with label (or fieldset and legend for radios, checkboxes and date
  inputs), hint, error message and the input;
* radios (``RadioSelect``) as GOV.UK Frontend's radios, by ``templates/govuk/forms/radios.html``;
  with :class:`safeguarding.widgets.ConditionalRadioSelect` (``reveals={value: [field names]}``)
  an option reveals those fields under it (GOV.UK Frontend's conditional reveal), and
  ``{{ form }}`` does not render them again;
* GOV.UK classes on the widgets (``govuk-input``, ``govuk-select``, ``govuk-textarea``,
  ``govuk-checkboxes__input``, ``govuk-radios__input``...) and the ``--error`` modifiers when the
  field has errors, added at render time by :class:`GovukBoundField`. Classes a form sets on a
  widget itself (``govuk-input--width-10``) are kept.

Pages put ``{% include "includes/error_summary.html" %}`` above the form (it reads ``form`` and,
optionally, ``formset`` from the context) and ``novalidate`` on the ``<form>``.
"""

import copy

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input

#: The GOV.UK class of a widget, by widget type, most specific first.
WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),  # also SelectMultiple and NullBooleanSelect
    (forms.FileInput, "govuk-file-upload"),  # also ClearableFileInput
    (Input, "govuk-input"),  # text, email, number, password, date and time inputs
]

#: The error modifier of each GOV.UK class (checkboxes and radios have none: the form group
#: and the error message carry the error).
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


def add_classes(existing: str | None, *classes: str) -> str:
    """``existing`` with ``classes`` added in front, each class once."""
    names = [*classes, *(existing or "").split()]
    return " ".join(dict.fromkeys(name for name in names if name))


def govuk_class(widget: forms.Widget) -> str | None:
    """The GOV.UK class for a widget, or None for widgets we leave alone."""
    if widget.is_hidden or isinstance(widget, forms.MultiWidget):
        return None  # MultiWidgets (the GOV.UK date input) style their own parts
    if any(cls.__module__.startswith("django.contrib.admin") for cls in type(widget).__mro__):
        return None  # the admin site has its own look (also for our widgets built on its own)
    for widget_type, css_class in WIDGET_CLASSES:
        if isinstance(widget, widget_type):
            return css_class
    return None


def govuk_widget_attrs(widget: forms.Widget, *, error: bool = False) -> str | None:
    """The full class attribute for ``widget``: its own classes plus GOV.UK's."""
    css_class = govuk_class(widget)
    if css_class is None:
        return widget.attrs.get("class")
    extra = [css_class]
    if error and css_class in ERROR_CLASSES:
        extra.append(ERROR_CLASSES[css_class])
    return add_classes(widget.attrs.get("class"), *extra)


class GovukBoundField(forms.BoundField):
    """A bound field whose widget renders with GOV.UK classes and error modifiers."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css_class = govuk_widget_attrs(widget, error=bool(self.errors))
        if css_class:
            attrs["class"] = add_classes(attrs.get("class"), *css_class.split())
        return attrs

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        if self.errors and isinstance(widget, forms.MultiWidget):
            # Each part of a date input gets the error border, keeping its width class.
            widget = copy.deepcopy(widget)
            for part in widget.widgets:
                part.attrs["class"] = govuk_widget_attrs(part, error=True)
        return super().as_widget(widget, attrs, only_initial)

    @property
    def radio_items(self) -> list[tuple["forms.boundfield.BoundWidget", list["GovukBoundField"]]]:
        """Radios: each option (a ``BoundWidget``) with the form's bound fields revealed under
        it (:class:`safeguarding.widgets.ConditionalRadioSelect`'s ``reveals``; none for plain
        radios). ``templates/govuk/forms/radios.html`` renders them."""
        reveals = getattr(self.field.widget, "reveals", {})
        return [
            (option, [self.form[name] for name in reveals.get(str(option.data["value"]), [])])
            for option in self.subwidgets
        ]

    @property
    def is_revealed(self) -> bool:
        """Whether this field is shown under an option of the form's conditional radios: it is
        rendered there, so ``{{ form }}`` does not render it again."""
        return any(
            self.name in names
            for field in self.form.fields.values()
            for names in getattr(field.widget, "reveals", {}).values()
        )

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to: the field's first input."""
        widget = self.field.widget
        if isinstance(widget, forms.RadioSelect) and self.auto_id:  # also checkboxes
            return f"{self.auto_id}_0"
        return self.id_for_label or self.auto_id


class GovukFormRenderer(TemplatesSetting):
    """Renders forms from the project's templates (GOV.UK markup) before Django's own."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovukBoundField


class GovukFormMixin:
    """Sets the GOV.UK classes on a form's widgets when the form is made.

    Not needed for rendering (the renderer does that for every form), but useful for a form
    rendered with another renderer, or when a template renders a widget by hand and wants
    ``field.field.widget.attrs.class``.
    """

    bound_field_class = GovukBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css_class = govuk_widget_attrs(field.widget)
            if css_class:
                field.widget.attrs["class"] = css_class
