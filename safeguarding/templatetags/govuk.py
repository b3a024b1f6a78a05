"""GOV.UK Frontend components as template tags: ``{% load govuk %}``.

``summary_row``: one row of a summary list (``govuk-summary-list__row``)::

    <dl class="govuk-summary-list">
      {% summary_row "Date of birth" %}{{ person.date_of_birth|date:"j F Y" }}{% endsummary_row %}
      {% summary_row "Address" change_url=edit_url %}{{ person.address }}{% endsummary_row %}
    </dl>

The key is escaped; the block is the value, as the template rendered it. With ``change_url``
the row has an action link, "Change" (``change_text``) followed by visually hidden text that
says what changes (``change_hidden``, by default the key in lower case), as GOV.UK Frontend's
summary list asks. In a list where some rows have actions and others not, give the others
``no_actions=True``.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_block_tag
def summary_row(
    content,
    key,
    change_url="",
    change_text="Change",
    change_hidden=None,
    no_actions=False,
):
    row_class = "govuk-summary-list__row"
    if no_actions:
        row_class += " govuk-summary-list__row--no-actions"
    actions = ""
    if change_url:
        hidden = str(key).lower() if change_hidden is None else change_hidden
        actions = format_html(
            '<dd class="govuk-summary-list__actions"><a class="govuk-link" href="{}">{}'
            '<span class="govuk-visually-hidden"> {}</span></a></dd>',
            change_url,
            change_text,
            hidden,
        )
    return format_html(
        '<div class="{}"><dt class="govuk-summary-list__key">{}</dt>'
        '<dd class="govuk-summary-list__value">{}</dd>{}</div>',
        row_class,
        key,
        content,
        actions,
    )
