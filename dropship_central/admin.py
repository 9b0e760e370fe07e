from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string

from dropship_central.admin_mixins import ActionFunc, BigTableAdmin, ReadOnlyAdmin
from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog, Job

JOB_RETRY_SERVICE = "dropship_central.jobs.job_retry"


def job_retry_service() -> Callable[..., Job] | None:
    """The retry service, or None when this build has none (the console then offers no retry)."""
    try:
        return import_string(JOB_RETRY_SERVICE)
    except ImportError:
        return None


@admin.register(Job)
class JobAdmin(BigTableAdmin):
    list_display = ("id", "type", "queue", "status", "user", "attempts", "max_attempts", "created_at", "finished_at")
    list_filter = ("status", "queue")
    list_select_related = ("user",)
    search_fields = ("type", "=rq_job_id", "idempotency_key", "user__email")
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    readonly_fields = tuple(field.name for field in Job._meta.fields)
    actions = ("retry_failed",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[ActionFunc, str, str]]:
        actions = super().get_actions(request)
        if job_retry_service() is None:
            actions.pop("retry_failed", None)
        return actions

    @admin.action(description="Retry the selected failed jobs", permissions=("change",))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        retry = job_retry_service()
        if retry is None:
            self.message_user(request, f"Retry is unavailable: {JOB_RETRY_SERVICE} is missing.", messages.ERROR)
            return
        retried, refused = 0, 0
        for job in queryset:
            try:
                retry(job=job, actor=request.user, request=request)
            except ServiceError:
                refused += 1
            else:
                retried += 1
        self.message_user(request, f"{retried} job(s) queued again.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"{refused} job(s) skipped: only failed jobs can be retried.", messages.WARNING)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin, BigTableAdmin):
    list_display = (
        "created_at",
        "action",
        "actor",
        "content_type",
        "object_id",
        "object_repr",
        "message",
        "ip_address",
    )
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("object_repr", "=object_id", "message", "actor__email", "=request_id")
    date_hierarchy = "created_at"
