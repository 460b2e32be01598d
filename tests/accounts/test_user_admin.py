"""The user admin (``admin:accounts_user_*``): administrators only, people bound to a region
there, deactivated but never deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import User
from audit.models import AuditEntry
from indicators.models import Region
from tests.factories import UserFactory

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


@pytest.mark.parametrize("client_name", ["bj_client", "reviewer_client", "auditor_client"])
def test_nobody_but_an_administrator_opens_the_user_admin(request, client_name):
    client = request.getfixturevalue(client_name)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_django_staff_flag_alone_opens_nothing(bootstrapped):
    from django.test import Client

    staff = UserFactory(username="staff-only", is_staff=True)
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_an_administrator_lists_the_people_of_one_region(admin_client_, officer_bj, officer_sh,
                                                         django_assert_max_num_queries):
    url = reverse("admin:accounts_user_changelist")
    with django_assert_max_num_queries(30):
        response = admin_client_.get(url, {"region__id__exact": officer_bj.region_id})
    assert response.status_code == 200
    listed = {user.username for user in response.context["cl"].result_list}
    assert listed == {"officer-bj"}


def test_an_administrator_moves_an_officer_to_another_region(admin_client_, officer_bj):
    shanghai = Region.objects.get(code="310000")
    data = _change_form_data(admin_client_, officer_bj)
    data["region"] = shanghai.pk
    response = admin_client_.post(reverse("admin:accounts_user_change", args=[officer_bj.pk]),
                                  data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    moved = User.objects.get(pk=officer_bj.pk)
    assert moved.region == shanghai
    assert roles.is_officer(moved)  # still an officer, now of 上海 only
    change = AuditEntry.objects.filter(action="user.change",
                                       object_id=str(moved.pk)).order_by("pk").last()
    assert change.data["region_id"] == str(shanghai.pk)
    assert change.actor.username == "admin"


def test_nobody_is_deleted_in_the_admin(admin_client_, officer_bj):
    response = admin_client_.get(reverse("admin:accounts_user_delete", args=[officer_bj.pk]))
    assert response.status_code == 403
    changelist = admin_client_.get(reverse("admin:accounts_user_changelist"))
    action_form = changelist.context["action_form"]  # None: no bulk action is left at all
    assert action_form is None or "delete_selected" not in dict(
        action_form.fields["action"].choices)
    assert User.objects.filter(pk=officer_bj.pk).exists()
