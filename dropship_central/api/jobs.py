"""`/api/v1/jobs`: a user's background jobs, their status and result, and retrying a failed one."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dropship_central.jobs import job_retry
from dropship_central.models import Job
from dropship_central.selectors import jobs_for_user


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id",
            "type",
            "queue",
            "status",
            "result",
            "error",
            "attempts",
            "max_attempts",
            "created_at",
            "enqueued_at",
            "started_at",
            "finished_at",
            "updated_at",
        ]
        read_only_fields = fields


class JobFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Job.Status.choices)
    type = django_filters.CharFilter()

    class Meta:
        model = Job
        fields = ["status", "type"]


@extend_schema_view(
    list=extend_schema(summary="List your background jobs"),
    retrieve=extend_schema(summary="Show one of your jobs: status, result, error, attempts"),
)
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JobSerializer
    filterset_class = JobFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    queryset = Job.objects.none()

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_for_user(user=self.request.user)

    @extend_schema(summary="Run a failed job again", request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = job_retry(job=self.get_object(), actor=request.user, request=request)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
