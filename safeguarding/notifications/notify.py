"""GOV.UK Notify as the email channel (optional, off by default).

Councils often send email through GOV.UK Notify rather than their own SMTP relay. Set
``GOVUK_NOTIFY_API_KEY`` (and ``GOVUK_NOTIFY_TEMPLATE_ID``) and notification emails go through
Notify's API, using the official client, instead of ``EMAIL_URL``. The Notify template is one
plain template whose subject is ``((subject))`` and whose body is ``((body))``: the same subject
and body as the SMTP email (a reference and a link, no personal details). Notify's own
``reference`` for each email is the notification's event id.

Failures are raised like any mail server's: a Notify answer of 400 about the address (it is not
a valid email address) is given up at once; others (rate limits, Notify down, a template or
key problem on our side) are retried.
"""

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient


class NotifyRefused(Exception):
    """Notify refused the email; ``permanent`` when trying again cannot help."""

    def __init__(self, status: int, permanent: bool):
        super().__init__(f"GOV.UK Notify answered {status}.")
        self.status = status
        self.permanent = permanent


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.client = NotificationsAPIClient(
            settings.GOVUK_NOTIFY_API_KEY,
            base_url=settings.GOVUK_NOTIFY_BASE_URL,
            timeout=settings.EMAIL_TIMEOUT,
        )

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            event_id = message.extra_headers.get("Message-ID", "").strip("<>").split("@")[0]
            for address in message.to:
                try:
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=settings.GOVUK_NOTIFY_TEMPLATE_ID,
                        personalisation={"subject": message.subject, "body": message.body},
                        reference=event_id or None,
                    )
                except HTTPError as e:
                    if self.fail_silently:
                        continue
                    status = e.status_code
                    # Only a refused address is final; a 400 about our template, key or
                    # personalisation is our side's to put right, so it is retried.
                    about_address = status == 400 and "email_address" in str(e.message)
                    raise NotifyRefused(status, permanent=about_address) from e
                sent += 1
        return sent
