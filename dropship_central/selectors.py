"""Reads of core objects, scoped to the user who owns them."""

from typing import Any

from django.db.models import QuerySet

from dropship_central.models import Job


def jobs_for_user(*, user: Any) -> QuerySet[Job]:
    """The user's own jobs, newest first."""
    return Job.objects.filter(user=user).order_by("-created_at")
