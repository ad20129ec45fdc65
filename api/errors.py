"""One JSON shape for every error the API answers, so that an integrator can
act on it:

    {"code": "validation_error", "message": "…", "fields": {"results": [{"code": "…", "message": "…"}]}}

``code`` is stable (machine-readable); ``message`` is in the user's language,
Vietnamese by default; ``fields`` (only for 400) names each refused field."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """Someone saved the report since ``expected_version``: nothing was changed."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, current_version, message=None):
        super().__init__(message or _("Someone saved this report after the version you sent; nothing was changed."))
        self.current_version = current_version


def _field_errors(detail):
    """{field: [{"code", "message"}]} from DRF's nested error detail."""
    fields = {}
    for name, errors in detail.items():
        errors = errors if isinstance(errors, list) else [errors]
        flat = []
        for error in errors:
            if isinstance(error, dict):  # a nested serializer: name its fields "outer.inner"
                for inner, inner_errors in _field_errors(error).items():
                    fields[f"{name}.{inner}"] = inner_errors
            else:
                flat.append({"code": getattr(error, "code", "invalid"), "message": str(error)})
        if flat:
            fields[name] = flat
    return fields


def django_validation_error(error: DjangoValidationError, field="non_field_errors") -> exceptions.ValidationError:
    """A service's ValidationError as DRF's, keeping the fields it names;
    one that names none is given to ``field``."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                "non_field_errors" if name == "__all__" else name: [
                    exceptions.ErrorDetail(message, code="invalid") for message in messages
                ]
                for name, messages in error.message_dict.items()
            }
        )
    return exceptions.ValidationError({field: error.messages})


def form_invalid(form, rename=lambda name: name) -> exceptions.ValidationError:
    """A page's form that refused what was sent, as DRF's ValidationError: its
    messages and codes by field (``rename`` maps a form field to the API's
    name), a form-wide error under ``non_field_errors``."""
    errors = {}
    for name, messages in form.errors.get_json_data().items():
        field = "non_field_errors" if name == "__all__" else rename(name)
        errors[field] = [exceptions.ErrorDetail(m["message"], code=m["code"] or "invalid") for m in messages]
    return exceptions.ValidationError(errors)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        # DRF's session check words this in English only.
        exc = exceptions.PermissionDenied(
            _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."), code="csrf_failed"
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"code": "error", "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = _field_errors(detail)
        general = fields.pop("non_field_errors", [])
        body["code"] = "validation_error"
        body["message"] = general[0]["message"] if general else _("Some fields were refused; see fields.")
        if general:
            body["errors"] = general
        body["fields"] = fields
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else exc.default_code
        body["message"] = str(exc.detail) if not isinstance(exc.detail, dict | list) else str(exc.default_detail)
        if isinstance(exc, exceptions.Throttled):
            body["retry_after"] = exc.wait and int(exc.wait + 0.999)
        if isinstance(exc, Conflict):
            body["current_version"] = exc.current_version
    response.data = body
    return response


def error_response(code, message, http_status):
    return Response({"code": code, "message": message}, status=http_status)
