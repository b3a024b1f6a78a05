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
from django.urls import reverse
from django.utils.html import format_html, format_html_join

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


@register.simple_block_tag
def breadcrumbs(content, *trail, home=True):
    """GOV.UK breadcrumbs: Home (unless ``home=False``), then ``trail`` — pairs of label and
    address, the pages above this one — then the block, this page's name (``aria-current``;
    none when the block is empty)::

        {% breadcrumbs subject.display_name subject.get_absolute_url %}Case{% endbreadcrumbs %}

    Labels are escaped; the block is the value as the template rendered it. An odd number of
    trail arguments is a ``TemplateSyntaxError``."""
    if len(trail) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes pairs of label and address")
    links = [(reverse("home"), "Home")] if home else []
    links += [(trail[i + 1], trail[i]) for i in range(0, len(trail), 2)]
    items = format_html_join(
        "\n    ",
        '<li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" '
        'href="{}">{}</a></li>',
        links,
    )
    here = (
        format_html(
            '\n    <li class="govuk-breadcrumbs__list-item" aria-current="page">{}</li>',
            content.strip(),
        )
        if content.strip()
        else ""
    )
    return format_html(
        '<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">\n'
        '  <ol class="govuk-breadcrumbs__list">\n    {}{}\n  </ol>\n</nav>',
        items,
        here,
    )
