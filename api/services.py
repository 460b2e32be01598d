"""Writes of the API: issuing and revoking tokens, recording their use, and a provincial
system's data turned into the calls the web makes.

A system's values, explanations, files and submission go through exactly the services of the
officer's pages (``submissions.services``): the same checks of state and cycle, the same
versions, validation and audit entries. What is here only reshapes the request: a list of
``{element_code, value, note}`` becomes the mapping an online edit passes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from audit.services import log_action
from common.errors import ApplicationError
from indicators.models import Region
from submissions import selectors as submission_selectors
from submissions.models import Submission, Version
from submissions.services.versions import EditedValue, version_create_from_edit
from submissions.values import ValueParseError, parse_value

TOKEN_PREFIX = "ifdi_"  # noqa: S105 - a marker that makes a leaked token easy to find
TOKEN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,59}")
TOKEN_MAX_DAYS = 3650

TOKEN_NAME_INVALID = _("令牌名称「{name}」无效：2–60 个字符，只用字母、数字、点、下划线和连字符，"
                       "以字母或数字开头")
TOKEN_NAME_TAKEN = _("已有名为「{name}」的令牌（名称不能重复使用，吊销的令牌也一样）")
TOKEN_REGION_UNKNOWN = _("没有代码为 {code} 的地区")
TOKEN_DAYS_INVALID = _("有效天数必须在 1 到 {limit} 之间")
TOKEN_NOT_FOUND = _("没有名为「{name}」的令牌")
TOKEN_REVOKED_ALREADY = _("令牌「{name}」已于 {when} 吊销")
ELEMENT_UNKNOWN = _("指标体系 {model} 中没有数据项 {code}")
ELEMENT_TWICE = _("数据项 {code} 出现了不止一次")
VALUE_INVALID = _("数据项 {code} 的值无法识别：{reason}")
VALUES_REFUSED = _("提交的数据有 {count} 处问题，没有保存")


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once; only its hash is stored


@transaction.atomic
def api_token_create(*, name: str, region_code: str, actor: Any,
                     days: int | None = None) -> IssuedToken:
    """A new token for the system ``name`` of one region, with its own account; the secret is
    returned once and stored only as a hash."""
    if not TOKEN_NAME.fullmatch(name):
        raise ApplicationError("TOKEN_NAME_INVALID", TOKEN_NAME_INVALID, field="name",
                               params={"name": name})
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ApplicationError("TOKEN_DAYS_INVALID", TOKEN_DAYS_INVALID, field="days",
                               params={"limit": TOKEN_MAX_DAYS})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ApplicationError("TOKEN_REGION_UNKNOWN", TOKEN_REGION_UNKNOWN, field="region",
                               params={"code": region_code})
    username = f"api.{name}"
    users = get_user_model().objects
    if ApiToken.objects.filter(name=name).exists() or users.filter(username=username).exists():
        raise ApplicationError("TOKEN_NAME_TAKEN", TOKEN_NAME_TAKEN, field="name",
                               params={"name": name})
    # The token's own account: no password (it never signs in) and no role (the token's
    # region is its only scope, checked by the API's permission helper).
    user = users.create(username=username, full_name=name, region=region)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, region=region, user=user, secret_sha256=token_hash(secret), created_by=actor,
        expires_at=timezone.now() + timedelta(days=days),
    )
    log_action(actor=actor, action="api_token.create", obj=token, region_code=region.code,
               data={"token": name, "expires_at": token.expires_at.isoformat()})
    return IssuedToken(token, secret)


@transaction.atomic
def api_token_revoke(*, name: str, actor: Any) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("region").filter(
        name=name).first()
    if token is None:
        raise ApplicationError("TOKEN_NOT_FOUND", TOKEN_NOT_FOUND, field="name",
                               params={"name": name})
    if token.revoked_at is not None:
        raise ApplicationError("TOKEN_REVOKED_ALREADY", TOKEN_REVOKED_ALREADY,
                               params={"name": name,
                                       "when": timezone.localtime(token.revoked_at)
                                       .strftime("%Y-%m-%d %H:%M")})
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    token.user.is_active = False
    token.user.save(update_fields=["is_active"])
    log_action(actor=actor, action="api_token.revoke", obj=token, region_code=token.region.code,
               data={"token": name})
    return token


@transaction.atomic
def api_token_record_use(*, token: ApiToken, method: str, path: str,
                         refused: str = "") -> None:
    """Every call made with a token, accepted or refused (``refused``: why), in the audit log
    under the token's account and name; the token's last use."""
    if not refused:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    data: dict[str, Any] = {"token": token.name, "method": method, "path": path[:300]}
    if refused:
        data["refused"] = refused
    log_action(actor=token.user, action="api_token.refused" if refused else "api_token.use",
               obj=token, region_code=token.region.code, data=data)


# --- a provincial system's data -------------------------------------------------------------

@dataclass(frozen=True)
class SentValue:
    element_code: str
    value: Any          # a JSON number, a text as an officer would type it, or null
    note: str | None    # None: keep the current note


def api_values_send(*, submission: Submission, values: Sequence[SentValue],
                    actor: Any) -> Version:
    """A new version: the current values with ``values`` put over them, parsed like the
    officer's online form and stored by the same service (``version_create_from_edit``)."""
    elements = {e.code: e for e in submission.cycle.model_version.elements.all()}
    _check_codes(submission, [v.element_code for v in values], elements)
    merged = _current(submission)
    problems = []
    for sent in values:
        raw = _raw(sent.value)
        try:
            parsed = parse_value(raw, unit=elements[sent.element_code].unit)
        except ValueParseError as exc:
            problems.append(_problem("VALUE_INVALID", sent.element_code, VALUE_INVALID,
                                     reason=exc.message))
            continue
        kept = merged.get(sent.element_code)
        note = (kept.note if kept else "") if sent.note is None else sent.note
        merged[sent.element_code] = EditedValue(value=parsed, raw=raw, note=note.strip())
    _refuse_if(problems)
    return version_create_from_edit(submission=submission, values=merged, actor=actor)


