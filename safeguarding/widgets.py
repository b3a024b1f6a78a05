"""Widgets for GOV.UK patterns that Django does not have."""

from datetime import date

from django import forms


class GovukDateWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year in three boxes (no native date picker)."""

    template_name = "govuk/widgets/date_input.html"
    use_fieldset = True  # the label becomes a legend over the three boxes

    def id_for_label(self, id_):
        # The error summary and the legend point at the first box, as GOV.UK does.
        return f"{id_}_day" if id_ else id_

    def __init__(self, attrs=None):
        widgets = {
            "day": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "month": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "year": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-4",
                }
            ),
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Ids that say which box they are (id_x_day …), as labels and error links expect.
        base = context["widget"]["attrs"].get("id")
        if base:
            for sub, part in zip(
                context["widget"]["subwidgets"], ("day", "month", "year"), strict=True
            ):
                sub["attrs"]["id"] = f"{base}_{part}"
        return context

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year = (
            data.get(f"{name}_{part}", "").strip() for part in ("day", "month", "year")
        )
        if not (day or month or year):
            return None
        # Hand the parts to GovukDateField, which says which part is wrong.
        return [day, month, year]


class GovukDateField(forms.Field):
    widget = GovukDateWidget
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "The date must include a day, month and year",
        "invalid": "The date must be a real date",
    }

    def to_python(self, value):
        if value in (None, "", [None, None, None]):
            return None
        if isinstance(value, date):
            return value
        day, month, year = value
        if not (day and month and year):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            return date(int(year), int(month), int(day))
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        return value


class ConditionalRadioSelect(forms.RadioSelect):
    """GOV.UK radios whose options reveal more questions (GOV.UK Frontend's "conditionally
    revealing a related question").

    ``reveals`` maps an option's value to the names of the form's fields shown under it, e.g.
    ``{"worker": ["owner_user"], "organisation": ["owner_organisation"]}``. Those fields are
    rendered inside the radios, each option's in a ``govuk-radios__conditional`` block with the
    id ``conditional-<the option's id>`` (``templates/govuk/forms/radios.html``, from
    ``{{ form.field.as_field_group }}`` or ``{{ form }}``, which does not render them again).
    The option's input carries ``data-aria-controls`` naming that block, as GOV.UK Frontend 6's
    template does; its radios JavaScript turns it into ``aria-controls``, keeps
    ``aria-expanded`` and shows only the chosen option's block. Without JavaScript every block
    is shown. The form's ``clean()`` must ignore the fields of the options not chosen.
    """

    def __init__(self, attrs=None, choices=(), *, reveals: dict[str, list[str]] | None = None):
        super().__init__(attrs, choices)
        self.reveals = {str(value): list(names) for value, names in (reveals or {}).items()}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.reveals.get(str(value)) and option["attrs"].get("id"):
            option["attrs"]["data-aria-controls"] = f"conditional-{option['attrs']['id']}"
        return option
