"""Binds request_id and user_id to every log line of a request and logs its duration."""

import time
import uuid
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse

logger = structlog.get_logger("dropship_central.request")

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _clean_request_id(request.META.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        logger.info(
            "request_finished",
            method=request.method,
            path=request.path,
            status=response.status_code,
            user_id=user_id,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        response["X-Request-ID"] = request_id
        structlog.contextvars.clear_contextvars()
        return response


def _clean_request_id(value: str | None) -> str | None:
    if value and len(value) <= 64 and value.replace("-", "").isalnum():
        return value
    return None
