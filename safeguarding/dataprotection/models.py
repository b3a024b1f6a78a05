"""What the data protection officer keeps of their own work on the access log."""

from django.conf import settings
from django.db import models


class AccessReview(models.Model):
    """The officer's review of one person's unusual access on one day (the unusual-access
    report, ``access.unusual_access``): who reviewed it, when, and their note."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_reviews"
    )
    day = models.DateField(help_text="The day of the access reviewed (local).")
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_access_review_a_day")
        ]

    def __str__(self):
        return f"Review of user {self.user_id}'s access on {self.day}"
