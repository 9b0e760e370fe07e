import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Job(models.Model):
    """The ledger of background work. PostgreSQL is the source of truth; RQ only delivers."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Retrying"
        RUNNING = "running", "Running"
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    type = models.CharField(max_length=100, db_index=True, help_text="Dotted name of the job function.")
    queue = models.CharField(max_length=30, default="default")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    payload = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The last error, kept while the job is retried.")
    error_traceback = models.TextField(blank=True, help_text="Summary of the last error's traceback (operators only).")
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=4)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    rq_job_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "enqueued_at"], name="job_status_enqueued_idx"),
            models.Index(fields=["user", "-created_at"], name="job_user_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="job_unique_user_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(user__isnull=True, idempotency_key__isnull=False),
                name="job_unique_system_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "retrying", "running", "success", "failed", "cancelled"]),
                name="job_valid_status",
            ),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="job_max_attempts_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.type} [{self.status}] {self.id}"


class AuditLog(models.Model):
    """Who changed what: every create, update and delete of customer-owned objects, every admin action."""

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"
        ADMIN_ACTION = "admin_action", "Admin action"
        LOGIN = "login", "Login"
        OTHER = "other", "Other"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")
    message = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr} by {self.actor_id}"
