"""The data protection officer's landing page: what is waiting, and where each part is."""

from django.views.generic import TemplateView

from safeguarding.accounts import visibility
from safeguarding.views import AllowedUsersMixin

#: (heading, url name, what it is for): the parts of the officer's work, in the order of the
#: landing page. A part whose page is not built has no url name yet and is left out.
SECTIONS: list[tuple[str, str, str]] = [
    (
        "Subject access requests",
        "subject_access:list",
        "Requests for a young person's records (UK GDPR Article 15): due within one calendar "
        "month; the bundle compiled from every record that mentions them, other people "
        "redacted with a reason, reviewed, and sent as a PDF.",
    ),
    (
        "Who looked, and why",
        "dataprotection:access",
        "Every read, change, list and export of a young person's, place's or peer group's "
        "records, and everything one person opened.",
    ),
    (
        "Unusual access",
        "dataprotection:unusual-access",
        "People who opened many records outside their caseload, used break-glass access, read "
        "restricted records, exported many rows or worked at night.",
    ),
    (
        "Retention",
        "retention:schedule",
        "How long each kind of record is kept, records due for review, legal holds and "
        "records disposed of.",
    ),
    (
        "Restricted records",
        "cases:restrictions-account",
        "Restrictions due for review, and every emergency (break-glass) access to a record, "
        "by reference.",
    ),
]


class DataProtectionHomeView(AllowedUsersMixin, TemplateView):
    """``/data-protection/``: the data protection officer's work (``protects_data``)."""

    allowed_users = visibility.protects_data
    template_name = "dataprotection/home.html"

    def get_context_data(self, **kwargs):
        from django.urls import NoReverseMatch, reverse

        sections = []
        for heading, name, description in SECTIONS:
            try:
                sections.append({"heading": heading, "url": reverse(name), "text": description})
            except NoReverseMatch:
                continue
        return super().get_context_data(sections=sections, **kwargs)
