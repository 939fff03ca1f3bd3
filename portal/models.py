"""The portal's own table: one-time tokens that make a double-submitted pay form harmless."""

from django.conf import settings
from django.db import models


class PortalSubmission(models.Model):
    """A pay form, submitted once. The unique (user, token) is the deduplication: a second
    submission of the same rendered form cannot insert its row, so it charges nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    payment_id = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="uniq_portal_submission"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.token}"
