"""The session's own pages: the second factor (enrolment, verification), the password change,
and the person's sessions (log out everywhere). Every signed-in person may open them: they
change nothing but the person's own sign-in."""

from __future__ import annotations

import base64
import binascii
from typing import cast

import segno
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import default_key

from accounts import roles, selectors, services, signals
from accounts.errors import TOKEN_INVALID_MESSAGE
from accounts.forms import LanguageForm, TokenForm
from accounts.middleware import language_cookie
from accounts.models import User
from common.errors import ApplicationError
from common.i18n import in_language
from common.views import form_error_message

ENROL_KEY = "security.enrol_key"
RECOVERY_CODES = "security.recovery_codes"


def _next(request: HttpRequest) -> str:
    """Where to go on: the page asked for, if it is ours and not a sign-in page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    sign_in = (reverse("accounts:login"), reverse("accounts:otp_enrol"),
               reverse("accounts:otp_verify"), reverse("accounts:password_change"))
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()) \
            and not target.startswith(sign_in):
        return target
    return reverse("home")


def _person(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind login_required)."""
    return cast(User, request.user)


def _verified(request: HttpRequest) -> bool:
    """Whether this session has given its second factor (django-otp's middleware)."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _otpauth_url(user: User, key: str) -> str:
    secret = base64.b32encode(binascii.unhexlify(key)).decode()
    label = f"IFDI:{user.username}"
    return f"otpauth://totp/{label}?secret={secret}&issuer=IFDI&digits=6&period=30"


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: a QR code (drawn here, no outside service) and the secret to
    type in, then one code from the app; ten recovery codes are shown once."""
    if RECOVERY_CODES in request.session:
        return render(request, "accounts/otp_recovery_codes.html", {
            "codes": request.session[RECOVERY_CODES], "next": _next(request)})
    user = _person(request)
    if selectors.has_authenticator(user):
        return redirect(_next(request) if _verified(request) else reverse("accounts:otp_verify"))
    key = request.session.setdefault(ENROL_KEY, default_key())
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.second_factor_enrol(user=user, key=key,
                                                         token=form.cleaned_data["token"])
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            del request.session[ENROL_KEY]
            # Shown until the person says they kept them (the page below): a reload keeps them.
            request.session[RECOVERY_CODES] = codes
            return redirect(f"{reverse('accounts:otp_enrol')}?next={_next(request)}")
    url = _otpauth_url(user, key)
    return render(request, "accounts/otp_enrol.html", {
        "form": form, "qr_svg": segno.make(url, error="m").svg_inline(scale=4, omitsize=False),
        "secret": " ".join(_chunks(base64.b32encode(binascii.unhexlify(key)).decode(), 4)),
        "required": roles.requires_second_factor(user), "next": _next(request)})


def _chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


@login_required
@require_POST
def otp_codes_kept(request: HttpRequest) -> HttpResponse:
    """The person has written the recovery codes down: they are never shown again."""
    request.session.pop(RECOVERY_CODES, None)
    return redirect(_next(request))


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator, or a recovery code."""
    user = _person(request)
    if _verified(request):
        return redirect(_next(request))
    if not selectors.has_authenticator(user):
        return redirect(f"{reverse('accounts:otp_enrol')}?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = selectors.second_factor_wait_seconds(user)
        device = None if wait else match_token(user, form.cleaned_data["token"].replace(" ", ""))
        if wait:
            # django-otp doubles the wait after each wrong code (1, 2, 4 … s): no guessing.
            form.add_error("token", _("错误次数较多，请在 %(s)d 秒后再试。") % {"s": wait})
        elif device is None:
            signals.second_factor_failed.send(sender=User, user=user, actor=user,
                                              request=request)
            form.add_error("token", str(TOKEN_INVALID_MESSAGE))
        else:
            otp_login(request, device)
            signals.second_factor_verified.send(sender=User, user=user, actor=user,
                                                device=device, request=request)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(request, _("已使用一个恢复码，还剩 %(n)d 个。") % {
                    "n": selectors.recovery_codes_left(user)})
            return redirect(_next(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: at the first login, when it is older than the rules allow,
    or whenever one wishes. Every other session of the person ends."""
    due = bool(request.session.get(services.PASSWORD_DUE))
    form = PasswordChangeForm(_person(request), request.POST or None)
    if request.method == "POST" and form.is_valid():
        old_key = request.session.session_key
        user = form.save()
        update_session_auth_hash(request, user)  # a new session key, still signed in
        services.session_rekey(old=old_key, new=request.session.session_key)
        services.sessions_end(user=user, actor=user, reason="password_change",
                              keep=request.session.session_key)
        request.session[services.PASSWORD_DUE] = False
        messages.success(request, _("密码已修改。"))
        return redirect(_next(request))
    return render(request, "accounts/password_change.html", {
        "form": form, "due": due, "next": _next(request)})


@login_required
@require_http_methods(["GET", "HEAD"])
def security(request: HttpRequest) -> HttpResponse:
    """The person's sign-in: their sessions, their second factor, their password."""
    return render(request, "accounts/security.html", {
        "sessions": selectors.user_sessions(request.user),
        "current": request.session.session_key,
        "has_authenticator": selectors.has_authenticator(request.user),
        "codes_left": selectors.recovery_codes_left(request.user),
        "language_form": LanguageForm(initial={"language": _person(request).language}),
    })


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The person's language: their e-mails from now on, and these pages at once (the
    language cookie that Django's switch sets too)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        form_error_message(request, form)
        return redirect("accounts:security")
    user = services.user_set_language(user=_person(request),
                                      language=form.cleaned_data["language"])
    with in_language(user.language):
        messages.success(request, _("你的语言已设为%(name)s：页面和通知邮件都将使用这种语言。")
                         % {"name": user.get_language_display()})
    response = redirect("accounts:security")
    language_cookie(response, user.language)
    return response


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the person, this one too (a lost laptop, a shared computer)."""
    user = _person(request)
    services.sessions_end(user=user, actor=user, reason="logout_everywhere",
                          keep=request.session.session_key)
    logout(request)
    return redirect(f"{reverse('accounts:login')}?expired=logout_everywhere")


def lockout(request: HttpRequest, original_response: HttpResponse | None = None,
            credentials: dict[str, object] | None = None) -> HttpResponse:
    """What a locked-out login gets (``AXES_LOCKOUT_CALLABLE``): the site's page in the
    person's language, how long the lock lasts and whom to ask; 429, as axes answers."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(request, "accounts/lockout.html",
                  {"failure_limit": get_failure_limit(request, credentials),
                   "cooloff_minutes": minutes},
                  status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429))
