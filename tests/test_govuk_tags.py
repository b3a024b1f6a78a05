"""GOV.UK components as template tags (safeguarding/templatetags/govuk.py): ``{% summary_row %}``
(one summary list row) and ``{% breadcrumbs %}``."""

from django.template import engines


def _render(source: str, **context) -> str:
    return engines["django"].from_string("{% load govuk %}" + source).render(context)


def test_a_row_is_the_govuk_markup_with_the_block_as_its_value():
    html = _render(
        '{% summary_row "Date of birth" %}<strong>{{ when }}</strong>{% endsummary_row %}',
        when="3 February 2011",
    )
    assert html == (
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Date of birth'
        '</dt><dd class="govuk-summary-list__value"><strong>3 February 2011</strong></dd></div>'
    )


def test_the_key_and_the_value_are_escaped_as_the_template_says():
    html = _render(
        "{% summary_row key %}{{ value }}{% endsummary_row %}",
        key="<b>Key</b>",
        value="<i>value</i>",
    )
    assert "&lt;b&gt;Key&lt;/b&gt;" in html
    assert "&lt;i&gt;value&lt;/i&gt;" in html
    assert "<b>" not in html and "<i>" not in html


def test_a_change_link_says_what_it_changes_to_screen_readers():
    html = _render(
        '{% summary_row "Address" change_url=url %}1 High Street{% endsummary_row %}',
        url="/young-people/1/edit/?a=1&b=2",
    )
    assert html.endswith(
        '<dd class="govuk-summary-list__actions"><a class="govuk-link" '
        'href="/young-people/1/edit/?a=1&amp;b=2">Change<span class="govuk-visually-hidden">'
        " address</span></a></dd></div>"
    )
    named = _render(
        '{% summary_row "Address" change_url="/x/" change_text="Edit" change_hidden="the home'
        ' address" %}1 High Street{% endsummary_row %}'
    )
    assert '>Edit<span class="govuk-visually-hidden"> the home address</span>' in named


def test_a_row_without_actions_among_rows_with_them():
    html = _render('{% summary_row "Gender" no_actions=True %}Not known{% endsummary_row %}')
    assert html.startswith(
        '<div class="govuk-summary-list__row govuk-summary-list__row--no-actions">'
    )
    assert "govuk-summary-list__actions" not in html


# --- {% breadcrumbs %} ------------------------------------------------------------------------


def _items(html: str) -> list[str]:
    import re

    return re.findall(r'<li class="govuk-breadcrumbs__list-item"[^>]*>(.*?)</li>', html)


def test_breadcrumbs_are_home_then_the_trail_then_this_page():
    html = _render(
        "{% breadcrumbs name url %}Case {{ ref }}{% endbreadcrumbs %}",
        name="Zoë <Ōkafor>",
        url="/young-people/7/?a=1&b=2",
        ref="C-1",
    )
    assert html.startswith('<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">')
    assert _items(html) == [
        '<a class="govuk-breadcrumbs__link" href="/">Home</a>',
        '<a class="govuk-breadcrumbs__link" href="/young-people/7/?a=1&amp;b=2">'
        "Zoë &lt;Ōkafor&gt;</a>",
        "Case C-1",
    ]
    assert html.count('aria-current="page"') == 1
    assert '<li class="govuk-breadcrumbs__list-item" aria-current="page">Case C-1</li>' in html


def test_breadcrumbs_without_home_or_without_this_page():
    html = _render('{% breadcrumbs "Team caseload" "/team/" home=False %}{% endbreadcrumbs %}')
    assert _items(html) == ['<a class="govuk-breadcrumbs__link" href="/team/">Team caseload</a>']
    assert "aria-current" not in html


def test_breadcrumbs_need_pairs_of_label_and_address():
    import pytest
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        _render('{% breadcrumbs "Only a label" %}Here{% endbreadcrumbs %}')
