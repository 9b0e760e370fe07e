"""Every API error has one body: {"error": {"code", "message", "details"}}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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
        return {"code": "throttled", "message": str(exc.detail), "details": {"retry_after": exc.wait}}
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = exc.get_codes() if isinstance(detail, str) else getattr(exc, "default_code", "error")
        message = str(detail) if isinstance(detail, str) else str(getattr(exc, "default_detail", "Error"))
        return {"code": code if isinstance(code, str) else "error", "message": message, "details": {}}
    return {"code": "error", "message": str(exc), "details": {}}
