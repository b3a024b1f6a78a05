"""One application error type: services raise it, views and the API turn it into one shape."""

from django.core.exceptions import ValidationError


class ApplicationError(ValidationError):
    """A request that the domain refuses (not a bug). Carries a message per field where it can."""
