"""Template helpers for GOV.UK Frontend markup."""

from django import forms, template

register = template.Library()


@register.filter
def error_anchor(bound_field) -> str:
    """The id an error-summary link should jump to: the field's first input.

    Django gives no label id to groups (checkboxes, radios, date parts), so link to the first
    box, as the GOV.UK error summary pattern asks.
    """
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    if isinstance(widget, forms.MultiWidget):
        return widget.id_for_label(auto_id) or auto_id
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{auto_id}_0"
    return bound_field.id_for_label or auto_id
