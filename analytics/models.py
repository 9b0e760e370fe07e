from django.conf import settings
from django.db import models


class AnalyticsCache(models.Model):
    """An expensive analytics result kept until it expires or new data lands for its scope."""

    key = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scope = models.CharField(max_length=100, db_index=True, help_text="What invalidates it, e.g. 'user:7'.")
    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-computed_at"]
        verbose_name_plural = "analytics cache"

    def __str__(self) -> str:
        return self.key
