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
