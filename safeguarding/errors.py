"""What services raise when they refuse, and how a request answers it.

Services know nothing of HTTP. They raise:

* :class:`ApplicationError`: a request the domain refuses (not a bug), with a message per field
  where it can. Pages put it on their form (``safeguarding.views.add_service_errors``); the
  API answers a 422 ``validation-failed`` problem listing the fields.
* :class:`RecordNotFound`: the record does not exist, or the rule
  (``safeguarding/accounts/visibility.py``) does not let the user see it or do this to it. The
  two are indistinguishable on purpose: pages answer 404, the API a 404 ``not-found`` problem,
  exactly as for a missing record (``visibility.require`` raises it).
* :class:`NotAllowed`: the user's role may not do this at all, whichever record (a senior
  manager making a referral). Pages answer 403; the API a 403 ``forbidden`` problem with the
  message as its detail.

The page bases (``safeguarding.views.ServiceFormView``, ``RecordActionView``,
``RecordUpdateView``) and the API's exception handler (``safeguarding.api.errors``) turn them
into answers; :class:`DomainErrorMiddleware` is the safety net for any other view, so a
domain error that escapes one is still a 404 or a 403, never a server error.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


class ApplicationError(ValidationError):
    """A request that the domain refuses (not a bug). Carries a message per field where it can."""


class RecordNotFound(Exception):
    """The record does not exist or is not visible to the user for what they asked: the two
    are indistinguishable (a 404 wherever it is answered). The message names no record."""

    def __init__(self, message: str = "No such record"):
        super().__init__(message)


class NotAllowed(Exception):
    """The user's role may not do this at all (not a matter of one record): a 403. The message
    says why, in words the user may read."""


class DomainErrorMiddleware:
    """The safety net for views that do not answer domain errors themselves: a
    :class:`RecordNotFound` is Django's 404 and a :class:`NotAllowed` its 403 (the same pages
    and logging as ``Http404`` and ``PermissionDenied``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RecordNotFound):
            raise Http404(str(exception)) from exception
        if isinstance(exception, NotAllowed):
            raise PermissionDenied(str(exception)) from exception
        return None
