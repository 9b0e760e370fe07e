"""Every API error has one body: {"error": {"code", "message", "details"}}."""

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PATH_PREFIX = "/api/"


class ServiceError(exceptions.APIException):
    """Raised by services for a refused business operation (quota, illegal transition…)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = "The request could not be completed."

    def __init__(
        self, message: str, *, code: str = "invalid", status_code: int | None = None, details: Any = None
    ) -> None:
        super().__init__(detail=message, code=code)
        self.code = code
        self.details = details or {}
        if status_code is not None:
            self.status_code = status_code


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"error": _error_body(exc, response.data)}
    return response


def _error_body(exc: Exception, data: Any) -> dict[str, Any]:
    if isinstance(exc, ServiceError):
        return {"code": exc.code, "message": str(exc.detail), "details": exc.details}
    if isinstance(exc, exceptions.ValidationError):
        return {"code": "validation_error", "message": "The request is invalid.", "details": data}
    if isinstance(exc, exceptions.Throttled):
        retry_after = math.ceil(exc.wait) if exc.wait is not None else None
        return {"code": "throttled", "message": str(exc.detail), "details": {"retry_after": retry_after}}
    if isinstance(exc, exceptions.APIException):
        return _api_exception_body(exc)
    return {"code": "error", "message": str(exc), "details": {}}


def _api_exception_body(exc: exceptions.APIException) -> dict[str, Any]:
    detail = exc.detail
    if isinstance(detail, str):
        return {"code": str(getattr(detail, "code", None) or exc.default_code), "message": str(detail), "details": {}}
    if isinstance(detail, dict) and "detail" in detail:
        # simplejwt's token errors: {"detail", "code", "messages"}.
        extra = {key: value for key, value in detail.items() if key not in ("detail", "code")}
        code = detail.get("code") or exc.default_code
        return {"code": str(code), "message": str(detail["detail"]), "details": extra}
    return {"code": str(exc.default_code), "message": str(exc.default_detail), "details": detail}


def _error_response(code: str, message: str, status_code: int) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "details": {}}}
    return JsonResponse(body, status=status_code)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for unknown URLs: the API error body under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PATH_PREFIX):
        return _error_response("not_found", "Not found.", status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the API error body under /api/ (no internals), Django's page elsewhere."""
    if request.path.startswith(API_PATH_PREFIX):
        return _error_response("server_error", "A server error occurred.", status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