def api_explanations_add(*, submission: Submission, notes: Sequence[tuple[str, str]],
                         actor: Any) -> Version:
    """Explanations of warnings: each is the note of its value, as an officer writes it."""
    elements = {e.code: e for e in submission.cycle.model_version.elements.all()}
    _check_codes(submission, [code for code, _note in notes], elements)
    merged = _current(submission)
    for code, note in notes:
        old = merged.get(code)
        merged[code] = EditedValue(value=old.value if old else None, raw=old.raw if old else "",
                                   note=note.strip())
    return explanation_write(submission=submission, values=merged, actor=actor)


def explanation_write(*, submission: Submission, values: Mapping[str, EditedValue],
                      actor: Any) -> Version:
    """The one call that stores explanations: today a new version through the service of the
    online form, which is how an officer writes a note (a dedicated service may replace it)."""
    return version_create_from_edit(submission=submission, values=values, actor=actor)


def _current(submission: Submission) -> dict[str, EditedValue]:
    return {code: EditedValue(value=v.value, raw=v.raw or _plain(v.value), note=v.note)
            for code, v in submission_selectors.current_values(submission).items()}


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _raw(value: Any) -> str:
    """What the system sent, as text for the value parser (a JSON number exactly)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)  # refused by the parser as any other text that is no number
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _check_codes(submission: Submission, codes: Sequence[str],
                 elements: Mapping[str, Any]) -> None:
    problems, seen = [], set()
    model = submission.cycle.model_version.code
    for code in codes:
        if code not in elements:
            problems.append(_problem("ELEMENT_UNKNOWN", code, ELEMENT_UNKNOWN, model=model))
        elif code in seen:
            problems.append(_problem("ELEMENT_TWICE", code, ELEMENT_TWICE))
        seen.add(code)
    _refuse_if(problems)


def _problem(code: str, element_code: str, message: Any, **params: Any) -> dict[str, Any]:
    return {"code": code, "element_code": element_code,
            "message": str(message).format(code=element_code, **params)}


def _refuse_if(problems: list[dict[str, Any]]) -> None:
    if problems:
        raise ApplicationError("VALUES_INVALID", VALUES_REFUSED, field="values",
                               params={"count": len(problems)}, extra={"errors": problems})
