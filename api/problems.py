"""Every error of the API as RFC 9457 problem details (``application/problem+json``).

One handler for everything a view can raise: a service's ``ApplicationError`` (its stable
``code``, its message in the request's language — ``Accept-Language`` — its field and place,
and the list of problems where there is one), DRF's own refusals (no or a bad token, not
found, too many requests with ``Retry-After``, a malformed body with one problem per field)
and Django's 404 and 403. Titles and messages are the platform's own, through gettext.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from api.authentication import TokenRefused
from api.renderers import PROBLEM_JSON
from common.errors import ApplicationError

TYPE_PREFIX = "urn:ifdi:problem:"

TITLES = {
    400: _("请求有误"),
    401: _("需要有效的接口令牌"),
    403: _("无权进行此操作"),
    404: _("没有找到"),
    405: _("不支持此请求方法"),
    406: _("无法提供所要求的格式"),
    409: _("与当前状态冲突"),
    413: _("内容过大"),
    415: _("不支持此内容类型"),
    429: _("请求过于频繁"),
}
NOT_AUTHENTICATED = _("此接口需要接口令牌：请求头 Authorization: Bearer <令牌>")
NOT_FOUND = _("没有找到这个对象（或无权看到它）")
FORBIDDEN = _("您的令牌无权进行此操作")
METHOD_NOT_ALLOWED = _("此地址不支持 {method} 请求")
THROTTLED = _("请求过于频繁，请 {seconds} 秒后再试")
MALFORMED = _("请求内容不是有效的 JSON")
INVALID_INPUT = _("请求内容有 {count} 处问题")
UNSUPPORTED_MEDIA = _("不支持内容类型「{media_type}」")
NOT_ACCEPTABLE = _("无法按请求的 Accept 格式回答")

# A refusal of a service answers 409 (the request conflicts with the state of things) unless
# it is about the input (it names a field: 400) or listed here.
STATUS_BY_CODE = {
    "FILE_TOO_LARGE": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
}


def problem(*, status_code: int, code: str, detail: str, field: str | None = None,
            place: str | None = None, errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": str(TITLES.get(status_code, _("请求失败"))),
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if field:
        body["field"] = field
    if place:
        body["place"] = place
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers,
                        content_type=PROBLEM_JSON)
    return response


def application_error_status(exc: ApplicationError) -> int:
    if exc.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[exc.code]
    return status.HTTP_400_BAD_REQUEST if exc.field else status.HTTP_409_CONFLICT


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: the problem details of ``exc``."""
    if isinstance(exc, ApplicationError):
        return problem(status_code=application_error_status(exc), code=exc.code,
                       detail=exc.message, field=exc.field, place=exc.place,
                       errors=exc.extra.get("errors"))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    drf = exception_handler(exc, context)  # its headers: WWW-Authenticate, Retry-After, Allow
    if drf is None or not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django answers 500 and logs it
    headers = {name: value for name, value in drf.items()
               if name in ("WWW-Authenticate", "Retry-After", "Allow")}
    code, detail, errors = _describe(exc, context)
    return problem(status_code=drf.status_code, code=code, detail=detail, errors=errors,
                   headers=headers)


def _describe(exc: exceptions.APIException, context: dict[str, Any]
              ) -> tuple[str, str, list[dict[str, Any]] | None]:
    """The stable code, the message and the list of problems of one of DRF's refusals."""
    if isinstance(exc, TokenRefused):
        return exc.problem_code, str(exc.message), None
    if isinstance(exc, exceptions.ValidationError):
        errors = list(_field_errors(exc.detail))
        return "INVALID_INPUT", str(INVALID_INPUT).format(count=len(errors)), errors
    if isinstance(exc, exceptions.ParseError):
        return "MALFORMED", str(MALFORMED), None
    if isinstance(exc, exceptions.Throttled):
        return "THROTTLED", str(THROTTLED).format(seconds=int(exc.wait or 1) + 1), None
    if isinstance(exc, exceptions.MethodNotAllowed):
        request = context.get("request")
        method = getattr(request, "method", "")
        return "METHOD_NOT_ALLOWED", str(METHOD_NOT_ALLOWED).format(method=method), None
    if isinstance(exc, exceptions.UnsupportedMediaType):
        media_type = str(getattr(exc, "media_type", ""))
        return ("UNSUPPORTED_MEDIA_TYPE",
                str(UNSUPPORTED_MEDIA).format(media_type=media_type), None)
    simple = {
        exceptions.NotAuthenticated: ("NOT_AUTHENTICATED", NOT_AUTHENTICATED),
        exceptions.AuthenticationFailed: ("TOKEN_UNKNOWN", NOT_AUTHENTICATED),
        exceptions.NotFound: ("NOT_FOUND", NOT_FOUND),
        exceptions.PermissionDenied: ("FORBIDDEN", FORBIDDEN),
        exceptions.NotAcceptable: ("NOT_ACCEPTABLE", NOT_ACCEPTABLE),
    }
    for kind, (code, message) in simple.items():
        if isinstance(exc, kind):
            return code, str(message), None
    return str(exc.default_code).upper(), str(exc.detail), None


def _field_errors(detail: Any, prefix: str = "") -> Any:
    """One ``{field, code, message}`` per problem of a serializer, nested fields as
    ``values.0.value``."""
    if isinstance(detail, dict):
        for name, inner in detail.items():
            yield from _field_errors(inner, f"{prefix}.{name}" if prefix else str(name))
    elif isinstance(detail, list):
        for index, inner in enumerate(detail):
            if isinstance(inner, exceptions.ErrorDetail):
                yield {"field": prefix, "code": str(inner.code).upper(), "message": str(inner)}
            else:
                yield from _field_errors(inner, f"{prefix}.{index}" if prefix else str(index))
    elif isinstance(detail, exceptions.ErrorDetail):
        yield {"field": prefix, "code": str(detail.code).upper(), "message": str(detail)}
