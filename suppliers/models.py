from django.db import models
from django.db.models import Q

from dropship_central.fields import EncryptedTextField


class Supplier(models.Model):
    """A source of products; `slug` names the scraper plugin that reads it."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    requests_per_minute = models.PositiveIntegerField(default=60)
    concurrency = models.PositiveIntegerField(default=4)
    rotate_proxy_every = models.PositiveIntegerField(default=10, help_text="Requests before switching proxy.")
    require_proxy = models.BooleanField(default=False)
    freshness_seconds = models.PositiveIntegerField(
        default=3600, help_text="A product scraped within this window is not fetched again on import."
    )
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(requests_per_minute__gte=1), name="supplier_rpm_positive"),
            models.CheckConstraint(condition=Q(concurrency__gte=1), name="supplier_concurrency_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Proxy(models.Model):
    """One outbound proxy with a health score from 0 (dead) to 100 (healthy)."""

    class Scheme(models.TextChoices):
        HTTP = "http", "HTTP"
        HTTPS = "https", "HTTPS"
        SOCKS5 = "socks5", "SOCKS5"

    scheme = models.CharField(max_length=8, choices=Scheme.choices, default=Scheme.HTTP)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField()
    username = models.CharField(max_length=255, blank=True)
    password = EncryptedTextField(blank=True)
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proxies",
        help_text="Empty: usable for every supplier.",
    )
    is_active = models.BooleanField(default=True)
    health_score = models.PositiveSmallIntegerField(default=100)
    successes = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_reason = models.CharField(max_length=255, blank=True)
    quarantined_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-health_score", "host"]
        verbose_name_plural = "proxies"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "host", "port", "username"], name="proxy_unique_endpoint"),
            models.CheckConstraint(condition=Q(health_score__lte=100), name="proxy_health_0_100"),
            models.CheckConstraint(condition=Q(port__gte=1, port__lte=65535), name="proxy_valid_port"),
            models.CheckConstraint(condition=Q(scheme__in=["http", "https", "socks5"]), name="proxy_valid_scheme"),
        ]
        indexes = [models.Index(fields=["is_active", "-health_score"], name="proxy_pick_idx")]

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"
