"""The user admin (``admin:accounts_user_*``): security administrators only (separation of
duties: the administrator no longer manages accounts), people bound to a region there, roles
given without two duties at once, passwords set there temporary, second factors reset there,
deactivated but never deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.errors import ROLE_CONFLICT_MESSAGE
from accounts.models import PasswordRecord, User, UserSession
from accounts.selectors import password_change_due
from audit.models import AuditEntry
from indicators.models import Region
from tests.factories import UserFactory, verified_login

pytestmark = pytest.mark.django_db


def _change_form_data(client, user: User) -> dict[str, object]:
    """What the change form posts back unchanged (the password hash is not a form field)."""
    form = client.get(reverse("admin:accounts_user_change", args=[user.pk])).context[
        "adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "password":
            continue
        if name in ("last_login", "date_joined"):
            data[f"{name}_0"] = value.date().isoformat() if value else ""
            data[f"{name}_1"] = value.time().strftime("%H:%M:%S") if value else ""
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[name] = ""
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    return {k: v for k, v in data.items() if v is not False}


@pytest.mark.parametrize("client_name", ["bj_client", "reviewer_client", "auditor_client",
                                         "admin_client_"])
def test_nobody_but_a_security_administrator_opens_the_user_admin(request, client_name):
    client = request.getfixturevalue(client_name)
    response = client.get(reverse("admin:accounts_user_changelist"))
    if client_name == "admin_client_":  # in the admin, but not its accounts pages
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_django_staff_flag_alone_opens_nothing(bootstrapped):
    staff = UserFactory(username="staff-only", is_staff=True)
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_the_administrator_sees_the_platform_not_the_accounts(admin_client_):
    index = admin_client_.get(reverse("admin:index")).content.decode()
    assert "/admin/scoring/" in index or "/admin/submissions/" in index
    assert "/admin/accounts/" not in index and "/admin/auth/" not in index


def test_a_security_administrator_sees_the_accounts_not_the_platform(security_client):
    index = security_client.get(reverse("admin:index")).content.decode()
    assert "/admin/accounts/user/" in index and "/admin/otp_totp/" in index
    assert "/admin/scoring/" not in index and "/admin/submissions/" not in index
    assert "/admin/audit/" not in index


def test_a_security_administrator_lists_the_people_of_one_region(
        security_client, officer_bj, officer_sh, django_assert_max_num_queries):
    url = reverse("admin:accounts_user_changelist")
    with django_assert_max_num_queries(30):
        response = security_client.get(url, {"region__id__exact": officer_bj.region_id})
    assert response.status_code == 200
    listed = {user.username for user in response.context["cl"].result_list}
    assert listed == {"officer-bj"}


def test_a_security_administrator_moves_an_officer_to_another_region(security_client,
                                                                    officer_bj):
    shanghai = Region.objects.get(code="310000")
    data = _change_form_data(security_client, officer_bj)
    data["region"] = shanghai.pk
    response = security_client.post(reverse("admin:accounts_user_change", args=[officer_bj.pk]),
                                     data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    moved = User.objects.get(pk=officer_bj.pk)
    assert moved.region == shanghai
    assert roles.is_officer(moved)  # still an officer, now of 上海 only
    change = AuditEntry.objects.filter(action="user.change",
                                       object_id=str(moved.pk)).order_by("pk").last()
    assert change.data["region_id"] == str(shanghai.pk)
    assert change.actor.username == "security"


def test_the_form_offers_no_superuser_flag_nor_single_permissions(security_client, officer_bj):
    form = security_client.get(reverse("admin:accounts_user_change", args=[officer_bj.pk])
                               ).context["adminform"].form
    assert "groups" in form.fields
    assert not {"is_superuser", "is_staff", "user_permissions"} & set(form.fields)


def test_it_refuses_a_second_duty_in_the_form(security_client, administrator):
    auditors = Group.objects.get(name=roles.AUDITOR)
    data = _change_form_data(security_client, administrator)
    data["groups"] = [*data.get("groups", []), auditors.pk]
    response = security_client.post(reverse("admin:accounts_user_change",
                                            args=[administrator.pk]), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["groups"]
    assert errors[0] == str(ROLE_CONFLICT_MESSAGE).format(user=administrator,
                                                         duties="管理员、审计员")
    assert not roles.is_auditor(User.objects.get(pk=administrator.pk))


def test_a_password_set_here_must_be_changed_at_the_next_login(security_client, officer_bj):
    assert not password_change_due(officer_bj)
    response = security_client.post(
        reverse("admin:auth_user_password_change", args=[officer_bj.pk]),
        {"password1": "Temporary-Pass-2026", "password2": "Temporary-Pass-2026"})
    assert response.status_code == 302
    record = PasswordRecord.objects.filter(user=officer_bj).first()
    assert record.temporary and password_change_due(officer_bj)


def test_a_security_administrator_resets_a_second_factor(security_client, reviewer):
    session = verified_login(Client(), reviewer)
    assert TOTPDevice.objects.filter(user=reviewer).exists()
    StaticDevice.objects.create(user=reviewer, name="recovery", confirmed=True)
    response = security_client.post(reverse("admin:accounts_user_changelist"), {
        "action": "reset_second_factor", "_selected_action": [reviewer.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    assert not UserSession.objects.filter(user=reviewer).exists()
    reset = AuditEntry.objects.get(action="auth.otp_reset", object_id=str(reviewer.pk))
    assert reset.actor.username == "security" and reset.data == {"devices": 2}
    # The reviewer's session ended: the next request is sent to log in.
    assert session.get(reverse("submissions:queue"))["Location"].startswith(
        reverse("accounts:login"))


def test_nobody_is_deleted_in_the_admin(security_client, officer_bj):
    response = security_client.get(reverse("admin:accounts_user_delete", args=[officer_bj.pk]))
    assert response.status_code == 403
    changelist = security_client.get(reverse("admin:accounts_user_changelist"))
    action_form = changelist.context["action_form"]  # None: no bulk action is left at all
    assert action_form is None or "delete_selected" not in dict(
        action_form.fields["action"].choices)
    assert User.objects.filter(pk=officer_bj.pk).exists()


def test_the_device_pages_show_no_secret(security_client, reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    page = security_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
    qr = security_client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    assert qr.status_code == 403


def test_the_admin_changes_passwords_on_the_platform_page(security_client):
    response = security_client.get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")
